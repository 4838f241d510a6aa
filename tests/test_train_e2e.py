"""End to end on a tiny random model: train, evaluate, predict, export-semeval, refuse to clobber."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from framespan.cli import main
from framespan.detector import Detector
from framespan.errors import RunError
from framespan.training import train
from tests.conftest import OutsideBackend


@pytest.fixture
def run_dir(tmp_path, tiny_config):
    return train(tiny_config, tmp_path / "run", progress=False)


def test_run_folder_is_self_contained(run_dir):
    for name in ("config.yaml", "labels.yaml", "metrics.json", "metrics.md", "run.json", "splits.json",
                 "train_log.jsonl", "model/model.safetensors", "model/manifest.json", "model/tokenizer.json",
                 "model/decode.json", "model/labels.yaml"):
        assert (run_dir / name).is_file(), name
    assert not (run_dir / "checkpoints").exists()
    status = json.loads((run_dir / "run.json").read_text())
    assert status["status"] == "finished"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics["headline"]) == {"dev", "test"}
    assert not list(run_dir.rglob("*.bin")) and not list(run_dir.rglob("*.pt"))


def _assert_same_numbers(got, want, where="report"):
    """``got`` and ``want`` have the same keys and items, and numbers equal within 1e-9."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), where
        for k in want:
            _assert_same_numbers(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_same_numbers(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=0, abs=1e-9), where
    else:
        assert got == want, where


def test_reported_test_metrics_are_the_saved_models_scores_on_the_runs_test_documents(run_dir):
    from framespan.evaluation import evaluate_detector, headline
    from framespan.rundir import RunDir

    reported = json.loads((run_dir / "metrics.json").read_text())
    det = Detector.load(run_dir, device="cpu")
    docs = RunDir(run_dir).split("test", det.schema)
    assert [d.id for d in docs] == ["d4", "d5", "d6"]
    rescored = evaluate_detector(det, docs, RunDir(run_dir).config().training.eval_batch_size, progress=False)
    rescored.pop("predictions")
    # The tiny model marks spans, so the scores are not the zeros that any empty prediction gives.
    assert rescored["si"]["n_pred"] > 0 and rescored["si"]["f1"] > 0
    _assert_same_numbers(reported["test"], rescored, "test")
    _assert_same_numbers(reported["headline"]["test"], headline(rescored), "headline.test")


class _MarksTokens(OutsideBackend):
    """Each token with one of ``ids`` begins a span in ``column``; every other token is outside."""

    def __init__(self, ids, n_columns, column):
        super().__init__(n_columns)
        self.ids, self.column = ids, column

    def mark(self, batch, logits):
        hit = np.isin(batch["input_ids"], self.ids)
        logits[hit, self.column, 0] = -8.0
        logits[hit, self.column, 1] = 8.0


def test_detector_offsets_index_input(run_dir):
    """The run's tokenizer and windows (16 tokens, 4 shared) put spans at the characters of the
    caller's string, after a letter with a diacritic and an emoji outside the BMP."""
    run = Detector.load(run_dir)
    words = ["regime", "terrorists"]
    assert [run.tokenizer.tokenize(w) for w in words] == [[w] for w in words]  # one token each
    stub = _MarksTokens(run.tokenizer.convert_tokens_to_ids(words), run.columns.count,
                        run.schema.index("loaded_label"))
    # Each word is one token: a shifted offset would cut a word, which no tidying turns back into it.
    det = Detector(stub, run.tokenizer, run.schema, run.settings)
    text = "Zoë said the regime 🙂 and the terrorists signed their death sentence."
    assert len(run.tokenizer(text)["input_ids"]) > det.settings.window.max_length  # several windows to merge
    got = [(s.start, s.end, s.label) for s in det.predict(text)]
    assert got == [(text.index(w), text.index(w) + len(w), "loaded_label") for w in words]


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


def test_cli_predict_reads_a_txt_path_given_as_text(run_dir, tmp_path, capsys):
    path = tmp_path / "story.txt"
    path.write_text("The \u201cregime\u201d said the terrorists fled.", encoding="utf-8")
    assert main(["predict", str(run_dir), str(path), "--threshold", "0.01", "--quiet"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["story"]
    assert rows[0]["spans"] and all(s["text"] in path.read_text(encoding="utf-8") for s in rows[0]["spans"])


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


def test_bf16_training_evaluates_on_dev_and_saves_fp32_weights(tmp_path, tiny_config):
    run = train(tiny_config, tmp_path / "bf16", progress=False, overrides=["training.bf16=true", "training.epochs=1"])
    logged = [json.loads(line) for line in (run / "train_log.jsonl").read_text().splitlines()]
    assert any("eval_si_f1" in row for row in logged)
    det = Detector.load(run)
    assert str(next(det.backend.model.parameters()).dtype) == "torch.float32"




@pytest.fixture
def focus_run(tiny_config, tmp_path):
    """A one-epoch run whose thresholds were tuned for loaded_label apart from the other labels."""
    return train(tiny_config, tmp_path / "focus-run", progress=False, overrides=[
        "training.focus_labels=[loaded_label]", "training.tune_thresholds=true", "training.epochs=1"])


def test_a_run_with_focus_labels_scores_them_apart_after_each_epoch_and_at_its_end(focus_run):
    run = focus_run
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test"]["focus"]["labels"] == ["loaded_label"]
    assert metrics["headline"]["test"]["focus_f1"] == metrics["test"]["focus"]["f1"]
    assert "micro over the focus labels" in (run / "metrics.md").read_text()
    logged = [json.loads(line) for line in (run / "train_log.jsonl").read_text().splitlines()]
    assert any("eval_focus_f1" in row for row in logged)


def test_evaluate_scores_the_focus_labels_the_thresholds_were_tuned_for(focus_run, tmp_path):
    out = tmp_path / "eval.json"
    assert main(["evaluate", str(focus_run), "--split", "test", "--json", str(out), "--quiet"]) == 0
    assert json.loads(out.read_text())["focus"]["labels"] == ["loaded_label"]


def test_evaluate_focus_option_scores_the_labels_it_names(focus_run, tmp_path):
    out = tmp_path / "eval.json"
    assert main(["evaluate", str(focus_run), "--split", "test", "--focus", "doubt,flag_waving", "--json", str(out),
                 "--quiet"]) == 0
    assert json.loads(out.read_text())["focus"]["labels"] == ["doubt", "flag_waving"]


def test_evaluate_refuses_a_focus_label_the_model_lacks(focus_run, capsys):
    assert main(["evaluate", str(focus_run), "--split", "test", "--focus", "scare_quote", "--quiet"]) == 2
    assert "--focus: ['scare_quote'] are not labels of this model" in capsys.readouterr().err


@pytest.mark.parametrize("key", ["training.focus_labels", "decoding.head_weighed"])
def test_a_label_name_the_schema_lacks_is_refused_before_training(tiny_config, tmp_path, key):
    from framespan.errors import ConfigError

    with pytest.raises(ConfigError, match=rf"{key}: \['scare_quote'\] are not labels of the 'framing' schema"):
        train(tiny_config, tmp_path / "run", overrides=[f"{key}=[scare_quote]"], progress=False)
    assert not (tmp_path / "run" / "checkpoints").exists()


@pytest.mark.parametrize("grouped", [False, True])
def test_group_by_length_batches_windows_of_similar_length(tiny_config, tmp_path, grouped):
    from transformers.trainer_pt_utils import LengthGroupedSampler

    from framespan.config import load_config
    from framespan.training import build, make_trainer, read_data

    cfg = load_config(tiny_config, [f"training.group_by_length={str(grouped).lower()}"])
    schema, corpora = read_data(cfg, tmp_path)
    trainer = make_trainer(cfg, tmp_path, build(cfg, schema, corpora), schema, corpora.dev, progress=False)
    sampler = trainer._get_train_sampler()
    assert isinstance(sampler, LengthGroupedSampler) == grouped
    if grouped:
        # Lengths are read from the windows themselves, so a short document is batched with short ones.
        assert sorted(sampler.lengths) == sorted(len(w["input_ids"]) for w in trainer.train_dataset)
