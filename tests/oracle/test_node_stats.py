"""Per-node statistics against tskit 1.0.3: mean_descendants,
genealogical_nearest_neighbours (the same bits for every thread count) and
trait_linear_model (site, branch and node modes, windows, covariates)."""

import msprime
import numpy as np
import pytest
import tskit

import tspar


def _three_pops():
    dem = msprime.Demography.island_model([1_000] * 3, migration_rate=2e-3)
    ts = msprime.sim_ancestry(samples={"pop_0": 5, "pop_1": 5, "pop_2": 5}, demography=dem, sequence_length=20_000,
                              recombination_rate=2e-7, random_seed=31)
    return msprime.sim_mutations(ts, rate=3e-7, random_seed=32)


def _multiallelic():
    ts = msprime.sim_ancestry(8, ploidy=2, population_size=1_000, sequence_length=400, recombination_rate=1e-5,
                              random_seed=21)
    return msprime.sim_mutations(ts, rate=2e-4, model=msprime.JC69(), random_seed=22)


def _gaps():
    from test_genotypes import _jc69, _with_gaps

    return _with_gaps(_jc69(seed=41))


CASES = {"three_pops": _three_pops, "multiallelic": _multiallelic, "gaps": _gaps}


@pytest.fixture(params=sorted(CASES), scope="module")
def pair(request, lib):
    ts = CASES[request.param]()
    return ts, tspar.TreeSequence.from_tskit(ts)


def _ref_sets(ts, k=3):
    s = ts.samples()
    return [s[j::k] for j in range(k)]


def test_mean_descendants(pair):
    ts, tp = pair
    for sets in (_ref_sets(ts), _ref_sets(ts, 2)[:1],
                 [np.flatnonzero(ts.nodes_flags == 0)[:6].astype(np.int32), ts.samples()[:4]]):
        want = ts.mean_descendants(sets)
        got = tp.mean_descendants(sets)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_gnn(pair):
    ts, tp = pair
    sets = _ref_sets(ts)
    focal = ts.samples()
    want = ts.genealogical_nearest_neighbours(focal, sets)
    one = tp.genealogical_nearest_neighbours(focal, sets, num_threads=1)
    np.testing.assert_allclose(one, want, rtol=1e-9, atol=1e-12)
    for threads in (2, 3):
        got = tp.genealogical_nearest_neighbours(focal, sets, num_threads=threads)
        assert got.tobytes() == one.tobytes()
    # focal nodes outside the reference sets, and internal ones
    sets2 = [ts.samples()[::2]]
    focal2 = np.concatenate([ts.samples()[1::2], np.flatnonzero(ts.nodes_flags == 0)[:5]]).astype(np.int32)
    np.testing.assert_allclose(tp.genealogical_nearest_neighbours(focal2, sets2),
                               ts.genealogical_nearest_neighbours(focal2, sets2), rtol=1e-9, atol=1e-12)


def test_gnn_many_pieces(lib):
    ts = msprime.sim_ancestry(40, population_size=1e4, sequence_length=1e7, recombination_rate=1e-8,
                              random_seed=51)
    assert ts.num_trees > 10_000, "several pieces of the genome"
    tp = tspar.TreeSequence.from_tskit(ts)
    sets = _ref_sets(ts, 4)
    want = ts.genealogical_nearest_neighbours(ts.samples(), sets)
    one = tp.genealogical_nearest_neighbours(ts.samples(), sets, num_threads=1)
    np.testing.assert_allclose(one, want, rtol=1e-9, atol=1e-12)
    two = tp.genealogical_nearest_neighbours(ts.samples(), sets, num_threads=2)
    assert one.tobytes() == two.tobytes()


def test_reference_set_errors(pair):
    ts, tp = pair
    s = ts.samples()
    with pytest.raises(tspar.LibraryError):
        tp.mean_descendants([s[:3], s[2:5]])
    with pytest.raises(tspar.LibraryError):
        tp.genealogical_nearest_neighbours([ts.num_nodes], [s[:3]])


@pytest.mark.parametrize("mode", ["site", "branch", "node"])
def test_trait_linear_model(pair, mode):
    ts, tp = pair
    rng = np.random.default_rng(5)
    n = ts.num_samples
    W = rng.normal(size=(n, 2))
    Z = rng.normal(size=(n, 2))
    windows = [0, ts.sequence_length / 3, ts.sequence_length]
    for z in (None, Z):
        for w in (None, windows):
            for sn in (True, False):
                want = ts.trait_linear_model(W, z, windows=w, mode=mode, span_normalise=sn)
                got = tp.trait_linear_model(W, z, windows=w, mode=mode, span_normalise=sn)
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # Z with its own column of ones: tskit keeps it as it is
    Z1 = np.column_stack([Z[:, 0], np.ones(n)])
    np.testing.assert_allclose(tp.trait_linear_model(W, Z1, mode=mode), ts.trait_linear_model(W, Z1, mode=mode),
                               rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError):
        ts.trait_linear_model(W, np.column_stack([Z[:, 0], Z[:, 0]]), mode=mode)
    with pytest.raises(ValueError):
        tp.trait_linear_model(W, np.column_stack([Z[:, 0], Z[:, 0]]), mode=mode)
