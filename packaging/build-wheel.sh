#!/usr/bin/env bash
# Builds the `lambda-sim` wheel into target/wheels and prints its path: the release binary
# (cargo's, or the one given with --binary, as the tests give theirs) wrapped by
# packaging/make-wheel.py, which needs only python3. The version is the crate's.
# Usage: packaging/build-wheel.sh [--binary PATH]
set -euo pipefail

binary=""
if [ "${1:-}" = "--binary" ]; then
    binary="$(realpath "${2:?--binary needs a path}")"
elif [ "$#" -ne 0 ]; then
    echo "usage: packaging/build-wheel.sh [--binary PATH]" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
if [ -z "$binary" ]; then
    cargo build --release --bin lambda-sim >&2
    binary="${CARGO_TARGET_DIR:-target}/release/lambda-sim"
fi
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
rm -f target/wheels/lambda_sim-*.whl
python3 packaging/make-wheel.py "$binary" "$version" "$PWD/target/wheels"
