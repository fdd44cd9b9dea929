#!/usr/bin/env bash
# Prints the key of the sources the demo's embedded handlers are built from: the SHA-256 of
# `sha256sum`'s lines for every file of the two crates, the guest SDK and the WIT (target
# directories left out), sorted by path. `demo_handlers_are_fresh` (src/demo.rs) runs it and
# compares with src/demo/sources.sha256.
set -euo pipefail
cd "$(dirname "$0")/.."

paths=(fixtures/guests/Cargo.toml fixtures/guests/Cargo.lock fixtures/guests/kinesis-forwarder
       fixtures/guests/aggregator guest)
[ -d wit ] && paths+=(wit)
find -L "${paths[@]}" -type f -not -path '*/target/*' | LC_ALL=C sort | xargs sha256sum \
    | sha256sum | cut -d' ' -f1
