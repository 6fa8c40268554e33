//! The C API: every `extern "C"` function of tspar, one file per area.
//!
//! Every exported body goes through [`boundary`], which catches panics,
//! records the thread's last error message and turns a [`Failure`] into its
//! negative code. Raw pointers are turned into references and slices only
//! by the helpers in this file, each of which maps NULL to
//! `TSPAR_ERR_NULL_POINTER` instead of dereferencing it.

// Every exported function is `unsafe` because it takes raw pointers. Its
// safety contract is the one the header's preamble states for all of them
// (pointers are NULL or valid for the lengths given, handles are live), so
// it is not repeated on each function.
#![allow(non_camel_case_types, clippy::missing_safety_doc)]

pub mod exec;
pub mod integrity;
pub mod simplify;
pub mod stats;
pub mod tables;
pub mod treeseq;
pub(crate) mod tsan;

use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use crate::error::{Error, Failure, Result};

/// A row id: `int32_t`, as tskit's `tsk_id_t`.
pub type tspar_id_t = i32;
/// A count or length: `uint64_t`, as tskit's `tsk_size_t`.
pub type tspar_size_t = u64;
/// A set of option bits: `uint32_t`, as tskit's `tsk_flags_t`.
pub type tspar_flags_t = u32;

/// The null id: no parent, no population, no individual.
pub const TSPAR_NULL: tspar_id_t = -1;
/// Node flag: the node is a sample.
pub const TSPAR_NODE_IS_SAMPLE: tspar_flags_t = 1;

/// Table identifiers, for functions that take a table as an argument.
pub const TSPAR_TABLE_INDIVIDUALS: c_int = 0;
pub const TSPAR_TABLE_NODES: c_int = 1;
pub const TSPAR_TABLE_EDGES: c_int = 2;
pub const TSPAR_TABLE_MIGRATIONS: c_int = 3;
pub const TSPAR_TABLE_SITES: c_int = 4;
pub const TSPAR_TABLE_MUTATIONS: c_int = 5;
pub const TSPAR_TABLE_POPULATIONS: c_int = 6;
pub const TSPAR_TABLE_PROVENANCES: c_int = 7;

/// Column data types (kastore's type codes).
pub const TSPAR_DTYPE_INT8: c_int = 0;
pub const TSPAR_DTYPE_UINT8: c_int = 1;
pub const TSPAR_DTYPE_INT32: c_int = 4;
pub const TSPAR_DTYPE_UINT32: c_int = 5;
pub const TSPAR_DTYPE_UINT64: c_int = 7;
pub const TSPAR_DTYPE_FLOAT64: c_int = 9;

/// Load options (tskit's values).
pub const TSPAR_LOAD_SKIP_TABLES: tspar_flags_t = 1 << 0;
pub const TSPAR_LOAD_SKIP_REFERENCE_SEQUENCE: tspar_flags_t = 1 << 1;
/// Dump option: write every offset column as 64-bit even when 32 bits suffice.
pub const TSPAR_DUMP_FORCE_OFFSET_64: tspar_flags_t = 1 << 27;

/// Comparison options for `tspar_tables_equals` (tskit's values).
pub const TSPAR_CMP_IGNORE_TS_METADATA: tspar_flags_t = 1 << 0;
pub const TSPAR_CMP_IGNORE_PROVENANCE: tspar_flags_t = 1 << 1;
pub const TSPAR_CMP_IGNORE_METADATA: tspar_flags_t = 1 << 2;
pub const TSPAR_CMP_IGNORE_TIMESTAMPS: tspar_flags_t = 1 << 3;
pub const TSPAR_CMP_IGNORE_TABLES: tspar_flags_t = 1 << 4;
pub const TSPAR_CMP_IGNORE_REFERENCE_SEQUENCE: tspar_flags_t = 1 << 5;

/// Clear options for `tspar_tables_clear` (tskit's values).
pub const TSPAR_CLEAR_METADATA_SCHEMAS: tspar_flags_t = 1 << 0;
pub const TSPAR_CLEAR_TS_METADATA_AND_SCHEMA: tspar_flags_t = 1 << 1;
pub const TSPAR_CLEAR_PROVENANCE: tspar_flags_t = 1 << 2;

// Error codes. The numbers are stable: never reused, never renumbered.
// A test checks that each equals the code of the matching `Error` variant.
pub const TSPAR_ERR_NO_MEMORY: c_int = -1;
pub const TSPAR_ERR_NULL_POINTER: c_int = -2;
pub const TSPAR_ERR_BAD_PARAM_VALUE: c_int = -3;
pub const TSPAR_ERR_BUFFER_TOO_SMALL: c_int = -4;
pub const TSPAR_ERR_BAD_OPTIONS: c_int = -5;
pub const TSPAR_ERR_INTERNAL: c_int = -6;
pub const TSPAR_ERR_BUSY: c_int = -7;
pub const TSPAR_ERR_CANCELLED: c_int = -8;
pub const TSPAR_ERR_BAD_STRING: c_int = -9;
pub const TSPAR_ERR_BAD_DTYPE: c_int = -10;
pub const TSPAR_ERR_COLUMN_NOT_FOUND: c_int = -11;
pub const TSPAR_ERR_IO: c_int = -100;
pub const TSPAR_ERR_FILE_NOT_FOUND: c_int = -101;
pub const TSPAR_ERR_PERMISSION_DENIED: c_int = -102;
pub const TSPAR_ERR_IS_A_DIRECTORY: c_int = -103;
pub const TSPAR_ERR_BAD_MAGIC: c_int = -104;
pub const TSPAR_ERR_FILE_TRUNCATED: c_int = -105;
pub const TSPAR_ERR_FILE_FORMAT: c_int = -106;
pub const TSPAR_ERR_FILE_VERSION_TOO_OLD: c_int = -107;
pub const TSPAR_ERR_FILE_VERSION_TOO_NEW: c_int = -108;
pub const TSPAR_ERR_BAD_ITEM_OFFSET: c_int = -109;
pub const TSPAR_ERR_DUPLICATE_KEY: c_int = -110;
pub const TSPAR_ERR_REQUIRED_COL_NOT_FOUND: c_int = -111;
pub const TSPAR_ERR_BAD_COLUMN_TYPE: c_int = -112;
pub const TSPAR_ERR_BOTH_COLUMNS_REQUIRED: c_int = -113;
pub const TSPAR_ERR_COLUMN_LENGTH_MISMATCH: c_int = -114;
pub const TSPAR_ERR_BAD_OFFSET: c_int = -200;
pub const TSPAR_ERR_BAD_SEQUENCE_LENGTH: c_int = -201;
pub const TSPAR_ERR_TABLE_OVERFLOW: c_int = -202;
pub const TSPAR_ERR_COLUMN_OVERFLOW: c_int = -203;
pub const TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS: c_int = -204;
pub const TSPAR_ERR_NODE_OUT_OF_BOUNDS: c_int = -205;
pub const TSPAR_ERR_EDGE_OUT_OF_BOUNDS: c_int = -206;
pub const TSPAR_ERR_MIGRATION_OUT_OF_BOUNDS: c_int = -207;
pub const TSPAR_ERR_SITE_OUT_OF_BOUNDS: c_int = -208;
pub const TSPAR_ERR_MUTATION_OUT_OF_BOUNDS: c_int = -209;
pub const TSPAR_ERR_POPULATION_OUT_OF_BOUNDS: c_int = -210;
pub const TSPAR_ERR_PROVENANCE_OUT_OF_BOUNDS: c_int = -211;
pub const TSPAR_ERR_TABLES_NOT_INDEXED: c_int = -212;
pub const TSPAR_ERR_BAD_NODE_TIME_ORDERING: c_int = -300;
pub const TSPAR_ERR_NULL_PARENT: c_int = -301;
pub const TSPAR_ERR_NULL_CHILD: c_int = -302;
pub const TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME: c_int = -303;
pub const TSPAR_ERR_EDGES_NOT_SORTED_CHILD: c_int = -304;
pub const TSPAR_ERR_EDGES_NOT_SORTED_LEFT: c_int = -305;
pub const TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS: c_int = -306;
pub const TSPAR_ERR_BAD_EDGE_INTERVAL: c_int = -307;
pub const TSPAR_ERR_DUPLICATE_EDGES: c_int = -308;
pub const TSPAR_ERR_RIGHT_GREATER_SEQ_LENGTH: c_int = -309;
pub const TSPAR_ERR_LEFT_LESS_ZERO: c_int = -310;
pub const TSPAR_ERR_BAD_EDGES_CONTRADICTORY_CHILDREN: c_int = -311;
pub const TSPAR_ERR_GENOME_COORDS_NONFINITE: c_int = -312;
pub const TSPAR_ERR_TIME_NONFINITE: c_int = -313;
pub const TSPAR_ERR_BAD_SITE_POSITION: c_int = -314;
pub const TSPAR_ERR_UNSORTED_SITES: c_int = -315;
pub const TSPAR_ERR_DUPLICATE_SITE_POSITION: c_int = -316;
pub const TSPAR_ERR_UNSORTED_MUTATIONS: c_int = -317;
pub const TSPAR_ERR_MUTATION_PARENT_DIFFERENT_SITE: c_int = -318;
pub const TSPAR_ERR_MUTATION_PARENT_EQUAL: c_int = -319;
pub const TSPAR_ERR_MUTATION_PARENT_AFTER_CHILD: c_int = -320;
pub const TSPAR_ERR_MUTATION_TIME_YOUNGER_THAN_NODE: c_int = -321;
pub const TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_NODE: c_int = -322;
pub const TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_MUTATION: c_int = -323;
pub const TSPAR_ERR_MUTATION_TIME_HAS_BOTH_KNOWN_AND_UNKNOWN: c_int = -324;
pub const TSPAR_ERR_BAD_MUTATION_PARENT: c_int = -325;
pub const TSPAR_ERR_MUTATION_PARENT_INCONSISTENT: c_int = -326;
pub const TSPAR_ERR_UNSORTED_MIGRATIONS: c_int = -327;
pub const TSPAR_ERR_UNSORTED_INDIVIDUALS: c_int = -328;
pub const TSPAR_ERR_INDIVIDUAL_SELF_PARENT: c_int = -329;
pub const TSPAR_ERR_INDIVIDUAL_PARENT_CYCLE: c_int = -330;
pub const TSPAR_ERR_TABLES_BAD_INDEXES: c_int = -331;
pub const TSPAR_ERR_SORT_OFFSET_NOT_SUPPORTED: c_int = -332;
pub const TSPAR_ERR_MIGRATIONS_NOT_SUPPORTED: c_int = -333;
pub const TSPAR_ERR_SEEK_OUT_OF_BOUNDS: c_int = -334;
pub const TSPAR_ERR_TREE_SEQUENCE_HAS_NO_SAMPLES: c_int = -335;
pub const TSPAR_ERR_UNKNOWN_TIME_NOT_SUPPORTED: c_int = -336;
pub const TSPAR_ERR_TREE_OVERFLOW: c_int = -337;
pub const TSPAR_ERR_DUPLICATE_SAMPLE: c_int = -500;
pub const TSPAR_ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE: c_int = -501;
pub const TSPAR_ERR_CANT_PROCESS_EDGES_WITH_METADATA: c_int = -502;
pub const TSPAR_ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED: c_int = -503;
pub const TSPAR_ERR_BAD_TABLE_POSITION: c_int = -504;
pub const TSPAR_ERR_BAD_NUM_WINDOWS: c_int = -400;
pub const TSPAR_ERR_BAD_WINDOWS: c_int = -401;
pub const TSPAR_ERR_MULTIPLE_STAT_MODES: c_int = -402;
pub const TSPAR_ERR_BAD_STATE_DIMS: c_int = -403;
pub const TSPAR_ERR_BAD_RESULT_DIMS: c_int = -404;
pub const TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS: c_int = -405;
pub const TSPAR_ERR_INSUFFICIENT_INDEX_TUPLES: c_int = -406;
pub const TSPAR_ERR_BAD_SAMPLE_SET_INDEX: c_int = -407;
pub const TSPAR_ERR_EMPTY_SAMPLE_SET: c_int = -408;
pub const TSPAR_ERR_UNSUPPORTED_STAT_MODE: c_int = -409;
pub const TSPAR_ERR_TIME_UNCALIBRATED: c_int = -410;
pub const TSPAR_ERR_STAT_POLARISED_UNSUPPORTED: c_int = -411;
pub const TSPAR_ERR_STAT_SPAN_NORMALISE_UNSUPPORTED: c_int = -412;
pub const TSPAR_ERR_INSUFFICIENT_WEIGHTS: c_int = -413;
pub const TSPAR_ERR_BAD_SAMPLES: c_int = -414;
pub const TSPAR_ERR_SUMMARY_FUNC: c_int = -416;

thread_local! {
    /// The detail of the calling thread's last failed call.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    /// Set while this thread runs inside a tspar call, so that our panic hook
    /// stays silent for our panics and leaves the host's alone.
    static IN_TSPAR: Cell<bool> = const { Cell::new(false) };
    /// The message of a panic caught on this thread, for the error detail.
    static PANIC_MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
}

static HOOK: Once = Once::new();

/// Installs, once, a panic hook that records (instead of printing) panics
/// raised inside tspar calls and hands every other panic to the hook that
/// was there before, so a host's own panic reporting is unchanged.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let worker = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with(crate::parallel::WORKER_NAME_PREFIX));
            if IN_TSPAR.with(|f| f.get()) || worker {
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line()));
                PANIC_MESSAGE.with(|m| *m.borrow_mut() = format!("panic: {msg}{}", at.unwrap_or_default()));
            } else {
                previous(info)
            }
        }));
    });
}

fn set_last_error(failure: &Failure) {
    let text = failure.to_string().replace('\0', " ");
    LAST_ERROR.with(|e| *e.borrow_mut() = CString::new(text).unwrap_or_default());
}

/// Runs the body of an exported function: clears the thread's last error,
/// catches panics (`TSPAR_ERR_INTERNAL`), and maps a failure to its code.
/// `T` is the success value (a row id, a count, 0).
pub(crate) fn boundary<T: Into<i64>>(body: impl FnOnce() -> Result<T>) -> i64 {
    install_panic_hook();
    // Cleared only when set: an empty CString costs an allocation, and cursor
    // moves call in here hundreds of thousands of times a second.
    LAST_ERROR.with(|e| {
        let mut e = e.borrow_mut();
        if !e.as_bytes().is_empty() {
            *e = CString::default();
        }
    });
    let was_inside = IN_TSPAR.with(|f| f.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(body));
    IN_TSPAR.with(|f| f.set(was_inside));
    match outcome {
        Ok(Ok(v)) => v.into(),
        Ok(Err(failure)) => {
            set_last_error(&failure);
            failure.kind.code() as i64
        }
        Err(_) => {
            let detail = PANIC_MESSAGE.with(|m| std::mem::take(&mut *m.borrow_mut()));
            let failure = Failure::new(Error::Internal, detail);
            set_last_error(&failure);
            Error::Internal.code() as i64
        }
    }
}

/// [`boundary`] for functions that return `int`.
pub(crate) fn status(body: impl FnOnce() -> Result<()>) -> c_int {
    boundary(|| body().map(|()| 0i32)) as c_int
}

/// [`boundary`] for functions that return a row id or a negative code.
pub(crate) fn id_or_code(body: impl FnOnce() -> Result<tspar_id_t>) -> tspar_id_t {
    boundary(body) as tspar_id_t
}

fn null(what: &str) -> Failure {
    Failure::new(Error::NullPointer, format!("{what} is NULL"))
}

/// A shared reference from a pointer the caller passed.
///
/// # Safety
/// `p` is NULL or points to a live `T` that nobody mutates for `'a` (the
/// C API contract for every pointer argument).
pub(crate) unsafe fn deref<'a, T>(p: *const T, what: &str) -> Result<&'a T> {
    // SAFETY: non-NULL pointers are valid by the caller's contract.
    unsafe { p.as_ref() }.ok_or_else(|| null(what))
}

/// A slice of `len` elements from a pointer the caller passed. A length of
/// zero needs no pointer.
///
/// # Safety
/// `p` is NULL or points to at least `len` initialised `T`s, live for `'a`.
pub(crate) unsafe fn slice<'a, T>(p: *const T, len: tspar_size_t, what: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(null(what));
    }
    let len = checked_len::<T>(len, what)?;
    // SAFETY: p is non-NULL, aligned and valid for len elements by the
    // caller's contract; len * size_of::<T>() fits in isize (checked).
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// A mutable output slice of `len` elements.
///
/// # Safety
/// `p` is NULL or points to at least `len` writable `T`s that nothing else
/// accesses during the call.
pub(crate) unsafe fn slice_mut<'a, T>(p: *mut T, len: tspar_size_t, what: &str) -> Result<&'a mut [T]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(null(what));
    }
    let len = checked_len::<T>(len, what)?;
    // SAFETY: as for `slice`, and the caller gives us exclusive access.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

fn checked_len<T>(len: tspar_size_t, what: &str) -> Result<usize> {
    let size = std::mem::size_of::<T>().max(1) as u64;
    match len.checked_mul(size) {
        Some(bytes) if bytes <= isize::MAX as u64 => Ok(len as usize),
        _ => Err(Failure::new(
            Error::BadParamValue,
            format!("{what}: length {len} is too large"),
        )),
    }
}

/// A NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string live for `'a`.
pub(crate) unsafe fn c_str<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(null(what));
    }
    // SAFETY: p is non-NULL and NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .map_err(|_| Failure::new(Error::BadString, format!("{what} is not valid UTF-8")))
}

/// Writes a value through an out-pointer, only once the call has succeeded.
///
/// # Safety
/// `p` is NULL or points to writable memory for a `T`.
pub(crate) unsafe fn write_out<T>(p: *mut T, value: T) {
    if !p.is_null() {
        // SAFETY: non-NULL and writable by the caller's contract.
        unsafe { p.write(value) }
    }
}

pub(crate) fn check_options(options: tspar_flags_t, allowed: tspar_flags_t, what: &str) -> Result<()> {
    if options & !allowed != 0 {
        return Err(Failure::new(
            Error::BadOptions,
            format!("{what}: unknown option bits {:#x}", options & !allowed),
        ));
    }
    Ok(())
}

/// The tspar version ("MAJOR.MINOR.PATCH"), a static string.
#[no_mangle]
pub extern "C" fn tspar_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

static MESSAGES: std::sync::OnceLock<Vec<(c_int, CString)>> = std::sync::OnceLock::new();

/// A static message for an error code (or "unknown error" for a code tspar
/// never returns). The string lives as long as the library is loaded.
#[no_mangle]
pub extern "C" fn tspar_strerror(err: c_int) -> *const c_char {
    let messages = MESSAGES.get_or_init(|| {
        Error::ALL
            .iter()
            .map(|e| (e.code(), CString::new(e.to_string()).unwrap_or_default()))
            .collect()
    });
    match messages.iter().find(|(code, _)| *code == err) {
        Some((_, msg)) => msg.as_ptr(),
        None if err >= 0 => c"no error".as_ptr(),
        None => c"unknown error".as_ptr(),
    }
}

/// The detail of the last failed call on the calling thread: what failed and
/// where (which file, key, row or argument). An empty string after a call
/// that succeeded. Valid until this thread's next call into tspar.
#[no_mangle]
pub extern "C" fn tspar_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_constants_match_error_codes() {
        let pairs = [
            (TSPAR_ERR_NO_MEMORY, Error::NoMemory),
            (TSPAR_ERR_NULL_POINTER, Error::NullPointer),
            (TSPAR_ERR_BAD_PARAM_VALUE, Error::BadParamValue),
            (TSPAR_ERR_BUFFER_TOO_SMALL, Error::BufferTooSmall),
            (TSPAR_ERR_BAD_OPTIONS, Error::BadOptions),
            (TSPAR_ERR_INTERNAL, Error::Internal),
            (TSPAR_ERR_BUSY, Error::Busy),
            (TSPAR_ERR_CANCELLED, Error::Cancelled),
            (TSPAR_ERR_BAD_STRING, Error::BadString),
            (TSPAR_ERR_BAD_DTYPE, Error::BadDtype),
            (TSPAR_ERR_COLUMN_NOT_FOUND, Error::ColumnNotFound),
            (TSPAR_ERR_IO, Error::Io),
            (TSPAR_ERR_FILE_NOT_FOUND, Error::FileNotFound),
            (TSPAR_ERR_PERMISSION_DENIED, Error::PermissionDenied),
            (TSPAR_ERR_IS_A_DIRECTORY, Error::IsADirectory),
            (TSPAR_ERR_BAD_MAGIC, Error::BadMagic),
            (TSPAR_ERR_FILE_TRUNCATED, Error::FileTruncated),
            (TSPAR_ERR_FILE_FORMAT, Error::FileFormat),
            (TSPAR_ERR_FILE_VERSION_TOO_OLD, Error::FileVersionTooOld),
            (TSPAR_ERR_FILE_VERSION_TOO_NEW, Error::FileVersionTooNew),
            (TSPAR_ERR_BAD_ITEM_OFFSET, Error::BadItemOffset),
            (TSPAR_ERR_DUPLICATE_KEY, Error::DuplicateKey),
            (TSPAR_ERR_REQUIRED_COL_NOT_FOUND, Error::RequiredColNotFound),
            (TSPAR_ERR_BAD_COLUMN_TYPE, Error::BadColumnType),
            (TSPAR_ERR_BOTH_COLUMNS_REQUIRED, Error::BothColumnsRequired),
            (TSPAR_ERR_COLUMN_LENGTH_MISMATCH, Error::ColumnLengthMismatch),
            (TSPAR_ERR_BAD_OFFSET, Error::BadOffset),
            (TSPAR_ERR_BAD_SEQUENCE_LENGTH, Error::BadSequenceLength),
            (TSPAR_ERR_TABLE_OVERFLOW, Error::TableOverflow),
            (TSPAR_ERR_COLUMN_OVERFLOW, Error::ColumnOverflow),
            (TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS, Error::IndividualOutOfBounds),
            (TSPAR_ERR_NODE_OUT_OF_BOUNDS, Error::NodeOutOfBounds),
            (TSPAR_ERR_EDGE_OUT_OF_BOUNDS, Error::EdgeOutOfBounds),
            (TSPAR_ERR_MIGRATION_OUT_OF_BOUNDS, Error::MigrationOutOfBounds),
            (TSPAR_ERR_SITE_OUT_OF_BOUNDS, Error::SiteOutOfBounds),
            (TSPAR_ERR_MUTATION_OUT_OF_BOUNDS, Error::MutationOutOfBounds),
            (TSPAR_ERR_POPULATION_OUT_OF_BOUNDS, Error::PopulationOutOfBounds),
            (TSPAR_ERR_PROVENANCE_OUT_OF_BOUNDS, Error::ProvenanceOutOfBounds),
            (TSPAR_ERR_TABLES_NOT_INDEXED, Error::TablesNotIndexed),
            (TSPAR_ERR_BAD_NODE_TIME_ORDERING, Error::BadNodeTimeOrdering),
            (TSPAR_ERR_NULL_PARENT, Error::NullParent),
            (TSPAR_ERR_NULL_CHILD, Error::NullChild),
            (TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME, Error::EdgesNotSortedParentTime),
            (TSPAR_ERR_EDGES_NOT_SORTED_CHILD, Error::EdgesNotSortedChild),
            (TSPAR_ERR_EDGES_NOT_SORTED_LEFT, Error::EdgesNotSortedLeft),
            (TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS, Error::EdgesNoncontiguousParents),
            (TSPAR_ERR_BAD_EDGE_INTERVAL, Error::BadEdgeInterval),
            (TSPAR_ERR_DUPLICATE_EDGES, Error::DuplicateEdges),
            (TSPAR_ERR_RIGHT_GREATER_SEQ_LENGTH, Error::RightGreaterSeqLength),
            (TSPAR_ERR_LEFT_LESS_ZERO, Error::LeftLessZero),
            (
                TSPAR_ERR_BAD_EDGES_CONTRADICTORY_CHILDREN,
                Error::BadEdgesContradictoryChildren,
            ),
            (TSPAR_ERR_GENOME_COORDS_NONFINITE, Error::GenomeCoordsNonfinite),
            (TSPAR_ERR_TIME_NONFINITE, Error::TimeNonfinite),
            (TSPAR_ERR_BAD_SITE_POSITION, Error::BadSitePosition),
            (TSPAR_ERR_UNSORTED_SITES, Error::UnsortedSites),
            (TSPAR_ERR_DUPLICATE_SITE_POSITION, Error::DuplicateSitePosition),
            (TSPAR_ERR_UNSORTED_MUTATIONS, Error::UnsortedMutations),
            (
                TSPAR_ERR_MUTATION_PARENT_DIFFERENT_SITE,
                Error::MutationParentDifferentSite,
            ),
            (TSPAR_ERR_MUTATION_PARENT_EQUAL, Error::MutationParentEqual),
            (TSPAR_ERR_MUTATION_PARENT_AFTER_CHILD, Error::MutationParentAfterChild),
            (
                TSPAR_ERR_MUTATION_TIME_YOUNGER_THAN_NODE,
                Error::MutationTimeYoungerThanNode,
            ),
            (
                TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_NODE,
                Error::MutationTimeOlderThanParentNode,
            ),
            (
                TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_MUTATION,
                Error::MutationTimeOlderThanParentMutation,
            ),
            (
                TSPAR_ERR_MUTATION_TIME_HAS_BOTH_KNOWN_AND_UNKNOWN,
                Error::MutationTimeHasBothKnownAndUnknown,
            ),
            (TSPAR_ERR_BAD_MUTATION_PARENT, Error::BadMutationParent),
            (
                TSPAR_ERR_MUTATION_PARENT_INCONSISTENT,
                Error::MutationParentInconsistent,
            ),
            (TSPAR_ERR_UNSORTED_MIGRATIONS, Error::UnsortedMigrations),
            (TSPAR_ERR_UNSORTED_INDIVIDUALS, Error::UnsortedIndividuals),
            (TSPAR_ERR_INDIVIDUAL_SELF_PARENT, Error::IndividualSelfParent),
            (TSPAR_ERR_INDIVIDUAL_PARENT_CYCLE, Error::IndividualParentCycle),
            (TSPAR_ERR_TABLES_BAD_INDEXES, Error::TablesBadIndexes),
            (TSPAR_ERR_SORT_OFFSET_NOT_SUPPORTED, Error::SortOffsetNotSupported),
            (TSPAR_ERR_MIGRATIONS_NOT_SUPPORTED, Error::MigrationsNotSupported),
            (TSPAR_ERR_SEEK_OUT_OF_BOUNDS, Error::SeekOutOfBounds),
            (TSPAR_ERR_TREE_SEQUENCE_HAS_NO_SAMPLES, Error::TreeSequenceHasNoSamples),
            (TSPAR_ERR_UNKNOWN_TIME_NOT_SUPPORTED, Error::UnknownTimeNotSupported),
            (TSPAR_ERR_TREE_OVERFLOW, Error::TreeOverflow),
            (TSPAR_ERR_DUPLICATE_SAMPLE, Error::DuplicateSample),
            (
                TSPAR_ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE,
                Error::KeepUnaryMutuallyExclusive,
            ),
            (
                TSPAR_ERR_CANT_PROCESS_EDGES_WITH_METADATA,
                Error::CantProcessEdgesWithMetadata,
            ),
            (
                TSPAR_ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED,
                Error::SimplifyMigrationsNotSupported,
            ),
            (TSPAR_ERR_BAD_TABLE_POSITION, Error::BadTablePosition),
            (TSPAR_ERR_BAD_NUM_WINDOWS, Error::BadNumWindows),
            (TSPAR_ERR_BAD_WINDOWS, Error::BadWindows),
            (TSPAR_ERR_MULTIPLE_STAT_MODES, Error::MultipleStatModes),
            (TSPAR_ERR_BAD_STATE_DIMS, Error::BadStateDims),
            (TSPAR_ERR_BAD_RESULT_DIMS, Error::BadResultDims),
            (TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS, Error::InsufficientSampleSets),
            (TSPAR_ERR_INSUFFICIENT_INDEX_TUPLES, Error::InsufficientIndexTuples),
            (TSPAR_ERR_BAD_SAMPLE_SET_INDEX, Error::BadSampleSetIndex),
            (TSPAR_ERR_EMPTY_SAMPLE_SET, Error::EmptySampleSet),
            (TSPAR_ERR_UNSUPPORTED_STAT_MODE, Error::UnsupportedStatMode),
            (TSPAR_ERR_TIME_UNCALIBRATED, Error::TimeUncalibrated),
            (TSPAR_ERR_STAT_POLARISED_UNSUPPORTED, Error::StatPolarisedUnsupported),
            (
                TSPAR_ERR_STAT_SPAN_NORMALISE_UNSUPPORTED,
                Error::StatSpanNormaliseUnsupported,
            ),
            (TSPAR_ERR_INSUFFICIENT_WEIGHTS, Error::InsufficientWeights),
            (TSPAR_ERR_BAD_SAMPLES, Error::BadSamples),
            (TSPAR_ERR_SUMMARY_FUNC, Error::SummaryFunc),
        ];
        assert_eq!(pairs.len(), Error::ALL.len(), "every error has a C constant");
        for (c, e) in pairs {
            assert_eq!(c, e.code(), "{e:?}");
        }
    }

    #[test]
    fn panic_becomes_internal_silently() {
        let code = status(|| panic!("boom"));
        assert_eq!(code, TSPAR_ERR_INTERNAL);
        let msg = unsafe { CStr::from_ptr(tspar_last_error_message()) };
        assert!(msg.to_str().unwrap().contains("boom"));
        assert_eq!(status(|| Ok(())), 0);
        let msg = unsafe { CStr::from_ptr(tspar_last_error_message()) };
        assert!(msg.to_bytes().is_empty());
    }

    #[test]
    fn strerror_known_and_unknown() {
        let s = unsafe { CStr::from_ptr(tspar_strerror(TSPAR_ERR_NODE_OUT_OF_BOUNDS)) };
        assert_eq!(s.to_str().unwrap(), "node out of bounds");
        let s = unsafe { CStr::from_ptr(tspar_strerror(-9999)) };
        assert_eq!(s.to_str().unwrap(), "unknown error");
    }
}
