"""SemEval-2020 TC templates: spans listed once per technique, answered row by row in file order."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from framespan.corpora.ptc import read_ptc, read_tc_template
from framespan.errors import DataError
from framespan.semeval import answer_template
from tests.conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures" / "semeval-template"
ARTICLES = FIX / "articles"


def _check_script():
    return load_benchmark("check_official_scorer")


def test_template_rows_keep_repeats_and_file_order():
    docs = read_ptc(ARTICLES, None, schema=None)
    rows = read_tc_template(FIX / "template-TC.out", docs)
    # Article 502 starts with a byte-order mark: its row moves one character left, like its text.
    assert [(d, s, e) for d, s, e, _ in rows] == [
        ("501", 33, 50), ("501", 33, 50), ("502", 37, 47), ("501", 56, 67),
        ("501", 85, 114), ("501", 85, 114), ("501", 85, 114)]
    text = {d.id: d.text for d in docs}
    assert text["502"][37:47] == "a disgrace"


def test_template_span_outside_its_article_names_file_and_line(tmp_path):
    bad = tmp_path / "t.out"
    bad.write_text("501\t?\t33\t50\n501\t?\t90\t9000\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"t\.out:2: span 90-9000 does not fit article 501"):
        read_tc_template(bad, read_ptc(ARTICLES, None, schema=None))


class _StubDetector:
    """Known probabilities per span: the answer order they imply is what the test checks."""

    class schema:  # noqa: N801 - mimics the Detector attribute
        names = ["A", "B", "C", "D"]

    def __init__(self, table: dict[tuple[int, int], list[float]]) -> None:
        self.table = table

    def span_probs(self, text, spans, allowed=None):
        return np.array([self.table[tuple(s)] for s in spans])


def test_repeated_span_gets_its_k_most_likely_distinct_techniques_in_row_order():
    docs = read_ptc(ARTICLES, None, schema=None)
    rows = read_tc_template(FIX / "template-TC.out", docs)
    det = _StubDetector({(33, 50): [0.1, 0.5, 0.3, 0.1], (37, 47): [0.7, 0.1, 0.1, 0.1],
                         (56, 67): [0.2, 0.2, 0.2, 0.4], (85, 114): [0.4, 0.1, 0.2, 0.3]})
    answers = answer_template(det, docs, rows, ["A", "B", "C", "D"])
    assert [(d, s.start, s.end, s.label) for d, s in answers] == [
        ("501", 33, 50, "B"), ("501", 33, 50, "C"), ("502", 37, 47, "A"), ("501", 56, 67, "D"),
        ("501", 85, 114, "A"), ("501", 85, 114, "D"), ("501", 85, 114, "C")]


def test_span_listed_more_often_than_the_run_has_techniques_is_refused():
    docs = read_ptc(ARTICLES, None, schema=None)
    rows = [("501", 85, 114, n) for n in range(3)]
    with pytest.raises(Exception, match="listed 3 times, more than the 2 techniques"):
        answer_template(_StubDetector({(85, 114): [0.5, 0.5]}), docs, rows, ["A", "B"])


def test_multi_technique_gold_scores_as_the_official_row_walk(capsys):
    # Gold: 33-50 {Name_Calling, Doubt}, 85-114 {Loaded, Fear, Black-and-White}; the prediction
    # gets 1 of 2, 0 of 1, 1 of 1 and 2 of 3 right: 4 of 7 rows, in another row order than the gold.
    assert _check_script().main(["--gold", str(FIX / "gold-TC.labels"), "--pred", str(FIX / "pred-TC.txt"),
                                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tc"]["f1"] == pytest.approx(4 / 7)
    assert result["tc_rowwise"]["f1"] == pytest.approx(4 / 7)
    assert result["tc"]["n_gold"] == result["tc_rowwise"]["n_gold"] == 7


def test_row_walk_refuses_a_prediction_with_a_row_missing():
    script = _check_script()
    gold, _ = script.read_gold(FIX / "gold-TC.labels")
    pred = script.read_rows(FIX / "pred-TC.txt")[:-2]
    with pytest.raises(DataError, match="not the gold spans"):
        script.official_tc(gold, pred)


def test_ptc_reader_keeps_one_span_with_two_techniques_as_two_gold_spans():
    docs = {d.id: d for d in read_ptc(ARTICLES, FIX / "gold-TC.labels")}
    labels = sorted(s.label for s in docs["501"].spans if (s.start, s.end) == (85, 114))
    assert labels == ["Appeal_to_fear-prejudice", "Black-and-White_Fallacy", "Loaded_Language"]
