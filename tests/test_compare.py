"""`framespan compare`: label plans across schemas, outputs, and clear errors for broken run folders."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from framespan import boundaries
from framespan.cli import main
from framespan.compare import (
    compare_runs,
    label_bridge,
    load_run,
    plan_labels,
    unique_names,
)
from framespan.compare_report import write_outputs
from framespan.errors import FramespanError, RunError
from framespan.labels import load_schema
from framespan.spans import Document, Span

# Hand-written gold: every document has a loaded_label span; two also have scare_quotes.
GOLD = [
    {"id": "g1", "text": "The regime said the army was inside the front.",
     "spans": [{"start": 4, "end": 10, "label": "loaded_label"}]},
    {"id": "g2", "text": "Anonymous source said the so called front signed.",
     "spans": [{"start": 0, "end": 16, "label": "anonymous_source"},
               {"start": 26, "end": 41, "label": "scare_quotes"}]},
    {"id": "g3", "text": "The terrorists and bands of the regime.",
     "spans": [{"start": 4, "end": 14, "label": "loaded_label"},
               {"start": 32, "end": 38, "label": "loaded_label"}]},
    {"id": "g4", "text": "A minister commented recently.", "spans": []},
    {"id": "g5", "text": "So called bands signed their death sentence.",
     "spans": [{"start": 0, "end": 15, "label": "scare_quotes"}]},
]


def _gold_docs() -> list[Document]:
    return [Document(d["id"], d["text"], [Span(**s) for s in d["spans"]]) for d in GOLD]


def make_run(root: Path, base: Path, name: str, schema_name: str = "framing", fire: str | None = None,
             trained: list[str] | None = None) -> Path:
    """A run folder around a tiny random model whose head is set so that it tags every token of every
    text as inside a ``fire`` span (or tags nothing), and whose span head always picks ``fire``."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from framespan.atomic import atomic_write_json
    from framespan.config import RunConfig
    from framespan.manifest import write_manifest
    from framespan.model import FramespanModel, HeadConfig
    from framespan.settings import DecodeSettings, FolderSettings, WindowSettings

    schema = load_schema(schema_name)
    encoder = AutoModel.from_pretrained(str(base), add_pooling_layer=False)
    model = FramespanModel(encoder, HeadConfig(len(schema), dropout=0.0, span_head=True))
    with torch.no_grad():
        model.tagger.weight.zero_()
        bias = torch.zeros(len(schema), 3)
        bias[:, 0] = 8.0  # O everywhere ...
        last = model.span_classifier[-1]
        last.weight.zero_()
        last.bias.zero_()
        if fire is not None:
            bias[schema.index(fire)] = torch.tensor([-8.0, -8.0, 8.0])  # ... except one label, inside
            last.bias[schema.index(fire)] = 8.0
        model.tagger.bias.copy_(bias.view(-1))
    run = root / name
    folder = run / "model"
    model.save(folder)
    AutoTokenizer.from_pretrained(str(base)).save_pretrained(str(folder))
    schema.save(folder / "labels.yaml")
    FolderSettings(WindowSettings(64, 16), DecodeSettings(continue_ratio=1.0), active_labels=trained).save(folder)
    (folder / "framespan.json").write_text(json.dumps({"base_model": "tiny", "labels": schema.name}))
    write_manifest(folder)
    cfg = RunConfig.model_validate({"labels": schema_name, "data": {"train": {"path": "train.jsonl"}},
                                    "model": {"base": "tiny"}, "training": {"epochs": 2}})
    cfg.save(run / "config.yaml")
    atomic_write_json(run / "run.json", {"status": "finished"})
    return run


@pytest.fixture(scope="module")
def runs(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("compare-runs")
    return {
        "labels": make_run(root, tiny_base, "labels", fire="loaded_label"),
        "silent": make_run(root, tiny_base, "silent"),
        "ptc": make_run(root, tiny_base, "ptc", schema_name="ptc14", fire="Name_Calling,Labeling"),
    }


@pytest.fixture()
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in GOLD), encoding="utf-8")
    return path


def _fake_run(name: str, schema_name: str, trained: list[str] | None = None) -> Any:
    schema = load_schema(schema_name)
    return SimpleNamespace(name=name, schema=schema, trained=trained if trained is not None else schema.names)


# -- label plans ---------------------------------------------------------------------------------
def test_bridge_follows_schema_links_in_both_directions() -> None:
    framing, ptc = load_schema("framing"), load_schema("ptc14")
    assert label_bridge(ptc, framing)["Name_Calling,Labeling"] == "loaded_label"
    assert label_bridge(framing, ptc)["loaded_label"] == "Name_Calling,Labeling"
    assert "scare_quotes" not in label_bridge(framing, ptc)


def test_runs_on_different_schemas_are_compared_on_shared_labels_and_the_rest_is_explained() -> None:
    plan = plan_labels([_fake_run("a", "framing"), _fake_run("b", "ptc14")])
    assert len(plan.shared) == 14
    assert "loaded_label" in plan.shared and "scare_quotes" not in plan.shared
    left = {x["label"]: x["reason"] for x in plan.left_out}
    assert set(left) == {"inevitability_appeal", "anonymous_source", "scare_quotes"}
    assert "run b (schema ptc14) has no counterpart" in left["scare_quotes"]
    assert plan.bridges[1]["Name_Calling,Labeling"] == "loaded_label"


def test_a_label_one_run_was_not_trained_on_is_left_out_with_that_reason() -> None:
    plan = plan_labels([_fake_run("a", "framing"), _fake_run("b", "framing", ["loaded_label", "doubt"])])
    assert plan.shared == ["loaded_label", "doubt"]
    reasons = {x["label"]: x["reason"] for x in plan.left_out}
    assert reasons["scare_quotes"] == "run b was not trained on it"


def test_labels_the_gold_does_not_annotate_are_left_out() -> None:
    plan = plan_labels([_fake_run("a", "framing"), _fake_run("b", "framing")], annotated={"doubt"})
    assert plan.shared == ["doubt"]
    assert any("gold data does not annotate" in x["reason"] for x in plan.left_out)


def test_repeated_run_names_are_numbered() -> None:
    assert unique_names(["model", "x", "model"]) == ["model#1", "x", "model#2"]


# -- end to end on tiny models -------------------------------------------------------------------
def test_compare_writes_markdown_json_charts_and_html(runs: dict[str, Path], tmp_path: Path) -> None:
    loaded = [load_run(runs["silent"]), load_run(runs["labels"])]
    comp = compare_runs(loaded, _gold_docs(), n_resamples=200, progress=False)
    paths = write_outputs(comp, tmp_path / "out")
    for key in ("per_label_png", "pr_png"):
        data = paths[key].read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 1000
    page = paths["html"].read_text(encoding="utf-8")
    assert "g1" in page and 'class="sp"' in page and "gold" in page
    report = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert [r["name"] for r in report["runs"]] == ["silent", "labels"]
    assert report["runs"][1]["config"]["base_model"] == "tiny"
    assert report["runs"][0]["docs_per_second"] > 0 and report["runs"][0]["size_mb"] > 0
    assert "| silent |" in paths["markdown"].read_text(encoding="utf-8")


def test_a_run_that_finds_more_gold_wins_the_bootstrap(runs: dict[str, Path]) -> None:
    loaded = [load_run(runs["silent"]), load_run(runs["labels"])]
    comp = compare_runs(loaded, _gold_docs(), n_resamples=300, progress=False, with_tc=False)
    boot = {b["metric"]: b for b in comp.report["bootstrap"]}
    assert boot["labeled_f1"]["delta"] > 0  # silent predicts nothing: labeled F1 0
    assert boot["labeled_f1"]["f1_a"] == 0.0
    assert comp.report["per_label"]["loaded_label"]["delta"][1] > 0
    assert comp.report["disagreements"][0]["id"] in {"g1", "g2", "g3", "g4", "g5"}


def test_cli_compares_runs_across_schemas(runs: dict[str, Path], gold_file: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # The two runs share weights; only framing's loaded_label is tidied to a noun phrase, which
    # PTC's Name_Calling,Labeling (phrases with adjectives) is not. Without that rule their
    # predictions must be the same once mapped.
    monkeypatch.setattr(boundaries, "NOUN_PHRASE_LABELS", frozenset())
    out = tmp_path / "cmp"
    code = main(["compare", str(runs["labels"]), str(runs["ptc"]), "--data", str(gold_file),
                 "--out", str(out), "--resamples", "100", "--quiet"])
    assert code == 0
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    # The ptc14 run's Name_Calling,Labeling is framing's loaded_label: same predictions once mapped.
    boot = [b for b in report["bootstrap"] if b["metric"] == "labeled_f1"][0]
    assert boot["delta"] == 0.0 and boot["flip_share"] == 0.0
    assert boot["ci_low"] <= 0.0 <= boot["ci_high"]
    assert "scare_quotes" not in report["labels"]["shared"]
    printed = capsys.readouterr().out
    assert "Labels left out" in printed and "scare_quotes (framing)" in printed


def test_the_same_run_twice_differs_by_nothing(runs: dict[str, Path], gold_file: Path,
                                               tmp_path: Path) -> None:
    out = tmp_path / "twice"
    assert main(["compare", str(runs["labels"]), str(runs["labels"]), "--data", str(gold_file),
                 "--out", str(out), "--resamples", "50", "--no-tc", "--quiet"]) == 0
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in report["runs"]] == ["labels#1", "labels#2"]
    assert all(b["delta"] == 0.0 for b in report["bootstrap"])
    assert "The runs predict the same spans" in (out / "disagreements.html").read_text(encoding="utf-8")


# -- broken inputs -------------------------------------------------------------------------------
def test_a_truncated_weights_file_is_named(runs: dict[str, Path], tmp_path: Path, tiny_base: Path) -> None:
    broken = make_run(tmp_path, tiny_base, "broken", fire="loaded_label")
    weights = broken / "model" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(RunError, match=r"run 'broken'.*model\.safetensors has 100 bytes.*truncated"):
        load_run(broken)


def test_a_missing_run_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="no such run or model folder.*nowhere"):
        load_run(tmp_path / "nowhere")


def test_cli_reports_a_broken_run_as_an_error(runs: dict[str, Path], gold_file: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code = main(["compare", str(runs["labels"]), str(tmp_path / "empty"), "--data", str(gold_file),
                 "--out", str(tmp_path / "o"), "--quiet"])
    assert code == 2
    assert "run 'empty' cannot be compared" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_one_run_is_not_a_comparison(runs: dict[str, Path]) -> None:
    with pytest.raises(FramespanError, match="at least two runs"):
        compare_runs([load_run(runs["labels"])], _gold_docs(), progress=False)


def test_gold_in_another_schema_is_mapped_onto_the_first_run(runs: dict[str, Path], tmp_path: Path) -> None:
    gold = tmp_path / "ptc-gold.jsonl"
    rows = [{"id": "p1", "text": "The regime said the army was inside.",
             "spans": [{"start": 4, "end": 10, "label": "Name_Calling,Labeling"}]},
            {"id": "p2", "text": "A minister commented recently.", "spans": []}]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "o"
    assert main(["compare", str(runs["silent"]), str(runs["labels"]), "--data", str(gold), "--data-schema",
                 "ptc14", "--out", str(out), "--resamples", "20", "--no-tc", "--quiet"]) == 0
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert report["per_label"]["loaded_label"]["support_gold"] == 1
    reasons = {x["label"]: x["reason"] for x in report["labels"]["left_out"]}
    assert reasons["scare_quotes"] == "the gold data does not annotate it"
    assert report["runs"][1]["scores"]["labeled_f1"] > 0


def test_gold_documents_a_run_was_trained_on_are_flagged(tmp_path: Path, tiny_base: Path) -> None:
    a = make_run(tmp_path, tiny_base, "a")
    b = make_run(tmp_path, tiny_base, "b")
    (b / "splits.json").write_text(json.dumps({"train": ["g1", "g2"], "dev": [], "test": []}))
    comp = compare_runs([load_run(a), load_run(b)], _gold_docs(), n_resamples=10, with_tc=False,
                        progress=False)
    assert comp.report["notes"] == ["2 of the 5 documents are in run b's training split; its scores on them "
                                    "are not held-out scores"]
