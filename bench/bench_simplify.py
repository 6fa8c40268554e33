#!/usr/bin/env python3
"""Simplify speed, tspar against tskit, on the same unsimplified tables in
the same run: medians of 5 and the ratio tspar / tskit (below 1 is faster).

usage: bench_simplify.py [WORKDIR]

Inputs (made here, fixed seeds):
  wf      a diploid Wright-Fisher simulation recording every node and edge
          (N=1000 individuals, 1000 generations, one crossover per gamete),
          sorted by tskit; samples are the last generation. What a forward
          simulator hands to simplify.
  arg     msprime record_full_arg=True with mutations (an unsimplified ARG).
Only the simplify call is timed: tskit's TableCollection.simplify on a fresh
copy, and tspar_tables_simplify on a freshly loaded handle. Set TSPAR_LIB to
choose the library (default target/release/libtspar.so); TSPAR_NUM_THREADS=1
is set, simplify being single-threaded anyway.
"""

import os
import pathlib
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TSPAR_NUM_THREADS", "1")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "oracle"))

try:  # the installed tspar package, else the one in the source tree
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))

import msprime  # noqa: E402
import numpy as np  # noqa: E402
import tskit  # noqa: E402

import _simplify_lib as sl  # noqa: E402

REPS = 5


def wright_fisher(N=1000, generations=1000, L=1e6, seed=1):
    rng = np.random.default_rng(seed)
    two_n = 2 * N
    num_nodes = two_n * (generations + 1)
    tables = tskit.TableCollection(sequence_length=L)
    flags = np.zeros(num_nodes, dtype=np.uint32)
    flags[-two_n:] = tskit.NODE_IS_SAMPLE
    time_ = np.repeat(np.arange(generations, -1, -1, dtype=np.float64), two_n)
    tables.nodes.set_columns(flags=flags, time=time_)
    left, right, parent, child = [], [], [], []
    for g in range(1, generations + 1):
        kids = g * two_n + np.arange(two_n, dtype=np.int32)
        base = (g - 1) * two_n + 2 * rng.integers(0, N, size=two_n, dtype=np.int32)
        swap = (rng.random(two_n) < 0.5).astype(np.int32)
        x = rng.integers(1, int(L), size=two_n).astype(np.float64)
        left += [np.zeros(two_n), x]
        right += [x, np.full(two_n, L)]
        parent += [base + swap, base + 1 - swap]
        child += [kids, kids]
    tables.edges.set_columns(
        left=np.concatenate(left),
        right=np.concatenate(right),
        parent=np.concatenate(parent).astype(np.int32),
        child=np.concatenate(child).astype(np.int32),
    )
    tables.sort()
    return tables


def full_arg(seed=3):
    ts = msprime.sim_ancestry(
        samples=500,
        population_size=1e4,
        sequence_length=2e6,
        recombination_rate=1e-8,
        record_full_arg=True,
        random_seed=seed,
    )
    return msprime.sim_mutations(ts, rate=1e-8, random_seed=seed).dump_tables()


def time_tskit(path):
    base = tskit.TableCollection.load(path)
    times = []
    for _ in range(REPS):
        t = base.copy()
        t0 = time.perf_counter()
        t.simplify(record_provenance=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), t


def time_tspar(path, tmp):
    tables = tskit.TableCollection.load(path)
    n = tables.nodes.num_rows
    times = []
    for _ in range(REPS):
        with sl.Tables(tables, tmp) as t:
            t0 = time.perf_counter()
            t.simplify(None, sl.FILTER_SITES | sl.FILTER_POPULATIONS | sl.FILTER_INDIVIDUALS, n)
            times.append(time.perf_counter() - t0)
            out = t.to_tskit()
    return statistics.median(times), out


def main():
    work = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    print(f"{'input':6} {'nodes':>9} {'edges':>9} {'tskit s':>9} {'tspar s':>9} {'ratio':>6}")
    for name, make in (("wf", wright_fisher), ("arg", full_arg)):
        path = work / f"{name}.trees"
        if not path.exists():
            make().dump(str(path))
        tables = tskit.TableCollection.load(str(path))
        t_tskit, expected = time_tskit(str(path))
        t_tspar, got = time_tspar(str(path), work)
        same = got.equals(expected, ignore_provenance=True)
        print(
            f"{name:6} {tables.nodes.num_rows:9d} {tables.edges.num_rows:9d} "
            f"{t_tskit:9.3f} {t_tspar:9.3f} {t_tspar / t_tskit:6.2f}"
            + ("" if same else "  OUTPUT DIFFERS"),
            flush=True,
        )


if __name__ == "__main__":
    main()
