"""tspar.parts: every statistic split into parts, computed in random groups,
combined in random orders at 1 and 2 threads, gives the one call's bits;
with the default part size those are the bits of the statistic's method,
which agrees with tskit."""

import numpy as np
import pytest

import tspar
from tspar.parts import STATISTICS, StatCall


def _sets(ts):
    pops = ts.tables.nodes.population
    s = ts.samples()
    by = [s[pops[s] == p] for p in np.unique(pops[s])]
    return [by[0][:6], by[1][:5], by[0][6:8]]


def _args(name, ts, windows):
    sets = _sets(ts)
    W = np.arange(ts.num_samples * 2, dtype=float).reshape(-1, 2) % 5 - 1.5
    a = dict(windows=windows)
    if name in ("trait_covariance", "trait_correlation"):
        a["W"] = W
    elif name == "genetic_relatedness_weighted":
        a.update(W=W, indexes=[(0, 1), (1, 1)])
    elif name in ("divergence_matrix", "genetic_relatedness_matrix"):
        a["sample_sets"] = sets
    else:
        a["sample_sets"] = sets
        k = tspar.lowlevel.K_WAY.get(name, 0)
        if k:
            a["indexes"] = [[0, 1, 2, 0][:k], [2, 1, 0, 1][:k]]
    return a


def _modes(name):
    if name in ("divergence_matrix", "genetic_relatedness_matrix", "allele_frequency_spectrum"):
        return ["site", "branch"]
    return ["site", "branch", "node"]


def _groups(call, rng):
    n = call.num_parts
    cuts = sorted({0, n, *rng.integers(0, n + 1, size=rng.integers(0, n + 1))})
    ranges = list(zip(cuts[:-1], cuts[1:]))
    rng.shuffle(ranges)
    return ranges


@pytest.mark.parametrize("name", list(STATISTICS))
def test_random_groupings_give_the_one_call_bits(name, pair):
    tsk, ts = pair
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    L = ts.sequence_length
    for windows in [None, np.array([0, L / 3, L / 3 + 1, L])]:
        for mode in _modes(name):
            for span_normalise in [True, False]:
                call = StatCall(ts, name, mode=mode, span_normalise=span_normalise, part_work=25,
                                **_args(name, ts, windows))
                assert call.num_parts > 3
                one = call.run(num_threads=1)
                assert one.tobytes() == call.run(num_threads=2).tobytes()
                for threads in [1, 2]:
                    ranges = _groups(call, rng)
                    bufs = [call.compute(a, b, num_threads=threads) for a, b in ranges]
                    got = call.combine(bufs, num_threads=3 - threads)
                    assert got.tobytes() == one.tobytes(), (name, mode, windows, threads)


@pytest.mark.parametrize("name", ["diversity", "divergence", "Fst", "Tajimas_D", "f4", "trait_correlation",
                                  "divergence_matrix", "allele_frequency_spectrum"])
def test_default_parts_give_the_method_and_tskit(name, pair):
    tsk, ts = pair
    L = ts.sequence_length
    windows = np.array([0, L / 2, L])
    for mode in ["site", "branch"]:
        args = _args(name, ts, windows)
        call = StatCall(ts, name, mode=mode, **args)
        n = call.num_parts
        got = call.combine([call.compute(n // 2, n), call.compute(0, n // 2)])
        if name == "allele_frequency_spectrum":
            args["polarised"] = False
        method = getattr(ts, name)(**args, mode=mode)
        assert got.tobytes() == np.asarray(method, dtype=float).reshape(got.shape).tobytes()
        want = np.asarray(getattr(tsk, name)(**args, mode=mode), dtype=float).reshape(got.shape)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_mismatches_are_refused(pair):
    tsk, ts = pair
    sets = _sets(ts)
    call = StatCall(ts, "diversity", sample_sets=sets, part_work=25)
    n = call.num_parts
    a, b = call.compute(0, 2), call.compute(2, n)
    with pytest.raises(tspar.LibraryError, match="missing"):
        call.combine([a])
    with pytest.raises(tspar.LibraryError, match="more than once"):
        call.combine([a, b, call.compute(1, 2)])
    with pytest.raises(tspar.LibraryError, match="damaged"):
        call.combine([a, b[:-3]])
    other = StatCall(ts, "segregating_sites", sample_sets=sets, part_work=25)
    with pytest.raises(tspar.LibraryError, match="another statistic"):
        call.combine([a, other.compute(2, n)])
    other = StatCall(ts, "diversity", sample_sets=sets[:2], part_work=25)
    with pytest.raises(tspar.LibraryError, match="another statistic or other arguments"):
        call.combine([a, other.compute(2, n)])
    assert call.combine([b, a]).tobytes() == call.run().tobytes()


def test_process_pool_gives_the_one_call_bits(tmp_path, islands):
    """Plain processes: a ProcessPoolExecutor (spawned workers) computes the
    parts, each worker loading the file by name; the bits of one call."""
    import concurrent.futures
    import multiprocessing

    import tspar.dask

    tsk, _ = islands
    path = str(tmp_path / "islands.trees")
    tsk.dump(path)
    sets = _sets(tsk)
    kw = dict(sample_sets=sets, indexes=[(0, 1), (1, 2)], mode="branch", part_work=25)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        got = tspar.dask.compute(pool, [path, path], "divergence", **kw)
    one = StatCall(tspar.load(path), "divergence", **kw)
    assert one.num_parts > 3
    for g in got:
        assert g.tobytes() == one.run().tobytes()
