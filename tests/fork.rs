//! A process forked after the library has run parallel work can run
//! parallel work itself: it must not hand work to its parent's worker
//! threads, which fork did not copy.

use rayon::prelude::*;

fn parallel_sum(threads: usize) -> u64 {
    tspar::parallel::run(threads, || (0..1_000_000u64).into_par_iter().sum::<u64>()).unwrap()
}

#[test]
fn parallel_work_in_a_forked_child() {
    let want = parallel_sum(2);
    // SAFETY: the child only runs the library's parallel code and leaves
    // with _exit; an alarm ends it if that code waits forever.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        unsafe { libc::alarm(30) };
        let ok = parallel_sum(2) == want && parallel_sum(3) == want;
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for the child made above.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the forked child did not finish its parallel work (status {status:#x}; killed by SIGALRM means it hung)"
    );
}
