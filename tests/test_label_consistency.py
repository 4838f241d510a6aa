"""PTC term consistency: occurrences of terms marked in other articles, counted on hand-made articles."""

from __future__ import annotations

from framespan.spans import Document, Span

from .conftest import load_benchmark

bench = load_benchmark("label_consistency")
NC = "Name_Calling,Labeling"


def test_only_terms_marked_in_another_article_count_and_whole_words_only() -> None:
    a = Document("a", "The regime lied. The thugs ran.", [Span(4, 10, NC), Span(21, 26, NC)])
    # "regime" is marked here but not in a; "Regimes" is no whole-word occurrence; "thugs" is marked
    # only in a; "the thugs" of c is unmarked.
    b = Document("b", "Regimes fall. The regime, they say.", [Span(18, 24, NC)])
    c = Document("c", "Ask the regime and the thugs.", [])
    marked, total, missed = bench.consistency([a, b, c], NC)
    # a: regime (marked in b) -> marked; b: nothing marked elsewhere but regime (marked in a) -> marked;
    # c: regime and thugs, both unmarked.
    assert (marked, total) == (2, 4)
    assert missed == {"regime": 1, "thugs": 1}


def test_term_rates_count_every_whole_word_occurrence_and_those_inside_a_span() -> None:
    a = Document("a", "The regime lied. Regimes fall.", [Span(0, 10, NC)])
    b = Document("b", "Ask the REGIME, not the regime's friends.", [])
    # "Regimes" is no occurrence; "REGIME" and "regime's" are, unmarked.
    assert bench.term_rates([a, b], NC, ["regime", "junta"]) == [("regime", 3, 1), ("junta", 0, 0)]
