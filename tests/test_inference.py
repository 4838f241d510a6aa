"""Detector behaviour on awkward inputs, with the torch and the ONNX backend alike."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from framespan.detector import Detector

WORDS = "the army said regime terrorists so called front anonymous source minister".split()


@pytest.fixture(params=["torch", "onnx"])
def detector(request: pytest.FixtureRequest) -> Detector:
    folder = request.getfixturevalue("tiny_model_dir" if request.param == "torch" else "tiny_onnx_dir")
    return Detector.load(folder, backend=request.param)


def _text(n_words: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(WORDS[i] for i in rng.integers(0, len(WORDS), n_words)) + "."


def _check_spans(text: str, spans: list) -> None:
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        covered = text[s.start:s.end]
        assert covered == covered.strip() and covered  # a span never starts or ends in whitespace


@pytest.mark.parametrize("text", ["", " ", "   \n\t  \r\n", "\u00a0\u2003"])
def test_empty_and_whitespace_text_give_no_spans(detector: Detector, text: str) -> None:
    assert detector.predict(text) == []


def test_predict_many_keeps_order_and_count_around_empty_texts(detector: Detector) -> None:
    texts = ["", _text(12), "   ", _text(30, seed=1), ""]
    got = list(detector.predict_many(texts, batch_size=2))
    assert len(got) == len(texts)
    assert got[0] == got[2] == got[4] == []
    assert got[1] == detector.predict(texts[1]) and got[3] == detector.predict(texts[3])


def test_long_document_is_covered_token_for_token_across_windows(detector: Detector) -> None:
    text = _text(400)  # many 24-token windows
    tokenizer = detector.tokenizer
    if hasattr(tokenizer, "windows"):
        all_offsets = [o for w in tokenizer.windows([text], 100000, 0) for o in w.offsets if o[1] > o[0]]
    else:
        enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
        all_offsets = [tuple(o) for o in enc["offset_mapping"]]
    scores = detector.scores([text])[0]
    # Each token of the document gets exactly one merged prediction, in document order.
    assert [tuple(o) for o in scores.offsets.tolist()] == all_offsets
    spans = detector.predict(text)
    assert spans
    _check_spans(text, spans)
    assert max(s.end for s in spans) > len(text) // 2  # windows past the first still produce spans


def test_window_merging_does_not_depend_on_batching(detector: Detector) -> None:
    texts = [_text(150, seed=2), _text(7, seed=3), _text(90, seed=4)]
    together = list(detector.predict_many(texts, batch_size=3))
    alone = [detector.predict(t) for t in texts]
    for a, b in zip(together, alone, strict=True):
        assert [(s.start, s.end, s.label) for s in a] == [(s.start, s.end, s.label) for s in b]
        np.testing.assert_allclose([s.score for s in a], [s.score for s in b], atol=1e-4)


def test_non_ascii_offsets_index_the_python_string(detector: Detector) -> None:
    text = "Zoë 🙂 said — “the regime” 日本 army café 👍🏽 terrorists déjà front."
    scores = detector.scores([text])[0]
    starts = {int(a): int(b) for a, b in scores.offsets}
    for word in ("said", "the", "regime", "army", "terrorists", "front"):
        i = text.index(word)
        assert starts.get(i) == i + len(word), word
    assert all(0 <= a < b <= len(text) for a, b in scores.offsets.tolist())
    _check_spans(text, detector.predict(text))


def test_one_megabyte_text(detector: Detector) -> None:
    # Longer windows than the fixture's 24 tokens keep this to under a thousand windows; one label
    # and a high threshold keep the random model's spans (decoded one by one in Python) few.
    window = dataclasses.replace(detector.settings.window, max_length=256, stride=16)
    detector.settings = dataclasses.replace(detector.settings, window=window)
    detector.columns = dataclasses.replace(detector.columns, active=detector.columns.active[:1])
    detector.configure(threshold=0.99, thresholds={})
    text = _text(200_000, seed=5)
    assert len(text.encode("utf-8")) > 1_000_000
    spans = detector.predict(text)  # speed is benchmarked (benchmarks/inference.py), not asserted here
    assert spans and max(s.end for s in spans) > len(text) - 2_000
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


def test_predict_many_reads_its_input_lazily(detector: Detector) -> None:
    pulled = 0

    def texts():
        nonlocal pulled
        for i in range(100):
            pulled += 1
            yield _text(5, seed=i)

    results = detector.predict_many(texts(), batch_size=4)
    next(results)
    assert pulled <= 4  # one batch read, not the whole stream


def test_classify_returns_k_labels_per_range(detector: Detector) -> None:
    text = "the army said the regime lied."
    spans = detector.classify(text, [(0, 8), (18, 24)], k=2)
    assert [(s.start, s.end) for s in spans] == [(0, 8), (0, 8), (18, 24), (18, 24)]
    assert all(s.label in detector.active_labels for s in spans)


def test_cli_predict_streams_jsonl_and_folders(tiny_onnx_dir: Path, tmp_path: Path) -> None:
    from framespan.cli import main

    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(3):
        (folder / f"doc{i}.txt").write_text(_text(40, seed=i), encoding="utf-8")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"id": "x", "text": "the regime"}) + "\n\n" + json.dumps({"text": ""}) + "\n",
                     encoding="utf-8")
    out = tmp_path / "out.jsonl"
    rc = main(["predict", str(tiny_onnx_dir), "-f", str(folder), "-f", str(jsonl), "--format", "jsonl",
               "-o", str(out), "--batch-size", "2", "--quiet"])
    assert rc == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["doc0", "doc1", "doc2", "x", "more:3"]
    assert rows[4]["spans"] == []


def test_bf16_precision_runs_the_torch_backend_close_to_fp32(tiny_model_dir: Path) -> None:
    text = _text(300, seed=3)
    fp32 = Detector.load(tiny_model_dir, backend="torch")
    bf16 = Detector.load(tiny_model_dir, backend="torch", precision="bf16")
    a, b = fp32.scores([text])[0], bf16.scores([text])[0]
    assert np.array_equal(a.offsets, b.offsets)
    diff = np.abs(a.probs - b.probs).max()
    # bf16 keeps 8 bits of mantissa: close to fp32, but not bit-identical (so autocast did run).
    assert 0 < diff < 0.05
    ranges = [(0, 9), (10, 30)]
    assert np.abs(fp32.span_probs(text, ranges) - bf16.span_probs(text, ranges)).max() < 0.05


def test_unknown_precision_and_bf16_onnx_are_refused(tiny_model_dir: Path, tiny_onnx_dir: Path) -> None:
    from framespan.errors import RunError

    with pytest.raises(RunError, match="unknown precision 'fp8'"):
        Detector.load(tiny_model_dir, precision="fp8")
    with pytest.raises(RunError, match="torch backend"):
        Detector.load(tiny_onnx_dir, backend="onnx", precision="bf16")


def test_auto_device_is_the_gpu_only_when_torch_sees_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from framespan.backends.torch import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cuda:1") == "cuda:1"


def test_a_missing_or_unknown_device_is_refused_by_name(tiny_model_dir: Path, tiny_onnx_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from framespan.errors import RunError

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RunError, match="'cuda'.*sees no CUDA GPU"):
        Detector.load(tiny_model_dir, backend="torch", device="cuda")
    with pytest.raises(RunError, match="unknown device 'gpu0'"):
        Detector.load(tiny_model_dir, backend="torch", device="gpu0")
    with pytest.raises(RunError, match="ONNX folder runs on the CPU"):
        Detector.load(tiny_onnx_dir, backend="onnx", device="cuda")


def test_an_onnx_folder_runs_on_the_cpu_with_the_default_device_when_torch_sees_a_gpu(
        tiny_onnx_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``device="auto"`` means the CPU for an ONNX folder: it is not resolved to a GPU and refused."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    text = "the regime said so"
    det = Detector.load(tiny_onnx_dir)  # backend and device left at "auto"
    assert type(det.backend).__name__ == "OnnxBackend"
    assert det.backend.session.get_providers() == ["CPUExecutionProvider"]
    spans = det.predict(text)
    assert spans
    assert spans == Detector.load(tiny_onnx_dir, backend="onnx", device="cpu").predict(text)


def test_cli_evaluate_passes_its_device_to_the_model(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from framespan.cli import main
    from framespan.errors import RunError

    seen: list[str] = []

    def spy(cls: type, path: Path, backend: str = "auto", device: str = "auto", **kw: object) -> Detector:
        seen.append(device)
        raise RunError("stop here")

    monkeypatch.setattr(Detector, "load", classmethod(spy))
    for argv, want in ((["evaluate", str(tiny_model_dir), "--split", "test"], "auto"),
                       (["evaluate", str(tiny_model_dir), "--split", "test", "--device", "cpu"], "cpu"),
                       (["predict", str(tiny_model_dir), "x", "--device", "cuda:1"], "cuda:1")):
        assert main(argv) != 0
        assert seen[-1] == want


def test_cli_predict_takes_bf16(tiny_model_dir: Path, tmp_path: Path) -> None:
    from framespan.cli import main

    out = tmp_path / "out.json"
    rc = main(["predict", str(tiny_model_dir), "the regime said so", "--backend", "torch",
               "--precision", "bf16", "-o", str(out), "--quiet"])
    assert rc == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    want = Detector.load(tiny_model_dir, backend="torch", precision="bf16").predict("the regime said so")
    assert got["id"] == "text" and len(got["spans"]) == len(want)


def test_hidden_states_are_kept_only_for_a_span_head(tiny_model_dir: Path, tiny_base: Path,
                                                    tmp_path: Path) -> None:
    from tests.conftest import build_tiny_model_folder

    texts = [_text(80, seed=5), ""]
    with_head = Detector.load(tiny_model_dir, backend="torch")
    scores, states = with_head.scores_and_states(texts, keep_states=True)
    assert states is not None
    assert [len(st) for st in states] == [len(with_head.windows([t])) for t in texts]
    assert [st.index for st in states[0]] == sorted(st.index for st in states[0])  # document order
    no_head = Detector.load(build_tiny_model_folder(tmp_path / "m", tiny_base, span_head=False), backend="torch")
    assert no_head.scores_and_states(texts, keep_states=True)[1] is None


def test_a_folder_with_only_pickle_weights_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    import shutil

    from framespan.errors import RunError
    from framespan.manifest import write_manifest

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    write_manifest(folder)
    with pytest.raises(RunError, match="only pickle weights found"):
        Detector.load(folder)
