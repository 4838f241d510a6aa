"""Write a benchmark's table into its marked section of a Markdown file (docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

from framespan.atomic import atomic_write_text


def write_section(path: Path, start: str, end: str, text: str) -> None:
    """Replace what lies between the ``start`` and ``end`` markers (``text`` holds both), or append
    ``text`` when the file has no such section yet; the file is replaced atomically."""
    doc = path.read_text(encoding="utf-8")
    if start in doc:
        doc = doc[:doc.index(start)] + text + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    atomic_write_text(path, doc)
