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
    collect_spans,
    iter_json_lines,
    json_bytes,
    make_span,
    parse_annotated,
    parse_doc_id,
    resolve_schema,
    unique_documents,
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
    path = Path(path)
    schema = resolve_schema(schema)
    problems = Problems(lenient, report, path)
    records = ((record, line, None) for line, record in iter_json_lines(path, problems))
    yield from unique_documents(records, lambda rec, line, _: _parse_document(rec, path, line, schema, problems),
                                path, problems)
    problems.finish()


def _parse_document(record: Any, path: Path, line: int, schema: LabelSchema | None,
                    problems: Problems) -> Document:
    if not isinstance(record, dict):
        raise DataError(f"a line must hold a JSON object, got {type(record).__name__}", path, line)
    missing = [key for key in ("id", "text", "spans") if key not in record]
    if missing:
        raise DataError(f"missing key(s) {missing}", path, line)
    unknown = sorted(set(record) - _DOC_KEYS)
    if unknown:
        raise DataError(f"unknown key(s) {unknown}; put extra fields under 'meta'", path, line)
    doc_id = parse_doc_id(record["id"], path, line, "id")
    text = record["text"]
    if not isinstance(text, str):
        raise DataError(f"text must be a string, got {type(text).__name__}", path, line, "text")
    if not isinstance(record["spans"], list):
        raise DataError("spans must be a list", path, line, "spans")
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise DataError("meta must be an object", path, line, "meta")
    annotated = parse_annotated(record.get("annotated_labels"), schema, path, line, "annotated_labels")
    found = []
    for k, item in enumerate(record["spans"]):
        try:
            found.append((_parse_span(item, text, k, path, line, schema), line, f"spans[{k}]"))
        except DataError as err:
            problems.fail(err)
    spans = collect_spans(found, problems, path, annotated)
    return Document(doc_id, text, spans, annotated, {**meta, "path": str(path), "line": line})


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
