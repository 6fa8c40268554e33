"""The parallelization tutorial's task, and the Python call overhead, in one
run, as ratios.

1. Call overhead: a small statistic (diversity of 10 samples of a small
   tree sequence, site mode, one thread) called from Python through the
   tspar package against the same call from C (bench/call_overhead.c,
   compiled here against include/tspar.h and the package's library).
2. The task of docs/parallelization.md on a file (the ``medium`` file of
   make_data.py): divergence and Fst over all population pairs, in ten
   windows, site and branch mode — tspar in one call at 1 and 2 threads,
   tspar with a 2-thread pool over the pairs, tskit with a 2-thread pool
   and with 2 processes. The code run is the tutorial's own (its python
   blocks). tskit's pools are timed on ``--tskit-pairs`` pairs and scaled
   to all pairs (linear: each pair is one fixed pass over the trees);
   tspar's thread pool likewise with ``--tspar-pool-pairs``.

Prints every time, the ratios against tskit's best parallel time, and
writes a bar chart (``--plot``, PNG) of the times.

    python bench/bench_parallel.py FILE [--tskit-pairs 10] [--plot docs/parallelization.png] [--json]
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
try:  # the installed tspar package, else the one in the source tree
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(REPO / "python"))

import msprime  # noqa: E402
import numpy as np  # noqa: E402
import tskit  # noqa: E402

import tspar  # noqa: E402,F811
import tspar.lowlevel as ll  # noqa: E402


def tutorial(tmp):
    blocks = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "parallelization.md").read_text(), re.S)
    path = Path(tmp) / "parallelization_tutorial.py"
    path.write_text("\n\n".join(blocks))
    spec = importlib.util.spec_from_file_location("parallelization_tutorial", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def call_overhead(tmp, reps):
    ts = msprime.sim_ancestry(10, sequence_length=1e4, population_size=1e4, recombination_rate=1e-8,
                              random_seed=1)
    ts = msprime.sim_mutations(ts, rate=1e-8, random_seed=2)
    path = Path(tmp) / "tiny.trees"
    ts.dump(path)
    cc = shutil.which("cc") or shutil.which("gcc")
    exe = Path(tmp) / "call_overhead"
    lib = ll.LIBRARY_PATH.resolve()
    subprocess.run([cc, "-O2", "-std=c99", "-I", str(REPO / "include"), str(REPO / "bench" / "call_overhead.c"),
                    "-o", str(exe), str(lib), f"-Wl,-rpath,{lib.parent}"], check=True)
    # The loader looks for the SONAME next to the library: give it one.
    soname = subprocess.run(["objdump", "-p", str(lib)], capture_output=True, text=True).stdout
    m = re.search(r"SONAME\s+(\S+)", soname)
    env = dict(os.environ)
    if m and not (lib.parent / m.group(1)).exists():
        (Path(tmp) / m.group(1)).symlink_to(lib)
        env["LD_LIBRARY_PATH"] = f"{tmp}:{env.get('LD_LIBRARY_PATH', '')}"
    c_times = []
    for _ in range(5):
        out = subprocess.run([str(exe), str(path), "10", str(reps)], capture_output=True, text=True, env=env,
                             check=True).stdout.split()
        c_times.append(float(out[0]))
        c_value = float(out[1])
    tsp = tspar.load(path)
    sets = [tsp.samples()[:10]]
    py_value = tsp.diversity(sets, num_threads=1)[0]
    assert abs(py_value - c_value) <= 1e-12 * abs(c_value), (py_value, c_value)
    py = min(timeit.repeat(lambda: tsp.diversity(sets, num_threads=1), number=reps, repeat=5)) / reps
    low = tsp._ll
    ex = ll.Exec(1)
    raw = min(timeit.repeat(lambda: low.one_way("diversity", sets, exec=ex), number=reps, repeat=5)) / reps
    tk = tskit.load(path)
    tk_time = min(timeit.repeat(lambda: tk.diversity(sets), number=reps, repeat=5)) / reps
    return {"c": min(c_times), "python": py, "python_lowlevel": raw, "tskit_python": tk_time}


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def task(args, tut):
    ts = tspar.load(args.file)
    tts = tskit.load(args.file)
    pairs = tut.all_pairs(tut.populations(tts))
    rows = {}
    check = {}
    for mode in ["site", "branch"]:
        for threads in [1, 2]:
            t, out = timed(lambda: tut.one_call(ts, mode=mode, num_threads=threads))
            rows[("tspar one call", threads, mode)] = (t, len(pairs))
            check[mode] = out
        sub = pairs[: args.tspar_pool_pairs]
        t, out = timed(lambda: tut.thread_pool(ts, mode=mode, workers=2, pairs=sub, num_threads=1))
        rows[("tspar 2-thread pool", 2, mode)] = (t * len(pairs) / len(sub), len(sub))
        idx = [pairs.index(p) for p in sub]
        np.testing.assert_allclose(out[0], check[mode][0][:, idx], rtol=1e-12)
        sub = pairs[: args.tskit_pairs]
        idx = [pairs.index(p) for p in sub]
        t, out = timed(lambda: tut.thread_pool(tts, mode=mode, workers=2, pairs=sub))
        rows[("tskit 2-thread pool", 2, mode)] = (t * len(pairs) / len(sub), len(sub))
        np.testing.assert_allclose(out[0], check[mode][0][:, idx], rtol=1e-9)
        np.testing.assert_allclose(out[1], check[mode][1][:, idx], rtol=1e-9)
        t, out = timed(lambda: tut.process_pool(args.file, tskit.load, mode=mode, workers=2, pairs=sub))
        rows[("tskit 2 processes", 2, mode)] = (t * len(pairs) / len(sub), len(sub))
        np.testing.assert_allclose(out[0], check[mode][0][:, idx], rtol=1e-9)
    return rows, len(pairs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", default=os.environ.get("TSPAR_BENCH_DATA"))
    ap.add_argument("--tskit-pairs", type=int, default=10)
    ap.add_argument("--tspar-pool-pairs", type=int, default=40)
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--plot")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.file:
        sys.exit("give a .trees file (the medium file of make_data.py) or set TSPAR_BENCH_DATA")
    with tempfile.TemporaryDirectory() as tmp:
        over = call_overhead(tmp, args.reps)
        tut = tutorial(tmp)
        rows, npairs = task(args, tut)
    print("== call overhead: diversity of 10 samples, tiny tree sequence, one thread")
    print(f"  C                     {over['c'] * 1e6:9.2f} us/call")
    print(f"  Python (tspar)        {over['python'] * 1e6:9.2f} us/call   ratio to C {over['python'] / over['c']:.2f}")
    print(f"  Python (lowlevel)     {over['python_lowlevel'] * 1e6:9.2f} us/call   ratio to C "
          f"{over['python_lowlevel'] / over['c']:.2f}")
    print(f"  Python (tskit)        {over['tskit_python'] * 1e6:9.2f} us/call   ratio tspar/tskit "
          f"{over['python'] / over['tskit_python']:.2f}")
    print(f"== the tutorial's task: divergence and Fst, {npairs} pairs, 10 windows ({args.file})")
    table = []
    for mode in ["site", "branch"]:
        best_tskit = min(rows[(k, 2, mode)][0] for k in ["tskit 2-thread pool", "tskit 2 processes"])
        for (name, threads, m), (t, measured) in rows.items():
            if m != mode:
                continue
            scaled = "" if measured == npairs else f" (timed on {measured} pairs, scaled)"
            table.append((mode, name, threads, t, t / best_tskit, scaled))
            print(f"  {mode:6s} {name:22s} threads {threads}  {t:8.2f} s   / tskit best parallel "
                  f"{t / best_tskit:6.3f}{scaled}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for ax, mode in zip(axes, ["site", "branch"]):
            items = [(f"{n}\n({th} thr)" if n.startswith("tspar one") else n, t) for m, n, th, t, _, _ in table
                     if m == mode]
            ax.barh([i[0] for i in items], [i[1] for i in items],
                    color=["tab:blue" if "tspar" in i[0] else "tab:orange" for i in items])
            ax.set_xscale("log")
            ax.set_xlabel("seconds (log scale)")
            ax.set_title(f"{mode} mode: divergence + Fst, {npairs} pairs")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)
        print(f"plot written to {args.plot}")
    if args.json:
        print(json.dumps({"call_overhead": over,
                          "task": [dict(mode=m, name=n, threads=th, seconds=t, ratio_to_tskit_best=r)
                                   for m, n, th, t, r, _ in table]}))


if __name__ == "__main__":
    main()
