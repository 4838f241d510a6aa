"""Hand-computed checks of the SI, labeled (FLC), exact and TC span metrics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framespan.errors import DataError
from framespan.metrics import (
    evaluate_spans,
    exact_scores,
    labeled_scores,
    merge_shared_chars,
    report_markdown,
    si_scores,
    tc_scores,
)
from framespan.spans import Document, Span
from tests.conftest import load_benchmark

ROOT = Path(__file__).resolve().parents[1]


def doc(doc_id: str, *spans: tuple[int, int, str], annotated: set[str] | None = None) -> Document:
    return Document(doc_id, "x" * 100, [Span(s, e, lab) for s, e, lab in spans],
                    annotated_labels=frozenset(annotated) if annotated is not None else None)


def spans(*items: tuple[int, int, str]) -> list[Span]:
    return [Span(s, e, lab) for s, e, lab in items]


def prf(scores: dict) -> tuple[float, float, float]:
    return scores["precision"], scores["recall"], scores["f1"]


# --- merging -----------------------------------------------------------------------------------------------

def test_merge_joins_shared_characters_transitively_but_not_touching_spans():
    # [0,5) and [3,8) share 3-4; [7,12) shares 7 with the union; [12,14) only touches it.
    assert merge_shared_chars([(7, 12), (0, 5), (3, 8), (12, 14)]) == [(0, 12), (12, 14)]


# --- SI ----------------------------------------------------------------------------------------------------

def test_si_partial_overlap():
    # gold [10,20), pred [15,25): |s&t| = 5 -> P = 5/10, R = 5/10, F1 = 0.5
    out = si_scores([doc("a", (10, 20, "A"))], {"a": spans((15, 25, "A"))})
    assert prf(out) == pytest.approx((0.5, 0.5, 0.5))


def test_si_ignores_labels():
    out = si_scores([doc("a", (0, 10, "A"))], {"a": spans((0, 10, "B"))})
    assert prf(out) == pytest.approx((1.0, 1.0, 1.0))


def test_si_merges_overlapping_gold_spans():
    # gold [0,10) and [5,15) become one span [0,15); the prediction covers it exactly -> 1.0, |T| = 1.
    out = si_scores([doc("a", (0, 10, "A"), (5, 15, "B"))], {"a": spans((0, 15, "A"))})
    assert prf(out) == pytest.approx((1.0, 1.0, 1.0))
    assert out["n_gold"] == 1


def test_si_keeps_touching_gold_spans_apart():
    # gold [0,2) and [2,10) share no character, so |T| = 2. pred [0,2):
    # R = (2/2 + 0/8) / 2 = 0.5 (it would be 2/10 = 0.2 if the two were merged). P = (2/2) / 1 = 1.
    out = si_scores([doc("a", (0, 2, "A"), (2, 10, "A"))], {"a": spans((0, 2, "A"))})
    assert prf(out)[:2] == pytest.approx((1.0, 0.5))
    assert out["n_gold"] == 2


def test_si_merges_nested_predictions_by_default():
    # pred [0,10) with [2,5) nested inside -> one span [0,10) = gold -> 1.0 and |S| = 1.
    gold = [doc("a", (0, 10, "A"))]
    out = si_scores(gold, {"a": spans((0, 10, "A"), (2, 5, "B"))})
    assert prf(out) == pytest.approx((1.0, 1.0, 1.0))
    assert out["n_pred"] == 1


def test_si_without_merge_refuses_overlapping_predictions():
    with pytest.raises(DataError, match="overlap"):
        si_scores([doc("a", (0, 10, "A"))], {"a": spans((0, 10, "A"), (2, 5, "B"))}, merge_pred=False)


def test_si_two_predictions_inside_one_gold_span():
    # gold [0,10); preds [0,4) and [6,10). P = (4/4 + 4/4) / 2 = 1; R = (4/10 + 4/10) / 1 = 0.8;
    # F1 = 2 * 0.8 / 1.8 = 0.888...
    out = si_scores([doc("a", (0, 10, "A"))], {"a": spans((0, 4, "A"), (6, 10, "A"))})
    assert prf(out) == pytest.approx((1.0, 0.8, 16 / 18))


def test_si_denominators_are_corpus_totals_and_missing_docs_are_empty():
    # a: gold [0,10) predicted exactly; b: gold [0,10), [20,30) and no entry in the predictions.
    # P = 1/1, R = 1/3, F1 = 2 * (1/3) / (4/3) = 0.5
    gold = [doc("a", (0, 10, "A")), doc("b", (0, 10, "A"), (20, 30, "B"))]
    out = si_scores(gold, {"a": spans((0, 10, "A"))})
    assert prf(out) == pytest.approx((1.0, 1 / 3, 0.5))


def test_si_no_predictions():
    out = si_scores([doc("a", (0, 10, "A"))], {})
    assert prf(out) == (0.0, 0.0, 0.0)


def test_si_no_gold_spans():
    # predictions in a document without gold spans: credit 0 over |S| = 1, and R = 0 since |T| = 0.
    out = si_scores([doc("a")], {"a": spans((0, 10, "A"))})
    assert prf(out) == (0.0, 0.0, 0.0)


def test_si_nothing_on_either_side_scores_f1_one():
    # The official scorer's convention: F1 = 1 when |S| = |T| = 0, P and R stay 0.
    assert prf(si_scores([doc("a")], {})) == (0.0, 0.0, 1.0)


def test_unknown_predicted_document_raises():
    with pytest.raises(DataError, match="not in the gold"):
        si_scores([doc("a")], {"zzz": spans((0, 1, "A"))})


def test_predictions_as_documents_are_accepted():
    out = si_scores([doc("a", (10, 20, "A"))], [doc("a", (15, 25, "A"))])
    assert out["f1"] == pytest.approx(0.5)


# --- labeled (FLC) -----------------------------------------------------------------------------------------

def test_labeled_needs_equal_labels():
    out = labeled_scores([doc("a", (0, 10, "A"))], {"a": spans((0, 10, "B"))})
    assert prf(out) == (0.0, 0.0, 0.0)


def test_labeled_multi_label_span_half_predicted():
    # gold [0,10) carries A and B (merged per label, so both stay); pred [0,10) A.
    # micro P = 1/1, R = 1/2, F1 = 2/3. Per label: A = 1/1/1; B has no prediction -> 0.
    # macro F1 over labels with gold = (1 + 0) / 2.
    out = labeled_scores([doc("a", (0, 10, "A"), (0, 10, "B"))], {"a": spans((0, 10, "A"))})
    assert prf(out) == pytest.approx((1.0, 0.5, 2 / 3))
    assert prf(out["per_label"]["A"]) == pytest.approx((1.0, 1.0, 1.0))
    assert prf(out["per_label"]["B"]) == (0.0, 0.0, 0.0)
    assert out["macro_f1"] == pytest.approx(0.5)


def test_labeled_merges_within_a_label_only():
    # A: [0,10) + [5,15) -> [0,15), matched by pred A [0,15); B [5,15) matched by pred B [5,15).
    # Both labels 1/1 credit -> P = 2/2, R = 2/2.
    gold = [doc("a", (0, 10, "A"), (5, 15, "A"), (5, 15, "B"))]
    out = labeled_scores(gold, {"a": spans((0, 15, "A"), (5, 15, "B"))})
    assert prf(out) == pytest.approx((1.0, 1.0, 1.0))
    assert out["n_gold"] == 2


def test_labeled_per_label_recall_and_official_variant():
    # gold A [0,10), B [5,20); pred A [0,20). A: |s&t| = 10, credit P = 10/20 = 0.5, credit R = 10/10 = 1.
    # micro P = 0.5/1, R = 1/2 -> F1 0.5. Per label A: P 0.5, R 1.0, F1 2/3.
    # The official scorer's per-technique recall reuses the precision credit: R = 0.5 -> F1 0.5.
    gold = [doc("a", (0, 10, "A"), (5, 20, "B"))]
    pred = {"a": spans((0, 20, "A"))}
    out = labeled_scores(gold, pred)
    assert prf(out) == pytest.approx((0.5, 0.5, 0.5))
    assert prf(out["per_label"]["A"]) == pytest.approx((0.5, 1.0, 2 / 3))
    official = labeled_scores(gold, pred, official_per_label=True)
    assert prf(official["per_label"]["A"]) == pytest.approx((0.5, 0.5, 0.5))
    assert prf(official) == pytest.approx(prf(out))


# --- exact -------------------------------------------------------------------------------------------------

def test_exact_match_counts_identical_triples_only():
    # gold A[0,10) B[20,30) A[40,50); pred A[0,10) (hit) A[20,30) (wrong label) A[41,50) (off by one).
    # TP = 1 -> P = R = F1 = 1/3. Per label A: gold 2, pred 3, TP 1 -> P 1/3, R 1/2, F1 0.4; B -> 0.
    gold = [doc("a", (0, 10, "A"), (20, 30, "B"), (40, 50, "A"))]
    out = exact_scores(gold, {"a": spans((0, 10, "A"), (20, 30, "A"), (41, 50, "A"))})
    assert prf(out) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert prf(out["per_label"]["A"]) == pytest.approx((1 / 3, 0.5, 0.4))
    assert prf(out["per_label"]["B"]) == (0.0, 0.0, 0.0)


def test_exact_ignores_duplicate_predictions():
    out = exact_scores([doc("a", (0, 10, "A"))], {"a": spans((0, 10, "A"), (0, 10, "A"))})
    assert prf(out) == pytest.approx((1.0, 1.0, 1.0))


# --- TC ----------------------------------------------------------------------------------------------------

TC_GOLD = [doc("a", (0, 10, "A"), (0, 10, "B"), (20, 30, "C"), (40, 50, "A"))]


def test_tc_micro_is_accuracy_and_multi_label_spans_match_in_any_order():
    # [0,10) gold {A, B}, pred {B, A} -> 2 right; [20,30) C vs A wrong; [40,50) A right -> 3/4.
    # Per label: A gold 2, pred 3, TP 2 -> P 2/3, R 1, F1 = 2*2/(2+3) = 0.8; B 1/1/1; C 0 (no prediction).
    pred = {"a": spans((0, 10, "B"), (0, 10, "A"), (20, 30, "A"), (40, 50, "A"))}
    out = tc_scores(TC_GOLD, pred)
    assert prf(out) == pytest.approx((0.75, 0.75, 0.75))
    assert prf(out["per_label"]["A"]) == pytest.approx((2 / 3, 1.0, 0.8))
    assert prf(out["per_label"]["B"]) == pytest.approx((1.0, 1.0, 1.0))
    assert prf(out["per_label"]["C"]) == (0.0, 0.0, 0.0)


def test_tc_same_label_twice_on_a_two_label_span_gets_one_right():
    # gold [0,10) {A, B}; pred {A, A} -> min(1, 2) = 1 right out of 2.
    out = tc_scores([doc("a", (0, 10, "A"), (0, 10, "B"))], {"a": spans((0, 10, "A"), (0, 10, "A"))})
    assert out["f1"] == pytest.approx(0.5)


def test_tc_macro_counts_requested_labels_without_support_as_zero():
    # F1 per label from the first TC case: A 0.8, B 1, C 0, D (absent) 0 -> macro 1.8 / 4.
    pred = {"a": spans((0, 10, "B"), (0, 10, "A"), (20, 30, "A"), (40, 50, "A"))}
    out = tc_scores(TC_GOLD, pred, labels=["A", "B", "C", "D"])
    assert out["macro_f1"] == pytest.approx(0.45)


def test_tc_requires_exactly_the_gold_spans():
    with pytest.raises(DataError, match="20-30"):
        tc_scores(TC_GOLD, {"a": spans((0, 10, "A"), (0, 10, "B"), (20, 31, "C"), (40, 50, "A"))})


def test_tc_missing_document_with_gold_spans_raises():
    with pytest.raises(DataError, match="exactly the gold spans"):
        tc_scores(TC_GOLD, {})


def test_tc_agrees_with_sklearn_on_flattened_labels():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    pred = {"a": spans((0, 10, "B"), (0, 10, "A"), (20, 30, "A"), (40, 50, "A"))}
    out = tc_scores(TC_GOLD, pred, labels=["A", "B", "C"])
    # The official scorer aligns equal-span rows so that equal labels face each other, then flattens.
    y_true, y_pred = ["A", "B", "C", "A"], ["A", "B", "A", "A"]
    assert out["f1"] == pytest.approx(sklearn_metrics.f1_score(y_true, y_pred, average="micro"))
    per_class = sklearn_metrics.f1_score(y_true, y_pred, average=None, labels=["A", "B", "C"])
    assert [out["per_label"][k]["f1"] for k in "ABC"] == pytest.approx(list(per_class))


# --- evaluate_spans / report -------------------------------------------------------------------------------

def test_evaluate_spans_report_is_json_serialisable_with_supports():
    gold = [doc("a", (0, 10, "A"), (20, 30, "B")), doc("b")]
    report = evaluate_spans(gold, {"a": spans((0, 10, "A"), (60, 70, "A"))})
    json.dumps(report)
    assert report["n_docs"] == 2
    assert report["labels"] == ["A", "B"]
    assert report["per_label"]["A"]["support_gold"] == 1
    assert report["per_label"]["A"]["support_pred"] == 2
    # SI: P = 1/2, R = 1/2; exact: 1 of 2 predicted, 1 of 2 gold.
    assert prf(report["si"]) == pytest.approx((0.5, 0.5, 0.5))
    assert prf(report["exact"]) == pytest.approx((0.5, 0.5, 0.5))


def test_annotated_labels_limit_what_is_scored():
    # Document a was annotated for A only, so the predicted B span cannot be judged and is left out.
    gold = [doc("a", (0, 10, "A"), annotated={"A"})]
    report = evaluate_spans(gold, {"a": spans((0, 10, "A"), (50, 60, "B"))})
    assert prf(report["si"]) == pytest.approx((1.0, 1.0, 1.0))
    assert "B" not in report["per_label"]


def test_labels_argument_restricts_and_orders_the_table():
    gold = [doc("a", (0, 10, "A"), (20, 30, "B"))]
    report = evaluate_spans(gold, {"a": spans((20, 30, "B"))}, labels=["B"])
    assert report["labels"] == ["B"]
    assert prf(report["si"]) == pytest.approx((1.0, 1.0, 1.0))


def test_focus_labels_get_their_own_labeled_micro_beside_the_overall_one():
    # A is found exactly, B and C are missed and C is also predicted wrongly: over all labels the
    # labeled micro is 1/2 precision, 1/3 recall; over the focus label A alone it is perfect.
    gold = [doc("a", (0, 10, "A"), (20, 30, "B"), (40, 50, "C"))]
    report = evaluate_spans(gold, {"a": spans((0, 10, "A"), (60, 70, "C"))}, focus=["A"])
    assert prf(report["labeled"]) == pytest.approx((0.5, 1 / 3, 0.4))
    assert report["focus"]["labels"] == ["A"]
    assert prf(report["focus"]) == pytest.approx((1.0, 1.0, 1.0))
    row = "| Labeled overlap, micro over the focus labels | 1.0000 | 1.0000 | 1.0000 | 1 | 1 |"
    assert row in report_markdown(report)


def test_without_focus_labels_the_report_has_no_focus_score():
    gold = [doc("a", (0, 10, "A"))]
    report = evaluate_spans(gold, {"a": spans((0, 10, "A"))})
    assert "focus" not in report
    assert "focus labels" not in report_markdown(report)


def test_report_markdown_lists_metrics_and_labels():
    gold = [doc("a", (0, 10, "A"))]
    report = evaluate_spans(gold, {"a": spans((0, 10, "A"))})
    report["tc"] = tc_scores(gold, {"a": spans((0, 10, "A"))})
    text = report_markdown(report)
    assert "| SI: span overlap" in text
    assert "| A | 1.0000 | 1.0000 | 1.0000 | 1.0000 | 1 | 1 |" in text
    assert "TC technique" in text


# --- benchmarks/check_official_scorer.py -------------------------------------------------------------------

def _load_check_script():
    return load_benchmark("check_official_scorer")


def test_check_script_scores_a_semeval_file(tmp_path, capsys):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "article1.task2-TC.labels").write_text("1\tA\t10\t20\n1\tB\t30\t40\n")
    (gold / "article2.task2-TC.labels").write_text("")
    pred = tmp_path / "pred.txt"
    pred.write_text("1\tA\t10\t20\n1\tA\t30\t40\n")
    assert _load_check_script().main(["--gold", str(gold), "--pred", str(pred), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_docs"] == 2
    assert result["si"]["f1"] == pytest.approx(1.0)
    # FLC: A [10,20) right, A [30,40) against gold B -> P = 1/2, R = 1/2.
    assert result["flc"]["f1"] == pytest.approx(0.5)
    assert result["tc"]["f1"] == pytest.approx(0.5)


def test_check_script_reports_bad_rows(tmp_path, capsys):
    gold = tmp_path / "gold.labels"
    gold.write_text("1\t10\t20\n")
    pred = tmp_path / "pred.txt"
    pred.write_text("1\t10\n")
    assert _load_check_script().main(["--gold", str(gold), "--pred", str(pred)]) == 2
    assert "pred.txt:1" in capsys.readouterr().err
