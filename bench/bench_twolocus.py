#!/usr/bin/env python3
"""Two-locus statistics against tskit, as ratios, with peak memory.

usage: python3 bench/bench_twolocus.py FILE [--threads 1,2] [--sites 2000] [--positions 200]
                                       [--branch-samples 500]

FILE is medium.trees from ../shared/bench/make_data.py. Cases:
  * site:   ld_matrix r2 over N consecutive sites (from the middle of the
            site table), square;
  * rates:  pair_coalescence_rates between all 10 pairs of the first 5
            populations with samples, in 20 time windows (log-spaced from
            the samples' age to infinity), whole genome;
  * branch: ld_matrix D2_unbiased in branch mode at the midpoints of N
            consecutive trees, on FILE simplified to the first
            --branch-samples samples. Branch mode sums over every pair of
            branches of two trees, so a tree of 20,000 samples costs both
            libraries O(n^3 / 64) per row; on all of medium's samples a
            single pair of positions takes tskit and tspar many minutes.

Every (library, threads, case) runs in a fresh process: it loads the file,
resets its peak resident set (VmHWM), reads the baseline, makes the call
and reads the peak; "extra MB" is peak - baseline. tspar's results are
checked against tskit's (1e-9 relative). Times are wall-clock seconds of
one call.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:  # the installed tspar package, else the one in the source tree
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "python"))

from bench_io import _reset_peak, _status_kb  # noqa: E402


def case_args(ts, case, n):
    import itertools

    import numpy as np

    if case == "rates":
        pops = [ts.samples(population=p) for p in range(ts.num_populations)]
        pops = [p for p in pops if len(p) > 1][:5]
        idx = list(itertools.combinations(range(len(pops)), 2))
        t = ts.nodes_time[ts.nodes_time > 0]
        # (Not starting a window at the oldest node: there the wait is 0 and
        # tskit gives 1 / its rounding error, inf or about 1e10.)
        tw = np.concatenate([[0.0], np.geomspace(t.min(), t.max() / 2, 19), [np.inf]])
        return dict(time_windows=tw, sample_sets=pops, indexes=idx)
    if case == "site":
        s0 = max(0, ts.num_sites // 2 - n // 2)
        return dict(sites=[np.arange(s0, s0 + n, dtype=np.int32)], stat="r2")
    bp = ts.breakpoints(as_array=True)
    t0 = max(0, ts.num_trees // 2 - n // 2)
    mid = (bp[t0:t0 + n] + bp[t0 + 1:t0 + n + 1]) / 2
    return dict(mode="branch", positions=[mid], stat="D2_unbiased")


def worker(lib, file, case, n, threads, out):
    import numpy as np

    if lib == "tskit":
        import tskit

        ts = tskit.load(file)
        kw = case_args(ts, case, n)
        fn = ts.pair_coalescence_rates if case == "rates" else ts.ld_matrix
        call = lambda: fn(**kw)  # noqa: E731
    else:
        import tskit

        import tspar

        kw = case_args(tskit.load(file), case, n)
        tsp = tspar.load(file)
        fn = tsp.pair_coalescence_rates if case == "rates" else tsp.ld_matrix
        call = lambda: fn(num_threads=threads, **kw)  # noqa: E731
    import gc

    gc.collect()
    _reset_peak()
    base = _status_kb("VmRSS")
    t = time.perf_counter()
    r = call()
    dt = time.perf_counter() - t
    peak = _status_kb("VmHWM")
    np.save(out, r)
    print(json.dumps({"time": dt, "extra_mb": (peak - base) / 1024}))


def run(lib, file, case, n, threads, out):
    env = dict(os.environ)
    env["TSPAR_NUM_THREADS"] = str(threads)
    p = subprocess.run(
        [sys.executable, __file__, "--worker", lib, file, case, str(n), str(threads), out],
        capture_output=True, text=True, env=env, check=True,
    )
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--sites", type=int, default=2000)
    ap.add_argument("--positions", type=int, default=200)
    ap.add_argument("--branch-samples", type=int, default=500)
    ap.add_argument("--cases", default="site,rates,branch")
    args = ap.parse_args()
    import numpy as np
    import tskit

    threads = [int(t) for t in args.threads.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="bench_twolocus"))
    files = {"site": args.file, "rates": args.file}
    if "branch" in args.cases:
        ts = tskit.load(args.file)
        small = ts.simplify(ts.samples()[: args.branch_samples])
        files["branch"] = str(tmp / "branch.trees")
        small.dump(files["branch"])
    print(f"load average {os.getloadavg()[0]:.1f} at the start; one call each")
    for case in args.cases.split(","):
        n = {"site": args.sites, "branch": args.positions}.get(case, 0)
        ref = run("tskit", files[case], case, n, 1, str(tmp / "tskit.npy"))
        expect = np.load(tmp / "tskit.npy")
        print(f"{case}: n={n} file={Path(files[case]).name} tskit {ref['time']:.3f} s, +{ref['extra_mb']:.0f} MB")
        for th in threads:
            got = run("tspar", files[case], case, n, th, str(tmp / "tspar.npy"))
            ours = np.load(tmp / "tspar.npy")
            ok = np.allclose(ours, expect, rtol=1e-9, atol=1e-12, equal_nan=True)
            print(f"  tspar {th} thread(s): {got['time']:.3f} s ({got['time'] / ref['time']:.2f}x tskit), "
                  f"+{got['extra_mb']:.0f} MB ({got['extra_mb'] / max(ref['extra_mb'], 1e-9):.2f}x), "
                  f"{'same values' if ok else 'VALUES DIFFER'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        lib, file, case, n, threads, out = sys.argv[2:8]
        worker(lib, file, case, int(n), int(threads), out)
    else:
        main()
