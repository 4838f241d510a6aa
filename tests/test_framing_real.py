"""The real-news benchmark's table: per-device cells with bootstrap intervals, on hand-made articles."""

from __future__ import annotations

import pytest

from framespan.spans import Document, Span

from .conftest import load_benchmark

bench = load_benchmark("framing_real")

TEXT = "Sources say the “moderate” rebels are terrorists."


def _docs() -> list[Document]:
    labels = frozenset(bench.DEVICES)
    gold = [Span(0, 11, "anonymous_source"), Span(16, 26, "scare_quotes"), Span(38, 48, "loaded_label")]
    return [Document(f"a{i}", TEXT, gold, labels) for i in range(6)]


def test_intervals_hold_each_observed_f1() -> None:
    docs = _docs()
    # Every article: the source found exactly, the scare quote missed, half the label found.
    pred = {d.id: [Span(0, 11, "anonymous_source"), Span(38, 43, "loaded_label")] for d in docs}
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


def test_our_loaded_labels_replace_ptcs_on_the_articles_our_pass_read(tmp_path) -> None:
    docs = _docs()
    (tmp_path / "loaded-label.tsv").write_text("a0\tloaded_label\t27\t33\n", encoding="utf-8")
    (tmp_path / "loaded-label-articles.txt").write_text("a0\na1\n", encoding="utf-8")
    own = bench.with_own_labels(docs, {"a0", "a1", "a2"}, tmp_path, "loaded-label.tsv")
    assert [d.id for d in own] == ["a0", "a1"]  # read by the pass, and in the part asked for
    assert [(s.start, s.end) for s in own[0].spans if s.label == "loaded_label"] == [(27, 33)]  # "rebels"
    assert not [s for s in own[1].spans if s.label == "loaded_label"]  # read, and no label found
    assert [s.label for s in own[0].spans if s.label != "loaded_label"] == ["anonymous_source", "scare_quotes"]
    assert bench.with_own_labels(docs, {"a0"}, tmp_path, "loaded-label-second-pass.tsv") is None


def test_a_loaded_label_row_scores_a_model_on_the_four_devices_too() -> None:
    docs = _docs()
    pred = {d.id: [Span(0, 11, "anonymous_source"), Span(38, 48, "loaded_label")] for d in docs}
    lines: list[str] = []
    out = bench.own_row(lines, "model", docs, pred, micro=True)
    assert out["loaded_label"]["f1"] == pytest.approx(1.0)
    assert out["micro"]["recall"] == pytest.approx(2 / 3)
    annotator = bench.own_row(lines, "annotator", docs, pred, micro=False)
    assert "micro" not in annotator and lines[1].rstrip().endswith("| – |")
