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
