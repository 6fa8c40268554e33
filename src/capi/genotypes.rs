//! Genotypes out: `tspar_variant_t`, a cursor decoding one site at a time
//! (one thread at a time, as tree cursors), the bulk genotype matrix and
//! haplotypes, and the VCF writer.

use std::ffi::{c_char, c_int, c_void};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use super::exec::{tspar_exec_t, Settings};
use super::treeseq::tspar_treeseq_t;
use super::*;
use crate::error::{fail, Error, Failure, Result};
use crate::genotypes::{self, vcf, Alleles, Decoder, Spec};
use crate::treeseq::TreeSequence;

/// The genotype of a missing sample (tskit's `TSK_MISSING_DATA`).
pub const TSPAR_MISSING_DATA: i32 = -1;
/// Genotype option: isolated samples get the ancestral state instead of
/// `TSPAR_MISSING_DATA` (tskit's `TSK_ISOLATED_NOT_MISSING`).
pub const TSPAR_ISOLATED_NOT_MISSING: tspar_flags_t = 1 << 1;
/// Element type code for `int16_t` genotype matrices (kastore's code).
pub const TSPAR_DTYPE_INT16: c_int = 2;

/// VCF option: tskit's "legacy" position transform (rounded, then each
/// position at least one more than the last).
pub const TSPAR_VCF_LEGACY_POSITIONS: tspar_flags_t = 1 << 8;
/// VCF option: allow a (transformed) position of 0.
pub const TSPAR_VCF_ALLOW_POSITION_ZERO: tspar_flags_t = 1 << 9;
/// VCF option: write the individuals' non-sample nodes too.
pub const TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES: tspar_flags_t = 1 << 10;
/// VCF option: BGZF-compress the output (block gzip, which bgzip, bcftools
/// and tabix read): deflate level 1 (bgzip's default is 6; on VCF text
/// level 1 is about three times faster for about twice the bytes, still
/// about 1/80 of the text), members of at most 65,280 bytes of text cut
/// within fixed blocks of sites, so the same bytes for every thread count.
pub const TSPAR_VCF_BGZF: tspar_flags_t = 1 << 11;

/// A variant decoder. Opaque; made by `tspar_variant_new`, freed by
/// `tspar_variant_free`. One thread at a time: while a call on a decoder
/// runs, another call on the same decoder returns `TSPAR_ERR_BUSY`. The
/// pointers `tspar_variant_get` gives stay valid until the next decode or
/// the free; reading them while another thread decodes is the caller's race.
pub struct tspar_variant_t {
    inner: Mutex<VariantState>,
}

struct VariantState {
    decoder: Decoder,
    /// Allele offsets of the last decode, as the C API gives them.
    offsets: Vec<tspar_size_t>,
}

/// The VCF arguments of `tspar_treeseq_write_vcf`, tskit's `write_vcf`
/// arguments. All zero (or a NULL pointer to the struct) means tskit's
/// defaults: samples grouped by ploidy 1 without individuals, else every
/// individual with sample nodes; names `tsk_<id>`; contig "1"; positions
/// rounded to the nearest integer (ties to even); no masks.
#[repr(C)]
pub struct tspar_vcf_options_t {
    /// Nodes per VCF sample without individuals (0: 1). Must be 0 when the
    /// tree sequence has individuals.
    pub ploidy: tspar_size_t,
    /// The individuals to write, in order (NULL: the default).
    pub individuals: *const tspar_id_t,
    pub num_individuals: tspar_size_t,
    /// NULL, or one name per individual (before individuals without nodes
    /// are dropped), `num_individual_names` NUL-terminated strings.
    pub individual_names: *const *const c_char,
    pub num_individual_names: tspar_size_t,
    /// NULL: "1".
    pub contig_id: *const c_char,
    /// NULL, or one VCF position per site (a caller's position transform);
    /// `contig_length` is then the contig's length (at least 1 is written).
    pub positions: *const i64,
    pub contig_length: i64,
    /// NULL, or one byte per site: non-zero leaves the site out.
    pub site_mask: *const u8,
    /// NULL, or non-zero bytes marking genotypes missing: one per VCF
    /// sample node (the same for every site), or `[site][node]` for all sites.
    pub sample_mask: *const u8,
    pub sample_mask_length: tspar_size_t,
    /// `TSPAR_ISOLATED_NOT_MISSING`, `TSPAR_VCF_LEGACY_POSITIONS`,
    /// `TSPAR_VCF_ALLOW_POSITION_ZERO`, `TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES`,
    /// `TSPAR_VCF_BGZF`.
    pub options: tspar_flags_t,
}

/// A sink for `tspar_treeseq_write_vcf_stream`: called on the calling
/// thread with the next `length` bytes; a non-zero return stops the write
/// with `TSPAR_ERR_IO`.
pub type tspar_write_func_t =
    Option<unsafe extern "C" fn(data: *const c_char, length: tspar_size_t, user_data: *mut c_void) -> c_int>;

/// # Safety
/// `p` is NULL or a live handle.
unsafe fn ts_arc(p: *const tspar_treeseq_t) -> Result<Arc<TreeSequence>> {
    // SAFETY: forwarded contract.
    unsafe { deref(p, "ts") }.map(|h| Arc::clone(h.arc()))
}

/// # Safety
/// `p` is NULL or a live handle.
unsafe fn variant_handle<'a>(p: *const tspar_variant_t) -> Result<MutexGuard<'a, VariantState>> {
    // SAFETY: forwarded contract.
    let h = unsafe { deref(p, "variant") }?;
    match h.inner.try_lock() {
        Ok(g) => Ok(g),
        Err(TryLockError::WouldBlock) => Err(Failure::new(
            Error::Busy,
            "a variant decoder, used by one thread at a time",
        )),
        Err(TryLockError::Poisoned(_)) => Err(Failure::new(
            Error::Internal,
            "an earlier call failed inside the library on this decoder; it can only be freed",
        )),
    }
}

/// The decoded nodes and allele list of a call.
///
/// # Safety
/// `samples` valid for `num_samples` ids (NULL: all samples); `alleles`
/// NULL or a NULL-terminated array of NUL-terminated strings.
unsafe fn spec_of(
    ts: &TreeSequence,
    samples: *const tspar_id_t,
    num_samples: tspar_size_t,
    alleles: *const *const c_char,
    options: tspar_flags_t,
) -> Result<Spec> {
    let samples = if samples.is_null() {
        None
    } else {
        // SAFETY: forwarded contract.
        Some(unsafe { slice(samples, num_samples, "samples") }?)
    };
    let alleles = if alleles.is_null() {
        None
    } else {
        let mut list = Vec::new();
        for j in 0.. {
            // SAFETY: the array is NULL-terminated by contract, and j does
            // not pass its terminator.
            let p = unsafe { *alleles.add(j) };
            if p.is_null() {
                break;
            }
            // SAFETY: each entry is a NUL-terminated string.
            list.push(unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes());
        }
        Some(Alleles::from_list(list)?)
    };
    Spec::new(ts, samples, alleles, options & TSPAR_ISOLATED_NOT_MISSING == 0)
}

fn site_range(ts: &TreeSequence, start: tspar_size_t, stop: tspar_size_t) -> Result<std::ops::Range<usize>> {
    let n = ts.tables().sites.position.len() as u64;
    if start > stop || stop > n {
        fail!(
            Error::SiteOutOfBounds,
            "site range {start}..{stop} (the tree sequence has {n} sites)"
        );
    }
    Ok(start as usize..stop as usize)
}

/// Makes a variant decoder on `ts` (tskit's `tsk_variant_init`).
/// `samples`: the nodes to decode, in output order, each at most once; any
/// node may be given (NULL: the samples, `num_samples` ignored).
/// `alleles`: NULL (each site's alleles are its ancestral state, then its
/// mutations' derived states in order of appearance), or a NULL-terminated
/// list of NUL-terminated strings used for every site
/// (`TSPAR_ERR_ALLELE_NOT_FOUND` at a site with a state not in it).
/// `options`: `TSPAR_ISOLATED_NOT_MISSING`. On success `*out` owns the
/// decoder (free it with `tspar_variant_free`); it keeps the tree
/// sequence's data alive.
#[no_mangle]
pub unsafe extern "C" fn tspar_variant_new(
    ts: *const tspar_treeseq_t,
    samples: *const tspar_id_t,
    num_samples: tspar_size_t,
    alleles: *const *const c_char,
    options: tspar_flags_t,
    out: *mut *mut tspar_variant_t,
) -> c_int {
    status(|| {
        check_options(options, TSPAR_ISOLATED_NOT_MISSING, "tspar_variant_new")?;
        // SAFETY: NULL or a live handle.
        let ts = unsafe { ts_arc(ts) }?;
        if out.is_null() {
            fail!(Error::NullPointer, "out is NULL");
        }
        // SAFETY: forwarded contract.
        let spec = unsafe { spec_of(&ts, samples, num_samples, alleles, options) }?;
        let decoder = Decoder::new(ts, spec)?;
        let state = VariantState {
            decoder,
            offsets: Vec::new(),
        };
        let boxed = Box::into_raw(Box::new(tspar_variant_t {
            inner: Mutex::new(state),
        }));
        // SAFETY: out is non-NULL and writable.
        unsafe { write_out(out, boxed) };
        Ok(())
    })
}

/// Frees a variant decoder. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn tspar_variant_free(variant: *mut tspar_variant_t) {
    if !variant.is_null() {
        // SAFETY: a handle from tspar_variant_new, freed once by contract.
        drop(unsafe { Box::from_raw(variant) });
    }
}

/// Decodes site `site` (any order; walking the sites in order is cheapest).
#[no_mangle]
pub unsafe extern "C" fn tspar_variant_decode(variant: *mut tspar_variant_t, site: tspar_id_t) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let mut v = unsafe { variant_handle(variant) }?;
        let Ok(site) = usize::try_from(site) else {
            fail!(Error::SiteOutOfBounds, "site {site}");
        };
        v.offsets.clear();
        v.decoder.decode(site)?;
        let mut offsets = std::mem::take(&mut v.offsets);
        let alleles = v.decoder.alleles();
        crate::alloc::reserve(&mut offsets, alleles.len() + 1, "the allele offsets")?;
        offsets.push(0);
        offsets.extend(alleles.ends().iter().map(|&e| e as tspar_size_t));
        v.offsets = offsets;
        Ok(())
    })
}

/// The last decoded site: its id, the genotypes (`*num_samples` of them,
/// `TSPAR_MISSING_DATA` for missing), the alleles (`*num_alleles` strings,
/// allele `j` being `allele_data[allele_offsets[j]..allele_offsets[j + 1]]`,
/// not NUL-terminated) and whether any genotype is missing. Any out-pointer
/// may be NULL. The pointers stay valid until the next decode or the free.
/// `TSPAR_ERR_BAD_PARAM_VALUE` before the first successful decode.
#[no_mangle]
pub unsafe extern "C" fn tspar_variant_get(
    variant: *mut tspar_variant_t,
    site: *mut tspar_id_t,
    genotypes: *mut *const i32,
    num_samples: *mut tspar_size_t,
    allele_data: *mut *const c_char,
    allele_offsets: *mut *const tspar_size_t,
    num_alleles: *mut tspar_size_t,
    has_missing_data: *mut c_int,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let v = unsafe { variant_handle(variant) }?;
        let d = &v.decoder;
        let Some(s) = d.site() else {
            fail!(Error::BadParamValue, "no site decoded yet");
        };
        let a = d.alleles();
        // SAFETY: out-pointers are NULL or writable; the pointers written
        // point into buffers the decoder owns until its next decode.
        unsafe {
            write_out(site, s as tspar_id_t);
            write_out(genotypes, d.genotypes().as_ptr());
            write_out(num_samples, d.genotypes().len() as tspar_size_t);
            write_out(allele_data, a.bytes().as_ptr().cast());
            write_out(allele_offsets, v.offsets.as_ptr());
            write_out(num_alleles, a.len() as tspar_size_t);
            write_out(has_missing_data, d.has_missing_data() as c_int);
        }
        Ok(())
    })
}

/// Fills `out`, `(site_stop - site_start) × num_samples` elements of
/// `dtype` (`TSPAR_DTYPE_INT8`, `TSPAR_DTYPE_INT16` or `TSPAR_DTYPE_INT32`),
/// row by site, with the genotypes of sites `site_start..site_stop`, as
/// `tspar_variant_t` decodes them (samples, alleles and options as
/// `tspar_variant_new`). A site with more alleles than `dtype` holds is
/// `TSPAR_ERR_TOO_MANY_ALLELES`. Sites are decoded in parallel on `exec`'s
/// threads (NULL: the default), with the same result for every count;
/// cancellable through `exec`'s progress callback. `out_length` counts
/// elements.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_genotype_matrix(
    ts: *const tspar_treeseq_t,
    samples: *const tspar_id_t,
    num_samples: tspar_size_t,
    alleles: *const *const c_char,
    site_start: tspar_size_t,
    site_stop: tspar_size_t,
    options: tspar_flags_t,
    dtype: c_int,
    exec: *const tspar_exec_t,
    out: *mut c_void,
    out_length: tspar_size_t,
) -> c_int {
    status(|| {
        check_options(options, TSPAR_ISOLATED_NOT_MISSING, "tspar_treeseq_genotype_matrix")?;
        // SAFETY: NULL or a live handle.
        let ts = unsafe { ts_arc(ts) }?;
        // SAFETY: forwarded contract.
        let spec = unsafe { spec_of(&ts, samples, num_samples, alleles, options) }?;
        let sites = site_range(&ts, site_start, site_stop)?;
        // SAFETY: exec is NULL or a live handle.
        let settings = unsafe { Settings::from(exec) }?;
        // SAFETY: out holds out_length elements of dtype by contract.
        settings.run(|e| unsafe {
            match dtype {
                TSPAR_DTYPE_INT8 => {
                    let o = slice_mut(out.cast::<i8>(), out_length, "out")?;
                    genotypes::genotype_matrix(&ts, &spec, sites, e, o)
                }
                TSPAR_DTYPE_INT16 => {
                    let o = slice_mut(out.cast::<i16>(), out_length, "out")?;
                    genotypes::genotype_matrix(&ts, &spec, sites, e, o)
                }
                TSPAR_DTYPE_INT32 => {
                    let o = slice_mut(out.cast::<i32>(), out_length, "out")?;
                    genotypes::genotype_matrix(&ts, &spec, sites, e, o)
                }
                _ => fail!(
                    Error::BadDtype,
                    "genotype matrix dtype {dtype}: int8, int16 or int32 only"
                ),
            }
        })
    })
}

/// Fills `out`, `num_samples × (site_stop - site_start)` bytes, row by
/// sample, with each sample's haplotype over sites `site_start..site_stop`
/// as tskit's `haplotypes()`: each site's allele as one ASCII character,
/// `missing_data_character` for missing data. An allele that is not one
/// ASCII character is `TSPAR_ERR_MULTI_CHARACTER_ALLELE`, one equal to
/// `missing_data_character` is `TSPAR_ERR_MISSING_CHARACTER_CLASH`.
/// Samples and options as `tspar_variant_new`; parallel as
/// `tspar_treeseq_genotype_matrix`. The rows are not NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_haplotypes(
    ts: *const tspar_treeseq_t,
    samples: *const tspar_id_t,
    num_samples: tspar_size_t,
    site_start: tspar_size_t,
    site_stop: tspar_size_t,
    options: tspar_flags_t,
    missing_data_character: c_char,
    exec: *const tspar_exec_t,
    out: *mut c_char,
    out_length: tspar_size_t,
) -> c_int {
    status(|| {
        check_options(options, TSPAR_ISOLATED_NOT_MISSING, "tspar_treeseq_haplotypes")?;
        // SAFETY: NULL or a live handle.
        let ts = unsafe { ts_arc(ts) }?;
        // SAFETY: forwarded contract.
        let spec = unsafe { spec_of(&ts, samples, num_samples, std::ptr::null(), options) }?;
        let sites = site_range(&ts, site_start, site_stop)?;
        // SAFETY: exec is NULL or a live handle.
        let settings = unsafe { Settings::from(exec) }?;
        // SAFETY: out holds out_length bytes by contract.
        let o = unsafe { slice_mut(out.cast::<u8>(), out_length, "out") }?;
        settings.run(|e| genotypes::haplotypes(&ts, &spec, sites, missing_data_character as u8, e, o))
    })
}

/// The core's VCF options from the C struct.
///
/// # Safety
/// `o` is NULL or valid, its pointers valid for their lengths.
unsafe fn vcf_options<'a>(ts: &TreeSequence, o: *const tspar_vcf_options_t) -> Result<vcf::Options<'a>> {
    let mut out = vcf::Options {
        source: concat!("tspar ", env!("CARGO_PKG_VERSION")).as_bytes(),
        ..Default::default()
    };
    // SAFETY: NULL or valid by contract.
    let Some(o) = (unsafe { o.as_ref() }) else {
        return Ok(out);
    };
    check_options(
        o.options,
        TSPAR_ISOLATED_NOT_MISSING
            | TSPAR_VCF_LEGACY_POSITIONS
            | TSPAR_VCF_ALLOW_POSITION_ZERO
            | TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES
            | TSPAR_VCF_BGZF,
        "VCF options",
    )?;
    let num_sites = ts.tables().sites.position.len() as tspar_size_t;
    if o.ploidy != 0 {
        out.ploidy = Some(o.ploidy as usize);
    }
    // SAFETY (all the slices below): pointers valid for their lengths by contract.
    unsafe {
        if !o.individuals.is_null() {
            out.individuals = Some(slice(o.individuals, o.num_individuals, "individuals")?);
        }
        if !o.individual_names.is_null() {
            let names = slice(o.individual_names, o.num_individual_names, "individual_names")?;
            let mut list = Vec::new();
            for &p in names {
                list.push(c_str(p, "an individual name")?.as_bytes());
            }
            out.individual_names = Some(list);
        }
        if !o.contig_id.is_null() {
            out.contig_id = c_str(o.contig_id, "contig_id")?.as_bytes();
        }
        if !o.positions.is_null() {
            if o.options & TSPAR_VCF_LEGACY_POSITIONS != 0 {
                fail!(Error::BadParamValue, "positions given with the legacy position option");
            }
            out.positions = vcf::Positions::Given {
                positions: slice(o.positions, num_sites, "positions")?,
                contig_length: o.contig_length,
            };
        } else if o.options & TSPAR_VCF_LEGACY_POSITIONS != 0 {
            out.positions = vcf::Positions::Legacy;
        }
        if !o.site_mask.is_null() {
            out.site_mask = Some(slice(o.site_mask, num_sites, "site_mask")?);
        }
        if !o.sample_mask.is_null() {
            out.sample_mask = Some(slice(o.sample_mask, o.sample_mask_length, "sample_mask")?);
        }
    }
    out.isolated_as_missing = o.options & TSPAR_ISOLATED_NOT_MISSING == 0;
    out.allow_position_zero = o.options & TSPAR_VCF_ALLOW_POSITION_ZERO != 0;
    out.include_non_sample_nodes = o.options & TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES != 0;
    out.bgzf = o.options & TSPAR_VCF_BGZF != 0;
    Ok(out)
}

/// Writes the tree sequence as VCF to the file `path`, as tskit 1.0.3's
/// `write_vcf` with the arguments in `options` (NULL: tskit's defaults)
/// writes it — the same bytes but the `##source` line — optionally
/// BGZF-compressed (`TSPAR_VCF_BGZF`). Sites are decoded in parallel on
/// `exec`'s threads (NULL: the default): with n >= 2 threads, the calling
/// thread writes while n - 1 others decode the next sites (BGZF: n decode
/// and compress); the bytes are the same for every count. The file is
/// written under a temporary name and renamed over `path` once complete,
/// so a failed write leaves an existing file as it was. Errors as
/// tskit's: `TSPAR_ERR_VCF_POSITION_ZERO`, `TSPAR_ERR_VCF_TOO_MANY_ALLELES`
/// (more than 9 alleles at a written site), `TSPAR_ERR_VCF_NO_SAMPLES`,
/// `TSPAR_ERR_VCF_BAD_INDIVIDUALS`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_write_vcf(
    ts: *const tspar_treeseq_t,
    path: *const c_char,
    options: *const tspar_vcf_options_t,
    exec: *const tspar_exec_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or live/valid by contract.
        let (ts, path) = unsafe { (ts_arc(ts)?, c_str(path, "path")?) };
        // SAFETY: forwarded contract.
        let o = unsafe { vcf_options(&ts, options) }?;
        // SAFETY: exec is NULL or a live handle.
        let settings = unsafe { Settings::from(exec) }?;
        settings.run(|e| vcf::write_file(&ts, &o, e, std::path::Path::new(path)))
    })
}

/// A `Write` that hands the bytes to the caller's callback.
struct Callback {
    func: unsafe extern "C" fn(*const c_char, tspar_size_t, *mut c_void) -> c_int,
    user_data: *mut c_void,
}

impl std::io::Write for Callback {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // SAFETY: the caller's callback, called on the calling thread with
        // a buffer valid for the call and the pointer it gave us.
        let r = unsafe { (self.func)(buf.as_ptr().cast(), buf.len() as tspar_size_t, self.user_data) };
        if r != 0 {
            return Err(std::io::Error::other(format!("the write callback returned {r}")));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// As `tspar_treeseq_write_vcf`, handing the bytes, in order and in
/// pieces of up to about a megabyte, to `write` (called on the calling
/// thread only) instead of writing a file. A non-zero return from `write`
/// stops with `TSPAR_ERR_IO`.
#[no_mangle]
pub unsafe extern "C" fn tspar_treeseq_write_vcf_stream(
    ts: *const tspar_treeseq_t,
    write: tspar_write_func_t,
    user_data: *mut c_void,
    options: *const tspar_vcf_options_t,
    exec: *const tspar_exec_t,
) -> c_int {
    status(|| {
        // SAFETY: NULL or a live handle.
        let ts = unsafe { ts_arc(ts) }?;
        let Some(func) = write else {
            fail!(Error::NullPointer, "write is NULL");
        };
        // SAFETY: forwarded contract.
        let o = unsafe { vcf_options(&ts, options) }?;
        // SAFETY: exec is NULL or a live handle.
        let settings = unsafe { Settings::from(exec) }?;
        let cb = Callback { func, user_data };
        let mut out = std::io::BufWriter::with_capacity(1 << 20, cb);
        settings.run(|e| vcf::write(&ts, &o, e, &mut out))?;
        drop(out);
        Ok(())
    })
}
