"""Document splits of a training corpus, and corpora that come already split."""

from __future__ import annotations

import json
from pathlib import Path

from framespan.config import validate_config
from framespan.data import load_corpora
from framespan.labels import load_schema


def _config(tmp_path: Path, **data: object) -> object:
    rows = [{"id": f"d{i}", "text": f"The regime said {i} things.", "spans": [
        {"start": 4, "end": 10, "label": "loaded_label"}]} for i in range(20)]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return validate_config({"labels": "framing", "data": {
        "train": {"path": str(tmp_path / "train.jsonl")}, "split": {"dev": 0.2, "test": 0.25, "seed": 3},
        **data}})


def _more_parts(tmp_path: Path) -> dict[str, dict[str, str]]:
    """A corpus that comes split: one document m-train, m-dev and m-test in its three files."""
    parts = {}
    for name in ("train", "dev", "test"):
        path = tmp_path / f"more-{name}.jsonl"
        path.write_text(json.dumps({"id": f"m-{name}", "text": "A “so-called” reform.", "spans": []}) + "\n",
                        encoding="utf-8")
        parts[name] = {"path": str(path)}
    return parts


def test_split_is_by_document_and_stable(tmp_path: Path) -> None:
    schema = load_schema("framing")
    first = load_corpora(_config(tmp_path), schema).split_ids()
    again = load_corpora(_config(tmp_path), schema).split_ids()
    assert first == again
    assert sorted(first["train"] + first["dev"] + first["test"]) == sorted(f"d{i}" for i in range(20))
    assert len(first["dev"]) == 4


def test_extra_corpora_join_part_by_part_and_keep_their_own_splits(tmp_path: Path) -> None:
    parts = _more_parts(tmp_path)
    plain = load_corpora(_config(tmp_path), load_schema("framing")).split_ids()
    joined = load_corpora(_config(tmp_path, extra=[parts]), load_schema("framing")).split_ids()
    for name in ("train", "dev", "test"):
        assert joined[name] == plain[name] + [f"m-{name}"]


def test_retuning_a_run_tunes_its_dev_documents_for_its_focus_labels(tmp_path: Path, tiny_model_dir: Path) -> None:
    import shutil

    from framespan.rundir import RunDir

    cfg = _config(tmp_path, extra=[_more_parts(tmp_path)])
    cfg.training.focus_labels = ["loaded_label"]
    run = tmp_path / "run"
    shutil.copytree(tiny_model_dir, run / "model")
    cfg.save(run / "config.yaml")
    (run / "splits.json").write_text(json.dumps(load_corpora(cfg, load_schema("framing")).split_ids()))
    tune = RunDir(run).tune_set("dev")
    assert [d.id for d in tune.docs] == [d.id for d in RunDir(run).split("dev")] and len(tune.docs) == 5
    assert tune.focus == ("loaded_label",)
