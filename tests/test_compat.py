"""Folders made before the redesign: their inference.json and head_config.json still load as written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from framespan.detector import Detector
from framespan.errors import RunError
from framespan.manifest import write_manifest
from framespan.settings import DecodeSettings, FolderSettings

TEXT = "The regime said the so-called \u201cFront\u201d had signed its own death sentence, sources said."

# inference.json as framespan 0.1 wrote it, every key it had.
LEGACY = {"max_length": 24, "stride": 6, "threshold": 0.3, "thresholds": {"doubt": 0.6}, "snap_to_words": True,
          "min_chars": 1, "active_labels": None, "continue_ratio": 1.0, "detect_column": False,
          "strategy": "labels", "detect_threshold": 0.5, "line_break_id": None, "line_break_placeholder": "",
          "lexicon_weight": 0.0, "detect_label_weight": 0.0, "detect_label_weights": []}


def _legacy_copy(tiny_model_dir: Path, tmp_path: Path, **changes: object) -> Path:
    folder = tmp_path / "old"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "decode.json").unlink()
    (folder / "inference.json").write_text(json.dumps({**LEGACY, **changes}), encoding="utf-8")
    head = json.loads((folder / "head_config.json").read_text())
    head["detect"] = head.pop("any_device")
    head["detect_loss_weight"] = head.pop("any_device_loss_weight")
    head.update(span_context=0, span_loss_weight=1.0)
    (folder / "head_config.json").write_text(json.dumps(head), encoding="utf-8")
    write_manifest(folder)
    return folder


def test_a_folder_with_inference_json_predicts_as_its_settings_say(tiny_model_dir, tmp_path):
    old = Detector.load(_legacy_copy(tiny_model_dir, tmp_path), backend="torch")
    assert old.settings.window.max_length == 24 and old.decode_settings.threshold_for("doubt") == 0.6
    new = Detector.load(tiny_model_dir, backend="torch")
    new.settings = FolderSettings(new.settings.window, DecodeSettings(threshold=0.3, thresholds={"doubt": 0.6},
                                                                                continue_ratio=1.0))
    assert old.predict(TEXT) == new.predict(TEXT) != []


def test_the_detect_strategy_of_an_old_folder_reads_as_any_device(tmp_path):
    (tmp_path / "inference.json").write_text(json.dumps({**LEGACY, "strategy": "detect", "detect_column": True,
                                                         "detect_threshold": 0.45, "detect_label_weight": 0.5}))
    settings = FolderSettings.load(tmp_path)
    assert settings.any_device_column and settings.decode.strategy == "any_device"
    assert (settings.decode.any_device_threshold, settings.decode.label_weight) == (0.45, 0.5)


def test_an_inference_json_with_keys_no_version_wrote_is_refused(tmp_path):
    (tmp_path / "inference.json").write_text(json.dumps({**LEGACY, "temperature": 2}))
    with pytest.raises(RunError, match=r"inference.json: unknown keys \['temperature'\]"):
        FolderSettings.load(tmp_path)


def test_an_exported_onnx_folder_of_an_old_version_loads(tiny_onnx_dir, tmp_path):
    folder = tmp_path / "onnx-old"
    shutil.copytree(tiny_onnx_dir, folder)
    (folder / "decode.json").unlink()
    (folder / "inference.json").write_text(json.dumps(LEGACY), encoding="utf-8")
    write_manifest(folder, {"export": {"format": "onnx"}})
    det = Detector.load(folder)
    assert type(det.backend).__name__ == "OnnxBackend" and det.decode_settings.threshold == 0.3


@pytest.mark.parametrize("on", [True, False])
def test_a_decode_json_with_quote_head_reads_as_head_weighed(tmp_path, on):
    data = {"decode": {"threshold": 0.4, "quote_head": on}}
    (tmp_path / "decode.json").write_text(json.dumps(data), encoding="utf-8")
    assert FolderSettings.load(tmp_path).decode.head_weighed == (["scare_quotes"] if on else [])


def test_head_weighed_naming_no_label_of_the_model_is_refused(tiny_model_dir):
    det = Detector.load(tiny_model_dir, backend="torch").configure(head_weighed=["scare_quote"])
    with pytest.raises(RunError, match=r"head_weighed names \['scare_quote'\]"):
        det.predict(TEXT)
