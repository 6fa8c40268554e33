#!/usr/bin/env bash
# The tutorial's task (divergence and Fst between every ordered pair of
# distinct populations, in windows) from R at 1 and 2 threads, against the
# same two calls through the C API (bench_r_capi.c, the R package's overhead)
# and against tskit through Python. Prints seconds and ratios.
#   bench/bench_r.sh FILE [WINDOWS=100] [REPEATS=3]
# Needs: the R package installed (R CMD INSTALL r; or R_LIBS pointing at
# it), target/release/libtspar.a (cargo build --release --lib; or TSPAR_STATIC
# naming another build of it), .venv with tskit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
file=${1:?usage: bench/bench_r.sh FILE [WINDOWS] [REPEATS]}
nw=${2:-100}
repeats=${3:-3}
mkdir -p build
cc -O2 -Iinclude bench/bench_r_capi.c "${TSPAR_STATIC:-target/release/libtspar.a}" -lpthread -ldl -lm -o build/bench_r_capi
declare -A r c raw layer
for t in 1 2; do
    c[$t]=$(build/bench_r_capi "$file" "$nw" "$t" "$repeats")
    r[$t]=$(Rscript bench/bench_r.R "$file" "$nw" "$t" "$repeats")
    read -r _ raw[$t] layer[$t] _ <<<"${r[$t]}"
    echo "threads $t: C API ${c[$t]%% *} s, R ${r[$t]%% *} s (the same calls through the package's .Call entry: ${raw[$t]} s; the R layer alone: ${layer[$t]} s)"
done
py=$(.venv/bin/python bench/bench_r_tskit.py "$file" "$nw" 1)
echo "tskit (1 thread): ${py%% *} s"
read -r _ K np _ <<<"${c[1]}"
echo "$K populations, $np ordered pairs, $nw windows; medians of $repeats runs (tskit: 1 run)"
awk -v l1="${layer[1]}" -v l2="${layer[2]}" -v x1="${raw[1]}" -v x2="${raw[2]}" -v c1="${c[1]%% *}" -v c2="${c[2]%% *}" -v r1="${r[1]%% *}" -v r2="${r[2]%% *}" -v p="${py%% *}" 'BEGIN {
    printf "R / C API (separate processes):  1 thread %.3f, 2 threads %.3f\n", r1 / c1, r2 / c2
    printf "R methods / .Call entry (same process, alternating): 1 thread %.3f, 2 threads %.3f\n", r1 / x1, r2 / x2
    printf "R layer alone / C API: 1 thread %.4f, 2 threads %.4f\n", l1 / c1, l2 / c2
    printf "R / tskit:   1 thread %.3f, 2 threads %.3f\n", r1 / p, r2 / p
    printf "R 2 threads / R 1 thread: %.3f\n", r2 / r1
}'
# The same first Fst value from all three:
echo "Fst[window 0, pair 0]: C ${c[1]##* } R ${r[1]##* } tskit ${py##* }"
