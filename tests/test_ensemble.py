"""Seed ensembles: averaged probabilities, refusal of members that do not fit, run-like folder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from framespan.cli import main
from framespan.detector import Detector
from framespan.ensemble import build_ensemble
from framespan.errors import RunError
from framespan.training import train
from tests.conftest import build_tiny_model_folder

TEXT = "The regime said the so-called front lied, and the regime lied again about the border."


@pytest.fixture(scope="module")
def members(tmp_path_factory, tiny_base):
    root = tmp_path_factory.mktemp("members")
    return [build_tiny_model_folder(root / f"m{i}", tiny_base, seed=i) for i in range(2)]


def test_ensemble_averages_member_probabilities(members, tmp_path):
    build_ensemble(members, tmp_path / "ens", tune=False)
    ens = Detector.load(tmp_path / "ens")
    one, two = (Detector.load(m) for m in members)
    got = ens.scores([TEXT])[0]
    want = (one.scores([TEXT])[0].probs + two.scores([TEXT])[0].probs) / 2
    assert np.allclose(got.probs, want, atol=1e-5)
    ranges = [(4, 10), (20, 34)]
    assert np.allclose(ens.span_probs(TEXT, ranges),
                       (one.span_probs(TEXT, ranges) + two.span_probs(TEXT, ranges)) / 2, atol=1e-5)


def test_ensemble_refuses_members_with_other_windows(members, tmp_path, tiny_base):
    odd = build_tiny_model_folder(tmp_path / "odd", tiny_base, seed=3, max_length=32)
    with pytest.raises(RunError, match="max_length"):
        build_ensemble([members[0], odd], tmp_path / "ens", tune=False)
    assert not (tmp_path / "ens").exists()


def test_ensemble_needs_two_runs(members, tmp_path):
    with pytest.raises(RunError, match="two or more"):
        build_ensemble(members[:1], tmp_path / "ens")


def test_ensemble_of_runs_is_tuned_on_dev_and_evaluates_by_split(tmp_path, tiny_config):
    runs = [train(tiny_config, tmp_path / f"r{s}", overrides=[f"seed={s}"], progress=False) for s in (1, 2)]
    out = tmp_path / "ens"
    assert main(["ensemble", str(runs[0]), str(runs[1]), "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "ensemble-run.json").read_text())
    assert summary["tuned"] is True and summary["dev_documents"] > 0
    assert main(["evaluate", str(out), "--split", "test", "--quiet"]) == 0
    with pytest.raises(RunError, match="not empty"):
        build_ensemble(runs, out)


def test_ensemble_refuses_runs_on_different_splits(tmp_path, tiny_config):
    runs = [train(tiny_config, tmp_path / f"r{s}", overrides=[f"seed={s}"], progress=False) for s in (1, 2)]
    splits = json.loads((runs[1] / "splits.json").read_text())
    splits["train"], splits["test"] = splits["test"], splits["train"]
    (runs[1] / "splits.json").write_text(json.dumps(splits))
    with pytest.raises(RunError, match="different document splits"):
        build_ensemble(runs, tmp_path / "ens", tune=False)
