"""Turn per-token tag probabilities from overlapping windows back into document-level spans."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .boundaries import PAIRED_LABELS, SO_CALLED, quoted_terms, tidy_spans
from .spans import Span, dedupe

# The lowest threshold tuning tries (tuning.LABEL_GRID starts here). The span head weighs a label's
# token runs found at it (``candidate_runs``), which hold every token a tuned threshold can decode.
CANDIDATE_FLOOR = 0.15


@dataclass
class DocumentScores:
    """Per-token probabilities merged over a document's windows.

    ``offsets`` (tokens, 2) are char ranges in document order; ``probs`` (tokens, labels, 3) are
    O/B/I probabilities. Where windows overlap, each token keeps the prediction from the window in
    which it sits farthest from an edge, i.e. with the most context on both sides.
    """

    offsets: np.ndarray
    probs: np.ndarray


class WindowMerger:
    """Accumulates window predictions for one document (arrays, resolved once in ``result``)."""

    def __init__(self, n_labels: int) -> None:
        self.n_labels = n_labels
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, offsets: Sequence[tuple[int, int]], probs: np.ndarray) -> None:
        off = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
        real = np.flatnonzero(off[:, 1] > off[:, 0])
        if len(real) == 0:
            return
        pos = np.arange(len(real))
        margin = np.minimum(pos, len(real) - 1 - pos)
        self.parts.append((off[real], margin, np.asarray(probs, dtype=np.float32)[real]))

    def result(self) -> DocumentScores:
        if not self.parts:
            return DocumentScores(np.zeros((0, 2), dtype=np.int64), np.zeros((0, self.n_labels, 3), np.float32))
        off = np.concatenate([p[0] for p in self.parts])
        margin = np.concatenate([p[1] for p in self.parts])
        probs = np.concatenate([p[2] for p in self.parts])
        # Sort by token, best context first; the first row of each token is the one kept.
        order = np.lexsort((-margin, off[:, 1], off[:, 0]))
        off, probs = off[order], probs[order]
        first = np.ones(len(off), dtype=bool)
        first[1:] = (off[1:] != off[:-1]).any(axis=1)
        return DocumentScores(off[first], probs[first])


def decode_spans(text: str, scores: DocumentScores, labels: Sequence[str], thresholds: Sequence[float],
                 min_chars: int = 1, continue_ratio: float = 1.0,
                 paired: frozenset[str] = PAIRED_LABELS) -> list[Span]:
    """Spans per label: a run of tokens whose inside probability P(B)+P(I) passes the label's
    threshold, split where a token is more likely a beginning than a continuation.

    With ``continue_ratio`` < 1 the decoding has hysteresis: a run starts at the threshold but
    goes on while tokens stay above ``threshold * continue_ratio``, so one weak token in the middle
    of a clause ("the army" in a long attribution) does not cut a span in two. The spans then obey
    :func:`framespan.boundaries.tidy_spans`: whole words, whole quoted names, both marks of a scare
    quote, no span of punctuation alone.

    A label in ``paired`` (scare quotes) is read off the quotations instead: see
    :func:`decode_quoted`.
    """
    spans: list[Span] = []
    if len(scores.offsets) == 0:
        return spans
    inside = scores.probs[:, :, 1] + scores.probs[:, :, 2]  # (tokens, labels)
    begin_wins = scores.probs[:, :, 1] > scores.probs[:, :, 2]
    for col, label in enumerate(labels):
        runs = _runs(inside[:, col], begin_wins[:, col], thresholds[col], continue_ratio)
        found = [Span(int(scores.offsets[r[0], 0]), int(scores.offsets[r[-1], 1]), label,
                      float(inside[r, col].mean())) for r in runs]
        found = [s for s in found if s.end - s.start >= min_chars]
        spans += decode_quoted(text, scores.offsets, inside[:, col], label, thresholds[col], found) \
            if label in paired else found
    # Tidying can make two runs of one label cover the same chars; one is kept.
    return dedupe(tidy_spans(text, spans))


def decode_quoted(text: str, offsets: np.ndarray, inside: np.ndarray, label: str, threshold: float,
                  runs: Sequence[Span]) -> list[Span]:
    """A quotation-delimited device: every short quotation (with a so-called before it) whose
    strongest token passes ``threshold``, plus the token runs that hold an unquoted so-called.

    A scare quote's edges are its marks, so choosing among whole quotations cannot cut one short or
    run it into the next sentence; other token runs of the label are dropped, being mostly parts of
    longer quotations (docs/benchmarks.md, "Scare quotes from quotations").
    """
    terms = quoted_terms(text)
    out = []
    for a, b in terms:
        tokens = np.flatnonzero((offsets[:, 0] < b) & (offsets[:, 1] > a))
        if len(tokens) and inside[tokens].max() >= threshold:
            out.append(Span(a, b, label, float(inside[tokens].max())))
    return out + [s for s in runs if SO_CALLED.search(text[s.start:s.end])
                  and not any(s.start < b and a < s.end for a, b in terms)]


def candidate_runs(scores: DocumentScores, col: int, floor: float, continue_ratio: float) -> list[tuple[int, int]]:
    """Char ranges of one column's token runs at ``floor``. Every token of a span decoded at a
    threshold at or above ``floor`` lies in one of them, so weighing them (``Detector.weigh_by_head``)
    reaches every token a later decoding can use."""
    inside = scores.probs[:, col, 1] + scores.probs[:, col, 2]
    begin_wins = scores.probs[:, col, 1] > scores.probs[:, col, 2]
    return [(int(scores.offsets[r[0], 0]), int(scores.offsets[r[-1], 1]))
            for r in _runs(inside, begin_wins, floor, continue_ratio)]


def _runs(inside: np.ndarray, begin_wins: np.ndarray, thr: float, continue_ratio: float) -> list[list[int]]:
    """Token runs of one column: a run starts at ``thr`` and goes on above ``thr * continue_ratio``,
    split where a strong token is more likely a beginning than a continuation."""
    runs: list[list[int]] = []
    current: list[int] = []
    low = thr * continue_ratio
    # Only tokens above the continuation level can be in a span; visiting just those keeps
    # decoding linear in the number of candidates, not in the document's length x labels.
    for t in np.flatnonzero(inside >= low):
        t = int(t)
        strong = inside[t] >= thr
        if current and t == current[-1] + 1:
            if strong and begin_wins[t]:
                runs.append(current)
                current = [t]
            elif strong or not begin_wins[t]:
                current.append(t)
            else:
                runs.append(current)
                current = []
        else:
            if current:
                runs.append(current)
            current = [t] if strong else []
    if current:
        runs.append(current)
    # Hysteresis runs both ways: a weak token just before a run joins it too.
    taken_until = -1
    for run in runs:
        while run[0] - 1 > taken_until and low <= inside[run[0] - 1] < thr:
            run.insert(0, run[0] - 1)
        taken_until = run[-1]
    return runs


def classify_by_tags(scores: DocumentScores, start: int, end: int) -> np.ndarray | None:
    """Per-label mean inside probability over the tokens of chars [start, end); None if no token."""
    if len(scores.offsets) == 0:
        return None
    sel = (scores.offsets[:, 0] < end) & (scores.offsets[:, 1] > start)
    if not sel.any():
        return None
    inside = scores.probs[sel, :, 1] + scores.probs[sel, :, 2]
    return inside.mean(axis=0)
