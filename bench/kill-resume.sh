#!/usr/bin/env bash
# Crash safety at random moments: trains a short run once without interruption, then N times (default 20) kills
# `attune train` with SIGKILL at a random moment, resumes it with --resume until it finishes, and compares the final
# model.safetensors with the uninterrupted run's, byte for byte. Prints each trial and the tally.
# Usage: bench/kill-resume.sh [trials] [work-dir]
set -uo pipefail
cd "$(dirname "$0")/.."
trials="${1:-20}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
# every 8th training email and every 6th validation email: short runs, both labels
awk 'NR % 8 == 1' data/spamassassin/train.jsonl > "$work/train.jsonl"
awk 'NR % 6 == 1' data/spamassassin/validation.jsonl > "$work/validation.jsonl"
cat > "$work/config.yaml" <<YAML
model:   {name: minilm-l6}
data:    {train: $work/train.jsonl, validation: $work/validation.jsonl, max_length: 32}
trainer: {learning_rate: 5.0e-5, batch_size: 16, max_steps: 24, eval_steps: 4, logging_steps: 1, seed: 5, precision: fp32, eval_batch_size: 64}
output:  {dir: $work/reference}
YAML
./attune --version >/dev/null  # builds the jar on first use
start=$(date +%s.%N)
./attune train --config "$work/config.yaml" >"$work/reference.log" 2>&1 || { echo "reference run failed: $work/reference.log"; exit 1; }
duration=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
ref=$(sha256sum "$work/reference/model/model.safetensors" | cut -d' ' -f1)
echo "reference run: ${duration}s, model sha256 ${ref:0:16}"
identical=0; different=0; failed=0
for i in $(seq 1 "$trials"); do
  out="$work/trial-$i"
  at=$(python3 -c "import random; print(round(random.uniform(1.0, $duration), 2))")
  ./attune train --config "$work/config.yaml" --set output.dir="$out" >"$out.log" 2>&1 &
  pid=$!
  sleep "$at"
  kill -9 "$pid" 2>/dev/null && killed=yes || killed="no (already finished)"
  wait "$pid" 2>/dev/null
  resumes=0
  while [ ! -f "$out/summary.json" ] && [ $resumes -lt 5 ]; do
    ./attune train --config "$work/config.yaml" --set output.dir="$out" --resume >>"$out.log" 2>&1
    resumes=$((resumes + 1))
  done
  if [ ! -f "$out/model/model.safetensors" ]; then
    failed=$((failed + 1)); verdict="FAILED (see $out.log)"
  elif [ "$(sha256sum "$out/model/model.safetensors" | cut -d' ' -f1)" = "$ref" ]; then
    identical=$((identical + 1)); verdict="identical"
  else
    different=$((different + 1)); verdict="DIFFERENT"
  fi
  echo "trial $i: killed at ${at}s: $killed; $resumes resume(s); $verdict"
done
echo "tally: $identical identical, $different different, $failed failed, of $trials trials"
[ $different -eq 0 ] && [ $failed -eq 0 ]
