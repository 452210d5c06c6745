#!/usr/bin/env bash
# 40-sdjwt.sh - the same resident card as an SD-JWT VC (RFC 9901, draft-ietf-oauth-sd-jwt-vc):
# the Ministry issues it to the citizen's phone key, signed by its document signer with the
# x5c chain; the citizen presents only the Korean name and "age 19 or over" to a bank, bound to
# the bank's nonce; the bank verifies against the national IACA and sees nothing else. Then the
# Ministry revokes the card in its status list and the next verification says INVALID.
set -euo pipefail
cl=${CL:?CL is the cardless program}
ns=kr.go.mois.resident_card.1
step() { printf '\n== %s\n' "$*"; }
# credential types: $CL_TYPES_DIR, else the repository's data/types beside this script
export CL_TYPES_DIR=${CL_TYPES_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/data/types}

"$cl" key pub --in holder.key.pem --out holder.pub.pem
cat >sdjwt-claims.json <<JSON
{"$ns": {"family_name_ko": "홍", "given_name_ko": "길동", "family_name_en": "HONG",
 "given_name_en": "GILDONG", "birth_date": "1990-03-01", "resident_number_front": "900301",
 "resident_number_back": "1234567", "resident_address": "서울특별시 종로구 세종대로 209",
 "issue_date": "2026-01-02", "issuing_authority": "서울특별시 종로구청장",
 "portrait": {"\$b64": "AAECAwQFBgc"}, "age_over_14": true, "age_over_19": true,
 "age_over_65": false}}
JSON

step "S1. The Ministry issues the resident card as an SD-JWT VC, with a status list entry"
type_args=(--type kr.resident_card)
claims=sdjwt-claims.json
if [ ! -f "$CL_TYPES_DIR/kr.resident_card.json" ]; then
    # no credential catalog here: the same claims, flat, with an explicit vct and choices
    jq '.["'$ns'"] | del(.portrait) | .age_equal_or_over = {"19": .age_over_19}
        | del(.age_over_14, .age_over_19, .age_over_65)' sdjwt-claims.json >sdjwt-flat.json
    claims=sdjwt-flat.json
    type_args=(--vct https://credentials.gov.kr/resident_card/1 --sd "$(jq -r \
        'keys - ["age_equal_or_over"] | map("/" + .) + ["/age_equal_or_over/19"] | join(",")' \
        sdjwt-flat.json)")
fi
"$cl" status new --bits 2 --size 100000 --out sdjwt-status.json --force
"$cl" sdjwt issue "${type_args[@]}" --claims "$claims" --iss https://www.mois.go.kr \
    --issuer-key ca/ds.key.pem --x5c ca/ds.pem --holder-pub holder.pub.pem \
    --status-uri https://status.mois.go.kr/sdjwt/1 --status-index 4242 --decoys 2 \
    --out resident-card.sdjwt.txt
echo "issuer-signed JWT + $(($(tr -cd '~' <resident-card.sdjwt.txt | wc -c) - 1)) disclosures; the JWT alone shows no personal data:"
cut -d. -f2 resident-card.sdjwt.txt | tr '_-' '/+' | base64 -d 2>/dev/null | jq -c '{iss, vct, status, _sd_count: (._sd | length)}' || true

step "S2. A bank asks for the name and 'age 19 or over' with its nonce; the phone discloses only those"
"$cl" sdjwt present --credential resident-card.sdjwt.txt --holder-key holder.key.pem \
    --disclose /family_name_ko,/given_name_ko,/age_equal_or_over/19 \
    --aud https://bank.example.kr --nonce 7f3a9c1e2b --out bank-presentation.txt

step "S3. The bank verifies against the national IACA (x5c chain), the KB-JWT, its nonce and the status list"
"$cl" status sign --list sdjwt-status.json --key ca/ds.key.pem --uri https://status.mois.go.kr/sdjwt/1 \
    --format jwt --out sdjwt-status.jwt
"$cl" sdjwt verify --presentation bank-presentation.txt --trust ca/iaca.pem \
    --aud https://bank.example.kr --nonce 7f3a9c1e2b --status-list sdjwt-status.jwt --json \
    >bank-result.json
jq '{valid, status, vct, claims: (.claims | {family_name_ko, given_name_ko, age_equal_or_over})}' bank-result.json
leaked=$(jq -r '.claims | keys - ["family_name_ko","given_name_ko","age_equal_or_over","iss","iat","exp","vct","cnf","status"] | join(",")' bank-result.json)
if [ -n "$leaked" ]; then
    echo "demo: the bank learned more than it asked for: $leaked" >&2
    exit 1
fi
echo "the bank learned nothing else (no birth date, no resident number, no address)"

step "S4. A replay of the same presentation to another bank is refused"
if "$cl" sdjwt verify --presentation bank-presentation.txt --trust ca/iaca.pem \
    --aud https://other-bank.example.kr --nonce 11111 --json >replay.json 2>/dev/null; then
    echo "demo: a replayed presentation was accepted" >&2
    exit 1
fi
jq -c '{valid, errors}' replay.json

step "S5. The Ministry revokes the card; the bank's next check says INVALID"
"$cl" status set --list sdjwt-status.json --index 4242 --value INVALID
"$cl" status sign --list sdjwt-status.json --key ca/ds.key.pem --uri https://status.mois.go.kr/sdjwt/1 \
    --format jwt --out sdjwt-status.jwt
if "$cl" sdjwt verify --presentation bank-presentation.txt --trust ca/iaca.pem \
    --aud https://bank.example.kr --nonce 7f3a9c1e2b --status-list sdjwt-status.jwt --json \
    >revoked.json 2>/dev/null; then
    echo "demo: a revoked card was accepted" >&2
    exit 1
fi
jq -c '{valid, status, errors}' revoked.json
