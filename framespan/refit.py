"""Fit (or refit) the lexicon of a finished run on its own training documents, in place."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from .atomic import rebuild_dir
from .data import load_corpora
from .errors import RunError
from .layout import ENSEMBLE
from .lexicon import FORMAT, fit_for_run
from .manifest import verify_model_folder, write_manifest
from .rundir import RunDir
from .settings import FolderSettings


def refit_run_lexicon(run: str | Path, weight: float | None = None) -> dict[str, Any]:
    """Fit a lexicon on a finished run's own training documents (its config and splits.json) and
    write it into the run's model folder, replacing the folder atomically. The span head is not
    touched; with a selection metric that reads labels (tc_f1, labeled_f1) a run trained with
    the lexicon could have kept another epoch, so run.json records the refit."""
    rundir = RunDir(run)
    folder = rundir.model
    verify_model_folder(folder)
    if (folder / ENSEMBLE).is_file():
        raise RunError(f"{run} is an ensemble; fit the lexicons of its member runs, then build it again")
    cfg = rundir.config()
    schema = rundir.schema()
    corpora = load_corpora(cfg, schema)
    trained = rundir.split_ids().get("train", [])
    if sorted(trained) != sorted(d.id for d in corpora.train):
        raise RunError(f"{rundir.path}: the run's training documents differ from what its config reads now "
                       "(corpus changed?); refusing to fit a lexicon on other documents")
    lexicon, fitted = fit_for_run(cfg.model.lexicon_c, corpora.train, schema.names)
    weight = cfg.decoding.lexicon_weight if weight is None else weight

    def build(staging: Path) -> None:
        lexicon.save(staging)
        settings = FolderSettings.load(staging)
        replace(settings, decode=settings.decode.override(lexicon_weight=weight)).save(staging)
        write_manifest(staging)

    rebuild_dir(folder, build, start_from=folder)
    info = {**fitted, "weight": weight, "format": FORMAT, "documents": len(corpora.train),
            "note": "metrics.json predates this lexicon; `framespan evaluate` scores the run as it is now"}
    rundir.update_status(lexicon_refit=info)
    return info
