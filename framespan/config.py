"""Validated run configuration (YAML + ``--set key.path=value`` overrides)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ConfigError
from .settings import DecodeSettings, upgrade_decode


class _Strict(BaseModel):
    # Unknown keys are errors: a typo in a config must never silently fall back to a default.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class StandoffSpec(_Strict):
    """A further annotation pass over a corpus's documents: rows of id, label, start, end."""
    labels: str = Field(description="tab-separated file: document id, label (a run-schema name), start, end")
    annotated: list[str] = Field(min_length=1, description="the labels the pass annotated: on its documents, "
                                 "text outside its spans teaches 'not this device' for them")
    articles: str | None = Field(None, description="file of the document ids the pass read, one a line "
                                 "(default: every document of the corpus)")
    replace: bool = Field(False, description="on the documents the pass read, its spans of the labels it "
                          "annotated replace the corpus's own spans of those labels (default: both are kept)")


class CorpusSpec(_Strict):
    path: str
    labels: str | None = Field(None, description="PTC labels folder or file, for the ptc format")
    format: Literal["auto", "jsonl", "ptc", "labelstudio", "doccano", "markup"] = "auto"
    schema_name: str | None = Field(None, alias="schema",
                                    description="label schema the corpus is annotated in (mapped)")
    standoff: list[StandoffSpec] = Field(default_factory=list, description="more labels for the same "
                                         "documents, added after mapping to the run's schema")
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PartsSpec(_Strict):
    """A corpus that comes already split: its train, dev and test files."""
    train: CorpusSpec
    dev: CorpusSpec | None = None
    test: CorpusSpec | None = None


class SplitSpec(_Strict):
    """Document-level random split of the training corpus, used where dev/test are not given."""
    dev: float = Field(0.0, ge=0.0, lt=1.0)
    test: float = Field(0.0, ge=0.0, lt=1.0)
    seed: int = 0

    @model_validator(mode="after")
    def _sum(self) -> SplitSpec:
        if self.dev + self.test >= 1.0:
            raise ValueError("split.dev + split.test must leave documents for training")
        return self


class DataConfig(_Strict):
    train: CorpusSpec
    dev: CorpusSpec | None = None
    test: CorpusSpec | None = None
    split: SplitSpec = SplitSpec()
    extra: list[PartsSpec] = Field(default_factory=list, description="more corpora, each with its own "
                                   "train/dev/test files, joined part by part to the split above")
    lenient: bool = Field(False, description="skip bad records and list them in the run's skipped.jsonl "
                          "instead of stopping at the first")


class ModelConfig(_Strict):
    base: str = Field("minilm-l6", description="encoder: an alias (minilm-l6, mpnet-base), a hub id or a "
                      "local folder")
    max_length: int = Field(256, ge=16, le=4096, description="tokens per window")
    stride: int = Field(64, ge=0, description="tokens shared by neighbouring windows")
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    span_head: bool = Field(True, description="a head that names a given span (pooled tokens and the "
                            "window's first token)")
    any_device_head: bool = Field(False, description="one more tag column for 'any device', which learns "
                                  "from every span whatever its label (span identification)")
    span_features: bool = Field(False, description="give the span head how often a span's words recur in "
                                "the document (for Repetition) and the span's length")
    lexicon: bool = Field(False, description="also fit a lexical classifier (TF-IDF n-grams of the span and "
                          "its surroundings, logistic regression) on the training spans; it is blended with "
                          "the span head when naming spans (decoding.lexicon_weight)")
    lexicon_c: float = Field(10.0, gt=0, description="inverse L2 strength of the lexicon's regression")
    line_breaks: Literal["ignore", "sep"] = Field(
        "ignore", description="sep: each line break reaches the model as the separator token, so it sees "
        "where sentences end in one-sentence-a-line corpora such as PTC; ignore: dropped like other spaces")

    @model_validator(mode="after")
    def _stride(self) -> ModelConfig:
        if self.stride >= self.max_length // 2:
            raise ValueError("model.stride must be less than half of model.max_length")
        return self


class TrainingConfig(_Strict):
    epochs: float = Field(3.0, gt=0)
    max_steps: int = Field(-1, description="overrides epochs when > 0")
    batch_size: int = Field(16, ge=1)
    eval_batch_size: int = Field(32, ge=1)
    grad_accum: int = Field(1, ge=1)
    learning_rate: float = Field(5e-5, gt=0)
    head_learning_rate: float | None = Field(None, gt=0, description="the heads' rate (default learning_rate)")
    weight_decay: float = Field(0.01, ge=0)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    positive_weight: float = Field(1.0, gt=0, description="loss weight of B/I tags against O")
    any_device_loss_weight: float | None = Field(
        None, ge=0, description="weight of the any-device column's tag loss against all label columns' "
        "together (None: it counts as one more column)")
    typography: float = Field(0.0, ge=0, le=1, description="share of training documents seen in another "
                              "typography (quote style, Title Case headline, words in capitals), so the model "
                              "does not learn which quote characters or capitals a corpus uses")
    eval_steps: int | None = Field(None, ge=1, description="evaluate every N steps; default each epoch")
    select_metric: Literal["si_f1", "labeled_f1", "exact_f1", "tc_f1", "loss"] = "labeled_f1"
    tune_thresholds: bool = Field(False, description="after training, choose the decode thresholds on the "
                                  "dev documents (the strategy says which) and save them with the model")
    focus_labels: list[str] = Field(default_factory=list, description="the labels the model is for: their "
                                    "thresholds are tuned for their micro score together, the other labels' "
                                    "for theirs (default: all for one); dev after each epoch and the final "
                                    "dev and test scores report that micro too (focus_f1)")
    keep_checkpoints: int = Field(1, ge=1)
    threads: int | None = Field(None, ge=1)
    logging_steps: int = Field(10, ge=1)
    dataloader_workers: int = Field(0, ge=0)
    group_by_length: bool = Field(False, description="batch windows of similar length together (in random "
                                  "groups of 50 batches), so short documents are not padded to a long one's "
                                  "length; faster where window lengths vary")
    fp16: bool = False
    bf16: bool = False


class RunConfig(_Strict):
    seed: int = 13
    labels: str = "framing"
    description: str = ""
    data: DataConfig
    model: ModelConfig = ModelConfig()
    training: TrainingConfig = TrainingConfig()
    # The model folder's decode settings start as this section (framespan.settings.DecodeSettings).
    decoding: DecodeSettings = DecodeSettings()

    @model_validator(mode="after")
    def _strategy(self) -> RunConfig:
        if self.decoding.strategy == "any_device" and not (self.model.any_device_head and self.model.span_head):
            raise ValueError("decoding.strategy 'any_device' needs model.any_device_head and model.span_head")
        if self.model.span_features and not self.model.span_head:
            raise ValueError("model.span_features needs model.span_head")
        if self.decoding.head_weighed and not self.model.span_head:
            raise ValueError("decoding.head_weighed needs model.span_head")
        return self

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True),
                              encoding="utf-8")


# Keys that changed name, and keys removed after they measured no gain (docs/benchmarks.md).
RENAMED = {
    ("model", "detect_head"): ("model", "any_device_head"),
    ("training", "detect_loss_weight"): ("training", "any_device_loss_weight"),
    ("decoding", "detect_threshold"): ("decoding", "any_device_threshold"),
    ("decoding", "detect_label_weight"): ("decoding", "label_weight"),
    ("decoding", "tune_thresholds"): ("training", "tune_thresholds"),
}
# Retired keys, each with the value at which it changed nothing (None: any value changed nothing
# that a finished run still needs).
RETIRED: dict[tuple[str, str], Any] = {
    ("model", "attention_dropout"): None, ("model", "span_context"): 0, ("training", "stride"): None,
    ("training", "layer_lr_decay"): 1.0, ("training", "freeze_embeddings"): False,
    ("training", "span_loss_weight"): 1.0, ("data", "train_on_dev"): False,
    ("decoding", "detect_label_weights"): ..., ("decoding", "snap_to_words"): True,
    ("training", "label_weights"): {},
}


def retired_in_use(data: dict[str, Any]) -> list[str]:
    """Retired keys a saved config sets to something other than their neutral value: a run that
    used them cannot go on training with this version."""
    used = []
    for (sec, key), neutral in RETIRED.items():
        section = data.get(sec)
        if isinstance(section, dict) and key in section and neutral is not ... and section[key] != neutral:
            used.append(f"{sec}.{key}={section[key]}")
    return used


def upgrade_saved(data: dict[str, Any]) -> dict[str, Any]:
    """A run folder's config.yaml from before the renames, in today's keys. Retired keys are dropped:
    a finished run's config is read again only for its corpora and split, which they never changed."""
    data = copy.deepcopy(data)
    for (sec, key), (new_sec, new_key) in RENAMED.items():
        section = data.get(sec)
        if isinstance(section, dict) and key in section:
            data.setdefault(new_sec, {})[new_key] = section.pop(key)
    for sec, key in RETIRED:
        if isinstance(data.get(sec), dict):
            data[sec].pop(key, None)
    decoding = data.get("decoding")
    if isinstance(decoding, dict) and decoding.get("strategy") == "detect":
        decoding["strategy"] = "any_device"
    if isinstance(decoding, dict):
        upgrade_decode(decoding)
    return data


def _old_keys(data: dict[str, Any], source: str) -> None:
    """Name each renamed or retired key a hand-written config still uses, with what to do."""
    problems = []
    for sec, section in data.items():
        if not isinstance(section, dict):
            continue
        for key in section:
            if (sec, key) in RENAMED:
                problems.append(f"  {sec}.{key}: renamed {'.'.join(RENAMED[(sec, key)])}")
            elif (sec, key) in RETIRED:
                problems.append(f"  {sec}.{key}: removed (it measured no gain; docs/benchmarks.md)")
    if isinstance(data.get("decoding"), dict) and data["decoding"].get("strategy") == "detect":
        problems.append("  decoding.strategy: 'detect' is now 'any_device'")
    if isinstance(data.get("decoding"), dict) and "quote_head" in data["decoding"]:
        problems.append("  decoding.quote_head: now decoding.head_weighed, a list of labels "
                        "(quote_head: true is head_weighed: [scare_quotes])")
    if problems:
        raise ConfigError("\n".join([f"{source}: keys from an older framespan", *problems]))


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` strings; values are parsed as YAML (``5``, ``true``, ``[a, b]``)."""
    data = copy.deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected key.path=value")
        key, raw = item.split("=", 1)
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise ConfigError(f"--set {item!r}: empty key")
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as e:
            raise ConfigError(f"--set {item!r}: value is not valid YAML: {e}") from None
        node = data
        for p in parts[:-1]:
            child = node.get(p)
            if child is None:
                child = node[p] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"--set {item!r}: {p!r} is not a section")
            node = child
        node[parts[-1]] = value
    return data


def _format_errors(err: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid config"]
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        elif e["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  {loc}: {msg}")
    return "\n".join(lines)


def _corpus_specs(data: DataConfig) -> list[CorpusSpec]:
    parts = [(data.train, data.dev, data.test)] + [(x.train, x.dev, x.test) for x in data.extra]
    return [spec for group in parts for spec in group if spec is not None]


def _resolve_path(value: str, base_dir: Path, key: str) -> str:
    # Relative corpus paths in a config file are relative to the current directory first (how
    # people run commands), then to the config's folder, so configs work from anywhere.
    p = Path(value).expanduser()
    if not p.is_absolute() and not p.exists() and (base_dir / p).exists():
        p = base_dir / p
    if not p.exists():
        raise ConfigError(f"data file or folder not found: {value} (config key {key})")
    return str(p)


def resolve_paths(cfg: RunConfig, base_dir: Path) -> None:
    for spec in _corpus_specs(cfg.data):
        spec.path = _resolve_path(spec.path, base_dir, "data.*.path")
        if spec.labels is not None:
            spec.labels = _resolve_path(spec.labels, base_dir, "data.*.labels")
        for extra in spec.standoff:
            extra.labels = _resolve_path(extra.labels, base_dir, "data.*.standoff.labels")
            if extra.articles is not None:
                extra.articles = _resolve_path(extra.articles, base_dir, "data.*.standoff.articles")


def validate_config(data: Any, source: str = "<config>", base_dir: Path | None = None,
                    check_paths: bool = True) -> RunConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a config must be a YAML mapping")
    _old_keys(data, source)
    try:
        cfg = RunConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_format_errors(e, source)) from None
    from .labels import load_schema  # the schema must exist before any model loads

    load_schema(cfg.labels)
    if check_paths:
        resolve_paths(cfg, base_dir or Path.cwd())
    return cfg


def load_config(path: str | Path, overrides: list[str] | None = None, check_paths: bool = True,
                saved: bool = False) -> RunConfig:
    """A validated config from a YAML file with ``key.path=value`` overrides. ``saved``: the file is
    a run folder's own config.yaml, which may predate renamed or retired keys (upgraded here); a
    hand-written config with such keys is refused with the new names."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data or {}, dict):
        raise ConfigError(f"{path}: a config must be a YAML mapping")
    data = upgrade_saved(data or {}) if saved else data or {}
    data = apply_overrides(data, overrides or [])
    return validate_config(data, str(path), path.parent, check_paths)
