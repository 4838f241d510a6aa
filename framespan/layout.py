"""Every file name of a run folder and of a model folder, and how to find the model in a path.

A run folder (``framespan train --output RUN``) holds the run's config, its document split, its
reports and the model folder ``model/``. A model folder is what prediction loads: weights
(safetensors or ONNX), tokenizer, label schema, head configuration, decode settings, manifest.
"""

from __future__ import annotations

from pathlib import Path

from .errors import RunError

# Run folder.
CONFIG = "config.yaml"
SPLITS = "splits.json"
STATUS = "run.json"
METRICS = "metrics.json"
METRICS_MD = "metrics.md"
TRAIN_LOG = "train_log.jsonl"
BEST = "best.json"
SKIPPED = "skipped.jsonl"
CHECKPOINTS = "checkpoints"
STAGING = ".staging"
MODEL_DIR = "model"
ENSEMBLE_RUN = "ensemble-run.json"

# Model folder.
WEIGHTS = "model.safetensors"
ONNX = "model.onnx"
ENCODER_CONFIG = "encoder_config.json"
HEAD_CONFIG = "head_config.json"
DECODE = "decode.json"
LEGACY_DECODE = "inference.json"  # decode settings of folders made before decode.json
LABELS = "labels.yaml"
MANIFEST = "manifest.json"
ABOUT = "framespan.json"
EXPORT_INFO = "export.json"
ENSEMBLE = "ensemble.json"
LEXICON_JSON = "lexicon.json"
LEXICON_WEIGHTS = "lexicon.safetensors"
TOKENIZER = "tokenizer.json"
TOKENIZER_CONFIG = "tokenizer_config.json"
# Checkpoint folders written by transformers' Trainer.
TRAINER_STATE = "trainer_state.json"


def is_model_folder(path: Path) -> bool:
    return (path / DECODE).is_file() or (path / LEGACY_DECODE).is_file()


def model_folder(path: str | Path) -> Path:
    """The model folder of a run directory, or the folder itself if it holds a model."""
    path = Path(path)
    if not path.exists():
        raise RunError(f"no such run or model folder: {path}")
    if is_model_folder(path / MODEL_DIR):
        return path / MODEL_DIR
    if is_model_folder(path):
        return path
    raise RunError(f"{path} is not a framespan run or model folder (no {DECODE}; was training finished?)")
