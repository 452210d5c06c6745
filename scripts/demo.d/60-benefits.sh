#!/usr/bin/env bash
# 60-benefits.sh - proactive welfare: the welfare agency evaluates a sample population on
# 2026-03-01 with the benefit rules of data/benefits, tells each citizen what they can receive
# (or that sharing financial data would tell them), then re-evaluates a month later after a
# citizen gave consent, and sends only the new notices, in Korean and English.
set -euo pipefail
cl=${CL:?}
root=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
rules=$root/data/benefits
samples=$root/data/samples
mkdir -p benefits
cd benefits

step() { printf '\n== %s\n' "$*"; }
notices() { # print the notices of a diff's JSON lines
    jq -r '"- \(.household_id) \(.person_id // "(household)") \(.benefit): \(.transition)\n    ko: \(.notice.ko)\n    en: \(.notice.en)"' "$1"
}

step "W1. The welfare agency checks its rules: 12 benefits, effective-dated parameter tables"
"$cl" benefits check --rules "$rules"

step "W2. A synthetic population (deterministic) and a pass over it on 2026-03-01"
"$cl" benefits synth --households 2000 --seed 42 --out synth.jsonl
"$cl" benefits eval --rules "$rules" --data synth.jsonl --at 2026-03-01 --out synth-results.jsonl
echo "first result line:"
head -1 synth-results.jsonl | jq -c '{household_id, person_id, benefit, status, amount, missing, next_change}'

step "W3. The sample population on 2026-03-01 (data/samples/welfare-sample.json)"
"$cl" benefits eval --rules "$rules" --data "$samples/welfare-sample.json" --at 2026-03-01 --all \
    --out march.jsonl
jq -r 'select(.status != "not_eligible") | "\(.household_id) \(.person_id // "-") \(.benefit): \(.status) \(.amount // "" | tostring) next_change=\(.next_change)"' march.jsonl
echo
echo "Why is 이 (lee) unknown? The account for one person:"
"$cl" benefits explain --rules "$rules" --data "$samples/welfare-sample.json" --at 2026-03-01 \
    --person lee | sed -n '1,12p'

step "W4. March notices: everything new to each citizen, and what is coming within 31 days"
: >empty.jsonl
"$cl" benefits diff --rules "$rules" --before empty.jsonl --after march.jsonl --upcoming-days 31 \
    --notified notified.txt --out notices-march.jsonl
notices notices-march.jsonl

step "W5. A month later: 김영희 turned 65, the Park baby is 12 months old, 이 gave consent"
"$cl" benefits eval --rules "$rules" --data "$samples/welfare-sample-april.json" --at 2026-04-01 \
    --all --out april.jsonl
"$cl" benefits diff --rules "$rules" --before march.jsonl --after april.jsonl --upcoming-days 31 \
    --notified notified.txt --out notices-april.jsonl
notices notices-april.jsonl

step "W6. Running the same diff again notifies nobody twice"
"$cl" benefits diff --rules "$rules" --before march.jsonl --after april.jsonl --upcoming-days 31 \
    --notified notified.txt --out again.jsonl
echo "$(wc -l <again.jsonl) notices (already notified: $(wc -l <notified.txt) keys)"
