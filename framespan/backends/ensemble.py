"""The ensemble backend: member backends run on the same windows, their probabilities averaged."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import RunError
from .base import Backend, softmax


def log_mean_softmax(logits: Sequence[np.ndarray]) -> np.ndarray:
    """Logits whose softmax is the mean of the members' softmaxes (callers apply softmax to what a
    backend returns)."""
    return np.log(np.maximum(np.mean([softmax(x) for x in logits], axis=0), 1e-12))


class EnsembleBackend(Backend):
    def __init__(self, members: Sequence[Backend]) -> None:
        if not members:
            raise RunError("an ensemble needs at least one member")
        self.members = list(members)
        self.max_batch = min((m.max_batch for m in self.members if m.max_batch), default=None)

    @property
    def has_span_head(self) -> bool:
        return all(m.has_span_head for m in self.members)

    def tag_logits(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        return log_mean_softmax([m.tag_logits(batch) for m in self.members])

    def span_logits(self, batch: dict[str, np.ndarray], bounds: np.ndarray,
                    feats: np.ndarray | None = None) -> np.ndarray:
        return log_mean_softmax([m.span_logits(batch, bounds, feats) for m in self.members])
