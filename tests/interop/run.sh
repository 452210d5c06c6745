#!/usr/bin/env bash
# run.sh SUITE CARDLESS - run the interoperability suite tests/interop/SUITE.mjs (mdoc, sdjwt,
# status) against a built cardless, with the npm peers pinned by package-lock.json. Prints
# "N passed, M failed" and exits non-zero on any failure; fails (never passes silently) when
# node or the installed peers are missing.
set -uo pipefail
suite=$1
cl=$2
here=$(cd "$(dirname "$0")" && pwd)

missing() {
    echo "interop_$suite: $1"
    echo "interop_$suite: run \`make test\`: it installs node and npm when missing and runs \`npm ci\` in tests/interop"
    echo "0 passed, 1 failed"
    exit 1
}
command -v node >/dev/null || missing "node is not installed"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || missing "node $(node --version) is too old: the peers need node >= 20"
[ -f "$here/node_modules/.package-lock.json" ] || missing "the npm peers are not installed ($here/node_modules is missing)"
[ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ] &&
    missing "tests/interop/package-lock.json is newer than node_modules: the installed peers are stale"
[ -x "$cl" ] || missing "no cardless program at $cl"

# every suite ends by itself: child processes have their own timeouts, this bounds the rest
exec timeout 170 node "$here/$suite.mjs" "$cl"
