"""Paired bootstrap over documents: cases with known answers, and agreement with the span metrics."""

from __future__ import annotations

import numpy as np
import pytest

from framespan.bootstrap import (
    corpus_f1,
    f1_from_stats,
    f1_interval,
    paired_bootstrap,
    resample_counts,
    stats_array,
    stats_from_scores,
)
from framespan.metrics import labeled_scores, prf, si_scores
from framespan.spans import Document, Span


def _stats(rng: np.random.Generator, n: int) -> np.ndarray:
    n_pred = rng.integers(0, 5, n).astype(float)
    n_gold = rng.integers(0, 5, n).astype(float)
    return np.stack([n_pred * rng.random(n), n_pred, n_gold * rng.random(n), n_gold], axis=1)


@pytest.mark.parametrize("totals", [(0, 0, 0, 0), (0, 3, 0, 0), (0, 0, 0, 2), (1.5, 3, 0.5, 2), (2, 2, 4, 4),
                                    (0, 2, 0, 2)])
def test_f1_from_stats_follows_the_scorer_conventions(totals: tuple[float, ...]) -> None:
    prec_num, n_pred, rec_num, n_gold = totals
    expected = prf(prec_num, int(n_pred), rec_num, int(n_gold))[2]
    assert f1_from_stats(np.array(totals, dtype=float)) == pytest.approx(expected)


def test_identical_runs_have_a_zero_interval_and_no_flips() -> None:
    stats = _stats(np.random.default_rng(1), 40)
    res = paired_bootstrap(stats, stats.copy(), n_resamples=1000, seed=3)
    assert res.delta == 0.0
    assert res.ci_low <= 0.0 <= res.ci_high
    assert res.flip_share == 0.0
    assert res.n_resamples == 1000


def test_a_run_better_on_every_document_has_an_interval_above_zero() -> None:
    rng = np.random.default_rng(2)
    n = 30
    gold = rng.integers(1, 4, n).astype(float)
    pred = rng.integers(1, 4, n).astype(float)
    # Same span counts; b earns more credit than a in every single document.
    a = np.stack([0.3 * pred, pred, 0.3 * gold, gold], axis=1)
    b = np.stack([0.7 * pred, pred, 0.7 * gold, gold], axis=1)
    res = paired_bootstrap(a, b, n_resamples=1000, seed=0)
    assert res.delta > 0
    assert res.ci_low > 0
    assert res.flip_share == 0.0


def test_swapping_the_runs_mirrors_the_interval() -> None:
    rng = np.random.default_rng(4)
    a, b = _stats(rng, 25), _stats(rng, 25)
    ab = paired_bootstrap(a, b, seed=5)
    ba = paired_bootstrap(b, a, seed=5)
    assert ab.delta == pytest.approx(-ba.delta)
    assert ab.ci_low == pytest.approx(-ba.ci_high)
    assert ab.flip_share == pytest.approx(ba.flip_share)


def test_vectorised_resamples_equal_recomputing_each_resample() -> None:
    rng = np.random.default_rng(6)
    a, b = _stats(rng, 12), _stats(rng, 12)
    counts = resample_counts(12, 50, seed=7)
    res = paired_bootstrap(a, b, counts=counts)
    deltas = []
    for row in counts:
        idx = np.repeat(np.arange(12), row)  # the documents drawn, with repeats
        deltas.append(corpus_f1(b[idx]) - corpus_f1(a[idx]))
    assert res.ci_low == pytest.approx(np.quantile(deltas, 0.025))
    assert res.ci_high == pytest.approx(np.quantile(deltas, 0.975))
    observed = np.sign(res.delta)
    assert res.flip_share == pytest.approx(np.mean(np.sign(deltas) != observed))


def test_a_fixed_seed_gives_the_same_result() -> None:
    rng = np.random.default_rng(8)
    a, b = _stats(rng, 20), _stats(rng, 20)
    assert paired_bootstrap(a, b, seed=11).to_dict() == paired_bootstrap(a, b, seed=11).to_dict()


def test_resample_counts_draw_n_documents_each_time() -> None:
    counts = resample_counts(9, 100, seed=0)
    assert counts.shape == (100, 9)
    assert (counts.sum(axis=1) == 9).all()


def test_runs_on_different_documents_are_refused() -> None:
    with pytest.raises(ValueError, match="same documents"):
        paired_bootstrap(np.zeros((3, 4)), np.zeros((4, 4)))


def test_per_document_statistics_add_up_to_the_corpus_score() -> None:
    docs = [
        Document("d1", "one two three four five six", [Span(0, 7, "x"), Span(8, 13, "y")]),
        Document("d2", "alpha beta gamma delta", [Span(6, 16, "x")]),
        Document("d3", "nothing to see here", []),
    ]
    pred = {"d1": [Span(0, 3, "x"), Span(4, 13, "y"), Span(14, 18, "x")], "d2": [Span(0, 10, "x")],
            "d3": [Span(0, 7, "y")]}
    for scorer in (labeled_scores, si_scores):
        rows = [stats_from_scores(scorer([d], {d.id: pred[d.id]})) for d in docs]
        assert corpus_f1(stats_array(rows)) == pytest.approx(scorer(docs, pred)["f1"])


def test_f1_interval_holds_the_observed_f1_and_shrinks_with_more_documents() -> None:
    rng = np.random.default_rng(6)
    few, many = _stats(rng, 10), _stats(rng, 400)
    for stats in (few, many):
        low, high = f1_interval(stats, n_resamples=500, seed=1)
        assert low <= corpus_f1(stats) <= high
    width = [np.subtract(*f1_interval(s, n_resamples=500, seed=1)[::-1]) for s in (few, many)]
    assert width[1] < width[0]


def test_f1_interval_of_identical_documents_is_a_point() -> None:
    stats = np.tile([[1.0, 2.0, 1.0, 2.0]], (12, 1))
    assert f1_interval(stats, n_resamples=200) == pytest.approx((0.5, 0.5))
