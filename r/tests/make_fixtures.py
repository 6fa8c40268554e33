#!/usr/bin/env python3
"""Writes the R package's test fixtures and its bundled example file with
tskit 1.0.3 and msprime (fixed seeds):

  r/inst/extdata/tutorial.trees        three populations (the README's tutorial)
  r/tests/testthat/fixtures/stats.trees  the statistics' input
  r/tests/testthat/fixtures/stats.json   tskit's values for every statistic
  r/tests/testthat/fixtures/simplify_*.trees and simplify.json
  r/tests/testthat/fixtures/tables_*.trees (tables the R tests rebuild)
  r/tests/testthat/fixtures/genotypes.json, genotypes_*.trees (genotypes,
    haplotypes, VCF text, mean_descendants, GNN, trait_linear_model)
  r/tests/testthat/fixtures/ld_coalescence.json, ld_small.trees (ld_matrix,
    pair coalescence counts / quantiles / rates, genetic_relatedness_vector,
    pca)

usage: .venv/bin/python r/tests/make_fixtures.py

The JSON gives each case as the R call's arguments (sample-set and weight
indexes from 1, as the R package takes them; node ids as tskit's) and
tskit's result flattened in C order with its shape.
"""
import json
import os

import msprime
import numpy as np
import tskit

assert tskit.__version__ == "1.0.3", tskit.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "testthat", "fixtures")
EXT = os.path.join(HERE, "..", "inst", "extdata")


def three_pops(n, L, seed, names=("A", "B", "C")):
    dem = msprime.Demography.island_model([1_000] * 3, migration_rate=2e-3)
    for pop, name in zip(dem.populations, names):
        pop.name = name
    ts = msprime.sim_ancestry(
        samples={name: n for name in names},
        demography=dem,
        sequence_length=L,
        recombination_rate=1e-8 if L > 1e5 else 2e-7,
        random_seed=seed,
    )
    # A high rate on a discrete genome: several mutations at some sites,
    # multi-allelic sites.
    return msprime.sim_mutations(ts, rate=2e-8 if L > 1e5 else 1e-6, random_seed=seed + 1)


def flat(x):
    a = np.asarray(x, dtype=np.float64)
    return {"shape": list(a.shape), "value": [None if np.isnan(v) else float(v) for v in a.reshape(-1)]}


def stats_cases(ts):
    sets = [ts.samples(population=p).tolist() for p in range(3)]
    W = np.random.default_rng(7).normal(size=(ts.num_samples, 3)).round(3)
    windows = [0, 2_500, 6_000, ts.sequence_length]
    cases = []

    def add(method, r_args, value):
        cases.append({"method": method, "args": r_args, **flat(value)})

    def opt(**kw):
        return {k: v for k, v in kw.items() if v is not None}

    for mode in ["site", "branch"]:
        for w in [None, windows]:
            common = opt(windows=w, mode=mode)
            for name in ["diversity", "segregating_sites", "Y1"]:
                add(name, {"sample_sets": sets, **common}, getattr(ts, name)(sets, windows=w, mode=mode))
            add("diversity", {"sample_sets_vector": sets[0], **common}, ts.diversity(sets[0], windows=w, mode=mode))
            add("Tajimas_D", {"sample_sets": sets, **common}, ts.Tajimas_D(sets, windows=w, mode=mode))
            pairs = [[0, 1], [0, 2], [1, 2], [1, 1]]
            for name in ["divergence", "Fst", "Y2", "f2", "genetic_relatedness"]:
                add(name, {"sample_sets": sets, "indexes": pairs, **common},
                    getattr(ts, name)(sets, indexes=pairs, windows=w, mode=mode))
            add("divergence", {"sample_sets": sets, "indexes_vector": [0, 2], **common},
                ts.divergence(sets, indexes=[0, 2], windows=w, mode=mode))
            add("divergence", {"sample_sets": sets[:2], **common}, ts.divergence(sets[:2], windows=w, mode=mode))
            triples = [[0, 1, 2], [2, 0, 1]]
            for name in ["Y3", "f3"]:
                add(name, {"sample_sets": sets, "indexes": triples, **common},
                    getattr(ts, name)(sets, indexes=triples, windows=w, mode=mode))
            add("f4", {"sample_sets": sets + [sets[0][:5]], "indexes": [[0, 1, 2, 3], [3, 2, 1, 0]], **common},
                ts.f4(sets + [sets[0][:5]], indexes=[[0, 1, 2, 3], [3, 2, 1, 0]], windows=w, mode=mode))
            for pol, prop, centre in [(False, True, True), (True, False, True), (True, True, False)]:
                add("genetic_relatedness",
                    {"sample_sets": sets, "indexes": pairs, "polarised": pol, "proportion": prop, "centre": centre,
                     **common},
                    ts.genetic_relatedness(sets, indexes=pairs, windows=w, mode=mode, polarised=pol,
                                           proportion=prop, centre=centre))
            for name in ["trait_covariance", "trait_correlation"]:
                add(name, {"W": W.tolist(), **common}, getattr(ts, name)(W, windows=w, mode=mode))
            add("genetic_relatedness_weighted", {"W": W.tolist(), "indexes": [[0, 1], [1, 2], [0, 0]], **common},
                ts.genetic_relatedness_weighted(W, indexes=[[0, 1], [1, 2], [0, 0]], windows=w, mode=mode))
            for pol in [False, True]:
                add("allele_frequency_spectrum", {"sample_sets": [sets[0]], "polarised": pol, **common},
                    ts.allele_frequency_spectrum([sets[0]], windows=w, mode=mode, polarised=pol))
                small = [sets[0][:6], sets[1][:4]]
                add("allele_frequency_spectrum", {"sample_sets": small, "polarised": pol, **common},
                    ts.allele_frequency_spectrum(small, windows=w, mode=mode, polarised=pol))
            add("divergence_matrix", {"sample_sets": sets, **common},
                ts.divergence_matrix(sets, windows=w, mode=mode))
            add("genetic_relatedness_matrix", {"sample_sets": sets, **common},
                ts.genetic_relatedness_matrix(sets, windows=w, mode=mode))
            add("diversity", {"sample_sets": sets, "span_normalise": False, **common},
                ts.diversity(sets, windows=w, mode=mode, span_normalise=False))
    # Node mode and the defaults.
    add("diversity", {"sample_sets": sets, "mode": "node"}, ts.diversity(sets, mode="node"))
    add("divergence", {"sample_sets": sets, "indexes": [[0, 1]], "mode": "node"},
        ts.divergence(sets, indexes=[[0, 1]], mode="node"))
    add("diversity", {}, ts.diversity())
    add("diversity", {"windows": "trees"}, ts.diversity(windows="trees"))
    add("diversity", {"windows": "sites", "mode": "branch"}, ts.diversity(windows="sites", mode="branch"))
    # general_stat with f(x) = x (n - x) on one weight column of ones (the
    # R test uses the same f), and sample_count_stat with the same f.
    n = ts.num_samples
    ones = np.ones((n, 1))
    for mode in ["site", "branch"]:
        add("general_stat", {"W": ones.tolist(), "f": "pairs", "output_dim": 1, "mode": mode, "windows": windows},
            ts.general_stat(ones, lambda x: x * (n - x), 1, windows=windows, mode=mode))
        add("sample_count_stat", {"sample_sets": sets[:1], "f": "pairs1", "output_dim": 1, "mode": mode},
            ts.sample_count_stat(sets[:1], lambda x: x * (len(sets[0]) - x), 1, mode=mode))
    return cases


def simplify_fixture():
    # Unsimplified input: a full ARG (unary and recombination nodes) with
    # mutations, simplified to a subset of the samples in a chosen order.
    ts = msprime.sim_ancestry(12, sequence_length=5_000, recombination_rate=2e-7, random_seed=11,
                              record_full_arg=True, population_size=1_000)
    ts = msprime.sim_mutations(ts, rate=5e-7, random_seed=12)
    tables = ts.dump_tables()
    tables.dump(os.path.join(FIX, "simplify_in.trees"))
    samples = [20, 3, 7, 11, 0, 15, 22, 9]
    out = {}
    for name, kw in [("default", {}), ("keep_unary", {"keep_unary": True}),
                     ("keep_input_roots", {"keep_input_roots": True}),
                     ("no_filter", {"filter_sites": False, "filter_nodes": False})]:
        t = tables.copy()
        node_map = t.simplify(samples, record_provenance=False, **kw)
        t.dump(os.path.join(FIX, f"simplify_{name}.trees"))
        out[name] = {"args": kw, "node_map": node_map.tolist()}
    return {"samples": samples, "cases": out}


def tables_fixture():
    # The tables the R test builds row by row and column by column.
    t = tskit.TableCollection(sequence_length=100)
    t.time_units = "generations"
    t.populations.add_row(metadata=b"pop-a")
    t.populations.add_row(metadata=b"")
    t.individuals.add_row(flags=0, location=[0.5, 1.5], parents=[-1, -1], metadata=b"ind0")
    t.individuals.add_row(flags=1, location=[], parents=[0], metadata=b"")
    for j in range(4):
        t.nodes.add_row(flags=1, time=0, population=j % 2, individual=j // 2 if j < 4 else -1)
    t.nodes.add_row(flags=0, time=1.5, population=0, metadata=b"anc")
    t.nodes.add_row(flags=0, time=3.25, population=1)
    t.edges.add_row(0, 100, 4, 0)
    t.edges.add_row(0, 100, 4, 1)
    t.edges.add_row(0, 60, 5, 2)
    t.edges.add_row(0, 100, 5, 4)
    t.edges.add_row(60, 100, 5, 3)
    t.edges.add_row(0, 60, 5, 3)
    t.edges.add_row(60, 100, 5, 2)
    t.sites.add_row(10.5, "A", metadata=b"s")
    t.sites.add_row(70, "GG")
    t.mutations.add_row(site=0, node=0, derived_state="T", time=0.5)
    t.mutations.add_row(site=1, node=4, derived_state="C", time=tskit.UNKNOWN_TIME)
    t.mutations.add_row(site=1, node=1, derived_state="CCC", parent=1, time=tskit.UNKNOWN_TIME, metadata=b"m")
    t.migrations.add_row(left=0, right=50, node=2, source=0, dest=1, time=0.75)
    t.provenances.add_row(record='{"software": "test"}', timestamp="2026-01-01T00:00:00")
    t.dump(os.path.join(FIX, "tables_expected.trees"))


def genotypes_fixture(ts):
    """Genotypes, haplotypes, VCF text and the per-node statistics of
    stats.trees (and of two variants of it), as tskit 1.0.3 gives them."""
    import io

    out = {}
    sets = [ts.samples(population=p).tolist() for p in range(3)]
    # A copy with one extra sample node that no edge reaches: isolated, so
    # missing data at every site (unless isolated_as_missing = FALSE).
    t = ts.dump_tables()
    t.nodes.add_row(flags=tskit.NODE_IS_SAMPLE, time=0, population=0)
    miss = t.tree_sequence()
    miss.dump(os.path.join(FIX, "genotypes_missing.trees"))
    # A copy without individuals, for the VCF's ploidy.
    t = ts.dump_tables()
    t.individuals.clear()
    t.nodes.individual = np.full(t.nodes.num_rows, -1, dtype=np.int32)
    noind = t.tree_sequence()
    noind.dump(os.path.join(FIX, "genotypes_noind.trees"))

    def gm(x, **kw):
        return x.genotype_matrix(**kw).tolist()

    sub = [5, 0, 17, 3]
    out["genotype_matrix"] = [
        {"file": "stats.trees", "args": {}, "value": gm(ts)},
        {"file": "stats.trees", "args": {"samples": sub}, "value": gm(ts, samples=sub)},
        {"file": "stats.trees", "args": {"alleles": ["A", "C", "G", "T"]},
         "value": gm(ts, alleles=("A", "C", "G", "T"))},
        {"file": "genotypes_missing.trees", "args": {}, "value": gm(miss)},
        {"file": "genotypes_missing.trees", "args": {"isolated_as_missing": False},
         "value": gm(miss, isolated_as_missing=False)},
    ]
    out["haplotypes"] = [
        {"file": "stats.trees", "args": {}, "value": list(ts.haplotypes())},
        {"file": "stats.trees", "args": {"samples": sub, "left": 2500, "right": 6000},
         "value": list(ts.haplotypes(samples=sub, left=2500, right=6000))},
        {"file": "genotypes_missing.trees", "args": {}, "value": list(miss.haplotypes())},
        {"file": "genotypes_missing.trees", "args": {"missing_data_character": "-"},
         "value": list(miss.haplotypes(missing_data_character="-"))},
        {"file": "genotypes_missing.trees", "args": {"isolated_as_missing": False},
         "value": list(miss.haplotypes(isolated_as_missing=False))},
    ]
    variants = []
    for site in [0, 1, ts.num_sites // 2, ts.num_sites - 1]:
        v = next(ts.variants(left=ts.site(site).position, right=ts.site(site).position + 1))
        variants.append({"file": "stats.trees", "site": site, "position": v.site.position,
                         "alleles": list(v.alleles), "genotypes": v.genotypes.tolist()})
    v = next(miss.variants())
    variants.append({"file": "genotypes_missing.trees", "site": 0, "position": v.site.position,
                     "alleles": [a if a is not None else None for a in v.alleles],
                     "genotypes": v.genotypes.tolist()})
    out["variants"] = variants

    def vcf(x, **kw):
        f = io.StringIO()
        x.write_vcf(f, **kw)
        return f.getvalue()

    out["vcf"] = [
        {"file": "stats.trees", "args": {}, "value": vcf(ts)},
        {"file": "stats.trees", "args": {"contig_id": "chr2", "individuals": [3, 1, 7],
                                         "individual_names": ["x", "y", "z"]},
         "value": vcf(ts, contig_id="chr2", individuals=[3, 1, 7],
                      individual_names=["x", "y", "z"])},
        {"file": "stats.trees", "args": {"position_transform": "legacy"},
         "value": vcf(ts, position_transform="legacy")},
        {"file": "stats.trees", "args": {"position_transform": "times10"},
         "value": vcf(ts, position_transform=lambda x: np.asarray(x) * 10)},
        {"file": "genotypes_noind.trees", "args": {"ploidy": 2}, "value": vcf(noind, ploidy=2)},
    ]
    out["mean_descendants"] = {"sample_sets": sets, **flat(ts.mean_descendants(sets))}
    focal = ts.samples().tolist() + [ts.num_samples + 3]
    out["genealogical_nearest_neighbours"] = {
        "focal": focal, "sample_sets": sets, **flat(ts.genealogical_nearest_neighbours(focal, sets))}
    rng = np.random.default_rng(17)
    W = rng.normal(size=(ts.num_samples, 2)).round(3)
    Z = rng.normal(size=(ts.num_samples, 1)).round(3)
    windows = [0, 2_500, 6_000, ts.sequence_length]
    tlm = []
    for mode in ["site", "branch"]:
        for w in [None, windows]:
            for z in [None, Z]:
                kw = {"mode": mode}
                if w is not None:
                    kw["windows"] = w
                args = dict(kw, W=W.tolist())
                if z is not None:
                    args["Z"] = z.tolist()
                tlm.append({"args": args, **flat(ts.trait_linear_model(W, Z=z, **kw))})
    out["trait_linear_model"] = tlm
    return out


def ld_coalescence_fixture(ts):
    """ld_matrix, pair coalescence counts, quantiles and rates, the genetic
    relatedness vector and pca on stats.trees, as tskit 1.0.3 gives them.
    Arguments are in R form (sample-set indexes from 1); "inf" in time
    windows stands for Inf; pca cases carry their starting range sketch."""
    sets = [ts.samples(population=p).tolist() for p in range(3)]
    windows = [0, 2_500, 6_000, ts.sequence_length]
    cases = []

    def add(method, r_args, value):
        cases.append({"method": method, "args": r_args, **flat(value)})

    def r_idx(pairs):
        return (np.asarray(pairs) + 1).tolist()

    rows, cols = list(range(0, 24, 2)), list(range(10, 30))
    lefts = ts.breakpoints(as_array=True)[:-1]
    pos_rows, pos_cols = [float(x) for x in lefts[:8]], [0.5, 1234.5, 4321.0, 9999.0]
    for stat in ["r2", "r", "D2", "D", "D_prime", "Dz", "pi2", "D2_unbiased", "Dz_unbiased", "pi2_unbiased"]:
        add("ld_matrix", {"stat": stat, "sites": [rows, cols], "sample_sets_vector": sets[0]},
            ts.ld_matrix(sample_sets=sets[0], sites=[rows, cols], stat=stat))
        add("ld_matrix", {"stat": stat, "mode": "branch", "positions": [pos_rows, pos_cols],
                          "sample_sets": sets[:2]},
            ts.ld_matrix(sample_sets=sets[:2], positions=[pos_rows, pos_cols], stat=stat, mode="branch"))
    for stat in ["r2", "D2", "D2_unbiased"]:
        add("ld_matrix", {"stat": stat, "sites": [rows], "sample_sets": sets, "indexes": r_idx([[0, 1], [2, 0]])},
            ts.ld_matrix(sample_sets=sets, sites=[rows], stat=stat, indexes=[(0, 1), (2, 0)]))
        add("ld_matrix", {"stat": stat, "mode": "branch", "positions": [pos_cols], "sample_sets": sets,
                          "indexes_vector": [2, 3]},
            ts.ld_matrix(sample_sets=sets, positions=[pos_cols], stat=stat, mode="branch", indexes=(1, 2)))
    add("ld_matrix", {"sites": [list(range(15))]}, ts.ld_matrix(sites=[list(range(15))]))

    # The defaults (every site, every tree) on a small piece of it.
    small = ts.keep_intervals([[0, 600]]).trim().simplify(samples=ts.samples()[:8])
    add("ld_matrix", {"file": "small", "mode": "branch"}, small.ld_matrix(mode="branch"))
    add("ld_matrix", {"file": "small"}, small.ld_matrix())

    tw = [0, 200, 1_000, 5_000]
    for w in [None, windows]:
        wa = {} if w is None else {"windows": w}
        add("pair_coalescence_counts", {**wa}, ts.pair_coalescence_counts(windows=w))
        add("pair_coalescence_counts", {"sample_sets": sets[:2], **wa},
            ts.pair_coalescence_counts(sample_sets=sets[:2], windows=w))
        add("pair_coalescence_counts", {"sample_sets": sets, "indexes": r_idx([[0, 1], [1, 1], [2, 0]]),
                                        "span_normalise": False, "pair_normalise": True, **wa},
            ts.pair_coalescence_counts(sample_sets=sets, indexes=[(0, 1), (1, 1), (2, 0)], windows=w,
                                       span_normalise=False, pair_normalise=True))
        add("pair_coalescence_counts", {"sample_sets": sets, "indexes": r_idx([[0, 2], [1, 1]]),
                                        "time_windows": tw, **wa},
            ts.pair_coalescence_counts(sample_sets=sets, indexes=[(0, 2), (1, 1)], windows=w,
                                       time_windows=np.array(tw, dtype=float)))
        q = [0.0, 0.1, 0.5, 0.9, 1.0]
        add("pair_coalescence_quantiles", {"quantiles": q, **wa}, ts.pair_coalescence_quantiles(q, windows=w))
        add("pair_coalescence_quantiles", {"quantiles": q, "sample_sets": sets,
                                           "indexes": r_idx([[0, 1], [2, 2]]), **wa},
            ts.pair_coalescence_quantiles(q, sample_sets=sets, indexes=[(0, 1), (2, 2)], windows=w))
        rtw = [0, 500, 2_000, "inf"]
        rtw_np = np.array([0, 500, 2_000, np.inf])
        add("pair_coalescence_rates", {"time_windows": rtw, **wa}, ts.pair_coalescence_rates(rtw_np, windows=w))
        add("pair_coalescence_rates", {"time_windows": rtw, "sample_sets": sets[1:],
                                       **wa},
            ts.pair_coalescence_rates(rtw_np, sample_sets=sets[1:], windows=w))

    W = np.random.default_rng(8).normal(size=(ts.num_samples, 2)).round(3)
    for w in [None, windows]:
        wa = {} if w is None else {"windows": w}
        add("genetic_relatedness_vector", {"W": W.tolist(), "mode": "branch", **wa},
            ts.genetic_relatedness_vector(W, windows=w, mode="branch"))
        add("genetic_relatedness_vector", {"W": W.tolist(), "mode": "branch", "centre": False,
                                           "span_normalise": False, **wa},
            ts.genetic_relatedness_vector(W, windows=w, mode="branch", centre=False, span_normalise=False))
        nodes = [0, 5, 60, 100, 179]
        add("genetic_relatedness_vector", {"W": W.tolist(), "mode": "branch", "centre": False, "nodes": nodes,
                                           **wa},
            ts.genetic_relatedness_vector(W, windows=w, mode="branch", centre=False, nodes=nodes))
        # Site mode, which tskit lacks: the site-mode relatedness matrix of
        # one-sample sets times W (the library's documented definition).
        grm = ts.genetic_relatedness_matrix([[u] for u in ts.samples()], windows=w, mode="site")
        add("genetic_relatedness_vector", {"W": W.tolist(), "mode": "site", **wa}, grm @ W)

    pcas = []
    rng = np.random.default_rng(9)
    for k, kw in [(3, {}), (2, {"individuals": list(range(ts.num_individuals)), "windows": [0, 5_000, 10_000]}),
                  (2, {"samples": ts.samples()[:20].tolist(), "centre": False, "num_iterations": 3})]:
        dim = len(kw.get("individuals", kw.get("samples", ts.samples())))
        nw = len(kw["windows"]) - 1 if "windows" in kw else 1
        q0 = rng.normal(size=(nw, dim, k + 6))
        q0_arg = q0 if "windows" in kw else q0[0]
        r = ts.pca(k, range_sketch=q0_arg, **kw)
        pcas.append({"num_components": k, "args": kw, "range_sketch": flat(q0_arg),
                     "factors": flat(r.factors), "eigenvalues": flat(r.eigenvalues),
                     "range_sketch_out": flat(r.range_sketch), "error_bound": flat(r.error_bound)})
    small.dump(os.path.join(FIX, "ld_small.trees"))
    return {"cases": cases, "pca": pcas}


def main():
    os.makedirs(FIX, exist_ok=True)
    os.makedirs(EXT, exist_ok=True)
    tut = three_pops(20, 1_000_000, seed=101)
    tut.dump(os.path.join(EXT, "tutorial.trees"))
    ts = three_pops(8, 10_000, seed=202)
    ts.dump(os.path.join(FIX, "stats.trees"))
    with open(os.path.join(FIX, "stats.json"), "w") as f:
        json.dump({"tskit": tskit.__version__, "cases": stats_cases(ts)}, f)
    with open(os.path.join(FIX, "simplify.json"), "w") as f:
        json.dump(simplify_fixture(), f)
    tables_fixture()
    with open(os.path.join(FIX, "genotypes.json"), "w") as f:
        json.dump({"tskit": tskit.__version__, **genotypes_fixture(ts)}, f)
    with open(os.path.join(FIX, "ld_coalescence.json"), "w") as f:
        json.dump({"tskit": tskit.__version__, **ld_coalescence_fixture(ts)}, f)
    for d in [EXT, FIX]:
        for name in sorted(os.listdir(d)):
            print(f"{os.path.join(os.path.relpath(d, HERE), name)}: {os.path.getsize(os.path.join(d, name))} bytes")
    print(f"tutorial.trees: {tut.num_samples} samples, {tut.num_trees} trees, {tut.num_sites} sites")


if __name__ == "__main__":
    main()
