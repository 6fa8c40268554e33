"""Threads, processes, pickling and Ctrl-C."""

import concurrent.futures
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import tspar
from conftest import pop_sets


def test_thread_pool_equals_serial(islands):
    ts, tsp = islands
    sets = pop_sets(ts)
    pairs = [(i, j) for i in range(len(sets)) for j in range(i, len(sets))]
    serial = [tsp.divergence(sets, indexes=p, windows="trees", mode=m) for p in pairs for m in ["site", "branch"]]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(tsp.divergence, sets, indexes=p, windows="trees", mode=m, num_threads=1)
                   for p in pairs for m in ["site", "branch"]]
        threaded = [f.result() for f in futures]
    for a, b in zip(serial, threaded):
        assert a.tobytes() == b.tobytes()


def test_gil_is_released_during_calls(islands):
    """While one thread is inside a long library call, another Python
    thread keeps running: it could not if the call held the GIL."""
    ts, tsp = islands
    s = tsp.samples()
    sets = [[u] for u in s]
    pairs = [(i, j) for i in range(len(sets)) for j in range(len(sets))]
    W = np.ones((ts.num_samples, 1))
    done = threading.Event()
    elapsed = []

    def work():
        t = time.perf_counter()
        while time.perf_counter() - t < 0.5:
            tsp.divergence(sets, indexes=pairs, windows="trees", mode="node", num_threads=1)
        elapsed.append(time.perf_counter() - t)
        done.set()

    ticks = 0
    worker = threading.Thread(target=work)
    old = sys.getswitchinterval()
    sys.setswitchinterval(10.0)  # a thread holding the GIL keeps it for 10 s
    try:
        worker.start()
        while not done.is_set():
            ticks += 1
            time.sleep(0)  # releases the GIL, lets the worker start its call
            sum(range(1000))
    finally:
        sys.setswitchinterval(old)
        worker.join()
    del W
    # With the GIL held during the call, the main loop would get no turn
    # until the worker's 0.5 s of calls are done (at most a few ticks).
    assert ticks > 50, ticks


def _diversity_of(args):
    tsp, sets = args
    return tsp.diversity(sets, windows="trees", mode="branch", num_threads=1)


def test_process_pool_equals_serial(islands, islands_file):
    ts, _ = islands
    tsp = tspar.load(islands_file)
    sets = pop_sets(ts)
    serial = _diversity_of((tsp, sets))
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        results = list(pool.map(_diversity_of, [(tsp, sets)] * 3))
    for r in results:
        assert r.tobytes() == serial.tobytes()


def _diversity_two_threads(args):
    tsp, sets = args
    return tsp.diversity(sets, windows="trees", mode="branch", num_threads=2)


def test_forked_workers_use_threads_after_the_parent_did(islands, islands_file):
    """The parent has run on two worker threads before the fork; a forked
    child that asks for two threads must get its own, not wait for the
    parent's (which fork does not copy), and give the same bits."""
    import multiprocessing

    ts, _ = islands
    tsp = tspar.load(islands_file)
    sets = pop_sets(ts)
    serial = _diversity_two_threads((tsp, sets))
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as pool:
        results = list(pool.map(_diversity_two_threads, [(tsp, sets)] * 3, timeout=120))
    for r in results:
        assert r.tobytes() == serial.tobytes()


def test_pickle_by_path_and_by_bytes(islands, islands_file, tmp_path):
    ts, tsp = islands
    loaded = tspar.load(islands_file)
    by_path = pickle.dumps(loaded)
    assert len(by_path) < 1000  # the path, not the data
    assert os.fsencode(str(islands_file.resolve())) in by_path
    back = pickle.loads(by_path)
    assert back.dump_tables().equals(loaded.dump_tables())
    by_bytes = pickle.dumps(tsp)  # made from tskit: no file to name
    assert len(by_bytes) > 1000
    assert pickle.loads(by_bytes).dump_tables().equals(tsp.dump_tables())
    # A changed file is detected when unpickling.
    copy = tmp_path / "copy.trees"
    copy.write_bytes(islands_file.read_bytes())
    data = pickle.dumps(tspar.load(copy))
    st = os.stat(copy)
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(ValueError, match="changed"):
        pickle.loads(data)


INTERRUPT = textwrap.dedent("""
    import os, signal, sys, threading, time
    import msprime
    import tspar
    # A shell that starts a job in the background (`cmd &`) leaves SIGINT
    # ignored, and Python then keeps it ignored: install the handler that
    # raises KeyboardInterrupt, as an interactive session has it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ts = msprime.sim_ancestry(100, sequence_length=1e7, recombination_rate=1e-9, population_size=1e4,
                              random_seed=5)
    ts = msprime.sim_mutations(ts, rate=6e-7, random_seed=6, discrete_genome=False)
    tsp = tspar.TreeSequence.from_tskit(ts)
    s = tsp.samples()
    sets = [s[i:i + 4] for i in range(0, 200, 4)]
    pairs = [(i, j) for i in range(len(sets)) for j in range(i + 1, len(sets))]
    def run():
        return tsp.divergence(sets, indexes=pairs, num_threads=int(sys.argv[1]))
    t = time.perf_counter(); run(); full = time.perf_counter() - t
    sent = []
    def kill():
        time.sleep(0.2)
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=kill).start()
    try:
        run()
        print("completed", full)
    except KeyboardInterrupt:
        print("interrupted", full, time.perf_counter() - sent[0])
    # The library is usable afterwards.
    assert tsp.diversity() > 0
""")


@pytest.mark.parametrize("threads", [1, 2])
def test_keyboard_interrupt_cancels_a_long_call(threads):
    out = subprocess.run([sys.executable, "-c", INTERRUPT, str(threads)], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    words = out.stdout.split()
    assert words[0] == "interrupted", out.stdout
    full, latency = float(words[1]), float(words[2])
    if full < 1.5:
        pytest.skip(f"the call took only {full:.2f} s: too short to check the latency")
    assert latency < 1.0, (full, latency)
