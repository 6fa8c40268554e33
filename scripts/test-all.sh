#!/usr/bin/env bash
# Every test: cargo fmt and clippy, the Rust tests, the C tests and
# packaging tests through ctest, the pytest suite that compares tspar with
# tskit, R CMD check of the R package (r/) with its tests, and (with a
# nightly toolchain) the sanitizer runs of the threaded C tests. Stops at
# the first failing step and prints how long each step took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
jobs=$(nproc 2>/dev/null || echo 2)

timings=()
step() {
    local name=$1 start end
    shift
    printf '\n==> %s\n' "$name"
    start=$(date +%s)
    "$@"
    end=$(date +%s)
    timings+=("$(printf '%-28s %5d s' "$name" $((end - start)))")
}

oracle() {
    if [[ -z $(find tests/oracle \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit 2>/dev/null) ]]; then
        echo "tests/oracle has no test files yet: skipping the tskit comparison"
        return 0
    fi
    cargo build --release --lib
    # The suite uses the tspar Python package (python/): install it into
    # .venv with the library just built (no second cargo build), then run
    # the package's own tests and the oracle suite through it.
    TSPAR_PREBUILT_LIB=$root/target/release/libtspar.so .venv/bin/python -m pip install \
        --quiet --disable-pip-version-check --no-deps --no-build-isolation ./python
    rm -rf python/build python/tspar.egg-info
    env -u TSPAR_LIB .venv/bin/python -m pytest -q python/tests
    TSPAR_LIB=$root/target/release/libtspar.so .venv/bin/python -m pytest -q tests/oracle
    # Simplify merges pieces of the genome in parallel only from 200,000
    # edges on; TSPAR_SIMPLIFY_PIECES forces that path on the small inputs
    # of the tests, which must then give tskit's output all the same (the
    # package loads the library TSPAR_LIB names, for testing). Only a
    # library built with the test-knobs feature reads it: that one is built
    # into its own target directory, apart from the shipped library.
    cargo build --release --lib --features test-knobs --target-dir target/knobs
    TSPAR_SIMPLIFY_PIECES=3 TSPAR_NUM_THREADS=2 TSPAR_LIB=$root/target/knobs/release/libtspar.so \
        .venv/bin/python -m pytest -q tests/oracle/test_simplify.py tests/oracle/test_wright_fisher.py
}

# The R package (r/): copy the crate into it, build the tarball and check it
# with R CMD check, which builds the Rust library (cargo, 2 jobs), installs
# the package and runs its testthat tests (against tskit's fixtures; with
# TSPAR_PYTHON, files written from R are also loaded in tskit). A WARNING or
# an ERROR fails the step; the NOTEs are printed.
rpackage() {
    local out=$root/build/r-check
    rm -rf "$out"
    mkdir -p "$out"
    sh r/tools/vendor-crate.sh
    (cd "$out" && R CMD build "$root/r" && TSPAR_PYTHON=$root/.venv/bin/python R CMD check --no-manual tspar_*.tar.gz)
    local status
    status=$(grep '^Status:' "$out/tspar.Rcheck/00check.log")
    echo "R CMD check: $status"
    if grep -q 'WARNING\|ERROR' <<<"$status"; then
        return 1
    fi
}

# ThreadSanitizer and AddressSanitizer runs of the threaded C tests need the
# nightly toolchain; without it they are skipped, and the summary says so.
sanitizer_note="sanitizers: not run"
sanitizers() {
    if ! cargo +nightly --version >/dev/null 2>&1; then
        sanitizer_note="sanitizers: SKIPPED (no nightly toolchain: cargo +nightly --version fails)"
        echo "$sanitizer_note"
        return 0
    fi
    echo "with $(cargo +nightly --version)"
    if scripts/sanitizers.sh; then
        sanitizer_note="sanitizers: TSan and ASan runs passed (scripts/sanitizers.sh)"
    else
        sanitizer_note="sanitizers: FAILED (see the summary above)"
        return 1
    fi
}

ctest_in_build() {
    (cd build && ctest --output-on-failure --parallel "$jobs")
}

export TSPAR_LIB=$root/target/release/libtspar.so

step "setup" scripts/setup.sh
step "cargo fmt --check" cargo fmt --check
step "cargo clippy" cargo clippy --all-targets -- -D warnings
step "cargo test --release" cargo test --release
step "cmake configure" cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
step "cmake build" cmake --build build --parallel "$jobs"
step "ctest" ctest_in_build
step "pytest python/ tests/oracle" oracle
step "R package" rpackage
step "sanitizers" sanitizers

printf '\nall steps passed\n'
printf '  %s\n' "${timings[@]}"
echo "$sanitizer_note"
