"""Naming given spans: the span head reads each span in the window where it has most context."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .backends import Backend, softmax
from .encoding import Window, token_spans


@dataclass
class WindowState:
    """A window of a text being predicted, with its hidden states from the tagging pass."""

    index: int  # the window's position in the chunk's windows (document order)
    window: Window
    hidden: Any  # (tokens, size) tensor


Placement = dict[int, list[tuple[int, tuple[int, int]]]]  # window -> (span index, token range) it names


def best_windows(windows: Sequence[Window], spans: Sequence[tuple[int, int]]) -> Placement:
    """For each window, the spans it names: each span goes to the window where it has the most
    tokens of context on both sides, with its token range there."""
    best: dict[int, tuple[int, int, tuple[int, int]]] = {}  # span -> (margin, window, token range)
    for j, w in enumerate(windows):
        real = [t for t, (a, b) in enumerate(w.offsets) if b > a]
        if not real:
            continue
        lo, hi = w.offsets[real[0]][0], w.offsets[real[-1]][1]
        for i, (s, e) in enumerate(spans):
            rng = token_spans(w.offsets, s, e) if s >= lo and e <= hi else None
            if rng is not None:
                margin = min(rng[0] - real[0], real[-1] - rng[1])
                if i not in best or margin > best[i][0]:
                    best[i] = (margin, j, rng)
    by_window: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, (_, j, rng) in sorted(best.items()):
        by_window.setdefault(j, []).append((i, rng))
    return by_window


def head_probs(backend: Backend, windows: Sequence[Window], spans: Sequence[tuple[int, int]], feats: np.ndarray,
               pad: Callable[[Sequence[Window]], dict[str, np.ndarray]],
               states: Sequence[WindowState] | None = None) -> list[np.ndarray | None]:
    """The span head's label probabilities for each span (None for a span no window holds).
    ``states``: the windows' hidden states from the tagging pass, which spare a second encoder pass."""
    by_window = best_windows(windows, spans)
    result: list[np.ndarray | None] = [None] * len(spans)
    order = sorted(by_window)
    step = backend.max_batch or 16
    for g in range(0, len(order), step):
        group = order[g:g + step]
        k = max(len(by_window[j]) for j in group)
        # Rows past a window's own spans point at its first token; their logits are dropped.
        bounds = np.zeros((len(group), k, 2), dtype=np.int64)
        rows = np.zeros((len(group), k, feats.shape[1]), dtype=np.float32)
        for r, j in enumerate(group):
            for q, (i, rng) in enumerate(by_window[j]):
                bounds[r, q] = rng
                rows[r, q] = feats[i]
        if states:
            logits = backend.span_logits_from_hidden([states[j].hidden for j in group], bounds, rows)
        else:
            logits = backend.span_logits(pad([windows[j] for j in group]), bounds, rows)
        probs = softmax(logits)
        for r, j in enumerate(group):
            for q, (i, _) in enumerate(by_window[j]):
                result[i] = probs[r, q]
    return result
