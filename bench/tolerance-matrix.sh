#!/usr/bin/env bash
# Runs the numerically sensitive tests under every CPU instruction-set limit oneDNN can emulate on this machine
# (ONEDNN_MAX_CPU_ISA: AMX, AVX512-BF16, AVX512 without bf16, AVX2) with 1 and 2 threads, and prints the worst
# measured value of each tolerance with its limit and margin. Usage: [TOLERANCE_TESTS=A,B] bench/tolerance-matrix.sh [ISA...]
set -euo pipefail
cd "$(dirname "$0")/.."
isas=("$@")
[ ${#isas[@]} -gt 0 ] || isas=(ALL AVX512_CORE_BF16 AVX512_CORE AVX2)
tests="${TOLERANCE_TESTS:-OnnxParityTest,TorchEigenSolverTest,BertBaseCheckpointTest,FineTuneTest,AutomationTest,TensorTest,AdamWTest,CleanCacheTest,StepCastTest,MixedPrecisionTest,Bf16InferenceTest}"
all=$(mktemp)
for isa in "${isas[@]}"; do
  for threads in 1 2; do
    rm -f target/tolerances.tsv
    echo "== ONEDNN_MAX_CPU_ISA=$isa ATTUNE_THREADS=$threads" >&2
    ONEDNN_MAX_CPU_ISA=$isa ATTUNE_THREADS=$threads mvn -B -q -Dstyle.color=never test -Dtest="$tests" >/dev/null 2>&1 \
      || echo "   (some tests failed under this setting)" >&2
    cat target/tolerances.tsv >> "$all"
  done
done
python3 - "$all" <<'PY'
import sys, collections
worst = {}
for line in open(sys.argv[1]):
    name, measured, limit, isa, threads, bound = line.rstrip("\n").split("\t")
    m, l = float(measured), float(limit)
    w = worst.setdefault(name, {"limit": l, "values": [], "upper": bound == "at_most"})
    w["values"].append((m, isa, threads))
print(f"{'tolerance':<90} {'limit':>10} {'worst':>12} {'margin':>7}  where")
for name, w in worst.items():
    l = w["limit"]
    vals = w["values"]
    upper = w["upper"]
    m, isa, th = max(vals) if upper else min(vals)
    margin = (l / m if m > 0 else float("inf")) if upper else (m / l if l > 0 else float("inf"))
    print(f"{name:<90} {l:>10.3g} {m:>12.4g} {margin:>7.1f}  {isa}, {th} threads")
PY
rm -f "$all"
