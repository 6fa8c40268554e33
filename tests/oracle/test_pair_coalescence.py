"""Pair coalescence counts against tskit's ``pair_coalescence_counts``:
several populations with migration, recombination, windows that cut trees,
a deleted (missing) stretch of genome, per node and in time windows that
split and exclude nodes, within and between sample sets, span and pair
normalisation; the same bits for every thread count; refusals."""

import msprime
import numpy as np
import pytest
import tskit

import tspar
from tspar.lowlevel import C
from tspar.lowlevel import LibraryError as TsparError

RTOL = 1e-9
ATOL = 1e-12


def _islands():
    dem = msprime.Demography.island_model([1_000] * 3, migration_rate=5e-4)
    ts = msprime.sim_ancestry(
        {0: 6, 1: 5, 2: 4}, demography=dem, sequence_length=2e4, recombination_rate=5e-8, random_seed=51,
    )
    return ts.delete_intervals([[3_000, 4_500]])


def _ancient():
    samples = [msprime.SampleSet(8, time=0), msprime.SampleSet(5, time=400)]
    return msprime.sim_ancestry(
        samples, population_size=1_000, sequence_length=1e4, recombination_rate=1e-7, random_seed=52,
    )


CASES = {"islands": _islands, "ancient": _ancient}


@pytest.fixture(scope="module", params=list(CASES))
def case(request, tmp_path_factory, lib):
    del lib
    ts = CASES[request.param]()
    path = tmp_path_factory.mktemp("pc") / f"{request.param}.trees"
    ts.dump(path)
    yield ts, tspar.load(str(path))


def check(ours, theirs):
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, equal_nan=True)


def sets_of(ts):
    pops = [ts.samples(population=p) for p in range(ts.num_populations)]
    pops = [p for p in pops if len(p) >= 2]
    if len(pops) < 2:
        s = ts.samples()
        pops = [s[: len(s) // 2], s[len(s) // 2:]]
    return pops


def windows_of(ts):
    L = ts.sequence_length
    # (A window much narrower than this makes tskit's own rounding exceed 1e-9:
    # 8.000000009 where the count is exactly 8, for one 1e-3 wide at 5,000.)
    return np.array([0, L * 0.137, L * 0.2, L * 0.5, L * 0.5 + 1, L])


def time_windows_of(ts):
    t = np.sort(ts.nodes_time[ts.nodes_time > 0])
    # Splits among node times, leaves out the oldest nodes and the samples' time.
    return np.array([t[0] / 2, t[len(t) // 4], t[len(t) // 2], t[3 * len(t) // 4]])


@pytest.mark.parametrize("span_normalise", [True, False])
@pytest.mark.parametrize("pair_normalise", [False, True])
@pytest.mark.parametrize("windowed", [False, True])
@pytest.mark.parametrize("timed", [False, True])
def test_counts(case, span_normalise, pair_normalise, windowed, timed):
    ts, tsp = case
    sets = sets_of(ts)
    idx = [(0, 0), (0, 1), (1, 0), (1, 1)] + ([(1, 2), (2, 2)] if len(sets) > 2 else [])
    kw = dict(sample_sets=sets, indexes=idx, span_normalise=span_normalise, pair_normalise=pair_normalise)
    if windowed:
        kw["windows"] = windows_of(ts)
    if timed:
        kw["time_windows"] = time_windows_of(ts)
    check(tsp.pair_coalescence_counts(**kw), ts.pair_coalescence_counts(**kw))


def test_defaults(case):
    ts, tsp = case
    check(tsp.pair_coalescence_counts(), ts.pair_coalescence_counts())
    sets = sets_of(ts)[:2]
    check(tsp.pair_coalescence_counts(sample_sets=sets), ts.pair_coalescence_counts(sample_sets=sets))
    check(tsp.pair_coalescence_counts(sample_sets=sets, time_windows=[0, np.inf]),
          ts.pair_coalescence_counts(sample_sets=sets, time_windows=[0, np.inf]))


def test_same_bits_for_every_thread_count(case):
    ts, tsp = case
    sets = sets_of(ts)
    kw = dict(sample_sets=sets, indexes=[(0, 0), (0, 1)], windows=windows_of(ts))
    ref = tsp.pair_coalescence_counts(num_threads=1, **kw)
    for threads in [2, 3, 8]:
        assert ref.tobytes() == tsp.pair_coalescence_counts(num_threads=threads, **kw).tobytes()


def test_refusals(case):
    ts, tsp = case
    sets = sets_of(ts)
    overlap = [sets[0], np.concatenate([sets[0][:1], sets[1]])]
    with pytest.raises(tskit.LibraryError):
        ts.pair_coalescence_counts(sample_sets=overlap)
    with pytest.raises(TsparError) as info:
        tsp.pair_coalescence_counts(sample_sets=overlap)
    assert info.value.code == C["TSPAR_ERR_DUPLICATE_SAMPLE"]
    with pytest.raises(tskit.LibraryError):
        ts.pair_coalescence_counts(sample_sets=sets, indexes=[(0, len(sets))])
    with pytest.raises(TsparError) as info:
        tsp.pair_coalescence_counts(sample_sets=sets, indexes=[(0, len(sets))])
    assert info.value.code == C["TSPAR_ERR_BAD_SAMPLE_SET_INDEX"]
    bad = [0, ts.sequence_length / 2]
    with pytest.raises(tskit.LibraryError):
        ts.pair_coalescence_counts(windows=bad)
    with pytest.raises(TsparError) as info:
        tsp.pair_coalescence_counts(windows=bad)
    assert info.value.code == C["TSPAR_ERR_BAD_WINDOWS"]
    with pytest.raises(TsparError) as info:
        tsp._ll.pair_coalescence_counts(sets, [(0, 1)], node_bin_map=np.full(ts.num_nodes, 3, np.int32),
                                        num_bins=2)
    assert info.value.code == C["TSPAR_ERR_BAD_NODE_BIN_MAP"]


# ------------------------------------------------------------ quantiles and rates


def _indexes(sets):
    return [(0, 0), (0, 1), (1, 1)] + ([(1, 2), (2, 0)] if len(sets) > 2 else [])


@pytest.mark.parametrize("windowed", [False, True])
def test_quantiles(case, windowed):
    ts, tsp = case
    sets = sets_of(ts)
    # A quantile that the distribution reaches exactly at a node (0.5 of a
    # symmetric split, say) is decided by the last bit of the sums; these
    # are not such ties in the cases here.
    q = np.array([0.0, 0.1, 0.25, 0.49, 0.73, 0.9, 1.0])
    kw = dict(sample_sets=sets, indexes=_indexes(sets))
    if windowed:
        kw["windows"] = windows_of(ts)
    check(tsp.pair_coalescence_quantiles(q, **kw), ts.pair_coalescence_quantiles(q, **kw))
    check(tsp.pair_coalescence_quantiles(q), ts.pair_coalescence_quantiles(q))


@pytest.mark.parametrize("windowed", [False, True])
def test_rates(case, windowed):
    ts, tsp = case
    sets = sets_of(ts)
    t = np.sort(ts.nodes_time[ts.nodes_time > 0])
    start = ts.nodes_time[ts.samples()].min()
    kw = dict(sample_sets=sets, indexes=_indexes(sets))
    if windowed:
        kw["windows"] = windows_of(ts)
    if len(set(ts.nodes_time[ts.samples()])) > 1:
        # Samples of several ages: tskit refuses, and so does tspar.
        tw = np.array([start, t[len(t) // 2], np.inf])
        with pytest.raises(tskit.LibraryError):
            ts.pair_coalescence_rates(tw, **kw)
        with pytest.raises(TsparError) as info:
            tsp.pair_coalescence_rates(tw, **kw)
        assert info.value.code == C["TSPAR_ERR_BAD_SAMPLE_PAIR_TIMES"]
        return
    for tw in (
        np.array([start, t[len(t) // 4], t[len(t) // 2], np.inf]),
        np.array([start, t[len(t) // 3], t[-1] / 2, t[-1] * 2, np.inf]),  # all coalesced before the last
        np.array([start, np.inf]),
    ):
        check(tsp.pair_coalescence_rates(tw, **kw), ts.pair_coalescence_rates(tw, **kw))


def test_quantile_and_rate_refusals(case):
    ts, tsp = case
    for q in ([0.5, 0.2], [1.5]):
        with pytest.raises(tskit.LibraryError):
            ts.pair_coalescence_quantiles(np.array(q))
        with pytest.raises(TsparError) as info:
            tsp.pair_coalescence_quantiles(np.array(q))
        assert info.value.code == C["TSPAR_ERR_BAD_QUANTILES"]


def test_uncalibrated_time_refused_as_tskit(case, tmp_path):
    ts, _ = case
    tables = ts.dump_tables()
    tables.time_units = tskit.TIME_UNITS_UNCALIBRATED
    un = tables.tree_sequence()
    un.dump(tmp_path / "un.trees")
    unp = tspar.load(str(tmp_path / "un.trees"))
    assert unp.time_units == un.time_units == "uncalibrated"
    tw = np.array([0.0, 100.0, np.inf])
    calls = [
        ("pair_coalescence_counts", dict(time_windows=tw)),
        ("pair_coalescence_quantiles", dict(quantiles=np.array([0.5]))),
        ("pair_coalescence_rates", dict(time_windows=tw)),
    ]
    for name, kw in calls:
        with pytest.raises(ValueError, match="calibrated") as theirs:
            getattr(un, name)(**kw)
        with pytest.raises(ValueError) as ours:
            getattr(unp, name)(**kw)
        assert str(ours.value) == str(theirs.value)
    # Per-node counts need no time: both compute them.
    check(unp.pair_coalescence_counts(), un.pair_coalescence_counts())
    # The library refuses quantiles and rates itself, unless allowed.
    sets = [np.array(unp.samples(), dtype=np.int32)]
    bins = np.zeros(unp.num_nodes, dtype=np.int32)
    with pytest.raises(TsparError) as info:
        unp._ll.pair_coalescence_rates(sets, np.array([[0, 0]], dtype=np.int32), bins, np.array([0.0, np.inf]))
    assert info.value.code == C["TSPAR_ERR_TIME_UNCALIBRATED"]
