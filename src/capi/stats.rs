//! Sample-set statistics. Arguments as tskit's C statistics, then `exec`
//! (NULL: default threads, no progress), then the output buffer and its
//! length. Output `[window][index]` (site, branch), `[window][node][index]`
//! (node), `[window][K][K]` (matrices), `[window][n_0 + 1]...[n_k + 1]`
//! (frequency spectra). `windows` holds `num_windows + 1` breakpoints from 0
//! to the sequence length (the two matrices: within `[0, L]`, the ends of
//! the genome may be left out); NULL means one window over the whole genome.
//!
//! NaN means what it means in tskit: a value that is 0 / 0 (a one-sample
//! set's diversity, say). In branch mode tskit sums every branch into one
//! running total, so a result whose summary is not finite on some branch is
//! NaN in every window from where that branch starts to the end of the
//! genome, stretches without edges included; tspar gives the same.

use std::ffi::{c_int, c_void};

use super::exec::{tspar_exec_t, Settings};
use super::treeseq::tspar_treeseq_t;
use super::*;
use crate::error::{fail, Error, Failure, Result};
use crate::stats::call::{self, Input, SetStat, WeightStat};
use crate::stats::{SampleSets, Summary};
use crate::treeseq::TreeSequence;
use std::ptr::null;

/// Site mode (the default when no mode is given).
pub const TSPAR_STAT_SITE: tspar_flags_t = 1 << 0;
/// Branch mode.
pub const TSPAR_STAT_BRANCH: tspar_flags_t = 1 << 1;
/// Node mode.
pub const TSPAR_STAT_NODE: tspar_flags_t = 1 << 2;
/// Leave the ancestral allele (branch: the complement) out.
pub const TSPAR_STAT_POLARISED: tspar_flags_t = 1 << 10;
/// Divide each window's values by its span.
pub const TSPAR_STAT_SPAN_NORMALISE: tspar_flags_t = 1 << 11;
/// Allow branch statistics when time units are "uncalibrated".
pub const TSPAR_STAT_ALLOW_TIME_UNCALIBRATED: tspar_flags_t = 1 << 12;
/// Genetic relatedness: not centred.
pub const TSPAR_STAT_NONCENTRED: tspar_flags_t = 1 << 14;
/// Genetic relatedness: divided by the segregating sites of the union of
/// the sample sets (tskit Python's `proportion=True`). tspar's own bit.
pub const TSPAR_STAT_PROPORTION: tspar_flags_t = 1 << 20;

/// A summary function for `tspar_treeseq_general_stat`: `state_dim`
/// weights in, `result_dim` values out; non-zero return is an error. With
/// more than one thread it is called from several worker threads at once.
pub type tspar_general_stat_func_t = Option<
    unsafe extern "C" fn(
        state_dim: tspar_size_t,
        state: *const f64,
        result_dim: tspar_size_t,
        result: *mut f64,
        params: *mut c_void,
    ) -> c_int,
>;

/// # Safety
/// `p` is NULL or a live handle.
unsafe fn ts_of<'a>(p: *const tspar_treeseq_t) -> Result<&'a TreeSequence> {
    // SAFETY: forwarded contract.
    unsafe { deref(p, "ts") }.map(|h| h.inner())
}

/// # Safety
/// Pointers valid for the lengths given.
pub(super) unsafe fn sets_of<'a>(
    num: tspar_size_t,
    sizes: *const tspar_size_t,
    ids: *const tspar_id_t,
) -> Result<SampleSets<'a>> {
    // SAFETY: forwarded contract.
    unsafe { sets_named(num, sizes, ids, ("sample_set_sizes", "sample_sets")) }
}

/// `num` sets given as their sizes and their ids one after another, the
/// two arguments being called `names` in messages.
///
/// # Safety
/// `sizes` valid for `num` values and `ids` for their sum.
pub(super) unsafe fn sets_named<'a>(
    num: tspar_size_t,
    sizes: *const tspar_size_t,
    ids: *const tspar_id_t,
    names: (&str, &str),
) -> Result<SampleSets<'a>> {
    // SAFETY: forwarded contract.
    let sizes = unsafe { slice(sizes, num, names.0) }?;
    let mut total = 0u64;
    for &s in sizes {
        total = total
            .checked_add(s)
            .ok_or_else(|| Failure::new(Error::BadParamValue, format!("{} overflow", names.0)))?;
    }
    // SAFETY: forwarded contract.
    let ids = unsafe { slice(ids, total, names.1) }?;
    Ok(SampleSets::new(sizes, ids))
}

/// `num` index tuples of `tuple` ids each (none when `tuple` is 0).
///
/// # Safety
/// `p` valid for `num * tuple` ids.
pub(super) unsafe fn tuples_of<'a>(num: tspar_size_t, tuple: usize, p: *const tspar_id_t) -> Result<&'a [tspar_id_t]> {
    if tuple == 0 {
        return Ok(&[]);
    }
    let n = num
        .checked_mul(tuple as u64)
        .ok_or_else(|| Failure::new(Error::BadParamValue, "num_index_tuples too large"))?;
    // SAFETY: forwarded contract.
    unsafe { slice(p, n, "index_tuples") }
}

/// `[sample][column]` weights with `columns` columns.
///
/// # Safety
/// `p` valid for `num_samples * columns` values.
unsafe fn weights_of<'a>(ts: &TreeSequence, columns: tspar_size_t, p: *const f64, what: &str) -> Result<&'a [f64]> {
    let Some(len) = (ts.samples().len() as u64).checked_mul(columns) else {
        let arg = if what == "weights" { "num_weights" } else { "state_dim" };
        fail!(Error::BadParamValue, "{arg} too large");
    };
    // SAFETY: forwarded contract.
    unsafe { slice(p, len, what) }
}

/// # Safety
/// `windows` is NULL or holds `num_windows + 1` values.
pub(super) unsafe fn windows_arg<'a>(num_windows: tspar_size_t, windows: *const f64) -> Result<Option<&'a [f64]>> {
    if windows.is_null() {
        return Ok(None);
    }
    if num_windows == 0 {
        fail!(Error::BadNumWindows, "num_windows is 0");
    }
    // SAFETY: forwarded contract.
    unsafe { slice(windows, num_windows + 1, "windows") }.map(Some)
}

/// The caller's result buffer, asked for by the core once it knows how many
/// values it writes: too short is `TSPAR_ERR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `result` valid for `result_length` values, used by nothing else during the call.
pub(super) unsafe fn output<'o>(
    result: *mut f64,
    result_length: tspar_size_t,
) -> impl FnOnce(usize) -> Result<&'o mut [f64]> {
    move |need| {
        if (result_length as u128) < need as u128 {
            fail!(
                Error::BufferTooSmall,
                "result has {result_length} values; {need} are needed"
            );
        }
        // SAFETY: forwarded contract.
        unsafe { slice_mut(result, result_length, "result") }
    }
}

/// A statistic of sample sets (and index tuples, for a k-way statistic):
/// the pointers made slices, everything else in the core.
///
/// # Safety
/// The C API contract for every pointer argument.
#[allow(clippy::too_many_arguments)]
unsafe fn sets_call(
    stat: SetStat,
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let sets = sets_of(num_sample_sets, sample_set_sizes, sample_sets)?;
            let idx = tuples_of(num_index_tuples, stat.tuple(), index_tuples)?;
            let w = windows_arg(num_windows, windows)?;
            let out = output(result, result_length);
            let input = Input::Sets(stat, sets, idx);
            Settings::from(exec)?.run(|e| call::stat_into(ts, input, w, options, e, out))
        }
    })
}

/// A statistic of per-sample weights (and index pairs of weight columns,
/// for weighted relatedness): the pointers made slices, everything else in
/// the core.
///
/// # Safety
/// The C API contract for every pointer argument.
#[allow(clippy::too_many_arguments)]
unsafe fn weights_call(
    stat: WeightStat,
    ts: *const tspar_treeseq_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let wts = weights_of(ts, num_weights, weights, "weights")?;
            let idx = tuples_of(num_index_tuples, stat.tuple(), index_tuples)?;
            let w = windows_arg(num_windows, windows)?;
            let out = output(result, result_length);
            let input = Input::Weights(stat, wts, num_weights as usize, idx);
            Settings::from(exec)?.run(|e| call::stat_into(ts, input, w, options, e, out))
        }
    })
}

/// Mean pairwise difference within each sample set (tskit's diversity).
/// Output `[window][set]` (node mode `[window][node][set]`).
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_diversity(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::Diversity,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Segregating sites (site mode) or the branch/node analogue, per set.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_segregating_sites(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::SegregatingSites,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// tskit's Y1 per sample set.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_Y1(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::Y1,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Tajima's D per sample set, from diversity and segregating sites not
/// span-normalised (as tskit's Python; the span-normalise bit is ignored).
/// NaN where the denominator is zero (no segregating sites, or fewer than
/// four samples), where tskit gives NaN or ±inf as its numerator rounds.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_Tajimas_D(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::TajimasD,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Mean divergence between pairs of sample sets given by index pairs
/// (within a set: over distinct pairs). Output `[window][pair]`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_divergence(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::Divergence,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Fst between pairs: `1 - 2 (d_i + d_j) / (d_i + d_j + 2 d_ij)` (tskit's Python).
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_Fst(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::Fst,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// tskit's Y2 for index pairs.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_Y2(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::Y2,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// tskit's f2 for index pairs.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_f2(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::F2,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Genetic relatedness for index pairs; options `TSPAR_STAT_NONCENTRED`,
/// `TSPAR_STAT_PROPORTION`, `TSPAR_STAT_POLARISED` (tskit Python's
/// default is polarised, centred, proportion).
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_genetic_relatedness(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::GeneticRelatedness,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// tskit's Y3 for index triples.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_Y3(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::Y3,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// tskit's f3 for index triples.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_f3(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::F3,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// tskit's f4 for index quadruples.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_f4(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::F4,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Trait covariance: `weights` is `[sample][trait]` over the tree
/// sequence's samples in order. Output `[window][trait]`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_trait_covariance(
    ts: *const tspar_treeseq_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        weights_call(
            WeightStat::TraitCovariance,
            ts,
            num_weights,
            weights,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Trait correlation: as trait covariance, the traits standardised.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_trait_correlation(
    ts: *const tspar_treeseq_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        weights_call(
            WeightStat::TraitCorrelation,
            ts,
            num_weights,
            weights,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Divergence between every pair of sample sets: `[window][K][K]`;
/// diagonals over distinct pairs (0 for a one-sample set). Site and
/// branch modes, not polarised. As in tskit: the windows may leave out the
/// start and the end of the genome; a sample in two sets is
/// `TSPAR_ERR_DUPLICATE_SAMPLE`; no sample sets give no values (K = 0).
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_divergence_matrix(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::DivergenceMatrix,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Genetic relatedness between every pair of sample sets (tskit
/// Python's `genetic_relatedness_matrix`): `[window][K][K]`. Windows and
/// sample sets as for `tspar_treeseq_divergence_matrix`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_genetic_relatedness_matrix(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::GeneticRelatednessMatrix,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// Weighted genetic relatedness between pairs of weight columns
/// (`weights` is `[sample][column]`). Option `TSPAR_STAT_NONCENTRED`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_genetic_relatedness_weighted(
    ts: *const tspar_treeseq_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        weights_call(
            WeightStat::GeneticRelatednessWeighted,
            ts,
            num_weights,
            weights,
            num_index_tuples,
            index_tuples,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// The joint allele frequency spectrum of the sample sets: output
/// `[window][n_0 + 1]...[n_{k-1} + 1]`. Folded unless
/// `TSPAR_STAT_POLARISED`. Site and branch modes. The spectrum is written
/// straight into `result` (it can be large); a call refused before it
/// starts (bad arguments, short buffer) writes nothing, and one that fails
/// after it started (`TSPAR_ERR_CANCELLED`, an internal error) leaves every
/// value NaN, never a partial spectrum. Every other statistic writes
/// `result` only on success.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_allele_frequency_spectrum(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe {
        sets_call(
            SetStat::AlleleFrequencySpectrum,
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            0,
            null(),
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
        )
    }
}

/// The caller's summary callback and its parameter pointer.
struct CSummary {
    f: unsafe extern "C" fn(tspar_size_t, *const f64, tspar_size_t, *mut f64, *mut c_void) -> c_int,
    params: *mut c_void,
}

// SAFETY: the documented contract of tspar_treeseq_general_stat: with more
// than one thread the callback is called from several threads at once, and
// the caller makes it (and what `params` points to) safe for that.
unsafe impl Sync for CSummary {}
// SAFETY: as above.
unsafe impl Send for CSummary {}

/// tskit's general statistic with the caller's summary function.
/// `sample_weights` is `[sample][state_dim]` over the tree sequence's samples
/// in order; output `[window][result_dim]` (node mode
/// `[window][node][result_dim]`). With one thread `f` is called on the
/// calling thread only (the progress callback then runs between pieces);
/// with more than one, from worker threads, several at once: it must be
/// thread-safe. A non-zero return from `f` stops the call with
/// `TSPAR_ERR_SUMMARY_FUNC`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_general_stat(
    ts: *const tspar_treeseq_t,
    state_dim: tspar_size_t,
    sample_weights: *const f64,
    result_dim: tspar_size_t,
    f: tspar_general_stat_func_t,
    f_params: *mut c_void,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        let Some(func) = f else {
            fail!(Error::NullPointer, "f is NULL");
        };
        // SAFETY: the C API contract for every pointer argument.
        let (ts, wts, w) = unsafe {
            let ts = ts_of(ts)?;
            let wts = weights_of(ts, state_dim, sample_weights, "sample_weights")?;
            (ts, wts, windows_arg(num_windows, windows)?)
        };
        let cs = CSummary {
            f: func,
            params: f_params,
        };
        let cs = &cs;
        let summary = Summary::new(state_dim as usize, result_dim as usize, move |x, out| {
            // SAFETY: x and out are valid for the dimensions passed; the
            // callback's own contract is the caller's.
            let r = unsafe {
                (cs.f)(
                    x.len() as u64,
                    x.as_ptr(),
                    out.len() as u64,
                    out.as_mut_ptr(),
                    cs.params,
                )
            };
            if r != 0 {
                fail!(Error::SummaryFunc, "the summary function returned {r}");
            }
            Ok(())
        });
        // SAFETY: exec and result by the C API contract.
        let (settings, out) = unsafe { (Settings::from(exec)?, output(result, result_length)) };
        settings.run(|e| call::stat_into(ts, Input::General(wts, &summary), w, options, e, out))
    })
}

/// The genetic relatedness matrix between samples times the weights, as
/// tskit's `genetic_relatedness_vector`, without building the matrix:
/// `weights` is `[sample][column]` with `num_weights` columns over the tree
/// sequence's samples in order; output `[window][node][column]`, one row
/// per focal node (`nodes`, or the samples in order when `nodes` is NULL).
///
/// Branch mode: the relatedness of a node and a sample is the branch
/// length above both (tskit's, polarised). Site mode (which tskit lacks):
/// centred, the product equals tskit's site-mode
/// `genetic_relatedness_matrix` between one-sample sets times the weights
/// (`-1/2 P D P W`, `D` the number of sites at which two samples differ,
/// `P` the centring); with `TSPAR_STAT_NONCENTRED` it is `1/2 M W`, `M` the
/// number of sites at which two samples carry the same allele, whose
/// centring is the centred product.
///
/// Centred (the default): the weight columns are centred before and the
/// output columns after the product. `TSPAR_STAT_NONCENTRED` leaves both
/// as they are; focal `nodes` need it (as in tskit). Options
/// `TSPAR_STAT_SITE` or `TSPAR_STAT_BRANCH`, `TSPAR_STAT_SPAN_NORMALISE`.
/// Windows from 0 to the sequence length. Parallel over pieces of the
/// genome, the same bits for every thread count, cancellable through
/// `exec`. Its cost grows with the number of edges times `num_weights`,
/// not with the square of the number of samples.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_genetic_relatedness_vector(
    ts: *const tspar_treeseq_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_windows: tspar_size_t,
    windows: *const f64,
    num_nodes: tspar_size_t,
    nodes: *const tspar_id_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let wts = weights_of(ts, num_weights, weights, "weights")?;
            let w = windows_arg(num_windows, windows)?;
            let nodes = if nodes.is_null() {
                None
            } else {
                Some(slice(nodes, num_nodes, "nodes")?)
            };
            let k = usize::try_from(num_weights).unwrap_or(usize::MAX);
            let need = crate::stats::relvec::output_len(ts, k, w, nodes, options)?;
            let out = output(result, result_length)(need)?;
            Settings::from(exec)?.run(|e| {
                let v = crate::stats::relvec::genetic_relatedness_vector(ts, wts, k, w, nodes, options, e)?;
                out[..need].copy_from_slice(&v);
                Ok(())
            })
        }
    })
}

/// Principal components of the genetic relatedness matrix between samples
/// or individuals, as tskit's `pca`: a randomized SVD (Martinsson and
/// Tropp's algorithms 8 and 9) over `tspar_treeseq_genetic_relatedness_vector`,
/// never building the matrix. The relatedness is not span-normalised;
/// `options`: `TSPAR_STAT_BRANCH` (tskit's only mode) or `TSPAR_STAT_SITE`,
/// and `TSPAR_STAT_NONCENTRED` for tskit's `centre=False`.
///
/// Subjects: `samples` (`num_samples` sample node ids), or `individuals`
/// (`num_individuals` ids; each individual's nodes must be samples and its
/// relatedness is the mean over its nodes), or both NULL for every sample;
/// `dim` below is their number. Each window (NULL: one over the genome) is
/// analysed on its own with `nv = num_components + num_oversamples`
/// vectors and `num_iterations` (at least 1) power iterations, starting
/// from `range_sketch` (`[window][dim][nv]`, tskit's layout) or, when it
/// is NULL, from Gaussian vectors drawn from `random_seed` (tspar's own
/// generator: not numpy's stream).
///
/// Outputs (all required, each with its length): `factors`
/// `[window][dim][num_components]` (columns of norm 1, sign arbitrary),
/// `eigenvalues` `[window][num_components]` (largest first),
/// `range_sketch_out` `[window][dim][nv]` (pass it back to refine), and
/// `error_bound` `[window]` (tskit's bound; NaN when `num_oversamples` is
/// 0). Deterministic for every thread count; cancellable through `exec`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_pca(
    ts: *const tspar_treeseq_t,
    num_components: tspar_size_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    num_samples: tspar_size_t,
    samples: *const tspar_id_t,
    num_individuals: tspar_size_t,
    individuals: *const tspar_id_t,
    options: tspar_flags_t,
    num_iterations: tspar_size_t,
    num_oversamples: tspar_size_t,
    random_seed: u64,
    range_sketch: *const f64,
    exec: *const tspar_exec_t,
    factors: *mut f64,
    factors_length: tspar_size_t,
    eigenvalues: *mut f64,
    eigenvalues_length: tspar_size_t,
    range_sketch_out: *mut f64,
    range_sketch_out_length: tspar_size_t,
    error_bound: *mut f64,
    error_bound_length: tspar_size_t,
) -> c_int {
    use crate::stats::pca::{pca, PcaArgs, Subjects};
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let w = windows_arg(num_windows, windows)?;
            let subjects = match (samples.is_null(), individuals.is_null()) {
                (true, true) => None,
                (false, true) => Some(Subjects::Samples(slice(samples, num_samples, "samples")?)),
                (true, false) => Some(Subjects::Individuals(slice(
                    individuals,
                    num_individuals,
                    "individuals",
                )?)),
                (false, false) => fail!(Error::BadParamValue, "give samples or individuals, not both"),
            };
            let dim = match subjects {
                None => ts.samples().len(),
                Some(Subjects::Samples(s)) => s.len(),
                Some(Subjects::Individuals(i)) => i.len(),
            } as u128;
            let nw = crate::stats::windows_of(ts, w)?.len() as u128 - 1;
            let (rank, over) = (num_components as u128, num_oversamples as u128);
            let nv = rank + over;
            let sketch = if range_sketch.is_null() {
                None
            } else {
                let n = u64::try_from(nw * dim * nv)
                    .map_err(|_| Failure::new(Error::BadParamValue, "range_sketch too large"))?;
                Some(slice(range_sketch, n, "range_sketch")?)
            };
            let need = [nw * dim * rank, nw * rank, nw * dim * nv, nw];
            let lens = [
                factors_length,
                eigenvalues_length,
                range_sketch_out_length,
                error_bound_length,
            ];
            let names = ["factors", "eigenvalues", "range_sketch_out", "error_bound"];
            for ((&n, &have), name) in need.iter().zip(&lens).zip(names) {
                if (have as u128) < n {
                    fail!(Error::BufferTooSmall, "{name} has {have} values; {n} are needed");
                }
            }
            let args = PcaArgs {
                num_components: usize::try_from(num_components).unwrap_or(usize::MAX),
                windows: w,
                subjects,
                options,
                num_iterations: usize::try_from(num_iterations).unwrap_or(usize::MAX),
                num_oversamples: usize::try_from(num_oversamples).unwrap_or(usize::MAX),
                random_seed,
                range_sketch: sketch,
            };
            let f = slice_mut(factors, factors_length, "factors")?;
            let e = slice_mut(eigenvalues, eigenvalues_length, "eigenvalues")?;
            let r = slice_mut(range_sketch_out, range_sketch_out_length, "range_sketch_out")?;
            let b = slice_mut(error_bound, error_bound_length, "error_bound")?;
            Settings::from(exec)?.run(|ex| {
                let out = pca(ts, &args, ex)?;
                f[..out.factors.len()].copy_from_slice(&out.factors);
                e[..out.eigenvalues.len()].copy_from_slice(&out.eigenvalues);
                r[..out.range_sketch.len()].copy_from_slice(&out.range_sketch);
                b[..out.error_bound.len()].copy_from_slice(&out.error_bound);
                Ok(())
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::opt;

    #[test]
    fn stat_flags_match_core() {
        let pairs = [
            (TSPAR_STAT_SITE, opt::SITE),
            (TSPAR_STAT_BRANCH, opt::BRANCH),
            (TSPAR_STAT_NODE, opt::NODE),
            (TSPAR_STAT_POLARISED, opt::POLARISED),
            (TSPAR_STAT_SPAN_NORMALISE, opt::SPAN_NORMALISE),
            (TSPAR_STAT_ALLOW_TIME_UNCALIBRATED, opt::ALLOW_TIME_UNCALIBRATED),
            (TSPAR_STAT_NONCENTRED, opt::NONCENTRED),
            (TSPAR_STAT_PROPORTION, opt::PROPORTION),
        ];
        for (c, r) in pairs {
            assert_eq!(c, r);
        }
    }
}
