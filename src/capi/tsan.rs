//! ThreadSanitizer annotations, compiled in only with `--cfg tspar_tsan`
//! (scripts/sanitizers.sh sets it with `-Zsanitizer=thread`).
//!
//! The standard library is prebuilt without instrumentation, so
//! ThreadSanitizer cannot see the order that its `RwLock`, and the
//! `Mutex`/`Condvar` sleep inside rayon's latches, impose: it would report
//! every access a handle's lock protects, and every result a pool thread
//! hands back to the caller, as a race. These annotations tell it what
//! those primitives guarantee, and nothing more: when a handle's lock is
//! taken and released (as its own `pthread_rwlock_*` interceptors do, which
//! also lets it report lock-order inversions between handles), and that
//! work done on pool threads happened before the caller goes on. In every
//! other build they are empty and cost nothing.

/// Work handed to pool threads: each piece calls `release` when it ends,
/// the caller `acquire` once every piece has ended (after `install` or the
/// scope returns).
#[derive(Default)]
pub(crate) struct HandOff {
    #[cfg(tspar_tsan)]
    _addr: u8,
}

#[cfg(not(tspar_tsan))]
impl HandOff {
    #[inline(always)]
    pub(crate) fn release(&self) {}

    #[inline(always)]
    pub(crate) fn acquire(&self) {}
}

#[cfg(tspar_tsan)]
pub(crate) use annotated::*;

/// Not part of the C API: cbindgen must not copy these declarations into the header.
/// cbindgen:ignore
#[cfg(tspar_tsan)]
mod annotated {
    use std::ffi::{c_int, c_uint, c_void};
    use std::ops::{Deref, DerefMut};
    use std::sync::LockResult;

    use super::HandOff;

    // compiler-rt's sanitizer/tsan_interface.h.
    const READ_LOCK: c_uint = 1 << 3;

    extern "C" {
        fn __tsan_acquire(addr: *mut c_void);
        fn __tsan_release(addr: *mut c_void);
        fn __tsan_mutex_pre_lock(addr: *mut c_void, flags: c_uint);
        fn __tsan_mutex_post_lock(addr: *mut c_void, flags: c_uint, recursion: c_int);
        fn __tsan_mutex_pre_unlock(addr: *mut c_void, flags: c_uint) -> c_int;
        fn __tsan_mutex_post_unlock(addr: *mut c_void, flags: c_uint);
    }

    fn addr_of<T>(x: &T) -> *mut c_void {
        x as *const T as *mut c_void
    }

    impl HandOff {
        pub(crate) fn release(&self) {
            // SAFETY: the address only names a synchronisation object to
            // ThreadSanitizer, which never dereferences it.
            unsafe { __tsan_release(addr_of(self)) }
        }

        pub(crate) fn acquire(&self) {
            // SAFETY: as in `release`.
            unsafe { __tsan_acquire(addr_of(self)) }
        }
    }

    /// A lock about to be taken: its address and whether for reading.
    pub(crate) struct Lock {
        addr: *mut c_void,
        flags: c_uint,
    }

    impl Lock {
        fn announce<T>(lock: &T, flags: c_uint) -> Lock {
            let addr = addr_of(lock);
            // SAFETY: as in `HandOff::release`.
            unsafe { __tsan_mutex_pre_lock(addr, flags) };
            Lock { addr, flags }
        }

        pub(crate) fn read<T>(lock: &T) -> Lock {
            Lock::announce(lock, READ_LOCK)
        }

        pub(crate) fn write<T>(lock: &T) -> Lock {
            Lock::announce(lock, 0)
        }
    }

    /// A lock guard that tells ThreadSanitizer when it is released.
    pub(crate) struct Guard<G> {
        lock: Lock,
        guard: Option<G>,
    }

    impl<G> Guard<G> {
        /// Wraps the result of taking the lock announced by `lock` (held in
        /// both cases: a poisoned lock is released at once).
        pub(crate) fn new(lock: Lock, taken: LockResult<G>) -> Result<Guard<G>, ()> {
            // SAFETY: as in `HandOff::release`.
            unsafe { __tsan_mutex_post_lock(lock.addr, lock.flags, 0) };
            match taken {
                Ok(guard) => Ok(Guard {
                    lock,
                    guard: Some(guard),
                }),
                Err(poisoned) => {
                    drop(Guard {
                        lock,
                        guard: Some(poisoned.into_inner()),
                    });
                    Err(())
                }
            }
        }
    }

    impl<G> Drop for Guard<G> {
        fn drop(&mut self) {
            // SAFETY: as in `HandOff::release`.
            unsafe { __tsan_mutex_pre_unlock(self.lock.addr, self.lock.flags) };
            drop(self.guard.take());
            // SAFETY: as in `HandOff::release`.
            unsafe { __tsan_mutex_post_unlock(self.lock.addr, self.lock.flags) };
        }
    }

    impl<G: Deref> Deref for Guard<G> {
        type Target = G::Target;
        fn deref(&self) -> &G::Target {
            self.guard.as_ref().expect("held until dropped")
        }
    }

    impl<G: DerefMut> DerefMut for Guard<G> {
        fn deref_mut(&mut self) -> &mut G::Target {
            self.guard.as_mut().expect("held until dropped")
        }
    }
}
