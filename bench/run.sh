#!/usr/bin/env bash
# run.sh BUILD_DIR OUT.json - run every benchmark of a release build and collect the figures.
# Peers measured in the same run: `openssl speed ecdsap256` (the physical bound of ES256).
set -euo pipefail
build=$1
out=$2
secs=${BENCH_SECONDS:-2}
rm -f "$out"
# openssl speed ecdsap256 now: sets $sign and $verify. Measured again right before each
# benchmark compared with it, so that a shared machine's drift between the two stays small.
openssl_speed() {
    local speed
    speed=$(openssl speed -seconds "$secs" ecdsap256 2>/dev/null | awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1), $NF}')
    sign=$(echo "$speed" | awk '{print $1}')
    verify=$(echo "$speed" | awk '{print $2}')
    echo "bench: openssl speed ecdsap256 (${secs}s per operation, one core): ${sign:-?} sign/s, ${verify:-?} verify/s"
}
openssl_speed
echo
"$build/bench/bench_core" --seconds "$secs" --json "$out" \
    ${sign:+--openssl-sign "$sign"} ${verify:+--openssl-verify "$verify"}
echo
"$build/bench/bench_catalog" --seconds "$secs" --json "$out" --data "$(dirname "$0")/../data/types"
echo
openssl_speed
"$build/bench/bench_mdoc" --seconds "$secs" --json "$out" ${verify:+--openssl-verify "$verify"}
echo
openssl_speed
"$build/bench/bench_sdjwt" --seconds "$secs" --json "$out" ${verify:+--openssl-verify "$verify"}
echo
"$build/bench/bench_status" --seconds "$secs" --json "$out"
echo
if [ -f "$(dirname "$0")/../tests/interop/node_modules/.package-lock.json" ]; then node "$(dirname "$0")/../tests/interop/bench_peers.mjs" --cardless "$build/cardless" --seconds "$secs" --json "$out" || echo "bench: npm peers failed"; else echo "bench: npm peers not measured (\`make test\` installs them)"; fi
"$build/bench/bench_population" --json "$out" --feed "$build/bench-population.jsonl" --keep
if [ -f "$(dirname "$0")/peer/node_modules/.package-lock.json" ]; then node "$(dirname "$0")/peer/rules_engine.mjs" --data "$build/bench-population.jsonl" --json "$out" || echo "bench: json-rules-engine peer failed"; else echo "bench: json-rules-engine peer not measured (\`npm ci\` in bench/peer installs it)"; fi
"$build/bench/bench_benefits" --json "$out" --rules "$(dirname "$0")/../data/benefits" --e2e-households "${BENCH_BENEFITS_E2E_HOUSEHOLDS:-500000}" --feed "$build/bench-benefits.jsonl"
echo "bench: figures written to $out"
