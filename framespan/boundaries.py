"""Span boundaries a reader accepts: whole words, whole quoted names, both marks of a scare quote.

Token taggers see subwords and quote marks as tokens of their own, so raw runs can stop inside a
word, cut a quoted name at its mark, cover a lone quote mark, hold only the strongest words of a
clause-long device, or stop before an anonymous source's verb (:mod:`framespan.sources`).
:func:`tidy_spans` repairs each span against the text, whatever model or backend produced it, and
drops what holds no word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from .sentences import full_stop_ends
from .sources import SOURCE_LABELS, on_record, reports, to_source
from .spans import DOUBLE_QUOTES, SINGLE_QUOTES, Span

QUOTES = DOUBLE_QUOTES + SINGLE_QUOTES
# Labels whose span holds the quotation marks around its term (guidelines: scare_quotes).
PAIRED_LABELS = frozenset({"scare_quotes"})
_EDGE = ",;:.!?)(—–" + QUOTES
_SO_CALLED_WORD = r"so[- ]?called"
SO_CALLED = re.compile(rf"\b{_SO_CALLED_WORD}\b", re.IGNORECASE)
_SO_CALLED_BEFORE = re.compile(rf"({_SO_CALLED_WORD})\s*$", re.IGNORECASE)
FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for with from as and or but this that these those it its is are was were be "
    "been has have had will would can could not no who whom whose which".split())
# Words a span does not end on ("the cowardly souls who", "the ultimate end of"): under 1% of PTC
# spans end on one, so a run that does has stopped short of its noun or gone past its phrase. A
# pronoun, negation or auxiliary can end a phrase ("fight it", "says no", "as they always have"). A
# last "that" is nearly always reported speech's ("commented that"): 10 of 4783 PTC spans end on it.
DANGLING_WORDS = frozenset("a an the of to in on at by for with from as and or but its who whom whose which "
                           "that".split())
# Labels whose span is a noun phrase alone (guidelines, rules 4 and 6: `the [loaded_label: regime]`):
# no determiner or possessive before it, and no pronoun or auxiliary after its noun, where a run
# has gone on into the clause ("The terrorists themselves have"). None of the 670 loaded labels of
# data/ptc-framing starts or ends on such a word. Modals that are also nouns (will, might, can, must,
# may) are not in the list: "iron will", "military might".
NOUN_PHRASE_LABELS = frozenset({"loaded_label"})
# Labels whose span is the whole clause that asserts the device (guidelines: inevitability_appeal;
# the other clause-level labels of the guidelines may be a sentence or a phrase). A token run often
# holds a piece of an appeal ("their death sentence"). 150 of the 158 appeals annotated in data/
# (PTC stand-off and bundled) are the clause :func:`_to_clause` gives; in 6 of the others it starts
# earlier, where a clause opens with no comma ("I'm here to say your time is up"), and in 2 it runs
# on past an "and".
CLAUSE_LABELS = frozenset({"inevitability_appeal"})
_CLAUSE_MARKS = "\n;:()[]—–!?,"
# Discourse markers that open a clause and stay out of its span (guidelines: `But`, `And so`,
# `No,`); the second set only before a comma, as "so far", "yet another" and "no court" are content.
_OPENERS = frozenset({"and", "but", "or", "and so"})
_COMMA_OPENERS = frozenset({"so", "yet", "no", "yes", "well", "now", "still"})
_OPENER = re.compile(r"(and so|\w+)(,?)\s+", re.IGNORECASE)
# A "that" after a verb of saying or knowing opens the clause it reports ("warn that it is
# inevitable"); a relative "that" ("the regime that killed thousands") does not.
_AFTER_THAT = re.compile(
    r"\b(?:warn|say|said|know|knew|claim|insist|believ|think|thought|argu|admit|reali[sz]|understand|"
    r"understood|get|got|see|saw|show|prov|mean|meant|note|fear|hope|clear|certain|sure|obvious|true|"
    r"fact|tell|told|explain|add|stat|declar|announc|predict|promis|vow|swore|assur|remind|ensur|"
    r"guarantee|proclaim|confirm|suggest|demonstrat|boast|report)\w*"
    r"(?:\s+(?:on|in|at|last|this)\s+\w+)?\s+that\s$", re.IGNORECASE)
_DETERMINERS = frozenset("a an the this that these those his her its their our my your some any".split())
_CLAUSE_WORDS = frozenset(
    "he she it they we you i him them us me himself herself itself themselves ourselves yourselves myself "
    "is are was were be been being am has have had do does did would could should shall not".split())
_PAST_THE_NOUN = DANGLING_WORDS | _DETERMINERS | _CLAUSE_WORDS
_NP_WORD = r"\w+(?:[-‐'’]\w+)*"  # hyphenated and apostrophe words are one word here
_LAST_NP_WORD = re.compile(rf"({_NP_WORD})\W*$")
_FIRST_NP_WORD = re.compile(rf"\W*({_NP_WORD})")
_LAST_WORD = re.compile(r"(\w+)\W*$")
_SENTENCE_BEFORE = re.compile(r"(?:^|[.!?][\"'\u201d\u2019]?\s+|\n\s*)$")  # where a sentence opens
MAX_NAME_WORDS = 6  # a quotation this short, on one line, is a name or term, not a quoted sentence


def _is_word(text: str, i: int) -> bool:
    """Part of a word: a letter or digit, a hyphen or apostrophe between two of them (so-called,
    don't), or a full stop between the capitals of an initialism (U.S). A possessive ’s stays
    outside the noun, as annotators mark the noun alone."""
    if not 0 <= i < len(text):
        return False
    c = text[i]
    if c.isalnum():
        return True
    if c == ".":
        return (0 < i < len(text) - 1 and text[i - 1].isupper() and text[i + 1].isupper()
                and not text[i - 2:i - 1].isalnum())
    if c not in "-‐'’" or not (0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()):
        return False
    possessive = c in "'’" and text[i + 1] in "sS" and not (i + 2 < len(text) and text[i + 2].isalnum())
    return not possessive


def quoted_names(text: str) -> list[tuple[int, int]]:
    """(open, close) positions of short quotations: marks paired within a line (``_pairs``), double
    with double and single with single, the quoted text at most MAX_NAME_WORDS words. A short
    quoted sentence ("Their days are numbered.") is one too; ``is_sentence`` tells them apart."""
    pairs = []
    for marks in (DOUBLE_QUOTES, SINGLE_QUOTES):
        line_start = 0
        for line in text.split("\n"):
            for a, b in _pairs(text, line_start, line, marks):
                inner = text[a + 1:b]
                if inner.strip() and len(inner.split()) <= MAX_NAME_WORDS:
                    pairs.append((a, b))
            line_start += len(line) + 1
    return sorted(pairs)


def _pairs(text: str, line_start: int, line: str, marks: str) -> list[tuple[int, int]]:
    """Quotations of one mark family on a line, read left to right. Which way a mark faces comes
    from its neighbours, not its glyph, as real text glues and swaps them (so-called”Front”): a
    mark that looks closing opens nothing, and one that looks opening while a quotation is open
    starts a new one, the first having lost its closing mark. A mark after a plural (the
    generals’) is an apostrophe unless a quotation is open, which it then closes (‘journalists’)."""
    pairs: list[tuple[int, int]] = []
    pending: int | None = None
    for i, c in enumerate(line):
        j = line_start + i
        if c not in marks:
            continue
        if pending is None:
            if _is_mark(text, j) and not _looks_closing(text, j):
                pending = j
        elif _is_mark(text, j) or _after_plural(text, j):
            if _looks_opening(text, j):
                pending = j
            else:
                pairs.append((pending, j))
                pending = None
    return pairs


def _looks_opening(text: str, i: int) -> bool:
    before, after = _neighbours(text, i)
    return (before.isspace() or before in "([{—–/") and after.isalnum()


def _looks_closing(text: str, i: int) -> bool:
    before, after = _neighbours(text, i)
    return not before.isspace() and not after.isalnum()


def _after_plural(text: str, i: int) -> bool:
    before, after = _neighbours(text, i)
    return before in "sS" and not after.isalnum()


def _neighbours(text: str, i: int) -> tuple[str, str]:
    """The characters either side of position ``i``; a space past either end of the text."""
    return (text[i - 1] if i > 0 else " "), (text[i + 1] if i + 1 < len(text) else " ")


def is_sentence(text: str, a: int, b: int) -> bool:
    """Whether the quotation between marks ``a`` and ``b`` ends as a sentence does (. ! ?), unlike a
    name or term (a comma inside the closing mark is only American punctuation)."""
    return text[a + 1:b].rstrip()[-1:] in (".", "!", "?")


def quoted_sentence(text: str, a: int, b: int) -> bool:
    """Whether the quotation between marks ``a`` and ``b`` is a sentence of its own: it opens where
    a sentence does and ends as one does ("Their days are numbered.")."""
    return is_sentence(text, a, b) and _SENTENCE_BEFORE.search(text[max(0, a - 8):a]) is not None


def _is_mark(text: str, i: int) -> bool:
    # An apostrophe inside a word (don't, O’Brien) or after a plural (the generals’) is no mark.
    if text[i] in DOUBLE_QUOTES:
        return True
    before, after = _neighbours(text, i)
    return not (before.isalnum() and (after.isalnum() or before in "sS"))


def function_words_only(part: str) -> bool:
    """Whether every word of ``part`` is an article, preposition, pronoun or auxiliary: such a span
    ("a", "of the", "This is") names nothing a reader could check."""
    words = re.findall(r"\w+", part.lower())
    return bool(words) and all(w in FUNCTION_WORDS for w in words)


def has_content(part: str) -> bool:
    """Something besides punctuation and white space: a letter, digit or symbol (an emoji, a %)."""
    return any(unicodedata.category(c)[0] not in "PZC" for c in part)


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and _is_word(text, start - 1) and _is_word(text, start):
        start -= 1
    while end < len(text) and _is_word(text, end) and _is_word(text, end - 1):
        end += 1
    return start, end


def _possessive_s(text: str, i: int) -> bool:
    """The s of a possessive ’s (the general’s aide) that a span starts on."""
    return (text[i] in "sS" and i > 0 and text[i - 1] in "'’" and text[i - 2:i - 1].isalnum()
            and not text[i + 1:i + 2].isalnum())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _EDGE or _possessive_s(text, start)):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE):
        end -= 1
    # A question keeps its mark (guidelines: doubt).
    if end < len(text) and text[end] == "?" and end > start:
        end += 1
    return start, end


def _drop_dangling(text: str, start: int, end: int) -> tuple[int, int]:
    """Let go of DANGLING_WORDS at the span's end, with the spaces and marks before them; a word in
    capitals stays (Plan A, the IS)."""
    return _drop_last_words(text, start, end, _LAST_WORD, lambda m: _dangling(m.group(1)))


def _drop_last_words(text: str, start: int, end: int, last_word: re.Pattern[str],
                     drop: Callable[[re.Match[str]], bool]) -> tuple[int, int]:
    """Let go of the span's last word while ``drop`` says so and another word stays before it."""
    while (m := last_word.search(text, start, end)) and m.start() > start and drop(m):
        start, end = _trim(text, start, m.start())
    return start, end


def _dangling(word: str) -> bool:
    return word.lower() in DANGLING_WORDS and not word.isupper()


def _to_noun_phrase(text: str, start: int, end: int,
                    names: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """A noun-phrase span without the determiners before it and the clause words after it (a word
    in capitals stays, and so does a word inside a quoted name); None if nothing else is left."""
    words = re.findall(_NP_WORD, text[start:end])
    if words and all(_np_filler(w) for w in words):
        return None
    a, b = _drop_last_words(text, start, end, _LAST_NP_WORD,
                            lambda m: _np_filler(m.group(1)) and not _inside_name(m.start(), names))
    while ((m := _FIRST_NP_WORD.match(text, a, b)) and m.end() < b and m.group(1).lower() in _DETERMINERS
           and not _in_capitals(m.group(1)) and not _inside_name(m.start(1), names)):
        a, b = _trim(text, m.end(), b)
        while a < b and text[a] in "-‐":
            a, b = _trim(text, a + 1, b)
    return _cut_at_clause(text, a, b, names)


def _cut_at_clause(text: str, start: int, end: int, names: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """A noun phrase ends before a pronoun or auxiliary that follows one of its words: a run that
    goes on ("the terrorists themselves have signed their death sentence") has left the phrase for
    its clause. Prepositions stay ("enemies of the people"), as does a clause word in capitals or
    inside a quoted name."""
    words = list(re.finditer(_NP_WORD, text[start:end]))
    for prev, m in zip(words, words[1:]):
        word, at = m.group(0), start + m.start()
        if (word.lower() in _CLAUSE_WORDS and not _np_filler(prev.group(0)) and not _in_capitals(word)
                and not _inside_name(at, names)):
            return _trim(text, start, at)
    return start, end


def _np_filler(word: str) -> bool:
    """A word that does not end a noun phrase; in capitals it is an acronym or a name (the IS, Plan
    A), except the pronoun I."""
    return word.lower() in _PAST_THE_NOUN and (not word.isupper() or word == "I")


def _in_capitals(word: str) -> bool:
    """IS, US: an acronym; a lone capital (A terrorist) opens a sentence."""
    return word.isupper() and len(word) > 1


def _inside_name(i: int, names: Sequence[tuple[int, int]]) -> bool:
    """Whether position ``i`` lies between the marks of a quoted name."""
    return any(a < i < b for a, b in names)


def _widen_to_names(text: str, start: int, end: int, names: Sequence[tuple[int, int]],
                    paired: bool) -> tuple[int, int]:
    """Cover every short quoted name the span reaches into: the words inside the marks, or with
    ``paired`` the marks too (a quoted sentence only then: a span may end inside one)."""
    for a, b in names:
        if not paired and is_sentence(text, a, b):
            continue
        if start <= b and end > a and not (start <= a + 1 and end >= b):
            start, end = min(start, a + 1), max(end, b)
        if paired and start <= b and end > a:
            start, end = min(start, a), max(end, b + 1)
    return start, end


def _clause_edge(text: str, i: int, inner: frozenset[int]) -> bool:
    """Whether ``text[i]`` closes a clause: a line break, a comma or stronger mark, a full stop (not
    one inside 3.5 nor after an initialism or title: the U.S. regime, Mr. Putin), a quotation mark
    (not an apostrophe, nor a mark of a short quoted name the clause holds: ``inner``), or a dash
    with space or the text's edge either side."""
    c = text[i]
    if c in _CLAUSE_MARKS:
        return True
    if c == ".":
        return full_stop_ends(text, i)
    if c in QUOTES:
        return i not in inner and _is_mark(text, i)
    if c not in "-‐":
        return False
    a, b = i, i + 1
    while a > 0 and text[a - 1] in "-‐":
        a -= 1
    while b < len(text) and text[b] in "-‐":
        b += 1
    return (a == 0 or text[a - 1].isspace()) and (b == len(text) or text[b].isspace())


def _to_clause(text: str, start: int, end: int, names: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """The clause a span lies in: out to the clause edge on each side (after a "that" that reports
    it), less the discourse markers that open it. A short quoted name is part of its clause, unless
    the span lies inside it (a quoted clause)."""
    inner = frozenset(m for a, b in names if not is_sentence(text, a, b) and not a < start <= end <= b + 1
                      for m in (a, b))
    a, b = start, end
    while a > 0 and not _clause_edge(text, a - 1, inner) and not _AFTER_THAT.search(text, max(0, a - 40), a):
        a -= 1
    while b < len(text) and not _clause_edge(text, b - 1, inner) and not _clause_edge(text, b, inner):
        b += 1
    a, b = _trim_dashes(text, *_trim(text, a, b))
    while (m := _OPENER.match(text, a, b)) and _opens(m) and has_content(text[m.end():b]):
        a, b = _trim_dashes(text, *_trim(text, m.end(), b))
    return a, b


def _speech_marks(text: str, names: Sequence[tuple[int, int]]) -> Callable[[int], bool]:
    """Whether text[i] is a quotation mark around speech: not an apostrophe, nor a mark of a short
    quoted name ("multiple credible sources" told), which ends in no comma or full stop."""
    inner = frozenset(m for a, b in names if not is_sentence(text, a, b) and text[b - 1] not in ",.!?"
                      for m in (a, b))
    return lambda i: text[i] in QUOTES and i not in inner and _is_mark(text, i)


def _opens(m: re.Match[str]) -> bool:
    word = m.group(1).lower()
    return word in _OPENERS or (word in _COMMA_OPENERS and m.group(2) == ",")


def _trim_dashes(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start] in "-‐" or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in "-‐" or text[end - 1].isspace()):
        end -= 1
    return start, end


def _balance_marks(start: int, end: int, names: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """A span that holds one mark of a quotation and all its words holds the other mark too."""
    for a, b in names:
        if start <= a < end == b:
            end = b + 1
        elif start == a + 1 and a + 1 < end and end > b:
            start = a
    return start, end


def _to_quoted_term(start: int, end: int, names: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """A scare quote is the quoted term and its marks (and ``so-called``): words the span holds
    outside the one quotation inside it are let go (guidelines: `"green" bonds` marks `"green"`)."""
    inside = [(a, b) for a, b in names if start <= a and b < end]
    return (inside[0][0], inside[0][1] + 1) if len(inside) == 1 else (start, end)


def so_called_start(text: str, start: int) -> int:
    """Where a ``so-called`` just before ``start`` begins (``start`` itself when there is none)."""
    m = _SO_CALLED_BEFORE.search(text[max(0, start - 12):start])
    return start - (len(m.group(0))) if m else start


def quoted_terms(text: str) -> list[tuple[int, int]]:
    """Where a scare quote can stand: each short quotation with both marks, and a ``so-called`` just
    before it (an unquoted so-called term has no marks to find it by). A quoted sentence of its own
    is reported speech, not a term held at arm's length, so it is no place for one."""
    return [(so_called_start(text, a), b + 1) for a, b in quoted_names(text) if not quoted_sentence(text, a, b)]


def tidy_span(text: str, span: Span, names: Sequence[tuple[int, int]]) -> Span | None:
    """``span`` on word edges, whole quoted names, a scare quote with both marks, an appeal its whole
    clause, an anonymous source its noun phrase through its verb; None if it holds only punctuation
    or white space, or is a source with no word that reports or one on the record."""
    paired = span.label in PAIRED_LABELS
    start, end = _trim(text, *_snap(text, span.start, span.end))
    if start >= end or not has_content(text[start:end]) or function_words_only(text[start:end]):
        return None
    start, end = _widen_to_names(text, start, end, names, paired)
    if paired:
        start, end = _to_quoted_term(start, end, names)
        start = so_called_start(text, start)
    else:
        start, end = _balance_marks(*_drop_dangling(text, *_trim(text, start, end)), names)
        if span.label in CLAUSE_LABELS:
            start, end = _balance_marks(*_to_clause(text, start, end, names), names)
        if span.label in SOURCE_LABELS:
            start, end = _balance_marks(*to_source(text, start, end, _speech_marks(text, names)), names)
            if not reports(text, start, end) or on_record(text, start, end):
                return None
        if span.label in NOUN_PHRASE_LABELS:
            phrase = _to_noun_phrase(text, start, end, names)
            if phrase is None:
                return None
            start, end = _balance_marks(*phrase, names)
    return Span(start, end, span.label, span.score)


def merge_fragments(text: str, spans: Iterable[Span]) -> list[Span]:
    """Join spans of one label that overlap, or that only a quote mark, apostrophe or hyphen
    separates; the joined span keeps the higher score."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.label, s.start, s.end)):
        prev = out[-1] if out and out[-1].label == s.label else None
        if prev is not None and (s.start < prev.end or all(c in QUOTES + "-‐" for c in text[prev.end:s.start])):
            score = max(prev.score or 0.0, s.score or 0.0) if prev.score is not None else s.score
            out[-1] = Span(prev.start, max(prev.end, s.end), s.label, score)
        else:
            out.append(s)
    return sorted(out)


def tidy_spans(text: str, spans: Iterable[Span]) -> list[Span]:
    """Every rule of this module applied to a document's spans."""
    names = quoted_names(text)
    kept = [t for t in (tidy_span(text, s, names) for s in spans) if t is not None]
    return merge_fragments(text, kept)
