//! The immutable, validated, indexed tree sequence.
//!
//! A [`TreeSequence`] owns its tables and never changes them, so any number
//! of threads can read it at once without locks, and pointers to its columns
//! stay valid for as long as it lives. It is made the way tskit makes one:
//! integrity checked with the tree and mutation-parent checks, edge indexes
//! present (or built on request).

mod tree;

pub use tree::{Tree, TreeState};

use crate::alloc;
use crate::error::{fail, Error, Failure, Result};
use crate::io::trees;
use crate::parallel;
use crate::tables::{check, Id, TableCollection, WalkColumns, NODE_IS_SAMPLE, NULL};

/// Options of [`TreeSequence::new`], with tskit's values.
pub mod init {
    /// Build the edge indexes when the tables have none.
    pub const BUILD_INDEXES: u32 = 1 << 0;
    /// Compute mutation parents instead of checking them.
    pub const COMPUTE_MUTATION_PARENTS: u32 = 1 << 1;
    pub const ALL: u32 = BUILD_INDEXES | COMPUTE_MUTATION_PARENTS;
}

#[derive(Debug)]
pub struct TreeSequence {
    tables: TableCollection,
    samples: Vec<Id>,
    /// For each node, its index in `samples`, or -1.
    sample_index: Vec<Id>,
    /// Tree boundaries: `num_trees + 1` positions from 0 to the sequence length.
    breakpoints: Vec<f64>,
    /// Sites of tree `j` are `tree_site_start[j]..tree_site_start[j + 1]`.
    tree_site_start: Vec<usize>,
    /// Mutations of site `s` are `site_mutation_start[s]..site_mutation_start[s + 1]`.
    site_mutation_start: Vec<usize>,
    /// The edges' (parent, child) in insertion and in removal order: a cursor
    /// reads these in sequence instead of three scattered columns per edge.
    /// Empty when the edges and indexes are mapped from a file (see
    /// [`TreeSequence::insertion_run`]).
    insertion_edges: Vec<(Id, Id)>,
    removal_edges: Vec<(Id, Id)>,
    /// For tree `j`: how many edges in insertion order have left <= its left
    /// end, and how many in removal order have right <= its left end.
    /// Whether `insertion_edges` and `removal_edges` are built.
    gathered: bool,
    pub(crate) insertion_at: Vec<u32>,
    pub(crate) removal_at: Vec<u32>,
    /// A hash of what the statistics read, made on first use (see
    /// [`crate::stats::parts`]).
    pub(crate) fingerprint: std::sync::OnceLock<u64>,
}

impl TreeSequence {
    /// Validates and indexes `tables`, which the tree sequence then owns,
    /// with the default thread count.
    pub fn new(tables: TableCollection, options: u32) -> Result<Self> {
        Self::new_with(tables, options, parallel::default_threads())
    }

    /// [`TreeSequence::new`] with `threads` threads (1: only the calling
    /// thread). The result does not depend on `threads`.
    pub fn new_with(mut tables: TableCollection, options: u32, threads: usize) -> Result<Self> {
        if options & !init::ALL != 0 {
            fail!(Error::BadOptions, "tree sequence: {:#x}", options & !init::ALL);
        }
        if options & init::BUILD_INDEXES != 0 {
            tables.build_index_with(threads)?;
        }
        // The tree checks first: the mutation parent check and everything
        // derived below walk the trees and rely on them being sound. The
        // edge columns they gather in index order serve every later walk.
        let (num_trees, walk) = tables.check_integrity_walk(check::CHECK_TREES, threads)?;
        let walk = walk.expect("the trees were walked");
        let compute_parents = options & init::COMPUTE_MUTATION_PARENTS != 0;
        if compute_parents {
            // Only the parent column changes: the walk columns stay valid.
            tables.mutations.parent = tables.mutation_parents(&walk)?.into();
        }
        if !compute_parents {
            tables.check_mutation_parent_column(&walk)?;
        }
        // The walk columns are consumed as the cursor's tables are made,
        // which keeps the peak memory of a load down.
        // Edges and indexes used in place from a mapped file: the cursor
        // reads them there rather than from private gathered pairs.
        let mapped = {
            let (e, ix) = (
                &tables.edges,
                tables.indexes.as_ref().expect("checked: indexes present"),
            );
            e.parent.is_shared() && e.child.is_shared() && ix.insertion.is_shared() && ix.removal.is_shared()
        };
        let tables_ref = &tables;
        let derived = parallel::run(threads, || derive(tables_ref, walk, threads > 1, !mapped))??;
        let Derived {
            samples,
            sample_index,
            breakpoints,
            tree_site_start,
            site_mutation_start,
            walk: (insertion_edges, removal_edges, insertion_at, removal_at),
        } = derived;
        if breakpoints.len() as i64 - 1 != num_trees {
            fail!(
                Error::Internal,
                "integrity check counted {num_trees} trees, breakpoints give {}",
                breakpoints.len() - 1
            );
        }
        Ok(TreeSequence {
            tables,
            samples,
            sample_index,
            breakpoints,
            tree_site_start,
            site_mutation_start,
            gathered: !mapped,
            insertion_edges,
            removal_edges,
            insertion_at,
            removal_at,
            fingerprint: std::sync::OnceLock::new(),
        })
    }

    /// Loads a `.trees` file as a tree sequence. `options`: those of
    /// [`TreeSequence::new`], and [`trees::LOAD_MMAP`] to map the file and use
    /// its columns in place (see `io/mmap.rs`). Errors name the file.
    pub fn load(path: &std::path::Path, options: u32, threads: usize) -> Result<Self> {
        if options & !(init::ALL | trees::LOAD_MMAP) != 0 {
            fail!(
                Error::BadOptions,
                "tree sequence load: {:#x}",
                options & !(init::ALL | trees::LOAD_MMAP)
            );
        }
        let name = path.display();
        let in_path = |f: Failure| Failure::new(f.kind, format!("{name}: {}", f.detail));
        let init = options & init::ALL;
        if options & trees::LOAD_MMAP != 0 {
            let (tables, map) = trees::load_mapped(path, trees::LOAD_MMAP, threads)?;
            let ts = TreeSequence::new_with(tables, init, threads).map_err(in_path)?;
            // The checks have read every column: the file must still be the
            // one that was mapped.
            map.check_unchanged(&name.to_string())?;
            Ok(ts)
        } else {
            let tables = trees::load_with(path, 0, threads)?;
            TreeSequence::new_with(tables, init, threads).map_err(in_path)
        }
    }

    /// The (parent, child) of the edges at positions `a..b` of the
    /// insertion order. Gathered pairs when the tree sequence has them;
    /// for a mapped load, read through the index from the mapped columns
    /// instead, so that N processes share them instead of holding N copies
    /// of the pairs (16 bytes an edge) at the cost of scattered reads.
    #[inline]
    pub(crate) fn insertion_run(&self, a: usize, b: usize) -> EdgeRun<'_> {
        self.run(&self.insertion_edges, &self.indexes().insertion, a, b)
    }

    /// As [`TreeSequence::insertion_run`], in removal order.
    #[inline]
    pub(crate) fn removal_run(&self, a: usize, b: usize) -> EdgeRun<'_> {
        self.run(&self.removal_edges, &self.indexes().removal, a, b)
    }

    #[inline]
    fn run<'a>(&'a self, pairs: &'a [(Id, Id)], order: &'a [Id], a: usize, b: usize) -> EdgeRun<'a> {
        if self.gathered {
            EdgeRun::Pairs(pairs[a..b].iter())
        } else {
            let e = &self.tables.edges;
            EdgeRun::Indexed {
                order: order[a..b].iter(),
                parent: &e.parent,
                child: &e.child,
            }
        }
    }

    pub fn tables(&self) -> &TableCollection {
        &self.tables
    }

    pub fn num_trees(&self) -> usize {
        self.breakpoints.len() - 1
    }

    pub fn num_nodes(&self) -> usize {
        self.tables.nodes.flags.len()
    }

    pub fn num_edges(&self) -> usize {
        self.tables.edges.left.len()
    }

    pub fn sequence_length(&self) -> f64 {
        self.tables.sequence_length
    }

    pub fn samples(&self) -> &[Id] {
        &self.samples
    }

    pub fn sample_index(&self) -> &[Id] {
        &self.sample_index
    }

    pub fn breakpoints(&self) -> &[f64] {
        &self.breakpoints
    }

    /// The site ids of tree `j`.
    pub fn tree_sites(&self, j: usize) -> std::ops::Range<usize> {
        self.tree_site_start[j]..self.tree_site_start[j + 1]
    }

    /// The mutation ids of site `s`.
    pub fn site_mutations(&self, s: usize) -> std::ops::Range<usize> {
        self.site_mutation_start[s]..self.site_mutation_start[s + 1]
    }

    /// The index of the tree that covers `position` (in `[0, L)`).
    pub fn tree_index_at(&self, position: f64) -> Result<usize> {
        if !(position >= 0.0 && position < self.sequence_length()) {
            fail!(
                Error::SeekOutOfBounds,
                "position {position} is outside [0, {})",
                self.sequence_length()
            );
        }
        // The last breakpoint not greater than position.
        Ok(self.breakpoints.partition_point(|&b| b <= position) - 1)
    }

    pub(crate) fn indexes(&self) -> &crate::tables::EdgeIndexes {
        self.tables
            .indexes
            .as_ref()
            .expect("a tree sequence always has edge indexes")
    }
}

type WalkTables = (Vec<(Id, Id)>, Vec<(Id, Id)>, Vec<u32>, Vec<u32>);

/// A run of edges in one index order, as (parent, child): see
/// [`TreeSequence::insertion_run`].
#[derive(Clone)]
pub(crate) enum EdgeRun<'a> {
    Pairs(std::slice::Iter<'a, (Id, Id)>),
    Indexed {
        order: std::slice::Iter<'a, Id>,
        parent: &'a [Id],
        child: &'a [Id],
    },
}

impl Iterator for EdgeRun<'_> {
    type Item = (Id, Id);

    #[inline]
    fn next(&mut self) -> Option<(Id, Id)> {
        match self {
            EdgeRun::Pairs(it) => it.next().copied(),
            EdgeRun::Indexed { order, parent, child } => order.next().map(|&k| (parent[k as usize], child[k as usize])),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            EdgeRun::Pairs(it) => it.len(),
            EdgeRun::Indexed { order, .. } => order.len(),
        };
        (n, Some(n))
    }
}

impl DoubleEndedIterator for EdgeRun<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<(Id, Id)> {
        match self {
            EdgeRun::Pairs(it) => it.next_back().copied(),
            EdgeRun::Indexed { order, parent, child } => {
                order.next_back().map(|&k| (parent[k as usize], child[k as usize]))
            }
        }
    }
}

impl ExactSizeIterator for EdgeRun<'_> {}

/// The cursor's tables: edges in index order and the index position at
/// each tree's left end (see the fields of [`TreeSequence`]), from the
/// columns the tree checks gathered.
fn walk_tables(tables: &TableCollection, w: WalkColumns, breakpoints: &[f64], gather: bool) -> Result<WalkTables> {
    let e = &tables.edges;
    let ix = tables.indexes.as_ref().expect("checked: indexes present");
    let at = |coord: Vec<f64>| -> Result<Vec<u32>> {
        let mut out = alloc::with_capacity(breakpoints.len() - 1, "the cursor's tree starts")?;
        let mut i = 0;
        for &x in &breakpoints[..breakpoints.len() - 1] {
            while i < coord.len() && coord[i] <= x {
                i += 1;
            }
            out.push(i as u32);
        }
        Ok(out)
    };
    // Each column is dropped as soon as it has been used.
    let WalkColumns {
        ins_left,
        ins_parent,
        ins_child,
        rem_right,
        rem_child,
    } = w;
    let insertion_at = at(ins_left)?;
    let removal_at = at(rem_right)?;
    if !gather {
        return Ok((Vec::new(), Vec::new(), insertion_at, removal_at));
    }
    let insertion: Vec<(Id, Id)> =
        alloc::collect(ins_parent.into_iter().zip(ins_child), "the cursor's insertion edges")?;
    let removal: Vec<(Id, Id)> = alloc::collect(
        ix.removal
            .iter()
            .zip(rem_child)
            .map(|(&k, c)| (e.parent[k as usize], c)),
        "the cursor's removal edges",
    )?;
    Ok((insertion, removal, insertion_at, removal_at))
}

/// What a tree sequence keeps besides its tables.
struct Derived {
    samples: Vec<Id>,
    sample_index: Vec<Id>,
    breakpoints: Vec<f64>,
    tree_site_start: Vec<usize>,
    site_mutation_start: Vec<usize>,
    walk: WalkTables,
}

/// Computes the sample list, tree boundaries, site and mutation ranges and
/// the cursor's tables of checked tables.
fn derive(tables: &TableCollection, w: WalkColumns, par: bool, gather: bool) -> Result<Derived> {
    let (walk_and_breaks, samples_and_index) = parallel::join(
        par,
        || -> Result<_> {
            let breakpoints = breakpoints(tables, &w)?;
            let walk = walk_tables(tables, w, &breakpoints, gather)?;
            Ok((walk, breakpoints))
        },
        || -> Result<_> {
            let flags = &tables.nodes.flags;
            let num_samples = flags.iter().filter(|&&f| f & NODE_IS_SAMPLE != 0).count();
            let mut samples: Vec<Id> = alloc::with_capacity(num_samples, "the sample list")?;
            samples.extend(
                (0..flags.len())
                    .filter(|&u| flags[u] & NODE_IS_SAMPLE != 0)
                    .map(|u| u as Id),
            );
            let mut sample_index = alloc::filled(flags.len(), NULL, "the sample index")?;
            for (j, &u) in samples.iter().enumerate() {
                sample_index[u as usize] = j as Id;
            }
            Ok((samples, sample_index))
        },
    );
    let ((walk, breakpoints), (samples, sample_index)) = (walk_and_breaks?, samples_and_index?);
    let position = &tables.sites.position;
    let mut tree_site_start = alloc::with_capacity(breakpoints.len(), "the sites of each tree")?;
    let mut s = 0;
    tree_site_start.push(0);
    for &right in &breakpoints[1..] {
        while s < position.len() && position[s] < right {
            s += 1;
        }
        tree_site_start.push(s);
    }
    *tree_site_start.last_mut().expect("at least one tree") = position.len();
    let site = &tables.mutations.site;
    let mut site_mutation_start = alloc::with_capacity(position.len() + 1, "the mutations of each site")?;
    let mut m = 0;
    for j in 0..position.len() {
        site_mutation_start.push(m);
        while m < site.len() && site[m] as usize == j {
            m += 1;
        }
    }
    site_mutation_start.push(site.len());
    Ok(Derived {
        samples,
        sample_index,
        breakpoints,
        tree_site_start,
        site_mutation_start,
        walk,
    })
}

/// The positions where the set of edges changes, with 0 and the sequence
/// length: tskit's tree boundaries. Both index orders are sorted by
/// coordinate, so a merge of the two gives them in order.
fn breakpoints(tables: &TableCollection, w: &WalkColumns) -> Result<Vec<f64>> {
    // Counted first, so that exactly the memory needed is asked for.
    let mut count = 0;
    merge_ends(tables, w, |_| count += 1);
    let mut out = alloc::with_capacity(count, "the tree breakpoints")?;
    merge_ends(tables, w, |x| out.push(x));
    Ok(out)
}

/// Calls `f` with each breakpoint in order.
fn merge_ends(tables: &TableCollection, w: &WalkColumns, mut f: impl FnMut(f64)) {
    let lefts = w.ins_left.iter().copied();
    let rights = w.rem_right.iter().copied();
    let mut last = 0.0;
    f(last);
    let mut push = |x: f64| {
        if x > last && x < tables.sequence_length {
            last = x;
            f(x);
        }
    };
    let (mut l, mut r) = (lefts.peekable(), rights.peekable());
    loop {
        match (l.peek(), r.peek()) {
            (Some(&a), Some(&b)) => {
                if a <= b {
                    push(a);
                    l.next();
                } else {
                    push(b);
                    r.next();
                }
            }
            (Some(&a), None) => {
                push(a);
                l.next();
            }
            (None, Some(&b)) => {
                push(b);
                r.next();
            }
            (None, None) => break,
        }
    }
    f(tables.sequence_length);
}
