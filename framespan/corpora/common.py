"""What every corpus reader shares: record checks, UTF-8 decoding, and the report of lenient skips.

Every reader either raises the first :class:`DataError` it meets (strict, the default) or, with
``lenient=True``, skips the bad span or document and records one entry per problem in a
:class:`SkipReport`. When a lenient read gets no report to fill, it warns with a summary, so
nothing is ever dropped silently.

Readers record where each document came from in ``meta["path"]`` (and ``meta["line"]`` for
line-based formats); writers leave these two keys out, since they describe the file read, not
the document.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_bytes
from ..errors import DataError
from ..labels import LabelSchema, load_schema
from ..spans import Document, Span

PROVENANCE_KEYS = ("path", "line")
BOM = "\ufeff"


class SkipReport:
    """What a lenient read skipped, deduplicated or converted: one DataError per problem.

    Behaves as a read-only list of DataErrors; ``actions[i]`` says what was done about ``self[i]``
    (``"skipped"``, ``"deduplicated"``, ``"converted"``).
    """

    def __init__(self) -> None:
        self._entries: list[tuple[str, DataError]] = []

    def add(self, error: DataError, action: str = "skipped") -> None:
        self._entries.append((action, error))

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[DataError]:
        return (e for _, e in self._entries)

    def __getitem__(self, index: int) -> DataError:
        return self._entries[index][1]

    @property
    def actions(self) -> list[str]:
        return [a for a, _ in self._entries]

    def counts(self) -> dict[str, int]:
        return dict(Counter(self.actions))

    def summary(self) -> str:
        if not self._entries:
            return "no problems"
        parts = [f"{n} {action}" for action, n in sorted(self.counts().items())]
        first = self._entries[0][1]
        return f"{len(self)} problem(s): {', '.join(parts)}; first: {first}"

    __str__ = summary

    def to_dicts(self) -> list[dict[str, object]]:
        return [{"action": a, **e.to_dict()} for a, e in self._entries]

    def write(self, path: str | Path) -> None:
        """Write one JSON object per entry (action, path, line, where, problem)."""
        lines = b"".join(json_bytes(d) + b"\n" for d in self.to_dicts())
        atomic_write_bytes(path, lines)


class Problems:
    """Route each problem a reader finds: raise it (strict) or record it (lenient)."""

    def __init__(self, lenient: bool, report: SkipReport | None, source: str | Path) -> None:
        self.lenient = lenient
        self._own = report is None
        self.report = SkipReport() if report is None else report
        self.source = str(source)

    def fail(self, error: DataError, action: str = "skipped") -> None:
        if not self.lenient:
            raise error
        self.report.add(error, action)

    def note(self, error: DataError, action: str) -> None:
        """Record something repaired rather than skipped; never raises."""
        self.report.add(error, action)

    def finish(self) -> None:
        # A caller who passed no report would otherwise never hear about the skips.
        if self._own and len(self.report):
            warnings.warn(f"{self.source}: {self.report.summary()}", UserWarning, stacklevel=3)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_bytes(obj: Any, **kwargs: Any) -> bytes:
    """UTF-8 JSON that keeps non-ASCII text readable; a lone surrogate (not encodable as UTF-8) is
    written as its ``\\uXXXX`` escape, which JSON readers turn back into the same string."""
    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def unique_documents(records: Iterable[tuple[Any, int | None, str | None]],
                     parse: Callable[[Any, int | None, str | None], Document], path: str | Path,
                     problems: Problems) -> Iterator[Document]:
    """Parse ``(record, line, json_path)`` items into documents, refusing a repeated id.

    A record that fails to parse, or repeats an id, goes to ``problems`` (raised, or skipped and
    reported in lenient mode); the documents are yielded lazily, in order.
    """
    seen: set[str] = set()
    for record, line, where in records:
        try:
            doc = parse(record, line, where)
            if doc.id in seen:
                raise DataError(f"duplicate document id {doc.id!r}", path, line, where)
        except DataError as err:
            problems.fail(err)
            continue
        seen.add(doc.id)
        yield doc


def resolve_schema(schema: LabelSchema | str | Path | None) -> LabelSchema | None:
    if schema is None or isinstance(schema, LabelSchema):
        return schema
    return load_schema(schema)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read file ({e.strerror or e})", path) from None


def decode_utf8(data: bytes, path: str | Path, *, line: int | None = None, byte_base: int = 0,
                strip_bom: bool = True) -> tuple[str, bool]:
    """Strictly decode UTF-8; return the text and whether a leading byte-order mark was removed.

    ``byte_base`` is where ``data`` starts in the file, so the error names the file's byte offset.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"not valid UTF-8 ({e.reason} at byte {byte_base + e.start})", path, line) from None
    if strip_bom and text.startswith(BOM):
        return text[1:], True
    return text, False


def check_int(value: Any, name: str, path: str | Path, line: int | None, where: str | None) -> int:
    # bool is an int subclass and 3.0 is "integral", but both mean the producer got offsets wrong.
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(f"{name} offset must be an integer, got {type(value).__name__} {value!r}",
                        path, line, where)
    return value


def check_label(label: Any, schema: LabelSchema | None, path: str | Path, line: int | None,
                where: str | None) -> str:
    if not isinstance(label, str) or not label:
        raise DataError(f"label must be a non-empty string, got {label!r}", path, line, where)
    if schema is not None and label not in schema:
        raise DataError(f"unknown label {label!r} (schema {schema.name!r} has {schema.names})",
                        path, line, where)
    return label


def make_span(start: Any, end: Any, label: Any, text: str, *, path: str | Path, line: int | None,
              where: str | None, schema: LabelSchema | None = None, covered: Any = None,
              shift: int = 0) -> Span:
    """Validate one span record and build the Span; raise a DataError naming the problem.

    ``shift`` is the number of characters the file counts before ``text`` starts (a byte-order
    mark the offsets include): offsets are checked as written, then moved onto ``text``.
    ``covered``, when given, is the text the record claims the span covers.
    """
    start = check_int(start, "start", path, line, where)
    end = check_int(end, "end", path, line, where)
    label = check_label(label, schema, path, line, where)
    if start < 0 or end < 0:
        raise DataError(f"negative offset (start={start}, end={end})", path, line, where)
    if start >= end:
        raise DataError(f"start >= end (start={start}, end={end}): reversed or empty span", path, line, where)
    length = len(text) + shift
    if end > length:
        raise DataError(f"end offset {end} is past the end of the text (length {length})", path, line, where)
    s, e = max(start - shift, 0), end - shift
    if e <= s:
        raise DataError(f"span {start}-{end} covers only the byte-order mark", path, line, where)
    if covered is not None and text[s:e] != covered:
        raise DataError(f"span text {covered!r} does not match text[{s}:{e}] = {text[s:e]!r}",
                        path, line, where)
    return Span(s, e, label)


def collect_spans(found: Iterable[tuple[Span, int | None, str | None]], problems: Problems,
                  path: str | Path, annotated: frozenset[str] | None = None) -> list[Span]:
    """Sorted spans of one document; exact duplicates fail (strict) or are dropped and reported."""
    seen: set[tuple[int, int, str]] = set()
    out: list[Span] = []
    for span, line, where in found:
        if annotated is not None and span.label not in annotated:
            problems.fail(DataError(f"label {span.label!r} is not among the document's annotated_labels "
                                    f"{sorted(annotated)}", path, line, where))
            continue
        key = (span.start, span.end, span.label)
        if key in seen:
            dup = DataError(f"duplicate span {span.start}-{span.end} {span.label!r}", path, line, where)
            problems.fail(dup, "deduplicated")
            continue
        seen.add(key)
        out.append(span)
    return sorted(out)


def parse_doc_id(value: Any, path: str | Path, line: int | None, where: str | None) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise DataError(f"document id must be a non-empty string or an integer, got {value!r}",
                        path, line, where)
    return value


def parse_annotated(value: Any, schema: LabelSchema | None, path: str | Path, line: int | None,
                    where: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise DataError(f"annotated_labels must be a list of label names, got {value!r}", path, line, where)
    return frozenset(check_label(v, schema, path, line, where) for v in value)


def clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Document meta without the keys a reader adds to say where the document was read from."""
    return {k: v for k, v in meta.items() if k not in PROVENANCE_KEYS}


def iter_json_lines(path: Path, problems: Problems) -> Iterator[tuple[int, Any]]:
    """Yield ``(line number, parsed value)`` for each non-blank line, reading one line at a time.

    Lines may end in ``\\n`` or ``\\r\\n``; JSON escapes every newline inside a string, so a raw
    line break always ends a record. A byte-order mark opening the file is ignored.
    """
    try:
        handle = path.open("rb")
    except OSError as e:
        raise DataError(f"cannot read file ({e.strerror or e})", path) from None
    with handle:
        offset = 0
        for no, raw in enumerate(handle, 1):
            base = offset
            offset += len(raw)
            try:
                text, _ = decode_utf8(raw, path, line=no, byte_base=base, strip_bom=no == 1)
            except DataError as err:
                problems.fail(err)
                continue
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as e:
                problems.fail(DataError(f"malformed JSON: {e.msg}", path, no, f"column {e.colno}"))
                continue
            yield no, value


def record_id_text(record: Any, path: Path, line: int, required: Sequence[str]) -> tuple[str, str]:
    """The id and text of one JSON record, after checking it is an object with ``required`` keys."""
    if not isinstance(record, dict):
        raise DataError(f"a line must hold a JSON object, got {type(record).__name__}", path, line)
    missing = [key for key in required if key not in record]
    if missing:
        raise DataError(f"missing key(s) {missing}", path, line)
    doc_id = parse_doc_id(record["id"], path, line, "id")
    text = record["text"]
    if not isinstance(text, str):
        raise DataError(f"text must be a string, got {type(text).__name__}", path, line, "text")
    return doc_id, text


def record_meta(record: dict[str, Any], path: Path, line: int) -> dict[str, Any]:
    meta = record.get("meta") or {}
    if not isinstance(meta, dict):
        raise DataError("meta must be an object", path, line, "meta")
    return meta


def record_document(record: dict[str, Any], doc_id: str, text: str, items: Sequence[Any], key: str,
                    parse: Callable[[Any, int], Span], meta: dict[str, Any], path: Path, line: int,
                    schema: LabelSchema | None, problems: Problems) -> Document:
    """The Document of one JSON record: its ``items`` parsed into spans (bad ones failed through
    ``problems``), checked against its annotated_labels."""
    annotated = parse_annotated(record.get("annotated_labels"), schema, path, line, "annotated_labels")
    found = []
    for k, item in enumerate(items):
        try:
            found.append((parse(item, k), line, f"{key}[{k}]"))
        except DataError as err:
            problems.fail(err)
    spans = collect_spans(found, problems, path, annotated)
    return Document(doc_id, text, spans, annotated, {**meta, "path": str(path), "line": line})


def json_line_documents(path: str | Path, schema: LabelSchema | str | None, lenient: bool,
                        report: SkipReport | None,
                        parse: Callable[[Any, Path, int, LabelSchema | None, Problems], Document]
                        ) -> Iterator[Document]:
    """The documents of a file with one JSON record a line, each parsed by ``parse(record, path,
    line, schema, problems)``, lazily; repeated ids and bad records go to the problems."""
    path = Path(path)
    resolved = resolve_schema(schema)
    problems = Problems(lenient, report, path)
    records = ((record, line, None) for line, record in iter_json_lines(path, problems))
    yield from unique_documents(records, lambda rec, line, _: parse(rec, path, line, resolved, problems),
                                path, problems)
    problems.finish()
