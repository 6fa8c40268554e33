//! `tspar_treeseq_t`, the immutable tree sequence any number of threads may
//! read at once, and `tspar_tree_t`, a tree cursor owned by one thread at a
//! time (a second thread calling into it at the same moment gets
//! `TSPAR_ERR_BUSY`; reading its arrays while another thread moves it is
//! the caller's race, which the library cannot see).

use std::ffi::{c_char, c_int, c_void};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use super::exec::{threads_of, tspar_exec_t};
use super::tables::tspar_tables_t;
use super::*;
use crate::error::{fail, Error, Failure, Result};
use crate::io::trees;
use crate::tables::{Column, TableKind};
use crate::treeseq::{init, Tree, TreeSequence};

/// Tree sequence option: build the edge indexes when the tables lack them.
pub const TSPAR_TS_INIT_BUILD_INDEXES: tspar_flags_t = 1 << 0;
/// Tree sequence option: compute mutation parents instead of checking them.
pub const TSPAR_TS_INIT_COMPUTE_MUTATION_PARENTS: tspar_flags_t = 1 << 1;
/// Load option of `tspar_treeseq_load` and `tspar_tables_load`: map the
/// file read-only and use its columns in place instead of copying them, so
/// that processes loading the same file share one copy of its pages (see
/// `tspar_treeseq_load` for what is shared and the contract on the file).
/// Not a tskit option.
pub const TSPAR_LOAD_MMAP: tspar_flags_t = 1 << 24;

// Literal values so that cbindgen puts them in the header; kept equal to the core's.
const _: () = {
    assert!(TSPAR_TS_INIT_BUILD_INDEXES == init::BUILD_INDEXES);
    assert!(TSPAR_TS_INIT_COMPUTE_MUTATION_PARENTS == init::COMPUTE_MUTATION_PARENTS);
    assert!(TSPAR_LOAD_MMAP == trees::LOAD_MMAP);
    assert!(TSPAR_LOAD_MMAP & init::ALL == 0);
};

/// An immutable tree sequence. Opaque; made by `tspar_treeseq_from_tables`
/// or `tspar_treeseq_load`, freed by `tspar_treeseq_free`. Any number of
/// threads may use one handle at once.
pub struct tspar_treeseq_t {
    ts: Arc<TreeSequence>,
}

impl tspar_treeseq_t {
    pub(crate) fn inner(&self) -> &TreeSequence {
        &self.ts
    }

    /// The shared tree sequence, for objects that keep it alive (cursors).
    pub(crate) fn arc(&self) -> &Arc<TreeSequence> {
        &self.ts
    }

    #[cfg(test)]
    pub(crate) fn from_arc(ts: Arc<TreeSequence>) -> Self {
        tspar_treeseq_t { ts }
    }
}

/// A tree cursor. Opaque; made by `tspar_tree_new`, freed by
/// `tspar_tree_free`. One thread at a time: while a call on a cursor runs,
/// any other call on the same cursor (every `tspar_tree_*` function but
/// `_new` and `_free`) returns `TSPAR_ERR_BUSY` at once and changes nothing.
/// What the library cannot detect: reading through the pointers of
/// `tspar_tree_get_arrays` while another thread moves the same cursor (a
/// data race, undefined behaviour), and freeing a cursor while another
/// thread uses it. A program that shares a cursor between threads must
/// itself keep readers of its arrays and movers apart.
pub struct tspar_tree_t {
    tree: Mutex<Tree>,
}

/// # Safety
/// `p` is NULL or a live handle.
unsafe fn ts_handle<'a>(p: *const tspar_treeseq_t) -> Result<&'a TreeSequence> {
    // SAFETY: forwarded contract.
    unsafe { deref(p, "ts") }.map(|h| &*h.ts)
}

/// Takes the cursor for the duration of one call.
///
/// # Safety
/// `p` is NULL or a live handle.
unsafe fn tree_handle<'a>(p: *const tspar_tree_t) -> Result<MutexGuard<'a, Tree>> {
    // SAFETY: forwarded contract.
    let h = unsafe { deref(p, "tree") }?;
    match h.tree.try_lock() {
        Ok(guard) => Ok(guard),
        Err(TryLockError::WouldBlock) => Err(Failure::new(Error::Busy, "a tree cursor, used by one thread at a time")),
        Err(TryLockError::Poisoned(_)) => Err(Failure::new(
            Error::Internal,
            "an earlier call failed inside the library while moving this cursor; it can only be freed",
        )),
    }
}

/// # Safety
/// `out` is NULL or writable.
unsafe fn give_ts(out: *mut *mut tspar_treeseq_t, ts: TreeSequence) -> Result<()> {
    if out.is_null() {
        fail!(Error::NullPointer, "out is NULL");
    }
    let boxed = Box::into_raw(Box::new(tspar_treeseq_t { ts: Arc::new(ts) }));
    // SAFETY: out is non-NULL and writable by contract.
    unsafe { write_out(out, boxed) };
    Ok(())
}

/// Makes a tree sequence from a copy of the tables, validated as tskit
/// validates a tree sequence (the tree and mutation-parent checks
/// included). Options: `TSPAR_TS_INIT_BUILD_INDEXES`,
/// `TSPAR_TS_INIT_COMPUTE_MUTATION_PARENTS`. Runs on `exec`'s threads
/// (NULL: the default); the result is the same for every count. On success
/// `*out` owns the new handle (free it with `tspar_treeseq_free`); the
/// tables are not changed.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_from_tables(
    tables: *const tspar_tables_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    out: *mut *mut tspar_treeseq_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let h = unsafe { deref(tables, "tables") }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        // SAFETY: exec is NULL or a live handle.
        let threads = unsafe { threads_of(exec) }?;
        let copy = h.read()?.try_clone()?;
        let ts = TreeSequence::new_with(copy, options, threads)?;
        // SAFETY: out is non-NULL and writable.
        unsafe { give_ts(out, ts) }
    })
}

/// Loads a `.trees` file as a tree sequence (validated as by
/// `tspar_treeseq_from_tables`, with the same options), on `exec`'s
/// threads (NULL: the default). On success `*out` owns the new handle.
///
/// With `TSPAR_LOAD_MMAP` in `options` the file is mapped read-only and
/// the columns are used in place where the file's layout allows (kastore
/// aligns arrays to 8 bytes; `uint32` offset columns are widened into
/// private memory), the edge indexes included; what the tree sequence
/// derives (tree boundaries, tree and site starts, samples) is built in
/// private memory. Processes that map the same file share its pages. The
/// tree cursor and the statistics then read each edge's parent and child
/// through the mapped index instead of from the (parent, child) pairs in
/// index order that a copying load gathers (16 bytes an edge): less
/// private memory, at the cost of scattered reads (statistics that walk
/// the edges were up to 1.5 times slower in bench/bench_mmap.py). The same checks run as without the option, on the mapped bytes,
/// before the call returns: a damaged file gets the same error. The file's
/// size is checked after mapping and after the checks; a change fails with
/// `TSPAR_ERR_FILE_CHANGED`. After the load: replacing the file by a rename
/// (as `tspar_tables_dump` does) is safe, the handle keeps the old
/// contents; truncating the file or writing into it in place while a handle
/// maps it is not, and makes this process get SIGBUS (or see the changed
/// bytes) when it next reads those pages, as with any mapped file. Column
/// pointers are into the mapping and stay valid until the handle and every
/// cursor and table copy using them are freed. Tables copied out of the
/// handle (`tspar_treeseq_copy_tables`) are copied on their first change.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_load(
    path: *const c_char,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    out: *mut *mut tspar_treeseq_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or NUL-terminated.
        let path = unsafe { c_str(path, "path") }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        check_options(options, init::ALL | TSPAR_LOAD_MMAP, "tspar_treeseq_load")?;
        // SAFETY: exec is NULL or a live handle.
        let threads = unsafe { threads_of(exec) }?;
        let ts = TreeSequence::load(Path::new(path), options, threads)?;
        // SAFETY: out is non-NULL and writable.
        unsafe { give_ts(out, ts) }
    })
}

/// Writes the tree sequence to a `.trees` file (as `tspar_tables_dump`).
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_dump(
    ts: *const tspar_treeseq_t,
    path: *const c_char,
    options: tspar_flags_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or valid by contract.
        let (ts, path) = unsafe { (ts_handle(ts)?, c_str(path, "path")?) };
        trees::dump(ts.tables(), Path::new(path), options)
    })
}

/// Frees a tree sequence. NULL is a no-op. Cursors made from it stay usable
/// (they keep the data alive) until they are freed.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_free(ts: *mut tspar_treeseq_t) {
    if !ts.is_null() {
        // SAFETY: a non-NULL handle came from Box::into_raw in give_ts and is
        // freed once, by contract.
        drop(unsafe { Box::from_raw(ts) });
    }
}

/// Copies the tree sequence's tables into a new tables handle (`*out`,
/// freed with `tspar_tables_free`).
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_copy_tables(ts: *const tspar_treeseq_t, out: *mut *mut tspar_tables_t) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let ts = unsafe { ts_handle(ts) }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        let boxed = Box::into_raw(Box::new(tspar_tables_t::new(ts.tables().try_clone()?)));
        // SAFETY: out is non-NULL and writable.
        unsafe { write_out(out, boxed) };
        Ok(())
    })
}

/// Reads a count: the count, or a negative code for a NULL handle.
///
/// # Safety
/// `ts` is NULL or a live handle.
unsafe fn count(ts: *const tspar_treeseq_t, f: impl FnOnce(&TreeSequence) -> usize) -> i64 {
    boundary(|| {
        // SAFETY: forwarded contract.
        let ts = unsafe { ts_handle(ts) }?;
        Ok(f(ts) as i64)
    })
}

/// The number of trees, or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_num_trees(ts: *const tspar_treeseq_t) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { count(ts, |t| t.num_trees()) }
}

/// The number of sample nodes, or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_num_samples(ts: *const tspar_treeseq_t) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { count(ts, |t| t.samples().len()) }
}

/// The number of nodes, or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_num_nodes(ts: *const tspar_treeseq_t) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { count(ts, |t| t.num_nodes()) }
}

/// The number of edges, or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_num_edges(ts: *const tspar_treeseq_t) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { count(ts, |t| t.num_edges()) }
}

/// The number of sites, or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_num_sites(ts: *const tspar_treeseq_t) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { count(ts, |t| t.tables().num_rows(TableKind::Sites)) }
}

/// The number of mutations, or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_num_mutations(ts: *const tspar_treeseq_t) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { count(ts, |t| t.tables().num_rows(TableKind::Mutations)) }
}

/// The number of rows of any table (`TSPAR_TABLE_*`), or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_num_rows(ts: *const tspar_treeseq_t, table: c_int) -> i64 {
    boundary(|| {
        // SAFETY: NULL or a live handle.
        let ts = unsafe { ts_handle(ts) }?;
        let kind = TableKind::from_index(table)
            .ok_or_else(|| Failure::new(Error::BadParamValue, format!("unknown table identifier {table}")))?;
        Ok(ts.tables().num_rows(kind) as i64)
    })
}

/// The sequence length, or a negative code (as a double).
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_sequence_length(ts: *const tspar_treeseq_t) -> f64 {
    // SAFETY: NULL or a live handle.
    double_or_code(|| Ok(unsafe { ts_handle(ts) }?.sequence_length()))
}

/// The sample node ids in increasing order: `tspar_treeseq_num_samples`
/// entries, valid until the tree sequence is freed. NULL on error.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_samples(ts: *const tspar_treeseq_t) -> *const tspar_id_t {
    // SAFETY: NULL or a live handle.
    pointer_or_null(|| Ok(unsafe { ts_handle(ts) }?.samples().as_ptr()))
}

/// The tree boundaries: `num_trees + 1` positions from 0 to the sequence
/// length, valid until the tree sequence is freed. NULL on error.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_breakpoints(ts: *const tspar_treeseq_t) -> *const f64 {
    // SAFETY: NULL or a live handle.
    pointer_or_null(|| Ok(unsafe { ts_handle(ts) }?.breakpoints().as_ptr()))
}

/// Zero-copy access to a column by its file key (see
/// `tspar_tables_column_info`): writes its type, a pointer to its data and
/// its number of elements. The data stay valid and unchanged until the tree
/// sequence is freed.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_column(
    ts: *const tspar_treeseq_t,
    name: *const c_char,
    dtype: *mut c_int,
    data: *mut *const c_void,
    length: *mut tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or valid by contract.
        let (ts, name) = unsafe { (ts_handle(ts)?, c_str(name, "name")?) };
        if data.is_null() {
            fail!(Error::NullPointer, "data is NULL");
        }
        let col = ts
            .tables()
            .column(name)
            .ok_or_else(|| Failure::new(Error::ColumnNotFound, format!("no column named '{name}'")))?;
        let ptr: *const c_void = match col {
            Column::Text(v) | Column::Bytes(v) => v.as_ptr().cast(),
            Column::I32(v) => v.as_ptr().cast(),
            Column::U32(v) => v.as_ptr().cast(),
            Column::U64(v) => v.as_ptr().cast(),
            Column::F64(v) => v.as_ptr().cast(),
        };
        // SAFETY: out-pointers are NULL or writable.
        unsafe {
            write_out(dtype, col.dtype() as c_int);
            write_out(length, col.len() as tspar_size_t);
            write_out(data, ptr);
        }
        Ok(())
    })
}

// ------------------------------------------------------------ cursors

/// Makes a cursor on `ts`, in the null state (every sample an isolated
/// root). `options` must be 0. On success `*out` owns the cursor (free it
/// with `tspar_tree_free`); it keeps the tree sequence's data alive, so the
/// cursor may outlive `ts`'s handle. Each thread that walks trees at the
/// same time as others needs a cursor of its own (see `tspar_tree_t`).
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_new(
    ts: *const tspar_treeseq_t,
    options: tspar_flags_t,
    out: *mut *mut tspar_tree_t,
) -> c_int {
    status(|| {
        check_options(options, 0, "tspar_tree_new")?;
        // SAFETY: NULL or a live handle.
        let h = unsafe { deref(ts, "ts") }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        let tree = Tree::new(Arc::clone(&h.ts))?;
        let boxed = Box::into_raw(Box::new(tspar_tree_t { tree: Mutex::new(tree) }));
        // SAFETY: out is non-NULL and writable.
        unsafe { write_out(out, boxed) };
        Ok(())
    })
}

/// Frees a cursor, which ends the validity of the pointers from
/// `tspar_tree_get_arrays`. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_free(tree: *mut tspar_tree_t) {
    if !tree.is_null() {
        // SAFETY: made by Box::into_raw in tspar_tree_new, freed once by contract.
        drop(unsafe { Box::from_raw(tree) });
    }
}

/// Runs a movement: 1 if the cursor is on a tree afterwards, 0 if it went
/// to the null state, or a negative code.
///
/// # Safety
/// `tree` is NULL or a live handle.
unsafe fn movement(tree: *mut tspar_tree_t, f: impl FnOnce(&mut Tree) -> Result<bool>) -> c_int {
    boundary(|| {
        // SAFETY: forwarded contract.
        let mut t = unsafe { tree_handle(tree) }?;
        Ok(f(&mut t)? as i32)
    }) as c_int
}

/// Moves to the first tree. Returns 1 (on a tree) or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_first(tree: *mut tspar_tree_t) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { movement(tree, |t| Ok(t.first())) }
}

/// Moves to the last tree. Returns 1 (on a tree) or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_last(tree: *mut tspar_tree_t) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { movement(tree, |t| Ok(t.last())) }
}

/// Moves to the next tree (from the null state: the first). Returns 1 on a
/// tree, 0 after the last tree (the cursor is then in the null state), or a
/// negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_next(tree: *mut tspar_tree_t) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { movement(tree, |t| Ok(t.advance())) }
}

/// Moves to the previous tree (from the null state: the last). Returns 1 on
/// a tree, 0 before the first tree (null state), or a negative code.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_prev(tree: *mut tspar_tree_t) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { movement(tree, |t| Ok(t.retreat())) }
}

/// Moves to the tree covering `position` (0 <= position < L, else
/// `TSPAR_ERR_SEEK_OUT_OF_BOUNDS`). `options` must be 0. Returns 1.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_seek(tree: *mut tspar_tree_t, position: f64, options: tspar_flags_t) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        movement(tree, |t| {
            check_options(options, 0, "tspar_tree_seek")?;
            t.seek(position).map(|()| true)
        })
    }
}

/// Moves to tree `index` (< num_trees, else `TSPAR_ERR_SEEK_OUT_OF_BOUNDS`).
/// `options` must be 0. Returns 1.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_seek_index(
    tree: *mut tspar_tree_t,
    index: tspar_size_t,
    options: tspar_flags_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        movement(tree, |t| {
            check_options(options, 0, "tspar_tree_seek_index")?;
            let index = usize::try_from(index).unwrap_or(usize::MAX);
            t.seek_index(index).map(|()| true)
        })
    }
}

/// Writes the current tree's index (-1 in the null state) and interval
/// `[left, right)` ((0, 0) in the null state). Any out-pointer may be NULL.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_get_interval(
    tree: *const tspar_tree_t,
    index: *mut i64,
    left: *mut f64,
    right: *mut f64,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        let (l, r) = t.interval();
        // SAFETY: out-pointers are NULL or writable.
        unsafe {
            write_out(index, t.index().map_or(-1, |j| j as i64));
            write_out(left, l);
            write_out(right, r);
        }
        Ok(())
    })
}

/// The cursor's arrays, each of `length` = num_nodes + 1 entries (the last
/// is the virtual root, whose children are the roots), as tskit's tree
/// arrays. Borrowed from the cursor: the pointers stay valid, and the
/// arrays keep their addresses, until the cursor is freed; the contents
/// describe the current tree and are rewritten in place by every move of
/// that cursor (`tspar_tree_first`, `_last`, `_next`, `_prev`, `_seek`,
/// `_seek_index`), so values read after a move are the new tree's. Read-only
/// for the caller. Reading them while another thread moves the same cursor
/// is a data race the library cannot detect.
#[repr(C)]
pub struct tspar_tree_arrays_t {
    pub parent: *const tspar_id_t,
    pub left_child: *const tspar_id_t,
    pub right_child: *const tspar_id_t,
    pub left_sib: *const tspar_id_t,
    pub right_sib: *const tspar_id_t,
    pub num_children: *const tspar_id_t,
    pub num_samples: *const tspar_id_t,
    pub length: tspar_size_t,
    pub virtual_root: tspar_id_t,
}

/// Fills `*arrays` with pointers to the cursor's arrays: valid until the
/// cursor is freed, contents those of the current tree until the cursor's
/// next move (see `tspar_tree_arrays_t`). The only function that hands out
/// pointers into a cursor; the others copy into the caller's buffers.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_get_arrays(tree: *const tspar_tree_t, arrays: *mut tspar_tree_arrays_t) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        if arrays.is_null() {
            fail!(Error::NullPointer, "arrays is NULL");
        }
        let value = tspar_tree_arrays_t {
            parent: t.parent_array().as_ptr(),
            left_child: t.left_child_array().as_ptr(),
            right_child: t.right_child_array().as_ptr(),
            left_sib: t.left_sib_array().as_ptr(),
            right_sib: t.right_sib_array().as_ptr(),
            num_children: t.num_children_array().as_ptr(),
            num_samples: t.num_samples_array().as_ptr(),
            length: t.parent_array().len() as tspar_size_t,
            virtual_root: t.virtual_root(),
        };
        // SAFETY: arrays is non-NULL and writable.
        unsafe { write_out(arrays, value) };
        Ok(())
    })
}

/// Copies a node list into the caller's buffer; returns its length.
fn copy_ids(ids: &[tspar_id_t], out: *mut tspar_id_t, out_length: tspar_size_t, what: &str) -> Result<i64> {
    let n = ids.len() as tspar_size_t;
    if out_length < n {
        fail!(
            Error::BufferTooSmall,
            "{what}: {n} nodes, the buffer holds {out_length}"
        );
    }
    // SAFETY: out holds out_length >= n writable ids by contract.
    unsafe { slice_mut(out, n, "out") }?.copy_from_slice(ids);
    Ok(n as i64)
}

/// Writes the roots, left to right, into `out`; returns how many.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_get_roots(
    tree: *const tspar_tree_t,
    out: *mut tspar_id_t,
    out_length: tspar_size_t,
) -> i64 {
    boundary(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        copy_ids(&t.roots()?, out, out_length, "roots")
    })
}

/// Writes the nodes below `node` in preorder (the virtual root: the whole
/// tree, without the virtual root itself); returns how many. A buffer of
/// num_nodes entries always suffices.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_preorder(
    tree: *const tspar_tree_t,
    node: tspar_id_t,
    out: *mut tspar_id_t,
    out_length: tspar_size_t,
) -> i64 {
    boundary(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        copy_ids(&t.preorder(node)?, out, out_length, "preorder")
    })
}

/// Writes the nodes below `node` in postorder; returns how many.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_postorder(
    tree: *const tspar_tree_t,
    node: tspar_id_t,
    out: *mut tspar_id_t,
    out_length: tspar_size_t,
) -> i64 {
    boundary(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        copy_ids(&t.postorder(node)?, out, out_length, "postorder")
    })
}

/// Writes the most recent common ancestor of `u` and `v` (-1 if none).
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_get_mrca(
    tree: *const tspar_tree_t,
    u: tspar_id_t,
    v: tspar_id_t,
    mrca: *mut tspar_id_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        if mrca.is_null() {
            fail!(Error::NullPointer, "mrca is NULL");
        }
        let value = t.mrca(u, v)?;
        // SAFETY: non-NULL and writable.
        unsafe { write_out(mrca, value) };
        Ok(())
    })
}

/// Writes the length of the branch above `node` (0 for a root).
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_get_branch_length(
    tree: *const tspar_tree_t,
    node: tspar_id_t,
    length: *mut f64,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        if length.is_null() {
            fail!(Error::NullPointer, "length is NULL");
        }
        let value = t.branch_length(node)?;
        // SAFETY: non-NULL and writable.
        unsafe { write_out(length, value) };
        Ok(())
    })
}

/// Writes the total branch length below `node` (the virtual root: the whole tree).
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_get_total_branch_length(
    tree: *const tspar_tree_t,
    node: tspar_id_t,
    length: *mut f64,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        if length.is_null() {
            fail!(Error::NullPointer, "length is NULL");
        }
        let value = t.total_branch_length(node)?;
        // SAFETY: non-NULL and writable.
        unsafe { write_out(length, value) };
        Ok(())
    })
}

/// Writes the current tree's site ids as the range `[*start, *stop)` and its
/// mutation ids as `[*mutation_start, *mutation_stop)` (empty in the null
/// state). Any out-pointer may be NULL.
#[no_mangle]
pub unsafe extern "C" fn tspar_tree_get_sites(
    tree: *const tspar_tree_t,
    start: *mut tspar_id_t,
    stop: *mut tspar_id_t,
    mutation_start: *mut tspar_id_t,
    mutation_stop: *mut tspar_id_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let t = unsafe { tree_handle(tree) }?;
        let (s, m) = (t.sites(), t.mutations());
        // SAFETY: out-pointers are NULL or writable.
        unsafe {
            write_out(start, s.start as tspar_id_t);
            write_out(stop, s.end as tspar_id_t);
            write_out(mutation_start, m.start as tspar_id_t);
            write_out(mutation_stop, m.end as tspar_id_t);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::{CStr, CString};

    use super::*;

    /// The cursor functions (every `tspar_tree_*` but `_new` and `_free`),
    /// each called with valid arguments on `tree`; returns its code.
    const CURSOR_FUNCTIONS: [&str; 15] = [
        "tspar_tree_first",
        "tspar_tree_last",
        "tspar_tree_next",
        "tspar_tree_prev",
        "tspar_tree_seek",
        "tspar_tree_seek_index",
        "tspar_tree_get_interval",
        "tspar_tree_get_arrays",
        "tspar_tree_get_roots",
        "tspar_tree_preorder",
        "tspar_tree_postorder",
        "tspar_tree_get_mrca",
        "tspar_tree_get_branch_length",
        "tspar_tree_get_total_branch_length",
        "tspar_tree_get_sites",
    ];

    /// # Safety
    /// `tree` is a live cursor on a tree sequence with at least 2 nodes.
    unsafe fn call(name: &str, tree: *mut tspar_tree_t) -> i64 {
        let mut ids = [0 as tspar_id_t; 4096];
        let (p, n) = (ids.as_mut_ptr(), ids.len() as tspar_size_t);
        let mut x = 0.0f64;
        let mut id: tspar_id_t = 0;
        let mut arrays = std::mem::MaybeUninit::<tspar_tree_arrays_t>::uninit();
        // SAFETY: tree is live; out-pointers are valid or NULL.
        unsafe {
            match name {
                "tspar_tree_first" => tspar_tree_first(tree).into(),
                "tspar_tree_last" => tspar_tree_last(tree).into(),
                "tspar_tree_next" => tspar_tree_next(tree).into(),
                "tspar_tree_prev" => tspar_tree_prev(tree).into(),
                "tspar_tree_seek" => tspar_tree_seek(tree, 0.0, 0).into(),
                "tspar_tree_seek_index" => tspar_tree_seek_index(tree, 0, 0).into(),
                "tspar_tree_get_interval" => {
                    tspar_tree_get_interval(tree, std::ptr::null_mut(), &mut x, std::ptr::null_mut()).into()
                }
                "tspar_tree_get_arrays" => tspar_tree_get_arrays(tree, arrays.as_mut_ptr()).into(),
                "tspar_tree_get_roots" => tspar_tree_get_roots(tree, p, n),
                "tspar_tree_preorder" => tspar_tree_preorder(tree, 0, p, n),
                "tspar_tree_postorder" => tspar_tree_postorder(tree, 0, p, n),
                "tspar_tree_get_mrca" => tspar_tree_get_mrca(tree, 0, 1, &mut id).into(),
                "tspar_tree_get_branch_length" => tspar_tree_get_branch_length(tree, 0, &mut x).into(),
                "tspar_tree_get_total_branch_length" => tspar_tree_get_total_branch_length(tree, 0, &mut x).into(),
                "tspar_tree_get_sites" => tspar_tree_get_sites(
                    tree,
                    &mut id,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
                .into(),
                other => panic!("no call for {other}"),
            }
        }
    }

    struct Shared(*mut tspar_tree_t);
    // SAFETY: the cursor is only reached through the C API, which locks it.
    unsafe impl Send for Shared {}
    unsafe impl Sync for Shared {}
    impl Shared {
        fn get(&self) -> *mut tspar_tree_t {
            self.0
        }
    }

    /// While one thread is inside a call on a cursor (here: holds its lock),
    /// every cursor function called on another thread returns
    /// `TSPAR_ERR_BUSY`, with a message, and changes nothing; once the
    /// cursor is free again the same calls succeed.
    #[test]
    fn every_cursor_function_is_busy_while_another_thread_is_inside() {
        // Every cursor function in the header is in the list above.
        let header = include_str!("../../include/tspar.h");
        // The name before each '(' that is a declared function, not text.
        let mut in_header: Vec<&str> = header
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .flat_map(|l| {
                let pieces: Vec<&str> = l.split('(').collect();
                let before_paren = pieces.len() - 1;
                pieces
                    .into_iter()
                    .take(before_paren)
                    .map(|p| p.rsplit(' ').next().unwrap_or(""))
            })
            .filter(|w| w.starts_with("tspar_tree_") && *w != "tspar_tree_new" && *w != "tspar_tree_free")
            .collect();
        in_header.sort_unstable();
        in_header.dedup();
        let mut listed = CURSOR_FUNCTIONS.to_vec();
        listed.sort_unstable();
        assert_eq!(in_header, listed, "a cursor function without a BUSY check");

        let path = CString::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/example.trees")).unwrap();
        let mut ts = std::ptr::null_mut();
        let mut tree = std::ptr::null_mut();
        unsafe {
            assert_eq!(tspar_treeseq_load(path.as_ptr(), 0, std::ptr::null(), &mut ts), 0);
            assert_eq!(tspar_tree_new(ts, 0, &mut tree), 0);
            assert_eq!(tspar_tree_seek_index(tree, 1, 0), 1);
        }
        let shared = Shared(tree);
        let interval = |s: &Shared| {
            let (mut index, mut left, mut right) = (0i64, 0.0, 0.0);
            assert_eq!(
                unsafe { tspar_tree_get_interval(s.get(), &mut index, &mut left, &mut right) },
                0
            );
            (index, left, right)
        };
        let before = interval(&shared);
        {
            // SAFETY: tree is live; this is what a call on another thread holds.
            let inside = unsafe { &*tree }.tree.lock().unwrap();
            std::thread::scope(|scope| {
                scope
                    .spawn(|| {
                        for name in CURSOR_FUNCTIONS {
                            let code = unsafe { call(name, shared.get()) };
                            assert_eq!(code, TSPAR_ERR_BUSY as i64, "{name}");
                            let msg = unsafe { CStr::from_ptr(tspar_last_error_message()) };
                            assert!(msg.to_str().unwrap().contains("in use by another thread"), "{name}");
                        }
                    })
                    .join()
                    .unwrap();
            });
            assert_eq!(inside.index(), Some(1), "a busy call moved the cursor");
        }
        assert_eq!(interval(&shared), before);
        for name in CURSOR_FUNCTIONS {
            let code = unsafe { call(name, shared.get()) };
            assert!(code >= 0, "{name} gave {code}");
        }
        unsafe {
            tspar_tree_free(tree);
            tspar_treeseq_free(ts);
        }
    }
}
