#!/usr/bin/env bash
# Several GPUs on one node with accelerate (data parallel). Usage:
#   NUM_GPUS=4 train/multi-gpu-accelerate.sh CONFIG [--set key=value ...]
# The per-device batch size in the config stays the same; the effective batch grows with NUM_GPUS.
set -euo pipefail
CONFIG=${1:?usage: train/multi-gpu-accelerate.sh CONFIG [args]}; shift
NUM_GPUS=${NUM_GPUS:-$(nvidia-smi -L 2>/dev/null | wc -l)}
[[ $NUM_GPUS -ge 1 ]] || { echo "no GPU found (set NUM_GPUS)" >&2; exit 1; }
exec ${DRY_RUN:+echo} accelerate launch --multi_gpu --num_processes "$NUM_GPUS" --mixed_precision bf16 \
  -m framespan.cli train "$CONFIG" "$@"
