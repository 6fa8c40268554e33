//! Pair coalescence counts (tskit's `pair_coalescence_counts`): for each
//! pair of sample sets, the number of sample pairs whose most recent
//! common ancestor is each node, weighted by the span of the genome where
//! that is so, per window, summed into bins of nodes (tskit's node bin map:
//! each node's time window, or the node itself).
//!
//! The pairs coalescing at node u are P(u) - Σ_children P(c), P(v) being
//! the pairs with both samples below v (n_i n_j, or n_i (n_i - 1) / 2
//! within one set). These are whole numbers, kept exactly per node and
//! updated on the path above every edge that changes; a node's count times
//! the span since its last change is added when it changes and at window
//! ends. The genome is cut into pieces at tree boundaries that do not
//! depend on the thread count and the pieces' partial sums are added in
//! piece order, so the result is the same bits for every thread count.

use std::sync::atomic::{AtomicBool, Ordering};

use super::engine::{plan, run_windows, PieceOut};
use super::{check_indexes, opt, windows_of, Exec, SampleSets};
use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

/// Divide each index's counts by its number of pairs (tspar's option bit,
/// for tskit's `pair_normalise=True`).
pub const PAIR_NORMALISE: u32 = 1 << 21;

/// What each node's record starts with; its `k` sample counts and `m`
/// pair counts follow in `State::vals`. A node's whole state sits in two
/// places (this header and one run of values), so that the walk up a
/// path costs few cache misses.
#[derive(Clone, Copy)]
struct Head {
    parent: Id,
    /// The node's bin, or `NULL`.
    bin: Id,
    /// Where its counts were last added to the output.
    last: f64,
    /// Its time less the start of its bin (rates only).
    time: f64,
}

struct State {
    head: Vec<Head>,
    /// Per node: samples of each set below it (`k`), then the pairs
    /// coalescing at it (`m`).
    vals: Vec<f64>,
}

struct Cx<'a> {
    k: usize,
    pairs: &'a [(usize, usize)],
    num_bins: usize,
    /// Per node, its time less the start of its bin, when each bin also
    /// sums count × that (then a bin's values are [count, count × time]).
    time: Option<&'a [f64]>,
}

impl Cx<'_> {
    #[inline]
    fn stride(&self) -> usize {
        self.k + self.pairs.len()
    }

    /// The pairs with both samples among `b` (a node's counts per set).
    #[inline]
    fn pairs_of(&self, b: &[f64], out: &mut [f64]) {
        for (o, &(i, j)) in out.iter_mut().zip(self.pairs) {
            *o = if i == j { b[i] * (b[i] - 1.0) / 2.0 } else { b[i] * b[j] };
        }
    }

    /// Adds node `v`'s counts times the span since its last change to
    /// `row`, and marks it current at `x`.
    #[inline]
    fn flush(&self, s: &mut State, v: usize, x: f64, row: &mut [f64]) {
        let h = &mut s.head[v];
        let span = x - h.last;
        h.last = x;
        if span == 0.0 || h.bin == NULL {
            return;
        }
        let (bin, t) = (h.bin as usize, h.time);
        let st = self.stride();
        let coal = &s.vals[v * st + self.k..(v + 1) * st];
        if self.time.is_none() {
            for (ii, &c) in coal.iter().enumerate() {
                if c != 0.0 {
                    row[ii * self.num_bins + bin] += c * span;
                }
            }
        } else {
            // The time past the start of the node's bin (exactly 0 for a
            // node at the start).
            for (ii, &c) in coal.iter().enumerate() {
                if c != 0.0 {
                    let at = 2 * (ii * self.num_bins + bin);
                    row[at] += c * span;
                    row[at + 1] += c * span * t;
                }
            }
        }
    }

    /// Builds the tree of the edges `order` in a fresh state, without
    /// adding to the output: parents, then the samples below each node
    /// (children before parents, by the parents' times), then the pairs
    /// coalescing at each node, P(v) - Σ_children P(c).
    /// `alive` holds the edges' (parent time, parent, child), with the
    /// piece's node ids.
    fn start(&self, s: &mut State, mut order: Vec<(f64, Id, Id)>) -> Result<()> {
        let (k, m, st) = (self.k, self.pairs.len(), self.stride());
        order.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        let mut pairs = vec![0.0; m];
        for &(_, p, c) in &order {
            let (p, c) = (p as usize, c as usize);
            s.head[c].parent = p as Id;
            for j in 0..k {
                s.vals[p * st + j] += s.vals[c * st + j];
            }
        }
        for &(_, p, c) in &order {
            let (p, c) = (p as usize, c as usize);
            self.pairs_of(&s.vals[c * st..c * st + k], &mut pairs);
            for (cv, x) in s.vals[p * st + k..(p + 1) * st].iter_mut().zip(&pairs) {
                *cv -= x;
            }
        }
        let mut last = NULL;
        for &(_, p, _) in &order {
            if p == last {
                continue;
            }
            last = p;
            let p = p as usize;
            let (b, coal) = s.vals[p * st..(p + 1) * st].split_at_mut(k);
            self.pairs_of(b, &mut pairs);
            for (cv, x) in coal.iter_mut().zip(&pairs) {
                *cv += x;
            }
        }
        Ok(())
    }

    /// Puts in (`sign` 1) or takes out (-1) the edge `p -> c` at `x`, in
    /// one walk up from `p`: each node on the path is brought up to `x`,
    /// then gains (loses) `c`'s samples; the pairs that this adds at a
    /// node are taken from its parent's coalescing pairs on the next step.
    /// `e` and `carry` are scratch of `k` and `m` values.
    #[allow(clippy::too_many_arguments)]
    fn edge(
        &self,
        s: &mut State,
        (p, c): (Id, Id),
        sign: f64,
        x: f64,
        row: &mut [f64],
        e: &mut [f64],
        carry: &mut [f64],
    ) {
        let (k, st) = (self.k, self.stride());
        let c = c as usize;
        if sign < 0.0 {
            s.head[c].parent = NULL;
        }
        for (ej, &d) in e.iter_mut().zip(&s.vals[c * st..c * st + k]) {
            *ej = sign * d;
        }
        // c's own pairs stop (start) being pairs of a child of p.
        self.pairs_of(&s.vals[c * st..c * st + k], carry);
        for x in carry.iter_mut() {
            *x *= sign;
        }
        let mut v = p;
        while v != NULL {
            let vu = v as usize;
            self.flush(s, vu, x, row);
            let (b, coal) = s.vals[vu * st..(vu + 1) * st].split_at_mut(k);
            for ((cv, cr), &(i, j)) in coal.iter_mut().zip(carry.iter_mut()).zip(self.pairs) {
                // The change in pairs below v: exact in whole numbers.
                let d = if i == j {
                    e[i] * (2.0 * b[i] + e[i] - 1.0) / 2.0
                } else {
                    b[i] * e[j] + e[i] * b[j] + e[i] * e[j]
                };
                *cv += d - *cr;
                *cr = d;
            }
            for (bj, &ej) in b.iter_mut().zip(e.iter()) {
                *bj += ej;
            }
            v = s.head[vu].parent;
        }
        if sign > 0.0 {
            s.head[c].parent = p;
        }
    }
}

/// The number of values: windows × indexes × bins.
pub fn counts_len(num_windows: usize, num_indexes: usize, num_bins: usize) -> usize {
    num_windows
        .checked_mul(num_indexes)
        .and_then(|x| x.checked_mul(num_bins))
        .unwrap_or(usize::MAX)
}

/// The checked arguments of the pair coalescence statistics.
struct Args<'a> {
    sets: Vec<&'a [Id]>,
    pairs: Vec<(usize, usize)>,
    windows: Vec<f64>,
    bins: std::borrow::Cow<'a, [Id]>,
    num_bins: usize,
}

fn check_args<'a>(
    ts: &TreeSequence,
    sets: SampleSets<'a>,
    indexes: &[Id],
    windows: Option<&[f64]>,
    node_bin_map: Option<&'a [Id]>,
    num_bins: usize,
) -> Result<Args<'a>> {
    let windows = windows_of(ts, windows)?;
    let checked = sets.check(ts)?;
    // As tskit: a sample in two sets is a duplicate.
    sets.check_disjoint(ts)?;
    let k = checked.len();
    check_indexes(k, 2, indexes)?;
    let pairs: Vec<(usize, usize)> = alloc::collect(
        indexes.chunks_exact(2).map(|p| (p[0] as usize, p[1] as usize)),
        "the index pairs",
    )?;
    let nn = ts.num_nodes();
    let (bins, num_bins) = match node_bin_map {
        None => (
            std::borrow::Cow::Owned(alloc::collect(0..nn as Id, "the node bins")?),
            nn,
        ),
        Some(map) => {
            if map.len() != nn {
                fail!(Error::BadNodeBinMap, "{} bins given for {nn} nodes", map.len());
            }
            if let Some((u, &b)) = map
                .iter()
                .enumerate()
                .find(|(_, &b)| b < NULL || (b != NULL && b as usize >= num_bins))
            {
                fail!(
                    Error::BadNodeBinMap,
                    "node {u} is in bin {b}; there are {num_bins} bins"
                );
            }
            (std::borrow::Cow::Borrowed(map), num_bins)
        }
    };
    Ok(Args {
        sets: checked,
        pairs,
        windows,
        bins,
        num_bins,
    })
}

/// tskit's `pair_coalescence_counts` with its node bin map (`None`: every
/// node its own bin), `[window][index][bin]`, into `buffer(len)`.
#[allow(clippy::too_many_arguments)]
pub fn pair_coalescence_counts_into<'o>(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    node_bin_map: Option<&[Id]>,
    num_bins: usize,
    options: u32,
    exec: &mut Exec,
    buffer: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    let allowed = opt::SPAN_NORMALISE | PAIR_NORMALISE;
    if options & !allowed != 0 {
        fail!(Error::BadOptions, "pair coalescence counts: {:#x}", options & !allowed);
    }
    let a = check_args(ts, sets, indexes, windows, node_bin_map, num_bins)?;
    let (windows, pairs, num_bins) = (&a.windows, &a.pairs, a.num_bins);
    let ni = pairs.len();
    let nw = windows.len() - 1;
    let row = ni.saturating_mul(num_bins);
    let len = counts_len(nw, ni, num_bins);
    let out = buffer(len)?;
    if out.len() < len {
        fail!(Error::Internal, "result buffer of {} values, {len} needed", out.len());
    }
    let out = &mut out[..len];
    accumulate(ts, &a, None, exec, out)?;
    let bp = ts.breakpoints();
    if options & opt::SPAN_NORMALISE != 0 {
        // The span of each window where the tree has edges (not missing).
        let mut span = alloc::zeroed(nw, "the windows' spans")?;
        let mut wi = 0;
        for j in 0..ts.num_trees() {
            if ts.insertion_at[j] == ts.removal_at[j] {
                continue;
            }
            let (tl, tr) = (bp[j], bp[j + 1]);
            while windows[wi + 1] <= tl {
                wi += 1;
            }
            let mut w = wi;
            while w < nw && windows[w] < tr {
                span[w] += tr.min(windows[w + 1]) - tl.max(windows[w]);
                w += 1;
            }
        }
        for (chunk, sp) in out.chunks_mut(row.max(1)).zip(&span) {
            for x in chunk {
                *x /= sp;
            }
        }
    }
    if options & PAIR_NORMALISE != 0 {
        let n: Vec<f64> = a.sets.iter().map(|x| x.len() as f64).collect();
        for chunk in out.chunks_mut(row.max(1)) {
            for (ii, &(i, j)) in pairs.iter().enumerate() {
                let total = if i == j { n[i] * (n[i] - 1.0) / 2.0 } else { n[i] * n[j] };
                for x in &mut chunk[ii * num_bins..(ii + 1) * num_bins] {
                    *x /= total;
                }
            }
        }
    }
    Ok(())
}

/// Adds the pairs coalescing in each bin (with `time`: [count, count × time]
/// per bin) per window into `out` (`[window][index][bin]`, zeroed here),
/// not normalised.
fn accumulate(ts: &TreeSequence, a: &Args, time: Option<&[f64]>, exec: &mut Exec, out: &mut [f64]) -> Result<()> {
    let k = a.sets.len();
    let m = a.pairs.len();
    let nn = ts.num_nodes();
    let width = if time.is_some() { 2 } else { 1 };
    let row = m.saturating_mul(a.num_bins).saturating_mul(width);
    let cx = Cx {
        k,
        pairs: &a.pairs,
        num_bins: a.num_bins,
        time,
    };
    let windows = &a.windows;
    let st = k + m;
    // The set of each sample (the sets are disjoint).
    let mut member: Vec<Option<usize>> = alloc::filled(nn, None, "the sample sets' members")?;
    for (j, set) in a.sets.iter().enumerate() {
        for &u in *set {
            member[u as usize] = Some(j);
        }
    }
    let edges = &ts.tables().edges;
    // Each piece holds a row per window it overlaps.
    // Each piece sets up per-node state for every node: pieces are made
    // larger than the engine's (a property of the call, not of the threads).
    let max_pieces = exec.max_pieces.min(((1usize << 24) / row.max(1)).max(1)).min(64);
    let pl = plan(ts, windows, exec.piece_work.saturating_mul(8), max_pieces)?;
    let bp = ts.breakpoints();
    run_windows(
        exec,
        &pl.pieces,
        row,
        out,
        |pi, _, cancel: &AtomicBool, po: &mut PieceOut| {
            let piece = &pl.pieces[pi];
            let what = "the pair coalescence state";
            // The piece's nodes get ids of their own, 0.. in order of first
            // appearance: the walks then stay in a small, dense state.
            let mut local = alloc::filled(nn, NULL, what)?;
            let mut nodes: Vec<Id> = Vec::new();
            let mut see = |u: Id, nodes: &mut Vec<Id>| -> Result<Id> {
                let l = &mut local[u as usize];
                if *l == NULL {
                    *l = nodes.len() as Id;
                    alloc::push(nodes, u, what)?;
                }
                Ok(*l)
            };
            let time_of = &ts.tables().nodes.time;
            let mut first: Vec<(f64, Id, Id)> = alloc::with_capacity(pl.alive[pi].len(), what)?;
            for &id in &pl.alive[pi] {
                let (p, c) = (edges.parent[id as usize], edges.child[id as usize]);
                let t = time_of[p as usize];
                first.push((t, see(p, &mut nodes)?, see(c, &mut nodes)?));
            }
            let (t0, t1) = piece.trees;
            let later = if t1 > t0 + 1 {
                ts.insertion_run(ts.insertion_at[t0] as usize, ts.insertion_at[t1 - 1] as usize)
            } else {
                ts.insertion_run(0, 0)
            };
            for (p, c) in later {
                see(p, &mut nodes)?;
                see(c, &mut nodes)?;
            }
            // Each node: no parent, its bin, its samples per set, no pairs.
            let mut s = State {
                head: alloc::collect(
                    nodes.iter().map(|&u| Head {
                        parent: NULL,
                        bin: a.bins[u as usize],
                        last: piece.left,
                        time: time.map_or(0.0, |t| t[u as usize]),
                    }),
                    what,
                )?,
                vals: alloc::zeroed(nodes.len().saturating_mul(st), what)?,
            };
            for (l, &u) in nodes.iter().enumerate() {
                if let Some(j) = member[u as usize] {
                    s.vals[l * st + j] = 1.0;
                }
            }
            let (w0, w1) = piece.windows;
            let mut wi = w0;
            cx.start(&mut s, first)?;
            let at = |(p, c): (Id, Id)| (local[p as usize], local[c as usize]);
            let mut e = vec![0.0; k];
            let mut carry = vec![0.0; m];
            for j in piece.trees.0..piece.trees.1 {
                let (tl, tr) = (bp[j], bp[j + 1]);
                if j > piece.trees.0 {
                    if (j - piece.trees.0) % 64 == 0 && cancel.load(Ordering::Relaxed) {
                        fail!(Error::Cancelled, "cancelled");
                    }
                    let out_edges = ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize);
                    let in_edges = ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize);
                    for pc in out_edges {
                        cx.edge(&mut s, at(pc), -1.0, tl, po.row(wi), &mut e, &mut carry);
                    }
                    for pc in in_edges {
                        cx.edge(&mut s, at(pc), 1.0, tl, po.row(wi), &mut e, &mut carry);
                    }
                }
                while wi < w1 && windows[wi + 1] <= tr {
                    let x = windows[wi + 1];
                    let r = po.row(wi);
                    for u in 0..nodes.len() {
                        cx.flush(&mut s, u, x, r);
                    }
                    wi += 1;
                }
            }
            if wi < w1 {
                let r = po.row(wi);
                for u in 0..nodes.len() {
                    cx.flush(&mut s, u, piece.right, r);
                }
            }
            Ok(())
        },
    )
}

/// tskit's `pair_coalescence_quantiles`: bins must be ordered by node time
/// (tskit's Python puts each distinct time in its own bin); for each
/// window and index, the time of the first bin whose share of the pairs
/// reaches each quantile (numpy's "inverted_cdf"). `[window][index][quantile]`.
#[allow(clippy::too_many_arguments)]
pub fn pair_coalescence_quantiles_into<'o>(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    node_bin_map: &[Id],
    num_bins: usize,
    quantiles: &[f64],
    options: u32,
    exec: &mut Exec,
    buffer: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    check_time_options(ts, options, "pair coalescence quantiles")?;
    let a = check_args(ts, sets, indexes, windows, Some(node_bin_map), num_bins)?;
    for (j, q) in quantiles.iter().enumerate() {
        if !(0.0..=1.0).contains(q) || (j > 0 && quantiles[j - 1] >= *q) {
            fail!(
                Error::BadQuantiles,
                "quantile {j} is {q}: quantiles must increase within [0, 1]"
            );
        }
    }
    let bin_time = bin_times(ts, node_bin_map, num_bins)?;
    let (nw, m, nq) = (a.windows.len() - 1, a.pairs.len(), quantiles.len());
    let len = counts_len(nw, m, nq);
    let out = buffer(len)?;
    if out.len() < len {
        fail!(Error::Internal, "result buffer of {} values, {len} needed", out.len());
    }
    let mut counts = alloc::zeroed(counts_len(nw, m, num_bins), "the pair counts")?;
    accumulate(ts, &a, None, exec, &mut counts)?;
    for (cell, dst) in counts.chunks(num_bins.max(1)).zip(out.chunks_mut(nq.max(1))) {
        let total: f64 = cell.iter().sum();
        let mut b = 0;
        let mut cum = 0.0;
        for (q, d) in quantiles.iter().zip(dst.iter_mut()) {
            while b < num_bins && (cum + cell[b]) / total < *q {
                cum += cell[b];
                b += 1;
            }
            // Skip bins without pairs: the quantile is a time where pairs coalesce.
            while b < num_bins && cell[b] == 0.0 {
                b += 1;
            }
            *d = if total > 0.0 && b < num_bins {
                bin_time[b]
            } else {
                f64::NAN
            };
        }
    }
    Ok(())
}

/// Quantiles and rates read node times as times: as tskit, they refuse a
/// tree sequence whose time units are "uncalibrated" unless
/// `ALLOW_TIME_UNCALIBRATED` is given, the only option they take.
fn check_time_options(ts: &TreeSequence, options: u32, what: &str) -> Result<()> {
    if options & !opt::ALLOW_TIME_UNCALIBRATED != 0 {
        fail!(
            Error::BadOptions,
            "{what}: {:#x}",
            options & !opt::ALLOW_TIME_UNCALIBRATED
        );
    }
    super::check_time_calibrated(ts, super::Mode::Branch, options)
}

/// Each bin's node time (all nodes in a bin must share it), increasing.
fn bin_times(ts: &TreeSequence, map: &[Id], num_bins: usize) -> Result<Vec<f64>> {
    let time = &ts.tables().nodes.time;
    let mut bt = alloc::filled(num_bins, f64::NAN, "the bins' times")?;
    for (u, &b) in map.iter().enumerate() {
        if b == NULL {
            continue;
        }
        let t = &mut bt[b as usize];
        if t.is_nan() {
            *t = time[u];
        } else if *t != time[u] {
            fail!(
                Error::BadNodeBinMap,
                "bin {b} holds nodes of times {} and {}",
                *t,
                time[u]
            );
        }
    }
    Ok(bt)
}

/// tskit's `pair_coalescence_rates` over `time_windows` (`num_bins + 1`
/// breakpoints, the last infinite; the bins are the nodes' time windows):
/// from the empirical distribution of pair coalescence times, -log(1 -
/// (F(b) - F(a)) / (1 - F(a))) / (b - a) in [a, b); in the window where
/// the last pair coalesces, 1 / (E[t | t > a] - a); NaN once every pair
/// has coalesced. `[window][index][time window]`.
#[allow(clippy::too_many_arguments)]
pub fn pair_coalescence_rates_into<'o>(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    node_bin_map: &[Id],
    time_windows: &[f64],
    options: u32,
    exec: &mut Exec,
    buffer: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    check_time_options(ts, options, "pair coalescence rates")?;
    if time_windows.len() < 2 {
        fail!(Error::BadTimeWindows, "at least two time breakpoints are needed");
    }
    for j in 1..time_windows.len() {
        if time_windows[j - 1].partial_cmp(&time_windows[j]) != Some(std::cmp::Ordering::Less) {
            fail!(Error::BadTimeWindows, "time breakpoint {j} does not increase");
        }
    }
    let nb = time_windows.len() - 1;
    let a = check_args(ts, sets, indexes, windows, Some(node_bin_map), nb)?;
    let time = &ts.tables().nodes.time;
    for set in &a.sets {
        for &u in *set {
            if time[u as usize] != time_windows[0] {
                fail!(
                    Error::BadSamplePairTimes,
                    "sample {u} has time {}; the first time window starts at {}",
                    time[u as usize],
                    time_windows[0]
                );
            }
        }
    }
    let (nw, m) = (a.windows.len() - 1, a.pairs.len());
    let len = counts_len(nw, m, nb);
    let out = buffer(len)?;
    if out.len() < len {
        fail!(Error::Internal, "result buffer of {} values, {len} needed", out.len());
    }
    let mut sums = alloc::zeroed(counts_len(nw, m, nb).saturating_mul(2), "the pair counts")?;
    let rel: Vec<f64> = alloc::collect(
        (0..ts.num_nodes()).map(|u| match a.bins[u] {
            NULL => 0.0,
            b => time[u] - time_windows[b as usize],
        }),
        "the nodes' times",
    )?;
    accumulate(ts, &a, Some(&rel), exec, &mut sums)?;
    for (cell, dst) in sums.chunks(2 * nb).zip(out.chunks_mut(nb)) {
        let total: f64 = cell.iter().step_by(2).sum();
        // Pairs not yet coalesced at the start of each time window.
        let mut left = total;
        for (i, d) in dst.iter_mut().enumerate() {
            let (t0, t1) = (time_windows[i], time_windows[i + 1]);
            let w = cell[2 * i];
            let after = left - w;
            *d = if left <= 0.0 || total <= 0.0 {
                f64::NAN
            } else if after <= 0.0 || t1.is_infinite() {
                // The last pairs coalesce here: one over their mean wait.
                // (Times are kept relative to each bin's start, so that a
                // node at the start of the window waits exactly 0.)
                let (mut cw, mut ct) = (0.0, 0.0);
                for j in i..nb {
                    cw += cell[2 * j];
                    ct += cell[2 * j + 1] + cell[2 * j] * (time_windows[j] - t0);
                }
                1.0 / (ct / cw)
            } else {
                -(after / left).ln() / (t1 - t0)
            };
            left = after;
        }
    }
    Ok(())
}
