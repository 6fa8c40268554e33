//! Simplification and the simulator helpers (bookmarks, truncation) on a
//! `tspar_tables_t`.

use std::ffi::c_int;

use super::exec::{threads_of, tspar_exec_t};
use super::tables::tspar_tables_t;
use super::*;
use crate::error::{fail, Error};
use crate::simplify::{self, Bookmark};

/// Simplify options (tskit's values). A test checks them against the core's.
pub const TSPAR_SIMPLIFY_FILTER_SITES: tspar_flags_t = 1 << 0;
pub const TSPAR_SIMPLIFY_FILTER_POPULATIONS: tspar_flags_t = 1 << 1;
pub const TSPAR_SIMPLIFY_FILTER_INDIVIDUALS: tspar_flags_t = 1 << 2;
pub const TSPAR_SIMPLIFY_REDUCE_TO_SITE_TOPOLOGY: tspar_flags_t = 1 << 3;
pub const TSPAR_SIMPLIFY_KEEP_UNARY: tspar_flags_t = 1 << 4;
pub const TSPAR_SIMPLIFY_KEEP_INPUT_ROOTS: tspar_flags_t = 1 << 5;
pub const TSPAR_SIMPLIFY_KEEP_UNARY_IN_INDIVIDUALS: tspar_flags_t = 1 << 6;
pub const TSPAR_SIMPLIFY_NO_FILTER_NODES: tspar_flags_t = 1 << 7;
pub const TSPAR_SIMPLIFY_NO_UPDATE_SAMPLE_FLAGS: tspar_flags_t = 1 << 8;

/// The number of rows of each table at some moment, as tskit's
/// `tsk_bookmark_t`. A plain struct the caller owns.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct tspar_bookmark_t {
    pub individuals: tspar_size_t,
    pub nodes: tspar_size_t,
    pub edges: tspar_size_t,
    pub migrations: tspar_size_t,
    pub sites: tspar_size_t,
    pub mutations: tspar_size_t,
    pub populations: tspar_size_t,
    pub provenances: tspar_size_t,
}

fn to_usize(n: tspar_size_t) -> usize {
    // A count beyond usize cannot match a table; saturate so that the
    // bounds check reports it.
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl From<&tspar_bookmark_t> for Bookmark {
    fn from(b: &tspar_bookmark_t) -> Self {
        Bookmark {
            individuals: to_usize(b.individuals),
            nodes: to_usize(b.nodes),
            edges: to_usize(b.edges),
            migrations: to_usize(b.migrations),
            sites: to_usize(b.sites),
            mutations: to_usize(b.mutations),
            populations: to_usize(b.populations),
            provenances: to_usize(b.provenances),
        }
    }
}

impl From<Bookmark> for tspar_bookmark_t {
    fn from(b: Bookmark) -> Self {
        tspar_bookmark_t {
            individuals: b.individuals as tspar_size_t,
            nodes: b.nodes as tspar_size_t,
            edges: b.edges as tspar_size_t,
            migrations: b.migrations as tspar_size_t,
            sites: b.sites as tspar_size_t,
            mutations: b.mutations as tspar_size_t,
            populations: b.populations as tspar_size_t,
            provenances: b.provenances as tspar_size_t,
        }
    }
}

/// Simplifies the tables in place to the history of the given samples, with
/// tskit's algorithm and result (`tsk_table_collection_simplify`).
///
/// `samples` lists `num_samples` node ids, which become output nodes
/// 0..num_samples-1 in that order; NULL means the nodes that currently have
/// `TSPAR_NODE_IS_SAMPLE` (and `num_samples` is ignored). Options are the
/// `TSPAR_SIMPLIFY_*` bits; any other bit is `TSPAR_ERR_BAD_OPTIONS`. If
/// `node_map` is not NULL it must hold at least as many entries as there are
/// input nodes (else `TSPAR_ERR_BUFFER_TOO_SMALL`); on success entry `u` is
/// the output id of input node `u`, or `TSPAR_NULL`.
///
/// The input needs edges sorted as tskit requires, sorted sites without
/// duplicates, no edge metadata and no migrations. Errors include
/// `TSPAR_ERR_NODE_OUT_OF_BOUNDS` and `TSPAR_ERR_DUPLICATE_SAMPLE` for bad
/// samples, `TSPAR_ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE`,
/// `TSPAR_ERR_CANT_PROCESS_EDGES_WITH_METADATA`,
/// `TSPAR_ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED` and the integrity errors.
/// On any error the tables and `node_map` are unchanged. The edge indexes
/// are dropped, as tskit does. Large tables are simplified on `exec`'s
/// threads (NULL: the default, `TSPAR_NUM_THREADS` else all cores), pieces
/// of the genome at once; the result is the same for every count.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_simplify(
    tables: *mut tspar_tables_t,
    samples: *const tspar_id_t,
    num_samples: tspar_size_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    node_map: *mut tspar_id_t,
    node_map_length: tspar_size_t,
) -> c_int {
    status(|| {
        check_options(options, simplify::ALL_OPTIONS, "tspar_tables_simplify")?;
        // SAFETY: exec is NULL or a live handle.
        let threads = unsafe { threads_of(exec) }?;
        // SAFETY: tables is NULL or a live handle (contract).
        let h = unsafe { deref(tables.cast_const(), "tables") }?;
        let samples = if samples.is_null() {
            None
        } else {
            // SAFETY: non-NULL samples points to num_samples ids (contract).
            Some(unsafe { slice(samples, num_samples, "samples") }?)
        };
        let mut t = h.write()?;
        let num_nodes = t.nodes.flags.len();
        let out = if node_map.is_null() {
            None
        } else {
            if node_map_length < num_nodes as tspar_size_t {
                fail!(
                    Error::BufferTooSmall,
                    "node_map has length {node_map_length} but the tables have {num_nodes} nodes"
                );
            }
            // SAFETY: node_map is non-NULL and writable for node_map_length
            // ids (contract); we write only the first num_nodes.
            Some(unsafe { slice_mut(node_map, num_nodes as tspar_size_t, "node_map") }?)
        };
        let map = t.simplify_with(samples, options, threads)?;
        if let Some(out) = out {
            out.copy_from_slice(&map);
        }
        Ok(())
    })
}

/// Writes the current number of rows of every table to `*out`.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_record_num_rows(
    tables: *const tspar_tables_t,
    out: *mut tspar_bookmark_t,
) -> c_int {
    status(|| {
        // SAFETY: tables is NULL or a live handle (contract).
        let h = unsafe { deref(tables, "tables") }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        let mark = h.read()?.record_num_rows();
        // SAFETY: out is non-NULL and writable (contract).
        unsafe { write_out(out, mark.into()) };
        Ok(())
    })
}

/// Cuts every table back to the row counts in `*bookmark` (ragged columns
/// included) and drops the edge indexes. A count larger than a table gives
/// `TSPAR_ERR_BAD_TABLE_POSITION` and changes nothing.
#[no_mangle]
pub unsafe extern "C" fn tspar_tables_truncate(
    tables: *mut tspar_tables_t,
    bookmark: *const tspar_bookmark_t,
) -> c_int {
    status(|| {
        // SAFETY: pointer arguments are NULL or valid (contract).
        let (h, b) = unsafe { (deref(tables.cast_const(), "tables")?, deref(bookmark, "bookmark")?) };
        let mark = Bookmark::from(b);
        h.write()?.truncate(&mark)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{TableCollection, NODE_IS_SAMPLE, NULL};

    fn cherry() -> *mut tspar_tables_t {
        let mut t = TableCollection::new(1.0).unwrap();
        t.add_node(NODE_IS_SAMPLE, 0.0, NULL, NULL, b"").unwrap();
        t.add_node(NODE_IS_SAMPLE, 0.0, NULL, NULL, b"").unwrap();
        t.add_node(0, 0.5, NULL, NULL, b"").unwrap();
        t.add_node(0, 1.0, NULL, NULL, b"").unwrap();
        t.add_edge(0.0, 1.0, 2, 0, b"").unwrap();
        t.add_edge(0.0, 1.0, 2, 1, b"").unwrap();
        t.add_edge(0.0, 1.0, 3, 2, b"").unwrap();
        Box::into_raw(Box::new(tspar_tables_t::new(t)))
    }

    #[test]
    fn option_values_match_core() {
        let pairs = [
            (TSPAR_SIMPLIFY_FILTER_SITES, simplify::FILTER_SITES),
            (TSPAR_SIMPLIFY_FILTER_POPULATIONS, simplify::FILTER_POPULATIONS),
            (TSPAR_SIMPLIFY_FILTER_INDIVIDUALS, simplify::FILTER_INDIVIDUALS),
            (
                TSPAR_SIMPLIFY_REDUCE_TO_SITE_TOPOLOGY,
                simplify::REDUCE_TO_SITE_TOPOLOGY,
            ),
            (TSPAR_SIMPLIFY_KEEP_UNARY, simplify::KEEP_UNARY),
            (TSPAR_SIMPLIFY_KEEP_INPUT_ROOTS, simplify::KEEP_INPUT_ROOTS),
            (
                TSPAR_SIMPLIFY_KEEP_UNARY_IN_INDIVIDUALS,
                simplify::KEEP_UNARY_IN_INDIVIDUALS,
            ),
            (TSPAR_SIMPLIFY_NO_FILTER_NODES, simplify::NO_FILTER_NODES),
            (TSPAR_SIMPLIFY_NO_UPDATE_SAMPLE_FLAGS, simplify::NO_UPDATE_SAMPLE_FLAGS),
        ];
        let mut all = 0;
        for (c, core) in pairs {
            assert_eq!(c, core);
            all |= c;
        }
        assert_eq!(all, simplify::ALL_OPTIONS);
    }

    #[test]
    fn simplify_through_c() {
        let h = cherry();
        unsafe {
            let mut map = [7; 3];
            assert_eq!(
                tspar_tables_simplify(h, std::ptr::null(), 0, 0, std::ptr::null(), map.as_mut_ptr(), 3),
                TSPAR_ERR_BUFFER_TOO_SMALL
            );
            assert_eq!(map, [7; 3], "nothing written on failure");
            let mut map = [7; 5];
            assert_eq!(
                tspar_tables_simplify(h, std::ptr::null(), 0, 0, std::ptr::null(), map.as_mut_ptr(), 5),
                0
            );
            assert_eq!(map, [0, 1, 2, NULL, 7]);
            assert_eq!((*h).read().unwrap().edges.left.len(), 2);
            let samples = [1, 1];
            assert_eq!(
                tspar_tables_simplify(h, samples.as_ptr(), 2, 0, std::ptr::null(), std::ptr::null_mut(), 0),
                TSPAR_ERR_DUPLICATE_SAMPLE
            );
            assert_eq!(
                tspar_tables_simplify(
                    h,
                    std::ptr::null(),
                    0,
                    1 << 20,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    0
                ),
                TSPAR_ERR_BAD_OPTIONS
            );
            assert_eq!(
                tspar_tables_simplify(
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    0,
                    0,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    0
                ),
                TSPAR_ERR_NULL_POINTER
            );
            super::super::tables::tspar_tables_free(h);
        }
    }

    #[test]
    fn readers_see_before_or_after() {
        // Several threads read row counts while one simplifies: each sees
        // the whole input (4 nodes, 3 edges) or the whole output (3, 2).
        struct Shared(*mut tspar_tables_t);
        // SAFETY: the handle is internally synchronised and outlives the scope.
        unsafe impl Sync for Shared {}
        impl Shared {
            fn get(&self) -> *mut tspar_tables_t {
                self.0
            }
        }
        let h = Shared(cherry());
        std::thread::scope(|scope| {
            for _ in 0..3 {
                scope.spawn(|| {
                    for _ in 0..200 {
                        let mut b = tspar_bookmark_t::default();
                        assert_eq!(unsafe { tspar_tables_record_num_rows(h.get(), &mut b) }, 0);
                        assert!(matches!((b.nodes, b.edges), (4, 3) | (3, 2)), "{b:?}");
                    }
                });
            }
            scope.spawn(|| {
                let code = unsafe {
                    tspar_tables_simplify(
                        h.get(),
                        std::ptr::null(),
                        0,
                        0,
                        std::ptr::null(),
                        std::ptr::null_mut(),
                        0,
                    )
                };
                assert_eq!(code, 0);
            });
        });
        unsafe { super::super::tables::tspar_tables_free(h.0) };
    }

    #[test]
    fn bookmark_through_c() {
        let h = cherry();
        unsafe {
            let mut b = tspar_bookmark_t::default();
            assert_eq!(tspar_tables_record_num_rows(h, &mut b), 0);
            assert_eq!((b.nodes, b.edges, b.sites), (4, 3, 0));
            b.edges = 1;
            assert_eq!(tspar_tables_truncate(h, &b), 0);
            assert_eq!((*h).read().unwrap().edges.left.len(), 1);
            b.nodes = 9;
            assert_eq!(tspar_tables_truncate(h, &b), TSPAR_ERR_BAD_TABLE_POSITION);
            assert_eq!((*h).read().unwrap().nodes.flags.len(), 4);
            assert_eq!(tspar_tables_truncate(h, std::ptr::null()), TSPAR_ERR_NULL_POINTER);
            super::super::tables::tspar_tables_free(h);
        }
    }
}
