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

use super::ancestry::Ancestry;
use super::overlap::{cmp_f64, Overlapper, Segment};
use super::{
    parent_runs, push_segment, Simplifier, KEEP_INPUT_ROOTS, KEEP_UNARY, KEEP_UNARY_IN_INDIVIDUALS,
    REDUCE_TO_SITE_TOPOLOGY,
};
use crate::alloc;
use crate::error::Result;
use crate::tables::{Id, TableCollection, NULL};

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

/// What one piece's merge found.
#[derive(Default)]
struct PieceOut {
    /// For each parent that needs an output node here or has edges here:
    /// (the index of its first input edge, whether it needs a node, the end
    /// of its edges in `edges`).
    parents: Vec<(usize, bool, usize)>,
    /// Each parent's edges sorted by child, abutting intervals joined.
    edges: Vec<PieceEdge>,
    /// KEEP_INPUT_ROOTS: the input nodes left holding ancestry, in id
    /// order, each with the end of its edges in `root_edges`.
    roots: Vec<(Id, usize)>,
    root_edges: Vec<PieceEdge>,
    /// (mutation, input node label), in the order the sequential code
    /// assigns them (the last one wins).
    mutations: Vec<(u32, Id)>,
}

/// The merge of one piece `[left, right)`.
struct Piece<'s, 'a> {
    s: &'s Simplifier<'a>,
    left: f64,
    right: f64,
    ancestry: Ancestry,
    /// A bit per input node, set once it has been given ancestry: a child
    /// whose bit is clear has none, and its (much larger) entry in
    /// `ancestry` need not be read.
    held: Vec<u64>,
    queue: Vec<Segment>,
    build: Vec<Segment>,
    overlapper: Overlapper,
    out: PieceOut,
}

impl<'s, 'a> Piece<'s, 'a> {
    /// As `Simplifier::map_mutations`, recording the label instead.
    fn map_mutations(&mut self, u: usize, left: f64, right: f64, label: Id) -> Result<()> {
        let s = self.s;
        let pos = &s.mutation_position;
        for &m in s.node_mutations.of(u) {
            let x = pos[m as usize];
            if left <= x && x < right {
                alloc::push(&mut self.out.mutations, (m, label), "simplify's mutation labels")?;
            }
        }
        Ok(())
    }

    /// As `Simplifier::add_ancestry`.
    fn add_ancestry(&mut self, u: usize, left: f64, right: f64, label: Id) -> Result<()> {
        push_segment(&mut self.build, left, right, label)?;
        self.map_mutations(u, left, right, label)
    }

    /// Sorts the edges from `start` on by child (stably: each child's are
    /// left to right) and joins the abutting ones.
    fn join_edges(edges: &mut Vec<PieceEdge>, start: usize) {
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

    /// `Simplifier::merge_ancestors` on this piece, with node `u` labelled
    /// `u`. `first_edge` names the parent's run of input edges.
    fn merge_ancestors(&mut self, u: usize, first_edge: usize) -> Result<()> {
        let s = self.s;
        let label = u as Id;
        let is_sample = s.is_sample[u];
        let keep_unary = s.options & KEEP_UNARY != 0
            || (s.options & KEEP_UNARY_IN_INDIVIDUALS != 0 && s.input.nodes.individual[u] != NULL);
        // Whether the sequential code would record an output node for `u`.
        let mut needs = false;
        let start = self.out.edges.len();
        self.build.clear();
        let mut queue = std::mem::take(&mut self.queue);
        self.overlapper.start(&mut queue)?;
        let mut prev_right = self.left;
        while let Some((left, right)) = self.overlapper.next(&queue) {
            let overlapping = self.overlapper.overlapping();
            let mut ancestry_node;
            if overlapping.len() == 1 {
                ancestry_node = queue[overlapping[0] as usize].node;
                if is_sample {
                    alloc::push(&mut self.out.edges, (ancestry_node, left, right), EDGES)?;
                    ancestry_node = label;
                } else if keep_unary {
                    needs = true;
                    alloc::push(&mut self.out.edges, (ancestry_node, left, right), EDGES)?;
                }
            } else {
                needs = true;
                ancestry_node = label;
                for &k in overlapping {
                    alloc::push(&mut self.out.edges, (queue[k as usize].node, left, right), EDGES)?;
                }
            }
            if is_sample && left != prev_right {
                self.add_ancestry(u, prev_right, left, label)?;
            }
            if keep_unary {
                ancestry_node = label;
            }
            self.add_ancestry(u, left, right, ancestry_node)?;
            prev_right = right;
        }
        if is_sample && prev_right != self.right {
            self.add_ancestry(u, prev_right, self.right, label)?;
        }
        self.ancestry.set(u, &self.build)?;
        if !self.build.is_empty() {
            self.held[u / 64] |= 1 << (u % 64);
        }
        if needs || self.out.edges.len() > start {
            Self::join_edges(&mut self.out.edges, start);
            let end = self.out.edges.len();
            alloc::push(
                &mut self.out.parents,
                (first_edge, needs, end),
                "simplify's piece parents",
            )?;
        }
        queue.clear();
        self.queue = queue;
        Ok(())
    }

    fn run(mut self, samples: &[Id]) -> Result<PieceOut> {
        let s = self.s;
        let edges = &s.input.edges;
        let (a, b) = (self.left, self.right);
        let n = edges.parent.len();
        let inside = |j: usize| edges.left[j] < b && edges.right[j] > a;
        let expected = (0..n).filter(|&j| inside(j)).count() + samples.len();
        let num_nodes = s.input.nodes.flags.len();
        self.ancestry = Ancestry::new(num_nodes, expected)?;
        self.held = alloc::zeroed(num_nodes.div_ceil(64), "simplify's ancestry flags")?;
        for &u in samples {
            self.build.clear();
            self.add_ancestry(u as usize, a, b, u)?;
            self.ancestry.set(u as usize, &self.build)?;
            self.held[u as usize / 64] |= 1 << (u % 64);
        }
        for (parent, rows) in parent_runs(&edges.parent) {
            let start = rows.start;
            self.queue.clear();
            for j in rows {
                let child = edges.child[j] as usize;
                if self.held[child / 64] & (1 << (child % 64)) != 0 && inside(j) {
                    let (l, r) = (edges.left[j].max(a), edges.right[j].min(b));
                    self.ancestry.extract(child, l, r, &mut self.queue)?;
                }
            }
            let u = parent as usize;
            if !self.queue.is_empty() || s.is_sample[u] {
                self.merge_ancestors(u, start)?;
            } else if self.held[u / 64] & (1 << (u % 64)) != 0 {
                // Nothing to merge; the sequential code stores no ancestry.
                self.ancestry.clear(u);
            }
        }
        if s.options & KEEP_INPUT_ROOTS != 0 {
            self.input_roots()?;
        }
        Ok(self.out)
    }

    /// `Simplifier::insert_input_roots` on this piece, before numbering.
    fn input_roots(&mut self) -> Result<()> {
        let mut segs = Vec::new();
        for u in 0..self.s.node_id_map.len() {
            if self.held[u / 64] & (1 << (u % 64)) == 0 || self.ancestry.get(u).is_empty() {
                continue;
            }
            segs.clear();
            alloc::extend_from_slice(&mut segs, self.ancestry.get(u), "simplify's ancestry segments")?;
            self.ancestry.clear(u);
            let label = u as Id;
            let start = self.out.root_edges.len();
            for x in &segs {
                if x.node != label {
                    alloc::push(&mut self.out.root_edges, (x.node, x.left, x.right), EDGES)?;
                    self.map_mutations(u, x.left, x.right, label)?;
                }
            }
            Self::join_edges(&mut self.out.root_edges, start);
            let end = self.out.root_edges.len();
            alloc::push(&mut self.out.roots, (label, end), "simplify's piece roots")?;
        }
        Ok(())
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
            ancestry: Ancestry::default(),
            held: Vec::new(),
            queue: Vec::new(),
            build: Vec::new(),
            overlapper: Overlapper::default(),
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
    let input = s.input;
    let edges = &input.edges;
    let mut at = vec![0usize; outs.len()];
    let mut edge_at = vec![0usize; outs.len()];
    loop {
        // The next parent, in processing order, that any piece recorded.
        let next = outs
            .iter()
            .zip(&at)
            .filter_map(|(o, &i)| o.parents.get(i).map(|p| p.0))
            .min();
        let Some(first_edge) = next else { break };
        let u = edges.parent[first_edge] as usize;
        let mut needs = false;
        s.buffered.clear();
        for (k, o) in outs.iter().enumerate() {
            if let Some(&(f, n, end)) = o.parents.get(at[k]) {
                if f == first_edge {
                    needs |= n;
                    let map = &s.node_id_map;
                    alloc::extend(
                        &mut s.buffered,
                        o.edges[edge_at[k]..end]
                            .iter()
                            .map(|&(c, l, r)| (map[c as usize], l, r)),
                        "simplify's edge buffer",
                    )?;
                    edge_at[k] = end;
                    at[k] += 1;
                }
            }
        }
        let mut output_id = s.node_id_map[u];
        if output_id == NULL && needs {
            output_id = s.record_node(u)?;
        }
        if output_id != NULL {
            let n = s.flush_edges(output_id)?;
            if s.filter_nodes && n == 0 && !s.is_sample[u] {
                s.rewind_node(u, output_id);
            }
        } else {
            debug_assert!(s.buffered.is_empty());
            s.buffered.clear();
        }
    }
    if s.options & KEEP_INPUT_ROOTS != 0 {
        let mut youngest_root_time = f64::MAX;
        at.iter_mut().for_each(|i| *i = 0);
        edge_at.iter_mut().for_each(|i| *i = 0);
        loop {
            let next = outs
                .iter()
                .zip(&at)
                .filter_map(|(o, &i)| o.roots.get(i).map(|r| r.0))
                .min();
            let Some(u) = next else { break };
            s.buffered.clear();
            let mut output_id = s.node_id_map[u as usize];
            if output_id == NULL {
                output_id = s.record_node(u as usize)?;
            }
            youngest_root_time = youngest_root_time.min(s.out.nodes.time[output_id as usize]);
            for (k, o) in outs.iter().enumerate() {
                if let Some(&(v, end)) = o.roots.get(at[k]) {
                    if v == u {
                        let map = &s.node_id_map;
                        alloc::extend(
                            &mut s.buffered,
                            o.root_edges[edge_at[k]..end]
                                .iter()
                                .map(|&(c, l, r)| (map[c as usize], l, r)),
                            "simplify's edge buffer",
                        )?;
                        edge_at[k] = end;
                        at[k] += 1;
                    }
                }
            }
            s.flush_edges(output_id)?;
        }
        s.set_root_edge_offset(youngest_root_time);
    }
    for o in outs {
        for &(m, label) in &o.mutations {
            s.mutation_node_map[m as usize] = s.node_id_map[label as usize];
        }
    }
    Ok(())
}
