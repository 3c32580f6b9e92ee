#!/usr/bin/env bash
# Spam filters trained on the SpamAssassin split, measured on its test split and on the present-day mail sets:
# each configuration of the robustness table in docs/RESULTS.md, trained once (finished runs are reused), then one
# line per run. Takes about 4 minutes per minilm-l6 run, 6 to 8 per 12-layer small model and 12 for bert-base on 2 cores.
#   bench/spam-robustness.sh [OUT] [NAME ...]      (default OUT: runs/spam-robustness; default: every configuration)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-runs/spam-robustness}"; shift || true
command -v jq >/dev/null || { echo "bench/spam-robustness.sh: needs jq (apt-get install jq)" >&2; exit 2; }

AUG='data.augment=[crop,subject_only,body_only,strip_footer,strip_quotes,case]'
# every configuration but the last two trains on the corpus alone, as the standard fixes were measured
C='data.extra_train=[]'
# the supplement's first part alone (pdt-001 to pdt-100), as the table's earlier row was measured
mkdir -p "$out"
first100="$(cd "$out" && pwd)/present-day-train-first-100.jsonl"
head -n 100 "$root/data/present-day-mail/train.jsonl" > "$first100"
declare -A configs=(
  [plain]="$C"
  [augment]="$C $AUG"
  [class-weights]="$C trainer.class_weights=balanced"
  [epochs-2]="$C trainer.epochs=2"
  [lr-2e-5]="$C trainer.learning_rate=2e-5"
  [e5-small-v2]="$C model.name=e5-small-v2"
  [bge-small-en-v1.5]="$C model.name=bge-small-en-v1.5"
  [bert-base-uncased]="$C model.name=bert-base-uncased trainer.eval_steps=26"
  [e5-small-v2-probe]="$C model.name=e5-small-v2 model.freeze=[embeddings.*,encoder.*] trainer.learning_rate=1e-3 trainer.epochs=2"
  [present-day-supplement-first-100]="data.extra_train=[$first100] data.extra_train_copies=3"
  [present-day-supplement]="data.extra_train=[$root/data/present-day-mail/train.jsonl] data.extra_train_copies=3"
)
order=(plain augment class-weights epochs-2 lr-2e-5 e5-small-v2 bge-small-en-v1.5 bert-base-uncased e5-small-v2-probe
       present-day-supplement-first-100 present-day-supplement)
[ $# -gt 0 ] && order=("$@")

for name in "${order[@]}"; do
  [ -n "${configs[$name]+x}" ] || { echo "bench/spam-robustness.sh: unknown configuration '$name' (known: ${!configs[*]})" >&2; exit 2; }
  [ -f "$out/$name/summary.json" ] && continue
  rm -rf "${out:?}/$name"
  sets=(--set "output.dir=$out/$name" --set "data.extra_tests=[$root/data/present-day-mail/test.jsonl,$root/data/present-day-mail/dev.jsonl]"
        --set decision.max_flag_rate=0.01)
  for kv in ${configs[$name]}; do sets+=(--set "$kv"); done
  echo "== $name" >&2
  "$root/attune" train --config "$root/configs/spam.yaml" "${sets[@]}" > "$out/$name.log" 2>&1
done

printf '%-22s %8s %8s %8s %8s %6s %8s %17s %8s %8s\n' configuration corpus present ham spam auc dev "ECE before/after" s/step "RSS MB"
for name in "${order[@]}"; do
  jq -r --arg n "$name" '
    (.extra_tests | to_entries) as $x | ($x[0].value) as $p | ($x[1].value) as $d |
    [$n, .test.accuracy, $p.accuracy, $p.per_class.ham.recall, $p.per_class.spam.recall, $p.roc_auc, $d.accuracy,
     .calibration.ece_before, .calibration.ece_after, .median_step_seconds, .peak_rss_mb] |
    "\(.[0])\t\(.[1:] | map(. * 10000 | round / 10000) | map(tostring) | join("\t"))"' "$out/$name/summary.json" |
    awk -F'\t' '{ printf "%-22s %8.4f %8.2f %8.2f %8.2f %6.3f %8.2f %8.4f/%-8.4f %8.2f %8.0f\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11 }'
done
