"""A run folder and what it knows: its config, its document split, its model, its status."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from .atomic import atomic_write_json
from .config import RunConfig, TrainingConfig, load_config
from .corpora.common import SkipReport
from .data import load_corpora
from .errors import RunError
from .labels import LabelSchema, load_schema
from .layout import CHECKPOINTS, CONFIG, LABELS, SPLITS, STATUS, TRAINER_STATE, model_folder
from .spans import Document

SPLIT_NAMES = ("train", "dev", "test")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class TuneSet(NamedTuple):
    """Documents to tune decode thresholds on, where they came from, and the run's selection metric."""

    docs: list[Document]
    source: str
    select_metric: str = "labeled_f1"
    focus: tuple[str, ...] = ()  # labels tuned for their own micro score (training.focus_labels)

    @classmethod
    def of(cls, docs: list[Document], source: str, training: TrainingConfig) -> TuneSet:
        """``docs`` to tune as ``training`` asks: its selection metric and focus labels."""
        return cls(docs, source, training.select_metric, tuple(training.focus_labels))


class RunDir:
    """The folder ``framespan train --output`` writes (layout.py names its files)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    @property
    def model(self) -> Path:
        """The model folder (``model/``), checked to exist."""
        folder = model_folder(self.path)
        if folder == self.path:
            raise RunError(f"{self.path} is a model folder without its run ({CONFIG}, {SPLITS})")
        return folder

    def has_config(self) -> bool:
        return (self.path / CONFIG).is_file()

    def config(self, check_paths: bool = True) -> RunConfig:
        """The run's own config.yaml, upgraded from older key names; corpus paths are resolved
        against the current folder, then the run folder's (``check_paths=False``: not looked up)."""
        if not self.has_config():
            raise RunError(f"{self.path}: no {CONFIG} (not a framespan run folder?)")
        return load_config(self.path / CONFIG, check_paths=check_paths, saved=True)

    def schema(self) -> LabelSchema:
        return load_schema(self.model / LABELS)

    def split_ids(self) -> dict[str, list[str]]:
        path = self.path / SPLITS
        if not path.is_file():
            raise RunError(f"{self.path}: no {SPLITS}, so the run's document split is not known")
        return json.loads(path.read_text(encoding="utf-8"))

    def split(self, name: str, schema: LabelSchema | None = None, report: SkipReport | None = None
              ) -> list[Document]:
        """The documents of the run's own ``name`` split, read again from the corpora its config
        names and picked by the ids in its splits.json."""
        if name not in SPLIT_NAMES:
            raise RunError(f"unknown split {name!r} ({', '.join(SPLIT_NAMES)})")
        return self._split(name, self.config(), schema, report)

    def _split(self, name: str, cfg: RunConfig, schema: LabelSchema | None, report: SkipReport | None = None
               ) -> list[Document]:
        schema = schema or self.schema()  # first: a bare model folder is refused as such
        ids = set(self.split_ids().get(name, []))
        corpora = load_corpora(cfg, schema, report)
        return [d for part in (corpora.train, corpora.dev, corpora.test) for d in part if d.id in ids]

    def tune_set(self, name: str = "dev") -> TuneSet:
        """The run's ``name`` documents for tuning decode thresholds, with its selection metric and
        focus labels."""
        schema = self.schema()  # first: a bare model folder is refused as such
        cfg = self.config()
        docs = self._split(name, cfg, schema)
        if not docs:
            raise RunError(f"{self.path} has no {name} documents to tune thresholds on")
        return TuneSet.of(docs, f"{name} split of {self.path} ({len(docs)} documents)", cfg.training)

    # -- status ------------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        path = self.path / STATUS
        if not path.is_file():
            return {}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            raise RunError(f"{path} is not valid JSON (truncated?)") from None

    def update_status(self, **fields: Any) -> None:
        atomic_write_json(self.path / STATUS, {**self.status(), **fields})

    def state(self) -> str:
        """'empty', 'finished', or 'partial' (a run folder with checkpoints but no finished run)."""
        if not self.path.exists() or not any(self.path.iterdir()):
            return "empty"
        try:
            return "finished" if self.status().get("status") == "finished" else "partial"
        except RunError:
            return "partial"

    def latest_checkpoint(self) -> Path | None:
        """Newest complete checkpoint; staged (half-written) ones live elsewhere and are never seen."""
        folder = self.path / CHECKPOINTS
        if not folder.is_dir():
            return None
        found = [(int(p.name[11:]), p) for p in folder.iterdir()
                 if p.is_dir() and p.name.startswith("checkpoint-") and p.name[11:].isdigit()
                 and (p / TRAINER_STATE).is_file()]
        return max(found)[1] if found else None
