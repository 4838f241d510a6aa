"""Where a full stop ends a sentence: not inside 3.5, after an initialism, a title or a date's month,
nor before a word in lower case."""

from __future__ import annotations

import re

_INITIALISM = re.compile(r"(?<!\w)(?:[A-Z]\.){2,}$|(?<!\w)[A-Z]\.$")  # U.S., John F. Kennedy
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Sen|Rep|Gov|Lt|Sgt|Capt|Jr|Sr|vs|No)\.$")
_MONTH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.$")
# A sentence does not go on in lower case: "5 p.m. local time", "Acme Inc. said", "approx. three".
_GOES_ON = re.compile(r"[ \t]+[a-z]")
_DAY = re.compile(r"[ \t]+\d")


def full_stop_ends(text: str, i: int) -> bool:
    """Whether the full stop at ``text[i]`` ends a sentence (the U.S. regime, Mr. Putin, 3.5, Jan. 7,
    p.m. local time: no)."""
    before = max(0, i - 5)
    return not (text[i + 1:i + 2].isalnum()
                or _INITIALISM.search(text, max(0, i - 4), i + 1)
                or _ABBREVIATION.search(text, before, i + 1)
                or _GOES_ON.match(text, i + 1)
                or (_MONTH.search(text, before, i + 1) and _DAY.match(text, i + 1)))
