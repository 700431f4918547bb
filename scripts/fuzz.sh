#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS each (default 60) under ASan and UBSan, starting
# from its seed corpus, and prints executions, coverage and findings. Crash inputs land in
# build-fuzz/artifacts/TARGET/; copy each into tests/fuzz/regressions/TARGET/ once fixed.
#   scripts/fuzz.sh [TARGET...]        (FUZZ_SECONDS=600 FUZZ_JOBS=2 for the long run)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(http request canonicaljson export checkpoint invitationlink)

run_one() {
    local target=$1
    local corpus=$BUILD/corpus/$target artifacts=$BUILD/artifacts/$target
    mkdir -p "$corpus" "$artifacts"
    cp -n "$ROOT/tests/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true
    (cd "$artifacts" && "$BUILD/bin/fuzz_$target" -max_total_time="$SECONDS_EACH" -max_len=16384 \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "$corpus" >"$BUILD/$target.log" 2>&1)
    local status=$?
    local runs cov crashes
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/$target.log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$BUILD/$target.log" | tail -1)
    crashes=$(find "$artifacts" -type f | wc -l)
    printf '%-15s %12s executions  %-10s  corpus %5d  findings %d  (exit %d)\n' "$target" "${runs:-?}" "${cov:-}" \
        "$(find "$corpus" -type f | wc -l)" "$crashes" "$status"
    [ "$crashes" -eq 0 ] && [ "$status" -eq 0 ]
}

failed=0
running=0
for target in "${TARGETS[@]}"; do
    run_one "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done
[ "$failed" -eq 0 ] && echo "fuzz: no findings" || echo "fuzz: findings above (logs in $BUILD/*.log)"
exit $failed
