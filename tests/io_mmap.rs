//! Mapped loads (`LOAD_MMAP`): the same tables, statistics and errors as a
//! copying load; columns used in place and copied on their first change;
//! a file replaced by a rename while mapped leaves the mapping as it was.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tspar::error::{Error, Failure};
use tspar::io::mmap::Mapping;
use tspar::io::trees::{self, LOAD_MMAP};
use tspar::stats::{summary, Exec, SampleSets};
use tspar::tables::{TableCollection, TableKind};
use tspar::treeseq::TreeSequence;

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees")
}

/// A fresh file name in the temporary directory, removed on drop.
struct Temp(PathBuf);

impl Temp {
    fn new(what: &str) -> Temp {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        Temp(std::env::temp_dir().join(format!("tspar-mmap-{}-{what}-{n}.trees", std::process::id())))
    }

    fn with(what: &str, bytes: &[u8]) -> Temp {
        let t = Temp::new(what);
        std::fs::write(&t.0, bytes).unwrap();
        t
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Two sample sets and statistics on them, as bits: diversity (site and
/// branch, in windows) and Fst.
fn stats(ts: &Arc<TreeSequence>) -> Vec<Vec<u64>> {
    let s = ts.samples();
    let (a, b) = s.split_at(s.len() / 2);
    let sizes = [a.len() as u64, b.len() as u64];
    let ids = [a, b].concat();
    let sets = SampleSets::new(&sizes, &ids);
    let l = ts.sequence_length();
    let windows = [0.0, l / 3.0, l / 2.0, l];
    let mut out = vec![];
    for threads in [1, 2] {
        let ex = &mut Exec::with_threads(threads);
        for options in [tspar::stats::opt::SITE, tspar::stats::opt::BRANCH] {
            out.push(bits(
                &summary::diversity(ts, sets, Some(&windows), options, ex).unwrap(),
            ));
            out.push(bits(&summary::fst(ts, sets, &[0, 1], None, options, ex).unwrap()));
        }
    }
    // The node statistics and the tree cursor, which walk the edges in
    // index order (through the mapped index for a mapped load).
    let ex = &mut Exec::with_threads(2);
    out.push(bits(&tspar::stats::nodes::mean_descendants(ts, &[a, b], ex).unwrap()));
    out.push(bits(
        &tspar::stats::nodes::genealogical_nearest_neighbours(ts, &s[..5], &[a, b], ex).unwrap(),
    ));
    let mut tree = tspar::treeseq::Tree::new(Arc::clone(ts)).unwrap();
    let mut walk = vec![];
    while tree.advance() {
        walk.push(tree.parent_array().iter().map(|&p| p as u64).sum::<u64>());
    }
    while tree.retreat() {
        walk.push(tree.parent_array().iter().map(|&p| p as u64).sum::<u64>());
    }
    assert_eq!(walk.len(), 2 * ts.num_trees());
    out.push(walk);
    out
}

fn shared_columns(t: &TableCollection) -> usize {
    let ix = t.indexes.as_ref().unwrap();
    [
        t.edges.left.is_shared(),
        t.edges.right.is_shared(),
        t.edges.parent.is_shared(),
        t.edges.child.is_shared(),
        t.nodes.time.is_shared(),
        t.nodes.flags.is_shared(),
        t.sites.position.is_shared(),
        t.mutations.node.is_shared(),
        ix.insertion.is_shared(),
        ix.removal.is_shared(),
    ]
    .into_iter()
    .filter(|&x| x)
    .count()
}

#[test]
fn mapped_load_equals_copying_load() {
    let path = example_path();
    let copied = trees::load_with(&path, 0, 1).unwrap();
    for threads in [1, 2] {
        let mapped = trees::load_with(&path, LOAD_MMAP, threads).unwrap();
        assert!(mapped.equals(&copied, 0));
        assert_eq!(mapped.indexes, copied.indexes);
        // The file's columns are used in place, the copy's are not.
        assert_eq!(shared_columns(&mapped), 10);
        assert_eq!(shared_columns(&copied), 0);
        // And written again, they make the same file (but for the uuid).
        let (a, b) = (
            trees::dump_bytes(&mapped, 0).unwrap(),
            trees::dump_bytes(&copied, 0).unwrap(),
        );
        assert_eq!(a.len(), b.len());
    }
    let ts_copy = Arc::new(TreeSequence::load(&path, 0, 2).unwrap());
    let ts_map = Arc::new(TreeSequence::load(&path, LOAD_MMAP, 2).unwrap());
    assert!(ts_map.tables().equals(ts_copy.tables(), 0));
    assert_eq!(shared_columns(ts_map.tables()), 10);
    assert_eq!(ts_map.num_trees(), ts_copy.num_trees());
    assert_eq!(bits(ts_map.breakpoints()), bits(ts_copy.breakpoints()));
    assert_eq!(stats(&ts_map), stats(&ts_copy));
    // 64-bit offsets are used in place too.
    let t = Temp::with(
        "offset64",
        &trees::dump_bytes(&copied, trees::DUMP_FORCE_OFFSET_64).unwrap(),
    );
    let m = trees::load_with(&t.0, LOAD_MMAP, 1).unwrap();
    assert!(m.equals(&copied, 0));
    assert!(m.sites.ancestral_state.data().len() == copied.sites.ancestral_state.data().len());
}

/// The result of a load as something comparable: the tables' bytes, or the
/// error's kind and message.
fn outcome(r: Result<TableCollection, Failure>) -> Result<usize, (Error, String)> {
    r.map(|t| t.num_rows(TableKind::Edges)).map_err(|e| (e.kind, e.detail))
}

fn ts_outcome(r: Result<TreeSequence, Failure>) -> Result<usize, (Error, String)> {
    r.map(|t| t.num_trees()).map_err(|e| (e.kind, e.detail))
}

/// Every load of `bytes` (tables and tree sequence), copying and mapped:
/// the same result or the same error, message included.
fn same_both_ways(bytes: &[u8], what: &str) -> bool {
    let t = Temp::with("damaged", bytes);
    let a = outcome(trees::load_with(&t.0, 0, 1));
    let b = outcome(trees::load_with(&t.0, LOAD_MMAP, 1));
    assert_eq!(a, b, "tables, {what}");
    let a = ts_outcome(TreeSequence::load(&t.0, 0, 1));
    let b = ts_outcome(TreeSequence::load(&t.0, LOAD_MMAP, 1));
    assert_eq!(a, b, "tree sequence, {what}");
    a.is_err()
}

#[test]
fn damaged_files_refused_the_same_way() {
    let original = std::fs::read(example_path()).unwrap();
    let mut refused = 0;
    // Truncated: through the header and descriptors byte by byte, then in
    // steps through the arrays; and the empty file.
    let mut cuts: Vec<usize> = (0..700).collect();
    cuts.extend((700..original.len()).step_by(original.len() / 150));
    for n in cuts {
        refused += same_both_ways(&original[..n], &format!("truncated to {n}")) as usize;
    }
    // Single bytes changed, all over the file (deterministic positions).
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..300 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let at = (x % original.len() as u64) as usize;
        let mut b = original.clone();
        b[at] ^= 1 << (x >> 60 & 7);
        refused += same_both_ways(&b, &format!("byte {at} changed")) as usize;
    }
    // Most of these are refused; the others load to the same thing both ways.
    assert!(refused > 700, "{refused}");
    // A missing file and a directory.
    let missing = std::env::temp_dir().join("tspar-mmap-no-such-file.trees");
    assert_eq!(
        outcome(trees::load_with(&missing, LOAD_MMAP, 1)),
        outcome(trees::load_with(&missing, 0, 1))
    );
    let dir = std::env::temp_dir();
    assert_eq!(
        outcome(trees::load_with(&dir, LOAD_MMAP, 1)).unwrap_err().0,
        Error::IsADirectory
    );
}

#[test]
fn tables_of_a_mapped_load_can_be_changed() {
    let path = example_path();
    let ts = Arc::new(TreeSequence::load(&path, LOAD_MMAP, 2).unwrap());
    let copied = trees::load(&path, 0).unwrap();
    // A clone shares the mapping; changes copy the columns they touch.
    let mut t = ts.tables().clone();
    assert_eq!(shared_columns(&t), 10);
    let mut c = copied.clone();
    for tables in [&mut t, &mut c] {
        let n = tables.add_node(0, 1e9, -1, -1, b"x").unwrap();
        tables.add_edge(0.0, tables.sequence_length, n, 0, b"").unwrap();
        tables.nodes.time[0] = 0.0;
        // Written (with the value it has): the column is copied.
        tables.mutations.node.make_mut();
    }
    assert!(!t.edges.left.is_shared() && !t.nodes.time.is_shared());
    assert!(!t.mutations.node.is_shared() && t.sites.position.is_shared());
    assert!(t.equals(&c, 0));
    // The tree sequence still has the file's tables.
    assert!(ts.tables().equals(&copied, 0));
    // Sorting, indexing and simplifying the copy work as on a copied load.
    for tables in [&mut t, &mut c] {
        tables.sort(0, 0).unwrap();
        tables.build_index().unwrap();
    }
    assert!(t.equals(&c, 0));
    let samples: Vec<i32> = ts.samples()[..10].to_vec();
    let mut s1 = ts.tables().clone();
    let mut s2 = copied.clone();
    // (simplify does not take migrations, as in tskit)
    s1.table_mut(TableKind::Migrations).clear();
    s2.table_mut(TableKind::Migrations).clear();
    s1.simplify(Some(&samples), 0).unwrap();
    s2.simplify(Some(&samples), 0).unwrap();
    assert!(s1.equals(&s2, 0));
    assert!(ts.tables().equals(&copied, 0));
    // Truncating and clearing do not touch the mapping either.
    let mut u = ts.tables().clone();
    u.table_mut(TableKind::Edges).truncate(3);
    assert_eq!(u.num_rows(TableKind::Edges), 3);
    u.clear_tables();
    assert_eq!(u.num_rows(TableKind::Nodes), 0);
    assert_eq!(stats(&ts), stats(&Arc::new(TreeSequence::load(&path, 0, 1).unwrap())));
}

#[test]
fn dump_over_a_mapped_file_keeps_the_mapping() {
    let t = Temp::with("replaced", &std::fs::read(example_path()).unwrap());
    let ts = Arc::new(TreeSequence::load(&t.0, LOAD_MMAP, 2).unwrap());
    let tables = trees::load_with(&t.0, LOAD_MMAP, 1).unwrap();
    let before = stats(&ts);
    let original = trees::load(&example_path(), 0).unwrap();
    // Another collection written over the file: dump writes a temporary
    // file and renames it, so the mapped (old) file is untouched.
    let mut other = TableCollection::new(5.0).unwrap();
    let a = other.add_node(1, 0.0, -1, -1, b"").unwrap();
    let b = other.add_node(1, 0.0, -1, -1, b"").unwrap();
    let r = other.add_node(0, 1.0, -1, -1, b"").unwrap();
    other.add_edge(0.0, 5.0, r, a, b"").unwrap();
    other.add_edge(0.0, 5.0, r, b, b"").unwrap();
    other.build_index().unwrap();
    trees::dump(&other, &t.0, 0).unwrap();
    assert!(trees::load(&t.0, 0).unwrap().equals(&other, 0));
    assert!(ts.tables().equals(&original, 0));
    assert!(tables.equals(&original, 0));
    assert_eq!(stats(&ts), before);
    // Also when the handle's own tables are written over their file.
    trees::dump(ts.tables(), &t.0, 0).unwrap();
    assert!(trees::load(&t.0, LOAD_MMAP).unwrap().equals(&original, 0));
    drop(tables);
    assert_eq!(stats(&ts), before);
}

#[test]
fn size_change_after_mapping_is_seen() {
    let t = Temp::with("truncated", &std::fs::read(example_path()).unwrap());
    let map = Mapping::map(std::fs::File::open(&t.0).unwrap()).unwrap();
    map.check_unchanged("x").unwrap();
    // Truncated in place (another process): refused, without reading the
    // pages that are gone.
    let f = std::fs::OpenOptions::new().write(true).open(&t.0).unwrap();
    f.set_len(100).unwrap();
    assert_eq!(map.check_unchanged("x").unwrap_err().kind, Error::FileChanged);
    // And a file grown in place.
    f.set_len(1 << 20).unwrap();
    assert_eq!(map.check_unchanged("x").unwrap_err().kind, Error::FileChanged);
    drop(map);
}
