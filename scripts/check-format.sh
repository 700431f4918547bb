#!/usr/bin/env bash
# Fails if any C++ source differs from .clang-format (.clang-format; checked in CI).
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root"
if ! command -v clang-format >/dev/null 2>&1; then
    echo "check-format: clang-format is not installed (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
git ls-files '*.cpp' '*.h' 2>/dev/null | xargs clang-format --dry-run -Werror
echo "check-format: every source follows .clang-format"
