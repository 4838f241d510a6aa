"""Score a Detector on gold documents: predict spans, classify gold spans, compute the metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

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


def classify_gold(detector: Any, docs: Sequence[Document], progress: bool = True) -> dict[str, list[Span]]:
    """TC: the model names the technique of each gold span (one prediction per distinct span)."""
    out = {}
    for doc in tqdm(docs, desc="classify", disable=not progress, leave=False):
        # A span the gold lists with k techniques gets the model's k most likely, as TC requires
        # one answer per gold row.
        rows = Counter((s.start, s.end) for s in doc.spans)
        ranges = sorted(rows)
        probs = detector.span_probs(doc.text, ranges)
        spans = []
        for (start, end), p in zip(ranges, probs):
            for j in np.argsort(-p, kind="stable")[: rows[(start, end)]]:
                spans.append(Span(start, end, detector.schema.names[int(j)], float(p[j])))
        out[doc.id] = spans
    return out


def evaluate_detector(detector: Any, docs: Sequence[Document], batch_size: int = 32,
                      progress: bool = True, with_tc: bool = True) -> dict[str, Any]:
    from .metrics import evaluate_spans, tc_scores

    pred = predict_documents(detector, docs, batch_size, progress)
    report = evaluate_spans(list(docs), pred, labels=detector.schema.names)
    if with_tc:
        report["tc"] = tc_scores(list(docs), classify_gold(detector, docs, progress))
    report["predictions"] = {k: [s.to_dict() for s in v] for k, v in pred.items()}
    return report


def headline(report: dict[str, Any]) -> dict[str, float]:
    """The few numbers a run is judged by, flat, for logs and model selection."""
    out = {
        "si_precision": report["si"]["precision"], "si_recall": report["si"]["recall"],
        "si_f1": report["si"]["f1"], "labeled_f1": report["labeled"]["f1"], "exact_f1": report["exact"]["f1"],
    }
    if "tc" in report:
        out["tc_f1"] = report["tc"]["f1"]
    return out


def tune_thresholds(detector: Any, docs: Sequence[Document], grid: Sequence[float] | None = None,
                    progress: bool = True) -> dict[str, float]:
    """Per-label decision thresholds that maximise each label's labeled-span F1 on ``docs``.

    Token probabilities are computed once; only decoding is repeated per threshold, so this costs
    one forward pass over the documents.
    """
    from .decoding import decode_spans
    from .metrics import evaluate_spans

    grid = list(grid or [round(0.15 + 0.05 * i, 2) for i in range(14)])  # 0.15 .. 0.80
    texts = [d.text for d in docs]
    scores = []
    for i in tqdm(range(0, len(texts), 16), desc="tune thresholds", disable=not progress, leave=False):
        scores.extend(detector.scores(texts[i:i + 16]))
    cfg = detector.config
    chosen: dict[str, float] = {}
    for label in detector.schema.names:
        if not any(s.label == label for d in docs for s in d.spans):
            continue  # no gold evidence on dev: keep the default
        best_f1, best_thr = -1.0, cfg.threshold
        for thr in grid:
            pred = {d.id: decode_spans(d.text, sc, [label], [thr], cfg.snap_to_words, cfg.min_chars,
                                         cfg.continue_ratio)
                    for d, sc in zip(docs, _only(scores, detector.schema.index(label)))}
            gold = [Document(d.id, d.text, [s for s in d.spans if s.label == label]) for d in docs]
            f1 = evaluate_spans(gold, pred, labels=[label])["labeled"]["f1"]
            if f1 > best_f1 + 1e-9:
                best_f1, best_thr = f1, thr
        chosen[label] = best_thr
    return chosen


def _only(scores: list[Any], col: int) -> list[Any]:
    from .decoding import DocumentScores

    return [DocumentScores(sc.offsets, sc.probs[:, col:col + 1, :]) for sc in scores]
