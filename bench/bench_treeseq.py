#!/usr/bin/env python3
"""tspar against tskit on one .trees file: loading, sorting, walking trees.

    python3 bench/bench_treeseq.py FILE.trees [--repeats 5] [--tskit-src DIR]

(i)   tspar_treeseq_load vs tskit.load: each load in a fresh subprocess,
      `--repeats` times; medians, the ratio tspar/tskit, and the peak
      resident memory of each process (and of a process that only imports).
(ii)  Sorting: the file's tables with edges, sites and mutations shuffled
      (references remapped) are sorted by tspar_tables_sort with
      TSPAR_NUM_THREADS=1 and =2 (fresh processes) and by tskit's
      TableCollection.sort; medians and ratios. Targets: <= 1.0x at one
      thread, <= 0.5x at two.
(iii) Tree walk: bench/tree_walk/*.c time a full forward and a full backward
      walk with tspar_tree_next/prev and with tskit's C library, built here
      from tskit's source distribution (downloaded into a temporary
      directory with pip in a temporary venv, unless --tskit-src names an
      unpacked tskit source tree). Trees/s, edges/s and the ratio; target
      <= 1.0x.

The library is target/release/libtspar.{so,a} of this repository (build it
with `cargo build --release` first) or $TSPAR_LIB for the shared one.
Nothing is written into the repository.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = REPO / "python"  # the package from the source tree, unless installed
TSKIT_VERSION = "1.0.3"

# ------------------------------------------------------------ helpers run in subprocesses

LOAD_SCRIPT = r"""
import json, resource, sys, time
sys.path.append(sys.argv[1])
which, path = sys.argv[2], sys.argv[3]
if which == "tspar":
    from tspar.lowlevel import TreeSequence, library
elif which == "tskit":
    import tskit
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if which == "tspar":
    ts = TreeSequence.load(path)
    n = ts.num_trees
elif which == "tskit":
    ts = tskit.load(path)
    n = ts.num_trees
else:
    n = 0
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_kib": peak, "before_kib": before, "num_trees": n}))
"""

SORT_SCRIPT = r"""
import json, sys, time
sys.path.append(sys.argv[1])
which, path = sys.argv[2], sys.argv[3]
if which == "tspar":
    from tspar.lowlevel import Tables
    t = Tables.load(path)
    t0 = time.perf_counter()
    t.sort()
    elapsed = time.perf_counter() - t0
    out = sys.argv[4] if len(sys.argv) > 4 else None
    if out:
        t.dump(out)
else:
    import tskit
    t = tskit.TableCollection.load(path)
    t0 = time.perf_counter()
    t.sort()
    elapsed = time.perf_counter() - t0
    out = sys.argv[4] if len(sys.argv) > 4 else None
    if out:
        t.dump(out)
print(json.dumps({"seconds": elapsed}))
"""


def run_json(args, env=None):
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def median(xs):
    return statistics.median(xs)


def env_with(**kw):
    env = dict(os.environ)
    env.update({k: str(v) for k, v in kw.items()})
    return env


# ------------------------------------------------------------ (i) load


def bench_load(path, repeats):
    print(f"== (i) load: {path}, {repeats} fresh processes each")
    results = {"none": [], "tspar": [], "tskit": []}
    for _ in range(repeats):  # interleaved, so all see the same machine load
        for which in results:
            results[which].append(run_json([sys.executable, "-c", LOAD_SCRIPT, str(PYTHON), which, str(path)]))
    base_peak = median([r["peak_kib"] for r in results["none"]])
    for which in ("tspar", "tskit"):
        secs = [r["seconds"] for r in results[which]]
        peak = median([r["peak_kib"] for r in results[which]])
        print(
            f"  {which:6s} median {median(secs):.3f} s  (runs {', '.join(f'{s:.3f}' for s in secs)})"
            f"  peak RSS {peak / 1024:.0f} MiB ({(peak - base_peak) / 1024:.0f} MiB above an import-only process)"
        )
    ratio = median([r["seconds"] for r in results["tspar"]]) / median([r["seconds"] for r in results["tskit"]])
    print(f"  ratio tspar/tskit {ratio:.2f}")
    return ratio


# ------------------------------------------------------------ (ii) sort


def shuffled_file(path, out, seed=1):
    """The file's tables with edges, sites and mutations permuted (sites
    referenced by mutations and mutation parents remapped), written to `out`."""
    import numpy as np
    import tskit

    t = tskit.TableCollection.load(path)
    rng = np.random.default_rng(seed)

    def ragged(data, offsets, order):
        offsets = offsets.astype(np.int64)
        lengths = np.diff(offsets)[order]
        new_offsets = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lengths, out=new_offsets[1:])
        starts = offsets[:-1][order]
        idx = np.repeat(starts - new_offsets[:-1], lengths) + np.arange(new_offsets[-1])
        return data[idx], new_offsets.astype(np.uint64)

    e = t.edges
    o = rng.permutation(e.num_rows)
    md, mo = ragged(e.metadata, e.metadata_offset, o)
    e.set_columns(left=e.left[o], right=e.right[o], parent=e.parent[o], child=e.child[o], metadata=md, metadata_offset=mo)

    s = t.sites
    o = rng.permutation(s.num_rows)
    new_site = np.empty_like(o)
    new_site[o] = np.arange(o.size)
    a, ao = ragged(s.ancestral_state, s.ancestral_state_offset, o)
    md, mo = ragged(s.metadata, s.metadata_offset, o)
    s.set_columns(position=s.position[o], ancestral_state=a, ancestral_state_offset=ao, metadata=md, metadata_offset=mo)

    m = t.mutations
    o = rng.permutation(m.num_rows)
    new_mut = np.empty_like(o)
    new_mut[o] = np.arange(o.size)
    parent = m.parent[o]
    parent = np.where(parent >= 0, new_mut[np.maximum(parent, 0)], -1).astype(np.int32)
    d, do = ragged(m.derived_state, m.derived_state_offset, o)
    md, mo = ragged(m.metadata, m.metadata_offset, o)
    m.set_columns(
        site=new_site[m.site[o]].astype(np.int32),
        node=m.node[o],
        parent=parent,
        time=m.time[o],
        derived_state=d,
        derived_state_offset=do,
        metadata=md,
        metadata_offset=mo,
    )
    t.drop_index()
    t.dump(out)


def bench_sort(path, repeats, tmp):
    print(f"== (ii) sort: {path} with edges, sites and mutations shuffled; {repeats} fresh processes each")
    shuffled = tmp / "shuffled.trees"
    shuffled_file(path, shuffled)
    # Same result as tskit, once, before timing.
    run_json([sys.executable, "-c", SORT_SCRIPT, str(PYTHON), "tspar", str(shuffled), str(tmp / "a.trees")],
             env=env_with(TSPAR_NUM_THREADS=2))
    run_json([sys.executable, "-c", SORT_SCRIPT, str(PYTHON), "tskit", str(shuffled), str(tmp / "b.trees")])
    import tskit

    same = tskit.TableCollection.load(tmp / "a.trees").equals(tskit.TableCollection.load(tmp / "b.trees"))
    print(f"  tspar's sorted tables equal tskit's: {same}")
    configs = (
        ("tskit", "tskit", None),
        ("tspar 1 thread", "tspar", env_with(TSPAR_NUM_THREADS=1)),
        ("tspar 2 threads", "tspar", env_with(TSPAR_NUM_THREADS=2)),
    )
    runs = {label: [] for label, _, _ in configs}
    for _ in range(repeats):  # interleaved
        for label, which, env in configs:
            cmd = [sys.executable, "-c", SORT_SCRIPT, str(PYTHON), which, str(shuffled)]
            runs[label].append(run_json(cmd, env=env)["seconds"])
    times = {}
    for label, _, _ in configs:
        secs = runs[label]
        times[label] = median(secs)
        print(f"  {label:16s} median {median(secs):.3f} s  (runs {', '.join(f'{s:.3f}' for s in secs)})")
    r1 = times["tspar 1 thread"] / times["tskit"]
    r2 = times["tspar 2 threads"] / times["tskit"]
    print(f"  ratio 1 thread {r1:.2f} (target <= 1.0), 2 threads {r2:.2f} (target <= 0.5)")
    return same, r1, r2


# ------------------------------------------------------------ (iii) tree walk


def tskit_sources(tmp, given):
    """An unpacked tskit source tree: `given`, or tskit's sdist fetched with
    pip in a temporary venv."""
    if given:
        return Path(given)
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", "--upgrade", "pip", "setuptools", "numpy"], check=True)
    dl = tmp / "sdist"
    subprocess.run(
        [py, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "--no-build-isolation",
         f"tskit=={TSKIT_VERSION}", "-d", str(dl)],
        check=True,
    )
    archive = next(dl.glob(f"tskit-{TSKIT_VERSION}.tar.gz"))
    shutil.unpack_archive(str(archive), str(tmp / "src"))
    return tmp / "src" / f"tskit-{TSKIT_VERSION}"


def build_walkers(tmp, tskit_src):
    cc = os.environ.get("CC", "cc")
    walk = REPO / "bench" / "tree_walk"
    lib = REPO / "target" / "release" / "libtspar.a"
    if not lib.exists():
        raise SystemExit(f"{lib} is missing: run `cargo build --release` first")
    tspar_bin, tskit_bin = tmp / "walk_tspar", tmp / "walk_tskit"
    subprocess.run(
        [cc, "-O2", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", f"-I{REPO / 'include'}",
         str(walk / "walk_tspar.c"), str(lib), "-lpthread", "-ldl", "-lm", "-o", str(tspar_bin)],
        check=True,
    )
    libdir = tskit_src / "lib"
    sources = sorted(str(p) for p in (libdir / "tskit").glob("*.c"))
    sources.append(str(libdir / "subprojects" / "kastore" / "kastore.c"))
    subprocess.run(
        [cc, "-O2", "-std=c99", f"-I{libdir}", f"-I{libdir / 'subprojects' / 'kastore'}", str(walk / "walk_tskit.c"),
         *sources, "-lm", "-o", str(tskit_bin)],
        check=True,
    )
    return tspar_bin, tskit_bin


def parse(line):
    return {k: float(v) for k, v in (kv.split("=") for kv in line.split())}


def bench_walk(path, repeats, tmp, tskit_src):
    print(f"== (iii) tree walk: {path}, {repeats} runs each (tskit {TSKIT_VERSION} C library, -O2)")
    tspar_bin, tskit_bin = build_walkers(tmp, tskit_sources(tmp, tskit_src))
    runs = {"tspar": [], "tskit": []}
    for _ in range(repeats):  # interleaved, so both see the same machine load
        for which, exe in (("tspar", tspar_bin), ("tskit", tskit_bin)):
            out = subprocess.run([str(exe), str(path)], check=True, capture_output=True, text=True).stdout
            runs[which].append(parse(out.strip()))
    checks = {int(r["checksum"]) for rs in runs.values() for r in rs}
    print(f"  same roots seen by both walks: {len(checks) == 1}")
    med = {}
    for which, rs in runs.items():
        trees, edges = rs[0]["trees"], rs[0]["edges"]
        for direction in ("forward", "backward"):
            t = median([r[direction] for r in rs])
            med[which, direction] = t
            print(f"  {which} {direction:8s} median {t:.3f} s  {trees / t:,.0f} trees/s  {edges / t:,.0f} edges/s")
    ratios = {d: med["tspar", d] / med["tskit", d] for d in ("forward", "backward")}
    print(f"  ratio tspar/tskit forward {ratios['forward']:.2f}, backward {ratios['backward']:.2f} (target <= 1.0)")
    return ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path, help="a .trees file (e.g. the 'medium' benchmark file)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tskit-src", help="an unpacked tskit source tree, instead of downloading the sdist")
    ap.add_argument("--only", choices=["load", "sort", "walk"], action="append")
    args = ap.parse_args()
    parts = args.only or ["load", "sort", "walk"]
    with tempfile.TemporaryDirectory(prefix="tspar-bench-") as tmp:
        tmp = Path(tmp)
        if "load" in parts:
            bench_load(args.file, args.repeats)
        if "sort" in parts:
            bench_sort(args.file, args.repeats, tmp)
        if "walk" in parts:
            bench_walk(args.file, args.repeats, tmp, args.tskit_src)


if __name__ == "__main__":
    main()
