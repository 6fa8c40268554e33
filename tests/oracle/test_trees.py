"""Tree sequences and tree cursors (tspar_treeseq_*, tspar_tree_*) against
tskit 1.0.3, on varied msprime tree sequences with more than 100 trees.

Tree by tree — forward, backward, and after seeks by position and by index
from wherever the cursor is — every quintuply linked array (with the virtual
root as the last entry), num_children, the number of samples below each
node, the interval and index, roots, preorder and postorder, mrca, branch
lengths, and the tree's sites and mutations equal tskit's. Also the tree
sequence's counts, samples, breakpoints and zero-copy columns, copying the
tables, loading what tskit loads and refusing what tskit refuses.
"""


import msprime
import numpy as np
import pytest
import tskit

from tspar.lowlevel import C, Tables, TreeSequence, ffi
from tspar.lowlevel import LibraryError as TsparError

# ------------------------------------------------------------ inputs


def _recombination_discrete():
    ts = msprime.sim_ancestry(
        samples=10, population_size=1_000, sequence_length=3_000, recombination_rate=4e-6, random_seed=201
    )
    return msprime.sim_mutations(ts, rate=5e-6, model=msprime.JC69(), random_seed=202)


def _populations_continuous():
    dem = msprime.Demography.island_model([500] * 3, migration_rate=1e-3)
    ts = msprime.sim_ancestry(
        samples={"pop_0": 4, "pop_1": 4, "pop_2": 3},
        demography=dem,
        sequence_length=1e5,
        recombination_rate=2e-7,
        discrete_genome=False,
        record_migrations=True,
        random_seed=203,
    )
    return msprime.sim_mutations(ts, rate=1e-7, discrete_genome=False, random_seed=204)


def _internal_samples():
    """Some internal nodes are samples, some leaves are not."""
    ts = _recombination_discrete()
    t = ts.dump_tables()
    flags = t.nodes.flags.copy()
    rng = np.random.default_rng(205)
    internal = np.nonzero(flags == 0)[0]
    flags[rng.choice(internal, size=internal.size // 4, replace=False)] = tskit.NODE_IS_SAMPLE
    flags[[0, 3, 7]] = 0
    t.nodes.flags = flags
    return t.tree_sequence()


def _forest():
    """Cut off at a time, so trees have several roots; and unary nodes."""
    ts = msprime.sim_ancestry(
        samples=12,
        population_size=1_000,
        sequence_length=5_000,
        recombination_rate=1e-5,
        random_seed=207,
        end_time=400,
    )
    ts = msprime.sim_mutations(ts, rate=1e-5, random_seed=208)
    assert max(tree.num_roots for tree in ts.trees()) > 1
    return ts


def _unknown_times():
    t = _recombination_discrete().dump_tables()
    t.mutations.time = np.full(t.mutations.num_rows, tskit.UNKNOWN_TIME)
    return t.tree_sequence()


CASES = {
    "recombination_discrete": _recombination_discrete,
    "populations_continuous": _populations_continuous,
    "internal_samples": _internal_samples,
    "forest": _forest,
    "unknown_times": _unknown_times,
}
_cache = {}


def tskit_ts(name):
    if name not in _cache:
        ts = CASES[name]()
        assert ts.num_trees >= 100, (name, ts.num_trees)
        _cache[name] = ts
    return _cache[name]


@pytest.fixture(params=list(CASES))
def pair(request, lib, tmp_path):
    """(tskit tree sequence, tspar tree sequence loaded from its file)."""
    ts = tskit_ts(request.param)
    path = tmp_path / "ts.trees"
    ts.dump(path)
    with TreeSequence.load(path) as tt:
        yield ts, tt


# ------------------------------------------------------------ comparing trees

ARRAY_NAMES = {
    "parent": "parent_array",
    "left_child": "left_child_array",
    "right_child": "right_child_array",
    "left_sib": "left_sib_array",
    "right_sib": "right_sib_array",
    "num_children": "num_children_array",
}


def assert_same_tree(mine, want, rng, detail=True):
    """Compares the tspar cursor `mine` with tskit's tree `want`."""
    index, left, right = mine.interval()
    if want.index == -1:
        assert index == -1 and (left, right) == (0.0, 0.0)
    else:
        assert index == want.index
        assert (left, right) == tuple(want.interval)
    arrays = mine.arrays()
    vr = want.virtual_root
    assert arrays["virtual_root"] == vr
    for name, attr in ARRAY_NAMES.items():
        np.testing.assert_array_equal(arrays[name], getattr(want, attr), err_msg=f"{name} at tree {want.index}")
    np.testing.assert_array_equal(mine.roots(), want.roots)
    if not detail:
        return
    num_samples = np.array([want.num_samples(u) for u in range(vr + 1)])
    np.testing.assert_array_equal(arrays["num_samples"], num_samples)
    np.testing.assert_array_equal(mine.preorder(vr), want.preorder())
    np.testing.assert_array_equal(mine.postorder(vr), want.postorder())
    nodes = rng.integers(0, vr, size=4)
    for u in nodes:
        np.testing.assert_array_equal(mine.preorder(u), want.preorder(u))
        np.testing.assert_array_equal(mine.postorder(u), want.postorder(u))
        assert mine.total_branch_length(u) == pytest.approx(
            sum(want.branch_length(v) for v in want.nodes(u) if v != u), rel=1e-12, abs=1e-12
        )
    for u in range(vr + 1):
        assert mine.branch_length(u) == want.branch_length(u)
    assert mine.total_branch_length(vr) == pytest.approx(want.total_branch_length, rel=1e-12)
    for u, v in rng.integers(0, vr, size=(6, 2)):
        assert mine.mrca(u, v) == want.mrca(u, v), (u, v)
    (s0, s1), (m0, m1) = mine.sites()
    sites = [s.id for s in want.sites()]
    muts = [m.id for m in want.mutations()]
    assert list(range(s0, s1)) == sites
    assert list(range(m0, m1)) == muts


def test_forward(pair):
    ts, tt = pair
    rng = np.random.default_rng(1)
    mine = tt.tree()
    count = 0
    for want in ts.trees():
        assert mine.next()
        assert_same_tree(mine, want, rng)
        count += 1
    assert count == ts.num_trees
    assert not mine.next()
    assert_same_tree(mine, tskit.Tree(ts), rng)  # the null state


def test_backward(pair):
    ts, tt = pair
    rng = np.random.default_rng(2)
    mine = tt.tree()
    for want in reversed(ts.trees()):
        assert mine.prev()
        assert_same_tree(mine, want, rng)
    assert not mine.prev()
    assert_same_tree(mine, tskit.Tree(ts), rng)


def test_first_last_and_turning(pair):
    """first/last, then turning round at several places."""
    ts, tt = pair
    rng = np.random.default_rng(3)
    mine = tt.tree()
    assert mine.last()
    assert_same_tree(mine, ts.last(), rng)
    assert mine.first()
    assert_same_tree(mine, ts.first(), rng)
    want = tskit.Tree(ts)
    want.first()
    for step in rng.choice([1, 1, -1], size=3 * ts.num_trees):
        a = mine.next() if step > 0 else mine.prev()
        b = want.next() if step > 0 else want.prev()
        assert a == b
        assert_same_tree(mine, want, rng, detail=False)


def test_seeks(pair):
    """Seeks by position and by index from wherever the cursor is, compared
    with a tskit tree given the same calls (child order depends on the
    way a tree was reached, and tspar follows tskit's way)."""
    ts, tt = pair
    rng = np.random.default_rng(4)
    mine = tt.tree()
    want = tskit.Tree(ts)
    breaks = ts.breakpoints(as_array=True)
    positions = list(rng.uniform(0, ts.sequence_length, size=30))
    positions += list(breaks[rng.integers(0, ts.num_trees, size=10)])  # exactly at a boundary
    positions += [0.0, np.nextafter(ts.sequence_length, 0), ts.sequence_length / 2]
    rng.shuffle(positions)
    for x in positions:
        assert mine.seek(x)
        want.seek(x)
        assert_same_tree(mine, want, rng)
        # The same tree as tskit's from a fresh tree (edges, not order).
        np.testing.assert_array_equal(mine.arrays()["parent"], ts.at(x).parent_array)
    for j in list(rng.integers(0, ts.num_trees, size=30)) + [0, ts.num_trees - 1]:
        assert mine.seek_index(int(j))
        want.seek_index(int(j))
        assert_same_tree(mine, want, rng)
        # Walking on from a seek.
        assert mine.next() == want.next()
        assert_same_tree(mine, want, rng, detail=False)
        assert mine.prev() == want.prev()
        assert_same_tree(mine, want, rng, detail=False)
    # Seeks from the null state, by a fresh cursor each time, including
    # positions either side of the middle of the genome.
    xs = list(rng.uniform(0, ts.sequence_length, size=6)) + [ts.sequence_length / 2]
    xs += [np.nextafter(ts.sequence_length / 2, 0), np.nextafter(ts.sequence_length / 2, np.inf)]
    for x in xs:
        fresh = tt.tree()
        fresh.seek(x)
        assert_same_tree(fresh, ts.at(x), rng)
        fresh.free()
    for j in rng.integers(0, ts.num_trees, size=6):
        fresh = tt.tree()
        fresh.seek_index(int(j))
        assert_same_tree(fresh, ts.at_index(int(j)), rng)
        fresh.free()


def test_bad_seeks(pair):
    ts, tt = pair
    mine = tt.tree()
    mine.seek_index(1)
    for x in (-1.0, ts.sequence_length, ts.sequence_length + 1, np.inf, np.nan):
        with pytest.raises(TsparError) as e:
            mine.seek(x)
        assert e.value.name == "TSPAR_ERR_SEEK_OUT_OF_BOUNDS"
        if not np.isnan(x):  # tskit's Python seek lets NaN through; tspar refuses it
            with pytest.raises(ValueError):
                tskit.Tree(ts).seek(x)
    for j in (ts.num_trees, ts.num_trees + 5, 2**63):
        with pytest.raises(TsparError) as e:
            mine.seek_index(j)
        assert e.value.name == "TSPAR_ERR_SEEK_OUT_OF_BOUNDS"
    # A failed seek leaves the cursor where it was.
    assert mine.index == 1
    for fn in (mine.mrca, mine.branch_length, mine.preorder):
        with pytest.raises(TsparError) as e:
            fn(*([ts.num_nodes + 1] * (2 if fn == mine.mrca else 1)))
        assert e.value.name == "TSPAR_ERR_NODE_OUT_OF_BOUNDS"


# ------------------------------------------------------------ the tree sequence


def test_counts_samples_breakpoints(pair):
    ts, tt = pair
    assert tt.num_trees == ts.num_trees
    assert tt.num_samples == ts.num_samples
    assert tt.num_nodes == ts.num_nodes
    assert tt.num_edges == ts.num_edges
    assert tt.num_sites == ts.num_sites
    assert tt.num_mutations == ts.num_mutations
    assert tt.sequence_length == ts.sequence_length
    assert tt.num_rows("migrations") == ts.num_migrations
    assert tt.num_rows("individuals") == ts.num_individuals
    np.testing.assert_array_equal(tt.samples(), ts.samples())
    np.testing.assert_array_equal(tt.breakpoints(), ts.breakpoints(as_array=True))


COLUMNS = {
    "nodes/time": lambda t: t.nodes.time,
    "nodes/flags": lambda t: t.nodes.flags,
    "edges/left": lambda t: t.edges.left,
    "edges/child": lambda t: t.edges.child,
    "sites/position": lambda t: t.sites.position,
    "sites/ancestral_state": lambda t: t.sites.ancestral_state,
    "mutations/parent": lambda t: t.mutations.parent,
    "mutations/derived_state_offset": lambda t: t.mutations.derived_state_offset,
    "migrations/dest": lambda t: t.migrations.dest,
    "indexes/edge_insertion_order": lambda t: t.indexes.edge_insertion_order,
}


def test_zero_copy_columns(pair):
    ts, tt = pair
    t = ts.tables
    for name, get in COLUMNS.items():
        a = tt.column(name)
        np.testing.assert_array_equal(a, get(t).view(a.dtype) if get(t).dtype.itemsize == a.dtype.itemsize else get(t))
        # The same address every time: the data are not copied per call.
        assert tt.column_pointer(name)[1] == tt.column_pointer(name)[1] or len(a) == 0
    # Pointers stay valid while cursors move.
    before = tt.column("edges/left").copy()
    address = tt.column_pointer("edges/left")[1]
    mine = tt.tree()
    while mine.next():
        pass
    assert tt.column_pointer("edges/left")[1] == address
    np.testing.assert_array_equal(tt.column("edges/left"), before)
    with pytest.raises(TsparError) as e:
        tt.column("edges/nonsense")
    assert e.value.name == "TSPAR_ERR_COLUMN_NOT_FOUND"


def test_copy_tables_and_dump(pair, tmp_path):
    ts, tt = pair
    with tt.copy_tables() as copy:
        copy.dump(tmp_path / "copy.trees")
    got = tskit.TableCollection.load(tmp_path / "copy.trees")
    assert got.equals(ts.tables)
    tt.dump(tmp_path / "dump.trees")
    assert tskit.load(tmp_path / "dump.trees").tables.equals(ts.tables)


def test_from_tables(pair, tmp_path):
    ts, tt = pair
    t = ts.dump_tables()
    t.drop_index()
    t.dump(tmp_path / "noindex.trees")
    with Tables.load(tmp_path / "noindex.trees") as h:
        with pytest.raises(TsparError) as e:
            TreeSequence.from_tables(h)
        assert e.value.name == "TSPAR_ERR_TABLES_NOT_INDEXED"
        assert not h.has_index()
        with TreeSequence.from_tables(h, C.TSPAR_TS_INIT_BUILD_INDEXES) as built:
            assert built.num_trees == ts.num_trees
            np.testing.assert_array_equal(built.breakpoints(), ts.breakpoints(as_array=True))
            with built.copy_tables() as copy:
                copy.dump(tmp_path / "built.trees")
        # The caller's tables are not changed.
        assert not h.has_index()
    assert tskit.TableCollection.load(tmp_path / "built.trees").equals(ts.tables)


def test_compute_mutation_parents_option(lib, tmp_path):
    ts = tskit_ts("recombination_discrete")
    t = ts.dump_tables()
    assert (t.mutations.parent >= 0).any()
    t.mutations.parent = np.full(t.mutations.num_rows, -1, dtype=np.int32)
    t.dump(tmp_path / "p.trees")
    with pytest.raises(tskit.LibraryError, match="TSK_ERR_BAD_MUTATION_PARENT"):
        tskit.load(tmp_path / "p.trees")
    with pytest.raises(TsparError) as e:
        TreeSequence.load(tmp_path / "p.trees")
    assert e.value.name == "TSPAR_ERR_BAD_MUTATION_PARENT"
    with TreeSequence.load(tmp_path / "p.trees", C.TSPAR_TS_INIT_COMPUTE_MUTATION_PARENTS) as tt:
        np.testing.assert_array_equal(tt.column("mutations/parent"), ts.tables.mutations.parent)


REFUSED = {
    "edges_unsorted": (
        lambda t: t.edges.set_columns(
            left=t.edges.left[::-1].copy(),
            right=t.edges.right[::-1].copy(),
            parent=t.edges.parent[::-1].copy(),
            child=t.edges.child[::-1].copy(),
        ),
        "TSPAR_ERR_EDGES_NOT_SORTED_CHILD",  # the first violation both libraries meet
    ),
    "sites_unsorted": (
        lambda t: setattr(t.sites, "position", t.sites.position[::-1].copy()),
        "TSPAR_ERR_UNSORTED_SITES",
    ),
    "mutation_parent_wrong": (
        lambda t: setattr(t.mutations, "parent", np.full(t.mutations.num_rows, -1, dtype=np.int32)),
        "TSPAR_ERR_BAD_MUTATION_PARENT",
    ),
    "node_time_order": (
        lambda t: setattr(t.nodes, "time", t.nodes.time[::-1].copy()),
        "TSPAR_ERR_BAD_NODE_TIME_ORDERING",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_load_refuses_what_tskit_refuses(lib, tmp_path, case):
    brk, code = REFUSED[case]
    t = tskit_ts("recombination_discrete").dump_tables()
    brk(t)
    path = tmp_path / "bad.trees"
    t.dump(path)
    with pytest.raises(tskit.LibraryError) as tsk:
        tskit.load(path)
    assert f"TSK_ERR_{code[len('TSPAR_ERR_'):]}" in str(tsk.value)
    out = ffi.new("tspar_treeseq_t **")
    rc = lib.raw.tspar_treeseq_load(str(path).encode(), 0, None, out)
    assert rc == C[code], (rc, tsk.value)
    assert out[0] == ffi.NULL  # nothing written on failure


def test_empty_and_single_tree(lib, tmp_path):
    """One tree with no edges: every sample is a root."""
    t = tskit.TableCollection(10.0)
    for _ in range(3):
        t.nodes.add_row(flags=tskit.NODE_IS_SAMPLE)
    t.nodes.add_row(time=1.0)
    t.build_index()
    ts = t.tree_sequence()
    ts.dump(tmp_path / "e.trees")
    with TreeSequence.load(tmp_path / "e.trees") as tt:
        assert tt.num_trees == 1
        mine = tt.tree()
        assert mine.next()
        assert_same_tree(mine, ts.first(), np.random.default_rng(0))
        assert not mine.next()
