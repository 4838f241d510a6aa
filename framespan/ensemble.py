"""Seed ensembles: one model folder whose members' token and span probabilities are averaged."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RunError
from .lexicon import FILES as LEXICON_FILES

ENSEMBLE_FILE = "ensemble.json"
MEMBERS = "members"
# The ensemble folder carries the first member's tokenizer, labels and decoding settings (whose
# thresholds are re-tuned for the ensemble when possible) at its top level, but no weights.
_MEMBER_ONLY = {"model.safetensors", "model.onnx", "manifest.json", "encoder_config.json", "head_config.json",
                "export.json", *LEXICON_FILES}
# Settings that must agree, or the members' windows and columns would not line up.
_MUST_MATCH = ("max_length", "stride", "detect_column", "active_labels", "line_break_id", "line_break_placeholder")


def _log_mean_softmax(logits: Sequence[np.ndarray]) -> np.ndarray:
    # The Detector applies softmax to what a backend returns; the log of the averaged probabilities
    # makes that softmax give back exactly the average.
    probs = []
    for x in logits:
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        probs.append(e / e.sum(axis=-1, keepdims=True))
    return np.log(np.maximum(np.mean(probs, axis=0), 1e-12))


class EnsembleBackend:
    """Runs each member backend on the same padded batch and averages their probabilities."""

    def __init__(self, members: Sequence[Any]) -> None:
        if not members:
            raise RunError("an ensemble needs at least one member")
        self.members = list(members)
        sizes = [getattr(m, "max_batch", None) for m in self.members]
        self.max_batch = min((s for s in sizes if s), default=None)
        if any(getattr(m, "span_logits", None) is None for m in self.members):
            self.span_logits = None  # type: ignore[assignment]

    def tag_logits(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        return _log_mean_softmax([m.tag_logits(batch) for m in self.members])

    def span_logits(self, batch: dict[str, np.ndarray], bounds: np.ndarray,
                    feats: np.ndarray | None = None) -> np.ndarray | None:
        outs = [m.span_logits(batch, bounds, feats) for m in self.members]
        if any(o is None for o in outs):
            return None
        return _log_mean_softmax(outs)


def member_folders(folder: Path) -> list[Path]:
    """The member model folders an ensemble folder lists, in order."""
    data = json.loads((folder / ENSEMBLE_FILE).read_text(encoding="utf-8"))
    members = [folder / m for m in data.get("members", [])]
    if not members:
        raise RunError(f"{folder / ENSEMBLE_FILE}: lists no members")
    for m in members:
        if not m.is_dir():
            raise RunError(f"{folder / ENSEMBLE_FILE}: member {m.name} is missing")
    return members


def build_ensemble(runs: Sequence[str | Path], out: str | Path, tune: bool = True, overwrite: bool = False,
                   progress: bool = True) -> dict[str, Any]:
    """Write a run-like folder at ``out`` whose model averages the models of ``runs``.

    The runs must share labels, tokenizer, windows and document split (so no member trained on
    another's test documents). The folder gets the first run's config.yaml and splits.json, so
    ``framespan evaluate OUT --split test`` works; with ``tune``, the ensemble's decision thresholds
    are re-tuned on the dev split as training does. Returns a summary (also saved as
    ``OUT/ensemble-run.json``).
    """
    from .inference import InferenceConfig, model_folder
    from .runs import replace_dir, sha256, verify_model_folder, write_manifest

    if len(runs) < 2:
        raise RunError("an ensemble needs two or more runs")
    run_dirs = [Path(r) for r in runs]
    folders = [model_folder(r) for r in run_dirs]
    for f in folders:
        verify_model_folder(f)
        if (f / ENSEMBLE_FILE).is_file():
            raise RunError(f"{f} is itself an ensemble; list its members instead")
    first = folders[0]
    ref = InferenceConfig.load(first).__dict__
    for f in folders[1:]:
        other = InferenceConfig.load(f).__dict__
        for key in _MUST_MATCH:
            if other.get(key) != ref.get(key):
                raise RunError(f"{f}: inference setting {key!r} is {other.get(key)!r}, but {first} has "
                               f"{ref.get(key)!r}; members must share windows and labels")
        for name in ("labels.yaml", "tokenizer.json"):
            if (first / name).is_file() and sha256(f / name) != sha256(first / name):
                raise RunError(f"{f}: {name} differs from {first}'s; members must share labels and tokenizer")
    splits = [r / "splits.json" for r in run_dirs if (r / "splits.json").is_file()]
    if len(splits) == len(run_dirs):
        texts = {p.read_text(encoding="utf-8") for p in splits}
        if len(texts) > 1:
            raise RunError("the runs were trained on different document splits; an ensemble of them "
                           "could have seen its own test documents")
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise RunError(f"{out} exists and is not empty; pass --overwrite to replace it")

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    model = staging / "model"
    try:
        names = []
        for i, f in enumerate(folders):
            dest = model / MEMBERS / str(i)
            shutil.copytree(f, dest)
            names.append(f"{MEMBERS}/{i}")
        for p in first.iterdir():
            if p.is_file() and p.name not in _MEMBER_ONLY:
                shutil.copy2(p, model / p.name)
        (model / ENSEMBLE_FILE).write_text(json.dumps(
            {"members": names, "sources": [str(f) for f in folders]}, indent=2) + "\n", encoding="utf-8")
        for name in ("config.yaml", "splits.json", "labels.yaml"):
            if (run_dirs[0] / name).is_file():
                shutil.copy2(run_dirs[0] / name, staging / name)
        write_manifest(model)
        summary: dict[str, Any] = {"members": [str(f) for f in folders], "tuned": False}
        if tune:
            summary.update(_tune(staging, run_dirs[0], progress))
        (staging / "ensemble-run.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _tune(staging: Path, run: Path, progress: bool) -> dict[str, Any]:
    """Re-tune the decision thresholds of the ensemble on the first run's dev documents."""
    import warnings

    from .data import load_corpora
    from .labels import load_schema
    from .training import load_run_config, tune_model_folder

    try:
        cfg = load_run_config(run)
        from .config import _resolve_paths

        _resolve_paths(cfg, Path.cwd())
        corpora = load_corpora(cfg, load_schema(cfg.labels))
    except Exception as e:  # noqa: BLE001 - tuning is optional; the members' thresholds still work
        warnings.warn(f"thresholds not re-tuned (dev documents of {run} unavailable: {e})", stacklevel=2)
        return {"tuned": False, "why_not_tuned": str(e)}
    if not corpora.dev:
        return {"tuned": False, "why_not_tuned": "the run has no dev documents"}
    chosen = tune_model_folder(staging / "model", corpora.dev, cfg.training.select_metric, progress)
    return {"tuned": True, **chosen, "dev_documents": len(corpora.dev)}


def add_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("ensemble", help="average several runs of one recipe (seed ensemble)")
    p.add_argument("runs", nargs="+", help="run folders (two or more), trained on the same split")
    p.add_argument("--out", required=True, help="new folder for the ensemble (run-like: evaluate --split works)")
    p.add_argument("--no-tune", action="store_true", help="keep the first run's thresholds")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_ensemble)


def cmd_ensemble(args: argparse.Namespace) -> int:
    summary = build_ensemble(args.runs, args.out, tune=not args.no_tune, overwrite=args.overwrite,
                             progress=not args.quiet)
    print(json.dumps(summary, indent=2))
    return 0
