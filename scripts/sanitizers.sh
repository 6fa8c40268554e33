#!/usr/bin/env bash
# ThreadSanitizer and AddressSanitizer runs of the threaded C tests
# (test_threads, test_treeseq_threads, test_stats_threads, test_stress), with
# both sides instrumented: the Rust library built by the nightly toolchain
# with -Zsanitizer=thread (resp. address), the C test compiled with
# -fsanitize=thread (resp. address).
#
#   scripts/sanitizers.sh            # both
#   scripts/sanitizers.sh tsan       # or asan
#
# Needs the nightly toolchain (`cargo +nightly`); rust-src is not needed.
# Without it the standard library stays uninstrumented (no -Zbuild-std), so:
#   - the sanitizer flag differs between our crates and the prebuilt std,
#     which rustc refuses unless told -Cunsafe-allow-abi-mismatch=sanitizer;
#   - the test programs link the sanitizer runtime that ships with the
#     nightly toolchain (librustc-nightly_rt.*.a), the same LLVM version that
#     instrumented the Rust side (gcc 12's libtsan lacks entry points such as
#     __tsan_memcpy that newer LLVM emits);
#   - ThreadSanitizer cannot see the ordering that std's RwLock and rayon's
#     Mutex/Condvar sleeps impose; the library is built with --cfg tspar_tsan,
#     which announces exactly those to it (src/capi/tsan.rs), and
#     scripts/tsan.supp lists what remains, each entry with its reason.
#
# Builds go to target/tsan and target/asan (kept between runs), logs to
# target/<sanitizer>/logs/. Exits non-zero if any run reports anything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
data=$root/tests/data/example.trees
cc=${CC:-cc}
# Operations per thread for the stress test: ~10x slower under a sanitizer.
stress_ops=${TSPAR_SANITIZER_STRESS_OPS:-1000}

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "sanitizers: skipped: no nightly toolchain (cargo +nightly --version fails)"
    exit 0
fi
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
rtdir=$(rustc +nightly --print sysroot)/lib/rustlib/$host/lib

tests=(test_threads test_treeseq_threads test_stats_threads test_stress)
sanitizers=("$@")
((${#sanitizers[@]})) || sanitizers=(tsan asan)

failed=0
summary=()

run_one() {
    local san=$1 flag
    case $san in
    tsan) flag=thread ;;
    asan) flag=address ;;
    *)
        echo "unknown sanitizer '$san' (tsan or asan)" >&2
        return 2
        ;;
    esac
    local rt=$rtdir/librustc-nightly_rt.$san.a
    if [[ ! -f $rt ]]; then
        summary+=("$san: skipped: the nightly toolchain has no $rt")
        return 0
    fi
    local dir=$root/target/$san
    local libdir=$dir/$host/release
    local bindir=$dir/bin logs=$dir/logs
    mkdir -p "$bindir" "$logs"

    local rustflags="-Zsanitizer=$flag -Cunsafe-allow-abi-mismatch=sanitizer"
    [[ $san == tsan ]] && rustflags+=" --cfg tspar_tsan"
    echo "==> $san: cargo +nightly build --release --lib ($rustflags)"
    local start=$SECONDS
    RUSTFLAGS=$rustflags cargo +nightly build --quiet --release --lib --target "$host" \
        --target-dir "$dir"
    # Programs look for the library by its SONAME.
    local soname
    soname=$(objdump -p "$libdir/libtspar.so" | sed -n 's/^ *SONAME *//p')
    [[ -n $soname ]] && ln -sf libtspar.so "$libdir/$soname"
    echo "    built in $((SECONDS - start)) s"

    local env_opts
    if [[ $san == tsan ]]; then
        env_opts=(TSAN_OPTIONS="halt_on_error=0 exitcode=66 second_deadlock_stack=1 suppressions=$root/scripts/tsan.supp")
    else
        env_opts=(ASAN_OPTIONS="detect_leaks=1 exitcode=66 abort_on_error=0" LSAN_OPTIONS="exitcode=66")
    fi

    local t
    for t in "${tests[@]}"; do
        "$cc" -std=c99 -O1 -g -fno-omit-frame-pointer -fsanitize=$flag -I"$root/include" \
            -c "$root/c_tests/$t.c" -o "$bindir/$t.o"
        # The runtime is linked whole and its symbols exported, so that the
        # library's instrumentation resolves against this one copy.
        "$cc" -o "$bindir/$t" "$bindir/$t.o" -Wl,--whole-archive "$rt" -Wl,--no-whole-archive \
            -rdynamic -L"$libdir" -ltspar -Wl,-rpath,"$libdir" -lpthread -ldl -lm -lrt -lgcc_s
        local args=("$data") log=$logs/$t.log status=0
        [[ $t == test_stress ]] && args+=("$stress_ops")
        start=$SECONDS
        env "${env_opts[@]}" TSPAR_STRESS_HANG_SECONDS=60 "$bindir/$t" "${args[@]}" >"$log" 2>&1 ||
            status=$?
        local reports
        reports=$(grep -c -E '^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: (Address|Leak)Sanitizer)' "$log" || true)
        if ((status == 0 && reports == 0)); then
            summary+=("$san $t: ok ($((SECONDS - start)) s)")
        else
            failed=1
            summary+=("$san $t: FAILED (exit $status, $reports reports; log $log)")
            grep -E '^(WARNING: ThreadSanitizer|SUMMARY|==[0-9]+==ERROR)|WATCHDOG|check failed|failed:' "$log" |
                sort | uniq -c | sort -rn | head -20 | sed 's/^/      /'
        fi
    done
}

for san in "${sanitizers[@]}"; do
    run_one "$san"
done
printf '\nsanitizers:\n'
printf '  %s\n' "${summary[@]}"
exit "$failed"
