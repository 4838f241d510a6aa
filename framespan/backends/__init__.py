"""Backends run the network: torch, ONNX, or an ensemble of either. ``load_backend`` picks one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import RunError
from ..layout import ENSEMBLE, ONNX, WEIGHTS
from .base import PRECISIONS, Backend, softmax

__all__ = ["PRECISIONS", "Backend", "load_backend", "member_folders", "softmax"]


def member_folders(folder: Path) -> list[Path]:
    """The member model folders an ensemble folder lists, in order."""
    data = json.loads((folder / ENSEMBLE).read_text(encoding="utf-8"))
    members = [folder / m for m in data.get("members", [])]
    if not members:
        raise RunError(f"{folder / ENSEMBLE}: lists no members")
    for m in members:
        if not m.is_dir():
            raise RunError(f"{folder / ENSEMBLE}: member {m.name} is missing")
    return members


def load_backend(folder: Path, backend: str = "auto", device: str = "auto", threads: int | None = None,
                 precision: str = "fp32") -> tuple[Backend, Any]:
    """The backend for a verified model folder and the tokenizer that feeds it.

    ``auto`` runs ``model.onnx`` with onnxruntime when the folder has one, else the torch weights;
    the ONNX path imports neither torch nor transformers. An ensemble folder loads each member.
    """
    if precision not in PRECISIONS:
        raise RunError(f"unknown precision {precision!r} ({', '.join(PRECISIONS)})")
    if (folder / ENSEMBLE).is_file():
        from .ensemble import EnsembleBackend

        loaded = [load_backend(m, backend, device, threads, precision) for m in member_folders(folder)]
        return EnsembleBackend([b for b, _ in loaded]), loaded[0][1]
    has_onnx = (folder / ONNX).is_file()
    if backend == "auto":
        backend = "onnx" if has_onnx else "torch"
    if backend == "onnx":
        return _load_onnx(folder, has_onnx, device, threads, precision)
    if backend == "torch":
        return _load_torch(folder, device, threads, precision)
    raise ValueError(f"unknown backend {backend!r} (auto, torch, onnx)")


def _load_onnx(folder: Path, has_onnx: bool, device: str, threads: int | None,
               precision: str) -> tuple[Backend, Any]:
    if device not in ("auto", "cpu"):
        raise RunError(f"device {device!r} is for the torch backend; an ONNX folder runs on the CPU")
    if precision != "fp32":
        raise RunError(f"precision {precision!r} is for the torch backend; an ONNX folder runs in its own "
                       "precision (`framespan export --int8` for a smaller, faster one)")
    if not has_onnx:
        raise RunError(f"{folder} has no {ONNX}; make one with `framespan export RUN --out DIR`")
    from ..fast_tokenizer import WindowTokenizer
    from .onnx import OnnxBackend

    onnx = OnnxBackend(folder, threads=threads)
    return onnx, WindowTokenizer.from_folder(folder, token_type_ids=onnx.uses_token_type_ids)


def _load_torch(folder: Path, device: str, threads: int | None, precision: str) -> tuple[Backend, Any]:
    if not (folder / WEIGHTS).is_file():
        raise RunError(f"{folder} has no {WEIGHTS} (an ONNX export?); use backend='onnx'")
    try:
        import torch
        from transformers import AutoTokenizer
    except ImportError:
        raise RunError("the torch backend needs torch and transformers (`pip install framespan[train]`); "
                       "export the run to ONNX (`framespan export`) to predict without them") from None
    from .torch import TorchBackend, resolve_device

    if threads:
        torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), use_fast=True, trust_remote_code=False)
    return TorchBackend(folder, resolve_device(device), precision=precision), tokenizer
