"""The real-news benchmark's table: per-device cells with bootstrap intervals, on hand-made articles."""

from __future__ import annotations

import pytest

from framespan.spans import Document, Span

from .conftest import load_benchmark

bench = load_benchmark("framing_real")

TEXT = "Sources say the “moderate” rebels are terrorists."


def _docs() -> list[Document]:
    labels = frozenset(bench.DEVICES)
    gold = [Span(0, 11, "anonymous_source"), Span(16, 26, "scare_quotes"), Span(39, 49, "loaded_label")]
    return [Document(f"a{i}", TEXT, gold, labels) for i in range(6)]


def test_intervals_hold_each_observed_f1() -> None:
    docs = _docs()
    # Every article: the source found exactly, the scare quote missed, half the label found.
    pred = {d.id: [Span(0, 11, "anonymous_source"), Span(39, 44, "loaded_label")] for d in docs}
    ci = bench.intervals(docs, pred, bench.DEVICES)
    assert ci["anonymous_source"] == pytest.approx((1.0, 1.0))
    assert ci["scare_quotes"] == (0.0, 0.0)
    low, high = ci["micro"]
    assert low <= bench.labeled_scores(docs, pred, labels=bench.DEVICES)["f1"] <= high


def test_a_row_shows_a_dash_for_a_device_the_annotator_did_not_mark() -> None:
    docs = _docs()
    pred = {d.id: [Span(0, 11, "anonymous_source")] for d in docs}
    scores = bench.labeled_scores(docs, pred, labels=bench.OWN)
    line = bench.row("second annotator", scores, bench.OWN, bench.intervals(docs, pred, bench.OWN))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[0] == "second annotator"
    assert cells[2] == "–"  # loaded_label
    assert cells[4].startswith("1.00 / 1.00 / **1.00**")  # anonymous_source
