#!/usr/bin/env bash
# Every test: the Rust tests, the C tests and packaging tests through
# ctest, and the pytest suite that compares tspar with tskit. Stops at the
# first failing step and prints how long each step took.
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
    TSPAR_LIB=$root/target/release/libtspar.so .venv/bin/python -m pytest -q tests/oracle
    # Simplify merges pieces of the genome in parallel only from 200,000
    # edges on; TSPAR_SIMPLIFY_PIECES forces that path on the small inputs
    # of the tests, which must then give tskit's output all the same. Only a
    # library built with the test-knobs feature reads it: that one is built
    # into its own target directory, apart from the shipped library.
    cargo build --release --lib --features test-knobs --target-dir target/knobs
    TSPAR_SIMPLIFY_PIECES=3 TSPAR_NUM_THREADS=2 TSPAR_LIB=$root/target/knobs/release/libtspar.so \
        .venv/bin/python -m pytest -q tests/oracle/test_simplify.py tests/oracle/test_wright_fisher.py
}

ctest_in_build() {
    (cd build && ctest --output-on-failure --parallel "$jobs")
}

export TSPAR_LIB=$root/target/release/libtspar.so

step "setup" scripts/setup.sh
step "cargo test --release" cargo test --release
step "cmake configure" cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
step "cmake build" cmake --build build --parallel "$jobs"
step "ctest" ctest_in_build
step "pytest tests/oracle" oracle

printf '\nall steps passed\n'
printf '  %s\n' "${timings[@]}"
