"""Fixtures of the package's tests: small msprime tree sequences as tskit
and as tspar objects, and a file of each."""

import msprime
import numpy as np
import pytest
import tskit

import tspar


def _islands():
    dem = msprime.Demography.island_model([1_000] * 3, migration_rate=1e-3)
    ts = msprime.sim_ancestry({0: 6, 1: 5, 2: 4}, demography=dem, sequence_length=5e4, recombination_rate=2e-8,
                              discrete_genome=False, random_seed=11)
    return msprime.sim_mutations(ts, rate=3e-8, discrete_genome=False, random_seed=12)


def _finite_sites():
    dem = msprime.Demography.isolated_model([2_000, 1_000])
    dem.add_mass_migration(time=500, source=1, dest=0, proportion=1.0)
    ts = msprime.sim_ancestry({0: 6, 1: 6}, demography=dem, sequence_length=2_000, recombination_rate=1e-6,
                              random_seed=21)
    return msprime.sim_mutations(ts, rate=4e-5, model=msprime.JC69(), random_seed=22)


CASES = {"islands": _islands, "finite_sites": _finite_sites}


@pytest.fixture(scope="session", params=list(CASES))
def pair(request):
    """(tskit tree sequence, the same as a tspar tree sequence)."""
    ts = CASES[request.param]()
    return ts, tspar.TreeSequence.from_tskit(ts)


@pytest.fixture(scope="session")
def islands():
    ts = _islands()
    return ts, tspar.TreeSequence.from_tskit(ts)


@pytest.fixture(scope="session")
def islands_file(tmp_path_factory, islands):
    path = tmp_path_factory.mktemp("files") / "islands.trees"
    islands[0].dump(path)
    return path


def pop_sets(ts):
    pops = [ts.samples(population=p) for p in range(ts.num_populations)]
    return [p for p in pops if len(p) >= 2]


def assert_same(ours, theirs, rtol=1e-12):
    ours = np.asarray(ours)
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    # Relative to each value, and to the largest value for results that
    # come from differences of larger numbers (centred matrices).
    finite = np.abs(theirs[np.isfinite(theirs)]) if theirs.size else np.zeros(0)
    scale = finite.max() if finite.size else 0.0
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-14 + rtol * scale, equal_nan=True)
