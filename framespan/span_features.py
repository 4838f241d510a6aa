"""Hand-made span features for the span classifier: how often a span's wording recurs in its text
(and how often before it), and how long the span is."""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

# Repetition is a technique defined by recurrence across the article, which a window of 256 tokens
# cannot see; in PTC 79% of Repetition spans recur verbatim in their article against 8% of the
# other techniques' spans. The counts are given to the span head as features. Length follows: the
# span head mean-pools its tokens, which hides how long a span is, yet length tells techniques apart
# (in PTC a Loaded_Language span has 2 words at the median, a Doubt span 18). Then order: annotators
# mark the repeats, not the first use; of PTC training spans whose words recur, 66% of those with an
# earlier occurrence are Repetition against 16% of first occurrences, which counts alone cannot tell.
# New features go at the end, so a head trained on the first three or five still reads its own.
N_SPAN_FEATURES = 7
_SPACE = re.compile(r"\s+")


def _pattern(phrase: str) -> re.Pattern[str] | None:
    phrase = _SPACE.sub(" ", phrase.strip())
    if not phrase:
        return None
    body = r"\s+".join(re.escape(part) for part in phrase.split(" "))
    # Whole words only: "war" must not count inside "warning".
    head = r"(?<!\w)" if phrase[0].isalnum() or phrase[0] == "_" else ""
    tail = r"(?!\w)" if phrase[-1].isalnum() or phrase[-1] == "_" else ""
    return re.compile(head + body + tail)


def occurrences(text: str, start: int, end: int) -> int:
    """How many times the words of ``text[start:end]`` occur in ``text``, case-insensitively and
    whole-word, itself included (at least 1 for a non-blank span; 0 for a blank one)."""
    # casefold can change a string's length ("ß" -> "ss"), so the span is folded on its own.
    return _count(text.casefold(), text[start:end].casefold())


def _count(folded_text: str, folded_phrase: str) -> int:
    starts = _starts(folded_text, folded_phrase)
    return max(1, len(starts)) if starts is not None else 0


def _starts(folded_text: str, folded_phrase: str) -> list[int] | None:
    """Where the phrase's words occur in the text, in order; None for a phrase with no words."""
    pattern = _pattern(folded_phrase)
    if pattern is None:
        return None
    return [m.start() for m in pattern.finditer(folded_text)]


def span_features(text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """(spans, N_SPAN_FEATURES) float32: recurs at all, log of the other occurrences, recurs 3+ times,
    log of the length in characters / 5, log of the length in words / 3 (both about 0 to 1.5),
    occurs earlier in the text, log of the earlier occurrences."""
    out = np.zeros((len(spans), N_SPAN_FEATURES), dtype=np.float32)
    if not spans:
        return out
    folded = text.casefold()
    # Where casefold keeps the length (nearly always), a span starts at the same index when folded.
    same_length = len(folded) == len(text)
    # One scan of the text per distinct wording: the total and every span's earlier count come from it.
    cache: dict[str, list[int] | None] = {}
    for i, (start, end) in enumerate(spans):
        key = text[start:end].casefold()
        if key not in cache:
            cache[key] = _starts(folded, key)
        starts = cache[key]
        if starts is None:
            continue
        n = max(1, len(starts))
        earlier = 0
        if n >= 2:
            at = start if same_length else len(text[:start].casefold())
            earlier = bisect_left(starts, at)
        out[i] = (float(n >= 2), math.log1p(n - 1), float(n >= 3), math.log1p(end - start) / 5,
                  math.log1p(len(key.split())) / 3, float(earlier >= 1), math.log1p(earlier))
    return out
