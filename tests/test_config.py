"""Config validation: clear errors before any model is loaded, and --set overrides."""

import pytest

from framespan.config import apply_overrides, load_config, validate_config
from framespan.errors import ConfigError


def _write(tmp_path, body):
    (tmp_path / "train.jsonl").write_text('{"id": "a", "text": "x", "spans": []}\n', encoding="utf-8")
    p = tmp_path / "c.yaml"
    p.write_text(body, encoding="utf-8")
    return p


def test_unknown_key_is_an_error_naming_its_path(tmp_path):
    p = _write(tmp_path, "data: {train: {path: train.jsonl}}\ntraining: {epocs: 3}\n")
    with pytest.raises(ConfigError, match=r"training\.epocs: unknown key"):
        load_config(p)


def test_wrong_type_names_key(tmp_path):
    p = _write(tmp_path, "data: {train: {path: train.jsonl}}\ntraining: {batch_size: many}\n")
    with pytest.raises(ConfigError, match=r"training\.batch_size"):
        load_config(p)


def test_missing_required_section(tmp_path):
    p = _write(tmp_path, "seed: 1\n")
    with pytest.raises(ConfigError, match=r"data: required key is missing"):
        load_config(p)


def test_missing_data_file(tmp_path):
    p = _write(tmp_path, "data: {train: {path: nowhere.jsonl}}\n")
    with pytest.raises(ConfigError, match="not found: nowhere.jsonl"):
        load_config(p)


def test_unknown_label_schema(tmp_path):
    p = _write(tmp_path, "labels: klingon\ndata: {train: {path: train.jsonl}}\n")
    with pytest.raises(ConfigError, match="unknown label schema 'klingon'"):
        load_config(p)


def test_paths_resolve_relative_to_config_folder(tmp_path, monkeypatch):
    p = _write(tmp_path, "data: {train: {path: train.jsonl}}\n")
    monkeypatch.chdir("/")
    assert load_config(p).data.train.path == str(tmp_path / "train.jsonl")


def test_set_overrides_parse_yaml_values(tmp_path):
    p = _write(tmp_path, "data: {train: {path: train.jsonl}}\n")
    cfg = load_config(p, ["seed=2", "training.epochs=5", "decoding.thresholds={loaded_label: 0.3}"])
    assert cfg.seed == 2 and cfg.training.epochs == 5
    assert cfg.decoding.thresholds == {"loaded_label": 0.3}


def test_set_override_into_scalar_is_rejected():
    with pytest.raises(ConfigError, match="not a section"):
        apply_overrides({"seed": 1}, ["seed.x=2"])
    with pytest.raises(ConfigError, match="expected key.path=value"):
        apply_overrides({}, ["seed"])


def test_stride_must_be_below_half_window():
    with pytest.raises(ConfigError, match="stride"):
        validate_config({"data": {"train": {"path": "x"}}, "model": {"max_length": 64, "stride": 40}},
                        check_paths=False)


def test_bundled_configs_validate():
    for name in ("quickstart", "ptc", "ptc-large", "framing"):
        cfg = load_config(f"configs/{name}.yaml", check_paths=False)
        assert cfg.data.train.path


def test_any_device_strategy_needs_the_any_device_column():
    with pytest.raises(ConfigError, match="any_device_head"):
        validate_config({"data": {"train": {"path": "x"}}, "decoding": {"strategy": "any_device"}},
                        check_paths=False)


@pytest.mark.parametrize(("section", "key", "says"), [
    ("decoding", "detect_threshold", "renamed decoding.any_device_threshold"),
    ("model", "detect_head", "renamed model.any_device_head"),
    ("training", "freeze_embeddings", "removed"),
    ("model", "span_context", "removed"),
])
def test_keys_from_an_older_framespan_are_named_with_what_became_of_them(section, key, says):
    with pytest.raises(ConfigError, match=f"{section}.{key}: {says}"):
        validate_config({"data": {"train": {"path": "x"}}, section: {key: 1}}, check_paths=False)


def test_a_run_folders_older_config_is_upgraded_when_read_back(tmp_path):
    saved = tmp_path / "config.yaml"
    saved.write_text("data: {train: {path: x}, train_on_dev: false}\n"
                     "model: {detect_head: true, span_context: 0}\n"
                     "training: {layer_lr_decay: 1.0, detect_loss_weight: 1.0}\n"
                     "decoding: {strategy: detect, detect_threshold: 0.6, detect_label_weight: 0.5,\n"
                     "           tune_thresholds: true, snap_to_words: true, detect_label_weights: [0.5]}\n")
    cfg = load_config(saved, check_paths=False, saved=True)
    assert cfg.model.any_device_head and cfg.training.tune_thresholds
    assert (cfg.decoding.strategy, cfg.decoding.any_device_threshold, cfg.decoding.label_weight) == \
        ("any_device", 0.6, 0.5)
    with pytest.raises(ConfigError, match="keys from an older framespan"):
        load_config(saved, check_paths=False)


def test_span_features_need_the_span_head():
    with pytest.raises(ConfigError, match="span_head"):
        validate_config({"data": {"train": {"path": "x"}},
                         "model": {"span_head": False, "span_features": True}}, check_paths=False)


def test_head_weighing_needs_the_span_head():
    with pytest.raises(ConfigError, match="head_weighed needs model.span_head"):
        validate_config({"data": {"train": {"path": "x"}}, "model": {"span_head": False},
                         "decoding": {"head_weighed": ["scare_quotes"]}}, check_paths=False)


def test_quote_head_is_read_as_head_weighed_scare_quotes_in_saved_configs_only(tmp_path):
    saved = _write(tmp_path, "data: {train: {path: train.jsonl}}\ndecoding: {quote_head: true}\n")
    assert load_config(saved, check_paths=False, saved=True).decoding.head_weighed == ["scare_quotes"]
    with pytest.raises(ConfigError, match=r"quote_head: now decoding.head_weighed"):
        load_config(saved, check_paths=False)


def test_decode_settings_out_of_range_name_the_key(tmp_path):
    p = _write(tmp_path, "data: {train: {path: train.jsonl}}\ndecoding: {label_weight: 1.5}\n")
    with pytest.raises(ConfigError, match=r"decoding.*label_weight must be between 0 and 1"):
        load_config(p)


def test_retired_keys_in_use_are_named_and_neutral_ones_are_not():
    from framespan.config import retired_in_use

    saved = {"model": {"span_context": 24, "attention_dropout": None},
             "training": {"layer_lr_decay": 1.0, "freeze_embeddings": True, "label_weights": {"scare_quotes": 4}},
             "decoding": {"detect_label_weights": [0.0, 0.5]}}
    assert sorted(retired_in_use(saved)) == ["model.span_context=24", "training.freeze_embeddings=True",
                                             "training.label_weights={'scare_quotes': 4}"]
    assert retired_in_use({"training": {"label_weights": {}}}) == []
