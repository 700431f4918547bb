#!/usr/bin/env bash
# Runs every test function of every Qt Test binary on its own, one process per function, so a
# function that only passes after another one has left state behind (a rule, a lockout, a
# member) fails here even when the whole binary passes in order.
#   scripts/test-each-function.sh [BUILD_DIR] [-j JOBS] [-R REGEX]
# BUILD_DIR defaults to build; -R keeps the binaries whose name matches REGEX. Prints each
# failure with its output, the count, and how long the run took.
set -euo pipefail
build=build
jobs=$(nproc)
filter='.'
while [ $# -gt 0 ]; do
    case "$1" in
        -j) jobs=$2; shift 2 ;;
        -R) filter=$2; shift 2 ;;
        *) build=$1; shift ;;
    esac
done
bin="$build/bin"
[ -d "$bin" ] || { echo "test-each-function: no $bin (build first)" >&2; exit 2; }

export QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES='*.debug=false'
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

list="$logs/functions"
: >"$list"
for test in "$bin"/tst_*; do
    [ -x "$test" ] || continue
    name=$(basename "$test")
    [[ $name =~ $filter ]] || continue
    functions=$("$test" -functions 2>/dev/null) || { echo "test-each-function: $name -functions failed" >&2; exit 2; }
    [ -n "$functions" ] || { echo "test-each-function: $name lists no functions" >&2; exit 2; }
    while IFS= read -r function; do
        function=${function%%(*}
        [ -n "$function" ] && printf '%s %s\n' "$test" "$function" >>"$list"
    done <<<"$functions"
done
total=$(wc -l <"$list")
[ "$total" -gt 0 ] || { echo "test-each-function: no test functions found under $bin" >&2; exit 2; }

# One function per process; the output is kept only when it fails.
run_one() {
    local test=$1 function=$2 logs=$3
    local log="$logs/$(basename "$test").$function.log"
    # Settings of its own too: functions of one binary run side by side.
    local home
    home=$(mktemp -d "$logs/home.XXXXXX")
    if XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" \
        timeout 600 "$test" "$function" >"$log" 2>&1; then
        rm -f "$log"
    else
        echo "FAIL $(basename "$test") $function"
    fi
    rm -rf "$home"
}
export -f run_one

start=$(date +%s)
xargs -P "$jobs" -L 1 bash -c 'run_one "$0" "$1" '"'$logs'" <"$list" | tee "$logs/failures"
elapsed=$(($(date +%s) - start))
failed=$(grep -c '^FAIL' "$logs/failures" || true)
for log in "$logs"/*.log; do
    [ -e "$log" ] || continue
    echo "----- $(basename "$log" .log)"
    cat "$log"
done
echo "test-each-function: $((total - failed)) of $total functions passed alone in ${elapsed}s ($jobs at a time)"
[ "$failed" -eq 0 ]
