//! Tree cursors on a small tree sequence built by hand, whose three trees
//! are drawn below (node times on the left):
//!
//! ```text
//!  1.0        6
//!  0.8       ┌┴┐                    5
//!  0.6       │ 4          4        ┌┴┐
//!  0.15      │┌┴┐       ┌┴─┐      │ 4
//!            ││ │       3  │      │┌┴┐
//!            0 1 2     ┌┴┐ 1      0 1 2
//!                      0 2
//!       [0, 20)      [20, 80)    [80, 100)
//! ```

use std::sync::Arc;

use tspar::tables::{TableCollection, NODE_IS_SAMPLE, NULL};
use tspar::treeseq::{init, Tree, TreeSequence, TreeState};

fn example() -> Arc<TreeSequence> {
    let mut t = TableCollection::new(100.0).unwrap();
    for time in [0.0, 0.0, 0.0] {
        t.add_node(NODE_IS_SAMPLE, time, NULL, NULL, b"").unwrap();
    }
    for time in [0.15, 0.6, 0.8, 1.0] {
        t.add_node(0, time, NULL, NULL, b"").unwrap();
    }
    // Sorted as tskit requires: by parent time, parent, child, left.
    for (l, r, p, c) in [
        (20.0, 80.0, 3, 0),
        (20.0, 80.0, 3, 2),
        (0.0, 100.0, 4, 1),
        (0.0, 20.0, 4, 2),
        (80.0, 100.0, 4, 2),
        (20.0, 80.0, 4, 3),
        (80.0, 100.0, 5, 0),
        (80.0, 100.0, 5, 4),
        (0.0, 20.0, 6, 0),
        (0.0, 20.0, 6, 4),
    ] {
        t.add_edge(l, r, p, c, b"").unwrap();
    }
    for pos in [15.0, 42.0, 60.0] {
        t.add_site(pos, b"A", b"").unwrap();
    }
    t.add_mutation(0, 4, NULL, 0.9, b"G", b"").unwrap();
    t.add_mutation(1, 1, NULL, 0.4, b"G", b"").unwrap();
    t.add_mutation(2, 3, NULL, 0.55, b"G", b"").unwrap();
    t.add_mutation(2, 0, 2, 0.1, b"T", b"").unwrap();
    Arc::new(TreeSequence::new(t, init::BUILD_INDEXES).unwrap())
}

const PARENTS: [[i32; 7]; 3] = [
    [6, 4, 4, NULL, 6, NULL, NULL],
    [3, 4, 3, 4, NULL, NULL, NULL],
    [5, 4, 4, NULL, 5, NULL, NULL],
];
const ROOTS: [i32; 3] = [6, 4, 5];

fn check_tree(tree: &Tree, j: usize) {
    assert_eq!(tree.state(), TreeState::At(j));
    assert_eq!(&tree.parent_array()[..7], &PARENTS[j], "tree {j}");
    assert_eq!(tree.roots().unwrap(), vec![ROOTS[j]], "tree {j}");
    assert_eq!(tree.num_samples_array()[ROOTS[j] as usize], 3);
    // Children lists agree with the parent array.
    for u in 0..7 {
        let mut c = tree.left_child_array()[u];
        let mut n = 0;
        while c != NULL {
            assert_eq!(tree.parent_array()[c as usize], u as i32);
            c = tree.right_sib_array()[c as usize];
            n += 1;
        }
        assert_eq!(tree.num_children_array()[u], n);
    }
}

#[test]
fn counts_and_breakpoints() {
    let ts = example();
    assert_eq!(ts.num_trees(), 3);
    assert_eq!(ts.breakpoints(), &[0.0, 20.0, 80.0, 100.0]);
    assert_eq!(ts.samples(), &[0, 1, 2]);
    assert_eq!(ts.tree_sites(0), 0..1);
    assert_eq!(ts.tree_sites(1), 1..3);
    assert_eq!(ts.tree_sites(2), 3..3);
    assert_eq!(ts.site_mutations(2), 2..4);
}

#[test]
fn forward_and_backward() {
    let ts = example();
    let mut tree = Tree::new(Arc::clone(&ts)).unwrap();
    assert_eq!(tree.roots().unwrap(), vec![0, 1, 2], "null state: samples are roots");
    for j in 0..3 {
        assert!(tree.advance());
        check_tree(&tree, j);
    }
    assert!(!tree.advance());
    assert_eq!(tree.state(), TreeState::Null);
    for j in (0..3).rev() {
        assert!(tree.retreat());
        check_tree(&tree, j);
    }
    assert!(!tree.retreat());
    // Direction changes in the middle.
    assert!(tree.advance());
    assert!(tree.advance());
    assert!(tree.retreat());
    check_tree(&tree, 0);
    assert!(tree.advance());
    assert!(tree.advance());
    check_tree(&tree, 2);
}

#[test]
fn seeks() {
    let ts = example();
    for (pos, j) in [(0.0, 0), (19.99, 0), (20.0, 1), (79.0, 1), (80.0, 2), (99.5, 2)] {
        let mut tree = Tree::new(Arc::clone(&ts)).unwrap();
        tree.seek(pos).unwrap();
        check_tree(&tree, j);
        // Then walk on both ways from there.
        let mut fwd = tree.clone();
        if fwd.advance() {
            check_tree(&fwd, j + 1);
        }
        if tree.retreat() {
            check_tree(&tree, j - 1);
        }
    }
    let mut tree = Tree::new(ts).unwrap();
    tree.seek(50.0).unwrap();
    for (pos, j) in [(10.0, 0), (90.0, 2), (30.0, 1), (85.0, 2)] {
        tree.seek(pos).unwrap();
        check_tree(&tree, j);
    }
    tree.seek_index(0).unwrap();
    check_tree(&tree, 0);
    assert!(tree.seek(100.0).is_err());
    assert!(tree.seek(-1.0).is_err());
    assert!(tree.seek_index(3).is_err());
}

#[test]
fn queries() {
    let ts = example();
    let mut tree = Tree::new(ts).unwrap();
    tree.seek(30.0).unwrap();
    assert_eq!(tree.mrca(0, 2).unwrap(), 3);
    assert_eq!(tree.mrca(0, 1).unwrap(), 4);
    assert_eq!(tree.preorder(tree.virtual_root()).unwrap(), vec![4, 1, 3, 0, 2]);
    assert_eq!(tree.postorder(tree.virtual_root()).unwrap(), vec![1, 0, 2, 3, 4]);
    assert!((tree.branch_length(3).unwrap() - 0.45).abs() < 1e-12);
    // 0.15 + 0.15 + 0.45 + 0.6
    assert!((tree.total_branch_length(tree.virtual_root()).unwrap() - 1.35).abs() < 1e-12);
    assert_eq!(tree.sites(), 1..3);
    assert_eq!(tree.mutations(), 1..4);
    assert!(tree.mrca(0, 99).is_err());
}
