//! Inputs the fuzz targets (fuzz/) found to crash the library, each reduced
//! to what triggers it. Every one panicked before its fix; each must give
//! an error code (or a result), never a panic. The fuzzer's own crashing
//! inputs are kept in its seed corpus (fuzz/corpus/), so each fuzz run
//! replays them too.

use tspar::error::Error;
use tspar::tables::{sort_options, TableCollection, NODE_IS_SAMPLE, NULL, UNKNOWN_TIME_BITS};

fn unknown_time() -> f64 {
    f64::from_bits(UNKNOWN_TIME_BITS)
}

/// Two samples under one parent, one site with one mutation.
fn cherry() -> TableCollection {
    let mut t = TableCollection::new(10.0).unwrap();
    for time in [0.0, 0.0, 1.0] {
        let flags = if time == 0.0 { NODE_IS_SAMPLE } else { 0 };
        t.add_node(flags, time, NULL, NULL, &[]).unwrap();
    }
    t.add_edge(0.0, 10.0, 2, 0, &[]).unwrap();
    t.add_edge(0.0, 10.0, 2, 1, &[]).unwrap();
    t.add_site(5.0, b"A", &[]).unwrap();
    t.add_mutation(0, 0, NULL, unknown_time(), b"T", &[]).unwrap();
    t
}

/// table_ops: sort with `NO_CHECK_INTEGRITY` indexed node and mutation
/// arrays by unchecked ids (edge parent 45004501 on 7 nodes in the fuzzer's
/// input) and panicked.
#[test]
fn sort_without_integrity_check_bad_references() {
    let nocheck = sort_options::NO_CHECK_INTEGRITY;

    let mut t = cherry();
    t.add_edge(0.0, 10.0, 45_004_501, 0, &[]).unwrap();
    let before = t.clone();
    assert_eq!(t.sort(0, nocheck).unwrap_err().kind, Error::NodeOutOfBounds);
    assert!(t.equals(&before, 0), "a failed sort changed the tables");
    // The same reference before `edge_start` is not read, so not an error.
    let mut t = cherry();
    t.edges.parent[0] = -1;
    t.sort(1, nocheck).unwrap();

    let mut t = cherry();
    t.add_mutation(3, 0, NULL, unknown_time(), b"G", &[]).unwrap();
    assert_eq!(t.sort(0, nocheck).unwrap_err().kind, Error::SiteOutOfBounds);

    let mut t = cherry();
    t.add_mutation(0, 7, NULL, unknown_time(), b"G", &[]).unwrap();
    assert_eq!(t.sort(0, nocheck).unwrap_err().kind, Error::NodeOutOfBounds);

    let mut t = cherry();
    t.add_mutation(0, 1, 5, unknown_time(), b"G", &[]).unwrap();
    assert_eq!(t.sort(0, nocheck).unwrap_err().kind, Error::MutationOutOfBounds);

    // With the check the same inputs fail in the integrity check.
    let mut t = cherry();
    t.add_edge(0.0, 10.0, 45_004_501, 0, &[]).unwrap();
    assert_eq!(t.sort(0, 0).unwrap_err().kind, Error::NodeOutOfBounds);
}

/// table_ops: sort with `NO_CHECK_INTEGRITY` of edges with NaN
/// coordinates compared them with an inconsistent order, and the standard
/// sort panicked ("does not correctly implement a total ordering").
#[test]
fn sort_without_integrity_check_nan_coordinates() {
    let mut t = cherry();
    t.clear_tables();
    for time in [0.0, 1.0] {
        t.add_node(NODE_IS_SAMPLE, time, NULL, NULL, &[]).unwrap();
    }
    for j in 0..40 {
        let left = if j % 3 == 0 { f64::NAN } else { f64::from((j * 7) % 10) };
        t.add_edge(left, 10.0, 1, 0, &[]).unwrap();
    }
    for j in 0..40 {
        let x = if j % 4 == 0 { f64::NAN } else { f64::from((j * 3) % 10) };
        t.add_site(x, b"A", &[]).unwrap();
    }
    t.sort(0, sort_options::NO_CHECK_INTEGRITY).unwrap();
    // NaN sorts after every number, ties in id order.
    let lefts: Vec<f64> = t.edges.left.to_vec();
    let numbers = lefts.iter().take_while(|x| !x.is_nan()).count();
    assert!(lefts[..numbers].windows(2).all(|w| w[0] <= w[1]));
    assert!(lefts[numbers..].iter().all(|x| x.is_nan()));
    assert_eq!(t.check_integrity(0).unwrap_err().kind, Error::GenomeCoordsNonfinite);
}
