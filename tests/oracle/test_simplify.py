"""tspar_tables_simplify against tskit 1.0.3's TableCollection.simplify.

Every case simplifies the same input tables with both libraries and requires
the output tables to be equal (tskit's equality, provenances included, since
neither side records one here) and the node maps to be the same.
"""

import msprime
import numpy as np
import pytest
import tskit

import _simplify_lib as sl

OPTION_SETS = [
    0,
    sl.FILTER_SITES,
    sl.FILTER_POPULATIONS,
    sl.FILTER_INDIVIDUALS,
    sl.REDUCE_TO_SITE_TOPOLOGY,
    sl.KEEP_UNARY,
    sl.KEEP_INPUT_ROOTS,
    sl.KEEP_UNARY_IN_INDIVIDUALS,
    sl.NO_FILTER_NODES,
    sl.NO_UPDATE_SAMPLE_FLAGS,
    # tskit Python's defaults.
    sl.FILTER_SITES | sl.FILTER_POPULATIONS | sl.FILTER_INDIVIDUALS,
    sl.FILTER_SITES | sl.FILTER_POPULATIONS | sl.FILTER_INDIVIDUALS | sl.KEEP_INPUT_ROOTS,
    sl.KEEP_UNARY | sl.KEEP_INPUT_ROOTS,
    sl.KEEP_UNARY_IN_INDIVIDUALS | sl.KEEP_INPUT_ROOTS | sl.FILTER_INDIVIDUALS,
    sl.NO_FILTER_NODES | sl.NO_UPDATE_SAMPLE_FLAGS,
    sl.NO_FILTER_NODES | sl.KEEP_INPUT_ROOTS | sl.FILTER_POPULATIONS,
    sl.NO_FILTER_NODES | sl.FILTER_INDIVIDUALS | sl.FILTER_SITES,
    sl.REDUCE_TO_SITE_TOPOLOGY | sl.FILTER_SITES,
    sl.REDUCE_TO_SITE_TOPOLOGY | sl.KEEP_INPUT_ROOTS,
    sl.REDUCE_TO_SITE_TOPOLOGY | sl.KEEP_UNARY,
    sl.KEEP_UNARY | sl.NO_UPDATE_SAMPLE_FLAGS | sl.FILTER_SITES,
]


def tskit_simplify(tables, samples, options):
    t = tables.copy()
    node_map = t.simplify(
        samples,
        filter_sites=bool(options & sl.FILTER_SITES),
        filter_populations=bool(options & sl.FILTER_POPULATIONS),
        filter_individuals=bool(options & sl.FILTER_INDIVIDUALS),
        filter_nodes=not options & sl.NO_FILTER_NODES,
        update_sample_flags=not options & sl.NO_UPDATE_SAMPLE_FLAGS,
        reduce_to_site_topology=bool(options & sl.REDUCE_TO_SITE_TOPOLOGY),
        keep_unary=bool(options & sl.KEEP_UNARY),
        keep_unary_in_individuals=bool(options & sl.KEEP_UNARY_IN_INDIVIDUALS),
        keep_input_roots=bool(options & sl.KEEP_INPUT_ROOTS),
        record_provenance=False,
    )
    return t, node_map


def compare(tables, samples, options, tmp_path):
    expected, expected_map = tskit_simplify(tables, samples, options)
    with sl.Tables(tables, tmp_path) as t:
        node_map = t.simplify(samples, options, tables.nodes.num_rows)
        got = t.to_tskit()
    assert got.equals(expected), _diff(got, expected)
    assert got.provenances == expected.provenances
    assert got.has_index() == expected.has_index()
    np.testing.assert_array_equal(node_map, expected_map)


def _diff(a, b):
    for name in ("nodes", "edges", "sites", "mutations", "individuals", "populations"):
        if getattr(a, name) != getattr(b, name):
            return f"{name} differ:\n{getattr(a, name)}\nexpected\n{getattr(b, name)}"
    return "collection-level fields differ"


# ---------------------------------------------------------------- inputs


def full_arg(seed):
    """An unsimplified ARG from msprime with two populations, diploid
    individuals and mutations (several per site, with parents)."""
    demography = msprime.Demography.island_model([500, 500], migration_rate=1e-3)
    ts = msprime.sim_ancestry(
        samples={"pop_0": 4, "pop_1": 4},
        demography=demography,
        sequence_length=2000,
        recombination_rate=2e-6,
        record_full_arg=True,
        random_seed=seed,
    )
    ts = msprime.sim_mutations(ts, rate=5e-5, random_seed=seed)
    return ts.dump_tables()


def additional_nodes(seed):
    """msprime keeping recombinant and common-ancestor nodes, with
    non-coalescing segments: unary nodes everywhere; continuous genome."""
    ts = msprime.sim_ancestry(
        samples=6,
        population_size=1000,
        sequence_length=1.0,
        discrete_genome=False,
        recombination_rate=3e-4,
        additional_nodes=msprime.NodeType.RECOMBINANT | msprime.NodeType.COMMON_ANCESTOR,
        coalescing_segments_only=False,
        random_seed=seed,
    )
    ts = msprime.sim_mutations(ts, rate=2e-3, discrete_genome=False, random_seed=seed)
    return ts.dump_tables()


def wright_fisher(seed, n=30, generations=60, L=100.0):
    """A tiny diploid Wright-Fisher simulation recording everything: every
    node, every edge, individuals with parents, two populations. Sorted with
    tskit; the last generation's nodes are the samples."""
    rng = np.random.default_rng(seed)
    tables = tskit.TableCollection(sequence_length=L)
    tables.populations.add_row(metadata=b"west")
    tables.populations.add_row(metadata=b"east")
    # Generation 0 (the oldest) has time `generations`.
    parents = []
    for i in range(n):
        pop = i % 2
        ind = tables.individuals.add_row(flags=0, location=[i, 0.5], parents=[], metadata=b"g0")
        a = tables.nodes.add_row(time=generations, population=pop, individual=ind)
        b = tables.nodes.add_row(time=generations, population=pop, individual=ind)
        parents.append((ind, a, b, pop))
    for g in range(1, generations + 1):
        time = generations - g
        children = []
        for i in range(n):
            pop = i % 2
            p1, p2 = rng.integers(0, n, size=2)
            ind = tables.individuals.add_row(
                flags=0,
                location=[i, float(g)],
                parents=[parents[p1][0], parents[p2][0]],
                metadata=b"x" * int(rng.integers(0, 3)),
            )
            flags = tskit.NODE_IS_SAMPLE if g == generations else 0
            nodes = []
            for p in (p1, p2):
                child = tables.nodes.add_row(
                    flags=flags, time=time, population=pop, individual=ind, metadata=b"n"
                )
                _, pa, pb, _ = parents[p]
                if rng.random() < 0.5:
                    pa, pb = pb, pa
                x = float(np.round(rng.uniform(0, L), 1))
                if 0 < x < L:
                    tables.edges.add_row(0, x, pa, child)
                    tables.edges.add_row(x, L, pb, child)
                else:
                    tables.edges.add_row(0, L, pa, child)
                nodes.append(child)
            children.append((ind, nodes[0], nodes[1], pop))
        parents = children
    tables.sort()
    tables.build_index()
    ts = msprime.sim_mutations(tables.tree_sequence(), rate=0.01, random_seed=seed)
    tables = ts.dump_tables()
    tables.drop_index()
    return tables


def partial_individuals(seed):
    """Wright-Fisher tables where only every third node keeps its
    individual, so that KEEP_UNARY_IN_INDIVIDUALS keeps some unary nodes and
    not others, and FILTER_INDIVIDUALS drops parents that are still named."""
    tables = wright_fisher(seed)
    individual = tables.nodes.individual.copy()
    individual[np.arange(len(individual)) % 3 != 0] = tskit.NULL
    tables.nodes.individual = individual
    return tables


INPUTS = {
    "full_arg": lambda: full_arg(5),
    "additional_nodes": lambda: additional_nodes(7),
    "wright_fisher": lambda: wright_fisher(11),
    "partial_individuals": lambda: partial_individuals(19),
}


@pytest.fixture(scope="module", params=sorted(INPUTS))
def input_tables(request):
    return INPUTS[request.param]()


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("options", OPTION_SETS)
def test_current_samples(input_tables, options, tmp_path):
    compare(input_tables, None, options, tmp_path)


@pytest.mark.parametrize("options", OPTION_SETS)
def test_random_subsets(input_tables, options, tmp_path):
    rng = np.random.default_rng(options + 17)
    flagged = np.flatnonzero(input_tables.nodes.flags & tskit.NODE_IS_SAMPLE)
    num_nodes = input_tables.nodes.num_rows
    for k in range(3):
        subset = rng.choice(flagged, size=max(1, len(flagged) // (k + 2)), replace=False)
        if k == 2:
            # Internal nodes as samples too, in a shuffled order.
            extra = rng.choice(num_nodes, size=5, replace=False)
            subset = np.unique(np.concatenate([subset, extra]))
            rng.shuffle(subset)
        compare(input_tables, subset.astype(np.int32), options, tmp_path)


def test_empty_sample_list(input_tables, tmp_path):
    compare(input_tables, np.array([], dtype=np.int32), 0, tmp_path)


def test_unknown_mutation_times(tmp_path):
    tables = full_arg(3)
    tables.mutations.time = np.full(tables.mutations.num_rows, tskit.UNKNOWN_TIME)
    for options in (0, sl.FILTER_SITES | sl.KEEP_INPUT_ROOTS):
        compare(tables, None, options, tmp_path)


def test_simplify_twice_and_already_simple(tmp_path):
    tables = msprime.sim_ancestry(
        5, sequence_length=1e4, recombination_rate=1e-8, population_size=1e4, random_seed=2
    ).dump_tables()
    compare(tables, None, 0, tmp_path)
    once, _ = tskit_simplify(wright_fisher(4), None, 0)
    compare(once, None, 0, tmp_path)


def test_node_map_buffer(tmp_path):
    tables = wright_fisher(8, n=6, generations=5)
    with sl.Tables(tables, tmp_path) as t:
        with pytest.raises(sl.TsparError) as e:
            t.simplify(None, 0, tables.nodes.num_rows, node_map_length=tables.nodes.num_rows - 1)
        assert e.value.code == sl.ERR_BUFFER_TOO_SMALL
        assert t.to_tskit().equals(tables), "tables unchanged after the error"
        # A NULL node map is allowed.
        t.lib.tspar_tables_simplify(t.handle, None, 0, 0, None, None, 0)
        expected, _ = tskit_simplify(tables, None, 0)
        assert t.to_tskit().equals(expected)


def _expect_error(tables, samples, options, name, tmp_path):
    """Both libraries reject the input with the same error (tskit's message
    carries the TSK_ERR_ name), and tspar leaves the tables as they were."""
    with pytest.raises(Exception) as tskit_error:
        tskit_simplify(tables, samples, options)
    assert f"TSK_ERR_{name}" in str(tskit_error.value)
    with sl.Tables(tables, tmp_path) as t:
        with pytest.raises(sl.TsparError) as e:
            t.simplify(samples, options, tables.nodes.num_rows)
        assert e.value.code == getattr(sl, f"ERR_{name}")
        assert t.to_tskit().equals(tables), "tables unchanged after the error"


def test_bad_samples(tmp_path):
    tables = wright_fisher(9, n=6, generations=5)
    n = tables.nodes.num_rows
    _expect_error(tables, np.array([0, 1, 0], np.int32), 0, "DUPLICATE_SAMPLE", tmp_path)
    _expect_error(tables, np.array([0, n], np.int32), 0, "NODE_OUT_OF_BOUNDS", tmp_path)
    _expect_error(tables, np.array([-1], np.int32), 0, "NODE_OUT_OF_BOUNDS", tmp_path)


def test_bad_options_and_inputs(tmp_path):
    tables = wright_fisher(10, n=6, generations=5)
    _expect_error(
        tables,
        None,
        sl.KEEP_UNARY | sl.KEEP_UNARY_IN_INDIVIDUALS,
        "KEEP_UNARY_MUTUALLY_EXCLUSIVE",
        tmp_path,
    )
    with_meta = tables.copy()
    with_meta.edges.packset_metadata([b"m"] * with_meta.edges.num_rows)
    _expect_error(with_meta, None, 0, "CANT_PROCESS_EDGES_WITH_METADATA", tmp_path)

    unsorted = tables.copy()
    e = unsorted.edges
    # The oldest parent's last edge first.
    order = np.r_[e.num_rows - 1, np.arange(e.num_rows - 1)]
    unsorted.edges.set_columns(
        left=e.left[order], right=e.right[order], parent=e.parent[order], child=e.child[order]
    )
    _expect_error(unsorted, None, 0, "EDGES_NOT_SORTED_PARENT_TIME", tmp_path)

    if tables.sites.num_rows >= 2:
        dup = tables.copy()
        pos = dup.sites.position.copy()
        pos[1] = pos[0]
        dup.sites.position = pos
        _expect_error(dup, None, 0, "DUPLICATE_SITE_POSITION", tmp_path)
        back = tables.copy()
        pos = back.sites.position.copy()
        pos[0], pos[1] = pos[1], pos[0]
        back.sites.position = pos
        _expect_error(back, None, 0, "UNSORTED_SITES", tmp_path)


def test_migrations_error(tmp_path):
    demography = msprime.Demography.island_model([100, 100], migration_rate=1e-2)
    ts = msprime.sim_ancestry(
        samples={"pop_0": 2, "pop_1": 2},
        demography=demography,
        sequence_length=100,
        record_migrations=True,
        random_seed=1,
    )
    tables = ts.dump_tables()
    assert tables.migrations.num_rows > 0
    _expect_error(tables, None, 0, "SIMPLIFY_MIGRATIONS_NOT_SUPPORTED", tmp_path)


def test_bookmark_and_truncate(tmp_path):
    tables = full_arg(6)
    tables.provenances.add_row(record="{}", timestamp="now")
    with sl.Tables(tables, tmp_path) as t:
        b = t.record_num_rows()
        for name, _ in sl.Bookmark._fields_:
            assert getattr(b, name) == getattr(tables, name).num_rows, name
        for name, _ in sl.Bookmark._fields_:
            setattr(b, name, getattr(b, name) // 2)
        t.truncate(b)
        expected = tables.copy()
        for name, _ in sl.Bookmark._fields_:
            getattr(expected, name).truncate(getattr(b, name))
        got = t.to_tskit()
        assert got.equals(expected)
        assert not got.has_index()
        b.nodes += 1
        with pytest.raises(sl.TsparError) as e:
            t.truncate(b)
        assert e.value.code == sl.ERR_BAD_TABLE_POSITION
        assert t.to_tskit().equals(expected)


def test_simulator_cycle(tmp_path):
    """What a forward simulator does: keep a bookmark, add a generation,
    roll back, add again, then simplify — against the same steps in tskit."""
    tables = wright_fisher(12, n=8, generations=6)
    with sl.Tables(tables, tmp_path) as t:
        mark = t.record_num_rows()
        extra = tables.copy()
        extra.nodes.add_row(time=-1.0, metadata=b"new")
        extra.edges.add_row(0, tables.sequence_length, 0, extra.nodes.num_rows - 1)
        with sl.Tables(extra, tmp_path) as t2:
            t2.truncate(mark)
            assert t2.to_tskit().equals(tables)
        node_map = t.simplify(None, 0, tables.nodes.num_rows)
    _, expected_map = tskit_simplify(tables, None, 0)
    np.testing.assert_array_equal(node_map, expected_map)


def test_reduce_to_site_topology_site_at_zero(tmp_path):
    tables = wright_fisher(13, n=10, generations=8)
    tables.sites.clear()
    tables.mutations.clear()
    for j, x in enumerate([0.0, 0.5, 17.0, 42.0, 99.5]):
        s = tables.sites.add_row(position=x, ancestral_state="A")
        tables.mutations.add_row(site=s, node=j, derived_state="T")
    for options in (sl.REDUCE_TO_SITE_TOPOLOGY, sl.REDUCE_TO_SITE_TOPOLOGY | sl.KEEP_INPUT_ROOTS):
        compare(tables, None, options, tmp_path)


def test_forward_simulation_simplified_every_few_generations(tmp_path):
    """The loop a forward simulator runs: add generations, sort, simplify to
    the living generation, remap the living nodes, carry on. tspar and tskit
    must agree at every simplification."""
    rng = np.random.default_rng(21)
    n, L = 20, 50.0
    tables = tskit.TableCollection(sequence_length=L)
    living = [tables.nodes.add_row(time=0.0) for _ in range(2 * n)]
    t = 0.0
    for generation in range(1, 31):
        t += 1.0
        # Times count down: the new generation is at -t, shifted at sort time.
        new = []
        for _ in range(2 * n):
            child = tables.nodes.add_row(time=-t)
            a, b = rng.choice(living, size=2, replace=False)
            x = float(rng.integers(1, int(L)))
            tables.edges.add_row(0, x, a, child)
            tables.edges.add_row(x, L, b, child)
            new.append(child)
        living = new
        if generation % 6 == 0:
            shifted = tables.copy()
            shifted.nodes.time = shifted.nodes.time + t
            flags = np.zeros(shifted.nodes.num_rows, dtype=np.uint32)
            flags[living] = tskit.NODE_IS_SAMPLE
            shifted.nodes.flags = flags
            shifted.sort()
            samples = np.array(living, dtype=np.int32)
            compare(shifted, samples, sl.KEEP_INPUT_ROOTS, tmp_path)
            compare(shifted, samples, 0, tmp_path)
            simplified, node_map = tskit_simplify(shifted, samples, 0)
            simplified.nodes.time = simplified.nodes.time - t
            tables = simplified
            living = [int(node_map[u]) for u in living]
