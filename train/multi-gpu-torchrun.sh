#!/usr/bin/env bash
# Several GPUs on one node with torchrun (DDP). Usage: NUM_GPUS=4 train/multi-gpu-torchrun.sh CONFIG [args]
set -euo pipefail
CONFIG=${1:?usage: train/multi-gpu-torchrun.sh CONFIG [args]}; shift
NUM_GPUS=${NUM_GPUS:-$(nvidia-smi -L 2>/dev/null | wc -l)}
[[ $NUM_GPUS -ge 1 ]] || { echo "no GPU found (set NUM_GPUS)" >&2; exit 1; }
exec ${DRY_RUN:+echo} torchrun --standalone --nproc_per_node "$NUM_GPUS" -m framespan.cli train "$CONFIG" "$@"
