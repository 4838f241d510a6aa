"""Token windows straight from a tokenizer.json with the `tokenizers` library (no transformers needed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .encoding import LineBreaks, Window
from .errors import RunError

TOKENIZER_FILE = "tokenizer.json"
# Pad tokens of the common tokenizer families, tried in order when tokenizer_config.json names none.
_PAD_GUESSES = ("[PAD]", "<pad>", "<|pad|>", "<|endoftext|>")


class WindowTokenizer:
    """A Rust tokenizer that cuts texts into overlapping windows exactly as ``tokenize_windows`` does.

    transformers' fast tokenizers are thin wrappers over the same Rust object: with truncation at
    ``max_length`` and a ``stride``, each encoding carries its overflowing windows, and the offsets
    and special-token masks come from the encoding. Doing the same here gives identical windows
    without importing transformers (or torch), which the light ONNX install relies on.
    """

    is_fast = True  # duck-typed like a transformers fast tokenizer, for callers that check

    def __init__(self, tokenizer: Any, pad_token_id: int = 0, token_type_ids: bool = True) -> None:
        self.tokenizer = tokenizer
        self.pad_token_id = pad_token_id
        self.token_type_ids = token_type_ids
        self._settings: tuple[int, int] | None = None

    @classmethod
    def from_folder(cls, folder: str | Path, token_type_ids: bool | None = None) -> WindowTokenizer:
        """Load ``tokenizer.json`` (and the pad token from ``tokenizer_config.json``) in ``folder``.

        ``token_type_ids``: whether windows carry segment ids; by default as the folder's
        tokenizer_config.json ``model_input_names`` says, else yes (BERT's convention).
        """
        from tokenizers import Tokenizer

        folder = Path(folder)
        path = folder / TOKENIZER_FILE
        if not path.is_file():
            raise RunError(f"{folder}: no {TOKENIZER_FILE}; the light (ONNX) runtime needs a fast "
                           "tokenizer file")
        tok = Tokenizer.from_file(str(path))
        config = _read_json(folder / "tokenizer_config.json")
        pad_id = None
        pad = config.get("pad_token")
        if isinstance(pad, dict):  # older configs store AddedToken dicts
            pad = pad.get("content")
        if isinstance(pad, str):
            pad_id = tok.token_to_id(pad)
        for guess in _PAD_GUESSES:
            if pad_id is None:
                pad_id = tok.token_to_id(guess)
        if token_type_ids is None:
            names = config.get("model_input_names")
            token_type_ids = "token_type_ids" in names if isinstance(names, list) else True
        return cls(tok, pad_id or 0, token_type_ids)

    def _configure(self, max_length: int, stride: int) -> None:
        if self._settings == (max_length, stride):
            return
        # The saved file carries its own truncation/padding; ours must win, and padding stays off
        # because the Detector pads each batch to its own longest window.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length, stride=stride, strategy="longest_first",
                                         direction="right")
        self._settings = (max_length, stride)

    def windows(self, texts: Sequence[str], max_length: int, stride: int,
                line_breaks: LineBreaks | None = None) -> list[Window]:
        """Each text as windows of at most ``max_length`` tokens sharing ``stride`` tokens
        (``line_breaks``: line breaks as separator tokens, as in ``tokenize_windows``)."""
        out: list[Window] = []
        if not texts:
            return out
        self._configure(max_length, stride)
        inputs = line_breaks.prepare(texts) if line_breaks else list(texts)
        for doc_index, first in enumerate(self.tokenizer.encode_batch(inputs, add_special_tokens=True)):
            for enc in [first, *first.overflowing]:
                offsets = [(0, 0) if sp else (int(a), int(b))
                           for (a, b), sp in zip(enc.offsets, enc.special_tokens_mask, strict=True)]
                ids = list(enc.ids)
                if line_breaks:
                    line_breaks.mark(texts[doc_index], ids, offsets)
                out.append(Window(doc_index, ids, list(enc.attention_mask), offsets,
                                  list(enc.type_ids) if self.token_type_ids else None))
        return out


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
