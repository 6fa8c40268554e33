"""Fixtures for the oracle suite: the built library and varied table
collections made with tskit and msprime (fixed seeds, small enough that the
whole suite runs in well under two minutes).

``CASES`` maps a case name to a function building a ``tskit.TableCollection``.
Fixtures:
  * ``lib``: the loaded tspar library (built with ``cargo build --release``
    first if the library file is missing and ``$TSPAR_LIB`` is not set);
  * ``case_name`` / ``case_tables``: parametrised over every case (a fresh
    copy each time, so a test may change it);
  * ``case_file``: the case dumped by tskit to a file (made once);
  * ``valid_ts_case``: the cases that are valid tree sequences, as
    ``tskit.TreeSequence`` (for suites that need trees).
"""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import msprime
import numpy as np
import pytest
import tskit

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[2]
HEADER = REPO / "include" / "tspar.h"


def library_path():
    """``$TSPAR_LIB`` if set (a build to test other than the package's
    own), else the library of the installed tspar package, else (running
    from the source tree) the release build in the repository."""
    env = os.environ.get("TSPAR_LIB")
    if env:
        return Path(env)
    try:
        import importlib.util

        spec = importlib.util.find_spec("tspar")
    except ImportError:
        spec = None
    if spec is not None and spec.origin:
        bundled = Path(spec.origin).parent / "libtspar.so"
        if bundled.exists():
            return bundled
    return REPO / "target" / "release" / "libtspar.so"


def soname():
    """The shared library's SONAME, by the rule build.rs applies to the
    version in Cargo.toml: libtspar.so.<major>.<minor> while the major
    version is 0, else libtspar.so.<major>."""
    import re

    text = (REPO / "Cargo.toml").read_text()
    major, minor = re.search(r'^version = "(\d+)\.(\d+)\.', text, re.M).groups()
    return f"libtspar.so.{major}.{minor}" if major == "0" else f"libtspar.so.{major}"


def _ensure_library():
    """Loads the library through the tspar package, building it first when
    it is missing and $TSPAR_LIB does not name another one. Without an
    installed package, the package is used from the source tree (python/)."""
    path = library_path()
    if "TSPAR_LIB" in os.environ:
        if not path.exists():
            raise pytest.UsageError(f"TSPAR_LIB names a file that does not exist: {path}")
    elif not path.exists():
        subprocess.run(["cargo", "build", "--release", "--lib"], cwd=REPO, check=True)
    elif path.is_relative_to(REPO):
        built = path.stat().st_mtime
        sources = (REPO / "src").rglob("*.rs")
        if any(p.stat().st_mtime > built for p in sources):
            warnings.warn(f"{path} is older than the sources: run `cargo build --release`")
    import tspar.lowlevel

    return tspar.lowlevel.library


try:
    import tspar  # noqa: E402,F401
except ImportError:
    sys.path.insert(0, str(REPO / "python"))


@pytest.fixture(scope="session")
def lib():
    return _ensure_library()


# ------------------------------------------------------------ the cases


def _island_migrations():
    """Three populations with migration between them (recorded),
    recombination, a continuous genome and infinite-sites mutations."""
    dem = msprime.Demography.island_model([1_000] * 3, migration_rate=2e-3)
    ts = msprime.sim_ancestry(
        samples={"pop_0": 4, "pop_1": 4, "pop_2": 4},
        demography=dem,
        sequence_length=5_000,
        recombination_rate=2e-7,
        discrete_genome=False,
        record_migrations=True,
        random_seed=11,
    )
    ts = msprime.sim_mutations(ts, rate=2e-7, discrete_genome=False, random_seed=12)
    assert ts.num_migrations > 0 and ts.num_trees > 1 and ts.num_sites > 0
    return ts.dump_tables()


def _multiallelic():
    """A discrete genome with a high rate of JC69 mutations: several
    mutations per site, multi-allelic sites, mutation parents; individuals of
    ploidy 2."""
    ts = msprime.sim_ancestry(
        samples=8,
        ploidy=2,
        population_size=1_000,
        sequence_length=400,
        recombination_rate=1e-5,
        random_seed=21,
    )
    ts = msprime.sim_mutations(ts, rate=2e-4, model=msprime.JC69(), random_seed=22)
    per_site = np.bincount(ts.mutations_site, minlength=ts.num_sites)
    assert per_site.max() >= 3 and (ts.mutations_parent >= 0).any()
    assert ts.num_individuals == 8
    return ts.dump_tables()


def _unknown_times():
    """The multi-allelic case with every mutation time unknown."""
    tables = _multiallelic()
    tables.mutations.time = np.full(tables.mutations.num_rows, tskit.UNKNOWN_TIME)
    return tables


def _partly_unknown_times():
    """Mutation times unknown at even sites, known at odd sites (tskit
    allows the mixture between sites, not within one)."""
    tables = _multiallelic()
    time = tables.mutations.time.copy()
    time[tables.mutations.site % 2 == 0] = tskit.UNKNOWN_TIME
    tables.mutations.time = time
    return tables


def _metadata_everywhere():
    """Something in every field: metadata with JSON and binary (struct)
    schemas on every table and at the top level, edge and migration
    metadata, individuals with locations of varied length and parents, a
    reference sequence with url and metadata, non-ASCII text, time units and
    several provenances."""
    dem = msprime.Demography.island_model([500, 500], migration_rate=5e-3)
    ts = msprime.sim_ancestry(
        samples={"pop_0": 3, "pop_1": 3},
        demography=dem,
        sequence_length=2_000,
        recombination_rate=1e-6,
        record_migrations=True,
        random_seed=31,
    )
    ts = msprime.sim_mutations(ts, rate=1e-5, model=msprime.JC69(), random_seed=32)
    tables = ts.dump_tables()
    rng = np.random.default_rng(33)

    tables.time_units = "generations ⏳"
    tables.metadata_schema = tskit.MetadataSchema(
        {"codec": "json", "type": "object", "properties": {"name": {"type": "string"}}}
    )
    tables.metadata = {"name": "every field é"}

    struct_schema = tskit.MetadataSchema(
        {
            "codec": "struct",
            "type": "object",
            "properties": {"id": {"type": "integer", "binaryFormat": "i"}, "w": {"type": "number", "binaryFormat": "d"}},
            "additionalProperties": False,
        }
    )
    json_schema = tskit.MetadataSchema.permissive_json()

    def restamp(table, schema, make):
        rows = list(table)
        table.clear()
        table.metadata_schema = schema
        for j, row in enumerate(rows):
            table.append(row.replace(metadata=make(j)))

    restamp(tables.nodes, struct_schema, lambda j: {"id": j, "w": j / 7})
    restamp(tables.edges, json_schema, lambda j: {} if j % 3 else {"e": j})
    restamp(tables.migrations, struct_schema, lambda j: {"id": -j, "w": 0.5})
    restamp(tables.sites, json_schema, lambda j: {"s": "é" * (j % 3)})
    restamp(tables.mutations, json_schema, lambda j: {"m": j} if j % 2 else {})

    individuals = list(tables.individuals)
    tables.individuals.clear()
    tables.individuals.metadata_schema = json_schema
    for j, ind in enumerate(individuals):
        location = rng.random(j % 4)
        parents = [p for p in (j - 1, j - 2) if p >= 0][: j % 3]
        tables.individuals.append(
            ind.replace(location=location, parents=parents, metadata={"i": j}, flags=j % 4)
        )

    tables.reference_sequence.data = "".join(rng.choice(list("ACGT"), size=2_000))
    tables.reference_sequence.url = "https://example.org/ref.fa"
    tables.reference_sequence.metadata_schema = json_schema
    tables.reference_sequence.metadata = {"assembly": "test"}
    tables.provenances.add_row(record=json.dumps({"software": "tspar-oracle", "note": "µ"}), timestamp="2026-01-01")
    tables.provenances.add_row(record="", timestamp="")
    return tables


def _unindexed():
    """A simulated collection without edge indexes."""
    tables = _island_migrations()
    tables.drop_index()
    return tables


def _no_sites():
    """Recombination and nodes but no sites, mutations or migrations."""
    ts = msprime.sim_ancestry(
        samples=5, population_size=1_000, sequence_length=1e4, recombination_rate=1e-7, random_seed=41
    )
    return ts.dump_tables()


def _empty():
    """An empty collection: no rows in any table, default fields."""
    return tskit.TableCollection(sequence_length=1.0)


def _empty_with_fields():
    """No rows, but every collection-level field and schema set."""
    tables = tskit.TableCollection(sequence_length=123.5)
    tables.time_units = "years"
    tables.metadata_schema = tskit.MetadataSchema.permissive_json()
    tables.metadata = {"x": 1}
    for table in (tables.individuals, tables.nodes, tables.edges, tables.migrations, tables.sites,
                  tables.mutations, tables.populations):
        table.metadata_schema = tskit.MetadataSchema.permissive_json()
    tables.reference_sequence.url = "file:///ref.fa"
    return tables


CASES = {
    "island_migrations": _island_migrations,
    "multiallelic": _multiallelic,
    "unknown_times": _unknown_times,
    "partly_unknown_times": _partly_unknown_times,
    "metadata_everywhere": _metadata_everywhere,
    "unindexed": _unindexed,
    "no_sites": _no_sites,
    "empty": _empty,
    "empty_with_fields": _empty_with_fields,
}

_cache = {}


def case(name):
    """A fresh copy of case `name`'s tables (built once per session)."""
    if name not in _cache:
        _cache[name] = CASES[name]()
    return _cache[name].copy()


@pytest.fixture(params=list(CASES))
def case_name(request):
    return request.param


@pytest.fixture
def case_tables(case_name):
    return case(case_name)


@pytest.fixture(scope="session")
def case_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cases")


@pytest.fixture
def case_file(case_name, case_dir):
    """The case written by tskit (once per session)."""
    path = case_dir / f"{case_name}.trees"
    if not path.exists():
        case(case_name).dump(path)
    return path


VALID_TS_CASES = [n for n in CASES if n not in ("unindexed",)]


@pytest.fixture(params=VALID_TS_CASES)
def valid_ts_case(request):
    tables = case(request.param)
    tables.build_index()
    return request.param, tables.tree_sequence()


# ------------------------------------------------------------ examples


@pytest.fixture(scope="session")
def build_example(lib, tmp_path_factory):
    """Compiles ``examples/NAME.c`` against include/tspar.h and the library
    the suite tests, with the warnings CI uses; returns ``(command, env)``.
    ``$TSPAR_EXAMPLES`` may name a directory of built examples (the CMake
    build's ``build/examples``) to run instead."""
    import shutil

    work = tmp_path_factory.mktemp("examples")
    libpath = library_path().resolve()
    # Give the loader the library's SONAME.
    (work / soname()).symlink_to(libpath)
    env = os.environ.copy()
    env["LD_LIBRARY_PATH"] = f"{work}:{env.get('LD_LIBRARY_PATH', '')}"

    def build(name):
        given = os.environ.get("TSPAR_EXAMPLES")
        if given:
            return [str(Path(given) / name)], os.environ.copy()
        exe = work / name
        if not exe.exists():
            cc = shutil.which("cc") or shutil.which("gcc")
            if cc is None:
                pytest.fail(f"no C compiler to build examples/{name}.c")
            subprocess.run(
                [cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                 "-I", str(REPO / "include"),
                 str(REPO / "examples" / f"{name}.c"), "-o", str(exe),
                 str(libpath), "-lm", "-lpthread"],
                check=True,
            )
        return [str(exe)], env

    return build
