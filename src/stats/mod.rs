//! Sample-set statistics with tskit's meaning: one general engine over
//! sample weights ([`engine`]) that each statistic plugs a small summary
//! function into, the allele frequency spectrum, and divergence and
//! relatedness matrices. Every statistic runs on the pieces of the genome in
//! parallel and gives the same bits for every thread count.

pub mod afs;
pub mod call;
pub(crate) mod divmat;
pub mod engine;
pub mod matrix;
pub mod nodes;
pub mod paircoal;
pub mod parts;
pub mod pca;
pub mod relvec;
pub mod summary;
pub mod twolocus;

pub use engine::{Mode, Summary};

use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::tables::Id;
use crate::treeseq::TreeSequence;

/// Option bits, with tskit's values.
pub mod opt {
    pub const SITE: u32 = 1 << 0;
    pub const BRANCH: u32 = 1 << 1;
    pub const NODE: u32 = 1 << 2;
    pub const POLARISED: u32 = 1 << 10;
    pub const SPAN_NORMALISE: u32 = 1 << 11;
    pub const ALLOW_TIME_UNCALIBRATED: u32 = 1 << 12;
    pub const NONCENTRED: u32 = 1 << 14;
    /// tspar's own: genetic relatedness divided by the segregating sites of
    /// the union of the sample sets (tskit Python's `proportion=True`).
    pub const PROPORTION: u32 = 1 << 20;
    pub const ALL: u32 =
        SITE | BRANCH | NODE | POLARISED | SPAN_NORMALISE | ALLOW_TIME_UNCALIBRATED | NONCENTRED | PROPORTION;
}

/// How a statistic runs: threads, progress, and the size of the pieces of
/// work (a property of the call, never of the thread count).
pub struct Exec<'a> {
    /// 1: everything on the calling thread.
    pub threads: usize,
    /// Called on the calling thread with the fraction done; returning true
    /// cancels the call (`Error::Cancelled`).
    pub progress: Option<&'a mut dyn FnMut(f64) -> bool>,
    /// Work units (edge changes plus sites) per piece of the genome.
    pub piece_work: u64,
    /// At most this many pieces.
    pub max_pieces: usize,
    /// Set when the call counts, computes or combines parts instead of
    /// running whole (see [`parts`]).
    pub(crate) parts: Option<parts::Ctl>,
}

/// Work units per piece unless the caller says otherwise.
pub(crate) const DEFAULT_PIECE_WORK: u64 = 1 << 18;
/// At most this many pieces unless the caller says otherwise.
pub(crate) const DEFAULT_MAX_PIECES: usize = 256;

impl Exec<'_> {
    pub fn with_threads(threads: usize) -> Self {
        Exec {
            threads: threads.clamp(1, crate::parallel::MAX_THREADS),
            progress: None,
            piece_work: DEFAULT_PIECE_WORK,
            max_pieces: DEFAULT_MAX_PIECES,
            parts: None,
        }
    }
}

impl Default for Exec<'_> {
    fn default() -> Self {
        Exec::with_threads(crate::parallel::default_threads())
    }
}

/// Sample sets as tskit passes them: sizes, then the ids one set after another.
#[derive(Clone, Copy, Debug)]
pub struct SampleSets<'a> {
    pub sizes: &'a [u64],
    pub ids: &'a [Id],
}

impl<'a> SampleSets<'a> {
    pub fn new(sizes: &'a [u64], ids: &'a [Id]) -> Self {
        SampleSets { sizes, ids }
    }

    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }

    /// The sets as slices of the ids, unchecked (their sizes must add up to
    /// the number of ids, as `SampleSets` from the C API's arguments do).
    pub fn split(&self) -> Result<Vec<&'a [Id]>> {
        let mut out = alloc::with_capacity(self.sizes.len(), "the sets")?;
        let mut at = 0usize;
        for &n in self.sizes {
            let end = at.saturating_add(n as usize).min(self.ids.len());
            out.push(&self.ids[at..end]);
            at = end;
        }
        Ok(out)
    }

    /// The sets, checked: at least one, none empty, every id a sample, no
    /// sample twice in one set.
    pub fn check(&self, ts: &TreeSequence) -> Result<Vec<&'a [Id]>> {
        if self.sizes.is_empty() {
            fail!(Error::InsufficientSampleSets, "at least one sample set is needed");
        }
        self.check_sets(ts, false)
    }

    /// The sets of a divergence or relatedness matrix, checked as tskit
    /// checks them: none empty, every id a sample, no sample in two sets
    /// (or twice in one). No sets at all is a matrix of size 0.
    pub fn check_disjoint(&self, ts: &TreeSequence) -> Result<Vec<&'a [Id]>> {
        self.check_sets(ts, true)
    }

    fn check_sets(&self, ts: &TreeSequence, disjoint: bool) -> Result<Vec<&'a [Id]>> {
        let total: u64 = self
            .sizes
            .iter()
            .try_fold(0u64, |a, &b| a.checked_add(b))
            .unwrap_or(u64::MAX);
        if total != self.ids.len() as u64 {
            fail!(
                Error::BadParamValue,
                "sample set sizes add to {total}, but {} ids were given",
                self.ids.len()
            );
        }
        let mut sets = alloc::with_capacity(self.sizes.len(), "the sample sets")?;
        // The last set each node was seen in.
        let mut seen = alloc::filled(ts.num_nodes(), u32::MAX, "the sample set check")?;
        let mut off = 0usize;
        for (k, &size) in self.sizes.iter().enumerate() {
            if size == 0 {
                fail!(Error::EmptySampleSet, "sample set {k}");
            }
            let set = &self.ids[off..off + size as usize];
            for &u in set {
                if u < 0 || u as usize >= ts.num_nodes() {
                    fail!(
                        Error::NodeOutOfBounds,
                        "sample set {k}: node {u} (there are {} nodes)",
                        ts.num_nodes()
                    );
                }
                if ts.sample_index()[u as usize] < 0 {
                    fail!(Error::BadSamples, "sample set {k}: node {u}");
                }
                let before = seen[u as usize];
                if before == k as u32 {
                    fail!(Error::DuplicateSample, "sample set {k}: node {u} appears twice");
                }
                if disjoint && before != u32::MAX {
                    fail!(
                        Error::DuplicateSample,
                        "node {u} is in sample sets {before} and {k}; a matrix's sample sets must not overlap"
                    );
                }
                seen[u as usize] = k as u32;
            }
            sets.push(set);
            off += size as usize;
        }
        Ok(sets)
    }
}

/// The mode of `options` (site if none), checked.
pub fn mode_of(options: u32) -> Result<Mode> {
    if options & !opt::ALL != 0 {
        fail!(Error::BadOptions, "statistic: {:#x}", options & !opt::ALL);
    }
    let bits = options & (opt::SITE | opt::BRANCH | opt::NODE);
    Ok(match bits {
        0 | opt::SITE => Mode::Site,
        opt::BRANCH => Mode::Branch,
        opt::NODE => Mode::Node,
        _ => fail!(Error::MultipleStatModes, "more than one of site, branch and node mode"),
    })
}

/// The windows (one `[0, L]` window for `None`), checked as tskit checks them.
pub fn windows_of(ts: &TreeSequence, windows: Option<&[f64]>) -> Result<Vec<f64>> {
    checked_windows(ts, windows, true)
}

/// The windows of a divergence or relatedness matrix (one `[0, L]` window
/// for `None`), checked as tskit checks them: these may leave out the start
/// and the end of the genome, as long as they lie within `[0, L]`.
pub fn windows_within(ts: &TreeSequence, windows: Option<&[f64]>) -> Result<Vec<f64>> {
    checked_windows(ts, windows, false)
}

fn checked_windows(ts: &TreeSequence, windows: Option<&[f64]>, full_span: bool) -> Result<Vec<f64>> {
    let l = ts.sequence_length();
    let Some(w) = windows else {
        return Ok(vec![0.0, l]);
    };
    if w.len() < 2 {
        fail!(Error::BadNumWindows, "at least one window (two breakpoints) is needed");
    }
    let (first, last) = (w[0], w[w.len() - 1]);
    if full_span && (first != 0.0 || last != l) {
        fail!(
            Error::BadWindows,
            "the first breakpoint is {first} and the last {last}; the sequence length is {l}"
        );
    }
    let within = first >= 0.0 && last <= l;
    if !full_span && !within {
        fail!(
            Error::BadWindows,
            "breakpoints from {first} to {last} do not lie within [0, {l}]"
        );
    }
    for j in 0..w.len() - 1 {
        if w[j] >= w[j + 1] || w[j].is_nan() || w[j + 1].is_nan() {
            fail!(
                Error::BadWindows,
                "breakpoint {j} ({}) is not less than breakpoint {} ({})",
                w[j],
                j + 1,
                w[j + 1]
            );
        }
    }
    alloc::copy(w, "the windows")
}

/// Checks index tuples of `tuple` entries each, against `num_sets` sets.
pub fn check_indexes(num_sets: usize, tuple: usize, indexes: &[Id]) -> Result<usize> {
    if indexes.is_empty() || indexes.len() % tuple != 0 {
        fail!(
            Error::InsufficientIndexTuples,
            "at least one index tuple of {tuple} is needed (got {} ids)",
            indexes.len()
        );
    }
    for &i in indexes {
        if i < 0 || i as usize >= num_sets {
            fail!(
                Error::BadSampleSetIndex,
                "sample set index {i} (there are {num_sets} sets)"
            );
        }
    }
    Ok(indexes.len() / tuple)
}

pub(crate) fn check_time_calibrated(ts: &TreeSequence, mode: Mode, options: u32) -> Result<()> {
    if mode == Mode::Branch && options & opt::ALLOW_TIME_UNCALIBRATED == 0 && ts.tables().time_units == b"uncalibrated"
    {
        fail!(
            Error::TimeUncalibrated,
            "the option TSPAR_STAT_ALLOW_TIME_UNCALIBRATED computes them anyway"
        );
    }
    Ok(())
}

/// The number of result values for `num_windows × row` in `mode` (node
/// mode: `num_windows × nodes × row`); `usize::MAX` if that overflows.
pub fn result_len(ts: &TreeSequence, mode: Mode, num_windows: usize, row: usize) -> usize {
    let per_window = match mode {
        Mode::Node => row.checked_mul(ts.num_nodes()),
        _ => Some(row),
    };
    per_window
        .and_then(|r| r.checked_mul(num_windows))
        .unwrap_or(usize::MAX)
}

pub(crate) fn span_normalise(windows: &[f64], row: usize, out: &mut [f64]) {
    for (j, chunk) in out.chunks_exact_mut(row.max(1)).enumerate() {
        let span = windows[j + 1] - windows[j];
        for x in chunk {
            *x /= span;
        }
    }
}

/// [`span_normalise`] on `threads` threads for a large output (the same
/// bits: each value is divided on its own).
pub(crate) fn span_normalise_par(threads: usize, windows: &[f64], row: usize, out: &mut [f64]) -> Result<()> {
    use rayon::prelude::*;
    if threads <= 1 || out.len() < 1 << 20 || row == 0 {
        span_normalise(windows, row, out);
        return Ok(());
    }
    crate::parallel::run(threads, || {
        out.par_chunks_mut(row).enumerate().for_each(|(j, chunk)| {
            let span = windows[j + 1] - windows[j];
            for x in chunk {
                *x /= span;
            }
        })
    })
}

/// tskit's general statistic: `weights` is `num_samples × summary.state_dim`.
/// Output `[window][result]` (site, branch) or `[window][node][result]`.
pub fn general_stat(
    ts: &TreeSequence,
    weights: &[f64],
    summary: &Summary,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let mode = mode_of(options)?;
    let windows = windows_of(ts, windows)?;
    if summary.state_dim < 1 {
        fail!(Error::BadStateDims, "the state dimension must be at least 1");
    }
    if summary.result_dim < 1 {
        fail!(Error::BadResultDims, "the result dimension must be at least 1");
    }
    if weights.len() != ts.samples().len() * summary.state_dim {
        fail!(
            Error::BadParamValue,
            "weights: {} values for {} samples × {} columns",
            weights.len(),
            ts.samples().len(),
            summary.state_dim
        );
    }
    check_time_calibrated(ts, mode, options)?;
    let mut out = run_general(
        ts,
        weights,
        summary,
        &windows,
        mode,
        options & opt::POLARISED != 0,
        exec,
    )?;
    if options & opt::SPAN_NORMALISE != 0 {
        let row = if mode == Mode::Node {
            summary.result_dim * ts.num_nodes()
        } else {
            summary.result_dim
        };
        span_normalise(&windows, row, &mut out);
    }
    Ok(out)
}

fn run_general(
    ts: &TreeSequence,
    weights: &[f64],
    summary: &Summary,
    windows: &[f64],
    mode: Mode,
    polarised: bool,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    use engine::*;
    let k = summary.state_dim;
    let m = summary.result_dim;
    let nw = windows.len() - 1;
    let mut max_pieces = exec.max_pieces;
    if mode == Mode::Node {
        // Each piece holds a nodes × results partial per window it overlaps.
        let per = (ts.num_nodes() * m).max(1);
        max_pieces = max_pieces.min(((1usize << 24) / per).max(1));
    }
    let plan = engine::plan_for(exec, ts, windows, max_pieces)?;
    let cx = Ctx::new(ts, &plan, windows, weights, k);
    let pieces = &plan.pieces;
    let row = if mode == Mode::Node { m * ts.num_nodes() } else { m };
    let mut out = alloc::zeroed(nw.saturating_mul(row), "the statistic's result")?;
    match mode {
        Mode::Branch => {
            let poisoned_from =
                std::sync::Mutex::new(alloc::filled(m, f64::INFINITY, "the statistic's NaN positions")?);
            run_windows(exec, pieces, row, &mut out, |i, s, c, po| {
                let ev = Eval::new(summary, polarised, &cx.total);
                let mut lazy = BranchLazy::new(ev, &ts.tables().nodes.time, m)?;
                lazy_piece(&cx, &mut lazy, po, i, s, c)?;
                let mut all = poisoned_from.lock().unwrap_or_else(|e| e.into_inner());
                for (a, p) in all.iter_mut().zip(&lazy.poisoned_from) {
                    *a = a.min(*p);
                }
                Ok(())
            })?;
            let mut poisoned_from = poisoned_from.into_inner().unwrap_or_else(|e| e.into_inner());
            if let Some(ctl) = exec.parts.as_mut() {
                ctl.stage_min(&mut poisoned_from)?;
            }
            poison(windows, &poisoned_from, &mut out);
        }
        Mode::Site if summary.add.is_some() => run_windows(exec, pieces, row, &mut out, |i, s, c, po| {
            let add = summary.add.as_ref().expect("checked");
            site_piece(&cx, po, i, s, c, |_, aw, na, row| {
                for a in usize::from(polarised)..na {
                    add(&aw[a * k..(a + 1) * k], row);
                }
                Ok(())
            })
        })?,
        Mode::Site => run_windows(exec, pieces, row, &mut out, |i, s, c, po| {
            let mut tmp = alloc::zeroed(m, "a summary's result row")?;
            site_piece(&cx, po, i, s, c, |_, aw, na, row| {
                for a in usize::from(polarised)..na {
                    (summary.f)(&aw[a * k..(a + 1) * k], &mut tmp)?;
                    for (r, t) in row.iter_mut().zip(&tmp) {
                        *r += t;
                    }
                }
                Ok(())
            })
        })?,
        Mode::Node => run_windows(exec, pieces, row, &mut out, |i, s, c, po| {
            let mut lazy = NodeLazy {
                ev: Eval::new(summary, polarised, &cx.total),
                m,
            };
            lazy_piece(&cx, &mut lazy, po, i, s, c)
        })?,
    };
    Ok(out)
}

/// Indicator weights for sample sets: `num_samples × num_sets`.
pub fn set_weights(ts: &TreeSequence, sets: &[&[Id]]) -> Result<Vec<f64>> {
    let k = sets.len();
    let mut w = alloc::zeroed(ts.samples().len().saturating_mul(k), "the sample weights")?;
    for (j, set) in sets.iter().enumerate() {
        for &u in *set {
            let s = ts.sample_index()[u as usize] as usize;
            w[s * k + j] = 1.0;
        }
    }
    Ok(w)
}

/// A statistic of sample counts: checks the sets and runs the engine.
pub fn sample_count_stat(
    ts: &TreeSequence,
    sets: SampleSets,
    result_dim: usize,
    f: impl Fn(&[f64], &[f64], &mut [f64]) + Sync,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    sample_count_stat_add(
        ts,
        sets,
        result_dim,
        f,
        None::<fn(&[f64], &[f64], &mut [f64])>,
        windows,
        options,
        exec,
    )
}

/// [`sample_count_stat`] with the accumulating form `add(x, n, out)` of `f`
/// (`out[i] += f(x, n)[i]`, the same bits) for site mode.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample_count_stat_add(
    ts: &TreeSequence,
    sets: SampleSets,
    result_dim: usize,
    f: impl Fn(&[f64], &[f64], &mut [f64]) + Sync,
    add: Option<impl Fn(&[f64], &[f64], &mut [f64]) + Sync>,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let checked = sets.check(ts)?;
    let weights = set_weights(ts, &checked)?;
    let n: Vec<f64> = sets.sizes.iter().map(|&s| s as f64).collect();
    let mut summary = Summary::new(checked.len(), result_dim, |x, out| {
        f(x, &n, out);
        Ok(())
    });
    if let Some(add) = add {
        let n = &n;
        summary = summary.with_add(move |x, out| add(x, n, out));
    }
    general_stat(ts, &weights, &summary, windows, options, exec)
}
