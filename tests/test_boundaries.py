"""Span boundaries people accept, on hand-made real-news text: repaired spans, and both backends."""

from __future__ import annotations

import re

import pytest

from framespan.boundaries import (
    DANGLING_WORDS,
    PAIRED_LABELS,
    _is_word,
    has_content,
    is_sentence,
    quoted_names,
    quoted_terms,
    tidy_spans,
)
from framespan.detector import Detector
from framespan.spans import Span

NEWS = ("Who \u2018Won\u2019 the CLASH in Idlib?\n\n"
        "The so-called\u201dNational Liberation Front\u201d said the \u201cFree Syrian Army\u201d had fled.\n"
        "\u201cThe terrorists themselves have signed their death sentence,\u201d the general\u2019s aide said.\n"
        "An anonymous source inside the army recently commented that the \u2018regime\u2019 won\u2019t last.\n"
        "- Advertisement -\n")
PLURALS = ("Minister Hails \u2018Freedom Fighters\u2019 the Army Will \u2018Liberate\u2019 by Spring\n"
           "The \u2018observers\u2019 ignored the soldiers\u2019 warnings and the 'volunteers' left.\n")


def covered(text: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(s.label, text[s.start:s.end]) for s in spans]


def at(text: str, words: str, label: str, skip: int = 0, cut: int = 0) -> Span:
    i = text.index(words)
    return Span(i + skip, i + len(words) - cut, label, 0.9)


def test_quoted_names_pair_curly_glued_and_single_marks_but_not_apostrophes():
    names = [NEWS[a:b + 1] for a, b in quoted_names(NEWS)]
    assert names == ["\u2018Won\u2019", "\u201dNational Liberation Front\u201d", "\u201cFree Syrian Army\u201d",
                     "\u2018regime\u2019"]


def test_a_mark_after_a_plural_closes_an_open_quotation_and_is_an_apostrophe_elsewhere():
    text = PLURALS
    names = [text[a:b + 1] for a, b in quoted_names(text)]
    assert names == ["\u2018Freedom Fighters\u2019", "\u2018Liberate\u2019", "\u2018observers\u2019", "'volunteers'"]
    spans = tidy_spans(text, [at(text, "Fighters", "scare_quotes")])
    assert covered(text, spans) == [("scare_quotes", "\u2018Freedom Fighters\u2019")]


def test_marks_pair_by_the_way_they_face_so_a_lost_or_stray_mark_shifts_no_pair():
    text = ("The report called it \u201ca breach of \u201ccore values\u201d and the \u201c rule of law \u201d.\n"
            "He said\u201d nothing, then \u201cFront\u201d won.\n")
    names = [text[a:b + 1] for a, b in quoted_names(text)]
    assert names == ["\u201ccore values\u201d", "\u201c rule of law \u201d", "\u201cFront\u201d"]


def test_fragments_of_a_quoted_name_become_the_whole_name():
    spans = [at(NEWS, "\u201cFree", "loaded_label"), at(NEWS, "Syrian Army\u201d", "loaded_label")]
    assert covered(NEWS, tidy_spans(NEWS, spans)) == [("loaded_label", "Free Syrian Army")]


def test_scare_quote_holds_both_marks_and_so_called():
    spans = [at(NEWS, "Liberation", "scare_quotes")]
    assert covered(NEWS, tidy_spans(NEWS, spans)) == [
        ("scare_quotes", "so-called\u201dNational Liberation Front\u201d")]


def test_a_short_quoted_sentence_is_no_name_and_keeps_its_period_outside():
    text = "\u201cTheir days are numbered.\u201d the minister said."
    i = text.index("Their")
    assert covered(text, tidy_spans(text, [Span(i, i + 24, "inevitability_appeal", 0.9)])) == [
        ("inevitability_appeal", "Their days are numbered")]
    assert covered(text, tidy_spans(text, [Span(i, i + 10, "scare_quotes", 0.9)])) == [
        ("scare_quotes", "\u201cTheir days are numbered.\u201d")]


def test_a_span_with_one_mark_of_a_quoted_name_gets_the_other():
    spans = [Span(NEWS.index("so-called"), NEWS.index("Front") + 5, "slogans", 0.9)]
    assert covered(NEWS, tidy_spans(NEWS, spans)) == [("slogans", "so-called\u201dNational Liberation Front\u201d")]


def test_a_scare_quote_lets_go_of_words_outside_its_marks_but_keeps_so_called():
    text = "The group would \u201cnever surrender\u201d, and the so-called \u201cFront\u201d bonds fell."
    spans = [at(text, "would \u201cnever surrender\u201d", "scare_quotes"),
             at(text, "so-called \u201cFront\u201d bonds", "scare_quotes")]
    assert covered(text, tidy_spans(text, spans)) == [("scare_quotes", "\u201cnever surrender\u201d"),
                                                      ("scare_quotes", "so-called \u201cFront\u201d")]


def test_span_of_punctuation_alone_is_dropped():
    i = NEWS.index("\u201cThe")
    spans = [Span(i, i + 1, "scare_quotes", 0.9), at(NEWS, "- Advertisement -", "loaded_language", cut=16)]
    assert tidy_spans(NEWS, spans) == []


def test_span_of_function_words_alone_is_dropped():
    spans = [at(NEWS, "The", "loaded_label"), at(NEWS, "said the", "loaded_language", skip=5),
             at(NEWS, "themselves have signed", "appeal_to_fear")]
    assert covered(NEWS, tidy_spans(NEWS, spans)) == [("appeal_to_fear", "themselves have signed")]
    assert covered("a \U0001f642", tidy_spans("a \U0001f642", [Span(2, 3, "loaded_label")])) == [
        ("loaded_label", "\U0001f642")]  # a symbol is no function word


def test_a_span_lets_go_of_dangling_words_at_its_end_but_not_of_capitals():
    spans = [at(NEWS, "source inside the", "appeal_to_authority"),
             at(NEWS, "their death sentence,\u201d the", "appeal_to_fear"),
             at(NEWS, "so-called\u201dNational Liberation Front\u201d said the", "loaded_label")]
    assert covered(NEWS, tidy_spans(NEWS, spans)) == [
        ("loaded_label", "so-called\u201dNational Liberation Front\u201d said"),
        ("appeal_to_fear", "their death sentence"), ("appeal_to_authority", "source inside")]
    text = "They said the war would end, as wars always have"
    assert covered(text, tidy_spans(text, [Span(18, len(text), "appeal_to_fear")])) == [
        ("appeal_to_fear", "would end, as wars always have")]  # an auxiliary can end a clause
    text = "They backed Plan A against fighters of the IS"
    assert covered(text, tidy_spans(text, [Span(12, 18, "loaded_label"), Span(27, 45, "loaded_label")])) == [
        ("loaded_label", "Plan A"), ("loaded_label", "fighters of the IS")]
    text = "An anonymous source recently commented that the bands had lost"
    assert covered(text, tidy_spans(text, [Span(0, 43, "anonymous_source")])) == [
        ("anonymous_source", "An anonymous source recently commented")]


def test_a_loaded_label_is_its_noun_phrase_without_determiner_or_the_clause_after_it():
    text = "The terrorists themselves have signed their death sentence, and the IS fighters know it"
    spans = [Span(0, 30, "loaded_label"), Span(64, 79, "loaded_label"), Span(0, 30, "inevitability_appeal")]
    assert covered(text, tidy_spans(text, spans)) == [
        ("inevitability_appeal", "The terrorists themselves have signed their death sentence"),  # a clause
        ("loaded_label", "terrorists"), ("loaded_label", "IS fighters")]
    # Curly quotes and a possessive before the noun; a span of determiners and pronouns alone goes.
    text = "Their \u2018regime\u2019 will fall, said their leader: that they"
    spans = [at(text, "Their \u2018regime\u2019", "loaded_label"), at(text, "that they", "loaded_label")]
    assert covered(text, tidy_spans(text, spans)) == [("loaded_label", "regime")]


def test_a_loaded_label_stops_before_the_clause_its_run_went_on_into():
    text = ("The terrorists themselves have signed their death sentence, say enemies of the people, "
            "and the US has agreed.")
    spans = [at(text, "terrorists themselves have signed their death sentence", "loaded_label"),
             at(text, "enemies of the people", "loaded_label"), at(text, "US has", "loaded_label")]
    assert [t for _, t in covered(text, tidy_spans(text, spans))] == ["terrorists", "enemies of the people", "US"]


def test_a_loaded_label_keeps_quoted_names_hyphenated_words_and_nouns_that_look_like_modals():
    text = "The \u201cthe regime\u201d leaders, a political has-been, his iron will, the thugs I saw"
    spans = [at(text, "The \u201cthe regime\u201d leaders", "loaded_label"),
             at(text, "a political has-been", "loaded_label"), at(text, "his iron will", "loaded_label"),
             at(text, "the thugs I", "loaded_label")]
    assert covered(text, tidy_spans(text, spans)) == [
        ("loaded_label", "\u201cthe regime\u201d leaders"), ("loaded_label", "political has-been"),
        ("loaded_label", "iron will"), ("loaded_label", "thugs")]


def test_span_cut_inside_a_word_widens_to_the_word_and_keeps_apostrophes_inside():
    spans = [at(NEWS, "won\u2019t last", "appeal_to_fear", cut=7), at(NEWS, "terrorists", "loaded_label", skip=3)]
    assert covered(NEWS, tidy_spans(NEWS, spans)) == [("loaded_label", "terrorists"),
                                                      ("appeal_to_fear", "won\u2019t")]


@pytest.mark.parametrize(("text", "words", "clause"), [
    # the run caught the strongest words; the span is the clause, out to the quotation's marks
    ("\u201cThe terrorists themselves have signed their death sentence,\u201d he said.",
     "death sentence", "The terrorists themselves have signed their death sentence"),
    # a "that" opens the clause; the full stop of an initialism does not close it
    ("Officials warn that it\u2019s inevitable the U.S. regime will fall, and soon.",
     "inevitable", "it\u2019s inevitable the U.S. regime will fall"),
    # a discourse marker stays out; "No" that is part of the claim stays in
    ("But no court can stop the merger now.", "can stop", "no court can stop the merger now"),
    ("And so, their days are numbered - whatever they say", "days are", "their days are numbered"),
    ("Their fate is sealed\nSign up for our newsletter", "fate", "Their fate is sealed"),
    # a quoted clause ends at its marks, glued or not; a short quoted name inside a clause does not
    ("The general said\u201dtheir days are numbered\u201d.", "days are", "their days are numbered"),
    ("The \u201cregime\u201d is finished, he said.", "is finished", "The \u201cregime\u201d is finished"),
    ("Soon, \u201cAssad\u2019s regime\u201d will be gone.", "regime\u201d will be",
     "\u201cAssad\u2019s regime\u201d will be gone"),
    # a question keeps its mark and stays in its sentence; a dash at the end of a line is an edge
    ("Their fate is sealed. Who can stop it? Nobody.", "Who can stop it", "Who can stop it?"),
    ("Their days are numbered -\nSign up", "days are", "Their days are numbered"),
    # a relative "that", a plural possessive, a title's full stop and a decimal are inside the clause
    ("The regime that killed thousands is finished, he said.", "is finished",
     "The regime that killed thousands is finished"),
    ("The rebels\u2019 days are numbered.", "days are", "The rebels\u2019 days are numbered"),
    ("Mr. Putin\u2019s days are numbered.", "days are", "Mr. Putin\u2019s days are numbered"),
    ("A 3.5 percent rise will surely finish them.", "finish", "A 3.5 percent rise will surely finish them"),
    # "No," is a marker; "So far" and "no court" are part of the claim
    ("No, the regime cannot survive.", "No, the regime cannot", "the regime cannot survive"),
    ("So far nothing has stopped the merger.", "nothing has", "So far nothing has stopped the merger"),
    ("THEY WARN THAT THE REGIME WILL FALL.", "REGIME WILL", "THE REGIME WILL FALL"),
])
def test_an_inevitability_appeal_is_the_whole_clause_its_run_lies_in(text, words, clause):
    assert covered(text, tidy_spans(text, [at(text, words, "inevitability_appeal")])) == [
        ("inevitability_appeal", clause)]


def test_pieces_of_one_clause_become_one_appeal_and_other_labels_keep_their_extent():
    text = "The terrorists themselves have signed their death sentence, the minister said."
    spans = [at(text, "The terrorists", "inevitability_appeal"), at(text, "death", "inevitability_appeal"),
             at(text, "the minister said", "anonymous_source")]
    assert covered(text, tidy_spans(text, spans)) == [
        ("inevitability_appeal", "The terrorists themselves have signed their death sentence"),
        ("anonymous_source", "the minister said")]


def test_an_initialism_is_one_word_so_its_pieces_join():
    text = "It failed, according to a U.S. official, who was not authorized to speak. In the USA.The end"
    spans = [at(text, "according to a U", "anonymous_source"), at(text, "S. official, who", "anonymous_source"),
             at(text, "USA", "loaded_label", cut=1)]
    assert covered(text, tidy_spans(text, spans)) == [
        ("anonymous_source", "according to a U.S. official"), ("loaded_label", "USA")]


def test_possessive_stays_outside_a_noun():
    assert covered(NEWS, tidy_spans(NEWS, [at(NEWS, "general", "loaded_label")])) == [("loaded_label", "general")]
    i = NEWS.index("general\u2019s")
    assert not _is_word(NEWS, i + 7)
    # A run that starts on the possessive s starts at the next word.
    assert covered(NEWS, tidy_spans(NEWS, [Span(i + 8, i + 12, "loaded_label", 0.9)])) == [("loaded_label", "aide")]


def test_sentence_punctuation_leaves_the_edges_but_a_question_keeps_its_mark():
    i = NEWS.index("Who")
    spans = [Span(i, NEWS.index("?"), "doubt", 0.9), at(NEWS, "had fled.", "loaded_language")]
    assert covered(NEWS, tidy_spans(NEWS, spans)) == [("doubt", "Who \u2018Won\u2019 the CLASH in Idlib?"),
                                                      ("loaded_language", "had fled")]


def test_overlapping_and_touching_spans_of_one_label_join_but_other_labels_stay():
    text = "the so-called \u201cFront\u201d \u201cbands\u201d"
    spans = [at(text, "so-called", "scare_quotes"), at(text, "\u201cFront\u201d", "scare_quotes"),
             at(text, "bands", "loaded_label")]
    assert covered(text, tidy_spans(text, spans)) == [("scare_quotes", "so-called \u201cFront\u201d"),
                                                      ("loaded_label", "bands")]


def test_content_is_anything_but_punctuation_and_space():
    assert not has_content(" \u201c\u201d-\u2014 .,") and not has_content("")
    assert has_content("\U0001f642") and has_content("a") and has_content("5%")


def test_empty_and_unicode_texts():
    assert tidy_spans("", []) == []
    text = "Zo\u00eb\u2019s \u201cr\u00e9gime\u201d \U0001f642"
    assert covered(text, tidy_spans(text, [at(text, "gime", "scare_quotes")])) == [
        ("scare_quotes", "\u201cr\u00e9gime\u201d")]


def _check_acceptable(text: str, spans: list[Span]) -> None:
    names = quoted_names(text)
    for s in spans:
        part = text[s.start:s.end]
        assert has_content(part), part
        assert not (_is_word(text, s.start - 1) and _is_word(text, s.start)), part
        assert not (_is_word(text, s.end - 1) and _is_word(text, s.end)), part
        last = re.findall(r"\w+", part)[-1]
        assert s.label in PAIRED_LABELS or last.isupper() or last.lower() not in DANGLING_WORDS, part
        for a, b in names:
            if is_sentence(text, a, b) and s.label != "scare_quotes":
                continue  # a span may end inside a quoted sentence
            inside = s.start > a and s.end <= b
            assert not (inside and (s.start > a + 1 or s.end < b)), f"fragment of a quoted name: {part!r}"
        if s.label == "scare_quotes" and any(c in "\"\u201c\u201d\u2018\u2019" for c in part):
            assert part[-1] in "\"\u201d\u2019\u00bb", part


@pytest.mark.parametrize("folder", ["tiny_model_dir", "tiny_onnx_dir"])
def test_backends_return_only_acceptable_spans(folder, request):
    # Low thresholds make the random tiny model mark many runs, ragged ones included.
    det = Detector.load(request.getfixturevalue(folder)).configure(threshold=0.2, thresholds={})
    texts = [NEWS, NEWS.replace("\u201c", '"').replace("\u201d", '"'), NEWS.upper(), PLURALS, ""]
    found = 0
    for text in texts:
        spans = det.predict(text)
        _check_acceptable(text, spans)
        found += len(spans)
    assert found > 10  # the check above ran on real output, not on nothing


def test_a_quoted_sentence_of_its_own_is_no_place_for_a_scare_quote():
    text = "He told state television. \u201cTheir days are numbered.\u201d Then the so-called \u201creforms.\u201d"
    assert [text[a:b] for a, b in quoted_terms(text)] == ["so-called \u201creforms.\u201d"]
    assert [text[a:b] for a, b in quoted_terms("\u2018We won!\u2019 he said")] == []
