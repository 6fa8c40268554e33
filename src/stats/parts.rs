//! A statistic split into parts, computed apart (other processes, other
//! machines) and combined to the bits of the one call.
//!
//! The engine cuts the genome into pieces whose bounds depend only on the
//! tree sequence, the windows and the piece size, never on the thread
//! count (see [`super::engine`]). A part is one such piece. A statistic that
//! runs the engine more than once (relatedness as a proportion: the
//! relatedness sums, then the segregating sites) has the pieces of each run
//! ("stage") one after another: part `p` is a piece of one stage.
//!
//! A part carries the piece's unreduced sums for each window it overlaps:
//! exactly what the one call adds into its result, in piece order, for that
//! piece. Combining copies each part's rows back where the piece would
//! have written them and lets the engine add them up as it always does,
//! then runs the statistic's own last steps (ratios, normalisation,
//! reshaping) unchanged. So combining gives the one call's bits, whoever
//! computed which part, in whatever grouping and order they arrive.
//!
//! Everything outside the pieces (checks, weights, totals, the last steps)
//! is a function of the tree sequence and the arguments alone: the process
//! that combines makes the same call on the same tree sequence, and the
//! bytes of each part say which call and which tree sequence they belong to.
//!
//! Bytes (little-endian): a header of [`HEADER`] bytes — magic
//! `TSPARPRT`, format version (u32), statistic id (u32), tspar version (16
//! bytes, NUL-padded), options (u32), 4 zero bytes, the tree sequence's
//! fingerprint (u64), the arguments' fingerprint (u64), result length,
//! number of windows, number of parts, first part, end part, payload length
//! (u64 each) — then for each part its index and number of values (u64)
//! and the values (f64), then the number of stage minimum records and each
//! as stage, length and values (branch mode's first non-finite position).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::call::{self, Input, SetStat, WeightStat};
use super::engine::{run_pieces, run_windows_direct, Piece, PieceOut, Plan, Scratch};
use super::{Exec, SampleSets, DEFAULT_MAX_PIECES, DEFAULT_PIECE_WORK};
use crate::alloc;
use crate::error::{fail, Error, Failure, Result};
use crate::tables::Id;
use crate::treeseq::TreeSequence;

/// The first bytes of every part buffer.
pub const MAGIC: &[u8; 8] = b"TSPARPRT";
/// The layout of the bytes; a change to it or to how parts are summed
/// changes this number.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the first part.
pub const HEADER: usize = 104;

/// Every statistic that can be split, with its stable id (the C API's
/// `TSPAR_STATISTIC_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    Sets(SetStat),
    Weights(WeightStat),
}

const IDS: [(u32, Statistic); 18] = {
    use SetStat::*;
    use Statistic::{Sets as S, Weights as W};
    [
        (1, S(Diversity)),
        (2, S(SegregatingSites)),
        (3, S(Y1)),
        (4, S(TajimasD)),
        (5, S(Divergence)),
        (6, S(Fst)),
        (7, S(Y2)),
        (8, S(F2)),
        (9, S(GeneticRelatedness)),
        (10, S(Y3)),
        (11, S(F3)),
        (12, S(F4)),
        (13, S(DivergenceMatrix)),
        (14, S(GeneticRelatednessMatrix)),
        (15, S(AlleleFrequencySpectrum)),
        (16, W(WeightStat::TraitCovariance)),
        (17, W(WeightStat::TraitCorrelation)),
        (18, W(WeightStat::GeneticRelatednessWeighted)),
    ]
};

impl Statistic {
    /// Every statistic, in id order.
    pub fn all() -> impl Iterator<Item = Statistic> {
        IDS.iter().map(|&(_, s)| s)
    }

    pub fn from_id(id: u32) -> Option<Statistic> {
        IDS.iter().find(|&&(i, _)| i == id).map(|&(_, s)| s)
    }

    pub fn id(self) -> u32 {
        IDS.iter().find(|&&(_, s)| s == self).map(|&(i, _)| i).unwrap_or(0)
    }

    /// Ids per index tuple (0: none).
    pub fn tuple(self) -> usize {
        match self {
            Statistic::Sets(s) => s.tuple(),
            Statistic::Weights(w) => w.tuple(),
        }
    }
}

/// A 64-bit hash of words (not cryptographic: it tells apart the tree
/// sequences and arguments that a mistake would mix up).
#[derive(Clone)]
pub struct Hash64(u64);

impl Default for Hash64 {
    fn default() -> Self {
        Hash64(0x243f_6a88_85a3_08d3)
    }
}

impl Hash64 {
    #[inline(always)]
    pub fn word(&mut self, w: u64) {
        let x = (self.0 ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = x ^ (x >> 29);
    }

    pub fn f64s(&mut self, v: &[f64]) {
        self.word(v.len() as u64);
        for x in v {
            self.word(x.to_bits());
        }
    }

    pub fn i32s(&mut self, v: &[i32]) {
        self.word(v.len() as u64);
        for c in v.chunks(2) {
            let hi = c.get(1).map_or(0, |&x| x as u32 as u64);
            self.word((c[0] as u32 as u64) | hi << 32);
        }
    }

    pub fn u32s(&mut self, v: &[u32]) {
        self.word(v.len() as u64);
        for c in v.chunks(2) {
            self.word(c[0] as u64 | (c.get(1).copied().unwrap_or(0) as u64) << 32);
        }
    }

    pub fn u64s(&mut self, v: &[u64]) {
        self.word(v.len() as u64);
        for &x in v {
            self.word(x);
        }
    }

    pub fn bytes(&mut self, v: &[u8]) {
        self.word(v.len() as u64);
        for c in v.chunks(8) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            self.word(u64::from_le_bytes(b));
        }
    }

    pub fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

/// A hash of everything the statistics read from `ts` (made once per tree
/// sequence and kept).
pub fn ts_fingerprint(ts: &TreeSequence) -> u64 {
    *ts.fingerprint.get_or_init(|| {
        let t = ts.tables();
        let mut h = Hash64::default();
        h.word(t.sequence_length.to_bits());
        h.bytes(&t.time_units);
        h.u32s(&t.nodes.flags);
        h.f64s(&t.nodes.time);
        h.f64s(&t.edges.left);
        h.f64s(&t.edges.right);
        h.i32s(&t.edges.parent);
        h.i32s(&t.edges.child);
        h.f64s(&t.sites.position);
        h.bytes(t.sites.ancestral_state.data());
        h.u64s(t.sites.ancestral_state.offset());
        h.i32s(&t.mutations.site);
        h.i32s(&t.mutations.node);
        h.i32s(&t.mutations.parent);
        h.f64s(&t.mutations.time);
        h.bytes(t.mutations.derived_state.data());
        h.u64s(t.mutations.derived_state.offset());
        h.finish()
    })
}

/// The engine runs of a call: for each, the value row of a window and the
/// windows of each piece.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    stages: Vec<Stage>,
}

#[derive(Clone, Debug, Default)]
struct Stage {
    row: usize,
    windows: Vec<(usize, usize)>,
    /// Length of the stage's minimum record (0: none).
    min_len: usize,
}

impl Layout {
    pub fn num_parts(&self) -> usize {
        self.stages.iter().map(|s| s.windows.len()).sum()
    }

    /// The values part `p` carries.
    fn part_values(&self, mut p: usize) -> usize {
        for s in &self.stages {
            if p < s.windows.len() {
                let (w0, w1) = s.windows[p];
                return (w1 - w0) * s.row;
            }
            p -= s.windows.len();
        }
        0
    }

    /// The length of the bytes of parts `start..end`.
    pub fn bytes(&self, start: usize, end: usize) -> usize {
        let parts: usize = (start..end).map(|p| 16 + 8 * self.part_values(p)).sum();
        let mins: usize = self
            .stages
            .iter()
            .filter(|s| s.min_len > 0)
            .map(|s| 16 + 8 * s.min_len)
            .sum();
        HEADER + parts + 8 + mins
    }
}

/// What a call split into parts does in place of running each piece, and
/// the plans of its engine runs (made once, when the parts are counted).
pub(crate) struct Ctl {
    mode: PartsMode,
    plans: Vec<Arc<Plan>>,
    next_plan: usize,
}

impl Ctl {
    fn new(mode: PartsMode, plans: Vec<Arc<Plan>>) -> Self {
        Ctl {
            mode,
            plans,
            next_plan: 0,
        }
    }

    /// The plan of the next engine run: the one kept, or `make`'s (kept).
    pub(crate) fn plan(&mut self, make: impl FnOnce() -> Result<Plan>) -> Result<Arc<Plan>> {
        let i = self.next_plan;
        self.next_plan += 1;
        if let Some(p) = self.plans.get(i) {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(make()?);
        alloc::push(&mut self.plans, Arc::clone(&p), "the statistic's plans")?;
        Ok(p)
    }

    pub(crate) fn stage<W>(
        &mut self,
        exec: &mut Exec,
        pieces: &[Piece],
        row: usize,
        out: &mut [f64],
        work: W,
    ) -> Result<()>
    where
        W: Fn(usize, &mut Scratch, &AtomicBool, &mut PieceOut) -> Result<()> + Sync,
    {
        self.mode.stage(exec, pieces, row, out, work)
    }

    pub(crate) fn stage_min(&mut self, v: &mut [f64]) -> Result<()> {
        self.mode.stage_min(v)
    }
}

pub(crate) enum PartsMode {
    /// Records the layout; computes nothing.
    Count(Layout),
    /// Computes the pieces that are parts `range`, keeping their rows.
    Compute {
        range: (usize, usize),
        base: usize,
        stage: usize,
        parts: Vec<(usize, Vec<f64>)>,
        mins: Vec<(usize, Vec<f64>)>,
    },
    /// Takes every piece's rows from `parts` (indexed by part).
    Combine {
        base: usize,
        stage: usize,
        parts: Vec<Vec<f64>>,
        /// Per stage, the minimum over the parts' records.
        mins: Vec<Option<Vec<f64>>>,
    },
}

impl PartsMode {
    /// One run of the engine over `pieces` with rows of `row` values into
    /// `out` (see [`super::engine::run_windows`]).
    pub(crate) fn stage<W>(
        &mut self,
        exec: &mut Exec,
        pieces: &[Piece],
        row: usize,
        out: &mut [f64],
        work: W,
    ) -> Result<()>
    where
        W: Fn(usize, &mut Scratch, &AtomicBool, &mut PieceOut) -> Result<()> + Sync,
    {
        match self {
            PartsMode::Count(layout) => {
                out.fill(0.0);
                let windows = alloc::collect(pieces.iter().map(|p| p.windows), "the statistic's parts")?;
                alloc::push(
                    &mut layout.stages,
                    Stage {
                        row,
                        windows,
                        min_len: 0,
                    },
                    "the statistic's parts",
                )?;
                Ok(())
            }
            PartsMode::Compute {
                range,
                base,
                stage,
                parts,
                ..
            } => {
                out.fill(0.0);
                let n = pieces.len();
                let lo = range.0.clamp(*base, *base + n) - *base;
                let hi = range.1.clamp(*base, *base + n) - *base;
                let rows = run_pieces(exec, &pieces[lo..hi], Scratch::new, |i, p, s, c| {
                    let (w0, w1) = p.windows;
                    let mut rows = alloc::zeroed((w1 - w0) * row, "a part's values")?;
                    let mut po = PieceOut::private(row, w0, &mut rows);
                    work(lo + i, s, c, &mut po)?;
                    Ok(rows)
                })?;
                for (i, r) in rows.into_iter().enumerate() {
                    alloc::push(parts, (*base + lo + i, r), "the statistic's parts")?;
                }
                *base += n;
                *stage += 1;
                Ok(())
            }
            PartsMode::Combine { base, stage, parts, .. } => {
                let n = pieces.len();
                if *base + n > parts.len() {
                    fail!(Error::Internal, "the call has more parts than its layout");
                }
                let given = &parts[*base..*base + n];
                for (p, r) in pieces.iter().zip(given) {
                    if r.len() != (p.windows.1 - p.windows.0) * row {
                        fail!(Error::Internal, "a part's length does not match its piece");
                    }
                }
                run_windows_direct(exec, pieces, row, out, |i, _, _, po| {
                    let (w0, w1) = pieces[i].windows;
                    for wi in w0..w1 {
                        let j = (wi - w0) * row;
                        po.row(wi).copy_from_slice(&given[i][j..j + row]);
                    }
                    Ok(())
                })?;
                *base += n;
                *stage += 1;
                Ok(())
            }
        }
    }

    /// A per-stage vector combined by taking the minimum (branch mode's
    /// first non-finite position per result), for the last stage run.
    pub(crate) fn stage_min(&mut self, v: &mut [f64]) -> Result<()> {
        match self {
            PartsMode::Count(layout) => {
                if let Some(s) = layout.stages.last_mut() {
                    s.min_len = v.len();
                }
            }
            PartsMode::Compute { stage, mins, .. } => {
                let copy = alloc::copy(v, "a part's values")?;
                alloc::push(mins, (stage.saturating_sub(1), copy), "the statistic's parts")?;
            }
            PartsMode::Combine { stage, mins, .. } => {
                if let Some(Some(m)) = mins.get(stage.saturating_sub(1)) {
                    if m.len() != v.len() {
                        fail!(Error::Internal, "a stage's minimum record does not match");
                    }
                    for (a, b) in v.iter_mut().zip(m) {
                        *a = a.min(*b);
                    }
                }
            }
        }
        Ok(())
    }
}

/// A statistic call with its arguments, owned: what every process that
/// computes or combines parts of it makes.
pub struct Call {
    pub stat: Statistic,
    sizes: Vec<u64>,
    ids: Vec<Id>,
    indexes: Vec<Id>,
    weights: Vec<f64>,
    num_weights: usize,
    windows: Option<Vec<f64>>,
    options: u32,
    piece_work: u64,
    max_pieces: usize,
    result_len: usize,
    num_windows: usize,
    fingerprint: u64,
    ts_fp: u64,
    layout: Layout,
    /// The engine's plans, made when the parts were counted.
    plans: Vec<Arc<Plan>>,
}

/// The arguments of a [`Call`]: sample sets for the statistics of sets,
/// weights for those of weights, index tuples for the k-way ones.
#[derive(Clone, Copy, Default)]
pub struct Args<'a> {
    pub sizes: &'a [u64],
    pub ids: &'a [Id],
    pub indexes: &'a [Id],
    pub weights: &'a [f64],
    pub num_weights: usize,
    pub windows: Option<&'a [f64]>,
    pub options: u32,
    /// Work units (edge changes plus sites) per part; 0: the size one call
    /// of the statistic uses, whose bits the parts then combine to. Smaller
    /// gives more parts (at most 2^20), combining to the bits of
    /// [`Call::run_whole`] with the same size.
    pub part_work: u64,
}

/// The most parts a call is cut into.
pub const MAX_PARTS: usize = 1 << 20;

impl Call {
    /// The call, its arguments checked as the statistic checks them (it
    /// runs once here, computing nothing, to find its parts).
    pub fn new(ts: &TreeSequence, stat: Statistic, a: Args) -> Result<Call> {
        let what = "the statistic's arguments";
        let mut call = Call {
            stat,
            sizes: alloc::copy(a.sizes, what)?,
            ids: alloc::copy(a.ids, what)?,
            indexes: alloc::copy(a.indexes, what)?,
            weights: alloc::copy(a.weights, what)?,
            num_weights: a.num_weights,
            windows: match a.windows {
                Some(w) => Some(alloc::copy(w, what)?),
                None => None,
            },
            options: a.options,
            piece_work: if a.part_work == 0 {
                DEFAULT_PIECE_WORK
            } else {
                a.part_work
            },
            max_pieces: if a.part_work == 0 {
                DEFAULT_MAX_PIECES
            } else {
                MAX_PARTS
            },
            result_len: 0,
            num_windows: 0,
            fingerprint: 0,
            ts_fp: ts_fingerprint(ts),
            layout: Layout::default(),
            plans: Vec::new(),
        };
        if let Statistic::Weights(_) = stat {
            let need = (ts.samples().len() as u64).checked_mul(a.num_weights as u64);
            if need != Some(a.weights.len() as u64) {
                fail!(
                    Error::BadParamValue,
                    "weights: {} values for {} samples × {} columns",
                    a.weights.len(),
                    ts.samples().len(),
                    a.num_weights
                );
            }
        }
        let t = stat.tuple();
        if t > 0 && a.indexes.len() % t != 0 {
            fail!(
                Error::InsufficientIndexTuples,
                "{} index ids do not make tuples of {t}",
                a.indexes.len()
            );
        }
        call.result_len = call.input().output_len(ts, call.windows.as_deref(), call.options)?;
        call.num_windows = call.windows.as_ref().map_or(1, |w| w.len().saturating_sub(1));
        call.fingerprint = call.args_fingerprint();
        let mut exec = Exec::with_threads(1);
        let mut scratch = Vec::new();
        let ctl = call.run(ts, &mut exec, PartsMode::Count(Layout::default()), &mut scratch)?;
        let PartsMode::Count(layout) = ctl.mode else {
            fail!(Error::Internal, "counting parts gave no layout");
        };
        call.layout = layout;
        call.plans = ctl.plans;
        Ok(call)
    }

    /// Arguments as the statistic takes them.
    fn input(&self) -> Input<'_> {
        match self.stat {
            Statistic::Sets(s) => Input::Sets(s, SampleSets::new(&self.sizes, &self.ids), &self.indexes),
            Statistic::Weights(w) => Input::Weights(w, &self.weights, self.num_weights, &self.indexes),
        }
    }

    fn args_fingerprint(&self) -> u64 {
        let mut h = Hash64::default();
        h.word(self.stat.id() as u64);
        h.word(self.options as u64);
        match &self.windows {
            None => h.word(0),
            Some(w) => {
                h.word(1);
                h.f64s(w);
            }
        }
        h.u64s(&self.sizes);
        h.i32s(&self.ids);
        h.i32s(&self.indexes);
        h.word(self.num_weights as u64);
        h.f64s(&self.weights);
        h.word(self.piece_work);
        h.word(self.max_pieces as u64);
        h.finish()
    }

    /// The number of values of the result.
    pub fn result_len(&self) -> usize {
        self.result_len
    }

    /// The number of parts.
    pub fn num_parts(&self) -> usize {
        self.layout.num_parts()
    }

    /// The length of the bytes of parts `start..end`.
    pub fn part_bytes(&self, start: usize, end: usize) -> Result<usize> {
        self.check_range(start, end)?;
        Ok(self.layout.bytes(start, end))
    }

    fn check_range(&self, start: usize, end: usize) -> Result<()> {
        let n = self.num_parts();
        if start > end || end > n {
            fail!(Error::BadPartRange, "parts {start}..{end} of a call with {n} parts");
        }
        Ok(())
    }

    /// Runs the statistic with `ctl` in `exec`, into `out` (resized).
    fn run(&self, ts: &TreeSequence, exec: &mut Exec, mode: PartsMode, out: &mut Vec<f64>) -> Result<Ctl> {
        exec.piece_work = self.piece_work;
        exec.max_pieces = self.max_pieces;
        exec.parts = Some(Ctl::new(mode, self.plans.clone()));
        let r = call::stat_into(ts, self.input(), self.windows.as_deref(), self.options, exec, |len| {
            *out = alloc::zeroed(len, "the statistic's result")?;
            Ok(&mut out[..])
        });
        let ctl = exec.parts.take();
        r?;
        ctl.ok_or_else(|| Failure::new(Error::Internal, "the parts control went missing"))
    }

    /// The whole statistic in one call (the bits every combination gives).
    pub fn run_whole<'o>(
        &self,
        ts: &TreeSequence,
        exec: &mut Exec,
        out: impl FnOnce(usize) -> Result<&'o mut [f64]>,
    ) -> Result<()> {
        self.check_ts(ts)?;
        exec.piece_work = self.piece_work;
        exec.max_pieces = self.max_pieces;
        exec.parts = None;
        call::stat_into(ts, self.input(), self.windows.as_deref(), self.options, exec, out)
    }

    /// Refuses a tree sequence other than the one the call was made for
    /// (its parts were found there).
    fn check_ts(&self, ts: &TreeSequence) -> Result<()> {
        let fp = ts_fingerprint(ts);
        if fp != self.ts_fp {
            fail!(
                Error::PartsOtherTreeSequence,
                "the call was made for tree sequence {:016x}, not {fp:016x}",
                self.ts_fp
            );
        }
        Ok(())
    }

    /// Computes parts `start..end` into their bytes.
    pub fn compute(&self, ts: &TreeSequence, start: usize, end: usize, exec: &mut Exec) -> Result<Vec<u8>> {
        self.check_ts(ts)?;
        self.check_range(start, end)?;
        let ctl = PartsMode::Compute {
            range: (start, end),
            base: 0,
            stage: 0,
            parts: Vec::new(),
            mins: Vec::new(),
        };
        let mut scratch = Vec::new();
        let PartsMode::Compute { parts, mins, .. } = self.run(ts, exec, ctl, &mut scratch)?.mode else {
            fail!(Error::Internal, "computing parts lost its control");
        };
        drop(scratch);
        let len = self.layout.bytes(start, end);
        let mut b: Vec<u8> = alloc::with_capacity(len, "the parts' bytes")?;
        self.write_header(ts, start, end, len, &mut b);
        if parts.len() != end - start {
            fail!(
                Error::Internal,
                "computed {} parts, {} asked for",
                parts.len(),
                end - start
            );
        }
        for (p, rows) in &parts {
            if rows.len() != self.layout.part_values(*p) {
                fail!(Error::Internal, "part {p} has {} values", rows.len());
            }
            b.extend_from_slice(&(*p as u64).to_le_bytes());
            b.extend_from_slice(&(rows.len() as u64).to_le_bytes());
            for x in rows {
                b.extend_from_slice(&x.to_bits().to_le_bytes());
            }
        }
        b.extend_from_slice(&(mins.len() as u64).to_le_bytes());
        for (s, m) in &mins {
            b.extend_from_slice(&(*s as u64).to_le_bytes());
            b.extend_from_slice(&(m.len() as u64).to_le_bytes());
            for x in m {
                b.extend_from_slice(&x.to_bits().to_le_bytes());
            }
        }
        if b.len() != len {
            fail!(Error::Internal, "parts' bytes are {} long, {len} expected", b.len());
        }
        Ok(b)
    }

    fn write_header(&self, ts: &TreeSequence, start: usize, end: usize, len: usize, b: &mut Vec<u8>) {
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&self.stat.id().to_le_bytes());
        b.extend_from_slice(&version_bytes());
        b.extend_from_slice(&self.options.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&ts_fingerprint(ts).to_le_bytes());
        b.extend_from_slice(&self.fingerprint.to_le_bytes());
        for x in [
            self.result_len,
            self.num_windows,
            self.num_parts(),
            start,
            end,
            len - HEADER,
        ] {
            b.extend_from_slice(&(x as u64).to_le_bytes());
        }
    }

    /// Combines the parts in `buffers` (every part once, in any grouping
    /// and order) into the result, written into `out(len)`.
    pub fn combine<'o>(
        &self,
        ts: &TreeSequence,
        buffers: &[&[u8]],
        exec: &mut Exec,
        out: impl FnOnce(usize) -> Result<&'o mut [f64]>,
    ) -> Result<()> {
        self.check_ts(ts)?;
        let n = self.num_parts();
        let mut parts: Vec<Option<Vec<f64>>> = alloc::filled(n, None, "the statistic's parts")?;
        let mut owner: Vec<usize> = alloc::filled(n, usize::MAX, "the statistic's parts")?;
        let mut mins: Vec<Option<Vec<f64>>> = alloc::filled(self.layout.stages.len(), None, "the statistic's parts")?;
        let fp = ts_fingerprint(ts);
        for (bi, buf) in buffers.iter().enumerate() {
            let in_buffer = |f: Failure| Failure::new(f.kind, format!("buffer {bi}: {}", f.detail));
            let h = Header::parse(buf).map_err(in_buffer)?;
            h.check(self, fp).map_err(in_buffer)?;
            let mut r = Reader {
                b: &buf[HEADER..],
                at: 0,
                bi,
            };
            for p in h.start..h.end {
                let idx = r.u64()? as usize;
                let len = r.u64()? as usize;
                if idx != p || len != self.layout.part_values(p) {
                    fail!(
                        Error::PartsFormat,
                        "buffer {bi}: part {p} recorded as part {idx} with {len} values"
                    );
                }
                if owner[p] != usize::MAX {
                    fail!(Error::PartsOverlap, "part {p} is in buffers {} and {bi}", owner[p]);
                }
                owner[p] = bi;
                parts[p] = Some(r.f64s(len)?);
            }
            let nm = r.u64()? as usize;
            for _ in 0..nm {
                let s = r.u64()? as usize;
                let len = r.u64()? as usize;
                let ok = self.layout.stages.get(s).is_some_and(|st| st.min_len == len);
                if !ok {
                    fail!(
                        Error::PartsFormat,
                        "buffer {bi}: a stage record does not match the call"
                    );
                }
                let v = r.f64s(len)?;
                match &mut mins[s] {
                    Some(m) => {
                        for (a, b) in m.iter_mut().zip(&v) {
                            *a = a.min(*b);
                        }
                    }
                    slot => *slot = Some(v),
                }
            }
            if r.at != r.b.len() {
                fail!(
                    Error::PartsFormat,
                    "buffer {bi}: {} bytes past its parts",
                    r.b.len() - r.at
                );
            }
        }
        if let Some(first) = owner.iter().position(|&o| o == usize::MAX) {
            let missing = owner.iter().filter(|&&o| o == usize::MAX).count();
            fail!(
                Error::PartsMissing,
                "{missing} of {n} parts missing, the first is part {first}"
            );
        }
        let parts = parts.into_iter().map(|p| p.unwrap_or_default()).collect();
        exec.piece_work = self.piece_work;
        exec.max_pieces = self.max_pieces;
        exec.parts = Some(Ctl::new(
            PartsMode::Combine {
                base: 0,
                stage: 0,
                parts,
                mins,
            },
            self.plans.clone(),
        ));
        let r = call::stat_into(ts, self.input(), self.windows.as_deref(), self.options, exec, out);
        exec.parts = None;
        r
    }
}

fn version_bytes() -> [u8; 16] {
    let mut v = [0u8; 16];
    let s = env!("CARGO_PKG_VERSION").as_bytes();
    let n = s.len().min(16);
    v[..n].copy_from_slice(&s[..n]);
    v
}

/// The header of a part buffer.
#[derive(Debug, Clone)]
pub struct Header {
    pub format_version: u32,
    pub stat_id: u32,
    pub version: [u8; 16],
    pub options: u32,
    pub ts_fingerprint: u64,
    pub args_fingerprint: u64,
    pub result_len: usize,
    pub num_windows: usize,
    pub num_parts: usize,
    pub start: usize,
    pub end: usize,
    pub payload: usize,
}

impl Header {
    /// Reads and checks the header of `b` (not yet against any call).
    pub fn parse(b: &[u8]) -> Result<Header> {
        if b.len() < 8 || &b[..8] != MAGIC {
            fail!(Error::PartsFormat, "the bytes do not start with {:?}", "TSPARPRT");
        }
        if b.len() < HEADER {
            fail!(
                Error::PartsFormat,
                "{} bytes, shorter than a header ({HEADER})",
                b.len()
            );
        }
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let h = Header {
            format_version: u32_at(8),
            stat_id: u32_at(12),
            version: b[16..32].try_into().expect("16 bytes"),
            options: u32_at(32),
            ts_fingerprint: u64_at(40),
            args_fingerprint: u64_at(48),
            result_len: u64_at(56) as usize,
            num_windows: u64_at(64) as usize,
            num_parts: u64_at(72) as usize,
            start: u64_at(80) as usize,
            end: u64_at(88) as usize,
            payload: u64_at(96) as usize,
        };
        if h.format_version != FORMAT_VERSION || h.version != version_bytes() {
            let theirs = String::from_utf8_lossy(&h.version).trim_end_matches('\0').to_string();
            fail!(
                Error::PartsVersion,
                "parts format {} of tspar {theirs}; this is format {FORMAT_VERSION} of tspar {}",
                h.format_version,
                env!("CARGO_PKG_VERSION")
            );
        }
        if h.payload != b.len() - HEADER {
            fail!(
                Error::PartsFormat,
                "the header promises {} bytes of parts, {} follow (truncated or padded)",
                h.payload,
                b.len() - HEADER
            );
        }
        if h.start > h.end || h.end > h.num_parts {
            fail!(Error::PartsFormat, "parts {}..{} of {}", h.start, h.end, h.num_parts);
        }
        Ok(h)
    }

    fn check(&self, call: &Call, ts_fp: u64) -> Result<()> {
        if self.stat_id != call.stat.id() {
            let name = |id| Statistic::from_id(id).map_or("an unknown statistic".to_string(), |s| format!("{s:?}"));
            fail!(
                Error::PartsOtherCall,
                "parts of {} given to a call of {}",
                name(self.stat_id),
                name(call.stat.id())
            );
        }
        if self.ts_fingerprint != ts_fp {
            fail!(
                Error::PartsOtherTreeSequence,
                "tree sequence fingerprint {:016x}, this one's is {ts_fp:016x}",
                self.ts_fingerprint
            );
        }
        if self.args_fingerprint != call.fingerprint
            || self.options != call.options
            || self.result_len != call.result_len
            || self.num_windows != call.num_windows
            || self.num_parts != call.num_parts()
        {
            fail!(
                Error::PartsOtherCall,
                "the same statistic with other sample sets, weights, windows or options"
            );
        }
        Ok(())
    }
}

struct Reader<'b> {
    b: &'b [u8],
    at: usize,
    bi: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        if self.b.len() - self.at < n {
            fail!(Error::PartsFormat, "buffer {}: its parts end early", self.bi);
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    fn f64s(&mut self, n: usize) -> Result<Vec<f64>> {
        let bytes = n
            .checked_mul(8)
            .ok_or_else(|| Failure::new(Error::PartsFormat, "a part too large"))?;
        let raw = self.take(bytes)?;
        alloc::collect(
            raw.chunks_exact(8)
                .map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().expect("8 bytes")))),
            "a part's values",
        )
    }
}
