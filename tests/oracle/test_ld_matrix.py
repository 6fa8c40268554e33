"""Two-locus statistics against tskit's ``ld_matrix``: every statistic, in
site mode over square and rectangular site lists, on msprime tree
sequences with recombination, several populations and multi-allelic JC69
sites (back and recurrent mutations); one sample set, several (overlapping)
sample sets, and pairs of sets through ``indexes``; tskit's refusals as
errors; the same bits for every thread count; progress and cancellation."""

import msprime
import numpy as np
import pytest
import tskit

import tspar
import tspar.lowlevel as T
from tspar.lowlevel import C
from tspar.lowlevel import LibraryError as TsparError

RTOL = 1e-9
ATOL = 1e-12

STATS = ["r2", "r", "D2", "D", "D_prime", "Dz", "pi2", "D2_unbiased", "Dz_unbiased", "pi2_unbiased"]
TWO_WAY = ["r2", "D2", "D2_unbiased"]


def _jc69():
    """Two populations with migration, a discrete genome and a JC69 model:
    many multi-allelic sites, back and recurrent mutations."""
    dem = msprime.Demography.island_model([1_000, 1_000], migration_rate=2e-4)
    ts = msprime.sim_ancestry(
        {0: 8, 1: 7}, demography=dem, sequence_length=3_000, recombination_rate=2e-7, random_seed=41,
    )
    return msprime.sim_mutations(ts, rate=3e-6, model=msprime.JC69(), random_seed=42)


def _infinite_sites():
    """Three populations, a continuous genome, biallelic sites."""
    dem = msprime.Demography.island_model([1_000] * 3, migration_rate=1e-3)
    ts = msprime.sim_ancestry(
        {0: 6, 1: 5, 2: 4}, demography=dem, sequence_length=2e4, recombination_rate=5e-8,
        discrete_genome=False, random_seed=43,
    )
    return msprime.sim_mutations(ts, rate=5e-8, discrete_genome=False, random_seed=44)


def _many_samples():
    """More than 64 samples per set (several words per bit row) and
    multi-allelic sites."""
    ts = msprime.sim_ancestry(
        90, population_size=1_000, sequence_length=2_000, recombination_rate=1e-7, random_seed=45,
    )
    return msprime.sim_mutations(ts, rate=2e-6, model=msprime.JC69(), random_seed=46)


CASES = {"jc69": _jc69, "infinite_sites": _infinite_sites, "many_samples": _many_samples}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, tmp_path_factory, lib):
    del lib
    ts = CASES[request.param]()
    path = tmp_path_factory.mktemp("ld") / f"{request.param}.trees"
    ts.dump(path)
    yield ts, tspar.load(str(path))


def check(ours, theirs):
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, equal_nan=True)


def sets_of(ts):
    """Sets by population, a mixed set overlapping them, a small set."""
    pops = [ts.samples(population=p) for p in range(ts.num_populations)]
    pops = [p for p in pops if len(p) >= 4]
    s = ts.samples()
    if len(pops) < 2:
        pops = [s[: len(s) // 2], s[len(s) // 2:]]
    return pops + [np.concatenate([pops[0][:3], pops[-1][:3]]), s[-5:]]


def test_multiallelic_sites_present(case):
    ts, _ = case
    if ts.discrete_genome:
        assert any(len(set(m.derived_state for m in s.mutations) | {s.ancestral_state}) > 2 for s in ts.sites())


@pytest.mark.parametrize("stat", STATS)
def test_all_sites_one_set(case, stat):
    ts, tsp = case
    check(tsp.ld_matrix(stat=stat), ts.ld_matrix(stat=stat))


@pytest.mark.parametrize("stat", STATS)
def test_sample_sets(case, stat):
    ts, tsp = case
    sets = sets_of(ts)
    sites = [np.arange(0, ts.num_sites, 2, dtype=np.int32)]
    check(tsp.ld_matrix(sample_sets=sets, stat=stat, sites=sites),
          ts.ld_matrix(sample_sets=sets, stat=stat, sites=sites))
    # One set as a flat list: a 2-d result.
    check(tsp.ld_matrix(sample_sets=sets[0], stat=stat), ts.ld_matrix(sample_sets=sets[0], stat=stat))


@pytest.mark.parametrize("stat", STATS)
def test_rectangular(case, stat):
    ts, tsp = case
    n = ts.num_sites
    rng = np.random.default_rng(7)
    rows = np.sort(rng.choice(n, size=min(n, 13), replace=False)).astype(np.int32)
    cols = np.sort(rng.choice(n, size=min(n, 29), replace=False)).astype(np.int32)
    none = np.zeros(0, dtype=np.int32)
    sets = sets_of(ts)
    for sites in ([rows, cols], [cols, rows], [rows[:1], cols], [none, cols], [rows, none]):
        check(tsp.ld_matrix(sample_sets=sets, stat=stat, sites=sites),
              ts.ld_matrix(sample_sets=sets, stat=stat, sites=sites))


@pytest.mark.parametrize("stat", TWO_WAY)
def test_two_way(case, stat):
    ts, tsp = case
    sets = sets_of(ts)
    idx = [(0, 1), (1, 0), (0, 0), (1, 2), (2, 3), (len(sets) - 1, 0)]
    sites = [np.arange(0, ts.num_sites, 3, dtype=np.int32), np.arange(1, ts.num_sites, 2, dtype=np.int32)]
    check(tsp.ld_matrix(sample_sets=sets, stat=stat, indexes=idx, sites=sites),
          ts.ld_matrix(sample_sets=sets, stat=stat, indexes=idx, sites=sites))
    # One pair: a 2-d result.
    check(tsp.ld_matrix(sample_sets=sets, stat=stat, indexes=(0, 1)),
          ts.ld_matrix(sample_sets=sets, stat=stat, indexes=(0, 1)))


def test_same_bits_for_every_thread_count(case):
    ts, tsp = case
    sets = sets_of(ts)
    for stat in ["r2", "D_prime", "pi2_unbiased"]:
        ref = tsp.ld_matrix(sample_sets=sets, stat=stat, num_threads=1)
        for threads in [2, 3, 8]:
            got = tsp.ld_matrix(sample_sets=sets, stat=stat, num_threads=threads)
            assert ref.tobytes() == got.tobytes(), (stat, threads)


def test_progress_and_cancel(case):
    ts, tsp = case
    seen = []
    tsp.ld_matrix(num_threads=2, progress=lambda f: seen.append(f) and False)
    assert seen and seen[-1] == pytest.approx(1.0)
    assert all(a <= b for a, b in zip(seen, seen[1:]))
    for threads in [1, 2]:
        with pytest.raises(tspar.CancelledError):
            tsp.ld_matrix(num_threads=threads, progress=lambda f: True)


def code_of(fn):
    with pytest.raises(TsparError) as info:
        fn()
    return info.value.code


def test_refusals(case):
    """What tskit refuses, tspar refuses with the corresponding error."""
    ts, tsp = case
    sets = sets_of(ts)
    n = ts.num_sites
    bad_sites = {
        "TSPAR_ERR_STAT_UNSORTED_SITES": [[2, 1, 3]],
        "TSPAR_ERR_STAT_DUPLICATE_SITES": [[1, 1, 3]],
        "TSPAR_ERR_SITE_OUT_OF_BOUNDS": [[0, n]],
    }
    for name, sites in bad_sites.items():
        with pytest.raises(tskit.LibraryError):
            ts.ld_matrix(sites=sites)
        assert code_of(lambda: tsp.ld_matrix(sites=sites)) == C[name]
    with pytest.raises(tskit.LibraryError):
        ts.ld_matrix(sites=[[-1, 2]])
    assert code_of(lambda: tsp.ld_matrix(sites=[[-1, 2]])) == C["TSPAR_ERR_SITE_OUT_OF_BOUNDS"]
    # Polarised (and other one-way-only) statistics with two sets.
    for stat in set(STATS) - set(TWO_WAY):
        with pytest.raises(ValueError):
            ts.ld_matrix(sample_sets=sets, stat=stat, indexes=[(0, 1)])
        sizes, ids = T.flatten_sample_sets(sets)
        code = code_of(lambda: tsp._ll.ld_matrix(sets, STATS.index(stat), indexes=[(0, 1)]))
        assert code == C["TSPAR_ERR_TWO_WAY_UNSUPPORTED"]
    with pytest.raises(ValueError):
        ts.ld_matrix(stat="bad")
    with pytest.raises(ValueError):
        tsp.ld_matrix(stat="bad")
    # Index out of range, a sample twice in a set, an empty set, a non-sample.
    with pytest.raises(tskit.LibraryError):
        ts.ld_matrix(sample_sets=sets, indexes=[(0, len(sets))])
    assert code_of(lambda: tsp.ld_matrix(sample_sets=sets, indexes=[(0, len(sets))])) == C[
        "TSPAR_ERR_BAD_SAMPLE_SET_INDEX"]
    dup = [np.concatenate([sets[0], sets[0][:1]])]
    with pytest.raises(tskit.LibraryError):
        ts.ld_matrix(sample_sets=dup)
    assert code_of(lambda: tsp.ld_matrix(sample_sets=dup)) == C["TSPAR_ERR_DUPLICATE_SAMPLE"]
    internal = [u for u in range(ts.num_nodes) if not ts.node(u).is_sample()][:1]
    with pytest.raises(tskit.LibraryError):
        ts.ld_matrix(sample_sets=[internal])
    assert code_of(lambda: tsp.ld_matrix(sample_sets=[internal])) == C["TSPAR_ERR_BAD_SAMPLES"]
    # No node mode; a buffer too small.
    assert code_of(lambda: tsp._ll.ld_matrix(sets, 0, mode="node")) == C["TSPAR_ERR_UNSUPPORTED_STAT_MODE"]


def test_buffer_too_small(case):
    ts, tsp = case
    h = tsp._ll._h()
    sizes, ids = T.flatten_sample_sets([ts.samples()])
    out = np.zeros(4)
    rows = np.arange(3, dtype=np.int32)
    rc = T.lib.tspar_treeseq_ld_matrix(h.ptr, 1, T.ptr(sizes), T.ptr(ids), 0, T.ffi.NULL, 0, 3, T.ptr(rows),
                                       T.ffi.NULL, 3, T.ptr(rows), T.ffi.NULL, C.TSPAR_STAT_SITE, T.ffi.NULL,
                                       T.out_ptr(out), 4)
    assert rc == C["TSPAR_ERR_BUFFER_TOO_SMALL"]


# ------------------------------------------------------------ branch mode


def positions_of(ts, seed=3):
    """Positions inside trees (several in one tree, one at a tree's left
    end) for rows and columns."""
    bp = ts.breakpoints(as_array=True)
    rng = np.random.default_rng(seed)
    inside = np.sort(rng.uniform(0, ts.sequence_length, size=12))
    rows = np.unique(np.concatenate([inside[::2], bp[1:3]]))
    cols = np.unique(np.concatenate([inside[1::2], bp[:1], [ts.sequence_length * 0.999]]))
    return rows, cols


@pytest.mark.parametrize("stat", STATS)
def test_branch_all_trees(case, stat):
    ts, tsp = case
    check(tsp.ld_matrix(mode="branch", stat=stat), ts.ld_matrix(mode="branch", stat=stat))


@pytest.mark.parametrize("stat", STATS)
def test_branch_positions(case, stat):
    ts, tsp = case
    rows, cols = positions_of(ts)
    sets = sets_of(ts)
    for positions in ([rows, cols], [cols, rows], [rows]):
        check(tsp.ld_matrix(sample_sets=sets, mode="branch", stat=stat, positions=positions),
              ts.ld_matrix(sample_sets=sets, mode="branch", stat=stat, positions=positions))
    # tskit 1.0.3 reads past its buffers for an empty list of positions, so
    # that case is not compared: tspar gives an empty matrix.
    assert tsp.ld_matrix(sample_sets=sets, mode="branch", stat=stat, positions=[rows[:0], cols]).shape == (
        len(sets), 0, len(cols))


@pytest.mark.parametrize("stat", TWO_WAY)
def test_branch_two_way(case, stat):
    ts, tsp = case
    rows, cols = positions_of(ts, seed=4)
    sets = sets_of(ts)
    idx = [(0, 1), (1, 0), (0, 0), (1, 2), (len(sets) - 1, 0)]
    check(tsp.ld_matrix(sample_sets=sets, mode="branch", stat=stat, indexes=idx, positions=[rows, cols]),
          ts.ld_matrix(sample_sets=sets, mode="branch", stat=stat, indexes=idx, positions=[rows, cols]))


def test_branch_same_bits_for_every_thread_count(case):
    ts, tsp = case
    sets = sets_of(ts)
    ref = tsp.ld_matrix(sample_sets=sets, mode="branch", stat="D2_unbiased", num_threads=1)
    for threads in [2, 3, 8]:
        got = tsp.ld_matrix(sample_sets=sets, mode="branch", stat="D2_unbiased", num_threads=threads)
        assert ref.tobytes() == got.tobytes(), threads


def test_branch_refusals(case):
    ts, tsp = case
    L = ts.sequence_length
    bad = {
        "TSPAR_ERR_POSITION_OUT_OF_BOUNDS": [[0.0, L]],
        "TSPAR_ERR_STAT_UNSORTED_POSITIONS": [[2.0, 1.0]],
        "TSPAR_ERR_STAT_DUPLICATE_POSITIONS": [[1.0, 1.0]],
    }
    for name, positions in bad.items():
        with pytest.raises(tskit.LibraryError):
            ts.ld_matrix(mode="branch", positions=positions)
        assert code_of(lambda: tsp.ld_matrix(mode="branch", positions=positions)) == C[name]
    with pytest.raises(tskit.LibraryError):
        ts.ld_matrix(mode="branch", positions=[[-1.0]])
    assert code_of(lambda: tsp.ld_matrix(mode="branch", positions=[[-1.0]])) == C[
        "TSPAR_ERR_POSITION_OUT_OF_BOUNDS"]
