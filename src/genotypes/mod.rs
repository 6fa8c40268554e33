//! Genotypes with tskit's meaning: for each site its alleles (the ancestral
//! state first, then the derived states in the order the site's mutations
//! give them, or a list the caller gives) and, for each chosen node, the
//! index of the allele it carries. A node is missing (`MISSING_DATA`) when
//! it is isolated in the site's tree — no parent and no children — unless
//! a mutation at the site sits on it, or the caller turns the rule off
//! (tskit's `isolated_as_missing=False`).
//!
//! [`Decoder`] decodes one site at a time (tskit's `Variant`); the bulk
//! calls ([`genotype_matrix`], [`haplotypes`], and the VCF writer in
//! [`vcf`]) cut the sites into blocks that do not depend on the thread
//! count, decode the blocks in parallel and put them together in order, so
//! the output is the same for every thread count.

mod lists;
pub mod vcf;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::alloc;
use crate::error::{fail, Error, Failure, Result};
use crate::stats::engine::{run_pieces, Piece};
use crate::stats::Exec;
use crate::tables::{Id, NODE_IS_SAMPLE, NULL};
use crate::treeseq::{Tree, TreeSequence};

/// The genotype of a missing node (tskit's `TSK_MISSING_DATA`).
pub const MISSING_DATA: i32 = -1;

/// A list of alleles, each a byte string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alleles {
    bytes: Vec<u8>,
    /// Allele `j` is `bytes[ends[j - 1]..ends[j]]` (from 0 for the first).
    ends: Vec<usize>,
}

impl Alleles {
    /// The alleles of a list.
    pub fn from_list<'a>(list: impl IntoIterator<Item = &'a [u8]>) -> Result<Self> {
        let mut a = Alleles::default();
        for x in list {
            a.push(x)?;
        }
        Ok(a)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, j: usize) -> &[u8] {
        let start = if j == 0 { 0 } else { self.ends[j - 1] };
        &self.bytes[start..self.ends[j]]
    }

    /// The alleles one after another, without separators.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Where each allele ends in [`Alleles::bytes`].
    pub fn ends(&self) -> &[usize] {
        &self.ends
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(move |j| self.get(j))
    }

    fn find(&self, x: &[u8]) -> Option<usize> {
        (0..self.len()).find(|&j| self.get(j) == x)
    }

    fn push(&mut self, x: &[u8]) -> Result<()> {
        alloc::extend_from_slice(&mut self.bytes, x, "the alleles of a site")?;
        alloc::push(&mut self.ends, self.bytes.len(), "the alleles of a site")
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }
}

/// An element type of a genotype matrix.
pub trait Genotype: Copy + Send + Sync + 'static {
    /// The largest allele index it holds.
    const MAX_INDEX: usize;
    const MISSING: Self;
    fn from_index(j: usize) -> Self;
    fn is_missing(self) -> bool;
    fn index(self) -> usize;
}

macro_rules! genotype {
    ($($t:ty),*) => {$(
        impl Genotype for $t {
            const MAX_INDEX: usize = <$t>::MAX as usize;
            const MISSING: Self = -1;
            #[inline]
            fn from_index(j: usize) -> Self {
                j as $t
            }
            #[inline]
            fn is_missing(self) -> bool {
                self < 0
            }
            #[inline]
            fn index(self) -> usize {
                self as usize
            }
        }
    )*};
}
genotype!(i8, i16, i32);

/// Which nodes are decoded, in which order, and how.
#[derive(Debug)]
pub struct Spec {
    samples: Vec<Id>,
    /// For each node, its column in the output, or NULL.
    column: Vec<Id>,
    /// Every decoded node is a sample, so a subtree without samples has
    /// nothing to decode and is skipped.
    only_samples: bool,
    alleles: Option<Alleles>,
    isolated_as_missing: bool,
}

impl Spec {
    /// `samples`: the nodes to decode, in output order (None: the tree
    /// sequence's samples); any node may be given, once. `alleles`: the
    /// caller's allele list (None: the ancestral state, then derived states
    /// in order of appearance).
    pub fn new(
        ts: &TreeSequence,
        samples: Option<&[Id]>,
        alleles: Option<Alleles>,
        isolated_as_missing: bool,
    ) -> Result<Self> {
        let n = ts.num_nodes();
        let samples = match samples {
            None => alloc::copy(ts.samples(), "the decoded samples")?,
            Some(s) => alloc::copy(s, "the decoded samples")?,
        };
        let mut column = alloc::filled(n, NULL, "the decoded samples' columns")?;
        let flags = &ts.tables().nodes.flags;
        let mut only_samples = true;
        for (j, &u) in samples.iter().enumerate() {
            let Some(c) = usize::try_from(u).ok().filter(|&u| u < n).map(|u| &mut column[u]) else {
                fail!(
                    Error::NodeOutOfBounds,
                    "sample {u} at index {j}: the tree sequence has {n} nodes"
                );
            };
            if *c != NULL {
                fail!(Error::DuplicateSample, "node {u} is listed twice (at {} and {j})", *c);
            }
            *c = j as Id;
            only_samples &= flags[u as usize] & NODE_IS_SAMPLE != 0;
        }
        if let Some(a) = &alleles {
            if a.is_empty() {
                fail!(Error::BadParamValue, "the allele list is empty");
            }
        }
        Ok(Spec {
            samples,
            column,
            only_samples,
            alleles,
            isolated_as_missing,
        })
    }

    pub fn samples(&self) -> &[Id] {
        &self.samples
    }

    pub fn isolated_as_missing(&self) -> bool {
        self.isolated_as_missing
    }

    pub fn user_alleles(&self) -> Option<&Alleles> {
        self.alleles.as_ref()
    }
}

/// What decoding needs besides the tree: a traversal stack and the site's
/// allele list (unused with the caller's alleles).
struct Scratch {
    stack: Vec<Id>,
    alleles: Alleles,
    /// The samples below each node of the cursor's tree, kept while the
    /// decoded nodes are all samples.
    lists: lists::SampleLists,
    /// The VCF writer's BGZF compressor, made on first use.
    deflate: Option<flate2::Compress>,
}

impl Scratch {
    fn new(ts: &TreeSequence) -> Result<Self> {
        Ok(Scratch {
            stack: alloc::with_capacity(ts.num_nodes() + 1, "a traversal stack")?,
            alleles: Alleles::default(),
            lists: lists::SampleLists::new(),
            deflate: None,
        })
    }
}

/// The index of allele `x` at `site`: found in the caller's list, else
/// found or appended in the site's own.
fn allele_index(spec: &Spec, own: &mut Alleles, x: &[u8], site: usize, max: usize) -> Result<usize> {
    let j = match &spec.alleles {
        Some(user) => match user.find(x) {
            Some(j) => j,
            None => fail!(
                Error::AlleleNotFound,
                "site {site}: allele '{}' is not in the given list",
                String::from_utf8_lossy(x)
            ),
        },
        None => match own.find(x) {
            Some(j) => j,
            None => {
                own.push(x)?;
                own.len() - 1
            }
        },
    };
    if j > max {
        fail!(
            Error::TooManyAlleles,
            "site {site} has more than {} alleles, too many for the genotype type",
            max + 1
        );
    }
    Ok(j)
}

/// Decodes `site` of the tree `tree` is on (the one covering the site)
/// into `out`, one genotype per decoded node. Returns whether any is
/// missing.
fn decode_site<G: Genotype>(
    ts: &TreeSequence,
    spec: &Spec,
    tree: &Tree,
    site: usize,
    s: &mut Scratch,
    out: &mut [G],
) -> Result<bool> {
    let a0 = ancestral_index::<G>(ts, spec, site, s)?;
    out.fill(G::from_index(a0));
    let any_missing = decode_changes(ts, spec, tree, site, s, G::MAX_INDEX, |c, g| {
        out[c] = if g < 0 { G::MISSING } else { G::from_index(g as usize) }
    })?;
    Ok(any_missing && out.iter().any(|g| g.is_missing()))
}

/// Starts `site`'s allele list (unless the caller gave one) and returns
/// the ancestral state's index: what every decoded node carries that
/// [`decode_changes`] does not name.
fn ancestral_index<G: Genotype>(ts: &TreeSequence, spec: &Spec, site: usize, s: &mut Scratch) -> Result<usize> {
    s.alleles.clear();
    let ancestral = ts.tables().sites.ancestral_state.row(site);
    allele_index(spec, &mut s.alleles, ancestral, site, G::MAX_INDEX)
}

/// Puts the derived states of `site`'s mutations in its allele list
/// (after [`ancestral_index`]), as [`decode_changes`] would.
fn derived_indexes(ts: &TreeSequence, spec: &Spec, site: usize, s: &mut Scratch, max_index: usize) -> Result<()> {
    let muts = &ts.tables().mutations;
    for m in ts.site_mutations(site) {
        allele_index(spec, &mut s.alleles, muts.derived_state.row(m), site, max_index)?;
    }
    Ok(())
}

/// The genotypes of `site` that differ from the ancestral state, or may:
/// `set(column, allele)` for each missing node (allele -1) and then for
/// each node below each of the site's mutations, in mutation order (a
/// later call for a column overrides an earlier one). Call
/// [`ancestral_index`] first. Returns whether any node was set missing.
fn decode_changes(
    ts: &TreeSequence,
    spec: &Spec,
    tree: &Tree,
    site: usize,
    s: &mut Scratch,
    max_index: usize,
    mut set: impl FnMut(usize, i32),
) -> Result<bool> {
    let tables = ts.tables();
    let (parent, left_child, right_sib) = (&tree.parent, &tree.left_child, &tree.right_sib);
    let mut any_missing = false;
    if spec.isolated_as_missing {
        if spec.only_samples {
            // An isolated sample is a root (it has a sample below it: itself),
            // so looking at the roots is enough, as tskit does.
            let mut r = left_child[tree.virtual_root() as usize];
            while r != NULL {
                let c = spec.column[r as usize];
                if c != NULL && left_child[r as usize] == NULL {
                    set(c as usize, MISSING_DATA);
                    any_missing = true;
                }
                r = right_sib[r as usize];
            }
        } else {
            for (j, &u) in spec.samples.iter().enumerate() {
                let u = u as usize;
                if parent[u] == NULL && left_child[u] == NULL {
                    set(j, MISSING_DATA);
                    any_missing = true;
                }
            }
        }
    }
    let muts = &tables.mutations;
    for m in ts.site_mutations(site) {
        let derived = muts.derived_state.row(m);
        let g = allele_index(spec, &mut s.alleles, derived, site, max_index)? as i32;
        if spec.only_samples {
            // The lists hold every sample below; seek_site keeps them.
            let column = &spec.column;
            s.lists.for_each(muts.node[m], |u| {
                let c = column[u as usize];
                if c != NULL {
                    set(c as usize, g);
                }
            });
            continue;
        }
        let stack = &mut s.stack;
        stack.clear();
        stack.push(muts.node[m]);
        while let Some(u) = stack.pop() {
            let c = spec.column[u as usize];
            if c != NULL {
                set(c as usize, g);
            }
            let mut v = left_child[u as usize];
            while v != NULL {
                // Within capacity (num_nodes + 1): each node is pushed at most once.
                stack.push(v);
                v = right_sib[v as usize];
            }
        }
    }
    Ok(any_missing)
}

/// Puts `tree` on the tree covering `site`, and, when `spec` decodes
/// samples only, the sample lists on it too.
fn seek_site(ts: &TreeSequence, spec: &Spec, tree: &mut Tree, s: &mut Scratch, site: usize) -> Result<()> {
    seek_tree(ts, spec, tree, s, site)?;
    if spec.only_samples {
        s.lists.sync(ts, tree)?;
    }
    Ok(())
}

fn seek_tree(ts: &TreeSequence, spec: &Spec, tree: &mut Tree, s: &mut Scratch, site: usize) -> Result<()> {
    if let Some(j) = tree.index() {
        if ts.tree_sites(j).contains(&site) {
            return Ok(());
        }
        if ts.tree_sites(j).end <= site {
            // Forward and near: step (the common case of a walk along the sites).
            // Stepping costs the edge changes on the way, building from
            // nothing about half the edges: step unless the way is long.
            let target = ts.tree_index_at(ts.tables().sites.position[site])?;
            if target - j <= (ts.num_trees() / 16).max(1024) {
                while tree.index() != Some(target) {
                    // The lists follow step by step: they are updated by
                    // the edges of one step.
                    if spec.only_samples {
                        s.lists.sync(ts, tree)?;
                    }
                    tree.advance();
                }
                return Ok(());
            }
        }
        tree.clear();
    }
    s.lists.invalidate();
    tree.seek(ts.tables().sites.position[site])
}

/// A cursor over the sites of a tree sequence (tskit's `Variant`): decodes
/// one site at a time into its own genotype and allele buffers.
pub struct Decoder {
    ts: Arc<TreeSequence>,
    spec: Spec,
    tree: Tree,
    scratch: Scratch,
    genotypes: Vec<i32>,
    site: Option<usize>,
    has_missing: bool,
}

impl Decoder {
    pub fn new(ts: Arc<TreeSequence>, spec: Spec) -> Result<Self> {
        let tree = Tree::new(Arc::clone(&ts))?;
        let scratch = Scratch::new(&ts)?;
        let genotypes = alloc::filled(spec.samples.len(), 0, "a variant's genotypes")?;
        Ok(Decoder {
            ts,
            spec,
            tree,
            scratch,
            genotypes,
            site: None,
            has_missing: false,
        })
    }

    /// Decodes site `site`.
    pub fn decode(&mut self, site: usize) -> Result<()> {
        let n = self.ts.tables().sites.position.len();
        if site >= n {
            fail!(Error::SiteOutOfBounds, "site {site}: the tree sequence has {n} sites");
        }
        self.site = None;
        seek_site(&self.ts, &self.spec, &mut self.tree, &mut self.scratch, site)?;
        self.has_missing = decode_site(
            &self.ts,
            &self.spec,
            &self.tree,
            site,
            &mut self.scratch,
            &mut self.genotypes,
        )?;
        self.site = Some(site);
        Ok(())
    }

    /// The site decoded last (None before the first decode or after a failed one).
    pub fn site(&self) -> Option<usize> {
        self.site
    }

    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    pub fn genotypes(&self) -> &[i32] {
        &self.genotypes
    }

    /// The site's alleles (the caller's list when one was given).
    pub fn alleles(&self) -> &Alleles {
        self.spec.alleles.as_ref().unwrap_or(&self.scratch.alleles)
    }

    pub fn has_missing_data(&self) -> bool {
        self.has_missing
    }
}

/// The blocks of sites the bulk calls decode, each on one thread: fixed by
/// the input (never the thread count), at least about a million genotypes
/// each and at most 256 of them.
fn blocks(sites: Range<usize>, num_samples: usize) -> Vec<Range<usize>> {
    let n = sites.len();
    if n == 0 {
        return Vec::new();
    }
    let genotypes = n as u128 * num_samples.max(1) as u128;
    let count = (genotypes >> 20).clamp(1, 256).min(n as u128) as usize;
    (0..count)
        .map(|b| sites.start + b * n / count..sites.start + (b + 1) * n / count)
        .collect()
}

/// Checks a site range against the tree sequence.
fn check_sites(ts: &TreeSequence, sites: &Range<usize>) -> Result<()> {
    let n = ts.tables().sites.position.len();
    if sites.start > sites.end || sites.end > n {
        fail!(
            Error::SiteOutOfBounds,
            "site range {}..{} (the tree sequence has {n} sites)",
            sites.start,
            sites.end
        );
    }
    Ok(())
}

/// Tree cursors (with their scratch) kept between blocks, and between the
/// batches of a long call, so that a block mostly steps a cursor forward
/// from where an earlier block left it instead of building its tree anew.
pub(crate) struct Cursors {
    free: Mutex<Vec<(Tree, Scratch)>>,
}

impl Cursors {
    pub(crate) fn new() -> Self {
        Cursors {
            free: Mutex::new(Vec::new()),
        }
    }

    /// The kept cursor that is furthest along without being past `site`'s
    /// tree, or a new one.
    fn take(&self, ts: &Arc<TreeSequence>, site: usize) -> Result<(Tree, Scratch)> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        let position = ts.tables().sites.position.get(site).copied().unwrap_or(0.0);
        let target = ts.tree_index_at(position).unwrap_or(0);
        let best = (0..free.len())
            .filter(|&k| free[k].0.index().is_some_and(|j| j <= target))
            .max_by_key(|&k| free[k].0.index());
        match best.or(if free.is_empty() { None } else { Some(0) }) {
            Some(k) => Ok(free.swap_remove(k)),
            None => {
                drop(free);
                Ok((Tree::new(Arc::clone(ts))?, Scratch::new(ts)?))
            }
        }
    }

    fn give_back(&self, c: (Tree, Scratch)) {
        self.free.lock().unwrap_or_else(|e| e.into_inner()).push(c);
    }
}

/// Runs `work(block, sites, tree, scratch, cancel)` on each block, in
/// parallel on `exec`'s threads, and returns the results in block order.
fn run_blocks<T: Send>(
    ts: &Arc<TreeSequence>,
    blocks: &[Range<usize>],
    cursors: &Cursors,
    exec: &mut Exec,
    work: impl Fn(usize, Range<usize>, &mut Tree, &mut Scratch, &AtomicBool) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let pieces: Vec<Piece> = alloc::collect(
        blocks.iter().map(|b| Piece {
            trees: (0, 0),
            left: 0.0,
            right: 0.0,
            windows: (0, 0),
            work: b.len() as u64,
        }),
        "the blocks of sites",
    )?;
    run_pieces(
        exec,
        &pieces,
        || (),
        |i, _, _, cancel| {
            let (mut tree, mut scratch) = cursors.take(ts, blocks[i].start)?;
            let r = work(i, blocks[i].clone(), &mut tree, &mut scratch, cancel);
            cursors.give_back((tree, scratch));
            r
        },
    )
}

fn check_cancel(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        return Err(Failure::new(Error::Cancelled, "cancelled"));
    }
    Ok(())
}

/// Fills `out` (`sites.len() × samples`, row-major by site) with the
/// genotypes of `sites`.
pub fn genotype_matrix<G: Genotype>(
    ts: &Arc<TreeSequence>,
    spec: &Spec,
    sites: Range<usize>,
    exec: &mut Exec,
    out: &mut [G],
) -> Result<()> {
    check_sites(ts, &sites)?;
    let n = spec.samples.len();
    let need = sites.len() as u128 * n as u128;
    if (out.len() as u128) < need {
        fail!(
            Error::BufferTooSmall,
            "the genotype matrix needs {need} elements, the buffer has {}",
            out.len()
        );
    }
    let blocks = blocks(sites.clone(), n);
    let mut slots: Vec<Mutex<Option<&mut [G]>>> = alloc::with_capacity(blocks.len(), "the blocks of sites")?;
    let mut rest = &mut out[..need as usize];
    for b in &blocks {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(b.len() * n);
        slots.push(Mutex::new(Some(head)));
        rest = tail;
    }
    run_blocks(ts, &blocks, &Cursors::new(), exec, |i, block, tree, scratch, cancel| {
        let rows = slots[i]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .expect("each block runs once");
        for (k, site) in block.enumerate() {
            if k % 64 == 0 {
                check_cancel(cancel)?;
            }
            seek_site(ts, spec, tree, scratch, site)?;
            decode_site(ts, spec, tree, site, scratch, &mut rows[k * n..(k + 1) * n])?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The haplotype character of each allele of a site, as tskit's
/// `haplotypes()` makes them: single ASCII characters, none equal to the
/// missing-data character.
fn allele_chars(alleles: &Alleles, site: usize, missing: u8, out: &mut Vec<u8>) -> Result<()> {
    out.clear();
    for a in alleles.iter() {
        if a.len() != 1 {
            fail!(
                Error::MultiCharacterAllele,
                "multi-letter allele or deletion detected at site {site}"
            );
        }
        if !a[0].is_ascii() {
            fail!(
                Error::MultiCharacterAllele,
                "non-ascii character in allele at site {site}"
            );
        }
        if a[0] == missing {
            fail!(
                Error::MissingCharacterClash,
                "the missing data character '{}' clashes with an existing allele at site {site}",
                missing as char
            );
        }
        out.push(a[0]);
    }
    Ok(())
}

/// Fills `out` (`samples × sites.len()`, row-major by sample) with each
/// sample's haplotype over `sites`, as tskit's `haplotypes()`: one ASCII
/// character per site, `missing` for missing data.
pub fn haplotypes(
    ts: &Arc<TreeSequence>,
    spec: &Spec,
    sites: Range<usize>,
    missing: u8,
    exec: &mut Exec,
    out: &mut [u8],
) -> Result<()> {
    check_sites(ts, &sites)?;
    if !missing.is_ascii() {
        fail!(Error::BadParamValue, "the missing data character must be ASCII");
    }
    let n = spec.samples.len();
    let m = sites.len();
    let need = m as u128 * n as u128;
    if (out.len() as u128) < need {
        fail!(
            Error::BufferTooSmall,
            "the haplotypes need {need} bytes, the buffer has {}",
            out.len()
        );
    }
    let blocks = blocks(sites.clone(), n);
    // Each block decodes its sites into characters by site; they are then
    // turned into rows by sample.
    let parts = run_blocks(ts, &blocks, &Cursors::new(), exec, |_, block, tree, scratch, cancel| {
        let mut chars: Vec<u8> = alloc::zeroed(block.len() * n, "a block of haplotype characters")?;
        let mut genotypes: Vec<i32> = alloc::zeroed(n, "a variant's genotypes")?;
        let mut table = Vec::new();
        for (k, site) in block.enumerate() {
            if k % 64 == 0 {
                check_cancel(cancel)?;
            }
            seek_site(ts, spec, tree, scratch, site)?;
            decode_site(ts, spec, tree, site, scratch, &mut genotypes)?;
            let alleles = spec.alleles.as_ref().unwrap_or(&scratch.alleles);
            allele_chars(alleles, site, missing, &mut table)?;
            for (c, &g) in chars[k * n..(k + 1) * n].iter_mut().zip(&genotypes) {
                *c = if g < 0 { missing } else { table[g as usize] };
            }
        }
        Ok(chars)
    })?;
    for (b, chars) in blocks.iter().zip(parts) {
        let col0 = b.start - sites.start;
        for (k, row) in chars.chunks_exact(n.max(1)).enumerate() {
            for (j, &c) in row.iter().enumerate() {
                out[j * m + col0 + k] = c;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TableCollection;

    /// Two samples under one root, a third isolated; one site with a
    /// mutation over sample 0 and one over the root.
    fn small() -> Arc<TreeSequence> {
        let mut t = TableCollection::new(10.0).unwrap();
        for _ in 0..3 {
            t.add_node(NODE_IS_SAMPLE, 0.0, NULL, NULL, b"").unwrap();
        }
        t.add_node(0, 1.0, NULL, NULL, b"").unwrap();
        t.add_edge(0.0, 10.0, 3, 0, b"").unwrap();
        t.add_edge(0.0, 10.0, 3, 1, b"").unwrap();
        t.add_site(1.0, b"A", b"").unwrap();
        t.add_site(2.0, b"A", b"").unwrap();
        t.add_mutation(0, 0, NULL, f64::from_bits(crate::tables::UNKNOWN_TIME_BITS), b"T", b"")
            .unwrap();
        t.add_mutation(1, 3, NULL, f64::from_bits(crate::tables::UNKNOWN_TIME_BITS), b"G", b"")
            .unwrap();
        t.add_mutation(1, 1, 1, f64::from_bits(crate::tables::UNKNOWN_TIME_BITS), b"A", b"")
            .unwrap();
        Arc::new(TreeSequence::new(t, crate::treeseq::init::BUILD_INDEXES).unwrap())
    }

    #[test]
    fn decodes_alleles_in_order_and_missing() {
        let ts = small();
        let spec = Spec::new(&ts, None, None, true).unwrap();
        let mut d = Decoder::new(Arc::clone(&ts), spec).unwrap();
        d.decode(0).unwrap();
        assert_eq!(d.genotypes(), &[1, 0, -1]);
        assert_eq!(d.alleles().iter().collect::<Vec<_>>(), vec![b"A", b"T"]);
        assert!(d.has_missing_data());
        d.decode(1).unwrap();
        assert_eq!(d.genotypes(), &[1, 0, -1]);
        assert_eq!(d.alleles().iter().collect::<Vec<_>>(), vec![b"A", b"G"]);
        let mut m = vec![0i8; 6];
        genotype_matrix(&ts, d.spec(), 0..2, &mut Exec::with_threads(1), &mut m).unwrap();
        assert_eq!(m, vec![1, 0, -1, 1, 0, -1]);
    }
}
