#!/usr/bin/env python3
"""Matrices between many small sample sets, the relatedness-vector product
and PCA: tspar against tskit in one run, as ratios (tspar / tskit), at 1
and 2 threads, with each call's peak memory.

usage: python3 bench/bench_matrices.py FILE [--cases NAME,...] [--threads 1,2]
       [--skip-tskit NAME,...] [--repeat N]

Every call runs in a fresh process that loads FILE, resets its peak
resident set, and reports wall time, CPU time and the peak resident set
above what it held before the call (the output included); with --repeat N
the fastest of N calls in that process, for both libraries. Cases:

  div-site-400x1, div-site-200x2, div-site-20x25   divergence_matrix, site mode
  div-branch-400x1, div-branch-200x2, div-branch-20x25   branch mode
  grm-site-400x1, grm-branch-400x1                 genetic_relatedness_matrix
  div-site-1000x1                                  site mode, 1,000 one-sample sets
  relvec-k1, relvec-k10                            genetic_relatedness_vector, branch
  pca-1000ind                                      pca, 10 components, 1,000 individuals
                                                   (individuals 0..999, the same range sketch)

tskit runs single-threaded (its divergence_matrix's num_threads splits
windows or trees; its default is 0). --skip-tskit leaves tskit out of the
named cases (its branch-mode matrices take minutes to hours).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "python"))

from bench_io import _reset_peak, _status_kb  # noqa: E402


def sets_for(samples, shape):
    n, size = (int(x) for x in shape.split("x"))
    return [list(map(int, samples[size * i:size * (i + 1)])) for i in range(n)]


def call(lib, path, case, threads):
    import numpy as np
    name = case.rsplit("-", 1)
    if lib == "tskit":
        import tskit
        ts = tskit.load(path)
    else:
        import tspar
        ts = tspar.load(path)
    samples = ts.samples()
    kw = {} if lib == "tskit" else {"num_threads": threads}
    rng = np.random.default_rng(1)
    if case.startswith(("div-", "grm-")):
        stat, mode, shape = case.split("-")
        fn = ts.divergence_matrix if stat == "div" else ts.genetic_relatedness_matrix
        sets = sets_for(samples, shape)
        return lambda: fn(sets, mode=mode, **kw)
    if case.startswith("relvec-k"):
        k = int(case[len("relvec-k"):])
        W = rng.normal(size=(len(samples), k))
        return lambda: ts.genetic_relatedness_vector(W, mode="branch", **kw)
    if case == "pca-1000ind":
        sketch = rng.normal(size=(1000, 20))
        inds = np.arange(1000)
        return lambda: ts.pca(10, individuals=inds, range_sketch=sketch, **kw)
    del name
    raise ValueError(case)


def worker(args):
    fn = call(args.lib, args.file, args.case, int(args.threads))
    import gc
    gc.collect()
    _reset_peak()
    before = _status_kb("VmRSS")
    # The fastest of --repeat calls (the first also pays for starting
    # threads and faulting pages in, in both libraries).
    best = None
    for _ in range(max(1, int(args.repeat))):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        t, c = time.perf_counter() - t, time.process_time() - c
        del out
        if best is None or t < best[0]:
            best = (t, c)
    t, c = best
    peak = _status_kb("VmHWM")
    print(json.dumps({"wall": t, "cpu": c, "peak_mb": (peak - before) / 1024}))


def run(file, lib, case, threads, repeat):
    r = subprocess.run([sys.executable, __file__, file, "--worker", lib, "--case", case, "--threads", str(threads),
                        "--repeat", str(repeat)],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        return {"error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"}
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--cases", default="div-site-400x1,div-site-200x2,div-site-20x25")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--skip-tskit", default="")
    ap.add_argument("--repeat", default="1", help="time the fastest of this many calls (both libraries)")
    ap.add_argument("--worker", default=None)
    ap.add_argument("--case", default=None)
    args = ap.parse_args()
    if args.worker:
        args.lib = args.worker
        worker(args)
        return
    skip = set(filter(None, args.skip_tskit.split(",")))
    print(f"# {Path(args.file).name}; load average {os.getloadavg()[0]:.1f}; fastest of {args.repeat} call(s)",
          flush=True)
    for case in args.cases.split(","):
        theirs = None if case in skip else run(args.file, "tskit", case, 1, args.repeat)
        for threads in (int(t) for t in args.threads.split(",")):
            ours = run(args.file, "tspar", case, threads, args.repeat)
            if "error" in ours:
                print(f"{case} threads={threads}: tspar failed: {ours['error']}", flush=True)
                continue
            line = (f"{case} threads={threads}: tspar {ours['wall']:.3f} s wall, {ours['cpu']:.3f} s cpu, "
                    f"peak +{ours['peak_mb']:.1f} MB")
            if theirs is None:
                line += "; tskit not run"
            elif "error" in theirs:
                line += f"; tskit failed: {theirs['error']}"
            else:
                line += (f"; tskit {theirs['wall']:.3f} s wall, {theirs['cpu']:.3f} s cpu, "
                         f"peak +{theirs['peak_mb']:.1f} MB; ratio wall {ours['wall'] / theirs['wall']:.3f}, "
                         f"cpu {ours['cpu'] / theirs['cpu']:.3f}, memory "
                         f"{ours['peak_mb'] / max(theirs['peak_mb'], 0.1):.2f}")
            print(line, flush=True)


if __name__ == "__main__":
    main()
