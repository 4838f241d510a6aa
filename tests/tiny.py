"""Tiny random BERT base models with a tiny WordPiece vocabulary, built in code for fast tests."""

from __future__ import annotations

import string
from pathlib import Path

WORDS = ("the a an of to in and is was that said army regime terrorists so called front source "
         "anonymous inside recently commented death sentence signed themselves bands minister").split()


def tiny_vocab() -> list[str]:
    chars = string.ascii_lowercase + string.digits + string.punctuation
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += list(chars) + [f"##{c}" for c in string.ascii_lowercase + string.digits]
    vocab += [w for w in WORDS if w not in vocab]
    return vocab


def build_tiny_base(folder: str | Path, hidden: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """Save a random BertModel + fast tokenizer in ``folder`` (from_pretrained-compatible)."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = {tok: i for i, tok in enumerate(tiny_vocab())}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]")
    fast.save_pretrained(str(folder))
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=2, intermediate_size=hidden * 2, max_position_embeddings=512)
    BertModel(config).save_pretrained(str(folder))
    return folder
