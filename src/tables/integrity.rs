//! Integrity checks: tskit's conditions, in tskit's order, with tskit's
//! flags, so a table collection tskit refuses is refused here with the same
//! error.

use super::{Id, TableCollection, NULL, UNKNOWN_TIME_BITS};
use crate::error::{fail, Error, Result};

/// Check flags, with tskit's values.
pub mod check {
    pub const EDGE_ORDERING: u32 = 1 << 0;
    pub const SITE_ORDERING: u32 = 1 << 1;
    pub const SITE_DUPLICATES: u32 = 1 << 2;
    pub const MUTATION_ORDERING: u32 = 1 << 3;
    pub const INDIVIDUAL_ORDERING: u32 = 1 << 4;
    pub const MIGRATION_ORDERING: u32 = 1 << 5;
    pub const INDEXES: u32 = 1 << 6;
    pub const TREES: u32 = 1 << 7;
    pub const MUTATION_PARENTS: u32 = 1 << 8;
    pub const NO_POPULATION_REFS: u32 = 1 << 12;
    pub const ALL: u32 = ((1 << 9) - 1) | NO_POPULATION_REFS;

    // Longer names, as the simplifier and the C API spell them.
    pub const CHECK_EDGE_ORDERING: u32 = EDGE_ORDERING;
    pub const CHECK_SITE_ORDERING: u32 = SITE_ORDERING;
    pub const CHECK_SITE_DUPLICATES: u32 = SITE_DUPLICATES;
    pub const CHECK_MUTATION_ORDERING: u32 = MUTATION_ORDERING;
    pub const CHECK_INDIVIDUAL_ORDERING: u32 = INDIVIDUAL_ORDERING;
    pub const CHECK_MIGRATION_ORDERING: u32 = MIGRATION_ORDERING;
    pub const CHECK_INDEXES: u32 = INDEXES;
    pub const CHECK_TREES: u32 = TREES;
    pub const CHECK_MUTATION_PARENTS: u32 = MUTATION_PARENTS;
}

pub fn is_unknown_time(t: f64) -> bool {
    t.to_bits() == UNKNOWN_TIME_BITS
}

/// Whether `id` is a valid row of a table with `n` rows (or NULL when
/// `null_ok`).
fn in_range(id: Id, n: usize, null_ok: bool) -> bool {
    (null_ok && id == NULL) || (id >= 0 && (id as usize) < n)
}

impl TableCollection {
    /// Checks the tables with tskit's conditions. `TREES` (implied by
    /// `MUTATION_PARENTS`) implies every ordering check and `INDEXES`.
    /// Returns the number of trees when `TREES` is given, else 0.
    pub fn check_integrity(&self, options: u32) -> Result<i64> {
        self.check_integrity_walk(options, 1).map(|(num_trees, _)| num_trees)
    }

    /// [`check_integrity`](Self::check_integrity), also handing back the
    /// edge columns gathered in index order when the trees were walked
    /// (`check::TREES`), so that a caller walking them again (the tree
    /// sequence) need not gather them a second time. With `threads` > 1
    /// the columns are gathered in parallel.
    pub(crate) fn check_integrity_walk(&self, options: u32, threads: usize) -> Result<(i64, Option<WalkColumns>)> {
        if options & !check::ALL != 0 {
            fail!(Error::BadOptions, "integrity check: {:#x}", options & !check::ALL);
        }
        let mut options = options;
        if options & check::MUTATION_PARENTS != 0 {
            options |= check::TREES;
        }
        if options & check::TREES != 0 {
            options |= check::EDGE_ORDERING
                | check::SITE_ORDERING
                | check::SITE_DUPLICATES
                | check::MUTATION_ORDERING
                | check::MIGRATION_ORDERING
                | check::INDEXES;
        }
        let l = self.sequence_length;
        if !(l.is_finite() && l > 0.0) {
            fail!(
                Error::BadSequenceLength,
                "sequence length must be finite and positive, got {l}"
            );
        }
        self.check_shapes()?;
        self.check_nodes(options)?;
        self.check_edges(options)?;
        self.check_sites(options)?;
        self.check_mutations(options)?;
        self.check_migrations(options)?;
        self.check_individuals(options)?;
        if options & check::INDEXES != 0 {
            self.check_indexes()?;
        }
        if options & check::TREES == 0 {
            return Ok((0, None));
        }
        let w = if threads > 1 {
            crate::parallel::run(threads, || WalkColumns::new(self, true))??
        } else {
            WalkColumns::new(self, false)?
        };
        let num_trees = self.check_trees(&w)?;
        if options & check::MUTATION_PARENTS != 0 {
            self.check_mutation_parent_column(&w)?;
        }
        Ok((num_trees, Some(w)))
    }

    /// The mutation parent column agrees with the trees. The tables must
    /// have passed the tree checks (`check::TREES`).
    pub(crate) fn check_mutation_parent_column(&self, w: &WalkColumns) -> Result<()> {
        if self.mutations.site.is_empty() {
            return Ok(());
        }
        let computed = self.mutation_parents(w)?;
        if let Some(j) = (0..computed.len()).find(|&j| computed[j] != self.mutations.parent[j]) {
            fail!(
                Error::BadMutationParent,
                "mutation {j} has parent {} but the trees give {}",
                self.mutations.parent[j],
                computed[j]
            );
        }
        Ok(())
    }

    /// Every column of a table has one entry per row (the fields are public,
    /// so Rust code can break this; the C API cannot).
    fn check_shapes(&self) -> Result<()> {
        fn same(table: &str, n: usize, lens: &[usize], ragged: &[usize]) -> Result<()> {
            if lens.iter().any(|&l| l != n) {
                fail!(
                    Error::ColumnLengthMismatch,
                    "{table}: columns of different lengths {lens:?}"
                );
            }
            if ragged.iter().any(|&l| l != n) {
                fail!(
                    Error::BadOffset,
                    "{table}: ragged columns with {ragged:?} rows, expected {n}"
                );
            }
            Ok(())
        }
        for kind in super::TableKind::ALL {
            let columns = self.table(kind).columns();
            let Some(((_, first), rest)) = columns.split_first() else {
                continue;
            };
            let lens = |ragged: bool| -> Vec<usize> {
                rest.iter()
                    .filter(|(_, c)| c.offset().is_some() == ragged)
                    .map(|(_, c)| c.num_rows())
                    .collect()
            };
            same(kind.name(), first.num_rows(), &lens(false), &lens(true))?;
        }
        Ok(())
    }

    fn check_nodes(&self, options: u32) -> Result<()> {
        let n = &self.nodes;
        let num_pops = self.num_rows(super::TableKind::Populations);
        let num_inds = self.individuals.flags.len();
        let pop_refs = options & check::NO_POPULATION_REFS == 0;
        for j in 0..n.time.len() {
            if !n.time[j].is_finite() {
                fail!(Error::TimeNonfinite, "node {j} has time {}", n.time[j]);
            }
            if pop_refs && !in_range(n.population[j], num_pops, true) {
                fail!(
                    Error::PopulationOutOfBounds,
                    "node {j} refers to population {} (there are {num_pops})",
                    n.population[j]
                );
            }
            if !in_range(n.individual[j], num_inds, true) {
                fail!(
                    Error::IndividualOutOfBounds,
                    "node {j} refers to individual {} (there are {num_inds})",
                    n.individual[j]
                );
            }
        }
        Ok(())
    }

    fn check_edges(&self, options: u32) -> Result<()> {
        let e = &self.edges;
        let time = &self.nodes.time;
        let num_nodes = time.len();
        let l = self.sequence_length;
        let ordering = options & check::EDGE_ORDERING != 0;
        let mut parent_seen = if ordering {
            crate::alloc::filled(num_nodes, false, "the edge check's parent flags")?
        } else {
            Vec::new()
        };
        let (mut last_parent, mut last_child, mut last_left) = (0usize, 0, 0.0);
        for j in 0..e.left.len() {
            let (parent, child, left, right) = (e.parent[j], e.child[j], e.left[j], e.right[j]);
            if parent == NULL {
                fail!(Error::NullParent, "edge {j} has a null parent");
            }
            if !in_range(parent, num_nodes, false) {
                fail!(
                    Error::NodeOutOfBounds,
                    "edge {j} has parent {parent} (there are {num_nodes} nodes)"
                );
            }
            if child == NULL {
                fail!(Error::NullChild, "edge {j} has a null child");
            }
            if !in_range(child, num_nodes, false) {
                fail!(
                    Error::NodeOutOfBounds,
                    "edge {j} has child {child} (there are {num_nodes} nodes)"
                );
            }
            if !(left.is_finite() && right.is_finite()) {
                fail!(Error::GenomeCoordsNonfinite, "edge {j} has interval [{left}, {right})");
            }
            if left < 0.0 {
                fail!(Error::LeftLessZero, "edge {j} has left {left} < 0");
            }
            if right > l {
                fail!(
                    Error::RightGreaterSeqLength,
                    "edge {j} has right {right} > sequence length {l}"
                );
            }
            if left >= right {
                fail!(Error::BadEdgeInterval, "edge {j} has left {left} >= right {right}");
            }
            let (p, c) = (parent as usize, child as usize);
            if time[c] >= time[p] {
                fail!(
                    Error::BadNodeTimeOrdering,
                    "edge {j}: child {child} (time {}) is not younger than parent {parent} (time {})",
                    time[c],
                    time[p]
                );
            }
            if ordering {
                if parent_seen[p] {
                    fail!(
                        Error::EdgesNoncontiguousParents,
                        "edge {j}: the edges of parent {parent} are not contiguous"
                    );
                }
                if j > 0 {
                    if time[p] < time[last_parent] {
                        fail!(
                            Error::EdgesNotSortedParentTime,
                            "edge {j}: parent time {} is less than the previous edge's {}",
                            time[p],
                            time[last_parent]
                        );
                    }
                    if time[p] == time[last_parent] {
                        if p == last_parent {
                            if c < last_child {
                                fail!(
                                    Error::EdgesNotSortedChild,
                                    "edge {j}: children of parent {parent} not sorted"
                                );
                            }
                            if c == last_child {
                                if left == last_left {
                                    fail!(Error::DuplicateEdges, "edge {j} duplicates edge {}", j - 1);
                                } else if left < last_left {
                                    fail!(
                                        Error::EdgesNotSortedLeft,
                                        "edge {j}: edges of parent {parent}, child {child} not sorted by left"
                                    );
                                }
                            }
                        } else {
                            parent_seen[last_parent] = true;
                        }
                    }
                }
                last_parent = p;
                last_child = c;
                last_left = left;
            }
        }
        Ok(())
    }

    fn check_sites(&self, options: u32) -> Result<()> {
        let pos = &self.sites.position;
        let l = self.sequence_length;
        for j in 0..pos.len() {
            let x = pos[j];
            if !x.is_finite() || x < 0.0 || x >= l {
                fail!(Error::BadSitePosition, "site {j} has position {x} outside [0, {l})");
            }
            if j > 0 {
                if options & check::SITE_DUPLICATES != 0 && pos[j - 1] == x {
                    fail!(Error::DuplicateSitePosition, "sites {} and {j} are both at {x}", j - 1);
                }
                if options & check::SITE_ORDERING != 0 && pos[j - 1] > x {
                    fail!(
                        Error::UnsortedSites,
                        "site {j} at {x} comes after a site at {}",
                        pos[j - 1]
                    );
                }
            }
        }
        Ok(())
    }

    fn check_mutations(&self, options: u32) -> Result<()> {
        let m = &self.mutations;
        let num_nodes = self.nodes.time.len();
        let num_sites = self.sites.position.len();
        let num_muts = m.site.len();
        let node_time = &self.nodes.time;
        let ordering = options & check::MUTATION_ORDERING != 0;
        let mut last_known_time = f64::INFINITY;
        let (mut num_known, mut num_unknown) = (0usize, 0usize);
        for j in 0..num_muts {
            if !in_range(m.site[j], num_sites, false) {
                fail!(
                    Error::SiteOutOfBounds,
                    "mutation {j} refers to site {} (there are {num_sites})",
                    m.site[j]
                );
            }
            if !in_range(m.node[j], num_nodes, false) {
                fail!(
                    Error::NodeOutOfBounds,
                    "mutation {j} refers to node {} (there are {num_nodes})",
                    m.node[j]
                );
            }
            let parent = m.parent[j];
            if !in_range(parent, num_muts, true) {
                fail!(
                    Error::MutationOutOfBounds,
                    "mutation {j} has parent {parent} (there are {num_muts})"
                );
            }
            if parent == j as Id {
                fail!(Error::MutationParentEqual, "mutation {j} is its own parent");
            }
            let t = m.time[j];
            let unknown = is_unknown_time(t);
            if !unknown {
                if !t.is_finite() {
                    fail!(Error::TimeNonfinite, "mutation {j} has time {t}");
                }
                let nt = node_time[m.node[j] as usize];
                if t < nt {
                    fail!(
                        Error::MutationTimeYoungerThanNode,
                        "mutation {j} has time {t}, younger than its node {} (time {nt})",
                        m.node[j]
                    );
                }
            }
            if j > 0 && m.site[j - 1] != m.site[j] {
                last_known_time = f64::INFINITY;
                num_known = 0;
                num_unknown = 0;
            }
            if unknown {
                num_unknown += 1;
            } else {
                num_known += 1;
            }
            if num_known > 0 && num_unknown > 0 {
                fail!(
                    Error::MutationTimeHasBothKnownAndUnknown,
                    "site {} has mutations with known and with unknown times (mutation {j})",
                    m.site[j]
                );
            }
            if parent != NULL {
                let p = parent as usize;
                if m.site[p] != m.site[j] {
                    fail!(
                        Error::MutationParentDifferentSite,
                        "mutation {j} is at site {} but its parent {parent} at site {}",
                        m.site[j],
                        m.site[p]
                    );
                }
                if !unknown && t > m.time[p] {
                    fail!(
                        Error::MutationTimeOlderThanParentMutation,
                        "mutation {j} (time {t}) is older than its parent {parent} (time {})",
                        m.time[p]
                    );
                }
            }
            if ordering {
                if j > 0 && m.site[j - 1] > m.site[j] {
                    fail!(Error::UnsortedMutations, "mutation {j}: sites not in order");
                }
                if parent != NULL && parent > j as Id {
                    fail!(
                        Error::MutationParentAfterChild,
                        "mutation {j} comes before its parent {parent}"
                    );
                }
                if !unknown {
                    if t > last_known_time {
                        fail!(
                            Error::UnsortedMutations,
                            "mutation {j}: times at site {} not decreasing",
                            m.site[j]
                        );
                    }
                    last_known_time = t;
                }
            }
        }
        Ok(())
    }

    fn check_migrations(&self, options: u32) -> Result<()> {
        let m = &self.migrations;
        let num_nodes = self.nodes.time.len();
        let num_pops = self.num_rows(super::TableKind::Populations);
        let pop_refs = options & check::NO_POPULATION_REFS == 0;
        let l = self.sequence_length;
        for j in 0..m.left.len() {
            if !in_range(m.node[j], num_nodes, false) {
                fail!(Error::NodeOutOfBounds, "migration {j} refers to node {}", m.node[j]);
            }
            if pop_refs {
                for (what, p) in [("source", m.source[j]), ("dest", m.dest[j])] {
                    if !in_range(p, num_pops, false) {
                        fail!(
                            Error::PopulationOutOfBounds,
                            "migration {j} has {what} population {p} (there are {num_pops})"
                        );
                    }
                }
            }
            let t = m.time[j];
            if !t.is_finite() {
                fail!(Error::TimeNonfinite, "migration {j} has time {t}");
            }
            if j > 0 && options & check::MIGRATION_ORDERING != 0 && m.time[j - 1] > t {
                fail!(Error::UnsortedMigrations, "migration {j}: times not in order");
            }
            let (left, right) = (m.left[j], m.right[j]);
            if !(left.is_finite() && right.is_finite()) {
                fail!(
                    Error::GenomeCoordsNonfinite,
                    "migration {j} has interval [{left}, {right})"
                );
            }
            if left < 0.0 {
                fail!(Error::LeftLessZero, "migration {j} has left {left} < 0");
            }
            if right > l {
                fail!(
                    Error::RightGreaterSeqLength,
                    "migration {j} has right {right} > sequence length {l}"
                );
            }
            if left >= right {
                fail!(Error::BadEdgeInterval, "migration {j} has left {left} >= right {right}");
            }
        }
        Ok(())
    }

    fn check_individuals(&self, options: u32) -> Result<()> {
        let ind = &self.individuals;
        let n = ind.flags.len();
        let ordering = options & check::INDIVIDUAL_ORDERING != 0;
        for j in 0..n {
            for &p in ind.parents.row(j) {
                if !in_range(p, n, true) {
                    fail!(
                        Error::IndividualOutOfBounds,
                        "individual {j} has parent {p} (there are {n} individuals)"
                    );
                }
                if p == j as Id {
                    fail!(Error::IndividualSelfParent, "individual {j} is its own parent");
                }
                if ordering && p != NULL && p >= j as Id {
                    fail!(Error::UnsortedIndividuals, "individual {j} comes before its parent {p}");
                }
            }
        }
        Ok(())
    }

    fn check_indexes(&self) -> Result<()> {
        if !self.has_index() {
            fail!(
                Error::TablesNotIndexed,
                "the tables have no edge indexes (build them first)"
            );
        }
        let ix = self.indexes.as_ref().expect("has_index");
        let n = self.edges.left.len();
        for (what, order) in [("insertion", &ix.insertion), ("removal", &ix.removal)] {
            if let Some(j) = order.iter().position(|&e| !in_range(e, n, false)) {
                fail!(
                    Error::EdgeOutOfBounds,
                    "edge {what} index entry {j} is {} (there are {n} edges)",
                    order[j]
                );
            }
        }
        Ok(())
    }

    /// Walks the trees along the indexes, checking that they are well formed
    /// and that mutations are not older than the parent of their node.
    /// Returns the number of trees.
    fn check_trees(&self, w: &WalkColumns) -> Result<i64> {
        let e = &self.edges;
        let ix = self.indexes.as_ref().expect("indexes checked");
        let (ins, rem) = (&ix.insertion, &ix.removal);
        let m = e.left.len();
        let l = self.sequence_length;
        let sites = &self.sites.position;
        let muts = &self.mutations;
        let node_time = &self.nodes.time;
        let mut parent = crate::alloc::filled(node_time.len(), NULL, "the tree check's parent array")?;
        let mut used: Vec<u8> = crate::alloc::zeroed(m, "the tree check's edge flags")?;
        let bad = |what: &str| -> Result<i64> {
            fail!(
                Error::TablesBadIndexes,
                "edge indexes inconsistent with the edges: {what}"
            )
        };
        let (mut j, mut k, mut site, mut mutation) = (0usize, 0usize, 0usize, 0usize);
        let mut tree_left = 0.0;
        let mut num_trees: i64 = 0;
        while j < m || tree_left < l {
            while k < m && w.rem_right[k] == tree_left {
                let x = rem[k] as usize;
                if used[x] != 1 {
                    return bad(&format!("edge {x} removed before it was inserted"));
                }
                parent[w.rem_child[k] as usize] = NULL;
                used[x] += 1;
                k += 1;
            }
            while j < m && w.ins_left[j] == tree_left {
                let x = ins[j] as usize;
                if used[x] != 0 {
                    return bad(&format!("edge {x} inserted twice"));
                }
                used[x] += 1;
                let u = w.ins_child[j] as usize;
                if parent[u] != NULL {
                    fail!(
                        Error::BadEdgesContradictoryChildren,
                        "node {u} has two parents at position {tree_left} (edge {x})"
                    );
                }
                parent[u] = w.ins_parent[j];
                j += 1;
            }
            let mut tree_right = l;
            if j < m {
                tree_right = tree_right.min(w.ins_left[j]);
            }
            if k < m {
                tree_right = tree_right.min(w.rem_right[k]);
            }
            while site < sites.len() && sites[site] < tree_right {
                while mutation < muts.site.len() && muts.site[mutation] as usize == site {
                    let t = muts.time[mutation];
                    let p = parent[muts.node[mutation] as usize];
                    if !is_unknown_time(t) && p != NULL && node_time[p as usize] <= t {
                        fail!(
                            Error::MutationTimeOlderThanParentNode,
                            "mutation {mutation} (time {t}) is not younger than the parent {p} of its node"
                        );
                    }
                    mutation += 1;
                }
                site += 1;
            }
            if tree_right <= tree_left {
                return bad(&format!("no progress at position {tree_left}"));
            }
            tree_left = tree_right;
            if num_trees == Id::MAX as i64 {
                fail!(Error::TreeOverflow, "more than {} trees", Id::MAX);
            }
            num_trees += 1;
        }
        while k < m {
            let x = rem[k] as usize;
            if e.right[x] != l {
                return bad(&format!("edge {x} never removed"));
            }
            k += 1;
        }
        Ok(num_trees)
    }

    /// The mutation parents implied by the trees, without changing the
    /// tables. The tables must have passed the tree checks.
    pub(crate) fn mutation_parents(&self, w: &WalkColumns) -> Result<Vec<Id>> {
        let m = self.edges.left.len();
        let l = self.sequence_length;
        let sites = &self.sites.position;
        let muts = &self.mutations;
        let num_muts = muts.site.len();
        let mut out = crate::alloc::filled(num_muts, NULL, "mutations/parent")?;
        let mut parent = crate::alloc::filled(self.nodes.time.len(), NULL, "the mutation parents' tree")?;
        let mut bottom = crate::alloc::filled(self.nodes.time.len(), NULL, "the mutation parents' tree")?;
        let (mut j, mut k, mut site, mut mutation) = (0usize, 0usize, 0usize, 0usize);
        let mut left = 0.0;
        while j < m || left < l {
            while k < m && w.rem_right[k] == left {
                parent[w.rem_child[k] as usize] = NULL;
                k += 1;
            }
            while j < m && w.ins_left[j] == left {
                parent[w.ins_child[j] as usize] = w.ins_parent[j];
                j += 1;
            }
            let mut right = l;
            if j < m {
                right = right.min(w.ins_left[j]);
            }
            if k < m {
                right = right.min(w.rem_right[k]);
            }
            while site < sites.len() && sites[site] < right {
                let first = mutation;
                while mutation < num_muts && muts.site[mutation] as usize == site {
                    let u = muts.node[mutation] as usize;
                    if bottom[u] != NULL {
                        out[mutation] = bottom[u];
                    }
                    bottom[u] = mutation as Id;
                    mutation += 1;
                }
                if mutation > first + 1 {
                    for x in first..mutation {
                        if out[x] == NULL {
                            let mut u = parent[muts.node[x] as usize];
                            while u != NULL && bottom[u as usize] == NULL {
                                u = parent[u as usize];
                            }
                            if u != NULL {
                                out[x] = bottom[u as usize];
                            }
                        }
                    }
                }
                for x in first..mutation {
                    bottom[muts.node[x] as usize] = NULL;
                    if out[x] > x as Id {
                        fail!(
                            Error::MutationParentAfterChild,
                            "mutation {x} would come before its parent {}: sort the tables",
                            out[x]
                        );
                    }
                }
                site += 1;
            }
            left = right;
        }
        Ok(out)
    }

    /// Sets the mutation parent column from the trees (tskit's
    /// compute_mutation_parents). On failure the column is unchanged.
    pub fn compute_mutation_parents(&mut self) -> Result<()> {
        let nulls = crate::alloc::filled(self.mutations.site.len(), NULL, "mutations/parent")?;
        let saved = std::mem::replace(&mut self.mutations.parent, nulls.into());
        let result = self
            .check_integrity_walk(check::TREES, 1)
            .and_then(|(_, w)| self.mutation_parents(w.as_ref().expect("the trees were walked")));
        match result {
            Ok(p) => {
                self.mutations.parent = p.into();
                Ok(())
            }
            Err(e) => {
                self.mutations.parent = saved;
                Err(e)
            }
        }
    }
}

/// The edge columns a tree walk reads, gathered once in index order: the
/// walk then reads them in sequence, and the gathers themselves are
/// independent loads the processor overlaps, where a walk through the index
/// would wait for each scattered read in turn. The indexes must be in range.
pub(crate) struct WalkColumns {
    pub(crate) ins_left: Vec<f64>,
    pub(crate) ins_parent: Vec<Id>,
    pub(crate) ins_child: Vec<Id>,
    pub(crate) rem_right: Vec<f64>,
    pub(crate) rem_child: Vec<Id>,
}

impl WalkColumns {
    /// Gathers the columns; `par` runs the five gathers as parallel tasks
    /// (the caller is inside one of the library's pools).
    fn new(t: &TableCollection, par: bool) -> Result<Self> {
        use crate::parallel::join;
        let e = &t.edges;
        let ix = t.indexes.as_ref().expect("indexes checked");
        let (ins, rem) = (&ix.insertion, &ix.removal);
        fn gather<T: Copy>(order: &[Id], column: &[T]) -> Result<Vec<T>> {
            crate::alloc::collect(
                order.iter().map(|&k| column[k as usize]),
                "the edge columns in index order",
            )
        }
        let ((ins_left, ins_parent), ((ins_child, rem_right), rem_child)) = join(
            par,
            || join(par, || gather(ins, &e.left), || gather(ins, &e.parent)),
            || {
                join(
                    par,
                    || join(par, || gather(ins, &e.child), || gather(rem, &e.right)),
                    || gather(rem, &e.child),
                )
            },
        );
        Ok(WalkColumns {
            ins_left: ins_left?,
            ins_parent: ins_parent?,
            ins_child: ins_child?,
            rem_right: rem_right?,
            rem_child: rem_child?,
        })
    }
}
