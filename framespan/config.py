"""Validated run configuration (YAML + ``--set key.path=value`` overrides)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError


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
    lenient: bool = False
    train_on_dev: bool = Field(False, description="a final fit: train on the dev documents too, so "
                               "nothing picks the epoch (the last is kept) or tunes thresholds (decoding's "
                               "own are used; take them from a run of the same recipe that had a dev set)")


class ModelConfig(_Strict):
    base: str = "minilm-l6"
    max_length: int = Field(256, ge=16, le=4096)
    stride: int = Field(64, ge=0, description="tokens shared by neighbouring windows")
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    attention_dropout: float | None = Field(
        None, ge=0.0, lt=1.0, description="the encoder's dropout on attention probabilities during training "
        "(None: the pretrained config's, 0.1 for BERT and MPNet)")
    span_head: bool = True
    detect_head: bool = Field(False, description="add a label-agnostic 'any device' tag column")
    span_features: bool = Field(False, description="give the span head how often a span's words "
                                "recur in the document (for Repetition) and the span's length")
    span_context: int = Field(0, ge=0, le=256, description="tokens on each side of a span that the span "
                              "head also reads, with the span's edge tokens (0: the span and the "
                              "window's first token only)")
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
    stride: int | None = Field(None, ge=0, description="tokens shared by neighbouring training windows "
                               "(default model.stride); 0 cuts each text into disjoint windows, fewer "
                               "tokens an epoch, while prediction keeps model.stride's overlap")
    learning_rate: float = Field(5e-5, gt=0)
    head_learning_rate: float | None = Field(None, gt=0)
    layer_lr_decay: float = Field(1.0, gt=0, le=1, description="layer-wise learning-rate decay: the encoder's "
                                  "top layer trains at learning_rate, each layer below at this factor times "
                                  "the one above, the embeddings lowest (1: one rate for the whole encoder)")
    freeze_embeddings: bool = Field(False, description="keep the encoder's input word embeddings at their "
                                    "pretrained values: no gradient or optimizer update for the vocabulary "
                                    "matrix (a regulariser for small corpora; saves under 5% of a CPU step)")
    weight_decay: float = Field(0.01, ge=0)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    positive_weight: float = Field(1.0, gt=0, description="loss weight of B/I tags against O")
    typography: float = Field(0.0, ge=0, le=1, description="share of training documents seen in another "
                              "typography (quote style, Title Case headline, words in capitals), so the model "
                              "does not learn which quote characters or capitals a corpus uses")
    span_loss_weight: float = Field(1.0, ge=0)
    detect_loss_weight: float | None = Field(
        None, ge=0, description="weight of the any-device column's tag loss against all label columns' "
        "together (None: it counts as one more column)")
    eval_steps: int | None = Field(None, ge=1, description="evaluate every N steps; default each epoch")
    select_metric: Literal["si_f1", "labeled_f1", "exact_f1", "tc_f1", "loss"] = "labeled_f1"
    keep_checkpoints: int = Field(1, ge=1)
    threads: int | None = Field(None, ge=1)
    logging_steps: int = Field(10, ge=1)
    dataloader_workers: int = Field(0, ge=0)
    fp16: bool = False
    bf16: bool = False


class DecodingConfig(_Strict):
    threshold: float = Field(0.5, gt=0, lt=1)
    thresholds: dict[str, float] = Field(default_factory=dict)
    snap_to_words: bool = True
    min_chars: int = Field(1, ge=1)
    continue_ratio: float = Field(0.6, gt=0, le=1, description="hysteresis: a span continues while tokens "
                                  "stay above threshold * continue_ratio")
    tune_thresholds: bool = Field(False, description="pick per-label thresholds on dev after training")
    strategy: Literal["labels", "detect"] = Field(
        "labels", description="labels: each label's tagger finds its spans; detect: the any-device "
        "tagger finds spans and the span head names them (needs model.detect_head and span_head)")
    detect_threshold: float = Field(0.5, gt=0, lt=1)
    lexicon_weight: float = Field(0.5, ge=0, le=1, description="with model.lexicon: device probabilities "
                                  "are p_head^(1-w) * p_lexicon^w (0: the span head alone)")
    detect_label_weight: float = Field(0.0, ge=0, le=1, description="detect strategy: the any-device "
                                       "probability is (1-w) * p_any + w * noisy-or of the label columns")
    detect_label_weights: list[float] = Field(
        default_factory=list, description="with tune_thresholds and the detect strategy: label weights tried "
        "on dev with every threshold after training (dev evaluations between epochs use detect_label_weight)")

    @field_validator("detect_label_weights")
    @classmethod
    def _weights(cls, v: list[float]) -> list[float]:
        for w in v:
            if not 0 <= w <= 1:
                raise ValueError(f"label weights must be between 0 and 1, got {w}")
        return v

    @field_validator("thresholds")
    @classmethod
    def _range(cls, v: dict[str, float]) -> dict[str, float]:
        for k, t in v.items():
            if not 0 < t < 1:
                raise ValueError(f"threshold for {k!r} must be between 0 and 1, got {t}")
        return v


class RunConfig(_Strict):
    seed: int = 13
    labels: str = "framing"
    description: str = ""
    data: DataConfig
    model: ModelConfig = ModelConfig()
    training: TrainingConfig = TrainingConfig()
    decoding: DecodingConfig = DecodingConfig()

    @model_validator(mode="after")
    def _strategy(self) -> RunConfig:
        if self.decoding.strategy == "detect" and not (self.model.detect_head and self.model.span_head):
            raise ValueError("decoding.strategy 'detect' needs model.detect_head and model.span_head")
        if self.model.span_features and not self.model.span_head:
            raise ValueError("model.span_features needs model.span_head")
        if self.training.stride is not None and self.training.stride >= self.model.max_length // 2:
            raise ValueError("training.stride must be less than half of model.max_length")
        return self

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True),
                              encoding="utf-8")


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


def _resolve_paths(cfg: RunConfig, base_dir: Path) -> None:
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
    try:
        cfg = RunConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_format_errors(e, source)) from None
    from .labels import load_schema  # the schema must exist before any model loads

    load_schema(cfg.labels)
    if check_paths:
        _resolve_paths(cfg, base_dir or Path.cwd())
    return cfg


def load_config(path: str | Path, overrides: list[str] | None = None, check_paths: bool = True) -> RunConfig:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    data = apply_overrides(data or {}, overrides or [])
    return validate_config(data, str(path), path.parent, check_paths)
