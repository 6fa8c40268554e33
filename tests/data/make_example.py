#!/usr/bin/env python3
"""Writes tests/data/example.trees with tskit (fixed seeds), for the Rust
file-format tests, and prints the counts those tests check.

usage: python3 tests/data/make_example.py [OUT]   (needs tskit and msprime)

A 2-population simulation of 50 diploids (100 sample nodes) with
recombination, migration (recorded), mutations, individuals with
locations of varied length, a reference sequence, and metadata with
schemas at the top level and on several tables.
"""
import json
import os
import sys

import msprime
import numpy as np
import tskit

L = 20_000


def make():
    dem = msprime.Demography.island_model([2_000, 2_000], migration_rate=1e-3)
    ts = msprime.sim_ancestry(
        samples={"pop_0": 25, "pop_1": 25},
        demography=dem,
        sequence_length=L,
        recombination_rate=1e-7,
        record_migrations=True,
        random_seed=1234,
    )
    ts = msprime.sim_mutations(ts, rate=1e-7, random_seed=5678)
    tables = ts.dump_tables()

    rng = np.random.default_rng(42)
    # Individuals: locations of 0 to 3 coordinates, so the ragged column
    # has rows of every length including empty.
    ind = tables.individuals.copy()
    tables.individuals.clear()
    for j, row in enumerate(ind):
        tables.individuals.append(row.replace(location=rng.random(j % 4)))

    tables.metadata_schema = tskit.MetadataSchema.permissive_json()
    tables.metadata = {"description": "tspar file-format test data", "seed": 1234}
    tables.nodes.metadata_schema = tskit.MetadataSchema.permissive_json()
    nodes = tables.nodes.copy()
    tables.nodes.clear()
    for j, row in enumerate(nodes):
        md = {"id": j} if j % 7 == 0 else {}
        tables.nodes.append(row.replace(metadata=md))

    tables.reference_sequence.data = "".join(rng.choice(list("ACGT"), size=int(L)))
    tables.reference_sequence.url = "https://example.org/ref.fa"
    tables.reference_sequence.metadata_schema = tskit.MetadataSchema.permissive_json()
    tables.reference_sequence.metadata = {"assembly": "test"}
    return tables.tree_sequence()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "example.trees")
    ts = make()
    ts.dump(out)
    t = tskit.load(out).tables
    counts = dict(
        bytes=os.path.getsize(out),
        sequence_length=t.sequence_length,
        samples=ts.num_samples,
        trees=ts.num_trees,
        individuals=t.individuals.num_rows,
        individual_location_len=len(t.individuals.location),
        nodes=t.nodes.num_rows,
        node_metadata_len=len(t.nodes.metadata),
        edges=t.edges.num_rows,
        migrations=t.migrations.num_rows,
        sites=t.sites.num_rows,
        mutations=t.mutations.num_rows,
        populations=t.populations.num_rows,
        provenances=t.provenances.num_rows,
        reference_sequence_len=len(t.reference_sequence.data),
        node_time_sum=float(np.sum(t.nodes.time)),
        time_units=t.time_units,
    )
    print(json.dumps(counts, indent=1))


if __name__ == "__main__":
    main()
