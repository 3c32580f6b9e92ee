#!/usr/bin/env bash
# Load test of `./attune serve` on loopback with wrk: 16 connections each sending single emails from the SpamAssassin
# test split, against offline batched prediction of the same texts in one process, measured one after the other:
#   bench/serve-load.sh MODEL_DIR [SWAP_MODEL_DIR]
# With a second model directory, both go into a fresh registry, the server follows it, and the second version is
# promoted halfway through the timed run (a hot swap under load). SOAK_REQUESTS (default 0) then keeps the load on
# until that many requests were served, reporting the server's RSS after 10,000 requests and at the end.
# Needs wrk (apt-get install wrk) and jq.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:?usage: bench/serve-load.sh MODEL_DIR [SWAP_MODEL_DIR]}"
swap="${2:-}"
connections="${CONNECTIONS:-16}" seconds="${SECONDS_TIMED:-60}" soak="${SOAK_REQUESTS:-0}" port="${PORT:-18080}"
for tool in wrk jq curl; do command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }; done
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
test="$root/data/spamassassin/test.jsonl"
jq -c '{texts: [.text]}' "$test" > "$work/bodies.jsonl"
echo "== offline batched prediction of the same $(wc -l < "$test") texts (batch 32, max length 128)"
"$root/attune" benchmark --model "$model" --predict "$test" --iterations 3 | tee "$work/offline.json"

if [ -n "$swap" ]; then
  "$root/attune" registry add --registry "$work/registry" --model "$model" --promote >/dev/null
  "$root/attune" registry add --registry "$work/registry" --model "$swap" >/dev/null
  source=(--registry "$work/registry")
else
  source=(--model "$model")
fi
"$root/attune" serve "${source[@]}" --port "$port" --db "$work/predictions.duckdb" 2> "$work/server.log" &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/ready" >/dev/null || { cat "$work/server.log" >&2; exit 1; }
pid="$(pgrep -P "$server" java || echo "$server")"
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }

echo "== warm-up (10 s), then $connections connections for $seconds s"
BODIES="$work/bodies.jsonl" wrk -t2 -c"$connections" -d10s -s "$root/bench/serve-load.lua" "http://127.0.0.1:$port" | grep '^{' > /dev/null
promoter=""
if [ -n "$swap" ]; then (sleep $((seconds / 2)); "$root/attune" registry promote --registry "$work/registry" v2 >/dev/null; echo "promoted v2 at $((seconds / 2)) s") & promoter=$!; fi
BODIES="$work/bodies.jsonl" wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s -s "$root/bench/serve-load.lua" "http://127.0.0.1:$port" | grep '^{' | tee "$work/load.json"
[ -z "$promoter" ] || wait "$promoter"
served="$(curl -sf "http://127.0.0.1:$port/ready" | jq -r .model_version)"
offline="$(jq .texts_per_second "$work/offline.json")"
jq --argjson offline "$offline" --arg served "$served" -r '"throughput \(.requests_per_second) requests/s = \((.requests_per_second / $offline * 100) | floor)% of offline \($offline) texts/s; p50 \(.p50_ms) ms, p99 \(.p99_ms) ms; non-2xx \(.non_2xx), socket errors \(.errors_connect + .errors_read + .errors_write + .errors_timeout); model in service after the run: \($served)"' "$work/load.json"
curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^attune_batch_size_(sum|count)' || true

if [ "$soak" -gt 0 ]; then
  total="$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^attune_texts_predicted_total/ {print int($2)}')"
  rss10k=""
  while [ "$total" -lt "$soak" ]; do
    chunk="$(BODIES="$work/bodies.jsonl" wrk -t2 -c"$connections" -d30s --timeout 30s -s "$root/bench/serve-load.lua" "http://127.0.0.1:$port" | grep '^{' | jq -c '{requests, non_2xx, errors_connect, errors_read, errors_timeout, p99_ms}')"
    total="$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^attune_texts_predicted_total/ {print int($2)}')"
    echo "$chunk served $total RSS $(rss) MB"
    if [ -z "$rss10k" ] && [ "$total" -ge 10000 ]; then rss10k="$(rss)"; echo "RSS after $total requests: $rss10k MB"; fi
  done
  echo "RSS after $total requests: $(rss) MB (after about 10,000: ${rss10k:-n/a} MB)"
fi
