"""doccano sequence-labelling JSONL exports, read and written.

Two shapes exist: older exports give ``"label": [[start, end, "LABEL"], ...]`` (some tools write
``"labels"``); newer ones give ``"entities": [{"start_offset", "end_offset", "label"}, ...]``.
doccano's backend is Python and stores offsets as code points of ``text``, so they are used as
they are. Other top-level fields (doccano's per-example metadata) become ``meta``; our writer
puts meta under a ``"meta"`` key and ``annotated_labels`` (when set) at the top level.
"""

from __future__ import annotations

from collections.abc import Iterable
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

_SPAN_KEYS = ("label", "labels", "entities")
_KNOWN = {"id", "text", "annotated_labels", "meta", "relations", *_SPAN_KEYS}


def _span_items(record: dict[str, Any], path: Path, line: int) -> tuple[str, list[Any]]:
    present = [k for k in _SPAN_KEYS if k in record]
    if not present:
        raise DataError("missing key 'label' (or 'entities')", path, line)
    if len(present) > 1:
        raise DataError(f"both {present[0]!r} and {present[1]!r} are present; expected one", path, line)
    key = present[0]
    items = record[key]
    if not isinstance(items, list):
        raise DataError(f"{key!r} must be a list", path, line, key)
    return key, items


def _parse_span(key: str, item: Any, text: str, k: int, path: Path, line: int,
                schema: LabelSchema | None) -> Span:
    where = f"{key}[{k}]"
    if key == "entities":
        if not isinstance(item, dict):
            raise DataError(f"an entity must be an object, got {item!r}", path, line, where)
        missing = [n for n in ("start_offset", "end_offset", "label") if n not in item]
        if missing:
            raise DataError(f"entity is missing key(s) {missing}", path, line, where)
        start, end, label = item["start_offset"], item["end_offset"], item["label"]
    else:
        if not isinstance(item, list) or len(item) != 3:
            raise DataError(f"a label must be [start, end, label], got {item!r}", path, line, where)
        start, end, label = item
    return make_span(start, end, label, text, path=path, line=line, where=where, schema=schema)


def _parse_document(record: Any, line: int, path: Path, schema: LabelSchema | None,
                    problems: Problems) -> Document:
    if not isinstance(record, dict):
        raise DataError(f"a line must hold a JSON object, got {type(record).__name__}", path, line)
    missing = [n for n in ("id", "text") if n not in record]
    if missing:
        raise DataError(f"missing key(s) {missing}", path, line)
    doc_id = parse_doc_id(record["id"], path, line, "id")
    text = record["text"]
    if not isinstance(text, str):
        raise DataError(f"text must be a string, got {type(text).__name__}", path, line, "text")
    key, items = _span_items(record, path, line)
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise DataError("meta must be an object", path, line, "meta")
    meta = {**{k: v for k, v in record.items() if k not in _KNOWN}, **meta}
    annotated = parse_annotated(record.get("annotated_labels"), schema, path, line, "annotated_labels")
    found = []
    for k, item in enumerate(items):
        try:
            found.append((_parse_span(key, item, text, k, path, line, schema), line, f"{key}[{k}]"))
        except DataError as err:
            problems.fail(err)
    spans = collect_spans(found, problems, path, annotated)
    return Document(doc_id, text, spans, annotated, {**meta, "path": str(path), "line": line})


def read_doccano(path: str | Path, schema: LabelSchema | str | None = None, lenient: bool = False,
                 report: SkipReport | None = None) -> list[Document]:
    """Documents of a doccano JSONL export (either span shape, even mixed within one file)."""
    path = Path(path)
    schema = resolve_schema(schema)
    problems = Problems(lenient, report, path)
    records = ((record, line, None) for line, record in iter_json_lines(path, problems))
    docs = list(unique_documents(records, lambda rec, line, _: _parse_document(rec, line, path, schema, problems),
                                 path, problems))
    problems.finish()
    return docs


def write_doccano(docs: Iterable[Document], path: str | Path, style: str = "label") -> None:
    """Write a doccano JSONL file atomically; ``style`` is ``"label"`` (triples) or ``"entities"``."""
    if style not in ("label", "entities"):
        raise ValueError(f"style must be 'label' or 'entities', got {style!r}")
    with atomic_writer(path) as f:
        for doc in docs:
            record: dict[str, Any] = {"id": doc.id, "text": doc.text}
            spans = sorted(doc.spans)
            if style == "label":
                record["label"] = [[s.start, s.end, s.label] for s in spans]
            else:
                record["entities"] = [{"id": i, "label": s.label, "start_offset": s.start,
                                       "end_offset": s.end} for i, s in enumerate(spans, 1)]
            if doc.annotated_labels is not None:
                record["annotated_labels"] = sorted(doc.annotated_labels)
            meta = clean_meta(doc.meta)
            if meta:
                record["meta"] = meta
            f.write(json_bytes(record) + b"\n")
