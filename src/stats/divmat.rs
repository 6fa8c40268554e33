//! Divergence matrices between many small sample sets (individuals), where
//! the general engine's O(K²) summary per node update is the wrong shape.
//!
//! Both algorithms here count, for every pair of the samples in the sets,
//! what separates them — differing alleles (site mode) or the branch length
//! of the path between them (branch mode) — and add the pairs into their
//! sets' pair at every window end. For one-sample sets this is the matrix
//! itself; for sets of two it is four sample pairs per set pair.
//!
//! Site mode: the set samples below each node are kept as chains (tskit's
//! sample lists, for the set samples only) beside the tree, so a
//! mutation's carriers are a walk over them. A biallelic site with few
//! carriers (at most N / 16 of the N set samples: most sites, since most
//! variants are rare) is counted pair by pair: a pair differs when exactly
//! one of its samples carries the allele, `[a] + [b] - 2 [a][b]`, so each
//! carrier counts once and each pair of carriers takes 2. The other sites
//! go into bit planes, 64 sites to a word, and a block of them adds
//! `popcount(a XOR b)` (biallelic) or `popcount(OR over planes of a XOR b)`
//! (more alleles) to every pair's count. Counts are integers, so they are
//! exact and their sum does not depend on the order of the pieces.
//! Working memory per thread: the tree's links and chains (7 × nodes), the
//! pair counts (N²/2 × 4 bytes for N set samples) and a block of bits
//! (N × 768 bytes).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::engine::{self, Piece, PieceOut};
use super::Exec;
use crate::alloc;
use crate::error::{Error, Failure, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

/// Whether site mode should count sample pairs rather than run the general
/// engine: when the sets are small (the pairs of set samples are not many
/// more than the pairs of sets) and there are not too many set samples.
pub(crate) fn use_sample_pairs(num_sets: usize, num_set_samples: usize) -> bool {
    let (k, n) = (num_sets as u64, num_set_samples as u64);
    k >= 32 && n <= MAX_SET_SAMPLES as u64 && k * k * 16 >= n * n
}

/// At most this many set samples for sample-pair counting (the counts take
/// N²/2 × 4 bytes per thread: 128 MiB here).
pub(crate) const MAX_SET_SAMPLES: usize = 8192;

/// Words (of 64 sites) per sample in a block of biallelic sites.
const BI_WORDS: usize = 32;
/// Words per sample and plane in a block of sites with 3 to 256 alleles.
const MULTI_WORDS: usize = 8;
/// Allele-index bit planes at most (256 alleles); sites with more are
/// compared pair by pair.
const MAX_PLANES: usize = 8;

/// The set samples: a dense index for each and its set.
pub(crate) struct SetSamples {
    /// Per node: its index among the set samples, or `u32::MAX`.
    pub index: Vec<u32>,
    /// Per set sample: its set.
    pub set_of: Vec<u32>,
    /// Per set sample: its node.
    pub node: Vec<Id>,
    pub num_sets: usize,
}

impl SetSamples {
    pub fn new(ts: &TreeSequence, sets: &[&[Id]]) -> Result<Self> {
        let what = "the set samples";
        let mut index = alloc::filled(ts.num_nodes(), u32::MAX, what)?;
        let total: usize = sets.iter().map(|s| s.len()).sum();
        let mut set_of = alloc::with_capacity(total, what)?;
        let mut node = alloc::with_capacity(total, what)?;
        for (k, set) in sets.iter().enumerate() {
            for &u in *set {
                index[u as usize] = set_of.len() as u32;
                set_of.push(k as u32);
                node.push(u);
            }
        }
        Ok(SetSamples {
            index,
            set_of,
            node,
            num_sets: sets.len(),
        })
    }

    pub fn len(&self) -> usize {
        self.set_of.len()
    }
}

/// Start of row `a` of the strict upper triangle of `n × n` (pairs `a < b`).
#[inline]
fn tri_start(n: usize, a: usize) -> usize {
    a * (2 * n - a - 1) / 2
}

/// A tree with child links and the number of set samples at or below each
/// node (for skipping subtrees without any).
pub(crate) struct Links {
    pub parent: Vec<Id>,
    pub left_child: Vec<Id>,
    pub right_child: Vec<Id>,
    pub left_sib: Vec<Id>,
    pub right_sib: Vec<Id>,
    pub count: Vec<u32>,
}

impl Links {
    pub fn new(n: usize) -> Result<Self> {
        let what = "the tree's links";
        Ok(Links {
            parent: alloc::filled(n, NULL, what)?,
            left_child: alloc::filled(n, NULL, what)?,
            right_child: alloc::filled(n, NULL, what)?,
            left_sib: alloc::filled(n, NULL, what)?,
            right_sib: alloc::filled(n, NULL, what)?,
            count: alloc::zeroed(n, what)?,
        })
    }

    /// The tree at the start of piece `pi`: its alive edges inserted in
    /// table order (by parent time, so each child's count is complete
    /// when it is added to its parent).
    pub fn start(&mut self, ts: &TreeSequence, alive: &[Id], set: &SetSamples) {
        self.parent.fill(NULL);
        self.left_child.fill(NULL);
        self.right_child.fill(NULL);
        self.left_sib.fill(NULL);
        self.right_sib.fill(NULL);
        for (c, &i) in self.count.iter_mut().zip(&set.index) {
            *c = u32::from(i != u32::MAX);
        }
        let e = &ts.tables().edges;
        for &h in alive {
            self.insert(e.parent[h as usize], e.child[h as usize]);
        }
    }

    #[inline]
    pub fn insert(&mut self, p: Id, c: Id) {
        let (pu, cu) = (p as usize, c as usize);
        self.parent[cu] = p;
        let last = self.right_child[pu];
        self.left_sib[cu] = last;
        self.right_sib[cu] = NULL;
        if last == NULL {
            self.left_child[pu] = c;
        } else {
            self.right_sib[last as usize] = c;
        }
        self.right_child[pu] = c;
        let d = self.count[cu];
        if d != 0 {
            let mut v = p;
            while v != NULL {
                self.count[v as usize] += d;
                v = self.parent[v as usize];
            }
        }
    }

    #[inline]
    pub fn remove(&mut self, p: Id, c: Id) {
        let (pu, cu) = (p as usize, c as usize);
        let (l, r) = (self.left_sib[cu], self.right_sib[cu]);
        if l == NULL {
            self.left_child[pu] = r;
        } else {
            self.right_sib[l as usize] = r;
        }
        if r == NULL {
            self.right_child[pu] = l;
        } else {
            self.left_sib[r as usize] = l;
        }
        self.left_sib[cu] = NULL;
        self.right_sib[cu] = NULL;
        self.parent[cu] = NULL;
        let d = self.count[cu];
        if d != 0 {
            let mut v = p;
            while v != NULL {
                self.count[v as usize] -= d;
                v = self.parent[v as usize];
            }
        }
    }
}

/// A tree with child links and, for each node, the set samples at or below
/// it as a chain (tskit's sample lists, kept for the set samples only): the
/// chain runs from `head[u]` through `next` to `tail[u]`, over set-sample
/// indexes, so a mutation's carriers are a walk over a small dense array
/// rather than over its subtree's nodes.
struct ListTree {
    parent: Vec<Id>,
    left_child: Vec<Id>,
    right_child: Vec<Id>,
    left_sib: Vec<Id>,
    right_sib: Vec<Id>,
    head: Vec<u32>,
    tail: Vec<u32>,
    next: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl ListTree {
    fn new(n: usize, ns: usize) -> Result<Self> {
        let what = "the tree's links";
        Ok(ListTree {
            parent: alloc::filled(n, NULL, what)?,
            left_child: alloc::filled(n, NULL, what)?,
            right_child: alloc::filled(n, NULL, what)?,
            left_sib: alloc::filled(n, NULL, what)?,
            right_sib: alloc::filled(n, NULL, what)?,
            head: alloc::filled(n, NONE, what)?,
            tail: alloc::filled(n, NONE, what)?,
            next: alloc::filled(ns, NONE, what)?,
        })
    }

    /// The tree at the start of a piece: its alive edges inserted in table
    /// order (by parent time, so each child's chain is complete when it is
    /// added to its parent).
    fn start(&mut self, ts: &TreeSequence, alive: &[Id], set: &SetSamples) {
        self.parent.fill(NULL);
        self.left_child.fill(NULL);
        self.right_child.fill(NULL);
        self.left_sib.fill(NULL);
        self.right_sib.fill(NULL);
        self.head.fill(NONE);
        self.tail.fill(NONE);
        for (r, &u) in set.node.iter().enumerate() {
            self.head[u as usize] = r as u32;
            self.tail[u as usize] = r as u32;
        }
        let e = &ts.tables().edges;
        for &h in alive {
            self.insert(set, e.parent[h as usize], e.child[h as usize]);
        }
    }

    /// Rebuilds the chains of `v` and its ancestors from their children's,
    /// stopping at the first whose ends do not change (the links above it
    /// join its ends, which are the same).
    #[inline]
    fn relink(&mut self, set: &SetSamples, mut v: Id) {
        while v != NULL {
            let vu = v as usize;
            let own = set.index[vu];
            let (mut h, mut t) = (own, own);
            let mut c = self.left_child[vu];
            while c != NULL {
                let cu = c as usize;
                let ch = self.head[cu];
                if ch != NONE {
                    if h == NONE {
                        h = ch;
                    } else {
                        self.next[t as usize] = ch;
                    }
                    t = self.tail[cu];
                }
                c = self.right_sib[cu];
            }
            if h == self.head[vu] && t == self.tail[vu] {
                return;
            }
            self.head[vu] = h;
            self.tail[vu] = t;
            v = self.parent[vu];
        }
    }

    #[inline]
    fn insert(&mut self, set: &SetSamples, p: Id, c: Id) {
        let (pu, cu) = (p as usize, c as usize);
        self.parent[cu] = p;
        let last = self.right_child[pu];
        self.left_sib[cu] = last;
        self.right_sib[cu] = NULL;
        if last == NULL {
            self.left_child[pu] = c;
        } else {
            self.right_sib[last as usize] = c;
        }
        self.right_child[pu] = c;
        if self.head[cu] != NONE {
            self.relink(set, p);
        }
    }

    #[inline]
    fn remove(&mut self, set: &SetSamples, p: Id, c: Id) {
        let (pu, cu) = (p as usize, c as usize);
        let (l, r) = (self.left_sib[cu], self.right_sib[cu]);
        if l == NULL {
            self.left_child[pu] = r;
        } else {
            self.right_sib[l as usize] = r;
        }
        if r == NULL {
            self.right_child[pu] = l;
        } else {
            self.left_sib[r as usize] = l;
        }
        self.left_sib[cu] = NULL;
        self.right_sib[cu] = NULL;
        self.parent[cu] = NULL;
        if self.head[cu] != NONE {
            self.relink(set, p);
        }
    }

    /// Moves from tree `j - 1` to tree `j`.
    fn advance(&mut self, ts: &TreeSequence, set: &SetSamples, j: usize) {
        for (p, c) in ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize) {
            self.remove(set, p, c);
        }
        for (p, c) in ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize) {
            self.insert(set, p, c);
        }
    }

    /// Calls `f` with each set sample at or below `u`.
    #[inline]
    fn for_each(&self, u: Id, mut f: impl FnMut(u32)) {
        let mut r = self.head[u as usize];
        if r == NONE {
            return;
        }
        let stop = self.tail[u as usize];
        loop {
            f(r);
            if r == stop {
                return;
            }
            r = self.next[r as usize];
        }
    }
}

fn check_cancel(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        return Err(Failure::new(Error::Cancelled, "cancelled"));
    }
    Ok(())
}

/// Per-thread state of site-mode pair counting.
struct SiteScratch {
    tree: ListTree,
    /// Per set sample: its allele at the current site.
    geno: Vec<u32>,
    /// Set samples whose allele the current site set.
    touched: Vec<u32>,
    seen: Vec<u32>,
    stamp: u32,
    /// Pair counts, strict upper triangle over the set samples.
    counts: Vec<u32>,
    bi: Vec<u64>,
    bi_sites: usize,
    multi: Vec<u64>,
    multi_sites: usize,
    multi_planes: usize,
    /// The current biallelic site's carriers of its non-first allele.
    carriers: Vec<u32>,
    /// Sites with at most this many carriers are counted pair by pair
    /// rather than in the bit planes.
    sparse_max: usize,
    /// Per set sample: the sites counted pair by pair at which it carries
    /// the non-first allele since the last window flush.
    single: Vec<u32>,
    /// Whether `counts` or `single` hold anything since the last flush.
    dirty: bool,
}

impl SiteScratch {
    fn new(ts: &TreeSequence, ns: usize) -> Result<Self> {
        let what = "the divergence matrix's working memory";
        Ok(SiteScratch {
            tree: ListTree::new(ts.num_nodes(), ns)?,
            geno: alloc::zeroed(ns, what)?,
            touched: alloc::with_capacity(ns, what)?,
            seen: alloc::zeroed(ns, what)?,
            stamp: 0,
            counts: alloc::zeroed(ns * ns.saturating_sub(1) / 2, what)?,
            bi: alloc::zeroed(ns.saturating_mul(BI_WORDS), what)?,
            bi_sites: 0,
            multi: alloc::zeroed(ns.saturating_mul(MULTI_WORDS * MAX_PLANES), what)?,
            multi_sites: 0,
            multi_planes: 1,
            carriers: alloc::with_capacity(ns, what)?,
            sparse_max: sparse_max(ns),
            single: alloc::zeroed(ns, what)?,
            dirty: false,
        })
    }
}

/// The most carriers of a biallelic site for which counting its pairs one
/// by one (carriers² / 2 updates) is cheaper than its share of a block of
/// bit planes (N² / 2 pairs over 64 sites to a word): about N / 16.
fn sparse_max(ns: usize) -> usize {
    (ns / 16).max(2)
}

/// `counts[a < b] += popcount(OR over planes of (row a XOR row b))`, rows
/// of `stride` words holding `planes` planes of `words` words each, plane
/// `p` at word `p * plane_stride`.
fn count_block(
    bits: &[u64],
    ns: usize,
    stride: usize,
    planes: usize,
    plane_stride: usize,
    words: usize,
    counts: &mut [u32],
) {
    let used = (planes - 1) * plane_stride + words;
    for a in 0..ns {
        let ra = &bits[a * stride..a * stride + used];
        let base = tri_start(ns, a);
        let row = &mut counts[base..base + (ns - a - 1)];
        for (b, c) in (a + 1..ns).zip(row.iter_mut()) {
            let rb = &bits[b * stride..b * stride + used];
            let mut n = 0u32;
            if planes == 1 {
                for (x, y) in ra.iter().zip(rb) {
                    n += (x ^ y).count_ones();
                }
            } else {
                for t in 0..words {
                    let mut x = 0u64;
                    for p in 0..planes {
                        x |= ra[p * plane_stride + t] ^ rb[p * plane_stride + t];
                    }
                    n += x.count_ones();
                }
            }
            *c = c.wrapping_add(n);
        }
    }
}

impl SiteScratch {
    fn flush_bi(&mut self, ns: usize) {
        if self.bi_sites > 0 {
            let words = self.bi_sites.div_ceil(64);
            count_block(&self.bi, ns, BI_WORDS, 1, BI_WORDS, words, &mut self.counts);
            self.bi.fill(0);
            self.bi_sites = 0;
            self.dirty = true;
        }
    }

    fn flush_multi(&mut self, ns: usize) {
        if self.multi_sites > 0 {
            // Only the words holding sites (a block is rarely full:
            // sites with more than two alleles are few).
            count_block(
                &self.multi,
                ns,
                MULTI_WORDS * MAX_PLANES,
                self.multi_planes,
                MULTI_WORDS,
                self.multi_sites.div_ceil(64),
                &mut self.counts,
            );
            self.multi.fill(0);
            self.multi_sites = 0;
            self.multi_planes = 1;
            self.dirty = true;
        }
    }

    /// Counts a biallelic site whose non-first allele `self.carriers` carry.
    /// A pair differs when exactly one of its samples is a carrier:
    /// `[a] + [b] - 2 [a][b]`. Few carriers: `single` counts the first two
    /// terms per sample and the pairs of carriers take 2 from their count
    /// (wrapping; the sum at the window's flush is the true, non-negative
    /// count). Many: a bit in the planes.
    fn add_carriers(&mut self, ns: usize) {
        let n = self.carriers.len();
        if n == 0 {
            return;
        }
        if n <= self.sparse_max {
            self.carriers.sort_unstable();
            for (x, &a) in self.carriers.iter().enumerate() {
                let au = a as usize;
                self.single[au] += 1;
                let base = tri_start(ns, au);
                for &b in &self.carriers[x + 1..] {
                    let c = &mut self.counts[base + (b as usize - au - 1)];
                    *c = c.wrapping_sub(2);
                }
            }
            self.dirty = true;
            return;
        }
        let (w, bit) = (self.bi_sites / 64, self.bi_sites % 64);
        for &r in &self.carriers {
            self.bi[r as usize * BI_WORDS + w] |= 1u64 << bit;
        }
        self.bi_sites += 1;
        if self.bi_sites == BI_WORDS * 64 {
            self.flush_bi(ns);
        }
    }

    /// Adds the pair counts into the window's row of set pairs and clears them.
    fn flush_window(&mut self, set: &SetSamples, row: &mut [f64]) {
        let ns = set.len();
        self.flush_bi(ns);
        self.flush_multi(ns);
        if !self.dirty {
            return;
        }
        let k = set.num_sets;
        let single = &self.single;
        for a in 0..ns {
            let i = set.set_of[a] as usize;
            let base = tri_start(ns, a);
            let sa = single[a];
            for (b, c) in (a + 1..ns).zip(&mut self.counts[base..base + (ns - a - 1)]) {
                let n = c.wrapping_add(sa).wrapping_add(single[b]);
                *c = 0;
                if n == 0 {
                    continue;
                }
                let j = set.set_of[b] as usize;
                // Ordered pairs within a set: each unordered one twice.
                let v = if i == j { 2.0 * n as f64 } else { n as f64 };
                let (lo, hi) = if i <= j { (i, j) } else { (j, i) };
                row[upper_index(k, lo, hi)] += v;
            }
        }
        self.single.fill(0);
        self.dirty = false;
    }
}

/// Index of pair `(i, j)`, `i <= j`, in the row-major upper triangle with
/// diagonal of `k × k`.
#[inline]
/// At most 64 pieces, and few enough that the rows they keep for a window
/// they share with the piece before (one row of `np` values each, until all
/// are added in piece order) stay within 32 MiB.
fn max_pieces(exec: &Exec, np: usize) -> usize {
    exec.max_pieces.min(64).min(((1usize << 22) / np.max(1)).max(1))
}

pub(crate) fn upper_index(k: usize, i: usize, j: usize) -> usize {
    i * k - i * i.saturating_sub(1) / 2 + (j - i)
}

/// Site mode: for each window of `windows` (covering `[0, L]`) and each pair
/// `(i, j)`, `i <= j`, of sets, the number of ordered pairs of samples, one
/// from each, that carry different alleles, summed over the window's sites:
/// `num_windows × K(K+1)/2`.
pub(crate) fn site_pair_counts(
    ts: &TreeSequence,
    set: &SetSamples,
    windows: &[f64],
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let k = set.num_sets;
    let ns = set.len();
    let np = k * (k + 1) / 2;
    let nw = windows.len() - 1;
    // Each piece costs a pass over the pair counts (at most 64 pieces;
    // independent of the thread count).
    let plan = engine::plan(ts, windows, (exec.piece_work / 4).max(1), max_pieces(exec, np))?;
    let mut out = alloc::zeroed(nw.saturating_mul(np), "the divergence matrix")?;
    let pool: Mutex<Vec<SiteScratch>> = Mutex::new(Vec::new());
    let pieces: &[Piece] = &plan.pieces;
    engine::run_windows(exec, pieces, np, &mut out, |pi, _, cancel, po| {
        let taken = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut s = match taken {
            Some(s) => s,
            None => SiteScratch::new(ts, ns)?,
        };
        let r = site_piece(ts, set, windows, &plan.pieces[pi], &plan.alive[pi], &mut s, cancel, po);
        pool.lock().unwrap_or_else(|e| e.into_inner()).push(s);
        r
    })?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn site_piece(
    ts: &TreeSequence,
    set: &SetSamples,
    windows: &[f64],
    piece: &Piece,
    alive: &[Id],
    s: &mut SiteScratch,
    cancel: &AtomicBool,
    po: &mut PieceOut,
) -> Result<()> {
    let ns = set.len();
    let t = ts.tables();
    let position = &t.sites.position;
    s.tree.start(ts, alive, set);
    let (w0, w1) = piece.windows;
    let mut wi = w0;
    let mut states: Vec<&[u8]> = Vec::new();
    for j in piece.trees.0..piece.trees.1 {
        if j > piece.trees.0 {
            if (j - piece.trees.0) % 64 == 0 {
                check_cancel(cancel)?;
            }
            s.tree.advance(ts, set, j);
        }
        for site in ts.tree_sites(j) {
            let x = position[site];
            if wi + 1 < w1 && windows[wi + 1] <= x {
                s.flush_window(set, po.row(wi));
                while wi + 1 < w1 && windows[wi + 1] <= x {
                    wi += 1;
                }
            }
            let muts = ts.site_mutations(site);
            if muts.len() == 1 {
                // The common case: one mutation, its carriers derived.
                let m = muts.start;
                let u = t.mutations.node[m];
                if s.tree.head[u as usize] == NONE
                    || t.mutations.derived_state.row(m) == t.sites.ancestral_state.row(site)
                {
                    continue;
                }
                s.carriers.clear();
                let carriers = &mut s.carriers;
                s.tree.for_each(u, |r| carriers.push(r));
                s.add_carriers(ns);
                continue;
            }
            // Decode: each mutation in order sets the allele of the set
            // samples below it (parents come before children).
            s.stamp = s.stamp.wrapping_add(1);
            if s.stamp == 0 {
                s.seen.fill(0);
                s.stamp = 1;
            }
            s.touched.clear();
            states.clear();
            states.push(t.sites.ancestral_state.row(site));
            for m in muts {
                let d = t.mutations.derived_state.row(m);
                let a = match states.iter().position(|x| *x == d) {
                    Some(a) => a,
                    None => {
                        alloc::push(&mut states, d, "a site's alleles")?;
                        states.len() - 1
                    }
                } as u32;
                let u = t.mutations.node[m];
                let (seen, touched, geno, stamp) = (&mut s.seen, &mut s.touched, &mut s.geno, s.stamp);
                s.tree.for_each(u, |r| {
                    let ru = r as usize;
                    if seen[ru] != stamp {
                        seen[ru] = stamp;
                        touched.push(r);
                    }
                    geno[ru] = a;
                });
            }
            let na = states.len();
            if s.touched.is_empty() {
                continue;
            }
            if na <= 2 {
                s.carriers.clear();
                let geno = &s.geno;
                s.carriers
                    .extend(s.touched.iter().copied().filter(|&r| geno[r as usize] != 0));
                s.add_carriers(ns);
            } else if na <= 1 << MAX_PLANES {
                let planes = (usize::BITS - (na - 1).leading_zeros()) as usize;
                s.multi_planes = s.multi_planes.max(planes);
                let (w, bit) = (s.multi_sites / 64, s.multi_sites % 64);
                for &r in &s.touched {
                    let g = s.geno[r as usize] as usize;
                    for p in 0..planes {
                        if (g >> p) & 1 != 0 {
                            s.multi[r as usize * MULTI_WORDS * MAX_PLANES + p * MULTI_WORDS + w] |= 1u64 << bit;
                        }
                    }
                }
                s.multi_sites += 1;
                if s.multi_sites == MULTI_WORDS * 64 {
                    s.flush_multi(ns);
                }
            } else {
                // Rare: compared pair by pair (untouched samples are ancestral).
                for a in 0..ns {
                    let ga = if s.seen[a] == s.stamp { s.geno[a] } else { 0 };
                    let base = tri_start(ns, a);
                    for b in a + 1..ns {
                        let gb = if s.seen[b] == s.stamp { s.geno[b] } else { 0 };
                        let c = &mut s.counts[base + b - a - 1];
                        *c = c.wrapping_add(u32::from(ga != gb));
                    }
                }
                s.dirty = true;
            }
            for &r in &s.touched {
                s.geno[r as usize] = 0;
            }
        }
    }
    s.flush_window(set, po.row(wi));
    Ok(())
}

// Branch mode: every pair of set samples keeps its current distance in the
// tree (the path length between them: 2 t(mrca) - t(u) - t(v), or the sum
// of their root paths' lengths in different components) and the position
// from which it holds; a pair is flushed (distance × span) only when its
// distance changes or a window ends. A pair's distance can change only if
// one of its samples is below the child of an inserted edge, or below a
// child whose edge was removed and not replaced (its root path is the
// same edges otherwise): those samples' pairs are recomputed after each
// tree change, all at once by Tarjan's offline lowest common ancestors on
// the tree restricted to subtrees holding set samples.
// Working memory per thread: the links (6 × nodes), union-find and
// ancestor arrays (3 × nodes) and three values per pair of set samples
// (N²/2 × 24 bytes).

struct BranchScratch {
    links: Links,
    /// Roots holding set samples, and each node's place in `roots`.
    roots: Vec<Id>,
    root_at: Vec<u32>,
    /// Per pair `a < b` of set samples: current distance, where it holds
    /// from, and its sum in the current window.
    dist: Vec<f64>,
    last: Vec<f64>,
    acc: Vec<f64>,
    /// Set samples whose pairs change (`changed[a] == stamp`).
    changed: Vec<u32>,
    stamp: u32,
    any_changed: bool,
    uf: Vec<Id>,
    anc: Vec<Id>,
    stack: Vec<(Id, bool)>,
    /// Set samples finished in the current traversal, and those among them
    /// that changed.
    done: Vec<u32>,
    done_changed: Vec<u32>,
    tstack: Vec<Id>,
}

impl BranchScratch {
    fn new(ts: &TreeSequence, ns: usize) -> Result<Self> {
        let what = "the divergence matrix's working memory";
        let n = ts.num_nodes();
        let np = ns * ns.saturating_sub(1) / 2;
        Ok(BranchScratch {
            links: Links::new(n)?,
            roots: alloc::with_capacity(ns, what)?,
            root_at: alloc::filled(n, u32::MAX, what)?,
            dist: alloc::zeroed(np, what)?,
            last: alloc::zeroed(np, what)?,
            acc: alloc::zeroed(np, what)?,
            changed: alloc::zeroed(ns, what)?,
            stamp: 0,
            any_changed: false,
            uf: alloc::filled(n, NULL, what)?,
            anc: alloc::filled(n, NULL, what)?,
            stack: Vec::new(),
            done: alloc::with_capacity(ns, what)?,
            done_changed: alloc::with_capacity(ns, what)?,
            tstack: Vec::new(),
        })
    }

    fn add_root(&mut self, r: Id) {
        if self.root_at[r as usize] == u32::MAX {
            self.root_at[r as usize] = self.roots.len() as u32;
            self.roots.push(r);
        }
    }

    fn drop_root(&mut self, r: Id) {
        let at = self.root_at[r as usize];
        if at != u32::MAX {
            self.roots.swap_remove(at as usize);
            if (at as usize) < self.roots.len() {
                self.root_at[self.roots[at as usize] as usize] = at;
            }
            self.root_at[r as usize] = u32::MAX;
        }
    }

    /// The top of `u`'s path.
    fn top(&self, mut u: Id) -> Id {
        while self.links.parent[u as usize] != NULL {
            u = self.links.parent[u as usize];
        }
        u
    }

    fn insert(&mut self, p: Id, c: Id) {
        self.drop_root(c);
        self.links.insert(p, c);
        if self.links.count[c as usize] != 0 {
            let t = self.top(p);
            self.add_root(t);
        }
    }

    fn remove(&mut self, p: Id, c: Id) {
        self.links.remove(p, c);
        if self.links.count[c as usize] != 0 {
            self.add_root(c);
            let t = self.top(p);
            if self.links.count[t as usize] == 0 {
                self.drop_root(t);
            }
        }
    }

    /// Marks the set samples at or below `u` as changed.
    fn mark_below(&mut self, set: &SetSamples, u: Id) {
        if self.links.count[u as usize] == 0 {
            return;
        }
        self.any_changed = true;
        self.tstack.clear();
        self.tstack.push(u);
        while let Some(v) = self.tstack.pop() {
            let r = set.index[v as usize];
            if r != u32::MAX {
                self.changed[r as usize] = self.stamp;
            }
            let mut c = self.links.left_child[v as usize];
            while c != NULL {
                if self.links.count[c as usize] != 0 {
                    self.tstack.push(c);
                }
                c = self.links.right_sib[c as usize];
            }
        }
    }

    fn next_stamp(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.changed.fill(0);
            self.stamp = 1;
        }
        self.any_changed = false;
    }

    fn find(&mut self, mut u: Id) -> Id {
        let mut r = u;
        while self.uf[r as usize] != r {
            r = self.uf[r as usize];
        }
        while self.uf[u as usize] != r {
            let next = self.uf[u as usize];
            self.uf[u as usize] = r;
            u = next;
        }
        r
    }

    /// Recomputes the distance of every pair with a changed sample, at
    /// position `x` (flushing those whose distance changes).
    fn update(&mut self, set: &SetSamples, time: &[f64], x: f64) {
        self.done.clear();
        self.done_changed.clear();
        for ri in 0..self.roots.len() {
            let root = self.roots[ri];
            let t_root = time[root as usize];
            self.stack.clear();
            self.stack.push((root, false));
            while let Some((v, expanded)) = self.stack.pop() {
                let vu = v as usize;
                if !expanded {
                    self.uf[vu] = v;
                    self.anc[vu] = v;
                    self.stack.push((v, true));
                    let mut c = self.links.left_child[vu];
                    while c != NULL {
                        if self.links.count[c as usize] != 0 {
                            self.stack.push((c, false));
                        }
                        c = self.links.right_sib[c as usize];
                    }
                    continue;
                }
                // All of v's children have joined v's set: its pairs now,
                // then v joins its parent's.
                let r = set.index[vu];
                if r != u32::MAX {
                    self.pairs_of(set, time, r, root, t_root, x);
                }
                let p = self.links.parent[vu];
                if v != root {
                    let (a, b) = (self.find(p), self.find(v));
                    self.uf[b as usize] = a;
                    self.anc[a as usize] = p;
                }
            }
        }
    }

    /// The pairs of set sample `r`, just finished in the traversal, with
    /// those finished before it.
    fn pairs_of(&mut self, set: &SetSamples, time: &[f64], r: u32, root: Id, t_root: f64, x: f64) {
        let ns = set.len();
        let vu = set.node[r as usize] as usize;
        let w = r as usize;
        let w_changed = self.changed[w] == self.stamp;
        let t_w = time[vu];
        let n_others = if w_changed {
            self.done.len()
        } else {
            self.done_changed.len()
        };
        for q in 0..n_others {
            let o = if w_changed { self.done[q] } else { self.done_changed[q] } as usize;
            let node_o = set_sample_node(set, o);
            let f = self.find(node_o);
            let m = self.anc[f as usize];
            let t_o = time[node_o as usize];
            let d = if self.links.parent[m as usize] == NULL && m != root {
                // Different components: both root paths.
                (time[m as usize] - t_o) + (t_root - t_w)
            } else {
                (time[m as usize] - t_o) + (time[m as usize] - t_w)
            };
            let (a, b) = if o < w { (o, w) } else { (w, o) };
            let p = tri_start(ns, a) + (b - a - 1);
            if d.to_bits() != self.dist[p].to_bits() {
                self.acc[p] += self.dist[p] * (x - self.last[p]);
                self.last[p] = x;
                self.dist[p] = d;
            }
        }
        self.done.push(r);
        if w_changed {
            self.done_changed.push(r);
        }
    }

    /// Adds every pair's sum up to `x` into the window's row of set pairs.
    fn flush_window(&mut self, set: &SetSamples, x: f64, row: &mut [f64]) {
        let ns = set.len();
        let k = set.num_sets;
        for a in 0..ns {
            let i = set.set_of[a] as usize;
            let base = tri_start(ns, a);
            for b in a + 1..ns {
                let p = base + (b - a - 1);
                let v = self.acc[p] + self.dist[p] * (x - self.last[p]);
                self.acc[p] = 0.0;
                self.last[p] = x;
                let j = set.set_of[b] as usize;
                let (lo, hi) = if i <= j { (i, j) } else { (j, i) };
                row[upper_index(k, lo, hi)] += if i == j { 2.0 * v } else { v };
            }
        }
    }
}

/// The node of set sample `a`.
#[inline]
fn set_sample_node(set: &SetSamples, a: usize) -> Id {
    set.node[a]
}

/// Branch mode: for each window of `windows` (covering `[0, L]`) and each
/// pair `(i, j)`, `i <= j`, of sets, the branch length separating each
/// ordered pair of samples, one from each, integrated over the window:
/// `num_windows × K(K+1)/2`.
pub(crate) fn branch_pair_sums(
    ts: &TreeSequence,
    set: &SetSamples,
    windows: &[f64],
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let k = set.num_sets;
    let ns = set.len();
    let np = k * (k + 1) / 2;
    let nw = windows.len() - 1;
    let plan = engine::plan(ts, windows, (exec.piece_work / 4).max(1), max_pieces(exec, np))?;
    let mut out = alloc::zeroed(nw.saturating_mul(np), "the divergence matrix")?;
    let pool: Mutex<Vec<BranchScratch>> = Mutex::new(Vec::new());
    let pieces: &[Piece] = &plan.pieces;
    engine::run_windows(exec, pieces, np, &mut out, |pi, _, cancel, po| {
        let taken = pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut s = match taken {
            Some(s) => s,
            None => BranchScratch::new(ts, ns)?,
        };
        let r = branch_piece(ts, set, windows, &plan.pieces[pi], &plan.alive[pi], &mut s, cancel, po);
        pool.lock().unwrap_or_else(|e| e.into_inner()).push(s);
        r
    })?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn branch_piece(
    ts: &TreeSequence,
    set: &SetSamples,
    windows: &[f64],
    piece: &Piece,
    alive: &[Id],
    s: &mut BranchScratch,
    cancel: &AtomicBool,
    po: &mut PieceOut,
) -> Result<()> {
    let time = &ts.tables().nodes.time;
    let bp = ts.breakpoints();
    for &r in &s.roots {
        s.root_at[r as usize] = u32::MAX;
    }
    s.roots.clear();
    s.links.start(ts, alive, set);
    for &u in &set.node {
        let t = s.top(u);
        s.add_root(t);
    }
    s.dist.fill(0.0);
    s.acc.fill(0.0);
    s.last.fill(piece.left);
    // Every pair is computed at the piece's start.
    s.next_stamp();
    let stamp = s.stamp;
    s.changed.fill(stamp);
    s.update(set, time, piece.left);
    let (w0, w1) = piece.windows;
    let mut wi = w0;
    for j in piece.trees.0..piece.trees.1 {
        let (tl, tr) = (bp[j], bp[j + 1]);
        if j > piece.trees.0 {
            if (j - piece.trees.0) % 64 == 0 {
                check_cancel(cancel)?;
            }
            s.next_stamp();
            let rem = ts.removal_run(ts.removal_at[j - 1] as usize, ts.removal_at[j] as usize);
            let ins = ts.insertion_run(ts.insertion_at[j - 1] as usize, ts.insertion_at[j] as usize);
            for (p, c) in rem.clone() {
                s.remove(p, c);
            }
            for (p, c) in ins.clone() {
                s.insert(p, c);
            }
            for (_, c) in rem {
                if s.links.parent[c as usize] == NULL {
                    s.mark_below(set, c);
                }
            }
            for (_, c) in ins {
                s.mark_below(set, c);
            }
            if s.any_changed {
                s.update(set, time, tl);
            }
        }
        while wi < w1 && windows[wi + 1] <= tr {
            s.flush_window(set, windows[wi + 1], po.row(wi));
            wi += 1;
        }
    }
    if wi < w1 {
        s.flush_window(set, piece.right, po.row(wi));
    }
    Ok(())
}
