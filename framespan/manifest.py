"""Checksum manifests of model folders, and the checks made before anything is loaded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .atomic import atomic_write_json
from .errors import RunError
from .layout import ENSEMBLE, LABELS, MANIFEST, ONNX, WEIGHTS, is_model_folder


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record size and sha256 of every file in ``folder`` (recursively, manifest excluded), with
    ``extra`` beside the file table."""
    files = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != MANIFEST and not p.name.startswith("."):
            files[str(p.relative_to(folder))] = {"bytes": p.stat().st_size, "sha256": sha256(p)}
    manifest = {"files": files, **(extra or {})}
    atomic_write_json(folder / MANIFEST, manifest)
    return manifest


def refresh_manifest(folder: Path) -> None:
    """Write the manifest again after files changed, keeping what else it records (an ONNX
    export's details) beside the file table."""
    old = folder / MANIFEST
    extra = {k: v for k, v in json.loads(old.read_text(encoding="utf-8")).items() if k != "files"} \
        if old.is_file() else None
    write_manifest(folder, extra)


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
    if not (folder / LABELS).is_file():
        raise RunError(f"{folder}: {LABELS} is missing")
    if not is_model_folder(folder):
        raise RunError(f"{folder}: its decode settings are missing")
    if not any((folder / w).is_file() for w in (WEIGHTS, ONNX, ENSEMBLE)):
        if any(folder.glob("*.bin")) or any(folder.glob("*.pt")) or any(folder.glob("*.pkl")):
            raise RunError(f"{folder}: only pickle weights found; framespan loads safetensors or ONNX only")
        raise RunError(f"{folder}: no {WEIGHTS} or {ONNX}")
    verify_manifest(folder)
