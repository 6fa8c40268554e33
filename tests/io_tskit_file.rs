//! A file tskit wrote (tests/data/example.trees, made by
//! tests/data/make_example.py with msprime and fixed seeds) loads with the
//! contents tskit sees, and writing it again gives tskit's bytes.
//!
//! Every expected number below was printed by tskit 1.0.3 from that file
//! (the generator script prints most of them).

use std::path::{Path, PathBuf};

use tspar::io::kastore::Kastore;
use tspar::io::trees::{dump, dump_bytes, load, load_bytes};
use tspar::tables::{TableKind, NODE_IS_SAMPLE};

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees")
}

#[test]
fn counts_match_tskit() {
    let t = load(&example_path(), 0).unwrap();
    assert_eq!(t.sequence_length, 20000.0);
    assert_eq!(t.time_units, b"generations");
    assert_eq!(t.num_rows(TableKind::Individuals), 50);
    assert_eq!(t.individuals.location.data().len(), 73);
    assert_eq!(t.num_rows(TableKind::Nodes), 323);
    assert_eq!(t.nodes.metadata.data().len(), 1005);
    assert_eq!(t.num_rows(TableKind::Edges), 750);
    assert_eq!(t.num_rows(TableKind::Migrations), 1084);
    assert_eq!(t.num_rows(TableKind::Sites), 167);
    assert_eq!(t.num_rows(TableKind::Mutations), 167);
    assert_eq!(t.num_rows(TableKind::Populations), 2);
    assert_eq!(t.num_rows(TableKind::Provenances), 2);
    assert_eq!(t.nodes.flags.iter().filter(|&&f| f & NODE_IS_SAMPLE != 0).count(), 100);
    assert_eq!(t.reference_sequence.data.len(), 20000);
    assert_eq!(&t.reference_sequence.data[..12], b"AATATCTCCGAG");
    assert_eq!(t.reference_sequence.url, b"https://example.org/ref.fa");
    assert_eq!(
        t.metadata,
        br#"{"description":"tspar file-format test data","seed":1234}"#
    );
    assert_eq!(t.nodes.metadata.row(7), br#"{"id":7}"#);
    assert_eq!(t.nodes.metadata.row(8), b"{}");
    assert_eq!(t.populations.metadata.row(1), br#"{"description":"","name":"pop_1"}"#);
    let e = &t.edges;
    assert_eq!(
        (e.left[0], e.right[0], e.parent[0], e.child[0]),
        (0.0, 20000.0, 100, 36)
    );
    assert_eq!(
        (e.left[749], e.right[749], e.parent[749], e.child[749]),
        (8353.0, 8394.0, 322, 317)
    );
    let m = &t.migrations;
    assert_eq!(
        (m.left[0], m.right[0], m.node[0], m.source[0], m.dest[0], m.time[0]),
        (0.0, 20000.0, 101, 1, 0, 10.101707668707839)
    );
    assert_eq!(
        t.individuals.location.row(3),
        [0.6973680290593639, 0.09417734788764953, 0.9756223516367559]
    );
    assert_eq!(t.sites.position[166], 19914.0);
    assert_eq!(t.sites.ancestral_state.row(166), b"C");
    assert_eq!(t.mutations.derived_state.row(166), b"A");
    assert_eq!(t.mutations.time[166], 3327.0349573629305);
    assert_eq!(t.nodes.time[322], 35346.52424188202);
    // tskit's sum is pairwise, this one sequential: equal up to rounding.
    let sum: f64 = t.nodes.time.iter().sum();
    assert!((sum - 659139.762640308).abs() < 1e-6, "{sum}");
    let ix = t.indexes.as_ref().expect("tskit writes edge indexes");
    assert_eq!(ix.insertion[..5], [0, 1, 2, 3, 4]);
    assert_eq!(ix.removal[..5], [596, 589, 446, 241, 134]);
}

#[test]
fn rewriting_gives_tskits_bytes() {
    let original = std::fs::read(example_path()).unwrap();
    assert_eq!(original.len(), 116572);
    let t = load_bytes(&original, 0).unwrap();
    let ours = dump_bytes(&t, 0).unwrap();
    // Same keys, types, layout and contents; only the file's uuid, which
    // each write makes anew, differs.
    assert_eq!(ours.len(), original.len());
    let k = Kastore::open(original.as_slice(), "example").unwrap();
    let uuid = k.get("uuid").unwrap();
    let uuid = uuid.start as usize..uuid.start as usize + 36;
    assert_eq!(original[..uuid.start], ours[..uuid.start]);
    assert_eq!(original[uuid.end..], ours[uuid.end..]);
}

#[test]
fn dump_and_reload_is_equal() {
    let t = load(&example_path(), 0).unwrap();
    let dir = std::env::temp_dir().join(format!("tspar-io-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("copy.trees");
    let result = dump(&t, &path, 0).and_then(|()| load(&path, 0));
    let _ = std::fs::remove_dir_all(&dir);
    let back = result.unwrap();
    assert!(t.equals(&back, 0));
    assert_eq!(t.indexes, back.indexes);
    assert_eq!(t.reference_sequence, back.reference_sequence);
}
