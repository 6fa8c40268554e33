//! Small hand-built cases whose simplified form can be worked out on paper.
//! The oracle suite (tests/oracle/test_simplify.py) compares with tskit on
//! large simulated inputs.

use super::*;
use crate::tables::{TableKind, UNKNOWN_TIME_BITS};

const S: u32 = NODE_IS_SAMPLE;

/// ```text
///        5          t=2
///       / \
///      4   \        t=1.5  (unary above 3)
///      |    \
///      3     \      t=1
///     / \     \
///    0   1     2    t=0
/// ```
/// A mutation above 4 at position 5 and one above 2 at position 7; a site
/// at 8 with no mutation. Population 1 and individual 1 are used only by
/// node 4.
fn unary_tree() -> TableCollection {
    let mut t = TableCollection::new(10.0).unwrap();
    t.add_population(b"p0").unwrap();
    t.add_population(b"p1").unwrap();
    t.add_population(b"p2").unwrap();
    t.add_individual(0, &[], &[], b"i0").unwrap();
    t.add_individual(0, &[], &[0], b"i1").unwrap();
    t.add_individual(0, &[], &[1, NULL], b"i2").unwrap();
    t.add_node(S, 0.0, 0, 0, b"a").unwrap();
    t.add_node(S, 0.0, 0, 0, b"b").unwrap();
    t.add_node(S, 0.0, 2, 2, b"c").unwrap();
    t.add_node(0, 1.0, 0, NULL, b"d").unwrap();
    t.add_node(0, 1.5, 1, 1, b"e").unwrap();
    t.add_node(0, 2.0, 0, NULL, b"f").unwrap();
    t.add_edge(0.0, 10.0, 3, 0, b"").unwrap();
    t.add_edge(0.0, 10.0, 3, 1, b"").unwrap();
    t.add_edge(0.0, 10.0, 4, 3, b"").unwrap();
    t.add_edge(0.0, 10.0, 5, 2, b"").unwrap();
    t.add_edge(0.0, 10.0, 5, 4, b"").unwrap();
    t.add_site(5.0, b"A", b"").unwrap();
    t.add_site(7.0, b"C", b"").unwrap();
    t.add_site(8.0, b"G", b"").unwrap();
    t.add_mutation(0, 4, NULL, 1.7, b"T", b"m0").unwrap();
    t.add_mutation(1, 2, NULL, 0.5, b"G", b"m1").unwrap();
    t.add_provenance(b"t", b"r").unwrap();
    t
}

fn edges(t: &TableCollection) -> Vec<(f64, f64, Id, Id)> {
    let e = &t.edges;
    (0..e.left.len())
        .map(|j| (e.left[j], e.right[j], e.parent[j], e.child[j]))
        .collect()
}

#[test]
fn unary_node_removed() {
    let mut t = unary_tree();
    let map = t.simplify(None, 0).unwrap();
    assert_eq!(map, vec![0, 1, 2, 3, NULL, 4]);
    assert_eq!(t.nodes.time, vec![0.0, 0.0, 0.0, 1.0, 2.0]);
    assert_eq!(t.nodes.metadata.data(), b"abcdf");
    assert_eq!(
        edges(&t),
        vec![
            (0.0, 10.0, 3, 0),
            (0.0, 10.0, 3, 1),
            (0.0, 10.0, 4, 2),
            (0.0, 10.0, 4, 3)
        ]
    );
    // The mutation above the removed node 4 now sits above node 3.
    assert_eq!(t.mutations.node, vec![3, 2]);
    assert_eq!(t.mutations.metadata.data(), b"m0m1");
    // Unfiltered without the options: sites, populations, individuals stay.
    assert_eq!(t.sites.position, vec![5.0, 7.0, 8.0]);
    assert_eq!(t.num_rows(TableKind::Populations), 3);
    assert_eq!(t.num_rows(TableKind::Individuals), 3);
    assert_eq!(t.num_rows(TableKind::Provenances), 1);
    assert!(t.indexes.is_none());
}

#[test]
fn keep_unary_keeps_node_4() {
    let mut t = unary_tree();
    let map = t.simplify(None, KEEP_UNARY).unwrap();
    assert_eq!(map, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(
        edges(&t),
        vec![
            (0.0, 10.0, 3, 0),
            (0.0, 10.0, 3, 1),
            (0.0, 10.0, 4, 3),
            (0.0, 10.0, 5, 2),
            (0.0, 10.0, 5, 4)
        ]
    );
    assert_eq!(t.mutations.node, vec![4, 2]);
    // Only in individuals: node 4 has individual 1, so it stays too.
    let mut u = unary_tree();
    assert_eq!(u.simplify(None, KEEP_UNARY_IN_INDIVIDUALS).unwrap(), map);
    // Without an individual it goes.
    let mut v = unary_tree();
    v.nodes.individual[4] = NULL;
    assert_eq!(v.simplify(None, KEEP_UNARY_IN_INDIVIDUALS).unwrap()[4], NULL);
}

#[test]
fn subset_of_samples_in_given_order() {
    let mut t = unary_tree();
    // Samples 2 and 0: nodes 3 and 4 become unary, 5 joins the two.
    let map = t.simplify(Some(&[2, 0]), 0).unwrap();
    assert_eq!(map, vec![1, NULL, 0, NULL, NULL, 2]);
    assert_eq!(t.nodes.flags, vec![S, S, 0]);
    assert_eq!(t.nodes.metadata.data(), b"caf");
    assert_eq!(edges(&t), vec![(0.0, 10.0, 2, 0), (0.0, 10.0, 2, 1)]);
    // The mutation above 4 is above sample 0 (output 1); the one above 2 stays.
    assert_eq!(t.mutations.node, vec![1, 0]);
}

#[test]
fn filters_renumber() {
    let mut t = unary_tree();
    let opts = FILTER_SITES | FILTER_POPULATIONS | FILTER_INDIVIDUALS;
    t.simplify(None, opts).unwrap();
    // Site 8 had no mutation.
    assert_eq!(t.sites.position, vec![5.0, 7.0]);
    assert_eq!(t.mutations.site, vec![0, 1]);
    // Population 1 was used only by the removed node 4.
    assert_eq!(t.populations.metadata.data(), b"p0p2");
    assert_eq!(t.nodes.population, vec![0, 0, 1, 0, 0]);
    // Individual 1 went with node 4; individual 2's parent 1 becomes NULL.
    assert_eq!(t.individuals.metadata.data(), b"i0i2");
    assert_eq!(t.nodes.individual, vec![0, 0, 1, NULL, NULL]);
    assert_eq!(t.individuals.parents.data(), &[NULL, NULL]);
}

#[test]
fn no_filter_nodes_and_sample_flags() {
    let mut t = unary_tree();
    let map = t.simplify(Some(&[0, 1]), NO_FILTER_NODES).unwrap();
    assert_eq!(map, vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(t.nodes.flags, vec![S, S, 0, 0, 0, 0]);
    assert_eq!(edges(&t), vec![(0.0, 10.0, 3, 0), (0.0, 10.0, 3, 1)]);
    let mut u = unary_tree();
    u.simplify(Some(&[0, 1]), NO_FILTER_NODES | NO_UPDATE_SAMPLE_FLAGS)
        .unwrap();
    assert_eq!(u.nodes.flags, vec![S, S, S, 0, 0, 0]);
}

#[test]
fn keep_input_roots_adds_root_edges() {
    let mut t = unary_tree();
    // Samples 0 and 1 coalesce in 3; above it the input root 5 is kept with a
    // unary edge to 3.
    let map = t.simplify(Some(&[0, 1]), KEEP_INPUT_ROOTS).unwrap();
    assert_eq!(map, vec![0, 1, NULL, 2, NULL, 3]);
    assert_eq!(edges(&t), vec![(0.0, 10.0, 2, 0), (0.0, 10.0, 2, 1), (0.0, 10.0, 3, 2)]);
    // The mutation above node 4 stays above output 2 (input 3).
    assert_eq!(t.mutations.node, vec![2]);
}

/// Two trees: 0 and 1 join in 2 on [0, 4) and in 3 on [4, 10); a unary
/// node 4 sits over 0 on [2, 8).
fn recombinant() -> TableCollection {
    let mut t = TableCollection::new(10.0).unwrap();
    t.add_node(S, 0.0, NULL, NULL, b"").unwrap();
    t.add_node(S, 0.0, NULL, NULL, b"").unwrap();
    t.add_node(0, 1.0, NULL, NULL, b"").unwrap();
    t.add_node(0, 2.0, NULL, NULL, b"").unwrap();
    t.add_node(0, 0.5, NULL, NULL, b"").unwrap();
    // Sorted by parent time: 4 (0.5), 2 (1.0), 3 (2.0).
    t.add_edge(2.0, 8.0, 4, 0, b"").unwrap();
    t.add_edge(0.0, 2.0, 2, 0, b"").unwrap();
    t.add_edge(0.0, 4.0, 2, 1, b"").unwrap();
    t.add_edge(2.0, 4.0, 2, 4, b"").unwrap();
    t.add_edge(8.0, 10.0, 3, 0, b"").unwrap();
    t.add_edge(4.0, 10.0, 3, 1, b"").unwrap();
    t.add_edge(4.0, 8.0, 3, 4, b"").unwrap();
    t.add_site(1.0, b"0", b"").unwrap();
    t.add_site(6.0, b"0", b"").unwrap();
    t
}

#[test]
fn abutting_edges_join_and_sites_reduce() {
    let mut t = recombinant();
    let map = t.simplify(None, 0).unwrap();
    assert_eq!(map, vec![0, 1, 2, 3, NULL]);
    // Child 0's pieces [0, 2) and [2, 4) under 2 join into one edge.
    assert_eq!(
        edges(&t),
        vec![(0.0, 4.0, 2, 0), (0.0, 4.0, 2, 1), (4.0, 10.0, 3, 0), (4.0, 10.0, 3, 1)]
    );
    // Reduced to the sites at 1 and 6: the breakpoint at 4 slides to 6 and
    // the left end from the first site back to 0.
    let mut u = recombinant();
    u.simplify(None, REDUCE_TO_SITE_TOPOLOGY).unwrap();
    assert_eq!(
        edges(&u),
        vec![(0.0, 6.0, 2, 0), (0.0, 6.0, 2, 1), (6.0, 10.0, 3, 0), (6.0, 10.0, 3, 1)]
    );
}

#[test]
fn mutation_parents_and_unknown_times() {
    let mut t = unary_tree();
    t.mutations = Default::default();
    let unknown = f64::from_bits(UNKNOWN_TIME_BITS);
    // At site 0: m0 above the root 5, m1 above 2 (not ancestral to the
    // samples 0 and 1), m2 above 3 and m3 above 0.
    t.add_mutation(0, 5, NULL, unknown, b"T", b"").unwrap();
    t.add_mutation(0, 2, 0, unknown, b"G", b"").unwrap();
    t.add_mutation(0, 3, 0, unknown, b"C", b"").unwrap();
    t.add_mutation(0, 0, 2, unknown, b"A", b"").unwrap();
    t.simplify(Some(&[0, 1]), 0).unwrap();
    // Above the samples' MRCA (output 2) the root's mutation stays, on it.
    assert_eq!(t.mutations.node, vec![2, 2, 0]);
    assert_eq!(t.mutations.parent, vec![NULL, 0, 1]);
    assert_eq!(t.mutations.derived_state.data(), b"TCA");
    assert!(t.mutations.time.iter().all(|x| x.to_bits() == UNKNOWN_TIME_BITS));
}

type Damage = Box<dyn Fn(&mut TableCollection)>;

#[test]
fn errors_leave_tables_unchanged() {
    let cases: Vec<(Damage, Option<Vec<Id>>, u32, Error)> = vec![
        (Box::new(|_| {}), Some(vec![0, 0]), 0, Error::DuplicateSample),
        (Box::new(|_| {}), Some(vec![0, 6]), 0, Error::NodeOutOfBounds),
        (Box::new(|_| {}), Some(vec![-1]), 0, Error::NodeOutOfBounds),
        (
            Box::new(|_| {}),
            None,
            KEEP_UNARY | KEEP_UNARY_IN_INDIVIDUALS,
            Error::KeepUnaryMutuallyExclusive,
        ),
        (Box::new(|_| {}), None, 1 << 9, Error::BadOptions),
        (
            Box::new(|t| {
                t.edges.metadata = Default::default();
                for j in 0..5 {
                    t.edges.metadata.push(if j == 2 { b"x" } else { b"" });
                }
            }),
            None,
            0,
            Error::CantProcessEdgesWithMetadata,
        ),
        (
            Box::new(|t| {
                t.add_migration(0.0, 1.0, 0, 0, 1, 0.5, b"").unwrap();
            }),
            None,
            0,
            Error::SimplifyMigrationsNotSupported,
        ),
        (
            Box::new(|t| t.edges.parent.swap(0, 4)),
            None,
            0,
            Error::EdgesNotSortedParentTime,
        ),
        (
            Box::new(|t| t.edges.child.swap(0, 1)),
            None,
            0,
            Error::EdgesNotSortedChild,
        ),
        (Box::new(|t| t.sites.position.swap(0, 1)), None, 0, Error::UnsortedSites),
        (
            Box::new(|t| t.sites.position[1] = 5.0),
            None,
            0,
            Error::DuplicateSitePosition,
        ),
        (Box::new(|t| t.edges.child[0] = 9), None, 0, Error::NodeOutOfBounds),
        (
            Box::new(|t| t.edges.right[0] = 11.0),
            None,
            0,
            Error::RightGreaterSeqLength,
        ),
        (Box::new(|t| t.mutations.site[0] = 3), None, 0, Error::SiteOutOfBounds),
    ];
    for (k, (damage, samples, options, expected)) in cases.into_iter().enumerate() {
        let mut t = unary_tree();
        damage(&mut t);
        let before = t.clone();
        let err = t.simplify(samples.as_deref(), options).unwrap_err();
        assert_eq!(err.kind, expected, "case {k}: {err}");
        assert!(t.equals(&before, 0), "case {k}: tables changed");
    }
}

#[test]
fn simplify_twice_is_stable() {
    let mut t = recombinant();
    t.simplify(None, 0).unwrap();
    let once = t.clone();
    let map = t.simplify(None, 0).unwrap();
    assert_eq!(map, (0..4).collect::<Vec<Id>>());
    assert!(t.equals(&once, 0));
}

/// A small xorshift generator, so the random inputs are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A haploid Wright-Fisher population of `n` over `gens` generations with
/// recombination (breakpoints on integers of [0, 100), so sites sit on some
/// of them), three populations, individuals on some generations' pairs,
/// sites and mutations, sorted. The last generation is at time 0.
fn random_wf(seed: u64, n: usize, gens: usize, num_sites: usize) -> TableCollection {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let len = 100.0;
    let mut t = TableCollection::new(len).unwrap();
    for p in 0..3 {
        t.add_population(format!("p{p}").as_bytes()).unwrap();
    }
    let mut prev: Vec<Id> = Vec::new();
    for g in (0..=gens).rev() {
        let with_individuals = rng.below(3) == 0;
        let mut cur = Vec::new();
        for j in 0..n {
            let ind = if with_individuals && j % 2 == 0 {
                t.add_individual(0, &[], &[], b"i").unwrap()
            } else if with_individuals {
                t.individuals.flags.len() as Id - 1
            } else {
                NULL
            };
            let pop = rng.below(3) as Id;
            let u = t.add_node(0, g as f64, pop, ind, b"n").unwrap();
            cur.push(u);
            if prev.is_empty() {
                continue;
            }
            let (p1, p2) = (prev[rng.below(n)], prev[rng.below(n)]);
            let num_breaks = if p1 == p2 { 0 } else { rng.below(4) };
            let mut breaks: Vec<f64> = (0..num_breaks).map(|_| 1.0 + rng.below(99) as f64).collect();
            breaks.sort_by(|a, b| a.partial_cmp(b).unwrap());
            breaks.dedup();
            breaks.push(len);
            let mut left = 0.0;
            for (k, &right) in breaks.iter().enumerate() {
                let p = if k % 2 == 0 { p1 } else { p2 };
                t.add_edge(left, right, p, u, b"").unwrap();
                left = right;
            }
        }
        prev = cur;
    }
    let num_nodes = t.nodes.flags.len();
    let mut positions: Vec<f64> = (0..num_sites)
        .map(|k| {
            if k % 2 == 0 {
                rng.below(100) as f64
            } else {
                rng.below(10_000) as f64 / 100.0
            }
        })
        .collect();
    positions.sort_by(|a, b| a.partial_cmp(b).unwrap());
    positions.dedup();
    for &x in &positions {
        t.add_site(x, b"A", b"").unwrap();
    }
    for _ in 0..2 * positions.len() {
        let site = rng.below(positions.len()) as Id;
        let node = rng.below(num_nodes) as Id;
        let time = t.nodes.time[node as usize];
        t.add_mutation(site, node, NULL, time, b"T", b"m").unwrap();
    }
    t.add_provenance(b"t", b"r").unwrap();
    t.sort(0, 0).unwrap();
    t
}

/// A random subset of the last generation in random order, with some older
/// nodes too if `with_old`.
fn random_samples(t: &TableCollection, rng: &mut Rng, with_old: bool) -> Vec<Id> {
    let mut pool: Vec<Id> = (0..t.nodes.flags.len() as Id)
        .filter(|&u| t.nodes.time[u as usize] == 0.0)
        .collect();
    if with_old {
        pool.extend((0..t.nodes.flags.len() as Id).filter(|&u| t.nodes.time[u as usize] > 0.0 && u % 7 == 0));
    }
    for j in (1..pool.len()).rev() {
        pool.swap(j, rng.below(j + 1));
    }
    pool.truncate(1 + rng.below(pool.len()));
    pool
}

fn assert_same(a: &TableCollection, b: &TableCollection, what: &str) {
    assert!(a.equals(b, 0), "{what}: tables differ");
    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{what}: tables differ");
}

/// The piece-wise merge gives the sequential merge's output, for every
/// option, number of pieces and thread count.
#[test]
fn pieces_match_sequential_every_option() {
    let mut rng = Rng(12345);
    for seed in 0..4u64 {
        let t = random_wf(seed + 1, 6 + 3 * seed as usize, 8 + 4 * seed as usize, 12);
        for round in 0..2 {
            let samples = random_samples(&t, &mut rng, round == 1);
            for options in 0..=ALL_OPTIONS {
                if options & KEEP_UNARY != 0 && options & KEEP_UNARY_IN_INDIVIDUALS != 0 {
                    continue;
                }
                let mut seq = t.clone();
                let seq_map = seq.simplify_impl(Some(&samples), options, 1, 0).unwrap();
                for (threads, pieces) in [(1, 1), (1, 3), (2, 2), (2, 7), (3, 5), (8, 8), (8, 64)] {
                    let mut par = t.clone();
                    let map = par.simplify_impl(Some(&samples), options, threads, pieces).unwrap();
                    let what =
                        format!("seed {seed} round {round} options {options:#x} threads {threads} pieces {pieces}");
                    assert_eq!(map, seq_map, "{what}: node maps differ");
                    assert_same(&par, &seq, &what);
                }
            }
        }
    }
}

/// A large enough input takes the parallel path by itself at 2, 3 and 8
/// threads, and gives the one-thread output; so does simplifying the
/// example msprime file's tables to random subsets.
#[test]
fn threads_match_sequential() {
    let t = random_wf(99, 250, 400, 200);
    assert!(t.edges.left.len() >= pieces::PARALLEL_MIN_EDGES);
    let mut rng = Rng(777);
    let samples = random_samples(&t, &mut rng, false);
    let mut one = t.clone();
    let one_map = one
        .simplify_with(
            Some(&samples),
            FILTER_SITES | FILTER_POPULATIONS | FILTER_INDIVIDUALS,
            1,
        )
        .unwrap();
    for threads in [2, 3, 8] {
        assert!(pieces::num_pieces(&t, 0, threads) > 1 || pieces::forced_pieces().is_some());
        let mut par = t.clone();
        let map = par
            .simplify_with(
                Some(&samples),
                FILTER_SITES | FILTER_POPULATIONS | FILTER_INDIVIDUALS,
                threads,
            )
            .unwrap();
        assert_eq!(map, one_map);
        assert_same(&par, &one, &format!("{threads} threads"));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees");
    let mut ex = crate::io::trees::load(&path, 0).unwrap();
    // Simplify does not take migrations.
    ex.migrations = Default::default();
    for round in 0..4 {
        let n = ex.nodes.flags.len() as Id;
        let mut samples: Vec<Id> = (0..n).filter(|_| rng.below(3) == 0).collect();
        if round == 0 {
            samples = (0..n)
                .filter(|&u| ex.nodes.flags[u as usize] & NODE_IS_SAMPLE != 0)
                .collect();
        }
        for options in [
            0,
            7,
            KEEP_UNARY | 7,
            KEEP_INPUT_ROOTS | 7,
            KEEP_UNARY_IN_INDIVIDUALS,
            NO_FILTER_NODES | 7,
        ] {
            let mut seq = ex.clone();
            let seq_map = seq.simplify_impl(Some(&samples), options, 1, 0).unwrap();
            for (threads, pieces) in [(1, 2), (2, 4), (3, 3), (8, 16)] {
                let mut par = ex.clone();
                let map = par.simplify_impl(Some(&samples), options, threads, pieces).unwrap();
                let what = format!("example round {round} options {options:#x} threads {threads}");
                assert_eq!(map, seq_map, "{what}");
                assert_same(&par, &seq, &what);
            }
        }
    }
}
