#!/usr/bin/env bash
# test_benefits.sh CARDLESS - the `benefits` commands as a user calls them: check, eval (the
# JSON Lines contract), explain, diff with the notified-state file, synth; exit codes (0 ok,
# 1 invalid input, 2 usage/I-O) and errors naming file:line:column.
set -uo pipefail
cl=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=${CL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rules=$src/data/benefits
feeds=$src/tests/benefits/feeds
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

check "help" 0 -- "$cl" benefits --help
check "eval help" 0 -- "$cl" benefits eval --help
check "check" 0 -- "$cl" benefits check --rules "$rules"
expect "check lists 12 benefits" grep -q "ok: 12 benefits" "$work/out"
check "check json" 0 -- "$cl" benefits check --rules "$rules" --json
expect "check json ok" grep -q '"ok": true' "$work/out"
# --rules defaults to $CL_RULES_DIR, then data/benefits under the working directory
check "check default via env" 0 -- env CL_RULES_DIR="$rules" "$cl" benefits check
check "check default via cwd" 0 -- bash -c "cd '$src' && '$cl' benefits check"

# a rule with an error names file:line:column; a table with a gap names the row
mkdir -p "$work/bad" "$work/gap"
cp "$rules"/*.param "$work/bad/"
cp "$rules"/*.param "$work/gap/"
printf 'benefit x\n  name.ko "k"\n  unit persn\n' >"$work/bad/x.rule"
check "bad rule" 1 -- "$cl" benefits check --rules "$work/bad"
expect "bad rule file:line:col" grep -q "x.rule:3:8: expected person" "$work/err"
printf 'table t.gap "t"\n  2025-01-01 2025-12-30 1\n  2026-01-01 2026-12-31 2\n' >"$work/gap/gap.param"
check "gap" 1 -- "$cl" benefits check --rules "$work/gap"
expect "gap names the row" grep -q "gap.param:3:1: table t.gap: gap after the row of line 2" "$work/err"
check "no such rules dir" 2 -- "$cl" benefits check --rules "$work/nosuch"

# eval: one JSON line per result with the contract's fields
check "eval" 0 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2026-03-01 --out "$work/r.jsonl"
expect "eval wrote lines" test -s "$work/r.jsonl"
expect "eval fields" python3 -c '
import json, sys
keys = {"household_id", "person_id", "benefit", "status", "amount", "checks", "missing", "next_change"}
ids = {"livelihood", "medical_aid", "housing_benefit", "education_benefit", "basic_pension",
       "disability_pension", "child_allowance", "parent_benefit", "first_meeting_voucher",
       "youth_rent", "energy_voucher", "eitc"}
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert keys <= set(r), r
    assert r["benefit"] in ids
    assert r["status"] in ("eligible", "unknown_needs_consent", "unknown_missing_data"), r
    assert r["amount"] is None or (len(r["amount"]) == 1 and list(r["amount"])[0] in ("monthly", "annual", "lump_sum"))
    if r["benefit"] in ("livelihood", "medical_aid", "housing_benefit", "education_benefit", "energy_voucher"):
        assert r["person_id"] is None
' "$work/r.jsonl"
expect "couple reduction" grep -q '"person_id":"B5a","benefit":"basic_pension","status":"eligible","amount":{"monthly":279760}' "$work/r.jsonl"
check "eval --all --explain" 0 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2026-03-01 --all --explain --out "$work/all.jsonl"
expect "all has not_eligible" grep -q '"status":"not_eligible"' "$work/all.jsonl"
expect "explain has korean" grep -q '"explanation":{"ko":"기초연금' "$work/all.jsonl"
expect "threshold source" grep -q 'basic_pension.param:[0-9]* (basic_pension.threshold_single)' "$work/all.jsonl"
check "eval 2 threads" 0 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2026-03-01 --threads 2 --out "$work/r2.jsonl"
expect "threads same output" cmp -s "$work/r.jsonl" "$work/r2.jsonl"
check "eval bad date" 2 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2026-02-30 --out "$work/x.jsonl"
check "eval missing --at" 2 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --out "$work/x.jsonl"
check "eval no parameters for 2031" 1 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2031-01-01 --out "$work/x.jsonl"
# a bad record is skipped and named; the rest are evaluated; exit 1
python3 - "$feeds/pension.json" "$work/badfeed.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["households"][2]["members"][0]["birth_date"] = "1950-13-01"
json.dump(doc, open(sys.argv[2], "w"), ensure_ascii=False)
PY
check "eval bad record" 1 -- "$cl" benefits eval --rules "$rules" --data "$work/badfeed.json" --at 2026-03-01 --out "$work/b.jsonl"
expect "bad record named" grep -q 'B3' "$work/err"
expect "rest evaluated" grep -q '"household_id":"B5"' "$work/b.jsonl"

# 교육급여 lists each student's amount beside the sum (6.5)
check "eval nblss" 0 -- "$cl" benefits eval --rules "$rules" --data "$feeds/nblss.json" --at 2026-03-01 --out "$work/n.jsonl"
expect "students listed" grep -q '"amount":{"annual":1362000},"students":\[{"person_id":"N11b","school":"elementary","annual":502000},{"person_id":"N11c","school":"high","annual":860000}\]' "$work/n.jsonl"

expect "housing kind" grep -q '"benefit":"housing_benefit","status":"eligible","amount":null,"kind":"repair"' "$work/n.jsonl"

# explain: the account of one person
check "explain" 0 -- "$cl" benefits explain --rules "$rules" --data "$feeds/pension.json" --at 2026-03-01 --person B1a
expect "explain names the benefit" grep -q "기초연금 / Basic Pension \[basic_pension\]: eligible, 349,700 won monthly" "$work/out"
check "explain unknown person" 2 -- "$cl" benefits explain --rules "$rules" --data "$feeds/pension.json" --at 2026-03-01 --person nobody

# diff: a month later B2 turns 65; notified transitions are not repeated
check "eval before" 0 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2026-02-28 --out "$work/a.jsonl"
check "eval after" 0 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2026-03-31 --out "$work/b.jsonl"
check "diff" 0 -- "$cl" benefits diff --rules "$rules" --before "$work/a.jsonl" --after "$work/b.jsonl" --notified "$work/notified"
expect "B1 newly eligible" grep -q '"household_id":"B1","person_id":"B1a","benefit":"basic_pension","transition":"newly_eligible"' "$work/out"
expect "B2 newly eligible" grep -q '"person_id":"B2a","benefit":"basic_pension","transition":"newly_eligible"' "$work/out"
expect "notice in korean" grep -q '기초연금: 새로 받으실 수 있습니다' "$work/out"
check "diff again" 0 -- "$cl" benefits diff --rules "$rules" --before "$work/a.jsonl" --after "$work/b.jsonl" --notified "$work/notified"
expect "not notified twice" test ! -s "$work/out"
check "eval before --all" 0 -- "$cl" benefits eval --rules "$rules" --data "$feeds/pension.json" --at 2026-02-28 --all --out "$work/aa.jsonl"
check "diff upcoming" 0 -- "$cl" benefits diff --before "$work/aa.jsonl" --after "$work/aa.jsonl" --upcoming-days 30
expect "upcoming change" grep -q '"transition":"upcoming_change"' "$work/out"
check "diff bad input" 1 -- "$cl" benefits diff --before "$feeds/pension.json" --after "$work/b.jsonl"

# synth: deterministic
check "synth" 0 -- "$cl" benefits synth --households 20 --seed 5 --out "$work/s1.jsonl"
check "synth again" 0 -- "$cl" benefits synth --households 20 --seed 5 --out "$work/s2.jsonl"
expect "synth deterministic" cmp -s "$work/s1.jsonl" "$work/s2.jsonl"
check "eval synth" 0 -- "$cl" benefits eval --rules "$rules" --data "$work/s1.jsonl" --at 2026-03-01 --out "$work/s.jsonl"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
