"""The train/ launch recipes, dry-run (no GPU needed): syntax and the command each would run."""

import os
import subprocess

import pytest

SCRIPTS = ["train/one-gpu.sh", "train/multi-gpu-accelerate.sh", "train/multi-gpu-torchrun.sh",
           "train/slurm.sbatch", "train/seed-ensemble.sh"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_parses(script):
    assert subprocess.run(["bash", "-n", script]).returncode == 0


@pytest.mark.parametrize("script,expected", [
    ("train/one-gpu.sh", "framespan train configs/ptc-large.yaml --set seed=3"),
    ("train/multi-gpu-accelerate.sh", "accelerate launch --multi_gpu --num_processes 4"),
    ("train/multi-gpu-torchrun.sh", "torchrun --standalone --nproc_per_node 4 -m framespan.cli train"),
    ("train/slurm.sbatch", "--output runs/ptc-large-local --set seed=3"),
])
def test_dry_run_prints_the_launch_command(script, expected):
    env = {**os.environ, "DRY_RUN": "1", "NUM_GPUS": "4"}
    out = subprocess.run(["bash", script, "configs/ptc-large.yaml", "--set", "seed=3"], env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert expected in out.stdout


def test_seed_ensemble_dry_run_trains_each_seed_then_averages(tmp_path):
    env = {**os.environ, "DRY_RUN": "1", "SEEDS": "5 6"}
    out = subprocess.run(["bash", "train/seed-ensemble.sh", "configs/ptc.yaml", str(tmp_path / "ens"),
                          "--set", "training.epochs=2"], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == (f"framespan train configs/ptc.yaml --output {tmp_path}/ens/seed-5 --set seed=5 "
                        "--set training.epochs=2")
    assert "--set seed=6" in lines[1]
    assert lines[2] == (f"framespan ensemble {tmp_path}/ens/seed-5 {tmp_path}/ens/seed-6 "
                        f"--out {tmp_path}/ens/ensemble --overwrite")
