"""Shared fixtures: tiny random models and hand-written corpora (no downloads, seconds to build)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

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
    cfg = tmp_path / "tiny.yaml"
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
