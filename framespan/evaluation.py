"""Score a Detector on gold documents: predict spans, classify gold spans, compute the metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from tqdm.auto import tqdm

from .spans import Document, Span


def predict_documents(detector: Any, docs: Sequence[Document], batch_size: int = 32,
                      progress: bool = True) -> dict[str, list[Span]]:
    it = detector.predict_many((d.text for d in docs), batch_size=batch_size)
    out = {}
    for doc, spans in tqdm(zip(docs, it), total=len(docs), desc="predict", disable=not progress,
                           leave=False):
        out[doc.id] = spans
    return out


def classify_rows(detector: Any, doc: Document, allowed: Sequence[str] | None = None, **known: Any) -> list[Span]:
    """TC answers for a document's gold spans: a range the gold lists with k techniques gets the
    model's k most likely, as TC requires one answer per gold row. ``allowed`` limits the choice;
    ``known``: the document's ``states`` and ``scores``, if computed (see ``Detector.span_probs``)."""
    rows = gold_rows(doc)
    ranges = sorted(rows)
    return tc_answers(rows, detector.span_probs(doc.text, ranges, allowed, **known), detector.schema.names)


def gold_rows(doc: Document) -> Counter[tuple[int, int]]:
    """How many gold rows each char range of ``doc`` has (TC answers that many techniques)."""
    return Counter((s.start, s.end) for s in doc.spans)


def tc_answers(rows: Counter[tuple[int, int]], probs: np.ndarray, names: Sequence[str]) -> list[Span]:
    """TC answers from (ranges, labels) probabilities over the ranges of ``rows`` in sorted order:
    the k most likely techniques for a range with k gold rows."""
    spans = []
    for (start, end), p in zip(sorted(rows), probs, strict=True):
        for j in np.argsort(-p, kind="stable")[: rows[(start, end)]]:
            spans.append(Span(start, end, names[int(j)], float(p[j])))
    return spans


def allowed_labels(detector: Any, doc: Document) -> list[str] | None:
    """The detector's labels that ``doc`` was annotated for (None: all of them)."""
    if doc.annotated_labels is None:
        return None
    return [n for n in detector.active_labels if n in doc.annotated_labels]


def evaluate_detector(detector: Any, docs: Sequence[Document], batch_size: int = 32,
                      progress: bool = True, with_tc: bool = True) -> dict[str, Any]:
    """Metrics report of ``detector`` on gold ``docs``: the spans it predicts, and (``with_tc``)
    TC on the gold spans."""
    from .metrics import evaluate_spans, tc_scores

    pred, tc = _predict_and_classify(detector, docs, batch_size, progress, with_tc)
    report = evaluate_spans(list(docs), pred, labels=detector.schema.names)
    if with_tc:
        report["tc"] = tc_scores(list(docs), tc)
    report["predictions"] = {k: [s.to_dict() for s in v] for k, v in pred.items()}
    return report


def _predict_and_classify(detector: Any, docs: Sequence[Document], batch_size: int, progress: bool,
                          with_tc: bool) -> tuple[dict[str, list[Span]], dict[str, list[Span]]]:
    """Predictions and TC answers per document id. 16 documents at a time are tagged once, and the
    tagging pass's hidden states (where the backend keeps them) name the spans found and classify
    the gold spans, so the encoder runs once per window instead of three times."""
    pred: dict[str, list[Span]] = {}
    tc: dict[str, list[Span]] = {}
    with tqdm(total=len(docs), desc="evaluate", disable=not progress, leave=False) as bar:
        for i in range(0, len(docs), 16):
            chunk = docs[i:i + 16]
            # States serve naming (detect strategy) and TC; with neither they would be memory for nothing.
            keep = with_tc or detector.config.strategy == "detect"
            scores, states = detector.scores_and_states([d.text for d in chunk], batch_size, keep_states=keep)
            for j, doc in enumerate(chunk):
                known = {"states": states[j] if states is not None else None, "scores": scores[j]}
                pred[doc.id] = detector.decode(doc.text, scores[j], known["states"])
                if with_tc:
                    # Each document chooses among the techniques it was annotated for (PTC gold
                    # scored against a framing model has no answer among framespan's own devices).
                    tc[doc.id] = classify_rows(detector, doc, allowed_labels(detector, doc), **known)
                if states is not None:
                    states[j] = []
                bar.update()
    return pred, tc


def headline(report: dict[str, Any]) -> dict[str, float]:
    """The few numbers a run is judged by, flat, for logs and model selection."""
    out = {
        "si_precision": report["si"]["precision"], "si_recall": report["si"]["recall"],
        "si_f1": report["si"]["f1"], "labeled_f1": report["labeled"]["f1"], "exact_f1": report["exact"]["f1"],
    }
    if "tc" in report:
        out["tc_f1"] = report["tc"]["f1"]
    return out


def tune_thresholds(detector: Any, docs: Sequence[Document], objective: str = "labeled_f1",
                    grid: Sequence[float] | None = None, rounds: int = 2, progress: bool = True) -> dict[str, float]:
    """Per-label decision thresholds chosen on ``docs`` to maximise the run's selection metric.

    Coordinate ascent: each label's threshold in turn is set to the grid value that maximises the
    corpus-level ``objective`` (``si_f1``, ``labeled_f1`` or ``exact_f1``) with the others fixed.
    Tuning each label for its own F1 instead can lower the micro scores the run is judged by.
    Token probabilities are computed once and decodings are cached, so this costs one forward pass.
    """
    from .decoding import decode_spans
    from .metrics import exact_scores, labeled_scores, si_scores

    metric = {"si_f1": si_scores, "labeled_f1": labeled_scores, "exact_f1": exact_scores}.get(objective,
                                                                                              labeled_scores)
    grid = list(grid or [round(0.15 + 0.05 * i, 2) for i in range(14)])  # 0.15 .. 0.80
    scores = score_documents(detector, docs, progress, "tune thresholds")
    cfg = detector.config
    labels = [n for n in detector.active_labels if any(s.label == n for d in docs for s in d.spans)]
    cache: dict[tuple[str, float], list[list[Span]]] = {}

    def decoded(label: str, thr: float) -> list[list[Span]]:
        key = (label, thr)
        if key not in cache:
            col = detector.schema.index(label)
            cache[key] = [decode_spans(d.text, sc, [label], [thr], cfg.snap_to_words, cfg.min_chars,
                                       cfg.continue_ratio)
                          for d, sc in zip(docs, _only(scores, col))]
        return cache[key]

    def value(assign: dict[str, float]) -> float:
        pred = {d.id: [s for label in labels for s in decoded(label, assign[label])[i]]
                for i, d in enumerate(docs)}
        return metric(list(docs), pred)["f1"]

    chosen = {n: cfg.thresholds.get(n, cfg.threshold) for n in labels}
    best = value(chosen)
    for _ in range(rounds):
        improved = False
        for label in labels:
            for thr in grid:
                trial = {**chosen, label: thr}
                v = value(trial)
                if v > best + 1e-9:
                    best, chosen, improved = v, trial, True
        if not improved:
            break
    return chosen


def score_documents(detector: Any, docs: Sequence[Document], progress: bool = True,
                    desc: str = "score") -> list[Any]:
    """Merged token scores (DocumentScores) of each document, 16 texts per call so memory stays
    bounded."""
    texts = [d.text for d in docs]
    scores: list[Any] = []
    for i in tqdm(range(0, len(texts), 16), desc=desc, disable=not progress, leave=False):
        scores.extend(detector.scores(texts[i:i + 16]))
    return scores


def _only(scores: list[Any], col: int) -> list[Any]:
    from .decoding import DocumentScores

    return [DocumentScores(sc.offsets, sc.probs[:, col:col + 1, :]) for sc in scores]


def tune_detect_threshold(detector: Any, docs: Sequence[Document], grid: Sequence[float] | None = None,
                          progress: bool = True) -> float:
    """The any-device threshold that maximises SI F1 on ``docs`` at the folder's label weight (SI
    ignores labels, so the span head is not needed here); ties go to the higher, more precise
    threshold."""
    return tune_detect(detector, docs, grid, [detector.config.detect_label_weight], progress)[0]


class DetectChoice(NamedTuple):
    threshold: float
    label_weight: float
    si_f1: float  # on the documents it was chosen on


def tune_detect(detector: Any, docs: Sequence[Document], grid: Sequence[float] | None = None,
                weights: Sequence[float] | None = None, progress: bool = True) -> DetectChoice:
    """The any-device threshold and label weight (``decoding.detect_scores``) that maximise SI F1 on
    ``docs``, each weight of ``weights`` (default: the folder's candidates, else its weight) tried
    with every threshold of ``grid``. Ties go to the higher threshold and to the earlier weight."""
    from .decoding import decode_spans
    from .encoding import DETECT
    from .metrics import si_scores

    # A fine grid: SI recall falls steeply with the threshold (0.52 -> 0.39 from 0.45 to 0.50 on PTC dev).
    grid = sorted(grid or [round(0.1 + 0.025 * i, 3) for i in range(33)])  # 0.100 .. 0.900
    cfg = detector.config
    weights = list(weights or cfg.detect_label_weights or [cfg.detect_label_weight])
    scores = score_documents(detector, docs, progress, "tune detect threshold")
    best = DetectChoice(cfg.detect_threshold, cfg.detect_label_weight, -1.0)
    for weight in weights:
        only = [detector.detect_scores(sc, weight) for sc in scores]
        thr_best, thr_f1 = grid[0], -1.0
        for thr in grid:
            pred = {d.id: decode_spans(d.text, sc, [DETECT], [thr], cfg.snap_to_words, cfg.min_chars,
                                       cfg.continue_ratio) for d, sc in zip(docs, only)}
            f1 = si_scores(list(docs), pred)["f1"]
            if f1 >= thr_f1:
                thr_best, thr_f1 = thr, f1
        if thr_f1 > best.si_f1:
            best = DetectChoice(thr_best, weight, thr_f1)
    return best
