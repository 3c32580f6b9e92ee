#!/usr/bin/env bash
# Training-step and forward benchmark at batch 32 x 128, attune beside PyTorch in Python, measured one after the
# other in one run on the same machine, for each model named (default: minilm-l6 and bert-base-uncased):
#   bench/compare-pytorch.sh [minilm-l6] [bert-base-uncased] PyTorch comes from Debian's python3-torch with
# OpenBLAS (libopenblas0-pthread); both use 2 threads and the same thread-pool and allocator settings.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iterations="${ITERATIONS:-10}"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  for candidate in /usr/bin/python3 python3; do
    if "$candidate" -c 'import torch' 2>/dev/null; then py="$candidate"; break; fi
  done
fi
if [ -z "$py" ]; then
  echo "needs PyTorch for Python: apt-get install python3-torch libopenblas0-pthread" >&2
  exit 2
fi
export OMP_WAIT_POLICY=PASSIVE GOMP_SPINCOUNT=10000 OPENBLAS_THREAD_TIMEOUT=4 OMP_NUM_THREADS=2
tc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(minilm-l6 bert-base-uncased)
for model in "${models[@]}"; do
  case "$model" in
    minilm-l6) shape=(--layers 6 --hidden 384 --heads 12 --intermediate 1536) ;;
    bert-base-uncased) shape=(--layers 12 --hidden 768 --heads 12 --intermediate 3072) ;;
    *) echo "bench/compare-pytorch.sh: no PyTorch shapes for '$model' (minilm-l6, bert-base-uncased)" >&2; exit 2 ;;
  esac
  out="$(mktemp)"
  echo "== $model"
  ATTUNE_THREADS=2 "$root/attune" benchmark --train --json --model "$model" --iterations "$iterations" | tee -a "$out"
  if [ -f "$tc" ]; then LD_PRELOAD="$tc" "$py" "$root/bench/train_step_torch.py" --iterations "$iterations" "${shape[@]}" | tee -a "$out"
  else "$py" "$root/bench/train_step_torch.py" --iterations "$iterations" "${shape[@]}" | tee -a "$out"; fi
  "$py" - "$out" "$model" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def get(rt, kind, prec):
    return next(r for r in rows if r["runtime"].startswith(rt) and r["kind"] == kind and r["precision"] == prec)
print()
print(f"{sys.argv[2]}, batch 32 x 128, 2 threads")
print("| measurement | attune s | PyTorch s | attune tokens/s | PyTorch tokens/s | PyTorch time / attune time |")
print("|---|---|---|---|---|---|")
for kind in ("forward", "train_step"):
    for prec in ("fp32", "bf16"):
        a, p = get("attune", kind, prec), get("pytorch", kind, prec)
        print(f"| {kind} {prec} | {a['seconds']:.3f} | {p['seconds']:.3f} | {a['tokens_per_second']:.0f} | {p['tokens_per_second']:.0f} | {p['seconds'] / a['seconds']:.2f} |")
PY
  rm -f "$out"
done
