"""Divergence and relatedness matrices between many small sample sets
(individuals) against tskit: one-sample, two-sample and mixed sets, windows
that cut trees or leave out the ends of the genome, multi-allelic sites
(including a site with more than 256 alleles); the same bits at 1 and 2
threads."""

import msprime
import numpy as np
import pytest
import tskit

import tspar.lowlevel as T

RTOL = 1e-9
ATOL = 1e-12
EXEC = {}


def exec_for(threads):
    if threads not in EXEC:
        EXEC[threads] = T.Exec(threads)
    return EXEC[threads]


def _finite_sites():
    """Three islands, a discrete genome, JC69 mutations at a high rate:
    recurrent and back mutations, sites with three and four alleles."""
    dem = msprime.Demography.island_model([500] * 3, migration_rate=1e-3)
    ts = msprime.sim_ancestry({0: 30, 1: 25, 2: 25}, demography=dem, sequence_length=5_000,
                              recombination_rate=2e-7, random_seed=5)
    return msprime.sim_mutations(ts, rate=3e-6, model=msprime.JC69(), random_seed=6)


def _continuous():
    """A continuous genome, infinite sites, ancient samples."""
    samples = [msprime.SampleSet(100, time=0), msprime.SampleSet(20, time=200)]
    ts = msprime.sim_ancestry(samples, population_size=1_000, ploidy=1, sequence_length=3e4,
                              recombination_rate=5e-8, random_seed=7)
    return msprime.sim_mutations(ts, rate=5e-8, random_seed=8)


def _many_alleles():
    """400 haploid samples and a site with 300 alleles (one mutation on
    each of 300 samples) and one with 5."""
    ts = msprime.sim_ancestry(400, ploidy=1, population_size=1_000, sequence_length=1e4,
                              recombination_rate=2e-8, random_seed=9)
    ts = msprime.sim_mutations(ts, rate=2e-8, random_seed=10)
    tables = ts.dump_tables()
    for pos, count in [(1234.5, 300), (4321.5, 5)]:
        site = tables.sites.add_row(position=pos, ancestral_state="A")
        for i in range(count):
            tables.mutations.add_row(site=site, node=ts.samples()[i], derived_state=f"s{i}")
    tables.sort()
    tables.build_index()
    tables.compute_mutation_parents()
    return tables.tree_sequence()


CASES = {"finite_sites": _finite_sites, "continuous": _continuous, "many_alleles": _many_alleles}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, tmp_path_factory, lib):
    del lib
    ts = CASES[request.param]()
    path = tmp_path_factory.mktemp("matrices") / f"{request.param}.trees"
    ts.dump(path)
    tsp = T.TreeSequence.load(path)
    yield ts, tsp
    tsp.free()


def set_shapes(ts):
    s = list(ts.samples())
    ones = [[u] for u in s[:80]]
    twos = [s[j:j + 2] for j in range(0, min(len(s), 120) - 1, 2)]
    mixed, at, size = [], 0, 1
    while at + size <= min(len(s), 150):
        mixed.append(s[at:at + size])
        at += size
        size = size % 3 + 1
    return {"ones": ones, "twos": twos, "mixed": mixed}


def windows_for(ts, kind):
    L = ts.sequence_length
    if kind is None:
        return None
    if kind == "cut":
        w = [0, L * 0.137, L * 0.5, L * 0.5 + 1e-7 * L, L * 0.77, L]
        if ts.discrete_genome:
            w = [0, 271, 1000, 1001, 1543, L]
    else:  # within: the ends of the genome left out
        w = [L * 0.1, L * 0.45, L * 0.9]
    return np.array(sorted(set(w)))


@pytest.mark.parametrize("name", ["divergence_matrix", "genetic_relatedness_matrix"])
@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("shape", ["ones", "twos", "mixed"])
@pytest.mark.parametrize("windows", [None, "cut", "within"])
@pytest.mark.parametrize("span_normalise", [True, False])
def test_matrix_many_sets(case, name, mode, shape, windows, span_normalise):
    ts, tsp = case
    sets = set_shapes(ts)[shape]
    assert len(sets) >= 32
    w = windows_for(ts, windows)
    theirs = getattr(ts, name)(sets, windows=w, mode=mode, span_normalise=span_normalise)
    ours = tsp.matrix(name, sets, windows=w, mode=mode, span_normalise=span_normalise, exec=exec_for(1))
    theirs = np.asarray(theirs, dtype=float)
    assert ours.size == theirs.size
    # Relatedness is double-centred: entries near 0 are differences of
    # large ones, so their error is relative to the matrix's scale.
    atol = ATOL if name == "divergence_matrix" else max(ATOL, RTOL * np.max(np.abs(theirs), initial=0))
    np.testing.assert_allclose(ours.ravel(), theirs.ravel(), rtol=RTOL, atol=atol)
    again = tsp.matrix(name, sets, windows=w, mode=mode, span_normalise=span_normalise, exec=exec_for(2))
    assert np.array_equal(ours.view(np.uint64), again.view(np.uint64))


# ---- the relatedness-vector product


@pytest.fixture(scope="module", params=["finite_sites", "continuous"])
def vcase(request, tmp_path_factory, lib):
    del lib
    ts = CASES[request.param]()
    path = tmp_path_factory.mktemp("relvec") / f"{request.param}.trees"
    ts.dump(path)
    tsp = T.TreeSequence.load(path)
    yield ts, tsp, path
    tsp.free()


def weights(ts, k, seed=1):
    return np.random.default_rng(seed).normal(size=(ts.num_samples, k))


def close(ours, theirs):
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    scale = max(ATOL, RTOL * np.max(np.abs(theirs), initial=0))
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=scale)


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("windows", [None, "cut"])
@pytest.mark.parametrize("span_normalise", [True, False])
@pytest.mark.parametrize("centre", [True, False])
def test_relatedness_vector_branch(vcase, k, windows, span_normalise, centre):
    ts, tsp, _ = vcase
    W = weights(ts, k)
    w = windows_for(ts, windows)
    theirs = ts.genetic_relatedness_vector(W, windows=w, mode="branch", span_normalise=span_normalise,
                                           centre=centre)
    if w is None:
        theirs = theirs[np.newaxis]
    for threads in [1, 2]:
        ours = tsp.genetic_relatedness_vector(W, windows=w, mode="branch", span_normalise=span_normalise,
                                              centre=centre, exec=exec_for(threads))
        close(ours, theirs)
        if threads == 1:
            first = ours
    assert np.array_equal(first.view(np.uint64), ours.view(np.uint64))


@pytest.mark.parametrize("windows", [None, "cut"])
def test_relatedness_vector_branch_nodes(vcase, windows):
    """Focal nodes: samples and internal nodes, non-centred (as tskit)."""
    ts, tsp, _ = vcase
    W = weights(ts, 2, seed=3)
    w = windows_for(ts, windows)
    nodes = np.concatenate([ts.samples()[:5], np.arange(ts.num_samples, ts.num_nodes, 7)]).astype(np.int32)
    theirs = ts.genetic_relatedness_vector(W, windows=w, mode="branch", centre=False, nodes=nodes)
    if w is None:
        theirs = theirs[np.newaxis]
    ours = tsp.genetic_relatedness_vector(W, windows=w, mode="branch", centre=False, nodes=nodes,
                                          exec=exec_for(2))
    close(ours, theirs)


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("windows", [None, "cut"])
@pytest.mark.parametrize("span_normalise", [True, False])
def test_relatedness_vector_site(vcase, k, windows, span_normalise):
    """Site mode against tskit's site-mode relatedness matrix of one-sample
    sets times W; non-centred, centring the weights and the result gives
    the same."""
    ts, tsp, _ = vcase
    W = weights(ts, k, seed=5)
    w = windows_for(ts, windows)
    grm = ts.genetic_relatedness_matrix([[u] for u in ts.samples()], windows=w, mode="site",
                                        span_normalise=span_normalise)
    if w is None:
        grm = grm[np.newaxis]
    theirs = np.stack([g @ W for g in grm])
    ours = tsp.genetic_relatedness_vector(W, windows=w, mode="site", span_normalise=span_normalise,
                                          exec=exec_for(2))
    close(ours, theirs)
    Wc = W - W.mean(axis=0)
    raw = tsp.genetic_relatedness_vector(Wc, windows=w, mode="site", span_normalise=span_normalise,
                                         centre=False, exec=exec_for(1))
    close(raw - raw.mean(axis=1, keepdims=True), theirs)


def test_relatedness_vector_python_api(vcase):
    import tspar
    ts, _, path = vcase
    t = tspar.load(path)
    W = weights(ts, 2, seed=7)
    close(t.genetic_relatedness_vector(W, mode="branch", num_threads=2),
          ts.genetic_relatedness_vector(W, mode="branch"))
    with pytest.raises(ValueError):
        t.genetic_relatedness_vector(W, mode="branch", nodes=[0, 1])
