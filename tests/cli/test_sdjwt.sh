#!/usr/bin/env bash
# test_sdjwt.sh CARDLESS - `cardless sdjwt issue|present|verify` as the issue spells them: a
# credential type and raw claims, nested and array disclosures, KB-JWT, x5c trust, status
# lists, the published RFC 9901 / SD-JWT VC examples, and exit codes (0 ok, 1 invalid, 2 usage).
set -uo pipefail
cl=$1
src=${CL_SOURCE_DIR:?CL_SOURCE_DIR is the repository root}
vec=$src/tests/vectors
export CL_TYPES_DIR=$src/data/types
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
expect_shows_output=1

has() { grep -q -- "$1" "$work/out"; }
hasnt() { ! grep -q -- "$1" "$work/out"; }

cd "$work" || exit 2
"$cl" ca init --out ca --country KR --name "Test IACA" --ds-name "Test DS" --org Test >/dev/null
"$cl" ca init --out other --country KR --name "Other IACA" --ds-name "Other DS" --org X >/dev/null
"$cl" key new --out holder.key.pem >/dev/null
"$cl" key pub --in holder.key.pem --out holder.pub.pem
"$cl" key pub --in holder.key.pem --jwk --out holder.pub.jwk
"$cl" key new --out thief.key.pem >/dev/null
"$cl" key new --out issuer.key.pem >/dev/null
"$cl" key pub --in issuer.key.pem --jwk --out issuer.pub.jwk
cat >resident.json <<'JSON'
{"kr.go.mois.resident_card.1": {"family_name_ko": "홍", "given_name_ko": "길동",
 "birth_date": "1990-03-01", "resident_number_front": "900301", "resident_number_back": "1234567",
 "resident_address": "서울특별시 종로구 세종대로 209", "issue_date": "2026-01-02",
 "issuing_authority": "종로구청장", "portrait": {"$b64": "AAECAwQFBgc"}, "age_over_19": true}}
JSON
cat >user.json <<'JSON'
{"given_name": "John", "family_name": "Doe", "address": {"street_address": "123 Main St",
 "locality": "Anytown", "country": "US"}, "nationalities": ["US", "DE"]}
JSON

check "help" 0 -- "$cl" sdjwt --help
check "verb help" 0 -- "$cl" sdjwt verify --help
check "issue needs --type or --vct" 2 -- "$cl" sdjwt issue --claims user.json --iss https://i \
    --issuer-key issuer.key.pem --holder-pub holder.pub.pem --out c.txt

# a credential type, x5c to the IACA, and a status reference
check "issue --type" 0 -- "$cl" sdjwt issue --type kr.resident_card --claims resident.json \
    --iss https://mois.example --issuer-key ca/ds.key.pem --x5c ca/ds.pem \
    --holder-pub holder.pub.pem --status-uri https://status.example/1 --status-index 42 \
    --decoys 2 --out card.txt
expect "issued SD-JWT ends with ~" grep -q '~$' card.txt
check "present name and age" 0 -- "$cl" sdjwt present --credential card.txt \
    --holder-key holder.key.pem --disclose /given_name_ko,/age_equal_or_over/19 \
    --aud https://bank.example --nonce n-1 --out p1.txt
check "verify with --trust" 0 -- "$cl" sdjwt verify --presentation p1.txt --trust ca/iaca.pem \
    --aud https://bank.example --nonce n-1 --json
expect "valid and the vct" has '"vct": "https://credentials.gov.kr/resident_card/1"'
expect "name disclosed" has '"given_name_ko": "길동"'
expect "age disclosed" has '"19": true'
expect "birth date not disclosed" hasnt birth_date
expect "resident number not disclosed" hasnt resident_number
expect "no _sd in the output" hasnt '"_sd'
expect "status null without a list" has '"status": null'
check "verify with another IACA" 1 -- "$cl" sdjwt verify --presentation p1.txt \
    --trust other/iaca.pem --aud https://bank.example --nonce n-1 --json
expect "invalid names untrusted" has '"valid": false'
check "wrong nonce" 1 -- "$cl" sdjwt verify --presentation p1.txt --trust ca/iaca.pem \
    --aud https://bank.example --nonce n-2 --json
expect "error names the nonce" has 'kb_jwt.nonce'
check "wrong audience" 1 -- "$cl" sdjwt verify --presentation p1.txt --trust ca/iaca.pem \
    --aud https://evil.example --nonce n-1 --json
check "KB-JWT too old" 1 -- "$cl" sdjwt verify --presentation p1.txt --trust ca/iaca.pem \
    --aud https://bank.example --nonce n-1 --at 2099-01-01T00:00:00Z --json
check "kb needs aud and nonce" 2 -- "$cl" sdjwt verify --presentation p1.txt --trust ca/iaca.pem
check "issued form verifies with --no-kb" 0 -- "$cl" sdjwt verify --presentation card.txt \
    --trust ca/iaca.pem --no-kb --json
check "issued form without KB refused by default" 1 -- "$cl" sdjwt verify \
    --presentation card.txt --trust ca/iaca.pem --aud a --nonce n --json
expect "names the missing KB-JWT" has '"code": "missing"'
check "another key cannot present" 1 -- "$cl" sdjwt present --credential card.txt \
    --holder-key thief.key.pem --disclose /given_name_ko --aud a --nonce n --out p2.txt
check "unknown pointer" 2 -- "$cl" sdjwt present --credential card.txt \
    --holder-key holder.key.pem --disclose /nickname --aud a --nonce n --out p2.txt

# tampering: a disclosure dropped after the KB-JWT was made
sed 's/~[^~]*~\([^~]*\)$/~\1/' p1.txt >p3.txt
check "disclosure removed after KB" 1 -- "$cl" sdjwt verify --presentation p3.txt \
    --trust ca/iaca.pem --aud https://bank.example --nonce n-1 --json

# status list: VALID, then revoked
"$cl" status new --bits 2 --size 1000 --out list.json >/dev/null
"$cl" status sign --list list.json --key ca/ds.key.pem --uri https://status.example/1 \
    --format jwt --out list.jwt >/dev/null
check "status VALID" 0 -- "$cl" sdjwt verify --presentation p1.txt --trust ca/iaca.pem \
    --aud https://bank.example --nonce n-1 --status-list list.jwt --json
expect "prints VALID" has '"status": "VALID"'
"$cl" status set --list list.json --index 42 --value INVALID >/dev/null
"$cl" status sign --list list.json --key ca/ds.key.pem --uri https://status.example/1 \
    --format jwt --out list.jwt >/dev/null
check "status INVALID" 1 -- "$cl" sdjwt verify --presentation p1.txt --trust ca/iaca.pem \
    --aud https://bank.example --nonce n-1 --status-list list.jwt --json
expect "prints INVALID" has '"status": "INVALID"'
expect "names revocation" has '"code": "revoked"'

# raw claims with --vct, recursive and array disclosures, a JWK issuer key
check "issue --vct" 0 -- "$cl" sdjwt issue --vct urn:example:1 \
    --sd /given_name,/address,/address/locality,/nationalities/1 --claims user.json \
    --iss https://issuer.example --issuer-key issuer.key.pem --holder-pub holder.pub.jwk \
    --valid-days 30 --out raw.txt
check "present nested locality" 0 -- "$cl" sdjwt present --credential raw.txt \
    --holder-key holder.key.pem --disclose /address/locality --disclose /nationalities/1 \
    --aud a --nonce n --out p4.txt
check "verify raw" 0 -- "$cl" sdjwt verify --presentation p4.txt --issuer-key issuer.pub.jwk \
    --aud a --nonce n --json
expect "locality in address" has '"locality": "Anytown"'
expect "clear claims of address" has '"country": "US"'
expect "street in the clear inside address" has street_address
expect "given name not disclosed" hasnt given_name
expect "array element disclosed" has '"DE"'
# a JWK Set: the header kid picks the key; without a kid each key is tried
"$cl" key new --out other.key.pem >/dev/null
"$cl" key pub --in other.key.pem --jwk --out other.pub.jwk
jq -n --slurpfile a other.pub.jwk --slurpfile b issuer.pub.jwk \
    '{keys: [($a[0] + {kid: "k-other"}), {kty: "oct", k: "AA"}, ($b[0] + {kid: "k-issuer"})]}' >set.json
check "issue with a kid" 0 -- "$cl" sdjwt issue --vct urn:example:1 --sd /given_name \
    --claims user.json --iss https://issuer.example --issuer-key issuer.key.pem --kid k-issuer \
    --holder-pub holder.pub.pem --out kid.txt
check "JWK Set by kid" 0 -- "$cl" sdjwt verify --presentation kid.txt --issuer-key set.json \
    --no-kb --json
check "JWK Set without kid" 0 -- "$cl" sdjwt verify --presentation raw.txt --issuer-key set.json \
    --no-kb --json
jq '{keys: [.keys[0]]}' set.json >set1.json
check "JWK Set without the issuer's key" 1 -- "$cl" sdjwt verify --presentation kid.txt \
    --issuer-key set1.json --no-kb --json
check "never-SD claim refused" 1 -- "$cl" sdjwt issue --vct urn:example:1 --sd /cnf \
    --claims user.json --iss https://i --issuer-key issuer.key.pem --holder-pub holder.pub.pem \
    --out bad.txt
expect "names the claim" grep -q '/cnf' "$work/err"
check "--sd with --type keeps the always claims disclosable" 0 -- "$cl" sdjwt issue \
    --type kr.resident_card --sd /given_name_ko --claims resident.json --iss https://i \
    --issuer-key issuer.key.pem --holder-pub holder.pub.pem --out sd.txt
check "present nothing" 0 -- "$cl" sdjwt present --credential sd.txt --holder-key holder.key.pem \
    --disclose /age_equal_or_over/19 --aud a --nonce n --out p5.txt
check "verify minimal" 0 -- "$cl" sdjwt verify --presentation p5.txt --issuer-key issuer.pub.jwk \
    --aud a --nonce n --json
expect "resident number stays hidden" hasnt resident_number
expect "allowed claims left in the clear" has birth_date
check "type validation names every claim" 1 -- "$cl" sdjwt issue --type kr.resident_card \
    --claims user.json --iss https://i --issuer-key issuer.key.pem --holder-pub holder.pub.pem \
    --out bad.txt
expect "several problems" test "$(grep -c 'sdjwt issue' "$work/err")" -ge 2

# published examples (RFC 9901 §5 is a plain SD-JWT: --typ example+sd-jwt --no-vc)
check "RFC 9901 §5" 0 -- "$cl" sdjwt verify --presentation "$vec/rfc9901/sec5/sd_jwt_presentation.txt" \
    --issuer-key "$vec/rfc9901/example-issuer.pub.jwk.json" --typ example+sd-jwt --no-vc \
    --aud https://verifier.example.org --nonce 1234567890 --at 2025-05-29T16:47:33Z --json
check "RFC 9901 A.3" 0 -- "$cl" sdjwt verify \
    --presentation "$vec/rfc9901/a3-sd-jwt-vc-pid/sd_jwt_presentation.txt" \
    --issuer-key "$vec/rfc9901/example-issuer.pub.jwk.json" \
    --aud https://verifier.example.org --nonce 1234567890 --at 2025-05-29T16:47:33Z --json
expect "A.3 vct" has '"vct": "urn:eudi:pid:de:1"'
check "SD-JWT VC Figure 10" 0 -- "$cl" sdjwt verify \
    --presentation "$vec/sd-jwt-vc-draft/fig10-presentation-no-kb.txt" \
    --issuer-key "$vec/rfc9901/example-issuer.pub.jwk.json" --no-kb \
    --at 2023-11-14T22:13:20Z --json

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
