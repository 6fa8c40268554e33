//! Bytes → tables load → tree sequence (with and without index building)
//! → walk the trees, as a user who opens a damaged or hostile `.trees`
//! file would. The library must return errors, never panic.
//!
//! Loading goes through `io::trees::load_bytes`, the in-memory twin of the
//! file load (`tspar_tables_load` and `tspar_treeseq_load` read through the
//! same `read_tables`), so no file is written per input.
//!
//! Besides "no panic", what loads must dump and load back to equal tables,
//! and a tree walk must visit exactly `num_trees` trees each way.

#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use tspar::io::trees::{dump_bytes, load_bytes, LOAD_SKIP_REFERENCE_SEQUENCE, LOAD_SKIP_TABLES};
use tspar::tables::NULL;
use tspar::treeseq::{init, Tree, TreeSequence};

/// Trees whose topology is read in full on each walk (the walk itself
/// covers every tree); keeps large seeds from dominating the run time.
const VISIT_TREES: usize = 8;

fuzz_target!(
    init: {
        // One thread: the fuzzer runs one input at a time on a shared
        // machine, and worker pools would only add noise.
        std::env::set_var("TSPAR_NUM_THREADS", "1");
    },
    |data: &[u8]| {
        let _ = load_bytes(data, LOAD_SKIP_TABLES);
        let _ = load_bytes(data, LOAD_SKIP_REFERENCE_SEQUENCE);
        let Ok(tables) = load_bytes(data, 0) else {
            return;
        };
        let bytes = dump_bytes(&tables, 0).expect("tables that load must dump");
        let back = load_bytes(&bytes, 0).expect("what was dumped must load");
        assert!(back.equals(&tables, 0), "dump and load changed the tables");

        for options in [0, init::BUILD_INDEXES, init::ALL] {
            if let Ok(ts) = TreeSequence::new(tables.clone(), options) {
                walk(Arc::new(ts));
            }
        }
    }
);

fn walk(ts: Arc<TreeSequence>) {
    let n = ts.num_trees();
    let len = ts.sequence_length();
    let mut tree = Tree::new(Arc::clone(&ts)).expect("a cursor on a small tree sequence");

    let mut count = 0;
    while tree.advance() {
        if count < VISIT_TREES {
            visit(&ts, &tree);
        }
        count += 1;
    }
    assert_eq!(count, n, "forward walk");
    count = 0;
    while tree.retreat() {
        count += 1;
    }
    assert_eq!(count, n, "backward walk");

    for x in [
        0.0,
        len / 3.0,
        len / 2.0,
        len * 0.99,
        len,
        -1.0,
        f64::NAN,
        f64::INFINITY,
    ] {
        if tree.seek(x).is_ok() {
            visit(&ts, &tree);
        }
    }
    for j in [0, n / 2, n.saturating_sub(1), n, usize::MAX] {
        if tree.seek_index(j).is_ok() {
            visit(&ts, &tree);
        }
    }
    if tree.last() {
        visit(&ts, &tree);
    }
    if tree.first() {
        visit(&ts, &tree);
    }
}

fn visit(ts: &TreeSequence, tree: &Tree) {
    let num_nodes = ts.num_nodes() as i32;
    let (left, right) = tree.interval();
    assert!(left < right, "tree interval [{left}, {right})");
    for r in tree.roots().expect("roots of a small tree") {
        let pre = tree.preorder(r).expect("preorder from a root");
        let post = tree.postorder(r).expect("postorder from a root");
        assert_eq!(pre.len(), post.len());
    }
    for u in [NULL, num_nodes, num_nodes + 1, i32::MAX, i32::MIN] {
        let _ = tree.preorder(u);
        let _ = tree.postorder(u);
        let _ = tree.branch_length(u);
        let _ = tree.total_branch_length(u);
    }
    let samples = ts.samples();
    if let (Some(&a), Some(&b)) = (samples.first(), samples.last()) {
        let _ = tree.mrca(a, b);
        let _ = tree.mrca(a, NULL);
        let _ = tree.branch_length(a);
    }
    let _ = tree.total_branch_length(tree.virtual_root());
    let tables = ts.tables();
    for s in tree.sites() {
        let x = tables.sites.position[s];
        assert!(
            left <= x && x < right,
            "site {s} at {x} outside its tree [{left}, {right})"
        );
    }
    let _ = &tables.mutations.node[tree.mutations()];
}
