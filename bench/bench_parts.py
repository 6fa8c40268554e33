"""Parts of a statistic on a large file: how many, how many bytes each,
what computing them apart and combining them costs, against one call.

    python bench/bench_parts.py FILE [--threads T]

For diversity, divergence and Fst between every pair of populations (the
pairwise job), in 1 window and in 100, prints: the number of parts, the
bytes of all parts, time of the one call, time of computing every part
separately (one compute call per part, in sequence), time of combining,
and the bytes for 22 chromosomes over 200 ranks estimated from these.
Figures on a busy machine are noisy: compare the ratios.
"""

import argparse
import time

import numpy as np

import tspar
from tspar.parts import StatCall


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    t0 = time.perf_counter()
    ts = tspar.load(a.file)
    print(f"load {time.perf_counter() - t0:.2f} s; {ts.num_trees} trees, {ts.num_samples} samples")
    pops = np.asarray(ts.nodes_population)
    samples = ts.samples()
    sets = [samples[pops[samples] == k] for k in np.unique(pops[samples])]
    K = len(sets)
    pairs = [(i, j) for i in range(K) for j in range(K)]
    L = ts.sequence_length
    print(f"threads {a.threads}; {K} sample sets")
    print(f"{'statistic':<12} {'windows':>7} {'parts':>6} {'bytes/part':>11} {'all bytes':>10} "
          f"{'one call s':>10} {'parts s':>8} {'combine s':>9} {'ratio':>6}")
    for nw in [1, 100]:
        windows = None if nw == 1 else np.linspace(0, L, nw + 1)
        for name in ["diversity", "divergence", "Fst"]:
            kw = dict(sample_sets=sets, windows=windows)
            if name != "diversity":
                kw["indexes"] = pairs
            call = StatCall(ts, name, **kw)
            n = call.num_parts
            t0 = time.perf_counter()
            one = call.run(num_threads=a.threads)
            t_one = time.perf_counter() - t0
            t0 = time.perf_counter()
            bufs = [call.compute(i, i + 1, num_threads=a.threads) for i in range(n)]
            t_parts = time.perf_counter() - t0
            t0 = time.perf_counter()
            got = call.combine(bufs[::-1], num_threads=a.threads)
            t_comb = time.perf_counter() - t0
            assert got.tobytes() == one.tobytes()
            total = sum(len(b) for b in bufs)
            print(f"{name:<12} {nw:>7} {n:>6} {total / n:>11.0f} {total:>10} {t_one:>10.3f} {t_parts:>8.3f} "
                  f"{t_comb:>9.4f} {t_parts / t_one:>6.2f}")
    print("22 chromosomes x 200 ranks: every part travels once to the combining rank, so the network carries\n"
          "22 x (all bytes) per statistic, whatever the rank count (each rank sends only its own parts).")


if __name__ == "__main__":
    main()
