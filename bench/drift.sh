#!/usr/bin/env bash
# Drift alarms of `./attune serve` on real traffic: 20 windows of 200 emails drawn (with replacement) from the
# SpamAssassin test split, which is in distribution for a model trained on that corpus, then windows of present-day
# mail, which is not. Each window is sent through POST /v1/predict and judged by GET /v1/monitor.
#   bench/drift.sh MODEL_DIR     (the model needs its monitoring reference: training writes it, or ./attune reference)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:?usage: bench/drift.sh MODEL_DIR}"
windows="${WINDOWS:-20}" port="${PORT:-18081}" size=200
for tool in jq curl shuf; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/attune" serve --model "$model" --port "$port" --db "$work/predictions.duckdb" 2> "$work/server.log" &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 1; done
seeded() { openssl enc -aes-256-ctr -pass pass:"$1" -nosalt </dev/zero 2>/dev/null; }
send_window() { # file, seed: 200 texts drawn with replacement, 50 per request
  shuf -r -n "$size" --random-source=<(seeded "$2") "$1" | jq -sc '[.[].text] | _nwise(50) | {texts: .}' | while read -r body; do
    curl -sf -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/v1/predict" >/dev/null
  done
  curl -sf "http://127.0.0.1:$port/v1/monitor" | jq -c '{window, score: .drift.score, p_value: .drift.p_value, alarm: .drift.alarm, class_mix_psi, confidence}'
}
alarms=0
for w in $(seq 1 "$windows"); do
  line="$(send_window "$root/data/spamassassin/test.jsonl" "in-$w")"
  echo "in-distribution window $w: $line"
  [ "$(jq -r .alarm <<<"$line")" = true ] && alarms=$((alarms + 1))
done
echo "false alarms: $alarms of $windows in-distribution windows"
for w in 1 2 3; do
  echo "present-day window $w: $(send_window "$root/data/present-day-mail/test.jsonl" "shift-$w")"
done
