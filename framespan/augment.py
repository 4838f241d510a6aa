"""Typography augmentation: quote styles and capitals swapped character for character, offsets kept.

Real news writes the same device with straight or curly quotes, glued or spaced, in Title Case
headlines or shouted capitals; a corpus written in one style teaches the model that style. Each
change here replaces one character by one character, so every span keeps its offsets.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace

from .spans import DOUBLE_QUOTES as DOUBLE
from .spans import SINGLE_QUOTES as SINGLE
from .spans import Document

_STYLES = (("\"", "\""), ("“", "”"), ("”", "”"), ("«", "»"))


def _opens(text: str, i: int) -> bool:
    """A quote mark opens when it starts a word: at the text start, or after space or an opener."""
    return i == 0 or text[i - 1].isspace() or text[i - 1] in "([{—–-" + DOUBLE + SINGLE


def restyle_quotes(text: str, rng: random.Random) -> str:
    """All double quotes in one style (straight, curly, right-only, guillemets), apostrophes and
    single quotes straight or curly."""
    open_q, close_q = rng.choice(_STYLES)
    curly_single = rng.random() < 0.5
    out = list(text)
    for i, c in enumerate(text):
        if c in DOUBLE:
            out[i] = open_q if _opens(text, i) else close_q
        elif c in SINGLE:
            if curly_single:
                out[i] = "‘" if _opens(text, i) and i + 1 < len(text) and not text[i + 1].isspace() else "’"
            else:
                out[i] = "'"
    return "".join(out)


def _case_map(text: str, upper: bool) -> str:
    # str.upper can lengthen a character ("ß" -> "SS"); such characters stay as they are.
    out = []
    for c in text:
        d = c.upper() if upper else c.lower()
        out.append(d if len(d) == 1 else c)
    return "".join(out)


def recase(text: str, rng: random.Random) -> str:
    """Title Case on the first line (a headline), and a few words in capitals for emphasis."""
    first = text.find("\n")
    head_end = len(text) if first < 0 else first
    chars = list(text)
    if rng.random() < 0.5:
        for i in range(head_end):
            if chars[i].isalpha() and (i == 0 or text[i - 1].isspace()):
                chars[i] = _case_map(chars[i], True)
    words = [i for i in range(len(text)) if text[i].isalpha() and (i == 0 or text[i - 1].isspace())]
    for start in rng.sample(words, k=min(len(words), rng.randint(0, 3))):
        end = start
        while end < len(text) and text[end].isalpha():
            end += 1
        chars[start:end] = _case_map(text[start:end], True)
    return "".join(chars)


def augment_document(doc: Document, rng: random.Random) -> Document:
    """One typographic variant of ``doc``: same length, same spans."""
    text = restyle_quotes(doc.text, rng)
    if rng.random() < 0.5:
        text = recase(text, rng)
    assert len(text) == len(doc.text)
    return replace(doc, text=text)


def augment_documents(docs: Iterable[Document], rate: float, seed: int) -> list[Document]:
    """Each document replaced by a typographic variant with probability ``rate`` (seeded)."""
    rng = random.Random(seed)
    return [augment_document(d, rng) if rng.random() < rate else d for d in docs]
