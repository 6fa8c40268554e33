//! `tspar_stat_call_t`: one statistic call, split into parts that other
//! threads, processes or machines compute, and combined to the bits of the
//! one call. The pointers made slices; everything else in
//! `crate::stats::parts`.

use std::ffi::c_int;
use std::sync::Arc;

use super::exec::{tspar_exec_t, Settings};
use super::treeseq::tspar_treeseq_t;
use super::*;
use crate::error::{fail, Error, Failure, Result};
use crate::stats::parts::{Args, Call, Statistic};
use crate::treeseq::TreeSequence;

/// Statistic ids for `tspar_stat_call_new`: each names the function
/// `tspar_treeseq_<name>` whose arguments and result it takes.
pub const TSPAR_STATISTIC_DIVERSITY: u32 = 1;
pub const TSPAR_STATISTIC_SEGREGATING_SITES: u32 = 2;
pub const TSPAR_STATISTIC_Y1: u32 = 3;
pub const TSPAR_STATISTIC_TAJIMAS_D: u32 = 4;
pub const TSPAR_STATISTIC_DIVERGENCE: u32 = 5;
pub const TSPAR_STATISTIC_FST: u32 = 6;
pub const TSPAR_STATISTIC_Y2: u32 = 7;
pub const TSPAR_STATISTIC_F2: u32 = 8;
pub const TSPAR_STATISTIC_GENETIC_RELATEDNESS: u32 = 9;
pub const TSPAR_STATISTIC_Y3: u32 = 10;
pub const TSPAR_STATISTIC_F3: u32 = 11;
pub const TSPAR_STATISTIC_F4: u32 = 12;
pub const TSPAR_STATISTIC_DIVERGENCE_MATRIX: u32 = 13;
pub const TSPAR_STATISTIC_GENETIC_RELATEDNESS_MATRIX: u32 = 14;
pub const TSPAR_STATISTIC_ALLELE_FREQUENCY_SPECTRUM: u32 = 15;
pub const TSPAR_STATISTIC_TRAIT_COVARIANCE: u32 = 16;
pub const TSPAR_STATISTIC_TRAIT_CORRELATION: u32 = 17;
pub const TSPAR_STATISTIC_GENETIC_RELATEDNESS_WEIGHTED: u32 = 18;

/// One statistic call on one tree sequence, split into parts. Opaque; made
/// by `tspar_stat_call_new`, freed by `tspar_stat_call_free`. Never changed
/// once made: any number of threads may use one call at once. It holds its
/// own reference to the tree sequence, which may be freed before it.
pub struct tspar_stat_call_t {
    ts: Arc<TreeSequence>,
    call: Call,
}

/// # Safety
/// `p` is NULL or a live handle.
unsafe fn call_of<'a>(p: *const tspar_stat_call_t) -> Result<&'a tspar_stat_call_t> {
    // SAFETY: forwarded contract.
    unsafe { deref(p, "call") }
}

/// Makes a statistic call to split into parts: the statistic `statistic`
/// (a `TSPAR_STATISTIC_*` id) with the arguments of its own function. A
/// statistic of sample sets takes `num_sample_sets`, `sample_set_sizes` and
/// `sample_sets` (then `num_weights` is 0 and `weights` NULL); one of
/// weights takes `num_weights` columns of `[sample][column]` `weights`
/// (then `num_sample_sets` is 0); a k-way statistic and weighted
/// relatedness take `num_index_tuples` tuples of `index_tuples` (the others
/// 0 and NULL). Windows and options as for the statistic's own function.
///
/// `part_work` is the size of a part in units of work (edge changes plus
/// sites); 0 means the size that the statistic's own function cuts its work
/// into, and then combining the parts gives exactly its bits. A smaller size
/// gives more parts (for many processes), which combine to the bits of
/// `tspar_stat_call_run` on the same call (not to the statistic's own
/// function, whose sums are cut elsewhere).
///
/// The arguments are checked here as the statistic checks them (the same
/// error codes) and copied: the caller's arrays may be freed once this
/// returns. Finding the parts walks the tree sequence's tree boundaries
/// once. On success `*out` owns the call; free it with
/// `tspar_stat_call_free`.
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_new(
    ts: *const tspar_treeseq_t,
    statistic: u32,
    num_sample_sets: tspar_size_t,
    sample_set_sizes: *const tspar_size_t,
    sample_sets: *const tspar_id_t,
    num_weights: tspar_size_t,
    weights: *const f64,
    num_index_tuples: tspar_size_t,
    index_tuples: *const tspar_id_t,
    num_windows: tspar_size_t,
    windows: *const f64,
    options: tspar_flags_t,
    part_work: tspar_size_t,
    out: *mut *mut tspar_stat_call_t,
) -> c_int {
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let h = deref(ts, "ts")?;
            if out.is_null() {
                fail!(Error::NullPointer, "out is NULL");
            }
            let Some(stat) = Statistic::from_id(statistic) else {
                fail!(Error::BadParamValue, "no statistic has id {statistic}");
            };
            let ts = Arc::clone(h.arc());
            let mut a = Args {
                options,
                part_work,
                ..Args::default()
            };
            match stat {
                Statistic::Sets(_) => {
                    if num_weights != 0 {
                        fail!(Error::BadParamValue, "a statistic of sample sets takes no weights");
                    }
                    let sets = super::stats::sets_of(num_sample_sets, sample_set_sizes, sample_sets)?;
                    (a.sizes, a.ids) = (sets.sizes, sets.ids);
                }
                Statistic::Weights(_) => {
                    if num_sample_sets != 0 {
                        fail!(Error::BadParamValue, "a statistic of weights takes no sample sets");
                    }
                    let Some(len) = (ts.samples().len() as u64).checked_mul(num_weights) else {
                        fail!(Error::BadParamValue, "num_weights too large");
                    };
                    a.weights = slice(weights, len, "weights")?;
                    a.num_weights = usize::try_from(num_weights)
                        .map_err(|_| Failure::new(Error::BadParamValue, "num_weights too large"))?;
                }
            }
            let t = stat.tuple();
            if t == 0 {
                if num_index_tuples != 0 {
                    fail!(Error::BadParamValue, "this statistic takes no index tuples");
                }
            } else {
                let n = num_index_tuples
                    .checked_mul(t as u64)
                    .ok_or_else(|| Failure::new(Error::BadParamValue, "num_index_tuples too large"))?;
                a.indexes = slice(index_tuples, n, "index_tuples")?;
            }
            if !windows.is_null() {
                if num_windows == 0 {
                    fail!(Error::BadNumWindows, "num_windows is 0");
                }
                a.windows = Some(slice(windows, num_windows + 1, "windows")?);
            }
            let call = Call::new(&ts, stat, a)?;
            write_out(out, Box::into_raw(Box::new(tspar_stat_call_t { ts, call })));
            Ok(())
        }
    })
}

/// Frees a call made by `tspar_stat_call_new`. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_free(call: *mut tspar_stat_call_t) {
    if !call.is_null() {
        // SAFETY: a handle from tspar_stat_call_new, freed once by contract.
        drop(unsafe { Box::from_raw(call) });
    }
}

/// The number of parts of the call, into `*num_parts`: parts are numbered
/// from 0, and every process that makes the same call on the same file gets
/// the same number and the same parts. It depends on the tree sequence, the
/// windows and `part_work`, never on threads or processes.
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_num_parts(
    call: *const tspar_stat_call_t,
    num_parts: *mut tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let c = call_of(call)?;
            if num_parts.is_null() {
                fail!(Error::NullPointer, "num_parts is NULL");
            }
            write_out(num_parts, c.call.num_parts() as tspar_size_t);
        }
        Ok(())
    })
}

/// The number of values of the call's result (what the statistic's own
/// function writes), into `*length`.
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_result_length(
    call: *const tspar_stat_call_t,
    length: *mut tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let c = call_of(call)?;
            if length.is_null() {
                fail!(Error::NullPointer, "length is NULL");
            }
            write_out(length, c.call.result_len() as tspar_size_t);
        }
        Ok(())
    })
}

/// The length in bytes of parts `start` to `end` (exclusive) as
/// `tspar_stat_call_compute` writes them, into `*num_bytes`, without
/// computing them. `TSPAR_ERR_BAD_PART_RANGE` unless `start <= end <=
/// num_parts`.
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_part_bytes(
    call: *const tspar_stat_call_t,
    start: tspar_size_t,
    end: tspar_size_t,
    num_bytes: *mut tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let c = call_of(call)?;
            if num_bytes.is_null() {
                fail!(Error::NullPointer, "num_bytes is NULL");
            }
            let n = c.call.part_bytes(index(start)?, index(end)?)?;
            write_out(num_bytes, n as tspar_size_t);
        }
        Ok(())
    })
}

fn index(x: tspar_size_t) -> Result<usize> {
    usize::try_from(x).map_err(|_| Failure::new(Error::BadPartRange, format!("part {x}")))
}

/// Computes parts `start` to `end` (exclusive) into `bytes`, which holds
/// `bytes_length` bytes: exactly `tspar_stat_call_part_bytes` of them are
/// written (`TSPAR_ERR_BUFFER_TOO_SMALL` if fewer fit, before anything is
/// computed). The bytes are the parts' unreduced sums behind a header
/// (the 8 bytes `TSPARPRT`, format version, tspar version, statistic,
/// fingerprints of the tree sequence and of the arguments, the result's
/// length and windows, the part range): they may travel over any transport
/// and be combined by another process with `tspar_stat_call_combine`. The
/// same parts give the same bytes whatever `exec`'s thread count. Progress
/// and cancelling as for the statistics.
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_compute(
    call: *const tspar_stat_call_t,
    start: tspar_size_t,
    end: tspar_size_t,
    exec: *const tspar_exec_t,
    bytes: *mut u8,
    bytes_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let c = call_of(call)?;
            let (start, end) = (index(start)?, index(end)?);
            let need = c.call.part_bytes(start, end)?;
            if (bytes_length as u128) < need as u128 {
                fail!(
                    Error::BufferTooSmall,
                    "bytes has {bytes_length} bytes; parts {start}..{end} need {need}"
                );
            }
            let dst = slice_mut(bytes, bytes_length, "bytes")?;
            let b = Settings::from(exec)?.run(|e| c.call.compute(&c.ts, start, end, e))?;
            dst[..b.len()].copy_from_slice(&b);
        }
        Ok(())
    })
}

/// Combines parts into the call's result: `num_buffers` buffers, buffer `i`
/// at `buffers[i]` with `buffer_lengths[i]` bytes, each as
/// `tspar_stat_call_compute` wrote it for this call (in this process or
/// another). Together they must hold every part exactly once, in any
/// grouping and any order; the result is then bit for bit that of
/// `tspar_stat_call_run` (and, with `part_work` 0, of the statistic's own
/// function) at every thread count. Refused, writing nothing:
/// `TSPAR_ERR_PARTS_FORMAT` (not part bytes, truncated, damaged),
/// `TSPAR_ERR_PARTS_VERSION` (another tspar version or format),
/// `TSPAR_ERR_PARTS_OTHER_CALL` (another statistic, or other arguments,
/// windows, options or part size), `TSPAR_ERR_PARTS_OTHER_TREE_SEQUENCE`,
/// `TSPAR_ERR_PARTS_OVERLAP` (a part twice), `TSPAR_ERR_PARTS_MISSING`; the
/// message names the buffer. The result goes into `result` as the
/// statistic's own function writes it (`tspar_stat_call_result_length`
/// values).
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_combine(
    call: *const tspar_stat_call_t,
    num_buffers: tspar_size_t,
    buffers: *const *const u8,
    buffer_lengths: *const tspar_size_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let c = call_of(call)?;
            let ptrs = slice(buffers, num_buffers, "buffers")?;
            let lens = slice(buffer_lengths, num_buffers, "buffer_lengths")?;
            let mut bufs: Vec<&[u8]> = crate::alloc::with_capacity(ptrs.len(), "the buffers")?;
            for (&p, &n) in ptrs.iter().zip(lens) {
                bufs.push(slice(p, n, "buffers[i]")?);
            }
            let out = super::stats::output(result, result_length);
            Settings::from(exec)?.run(|e| c.call.combine(&c.ts, &bufs, e, out))
        }
    })
}

/// Runs the whole call at once into `result` (`tspar_stat_call_result_length`
/// values): the bits every combination of its parts gives.
#[no_mangle]
pub unsafe extern "C" fn tspar_stat_call_run(
    call: *const tspar_stat_call_t,
    exec: *const tspar_exec_t,
    result: *mut f64,
    result_length: tspar_size_t,
) -> c_int {
    status(|| {
        // SAFETY: the C API contract for every pointer argument.
        unsafe {
            let c = call_of(call)?;
            let out = super::stats::output(result, result_length);
            Settings::from(exec)?.run(|e| c.call.run_whole(&c.ts, e, out))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capi::stats::TSPAR_STAT_BRANCH;
    use crate::stats::call::{SetStat, WeightStat};

    #[test]
    fn ids_match_the_core() {
        let pairs = [
            (TSPAR_STATISTIC_DIVERSITY, Statistic::Sets(SetStat::Diversity)),
            (TSPAR_STATISTIC_TAJIMAS_D, Statistic::Sets(SetStat::TajimasD)),
            (TSPAR_STATISTIC_FST, Statistic::Sets(SetStat::Fst)),
            (TSPAR_STATISTIC_F4, Statistic::Sets(SetStat::F4)),
            (
                TSPAR_STATISTIC_ALLELE_FREQUENCY_SPECTRUM,
                Statistic::Sets(SetStat::AlleleFrequencySpectrum),
            ),
            (
                TSPAR_STATISTIC_GENETIC_RELATEDNESS_WEIGHTED,
                Statistic::Weights(WeightStat::GeneticRelatednessWeighted),
            ),
        ];
        for (id, s) in pairs {
            assert_eq!(Statistic::from_id(id), Some(s));
            assert_eq!(s.id(), id);
        }
        assert_eq!(Statistic::all().count(), 18);
    }

    /// Through the C functions: parts computed in two buffers and combined
    /// in reverse order give the diversity function's bits.
    #[test]
    fn c_round_trip() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees");
        let ts = TreeSequence::new(crate::io::trees::load(&path, 0).unwrap(), 0).unwrap();
        let h = Box::into_raw(Box::new(tspar_treeseq_t::from_arc(Arc::new(ts))));
        let sizes = [10u64, 10];
        let ids: Vec<i32> = (0..20).collect();
        unsafe {
            let mut call = std::ptr::null_mut();
            let null = std::ptr::null();
            let no_exec = std::ptr::null();
            assert_eq!(
                tspar_stat_call_new(
                    h,
                    TSPAR_STATISTIC_DIVERSITY,
                    2,
                    sizes.as_ptr(),
                    ids.as_ptr(),
                    0,
                    std::ptr::null(),
                    0,
                    std::ptr::null(),
                    0,
                    null,
                    TSPAR_STAT_BRANCH,
                    30,
                    &mut call
                ),
                0
            );
            // The call keeps the tree sequence.
            crate::capi::treeseq::tspar_treeseq_free(h);
            let mut n = 0;
            assert_eq!(tspar_stat_call_num_parts(call, &mut n), 0);
            assert!(n > 2);
            let mut bufs = Vec::new();
            for (a, b) in [(0, 2), (2, n)] {
                let mut len = 0;
                assert_eq!(tspar_stat_call_part_bytes(call, a, b, &mut len), 0);
                let mut buf = vec![0u8; len as usize];
                assert_eq!(
                    tspar_stat_call_compute(call, a, b, no_exec, buf.as_mut_ptr(), len - 1),
                    TSPAR_ERR_BUFFER_TOO_SMALL
                );
                assert_eq!(tspar_stat_call_compute(call, a, b, no_exec, buf.as_mut_ptr(), len), 0);
                bufs.push(buf);
            }
            bufs.reverse();
            let ptrs: Vec<*const u8> = bufs.iter().map(|b| b.as_ptr()).collect();
            let lens: Vec<u64> = bufs.iter().map(|b| b.len() as u64).collect();
            let (mut x, mut y) = ([0.0; 2], [0.0; 2]);
            assert_eq!(
                tspar_stat_call_combine(call, 2, ptrs.as_ptr(), lens.as_ptr(), no_exec, x.as_mut_ptr(), 2),
                0
            );
            assert_eq!(tspar_stat_call_run(call, no_exec, y.as_mut_ptr(), 2), 0);
            assert_eq!(x.map(f64::to_bits), y.map(f64::to_bits));
            assert_eq!(
                tspar_stat_call_combine(call, 1, ptrs.as_ptr(), lens.as_ptr(), no_exec, x.as_mut_ptr(), 2),
                TSPAR_ERR_PARTS_MISSING
            );
            tspar_stat_call_free(call);
            tspar_stat_call_free(std::ptr::null_mut());
        }
    }
}
