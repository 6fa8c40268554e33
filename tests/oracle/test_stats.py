"""Statistics against tskit: every statistic, mode and option on varied
msprime tree sequences, with windows that cut trees and windows without
sites; error codes for bad arguments; progress, cancellation and the
general statistic with a callback."""

import numpy as np
import msprime
import pytest
import tskit

import tspar.lowlevel as T
from tspar.lowlevel import C
from tspar.lowlevel import LibraryError as TsparError

RTOL = 1e-9
ATOL = 1e-12


def _islands():
    """Three populations with migration, recombination, a continuous
    genome and infinite-sites mutations."""
    dem = msprime.Demography.island_model([1_000] * 3, migration_rate=1e-3)
    ts = msprime.sim_ancestry(
        {0: 6, 1: 5, 2: 4}, demography=dem, sequence_length=5e4, recombination_rate=2e-8,
        discrete_genome=False, random_seed=11,
    )
    return msprime.sim_mutations(ts, rate=3e-8, discrete_genome=False, random_seed=12)


def _finite_sites():
    """Two populations, a discrete genome, many mutations per site with a
    four-state model: back and recurrent mutations, multi-allelic sites."""
    dem = msprime.Demography.isolated_model([2_000, 1_000])
    dem.add_mass_migration(time=500, source=1, dest=0, proportion=1.0)
    ts = msprime.sim_ancestry(
        {0: 6, 1: 6}, demography=dem, sequence_length=2_000, recombination_rate=1e-6, random_seed=21,
    )
    return msprime.sim_mutations(ts, rate=4e-5, model=msprime.JC69(), random_seed=22)


def _ancient_internal():
    """Ancient samples (two sampling times) and internal nodes made samples."""
    samples = [msprime.SampleSet(6, time=0), msprime.SampleSet(4, time=300)]
    ts = msprime.sim_ancestry(
        samples, population_size=1_000, sequence_length=1e4, recombination_rate=5e-8, random_seed=31,
    )
    ts = msprime.sim_mutations(ts, rate=5e-8, random_seed=32)
    tables = ts.dump_tables()
    flags = tables.nodes.flags
    internal = [u for u in range(ts.num_nodes) if not ts.node(u).is_sample()][:4]
    flags[internal] |= tskit.NODE_IS_SAMPLE
    tables.nodes.flags = flags
    return tables.tree_sequence()


CASES = {"islands": _islands, "finite_sites": _finite_sites, "ancient_internal": _ancient_internal}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, tmp_path_factory, lib):
    del lib  # the conftest fixture builds and loads the library
    ts = CASES[request.param]()
    path = tmp_path_factory.mktemp("stats") / f"{request.param}.trees"
    ts.dump(path)
    tsp = T.TreeSequence.load(path)
    yield ts, tsp
    tsp.free()


def sample_sets(ts):
    """Sets by population (plus a mixed set), a one-sample and a two-sample set."""
    pops = [ts.samples(population=p) for p in range(ts.num_populations)]
    pops = [p for p in pops if len(p) >= 3]
    if len(pops) < 2:
        s = ts.samples()
        pops = [s[: len(s) // 2], s[len(s) // 2 :]]
    s = ts.samples()
    return pops + [s[-3:-1], s[:1], np.concatenate([pops[0][:2], pops[-1][:2]])]


def windows_for(ts):
    """Windows cutting trees at odd places, one too small to hold a site."""
    L = ts.sequence_length
    w = [0, L * 0.137, L * 0.5, L * 0.5 + 1e-7 * L, L * 0.77, L]
    if ts.discrete_genome:
        w = [0, 271, 1000, 1001, 1543, L]
    return np.array(sorted(set(w)))


def check(ours, theirs):
    theirs = np.asarray(theirs, dtype=float)
    assert ours.size == theirs.size, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours.ravel(), theirs.ravel(), rtol=RTOL, atol=ATOL, equal_nan=True)


MODES = ["site", "branch", "node"]
OPTS = [(False, True), (True, True), (False, False), (True, False)]  # (polarised, span_normalise)
EXEC = {}


def exec_for(threads):
    if threads not in EXEC:
        EXEC[threads] = T.Exec(threads)
    return EXEC[threads]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("polarised,span_normalise", OPTS)
@pytest.mark.parametrize("name", ["diversity", "segregating_sites", "Y1"])
def test_one_way(case, name, mode, windowed, polarised, span_normalise):
    ts, tsp = case
    sets = sample_sets(ts)
    if name == "Y1":
        sets = [s for s in sets if len(s) >= 3]
    w = windows_for(ts) if windowed else None
    theirs = getattr(ts, name)(sets, windows=w, mode=mode, span_normalise=span_normalise)
    if polarised:
        # tskit's Python has no polarised argument for these; its C does.
        theirs = ts._TreeSequence__run_windowed_stat(
            w, getattr(ts._ll_tree_sequence, name), np.array([len(s) for s in sets], dtype=np.uint32),
            np.hstack(sets).astype(np.int32), mode=mode, span_normalise=span_normalise, polarised=True,
        )
    ours = tsp.one_way(name, sets, windows=w, mode=mode, span_normalise=span_normalise, polarised=polarised,
                       exec=exec_for(2))
    check(ours, theirs)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("windowed", [False, True])
def test_tajimas_d(case, mode, windowed):
    ts, tsp = case
    sets = [s for s in sample_sets(ts) if len(s) >= 2]
    w = windows_for(ts) if windowed else None
    theirs = ts.Tajimas_D(sets, windows=w, mode=mode)
    ours = tsp.one_way("Tajimas_D", sets, windows=w, mode=mode, exec=exec_for(2))
    check(ours, theirs)


def tuples(k, n):
    rng = np.random.default_rng(k * 100 + n)
    out = [list(range(k))] + [list(rng.integers(0, n, size=k)) for _ in range(4)]
    return np.array(out, dtype=np.int32)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("polarised,span_normalise", OPTS)
@pytest.mark.parametrize("name", ["divergence", "Fst", "Y2", "f2", "Y3", "f3", "f4"])
def test_k_way(case, name, mode, windowed, polarised, span_normalise):
    ts, tsp = case
    sets = [s for s in sample_sets(ts) if len(s) >= 2]
    if name == "Fst" and polarised:
        pytest.skip("tskit's Fst has no polarised option")
    k = T.K_WAY[name]
    idx = tuples(k, len(sets))
    w = windows_for(ts) if windowed else None
    kwargs = dict(windows=w, mode=mode, span_normalise=span_normalise)
    if polarised:
        ll = getattr(ts._ll_tree_sequence, name)
        theirs = ts._TreeSequence__run_windowed_stat(
            w, ll, np.array([len(s) for s in sets], dtype=np.uint32), np.hstack(sets).astype(np.int32), idx,
            mode=mode, span_normalise=span_normalise, polarised=True,
        )
    else:
        theirs = getattr(ts, name)(sets, indexes=idx, **kwargs)
    ours = tsp.k_way(name, sets, idx, polarised=polarised, exec=exec_for(2), **kwargs)
    check(ours, theirs)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("polarised", [True, False])
@pytest.mark.parametrize("centre", [True, False])
@pytest.mark.parametrize("proportion", [True, False])
def test_genetic_relatedness(case, mode, windowed, polarised, centre, proportion):
    ts, tsp = case
    sets = sample_sets(ts)
    idx = tuples(2, len(sets))
    w = windows_for(ts) if windowed else None
    theirs = ts.genetic_relatedness(sets, indexes=idx, windows=w, mode=mode, polarised=polarised,
                                    centre=centre, proportion=proportion)
    extra = (0 if centre else C["TSPAR_STAT_NONCENTRED"]) | (C["TSPAR_STAT_PROPORTION"] if proportion else 0)
    ours = tsp.k_way("genetic_relatedness", sets, idx, windows=w, mode=mode, polarised=polarised, extra=extra,
                     exec=exec_for(2))
    check(ours, theirs)


def weights(ts, k, seed=5):
    return np.random.default_rng(seed).normal(size=(ts.num_samples, k))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("span_normalise", [True, False])
@pytest.mark.parametrize("name", ["trait_covariance", "trait_correlation"])
def test_trait(case, name, mode, windowed, span_normalise):
    ts, tsp = case
    W = weights(ts, 3)
    w = windows_for(ts) if windowed else None
    theirs = getattr(ts, name)(W, windows=w, mode=mode, span_normalise=span_normalise)
    ours = tsp.weighted(name, W, windows=w, mode=mode, span_normalise=span_normalise, exec=exec_for(2))
    check(ours, theirs)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("polarised", [True, False])
@pytest.mark.parametrize("centre", [True, False])
def test_genetic_relatedness_weighted(case, mode, windowed, polarised, centre):
    ts, tsp = case
    W = weights(ts, 3, seed=9)
    idx = np.array([[0, 0], [0, 1], [2, 1]], dtype=np.int32)
    w = windows_for(ts) if windowed else None
    theirs = ts.genetic_relatedness_weighted(W, indexes=idx, windows=w, mode=mode, polarised=polarised,
                                             centre=centre)
    ours = tsp.genetic_relatedness_weighted(W, idx, windows=w, mode=mode, polarised=polarised, centre=centre,
                                            exec=exec_for(2))
    check(ours, theirs)


@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("polarised,span_normalise", OPTS)
@pytest.mark.parametrize("num_sets", [1, 2, 3])
def test_afs(case, mode, windowed, polarised, span_normalise, num_sets):
    ts, tsp = case
    sets = sample_sets(ts)[:num_sets]
    w = windows_for(ts) if windowed else None
    theirs = ts.allele_frequency_spectrum(sets, windows=w, mode=mode, polarised=polarised,
                                          span_normalise=span_normalise)
    ours = tsp.allele_frequency_spectrum(sets, windows=w, mode=mode, polarised=polarised,
                                         span_normalise=span_normalise, exec=exec_for(2))
    check(ours, theirs)


@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("span_normalise", [True, False])
@pytest.mark.parametrize("name", ["divergence_matrix", "genetic_relatedness_matrix"])
@pytest.mark.parametrize("singletons", [False, True])
def test_matrix(case, name, mode, windowed, span_normalise, singletons):
    ts, tsp = case
    # tskit's matrices need disjoint sets.
    pops = [p for p in sample_sets(ts)[:-3]]
    sets = [[u] for u in ts.samples()[:7]] if singletons else pops[:-1] + [pops[-1][:1], pops[-1][1:]]
    w = windows_for(ts) if windowed else None
    theirs = getattr(ts, name)(sets, windows=w, mode=mode, span_normalise=span_normalise)
    ours = tsp.matrix(name, sets, windows=w, mode=mode, span_normalise=span_normalise, exec=exec_for(2))
    check(ours, theirs)


@pytest.fixture(scope="module")
def many_sets_case(tmp_path_factory, lib):
    """More than 64 sample sets (the pair-skipping of divergence and the
    divergence matrix then tests pairs one by one): 66 one-sample sets and
    17 two-sample sets."""
    del lib
    ts = msprime.sim_ancestry(50, population_size=1_000, sequence_length=2e4, recombination_rate=5e-8,
                              random_seed=41)
    ts = msprime.sim_mutations(ts, rate=5e-8, random_seed=42)
    path = tmp_path_factory.mktemp("stats") / "many_sets.trees"
    ts.dump(path)
    tsp = T.TreeSequence.load(path)
    s = ts.samples()
    sets = [[u] for u in s[:66]] + [list(s[j:j + 2]) for j in range(66, 100, 2)]
    yield ts, tsp, sets
    tsp.free()


@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("threads", [1, 2])
def test_many_sets(many_sets_case, mode, threads):
    ts, tsp, sets = many_sets_case
    assert len(sets) > 64
    w = windows_for(ts)
    theirs = ts.divergence_matrix(sets, windows=w, mode=mode)
    ours = tsp.matrix("divergence_matrix", sets, windows=w, mode=mode, exec=exec_for(threads))
    check(ours, theirs)
    k = len(sets)
    pairs = [(i, j) for i in range(k) for j in range(k) if i != j or len(sets[i]) > 1]
    theirs = ts.divergence(sets, indexes=pairs, windows=w, mode=mode)
    ours = tsp.k_way("divergence", sets, np.array(pairs, dtype=np.int32), windows=w, mode=mode,
                     exec=exec_for(threads))
    check(ours, theirs)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("polarised", [True, False])
def test_general_stat_callback(case, mode, polarised):
    """The caller's summary function (from worker threads) gives the
    built-in diversity."""
    ts, tsp = case
    sets = [s for s in sample_sets(ts) if len(s) >= 2]
    n = np.array([len(s) for s in sets], dtype=float)
    W = np.zeros((ts.num_samples, len(sets)))
    index = {u: j for j, u in enumerate(ts.samples())}
    for k, s in enumerate(sets):
        for u in s:
            W[index[u], k] = 1
    w = windows_for(ts)
    ours = tsp.general_stat(W, lambda x: x * (n - x) / (n * (n - 1)), len(sets), windows=w, mode=mode,
                            polarised=polarised, exec=exec_for(2))
    builtin = tsp.one_way("diversity", sets, windows=w, mode=mode, polarised=polarised, exec=exec_for(1))
    check(ours, builtin)


# ------------------------------------------------------------ threads, progress, cancel


def test_same_bits_for_every_thread_count(case):
    ts, tsp = case
    sets = sample_sets(ts)
    idx = tuples(2, len(sets))
    w = windows_for(ts)
    for mode in MODES:
        ref = None
        for threads in [1, 2, 3, 8]:
            got = tsp.k_way("divergence", sets, idx, windows=w, mode=mode, exec=exec_for(threads))
            if ref is None:
                ref = got
            else:
                assert ref.tobytes() == got.tobytes(), (mode, threads)


def test_progress_and_cancel(case):
    ts, tsp = case
    sets = sample_sets(ts)
    seen = []
    e = T.Exec(2, progress=lambda f: seen.append(f) and False)
    tsp.one_way("diversity", sets, mode="branch", exec=e)
    assert seen and seen[-1] == pytest.approx(1.0)
    assert all(a <= b for a, b in zip(seen, seen[1:]))
    for threads in [1, 2]:
        e = T.Exec(threads, progress=lambda f: True)
        with pytest.raises(TsparError) as info:
            tsp.one_way("diversity", sets, mode="branch", exec=e)
        assert info.value.code == C["TSPAR_ERR_CANCELLED"]


# ------------------------------------------------------------ errors


def code_of(fn):
    with pytest.raises(TsparError) as info:
        fn()
    return info.value.code


def test_errors(case):
    ts, tsp = case
    s = ts.samples()
    sets = [s[:3], s[3:6]]
    non_sample = [u for u in range(ts.num_nodes) if not ts.node(u).is_sample()][0]
    L = ts.sequence_length
    assert code_of(lambda: tsp.one_way("diversity", [[non_sample]])) == C["TSPAR_ERR_BAD_SAMPLES"]
    assert code_of(lambda: tsp.one_way("diversity", [[s[0], s[0]]])) == C["TSPAR_ERR_DUPLICATE_SAMPLE"]
    assert code_of(lambda: tsp.one_way("diversity", [s[:2], []])) == C["TSPAR_ERR_EMPTY_SAMPLE_SET"]
    assert code_of(lambda: tsp.one_way("diversity", [[ts.num_nodes]])) == C["TSPAR_ERR_NODE_OUT_OF_BOUNDS"]
    assert code_of(lambda: tsp.one_way("diversity", [])) == C["TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS"]
    for bad in ([0, L / 2, L / 2, L], [0, L / 2], [1, L], [0, L / 2, L * 2], [0, L / 3, L / 4, L]):
        assert code_of(lambda: tsp.one_way("diversity", sets, windows=bad)) == C["TSPAR_ERR_BAD_WINDOWS"], bad
    assert code_of(lambda: tsp.k_way("divergence", sets, [[0, 2]])) == C["TSPAR_ERR_BAD_SAMPLE_SET_INDEX"]
    assert code_of(lambda: tsp.k_way("divergence", sets, [[0, -1]])) == C["TSPAR_ERR_BAD_SAMPLE_SET_INDEX"]
    assert (code_of(lambda: tsp.k_way("divergence", sets, np.zeros((0, 2))))
            == C["TSPAR_ERR_INSUFFICIENT_INDEX_TUPLES"])
    both = C["TSPAR_STAT_BRANCH"]
    assert code_of(lambda: tsp.one_way("diversity", sets, extra=both)) == C["TSPAR_ERR_MULTIPLE_STAT_MODES"]
    assert (code_of(lambda: tsp.allele_frequency_spectrum(sets, mode="node"))
            == C["TSPAR_ERR_UNSUPPORTED_STAT_MODE"])
    assert code_of(lambda: tsp.matrix("divergence_matrix", sets, mode="node")) == C["TSPAR_ERR_UNSUPPORTED_STAT_MODE"]
    assert code_of(lambda: tsp.one_way("diversity", sets, result_length=1)) == C["TSPAR_ERR_BUFFER_TOO_SMALL"]
    assert code_of(lambda: tsp.weighted("trait_covariance", np.zeros((ts.num_samples, 0)))) in (
        C["TSPAR_ERR_INSUFFICIENT_WEIGHTS"],
    )
