"""The R benchmark's task with tskit: divergence and Fst between every
ordered pair of distinct populations in N equal windows; prints the median
seconds of the two calls (the load excluded). See bench_r.sh.
    python bench/bench_r_tskit.py FILE WINDOWS REPEATS"""
import statistics
import sys
import time

import numpy as np
import tskit

ts = tskit.load(sys.argv[1])
nw, repeats = int(sys.argv[2]), int(sys.argv[3])
pop = ts.nodes_population[ts.samples()]
sets = [ts.samples()[pop == k] for k in np.unique(pop[pop >= 0])]
K = len(sets)
pairs = [(i, j) for i in range(K) for j in range(K) if i != j]
windows = np.linspace(0, ts.sequence_length, nw + 1)
t = []
for _ in range(repeats):
    t0 = time.perf_counter()
    ts.divergence(sets, indexes=pairs, windows=windows)
    fst = ts.Fst(sets, indexes=pairs, windows=windows)
    t.append(time.perf_counter() - t0)
print(f"{statistics.median(t):.4f} {K} {len(pairs)} {fst[0, 0]!r}")
