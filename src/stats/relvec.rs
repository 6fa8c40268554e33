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
//! each mutation's allele weight minus its parent allele's. Each node keeps
//! what was added for its subtree (`pend`); before an edge changes, the
//! path from the root to the edge's parent is pushed down to the children,
//! so what is pending never reaches a node that was not below. At a window
//! end the pending values are summed down every path for the focal nodes.
//! Cost: each edge change walks its path with `k`-vectors, O(edges × depth
//! × k), plus O(nodes × k) per window end per piece; memory O(nodes × k)
//! per thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::divmat::Links;
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

struct Scratch {
    links: Links,
    /// Weight below each node, `[node][k]`.
    below: Vec<f64>,
    /// What was added for each node's subtree, `[node][k]`.
    pend: Vec<f64>,
    /// What reached each node itself from `pend` pushed down to its
    /// children (a node keeps its share when its subtree's moves on).
    own: Vec<f64>,
    /// Where each node's branch was last accounted for (branch mode).
    last: Vec<f64>,
    path: Vec<Id>,
    /// Site mode: what applies to every node (the ancestral allele's weight).
    global: Vec<f64>,
    allele_w: Vec<f64>,
    alleles: Vec<usize>,
}

/// Nodes by decreasing time: parents before children.
fn top_down(ts: &TreeSequence) -> Result<Vec<Id>> {
    let time = &ts.tables().nodes.time;
    let mut order: Vec<Id> = alloc::collect(0..ts.num_nodes() as Id, "the node order")?;
    order.sort_by(|&a, &b| time[b as usize].total_cmp(&time[a as usize]).then(a.cmp(&b)));
    Ok(order)
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
    let order = top_down(ts)?;
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
            None => {
                let n = ts.num_nodes();
                let what = "the relatedness vector's working memory";
                Scratch {
                    links: Links::new(n)?,
                    below: alloc::zeroed(n.saturating_mul(k), what)?,
                    pend: alloc::zeroed(n.saturating_mul(k), what)?,
                    own: alloc::zeroed(n.saturating_mul(k), what)?,
                    last: alloc::zeroed(n, what)?,
                    path: Vec::new(),
                    global: alloc::zeroed(k, what)?,
                    allele_w: Vec::new(),
                    alleles: Vec::new(),
                }
            }
        };
        let r = piece_run(ts, w, k, windows, focal, &order, mode, pi, &plan, &mut s, cancel, po);
        pool.lock().unwrap_or_else(|e| e.into_inner()).push(s);
        r
    })?;
    Ok(out)
}

impl Scratch {
    /// Adds node `u`'s branch (length × weight below × span since last)
    /// to its subtree's pending values.
    #[inline]
    fn flush_branch(&mut self, time: &[f64], k: usize, u: usize, x: f64) {
        let p = self.links.parent[u];
        if p != NULL {
            let f = (time[p as usize] - time[u]) * (x - self.last[u]);
            if f != 0.0 {
                let (pend, below) = (&mut self.pend[u * k..(u + 1) * k], &self.below[u * k..(u + 1) * k]);
                for (d, b) in pend.iter_mut().zip(below) {
                    *d += f * b;
                }
            }
        }
        self.last[u] = x;
    }

    /// Pushes the pending values on the path from the root down to `p`
    /// (included) into their children; branch mode accounts for each
    /// branch on the path first.
    fn push_path(&mut self, time: &[f64], k: usize, p: Id, x: f64, branch: bool) {
        self.path.clear();
        let mut v = p;
        while v != NULL {
            self.path.push(v);
            v = self.links.parent[v as usize];
        }
        for i in (0..self.path.len()).rev() {
            let a = self.path[i] as usize;
            if branch {
                self.flush_branch(time, k, a, x);
            }
            if self.pend[a * k..(a + 1) * k].iter().all(|&y| y == 0.0) {
                continue;
            }
            for j in 0..k {
                self.own[a * k + j] += self.pend[a * k + j];
            }
            let mut c = self.links.left_child[a];
            while c != NULL {
                let cu = c as usize;
                for j in 0..k {
                    self.pend[cu * k + j] += self.pend[a * k + j];
                }
                c = self.links.right_sib[cu];
            }
            self.pend[a * k..(a + 1) * k].fill(0.0);
        }
    }

    fn edge(&mut self, time: &[f64], k: usize, (p, c): (Id, Id), insert: bool, x: f64, branch: bool) {
        self.push_path(time, k, p, x, branch);
        if branch {
            self.flush_branch(time, k, c as usize, x);
        }
        if insert {
            self.links.insert(p, c);
        } else {
            self.links.remove(p, c);
        }
        // `path` still holds p's ancestors (the edge changed only c's parent).
        let cu = c as usize;
        for i in 0..self.path.len() {
            let vu = self.path[i] as usize;
            for j in 0..k {
                let d = self.below[cu * k + j];
                if insert {
                    self.below[vu * k + j] += d;
                } else {
                    self.below[vu * k + j] -= d;
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    /// A window ends at `x`: every focal node's sum of what is pending on
    /// its path (and the global value) into the window's row; then cleared.
    fn flush_window(
        &mut self,
        time: &[f64],
        k: usize,
        order: &[Id],
        focal: &[Id],
        x: f64,
        branch: bool,
        row: &mut [f64],
    ) {
        let n = self.last.len();
        if branch {
            for u in 0..n {
                self.flush_branch(time, k, u, x);
            }
        }
        for &v in order {
            let vu = v as usize;
            let p = self.links.parent[vu];
            if p != NULL {
                let pu = p as usize;
                for j in 0..k {
                    self.pend[vu * k + j] += self.pend[pu * k + j];
                }
            }
        }
        for (f, &u) in focal.iter().enumerate() {
            let uu = u as usize;
            let (src, own) = (&self.pend[uu * k..(uu + 1) * k], &self.own[uu * k..(uu + 1) * k]);
            for (((d, s), o), g) in row[f * k..(f + 1) * k].iter_mut().zip(src).zip(own).zip(&self.global) {
                *d += s + o + g;
            }
        }
        self.pend.fill(0.0);
        self.own.fill(0.0);
        self.global.fill(0.0);
    }
}

fn check_cancel(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        return Err(Failure::new(Error::Cancelled, "cancelled"));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn piece_run(
    ts: &TreeSequence,
    w: &[f64],
    k: usize,
    windows: &[f64],
    focal: &[Id],
    order: &[Id],
    mode: Mode,
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
    // The piece's first tree, its weights below each node.
    s.links.start_plain(ts, &plan.alive[pi]);
    s.below.fill(0.0);
    s.pend.fill(0.0);
    s.own.fill(0.0);
    s.global.fill(0.0);
    s.last.fill(piece.left);
    for (j, &u) in ts.samples().iter().enumerate() {
        let uu = u as usize;
        for c in 0..k {
            s.below[uu * k + c] += w[j * k + c];
        }
    }
    let e = &t.edges;
    for &h in &plan.alive[pi] {
        let (p, c) = (e.parent[h as usize] as usize, e.child[h as usize] as usize);
        for j in 0..k {
            s.below[p * k + j] += s.below[c * k + j];
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
            for pc in ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize) {
                s.edge(time, k, pc, false, tl, branch);
            }
            for pc in ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize) {
                s.edge(time, k, pc, true, tl, branch);
            }
        }
        if !branch {
            for site in ts.tree_sites(j) {
                let x = position[site];
                while wi + 1 < w1 && windows[wi + 1] <= x {
                    s.flush_window(time, k, order, focal, windows[wi + 1], false, po.row(wi));
                    wi += 1;
                }
                site_add(ts, site, k, &total, s, &mut states)?;
            }
        }
        while wi < w1 && windows[wi + 1] <= tr {
            s.flush_window(time, k, order, focal, windows[wi + 1], branch, po.row(wi));
            wi += 1;
        }
    }
    if wi < w1 {
        s.flush_window(time, k, order, focal, piece.right, branch, po.row(wi));
    }
    Ok(())
}

/// Site mode: each sample gets the weight of the samples carrying its
/// allele: the ancestral allele's weight for everyone, and each mutation's
/// allele weight minus its parent allele's for its subtree.
fn site_add<'t>(
    ts: &'t TreeSequence,
    site: usize,
    k: usize,
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
        let u = t.mutations.node[m] as usize;
        for j in 0..k {
            let x = s.below[u * k + j];
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
        let u = t.mutations.node[m] as usize;
        for j in 0..k {
            s.pend[u * k + j] += s.allele_w[a * k + j] - s.allele_w[pa * k + j];
        }
    }
    Ok(())
}
