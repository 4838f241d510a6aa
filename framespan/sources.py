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
# Forms as often nouns ("the report", "media reports have suggested", "EU member states said").
_AMBIGUOUS = frozenset("report reports claim claims note notes comment comments state states estimate "
                       "estimates warning point points".split())
_AUXILIARIES = frozenset("have has had are is were was will would could can may might".split())
# "are said to have warned": a raising verb before "to" reports nothing by itself.
_RAISING = frozenset("said reported believed thought claimed alleged rumoured rumored known expected".split())
# A reporting verb right after one of these, or after a subject or auxiliary following one, is a
# relative clause's ("A man who claims he was there says", "who has been warned"), not the source's.
_RELATIVE = frozenset("who whom whose that which where".split())
_SUBJECTS = frozenset("i we you he she they it".split())
_PREPOSITIONS = frozenset("about across after at before by during for from in into of on over since "
                          "through to under until with within".split())
# Past a run that holds a finite verb of its own ("Ministers are nervous", "expected a deal"), the
# verb after a conjunction or a comma and a new noun phrase is another subject's ("..., one aide
# said"); after a bare noun phrase it is the source's ("A police official, a veteran, said").
_CONJUNCTIONS = frozenset("and but or while".split())
_NEGATIONS = frozenset("not never".split())
_DETERMINERS = frozenset("a an the another one two three four five six several some many multiple few "
                         "various most every his her their our my its this that these those other".split())
# Where a source's noun phrase can open when a run starts a few words late ("official tells" for
# "A U.S. official tells"); "that" before a source is more often a complementizer.
_OPENS_PHRASE = _DETERMINERS - {"that"}
# What follows a reporting verb and opens what was said ("claim that", "claim the minister").
_OPENS_OBJECT = _DETERMINERS | _SUBJECTS
# Words of the clause around a source that a run can start on ("with one source calling").
_LEADING = frozenset("with as and but that are is was were if while because when".split())
# A run that starts on its verb, or on an auxiliary before it, is verb-first ("said a source", "am
# told by"): the guidelines run such a span from the verb through the source, so it is left alone.
_BEFORE_VERB = _AUXILIARIES | frozenset("am be been being now also".split())
# What a verb-first run may hold before its verb ("they are told", "we were told").
_VERB_LEAD = _BEFORE_VERB | _SUBJECTS
# Words a source's span may hold in place of a reporting verb: "according to", a marked anonymity, or
# the word "source" ("with one source calling").
_REPORT_WORDS = frozenset("according anonymity anonymous unnamed unidentified source sources".split())
_REPORTS = _VERBS | _REPORT_WORDS  # the particle verbs ("point", "refer") are among _VERBS
_REACH = 20  # words from a run's first word in which its reporting verb is sought
_WORD = re.compile(r"\w+(?:[-‐'’.]\w+)*")
_BETWEEN_WORDS = re.compile(r"[^\w\s.’'-]")  # punctuation a widened phrase does not cross
_SENTENCE_MARKS = ";:!?\n"
_ADVERBS = frozenset("even outright yet always once".split())  # "did not outright deny"
# Who speaks on the record when a definite noun phrase names them (GUIDELINES.md: named sources and
# on-the-record institutions are near-misses). An institution always does ("the ministry said"); an
# office does once the phrase picks out its one holder ("the defence minister told", "Israel's
# president said"), while a bare "the minister said" may repeat an unnamed source, which is marked.
_INSTITUTIONS = frozenset("ministry government department embassy court council commission army police "
                          "military company".split())
_OFFICES = frozenset("minister president premier chancellor secretary governor mayor ambassador chief "
                     "spokesman spokeswoman spokesperson".split())


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
        # A capitalised word inside a sentence is a name ("Islamic State"), not a verb; in a Title
        # Case headline ("Officials Say Talks Failed") capitals tell nothing.
        title = [text[i].isupper() and not text[i:j].isupper() for i, j in self.words]
        headline = len(title) > 2 and sum(title) >= 0.8 * len(title)
        self.named = [k > 0 and t and not headline for k, t in enumerate(title)]

    def word(self, k: int) -> str:
        """Word k, lower-cased; empty past either end of the sentence."""
        return self.low[k] if 0 <= k < len(self.low) else ""

    def gap(self, k: int) -> str:
        """The text between word k - 1 and word k."""
        return self.text[self.words[k - 1][1]:self.words[k][0]]


def _is_verb(s: _Sentence, k: int, passive: bool = False) -> bool:
    """Whether word k reports: a reporting verb that is no name, noun, infinitive, denial, participle
    ("described as", unless ``passive``: "am told by") or raising verb."""
    low = s.low
    w, before = low[k], low[max(0, k - 3):k]
    after = s.word(k + 1)
    if w in _PARTICLES:
        return after == _PARTICLES[w]
    if w not in _VERBS or s.named[k] or before[-1:] == ["to"] or _denied(before):
        return False
    if w in _AMBIGUOUS and _noun(before[-1] if before else "", after):
        return False
    participle = (w.endswith("ed") or w in ("told", "said", "written")) and not passive
    return not ((participle and after in ("as", "by")) or (after == "to" and w in _RAISING))


def _noun(before: str, after: str) -> bool:
    """Whether a form as often a noun ("report", "claims") is one here: after a determiner,
    possessive or preposition, or before an auxiliary or "of"."""
    return (before in _DETERMINERS or before in _PREPOSITIONS or before.endswith(("'s", "’s"))
            or after in _AUXILIARIES | {"of", "by", "from"})


def _denied(before: list[str]) -> bool:
    """Whether the words before a verb deny it: "not", "didn't", "not outright", "not be"."""
    for i in range(len(before) - 1, -1, -1):
        w = before[i]
        if w in _NEGATIONS or w.endswith(("n't", "n’t")):
            return True
        if not (w in _BEFORE_VERB or w.endswith("ly") or w in _ADVERBS):
            return False
    return False


def _finite(s: _Sentence, first: int, k: int) -> bool:
    """Whether words first..k-1 hold a finite verb: an auxiliary or a past form ("are", "expected")."""
    return any(w in _AUXILIARIES or w.endswith("ed") for w in s.low[first:k])


def _verb(s: _Sentence, first: int, last: int) -> int | None:
    """The reporting verb of a run of words first..last: the first after its first word and within
    _REACH words of it, not past another subject's clause, and not a relative clause's (unless no
    other is found); a form often a noun yields to a plain verb after it, unless it is in the run
    and the plain verb is not, or what was said follows it."""
    found: list[int] = []
    for k in range(first + 1, min(len(s.low), max(last + 1, first + 1 + _REACH))):
        new_clause = s.low[k] in _CONJUNCTIONS or ("," in s.gap(k) and s.low[k] in _OPENS_PHRASE)
        if k > last and new_clause and _finite(s, first, k):
            break
        if _is_verb(s, k):
            found.append(k)
    main = [k for k in found if not _relative(s, k)] or found
    if main and s.low[main[0]] in _AMBIGUOUS and not _opens_object(s, main[0]):
        plain = [k for k in main if s.low[k] not in _AMBIGUOUS and (k <= last or main[0] > last)]
        main = plain or main
    return main[0] if main else None


def _opens_object(s: _Sentence, k: int) -> bool:
    """Whether the word after verb k opens what was said ("claim that", "claim the minister"), which
    a noun ("member states said") is not followed by."""
    return s.word(k + 1) in _OPENS_OBJECT


def _relative(s: _Sentence, k: int) -> bool:
    """Whether verb k belongs to a relative clause: a relative word at most three words before it,
    and right before it that word, an auxiliary, a subject pronoun or a name."""
    prev = s.word(k - 1)
    near = any(w in _RELATIVE for w in s.low[max(0, k - 3):k])
    return near and (prev in _RELATIVE or prev in _BEFORE_VERB or prev in _SUBJECTS or s.named[k - 1])


def _verb_first(s: _Sentence, first: int, last: int) -> bool:
    """Whether the run's first reporting verb comes before any word of a noun phrase."""
    verb = next((k for k in range(first, last + 1) if _is_verb(s, k, passive=True)), None)
    return verb is not None and all(s.low[k] in _VERB_LEAD for k in range(first, verb))


def _phrase_start(s: _Sentence, first: int, verb: int) -> int:
    """Index of the word the source's noun phrase opens on: past clause words a run starts with, or
    back to a determiner with no punctuation, verb or preposition before it in between: the word
    before a run that opens on a plural ("Two officials"), up to three words before one that opens
    on another word ("A senior U.S. diplomat")."""
    low = s.low
    if low[first] in _LEADING:
        k = first
        while k < verb and low[k] in _LEADING and _DETERMINERS & set(low[k + 1:min(k + 3, verb)]):
            k += 1
        return k
    if low[first] in _DETERMINERS:
        return first
    reach = 1 if _plural(low[first]) else 3  # "the past two days officials said": not "two days officials"
    for k in range(first - 1, max(-1, first - 1 - reach), -1):
        if _BETWEEN_WORDS.search(s.gap(k + 1)):
            break
        if low[k] in _OPENS_PHRASE:
            clean = all(low[j] not in _LEADING and not _is_verb(s, j) for j in range(k + 1, first))
            return k if clean and not (k > 0 and low[k - 1] in _PREPOSITIONS) else first
    return first


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is", "'s", "’s")) and "." not in word


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
    according = [k for k in range(max(0, first - 4), last + 1) if s.low[k] == "according"
                 and not any(_BETWEEN_WORDS.search(s.gap(j)) for j in range(k + 1, first + 1))]
    if according:
        return min(start, s.words[according[-1]][0]), end  # where its noun phrase ends, only the model says
    if _verb_first(s, first, last):
        return start, end
    verb = _verb(s, first, last)
    if verb is None:
        return start, end
    close = verb + 1 if s.low[verb] in _PARTICLES else verb
    return s.words[_phrase_start(s, first, verb)][0], s.words[close][1]


def reports(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] can be an anonymous source as the guidelines mark one: it holds a
    reporting verb, "according", "source" or a word of anonymity. A run the model found without any
    ("know", "website", "friends and neighbors") is no source, whatever its score."""
    return any(m.group(0).lower() in _REPORTS for m in _WORD.finditer(text, start, end))


def on_record(text: str, start: int, end: int) -> bool:
    """Whether the source text[start:end] is one the reader can name: a definite noun phrase (opened
    by "the" or a possessive, in the span or right before it) whose head, before any comma, relative
    word, preposition or reporting word, is an institution, or an office with a word before it or a
    possessive ("the ministry said", "the defence minister told"; not "a senior minister said", "the
    minister's aides said" or a bare "the minister said")."""
    words = list(_WORD.finditer(text, start, end))
    low = [m.group(0).lower() for m in words]
    if low and _definite(low[0]):
        lead, first = low[0], 1
    else:
        prev = re.search(r"([\w'’]+)\s+$", text[max(0, start - 40):start])
        if prev is None or not _definite(prev.group(1).lower()):
            return False
        lead, first = prev.group(1).lower(), 0
    head = None
    for k in range(first, len(low)):
        comma = k > first and "," in text[words[k - 1].end():words[k].start()]
        if comma or low[k] in _REPORTS or low[k] in _RELATIVE or low[k] in _PREPOSITIONS:
            break
        head = k
    if head is None:
        return False
    return low[head] in _INSTITUTIONS or (low[head] in _OFFICES and (lead != "the" or head > first))


def _definite(word: str) -> bool:
    return word == "the" or word.endswith(("'s", "’s"))
