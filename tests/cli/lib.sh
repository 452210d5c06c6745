# shellcheck shell=bash
# lib.sh - what every tests/cli/test_*.sh shares; each sources it with
# . "$(dirname "$0")/lib.sh" once its own variables are set: a scratch directory $work removed
# on exit, the counters pass and fails, and check/expect. A script ends with
# echo "$pass passed, $fails failed" and [ "$fails" -eq 0 ].
# check_timeout=SECONDS runs each checked command under timeout(1); expect_shows_output=1 makes
# a failed expect print $work/out and $work/err as a failed check does.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
pass=0
check_timeout=
expect_shows_output=

check() { # check NAME WANT_EXIT -- command...
    local name=$1 want=$2
    shift 3
    if [ -n "$check_timeout" ]; then
        timeout "$check_timeout" "$@" >"$work/out" 2>"$work/err"
    else
        "$@" >"$work/out" 2>"$work/err"
    fi
    local got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $name: exit $got, want $want"
        sed 's/^/  | /' "$work/out" "$work/err"
        fails=$((fails + 1))
    else
        pass=$((pass + 1))
    fi
}
expect() { # expect NAME CONDITION...
    local name=$1
    shift
    if "$@"; then pass=$((pass + 1)); else
        echo "FAIL $name"
        [ -n "$expect_shows_output" ] && sed 's/^/  | /' "$work/out" "$work/err"
        fails=$((fails + 1))
    fi
}
