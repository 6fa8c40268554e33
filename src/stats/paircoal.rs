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

struct State {
    parent: Vec<Id>,
    /// Samples of each set below each node (`k` per node).
    below: Vec<f64>,
    /// Pairs coalescing at each node (`m` per node).
    coal: Vec<f64>,
    last: Vec<f64>,
}

struct Cx<'a> {
    k: usize,
    pairs: &'a [(usize, usize)],
    bins: &'a [Id],
    num_bins: usize,
    /// Per node, its time less the start of its bin, when each bin also
    /// sums count × that (then a bin's values are [count, count × time]).
    time: Option<&'a [f64]>,
}

impl Cx<'_> {
    #[inline]
    fn pairs_below(&self, s: &State, v: usize, out: &mut [f64]) {
        let b = &s.below[v * self.k..(v + 1) * self.k];
        for (o, &(i, j)) in out.iter_mut().zip(self.pairs) {
            *o = if i == j { b[i] * (b[i] - 1.0) / 2.0 } else { b[i] * b[j] };
        }
    }

    #[inline]
    fn flush(&self, s: &mut State, v: usize, x: f64, row: &mut [f64]) {
        let span = x - s.last[v];
        s.last[v] = x;
        let bin = self.bins[v];
        if span == 0.0 || bin == NULL {
            return;
        }
        let m = self.pairs.len();
        match self.time {
            None => {
                for (ii, &c) in s.coal[v * m..(v + 1) * m].iter().enumerate() {
                    if c != 0.0 {
                        row[ii * self.num_bins + bin as usize] += c * span;
                    }
                }
            }
            Some(time) => {
                // The time past the start of the node's bin (exactly 0
                // for a node at the start).
                let t = time[v];
                for (ii, &c) in s.coal[v * m..(v + 1) * m].iter().enumerate() {
                    if c != 0.0 {
                        let at = 2 * (ii * self.num_bins + bin as usize);
                        row[at] += c * span;
                        row[at + 1] += c * span * t;
                    }
                }
            }
        }
    }

    /// Puts in (`sign` 1) or takes out (-1) the edge `p -> c` at `x`.
    #[allow(clippy::too_many_arguments)]
    fn edge(
        &self,
        s: &mut State,
        (p, c): (Id, Id),
        sign: f64,
        x: f64,
        row: &mut [f64],
        old: &mut [f64],
        new: &mut [f64],
    ) {
        let (k, m) = (self.k, self.pairs.len());
        let c = c as usize;
        if sign < 0.0 {
            s.parent[c] = NULL;
        }
        // c's own pairs stop (start) being pairs of a child of p.
        self.pairs_below(s, c, new);
        let mut v = p;
        while v != NULL {
            self.flush(s, v as usize, x, row);
            v = s.parent[v as usize];
        }
        let pu = p as usize;
        for (cv, n) in s.coal[pu * m..(pu + 1) * m].iter_mut().zip(new.iter()) {
            *cv -= sign * n;
        }
        let mut v = p;
        while v != NULL {
            let vu = v as usize;
            self.pairs_below(s, vu, old);
            for j in 0..k {
                let d = s.below[c * k + j];
                s.below[vu * k + j] += sign * d;
            }
            self.pairs_below(s, vu, new);
            let up = s.parent[vu];
            for ii in 0..m {
                let d = new[ii] - old[ii];
                s.coal[vu * m + ii] += d;
                if up != NULL {
                    s.coal[up as usize * m + ii] -= d;
                }
            }
            v = up;
        }
        if sign > 0.0 {
            s.parent[c] = p;
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
        bins: &a.bins,
        num_bins: a.num_bins,
        time,
    };
    let windows = &a.windows;
    let mut start_below = alloc::zeroed(nn.saturating_mul(k), "the samples below each node")?;
    for (j, set) in a.sets.iter().enumerate() {
        for &u in *set {
            start_below[u as usize * k + j] = 1.0;
        }
    }
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
            let mut s = State {
                parent: alloc::filled(nn, NULL, what)?,
                below: alloc::copy(&start_below, what)?,
                coal: alloc::zeroed(nn.saturating_mul(m), what)?,
                last: alloc::filled(nn, piece.left, what)?,
            };
            let mut old = vec![0.0; m];
            let mut new = vec![0.0; m];
            let (w0, w1) = piece.windows;
            let mut wi = w0;
            let e = &ts.tables().edges;
            for &id in &pl.alive[pi] {
                let pc = (e.parent[id as usize], e.child[id as usize]);
                cx.edge(&mut s, pc, 1.0, piece.left, po.row(wi), &mut old, &mut new);
            }
            for j in piece.trees.0..piece.trees.1 {
                let (tl, tr) = (bp[j], bp[j + 1]);
                if j > piece.trees.0 {
                    if (j - piece.trees.0) % 64 == 0 && cancel.load(Ordering::Relaxed) {
                        fail!(Error::Cancelled, "cancelled");
                    }
                    let out_edges = ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize);
                    let in_edges = ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize);
                    for pc in out_edges {
                        cx.edge(&mut s, pc, -1.0, tl, po.row(wi), &mut old, &mut new);
                    }
                    for pc in in_edges {
                        cx.edge(&mut s, pc, 1.0, tl, po.row(wi), &mut old, &mut new);
                    }
                }
                while wi < w1 && windows[wi + 1] <= tr {
                    let x = windows[wi + 1];
                    let r = po.row(wi);
                    for u in 0..nn {
                        cx.flush(&mut s, u, x, r);
                    }
                    wi += 1;
                }
            }
            if wi < w1 {
                let r = po.row(wi);
                for u in 0..nn {
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
    exec: &mut Exec,
    buffer: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
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
    exec: &mut Exec,
    buffer: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
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
