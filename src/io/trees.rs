//! tskit's `.trees` format (file format 12.7) on top of the kastore
//! container: which keys make a table collection, their types, and what
//! may be missing from older files.
//!
//! What is required and what is optional follows tskit 1.x's loader
//! exactly (checked by removing each key from a tskit-written file and
//! loading it with tskit): optional are every metadata schema, the
//! collection's `metadata`, `metadata_schema` and `time_units`, the
//! reference sequence, `mutations/time`, the metadata of edges and
//! migrations, individuals' parents and the edge indexes. Everything else,
//! including the other tables' metadata and `uuid`, is required.
//!
//! The writer walks [`TableCollection::columns`], so every column the
//! tables have is written under the key it is listed with; the reader
//! reads each table's columns under the keys the table's description
//! (`tables/mod.rs`) gives, with what may be missing marked there.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{fail, Error, Failure, Result};
use crate::io::kastore::{Array, FileSource, Item, Kastore, Source, Writer};
use crate::io::mmap::{MappedSource, Mapping};
use crate::tables::{
    check_sequence_length, Col, Column, ColumnSource, Dtype, EdgeIndexes, Elem, Ragged, Spec, Table, TableCollection,
    TableKind,
};

/// Read only the collection-level fields (sequence length, time units,
/// metadata, reference sequence), not the tables. tskit's value.
pub const LOAD_SKIP_TABLES: u32 = 1 << 0;
/// Do not read the reference sequence. tskit's value.
pub const LOAD_SKIP_REFERENCE_SEQUENCE: u32 = 1 << 1;
/// Map the file read-only and use its arrays in place (see `io/mmap.rs`).
/// Not a tskit option; a bit tskit does not use for loading.
pub const LOAD_MMAP: u32 = 1 << 24;
/// Write every offset column as `uint64`, not only those too large for
/// `uint32`. tskit's value.
pub const DUMP_FORCE_OFFSET_64: u32 = 1 << 27;

pub const FORMAT_NAME: &[u8] = b"tskit.trees";
pub const FORMAT_VERSION_MAJOR: u32 = 12;
pub const FORMAT_VERSION_MINOR: u32 = 7;
static FORMAT_VERSION: [u32; 2] = [FORMAT_VERSION_MAJOR, FORMAT_VERSION_MINOR];
const UUID_LEN: usize = 36;

/// Reads a `.trees` file with the default thread count.
pub fn load(path: &Path, options: u32) -> Result<TableCollection> {
    load_with(path, options, crate::parallel::default_threads())
}

/// Reads a `.trees` file, large arrays with `threads` threads.
pub fn load_with(path: &Path, options: u32, threads: usize) -> Result<TableCollection> {
    if options & LOAD_MMAP != 0 {
        let (tables, map) = load_mapped(path, options, threads)?;
        map.check_unchanged(&path.display().to_string())?;
        return Ok(tables);
    }
    check_load_options(options)?;
    check_file_name(path)?;
    let source = File::open(path)
        .and_then(FileSource::new)
        .map_err(|e| io_failure(path, "opening", &e))?;
    let mut kas = Kastore::open(source, path.display().to_string())?;
    kas.set_threads(threads);
    read_tables(&kas, options)
}

/// Reads a `.trees` file mapped read-only, its arrays used in place where
/// their layout allows (see `io/mmap.rs`); `options` must include
/// [`LOAD_MMAP`]. Also gives the mapping, whose
/// [`Mapping::check_unchanged`] the caller runs once it has checked and
/// used what it needs (a tree sequence's checks read every column).
pub fn load_mapped(path: &Path, options: u32, threads: usize) -> Result<(TableCollection, Arc<Mapping>)> {
    check_load_options(options)?;
    check_file_name(path)?;
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| io_failure(path, "opening", &e))?;
    let map = Mapping::map(file).map_err(|e| io_failure(path, "mapping", &e))?;
    // The size mapped is the size at the mapping; a file already shorter
    // now would raise SIGBUS on the pages past its end.
    map.check_unchanged(&name)?;
    let source = MappedSource::new(map);
    let map = source.mapping().clone();
    let mut kas = Kastore::open(source, name)?;
    kas.set_threads(threads);
    let tables = read_tables(&kas, options)?;
    Ok((tables, map))
}

/// Reads a `.trees` file's contents from memory.
pub fn load_bytes(bytes: &[u8], options: u32) -> Result<TableCollection> {
    check_load_options(options)?;
    read_tables(&Kastore::open(bytes, "<memory>")?, options)
}

/// Writes a `.trees` file. The file is written next to `path` under a
/// temporary name and renamed over it only once complete, so a failure
/// leaves an existing file as it was.
pub fn dump(tables: &TableCollection, path: &Path, options: u32) -> Result<()> {
    check_file_name(path)?;
    let uuid = new_uuid();
    let writer = writer(tables, &uuid, options)?;
    write_replacing(path, |out| writer.write_to(out))
}

/// The bytes [`dump`] would write.
pub fn dump_bytes(tables: &TableCollection, options: u32) -> Result<Vec<u8>> {
    let uuid = new_uuid();
    writer(tables, &uuid, options)?.to_bytes()
}

fn check_load_options(options: u32) -> Result<()> {
    let known = LOAD_SKIP_TABLES | LOAD_SKIP_REFERENCE_SEQUENCE | LOAD_MMAP;
    if options & !known != 0 {
        fail!(Error::BadOptions, "load: {:#x}", options & !known);
    }
    Ok(())
}

// ---------------------------------------------------------------- reading

/// Looks keys up in a store, checking presence and type before anything
/// is read.
struct Reader<'k, S> {
    kas: &'k Kastore<S>,
}

impl<'k, S: Source> Reader<'k, S> {
    fn item(&self, key: &str, dtype: Dtype) -> Result<Option<&'k Item>> {
        match self.kas.get(key) {
            Some(item) if item.dtype != dtype => fail!(
                Error::BadColumnType,
                "{}: '{key}' should be {} but is {}",
                self.kas.name(),
                dtype.name(),
                item.dtype.name()
            ),
            found => Ok(found),
        }
    }

    fn required(&self, key: &str, dtype: Dtype) -> Result<&'k Item> {
        match self.item(key, dtype)? {
            Some(item) => Ok(item),
            None => fail!(
                Error::RequiredColNotFound,
                "{}: required key '{key}' not found",
                self.kas.name()
            ),
        }
    }

    /// A required item that must have exactly `len` elements.
    fn fixed(&self, key: &str, dtype: Dtype, len: u64) -> Result<&'k Item> {
        let item = self.required(key, dtype)?;
        if item.len != len {
            fail!(
                Error::FileFormat,
                "{}: '{key}' has {} elements, expected {len}",
                self.kas.name(),
                item.len
            );
        }
        Ok(item)
    }

    fn read<T: bytemuck::Pod>(&self, item: &Item) -> Result<Vec<T>> {
        self.kas.read(item)
    }

    /// An item as a column: in place when the file is mapped.
    fn column<T: bytemuck::Pod + Send + Sync>(&self, item: &Item) -> Result<Col<T>> {
        self.kas.column(item)
    }

    fn optional_bytes(&self, key: &str, dtype: Dtype) -> Result<Option<Vec<u8>>> {
        self.item(key, dtype)?.map(|item| self.read(item)).transpose()
    }

    /// Offsets are stored as `uint32` or `uint64`; they are kept as `u64`.
    fn offsets(&self, key: &str) -> Result<Option<&'k Item>> {
        match self.kas.get(key) {
            Some(item) if !matches!(item.dtype, Dtype::U32 | Dtype::U64) => fail!(
                Error::BadColumnType,
                "{}: '{key}' should be uint32 or uint64 but is {}",
                self.kas.name(),
                item.dtype.name()
            ),
            found => Ok(found),
        }
    }

    /// `data_len`: the number of values in the offsets' data column.
    fn read_offsets(&self, item: &Item, data_len: u64) -> Result<Col<u64>> {
        if item.dtype == Dtype::U64 {
            return self.column(item);
        }
        if data_len == 0 && self.kas.is_mapped() {
            // Offsets of an empty data column (empty metadata, say) are all
            // zero when valid: those are given as fresh zeroed memory, which
            // costs nothing until written, instead of widened copies.
            // Anything else is widened below and checked as usual.
            let mapped: Col<u32> = self.column(item)?;
            if mapped.iter().all(|&o| o == 0) {
                return Ok(crate::alloc::zeroed(mapped.len(), &self.kas.what(item))?.into());
            }
        }
        // The uint32 values are read into the front half of the result and
        // widened in place, so no second array is needed. Seen as u32
        // words, value j is read from word j and written to words 2j and
        // 2j + 1 (little-endian). Widening values a..b with 2a >= b reads
        // only words below 2a and writes only words from 2a up, so blocks
        // taken from the back, each half of what remains, never overwrite a
        // value still to be read.
        let n = item.len as usize;
        let mut out: Vec<u64> = crate::alloc::zeroed(n, &self.kas.what(item))?;
        crate::io::kastore::advise_huge_pages(bytemuck::cast_slice_mut(&mut out));
        let words: &mut [u32] = bytemuck::cast_slice_mut(&mut out);
        self.kas.read_into(bytemuck::cast_slice_mut(&mut words[..n]), item)?;
        let mut b = n;
        while b > 1 {
            let a = b.div_ceil(2);
            let (low, high) = words.split_at_mut(2 * a);
            for (pair, &value) in high.chunks_exact_mut(2).zip(&low[a..b]) {
                pair[0] = value;
                pair[1] = 0;
            }
            b = a;
        }
        // Value 0 is already in place: word 0, with word 1 zero or written.
        if n > 1 {
            words[1] = 0;
        }
        Ok(out.into())
    }

    /// Reads one table, its columns under the keys its description gives.
    fn table<T: Table>(&self) -> Result<T> {
        T::read(&mut TableReader { r: self, rows: None })
    }
}

/// Reads one table's columns, checking that they agree on the number of
/// rows before each is read.
struct TableReader<'r, 'k, S> {
    r: &'r Reader<'k, S>,
    /// The number of rows and the key it was first taken from.
    rows: Option<(u64, String)>,
}

impl<S: Source> TableReader<'_, '_, S> {
    fn set_rows(&mut self, key: &str, rows: u64) -> Result<()> {
        match &self.rows {
            None => self.rows = Some((rows, key.to_string())),
            Some((n, first)) if *n != rows => fail!(
                Error::ColumnLengthMismatch,
                "{}: '{key}' gives {rows} rows but '{first}' gives {n}",
                self.r.kas.name()
            ),
            Some(_) => {}
        }
        Ok(())
    }

    /// The number of rows, when `key` is missing and needs it.
    fn num_rows(&self, key: &str) -> Result<usize> {
        match &self.rows {
            // Every table's first column is required, so this is set by the
            // time it is asked for.
            None => fail!(Error::Internal, "'{key}': number of rows unknown"),
            Some((n, _)) => Ok(*n as usize),
        }
    }
}

impl<S: Source> ColumnSource for TableReader<'_, '_, S> {
    /// A column, or for an optional one that the file lacks, `MISSING` in
    /// every row.
    fn plain<T: Elem>(&mut self, spec: &Spec) -> Result<Col<T>> {
        let key = spec.key;
        let item = if spec.optional {
            self.r.item(key, T::DTYPE)?
        } else {
            Some(self.r.required(key, T::DTYPE)?)
        };
        let Some(item) = item else {
            let what = format!("'{key}' of {}", self.r.kas.name());
            return Ok(crate::alloc::filled(self.num_rows(key)?, T::MISSING, &what)?.into());
        };
        self.set_rows(key, item.len)?;
        self.r.column(item)
    }

    /// A data column and its `_offset` column. Missing both is an error
    /// unless the column is optional, and gives empty rows then.
    fn ragged<T: Elem>(&mut self, spec: &Spec) -> Result<Ragged<T>> {
        let (key, dtype) = (spec.key, T::DTYPE);
        let offset_key = format!("{key}_offset");
        let data = if spec.optional {
            self.r.item(key, dtype)?
        } else {
            Some(self.r.required(key, dtype)?)
        };
        let offset = self.r.offsets(&offset_key)?;
        let (data, offset) = match (data, offset) {
            (Some(d), Some(o)) => (d, o),
            (None, None) => {
                let n = self.num_rows(key)?;
                let offset = crate::alloc::zeroed(n + 1, &format!("'{offset_key}' of {}", self.r.kas.name()))?;
                return Ragged::from_parts(Vec::new(), offset, n, key);
            }
            _ => fail!(
                Error::BothColumnsRequired,
                "{}: '{key}' and '{offset_key}' must both be present or both absent",
                self.r.kas.name()
            ),
        };
        if offset.len == 0 {
            fail!(
                Error::FileFormat,
                "{}: '{offset_key}' is empty; it needs one entry more than the table has rows",
                self.r.kas.name()
            );
        }
        self.set_rows(&offset_key, offset.len - 1)?;
        let data_len = data.len;
        let data = self.r.column::<T>(data)?;
        let offset = self.r.read_offsets(offset, data_len)?;
        let n = offset.len() - 1;
        Ragged::from_parts(data, offset, n, key)
            .map_err(|e| Failure::new(e.kind, format!("{}: {}", self.r.kas.name(), e.detail)))
    }

    fn schema(&mut self, key: &str) -> Result<Vec<u8>> {
        Ok(self.r.optional_bytes(key, Dtype::U8)?.unwrap_or_default())
    }
}

fn read_tables<S: Source>(kas: &Kastore<S>, options: u32) -> Result<TableCollection> {
    let r = Reader { kas };
    let name = kas.name();

    let format_name = r.required("format/name", Dtype::I8)?;
    if format_name.len != FORMAT_NAME.len() as u64 || r.read::<u8>(format_name)? != FORMAT_NAME {
        fail!(Error::FileFormat, "{name}: 'format/name' is not 'tskit.trees'");
    }
    let version = r.read::<u32>(r.fixed("format/version", Dtype::U32, 2)?)?;
    if version[0] > FORMAT_VERSION_MAJOR {
        fail!(
            Error::FileVersionTooNew,
            "{name}: file format version {}.{}, this library reads {FORMAT_VERSION_MAJOR}.x",
            version[0],
            version[1]
        );
    }
    if version[0] < FORMAT_VERSION_MAJOR {
        fail!(
            Error::FileVersionTooOld,
            "{name}: file format version {}.{}, this library reads {FORMAT_VERSION_MAJOR}.x",
            version[0],
            version[1]
        );
    }
    let sequence_length = r.read::<f64>(r.fixed("sequence_length", Dtype::F64, 1)?)?[0];
    check_sequence_length(sequence_length).map_err(|e| Failure::new(e.kind, format!("{name}: {}", e.detail)))?;
    // Tables may have a zero sequence length while being built, but tskit
    // refuses to load a file with one, and so does tspar.
    if sequence_length == 0.0 {
        fail!(
            Error::BadSequenceLength,
            "{name}: the file's sequence length is 0; it must be positive"
        );
    }
    r.fixed("uuid", Dtype::I8, UUID_LEN as u64)?;

    let mut tables = TableCollection::new(sequence_length)?;
    if let Some(units) = r.optional_bytes("time_units", Dtype::I8)? {
        tables.time_units = units;
    }
    tables.metadata = r.optional_bytes("metadata", Dtype::I8)?.unwrap_or_default();
    tables.metadata_schema = r.optional_bytes("metadata_schema", Dtype::I8)?.unwrap_or_default();

    if options & LOAD_SKIP_REFERENCE_SEQUENCE == 0 {
        let rs = &mut tables.reference_sequence;
        for (key, field) in [
            ("reference_sequence/data", &mut rs.data),
            ("reference_sequence/url", &mut rs.url),
            ("reference_sequence/metadata", &mut rs.metadata),
            ("reference_sequence/metadata_schema", &mut rs.metadata_schema),
        ] {
            *field = r.optional_bytes(key, Dtype::U8)?.unwrap_or_default();
        }
    }
    if options & LOAD_SKIP_TABLES != 0 {
        return Ok(tables);
    }

    tables.individuals = r.table()?;
    tables.nodes = r.table()?;
    tables.edges = r.table()?;
    tables.migrations = r.table()?;
    tables.sites = r.table()?;
    tables.mutations = r.table()?;
    tables.populations = r.table()?;
    tables.provenances = r.table()?;
    tables.indexes = read_indexes(&r, tables.edges.left.len())?;
    Ok(tables)
}

fn read_indexes<S: Source>(r: &Reader<'_, S>, num_edges: usize) -> Result<Option<EdgeIndexes>> {
    const INSERTION: &str = "indexes/edge_insertion_order";
    const REMOVAL: &str = "indexes/edge_removal_order";
    let (insertion, removal) = match (r.item(INSERTION, Dtype::I32)?, r.item(REMOVAL, Dtype::I32)?) {
        (None, None) => return Ok(None),
        (Some(a), Some(b)) => (a, b),
        _ => fail!(
            Error::BothColumnsRequired,
            "{}: '{INSERTION}' and '{REMOVAL}' must both be present or both absent",
            r.kas.name()
        ),
    };
    for item in [insertion, removal] {
        if item.len != num_edges as u64 {
            fail!(
                Error::FileFormat,
                "{}: '{}' has {} entries but there are {num_edges} edges",
                r.kas.name(),
                item.key_str(),
                item.len
            );
        }
    }
    Ok(Some(EdgeIndexes {
        insertion: r.column(insertion)?,
        removal: r.column(removal)?,
    }))
}

// ---------------------------------------------------------------- writing

fn writer<'a>(tables: &'a TableCollection, uuid: &'a [u8], options: u32) -> Result<Writer<'a>> {
    if options & !DUMP_FORCE_OFFSET_64 != 0 {
        fail!(Error::BadOptions, "dump: {:#x}", options & !DUMP_FORCE_OFFSET_64);
    }
    let force_64 = options & DUMP_FORCE_OFFSET_64 != 0;
    let mut columns = tables.columns();
    // As tskit does, indexes that no longer match the edge table are not
    // written: the file is then simply not indexed.
    if tables
        .indexes
        .as_ref()
        .is_some_and(|ix| ix.insertion.len() != tables.edges.left.len() || ix.removal.len() != tables.edges.left.len())
    {
        columns.retain(|(key, _)| !key.starts_with("indexes/"));
    }
    check_row_counts(&columns)?;

    let mut items: Vec<(String, Array<'a>)> = columns
        .into_iter()
        .map(|(key, column)| {
            let array = match column {
                // The only u64 columns are offsets, written as uint32 when
                // they fit, as tskit does.
                Column::U64(offset) if !force_64 && offset.last().is_none_or(|&o| o <= u64::from(u32::MAX)) => {
                    Array::U64AsU32(offset)
                }
                column => Array::Raw(column.dtype(), column.as_bytes()),
            };
            (key, array)
        })
        .collect();
    items.push(("format/name".to_string(), Array::Raw(Dtype::I8, FORMAT_NAME)));
    items.push((
        "format/version".to_string(),
        Array::Raw(Dtype::U32, bytemuck::cast_slice(&FORMAT_VERSION)),
    ));
    items.push(("uuid".to_string(), Array::Raw(Dtype::I8, uuid)));
    Writer::new(items)
}

/// Checks that the columns of each table agree on the number of rows (the
/// fields are public, so a caller can make them disagree), since such a
/// file could not be read back. Works from the column listing: ragged data
/// columns (those with an `_offset` sibling) and schemas have no row count.
fn check_row_counts(columns: &[(String, Column<'_>)]) -> Result<()> {
    let mut rows: Vec<(&str, usize, &str)> = Vec::new();
    for (key, column) in columns {
        let Some((table, name)) = key.split_once('/') else {
            continue;
        };
        if !TableKind::ALL.iter().any(|k| k.name() == table)
            || name == "metadata_schema"
            || columns.iter().any(|(k, _)| k.strip_suffix("_offset") == Some(key))
        {
            continue;
        }
        let n = match name.strip_suffix("_offset") {
            Some(_) => column.len().saturating_sub(1),
            None => column.len(),
        };
        match rows.iter().find(|(t, _, _)| *t == table) {
            None => rows.push((table, n, key)),
            Some(&(_, m, first)) if m != n => fail!(
                Error::ColumnLengthMismatch,
                "{table}: '{key}' has {n} rows but '{first}' has {m}"
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

/// An empty path is a missing file name: `FileNotFound`, the code the
/// system's ENOENT and tskit (Python's FileNotFoundError) give it, with a
/// message that says what is wrong.
fn check_file_name(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() {
        fail!(Error::FileNotFound, "no file name given (the path is empty)");
    }
    Ok(())
}

/// A failed file operation. Where the kind already says what happened (not
/// found, permission denied, a directory) the system's message, which says
/// it again, is left out.
fn io_failure(path: &Path, what: &str, e: &std::io::Error) -> Failure {
    let kind = Error::from_io(e);
    let detail = match kind {
        Error::FileNotFound | Error::PermissionDenied | Error::IsADirectory => {
            format!("{} ({what})", path.display())
        }
        _ => format!("{}: {what}: {e}", path.display()),
    };
    Failure::new(kind, detail)
}

/// Writes a new file under a temporary name in the destination's
/// directory and renames it over the destination once it is complete.
fn write_replacing(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<()> {
    write_replacing_checked(path, |out| write(out).map_err(|e| io_failure(path, "writing", &e)))
}

/// [`write_replacing`] for a writer that fails with its own failures (a
/// bad argument found while writing), which are returned as they are.
pub(crate) fn write_replacing_checked(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // Through a symbolic link, replace the file it names, as writing into
    // the link would, not the link itself.
    let target: PathBuf = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let (Some(file_name), false) = (target.file_name(), target.is_dir()) else {
        fail!(Error::IsADirectory, "{}", path.display());
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp_name = OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = dir.join(tmp_name);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| io_failure(path, "creating a temporary file", &e))?;

    let mut out = BufWriter::with_capacity(1 << 20, file);
    if let Err(f) = write(&mut out) {
        drop(out);
        let _ = std::fs::remove_file(&tmp);
        return Err(f);
    }
    let result = (|| {
        out.flush()?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        // Keep the permissions of the file being replaced, as writing it
        // in place would.
        if let Ok(meta) = std::fs::metadata(&target) {
            file.set_permissions(meta.permissions())?;
        }
        drop(file);
        replace(&tmp, &target)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_failure(path, "writing", &e)
    })
}

/// Puts the complete temporary file `tmp` at `target`. Over an existing
/// file the two are swapped atomically and the old one, now under the
/// temporary name, is removed. A plain rename over an existing file makes
/// ext4 (with its default `auto_da_alloc`) start writing the new file to
/// disk inside the rename, which made a dump over an existing file twice as
/// slow as one to a new file. Either way a reader of `target` sees the old
/// file or the new one, never neither.
fn replace(tmp: &Path, target: &Path) -> std::io::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if exchange(tmp, target)? {
        // The new file is in place: the dump has succeeded. Removing the
        // old one can only fail if the directory changed meanwhile, and
        // then is not worth reporting the dump as failed.
        let _ = std::fs::remove_file(tmp);
        return Ok(());
    }
    std::fs::rename(tmp, target)
}

/// Swaps two paths atomically (`renameat2` with `RENAME_EXCHANGE`). Ok(false)
/// when that cannot be done here: `b` does not exist, or the kernel or file
/// system has no exchange.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are NUL-terminated strings that live until the
    // call returns; renameat2 only reads them.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOENT | libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

/// A random (version 4) UUID in its 36-character text form, from
/// /dev/urandom, or where that cannot be read from the time, the process id
/// and a counter through std's randomly keyed hasher.
fn new_uuid() -> [u8; UUID_LEN] {
    let mut b = [0u8; 16];
    let urandom = File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b));
    if urandom.is_err() {
        use std::hash::{BuildHasher, Hasher};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        for (j, half) in b.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(nanos);
            h.write_u32(std::process::id());
            h.write_u64(count);
            h.write_usize(j);
            half.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = [0u8; UUID_LEN];
    let hex = b"0123456789abcdef";
    let mut at = 0;
    for (j, byte) in b.iter().enumerate() {
        if matches!(j, 4 | 6 | 8 | 10) {
            out[at] = b'-';
            at += 1;
        }
        out[at] = hex[(byte >> 4) as usize];
        out[at + 1] = hex[(byte & 0xf) as usize];
        at += 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_is_well_formed() {
        let a = new_uuid();
        let s = std::str::from_utf8(&a).unwrap();
        let parts: Vec<_> = s.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
        assert!(s
            .bytes()
            .all(|c| c == b'-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(&s[14..15], "4");
        assert_ne!(new_uuid(), a);
    }

    #[test]
    fn options_checked() {
        let t = TableCollection::new(1.0).unwrap();
        assert_eq!(dump_bytes(&t, 1).unwrap_err().kind, Error::BadOptions);
        let b = dump_bytes(&t, 0).unwrap();
        assert_eq!(load_bytes(&b, 4).unwrap_err().kind, Error::BadOptions);
        assert!(load_bytes(&b, LOAD_SKIP_TABLES | LOAD_SKIP_REFERENCE_SEQUENCE).is_ok());
    }

    #[test]
    fn row_counts_checked_on_dump() {
        let mut t = TableCollection::new(1.0).unwrap();
        t.add_node(0, 0.0, -1, -1, b"").unwrap();
        t.nodes.time.push(1.0);
        let e = dump_bytes(&t, 0).unwrap_err();
        assert_eq!(e.kind, Error::ColumnLengthMismatch);
        assert!(e.detail.contains("nodes/time"), "{}", e.detail);
        t.nodes.time.pop();
        t.add_population(b"x").unwrap();
        assert!(dump_bytes(&t, 0).is_ok());
    }

    #[test]
    fn u32_offsets_widen_in_place() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for n in (0..70).chain([1000, 4097]) {
            let values: Vec<u32> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u32
                })
                .collect();
            let items = vec![("o".to_string(), Array::Raw(Dtype::U32, bytemuck::cast_slice(&values)))];
            let bytes = Writer::new(items).unwrap().to_bytes().unwrap();
            let kas = Kastore::open(bytes.as_slice(), "test").unwrap();
            let r = Reader { kas: &kas };
            let wide = r.read_offsets(kas.get("o").unwrap(), 1).unwrap();
            let expected: Vec<u64> = values.iter().map(|&v| u64::from(v)).collect();
            assert_eq!(wide, expected, "{n} values");
        }
    }

    #[test]
    fn stale_indexes_not_written() {
        let mut t = TableCollection::new(1.0).unwrap();
        t.add_edge(0.0, 1.0, 0, 1, b"").unwrap();
        t.indexes = Some(EdgeIndexes::default());
        let back = load_bytes(&dump_bytes(&t, 0).unwrap(), 0).unwrap();
        assert!(back.indexes.is_none());
        t.indexes = Some(EdgeIndexes {
            insertion: vec![0].into(),
            removal: vec![0].into(),
        });
        let back = load_bytes(&dump_bytes(&t, 0).unwrap(), 0).unwrap();
        assert_eq!(back.indexes, t.indexes);
    }
}
