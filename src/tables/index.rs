//! The edge indexes: the order in which edges enter and leave the trees
//! when walking the genome from left to right.

use super::{check, fcmp, EdgeIndexes, Id, TableCollection};
use crate::alloc;
use crate::error::Result;
use crate::parallel;

impl TableCollection {
    /// Whether the tables carry edge indexes that cover every edge.
    pub fn has_index(&self) -> bool {
        self.indexes
            .as_ref()
            .is_some_and(|ix| ix.insertion.len() == self.edges.left.len() && ix.removal.len() == self.edges.left.len())
    }

    pub fn drop_index(&mut self) {
        self.indexes = None;
    }

    /// Builds the edge indexes with the default thread count. The edges must
    /// be sorted and refer to existing nodes.
    pub fn build_index(&mut self) -> Result<()> {
        self.build_index_with(parallel::default_threads())
    }

    /// Builds the edge indexes as tskit does: insertion order by (left,
    /// parent time, parent, child), removal order by (right, -parent time,
    /// -parent, -child). Ties, which only exact duplicates can produce, are
    /// broken by edge id, so the result does not depend on `threads`.
    pub fn build_index_with(&mut self, threads: usize) -> Result<()> {
        self.check_integrity(check::EDGE_ORDERING)?;
        let e = &self.edges;
        let time = &self.nodes.time;
        let n = e.left.len();
        let key = |j: usize, x: f64| Key {
            x,
            t: time[e.parent[j] as usize],
            parent: e.parent[j],
            child: e.child[j],
            id: j as Id,
        };
        let mut ins: Vec<Key> = alloc::collect((0..n).map(|j| key(j, e.left[j])), "the edge insertion keys")?;
        let mut rem: Vec<Key> = alloc::collect((0..n).map(|j| key(j, e.right[j])), "the edge removal keys")?;
        parallel::sort_by(threads, &mut ins, |a, b| {
            fcmp(a.x, b.x)
                .then(fcmp(a.t, b.t))
                .then(a.parent.cmp(&b.parent))
                .then(a.child.cmp(&b.child))
                .then(a.id.cmp(&b.id))
        })?;
        parallel::sort_by(threads, &mut rem, |a, b| {
            fcmp(a.x, b.x)
                .then(fcmp(b.t, a.t))
                .then(b.parent.cmp(&a.parent))
                .then(b.child.cmp(&a.child))
                .then(a.id.cmp(&b.id))
        })?;
        let insertion = alloc::collect(ins.iter().map(|k| k.id), "indexes/edge_insertion_order")?;
        drop(ins);
        let removal = alloc::collect(rem.iter().map(|k| k.id), "indexes/edge_removal_order")?;
        self.indexes = Some(EdgeIndexes {
            insertion: insertion.into(),
            removal: removal.into(),
        });
        Ok(())
    }
}

struct Key {
    x: f64,
    t: f64,
    parent: Id,
    child: Id,
    id: Id,
}
