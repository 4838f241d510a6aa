"""Repetition features: whole-word, case- and spacing-insensitive counts of a span's words."""

from __future__ import annotations

import math

import pytest

from framespan.span_features import N_SPAN_FEATURES, occurrences, span_features


def test_counts_whole_words_only():
    text = "War is war. Warning: the war-torn land."
    assert occurrences(text, 0, 3) == 3  # War, war, war(-torn); not Warning


def test_counts_phrases_across_line_breaks_and_spacing():
    text = "Make it great again.\nMake it\n great   again, they said."
    assert occurrences(text, 0, 19) == 2


def test_unicode_case_folding():
    text = "Die Straße ist lang. DIE STRASSE ist kurz. Zoë and ZOË."
    assert occurrences(text, 4, 10) == 2  # Straße / STRASSE fold to the same word
    assert occurrences(text, 43, 46) == 2


def test_blank_or_punctuation_spans():
    text = "No. No! no?"
    assert occurrences(text, 3, 4) == 0  # a blank span has no words to count
    assert occurrences(text, 0, 3) == 1  # "No." with its full stop occurs once
    assert occurrences(text, 0, 2) == 3


def test_feature_rows():
    text = "the regime, the regime, the regime and a border"
    feats = span_features(text, [(4, 10), (40, 46), (0, 0)])
    assert feats.shape == (3, N_SPAN_FEATURES)
    # "regime": three times, 6 characters, 1 word; " borde" (40-46): once, 6 characters, 1 word; blank: nothing.
    length = [math.log(7.0) / 5, math.log(2.0) / 3]
    assert feats[0].tolist() == pytest.approx([1.0, math.log(3.0), 1.0, *length, 0.0, 0.0])
    assert feats[1].tolist() == pytest.approx([0.0, 0.0, 0.0, *length, 0.0, 0.0])
    assert feats[2].tolist() == [0.0] * N_SPAN_FEATURES


def test_length_features_grow_with_the_span():
    text = "they said the war would never ever end for anyone"
    short, long_ = span_features(text, [(14, 17), (0, len(text))])
    assert long_[3] > short[3] and long_[4] > short[4]
    assert long_[4] == pytest.approx(math.log(11.0) / 3)  # ten words


def test_no_spans():
    assert span_features("text", []).shape == (0, N_SPAN_FEATURES)


def test_earlier_occurrences_mark_the_repeats_not_the_first_use():
    text = "The regime lied. Then the Regime lied again, said the regime."
    first, second, third = span_features(text, [(4, 10), (26, 32), (54, 60)])
    assert first[5:].tolist() == [0.0, 0.0]
    assert second[5:].tolist() == pytest.approx([1.0, math.log(2.0)])
    assert third[5:].tolist() == pytest.approx([1.0, math.log(3.0)])


def test_earlier_occurrences_after_a_length_changing_case_fold():
    # "ß" folds to "ss", so folded indices run one ahead of the text's after it.
    text = "Straße: the regime. STRASSE: the regime."
    later = text.rindex("regime")
    feats = span_features(text, [(later, later + 6), (12, 18)])
    assert feats[0][5] == 1.0 and feats[1][5] == 0.0
