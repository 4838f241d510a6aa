#!/usr/bin/env bash
# One GPU: the Trainer picks up CUDA by itself. Usage: train/one-gpu.sh CONFIG [framespan train args...]
set -euo pipefail
CONFIG=${1:?usage: train/one-gpu.sh CONFIG [--set key=value ...]}; shift
export CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-0}
exec ${DRY_RUN:+echo} framespan train "$CONFIG" "$@"
