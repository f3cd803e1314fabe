#!/usr/bin/env bash
# The one prepared device run for issues 4 and 8 (a lent CUDA card, minutes of device time):
#   1. the CUDA tests (`pytest -m gpu`: fixtures on the card, CUDA fit against CPU, CUDA's sync detector);
#   2. bench/gpu.py at batch 64 with the kernel profile (host times show whether a forward is launch-bound);
#   3. ResNet50 featurize under torch.compile (CUDA graphs) against eager;
#   4. the 2-rank data-parallel scenarios of issue 18 on the GPU (NCCL with 2+ GPUs, else gloo on one).
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
# 4. issue 18: the 2-rank data-parallel scenarios with the networks on the GPU (tests/parallelism/dist_script.py,
#    compared with one CPU process by tests/parallelism/compare.py): over NCCL with one GPU per rank when the
#    machine has 2+ GPUs; with one GPU both ranks share it over gloo (NCCL refuses two ranks on one device), which
#    still runs the reducer on CUDA tensors (the gloo side group carries the minibatch sizes: no device sync).
NGPU=$($PY -c "import torch; print(torch.cuda.device_count())")
if [ "${NGPU:-0}" -ge 2 ]; then DIST_BACKEND=nccl; else DIST_BACKEND=gloo; fi
mkdir -p "$OUT/ddp_$DIST_BACKEND"
PYDL4J_TRANSFER_DIST_BACKEND=$DIST_BACKEND PYDL4J_TEST_DEVICE=cuda PYTHONPATH=. timeout 240 \
  $PY -m torch.distributed.run --standalone --nproc-per-node 2 tests/parallelism/dist_script.py "$OUT/ddp_$DIST_BACKEND" \
  > "$OUT/ddp_run.txt" 2>&1; echo "torchrun exit $? ($DIST_BACKEND, $NGPU GPU(s))" | tee -a "$OUT/ddp_run.txt"
PYTHONPATH=. timeout 120 $PY -m tests.parallelism.compare "$OUT/ddp_$DIST_BACKEND" 2>&1 | tee "$OUT/ddp_compare.txt"
