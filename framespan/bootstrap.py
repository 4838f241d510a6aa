"""Paired bootstrap over documents for differences in corpus-level (partial-credit) F1 between two runs.

Partial-credit F1 is not a mean of per-document scores, so each document contributes its sufficient
statistics instead: the precision numerator, the number of predicted spans, the recall numerator and
the number of gold spans. A resample draws documents with replacement; its F1 is recomputed from the
summed statistics with the same conventions as :func:`framespan.metrics.prf`. Drawing per-document
multiplicities (a multinomial) and taking one matrix product gives all resamples at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

# Column order of a statistics array: one row per document.
STAT_COLUMNS = ("prec_num", "n_pred", "rec_num", "n_gold")


def stats_from_scores(scores: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """A document's (prec_num, n_pred, rec_num, n_gold) from a metrics dict of that document alone.

    The metrics report precision = prec_num / n_pred and recall = rec_num / n_gold (0 when the count
    is 0, where the numerator is 0 too), so the numerators are recovered exactly up to rounding.
    """
    n_pred, n_gold = float(scores["n_pred"]), float(scores["n_gold"])
    return float(scores["precision"]) * n_pred, n_pred, float(scores["recall"]) * n_gold, n_gold


def f1_from_stats(totals: np.ndarray) -> np.ndarray:
    """F1 for summed statistics ``(..., 4)``: P = 0 without predictions, R = 0 without gold, F1 = 1
    when both are empty, as the official scorers do."""
    totals = np.asarray(totals, dtype=float)
    prec_num, n_pred, rec_num, n_gold = (totals[..., i] for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n_pred > 0, prec_num / np.where(n_pred > 0, n_pred, 1.0), 0.0)
        r = np.where(n_gold > 0, rec_num / np.where(n_gold > 0, n_gold, 1.0), 0.0)
        both = (p > 0) & (r > 0)
        f1 = np.where(both, 2 * p * r / np.where(both, p + r, 1.0), 0.0)
    return np.where((n_pred == 0) & (n_gold == 0), 1.0, f1)


def corpus_f1(stats: np.ndarray) -> float:
    """Corpus-level F1 of per-document statistics ``(docs, 4)``."""
    return float(f1_from_stats(np.asarray(stats, dtype=float).sum(axis=0)))


@dataclass
class BootstrapResult:
    """Difference ``F1(b) - F1(a)`` with its bootstrap distribution summarised."""

    f1_a: float
    f1_b: float
    delta: float
    ci_low: float
    ci_high: float
    flip_share: float
    n_resamples: int
    seed: int
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def resample_counts(n_docs: int, n_resamples: int, seed: int) -> np.ndarray:
    """(resamples, docs) multiplicities of each document in each resample, drawn with replacement."""
    rng = np.random.default_rng(seed)
    if n_docs == 0:
        return np.zeros((n_resamples, 0), dtype=np.int64)
    return rng.multinomial(n_docs, np.full(n_docs, 1.0 / n_docs), size=n_resamples)


def paired_bootstrap(stats_a: np.ndarray, stats_b: np.ndarray, n_resamples: int = 1000, seed: int = 0,
                     confidence: float = 0.95, counts: np.ndarray | None = None) -> BootstrapResult:
    """Paired bootstrap of ``F1(b) - F1(a)`` over documents.

    ``stats_a`` and ``stats_b`` are ``(docs, 4)`` arrays (columns :data:`STAT_COLUMNS`) for the same
    documents in the same order; both runs see the same resampled documents, which is what makes the
    test paired. ``flip_share`` is the share of resamples whose difference does not have the observed
    difference's sign (a resampled tie counts as a flip when the observed difference is not 0; when it
    is 0, any non-zero resampled difference does). ``counts`` may pass precomputed
    :func:`resample_counts` so that several metrics share the resamples.
    """
    a = np.asarray(stats_a, dtype=float).reshape(-1, len(STAT_COLUMNS))
    b = np.asarray(stats_b, dtype=float).reshape(-1, len(STAT_COLUMNS))
    if a.shape != b.shape:
        raise ValueError(f"paired bootstrap needs the same documents for both runs, got {len(a)} and "
                         f"{len(b)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if counts is None:
        counts = resample_counts(len(a), n_resamples, seed)
    elif counts.shape[1] != len(a):
        raise ValueError(f"counts cover {counts.shape[1]} documents, the statistics {len(a)}")
    f1_a, f1_b = corpus_f1(a), corpus_f1(b)
    delta = f1_b - f1_a
    deltas = f1_from_stats(counts @ b) - f1_from_stats(counts @ a)
    # Differences are sums of floats computed in different orders; treat rounding noise as a tie.
    eps = 1e-12
    signs = np.where(np.abs(deltas) <= eps, 0, np.sign(deltas))
    observed = 0 if abs(delta) <= eps else int(np.sign(delta))
    low, high = _percentiles(deltas, confidence) if len(deltas) else (delta, delta)
    return BootstrapResult(f1_a=f1_a, f1_b=f1_b, delta=delta, ci_low=low, ci_high=high,
                           flip_share=float(np.mean(signs != observed)) if len(deltas) else 0.0,
                           n_resamples=int(counts.shape[0]), seed=seed, confidence=confidence)


def f1_interval(stats: np.ndarray, n_resamples: int = 1000, seed: int = 0,
                confidence: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of one run's corpus F1 over its documents ``(docs, 4)``: how
    much the figure owes to which documents happened to be held out."""
    stats = np.asarray(stats, dtype=float).reshape(-1, len(STAT_COLUMNS))
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    if len(stats) == 0:
        return 0.0, 0.0
    return _percentiles(f1_from_stats(resample_counts(len(stats), n_resamples, seed) @ stats), confidence)


def _percentiles(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """The central ``confidence`` share of bootstrap ``values``, as (low, high)."""
    tail = (1 - confidence) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def stats_array(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """A ``(docs, 4)`` float array from per-document statistic tuples."""
    return np.asarray(rows, dtype=float).reshape(-1, len(STAT_COLUMNS))
