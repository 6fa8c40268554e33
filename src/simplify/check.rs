//! The input checks simplify needs, in tskit's order and with tskit's
//! errors: the basic reference checks of every table plus edge ordering,
//! site ordering and duplicate sites (tskit's `check_integrity` with
//! EDGE_ORDERING | SITE_ORDERING | SITE_DUPLICATES).
//!
//! This is a private stand-in until `TableCollection::check_integrity`
//! exists in the crate; then [`check_input`] becomes one call to it.

use crate::error::{fail, Error, Result};
use crate::tables::{TableCollection, NULL, UNKNOWN_TIME_BITS};

fn is_unknown_time(t: f64) -> bool {
    t.to_bits() == UNKNOWN_TIME_BITS
}

pub(crate) fn check_input(t: &TableCollection) -> Result<()> {
    let seq_len = t.sequence_length;
    if !(seq_len.is_finite() && seq_len > 0.0) {
        fail!(
            Error::BadSequenceLength,
            "sequence length must be positive and finite, got {seq_len}"
        );
    }
    let num_nodes = t.nodes.flags.len() as i64;
    let num_individuals = t.individuals.flags.len() as i64;
    let num_populations = t.populations.metadata.num_rows() as i64;
    let num_sites = t.sites.position.len() as i64;
    let num_mutations = t.mutations.site.len() as i64;
    let in_range = |id: i32, n: i64| (0..n).contains(&(id as i64));

    let nodes = &t.nodes;
    for j in 0..nodes.flags.len() {
        if !nodes.time[j].is_finite() {
            fail!(Error::TimeNonfinite, "node {j}: time is not finite");
        }
        let p = nodes.population[j];
        if p != NULL && !in_range(p, num_populations) {
            fail!(Error::PopulationOutOfBounds, "node {j}: population {p} out of range");
        }
        let i = nodes.individual[j];
        if i != NULL && !in_range(i, num_individuals) {
            fail!(Error::IndividualOutOfBounds, "node {j}: individual {i} out of range");
        }
    }

    let edges = &t.edges;
    let time = &nodes.time;
    let mut parent_seen = vec![false; num_nodes as usize];
    let (mut last_parent, mut last_child, mut last_left) = (0usize, 0i32, 0.0f64);
    for j in 0..edges.left.len() {
        let (parent, child) = (edges.parent[j], edges.child[j]);
        let (left, right) = (edges.left[j], edges.right[j]);
        if parent == NULL {
            fail!(Error::NullParent, "edge {j}: parent is null");
        }
        if !in_range(parent, num_nodes) {
            fail!(Error::NodeOutOfBounds, "edge {j}: parent {parent} out of range");
        }
        if child == NULL {
            fail!(Error::NullChild, "edge {j}: child is null");
        }
        if !in_range(child, num_nodes) {
            fail!(Error::NodeOutOfBounds, "edge {j}: child {child} out of range");
        }
        if !(left.is_finite() && right.is_finite()) {
            fail!(Error::GenomeCoordsNonfinite, "edge {j}: coordinates not finite");
        }
        if left < 0.0 {
            fail!(Error::LeftLessZero, "edge {j}: left {left} < 0");
        }
        if right > seq_len {
            fail!(
                Error::RightGreaterSeqLength,
                "edge {j}: right {right} > sequence length"
            );
        }
        if left >= right {
            fail!(Error::BadEdgeInterval, "edge {j}: left {left} >= right {right}");
        }
        let (p, c) = (parent as usize, child as usize);
        if time[c] >= time[p] {
            fail!(
                Error::BadNodeTimeOrdering,
                "edge {j}: child {child} is not younger than parent {parent}"
            );
        }
        if parent_seen[p] {
            fail!(
                Error::EdgesNoncontiguousParents,
                "edge {j}: edges of parent {parent} are not contiguous"
            );
        }
        if j > 0 {
            if time[p] < time[last_parent] {
                fail!(Error::EdgesNotSortedParentTime, "edge {j}: parent time decreases");
            }
            if time[p] == time[last_parent] {
                if p == last_parent {
                    if child < last_child {
                        fail!(Error::EdgesNotSortedChild, "edge {j}: child ids decrease");
                    }
                    if child == last_child {
                        if left == last_left {
                            fail!(Error::DuplicateEdges, "edge {j}: duplicate of edge {}", j - 1);
                        } else if left < last_left {
                            fail!(Error::EdgesNotSortedLeft, "edge {j}: left decreases");
                        }
                    }
                } else {
                    parent_seen[last_parent] = true;
                }
            }
        }
        last_parent = p;
        last_child = child;
        last_left = left;
    }

    let pos = &t.sites.position;
    for j in 0..pos.len() {
        let x = pos[j];
        if !x.is_finite() || x < 0.0 || x >= seq_len {
            fail!(Error::BadSitePosition, "site {j}: position {x} out of range");
        }
        if j > 0 {
            if pos[j - 1] == x {
                fail!(Error::DuplicateSitePosition, "site {j}: duplicate position {x}");
            }
            if pos[j - 1] > x {
                fail!(Error::UnsortedSites, "site {j}: positions decrease");
            }
        }
    }

    let m = &t.mutations;
    let (mut known, mut unknown) = (0usize, 0usize);
    for j in 0..m.site.len() {
        let (site, node, parent) = (m.site[j], m.node[j], m.parent[j]);
        if !in_range(site, num_sites) {
            fail!(Error::SiteOutOfBounds, "mutation {j}: site {site} out of range");
        }
        if !in_range(node, num_nodes) {
            fail!(Error::NodeOutOfBounds, "mutation {j}: node {node} out of range");
        }
        if parent != NULL && !in_range(parent, num_mutations) {
            fail!(Error::MutationOutOfBounds, "mutation {j}: parent {parent} out of range");
        }
        if parent == j as i32 {
            fail!(Error::MutationParentEqual, "mutation {j} is its own parent");
        }
        let mt = m.time[j];
        let unknown_time = is_unknown_time(mt);
        if !unknown_time {
            if !mt.is_finite() {
                fail!(Error::TimeNonfinite, "mutation {j}: time is not finite");
            }
            if mt < time[node as usize] {
                fail!(
                    Error::MutationTimeYoungerThanNode,
                    "mutation {j}: younger than node {node}"
                );
            }
        }
        if j > 0 && m.site[j - 1] != site {
            known = 0;
            unknown = 0;
        }
        if unknown_time {
            unknown += 1;
        } else {
            known += 1;
        }
        if known > 0 && unknown > 0 {
            fail!(
                Error::MutationTimeHasBothKnownAndUnknown,
                "mutation {j}: site {site} has known and unknown times"
            );
        }
        if parent != NULL {
            let pp = parent as usize;
            if m.site[pp] != site {
                fail!(
                    Error::MutationParentDifferentSite,
                    "mutation {j}: parent at another site"
                );
            }
            if !unknown_time && mt > m.time[pp] {
                fail!(
                    Error::MutationTimeOlderThanParentMutation,
                    "mutation {j}: older than its parent {parent}"
                );
            }
        }
    }

    let g = &t.migrations;
    for j in 0..g.left.len() {
        if !in_range(g.node[j], num_nodes) {
            fail!(Error::NodeOutOfBounds, "migration {j}: node out of range");
        }
        if !in_range(g.source[j], num_populations) || !in_range(g.dest[j], num_populations) {
            fail!(Error::PopulationOutOfBounds, "migration {j}: population out of range");
        }
        if !g.time[j].is_finite() {
            fail!(Error::TimeNonfinite, "migration {j}: time is not finite");
        }
        let (left, right) = (g.left[j], g.right[j]);
        if !(left.is_finite() && right.is_finite()) {
            fail!(Error::GenomeCoordsNonfinite, "migration {j}: coordinates not finite");
        }
        if left < 0.0 {
            fail!(Error::LeftLessZero, "migration {j}: left < 0");
        }
        if right > seq_len {
            fail!(Error::RightGreaterSeqLength, "migration {j}: right > sequence length");
        }
        if left >= right {
            fail!(Error::BadEdgeInterval, "migration {j}: left >= right");
        }
    }

    let ind = &t.individuals;
    for j in 0..ind.flags.len() {
        for &p in ind.parents.row(j) {
            if p != NULL && !in_range(p, num_individuals) {
                fail!(Error::IndividualOutOfBounds, "individual {j}: parent {p} out of range");
            }
            if p == j as i32 {
                fail!(Error::IndividualSelfParent, "individual {j} is its own parent");
            }
        }
    }
    Ok(())
}
