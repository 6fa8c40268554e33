//! The kastore container that `.trees` files are written in: a 64-byte
//! header, one 64-byte descriptor per item, the keys packed together, then
//! each item's array aligned to 8 bytes. Everything is little-endian.
//!
//! The reader trusts nothing in a file: every offset and length is checked
//! against the file's real size (with checked arithmetic) before anything
//! is read or allocated, so a damaged file gives an error, never a panic or
//! an allocation sized by garbage. Arrays are read when asked for, straight
//! into a vector of their final type (large ones in pieces on several
//! threads), so a caller never holds the whole file and the tables at once.

use std::borrow::Cow;
use std::io::Write;

use crate::error::{fail, Error, Failure, Result};
use crate::tables::Dtype;

// Arrays are moved between memory and the file by casting, not by decoding
// each value: that is only right where memory is little-endian too.
#[cfg(target_endian = "big")]
compile_error!("tspar reads and writes files by casting columns to bytes and needs a little-endian target");

pub const MAGIC: [u8; 8] = *b"\x89KAS\r\n\x1a\n";
pub const VERSION_MAJOR: u16 = 1;
pub const VERSION_MINOR: u16 = 0;
pub const HEADER_SIZE: u64 = 64;
pub const DESCRIPTOR_SIZE: u64 = 64;
/// Every array starts at a multiple of this.
pub const ARRAY_ALIGN: u64 = 8;

/// Bytes that can be read at any offset: a file, or a buffer in memory.
/// Large arrays are read in pieces on several threads at once.
pub trait Source: Sync {
    fn size(&self) -> u64;
    /// Fills `buf` from `offset`; an error if the source ends first.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()>;
    /// The mapped file whose arrays columns can use in place, if any.
    fn mapped(&self) -> Option<&super::mmap::MappedSource> {
        None
    }
}

impl Source for &[u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        let src = usize::try_from(offset)
            .ok()
            .and_then(|start| self.get(start..start.checked_add(buf.len())?))
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// An open file read with positioned reads; its size is taken once, when
/// it is opened.
#[derive(Debug)]
pub struct FileSource {
    file: std::fs::File,
    size: u64,
}

impl FileSource {
    /// Fails with `EISDIR` for a directory, which opens but cannot be read.
    pub fn new(file: std::fs::File) -> std::io::Result<Self> {
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(std::io::Error::from_raw_os_error(libc::EISDIR));
        }
        Ok(FileSource { file, size: meta.len() })
    }
}

impl Source for FileSource {
    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, offset)
    }
}

/// One item as its descriptor gives it, checked to lie inside the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: Vec<u8>,
    pub dtype: Dtype,
    /// Number of elements, not bytes.
    pub len: u64,
    /// Byte offset of the array in the file.
    pub start: u64,
}

impl Item {
    pub fn key_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.key)
    }

    /// The array's size in bytes (saturating: for an item of this store
    /// it is known to fit in the file).
    pub fn byte_len(&self) -> u64 {
        self.len.saturating_mul(self.dtype.size() as u64)
    }
}

/// A kastore opened for reading: the item list is read and checked; arrays
/// are read on demand with [`Kastore::read`].
pub struct Kastore<S> {
    source: S,
    name: String,
    /// Sorted by key, without duplicates.
    items: Vec<Item>,
    /// Threads for reading large arrays (1: only the calling thread).
    threads: usize,
}

fn checked_usize(n: u64) -> Result<usize> {
    usize::try_from(n).map_err(|_| Failure::new(Error::NoMemory, format!("an array of {n} elements is too large")))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// What a file that is not a kastore looks like, and what to do with it
/// (as tskit says for the same files).
fn not_kastore(name: &str, start: &[u8]) -> String {
    if start.starts_with(b"PK\x03\x04") || start.starts_with(b"PK\x05\x06") {
        format!(
            "{name} is a zip file, perhaps a tree sequence compressed by tszip (.tsz): \
             decompress it first (`tszip -d {name}`, or tszip.decompress in Python) and load the result"
        )
    } else if start.starts_with(b"\x89HDF\r\n\x1a\n") {
        format!(
            "{name} is in the legacy HDF5 format of msprime < 0.6.0 (June 2018), which can no longer be \
             read directly: convert it to the kastore format with the `tskit upgrade` command of tskit < 0.6.2"
        )
    } else if start.starts_with(b"\x1f\x8b") {
        format!("{name} is a gzip file: decompress it first (`gunzip {name}`) and load the result")
    } else {
        format!("{name}: the file is damaged or is not a tree sequence file")
    }
}

impl<S: Source> Kastore<S> {
    /// Reads and checks the header, the descriptors and the keys. `name`
    /// (usually the path) is used in error messages.
    pub fn open(source: S, name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let size = source.size();
        let read = |buf: &mut [u8], offset: u64| {
            source
                .read_at(buf, offset)
                .map_err(|e| Failure::new(Error::from_io(&e), format!("{name}: reading at byte {offset}: {e}")))
        };

        let mut header = [0u8; HEADER_SIZE as usize];
        let have = size.min(HEADER_SIZE) as usize;
        read(&mut header[..have], 0)?;
        let magic_have = have.min(MAGIC.len());
        if header[..magic_have] != MAGIC[..magic_have] {
            fail!(Error::BadMagic, "{}", not_kastore(&name, &header[..have]));
        }
        if size < HEADER_SIZE {
            fail!(
                Error::FileTruncated,
                "{name}: file has {size} bytes, shorter than the {HEADER_SIZE}-byte kastore header"
            );
        }
        let major = u16_at(&header, 8);
        let minor = u16_at(&header, 10);
        if major > VERSION_MAJOR {
            fail!(
                Error::FileVersionTooNew,
                "{name}: kastore version {major}.{minor}, this library reads {VERSION_MAJOR}.x"
            );
        }
        if major < VERSION_MAJOR {
            fail!(
                Error::FileVersionTooOld,
                "{name}: kastore version {major}.{minor}, this library reads {VERSION_MAJOR}.x"
            );
        }
        let num_items = u32_at(&header, 12);
        let file_size = u64_at(&header, 16);
        if file_size > size {
            fail!(
                Error::FileTruncated,
                "{name}: header gives a file size of {file_size} bytes but the file has {size}"
            );
        }
        if file_size < HEADER_SIZE {
            fail!(
                Error::FileFormat,
                "{name}: header gives a file size of {file_size} bytes, less than the header itself"
            );
        }
        // As in kastore (and so tskit), the store is the first `file_size`
        // bytes and whatever follows is ignored: one stream may hold several
        // stores written one after another.
        let size = file_size;
        // Cannot overflow: num_items < 2^32.
        let descriptors_end = HEADER_SIZE + DESCRIPTOR_SIZE * u64::from(num_items);
        if descriptors_end > size {
            fail!(
                Error::FileFormat,
                "{name}: {num_items} item descriptors do not fit in a file of {size} bytes"
            );
        }
        let mut descriptors = crate::alloc::zeroed((descriptors_end - HEADER_SIZE) as usize, "the item descriptors")?;
        read(&mut descriptors, HEADER_SIZE)?;

        let mut items = crate::alloc::with_capacity(num_items as usize, "the item list")?;
        let mut key_bytes: u64 = 0;
        for (j, d) in descriptors.chunks_exact(DESCRIPTOR_SIZE as usize).enumerate() {
            let Some(dtype) = Dtype::from_code(d[0]) else {
                fail!(Error::BadColumnType, "{name}: item {j} has unknown type code {}", d[0]);
            };
            let (key_start, key_len) = (u64_at(d, 8), u64_at(d, 16));
            let (start, len) = (u64_at(d, 24), u64_at(d, 32));
            let inside = |start: u64, bytes: Option<u64>| {
                bytes.and_then(|b| start.checked_add(b)).is_some_and(|end| end <= size)
            };
            if !inside(key_start, Some(key_len)) {
                fail!(
                    Error::BadItemOffset,
                    "{name}: item {j}: key at {key_start} of length {key_len} is outside the file ({size} bytes)"
                );
            }
            if !inside(start, len.checked_mul(dtype.size() as u64)) {
                fail!(
                    Error::BadItemOffset,
                    "{name}: item {j}: array at {start} of {len} {} elements is outside the file ({size} bytes)",
                    dtype.name()
                );
            }
            // Keys may not overlap so much that reading them costs more
            // memory than the file's size.
            key_bytes += key_len;
            if key_bytes > size {
                fail!(
                    Error::BadItemOffset,
                    "{name}: item keys add up to more than the file's size"
                );
            }
            let mut key = crate::alloc::zeroed(key_len as usize, "an item key")?;
            read(&mut key, key_start)?;
            items.push(Item { key, dtype, len, start });
        }
        // Unstable: a stable sort would allocate a buffer sized by the file's item count.
        items.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        if let Some(w) = items.windows(2).find(|w| w[0].key == w[1].key) {
            fail!(
                Error::DuplicateKey,
                "{name}: key '{}' appears more than once",
                w[0].key_str()
            );
        }
        Ok(Kastore {
            source,
            name,
            items,
            threads: crate::parallel::default_threads(),
        })
    }

    /// Reads large arrays with `threads` threads (the default: the default
    /// thread count). The bytes read do not depend on it.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.clamp(1, crate::parallel::MAX_THREADS);
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every item, sorted by key.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn get(&self, key: &str) -> Option<&Item> {
        self.items
            .binary_search_by(|item| item.key.as_slice().cmp(key.as_bytes()))
            .ok()
            .map(|j| &self.items[j])
    }

    /// Reads an item's array as bytes in file order, whatever its type.
    pub fn read_bytes(&self, item: &Item) -> Result<Vec<u8>> {
        let mut out = crate::alloc::zeroed(checked_usize(item.byte_len())?, &self.what(item))?;
        self.read_into(&mut out, item)?;
        Ok(out)
    }

    /// Reads an item's array into a vector of `T`, which must have the
    /// item's element size (the caller has checked the type).
    pub fn read<T: bytemuck::Pod>(&self, item: &Item) -> Result<Vec<T>> {
        if std::mem::size_of::<T>() != item.dtype.size() {
            fail!(
                Error::Internal,
                "{}: '{}' read with an element size of {} bytes, but it is {}",
                self.name,
                item.key_str(),
                std::mem::size_of::<T>(),
                item.dtype.name()
            );
        }
        // The length was checked against the file size when the item list
        // was read, so this allocation is bounded by the file.
        let mut out = crate::alloc::zeroed::<T>(checked_usize(item.len)?, &self.what(item))?;
        self.read_into(bytemuck::cast_slice_mut(&mut out), item)?;
        Ok(out)
    }

    /// What an item's array is, for a message saying it could not be allocated.
    /// An item's array as a column: in place when the source is mapped
    /// and the array is aligned for `T`, else read into a vector.
    pub fn column<T: bytemuck::Pod + Send + Sync>(&self, item: &Item) -> Result<crate::tables::Col<T>> {
        if std::mem::size_of::<T>() == item.dtype.size() {
            if let Some(col) = self.source.mapped().and_then(|m| m.column(item.start, item.len)) {
                return Ok(col);
            }
        }
        Ok(self.read(item)?.into())
    }

    /// Whether arrays are used in place (the source is mapped).
    pub fn is_mapped(&self) -> bool {
        self.source.mapped().is_some()
    }

    pub fn what(&self, item: &Item) -> String {
        format!("'{}' of {}", item.key_str(), self.name)
    }

    /// Reads an item's array as bytes into `buf`, which must be exactly
    /// the array's size.
    pub fn read_into(&self, buf: &mut [u8], item: &Item) -> Result<()> {
        if buf.len() as u64 != item.byte_len() {
            fail!(
                Error::Internal,
                "{}: '{}' read into {} bytes, but it has {}",
                self.name,
                item.key_str(),
                buf.len(),
                item.byte_len()
            );
        }
        advise_huge_pages(buf);
        // Reading from the page cache into new memory costs copying and
        // page faults, which several threads share out: with two cores a
        // large file loads in about 60% of the time. Pieces are large
        // enough that scheduling them costs little.
        const PARALLEL_MIN: usize = 1 << 20;
        const PIECE: usize = 256 << 10;
        let threads = if buf.len() >= PARALLEL_MIN { self.threads } else { 1 };
        let result = if threads > 1 {
            use rayon::prelude::*;
            crate::parallel::run(threads, || {
                buf.par_chunks_mut(PIECE)
                    .enumerate()
                    .try_for_each(|(j, piece)| self.source.read_at(piece, item.start + (j * PIECE) as u64))
            })?
        } else {
            self.source.read_at(buf, item.start)
        };
        result.map_err(|e| {
            Failure::new(
                Error::from_io(&e),
                format!("{}: reading '{}': {e}", self.name, item.key_str()),
            )
        })
    }
}

/// Asks the kernel to back the 2 MiB-aligned part of a large buffer that
/// is about to be filled with transparent huge pages. Filling new memory
/// costs a page fault per 4 KiB page (allocating, zeroing, accounting),
/// which was most of the time of a load; with huge pages one fault covers
/// 2 MiB. Only advice: where huge pages are off or unavailable nothing
/// changes, and the buffer's contents never do.
pub fn advise_huge_pages(buf: &mut [u8]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        if buf.len() < HUGE {
            return;
        }
        let start = buf.as_mut_ptr() as usize;
        let first = start.next_multiple_of(HUGE);
        let end = (start + buf.len()) / HUGE * HUGE;
        if end > first {
            // SAFETY: [first, end) lies inside `buf`, memory this process
            // owns, and starts on a page boundary; MADV_HUGEPAGE changes how
            // the kernel backs the range, not what it holds. Failure (e.g. a
            // kernel without transparent huge pages) is harmless and ignored.
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
}

/// An array to write.
#[derive(Clone, Copy, Debug)]
pub enum Array<'a> {
    /// Elements of `Dtype`, as bytes in file order.
    Raw(Dtype, &'a [u8]),
    /// `u64` values written as `uint32` (the caller has checked they fit),
    /// converted while writing instead of into a second copy.
    U64AsU32(&'a [u64]),
}

impl Array<'_> {
    pub fn dtype(&self) -> Dtype {
        match self {
            Array::Raw(dtype, _) => *dtype,
            Array::U64AsU32(_) => Dtype::U32,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> u64 {
        match self {
            Array::Raw(dtype, bytes) => (bytes.len() / dtype.size()) as u64,
            Array::U64AsU32(v) => v.len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn byte_len(&self) -> u64 {
        self.len() * self.dtype().size() as u64
    }

    fn write_to<W: Write>(&self, out: &mut W) -> std::io::Result<()> {
        match self {
            Array::Raw(_, bytes) => out.write_all(bytes),
            Array::U64AsU32(values) => {
                let mut buf = [0u32; 8192];
                for chunk in values.chunks(buf.len()) {
                    for (b, &v) in buf.iter_mut().zip(chunk) {
                        *b = v as u32;
                    }
                    out.write_all(bytemuck::cast_slice(&buf[..chunk.len()]))?;
                }
                Ok(())
            }
        }
    }
}

/// A kastore to write: items sorted by key, keys packed after the
/// descriptors, arrays aligned to [`ARRAY_ALIGN`], no trailing padding.
pub struct Writer<'a> {
    items: Vec<(String, Array<'a>)>,
    /// Where each item's key and array start, in item order.
    key_starts: Vec<u64>,
    array_starts: Vec<u64>,
    size: u64,
}

fn align(offset: u64) -> u64 {
    offset.div_ceil(ARRAY_ALIGN) * ARRAY_ALIGN
}

impl<'a> Writer<'a> {
    pub fn new(mut items: Vec<(String, Array<'a>)>) -> Result<Self> {
        if items.len() > u32::MAX as usize {
            fail!(Error::Internal, "{} items is more than a kastore holds", items.len());
        }
        for (key, array) in &items {
            if let Array::Raw(dtype, bytes) = array {
                if bytes.len() % dtype.size() != 0 {
                    fail!(
                        Error::Internal,
                        "'{key}': {} bytes is not a whole number of {} elements",
                        bytes.len(),
                        dtype.name()
                    );
                }
            }
        }
        items.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        if let Some(w) = items.windows(2).find(|w| w[0].0 == w[1].0) {
            fail!(Error::DuplicateKey, "key '{}' given more than once", w[0].0);
        }
        let mut offset = HEADER_SIZE + DESCRIPTOR_SIZE * items.len() as u64;
        let mut key_starts = Vec::with_capacity(items.len());
        for (key, _) in &items {
            key_starts.push(offset);
            offset += key.len() as u64;
        }
        let mut array_starts = Vec::with_capacity(items.len());
        for (_, array) in &items {
            offset = align(offset);
            array_starts.push(offset);
            offset += array.byte_len();
        }
        Ok(Writer {
            items,
            key_starts,
            array_starts,
            size: offset,
        })
    }

    /// The size of the file [`Writer::write_to`] writes.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn write_to<W: Write>(&self, out: &mut W) -> std::io::Result<()> {
        let mut header = [0u8; HEADER_SIZE as usize];
        header[..8].copy_from_slice(&MAGIC);
        header[8..10].copy_from_slice(&VERSION_MAJOR.to_le_bytes());
        header[10..12].copy_from_slice(&VERSION_MINOR.to_le_bytes());
        header[12..16].copy_from_slice(&(self.items.len() as u32).to_le_bytes());
        header[16..24].copy_from_slice(&self.size.to_le_bytes());
        out.write_all(&header)?;
        for (j, (key, array)) in self.items.iter().enumerate() {
            let mut d = [0u8; DESCRIPTOR_SIZE as usize];
            d[0] = array.dtype() as u8;
            d[8..16].copy_from_slice(&self.key_starts[j].to_le_bytes());
            d[16..24].copy_from_slice(&(key.len() as u64).to_le_bytes());
            d[24..32].copy_from_slice(&self.array_starts[j].to_le_bytes());
            d[32..40].copy_from_slice(&array.len().to_le_bytes());
            out.write_all(&d)?;
        }
        let mut offset = HEADER_SIZE + DESCRIPTOR_SIZE * self.items.len() as u64;
        for (key, _) in &self.items {
            out.write_all(key.as_bytes())?;
            offset += key.len() as u64;
        }
        for (j, (_, array)) in self.items.iter().enumerate() {
            let pad = self.array_starts[j] - offset;
            out.write_all(&[0u8; ARRAY_ALIGN as usize][..pad as usize])?;
            array.write_to(out)?;
            offset = self.array_starts[j] + array.byte_len();
        }
        debug_assert_eq!(offset, self.size);
        Ok(())
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let size = usize::try_from(self.size).unwrap_or(usize::MAX);
        let mut out = crate::alloc::with_capacity(size, "the file's bytes")?;
        self.write_to(&mut out).expect("writing to memory cannot fail");
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let f = [1.5f64, -2.0];
        let u = [7u64, 1 << 20];
        let items = vec![
            ("zeta".to_string(), Array::Raw(Dtype::F64, bytemuck::cast_slice(&f))),
            ("alpha".to_string(), Array::Raw(Dtype::I8, b"abc")),
            ("alphabet".to_string(), Array::U64AsU32(&u)),
            ("empty".to_string(), Array::Raw(Dtype::I32, &[])),
        ];
        Writer::new(items).unwrap().to_bytes().unwrap()
    }

    #[test]
    fn layout_is_kastore_1_0() {
        let b = sample();
        assert_eq!(&b[..8], &MAGIC);
        assert_eq!(u16_at(&b, 8), 1);
        assert_eq!(u16_at(&b, 10), 0);
        assert_eq!(u32_at(&b, 12), 4);
        assert_eq!(u64_at(&b, 16), b.len() as u64);
        assert!(b[24..64].iter().all(|&x| x == 0));
        // Keys sorted bytewise, shorter first on a shared prefix, packed
        // right after the descriptors.
        let keys_start = 64 + 4 * 64;
        let mut next_key = keys_start as u64;
        let mut next_array = 0;
        let names: Vec<_> = (0..4)
            .map(|j| {
                let d = &b[64 + 64 * j..128 + 64 * j];
                assert!(d[1..8].iter().all(|&x| x == 0) && d[40..].iter().all(|&x| x == 0));
                let (ks, kl, start, len) = (u64_at(d, 8), u64_at(d, 16), u64_at(d, 24), u64_at(d, 32));
                assert_eq!(ks, next_key);
                next_key += kl;
                assert_eq!(start % 8, 0);
                assert!(start >= next_array);
                next_array = start + len * Dtype::from_code(d[0]).unwrap().size() as u64;
                String::from_utf8(b[ks as usize..(ks + kl) as usize].to_vec()).unwrap()
            })
            .collect();
        assert_eq!(names, ["alpha", "alphabet", "empty", "zeta"]);
        assert_eq!(next_array, b.len() as u64);
        assert_eq!(b[64], Dtype::I8 as u8);
        assert_eq!(b[128], Dtype::U32 as u8);
    }

    #[test]
    fn read_back() {
        let b = sample();
        let k = Kastore::open(b.as_slice(), "mem").unwrap();
        assert_eq!(k.items().len(), 4);
        let z = k.get("zeta").unwrap();
        assert_eq!(z.dtype, Dtype::F64);
        assert_eq!(k.read::<f64>(z).unwrap(), [1.5, -2.0]);
        assert_eq!(k.read::<u8>(k.get("alpha").unwrap()).unwrap(), b"abc");
        assert_eq!(k.read_bytes(z).unwrap(), bytemuck::cast_slice(&[1.5f64, -2.0]));
        assert_eq!(k.read::<u32>(k.get("alphabet").unwrap()).unwrap(), [7, 1 << 20]);
        assert!(k.read::<i32>(k.get("empty").unwrap()).unwrap().is_empty());
        assert!(k.get("alph").is_none());
        assert_eq!(k.read::<u32>(z).unwrap_err().kind, Error::Internal);
    }

    #[test]
    fn header_errors() {
        let b = sample();
        let open = |b: &[u8]| Kastore::open(b, "mem").err().map(|e| e.kind);
        assert_eq!(open(&[]), Some(Error::FileTruncated));
        assert_eq!(open(&b[..5]), Some(Error::FileTruncated));
        assert_eq!(open(b"\x89KAT"), Some(Error::BadMagic));
        assert_eq!(open(&b[..63]), Some(Error::FileTruncated));
        assert_eq!(open(&b[..b.len() - 1]), Some(Error::FileTruncated));
        let mut longer = b.clone();
        longer.extend_from_slice(b"another store");
        let k = Kastore::open(longer.as_slice(), "mem").unwrap();
        assert_eq!(k.read::<f64>(k.get("zeta").unwrap()).unwrap(), [1.5, -2.0]);
        let mut c = longer.clone();
        c[16..24].copy_from_slice(&63u64.to_le_bytes());
        assert_eq!(open(&c), Some(Error::FileFormat));
        // Items are checked against the size the header gives, not the
        // stream's: an array reaching into the bytes after the store is bad.
        let mut c = longer.clone();
        let n = u64_at(&c, 64 + 3 * 64 + 32);
        c[64 + 3 * 64 + 32..64 + 3 * 64 + 40].copy_from_slice(&(n + 1).to_le_bytes());
        assert_eq!(open(&c), Some(Error::BadItemOffset));
        let mut c = b.clone();
        c[8] = 2;
        assert_eq!(open(&c), Some(Error::FileVersionTooNew));
        c[8] = 0;
        assert_eq!(open(&c), Some(Error::FileVersionTooOld));
        let mut c = b.clone();
        c[64] = 10;
        assert_eq!(open(&c), Some(Error::BadColumnType));
        let mut c = b.clone();
        c[12] = 200;
        assert_eq!(open(&c), Some(Error::FileFormat));
        // Second item's array length made huge.
        let mut c = b.clone();
        c[128 + 32..128 + 40].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(open(&c), Some(Error::BadItemOffset));
        let mut c = b.clone();
        c[128 + 8..128 + 16].copy_from_slice(&(u64::MAX - 2).to_le_bytes());
        assert_eq!(open(&c), Some(Error::BadItemOffset));
        // Rename "alphabet" to "alpha": a duplicate key once the lengths agree.
        let mut c = b.clone();
        c[128 + 16..128 + 24].copy_from_slice(&5u64.to_le_bytes());
        assert_eq!(open(&c), Some(Error::DuplicateKey));
    }

    #[test]
    fn writer_rejects_duplicates() {
        let items = vec![
            ("a".to_string(), Array::Raw(Dtype::U8, b"x")),
            ("a".to_string(), Array::Raw(Dtype::U8, b"y")),
        ];
        assert_eq!(Writer::new(items).err().unwrap().kind, Error::DuplicateKey);
    }
}
