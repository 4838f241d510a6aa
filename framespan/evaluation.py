"""Score a Detector on gold documents: predict spans, classify gold spans, compute the metrics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .detector import Detector
from .metrics import evaluate_spans, tc_scores
from .spans import Document, Span
from .strategies import STRATEGIES


def predict_documents(detector: Detector, docs: Sequence[Document], batch_size: int = 32,
                      progress: bool = True) -> dict[str, list[Span]]:
    it = detector.predict_many((d.text for d in docs), batch_size=batch_size)
    out = {}
    for doc, spans in tqdm(zip(docs, it), total=len(docs), desc="predict", disable=not progress,
                           leave=False):
        out[doc.id] = spans
    return out


def classify_rows(detector: Detector, doc: Document, allowed: Sequence[str] | None = None, **known: Any) -> list[Span]:
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


def allowed_labels(detector: Detector, doc: Document) -> list[str] | None:
    """The detector's labels that ``doc`` was annotated for (None: all of them)."""
    if doc.annotated_labels is None:
        return None
    return [n for n in detector.active_labels if n in doc.annotated_labels]


def evaluate_detector(detector: Detector, docs: Sequence[Document], batch_size: int = 32,
                      progress: bool = True, with_tc: bool = True, focus: Sequence[str] = ()) -> dict[str, Any]:
    """Metrics report of ``detector`` on gold ``docs``: the spans it predicts, (``with_tc``) TC on
    the gold spans, and (``focus``) the labeled micro over those labels."""
    pred, tc = _predict_and_classify(detector, docs, batch_size, progress, with_tc)
    report = evaluate_spans(list(docs), pred, labels=detector.schema.names, focus=focus)
    if with_tc:
        report["tc"] = tc_scores(list(docs), tc)
    report["predictions"] = {k: [s.to_dict() for s in v] for k, v in pred.items()}
    return report


def _predict_and_classify(detector: Detector, docs: Sequence[Document], batch_size: int, progress: bool,
                          with_tc: bool) -> tuple[dict[str, list[Span]], dict[str, list[Span]]]:
    """Predictions and TC answers per document id. 16 documents at a time are tagged once, and the
    tagging pass's hidden states (where the backend keeps them) name the spans found and classify
    the gold spans, so the encoder runs once per window instead of three times."""
    pred: dict[str, list[Span]] = {}
    tc: dict[str, list[Span]] = {}
    with tqdm(total=len(docs), desc="evaluate", disable=not progress, leave=False) as bar:
        for i in range(0, len(docs), 16):
            chunk = docs[i:i + 16]
            # States serve naming (any_device strategy) and TC; with neither they would be memory for nothing.
            keep = with_tc or STRATEGIES[detector.decode_settings.strategy].names_spans
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
    if "focus" in report:
        out["focus_f1"] = report["focus"]["f1"]
    return out
