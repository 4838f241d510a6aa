"""Label Studio JSON exports (a list of tasks with text-span annotations), read and written.

Offsets: ``value.start``/``value.end`` index the exact string in ``data[text_key]`` -- no newline
translation, so a ``\\r\\n`` in the text counts as two characters. Current Label Studio stores
them as Unicode code points (Python string indices). Exports made before its frontend fixed
emoji offsets (around 2021-2022, label-studio issues #1008 and #1347) hold JavaScript string
indices, i.e. UTF-16 code units, where every character outside the Basic Multilingual Plane
(most emoji) counts twice. With ``offsets="auto"`` (the default) a span whose ``value.text``
does not match ``text[start:end]`` is read again as UTF-16 code units; if that matches, the
span is converted and the conversion is recorded in the report (once per task). ``"codepoints"``
and ``"utf16"`` force one reading.

Which annotation: the first one not marked ``was_cancelled`` (older exports call the list
``completions``). A task with none is kept with no spans and ``annotated_labels`` empty, so
training learns nothing from it rather than learning that it holds no devices. Only results of
type ``labels`` are spans; other result types (choices, relations, text areas) are ignored.

Our writer stores the document id in ``data["doc_id"]``, ``annotated_labels`` (when set) in
``data["annotated_labels"]`` and meta in the task's ``meta``; the reader takes them back, falling
back to the task's ``id`` when there is no ``doc_id``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_bytes
from ..errors import DataError
from ..labels import LabelSchema
from ..spans import Document, Span
from .common import (
    Problems,
    SkipReport,
    check_int,
    clean_meta,
    collect_spans,
    decode_utf8,
    json_bytes,
    make_span,
    parse_annotated,
    parse_doc_id,
    read_bytes,
    resolve_schema,
    unique_documents,
)

OFFSET_MODES = ("auto", "codepoints", "utf16")


def utf16_to_codepoints(text: str) -> dict[int, int]:
    """Map each UTF-16 code-unit offset that falls on a character boundary to the Python index."""
    table: dict[int, int] = {}
    unit = 0
    for i, ch in enumerate(text):
        table[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    table[unit] = len(text)
    return table


def codepoints_to_utf16(text: str, index: int) -> int:
    """The UTF-16 code-unit offset of Python index ``index`` (what JavaScript would count)."""
    return index + sum(1 for ch in text[:index] if ord(ch) > 0xFFFF)


class _Task:
    """State for one task while its results are read: the text and its lazy UTF-16 table."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.astral = any(ord(ch) > 0xFFFF for ch in text)
        self._table: dict[int, int] | None = None
        self.converted = False

    def from_utf16(self, start: int, end: int) -> tuple[int, int] | None:
        if self._table is None:
            self._table = utf16_to_codepoints(self.text)
        s, e = self._table.get(start), self._table.get(end)
        return None if s is None or e is None else (s, e)


def _result_spans(item: Any, task: _Task, where: str, path: Path, schema: LabelSchema | None,
                  mode: str) -> list[Span]:
    if not isinstance(item, dict):
        raise DataError(f"a result must be an object, got {item!r}", path, None, where)
    value = item.get("value")
    if not isinstance(value, dict):
        raise DataError("result is missing its 'value' object", path, None, where)
    missing = [k for k in ("start", "end", "labels") if k not in value]
    if missing:
        raise DataError(f"value is missing key(s) {missing}", path, None, where)
    labels = value["labels"]
    if not isinstance(labels, list) or not labels:
        raise DataError(f"value.labels must be a non-empty list, got {labels!r}", path, None, where)
    start = check_int(value["start"], "start", path, None, where)
    end = check_int(value["end"], "end", path, None, where)
    covered = value.get("text")
    text = task.text
    if mode == "utf16" or (mode == "auto" and task.astral and 0 <= start < end and (
            end > len(text) or (covered is not None and text[start:end] != covered))):
        moved = task.from_utf16(start, end) if start >= 0 else None
        if moved is not None and (covered is None or text[moved[0]:moved[1]] == covered):
            if mode == "auto":
                task.converted = True
            start, end = moved
        elif mode == "utf16":
            raise DataError(f"offsets {start}-{end} are not UTF-16 character boundaries of the text",
                            path, None, where)
    return [make_span(start, end, label, text, path=path, line=None, where=where, schema=schema,
                      covered=covered) for label in labels]


def _pick_annotation(task: dict[str, Any], where: str, path: Path) -> tuple[int, dict[str, Any]] | None:
    key = "annotations" if "annotations" in task else "completions"
    annotations = task.get(key) or []
    if not isinstance(annotations, list):
        raise DataError(f"{key} must be a list", path, None, f"{where}.{key}")
    for j, ann in enumerate(annotations):
        if not isinstance(ann, dict):
            raise DataError("an annotation must be an object", path, None, f"{where}.{key}[{j}]")
        if not ann.get("was_cancelled", False):
            if not isinstance(ann.get("result"), list):
                raise DataError("annotation is missing its 'result' list", path, None, f"{where}.{key}[{j}]")
            return j, ann
    return None


def _parse_task(task: Any, i: int, path: Path, text_key: str, id_key: str, schema: LabelSchema | None,
                mode: str, problems: Problems) -> Document:
    where = f"[{i}]"
    if not isinstance(task, dict):
        raise DataError(f"a task must be an object, got {type(task).__name__}", path, None, where)
    data = task.get("data")
    if not isinstance(data, dict):
        raise DataError("task is missing its 'data' object", path, None, where)
    if text_key not in data:
        raise DataError(f"data has no key {text_key!r} (pass text_key= to read another field)",
                        path, None, f"{where}.data")
    text = data[text_key]
    if not isinstance(text, str):
        raise DataError(f"data.{text_key} must be a string", path, None, f"{where}.data")
    if id_key in data:
        doc_id = parse_doc_id(data[id_key], path, None, f"{where}.data.{id_key}")
    elif "id" in task:
        doc_id = parse_doc_id(task["id"], path, None, f"{where}.id")
    else:
        doc_id = str(i)
    meta = task.get("meta") or {}
    if not isinstance(meta, dict):
        raise DataError("task meta must be an object", path, None, f"{where}.meta")
    annotated = parse_annotated(data.get("annotated_labels"), schema, path, None, f"{where}.data")
    picked = _pick_annotation(task, where, path)
    state = _Task(text)
    found = []
    if picked is None:
        annotated = frozenset()
    else:
        j, ann = picked
        key = "annotations" if "annotations" in task else "completions"
        for k, item in enumerate(ann["result"]):
            rwhere = f"{where}.{key}[{j}].result[{k}]"
            if isinstance(item, dict) and item.get("type", "labels") != "labels":
                continue
            try:
                spans = _result_spans(item, state, rwhere, path, schema, mode)
                found.extend((s, None, rwhere) for s in spans)
            except DataError as err:
                problems.fail(err)
    if state.converted:
        problems.note(DataError("offsets read as UTF-16 code units (an older Label Studio export) and "
                                "converted to code points", path, None, where), "converted")
    spans = collect_spans(found, problems, path, annotated)
    return Document(doc_id, text, spans, annotated, {**meta, "path": str(path)})


def read_labelstudio(path: str | Path, text_key: str = "text", schema: LabelSchema | str | None = None,
                     lenient: bool = False, report: SkipReport | None = None, offsets: str = "auto",
                     id_key: str = "doc_id") -> list[Document]:
    """Documents of a Label Studio JSON export; problems name the JSON path, e.g. ``[3].annotations[0]``."""
    if offsets not in OFFSET_MODES:
        raise ValueError(f"offsets must be one of {OFFSET_MODES}, got {offsets!r}")
    path = Path(path)
    schema = resolve_schema(schema)
    problems = Problems(lenient, report, path)
    text, _ = decode_utf8(read_bytes(path), path)
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"malformed JSON: {e.msg}", path, e.lineno, f"column {e.colno}") from None
    if not isinstance(tasks, list):
        raise DataError(f"expected a JSON list of tasks, got {type(tasks).__name__}", path)
    records = (((i, task), None, f"[{i}]") for i, task in enumerate(tasks))
    docs = list(unique_documents(
        records, lambda rec, _line, _where: _parse_task(rec[1], rec[0], path, text_key, id_key, schema, offsets,
                                                        problems),
        path, problems))
    problems.finish()
    return docs


def write_labelstudio(docs: Iterable[Document], path: str | Path, text_key: str = "text",
                      from_name: str = "label", to_name: str = "text") -> None:
    """Write a Label Studio JSON task list (code-point offsets) that Label Studio can import.

    ``from_name``/``to_name`` must match the ``<Labels name=...>`` and ``<Text name=...>`` tags of
    the project's labelling config. A document with no spans and empty ``annotated_labels`` (an
    unannotated task) is written without an annotation.
    """
    tasks = []
    for i, doc in enumerate(docs, 1):
        data: dict[str, Any] = {text_key: doc.text, "doc_id": doc.id}
        if doc.annotated_labels is not None:
            data["annotated_labels"] = sorted(doc.annotated_labels)
        task: dict[str, Any] = {"id": i, "data": data, "meta": clean_meta(doc.meta)}
        if doc.spans or doc.annotated_labels != frozenset():
            result = [{"id": f"s{k}", "from_name": from_name, "to_name": to_name, "type": "labels",
                       "value": {"start": s.start, "end": s.end, "text": s.covered(doc.text),
                                 "labels": [s.label]}}
                      for k, s in enumerate(sorted(doc.spans))]
            task["annotations"] = [{"id": i, "was_cancelled": False, "result": result}]
        else:
            task["annotations"] = []
        tasks.append(task)
    atomic_write_bytes(path, json_bytes(tasks, indent=1) + b"\n")
