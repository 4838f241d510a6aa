"""The one currency of framespan: character-offset spans over a document's text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Quotation marks as real text writes them: straight, curly, low-9, guillemets.
DOUBLE_QUOTES = "\"“”„«»"
SINGLE_QUOTES = "'‘’‚"

@dataclass(frozen=True, order=True)
class Span:
    """A labelled character range ``text[start:end]`` (Python indices, end exclusive)."""

    start: int
    end: int
    label: str
    score: float | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Bool is an int subclass; a True offset is always a bug upstream.
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"Span.{name} must be an int, got {value!r}")
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"Span needs 0 <= start < end, got start={self.start}, end={self.end}")
        if not isinstance(self.label, str) or not self.label:
            raise ValueError(f"Span.label must be a non-empty string, got {self.label!r}")

    def __len__(self) -> int:
        return self.end - self.start

    def overlap(self, other: Span) -> int:
        """Number of characters shared with ``other`` (labels ignored)."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))

    def covered(self, text: str) -> str:
        return text[self.start : self.end]

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        if self.score is not None:
            out["score"] = round(float(self.score), 6)
        if text is not None:
            out["text"] = self.covered(text)
        return out


@dataclass
class Document:
    """A text with its spans.

    ``annotated_labels`` names the labels this document was annotated for; ``None`` means every
    label of the schema. Training masks the loss of labels outside it, so a corpus that annotates
    only some devices never teaches the model that the others are absent.
    """

    id: str
    text: str
    spans: list[Span] = field(default_factory=list)
    annotated_labels: frozenset[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for span in self.spans:
            if span.end > len(self.text):
                raise ValueError(
                    f"document {self.id!r}: span {span.start}-{span.end} ({span.label}) ends past "
                    f"the text (length {len(self.text)})"
                )

    def labels(self) -> set[str]:
        return {s.label for s in self.spans}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "spans": [s.to_dict() for s in sorted(self.spans)],
        }
        if self.annotated_labels is not None:
            out["annotated_labels"] = sorted(self.annotated_labels)
        if self.meta:
            out["meta"] = self.meta
        return out


def dedupe(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans with exact (start, end, label) duplicates removed, keeping the best score."""
    best: dict[tuple[int, int, str], Span] = {}
    for s in spans:
        key = (s.start, s.end, s.label)
        old = best.get(key)
        if old is None or (s.score or 0.0) > (old.score or 0.0):
            best[key] = s
    return sorted(best.values())


def union_spans(spans: Iterable[Span], label: str | None = None) -> list[Span]:
    """Union of spans that share at least one character, transitively, as the SemEval scorers merge
    them; spans that only touch (one ends where the next starts) stay apart. With ``label`` the
    merged spans carry it; otherwise each keeps the label and score of its first member."""
    merged: list[Span] = []
    for s in sorted(spans, key=lambda x: (x.start, x.end)):
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            if s.end > last.end:
                merged[-1] = Span(last.start, s.end, last.label, last.score)
        else:
            merged.append(Span(s.start, s.end, label or s.label, s.score))
    return merged
