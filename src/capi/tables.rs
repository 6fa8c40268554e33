//! `tspar_tables_t`: a mutable table collection behind a reader-writer lock,
//! so that any function may be called on one handle from many threads at
//! once. Writers are serialised; readers see the state between two writes.

use std::ffi::{c_char, c_int};
use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::exec::{threads_of, tspar_exec_t};
#[cfg(tspar_tsan)]
use super::tsan;
use super::*;
use crate::error::{fail, Error, Failure, Result};
use crate::io::trees;
use crate::tables::{
    cmp, Column, EdgeColumns, IndividualColumns, MigrationColumns, Mode, MutationColumns, NodeColumns,
    PopulationColumns, ProvenanceColumns, Ragged, RaggedIn, SiteColumns, TableCollection, TableKind,
};

/// A table collection. Opaque; made by `tspar_tables_new`, `_load` or
/// `_copy`, freed by `tspar_tables_free`. Safe to use from many threads at
/// once.
pub struct tspar_tables_t {
    inner: RwLock<TableCollection>,
}

/// A read lock on a handle's tables (announced to ThreadSanitizer in
/// `tspar_tsan` builds).
#[cfg(not(tspar_tsan))]
pub(crate) type ReadGuard<'a> = RwLockReadGuard<'a, TableCollection>;
#[cfg(tspar_tsan)]
pub(crate) type ReadGuard<'a> = tsan::Guard<RwLockReadGuard<'a, TableCollection>>;

impl tspar_tables_t {
    pub(crate) fn new(tables: TableCollection) -> Self {
        tspar_tables_t {
            inner: RwLock::new(tables),
        }
    }

    #[cfg(not(tspar_tsan))]
    pub(crate) fn read(&self) -> Result<RwLockReadGuard<'_, TableCollection>> {
        self.inner.read().map_err(|_| poisoned())
    }

    #[cfg(not(tspar_tsan))]
    pub(crate) fn write(&self) -> Result<RwLockWriteGuard<'_, TableCollection>> {
        self.inner.write().map_err(|_| poisoned())
    }

    // ThreadSanitizer builds: the same, announced to it (see capi/tsan.rs).
    #[cfg(tspar_tsan)]
    pub(crate) fn read(&self) -> Result<tsan::Guard<RwLockReadGuard<'_, TableCollection>>> {
        let lock = tsan::Lock::read(&self.inner);
        let guard = self.inner.read();
        tsan::Guard::new(lock, guard).map_err(|_| poisoned())
    }

    #[cfg(tspar_tsan)]
    pub(crate) fn write(&self) -> Result<tsan::Guard<RwLockWriteGuard<'_, TableCollection>>> {
        let lock = tsan::Lock::write(&self.inner);
        let guard = self.inner.write();
        tsan::Guard::new(lock, guard).map_err(|_| poisoned())
    }

    /// Read-locks two distinct handles in the one global order every
    /// function that locks two handles uses: lower address first. A
    /// reader-writer lock blocks new readers while a writer waits, so two
    /// calls taking the same pair in opposite orders, with a writer waiting
    /// on each, would deadlock. The caller handles `a == b` itself (a read
    /// lock taken twice on one thread can deadlock the same way).
    pub(crate) fn read_pair<'a>(a: &'a Self, b: &'a Self) -> Result<(ReadGuard<'a>, ReadGuard<'a>)> {
        debug_assert!(!std::ptr::eq(a, b), "read_pair needs two distinct handles");
        if (a as *const Self) < (b as *const Self) {
            let ga = a.read()?;
            Ok((ga, b.read()?))
        } else {
            let gb = b.read()?;
            Ok((a.read()?, gb))
        }
    }
}

fn poisoned() -> Failure {
    Failure::new(
        Error::Internal,
        "an earlier call failed inside the library while changing these tables; the handle can only be freed",
    )
}

/// # Safety
/// `p` is NULL or a live handle.
unsafe fn handle<'a>(p: *const tspar_tables_t) -> Result<&'a tspar_tables_t> {
    // SAFETY: forwarded contract.
    unsafe { deref(p, "tables") }
}

/// # Safety
/// `out` is NULL or writable.
unsafe fn give(out: *mut *mut tspar_tables_t, tables: TableCollection) -> Result<()> {
    if out.is_null() {
        fail!(Error::NullPointer, "out is NULL");
    }
    let boxed = Box::into_raw(Box::new(tspar_tables_t::new(tables)));
    // SAFETY: out is non-NULL and writable by the caller's contract.
    unsafe { write_out(out, boxed) };
    Ok(())
}

/// Makes an empty table collection with the given sequence length (finite,
/// not negative) and time units "unknown". On success `*out` owns the new
/// handle, which the caller frees with `tspar_tables_free`; on failure
/// `*out` is not written.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_new(sequence_length: f64, out: *mut *mut tspar_tables_t) -> c_int {
    status(|| {
        let tables = TableCollection::new(sequence_length)?;
        // SAFETY: out is NULL (checked) or writable.
        unsafe { give(out, tables) }
    })
}

/// Loads a `.trees` file (any tskit file format 12.x, 32- or 64-bit offsets).
/// Options: `TSPAR_LOAD_SKIP_TABLES`, `TSPAR_LOAD_SKIP_REFERENCE_SEQUENCE`,
/// `TSPAR_LOAD_MMAP` (the columns are used in place from a read-only
/// mapping of the file, as for `tspar_treeseq_load`, and copied on their
/// first change; the file's size is checked again before the call returns).
/// Large columns are read on `exec`'s threads (NULL: the default); the
/// result is the same for every count. On success `*out` owns a new handle
/// (free it with `tspar_tables_free`); on failure `*out` is not written and
/// the last error message names the file and what was wrong with it.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_load(
    path: *const c_char,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    out: *mut *mut tspar_tables_t,
) -> c_int {
    status(|| {
        // SAFETY: path is NULL or NUL-terminated by contract.
        let path = unsafe { c_str(path, "path") }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        // SAFETY: exec is NULL or a live handle.
        let threads = unsafe { threads_of(exec) }?;
        let tables = trees::load_with(Path::new(path), options, threads)?;
        // SAFETY: out is non-NULL and writable.
        unsafe { give(out, tables) }
    })
}

/// Writes the tables to a `.trees` file that tskit loads. The file is
/// written beside the destination and renamed over it, so a failed dump
/// leaves no partial file and an existing file as it was. Options:
/// `TSPAR_DUMP_FORCE_OFFSET_64`. Other threads may read the tables
/// meanwhile; writers wait until the dump ends.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_dump(
    tables: *const tspar_tables_t,
    path: *const c_char,
    options: tspar_flags_t,
) -> c_int {
    status(|| {
        // SAFETY: pointer arguments are NULL or valid by contract.
        let (h, path) = unsafe { (handle(tables)?, c_str(path, "path")?) };
        let t = h.read()?;
        trees::dump(&t, Path::new(path), options)
    })
}

/// Makes an independent copy of the tables (indexes included). On success
/// `*out` owns the copy (free it with `tspar_tables_free`).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_copy(tables: *const tspar_tables_t, out: *mut *mut tspar_tables_t) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let h = unsafe { handle(tables) }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        let copy = h.read()?.try_clone()?;
        // SAFETY: out is non-NULL and writable.
        unsafe { give(out, copy) }
    })
}

/// Compares two table collections as tskit does: 1 if equal, 0 if not, a
/// negative code on error. Options are the `TSPAR_CMP_*` bits. The edge
/// indexes are not compared. Columns compare bitwise (a NaN equals the same NaN).
/// Safe to call from many threads at once, in either argument order, while
/// others write to either handle; `a` and `b` may be the same handle (1).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_equals(
    a: *const tspar_tables_t,
    b: *const tspar_tables_t,
    options: tspar_flags_t,
) -> c_int {
    boundary(|| {
        check_options(options, cmp::ALL, "tspar_tables_equals")?;
        // SAFETY: NULL or live handles.
        let (a, b) = unsafe { (handle(a)?, handle(b)?) };
        if std::ptr::eq(a, b) {
            return Ok(1);
        }
        let (ta, tb) = tspar_tables_t::read_pair(a, b)?;
        Ok(ta.equals(&tb, options) as i32)
    }) as c_int
}

/// Removes every row of every table except the provenances, and the edge
/// indexes. `TSPAR_CLEAR_PROVENANCE` also clears the provenances,
/// `TSPAR_CLEAR_METADATA_SCHEMAS` the tables' metadata schemas and
/// `TSPAR_CLEAR_TS_METADATA_AND_SCHEMA` the collection's metadata and schema.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_clear(tables: *mut tspar_tables_t, options: tspar_flags_t) -> c_int {
    status(|| {
        let allowed = TSPAR_CLEAR_METADATA_SCHEMAS | TSPAR_CLEAR_TS_METADATA_AND_SCHEMA | TSPAR_CLEAR_PROVENANCE;
        check_options(options, allowed, "tspar_tables_clear")?;
        // SAFETY: NULL or a live handle.
        let mut t = unsafe { handle(tables) }?.write()?;
        let provenances = std::mem::take(&mut t.provenances);
        t.clear_tables();
        if options & TSPAR_CLEAR_PROVENANCE == 0 {
            t.provenances = provenances;
        }
        if options & TSPAR_CLEAR_METADATA_SCHEMAS != 0 {
            for kind in TableKind::ALL {
                if let Some(s) = t.table_mut(kind).schema_mut() {
                    s.clear();
                }
            }
        }
        if options & TSPAR_CLEAR_TS_METADATA_AND_SCHEMA != 0 {
            t.metadata.clear();
            t.metadata_schema.clear();
        }
        Ok(())
    })
}

/// Frees a handle made by `tspar_tables_new`, `_load` or `_copy`. NULL is a
/// no-op. No other thread may be using the handle.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_free(tables: *mut tspar_tables_t) {
    if !tables.is_null() {
        // SAFETY: a non-NULL handle came from Box::into_raw in `give` and is
        // freed once, by contract.
        drop(unsafe { Box::from_raw(tables) });
    }
}

/// The number of rows of a table (`TSPAR_TABLE_*`), or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_num_rows(tables: *const tspar_tables_t, table: c_int) -> i64 {
    boundary(|| {
        let kind = table_kind(table)?;
        // SAFETY: NULL or a live handle.
        let t = unsafe { handle(tables) }?.read()?;
        Ok(t.num_rows(kind) as i64)
    })
}

fn table_kind(table: c_int) -> Result<TableKind> {
    TableKind::from_index(table)
        .ok_or_else(|| Failure::new(Error::BadParamValue, format!("unknown table identifier {table}")))
}

/// The sequence length, or a negative code (as a double).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_sequence_length(tables: *const tspar_tables_t) -> f64 {
    // SAFETY: NULL or a live handle.
    double_or_code(|| Ok(unsafe { handle(tables) }?.read()?.sequence_length))
}

/// Sets the sequence length (finite, not negative).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_sequence_length(tables: *mut tspar_tables_t, sequence_length: f64) -> c_int {
    status(|| {
        crate::tables::check_sequence_length(sequence_length)?;
        // SAFETY: NULL or a live handle.
        unsafe { handle(tables) }?.write()?.sequence_length = sequence_length;
        Ok(())
    })
}

/// Reads a collection-level byte field by its file key: "time_units",
/// "metadata", "metadata_schema", "reference_sequence/data",
/// "reference_sequence/url", "reference_sequence/metadata",
/// "reference_sequence/metadata_schema", or "<table>/metadata_schema".
/// Writes the field's length to `*length` (if not NULL) and, when `buffer`
/// is not NULL, copies the bytes (not NUL-terminated) into it. A buffer with
/// fewer than `length` bytes gives `TSPAR_ERR_BUFFER_TOO_SMALL` and nothing
/// is written.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_field(
    tables: *const tspar_tables_t,
    name: *const c_char,
    buffer: *mut c_char,
    buffer_length: tspar_size_t,
    length: *mut tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: pointer arguments are NULL or valid by contract.
        let (h, name) = unsafe { (handle(tables)?, c_str(name, "name")?) };
        let t = h.read()?;
        let field = t
            .field(name)
            .ok_or_else(|| Failure::new(Error::ColumnNotFound, format!("no field named '{name}'")))?;
        let n = field.len() as tspar_size_t;
        if !buffer.is_null() {
            if buffer_length < n {
                fail!(
                    Error::BufferTooSmall,
                    "field '{name}' has {n} bytes, buffer holds {buffer_length}"
                );
            }
            // SAFETY: buffer holds buffer_length >= n writable bytes.
            let out = unsafe { slice_mut(buffer.cast::<u8>(), n, "buffer") }?;
            out.copy_from_slice(field);
        }
        // SAFETY: NULL or writable.
        unsafe { write_out(length, n) };
        Ok(())
    })
}

/// Sets a collection-level byte field (see `tspar_tables_get_field` for the
/// names) to `length` bytes from `value` (NULL allowed when length is 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_field(
    tables: *mut tspar_tables_t,
    name: *const c_char,
    value: *const c_char,
    length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: pointer arguments are NULL or valid by contract.
        let (h, name, value) = unsafe {
            (
                handle(tables)?,
                c_str(name, "name")?,
                slice(value.cast::<u8>(), length, "value")?,
            )
        };
        let mut t = h.write()?;
        let field = t
            .field_mut(name)
            .ok_or_else(|| Failure::new(Error::ColumnNotFound, format!("no field named '{name}'")))?;
        crate::alloc::reserve_exact(field, value.len().saturating_sub(field.len()), name)?;
        field.clear();
        field.extend_from_slice(value);
        Ok(())
    })
}

/// Gives a column's data type (`TSPAR_DTYPE_*`) and number of elements. The
/// name is the column's key in a `.trees` file: "nodes/time",
/// "edges/parent", "sites/ancestral_state", "sites/ancestral_state_offset"
/// (offset columns are `TSPAR_DTYPE_UINT64` with one entry more than rows),
/// "indexes/edge_insertion_order", ...
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_column_info(
    tables: *const tspar_tables_t,
    name: *const c_char,
    dtype: *mut c_int,
    length: *mut tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: pointer arguments are NULL or valid by contract.
        let (h, name) = unsafe { (handle(tables)?, c_str(name, "name")?) };
        let t = h.read()?;
        let col = find_column(&t, name)?;
        // SAFETY: NULL or writable.
        unsafe {
            write_out(dtype, col.dtype() as c_int);
            write_out(length, col.len() as tspar_size_t);
        }
        Ok(())
    })
}

fn find_column<'a>(t: &'a TableCollection, name: &str) -> Result<Column<'a>> {
    t.column(name)
        .ok_or_else(|| Failure::new(Error::ColumnNotFound, format!("no column named '{name}'")))
}

/// Copies a column (see `tspar_tables_column_info`) into `out`, which holds
/// `out_length` elements of type `dtype`. `dtype` must be the column's type
/// (byte columns accept INT8 and UINT8); a buffer shorter than the column
/// gives `TSPAR_ERR_BUFFER_TOO_SMALL` and nothing is written. Returns the
/// number of elements copied.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_column(
    tables: *const tspar_tables_t,
    name: *const c_char,
    dtype: c_int,
    out: *mut std::ffi::c_void,
    out_length: tspar_size_t,
) -> i64 {
    boundary(|| {
        // SAFETY: pointer arguments are NULL or valid by contract.
        let (h, name) = unsafe { (handle(tables)?, c_str(name, "name")?) };
        let t = h.read()?;
        let col = find_column(&t, name)?;
        let bytes_ok = matches!(col, Column::Text(_) | Column::Bytes(_))
            && (dtype == TSPAR_DTYPE_INT8 || dtype == TSPAR_DTYPE_UINT8);
        if !bytes_ok && dtype != col.dtype() as c_int {
            fail!(
                Error::BadDtype,
                "column '{name}' has type {}, asked for type code {dtype}",
                col.dtype().name()
            );
        }
        let n = col.len() as tspar_size_t;
        if out_length < n {
            fail!(
                Error::BufferTooSmall,
                "column '{name}' has {n} elements, buffer holds {out_length}"
            );
        }
        let size = col.dtype().size() as tspar_size_t;
        // SAFETY: out holds out_length >= n elements of the column's type,
        // so n * size bytes are writable.
        let dst = unsafe { slice_mut(out.cast::<u8>(), n * size, "out") }?;
        dst.copy_from_slice(col.as_bytes());
        Ok(n as i64)
    })
}

/// Whether the tables carry edge indexes covering every edge: 1 yes, 0 no,
/// or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_has_index(tables: *const tspar_tables_t) -> c_int {
    boundary(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { handle(tables) }?.read()?;
        Ok(t.has_index() as i32)
    }) as c_int
}

/// Removes the edge indexes.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_drop_index(tables: *mut tspar_tables_t) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        unsafe { handle(tables) }?.write()?.indexes = None;
        Ok(())
    })
}

// ---------------------------------------------------------------- rows

/// Adds an individual; returns its id or a negative code. `location`,
/// `parents` and `metadata` may be NULL when their length is 0.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_individual(
    tables: *mut tspar_tables_t,
    flags: tspar_flags_t,
    location: *const f64,
    location_length: tspar_size_t,
    parents: *const tspar_id_t,
    parents_length: tspar_size_t,
    metadata: *const c_char,
    metadata_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, loc, par, md) = unsafe {
            (
                handle(tables)?,
                slice(location, location_length, "location")?,
                slice(parents, parents_length, "parents")?,
                slice(metadata.cast::<u8>(), metadata_length, "metadata")?,
            )
        };
        h.write()?.add_individual(flags, loc, par, md)
    })
}

/// Adds a node; returns its id or a negative code. `metadata` may be NULL
/// when `metadata_length` is 0.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_node(
    tables: *mut tspar_tables_t,
    flags: tspar_flags_t,
    time: f64,
    population: tspar_id_t,
    individual: tspar_id_t,
    metadata: *const c_char,
    metadata_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, md) = unsafe {
            (
                handle(tables)?,
                slice(metadata.cast::<u8>(), metadata_length, "metadata")?,
            )
        };
        h.write()?.add_node(flags, time, population, individual, md)
    })
}

/// Adds an edge; returns its id or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_edge(
    tables: *mut tspar_tables_t,
    left: f64,
    right: f64,
    parent: tspar_id_t,
    child: tspar_id_t,
    metadata: *const c_char,
    metadata_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, md) = unsafe {
            (
                handle(tables)?,
                slice(metadata.cast::<u8>(), metadata_length, "metadata")?,
            )
        };
        h.write()?.add_edge(left, right, parent, child, md)
    })
}

/// Adds a migration; returns its id or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_migration(
    tables: *mut tspar_tables_t,
    left: f64,
    right: f64,
    node: tspar_id_t,
    source: tspar_id_t,
    dest: tspar_id_t,
    time: f64,
    metadata: *const c_char,
    metadata_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, md) = unsafe {
            (
                handle(tables)?,
                slice(metadata.cast::<u8>(), metadata_length, "metadata")?,
            )
        };
        h.write()?.add_migration(left, right, node, source, dest, time, md)
    })
}

/// Adds a site; returns its id or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_site(
    tables: *mut tspar_tables_t,
    position: f64,
    ancestral_state: *const c_char,
    ancestral_state_length: tspar_size_t,
    metadata: *const c_char,
    metadata_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, anc, md) = unsafe {
            (
                handle(tables)?,
                slice(ancestral_state.cast::<u8>(), ancestral_state_length, "ancestral_state")?,
                slice(metadata.cast::<u8>(), metadata_length, "metadata")?,
            )
        };
        h.write()?.add_site(position, anc, md)
    })
}

/// Adds a mutation; returns its id or a negative code. Pass
/// `tspar_unknown_time()` as `time` when it is not known.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_mutation(
    tables: *mut tspar_tables_t,
    site: tspar_id_t,
    node: tspar_id_t,
    parent: tspar_id_t,
    time: f64,
    derived_state: *const c_char,
    derived_state_length: tspar_size_t,
    metadata: *const c_char,
    metadata_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, der, md) = unsafe {
            (
                handle(tables)?,
                slice(derived_state.cast::<u8>(), derived_state_length, "derived_state")?,
                slice(metadata.cast::<u8>(), metadata_length, "metadata")?,
            )
        };
        h.write()?.add_mutation(site, node, parent, time, der, md)
    })
}

/// Adds a population; returns its id or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_population(
    tables: *mut tspar_tables_t,
    metadata: *const c_char,
    metadata_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, md) = unsafe {
            (
                handle(tables)?,
                slice(metadata.cast::<u8>(), metadata_length, "metadata")?,
            )
        };
        h.write()?.add_population(md)
    })
}

/// Adds a provenance record; returns its id or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_add_provenance(
    tables: *mut tspar_tables_t,
    timestamp: *const c_char,
    timestamp_length: tspar_size_t,
    record: *const c_char,
    record_length: tspar_size_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, ts, rec) = unsafe {
            (
                handle(tables)?,
                slice(timestamp.cast::<u8>(), timestamp_length, "timestamp")?,
                slice(record.cast::<u8>(), record_length, "record")?,
            )
        };
        h.write()?.add_provenance(ts, rec)
    })
}

/// The unknown mutation time: a NaN with tskit's bit pattern.
#[no_mangle]
pub extern "C" fn tspar_unknown_time() -> f64 {
    f64::from_bits(crate::tables::UNKNOWN_TIME_BITS)
}

/// 1 if `time` is the unknown mutation time (that exact NaN), else 0.
#[no_mangle]
pub extern "C" fn tspar_is_unknown_time(time: f64) -> c_int {
    (time.to_bits() == crate::tables::UNKNOWN_TIME_BITS) as c_int
}

// ------------------------------------------------------- reading rows

/// An individual's fixed fields and the lengths of its ragged fields.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_individual_t {
    pub flags: tspar_flags_t,
    pub location_length: tspar_size_t,
    pub parents_length: tspar_size_t,
    pub metadata_length: tspar_size_t,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_node_t {
    pub flags: tspar_flags_t,
    pub time: f64,
    pub population: tspar_id_t,
    pub individual: tspar_id_t,
    pub metadata_length: tspar_size_t,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_edge_t {
    pub left: f64,
    pub right: f64,
    pub parent: tspar_id_t,
    pub child: tspar_id_t,
    pub metadata_length: tspar_size_t,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_migration_t {
    pub left: f64,
    pub right: f64,
    pub node: tspar_id_t,
    pub source: tspar_id_t,
    pub dest: tspar_id_t,
    pub time: f64,
    pub metadata_length: tspar_size_t,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_site_t {
    pub position: f64,
    pub ancestral_state_length: tspar_size_t,
    pub metadata_length: tspar_size_t,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_mutation_t {
    pub site: tspar_id_t,
    pub node: tspar_id_t,
    pub parent: tspar_id_t,
    pub time: f64,
    pub derived_state_length: tspar_size_t,
    pub metadata_length: tspar_size_t,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_population_t {
    pub metadata_length: tspar_size_t,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct tspar_provenance_t {
    pub timestamp_length: tspar_size_t,
    pub record_length: tspar_size_t,
}

/// A caller's buffer for one ragged field of a row: NULL means "do not
/// copy", otherwise it must hold the field.
struct OutBuf<T> {
    ptr: *mut T,
    capacity: tspar_size_t,
    what: &'static str,
}

impl<T: Copy> OutBuf<T> {
    fn check(&self, field: &[T]) -> Result<()> {
        if !self.ptr.is_null() && self.capacity < field.len() as tspar_size_t {
            fail!(
                Error::BufferTooSmall,
                "{}: the field has {} elements, the buffer holds {}",
                self.what,
                field.len(),
                self.capacity
            );
        }
        Ok(())
    }

    /// # Safety
    /// `ptr` is NULL or holds `capacity` writable elements (checked >= len).
    unsafe fn fill(&self, field: &[T]) -> Result<()> {
        if !self.ptr.is_null() {
            // SAFETY: forwarded contract; capacity was checked by `check`.
            unsafe { slice_mut(self.ptr, field.len() as tspar_size_t, self.what) }?.copy_from_slice(field);
        }
        Ok(())
    }
}

/// Reads a row: checks the id, then every buffer, and only then writes the
/// row struct and the buffers, so a failed call writes nothing.
///
/// # Safety
/// `row` is NULL or writable; each buffer is NULL or holds its capacity.
unsafe fn read_row<R, const N: usize>(
    tables: *const tspar_tables_t,
    kind: TableKind,
    id: tspar_id_t,
    row: *mut R,
    get: impl FnOnce(&TableCollection, usize) -> (R, [&[u8]; N]),
    bufs: [OutBuf<u8>; N],
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { handle(tables) }?.read()?;
        if row.is_null() {
            fail!(Error::NullPointer, "row is NULL");
        }
        let j = t.check_row(kind, id)?;
        let (value, fields) = get(&t, j);
        for (b, f) in bufs.iter().zip(fields.iter()) {
            b.check(f)?;
        }
        for (b, f) in bufs.iter().zip(fields.iter()) {
            // SAFETY: capacities checked above.
            unsafe { b.fill(f) }?;
        }
        // SAFETY: row is non-NULL and writable.
        unsafe { write_out(row, value) };
        Ok(())
    })
}

fn len(r: &Ragged<u8>, j: usize) -> tspar_size_t {
    r.row(j).len() as tspar_size_t
}

/// Reads individual `id`. Each ragged field is copied into its buffer when
/// the buffer is not NULL; a buffer too small gives
/// `TSPAR_ERR_BUFFER_TOO_SMALL` and nothing is written. Call with NULL
/// buffers first to learn the lengths.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_individual(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_individual_t,
    location: *mut f64,
    location_capacity: tspar_size_t,
    parents: *mut tspar_id_t,
    parents_capacity: tspar_size_t,
    metadata: *mut c_char,
    metadata_capacity: tspar_size_t,
) -> c_int {
    let loc = OutBuf {
        ptr: location,
        capacity: location_capacity,
        what: "location",
    };
    let par = OutBuf {
        ptr: parents,
        capacity: parents_capacity,
        what: "parents",
    };
    let md = OutBuf {
        ptr: metadata.cast::<u8>(),
        capacity: metadata_capacity,
        what: "metadata",
    };
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { handle(tables) }?.read()?;
        if row.is_null() {
            fail!(Error::NullPointer, "row is NULL");
        }
        let j = t.check_row(TableKind::Individuals, id)?;
        let ind = &t.individuals;
        let (l, p, m) = (ind.location.row(j), ind.parents.row(j), ind.metadata.row(j));
        loc.check(l)?;
        par.check(p)?;
        md.check(m)?;
        // SAFETY: capacities checked above; row is non-NULL and writable.
        unsafe {
            loc.fill(l)?;
            par.fill(p)?;
            md.fill(m)?;
            write_out(
                row,
                tspar_individual_t {
                    flags: ind.flags[j],
                    location_length: l.len() as tspar_size_t,
                    parents_length: p.len() as tspar_size_t,
                    metadata_length: m.len() as tspar_size_t,
                },
            );
        }
        Ok(())
    })
}

/// Reads node `id` (metadata copied when `metadata` is not NULL; see
/// `tspar_tables_get_individual` for the buffer rules).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_node(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_node_t,
    metadata: *mut c_char,
    metadata_capacity: tspar_size_t,
) -> c_int {
    let md = OutBuf {
        ptr: metadata.cast::<u8>(),
        capacity: metadata_capacity,
        what: "metadata",
    };
    // SAFETY: forwarded contract.
    unsafe {
        read_row(
            tables,
            TableKind::Nodes,
            id,
            row,
            |t, j| {
                let n = &t.nodes;
                let v = tspar_node_t {
                    flags: n.flags[j],
                    time: n.time[j],
                    population: n.population[j],
                    individual: n.individual[j],
                    metadata_length: len(&n.metadata, j),
                };
                (v, [n.metadata.row(j)])
            },
            [md],
        )
    }
}

/// Reads edge `id`.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_edge(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_edge_t,
    metadata: *mut c_char,
    metadata_capacity: tspar_size_t,
) -> c_int {
    let md = OutBuf {
        ptr: metadata.cast::<u8>(),
        capacity: metadata_capacity,
        what: "metadata",
    };
    // SAFETY: forwarded contract.
    unsafe {
        read_row(
            tables,
            TableKind::Edges,
            id,
            row,
            |t, j| {
                let e = &t.edges;
                let v = tspar_edge_t {
                    left: e.left[j],
                    right: e.right[j],
                    parent: e.parent[j],
                    child: e.child[j],
                    metadata_length: len(&e.metadata, j),
                };
                (v, [e.metadata.row(j)])
            },
            [md],
        )
    }
}

/// Reads migration `id`.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_migration(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_migration_t,
    metadata: *mut c_char,
    metadata_capacity: tspar_size_t,
) -> c_int {
    let md = OutBuf {
        ptr: metadata.cast::<u8>(),
        capacity: metadata_capacity,
        what: "metadata",
    };
    // SAFETY: forwarded contract.
    unsafe {
        read_row(
            tables,
            TableKind::Migrations,
            id,
            row,
            |t, j| {
                let m = &t.migrations;
                let v = tspar_migration_t {
                    left: m.left[j],
                    right: m.right[j],
                    node: m.node[j],
                    source: m.source[j],
                    dest: m.dest[j],
                    time: m.time[j],
                    metadata_length: len(&m.metadata, j),
                };
                (v, [m.metadata.row(j)])
            },
            [md],
        )
    }
}

/// Reads site `id`.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_site(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_site_t,
    ancestral_state: *mut c_char,
    ancestral_state_capacity: tspar_size_t,
    metadata: *mut c_char,
    metadata_capacity: tspar_size_t,
) -> c_int {
    let anc = OutBuf {
        ptr: ancestral_state.cast::<u8>(),
        capacity: ancestral_state_capacity,
        what: "ancestral_state",
    };
    let md = OutBuf {
        ptr: metadata.cast::<u8>(),
        capacity: metadata_capacity,
        what: "metadata",
    };
    // SAFETY: forwarded contract.
    unsafe {
        read_row(
            tables,
            TableKind::Sites,
            id,
            row,
            |t, j| {
                let s = &t.sites;
                let v = tspar_site_t {
                    position: s.position[j],
                    ancestral_state_length: len(&s.ancestral_state, j),
                    metadata_length: len(&s.metadata, j),
                };
                (v, [s.ancestral_state.row(j), s.metadata.row(j)])
            },
            [anc, md],
        )
    }
}

/// Reads mutation `id`.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_mutation(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_mutation_t,
    derived_state: *mut c_char,
    derived_state_capacity: tspar_size_t,
    metadata: *mut c_char,
    metadata_capacity: tspar_size_t,
) -> c_int {
    let der = OutBuf {
        ptr: derived_state.cast::<u8>(),
        capacity: derived_state_capacity,
        what: "derived_state",
    };
    let md = OutBuf {
        ptr: metadata.cast::<u8>(),
        capacity: metadata_capacity,
        what: "metadata",
    };
    // SAFETY: forwarded contract.
    unsafe {
        read_row(
            tables,
            TableKind::Mutations,
            id,
            row,
            |t, j| {
                let m = &t.mutations;
                let v = tspar_mutation_t {
                    site: m.site[j],
                    node: m.node[j],
                    parent: m.parent[j],
                    time: m.time[j],
                    derived_state_length: len(&m.derived_state, j),
                    metadata_length: len(&m.metadata, j),
                };
                (v, [m.derived_state.row(j), m.metadata.row(j)])
            },
            [der, md],
        )
    }
}

/// Reads population `id`.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_population(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_population_t,
    metadata: *mut c_char,
    metadata_capacity: tspar_size_t,
) -> c_int {
    let md = OutBuf {
        ptr: metadata.cast::<u8>(),
        capacity: metadata_capacity,
        what: "metadata",
    };
    // SAFETY: forwarded contract.
    unsafe {
        read_row(
            tables,
            TableKind::Populations,
            id,
            row,
            |t, j| {
                let p = &t.populations;
                (
                    tspar_population_t {
                        metadata_length: len(&p.metadata, j),
                    },
                    [p.metadata.row(j)],
                )
            },
            [md],
        )
    }
}

/// Reads provenance `id`.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_get_provenance(
    tables: *const tspar_tables_t,
    id: tspar_id_t,
    row: *mut tspar_provenance_t,
    timestamp: *mut c_char,
    timestamp_capacity: tspar_size_t,
    record: *mut c_char,
    record_capacity: tspar_size_t,
) -> c_int {
    let ts = OutBuf {
        ptr: timestamp.cast::<u8>(),
        capacity: timestamp_capacity,
        what: "timestamp",
    };
    let rec = OutBuf {
        ptr: record.cast::<u8>(),
        capacity: record_capacity,
        what: "record",
    };
    // SAFETY: forwarded contract.
    unsafe {
        read_row(
            tables,
            TableKind::Provenances,
            id,
            row,
            |t, j| {
                let p = &t.provenances;
                let v = tspar_provenance_t {
                    timestamp_length: len(&p.timestamp, j),
                    record_length: len(&p.record, j),
                };
                (v, [p.timestamp.row(j), p.record.row(j)])
            },
            [ts, rec],
        )
    }
}

// ------------------------------------------------ whole columns at once

/// # Safety
/// `offset` is NULL or holds `num_rows + 1` values; `data` is NULL or holds
/// `offset[num_rows]` elements.
unsafe fn ragged_in<'a, T: Copy>(
    data: *const T,
    offset: *const tspar_size_t,
    num_rows: tspar_size_t,
    required: bool,
    what: &str,
) -> Result<Option<RaggedIn<'a, T>>> {
    if offset.is_null() && data.is_null() && !required {
        return Ok(None);
    }
    if offset.is_null() {
        fail!(
            Error::BothColumnsRequired,
            "{what}: data given without its offset column"
        );
    }
    let rows_plus_one = num_rows
        .checked_add(1)
        .ok_or_else(|| Failure::new(Error::BadParamValue, "num_rows is too large"))?;
    // SAFETY: offset holds num_rows + 1 values by contract.
    let offset = unsafe { slice(offset, rows_plus_one, what) }?;
    let end = *offset.last().unwrap_or(&0);
    // Offsets are checked against this length before any data is used, so
    // a bad last offset is reported rather than read past.
    crate::tables::check_offsets(offset, num_rows as usize, end as usize, what)?;
    // SAFETY: data holds offset[num_rows] elements by contract.
    let data = unsafe { slice(data, end, what) }?;
    Ok(Some(RaggedIn { data, offset }))
}

fn mode(append: bool) -> Mode {
    if append {
        Mode::Append
    } else {
        Mode::Set
    }
}

/// Replaces every row of the individual table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_individuals(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    flags: *const tspar_flags_t,
    location: *const f64,
    location_offset: *const tspar_size_t,
    parents: *const tspar_id_t,
    parents_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_individuals(
            tables,
            num_rows,
            flags,
            location,
            location_offset,
            parents,
            parents_offset,
            metadata,
            metadata_offset,
            false,
        )
    }
}

/// Appends `num_rows` rows to the individual table; arguments as for
/// `tspar_tables_set_individuals`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_individuals(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    flags: *const tspar_flags_t,
    location: *const f64,
    location_offset: *const tspar_size_t,
    parents: *const tspar_id_t,
    parents_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_individuals(
            tables,
            num_rows,
            flags,
            location,
            location_offset,
            parents,
            parents_offset,
            metadata,
            metadata_offset,
            true,
        )
    }
}

#[allow(clippy::too_many_arguments)]
unsafe fn put_individuals(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    flags: *const tspar_flags_t,
    location: *const f64,
    location_offset: *const tspar_size_t,
    parents: *const tspar_id_t,
    parents_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, c) = unsafe {
            (
                handle(tables)?,
                IndividualColumns {
                    flags: slice(flags, n, "flags")?,
                    location: ragged_in(location, location_offset, n, false, "location")?,
                    parents: ragged_in(parents, parents_offset, n, false, "parents")?,
                    metadata: ragged_in(metadata.cast::<u8>(), metadata_offset, n, false, "metadata")?,
                },
            )
        };
        h.write()?.put_individuals(c, mode(append))
    })
}

/// Replaces every row of the node table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was. `population` and `individual` may be
/// NULL (every row gets `TSPAR_NULL`); metadata and its offsets may both be NULL.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_nodes(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    flags: *const tspar_flags_t,
    time: *const f64,
    population: *const tspar_id_t,
    individual: *const tspar_id_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_nodes(
            tables,
            num_rows,
            flags,
            time,
            population,
            individual,
            metadata,
            metadata_offset,
            false,
        )
    }
}

/// Appends `num_rows` rows to the node table; arguments as for
/// `tspar_tables_set_nodes`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_nodes(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    flags: *const tspar_flags_t,
    time: *const f64,
    population: *const tspar_id_t,
    individual: *const tspar_id_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_nodes(
            tables,
            num_rows,
            flags,
            time,
            population,
            individual,
            metadata,
            metadata_offset,
            true,
        )
    }
}

#[allow(clippy::too_many_arguments)]
unsafe fn put_nodes(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    flags: *const tspar_flags_t,
    time: *const f64,
    population: *const tspar_id_t,
    individual: *const tspar_id_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, c) = unsafe {
            (
                handle(tables)?,
                NodeColumns {
                    flags: slice(flags, n, "flags")?,
                    time: slice(time, n, "time")?,
                    population: optional(population, n, "population")?,
                    individual: optional(individual, n, "individual")?,
                    metadata: ragged_in(metadata.cast::<u8>(), metadata_offset, n, false, "metadata")?,
                },
            )
        };
        h.write()?.put_nodes(c, mode(append))
    })
}

/// # Safety
/// `p` is NULL or holds `n` elements.
unsafe fn optional<'a, T>(p: *const T, n: tspar_size_t, what: &str) -> Result<Option<&'a [T]>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { slice(p, n, what) }.map(Some)
    }
}

/// Replaces every row of the edge table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_edges(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    left: *const f64,
    right: *const f64,
    parent: *const tspar_id_t,
    child: *const tspar_id_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_edges(
            tables,
            num_rows,
            left,
            right,
            parent,
            child,
            metadata,
            metadata_offset,
            false,
        )
    }
}

/// Appends `num_rows` rows to the edge table; arguments as for
/// `tspar_tables_set_edges`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_edges(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    left: *const f64,
    right: *const f64,
    parent: *const tspar_id_t,
    child: *const tspar_id_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_edges(
            tables,
            num_rows,
            left,
            right,
            parent,
            child,
            metadata,
            metadata_offset,
            true,
        )
    }
}

#[allow(clippy::too_many_arguments)]
unsafe fn put_edges(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    left: *const f64,
    right: *const f64,
    parent: *const tspar_id_t,
    child: *const tspar_id_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, c) = unsafe {
            (
                handle(tables)?,
                EdgeColumns {
                    left: slice(left, n, "left")?,
                    right: slice(right, n, "right")?,
                    parent: slice(parent, n, "parent")?,
                    child: slice(child, n, "child")?,
                    metadata: ragged_in(metadata.cast::<u8>(), metadata_offset, n, false, "metadata")?,
                },
            )
        };
        h.write()?.put_edges(c, mode(append))
    })
}

/// Replaces every row of the migration table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_migrations(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    left: *const f64,
    right: *const f64,
    node: *const tspar_id_t,
    source: *const tspar_id_t,
    dest: *const tspar_id_t,
    time: *const f64,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_migrations(
            tables,
            num_rows,
            left,
            right,
            node,
            source,
            dest,
            time,
            metadata,
            metadata_offset,
            false,
        )
    }
}

/// Appends `num_rows` rows to the migration table; arguments as for
/// `tspar_tables_set_migrations`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_migrations(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    left: *const f64,
    right: *const f64,
    node: *const tspar_id_t,
    source: *const tspar_id_t,
    dest: *const tspar_id_t,
    time: *const f64,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_migrations(
            tables,
            num_rows,
            left,
            right,
            node,
            source,
            dest,
            time,
            metadata,
            metadata_offset,
            true,
        )
    }
}

#[allow(clippy::too_many_arguments)]
unsafe fn put_migrations(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    left: *const f64,
    right: *const f64,
    node: *const tspar_id_t,
    source: *const tspar_id_t,
    dest: *const tspar_id_t,
    time: *const f64,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, c) = unsafe {
            (
                handle(tables)?,
                MigrationColumns {
                    left: slice(left, n, "left")?,
                    right: slice(right, n, "right")?,
                    node: slice(node, n, "node")?,
                    source: slice(source, n, "source")?,
                    dest: slice(dest, n, "dest")?,
                    time: slice(time, n, "time")?,
                    metadata: ragged_in(metadata.cast::<u8>(), metadata_offset, n, false, "metadata")?,
                },
            )
        };
        h.write()?.put_migrations(c, mode(append))
    })
}

/// Replaces every row of the site table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_sites(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    position: *const f64,
    ancestral_state: *const c_char,
    ancestral_state_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_sites(
            tables,
            num_rows,
            position,
            ancestral_state,
            ancestral_state_offset,
            metadata,
            metadata_offset,
            false,
        )
    }
}

/// Appends `num_rows` rows to the site table; arguments as for
/// `tspar_tables_set_sites`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_sites(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    position: *const f64,
    ancestral_state: *const c_char,
    ancestral_state_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_sites(
            tables,
            num_rows,
            position,
            ancestral_state,
            ancestral_state_offset,
            metadata,
            metadata_offset,
            true,
        )
    }
}

#[allow(clippy::too_many_arguments)]
unsafe fn put_sites(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    position: *const f64,
    ancestral_state: *const c_char,
    ancestral_state_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, c) = unsafe {
            let anc = ragged_in(
                ancestral_state.cast::<u8>(),
                ancestral_state_offset,
                n,
                true,
                "ancestral_state",
            )?;
            (
                handle(tables)?,
                SiteColumns {
                    position: slice(position, n, "position")?,
                    ancestral_state: anc.ok_or_else(|| Failure::from(Error::BothColumnsRequired))?,
                    metadata: ragged_in(metadata.cast::<u8>(), metadata_offset, n, false, "metadata")?,
                },
            )
        };
        h.write()?.put_sites(c, mode(append))
    })
}

/// Replaces every row of the mutation table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was. `parent` may be NULL (every row gets
/// `TSPAR_NULL`) and `time` NULL (every row gets the unknown time).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_mutations(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    site: *const tspar_id_t,
    node: *const tspar_id_t,
    parent: *const tspar_id_t,
    time: *const f64,
    derived_state: *const c_char,
    derived_state_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_mutations(
            tables,
            num_rows,
            site,
            node,
            parent,
            time,
            derived_state,
            derived_state_offset,
            metadata,
            metadata_offset,
            false,
        )
    }
}

/// Appends `num_rows` rows to the mutation table; arguments as for
/// `tspar_tables_set_mutations`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_mutations(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    site: *const tspar_id_t,
    node: *const tspar_id_t,
    parent: *const tspar_id_t,
    time: *const f64,
    derived_state: *const c_char,
    derived_state_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_mutations(
            tables,
            num_rows,
            site,
            node,
            parent,
            time,
            derived_state,
            derived_state_offset,
            metadata,
            metadata_offset,
            true,
        )
    }
}

#[allow(clippy::too_many_arguments)]
unsafe fn put_mutations(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    site: *const tspar_id_t,
    node: *const tspar_id_t,
    parent: *const tspar_id_t,
    time: *const f64,
    derived_state: *const c_char,
    derived_state_offset: *const tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, c) = unsafe {
            let der = ragged_in(
                derived_state.cast::<u8>(),
                derived_state_offset,
                n,
                true,
                "derived_state",
            )?;
            (
                handle(tables)?,
                MutationColumns {
                    site: slice(site, n, "site")?,
                    node: slice(node, n, "node")?,
                    parent: optional(parent, n, "parent")?,
                    time: optional(time, n, "time")?,
                    derived_state: der.ok_or_else(|| Failure::from(Error::BothColumnsRequired))?,
                    metadata: ragged_in(metadata.cast::<u8>(), metadata_offset, n, false, "metadata")?,
                },
            )
        };
        h.write()?.put_mutations(c, mode(append))
    })
}

/// Replaces every row of the population table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_populations(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { put_populations(tables, num_rows, metadata, metadata_offset, false) }
}

/// Appends `num_rows` rows to the population table; arguments as for
/// `tspar_tables_set_populations`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_populations(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { put_populations(tables, num_rows, metadata, metadata_offset, true) }
}

unsafe fn put_populations(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    metadata: *const c_char,
    metadata_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, md) = unsafe {
            (
                handle(tables)?,
                ragged_in(metadata.cast::<u8>(), metadata_offset, n, true, "metadata")?,
            )
        };
        let metadata = md.ok_or_else(|| Failure::from(Error::BothColumnsRequired))?;
        h.write()?.put_populations(PopulationColumns { metadata }, mode(append))
    })
}

/// Replaces every row of the provenance table with `num_rows` rows given as
/// whole columns. Ragged columns are data plus `num_rows + 1` offsets
/// starting at 0. Everything is checked before anything changes: a rejected
/// call leaves the table as it was.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_set_provenances(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    timestamp: *const c_char,
    timestamp_offset: *const tspar_size_t,
    record: *const c_char,
    record_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_provenances(
            tables,
            num_rows,
            timestamp,
            timestamp_offset,
            record,
            record_offset,
            false,
        )
    }
}

/// Appends `num_rows` rows to the provenance table; arguments as for
/// `tspar_tables_set_provenances`. Offsets are relative to the given data (starting at 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_append_provenances(
    tables: *mut tspar_tables_t,
    num_rows: tspar_size_t,
    timestamp: *const c_char,
    timestamp_offset: *const tspar_size_t,
    record: *const c_char,
    record_offset: *const tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        put_provenances(
            tables,
            num_rows,
            timestamp,
            timestamp_offset,
            record,
            record_offset,
            true,
        )
    }
}

unsafe fn put_provenances(
    tables: *mut tspar_tables_t,
    n: tspar_size_t,
    timestamp: *const c_char,
    timestamp_offset: *const tspar_size_t,
    record: *const c_char,
    record_offset: *const tspar_size_t,
    append: bool,
) -> c_int {
    status(|| {
        // SAFETY: pointers are NULL or valid for their lengths by contract.
        let (h, ts, rec) = unsafe {
            (
                handle(tables)?,
                ragged_in(timestamp.cast::<u8>(), timestamp_offset, n, true, "timestamp")?,
                ragged_in(record.cast::<u8>(), record_offset, n, true, "record")?,
            )
        };
        let missing = || Failure::from(Error::BothColumnsRequired);
        let c = ProvenanceColumns {
            timestamp: ts.ok_or_else(missing)?,
            record: rec.ok_or_else(missing)?,
        };
        h.write()?.put_provenances(c, mode(append))
    })
}
