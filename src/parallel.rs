//! How work runs in parallel: on the library's own rayon pools, never on
//! rayon's global pool (the host program may own that one).
//!
//! A thread count of 1 means no worker threads: callers take their
//! sequential path on the calling thread. For more, one pool per thread
//! count is made on first use and kept for the life of the process, so
//! repeated calls do not pay for thread start-up. Results must not depend on
//! the thread count: callers cut work into units that do not depend on it
//! and combine them in a fixed order.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::{Error, Failure, Result};

/// The prefix of our worker threads' names; the C API's panic hook uses it
/// to keep panics on these threads silent.
pub const WORKER_NAME_PREFIX: &str = "tspar-worker";

/// The largest thread count accepted.
pub const MAX_THREADS: usize = 1024;

/// The thread count used when the caller gives none: `TSPAR_NUM_THREADS` if
/// it is set to a positive integer (at most [`MAX_THREADS`]), else the
/// number of cores. Read once, the first time it is needed, and kept for the
/// life of the process: reading the environment on every call would race
/// with a host's `setenv` on another thread.
pub fn default_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        std::env::var("TSPAR_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .map(|n| n.min(MAX_THREADS))
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get().min(MAX_THREADS))
                    .unwrap_or(1)
            })
    })
}

/// The pools of one process. A forked child inherits the map but not the
/// worker threads behind it (fork copies only the calling thread), so work
/// given to an inherited pool would wait forever: `pid` tells the child
/// that the pools are its parent's.
struct Pools {
    pid: u32,
    map: HashMap<usize, Arc<ThreadPool>>,
}

/// The pool for `threads` worker threads (one is allowed: a call that
/// must keep its calling thread free to poll progress runs its work there).
///
/// In a process forked after pools were made, the parent's pools are
/// abandoned (leaked, never dropped: dropping would signal threads that do
/// not exist in the child) and new ones are started on first use.
pub fn pool(threads: usize) -> Result<Arc<ThreadPool>> {
    static POOLS: OnceLock<Mutex<Pools>> = OnceLock::new();
    if !(1..=MAX_THREADS).contains(&threads) {
        return Err(Failure::new(
            Error::BadParamValue,
            format!("thread count {threads} out of range 1..={MAX_THREADS} for a pool"),
        ));
    }
    let pools = POOLS.get_or_init(|| {
        Mutex::new(Pools {
            pid: std::process::id(),
            map: HashMap::new(),
        })
    });
    let mut pools = pools.lock().unwrap_or_else(|e| e.into_inner());
    let pid = std::process::id();
    if pools.pid != pid {
        std::mem::forget(std::mem::take(&mut pools.map));
        pools.pid = pid;
    }
    if let Some(p) = pools.map.get(&threads) {
        return Ok(Arc::clone(p));
    }
    let p = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("{WORKER_NAME_PREFIX}-{i}"))
        .build()
        .map_err(|e| Failure::new(Error::NoMemory, format!("cannot start worker threads: {e}")))?;
    let p = Arc::new(p);
    pools.map.insert(threads, Arc::clone(&p));
    Ok(p)
}

/// Runs `f` with `threads` threads: on the calling thread when `threads` is
/// 1 (then `f` must not use rayon), else inside our pool of that size, where
/// rayon's parallel iterators use that pool.
pub fn run<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> Result<R> {
    if threads <= 1 {
        Ok(f())
    } else {
        // Tells ThreadSanitizer that `f` happened before we go on (a no-op
        // in other builds; see capi/tsan.rs).
        let hand_off = crate::capi::tsan::HandOff::default();
        let r = pool(threads)?.install(|| {
            #[cfg(test)]
            test_hooks::maybe_panic(threads);
            let r = f();
            hand_off.release();
            r
        });
        hand_off.acquire();
        Ok(r)
    }
}

/// Test-only hooks: a way to make the work of a parallel call panic on a
/// worker thread, to test how the C API reports it.
#[cfg(test)]
pub(crate) mod test_hooks {
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Work run by [`super::run`] on a pool of exactly this many threads
    /// panics on its worker thread (0: never). Keyed by the pool size, so
    /// that tests running at the same time on pools of other sizes are not
    /// affected; no other test uses this size.
    pub(crate) static PANIC_ON_POOL_OF: AtomicUsize = AtomicUsize::new(0);
    pub(crate) const POOL_SIZE: usize = 11;

    pub(super) fn maybe_panic(threads: usize) {
        if PANIC_ON_POOL_OF.load(Ordering::SeqCst) == threads {
            panic!("test hook: forced panic in the work of a pool of {threads} threads");
        }
    }
}

/// `rayon::join` when `par` (the caller is inside one of our pools), else
/// `a` then `b` on the calling thread. Code that may run with one thread
/// uses this so that it never touches rayon's global pool.
pub fn join<A, B, RA, RB>(par: bool, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if par {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// Sorts with a comparator that is a total order (ties broken by a unique
/// key), so the result is the same for every thread count.
pub fn sort_by<T: Send, F>(threads: usize, v: &mut [T], cmp: F) -> Result<()>
where
    F: Fn(&T, &T) -> std::cmp::Ordering + Sync + Send,
{
    // Below this a parallel sort costs more than it saves.
    const PARALLEL_MIN: usize = 1 << 14;
    if threads <= 1 || v.len() < PARALLEL_MIN {
        v.sort_unstable_by(cmp);
        Ok(())
    } else {
        use rayon::slice::ParallelSliceMut;
        run(threads, || v.par_sort_unstable_by(cmp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_same_for_every_thread_count() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let data: Vec<(u32, u32)> = (0..100_000u32)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 1000) as u32, i)
            })
            .collect();
        let mut one = data.clone();
        sort_by(1, &mut one, |a, b| a.cmp(b)).unwrap();
        for threads in [2, 3, 8] {
            let mut many = data.clone();
            sort_by(threads, &mut many, |a, b| a.cmp(b)).unwrap();
            assert_eq!(one, many, "{threads} threads");
        }
    }

    #[test]
    fn pools_are_reused_and_named() {
        let a = pool(2).unwrap();
        let b = pool(2).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let name = a.install(|| std::thread::current().name().map(|s| s.to_string()));
        assert!(name.unwrap().starts_with(WORKER_NAME_PREFIX));
        assert!(pool(0).is_err());
        assert!(pool(MAX_THREADS + 1).is_err());
        assert_eq!(pool(1).unwrap().current_num_threads(), 1);
    }
}
