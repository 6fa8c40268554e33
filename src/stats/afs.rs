//! The (joint) allele frequency spectrum of several sample sets, polarised
//! or folded, in site and branch modes, as tskit computes it.

use super::engine::{lazy_piece, run_windows, site_piece, Ctx, Lazy};
use super::{check_time_calibrated, mode_of, opt, set_weights, windows_of, Exec, Mode, SampleSets};
use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

/// The shape of one window's spectrum: `size_k + 1` per sample set.
pub fn afs_dims(sets: SampleSets) -> Vec<usize> {
    sets.sizes.iter().map(|&s| s as usize + 1).collect()
}

/// tskit's folding: a coordinate in the upper half (by total count, ties
/// broken from the last set backwards) is mirrored.
fn fold(coord: &mut [usize], dims: &[usize]) {
    let mut n = 0.0;
    let mut s: i64 = 0;
    for k in 0..dims.len() {
        n += dims[k] as f64 - 1.0;
        s += coord[k] as i64;
    }
    n /= 2.0;
    let mut k = dims.len();
    while s as f64 == n && k > 0 {
        k -= 1;
        n -= (dims[k] as f64 - 1.0) / 2.0;
        s -= coord[k] as i64;
    }
    if s as f64 > n {
        for k in 0..dims.len() {
            coord[k] = dims[k] - 1 - coord[k];
        }
    }
}

struct Cells {
    dims: Vec<usize>,
    strides: Vec<usize>,
    polarised: bool,
    num_samples: f64,
}

impl Cells {
    fn new(dims: Vec<usize>, polarised: bool, num_samples: usize) -> Self {
        let mut strides = vec![1; dims.len()];
        for k in (0..dims.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * dims[k + 1];
        }
        Cells {
            dims,
            strides,
            polarised,
            num_samples: num_samples as f64,
        }
    }

    /// The cell of counts `row` (`k` set counts then the all-samples
    /// count), or None when the allele is absent from or fixed in all samples.
    fn cell(&self, row: &[f64], coord: &mut [usize]) -> Option<usize> {
        let k = self.dims.len();
        let all = row[k];
        if !(all > 0.0 && all < self.num_samples) {
            return None;
        }
        for j in 0..k {
            coord[j] = row[j] as usize;
        }
        if !self.polarised {
            fold(coord, &self.dims);
        }
        Some(coord.iter().zip(&self.strides).map(|(c, s)| c * s).sum())
    }

    fn size(&self) -> usize {
        self.dims.iter().product()
    }
}

struct AfsLazy<'a> {
    cells: &'a Cells,
    time: &'a [f64],
    coord: Vec<usize>,
}

impl Lazy for AfsLazy<'_> {
    fn f_dim(&self) -> usize {
        0
    }
    fn update(&mut self, _u: usize, _w: &[f64], _f: &mut [f64]) -> Result<()> {
        Ok(())
    }
    fn attached_only(&self) -> bool {
        true
    }
    fn no_update(&self) -> bool {
        true
    }
    fn flush(
        &mut self,
        u: usize,
        (_, span): (f64, f64),
        parent: Id,
        w: &[f64],
        _: &[f64],
        out: &mut [f64],
    ) -> Result<()> {
        if parent == NULL {
            return Ok(());
        }
        let tv = self.time[parent as usize];
        if tv <= 0.0 || tv.is_nan() {
            return Ok(());
        }
        if let Some(c) = self.cells.cell(w, &mut self.coord) {
            let bl = (tv - self.time[u].max(0.0)).max(0.0);
            out[c] += span * bl;
        }
        Ok(())
    }
}

/// The spectrum, `[window][dims...]` flattened, and its dimensions.
pub fn allele_frequency_spectrum(
    ts: &TreeSequence,
    sets: SampleSets,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    allele_frequency_spectrum_into(ts, sets, windows, options, exec, |len| {
        out = alloc::zeroed(len, "the spectrum")?;
        Ok(&mut out[..])
    })?;
    Ok(out)
}

/// [`allele_frequency_spectrum`] written into the slice `buffer(len)`
/// gives (the spectrum can be large: no copy is made).
pub(crate) fn allele_frequency_spectrum_into<'o>(
    ts: &TreeSequence,
    sets: SampleSets,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
    buffer: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    let mode = mode_of(options)?;
    if mode == Mode::Node {
        fail!(
            Error::UnsupportedStatMode,
            "the allele frequency spectrum has no node mode"
        );
    }
    let windows = windows_of(ts, windows)?;
    let checked = sets.check(ts)?;
    check_time_calibrated(ts, mode, options)?;
    let k = checked.len();
    let set_w = set_weights(ts, &checked)?;
    let kk = k + 1;
    let ns = ts.samples().len();
    let mut weights = alloc::zeroed(ns.saturating_mul(kk), "the sample weights")?;
    for s in 0..ns {
        weights[s * kk..s * kk + k].copy_from_slice(&set_w[s * k..(s + 1) * k]);
        weights[s * kk + k] = 1.0;
    }
    let cells = Cells::new(afs_dims(sets), options & opt::POLARISED != 0, ns);
    let size = cells.size();
    let max_pieces = exec.max_pieces.min(((1usize << 24) / size.max(1)).max(1));
    let plan = super::engine::plan_for(exec, ts, &windows, max_pieces)?;
    let cx = Ctx::new(ts, &plan, &windows, &weights, kk);
    let time = &ts.tables().nodes.time;
    let nw = windows.len() - 1;
    let len = nw
        .checked_mul(size)
        .ok_or_else(|| crate::error::Failure::new(Error::BadParamValue, "spectrum too large"))?;
    let out = buffer(len)?;
    if out.len() != len {
        fail!(Error::Internal, "spectrum buffer of {} values, {len} needed", out.len());
    }
    match mode {
        Mode::Site => run_windows(exec, &plan.pieces, size, out, |i, s, c, po| {
            let mut coord = vec![0; k];
            let inc = if cells.polarised { 1.0 } else { 0.5 };
            site_piece(&cx, po, i, s, c, |_, aw, na, row| {
                for a in usize::from(cells.polarised)..na {
                    if let Some(cell) = cells.cell(&aw[a * kk..(a + 1) * kk], &mut coord) {
                        row[cell] += inc;
                    }
                }
                Ok(())
            })
        })?,
        _ => run_windows(exec, &plan.pieces, size, out, |i, s, c, po| {
            let mut lazy = AfsLazy {
                cells: &cells,
                time,
                coord: vec![0; k],
            };
            lazy_piece(&cx, &mut lazy, po, i, s, c)
        })?,
    };
    if options & opt::SPAN_NORMALISE != 0 {
        super::span_normalise_par(exec.threads, &windows, size, out)?;
    }
    Ok(())
}
