//! Every statistic of the C API as one call. The arguments' shapes and
//! options are checked here and the number of values worked out before the
//! statistic runs, so that a C function only turns its pointers into slices
//! and hands them over.
//!
//! The caller's buffer is asked for (`out(len)`) once the arguments that
//! decide its length are checked: a short buffer is reported after a bad
//! mode or bad windows, and before anything runs. Values are written into
//! it only on success, except for the allele frequency spectrum, which is
//! written in place (it can be large) and set to NaN if the call fails
//! after writing began.

use super::{afs, matrix, mode_of, opt, result_len, summary, windows_of, windows_within, Exec, SampleSets, Summary};
use crate::error::{fail, Error, Failure, Result};
use crate::tables::Id;
use crate::treeseq::TreeSequence;

/// The statistics of sample sets (the k-way ones with index tuples).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetStat {
    Diversity,
    SegregatingSites,
    Y1,
    TajimasD,
    Divergence,
    Fst,
    Y2,
    F2,
    GeneticRelatedness,
    Y3,
    F3,
    F4,
    DivergenceMatrix,
    GeneticRelatednessMatrix,
    AlleleFrequencySpectrum,
}

impl SetStat {
    /// Sample sets per index tuple; 0 for a statistic without index tuples.
    pub fn tuple(self) -> usize {
        use SetStat::*;
        match self {
            Divergence | Fst | Y2 | F2 | GeneticRelatedness => 2,
            Y3 | F3 => 3,
            F4 => 4,
            _ => 0,
        }
    }

    fn run(self, ts: &TreeSequence, sets: SampleSets, idx: &[Id], w: Option<&[f64]>, o: u32, e: &mut Exec) -> Stat {
        use SetStat::*;
        match self {
            Diversity => summary::diversity(ts, sets, w, o, e),
            SegregatingSites => summary::segregating_sites(ts, sets, w, o, e),
            Y1 => summary::y1(ts, sets, w, o, e),
            TajimasD => summary::tajimas_d(ts, sets, w, o, e),
            Divergence => summary::divergence(ts, sets, idx, w, o, e),
            Fst => summary::fst(ts, sets, idx, w, o, e),
            Y2 => summary::y2(ts, sets, idx, w, o, e),
            F2 => summary::f2(ts, sets, idx, w, o, e),
            GeneticRelatedness => summary::genetic_relatedness(ts, sets, idx, w, o, e),
            Y3 => summary::y3(ts, sets, idx, w, o, e),
            F3 => summary::f3(ts, sets, idx, w, o, e),
            F4 => summary::f4(ts, sets, idx, w, o, e),
            DivergenceMatrix => matrix::divergence_matrix(ts, sets, w, o, e),
            GeneticRelatednessMatrix => matrix::genetic_relatedness_matrix(ts, sets, w, o, e),
            AlleleFrequencySpectrum => afs::allele_frequency_spectrum(ts, sets, w, o, e),
        }
    }
}

/// The statistics of weights given per sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightStat {
    TraitCovariance,
    TraitCorrelation,
    GeneticRelatednessWeighted,
}

impl WeightStat {
    /// Weight columns per index tuple; 0 for a statistic without index tuples.
    pub fn tuple(self) -> usize {
        match self {
            WeightStat::GeneticRelatednessWeighted => 2,
            _ => 0,
        }
    }
}

type Stat = Result<Vec<f64>>;

/// The number of values of a statistic with `row` values per window (per
/// node and window in node mode), after checking the mode and `windows`.
fn checked_len(ts: &TreeSequence, windows: Option<&[f64]>, options: u32, row: usize) -> Result<usize> {
    let mode = mode_of(options)?;
    let nw = windows_of(ts, windows)?.len() - 1;
    Ok(result_len(ts, mode, nw, row))
}

/// Refuses node mode (checked before the buffer length, which node mode
/// would change), reporting a bad combination of modes first.
fn no_node_mode(options: u32, what: &str) -> Result<()> {
    if options & opt::NODE != 0 {
        mode_of(options)?;
        fail!(Error::UnsupportedStatMode, "{what}");
    }
    Ok(())
}

/// The number of values `stat` gives for these arguments.
pub fn sets_stat_len(
    ts: &TreeSequence,
    stat: SetStat,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
) -> Result<usize> {
    let tuple = stat.tuple();
    match stat {
        SetStat::DivergenceMatrix | SetStat::GeneticRelatednessMatrix => {
            no_node_mode(options, "matrices have no node mode")?;
            let k = sets.len();
            let mode = mode_of(options)?;
            let nw = windows_within(ts, windows)?.len() - 1;
            Ok(result_len(ts, mode, nw, k * k))
        }
        SetStat::AlleleFrequencySpectrum => {
            no_node_mode(options, "the allele frequency spectrum has no node mode")?;
            let mut row = 1usize;
            for d in afs::afs_dims(sets) {
                row = row
                    .checked_mul(d)
                    .ok_or_else(|| Failure::new(Error::BadParamValue, "spectrum too large"))?;
            }
            checked_len(ts, windows, options, row)
        }
        _ if tuple > 0 => checked_len(ts, windows, options, indexes.len() / tuple),
        _ => checked_len(ts, windows, options, sets.len()),
    }
}

/// Runs `stat` on sample sets (and index tuples, for a k-way statistic:
/// `tuple()` sets each, flattened) into the buffer `out(len)` gives.
#[allow(clippy::too_many_arguments)]
pub fn sets_stat_into<'o>(
    ts: &TreeSequence,
    stat: SetStat,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
    out: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    let need = sets_stat_len(ts, stat, sets, indexes, windows, options)?;
    let buf = out(need)?;
    if stat != SetStat::AlleleFrequencySpectrum {
        return copy_out(need, buf, stat.run(ts, sets, indexes, windows, options, exec));
    }
    // Written in place: a spectrum can be large. A call that fails once
    // writing has begun (cancelled, or an internal error) sets every value
    // to NaN rather than leave a partial spectrum.
    let mut started = false;
    let outcome = afs::allele_frequency_spectrum_into(ts, sets, windows, options, exec, |len| {
        if len != need {
            fail!(Error::Internal, "spectrum of {len} values, expected {need}");
        }
        started = true;
        Ok(&mut buf[..need])
    });
    if outcome.is_err() && started {
        buf[..need].fill(f64::NAN);
    }
    outcome
}

/// Runs `stat` on `[sample][column]` weights (and index pairs of columns,
/// for weighted relatedness) into the buffer `out(len)` gives.
#[allow(clippy::too_many_arguments)]
pub fn weights_stat_into<'o>(
    ts: &TreeSequence,
    stat: WeightStat,
    weights: &[f64],
    num_weights: usize,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
    out: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    let row = match stat.tuple() {
        0 => num_weights,
        t => indexes.len() / t,
    };
    let need = checked_len(ts, windows, options, row)?;
    let buf = out(need)?;
    let values = match stat {
        WeightStat::TraitCovariance => summary::trait_covariance(ts, weights, num_weights, windows, options, exec),
        WeightStat::TraitCorrelation => summary::trait_correlation(ts, weights, num_weights, windows, options, exec),
        WeightStat::GeneticRelatednessWeighted => {
            summary::genetic_relatedness_weighted(ts, weights, num_weights, indexes, windows, options, exec)
        }
    };
    copy_out(need, buf, values)
}

/// tskit's general statistic into the buffer `out(len)` gives.
pub fn general_stat_into<'o>(
    ts: &TreeSequence,
    weights: &[f64],
    summary: &Summary,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
    out: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    let need = checked_len(ts, windows, options, summary.result_dim.max(1))?;
    let buf = out(need)?;
    copy_out(
        need,
        buf,
        super::general_stat(ts, weights, summary, windows, options, exec),
    )
}

fn copy_out(need: usize, buf: &mut [f64], values: Stat) -> Result<()> {
    let values = values?;
    if values.len() != need {
        fail!(
            Error::Internal,
            "statistic gave {} values, expected {need}",
            values.len()
        );
    }
    buf[..need].copy_from_slice(&values);
    Ok(())
}
