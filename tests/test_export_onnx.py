"""`framespan export`: ONNX folders that load, verify, match torch, and run without torch installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from framespan.backends.onnx import OnnxBackend
from framespan.backends.torch import TorchBackend
from framespan.detector import Detector
from framespan.encoding import line_breaks_for, tokenize_windows
from framespan.errors import RunError
from framespan.export import export_onnx
from framespan.fast_tokenizer import WindowTokenizer
from framespan.manifest import verify_model_folder

REPO = Path(__file__).resolve().parent.parent
TEXTS = [
    "The army said the regime lied about the so called front.",
    "",
    "   \n\t ",
    "Zoë — “the regime” 🙂 said 日本 the army, café déjà vu.",
    "anonymous source inside the ministry " * 30,
]


def _spans(spans: list) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in spans]


def test_export_folder_verifies_and_holds_no_torch_weights(tiny_onnx_dir: Path) -> None:
    verify_model_folder(tiny_onnx_dir)
    names = {p.name for p in tiny_onnx_dir.iterdir()}
    assert {"model.onnx", "tokenizer.json", "labels.yaml", "decode.json", "manifest.json"} <= names
    assert "model.safetensors" not in names
    manifest = json.loads((tiny_onnx_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "model.onnx" in manifest["files"]
    info = json.loads((tiny_onnx_dir / "export.json").read_text(encoding="utf-8"))
    assert info["opset"] >= 17 and info["outputs"] == ["logits", "span_logits"]


@pytest.mark.parametrize(("max_length", "stride"), [(24, 6), (16, 0), (512, 128)])
def test_light_tokenizer_windows_equal_transformers_windows(tiny_model_dir: Path, max_length: int,
                                                           stride: int) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    light = WindowTokenizer.from_folder(tiny_model_dir)
    assert light.pad_token_id == hf.pad_token_id
    assert light.windows(TEXTS, max_length, stride) == tokenize_windows(hf, TEXTS, max_length, stride)


def test_light_tokenizer_puts_separators_where_transformers_windows_do(tiny_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    breaks = line_breaks_for(hf)
    texts = [*TEXTS, "The regime lied.\n\nThe army | said\r\nso.\n", "\n" * 40]
    light = WindowTokenizer.from_folder(tiny_model_dir).windows(texts, 24, 6, breaks)
    assert light == tokenize_windows(hf, texts, 24, 6, breaks)
    # Besides each window's closing separator, the line breaks show up as separators too.
    assert sum(w.input_ids.count(breaks.token_id) for w in light) > len(light)


def test_exported_tokenizer_cuts_the_same_windows(tiny_model_dir: Path, tiny_onnx_dir: Path) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    assert WindowTokenizer.from_folder(tiny_onnx_dir).windows(TEXTS, 24, 6) == tokenize_windows(hf, TEXTS, 24, 6)


def test_light_tokenizer_follows_a_tokenizer_without_segment_ids(tiny_base: Path) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(tiny_base))
    assert "token_type_ids" not in hf.model_input_names
    light = WindowTokenizer.from_folder(tiny_base, token_type_ids=False)
    assert light.windows(TEXTS, 24, 6) == tokenize_windows(hf, TEXTS, 24, 6)


def test_auto_backend_picks_onnx_when_present(tiny_model_dir: Path, tiny_onnx_dir: Path) -> None:
    assert isinstance(Detector.load(tiny_onnx_dir).backend, OnnxBackend)
    assert isinstance(Detector.load(tiny_model_dir).backend, TorchBackend)
    with pytest.raises(RunError, match="model.onnx"):
        Detector.load(tiny_model_dir, backend="onnx")
    with pytest.raises(RunError, match="model.safetensors"):
        Detector.load(tiny_onnx_dir, backend="torch")


def test_onnx_and_torch_give_the_same_spans(tiny_model_dir: Path, tiny_onnx_dir: Path) -> None:
    torch_det, onnx_det = Detector.load(tiny_model_dir), Detector.load(tiny_onnx_dir)
    for a, b in zip(torch_det.scores(TEXTS), onnx_det.scores(TEXTS), strict=True):
        np.testing.assert_array_equal(a.offsets, b.offsets)
        np.testing.assert_allclose(a.probs, b.probs, atol=1e-4)
    want, got = list(torch_det.predict_many(TEXTS)), list(onnx_det.predict_many(TEXTS))
    assert [_spans(x) for x in got] == [_spans(x) for x in want]
    assert sum(map(len, want)) > 0  # the comparison is not vacuous
    for x, y in zip(want, got, strict=True):
        np.testing.assert_allclose([s.score for s in y], [s.score for s in x], atol=1e-4)


def test_exported_span_head_classifies_like_torch(tiny_model_dir: Path, tiny_onnx_dir: Path) -> None:
    text = TEXTS[0]
    ranges = [(4, 8), (13, 23), (40, 56)]
    want = Detector.load(tiny_model_dir).span_probs(text, ranges)
    got = Detector.load(tiny_onnx_dir).span_probs(text, ranges)
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_int8_export_is_smaller_and_close(tiny_model_dir: Path, tiny_onnx_dir: Path, tmp_path: Path) -> None:
    info = export_onnx(tiny_model_dir, tmp_path / "int8", int8=True)
    assert info["int8"] and info["max_tag_prob_diff"] < 0.1
    assert (tmp_path / "int8" / "model.onnx").stat().st_size < (tiny_onnx_dir / "model.onnx").stat().st_size
    det = Detector.load(tmp_path / "int8")
    assert isinstance(det.backend, OnnxBackend) and det.predict(TEXTS[0])


def test_export_without_span_head_falls_back_to_tag_scores(tiny_base: Path, tmp_path: Path) -> None:
    from tests.conftest import build_tiny_model_folder

    folder = build_tiny_model_folder(tmp_path / "model", tiny_base, span_head=False, token_type_ids=False)
    export_onnx(folder, tmp_path / "onnx")
    det = Detector.load(tmp_path / "onnx")
    assert not det.backend.has_span_head and not det.backend.uses_token_type_ids
    spans = det.classify(TEXTS[0], [(4, 8)], k=2)
    assert [(s.start, s.end) for s in spans] == [(4, 8), (4, 8)]
    want = Detector.load(folder).span_probs(TEXTS[0], [(4, 8)])
    np.testing.assert_allclose(det.span_probs(TEXTS[0], [(4, 8)]), want, atol=1e-4)


def test_export_refuses_to_overwrite_without_flag(tiny_model_dir: Path, tiny_onnx_dir: Path) -> None:
    with pytest.raises(RunError, match="--overwrite"):
        export_onnx(tiny_model_dir, tiny_onnx_dir)


def test_export_command_line(tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from framespan.cli import main

    assert main(["export", str(tiny_model_dir), "--out", str(tmp_path / "out"), "--no-fuse"]) == 0
    assert "wrote" in capsys.readouterr().out
    verify_model_folder(tmp_path / "out")


# Blocks the heavy packages before framespan is imported: a light install has none of them.
_NO_TORCH = ("import sys\n"
             "for name in ('torch', 'transformers', 'safetensors', 'datasets', 'accelerate'):\n"
             "    sys.modules[name] = None\n")


def test_predict_runs_with_torch_and_transformers_unimportable(tiny_onnx_dir: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in.jsonl"
    inputs.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)),
                      encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = _NO_TORCH + (
        "from framespan.detector import Detector\n"
        f"det = Detector.load({str(tiny_onnx_dir)!r})\n"
        "assert det.predict('The army said the regime lied.')\n"
        "from framespan.cli import main\n"
        f"rc = main(['predict', {str(tiny_onnx_dir)!r}, '--file', {str(inputs)!r}, '--format', 'jsonl',\n"
        f"           '--out', {str(out)!r}, '--quiet'])\n"
        "assert 'torch' not in sys.modules or sys.modules['torch'] is None\n"
        "sys.exit(rc)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    want = list(Detector.load(tiny_onnx_dir).predict_many(TEXTS))
    assert [r["id"] for r in rows] == [f"d{i}" for i in range(len(TEXTS))]
    assert [[(s["start"], s["end"], s["label"]) for s in r["spans"]] for r in rows] == [_spans(w) for w in want]
