#!/usr/bin/env bash
# test_mdoc.sh CARDLESS - `cardless mdoc issue|present|verify|request|dump|transcript` as a user
# calls them: the resident card flow, MAC mode, the Annex D vectors, bad claims named one by
# one, a tampered element, exit codes (0 valid, 1 invalid, 2 usage/I-O).
set -uo pipefail
cl=$1
src=$(realpath "${CL_SOURCE_DIR:-$(dirname "$0")/../..}")
cl=$(realpath "$cl")
D=$src/tests/vectors/iso18013-5-annex-d
export CL_TYPES_DIR=$src/data/types
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
expect_shows_output=1
NS=kr.go.mois.resident_card.1

has() { grep -q -- "$1" "$work/$2"; }

cd "$work" || exit 2
check "help" 0 -- "$cl" mdoc --help
check "ca" 0 -- "$cl" ca init --out ca --country KR --name "Test IACA"
check "holder key" 0 -- "$cl" key new --out holder.key.pem
check "holder pub" 0 -- "$cl" key pub --in holder.key.pem --out holder.pub.pem
check "reader key" 0 -- "$cl" key new --out reader.key.pem
check "reader pub" 0 -- "$cl" key pub --in reader.key.pem --out reader.pub.pem
cat >claims.json <<JSON
{"$NS": {"family_name_ko": "홍", "given_name_ko": "길동", "family_name_en": "HONG",
 "given_name_en": "GILDONG", "birth_date": "1990-03-01", "resident_number_front": "900301",
 "resident_number_back": "1234567", "resident_address": "서울특별시 종로구 세종대로 209",
 "issue_date": "2025-01-02", "issuing_authority": "서울특별시 종로구청장",
 "portrait": {"\$b64": "_9j_4A"}, "age_over_14": true, "age_over_19": true, "age_over_65": false}}
JSON

check "issue" 0 -- "$cl" mdoc issue --type kr.resident_card --claims claims.json \
    --ds-key ca/ds.key.pem --ds-cert ca/ds.pem --device-pub holder.pub.pem --out cred.cbor \
    --status-uri https://status.example/kr/1 --status-index 7 --json
expect "issue json" has '"elements": 14' out
check "transcript" 0 -- "$cl" mdoc transcript --out st.cbor --nonce n1
check "transcript bytes" 0 -- "$cl" mdoc transcript --out stb.cbor --nonce n1 --bytes
check "present disclose" 0 -- "$cl" mdoc present --credential cred.cbor --device-key holder.key.pem \
    --disclose "$NS/family_name_ko,$NS/given_name_ko,$NS/age_over_19" --session-transcript st.cbor \
    --out resp.cbor
check "verify" 0 -- "$cl" mdoc verify --response resp.cbor --trust ca/iaca.pem \
    --session-transcript st.cbor --json
expect "verify valid" has '"valid": true' out
expect "verify discloses age_over_19" has '"age_over_19": true' out
expect "verify discloses only what was asked" bash -c "! grep -q birth_date $work/out"
expect "verify status reference" has '"uri": "https://status.example/kr/1"' out
expect "verify status idx" has '"idx": 7' out
check "verify with tag-24 transcript" 0 -- "$cl" mdoc verify --response resp.cbor \
    --trust ca/iaca.pem --session-transcript stb.cbor --json
check "verify, another transcript" 1 -- "$cl" mdoc verify --response resp.cbor \
    --trust ca/iaca.pem --session-transcript <("$cl" mdoc transcript --out - --nonce n2) --json
expect "another transcript: device signature" has 'deviceSignature' out
check "verify, untrusted root" 1 -- "$cl" mdoc verify --response resp.cbor \
    --trust "$D/iaca-cert.pem" --session-transcript st.cbor --json
check "verify, expired" 1 -- "$cl" mdoc verify --response resp.cbor --trust ca/iaca.pem \
    --session-transcript st.cbor --at 2040-01-01T00:00:00Z --json

# status: the MSO's status_list {idx 7, uri} checked against Status List Tokens (issue #4)
S1=https://status.example/kr/1
check "status new" 0 -- "$cl" status new --bits 2 --size 1000 --out list.json
check "ds pub" 0 -- "$cl" key pub --in ca/ds.key.pem --out ds.pub.pem
sign() { # sign OUT FORMAT [options]: the list signed by the DS with x5c/x5chain
    local out=$1 fmt=$2
    shift 2
    "$cl" status sign --list list.json --key ca/ds.key.pem --x5c ca/ds.pem --uri "$S1" \
        --format "$fmt" --out "$out" "$@" >/dev/null
}
verify_st() { # verify_st WANT NAME [options]: verify resp.cbor with status options
    local want=$1 name=$2
    shift 2
    check "$name" "$want" -- "$cl" mdoc verify --response resp.cbor --trust ca/iaca.pem \
        --session-transcript st.cbor --json "$@"
}
sign valid.jwt jwt
sign valid.cwt cwt
verify_st 0 "status VALID (jwt, x5c to --trust)" --status-list valid.jwt
expect "VALID: checked" has '"checked": true' out
expect "VALID: name" has '"name": "VALID"' out
expect "VALID: value" has '"value": 0' out
expect "VALID: claims returned" has '"age_over_19": true' out
verify_st 0 "status VALID (cwt, --status-key)" --status-list valid.cwt --status-key ds.pub.pem
expect "VALID cwt: name" has '"name": "VALID"' out
verify_st 0 "no --status-list: not checked" 
expect "no list: checked false" has '"checked": false' out
expect "no list: says not checked" has 'status not checked' err
check "status suspend" 0 -- "$cl" status set --list list.json --index 7 --value SUSPENDED
sign suspended.cwt cwt
verify_st 1 "status SUSPENDED" --status-list suspended.cwt
expect "SUSPENDED: valid false" has '"valid": false' out
expect "SUSPENDED: name" has '"name": "SUSPENDED"' out
expect "SUSPENDED: code revoked" has '"code": "revoked"' out
expect "SUSPENDED: error names the document" has "documents\[0\].status: $NS is SUSPENDED" out
expect "SUSPENDED: no claims returned" bash -c "! grep -q age_over_19 $work/out"
check "status SUSPENDED, text" 1 -- "$cl" mdoc verify --response resp.cbor --trust ca/iaca.pem \
    --session-transcript st.cbor --status-list suspended.cwt
expect "SUSPENDED text: reason on stderr" has "is SUSPENDED in the status list $S1 (index 7)" err
check "status revoke" 0 -- "$cl" status set --list list.json --index 7 --value INVALID
sign invalid.jwt jwt
verify_st 1 "status INVALID" --status-list invalid.jwt
expect "INVALID: name" has '"name": "INVALID"' out
expect "INVALID: reason" has "$NS is INVALID in the status list" out
check "status app-specific" 0 -- "$cl" status set --list list.json --index 7 --value 3 --force
sign app.jwt jwt
verify_st 1 "status APPLICATION_SPECIFIC: not VALID, refused as sdjwt verify does" \
    --status-list app.jwt --status-key ds.pub.pem
expect "APPLICATION_SPECIFIC: name" has '"name": "APPLICATION_SPECIFIC"' out
expect "APPLICATION_SPECIFIC: value" has '"value": 3' out
# the lists below hold a VALID entry 7 again (status set refuses INVALID -> VALID without --force)
check "status reinstate" 0 -- "$cl" status set --list list.json --index 7 --value VALID --force
check "forger key" 0 -- "$cl" key new --out forger.key.pem
check "forged list" 0 -- "$cl" status sign --list list.json --key forger.key.pem --x5c ca/ds.pem \
    --uri "$S1" --format jwt --out forged.jwt
verify_st 1 "status list, wrong key (x5c)" --status-list forged.jwt
expect "wrong key: does not verify" has "the status list forged.jwt does not verify" out
expect "wrong key: not checked" has '"checked": false' out
sign valid2.cwt cwt
verify_st 1 "status list, wrong --status-key" --status-list valid2.cwt --status-key reader.pub.pem
expect "wrong status key: signature" has '"code": "signature"' out
check "list for another uri" 0 -- "$cl" status sign --list list.json --key ca/ds.key.pem \
    --x5c ca/ds.pem --uri https://status.example/kr/2 --format cwt --out other.cwt
verify_st 0 "status list, wrong uri: not checked" --status-list other.cwt
expect "wrong uri: checked false" has '"checked": false' out
expect "wrong uri: says not checked" has 'status not checked' err
expect "wrong uri: names the unused list" has 'other.cwt: no document refers to its uri' err
verify_st 0 "two lists, one per uri" --status-list other.cwt --status-list valid2.cwt
expect "two lists: the right one checked" has '"name": "VALID"' out
verify_st 1 "status list expired" --status-list valid2.cwt \
    --at "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)"
expect "expired: code" has '"code": "expired"' out
expect "expired: names exp" has 'exp' out
verify_st 0 "status list expired an hour ago, within --leeway 7200" --status-list valid2.cwt \
    --leeway 7200 --at "$(date -u -d '+1 day +1 hour' +%Y-%m-%dT%H:%M:%SZ)"
expect "leeway: checked" has '"checked": true' out
verify_st 1 "status list expired an hour ago, --leeway 600" --status-list valid2.cwt \
    --leeway 600 --at "$(date -u -d '+1 day +1 hour' +%Y-%m-%dT%H:%M:%SZ)"
verify_st 2 "--leeway over a day" --status-list valid2.cwt --leeway 86401
check "stale list (ttl)" 0 -- "$cl" status sign --list list.json --key ca/ds.key.pem \
    --x5c ca/ds.pem --uri "$S1" --format jwt --ttl 60 --out ttl.jwt
verify_st 1 "status list past its ttl" --status-list ttl.jwt \
    --at "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
verify_st 2 "--status-key without --status-list" --status-key ds.pub.pem
verify_st 2 "missing status list file" --status-list no-such.jwt
verify_st 2 "two lists for one uri" --status-list valid.jwt --status-list valid2.cwt
printf 'not a token' >garbage.jwt
verify_st 1 "status list not a token" --status-list garbage.jwt

# a tampered disclosed element: its digest no longer matches the MSO
python3 - "$work/resp.cbor" "$work/tampered.cbor" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find("홍".encode())
b[i + 2] ^= 1
open(sys.argv[2], "wb").write(b)
PY
check "verify tampered" 1 -- "$cl" mdoc verify --response tampered.cbor --trust ca/iaca.pem \
    --session-transcript st.cbor --json
expect "tampered: digest error naming the element" has "family_name_ko" out
expect "tampered: digest code" has '"code": "digest"' out

# request -> present -> verify, with an element the holder does not hold
check "request" 0 -- "$cl" mdoc request --doctype "$NS" \
    --elements "$NS/family_name_ko,$NS/age_over_19,$NS/no_such_element" --out req.cbor
check "present request" 0 -- "$cl" mdoc present --credential cred.cbor \
    --device-key holder.key.pem --request req.cbor --session-transcript st.cbor --out resp2.cbor
check "dump response" 0 -- "$cl" mdoc dump resp2.cbor
expect "dump: errors for the element not held" has '"no_such_element": 0' out
expect "dump: tag 24 expanded" has 'elementIdentifier' out
expect "dump: MSO in the issuerAuth payload expanded" has 'valueDigests' out
check "verify request response" 0 -- "$cl" mdoc verify --response resp2.cbor --trust ca/iaca.pem \
    --session-transcript st.cbor --json

# device MAC
check "present mac" 0 -- "$cl" mdoc present --credential cred.cbor --device-key holder.key.pem \
    --disclose "$NS/age_over_19" --session-transcript st.cbor --reader-pub reader.pub.pem \
    --out resp-mac.cbor
check "verify mac" 0 -- "$cl" mdoc verify --response resp-mac.cbor --trust ca/iaca.pem \
    --session-transcript st.cbor --reader-key reader.key.pem --json
check "verify mac without reader key" 1 -- "$cl" mdoc verify --response resp-mac.cbor \
    --trust ca/iaca.pem --session-transcript st.cbor --json
check "present with a wrong device key" 2 -- "$cl" mdoc present --credential cred.cbor \
    --device-key reader.key.pem --disclose "$NS/age_over_19" --session-transcript st.cbor \
    --out x.cbor

# bad claims: every offending claim is named
cat >bad.json <<JSON
{"$NS": {"family_name_ko": 7, "birth_date": "1990-02-30", "nickname": "x",
 "given_name_ko": "길동"}}
JSON
check "issue bad claims" 1 -- "$cl" mdoc issue --type kr.resident_card --claims bad.json \
    --ds-key ca/ds.key.pem --ds-cert ca/ds.pem --device-pub holder.pub.pem --out bad.cbor
expect "bad: family_name_ko named" has family_name_ko err
expect "bad: birth_date named" has birth_date err
expect "bad: nickname named" has nickname err
expect "bad: missing portrait named" has portrait err
check "issue unknown type" 2 -- "$cl" mdoc issue --type no.such --claims claims.json \
    --ds-key ca/ds.key.pem --ds-cert ca/ds.pem --device-pub holder.pub.pem --out x.cbor
check "present both request and disclose" 2 -- "$cl" mdoc present --credential cred.cbor \
    --device-key holder.key.pem --request req.cbor --disclose "$NS/x" --session-transcript st.cbor \
    --out x.cbor

# ISO/IEC 18013-5 Annex D: valid inside its certificates' validity, expired now
check "annex d 2021" 0 -- "$cl" mdoc verify --response "$D/device-response.cbor" \
    --trust "$D/iaca-cert.pem" --session-transcript "$D/session-transcript-bytes.cbor" \
    --reader-key "$D/ereader-key.pem" --at 2021-01-01T00:00:00Z --json
expect "annex d family_name" has '"family_name": "Doe"' out
expect "annex d full-date" has '"issue_date": "2019-10-20"' out
check "annex d now" 1 -- "$cl" mdoc verify --response "$D/device-response.cbor" \
    --trust "$D/iaca-cert.pem" --session-transcript "$D/session-transcript-bytes.cbor" \
    --reader-key "$D/ereader-key.pem" --json
expect "annex d now: expired" has '"code": "expired"' out
check "annex d dump request" 0 -- "$cl" mdoc dump "$D/device-request.cbor"
check "dump not cbor" 1 -- "$cl" mdoc dump claims.json

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
