"""Shared fixtures: tiny random models and hand-written corpora (no downloads, seconds to build)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from framespan.backends import Backend  # noqa: E402
from tests.tiny import build_tiny_base  # noqa: E402


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT with a tiny vocabulary, saved as a from_pretrained folder."""
    return build_tiny_base(tmp_path_factory.mktemp("tiny-base"))


CORPUS = [
    ("d1", "The [loaded_label: regime] said the army would win."),
    ("d2", "An anonymous source said the [loaded_label: regime] lied about the so called front."),
    ("d3", "The army said nothing new today."),
    ("d4", "[loaded_label: terrorists] signed their death sentence, the minister said."),
    ("d5", "The minister said the [loaded_label: regime] and the [loaded_label: terrorists] were one."),
    ("d6", "Zoë said the army 🙂 held the front."),
]


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """train/dev/test JSONL written from inline markup (offsets computed, not typed)."""
    from framespan.corpora.jsonl import write_jsonl
    from framespan.corpora.markup import parse_markup
    from framespan.spans import Document

    folder = tmp_path_factory.mktemp("tiny-corpus")
    docs = []
    for doc_id, marked in CORPUS:
        text, spans = parse_markup(marked)
        docs.append(Document(doc_id, text, spans))
    # Training sees the same texts under other ids: the tiny model only has to learn something.
    write_jsonl([Document(f"{d.id}-train", d.text, d.spans) for d in docs], folder / "train.jsonl")
    write_jsonl(docs[:3], folder / "dev.jsonl")
    write_jsonl(docs[3:], folder / "test.jsonl")
    return folder


@pytest.fixture
def tiny_config(tmp_path: Path, tiny_base: Path, tiny_corpus: Path) -> Path:
    """A config training the tiny model on the tiny corpus in a few seconds."""
    return write_tiny_config(tmp_path, tiny_base, tiny_corpus)


def write_tiny_config(folder: Path, tiny_base: Path, tiny_corpus: Path) -> Path:
    """Write ``folder/tiny.yaml``, the tiny_config fixture's file (for fixtures of other scopes)."""
    cfg = folder / "tiny.yaml"
    cfg.write_text(f"""
seed: 7
labels: framing
data:
  train: {{path: {tiny_corpus / 'train.jsonl'}}}
  dev: {{path: {tiny_corpus / 'dev.jsonl'}}}
  test: {{path: {tiny_corpus / 'test.jsonl'}}}
model: {{base: {tiny_base}, max_length: 16, stride: 4}}
training: {{epochs: 3, batch_size: 2, learning_rate: 0.001, logging_steps: 2, threads: 1}}
decoding: {{threshold: 0.3}}
""", encoding="utf-8")
    return cfg


# -- tiny trained-looking model folders (inference, export) ------------------------------------------
TINY_LABELS = ("loaded_label", "doubt", "flag_waving")


def build_tiny_model_folder(folder: Path, base: Path, span_head: bool = True, seed: int = 0,
                            max_length: int = 24, stride: int = 6, token_type_ids: bool = True,
                            ) -> Path:
    """A model folder as training leaves it (weights, tokenizer, labels.yaml, inference.json,
    manifest) around a random tiny encoder. Short windows make every test text span several.
    ``token_type_ids``: whether the tokenizer emits segment ids, as BERT's (and MiniLM's) do;
"""
    import json

    import torch
    from transformers import AutoTokenizer

    from framespan.labels import LabelSchema
    from framespan.manifest import write_manifest
    from framespan.model import HeadConfig, build_model
    from framespan.settings import DecodeSettings, FolderSettings, WindowSettings

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    model = build_model(str(base), HeadConfig(len(TINY_LABELS), dropout=0.0, span_head=span_head))
    # Large tagger weights push probabilities away from the thresholds, so backends that differ by
    # float noise still decode identical spans.
    torch.nn.init.normal_(model.tagger.weight, std=0.6)
    model.eval().save(folder)
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(folder))
    if token_type_ids:
        tok_cfg = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        tok_cfg["model_input_names"] = ["input_ids", "token_type_ids", "attention_mask"]
        (folder / "tokenizer_config.json").write_text(json.dumps(tok_cfg, indent=2), encoding="utf-8")
    LabelSchema.from_dict({"name": "tiny", "labels": list(TINY_LABELS)}).save(folder / "labels.yaml")
    FolderSettings(WindowSettings(max_length, stride), DecodeSettings(threshold=0.5, thresholds={"doubt": 0.6},
                                                                      continue_ratio=1.0)
                   ).save(folder)
    write_manifest(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, tiny_base: Path) -> Path:
    """A random tiny model saved as a framespan model folder (3 labels, span head, segment ids,
    24-token windows)."""
    return build_tiny_model_folder(tmp_path_factory.mktemp("tiny-model") / "model", tiny_base)


@pytest.fixture(scope="session")
def tiny_onnx_dir(tmp_path_factory: pytest.TempPathFactory, tiny_model_dir: Path) -> Path:
    """``tiny_model_dir`` exported to ONNX (fp32) by ``framespan export``."""
    from framespan.export import export_onnx

    out = tmp_path_factory.mktemp("tiny-onnx") / "onnx"
    export_onnx(tiny_model_dir, out)
    return out


def load_benchmark(name: str) -> Any:
    """A script of benchmarks/ as a module, for tests of its functions (its folder goes on the path,
    as when the script runs, so that it can import its siblings)."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
    path = folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class OutsideBackend(Backend):
    """Stands in for the network: every token confidently outside every one of ``n_columns``
    columns, except where a subclass's ``mark(batch, logits)`` says otherwise."""

    has_span_head = False

    def __init__(self, n_columns: int) -> None:
        self.n_columns = n_columns

    def tag_logits(self, batch: dict[str, Any]) -> Any:
        import numpy as np

        logits = np.zeros((*batch["input_ids"].shape, self.n_columns, 3), dtype=np.float32)
        logits[..., 0] = 8.0
        self.mark(batch, logits)
        return logits

    def mark(self, batch: dict[str, Any], logits: Any) -> None:
        """Set some tokens' logits (in place); the base marks nothing."""

    def span_logits(self, batch: dict[str, Any], bounds: Any, feats: Any = None) -> Any:
        raise AssertionError("the labels strategy names no spans")
