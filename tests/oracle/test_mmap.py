"""Mapped loads from Python (``tspar.load(path, mmap=True)``): the same
tables as tskit's load, the same statistics as tskit's (and bit for bit as
tspar's copying load), pickling keeps the option, and a file replaced by a
dump while mapped leaves the loaded tree sequence as it was."""

import pickle

import numpy as np
import pytest
import tskit

import tspar
from tspar.exceptions import LibraryError


def _halves(ts):
    s = ts.samples()
    return [s[: len(s) // 2], s[len(s) // 2:]]


@pytest.mark.parametrize("name", ["island_migrations", "multiallelic", "metadata_everywhere"])
def test_mapped_load_matches_tskit(lib, case_dir, name):
    from conftest import case

    path = case_dir / f"{name}.trees"
    if not path.exists():
        case(name).dump(path)
    ts_sk = tskit.load(path)
    mapped = tspar.load(path, mmap=True)
    copied = tspar.load(path)
    assert mapped.tables.to_tskit().equals(ts_sk.tables)
    assert mapped.num_trees == ts_sk.num_trees
    t = tspar.TableCollection.load(path, mmap=True)
    assert t.to_tskit().equals(ts_sk.tables)
    t.nodes.add_row(flags=0, time=1e9)  # copied on write
    assert t.nodes.num_rows == ts_sk.num_nodes + 1
    assert tspar.TableCollection.load(path, mmap=True).to_tskit().equals(ts_sk.tables)
    sets = _halves(ts_sk)
    L = ts_sk.sequence_length
    windows = [0, L / 3, L / 2, L]
    for mode in ["site", "branch"]:
        want = ts_sk.diversity(sets, windows=windows, mode=mode)
        got = mapped.diversity(sets, windows=windows, mode=mode)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
        assert np.array_equal(got, copied.diversity(sets, windows=windows, mode=mode))
        want = ts_sk.Fst(sets, indexes=[(0, 1)], mode=mode)
        got = mapped.Fst(sets, indexes=[(0, 1)], mode=mode)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # Columns read through the binding are the file's.
    assert np.array_equal(np.asarray(mapped.edges_left), ts_sk.tables.edges.left)
    assert np.array_equal(np.asarray(mapped.nodes_time), ts_sk.tables.nodes.time)


def test_pickle_keeps_mmap_and_dump_over(lib, tmp_path):
    from conftest import case

    path = tmp_path / "a.trees"
    case("island_migrations").dump(path)
    ts_sk = tskit.load(path)
    mapped = tspar.load(path, mmap=True)
    again = pickle.loads(pickle.dumps(mapped))
    assert again._mmap
    before = mapped.diversity(mode="branch")
    assert again.diversity(mode="branch") == before
    # Another tree sequence dumped over the mapped file (a rename): the
    # mapped one still has the old contents.
    small = tskit.TableCollection(sequence_length=1)
    small.nodes.add_row(flags=1, time=0)
    tspar.TableCollection.from_tskit(small).dump(path)
    assert tskit.TableCollection.load(path).nodes.num_rows == 1
    assert mapped.diversity(mode="branch") == before
    assert mapped.tables.to_tskit().equals(ts_sk.tables)
    np.testing.assert_allclose(before, ts_sk.diversity(mode="branch"), rtol=1e-9)


def test_damaged_file_same_error(lib, tmp_path):
    from conftest import case

    path = tmp_path / "b.trees"
    case("island_migrations").dump(path)
    data = path.read_bytes()
    bad = tmp_path / "bad.trees"
    for cut in [10, 100, 1000, len(data) // 2, len(data) - 1]:
        bad.write_bytes(data[:cut])
        errors = []
        for mmap in [False, True]:
            with pytest.raises(LibraryError) as e:
                tspar.load(bad, mmap=mmap)
            errors.append((type(e.value), str(e.value)))
        assert errors[0] == errors[1]


def test_process_pool_example(lib, tmp_path):
    """examples/process_pool.py: workers that load the file mapped by name,
    by windows and by parts, against tskit's diversity."""
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor
    from pathlib import Path

    from conftest import case

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
    import process_pool

    path = tmp_path / "pool.trees"
    case("island_migrations").dump(path)
    ts_sk = tskit.load(path)
    pops = ts_sk.tables.nodes.population
    samples = ts_sk.samples()
    sets = [samples[pops[samples] == k] for k in np.unique(pops[samples])]
    windows = np.linspace(0, ts_sk.sequence_length, 5)
    want = ts_sk.diversity(sets, windows=windows)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        by_windows = process_pool.by_windows(pool, str(path), 4, 2)
        by_parts = process_pool.by_parts(pool, str(path), 4)
    np.testing.assert_allclose(by_windows, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(by_parts, want, rtol=1e-9, atol=1e-12)
    one = tspar.load(path)
    assert np.array_equal(by_parts, one.diversity([s.tolist() for s in sets], windows=windows))


def test_every_edge_walk_the_same_mapped(lib, case_dir):
    """The statistics and the tree cursor read the edges through the mapped
    index (not gathered pairs) after a mapped load: the same bits as after a
    copying load, and tskit's values."""
    from conftest import case

    path = case_dir / "island_migrations.trees"
    if not path.exists():
        case("island_migrations").dump(path)
    ts_sk = tskit.load(path)
    m, c = tspar.load(path, mmap=True), tspar.load(path)
    sets = _halves(ts_sk)
    L = ts_sk.sequence_length
    windows = [0, L / 4, L / 2 + 0.5, L]
    W = np.arange(ts_sk.num_samples * 2, dtype=float).reshape(-1, 2) % 7

    def same(f):
        a, b = f(m), f(c)
        assert np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        return a

    for mode in ["site", "branch"]:
        got = same(lambda t: t.divergence_matrix(sets, windows=windows, mode=mode, num_threads=2))
        np.testing.assert_allclose(got, ts_sk.divergence_matrix(sets, windows=windows, mode=mode), rtol=1e-9)
    # (tskit has genetic_relatedness_vector in branch mode only)
    got = same(lambda t: t.genetic_relatedness_vector(W, windows=windows, mode="branch", num_threads=2))
    want = ts_sk.genetic_relatedness_vector(W, windows=windows, mode="branch")
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    got = same(lambda t: t.pair_coalescence_counts(sets, windows=windows, num_threads=2))
    np.testing.assert_allclose(got, ts_sk.pair_coalescence_counts(sets, windows=windows), rtol=1e-9)
    got = same(lambda t: t.ld_matrix(mode="branch", positions=[[1.0, L / 3, L / 2], [2.0, L / 2, L - 1]]))
    want = ts_sk.ld_matrix(mode="branch", positions=[[1.0, L / 3, L / 2], [2.0, L / 2, L - 1]])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    # Trees left to right and back.
    fwd = [t.parent_array.copy() for t in m.trees()]
    want = [t.parent_array.copy() for t in ts_sk.trees()]
    assert len(fwd) == len(want) and all(np.array_equal(a, b[: len(a)]) for a, b in zip(fwd, want))
    tree = tspar.Tree(m)
    assert tree.last()
    back = [tree.parent_array.copy()]
    while tree.prev():
        back.append(tree.parent_array.copy())
    assert all(np.array_equal(a, b) for a, b in zip(back[::-1], fwd))
