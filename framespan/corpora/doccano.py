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
from . import common
from .common import Problems, SkipReport

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
    return common.make_span(start, end, label, text, path=path, line=line, where=where, schema=schema)


def _parse_document(record: Any, path: Path, line: int, schema: LabelSchema | None,
                    problems: Problems) -> Document:
    doc_id, text = common.record_id_text(record, path, line, ("id", "text"))
    key, items = _span_items(record, path, line)
    meta = {**{k: v for k, v in record.items() if k not in _KNOWN}, **common.record_meta(record, path, line)}
    return common.record_document(record, doc_id, text, items, key,
                           lambda item, k: _parse_span(key, item, text, k, path, line, schema),
                           meta, path, line, schema, problems)


def read_doccano(path: str | Path, schema: LabelSchema | str | None = None, lenient: bool = False,
                 report: SkipReport | None = None) -> list[Document]:
    """Documents of a doccano JSONL export (either span shape, even mixed within one file)."""
    return list(common.json_line_documents(path, schema, lenient, report, _parse_document))


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
            meta = common.clean_meta(doc.meta)
            if meta:
                record["meta"] = meta
            f.write(common.json_bytes(record) + b"\n")
