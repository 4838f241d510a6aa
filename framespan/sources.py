"""An anonymous source as the guidelines mark it: its noun phrase through its reporting verb."""

from __future__ import annotations

import re
from collections.abc import Callable

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
# The first reporting verb soon after one of these is a relative clause's ("A man who claims he was
# there says"), not the source's.
_RELATIVE = frozenset("who whom whose that which where".split())
_PREPOSITIONS = frozenset("about across after at before by during for from in into of on over since "
                          "through under until with within".split())
# Past a run, its verb is not sought beyond a conjunction or a comma before a new noun phrase: the
# verb there is another subject's ("Ministers are nervous, one aide said").
_CONJUNCTIONS = frozenset("and but or while".split())
_NEGATIONS = frozenset("not never".split())
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
_ADVERBS = frozenset("even outright yet always once".split())  # "did not outright deny"


class _Sentence:
    """The words of the sentence a run lies in, lower-cased, with the text between them."""

    def __init__(self, text: str, start: int, end: int, edge: Callable[[int], bool]) -> None:
        def ends(i: int) -> bool:
            return text[i] in _SENTENCE_MARKS or (text[i] == "." and full_stop_ends(text, i)) or edge(i)

        a, b = start, end
        while a > 0 and not ends(a - 1):
            a -= 1
        while b < len(text) and not ends(b):
            b += 1
        self.text = text
        self.words = [(m.start(), m.end()) for m in _WORD.finditer(text, a, b)]
        self.low = [text[i:j].lower() for i, j in self.words]
        # A capitalised word inside a sentence is a name ("Islamic State"), not a verb.
        self.named = [k > 0 and text[i].isupper() and not text[i:j].isupper() for k, (i, j) in enumerate(self.words)]

    def gap(self, k: int) -> str:
        """The text between word k - 1 and word k."""
        return self.text[self.words[k - 1][1]:self.words[k][0]]


def _is_verb(s: _Sentence, k: int) -> bool:
    """Whether word k reports: a reporting verb that is no name, noun, infinitive, denial, participle
    ("described as") or raising verb."""
    low = s.low
    w, before = low[k], low[max(0, k - 2):k]
    after = low[k + 1] if k + 1 < len(low) else ""
    if w in _PARTICLES:
        return after == _PARTICLES[w]
    if w not in _VERBS or s.named[k] or before[-1:] == ["to"] or _denied(before):
        return False
    if w in _AMBIGUOUS and (before[-1:] and (before[-1] in _DETERMINERS or before[-1].endswith(("'s", "’s")))
                            or after in _AUXILIARIES | {"of", "by", "from"}):
        return False
    # "described as", "quoted by" describe a noun; after "am" or "was" the same words are passive verbs
    participle = (w.endswith("ed") or w in ("told", "said", "written")) and not (before and before[-1] in _BEFORE_VERB)
    return not ((participle and after in ("as", "by")) or (after == "to" and w in _RAISING))


def _denied(before: list[str]) -> bool:
    """Whether the two words before a verb deny it: "not", "didn't", "not outright"."""
    last = before[-1] if before else ""
    if last in _NEGATIONS or last.endswith(("n't", "n’t")):
        return True
    return len(before) == 2 and before[0] in _NEGATIONS and (last.endswith("ly") or last in _ADVERBS)


def _verb(s: _Sentence, first: int, last: int) -> int | None:
    """The reporting verb of a run of words first..last: the first after its first word, at most
    _REACH words past the run and not past a conjunction or a comma before a new noun phrase, that
    is not the first verb of a relative clause, nor a form that is often a noun when the run holds a
    plain verb after it."""
    found: list[int] = []
    for k in range(first + 1, min(len(s.low), last + 1 + _REACH)):
        if k > last and (s.low[k] in _CONJUNCTIONS or ("," in s.gap(k) and s.low[k] in _OPENS_PHRASE)):
            break
        if _is_verb(s, k):
            found.append(k)
    main = [k for k in found if not _relative(s.low, found, k)] or found
    if main and main[0] <= last and s.low[main[0]] in _AMBIGUOUS:
        # "Turkish media reports, based on recordings, have said": a plain verb inside the run wins
        main = [k for k in main if k <= last and s.low[k] not in _AMBIGUOUS] or main
    return main[0] if main else None


def _relative(low: list[str], found: list[int], k: int) -> bool:
    """Whether verb k is the first verb after a relative word at most three words before it."""
    rel = [j for j in range(max(0, k - 3), k) if low[j] in _RELATIVE]
    return bool(rel) and not any(rel[-1] < j < k for j in found)


def _verb_first(s: _Sentence, first: int, last: int) -> bool:
    verb = next((k for k in range(first, last + 1) if _is_verb(s, k)), None)
    return verb is not None and all(s.low[k] in _BEFORE_VERB for k in range(first, verb))


def _phrase_start(s: _Sentence, first: int, verb: int) -> int:
    """Index of the word the source's noun phrase opens on: past clause words a run starts with, or
    back to a determiner at most three words before a run that opens on a singular word, with no
    punctuation, verb or preposition before it in between."""
    low = s.low
    if low[first] in _LEADING:
        k = first
        while k < verb and low[k] in _LEADING and _DETERMINERS & set(low[k + 1:min(k + 3, verb)]):
            k += 1
        return k
    if low[first] in _DETERMINERS or (low[first].endswith("s") and not low[first].endswith("ss")):
        return first  # a determiner or a plural opens a phrase ("Officials said", "Over the weekend officials")
    for k in range(first - 1, max(-1, first - 4), -1):
        if _BETWEEN_WORDS.search(s.gap(k + 1)):
            break
        if low[k] in _OPENS_PHRASE:
            clean = all(low[j] not in _LEADING and not _is_verb(s, j) for j in range(k + 1, first))
            return k if clean and not (k > 0 and low[k - 1] in _PREPOSITIONS) else first
    return first




def to_source(text: str, start: int, end: int, edge: Callable[[int], bool] = lambda i: False) -> tuple[int, int]:
    """The anonymous source a run of text[start:end] belongs to: from the first word of its noun
    phrase through its reporting verb, within one sentence (``edge`` says which other characters end
    one: quotation marks). An ``according to`` source opens on "according". A run with no reporting
    verb in reach, and one that starts on its verb, are returned as they are."""
    s = _Sentence(text, start, end, edge)
    inside = [k for k, (a, b) in enumerate(s.words) if a < end and b > start]
    if not inside:
        return start, end
    first, last = inside[0], inside[-1]
    if "according" in s.low[max(0, first - 2):last + 1]:
        at = next(k for k in range(max(0, first - 2), last + 1) if s.low[k] == "according")
        return min(start, s.words[at][0]), end  # where its noun phrase ends, only the model says
    if _verb_first(s, first, last):
        return start, end
    verb = _verb(s, first, last)
    if verb is None:
        return start, end
    close = verb + 1 if s.low[verb] in _PARTICLES else verb
    return s.words[_phrase_start(s, first, verb)][0], s.words[close][1]
