#!/usr/bin/env bash
# The whole loop on the bundled SpamAssassin split, whose `group` field tells its older collections (easy-ham-1,
# hard-ham-1, spam-1) from its newer ones (easy-ham-2, spam-2):
#   1. version 1 is trained on the older collections only and put in a registry;
#   2. a server follows the registry; the newer collections' training emails arrive as traffic, and their true labels
#      as feedback; the drift test compares each window with the reference stored beside version 1;
#   3. `retrain` trains a candidate on the older data plus that feedback (attune chooses the rate) and promotes it
#      only if it beats version 1 on held-back feedback without losing more than half a point on the older test set;
#   4. the server switches to version 2 by itself; both versions are scored on the newer and the older test emails.
# Usage: examples/closed-loop.sh [OUTPUT_DIR] (default runs/closed-loop). Needs jq and curl.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-runs/closed-loop}" && cd "${1:-runs/closed-loop}" && pwd)"
port="${PORT:-18085}"
for tool in jq curl; do command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }; done
attune() { "$root/attune" "$@"; }
start=$(date +%s)
step() { echo; echo "== [$(( $(date +%s) - start )) s] $*"; }

step "splitting the bundled data by collection into $out/data"
mkdir -p "$out/data"
for s in train validation test; do
  jq -c 'select(.group | endswith("-1"))' "$root/data/spamassassin/$s.jsonl" > "$out/data/older-$s.jsonl"
  jq -c 'select(.group | endswith("-2"))' "$root/data/spamassassin/$s.jsonl" > "$out/data/newer-$s.jsonl"
done
wc -l "$out"/data/*.jsonl | sed 's|'"$out"'/data/||'
older=(--set "data.train=$out/data/older-train.jsonl" --set "data.validation=$out/data/older-validation.jsonl"
       --set "data.test=$out/data/older-test.jsonl" --set "data.extra_train=[]" --set "data.extra_train_copies=1"
       --set "data.extra_tests=[$out/data/newer-test.jsonl]")

step "version 1: fine-tune on the older collections"
rm -rf "$out/v1" "$out/registry"
attune train --config "$root/configs/spam.yaml" "${older[@]}" --set "output.dir=$out/v1" | tail -4
attune registry add --registry "$out/registry" --model "$out/v1/model" --promote

step "serving the registry on 127.0.0.1:$port"
"$root/attune" serve --registry "$out/registry" --port "$port" 2> "$out/server.log" &   # the launcher execs java: $! is the server
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/ready"; echo

step "the newer collections arrive as traffic (32 emails per request), their true labels as feedback"
jq -sc '_nwise(32)' "$out/data/newer-train.jsonl" | while read -r batch; do
  response="$(jq -c '{texts: [.[].text]}' <<<"$batch" | curl -sf -H 'Content-Type: application/json' -d @- "http://127.0.0.1:$port/v1/predict")"
  jq -c --argjson r "$response" '[., $r.predictions] | transpose[] | {id: .[1].id, label: .[0].label}' <<<"$batch" | while read -r fb; do
    curl -sf -H 'Content-Type: application/json' -d "$fb" "http://127.0.0.1:$port/v1/feedback" >/dev/null
  done
done
curl -sf "http://127.0.0.1:$port/v1/monitor" | jq '{window, drift, class_mix, reference_class_mix, confidence, edge_cases}'

step "retrain: candidate on the older data plus the feedback; promoted only if better"
attune retrain --registry "$out/registry" --config "$root/configs/spam.yaml" "${older[@]}" \
  --server "http://127.0.0.1:$port" --also "$out/data/newer-test.jsonl" --out "$out/retrain"

step "the server follows the promotion"
for _ in $(seq 1 60); do
  v="$(curl -sf "http://127.0.0.1:$port/ready" | jq -r .model_version)"
  [ "$v" = "$(cat "$out/registry/current")" ] && break; sleep 1
done
echo "in service: $(curl -sf "http://127.0.0.1:$port/ready" | jq -r .model_version)"
kill $server; wait $server 2>/dev/null || true
trap - EXIT
attune monitor --db "$out/registry/predictions.duckdb" --html "$out/monitor.html" | tail -3
step "done: report $out/retrain/retrain.html, monitoring $out/monitor.html"
