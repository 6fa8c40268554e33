//! Sorting, integrity checks, edge indexes, mutation parents and site
//! deduplication on a `tspar_tables_t`. Each function takes the handle's
//! write lock (the check takes the read lock) and leaves the tables as they
//! were when it fails.

use std::ffi::c_int;

use super::exec::{threads_of, tspar_exec_t};
use super::tables::tspar_tables_t;
use super::*;
use crate::tables::{check, sort_options};

/// Integrity check flags for `tspar_tables_check_integrity` (tskit's values).
pub const TSPAR_CHECK_EDGE_ORDERING: tspar_flags_t = 1 << 0;
pub const TSPAR_CHECK_SITE_ORDERING: tspar_flags_t = 1 << 1;
pub const TSPAR_CHECK_SITE_DUPLICATES: tspar_flags_t = 1 << 2;
pub const TSPAR_CHECK_MUTATION_ORDERING: tspar_flags_t = 1 << 3;
pub const TSPAR_CHECK_INDIVIDUAL_ORDERING: tspar_flags_t = 1 << 4;
pub const TSPAR_CHECK_MIGRATION_ORDERING: tspar_flags_t = 1 << 5;
pub const TSPAR_CHECK_INDEXES: tspar_flags_t = 1 << 6;
/// Walk the trees; implies every ordering check and the index check. The
/// check then returns the number of trees.
pub const TSPAR_CHECK_TREES: tspar_flags_t = 1 << 7;
/// Check the mutation parent column against the trees; implies
/// `TSPAR_CHECK_TREES`.
pub const TSPAR_CHECK_MUTATION_PARENTS: tspar_flags_t = 1 << 8;
/// Do not check that node and migration population ids exist.
pub const TSPAR_NO_CHECK_POPULATION_REFS: tspar_flags_t = 1 << 12;
/// Option of `tspar_tables_sort`: skip the integrity check that comes first.
pub const TSPAR_NO_CHECK_INTEGRITY: tspar_flags_t = 1 << 29;

// The values are written out because cbindgen cannot follow a path to
// another module's constant (it would leave the name out of the header);
// these assertions keep them equal to the core's.
const _: () = {
    assert!(TSPAR_CHECK_EDGE_ORDERING == check::EDGE_ORDERING);
    assert!(TSPAR_CHECK_SITE_ORDERING == check::SITE_ORDERING);
    assert!(TSPAR_CHECK_SITE_DUPLICATES == check::SITE_DUPLICATES);
    assert!(TSPAR_CHECK_MUTATION_ORDERING == check::MUTATION_ORDERING);
    assert!(TSPAR_CHECK_INDIVIDUAL_ORDERING == check::INDIVIDUAL_ORDERING);
    assert!(TSPAR_CHECK_MIGRATION_ORDERING == check::MIGRATION_ORDERING);
    assert!(TSPAR_CHECK_INDEXES == check::INDEXES);
    assert!(TSPAR_CHECK_TREES == check::TREES);
    assert!(TSPAR_CHECK_MUTATION_PARENTS == check::MUTATION_PARENTS);
    assert!(TSPAR_NO_CHECK_POPULATION_REFS == check::NO_POPULATION_REFS);
    assert!(TSPAR_NO_CHECK_INTEGRITY == sort_options::NO_CHECK_INTEGRITY);
};

/// # Safety
/// `p` is NULL or a live handle.
unsafe fn handle<'a>(p: *const tspar_tables_t) -> Result<&'a tspar_tables_t> {
    // SAFETY: forwarded contract.
    unsafe { deref(p, "tables") }
}

/// Sorts the tables into tskit's canonical order: edges from row
/// `edge_start` on by (time of parent, parent, child, left); migrations by
/// (time, source, dest, left, node); sites by position; mutations by site,
/// then known time (older first), parents before children. Individuals keep
/// their order. The edge indexes are dropped. Runs on `exec`'s threads
/// (NULL: the default, `TSPAR_NUM_THREADS` else all cores); the result is
/// the same for every count. Options: `TSPAR_NO_CHECK_INTEGRITY` skips the
/// integrity check, but the ids the sort indexes by (edge parents from
/// `edge_start` on, mutation sites, nodes and parents) are still checked:
/// a bad one gives `TSPAR_ERR_NODE_OUT_OF_BOUNDS`, `_SITE_OUT_OF_BOUNDS` or
/// `_MUTATION_OUT_OF_BOUNDS`. On failure the tables are unchanged.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_sort(
    tables: *mut tspar_tables_t,
    edge_start: tspar_size_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
) -> c_int {
    status(|| {
        check_options(options, sort_options::ALL, "sort")?;
        // SAFETY: exec is NULL or a live handle.
        let threads = unsafe { threads_of(exec) }?;
        // SAFETY: NULL or a live handle.
        let mut t = unsafe { handle(tables) }?.write()?;
        let start = usize::try_from(edge_start).unwrap_or(usize::MAX);
        t.sort_with(start, options, threads)
    })
}

/// Checks the tables with tskit's conditions (`TSPAR_CHECK_*` flags; 0 checks
/// references and values only). Returns the number of trees when
/// `TSPAR_CHECK_TREES` (or `TSPAR_CHECK_MUTATION_PARENTS`) is given, else 0;
/// or a negative code naming the first problem found.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_check_integrity(
    tables: *const tspar_tables_t,
    options: tspar_flags_t,
) -> tspar_id_t {
    id_or_code(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { handle(tables) }?.read()?;
        Ok(t.check_integrity(options)? as tspar_id_t)
    })
}

/// Builds the edge indexes (the edges must be sorted) on `exec`'s threads
/// (NULL: the default); the result is the same for every count. `options`
/// must be 0.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_build_index(
    tables: *mut tspar_tables_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
) -> c_int {
    status(|| {
        check_options(options, 0, "build_index")?;
        // SAFETY: exec is NULL or a live handle.
        let threads = unsafe { threads_of(exec) }?;
        // SAFETY: NULL or a live handle.
        unsafe { handle(tables) }?.write()?.build_index_with(threads)
    })
}

/// Sets the mutation parent column from the trees (the tables must be
/// sorted and indexed). `options` must be 0.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_compute_mutation_parents(
    tables: *mut tspar_tables_t,
    options: tspar_flags_t,
) -> c_int {
    status(|| {
        check_options(options, 0, "compute_mutation_parents")?;
        // SAFETY: NULL or a live handle.
        unsafe { handle(tables) }?.write()?.compute_mutation_parents()
    })
}

/// Removes every site at the same position as the site before it, keeping
/// the first, and points its mutations at the kept site. The sites must be
/// sorted. `options` must be 0.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_deduplicate_sites(tables: *mut tspar_tables_t, options: tspar_flags_t) -> c_int {
    status(|| {
        check_options(options, 0, "deduplicate_sites")?;
        // SAFETY: NULL or a live handle.
        unsafe { handle(tables) }?.write()?.deduplicate_sites()
    })
}
