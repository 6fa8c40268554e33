//! Damaged copies of a tskit-written file (truncated, single bytes changed,
//! descriptor fields set to huge or slightly wrong values) are rejected
//! with an error, or read, but never make the reader panic, and never make
//! it allocate by a length the file cannot back.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use tspar::error::{Error, Failure};
use tspar::io::kastore::{Kastore, DESCRIPTOR_SIZE, HEADER_SIZE};
use tspar::io::trees::{dump_bytes, load_bytes};
use tspar::tables::TableCollection;

fn example() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees")).unwrap()
}

/// Loads without panicking (the test fails, naming `what`, if it panics);
/// what loads is written again, which must not panic either.
fn load(bytes: &[u8], what: &dyn Fn() -> String) -> Result<TableCollection, Failure> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let r = load_bytes(bytes, 0);
        if let Ok(t) = &r {
            // Whatever was accepted is well-formed enough to write.
            let _ = dump_bytes(t, 0);
        }
        r
    }));
    match result {
        Ok(r) => r,
        Err(_) => panic!("load panicked: {}", what()),
    }
}

fn kind(r: &Result<TableCollection, Failure>) -> Option<Error> {
    r.as_ref().err().map(|e| e.kind)
}

/// A deterministic xorshift64 generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Layout {
    num_items: usize,
    /// End of the descriptors.
    descriptors_end: usize,
    /// Where the first array starts: header, descriptors and keys lie before.
    arrays_start: usize,
}

fn layout(bytes: &[u8]) -> Layout {
    let k = Kastore::open(bytes, "example").unwrap();
    let num_items = k.items().len();
    Layout {
        num_items,
        descriptors_end: (HEADER_SIZE + DESCRIPTOR_SIZE * num_items as u64) as usize,
        arrays_start: k.items().iter().map(|i| i.start).min().unwrap() as usize,
    }
}

fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// Truncation points: every length through the header, descriptors and
/// keys, then about 2000 through the arrays, and the last byte.
fn truncation_points(len: usize, structure_end: usize) -> Vec<usize> {
    let stride = ((len - structure_end) / 2000).max(1);
    let mut points: Vec<usize> = (0..structure_end).chain((structure_end..len).step_by(stride)).collect();
    points.push(len - 1);
    points
}

#[test]
fn truncated_files() {
    let original = example();
    let l = layout(&original);
    for n in truncation_points(original.len(), l.arrays_start) {
        let r = load(&original[..n], &|| format!("truncated to {n} bytes"));
        // Any cut is caught by the header's file size (or, shorter than
        // the header, by there being no header).
        assert_eq!(kind(&r), Some(Error::FileTruncated), "truncated to {n} bytes");
    }
}

#[test]
fn truncated_files_with_consistent_header() {
    // As if the header's size had been written for the shorter file: then
    // descriptors or items run past the end.
    let original = example();
    let l = layout(&original);
    for n in truncation_points(original.len(), l.arrays_start) {
        let mut b = original[..n].to_vec();
        if n >= 24 {
            put_u64(&mut b, 16, n as u64);
        }
        let r = load(&b, &|| format!("truncated to {n} bytes, header patched"));
        let expected = if n < HEADER_SIZE as usize {
            Error::FileTruncated
        } else if n < l.descriptors_end {
            Error::FileFormat
        } else {
            Error::BadItemOffset
        };
        assert_eq!(kind(&r), Some(expected), "truncated to {n} bytes, header patched");
    }
}

#[test]
fn single_byte_changes() {
    let original = example();
    let l = layout(&original);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut ok, mut failed) = (0, 0);
    for round in 0..3000 {
        // Half the changes fall on the structure (header, descriptors,
        // keys), which is small but where damage matters most.
        let at = if round % 2 == 0 {
            rng.below(l.arrays_start)
        } else {
            rng.below(original.len())
        };
        let flip = (rng.below(255) + 1) as u8;
        let mut b = original.clone();
        b[at] ^= flip;
        let r = load(&b, &|| format!("byte {at} xor {flip:#04x}"));
        if at < 8 {
            assert_eq!(kind(&r), Some(Error::BadMagic), "byte {at} xor {flip:#04x}");
        }
        if r.is_ok() {
            ok += 1;
        } else {
            failed += 1;
        }
    }
    // Changes to array contents mostly load; changes to the structure
    // mostly do not.
    assert!(ok > 100 && failed > 100, "{ok} loaded, {failed} rejected");
}

#[test]
fn descriptor_fields_changed() {
    let original = example();
    let l = layout(&original);
    let size = original.len() as u64;
    for j in 0..l.num_items {
        let d = HEADER_SIZE as usize + DESCRIPTOR_SIZE as usize * j;
        for (field, name) in [
            (8, "key_start"),
            (16, "key_len"),
            (24, "array_start"),
            (32, "array_len"),
        ] {
            let orig = get_u64(&original, d + field);
            let huge = [u64::MAX, u64::MAX - 7, 1 << 63, 1 << 40, size + 1];
            let near = [
                0,
                size,
                size - 1,
                orig.wrapping_add(1),
                orig.wrapping_sub(1),
                orig.wrapping_add(8),
                orig.wrapping_sub(8),
            ];
            for (v, is_huge) in huge.iter().map(|&v| (v, true)).chain(near.iter().map(|&v| (v, false))) {
                let mut b = original.clone();
                put_u64(&mut b, d + field, v);
                let r = load(&b, &|| format!("item {j} {name} = {v}"));
                if is_huge {
                    assert_eq!(kind(&r), Some(Error::BadItemOffset), "item {j} {name} = {v}");
                }
            }
        }
        for code in [10u8, 0x80, 0xff] {
            let mut b = original.clone();
            b[d] = code;
            let r = load(&b, &|| format!("item {j} type code {code}"));
            assert_eq!(kind(&r), Some(Error::BadColumnType), "item {j} type code {code}");
        }
    }
}

#[test]
fn item_count_changed() {
    let original = example();
    let n = layout(&original).num_items as u32;
    for v in [0, 1, n - 1, n + 1, n + 1000, u32::MAX / 64, u32::MAX] {
        let mut b = original.clone();
        b[12..16].copy_from_slice(&v.to_le_bytes());
        let r = load(&b, &|| format!("num_items = {v}"));
        assert!(r.is_err(), "num_items = {v}");
    }
}
