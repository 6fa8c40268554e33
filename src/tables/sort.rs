//! Sorting into tskit's canonical order, and the operations that need a
//! sorted collection (site deduplication).
//!
//! Every permutation is computed before any column changes, so a sort that
//! fails leaves the tables as they were. The sort keys end in the row id, so
//! the order is total and the result is the same for every thread count.

use std::cmp::Ordering;

use rayon::prelude::*;

use super::integrity::is_unknown_time;
use super::{check, fcmp, Id, TableCollection, NULL};
use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::parallel::{self, join};

/// Sort options, with tskit's values.
pub mod sort_options {
    /// Skip the integrity check that normally comes first. The references
    /// sort follows (edge parents, mutation sites, nodes and parents) are
    /// still checked: a bad one is an error, not undefined behaviour.
    pub const NO_CHECK_INTEGRITY: u32 = 1 << 29;
    pub const ALL: u32 = NO_CHECK_INTEGRITY;
}

/// Below this many rows a gather is done on the calling thread.
const PARALLEL_GATHER_MIN: usize = 1 << 16;

/// `out[j] = v[order[j]]`.
pub(crate) fn gather<T: Copy + Send + Sync + bytemuck::Zeroable>(
    par: bool,
    v: &[T],
    order: &[u32],
    what: &str,
) -> Result<Vec<T>> {
    let mut out = alloc::zeroed(order.len(), what)?;
    if !par || order.len() < PARALLEL_GATHER_MIN {
        for (o, &k) in out.iter_mut().zip(order) {
            *o = v[k as usize];
        }
    } else {
        out.par_iter_mut()
            .zip(order.par_iter())
            .with_min_len(1 << 14)
            .for_each(|(o, &k)| *o = v[k as usize]);
    }
    Ok(out)
}

struct MigrationKey {
    time: f64,
    left: f64,
    source: Id,
    dest: Id,
    node: Id,
    id: u32,
}

struct MutationKey {
    site: Id,
    node: Id,
    time: f64,
    node_time: f64,
    num_descendants: u32,
    id: u32,
}

fn cmp_mutation(a: &MutationKey, b: &MutationKey) -> Ordering {
    a.site
        .cmp(&b.site)
        .then_with(|| {
            if !is_unknown_time(a.time) && !is_unknown_time(b.time) {
                fcmp(b.time, a.time)
            } else {
                Ordering::Equal
            }
        })
        .then_with(|| fcmp(b.node_time, a.node_time))
        .then_with(|| b.num_descendants.cmp(&a.num_descendants))
        .then_with(|| a.node.cmp(&b.node))
        .then_with(|| a.id.cmp(&b.id))
}

impl TableCollection {
    /// Sorts with the default thread count.
    pub fn sort(&mut self, edge_start: usize, options: u32) -> Result<()> {
        self.sort_with(edge_start, options, parallel::default_threads())
    }

    /// Sorts into tskit's order: edges from `edge_start` on by (parent time,
    /// parent, child, left); migrations by (time, source, dest, left, node);
    /// sites by position (then id); mutations by site, known time (older
    /// first), node time (older first), number of descendant mutations
    /// (more first), node, id. Individuals are not reordered. The edge
    /// indexes are dropped.
    pub fn sort_with(&mut self, edge_start: usize, options: u32, threads: usize) -> Result<()> {
        if options & !sort_options::ALL != 0 {
            fail!(Error::BadOptions, "sort: {:#x}", options & !sort_options::ALL);
        }
        if options & sort_options::NO_CHECK_INTEGRITY == 0 {
            self.check_integrity(0)?;
        }
        let num_edges = self.edges.left.len();
        if edge_start > num_edges {
            fail!(
                Error::EdgeOutOfBounds,
                "sort: edge start {edge_start} is beyond the {num_edges} edges"
            );
        }
        if options & sort_options::NO_CHECK_INTEGRITY != 0 {
            self.check_sort_references(edge_start)?;
        }
        parallel::run(threads, || self.sort_in_pool(edge_start, threads > 1))?
    }

    /// The references sort follows as indexes, checked even when the
    /// caller skips the integrity check: tskit leaves a bad reference there
    /// undefined behaviour; here it is an error, never a panic.
    fn check_sort_references(&self, edge_start: usize) -> Result<()> {
        let in_range = |id: Id, n: usize| id >= 0 && (id as usize) < n;
        let num_nodes = self.nodes.time.len();
        let e = &self.edges;
        if let Some(j) = (edge_start..e.parent.len()).find(|&j| !in_range(e.parent[j], num_nodes)) {
            fail!(
                Error::NodeOutOfBounds,
                "sort: edge {j} has parent {} out of range",
                e.parent[j]
            );
        }
        let m = &self.mutations;
        let (num_sites, num_mutations) = (self.sites.position.len(), m.site.len());
        for j in 0..num_mutations {
            if !in_range(m.site[j], num_sites) {
                fail!(
                    Error::SiteOutOfBounds,
                    "sort: mutation {j} has site {} out of range",
                    m.site[j]
                );
            }
            if !in_range(m.node[j], num_nodes) {
                fail!(
                    Error::NodeOutOfBounds,
                    "sort: mutation {j} has node {} out of range",
                    m.node[j]
                );
            }
            if m.parent[j] != NULL && !in_range(m.parent[j], num_mutations) {
                fail!(
                    Error::MutationOutOfBounds,
                    "sort: mutation {j} has parent {} out of range",
                    m.parent[j]
                );
            }
        }
        Ok(())
    }

    fn sort_in_pool(&mut self, edge_start: usize, par: bool) -> Result<()> {
        // Work out every permutation first: the mutation order can fail.
        let (edge_order, (migration_order, site_mutation)) = join(
            par,
            || self.edge_order(edge_start, par),
            || join(par, || self.migration_order(par), || self.site_and_mutation_order(par)),
        );
        let (edge_order, migration_order) = (edge_order?, migration_order?);
        let (site_order, site_map, mutation_order) = site_mutation?;
        // Then every new column, so that a failure (out of memory) leaves
        // the tables as they were; they change only once all are made.
        type Edges = (Vec<f64>, Vec<f64>, Vec<Id>, Vec<Id>, super::Ragged<u8>);
        let new_edges = |e: &super::EdgeTable| -> Result<Option<Edges>> {
            let Some(order) = &edge_order else { return Ok(None) };
            let ((left, right), (parent, (child, metadata))) = join(
                par,
                || {
                    join(
                        par,
                        || gather(par, &e.left, order, "edges/left"),
                        || gather(par, &e.right, order, "edges/right"),
                    )
                },
                || {
                    join(
                        par,
                        || gather(par, &e.parent, order, "edges/parent"),
                        || {
                            join(
                                par,
                                || gather(par, &e.child, order, "edges/child"),
                                || e.metadata.gather(order, "edges/metadata"),
                            )
                        },
                    )
                },
            );
            Ok(Some((left?, right?, parent?, child?, metadata?)))
        };
        let new_migrations = |m: &super::MigrationTable| -> Result<Option<super::MigrationTable>> {
            let Some(order) = &migration_order else { return Ok(None) };
            m.gather(par, order).map(Some)
        };
        let new_sites = |s: &super::SiteTable| s.gather(par, &site_order);
        let new_mutations = |m: &super::MutationTable| -> Result<super::MutationTable> {
            let order = &mutation_order;
            let mut inverse = alloc::zeroed::<Id>(order.len(), "the inverse mutation order")?;
            for (j, &k) in order.iter().enumerate() {
                inverse[k as usize] = j as Id;
            }
            let site = alloc::collect(
                order.iter().map(|&k| site_map[m.site[k as usize] as usize]),
                "mutations/site",
            )?;
            let parent = alloc::collect(
                order.iter().map(|&k| match m.parent[k as usize] {
                    NULL => NULL,
                    p => inverse[p as usize],
                }),
                "mutations/parent",
            )?;
            drop(inverse);
            Ok(super::MutationTable {
                site: site.into(),
                node: gather(par, &m.node, order, "mutations/node")?.into(),
                parent: parent.into(),
                time: gather(par, &m.time, order, "mutations/time")?.into(),
                derived_state: m.derived_state.gather(order, "mutations/derived_state")?,
                metadata: m.metadata.gather(order, "mutations/metadata")?,
                metadata_schema: Vec::new(),
            })
        };
        let (edges, (migrations, (sites, mutations))) = join(
            par,
            || new_edges(&self.edges),
            || {
                join(
                    par,
                    || new_migrations(&self.migrations),
                    || join(par, || new_sites(&self.sites), || new_mutations(&self.mutations)),
                )
            },
        );
        let (edges, migrations, sites, mutations) = (edges?, migrations?, sites?, mutations?);
        self.indexes = None;
        if let Some((left, right, parent, child, metadata)) = edges {
            let e = &mut self.edges;
            (e.left, e.right, e.parent, e.child, e.metadata) =
                (left.into(), right.into(), parent.into(), child.into(), metadata);
        }
        let keep_schema = |schema: &mut Vec<u8>| std::mem::take(schema);
        if let Some(mut m) = migrations {
            m.metadata_schema = keep_schema(&mut self.migrations.metadata_schema);
            self.migrations = m;
        }
        let mut sites = sites;
        sites.metadata_schema = keep_schema(&mut self.sites.metadata_schema);
        self.sites = sites;
        let mut mutations = mutations;
        mutations.metadata_schema = keep_schema(&mut self.mutations.metadata_schema);
        self.mutations = mutations;
        Ok(())
    }

    /// The new order of the edges, `None` when nothing moves.
    ///
    /// The order is by (parent time, parent, child, left, id). Rather than
    /// comparing 2.7 million wide keys, the parents are ranked by (time, id)
    /// once, the edges are put into per-parent buckets by a counting sort
    /// (stable, so each bucket is in id order), and each bucket, usually a
    /// handful of edges, is sorted by (child, left, id). That is the same
    /// total order, so the result is the same as one comparison sort.
    fn edge_order(&self, start: usize, par: bool) -> Result<Option<Vec<u32>>> {
        let e = &self.edges;
        let time = &self.nodes.time;
        let n = e.left.len();
        if start >= n {
            return Ok(None);
        }
        let num_nodes = time.len();
        // Rank of each node by (time, id), only for nodes that are parents.
        let mut is_parent = alloc::filled(num_nodes, false, "the sort's parent flags")?;
        for &p in &e.parent[start..] {
            is_parent[p as usize] = true;
        }
        let num_parents = is_parent.iter().filter(|&&p| p).count();
        let mut parents: Vec<(f64, u32)> = alloc::with_capacity(num_parents, "the sort's parent keys")?;
        parents.extend((0..num_nodes).filter(|&u| is_parent[u]).map(|u| (time[u], u as u32)));
        drop(is_parent);
        sort_keys(par, &mut parents, |a, b| fcmp(a.0, b.0).then(a.1.cmp(&b.1)));
        let mut rank: Vec<u32> = alloc::zeroed(num_nodes, "the sort's parent ranks")?;
        for (r, &(_, u)) in parents.iter().enumerate() {
            rank[u as usize] = r as u32;
        }
        // Counting sort of the edges by their parent's rank.
        let mut bucket_start: Vec<usize> = alloc::zeroed(parents.len() + 1, "the sort's buckets")?;
        for &p in &e.parent[start..] {
            bucket_start[rank[p as usize] as usize + 1] += 1;
        }
        for r in 0..parents.len() {
            bucket_start[r + 1] += bucket_start[r];
        }
        let mut order: Vec<u32> = alloc::zeroed(n - start, "the edge order")?;
        let mut next = alloc::copy(&bucket_start, "the sort's buckets")?;
        for j in start..n {
            let r = rank[e.parent[j] as usize] as usize;
            order[next[r]] = j as u32;
            next[r] += 1;
        }
        // Within a bucket: by (child, left, id). The keys are gathered once
        // in bucket order, so the small sorts read contiguous memory.
        let (child, left) = (&e.child, &e.left);
        drop(next);
        drop(rank);
        let mut keys: Vec<(Id, f64, u32)> = alloc::collect(
            order.iter().map(|&k| (child[k as usize], left[k as usize], k)),
            "the edge sort keys",
        )?;
        let sort_bucket = |b: &mut [(Id, f64, u32)]| {
            if b.len() > 1 {
                b.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(fcmp(x.1, y.1)).then(x.2.cmp(&y.2)));
            }
        };
        let mut buckets = alloc::with_capacity(parents.len(), "the sort's buckets")?;
        let mut rest: &mut [(Id, f64, u32)] = &mut keys;
        for r in 0..parents.len() {
            let (b, tail) = rest.split_at_mut(bucket_start[r + 1] - bucket_start[r]);
            buckets.push(b);
            rest = tail;
        }
        if par && n - start >= 1 << 14 {
            buckets
                .par_iter_mut()
                .with_min_len(1 << 10)
                .for_each(|b| sort_bucket(b));
        } else {
            buckets.iter_mut().for_each(|b| sort_bucket(b));
        }
        drop(buckets);
        for (o, k) in order.iter_mut().zip(&keys) {
            *o = k.2;
        }
        drop(keys);
        if order.iter().enumerate().all(|(j, &k)| k as usize == start + j) {
            return Ok(None);
        }
        if start == 0 {
            return Ok(Some(order));
        }
        Ok(Some(alloc::collect((0..start as u32).chain(order), "the edge order")?))
    }

    fn migration_order(&self, par: bool) -> Result<Option<Vec<u32>>> {
        let m = &self.migrations;
        if m.left.is_empty() {
            return Ok(None);
        }
        let mut keys: Vec<MigrationKey> = alloc::collect(
            (0..m.left.len()).map(|j| MigrationKey {
                time: m.time[j],
                left: m.left[j],
                source: m.source[j],
                dest: m.dest[j],
                node: m.node[j],
                id: j as u32,
            }),
            "the migration sort keys",
        )?;
        sort_keys(par, &mut keys, |a, b| {
            fcmp(a.time, b.time)
                .then(a.source.cmp(&b.source))
                .then(a.dest.cmp(&b.dest))
                .then(fcmp(a.left, b.left))
                .then(a.node.cmp(&b.node))
                .then(a.id.cmp(&b.id))
        });
        Ok(Some(alloc::collect(keys.iter().map(|k| k.id), "the migration order")?))
    }

    /// The site order, the map from old to new site ids, and the mutation
    /// order (by the new site ids).
    fn site_and_mutation_order(&self, par: bool) -> Result<(Vec<u32>, Vec<Id>, Vec<u32>)> {
        let pos = &self.sites.position;
        let mut site_keys: Vec<(f64, u32)> = alloc::collect(
            pos.iter().enumerate().map(|(j, &x)| (x, j as u32)),
            "the site sort keys",
        )?;
        sort_keys(par, &mut site_keys, |a, b| fcmp(a.0, b.0).then(a.1.cmp(&b.1)));
        let site_order: Vec<u32> = alloc::collect(site_keys.iter().map(|k| k.1), "the site order")?;
        drop(site_keys);
        let mut site_map: Vec<Id> = alloc::zeroed(pos.len(), "the site map")?;
        for (j, &k) in site_order.iter().enumerate() {
            site_map[k as usize] = j as Id;
        }
        let m = &self.mutations;
        let n = m.site.len();
        let mut num_descendants: Vec<u32> = alloc::zeroed(n, "the mutation descendant counts")?;
        for j in 0..n {
            let mut p = m.parent[j];
            while p != NULL {
                let d = &mut num_descendants[p as usize];
                *d += 1;
                if *d as usize > n {
                    fail!(
                        Error::MutationParentInconsistent,
                        "the parents of mutation {j} form a cycle (through mutation {p})"
                    );
                }
                p = m.parent[p as usize];
            }
        }
        let node_time = &self.nodes.time;
        let mut keys: Vec<MutationKey> = alloc::collect(
            (0..n).map(|j| MutationKey {
                site: site_map[m.site[j] as usize],
                node: m.node[j],
                time: m.time[j],
                node_time: node_time[m.node[j] as usize],
                num_descendants: num_descendants[j],
                id: j as u32,
            }),
            "the mutation sort keys",
        )?;
        drop(num_descendants);
        sort_keys(par, &mut keys, cmp_mutation);
        let mutation_order = alloc::collect(keys.iter().map(|k| k.id), "the mutation order")?;
        Ok((site_order, site_map, mutation_order))
    }

    /// Removes sites at the same position as the site before them, keeping
    /// the first, and remaps the mutations (tskit's deduplicate_sites). The
    /// sites must be sorted.
    pub fn deduplicate_sites(&mut self) -> Result<()> {
        if self.sites.position.is_empty() {
            return Ok(());
        }
        self.check_integrity(check::SITE_ORDERING)?;
        let pos = &self.sites.position;
        let mut keep = alloc::with_capacity(pos.len(), "the sites kept")?;
        let mut map = alloc::with_capacity(pos.len(), "the site map")?;
        for j in 0..pos.len() {
            if j == 0 || pos[j] != pos[j - 1] {
                keep.push(j as u32);
            }
            map.push(keep.len() as Id - 1);
        }
        if keep.len() == pos.len() {
            return Ok(());
        }
        let mut sites = self.sites.gather(false, &keep)?;
        sites.metadata_schema = std::mem::take(&mut self.sites.metadata_schema);
        self.sites = sites;
        for x in self.mutations.site.iter_mut() {
            *x = map[*x as usize];
        }
        Ok(())
    }
}

/// Sorts in parallel (inside our pool) when `par` and the slice is large; the comparators are total orders, so the result is the
/// same either way.
fn sort_keys<T: Send>(par: bool, v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering + Sync) {
    if par && v.len() >= 1 << 14 {
        v.par_sort_unstable_by(cmp);
    } else {
        v.sort_unstable_by(cmp);
    }
}
