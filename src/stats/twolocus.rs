//! Two-locus statistics: linkage disequilibrium matrices with tskit's
//! `ld_matrix` meaning. Site mode compares every row site with every
//! column site through the haplotype counts of their alleles in each sample
//! set; branch mode compares the trees at row and column positions through
//! the samples below every pair of branches, weighted by both branches'
//! lengths.
//!
//! As in tskit, a pair of biallelic sites gives the summary of their
//! derived alleles; a pair with a multi-allelic site sums the summary over
//! pairs of alleles (the derived ones only for the polarised statistics D,
//! r and D'), each weighted by the haplotype's frequency (r²) or by one
//! over the number of allele pairs (the others).
//!
//! Rows are cut into blocks whose size depends only on the matrix, each
//! value is computed on its own, so the result is the same bits for every
//! thread count.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::engine::{run_pieces, Piece};
use super::{check_indexes, opt, Exec, SampleSets};
use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::{Tree, TreeSequence};

/// The statistics, numbered as the C API's `TSPAR_LD_*` constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LdStat {
    R2 = 0,
    R = 1,
    D2 = 2,
    D = 3,
    DPrime = 4,
    Dz = 5,
    Pi2 = 6,
    D2Unbiased = 7,
    DzUnbiased = 8,
    Pi2Unbiased = 9,
}

impl LdStat {
    pub const ALL: [LdStat; 10] = [
        LdStat::R2,
        LdStat::R,
        LdStat::D2,
        LdStat::D,
        LdStat::DPrime,
        LdStat::Dz,
        LdStat::Pi2,
        LdStat::D2Unbiased,
        LdStat::DzUnbiased,
        LdStat::Pi2Unbiased,
    ];

    pub fn from_code(code: i32) -> Result<LdStat> {
        match LdStat::ALL.iter().find(|s| **s as i32 == code) {
            Some(&s) => Ok(s),
            None => fail!(Error::BadParamValue, "unknown two-locus statistic {code}"),
        }
    }

    /// tskit's name (`stat=` of `ld_matrix`).
    pub fn name(self) -> &'static str {
        use LdStat::*;
        match self {
            R2 => "r2",
            R => "r",
            D2 => "D2",
            D => "D",
            DPrime => "D_prime",
            Dz => "Dz",
            Pi2 => "pi2",
            D2Unbiased => "D2_unbiased",
            DzUnbiased => "Dz_unbiased",
            Pi2Unbiased => "pi2_unbiased",
        }
    }

    /// The statistics tskit sums over derived alleles only.
    fn polarised(self) -> bool {
        matches!(self, LdStat::D | LdStat::R | LdStat::DPrime)
    }

    /// The statistics tskit has between two sample sets.
    pub fn has_two_way(self) -> bool {
        matches!(self, LdStat::R2 | LdStat::D2 | LdStat::D2Unbiased)
    }
}

/// The loci of one side of the matrix: site ids (site mode) or genome
/// positions (branch mode); `None` is tskit's default (every site, or the
/// left end of every tree).
#[derive(Clone, Copy, Debug)]
pub enum Loci<'a> {
    Sites(Option<&'a [Id]>),
    Positions(Option<&'a [f64]>),
}

/// The summary of one pair of alleles (or branches): `w` holds, per sample
/// set, the counts of the AB, Ab and aB haplotypes.
struct Summ<'a> {
    stat: LdStat,
    n: &'a [f64],
    /// Index pairs for a two-way statistic; empty for one-way.
    pairs: &'a [(usize, usize)],
}

#[inline]
fn freqs(w: &[f64; 3], n: f64) -> (f64, f64, f64) {
    let p_ab = w[0] / n;
    let p_a = p_ab + w[1] / n;
    let p_b = p_ab + w[2] / n;
    (p_ab, p_a, p_b)
}

impl Summ<'_> {
    /// The summary into `out` (result_dim values).
    #[inline]
    fn eval(&self, w: &[[f64; 3]], out: &mut [f64]) {
        use LdStat::*;
        if !self.pairs.is_empty() {
            for (o, &(i, j)) in out.iter_mut().zip(self.pairs) {
                *o = self.two_way(w, i, j);
            }
            return;
        }
        for ((o, wk), &n) in out.iter_mut().zip(w).zip(self.n) {
            *o = match self.stat {
                R2 | R | D2 | D | DPrime | Dz | Pi2 => {
                    let (p_ab, p_a, p_b) = freqs(wk, n);
                    let d = p_ab - p_a * p_b;
                    match self.stat {
                        R2 => d * d / (p_a * p_b * (1.0 - p_a) * (1.0 - p_b)),
                        R => d / (p_a * p_b * (1.0 - p_a) * (1.0 - p_b)).sqrt(),
                        D2 => d * d,
                        D => d,
                        DPrime => {
                            if d >= 0.0 {
                                d / f64::min(p_a * (1.0 - p_b), (1.0 - p_a) * p_b)
                            } else {
                                d / f64::min(p_a * p_b, (1.0 - p_a) * (1.0 - p_b))
                            }
                        }
                        Dz => d * (1.0 - 2.0 * p_a) * (1.0 - 2.0 * p_b),
                        _ => p_a * (1.0 - p_a) * p_b * (1.0 - p_b),
                    }
                }
                D2Unbiased | DzUnbiased | Pi2Unbiased => {
                    // Haplotype counts: x_ab of AB, x_a of Ab, x_b of aB,
                    // x_0 of ab (Ragsdale and Gravel 2019, as tskit).
                    let (x_ab, x_a, x_b) = (wk[0], wk[1], wk[2]);
                    let x_0 = n - (x_ab + x_a + x_b);
                    let norm = 1.0 / (n * (n - 1.0) * (n - 2.0) * (n - 3.0));
                    let v = match self.stat {
                        D2Unbiased => {
                            x_b * x_b * (x_a - 1.0) * x_a + (x_0 - 1.0) * x_0 * (x_ab - 1.0) * x_ab
                                - x_b * x_a * (x_a + 2.0 * x_0 * x_ab - 1.0)
                        }
                        DzUnbiased => {
                            (x_ab * x_0 - x_a * x_b) * (x_b + x_0 - x_ab - x_a) * (x_a + x_0 - x_ab - x_b)
                                - x_ab * x_0 * (x_ab + x_0 - x_a - x_b - 2.0)
                                - x_a * x_b * (x_a + x_b - x_ab - x_0 - 2.0)
                        }
                        _ => {
                            (x_ab + x_a) * (x_b + x_0) * (x_ab + x_b) * (x_a + x_0)
                                - x_ab * x_0 * (x_ab + x_0 + 3.0 * x_a + 3.0 * x_b - 1.0)
                                - x_a * x_b * (x_a + x_b + 3.0 * x_ab + 3.0 * x_0 - 1.0)
                        }
                    };
                    norm * v
                }
            };
        }
    }

    #[inline]
    fn two_way(&self, w: &[[f64; 3]], i: usize, j: usize) -> f64 {
        use LdStat::*;
        match self.stat {
            R2 => {
                let (p_ab, p_a, p_b) = freqs(&w[i], self.n[i]);
                let d_i = p_ab - p_a * p_b;
                let den_i = (p_a * (1.0 - p_a) * p_b * (1.0 - p_b)).sqrt();
                let (p_ab, p_a, p_b) = freqs(&w[j], self.n[j]);
                let d_j = p_ab - p_a * p_b;
                let den_j = (p_a * (1.0 - p_a) * p_b * (1.0 - p_b)).sqrt();
                d_i * d_j / (den_i * den_j)
            }
            D2 => {
                let (p_ab, p_a, p_b) = freqs(&w[i], self.n[i]);
                let d_i = p_ab - p_a * p_b;
                let (p_ab, p_a, p_b) = freqs(&w[j], self.n[j]);
                let d_j = p_ab - p_a * p_b;
                d_i * d_j
            }
            _ => {
                // D2_unbiased between two sets (the same set twice: within it).
                let low = |k: usize| self.n[k] - (w[k][0] + w[k][1] + w[k][2]);
                if i == j {
                    let n = self.n[i];
                    let (ab, a_b, a_bb, abl) = (w[i][0], w[i][1], w[i][2], low(i));
                    (ab * (ab - 1.0) * abl * (abl - 1.0) + a_b * (a_b - 1.0) * a_bb * (a_bb - 1.0)
                        - 2.0 * ab * a_b * a_bb * abl)
                        / n
                        / (n - 1.0)
                        / (n - 2.0)
                        / (n - 3.0)
                } else {
                    let (ni, nj) = (self.n[i], self.n[j]);
                    (w[i][1] * w[i][2] - w[i][0] * low(i)) * (w[j][1] * w[j][2] - w[j][0] * low(j))
                        / ni
                        / (ni - 1.0)
                        / nj
                        / (nj - 1.0)
                }
            }
        }
    }

    /// The weight of one allele pair's summary at a multi-allelic pair of
    /// sites (`na`, `nb` allele counts without the ancestral one when
    /// polarised).
    #[inline]
    fn norm(&self, w: &[[f64; 3]], na: usize, nb: usize, out: &mut [f64]) {
        if self.stat == LdStat::R2 {
            if self.pairs.is_empty() {
                for ((o, wk), &n) in out.iter_mut().zip(w).zip(self.n) {
                    *o = wk[0] / n;
                }
            } else {
                for (o, &(i, j)) in out.iter_mut().zip(self.pairs) {
                    *o = (w[i][0] + w[j][0]) / (self.n[i] + self.n[j]);
                }
            }
        } else {
            out.fill(1.0 / (na * nb) as f64);
        }
    }
}

/// Checks a list of sites as tskit does, in its order: bounds, then order,
/// then repeats, pair by pair.
fn check_sites(sites: &[Id], num_sites: usize, side: &str) -> Result<()> {
    let bad = |s: Id| s < 0 || s as usize >= num_sites;
    for (j, w) in sites.windows(2).enumerate() {
        if bad(w[0]) {
            fail!(
                Error::SiteOutOfBounds,
                "{side} site {j} is {} (there are {num_sites} sites)",
                w[0]
            );
        }
        if w[0] > w[1] {
            fail!(
                Error::StatUnsortedSites,
                "{side} sites {j} and {} are {} and {}",
                j + 1,
                w[0],
                w[1]
            );
        }
        if w[0] == w[1] {
            fail!(Error::StatDuplicateSites, "{side} site {} is listed twice", w[0]);
        }
    }
    if let Some(&last) = sites.last() {
        if bad(last) {
            fail!(
                Error::SiteOutOfBounds,
                "{side} site {} is {last} (there are {num_sites} sites)",
                sites.len() - 1
            );
        }
    }
    Ok(())
}

/// Checks a list of positions as tskit does: within `[0, L)`, increasing.
fn check_positions(pos: &[f64], l: f64, side: &str) -> Result<()> {
    let bad = |x: f64| !(x >= 0.0 && x < l);
    for (j, w) in pos.windows(2).enumerate() {
        if bad(w[0]) {
            fail!(
                Error::PositionOutOfBounds,
                "{side} position {j} is {} (the sequence length is {l})",
                w[0]
            );
        }
        if w[0] > w[1] {
            fail!(
                Error::StatUnsortedPositions,
                "{side} positions {j} and {} are {} and {}",
                j + 1,
                w[0],
                w[1]
            );
        }
        if w[0] == w[1] {
            fail!(
                Error::StatDuplicatePositions,
                "{side} position {} is listed twice",
                w[0]
            );
        }
    }
    if let Some(&last) = pos.last() {
        if bad(last) {
            fail!(
                Error::PositionOutOfBounds,
                "{side} position {} is {last} (the sequence length is {l})",
                pos.len() - 1
            );
        }
    }
    Ok(())
}

/// The checked arguments every mode shares.
struct Setup<'a> {
    sets: Vec<&'a [Id]>,
    n: Vec<f64>,
    pairs: Vec<(usize, usize)>,
    stat: LdStat,
}

/// The number of values of the matrix: `[index][row][col]`.
pub fn ld_matrix_len(num_results: usize, rows: usize, cols: usize) -> usize {
    num_results
        .checked_mul(rows)
        .and_then(|x| x.checked_mul(cols))
        .unwrap_or(usize::MAX)
}

/// tskit's `ld_matrix`: written into the slice `buffer(len)` gives, as
/// `[index][row][col]` (index: the sample set, or the index pair when
/// `indexes` is not empty).
#[allow(clippy::too_many_arguments)]
pub fn ld_matrix_into<'a, 'o>(
    ts: &'a Arc<TreeSequence>,
    sets: SampleSets<'a>,
    indexes: &'a [Id],
    stat: LdStat,
    rows: Loci<'a>,
    cols: Loci<'a>,
    options: u32,
    exec: &mut Exec,
    buffer: impl FnOnce(usize) -> Result<&'o mut [f64]>,
) -> Result<()> {
    if options & !(opt::SITE | opt::BRANCH | opt::NODE) != 0 {
        fail!(
            Error::BadOptions,
            "two-locus statistics: {:#x}",
            options & !(opt::SITE | opt::BRANCH)
        );
    }
    if options & opt::NODE != 0 {
        fail!(Error::UnsupportedStatMode, "two-locus statistics have no node mode");
    }
    if options & opt::SITE != 0 && options & opt::BRANCH != 0 {
        fail!(Error::MultipleStatModes, "both site and branch mode");
    }
    let branch = options & opt::BRANCH != 0;
    let checked = sets.check(ts)?;
    let pairs: Vec<(usize, usize)> = if indexes.is_empty() {
        Vec::new()
    } else {
        if !stat.has_two_way() {
            fail!(
                Error::TwoWayUnsupported,
                "{} has no form between two sample sets (r2, D2 and D2_unbiased do)",
                stat.name()
            );
        }
        if checked.len() < 2 {
            fail!(
                Error::InsufficientSampleSets,
                "two-way statistics need at least two sample sets ({} given)",
                checked.len()
            );
        }
        check_indexes(checked.len(), 2, indexes)?;
        alloc::collect(
            indexes.chunks_exact(2).map(|p| (p[0] as usize, p[1] as usize)),
            "the index pairs",
        )?
    };
    let n: Vec<f64> = sets.sizes.iter().map(|&s| s as f64).collect();
    let setup = Setup {
        sets: checked,
        n,
        pairs,
        stat,
    };
    if branch {
        let pos = |l: Loci<'a>| -> Result<&'a [f64]> {
            match l {
                Loci::Positions(Some(p)) => Ok(p),
                Loci::Positions(None) | Loci::Sites(None) => Ok(&ts.breakpoints()[..ts.num_trees()]),
                Loci::Sites(Some(_)) => fail!(
                    Error::BadParamValue,
                    "site lists are for site mode; branch mode takes positions"
                ),
            }
        };
        let (r, c) = (pos(rows)?, pos(cols)?);
        check_positions(r, ts.sequence_length(), "row")?;
        check_positions(c, ts.sequence_length(), "column")?;
        let len = ld_matrix_len(setup.result_dim(), r.len(), c.len());
        let out = buffer(len)?;
        if out.len() < len {
            fail!(Error::Internal, "matrix buffer of {} values, {len} needed", out.len());
        }
        branch_matrix(ts, &setup, r, c, exec, &mut out[..len])
    } else {
        let ns = ts.tables().sites.position.len();
        let all: Vec<Id> = if matches!(rows, Loci::Sites(Some(_))) && matches!(cols, Loci::Sites(Some(_))) {
            Vec::new()
        } else {
            alloc::collect(0..ns as Id, "the list of sites")?
        };
        fn sites<'b>(l: Loci<'b>, all: &'b [Id]) -> Result<&'b [Id]> {
            match l {
                Loci::Sites(Some(s)) => Ok(s),
                Loci::Sites(None) | Loci::Positions(None) => Ok(all),
                Loci::Positions(Some(_)) => fail!(
                    Error::BadParamValue,
                    "positions are for branch mode; site mode takes site lists"
                ),
            }
        }
        let (r, c) = (sites(rows, &all)?, sites(cols, &all)?);
        check_sites(r, ns, "row")?;
        check_sites(c, ns, "column")?;
        let len = ld_matrix_len(setup.result_dim(), r.len(), c.len());
        let out = buffer(len)?;
        if out.len() < len {
            fail!(Error::Internal, "matrix buffer of {} values, {len} needed", out.len());
        }
        site_matrix(ts, &setup, r, c, exec, &mut out[..len])
    }
}

impl Setup<'_> {
    fn result_dim(&self) -> usize {
        if self.pairs.is_empty() {
            self.sets.len()
        } else {
            self.pairs.len()
        }
    }

    fn summ(&self) -> Summ<'_> {
        Summ {
            stat: self.stat,
            n: &self.n,
            pairs: &self.pairs,
        }
    }
}

// ------------------------------------------------------------ site mode

/// The samples of every allele of the sites in use, per sample set: bit `i`
/// of row (allele, set) is the set's `i`-th sample.
struct Alleles {
    k: usize,
    words: usize,
    bits: Vec<u64>,
    counts: Vec<u32>,
    /// First row of each site and its number of alleles.
    first: Vec<usize>,
    num_alleles: Vec<usize>,
}

impl Alleles {
    #[inline]
    fn row(&self, r: usize) -> &[u64] {
        &self.bits[r * self.words..(r + 1) * self.words]
    }
}

/// Rows of bits: `words` u64 per row.
fn or_into(dst: &mut [u64], src: &[u64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d |= s;
    }
}

#[inline]
fn and_count(a: &[u64], b: &[u64]) -> u32 {
    let mut c = 0u32;
    for (x, y) in a.iter().zip(b) {
        c += (x & y).count_ones();
    }
    c
}

/// Samples below each mutation of `sites`, gathered on one walk along the
/// trees, turned into the samples of each allele as tskit does: a
/// mutation's samples are added to its allele and taken from its parent's
/// allele (the ancestral one for a mutation without parent).
fn gather_alleles(ts: &Arc<TreeSequence>, sets: &[&[Id]], sites: &[Id]) -> Result<Alleles> {
    let t = ts.tables();
    let k = sets.len();
    let max_n = sets.iter().map(|s| s.len()).max().unwrap_or(0);
    let words = max_n.div_ceil(64).max(1);
    let what = "the alleles' samples";
    // For each sample (index into ts.samples()), its bit in each set.
    let ns = ts.samples().len();
    let mut pos = alloc::filled(ns.saturating_mul(k), u32::MAX, what)?;
    for (j, set) in sets.iter().enumerate() {
        for (i, &u) in set.iter().enumerate() {
            pos[ts.sample_index()[u as usize] as usize * k + j] = i as u32;
        }
    }
    let mut first = alloc::with_capacity(sites.len(), what)?;
    let mut total_rows = 0usize;
    let mut max_muts = 0usize;
    for &s in sites {
        let m = ts.site_mutations(s as usize).len();
        first.push(total_rows);
        total_rows = total_rows.saturating_add((m + 1).saturating_mul(k));
        max_muts = max_muts.max(m);
    }
    let mut bits: Vec<u64> = alloc::zeroed(total_rows.saturating_mul(words), what)?;
    let mut num_alleles = alloc::with_capacity(sites.len(), what)?;
    let mut mut_bits: Vec<u64> = alloc::zeroed(max_muts.saturating_mul(k).saturating_mul(words), what)?;
    let mut full = alloc::zeroed(k * words, what)?;
    for (j, set) in sets.iter().enumerate() {
        let row = &mut full[j * words..(j + 1) * words];
        for i in 0..set.len() {
            row[i / 64] |= 1u64 << (i % 64);
        }
    }
    let mut tree = Tree::new(Arc::clone(ts))?;
    let mut stack: Vec<Id> = Vec::new();
    let sample_index = ts.sample_index();
    let mut alleles: Vec<&[u8]> = Vec::new();
    for (si, &s) in sites.iter().enumerate() {
        let s = s as usize;
        let x = t.sites.position[s];
        let want = ts.tree_index_at(x)?;
        match tree.index() {
            Some(j) if j <= want && want - j <= 32 => {
                while tree.index() != Some(want) {
                    tree.advance();
                }
            }
            _ => tree.seek_index(want)?,
        }
        let muts = ts.site_mutations(s);
        let nm = muts.len();
        mut_bits[..nm * k * words].fill(0);
        let (lc, rs) = (tree.left_child_array(), tree.right_sib_array());
        for (mi, m) in muts.clone().enumerate() {
            let rows = &mut mut_bits[mi * k * words..(mi + 1) * k * words];
            stack.clear();
            alloc::push(&mut stack, t.mutations.node[m], what)?;
            while let Some(u) = stack.pop() {
                let si_u = sample_index[u as usize];
                if si_u >= 0 {
                    let p = &pos[si_u as usize * k..(si_u as usize + 1) * k];
                    for (j, &b) in p.iter().enumerate() {
                        if b != u32::MAX {
                            rows[j * words + (b / 64) as usize] |= 1u64 << (b % 64);
                        }
                    }
                }
                let mut c = lc[u as usize];
                while c != NULL {
                    alloc::push(&mut stack, c, what)?;
                    c = rs[c as usize];
                }
            }
        }
        // The allele rows of this site: (allele, set).
        let base = first[si];
        let site_bits = &mut bits[base * words..(base + (nm + 1) * k) * words];
        site_bits[..k * words].copy_from_slice(&full);
        alleles.clear();
        alleles.push(t.sites.ancestral_state.row(s));
        for (mi, m) in muts.clone().enumerate() {
            let state = t.mutations.derived_state.row(m);
            let a = match alleles.iter().position(|&x| x == state) {
                Some(a) => a,
                None => {
                    alleles.push(state);
                    alleles.len() - 1
                }
            };
            let src = &mut_bits[mi * k * words..(mi + 1) * k * words];
            or_into(&mut site_bits[a * k * words..(a + 1) * k * words], src);
            let parent = t.mutations.parent[m];
            let alt_state = if parent == NULL {
                t.sites.ancestral_state.row(s)
            } else {
                // The parent is at this site (checked when the tree
                // sequence was made).
                t.mutations.derived_state.row(parent as usize)
            };
            let alt = alleles.iter().position(|&x| x == alt_state).unwrap_or(0);
            // tskit takes the allele's whole sample set from the
            // alternative allele (all of it when the two are the same).
            for w in 0..k * words {
                let v = site_bits[a * k * words + w];
                site_bits[alt * k * words + w] &= !v;
            }
        }
        num_alleles.push(alleles.len());
    }
    let mut counts = alloc::zeroed(total_rows, what)?;
    for (r, c) in counts.iter_mut().enumerate() {
        *c = bits[r * words..(r + 1) * words].iter().map(|w| w.count_ones()).sum();
    }
    Ok(Alleles {
        k,
        words,
        bits,
        counts,
        first,
        num_alleles,
    })
}

/// Rows per block of work (a property of the matrix, not of the threads).
fn row_block(rows: usize, cols: usize, k: usize, words: usize) -> usize {
    // About 2^22 word operations per block.
    let per_row = (cols.max(1) as u64) * (k.max(1) as u64) * (words.max(1) as u64);
    ((1u64 << 22) / per_row.max(1))
        .clamp(1, 1 << 16)
        .min(rows.max(1) as u64) as usize
}

/// The two-site values of one pair into `out` (result_dim values).
#[allow(clippy::too_many_arguments)]
#[inline]
fn site_pair(
    al: &Alleles,
    summ: &Summ,
    polarised: bool,
    a: usize,
    b: usize,
    w: &mut [[f64; 3]],
    tmp: &mut [f64],
    norm: &mut [f64],
    out: &mut [f64],
) {
    let k = al.k;
    let (na, nb) = (al.num_alleles[a], al.num_alleles[b]);
    let (fa, fb) = (al.first[a], al.first[b]);
    let fill = |w: &mut [[f64; 3]], ra: usize, rb: usize| {
        for (j, wj) in w.iter_mut().enumerate() {
            let (x, y) = (ra + j, rb + j);
            let ab = and_count(al.row(x), al.row(y)) as f64;
            *wj = [ab, al.counts[x] as f64 - ab, al.counts[y] as f64 - ab];
        }
    };
    if na == 2 && nb == 2 {
        fill(w, fa + k, fb + k);
        summ.eval(w, out);
        return;
    }
    out.fill(0.0);
    let p = usize::from(polarised);
    for ia in p..na {
        for ib in p..nb {
            fill(w, fa + ia * k, fb + ib * k);
            summ.eval(w, tmp);
            summ.norm(w, na - p, nb - p, norm);
            for ((o, t), nm) in out.iter_mut().zip(tmp.iter()).zip(norm.iter()) {
                *o += t * nm;
            }
        }
    }
}

fn site_matrix(
    ts: &Arc<TreeSequence>,
    setup: &Setup,
    rows: &[Id],
    cols: &[Id],
    exec: &mut Exec,
    out: &mut [f64],
) -> Result<()> {
    let rd = setup.result_dim();
    let (nr, nc) = (rows.len(), cols.len());
    if nr == 0 || nc == 0 || rd == 0 {
        return Ok(());
    }
    // The sorted union of the row and column sites, and where each is in it.
    let what = "the matrix's sites";
    let mut sites = alloc::with_capacity(nr + nc, what)?;
    let mut row_at = alloc::with_capacity(nr, what)?;
    let mut col_at = alloc::with_capacity(nc, what)?;
    let (mut i, mut j) = (0, 0);
    while i < nr || j < nc {
        let take_r = j >= nc || (i < nr && rows[i] <= cols[j]);
        let take_c = i >= nr || (j < nc && cols[j] <= rows[i]);
        let s = if take_r { rows[i] } else { cols[j] };
        if take_r {
            row_at.push(sites.len());
            i += 1;
        }
        if take_c {
            col_at.push(sites.len());
            j += 1;
        }
        sites.push(s);
    }
    let al = gather_alleles(ts, &setup.sets, &sites)?;
    let summ = setup.summ();
    let polarised = setup.stat.polarised() && setup.pairs.is_empty();
    let k = al.k;
    // Square: each value is computed once and mirrored (the statistics are
    // symmetric in the two sites).
    let square = rows == cols;
    let block = row_block(nr, nc, k, al.words);
    let nblocks = nr.div_ceil(block);
    let pieces: Vec<Piece> = alloc::collect(
        (0..nblocks).map(|bi| {
            let r0 = bi * block;
            let r1 = (r0 + block).min(nr);
            let cells: u64 = if square {
                (r0..r1).map(|r| (nc - r) as u64).sum()
            } else {
                ((r1 - r0) * nc) as u64
            };
            Piece {
                trees: (r0, r1),
                left: 0.0,
                right: 0.0,
                windows: (0, 0),
                work: cells.max(1),
            }
        }),
        "the matrix's blocks",
    )?;
    // Each block's rows in every result plane.
    let plane = nr * nc;
    let mut block_out: Vec<std::sync::Mutex<Vec<&mut [f64]>>> = alloc::with_capacity(nblocks, what)?;
    for _ in 0..nblocks {
        block_out.push(std::sync::Mutex::new(Vec::with_capacity(rd)));
    }
    for pl in out.chunks_mut(plane) {
        for (bi, chunk) in pl.chunks_mut(block * nc).enumerate() {
            block_out[bi].get_mut().unwrap_or_else(|e| e.into_inner()).push(chunk);
        }
    }
    run_pieces(
        exec,
        &pieces,
        || (),
        |bi, piece, _, cancel: &AtomicBool| {
            let mut planes = std::mem::take(&mut *block_out[bi].lock().unwrap_or_else(|e| e.into_inner()));
            let (r0, r1) = piece.trees;
            let mut w = vec![[0.0f64; 3]; k];
            let mut tmp = vec![0.0; rd];
            let mut norm = vec![0.0; rd];
            let mut val = vec![0.0; rd];
            for r in r0..r1 {
                if cancel.load(Ordering::Relaxed) {
                    fail!(Error::Cancelled, "cancelled");
                }
                let c0 = if square { r } else { 0 };
                for c in c0..nc {
                    site_pair(
                        &al, &summ, polarised, row_at[r], col_at[c], &mut w, &mut tmp, &mut norm, &mut val,
                    );
                    for (p, v) in planes.iter_mut().zip(&val) {
                        p[(r - r0) * nc + c] = *v;
                    }
                }
            }
            Ok(())
        },
    )?;
    if square {
        for pl in out.chunks_mut(plane) {
            for r in 1..nr {
                for c in 0..r {
                    pl[r * nc + c] = pl[c * nc + r];
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------- branch mode

/// One side's tree in branch mode: parents, branch lengths and, per node
/// and sample set, the set's samples below the node as bits.
struct Side {
    parent: Vec<Id>,
    branch_len: Vec<f64>,
    bits: Vec<u64>,
    /// The tree it is on, if any.
    at: Option<usize>,
}

struct BranchCx<'a> {
    ts: &'a TreeSequence,
    k: usize,
    words: usize,
    /// Only the nodes of the edges of the trees in use get state: their
    /// local ids, increasing with the node ids (`u32::MAX`: not in use).
    local: Vec<u32>,
    num_local: usize,
    /// The initial bits: samples of each set on themselves.
    start_bits: Vec<u64>,
}

impl BranchCx<'_> {
    fn new_side(&self) -> Result<Side> {
        let nn = self.num_local;
        Ok(Side {
            parent: alloc::filled(nn, NULL, "a tree's parents")?,
            branch_len: alloc::zeroed(nn, "a tree's branch lengths")?,
            bits: alloc::copy(&self.start_bits, "the samples below each node")?,
            at: None,
        })
    }

    fn clear(&self, s: &mut Side) {
        s.parent.fill(NULL);
        s.branch_len.fill(0.0);
        s.bits.copy_from_slice(&self.start_bits);
        s.at = None;
    }

    #[inline]
    fn rows(&self, u: usize) -> std::ops::Range<usize> {
        let r = self.k * self.words;
        u * r..(u + 1) * r
    }

    /// The edges to take out and put in to move `s` to tree `j` (from the
    /// tree before it, or from nothing), as (parent, child) pairs.
    fn transition(&self, s: &Side, j: usize, out: &mut Vec<(Id, Id)>, inn: &mut Vec<(Id, Id)>) -> Result<()> {
        out.clear();
        inn.clear();
        let ts = self.ts;
        let what = "a tree's edge changes";
        match s.at {
            Some(i) if i + 1 == j => {
                let (r0, r1) = (ts.removal_at[i] as usize, ts.removal_at[j] as usize);
                let (i0, i1) = (ts.insertion_at[i] as usize, ts.insertion_at[j] as usize);
                alloc::extend(out, ts.removal_run(r0, r1).map(|e| self.map(e)), what)?;
                alloc::extend(inn, ts.insertion_run(i0, i1).map(|e| self.map(e)), what)?;
            }
            None => {
                let left = ts.breakpoints()[j];
                let e = &ts.tables().edges;
                let order = &ts.indexes().insertion;
                for &id in &order[..ts.insertion_at[j] as usize] {
                    if e.right[id as usize] > left {
                        alloc::push(inn, self.map((e.parent[id as usize], e.child[id as usize])), what)?;
                    }
                }
            }
            Some(i) => fail!(Error::Internal, "branch LD: tree {i} to tree {j}"),
        }
        Ok(())
    }

    #[inline]
    fn map(&self, (p, c): (Id, Id)) -> (Id, Id) {
        (self.local[p as usize] as Id, self.local[c as usize] as Id)
    }

    /// Applies edge changes to `s` (the bits are exact: order is irrelevant).
    fn apply(&self, s: &mut Side, out: &[(Id, Id)], inn: &[(Id, Id)], time: &[f64]) {
        let r = self.k * self.words;
        for &(p, c) in out {
            let mut p = p;
            while p != NULL {
                let (pi, ci) = (p as usize, c as usize);
                for w in 0..r {
                    let v = s.bits[ci * r + w];
                    s.bits[pi * r + w] &= !v;
                }
                p = s.parent[pi];
            }
            s.branch_len[c as usize] = 0.0;
            s.parent[c as usize] = NULL;
        }
        for &(p, c) in inn {
            s.branch_len[c as usize] = time[p as usize] - time[c as usize];
            s.parent[c as usize] = p;
            let mut p = p;
            while p != NULL {
                let (pi, ci) = (p as usize, c as usize);
                for w in 0..r {
                    let v = s.bits[ci * r + w];
                    s.bits[pi * r + w] |= v;
                }
                p = s.parent[pi];
            }
        }
    }
}

/// The row tree's nodes with a branch, ascending, and their per-set counts.
struct RowTree {
    nodes: Vec<usize>,
    counts: Vec<f64>,
}

/// Adds `sign` × the contribution of column node `c` against every row
/// branch into `acc`, in tskit's order (row nodes ascending).
#[allow(clippy::too_many_arguments)]
fn branch_update(
    cx: &BranchCx,
    summ: &Summ,
    a: &Side,
    row: &RowTree,
    b: &Side,
    c: usize,
    sign: f64,
    w: &mut [[f64; 3]],
    tmp: &mut [f64],
    acc: &mut [f64],
) {
    let b_len = b.branch_len[c] * sign;
    if b_len == 0.0 {
        return;
    }
    let k = cx.k;
    let words = cx.words;
    let b_rows = &b.bits[cx.rows(c)];
    let mut b_count = [0.0f64; 8];
    let mut b_counts_big = Vec::new();
    let b_counts: &mut [f64] = if k <= 8 {
        &mut b_count[..k]
    } else {
        b_counts_big.resize(k, 0.0);
        &mut b_counts_big
    };
    for (j, bc) in b_counts.iter_mut().enumerate() {
        *bc = b_rows[j * words..(j + 1) * words]
            .iter()
            .map(|x| x.count_ones())
            .sum::<u32>() as f64;
    }
    for (i, &n) in row.nodes.iter().enumerate() {
        let a_len = a.branch_len[n];
        let a_rows = &a.bits[cx.rows(n)];
        for j in 0..k {
            let ab = and_count(&a_rows[j * words..(j + 1) * words], &b_rows[j * words..(j + 1) * words]) as f64;
            w[j] = [ab, row.counts[i * k + j] - ab, b_counts[j] - ab];
        }
        summ.eval(w, tmp);
        for (x, t) in acc.iter_mut().zip(tmp.iter()) {
            *x += t * a_len * b_len;
        }
    }
}

/// The index of the tree holding each position (positions are sorted).
fn tree_indexes(ts: &TreeSequence, pos: &[f64]) -> Vec<usize> {
    let bp = ts.breakpoints();
    let mut j = 0;
    pos.iter()
        .map(|&x| {
            while bp[j + 1] <= x {
                j += 1;
            }
            j
        })
        .collect()
}

fn branch_matrix(
    ts: &Arc<TreeSequence>,
    setup: &Setup,
    rows: &[f64],
    cols: &[f64],
    exec: &mut Exec,
    out: &mut [f64],
) -> Result<()> {
    let rd = setup.result_dim();
    let (nr, nc) = (rows.len(), cols.len());
    if nr == 0 || nc == 0 || rd == 0 {
        return Ok(());
    }
    let k = setup.sets.len();
    let max_n = setup.sets.iter().map(|s| s.len()).max().unwrap_or(0);
    let words = max_n.div_ceil(64).max(1);
    let row_trees = tree_indexes(ts, rows);
    let col_trees = tree_indexes(ts, cols);
    // The nodes of the edges of every tree from the first to the last in use.
    let t_lo = row_trees[0].min(col_trees[0]);
    let t_hi = row_trees[nr - 1].max(col_trees[nc - 1]);
    let what = "the nodes in use";
    let mut used = alloc::filled(ts.num_nodes(), false, what)?;
    {
        let e = &ts.tables().edges;
        let left = ts.breakpoints()[t_lo];
        let order = &ts.indexes().insertion;
        let upto = ts.insertion_at[t_lo] as usize;
        for &id in &order[..upto] {
            if e.right[id as usize] > left {
                let (p, c) = (e.parent[id as usize], e.child[id as usize]);
                used[p as usize] = true;
                used[c as usize] = true;
            }
        }
        for (p, c) in ts.insertion_run(upto, ts.insertion_at[t_hi] as usize) {
            used[p as usize] = true;
            used[c as usize] = true;
        }
    }
    let mut local = alloc::filled(ts.num_nodes(), u32::MAX, what)?;
    let mut node_time = Vec::new();
    for (u, &x) in used.iter().enumerate() {
        if x {
            local[u] = node_time.len() as u32;
            alloc::push(&mut node_time, ts.tables().nodes.time[u], what)?;
        }
    }
    drop(used);
    let nn = node_time.len();
    let mut start_bits: Vec<u64> = alloc::zeroed(
        nn.saturating_mul(k).saturating_mul(words),
        "the samples below each node",
    )?;
    for (j, set) in setup.sets.iter().enumerate() {
        for (i, &u) in set.iter().enumerate() {
            let l = local[u as usize];
            if l != u32::MAX {
                start_bits[(l as usize * k + j) * words + i / 64] |= 1u64 << (i % 64);
            }
        }
    }
    let cx = BranchCx {
        ts,
        k,
        words,
        local,
        num_local: nn,
        start_bits,
    };
    // The distinct row trees, each with its first output row and count.
    let mut distinct: Vec<(usize, usize, usize)> = Vec::new();
    for (r, &t) in row_trees.iter().enumerate() {
        match distinct.last_mut() {
            Some(d) if d.0 == t => d.2 += 1,
            _ => distinct.push((t, r, 1)),
        }
    }
    let (c_first, c_last) = (col_trees[0], col_trees[nc - 1]);
    let summ = setup.summ();
    let time = &node_time[..];
    // One piece per distinct row tree: its values do not depend on the
    // other rows (tskit restarts the column walk at every row).
    let pieces: Vec<Piece> = alloc::collect(
        distinct.iter().map(|&(t, r, m)| Piece {
            trees: (t, r),
            left: 0.0,
            right: m as f64,
            windows: (0, 0),
            work: (c_last - c_first + 1) as u64,
        }),
        "the matrix's rows",
    )?;
    // Each piece returns its row of values, [col][index].
    let per_row = run_pieces(
        exec,
        &pieces,
        || None::<(Side, Side)>,
        |_, piece, scratch, cancel: &AtomicBool| {
            if scratch.is_none() {
                *scratch = Some((cx.new_side()?, cx.new_side()?));
            }
            let (a, b) = scratch.as_mut().expect("made above");
            let (t, _) = piece.trees;
            let mut eo = Vec::new();
            let mut ei = Vec::new();
            // The row tree: from scratch unless the scratch's tree is just before.
            if !matches!(a.at, Some(i) if i + 1 == t) {
                cx.clear(a);
            }
            if a.at != Some(t) {
                cx.transition(a, t, &mut eo, &mut ei)?;
                cx.apply(a, &eo, &ei, time);
                a.at = Some(t);
            }
            let mut row = RowTree {
                nodes: Vec::new(),
                counts: Vec::new(),
            };
            for u in 0..nn {
                if a.branch_len[u] != 0.0 {
                    alloc::push(&mut row.nodes, u, "the row tree's branches")?;
                    let rr = &a.bits[cx.rows(u)];
                    for j in 0..k {
                        let c = rr[j * words..(j + 1) * words]
                            .iter()
                            .map(|x| x.count_ones())
                            .sum::<u32>();
                        alloc::push(&mut row.counts, c as f64, "the row tree's branches")?;
                    }
                }
            }
            cx.clear(b);
            let mut acc = vec![0.0; rd];
            let mut tmp = vec![0.0; rd];
            let mut w = vec![[0.0f64; 3]; k];
            let mut vals = alloc::zeroed(nc * rd, "a row of the matrix")?;
            let mut mark = vec![false; nn];
            let mut updated: Vec<usize> = Vec::new();
            let mut ci = 0;
            for ct in c_first..=c_last {
                if cancel.load(Ordering::Relaxed) {
                    fail!(Error::Cancelled, "cancelled");
                }
                cx.transition(b, ct, &mut eo, &mut ei)?;
                updated.clear();
                // The nodes whose samples change: each changed edge's child
                // and its ancestors (the root excepted), before the change.
                for &(p, c) in eo.iter().chain(ei.iter()) {
                    let (mut p, mut c) = (p, c);
                    while p != NULL {
                        if !mark[c as usize] {
                            mark[c as usize] = true;
                            updated.push(c as usize);
                        }
                        c = p;
                        p = b.parent[p as usize];
                    }
                }
                updated.sort_unstable_by(|x, y| y.cmp(x));
                for &c in &updated {
                    branch_update(&cx, &summ, a, &row, b, c, -1.0, &mut w, &mut tmp, &mut acc);
                }
                cx.apply(b, &eo, &ei, time);
                b.at = Some(ct);
                for &(p, c) in &ei {
                    let (mut p, mut c) = (p, c);
                    while p != NULL {
                        if !mark[c as usize] {
                            mark[c as usize] = true;
                            updated.push(c as usize);
                        }
                        c = p;
                        p = b.parent[p as usize];
                    }
                }
                updated.sort_unstable_by(|x, y| y.cmp(x));
                for &c in &updated {
                    branch_update(&cx, &summ, a, &row, b, c, 1.0, &mut w, &mut tmp, &mut acc);
                    mark[c] = false;
                }
                while ci < nc && col_trees[ci] == ct {
                    vals[ci * rd..(ci + 1) * rd].copy_from_slice(&acc);
                    ci += 1;
                }
            }
            Ok(vals)
        },
    )?;
    let plane = nr * nc;
    for (&(_, r0, m), vals) in distinct.iter().zip(&per_row) {
        for r in r0..r0 + m {
            for c in 0..nc {
                for x in 0..rd {
                    out[x * plane + r * nc + c] = vals[c * rd + x];
                }
            }
        }
    }
    Ok(())
}
