//! Simplify with the genome cut into pieces that are merged in parallel.
//!
//! Everything the sequential merge decides at a position `x` depends only on
//! what the nodes hold at `x`: the children's ancestry labels there, whether
//! the parent is a sample, keeps unary nodes, and so on. A node's ancestry,
//! the parents' edges (once abutting intervals of a child are joined, which
//! `flush_edges` always does) and the mutations' new nodes are therefore the
//! same whether the genome is merged whole or piece by piece, `[a, b)` at a
//! time with every edge clipped to the piece. What is not local is the
//! numbering: an output node is made the first time its parent needs one
//! anywhere, in the order parents are processed.
//!
//! So each piece is merged on its own (in parallel), labelling ancestry with
//! *input* node ids (the input-to-output node map is one-to-one, so they can
//! be renamed later), and records per parent whether it needs an output node
//! there and its edges, per input root its edges, and the mutations' labels.
//! The merge is the sequential one (`merge.rs`) over the piece's span,
//! writing these records through its own [`MergeSink`].
//! Then one sequential pass over the parents, in processing order, numbers
//! the output nodes exactly as the sequential code does, and writes each
//! parent's edges from all pieces sorted by output child, joining the
//! intervals that abut, across piece boundaries too. The cut positions only
//! decide how the work is shared: the output is the same for any cut, any
//! number of pieces and any thread count.
//!
//! Not done this way: REDUCE_TO_SITE_TOPOLOGY, whose edge ends move to site
//! positions (not a local rule at a piece boundary) and which can rewind an
//! output node after its id has labelled ancestry. It takes the sequential
//! path.

use rayon::prelude::*;

use super::merge::{Merge, MergeSink};
use super::overlap::cmp_f64;
use super::{parent_runs, Simplifier, KEEP_INPUT_ROOTS, REDUCE_TO_SITE_TOPOLOGY};
use crate::alloc;
use crate::error::Result;
use crate::tables::{Id, TableCollection};

/// Below this many input edges simplify runs sequentially: cutting the
/// genome costs more than the second thread saves.
pub(crate) const PARALLEL_MIN_EDGES: usize = 200_000;

/// Pieces per thread. An edge that crosses a cut is merged in both pieces,
/// and edges are long (a third of the genome in a forward simulation with a
/// couple of crossovers per generation), so every extra piece costs a good
/// part of a whole pass: one piece per thread is fastest.
const PIECES_PER_THREAD: usize = 1;

/// The piece count forced for tests, if any.
///
/// Only in a library built with the cargo feature `test-knobs` (never a
/// shipped one): the environment variable `TSPAR_SIMPLIFY_PIECES`, read
/// once per process, forces the piece-wise path with that many pieces (at
/// most; fewer if the edges have fewer distinct breakpoints) on every input
/// and at every thread count, including one, so that small test inputs
/// exercise it.
#[cfg(feature = "test-knobs")]
pub(crate) fn forced_pieces() -> Option<usize> {
    static FORCED: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *FORCED.get_or_init(|| {
        std::env::var("TSPAR_SIMPLIFY_PIECES")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .map(|n| n.min(1024))
    })
}

/// The piece count forced for tests: never, without the `test-knobs` feature.
#[cfg(not(feature = "test-knobs"))]
pub(crate) fn forced_pieces() -> Option<usize> {
    None
}

/// The number of pieces to cut the genome into (0: simplify sequentially).
/// See [`forced_pieces`] for the one test knob.
pub(crate) fn num_pieces(t: &TableCollection, options: u32, threads: usize) -> usize {
    if options & REDUCE_TO_SITE_TOPOLOGY != 0 {
        return 0;
    }
    if let Some(n) = forced_pieces() {
        return n;
    }
    if threads <= 1 || t.edges.left.len() < PARALLEL_MIN_EDGES {
        return 0;
    }
    threads.saturating_mul(PIECES_PER_THREAD).min(1024)
}

/// The piece boundaries `0 = c_0 < c_1 < ... < c_k = L`, `k <= num_pieces`.
///
/// The work in a piece grows both with its length and with the edges in it,
/// so each cut is halfway between the one that shares the genome's length
/// evenly and the one that shares the edges' breakpoints (left ends inside
/// the genome) evenly. Any cuts give the same output.
fn cuts(t: &TableCollection, num_pieces: usize) -> Vec<f64> {
    let len = t.sequence_length;
    let lefts = &t.edges.left;
    let mut cuts = vec![0.0];
    if num_pieces > 1 && !lefts.is_empty() {
        let stride = (lefts.len() / (256 * num_pieces)).max(1);
        let mut sample: Vec<f64> = lefts
            .iter()
            .step_by(stride)
            .copied()
            .filter(|&x| x > 0.0 && x < len)
            .collect();
        sample.sort_unstable_by(|a, b| cmp_f64(*a, *b));
        for k in 1..num_pieces {
            let even = len * (k as f64 / num_pieces as f64);
            let x = match sample.get(k * sample.len() / num_pieces) {
                Some(&q) => 0.5 * even + 0.5 * q,
                None => even,
            };
            if x > *cuts.last().unwrap() && x < len {
                cuts.push(x);
            }
        }
    }
    cuts.push(len);
    cuts
}

/// An edge found in a piece: (child's input id, left, right).
type PieceEdge = (Id, f64, f64);

/// What a piece's edges are, in a message saying they could not be allocated.
const EDGES: &str = "simplify's piece edges";

/// A piece's record of a parent or an input root: (its key, whether it
/// needs an output node, the end of its edges in `PieceOut::edges`).
type Record = (usize, bool, usize);

/// What one piece's merge found.
#[derive(Default)]
struct PieceOut {
    /// For each parent that needs an output node here or has edges here,
    /// keyed by the index of its first input edge.
    parents: Vec<Record>,
    /// Each parent's edges sorted by child, abutting intervals joined; then,
    /// for KEEP_INPUT_ROOTS, each input root's, the same way.
    edges: Vec<PieceEdge>,
    /// KEEP_INPUT_ROOTS: the input nodes left holding ancestry, keyed by
    /// input id, in id order (the `bool` is unused).
    roots: Vec<Record>,
    /// (mutation, input node label), in the order the sequential code
    /// assigns them (the last one wins).
    mutations: Vec<(u32, Id)>,
}

/// The merge of one piece `[left, right)`, with every node labelled by its
/// input id.
struct Piece<'s, 'a> {
    s: &'s Simplifier<'a>,
    left: f64,
    right: f64,
    /// A bit per input node, set once it has been given ancestry: a child
    /// whose bit is clear has none, and its (much larger) entry in the
    /// ancestry need not be read.
    held: Vec<u64>,
    /// Whether the parent being merged needs an output node here.
    needs: bool,
    /// Where the edges of the parent or root being merged start in
    /// `out.edges`.
    start: usize,
    out: PieceOut,
}

impl<'s, 'a> Piece<'s, 'a> {
    fn holds(&self, u: usize) -> bool {
        self.held[u / 64] & (1 << (u % 64)) != 0
    }

    fn hold(&mut self, u: usize) {
        self.held[u / 64] |= 1 << (u % 64);
    }

    /// Sorts the edges from `self.start` on by child (stably: each child's
    /// are left to right) and joins the abutting ones.
    fn join_edges(&mut self) {
        let (edges, start) = (&mut self.out.edges, self.start);
        // Each child's intervals are disjoint and were found left to right:
        // ordering by (child, left) is the stable order by child, without
        // the buffer a stable sort allocates.
        edges[start..].sort_unstable_by(|a, b| a.0.cmp(&b.0).then(cmp_f64(a.1, b.1)));
        let mut w = start;
        for r in start..edges.len() {
            let e = edges[r];
            if w > start && edges[w - 1].0 == e.0 && edges[w - 1].2 == e.1 {
                edges[w - 1].2 = e.2;
            } else {
                edges[w] = e;
                w += 1;
            }
        }
        edges.truncate(w);
    }

    fn run(mut self, samples: &[Id]) -> Result<PieceOut> {
        let s = self.s;
        let edges = &s.input.edges;
        let (a, b) = (self.left, self.right);
        let n = edges.parent.len();
        let inside = |j: usize| edges.left[j] < b && edges.right[j] > a;
        let expected = (0..n).filter(|&j| inside(j)).count() + samples.len();
        let num_nodes = s.input.nodes.flags.len();
        let mut m = Merge::new(num_nodes, expected)?;
        self.held = alloc::zeroed(num_nodes.div_ceil(64), "simplify's ancestry flags")?;
        for &u in samples {
            m.add_sample(&mut self, u as usize, a, b)?;
            self.hold(u as usize);
        }
        for (parent, rows) in parent_runs(&edges.parent) {
            let first_edge = rows.start;
            for j in rows {
                let child = edges.child[j] as usize;
                if self.holds(child) && inside(j) {
                    let (l, r) = (edges.left[j].max(a), edges.right[j].min(b));
                    m.ancestry.extract(child, l, r, &mut m.queue)?;
                }
            }
            let u = parent as usize;
            if !m.queue.is_empty() || s.is_sample[u] {
                self.needs = false;
                self.start = self.out.edges.len();
                m.merge(&mut self, u, s.is_sample[u], s.keeps_unary(u), a, b)?;
                if !m.ancestry.get(u).is_empty() {
                    self.hold(u);
                }
                if self.needs || self.out.edges.len() > self.start {
                    self.join_edges();
                    let end = self.out.edges.len();
                    alloc::push(
                        &mut self.out.parents,
                        (first_edge, self.needs, end),
                        "simplify's piece parents",
                    )?;
                }
            } else if self.holds(u) {
                // Nothing to merge; the sequential code stores no ancestry.
                m.ancestry.clear(u);
            }
        }
        if s.options & KEEP_INPUT_ROOTS != 0 {
            m.input_roots(&mut self)?;
        }
        Ok(self.out)
    }
}

/// A piece's merge records, for the numbering pass, whether a parent needs
/// an output node and the edges and mutations with input node labels.
impl MergeSink for Piece<'_, '_> {
    fn label(&self, u: usize) -> Id {
        u as Id
    }

    fn node(&mut self, _u: usize, label: Id) -> Result<Id> {
        self.needs = true;
        Ok(label)
    }

    fn edge(&mut self, left: f64, right: f64, child: Id) -> Result<()> {
        alloc::push(&mut self.out.edges, (child, left, right), EDGES)
    }

    fn mutations(&mut self, u: usize, left: f64, right: f64, label: Id) -> Result<()> {
        for m in self.s.node_mutations.within(u, left, right) {
            alloc::push(&mut self.out.mutations, (m, label), "simplify's mutation labels")?;
        }
        Ok(())
    }

    fn may_hold(&self, u: usize) -> bool {
        self.holds(u)
    }

    fn begin_root(&mut self, u: usize) -> Result<Id> {
        self.start = self.out.edges.len();
        Ok(u as Id)
    }

    fn end_root(&mut self, u: usize, _label: Id) -> Result<()> {
        self.join_edges();
        let end = self.out.edges.len();
        alloc::push(&mut self.out.roots, (u, false, end), "simplify's piece roots")
    }
}

/// Simplifies with the genome cut into at most `num_pieces` pieces, merged
/// on `threads` threads; `s` is set up without ancestry.
pub(super) fn run(
    mut s: Simplifier<'_>,
    samples: &[Id],
    threads: usize,
    num_pieces: usize,
) -> Result<(TableCollection, Vec<Id>)> {
    let cuts = cuts(s.input, num_pieces);
    let merge = |k: usize| {
        Piece {
            s: &s,
            left: cuts[k],
            right: cuts[k + 1],
            held: Vec::new(),
            needs: false,
            start: 0,
            out: PieceOut::default(),
        }
        .run(samples)
    };
    let count = cuts.len() - 1;
    // A piece that fails (out of memory) fails the whole call: the error
    // comes back from the worker threads, not a panic.
    let outs: Vec<PieceOut> = if threads <= 1 || count == 1 {
        (0..count).map(merge).collect::<Result<_>>()?
    } else {
        crate::parallel::run(threads, || (0..count).into_par_iter().map(merge).collect::<Result<_>>())??
    };
    number_and_write(&mut s, &outs)?;
    s.finish()
}

/// The sequential pass: numbers the output nodes as the sequential merge
/// does and writes the edges, the input roots and the mutations' nodes.
fn number_and_write(s: &mut Simplifier<'_>, outs: &[PieceOut]) -> Result<()> {
    let edges = &s.input.edges;
    let mut edge_at = vec![0usize; outs.len()];
    for_each_record(
        s,
        outs,
        |o| &o.parents,
        &mut edge_at,
        |s, first_edge, needs| {
            let u = edges.parent[first_edge] as usize;
            let output_id = if needs {
                s.node(u, s.node_id_map[u])?
            } else {
                s.node_id_map[u]
            };
            s.end_parent(u, output_id)
        },
    )?;
    if s.options & KEEP_INPUT_ROOTS != 0 {
        // The roots' edges follow the parents' in each piece's `edges`,
        // where `edge_at` has come to.
        for_each_record(
            s,
            outs,
            |o| &o.roots,
            &mut edge_at,
            |s, u, _| {
                let output_id = s.begin_root(u)?;
                s.end_root(u, output_id)
            },
        )?;
        s.set_root_edge_offset();
    }
    for o in outs {
        for &(m, label) in &o.mutations {
            s.mutation_node_map[m as usize] = s.node_id_map[label as usize];
        }
    }
    Ok(())
}

/// Walks the pieces' records (`records` of each piece, each in increasing
/// key order) together: for each key any piece recorded, in increasing
/// order, puts its edges from every piece in `s.buffered` (children renamed
/// to output ids) and calls `write(s, key, whether any piece needs a node)`.
/// `edge_at` holds where each piece's edges not yet taken begin.
fn for_each_record(
    s: &mut Simplifier<'_>,
    outs: &[PieceOut],
    records: impl Fn(&PieceOut) -> &[Record],
    edge_at: &mut [usize],
    mut write: impl FnMut(&mut Simplifier<'_>, usize, bool) -> Result<()>,
) -> Result<()> {
    let mut at = vec![0usize; outs.len()];
    loop {
        let next = outs
            .iter()
            .zip(&at)
            .filter_map(|(o, &i)| records(o).get(i).map(|r| r.0))
            .min();
        let Some(key) = next else { return Ok(()) };
        let mut needs = false;
        s.buffered.clear();
        for (k, o) in outs.iter().enumerate() {
            if let Some(&(f, n, end)) = records(o).get(at[k]) {
                if f == key {
                    needs |= n;
                    buffer_edges(s, &o.edges, &mut edge_at[k], end)?;
                    at[k] += 1;
                }
            }
        }
        write(s, key, needs)?;
    }
}

/// Adds a piece's edges `edges[*from..end]` to `s.buffered` with their
/// children renamed to output ids, and moves `from` to `end`.
fn buffer_edges(s: &mut Simplifier<'_>, edges: &[PieceEdge], from: &mut usize, end: usize) -> Result<()> {
    let map = &s.node_id_map;
    alloc::extend(
        &mut s.buffered,
        edges[*from..end].iter().map(|&(c, l, r)| (map[c as usize], l, r)),
        "simplify's edge buffer",
    )?;
    *from = end;
    Ok(())
}
