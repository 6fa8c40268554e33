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

/// What a statistic takes besides its windows and options.
#[derive(Clone, Copy)]
pub enum Input<'a> {
    /// Sample sets, and for a k-way statistic its index tuples (`tuple()`
    /// sets each, flattened).
    Sets(SetStat, SampleSets<'a>, &'a [Id]),
    /// `[sample][column]` weights with this many columns, and for weighted
    /// relatedness its index pairs of columns.
    Weights(WeightStat, &'a [f64], usize, &'a [Id]),
    /// tskit's general statistic: `[sample][state_dim]` weights and the
    /// summary function.
    General(&'a [f64], &'a Summary<'a>),
}

impl Input<'_> {
    /// The number of values the statistic gives, its arguments checked as
    /// far as the number depends on them.
    pub fn output_len(&self, ts: &TreeSequence, windows: Option<&[f64]>, options: u32) -> Result<usize> {
        let row = match *self {
            Input::Sets(SetStat::DivergenceMatrix | SetStat::GeneticRelatednessMatrix, sets, _) => {
                no_node_mode(options, "matrices have no node mode")?;
                let k = sets.len();
                let mode = mode_of(options)?;
                let nw = windows_within(ts, windows)?.len() - 1;
                return Ok(result_len(ts, mode, nw, k * k));
            }
            Input::Sets(SetStat::AlleleFrequencySpectrum, sets, _) => {
                no_node_mode(options, "the allele frequency spectrum has no node mode")?;
                let mut row = 1usize;
                for d in afs::afs_dims(sets) {
                    row = row
                        .checked_mul(d)
                        .ok_or_else(|| Failure::new(Error::BadParamValue, "spectrum too large"))?;
                }
                row
            }
            Input::Sets(stat, sets, indexes) => match stat.tuple() {
                0 => sets.len(),
                t => indexes.len() / t,
            },
            Input::Weights(stat, _, columns, indexes) => match stat.tuple() {
                0 => columns,
                t => indexes.len() / t,
            },
            Input::General(_, summary) => summary.result_dim.max(1),
        };
        checked_len(ts, windows, options, row)
    }

    fn run(self, ts: &TreeSequence, w: Option<&[f64]>, o: u32, e: &mut Exec) -> Stat {
        match self {
            Input::Sets(stat, sets, indexes) => stat.run(ts, sets, indexes, w, o, e),
            Input::Weights(stat, weights, k, indexes) => match stat {
                WeightStat::TraitCovariance => summary::trait_covariance(ts, weights, k, w, o, e),
                WeightStat::TraitCorrelation => summary::trait_correlation(ts, weights, k, w, o, e),
                WeightStat::GeneticRelatednessWeighted => {
                    summary::genetic_relatedness_weighted(ts, weights, k, indexes, w, o, e)
                }
            },
            Input::General(weights, summary) => super::general_stat(ts, weights, summary, w, o, e),
        }
    }
}

/// Runs a statistic into the buffer `out(len)` gives once the arguments
/// that decide `len` are checked.
pub fn stat_into<'o>(
    ts: &TreeSequence,
    input: Input,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
    out: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    let need = input.output_len(ts, windows, options)?;
    let buf = out(need)?;
    let Input::Sets(SetStat::AlleleFrequencySpectrum, sets, _) = input else {
        return copy_out(need, buf, input.run(ts, windows, options, exec));
    };
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
