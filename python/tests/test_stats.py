"""Every statistic against tskit 1.0.3: same arguments, same shapes
(dimensions dropped as tskit drops them), same numbers."""

import numpy as np
import pytest
import tskit

import tspar
from conftest import assert_same, pop_sets

MODES = ["site", "branch", "node"]


def windows_of(ts):
    L = ts.sequence_length
    return [None, "trees", "sites", np.array([0, L * 0.3, L * 0.31, L])]


@pytest.mark.parametrize("name", ["diversity", "segregating_sites", "Y1", "Tajimas_D"])
@pytest.mark.parametrize("mode", MODES)
def test_one_way(pair, name, mode):
    ts, tsp = pair
    sets = [s for s in pop_sets(ts) if len(s) >= 3]
    kw = {} if name == "Tajimas_D" else {"span_normalise": False}
    for windows in windows_of(ts):
        for arg in [sets, sets[0], list(sets[1])]:
            theirs = getattr(ts, name)(arg, windows=windows, mode=mode)
            ours = getattr(tsp, name)(arg, windows=windows, mode=mode)
            assert_same(ours, theirs)
            assert type(ours) is type(theirs)
        assert_same(getattr(tsp, name)(sets, windows=windows, mode=mode, **kw),
                    getattr(ts, name)(sets, windows=windows, mode=mode, **kw))


@pytest.mark.parametrize("name", ["diversity", "segregating_sites", "Tajimas_D"])
def test_one_way_defaults(pair, name):
    ts, tsp = pair
    ours, theirs = getattr(tsp, name)(), getattr(ts, name)()
    assert isinstance(ours, float) or np.ndim(ours) == 0
    assert_same(ours, theirs)


@pytest.mark.parametrize("name,k", [("divergence", 2), ("Fst", 2), ("Y2", 2), ("f2", 2), ("Y3", 3), ("f3", 3),
                                    ("f4", 4)])
@pytest.mark.parametrize("mode", MODES)
def test_k_way(pair, name, k, mode):
    ts, tsp = pair
    sets = pop_sets(ts)
    s = ts.samples()
    sets = (sets + [s[:3], s[-3:], s[2:6]])[:max(k, 3)]
    rng = np.random.default_rng(k)
    idx = rng.integers(0, len(sets), size=(4, k))
    for windows in windows_of(ts):
        cases = [dict(indexes=idx), dict(indexes=list(idx[0])), dict(indexes=[list(idx[1])])]
        for kw in cases:
            assert_same(getattr(tsp, name)(sets, windows=windows, mode=mode, **kw),
                        getattr(ts, name)(sets, windows=windows, mode=mode, **kw))
        ours = getattr(tsp, name)(sets[:k], windows=windows, mode=mode, span_normalise=False)
        theirs = getattr(ts, name)(sets[:k], windows=windows, mode=mode, span_normalise=False)
        assert_same(ours, theirs)
        assert np.shape(ours) == np.shape(theirs)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("polarised", [True, False])
@pytest.mark.parametrize("proportion", [True, False])
@pytest.mark.parametrize("centre", [True, False])
def test_genetic_relatedness(pair, mode, polarised, proportion, centre):
    ts, tsp = pair
    sets = pop_sets(ts)
    for windows in [None, "trees"]:
        for idx in [None, [0, 1], [[0, 1], [1, 1]]]:
            if proportion and (windows is not None or mode == "node") and idx == [0, 1]:
                continue  # tskit 1.0.3 fails there itself (a reshape of its denominator)
            kw = dict(windows=windows, mode=mode, polarised=polarised, proportion=proportion, centre=centre)
            assert_same(tsp.genetic_relatedness(sets[:2] if idx is None else sets, indexes=idx, **kw),
                        ts.genetic_relatedness(sets[:2] if idx is None else sets, indexes=idx, **kw))


@pytest.mark.parametrize("mode", MODES)
def test_weighted(pair, mode):
    ts, tsp = pair
    W = np.random.default_rng(3).normal(size=(ts.num_samples, 2))
    for windows in [None, "trees"]:
        for name in ["trait_covariance", "trait_correlation"]:
            assert_same(getattr(tsp, name)(W, windows=windows, mode=mode),
                        getattr(ts, name)(W, windows=windows, mode=mode))
        for idx in [None, [0, 1], [[0, 1], [1, 1]]]:
            for centre in [True, False]:
                assert_same(
                    tsp.genetic_relatedness_weighted(W, indexes=idx, windows=windows, mode=mode, centre=centre),
                    ts.genetic_relatedness_weighted(W, indexes=idx, windows=windows, mode=mode, centre=centre))


@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("polarised", [True, False])
def test_afs(pair, mode, polarised):
    ts, tsp = pair
    sets = pop_sets(ts)
    for windows in [None, "trees"]:
        for arg in [None, sets[0], sets[:2]]:
            kw = dict(windows=windows, mode=mode, polarised=polarised)
            assert_same(tsp.allele_frequency_spectrum(arg, **kw), ts.allele_frequency_spectrum(arg, **kw))


@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("name", ["divergence_matrix", "genetic_relatedness_matrix"])
def test_matrices(pair, name, mode):
    ts, tsp = pair
    sets = pop_sets(ts)
    for windows in [None, "trees"]:
        for arg in [None, sets]:
            assert_same(getattr(tsp, name)(arg, windows=windows, mode=mode),
                        getattr(ts, name)(arg, windows=windows, mode=mode))


@pytest.mark.parametrize("mode", MODES)
def test_general_and_sample_count_stat(pair, mode):
    ts, tsp = pair
    sets = pop_sets(ts)
    n = np.array([len(s) for s in sets], dtype=float)

    def f(x):
        return x * (n - x) / (n * (n - 1))

    W = np.zeros((ts.num_samples, len(sets)))
    index = {u: j for j, u in enumerate(ts.samples())}
    for k, s in enumerate(sets):
        W[[index[u] for u in s], k] = 1
    for threads in [1, 2]:
        assert_same(tsp.general_stat(W, f, len(sets), windows="trees", mode=mode, num_threads=threads),
                    ts.general_stat(W, f, len(sets), windows="trees", mode=mode), rtol=1e-9)
        assert_same(tsp.sample_count_stat(sets, f, len(sets), mode=mode, num_threads=threads),
                    ts.sample_count_stat(sets, f, len(sets), mode=mode), rtol=1e-9)


def test_general_stat_error_in_summary_function(islands):
    ts, tsp = islands
    W = np.ones((ts.num_samples, 1))

    def bad(x):
        raise ZeroDivisionError("in the summary function")

    with pytest.raises(ZeroDivisionError):
        tsp.general_stat(W, bad, 1, strict=False, num_threads=2)


def test_same_results_for_every_thread_count(islands):
    ts, tsp = islands
    sets = pop_sets(ts)
    ref = tsp.divergence(sets, indexes=[(0, 1), (1, 2)], windows="trees", mode="branch", num_threads=1)
    for threads in [None, 0, 2, 3]:
        got = tsp.divergence(sets, indexes=[(0, 1), (1, 2)], windows="trees", mode="branch", num_threads=threads)
        assert got.tobytes() == ref.tobytes()


def test_argument_errors(islands):
    ts, tsp = islands
    s = tsp.samples()
    # Checked in Python before the call, as tskit does.
    with pytest.raises(ValueError):
        tsp.diversity([s[:2], []])
    with pytest.raises(ValueError):
        tsp.diversity(s, mode="nodes")
    with pytest.raises(TypeError):
        tsp.diversity(s, mode=1)
    with pytest.raises(ValueError):
        tsp.divergence([s[:2], s[2:4], s[4:6]])
    with pytest.raises(ValueError):
        tsp.divergence([s[:2], s[2:4]], indexes=[[0, 1, 1]])
    with pytest.raises(ValueError):
        tsp.diversity(s, windows="genes")
    with pytest.raises(TypeError):
        tsp.diversity([["a", "b"]])
    with pytest.raises(ValueError):
        tsp.diversity([[2**40]])
    with pytest.raises(TypeError):
        tsp.diversity(s, num_threads=1.5)
    with pytest.raises(ValueError):
        tsp.diversity(s, num_threads=-1)
    with pytest.raises(ValueError):
        tsp.trait_covariance(np.ones((3, 1)))
    with pytest.raises(ValueError):
        tsp.allele_frequency_spectrum(time_windows=[0, 10])
    # Found by the library: LibraryError subclasses with its message.
    with pytest.raises(tspar.StatsError) as info:
        tsp.diversity(s, windows=[0, 10, 5, ts.sequence_length])
    assert info.value.code == tspar.lowlevel.C.TSPAR_ERR_BAD_WINDOWS
    assert "window" in str(info.value).lower()
    with pytest.raises(tspar.LibraryError) as info:
        tsp.diversity([[ts.num_nodes + 5]])
    assert info.value.name == "TSPAR_ERR_NODE_OUT_OF_BOUNDS"
    with pytest.raises(tspar.LibraryError):
        tsp.divergence([s[:2], s[2:4]], indexes=[0, 7])
    non_sample = [u for u in range(ts.num_nodes) if not ts.node(u).is_sample()][0]
    with pytest.raises(tspar.StatsError):
        tsp.diversity([[non_sample]])


def test_progress(islands):
    ts, tsp = islands
    seen = []
    tsp.diversity(windows="trees", mode="branch", progress=lambda f: seen.append(f) and False)
    assert seen and seen[-1] == pytest.approx(1.0)
    with pytest.raises(tspar.CancelledError):
        tsp.diversity(mode="branch", progress=lambda f: True)
    # progress=True shows a tqdm bar and gives the same result.
    pytest.importorskip("tqdm")
    assert_same(tsp.diversity(mode="branch", progress=True), ts.diversity(mode="branch"))
