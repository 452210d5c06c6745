#!/usr/bin/env bash
# test_mdoc_session.sh CARDLESS - `cardless mdoc serve-holder` and `cardless mdoc read` as two
# processes on 127.0.0.1 (ISO/IEC 18013-5 §9.1.1): the reader gets exactly what it asked for,
# verified over the session transcript; expired, untrusted and wrongly bound presentations are
# refused with exit 1; I/O and usage problems exit 2; nothing waits forever.
set -uo pipefail
cl=$1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
check_timeout=60
expect_shows_output=1
holder_pid=
trap '[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null; rm -rf "$work"' EXIT
# credential types for `mdoc issue`: the repository's data/types
export CL_TYPES_DIR=${CL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}/data/types

# holder [options...]: start serve-holder --once in the background, wait for its engagement file
holder() {
    rm -f "$work/qr.txt"
    timeout 60 "$cl" mdoc serve-holder --once --timeout 20 --qr-out "$work/qr.txt" "$@" \
        >"$work/holder.out" 2>"$work/holder.err" &
    holder_pid=$!
    for _ in $(seq 1 100); do
        [ -s "$work/qr.txt" ] && return 0
        sleep 0.1
    done
    echo "FAIL holder did not write its engagement"
    sed 's/^/  | /' "$work/holder.err"
    fails=$((fails + 1))
}
# holder_done WANT_EXIT NAME: the holder ended by itself with WANT_EXIT
holder_done() {
    wait "$holder_pid"
    local got=$?
    holder_pid=
    if [ "$got" -ne "$1" ]; then
        echo "FAIL $2: holder exit $got, want $1"
        sed 's/^/  | /' "$work/holder.err"
        fails=$((fails + 1))
    else
        pass=$((pass + 1))
    fi
}

# The verbs live in cmd_mdoc.c's table (issue, serve-holder, read): skip until it has them.
for verb in issue serve-holder read; do
    if ! "$cl" mdoc "$verb" --help >/dev/null 2>&1; then
        echo "skipped: cardless mdoc $verb is not wired yet"
        echo "$pass passed, $fails failed"
        exit 0
    fi
done
check "serve-holder help" 0 -- "$cl" mdoc serve-holder --help
check "read help" 0 -- "$cl" mdoc read --help

# The Ministry's CA, a citizen's device key, and a resident card bound to it.
ns=kr.go.mois.resident_card.1
check "ca init" 0 -- "$cl" ca init --out "$work/ca" --country KR --name "Korea IACA"
check "other ca" 0 -- "$cl" ca init --out "$work/other" --country KR --name "Other IACA"
check "holder key" 0 -- "$cl" key new --out "$work/holder.key.pem"
check "holder pub" 0 -- "$cl" key pub --in "$work/holder.key.pem" --out "$work/holder.pub.pem"
check "other key" 0 -- "$cl" key new --out "$work/other.key.pem"
cat >"$work/claims.json" <<EOF
{"$ns": {"family_name_ko": "홍", "given_name_ko": "길동", "family_name_en": "HONG",
 "given_name_en": "GILDONG", "birth_date": "1990-03-01", "resident_number_front": "900301",
 "resident_number_back": "1234567", "resident_address": "서울특별시 종로구 세종대로 209",
 "issue_date": "2026-01-02", "issuing_authority": "서울특별시 종로구청장",
 "portrait": {"\$b64": "AAECAwQFBgc"}, "age_over_14": true, "age_over_19": true,
 "age_over_65": false}}
EOF
check "issue" 0 -- "$cl" mdoc issue --type kr.resident_card --claims "$work/claims.json" \
    --ds-key "$work/ca/ds.key.pem" --ds-cert "$work/ca/ds.pem" --device-pub "$work/holder.pub.pem" \
    --out "$work/card.cbor"

want="$ns/family_name_ko,$ns/given_name_ko,$ns/age_over_19"
read_args=(--doctype "$ns" --elements "$want" --trust "$work/ca/iaca.pem")

# 1. The bank asks for the Korean name and age_over_19 and gets exactly those.
holder --credential "$work/card.cbor" --device-key "$work/holder.key.pem"
expect "engagement is an mdoc: URI" grep -q '^mdoc:[A-Za-z0-9_-]*$' "$work/qr.txt"
expect "URI line printed on stdout, last" cmp -s "$work/qr.txt" <(tail -n 1 "$work/holder.out")
check "read" 0 -- "$cl" mdoc read --engagement-file "$work/qr.txt" "${read_args[@]}"
expect "Korean family name" grep -q "$ns/family_name_ko = \"홍\"" "$work/out"
expect "Korean given name" grep -q "$ns/given_name_ko = \"길동\"" "$work/out"
expect "age_over_19" grep -q "$ns/age_over_19 = true" "$work/out"
expect "exactly three elements" test "$(grep -c "^  $ns/" "$work/out")" -eq 3
expect "no birth date" bash -c "! grep -q birth_date '$work/out'"
holder_done 0 "holder after read"
expect "reader ended the session with 20" grep -q "status 20" "$work/holder.err"

# 1b. Above the URI line, the same URI as a QR code in terminal text: half blocks, two module
# rows a line, a 4-module quiet zone. Decoded with zbarimg (zbar-tools) when it is installed.
cat >"$work/qr2pbm.py" <<'PY'
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")][:-1]  # the art
half = {" ": (0, 0), "\u2584": (0, 1), "\u2580": (1, 0), "\u2588": (1, 1)}  # (top, bottom) light
rows = []
for l in lines:
    cells = [half[c] for c in l]  # KeyError: not QR art
    rows += [[c[0] for c in cells], [c[1] for c in cells]]
size = len(rows[0])
if any(len(r) != size for r in rows) or (size - 8 - 21) % 4 or len(rows) != size + 1:
    sys.exit("not a square QR code with its quiet zone: %d x %d" % (size, len(rows) - 1))
rows = rows[:size]
if not all(all(r) for r in rows[:4] + rows[-4:]) or not all(all(r[:4] + r[-4:]) for r in rows):
    sys.exit("no 4-module light quiet zone")
out = ["P1", "%d %d" % (size * 4, size * 4)]
for r in rows:
    out += [" ".join("0" if v else "1" for v in r for _ in range(4))] * 4
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
expect "QR art is a square code with a quiet zone" python3 "$work/qr2pbm.py" "$work/holder.out" \
    "$work/qr.pbm"
if command -v zbarimg >/dev/null; then
    expect "QR decodes to the URI" cmp -s "$work/qr.txt" \
        <(zbarimg --raw -q "$work/qr.pbm" 2>/dev/null)
else
    echo "note: zbarimg (zbar-tools) not installed: the QR code is checked for shape only"
fi
holder --credential "$work/card.cbor" --device-key "$work/holder.key.pem" --no-qr
expect "--no-qr: only the URI line" cmp -s "$work/qr.txt" "$work/holder.out"
check "read after --no-qr" 0 -- "$cl" mdoc read --engagement-file "$work/qr.txt" "${read_args[@]}"
holder_done 0 "holder after --no-qr"

# 2. JSON in the shape of `mdoc verify --json`, over a device MAC with EReaderKey.
holder --credential "$work/card.cbor" --device-key "$work/holder.key.pem" --mac
check "read json mac" 0 -- "$cl" mdoc read --engagement "$(cat "$work/qr.txt")" "${read_args[@]}" --json
expect "valid true" grep -q '"valid": true' "$work/out"
expect "claims in their namespace" grep -q '"family_name_ko": "홍"' "$work/out"
expect "issuer country" grep -q '"country": "KR"' "$work/out"
holder_done 0 "holder after mac"

# 3. Verified at a time after the certificates expire: invalid, with the reason.
holder --credential "$work/card.cbor" --device-key "$work/holder.key.pem"
check "read expired" 1 -- "$cl" mdoc read --engagement-file "$work/qr.txt" "${read_args[@]}" \
    --at 2040-01-01T00:00:00Z --json
expect "valid false" grep -q '"valid": false' "$work/out"
expect "reason expired" grep -q '"code": "expired"' "$work/out"
holder_done 0 "holder after expired"

# 4. A reader trusting another IACA refuses.
holder --credential "$work/card.cbor" --device-key "$work/holder.key.pem"
check "read untrusted" 1 -- "$cl" mdoc read --engagement-file "$work/qr.txt" --doctype "$ns" \
    --elements "$want" --trust "$work/other/iaca.pem"
holder_done 0 "holder after untrusted"

# 5. A copied credential presented with another device key fails device authentication.
holder --credential "$work/card.cbor" --device-key "$work/other.key.pem"
check "read wrong device key" 1 -- "$cl" mdoc read --engagement-file "$work/qr.txt" "${read_args[@]}"
expect "reason names the signature" grep -qi "signature\|device" "$work/err"
holder_done 0 "holder after wrong key"

# 5b. The reader checks the card's status reference (MSO status_list) against the Ministry's
# Status List Token: VALID is accepted, SUSPENDED refused with the reason (issue #4).
S1=https://status.example/kr/1
check "status card" 0 -- "$cl" mdoc issue --type kr.resident_card --claims "$work/claims.json" \
    --ds-key "$work/ca/ds.key.pem" --ds-cert "$work/ca/ds.pem" --device-pub "$work/holder.pub.pem" \
    --status-uri "$S1" --status-index 3 --out "$work/scard.cbor"
check "status list" 0 -- "$cl" status new --bits 2 --size 64 --out "$work/list.json"
check "status sign valid" 0 -- "$cl" status sign --list "$work/list.json" \
    --key "$work/ca/ds.key.pem" --x5c "$work/ca/ds.pem" --uri "$S1" --format cwt \
    --out "$work/valid.cwt"
check "status suspend" 0 -- "$cl" status set --list "$work/list.json" --index 3 --value SUSPENDED
check "status sign suspended" 0 -- "$cl" status sign --list "$work/list.json" \
    --key "$work/ca/ds.key.pem" --x5c "$work/ca/ds.pem" --uri "$S1" --format jwt \
    --out "$work/suspended.jwt"
holder --credential "$work/scard.cbor" --device-key "$work/holder.key.pem"
check "read status VALID" 0 -- "$cl" mdoc read --engagement-file "$work/qr.txt" "${read_args[@]}" \
    --status-list "$work/valid.cwt"
expect "text names the status" grep -q "status: VALID (list $S1, index 3)" "$work/out"
holder_done 0 "holder after status VALID"
holder --credential "$work/scard.cbor" --device-key "$work/holder.key.pem"
check "read status SUSPENDED" 1 -- "$cl" mdoc read --engagement-file "$work/qr.txt" \
    "${read_args[@]}" --status-list "$work/suspended.jwt" --json
expect "SUSPENDED: valid false" grep -q '"valid": false' "$work/out"
expect "SUSPENDED: name" grep -q '"name": "SUSPENDED"' "$work/out"
expect "SUSPENDED: reason" grep -q "documents\[0\].status: $ns is SUSPENDED" "$work/out"
expect "SUSPENDED: no claims" bash -c "! grep -q family_name_ko '$work/out'"
holder_done 0 "holder after status SUSPENDED"
check "read, status list missing" 2 -- "$cl" mdoc read --engagement-file "$work/qr.txt" \
    "${read_args[@]}" --status-list "$work/no-such.cwt"

# 6. A peer that sends a broken SessionEstablishment gets SessionData {"status": 11} (§9.1.1.5).
holder --credential "$work/card.cbor" --device-key "$work/holder.key.pem"
for _ in $(seq 1 100); do grep -q "waiting on" "$work/holder.err" && break; sleep 0.1; done
port=$(sed -n 's/.*waiting on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/holder.err")
if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    printf '\x00\x00\x00\x02\xa1\x00' >&3
    timeout 10 cat <&3 | od -An -tx1 | tr -d ' \n' >"$work/reply"
    exec 3>&-
fi
expect "status 11 frame" grep -q '^00000009a166737461747573' "$work/reply"
expect "status 11 value" grep -q '0b$' "$work/reply"
holder_done 1 "holder after a broken establishment"

# 7. Bad input and I/O: exit 1 for a bad engagement, 2 for no holder or bad usage.
check "engagement not mdoc:" 1 -- "$cl" mdoc read --engagement "http://x" "${read_args[@]}"
check "engagement bad base64url" 1 -- "$cl" mdoc read --engagement "mdoc:!!" "${read_args[@]}"
check "engagement not CBOR" 1 -- "$cl" mdoc read --engagement "mdoc:oQ" "${read_args[@]}"
check "no holder listening" 2 -- "$cl" mdoc read --engagement-file "$work/qr.txt" "${read_args[@]}" \
    --timeout 2
check "not loopback" 2 -- "$cl" mdoc read --engagement-file "$work/qr.txt" "${read_args[@]}" \
    --host 192.0.2.1
check "bad elements" 2 -- "$cl" mdoc read --engagement-file "$work/qr.txt" --doctype "$ns" \
    --elements nosslash --trust "$work/ca/iaca.pem"
check "no engagement" 2 -- "$cl" mdoc read "${read_args[@]}"
check "bad consent" 2 -- "$cl" mdoc serve-holder --credential "$work/card.cbor" \
    --device-key "$work/holder.key.pem" --consent maybe
check "holder not a credential" 1 -- "$cl" mdoc serve-holder --credential "$work/claims.json" \
    --device-key "$work/holder.key.pem" --once --timeout 1
check "holder times out" 2 -- "$cl" mdoc serve-holder --credential "$work/card.cbor" \
    --device-key "$work/holder.key.pem" --once --timeout 1
expect "timeout named" grep -q "timed out" "$work/err"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
