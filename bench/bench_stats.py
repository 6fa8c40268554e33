"""tspar against tskit on one .trees file, in one run, printed as ratios
(tspar time / tskit time) at 1 and 2 threads.

    python3 bench/bench_stats.py FILE [--quick] [--divmat] [--repeats N] [--only NAME,...]

Statistics: diversity over all populations; divergence and Fst over all
pairs of populations; f4 on four populations; the joint AFS of two
populations — site and branch modes, whole genome and 100 windows.
--divmat adds divergence_matrix on 20 sets of 25 samples (tskit's site mode
only: its branch mode takes hours) against tspar's divergence_matrix and
all pairs through tspar_treeseq_divergence. --only runs the named cases
(diversity, divergence, Fst, f4, afs2, divergence_matrix); --repeats times
each call N times and keeps the fastest (default 1).
"""

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import tskit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "oracle"))

try:  # the installed tspar package, else the one in the source tree
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import tspar.lowlevel as T  # noqa: E402


def timed(fn, repeat=1):
    best = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        d = time.perf_counter() - t
        best = d if best is None else min(best, d)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--quick", action="store_true", help="whole genome only, fewer pairs")
    ap.add_argument("--divmat", action="store_true")
    ap.add_argument("--modes", default="site,branch")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--only", default=None, help="comma-separated case names")
    args = ap.parse_args()
    only = None if args.only is None else set(args.only.split(","))
    if only is not None and "divergence_matrix" in only:
        args.divmat = True
    ts = tskit.load(args.file)
    t0 = time.perf_counter()
    tsp = T.TreeSequence.load(args.file)
    print(f"# {args.file}: {ts.num_trees} trees, {ts.num_edges} edges, {ts.num_sites} sites, "
          f"{ts.num_samples} samples; tspar load {time.perf_counter() - t0:.2f} s", flush=True)
    pops = [ts.samples(population=p) for p in range(ts.num_populations)]
    pops = [p for p in pops if len(p) > 1]
    pairs = np.array(list(itertools.combinations(range(len(pops)), 2)), dtype=np.int32)
    if args.quick:
        pairs = pairs[:20]
    quad = np.array([[0, 1, 2, 3]], dtype=np.int32)
    L = ts.sequence_length
    ex = {1: T.Exec(1), 2: T.Exec(2)}
    cases = [
        ("diversity", lambda w, m: ts.diversity(pops, windows=w, mode=m),
         lambda w, m, e: tsp.one_way("diversity", pops, windows=w, mode=m, exec=e)),
        ("divergence", lambda w, m: ts.divergence(pops, indexes=pairs, windows=w, mode=m),
         lambda w, m, e: tsp.k_way("divergence", pops, pairs, windows=w, mode=m, exec=e)),
        ("Fst", lambda w, m: ts.Fst(pops, indexes=pairs, windows=w, mode=m),
         lambda w, m, e: tsp.k_way("Fst", pops, pairs, windows=w, mode=m, exec=e)),
        ("f4", lambda w, m: ts.f4(pops[:4], indexes=quad, windows=w, mode=m),
         lambda w, m, e: tsp.k_way("f4", pops[:4], quad, windows=w, mode=m, exec=e)),
        ("afs2", lambda w, m: ts.allele_frequency_spectrum(pops[:2], windows=w, mode=m),
         lambda w, m, e: tsp.allele_frequency_spectrum(pops[:2], windows=w, mode=m, exec=e)),
    ]
    print(f"{'statistic':12} {'mode':7} {'windows':>7} {'tskit s':>9} {'tspar1 s':>9} {'tspar2 s':>9} "
          f"{'ratio1':>7} {'ratio2':>7} {'maxrel':>9}", flush=True)
    windows_list = [None] if args.quick else [None, np.linspace(0, L, 101)]
    for name, theirs, ours in cases:
        if only is not None and name not in only:
            continue
        for mode in args.modes.split(","):
            for w in windows_list:
                tk, ref = timed(lambda: theirs(w, mode), args.repeats)
                t1, a = timed(lambda: ours(w, mode, ex[1]), args.repeats)
                t2, b = timed(lambda: ours(w, mode, ex[2]), args.repeats)
                ref = np.asarray(ref, dtype=float).ravel()
                assert a.tobytes() == b.tobytes(), "1 and 2 threads differ"
                denom = np.maximum(np.abs(ref), 1e-300)
                ok = np.isfinite(ref) & (np.abs(ref) > 1e-12)
                rel = float(np.max(np.abs(a.ravel() - ref)[ok] / denom[ok])) if ok.any() else 0.0
                nw = 1 if w is None else len(w) - 1
                print(f"{name:12} {mode:7} {nw:7d} {tk:9.3f} {t1:9.3f} {t2:9.3f} {t1 / tk:7.2f} {t2 / tk:7.2f} "
                      f"{rel:9.1e}", flush=True)
    if args.divmat:
        rng = np.random.default_rng(1)
        sets = [rng.choice(p, 25, replace=False) for p in pops[:20]]
        K = len(sets)
        allpairs = np.array([(i, j) for i in range(K) for j in range(K)], dtype=np.int32)
        for mode in args.modes.split(","):
            if mode == "site":
                tk, ref = timed(lambda: ts.divergence_matrix(sets, mode=mode), args.repeats)
            else:
                tk, ref = float("nan"), None
            for threads in [1, 2]:
                t1, a = timed(lambda: tsp.matrix("divergence_matrix", sets, mode=mode, exec=ex[threads]),
                              args.repeats)
                tp, b = timed(lambda: tsp.k_way("divergence", sets, allpairs, mode=mode, exec=ex[threads]),
                              args.repeats)
                note = ""
                if ref is not None:
                    note = f" maxdiff vs tskit {np.max(np.abs(a[0] - ref)):.1e}"
                theirs = (f"tskit {tk:.2f} s, tspar matrix {t1:.2f} s (x{tk / t1:.1f} faster)" if ref is not None
                          else f"tskit not run (hours), tspar matrix {t1:.2f} s")
                print(f"divergence_matrix {mode:6} threads={threads}: {theirs}, tspar all pairs {tp:.2f} s "
                      f"(matrix/all pairs {t1 / tp:.2f}){note}", flush=True)


if __name__ == "__main__":
    main()
