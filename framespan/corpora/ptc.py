"""The PTC / SemEval-2020 Task 11 layout: article text files plus tab-separated span labels.

Layout. Articles are ``article<ID>.txt`` in one folder. Labels are either one file per article,
``article<ID>.task2-TC.labels`` (``ID<TAB>TECHNIQUE<TAB>START<TAB>END``) or
``article<ID>.task1-SI.labels`` (``ID<TAB>START<TAB>END``), or one combined file with the lines
of every article. START is inclusive and END exclusive, in characters.

SI spans carry no technique. They are read with the label ``"propaganda"`` and such documents get
``annotated_labels == {"propaganda"}``; TC documents get ``annotated_labels = None`` (all 14
techniques were annotated). Without labels, documents have no spans and
``annotated_labels == frozenset()`` (nothing annotated).

Offsets, checked against the released training data:

* They index the UTF-8 decoded file *without* newline translation. The organisers' baseline
  reads articles with ``codecs.open(..., encoding="utf8")``, which does no newline translation,
  and the released articles hold no ``\\r`` at all, so the two readings agree on them. A CRLF
  article therefore keeps its ``\\r`` characters in ``Document.text`` and offsets stay those of
  the file.
* They count a leading byte-order mark as a character: in the two training articles that start
  with one, spans line up with word boundaries only if the BOM is counted. We strip the BOM from
  the text, move every span one character left, and remember ``meta["bom"] = True``; the
  writers put the BOM back and move the offsets right again, so files stay valid for the
  official scorer.

Duplicates: the released TC training labels hold one exact duplicate line (same article,
technique and offsets). Strict reading raises on it; ``lenient=True`` drops the copy and records
it in the report as ``deduplicated``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..atomic import atomic_write_bytes
from ..errors import DataError
from ..labels import LabelSchema
from ..spans import Document, Span, union_spans
from .common import (
    BOM,
    Problems,
    SkipReport,
    collect_spans,
    decode_utf8,
    make_span,
    read_bytes,
    resolve_schema,
)

SI_LABEL = "propaganda"
TASKS = ("TC", "SI")
_ARTICLE = re.compile(r"^article(?P<id>[A-Za-z0-9_-]+)\.txt$")
_LABELS = re.compile(r"^article(?P<id>[A-Za-z0-9_-]+)\.(?P<task>task2-TC|task1-SI)\.labels$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_INT = re.compile(r"^[+-]?\d+$")
_TASK_OF_SUFFIX = {"task2-TC": "TC", "task1-SI": "SI"}

# One parsed label line: article id, technique (None for SI), raw start, raw end, line number.
_Line = tuple[str, str | None, int, int, int]


def _parse_offset(field: str, name: str, path: Path, line: int) -> int:
    if not _INT.match(field):
        raise DataError(f"{name} offset must be an integer, got {field!r}", path, line)
    return int(field)


def _parse_label_file(path: Path, task: str | None, problems: Problems) -> tuple[str | None, list[_Line]]:
    """Parse a labels file; ``task`` is fixed by the file name or, if None, by its first line."""
    text, _ = decode_utf8(read_bytes(path), path)
    out: list[_Line] = []
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")]
        try:
            if task is None and len(fields) in (3, 4):
                task = "TC" if len(fields) == 4 else "SI"
            want = 4 if task == "TC" else 3
            if len(fields) != want:
                shape = "ID, TECHNIQUE, START, END" if task == "TC" else "ID, START, END"
                raise DataError(f"expected {want} tab-separated fields ({shape}) for task {task}, "
                                f"got {len(fields)}", path, no)
            technique = fields[1] if task == "TC" else None
            start = _parse_offset(fields[-2], "start", path, no)
            end = _parse_offset(fields[-1], "end", path, no)
        except DataError as err:
            problems.fail(err)
            continue
        out.append((fields[0], technique, start, end, no))
    return task, out


def _label_files(folder: Path, problems: Problems) -> dict[str, tuple[str, Path]]:
    """Per-article label files in ``folder``: article id -> (task, path), TC preferred over SI."""
    found: dict[str, tuple[str, Path]] = {}
    for path in sorted(folder.glob("*.labels")):
        m = _LABELS.match(path.name)
        if not m:
            problems.fail(DataError("not a PTC labels file name (expected articleID.task2-TC.labels or "
                                    "articleID.task1-SI.labels)", path))
            continue
        task = _TASK_OF_SUFFIX[m.group("task")]
        if m.group("id") not in found or task == "TC":
            found[m.group("id")] = (task, path)
    return found


def _sort_key(doc_id: str) -> tuple[int, int, str]:
    return (0, int(doc_id), "") if doc_id.isdigit() else (1, 0, doc_id)


def read_ptc(articles_dir: str | Path, labels: str | Path | None = None, lenient: bool = False,
             report: SkipReport | None = None, schema: LabelSchema | str | None = "ptc14") -> list[Document]:
    """Read PTC articles with their spans, sorted by article id.

    ``labels`` is a folder of per-article label files, one combined labels file, or None: then
    label files inside ``articles_dir`` are used if there are any, and otherwise the documents
    come back unlabelled. TC techniques are checked against ``schema`` (None: not checked).
    A per-article label file with no article, or an article with no label file, is an error.
    """
    articles_dir = Path(articles_dir)
    schema = resolve_schema(schema)
    problems = Problems(lenient, report, articles_dir)
    if not articles_dir.is_dir():
        raise DataError("articles folder not found", articles_dir)
    if labels is None and any(articles_dir.glob("*.labels")):
        labels = articles_dir
    labels_path = Path(labels) if labels is not None else None
    articles = _article_files(articles_dir, problems)
    lines_of = _label_lines_of(labels_path, articles, articles_dir, problems) if labels_path is not None else {}
    docs: list[Document] = []
    for doc_id in sorted(articles, key=_sort_key):
        try:
            doc = _article(doc_id, articles[doc_id], labels_path, lines_of, schema, problems)
        except DataError as err:
            problems.fail(err)
            continue
        docs.append(doc)
    problems.finish()
    return docs


def _article_files(articles_dir: Path, problems: Problems) -> dict[str, Path]:
    articles: dict[str, Path] = {}
    for path in sorted(articles_dir.glob("*.txt")):
        m = _ARTICLE.match(path.name)
        if not m:
            problems.fail(DataError("not a PTC article file name (expected articleID.txt)", path))
            continue
        articles[m.group("id")] = path
    return articles


# Label lines per article: (task, labels file, lines); an article missing here has no labels source.
_LinesOf = dict[str, tuple[str, Path, list[_Line]]]


def _label_lines_of(labels_path: Path, articles: dict[str, Path], articles_dir: Path,
                    problems: Problems) -> _LinesOf:
    lines_of: _LinesOf = {}
    if labels_path.is_dir():
        for doc_id, (task, path) in _label_files(labels_path, problems).items():
            if doc_id not in articles:
                problems.fail(DataError(f"labels file for article {doc_id} but there is no "
                                        f"article{doc_id}.txt in {articles_dir}", path))
                continue
            lines_of[doc_id] = (task, path, _parse_label_file(path, task, problems)[1])
        return lines_of
    if not labels_path.is_file():
        raise DataError("labels file or folder not found", labels_path)
    m = re.search(r"task2-TC|task1-SI", labels_path.name)
    task, parsed = _parse_label_file(labels_path, _TASK_OF_SUFFIX[m.group(0)] if m else None, problems)
    for doc_id in articles:
        lines_of[doc_id] = (task or "TC", labels_path, [])
    missing: set[str] = set()
    for item in parsed:
        if item[0] in articles:
            lines_of[item[0]][2].append(item)
        elif item[0] not in missing:
            missing.add(item[0])  # one problem per unknown article, not one per line
            problems.fail(DataError(f"labels for article {item[0]} but there is no article{item[0]}.txt "
                                    f"in {articles_dir}", labels_path, item[4]))
    return lines_of


def _article(doc_id: str, path: Path, labels_path: Path | None, lines_of: _LinesOf,
             schema: LabelSchema | None, problems: Problems) -> Document:
    """One article as a Document, its label lines checked against its text (bad spans go to
    ``problems``); a DataError when the article cannot be read or has no labels file."""
    text, bom = decode_utf8(read_bytes(path), path)
    meta: dict[str, object] = {"path": str(path), **({"bom": True} if bom else {})}
    if labels_path is None:
        return Document(doc_id, text, [], frozenset(), meta)
    if doc_id not in lines_of:
        raise DataError(f"article {doc_id} has no labels file (article{doc_id}.task2-TC.labels) in {labels_path}",
                        path)
    task, label_path, parsed = lines_of[doc_id]
    found = []
    for line_id, technique, start, end, no in parsed:
        try:
            if line_id != doc_id:
                raise DataError(f"line names article {line_id} but the file is for article {doc_id}",
                                label_path, no)
            span = make_span(start, end, technique if technique is not None else SI_LABEL, text,
                             path=label_path, line=no, where=f"article {doc_id}",
                             schema=schema if task == "TC" else None, shift=1 if bom else 0)
        except DataError as err:
            problems.fail(err)
            continue
        found.append((span, no, f"article {doc_id}"))
    spans = collect_spans(found, problems, label_path)
    return Document(doc_id, text, spans, None if task == "TC" else frozenset({SI_LABEL}), meta)


# One row of a TC template: article id, start, end (document offsets, BOM removed), line number.
TemplateRow = tuple[str, int, int, int]


def read_tc_template(template: str | Path, docs: Iterable[Document]) -> list[TemplateRow]:
    """The rows of a TC template (or any SI/TC labels file or folder) in file order, repeats kept.

    The official templates list a span once per technique it carries (``ID ? START END``), so a
    span with two techniques appears twice; the technique column is ignored. Offsets are checked
    against ``docs`` (the articles, read with :func:`read_ptc`) and moved like theirs when an
    article starts with a byte-order mark.
    """
    template = Path(template)
    problems = Problems(False, None, template)
    if template.is_dir():
        files = [path for _, path in sorted(_label_files(template, problems).values(), key=lambda x: x[1])]
    elif template.is_file():
        files = [template]
    else:
        raise DataError("TC template file or folder not found", template)
    by_id = {d.id: d for d in docs}
    rows: list[TemplateRow] = []
    for path in files:
        for doc_id, _, start, end, no in _parse_label_file(path, None, problems)[1]:
            doc = by_id.get(doc_id)
            if doc is None:
                raise DataError(f"template names article {doc_id}, which is not among the articles", path, no)
            shift = 1 if doc.meta.get("bom") else 0
            if not 0 <= start - shift < end - shift <= len(doc.text):
                raise DataError(f"span {start}-{end} does not fit article {doc_id} "
                                f"({len(doc.text) + shift} characters)", path, no)
            rows.append((doc_id, start - shift, end - shift, no))
    return rows


def _check_id(doc_id: str) -> None:
    if not _SAFE_ID.match(doc_id):
        raise DataError(f"document id {doc_id!r} cannot name a PTC file (use letters, digits, _ and -)",
                        where=f"document {doc_id}")


def _label_lines(doc_id: str, spans: Iterable[Span], task: str, shift: int,
                 schema: LabelSchema | None) -> list[str]:
    if task == "SI":
        ranges = sorted({(s.start, s.end) for s in spans})
        return [f"{doc_id}\t{s + shift}\t{e + shift}\n" for s, e in ranges]
    out = []
    for s in spans:
        if any(c in s.label for c in "\t\r\n"):
            raise DataError(f"label {s.label!r} holds a tab or newline", where=f"document {doc_id}")
        if schema is not None and s.label not in schema:
            raise DataError(f"unknown technique {s.label!r} (schema {schema.name!r} has {schema.names})",
                            where=f"document {doc_id}")
        out.append(f"{doc_id}\t{s.label}\t{s.start + shift}\t{s.end + shift}\n")
    return out


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def write_ptc(docs: Iterable[Document], articles_dir: str | Path, labels: str | Path, task: str = "TC",
              schema: LabelSchema | str | None = "ptc14") -> None:
    """Write documents in the PTC layout that :func:`read_ptc` reads back.

    ``labels`` with a suffix (``x.labels``, ``x.txt``) is one combined file; without one it is a
    folder of per-article files (it may be ``articles_dir`` itself). Every article gets a labels
    file, empty if it has no spans, as the released corpus does. ``meta["bom"]`` restores the
    byte-order mark and the offsets that count it. SI writes each distinct range once.
    """
    _check_task(task)
    schema = resolve_schema(schema) if task == "TC" else None
    articles_dir, labels = Path(articles_dir), Path(labels)
    combined = bool(labels.suffix)
    docs = list(docs)
    seen: set[str] = set()
    for doc in docs:
        _check_id(doc.id)
        if doc.id in seen:
            raise DataError(f"duplicate document id {doc.id!r}", where=f"document {doc.id}")
        seen.add(doc.id)
        if doc.text.startswith(BOM) and not doc.meta.get("bom"):
            raise DataError("text starts with U+FEFF, which readers take for a byte-order mark",
                            where=f"document {doc.id}")
    articles_dir.mkdir(parents=True, exist_ok=True)
    if not combined:
        labels.mkdir(parents=True, exist_ok=True)
    suffix = "task2-TC" if task == "TC" else "task1-SI"
    all_lines: list[str] = []
    for doc in docs:
        shift = 1 if doc.meta.get("bom") else 0
        text = BOM + doc.text if shift else doc.text
        atomic_write_bytes(articles_dir / f"article{doc.id}.txt", text.encode("utf-8"))
        lines = _label_lines(doc.id, sorted(doc.spans), task, shift, schema)
        if combined:
            all_lines.extend(lines)
        else:
            atomic_write_bytes(labels / f"article{doc.id}.{suffix}.labels", "".join(lines).encode("utf-8"))
    if combined:
        atomic_write_bytes(labels, "".join(all_lines).encode("utf-8"))


def write_semeval_predictions(pred: Mapping[str, Iterable[Span]] | Iterable[tuple[str, Span]],
                              path: str | Path, task: str = "TC", schema: LabelSchema | str | None = "ptc14",
                              docs: Iterable[Document] | None = None) -> None:
    """Write a SemEval-2020 Task 11 submission file.

    TC: ``id<TAB>technique<TAB>start<TAB>end``, one line per span in the order given; ``pred`` may
    be a sequence of ``(id, span)`` pairs, which keeps a template's order across articles. SI:
    ``id<TAB>start<TAB>end``, after spans of an article that share characters are merged (SI is
    unlabelled). ``docs`` (the documents predicted on) lets articles read with a byte-order mark
    get offsets counting it, as the official scorer expects.
    """
    _check_task(task)
    schema = resolve_schema(schema) if task == "TC" else None
    bom_ids = {d.id for d in docs or () if d.meta.get("bom")}
    pairs = ([(doc_id, list(spans)) for doc_id, spans in pred.items()] if isinstance(pred, Mapping)
             else [(doc_id, [span]) for doc_id, span in pred])
    lines: list[str] = []
    for doc_id, spans in pairs:
        _check_id(doc_id)
        shift = 1 if doc_id in bom_ids else 0
        if task == "SI":
            lines.extend(_label_lines(doc_id, union_spans(spans, SI_LABEL), "SI", shift, None))
        else:
            lines.extend(_label_lines(doc_id, spans, "TC", shift, schema))
    atomic_write_bytes(path, "".join(lines).encode("utf-8"))
