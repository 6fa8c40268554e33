#!/bin/sh
# Builds the tspar Rust library as a static library for the package:
# called by src/Makevars from src/. Everything cargo writes goes to
# src/rust/target (CARGO_TARGET_DIR), at most 2 jobs. The crate's
# dependencies come from cargo's cache (~/.cargo) when they are there
# (--offline), else cargo downloads them from crates.io into that cache.
set -eu
CARGO=${CARGO:-cargo}
if ! command -v "$CARGO" >/dev/null 2>&1; then
    if [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
        CARGO="${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
    else
        echo "tspar: cargo (Rust's package manager) was not found: install Rust (https://rustup.rs) and try again" >&2
        exit 1
    fi
fi
export CARGO_TARGET_DIR="$PWD/rust/target"
# No debug info in the copy the package links: the library stays small.
export CARGO_PROFILE_RELEASE_DEBUG=0
jobs=${TSPAR_CARGO_JOBS:-2}
build() {
    "$CARGO" rustc --manifest-path rust/Cargo.toml --lib --release --crate-type staticlib \
        -j "$jobs" "$@"
}
echo "tspar: building the Rust library with $("$CARGO" --version)"
if ! build --offline --quiet 2>/dev/null; then
    echo "tspar: not every dependency is in cargo's cache: building online"
    build
fi
