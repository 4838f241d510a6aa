"""Stand-off label files (document id, label, start, end) that add an annotation pass to a corpus.

Offsets are those of the document's file, like PTC's own labels: a byte-order mark counts as a
character and is moved out with the text. Every row is checked and a bad one is an error that
names the file and line; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..errors import DataError
from ..labels import LabelSchema
from ..spans import Document, Span
from .common import decode_utf8, make_span, read_bytes


def read_ids(path: str | Path) -> list[str]:
    """Document ids, one a line (blank lines and ``#`` comments skipped)."""
    text, _ = decode_utf8(read_bytes(Path(path)), Path(path))
    return [s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#")]


def read_standoff_rows(path: str | Path, docs: dict[str, Document],
                       schema: LabelSchema | None) -> dict[str, list[Span]]:
    """Spans per document id from a stand-off file; offsets and labels are checked against ``docs``."""
    path = Path(path)
    text, _ = decode_utf8(read_bytes(path), path)
    out: dict[str, list[Span]] = {}
    seen: set[tuple[str, int, int, str]] = set()
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise DataError(f"expected 4 tab-separated fields (ID, LABEL, START, END), got {len(fields)}",
                            path, no)
        doc_id, label, start, end = fields
        if not (start.isdigit() and end.isdigit()):
            raise DataError(f"offsets must be whole numbers, got {start!r} and {end!r}", path, no)
        doc = docs.get(doc_id)
        if doc is None:
            raise DataError(f"no document {doc_id!r} in the corpus", path, no)
        span = make_span(int(start), int(end), label, doc.text, path=path, line=no, where=f"document {doc_id}",
                         schema=schema, shift=1 if doc.meta.get("bom") else 0)
        covered = doc.text[span.start:span.end]
        if covered != covered.strip():
            raise DataError(f"span {start}-{end} starts or ends with white space: {covered!r}", path, no)
        key = (doc_id, span.start, span.end, span.label)
        if key in seen:
            raise DataError(f"duplicate row {doc_id} {label} {start} {end}", path, no)
        seen.add(key)
        out.setdefault(doc_id, []).append(span)
    return out


def add_standoff(docs: Iterable[Document], labels: str | Path, annotated: Iterable[str],
                 articles: str | Path | None = None, schema: LabelSchema | None = None,
                 replace_labels: bool = False) -> list[Document]:
    """``docs`` with one more annotation pass: its spans added and ``annotated`` joined to each read
    document's ``annotated_labels``. ``articles`` lists the documents the pass read (default all).
    With ``replace_labels`` the pass is the only authority for its labels on the documents it read:
    their earlier spans of those labels are dropped."""
    docs = list(docs)
    by_id = {d.id: d for d in docs}
    annotated = frozenset(annotated)
    read = set(read_ids(articles)) if articles is not None else set(by_id)
    unknown = sorted(read - set(by_id))
    if unknown:
        raise DataError(f"{len(unknown)} listed document(s) are not in the corpus, e.g. {unknown[:3]}", articles)
    rows = read_standoff_rows(labels, by_id, schema)
    for doc_id, spans in rows.items():
        if doc_id not in read:
            raise DataError(f"spans for document {doc_id}, which the pass's article list leaves out", labels)
        outside = sorted({s.label for s in spans} - annotated)
        if outside:
            raise DataError(f"document {doc_id}: labels {outside} are not among the pass's annotated labels "
                            f"{sorted(annotated)}", labels)
    out = []
    for doc in docs:
        if doc.id not in read:
            out.append(doc)
            continue
        joined = None if doc.annotated_labels is None else doc.annotated_labels | annotated
        kept = [s for s in doc.spans if not (replace_labels and s.label in annotated)]
        out.append(replace(doc, spans=sorted(kept + rows.get(doc.id, [])), annotated_labels=joined))
    return out
