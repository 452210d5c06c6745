#!/usr/bin/env bash
# test_status.sh CARDLESS - `cardless status` as an issuer and a relying party use it: list
# files, random allocation, JWT and CWT tokens by key and by x5c to an IACA, every refusal
# with its exit code (0 ok, 1 invalid, 2 usage/I-O).
set -uo pipefail
cl=$1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

uri=https://status.example.kr/lists/7
L=$work/list.json
check "help" 0 -- "$cl" status --help
check "verb help" 0 -- "$cl" status get --help
check "new" 0 -- "$cl" status new --bits 2 --size 1000 --out "$L"
check "new refuses to overwrite" 2 -- "$cl" status new --bits 2 --size 1000 --out "$L"
check "new bits 3" 2 -- "$cl" status new --bits 3 --size 10 --out "$work/x.json"
check "new size 0" 2 -- "$cl" status new --bits 1 --size 0 --out "$work/x.json"
check "show" 0 -- "$cl" status show --list "$L" --json
expect "show counts" grep -q '"size": 1000' "$work/out"

# issuer keys: a bare key, and an IACA + DS
"$cl" key new --out "$work/k.pem" >/dev/null
"$cl" key pub --in "$work/k.pem" --out "$work/k.pub.pem"
"$cl" key pub --in "$work/k.pem" --jwk >"$work/k.pub.jwk"
"$cl" key new --out "$work/other.pem" >/dev/null
"$cl" key pub --in "$work/other.pem" --out "$work/other.pub.pem"
"$cl" ca init --out "$work/ca" --country KR --name "Test IACA" >/dev/null
"$cl" ca init --out "$work/ca2" --country KR --name "Other IACA" >/dev/null

check "alloc" 0 -- "$cl" status alloc --list "$L"
i1=$(cat "$work/out")
check "alloc json" 0 -- "$cl" status alloc --list "$L" --json
i2=$(sed -n 's/.*"index": \([0-9]*\).*/\1/p' "$work/out")
expect "two different indices" test "$i1" != "$i2"
check "set INVALID" 0 -- "$cl" status set --list "$L" --index "$i1" --value INVALID
check "set SUSPENDED" 0 -- "$cl" status set --list "$L" --index "$i2" --value suspended
check "set numeric" 0 -- "$cl" status set --list "$L" --index 3 --value 3
check "set value too big" 2 -- "$cl" status set --list "$L" --index 3 --value 4
check "set bad name" 2 -- "$cl" status set --list "$L" --index 3 --value REVOKED
check "set index out of range" 2 -- "$cl" status set --list "$L" --index 1000 --value 1
check "INVALID is irreversible" 1 -- "$cl" status set --list "$L" --index "$i1" --value VALID
check "show after sets" 0 -- "$cl" status show --list "$L"
expect "show names INVALID" grep -q INVALID "$work/out"

iat=2026-11-27T10:00:00Z
for f in jwt cwt; do
    T=$work/list.$f
    check "$f: sign" 0 -- "$cl" status sign --list "$L" --key "$work/k.pem" --uri "$uri" \
        --ttl 3600 --format $f --iat $iat --out "$T"
    check "$f: get INVALID" 0 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index "$i1" --uri "$uri" --at 2026-11-27T10:30:00Z
    expect "$f: prints 1 INVALID" grep -qx "1 INVALID" "$work/out"
    check "$f: get json" 0 -- "$cl" status get --token "$T" --key "$work/k.pub.jwk" \
        --index "$i2" --uri "$uri" --at 2026-11-27T10:30:00Z --json
    expect "$f: json SUSPENDED" grep -q '"name": "SUSPENDED"' "$work/out"
    expect "$f: json status 2" grep -q '"status": 2' "$work/out"
    check "$f: VALID entry" 0 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index 999 --at 2026-11-27T10:30:00Z --json
    expect "$f: json VALID" grep -q '"name": "VALID"' "$work/out"
    check "$f: wrong key" 1 -- "$cl" status get --token "$T" --key "$work/other.pub.pem" \
        --index 1 --uri "$uri" --at 2026-11-27T10:30:00Z
    check "$f: sub mismatch" 1 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index 1 --uri https://status.example.kr/lists/8 --at 2026-11-27T10:30:00Z --json
    expect "$f: names sub" grep -q '"where": "sub"' "$work/out"
    check "$f: out of range" 1 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index 1000 --uri "$uri" --at 2026-11-27T10:30:00Z
    expect "$f: says out of range" grep -q "out of range" "$work/err"
    check "$f: stale" 1 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index 1 --uri "$uri" --at 2026-11-27T11:00:00Z
    expect "$f: says stale" grep -q "stale" "$work/err"
    check "$f: stale allowed" 0 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index 1 --uri "$uri" --at 2026-11-27T11:00:00Z --allow-stale
    check "$f: expired" 1 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index 1 --uri "$uri" --at 2026-11-28T10:00:00Z --allow-stale --json
    expect "$f: names exp" grep -q '"where": "exp"' "$work/out"
    check "$f: issued in the future" 1 -- "$cl" status get --token "$T" --key "$work/k.pub.pem" \
        --index 1 --uri "$uri" --at 2026-11-27T09:00:00Z
    check "$f: sign with x5c" 0 -- "$cl" status sign --list "$L" --key "$work/ca/ds.key.pem" \
        --uri "$uri" --format $f --x5c "$work/ca/ds.pem" --out "$T.x5c"
    check "$f: get by IACA" 0 -- "$cl" status get --token "$T.x5c" --trust "$work/ca/iaca.pem" \
        --index "$i1" --uri "$uri" --json
    expect "$f: by IACA INVALID" grep -q '"name": "INVALID"' "$work/out"
    check "$f: other IACA" 1 -- "$cl" status get --token "$T.x5c" --trust "$work/ca2/iaca.pem" \
        --index "$i1" --uri "$uri"
    check "$f: no x5c with --trust" 1 -- "$cl" status get --token "$T" \
        --trust "$work/ca/iaca.pem" --index 1 --uri "$uri" --at 2026-11-27T10:30:00Z
done
# a flipped byte in the JWT signature, a truncated CWT
sed 's/.$/A/' "$work/list.jwt" >"$work/bad.jwt"
if cmp -s "$work/bad.jwt" "$work/list.jwt"; then sed 's/.$/B/' "$work/list.jwt" >"$work/bad.jwt"; fi
check "jwt: bad signature" 1 -- "$cl" status get --token "$work/bad.jwt" --key "$work/k.pub.pem" \
    --index 1 --at 2026-11-27T10:30:00Z
head -c 100 "$work/list.cwt" >"$work/bad.cwt"
check "cwt: truncated" 1 -- "$cl" status get --token "$work/bad.cwt" --key "$work/k.pub.pem" \
    --index 1 --at 2026-11-27T10:30:00Z
check "no key and no trust" 2 -- "$cl" status get --token "$work/list.jwt" --index 1
check "both key and trust" 2 -- "$cl" status get --token "$work/list.jwt" --index 1 \
    --key "$work/k.pub.pem" --trust "$work/ca/iaca.pem"
check "bad --at" 2 -- "$cl" status get --token "$work/list.jwt" --index 1 --key "$work/k.pub.pem" \
    --at yesterday
check "missing token file" 2 -- "$cl" status get --token "$work/nope" --index 1 \
    --key "$work/k.pub.pem"
check "bad format" 2 -- "$cl" status sign --list "$L" --key "$work/k.pem" --uri "$uri" \
    --format xml --out "$work/x"
check "sign with a public key" 1 -- "$cl" status sign --list "$L" --key "$work/k.pub.pem" \
    --uri "$uri" --format jwt --out "$work/x"
printf '{"format":"nope"}' >"$work/bad.json"
check "bad list file" 1 -- "$cl" status alloc --list "$work/bad.json"

# allocation over a full small list: every index once, then a clear refusal
S=$work/small.json
"$cl" status new --bits 1 --size 16 --out "$S" >/dev/null
: >"$work/idx"
for _ in $(seq 16); do "$cl" status alloc --list "$S" >>"$work/idx"; done
expect "16 distinct indices" test "$(sort -un "$work/idx" | wc -l)" -eq 16
expect "all in range" test "$(sort -n "$work/idx" | tail -1)" -le 15
check "full list" 1 -- "$cl" status alloc --list "$S"
expect "says allocated" grep -q "allocated" "$work/err"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
