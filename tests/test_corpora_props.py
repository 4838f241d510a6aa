"""Property tests: any valid documents survive write -> read unchanged in every writable format."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framespan.corpora.common import clean_meta
from framespan.corpora.doccano import read_doccano, write_doccano
from framespan.corpora.jsonl import read_jsonl, write_jsonl
from framespan.corpora.labelstudio import read_labelstudio, write_labelstudio
from framespan.corpora.ptc import read_ptc, write_ptc
from framespan.labels import load_schema
from framespan.spans import Document, Span

LABELS = load_schema("ptc14").names
# Plain characters plus the ones that break offset bookkeeping: astral emoji (two UTF-16 units),
# CR/LF pairs, Unicode line separators, combining marks and a mid-text U+FEFF. No lone surrogates:
# a UTF-8 file cannot hold one, so no reader ever returns one.
CHARS = st.characters(codec="utf-8")
PIECES = st.one_of(CHARS, st.sampled_from(["😀", "🎉", "\r\n", "\r", "\n", "\u2028", "\x85",
                                          "e\u0301", "\ufeff", "\t", '"', "\\"]))
TEXTS = st.lists(PIECES, max_size=40).map("".join)
META = st.dictionaries(st.sampled_from(["split", "outlet", "topic"]), st.text(CHARS, max_size=5), max_size=2)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def documents(draw: st.DrawFn, doc_id: str, rich: bool) -> Document:
    """A valid document; ``rich`` adds meta and annotated_labels, which PTC cannot carry."""
    text = draw(TEXTS)
    spans: set[Span] = set()
    if text:
        for _ in range(draw(st.integers(0, 5))):
            start = draw(st.integers(0, len(text) - 1))
            end = draw(st.integers(start + 1, len(text)))
            spans.add(Span(start, end, draw(st.sampled_from(LABELS))))
    annotated = None
    meta: dict[str, str] = {}
    if rich:
        meta = draw(META)
        if draw(st.booleans()):
            annotated = frozenset({s.label for s in spans} | set(draw(st.lists(st.sampled_from(LABELS)))))
    return Document(doc_id, text, sorted(spans), annotated, meta)


@st.composite
def corpora(draw: st.DrawFn, rich: bool = True) -> list[Document]:
    count = draw(st.integers(0, 4))
    return [draw(documents(str(100 + i), rich)) for i in range(count)]


def same(docs: list[Document], back: list[Document]) -> None:
    assert [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in back] == \
           [(d.id, d.text, d.spans, d.annotated_labels, d.meta) for d in docs]


@SETTINGS
@given(corpora())
def test_jsonl_round_trip(docs):
    with tempfile.TemporaryDirectory() as tmp:
        write_jsonl(docs, Path(tmp) / "c.jsonl")
        same(docs, read_jsonl(Path(tmp) / "c.jsonl"))


@SETTINGS
@given(corpora())
def test_labelstudio_round_trip(docs):
    with tempfile.TemporaryDirectory() as tmp:
        write_labelstudio(docs, Path(tmp) / "c.json")
        same(docs, read_labelstudio(Path(tmp) / "c.json", offsets="auto"))


@SETTINGS
@given(corpora(), st.sampled_from(["label", "entities"]))
def test_doccano_round_trip(docs, style):
    with tempfile.TemporaryDirectory() as tmp:
        write_doccano(docs, Path(tmp) / "c.jsonl", style=style)
        same(docs, read_doccano(Path(tmp) / "c.jsonl"))


@SETTINGS
@given(corpora(rich=False).filter(lambda ds: not any(d.text.startswith("\ufeff") for d in ds)),
       st.sampled_from(["labels", "all.labels"]))
def test_ptc_round_trip(docs, labels):
    # A text opening with U+FEFF is refused by write_ptc: the reader would take it for a BOM.
    with tempfile.TemporaryDirectory() as tmp:
        write_ptc(docs, Path(tmp) / "articles", Path(tmp) / labels)
        same(docs, read_ptc(Path(tmp) / "articles", Path(tmp) / labels))
