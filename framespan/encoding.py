"""Encode documents into overlapping token windows with per-label BIO tags (spans -> tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .labels import LabelSchema
from .spans import Document, Span

O, B, I = 0, 1, 2  # noqa: E741 - the tag names are the standard ones
IGNORE = -100


@dataclass
class Window:
    """One model input: token ids over a slice of a document, with each token's char offsets."""

    doc_index: int
    input_ids: list[int]
    attention_mask: list[int]
    offsets: list[tuple[int, int]]  # (0, 0) for special tokens
    token_type_ids: list[int] | None = None


def tokenize_windows(tokenizer: Any, texts: Sequence[str], max_length: int, stride: int) -> list[Window]:
    """Split each text into windows of at most ``max_length`` tokens, ``stride`` tokens shared.

    Uses the fast tokenizer's overflow and offset mapping, so text is tokenized once and offsets
    always index the original string.
    """
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError("framespan needs a fast (Rust) tokenizer for offset mappings")
    windows: list[Window] = []
    if not texts:
        return windows
    enc = tokenizer(
        list(texts),
        max_length=max_length,
        stride=stride,
        truncation=True,
        padding=False,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
    )
    has_tt = "token_type_ids" in enc
    for w, doc_index in enumerate(enc["overflow_to_sample_mapping"]):
        special = enc["special_tokens_mask"][w]
        offsets = [(0, 0) if sp else (int(a), int(b))
                   for (a, b), sp in zip(enc["offset_mapping"][w], special)]
        windows.append(Window(int(doc_index), list(enc["input_ids"][w]), list(enc["attention_mask"][w]),
                              offsets, list(enc["token_type_ids"][w]) if has_tt else None))
    return windows


def token_spans(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """Index range [first, last] of the tokens overlapping chars [start, end), or None."""
    first = last = None
    for t, (a, b) in enumerate(offsets):
        if b <= a:
            continue
        if a < end and b > start:
            if first is None:
                first = t
            last = t
    return None if first is None else (first, last)


def tag_window(window: Window, spans: Sequence[Span], schema: LabelSchema,
               annotated: frozenset[str] | None) -> np.ndarray:
    """Tags of shape (tokens, labels): O/B/I, IGNORE on special tokens and unannotated labels.

    A span cut by the window's left edge starts with I, so the model learns continuation rather
    than a false beginning; overlapping spans of one label are united (nesting within one label is
    not representable, which the corpora rarely need).
    """
    n, n_labels = len(window.offsets), len(schema)
    tags = np.zeros((n, n_labels), dtype=np.int64)
    for t, (a, b) in enumerate(window.offsets):
        if b <= a:
            tags[t, :] = IGNORE
    for s in spans:
        rng = token_spans(window.offsets, s.start, s.end)
        if rng is None:
            continue
        col = schema.index(s.label)
        first, last = rng
        begins = not _cut_at_left(window, first, s)
        for t in range(first, last + 1):
            if tags[t, col] == IGNORE:
                continue
            if t == first and begins:
                tags[t, col] = B
            elif tags[t, col] != B:
                tags[t, col] = I
    if annotated is not None:
        for col, name in enumerate(schema.names):
            if name not in annotated:
                tags[:, col] = IGNORE
    return tags


def _is_first_real(offsets: Sequence[tuple[int, int]], t: int) -> bool:
    return all(b <= a for a, b in offsets[:t])


def _cut_at_left(window: Window, first: int, span: Span) -> bool:
    # The span began before this window's first real token: the window shows only its tail.
    return _is_first_real(window.offsets, first) and window.offsets[first][0] > span.start


def span_bounds(window: Window, spans: Sequence[Span], schema: LabelSchema,
                annotated: frozenset[str] | None) -> tuple[list[tuple[int, int]], list[int]]:
    """Token bounds (first, last) and label ids of the spans wholly inside the window (span head)."""
    bounds, labels = [], []
    real = [t for t, (a, b) in enumerate(window.offsets) if b > a]
    if not real:
        return bounds, labels
    lo, hi = window.offsets[real[0]][0], window.offsets[real[-1]][1]
    for s in spans:
        if s.start < lo or s.end > hi:
            continue
        if annotated is not None and s.label not in annotated:
            continue
        rng = token_spans(window.offsets, s.start, s.end)
        if rng is not None:
            bounds.append(rng)
            labels.append(schema.index(s.label))
    return bounds, labels


def encode_documents(docs: Sequence[Document], tokenizer: Any, schema: LabelSchema, max_length: int,
                     stride: int, with_spans: bool = True) -> list[dict[str, Any]]:
    """Training features: one dict per window with input ids, tags and span-head targets."""
    windows = tokenize_windows(tokenizer, [d.text for d in docs], max_length, stride)
    features = []
    for w in windows:
        doc = docs[w.doc_index]
        feat: dict[str, Any] = {
            "input_ids": w.input_ids,
            "attention_mask": w.attention_mask,
            "tags": tag_window(w, doc.spans, schema, doc.annotated_labels).tolist(),
            "doc_index": w.doc_index,
        }
        if w.token_type_ids is not None:
            feat["token_type_ids"] = w.token_type_ids
        if with_spans:
            bounds, labels = span_bounds(w, doc.spans, schema, doc.annotated_labels)
            feat["span_bounds"] = [list(b) for b in bounds]
            feat["span_labels"] = labels
        features.append(feat)
    return features


class Collator:
    """Pads a batch of window features into tensors (tags and span targets included)."""

    def __init__(self, pad_token_id: int, n_labels: int) -> None:
        self.pad_token_id = pad_token_id
        self.n_labels = n_labels

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        n = max(len(f["input_ids"]) for f in features)
        batch: dict[str, Any] = {
            "input_ids": torch.full((len(features), n), self.pad_token_id, dtype=torch.long),
            "attention_mask": torch.zeros((len(features), n), dtype=torch.long),
        }
        if "token_type_ids" in features[0]:
            batch["token_type_ids"] = torch.zeros((len(features), n), dtype=torch.long)
        if "tags" in features[0]:
            batch["tags"] = torch.full((len(features), n, self.n_labels), IGNORE, dtype=torch.long)
        max_spans = max((len(f.get("span_labels", [])) for f in features), default=0)
        if "span_labels" in features[0] and max_spans:
            batch["span_bounds"] = torch.zeros((len(features), max_spans, 2), dtype=torch.long)
            batch["span_labels"] = torch.full((len(features), max_spans), IGNORE, dtype=torch.long)
        for i, f in enumerate(features):
            m = len(f["input_ids"])
            batch["input_ids"][i, :m] = torch.tensor(f["input_ids"])
            batch["attention_mask"][i, :m] = torch.tensor(f["attention_mask"])
            if "token_type_ids" in batch:
                batch["token_type_ids"][i, :m] = torch.tensor(f["token_type_ids"])
            if "tags" in batch:
                batch["tags"][i, :m] = torch.tensor(f["tags"], dtype=torch.long).view(m, self.n_labels)
            if "span_labels" in batch and f["span_labels"]:
                k = len(f["span_labels"])
                batch["span_bounds"][i, :k] = torch.tensor(f["span_bounds"], dtype=torch.long)
                batch["span_labels"][i, :k] = torch.tensor(f["span_labels"], dtype=torch.long)
        return batch
