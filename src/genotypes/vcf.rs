//! VCF output with tskit's `write_vcf` meaning, byte for byte (but the
//! `##source` line): individuals (or samples grouped by ploidy) become VCF
//! samples, their nodes the phased haplotypes of each genotype.
//!
//! Sites are decoded into text in blocks, the blocks of a batch in
//! parallel, and written in order; the block cut does not depend on the
//! thread count, nor does anything else in the bytes. The optional BGZF
//! form (the block gzip of htslib, which bcftools and tabix read) cuts the
//! text into fixed 65,280-byte blocks, compresses them in parallel and
//! ends with the standard empty block.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{
    ancestral_index, check_cancel, decode_changes, derived_indexes, run_blocks, seek_site, Cursors, Scratch, Spec,
};
use crate::alloc;
use crate::error::{fail, Error, Failure, Result};
use crate::stats::Exec;
use crate::tables::{Id, NODE_IS_SAMPLE, NULL};
use crate::treeseq::TreeSequence;

/// How site positions become VCF positions.
#[derive(Clone, Copy, Debug)]
pub enum Positions<'a> {
    /// Rounded to the nearest integer, ties to even (tskit's default, `numpy.round`).
    Round,
    /// tskit's "legacy" rule: rounded, then each at least one more than the last.
    Legacy,
    /// The caller's positions (one per site) and contig length.
    Given { positions: &'a [i64], contig_length: i64 },
}

/// The arguments of tskit's `write_vcf`, and the compression.
#[derive(Clone, Debug)]
pub struct Options<'a> {
    pub ploidy: Option<usize>,
    pub individuals: Option<&'a [Id]>,
    pub individual_names: Option<Vec<&'a [u8]>>,
    pub contig_id: &'a [u8],
    pub positions: Positions<'a>,
    /// One per site; true leaves the site out.
    pub site_mask: Option<&'a [u8]>,
    /// One per VCF sample node (non-zero: missing), or one per site and
    /// sample node (`[site][node]`).
    pub sample_mask: Option<&'a [u8]>,
    pub isolated_as_missing: bool,
    pub allow_position_zero: bool,
    pub include_non_sample_nodes: bool,
    pub bgzf: bool,
    /// The text of the `##source=` line.
    pub source: &'a [u8],
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            ploidy: None,
            individuals: None,
            individual_names: None,
            contig_id: b"1",
            positions: Positions::Round,
            site_mask: None,
            sample_mask: None,
            isolated_as_missing: true,
            allow_position_zero: false,
            include_non_sample_nodes: false,
            bgzf: false,
            source: b"tspar",
        }
    }
}

/// tskit's VCF model: the VCF samples' nodes and names, and positions.
#[derive(Debug)]
pub struct Model {
    /// The nodes of every VCF sample, one after another.
    pub nodes: Vec<Id>,
    pub ploidies: Vec<usize>,
    pub names: Vec<Vec<u8>>,
    pub positions: Vec<i64>,
    pub contig_length: i64,
}

fn bad(detail: String) -> Failure {
    Failure::new(Error::VcfBadIndividuals, detail)
}

/// The nodes of each individual, in node order (tskit's `individuals_nodes`).
fn individuals_nodes(ts: &TreeSequence) -> Result<Vec<Vec<Id>>> {
    let n = ts.tables().individuals.flags.len();
    let mut rows: Vec<Vec<Id>> = alloc::filled(n, Vec::new(), "the individuals' nodes")?;
    for (u, &i) in ts.tables().nodes.individual.iter().enumerate() {
        if i != NULL {
            alloc::push(&mut rows[i as usize], u as Id, "the individuals' nodes")?;
        }
    }
    Ok(rows)
}

/// Builds the model as tskit's `map_to_vcf_model` and `VcfWriter` do.
pub fn model(ts: &TreeSequence, o: &Options) -> Result<Model> {
    let tables = ts.tables();
    let num_individuals = tables.individuals.flags.len();
    let flags = &tables.nodes.flags;
    if num_individuals > 0 && o.ploidy.is_some() {
        return Err(bad(
            "cannot specify ploidy when individuals are present in the tree sequence".into(),
        ));
    }
    if num_individuals == 0 && o.include_non_sample_nodes {
        return Err(bad(
            "cannot include non-sample nodes when individuals are not present in the tree sequence".into(),
        ));
    }
    let (rows, default_names): (Vec<Vec<Id>>, Vec<Vec<u8>>) = if num_individuals == 0 && o.individuals.is_none() {
        let ploidy = o.ploidy.unwrap_or(1);
        if ploidy == 0 {
            return Err(bad("ploidy must be a positive integer".into()));
        }
        let samples = ts.samples();
        if samples.is_empty() {
            return Err(bad("no sample nodes in tree sequence".into()));
        }
        if samples.len() % ploidy != 0 {
            return Err(bad(format!(
                "number of sample nodes {} is not a multiple of ploidy {ploidy}",
                samples.len()
            )));
        }
        let rows = alloc::collect(samples.chunks(ploidy).map(|c| c.to_vec()), "the VCF samples")?;
        let names = alloc::collect(
            (0..samples.len() / ploidy).map(|i| format!("tsk_{i}").into_bytes()),
            "the VCF names",
        )?;
        (rows, names)
    } else {
        let all: Vec<Id>;
        let individuals = match o.individuals {
            Some(i) => i,
            None => {
                all = alloc::collect(0..num_individuals as Id, "the VCF individuals")?;
                &all
            }
        };
        if individuals.is_empty() {
            return Err(bad("no individuals specified".into()));
        }
        if let Some(&i) = individuals.iter().find(|&&i| i < 0 || i as usize >= num_individuals) {
            return Err(Failure::new(
                Error::IndividualOutOfBounds,
                format!("invalid individual ID {i} (there are {num_individuals} individuals)"),
            ));
        }
        let nodes = individuals_nodes(ts)?;
        let mut rows = alloc::with_capacity(individuals.len(), "the VCF samples")?;
        for &i in individuals {
            let mut row = alloc::copy(&nodes[i as usize], "the VCF samples")?;
            if !o.include_non_sample_nodes {
                row.retain(|&u| flags[u as usize] & NODE_IS_SAMPLE != 0);
            }
            rows.push(row);
        }
        let names = alloc::collect(
            individuals.iter().map(|i| format!("tsk_{i}").into_bytes()),
            "the VCF names",
        )?;
        (rows, names)
    };
    let names: Vec<Vec<u8>> = match &o.individual_names {
        Some(given) => alloc::collect(given.iter().map(|n| n.to_vec()), "the VCF names")?,
        None => default_names,
    };
    if names.len() != rows.len() {
        return Err(bad(format!(
            "the number of individuals ({}) does not match the number of names ({})",
            rows.len(),
            names.len()
        )));
    }
    // Individuals without nodes cannot be written.
    let mut nodes = Vec::new();
    let mut ploidies = Vec::new();
    let mut kept_names = Vec::new();
    for (row, name) in rows.into_iter().zip(names) {
        if !row.is_empty() {
            alloc::extend_from_slice(&mut nodes, &row, "the VCF samples")?;
            alloc::push(&mut ploidies, row.len(), "the VCF samples")?;
            alloc::push(&mut kept_names, name, "the VCF names")?;
        }
    }
    if ploidies.is_empty() {
        fail!(Error::VcfNoSamples, "no samples in resulting VCF model");
    }
    let position = &tables.sites.position;
    let (positions, mut contig_length) = match o.positions {
        Positions::Round => {
            let p = alloc::collect(
                position.iter().map(|&x| x.round_ties_even() as i64),
                "the VCF positions",
            )?;
            (p, (ts.sequence_length().round_ties_even() as i64).max(1))
        }
        Positions::Legacy => {
            let mut last = 0i64;
            let p = alloc::collect(
                position.iter().map(|&x| {
                    let mut p = x.round_ties_even() as i64;
                    if p <= last {
                        p = last + 1;
                    }
                    last = p;
                    p
                }),
                "the VCF positions",
            )?;
            let mut l = ts.sequence_length().round_ties_even() as i64;
            if l <= 0 {
                l = 1;
            }
            (p, l.max(1))
        }
        Positions::Given {
            positions,
            contig_length,
        } => {
            if positions.len() != position.len() {
                fail!(
                    Error::BadParamValue,
                    "position transform must return an array of the same length ({} positions for {} sites)",
                    positions.len(),
                    position.len()
                );
            }
            (alloc::copy(positions, "the VCF positions")?, contig_length.max(1))
        }
    };
    if let Some(&last) = positions.last() {
        contig_length = contig_length.max(last);
    }
    Ok(Model {
        nodes,
        ploidies,
        names: kept_names,
        positions,
        contig_length,
    })
}

fn check_masks(ts: &TreeSequence, o: &Options, model: &Model) -> Result<()> {
    let num_sites = ts.tables().sites.position.len();
    if let Some(m) = o.site_mask {
        if m.len() != num_sites {
            fail!(
                Error::BadParamValue,
                "site mask must be 1D a boolean array of length num_sites ({} given for {num_sites} sites)",
                m.len()
            );
        }
    }
    if let Some(m) = o.sample_mask {
        let n = model.nodes.len();
        if m.len() != n && m.len() as u128 != n as u128 * num_sites as u128 {
            fail!(
                Error::BadParamValue,
                "sample mask must have one value per sample node ({n}) or per site and sample node; {} given",
                m.len()
            );
        }
    }
    if !o.allow_position_zero {
        let masked = |s: usize| o.site_mask.is_some_and(|m| m[s] != 0);
        if let Some(s) = (0..num_sites).find(|&s| model.positions[s] == 0 && !masked(s)) {
            fail!(
                Error::VcfPositionZero,
                "site {s}: a variant position of 0 was found in the VCF output, which is not fully \
                 compliant with the VCF spec; allow it with allow_position_zero, or transform the positions"
            );
        }
    }
    Ok(())
}

fn header(o: &Options, model: &Model, out: &mut Vec<u8>) {
    out.extend_from_slice(b"##fileformat=VCFv4.2\n##source=");
    out.extend_from_slice(o.source);
    out.extend_from_slice(b"\n##FILTER=<ID=PASS,Description=\"All filters passed\">\n##contig=<ID=");
    out.extend_from_slice(o.contig_id);
    out.extend_from_slice(format!(",length={}>\n", model.contig_length).as_bytes());
    out.extend_from_slice(b"##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n");
    out.extend_from_slice(b"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t");
    for (j, name) in model.names.iter().enumerate() {
        if j > 0 {
            out.push(b'\t');
        }
        out.extend_from_slice(name);
    }
    out.push(b'\n');
}

/// Writes `n` in decimal.
fn push_int(out: &mut Vec<u8>, n: i64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// Sites per block: about 2 MB of text each.
fn sites_per_block(num_nodes: usize) -> usize {
    ((1usize << 21) / (2 * num_nodes.max(1))).max(1)
}

/// The BGZF block gzip: members of at most 64 KiB, each with the `BC`
/// extra field that gives its size, then the empty end-of-file member.
pub mod bgzf {
    use crate::error::{Error, Failure, Result};

    /// Uncompressed bytes per block (htslib's `BGZF_BLOCK_SIZE`), so that
    /// even a block that does not compress fits in 64 KiB.
    pub const BLOCK_DATA: usize = 0xff00;
    /// The end-of-file marker: an empty block.
    pub const EOF: [u8; 28] = [
        0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ];

    /// The deflate level of the members. htslib's bgzip uses zlib's
    /// default, 6; see [`members`] for why this is lower.
    pub const LEVEL: u32 = 1;

    /// Appends `data` to `out` as BGZF members of at most [`BLOCK_DATA`]
    /// bytes of `data` each (the last one may be shorter), compressed with
    /// `z` (a raw deflate stream, reset for each member).
    ///
    /// The level: htslib's bgzip uses 6. On VCF text of phased genotypes
    /// (mostly "0|0\t" repeated) level 1 takes about a third of level 6's
    /// time and writes about twice its bytes, still about 1/80 of the text
    /// (measured with zlib on medium's VCF: 65,280-byte blocks, 40 MB of
    /// text to 0.49 MB at level 1 and 0.26 MB at level 6); at level 6 the
    /// compression alone would take longer than writing the plain text.
    /// Readers do not care which level a block has.
    pub fn members(data: &[u8], z: &mut flate2::Compress, out: &mut Vec<u8>) -> Result<()> {
        let fail = |e: String| Failure::new(Error::Io, format!("compressing a BGZF block: {e}"));
        for chunk in data.chunks(BLOCK_DATA) {
            let start = out.len();
            crate::alloc::reserve(out, 65536, "the BGZF blocks")?;
            out.extend_from_slice(&[
                0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, b'B', b'C', 0x02, 0, 0, 0,
            ]);
            let body = out.len();
            z.reset();
            let status = z
                .compress_vec(chunk, out, flate2::FlushCompress::Finish)
                .map_err(|e| fail(e.to_string()))?;
            let stored = status != flate2::Status::StreamEnd || out.len() - start + 8 > 65536;
            if stored {
                // Did not fit: the chunk as one stored deflate block
                // (BLOCK_DATA < 65,535).
                out.truncate(body);
                out.push(1);
                out.extend_from_slice(&(chunk.len() as u16).to_le_bytes());
                out.extend_from_slice(&(!(chunk.len() as u16)).to_le_bytes());
                out.extend_from_slice(chunk);
            }
            let mut crc = flate2::Crc::new();
            crc.update(chunk);
            out.extend_from_slice(&crc.sum().to_le_bytes());
            out.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
            let bsize = (out.len() - start - 1) as u16;
            out[start + 16..start + 18].copy_from_slice(&bsize.to_le_bytes());
        }
        Ok(())
    }

    /// A raw deflate compressor at [`LEVEL`].
    pub fn compressor() -> flate2::Compress {
        flate2::Compress::new(flate2::Compression::new(LEVEL), false)
    }
}

/// Writes the VCF of `ts` to `out`.
pub fn write(ts: &Arc<TreeSequence>, o: &Options, exec: &mut Exec, out: &mut dyn Write) -> Result<()> {
    let model = model(ts, o)?;
    check_masks(ts, o, &model)?;
    let spec = Spec::new(ts, Some(&model.nodes), None, o.isolated_as_missing)?;
    let n = model.nodes.len();
    let num_sites = ts.tables().sites.position.len();

    // The genotype text of one site where every node carries the ancestral
    // state: node j's digit (or '.') at 2j, then '|', a tab or the newline.
    let mut template = Vec::new();
    for &p in &model.ploidies {
        for k in 0..p {
            template.push(b'0');
            template.push(if k + 1 < p { b'|' } else { b'\t' });
        }
    }
    *template.last_mut().expect("at least one sample") = b'\n';

    let io = |e: std::io::Error| Failure::new(Error::from_io(&e), format!("writing the VCF: {e}"));
    let mut text = Vec::new();
    header(o, &model, &mut text);
    if o.bgzf {
        let mut z = Vec::new();
        bgzf::members(&text, &mut bgzf::compressor(), &mut z)?;
        text = z;
    }
    out.write_all(&text).map_err(io)?;

    let per_block = sites_per_block(n);
    let blocks: Vec<std::ops::Range<usize>> = alloc::collect(
        (0..num_sites.div_ceil(per_block)).map(|b| b * per_block..((b + 1) * per_block).min(num_sites)),
        "the blocks of sites",
    )?;
    // Batches of blocks bound the text held at once; the bytes do not
    // depend on them. Block buffers are used again once written, so that
    // the text is not written into fresh pages all the time.
    let batch = (2 * exec.threads).max(4);
    let mut progress = exec.progress.take();
    let threads = exec.threads;
    let cursors = Cursors::new();
    let buffers: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
    // (At most as many as can be in use at once: a batch being made, one
    // waiting, one being written.)
    let recycle = |b: Vec<u8>| {
        let mut pool = buffers.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < 3 * batch {
            pool.push(b);
        }
    };
    let (model, template, spec) = (&model, &template, &spec);
    let line = |block: std::ops::Range<usize>,
                tree: &mut crate::treeseq::Tree,
                scratch: &mut Scratch,
                cancel: &std::sync::atomic::AtomicBool|
     -> Result<Vec<u8>> {
        let mut buf = buffers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        buf.clear();
        alloc::reserve(&mut buf, block.len() * (template.len() + 64), "a block of VCF text")?;
        for site in block {
            check_cancel(cancel)?;
            if o.site_mask.is_some_and(|m| m[site] != 0) {
                continue;
            }
            seek_site(ts, spec, tree, scratch, site)?;
            let too_many = |f: Failure| {
                if f.kind == Error::TooManyAlleles {
                    Failure::new(Error::VcfTooManyAlleles, format!("site {site}: more than 9 alleles"))
                } else {
                    f
                }
            };
            ancestral_index::<i8>(ts, spec, site, scratch).map_err(too_many)?;
            // The alleles first (from the mutations alone), for the start
            // of the line; the genotypes then go straight into the text.
            derived_indexes(ts, spec, site, scratch, 9).map_err(too_many)?;
            let alleles = &scratch.alleles;
            if alleles.len() > 9 {
                fail!(Error::VcfTooManyAlleles, "site {site} has {} alleles", alleles.len());
            }
            alloc::reserve(
                &mut buf,
                template.len() + 64 + alleles.bytes().len() + o.contig_id.len(),
                "a block of VCF text",
            )?;
            buf.extend_from_slice(o.contig_id);
            buf.push(b'\t');
            push_int(&mut buf, model.positions[site]);
            buf.push(b'\t');
            push_int(&mut buf, site as i64);
            buf.push(b'\t');
            buf.extend_from_slice(alleles.get(0));
            buf.push(b'\t');
            if alleles.len() > 1 {
                for j in 1..alleles.len() {
                    if j > 1 {
                        buf.push(b',');
                    }
                    buf.extend_from_slice(alleles.get(j));
                }
            } else {
                buf.push(b'.');
            }
            buf.extend_from_slice(b"\t.\tPASS\t.\tGT\t");
            let base = buf.len();
            buf.extend_from_slice(template);
            let row = &mut buf[base..];
            // Each node's character is at twice its column (a digit, then
            // '|', a tab or the newline).
            decode_changes(ts, spec, tree, site, scratch, 9, |c, g| {
                row[2 * c] = if g < 0 { b'.' } else { b'0' + g as u8 };
            })?;
            if let Some(mask) = o.sample_mask {
                let m = if mask.len() == n {
                    mask
                } else {
                    &mask[site * n..(site + 1) * n]
                };
                for (j, &x) in m.iter().enumerate() {
                    if x != 0 {
                        row[2 * j] = b'.';
                    }
                }
            }
        }
        if o.bgzf {
            // Each block of text becomes whole BGZF members of its own (the
            // last one short), compressed here in parallel; the cut depends
            // only on the blocks.
            let mut z = Vec::new();
            let r = bgzf::members(&buf, scratch.deflate.get_or_insert_with(bgzf::compressor), &mut z);
            recycle(buf);
            r?;
            return Ok(z);
        }
        Ok(buf)
    };
    let total = blocks.len().max(1) as f64;
    let batches = blocks.chunks(batch);
    let mut done = 0usize;
    // Writes a batch's bytes and reports progress.
    let mut put = |texts: Vec<Vec<u8>>, out: &mut dyn Write| -> Result<()> {
        done += texts.len();
        for t in texts {
            out.write_all(&t).map_err(io)?;
            if !o.bgzf {
                // (BGZF: the text buffers went back when compressed.)
                recycle(t);
            }
        }
        if let Some(cb) = progress.as_mut() {
            if cb((done as f64 / total).min(1.0)) {
                fail!(Error::Cancelled, "cancelled by the progress callback");
            }
        }
        Ok(())
    };
    let make_batch = |group: &[std::ops::Range<usize>], inner: &mut Exec| {
        run_blocks(ts, group, &cursors, inner, |_, block, tree, scratch, cancel| {
            line(block, tree, scratch, cancel)
        })
    };
    if threads <= 1 {
        let mut inner = Exec::with_threads(1);
        for group in batches {
            put(make_batch(group, &mut inner)?, out)?;
        }
    } else {
        // The next batch is decoded while this one is written: `threads`
        // in all, one of them (this one: the caller's writer need not be
        // Send) writing, the others decoding, at most one batch waiting.
        // (Writing plain text costs about as much as decoding it; with every
        // thread decoding as well, each tree cursor would step over the trees
        // of the others' blocks too, for little gain. BGZF output is small:
        // there every thread decodes and compresses.)
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Vec<u8>>>>(1);
            let (stop, make_batch) = (&stop, &make_batch);
            let producer = scope.spawn(move || {
                let mut inner = Exec::with_threads(if o.bgzf { threads } else { threads - 1 });
                for group in batches {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let r = make_batch(group, &mut inner);
                    let failed = r.is_err();
                    if tx.send(r).is_err() || failed {
                        break;
                    }
                }
            });
            let mut result = Ok(());
            for r in rx.iter() {
                result = r.and_then(|texts| put(texts, out));
                if result.is_err() {
                    break;
                }
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            drop(rx);
            if let Err(panic) = producer.join() {
                std::panic::resume_unwind(panic);
            }
            result
        })?;
    }
    if o.bgzf {
        out.write_all(&bgzf::EOF).map_err(io)?;
    }
    out.flush().map_err(io)
}

/// Writes the VCF of `ts` to the file `path`, atomically: under a
/// temporary name, renamed over `path` once complete.
pub fn write_file(ts: &Arc<TreeSequence>, o: &Options, exec: &mut Exec, path: &Path) -> Result<()> {
    // Argument errors come before any file is made.
    let m = model(ts, o)?;
    check_masks(ts, o, &m)?;
    drop(m);
    crate::io::trees::write_replacing_checked(path, |out| write(ts, o, exec, out))
}
