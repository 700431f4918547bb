#!/usr/bin/env bash
# Installs the Debian 12 packages Countersign needs to build, test and run, but only those
# that are missing (scripts/install-deps.sh [--fuzz] [--coverage]). Everything comes from Debian's archive,
# except one test-only npm package from the npm registry (see the end).
set -euo pipefail

packages=(
    # build
    g++ cmake ninja-build pkg-config ccache make clang-format git
    # libraries
    qt6-base-dev qt6-base-dev-tools libqt6sql6 libgl-dev
    libsqlcipher-dev libsodium-dev libssl-dev libhttp-parser-dev libqrencode-dev libzxcvbn-dev
    # tests: the sqlite3 tool shows the vault is unreadable without the key; offscreen GUI fonts
    sqlite3 fonts-dejavu-core
    # looking at the window and benchmarks
    xvfb xauth imagemagick xdotool curl wrk nginx-light
    # tests: an independent RFC 8785 implementation runs under Node.js (tests/jcs)
    nodejs
    # team mode: Qt's PostgreSQL driver (QPSQL) and libpq (whether a session was lost); the
    # tests start a throwaway PostgreSQL 15 cluster (initdb, postgres, pg_dump) with a CA made
    # by the openssl command
    libqt6sql6-psql libpq-dev postgresql-15 openssl
)
# Debian packages npm apart from nodejs; Node.js from elsewhere brings its own.
command -v npm >/dev/null 2>&1 || packages+=(npm)
# Extra tools for one job only: `--fuzz` (make fuzz), `--coverage` (make coverage).
for extra in "$@"; do
    case "$extra" in
    # Clang 16: Debian 12's clang 14 cannot compile libstdc++'s std::expected (see
    # cmake/CountersignFlags.cmake); the fuzzer runtime comes with libclang-rt-16-dev.
    --fuzz) packages+=(clang-16 libclang-rt-16-dev) ;;
    --coverage) packages+=(gcovr) ;;
    *) echo "install-deps: unknown option $extra" >&2; exit 2 ;;
    esac
done

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -ne 0 ]; then
    echo "Installing missing packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq || true
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test only: the npm package "canonicalize", pinned with its integrity hash by
# tests/jcs/package-lock.json, into tests/jcs/node_modules (ignored by git). Nothing of it is
# built into Countersign; tst_canonicaljson compares our canonical JSON with it.
jcs_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/jcs"
if ! grep -qs '"version": "2.0.0"' "$jcs_dir/node_modules/canonicalize/package.json"; then
    echo "Installing the test-only npm package canonicalize into tests/jcs/node_modules"
    npm ci --prefix "$jcs_dir" --no-audit --no-fund --ignore-scripts --loglevel=error
fi
