"""The local `evaluate` metric script loads offline and returns the numbers of framespan.metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from framespan.metrics import evaluate_spans
from framespan.spans import Document, Span

METRIC_DIR = Path(__file__).resolve().parents[1] / "metrics" / "framespan_spans"

evaluate = pytest.importorskip("evaluate")


@pytest.fixture(scope="module")
def metric():
    return evaluate.load(str(METRIC_DIR), keep_in_memory=True)


def test_metric_loads_from_its_folder(metric):
    assert type(metric).__name__ == "FramespanSpans"


def test_compute_partial_overlap(metric):
    # gold [10,20), pred [15,25): 5 shared characters -> SI P = R = F1 = 0.5; labels equal -> same labeled.
    out = metric.compute(predictions=[[{"start": 15, "end": 25, "label": "A"}]],
                         references=[[{"start": 10, "end": 20, "label": "A"}]])
    assert out["si_f1"] == pytest.approx(0.5)
    assert out["labeled_f1"] == pytest.approx(0.5)
    assert out["exact_f1"] == 0.0


def test_batches_match_evaluate_spans(metric):
    preds = [[{"start": 0, "end": 10, "label": "A"}, {"start": 2, "end": 5, "label": "B"}], []]
    refs = [[{"start": 0, "end": 10, "label": "A"}], [{"start": 3, "end": 9, "label": "B"}]]
    for p, r in zip(preds, refs, strict=True):
        metric.add(predictions=p, references=r)
    out = metric.compute(labels=["A", "B"])

    gold = [Document(str(i), " " * 20, [Span(s["start"], s["end"], s["label"]) for s in r])
            for i, r in enumerate(refs)]
    pred = {str(i): [Span(s["start"], s["end"], s["label"]) for s in p] for i, p in enumerate(preds)}
    expected = evaluate_spans(gold, pred, ["A", "B"])
    # SI by hand: pred merges to [0,10) = gold of doc 0; doc 1 gold unmatched -> P 1/1, R 1/2.
    assert out["si_precision"] == pytest.approx(1.0)
    assert out["si_recall"] == pytest.approx(0.5)
    for section in ("si", "labeled", "exact"):
        assert out[f"{section}_f1"] == pytest.approx(expected[section]["f1"])
    assert out["per_label"] == expected["per_label"]
