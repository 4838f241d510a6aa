"""Typography augmentation keeps every offset valid (hypothesis) and changes only typography."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from framespan.augment import DOUBLE, SINGLE, augment_document, augment_documents, restyle_quotes
from framespan.spans import Document, Span

ALPHABET = st.sampled_from(list("ab Zß\u00e9\u0130\n.,-") + list(DOUBLE + SINGLE) + ["\U0001f642", "\ufb01"])


@st.composite
def documents(draw):
    text = "".join(draw(st.lists(ALPHABET, max_size=60)))
    spans = []
    for _ in range(draw(st.integers(0, 4))):
        if len(text) < 1:
            break
        a = draw(st.integers(0, len(text) - 1))
        b = draw(st.integers(a + 1, len(text)))
        spans.append(Span(a, b, "scare_quotes"))
    return Document("d", text, spans)


def _fold(c: str) -> str:
    if c in DOUBLE:
        return '"'
    if c in SINGLE:
        return "'"
    return c.lower()


@settings(max_examples=200, deadline=None)
@given(documents(), st.integers(0, 10_000))
def test_variant_keeps_length_spans_and_letters(doc, seed):
    out = augment_document(doc, random.Random(seed))
    assert len(out.text) == len(doc.text) and out.spans == doc.spans
    for s in out.spans:
        assert 0 <= s.start < s.end <= len(out.text)
    # Only quote style and letter case change, character for character.
    assert [_fold(c) for c in out.text] == [_fold(c) for c in doc.text]


def test_glued_and_spaced_quotes_get_one_style():
    text = 'the so-called\u201dFront\u201d and "bands"'
    styles = {restyle_quotes(text, random.Random(s)) for s in range(40)}
    assert 'the so-called"Front" and "bands"' in styles
    assert "the so-called\u201cFront\u201d and \u201cbands\u201d" not in styles  # glued opener stays a closer
    assert "the so-called\u201dFront\u201d and \u201cbands\u201d" in styles


def test_rate_zero_changes_nothing_and_rate_is_seeded():
    docs = [Document(str(i), 'He said "no".', []) for i in range(50)]
    assert augment_documents(docs, 0.0, 1) == docs
    assert augment_documents(docs, 0.5, 7) == augment_documents(docs, 0.5, 7)
    changed = sum(a != b for a, b in zip(augment_documents(docs, 0.5, 7), docs))
    assert 10 < changed < 40
