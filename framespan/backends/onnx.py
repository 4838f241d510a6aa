"""The ONNX backend: an exported model.onnx run by onnxruntime, without torch."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import RunError
from ..layout import ONNX
from .base import Backend

THREADS_ENV = "FRAMESPAN_THREADS"


class OnnxBackend(Backend):
    """Tag logits (and span-head logits, when exported) from ``model.onnx`` in ``folder``.

    ``threads``: onnxruntime intra-op threads (default: the FRAMESPAN_THREADS environment variable,
    else onnxruntime's own choice, one per physical core).
    """

    # Windows per forward call. On CPU, 8 windows of 256 tokens already keep the matrix kernels
    # busy (32 is no faster), while activation memory grows with the batch: 8 instead of 32
    # saves about 60 MB of peak memory for MiniLM.
    max_batch = 8

    def __init__(self, folder: str | Path, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise RunError("this model folder holds an ONNX model; install onnxruntime "
                           "(pip install 'framespan[onnx]') to run it") from None
        path = Path(folder) / ONNX
        if not path.is_file():
            raise RunError(f"{folder}: no {ONNX}")
        options = ort.SessionOptions()
        if threads is None and os.environ.get(THREADS_ENV, "").strip():
            threads = int(os.environ[THREADS_ENV])
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.outputs = [o.name for o in self.session.get_outputs()]
        self._span_head = "span_logits" in self.outputs and "span_bounds" in self.inputs
        # How many span features the exported span head takes (0: none); read once, used per call.
        self.span_features = next((int(i.shape[-1]) for i in self.session.get_inputs() if i.name == "span_feats"), 0)

    @property
    def has_span_head(self) -> bool:
        return self._span_head

    @property
    def uses_token_type_ids(self) -> bool:
        return "token_type_ids" in self.inputs

    def _feeds(self, batch: dict[str, np.ndarray], bounds: np.ndarray | None,
               feats: np.ndarray | None = None) -> dict[str, np.ndarray]:
        ids = batch["input_ids"]
        feeds: dict[str, np.ndarray] = {}
        for name in self.inputs:
            if name == "span_bounds":
                # No spans to classify: an empty (batch, 0, 2) array; the tag output ignores it.
                feeds[name] = bounds if bounds is not None else np.zeros((ids.shape[0], 0, 2), dtype=np.int64)
            elif name == "span_feats":
                # A folder exported with fewer features takes the first ones (they only grow at the end).
                feeds[name] = (np.ascontiguousarray(feats[..., :self.span_features], dtype=np.float32)
                               if bounds is not None
                               else np.zeros((ids.shape[0], 0, self.span_features), dtype=np.float32))
            elif name in batch:
                feeds[name] = np.ascontiguousarray(batch[name], dtype=np.int64)
            elif name == "token_type_ids":
                feeds[name] = np.zeros_like(ids, dtype=np.int64)
            else:
                raise RunError(f"the ONNX model needs input {name!r}, which framespan does not produce")
        return feeds

    def tag_logits(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(["logits"], self._feeds(batch, None))[0]

    def span_logits(self, batch: dict[str, np.ndarray], bounds: np.ndarray,
                    feats: np.ndarray | None = None) -> np.ndarray:
        if not self._span_head:
            raise RunError("this ONNX model was exported without its span head")
        feeds = self._feeds(batch, np.ascontiguousarray(bounds, dtype=np.int64), feats)
        return self.session.run(["span_logits"], feeds)[0]
