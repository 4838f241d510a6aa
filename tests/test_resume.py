"""A training process killed with SIGKILL mid-epoch resumes and ends with the uninterrupted metrics."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from framespan.config import load_config
from framespan.errors import RunError
from framespan.rundir import RunDir
from framespan.training import train

# Slows each optimisation step inside the child only, so the kill reliably lands mid-training.
# The production code path is untouched: this wraps Trainer.training_step from outside.
CHILD = textwrap.dedent("""
    import sys, time
    import transformers
    step = transformers.Trainer.training_step
    def slow(self, *a, **k):
        time.sleep(0.15)
        return step(self, *a, **k)
    transformers.Trainer.training_step = slow
    from framespan.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _headline(run: Path) -> dict:
    return json.loads((run / "metrics.json").read_text())["headline"]


def _loss_curve(run: Path) -> list[float]:
    rows = [json.loads(line) for line in (run / "train_log.jsonl").read_text().splitlines()]
    return [r["loss"] for r in rows if "loss" in r]


def test_sigkill_mid_epoch_then_resume_matches_uninterrupted_run(tmp_path, tiny_config):
    overrides = ["training.max_steps=24", "training.eval_steps=4", "training.keep_checkpoints=2"]
    reference = train(tiny_config, tmp_path / "ref", overrides=overrides, progress=False)

    run = tmp_path / "killed"
    cmd = [sys.executable, "-c", CHILD, "train", str(tiny_config), "--output", str(run), "--quiet"]
    cmd += [x for o in overrides for x in ("--set", o)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    try:
        while time.time() < deadline:
            ckpt = RunDir(run).latest_checkpoint()
            # Steps 4 and 8 end evaluations; step 8 falls inside the third epoch (3 windows a batch).
            if ckpt is not None and int(ckpt.name.split("-")[1]) >= 8:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        else:
            pytest.fail("no checkpoint appeared in time")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (run / "metrics.json").exists()
    killed_at = int(RunDir(run).latest_checkpoint().name.split("-")[1])
    assert killed_at < 24

    # Without --resume the partial run is protected.
    with pytest.raises(RunError, match="unfinished run"):
        train(tiny_config, run, overrides=overrides, progress=False)

    resumed = train(tiny_config, run, resume=True, progress=False)
    assert json.loads((resumed / "run.json").read_text())["resumed_from"].endswith(f"checkpoint-{killed_at}")
    ref, got = _headline(reference), _headline(resumed)
    for split in ref:
        for key, value in ref[split].items():
            assert got[split][key] == pytest.approx(value, abs=1e-6), (split, key)
    # The logged losses after the resume point continue the reference curve.
    assert _loss_curve(resumed)[-3:] == pytest.approx(_loss_curve(reference)[-3:], rel=1e-4)


def test_half_written_checkpoint_is_never_resumed_from(tmp_path):
    run = tmp_path / "run"
    (run / "checkpoints" / "checkpoint-4").mkdir(parents=True)
    (run / "checkpoints" / "checkpoint-4" / "trainer_state.json").write_text("{}")
    (run / "checkpoints" / ".staging" / "checkpoint-8").mkdir(parents=True)  # killed while saving
    (run / "checkpoints" / "checkpoint-12").mkdir()  # no trainer_state.json: incomplete
    assert RunDir(run).latest_checkpoint().name == "checkpoint-4"


def test_resume_of_a_finished_run_is_refused(tmp_path, tiny_config):
    cfg = load_config(tiny_config)
    run = tmp_path / "r"
    run.mkdir()
    cfg.save(run / "config.yaml")
    (run / "run.json").write_text('{"status": "finished"}')
    with pytest.raises(RunError, match="finished run"):
        train(tiny_config, run, resume=True, progress=False)
