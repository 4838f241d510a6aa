"""framespan's own JSONL corpus format: one document a line, read as a stream.

Each line is ``{"id", "text", "spans": [{"start", "end", "label"}], "annotated_labels"?,
"meta"?}``. Offsets index ``text`` exactly as the JSON string decodes (Python code points, no
newline translation); a span may also carry ``score`` and ``text`` (checked against the offsets).
Lines end in ``\\n`` or ``\\r\\n``; the file is UTF-8, and a leading byte-order mark is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..atomic import atomic_writer
from ..errors import DataError
from ..labels import LabelSchema
from ..spans import Document, Span
from .common import (
    Problems,
    SkipReport,
    clean_meta,
    json_bytes,
    json_line_documents,
    make_span,
    record_document,
    record_id_text,
    record_meta,
)

_DOC_KEYS = {"id", "text", "spans", "annotated_labels", "meta"}
_SPAN_KEYS = {"start", "end", "label", "score", "text"}


def _parse_span(item: Any, text: str, k: int, path: Path, line: int,
                schema: LabelSchema | None) -> Span:
    where = f"spans[{k}]"
    if not isinstance(item, dict):
        raise DataError(f"a span must be an object with start, end, label; got {item!r}", path, line, where)
    missing = [key for key in ("start", "end", "label") if key not in item]
    if missing:
        raise DataError(f"span is missing key(s) {missing}", path, line, where)
    unknown = sorted(set(item) - _SPAN_KEYS)
    if unknown:
        raise DataError(f"span has unknown key(s) {unknown}", path, line, where)
    span = make_span(item["start"], item["end"], item["label"], text, path=path, line=line, where=where,
                     schema=schema, covered=item.get("text"))
    score = item.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise DataError(f"score must be a number, got {score!r}", path, line, where)
        span = Span(span.start, span.end, span.label, float(score))
    return span


def iter_jsonl(path: str | Path, schema: LabelSchema | str | None = None, lenient: bool = False,
               report: SkipReport | None = None) -> Iterator[Document]:
    """Yield the documents of a JSONL corpus one at a time.

    Memory stays flat in the file size; only the ids seen so far are kept, to catch duplicates.
    """
    yield from json_line_documents(path, schema, lenient, report, _parse_document)


def _parse_document(record: Any, path: Path, line: int, schema: LabelSchema | None,
                    problems: Problems) -> Document:
    doc_id, text = record_id_text(record, path, line, ("id", "text", "spans"))
    unknown = sorted(set(record) - _DOC_KEYS)
    if unknown:
        raise DataError(f"unknown key(s) {unknown}; put extra fields under 'meta'", path, line)
    if not isinstance(record["spans"], list):
        raise DataError("spans must be a list", path, line, "spans")
    return record_document(record, doc_id, text, record["spans"], "spans",
                           lambda item, k: _parse_span(item, text, k, path, line, schema),
                           record_meta(record, path, line), path, line, schema, problems)


def read_jsonl(path: str | Path, schema: LabelSchema | str | None = None, lenient: bool = False,
               report: SkipReport | None = None) -> list[Document]:
    """All documents of a JSONL corpus; see :func:`iter_jsonl`."""
    return list(iter_jsonl(path, schema=schema, lenient=lenient, report=report))


def document_record(doc: Document) -> dict[str, Any]:
    """The JSON object one line of the corpus holds for ``doc``."""
    record = doc.to_dict()
    meta = clean_meta(doc.meta)
    if meta:
        record["meta"] = meta
    else:
        record.pop("meta", None)
    return record


def write_jsonl(docs: Iterable[Document], path: str | Path) -> None:
    """Write documents one a line, atomically: a temp file beside ``path`` replaces it at the end."""
    with atomic_writer(path) as f:
        for doc in docs:
            f.write(json_bytes(document_record(doc)) + b"\n")
