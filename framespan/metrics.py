"""Span metrics as the published PTC scorers compute them (SemEval-2020 Task 11 SI/TC, 2019 FLC), plus exact.

What the official scorers do, as read in the organisers' code (Giovanni Da San Martino, 2019), found in
copies of the task tools: ``aschern/semeval2020_task11`` ``tools/task-SI_scorer.py`` (commits e4dc7e90 and
84c384d3), ``tools/task-TC_scorer.py`` with ``tools/src/annotations.py``, ``tools/src/article_annotations.py``
and ``tools/src/annotation_w_o_label.py`` (commit 84c384d3); and the NLP4IF-2019 scorer
``Kartikaggarwal98/Propaganda_Detection-NLP4IF`` ``tools/task-FLC_scorer.py`` (commit 981853df).
No code was copied; this module re-implements the arithmetic.

SI (span identification, labels ignored)
    * Each span is the set of its character positions. Within one article, gold spans that share at least one
      character are always merged into their union, transitively. Spans that only touch (one ends where the
      next starts) share no character and stay separate; ``framespan.spans.union_spans`` keeps them
      apart too.
    * Predicted spans are merged the same way only when the scorer runs with ``-m``; without it any two
      overlapping predictions make it refuse the whole file. ``merge_pred=True`` (the default) is ``-m``;
      ``merge_pred=False`` raises :class:`DataError` instead, like the scorer's default.
    * With S and T the merged predicted and gold spans over the whole corpus,
      P = sum_{s,t in the same article} |s & t| / |s|  /  |S| and R = sum |s & t| / |t|  /  |T|.
      |S| counts predictions of every submitted article; |T| counts gold spans of every gold article,
      submitted or not, so a missing article costs recall only.
    * ``compute_prec_rec_f1``: P = 0 when |S| = 0, R = 0 when |T| = 0; F1 = 2PR/(P+R) when P > 0 and R > 0,
      F1 = 1.0 when |S| = |T| = 0, otherwise 0. Every P/R/F1 below uses these conventions, except the TC
      per-technique table, which follows scikit-learn like the TC scorer does.
    * Article ids in the submission that are not in the gold make the scorer log an error (and, in one
      version, crash); here they raise :class:`DataError`.

FLC (SemEval-2019 fragment-level classification; here "labeled")
    * The same partial credit, but a pair (s, t) only counts when the techniques are equal, and merging of
      overlapping spans (gold always, predictions with ``-m``) happens within each technique only.
    * Micro scores pool all techniques: P = total credit / all merged predictions, R likewise over gold.
    * The per-technique lines of that scorer divide the |s|-normalised credit by both denominators, i.e.
      its per-technique recall uses sum |s & t| / |s| instead of / |t|. Our table uses the / |t| numerator;
      pass ``official_per_label=True`` to reproduce the scorer's per-technique numbers. Micro scores are
      unaffected.

TC (technique classification on given gold spans)
    * The submission must list exactly the gold spans: after a stable sort by start offset the two files are
      compared row by row and the scorer refuses the file at the first span that differs (so the number of
      rows per span must match, e.g. two rows for a span carrying two techniques).
    * Within a run of rows with an identical span, rows are greedily re-ordered so that equal techniques face
      each other. For label equality a greedy matching is a maximum one, so the number correct for a span is
      sum over techniques of min(#gold, #predicted) — what :func:`tc_scores` computes directly.
    * The flattened label lists go to ``sklearn`` ``precision/recall/f1_score(average="micro")``; with one
      prediction per gold row that is accuracy, so P = R = F1 = correct / number of gold rows.
      Per-technique F1 is ``f1_score(average=None)`` (0 when undefined).
    * Quirks we do not reproduce: the scorer pairs the flattened lists in each file's own article order, so a
      submission whose articles come in another order than the gold file is mis-scored; identical spans that
      are not adjacent after the sort (not seen in PTC) are matched separately; the printed per-technique
      names are zipped in file order with scores computed in sorted order.

Exact match (not from the task): a predicted (start, end, label) counts only if the same triple is in the
gold; duplicates are ignored on both sides.

Scope: when a gold :class:`Document` has ``annotated_labels``, spans (gold and predicted) whose label is
outside it are left out of every metric for that document, since nothing can be said about them; with
``labels`` given, only spans with those labels are scored (except TC, whose spans are fixed by the gold).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import DataError
from .spans import Document, Span, union_spans

Predictions = Mapping[str, Iterable[Span]] | Iterable[Document]
Interval = tuple[int, int]

__all__ = [
    "evaluate_spans",
    "exact_scores",
    "labeled_scores",
    "merge_shared_chars",
    "report_markdown",
    "si_scores",
    "tc_scores",
    "to_markdown",
]


def prf(prec_num: float, n_pred: int, rec_num: float, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 with the official scorer's conventions for empty sides (see module doc)."""
    p = prec_num / n_pred if n_pred > 0 else 0.0
    r = rec_num / n_gold if n_gold > 0 else 0.0
    if p > 0 and r > 0:
        f1 = 2 * p * r / (p + r)
    elif n_pred == 0 and n_gold == 0:
        f1 = 1.0
    else:
        f1 = 0.0
    return p, r, f1


def merge_shared_chars(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals that share at least one character, transitively; touching ones stay apart."""
    return [(s.start, s.end) for s in union_spans(Span(a, b, "_") for a, b in intervals)]


def _has_shared_chars(intervals: Iterable[Interval]) -> Interval | None:
    """The first interval that shares characters with an earlier one (in sorted order), if any."""
    last_end = -1
    for start, end in sorted(intervals):
        if start < last_end:
            return start, end
        last_end = max(last_end, end)
    return None


def _credit(pred: list[Interval], gold: list[Interval]) -> tuple[float, float]:
    """Sums over all pairs of |s & t| / |s| and |s & t| / |t|."""
    c_prec = c_rec = 0.0
    for ps, pe in pred:
        for gs, ge in gold:
            inter = min(pe, ge) - max(ps, gs)
            if inter > 0:
                c_prec += inter / (pe - ps)
                c_rec += inter / (ge - gs)
    return c_prec, c_rec


@dataclass
class _Pair:
    doc: Document
    gold: list[Span]
    pred: list[Span]


def _pred_map(predicted: Predictions) -> dict[str, list[Span]]:
    if isinstance(predicted, Mapping):
        return {str(doc_id): list(spans) for doc_id, spans in predicted.items()}
    out: dict[str, list[Span]] = {}
    for pdoc in predicted:
        if not isinstance(pdoc, Document):
            raise DataError(f"predictions must be Documents or a dict id -> spans, got {type(pdoc).__name__}",
                            where="predictions")
        if pdoc.id in out:
            raise DataError(f"predicted document id {pdoc.id!r} occurs more than once", where="predictions")
        out[pdoc.id] = list(pdoc.spans)
    return out


def _pairs(gold_docs: Iterable[Document], predicted: Predictions,
           labels: Iterable[str] | None = None) -> list[_Pair]:
    """Align predictions with gold documents, applying the label scope described in the module doc."""
    docs = list(gold_docs)
    by_id: dict[str, Document] = {}
    for doc in docs:
        if doc.id in by_id:
            raise DataError(f"gold document id {doc.id!r} occurs more than once", where="gold")
        by_id[doc.id] = doc

    pred_map = _pred_map(predicted)

    unknown = sorted(set(pred_map) - set(by_id))
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5]) + (" ..." if len(unknown) > 5 else "")
        raise DataError(f"{len(unknown)} predicted document id(s) not in the gold documents: {shown}",
                        where="predictions")

    wanted = None if labels is None else set(labels)
    pairs = []
    for doc in docs:
        scope = doc.annotated_labels
        if wanted is not None:
            scope = wanted if scope is None else scope & wanted

        def keep(spans: Iterable[Span], scope: frozenset[str] | set[str] | None = scope) -> list[Span]:
            return [s for s in spans if scope is None or s.label in scope]

        pairs.append(_Pair(doc, keep(doc.spans), keep(pred_map.get(doc.id, []))))
    return pairs


def _label_order(pairs: list[_Pair], labels: Iterable[str] | None) -> list[str]:
    if labels is not None:
        return list(dict.fromkeys(labels))
    return sorted({s.label for p in pairs for s in (*p.gold, *p.pred)})


def _scores(prec_num: float, n_pred: int, rec_num: float, n_gold: int) -> dict[str, Any]:
    p, r, f1 = prf(prec_num, n_pred, rec_num, n_gold)
    return {"precision": p, "recall": r, "f1": f1, "n_gold": n_gold, "n_pred": n_pred}


def _by_label(spans: Iterable[Span]) -> dict[str, list[Interval]]:
    out: dict[str, list[Interval]] = defaultdict(list)
    for s in spans:
        out[s.label].append((s.start, s.end))
    return out


def _labels_at(spans: Iterable[Span]) -> dict[Interval, Counter[str]]:
    """How many rows of each label every char range has (TC rows)."""
    out: dict[Interval, Counter[str]] = defaultdict(Counter)
    for s in spans:
        out[(s.start, s.end)][s.label] += 1
    return out


def _merged_credit(gold: list[Interval], raw: list[Interval], merge_pred: bool, doc_id: str,
                   what: str) -> tuple[float, float, int, int]:
    """Partial credit of one article's predictions against its gold, both merged where they share
    characters (predictions only with ``merge_pred``, else overlapping ones are refused as the
    official scorer refuses them without -m): precision and recall numerators and the counts."""
    if not merge_pred:
        clash = _has_shared_chars(raw)
        if clash is not None:
            raise DataError(f"predicted {what}spans overlap at {clash[0]}-{clash[1]} (the official scorer "
                            "refuses this unless run with -m; use merge_pred=True)", where=doc_id)
    gold_m, pred_m = merge_shared_chars(gold), merge_shared_chars(raw)
    cp, cr = _credit(pred_m, gold_m)
    return cp, cr, len(gold_m), len(pred_m)


def si_scores(gold_docs: Iterable[Document], predicted: Predictions, *, merge_pred: bool = True,
              labels: Iterable[str] | None = None) -> dict[str, Any]:
    """SemEval-2020 Task 11 SI: partial-credit character overlap, labels ignored.

    ``n_gold``/``n_pred`` are the span counts after merging (the scorer's denominators).
    """
    pairs = _pairs(gold_docs, predicted, labels)
    c_prec = c_rec = 0.0
    n_gold = n_pred = 0
    for pair in pairs:
        cp, cr, ng, npred = _merged_credit([(s.start, s.end) for s in pair.gold],
                                           [(s.start, s.end) for s in pair.pred], merge_pred, pair.doc.id, "")
        c_prec += cp
        c_rec += cr
        n_gold += ng
        n_pred += npred
    return _scores(c_prec, n_pred, c_rec, n_gold)


def labeled_scores(gold_docs: Iterable[Document], predicted: Predictions, *, merge_pred: bool = True,
                   labels: Iterable[str] | None = None, official_per_label: bool = False) -> dict[str, Any]:
    """SemEval-2019 FLC: SI partial credit counted only between spans of the same label.

    Returns micro scores over labels, ``macro_f1`` (mean F1 over labels with gold spans) and ``per_label``.
    """
    pairs = _pairs(gold_docs, predicted, labels)
    order = _label_order(pairs, labels)
    c_prec: dict[str, float] = defaultdict(float)
    c_rec: dict[str, float] = defaultdict(float)
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for pair in pairs:
        gold_by, pred_by = _by_label(pair.gold), _by_label(pair.pred)
        for label in set(gold_by) | set(pred_by):
            cp, cr, ng, npred = _merged_credit(gold_by.get(label, []), pred_by.get(label, []), merge_pred,
                                               pair.doc.id, f"{label} ")
            c_prec[label] += cp
            c_rec[label] += cr
            n_gold[label] += ng
            n_pred[label] += npred

    out = _scores(sum(c_prec.values()), sum(n_pred.values()), sum(c_rec.values()), sum(n_gold.values()))
    per_label = {}
    for label in order:
        rec_num = c_prec[label] if official_per_label else c_rec[label]
        per_label[label] = _scores(c_prec[label], n_pred[label], rec_num, n_gold[label])
    with_gold = [v["f1"] for v in per_label.values() if v["n_gold"] > 0]
    out["macro_f1"] = sum(with_gold) / len(with_gold) if with_gold else 0.0
    out["per_label"] = per_label
    return out


def exact_scores(gold_docs: Iterable[Document], predicted: Predictions, *,
                 labels: Iterable[str] | None = None) -> dict[str, Any]:
    """Exact-match F1: a prediction is right only if (start, end, label) equals a gold span."""
    pairs = _pairs(gold_docs, predicted, labels)
    order = _label_order(pairs, labels)
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for pair in pairs:
        gold = {(s.start, s.end, s.label) for s in pair.gold}
        pred = {(s.start, s.end, s.label) for s in pair.pred}
        for key in gold:
            n_gold[key[2]] += 1
        for key in pred:
            n_pred[key[2]] += 1
        for key in gold & pred:
            tp[key[2]] += 1
    total_tp = sum(tp.values())
    out = _scores(total_tp, sum(n_pred.values()), total_tp, sum(n_gold.values()))
    out["n_correct"] = total_tp
    per_label = {}
    for label in order:
        per_label[label] = _scores(tp[label], n_pred[label], tp[label], n_gold[label])
        per_label[label]["n_correct"] = tp[label]
    out["per_label"] = per_label
    return out


def tc_scores(gold_docs: Iterable[Document], predicted: Predictions, *,
              labels: Iterable[str] | None = None) -> dict[str, Any]:
    """SemEval-2020 Task 11 TC: one technique per gold span row; micro-F1 (= accuracy) and per technique.

    The predictions must carry exactly the gold spans (as many rows per span as the gold has); otherwise
    :class:`DataError`, as the official scorer refuses such a file. ``macro_f1`` (not part of the task) is
    the mean per-technique F1 over ``labels``, or over every technique seen in gold or predictions.
    """
    docs = list(gold_docs)
    pairs = _pairs(docs, predicted)
    correct: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for pair in pairs:
        gold_at, pred_at = _labels_at(pair.gold), _labels_at(pair.pred)
        for span in sorted(set(gold_at) | set(pred_at)):
            g, p = gold_at.get(span, Counter()), pred_at.get(span, Counter())
            if sum(g.values()) != sum(p.values()):
                raise DataError(f"span {span[0]}-{span[1]}: gold has {sum(g.values())} row(s), prediction "
                                f"has {sum(p.values())}; TC predictions must list exactly the gold spans",
                                where=pair.doc.id)
            n_gold.update(g)
            n_pred.update(p)
            correct.update(g & p)

    n = sum(n_gold.values())
    total = sum(correct.values())
    p_micro, r_micro, f1_micro = prf(total, n, total, n)
    order = list(dict.fromkeys(labels)) if labels is not None else sorted(set(n_gold) | set(n_pred))
    per_label = {}
    for label in order:
        tp, ng, npred = correct[label], n_gold[label], n_pred[label]
        p = tp / npred if npred else 0.0
        r = tp / ng if ng else 0.0
        # sklearn's F1 = 2TP / (2TP + FP + FN), 0 when undefined; the TC scorer reports that.
        f1 = 2 * tp / (ng + npred) if ng + npred else 0.0
        per_label[label] = {"precision": p, "recall": r, "f1": f1, "n_gold": ng, "n_pred": npred,
                            "n_correct": tp}
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0
    return {"precision": p_micro, "recall": r_micro, "f1": f1_micro, "accuracy": total / n if n else 0.0,
            "n_gold": n, "n_pred": n, "n_correct": total, "macro_f1": macro, "per_label": per_label}


def evaluate_spans(gold: Iterable[Document], pred: Predictions, labels: Iterable[str] | None = None, *,
                   merge_pred: bool = True, focus: Sequence[str] = ()) -> dict[str, Any]:
    """SI, labeled (FLC) and exact scores plus a per-label table, as one JSON-serialisable dict; with
    ``focus``, also the labeled micro over those labels alone (a run's ``training.focus_labels``)."""
    docs = list(gold)
    pred = _pred_map(pred)  # read once: pred may be a one-shot iterable
    label_list = list(labels) if labels is not None else None
    pairs = _pairs(docs, pred, label_list)
    order = _label_order(pairs, label_list)

    si = si_scores(docs, pred, merge_pred=merge_pred, labels=label_list)
    labeled = labeled_scores(docs, pred, merge_pred=merge_pred, labels=order)
    exact = exact_scores(docs, pred, labels=order)
    support_gold = Counter(s.label for p in pairs for s in p.gold)
    support_pred = Counter(s.label for p in pairs for s in p.pred)

    per_label = {}
    for label in order:
        lab, ex = labeled["per_label"][label], exact["per_label"][label]
        per_label[label] = {
            "precision": lab["precision"], "recall": lab["recall"], "f1": lab["f1"],
            "exact_precision": ex["precision"], "exact_recall": ex["recall"], "exact_f1": ex["f1"],
            "support_gold": support_gold[label], "support_pred": support_pred[label],
        }
    report: dict[str, Any] = {
        "n_docs": len(docs),
        "n_gold_spans": sum(support_gold.values()),
        "n_pred_spans": sum(support_pred.values()),
        "labels": order,
        "si": si,
        "labeled": {k: v for k, v in labeled.items() if k != "per_label"},
        "exact": {k: v for k, v in exact.items() if k != "per_label"},
        "per_label": per_label,
    }
    if focus:
        # The labels a model is for are tuned for their own micro score, and seeds of a recipe are
        # compared on it too: the overall micro mixes in labels the run was not made for.
        scored = labeled_scores(docs, pred, merge_pred=merge_pred, labels=list(focus))
        report["focus"] = {"labels": list(focus), **{k: v for k, v in scored.items() if k != "per_label"}}
    return report


_SECTIONS = (
    ("si", "SI: span overlap, labels ignored (SemEval-2020 T11)"),
    ("labeled", "Labeled overlap, micro (SemEval-2019 FLC)"),
    ("focus", "Labeled overlap, micro over the focus labels"),
    ("exact", "Exact span + label"),
    ("tc", "TC: technique on gold spans, micro (SemEval-2020 T11)"),
)


def _fmt(x: float) -> str:
    return f"{x:.4f}"


def report_markdown(report: Mapping[str, Any]) -> str:
    """Markdown tables for a report from :func:`evaluate_spans` (a ``"tc"`` entry from :func:`tc_scores` is
    shown too when present)."""
    lines = ["| metric | precision | recall | F1 | gold | pred |", "|---|---:|---:|---:|---:|---:|"]
    for key, title in _SECTIONS:
        if key in report:
            s = report[key]
            lines.append(f"| {title} | {_fmt(s['precision'])} | {_fmt(s['recall'])} | {_fmt(s['f1'])} "
                         f"| {s['n_gold']} | {s['n_pred']} |")
    if "labeled" in report and "macro_f1" in report["labeled"]:
        lines.append(f"\nLabeled macro-F1 over labels with gold spans: {_fmt(report['labeled']['macro_f1'])}")
    if report.get("per_label"):
        lines += ["", "| label | precision | recall | F1 | exact F1 | gold | pred |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for label, s in report["per_label"].items():
            lines.append(f"| {label} | {_fmt(s['precision'])} | {_fmt(s['recall'])} | {_fmt(s['f1'])} "
                         f"| {_fmt(s['exact_f1'])} | {s['support_gold']} | {s['support_pred']} |")
    tc = report.get("tc")
    if tc and tc.get("per_label"):
        lines += ["", "| TC technique | precision | recall | F1 | gold | pred |",
                  "|---|---:|---:|---:|---:|---:|"]
        for label, s in tc["per_label"].items():
            lines.append(f"| {label} | {_fmt(s['precision'])} | {_fmt(s['recall'])} | {_fmt(s['f1'])} "
                         f"| {s['n_gold']} | {s['n_pred']} |")
    return "\n".join(lines) + "\n"


to_markdown = report_markdown
