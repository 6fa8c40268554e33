"""Genotypes against tskit 1.0.3: variants(), genotype_matrix() and
haplotypes() on msprime output with JC69 multi-allelic sites, missing data
(samples cut out of the trees over stretches of the genome), internal
samples, sample subsets and user-given alleles; the same matrix for every
thread count."""

import msprime
import numpy as np
import pytest
import tskit

import tspar


def _jc69(n=6, L=2_000, seed=1, rate=4e-4):
    ts = msprime.sim_ancestry(n, ploidy=2, population_size=1_000, sequence_length=L, recombination_rate=1e-6,
                              random_seed=seed)
    ts = msprime.sim_mutations(ts, rate=rate, model="jc69", random_seed=seed + 1)
    per_site = np.bincount(ts.mutations_site, minlength=ts.num_sites)
    assert per_site.max() >= 3
    return ts


def _with_gaps(ts):
    """Samples 0, 1 and 2 cut out of the trees on [300, 700) (their edges
    split), the whole genome without edges on [1200, 1300) with sites added
    there: isolated samples, some with a mutation on them."""
    tables = ts.dump_tables()
    edges = tables.edges.copy()
    tables.edges.clear()
    for e in edges:
        if e.child in (0, 1, 2) and e.left < 700 and e.right > 300:
            if e.left < 300:
                tables.edges.append(e.replace(right=300))
            if e.right > 700:
                tables.edges.append(e.replace(left=700))
        else:
            tables.edges.append(e)
    tables.sort()
    tables.build_index()
    tables.compute_mutation_parents()
    ts2 = tables.tree_sequence().delete_intervals([[1200, 1300]], simplify=False)
    tables = ts2.dump_tables()
    s = tables.sites.add_row(1210.0, "A")
    tables.mutations.add_row(site=s, node=3, derived_state="T", time=tables.nodes.time[3])
    tables.sites.add_row(1250.0, "G")
    s = tables.sites.add_row(1290.0, "C")
    internal = int(np.flatnonzero(tables.nodes.flags == 0)[0])
    tables.mutations.add_row(site=s, node=internal, derived_state="A", time=tables.nodes.time[internal] + 1e-6)
    tables.sort()
    tables.build_index()
    tables.compute_mutation_parents()
    return tables.tree_sequence()


def _internal_samples(ts):
    tables = ts.dump_tables()
    flags = tables.nodes.flags.copy()
    internal = np.flatnonzero(flags == 0)[:5]
    flags[internal] |= tskit.NODE_IS_SAMPLE
    tables.nodes.flags = flags
    return tables.tree_sequence()


CASES = {
    "jc69": lambda: _jc69(),
    "gaps": lambda: _with_gaps(_jc69(seed=5)),
    "internal": lambda: _internal_samples(_jc69(seed=9)),
    "binary": lambda: msprime.sim_mutations(
        msprime.sim_ancestry(5, sequence_length=5_000, recombination_rate=1e-7, population_size=1e4,
                             random_seed=3), rate=1e-7, random_seed=4),
}


@pytest.fixture(params=sorted(CASES), scope="module")
def pair(request, lib):
    ts = CASES[request.param]()
    assert ts.num_sites > 0
    return ts, tspar.TreeSequence.from_tskit(ts)


def _same_variants(tv, pv):
    tv, pv = list(tv), list(pv)
    assert len(tv) == len(pv)
    for a, b in zip(tv, pv):
        assert a.site.id == b.site.id
        assert a.site.position == b.position
        assert tuple(a.alleles) == tuple(b.alleles)
        assert a.has_missing_data == b.has_missing_data
        assert a.num_alleles == b.num_alleles
        np.testing.assert_array_equal(a.genotypes, b.genotypes)


@pytest.mark.parametrize("iam", [True, False])
def test_variants(pair, iam):
    ts, tp = pair
    _same_variants(ts.variants(isolated_as_missing=iam), tp.variants(isolated_as_missing=iam))


def test_variants_range(pair):
    ts, tp = pair
    L = ts.sequence_length
    for left, right in [(0, L / 3), (L / 4, L), (L / 5, L / 2)]:
        _same_variants(ts.variants(left=left, right=right), tp.variants(left=left, right=right))


def test_variants_subset_and_internal_nodes(pair):
    ts, tp = pair
    internal = np.flatnonzero((ts.nodes_flags & tskit.NODE_IS_SAMPLE) == 0)[:4]
    samples = np.concatenate([ts.samples()[::-2], internal]).astype(np.int32)
    for iam in (True, False):
        _same_variants(ts.variants(samples=samples, isolated_as_missing=iam),
                       tp.variants(samples=samples, isolated_as_missing=iam))


def test_missing_data_really_occurs():
    ts = CASES["gaps"]()
    assert any(v.has_missing_data for v in ts.variants())
    # and a mutation over an isolated sample makes it not missing
    v = [v for v in ts.variants() if v.site.position == 1210.0][0]
    assert v.genotypes[3] == 1


@pytest.mark.parametrize("iam", [True, False])
def test_genotype_matrix(pair, iam):
    ts, tp = pair
    want = ts.genotype_matrix(isolated_as_missing=iam)
    got = tp.genotype_matrix(isolated_as_missing=iam)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, want)
    for dt in (np.int8, np.int16):
        np.testing.assert_array_equal(tp.genotype_matrix(isolated_as_missing=iam, dtype=dt), want)


def test_user_alleles():
    ts = _jc69(seed=11)
    tp = tspar.TreeSequence.from_tskit(ts)
    alleles = ("T", "G", "C", "A")
    _same_variants(ts.variants(alleles=alleles), tp.variants(alleles=alleles))
    np.testing.assert_array_equal(tp.genotype_matrix(alleles=alleles), ts.genotype_matrix(alleles=alleles))
    with pytest.raises(tskit.LibraryError):
        list(ts.variants(alleles=("A", "C")))
    with pytest.raises(tspar.LibraryError) as e:
        list(tp.variants(alleles=("A", "C")))
    assert e.value.name == "TSPAR_ERR_ALLELE_NOT_FOUND"
    with pytest.raises(tspar.LibraryError):
        tp.genotype_matrix(alleles=("A", "C"))


def test_bad_samples(pair):
    ts, tp = pair
    with pytest.raises(tspar.LibraryError) as e:
        list(tp.variants(samples=[0, 0]))
    assert e.value.name == "TSPAR_ERR_DUPLICATE_SAMPLE"
    with pytest.raises(tspar.LibraryError) as e:
        tp.genotype_matrix(samples=[ts.num_nodes])
    assert e.value.name == "TSPAR_ERR_NODE_OUT_OF_BOUNDS"


@pytest.mark.parametrize("iam", [True, False])
def test_haplotypes(pair, iam):
    ts, tp = pair
    assert list(tp.haplotypes(isolated_as_missing=iam)) == list(ts.haplotypes(isolated_as_missing=iam))
    assert list(tp.haplotypes(missing_data_character="?")) == list(ts.haplotypes(missing_data_character="?"))
    L = ts.sequence_length
    s = ts.samples()[1::2]
    assert list(tp.haplotypes(samples=s, left=L / 4, right=L / 2)) == \
        list(ts.haplotypes(samples=s, left=L / 4, right=L / 2))


def test_haplotype_errors():
    ts = _jc69(seed=13)
    tp = tspar.TreeSequence.from_tskit(ts)
    with pytest.raises(ValueError):
        list(ts.haplotypes(missing_data_character="A"))
    with pytest.raises(ValueError):
        list(tp.haplotypes(missing_data_character="A"))
    tables = ts.dump_tables()
    s = tables.sites.add_row(ts.sequence_length - 0.5, "AT")
    tables.mutations.add_row(site=s, node=0, derived_state="G", time=0)
    tables.sort()
    ts2 = tables.tree_sequence()
    tp2 = tspar.TreeSequence.from_tskit(ts2)
    with pytest.raises(TypeError):
        list(ts2.haplotypes())
    with pytest.raises(TypeError):
        list(tp2.haplotypes())


def test_matrix_same_for_every_thread_count(lib):
    ts = msprime.sim_ancestry(150, population_size=1e4, sequence_length=1.5e6, recombination_rate=1e-8,
                              random_seed=17)
    ts = msprime.sim_mutations(ts, rate=1e-7, model=msprime.JC69(), random_seed=18)
    assert ts.num_sites * ts.num_samples > 3 * 2**20, "needs several blocks"
    tp = tspar.TreeSequence.from_tskit(ts)
    want = ts.genotype_matrix()
    for threads in (1, 2, 3):
        np.testing.assert_array_equal(tp.genotype_matrix(num_threads=threads), want)
        np.testing.assert_array_equal(tp.genotype_matrix(num_threads=threads, dtype=np.int8), want)
    h = list(ts.haplotypes())
    for threads in (1, 3):
        assert list(tp.haplotypes(num_threads=threads)) == h


def test_decoder_in_any_site_order(lib):
    """One decoder over sites in a shuffled order: its tree cursor (and the
    sample lists it keeps beside it) steps forward, jumps back and jumps
    far ahead, and every site is tskit's."""
    from tspar._genotypes import _Decoder

    ts = msprime.sim_ancestry(60, population_size=1e4, sequence_length=3e5, recombination_rate=1e-8,
                              random_seed=23)
    ts = _with_gaps(msprime.sim_mutations(ts, rate=2e-8, model=msprime.JC69(), random_seed=24))
    assert ts.num_trees > 50
    tp = tspar.TreeSequence.from_tskit(ts)
    order = np.random.default_rng(2).permutation(ts.num_sites)
    order = np.concatenate([order, np.arange(ts.num_sites), np.arange(ts.num_sites)[::-7]])
    for samples in (None, ts.samples()[::-3]):
        tv = tskit.Variant(ts, samples=samples)
        d = _Decoder(tp, samples, None, True)
        for site in order:
            tv.decode(site)
            g, alleles, miss = d.decode(int(site))
            np.testing.assert_array_equal(g, tv.genotypes)
            assert alleles == tuple(a for a in tv.alleles if a is not None)
            assert miss == tv.has_missing_data
