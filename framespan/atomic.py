"""Writes that never leave half a file or half a folder: temp file then rename, staged folder then swap."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TextIO


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary handle to a temp file beside ``path``, renamed onto it only if writing succeeds,
    so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are meant to be shared
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_text(path: str | Path) -> Iterator[TextIO]:
    """A UTF-8 text handle with ``atomic_writer``'s guarantee: the file appears whole or not at all."""
    import io

    with atomic_writer(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
        finally:
            text.flush()
            text.detach()


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_writer(path) as f:
        f.write(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_dir(staging: Path, final: Path) -> None:
    """Swap a fully written ``staging`` folder into place as ``final``.

    Two renames, no copy: the old folder is moved aside to ``.NAME.old``, the new one moved in, and
    the old one removed. At every instant a complete folder exists, at ``final`` or (between the
    two renames) at ``.NAME.old``; a crash in that instant leaves the old folder there, not at
    ``final``.
    """
    _fsync_tree(staging)
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    _fsync_dir(final.parent)
    if old.exists():
        shutil.rmtree(old)


def rebuild_dir(final: Path, build: Callable[[Path], Any], start_from: Path | None = None,
                link: bool = False) -> Any:
    """Build a folder in a staging copy beside ``final`` and swap it in; on any failure the staging
    copy is removed and ``final`` is untouched. ``start_from`` seeds the copy (``link``: hard links,
    so large unchanged files are shared and only files written anew differ). Returns ``build``'s
    result."""
    staging = final.parent / f".{final.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    if start_from is not None:
        shutil.copytree(start_from, staging, copy_function=os.link if link else shutil.copy2)
    else:
        staging.mkdir(parents=True)
    try:
        result = build(staging)
        replace_dir(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
