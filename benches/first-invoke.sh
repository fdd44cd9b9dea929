#!/usr/bin/env bash
# The first invoke after `lambda-sim serve` starts, as curl sees it: RUNS fresh starts of the
# server, one invoke each. Prints each run's server time (curl's time_starttransfer minus
# time_pretransfer: request sent to first byte, loopback included), the whole request
# (time_total, connection setup included) and REPORT's Init Duration, then min/median/max.
#
# Usage: benches/first-invoke.sh [FUNCTION] [RUNS]
#   FUNCTION: a `.wasm` component or a handler crate (default fixtures/guests/hello)
#   LAMBDA_SIM: the binary (default target/release/lambda-sim)
# curl 7.88 now and then dates time_pretransfer after the answer (a server time of a few us):
# read the median.
set -euo pipefail

function=${1:-fixtures/guests/hello}
runs=${2:-10}
bin=${LAMBDA_SIM:-target/release/lambda-sim}
name=$(basename "${function%.wasm}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

server=() total=() init=()
for i in $(seq "$runs"); do
    "$bin" serve "$function" --addr 127.0.0.1:0 --http-addr 127.0.0.1:0 \
        >"$work/out" 2>"$work/err" &
    pid=$!
    addr=
    for _ in $(seq 3000); do
        addr=$(sed -n 's|^listening on http://||p' "$work/out")
        [ -n "$addr" ] && break
        sleep 0.01
    done
    if [ -z "$addr" ]; then
        kill "$pid" 2>/dev/null || true
        cat "$work/err" >&2
        echo "error: the server printed no address" >&2
        exit 1
    fi
    if ! times=$(curl -sS -o /dev/null -X POST "http://$addr/2015-03-31/functions/$name/invocations" \
        -d '{"name":"Ada"}' -w '%{time_pretransfer} %{time_starttransfer} %{time_total}'); then
        kill -INT "$pid" 2>/dev/null || true
        wait "$pid" || true
        cat "$work/err" >&2
        echo "error: the invoke failed (run $i)" >&2
        exit 1
    fi
    kill -INT "$pid"
    wait "$pid" || true
    read -r pre start all <<<"$times"
    server+=("$(echo "($start - $pre) * 1000" | bc -l)")
    total+=("$(echo "$all * 1000" | bc -l)")
    init+=("$(sed -n 's/.*Init Duration: \([0-9.]*\) ms.*/\1/p' "$work/err" | head -1)")
    loaded=$(sed -n 's/^lambda-sim: loaded .* in \(.*\) ms$/\1/p' "$work/err")
    printf 'run %2d: server %6.3f ms  total %6.3f ms  init %s ms  (loaded in %s ms)\n' \
        "$i" "${server[-1]}" "${total[-1]}" "${init[-1]:-?}" "$loaded"
done

summary() {
    sort -g | awk -v what="$1" '{ v[NR] = $1 } END {
        printf "%-14s min %6.3f  median %6.3f  max %6.3f ms\n", what, v[1], v[int(NR / 2) + 1], v[NR] }'
}
printf '%s\n' "${server[@]}" | summary "server time"
printf '%s\n' "${total[@]}" | summary "curl total"
printf '%s\n' "${init[@]}" | grep . | summary "Init Duration" || true
