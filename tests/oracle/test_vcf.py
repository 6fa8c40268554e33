"""VCF output against tskit 1.0.3's write_vcf: the same bytes but the
##source line, for every argument (ploidy, individuals and their names,
contig id, position transforms, site and sample masks, missing data,
position zero, non-sample nodes), for several thread counts, to a path
(atomically), to text and binary file objects, and BGZF-compressed (read
back with Python's gzip module)."""

import gzip
import io
import os

import msprime
import numpy as np
import pytest
import tskit

import tspar


def _strip_source(text):
    lines = text.split("\n")
    assert lines[1].startswith("##source=")
    return "\n".join(lines[:1] + lines[2:])


def _tskit_vcf(ts, **kw):
    out = io.StringIO()
    ts.write_vcf(out, **kw)
    return out.getvalue()


def _tspar_vcf(tp, **kw):
    out = io.StringIO()
    tp.write_vcf(out, **kw)
    return out.getvalue()


def _diploids(seed=1, n=6, L=5_000, jc69=True):
    ts = msprime.sim_ancestry(n, ploidy=2, population_size=1_000, sequence_length=L, recombination_rate=1e-6,
                              random_seed=seed)
    model = msprime.JC69() if jc69 else msprime.BinaryMutationModel()
    ts = msprime.sim_mutations(ts, rate=2e-5, model=model, random_seed=seed + 1, discrete_genome=True)
    return ts.delete_sites(np.flatnonzero(ts.sites_position == 0))


def _no_individuals(ts):
    tables = ts.dump_tables()
    tables.individuals.clear()
    tables.nodes.individual = np.full(tables.nodes.num_rows, -1, dtype=np.int32)
    return tables.tree_sequence()


def _continuous():
    ts = msprime.sim_ancestry(4, ploidy=2, population_size=1_000, sequence_length=50, recombination_rate=1e-4,
                              random_seed=7)
    return msprime.sim_mutations(ts, rate=5e-3, discrete_genome=False, random_seed=8)


def _missing():
    from test_genotypes import _jc69, _with_gaps

    return _with_gaps(_jc69(seed=21))


def _same(ts, **kw):
    tp = tspar.TreeSequence.from_tskit(ts)
    want = _strip_source(_tskit_vcf(ts, **kw))
    for threads in (1, 2, 3):
        got = _strip_source(_tspar_vcf(tp, num_threads=threads, **kw))
        assert got == want, (threads, kw)
    return tp, want


def test_diploid_individuals(lib):
    _same(_diploids())


def test_missing_data(lib):
    ts = _missing()
    assert any(v.has_missing_data for v in ts.variants())
    _same(ts, allow_position_zero=True)
    _same(ts, isolated_as_missing=False, position_transform=lambda x: np.round(x) + 1)


def test_ploidy_without_individuals(lib):
    ts = _no_individuals(_diploids(seed=3))
    for ploidy in (None, 1, 2, 4):
        _same(ts, ploidy=ploidy)
    _same(ts, ploidy=3 if ts.num_samples % 3 == 0 else 2, contig_id="chr20",
          individual_names=[f"ind{j}" for j in range(ts.num_samples // (3 if ts.num_samples % 3 == 0 else 2))])


def test_individuals_subset_names_contig(lib):
    ts = _diploids(seed=5)
    _same(ts, individuals=[4, 0, 2], individual_names=["a", "b", "c"], contig_id="X")
    _same(ts, individuals=np.array([1]))


def test_position_transforms(lib):
    ts = _continuous()
    _same(ts, position_transform="legacy")
    _same(ts, position_transform=lambda x: 1 + np.round(x * 10))
    with pytest.raises(ValueError):
        _tskit_vcf(ts)
    tp = tspar.TreeSequence.from_tskit(ts)
    with pytest.raises(ValueError):
        _tspar_vcf(tp)
    _same(ts, allow_position_zero=True)


def test_masks(lib):
    ts = _diploids(seed=9)
    rng = np.random.default_rng(1)
    site_mask = rng.random(ts.num_sites) < 0.3
    sample_mask = rng.random(ts.num_samples) < 0.3
    _same(ts, site_mask=site_mask)
    _same(ts, sample_mask=sample_mask)
    _same(ts, site_mask=site_mask, sample_mask=sample_mask, isolated_as_missing=False)


def test_non_sample_nodes(lib):
    ts = _diploids(seed=11)
    tables = ts.dump_tables()
    flags = tables.nodes.flags.copy()
    flags[[1, 4]] = 0  # two nodes of individuals 0 and 2 stop being samples
    tables.nodes.flags = flags
    ts = tables.tree_sequence()
    _same(ts)
    _same(ts, include_non_sample_nodes=True)
    _same(ts, include_non_sample_nodes=True, isolated_as_missing=False)


def test_errors_as_tskit(lib):
    ts = _diploids(seed=13)
    tp = tspar.TreeSequence.from_tskit(ts)
    for kw in [dict(ploidy=2), dict(individuals=[ts.num_individuals]), dict(individuals=[]),
               dict(individual_names=["x"]), dict(site_mask=np.zeros(3, dtype=bool))]:
        with pytest.raises(ValueError):
            _tskit_vcf(ts, **kw)
        with pytest.raises(ValueError):
            _tspar_vcf(tp, **kw)
    # more than 9 alleles at a site
    tables = ts.dump_tables()
    s = tables.sites.add_row(ts.sequence_length - 1, "A")
    for j, state in enumerate("CDEFGHIJKL"):
        tables.mutations.add_row(site=s, node=j, derived_state=state, time=0)
    tables.sort()
    ts2 = tables.tree_sequence()
    tp2 = tspar.TreeSequence.from_tskit(ts2)
    with pytest.raises(ValueError):
        _tskit_vcf(ts2)
    with pytest.raises(ValueError):
        _tspar_vcf(tp2)
    mask = np.zeros(ts2.num_sites, dtype=bool)
    mask[-1] = True
    _same(ts2, site_mask=mask)


def test_file_objects_paths_and_bgzf(lib, tmp_path):
    ts = _diploids(seed=15, n=30, L=200_000)
    tp, want = _same(ts)
    b = io.BytesIO()
    tp.write_vcf(b)
    assert _strip_source(b.getvalue().decode()) == want
    path = tmp_path / "out.vcf"
    path.write_text("old")
    tp.write_vcf(path)
    assert _strip_source(path.read_text()) == want
    # a failed write leaves the old file in place, and no temporary file
    with pytest.raises(ValueError):
        tp.write_vcf(path, individuals=[10_000])
    assert _strip_source(path.read_text()) == want
    assert sorted(os.listdir(tmp_path)) == ["out.vcf"]
    # BGZF: gzip members of at most 64 KiB with the BC field, then the EOF block
    gz = tmp_path / "out.vcf.gz"
    blobs = []
    for threads in (1, 2):
        tp.write_vcf(gz, bgzf=True, num_threads=threads)
        blobs.append(gz.read_bytes())
    assert blobs[0] == blobs[1]
    data = blobs[0]
    assert len(data) > 3 * 65536, "several blocks"
    with gzip.open(gz, "rt") as f:
        assert _strip_source(f.read()) == want
    assert data.endswith(bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000"))
    at = 0
    while at < len(data):
        assert data[at:at + 4] == b"\x1f\x8b\x08\x04"
        assert data[at + 12:at + 16] == b"BC\x02\x00"
        size = int.from_bytes(data[at + 16:at + 18], "little") + 1
        assert size <= 65536
        at += size
    assert at == len(data)
    bb = io.BytesIO()
    tp.write_vcf(bb, bgzf=True)
    assert bb.getvalue() == data


def test_many_samples_missing_data_masks_and_ploidies(lib, tmp_path):
    """Several blocks of sites for the parallel writer (2,000 sample nodes,
    about 500 sites a block), with samples isolated over stretches of the
    genome (missing), multi-allelic sites, masks by site and by site and
    sample, ploidies 1, 4 and 5 without individuals, the same bytes for 1,
    2 and 3 threads, plain and BGZF."""
    from test_genotypes import _with_gaps

    ts = msprime.sim_ancestry(1_000, ploidy=2, population_size=1e4, sequence_length=2_000,
                              recombination_rate=1e-7, random_seed=31)
    ts = msprime.sim_mutations(ts, rate=4e-6, model=msprime.JC69(), random_seed=32, discrete_genome=True)
    ts = _with_gaps(ts.delete_sites(np.flatnonzero(ts.sites_position == 0)))
    assert ts.num_sites > 1_200 and any(v.has_missing_data for v in ts.variants())
    tp, want = _same(ts)
    rng = np.random.default_rng(3)
    _same(ts, isolated_as_missing=False)
    site_mask = rng.random(ts.num_sites) < 0.2
    per_site = rng.random((ts.num_sites, ts.num_samples)) < 0.1
    _same(ts, site_mask=site_mask, sample_mask=per_site[7])
    # tskit takes a mask per site as a function of the variant; tspar as an array
    want2 = _strip_source(_tskit_vcf(ts, site_mask=site_mask, sample_mask=lambda v: per_site[v.site.id]))
    for threads in (1, 2, 3):
        got = _tspar_vcf(tp, site_mask=site_mask, sample_mask=per_site, num_threads=threads)
        assert _strip_source(got) == want2
    plain = _no_individuals(ts)
    for ploidy in (1, 4, 5):
        _same(plain, ploidy=ploidy)
    gz = tmp_path / "out.vcf.gz"
    blobs = []
    for threads in (1, 2, 3):
        tp.write_vcf(gz, bgzf=True, num_threads=threads)
        blobs.append(gz.read_bytes())
    assert blobs[0] == blobs[1] == blobs[2]
    with gzip.open(gz, "rt") as f:
        assert _strip_source(f.read()) == want


def test_callable_sample_mask(lib):
    """A sample mask given as a function of the variant (tskit's form): the
    function sees the genotypes of the VCF's nodes, and is not called on
    masked sites."""
    ts = _missing()
    rng = np.random.default_rng(5)
    site_mask = rng.random(ts.num_sites) < 0.25

    def by_genotype(v):
        assert not site_mask[v.site.id]
        return (v.genotypes == 1) & (v.site.id % 2 == 1)

    _same(ts, sample_mask=by_genotype, site_mask=site_mask, allow_position_zero=True)
    _same(ts, sample_mask=lambda v: v.genotypes == -1, isolated_as_missing=False, allow_position_zero=True)
    ts2 = _diploids(seed=17)
    tables = ts2.dump_tables()
    flags = tables.nodes.flags.copy()
    flags[[0, 5]] = 0
    tables.nodes.flags = flags
    ts2 = tables.tree_sequence()
    for kw in (dict(), dict(individuals=[3, 1]), dict(include_non_sample_nodes=True)):
        _same(ts2, sample_mask=lambda v: np.arange(len(v.genotypes)) % 3 == v.site.id % 3, **kw)
    tp = tspar.TreeSequence.from_tskit(ts2)
    with pytest.raises(ValueError):
        _tskit_vcf(ts2, sample_mask=lambda v: np.zeros(3, dtype=bool))
    with pytest.raises(ValueError):
        _tspar_vcf(tp, sample_mask=lambda v: np.zeros(3, dtype=bool))
