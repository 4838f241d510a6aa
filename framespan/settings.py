"""A model folder's settings: how text is cut into windows, and how token scores become spans.

One object, :class:`FolderSettings`, saved as ``decode.json`` in every model folder. Training
seeds it from the run config (``model`` for the windows, ``decoding`` for the spans), tuning
rewrites its thresholds, and every prediction call may override any decode setting by name
(``detector.predict(text, threshold=0.3)``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .atomic import atomic_write_json
from .errors import RunError
from .layout import DECODE, LEGACY_DECODE

# The names strategies.py registers its decoders under (that module builds on this one).
STRATEGY_NAMES = ("labels", "any_device")


@dataclass(frozen=True)
class WindowSettings:
    """How a text is cut into model inputs (the preprocess step)."""

    max_length: int = 256
    stride: int = 64  # tokens shared by neighbouring windows
    # Line breaks reach the model as this token id (None: dropped, as tokenizers do), written over
    # a one-character placeholder where the tokenizer would drop them (encoding.LineBreaks).
    line_break_id: int | None = None
    line_break_placeholder: str = ""


@dataclass(frozen=True)
class DecodeSettings:
    """How token scores become spans (the postprocess step); every field may be overridden per call."""

    # labels: each label's tag column finds its own spans. any_device: the any-device column finds
    # spans and the span head names each (SemEval's span identification, then classification).
    strategy: str = "labels"
    threshold: float = 0.5  # a label's inside probability to start a span
    thresholds: dict[str, float] = field(default_factory=dict)  # per label, over ``threshold``
    any_device_threshold: float = 0.5
    # any_device: the column's inside probability becomes (1 - w) p_any + w * noisy-or(labels).
    label_weight: float = 0.0
    # Hysteresis: a span goes on while tokens stay above threshold * continue_ratio, so one weak
    # token inside a clause does not cut it in two.
    continue_ratio: float = 0.6
    min_chars: int = 1
    lexicon_weight: float = 0.5  # naming: p_head^(1-w) * p_lexicon^w, when the folder has a lexicon
    # Labels whose candidates the span head weighs: a candidate's tokens in the label's column are
    # multiplied by the head's probability that it is that device, so decoding ranks candidates by
    # tag score x head probability, which tells a device from its look-alikes better than the tags
    # alone (docs/benchmarks.md). A candidate is a quotation for scare quotes, otherwise one of the
    # label's spans at a low threshold (Detector.weigh_by_head). Needs a span head; tune with it on.
    head_weighed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # ValueError: pydantic reports it against the config key when the run config holds these.
        if self.strategy not in STRATEGY_NAMES:
            raise ValueError(f"unknown decoding strategy {self.strategy!r} ({', '.join(STRATEGY_NAMES)})")
        for name, value in [("threshold", self.threshold), ("any_device_threshold", self.any_device_threshold),
                            *self.thresholds.items()]:
            if not 0 < value < 1:
                raise ValueError(f"threshold {name!r} must be between 0 and 1, got {value}")
        if not 0 < self.continue_ratio <= 1:
            raise ValueError(f"continue_ratio must be in (0, 1], got {self.continue_ratio}")
        if self.min_chars < 1:
            raise ValueError(f"min_chars must be at least 1, got {self.min_chars}")
        if isinstance(self.head_weighed, str) or not all(isinstance(n, str) for n in self.head_weighed):
            raise ValueError(f"head_weighed must be a list of label names, got {self.head_weighed!r}")
        for name in ("label_weight", "lexicon_weight"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")

    def threshold_for(self, label: str) -> float:
        return self.thresholds.get(label, self.threshold)

    def override(self, **changes: Any) -> DecodeSettings:
        """A copy with the named settings changed; an unknown name is an error, not ignored.

        ``threshold`` alone sets one threshold for every label (the per-label ones are set aside),
        which is what a caller asking for "threshold 0.3" means; give ``thresholds`` too to keep some.
        """
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise TypeError(f"unknown decode setting(s) {unknown}; known: {sorted(known)}")
        changes = {k: v for k, v in changes.items() if v is not None}
        if "threshold" in changes and "thresholds" not in changes:
            changes["thresholds"] = {}
        return replace(self, **changes) if changes else self


def upgrade_decode(decode: dict[str, Any]) -> dict[str, Any]:
    """Decode settings saved before ``head_weighed``, in place: ``quote_head`` weighed the
    scare-quote column alone."""
    if decode.pop("quote_head", False):
        decode.setdefault("head_weighed", ["scare_quotes"])
    return decode


@dataclass(frozen=True)
class FolderSettings:
    """Everything a model folder says about prediction besides its weights."""

    window: WindowSettings = WindowSettings()
    decode: DecodeSettings = DecodeSettings()
    # Labels the training data annotated; the other labels' outputs were never trained.
    active_labels: list[str] | None = None
    any_device_column: bool = False  # the model has the label-agnostic "any device" tag column
    # Where the thresholds come from: the config, or tuning on which documents.
    tuned: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.decode.strategy == "any_device" and not self.any_device_column:
            raise RunError("strategy 'any_device' needs a model with the any-device column")

    @property
    def focus_labels(self) -> list[str]:
        """The labels tuning chose thresholds for together (``training.focus_labels``); none if untuned."""
        return list(((self.tuned or {}).get("chose") or {}).get("focus_labels", []))

    def save(self, folder: Path) -> None:
        # Atomic, and a new file rather than an overwrite, so a hard-linked copy of the folder
        # (tuning's staging) never changes the original.
        atomic_write_json(folder / DECODE, asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FolderSettings:
        decode = upgrade_decode(dict(data.get("decode", {})))
        return cls(WindowSettings(**data.get("window", {})), DecodeSettings(**decode),
                   data.get("active_labels"), bool(data.get("any_device_column", False)), data.get("tuned"))

    @classmethod
    def load(cls, folder: Path) -> FolderSettings:
        path = folder / DECODE
        if path.is_file():
            try:
                return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (TypeError, ValueError) as err:
                raise RunError(f"{path}: not valid decode settings ({err})") from None
        legacy = folder / LEGACY_DECODE
        if legacy.is_file():
            return from_legacy(json.loads(legacy.read_text(encoding="utf-8")), legacy)
        raise RunError(f"{folder}: no {DECODE}; not a framespan model folder")


# inference.json (before decode.json): its keys, and where each went.
_LEGACY_WINDOW = ("max_length", "stride", "line_break_id", "line_break_placeholder")
_LEGACY_DECODE = {"threshold": "threshold", "thresholds": "thresholds", "continue_ratio": "continue_ratio",
                  "min_chars": "min_chars", "lexicon_weight": "lexicon_weight",
                  "detect_threshold": "any_device_threshold", "detect_label_weight": "label_weight"}
_LEGACY_DROPPED = ("snap_to_words", "detect_label_weights")  # always on / a tuning grid, no longer kept


def from_legacy(data: dict[str, Any], path: Path) -> FolderSettings:
    """Settings of a folder made before decode.json, read from its inference.json as they were."""
    known = set(_LEGACY_WINDOW) | set(_LEGACY_DECODE) | set(_LEGACY_DROPPED) | {
        "strategy", "active_labels", "detect_column"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RunError(f"{path}: unknown keys {unknown}; this folder was made by a newer or altered framespan")
    decode = {new: data[old] for old, new in _LEGACY_DECODE.items() if old in data}
    decode["strategy"] = {"detect": "any_device"}.get(data.get("strategy", "labels"), data.get("strategy"))
    return FolderSettings(WindowSettings(**{k: data[k] for k in _LEGACY_WINDOW if k in data}),
                          DecodeSettings(**decode), data.get("active_labels"),
                          bool(data.get("detect_column", False)))
