#!/usr/bin/env bash
# demo.sh CARDLESS WORKDIR - the end-to-end scenario of the README, step by step.
# Today: the Ministry of the Interior sets up its national trust anchor (IACA) and a document
# signer, a citizen's phone makes its holder key, and both are checked, by cardless and by the
# openssl tool as an independent peer. Each later feature extends this scenario.
set -euo pipefail
cl=$(realpath "$1")
here=$(dirname "$(realpath "$0")")
# credential types and benefit rules ship in the source tree
export CL_TYPES_DIR="${CL_TYPES_DIR:-$here/../data/types}"
export CL_RULES_DIR="${CL_RULES_DIR:-$here/../data/benefits}"
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"

step() { printf '\n== %s\n' "$*"; }

step "1. The Ministry of the Interior creates the national IACA root and a document signer"
"$cl" ca init --out ca --country KR --name "Republic of Korea IACA" \
    --ds-name "Ministry of the Interior and Safety DS" --org "Ministry of the Interior and Safety"
ls -l ca

step "2. Independent check: openssl accepts the chain and shows the ISO 18013-5 Annex B fields"
openssl verify -CAfile ca/iaca.pem ca/ds.pem
openssl x509 -in ca/ds.pem -noout -ext keyUsage,extendedKeyUsage,issuerAltName,crlDistributionPoints,subjectKeyIdentifier,authorityKeyIdentifier

step "3. cardless validates the document signer against the trusted root (now, and in 2040)"
"$cl" ca verify --trust ca/iaca.pem --cert ca/ds.pem
if "$cl" ca verify --trust ca/iaca.pem --cert ca/ds.pem --at 2040-01-01T00:00:00Z; then
    echo "demo: an expired certificate was accepted" >&2
    exit 1
fi
echo "(rejected as expected)"

step "4. A citizen's phone makes its holder (device) key; the wallet shares only the public half"
"$cl" key new --out holder.key.pem
"$cl" key pub --in holder.key.pem --jwk

# Each feature adds its part of the story as scripts/demo.d/NN-name.sh, run in order with
# CL (the program) and the working directory (with ca/ and holder.key.pem) in the environment.
for part in "$here"/demo.d/*.sh; do
    [ -e "$part" ] || continue
    CL="$cl" bash "$part"
done

printf '\ndemo: done (files in %s)\n' "$work"
