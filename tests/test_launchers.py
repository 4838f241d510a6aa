"""The train/ launch recipes, dry-run (no GPU needed): syntax and the command each would run."""

import os
import subprocess

import pytest

SCRIPTS = ["train/one-gpu.sh", "train/multi-gpu-accelerate.sh", "train/multi-gpu-torchrun.sh",
           "train/slurm.sbatch"]


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
