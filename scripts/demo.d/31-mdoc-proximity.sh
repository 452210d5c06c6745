#!/usr/bin/env bash
# 31-mdoc-proximity.sh - in person at a bank: the citizen's phone shows a QR code (the mdoc:
# engagement), the bank's reader asks for the Korean name and age_over_19 over an encrypted
# session (ISO/IEC 18013-5 §9.1.1) and gets exactly those; a copy of the card presented from
# another phone is refused with the reason. Holder and reader are two processes on 127.0.0.1,
# each with a timeout, so both end by themselves.
set -euo pipefail
cl=${CL:?CL is the cardless program}
ns=kr.go.mois.resident_card.1
# credential types: $CL_TYPES_DIR, else the repository's data/types beside this script
export CL_TYPES_DIR=${CL_TYPES_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/data/types}
step() { printf '\n== %s\n' "$*"; }

# The resident card issued by 30-mdoc.sh when it is there; otherwise issue one here.
card=
for f in resident-card.cbor resident_card.cbor card.cbor mdoc/resident-card.cbor; do
    [ -f "$f" ] && card=$f && break
done
if [ -z "$card" ]; then
    step "proximity 0. The Ministry issues a mobile resident card to the citizen's phone key"
    "$cl" key pub --in holder.key.pem --out holder.pub.pem
    cat >proximity-claims.json <<EOF
{"$ns": {"family_name_ko": "홍", "given_name_ko": "길동", "family_name_en": "HONG",
 "given_name_en": "GILDONG", "birth_date": "1990-03-01", "resident_number_front": "900301",
 "resident_number_back": "1234567", "resident_address": "서울특별시 종로구 세종대로 209",
 "issue_date": "2026-01-02", "issuing_authority": "서울특별시 종로구청장",
 "portrait": {"\$b64": "AAECAwQFBgc"}, "age_over_14": true, "age_over_19": true,
 "age_over_65": false}}
EOF
    card=proximity-card.cbor
    "$cl" mdoc issue --type kr.resident_card --claims proximity-claims.json --ds-key ca/ds.key.pem \
        --ds-cert ca/ds.pem --device-pub holder.pub.pem --out "$card"
fi

# present KEY [show]: the phone serves one session with KEY (showing its QR code when asked);
# prints what the bank's reader gets.
present() {
    rm -f engagement.txt holder.out
    timeout 60 "$cl" mdoc serve-holder --credential "$card" --device-key "$1" --once \
        --timeout 20 --qr-out engagement.txt >holder.out 2>holder.log &
    local holder=$!
    for _ in $(seq 1 100); do
        [ -s engagement.txt ] && grep -q '^mdoc:' holder.out 2>/dev/null && break
        sleep 0.1
    done
    if [ "${2:-}" = show ]; then
        echo "phone shows the engagement QR code (ISO/IEC 18013-5 §8.2.2.3):"
        sed '$d' holder.out
    fi
    echo "phone shows QR: $(cut -c1-60 engagement.txt)..."
    local rc=0
    timeout 60 "$cl" mdoc read --engagement-file engagement.txt --doctype "$ns" \
        --elements "$ns/family_name_ko,$ns/given_name_ko,$ns/age_over_19" \
        --trust ca/iaca.pem --timeout 20 || rc=$?
    wait "$holder" || true
    sed 's/^/  phone | /' holder.log
    return "$rc"
}

step "proximity 1. At the bank: the reader asks for the Korean name and age_over_19 over an encrypted session"
present holder.key.pem show

step "proximity 2. The same card copied to another phone (another device key) is refused, with the reason"
"$cl" key new --out thief.key.pem >/dev/null
if present thief.key.pem; then
    echo "demo: a card presented from another device was accepted" >&2
    exit 1
fi
echo "(rejected as expected)"
