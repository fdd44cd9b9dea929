#!/usr/bin/env bash
# Stages what lambda-sim-build's build script embeds from beside it (the stand-in crates in
# `compat/`, the guest SDK's manifest and sources) under build/embedded/, each `Cargo.toml`
# named `Cargo.toml.in`, so that `cargo package -p lambda-sim-build` carries them: cargo leaves a
# directory holding a `Cargo.toml` out of a package. The files are git's (nothing ignored, no
# lock file). build/embedded/ is ignored by git and read only by a packaged crate.
set -euo pipefail
cd "$(dirname "$0")/.."

staged=build/embedded
rm -rf "$staged"
git ls-files -- compat guest/Cargo.toml guest/src | while IFS= read -r file; do
    case "$file" in
        */Cargo.lock) continue ;;
        */Cargo.toml) dest="$staged/$file.in" ;;
        *) dest="$staged/$file" ;;
    esac
    mkdir -p "$(dirname "$dest")"
    cp "$file" "$dest"
done
echo "staged $(find "$staged" -type f | wc -l) files under $staged" >&2
