#!/usr/bin/env bash
# test_key_ca.sh CARDLESS - the `key` and `ca` commands as a user calls them: outputs, file
# modes, exit codes (0 ok, 1 invalid, 2 usage/I-O), and openssl as an independent peer.
set -uo pipefail
cl=$1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

check "help" 0 -- "$cl" --help
check "noun help" 0 -- "$cl" key --help
check "verb help" 0 -- "$cl" ca init --help
check "no args" 2 -- "$cl"
check "unknown noun" 2 -- "$cl" nosuch
check "unknown verb" 2 -- "$cl" key nosuch
check "unknown option" 2 -- "$cl" key new --out "$work/k.pem" --bogus
check "missing required" 2 -- "$cl" key new
check "option without value" 2 -- "$cl" key new --out

check "key new" 0 -- "$cl" key new --out "$work/holder.pem" --json
expect "key new json names the file" grep -q '"thumbprint"' "$work/out"
expect "private key mode 0600" test "$(stat -c %a "$work/holder.pem")" = 600
expect "PKCS#8 PEM" grep -q 'BEGIN PRIVATE KEY' "$work/holder.pem"
check "openssl reads our key" 0 -- openssl pkey -in "$work/holder.pem" -noout -check
check "key pub pem" 0 -- "$cl" key pub --in "$work/holder.pem" --out "$work/holder.pub.pem"
check "openssl reads our public key" 0 -- openssl pkey -pubin -in "$work/holder.pub.pem" -noout
check "key pub jwk" 0 -- "$cl" key pub --in "$work/holder.pem" --jwk
expect "jwk has kty EC" grep -q '"kty":"EC"' "$work/out"
expect "public jwk has no d" bash -c "! grep -q '\"d\"' '$work/out'"
cp "$work/out" "$work/holder.jwk"
check "key pub from jwk" 0 -- "$cl" key pub --in "$work/holder.jwk" --out "$work/fromjwk.pem"
check "same key through jwk" 0 -- cmp "$work/fromjwk.pem" "$work/holder.pub.pem"
openssl genpkey -algorithm ed25519 -out "$work/ed.pem" 2>/dev/null
check "non-EC key refused" 1 -- "$cl" key pub --in "$work/ed.pem"
expect "refusal names the file" grep -q "ed.pem" "$work/err"
printf 'garbage' >"$work/bad.pem"
check "garbage refused" 1 -- "$cl" key pub --in "$work/bad.pem"
check "missing file" 2 -- "$cl" key pub --in "$work/nonexistent.pem"
check "openssl key accepted" 0 -- bash -c "openssl ecparam -name prime256v1 -genkey -noout -out '$work/sec1.pem' && '$cl' key pub --in '$work/sec1.pem'"

check "ca init" 0 -- "$cl" ca init --out "$work/ca" --country KR --name "Test IACA" --json
for f in iaca.pem iaca.key.pem ds.pem ds.key.pem; do
    expect "ca init wrote $f" test -s "$work/ca/$f"
done
expect "iaca key mode 0600" test "$(stat -c %a "$work/ca/iaca.key.pem")" = 600
expect "ds key mode 0600" test "$(stat -c %a "$work/ca/ds.key.pem")" = 600
check "openssl verify accepts the chain" 0 -- openssl verify -CAfile "$work/ca/iaca.pem" "$work/ca/ds.pem"
openssl x509 -in "$work/ca/ds.pem" -noout -text >"$work/ds.txt"
openssl x509 -in "$work/ca/iaca.pem" -noout -text >"$work/iaca.txt"
expect "DS EKU 1.0.18013.5.1.2" grep -q '1.0.18013.5.1.2' "$work/ds.txt"
expect "DS key usage digitalSignature" grep -q 'Digital Signature' "$work/ds.txt"
expect "DS issuer alt name" grep -q 'Issuer Alternative Name' "$work/ds.txt"
expect "DS CRL distribution point" grep -q 'CRL Distribution Points' "$work/ds.txt"
expect "IACA CA:TRUE pathlen 0" grep -q 'CA:TRUE, pathlen:0' "$work/iaca.txt"
expect "IACA keyCertSign cRLSign" grep -q 'Certificate Sign, CRL Sign' "$work/iaca.txt"
expect "IACA country KR" grep -q 'C = KR' "$work/iaca.txt"
check "bad country" 2 -- "$cl" ca init --out "$work/ca2" --country kr --name X
check "ds too long" 2 -- "$cl" ca init --out "$work/ca2" --country KR --name X --ds-days 500

check "ca verify" 0 -- "$cl" ca verify --trust "$work/ca/iaca.pem" --cert "$work/ca/ds.pem" --json
expect "verify json valid" grep -q '"valid": true' "$work/out"
check "ca verify expired" 1 -- "$cl" ca verify --trust "$work/ca/iaca.pem" --cert "$work/ca/ds.pem" --at 2099-01-01T00:00:00Z --json
expect "expired json invalid" grep -q '"valid": false' "$work/out"
check "ca init second" 0 -- "$cl" ca init --out "$work/other" --country KR --name "Other IACA"
check "ca verify wrong anchor" 1 -- "$cl" ca verify --trust "$work/other/iaca.pem" --cert "$work/ca/ds.pem"
check "IACA as its own DS refused" 1 -- "$cl" ca verify --trust "$work/ca/iaca.pem" --cert "$work/ca/iaca.pem"
check "ca verify bad time" 2 -- "$cl" ca verify --trust "$work/ca/iaca.pem" --cert "$work/ca/ds.pem" --at yesterday
check "ca show" 0 -- "$cl" ca show --in "$work/ca/ds.pem" --json
expect "show names the subject" grep -q 'Test IACA DS' "$work/out"

echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
