"""The network: a transformer encoder with per-label BIO taggers and a span-classification head."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from .encoding import IGNORE
from .errors import ConfigError

WEIGHTS = "model.safetensors"
ENCODER_CONFIG = "encoder_config.json"
HEAD_CONFIG = "head_config.json"


class FramespanModel(nn.Module):
    """Encoder + one 3-way (O/B/I) tagger per label + a span classifier.

    Independent taggers per label let spans of different devices overlap or coincide, which
    single-sequence BIO cannot express. The span head pools a span's tokens with the window's
    first token, the span-CLS design the strongest SemEval-2020 TC systems used, and scores the
    technique of a given span.
    """

    def __init__(self, encoder: nn.Module, n_labels: int, dropout: float = 0.1, span_head: bool = True,
                 positive_weight: float = 1.0, span_loss_weight: float = 1.0, detect: bool = False,
                 span_features: int = 0, detect_loss_weight: float | None = None,
                 span_context: int = 0) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.n_labels = n_labels
        # ``detect``: one more tagger column, "any device", for span identification regardless of
        # label (it learns from every span, where each label's column sees only its own).
        self.n_columns = n_labels + int(detect)
        self.span_features = span_features if span_head else 0
        # ``span_context`` > 0: the span head also sees the span's first and last tokens and the
        # tokens up to that many on either side (about a PTC sentence at 24), not only the window's
        # first token: a technique is often told by the clause around the words, not the words.
        self.span_context = span_context if span_head else 0
        n_parts = 5 if self.span_context else 2
        self.dropout = nn.Dropout(dropout)
        self.tagger = nn.Linear(hidden, self.n_columns * 3)
        self.span_classifier = nn.Sequential(
            nn.Linear(hidden * n_parts + self.span_features, hidden), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden, n_labels)
        ) if span_head else None
        self.head_config = {"n_labels": n_labels, "dropout": dropout, "span_head": span_head,
                            "positive_weight": positive_weight, "span_loss_weight": span_loss_weight,
                            "detect": detect, "span_features": self.span_features,
                            "detect_loss_weight": detect_loss_weight, "span_context": self.span_context}
        self.register_buffer("tag_weight", torch.tensor([1.0, positive_weight, positive_weight]),
                             persistent=False)
        self.span_loss_weight = span_loss_weight
        # The any-device column is what SI decoding reads, yet as one column of 15 it would get a
        # fifteenth of the tag loss; a weight puts it on par with the label columns together.
        self.detect_loss_weight = detect_loss_weight if detect else None

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None, tags: torch.Tensor | None = None,
                span_bounds: torch.Tensor | None = None, span_labels: torch.Tensor | None = None,
                span_feats: torch.Tensor | None = None, **_: Any) -> dict[str, torch.Tensor]:
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.dropout(self.encoder(**kwargs).last_hidden_state)
        logits = self.tag(hidden)
        out: dict[str, torch.Tensor] = {"logits": logits}
        loss = None
        if tags is not None:
            if self.detect_loss_weight is None:
                loss = self._tag_loss(logits, tags)
            else:
                loss = (self._tag_loss(logits[:, :, :self.n_labels], tags[:, :, :self.n_labels])
                        + self.detect_loss_weight * self._tag_loss(logits[:, :, self.n_labels:],
                                                                   tags[:, :, self.n_labels:]))
        if self.span_classifier is not None and span_bounds is not None:
            span_logits = self.classify_spans(hidden, span_bounds, span_feats, attention_mask)
            out["span_logits"] = span_logits
            if span_labels is not None and (span_labels != IGNORE).any():
                span_loss = F.cross_entropy(span_logits.reshape(-1, self.n_labels), span_labels.reshape(-1),
                                            ignore_index=IGNORE)
                loss = span_loss * self.span_loss_weight if loss is None else loss + span_loss * self.span_loss_weight
        if loss is not None:
            out["loss"] = loss
        return out

    def tag(self, hidden: torch.Tensor) -> torch.Tensor:
        """Tag logits (batch, seq, columns, 3) from the encoder's (dropped-out) hidden states."""
        return self.tagger(hidden).view(*hidden.shape[:2], self.n_columns, 3)

    def _tag_loss(self, logits: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        loss = F.cross_entropy(logits.reshape(-1, 3), tags.reshape(-1), weight=self.tag_weight,
                               ignore_index=IGNORE)
        if not torch.isfinite(loss):  # every tag ignored in this batch
            loss = logits.sum() * 0.0
        return loss

    def classify_spans(self, hidden: torch.Tensor, span_bounds: torch.Tensor,
                       span_feats: torch.Tensor | None = None,
                       attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (batch, spans, labels) for token ranges [first, last] given per window, with
        ``span_feats`` (batch, spans, span_features) where the head takes features. A head with
        ``span_context`` needs ``attention_mask`` so its context stops at the window's padding."""
        seq = hidden.shape[1]
        pos = torch.arange(seq, device=hidden.device).view(1, 1, seq)
        first = span_bounds[..., 0:1]
        last = span_bounds[..., 1:2]
        mask = ((pos >= first) & (pos <= last)).to(hidden.dtype)  # (b, s, seq)
        pooled = torch.einsum("bst,bth->bsh", mask, hidden) / mask.sum(-1, keepdim=True).clamp(min=1.0)
        cls = hidden[:, :1, :].expand(-1, pooled.shape[1], -1)
        parts = [pooled, cls]
        if self.span_context:
            if attention_mask is None:
                raise ValueError("this span head reads context around the span: pass attention_mask")
            c = self.span_context
            real = attention_mask[:, None, :].to(torch.bool)
            around = ((pos >= first - c) & (pos <= last + c) & real).to(hidden.dtype)
            context = torch.einsum("bst,bth->bsh", around, hidden) / around.sum(-1, keepdim=True).clamp(min=1.0)
            size = hidden.shape[-1]
            at_first = torch.gather(hidden, 1, first.clamp(0, seq - 1).expand(-1, -1, size))
            at_last = torch.gather(hidden, 1, last.clamp(0, seq - 1).expand(-1, -1, size))
            parts += [context, at_first, at_last]
        if self.span_features:
            if span_feats is None:
                raise ValueError("this span head takes span features (framespan.span_features)")
            # Feature sets only grow at the end: a head built with fewer takes the first ones.
            parts.append(span_feats[..., :self.span_features].to(hidden.dtype))
        return self.span_classifier(torch.cat(parts, dim=-1))

    # -- persistence: safetensors weights + JSON configs, never pickle ----------------------------
    def save(self, folder: str | Path) -> None:
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().contiguous().cpu() for k, v in self.state_dict().items()}
        save_file(state, str(folder / WEIGHTS), metadata={"format": "pt"})
        (folder / ENCODER_CONFIG).write_text(self.encoder.config.to_json_string(), encoding="utf-8")
        (folder / HEAD_CONFIG).write_text(json.dumps(self.head_config, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> FramespanModel:
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoModel

        folder = Path(folder)
        enc_cfg = AutoConfig.from_pretrained(str(folder / ENCODER_CONFIG))
        try:
            encoder = AutoModel.from_config(enc_cfg, add_pooling_layer=False)
        except TypeError:  # encoders without a pooler take no such argument
            encoder = AutoModel.from_config(enc_cfg)
        head = json.loads((folder / HEAD_CONFIG).read_text(encoding="utf-8"))
        model = cls(encoder, **head)
        model.load_state_dict(load_file(str(folder / WEIGHTS), device=str(device)))
        return model.to(device).eval()


def build_model(base: str, n_labels: int, dropout: float, span_head: bool, positive_weight: float,
                span_loss_weight: float, detect: bool = False, span_features: int = 0,
                detect_loss_weight: float | None = None, span_context: int = 0,
                attention_dropout: float | None = None) -> FramespanModel:
    """A fresh model on top of pretrained encoder weights (safetensors only, no remote code)."""
    from transformers import AutoConfig, AutoModel

    kwargs: dict[str, Any] = {"use_safetensors": True, "trust_remote_code": False}
    if attention_dropout is not None:
        config = AutoConfig.from_pretrained(base, trust_remote_code=False)
        if not hasattr(config, "attention_probs_dropout_prob"):
            raise ConfigError(f"model.attention_dropout: the {config.model_type} encoder of {base} has no "
                              "attention_probs_dropout_prob setting; leave model.attention_dropout unset")
        # Overridden before the encoder is built: its dropout modules take their rate at construction.
        config.attention_probs_dropout_prob = attention_dropout
        kwargs["config"] = config
    try:
        encoder = AutoModel.from_pretrained(base, add_pooling_layer=False, **kwargs)
    except TypeError:
        encoder = AutoModel.from_pretrained(base, **kwargs)
    return FramespanModel(encoder, n_labels, dropout, span_head, positive_weight, span_loss_weight, detect,
                          span_features, detect_loss_weight, span_context)
