"""examples/pairwise.c, the main job, checked against tskit.

The example prints diversity per population and the divergence and Fst
matrices between populations, whole genome or per window. Its TSV output is
parsed here and compared with tskit's statistics on the same sample sets
(the sample nodes of each population that has any, in population order).
"""

import subprocess

import msprime
import numpy as np
import pytest
import tskit

from conftest import REPO

BUNDLED = REPO / "tests" / "data" / "example.trees"


@pytest.fixture(scope="module")
def pairwise(build_example):
    return build_example("pairwise")


@pytest.fixture(scope="module")
def three_populations(tmp_path_factory):
    """Three sampled populations descended from an unsampled ancestral one
    (which the example must leave out), a discrete genome, and one sample
    node with no population."""
    dem = msprime.Demography()
    for name in "ABC":
        dem.add_population(name=name, initial_size=2_000)
    dem.add_population(name="ANC", initial_size=4_000)
    dem.add_population_split(time=1_500, derived=["A", "B", "C"], ancestral="ANC")
    dem.set_symmetric_migration_rate(["A", "B", "C"], 1e-4)
    ts = msprime.sim_ancestry(
        samples={"A": 12, "B": 7, "C": 10}, demography=dem, sequence_length=2e5,
        recombination_rate=1e-8, random_seed=41)
    ts = msprime.sim_mutations(ts, rate=2e-8, random_seed=42)
    tables = ts.dump_tables()
    population = tables.nodes.population
    population[ts.samples()[3]] = tskit.NULL
    tables.nodes.population = population
    path = tmp_path_factory.mktemp("pairwise") / "three.trees"
    tables.tree_sequence().dump(path)
    return path


def run(pairwise, *args):
    cmd, env = pairwise
    out = subprocess.run(cmd + [str(a) for a in args], env=env, capture_output=True, text=True)
    return out


def parse_tsv(text):
    """{window: (left, right, {table: rows})} from the example's TSV."""
    windows = {}
    current = table = None
    for line in text.splitlines():
        fields = line.split("\t")
        if line.startswith("# window"):
            current = {}
            windows[int(fields[1])] = (float(fields[2]), float(fields[3]), current)
        elif line.startswith("# "):
            table = line[2:]
            current[table] = []
        elif fields[0] == "pop":
            continue
        else:
            current[table].append([float(f) for f in fields])
    return windows


def tskit_sets(ts):
    pops = ts.tables.nodes.population[ts.samples()]
    ids = [p for p in range(ts.num_populations) if np.any(pops == p)]
    return ids, [ts.samples()[pops == p] for p in ids]


@pytest.mark.parametrize("mode", ["site", "branch"])
@pytest.mark.parametrize("num_windows", [0, 5])
@pytest.mark.parametrize("which", ["bundled", "three"])
def test_matches_tskit(pairwise, three_populations, which, mode, num_windows):
    path = BUNDLED if which == "bundled" else three_populations
    ts = tskit.load(path)
    ids, sets = tskit_sets(ts)
    K = len(sets)
    args = [path, "--tsv", "--mode", mode, "--threads", "2"]
    if num_windows:
        args += ["--windows", num_windows]
    out = run(pairwise, *args)
    assert out.returncode == 0, out.stderr
    got = parse_tsv(out.stdout)

    L = ts.sequence_length
    n = max(num_windows, 1)
    # The example's window edges, computed the same way.
    edges = [L * float(w) / float(n) for w in range(n + 1)]
    edges[-1] = L
    windows = edges if num_windows else None
    pairs = [(i, j) for i in range(K) for j in range(K)]
    pi = ts.diversity(sets, windows=windows, mode=mode).reshape(n, K)
    dxy = ts.divergence(sets, indexes=pairs, windows=windows, mode=mode).reshape(n, K, K)
    fst = ts.Fst(sets, indexes=pairs, windows=windows, mode=mode).reshape(n, K, K)

    assert sorted(got) == list(range(n))
    for w in range(n):
        left, right, tables = got[w]
        assert left == pytest.approx(edges[w], rel=1e-9)
        assert right == pytest.approx(edges[w + 1], rel=1e-9)
        div = np.array(tables["diversity"])
        assert div[:, 0].tolist() == ids
        assert div[:, 1].tolist() == [len(s) for s in sets]
        # The TSV carries ten significant digits.
        np.testing.assert_allclose(div[:, 2], pi[w], rtol=1e-9, atol=1e-15)
        for name, expected in [("divergence", dxy[w]), ("Fst", fst[w])]:
            m = np.array(tables[name])
            assert m[:, 0].tolist() == ids
            np.testing.assert_allclose(m[:, 1:], expected, rtol=1e-9, atol=1e-12)


def test_unsampled_population_and_null_population_left_out(pairwise, three_populations):
    ts = tskit.load(three_populations)
    out = run(pairwise, three_populations, "--tsv")
    assert out.returncode == 0, out.stderr
    rows = parse_tsv(out.stdout)[0][2]["diversity"]
    # Populations A, B, C (ids 0, 1, 2) with 24, 14 and 20 sample nodes,
    # less the one set to no population; ANC has none.
    pops = ts.tables.nodes.population[ts.samples()]
    assert [r[0] for r in rows] == [0, 1, 2]
    assert [r[1] for r in rows] == [np.sum(pops == p) for p in range(3)]
    assert sum(r[1] for r in rows) == ts.num_samples - 1


def test_same_output_for_every_thread_count(pairwise, three_populations):
    outs = []
    for threads in [1, 2, 3, 8]:
        out = run(pairwise, three_populations, "--tsv", "--windows", 7, "--mode", "branch",
                  "--threads", threads)
        assert out.returncode == 0, out.stderr
        outs.append(out.stdout)
    assert all(o == outs[0] for o in outs)


def test_default_file_and_progress_line(pairwise):
    # Run from the repository root, where the default path resolves.
    cmd, env = pairwise
    out = subprocess.run(cmd + ["--windows", "2"], env=env, cwd=REPO,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "== window 1 [10000, 20000) ==" in out.stdout
    assert "diversity" in out.stdout and "Fst" in out.stdout
    # Progress reaches 100% once for each of the three statistics.
    assert out.stderr.count("100.0%") == 3


def test_bad_input_fails_with_a_message(pairwise, tmp_path):
    missing = tmp_path / "missing.trees"
    out = run(pairwise, missing)
    assert out.returncode != 0
    assert str(missing) in out.stderr and out.stdout == ""

    damaged = tmp_path / "damaged.trees"
    damaged.write_bytes(BUNDLED.read_bytes()[:1000])
    out = run(pairwise, damaged)
    assert out.returncode != 0
    assert "pairwise:" in out.stderr and out.stdout == ""

    out = run(pairwise, BUNDLED, "--mode", "node")
    assert out.returncode != 0 and "usage" in out.stderr
