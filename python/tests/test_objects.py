"""Tree sequences, trees and tables against tskit: round trips, columns,
views and their lifetimes, trees, and what a Python simulator needs."""

import gc
import io
import weakref

import msprime
import numpy as np
import pytest
import tskit

import tspar
from conftest import assert_same


def test_version():
    assert tspar.__version__ == tspar.lowlevel.version()
    assert tspar.__version__.count(".") == 2


def test_round_trip_tskit_tspar_tskit(pair):
    ts, tsp = pair
    back = tsp.to_tskit()
    back.tables.assert_equals(ts.tables)
    assert isinstance(back, tskit.TreeSequence)


def test_round_trip_metadata_and_schemas():
    ts = msprime.sim_ancestry(3, sequence_length=100, random_seed=2)
    tables = ts.dump_tables()
    tables.metadata_schema = tskit.MetadataSchema.permissive_json()
    tables.metadata = {"a": 1}
    tables.nodes.metadata_schema = tskit.MetadataSchema.permissive_json()
    tables.nodes.packset_metadata([b'{"x": %d}' % j for j in range(tables.nodes.num_rows)])
    tables.time_units = "years"
    tables.reference_sequence.data = "ACGT" * 25
    ts = tables.tree_sequence()
    back = tspar.TreeSequence.from_tskit(ts).to_tskit()
    back.tables.assert_equals(ts.tables)
    assert back.node(2).metadata == {"x": 2}


def test_sizes_and_samples(pair):
    ts, tsp = pair
    for name in ["num_trees", "num_samples", "num_nodes", "num_edges", "num_sites", "num_mutations",
                 "num_individuals", "num_populations", "num_migrations", "num_provenances", "sequence_length",
                 "discrete_genome"]:
        assert getattr(tsp, name) == getattr(ts, name), name
    assert np.array_equal(tsp.samples(), ts.samples())
    for p in range(ts.num_populations):
        assert np.array_equal(tsp.samples(population=p), ts.samples(population=p))
    assert np.array_equal(tsp.samples(time=0), ts.samples(time=0))
    assert np.array_equal(tsp.breakpoints(as_array=True), ts.breakpoints(as_array=True))
    assert list(tsp.breakpoints()) == list(ts.breakpoints())


def test_column_views_are_zero_copy_read_only(pair):
    ts, tsp = pair
    for table, cols in [("nodes", ["time", "flags", "population", "individual"]),
                        ("edges", ["left", "right", "parent", "child"]), ("sites", ["position"]),
                        ("mutations", ["site", "node", "parent", "time"])]:
        for c in cols:
            ours = getattr(tsp, f"{table}_{c}")
            assert np.array_equal(ours, getattr(ts, f"{table}_{c}"), equal_nan=True), (table, c)
            assert not ours.flags.writeable and not ours.flags.owndata
            with pytest.raises(ValueError):
                ours[:1] = 0
    a, b = tsp.nodes_time, tsp.nodes_time
    assert a.__array_interface__["data"][0] == b.__array_interface__["data"][0]  # no copy


def test_view_outlives_its_tree_sequence(islands):
    ts, _ = islands
    tsp = tspar.TreeSequence.from_tskit(ts)
    ref = weakref.ref(tsp)
    view = tsp.edges_parent
    tree = tsp.first()
    parents = tree.parent_array
    expected = ts.edges_parent.copy()
    del tsp, tree
    gc.collect()
    assert ref() is None
    # The views keep the library's data alive.
    junk = [np.ones(10_000) for _ in range(100)]
    del junk
    assert np.array_equal(view, expected)
    assert parents.shape == (ts.num_nodes + 1,)
    # free() on the low-level object also leaves the views valid.
    t2 = tspar.TreeSequence.from_tskit(ts)
    v2 = t2.nodes_time
    t2._ll.free()
    with pytest.raises(ValueError):
        t2.num_trees
    assert np.array_equal(v2, ts.nodes_time)


def test_trees_match_tskit(pair):
    ts, tsp = pair
    n = 0
    for ours, theirs in zip(tsp.trees(), ts.trees()):
        n += 1
        assert ours.index == theirs.index
        assert tuple(ours.interval) == tuple(theirs.interval)
        assert ours.span == theirs.span
        assert np.array_equal(ours.parent_array, theirs.parent_array)
        assert np.array_equal(ours.left_child_array, theirs.left_child_array)
        assert np.array_equal(ours.right_sib_array, theirs.right_sib_array)
        assert ours.roots == list(theirs.roots)
        assert ours.num_roots == theirs.num_roots
        assert ours.total_branch_length == pytest.approx(theirs.total_branch_length, rel=1e-12)
        s = ts.samples()
        assert ours.mrca(s[0], s[-1]) == theirs.mrca(s[0], s[-1])
        assert ours.mrca(s[0], s[1], s[2]) == theirs.mrca(s[0], s[1], s[2])
        for u in s[:3]:
            assert ours.branch_length(u) == pytest.approx(theirs.branch_length(u), rel=1e-12)
            assert ours.parent(u) == theirs.parent(u)
        root = ours.roots[0]
        assert list(ours.preorder(root)) == list(theirs.nodes(root, order="preorder"))
        assert list(ours.postorder(root)) == list(theirs.nodes(root, order="postorder"))
        assert sorted(ours.samples(root)) == sorted(theirs.samples(root))
        assert ours.children(root) == theirs.children(root)
        assert ours.num_sites == theirs.num_sites
        assert ours.num_mutations == theirs.num_mutations
    assert n == ts.num_trees
    t = tsp.at(ts.sequence_length / 2)
    assert t.index == ts.at(ts.sequence_length / 2).index
    assert tsp.at_index(-1).index == ts.num_trees - 1
    with pytest.raises(IndexError):
        tsp.at_index(ts.num_trees)
    with pytest.raises(ValueError):
        tsp.at(ts.sequence_length)


def test_dump_load_and_file_objects(islands, tmp_path):
    ts, tsp = islands
    path = tmp_path / "x.trees"
    tsp.dump(path)
    tskit.load(path).tables.assert_equals(ts.tables)
    again = tspar.load(path)
    assert again.dump_tables().equals(tsp.tables)
    buf = io.BytesIO()
    tsp.dump(buf)
    (tmp_path / "y.trees").write_bytes(buf.getvalue())
    assert tskit.load(tmp_path / "y.trees").tables.equals(ts.tables)
    with pytest.raises(tspar.FileError) as info:
        tspar.load(tmp_path / "missing.trees")
    assert isinstance(info.value, OSError)
    assert "missing.trees" in str(info.value)
    (tmp_path / "bad.trees").write_bytes(b"not a kastore file at all, certainly")
    with pytest.raises(tspar.FileFormatError):
        tspar.load(tmp_path / "bad.trees")


def test_table_collection_for_a_simulator():
    tables = tspar.TableCollection(sequence_length=10)
    pop = tables.populations.add_row()
    a = tables.nodes.add_row(flags=tspar.NODE_IS_SAMPLE, time=0, population=pop)
    b = tables.nodes.add_row(flags=tspar.NODE_IS_SAMPLE, time=0, population=pop)
    c = tables.nodes.add_row(time=1, population=pop)
    d = tables.nodes.add_row(time=2, population=pop)
    tables.edges.add_row(0, 10, c, a)
    tables.edges.add_row(0, 5, c, b)
    tables.edges.add_row(5, 10, d, b)
    tables.edges.add_row(0, 10, d, c)
    site = tables.sites.add_row(2.5, "A")
    tables.mutations.add_row(site, a, derived_state="T")
    assert tables.nodes.num_rows == 4 and len(tables.edges) == 4
    assert np.array_equal(tables.nodes.time, [0, 0, 1, 2])
    # numpy columns: set one, append many.
    t = tables.nodes.time
    tables.nodes.time = t * 2
    assert np.array_equal(tables.nodes.time, [0, 0, 2, 4])
    bookmark = tables.record_num_rows()
    tables.edges.append_columns(left=[0.0], right=[1.0], parent=[d], child=[a])
    assert tables.edges.num_rows == 5
    tables.truncate(bookmark)
    assert tables.edges.num_rows == 4
    tables.sort()
    ts = tables.tree_sequence()
    assert ts.num_trees == 2
    theirs = tables.to_tskit()
    assert theirs.tree_sequence().num_trees == 2
    assert tspar.TableCollection.from_tskit(theirs).equals(tables)
    node_map = tables.simplify([a, b])
    assert list(node_map[:2]) == [0, 1]
    their_map = theirs.simplify([a, b])
    assert np.array_equal(node_map, their_map)
    assert tables.to_tskit().equals(theirs, ignore_provenance=True)
    copy = tables.copy()
    assert copy == tables
    copy.nodes.truncate(0)
    assert copy != tables
    with pytest.raises(tspar.TablesError):
        tables.edges.add_row(0, 10, 99, 0)
        tables.tree_sequence()


def test_simplify_matches_tskit(islands):
    ts, _ = islands
    tables = tspar.TableCollection.from_tskit(ts.dump_tables())
    theirs = ts.dump_tables()
    samples = ts.samples()[::2]
    for threads in [1, 2]:
        t = tables.copy()
        m = t.simplify(samples, num_threads=threads)
        th = theirs.copy()
        m2 = th.simplify(samples)
        assert np.array_equal(m, m2)
        t.to_tskit().assert_equals(th, ignore_provenance=True)


def test_bad_arguments_do_not_crash(islands):
    ts, tsp = islands
    tables = tspar.TableCollection(10)
    with pytest.raises(TypeError):
        tables.nodes.set_columns(time=np.array(["a"]), flags=np.zeros(1, np.uint32))
    with pytest.raises((ValueError, tspar.LibraryError)):
        tables.nodes.set_columns(time=np.zeros(3), flags=np.zeros(2, np.uint32))
    # Non-contiguous and wrong-dtype arrays are converted, not misread.
    t = np.zeros(6)[::2]
    tables.nodes.set_columns(time=t, flags=np.array([1, 1, 0], dtype=np.int64))
    assert np.array_equal(tables.nodes.flags, [1, 1, 0])
    with pytest.raises(ValueError):
        tables.nodes.set_columns(time=np.zeros(1), flags=np.array([-1]))
    with pytest.raises(tspar.LibraryError):
        tables.nodes.add_row(individual=5)
        tables.tree_sequence()
    # Freed objects raise, they do not crash.
    t2 = tspar.TreeSequence.from_tskit(ts)
    t2._ll.free()
    with pytest.raises(ValueError):
        t2.diversity()
    tree = tsp.first()
    tree._ll.free()
    with pytest.raises(ValueError):
        tree.next()
    with pytest.raises(TypeError):
        tspar.TreeSequence("not a handle")


def test_docstrings_and_type_marker():
    import pydoc
    from pathlib import Path

    text = pydoc.render_doc(tspar.TreeSequence.Fst, renderer=pydoc.plaintext)
    for word in ["sample_sets", "indexes", "windows", "mode", "span_normalise", "num_threads", "progress"]:
        assert word in text, word
    assert "num_threads" in pydoc.render_doc(tspar.TreeSequence.diversity, renderer=pydoc.plaintext)
    assert (Path(tspar.__file__).parent / "py.typed").exists()
