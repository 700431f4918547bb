#!/usr/bin/env bash
# Static checks on core/ (issue: security assurance): cppcheck (warning, performance,
# portability) and clang-tidy 16 (.clang-tidy: bugprone, cert, a cppcoreguidelines subset) over
# the compile commands of a clang configuration. Exit 1 on any finding.
#   scripts/static-checks.sh [JOBS]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=${1:-$(nproc)}
cd "$ROOT"
status=0

echo "== cppcheck"
if ! cppcheck --enable=warning,performance,portability --library=qt --std=c++20 --inline-suppr --quiet \
    --error-exitcode=1 -I core core; then
    status=1
fi

echo "== clang-tidy"
CC=clang-16 CXX=clang++-16 cmake -S . -B build-tidy -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DCOUNTERSIGN_CORE_ONLY=ON -DCOUNTERSIGN_BUILD_TESTS=OFF -DCOUNTERSIGN_BUILD_BENCH=OFF >/dev/null || exit 2
# The -D that lets clang see libstdc++'s std::expected redefines a builtin macro; say nothing of it.
find core -name '*.cpp' | sort | xargs -P "$JOBS" -n 4 clang-tidy-16 -p build-tidy --quiet \
    --extra-arg-before=-Wno-macro-redefined >build-tidy/clang-tidy.log 2>&1
grep -E '(warning|error):' build-tidy/clang-tidy.log | grep -v "'__cpp_concepts' macro redefined" |
    sort -u >build-tidy/findings.txt
if [ -s build-tidy/findings.txt ]; then
    cat build-tidy/findings.txt
    echo "clang-tidy: $(wc -l <build-tidy/findings.txt) findings (full log in build-tidy/clang-tidy.log)"
    status=1
else
    echo "clang-tidy: clean"
fi
exit $status
