//! Simplification and the helpers a forward-time simulator needs around it.
//!
//! `simplify` reduces a table collection to the history of a set of sample
//! nodes, with the segment-overlapper algorithm of Kelleher et al. (2018),
//! "Efficiently summarizing relationships in large samples". The output is
//! row for row what tskit's `tsk_table_collection_simplify` gives for the
//! same input and options: node order, edge order, the sites, mutations,
//! individuals and populations kept and how they are renumbered.
//!
//! Edges are processed parent by parent, youngest parent first. Each input
//! node holds its *ancestry*: the segments of genome over which it is
//! ancestral to some sample, each labelled with the output node that carries
//! it. A parent collects the pieces of its children's ancestry that its edges
//! cover, and the overlapper walks over them: where two or more overlap the
//! parent is a coalescence and becomes an output node with edges to them;
//! where one alone covers the parent, the parent just passes it on.
//!
//! The work is done into new tables that replace the caller's only on
//! success, so a failed call leaves the tables as they were.

mod ancestry;
mod bookmark;
mod merge;
mod overlap;
mod pieces;

pub use bookmark::Bookmark;

use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::tables::{
    check, EdgeTable, Id, IndividualTable, MigrationTable, MutationTable, NodeTable, PopulationTable, SiteTable,
    TableCollection, NODE_IS_SAMPLE, NULL,
};
use merge::{Merge, MergeSink};

/// Option bits for [`TableCollection::simplify`], with tskit's values.
pub const FILTER_SITES: u32 = 1 << 0;
pub const FILTER_POPULATIONS: u32 = 1 << 1;
pub const FILTER_INDIVIDUALS: u32 = 1 << 2;
pub const REDUCE_TO_SITE_TOPOLOGY: u32 = 1 << 3;
pub const KEEP_UNARY: u32 = 1 << 4;
pub const KEEP_INPUT_ROOTS: u32 = 1 << 5;
pub const KEEP_UNARY_IN_INDIVIDUALS: u32 = 1 << 6;
pub const NO_FILTER_NODES: u32 = 1 << 7;
pub const NO_UPDATE_SAMPLE_FLAGS: u32 = 1 << 8;
/// Every option bit simplify knows.
pub const ALL_OPTIONS: u32 = (1 << 9) - 1;

impl TableCollection {
    /// Simplifies the tables in place to the history of `samples` (`None`:
    /// the nodes that have the sample flag) and returns the node map: for
    /// each input node its output id, or `NULL` if it was removed.
    ///
    /// The input must have sorted edges and sites and no duplicate sites, no
    /// edge metadata and no migrations. On failure the tables are unchanged.
    ///
    /// Uses the default thread count ([`crate::parallel::default_threads`]).
    pub fn simplify(&mut self, samples: Option<&[Id]>, options: u32) -> Result<Vec<Id>> {
        self.simplify_with(samples, options, crate::parallel::default_threads())
    }

    /// [`TableCollection::simplify`] with `threads` threads. Large inputs
    /// are cut into pieces of the genome that are merged in parallel (see
    /// `pieces.rs`); the output is the same for every thread count.
    pub fn simplify_with(&mut self, samples: Option<&[Id]>, options: u32, threads: usize) -> Result<Vec<Id>> {
        let num_pieces = pieces::num_pieces(self, options, threads);
        self.simplify_impl(samples, options, threads, num_pieces)
    }

    /// Simplifies sequentially when `num_pieces` is 0, else with the genome
    /// cut into (at most) `num_pieces` pieces merged on `threads` threads.
    pub(crate) fn simplify_impl(
        &mut self,
        samples: Option<&[Id]>,
        options: u32,
        threads: usize,
        num_pieces: usize,
    ) -> Result<Vec<Id>> {
        if options & !ALL_OPTIONS != 0 {
            fail!(Error::BadOptions, "simplify: {:#x}", options & !ALL_OPTIONS);
        }
        if options & KEEP_UNARY != 0 && options & KEEP_UNARY_IN_INDIVIDUALS != 0 {
            fail!(
                Error::KeepUnaryMutuallyExclusive,
                "simplify: KEEP_UNARY and KEEP_UNARY_IN_INDIVIDUALS cannot both be given"
            );
        }
        if !self.edges.metadata.data().is_empty() {
            fail!(
                Error::CantProcessEdgesWithMetadata,
                "simplify: the edge table has metadata"
            );
        }
        let flagged: Vec<Id>;
        let samples = match samples {
            Some(s) => s,
            None => {
                let flags = &self.nodes.flags;
                let n = flags.iter().filter(|&&f| f & NODE_IS_SAMPLE != 0).count();
                let mut v = alloc::with_capacity(n, "the sample list")?;
                v.extend(
                    (0..flags.len())
                        .filter(|&u| flags[u] & NODE_IS_SAMPLE != 0)
                        .map(|u| u as Id),
                );
                flagged = v;
                &flagged
            }
        };
        self.check_integrity(check::CHECK_EDGE_ORDERING | check::CHECK_SITE_ORDERING | check::CHECK_SITE_DUPLICATES)?;

        let num_nodes = self.nodes.flags.len();
        let mut is_sample = alloc::filled(num_nodes, false, "simplify's sample flags")?;
        for (j, &u) in samples.iter().enumerate() {
            if u < 0 || u as usize >= num_nodes {
                fail!(
                    Error::NodeOutOfBounds,
                    "simplify: sample {j} is node {u}, out of range (there are {num_nodes} nodes)"
                );
            }
            if is_sample[u as usize] {
                fail!(Error::DuplicateSample, "simplify: node {u} is listed twice as a sample");
            }
            is_sample[u as usize] = true;
        }
        if !self.migrations.left.is_empty() {
            fail!(
                Error::SimplifyMigrationsNotSupported,
                "simplify: the migration table has {} rows",
                self.migrations.left.len()
            );
        }

        let s = Simplifier::new(self, samples, is_sample, options)?;
        let (out, node_map) = if num_pieces == 0 || options & REDUCE_TO_SITE_TOPOLOGY != 0 {
            let mut s = s;
            s.run(samples)?;
            s.finish()?
        } else {
            pieces::run(s, samples, threads, num_pieces)?
        };
        *self = out;
        Ok(node_map)
    }
}

/// Per-node lists of mutation ids, in compressed form, and the mutations'
/// positions.
struct NodeMutations {
    start: Vec<u32>,
    ids: Vec<u32>,
    position: Vec<f64>,
}

impl NodeMutations {
    fn new(input: &TableCollection) -> Result<Self> {
        let what = "simplify's mutations by node";
        let num_nodes = input.nodes.flags.len();
        let node = &input.mutations.node;
        let position = alloc::collect(
            input.mutations.site.iter().map(|&s| input.sites.position[s as usize]),
            "simplify's mutation positions",
        )?;
        let mut start: Vec<u32> = alloc::zeroed(num_nodes + 1, what)?;
        for &u in node {
            start[u as usize + 1] += 1;
        }
        for j in 0..num_nodes {
            start[j + 1] += start[j];
        }
        let mut fill = alloc::copy(&start, what)?;
        let mut ids: Vec<u32> = alloc::zeroed(node.len(), what)?;
        for (m, &u) in node.iter().enumerate() {
            ids[fill[u as usize] as usize] = m as u32;
            fill[u as usize] += 1;
        }
        Ok(NodeMutations { start, ids, position })
    }

    /// The mutations above input node `u` inside `[left, right)`.
    fn within(&self, u: usize, left: f64, right: f64) -> impl Iterator<Item = u32> + '_ {
        let ids = &self.ids[self.start[u] as usize..self.start[u + 1] as usize];
        ids.iter().copied().filter(move |&m| {
            let x = self.position[m as usize];
            left <= x && x < right
        })
    }
}

struct Simplifier<'a> {
    input: &'a TableCollection,
    out: TableCollection,
    options: u32,
    filter_nodes: bool,
    is_sample: Vec<bool>,
    node_id_map: Vec<Id>,
    /// Edges of the current parent: (child, left, right), in the order found.
    buffered: Vec<(Id, f64, f64)>,
    node_mutations: NodeMutations,
    mutation_node_map: Vec<Id>,
    /// For REDUCE_TO_SITE_TOPOLOGY: 0, the site positions, L.
    position_lookup: Vec<f64>,
    /// KEEP_INPUT_ROOTS: the time of the youngest input root kept.
    youngest_root_time: f64,
    edge_sort_offset: Option<usize>,
}

impl<'a> Simplifier<'a> {
    /// Sets up the output tables and the output node map (the samples'
    /// nodes); the merge is done by [`Simplifier::run`] or piece-wise.
    fn new(input: &'a TableCollection, samples: &[Id], is_sample: Vec<bool>, options: u32) -> Result<Self> {
        let filter_nodes = options & NO_FILTER_NODES == 0;
        let update_flags = options & NO_UPDATE_SAMPLE_FLAGS == 0;
        let num_nodes = input.nodes.flags.len();
        let out = output_start(input, options)?;
        let mut position_lookup = Vec::new();
        if options & REDUCE_TO_SITE_TOPOLOGY != 0 {
            alloc::reserve_exact(
                &mut position_lookup,
                input.sites.position.len() + 2,
                "simplify's site positions",
            )?;
            position_lookup.push(0.0);
            position_lookup.extend_from_slice(&input.sites.position);
            position_lookup.push(input.sequence_length);
        }
        let mut s = Simplifier {
            input,
            out,
            options,
            filter_nodes,
            is_sample,
            node_id_map: alloc::filled(num_nodes, NULL, "simplify's node map")?,
            buffered: Vec::new(),
            node_mutations: NodeMutations::new(input)?,
            mutation_node_map: alloc::filled(input.mutations.site.len(), NULL, "simplify's mutation map")?,
            position_lookup,
            youngest_root_time: f64::MAX,
            edge_sort_offset: None,
        };
        if filter_nodes {
            for &u in samples {
                s.record_node(u as usize)?;
            }
        } else {
            if update_flags {
                for (j, f) in s.out.nodes.flags.iter_mut().enumerate() {
                    *f &= !NODE_IS_SAMPLE;
                    if s.is_sample[j] {
                        *f |= NODE_IS_SAMPLE;
                    }
                }
            }
            for (j, id) in s.node_id_map.iter_mut().enumerate() {
                *id = j as Id;
            }
        }
        Ok(s)
    }

    /// Whether input node `u` is kept where it is unary: KEEP_UNARY, or
    /// KEEP_UNARY_IN_INDIVIDUALS and `u` belongs to an individual.
    fn keeps_unary(&self, u: usize) -> bool {
        self.options & KEEP_UNARY != 0
            || (self.options & KEEP_UNARY_IN_INDIVIDUALS != 0 && self.input.nodes.individual[u] != NULL)
    }

    /// Adds an output node copied from input node `u`, with the sample flag
    /// set from the sample list unless NO_UPDATE_SAMPLE_FLAGS.
    fn record_node(&mut self, u: usize) -> Result<Id> {
        let n = &self.input.nodes;
        let mut flags = n.flags[u];
        if self.options & NO_UPDATE_SAMPLE_FLAGS == 0 {
            flags &= !NODE_IS_SAMPLE;
            if self.is_sample[u] {
                flags |= NODE_IS_SAMPLE;
            }
        }
        let t = &mut self.out.nodes;
        let id = t.flags.len() as Id;
        // Into the output tables, which replace the input only on success:
        // a failure part way leaves nothing to undo.
        alloc::push(t.flags.make_mut(), flags, "nodes/flags")?;
        alloc::push(t.time.make_mut(), n.time[u], "nodes/time")?;
        alloc::push(t.population.make_mut(), n.population[u], "nodes/population")?;
        alloc::push(t.individual.make_mut(), n.individual[u], "nodes/individual")?;
        t.metadata.try_push(n.metadata.row(u), "nodes/metadata")?;
        self.node_id_map[u] = id;
        Ok(id)
    }

    /// Removes the output node just recorded for input node `u`.
    fn rewind_node(&mut self, u: usize, id: Id) {
        self.node_id_map[u] = NULL;
        let t = &mut self.out.nodes;
        let n = id as usize;
        t.flags.truncate(n);
        t.time.truncate(n);
        t.population.truncate(n);
        t.individual.truncate(n);
        t.metadata.truncate(n);
    }

    /// The smallest index of `position_lookup` whose value is >= `x`, found
    /// the way tskit finds it, so that ties resolve identically.
    fn search_sorted(&self, x: f64) -> usize {
        let a = &self.position_lookup;
        let (mut lower, mut upper) = (0usize, a.len());
        if upper == 0 {
            return 0;
        }
        while upper - lower > 1 {
            let mid = (upper + lower) / 2;
            if x >= a[mid] {
                lower = mid;
            } else {
                upper = mid;
            }
        }
        lower + (a[lower] < x) as usize
    }

    /// Buffers an edge from the current parent to `child`. With
    /// REDUCE_TO_SITE_TOPOLOGY both ends slide right to the next site (the
    /// left end back to 0 from the first site), and an edge that then
    /// covers no site is dropped.
    fn record_edge(&mut self, mut left: f64, mut right: f64, child: Id) -> Result<()> {
        if self.options & REDUCE_TO_SITE_TOPOLOGY != 0 {
            let mut li = self.search_sorted(left);
            let ri = self.search_sorted(right);
            if li == ri || (li == 0 && ri == 1) {
                return Ok(());
            }
            if li == 1 {
                li = 0;
            }
            left = self.position_lookup[li];
            right = self.position_lookup[ri];
        }
        alloc::push(&mut self.buffered, (child, left, right), "simplify's edge buffer")
    }

    /// Writes the buffered edges of `parent`, by child id and then left,
    /// joining abutting intervals of the same child. Returns how many.
    fn flush_edges(&mut self, parent: Id) -> Result<usize> {
        // Each child's intervals were found left to right and are disjoint,
        // so ordering by (child, left) is the stable order by child, without
        // the buffer a stable sort allocates.
        self.buffered
            .sort_unstable_by(|a, b| a.0.cmp(&b.0).then(overlap::cmp_f64(a.1, b.1)));
        let edges = &mut self.out.edges;
        let b = &self.buffered;
        let mut count = 0;
        let mut i = 0;
        while i < b.len() {
            let (child, left, mut right) = b[i];
            i += 1;
            while i < b.len() && b[i].0 == child && b[i].1 == right {
                right = b[i].2;
                i += 1;
            }
            alloc::push(edges.left.make_mut(), left, "edges/left")?;
            alloc::push(edges.right.make_mut(), right, "edges/right")?;
            alloc::push(edges.parent.make_mut(), parent, "edges/parent")?;
            alloc::push(edges.child.make_mut(), child, "edges/child")?;
            edges.metadata.try_push(&[], "edges/metadata")?;
            count += 1;
        }
        self.buffered.clear();
        Ok(count)
    }

    /// Points the mutations above input node `u` in `[left, right)` at `id`.
    fn map_mutations(&mut self, u: usize, left: f64, right: f64, id: Id) {
        for m in self.node_mutations.within(u, left, right) {
            self.mutation_node_map[m as usize] = id;
        }
    }

    /// Merges every parent's children over the whole genome, in the order
    /// of the edges (youngest parent first), writing the output as it goes;
    /// then keeps the input roots if asked.
    fn run(&mut self, samples: &[Id]) -> Result<()> {
        let input = self.input;
        let edges = &input.edges;
        let seq_len = input.sequence_length;
        // Each edge adds about one segment to its parent's ancestry.
        let mut m = Merge::new(input.nodes.flags.len(), edges.left.len() + samples.len())?;
        for &u in samples {
            m.add_sample(self, u as usize, 0.0, seq_len)?;
        }
        for (parent, rows) in parent_runs(&edges.parent) {
            for j in rows {
                let child = edges.child[j] as usize;
                m.ancestry.extract(child, edges.left[j], edges.right[j], &mut m.queue)?;
            }
            let u = parent as usize;
            let (is_sample, keep_unary) = (self.is_sample[u], self.keeps_unary(u));
            let output_id = m.merge(self, u, is_sample, keep_unary, 0.0, seq_len)?;
            self.end_parent(u, output_id)?;
        }
        if self.options & KEEP_INPUT_ROOTS != 0 {
            m.input_roots(self)?;
            self.set_root_edge_offset();
        }
        Ok(())
    }

    /// Ends parent `u`, whose output id is `output_id` (or `NULL`): writes
    /// its buffered edges, and removes the output node again if it got no
    /// edges and is no sample (unless nodes are not filtered).
    fn end_parent(&mut self, u: usize, output_id: Id) -> Result<()> {
        if output_id == NULL {
            debug_assert!(self.buffered.is_empty());
            return Ok(());
        }
        let n = self.flush_edges(output_id)?;
        if self.filter_nodes && n == 0 && !self.is_sample[u] {
            self.rewind_node(u, output_id);
        }
        Ok(())
    }

    /// After the input roots' edges: the edges to sort in `finish` are those
    /// from the first whose parent is no younger than the youngest root.
    fn set_root_edge_offset(&mut self) {
        let youngest_root_time = self.youngest_root_time;
        if youngest_root_time != f64::MAX {
            let e = &self.out.edges;
            let time = &self.out.nodes.time;
            let offset = (0..e.parent.len())
                .find(|&j| time[e.parent[j] as usize] >= youngest_root_time)
                .unwrap_or(e.parent.len());
            self.edge_sort_offset = Some(offset);
        }
    }

    /// Writes sites, mutations, populations and individuals, sorts the
    /// edges added for the input roots, and returns the tables and node map.
    fn finish(mut self) -> Result<(TableCollection, Vec<Id>)> {
        self.output_sites()?;
        if self.options & FILTER_POPULATIONS != 0 {
            self.filter_populations()?;
        }
        if self.options & FILTER_INDIVIDUALS != 0 {
            self.filter_individuals()?;
        }
        if let Some(offset) = self.edge_sort_offset {
            sort_edges_from(&mut self.out, offset)?;
        }
        for kind in crate::tables::TableKind::ALL {
            if self.out.num_rows(kind) > crate::tables::MAX_ROWS {
                fail!(
                    Error::TableOverflow,
                    "simplify: the output {} table is too large",
                    kind.name()
                );
            }
        }
        Ok((self.out, self.node_id_map))
    }

    fn output_sites(&mut self) -> Result<()> {
        let input = self.input;
        let (sites, muts) = (&input.sites, &input.mutations);
        let num_sites = sites.position.len();
        let mut referenced = alloc::filled(num_sites, false, "simplify's site flags")?;
        for (m, &id) in self.mutation_node_map.iter().enumerate() {
            if id != NULL {
                referenced[muts.site[m] as usize] = true;
            }
        }
        let mut site_map: Vec<Id> = alloc::collect(0..num_sites as Id, "simplify's site map")?;
        if self.options & FILTER_SITES != 0 {
            let t = &mut self.out.sites;
            for j in 0..num_sites {
                site_map[j] = NULL;
                if referenced[j] {
                    site_map[j] = t.position.len() as Id;
                    alloc::push(t.position.make_mut(), sites.position[j], "sites/position")?;
                    t.ancestral_state
                        .try_push(sites.ancestral_state.row(j), "sites/ancestral_state")?;
                    t.metadata.try_push(sites.metadata.row(j), "sites/metadata")?;
                }
            }
        }
        let mut mutation_map = alloc::filled(muts.site.len(), NULL, "simplify's mutation map")?;
        let t = &mut self.out.mutations;
        for (m, &node) in self.mutation_node_map.iter().enumerate() {
            if node == NULL {
                continue;
            }
            let parent = match muts.parent[m] {
                NULL => NULL,
                p => mutation_map[p as usize],
            };
            mutation_map[m] = t.site.len() as Id;
            alloc::push(t.site.make_mut(), site_map[muts.site[m] as usize], "mutations/site")?;
            alloc::push(t.node.make_mut(), node, "mutations/node")?;
            alloc::push(t.parent.make_mut(), parent, "mutations/parent")?;
            alloc::push(t.time.make_mut(), muts.time[m], "mutations/time")?;
            t.derived_state
                .try_push(muts.derived_state.row(m), "mutations/derived_state")?;
            t.metadata.try_push(muts.metadata.row(m), "mutations/metadata")?;
        }
        Ok(())
    }

    fn filter_populations(&mut self) -> Result<()> {
        let input = &self.input.populations;
        let num = input.metadata.num_rows();
        let mut referenced = alloc::filled(num, false, "simplify's population flags")?;
        for &p in &self.out.nodes.population {
            if p != NULL {
                referenced[p as usize] = true;
            }
        }
        let mut map = alloc::filled(num, NULL, "simplify's population map")?;
        let t = &mut self.out.populations;
        for j in 0..num {
            if referenced[j] {
                map[j] = t.metadata.num_rows() as Id;
                t.metadata.try_push(input.metadata.row(j), "populations/metadata")?;
            }
        }
        for p in self.out.nodes.population.iter_mut() {
            if *p != NULL {
                *p = map[*p as usize];
            }
        }
        Ok(())
    }

    fn filter_individuals(&mut self) -> Result<()> {
        let input = &self.input.individuals;
        let num = input.flags.len();
        let mut referenced = alloc::filled(num, false, "simplify's individual flags")?;
        for &i in &self.out.nodes.individual {
            if i != NULL {
                referenced[i as usize] = true;
            }
        }
        let mut map = alloc::filled(num, NULL, "simplify's individual map")?;
        let mut kept = alloc::with_capacity(referenced.iter().filter(|&&r| r).count(), "simplify's individuals kept")?;
        for j in 0..num {
            if referenced[j] {
                map[j] = kept.len() as Id;
                kept.push(j);
            }
        }
        let t = &mut self.out.individuals;
        let mut parents = Vec::new();
        for &j in &kept {
            alloc::push(t.flags.make_mut(), input.flags[j], "individuals/flags")?;
            t.location.try_push(input.location.row(j), "individuals/location")?;
            // Parents are renumbered too; one not kept becomes NULL.
            parents.clear();
            alloc::extend(
                &mut parents,
                input
                    .parents
                    .row(j)
                    .iter()
                    .map(|&p| if p == NULL { NULL } else { map[p as usize] }),
                "individuals/parents",
            )?;
            t.parents.try_push(&parents, "individuals/parents")?;
            t.metadata.try_push(input.metadata.row(j), "individuals/metadata")?;
        }
        for i in self.out.nodes.individual.iter_mut() {
            if *i != NULL {
                *i = map[*i as usize];
            }
        }
        Ok(())
    }
}

/// The sequential merge writes the output as it goes: a node's output id
/// is made the first time it needs one, edges are buffered until its merge
/// ends, mutations get their output node.
impl MergeSink for Simplifier<'_> {
    fn label(&self, u: usize) -> Id {
        self.node_id_map[u]
    }

    fn node(&mut self, u: usize, label: Id) -> Result<Id> {
        if label == NULL {
            self.record_node(u)
        } else {
            Ok(label)
        }
    }

    fn edge(&mut self, left: f64, right: f64, child: Id) -> Result<()> {
        self.record_edge(left, right, child)
    }

    fn mutations(&mut self, u: usize, left: f64, right: f64, label: Id) -> Result<()> {
        self.map_mutations(u, left, right, label);
        Ok(())
    }

    fn begin_root(&mut self, u: usize) -> Result<Id> {
        let id = self.node(u, self.node_id_map[u])?;
        self.youngest_root_time = self.youngest_root_time.min(self.out.nodes.time[id as usize]);
        Ok(id)
    }

    fn end_root(&mut self, _u: usize, label: Id) -> Result<()> {
        self.flush_edges(label)?;
        Ok(())
    }
}

/// The runs of consecutive edges with the same parent, in order: each
/// parent with the range of its edge rows.
fn parent_runs(parent: &[Id]) -> impl Iterator<Item = (Id, std::ops::Range<usize>)> + '_ {
    let mut start = 0;
    std::iter::from_fn(move || {
        let &p = parent.get(start)?;
        let end = start + parent[start..].iter().take_while(|&&q| q == p).count();
        let rows = start..end;
        start = end;
        Some((p, rows))
    })
}

/// The output tables before simplification adds to them: the collection's
/// own fields and the provenances as they are, each table that the options
/// do not filter as it is, and the others empty (keeping their schemas).
fn output_start(input: &TableCollection, options: u32) -> Result<TableCollection> {
    let keep = |bit: u32| options & bit == 0;
    let i = input;
    let c = |v: &Vec<u8>, what: &str| alloc::copy(v, what);
    Ok(TableCollection {
        sequence_length: i.sequence_length,
        time_units: c(&i.time_units, "time_units")?,
        metadata: c(&i.metadata, "metadata")?,
        metadata_schema: c(&i.metadata_schema, "metadata_schema")?,
        reference_sequence: i.reference_sequence.try_clone()?,
        individuals: if keep(FILTER_INDIVIDUALS) {
            i.individuals.try_clone()?
        } else {
            IndividualTable {
                metadata_schema: c(&i.individuals.metadata_schema, "individuals/metadata_schema")?,
                ..Default::default()
            }
        },
        nodes: if options & NO_FILTER_NODES != 0 {
            i.nodes.try_clone()?
        } else {
            NodeTable {
                metadata_schema: c(&i.nodes.metadata_schema, "nodes/metadata_schema")?,
                ..Default::default()
            }
        },
        edges: EdgeTable {
            metadata_schema: c(&i.edges.metadata_schema, "edges/metadata_schema")?,
            ..Default::default()
        },
        migrations: MigrationTable {
            metadata_schema: c(&i.migrations.metadata_schema, "migrations/metadata_schema")?,
            ..Default::default()
        },
        sites: if keep(FILTER_SITES) {
            i.sites.try_clone()?
        } else {
            SiteTable {
                metadata_schema: c(&i.sites.metadata_schema, "sites/metadata_schema")?,
                ..Default::default()
            }
        },
        mutations: MutationTable {
            metadata_schema: c(&i.mutations.metadata_schema, "mutations/metadata_schema")?,
            ..Default::default()
        },
        populations: if keep(FILTER_POPULATIONS) {
            i.populations.try_clone()?
        } else {
            PopulationTable {
                metadata_schema: c(&i.populations.metadata_schema, "populations/metadata_schema")?,
                ..Default::default()
            }
        },
        provenances: i.provenances.try_clone()?,
        indexes: None,
    })
}

/// Sorts the edges from `start` on by (parent time, parent, child, left),
/// as tskit's table sort does. Simplify's edges carry no metadata and no two
/// share parent, child and left, so the order is total.
fn sort_edges_from(t: &mut TableCollection, start: usize) -> Result<()> {
    let e = &mut t.edges;
    let time = &t.nodes.time;
    let n = e.left.len();
    let mut rows: Vec<(f64, Id, Id, f64, f64)> = alloc::collect(
        (start..n).map(|j| {
            (
                time[e.parent[j] as usize],
                e.parent[j],
                e.child[j],
                e.left[j],
                e.right[j],
            )
        }),
        "simplify's root edge sort",
    )?;
    rows.sort_unstable_by(|a, b| {
        overlap::cmp_f64(a.0, b.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(overlap::cmp_f64(a.3, b.3))
    });
    for (k, r) in rows.into_iter().enumerate() {
        let j = start + k;
        e.parent[j] = r.1;
        e.child[j] = r.2;
        e.left[j] = r.3;
        e.right[j] = r.4;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
