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
pub mod genotypes;
pub mod integrity;
pub mod node_stats;
pub mod parts;
pub mod simplify;
pub mod stats;
pub mod tables;
pub mod treeseq;
pub(crate) mod tsan;
pub mod twolocus;

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, Once};

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

// The error codes (`TSPAR_ERR_*`), defined once with their variants in
// src/error.rs; tests/header.rs writes them into the header.
pub use crate::error::codes::*;

thread_local! {
    /// The detail of the calling thread's last failed call.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
    /// Set while this thread runs inside a tspar call, so that our panic hook
    /// stays silent for our panics and leaves the host's alone.
    static IN_TSPAR: Cell<bool> = const { Cell::new(false) };
    /// The last panic raised on this thread inside a tspar call: its
    /// message and the detail (message and place) for the error message.
    static PANIC_MESSAGE: RefCell<Option<RecordedPanic>> = const { RefCell::new(None) };
}

/// A panic seen by our hook: the payload's text, by which the thread that
/// catches the panic finds it, and the detail to report (with the place).
struct RecordedPanic {
    text: String,
    detail: String,
}

/// Panics raised on our worker threads. Rayon catches such a panic and
/// resumes it, with the same payload, on the thread that made the call,
/// where the hook does not run again: that thread takes the detail from
/// here by the payload's text. Only the latest few are kept, so panics
/// caught elsewhere (inside a pool and never resumed) cannot pile up.
static WORKER_PANICS: Mutex<VecDeque<RecordedPanic>> = Mutex::new(VecDeque::new());
const WORKER_PANICS_KEPT: usize = 16;

static HOOK: Once = Once::new();

/// The text of a panic payload (`panic!`'s message).
fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a payload that is not a string".to_string()
    }
}

/// Installs, once, a panic hook that records (instead of printing) panics
/// raised inside tspar calls or on tspar's worker threads and hands every
/// other panic to the hook that was there before, so a host's own panic
/// reporting is unchanged.
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let worker = thread
                .name()
                .filter(|n| n.starts_with(crate::parallel::WORKER_NAME_PREFIX));
            if worker.is_none() && !IN_TSPAR.with(|f| f.get()) {
                return previous(info);
            }
            let text = payload_text(info.payload());
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            match worker {
                Some(name) => {
                    let detail = format!("panic on worker thread {name}: {text}{at}");
                    let mut kept = WORKER_PANICS.lock().unwrap_or_else(|e| e.into_inner());
                    if kept.len() == WORKER_PANICS_KEPT {
                        kept.pop_front();
                    }
                    kept.push_back(RecordedPanic { text, detail });
                }
                None => {
                    let detail = format!("panic: {text}{at}");
                    PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(RecordedPanic { text, detail }));
                }
            }
        }));
    });
}

/// The detail for a panic caught on this thread with `payload`: recorded
/// by the hook on this thread, or on a worker thread (rayon carries the
/// payload across), or else the payload's text alone.
fn panic_detail(payload: &(dyn Any + Send)) -> String {
    let text = payload_text(payload);
    if let Some(own) = PANIC_MESSAGE.with(|m| m.borrow_mut().take()) {
        if own.text == text {
            return own.detail;
        }
    }
    let mut kept = WORKER_PANICS.lock().unwrap_or_else(|e| e.into_inner());
    match kept.iter().rposition(|p| p.text == text) {
        Some(j) => kept.remove(j).map(|p| p.detail).unwrap_or_default(),
        None => format!("panic: {text}"),
    }
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
        Err(payload) => {
            let detail = panic_detail(&*payload);
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

/// [`boundary`] for functions that return a double that is never
/// negative (a sequence length): the value, or the negative code as a double.
pub(crate) fn double_or_code(body: impl FnOnce() -> Result<f64>) -> f64 {
    let mut value = 0.0;
    match status(|| body().map(|v| value = v)) {
        code if code < 0 => code as f64,
        _ => value,
    }
}

/// [`boundary`] for functions that return a pointer: the pointer, or NULL
/// when the call fails.
pub(crate) fn pointer_or_null<T>(body: impl FnOnce() -> Result<*const T>) -> *const T {
    let mut pointer = std::ptr::null();
    status(|| body().map(|p| pointer = p));
    pointer
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
            format!("{what}: {:#x}", options & !allowed),
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
    fn panic_becomes_internal_silently() {
        let code = status(|| panic!("boom"));
        assert_eq!(code, TSPAR_ERR_INTERNAL);
        let msg = unsafe { CStr::from_ptr(tspar_last_error_message()) };
        assert!(msg.to_str().unwrap().contains("boom"));
        assert_eq!(status(|| Ok(())), 0);
        let msg = unsafe { CStr::from_ptr(tspar_last_error_message()) };
        assert!(msg.to_bytes().is_empty());
    }

    /// A panic inside a parallel piece, on one of the pool's worker
    /// threads, reaches the calling thread's last error message, with the
    /// place it was raised; the next failed call does not reuse it.
    #[test]
    fn worker_panic_reaches_the_caller() {
        use rayon::prelude::*;
        for round in 0..3 {
            let code = status(|| {
                crate::parallel::run(3, || {
                    (0..64).into_par_iter().for_each(|i| {
                        if i == 41 {
                            panic!("forced failure in piece {i}, round {round}");
                        }
                    })
                })
            });
            assert_eq!(code, TSPAR_ERR_INTERNAL);
            let msg = unsafe { CStr::from_ptr(tspar_last_error_message()) }.to_str().unwrap();
            assert!(
                msg.contains(&format!("forced failure in piece 41, round {round}")),
                "{msg}"
            );
            assert!(msg.contains("worker thread tspar-worker-"), "{msg}");
            assert!(msg.contains(file!()), "{msg}");
        }
        // A panic on the calling thread itself (one thread: no pool).
        let code = status(|| crate::parallel::run(1, || panic!("on the calling thread")));
        assert_eq!(code, TSPAR_ERR_INTERNAL);
        let msg = unsafe { CStr::from_ptr(tspar_last_error_message()) }.to_str().unwrap();
        assert!(msg.contains("panic: on the calling thread at"), "{msg}");
    }

    #[test]
    fn strerror_known_and_unknown() {
        let s = unsafe { CStr::from_ptr(tspar_strerror(TSPAR_ERR_NODE_OUT_OF_BOUNDS)) };
        assert_eq!(s.to_str().unwrap(), "node out of bounds");
        let s = unsafe { CStr::from_ptr(tspar_strerror(-9999)) };
        assert_eq!(s.to_str().unwrap(), "unknown error");
    }
}
