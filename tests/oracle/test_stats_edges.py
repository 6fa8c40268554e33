"""Statistics at tskit's edges, against tskit 1.0.3: matrix windows that do
not cover the genome, zero sample sets, overlapping sets in matrices,
Tajima's D where its variance vanishes, branch statistics over stretches
without edges, and tskit's message for uncalibrated time units."""

import numpy as np
import msprime
import pytest
import tskit

import tspar.lowlevel as T
from tspar.lowlevel import C
from tspar.lowlevel import LibraryError as TsparError

RTOL = 1e-9
ATOL = 1e-12
MATRICES = ["divergence_matrix", "genetic_relatedness_matrix"]


def check(ours, theirs):
    theirs = np.asarray(theirs, dtype=float)
    assert ours.size == theirs.size, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours.ravel(), theirs.ravel(), rtol=RTOL, atol=ATOL, equal_nan=True)


def code_of(fn):
    with pytest.raises(TsparError) as info:
        fn()
    return info.value.code


def _small():
    ts = msprime.sim_ancestry(5, sequence_length=10, recombination_rate=0.05, population_size=10, random_seed=1)
    return msprime.sim_mutations(ts, rate=0.1, random_seed=2)


def _load(ts, tmp_path_factory, name):
    path = tmp_path_factory.mktemp("edges") / f"{name}.trees"
    ts.dump(path)
    return T.TreeSequence.load(path)


@pytest.fixture(scope="module")
def small(tmp_path_factory, lib):
    del lib
    ts = _small()
    assert ts.sequence_length == 10 and ts.num_trees > 3 and ts.num_sites > 3
    tsp = _load(ts, tmp_path_factory, "small")
    yield ts, tsp
    tsp.free()


# ------------------------------------------------------------ matrix windows


@pytest.mark.parametrize("name", MATRICES)
@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("span_normalise", [True, False])
@pytest.mark.parametrize("windows", [[1, 3], [1, 3, 5], [0, 3], [1, 10], [0.5, 2.5, 7, 9.75], [0, 10]])
def test_matrix_windows_inside_the_genome(small, name, mode, span_normalise, windows):
    ts, tsp = small
    s = ts.samples()
    sets = [s[:3], s[3:6], s[6:7], s[7:]]
    theirs = getattr(ts, name)(sets, windows=windows, mode=mode, span_normalise=span_normalise)
    ours = tsp.matrix(name, sets, windows=windows, mode=mode, span_normalise=span_normalise)
    assert ours.shape == (len(windows) - 1, 4, 4)
    check(ours, theirs)


@pytest.mark.parametrize("windows", [[-1, 3], [1, 11], [3, 1], [1, 1], [2, 2, 3], [0, 10, 10]])
def test_matrix_windows_tskit_refuses(small, windows):
    ts, tsp = small
    sets = [[0, 1], [2, 3]]
    for name in MATRICES:
        with pytest.raises(tskit.LibraryError, match="TSK_ERR_BAD_WINDOWS"):
            getattr(ts, name)(sets, windows=windows)
        assert code_of(lambda: tsp.matrix(name, sets, windows=windows)) == C["TSPAR_ERR_BAD_WINDOWS"]


def test_matrix_windows_nan(small):
    """tskit 1.0.3 aborts the process on a NaN breakpoint here; tspar refuses."""
    _, tsp = small
    for name in MATRICES:
        for windows in ([1, np.nan, 3], [np.nan, 3], [1, np.nan]):
            assert code_of(lambda: tsp.matrix(name, [[0, 1]], windows=windows)) == C["TSPAR_ERR_BAD_WINDOWS"]


def test_other_statistics_need_windows_over_the_whole_genome(small):
    ts, tsp = small
    sets = [[0, 1, 2], [3, 4]]
    with pytest.raises(tskit.LibraryError, match="TSK_ERR_BAD_WINDOWS"):
        ts.diversity(sets, windows=[1, 3])
    assert code_of(lambda: tsp.one_way("diversity", sets, windows=[1, 3])) == C["TSPAR_ERR_BAD_WINDOWS"]
    assert code_of(lambda: tsp.k_way("divergence", sets, [[0, 1]], windows=[0, 3])) == C["TSPAR_ERR_BAD_WINDOWS"]
    assert code_of(lambda: tsp.allele_frequency_spectrum(sets, windows=[1, 10])) == C["TSPAR_ERR_BAD_WINDOWS"]


# ------------------------------------------------------------ zero sample sets


@pytest.mark.parametrize("name", MATRICES)
@pytest.mark.parametrize("mode", ["site", "branch"])
def test_matrix_of_no_sample_sets(small, name, mode):
    ts, tsp = small
    for windows in (None, [0, 5, 10], [1, 3]):
        theirs = getattr(ts, name)([], windows=windows, mode=mode)
        ours = tsp.matrix(name, [], windows=windows, mode=mode)
        nw = 1 if windows is None else len(windows) - 1
        assert ours.shape == (nw, 0, 0)
        assert theirs.size == 0 and theirs.shape[-2:] == (0, 0)


def test_matrix_of_no_sample_sets_still_checks_its_arguments(small, tmp_path_factory):
    ts, tsp = small
    for name in MATRICES:
        with pytest.raises(tskit.LibraryError, match="TSK_ERR_BAD_WINDOWS"):
            getattr(ts, name)([], windows=[0, 5, 5])
        assert code_of(lambda: tsp.matrix(name, [], windows=[0, 5, 5])) == C["TSPAR_ERR_BAD_WINDOWS"]
        with pytest.raises(tskit.LibraryError, match="TSK_ERR_UNSUPPORTED_STAT_MODE"):
            getattr(ts, name)([], mode="node")
        assert code_of(lambda: tsp.matrix(name, [], mode="node")) == C["TSPAR_ERR_UNSUPPORTED_STAT_MODE"]
    tables = ts.dump_tables()
    tables.time_units = "uncalibrated"
    un = tables.tree_sequence()
    unp = _load(un, tmp_path_factory, "uncalibrated")
    for name in MATRICES:
        with pytest.raises(tskit.LibraryError, match="TSK_ERR_TIME_UNCALIBRATED"):
            getattr(un, name)([], mode="branch")
        assert code_of(lambda: unp.matrix(name, [], mode="branch")) == C["TSPAR_ERR_TIME_UNCALIBRATED"]
    unp.free()


@pytest.fixture(scope="module")
def no_samples(tmp_path_factory, lib):
    del lib
    tables = _small().dump_tables()
    tables.nodes.flags = np.zeros_like(tables.nodes.flags)
    ts = tables.tree_sequence()
    assert ts.num_samples == 0
    tsp = _load(ts, tmp_path_factory, "no_samples")
    yield ts, tsp
    tsp.free()


@pytest.mark.parametrize("name", MATRICES)
@pytest.mark.parametrize("mode", ["site", "branch"])
def test_tree_sequence_without_samples(no_samples, name, mode):
    ts, tsp = no_samples
    # tskit's default sample sets: each sample on its own, so none here.
    theirs = getattr(ts, name)(mode=mode)
    assert theirs.shape == (0, 0)
    assert tsp.matrix(name, [], mode=mode).shape == (1, 0, 0)


@pytest.mark.parametrize("mode", ["site", "branch", "node"])
def test_weighted_statistics_without_samples(no_samples, mode):
    ts, tsp = no_samples
    W = np.zeros((0, 2))
    check(tsp.weighted("trait_covariance", W, mode=mode), ts.trait_covariance(W, mode=mode))
    idx = [[0, 0], [0, 1]]
    check(tsp.genetic_relatedness_weighted(W, idx, mode=mode),
          ts.genetic_relatedness_weighted(W, indexes=idx, mode=mode))


def test_other_statistics_of_no_sample_sets(small):
    """tskit's Python refuses before its C runs; its C (the library level
    tspar matches) says TSK_ERR_INSUFFICIENT_SAMPLE_SETS."""
    ts, tsp = small
    ll = ts._ll_tree_sequence
    none_u, none_i, w = np.zeros(0, np.uint32), np.zeros(0, np.int32), np.array([0, ts.sequence_length])
    with pytest.raises(tskit.LibraryError, match="TSK_ERR_INSUFFICIENT_SAMPLE_SETS"):
        ll.diversity(none_u, none_i, w, "site", False, True)
    for name in ["diversity", "segregating_sites", "Y1", "Tajimas_D"]:
        with pytest.raises(ValueError):
            getattr(ts, name)([])
        assert code_of(lambda: tsp.one_way(name, [])) == C["TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS"], name
    for name in ["divergence", "Fst", "Y2", "f2", "genetic_relatedness", "Y3", "f3", "f4"]:
        k = T.K_WAY[name]
        assert code_of(lambda: tsp.k_way(name, [], [[0] * k])) == C["TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS"], name
    with pytest.raises(ValueError):
        ts.allele_frequency_spectrum([])
    assert code_of(lambda: tsp.allele_frequency_spectrum([])) == C["TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS"]


# ------------------------------------------------------------ overlapping sets


@pytest.mark.parametrize("name", MATRICES)
@pytest.mark.parametrize("sets", [[[0, 1], [1, 2]], [[0], [0], [1]], [[0, 0], [1]], [[2, 3, 4], [5], [6, 4]]])
def test_matrix_sample_in_two_sets(small, name, sets):
    ts, tsp = small
    with pytest.raises(tskit.LibraryError, match="TSK_ERR_DUPLICATE_SAMPLE"):
        getattr(ts, name)(sets)
    with pytest.raises(TsparError) as info:
        tsp.matrix(name, sets)
    assert info.value.code == C["TSPAR_ERR_DUPLICATE_SAMPLE"]


def test_overlapping_sets_allowed_elsewhere(small):
    ts, tsp = small
    sets = [[0, 1], [1, 2]]
    for mode in ["site", "branch"]:
        check(tsp.k_way("divergence", sets, [[0, 1], [0, 0]], mode=mode),
              ts.divergence(sets, indexes=[(0, 1), (0, 0)], mode=mode))


# ------------------------------------------------------------ Tajima's D


def _tajima_denominator(ts, sets, windows, mode):
    """tskit's denominator, computed as its Python computes it."""
    n = np.array([len(s) for s in sets])
    S = ts.segregating_sites(sets, windows=windows, mode=mode, span_normalise=False)
    h = np.array([np.sum(1 / np.arange(1, nn)) for nn in n])
    g = np.array([np.sum(1 / np.arange(1, nn) ** 2) for nn in n])
    with np.errstate(invalid="ignore", divide="ignore"):
        a = (n + 1) / (3 * (n - 1) * h) - 1 / h**2
        b = 2 * (n**2 + n + 3) / (9 * n * (n - 1)) - (n + 2) / (h * n) + g / h**2
        return np.sqrt(a * S + (b / (h**2 + g)) * S * (S - 1))


def _tajima_undefined(ts, sets, windows, mode):
    """Where Tajima's D is 0 / 0: no variance (n < 4 gives a = b = 0; no
    segregating sites gives S = 0; n = 1 gives h = 0), with S from tskit up
    to its rounding (a branch-mode running sum leaves ~1e-15 behind where
    there are no edges)."""
    S = ts.segregating_sites(sets, windows=windows, mode=mode, span_normalise=False)
    denom = _tajima_denominator(ts, sets, windows, mode)
    return ~(denom > 0) | (np.abs(S) < 1e-9)


@pytest.mark.parametrize("mode", ["site", "branch"])
def test_tajimas_d_without_variance(small, mode):
    """Where the denominator is zero the numerator is too, but for
    rounding: tskit gives NaN or ±inf as its numerator rounds, tspar NaN."""
    ts, tsp = small
    s = ts.samples()
    sets = [s[:1], s[1:3], s[3:6], s[6:]]
    windows = [0, 2, 4.5, 7, 10]
    theirs = ts.Tajimas_D(sets, windows=windows, mode=mode)
    ours = tsp.one_way("Tajimas_D", sets, windows=windows, mode=mode, span_normalise=False)
    undefined = _tajima_undefined(ts, sets, windows, mode)
    assert undefined[:, :3].all() and not undefined[:, 3].all()
    # Where tskit's numerator rounds to exactly zero it gives NaN as well.
    assert np.isnan(theirs[undefined]).any()
    assert np.isnan(ours[undefined]).all()
    check(ours[~undefined], theirs[~undefined])


# ------------------------------------------------------------ windows without edges


def _gapped(where):
    ts = msprime.sim_ancestry(6, sequence_length=10, recombination_rate=0.05, population_size=10, random_seed=3)
    ts = msprime.sim_mutations(ts, rate=0.1, random_seed=4)
    cut = {"start": [[0, 2]], "middle": [[4, 6]], "end": [[8, 10]], "two": [[0, 1], [5, 7.5]]}[where]
    gapped = ts.delete_intervals(cut, simplify=False)
    assert any(t.num_edges == 0 for t in gapped.trees())
    return gapped


@pytest.fixture(scope="module", params=["start", "middle", "end", "two"])
def gapped(request, tmp_path_factory, lib):
    del lib
    ts = _gapped(request.param)
    tsp = _load(ts, tmp_path_factory, f"gap_{request.param}")
    yield ts, tsp
    tsp.free()


GAP_WINDOWS = [0, 1, 2, 4, 5, 6, 7.5, 8, 10]
GAP_SETS = [[0], [1, 2], [3, 4, 5], [6], [7, 8, 9, 10, 11]]


@pytest.mark.parametrize("mode", ["site", "branch", "node"])
@pytest.mark.parametrize("name", ["diversity", "segregating_sites", "Y1", "Tajimas_D"])
def test_one_way_without_edges(gapped, name, mode):
    ts, tsp = gapped
    if name == "Tajimas_D" and mode == "node":
        pytest.skip("tskit's Tajima's D has no node mode")
    theirs = getattr(ts, name)(GAP_SETS, windows=GAP_WINDOWS, mode=mode)
    ours = tsp.one_way(name, GAP_SETS, windows=GAP_WINDOWS, mode=mode,
                       span_normalise=name != "Tajimas_D")
    if name == "Tajimas_D":
        undefined = _tajima_undefined(ts, GAP_SETS, GAP_WINDOWS, mode)
        assert np.isnan(ours[undefined]).all()
        ours, theirs = ours[~undefined], theirs[~undefined]
    check(ours, theirs)


@pytest.mark.parametrize("mode", ["site", "branch", "node"])
@pytest.mark.parametrize("name", ["divergence", "Fst", "Y2", "f2", "genetic_relatedness", "Y3", "f3", "f4"])
def test_k_way_without_edges(gapped, name, mode):
    ts, tsp = gapped
    if name == "Fst" and mode == "node":
        pytest.skip("tskit's Fst in node mode divides node by node; covered elsewhere")
    k = T.K_WAY[name]
    rng = np.random.default_rng(k)
    idx = np.array([[0] * k, [3] * k, list(range(k))] + [list(rng.integers(0, len(GAP_SETS), k)) for _ in range(4)])
    kwargs = dict(windows=GAP_WINDOWS, mode=mode)
    extra = {"polarised": False, "proportion": False} if name == "genetic_relatedness" else {}
    theirs = getattr(ts, name)(GAP_SETS, indexes=idx, **kwargs, **extra)
    ours = tsp.k_way(name, GAP_SETS, idx, **kwargs)
    if name == "Fst" and mode == "branch":
        # Without edges Fst is 0 / 0: NaN. tskit's diversities and
        # divergences there are its running sums' rounding (~1e-15), and
        # their quotient anything.
        empty = _windows_without_edges(ts, GAP_WINDOWS)
        assert empty.any() and np.isnan(ours[empty]).all()
        ours, theirs = ours[~empty], theirs[~empty]
    check(ours, theirs)


def _windows_without_edges(ts, windows):
    edges = ts.tables.edges
    return np.array([
        not ((edges.left < r) & (edges.right > l)).any() for l, r in zip(windows[:-1], windows[1:])
    ])


@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("name", MATRICES)
def test_matrices_without_edges(gapped, name, mode):
    ts, tsp = gapped
    sets = [s for s in GAP_SETS]
    check(tsp.matrix(name, sets, windows=GAP_WINDOWS, mode=mode),
          getattr(ts, name)(sets, windows=GAP_WINDOWS, mode=mode))


@pytest.mark.parametrize("mode", ["site", "branch", "node"])
def test_weighted_without_edges(gapped, mode):
    ts, tsp = gapped
    W = np.random.default_rng(7).normal(size=(ts.num_samples, 2))
    for name in ["trait_covariance", "trait_correlation"]:
        check(tsp.weighted(name, W, windows=GAP_WINDOWS, mode=mode),
              getattr(ts, name)(W, windows=GAP_WINDOWS, mode=mode))
    idx = [[0, 0], [0, 1]]
    check(tsp.genetic_relatedness_weighted(W, idx, windows=GAP_WINDOWS, mode=mode),
          ts.genetic_relatedness_weighted(W, indexes=idx, windows=GAP_WINDOWS, mode=mode))


@pytest.mark.parametrize("mode", ["site", "branch"])
def test_afs_without_edges(gapped, mode):
    ts, tsp = gapped
    sets = GAP_SETS[1:3]
    check(tsp.allele_frequency_spectrum(sets, windows=GAP_WINDOWS, mode=mode),
          ts.allele_frequency_spectrum(sets, windows=GAP_WINDOWS, mode=mode))


def test_nan_over_windows_without_edges(gapped):
    """The case the rule is for: a one-sample set's diversity in branch
    mode is NaN from the first edge on, stretches without edges included,
    and 0 before it."""
    ts, tsp = gapped
    ours = tsp.one_way("diversity", [[0]], windows=GAP_WINDOWS, mode="branch")[:, 0]
    first_edge = ts.tables.edges.left.min()
    before = np.array(GAP_WINDOWS[1:]) <= first_edge
    assert np.isnan(ours[~before]).all() and (ours[before] == 0).all()
    check(ours, ts.diversity([[0]], windows=GAP_WINDOWS, mode="branch"))


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_nan_rule_same_for_every_thread_count(gapped, threads):
    ts, tsp = gapped
    e = T.Exec(threads)
    ours = tsp.k_way("divergence", GAP_SETS, [[0, 0], [3, 1], [1, 2]], windows=GAP_WINDOWS, mode="branch", exec=e)
    check(ours, ts.divergence(GAP_SETS, indexes=[(0, 0), (3, 1), (1, 2)], windows=GAP_WINDOWS, mode="branch"))


# ------------------------------------------------------------ messages


def test_uncalibrated_message_is_tskits(small, tmp_path_factory):
    ts, _ = small
    tables = ts.dump_tables()
    tables.time_units = "uncalibrated"
    un = tables.tree_sequence()
    with pytest.raises(tskit.LibraryError) as theirs:
        un.diversity(mode="branch")
    text = str(theirs.value).split(" (TSK_ERR_")[0].rstrip(".").lower()
    assert "uncalibrated" in text
    unp = _load(un, tmp_path_factory, "uncalibrated_msg")
    with pytest.raises(TsparError) as ours:
        unp.one_way("diversity", [[0, 1]], mode="branch")
    assert ours.value.code == C["TSPAR_ERR_TIME_UNCALIBRATED"]
    assert ours.value.message.lower().startswith(text + ":"), ours.value.message
    assert "TSPAR_STAT_ALLOW_TIME_UNCALIBRATED" in ours.value.message
    assert T.library.strerror(C["TSPAR_ERR_TIME_UNCALIBRATED"]).lower() == text
    unp.free()
