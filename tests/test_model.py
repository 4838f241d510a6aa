"""The network: the any-device column's own weight in the tag loss; its head config on disk."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from framespan.encoding import IGNORE
from framespan.errors import RunError
from framespan.model import FramespanModel, HeadConfig


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
    head = HeadConfig(2, dropout=0.0, span_head=False, positive_weight=2.0, any_device=True,
                      any_device_loss_weight=weight)
    return FramespanModel(encoder, head).eval()


def test_any_device_loss_weight_adds_the_any_device_column_on_its_own(encoder):
    batch = _batch(2)
    one, three = _model(encoder, 1.0)(**batch), _model(encoder, 3.0)(**batch)
    logits, tags = one["logits"], batch["tags"]
    detect = F.cross_entropy(logits[:, :, 2].reshape(-1, 3), tags[:, :, 2].reshape(-1),
                             weight=torch.tensor([1.0, 2.0, 2.0]), ignore_index=IGNORE)
    assert (three["loss"] - one["loss"]).item() == pytest.approx(2 * detect.item(), rel=1e-5)


def test_without_any_device_loss_weight_every_column_counts_alike(encoder):
    batch = _batch(2)
    out = _model(encoder, None)(**batch)
    pooled = F.cross_entropy(out["logits"].reshape(-1, 3), batch["tags"].reshape(-1),
                             weight=torch.tensor([1.0, 2.0, 2.0]), ignore_index=IGNORE)
    assert out["loss"].item() == pytest.approx(pooled.item(), rel=1e-6)


def test_any_device_loss_weight_zero_leaves_the_column_untrained(encoder):
    model = _model(encoder, 0.0)
    model(**_batch(2))["loss"].backward()
    grad = model.tagger.weight.grad.view(3, 3, -1)  # (columns, O/B/I, hidden)
    assert grad[2].abs().max().item() == 0.0 and grad[:2].abs().max().item() > 0.0


def test_head_config_survives_save_and_load(tiny_base, tmp_path):
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(tiny_base), add_pooling_layer=False)  # as build_model loads it
    model = FramespanModel(encoder, HeadConfig(3, dropout=0.0, positive_weight=2.0, span_features=7)).eval()
    model.save(tmp_path)
    loaded = FramespanModel.load(tmp_path)
    assert loaded.head == model.head
    hidden = torch.randn(1, 12, encoder.config.hidden_size, generator=torch.Generator().manual_seed(2))
    bounds, feats = torch.tensor([[[2, 4]]]), torch.rand(1, 1, 7, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        assert torch.allclose(loaded.classify_spans(hidden, bounds, feats), model.classify_spans(hidden, bounds, feats))


def test_head_config_of_an_older_folder_reads_its_detect_names():
    head = HeadConfig.from_dict({"n_labels": 2, "detect": True, "detect_loss_weight": 1.0, "span_context": 0,
                                 "span_loss_weight": 1.0})
    assert head == HeadConfig(2, any_device=True, any_device_loss_weight=1.0)


def test_head_made_with_a_retired_option_is_refused_with_what_to_do():
    with pytest.raises(RunError, match="made with span_context=24.*export it to ONNX"):
        HeadConfig.from_dict({"n_labels": 2, "span_context": 24}, "old/head_config.json")
    # A training-only weight changed no weight of the network: such heads load as they are.
    assert HeadConfig.from_dict({"n_labels": 2, "span_loss_weight": 0.5}) == HeadConfig(2)


def test_optimizer_groups_keep_heads_apart_and_spare_biases_from_decay(tiny_base):
    from framespan.model import build_model
    from framespan.trainer import param_groups

    model = build_model(str(tiny_base), HeadConfig(2, dropout=0.0))
    groups = param_groups(model, 1e-4, 1e-3, 0.01)
    rate_of = {id(p): (g["lr"], g["weight_decay"]) for g in groups for p in g["params"]}
    named = dict(model.named_parameters())
    assert rate_of[id(named["tagger.weight"])] == (1e-3, 0.01)
    assert rate_of[id(named["tagger.bias"])] == (1e-3, 0.0)
    assert rate_of[id(named["encoder.embeddings.word_embeddings.weight"])] == (1e-4, 0.01)
    # Equal rates keep head and encoder apart (resumed optimizer state is matched group by group).
    assert len(param_groups(model, 1e-4, None, 0.01)) == 4


def test_pretrained_encoder_takes_no_hub_kernels(tiny_base):
    from framespan.model import build_model

    # Hub kernels are compiled code fetched at the first CUDA step; offline they stop training.
    assert build_model(str(tiny_base), HeadConfig(2, dropout=0.0)).encoder.use_kernels is False
