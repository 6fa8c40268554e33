//! Sample-set statistics. Arguments as tskit's C statistics, then `exec`
//! (NULL: default threads, no progress), then the output buffer and its
//! length. Output `[window][index]` (site, branch), `[window][node][index]`
//! (node), `[window][K][K]` (matrices), `[window][n_0 + 1]...[n_k + 1]`
//! (frequency spectra). `windows` holds `num_windows + 1` breakpoints from 0
//! to the sequence length; NULL means one window over the whole genome.

use std::ffi::{c_int, c_void};

use super::exec::{tspar_exec_t, Settings};
use super::treeseq::tspar_treeseq_t;
use super::*;
use crate::error::{fail, Error, Failure, Result};
use crate::stats::{self, afs, matrix, opt, summary, Exec, Mode, SampleSets, Summary};
use crate::treeseq::TreeSequence;

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
unsafe fn sets_of<'a>(num: tspar_size_t, sizes: *const tspar_size_t, ids: *const tspar_id_t) -> Result<SampleSets<'a>> {
    // SAFETY: forwarded contract.
    let sizes = unsafe { slice(sizes, num, "sample_set_sizes") }?;
    let mut total = 0u64;
    for &s in sizes {
        total = total
            .checked_add(s)
            .ok_or_else(|| Failure::new(Error::BadParamValue, "sample set sizes overflow"))?;
    }
    // SAFETY: forwarded contract.
    let ids = unsafe { slice(ids, total, "sample_sets") }?;
    Ok(SampleSets::new(sizes, ids))
}

/// # Safety
/// `windows` is NULL or holds `num_windows + 1` values.
unsafe fn windows_arg<'a>(num_windows: tspar_size_t, windows: *const f64) -> Result<Option<&'a [f64]>> {
    if windows.is_null() {
        return Ok(None);
    }
    if num_windows == 0 {
        fail!(Error::BadNumWindows, "num_windows is 0");
    }
    // SAFETY: forwarded contract.
    unsafe { slice(windows, num_windows + 1, "windows") }.map(Some)
}

/// Checks mode, windows and the buffer length, runs `f`, copies out.
#[allow(clippy::too_many_arguments)]
///
/// # Safety
/// `exec` NULL or live; `result` valid for `result_length`.
unsafe fn run_into(
    ts: &TreeSequence,
    windows: Option<&[f64]>,
    options: tspar_flags_t,
    row: usize,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
    f: impl FnOnce(&mut Exec) -> Result<Vec<f64>>,
) -> Result<()> {
    let (mode, nw) = summary::check_common(ts, windows, options)?;
    let per_window = if mode == Mode::Node {
        row.checked_mul(ts.num_nodes())
    } else {
        Some(row)
    };
    let need = per_window.and_then(|r| r.checked_mul(nw)).unwrap_or(usize::MAX);
    if (result_length as u128) < need as u128 {
        fail!(
            Error::BufferTooSmall,
            "result has {result_length} values; {need} are needed"
        );
    }
    // SAFETY: forwarded contract.
    let out = unsafe { slice_mut(result, result_length, "result") }?;
    // SAFETY: forwarded contract.
    let settings = unsafe { Settings::from(exec) }?;
    let values = settings.run(f)?;
    if values.len() != need {
        fail!(
            Error::Internal,
            "statistic gave {} values, expected {need}",
            values.len()
        );
    }
    out[..need].copy_from_slice(&values);
    Ok(())
}

/// # Safety
/// The C API contract for every pointer argument.
#[allow(clippy::too_many_arguments)]
unsafe fn one_way_call(
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
    f: SetsFn,
) -> c_int {
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let sets = sets_of(num_sample_sets, sample_set_sizes, sample_sets)?;
            let w = windows_arg(num_windows, windows)?;
            run_into(ts, w, options, sets.len(), exec, result, result_length, |e| {
                f(ts, sets, w, options, e)
            })
        }
    })
}

type SetsFn = fn(&TreeSequence, SampleSets, Option<&[f64]>, u32, &mut Exec) -> Result<Vec<f64>>;
type WeightsFn = fn(&TreeSequence, &[f64], usize, Option<&[f64]>, u32, &mut Exec) -> Result<Vec<f64>>;
type KWayFn = fn(&TreeSequence, SampleSets, &[tspar_id_t], Option<&[f64]>, u32, &mut Exec) -> Result<Vec<f64>>;

/// # Safety
/// The C API contract for every pointer argument.
#[allow(clippy::too_many_arguments)]
unsafe fn k_way_call(
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
    tuple: u64,
    f: KWayFn,
) -> c_int {
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let sets = sets_of(num_sample_sets, sample_set_sizes, sample_sets)?;
            let n = num_index_tuples
                .checked_mul(tuple)
                .ok_or_else(|| Failure::new(Error::BadParamValue, "num_index_tuples too large"))?;
            let idx = slice(index_tuples, n, "index_tuples")?;
            let w = windows_arg(num_windows, windows)?;
            run_into(
                ts,
                w,
                options,
                num_index_tuples as usize,
                exec,
                result,
                result_length,
                |e| f(ts, sets, idx, w, options, e),
            )
        }
    })
}

/// # Safety
/// The C API contract for every pointer argument.
#[allow(clippy::too_many_arguments)]
unsafe fn weighted_call(
    ts: *const tspar_treeseq_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
    f: WeightsFn,
) -> c_int {
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let len = (ts.samples().len() as u64)
                .checked_mul(num_weights)
                .ok_or_else(|| Failure::new(Error::BadParamValue, "num_weights too large"))?;
            let wts = slice(weights, len, "weights")?;
            let w = windows_arg(num_windows, windows)?;
            run_into(ts, w, options, num_weights as usize, exec, result, result_length, |e| {
                f(ts, wts, num_weights as usize, w, options, e)
            })
        }
    })
}

/// # Safety
/// The C API contract for every pointer argument.
#[allow(clippy::too_many_arguments)]
unsafe fn matrix_call(
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
    f: SetsFn,
) -> c_int {
    status(|| {
        // SAFETY: forwarded contract.
        unsafe {
            let ts = ts_of(ts)?;
            let sets = sets_of(num_sample_sets, sample_set_sizes, sample_sets)?;
            let w = windows_arg(num_windows, windows)?;
            if options & opt::NODE != 0 {
                stats::mode_of(options)?;
                fail!(Error::UnsupportedStatMode, "matrices have no node mode");
            }
            let k = sets.len();
            run_into(ts, w, options, k * k, exec, result, result_length, |e| {
                f(ts, sets, w, options, e)
            })
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
        one_way_call(
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            summary::diversity,
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
        one_way_call(
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            summary::segregating_sites,
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
        one_way_call(
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            summary::y1,
        )
    }
}

/// Tajima's D per sample set, from diversity and segregating sites not
/// span-normalised (as tskit's Python; the span-normalise bit is ignored).
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
        one_way_call(
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            summary::tajimas_d,
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
        k_way_call(
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
            2,
            summary::divergence,
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
        k_way_call(
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
            2,
            summary::fst,
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
        k_way_call(
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
            2,
            summary::y2,
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
        k_way_call(
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
            2,
            summary::f2,
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
        k_way_call(
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
            2,
            summary::genetic_relatedness,
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
        k_way_call(
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
            3,
            summary::y3,
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
        k_way_call(
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
            3,
            summary::f3,
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
        k_way_call(
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
            4,
            summary::f4,
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
        weighted_call(
            ts,
            num_weights,
            weights,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            summary::trait_covariance,
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
        weighted_call(
            ts,
            num_weights,
            weights,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            summary::trait_correlation,
        )
    }
}

/// Divergence between every pair of sample sets: `[window][K][K]`;
/// diagonals over distinct pairs (0 for a one-sample set). Site and
/// branch modes, not polarised.
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
        matrix_call(
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            matrix::divergence_matrix,
        )
    }
}

/// Genetic relatedness between every pair of sample sets (tskit
/// Python's `genetic_relatedness_matrix`): `[window][K][K]`.
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
        matrix_call(
            ts,
            num_sample_sets,
            sample_set_sizes,
            sample_sets,
            num_windows,
            windows,
            options,
            exec,
            result,
            result_length,
            matrix::genetic_relatedness_matrix,
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
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let ts = ts_of(ts)?;
            let len = (ts.samples().len() as u64)
                .checked_mul(num_weights)
                .ok_or_else(|| Failure::new(Error::BadParamValue, "num_weights too large"))?;
            let wts = slice(weights, len, "weights")?;
            let n = num_index_tuples
                .checked_mul(2)
                .ok_or_else(|| Failure::new(Error::BadParamValue, "num_index_tuples too large"))?;
            let idx = slice(index_tuples, n, "index_tuples")?;
            let w = windows_arg(num_windows, windows)?;
            run_into(
                ts,
                w,
                options,
                num_index_tuples as usize,
                exec,
                result,
                result_length,
                |e| summary::genetic_relatedness_weighted(ts, wts, num_weights as usize, idx, w, options, e),
            )
        }
    })
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
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let ts = ts_of(ts)?;
            let sets = sets_of(num_sample_sets, sample_set_sizes, sample_sets)?;
            let w = windows_arg(num_windows, windows)?;
            if options & opt::NODE != 0 {
                // Checked before the buffer length, which node mode would change.
                stats::mode_of(options)?;
                fail!(
                    Error::UnsupportedStatMode,
                    "the allele frequency spectrum has no node mode"
                );
            }
            let mut row = 1usize;
            for d in afs::afs_dims(sets) {
                row = row
                    .checked_mul(d)
                    .ok_or_else(|| Failure::new(Error::BadParamValue, "spectrum too large"))?;
            }
            let (_, nw) = summary::check_common(ts, w, options)?;
            let need = row.saturating_mul(nw);
            if (result_length as u128) < need as u128 {
                fail!(
                    Error::BufferTooSmall,
                    "result has {result_length} values; {need} are needed"
                );
            }
            let out = slice_mut(result, result_length, "result")?;
            let settings = Settings::from(exec)?;
            // Written in place: a spectrum can be large. A call that fails
            // once writing has begun (cancelled, or an internal error) sets
            // every value to NaN rather than leave a partial spectrum.
            let mut started = false;
            let outcome = settings.run(|e| {
                afs::allele_frequency_spectrum_into(ts, sets, w, options, e, |len| {
                    if len != need {
                        fail!(Error::Internal, "spectrum of {len} values, expected {need}");
                    }
                    started = true;
                    Ok(&mut out[..need])
                })
            });
            if outcome.is_err() && started {
                out[..need].fill(f64::NAN);
            }
            outcome
        }
    })
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
/// `[window][node][result_dim]`). With more than one thread `f` is called
/// from worker threads, several at once: it must be thread-safe. A non-zero
/// return from `f` stops the call with `TSPAR_ERR_SUMMARY_FUNC`.
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
            let len = (ts.samples().len() as u64)
                .checked_mul(state_dim)
                .ok_or_else(|| Failure::new(Error::BadParamValue, "state_dim too large"))?;
            (
                ts,
                slice(sample_weights, len, "sample_weights")?,
                windows_arg(num_windows, windows)?,
            )
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
        unsafe {
            run_into(
                ts,
                w,
                options,
                (result_dim as usize).max(1),
                exec,
                result,
                result_length,
                |e| stats::general_stat(ts, wts, &summary, w, options, e),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
