#!/usr/bin/env bash
# 50-revocation.sh - revocation and suspension with a Token Status List
# (draft-ietf-oauth-status-list): the Ministry keeps one status list for its mobile resident
# cards, gives the citizen's card a random unused index (so indices do not link holders),
# publishes the list as a CWT signed by its document signer, and a verifier checks the
# card's status reference from the MSO against it in the same step as the signatures
# (`mdoc verify --status-list`). The card is suspended (lost phone),
# reinstated, then revoked; the verifier sees each change with the reason. A list signed by
# someone else, or published for another URI, is refused.
set -euo pipefail
cl=${CL:?CL is the cardless program}
ns=kr.go.mois.resident_card.1
uri=https://status.mois.go.kr/mdoc/1
step() { printf '\n== %s\n' "$*"; }
# credential types: $CL_TYPES_DIR, else the repository's data/types beside this script
export CL_TYPES_DIR=${CL_TYPES_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/data/types}
[ -f holder.pub.pem ] || "$cl" key pub --in holder.key.pem --out holder.pub.pem

step "R1. The Ministry creates the status list for mobile resident cards (2 bits, 100,000 entries)"
"$cl" status new --bits 2 --size 100000 --out mdoc-status.json --force
idx=$("$cl" status alloc --list mdoc-status.json)
echo "the citizen's card gets index $idx, drawn uniformly among the unused ones"

step "R2. It issues the resident card (mdoc) with the status reference in the MSO"
cat >revocation-claims.json <<JSON
{"$ns": {"family_name_ko": "홍", "given_name_ko": "길동", "family_name_en": "HONG",
 "given_name_en": "GILDONG", "birth_date": "1990-03-01", "resident_number_front": "900301",
 "resident_number_back": "1234567", "resident_address": "서울특별시 종로구 세종대로 209",
 "issue_date": "2026-01-02", "issuing_authority": "서울특별시 종로구청장",
 "portrait": {"\$b64": "AAECAwQFBgc"}, "age_over_14": true, "age_over_19": true,
 "age_over_65": false}}
JSON
"$cl" mdoc issue --type kr.resident_card --claims revocation-claims.json --ds-key ca/ds.key.pem \
    --ds-cert ca/ds.pem --device-pub holder.pub.pem --status-uri "$uri" --status-index "$idx" \
    --out revocable-card.cbor

# publish: sign the list as a CWT with the DS certificate in x5chain, refetch within an hour
publish() {
    "$cl" status sign --list mdoc-status.json --key ca/ds.key.pem --x5c ca/ds.pem --uri "$uri" \
        --ttl 3600 --format cwt --out mdoc-status.cwt
}
# check: the verifier verifies a presentation and, in the same step, the card's MSO status
# reference {idx, uri} against the published list (`mdoc verify --status-list`)
check() {
    "$cl" mdoc transcript --out revocation-st.cbor >/dev/null
    "$cl" mdoc present --credential revocable-card.cbor --device-key holder.key.pem \
        --disclose "$ns/age_over_19" --session-transcript revocation-st.cbor \
        --out revocation-response.cbor >/dev/null
    local rc=0
    "$cl" mdoc verify --response revocation-response.cbor --trust ca/iaca.pem \
        --session-transcript revocation-st.cbor --status-list mdoc-status.cwt \
        --json >revocation-verify.json 2>/dev/null || rc=$?
    local ref_uri ref_idx name
    ref_uri=$(jq -r '.documents[0].status.uri' revocation-verify.json)
    ref_idx=$(jq -r '.documents[0].status.idx' revocation-verify.json)
    name=$(jq -r '.documents[0].status.name // "not checked"' revocation-verify.json)
    echo "verifier: MSO status_list {idx: $ref_idx, uri: $ref_uri} -> entry $name"
    if [ "$rc" -eq 0 ]; then
        echo "verifier: ACCEPT (signatures, device key and status entry $ref_idx all good)"
    else
        echo "verifier: REFUSE (exit $rc): $(jq -r '.errors[0].message' revocation-verify.json)"
    fi
    echo "$name" >revocation-last.txt
}
expect() {
    if [ "$(cat revocation-last.txt)" != "$1" ]; then
        echo "demo: expected status $1, got $(cat revocation-last.txt)" >&2
        exit 1
    fi
}

step "R3. The Ministry publishes the list (CWT, x5chain = its DS); a bank checks the card"
publish
"$cl" status show --list mdoc-status.json
check
expect VALID

step "R4. The citizen reports the phone lost: the Ministry suspends the card and republishes"
"$cl" status set --list mdoc-status.json --index "$idx" --value SUSPENDED
publish
check
expect SUSPENDED

step "R5. The phone is found: the card is reinstated"
"$cl" status set --list mdoc-status.json --index "$idx" --value VALID
publish
check
expect VALID

step "R6. The card is cancelled for good: the Ministry revokes it; the next check says INVALID"
"$cl" status set --list mdoc-status.json --index "$idx" --value INVALID
publish
check
expect INVALID
echo "INVALID is irreversible (draft §7.1):"
if "$cl" status set --list mdoc-status.json --index "$idx" --value VALID; then
    echo "demo: a revoked entry was reinstated" >&2
    exit 1
fi
echo "(refused as expected)"

step "R7. A status list signed by someone else, or published for another URI, is refused"
"$cl" key new --out forger.key.pem >/dev/null
"$cl" status set --list mdoc-status.json --index "$idx" --value VALID --force >/dev/null
"$cl" status sign --list mdoc-status.json --key forger.key.pem --x5c ca/ds.pem --uri "$uri" \
    --format cwt --out forged-status.cwt >/dev/null
if "$cl" mdoc verify --response revocation-response.cbor --trust ca/iaca.pem \
    --session-transcript revocation-st.cbor --status-list forged-status.cwt >/dev/null \
    2>revocation-forged.err; then
    echo "demo: a forged status list was accepted" >&2
    exit 1
fi
sed 's/^/  verifier | /' revocation-forged.err
if "$cl" status get --token mdoc-status.cwt --trust ca/iaca.pem \
    --uri https://status.mois.go.kr/mdoc/2 --index "$idx"; then
    echo "demo: a status list for another URI was accepted" >&2
    exit 1
fi
echo "(both refused as expected)"
