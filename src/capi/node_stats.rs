//! Per-node statistics (mean descendants, genealogical nearest neighbours)
//! and the trait linear model, with tskit's meaning.

use std::ffi::c_int;

use super::exec::{tspar_exec_t, Settings};
use super::treeseq::tspar_treeseq_t;
use super::*;
use crate::error::{fail, Error, Failure, Result};
use crate::stats::call::{self, Input};
use crate::stats::nodes;
use crate::tables::Id;

/// Reference sets as tskit passes sample sets: sizes, then the ids.
///
/// # Safety
/// Pointers valid for the lengths given.
unsafe fn sets_of<'a>(num: tspar_size_t, sizes: *const tspar_size_t, ids: *const tspar_id_t) -> Result<Vec<&'a [Id]>> {
    // SAFETY: forwarded contract.
    let sets = unsafe { super::stats::sets_named(num, sizes, ids, ("reference_set_sizes", "reference_sets")) }?;
    sets.split()
}

/// # Safety
/// `result` valid for `result_length` values.
unsafe fn result_of<'o>(result: *mut f64, result_length: tspar_size_t, need: usize) -> Result<&'o mut [f64]> {
    if (result_length as u128) < need as u128 {
        fail!(
            Error::BufferTooSmall,
            "result has {result_length} values; {need} are needed"
        );
    }
    // SAFETY: forwarded contract.
    unsafe { slice_mut(result, need as tspar_size_t, "result") }
}

/// tskit's `mean_descendants`: for each node and reference set, the mean
/// number of the set's nodes at or below the node, over the part of the
/// genome where the node is an ancestor of (or is) any reference node.
/// Reference sets must be disjoint (`TSPAR_ERR_DUPLICATE_SAMPLE`).
/// `options` must be 0. Output `[node][set]`, `num_nodes × num_reference_sets`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_mean_descendants(
    ts: *const tspar_treeseq_t,
    num_reference_sets: tspar_size_t,
    reference_set_sizes: *const tspar_size_t,
    reference_sets: *const tspar_id_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        check_options(options, 0, "tspar_treeseq_mean_descendants")?;
        // SAFETY: forwarded contract.
        unsafe {
            let ts = deref(ts, "ts")?.inner();
            let sets = sets_of(num_reference_sets, reference_set_sizes, reference_sets)?;
            let out = result_of(result, result_length, ts.num_nodes() * sets.len())?;
            let values = Settings::from(exec)?.run(|e| nodes::mean_descendants(ts, &sets, e))?;
            out.copy_from_slice(&values);
        }
        Ok(())
    })
}

/// tskit's `genealogical_nearest_neighbours`: for each focal node and
/// reference set, the span-weighted mean fraction of the focal node's
/// nearest neighbours in that set. Reference sets must be disjoint.
/// Parallel over the genome on `exec`'s threads, the same result for
/// every count. `options` must be 0. Output `[focal][set]`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_genealogical_nearest_neighbours(
    ts: *const tspar_treeseq_t,
    num_focal: tspar_size_t,
    focal: *const tspar_id_t,
    num_reference_sets: tspar_size_t,
    reference_set_sizes: *const tspar_size_t,
    reference_sets: *const tspar_id_t,
    options: tspar_flags_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        check_options(options, 0, "tspar_treeseq_genealogical_nearest_neighbours")?;
        // SAFETY: forwarded contract.
        unsafe {
            let ts = deref(ts, "ts")?.arc();
            let focal = slice(focal, num_focal, "focal")?;
            let sets = sets_of(num_reference_sets, reference_set_sizes, reference_sets)?;
            let out = result_of(result, result_length, focal.len() * sets.len())?;
            let values = Settings::from(exec)?.run(|e| nodes::genealogical_nearest_neighbours(ts, focal, &sets, e))?;
            out.copy_from_slice(&values);
        }
        Ok(())
    })
}

/// tskit's `trait_linear_model`: for each trait (a column of the
/// `[sample][trait]` `weights`), the squared regression coefficient of the
/// trait on genotype with the `[sample][covariate]` `covariates` (NULL or
/// `num_covariates` 0: none) accounted for; as tskit, a column of ones is
/// added to the covariates when they stay independent, and dependent
/// covariates are `TSPAR_ERR_BAD_PARAM_VALUE`. Modes, windows, options and
/// output as `tspar_treeseq_trait_covariance`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_trait_linear_model(
    ts: *const tspar_treeseq_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_covariates: tspar_size_t,
    covariates: *const f64,
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
            let ts = deref(ts, "ts")?.inner();
            let n = ts.samples().len() as u64;
            let len = |c: tspar_size_t, what: &str| {
                n.checked_mul(c)
                    .ok_or_else(|| Failure::new(Error::BadParamValue, format!("{what} too large")))
            };
            let w = slice(weights, len(num_weights, "num_weights")?, "weights")?;
            let z = if covariates.is_null() || num_covariates == 0 {
                None
            } else {
                Some((
                    slice(covariates, len(num_covariates, "num_covariates")?, "covariates")?,
                    num_covariates as usize,
                ))
            };
            let win = if windows.is_null() {
                None
            } else {
                if num_windows == 0 {
                    fail!(Error::BadNumWindows, "num_windows is 0");
                }
                Some(slice(windows, num_windows + 1, "windows")?)
            };
            let (nw, summary) = nodes::trait_linear_model(ts, w, num_weights as usize, z)?;
            let input = Input::General(&nw, &summary);
            Settings::from(exec)?.run(|e| {
                call::stat_into(ts, input, win, options, e, |need| {
                    result_of(result, result_length, need)
                })
            })
        }
    })
}
