"""The torch backend: a FramespanModel on the CPU or a GPU, optionally under bf16 autocast."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import RunError
from .base import PRECISIONS, Backend


def resolve_device(device: str) -> str:
    """The torch device to predict on: ``auto`` is the GPU when torch sees one, else the CPU; a named
    device (cpu, cuda, cuda:1, mps) is checked, so a missing GPU is an error rather than a slow run."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError):
        raise RunError(f"unknown device {device!r} (auto, cpu, cuda, cuda:N, mps)") from None
    if kind == "cpu":
        return "cpu"  # safetensors refuses "cpu:0", which Trainer reports under torchrun
    if kind == "cuda" and not torch.cuda.is_available():
        raise RunError(f"device {device!r}: torch {torch.__version__} sees no CUDA GPU here; "
                       "use device 'auto' or 'cpu'")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise RunError(f"device {device!r}: torch sees no Apple GPU (MPS) here; use device 'auto' or 'cpu'")
    return device


class TorchBackend(Backend):
    keeps_hidden = True

    def __init__(self, folder: Path | None = None, device: str = "cpu", model: Any = None,
                 precision: str = "fp32") -> None:
        import torch

        from ..model import FramespanModel

        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r} ({', '.join(PRECISIONS)})")
        self.torch = torch
        self.device = device
        self.precision = precision
        self.model = model if model is not None else FramespanModel.load(folder, device)

    @property
    def has_span_head(self) -> bool:
        return self.model.span_classifier is not None

    def _autocast(self) -> Any:
        # Weights stay fp32; matrix products run in bf16, about 2.5x faster for a base-size encoder
        # on a CPU with AVX512-BF16 or AMX (docs/benchmarks.md).
        torch = self.torch
        return torch.autocast(torch.device(self.device).type, dtype=torch.bfloat16,
                              enabled=self.precision == "bf16")

    def _inputs(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        return {k: self.torch.from_numpy(v).to(self.device) for k, v in batch.items()}

    def tag_logits(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        with self.torch.inference_mode(), self._autocast():
            return self.model(**self._inputs(batch))["logits"].float().cpu().numpy()

    def tag_logits_and_hidden(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, Any]:
        with self.torch.inference_mode(), self._autocast():
            hidden = self.model.encode(**self._inputs(batch))
            return self.model.tag(hidden).float().cpu().numpy(), hidden

    def span_logits(self, batch: dict[str, np.ndarray], bounds: np.ndarray,
                    feats: np.ndarray | None = None) -> np.ndarray:
        self._need_head()
        with self.torch.inference_mode(), self._autocast():
            inputs = self._inputs(batch)
            return self._classify(self.model.encode(**inputs), inputs["attention_mask"], bounds, feats)

    def span_logits_from_hidden(self, hidden: Sequence[Any], bounds: np.ndarray,
                                feats: np.ndarray | None = None) -> np.ndarray:
        self._need_head()
        torch = self.torch
        n = max(h.shape[0] for h in hidden)
        with torch.inference_mode(), self._autocast():
            padded = hidden[0].new_zeros((len(hidden), n, hidden[0].shape[-1]))
            mask = torch.zeros((len(hidden), n), dtype=torch.long, device=padded.device)
            for i, h in enumerate(hidden):
                padded[i, : h.shape[0]] = h
                mask[i, : h.shape[0]] = 1
            return self._classify(padded, mask, bounds, feats)

    def _need_head(self) -> None:
        if not self.has_span_head:
            raise RunError("this model has no span head")

    def _classify(self, hidden: Any, mask: Any, bounds: np.ndarray, feats: np.ndarray | None) -> np.ndarray:
        torch = self.torch
        span_feats = None
        if self.model.span_features:
            span_feats = torch.from_numpy(np.asarray(feats, dtype=np.float32)).to(self.device)
        logits = self.model.classify_spans(hidden, torch.from_numpy(bounds).to(self.device), span_feats, mask)
        return logits.float().cpu().numpy()
