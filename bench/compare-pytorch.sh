#!/usr/bin/env bash
# Training-step and forward benchmark at batch 32 x 128, attune beside PyTorch in Python, measured one after the
# other in one run on the same machine, for each model named (default: minilm-l6 and bert-base-uncased):
#   [ROUNDS=3] bench/compare-pytorch.sh [minilm-l6] [bert-base-uncased]   PyTorch comes from Debian's python3-torch with
# OpenBLAS (libopenblas0-pthread); both use 2 threads and the same thread-pool and allocator settings. A second table
# gives the matrix products alone (`./attune benchmark --products`), the bound on any gain outside them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
iterations="${ITERATIONS:-10}"
rounds="${ROUNDS:-1}"
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
  # ROUNDS alternating pairs (attune, then PyTorch): the machine's speed drifts, so each ratio compares neighbours
  for round in $(seq "$rounds"); do
    ATTUNE_THREADS=2 "$root/attune" benchmark --train --products --json --model "$model" --iterations "$iterations" | sed "s/^{/{\"round\": $round, /" | tee -a "$out"
    if [ -f "$tc" ]; then LD_PRELOAD="$tc" "$py" "$root/bench/train_step_torch.py" --iterations "$iterations" "${shape[@]}" | sed "s/^{/{\"round\": $round, /" | tee -a "$out"
    else "$py" "$root/bench/train_step_torch.py" --iterations "$iterations" "${shape[@]}" | sed "s/^{/{\"round\": $round, /" | tee -a "$out"; fi
  done
  "$py" - "$out" "$model" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
rounds = sorted({r["round"] for r in rows})
def get(rt, kind, prec, rnd):
    return next(r for r in rows if r["runtime"].startswith(rt) and r["kind"] == kind and r["precision"] == prec and r["round"] == rnd)
print()
print(f"{sys.argv[2]}, batch 32 x 128, 2 threads, {len(rounds)} round(s); times are medians over rounds, the ratio is the median of the rounds' ratios (range in brackets)")
print("| measurement | attune s | PyTorch s | attune tokens/s | PyTorch tokens/s | PyTorch time / attune time |")
print("|---|---|---|---|---|---|")
for kind in ("forward", "train_step"):
    for prec in ("fp32", "bf16"):
        a = [get("attune", kind, prec, n) for n in rounds]
        p = [get("pytorch", kind, prec, n) for n in rounds]
        ratios = [y["seconds"] / x["seconds"] for x, y in zip(a, p)]
        med = lambda rs, key: statistics.median(r[key] for r in rs)
        spread = f" ({min(ratios):.2f} to {max(ratios):.2f})" if len(ratios) > 1 else ""
        print(f"| {kind} {prec} | {med(a, 'seconds'):.3f} | {med(p, 'seconds'):.3f} | {med(a, 'tokens_per_second'):.0f} | "
              f"{med(p, 'tokens_per_second'):.0f} | {statistics.median(ratios):.2f}{spread} |")
print()
print("The same matrix products timed alone (libtorch's matmul, each shape on its own, summed by count): what a pass or step")
print("would take if nothing else cost time. Only faster products (packed weights, fused epilogues) go below it.")
print("| measurement | products alone s | GFLOP | GFLOPS | attune time / products | PyTorch time / products |")
print("|---|---|---|---|---|---|")
for kind in ("forward", "train_step"):
    for prec in ("fp32", "bf16"):
        x = [get("attune", kind + "_products", prec, n) for n in rounds]
        a = [get("attune", kind, prec, n) for n in rounds]
        p = [get("pytorch", kind, prec, n) for n in rounds]
        alone = statistics.median(r["seconds"] for r in x)
        print(f"| {kind} {prec} | {alone:.3f} | {x[0]['gflop']:.1f} | {statistics.median(r['gflops'] for r in x):.0f} | "
              f"{statistics.median(r['seconds'] for r in a) / alone:.2f} | {statistics.median(r['seconds'] for r in p) / alone:.2f} |")
PY
  rm -f "$out"
done
