#!/usr/bin/env bash
# 30-mdoc.sh - the mobile resident card as an ISO/IEC 18013-5 mdoc: the Ministry issues it to
# the citizen's phone key, a bank asks for the Korean name and "over 19" only, the phone
# discloses exactly that, the bank verifies it; a tampered copy is rejected with its reason.
# Run by scripts/demo.sh with CL (the program) and cwd = the demo working directory.
set -euo pipefail
here=$(dirname "$(realpath "$0")")
export CL_TYPES_DIR=${CL_TYPES_DIR:-$here/../../data/types}
NS=kr.go.mois.resident_card.1
step() { printf '\n== %s\n' "$*"; }

step "mdoc 1. The Ministry issues a mobile resident card (kr.resident_card) bound to the holder key"
"$CL" key pub --in holder.key.pem --out holder.pub.pem
cat >resident-claims.json <<JSON
{"$NS": {
  "family_name_ko": "홍", "given_name_ko": "길동",
  "family_name_en": "HONG", "given_name_en": "GILDONG",
  "birth_date": "1990-03-01",
  "resident_number_front": "900301", "resident_number_back": "1234567",
  "resident_address": "서울특별시 종로구 세종대로 209",
  "issue_date": "2025-01-02", "issuing_authority": "서울특별시 종로구청장",
  "portrait": {"\$b64": "_9j_4AAQSkZJRgABAQEASABIAAD_2wBD"},
  "age_over_14": true, "age_over_19": true, "age_over_65": false}}
JSON
"$CL" mdoc issue --type kr.resident_card --claims resident-claims.json \
    --ds-key ca/ds.key.pem --ds-cert ca/ds.pem --device-pub holder.pub.pem \
    --out resident-card.cbor --json

step "mdoc 2. A bank's reader asks for the Korean name and age_over_19, nothing else"
"$CL" mdoc request --doctype "$NS" \
    --elements "$NS/family_name_ko,$NS/given_name_ko,$NS/age_over_19" --out bank-request.cbor
"$CL" mdoc dump bank-request.cbor
"$CL" mdoc transcript --out bank-session.cbor

step "mdoc 3. The phone answers with exactly those three elements, signed with its device key"
"$CL" mdoc present --credential resident-card.cbor --device-key holder.key.pem \
    --request bank-request.cbor --session-transcript bank-session.cbor \
    --out bank-response.cbor --json

step "mdoc 4. The bank verifies: issuer chain to the national IACA, digests, device signature"
"$CL" mdoc verify --response bank-response.cbor --trust ca/iaca.pem \
    --session-transcript bank-session.cbor --json

step "mdoc 5. A tampered copy (one byte of the disclosed given name changed) is rejected"
python3 - bank-response.cbor tampered-response.cbor <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find("길동".encode())
b[i + 2] ^= 0x01  # 길 -> another syllable; the signed digest no longer matches
open(sys.argv[2], "wb").write(b)
PY
if "$CL" mdoc verify --response tampered-response.cbor --trust ca/iaca.pem \
    --session-transcript bank-session.cbor --json; then
    echo "demo: a tampered response was accepted" >&2
    exit 1
fi
echo "(rejected as expected)"
