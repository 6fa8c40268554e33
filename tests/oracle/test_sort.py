"""Sorting, edge indexes, mutation parents, site deduplication and the
integrity checks, against tskit 1.0.3.

* msprime output with its edges, migrations, sites and mutations shuffled
  (references remapped), known, unknown and partly unknown mutation times
  and several mutations per site, is written by tskit, loaded by tspar,
  sorted with ``tspar_tables_sort``, written by tspar, and must equal what
  tskit's ``TableCollection.sort`` makes of the same input; also with
  ``edge_start > 0`` and with 1 and 2 threads.
* ``tspar_tables_build_index``, ``_compute_mutation_parents`` and
  ``_deduplicate_sites`` give tskit's tables.
* Broken inputs: tskit refuses each one with a ``LibraryError`` whose message
  is the one ``TSKIT_MESSAGES`` lists for the code tspar returns from
  ``tspar_tables_check_integrity`` (and from build_index / sort).
"""

import os
import subprocess
import sys
from pathlib import Path

import msprime
import numpy as np
import pytest
import tskit

from tspar.lowlevel import C, Exec, Tables
from tspar.lowlevel import LibraryError as TsparError

# ------------------------------------------------------------ inputs


def _sim(seed, *, migrations=False, discrete=True, model=None, rate=2e-4):
    """msprime output with recombination, several mutations per site and
    mutation parents; three populations with recorded migrations when asked."""
    if migrations:
        dem = msprime.Demography.island_model([500] * 3, migration_rate=5e-3)
        samples = {"pop_0": 3, "pop_1": 3, "pop_2": 3}
    else:
        dem = None
        samples = 8
    ts = msprime.sim_ancestry(
        samples=samples,
        demography=dem,
        population_size=None if migrations else 1_000,
        sequence_length=500,
        recombination_rate=2e-5,
        discrete_genome=discrete,
        record_migrations=migrations,
        random_seed=seed,
    )
    ts = msprime.sim_mutations(
        ts, rate=rate, model=model, discrete_genome=discrete, random_seed=seed + 1
    )
    per_site = np.bincount(ts.mutations_site, minlength=ts.num_sites)
    if discrete:
        assert per_site.max() >= 3
    assert ts.num_trees > 5 and (ts.mutations_parent >= 0).any() == discrete
    if migrations:
        assert ts.num_migrations > 0
    return ts.dump_tables()


def _known():
    return _sim(101, model=msprime.JC69())


def _unknown():
    t = _sim(103, model=msprime.JC69())
    t.mutations.time = np.full(t.mutations.num_rows, tskit.UNKNOWN_TIME)
    return t


def _partly_unknown():
    t = _sim(105)
    time = t.mutations.time.copy()
    time[t.mutations.site % 3 == 0] = tskit.UNKNOWN_TIME
    t.mutations.time = time
    return t


def _computed_times():
    """Unknown times replaced by tskit's compute_mutation_times."""
    t = _unknown()
    t.compute_mutation_times()
    return t


def _migrations():
    return _sim(107, migrations=True, model=msprime.JC69())


def _continuous():
    return _sim(109, migrations=True, discrete=False, rate=1e-5)


INPUTS = {
    "known_times": _known,
    "unknown_times": _unknown,
    "partly_unknown_times": _partly_unknown,
    "computed_times": _computed_times,
    "migrations": _migrations,
    "continuous": _continuous,
}
_cache = {}


def sorted_input(name):
    if name not in _cache:
        _cache[name] = INPUTS[name]()
    return _cache[name].copy()


def shuffle(tables, seed, *, edges=True, migrations=True, sites=True, mutations=True):
    """A copy of `tables` with rows of the chosen tables permuted and the
    references between sites and mutations remapped."""
    t = tables.copy()
    rng = np.random.default_rng(seed)

    def permute(table, order):
        # Rows are taken in `order`; ragged columns come along with them.
        rows = [table[int(j)] for j in order]
        table.clear()
        for row in rows:
            table.append(row)

    if edges:
        permute(t.edges, rng.permutation(t.edges.num_rows))
    if migrations:
        permute(t.migrations, rng.permutation(t.migrations.num_rows))
    if sites:
        order = rng.permutation(t.sites.num_rows)
        new_id = np.empty_like(order)
        new_id[order] = np.arange(order.size)
        permute(t.sites, order)
        t.mutations.site = new_id[t.mutations.site].astype(np.int32)
    if mutations:
        order = rng.permutation(t.mutations.num_rows)
        new_id = np.empty_like(order)
        new_id[order] = np.arange(order.size)
        parent = t.mutations.parent.copy()
        parent = np.where(parent >= 0, new_id[np.maximum(parent, 0)], -1).astype(np.int32)
        t.mutations.parent = parent
        permute(t.mutations, order)
    t.drop_index()
    return t


def through_tspar(tables, tmp_path, action, name="in"):
    """Writes `tables` with tskit, loads them in tspar, runs `action` on the
    tspar handle, writes them with tspar and returns what tskit reads back."""
    src, dst = tmp_path / f"{name}.trees", tmp_path / f"{name}.out.trees"
    tables.dump(src)
    with Tables.load(src) as t:
        action(t)
        t.dump(dst)
    return tskit.TableCollection.load(dst)


def assert_same_tables(got, want):
    """Full equality, with a readable first difference when it fails."""
    if got.equals(want):
        return
    for name in ("individuals", "nodes", "edges", "migrations", "sites", "mutations", "populations", "provenances"):
        a, b = getattr(got, name), getattr(want, name)
        if not a.equals(b):
            a.assert_equals(b)
    got.assert_equals(want)


# ------------------------------------------------------------ sort


@pytest.mark.parametrize("name", list(INPUTS))
@pytest.mark.parametrize("seed", [1, 2])
def test_sort_shuffled_equals_tskit(lib, tmp_path, name, seed):
    base = sorted_input(name)
    shuffled = shuffle(base, seed)
    assert not shuffled.edges.equals(base.edges)
    want = shuffled.copy()
    want.sort()
    got = through_tspar(shuffled, tmp_path, lambda t: t.sort())
    assert_same_tables(got, want)
    # The result is a valid tree sequence with msprime's trees.
    got.build_index()
    assert got.tree_sequence().num_trees == base.tree_sequence().num_trees


@pytest.mark.parametrize("part", ["edges", "migrations", "sites", "mutations"])
def test_sort_one_table_shuffled(lib, tmp_path, part):
    base = sorted_input("migrations")
    flags = {p: p == part for p in ("edges", "migrations", "sites", "mutations")}
    shuffled = shuffle(base, 7, **flags)
    want = shuffled.copy()
    want.sort()
    got = through_tspar(shuffled, tmp_path, lambda t: t.sort())
    assert_same_tables(got, want)


@pytest.mark.parametrize("edge_start_fraction", [0.0, 0.3, 0.7, 1.0])
def test_sort_edge_start(lib, tmp_path, edge_start_fraction):
    shuffled = shuffle(sorted_input("known_times"), 11)
    edge_start = int(edge_start_fraction * shuffled.edges.num_rows)
    want = shuffled.copy()
    want.sort(edge_start=edge_start)
    got = through_tspar(shuffled, tmp_path, lambda t: t.sort(edge_start))
    assert_same_tables(got, want)
    # Rows before edge_start did not move.
    assert got.edges[:edge_start].equals(shuffled.edges[:edge_start])


def test_sort_edge_start_beyond_the_edges(lib, tmp_path):
    t = sorted_input("known_times")
    src = tmp_path / "a.trees"
    t.dump(src)
    with Tables.load(src) as h, Tables.load(src) as before:
        with pytest.raises(TsparError) as e:
            h.sort(t.edges.num_rows + 1)
        assert e.value.name == "TSPAR_ERR_EDGE_OUT_OF_BOUNDS"
        assert h.equals(before)
    # tskit refuses it too.
    with pytest.raises(tskit.LibraryError, match="TSK_ERR_EDGE_OUT_OF_BOUNDS"):
        t.sort(edge_start=t.edges.num_rows + 1)


def test_sort_is_idempotent_and_keeps_sorted_tables(lib, tmp_path):
    base = sorted_input("migrations")
    want = base.copy()
    want.sort()
    want.drop_index()
    got = through_tspar(base, tmp_path, lambda t: (t.sort(), t.sort()))
    assert_same_tables(got, want)


SORT_THREADS_SCRIPT = r"""
import sys
sys.path.append(sys.argv[1])  # the package from the source tree, unless installed
from tspar.lowlevel import Tables
with Tables.load(sys.argv[2]) as t:
    t.sort()
    t.dump(sys.argv[3])
"""


@pytest.mark.parametrize("threads, via", [(1, "exec"), (2, "exec"), (3, "exec"), (2, "env")])
def test_sort_same_for_every_thread_count(lib, tmp_path, threads, via):
    """The thread count comes from an exec passed to the load and the sort,
    or from TSPAR_NUM_THREADS, which the library reads once per process, so
    that case runs in a process of its own. Large enough to take the
    parallel paths."""
    ts = msprime.sim_ancestry(
        samples=300, population_size=10_000, sequence_length=8e6, recombination_rate=1e-8, random_seed=5
    )
    ts = msprime.sim_mutations(ts, rate=2e-8, random_seed=6)
    base = ts.dump_tables()
    assert base.edges.num_rows > 1 << 16
    rng = np.random.default_rng(3)
    order = rng.permutation(base.edges.num_rows)
    shuffled = base.copy()
    e = base.edges
    shuffled.edges.set_columns(left=e.left[order], right=e.right[order], parent=e.parent[order], child=e.child[order])
    shuffled.drop_index()
    src, dst = tmp_path / "in.trees", tmp_path / "out.trees"
    shuffled.dump(src)
    if via == "exec":
        ex = Exec(threads)
        with Tables.load(src, exec=ex) as t:
            t.sort(exec=ex)
            t.dump(dst)
    else:
        env = dict(os.environ, TSPAR_NUM_THREADS=str(threads))
        subprocess.run(
            [sys.executable, "-c", SORT_THREADS_SCRIPT, str(Path(__file__).resolve().parents[2] / "python"), str(src), str(dst)],
            env=env,
            check=True,
        )
    want = shuffled.copy()
    want.sort()
    assert_same_tables(tskit.TableCollection.load(dst), want)


# ------------------------------------------------------------ index, parents, dedup


@pytest.mark.parametrize("name", list(INPUTS))
def test_build_index_equals_tskit(lib, tmp_path, name):
    t = sorted_input(name)
    t.drop_index()
    want = t.copy()
    want.build_index()

    def act(h):
        assert not h.has_index()
        h.build_index()
        assert h.has_index()

    got = through_tspar(t, tmp_path, act)
    assert got.has_index()
    np.testing.assert_array_equal(got.indexes.edge_insertion_order, want.indexes.edge_insertion_order)
    np.testing.assert_array_equal(got.indexes.edge_removal_order, want.indexes.edge_removal_order)
    assert_same_tables(got, want)


def test_build_index_refuses_unsorted_edges(lib, tmp_path):
    t = shuffle(sorted_input("known_times"), 4, migrations=False, sites=False, mutations=False)
    with pytest.raises(tskit.LibraryError) as tsk:
        t.copy().build_index()
    t.dump(tmp_path / "u.trees")
    with Tables.load(tmp_path / "u.trees") as h:
        with pytest.raises(TsparError) as e:
            h.build_index()
        assert_tskit_message(e.value.name, str(tsk.value))
        assert not h.has_index()


@pytest.mark.parametrize("name", list(INPUTS))
def test_compute_mutation_parents_equals_tskit(lib, tmp_path, name):
    t = sorted_input(name)
    t.build_index()
    want_parent = t.mutations.parent.copy()
    t.mutations.parent = np.full(t.mutations.num_rows, -1, dtype=np.int32)
    want = t.copy()
    want.compute_mutation_parents()
    np.testing.assert_array_equal(want.mutations.parent, want_parent)
    got = through_tspar(t, tmp_path, lambda h: h.compute_mutation_parents())
    assert_same_tables(got, want)


def test_compute_mutation_parents_needs_an_index(lib, tmp_path):
    t = sorted_input("known_times")
    t.drop_index()
    with pytest.raises(tskit.LibraryError) as tsk:
        t.copy().compute_mutation_parents()
    t.dump(tmp_path / "n.trees")
    with Tables.load(tmp_path / "n.trees") as h, Tables.load(tmp_path / "n.trees") as before:
        with pytest.raises(TsparError) as e:
            h.compute_mutation_parents()
        assert_tskit_message(e.value.name, str(tsk.value))
        assert h.equals(before)


def _with_duplicate_sites(name):
    """Sorted tables where some sites share the position of the site before
    them (the mutations keep their site ids, so the order stays valid)."""
    t = sorted_input(name)
    pos = t.sites.position.copy()
    dup = np.arange(1, pos.size, 3)
    pos[dup] = pos[dup - 1]
    t.sites.position = pos
    assert np.all(np.diff(pos) >= 0)
    return t


@pytest.mark.parametrize("name", ["known_times", "unknown_times", "migrations"])
def test_deduplicate_sites_equals_tskit(lib, tmp_path, name):
    t = _with_duplicate_sites(name)
    want = t.copy()
    want.deduplicate_sites()
    assert want.sites.num_rows < t.sites.num_rows
    got = through_tspar(t, tmp_path, lambda h: h.deduplicate_sites())
    assert_same_tables(got, want)


def test_deduplicate_sites_refuses_unsorted_sites(lib, tmp_path):
    t = shuffle(sorted_input("known_times"), 8, edges=False, migrations=False, mutations=False)
    with pytest.raises(tskit.LibraryError) as tsk:
        t.copy().deduplicate_sites()
    t.dump(tmp_path / "s.trees")
    with Tables.load(tmp_path / "s.trees") as h:
        with pytest.raises(TsparError) as e:
            h.deduplicate_sites()
        assert_tskit_message(e.value.name, str(tsk.value))


# ------------------------------------------------------------ broken inputs

# tspar's error name -> the words of tskit's message for the same condition.
TSKIT_MESSAGES = {
    "TSPAR_ERR_NODE_OUT_OF_BOUNDS": "Node out of bounds",
    "TSPAR_ERR_EDGE_OUT_OF_BOUNDS": "Edge out of bounds",
    "TSPAR_ERR_SITE_OUT_OF_BOUNDS": "Site out of bounds",
    "TSPAR_ERR_MUTATION_OUT_OF_BOUNDS": "Mutation out of bounds",
    "TSPAR_ERR_POPULATION_OUT_OF_BOUNDS": "Population out of bounds",
    "TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS": "Individual out of bounds",
    "TSPAR_ERR_MIGRATION_OUT_OF_BOUNDS": "Migration out of bounds",
    "TSPAR_ERR_TIME_NONFINITE": "Times must be finite",
    "TSPAR_ERR_GENOME_COORDS_NONFINITE": "Genome coordinates must be finite numbers",
    "TSPAR_ERR_NULL_PARENT": "Edge parent is null",
    "TSPAR_ERR_NULL_CHILD": "Edge child is null",
    "TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME": "time[parent] order violated",
    "TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS": "All edges for a given parent must be contiguous",
    "TSPAR_ERR_EDGES_NOT_SORTED_CHILD": "child order violated",
    "TSPAR_ERR_EDGES_NOT_SORTED_LEFT": "left order violated",
    "TSPAR_ERR_BAD_NODE_TIME_ORDERING": "time[parent] must be greater than time[child]",
    "TSPAR_ERR_BAD_EDGE_INTERVAL": "Bad edge interval where right <= left",
    "TSPAR_ERR_DUPLICATE_EDGES": "Duplicate edges provided",
    "TSPAR_ERR_RIGHT_GREATER_SEQ_LENGTH": "Right coordinate > sequence length",
    "TSPAR_ERR_LEFT_LESS_ZERO": "Left coordinate must be >= 0",
    "TSPAR_ERR_BAD_EDGES_CONTRADICTORY_CHILDREN": "contradictory children for a given parent",
    "TSPAR_ERR_UNSORTED_SITES": "Sites must be provided in strictly increasing position order",
    "TSPAR_ERR_DUPLICATE_SITE_POSITION": "Duplicate site positions",
    "TSPAR_ERR_BAD_SITE_POSITION": "Site positions must be between 0 and sequence_length",
    "TSPAR_ERR_MUTATION_PARENT_DIFFERENT_SITE": "Specified parent mutation is at a different site",
    "TSPAR_ERR_MUTATION_PARENT_EQUAL": "Parent mutation refers to itself",
    "TSPAR_ERR_MUTATION_PARENT_AFTER_CHILD": "Parent mutation ID must be < current ID",
    "TSPAR_ERR_MUTATION_PARENT_INCONSISTENT": "Mutation parent references form a loop",
    "TSPAR_ERR_UNSORTED_MUTATIONS": "Mutations must be provided in non-decreasing site order",
    "TSPAR_ERR_MUTATION_TIME_YOUNGER_THAN_NODE": "A mutation's time must be >= the node time",
    "TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_MUTATION": "must be <= the parent mutation time",
    "TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_NODE": "must be < the parent node of the edge",
    "TSPAR_ERR_MUTATION_TIME_HAS_BOTH_KNOWN_AND_UNKNOWN": "either be all marked 'unknown', or all be known",
    "TSPAR_ERR_BAD_MUTATION_PARENT": "A mutation's parent is not consistent with the topology of the tree",
    "TSPAR_ERR_UNSORTED_MIGRATIONS": "Migrations must be sorted by time",
    "TSPAR_ERR_UNSORTED_INDIVIDUALS": "children are after their parent individuals",
    "TSPAR_ERR_INDIVIDUAL_SELF_PARENT": "Individuals cannot be their own parents",
    "TSPAR_ERR_INDIVIDUAL_PARENT_CYCLE": "Individuals cannot be their own ancestor",
    "TSPAR_ERR_TABLES_NOT_INDEXED": "Table collection must be indexed",
    "TSPAR_ERR_TABLES_BAD_INDEXES": "Table collection indexes inconsistent",
    "TSPAR_ERR_BAD_SEQUENCE_LENGTH": "Sequence length must be > 0",
}


def assert_tskit_message(tspar_name, tskit_message):
    """tspar's code and tskit's message name the same condition."""
    assert tspar_name in TSKIT_MESSAGES, f"{tspar_name} has no tskit counterpart listed: {tskit_message}"
    assert TSKIT_MESSAGES[tspar_name] in tskit_message, (tspar_name, tskit_message)
    # tskit appends its own code name; tspar keeps tskit's names.
    assert f"(TSK_ERR_{tspar_name[len('TSPAR_ERR_'):]})" in tskit_message.replace(")(", ") (") or tskit_message.endswith(
        f"TSK_ERR_{tspar_name[len('TSPAR_ERR_'):]})"
    ), (tspar_name, tskit_message)


def test_message_table_names_header_codes():
    for name in TSKIT_MESSAGES:
        assert isinstance(C[name], int) and C[name] < 0


def _base():
    """Small sorted, indexed tables with every table in use."""
    t = sorted_input("migrations")
    t.build_index()
    return t


def _edge(t, j, **kw):
    e = t.edges
    cols = {c: getattr(e, c).copy() for c in ("left", "right", "parent", "child")}
    for k, v in kw.items():
        cols[k][j] = v
    e.set_columns(**cols)


def _col(table, column, j, value):
    a = getattr(table, column).copy()
    a[j] = value
    setattr(table, column, a)


def _first_parent_edge_pair(t):
    """Index j where edges j and j+1 have different parents."""
    p = t.edges.parent
    return int(np.nonzero(p[1:] != p[:-1])[0][0])


def _swap_edges(t, a, b):
    order = np.arange(t.edges.num_rows)
    order[[a, b]] = order[[b, a]]
    e = t.edges
    e.set_columns(left=e.left[order], right=e.right[order], parent=e.parent[order], child=e.child[order])


def _break_noncontiguous(t):
    # Three parents with the same time would be needed for a pure
    # noncontiguity; give the second parent's edges the first parent's time
    # ordering by interleaving edges of two parents with equal times.
    p = t.edges.parent
    j = _first_parent_edge_pair(t)
    a, b = p[j], p[j + 1]
    _col(t.nodes, "time", b, t.nodes.time[a])
    rows = [t.edges[k] for k in range(t.edges.num_rows)]
    ka = [k for k, r in enumerate(rows) if r.parent == a]
    kb = [k for k, r in enumerate(rows) if r.parent == b]
    assert len(ka) >= 2 or len(kb) >= 2
    block = sorted(ka + kb)
    first, second = (ka, kb) if len(ka) >= 2 else (kb, ka)
    new_block = [first[0]] + second + first[1:]
    order = list(range(len(rows)))
    for pos, k in zip(block, new_block):
        order[pos] = k
    e = t.edges
    order = np.array(order)
    e.set_columns(left=e.left[order], right=e.right[order], parent=e.parent[order], child=e.child[order])


def _break_unsorted_child(t):
    p = t.edges.parent
    # A parent with two edges of different children: swap them.
    for j in range(len(p) - 1):
        if p[j] == p[j + 1] and t.edges.child[j] != t.edges.child[j + 1]:
            _swap_edges(t, j, j + 1)
            return
    raise AssertionError("no parent with two children")


def _break_unsorted_left(t):
    e = t.edges
    for j in range(e.num_rows - 1):
        if e.parent[j] == e.parent[j + 1] and e.child[j] == e.child[j + 1]:
            _swap_edges(t, j, j + 1)
            return
    raise AssertionError("no parent-child pair with two edges")


def _break_duplicate_edges(t):
    e = t.edges
    rows = [e[k] for k in range(e.num_rows)]
    rows.insert(1, rows[0])
    e.clear()
    for r in rows:
        e.append(r)


def _break_contradictory(t):
    # A second parent for a child over the same interval, with a parent of
    # the same time so the sort order holds.
    e = t.edges
    j = e.num_rows - 1
    row = e[j]
    other = int(e.parent[e.parent != row.parent][-1])
    e.add_row(row.left, row.right, other, row.child)
    t.sort()


def _break_mutation_parent_topology(t):
    m = t.mutations
    # A root-ward mutation given a parent at the same site that is not above it.
    for j in range(m.num_rows):
        if m.parent[j] != -1:
            _col(m, "parent", j, -1)
            return
    raise AssertionError("no mutation with a parent")


def _break_mutation_parent_after_child(t):
    m = t.mutations
    for j in range(m.num_rows - 1):
        if m.site[j] == m.site[j + 1]:
            # Unknown times at that site, so that only the order is wrong.
            time = m.time.copy()
            time[m.site == m.site[j]] = tskit.UNKNOWN_TIME
            m.time = time
            _col(m, "parent", j, j + 1)
            return
    raise AssertionError("no two mutations at a site")


def _break_mutation_parent_different_site(t):
    m = t.mutations
    j = int(np.nonzero(m.site > m.site[0])[0][0])
    _col(m, "parent", j, 0)


def _break_mutation_time_mixture(t):
    m = t.mutations
    for j in range(m.num_rows - 1):
        if m.site[j] == m.site[j + 1]:
            _col(m, "time", j + 1, tskit.UNKNOWN_TIME)
            return
    raise AssertionError("no two mutations at a site")


def _break_mutation_time_above_parent_mutation(t):
    m = t.mutations
    for j in range(m.num_rows):
        p = m.parent[j]
        if p >= 0 and m.node[j] != m.node[p]:
            # Older than its parent mutation but still below its parent node.
            _col(m, "time", j, m.time[p] + 1e-9)
            return
    raise AssertionError("no mutation with a parent")


def _break_mutation_time_above_parent_node(t):
    m = t.mutations
    # A mutation with no parent mutation, above a non-root node: older than
    # the parent node of its edge.
    oldest = t.nodes.time.max()
    for j in range(m.num_rows):
        if m.parent[j] == -1 and t.nodes.time[m.node[j]] < oldest:
            if j + 1 < m.num_rows and m.site[j + 1] == m.site[j]:
                continue
            if j > 0 and m.site[j - 1] == m.site[j]:
                continue
            _col(m, "time", j, oldest + 1)
            return
    raise AssertionError("no lone mutation")


def _break_unsorted_mutations(t):
    m = t.mutations
    for j in range(m.num_rows - 1):
        if m.site[j] < m.site[j + 1]:
            rows = [m[k] for k in range(m.num_rows)]
            a, b = rows[j], rows[j + 1]
            if a.parent == -1 and b.parent == -1:
                rows[j], rows[j + 1] = b, a
                m.clear()
                for r in rows:
                    m.append(r)
                return
    raise AssertionError("no pair to swap")


def _break_unsorted_migrations(t):
    g = t.migrations
    time = g.time.copy()
    j = int(np.nonzero(time[1:] > time[:-1])[0][0])
    rows = [g[k] for k in range(g.num_rows)]
    rows[j], rows[j + 1] = rows[j + 1], rows[j]
    g.clear()
    for r in rows:
        g.append(r)


def _break_individual_self_parent(t):
    n = t.individuals.num_rows
    t.individuals.add_row(parents=[n])


def _break_individual_cycle(t):
    t.migrations.clear()  # tskit's canonicalise, which reports cycles, refuses migrations
    n = t.individuals.num_rows
    t.individuals.add_row(parents=[n + 1])
    t.individuals.add_row(parents=[n])


def _break_unsorted_individuals(t):
    n = t.individuals.num_rows
    t.individuals.add_row(parents=[n + 1])
    t.individuals.add_row(parents=[])


def _set_last_index(t, value):
    ins = t.indexes.edge_insertion_order.copy()
    ins[-1] = value
    t.indexes = tskit.TableCollectionIndexes(edge_insertion_order=ins, edge_removal_order=t.indexes.edge_removal_order)


BROKEN = {
    # name: (how to break the tables, tskit call that reports it, tspar check flags, expected tspar code name)
    "node_time_nonfinite": (lambda t: _col(t.nodes, "time", 0, np.inf), "TSPAR_ERR_TIME_NONFINITE"),
    "edge_parent_out_of_bounds": (lambda t: _edge(t, 0, parent=t.nodes.num_rows), "TSPAR_ERR_NODE_OUT_OF_BOUNDS"),
    "edge_child_out_of_bounds": (lambda t: _edge(t, 0, child=-5), "TSPAR_ERR_NODE_OUT_OF_BOUNDS"),
    "edge_null_parent": (lambda t: _edge(t, 0, parent=-1), "TSPAR_ERR_NULL_PARENT"),
    "edge_null_child": (lambda t: _edge(t, 0, child=-1), "TSPAR_ERR_NULL_CHILD"),
    "edge_left_negative": (lambda t: _edge(t, 0, left=-1.0), "TSPAR_ERR_LEFT_LESS_ZERO"),
    "edge_right_beyond_length": (
        lambda t: _edge(t, 0, right=t.sequence_length + 1),
        "TSPAR_ERR_RIGHT_GREATER_SEQ_LENGTH",
    ),
    "edge_interval_empty": (lambda t: _edge(t, 0, right=t.edges.left[0]), "TSPAR_ERR_BAD_EDGE_INTERVAL"),
    "edge_left_nan": (lambda t: _edge(t, 0, left=np.nan), "TSPAR_ERR_GENOME_COORDS_NONFINITE"),
    "edge_parent_younger": (
        lambda t: _col(t.nodes, "time", t.edges.parent[0], t.nodes.time[t.edges.child[0]]),
        "TSPAR_ERR_BAD_NODE_TIME_ORDERING",
    ),
    "edges_parent_time_order": (
        lambda t: _swap_edges(t, 0, t.edges.num_rows - 1),
        "TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME",
    ),
    "edges_noncontiguous_parents": (_break_noncontiguous, "TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS"),
    "edges_child_order": (_break_unsorted_child, "TSPAR_ERR_EDGES_NOT_SORTED_CHILD"),
    "edges_left_order": (_break_unsorted_left, "TSPAR_ERR_EDGES_NOT_SORTED_LEFT"),
    "edges_duplicate": (_break_duplicate_edges, "TSPAR_ERR_DUPLICATE_EDGES"),
    "edges_contradictory_children": (_break_contradictory, "TSPAR_ERR_BAD_EDGES_CONTRADICTORY_CHILDREN"),
    "node_population_out_of_bounds": (
        lambda t: _col(t.nodes, "population", 0, t.populations.num_rows),
        "TSPAR_ERR_POPULATION_OUT_OF_BOUNDS",
    ),
    "node_individual_out_of_bounds": (
        lambda t: _col(t.nodes, "individual", 0, t.individuals.num_rows + 3),
        "TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS",
    ),
    "site_position_negative": (lambda t: _col(t.sites, "position", 0, -1.0), "TSPAR_ERR_BAD_SITE_POSITION"),
    "site_position_at_length": (
        lambda t: _col(t.sites, "position", t.sites.num_rows - 1, t.sequence_length),
        "TSPAR_ERR_BAD_SITE_POSITION",
    ),
    "sites_unsorted": (
        lambda t: setattr(t.sites, "position", t.sites.position[[1, 0] + list(range(2, t.sites.num_rows))]),
        "TSPAR_ERR_UNSORTED_SITES",
    ),
    "sites_duplicate": (
        lambda t: _col(t.sites, "position", 1, t.sites.position[0]),
        "TSPAR_ERR_DUPLICATE_SITE_POSITION",
    ),
    "mutation_site_out_of_bounds": (
        lambda t: _col(t.mutations, "site", t.mutations.num_rows - 1, t.sites.num_rows),
        "TSPAR_ERR_SITE_OUT_OF_BOUNDS",
    ),
    "mutation_node_out_of_bounds": (
        lambda t: _col(t.mutations, "node", 0, t.nodes.num_rows),
        "TSPAR_ERR_NODE_OUT_OF_BOUNDS",
    ),
    "mutation_parent_out_of_bounds": (
        lambda t: _col(t.mutations, "parent", 0, t.mutations.num_rows),
        "TSPAR_ERR_MUTATION_OUT_OF_BOUNDS",
    ),
    "mutation_parent_self": (lambda t: _col(t.mutations, "parent", 3, 3), "TSPAR_ERR_MUTATION_PARENT_EQUAL"),
    "mutation_parent_after_child": (_break_mutation_parent_after_child, "TSPAR_ERR_MUTATION_PARENT_AFTER_CHILD"),
    "mutation_parent_different_site": (
        _break_mutation_parent_different_site,
        "TSPAR_ERR_MUTATION_PARENT_DIFFERENT_SITE",
    ),
    "mutations_unsorted": (_break_unsorted_mutations, "TSPAR_ERR_UNSORTED_MUTATIONS"),
    "mutation_time_nan_not_unknown": (
        lambda t: _col(t.mutations, "time", 0, np.inf),
        "TSPAR_ERR_TIME_NONFINITE",
    ),
    "mutation_time_below_node": (
        lambda t: _col(t.mutations, "time", 0, t.nodes.time[t.mutations.node[0]] - 1),
        "TSPAR_ERR_MUTATION_TIME_YOUNGER_THAN_NODE",
    ),
    "mutation_time_above_parent_mutation": (
        _break_mutation_time_above_parent_mutation,
        "TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_MUTATION",
    ),
    "mutation_time_above_parent_node": (
        _break_mutation_time_above_parent_node,
        "TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_NODE",
    ),
    "mutation_times_known_and_unknown": (
        _break_mutation_time_mixture,
        "TSPAR_ERR_MUTATION_TIME_HAS_BOTH_KNOWN_AND_UNKNOWN",
    ),
    "mutation_parent_wrong_for_topology": (_break_mutation_parent_topology, "TSPAR_ERR_BAD_MUTATION_PARENT"),
    "migration_node_out_of_bounds": (
        lambda t: _col(t.migrations, "node", 0, t.nodes.num_rows),
        "TSPAR_ERR_NODE_OUT_OF_BOUNDS",
    ),
    "migration_source_out_of_bounds": (
        lambda t: _col(t.migrations, "source", 0, t.populations.num_rows),
        "TSPAR_ERR_POPULATION_OUT_OF_BOUNDS",
    ),
    "migrations_unsorted": (_break_unsorted_migrations, "TSPAR_ERR_UNSORTED_MIGRATIONS"),
    "individual_self_parent": (_break_individual_self_parent, "TSPAR_ERR_INDIVIDUAL_SELF_PARENT"),
    "index_out_of_bounds": (lambda t: _set_last_index(t, t.edges.num_rows), "TSPAR_ERR_EDGE_OUT_OF_BOUNDS"),
    "index_inconsistent": (lambda t: _set_last_index(t, t.indexes.edge_insertion_order[0]), "TSPAR_ERR_TABLES_BAD_INDEXES"),
}

# Cases checked with other flags than the tree sequence's.
EXTRA_FLAGS = {}

# Checks that report the condition in tspar, as tskit's tree sequence does.
TREESEQ_CHECKS = "TSPAR_CHECK_TREES", "TSPAR_CHECK_MUTATION_PARENTS"


def tskit_refusal(tables):
    """tskit's message when the tables are made into a tree sequence (or
    sorted, for conditions the tree sequence check does not reach)."""
    try:
        tables.tree_sequence()
    except tskit.LibraryError as e:
        return str(e)
    try:
        tables.copy().sort()
    except tskit.LibraryError as e:
        return str(e)
    try:
        tables.copy().canonicalise(remove_unreferenced=False)
    except tskit.LibraryError as e:
        return str(e)
    return None


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_input_matches_tskit(lib, tmp_path, case):
    brk, want_name = BROKEN[case]
    t = _base()
    brk(t)
    message = tskit_refusal(t)
    assert message is not None, f"tskit accepts {case}"
    assert_tskit_message(want_name, message)
    path = tmp_path / f"{case}.trees"
    t.dump(path)
    flags = C.TSPAR_CHECK_TREES | C.TSPAR_CHECK_MUTATION_PARENTS
    if case in EXTRA_FLAGS:
        flags |= C[EXTRA_FLAGS[case]]
    with Tables.load(path) as h, Tables.load(path) as before:
        with pytest.raises(TsparError) as e:
            h.check_integrity(flags)
        assert e.value.name == want_name, (e.value, message)
        assert e.value.message, "a failed check leaves a detail message"
        # A failed check changes nothing.
        assert h.equals(before)


def test_unsorted_individuals(lib, tmp_path):
    """tskit's Python API never reports TSK_ERR_UNSORTED_INDIVIDUALS (its C
    check does, with the message listed); tspar reports it with the
    individual ordering flag only."""
    t = _base()
    _break_unsorted_individuals(t)
    t.tree_sequence()
    t.dump(tmp_path / "i.trees")
    with Tables.load(tmp_path / "i.trees") as h:
        assert h.check_integrity(C.TSPAR_CHECK_TREES) > 0
        with pytest.raises(TsparError) as e:
            h.check_integrity(C.TSPAR_CHECK_INDIVIDUAL_ORDERING)
        assert e.value.name == "TSPAR_ERR_UNSORTED_INDIVIDUALS"


def test_individual_cycle(lib, tmp_path):
    """tskit reports a cycle (TSK_ERR_INDIVIDUAL_PARENT_CYCLE) only when it
    sorts individuals (canonicalise); its integrity check, like tspar's,
    reports a cycle with the ordering flag as unsorted individuals, since
    some parent in a cycle comes after its child."""
    t = _base()
    _break_individual_cycle(t)
    with pytest.raises(tskit.LibraryError) as tsk:
        t.copy().canonicalise(remove_unreferenced=False)
    assert_tskit_message("TSPAR_ERR_INDIVIDUAL_PARENT_CYCLE", str(tsk.value))
    t.tree_sequence()
    t.dump(tmp_path / "c.trees")
    with Tables.load(tmp_path / "c.trees") as h:
        assert h.check_integrity(C.TSPAR_CHECK_TREES) > 0
        with pytest.raises(TsparError) as e:
            h.check_integrity(C.TSPAR_CHECK_INDIVIDUAL_ORDERING)
        assert e.value.name == "TSPAR_ERR_UNSORTED_INDIVIDUALS"


def test_broken_sort_leaves_tables_unchanged(lib, tmp_path):
    """A sort that fails its integrity check changes nothing, and fails with
    the code matching tskit's sort error."""
    for case in ("edge_parent_out_of_bounds", "edge_null_child", "mutation_site_out_of_bounds", "node_time_nonfinite"):
        brk, want_name = BROKEN[case]
        t = shuffle(_base(), 3)
        brk(t)
        with pytest.raises(tskit.LibraryError) as tsk:
            t.copy().sort()
        assert_tskit_message(want_name, str(tsk.value))
        path = tmp_path / f"{case}.trees"
        t.dump(path)
        with Tables.load(path) as h, Tables.load(path) as before:
            with pytest.raises(TsparError) as e:
                h.sort()
            assert e.value.name == want_name
            assert h.equals(before)


def test_check_integrity_counts_trees(lib, tmp_path):
    for name in INPUTS:
        t = sorted_input(name)
        t.build_index()
        t.dump(tmp_path / "c.trees")
        with Tables.load(tmp_path / "c.trees") as h:
            assert h.check_integrity(0) == 0
            assert h.check_integrity(C.TSPAR_CHECK_TREES) == t.tree_sequence().num_trees
            assert h.check_integrity(C.TSPAR_CHECK_MUTATION_PARENTS) == t.tree_sequence().num_trees


def test_check_integrity_ordering_flags(lib, tmp_path):
    """Each ordering flag reports its condition, and only its own."""
    t = shuffle(_base(), 9)
    t.dump(tmp_path / "o.trees")
    with Tables.load(tmp_path / "o.trees") as h:
        assert h.check_integrity(0) == 0
        expect = {
            "TSPAR_CHECK_EDGE_ORDERING": "TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME",
            "TSPAR_CHECK_SITE_ORDERING": "TSPAR_ERR_UNSORTED_SITES",
            "TSPAR_CHECK_MIGRATION_ORDERING": "TSPAR_ERR_UNSORTED_MIGRATIONS",
        }
        for flag, code in expect.items():
            with pytest.raises(TsparError) as e:
                h.check_integrity(C[flag])
            assert e.value.name in (code, "TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS", "TSPAR_ERR_EDGES_NOT_SORTED_CHILD"), (
                flag,
                e.value,
            )
        with pytest.raises(TsparError):
            h.check_integrity(C.TSPAR_CHECK_MUTATION_ORDERING)
        h.sort()
        assert h.check_integrity(C.TSPAR_CHECK_EDGE_ORDERING | C.TSPAR_CHECK_SITE_ORDERING
                                 | C.TSPAR_CHECK_MUTATION_ORDERING | C.TSPAR_CHECK_MIGRATION_ORDERING) == 0


def test_null_and_bad_options(lib):
    raw = lib.raw
    assert raw.tspar_tables_sort(None, 0, 0, None) == C.TSPAR_ERR_NULL_POINTER
    assert raw.tspar_tables_build_index(None, 0, None) == C.TSPAR_ERR_NULL_POINTER
    for fn in ("tspar_tables_compute_mutation_parents", "tspar_tables_deduplicate_sites",
               "tspar_tables_check_integrity"):
        assert getattr(raw, fn)(None, 0) == C.TSPAR_ERR_NULL_POINTER, fn
    with Tables.new(1.0) as t:
        assert raw.tspar_tables_build_index(t.handle, 1, None) == C.TSPAR_ERR_BAD_OPTIONS
        for fn in ("tspar_tables_compute_mutation_parents", "tspar_tables_deduplicate_sites"):
            assert getattr(raw, fn)(t.handle, 1) == C.TSPAR_ERR_BAD_OPTIONS, fn
        assert raw.tspar_tables_sort(t.handle, 0, 1, None) == C.TSPAR_ERR_BAD_OPTIONS
        assert raw.tspar_tables_sort(t.handle, 0, C.TSPAR_NO_CHECK_INTEGRITY, None) == 0
