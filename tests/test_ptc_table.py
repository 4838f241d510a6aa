"""benchmarks/ptc_table.py: the benchmark tables are read from the runs' own metric files."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("ptc_table", ROOT / "benchmarks" / "ptc_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(si_f1: float, tc_f1: float) -> dict:
    prf = {"precision": 0.5, "recall": 0.25, "f1": si_f1}
    return {"si": prf, "labeled": {"f1": 0.2}, "exact": {"f1": 0.1},
            "tc": {"f1": tc_f1, "per_label": {"Doubt": {"f1": 0.75}}},
            "per_label": {"Doubt": {"f1": 0.3, "support_gold": 4}}}


def test_rows_come_from_run_and_ensemble_folders(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.json").write_text(json.dumps({"test": _report(0.333, 0.6)}))
    (run / "run.json").write_text(json.dumps({"train_seconds_this_session": 90}))
    ens = tmp_path / "ens"
    ens.mkdir()
    (ens / "test.json").write_text(json.dumps(_report(0.4, 0.65)))
    (ens / "ensemble-run.json").write_text(json.dumps({"members": [str(run / "model"), str(run / "model")]}))
    assert _script().main([f"one={run}", f"two={ens}"]) == 0
    out = capsys.readouterr().out
    assert "| one | 1.5 | 0.500 | 0.250 | 0.333 | 0.600 | 0.200 | 0.100 |" in out
    assert "| two | 3.0 | 0.500 | 0.250 | 0.400 | 0.650 | 0.200 | 0.100 |" in out
    assert "| Doubt | 4 | 0.300 / 0.750 | 0.300 / 0.750 |" in out


def test_a_later_evaluation_wins_over_the_training_report(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.json").write_text(json.dumps({"test": _report(0.333, 0.6)}))
    (run / "test.json").write_text(json.dumps(_report(0.35, 0.62)))
    (run / "run.json").write_text(json.dumps({"train_seconds_this_session": 60}))
    assert _script().main([f"refit={run}"]) == 0
    assert "| refit | 1.0 | 0.500 | 0.250 | 0.350 | 0.620 | 0.200 | 0.100 |" in capsys.readouterr().out
