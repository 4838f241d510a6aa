"""Trace a FramespanModel into an ONNX graph, optimise or quantize it, and check it against torch."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from .backends import softmax
from .encoding import LineBreaks, pad_windows, tokenize_windows
from .settings import WindowSettings
from .span_features import N_SPAN_FEATURES

OPSET = 17
# Encoders whose graphs onnxruntime's transformer optimizer knows how to fuse (attention, layer norm).
FUSABLE = {"bert": "bert", "roberta": "bert", "xlm-roberta": "bert"}
# Sample text for the numeric check; long enough to make several windows of different lengths.
_CHECK_TEXT = ("The so-called experts said on Tuesday that the regime had signed its own death sentence.\n"
               "An anonymous source inside the ministry claimed that everyone already knew it. ") * 12


def prefer_eager_attention(encoder: Any) -> None:
    # The plain matmul-softmax attention traces into the pattern onnxruntime fuses into its
    # Attention kernel; the SDPA path exports fine but runs about a quarter slower on CPU.
    try:
        encoder.set_attn_implementation("eager")
    except (AttributeError, ValueError, TypeError):
        if hasattr(encoder.config, "_attn_implementation"):
            encoder.config._attn_implementation = "eager"


def _graph_module(model: Any, uses_tt: bool, span_head: bool) -> Any:
    """The model as the exported graph sees it: plain tensors in, (logits[, span_logits]) out."""
    from torch import nn

    class Graph(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *args: Any) -> Any:
            input_ids, attention_mask = args[0], args[1]
            hidden = self.model.encode(input_ids, attention_mask, args[2] if uses_tt else None)
            logits = self.model.tag(hidden)
            if not span_head:
                return logits
            if self.model.span_features:
                return logits, self.model.classify_spans(hidden, args[-2], args[-1], attention_mask)
            return logits, self.model.classify_spans(hidden, args[-1], None, attention_mask)

    return Graph().eval()


def io_names(uses_tt: bool, span_head: bool, span_features: int = 0) -> tuple[list[str], list[str]]:
    inputs = ["input_ids", "attention_mask"] + (["token_type_ids"] if uses_tt else [])
    outputs = ["logits"]
    if span_head:
        inputs.append("span_bounds")
        if span_features:
            inputs.append("span_feats")
        outputs.append("span_logits")
    return inputs, outputs


def torch_export(model: Any, path: Path, uses_tt: bool, span_head: bool, opset: int, pad_id: int) -> str:
    """Trace the graph with dynamic batch, sequence and span axes; returns the exporter used."""
    import warnings

    import torch

    graph = _graph_module(model, uses_tt, span_head)
    inputs, outputs = io_names(uses_tt, span_head, model.span_features)
    # Trace with a padded row: an all-ones mask could let the encoder skip its masking branch,
    # which tracing would then bake into the graph.
    vocab = int(model.encoder.config.vocab_size)
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(min(5, vocab - 1), vocab, (2, 16), generator=gen)
    mask = torch.ones_like(ids)
    mask[1, 11:] = 0
    ids[1, 11:] = pad_id
    args: list[torch.Tensor] = [ids, mask]
    if uses_tt:
        args.append(torch.zeros_like(ids))
    if span_head:
        args.append(torch.tensor([[[1, 3], [2, 6]], [[1, 1], [4, 9]]]))
        if model.span_features:
            args.append(torch.rand((2, 2, model.span_features), generator=gen))
    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "sequence"} for name in inputs
                                       if name not in ("span_bounds", "span_feats")}
    axes["logits"] = {0: "batch", 1: "sequence"}
    if span_head:
        for name in ("span_bounds", "span_feats", "span_logits"):
            if name in inputs or name in outputs:
                axes[name] = {0: "batch", 1: "spans"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # The TorchScript exporter needs nothing beyond torch; the dynamo one needs onnxscript.
            torch.onnx.export(graph, tuple(args), str(path), dynamo=False, opset_version=opset,
                              input_names=inputs, output_names=outputs, dynamic_axes=axes,
                              do_constant_folding=True)
            return "torchscript"
        except (ImportError, AttributeError, NotImplementedError):
            dims = {name: {0: torch.export.Dim("batch"), 1: torch.export.Dim("sequence")}
                    for name in inputs if name not in ("span_bounds", "span_feats")}
            for name in ("span_bounds", "span_feats"):
                if name in inputs:
                    dims[name] = {0: torch.export.Dim("batch"), 1: torch.export.Dim("spans")}
            torch.onnx.export(graph, tuple(args), str(path), dynamo=True, opset_version=opset,
                              input_names=inputs, output_names=outputs, external_data=False,
                              dynamic_shapes={"args": tuple(dims.values())})
            return "dynamo"


def fuse(src: Path, dst: Path, config: Any) -> Path | None:
    """onnxruntime's transformer fusions (attention, skip layer norm, GELU), or None if n/a."""
    kind = FUSABLE.get(getattr(config, "model_type", ""))
    if kind is None:
        return None
    try:
        from onnxruntime.transformers.optimizer import optimize_model
    except ImportError:
        return None
    logging.disable(logging.WARNING)  # it narrates each fusion it could not apply
    try:
        opt = optimize_model(str(src), model_type=kind, num_heads=int(config.num_attention_heads),
                             hidden_size=int(config.hidden_size), opt_level=1)
        opt.save_model_to_file(str(dst))
    except Exception:  # noqa: BLE001 - an optional speed-up; the unfused graph is kept instead
        return None
    finally:
        logging.disable(logging.NOTSET)
    return dst


def quantize(src: Path, dst: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weights roughly halve the probability error of per-tensor int8 on MiniLM.
    logging.disable(logging.WARNING)  # its advice to pre-process is for static quantization
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        logging.disable(logging.NOTSET)


def check_batch(tokenizer: Any, window: WindowSettings, uses_tt: bool, pad_id: int) -> dict[str, np.ndarray]:
    """A padded batch of real windows (different lengths) plus span bounds, for numeric checks."""
    max_length = min(window.max_length, 128)
    stride = min(window.stride, max_length // 4)
    breaks = LineBreaks.of(window)
    windows = tokenize_windows(tokenizer, [_CHECK_TEXT, _CHECK_TEXT[:150]], max_length, stride, breaks)[-3:]
    batch = pad_windows(windows, pad_id, token_type_ids=uses_tt)
    if uses_tt:
        batch["token_type_ids"][:] = 0
    batch["span_bounds"] = np.array([[[1, 2], [3, 7]]] * len(windows), dtype=np.int64)
    # Both kinds of feature row: a span that recurs and one that does not.
    rows = [[1.0, 0.69, 0.0, 0.6, 0.4, 1.0, 0.69], [0.0, 0.0, 0.0, 1.1, 0.9, 0.0, 0.0]]
    assert len(rows[0]) == N_SPAN_FEATURES, "one check value per span feature"
    batch["span_feats"] = np.array([rows] * len(windows), dtype=np.float32)
    return batch


def torch_outputs(model: Any, batch: dict[str, np.ndarray], torch: Any) -> list[np.ndarray]:
    with torch.inference_mode():
        t = {k: torch.from_numpy(v) for k, v in batch.items()}
        out = model(**{k: v for k, v in t.items() if k not in ("span_bounds", "span_feats")})
        result = [out["logits"].numpy()]
        if model.span_classifier is not None:
            hidden = model.encode(t["input_ids"], t["attention_mask"], t.get("token_type_ids"))
            feats = t["span_feats"][..., :model.span_features] if model.span_features else None
            result.append(model.classify_spans(hidden, t["span_bounds"], feats, t["attention_mask"]).numpy())
    return result


def max_diff(path: Path, batch: dict[str, np.ndarray], reference: list[np.ndarray]) -> tuple[float, float]:
    """Largest absolute difference of tag probabilities on real tokens, and of span-head probabilities."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {}
    for i in sess.get_inputs():
        # A head built with fewer span features takes the first ones, as OnnxBackend feeds them.
        feeds[i.name] = batch[i.name][..., :i.shape[-1]] if i.name == "span_feats" else batch[i.name]
    got = sess.run(None, feeds)
    real = batch["attention_mask"].astype(bool)
    tag = float(np.abs(softmax(got[0]) - softmax(reference[0]))[real].max())
    span = float(np.abs(softmax(got[1]) - softmax(reference[1])).max()) if len(got) > 1 else 0.0
    return tag, span
