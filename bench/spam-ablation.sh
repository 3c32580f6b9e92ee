#!/usr/bin/env bash
# What a spam model's false positives depend on: the share of legitimate mail it flags (at the most probable label)
# for controlled variants of the corpus's held-back ham and of the present-day set's ham.
#   bench/spam-ablation.sh RUN/model [corpus-test.jsonl] [present-day.jsonl]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:?usage: bench/spam-ablation.sh RUN/model [corpus test] [present-day test]}"
corpus="${2:-$root/data/spamassassin/test.jsonl}"
present="${3:-$root/data/present-day-mail/test.jsonl}"

flagged() { # data variant -> "flagged/total"
  "$root/attune" eval --model "$model" --data "$1" --variant "$2" --only-label ham --threshold 0.5 2>/dev/null |
    awk '/confusion/ { gsub(/[\[\],]/, " "); print $(NF-2), $(NF-3) + $(NF-2) }'
}

printf '%-34s %-18s %8s %10s\n' "ham" "variant" "flagged" "flag rate"
for v in none first-sentences short subject-only body-only no-footer no-quotes stripped lower-case; do
  read -r f n < <(flagged "$corpus" "$v")
  printf '%-34s %-18s %8s %9.1f%%\n' "corpus test" "$v" "$f/$n" "$(echo "100*$f/$n" | bc -l)"
done
for v in none with-list-footer subject-only body-only lower-case; do
  read -r f n < <(flagged "$present" "$v")
  printf '%-34s %-18s %8s %9.1f%%\n' "present-day test" "$v" "$f/$n" "$(echo "100*$f/$n" | bc -l)"
done
