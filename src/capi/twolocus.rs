//! Two-locus statistics: linkage disequilibrium matrices (tskit's
//! `ld_matrix`), in site and branch mode.

use std::ffi::c_int;

use super::exec::{tspar_exec_t, Settings};
use super::stats::{output, sets_of, tuples_of, windows_arg};
use super::treeseq::tspar_treeseq_t;
use super::*;
use crate::error::{fail, Error, Failure};
use crate::stats::twolocus::{self, LdStat, Loci};
use crate::stats::SampleSets;

/// r²: the squared correlation of the alleles (haplotype-weighted over
/// allele pairs at multi-allelic sites). Two-way form: r_i r_j.
pub const TSPAR_LD_R2: c_int = 0;
/// r: the correlation (polarised).
pub const TSPAR_LD_R: c_int = 1;
/// D²; two-way form D_i D_j.
pub const TSPAR_LD_D2: c_int = 2;
/// D = p_AB - p_A p_B (polarised).
pub const TSPAR_LD_D: c_int = 3;
/// D' (Lewontin's normalised D; polarised).
pub const TSPAR_LD_D_PRIME: c_int = 4;
/// Dz = D (1 - 2 p_A)(1 - 2 p_B).
pub const TSPAR_LD_DZ: c_int = 5;
/// pi2 = p_A (1 - p_A) p_B (1 - p_B).
pub const TSPAR_LD_PI2: c_int = 6;
/// The unbiased estimator of D² (Ragsdale and Gravel 2019); two-way form too.
pub const TSPAR_LD_D2_UNBIASED: c_int = 7;
/// The unbiased estimator of Dz.
pub const TSPAR_LD_DZ_UNBIASED: c_int = 8;
/// The unbiased estimator of pi2.
pub const TSPAR_LD_PI2_UNBIASED: c_int = 9;

/// A two-locus statistic between row and column loci, as tskit's Python
/// `ld_matrix` (tskit's C `tsk_treeseq_r2` and kin, one function with a
/// `stat` code `TSPAR_LD_*`).
///
/// Site mode (`TSPAR_STAT_SITE` or no mode): `row_sites` and `col_sites`
/// are site ids, each list strictly increasing; NULL means every site (the
/// count is then ignored). Branch mode (`TSPAR_STAT_BRANCH`): `row_positions`
/// and `col_positions` are genome positions in [0, L), strictly increasing;
/// NULL means the left end of every tree. The other mode's lists must be
/// NULL.
///
/// `num_index_tuples` = 0: one matrix per sample set. Otherwise
/// `index_tuples` holds that many pairs of sample set indexes and there is
/// one matrix per pair (only `TSPAR_LD_R2`, `TSPAR_LD_D2` and
/// `TSPAR_LD_D2_UNBIASED` have a two-way form; the others give
/// `TSPAR_ERR_TWO_WAY_UNSUPPORTED`, fewer than two sample sets
/// `TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS`). Sample sets may overlap; a sample
/// twice in one set is `TSPAR_ERR_DUPLICATE_SAMPLE`.
///
/// Output `[index][row][col]` (index: the sample set, or the index pair)
/// into `result`, which must hold at least that many values
/// (`TSPAR_ERR_BUFFER_TOO_SMALL`). Unsorted or repeated sites are
/// `TSPAR_ERR_STAT_UNSORTED_SITES` / `TSPAR_ERR_STAT_DUPLICATE_SITES`, a
/// site id out of range `TSPAR_ERR_SITE_OUT_OF_BOUNDS`; for positions
/// `TSPAR_ERR_STAT_UNSORTED_POSITIONS`, `TSPAR_ERR_STAT_DUPLICATE_POSITIONS`,
/// `TSPAR_ERR_POSITION_OUT_OF_BOUNDS`. NaN where tskit gives NaN (a site
/// without variation in a sample set, for r², r and D').
///
/// Runs on `exec`'s threads over blocks of rows; the result is the same
/// bits for every thread count. Cancellable through `exec`'s progress.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_ld_matrix(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    stat: c_int,
    num_rows: tspar_size_t,
    row_sites: *const tspar_id_t,
    row_positions: *const f64,
    num_cols: tspar_size_t,
    col_sites: *const tspar_id_t,
    col_positions: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: every pointer is NULL or valid for the lengths given (the
        // C API contract); the helpers check NULL before use.
        unsafe {
            let ts = deref(ts, "ts")?.arc();
            let sets = sets_of(num_sample_sets, sample_set_sizes, sample_sets)?;
            let idx = tuples_of(num_index_tuples, 2, index_tuples)?;
            let stat = LdStat::from_code(stat)?;
            let loci = |n: tspar_size_t, s: *const tspar_id_t, p: *const f64, side: &str| -> Result<Loci<'_>> {
                match (s.is_null(), p.is_null()) {
                    (false, false) => fail!(Error::BadParamValue, "both {side} sites and {side} positions given"),
                    (false, true) => Ok(Loci::Sites(Some(slice(s, n, "sites")?))),
                    (true, false) => Ok(Loci::Positions(Some(slice(p, n, "positions")?))),
                    (true, true) => Ok(Loci::Sites(None)),
                }
            };
            let rows = loci(num_rows, row_sites, row_positions, "row")?;
            let cols = loci(num_cols, col_sites, col_positions, "column")?;
            let out = output(result, result_length);
            Settings::from(exec)?.run(|e| twolocus::ld_matrix_into(ts, sets, idx, stat, rows, cols, options, e, out))
        }
    })
}

/// Divide pair coalescence counts by each index's number of pairs
/// (tskit's `pair_normalise=True`). tspar's own bit.
pub const TSPAR_STAT_PAIR_NORMALISE: tspar_flags_t = 1 << 21;

/// Pair coalescence counts (tskit's `pair_coalescence_counts`): for each
/// index pair of sample sets (i, j), the number of sample pairs, one from
/// each set (or two from set i when i = j), whose most recent common
/// ancestor is a node of each bin, weighted by genome span, per window.
///
/// `node_bin_map` gives each node's bin (`-1`: left out), all less than
/// `num_bins` (tskit Python's time windows are the bins of node times);
/// NULL makes every node its own bin (`num_bins` is then the number of
/// nodes and ignored). Output `[window][index][bin]`. Options:
/// `TSPAR_STAT_SPAN_NORMALISE` divides each window by its span where the
/// trees have edges; `TSPAR_STAT_PAIR_NORMALISE` divides each index by its
/// number of pairs. Sample sets must not overlap
/// (`TSPAR_ERR_DUPLICATE_SAMPLE`); a bad map is
/// `TSPAR_ERR_BAD_NODE_BIN_MAP`. Parallel over pieces of the genome, the
/// same bits for every thread count, cancellable through `exec`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_pair_coalescence_counts(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    num_bins: tspar_size_t,
    node_bin_map: *const tspar_id_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: every pointer is NULL or valid for the lengths given (the
        // C API contract); the helpers check NULL before use.
        unsafe {
            let ts = deref(ts, "ts")?.inner();
            let (sets, idx, w) = pair_args(
                num_sample_sets,
                sample_set_sizes,
                sample_sets,
                num_index_tuples,
                index_tuples,
                num_windows,
                windows,
            )?;
            let map = if node_bin_map.is_null() {
                None
            } else {
                Some(slice(node_bin_map, ts.num_nodes() as u64, "node_bin_map")?)
            };
            let out = output(result, result_length);
            Settings::from(exec)?.run(|e| {
                crate::stats::paircoal::pair_coalescence_counts_into(
                    ts,
                    sets,
                    idx,
                    w,
                    map,
                    num_bins as usize,
                    options,
                    e,
                    out,
                )
            })
        }
    })
}

const _: () = assert!(TSPAR_STAT_PAIR_NORMALISE == crate::stats::paircoal::PAIR_NORMALISE);

/// Sample sets, index pairs and windows of a pair coalescence call.
///
/// # Safety
/// Every pointer is NULL or valid for the lengths given.
#[allow(clippy::type_complexity)]
unsafe fn pair_args<'a>(
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
) -> Result<(SampleSets<'a>, &'a [tspar_id_t], Option<&'a [f64]>)> {
    // SAFETY: forwarded contract.
    unsafe {
        Ok((
            sets_of(num_sample_sets, sample_set_sizes, sample_sets)?,
            tuples_of(num_index_tuples, 2, index_tuples)?,
            windows_arg(num_windows, windows)?,
        ))
    }
}

/// Quantiles of pair coalescence times (tskit's
/// `pair_coalescence_quantiles`): for each window and index pair of sample
/// sets, the node time at which the share of coalesced pairs (weighted by
/// span) first reaches each of `quantiles` (increasing, within [0, 1]),
/// numpy's "inverted_cdf". `node_bin_map` puts the nodes in `num_bins`
/// bins ordered by time, the nodes of a bin sharing one time (tskit's
/// Python: one bin per distinct node time); -1 leaves a node out. Output
/// `[window][index][quantile]`; NaN where no pair coalesces. Node times
/// whose time units are "uncalibrated" are `TSPAR_ERR_TIME_UNCALIBRATED`
/// unless `options` is `TSPAR_STAT_ALLOW_TIME_UNCALIBRATED` (the only
/// option). Errors: `TSPAR_ERR_BAD_QUANTILES`, `TSPAR_ERR_BAD_NODE_BIN_MAP`,
/// and as `tspar_treeseq_pair_coalescence_counts`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_pair_coalescence_quantiles(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    num_bins: tspar_size_t,
    node_bin_map: *const tspar_id_t,
    num_quantiles: tspar_size_t,
    quantiles: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: every pointer is NULL or valid for the lengths given (the
        // C API contract); the helpers check NULL before use.
        unsafe {
            let ts = deref(ts, "ts")?.inner();
            let (sets, idx, w) = pair_args(
                num_sample_sets,
                sample_set_sizes,
                sample_sets,
                num_index_tuples,
                index_tuples,
                num_windows,
                windows,
            )?;
            let map = slice(node_bin_map, ts.num_nodes() as u64, "node_bin_map")?;
            let q = slice(quantiles, num_quantiles, "quantiles")?;
            let out = output(result, result_length);
            Settings::from(exec)?.run(|e| {
                crate::stats::paircoal::pair_coalescence_quantiles_into(
                    ts,
                    sets,
                    idx,
                    w,
                    map,
                    num_bins as usize,
                    q,
                    options,
                    e,
                    out,
                )
            })
        }
    })
}

/// Rates of pair coalescence in time windows (tskit's
/// `pair_coalescence_rates`): `time_windows` holds `num_time_windows + 1`
/// increasing breakpoints (tskit's Python: from the samples' age to
/// infinity) and `node_bin_map` each node's time window (-1: outside). For
/// each window and index pair, from the empirical distribution F of pair
/// coalescence times: -log(1 - (F(b) - F(a)) / (1 - F(a))) / (b - a) in
/// [a, b); 1 / (E[t | t > a] - a) in the window where the last pair
/// coalesces (or the last window); NaN once every pair has coalesced.
/// Output `[window][index][time window]`. Uncalibrated time units and
/// `options` as `tspar_treeseq_pair_coalescence_quantiles`. Errors:
/// `TSPAR_ERR_BAD_TIME_WINDOWS`, `TSPAR_ERR_BAD_NODE_BIN_MAP`, and as
/// `tspar_treeseq_pair_coalescence_counts`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_pair_coalescence_rates(
    ts: *const tspar_treeseq_t,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    num_time_windows: tspar_size_t,
    node_bin_map: *const tspar_id_t,
    time_windows: *const f64,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: every pointer is NULL or valid for the lengths given (the
        // C API contract); the helpers check NULL before use.
        unsafe {
            let ts = deref(ts, "ts")?.inner();
            let (sets, idx, w) = pair_args(
                num_sample_sets,
                sample_set_sizes,
                sample_sets,
                num_index_tuples,
                index_tuples,
                num_windows,
                windows,
            )?;
            let map = slice(node_bin_map, ts.num_nodes() as u64, "node_bin_map")?;
            let n_tw = num_time_windows
                .checked_add(1)
                .ok_or_else(|| Failure::new(Error::BadParamValue, "num_time_windows too large"))?;
            let tw = slice(time_windows, n_tw, "time_windows")?;
            let out = output(result, result_length);
            Settings::from(exec)?.run(|e| {
                crate::stats::paircoal::pair_coalescence_rates_into(ts, sets, idx, w, map, tw, options, e, out)
            })
        }
    })
}
