"""PCA against tskit: the top components of the relatedness matrix on
island models (numpy eigh of tskit's full genetic_relatedness_matrix), and
tskit's own pca under the same range sketch, for samples and individuals."""

import msprime
import numpy as np
import pytest

import tspar
import tspar.lowlevel as T


def _islands(num_pops, seed):
    dem = msprime.Demography.island_model([2_000] * num_pops, migration_rate=2e-5)
    ts = msprime.sim_ancestry({p: 12 for p in range(num_pops)}, demography=dem, sequence_length=2e6,
                              recombination_rate=1e-8, random_seed=seed)
    return msprime.sim_mutations(ts, rate=1e-8, random_seed=seed + 1)


@pytest.fixture(scope="module", params=[3, 4, 5])
def islands(request, tmp_path_factory, lib):
    del lib
    ts = _islands(request.param, 100 + request.param)
    path = tmp_path_factory.mktemp("pca") / f"islands{request.param}.trees"
    ts.dump(path)
    yield request.param, ts, tspar.load(path)


def same_up_to_sign(a, b, atol):
    """Each column of each window equal up to its sign."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    a, b = a.reshape(-1, *a.shape[-2:]), b.reshape(-1, *b.shape[-2:])
    for w in range(a.shape[0]):
        for j in range(a.shape[-1]):
            x, y = a[w, :, j], b[w, :, j]
            s = 1.0 if np.dot(x, y) >= 0 else -1.0
            np.testing.assert_allclose(x, s * y, atol=atol, rtol=0)


def test_pca_against_eigh(islands):
    """The top (populations - 1) components, where the eigen-gap is large."""
    num_pops, ts, t = islands
    grm = ts.genetic_relatedness_matrix([[u] for u in ts.samples()], mode="branch", span_normalise=False)
    vals, vecs = np.linalg.eigh(grm)
    vals, vecs = vals[::-1], vecs[:, ::-1]
    # As many leading components as have a clear gap after them.
    k = num_pops - 1
    while k > 1 and vals[k - 1] < 2 * vals[k]:
        k -= 1
    assert vals[k - 1] > 2 * vals[k]
    pc = t.pca(k, num_iterations=15, random_seed=5, num_threads=2)
    np.testing.assert_allclose(pc.eigenvalues, vals[:k], rtol=1e-6)
    same_up_to_sign(pc.factors, vecs[:, :k], atol=1e-6)


@pytest.mark.parametrize("who", ["samples", "individuals"])
@pytest.mark.parametrize("windowed", [False, True])
def test_pca_against_tskit_same_sketch(islands, who, windowed):
    num_pops, ts, t = islands
    k = num_pops
    rng = np.random.default_rng(7)
    windows = [0, 0.4 * ts.sequence_length, ts.sequence_length] if windowed else None
    nw = 2 if windowed else 1
    if who == "samples":
        kw = {"samples": ts.samples()[::2]}
        dim = len(kw["samples"])
    else:
        kw = {"individuals": np.arange(ts.num_individuals)[1::2]}
        dim = len(kw["individuals"])
    sketch = rng.normal(size=(nw, dim, k + 6)) if windowed else rng.normal(size=(dim, k + 6))
    theirs = ts.pca(k, windows=windows, range_sketch=sketch, **kw)
    for threads in [1, 2]:
        ours = t.pca(k, windows=windows, range_sketch=sketch, num_threads=threads, **kw)
        np.testing.assert_allclose(ours.eigenvalues, theirs.eigenvalues, rtol=1e-6)
        same_up_to_sign(ours.factors, theirs.factors, atol=1e-6)
        np.testing.assert_allclose(ours.error_bound, theirs.error_bound, rtol=1e-6)
    assert ours.range_sketch.shape == np.asarray(theirs.range_sketch).shape


def test_pca_refine_and_errors(islands):
    _, ts, t = islands
    a = t.pca(2, random_seed=3)
    b = t.pca(2, range_sketch=a.range_sketch)
    same_up_to_sign(a.factors, b.factors, atol=1e-3)
    with pytest.raises(ValueError):
        t.pca(2, samples=ts.samples(), individuals=[0])
    with pytest.raises(ValueError):
        t.pca(ts.num_samples + 1)
    with pytest.raises(T.LibraryError):
        t._ll.pca(ts.num_samples + 1, num_oversamples=0)
