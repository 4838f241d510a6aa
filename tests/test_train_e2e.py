"""End to end on a tiny random model: train, evaluate, predict, export-semeval, refuse to clobber."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from framespan.cli import main
from framespan.errors import RunError
from framespan.inference import Detector
from framespan.training import train


@pytest.fixture
def run_dir(tmp_path, tiny_config):
    return train(tiny_config, tmp_path / "run", progress=False)


def test_run_folder_is_self_contained(run_dir):
    for name in ("config.yaml", "labels.yaml", "metrics.json", "metrics.md", "run.json", "splits.json",
                 "train_log.jsonl", "model/model.safetensors", "model/manifest.json", "model/tokenizer.json",
                 "model/inference.json", "model/labels.yaml"):
        assert (run_dir / name).is_file(), name
    assert not (run_dir / "checkpoints").exists()
    status = json.loads((run_dir / "run.json").read_text())
    assert status["status"] == "finished"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics["headline"]) == {"dev", "test"}
    assert 0.0 <= metrics["test"]["si"]["f1"] <= 1.0
    assert not list(run_dir.rglob("*.bin")) and not list(run_dir.rglob("*.pt"))


def test_detector_offsets_index_input(run_dir):
    det = Detector.load(run_dir)
    text = "Zoë said the regime 🙂 and the terrorists signed their death sentence."
    for s in det.predict(text):
        assert 0 <= s.start < s.end <= len(text)
        assert text[s.start:s.end].strip() == text[s.start:s.end]


def test_finished_run_is_not_overwritten(run_dir, tiny_config):
    with pytest.raises(RunError, match="finished run"):
        train(tiny_config, run_dir, progress=False)
    with pytest.raises(RunError, match="nothing to resume"):
        train(tiny_config, run_dir, resume=True, progress=False)


def test_cli_evaluate_predict_and_formats(run_dir, tiny_corpus, tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert main(["evaluate", str(run_dir), "--data", str(tiny_corpus / "test.jsonl"), "--json", str(out),
                 "--quiet"]) == 0
    report = json.loads(out.read_text())
    assert {"si", "labeled", "exact", "per_label", "tc"} <= set(report)
    assert main(["evaluate", str(run_dir), "--split", "dev", "--quiet"]) == 0
    capsys.readouterr()

    assert main(["predict", str(run_dir), "the regime said", "--quiet"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["id"] == "text" and isinstance(printed["spans"], list)

    assert main(["predict", str(run_dir), "--file", str(tiny_corpus / "test.jsonl"), "--format", "jsonl",
                 "--out", str(tmp_path / "p.jsonl"), "--quiet"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["d4", "d5", "d6"]

    html = tmp_path / "p.html"
    assert main(["predict", str(run_dir), "--file", str(tiny_corpus / "test.jsonl"), "--format", "html",
                 "--out", str(html), "--quiet"]) == 0
    assert html.read_text().startswith("<!doctype html>")


def test_cli_predict_reads_stdin(run_dir):
    proc = subprocess.run([sys.executable, "-m", "framespan.cli", "predict", str(run_dir), "--format", "tsv",
                           "--quiet"], input="The regime said.\n", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "id\tstart\tend\tlabel\tscore\ttext"


def test_cli_reports_bad_run_folder_cleanly(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "missing"), "text"]) == 2
    assert "no such run or model folder" in capsys.readouterr().err


def test_tampered_weights_are_refused(run_dir):
    weights = run_dir / "model" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(RunError, match="does not match its checksum"):
        Detector.load(run_dir)
    weights.write_bytes(bytes(data[:1000]))
    with pytest.raises(RunError, match="truncated"):
        Detector.load(run_dir)


def test_export_semeval_writes_submission_files(run_dir, tmp_path):
    art = tmp_path / "articles"
    art.mkdir()
    (art / "article1.txt").write_text("Title\n\nThe regime said the terrorists lied.\n", encoding="utf-8")
    gold = tmp_path / "gold.labels"
    # The official template layout: "?" for the technique, a span listed once per technique it carries.
    gold.write_text("1\t?\t27\t37\n1\t?\t11\t17\n1\t?\t11\t17\n", encoding="utf-8")
    si, tc = tmp_path / "si.txt", tmp_path / "tc.txt"
    assert main(["export-semeval", str(run_dir), "--articles", str(art), "--tc-spans", str(gold),
                 "--si-out", str(si), "--tc-out", str(tc), "--quiet"]) == 0
    tc_rows = [line.split("\t") for line in tc.read_text().splitlines()]
    assert [(r[0], r[2], r[3]) for r in tc_rows] == [("1", "27", "37"), ("1", "11", "17"), ("1", "11", "17")]
    assert tc_rows[1][1] != tc_rows[2][1]
    techniques = {line.strip() for line in open("data/labels/ptc14.yaml") if "name:" in line}
    assert all(any(r[1] in t for t in techniques) for r in tc_rows)
    for line in si.read_text().splitlines():
        doc, start, end = line.split("\t")
        assert doc == "1" and int(start) < int(end)


def test_cli_predict_txt_files_and_folders(run_dir, tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_bytes("\ufeffThe regime said.".encode())  # a BOM is not content
    (folder / "b.txt").write_text("Zoë 🙂 the terrorists.", encoding="utf-8")
    out = tmp_path / "p.jsonl"
    assert main(["predict", str(run_dir), "--file", str(folder), "--file", str(folder / "b.txt"),
                 "--format", "jsonl", "--out", str(out), "--quiet"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "b"]
    texts = {"a": "The regime said.", "b": "Zoë 🙂 the terrorists."}
    for r in rows:
        for s in r["spans"]:
            assert texts[r["id"]][s["start"]:s["end"]] == s["text"]


def test_three_call_python_api(run_dir):
    import framespan

    det = framespan.load(run_dir)
    text = "The regime said."
    assert framespan.predict(det, text) == det.predict(text) == framespan.predict(run_dir, text)
    assert all(isinstance(s, framespan.Span) for s in det.predict(text))


def test_cli_predict_json_array_for_many_inputs(run_dir, tiny_corpus, tmp_path):
    out = tmp_path / "p.json"
    assert main(["predict", str(run_dir), "--file", str(tiny_corpus / "test.jsonl"), "--out", str(out),
                 "--quiet"]) == 0
    assert [d["id"] for d in json.loads(out.read_text())] == ["d4", "d5", "d6"]


def test_final_fit_trains_on_dev_and_keeps_the_configured_threshold(tmp_path, tiny_config):
    run = train(tiny_config, tmp_path / "final", progress=False,
                overrides=["data.train_on_dev=true", "decoding.threshold=0.35", "decoding.tune_thresholds=true"])
    splits = json.loads((run / "splits.json").read_text())
    assert splits["dev"] == [] and len(splits["train"]) > 0 and len(splits["test"]) > 0
    assert set(json.loads((run / "metrics.json").read_text())["headline"]) == {"test"}
    assert "last model kept" in (run / "model" / "framespan.json").read_text()
    assert Detector.load(run).config.threshold == 0.35


def test_training_stride_cuts_training_windows_but_not_prediction_overlap(tmp_path, tiny_config):
    from framespan.corpora.jsonl import write_jsonl
    from framespan.corpora.markup import parse_markup
    from framespan.spans import Document

    text, spans = parse_markup(" ".join(["The [loaded_label: regime] said the army would win."] * 6))
    write_jsonl([Document("long", text, spans)], tmp_path / "long.jsonl")  # about 60 tokens
    common = [f"data.train.path={tmp_path / 'long.jsonl'}", "model.stride=7", "training.epochs=1"]
    overlapping = train(tiny_config, tmp_path / "overlapping", progress=False, overrides=common)
    disjoint = train(tiny_config, tmp_path / "disjoint", progress=False, overrides=[*common, "training.stride=0"])

    def windows(folder):
        return json.loads((folder / "run.json").read_text())["train_windows"]

    assert windows(disjoint) < windows(overlapping)
    assert Detector.load(disjoint).config.stride == Detector.load(overlapping).config.stride == 7


def test_bf16_training_evaluates_on_dev_and_saves_fp32_weights(tmp_path, tiny_config):
    run = train(tiny_config, tmp_path / "bf16", progress=False, overrides=["training.bf16=true", "training.epochs=1"])
    logged = [json.loads(line) for line in (run / "train_log.jsonl").read_text().splitlines()]
    assert any("eval_si_f1" in row for row in logged)
    det = Detector.load(run)
    assert str(next(det.backend.model.parameters()).dtype) == "torch.float32"


def test_frozen_embeddings_keep_pretrained_values_while_the_encoder_trains(tmp_path, tiny_config, tiny_base):
    from safetensors.numpy import load_file

    def weights(path):
        tensors = load_file(str(path))
        words = next(v for k, v in tensors.items() if k.endswith("word_embeddings.weight"))
        query = next(v for k, v in tensors.items() if k.endswith("layer.0.attention.self.query.weight"))
        return words, query

    run = train(tiny_config, tmp_path / "frozen", progress=False,
                overrides=["training.freeze_embeddings=true", "training.epochs=1"])
    base_words, base_query = weights(next(tiny_base.glob("*.safetensors")))
    words, query = weights(run / "model" / "model.safetensors")
    assert (words == base_words).all()
    assert not (query == base_query).all()
