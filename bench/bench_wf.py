#!/usr/bin/env python3
"""Sort + simplify of a forward simulation's tables: tspar against tskit.

usage: python3 bench/bench_wf.py [WORKDIR] [--repeats 3] [--threads 1,2]
           [-N 1000] [-G 2000] [-L 1e8] [-r 2e-8] [-u 0] [--wright-fisher EXE]

examples/wright_fisher.c runs with -k 0 (it records every birth and never
simplifies), which leaves unsorted, unsimplified tables in
WORKDIR/wf_rep0.trees: 2 N G nodes and about 2 N G (1 + r L) edges (12
million with the defaults). The program is compiled against include/tspar.h
and the library under test unless --wright-fisher names a built one; the file
is made once and kept in WORKDIR.

Each measurement is a fresh process that loads the file, then times the sort
(tskit: TableCollection.sort; tspar: tspar_tables_sort) and the simplify to
the genomes alive at the end (tskit: TableCollection.simplify with its
defaults, no provenance; tspar: tspar_tables_simplify with the same filter
options). tspar runs with TSPAR_NUM_THREADS set to each thread count. The
processes alternate between the libraries, and medians are compared: ratio =
tspar time / tskit time.

Peak memory: after the imports the peak resident set (VmHWM) is reset to the
current one (/proc/self/clear_refs), the resident set is the baseline, and
the peak afterwards, minus the baseline, is what load + sort + simplify
needed at their worst moment.

Every tspar result is dumped and compared with tskit's (equal tables,
provenance aside), so the figures are for identical output.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "oracle"))
sys.path.insert(0, str(HERE))

try:  # the installed tspar package, else the one in the source tree
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from bench_io import _reset_peak, _status_kb  # noqa: E402  (the same peak-memory method)

# tskit Python's simplify defaults, as tspar options (tskit's bit values).
FILTER_SITES, FILTER_POPULATIONS, FILTER_INDIVIDUALS = 1 << 0, 1 << 1, 1 << 2


def worker(args):
    """One measurement in this process; prints a JSON line."""
    import gc

    import numpy as np
    import tskit

    import tspar.lowlevel as tl
    from conftest import soname

    tl.library
    gc.collect()
    reset = _reset_peak()
    base = _status_kb("VmRSS")
    t0 = time.perf_counter()
    if args.lib == "tspar":
        tables = tl.Tables.load(args.file)
        time_column = tables.column("nodes/time")
    else:
        tables = tskit.TableCollection.load(args.file)
        time_column = tables.nodes.time
    t1 = time.perf_counter()
    # The genomes alive at the end: born in the last generation (time 0).
    alive = np.flatnonzero(time_column == 0).astype(np.int32)
    del time_column
    t2 = time.perf_counter()
    tables.sort()
    t3 = time.perf_counter()
    if args.lib == "tspar":
        tables.simplify(alive, FILTER_SITES | FILTER_POPULATIONS | FILTER_INDIVIDUALS)
    else:
        tables.simplify(alive, record_provenance=False)
    t4 = time.perf_counter()
    peak = _status_kb("VmHWM")
    if args.out:
        tables.dump(args.out)
    print(json.dumps({
        "load": t1 - t0, "sort": t3 - t2, "simplify": t4 - t3,
        "peak_mb": (peak - base) / 1024, "reset": reset,
    }))


def run_worker(lib, file, threads, out=None):
    env = os.environ.copy()
    env["TSPAR_NUM_THREADS"] = str(threads)
    cmd = [sys.executable, __file__, "--worker", lib, str(file)]
    if out:
        cmd += ["--out", str(out)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{lib} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_wright_fisher(work):
    import tspar.lowlevel as tl
    from conftest import soname

    libpath = tl.LIBRARY_PATH.resolve()
    if not libpath.exists():
        raise SystemExit(f"{libpath} does not exist: run `cargo build --release`")
    (work / soname()).unlink(missing_ok=True)
    (work / soname()).symlink_to(libpath)
    exe = work / "wright_fisher"
    cc = shutil.which("cc") or shutil.which("gcc")
    subprocess.run([cc, "-std=c99", "-O2", "-I", str(REPO / "include"),
                    str(REPO / "examples" / "wright_fisher.c"), "-o", str(exe), str(libpath),
                    "-lm", "-lpthread"], check=True)
    return exe


def make_input(args, work):
    path = work / f"wf_N{args.N}_G{args.G}_L{args.L:g}_r{args.r:g}_u{args.u:g}_rep0.trees"
    if path.exists():
        return path
    exe = Path(args.wright_fisher) if args.wright_fisher else build_wright_fisher(work)
    env = os.environ.copy()
    env["LD_LIBRARY_PATH"] = f"{work}:{env.get('LD_LIBRARY_PATH', '')}"
    prefix = str(path)[: -len("_rep0.trees")]
    t0 = time.perf_counter()
    subprocess.run([str(exe), "-N", str(args.N), "-G", str(args.G), "-L", f"{args.L:g}",
                    "-r", f"{args.r:g}", "-u", f"{args.u:g}", "-k", "0", "-s", "1", "-o", prefix, "-q"],
                   env=env, check=True)
    print(f"simulated {path.name} in {time.perf_counter() - t0:.1f} s", flush=True)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workdir", nargs="?")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("-N", type=int, default=1000)
    parser.add_argument("-G", type=int, default=2000)
    parser.add_argument("-L", type=float, default=1e8)
    parser.add_argument("-r", type=float, default=2e-8)
    parser.add_argument("-u", type=float, default=0.0, help="mutation rate (0: no mutations)")
    parser.add_argument("--wright-fisher")
    parser.add_argument("--worker", nargs=2, metavar=("LIB", "FILE"))
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.worker:
        args.lib, args.file = args.worker
        return worker(args)

    import tskit

    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench_wf_"))
    work.mkdir(parents=True, exist_ok=True)
    path = make_input(args, work)
    threads = [int(t) for t in args.threads.split(",")]
    meta = tskit.TableCollection.load(str(path))
    print(f"input: {path.name}: {meta.nodes.num_rows:,} nodes, {meta.edges.num_rows:,} edges, "
          f"{meta.sites.num_rows:,} sites, {os.path.getsize(path) / 1e6:.0f} MB")
    del meta

    # Identical output first.
    expected_path, got_path = work / "expected.trees", work / "got.trees"
    run_worker("tskit", path, 1, expected_path)
    expected = tskit.TableCollection.load(str(expected_path))
    for t in threads:
        run_worker("tspar", path, t, got_path)
        got = tskit.TableCollection.load(str(got_path))
        if not got.equals(expected, ignore_provenance=True):
            raise SystemExit(f"tspar's sort + simplify at {t} threads differs from tskit's")
    print(f"tspar's output equals tskit's at threads {args.threads} "
          f"({expected.nodes.num_rows:,} nodes, {expected.edges.num_rows:,} edges after simplify)")
    del expected, got

    runs = {("tskit", 1): []}
    runs.update({("tspar", t): [] for t in threads})
    for _ in range(args.repeats):
        for key in runs:
            runs[key].append(run_worker(key[0], path, key[1]))

    def med(key, field):
        return statistics.median(r[field] for r in runs[key])

    sk = {f: med(("tskit", 1), f) for f in ("sort", "simplify", "peak_mb")}
    sk["both"] = statistics.median(r["sort"] + r["simplify"] for r in runs[("tskit", 1)])
    print(f"\nmedians of {args.repeats} fresh processes; seconds, ratio tspar/tskit in brackets")
    print(f"{'':12} {'sort':>15} {'simplify':>15} {'sort+simplify':>15} {'peak MB':>15}")
    print(f"{'tskit':12} {sk['sort']:15.2f} {sk['simplify']:15.2f} {sk['both']:15.2f} {sk['peak_mb']:15.0f}")
    for t in threads:
        key = ("tspar", t)
        s, p, m = med(key, "sort"), med(key, "simplify"), med(key, "peak_mb")
        b = statistics.median(r["sort"] + r["simplify"] for r in runs[key])

        def cell(x, ref, fmt="{:.2f}"):
            return f"{fmt.format(x)} ({x / ref:.2f}x)".rjust(15)

        print(f"{f'tspar {t} thr':12} {cell(s, sk['sort'])} {cell(p, sk['simplify'])} "
              f"{cell(b, sk['both'])} {cell(m, sk['peak_mb'], '{:.0f}')}")
    if not all(r["reset"] for rs in runs.values() for r in rs):
        print("note: this kernel does not allow resetting VmHWM; peaks include the imports")


if __name__ == "__main__":
    main()
