"""Export a trained run to an ONNX model folder that runs without torch (onnxruntime only)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from .atomic import rebuild_dir
from .errors import RunError
from .layout import (
    ABOUT,
    DECODE,
    ENCODER_CONFIG,
    ENSEMBLE,
    EXPORT_INFO,
    HEAD_CONFIG,
    LABELS,
    LEGACY_DECODE,
    LEXICON_JSON,
    LEXICON_WEIGHTS,
    ONNX,
    TOKENIZER_CONFIG,
    WEIGHTS,
    model_folder,
)
from .manifest import verify_model_folder, write_manifest
from .onnx_graph import (
    OPSET,
    check_batch,
    fuse,
    io_names,
    max_diff,
    prefer_eager_attention,
    quantize,
    torch_export,
    torch_outputs,
)
from .rundir import RunDir, TuneSet
from .settings import FolderSettings

log = logging.getLogger("framespan")
# Copied as they are: the Detector reads the labels and decode settings; the rest document where
# the model came from.
CARRIED_FILES = (LABELS, DECODE, LEGACY_DECODE, HEAD_CONFIG, ENCODER_CONFIG, ABOUT, LEXICON_JSON, LEXICON_WEIGHTS)
# A float export must reproduce torch's tag probabilities this closely, or it is not written.
FP32_TOLERANCE = 1e-3


def export_onnx(run: str | Path, out: str | Path, int8: bool = False, opset: int = OPSET,
                optimize: bool = True, overwrite: bool = False, tune: TuneSet | None = None,
                progress: bool = False) -> dict[str, Any]:
    """Write an ONNX model folder for ``run`` at ``out``; returns the export record (export.json).

    The folder holds model.onnx (inputs input_ids, attention_mask[, token_type_ids], span_bounds;
    outputs logits (batch, seq, labels, 3) and span_logits (batch, spans, labels) when the run has a
    span head), tokenizer.json, labels.yaml, decode.json and a manifest. ``int8`` applies dynamic
    int8 quantization to the weights (per channel), about a quarter of the size. With ``tune``
    the exported model's own decision thresholds are tuned on its documents (as training tunes
    them on dev), because int8 shifts the tag probabilities the run's thresholds were tuned on.
    """
    src, out = _check_paths(run, Path(out), overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    info = rebuild_dir(out, lambda staging: _write_folder(src, staging, int8, opset, optimize, tune, progress))
    info["folder"] = str(out)
    info["folder_bytes"] = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return info


def _check_paths(run: str | Path, out: Path, overwrite: bool) -> tuple[Path, Path]:
    src = model_folder(run)
    verify_model_folder(src)
    if (src / ENSEMBLE).is_file():
        raise RunError(f"{src} is an ensemble: export each member run, then join the exported folders "
                       "with `framespan ensemble`")
    if not (src / WEIGHTS).is_file():
        raise RunError(f"{src} has no {WEIGHTS} to export (is it already an ONNX folder?)")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise RunError(f"{out} exists and is not empty; pass --overwrite to replace it")
    if out.resolve() == src.resolve() or src.resolve() in out.resolve().parents:
        raise RunError("--out must be a new folder outside the run")
    return src, out


def _write_folder(src: Path, staging: Path, int8: bool, opset: int, optimize: bool, tune: TuneSet | None,
                  progress: bool) -> dict[str, Any]:
    import torch

    from .model import FramespanModel

    started = time.time()
    tokenizer = _load_hf_tokenizer(src)
    model = FramespanModel.load(src, "cpu")
    prefer_eager_attention(model.encoder)
    uses_tt = "token_type_ids" in getattr(tokenizer, "model_input_names", ["token_type_ids"])
    span_head = model.span_classifier is not None
    exporter = torch_export(model, staging / "raw.onnx", uses_tt, span_head, opset, tokenizer.pad_token_id or 0)
    check = check_batch(tokenizer, FolderSettings.load(src).window, uses_tt, tokenizer.pad_token_id or 0)
    reference = torch_outputs(model, check, torch)
    final, optimized, diff_fp32 = _best_float_graph(staging, check, reference, model.encoder.config, optimize)
    diff = diff_fp32
    if int8:
        quantize(final, staging / "int8.onnx")
        final = staging / "int8.onnx"
        diff = max_diff(final, check, reference)
    os.replace(final, staging / ONNX)
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
    return info


def _best_float_graph(staging: Path, check: Any, reference: Any, config: Any,
                      optimize: bool) -> tuple[Path, bool, tuple[float, float]]:
    """The raw graph, or its fused version when fusion keeps the numbers; refused if neither matches."""
    raw = staging / "raw.onnx"
    final, optimized, diff = raw, False, max_diff(raw, check, reference)
    fused = fuse(raw, staging / "fused.onnx", config) if optimize else None
    if fused is not None:
        diff_fused = max_diff(fused, check, reference)
        if diff_fused[0] <= FP32_TOLERANCE:  # a fusion that changes the numbers is not kept
            final, optimized, diff = fused, True, diff_fused
    if diff[0] > FP32_TOLERANCE:
        raise RunError(f"the ONNX graph disagrees with torch (max tag-probability difference {diff[0]:.2g})")
    return final, optimized, diff


def _retune(folder: Path, tune: TuneSet, progress: bool) -> dict[str, Any]:
    from .tuning import tunable_settings, tune_folder

    before = tunable_settings(FolderSettings.load(folder))
    chosen = tune_folder(folder, tune, progress)
    record = {"documents": len(tune.docs), "source": tune.source, "before": before, "after": chosen}
    log.info("thresholds re-tuned on %d documents for the exported model: %s -> %s", len(tune.docs),
             record["before"], chosen)
    return record


def int8_tune_set(run: str | Path) -> TuneSet | None:
    """The run's dev split for an int8 export, or None with a warning when there is none: int8
    moves the tag probabilities, so the run's fp32 thresholds may no longer fit."""
    try:
        return RunDir(run).tune_set("dev")
    except RunError as e:
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
    path = folder / TOKENIZER_CONFIG
    config = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    config["model_input_names"] = list(tokenizer.model_input_names)
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _export_record(src: Path, exporter: str, opset: int, int8: bool, optimized: bool, uses_tt: bool,
                   span_head: bool, diff_fp32: tuple[float, float], diff: tuple[float, float],
                   seconds: float) -> dict[str, Any]:
    import onnxruntime
    import torch

    inputs, outputs = io_names(uses_tt, span_head)
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
