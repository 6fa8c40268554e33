"""The process-pool pattern of tskit's parallelization tutorial, with
tspar's mapped load: each worker is given the file *name* and loads the
tree sequence itself with ``tspar.load(path, mmap=True)``, so the workers
share one copy of the file's pages instead of holding one copy each
(bench/bench_mmap.py measures what that saves).

    python examples/process_pool.py FILE [--workers 4] [--windows 8]

Two ways to split the work:

1. By windows, as in the tutorial: each task computes the diversity of a
   run of windows. Simple, and right to within rounding: a window's value
   does not depend on the other windows of the call, but tspar cuts a call
   into units by work, so the last bits may differ from one call over all
   the windows.
2. By statistic parts (``tspar.parts``; ``tspar.dask.compute`` accepts a
   ``concurrent.futures`` executor as well as a dask client): the same
   call cut into parts that combine to exactly the bits of one call.
"""

import argparse
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import tspar
import tspar.dask

# Each worker process keeps the tree sequences it loaded: a task that comes
# to the same worker again does not load the file again.
_loaded = {}


def _ts(path):
    ts = _loaded.get(path)
    if ts is None:
        ts = _loaded[path] = tspar.load(path, mmap=True)
    return ts


def diversity_of_windows(path, windows):
    """Task: diversity of every population's samples in ``windows`` (a run
    of window boundaries). One thread per task: the pool is the parallelism.
    Windows must cover the genome (as in tskit), so the run is padded with
    a window on each side that reaches the ends, and their rows dropped."""
    ts = _ts(path)
    L = ts.sequence_length
    lead, tail = windows[0] > 0, windows[-1] < L
    padded = ([0.0] if lead else []) + list(windows) + ([L] if tail else [])
    d = ts.diversity(_population_sets(ts), windows=padded, num_threads=1)
    return d[int(lead):len(d) - int(tail)]


def _population_sets(ts):
    pops = np.asarray(ts.nodes_population)
    samples = ts.samples()
    return [samples[pops[samples] == k] for k in np.unique(pops[samples])]


def by_windows(pool, path, num_windows, num_workers):
    ts = _ts(path)
    breaks = np.linspace(0, ts.sequence_length, num_windows + 1)
    # Runs of windows, one per task (consecutive runs share a boundary).
    cuts = np.linspace(0, num_windows, min(num_workers, num_windows) + 1).astype(int)
    futures = [pool.submit(diversity_of_windows, path, breaks[a:b + 1]) for a, b in zip(cuts[:-1], cuts[1:])]
    return np.concatenate([f.result() for f in futures])


def by_parts(pool, path, num_windows):
    ts = _ts(path)
    breaks = np.linspace(0, ts.sequence_length, num_windows + 1)
    sets = [s.tolist() for s in _population_sets(ts)]
    return tspar.dask.compute(pool, path, "diversity", sample_sets=sets, windows=breaks.tolist())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--windows", type=int, default=8)
    a = p.parse_args()
    path = os.path.abspath(a.file)
    with ProcessPoolExecutor(a.workers) as pool:
        windows = by_windows(pool, path, a.windows, a.workers)
        parts = by_parts(pool, path, a.windows)
    one = _ts(path)
    breaks = np.linspace(0, one.sequence_length, a.windows + 1)
    whole = one.diversity(_population_sets(one), windows=breaks)
    np.set_printoptions(linewidth=150, precision=6)
    print("diversity per window (rows) and population (columns):")
    print(parts)
    print(f"by windows: largest relative difference from one call "
          f"{np.max(np.abs(windows - whole) / np.maximum(np.abs(whole), 1e-300)):.2e}")
    print(f"by parts: bit for bit one call: {np.array_equal(parts, whole)}")


if __name__ == "__main__":
    main()
