"""The corpus formats: which reader and writer each uses, and how a path's format is told."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..errors import DataError
from ..labels import LabelSchema
from ..spans import Document
from .common import BOM, SkipReport, resolve_schema
from .doccano import read_doccano, write_doccano
from .jsonl import read_jsonl, write_jsonl
from .labelstudio import read_labelstudio, write_labelstudio
from .markup import read_markup_corpus
from .ptc import read_ptc, write_ptc

FORMATS = ("jsonl", "ptc", "labelstudio", "doccano", "markup")


def _looks_like_markup(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            for raw in f:
                if raw.startswith((b"===", BOM.encode() + b"===")):
                    return True
    except OSError:
        return False
    return False


def _jsonl_flavour(path: Path) -> str:
    """``jsonl`` (ours) or ``doccano``, from the first record that parses."""
    try:
        with path.open("rb") as f:
            for raw in f:
                try:
                    value = json.loads(raw.decode("utf-8-sig"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    return "jsonl"  # let the strict reader name the problem
                if not isinstance(value, dict):
                    return "jsonl"
                if "spans" in value:
                    return "jsonl"
                if "label" in value or "labels" in value or "entities" in value:
                    return "doccano"
                return "jsonl"
    except OSError as e:
        raise DataError(f"cannot read file ({e.strerror or e})", path) from None
    return "jsonl"


def detect_format(path: str | Path) -> str:
    """Guess a corpus format from the path and, where the suffix is ambiguous, the content."""
    path = Path(path)
    if path.is_dir():
        txts = sorted(path.glob("*.txt"))
        if txts and all(_looks_like_markup(p) for p in txts):
            return "markup"
        return "ptc"
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _jsonl_flavour(path)
    if suffix == ".json":
        return "labelstudio"
    if suffix == ".txt" and _looks_like_markup(path):
        return "markup"
    if not path.exists():
        raise DataError("no such file or folder", path)
    raise DataError("cannot tell the corpus format from the name; pass format= "
                    f"(one of {', '.join(FORMATS)})", path)




def read_corpus(path: str | Path, format: str = "auto", labels: str | Path | None = None,
                schema: LabelSchema | str | None = None, lenient: bool = False,
                report: SkipReport | None = None) -> list[Document]:
    """Read any supported corpus into Documents.

    ``format="auto"`` picks by path: a folder of markup ``.txt`` files (``=== id`` headers) is
    markup, any other folder is PTC articles; ``.jsonl`` is ours or doccano, told apart by the
    first record; ``.json`` is a Label Studio export; a ``.txt`` file with headers is markup.
    ``labels`` is the PTC labels folder or file (ignored by other formats).
    """
    path = Path(path)
    fmt = detect_format(path) if format == "auto" else format
    resolved = resolve_schema(schema)
    if fmt == "ptc":
        # No default schema here: write_corpus writes PTC folders with any label set.
        return read_ptc(path, labels=labels, lenient=lenient, report=report, schema=resolved)
    if fmt == "markup":
        return read_markup_corpus(path, resolved, lenient, report)
    readers = {"jsonl": read_jsonl, "doccano": read_doccano, "labelstudio": read_labelstudio}
    if fmt in readers:
        return readers[fmt](path, schema=resolved, lenient=lenient, report=report)
    raise ValueError(f"unknown corpus format {format!r}; expected 'auto' or one of {FORMATS}")


def write_corpus(docs: Sequence[Document], path: str | Path, format: str = "auto") -> None:
    """Write Documents in a format ``read_corpus`` reads back.

    ``auto`` picks by suffix: ``.jsonl`` ours, ``.json`` Label Studio, no suffix a PTC folder
    (articles and per-article TC label files side by side). Markup cannot be written.
    """
    path = Path(path)
    fmt = format
    if fmt == "auto":
        fmt = {".jsonl": "jsonl", ".json": "labelstudio", "": "ptc"}.get(path.suffix.lower(), "")
        if not fmt:
            raise ValueError(f"{path}: cannot tell the format from the suffix; pass format=")
    if fmt == "jsonl":
        write_jsonl(docs, path)
    elif fmt == "doccano":
        write_doccano(docs, path)
    elif fmt == "labelstudio":
        write_labelstudio(docs, path)
    elif fmt == "ptc":
        write_ptc(docs, path, path, task="TC", schema=None)
    else:
        raise ValueError(f"cannot write corpus format {format!r}; expected one of jsonl, doccano, "
                         "labelstudio, ptc")
