"""`framespan export`: turn a trained run into an ONNX model folder that runs without torch."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .errors import FramespanError, RunError
from .inference import INFERENCE_CONFIG, LABELS_FILE, ONNX_FILE, InferenceConfig, model_folder
from .lexicon import FILES as LEXICON_FILES
from .span_features import N_SPAN_FEATURES
from .spans import Document

log = logging.getLogger("framespan")
EXPORT_INFO = "export.json"
OPSET = 17
# Copied as they are: the Detector reads the first two; the rest document where the model came from.
CARRIED_FILES = (LABELS_FILE, INFERENCE_CONFIG, "head_config.json", "encoder_config.json", "framespan.json",
                 *LEXICON_FILES)
# Encoders whose graphs onnxruntime's transformer optimizer knows how to fuse (attention, layer norm).
FUSABLE = {"bert": "bert", "roberta": "bert", "xlm-roberta": "bert"}
# A float export must reproduce torch's tag probabilities this closely, or it is not written.
FP32_TOLERANCE = 1e-3
# Sample text for the numeric check; long enough to make several windows of different lengths.
_CHECK_TEXT = ("The so-called experts said on Tuesday that the regime had signed its own death sentence.\n"
               "An anonymous source inside the ministry claimed that everyone already knew it. ") * 12


class TuneSet(NamedTuple):
    """Documents to tune an export's thresholds on, where they came from, and the run's selection
    metric (what training tuned per-label thresholds for)."""

    docs: Sequence[Document]
    source: str
    select_metric: str = "labeled_f1"


def export_onnx(run: str | Path, out: str | Path, int8: bool = False, opset: int = OPSET,
                optimize: bool = True, overwrite: bool = False, tune: TuneSet | None = None,
                progress: bool = False) -> dict[str, Any]:
    """Write an ONNX model folder for ``run`` at ``out``; returns the export record (export.json).

    The folder holds model.onnx (inputs input_ids, attention_mask[, token_type_ids], span_bounds;
    outputs logits (batch, seq, labels, 3) and span_logits (batch, spans, labels) when the run has a
    span head), tokenizer.json, labels.yaml, inference.json and a manifest. ``int8`` applies dynamic
    int8 quantization to the weights (per channel), about a quarter of the size. With ``tune``
    the exported model's own decision thresholds are tuned on its documents (as training tunes
    them on dev), because int8 shifts the tag probabilities the run's thresholds were tuned on.
    """
    import torch

    from .model import FramespanModel
    from .runs import replace_dir, verify_model_folder, write_manifest

    src = model_folder(run)
    verify_model_folder(src)
    if (src / "ensemble.json").is_file():
        raise RunError(f"{src} is an ensemble: export each member run, then join the exported folders "
                       "with `framespan ensemble`")
    if not (src / "model.safetensors").is_file():
        raise RunError(f"{src} has no model.safetensors to export (is it already an ONNX folder?)")
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise RunError(f"{out} exists and is not empty; pass --overwrite to replace it")
    if out.resolve() == src.resolve() or src.resolve() in out.resolve().parents:
        raise RunError("--out must be a new folder outside the run")

    tokenizer = _load_hf_tokenizer(src)
    model = FramespanModel.load(src, "cpu")
    _prefer_eager_attention(model.encoder)
    uses_tt = "token_type_ids" in getattr(tokenizer, "model_input_names", ["token_type_ids"])
    span_head = model.span_classifier is not None

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir()
    try:
        started = time.time()
        raw = staging / "raw.onnx"
        exporter = _torch_export(model, raw, uses_tt, span_head, opset, tokenizer.pad_token_id or 0)
        check = _check_batch(tokenizer, json.loads((src / INFERENCE_CONFIG).read_text(encoding="utf-8")),
                             uses_tt, tokenizer.pad_token_id or 0)
        reference = _torch_outputs(model, check, torch)

        final, optimized = raw, False
        diff_fp32 = _max_diff(raw, check, reference)
        fused = _fuse(raw, staging / "fused.onnx", model.encoder.config) if optimize else None
        if fused is not None:
            diff_fused = _max_diff(fused, check, reference)
            if diff_fused[0] <= FP32_TOLERANCE:  # a fusion that changes the numbers is not kept
                final, optimized, diff_fp32 = fused, True, diff_fused
        if diff_fp32[0] > FP32_TOLERANCE:
            raise RunError(f"the ONNX graph disagrees with torch (max tag-probability difference "
                           f"{diff_fp32[0]:.2g}); not writing {out}")
        diff = diff_fp32
        if int8:
            quantized = staging / "int8.onnx"
            _quantize(final, quantized)
            final = quantized
            diff = _max_diff(final, check, reference)
        os.replace(final, staging / ONNX_FILE)
        for leftover in ("raw.onnx", "fused.onnx", "int8.onnx"):
            (staging / leftover).unlink(missing_ok=True)

        tokenizer.save_pretrained(str(staging))
        _record_input_names(staging, tokenizer)
        for name in CARRIED_FILES:
            if (src / name).is_file():
                shutil.copy2(src / name, staging / name)
        info = _export_record(src, exporter, opset, int8, optimized, uses_tt, span_head, diff_fp32, diff,
                              time.time() - started)
        extra = {"export": {"format": "onnx", "int8": int8, "source": str(src)}}
        if tune is not None:
            write_manifest(staging, extra)  # tuning loads the folder, and loading verifies it
            info["thresholds_tuned"] = _retune(staging, tune, progress)
        (staging / EXPORT_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        write_manifest(staging, extra)
        verify_model_folder(staging)
        replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    info["folder"] = str(out)
    info["folder_bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return info


# -- building blocks -------------------------------------------------------------------------------
def _retune(folder: Path, tune: TuneSet, progress: bool) -> dict[str, Any]:
    from .training import tune_model_folder

    before = InferenceConfig.load(folder)
    chosen = tune_model_folder(folder, list(tune.docs), tune.select_metric, progress)
    record: dict[str, Any] = {"documents": len(tune.docs), "source": tune.source,
                              "before": {"detect_threshold": before.detect_threshold,
                                         "detect_label_weight": before.detect_label_weight}
                              if "detect_threshold" in chosen else {"thresholds": before.thresholds},
                              "after": chosen}
    log.info("thresholds re-tuned on %d documents for the exported model: %s -> %s", len(tune.docs),
             record["before"], chosen)
    return record


def export_tune_docs(run: str | Path, split: str = "dev") -> TuneSet:
    """A run's own ``split`` documents for re-tuning an export's thresholds; a RunError when ``run``
    is a bare model folder or its corpus cannot be read."""
    from .labels import load_schema
    from .training import load_run_config, load_run_split

    run = Path(run)
    folder = model_folder(run)
    if folder == run or not (run / "config.yaml").is_file():
        raise RunError(f"{run} is a model folder without its run (config.yaml, splits.json): there is no "
                       f"{split} split to tune thresholds on")
    docs = load_run_split(run, split, load_schema(folder / LABELS_FILE))
    if not docs:
        raise RunError(f"{run} has no {split} documents (a final fit on train + dev?) to tune thresholds on")
    return TuneSet(docs, f"{split} split of {run} ({len(docs)} documents)",
                   load_run_config(run).training.select_metric)


def int8_tune_set(run: str | Path) -> TuneSet | None:
    """The run's dev split for an int8 export, or None with a warning on stderr when there is none:
    int8 moves the tag probabilities, so the run's fp32 thresholds may no longer fit."""
    try:
        return export_tune_docs(run, "dev")
    except FramespanError as e:
        print(f"warning: thresholds not re-tuned for int8 ({e}); the run's own thresholds are kept",
              file=sys.stderr)
        return None


def _load_hf_tokenizer(folder: Path) -> Any:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder), use_fast=True, trust_remote_code=False)
    if not getattr(tok, "is_fast", False):
        raise RunError(f"{folder}: the tokenizer has no fast (Rust) version, which ONNX folders need")
    return tok


def _record_input_names(folder: Path, tokenizer: Any) -> None:
    # transformers knows from the tokenizer's class whether it emits token_type_ids; the light
    # tokenizer has only the files, so the export spells it out.
    path = folder / "tokenizer_config.json"
    config = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    config["model_input_names"] = list(tokenizer.model_input_names)
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _prefer_eager_attention(encoder: Any) -> None:
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
            kw = {"token_type_ids": args[2]} if uses_tt else {}
            hidden = self.model.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                        **kw).last_hidden_state
            logits = self.model.tagger(hidden).view(hidden.shape[0], hidden.shape[1], self.model.n_columns, 3)
            if not span_head:
                return logits
            if self.model.span_features:
                return logits, self.model.classify_spans(hidden, args[-2], args[-1], attention_mask)
            return logits, self.model.classify_spans(hidden, args[-1], None, attention_mask)

    return Graph().eval()


def _io_names(uses_tt: bool, span_head: bool, span_features: int = 0) -> tuple[list[str], list[str]]:
    inputs = ["input_ids", "attention_mask"] + (["token_type_ids"] if uses_tt else [])
    outputs = ["logits"]
    if span_head:
        inputs.append("span_bounds")
        if span_features:
            inputs.append("span_feats")
        outputs.append("span_logits")
    return inputs, outputs


def _torch_export(model: Any, path: Path, uses_tt: bool, span_head: bool, opset: int, pad_id: int) -> str:
    """Trace the graph with dynamic batch, sequence and span axes; returns the exporter used."""
    import warnings

    import torch

    graph = _graph_module(model, uses_tt, span_head)
    inputs, outputs = _io_names(uses_tt, span_head, model.span_features)
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


def _fuse(src: Path, dst: Path, config: Any) -> Path | None:
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


def _quantize(src: Path, dst: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel weights roughly halve the probability error of per-tensor int8 on MiniLM.
    logging.disable(logging.WARNING)  # its advice to pre-process is for static quantization
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        logging.disable(logging.NOTSET)


def _check_batch(tokenizer: Any, inference: dict[str, Any], uses_tt: bool,
                 pad_id: int) -> dict[str, np.ndarray]:
    """A padded batch of real windows (different lengths) plus span bounds, for numeric checks."""
    from .encoding import tokenize_windows

    max_length = min(int(inference.get("max_length", 256)), 128)
    stride = min(int(inference.get("stride", 32)), max_length // 4)
    breaks = InferenceConfig(**inference).line_breaks
    windows = tokenize_windows(tokenizer, [_CHECK_TEXT, _CHECK_TEXT[:150]], max_length, stride, breaks)[-3:]
    n = max(len(w.input_ids) for w in windows)
    batch = {"input_ids": np.full((len(windows), n), pad_id, dtype=np.int64),
             "attention_mask": np.zeros((len(windows), n), dtype=np.int64)}
    if uses_tt:
        batch["token_type_ids"] = np.zeros((len(windows), n), dtype=np.int64)
    for i, w in enumerate(windows):
        batch["input_ids"][i, :len(w.input_ids)] = w.input_ids
        batch["attention_mask"][i, :len(w.input_ids)] = 1
    batch["span_bounds"] = np.array([[[1, 2], [3, 7]]] * len(windows), dtype=np.int64)
    # Both kinds of feature row: a span that recurs and one that does not.
    rows = [[1.0, 0.69, 0.0, 0.6, 0.4, 1.0, 0.69], [0.0, 0.0, 0.0, 1.1, 0.9, 0.0, 0.0]]
    assert len(rows[0]) == N_SPAN_FEATURES, "one check value per span feature"
    batch["span_feats"] = np.array([rows] * len(windows), dtype=np.float32)
    return batch


def _torch_outputs(model: Any, batch: dict[str, np.ndarray], torch: Any) -> list[np.ndarray]:
    with torch.inference_mode():
        t = {k: torch.from_numpy(v) for k, v in batch.items()}
        out = model(**{k: v for k, v in t.items() if k not in ("span_bounds", "span_feats")})
        result = [out["logits"].numpy()]
        if model.span_classifier is not None:
            kw = {"token_type_ids": t["token_type_ids"]} if "token_type_ids" in t else {}
            hidden = model.encoder(input_ids=t["input_ids"], attention_mask=t["attention_mask"],
                                   **kw).last_hidden_state
            feats = t["span_feats"][..., :model.span_features] if model.span_features else None
            result.append(model.classify_spans(hidden, t["span_bounds"], feats, t["attention_mask"]).numpy())
    return result


def _max_diff(path: Path, batch: dict[str, np.ndarray], reference: list[np.ndarray]) -> tuple[float, float]:
    """Largest absolute difference of tag probabilities on real tokens, and of span-head probabilities."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {}
    for i in sess.get_inputs():
        # A head built with fewer span features takes the first ones, as OnnxBackend feeds them.
        feeds[i.name] = batch[i.name][..., :i.shape[-1]] if i.name == "span_feats" else batch[i.name]
    got = sess.run(None, feeds)
    real = batch["attention_mask"].astype(bool)
    tag = float(np.abs(_softmax(got[0]) - _softmax(reference[0]))[real].max())
    span = float(np.abs(_softmax(got[1]) - _softmax(reference[1])).max()) if len(got) > 1 else 0.0
    return tag, span


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _export_record(src: Path, exporter: str, opset: int, int8: bool, optimized: bool, uses_tt: bool,
                   span_head: bool, diff_fp32: tuple[float, float], diff: tuple[float, float],
                   seconds: float) -> dict[str, Any]:
    import onnxruntime
    import torch

    inputs, outputs = _io_names(uses_tt, span_head)
    return {
        "format": "onnx",
        "source": str(src),
        "exporter": exporter,
        "opset": opset,
        "int8": int8,
        "quantization": "dynamic int8, per-channel weights (onnxruntime quantize_dynamic)" if int8 else None,
        "fused": optimized,
        "inputs": inputs,
        "outputs": outputs,
        "span_head": span_head,
        "max_tag_prob_diff_fp32": diff_fp32[0],
        "max_tag_prob_diff": diff[0],
        "max_span_prob_diff": diff[1],
        "torch": torch.__version__,
        "onnxruntime": onnxruntime.__version__,
        "seconds": round(seconds, 1),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


# -- command line ----------------------------------------------------------------------------------
def add_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("export", help="export a run to an ONNX model folder (runs without torch)")
    p.add_argument("run", help="run or model folder")
    p.add_argument("--out", "-o", required=True, help="folder to write (Detector.load and predict take it)")
    p.add_argument("--int8", action="store_true", help="dynamic int8 quantization (about 4x smaller)")
    p.add_argument("--opset", type=int, default=OPSET, help=f"ONNX opset (default {OPSET}, at least 17)")
    p.add_argument("--no-fuse", action="store_true", help="skip onnxruntime's transformer graph fusions")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.add_argument("--tune-on", choices=["auto", "dev", "none"], default="auto",
                   help="re-tune the exported model's decision thresholds on the run's dev split: auto "
                        "(default) does it for --int8 when the run has a readable dev split, and says so "
                        "when it cannot; dev insists; none keeps the run's thresholds")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    if args.opset < 17:
        raise RunError("--opset must be at least 17")
    tune = None
    if args.tune_on == "dev":
        tune = export_tune_docs(args.run, "dev")
    elif args.tune_on == "auto" and args.int8:
        tune = int8_tune_set(args.run)
    info = export_onnx(args.run, args.out, int8=args.int8, opset=args.opset, optimize=not args.no_fuse,
                       overwrite=args.overwrite, tune=tune, progress=not args.quiet)
    mb = info["folder_bytes"] / 1e6
    print(f"wrote {info['folder']} ({mb:.1f} MB, {'int8' if info['int8'] else 'fp32'}, "
          f"max tag-probability difference to torch {info['max_tag_prob_diff']:.2g})")
    if "thresholds_tuned" in info:
        tuned = info["thresholds_tuned"]
        print(f"thresholds re-tuned on the {tuned['source']}: {tuned['before']} -> {tuned['after']}")
    return 0
