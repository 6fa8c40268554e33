#!/usr/bin/env python3
"""Writes the small .trees seeds of the load_bytes fuzz target with tskit
and msprime (fixed seeds):

    .venv/bin/python fuzz/make_seeds.py fuzz/corpus/load_bytes

rich_offset64.trees is rich.trees dumped by tspar with 64-bit offset
columns (DUMP_FORCE_OFFSET_64), which tskit writes only for huge tables.
The bundled tests/data/example.trees (116 KB) is not a seed: inputs that
size slowed the target to ~1,100 executions a second.
"""
import msprime, tskit, sys, os, json
out = sys.argv[1]
def w(ts, name):
    ts.dump(os.path.join(out, name))
    print(name, os.path.getsize(os.path.join(out, name)))
# 1. three samples, a few trees, a few mutations
ts = msprime.sim_ancestry(3, ploidy=1, sequence_length=10, recombination_rate=0.05, random_seed=1)
ts = msprime.sim_mutations(ts, rate=0.05, random_seed=2)
w(ts, "small_trees.trees")
# 2. empty collection
t = tskit.TableCollection(sequence_length=1)
w(t.tree_sequence(), "empty.trees")
# 3. populations, migrations, individuals, metadata, reference sequence, unknown mutation times
dem = msprime.Demography.island_model([100, 100], migration_rate=0.002)
ts = msprime.sim_ancestry(samples={"pop_0": 1, "pop_1": 1}, demography=dem, sequence_length=5,
                          recombination_rate=0.05, record_migrations=True, random_seed=3)
ts = msprime.sim_mutations(ts, rate=0.002, random_seed=4, model=msprime.JC69())
t = ts.dump_tables()
t.metadata_schema = tskit.MetadataSchema.permissive_json()
t.metadata = {"seed": 1}
t.reference_sequence.data = "ACGTA"
t.individuals.add_row(location=[1.0, 2.0], parents=[0, -1])
t.mutations.time = [tskit.UNKNOWN_TIME] * t.mutations.num_rows
t.time_units = "generations"
t.provenances.clear(); t.provenances.add_row(record="{}", timestamp="now")
w(t.tree_sequence(), "rich.trees")
# 4. unsimplified, with unary nodes and multiple roots
t = tskit.TableCollection(sequence_length=4)
for time in [0, 0, 0, 1, 2, 3]:
    t.nodes.add_row(flags=1 if time == 0 else 0, time=time)
t.edges.add_row(0, 4, 3, 0); t.edges.add_row(0, 2, 3, 1); t.edges.add_row(0, 4, 4, 3)
t.edges.add_row(2, 4, 5, 1); t.edges.add_row(2, 4, 5, 2)
t.sites.add_row(1.0, "A"); t.mutations.add_row(0, 3, "T"); t.mutations.add_row(0, 0, "G", parent=0)
t.sort(); t.build_index()
w(t.tree_sequence(), "unary.trees")
