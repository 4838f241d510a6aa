"""Training under torchrun (two CPU processes over gloo): one run folder, written once, resumable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from framespan.rundir import RunDir
from tests.test_resume import CHILD

pytestmark = pytest.mark.slow

OVERRIDES = ["--set", "training.max_steps=12", "--set", "training.eval_steps=3", "--set", "training.keep_checkpoints=2"]


def _cmd(script: list[str], tiny_config: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *script,
            "train", str(tiny_config), "--output", str(out), "--quiet", *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", "PYTHONUNBUFFERED": "1"}


def test_two_processes_write_one_run_folder(tmp_path: Path, tiny_config: Path) -> None:
    out = tmp_path / "run"
    done = subprocess.run(_cmd(["-m", "framespan.cli"], tiny_config, out, *OVERRIDES), env=_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("run saved to") == 1  # only the first process reports
    log = [json.loads(line) for line in (out / "train_log.jsonl").read_text().splitlines()]
    steps = [row["step"] for row in log if "eval_si_f1" in row]
    assert steps == [3, 6, 9, 12]  # each evaluation logged once, not once a process
    assert json.loads((out / "run.json").read_text())["status"] == "finished"
    assert set(json.loads((out / "metrics.json").read_text())["headline"]) == {"dev", "test"}


def test_killed_two_process_run_resumes_from_a_checkpoint_of_both(tmp_path: Path, tiny_config: Path) -> None:
    run = tmp_path / "killed"
    script = tmp_path / "slow_steps.py"
    # Each process slows its optimisation steps (test_resume's child), so the kill lands between
    # the first checkpoint and the end.
    script.write_text(CHILD, encoding="utf-8")
    log = tmp_path / "stderr.txt"
    with open(log, "w", encoding="utf-8") as err:  # a file, not a pipe: nothing blocks on a full buffer
        proc = subprocess.Popen(_cmd([str(script)], tiny_config, run, *OVERRIDES), env=_env(),
                                stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 240
    try:
        while time.time() < deadline:
            ckpt = RunDir(run).latest_checkpoint()
            if ckpt is not None:
                break
            assert proc.poll() is None, log.read_text(encoding="utf-8")[-3000:]
            time.sleep(0.05)
        else:
            pytest.fail("no checkpoint appeared in time")
        # torchrun starts its workers in sessions of their own: kill the whole tree, workers first.
        tree = psutil.Process(proc.pid)
        for child in tree.children(recursive=True):
            child.kill()
        tree.kill()
    finally:
        proc.wait()
    assert not (run / "metrics.json").exists()
    killed_at = RunDir(run).latest_checkpoint()
    assert killed_at is not None and int(killed_at.name.split("-")[1]) < 12
    # Each process's random state went into the one checkpoint.
    assert {p.name for p in killed_at.glob("rng_state_*.pth")} == {"rng_state_0.pth", "rng_state_1.pth"}

    resumed = subprocess.run(_cmd(["-m", "framespan.cli"], tiny_config, run, "--resume"), env=_env(),
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    status = json.loads((run / "run.json").read_text())
    assert status["status"] == "finished" and status["resumed_from"].endswith(killed_at.name)
