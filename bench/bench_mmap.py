"""Memory of N processes that load the same file and compute one statistic:
tspar's mapped load (``tspar.load(path, mmap=True)``), tspar's copying load
and tskit's load, for N = 1, 2 and 4.

    python bench/bench_mmap.py FILE [--procs 1,2,4] [--threads 1] [--modes mmap,copy,tskit]

Each worker is a fresh Python process (``python bench_mmap.py --worker``)
that loads the file, computes site diversity over all samples, reports its
load and statistic times and waits. Once every worker of a run is waiting,
the parent sums the proportional set size (PSS, /proc/PID/smaps_rollup) of
the workers, then lets them exit. PSS divides every shared page (the mapped
file's page cache pages, the interpreter's and libraries' text) between the
processes that share it, so the sum is what the N processes cost the
machine together. An "idle" run (workers that only import tspar and tskit)
gives the interpreter's own share, printed for reference.

The page cache that a copying load reads through is not in any process's
PSS (it is the kernel's and can be dropped); a mapped load's pages are.
"""

import argparse
import os
import subprocess
import sys
import time


def worker(mode, path, threads):
    import tskit  # noqa: F401  (every mode imports both: the same baseline)

    import tspar

    t0 = time.perf_counter()
    if mode == "mmap":
        ts = tspar.load(path, mmap=True, num_threads=threads)
    elif mode == "copy":
        ts = tspar.load(path, num_threads=threads)
    elif mode == "tskit":
        ts = tskit.load(path)
    else:
        ts = None
    t1 = time.perf_counter()
    if mode in ("mmap", "copy"):
        value = ts.diversity(num_threads=threads)
    elif mode == "tskit":
        value = ts.diversity()
    else:
        value = 0.0
    t2 = time.perf_counter()
    print(f"ready {os.getpid()} {t1 - t0:.4f} {t2 - t1:.4f} {float(value)!r}", flush=True)
    sys.stdin.readline()


def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    raise RuntimeError(f"no Pss line for {pid}")


def run(mode, path, n, threads):
    env = dict(os.environ, TSPAR_NUM_THREADS=str(threads))
    procs = [
        subprocess.Popen([sys.executable, __file__, "--worker", mode, path, str(threads)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(n)
    ]
    reports = []
    for p in procs:
        line = p.stdout.readline().split()
        if not line or line[0] != "ready":
            raise RuntimeError(f"worker failed: {line}")
        reports.append((int(line[1]), float(line[2]), float(line[3]), float(line[4])))
    pss = sum(pss_kib(pid) for pid, *_ in reports)
    for p in procs:
        p.stdin.write("\n")
        p.stdin.flush()
    for p in procs:
        p.wait()
    values = {r[3] for r in reports}
    return pss, [r[1] for r in reports], [r[2] for r in reports], values


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--procs", default="1,2,4")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--modes", default="mmap,copy,tskit")
    a = p.parse_args()
    procs = [int(x) for x in a.procs.split(",")]
    modes = a.modes.split(",")
    size = os.path.getsize(a.file)
    print(f"file {os.path.basename(a.file)}: {size / 2**20:.1f} MiB; {a.threads} thread(s) per worker; "
          f"statistic: site diversity of all samples; load average {os.getloadavg()[0]:.2f}")
    print(f"{'mode':<6} {'procs':>5} {'total PSS MiB':>13} {'PSS/proc MiB':>12} "
          f"{'load s (each)':>28} {'diversity s (max)':>17}")
    table = {}
    for n in procs:
        for mode in ["idle"] + modes:
            pss, loads, stats, values = run(mode, a.file, n, a.threads)
            table[mode, n] = pss
            loads_s = " ".join(f"{x:.2f}" for x in loads)
            print(f"{mode:<6} {n:>5} {pss / 1024:>13.1f} {pss / 1024 / n:>12.1f} {loads_s:>28} "
                  f"{max(stats):>17.2f}", flush=True)
            if len(values) != 1:
                print(f"  workers disagree: {values}")
    for n in procs:
        if ("mmap", n) in table and ("copy", n) in table:
            r = table["mmap", n] / table["copy", n]
            line = f"{n} procs: total PSS mapped / copying = {r:.2f}"
            if ("tskit", n) in table:
                line += f"; mapped / tskit = {table['mmap', n] / table['tskit', n]:.2f}"
                line += f"; copying / tskit = {table['copy', n] / table['tskit', n]:.2f}"
            idle = table["idle", n]
            line += (f"; without the idle interpreters: mapped / copying = "
                     f"{(table['mmap', n] - idle) / (table['copy', n] - idle):.2f}")
            print(line)


if __name__ == "__main__":
    main()
