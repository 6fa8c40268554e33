#!/usr/bin/env python3
"""Working memory of the statistics: the bound O(nodes x sets) per thread.

usage: python3 bench/bench_stats_memory.py FILE [--threads 1,2]

For each statistic, a fresh process loads FILE as a tspar tree sequence,
resets its peak resident set (VmHWM, through /proc/self/clear_refs), reads
the resident set as the baseline, makes the call, and reads the peak. What
the call needed beyond its output is peak - baseline - output bytes; it is
printed against the unit nodes x sets x 8 bytes x threads (one double per
node and sample set on each thread), so a bounded statistic shows a small,
steady multiple of that unit however many windows or pairs it has.

The same cases run under tskit in fresh processes for reference (tskit's
divergence_matrix only in site mode: its branch mode takes hours).
"""

import argparse
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "oracle"))
sys.path.insert(0, str(HERE))

try:  # the installed tspar package, else the one in the source tree
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from bench_io import _reset_peak, _status_kb  # noqa: E402  (the same peak-memory method)

CASES = {
    # name: (statistic, mode, number of windows, sample sets used)
    "diversity 20 pops": ("diversity", "site", 0, "pops"),
    "diversity 20 pops, 1000 windows": ("diversity", "branch", 1000, "pops"),
    "divergence 190 pairs": ("divergence", "branch", 0, "pops"),
    "divergence 190 pairs, 100 windows": ("divergence", "site", 100, "pops"),
    "joint AFS 2 pops, 100 windows": ("afs", "branch", 100, "two"),
    "divergence_matrix 20 x 25 samples": ("divergence_matrix", "site", 0, "matrix"),
}


def sample_sets(ts, which):
    import numpy as np

    pops = [ts.samples(population=p) for p in range(ts.num_populations)]
    pops = [p for p in pops if len(p) > 1]
    if which == "pops":
        return pops
    if which == "two":
        return pops[:2]
    rng = np.random.default_rng(1)
    return [rng.choice(p, 25, replace=False) for p in pops[:20]]


def worker(lib, file, case):
    import gc

    import numpy as np
    import tskit

    import tspar.lowlevel as T

    stat, mode, nw, which = CASES[case]
    ts = tskit.load(file)
    sets = sample_sets(ts, which)
    windows = None if nw == 0 else np.linspace(0, ts.sequence_length, nw + 1)
    pairs = np.array(list(itertools.combinations(range(len(sets)), 2)), dtype=np.int32)
    num_nodes = ts.num_nodes
    if lib == "tspar":
        tsp = T.TreeSequence.load(file)
        ex = T.Exec(int(os.environ["TSPAR_NUM_THREADS"]))
        del ts
        calls = {
            "diversity": lambda: tsp.one_way("diversity", sets, windows=windows, mode=mode, exec=ex),
            "divergence": lambda: tsp.k_way("divergence", sets, pairs, windows=windows, mode=mode, exec=ex),
            "afs": lambda: tsp.allele_frequency_spectrum(sets, windows=windows, mode=mode, exec=ex),
            "divergence_matrix": lambda: tsp.matrix("divergence_matrix", sets, windows=windows, mode=mode,
                                                    exec=ex),
        }
    else:
        calls = {
            "diversity": lambda: ts.diversity(sets, windows=windows, mode=mode),
            "divergence": lambda: ts.divergence(sets, indexes=pairs, windows=windows, mode=mode),
            "afs": lambda: ts.allele_frequency_spectrum(sets, windows=windows, mode=mode),
            "divergence_matrix": lambda: ts.divergence_matrix(sets, windows=windows, mode=mode),
        }
    gc.collect()
    reset = _reset_peak()
    base = _status_kb("VmRSS")
    out = calls[stat]()
    peak = _status_kb("VmHWM")
    out_bytes = np.asarray(out).nbytes
    print(json.dumps({"peak_kb": peak - base, "out_bytes": out_bytes, "nodes": num_nodes,
                      "sets": len(sets), "reset": reset}))


def run(lib, file, case, threads):
    env = os.environ.copy()
    env["TSPAR_NUM_THREADS"] = str(threads)
    done = subprocess.run([sys.executable, __file__, "--worker", lib, file, case], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{lib} {case}: {done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--worker", nargs=3, metavar=("LIB", "FILE", "CASE"))
    args = ap.parse_args()
    if args.worker:
        return worker(*args.worker)
    threads = [int(t) for t in args.threads.split(",")]
    print(f"{'case':36} {'lib':10} {'peak MB':>9} {'output MB':>9} {'unit MB':>8} {'(peak-out)/unit':>15}")
    for case in CASES:
        rows = [("tspar", t) for t in threads]
        if not (CASES[case][0] == "divergence_matrix" and CASES[case][1] == "branch"):
            rows.append(("tskit", 1))
        for lib, t in rows:
            r = run(lib, args.file, case, t)
            unit = r["nodes"] * r["sets"] * 8 * t
            peak = r["peak_kb"] * 1024
            label = f"{lib} {t}" if lib == "tspar" else lib
            print(f"{case:36} {label:10} {peak / 1e6:9.1f} {r['out_bytes'] / 1e6:9.2f} {unit / 1e6:8.1f} "
                  f"{(peak - r['out_bytes']) / unit:15.2f}", flush=True)


if __name__ == "__main__":
    main()
