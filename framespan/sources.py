"""An anonymous source as the guidelines mark it: its noun phrase through its reporting verb."""

from __future__ import annotations

import re

from .sentences import full_stop_ends

# Labels whose span is a source and its verb ("A person with knowledge of the deal said"). A token
# run often holds the noun phrase alone ("Those familiar") or runs on into what was said ("Sources
# say the information gathered so").
SOURCE_LABELS = frozenset({"anonymous_source"})
# The forms of reporting verbs that annotated anonymous sources end on (the 247 of the training
# split's articles and documents), and common ones of the same sense.
_VERBS = frozenset("""
    say says said saying tell tells told telling claim claims claimed claiming reveal reveals revealed
    report reports reported admit admits admitted warn warns warned warning concede concedes conceded
    confirm confirms confirmed describe describes described write writes wrote written indicate
    indicates indicated indicating whisper whispers whispered suggest suggests suggested note notes noted
    observe observes observed disclose discloses disclosed confide confides confided comment comments
    commented allege alleges alleged acknowledge acknowledges acknowledged add adds added explain
    explains explained insist insists insisted state states stated argue argues argued believe believes
    believed estimate estimates estimated mention mentions mentioned deny denies denied recall recalls
    recalled complain complains complained predict predicts predicted assert asserts asserted maintain
    maintains maintained point points pointed refer refers referred""".split())
# Verbs that report only with their particle: "pointed out", "referred to".
_PARTICLES = {"point": "out", "points": "out", "pointed": "out", "refer": "to", "refers": "to", "referred": "to"}
# Forms as often nouns ("the report", "media reports have suggested"): not a verb after a determiner
# or before an auxiliary or preposition, and passed over when a plain verb follows.
_AMBIGUOUS = frozenset("report reports claim claims note notes comment comments state states estimate "
                       "estimates warning point points".split())
_AUXILIARIES = frozenset("have has had are is were was will would could can may might".split())
# "are said to have warned": a raising verb before "to" reports nothing by itself.
_RAISING = frozenset("said reported believed thought claimed alleged rumoured rumored known expected".split())
_RELATIVE = frozenset("who whom that which".split())  # a verb soon after one is in a relative clause
_DETERMINERS = frozenset("a an the another one two three four five six several some many multiple few "
                         "various most every his her their our my its this that these those other".split())
# Where a source's noun phrase can open when a run starts a few words late ("official tells" for
# "A U.S. official tells"); "that" before a source is more often a complementizer.
_OPENS_PHRASE = _DETERMINERS - {"that"}
# Words of the clause around a source that a run can start on ("with one source calling").
_LEADING = frozenset("with as and but that are is was were if while because when".split())
# A run that starts on its verb, or on an auxiliary before it, is verb-first ("said a source", "am
# told by"): the guidelines run such a span from the verb through the source, so it is left alone.
_BEFORE_VERB = _AUXILIARIES | frozenset("am be been being now also".split())
_REACH = 15  # words after a run in which its reporting verb is sought
_WORD = re.compile(r"\w+(?:[-‐'’.]\w+)*")
_BETWEEN_WORDS = re.compile(r"[^\w\s.’'-]")  # punctuation a widened phrase does not cross
_SENTENCE_MARKS = ";:!?\n"


def _sentence_words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, word) of each word of the sentence that holds text[start:end]."""
    def ends(i: int) -> bool:
        return text[i] in _SENTENCE_MARKS or (text[i] == "." and full_stop_ends(text, i))

    a, b = start, end
    while a > 0 and not ends(a - 1):
        a -= 1
    while b < len(text) and not ends(b):
        b += 1
    return [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text, a, b)]


def _is_verb(low: list[str], k: int) -> bool:
    """Whether word k reports: a reporting verb that is no noun, infinitive, denial, participle
    ("described as") or raising verb."""
    w, before = low[k], low[max(0, k - 2):k]
    after = low[k + 1] if k + 1 < len(low) else ""
    if w in _PARTICLES:
        return after == _PARTICLES[w]
    if w not in _VERBS or before[-1:] == ["to"] or {"not", "never"} & set(before):
        return False
    if w in _AMBIGUOUS and (before[-1:] and before[-1] in _DETERMINERS
                            or after in _AUXILIARIES | {"of", "that", "by", "from"}):
        return False
    participle = w.endswith("ed") or w in ("told", "said", "written")
    return not ((participle and after in ("as", "by")) or (after == "to" and w in _RAISING))


def _verb(low: list[str], first: int, last: int) -> int | None:
    """The reporting verb of a run of words first..last: the first after its first word and at most
    _REACH words past it, preferring one outside a relative clause and one that is no noun."""
    found = [k for k in range(first + 1, min(len(low), last + 1 + _REACH)) if _is_verb(low, k)]
    main = [k for k in found if not _RELATIVE & set(low[max(0, k - 3):k])] or found
    return next((k for k in main if low[k] not in _AMBIGUOUS), main[0]) if main else None


def _verb_first(low: list[str], first: int, last: int) -> bool:
    verb = next((k for k in range(first, last + 1) if _is_verb(low, k)), None)
    return verb is not None and all(low[k] in _BEFORE_VERB for k in range(first, verb))


def _phrase_start(text: str, words: list[tuple[int, int, str]], low: list[str], first: int, verb: int) -> int:
    """Index of the word the source's noun phrase opens on: past clause words a run starts with, or
    back to a determiner at most three words before it, with no punctuation or verb between."""
    if low[first] in _LEADING:
        k = first
        while k < verb and low[k] in _LEADING and _DETERMINERS & set(low[k + 1:min(k + 3, verb)]):
            k += 1
        return k
    for k in range(first - 1, max(-1, first - 4), -1):
        if _BETWEEN_WORDS.search(text, words[k][1], words[k + 1][0]):
            break
        if low[k] in _OPENS_PHRASE:
            between = range(k + 1, first)
            return k if all(low[j] not in _LEADING and not _is_verb(low, j) for j in between) else first
    return first


def to_source(text: str, start: int, end: int) -> tuple[int, int]:
    """The anonymous source a run of text[start:end] belongs to: from the first word of its noun
    phrase through its reporting verb, within one sentence. A run with no reporting verb in reach,
    one that starts on its verb, and an ``according to`` source are returned as they are."""
    words = _sentence_words(text, start, end)
    inside = [k for k, (a, b, _) in enumerate(words) if a < end and b > start]
    if not inside:
        return start, end
    first, last = inside[0], inside[-1]
    low = [w.lower() for _, _, w in words]
    if "according" in low[max(0, first - 2):last + 1] or _verb_first(low, first, last):
        return start, end
    verb = _verb(low, first, last)
    if verb is None:
        return start, end
    close = verb + 1 if low[verb] in _PARTICLES else verb
    return words[_phrase_start(text, words, low, first, verb)][0], words[close][1]
