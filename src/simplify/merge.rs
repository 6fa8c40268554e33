//! The merge of a parent's children's ancestry, written once for both ways
//! of simplifying: the sequential one (`mod.rs`), which writes output nodes,
//! edges and mutation nodes as it goes, and the piece-wise one
//! (`pieces.rs`), which labels ancestry with input node ids and records
//! what the sequential pass that numbers the output nodes needs. What is
//! written goes through a [`MergeSink`]; the merge itself, a node's
//! ancestry and where it comes from, is the same for both.

use super::ancestry::Ancestry;
use super::overlap::{Overlapper, Segment};
use crate::alloc;
use crate::error::Result;
use crate::tables::Id;

/// What the merge writes. A *label* is what a node's ancestry segments
/// carry: the output node id (sequential) or the input node id (pieces).
pub(super) trait MergeSink {
    /// The label input node `u` has before it is merged: its output id, or
    /// `NULL` if it has none yet (sequential), or `u` (pieces). A sample
    /// always has one.
    fn label(&self, u: usize) -> Id;

    /// Input node `u` carries ancestry itself here (a coalescence, or a
    /// unary node that is kept), so it needs an output node: makes it if
    /// `label`, what `u` is labelled so far, is `NULL` (sequential), or
    /// marks that it needs one (pieces). Returns `u`'s label.
    fn node(&mut self, u: usize, label: Id) -> Result<Id>;

    /// An edge over `[left, right)` from the node being merged to `child`
    /// (a label).
    fn edge(&mut self, left: f64, right: f64, child: Id) -> Result<()>;

    /// Input node `u`'s ancestry over `[left, right)` is labelled `label`:
    /// so are `u`'s mutations there.
    fn mutations(&mut self, u: usize, left: f64, right: f64, label: Id) -> Result<()>;

    /// KEEP_INPUT_ROOTS: whether input node `u` may hold ancestry (`false`
    /// skips it without reading its ancestry).
    fn may_hold(&self, _u: usize) -> bool {
        true
    }

    /// KEEP_INPUT_ROOTS: input node `u` still holds ancestry and is kept as
    /// a root; its edges follow. Returns its label (making its output node
    /// if it has none, sequentially).
    fn begin_root(&mut self, u: usize) -> Result<Id>;

    /// KEEP_INPUT_ROOTS: the edges of root `u`, labelled `label`, are done.
    fn end_root(&mut self, u: usize, label: Id) -> Result<()>;
}

/// The merge's working state: every input node's ancestry, the segments the
/// current parent's children pass up, and where its own is built.
#[derive(Default)]
pub(super) struct Merge {
    /// Each input node's ancestry, sorted by left end.
    pub ancestry: Ancestry,
    /// The segments the current parent's children pass up: filled by the
    /// caller before [`Merge::merge`], which empties it.
    pub queue: Vec<Segment>,
    /// Where a node's ancestry is built before it is stored.
    build: Vec<Segment>,
    overlapper: Overlapper,
}

impl Merge {
    /// For `num_nodes` input nodes; `expected` is a guess at the number of
    /// ancestry segments (see [`Ancestry::new`]).
    pub fn new(num_nodes: usize, expected: usize) -> Result<Self> {
        Ok(Merge {
            ancestry: Ancestry::new(num_nodes, expected)?,
            ..Default::default()
        })
    }

    /// Gives sample `u` the ancestry `[left, right)`, labelled with itself.
    pub fn add_sample<S: MergeSink>(&mut self, sink: &mut S, u: usize, left: f64, right: f64) -> Result<()> {
        let label = sink.label(u);
        self.build.clear();
        add_ancestry(&mut self.build, sink, u, left, right, label)?;
        self.ancestry.set(u, &self.build)
    }

    /// Merges the queued ancestry of the children of input node `u` over the
    /// span `[span_left, span_right)` (the genome, or a piece of it): where
    /// two or more children's segments overlap `u` is a coalescence with
    /// edges to them; where one alone covers `u` it passes that one on (or,
    /// a sample or a unary node that is kept, carries it itself with an edge
    /// to it). A sample also carries the parts of the span no child covers.
    /// Stores `u`'s new ancestry and returns its label (sequentially `NULL`
    /// if it has no output node).
    pub fn merge<S: MergeSink>(
        &mut self,
        sink: &mut S,
        u: usize,
        is_sample: bool,
        keep_unary: bool,
        span_left: f64,
        span_right: f64,
    ) -> Result<Id> {
        let mut label = sink.label(u);
        // A sample's own ancestry (all of the span) is redone by the merge.
        self.build.clear();
        self.overlapper.start(&mut self.queue)?;
        let queue = &self.queue;
        let mut prev_right = span_left;
        while let Some((left, right)) = self.overlapper.next(queue) {
            let overlapping = self.overlapper.overlapping();
            let mut ancestry_node;
            if overlapping.len() == 1 {
                ancestry_node = queue[overlapping[0] as usize].node;
                if is_sample {
                    sink.edge(left, right, ancestry_node)?;
                    ancestry_node = label;
                } else if keep_unary {
                    label = sink.node(u, label)?;
                    sink.edge(left, right, ancestry_node)?;
                }
            } else {
                label = sink.node(u, label)?;
                ancestry_node = label;
                for &k in overlapping {
                    sink.edge(left, right, queue[k as usize].node)?;
                }
            }
            if is_sample && left != prev_right {
                add_ancestry(&mut self.build, sink, u, prev_right, left, label)?;
            }
            if keep_unary {
                ancestry_node = label;
            }
            add_ancestry(&mut self.build, sink, u, left, right, ancestry_node)?;
            prev_right = right;
        }
        if is_sample && prev_right != span_right {
            add_ancestry(&mut self.build, sink, u, prev_right, span_right, label)?;
        }
        self.ancestry.set(u, &self.build)?;
        self.queue.clear();
        Ok(label)
    }

    /// KEEP_INPUT_ROOTS, after every parent is merged: every input node that
    /// still holds ancestry is a root above the samples' MRCAs; it is kept,
    /// with edges down to that ancestry, in input id order.
    pub fn input_roots<S: MergeSink>(&mut self, sink: &mut S) -> Result<()> {
        for u in 0..self.ancestry.num_nodes() {
            if !sink.may_hold(u) || self.ancestry.get(u).is_empty() {
                continue;
            }
            let label = sink.begin_root(u)?;
            for x in self.ancestry.get(u) {
                if x.node != label {
                    sink.edge(x.left, x.right, x.node)?;
                    sink.mutations(u, x.left, x.right, label)?;
                }
            }
            self.ancestry.clear(u);
            sink.end_root(u, label)?;
        }
        Ok(())
    }
}

/// Appends to the ancestry being built for input node `u` (joining a piece
/// that continues the last one) and labels `u`'s mutations there.
fn add_ancestry<S: MergeSink>(
    build: &mut Vec<Segment>,
    sink: &mut S,
    u: usize,
    left: f64,
    right: f64,
    label: Id,
) -> Result<()> {
    push_segment(build, left, right, label)?;
    sink.mutations(u, left, right, label)
}

/// Appends `[left, right)` labelled `node` to `build`, extending the last
/// segment instead when it ends at `left` with the same label.
fn push_segment(build: &mut Vec<Segment>, left: f64, right: f64, node: Id) -> Result<()> {
    debug_assert!(left < right);
    match build.last_mut() {
        Some(tail) if tail.right == left && tail.node == node => tail.right = right,
        _ => alloc::push(build, Segment { left, right, node }, "simplify's ancestry segments")?,
    }
    Ok(())
}
