#!/usr/bin/env python3
"""Load and dump of a .trees file: tspar against tskit, side by side.

usage: python3 bench/bench_io.py [FILE] [--repeats 5] [--threads 1,2] [--out-dir DIR]

FILE defaults to $TSPAR_BENCH_DATA. Make the standard `medium` file with the
project's data script (msprime, fixed seeds, about 140 MB):

    python3 <shared>/bench/make_data.py OUTDIR medium      # writes OUTDIR/medium.trees

The library is $TSPAR_LIB, else target/release/libtspar.so (build it with
`cargo build --release` first).

What is measured (see bench/README.md for the method):
  * time: tspar_tables_load against tskit.TableCollection.load, and
    tspar_tables_dump against TableCollection.dump, to a new file and over an
    existing one; each repeat runs the two libraries one after the other on
    the same warm file, and the medians are compared. Each thread count runs
    in a fresh process with TSPAR_NUM_THREADS set (tskit is single-threaded
    and is timed in the same process, so every ratio compares one run).
  * peak memory of a load: in a fresh process per library (and per thread
    count for tspar), after importing everything and loading the library,
    the peak resident set is reset (or, where the kernel does not allow it,
    read) as the baseline; the load's cost is the peak afterwards minus the
    resident set before the load.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "oracle"))

try:  # the installed tspar package, else the one in the source tree
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))


# ------------------------------------------------------------ memory


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak():
    """Resets the peak resident set (VmHWM) to the current one; False where
    the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def worker_memory(args):
    import gc

    import numpy  # noqa: F401  (both workers import the same modules)
    import tskit

    import tspar.lowlevel as tl

    tl.library
    gc.collect()
    reset = _reset_peak()
    before = _status_kb("VmRSS")
    peak_before = _status_kb("VmHWM")
    if args.lib == "tspar":
        tables = tl.Tables.load(args.file)
    else:
        tables = tskit.TableCollection.load(args.file)
    peak = _status_kb("VmHWM")
    after = _status_kb("VmRSS")
    print(
        json.dumps(
            {
                "reset": reset,
                "rss_before_kb": before,
                "peak_before_kb": peak_before,
                "peak_kb": peak,
                "rss_after_kb": after,
                # With a reset, the peak before the load is the resident set;
                # without, the import phase's peak may hide part of the load's.
                "load_peak_kb": peak - before,
                "held_kb": after - before,
            }
        )
    )
    del tables


# ------------------------------------------------------------ time


def worker_time(args):
    import tskit

    import tspar.lowlevel as tl

    lib = tl.library
    out = Path(args.out_dir)
    ours_new, theirs_new = out / "tspar_new.trees", out / "tskit_new.trees"
    ours_old, theirs_old = out / "tspar_existing.trees", out / "tskit_existing.trees"

    def timed(fn):
        t0 = time.perf_counter()
        result = fn()
        return time.perf_counter() - t0, result

    # Warm the page cache and both libraries (and tspar's thread pool).
    tl.Tables.load(args.file).free()
    tskit.TableCollection.load(args.file)

    ours = tl.Tables.load(args.file)
    theirs = tskit.TableCollection.load(args.file)
    ours.dump(ours_old)
    theirs.dump(theirs_old)

    def tspar_load():
        a, t = timed(lambda: tl.Tables.load(args.file))
        t.free()
        return a

    def tskit_load():
        b, t = timed(lambda: tskit.TableCollection.load(args.file))
        del t
        return b

    def dump_new(dump, path):
        if path.exists():
            path.unlink()
        return timed(lambda: dump(path))[0]

    steps = {
        "load": (tspar_load, tskit_load),
        "dump_new": (lambda: dump_new(ours.dump, ours_new), lambda: dump_new(theirs.dump, theirs_new)),
        "dump_existing": (lambda: timed(lambda: ours.dump(ours_old))[0], lambda: timed(lambda: theirs.dump(theirs_old))[0]),
    }
    times = {k: [] for k in steps}
    for r in range(args.repeats):
        for op, (mine, other) in steps.items():
            # Alternate which library goes first, so that neither always
            # runs just after the other's writes.
            if r % 2 == 0:
                a, b = mine(), other()
            else:
                b, a = other(), mine()
            times[op].append((a, b))

    # The files written must be what tskit expects: same tables.
    check = tskit.TableCollection.load(ours_new)
    assert check.equals(theirs), "tspar's dump differs from the tables tskit loaded"
    ours.free()
    for p in (ours_new, theirs_new, ours_old, theirs_old):
        p.unlink()
    print(json.dumps({"threads": os.environ.get("TSPAR_NUM_THREADS"), "times": times}))


# ------------------------------------------------------------ driver


def run_worker(mode, file, threads, extra=()):
    env = dict(os.environ, TSPAR_NUM_THREADS=str(threads))
    cmd = [sys.executable, __file__, "--worker", mode, str(file), *extra]
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=os.environ.get("TSPAR_BENCH_DATA"))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--out-dir", default=None, help="where dumps are written (default: beside FILE)")
    ap.add_argument("--worker", choices=["time", "memory"], help=argparse.SUPPRESS)
    ap.add_argument("--lib", choices=["tspar", "tskit"], help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="also print the raw figures as JSON")
    args = ap.parse_args()
    if not args.file:
        ap.error("give the .trees file as an argument or in TSPAR_BENCH_DATA")
    args.file = str(Path(args.file).resolve())
    if args.worker == "time":
        return worker_time(args)
    if args.worker == "memory":
        return worker_memory(args)

    import tspar.lowlevel as tl

    if not tl.LIBRARY_PATH.exists():
        sys.exit(f"{tl.LIBRARY_PATH} not found: run `cargo build --release` or set TSPAR_LIB")
    threads = [int(x) for x in args.threads.split(",")]
    size_mb = os.path.getsize(args.file) / 1e6
    raw = {"file": args.file, "bytes": os.path.getsize(args.file), "repeats": args.repeats, "time": {}, "memory": {}}

    with tempfile.TemporaryDirectory(dir=args.out_dir or Path(args.file).parent, prefix="bench_io_") as out:
        for n in threads:
            raw["time"][n] = run_worker("time", args.file, n, ["--repeats", str(args.repeats), "--out-dir", out])["times"]
    for n in threads:
        raw["memory"][f"tspar_{n}"] = run_worker("memory", args.file, n, ["--lib", "tspar"])
    raw["memory"]["tskit"] = run_worker("memory", args.file, 1, ["--lib", "tskit"])

    print(f"file: {Path(args.file).name} ({size_mb:.1f} MB), {args.repeats} repeats: medians, ratio of medians, minimums")
    print(f"{'threads':>7}  {'operation':<16} {'tspar s':>9} {'tskit s':>9} {'tspar/tskit':>12}   {'min tspar':>9} {'min tskit':>9}")
    labels = {"load": "load", "dump_new": "dump (new file)", "dump_existing": "dump (existing)"}
    for n in threads:
        for op, label in labels.items():
            pairs = raw["time"][n][op]
            a = statistics.median(p[0] for p in pairs)
            b = statistics.median(p[1] for p in pairs)
            lo_a, lo_b = min(p[0] for p in pairs), min(p[1] for p in pairs)
            print(f"{n:>7}  {label:<16} {a:>9.3f} {b:>9.3f} {a / b:>12.2f}   {lo_a:>9.3f} {lo_b:>9.3f}")
    tk = raw["memory"]["tskit"]
    print()
    print("peak memory of a load, above the process's resident set before it (MB):")
    print(f"{'library':>12} {'peak':>9} {'held after':>11} {'vs tskit':>9}")
    for n in threads:
        m = raw["memory"][f"tspar_{n}"]
        print(
            f"{f'tspar {n}t':>12} {m['load_peak_kb'] / 1024:>9.1f} {m['held_kb'] / 1024:>11.1f}"
            f" {m['load_peak_kb'] / tk['load_peak_kb']:>9.2f}"
        )
    print(f"{'tskit':>12} {tk['load_peak_kb'] / 1024:>9.1f} {tk['held_kb'] / 1024:>11.1f} {1.0:>9.2f}")
    if not all(m["reset"] for m in raw["memory"].values()):
        print("(peak RSS could not be reset: peaks are measured against the peak after imports)")
    if args.json:
        print(json.dumps(raw))


if __name__ == "__main__":
    main()
