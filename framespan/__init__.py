"""framespan: find framing and propaganda devices in news text as labelled character spans."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .spans import Document, Span

if TYPE_CHECKING:
    from .detector import Detector

__version__ = "0.2.0"
__all__ = ["Detector", "Document", "Span", "__version__", "load", "predict", "train"]


def load(path: str | Path, backend: str = "auto", device: str = "auto", precision: str = "fp32") -> Detector:
    """A Detector from a run folder, its model folder, or an exported ONNX folder (``device``: auto,
    the GPU when torch sees one, else cpu; ``precision``: fp32, or bf16 for the torch backend on
    hardware with bf16 instructions)."""
    from .detector import Detector

    return Detector.load(path, backend=backend, device=device, precision=precision)


def predict(path_or_detector: Any, text: str) -> list[Span]:
    """Spans in ``text`` (loads the model first if given a path)."""
    det = path_or_detector if hasattr(path_or_detector, "predict") else load(path_or_detector)
    return det.predict(text)


def train(config: Any, output: str | Path, overrides: list[str] | None = None, resume: bool = False,
          overwrite: bool = False, progress: bool = True) -> Path:
    """Train from a config file (or RunConfig) into ``output``; returns the run folder."""
    from .training import train as _train

    return _train(config, output, overrides, resume=resume, overwrite=overwrite, progress=progress)


def __getattr__(name: str) -> Any:
    # Detector is imported on first use so `import framespan` stays light.
    if name == "Detector":
        from .detector import Detector

        return Detector
    raise AttributeError(name)
