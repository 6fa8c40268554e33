//! Setting and appending whole columns at once: what simulators and
//! language bindings use instead of row-by-row calls. Everything is checked
//! before anything changes, so a rejected call leaves the table as it was.

use super::{check_offsets, Id, Ragged, TableCollection, TableKind, MAX_ROWS};
use crate::error::{fail, Error, Result};

/// A ragged input column: data plus `num_rows + 1` offsets starting at 0.
#[derive(Clone, Copy, Debug)]
pub struct RaggedIn<'a, T> {
    pub data: &'a [T],
    pub offset: &'a [u64],
}

impl<'a, T: Copy> RaggedIn<'a, T> {
    fn check(&self, num_rows: usize, what: &str) -> Result<()> {
        check_offsets(self.offset, num_rows, self.data.len(), what)
    }
}

fn check_len<T>(col: &[T], num_rows: usize, what: &str) -> Result<()> {
    if col.len() != num_rows {
        fail!(
            Error::ColumnLengthMismatch,
            "{what}: column has {} rows, expected {num_rows}",
            col.len()
        );
    }
    Ok(())
}

/// Checks an optional ragged column; a missing one means empty rows.
fn check_opt<T: Copy>(col: &Option<RaggedIn<'_, T>>, num_rows: usize, what: &str) -> Result<()> {
    match col {
        Some(c) => c.check(num_rows, what),
        None => Ok(()),
    }
}

fn put_ragged<T: Copy>(dst: &mut Ragged<T>, src: Option<RaggedIn<'_, T>>, num_rows: usize) {
    match src {
        Some(c) => dst.extend(c.data, c.offset),
        None => dst.extend_empty(num_rows),
    }
}

/// The number of values an optional ragged input column holds.
fn data_len<T>(col: &Option<RaggedIn<'_, T>>) -> usize {
    col.as_ref().map_or(0, |c| c.data.len())
}

fn put<T: Copy>(dst: &mut Vec<T>, src: Option<&[T]>, default: T, num_rows: usize) {
    match src {
        Some(c) => dst.extend_from_slice(c),
        None => dst.resize(dst.len() + num_rows, default),
    }
}

pub struct IndividualColumns<'a> {
    pub flags: &'a [u32],
    pub location: Option<RaggedIn<'a, f64>>,
    pub parents: Option<RaggedIn<'a, Id>>,
    pub metadata: Option<RaggedIn<'a, u8>>,
}

pub struct NodeColumns<'a> {
    pub flags: &'a [u32],
    pub time: &'a [f64],
    pub population: Option<&'a [Id]>,
    pub individual: Option<&'a [Id]>,
    pub metadata: Option<RaggedIn<'a, u8>>,
}

pub struct EdgeColumns<'a> {
    pub left: &'a [f64],
    pub right: &'a [f64],
    pub parent: &'a [Id],
    pub child: &'a [Id],
    pub metadata: Option<RaggedIn<'a, u8>>,
}

pub struct MigrationColumns<'a> {
    pub left: &'a [f64],
    pub right: &'a [f64],
    pub node: &'a [Id],
    pub source: &'a [Id],
    pub dest: &'a [Id],
    pub time: &'a [f64],
    pub metadata: Option<RaggedIn<'a, u8>>,
}

pub struct SiteColumns<'a> {
    pub position: &'a [f64],
    pub ancestral_state: RaggedIn<'a, u8>,
    pub metadata: Option<RaggedIn<'a, u8>>,
}

pub struct MutationColumns<'a> {
    pub site: &'a [Id],
    pub node: &'a [Id],
    pub parent: Option<&'a [Id]>,
    pub time: Option<&'a [f64]>,
    pub derived_state: RaggedIn<'a, u8>,
    pub metadata: Option<RaggedIn<'a, u8>>,
}

pub struct PopulationColumns<'a> {
    pub metadata: RaggedIn<'a, u8>,
}

pub struct ProvenanceColumns<'a> {
    pub timestamp: RaggedIn<'a, u8>,
    pub record: RaggedIn<'a, u8>,
}

/// Whether the new rows replace the table's rows or follow them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Set,
    Append,
}

impl TableCollection {
    fn start_bulk(&mut self, kind: TableKind, num_rows: usize, mode: Mode) -> Result<()> {
        let existing = if mode == Mode::Append { self.num_rows(kind) } else { 0 };
        if num_rows > MAX_ROWS - existing {
            fail!(
                Error::TableOverflow,
                "{}: {existing} + {num_rows} rows exceeds the maximum",
                kind.name()
            );
        }
        Ok(())
    }

    /// Setting the edges drops the edge indexes (the columns themselves are
    /// cleared by [`crate::alloc::Grow::keep`], which keeps their allocations).
    fn reset(&mut self, kind: TableKind, mode: Mode) {
        if mode == Mode::Set && kind == TableKind::Edges {
            self.indexes = None;
        }
    }

    pub fn put_individuals(&mut self, c: IndividualColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.flags.len();
        self.start_bulk(TableKind::Individuals, n, mode)?;
        check_opt(&c.location, n, "individuals/location")?;
        check_opt(&c.parents, n, "individuals/parents")?;
        check_opt(&c.metadata, n, "individuals/metadata")?;
        let data = [data_len(&c.location), data_len(&c.parents), data_len(&c.metadata)];
        self.individuals.make_room(n, &data, mode == Mode::Set)?;
        self.reset(TableKind::Individuals, mode);
        let t = &mut self.individuals;
        t.flags.extend_from_slice(c.flags);
        put_ragged(&mut t.location, c.location, n);
        put_ragged(&mut t.parents, c.parents, n);
        put_ragged(&mut t.metadata, c.metadata, n);
        Ok(())
    }

    pub fn put_nodes(&mut self, c: NodeColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.flags.len();
        self.start_bulk(TableKind::Nodes, n, mode)?;
        check_len(c.time, n, "nodes/time")?;
        if let Some(p) = c.population {
            check_len(p, n, "nodes/population")?;
        }
        if let Some(p) = c.individual {
            check_len(p, n, "nodes/individual")?;
        }
        check_opt(&c.metadata, n, "nodes/metadata")?;
        self.nodes.make_room(n, &[data_len(&c.metadata)], mode == Mode::Set)?;
        self.reset(TableKind::Nodes, mode);
        let t = &mut self.nodes;
        t.flags.extend_from_slice(c.flags);
        t.time.extend_from_slice(c.time);
        put(t.population.make_mut(), c.population, super::NULL, n);
        put(t.individual.make_mut(), c.individual, super::NULL, n);
        put_ragged(&mut t.metadata, c.metadata, n);
        Ok(())
    }

    pub fn put_edges(&mut self, c: EdgeColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.left.len();
        self.start_bulk(TableKind::Edges, n, mode)?;
        check_len(c.right, n, "edges/right")?;
        check_len(c.parent, n, "edges/parent")?;
        check_len(c.child, n, "edges/child")?;
        check_opt(&c.metadata, n, "edges/metadata")?;
        self.edges.make_room(n, &[data_len(&c.metadata)], mode == Mode::Set)?;
        self.reset(TableKind::Edges, mode);
        let t = &mut self.edges;
        t.left.extend_from_slice(c.left);
        t.right.extend_from_slice(c.right);
        t.parent.extend_from_slice(c.parent);
        t.child.extend_from_slice(c.child);
        put_ragged(&mut t.metadata, c.metadata, n);
        Ok(())
    }

    pub fn put_migrations(&mut self, c: MigrationColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.left.len();
        self.start_bulk(TableKind::Migrations, n, mode)?;
        check_len(c.right, n, "migrations/right")?;
        check_len(c.node, n, "migrations/node")?;
        check_len(c.source, n, "migrations/source")?;
        check_len(c.dest, n, "migrations/dest")?;
        check_len(c.time, n, "migrations/time")?;
        check_opt(&c.metadata, n, "migrations/metadata")?;
        self.migrations
            .make_room(n, &[data_len(&c.metadata)], mode == Mode::Set)?;
        self.reset(TableKind::Migrations, mode);
        let t = &mut self.migrations;
        t.left.extend_from_slice(c.left);
        t.right.extend_from_slice(c.right);
        t.node.extend_from_slice(c.node);
        t.source.extend_from_slice(c.source);
        t.dest.extend_from_slice(c.dest);
        t.time.extend_from_slice(c.time);
        put_ragged(&mut t.metadata, c.metadata, n);
        Ok(())
    }

    pub fn put_sites(&mut self, c: SiteColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.position.len();
        self.start_bulk(TableKind::Sites, n, mode)?;
        c.ancestral_state.check(n, "sites/ancestral_state")?;
        check_opt(&c.metadata, n, "sites/metadata")?;
        let data = [c.ancestral_state.data.len(), data_len(&c.metadata)];
        self.sites.make_room(n, &data, mode == Mode::Set)?;
        self.reset(TableKind::Sites, mode);
        let t = &mut self.sites;
        t.position.extend_from_slice(c.position);
        put_ragged(&mut t.ancestral_state, Some(c.ancestral_state), n);
        put_ragged(&mut t.metadata, c.metadata, n);
        Ok(())
    }

    pub fn put_mutations(&mut self, c: MutationColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.site.len();
        self.start_bulk(TableKind::Mutations, n, mode)?;
        check_len(c.node, n, "mutations/node")?;
        if let Some(p) = c.parent {
            check_len(p, n, "mutations/parent")?;
        }
        if let Some(p) = c.time {
            check_len(p, n, "mutations/time")?;
        }
        c.derived_state.check(n, "mutations/derived_state")?;
        check_opt(&c.metadata, n, "mutations/metadata")?;
        let data = [c.derived_state.data.len(), data_len(&c.metadata)];
        self.mutations.make_room(n, &data, mode == Mode::Set)?;
        self.reset(TableKind::Mutations, mode);
        let t = &mut self.mutations;
        t.site.extend_from_slice(c.site);
        t.node.extend_from_slice(c.node);
        put(t.parent.make_mut(), c.parent, super::NULL, n);
        put(t.time.make_mut(), c.time, f64::from_bits(super::UNKNOWN_TIME_BITS), n);
        put_ragged(&mut t.derived_state, Some(c.derived_state), n);
        put_ragged(&mut t.metadata, c.metadata, n);
        Ok(())
    }

    pub fn put_populations(&mut self, c: PopulationColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.metadata.offset.len().saturating_sub(1);
        self.start_bulk(TableKind::Populations, n, mode)?;
        c.metadata.check(n, "populations/metadata")?;
        self.populations
            .make_room(n, &[c.metadata.data.len()], mode == Mode::Set)?;
        put_ragged(&mut self.populations.metadata, Some(c.metadata), n);
        Ok(())
    }

    pub fn put_provenances(&mut self, c: ProvenanceColumns<'_>, mode: Mode) -> Result<()> {
        let n = c.timestamp.offset.len().saturating_sub(1);
        self.start_bulk(TableKind::Provenances, n, mode)?;
        c.timestamp.check(n, "provenances/timestamp")?;
        c.record.check(n, "provenances/record")?;
        let data = [c.timestamp.data.len(), c.record.data.len()];
        self.provenances.make_room(n, &data, mode == Mode::Set)?;
        put_ragged(&mut self.provenances.timestamp, Some(c.timestamp), n);
        put_ragged(&mut self.provenances.record, Some(c.record), n);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_then_set_nodes() {
        let mut t = TableCollection::new(1.0).unwrap();
        t.add_node(1, 0.0, 0, -1, b"a").unwrap();
        let md = RaggedIn {
            data: b"xyz".as_slice(),
            offset: &[0, 1, 3],
        };
        t.put_nodes(
            NodeColumns {
                flags: &[0, 0],
                time: &[1.0, 2.0],
                population: None,
                individual: Some(&[3, 4]),
                metadata: Some(md),
            },
            Mode::Append,
        )
        .unwrap();
        assert_eq!(t.nodes.time, vec![0.0, 1.0, 2.0]);
        assert_eq!(t.nodes.population, vec![0, -1, -1]);
        assert_eq!(t.nodes.metadata.row(0), b"a");
        assert_eq!(t.nodes.metadata.row(2), b"yz");
        t.put_nodes(
            NodeColumns {
                flags: &[7],
                time: &[5.0],
                population: None,
                individual: None,
                metadata: None,
            },
            Mode::Set,
        )
        .unwrap();
        assert_eq!(t.nodes.flags, vec![7]);
        assert_eq!(t.nodes.metadata.offset(), &[0, 0]);
    }

    #[test]
    fn rejected_append_changes_nothing() {
        let mut t = TableCollection::new(1.0).unwrap();
        t.add_site(0.5, b"A", b"").unwrap();
        let before = t.clone();
        let bad = RaggedIn {
            data: b"AB".as_slice(),
            offset: &[0, 2, 1],
        };
        let e = t
            .put_sites(
                SiteColumns {
                    position: &[0.1, 0.2],
                    ancestral_state: bad,
                    metadata: None,
                },
                Mode::Set,
            )
            .unwrap_err();
        assert_eq!(e.kind, Error::BadOffset);
        assert!(t.equals(&before, 0));
        let e = t
            .put_edges(
                EdgeColumns {
                    left: &[0.0],
                    right: &[1.0, 2.0],
                    parent: &[0],
                    child: &[1],
                    metadata: None,
                },
                Mode::Append,
            )
            .unwrap_err();
        assert_eq!(e.kind, Error::ColumnLengthMismatch);
        assert!(t.equals(&before, 0));
    }
}
