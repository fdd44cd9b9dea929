#!/usr/bin/env bash
# Builds the `lambda-sim` wheel (packaging/pyproject.toml: maturin, `bindings = "bin"`) into
# target/wheels, with the workspace's target/ for cargo; installs maturin into target/py-venv
# first if it is not there. Prints the wheel's path on stdout (maturin's messages go to stderr).
set -euo pipefail
cd "$(dirname "$0")/.."

MATURIN_VERSION=1.16.0
venv=target/py-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if [ "$("$venv/bin/python" -m maturin --version 2>/dev/null)" != "maturin $MATURIN_VERSION" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi
rm -f target/wheels/lambda_sim-*.whl
(cd packaging && "../$venv/bin/python" -m maturin build --release --out ../target/wheels) >&2
ls target/wheels/lambda_sim-*.whl
