#!/usr/bin/env bash
# Runs each fuzz target for a set time, one after another on one job, and
# prints each target's executions, rate and crashes.
#
#   fuzz/run.sh [SECONDS] [TARGET...]      default: 300 s, every target
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Each target starts from its committed seed corpus (fuzz/corpus/TARGET/)
# and keeps what it finds in fuzz/work/corpus/TARGET/ (not committed), so a
# second run goes on from the first. Crashing inputs are written to
# fuzz/artifacts/TARGET/; logs to fuzz/work/logs/. Extra libFuzzer flags can
# be given in FUZZ_FLAGS (e.g. FUZZ_FLAGS=-seed=1); the sanitizer in
# FUZZ_SANITIZER (default none: the library is safe Rust outside its C
# boundary, which these targets do not cross, and a build without
# instrumentation runs several times faster; `address` works too).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

seconds=${1:-300}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
    targets=(load_bytes table_ops)
fi
sanitizer=${FUZZ_SANITIZER:-none}
# Debug assertions and overflow checks on: an integer overflow is a bug
# even where a release build would wrap silently. FUZZ_DEBUG_ASSERTIONS=0
# turns them off.
build_flags=(--sanitizer "$sanitizer")
if [[ ${FUZZ_DEBUG_ASSERTIONS:-1} != 0 ]]; then
    build_flags+=(--debug-assertions)
fi

# Inputs larger than this are cut (a .trees seed is 5-9 KB; a table_ops
# input is read up to a few hundred bytes): big inputs only slow a run.
max_len() {
    case $1 in
        load_bytes) echo 16384 ;;
        *) echo 2048 ;;
    esac
}

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz)" >&2
    exit 2
fi

mkdir -p work/logs
cargo +nightly fuzz build "${build_flags[@]}" >work/logs/build.log 2>&1 || {
    cat work/logs/build.log >&2
    exit 2
}

status=0
printf '%-12s %12s %10s %8s %8s\n' target executions exec/s seconds crashes
for t in "${targets[@]}"; do
    mkdir -p "work/corpus/$t" "artifacts/$t"
    log="work/logs/$t.log"
    before=$(find "artifacts/$t" -type f | wc -l)
    start=$(date +%s)
    # -jobs=1: one process; the machine is shared. -rss_limit_mb: a leak
    # or an allocation sized by garbage is a crash too.
    cargo +nightly fuzz run "${build_flags[@]}" "$t" "work/corpus/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        ${FUZZ_FLAGS:-} >"$log" 2>&1 || status=1
    end=$(date +%s)
    after=$(find "artifacts/$t" -type f | wc -l)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
    printf '%-12s %12s %10s %8s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$((end - start))" "$((after - before))"
done
if ((status != 0)); then
    echo "fuzz: a target stopped early (a crash?): see fuzz/work/logs/ and fuzz/artifacts/" >&2
fi
exit "$status"
