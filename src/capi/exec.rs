//! `tspar_exec_t`: how a parallel call runs — its thread count and a
//! progress callback that can cancel it.

use std::ffi::{c_int, c_void};

use super::*;
use crate::error::{fail, Error, Result};
use crate::stats::Exec;

/// A progress callback: called on the thread that made the call, with the
/// fraction of the work done (0 to 1). Return non-zero to cancel the call,
/// which then returns `TSPAR_ERR_CANCELLED`.
pub type tspar_progress_func_t = Option<unsafe extern "C" fn(fraction: f64, user_data: *mut c_void) -> c_int>;

/// Settings for parallel calls. Opaque; made by `tspar_exec_new`, freed by
/// `tspar_exec_free`. A call only reads it, so one handle may be passed to
/// calls on many threads at once (the progress callback is then called on
/// each of those threads).
pub struct tspar_exec_t {
    threads: usize,
    progress: tspar_progress_func_t,
    user_data: *mut c_void,
}

/// Makes settings with the default thread count (`TSPAR_NUM_THREADS`, else
/// all cores) and no progress callback. On success `*out` owns the handle;
/// free it with `tspar_exec_free`.
#[no_mangle]
pub unsafe extern "C" fn tspar_exec_new(out: *mut *mut tspar_exec_t) -> c_int {
    status(|| {
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        let h = Box::into_raw(Box::new(tspar_exec_t {
            threads: 0,
            progress: None,
            user_data: std::ptr::null_mut(),
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

/// Sets the thread count: 1 runs everything on the calling thread, 0 means
/// the default (`TSPAR_NUM_THREADS`, else all cores). At most 1024.
#[no_mangle]
pub unsafe extern "C" fn tspar_exec_set_threads(exec: *mut tspar_exec_t, threads: tspar_size_t) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle, not used by another call meanwhile.
        let h =
            unsafe { exec.as_mut() }.ok_or_else(|| crate::error::Failure::new(Error::NullPointer, "exec is NULL"))?;
        if threads > crate::parallel::MAX_THREADS as u64 {
            fail!(
                Error::BadParamValue,
                "thread count {threads} above {}",
                crate::parallel::MAX_THREADS
            );
        }
        h.threads = threads as usize;
        Ok(())
    })
}

/// Sets (or with NULL clears) the progress callback and the pointer passed
/// to it. It is called on the thread that made the statistics call, never
/// on a worker thread.
#[no_mangle]
pub unsafe extern "C" fn tspar_exec_set_progress(
    exec: *mut tspar_exec_t,
    progress: tspar_progress_func_t,
    user_data: *mut c_void,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle, not used by another call meanwhile.
        let h =
            unsafe { exec.as_mut() }.ok_or_else(|| crate::error::Failure::new(Error::NullPointer, "exec is NULL"))?;
        h.progress = progress;
        h.user_data = user_data;
        Ok(())
    })
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
        // SAFETY: NULL or live by contract.
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
