"""Decoding strategies: which tag columns find spans, and which settings tuning may choose.

``LabelColumns`` reads each label's own column. ``AnyDevice`` reads the label-agnostic column (its
spans are then named by the span head: SemEval's identify-then-classify pipeline).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .decoding import DocumentScores, decode_spans
from .encoding import ANY_DEVICE
from .settings import DecodeSettings
from .spans import Span


@dataclass(frozen=True)
class Columns:
    """Where each label's tag column sits: schema order, then the any-device column if present."""

    names: list[str]
    active: list[str]  # labels the training data annotated
    any_device: bool = False

    @property
    def active_indices(self) -> list[int]:
        return [self.names.index(n) for n in self.active]

    @property
    def any_device_index(self) -> int:
        return len(self.names)

    @property
    def count(self) -> int:
        return len(self.names) + int(self.any_device)


def only_columns(scores: DocumentScores, cols: Sequence[int]) -> DocumentScores:
    return DocumentScores(scores.offsets, scores.probs[:, list(cols), :])


def any_device_scores(scores: DocumentScores, columns: Columns, label_weight: float = 0.0) -> DocumentScores:
    """The any-device column alone (tokens, 1, 3), its inside probability optionally blended with
    the label columns' own evidence.

    With ``label_weight`` w > 0 the inside probability becomes (1 - w) * p_any + w * p_labels, where
    p_labels = 1 - prod(1 - p_label) over the active labels (noisy-or: the chance that some device's
    tagger marks the token). The per-label taggers learn from the same spans through other columns,
    so their errors differ in part from the any-device column's, and averaging the two views ranks
    tokens better than either alone (docs/benchmarks.md). The column's own split of inside mass
    into B and I is kept, so span starts decode as before.
    """
    col = scores.probs[:, columns.any_device_index:columns.any_device_index + 1, :]
    label_cols = columns.active_indices
    if label_weight <= 0 or not label_cols or len(scores.offsets) == 0:
        return DocumentScores(scores.offsets, col)
    det_in = col[:, 0, 1] + col[:, 0, 2]
    lab_in = scores.probs[:, label_cols, 1] + scores.probs[:, label_cols, 2]
    any_label = 1.0 - np.prod(np.clip(1.0 - lab_in, 0.0, 1.0), axis=1)
    inside = (1.0 - label_weight) * det_in + label_weight * any_label
    # Where the column puts no inside mass at all, the label columns' start/continue split is unknown;
    # I (continue) is the neutral choice, as it never cuts a span.
    frac_b = np.divide(col[:, 0, 1], det_in, out=np.zeros_like(det_in), where=det_in > 0)
    out = np.empty_like(col)
    out[:, 0, 1] = inside * frac_b
    out[:, 0, 2] = inside * (1.0 - frac_b)
    out[:, 0, 0] = 1.0 - inside
    return DocumentScores(scores.offsets, out)


class Strategy(ABC):
    """Finds spans in a text's merged token scores."""

    name: ClassVar[str]
    #: Whether found spans carry the placeholder label ANY_DEVICE and still need a device name.
    names_spans: ClassVar[bool]
    #: The decode settings that threshold tuning chooses for this strategy.
    tunable: ClassVar[tuple[str, ...]]

    @abstractmethod
    def decode(self, text: str, scores: DocumentScores, columns: Columns, settings: DecodeSettings) -> list[Span]:
        ...


class LabelColumns(Strategy):
    name = "labels"
    names_spans = False
    tunable = ("thresholds",)

    def decode(self, text: str, scores: DocumentScores, columns: Columns, settings: DecodeSettings) -> list[Span]:
        return decode_spans(text, only_columns(scores, columns.active_indices), columns.active,
                            [settings.threshold_for(n) for n in columns.active], settings.min_chars,
                            settings.continue_ratio)


class AnyDevice(Strategy):
    name = "any_device"
    names_spans = True
    tunable = ("any_device_threshold", "label_weight")

    def decode(self, text: str, scores: DocumentScores, columns: Columns, settings: DecodeSettings) -> list[Span]:
        return decode_spans(text, any_device_scores(scores, columns, settings.label_weight), [ANY_DEVICE],
                            [settings.any_device_threshold], settings.min_chars, settings.continue_ratio)


STRATEGIES: dict[str, Strategy] = {s.name: s for s in (LabelColumns(), AnyDevice())}
