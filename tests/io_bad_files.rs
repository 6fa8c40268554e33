//! Files that are wrong in one specific way give that specific error, with
//! a message naming the key; file system failures map to their own codes.
//!
//! The damaged files are tests/data/example.trees (written by tskit) with
//! one item removed, retyped or resized, written again with our kastore
//! writer.

use std::path::{Path, PathBuf};

use tspar::error::{Error, Failure};
use tspar::io::kastore::{Array, Kastore, Writer};
use tspar::io::trees::{dump, load, load_bytes};
use tspar::tables::{Dtype, TableCollection, TableKind, UNKNOWN_TIME_BITS};

type Items = Vec<(String, Dtype, Vec<u8>)>;

fn example() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees")).unwrap()
}

fn items(bytes: &[u8]) -> Items {
    let k = Kastore::open(bytes, "example").unwrap();
    k.items()
        .iter()
        .map(|i| (i.key_str().into_owned(), i.dtype, k.read_bytes(i).unwrap()))
        .collect()
}

fn write(items: &Items) -> Vec<u8> {
    let arrays = items.iter().map(|(k, d, b)| (k.clone(), Array::Raw(*d, b))).collect();
    Writer::new(arrays).unwrap().to_bytes().unwrap()
}

/// The example file with `edit` applied to its items.
fn edited(edit: impl FnOnce(&mut Items)) -> Vec<u8> {
    let mut all = items(&example());
    edit(&mut all);
    write(&all)
}

fn item<'a>(items: &'a mut Items, key: &str) -> &'a mut (String, Dtype, Vec<u8>) {
    items.iter_mut().find(|(k, _, _)| k == key).unwrap()
}

fn remove(items: &mut Items, key: &str) {
    let n = items.len();
    items.retain(|(k, _, _)| k != key);
    assert_eq!(items.len(), n - 1, "{key}");
}

fn set<T: bytemuck::Pod>(items: &mut Items, key: &str, dtype: Dtype, values: &[T]) {
    let it = item(items, key);
    it.1 = dtype;
    it.2 = bytemuck::cast_slice(values).to_vec();
}

fn err(bytes: &[u8]) -> Failure {
    load_bytes(bytes, 0).expect_err("load should fail")
}

fn assert_err(bytes: &[u8], kind: Error, mentions: &[&str]) {
    let e = err(bytes);
    assert_eq!(e.kind, kind, "{e}");
    for m in mentions {
        assert!(e.detail.contains(m), "'{}' does not mention '{m}'", e.detail);
    }
}

#[test]
fn rewritten_example_is_unchanged() {
    // The editing helpers write the same bytes tskit did.
    assert_eq!(write(&items(&example())), example());
}

#[test]
fn bad_magic() {
    let mut b = example();
    b[1] = b'k';
    assert_err(&b, Error::BadMagic, &[]);
    assert_err(
        b"not a kastore file at all, but long enough for a header....",
        Error::BadMagic,
        &[],
    );
}

#[test]
fn kastore_version() {
    let mut b = example();
    b[8] = 2;
    assert_err(&b, Error::FileVersionTooNew, &["2.0"]);
    b[8] = 0;
    assert_err(&b, Error::FileVersionTooOld, &[]);
    // A newer minor version reads.
    b[8] = 1;
    b[10] = 5;
    assert!(load_bytes(&b, 0).is_ok());
}

#[test]
fn duplicate_key() {
    // Overwrite the key "format/name" with "edges/child" (same length).
    let mut b = example();
    let k = Kastore::open(b.as_slice(), "example").unwrap();
    let pos = |key: &str| {
        let j = k.items().iter().position(|i| i.key == key.as_bytes()).unwrap();
        let d = 64 + 64 * j;
        u64::from_le_bytes(b[d + 8..d + 16].try_into().unwrap()) as usize
    };
    let (from, to) = (pos("edges/child"), pos("format/name"));
    b.copy_within(from..from + 11, to);
    assert_err(&b, Error::DuplicateKey, &["edges/child"]);
}

#[test]
fn format_name_and_version() {
    let b = edited(|i| set(i, "format/name", Dtype::I8, b"tskit.treez"));
    assert_err(&b, Error::FileFormat, &["format/name"]);
    let b = edited(|i| set(i, "format/name", Dtype::U8, b"tskit.trees"));
    assert_err(&b, Error::BadColumnType, &["format/name", "int8", "uint8"]);
    let b = edited(|i| set(i, "format/version", Dtype::U32, &[13u32, 0]));
    assert_err(&b, Error::FileVersionTooNew, &["13.0"]);
    let b = edited(|i| set(i, "format/version", Dtype::U32, &[11u32, 9]));
    assert_err(&b, Error::FileVersionTooOld, &["11.9"]);
    let b = edited(|i| set(i, "format/version", Dtype::U32, &[12u32]));
    assert_err(&b, Error::FileFormat, &["format/version"]);
    let b = edited(|i| set(i, "format/version", Dtype::U32, &[12u32, 99]));
    assert!(load_bytes(&b, 0).is_ok());
}

#[test]
fn collection_fields() {
    let b = edited(|i| set(i, "sequence_length", Dtype::F64, &[1.0f64, 2.0]));
    assert_err(&b, Error::FileFormat, &["sequence_length"]);
    let b = edited(|i| set(i, "sequence_length", Dtype::F64, &[-1.0f64]));
    assert_err(&b, Error::BadSequenceLength, &[]);
    let b = edited(|i| set(i, "sequence_length", Dtype::F64, &[f64::NAN]));
    assert_err(&b, Error::BadSequenceLength, &[]);
    // tskit loads no file with a zero sequence length.
    let b = edited(|i| set(i, "sequence_length", Dtype::F64, &[0.0f64]));
    assert_err(&b, Error::BadSequenceLength, &[]);
    let b = edited(|i| set(i, "uuid", Dtype::I8, &[b'a'; 35]));
    assert_err(&b, Error::FileFormat, &["uuid"]);
    let b = edited(|i| set(i, "time_units", Dtype::U8, b"years"));
    assert_err(&b, Error::BadColumnType, &["time_units"]);
}

/// What removing each key does, as tskit 1.0.3 does it (found by removing
/// each key of a tskit-written file in turn and loading it with tskit).
fn removal_outcome(key: &str) -> Option<Error> {
    let optional_pairs = [
        "edges/metadata",
        "migrations/metadata",
        "individuals/parents",
        "indexes/edge_insertion_order",
        "indexes/edge_removal_order",
    ];
    if key.ends_with("metadata_schema")
        || key.starts_with("reference_sequence/")
        || ["metadata", "time_units", "mutations/time"].contains(&key)
    {
        None
    } else if key.ends_with("_offset") || optional_pairs.contains(&key) {
        Some(Error::BothColumnsRequired)
    } else {
        Some(Error::RequiredColNotFound)
    }
}

#[test]
fn each_key_removed() {
    let original = items(&example());
    let full = load_bytes(&example(), 0).unwrap();
    assert_eq!(original.len(), 66);
    for (key, _, _) in &original {
        let mut less = original.clone();
        remove(&mut less, key);
        let result = load_bytes(&write(&less), 0);
        match (removal_outcome(key), result) {
            (Some(kind), Err(e)) => {
                assert_eq!(e.kind, kind, "removing {key}: {e}");
                assert!(e.detail.contains(key.as_str()), "removing {key}: {e}");
            }
            (None, Ok(t)) => {
                // What is missing takes its default; nothing else changes.
                let mut expected = full.clone();
                if key == "mutations/time" {
                    assert!(t.mutations.time.iter().all(|x| x.to_bits() == UNKNOWN_TIME_BITS));
                    expected.mutations.time = t.mutations.time.clone();
                } else if key == "time_units" {
                    assert_eq!(t.time_units, b"unknown");
                    expected.time_units = b"unknown".to_vec();
                } else {
                    let field = expected.field_mut(key).unwrap();
                    assert!(!field.is_empty() || key.ends_with("schema"), "{key}");
                    field.clear();
                }
                assert!(t.equals(&expected, 0), "removing {key}");
                assert_eq!(t.reference_sequence, expected.reference_sequence, "removing {key}");
            }
            (expected, result) => panic!("removing {key}: expected {expected:?}, got {:?}", result.err()),
        }
    }
}

#[test]
fn missing_optional_ragged_pair_gives_empty_rows() {
    let b = edited(|i| {
        remove(i, "individuals/parents");
        remove(i, "individuals/parents_offset");
        remove(i, "migrations/metadata");
        remove(i, "migrations/metadata_offset");
    });
    let t = load_bytes(&b, 0).unwrap();
    assert_eq!(t.individuals.parents.num_rows(), 50);
    assert!(t.individuals.parents.data().is_empty());
    assert_eq!(t.migrations.metadata.num_rows(), 1084);
    assert_eq!(t.migrations.metadata.offset(), vec![0u64; 1085]);
}

#[test]
fn wrong_types() {
    // Same size, other type: only the type code differs.
    let b = edited(|i| item(i, "nodes/time").1 = Dtype::I64);
    assert_err(&b, Error::BadColumnType, &["nodes/time", "float64", "int64"]);
    let b = edited(|i| item(i, "edges/parent").1 = Dtype::U32);
    assert_err(&b, Error::BadColumnType, &["edges/parent", "int32", "uint32"]);
    let b = edited(|i| item(i, "sites/ancestral_state").1 = Dtype::I8);
    assert_err(&b, Error::BadColumnType, &["sites/ancestral_state", "uint8", "int8"]);
    let b = edited(|i| item(i, "sites/ancestral_state_offset").1 = Dtype::I32);
    assert_err(
        &b,
        Error::BadColumnType,
        &["sites/ancestral_state_offset", "uint32 or uint64"],
    );
    let b = edited(|i| item(i, "nodes/metadata_schema").1 = Dtype::I8);
    assert_err(&b, Error::BadColumnType, &["nodes/metadata_schema"]);
    let b = edited(|i| item(i, "indexes/edge_removal_order").1 = Dtype::U32);
    assert_err(&b, Error::BadColumnType, &["indexes/edge_removal_order"]);
    let b = edited(|i| item(i, "reference_sequence/url").1 = Dtype::I8);
    assert_err(&b, Error::BadColumnType, &["reference_sequence/url"]);
}

#[test]
fn column_lengths_disagree() {
    let b = edited(|i| {
        item(i, "nodes/population").2.truncate(4 * 322);
    });
    assert_err(&b, Error::ColumnLengthMismatch, &["nodes/population", "322", "323"]);
    let b = edited(|i| {
        item(i, "mutations/metadata_offset").2.truncate(4 * 167);
    });
    assert_err(&b, Error::ColumnLengthMismatch, &["mutations/metadata_offset"]);
    let b = edited(|i| item(i, "mutations/metadata_offset").2.clear());
    assert_err(&b, Error::FileFormat, &["mutations/metadata_offset"]);
    // Tables made only of ragged columns take their length from offsets.
    let b = edited(|i| {
        item(i, "provenances/record_offset")
            .2
            .extend_from_slice(&0u32.to_le_bytes());
    });
    assert_err(&b, Error::ColumnLengthMismatch, &["provenances/record_offset"]);
}

#[test]
fn bad_offsets() {
    let b = edited(|i| {
        let it = item(i, "sites/ancestral_state_offset");
        it.2[4..8].copy_from_slice(&1000u32.to_le_bytes());
    });
    assert_err(&b, Error::BadOffset, &["sites/ancestral_state"]);
    let b = edited(|i| {
        let it = item(i, "nodes/metadata_offset");
        let n = it.2.len();
        it.2[n - 4..].copy_from_slice(&7u32.to_le_bytes());
    });
    assert_err(&b, Error::BadOffset, &["nodes/metadata"]);
    let b = edited(|i| {
        let it = item(i, "nodes/metadata_offset");
        it.2[..4].copy_from_slice(&1u32.to_le_bytes());
    });
    assert_err(&b, Error::BadOffset, &["nodes/metadata"]);
}

#[test]
fn edge_indexes() {
    let b = edited(|i| {
        item(i, "indexes/edge_insertion_order").2.truncate(4 * 749);
        item(i, "indexes/edge_removal_order").2.truncate(4 * 749);
    });
    assert_err(&b, Error::FileFormat, &["indexes/edge_insertion_order", "749", "750"]);
    let b = edited(|i| {
        remove(i, "indexes/edge_insertion_order");
        remove(i, "indexes/edge_removal_order");
    });
    assert!(load_bytes(&b, 0).unwrap().indexes.is_none());
}

#[test]
fn unknown_keys_ignored() {
    let b = edited(|i| i.push(("zzz/extra".to_string(), Dtype::F32, vec![0; 12])));
    let t = load_bytes(&b, 0).unwrap();
    assert!(t.equals(&load_bytes(&example(), 0).unwrap(), 0));
}

// ------------------------------------------------------------ file system

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("tspar-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn small() -> TableCollection {
    let mut t = TableCollection::new(1.0).unwrap();
    t.add_population(b"p").unwrap();
    t
}

#[test]
fn load_file_errors() {
    let dir = TempDir::new("io-load-errors");
    let e = load(&dir.0, 0).unwrap_err();
    assert_eq!(e.kind, Error::IsADirectory, "{e}");
    let missing = dir.0.join("missing.trees");
    let e = load(&missing, 0).unwrap_err();
    assert_eq!(e.kind, Error::FileNotFound, "{e}");
    assert!(e.detail.contains("missing.trees"), "{e}");

    let empty = dir.0.join("empty.trees");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(load(&empty, 0).unwrap_err().kind, Error::FileTruncated);

    let path = dir.0.join("locked.trees");
    dump(&small(), &path, 0).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let result = load(&path, 0);
    // root reads files whatever their permissions say.
    if !is_root() {
        let e = result.unwrap_err();
        assert_eq!(e.kind, Error::PermissionDenied, "{e}");
        assert!(e.detail.contains("locked.trees"), "{e}");
    }
}

#[test]
fn dump_file_errors() {
    let dir = TempDir::new("io-dump-errors");
    let t = small();
    let e = dump(&t, &dir.0.join("no/such/dir/out.trees"), 0).unwrap_err();
    assert_eq!(e.kind, Error::FileNotFound, "{e}");
    let e = dump(&t, &dir.0, 0).unwrap_err();
    assert_eq!(e.kind, Error::IsADirectory, "{e}");
    assert!(dir.names().is_empty());

    // A failed dump leaves the file it would have replaced as it was, and
    // no temporary file behind.
    let path = dir.0.join("keep.trees");
    dump(&t, &path, 0).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut bad = small();
    bad.nodes.time.push(1.0);
    assert_eq!(dump(&bad, &path, 0).unwrap_err().kind, Error::ColumnLengthMismatch);
    assert_eq!(dump(&t, &path, 1).unwrap_err().kind, Error::BadOptions);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(dir.names(), ["keep.trees"]);

    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o555)).unwrap();
        let mut other = small();
        other.add_population(b"q").unwrap();
        let e = dump(&other, &path, 0).unwrap_err();
        assert_eq!(e.kind, Error::PermissionDenied, "{e}");
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(dir.names(), ["keep.trees"]);
    }
}

#[test]
fn dump_through_a_symlink_replaces_its_target() {
    let dir = TempDir::new("io-dump-symlink");
    let target = dir.0.join("target.trees");
    let link = dir.0.join("link.trees");
    dump(&small(), &target, 0).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut t = small();
    t.add_population(b"second").unwrap();
    dump(&t, &link, 0).unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(load(&target, 0).unwrap().num_rows(TableKind::Populations), 2);
    assert_eq!(dir.names(), ["link.trees", "target.trees"]);
}

/// No detail says again what its kind's message says.
fn assert_not_repeated(e: &Failure) {
    let kind = e.kind.to_string().to_lowercase();
    assert!(!e.detail.to_lowercase().contains(&kind), "'{e}' repeats '{kind}'");
}

#[test]
fn other_formats_are_named_with_what_to_do() {
    let zip = [b"PK\x03\x04".as_slice(), &[0u8; 80]].concat();
    let hdf5 = [b"\x89HDF\r\n\x1a\n".as_slice(), &[0u8; 80]].concat();
    let gzip = [b"\x1f\x8b\x08\x00".as_slice(), &[0u8; 80]].concat();
    for (bytes, mentions) in [
        (&zip, &["zip", "tszip -d", "tszip.decompress"][..]),
        (&hdf5, &["HDF5", "tskit upgrade"][..]),
        (&gzip, &["gzip", "gunzip"][..]),
        (
            &b"a text file, long enough for a kastore header.............".to_vec(),
            &["damaged"][..],
        ),
    ] {
        let e = err(bytes);
        assert_eq!(e.kind, Error::BadMagic, "{e}");
        assert_not_repeated(&e);
        for m in mentions {
            assert!(e.detail.contains(m), "'{}' does not mention '{m}'", e.detail);
        }
    }
}

#[test]
fn empty_path_is_a_missing_file_name() {
    for e in [
        load(Path::new(""), 0).unwrap_err(),
        dump(&small(), Path::new(""), 0).unwrap_err(),
    ] {
        assert_eq!(e.kind, Error::FileNotFound, "{e}");
        assert!(e.detail.contains("no file name"), "{e}");
    }
}

#[test]
fn file_system_messages_say_it_once() {
    let dir = TempDir::new("io-messages");
    let e = dump(&small(), &dir.0, 0).unwrap_err();
    assert_eq!(e.kind, Error::IsADirectory);
    assert_not_repeated(&e);
    assert!(!e.detail.to_lowercase().contains("is a directory"), "{e}");
    let e = load(&dir.0, 0).unwrap_err();
    assert_eq!(e.kind, Error::IsADirectory);
    assert!(!e.detail.to_lowercase().contains("is a directory"), "{e}");
    let e = load(&dir.0.join("missing.trees"), 0).unwrap_err();
    assert!(!e.detail.contains("No such file"), "{e}");
    assert!(e.detail.contains("missing.trees"), "{e}");
}

#[test]
fn unknown_option_bits_said_once() {
    let e = load_bytes(&example(), 1 << 30).unwrap_err();
    assert_eq!(e.kind, Error::BadOptions);
    assert_not_repeated(&e);
    assert!(e.detail.contains("0x40000000"), "{e}");
    let e = dump(&small(), Path::new("x.trees"), 1 << 30).unwrap_err();
    assert_eq!(e.kind, Error::BadOptions);
    assert_not_repeated(&e);
}
