#!/usr/bin/env python3
"""Genotypes out, tspar against tskit in one run: the genotype matrix, VCF
(plain and BGZF) and the genealogical nearest neighbours, with times as
ratios (tspar / tskit) and peak memory.

usage: python3 bench/bench_genotypes.py FILE [--matrix-sites N] [--vcf-sites N]
           [--gnn-fraction F] [--threads 1,2] [--repeats R] [--json]

Each measurement runs in a fresh Python process that loads its input,
resets its peak resident set (VmHWM through /proc/self/clear_refs), makes
the one call and reports the time and the peak above the loaded baseline.

A full genotype matrix or VCF of a large file does not fit in memory or on
disk (medium: 674,416 sites x 20,000 samples is 13.5 G genotypes, about
27 GB of VCF text), so each part runs on the start of the genome: the file
cut with tskit's keep_intervals([[0, x]], simplify=False) at the position
of site N (or at fraction F of the genome for GNN), written next to the
input's temporary copies, and given to both libraries. Both then do
exactly the same work (the cut keeps every node; the rest of the genome is
one empty tree). The VCF is written as tskit writes it by default for a
file with individuals (diploids here); the two outputs are checked to be
the same bytes but the ##source line.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
try:
    import tspar  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "python"))


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _vcf_digest(path):
    """SHA-256 of a VCF without its ##source line."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for j, line in enumerate(f):
            if j == 1:
                assert line.startswith(b"##source="), line
                continue
            h.update(line)
    return h.hexdigest()


def worker(spec):
    import numpy as np
    import tskit

    import tspar

    lib, op, threads, path, out = spec["lib"], spec["op"], spec["threads"], spec["file"], spec.get("out")
    ts = tskit.load(path) if lib == "tskit" else tspar.load(path, num_threads=threads)
    pops = None
    if op == "gnn":
        tk = ts if lib == "tskit" else tskit.load(path)
        pops = [tk.samples(population=p) for p in range(tk.num_populations)]
        pops = [p for p in pops if len(p) > 0]
        focal = tk.samples()
        del tk
    if lib == "tspar":
        # Start the pool outside the timing.
        ts.diversity(num_threads=threads) if threads > 1 else None
    import gc

    gc.collect()
    ok = _reset_peak()
    base = _status_kb("VmRSS")
    t0 = time.perf_counter()
    if op == "matrix":
        if lib == "tskit":
            result = ts.genotype_matrix()
        else:
            result = ts.genotype_matrix(num_threads=threads)
        shape = list(result.shape)
    elif op in ("vcf", "vcf-bgzf"):
        if lib == "tskit":
            with open(out, "w") as f:
                ts.write_vcf(f)
        else:
            ts.write_vcf(out, bgzf=op == "vcf-bgzf", num_threads=threads)
        shape = [os.path.getsize(out)]
    elif op == "gnn":
        if lib == "tskit":
            result = ts.genealogical_nearest_neighbours(focal, pops, num_threads=threads)
        else:
            result = ts.genealogical_nearest_neighbours(focal, pops, num_threads=threads)
        shape = list(result.shape)
        np.save(out, result)
    else:
        raise ValueError(op)
    elapsed = time.perf_counter() - t0
    peak = _status_kb("VmHWM") if ok else None
    return {"time": elapsed, "peak_mb": None if peak is None else (peak - base) / 1024, "shape": shape}


def run_worker(spec):
    r = subprocess.run([sys.executable, __file__, "--worker", json.dumps(spec)], capture_output=True, text=True,
                       env={**os.environ, "TSPAR_NUM_THREADS": str(spec["threads"])})
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def cut(src, dst, right):
    import tskit

    ts = tskit.load(src)
    sub = ts.keep_intervals([[0, right]], simplify=False)
    sub.dump(dst)
    return sub.num_sites, sub.num_trees


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", default=os.environ.get("TSPAR_BENCH_DATA"))
    ap.add_argument("--matrix-sites", type=int, default=20_000)
    ap.add_argument("--vcf-sites", type=int, default=10_000)
    ap.add_argument("--gnn-fraction", type=float, default=0.01)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    import numpy as np
    import tskit

    threads = [int(t) for t in args.threads.split(",")]
    ts = tskit.load(args.file)
    L, pos = ts.sequence_length, ts.sites_position
    tmp = Path(tempfile.mkdtemp(prefix="bench_genotypes_", dir=os.environ.get("TMPDIR")))
    results = {}

    def best(spec):
        runs = [run_worker(spec) for _ in range(args.repeats)]
        return min(runs, key=lambda r: r["time"])

    def report(name, tk, tp_by_threads):
        rows = []
        for t, r in tp_by_threads.items():
            rows.append({"case": name, "threads": t, "tspar_s": r["time"], "tskit_s": tk["time"],
                         "ratio": r["time"] / tk["time"], "tspar_peak_mb": r["peak_mb"],
                         "tskit_peak_mb": tk["peak_mb"]})
        results[name] = rows
        if not args.json:
            for row in rows:
                print(f"{name:34s} threads={row['threads']}  tspar {row['tspar_s']:8.3f} s  tskit "
                      f"{row['tskit_s']:8.3f} s  ratio {row['ratio']:.3f}  peak MB tspar "
                      f"{row['tspar_peak_mb']:.0f} tskit {row['tskit_peak_mb']:.0f}", flush=True)

    # Genotype matrix.
    n = min(args.matrix_sites, ts.num_sites)
    f = tmp / "matrix.trees"
    right = L if n == ts.num_sites else float(pos[n])
    sites, trees = cut(args.file, f, right)
    if not args.json:
        print(f"# genotype matrix: first {sites} sites ({trees} trees), {ts.num_samples} samples, int32")
    tk = best({"lib": "tskit", "op": "matrix", "threads": 1, "file": str(f)})
    report("genotype_matrix", tk, {t: best({"lib": "tspar", "op": "matrix", "threads": t, "file": str(f)})
                                   for t in threads})

    # VCF, diploids (the file's individuals).
    n = min(args.vcf_sites, ts.num_sites)
    f = tmp / "vcf.trees"
    right = L if n == ts.num_sites else float(pos[n])
    sites, trees = cut(args.file, f, right)
    if not args.json:
        print(f"# VCF: first {sites} sites, {ts.num_individuals} individuals")
    out_tk = tmp / "tskit.vcf"
    tk = best({"lib": "tskit", "op": "vcf", "threads": 1, "file": str(f), "out": str(out_tk)})
    want = _vcf_digest(out_tk)
    out_tk.unlink()
    plain, bgzf = {}, {}
    for t in threads:
        out = tmp / "tspar.vcf"
        plain[t] = best({"lib": "tspar", "op": "vcf", "threads": t, "file": str(f), "out": str(out)})
        assert _vcf_digest(out) == want, "tspar's VCF differs from tskit's"
        out.unlink()
        outz = tmp / "tspar.vcf.gz"
        bgzf[t] = best({"lib": "tspar", "op": "vcf-bgzf", "threads": t, "file": str(f), "out": str(outz)})
        outz.unlink()
    report("write_vcf", tk, plain)
    report("write_vcf bgzf (vs tskit plain)", tk, bgzf)

    # GNN of all samples against the populations.
    f = tmp / "gnn.trees"
    sites, trees = cut(args.file, f, L * args.gnn_fraction)
    if not args.json:
        print(f"# GNN: first {args.gnn_fraction:g} of the genome ({trees} trees), all {ts.num_samples} samples "
              f"against {ts.num_populations} populations (those with samples); tskit num_threads=2")
    tk = best({"lib": "tskit", "op": "gnn", "threads": 2, "file": str(f), "out": str(tmp / "tk.npy")})
    gnn = {t: best({"lib": "tspar", "op": "gnn", "threads": t, "file": str(f), "out": str(tmp / f"tp{t}.npy")})
           for t in threads}
    a = np.load(tmp / "tk.npy")
    for t in threads:
        b = np.load(tmp / f"tp{t}.npy")
        assert np.allclose(a, b, rtol=1e-9, atol=1e-12), "GNN differs from tskit's"
    report("genealogical_nearest_neighbours", tk, gnn)
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
