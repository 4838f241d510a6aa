"""Run folders: atomic writes, checksum manifests, and verification before anything is loaded."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import RunError

MANIFEST = "manifest.json"
# Files a model folder must have; tokenizer files vary by model, so they are checked by manifest.
REQUIRED_MODEL_FILES = ("labels.yaml", "inference.json")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


def atomic_write_text(path: str | Path, text: str) -> None:
    with atomic_writer(path) as f:
        f.write(text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_json(path: str | Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def replace_dir(staging: Path, final: Path) -> None:
    """Swap a fully written ``staging`` folder into place as ``final``.

    The old folder is moved aside first and removed after the rename, so at every instant either
    the complete old or the complete new folder is at ``final`` (two renames, no copy).
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


def write_manifest(folder: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record size and sha256 of every file in ``folder`` (recursively, manifest excluded)."""
    files = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != MANIFEST and not p.name.startswith("."):
            files[str(p.relative_to(folder))] = {"bytes": p.stat().st_size, "sha256": sha256(p)}
    manifest = {"files": files, **(extra or {})}
    atomic_write_json(folder / MANIFEST, manifest)
    return manifest


def verify_manifest(folder: Path) -> None:
    """Raise RunError naming each missing, truncated or altered file."""
    path = folder / MANIFEST
    if not path.is_file():
        raise RunError(f"{folder}: no {MANIFEST}; the folder is incomplete or was not written by framespan")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        raise RunError(f"{path}: manifest is not valid JSON with a 'files' table") from None
    problems = []
    for rel, info in files.items():
        p = folder / rel
        if not p.is_file():
            problems.append(f"{rel} is missing")
        elif p.stat().st_size != info["bytes"]:
            problems.append(f"{rel} has {p.stat().st_size} bytes, the manifest says {info['bytes']} (truncated?)")
        elif sha256(p) != info["sha256"]:
            problems.append(f"{rel} does not match its checksum (modified or corrupt)")
    if problems:
        raise RunError(f"{folder}: " + "; ".join(problems))


def verify_model_folder(folder: Path) -> None:
    for name in REQUIRED_MODEL_FILES:
        if not (folder / name).is_file():
            raise RunError(f"{folder}: {name} is missing")
    weights = [folder / "model.safetensors", folder / "model.onnx", folder / "ensemble.json"]
    if not any(w.is_file() for w in weights):
        if any(folder.glob("*.bin")) or any(folder.glob("*.pt")) or any(folder.glob("*.pkl")):
            raise RunError(f"{folder}: only pickle weights found; framespan loads safetensors or ONNX only")
        raise RunError(f"{folder}: no model.safetensors or model.onnx")
    verify_manifest(folder)
