"""examples/wright_fisher.c, run small, checked with tskit.

The simulator's random draws do not depend on how often it simplifies, so
a run that simplifies every few generations and a run that never simplifies
(whose unsorted, unsimplified output tskit then sorts and simplifies) record
the same genealogy. Their trees and genotypes must agree exactly: that
checks tspar's sort, simplify, bookmarks and truncation inside a real
simulation loop against tskit's own sort and simplify.

The example is compiled here against include/tspar.h and the library the
suite tests (``$TSPAR_LIB``), unless ``$TSPAR_WRIGHT_FISHER`` names a built
binary (the CMake build's) or ``$TSPAR_EXAMPLES`` a directory of them.
"""

import os
import subprocess

import numpy as np
import pytest
import tskit


@pytest.fixture(scope="module")
def wright_fisher(build_example):
    given = os.environ.get("TSPAR_WRIGHT_FISHER")
    if given:
        return [given], os.environ.copy()
    return build_example("wright_fisher")


def run(wright_fisher, tmp_path, *args):
    cmd, env = wright_fisher
    out = subprocess.run(cmd + list(args) + ["-q"], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out


COMMON = ["-N", "30", "-G", "60", "-L", "5e4", "-r", "4e-5", "-u", "2e-5",
          "-x", "0.2", "-s", "17"]


def finish_with_tskit(path, num_genomes):
    """tskit's sort and simplify of an unsimplified output, to the genomes
    alive at the end (time 0, in birth order)."""
    tables = tskit.TableCollection.load(path)
    tables.sort()
    alive = np.flatnonzero(tables.nodes.time == 0)
    assert len(alive) == num_genomes
    tables.simplify(alive, filter_sites=True, record_provenance=False)
    tables.build_index()
    return tables.tree_sequence()


def assert_same_genealogy(a, b):
    assert a.num_samples == b.num_samples
    assert np.array_equal(a.samples(), b.samples())
    assert np.array_equal(a.tables.sites.position, b.tables.sites.position)
    assert np.array_equal(a.genotype_matrix(), b.genotype_matrix())
    breaks = np.union1d(a.breakpoints(as_array=True), b.breakpoints(as_array=True))
    ta, tb = a.first(), b.first()
    for left in breaks[:-1]:
        ta.seek(left)
        tb.seek(left)
        assert clades(ta) == clades(tb), f"trees differ at {left}"


def clades(tree):
    """The tree as a set of (node time, samples below) pairs: equal for
    two trees with the same topology and node times, whatever the node
    ids (the forest may have several roots)."""
    return sorted((tree.time(u), tuple(sorted(tree.samples(u)))) for u in tree.nodes())


def test_simplifying_run_equals_tskit_on_the_unsimplified_run(wright_fisher, tmp_path):
    run(wright_fisher, tmp_path, *COMMON, "-k", "7", "-o", "every7")
    run(wright_fisher, tmp_path, *COMMON, "-k", "0", "-o", "never")
    ours = tskit.load(tmp_path / "every7_rep0.trees")
    assert ours.num_samples == 60
    assert ours.num_trees > 5 and ours.num_mutations > 5
    # Already sorted and simplified: tskit changes nothing.
    tables = ours.dump_tables()
    again = tables.copy()
    again.sort()
    assert again.equals(tables)
    again.simplify(filter_sites=True, record_provenance=False)
    assert again.equals(tables, ignore_provenance=True)
    theirs = finish_with_tskit(tmp_path / "never_rep0.trees", 60)
    assert_same_genealogy(ours, theirs)


def test_replicates_on_threads_match_single_runs(wright_fisher, tmp_path):
    run(wright_fisher, tmp_path, *COMMON, "-k", "10", "-R", "3", "-t", "3", "-o", "par")
    run(wright_fisher, tmp_path, *COMMON, "-k", "10", "-R", "3", "-t", "1", "-o", "ser")
    for r in range(3):
        a = tskit.TableCollection.load(tmp_path / f"par_rep{r}.trees")
        b = tskit.TableCollection.load(tmp_path / f"ser_rep{r}.trees")
        assert a.equals(b, ignore_provenance=True)
    a = tskit.load(tmp_path / "par_rep0.trees")
    b = tskit.load(tmp_path / "par_rep1.trees")
    assert not a.tables.equals(b.tables), "replicates must differ"


def test_chromosomes_simplified_in_parallel(wright_fisher, tmp_path):
    run(wright_fisher, tmp_path, *COMMON, "-k", "9", "-c", "3", "-t", "3", "-o", "chr")
    run(wright_fisher, tmp_path, *COMMON, "-k", "0", "-c", "3", "-t", "1", "-o", "raw")
    seen = []
    for c in range(3):
        ours = tskit.load(tmp_path / f"chr_chr{c}.trees")
        theirs = finish_with_tskit(tmp_path / f"raw_chr{c}.trees", 60)
        assert_same_genealogy(ours, theirs)
        seen.append(ours.tables.sites.position)
    # Each chromosome recombines and mutates independently.
    assert not np.array_equal(seen[0], seen[1])


def test_bad_arguments_are_refused(wright_fisher, tmp_path):
    cmd, env = wright_fisher
    for args in (["-N", "0"], ["-x", "1.5"], ["-R", "2", "-c", "2"], ["extra"]):
        out = subprocess.run(cmd + args, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert out.returncode == 2, args
        assert "usage" in out.stderr
