#!/bin/sh
# Copies the tspar crate (Cargo.toml, Cargo.lock, build.rs, src/, include/)
# from the repository this package lives in (r/ at its root) into
# src/rust/, so that the package is self-contained: `R CMD build` and
# `R CMD check` copy the package elsewhere, where the repository is out of
# reach. `R CMD INSTALL r` runs this through `configure`; run it yourself
# before `R CMD build r`. Outside the repository (an unpacked tarball) the
# crate already copied is used. src/rust/ is ignored by git; its target/
# (cargo's build directory) is kept between runs.
set -eu
pkg=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$pkg/.." && pwd)
dest="$pkg/src/rust"
if [ -f "$repo/Cargo.toml" ] && [ -f "$repo/include/tspar.h" ] && [ -d "$repo/src/capi" ]; then
    mkdir -p "$dest"
    rm -rf "$dest/src" "$dest/include"
    cp "$repo/Cargo.toml" "$repo/Cargo.lock" "$repo/build.rs" "$dest/"
    cp -R "$repo/src" "$dest/src"
    mkdir -p "$dest/include"
    cp "$repo/include/tspar.h" "$dest/include/"
    echo "tspar: copied the crate from $repo into src/rust"
elif [ -f "$dest/Cargo.toml" ]; then
    echo "tspar: using the crate in src/rust"
else
    echo "tspar: the Rust crate is missing: src/rust/Cargo.toml does not exist and" >&2
    echo "tspar: this package is not inside the tspar repository to copy it from" >&2
    exit 1
fi
