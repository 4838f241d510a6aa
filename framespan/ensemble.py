"""Seed ensembles: one run-like folder whose model averages the token and span probabilities of several runs."""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .atomic import rebuild_dir
from .errors import RunError
from .layout import (
    CONFIG,
    ENCODER_CONFIG,
    ENSEMBLE,
    ENSEMBLE_RUN,
    EXPORT_INFO,
    HEAD_CONFIG,
    LABELS,
    LEXICON_JSON,
    LEXICON_WEIGHTS,
    MANIFEST,
    MODEL_DIR,
    ONNX,
    SPLITS,
    TOKENIZER,
    WEIGHTS,
    model_folder,
)
from .manifest import sha256, verify_model_folder, write_manifest
from .rundir import RunDir
from .settings import FolderSettings

MEMBERS = "members"
# The ensemble folder carries the first member's tokenizer, labels and decode settings (whose
# thresholds are re-tuned for the ensemble when possible) at its top level, but no weights.
_MEMBER_ONLY = {WEIGHTS, ONNX, MANIFEST, ENCODER_CONFIG, HEAD_CONFIG, EXPORT_INFO, LEXICON_JSON, LEXICON_WEIGHTS}


def check_members(folders: Sequence[Path], run_dirs: Sequence[Path]) -> None:
    """Refuse members whose windows, label columns, labels or tokenizer differ, or whose document
    splits differ (an ensemble could then have seen its own test documents)."""
    first = folders[0]
    ref = FolderSettings.load(first)
    for f in folders:
        verify_model_folder(f)
        if (f / ENSEMBLE).is_file():
            raise RunError(f"{f} is itself an ensemble; list its members instead")
        other = FolderSettings.load(f)
        for key in ("window", "active_labels", "any_device_column"):
            if getattr(other, key) != getattr(ref, key):
                raise RunError(f"{f}: its {key} is {_show(getattr(other, key))}, but {first} has "
                               f"{_show(getattr(ref, key))}; members must share windows and labels")
        for name in (LABELS, TOKENIZER):
            if (first / name).is_file() and sha256(f / name) != sha256(first / name):
                raise RunError(f"{f}: {name} differs from {first}'s; members must share labels and tokenizer")
    splits = [r / SPLITS for r in run_dirs if (r / SPLITS).is_file()]
    if len(splits) == len(run_dirs) and len({p.read_text(encoding="utf-8") for p in splits}) > 1:
        raise RunError("the runs were trained on different document splits; an ensemble of them could have "
                       "seen its own test documents")


def _show(value: Any) -> Any:
    return asdict(value) if hasattr(value, "__dataclass_fields__") else value


def build_ensemble(runs: Sequence[str | Path], out: str | Path, tune: bool = True, overwrite: bool = False,
                   progress: bool = True) -> dict[str, Any]:
    """Write a run-like folder at ``out`` whose model averages the models of ``runs``.

    The folder gets the first run's config.yaml and splits.json, so ``framespan evaluate OUT --split
    test`` works; with ``tune``, the ensemble's thresholds are re-tuned on the dev split as training
    does. Returns a summary (also saved as ``OUT/ensemble-run.json``).
    """
    if len(runs) < 2:
        raise RunError("an ensemble needs two or more runs")
    run_dirs = [Path(r) for r in runs]
    folders = [model_folder(r) for r in run_dirs]
    check_members(folders, run_dirs)
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise RunError(f"{out} exists and is not empty; pass --overwrite to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)

    def build(staging: Path) -> dict[str, Any]:
        _write_model(staging / MODEL_DIR, folders)
        for name in (CONFIG, SPLITS, LABELS):
            if (run_dirs[0] / name).is_file():
                shutil.copy2(run_dirs[0] / name, staging / name)
        summary: dict[str, Any] = {"members": [str(f) for f in folders], "tuned": False}
        if tune:
            summary.update(_tune(staging, run_dirs[0], progress))
        (staging / ENSEMBLE_RUN).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return summary

    return rebuild_dir(out, build)


def _write_model(model: Path, folders: Sequence[Path]) -> None:
    names = []
    for i, f in enumerate(folders):
        shutil.copytree(f, model / MEMBERS / str(i))
        names.append(f"{MEMBERS}/{i}")
    for p in folders[0].iterdir():
        if p.is_file() and p.name not in _MEMBER_ONLY:
            shutil.copy2(p, model / p.name)
    (model / ENSEMBLE).write_text(json.dumps({"members": names, "sources": [str(f) for f in folders]},
                                             indent=2) + "\n", encoding="utf-8")
    write_manifest(model)


def _tune(staging: Path, run: Path, progress: bool) -> dict[str, Any]:
    """Re-tune the ensemble's thresholds on the first run's dev documents."""
    from .tuning import tune_folder

    try:
        tune = RunDir(run).tune_set("dev")
    except Exception as e:  # noqa: BLE001 - tuning is optional; the members' thresholds still work
        warnings.warn(f"thresholds not re-tuned (dev documents of {run} unavailable: {e})", stacklevel=2)
        return {"tuned": False, "why_not_tuned": str(e)}
    chosen = tune_folder(staging / MODEL_DIR, tune, progress)
    return {"tuned": True, **chosen, "dev_documents": len(tune.docs)}
