"""examples/pca.c checked against tskit.

The example prints the top components of the relatedness matrix between
individuals (or sample nodes) as TSV. Given tskit's range sketch (written
with numpy.savetxt, passed with --sketch) its factors, eigenvalues and error
bound must be tskit's ``pca`` under the same sketch; with its own random
start, and in site mode (which tskit's ``pca`` lacks), its eigenvalues must
be those of numpy's eigh of tskit's relatedness matrix where the eigengap
makes the randomized SVD converge.
"""

import subprocess

import msprime
import numpy as np
import pytest
import tskit

from conftest import REPO

BUNDLED = REPO / "tests" / "data" / "example.trees"


@pytest.fixture(scope="module")
def pca(build_example):
    return build_example("pca")


@pytest.fixture(scope="module")
def islands(tmp_path_factory):
    """Three islands of diploids: a clear gap after the first two
    eigenvalues."""
    dem = msprime.Demography.island_model([2_000] * 3, migration_rate=2e-5)
    ts = msprime.sim_ancestry({p: 10 for p in range(3)}, demography=dem, sequence_length=2e6,
                              recombination_rate=1e-8, random_seed=23)
    ts = msprime.sim_mutations(ts, rate=1e-8, random_seed=24)
    path = tmp_path_factory.mktemp("pca_example") / "islands.trees"
    ts.dump(path)
    return path


def run(pca, *args):
    cmd, env = pca
    return subprocess.run(cmd + [str(a) for a in args], env=env, capture_output=True, text=True)


def parse(text):
    """(header, ids, populations, factors, eigenvalues, error_bound)."""
    lines = text.splitlines()
    header = lines[0].split("\t")
    ids, pops, rows, eig, bound = [], [], [], None, None
    for line in lines[1:]:
        fields = line.split("\t")
        if fields[0] == "# eigenvalues":
            eig = np.array([float(f) for f in fields[1:]])
        elif fields[0] == "# error_bound":
            bound = float(fields[1])
        else:
            ids.append(int(fields[0]))
            pops.append(fields[1])
            rows.append([float(f) for f in fields[2:]])
    return header, ids, pops, np.array(rows), eig, bound


def same_up_to_sign(a, b, atol):
    assert a.shape == b.shape
    for j in range(a.shape[1]):
        s = 1.0 if np.dot(a[:, j], b[:, j]) >= 0 else -1.0
        np.testing.assert_allclose(a[:, j], s * b[:, j], atol=atol, rtol=0)


def population_label(ts, p):
    if p < 0:
        return str(p)
    md = ts.population(p).metadata
    return md["name"] if isinstance(md, dict) and md.get("name") else str(p)


@pytest.mark.parametrize("which", ["bundled", "islands"])
@pytest.mark.parametrize("who", ["individuals", "samples"])
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("centre", [True, False])
def test_same_sketch_as_tskit(pca, islands, tmp_path, which, who, k, centre):
    path = BUNDLED if which == "bundled" else islands
    ts = tskit.load(path)
    if who == "samples":
        kw = {"samples": ts.samples()}
        ids = list(ts.samples())
        pops = [population_label(ts, ts.node(u).population) for u in ts.samples()]
    else:
        kw = {"individuals": np.arange(ts.num_individuals)}
        ids = list(range(ts.num_individuals))
        pops = [population_label(ts, ts.node(ind.nodes[0]).population) for ind in ts.individuals()]
    dim = len(ids)
    sketch = np.random.default_rng(11).normal(size=(dim, k + 5))
    sketch_file = tmp_path / "sketch.txt"
    np.savetxt(sketch_file, sketch)
    theirs = ts.pca(k, range_sketch=sketch, centre=centre, **kw)

    outs = []
    for threads in [1, 2]:
        args = [path, "--components", k, "--sketch", sketch_file, "--threads", threads]
        if who == "samples":
            args.append("--samples")
        if not centre:
            args.append("--no-centre")
        out = run(pca, *args)
        assert out.returncode == 0, out.stderr
        outs.append(out.stdout)
    assert outs[0] == outs[1]

    header, got_ids, got_pops, factors, eig, bound = parse(outs[0])
    assert header == ["sample" if who == "samples" else "individual", "population"] + [
        f"PC{j + 1}" for j in range(k)]
    assert got_ids == ids
    assert got_pops == pops
    np.testing.assert_allclose(eig, theirs.eigenvalues, rtol=1e-6)
    same_up_to_sign(factors, np.asarray(theirs.factors), atol=1e-6)
    np.testing.assert_allclose(bound, theirs.error_bound, rtol=1e-6)


def top_with_gap(grm, k_max):
    vals = np.linalg.eigh(grm)[0][::-1]
    k = k_max
    while k > 1 and vals[k - 1] < 2 * vals[k]:
        k -= 1
    assert vals[k - 1] > 2 * vals[k]
    return k, vals[:k]


@pytest.mark.parametrize("mode", ["branch", "site"])
def test_random_start_eigenvalues_match_eigh(pca, islands, mode):
    """Samples (one-sample sets in tskit's relatedness matrix), the
    example's own Gaussian start: the eigenvalues before the gap."""
    ts = tskit.load(islands)
    grm = ts.genetic_relatedness_matrix([[u] for u in ts.samples()], mode=mode, span_normalise=False)
    k, vals = top_with_gap(grm, 2)
    out = run(pca, islands, "--samples", "--mode", mode, "--components", k, "--iterations", 15,
              "--seed", 3)
    assert out.returncode == 0, out.stderr
    _, ids, _, factors, eig, _ = parse(out.stdout)
    assert ids == list(ts.samples())
    np.testing.assert_allclose(eig, vals, rtol=1e-6)
    # Centred: each factor sums to zero and has norm 1.
    np.testing.assert_allclose(factors.sum(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(factors, axis=0), 1, rtol=1e-12)


def test_same_output_for_every_thread_count(pca, islands):
    outs = []
    for threads in [1, 2, 3]:
        out = run(pca, islands, "--mode", "site", "--components", 3, "--seed", 9, "--threads", threads)
        assert out.returncode == 0, out.stderr
        outs.append(out.stdout)
    assert outs[0] == outs[1] == outs[2]
    # Another seed gives other starting vectors, so other bits.
    out = run(pca, islands, "--mode", "site", "--components", 3, "--seed", 10)
    assert out.returncode == 0 and out.stdout != outs[0]


def test_default_file(pca):
    cmd, env = pca
    out = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    header, ids, pops, factors, eig, bound = parse(out.stdout)
    assert header == ["individual", "population", "PC1", "PC2"]
    assert ids == list(range(50)) and set(pops) == {"pop_0", "pop_1"}
    assert factors.shape == (50, 2) and eig.shape == (2,) and np.isfinite(bound)


def test_individuals_with_non_sample_nodes_left_out(pca, tmp_path):
    ts = msprime.sim_ancestry(8, sequence_length=1e5, recombination_rate=1e-8, population_size=1_000,
                              random_seed=5)
    tables = ts.dump_tables()
    flags = tables.nodes.flags
    flags[ts.individual(2).nodes[1]] = 0  # individual 2 is not all samples
    tables.nodes.flags = flags
    path = tmp_path / "partial.trees"
    tables.tree_sequence().dump(path)
    out = run(pca, path, "--components", 2)
    assert out.returncode == 0, out.stderr
    _, ids, pops, _, _, _ = parse(out.stdout)
    assert ids == [0, 1] + list(range(3, 8))
    # msprime's default population is named "pop_0".
    assert set(pops) == {"pop_0"}


def test_errors(pca, tmp_path):
    missing = tmp_path / "missing.trees"
    out = run(pca, missing)
    assert out.returncode == 1 and str(missing) in out.stderr and out.stdout == ""

    damaged = tmp_path / "damaged.trees"
    damaged.write_bytes(BUNDLED.read_bytes()[:1000])
    out = run(pca, damaged)
    assert out.returncode == 1 and "pca:" in out.stderr and out.stdout == ""

    for bad in [["--mode", "node"], ["--components", "0"], ["--threads", "x"], ["--components"]]:
        out = run(pca, BUNDLED, *bad)
        assert out.returncode == 2 and "usage" in out.stderr, bad

    out = run(pca, BUNDLED, "--components", 51)
    assert out.returncode == 1 and "51 components" in out.stderr

    sketch = tmp_path / "short.txt"
    np.savetxt(sketch, np.zeros((49, 4)))
    out = run(pca, BUNDLED, "--sketch", sketch)
    assert out.returncode == 1 and "not 50 rows" in out.stderr and out.stdout == ""

    tables = tskit.load(BUNDLED).dump_tables()
    tables.nodes.individual = np.full(tables.nodes.num_rows, -1, dtype=np.int32)
    tables.individuals.clear()
    path = tmp_path / "no_individuals.trees"
    tables.tree_sequence().dump(path)
    out = run(pca, path)
    assert out.returncode == 1 and "--samples" in out.stderr
    out = run(pca, path, "--samples")
    assert out.returncode == 0, out.stderr
