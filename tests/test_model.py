"""The network: the any-device column's own weight in the tag loss; the span head's context."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from framespan.encoding import IGNORE
from framespan.model import FramespanModel


@pytest.fixture(scope="module")
def encoder(tiny_base):
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(tiny_base))


def _batch(n_labels: int):
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, 40, (2, 9), generator=gen)
    tags = torch.randint(0, 3, (2, 9, n_labels + 1), generator=gen)
    tags[:, 0] = IGNORE  # [CLS]
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "tags": tags}


def _model(encoder, weight):
    torch.manual_seed(0)
    return FramespanModel(encoder, n_labels=2, dropout=0.0, span_head=False, positive_weight=2.0, detect=True,
                          detect_loss_weight=weight).eval()


def test_detect_loss_weight_adds_the_any_device_column_on_its_own(encoder):
    batch = _batch(2)
    one, three = _model(encoder, 1.0)(**batch), _model(encoder, 3.0)(**batch)
    logits, tags = one["logits"], batch["tags"]
    detect = F.cross_entropy(logits[:, :, 2].reshape(-1, 3), tags[:, :, 2].reshape(-1),
                             weight=torch.tensor([1.0, 2.0, 2.0]), ignore_index=IGNORE)
    assert (three["loss"] - one["loss"]).item() == pytest.approx(2 * detect.item(), rel=1e-5)


def test_without_detect_loss_weight_every_column_counts_alike(encoder):
    batch = _batch(2)
    out = _model(encoder, None)(**batch)
    pooled = F.cross_entropy(out["logits"].reshape(-1, 3), batch["tags"].reshape(-1),
                             weight=torch.tensor([1.0, 2.0, 2.0]), ignore_index=IGNORE)
    assert out["loss"].item() == pytest.approx(pooled.item(), rel=1e-6)


def test_detect_loss_weight_zero_leaves_the_column_untrained(encoder):
    model = _model(encoder, 0.0)
    model(**_batch(2))["loss"].backward()
    grad = model.tagger.weight.grad.view(3, 3, -1)  # (columns, O/B/I, hidden)
    assert grad[2].abs().max().item() == 0.0 and grad[:2].abs().max().item() > 0.0


def _context_head(encoder, width: int = 2) -> FramespanModel:
    torch.manual_seed(0)
    return FramespanModel(encoder, n_labels=2, dropout=0.0, span_head=True, span_context=width).eval()


def _span_logits(model: FramespanModel, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model.classify_spans(hidden, torch.tensor([[[5, 6]]]), None, mask)


def test_span_context_reads_tokens_beside_the_span_and_none_further(encoder):
    model = _context_head(encoder, width=2)
    hidden = torch.randn(1, 12, encoder.config.hidden_size, generator=torch.Generator().manual_seed(1))
    mask = torch.ones(1, 12, dtype=torch.long)
    base = _span_logits(model, hidden, mask)
    near, far = hidden.clone(), hidden.clone()
    near[0, 8] += 1.0  # two tokens after the span's last (6)
    far[0, 2] += 1.0  # three tokens before its first (5)
    assert not torch.allclose(_span_logits(model, near, mask), base)
    assert torch.allclose(_span_logits(model, far, mask), base)


def test_span_context_stops_at_padding(encoder):
    model = _context_head(encoder, width=2)
    hidden = torch.randn(1, 12, encoder.config.hidden_size, generator=torch.Generator().manual_seed(1))
    mask = torch.ones(1, 12, dtype=torch.long)
    mask[0, 8:] = 0
    padded = hidden.clone()
    padded[0, 8] += 1.0
    assert torch.allclose(_span_logits(model, padded, mask), _span_logits(model, hidden, mask))


def test_span_context_survives_save_and_load(tiny_base, tmp_path):
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(tiny_base), add_pooling_layer=False)  # as build_model loads it
    model = _context_head(encoder, width=3)
    model.save(tmp_path)
    loaded = FramespanModel.load(tmp_path)
    assert loaded.span_context == 3
    hidden = torch.randn(1, 12, encoder.config.hidden_size, generator=torch.Generator().manual_seed(2))
    mask = torch.ones(1, 12, dtype=torch.long)
    assert torch.allclose(_span_logits(loaded, hidden, mask), _span_logits(model, hidden, mask))


def _attention_dropouts(model: FramespanModel) -> set[float]:
    return {m.p for name, m in model.encoder.named_modules()
            if isinstance(m, torch.nn.Dropout) and ".attention.self" in name}


def test_attention_dropout_overrides_the_pretrained_setting_only_for_attention(tiny_base):
    from framespan.model import build_model

    common = dict(n_labels=3, dropout=0.1, span_head=True, positive_weight=1.0, span_loss_weight=1.0)
    default = build_model(str(tiny_base), **common)
    cut = build_model(str(tiny_base), **common, attention_dropout=0.0)
    assert _attention_dropouts(default) == {default.encoder.config.attention_probs_dropout_prob} != {0.0}
    assert _attention_dropouts(cut) == {0.0}
    hidden = {m.p for m in cut.encoder.modules() if isinstance(m, torch.nn.Dropout)} - {0.0}
    assert hidden == {cut.encoder.config.hidden_dropout_prob}


def test_layer_lr_decay_scales_each_encoder_layer_below_the_top(tiny_base):
    from framespan.model import build_model
    from framespan.training import _param_groups

    model = build_model(str(tiny_base), n_labels=2, dropout=0.0, span_head=True, positive_weight=1.0,
                        span_loss_weight=1.0)
    n = model.encoder.config.num_hidden_layers
    rate_of = {id(p): g["lr"] for g in _param_groups(model, 1e-4, 1e-3, 0.01, layer_decay=0.5)
               for p in g["params"]}
    rates = {name: rate_of[id(p)] for name, p in model.named_parameters()}
    top = f"encoder.encoder.layer.{n - 1}.attention.self.query.weight"
    assert rates[top] == pytest.approx(1e-4)
    assert rates["encoder.encoder.layer.0.attention.self.query.weight"] == pytest.approx(1e-4 * 0.5 ** (n - 1))
    assert rates["encoder.embeddings.word_embeddings.weight"] == pytest.approx(1e-4 * 0.5 ** n)
    assert {r for name, r in rates.items() if not name.startswith("encoder.")} == {1e-3}
    assert {g["lr"] for g in _param_groups(model, 1e-4, 1e-3, 0.01)} == {1e-4, 1e-3}
    # Equal rates keep head and encoder apart (resumed optimizer state is matched group by group).
    assert len(_param_groups(model, 1e-4, None, 0.01)) == 4
