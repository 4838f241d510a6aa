"""Inline span markup (``[label: text]``, nestable) for hand-written corpora, converted to Documents."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError
from ..labels import LabelSchema
from ..spans import Document, Span
from .common import Problems, SkipReport, check_label, collect_spans

# A document starts with a header line:  === doc-id | split=train | outlet=Daily Ledger | topic=energy
_HEADER = re.compile(r"^===\s*(?P<id>[A-Za-z0-9_.-]+)\s*(?P<rest>(\|.*)?)$")
_OPEN = re.compile(r"\[(?P<label>[a-z_]+):\s?")


def parse_markup(marked: str, path: str | Path = "<markup>", first_line: int = 1) -> tuple[str, list[Span]]:
    """Strip ``[label: ...]`` marks from ``marked``; return plain text and the spans they made.

    ``\\[`` and ``\\]`` stand for literal brackets. Errors name the file and line of the problem.
    """
    out: list[str] = []
    spans: list[Span] = []
    stack: list[tuple[str, int, int]] = []  # label, start offset in plain text, source line
    i, n, line = 0, len(marked), first_line
    pos = 0  # length of plain text so far
    while i < n:
        ch = marked[i]
        if ch == "\\" and i + 1 < n and marked[i + 1] in "[]":
            out.append(marked[i + 1])
            pos += 1
            i += 2
            continue
        if ch == "[":
            m = _OPEN.match(marked, i)
            if not m:
                raise DataError("'[' must open a span as '[label: text]' (write \\[ for a literal bracket)",
                                path, line)
            stack.append((m.group("label"), pos, line))
            i = m.end()
            continue
        if ch == "]":
            if not stack:
                raise DataError("']' closes no open span (write \\] for a literal bracket)", path, line)
            label, start, open_line = stack.pop()
            if pos == start:
                raise DataError(f"empty span [{label}: ]", path, open_line)
            spans.append(Span(start, pos, label))
            i += 1
            continue
        if ch == "\n":
            line += 1
        out.append(ch)
        pos += 1
        i += 1
    if stack:
        label, _, open_line = stack[-1]
        raise DataError(f"span [{label}: ... is never closed", path, open_line)
    text = "".join(out)
    # Spans should not start or end on whitespace: a stray space inside the brackets is a typo.
    for s in spans:
        if text[s.start].isspace() or text[s.end - 1].isspace():
            raise DataError(f"span {s.label} {text[s.start:s.end]!r} starts or ends with whitespace", path)
    return text, spans


def read_markup(path: str | Path) -> list[Document]:
    """Read a markup file holding one or more ``=== id | key=value ...`` documents."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"not valid UTF-8 ({e.reason} at byte {e.start})", path) from None
    lines = raw.splitlines()
    docs: list[Document] = []
    seen: set[str] = set()
    current: tuple[str, dict[str, str], int] | None = None
    body: list[str] = []

    def flush() -> None:
        if current is None:
            return
        doc_id, meta, header_line = current
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        text, spans = parse_markup("\n".join(body), path, header_line + 1)
        meta = {**meta, "path": str(path), "line": header_line}
        docs.append(Document(doc_id, text, spans, None, meta))

    for no, line in enumerate(lines, 1):
        if line.startswith("==="):
            m = _HEADER.match(line)
            if not m:
                raise DataError("bad document header; expected '=== doc-id | key=value | ...'", path, no)
            flush()
            doc_id = m.group("id")
            if doc_id in seen:
                raise DataError(f"duplicate document id {doc_id!r}", path, no)
            seen.add(doc_id)
            meta: dict[str, str] = {}
            for part in m.group("rest").split("|")[1:]:
                if "=" not in part:
                    raise DataError(f"header field {part.strip()!r} is not key=value", path, no)
                k, v = part.split("=", 1)
                meta[k.strip()] = v.strip()
            current, body = (doc_id, meta, no), []
        elif line.lstrip().startswith("#") and current is None:
            continue  # comments before the first document
        else:
            if current is None and line.strip():
                raise DataError("text before the first '=== doc-id' header", path, no)
            body.append(line)
    flush()
    return docs


def read_markup_corpus(path: Path, schema: LabelSchema | None, lenient: bool,
                        report: SkipReport | None) -> list[Document]:
    """A markup file, or a folder of them, with the checks every reader makes (ids unique, labels
    in the schema), strict or lenient."""
    problems = Problems(lenient, report, path)
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    docs: list[Document] = []
    seen: set[str] = set()
    for file in files:
        try:
            found = read_markup(file)
        except DataError as err:
            problems.fail(err)  # markup parses a file as a whole; a bad one is skipped whole
            continue
        for doc in found:
            line = doc.meta.get("line")
            if doc.id in seen:
                problems.fail(DataError(f"duplicate document id {doc.id!r}", file, line))
                continue
            seen.add(doc.id)
            kept: list[tuple[Span, int | None, str | None]] = []
            for s in doc.spans:
                try:
                    check_label(s.label, schema, file, line, f"document {doc.id}")
                except DataError as err:
                    problems.fail(err)
                    continue
                kept.append((s, line, f"document {doc.id}"))
            spans = collect_spans(kept, problems, file)
            docs.append(Document(doc.id, doc.text, spans, doc.annotated_labels, dict(doc.meta)))
    problems.finish()
    return docs
