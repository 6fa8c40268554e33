//! `tspar_exec_t`: how a parallel call runs — its thread count and a
//! progress callback that can cancel it.

use std::ffi::{c_int, c_void};

use super::*;
use crate::error::{fail, Error, Result};
use crate::stats::Exec;

/// A progress callback: called on the thread that made the call, never on
/// a worker thread, with the fraction of the work done (0 to 1). Return
/// non-zero to cancel the call, which then returns `TSPAR_ERR_CANCELLED`.
/// It must return normally: no `longjmp` out of it and no C++ exception
/// thrown through the library (either is undefined behaviour).
pub type tspar_progress_func_t = Option<unsafe extern "C" fn(fraction: f64, user_data: *mut c_void) -> c_int>;

/// Settings for the calls that may use worker threads (statistics, sort,
/// simplify, loading, making a tree sequence, building indexes): a thread
/// count and a progress callback. Opaque; made by `tspar_exec_new` with
/// every setting, freed by `tspar_exec_free`, and never changed in between,
/// so one exec may be passed to any number of calls on any number of
/// threads at once. Each call runs the progress callback on its own calling
/// thread (with the same `user_data`), so a callback shared that way must be
/// safe to run on several threads at once. Wherever an exec is taken, NULL
/// means the default: `TSPAR_NUM_THREADS` threads, else all cores, and no
/// progress callback. Freeing an exec while a call still uses it is a
/// misuse the library cannot detect.
pub struct tspar_exec_t {
    threads: usize,
    progress: tspar_progress_func_t,
    user_data: *mut c_void,
}

/// Makes the settings for parallel calls. `threads`: 1 runs everything on
/// the calling thread (no worker threads), 0 means the default
/// (`TSPAR_NUM_THREADS` if it is set to a positive integer when the library
/// first needs it, read once per process; else the number of cores); at
/// most 1024 (`TSPAR_ERR_BAD_PARAM_VALUE` above). `progress` (NULL: none)
/// is called with `user_data` by the statistics; the other functions that
/// take an exec use its thread count only. On success `*out` owns the
/// handle; free it with `tspar_exec_free`.
#[no_mangle]
pub unsafe extern "C" fn tspar_exec_new(
    threads: tspar_size_t,
    progress: tspar_progress_func_t,
    user_data: *mut c_void,
    out: *mut *mut tspar_exec_t,
) -> c_int {
    status(|| {
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        if threads > crate::parallel::MAX_THREADS as u64 {
            fail!(
                Error::BadParamValue,
                "thread count {threads} above {}",
                crate::parallel::MAX_THREADS
            );
        }
        let h = Box::into_raw(Box::new(tspar_exec_t {
            threads: threads as usize,
            progress,
            user_data,
        }));
        // SAFETY: out is non-NULL and writable by contract.
        unsafe { write_out(out, h) };
        Ok(())
    })
}

/// Frees settings made by `tspar_exec_new`. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn tspar_exec_free(exec: *mut tspar_exec_t) {
    if !exec.is_null() {
        // SAFETY: a handle from tspar_exec_new, freed once by contract.
        drop(unsafe { Box::from_raw(exec) });
    }
}

/// The thread count and callback of `exec` (NULL: the defaults).
pub(crate) struct Settings {
    threads: usize,
    progress: tspar_progress_func_t,
    user_data: *mut c_void,
}

impl Settings {
    /// # Safety
    /// `exec` is NULL or a live handle.
    pub(crate) unsafe fn from(exec: *const tspar_exec_t) -> Result<Settings> {
        // SAFETY: NULL or live by contract; a live exec is never written to.
        let h = unsafe { exec.as_ref() };
        let (threads, progress, user_data) = match h {
            None => (0, None, std::ptr::null_mut()),
            Some(h) => (h.threads, h.progress, h.user_data),
        };
        let threads = if threads == 0 {
            crate::parallel::default_threads()
        } else {
            threads
        };
        Ok(Settings {
            threads,
            progress,
            user_data,
        })
    }

    /// The thread count (the default already resolved).
    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `f` with an [`Exec`] whose progress calls the C callback.
    pub(crate) fn run<T>(&self, f: impl FnOnce(&mut Exec) -> Result<T>) -> Result<T> {
        let mut exec = Exec::with_threads(self.threads);
        match self.progress {
            None => f(&mut exec),
            Some(cb) => {
                let user_data = self.user_data;
                let mut call = move |fraction: f64| -> bool {
                    // SAFETY: the caller's callback, called on the caller's
                    // thread with the pointer it gave us.
                    unsafe { cb(fraction, user_data) != 0 }
                };
                exec.progress = Some(&mut call);
                f(&mut exec)
            }
        }
    }
}

/// The thread count of `exec` (NULL: the default), for the calls that use
/// only that.
///
/// # Safety
/// `exec` is NULL or a live handle.
pub(crate) unsafe fn threads_of(exec: *const tspar_exec_t) -> Result<usize> {
    // SAFETY: forwarded contract.
    Ok(unsafe { Settings::from(exec) }?.threads())
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, CString};
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::capi::simplify::tspar_tables_simplify;
    use crate::capi::tables::{tspar_tables_free, tspar_tables_load, tspar_tables_t};
    use crate::capi::treeseq::{tspar_treeseq_free, tspar_treeseq_from_tables, tspar_treeseq_load};
    use crate::capi::{integrity::tspar_tables_build_index, integrity::tspar_tables_sort};
    use crate::parallel::test_hooks::{PANIC_ON_POOL_OF, POOL_SIZE};
    use crate::tables::{TableCollection, NODE_IS_SAMPLE, NULL};

    fn new_exec(threads: u64) -> *mut tspar_exec_t {
        let mut exec = std::ptr::null_mut();
        assert_eq!(
            unsafe { tspar_exec_new(threads, None, std::ptr::null_mut(), &mut exec) },
            0
        );
        exec
    }

    fn last_message() -> String {
        unsafe { CStr::from_ptr(crate::capi::tspar_last_error_message()) }
            .to_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn exec_is_made_whole_and_checked() {
        unsafe {
            assert_eq!(
                tspar_exec_new(1, None, std::ptr::null_mut(), std::ptr::null_mut()),
                TSPAR_ERR_NULL_POINTER
            );
            let mut exec = std::ptr::null_mut();
            assert_eq!(
                tspar_exec_new(1025, None, std::ptr::null_mut(), &mut exec),
                TSPAR_ERR_BAD_PARAM_VALUE
            );
            assert!(exec.is_null(), "nothing written on failure");
            let exec = new_exec(1024);
            assert_eq!(Settings::from(exec).unwrap().threads(), 1024);
            tspar_exec_free(exec);
            let exec = new_exec(0);
            assert_eq!(
                Settings::from(exec).unwrap().threads(),
                crate::parallel::default_threads()
            );
            tspar_exec_free(exec);
            assert_eq!(
                Settings::from(std::ptr::null()).unwrap().threads(),
                crate::parallel::default_threads()
            );
            tspar_exec_free(std::ptr::null_mut());
        }
    }

    /// 200,000 samples under one root, by edges with four different left
    /// ends: large enough for every parallel path (a time column over
    /// 1 MiB, over 2^14 edges to index, over 200,000 edges to simplify).
    fn large() -> TableCollection {
        const N: i32 = 200_000;
        let mut t = TableCollection::new(1.0).unwrap();
        for _ in 0..N {
            t.add_node(NODE_IS_SAMPLE, 0.0, NULL, NULL, b"").unwrap();
        }
        t.add_node(0, 1.0, NULL, NULL, b"").unwrap();
        for j in 0..N {
            t.add_edge(f64::from(j % 4) * 0.25, 1.0, N, j, b"").unwrap();
        }
        t
    }

    fn handle(t: &TableCollection) -> *mut tspar_tables_t {
        Box::into_raw(Box::new(tspar_tables_t::new(t.clone())))
    }

    /// Every call that takes an exec runs on a pool of the exec's size: with
    /// the test hook set, the work on a pool of that size panics on a
    /// worker thread, and the call reports that panic. With one thread the
    /// same calls succeed.
    #[test]
    fn every_parallel_call_uses_the_exec_thread_count() {
        let t = large();
        let mut indexed = t.clone();
        indexed.build_index_with(1).unwrap();
        let path = std::env::temp_dir().join(format!("tspar-exec-test-{}.trees", std::process::id()));
        crate::io::trees::dump(&indexed, &path, 0).unwrap();
        let cpath = CString::new(path.to_str().unwrap()).unwrap();
        let many = new_exec(POOL_SIZE as u64);
        let one = new_exec(1);
        PANIC_ON_POOL_OF.store(POOL_SIZE, Ordering::SeqCst);
        let expect_panic = |code: c_int, call: &str| {
            assert_eq!(code, TSPAR_ERR_INTERNAL, "{call}");
            let msg = last_message();
            assert!(
                msg.contains("forced panic in the work of a pool of 11 threads"),
                "{call}: {msg}"
            );
            assert!(msg.contains("worker thread"), "{call}: {msg}");
        };
        unsafe {
            let mut out = std::ptr::null_mut();
            expect_panic(tspar_tables_load(cpath.as_ptr(), 0, many, &mut out), "tables_load");
            assert!(out.is_null());
            assert_eq!(tspar_tables_load(cpath.as_ptr(), 0, one, &mut out), 0);
            tspar_tables_free(out);

            let mut ts = std::ptr::null_mut();
            expect_panic(tspar_treeseq_load(cpath.as_ptr(), 0, many, &mut ts), "treeseq_load");
            assert_eq!(tspar_treeseq_load(cpath.as_ptr(), 0, one, &mut ts), 0);
            tspar_treeseq_free(ts);

            let h = handle(&indexed);
            let mut ts = std::ptr::null_mut();
            expect_panic(tspar_treeseq_from_tables(h, 0, many, &mut ts), "treeseq_from_tables");
            assert_eq!(tspar_treeseq_from_tables(h, 0, one, &mut ts), 0);
            tspar_treeseq_free(ts);
            tspar_tables_free(h);

            // A panic while a handle's write lock is held leaves the handle
            // unusable, so each of these gets a handle of its own.
            let (h, g) = (handle(&t), handle(&t));
            expect_panic(tspar_tables_sort(h, 0, 0, many), "sort");
            assert_eq!(tspar_tables_sort(g, 0, 0, one), 0);
            tspar_tables_free(h);
            tspar_tables_free(g);

            let (h, g) = (handle(&t), handle(&t));
            expect_panic(tspar_tables_build_index(h, 0, many), "build_index");
            assert_eq!(tspar_tables_build_index(g, 0, one), 0);
            tspar_tables_free(h);
            tspar_tables_free(g);

            let (h, g) = (handle(&t), handle(&t));
            let null = std::ptr::null_mut();
            expect_panic(
                tspar_tables_simplify(h, std::ptr::null(), 0, 0, many, null, 0),
                "simplify",
            );
            assert_eq!(tspar_tables_simplify(g, std::ptr::null(), 0, 0, one, null, 0), 0);
            tspar_tables_free(h);
            tspar_tables_free(g);
        }
        PANIC_ON_POOL_OF.store(0, Ordering::SeqCst);
        unsafe {
            tspar_exec_free(many);
            tspar_exec_free(one);
        }
        std::fs::remove_file(&path).unwrap();
    }
}
