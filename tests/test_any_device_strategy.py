"""The any_device strategy end to end: the any-device tag column finds spans, the span head (with
repetition and length features) names them; line breaks reach the model as separators; thresholds
tuned on dev, exported to ONNX with the same answers."""

from __future__ import annotations

import json

import pytest

from framespan.detector import Detector
from framespan.errors import RunError
from framespan.span_features import N_SPAN_FEATURES
from framespan.training import train
from tests.conftest import write_tiny_config


@pytest.fixture(scope="module")
def any_device_run(tmp_path_factory, tiny_base, tiny_corpus):
    folder = tmp_path_factory.mktemp("any-device")
    cfg = write_tiny_config(folder, tiny_base, tiny_corpus)
    overrides = ["model.any_device_head=true", "model.span_features=true", "training.epochs=2",
                 "training.select_metric=si_f1", "decoding.strategy=any_device", "training.tune_thresholds=true",
                 "model.line_breaks=sep", "training.any_device_loss_weight=1.0", "decoding.label_weight=0.5"]
    return train(cfg, folder / "run", overrides=overrides, progress=False)


def test_run_records_the_strategy_and_tuned_threshold(any_device_run):
    settings = json.loads((any_device_run / "model" / "decode.json").read_text())
    head = json.loads((any_device_run / "model" / "head_config.json").read_text())
    assert settings["decode"]["strategy"] == "any_device" and settings["any_device_column"] is True
    assert 0.1 <= settings["decode"]["any_device_threshold"] <= 0.85
    assert settings["tuned"]["chose"]["any_device_threshold"] == settings["decode"]["any_device_threshold"]
    assert head["any_device"] is True and head["span_features"] == N_SPAN_FEATURES
    assert head["any_device_loss_weight"] == 1.0
    # The tiny vocabulary's [SEP] stands for line breaks, written over a "|" placeholder.
    assert settings["window"]["line_break_id"] == 3 and settings["window"]["line_break_placeholder"] == "|"
    log = [json.loads(line) for line in (any_device_run / "train_log.jsonl").read_text().splitlines()]
    assert any("eval_any_device_threshold" in row for row in log)


def test_tuning_keeps_the_label_weight_whose_best_threshold_scores_highest_on_dev(any_device_run):
    from framespan.decoding import decode_spans
    from framespan.encoding import ANY_DEVICE
    from framespan.metrics import si_scores
    from framespan.rundir import RunDir
    from framespan.tuning import score_documents, tune_any_device

    det = Detector.load(any_device_run)
    dev = RunDir(any_device_run).split("dev", det.schema)
    scores = score_documents(det, dev, progress=False)

    def dev_si(weight, threshold):
        pred = {d.id: decode_spans(d.text, det.any_device_scores(sc, weight), [ANY_DEVICE], [threshold],
                                   continue_ratio=det.decode_settings.continue_ratio) for d, sc in zip(dev, scores)}
        return si_scores(dev, pred)["f1"]

    per_weight = {w: dev_si(w, tune_any_device(det, dev, weights=[w], progress=False)[0]) for w in (0.0, 0.5)}
    choice = tune_any_device(det, dev, weights=[0.0, 0.5], progress=False)
    assert per_weight[choice.label_weight] == max(per_weight.values()) == choice.si_f1
    assert dev_si(choice.label_weight, choice.threshold) == choice.si_f1


def test_any_device_predictions_carry_schema_labels(any_device_run):
    det = Detector.load(any_device_run)
    text = "The so-called council said the regime and the regime again signed their death sentence."
    # A low threshold so that the random-ish tiny model finds something to name.
    spans = det.predict(text, any_device_threshold=0.05)
    assert spans, "nothing decoded at threshold 0.05"
    for s in spans:
        assert s.label in det.schema.names
        assert 0 <= s.start < s.end <= len(text)
        assert 0.0 <= s.score <= 1.0


def test_onnx_export_keeps_span_features(any_device_run, tmp_path):
    from framespan.export import export_onnx

    export_onnx(any_device_run, tmp_path / "onnx")
    torch_det = Detector.load(any_device_run, backend="torch")
    onnx_det = Detector.load(tmp_path / "onnx", backend="onnx")
    assert onnx_det.backend.span_features == N_SPAN_FEATURES
    text = "The regime lied.\nThe regime lied again, said an anonymous source."
    ranges = [(4, 10), (21, 27), (0, 16), (4, 27)]
    a = torch_det.span_probs(text, ranges)
    b = onnx_det.span_probs(text, ranges)
    assert abs(a - b).max() < 1e-4
    assert [(s.start, s.end, s.label) for s in torch_det.predict(text)] == \
        [(s.start, s.end, s.label) for s in onnx_det.predict(text)]


def _count_encoder_windows(det: Detector) -> list[int]:
    calls: list[int] = []
    encoder = det.backend.model.encoder
    real = encoder.forward

    def counting(*args, **kwargs):
        calls.append(int(kwargs["input_ids"].shape[0]))
        return real(*args, **kwargs)

    encoder.forward = counting
    return calls


def test_any_device_prediction_names_spans_from_the_tagging_pass(any_device_run):
    text = ("The so-called council said the regime lied. " * 40).strip()
    texts = [text, "", "The regime and the bands, said an anonymous source."]
    cached = Detector.load(any_device_run)
    again = Detector.load(any_device_run)
    again.state_cache_windows = 0  # the encoder runs a second time to name the spans
    for det in (cached, again):
        det.configure(any_device_threshold=0.05)
    calls_cached, calls_again = _count_encoder_windows(cached), _count_encoder_windows(again)
    got, want = list(cached.predict_many(texts)), list(again.predict_many(texts))
    assert sum(len(s) for s in want) > 0
    assert [[(s.start, s.end, s.label) for s in spans] for spans in got] == \
        [[(s.start, s.end, s.label) for s in spans] for spans in want]
    for a, b in zip(got, want):
        assert [s.score for s in a] == pytest.approx([s.score for s in b], abs=1e-5)
    windows = len(cached.windows(texts))
    assert sum(calls_cached) == windows and sum(calls_again) > windows


def test_evaluation_tags_each_window_once_with_the_same_report(any_device_run, tiny_corpus):
    from framespan.config import CorpusSpec
    from framespan.data import load_spec
    from framespan.evaluation import evaluate_detector

    cached, again = Detector.load(any_device_run), Detector.load(any_device_run)
    again.state_cache_windows = 0
    docs = load_spec(CorpusSpec(path=str(tiny_corpus / "dev.jsonl")), cached.schema)
    for det in (cached, again):
        det.configure(any_device_threshold=0.3)
    calls_cached, calls_again = _count_encoder_windows(cached), _count_encoder_windows(again)
    one = evaluate_detector(cached, docs, progress=False)
    two = evaluate_detector(again, docs, progress=False)
    def strip(report):  # scores may differ in the last bits: other batch shapes, other kernels
        return {k: [(s["start"], s["end"], s["label"]) for s in v] for k, v in report["predictions"].items()}

    assert strip(one) == strip(two) and any(strip(one).values())
    assert one["si"] == pytest.approx(two["si"]) and one["tc"]["f1"] == pytest.approx(two["tc"]["f1"])
    windows = len(cached.windows([d.text for d in docs]))
    assert sum(calls_cached) == windows and sum(calls_again) >= 2 * windows


def test_int8_export_retunes_the_any_device_threshold_on_the_runs_dev_split(any_device_run, tmp_path):
    from framespan.export import export_onnx
    from framespan.rundir import RunDir
    from framespan.tuning import tune_any_device

    tune = RunDir(any_device_run).tune_set("dev")
    docs = tune.docs
    dev_ids = json.loads((any_device_run / "splits.json").read_text())["dev"]
    assert dev_ids and sorted(d.id for d in docs) == sorted(dev_ids)
    info = export_onnx(any_device_run, tmp_path / "int8", int8=True, tune=tune)
    tuned = info["thresholds_tuned"]
    assert tuned["documents"] == len(dev_ids) and "dev split" in tuned["source"]
    exported = Detector.load(tmp_path / "int8")
    assert exported.decode_settings.any_device_threshold == tuned["after"]["any_device_threshold"]
    # The threshold is the one that suits the quantised model itself, not a copy of the run's.
    assert exported.decode_settings.any_device_threshold == tune_any_device(exported, docs, progress=False).threshold
    assert json.loads((tmp_path / "int8" / "export.json").read_text())["thresholds_tuned"] == tuned


def test_export_cli_tunes_int8_by_default_and_says_when_it_cannot(any_device_run, tmp_path, capsys):
    from framespan.cli import main

    assert main(["export", str(any_device_run), "--out", str(tmp_path / "a"), "--int8", "--quiet"]) == 0
    assert "re-tuned on the dev split" in capsys.readouterr().out
    assert "thresholds_tuned" in json.loads((tmp_path / "a" / "export.json").read_text())
    # A bare model folder has no dev split: int8 export warns and keeps the run's thresholds...
    assert main(["export", str(any_device_run / "model"), "--out", str(tmp_path / "b"), "--int8"]) == 0
    assert "not re-tuned" in capsys.readouterr().err
    assert "thresholds_tuned" not in json.loads((tmp_path / "b" / "export.json").read_text())
    # ...and refuses when tuning was asked for explicitly.
    assert main(["export", str(any_device_run / "model"), "--out", str(tmp_path / "c"), "--tune-on", "dev"]) != 0
    assert "a model folder without its run" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()
    assert main(["export", str(any_device_run), "--out", str(tmp_path / "d"), "--tune-on", "none", "--int8"]) == 0
    assert "thresholds_tuned" not in json.loads((tmp_path / "d" / "export.json").read_text())


def test_tune_cli_retunes_a_run_in_place_with_new_label_weights(any_device_run, tmp_path, capsys):
    import shutil

    from framespan.cli import main
    from framespan.manifest import verify_model_folder
    from framespan.rundir import RunDir
    from framespan.tuning import tune_any_device

    run = tmp_path / "run"
    shutil.copytree(any_device_run, run)
    weights_file = (run / "model" / "model.safetensors").read_bytes()
    assert main(["tune", str(run), "--label-weights", "0.25,1", "--quiet"]) == 0
    record = json.loads(capsys.readouterr().out)
    det = Detector.load(run)
    assert det.decode_settings.label_weight in (0.25, 1.0)
    dev = RunDir(run).split("dev", det.schema)
    choice = tune_any_device(det, dev, weights=[0.25, 1.0], progress=False)
    assert (det.decode_settings.any_device_threshold, det.decode_settings.label_weight) == choice[:2]
    assert record["documents"] == len(dev) and record["after"] == {
        "any_device_threshold": choice.threshold, "label_weight": choice.label_weight,
        "dev_si_f1": round(choice.si_f1, 4)}
    assert det.settings.tuned["chose"] == record["after"] and "dev split" in det.settings.tuned["on"]
    verify_model_folder(run / "model")
    assert (run / "model" / "model.safetensors").read_bytes() == weights_file
    assert not [p for p in run.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_tune_interrupted_leaves_the_model_folder_as_it_was(any_device_run, tmp_path, monkeypatch):
    import shutil
    from dataclasses import replace

    import framespan.tuning as tuning
    from framespan.manifest import verify_model_folder
    from framespan.settings import FolderSettings

    run = tmp_path / "run"
    shutil.copytree(any_device_run, run)
    before = (run / "model" / "decode.json").read_text()

    def killed(folder, *args, **kwargs):
        settings = FolderSettings.load(folder)  # the staging copy is half re-tuned...
        replace(settings, decode=settings.decode.override(any_device_threshold=0.9)).save(folder)
        raise KeyboardInterrupt  # ...when the user stops it

    monkeypatch.setattr(tuning, "tune_folder", killed)
    with pytest.raises(KeyboardInterrupt):
        tuning.retune_run(run, [0.0, 1.0], progress=False)
    # The staging copy shares the weights by hard links, but its new settings never reach the run.
    assert (run / "model" / "decode.json").read_text() == before
    verify_model_folder(run / "model")
    assert not [p for p in run.iterdir() if p.name.startswith(".")]


def test_tune_cli_refuses_a_bare_model_folder_and_bad_weights(any_device_run, capsys):
    from framespan.cli import main

    assert main(["tune", str(any_device_run / "model"), "--quiet"]) == 2
    assert "a model folder without its run" in capsys.readouterr().err
    assert main(["tune", str(any_device_run), "--label-weights", "0,1.5", "--quiet"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_label_thresholds_are_tuned_for_the_corpus_metric_one_label_at_a_time(tiny_model_dir, tiny_corpus):
    from framespan.config import CorpusSpec
    from framespan.data import load_spec
    from framespan.metrics import labeled_scores
    from framespan.tuning import LABEL_GRID, tune_label_thresholds

    det = Detector.load(tiny_model_dir, backend="torch")
    docs = load_spec(CorpusSpec(path=str(tiny_corpus / "dev.jsonl")), det.schema)
    chosen = tune_label_thresholds(det, docs, "labeled_f1", progress=False)
    assert chosen and set(chosen) <= set(det.active_labels) and set(chosen.values()) <= set(LABEL_GRID)

    def f1(thresholds):
        return labeled_scores(docs, dict(zip([d.id for d in docs],
                                             det.predict_many((d.text for d in docs), thresholds=thresholds))))["f1"]

    best = f1(chosen)
    assert best >= f1({n: det.decode_settings.threshold_for(n) for n in chosen})
    for label in chosen:  # no single label's threshold on the grid does better (coordinate ascent)
        for thr in LABEL_GRID:
            assert f1({**chosen, label: thr}) <= best + 1e-9


class _FixedScores:
    """Just enough of a Detector for threshold tuning: fixed token scores for one text."""

    def __init__(self, scores, names):
        from framespan.labels import LabelSchema
        from framespan.settings import DecodeSettings

        self._scores, self.active_labels = scores, list(names)
        self.schema = LabelSchema.from_dict({"name": "fixed", "labels": list(names)})
        self.decode_settings = DecodeSettings(threshold=0.5, continue_ratio=1.0)

    def scores(self, texts):
        return [self._scores for _ in texts]


def test_focus_labels_are_tuned_for_their_own_micro_score_not_the_weak_labels(tmp_path):
    import numpy as np

    from framespan.decoding import DocumentScores
    from framespan.spans import Document, Span
    from framespan.tuning import tune_label_thresholds

    # One word a token. loaded_label: 4 gold words, two it is sure of (0.9) and two it is not (0.3),
    # and 5 wrong words at 0.3. doubt: 10 gold words the model never finds.
    words = [f"w{i:02d}" for i in range(40)]
    text = " ".join(words)
    offsets = np.array([[4 * i, 4 * i + 3] for i in range(40)], dtype=np.int64)
    probs = np.full((40, 2), 0.02)
    probs[[0, 2], 0] = 0.9
    probs[[4, 6, 8, 10, 12, 14, 16], 0] = 0.3
    scores = DocumentScores(offsets, np.stack([1 - probs, probs * 0.8, probs * 0.2], axis=-1))
    gold = [Span(4 * i, 4 * i + 3, "loaded_label") for i in (0, 2, 4, 6)]
    gold += [Span(4 * i, 4 * i + 3, "doubt") for i in range(20, 40, 2)]
    docs = [Document("d", text, gold)]
    det = _FixedScores(scores, ["loaded_label", "doubt"])
    together = tune_label_thresholds(det, docs, progress=False)
    focused = tune_label_thresholds(det, docs, progress=False, focus=["loaded_label"])
    # Over both labels, micro F1 is low, so the unsure words are worth their wrong neighbours
    # (0.35 against 0.25); over loaded_label alone they are not (0.62 against 0.67).
    assert together["loaded_label"] <= 0.3 < focused["loaded_label"]


def test_a_focus_label_the_model_does_not_have_is_refused(tiny_model_dir):
    from framespan.spans import Document
    from framespan.tuning import tune_label_thresholds

    det = Detector.load(tiny_model_dir, backend="torch")
    with pytest.raises(RunError, match=r"focus labels \['scare_quote'\]"):
        tune_label_thresholds(det, [Document("d", "The regime spoke.", [])], progress=False, focus=["scare_quote"])
