"""The network: a transformer encoder with per-label BIO taggers and a span-classification head."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from .encoding import IGNORE
from .errors import RunError
from .layout import ENCODER_CONFIG, HEAD_CONFIG, WEIGHTS


@dataclass(frozen=True)
class HeadConfig:
    """The heads on top of the encoder, saved with the model as head_config.json."""

    n_labels: int
    dropout: float = 0.1
    span_head: bool = True
    positive_weight: float = 1.0  # loss weight of B/I tags against O
    # One more tag column, "any device", for span identification regardless of label (it learns
    # from every span, where each label's column sees only its own).
    any_device: bool = False
    span_features: int = 0  # features the span head takes beside the pooled span (span_features.py)
    # The any-device column's tag loss against all label columns' together (None: one more column).
    any_device_loss_weight: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = HEAD_CONFIG) -> HeadConfig:
        data = dict(data)
        # Folders made before the any-device column got its name call it "detect".
        for old, new in (("detect", "any_device"), ("detect_loss_weight", "any_device_loss_weight")):
            if old in data:
                data[new] = data.pop(old)
        data.pop("span_loss_weight", None)  # a training-only weight: the network is the same
        context = data.pop("span_context", 0)
        if context:
            raise RunError(f"{source}: made with span_context={context}, an option this version no longer has; "
                           "export it to ONNX with framespan 0.1.x (`framespan export`), which runs here, "
                           "or retrain the run")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RunError(f"{source}: unknown keys {unknown}")
        return cls(**data)


class FramespanModel(nn.Module):
    """Encoder + one 3-way (O/B/I) tagger per label + a span classifier.

    Independent taggers per label let spans of different devices overlap or coincide, which
    single-sequence BIO cannot express. The span head pools a span's tokens with the window's
    first token, the span-CLS design the strongest SemEval-2020 TC systems used, and scores the
    technique of a given span.
    """

    def __init__(self, encoder: nn.Module, head: HeadConfig) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head
        hidden = encoder.config.hidden_size
        self.n_labels = head.n_labels
        self.n_columns = head.n_labels + int(head.any_device)
        self.span_features = head.span_features if head.span_head else 0
        self.dropout = nn.Dropout(head.dropout)
        self.tagger = nn.Linear(hidden, self.n_columns * 3)
        self.span_classifier = nn.Sequential(
            nn.Linear(hidden * 2 + self.span_features, hidden), nn.GELU(), nn.Dropout(head.dropout),
            nn.Linear(hidden, head.n_labels)
        ) if head.span_head else None
        self.register_buffer("tag_weight", torch.tensor([1.0, head.positive_weight, head.positive_weight]),
                             persistent=False)
        # The any-device column is what span identification reads, yet as one column of 15 it would get
        # a fifteenth of the tag loss; a weight puts it on par with the label columns together.
        self.any_device_loss_weight = head.any_device_loss_weight if head.any_device else None

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
               token_type_ids: torch.Tensor | None = None, **_: Any) -> torch.Tensor:
        """The encoder's last hidden states; ``token_type_ids`` only for encoders that take them."""
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        return self.encoder(**kwargs).last_hidden_state

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor | None = None, tags: torch.Tensor | None = None,
                span_bounds: torch.Tensor | None = None, span_labels: torch.Tensor | None = None,
                span_feats: torch.Tensor | None = None, **_: Any) -> dict[str, torch.Tensor]:
        hidden = self.dropout(self.encode(input_ids, attention_mask, token_type_ids))
        logits = self.tag(hidden)
        out: dict[str, torch.Tensor] = {"logits": logits}
        loss = None
        if tags is not None:
            if self.any_device_loss_weight is None:
                loss = self._tag_loss(logits, tags)
            else:
                loss = (self._tag_loss(logits[:, :, :self.n_labels], tags[:, :, :self.n_labels])
                        + self.any_device_loss_weight * self._tag_loss(logits[:, :, self.n_labels:],
                                                                       tags[:, :, self.n_labels:]))
        if self.span_classifier is not None and span_bounds is not None:
            span_logits = self.classify_spans(hidden, span_bounds, span_feats, attention_mask)
            out["span_logits"] = span_logits
            if span_labels is not None and (span_labels != IGNORE).any():
                span_loss = F.cross_entropy(span_logits.reshape(-1, self.n_labels), span_labels.reshape(-1),
                                            ignore_index=IGNORE)
                loss = span_loss if loss is None else loss + span_loss
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
        ``span_feats`` (batch, spans, span_features) where the head takes features. The head pools
        the span's tokens with the window's first token (``attention_mask`` is not needed)."""
        seq = hidden.shape[1]
        pos = torch.arange(seq, device=hidden.device).view(1, 1, seq)
        mask = ((pos >= span_bounds[..., 0:1]) & (pos <= span_bounds[..., 1:2])).to(hidden.dtype)  # (b, s, seq)
        pooled = torch.einsum("bst,bth->bsh", mask, hidden) / mask.sum(-1, keepdim=True).clamp(min=1.0)
        parts = [pooled, hidden[:, :1, :].expand(-1, pooled.shape[1], -1)]
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
        (folder / HEAD_CONFIG).write_text(json.dumps(asdict(self.head), indent=2), encoding="utf-8")

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
        head = HeadConfig.from_dict(json.loads((folder / HEAD_CONFIG).read_text(encoding="utf-8")),
                                    str(folder / HEAD_CONFIG))
        model = cls(encoder, head)
        model.load_state_dict(load_file(str(folder / WEIGHTS), device=str(device)))
        return model.to(device).eval()


def build_model(base: str, head: HeadConfig) -> FramespanModel:
    """A fresh model on top of pretrained encoder weights (safetensors only, no remote code)."""
    from transformers import AutoModel

    # transformers 5.25 with `kernels` installed kernelizes on CUDA by default, fetching compiled layers
    # from the hub: remote code, and on an offline GPU machine a failure at the first training step.
    kwargs: dict[str, Any] = {"use_safetensors": True, "trust_remote_code": False, "use_kernels": False}
    try:
        encoder = AutoModel.from_pretrained(base, add_pooling_layer=False, **kwargs)
    except TypeError:  # encoders without a pooler take no such argument
        encoder = AutoModel.from_pretrained(base, **kwargs)
    return FramespanModel(encoder, head)
