#!/usr/bin/env bash
# The one prepared device run for issues 4 and 8 (a lent CUDA card, minutes of device time):
#   1. the CUDA tests (`pytest -m gpu`: fixtures on the card, CUDA fit against CPU, CUDA's sync detector);
#   2. bench/gpu.py at batch 64 with the kernel profile (host times show whether a forward is launch-bound);
#   3. last, if the call's time allows: ResNet50 featurize under torch.compile (CUDA graphs) against eager.
# Usage (device tool, repository root): bash bench/gpu_check.sh   -> results under $OUT (default /tmp/gpu_out)
set -uo pipefail
OUT=${OUT:-/tmp/gpu_out}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv | tee "$OUT/nvidia-smi.txt"
$PY -c "import torch, numpy; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.is_available())" \
  | tee "$OUT/env.txt"
if $PY -c "import pytest" 2>/dev/null; then
  PYTHONPATH=. timeout 240 $PY -m pytest -m gpu -q -p no:randomly -p no:cacheprovider tests 2>&1 | tail -40 \
    | tee "$OUT/pytest_gpu.txt"
else
  echo "pytest is not installed here: CUDA tests not run" | tee "$OUT/pytest_gpu.txt"
fi
PYTHONPATH=. timeout 300 $PY -m bench.gpu --batch 64 --reps 20 --profile --out "$OUT/gpu.json" 2>&1 \
  | tee "$OUT/bench_gpu.txt"
PYTHONPATH=. timeout 240 $PY -m bench.gpu --models resnet50 --batch 64 --reps 10 --skip-parity --compile \
  --out "$OUT/gpu_compile.json" 2>&1 | tee "$OUT/bench_gpu_compile.txt"
