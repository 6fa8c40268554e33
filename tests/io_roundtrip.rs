//! Writing a table collection with every table and field populated and
//! reading it back gives the same tables, bit for bit.

use std::path::PathBuf;

use tspar::io::kastore::Kastore;
use tspar::io::trees::{
    dump, dump_bytes, load, load_bytes, DUMP_FORCE_OFFSET_64, LOAD_SKIP_REFERENCE_SEQUENCE, LOAD_SKIP_TABLES,
};
use tspar::tables::{Dtype, EdgeIndexes, TableCollection, TableKind, NULL, UNKNOWN_TIME_BITS};

fn unknown_time() -> f64 {
    f64::from_bits(UNKNOWN_TIME_BITS)
}

/// Rows of varied lengths (including empty) in every ragged column, and
/// something in every field.
fn full_tables() -> TableCollection {
    let mut t = TableCollection::new(100.0).unwrap();
    t.time_units = b"generations".to_vec();
    t.metadata = br#"{"name":"full"}"#.to_vec();
    t.metadata_schema = br#"{"codec":"json"}"#.to_vec();
    t.reference_sequence.data = b"ACGT".repeat(25);
    t.reference_sequence.url = b"https://example.org/ref".to_vec();
    t.reference_sequence.metadata = b"refmd".to_vec();
    t.reference_sequence.metadata_schema = b"refschema".to_vec();
    for kind in TableKind::ALL {
        if kind != TableKind::Provenances {
            let key = format!("{}/metadata_schema", kind.name());
            *t.field_mut(&key).unwrap() = format!("schema of {}", kind.name()).into_bytes();
        }
    }

    t.add_population(b"").unwrap();
    t.add_population(br#"{"name":"pop_1"}"#).unwrap();
    t.add_individual(0, &[], &[], b"").unwrap();
    t.add_individual(1, &[1.5], &[NULL], b"i1").unwrap();
    t.add_individual(2, &[0.25, -3.0, 1e300], &[0, 1], b"").unwrap();
    for j in 0..6 {
        let md = b"node-metadata".get(..j * 2).unwrap_or(b"");
        let flags = u32::from(j < 4);
        t.add_node(
            flags,
            j as f64 * 1.5,
            j as i32 % 2,
            if j < 3 { j as i32 } else { NULL },
            md,
        )
        .unwrap();
    }
    t.add_edge(0.0, 50.0, 4, 0, b"").unwrap();
    t.add_edge(0.0, 100.0, 4, 1, b"e1").unwrap();
    t.add_edge(50.0, 100.0, 5, 0, b"").unwrap();
    t.add_edge(0.0, 100.0, 5, 2, b"edge 3 md").unwrap();
    t.add_migration(0.0, 100.0, 2, 0, 1, 0.5, b"").unwrap();
    t.add_migration(10.0, 20.0, 3, 1, 0, 2.5, b"m").unwrap();
    t.add_site(5.0, b"A", b"").unwrap();
    t.add_site(17.0, b"", b"site md").unwrap();
    t.add_site(60.0, b"GATTACA", b"").unwrap();
    t.add_mutation(0, 0, NULL, unknown_time(), b"T", b"").unwrap();
    t.add_mutation(0, 1, 0, unknown_time(), b"", b"mut md").unwrap();
    t.add_mutation(2, 3, NULL, 1.25, b"CC", b"").unwrap();
    // A NaN that is not the unknown-time one must keep its own bits too.
    t.add_mutation(1, 2, NULL, f64::from_bits(0x7ff8_0000_0000_0042), b"G", b"")
        .unwrap();
    t.add_provenance(b"2026-01-01T00:00:00", br#"{"software":"test"}"#)
        .unwrap();
    t.add_provenance(b"", b"").unwrap();
    t.indexes = Some(EdgeIndexes {
        insertion: vec![0, 1, 3, 2].into(),
        removal: vec![0, 2, 1, 3].into(),
    });
    t
}

fn offset_types(bytes: &[u8]) -> Vec<(String, Dtype)> {
    let k = Kastore::open(bytes, "test").unwrap();
    k.items()
        .iter()
        .filter(|item| item.key.ends_with(b"_offset"))
        .map(|item| (item.key_str().into_owned(), item.dtype))
        .collect()
}

fn assert_same(a: &TableCollection, b: &TableCollection) {
    assert!(a.equals(b, 0));
    assert_eq!(a.indexes, b.indexes);
    let bits = |t: &TableCollection| t.mutations.time.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(a), bits(b));
    assert_eq!(bits(b)[0], UNKNOWN_TIME_BITS);
    assert_eq!(b.reference_sequence, a.reference_sequence);
    assert_eq!(b.time_units, b"generations");
}

#[test]
fn round_trip_in_memory() {
    let t = full_tables();
    let bytes = dump_bytes(&t, 0).unwrap();
    let back = load_bytes(&bytes, 0).unwrap();
    assert_same(&t, &back);
    let types = offset_types(&bytes);
    assert_eq!(types.len(), 13);
    assert!(types.iter().all(|(_, d)| *d == Dtype::U32), "{types:?}");
    // Writing what was read gives the same file except for the uuid.
    let again = dump_bytes(&back, 0).unwrap();
    assert_eq!(again.len(), bytes.len());
    let k = Kastore::open(bytes.as_slice(), "test").unwrap();
    let uuid = k.get("uuid").unwrap();
    let uuid = uuid.start as usize..uuid.start as usize + 36;
    assert_eq!(bytes[..uuid.start], again[..uuid.start]);
    assert_eq!(bytes[uuid.end..], again[uuid.end..]);
    assert_ne!(bytes[uuid.clone()], again[uuid]);
}

#[test]
fn round_trip_with_64_bit_offsets() {
    let t = full_tables();
    let bytes = dump_bytes(&t, DUMP_FORCE_OFFSET_64).unwrap();
    let types = offset_types(&bytes);
    assert_eq!(types.len(), 13);
    assert!(types.iter().all(|(_, d)| *d == Dtype::U64), "{types:?}");
    assert_same(&t, &load_bytes(&bytes, 0).unwrap());
}

#[test]
fn empty_tables_round_trip() {
    let t = TableCollection::new(1.0).unwrap();
    let back = load_bytes(&dump_bytes(&t, 0).unwrap(), 0).unwrap();
    assert!(t.equals(&back, 0));
    assert!(back.indexes.is_none());
    assert!(back.reference_sequence.is_empty());
    assert_eq!(back.time_units, b"unknown");
    // As with tskit, tables of sequence length 0 can be written but such a
    // file is not loaded.
    let zero = dump_bytes(&TableCollection::new(0.0).unwrap(), 0).unwrap();
    assert_eq!(
        load_bytes(&zero, 0).unwrap_err().kind,
        tspar::error::Error::BadSequenceLength
    );
}

#[test]
fn no_reference_sequence_or_indexes_written_when_absent() {
    let mut t = full_tables();
    t.reference_sequence = Default::default();
    t.indexes = None;
    let bytes = dump_bytes(&t, 0).unwrap();
    let k = Kastore::open(bytes.as_slice(), "test").unwrap();
    assert!(k
        .items()
        .iter()
        .all(|i| !i.key.starts_with(b"reference_sequence/") && !i.key.starts_with(b"indexes/")));
    let back = load_bytes(&bytes, 0).unwrap();
    assert!(t.equals(&back, 0));
    assert!(back.indexes.is_none());
}

#[test]
fn skip_options() {
    let t = full_tables();
    let bytes = dump_bytes(&t, 0).unwrap();
    let only = load_bytes(&bytes, LOAD_SKIP_TABLES).unwrap();
    assert_eq!(only.sequence_length, 100.0);
    assert_eq!(only.time_units, t.time_units);
    assert_eq!(only.metadata, t.metadata);
    assert_eq!(only.metadata_schema, t.metadata_schema);
    assert_eq!(only.reference_sequence, t.reference_sequence);
    assert!(TableKind::ALL.iter().all(|&k| only.num_rows(k) == 0));
    assert!(only.indexes.is_none());
    assert!(only.nodes.metadata_schema.is_empty());

    let no_ref = load_bytes(&bytes, LOAD_SKIP_REFERENCE_SEQUENCE).unwrap();
    assert!(no_ref.reference_sequence.is_empty());
    assert_eq!(no_ref.num_rows(TableKind::Nodes), 6);
    assert_eq!(no_ref.indexes, t.indexes);

    let neither = load_bytes(&bytes, LOAD_SKIP_TABLES | LOAD_SKIP_REFERENCE_SEQUENCE).unwrap();
    assert!(neither.reference_sequence.is_empty());
    assert_eq!(neither.num_rows(TableKind::Edges), 0);
}

#[test]
fn large_columns_round_trip() {
    // Columns of several MiB are read in pieces on several threads; every
    // piece must land in its place.
    let mut t = full_tables();
    t.indexes = None;
    let n: usize = 400_000;
    t.nodes.flags.extend((0..n).map(|j| j as u32));
    t.nodes.time.extend((0..n).map(|j| j as f64 * 0.5));
    t.nodes.population.extend((0..n).map(|j| j as i32 % 7));
    t.nodes.individual.extend((0..n).map(|j| -(j as i32)));
    for j in 0..n {
        t.nodes.metadata.push(&j.to_le_bytes()[..j % 4]);
    }
    for bytes in [
        dump_bytes(&t, 0).unwrap(),
        dump_bytes(&t, DUMP_FORCE_OFFSET_64).unwrap(),
    ] {
        let back = load_bytes(&bytes, 0).unwrap();
        assert!(t.equals(&back, 0));
    }
    let dir = TempDir::new("io-large");
    let path = dir.0.join("large.trees");
    dump(&t, &path, 0).unwrap();
    assert!(t.equals(&load(&path, 0).unwrap(), 0));
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("tspar-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn round_trip_through_a_file() {
    let dir = TempDir::new("io-roundtrip");
    let path = dir.0.join("full.trees");
    let t = full_tables();
    dump(&t, &path, 0).unwrap();
    assert_same(&t, &load(&path, 0).unwrap());
    // Dumping again replaces the file, keeping its permissions; no
    // temporary file (nor the old file) is left behind.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    dump(&t, &path, DUMP_FORCE_OFFSET_64).unwrap();
    assert_same(&t, &load(&path, 0).unwrap());
    assert_eq!(offset_types(&std::fs::read(&path).unwrap())[0].1, Dtype::U64);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    let mut other = full_tables();
    other.add_population(b"another").unwrap();
    dump(&other, &path, 0).unwrap();
    assert!(other.equals(&load(&path, 0).unwrap(), 0));
    let names: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["full.trees"]);
}
