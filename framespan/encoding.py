"""Encode documents into overlapping token windows with per-label BIO tags (spans -> tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .labels import LabelSchema
from .settings import WindowSettings
from .span_features import N_SPAN_FEATURES, span_features
from .spans import Document, Span, union_spans

O, B, I = 0, 1, 2  # noqa: E741 - the tag names are the standard ones
IGNORE = -100
ANY_DEVICE = "<any device>"  # the label-agnostic column's name in decoded spans


@dataclass(frozen=True)
class LineBreaks:
    """Line breaks shown to the model as separator tokens (``model.line_breaks: sep``).

    Subword tokenizers of the BERT family drop whitespace, so a model reading PTC's
    one-sentence-a-line articles cannot see where sentences end. Each line break becomes the
    tokenizer's separator token instead. ``placeholder`` is a one-character stand-in written over
    the line break before tokenizing (for tokenizers that would drop it; "" for those that keep
    it): the text keeps its length, so offsets still index the caller's string.
    """

    token_id: int
    placeholder: str = ""

    @classmethod
    def of(cls, window: WindowSettings) -> LineBreaks | None:
        """The line breaks a model folder's windows show (None: dropped)."""
        return None if window.line_break_id is None else cls(window.line_break_id, window.line_break_placeholder)

    def prepare(self, texts: Sequence[str]) -> list[str]:
        return [t.replace("\n", self.placeholder) for t in texts] if self.placeholder else list(texts)

    def mark(self, text: str, ids: list[int], offsets: list[tuple[int, int]]) -> None:
        """Turn the tokens that stand for line breaks into separators (offsets (0, 0): no tags)."""
        for t, (a, b) in enumerate(offsets):
            if b > a and "\n" in text[a:b] and not text[a:b].strip():
                ids[t] = self.token_id
                offsets[t] = (0, 0)


def line_breaks_for(tokenizer: Any) -> LineBreaks:
    """How ``tokenizer`` (a transformers fast tokenizer) can show line breaks as its separator."""
    from .errors import ConfigError

    sep = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    if sep is None:
        raise ConfigError("model.line_breaks 'sep': the tokenizer has no separator (sep or eos) token")
    for placeholder in ("", "|"):
        probe = "a" + (placeholder or "\n") + "b"
        offsets = tokenizer(probe, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        if (1, 2) in [tuple(o) for o in offsets]:
            return LineBreaks(int(sep), placeholder)
    raise ConfigError("model.line_breaks 'sep': this tokenizer gives neither a line break nor '|' a token "
                      "of its own; use line_breaks: ignore")


@dataclass
class Window:
    """One model input: token ids over a slice of a document, with each token's char offsets."""

    doc_index: int
    input_ids: list[int]
    attention_mask: list[int]
    offsets: list[tuple[int, int]]  # (0, 0) for special tokens
    token_type_ids: list[int] | None = None


def tokenize_windows(tokenizer: Any, texts: Sequence[str], max_length: int, stride: int,
                     line_breaks: LineBreaks | None = None) -> list[Window]:
    """Split each text into windows of at most ``max_length`` tokens, ``stride`` tokens shared.

    Uses the fast tokenizer's overflow and offset mapping, so text is tokenized once and offsets
    always index the original string. ``line_breaks``: line breaks become separator tokens.
    """
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError("framespan needs a fast (Rust) tokenizer for offset mappings")
    windows: list[Window] = []
    if not texts:
        return windows
    enc = tokenizer(
        line_breaks.prepare(texts) if line_breaks else list(texts),
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
        ids = list(enc["input_ids"][w])
        if line_breaks:
            line_breaks.mark(texts[doc_index], ids, offsets)
        windows.append(Window(int(doc_index), ids, list(enc["attention_mask"][w]),
                              offsets, list(enc["token_type_ids"][w]) if has_tt else None))
    return windows


def pad_windows(windows: Sequence[Window], pad_id: int, token_type_ids: bool | None = None) -> dict[str, np.ndarray]:
    """A padded int64 batch (``input_ids``, ``attention_mask`` and, when the windows carry them or
    ``token_type_ids`` asks, ``token_type_ids``) of windows of different lengths."""
    n = max(len(w.input_ids) for w in windows)
    ids = np.full((len(windows), n), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), n), dtype=np.int64)
    tt = np.zeros((len(windows), n), dtype=np.int64)
    for i, w in enumerate(windows):
        ids[i, : len(w.input_ids)] = w.input_ids
        mask[i, : len(w.input_ids)] = w.attention_mask
        if w.token_type_ids is not None:
            tt[i, : len(w.input_ids)] = w.token_type_ids
    batch = {"input_ids": ids, "attention_mask": mask}
    if token_type_ids or (token_type_ids is None and windows[0].token_type_ids is not None):
        batch["token_type_ids"] = tt
    return batch


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
               annotated: frozenset[str] | None, any_device: bool = False) -> np.ndarray:
    """Tags of shape (tokens, labels[+1]): O/B/I, IGNORE on special tokens and unannotated labels.

    A span cut by the window's left edge starts with I, so the model learns continuation rather
    than a false beginning; overlapping spans of one label are united (nesting within one label is
    not representable, which the corpora rarely need).

    ``any_device`` adds a last column for "any device": the union of all spans, whatever their label
    (the SemEval SI task). A document not annotated for every label gets IGNORE there, since an
    unannotated device would otherwise be taught as "no device".
    """
    n, n_labels = len(window.offsets), len(schema)
    tags = np.zeros((n, n_labels + int(any_device)), dtype=np.int64)
    for t, (a, b) in enumerate(window.offsets):
        if b <= a:
            tags[t, :] = IGNORE
    for s in spans:
        _tag_column(tags, window, schema.index(s.label), s)
    if annotated is not None:
        for col, name in enumerate(schema.names):
            if name not in annotated:
                tags[:, col] = IGNORE
    if any_device:
        if annotated is not None and not set(schema.names) <= set(annotated):
            tags[:, n_labels] = IGNORE
        else:
            # Spans sharing a character become one region, as the SI scorer merges them; spans that
            # only touch stay apart, so the second keeps its B tag.
            for s in union_spans(spans, ANY_DEVICE):
                _tag_column(tags, window, n_labels, s)
    return tags


def _tag_column(tags: np.ndarray, window: Window, col: int, span: Span) -> None:
    rng = token_spans(window.offsets, span.start, span.end)
    if rng is None:
        return
    first, last = rng
    begins = not _cut_at_left(window, first, span)
    for t in range(first, last + 1):
        if tags[t, col] == IGNORE:
            continue
        if t == first and begins:
            tags[t, col] = B
        elif tags[t, col] != B:
            tags[t, col] = I


def _is_first_real(offsets: Sequence[tuple[int, int]], t: int) -> bool:
    return all(b <= a for a, b in offsets[:t])


def _cut_at_left(window: Window, first: int, span: Span) -> bool:
    # The span began before this window's first real token: the window shows only its tail.
    return _is_first_real(window.offsets, first) and window.offsets[first][0] > span.start


def span_bounds(window: Window, spans: Sequence[Span], schema: LabelSchema,
                annotated: frozenset[str] | None, with_chars: bool = False) -> Any:
    """Token bounds (first, last) and label ids of the spans wholly inside the window (span head);
    ``with_chars`` adds each span's char range as a third list."""
    bounds, labels, chars = [], [], []
    real = [t for t, (a, b) in enumerate(window.offsets) if b > a]
    if real:
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
                chars.append((s.start, s.end))
    return (bounds, labels, chars) if with_chars else (bounds, labels)


def encode_documents(docs: Sequence[Document], tokenizer: Any, schema: LabelSchema, max_length: int,
                     stride: int, with_spans: bool = True, any_device: bool = False,
                     with_features: bool = False, line_breaks: LineBreaks | None = None) -> list[dict[str, Any]]:
    """Training features: one dict per window with input ids, tags and span-head targets
    (``any_device``: the any-device tag column; ``with_features``: span_features per span;
    ``line_breaks``: line breaks as separator tokens)."""
    windows = tokenize_windows(tokenizer, [d.text for d in docs], max_length, stride, line_breaks)
    features = []
    doc_feats: dict[int, dict[tuple[int, int], list[float]]] = {}
    for w in windows:
        doc = docs[w.doc_index]
        feat: dict[str, Any] = {
            "input_ids": w.input_ids,
            "attention_mask": w.attention_mask,
            "tags": tag_window(w, doc.spans, schema, doc.annotated_labels, any_device).tolist(),
            "doc_index": w.doc_index,
        }
        if w.token_type_ids is not None:
            feat["token_type_ids"] = w.token_type_ids
        if with_spans:
            bounds, labels, chars = span_bounds(w, doc.spans, schema, doc.annotated_labels, with_chars=True)
            feat["span_bounds"] = [list(b) for b in bounds]
            feat["span_labels"] = labels
            if with_features:
                if w.doc_index not in doc_feats:
                    ranges = sorted({(s.start, s.end) for s in doc.spans})
                    doc_feats[w.doc_index] = dict(zip(ranges, span_features(doc.text, ranges).tolist()))
                feat["span_feats"] = [doc_feats[w.doc_index][c] for c in chars]
        features.append(feat)
    return features


class Collator:
    """Pads a batch of window features into tensors (tags and span targets included)."""

    def __init__(self, pad_token_id: int, n_labels: int, n_features: int = N_SPAN_FEATURES) -> None:
        self.pad_token_id = pad_token_id
        self.n_labels = n_labels  # tag columns, the any-device one included
        self.n_features = n_features

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
            if "span_feats" in features[0]:
                batch["span_feats"] = torch.zeros((len(features), max_spans, self.n_features))
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
                if "span_feats" in batch:
                    batch["span_feats"][i, :k] = torch.tensor(f["span_feats"], dtype=torch.float32)
        return batch
