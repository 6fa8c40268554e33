//! The general statistics engine: sample-set weights propagated up the
//! trees, a summary function applied to them, summed over branches (branch
//! mode), over the alleles of each site (site mode) or kept per node (node
//! mode), in windows — as tskit's general statistic.
//!
//! The genome is cut into pieces at tree boundaries. Where the cuts fall
//! depends only on the tree sequence, the windows and the piece size, never
//! on the thread count. A piece builds its own state at its left end from
//! the edges alive there, walks its trees, and returns partial sums for the
//! windows it overlaps; the partial sums are added in piece order. So the
//! result is bit-for-bit the same for every thread count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::Exec;
use crate::error::{Error, Failure, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

/// A summary function: `state_dim` weights in, `result_dim` values out.
pub struct Summary<'a> {
    pub state_dim: usize,
    pub result_dim: usize,
    #[allow(clippy::type_complexity)]
    pub f: Box<dyn Fn(&[f64], &mut [f64]) -> Result<()> + Sync + 'a>,
}

impl<'a> Summary<'a> {
    pub fn new(state_dim: usize, result_dim: usize, f: impl Fn(&[f64], &mut [f64]) -> Result<()> + Sync + 'a) -> Self {
        Summary {
            state_dim,
            result_dim,
            f: Box::new(f),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Site,
    Branch,
    Node,
}

/// One piece of the genome: trees `trees.0..trees.1`.
#[derive(Clone, Debug)]
pub(crate) struct Piece {
    pub trees: (usize, usize),
    pub left: f64,
    pub right: f64,
    /// The windows it overlaps.
    pub windows: (usize, usize),
    pub work: u64,
}

/// Where each tree's edge changes are in the index orders, and the pieces.
pub(crate) struct Plan {
    /// `ins_at[j]`: number of edges with left <= breakpoint j.
    pub ins_at: Vec<usize>,
    /// `rem_at[j]`: number of edges with right <= breakpoint j.
    pub rem_at: Vec<usize>,
    pub pieces: Vec<Piece>,
    /// Edges alive at each piece's left end, in edge-table order.
    pub alive: Vec<Vec<Id>>,
}

/// The window containing `x` (windows cover [0, L)).
fn window_of(windows: &[f64], x: f64) -> usize {
    windows
        .partition_point(|&w| w <= x)
        .saturating_sub(1)
        .min(windows.len() - 2)
}

/// Cuts the genome into pieces of about `piece_work` units of work (edge
/// changes plus sites), at most `max_pieces`.
pub(crate) fn plan(ts: &TreeSequence, windows: &[f64], piece_work: u64, max_pieces: usize) -> Plan {
    let bp = ts.breakpoints();
    let t = ts.num_trees();
    let e = &ts.tables().edges;
    let ix = ts.indexes();
    let mut ins_at = Vec::with_capacity(t + 1);
    let mut rem_at = Vec::with_capacity(t + 1);
    let (mut ip, mut rp) = (0usize, 0usize);
    for &x in bp.iter() {
        while ip < ix.insertion.len() && e.left[ix.insertion[ip] as usize] <= x {
            ip += 1;
        }
        while rp < ix.removal.len() && e.right[ix.removal[rp] as usize] <= x {
            rp += 1;
        }
        ins_at.push(ip);
        rem_at.push(rp);
    }
    let tree_work = |j: usize| -> u64 {
        let edges = if j == 0 {
            ins_at[0]
        } else {
            (ins_at[j] - ins_at[j - 1]) + (rem_at[j] - rem_at[j - 1])
        };
        (edges + ts.tree_sites(j).len() + 1) as u64
    };
    let total: u64 = (0..t).map(tree_work).sum();
    let target = piece_work.max(1).max(total.div_ceil(max_pieces.max(1) as u64));
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut acc = 0u64;
    for j in 0..t {
        acc += tree_work(j);
        if acc >= target || j + 1 == t {
            pieces.push(Piece {
                trees: (start, j + 1),
                left: bp[start],
                right: bp[j + 1],
                windows: (0, 0),
                work: acc,
            });
            start = j + 1;
            acc = 0;
        }
    }
    for p in &mut pieces {
        let w0 = window_of(windows, p.left);
        let w1 = windows.partition_point(|&w| w < p.right).max(w0 + 1);
        p.windows = (w0, w1.min(windows.len() - 1));
    }
    let starts: Vec<f64> = pieces.iter().map(|p| p.left).collect();
    let mut alive: Vec<Vec<Id>> = vec![Vec::new(); pieces.len()];
    for k in 0..e.left.len() {
        let k0 = starts.partition_point(|&s| s < e.left[k]);
        let k1 = starts.partition_point(|&s| s < e.right[k]);
        for list in &mut alive[k0..k1] {
            list.push(k as Id);
        }
    }
    Plan {
        ins_at,
        rem_at,
        pieces,
        alive,
    }
}

/// Runs `work` on every piece, on `exec.threads` threads, and returns the
/// results in piece order. The calling thread reports progress and may
/// cancel; a cancel stops the pieces not yet finished.
pub(crate) fn run_pieces<T, S, W>(
    exec: &mut Exec,
    pieces: &[Piece],
    make_scratch: impl Fn() -> S + Sync,
    work: W,
) -> Result<Vec<T>>
where
    T: Send,
    S: Send,
    W: Fn(usize, &Piece, &mut S, &AtomicBool) -> Result<T> + Sync,
{
    let total: f64 = pieces.iter().map(|p| p.work as f64).sum::<f64>().max(1.0);
    let cancel = AtomicBool::new(false);
    let cancelled = || Failure::new(Error::Cancelled, "cancelled by the progress callback");
    if exec.threads <= 1 || pieces.len() <= 1 {
        let mut scratch = make_scratch();
        let mut out = Vec::with_capacity(pieces.len());
        let mut done = 0.0;
        for (i, p) in pieces.iter().enumerate() {
            out.push(work(i, p, &mut scratch, &cancel)?);
            done += p.work as f64;
            if let Some(cb) = exec.progress.as_mut() {
                if cb(done / total) {
                    return Err(cancelled());
                }
            }
        }
        return Ok(out);
    }
    let pool = crate::parallel::pool(exec.threads)?;
    let slots: Vec<Mutex<Option<Result<T>>>> = pieces.iter().map(|_| Mutex::new(None)).collect();
    let scratches: Mutex<Vec<S>> = Mutex::new(Vec::new());
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let mut was_cancelled = false;
    pool.in_place_scope(|scope| {
        for (i, p) in pieces.iter().enumerate() {
            let tx = tx.clone();
            let (slots, scratches, cancel, work, make_scratch) = (&slots, &scratches, &cancel, &work, &make_scratch);
            scope.spawn(move |_| {
                if !cancel.load(Ordering::Relaxed) {
                    let taken = scratches.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let mut s = taken.unwrap_or_else(make_scratch);
                    let r = work(i, p, &mut s, cancel);
                    scratches.lock().unwrap_or_else(|e| e.into_inner()).push(s);
                    if r.is_err() {
                        cancel.store(true, Ordering::Relaxed);
                    }
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                }
                let _ = tx.send(i);
            });
        }
        drop(tx);
        let mut done = 0.0;
        let mut received = 0;
        while received < pieces.len() {
            match rx.recv_timeout(std::time::Duration::from_millis(50)) {
                Ok(i) => {
                    received += 1;
                    done += pieces[i].work as f64;
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if let Some(cb) = exec.progress.as_mut() {
                if !was_cancelled && cb(done / total) {
                    was_cancelled = true;
                    cancel.store(true, Ordering::Relaxed);
                }
            }
        }
    });
    if was_cancelled {
        return Err(cancelled());
    }
    let mut out = Vec::with_capacity(pieces.len());
    let mut first_err: Option<Failure> = None;
    for s in slots {
        match s.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(v)) => out.push(v),
            Some(Err(f)) => {
                // A piece stopped because another failed reports Cancelled;
                // the real failure is the one to return.
                if first_err.as_ref().map_or(true, |e| e.kind == Error::Cancelled) {
                    first_err = Some(f);
                }
            }
            None => {
                if first_err.is_none() {
                    first_err = Some(cancelled());
                }
            }
        }
    }
    match first_err {
        Some(f) => Err(f),
        None => Ok(out),
    }
}

/// Adds piece partial results into the output in piece order.
pub(crate) fn combine(pieces: &[Piece], partials: Vec<Vec<f64>>, num_windows: usize, row: usize) -> Vec<f64> {
    let mut out = vec![0.0; num_windows * row];
    for (p, part) in pieces.iter().zip(partials) {
        let dst = &mut out[p.windows.0 * row..p.windows.1 * row];
        for (d, s) in dst.iter_mut().zip(part) {
            *d += s;
        }
    }
    out
}

/// Per-thread working state: parent links and node weights. Reset between
/// pieces by undoing only what the piece touched.
pub(crate) struct Scratch {
    pub parent: Vec<Id>,
    pub w: Vec<f64>,
    pub f: Vec<f64>,
    pub last: Vec<f64>,
    /// Nodes whose weights or parent the current piece changed, once each.
    pub touched: Vec<Id>,
    /// The number of samples with non-zero weights below each node: an
    /// edge above none of them changes nothing.
    pub cnt: Vec<i32>,
    /// `mark[u] == stamp` when `u` is in `touched`.
    pub mark: Vec<u32>,
    pub stamp: u32,
    pub clean: bool,
}

impl Scratch {
    #[inline]
    fn touch(&mut self, u: Id) {
        let m = &mut self.mark[u as usize];
        if *m != self.stamp {
            *m = self.stamp;
            self.touched.push(u);
        }
    }

    pub fn new() -> Self {
        Scratch {
            parent: Vec::new(),
            w: Vec::new(),
            f: Vec::new(),
            last: Vec::new(),
            touched: Vec::new(),
            mark: Vec::new(),
            cnt: Vec::new(),
            stamp: 0,
            clean: false,
        }
    }
}

/// What every piece worker shares.
pub(crate) struct Ctx<'a> {
    pub ts: &'a TreeSequence,
    pub plan: &'a Plan,
    pub windows: &'a [f64],
    /// `num_samples × k` sample weights.
    pub weights: &'a [f64],
    pub k: usize,
    pub total: Vec<f64>,
    /// Some sample has all-zero weights: then checking for unweighted
    /// subtrees (whose edges change nothing) pays off.
    pub sparse: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(ts: &'a TreeSequence, plan: &'a Plan, windows: &'a [f64], weights: &'a [f64], k: usize) -> Self {
        let mut total = vec![0.0; k];
        for row in weights.chunks_exact(k) {
            for (t, x) in total.iter_mut().zip(row) {
                *t += x;
            }
        }
        let sparse = weights.chunks_exact(k).any(is_zero);
        Ctx {
            ts,
            plan,
            windows,
            weights,
            k,
            total,
            sparse,
        }
    }

    /// Puts the parent links and weights of the piece's first tree into `s`.
    fn start_piece(&self, piece_index: usize, s: &mut Scratch) {
        let n = self.ts.num_nodes();
        let k = self.k;
        if !s.clean || s.parent.len() != n || s.w.len() != n * k {
            s.parent = vec![NULL; n];
            s.w = vec![0.0; n * k];
            s.mark = vec![0; n];
            s.cnt = vec![0; n];
            s.stamp = 0;
            s.touched.clear();
        } else {
            for &v in &s.touched {
                s.w[v as usize * k..(v as usize + 1) * k].fill(0.0);
                s.parent[v as usize] = NULL;
                s.cnt[v as usize] = 0;
            }
            s.touched.clear();
        }
        s.stamp = s.stamp.wrapping_add(1);
        if s.stamp == 0 {
            s.mark.fill(0);
            s.stamp = 1;
        }
        for (j, &u) in self.ts.samples().iter().enumerate() {
            let row = &self.weights[j * k..(j + 1) * k];
            s.w[u as usize * k..(u as usize + 1) * k].copy_from_slice(row);
            s.cnt[u as usize] = i32::from(!is_zero(row));
        }
        let e = &self.ts.tables().edges;
        for &h in &self.plan.alive[piece_index] {
            let (p, c) = (e.parent[h as usize], e.child[h as usize]);
            s.parent[c as usize] = p;
            s.touch(c);
            s.touch(p);
            // Table order is by parent time, so c's weight is complete here.
            let (pu, cu) = (p as usize, c as usize);
            s.cnt[pu] += s.cnt[cu];
            for j in 0..k {
                s.w[pu * k + j] += s.w[cu * k + j];
            }
        }
        s.clean = true;
    }
}

/// Whether a weight row is all zero: then adding it changes nothing above.
#[inline]
fn is_zero(row: &[f64]) -> bool {
    !row.iter().fold(false, |a, &x| a | (x != 0.0))
}

fn add_row(dst: &mut [f64], src: &[f64], sign: f64) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += sign * s;
    }
}

/// `w[v] += sign * w[u]` where `u != v`.
#[inline]
fn add_node_row(w: &mut [f64], k: usize, v: usize, u: usize, sign: f64) {
    let (a, b) = if v < u {
        let (lo, hi) = w.split_at_mut(u * k);
        (&mut lo[v * k..(v + 1) * k], &hi[..k])
    } else {
        let (lo, hi) = w.split_at_mut(v * k);
        (&mut hi[..k], &lo[u * k..(u + 1) * k])
    };
    if sign > 0.0 {
        for (d, s) in a.iter_mut().zip(b) {
            *d += s;
        }
    } else {
        for (d, s) in a.iter_mut().zip(b) {
            *d -= s;
        }
    }
}

/// The summary evaluated as the engine needs it: `f(x) + f(total - x)`
/// when not polarised (branch and node modes).
pub(crate) struct Eval<'a> {
    summary: &'a Summary<'a>,
    polarised: bool,
    total: &'a [f64],
    x2: Vec<f64>,
    out2: Vec<f64>,
}

impl<'a> Eval<'a> {
    pub fn new(summary: &'a Summary<'a>, polarised: bool, total: &'a [f64]) -> Self {
        Eval {
            summary,
            polarised,
            total,
            x2: vec![0.0; summary.state_dim],
            out2: vec![0.0; summary.result_dim],
        }
    }

    #[inline]
    pub fn eval(&mut self, x: &[f64], out: &mut [f64]) -> Result<()> {
        (self.summary.f)(x, out)?;
        if !self.polarised {
            for ((y, t), v) in self.x2.iter_mut().zip(self.total).zip(x) {
                *y = t - v;
            }
            (self.summary.f)(&self.x2, &mut self.out2)?;
            add_row(out, &self.out2, 1.0);
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

/// The allele weights of site `site`: `num_alleles × k` rows into `out`
/// (ancestral first), as tskit's general statistic computes them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn allele_weights<'t>(
    ts: &'t TreeSequence,
    site: usize,
    w: &[f64],
    k: usize,
    total: &[f64],
    out: &mut Vec<f64>,
    alleles: &mut Vec<usize>,
    states: &mut Vec<&'t [u8]>,
) -> usize {
    let t = ts.tables();
    let muts = ts.site_mutations(site);
    out.clear();
    out.extend_from_slice(total);
    // Allele list: indices of mutations that introduced a new allele
    // (usize::MAX for the ancestral state).
    states.clear();
    states.push(t.sites.ancestral_state.row(site));
    alleles.clear();
    for m in muts.clone() {
        let d = t.mutations.derived_state.row(m);
        let a = match states.iter().position(|s| *s == d) {
            Some(a) => a,
            None => {
                states.push(d);
                out.resize(out.len() + k, 0.0);
                states.len() - 1
            }
        };
        alleles.push(a);
        let pm = t.mutations.parent[m];
        let parent_allele = if pm == NULL {
            0
        } else {
            alleles[pm as usize - muts.start]
        };
        let u = t.mutations.node[m] as usize;
        for j in 0..k {
            let x = w[u * k + j];
            out[a * k + j] += x;
            out[parent_allele * k + j] -= x;
        }
    }
    states.len()
}

/// Site mode: one piece; `on_site(site, allele rows, num_alleles, out row)`.
pub(crate) fn site_piece<F>(
    cx: &Ctx,
    row: usize,
    pi: usize,
    s: &mut Scratch,
    cancel: &AtomicBool,
    mut on_site: F,
) -> Result<Vec<f64>>
where
    F: FnMut(usize, &[f64], usize, &mut [f64]) -> Result<()>,
{
    let piece = &cx.plan.pieces[pi];
    let ts = cx.ts;
    let k = cx.k;
    let e = &ts.tables().edges;
    let ix = ts.indexes();
    let position = &ts.tables().sites.position;
    let windows = cx.windows;
    cx.start_piece(pi, s);
    let (w0, w1) = piece.windows;
    let mut out = vec![0.0; (w1 - w0) * row];
    let mut wi = w0;
    let mut aw = Vec::new();
    let mut alleles = Vec::new();
    let mut states = Vec::new();
    for j in piece.trees.0..piece.trees.1 {
        if j > piece.trees.0 {
            if (j - piece.trees.0) % 64 == 0 {
                check_cancel(cancel)?;
            }
            for &h in &ix.removal[cx.plan.rem_at[j - 1]..cx.plan.rem_at[j]] {
                let (u, mut v) = (e.child[h as usize] as usize, e.parent[h as usize]);
                if cx.sparse && s.cnt[u] == 0 {
                    v = NULL;
                }
                let dc = s.cnt[u];
                while v != NULL {
                    add_node_row(&mut s.w, k, v as usize, u, -1.0);
                    s.cnt[v as usize] -= dc;
                    v = s.parent[v as usize];
                }
                s.parent[u] = NULL;
            }
            for &h in &ix.insertion[cx.plan.ins_at[j - 1]..cx.plan.ins_at[j]] {
                let (u, mut v) = (e.child[h as usize] as usize, e.parent[h as usize]);
                s.parent[u] = v;
                s.touch(u as Id);
                s.touch(v);
                if cx.sparse && s.cnt[u] == 0 {
                    v = NULL;
                }
                let dc = s.cnt[u];
                while v != NULL {
                    add_node_row(&mut s.w, k, v as usize, u, 1.0);
                    s.cnt[v as usize] += dc;
                    v = s.parent[v as usize];
                }
            }
        }
        for site in ts.tree_sites(j) {
            let x = position[site];
            while wi + 1 < w1 && windows[wi + 1] <= x {
                wi += 1;
            }
            let na = allele_weights(ts, site, &s.w, k, &cx.total, &mut aw, &mut alleles, &mut states);
            on_site(site, &aw, na, &mut out[(wi - w0) * row..(wi - w0 + 1) * row])?;
        }
    }
    Ok(out)
}

/// What a lazily flushed per-node accumulation does (node mode, branch AFS).
pub(crate) trait Lazy {
    /// Size of one window's partial result.
    fn row(&self) -> usize;
    /// Node `u`'s weights changed (or the piece started): update its summary.
    fn update(&mut self, u: usize, w: &[f64], f: &mut [f64]) -> Result<()>;
    /// Adds `span` of node `u`'s current contribution into a window row.
    fn flush(&mut self, u: usize, span: f64, parent: Id, w: &[f64], f: &[f64], out: &mut [f64]) -> Result<()>;
    /// Size of the per-node summary kept.
    fn f_dim(&self) -> usize;
    /// Whether only nodes with a parent contribute (branch statistics):
    /// then window ends flush only the nodes the piece attached.
    fn attached_only(&self) -> bool {
        false
    }
}

/// Node mode and branch AFS: one piece, each node's contribution added
/// when its weights or parent change and at every window end.
pub(crate) fn lazy_piece<L: Lazy>(
    cx: &Ctx,
    lazy: &mut L,
    pi: usize,
    s: &mut Scratch,
    cancel: &AtomicBool,
) -> Result<Vec<f64>> {
    let piece = &cx.plan.pieces[pi];
    let ts = cx.ts;
    let k = cx.k;
    let n = ts.num_nodes();
    let e = &ts.tables().edges;
    let ix = ts.indexes();
    let bp = ts.breakpoints();
    let windows = cx.windows;
    let row = lazy.row();
    let fd = lazy.f_dim();
    let attached_only = lazy.attached_only();
    cx.start_piece(pi, s);
    if s.f.len() != n * fd {
        s.f = vec![0.0; n * fd];
    }
    s.last.clear();
    s.last.resize(n, piece.left);
    for u in 0..n {
        lazy.update(u, &s.w[u * k..(u + 1) * k], &mut s.f[u * fd..(u + 1) * fd])?;
    }
    let (w0, w1) = piece.windows;
    let mut out = vec![0.0; (w1 - w0) * row];
    let mut wi = w0;
    macro_rules! flush {
        ($u:expr, $x:expr) => {{
            let u = $u;
            let span = $x - s.last[u];
            if span != 0.0 {
                lazy.flush(
                    u,
                    span,
                    s.parent[u],
                    &s.w[u * k..(u + 1) * k],
                    &s.f[u * fd..(u + 1) * fd],
                    &mut out[(wi - w0) * row..(wi - w0 + 1) * row],
                )?;
            }
            s.last[u] = $x;
        }};
    }
    for j in piece.trees.0..piece.trees.1 {
        let (tl, tr) = (bp[j], bp[j + 1]);
        if j > piece.trees.0 {
            if (j - piece.trees.0) % 64 == 0 {
                check_cancel(cancel)?;
            }
            for &h in &ix.removal[cx.plan.rem_at[j - 1]..cx.plan.rem_at[j]] {
                let (u, mut v) = (e.child[h as usize] as usize, e.parent[h as usize]);
                flush!(u, tl);
                if cx.sparse && s.cnt[u] == 0 {
                    v = NULL;
                }
                let dc = s.cnt[u];
                while v != NULL {
                    let vu = v as usize;
                    flush!(vu, tl);
                    add_node_row(&mut s.w, k, vu, u, -1.0);
                    s.cnt[vu] -= dc;
                    lazy.update(vu, &s.w[vu * k..(vu + 1) * k], &mut s.f[vu * fd..(vu + 1) * fd])?;
                    v = s.parent[vu];
                }
                s.parent[u] = NULL;
            }
            for &h in &ix.insertion[cx.plan.ins_at[j - 1]..cx.plan.ins_at[j]] {
                let (u, mut v) = (e.child[h as usize] as usize, e.parent[h as usize]);
                flush!(u, tl);
                s.parent[u] = v;
                s.touch(u as Id);
                s.touch(v);
                if cx.sparse && s.cnt[u] == 0 {
                    v = NULL;
                }
                let dc = s.cnt[u];
                while v != NULL {
                    let vu = v as usize;
                    flush!(vu, tl);
                    add_node_row(&mut s.w, k, vu, u, 1.0);
                    s.cnt[vu] += dc;
                    lazy.update(vu, &s.w[vu * k..(vu + 1) * k], &mut s.f[vu * fd..(vu + 1) * fd])?;
                    v = s.parent[vu];
                }
            }
        }
        while wi < w1 && windows[wi + 1] <= tr {
            let x = windows[wi + 1];
            if attached_only {
                for i in 0..s.touched.len() {
                    let u = s.touched[i] as usize;
                    if s.parent[u] != NULL {
                        flush!(u, x);
                    }
                }
            } else {
                for u in 0..n {
                    flush!(u, x);
                }
            }
            wi += 1;
        }
    }
    if wi < w1 {
        if attached_only {
            for i in 0..s.touched.len() {
                let u = s.touched[i] as usize;
                if s.parent[u] != NULL {
                    flush!(u, piece.right);
                }
            }
        } else {
            for u in 0..n {
                flush!(u, piece.right);
            }
        }
    }
    Ok(out)
}

/// Node mode's per-node summary.
pub(crate) struct NodeLazy<'a> {
    pub ev: Eval<'a>,
    pub m: usize,
    pub n: usize,
}

impl Lazy for NodeLazy<'_> {
    fn row(&self) -> usize {
        self.n * self.m
    }
    fn f_dim(&self) -> usize {
        self.m
    }
    fn update(&mut self, _u: usize, w: &[f64], f: &mut [f64]) -> Result<()> {
        self.ev.eval(w, f)
    }
    fn flush(&mut self, u: usize, span: f64, _parent: Id, _w: &[f64], f: &[f64], out: &mut [f64]) -> Result<()> {
        add_row(&mut out[u * self.m..(u + 1) * self.m], f, span);
        Ok(())
    }
}

/// Branch mode: a node's summary times its branch length, evaluated when
/// its weights or parent are about to change and at window ends, so each
/// change costs one evaluation and no per-node summaries are kept.
pub(crate) struct BranchLazy<'a> {
    pub ev: Eval<'a>,
    pub time: &'a [f64],
    pub tmp: Vec<f64>,
}

impl Lazy for BranchLazy<'_> {
    fn row(&self) -> usize {
        self.tmp.len()
    }
    fn f_dim(&self) -> usize {
        0
    }
    fn attached_only(&self) -> bool {
        true
    }
    fn update(&mut self, _u: usize, _w: &[f64], _f: &mut [f64]) -> Result<()> {
        Ok(())
    }
    fn flush(&mut self, u: usize, span: f64, parent: Id, w: &[f64], _f: &[f64], out: &mut [f64]) -> Result<()> {
        if parent == NULL {
            return Ok(());
        }
        let b = self.time[parent as usize] - self.time[u];
        self.ev.eval(w, &mut self.tmp)?;
        add_row(out, &self.tmp, span * b);
        Ok(())
    }
}
