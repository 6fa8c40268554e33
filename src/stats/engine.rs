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
use std::sync::{Arc, Mutex};

use super::Exec;
use crate::alloc;
use crate::error::{Error, Failure, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

/// The optional accumulating form of a summary function.
pub type AddFn<'a> = Box<dyn Fn(&[f64], &mut [f64]) + Sync + 'a>;

/// A summary function: `state_dim` weights in, `result_dim` values out.
pub struct Summary<'a> {
    pub state_dim: usize,
    pub result_dim: usize,
    #[allow(clippy::type_complexity)]
    pub f: Box<dyn Fn(&[f64], &mut [f64]) -> Result<()> + Sync + 'a>,
    /// Optionally `out[i] += f(x)[i]` in one step, giving the same bits, for
    /// site mode: built-in statistics skip the terms they know to be zero
    /// (adding a zero never changes a sum that started at +0).
    pub add: Option<AddFn<'a>>,
}

impl<'a> Summary<'a> {
    pub fn new(state_dim: usize, result_dim: usize, f: impl Fn(&[f64], &mut [f64]) -> Result<()> + Sync + 'a) -> Self {
        Summary {
            state_dim,
            result_dim,
            f: Box::new(f),
            add: None,
        }
    }

    /// With the accumulating form `add` (see [`Summary::add`]).
    pub fn with_add(mut self, add: impl Fn(&[f64], &mut [f64]) + Sync + 'a) -> Self {
        self.add = Some(Box::new(add));
        self
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

/// The pieces. Each tree's edge changes are where the tree sequence's
/// `insertion_at` and `removal_at` say, in its gathered edge orders.
pub(crate) struct Plan {
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

/// [`plan`] with `exec`'s piece size; a call split into parts reuses the
/// plan it made when it counted its parts (the same arguments give the
/// same plan).
pub(crate) fn plan_for(exec: &mut Exec, ts: &TreeSequence, windows: &[f64], max_pieces: usize) -> Result<Arc<Plan>> {
    let work = exec.piece_work;
    match exec.parts.as_mut() {
        Some(ctl) => ctl.plan(|| plan(ts, windows, work, max_pieces)),
        None => Ok(Arc::new(plan(ts, windows, work, max_pieces)?)),
    }
}

/// Cuts the genome into pieces of about `piece_work` units of work (edge
/// changes plus sites), at most `max_pieces`.
pub(crate) fn plan(ts: &TreeSequence, windows: &[f64], piece_work: u64, max_pieces: usize) -> Result<Plan> {
    let bp = ts.breakpoints();
    let t = ts.num_trees();
    let e = &ts.tables().edges;
    let (ins_at, rem_at) = (&ts.insertion_at, &ts.removal_at);
    let tree_work = |j: usize| -> u64 {
        let edges = if j == 0 {
            ins_at[0] as usize
        } else {
            (ins_at[j] - ins_at[j - 1]) as usize + (rem_at[j] - rem_at[j - 1]) as usize
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
            let piece = Piece {
                trees: (start, j + 1),
                left: bp[start],
                right: bp[j + 1],
                windows: (0, 0),
                work: acc,
            };
            alloc::push(&mut pieces, piece, "the statistic's pieces")?;
            start = j + 1;
            acc = 0;
        }
    }
    for p in &mut pieces {
        let w0 = window_of(windows, p.left);
        let w1 = windows.partition_point(|&w| w < p.right).max(w0 + 1);
        p.windows = (w0, w1.min(windows.len() - 1));
    }
    let starts: Vec<f64> = alloc::collect(pieces.iter().map(|p| p.left), "the statistic's pieces")?;
    let mut alive: Vec<Vec<Id>> = alloc::filled(pieces.len(), Vec::new(), "the statistic's pieces")?;
    for k in 0..e.left.len() {
        let k0 = starts.partition_point(|&s| s < e.left[k]);
        let k1 = starts.partition_point(|&s| s < e.right[k]);
        for list in &mut alive[k0..k1] {
            alloc::push(list, k as Id, "the edges alive at each piece's start")?;
        }
    }
    Ok(Plan { pieces, alive })
}

/// Runs `work` on every piece, on `exec.threads` threads, and returns the
/// results in piece order. The calling thread reports progress and may
/// cancel; a cancel stops the pieces not yet finished and, through the
/// flag `work` checks, the ones running. On one thread, or with one piece,
/// everything runs on the calling thread and progress is reported between
/// pieces.
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
        let mut out = alloc::with_capacity(pieces.len(), "the statistic's pieces")?;
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
    let slots: Vec<Mutex<Option<Result<T>>>> =
        alloc::collect(pieces.iter().map(|_| Mutex::new(None)), "the statistic's pieces")?;
    let scratches: Mutex<Vec<S>> = Mutex::new(Vec::new());
    let (tx, rx) = std::sync::mpsc::channel::<usize>();
    let mut was_cancelled = false;
    // Tells ThreadSanitizer that the pieces happened before we go on (a
    // no-op in other builds; see capi/tsan.rs).
    let hand_off = crate::capi::tsan::HandOff::default();
    pool.in_place_scope(|scope| {
        for (i, p) in pieces.iter().enumerate() {
            let tx = tx.clone();
            let (slots, scratches, cancel, work, make_scratch) = (&slots, &scratches, &cancel, &work, &make_scratch);
            let hand_off = &hand_off;
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
                hand_off.release();
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
    hand_off.acquire();
    if was_cancelled {
        return Err(cancelled());
    }
    let mut out = alloc::with_capacity(pieces.len(), "the statistic's pieces")?;
    let mut first_err: Option<Failure> = None;
    for s in slots {
        match s.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(Ok(v)) => out.push(v),
            Some(Err(f)) => {
                // A piece stopped because another failed reports Cancelled;
                // the real failure is the one to return.
                if first_err.as_ref().is_none_or(|e| e.kind == Error::Cancelled) {
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

/// Where one piece writes its window rows. The first piece overlapping a
/// window writes straight into the output (a sum started at 0 and one
/// started at the first piece's part are the same bits); a window an
/// earlier piece also overlaps (only ever the piece's first) goes to a
/// private row that [`run_windows`] adds into the output in piece order.
pub(crate) struct PieceOut<'o> {
    row: usize,
    w0: usize,
    /// The private row of window `w0`, or empty when the piece owns it.
    shared: Vec<f64>,
    /// Windows `w0 + [!shared.is_empty()]..w1`.
    owned: &'o mut [f64],
}

impl<'o> PieceOut<'o> {
    /// Rows of windows `w0..` all in `rows` (a part computed on its own).
    pub(crate) fn private(row: usize, w0: usize, rows: &'o mut [f64]) -> Self {
        PieceOut {
            row,
            w0,
            shared: Vec::new(),
            owned: rows,
        }
    }
}

impl PieceOut<'_> {
    /// The row of window `wi`.
    #[inline]
    pub fn row(&mut self, wi: usize) -> &mut [f64] {
        let r = self.row;
        if !self.shared.is_empty() {
            if wi == self.w0 {
                return &mut self.shared[..];
            }
            let j = wi - self.w0 - 1;
            &mut self.owned[j * r..(j + 1) * r]
        } else {
            let j = wi - self.w0;
            &mut self.owned[j * r..(j + 1) * r]
        }
    }
}

/// Runs `work` on every piece (see [`run_pieces`]), each writing its window
/// rows through a [`PieceOut`] into `out` (`num_windows × row`, zeroed here),
/// then adds the shared rows in piece order: the same bits as summing every
/// piece's partial in piece order, for every thread count.
///
/// A call split into parts (see [`super::parts`]) counts, computes or
/// combines the pieces here instead.
pub(crate) fn run_windows<W>(exec: &mut Exec, pieces: &[Piece], row: usize, out: &mut [f64], work: W) -> Result<()>
where
    W: Fn(usize, &mut Scratch, &AtomicBool, &mut PieceOut) -> Result<()> + Sync,
{
    if let Some(mut ctl) = exec.parts.take() {
        let r = ctl.stage(exec, pieces, row, out, work);
        exec.parts = Some(ctl);
        return r;
    }
    run_windows_direct(exec, pieces, row, out, work)
}

/// [`run_windows`] computing every piece.
pub(crate) fn run_windows_direct<W>(
    exec: &mut Exec,
    pieces: &[Piece],
    row: usize,
    out: &mut [f64],
    work: W,
) -> Result<()>
where
    W: Fn(usize, &mut Scratch, &AtomicBool, &mut PieceOut) -> Result<()> + Sync,
{
    let mut slots: Vec<Mutex<Option<PieceOut>>> = alloc::with_capacity(pieces.len(), "the statistic's pieces")?;
    let mut rest: &mut [f64] = out;
    let mut at = 0usize; // first window of `rest`
    let mut shared_at = alloc::with_capacity(pieces.len(), "the statistic's pieces")?;
    for (i, p) in pieces.iter().enumerate() {
        let (w0, w1) = p.windows;
        let shared = i > 0 && pieces[i - 1].windows.1 > w0;
        let first_owned = if shared { w0 + 1 } else { w0 };
        let first_owned = first_owned.max(at).min(w1.max(at));
        let (gap, tail) = std::mem::take(&mut rest).split_at_mut((first_owned - at) * row);
        gap.fill(0.0);
        let (owned, tail) = tail.split_at_mut((w1.max(first_owned) - first_owned) * row);
        rest = tail;
        at = w1.max(first_owned);
        shared_at.push(if shared { Some(w0) } else { None });
        slots.push(Mutex::new(Some(PieceOut {
            row,
            w0,
            shared: if shared {
                alloc::zeroed(row, "a window row shared by two pieces")?
            } else {
                Vec::new()
            },
            owned,
        })));
    }
    rest.fill(0.0);
    let shared_rows = run_pieces(exec, pieces, Scratch::new, |i, _, s, c| {
        let mut po = slots[i]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .expect("each piece runs once");
        // Zeroed here, on the piece's thread: a large output is first
        // touched in parallel.
        po.owned.fill(0.0);
        work(i, s, c, &mut po)?;
        Ok(po.shared)
    })?;
    drop(slots);
    for (sh, w) in shared_rows.into_iter().zip(shared_at) {
        if let Some(w) = w {
            for (d, x) in out[w * row..(w + 1) * row].iter_mut().zip(sh) {
                *d += x;
            }
        }
    }
    Ok(())
}

/// A node weight: exact small integer counts when every sample weight is a
/// non-negative integer whose column total fits (then the sums are exact in
/// every type and the results are the same bits as with `f64`), else `f64`.
/// Narrow counts keep the node weights in cache.
pub(crate) trait Count: Copy + Default + Send + Sync + 'static {
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
    fn plus(self, o: Self) -> Self;
    fn minus(self, o: Self) -> Self;
}

macro_rules! int_count {
    ($t:ty) => {
        impl Count for $t {
            #[inline(always)]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn plus(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn minus(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
        }
    };
}
int_count!(u16);
int_count!(u32);

impl Count for f64 {
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn plus(self, o: Self) -> Self {
        self + o
    }
    #[inline(always)]
    fn minus(self, o: Self) -> Self {
        self - o
    }
}

/// Which [`Count`] type the node weights are kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CountKind {
    U16,
    U32,
    F64,
}

/// Tests only: 1 widens u16 counts to u32, 2 forces f64 (both always
/// exact), to check that every count type gives the same bits.
#[cfg(test)]
pub(crate) static FORCE_WIDER: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// The narrowest exact count type for `weights` (`k` columns).
fn count_kind(weights: &[f64], k: usize) -> CountKind {
    let kind = narrowest_count_kind(weights, k);
    #[cfg(test)]
    {
        match (FORCE_WIDER.load(Ordering::Relaxed), kind) {
            (1, CountKind::U16) => return CountKind::U32,
            (2, _) => return CountKind::F64,
            _ => {}
        }
    }
    kind
}

fn narrowest_count_kind(weights: &[f64], k: usize) -> CountKind {
    let integral = weights
        .iter()
        .all(|&x| x >= 0.0 && x <= u32::MAX as f64 && ((x as u32) as f64).to_bits() == x.to_bits());
    if !integral || k == 0 {
        return CountKind::F64;
    }
    let mut total = vec![0u64; k];
    for row in weights.chunks_exact(k) {
        for (t, &x) in total.iter_mut().zip(row) {
            *t += x as u64;
        }
    }
    let max = total.iter().copied().max().unwrap_or(0);
    if max <= u16::MAX as u64 {
        CountKind::U16
    } else if max <= u32::MAX as u64 {
        CountKind::U32
    } else {
        CountKind::F64
    }
}

/// Per-thread working state apart from the node weights: parent links,
/// sample counts and what the piece touched.
pub(crate) struct Core {
    pub parent: Vec<Id>,
    pub f: Vec<f64>,
    pub last: Vec<f64>,
    /// Nodes whose weights or parent the current piece changed, once each.
    pub touched: Vec<Id>,
    /// The number of samples with non-zero weights below each node: an
    /// edge above none of them changes nothing (kept only when sparse).
    pub cnt: Vec<i32>,
    /// `mark[u] == stamp` when `u` is in `touched`.
    pub mark: Vec<u32>,
    pub stamp: u32,
    pub clean: bool,
}

/// Per-thread working state: [`Core`] and the node weights in the count
/// type of the call. Reset between pieces by undoing only what the piece
/// touched.
pub(crate) struct Scratch {
    pub core: Core,
    pub w16: Vec<u16>,
    pub w32: Vec<u32>,
    pub w64: Vec<f64>,
}

impl Core {
    #[inline]
    fn touch(&mut self, u: Id) {
        let m = &mut self.mark[u as usize];
        if *m != self.stamp {
            *m = self.stamp;
            self.touched.push(u);
        }
    }
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            core: Core {
                parent: Vec::new(),
                f: Vec::new(),
                last: Vec::new(),
                touched: Vec::new(),
                mark: Vec::new(),
                cnt: Vec::new(),
                stamp: 0,
                clean: false,
            },
            w16: Vec::new(),
            w32: Vec::new(),
            w64: Vec::new(),
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
    /// The type node weights are kept in.
    pub kind: CountKind,
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
            kind: count_kind(weights, k),
        }
    }

    /// Puts the parent links and weights of the piece's first tree into `s`
    /// and `w`.
    fn start_piece<C: Count>(&self, piece_index: usize, s: &mut Core, w: &mut Vec<C>) -> Result<()> {
        let n = self.ts.num_nodes();
        let k = self.k;
        if !s.clean || s.parent.len() != n || w.len() != n * k {
            // Dropped first, so that old and new are never held together.
            s.clean = false;
            (s.parent, *w, s.mark, s.cnt, s.touched) = Default::default();
            let what = "the statistic's per-node working memory";
            s.parent = alloc::filled(n, NULL, what)?;
            *w = alloc::filled(n.saturating_mul(k), C::default(), what)?;
            s.mark = alloc::zeroed(n, what)?;
            s.cnt = if self.sparse {
                alloc::zeroed(n, what)?
            } else {
                Vec::new()
            };
            // Each node is touched at most once a piece: `touch` never grows it.
            s.touched = alloc::with_capacity(n, what)?;
            s.stamp = 0;
        } else {
            for &v in &s.touched {
                w[v as usize * k..(v as usize + 1) * k].fill(C::default());
                s.parent[v as usize] = NULL;
                if self.sparse {
                    s.cnt[v as usize] = 0;
                }
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
            for (d, &x) in w[u as usize * k..(u as usize + 1) * k].iter_mut().zip(row) {
                *d = C::from_f64(x);
            }
            if self.sparse {
                s.cnt[u as usize] = i32::from(!is_zero(row));
            }
        }
        let e = &self.ts.tables().edges;
        for &h in &self.plan.alive[piece_index] {
            let (p, c) = (e.parent[h as usize], e.child[h as usize]);
            s.parent[c as usize] = p;
            s.touch(c);
            s.touch(p);
            // Table order is by parent time, so c's weight is complete here.
            let (pu, cu) = (p as usize, c as usize);
            if self.sparse {
                s.cnt[pu] += s.cnt[cu];
            }
            add_node_row(w, k, pu, cu, true);
        }
        s.clean = true;
        Ok(())
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

/// `w[v] += w[u]` (`add`) or `w[v] -= w[u]`, where `u != v`.
#[inline(always)]
fn add_node_row<C: Count>(w: &mut [C], k: usize, v: usize, u: usize, add: bool) {
    let (a, b) = if v < u {
        let (lo, hi) = w.split_at_mut(u * k);
        (&mut lo[v * k..(v + 1) * k], &hi[..k])
    } else {
        let (lo, hi) = w.split_at_mut(v * k);
        (&mut hi[..k], &lo[u * k..(u + 1) * k])
    };
    if add {
        for (d, s) in a.iter_mut().zip(b) {
            *d = d.plus(*s);
        }
    } else {
        for (d, s) in a.iter_mut().zip(b) {
            *d = d.minus(*s);
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
pub(crate) fn allele_weights<'t, C: Count>(
    ts: &'t TreeSequence,
    site: usize,
    w: &[C],
    k: usize,
    total: &[f64],
    out: &mut Vec<f64>,
    alleles: &mut Vec<usize>,
    states: &mut Vec<&'t [u8]>,
) -> Result<usize> {
    let t = ts.tables();
    let muts = ts.site_mutations(site);
    let what = "a site's allele weights";
    out.clear();
    alloc::extend_from_slice(out, total, what)?;
    // Allele list: indices of mutations that introduced a new allele
    // (usize::MAX for the ancestral state).
    states.clear();
    alloc::push(states, t.sites.ancestral_state.row(site), what)?;
    alleles.clear();
    alloc::reserve(alleles, muts.len(), what)?;
    for m in muts.clone() {
        let d = t.mutations.derived_state.row(m);
        let a = match states.iter().position(|s| *s == d) {
            Some(a) => a,
            None => {
                alloc::push(states, d, what)?;
                alloc::reserve(out, k, what)?;
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
            let x = w[u * k + j].to_f64();
            out[a * k + j] += x;
            out[parent_allele * k + j] -= x;
        }
    }
    Ok(states.len())
}

/// Removes (`add` false) or inserts edge `h` into the tree in `s`, `w`:
/// the child's weights taken from or added to every ancestor's. `hook(node,
/// false)` runs before the child and each ancestor change, `hook(ancestor,
/// true)` after each ancestor's weights changed.
#[inline(always)]
fn edge_change<C: Count>(
    cx: &Ctx,
    s: &mut Core,
    w: &mut [C],
    (p, c): (Id, Id),
    add: bool,
    mut hook: impl FnMut(&mut Core, &mut [C], usize, bool) -> Result<()>,
) -> Result<()> {
    let k = cx.k;
    let (u, mut v) = (c as usize, p);
    hook(s, w, u, false)?;
    if add {
        s.parent[u] = v;
        s.touch(u as Id);
        s.touch(v);
    }
    if cx.sparse {
        let dc = s.cnt[u];
        if dc != 0 {
            while v != NULL {
                let vu = v as usize;
                hook(s, w, vu, false)?;
                add_node_row(w, k, vu, u, add);
                if add {
                    s.cnt[vu] += dc;
                } else {
                    s.cnt[vu] -= dc;
                }
                hook(s, w, vu, true)?;
                v = s.parent[vu];
            }
        }
    } else {
        while v != NULL {
            let vu = v as usize;
            hook(s, w, vu, false)?;
            add_node_row(w, k, vu, u, add);
            hook(s, w, vu, true)?;
            v = s.parent[vu];
        }
    }
    if !add {
        s.parent[u] = NULL;
    }
    Ok(())
}

/// Site mode: one piece; `on_site(site, allele rows, num_alleles, out row)`.
pub(crate) fn site_piece<F>(
    cx: &Ctx,
    po: &mut PieceOut,
    pi: usize,
    s: &mut Scratch,
    cancel: &AtomicBool,
    on_site: F,
) -> Result<()>
where
    F: FnMut(usize, &[f64], usize, &mut [f64]) -> Result<()>,
{
    match cx.kind {
        CountKind::U16 => site_piece_c(cx, po, pi, &mut s.core, &mut s.w16, cancel, on_site),
        CountKind::U32 => site_piece_c(cx, po, pi, &mut s.core, &mut s.w32, cancel, on_site),
        CountKind::F64 => site_piece_c(cx, po, pi, &mut s.core, &mut s.w64, cancel, on_site),
    }
}

#[allow(clippy::too_many_arguments)]
fn site_piece_c<C: Count, F>(
    cx: &Ctx,
    po: &mut PieceOut,
    pi: usize,
    s: &mut Core,
    w: &mut Vec<C>,
    cancel: &AtomicBool,
    mut on_site: F,
) -> Result<()>
where
    F: FnMut(usize, &[f64], usize, &mut [f64]) -> Result<()>,
{
    let piece = &cx.plan.pieces[pi];
    let ts = cx.ts;
    let k = cx.k;
    let position = &ts.tables().sites.position;
    let windows = cx.windows;
    cx.start_piece(pi, s, w)?;
    let (w0, w1) = piece.windows;
    let mut wi = w0;
    let mut aw = Vec::new();
    let mut alleles = Vec::new();
    let mut states = Vec::new();
    let nop = |_: &mut Core, _: &mut [C], _: usize, _: bool| Ok(());
    for j in piece.trees.0..piece.trees.1 {
        if j > piece.trees.0 {
            if (j - piece.trees.0) % 64 == 0 {
                check_cancel(cancel)?;
            }
            for pc in ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize) {
                edge_change(cx, s, w, pc, false, nop)?;
            }
            for pc in ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize) {
                edge_change(cx, s, w, pc, true, nop)?;
            }
        }
        for site in ts.tree_sites(j) {
            let x = position[site];
            while wi + 1 < w1 && windows[wi + 1] <= x {
                wi += 1;
            }
            let na = allele_weights(ts, site, w, k, &cx.total, &mut aw, &mut alleles, &mut states)?;
            on_site(site, &aw, na, po.row(wi))?;
        }
    }
    Ok(())
}

/// What a lazily flushed per-node accumulation does (node mode, branch AFS).
pub(crate) trait Lazy {
    /// Node `u`'s weights changed (or the piece started): update its summary.
    fn update(&mut self, u: usize, w: &[f64], f: &mut [f64]) -> Result<()>;
    /// Adds node `u`'s current contribution over `at = (from, span)`, the
    /// stretch of the genome of length `span` from `from`, into a window row.
    fn flush(&mut self, u: usize, at: (f64, f64), parent: Id, w: &[f64], f: &[f64], out: &mut [f64]) -> Result<()>;
    /// Size of the per-node summary kept.
    fn f_dim(&self) -> usize;
    /// Whether only nodes with a parent contribute (branch statistics):
    /// then window ends flush only the nodes the piece attached, and
    /// `flush` is never called for a node without a parent.
    fn attached_only(&self) -> bool {
        false
    }
    /// Whether `update` does nothing (then it is never called).
    fn no_update(&self) -> bool {
        false
    }
}

/// Node mode and branch AFS: one piece, each node's contribution added
/// when its weights or parent change and at every window end.
pub(crate) fn lazy_piece<L: Lazy>(
    cx: &Ctx,
    lazy: &mut L,
    po: &mut PieceOut,
    pi: usize,
    s: &mut Scratch,
    cancel: &AtomicBool,
) -> Result<()> {
    match cx.kind {
        CountKind::U16 => lazy_piece_c(cx, lazy, po, pi, &mut s.core, &mut s.w16, cancel),
        CountKind::U32 => lazy_piece_c(cx, lazy, po, pi, &mut s.core, &mut s.w32, cancel),
        CountKind::F64 => lazy_piece_c(cx, lazy, po, pi, &mut s.core, &mut s.w64, cancel),
    }
}

/// Node `u`'s weights as `f64` into `buf`.
#[inline(always)]
fn row_f64<'b, C: Count>(w: &[C], k: usize, u: usize, buf: &'b mut [f64]) -> &'b [f64] {
    for (d, x) in buf.iter_mut().zip(&w[u * k..(u + 1) * k]) {
        *d = x.to_f64();
    }
    buf
}

fn lazy_piece_c<C: Count, L: Lazy>(
    cx: &Ctx,
    lazy: &mut L,
    po: &mut PieceOut,
    pi: usize,
    s: &mut Core,
    w: &mut Vec<C>,
    cancel: &AtomicBool,
) -> Result<()> {
    let piece = &cx.plan.pieces[pi];
    let ts = cx.ts;
    let k = cx.k;
    let n = ts.num_nodes();
    let bp = ts.breakpoints();
    let windows = cx.windows;
    let fd = lazy.f_dim();
    let attached_only = lazy.attached_only();
    let no_update = lazy.no_update();
    cx.start_piece(pi, s, w)?;
    let what = "the statistic's per-node working memory";
    if s.f.len() != n * fd {
        s.f = Vec::new();
        s.f = alloc::zeroed(n.saturating_mul(fd), what)?;
    }
    s.last.clear();
    alloc::reserve_exact(&mut s.last, n, what)?;
    s.last.resize(n, piece.left);
    let mut buf = alloc::zeroed(k, "a node's weights")?;
    if !no_update {
        for u in 0..n {
            lazy.update(u, row_f64(w, k, u, &mut buf), &mut s.f[u * fd..(u + 1) * fd])?;
        }
    }
    let (w0, w1) = piece.windows;
    let mut wi = w0;
    // Adds node u's contribution from its last change to x.
    let mut flush = |s: &mut Core, w: &[C], u: usize, x: f64, wi: usize, lazy: &mut L| -> Result<()> {
        let span = x - s.last[u];
        // A detached node adds nothing when only attached ones contribute.
        if span != 0.0 && !(attached_only && s.parent[u] == NULL) {
            lazy.flush(
                u,
                (s.last[u], span),
                s.parent[u],
                row_f64(w, k, u, &mut buf),
                &s.f[u * fd..(u + 1) * fd],
                po.row(wi),
            )?;
        }
        s.last[u] = x;
        Ok(())
    };
    let mut ubuf = alloc::zeroed(k, "a node's weights")?;
    for j in piece.trees.0..piece.trees.1 {
        let (tl, tr) = (bp[j], bp[j + 1]);
        if j > piece.trees.0 {
            if (j - piece.trees.0) % 64 == 0 {
                check_cancel(cancel)?;
            }
            for (list, add) in [
                (
                    ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize),
                    false,
                ),
                (
                    ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize),
                    true,
                ),
            ] {
                for pc in list {
                    edge_change(cx, s, w, pc, add, |s, w, u, after| {
                        if !after {
                            flush(s, w, u, tl, wi, lazy)
                        } else if no_update {
                            Ok(())
                        } else {
                            lazy.update(u, row_f64(w, k, u, &mut ubuf), &mut s.f[u * fd..(u + 1) * fd])
                        }
                    })?;
                }
            }
        }
        while wi < w1 && windows[wi + 1] <= tr {
            let x = windows[wi + 1];
            if attached_only {
                for i in 0..s.touched.len() {
                    let u = s.touched[i] as usize;
                    if s.parent[u] != NULL {
                        flush(s, w, u, x, wi, lazy)?;
                    }
                }
            } else {
                for u in 0..n {
                    flush(s, w, u, x, wi, lazy)?;
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
                    flush(s, w, u, piece.right, wi, lazy)?;
                }
            }
        } else {
            for u in 0..n {
                flush(s, w, u, piece.right, wi, lazy)?;
            }
        }
    }
    Ok(())
}

/// Node mode's per-node summary.
pub(crate) struct NodeLazy<'a> {
    pub ev: Eval<'a>,
    pub m: usize,
}

impl Lazy for NodeLazy<'_> {
    fn f_dim(&self) -> usize {
        self.m
    }
    fn update(&mut self, _u: usize, w: &[f64], f: &mut [f64]) -> Result<()> {
        self.ev.eval(w, f)
    }
    fn flush(&mut self, u: usize, (_, span): (f64, f64), _: Id, _: &[f64], f: &[f64], out: &mut [f64]) -> Result<()> {
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
    /// Per result, where the first branch whose summary is not finite
    /// starts (+inf: none); see [`poison`].
    pub poisoned_from: Vec<f64>,
}

impl<'a> BranchLazy<'a> {
    pub fn new(ev: Eval<'a>, time: &'a [f64], m: usize) -> Result<Self> {
        Ok(BranchLazy {
            ev,
            time,
            tmp: crate::alloc::zeroed(m, "a summary's result row")?,
            poisoned_from: crate::alloc::filled(m, f64::INFINITY, "a summary's NaN positions")?,
        })
    }
}

impl Lazy for BranchLazy<'_> {
    fn f_dim(&self) -> usize {
        0
    }
    fn attached_only(&self) -> bool {
        true
    }
    fn no_update(&self) -> bool {
        true
    }
    fn update(&mut self, _u: usize, _w: &[f64], _f: &mut [f64]) -> Result<()> {
        Ok(())
    }
    fn flush(
        &mut self,
        u: usize,
        (from, span): (f64, f64),
        parent: Id,
        w: &[f64],
        _: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        if parent == NULL {
            return Ok(());
        }
        let b = self.time[parent as usize] - self.time[u];
        self.ev.eval(w, &mut self.tmp)?;
        // x * 0 is ±0 for every finite x, NaN otherwise.
        if self.tmp.iter().fold(0.0, |a, &x| a + x * 0.0) != 0.0 {
            for (p, x) in self.poisoned_from.iter_mut().zip(&self.tmp) {
                if !x.is_finite() {
                    *p = p.min(from);
                }
            }
        }
        add_row(out, &self.tmp, span * b);
        Ok(())
    }
}

/// tskit's branch statistics keep one running sum of every branch's
/// summary times its length, from the first edge to the end of the
/// genome: once a summary that is not finite (NaN: a one-sample set's
/// diversity, say) enters it, the sum and every window from there on are
/// NaN, stretches without edges included. Sets result `r` of every window
/// that ends after `poisoned_from[r]` to NaN (`out` is `[window][result]`).
pub(crate) fn poison(windows: &[f64], poisoned_from: &[f64], out: &mut [f64]) {
    let m = poisoned_from.len();
    for (r, &from) in poisoned_from.iter().enumerate() {
        if from.is_finite() {
            for (j, row) in out.chunks_exact_mut(m).enumerate() {
                if windows[j + 1] > from {
                    row[r] = f64::NAN;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{afs, matrix, opt, summary, SampleSets};

    #[test]
    fn count_kinds() {
        assert_eq!(narrowest_count_kind(&[0.0, 1.0, 2.0, 3.0], 2), CountKind::U16);
        assert_eq!(narrowest_count_kind(&[40000.0, 1.0, 30000.0, 3.0], 2), CountKind::U32);
        assert_eq!(narrowest_count_kind(&[0.5, 1.0], 2), CountKind::F64);
        assert_eq!(narrowest_count_kind(&[-1.0, 1.0], 2), CountKind::F64);
        assert_eq!(narrowest_count_kind(&[-0.0, 1.0], 2), CountKind::F64);
        assert_eq!(narrowest_count_kind(&[f64::NAN, 1.0], 2), CountKind::F64);
        assert_eq!(narrowest_count_kind(&[4e9, 1.0, 4e9, 1.0], 2), CountKind::F64);
    }

    /// u16, u32 and f64 node weights give the same bits.
    #[test]
    fn every_count_type_gives_the_same_bits() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees");
        let ts = TreeSequence::new(crate::io::trees::load(&path, 0).unwrap(), 0).unwrap();
        let ns = ts.samples().len();
        let sizes = [5u64, 7, 1];
        let ids: Vec<Id> = ts.samples()[..13].to_vec();
        let s = SampleSets::new(&sizes, &ids);
        let l = ts.sequence_length();
        let windows = [0.0, l * 0.3, l * 0.31, l];
        let trait_w: Vec<f64> = (0..ns * 2).map(|i| (i % 5) as f64).collect();
        let run = |mode: u32, w: Option<&[f64]>| -> Vec<Vec<f64>> {
            let mut e = Exec::with_threads(2);
            e.piece_work = 30;
            let mut out = vec![
                summary::diversity(&ts, s, w, mode, &mut e).unwrap(),
                summary::divergence(&ts, s, &[0, 1, 2, 2, 1, 1], w, mode, &mut e).unwrap(),
                summary::fst(&ts, s, &[0, 1, 0, 2], w, mode, &mut e).unwrap(),
                summary::f4(&ts, s, &[0, 1, 2, 0], w, mode, &mut e).unwrap(),
                summary::trait_covariance(&ts, &trait_w, 2, w, mode, &mut e).unwrap(),
            ];
            if mode & opt::NODE == 0 {
                out.push(afs::allele_frequency_spectrum(&ts, s, w, mode, &mut e).unwrap());
                out.push(matrix::divergence_matrix(&ts, s, w, mode & !opt::POLARISED, &mut e).unwrap());
            }
            out
        };
        for mode in [opt::SITE, opt::BRANCH, opt::NODE, opt::SITE | opt::POLARISED] {
            for w in [None, Some(&windows[..])] {
                FORCE_WIDER.store(0, Ordering::Relaxed);
                let base = run(mode, w);
                for force in [1, 2] {
                    FORCE_WIDER.store(force, Ordering::Relaxed);
                    let other = run(mode, w);
                    FORCE_WIDER.store(0, Ordering::Relaxed);
                    for (a, b) in base.iter().zip(&other) {
                        assert_eq!(a.len(), b.len());
                        for (x, y) in a.iter().zip(b) {
                            assert_eq!(x.to_bits(), y.to_bits(), "mode {mode} force {force}: {x} vs {y}");
                        }
                    }
                }
            }
        }
    }
}
