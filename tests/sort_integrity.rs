//! Sort, edge indexes, integrity checks and mutation parents.
//!
//! The bundled file was written by tskit, so its row order is tskit's
//! canonical order and its indexes are the ones tskit built: shuffling its
//! rows and sorting them again must give the file's tables back, and
//! building the indexes must give the file's indexes. The table of broken
//! inputs checks that each gives the error tskit names.

use std::path::Path;

use tspar::error::Error;
use tspar::io::trees;
use tspar::tables::{check, sort_options, Id, TableCollection, NODE_IS_SAMPLE, NULL, UNKNOWN_TIME_BITS};
use tspar::treeseq::{init, TreeSequence};

fn example() -> TableCollection {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees");
    trees::load(&path, 0).unwrap()
}

/// A fixed-seed permutation of `0..n`.
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut x = seed | 1;
    let mut p: Vec<usize> = (0..n).collect();
    for j in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p.swap(j, (x % (j as u64 + 1)) as usize);
    }
    p
}

/// Shuffles edges, migrations, sites and mutations, keeping every reference
/// (mutation site and parent) pointing at the same row as before.
fn shuffle(t: &TableCollection, seed: u64) -> TableCollection {
    let mut s = t.clone();
    s.clear_tables();
    s.sequence_length = t.sequence_length;
    s.individuals = t.individuals.clone();
    s.nodes = t.nodes.clone();
    s.populations = t.populations.clone();
    s.provenances = t.provenances.clone();
    let e = &t.edges;
    for j in permutation(e.left.len(), seed) {
        s.add_edge(e.left[j], e.right[j], e.parent[j], e.child[j], e.metadata.row(j))
            .unwrap();
    }
    let m = &t.migrations;
    for j in permutation(m.left.len(), seed + 1) {
        s.add_migration(
            m.left[j],
            m.right[j],
            m.node[j],
            m.source[j],
            m.dest[j],
            m.time[j],
            m.metadata.row(j),
        )
        .unwrap();
    }
    let st = &t.sites;
    let site_perm = permutation(st.position.len(), seed + 2);
    let mut site_new = vec![0; site_perm.len()];
    for (new, &old) in site_perm.iter().enumerate() {
        site_new[old] = new as Id;
        s.add_site(st.position[old], st.ancestral_state.row(old), st.metadata.row(old))
            .unwrap();
    }
    let mt = &t.mutations;
    let mut_perm = permutation(mt.site.len(), seed + 3);
    let mut mut_new = vec![0; mut_perm.len()];
    for (new, &old) in mut_perm.iter().enumerate() {
        mut_new[old] = new as Id;
    }
    for &old in &mut_perm {
        let p = mt.parent[old];
        s.add_mutation(
            site_new[mt.site[old] as usize],
            mt.node[old],
            if p == NULL { NULL } else { mut_new[p as usize] },
            mt.time[old],
            mt.derived_state.row(old),
            mt.metadata.row(old),
        )
        .unwrap();
    }
    s
}

#[test]
fn shuffled_tables_sort_back_to_tskit_order() {
    let t = example();
    assert!(t.mutations.site.len() > 10 && t.migrations.left.len() > 10);
    for threads in [1, 2, 3] {
        let mut s = shuffle(&t, 7);
        assert!(!s.equals(&t, 0), "the shuffle must change something");
        s.sort_with(0, 0, threads).unwrap();
        assert!(s.equals(&t, 0), "{threads} threads");
        assert!(s.indexes.is_none(), "sort drops the indexes");
    }
}

#[test]
fn sort_from_an_edge_offset_keeps_the_prefix() {
    let t = example();
    let mut s = t.clone();
    let k = s.edges.left.len() / 2;
    // Reverse the tail; the head stays as it is.
    s.edges.left[k..].reverse();
    s.edges.right[k..].reverse();
    s.edges.parent[k..].reverse();
    s.edges.child[k..].reverse();
    s.sort_with(k, sort_options::NO_CHECK_INTEGRITY, 2).unwrap();
    assert_eq!(s.edges.parent[..k], t.edges.parent[..k]);
    assert!(s.equals(&t, 0));
    let n = s.edges.left.len();
    assert_eq!(s.sort(n + 1, 0).unwrap_err().kind, Error::EdgeOutOfBounds);
}

#[test]
fn build_index_matches_tskit() {
    let t = example();
    let mut s = t.clone();
    s.drop_index();
    assert!(!s.has_index());
    assert_eq!(
        s.check_integrity(check::TREES).unwrap_err().kind,
        Error::TablesNotIndexed
    );
    for threads in [1, 2] {
        s.build_index_with(threads).unwrap();
        assert_eq!(s.indexes, t.indexes, "{threads} threads");
    }
}

#[test]
fn mutation_parents_match_tskit() {
    let t = example();
    let num_trees = t.check_integrity(check::MUTATION_PARENTS).unwrap();
    assert!(num_trees > 1);
    let mut s = t.clone();
    s.mutations.parent.fill(NULL);
    let has_parents = t.mutations.parent.iter().any(|&p| p != NULL);
    if has_parents {
        assert_eq!(
            s.check_integrity(check::MUTATION_PARENTS).unwrap_err().kind,
            Error::BadMutationParent
        );
        assert_eq!(
            TreeSequence::new(s.clone(), 0).unwrap_err().kind,
            Error::BadMutationParent
        );
    }
    let ts = TreeSequence::new(s.clone(), init::COMPUTE_MUTATION_PARENTS).unwrap();
    assert_eq!(ts.tables().mutations.parent, t.mutations.parent);
    s.compute_mutation_parents().unwrap();
    assert_eq!(s.mutations.parent, t.mutations.parent);
    assert_eq!(ts.num_trees() as i64, num_trees);
}

#[test]
fn deduplicate_sites_keeps_the_first() {
    let mut t = TableCollection::new(10.0).unwrap();
    t.add_node(NODE_IS_SAMPLE, 0.0, NULL, NULL, b"").unwrap();
    for (x, a) in [(1.0, b"A"), (1.0, b"C"), (2.0, b"G"), (2.0, b"T"), (3.0, b"A")] {
        t.add_site(x, a, b"").unwrap();
    }
    for site in 0..5 {
        t.add_mutation(site, 0, NULL, f64::from_bits(UNKNOWN_TIME_BITS), b"x", b"")
            .unwrap();
    }
    t.deduplicate_sites().unwrap();
    assert_eq!(t.sites.position, vec![1.0, 2.0, 3.0]);
    assert_eq!(t.sites.ancestral_state.data(), b"AGA");
    assert_eq!(t.mutations.site, vec![0, 0, 1, 1, 2]);
    t.sites.position.swap(0, 2);
    assert_eq!(t.deduplicate_sites().unwrap_err().kind, Error::UnsortedSites);
}

/// Two samples under a root, one site with two mutations; valid as built.
fn small() -> TableCollection {
    let mut t = TableCollection::new(10.0).unwrap();
    t.add_population(b"").unwrap();
    t.add_individual(0, &[], &[], b"").unwrap();
    t.add_individual(0, &[], &[0], b"").unwrap();
    t.add_node(NODE_IS_SAMPLE, 0.0, 0, 0, b"").unwrap();
    t.add_node(NODE_IS_SAMPLE, 0.0, 0, 1, b"").unwrap();
    t.add_node(0, 1.0, 0, NULL, b"").unwrap();
    t.add_node(0, 2.0, 0, NULL, b"").unwrap();
    t.add_edge(0.0, 10.0, 2, 0, b"").unwrap();
    t.add_edge(0.0, 10.0, 2, 1, b"").unwrap();
    t.add_edge(0.0, 10.0, 3, 2, b"").unwrap();
    t.add_site(1.0, b"A", b"").unwrap();
    t.add_site(5.0, b"A", b"").unwrap();
    t.add_mutation(0, 2, NULL, 1.5, b"C", b"").unwrap();
    t.add_mutation(0, 0, 0, 0.5, b"G", b"").unwrap();
    t.add_mutation(1, 1, NULL, 0.5, b"T", b"").unwrap();
    t.add_migration(0.0, 10.0, 2, 0, 0, 1.2, b"").unwrap();
    t.build_index().unwrap();
    t
}

#[test]
fn valid_small_tables_pass_every_check() {
    let t = small();
    assert_eq!(
        t.check_integrity(check::MUTATION_PARENTS | check::INDIVIDUAL_ORDERING)
            .unwrap(),
        1
    );
    assert_eq!(t.check_integrity(0).unwrap(), 0);
    assert_eq!(t.check_integrity(1 << 20).unwrap_err().kind, Error::BadOptions);
}

#[test]
fn broken_tables_give_tskits_errors() {
    type Break = fn(&mut TableCollection);
    let cases: &[(&str, Break, u32, Error)] = &[
        (
            "sequence length",
            |t| t.sequence_length = 0.0,
            0,
            Error::BadSequenceLength,
        ),
        (
            "node time",
            |t| t.nodes.time[0] = f64::INFINITY,
            0,
            Error::TimeNonfinite,
        ),
        (
            "node population",
            |t| t.nodes.population[0] = 5,
            0,
            Error::PopulationOutOfBounds,
        ),
        (
            "node individual",
            |t| t.nodes.individual[0] = 9,
            0,
            Error::IndividualOutOfBounds,
        ),
        ("null parent", |t| t.edges.parent[0] = NULL, 0, Error::NullParent),
        ("edge parent", |t| t.edges.parent[0] = 99, 0, Error::NodeOutOfBounds),
        ("null child", |t| t.edges.child[0] = NULL, 0, Error::NullChild),
        (
            "edge nan",
            |t| t.edges.left[0] = f64::NAN,
            0,
            Error::GenomeCoordsNonfinite,
        ),
        ("edge left", |t| t.edges.left[0] = -1.0, 0, Error::LeftLessZero),
        (
            "edge right",
            |t| t.edges.right[0] = 11.0,
            0,
            Error::RightGreaterSeqLength,
        ),
        ("edge interval", |t| t.edges.left[0] = 10.0, 0, Error::BadEdgeInterval),
        ("time order", |t| t.nodes.time[0] = 1.0, 0, Error::BadNodeTimeOrdering),
        (
            "parent time order",
            |t| {
                t.edges.parent.swap(0, 2);
                t.edges.child.swap(0, 2);
            },
            check::EDGE_ORDERING,
            Error::EdgesNotSortedParentTime,
        ),
        (
            "child order",
            |t| t.edges.child.swap(0, 1),
            check::EDGE_ORDERING,
            Error::EdgesNotSortedChild,
        ),
        (
            "duplicate edge",
            |t| t.edges.child[1] = 0,
            check::EDGE_ORDERING,
            Error::DuplicateEdges,
        ),
        (
            "left order",
            |t| {
                t.edges.child[1] = 0;
                t.edges.left[0] = 5.0;
            },
            check::EDGE_ORDERING,
            Error::EdgesNotSortedLeft,
        ),
        (
            "site position",
            |t| t.sites.position[1] = 10.0,
            0,
            Error::BadSitePosition,
        ),
        (
            "site order",
            |t| t.sites.position[0] = 6.0,
            check::SITE_ORDERING,
            Error::UnsortedSites,
        ),
        (
            "site duplicate",
            |t| t.sites.position[0] = 5.0,
            check::SITE_DUPLICATES,
            Error::DuplicateSitePosition,
        ),
        ("mutation site", |t| t.mutations.site[0] = 7, 0, Error::SiteOutOfBounds),
        ("mutation node", |t| t.mutations.node[0] = 70, 0, Error::NodeOutOfBounds),
        (
            "mutation parent",
            |t| t.mutations.parent[0] = 3,
            0,
            Error::MutationOutOfBounds,
        ),
        (
            "parent equal",
            |t| t.mutations.parent[1] = 1,
            0,
            Error::MutationParentEqual,
        ),
        (
            "mutation time",
            |t| t.mutations.time[0] = f64::NAN,
            0,
            Error::TimeNonfinite,
        ),
        (
            "younger than node",
            |t| t.mutations.time[0] = 0.5,
            0,
            Error::MutationTimeYoungerThanNode,
        ),
        (
            "known and unknown",
            |t| t.mutations.time[1] = f64::from_bits(UNKNOWN_TIME_BITS),
            0,
            Error::MutationTimeHasBothKnownAndUnknown,
        ),
        (
            "parent other site",
            |t| t.mutations.parent[2] = 0,
            0,
            Error::MutationParentDifferentSite,
        ),
        (
            "older than parent mutation",
            |t| t.mutations.time[1] = 1.8,
            0,
            Error::MutationTimeOlderThanParentMutation,
        ),
        (
            "mutation order",
            |t| t.mutations.site = vec![1, 1, 0].into(),
            check::MUTATION_ORDERING,
            Error::UnsortedMutations,
        ),
        (
            "older than parent node",
            |t| {
                t.mutations.time[1] = 1.2;
                t.mutations.time[0] = 1.2;
            },
            check::TREES,
            Error::MutationTimeOlderThanParentNode,
        ),
        (
            "contradictory children",
            |t| {
                // Node 0 under both 2 and 3 on [0, 10).
                t.edges.child[2] = 0;
                t.build_index().unwrap();
            },
            check::TREES,
            Error::BadEdgesContradictoryChildren,
        ),
        (
            "bad parents",
            |t| t.mutations.parent[1] = NULL,
            check::MUTATION_PARENTS,
            Error::BadMutationParent,
        ),
        (
            "bad index",
            |t| t.indexes.as_mut().unwrap().insertion[0] = 50,
            check::INDEXES,
            Error::EdgeOutOfBounds,
        ),
        (
            "bad index order",
            |t| t.indexes.as_mut().unwrap().insertion[1] = 0,
            check::TREES,
            Error::TablesBadIndexes,
        ),
        (
            "migration node",
            |t| t.migrations.node[0] = 40,
            0,
            Error::NodeOutOfBounds,
        ),
        (
            "migration source",
            |t| t.migrations.source[0] = 4,
            0,
            Error::PopulationOutOfBounds,
        ),
        (
            "migration time",
            |t| t.migrations.time[0] = f64::NAN,
            0,
            Error::TimeNonfinite,
        ),
        (
            "migration right",
            |t| t.migrations.right[0] = 20.0,
            0,
            Error::RightGreaterSeqLength,
        ),
        (
            "individual parent",
            |t| t.individuals.parents.clear(),
            0,
            Error::BadOffset,
        ),
        ("self parent", |t| set_parent(t, 1), 0, Error::IndividualSelfParent),
        ("parent range", |t| set_parent(t, 7), 0, Error::IndividualOutOfBounds),
    ];
    for (name, breaker, flags, expected) in cases {
        let mut t = small();
        breaker(&mut t);
        let got = t.check_integrity(*flags);
        match got {
            Err(e) => assert_eq!(e.kind, *expected, "{name}: {}", e.detail),
            Ok(n) => panic!("{name}: accepted ({n})"),
        }
    }
    // Population references can be skipped.
    let mut t = small();
    t.nodes.population[0] = 5;
    assert!(t.check_integrity(check::NO_POPULATION_REFS).is_ok());
}

fn set_parent(t: &mut TableCollection, p: Id) {
    let mut ind = t.individuals.clone();
    ind.parents.clear();
    ind.parents.push(&[]);
    ind.parents.push(&[p]);
    t.individuals = ind;
}

#[test]
fn individual_ordering() {
    let mut t = small();
    set_parent(&mut t, NULL);
    assert!(t.check_integrity(check::INDIVIDUAL_ORDERING).is_ok());
    let mut ind = t.individuals.clone();
    ind.parents.clear();
    ind.parents.push(&[1]);
    ind.parents.push(&[]);
    t.individuals = ind;
    assert_eq!(
        t.check_integrity(check::INDIVIDUAL_ORDERING).unwrap_err().kind,
        Error::UnsortedIndividuals
    );
}

#[test]
fn failed_sort_leaves_tables_unchanged() {
    let mut t = small();
    // A cycle of mutation parents: the mutation sort refuses it.
    t.mutations.parent[0] = 1;
    t.mutations.parent[1] = 0;
    let before = t.clone();
    let e = t.sort(0, sort_options::NO_CHECK_INTEGRITY).unwrap_err();
    assert_eq!(e.kind, Error::MutationParentInconsistent);
    assert!(t.equals(&before, 0));
    assert_eq!(t.indexes, before.indexes);
    // With the check, the same input fails earlier and just as cleanly.
    let mut t = small();
    t.edges.parent[0] = NULL;
    let before = t.clone();
    assert_eq!(t.sort(0, 0).unwrap_err().kind, Error::NullParent);
    assert!(t.equals(&before, 0));
}
