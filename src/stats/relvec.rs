//! The genetic relatedness matrix times a weight matrix, without the
//! matrix: tskit's `genetic_relatedness_vector(W, windows, mode,
//! span_normalise, centre, nodes)`.
//!
//! Branch mode (as tskit): `out[i] = Σ_b len(b) · span · W(below b)` over the
//! branches `b` above focal node `i` — the relatedness of `i` and each
//! sample is the branch length they share. Site mode (tskit has none): the
//! centred product equals tskit's site-mode `genetic_relatedness_matrix`
//! between one-sample sets times `W`, `-½ P D P W` with `D` the number of
//! sites where two samples differ and `P` the centring; non-centred it is
//! `½ M W`, `M` the number of sites where two samples carry the same allele
//! (so that centring it gives the centred product).
//!
//! Both are sums of values that apply to every node of a subtree: a
//! branch's length times the weight below it, while it lasts; at a site,
//! each mutation's allele weight minus its parent allele's. A node's
//! value is the sum of a share `v` over its path to the root: what applies
//! to a subtree is added to its top node's `v`. Removing edge `(p, c)`
//! adds the path sum above `c` to `c`'s `v`, inserting one subtracts it,
//! so every node keeps its value. The one walk
//! from `p` to the root that sums the path also accounts for each branch
//! on it up to the current position (its weight below is about to change)
//! and moves `c`'s weight. At a window end the paths of the focal nodes
//! are summed top down.
//!
//! Cost: O(depth × k) per edge change (a chain of cache misses: each node
//! is one node-major record of whole 64-byte lines holding its parent,
//! time and both k-vectors, and the next tree's records are touched ahead),
//! plus O(nodes on the focal paths × k) per window end and O(nodes × k) per
//! piece start. Memory: one record of `4 + 2k` values (rounded up to 8)
//! per node per thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::engine::{self, Piece, PieceOut};
use super::{check_time_calibrated, mode_of, opt, span_normalise, windows_of, Exec, Mode};
use crate::alloc;
use crate::error::{fail, Error, Failure, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

/// The number of values: `num_windows × num_focal × k`.
pub fn output_len(
    ts: &TreeSequence,
    k: usize,
    windows: Option<&[f64]>,
    nodes: Option<&[Id]>,
    options: u32,
) -> Result<usize> {
    check_args(ts, k, nodes, options)?;
    let nw = windows_of(ts, windows)?.len() - 1;
    let rows = nodes.map_or(ts.samples().len(), |n| n.len());
    Ok(nw.saturating_mul(rows).saturating_mul(k))
}

fn check_args(ts: &TreeSequence, k: usize, nodes: Option<&[Id]>, options: u32) -> Result<Mode> {
    let mode = mode_of(options)?;
    if mode == Mode::Node {
        fail!(Error::UnsupportedStatMode, "the relatedness vector has no node mode");
    }
    if k == 0 {
        fail!(Error::BadParamValue, "num_weights must be at least 1");
    }
    if let Some(nodes) = nodes {
        if options & opt::NONCENTRED == 0 {
            fail!(
                Error::BadParamValue,
                "focal nodes need TSPAR_STAT_NONCENTRED (as tskit: centre the weights first instead)"
            );
        }
        for (j, &u) in nodes.iter().enumerate() {
            if u < 0 || u as usize >= ts.num_nodes() {
                fail!(
                    Error::NodeOutOfBounds,
                    "nodes[{j}] = {u} (there are {} nodes)",
                    ts.num_nodes()
                );
            }
        }
    }
    Ok(mode)
}

/// `[window][focal node][column]`; `weights` is `[sample][column]`, `k`
/// columns; `nodes` None means the samples in order.
pub fn genetic_relatedness_vector(
    ts: &TreeSequence,
    weights: &[f64],
    k: usize,
    windows: Option<&[f64]>,
    nodes: Option<&[Id]>,
    options: u32,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let mode = check_args(ts, k, nodes, options)?;
    let windows = windows_of(ts, windows)?;
    check_time_calibrated(ts, mode, options)?;
    let ns = ts.samples().len();
    if weights.len() != ns.saturating_mul(k) {
        fail!(
            Error::BadParamValue,
            "weights: {} values for {ns} samples × {k} columns",
            weights.len()
        );
    }
    let centre = options & opt::NONCENTRED == 0;
    let mut w = alloc::copy(weights, "the centred weights")?;
    if centre && ns > 0 {
        centre_columns(&mut w, k);
    }
    let focal: Vec<Id> = match nodes {
        Some(n) => alloc::copy(n, "the focal nodes")?,
        None => alloc::copy(ts.samples(), "the focal nodes")?,
    };
    let mut out = product(ts, &w, k, &windows, &focal, mode, exec)?;
    let nf = focal.len();
    if mode == Mode::Site {
        for x in out.iter_mut() {
            *x *= 0.5;
        }
    }
    if centre && nf > 0 {
        for block in out.chunks_exact_mut(nf * k) {
            centre_columns(block, k);
        }
    }
    if options & opt::SPAN_NORMALISE != 0 {
        span_normalise(&windows, nf * k, &mut out);
    }
    Ok(out)
}

/// Subtracts each column's mean from a `[row][k]` matrix.
fn centre_columns(m: &mut [f64], k: usize) {
    let rows = m.len() / k;
    let mut mean = vec![0.0; k];
    for row in m.chunks_exact(k) {
        for (s, x) in mean.iter_mut().zip(row) {
            *s += x;
        }
    }
    for s in &mut mean {
        *s /= rows as f64;
    }
    for row in m.chunks_exact_mut(k) {
        for (x, s) in row.iter_mut().zip(&mean) {
            *x -= s;
        }
    }
}

/// Where each value of a node's record is: `[parent, time, last, blen,
/// w[0..k], v[0..k]]` — the parent (as a float: ids are exact in an f64),
/// the node's time, where its branch was last accounted for, the branch's
/// length (0 for a root), the weight below the node, and the node's share
/// `v` of what every node of its subtree has gathered (a node's value is
/// the sum of `v` along its path to the root).
const PARENT: usize = 0;
const TIME: usize = 1;
const LAST: usize = 2;
const BLEN: usize = 3;
const W: usize = 4;

/// One thread's state over a piece: the nodes' records, node-major and
/// each padded to whole 64-byte lines, so that a step up a path costs one
/// run of memory (walking a path is a chain of cache misses).
struct Scratch {
    k: usize,
    n: usize,
    stride: usize,
    /// The first record's index in `node` (aligned to 64 bytes).
    base: usize,
    node: Vec<f64>,
    /// The child's weight and the path's sum of `v`, for one edge change.
    wc: Vec<f64>,
    sum: Vec<f64>,
    /// Window ends: the nodes done (`stamp == cur`), and a path to the root.
    stamp: Vec<u32>,
    cur: u32,
    path: Vec<u32>,
    /// Site mode: what applies to every node (the ancestral allele's weight).
    global: Vec<f64>,
    allele_w: Vec<f64>,
    alleles: Vec<usize>,
}

fn product(
    ts: &TreeSequence,
    w: &[f64],
    k: usize,
    windows: &[f64],
    focal: &[Id],
    mode: Mode,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let nw = windows.len() - 1;
    let row = focal.len() * k;
    // A window end costs a few passes over the nodes, an edge change a walk
    // to the root: pieces of at least as many units as nodes keep the first
    // small (and do not depend on the thread count).
    let piece_work = exec.piece_work.max(ts.num_nodes() as u64);
    let plan = engine::plan(ts, windows, piece_work, exec.max_pieces.min(64))?;
    let mut out = alloc::zeroed(nw.saturating_mul(row), "the relatedness vector")?;
    let pool: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());
    let pieces: &[Piece] = &plan.pieces;
    engine::run_windows(exec, pieces, row, &mut out, |pi, _, cancel, po| {
        let taken = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut s = match taken {
            Some(s) => s,
            None => Scratch::new(ts, k)?,
        };
        let args = (ts, w, windows, focal, mode);
        // The one-column product (the common case) with its loops unrolled.
        let r = if k == 1 {
            piece_run::<1>(args, pi, &plan, &mut s, cancel, po)
        } else {
            piece_run::<0>(args, pi, &plan, &mut s, cancel, po)
        };
        pool.lock().unwrap_or_else(|e| e.into_inner()).push(s);
        r
    })?;
    Ok(out)
}

impl Scratch {
    fn new(ts: &TreeSequence, k: usize) -> Result<Scratch> {
        let n = ts.num_nodes();
        let what = "the relatedness vector's working memory";
        let stride = k.saturating_mul(2).saturating_add(W).next_multiple_of(8);
        let node: Vec<f64> = alloc::zeroed(n.saturating_mul(stride).saturating_add(8), what)?;
        // The address only picks an offset; nothing is read through it.
        let base = (64 - node.as_ptr() as usize % 64) % 64 / 8;
        Ok(Scratch {
            k,
            n,
            stride,
            base,
            node,
            wc: alloc::zeroed(k, what)?,
            sum: alloc::zeroed(k, what)?,
            stamp: alloc::zeroed(n, what)?,
            cur: 0,
            path: Vec::new(),
            global: alloc::zeroed(k, what)?,
            allele_w: Vec::new(),
            alleles: Vec::new(),
        })
    }

    /// Where node `u`'s record starts.
    #[inline(always)]
    fn rec(&self, u: usize) -> usize {
        self.base + u * self.stride
    }

    /// Every node's record.
    fn recs_mut(&mut self) -> &mut [f64] {
        let (a, st) = (self.base, self.stride);
        &mut self.node[a..a + self.n * st]
    }

    /// Adds a node's branch (length × weight below × span since last
    /// time) to its `v`, and marks it accounted for up to `x`.
    #[inline(always)]
    fn flush_branch(rec: &mut [f64], k: usize, x: f64) {
        let f = rec[BLEN] * (x - rec[LAST]);
        rec[LAST] = x;
        if f != 0.0 {
            let (w, v) = rec[W..W + 2 * k].split_at_mut(k);
            for (v, w) in v.iter_mut().zip(w.iter()) {
                *v += f * w;
            }
        }
    }

    /// Removes or inserts edge `(p, c)` at `x`: one walk from `p` to the
    /// root accounts for each branch on it (branch mode), sums the path's
    /// `v` and moves `c`'s weight; then `c`'s `v` takes the path's sum
    /// (removal) or gives it back (insertion), so that every node of `c`'s
    /// subtree keeps its value. `K` is `k` when known at compile time, else 0.
    #[inline]
    fn edge<const K: usize>(&mut self, (p, c): (Id, Id), insert: bool, x: f64, branch: bool) {
        let k = if K == 0 { self.k } else { K };
        let (rc, rp) = (self.rec(c as usize), self.rec(p as usize));
        let (base, st) = (self.base, self.stride);
        let Scratch { node, wc, sum, .. } = self;
        let (wc, sum) = (&mut wc[..k], &mut sum[..k]);
        wc.copy_from_slice(&node[rc + W..rc + W + k]);
        sum.fill(0.0);
        let tp = node[rp + TIME];
        let mut r = rp;
        loop {
            let rec = &mut node[r..r + W + 2 * k];
            if branch {
                Self::flush_branch(rec, k, x);
            }
            let (w, v) = rec[W..].split_at_mut(k);
            for (s, v) in sum.iter_mut().zip(v.iter()) {
                *s += v;
            }
            if insert {
                for (w, d) in w.iter_mut().zip(wc.iter()) {
                    *w += d;
                }
            } else {
                for (w, d) in w.iter_mut().zip(wc.iter()) {
                    *w -= d;
                }
            }
            let a = rec[PARENT];
            if a < 0.0 {
                break;
            }
            r = base + a as usize * st;
        }
        let rec = &mut node[rc..rc + W + 2 * k];
        if insert {
            rec[PARENT] = p as f64;
            rec[LAST] = x;
            rec[BLEN] = tp - rec[TIME];
            for (v, s) in rec[W + k..].iter_mut().zip(sum.iter()) {
                *v -= s;
            }
        } else {
            if branch {
                Self::flush_branch(rec, k, x);
            }
            rec[PARENT] = NULL as f64;
            rec[BLEN] = 0.0;
            for (v, s) in rec[W + k..].iter_mut().zip(sum.iter()) {
                *v += s;
            }
        }
    }

    /// A window ends at `x`: every focal node's value (the sum of `v` on
    /// its path, and the global value) into the window's row. Only the
    /// paths of the focal nodes are visited: each node on them, top down,
    /// accounts for its branch and adds its parent's sum to its `v` (once:
    /// `stamp` marks it done). With `more` windows to come in the piece,
    /// every value then starts again from zero at `x`.
    #[allow(clippy::too_many_arguments)]
    fn flush_window<const K: usize>(
        &mut self,
        focal: &[Id],
        x: f64,
        branch: bool,
        more: bool,
        row: &mut [f64],
    ) -> Result<()> {
        let k = if K == 0 { self.k } else { K };
        let (base, st) = (self.base, self.stride);
        if self.cur == u32::MAX {
            self.stamp.fill(0);
            self.cur = 0;
        }
        self.cur += 1;
        let cur = self.cur;
        let Scratch {
            node,
            stamp,
            path,
            global,
            ..
        } = self;
        for (f, &u) in focal.iter().enumerate() {
            path.clear();
            let mut a = u as usize;
            let mut above = None;
            while stamp[a] != cur {
                alloc::push(path, a as u32, "a path to the root")?;
                let p = node[base + a * st + PARENT];
                if p < 0.0 {
                    break;
                }
                a = p as usize;
                if stamp[a] == cur {
                    above = Some(a);
                }
            }
            let mut above = above.map(|a| base + a * st);
            for &b in path.iter().rev() {
                let b = b as usize;
                stamp[b] = cur;
                let rb = base + b * st;
                if branch {
                    Self::flush_branch(&mut node[rb..rb + W + 2 * k], k, x);
                }
                if let Some(ra) = above {
                    for j in W + k..W + 2 * k {
                        node[rb + j] += node[ra + j];
                    }
                }
                above = Some(rb);
            }
            let ru = base + u as usize * st;
            let v = &node[ru + W + k..ru + W + 2 * k];
            for ((d, s), g) in row[f * k..(f + 1) * k].iter_mut().zip(v).zip(global.iter()) {
                *d += s + g;
            }
        }
        if more {
            for rec in node[base..base + self.n * st].chunks_exact_mut(st) {
                rec[LAST] = x;
                rec[W + k..W + 2 * k].fill(0.0);
            }
            global.fill(0.0);
        }
        Ok(())
    }
}

fn check_cancel(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        return Err(Failure::new(Error::Cancelled, "cancelled"));
    }
    Ok(())
}

/// What every piece of one product shares: the tree sequence, the
/// weights, the windows, the focal nodes and the mode.
type Shared<'a> = (&'a TreeSequence, &'a [f64], &'a [f64], &'a [Id], Mode);

fn piece_run<const K: usize>(
    (ts, w, windows, focal, mode): Shared,
    pi: usize,
    plan: &engine::Plan,
    s: &mut Scratch,
    cancel: &AtomicBool,
    po: &mut PieceOut,
) -> Result<()> {
    let piece = &plan.pieces[pi];
    let t = ts.tables();
    let time = &t.nodes.time;
    let bp = ts.breakpoints();
    let branch = mode == Mode::Branch;
    let k = s.k;
    // The piece's first tree, its weights below each node.
    let st = s.stride;
    for (u, rec) in s.recs_mut().chunks_exact_mut(st).enumerate() {
        rec.fill(0.0);
        rec[PARENT] = NULL as f64;
        rec[TIME] = time[u];
        rec[LAST] = piece.left;
    }
    s.global.fill(0.0);
    for (j, &u) in ts.samples().iter().enumerate() {
        let r = s.rec(u as usize) + W;
        for c in 0..k {
            s.node[r + c] += w[j * k + c];
        }
    }
    let e = &t.edges;
    for &h in &plan.alive[pi] {
        let (p, c) = (e.parent[h as usize] as usize, e.child[h as usize] as usize);
        let (rp, rc) = (s.rec(p), s.rec(c));
        s.node[rc + PARENT] = p as f64;
        s.node[rc + BLEN] = time[p] - time[c];
        for j in W..W + k {
            s.node[rp + j] += s.node[rc + j];
        }
    }
    let mut total = vec![0.0; k];
    for row in w.chunks_exact(k) {
        for (t, x) in total.iter_mut().zip(row) {
            *t += x;
        }
    }
    let position = &t.sites.position;
    let (w0, w1) = piece.windows;
    let mut wi = w0;
    let mut states: Vec<&[u8]> = Vec::new();
    for j in piece.trees.0..piece.trees.1 {
        let (tl, tr) = (bp[j], bp[j + 1]);
        if j > piece.trees.0 {
            if (j - piece.trees.0) % 64 == 0 {
                check_cancel(cancel)?;
            }
            // The next tree's edge changes: their first records are
            // loaded now, while this tree's walks run (a prefetch).
            if j + 1 < piece.trees.1 {
                let mut touch = 0.0;
                for (p, c) in ts.removal_run(ts.removal_at[j] as usize, ts.removal_at[j + 1] as usize) {
                    touch += s.node[s.rec(p as usize)] + s.node[s.rec(c as usize)];
                }
                for (p, _) in ts.insertion_run(ts.insertion_at[j] as usize, ts.insertion_at[j + 1] as usize) {
                    touch += s.node[s.rec(p as usize)];
                }
                std::hint::black_box(touch);
            }
            for pc in ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize) {
                s.edge::<K>(pc, false, tl, branch);
            }
            for pc in ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize) {
                s.edge::<K>(pc, true, tl, branch);
            }
        }
        if !branch {
            for site in ts.tree_sites(j) {
                let x = position[site];
                while wi + 1 < w1 && windows[wi + 1] <= x {
                    s.flush_window::<K>(focal, windows[wi + 1], false, wi + 1 < w1, po.row(wi))?;
                    wi += 1;
                }
                site_add(ts, site, &total, s, &mut states)?;
            }
        }
        while wi < w1 && windows[wi + 1] <= tr {
            s.flush_window::<K>(focal, windows[wi + 1], branch, wi + 1 < w1, po.row(wi))?;
            wi += 1;
        }
    }
    if wi < w1 {
        s.flush_window::<K>(focal, piece.right, branch, false, po.row(wi))?;
    }
    Ok(())
}

/// Site mode: each sample gets the weight of the samples carrying its
/// allele: the ancestral allele's weight for everyone, and each mutation's
/// allele weight minus its parent allele's for its subtree.
fn site_add<'t>(
    ts: &'t TreeSequence,
    site: usize,
    total: &[f64],
    s: &mut Scratch,
    states: &mut Vec<&'t [u8]>,
) -> Result<()> {
    let t = ts.tables();
    let muts = ts.site_mutations(site);
    if muts.is_empty() {
        for (g, x) in s.global.iter_mut().zip(total) {
            *g += x;
        }
        return Ok(());
    }
    let k = s.k;
    let what = "a site's allele weights";
    states.clear();
    states.push(t.sites.ancestral_state.row(site));
    s.alleles.clear();
    s.allele_w.clear();
    alloc::extend_from_slice(&mut s.allele_w, total, what)?;
    for m in muts.clone() {
        let d = t.mutations.derived_state.row(m);
        let a = match states.iter().position(|x| *x == d) {
            Some(a) => a,
            None => {
                alloc::push(states, d, what)?;
                alloc::extend(&mut s.allele_w, std::iter::repeat_n(0.0, k), what)?;
                states.len() - 1
            }
        };
        alloc::push(&mut s.alleles, a, what)?;
        let pm = t.mutations.parent[m];
        let pa = if pm == NULL {
            0
        } else {
            s.alleles[pm as usize - muts.start]
        };
        let r = s.rec(t.mutations.node[m] as usize);
        for j in 0..k {
            let x = s.node[r + W + j];
            s.allele_w[a * k + j] += x;
            s.allele_w[pa * k + j] -= x;
        }
    }
    for j in 0..k {
        s.global[j] += s.allele_w[j];
    }
    for (i, m) in muts.clone().enumerate() {
        let a = s.alleles[i];
        let pm = t.mutations.parent[m];
        let pa = if pm == NULL {
            0
        } else {
            s.alleles[pm as usize - muts.start]
        };
        if a == pa {
            continue;
        }
        let r = s.rec(t.mutations.node[m] as usize);
        for j in 0..k {
            s.node[r + W + k + j] += s.allele_w[a * k + j] - s.allele_w[pa * k + j];
        }
    }
    Ok(())
}
