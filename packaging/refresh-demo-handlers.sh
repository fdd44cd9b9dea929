#!/usr/bin/env bash
# Rebuilds the demo's two handlers that the `lambda-sim` binary embeds (src/demo/*.wasm) from
# fixtures/guests/{kinesis-forwarder,aggregator} with `lambda-sim build`, and records the key of
# their sources in src/demo/sources.sha256; the test `demo_handlers_are_fresh` (src/demo.rs)
# fails when the sources change without this script being run.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bin lambda-sim
for handler in kinesis-forwarder aggregator; do
    wasm=$(target/release/lambda-sim build "fixtures/guests/$handler")
    cp "$wasm" "src/demo/$handler.wasm"
    echo "src/demo/$handler.wasm: $(wc -c < "src/demo/$handler.wasm") bytes"
done
packaging/demo-sources-key.sh > src/demo/sources.sha256
echo "src/demo/sources.sha256: $(cat src/demo/sources.sha256)"
