"""The contract every backend keeps: tag logits for padded windows, span logits for token ranges."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np

PRECISIONS = ("fp32", "bf16")


class Backend(ABC):
    """Runs the network on a padded batch of windows (``input_ids``, ``attention_mask`` and, for
    models that take them, ``token_type_ids``, each (batch, seq) int64).

    Tag logits are (batch, seq, columns, 3): O/B/I per label column (and the any-device column).
    Span logits are (batch, spans, labels) for token ranges ``bounds`` (batch, spans, 2), first and
    last token inclusive, with ``feats`` (batch, spans, n) the span features the head takes.
    """

    #: Windows per forward call that keep the hardware busy (None: the caller's batch size).
    max_batch: int | None = None
    #: Whether ``tag_logits_and_hidden`` returns hidden states that ``span_logits_from_hidden`` reads,
    #: so naming spans after tagging needs no second encoder pass.
    keeps_hidden: bool = False

    @property
    @abstractmethod
    def has_span_head(self) -> bool:
        """Whether ``span_logits`` works; without a head, spans are named from their tag scores."""

    @abstractmethod
    def tag_logits(self, batch: dict[str, np.ndarray]) -> np.ndarray: ...

    @abstractmethod
    def span_logits(self, batch: dict[str, np.ndarray], bounds: np.ndarray,
                    feats: np.ndarray | None = None) -> np.ndarray: ...

    def tag_logits_and_hidden(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, Any]:
        """Tag logits and the encoder's hidden states (only where ``keeps_hidden``)."""
        raise NotImplementedError(f"{type(self).__name__} does not keep hidden states")

    def span_logits_from_hidden(self, hidden: Sequence[Any], bounds: np.ndarray,
                                feats: np.ndarray | None = None) -> np.ndarray:
        """``span_logits`` for windows whose hidden states are known (only where ``keeps_hidden``)."""
        raise NotImplementedError(f"{type(self).__name__} does not keep hidden states")


def softmax(x: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis, stable for large logits."""
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
