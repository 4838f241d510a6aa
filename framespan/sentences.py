"""Where a full stop ends a sentence: not inside 3.5, nor after an initialism or a title."""

from __future__ import annotations

import re

_INITIALISM = re.compile(r"(?<!\w)(?:[A-Z]\.){2,}$|(?<!\w)[A-Z]\.$")  # U.S., John F. Kennedy
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Sen|Rep|Gov|Lt|Sgt|Capt|Jr|Sr|vs|No)\.$")


def full_stop_ends(text: str, i: int) -> bool:
    """Whether the full stop at ``text[i]`` ends a sentence (the U.S. regime, Mr. Putin, 3.5: no)."""
    return not (text[i + 1:i + 2].isalnum() or _INITIALISM.search(text, max(0, i - 4), i + 1)
                or _ABBREVIATION.search(text, max(0, i - 5), i + 1))
