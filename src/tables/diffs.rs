//! Walking the trees of a table collection along its edge indexes: at each
//! tree boundary, the edges that leave (a run of the removal order) and the
//! edges that enter (a run of the insertion order). tskit's edge-difference
//! iteration, shared by the tree checks and mutation-parent computation.

use std::ops::Range;

use super::{EdgeTable, Id, TableCollection};

/// The change at the left end of one tree.
pub(crate) struct Diff {
    /// The tree's interval.
    pub left: f64,
    pub right: f64,
    /// Positions in the removal order of the edges that leave here.
    pub removed: Range<usize>,
    /// Positions in the insertion order of the edges that enter here.
    pub inserted: Range<usize>,
}

pub(crate) struct Diffs<'a> {
    edges: &'a EdgeTable,
    insertion: &'a [Id],
    removal: &'a [Id],
    sequence_length: f64,
    j: usize,
    k: usize,
    left: f64,
    done: bool,
}

impl<'a> Diffs<'a> {
    /// The tables must have indexes covering every edge whose entries are
    /// edge ids (the index check).
    pub(crate) fn new(tables: &'a TableCollection) -> Self {
        let ix = tables.indexes.as_ref().expect("indexes checked");
        Diffs {
            edges: &tables.edges,
            insertion: &ix.insertion,
            removal: &ix.removal,
            sequence_length: tables.sequence_length,
            j: 0,
            k: 0,
            left: 0.0,
            done: false,
        }
    }

    /// The positions in the removal order not yet used (after the walk: the
    /// edges that reach the end of the sequence).
    pub(crate) fn rest_of_removal(&self) -> Range<usize> {
        self.k..self.removal.len()
    }
}

impl Iterator for Diffs<'_> {
    type Item = Diff;

    /// Yields one tree after another. With inconsistent indexes a tree may
    /// come out with `right <= left`; the walk then ends after it.
    fn next(&mut self) -> Option<Diff> {
        let (e, m) = (self.edges, self.insertion.len());
        if self.done || !(self.j < m || self.left < self.sequence_length) {
            return None;
        }
        let left = self.left;
        let k0 = self.k;
        while self.k < m && e.right[self.removal[self.k] as usize] == left {
            self.k += 1;
        }
        let j0 = self.j;
        while self.j < m && e.left[self.insertion[self.j] as usize] == left {
            self.j += 1;
        }
        let mut right = self.sequence_length;
        if self.j < m {
            right = right.min(e.left[self.insertion[self.j] as usize]);
        }
        if self.k < m {
            right = right.min(e.right[self.removal[self.k] as usize]);
        }
        self.done = right <= left;
        self.left = right;
        Some(Diff {
            left,
            right,
            removed: k0..self.k,
            inserted: j0..self.j,
        })
    }
}
