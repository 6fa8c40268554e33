"""tspar.dask on a LocalCluster of two worker processes: the parts of each
call run on the workers, which load the files by name, and combine on the
client to the bits of one call (and, with the default parts, of the
method, which agrees with tskit)."""

import numpy as np
import pytest

import tspar

distributed = pytest.importorskip("distributed")
import tspar.dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory, islands):
    """Two 'chromosomes': the islands tree sequence and a second simulation."""
    import msprime

    tsk, _ = islands
    d = tmp_path_factory.mktemp("dask")
    other = msprime.sim_mutations(
        msprime.sim_ancestry({0: 6, 1: 5, 2: 4}, demography=msprime.Demography.island_model([1_000] * 3, 1e-3),
                             sequence_length=3e4, recombination_rate=2e-8, random_seed=5),
        rate=3e-8, random_seed=6)
    paths = [d / "chr1.trees", d / "chr2.trees"]
    tsk.dump(paths[0])
    other.dump(paths[1])
    return [str(p) for p in paths], [tsk, other]


def _sets(ts):
    pops = ts.tables.nodes.population
    s = ts.samples()
    return [s[pops[s] == p] for p in range(3)]


def test_several_files_small_parts_give_the_one_call_bits(client, files):
    paths, tsks = files
    sets = _sets(tsks[0])
    kwargs = dict(sample_sets=sets, indexes=[(0, 1), (1, 2), (0, 2)], mode="branch", part_work=30)
    got = tspar.dask.compute(client, paths, "Fst", **kwargs)
    assert len(got) == 2
    for path, g in zip(paths, got):
        call = tspar.parts.StatCall(tspar.load(path), "Fst", **kwargs)
        assert call.num_parts > 3
        assert g.tobytes() == call.run(num_threads=1).tobytes()
    # Several parts per task, windows: the same bits again.
    L = tsks[0].sequence_length
    kw = dict(sample_sets=sets, windows=np.array([0, L / 4, L]), part_work=30)
    one = tspar.parts.StatCall(tspar.load(paths[0]), "diversity", **kw).run(num_threads=2)
    got = tspar.dask.compute(client, paths[0], "diversity", parts_per_task=3, **kw)
    assert got.tobytes() == one.tobytes()


def test_default_parts_give_the_method_and_tskit(client, files):
    paths, tsks = files
    sets = _sets(tsks[1])
    got = tspar.dask.compute(client, paths[1], "divergence", sample_sets=sets, indexes=[(0, 1), (1, 2)])
    method = tspar.load(paths[1]).divergence(sets, indexes=[(0, 1), (1, 2)])
    assert got.reshape(-1).tobytes() == np.asarray(method).reshape(-1).tobytes()
    np.testing.assert_allclose(got.reshape(-1), tsks[1].divergence(sets, indexes=[(0, 1), (1, 2)]), rtol=1e-9)
