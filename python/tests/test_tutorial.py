"""Runs the code of docs/parallelization.md on a small file and checks its
numbers against tskit, so that the tutorial cannot go out of date."""

import importlib.util
import re
import sys
from pathlib import Path

import msprime
import numpy as np
import pytest
import tskit

import tspar

DOC = Path(__file__).resolve().parents[2] / "docs" / "parallelization.md"


def tutorial_module(tmp_path):
    """The tutorial's python blocks, in order, as an importable module (so
    that a process pool can pickle its functions by name)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 4
    path = tmp_path / "parallelization_tutorial.py"
    path.write_text("\n\n".join(blocks))
    spec = importlib.util.spec_from_file_location("parallelization_tutorial", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_file(tmp_path_factory):
    dem = msprime.Demography.island_model([500] * 4, migration_rate=1e-3)
    ts = msprime.sim_ancestry({p: 5 for p in range(4)}, demography=dem, sequence_length=1e5,
                              recombination_rate=1e-8, random_seed=7)
    ts = msprime.sim_mutations(ts, rate=1e-8, random_seed=8)
    path = tmp_path_factory.mktemp("tutorial") / "small.trees"
    ts.dump(path)
    return path


@pytest.mark.skipif(not DOC.exists(), reason="docs/ not next to the package (installed elsewhere)")
@pytest.mark.parametrize("mode", ["site", "branch"])
def test_tutorial_code_gives_tskits_numbers(tmp_path, small_file, mode):
    tut = tutorial_module(tmp_path)
    tts, ts = tskit.load(small_file), tspar.load(small_file)
    sets = tut.populations(tts)
    pairs = tut.all_pairs(sets)
    assert len(pairs) == 6
    w = tut.windows_of(tts)
    # The reference: tskit, one pair at a time.
    ref_d = np.stack([tts.divergence([sets[i], sets[j]], windows=w, mode=mode) for i, j in pairs], axis=1)
    ref_f = np.stack([tts.Fst([sets[i], sets[j]], windows=w, mode=mode) for i, j in pairs], axis=1)

    def same(got):
        d, f = got
        np.testing.assert_allclose(d, ref_d, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(f, ref_f, rtol=1e-10, atol=1e-12)

    for threads in [1, 2, None]:
        same(tut.one_call(ts, mode=mode, num_threads=threads))
    same(tut.thread_pool(ts, mode=mode, num_threads=1))
    same(tut.thread_pool(tts, mode=mode))
    same(tut.process_pool(str(small_file), tspar.load, mode=mode, num_threads=1))
    same(tut.process_pool(str(small_file), tskit.load, mode=mode))
