#!/usr/bin/env bash
# Data-parallel training on one machine, measured side by side: the same run (minilm-l6 by default, SpamAssassin,
# global batch 32 x 128, fp32, dropout off, 24 steps) in 1 process x all cores and in N processes (default 2) sharing
# the cores over c10d Gloo on loopback. Prints steps/s, seconds per step, communication seconds and bytes all-reduced
# per step, and the largest relative difference between the two runs' training losses at any step.
#   bench/distributed.sh [MODEL] [NPROC]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-minilm-l6}" nproc="${2:-2}" steps="${STEPS:-24}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/config.yaml" <<YAML
model:   {name: $model, dropout: 0, classifier_dropout: 0}
data:    {train: $root/data/spamassassin/train.jsonl, validation: $root/data/spamassassin/validation.jsonl, max_length: 128}
trainer: {learning_rate: 3.0e-5, batch_size: 32, max_steps: $steps, eval_steps: $steps, logging_steps: 1, seed: 42, precision: fp32}
output:  {dir: $work/one, save_model: false}
YAML
cores="$(nproc)"
echo "== 1 process x $cores threads"
"$root/attune" train --config "$work/config.yaml" 2>&1 | grep -E "^steps|eval loss" || true
echo "== $nproc processes x $((cores / nproc > 0 ? cores / nproc : 1)) threads (c10d Gloo on loopback)"
"$root/attune" train --config "$work/config.yaml" --set "output.dir=$work/many" --nproc-per-node "$nproc" 2>&1 | grep -E "^steps|eval loss" || true
python3 - "$work/one" "$work/many" <<'PY'
import json, sys
def rows(d): return [json.loads(l) for l in open(d + "/metrics.jsonl") if l.strip()]
def summary(d): return json.load(open(d + "/summary.json"))
one, many = rows(sys.argv[1]), rows(sys.argv[2])
a = {r["step"]: r["loss"] for r in one if "loss" in r}
b = {r["step"]: r["loss"] for r in many if "loss" in r}
worst = max(abs(b[s] - a[s]) / abs(a[s]) for s in a)
ea = [r["eval_loss"] for r in one if "eval_loss" in r][-1]
eb = [r["eval_loss"] for r in many if "eval_loss" in r][-1]
s1, s2 = summary(sys.argv[1]), summary(sys.argv[2])
print(f"training loss, largest relative difference over {len(a)} steps: {worst:.2e}; final validation loss {ea:.6f} vs {eb:.6f} ({abs(eb-ea)/ea:.2e} relative)")
for name, s in (("1 process", s1), (f"{s2['world_size']} processes", s2)):
    extra = ""
    if s.get("world_size", 1) > 1:
        extra = f", communication {s['communication_seconds_per_step']:.3f} s/step, {s['allreduce_bytes_per_step'] / 1e6:.1f} MB all-reduced per step per process"
    print(f"{name}: {s['median_step_seconds']:.3f} s/step (median), {1 / s['median_step_seconds']:.2f} steps/s, peak RSS {s['peak_rss_mb']:.0f} MB (rank 0){extra}")
print(f"ratio (1 process / {s2['world_size']} processes, step time): {s1['median_step_seconds'] / s2['median_step_seconds']:.2f}")
PY
