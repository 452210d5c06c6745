#!/usr/bin/env bash
# fuzz.sh BUILD_DIR SECONDS - run every libFuzzer harness for SECONDS each. New inputs go to
# BUILD_DIR/corpus/<harness> (the committed seeds in fuzz/corpus/<harness> are read only);
# a crash leaves its input in BUILD_DIR/artifacts/ and fails the run.
set -uo pipefail
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/artifacts"
failed=()
for h in "$build"/fuzz/fuzz_*; do
    [ -x "$h" ] || continue
    name=$(basename "$h")
    mkdir -p "$build/corpus/$name"
    echo "== $name: ${seconds}s"
    if ! "$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$name-" \
        "$build/corpus/$name" "$root/fuzz/corpus/$name" 2>"$build/$name.log"; then
        failed+=("$name")
        tail -n 40 "$build/$name.log"
    else
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+.*DONE)' \
            "$build/$name.log" | tr '\n' ' '
        echo
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzz: findings in ${failed[*]} (inputs in $build/artifacts/)"
    exit 1
fi
echo "fuzz: every harness ran ${seconds}s with no finding"
