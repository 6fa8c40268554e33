//! The eight tables of a tree sequence and the collection that holds them,
//! column for column as in tskit's data model and file format.
//!
//! Columns are plain vectors (struct of arrays). Adding rows does not check
//! references between tables, as in tskit: that is the job of the integrity
//! checks. What is checked here is what would make a table itself
//! malformed: column lengths and offsets.

mod bulk;
mod column;
mod index;
mod integrity;
pub(crate) use integrity::WalkColumns;
pub(crate) mod layout;
mod ragged;
mod sort;
mod storage;

pub use bulk::*;
pub use column::{Column, ColumnMut, Dtype};
pub use integrity::{check, is_unknown_time};
use layout::table;
pub use layout::{ColumnSource, Elem, Spec, Table, TableColumn};
pub use ragged::{check_offsets, same_bits, Ragged};
pub use sort::sort_options;
pub use storage::{Col, Keep};

use crate::alloc;
use crate::error::{fail, Error, Result};

pub type Id = i32;
pub const NULL: Id = -1;
/// tskit's unknown mutation time: a NaN with this exact bit pattern
/// (`TSK_UNKNOWN_TIME_HEX`; its payload spells "tskit!" in ASCII).
pub const UNKNOWN_TIME_BITS: u64 = 0x7ff8_7473_6b69_7421;
pub const NODE_IS_SAMPLE: u32 = 1;

/// Compares finite floats as tskit's comparators do (so -0.0 equals 0.0).
/// NaN, which only unchecked tables hold, comes after every number and
/// equals NaN, so that this stays a total order (ties broken by a unique
/// key) and a sort never meets an inconsistent comparison.
pub(crate) fn fcmp(a: f64, b: f64) -> std::cmp::Ordering {
    a.partial_cmp(&b).unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
}

/// The largest number of rows a table may hold (ids are `i32`).
pub const MAX_ROWS: usize = i32::MAX as usize;

/// Returns the id the next row of a table with `n` rows gets.
fn next_id(n: usize) -> Result<Id> {
    if n >= MAX_ROWS {
        fail!(Error::TableOverflow, "table already has {n} rows");
    }
    Ok(n as Id)
}

table! {
    pub struct IndividualTable(Individuals, "individuals") {
        flags: Col<u32>,
        location: Ragged<f64>,
        parents: Ragged<Id> [optional],
        metadata: Ragged<u8>;
        metadata_schema
    }
}

table! {
    pub struct NodeTable(Nodes, "nodes") {
        flags: Col<u32>,
        time: Col<f64>,
        population: Col<Id>,
        individual: Col<Id>,
        metadata: Ragged<u8>;
        metadata_schema
    }
}

table! {
    pub struct EdgeTable(Edges, "edges") {
        left: Col<f64>,
        right: Col<f64>,
        parent: Col<Id>,
        child: Col<Id>,
        metadata: Ragged<u8> [optional];
        metadata_schema
    }
}

table! {
    pub struct MigrationTable(Migrations, "migrations") {
        left: Col<f64>,
        right: Col<f64>,
        node: Col<Id>,
        source: Col<Id>,
        dest: Col<Id>,
        time: Col<f64>,
        metadata: Ragged<u8> [optional];
        metadata_schema
    }
}

table! {
    pub struct SiteTable(Sites, "sites") {
        position: Col<f64>,
        ancestral_state: Ragged<u8>,
        metadata: Ragged<u8>;
        metadata_schema
    }
}

table! {
    pub struct MutationTable(Mutations, "mutations") {
        site: Col<Id>,
        node: Col<Id>,
        parent: Col<Id>,
        // Files from before mutation times were recorded: all unknown.
        time: Col<f64> [optional],
        derived_state: Ragged<u8>,
        metadata: Ragged<u8>;
        metadata_schema
    }
}

table! {
    pub struct PopulationTable(Populations, "populations") {
        metadata: Ragged<u8>;
        metadata_schema
    }
}

table! {
    pub struct ProvenanceTable(Provenances, "provenances") {
        timestamp: Ragged<u8>,
        record: Ragged<u8>,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReferenceSequence {
    pub data: Vec<u8>,
    pub url: Vec<u8>,
    pub metadata: Vec<u8>,
    pub metadata_schema: Vec<u8>,
}

impl ReferenceSequence {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        let c = |v: &Vec<u8>, what: &str| alloc::copy(v, what);
        Ok(ReferenceSequence {
            data: c(&self.data, "reference_sequence/data")?,
            url: c(&self.url, "reference_sequence/url")?,
            metadata: c(&self.metadata, "reference_sequence/metadata")?,
            metadata_schema: c(&self.metadata_schema, "reference_sequence/metadata_schema")?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty() && self.url.is_empty() && self.metadata.is_empty() && self.metadata_schema.is_empty()
    }
}

/// The edge indexes: edge ids in the order edges enter and leave trees
/// when walking left to right.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeIndexes {
    pub insertion: Col<Id>,
    pub removal: Col<Id>,
}

/// Which table a row or column belongs to. The numbers are part of the C API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    Individuals = 0,
    Nodes = 1,
    Edges = 2,
    Migrations = 3,
    Sites = 4,
    Mutations = 5,
    Populations = 6,
    Provenances = 7,
}

impl TableKind {
    pub const ALL: [TableKind; 8] = [
        TableKind::Individuals,
        TableKind::Nodes,
        TableKind::Edges,
        TableKind::Migrations,
        TableKind::Sites,
        TableKind::Mutations,
        TableKind::Populations,
        TableKind::Provenances,
    ];

    pub fn from_index(i: i32) -> Option<TableKind> {
        usize::try_from(i).ok().and_then(|i| TableKind::ALL.get(i).copied())
    }

    /// The name used in file keys and messages.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Individuals => "individuals",
            TableKind::Nodes => "nodes",
            TableKind::Edges => "edges",
            TableKind::Migrations => "migrations",
            TableKind::Sites => "sites",
            TableKind::Mutations => "mutations",
            TableKind::Populations => "populations",
            TableKind::Provenances => "provenances",
        }
    }

    pub fn out_of_bounds(self) -> Error {
        match self {
            TableKind::Individuals => Error::IndividualOutOfBounds,
            TableKind::Nodes => Error::NodeOutOfBounds,
            TableKind::Edges => Error::EdgeOutOfBounds,
            TableKind::Migrations => Error::MigrationOutOfBounds,
            TableKind::Sites => Error::SiteOutOfBounds,
            TableKind::Mutations => Error::MutationOutOfBounds,
            TableKind::Populations => Error::PopulationOutOfBounds,
            TableKind::Provenances => Error::ProvenanceOutOfBounds,
        }
    }
}

/// Flags for [`TableCollection::equals`], with tskit's bit values.
pub mod cmp {
    pub const IGNORE_TS_METADATA: u32 = 1 << 0;
    pub const IGNORE_PROVENANCE: u32 = 1 << 1;
    pub const IGNORE_METADATA: u32 = 1 << 2;
    pub const IGNORE_TIMESTAMPS: u32 = 1 << 3;
    pub const IGNORE_TABLES: u32 = 1 << 4;
    pub const IGNORE_REFERENCE_SEQUENCE: u32 = 1 << 5;
    pub const ALL: u32 = (1 << 6) - 1;
}

#[derive(Clone, Debug)]
pub struct TableCollection {
    pub sequence_length: f64,
    pub time_units: Vec<u8>,
    pub metadata: Vec<u8>,
    pub metadata_schema: Vec<u8>,
    pub reference_sequence: ReferenceSequence,
    pub individuals: IndividualTable,
    pub nodes: NodeTable,
    pub edges: EdgeTable,
    pub migrations: MigrationTable,
    pub sites: SiteTable,
    pub mutations: MutationTable,
    pub populations: PopulationTable,
    pub provenances: ProvenanceTable,
    /// Loaded and saved as they are; `None` when the tables have none.
    pub indexes: Option<EdgeIndexes>,
}

pub const DEFAULT_TIME_UNITS: &[u8] = b"unknown";

pub fn check_sequence_length(sequence_length: f64) -> Result<()> {
    if !(sequence_length.is_finite() && sequence_length >= 0.0) {
        fail!(
            Error::BadSequenceLength,
            "sequence length must be finite and not negative, got {sequence_length}"
        );
    }
    Ok(())
}

impl TableCollection {
    pub fn new(sequence_length: f64) -> Result<Self> {
        check_sequence_length(sequence_length)?;
        Ok(TableCollection {
            sequence_length,
            time_units: DEFAULT_TIME_UNITS.to_vec(),
            metadata: Vec::new(),
            metadata_schema: Vec::new(),
            reference_sequence: ReferenceSequence::default(),
            individuals: Default::default(),
            nodes: Default::default(),
            edges: Default::default(),
            migrations: Default::default(),
            sites: Default::default(),
            mutations: Default::default(),
            populations: Default::default(),
            provenances: Default::default(),
            indexes: None,
        })
    }

    /// An independent copy (`clone`), failing with `NoMemory` instead of
    /// aborting when the memory for it cannot be had.
    pub fn try_clone(&self) -> Result<Self> {
        let c = |v: &Vec<u8>, what: &str| alloc::copy(v, what);
        Ok(TableCollection {
            sequence_length: self.sequence_length,
            time_units: c(&self.time_units, "time_units")?,
            metadata: c(&self.metadata, "metadata")?,
            metadata_schema: c(&self.metadata_schema, "metadata_schema")?,
            reference_sequence: self.reference_sequence.try_clone()?,
            individuals: self.individuals.try_clone()?,
            nodes: self.nodes.try_clone()?,
            edges: self.edges.try_clone()?,
            migrations: self.migrations.try_clone()?,
            sites: self.sites.try_clone()?,
            mutations: self.mutations.try_clone()?,
            populations: self.populations.try_clone()?,
            provenances: self.provenances.try_clone()?,
            indexes: match &self.indexes {
                None => None,
                Some(ix) => Some(EdgeIndexes {
                    insertion: alloc::copy(&ix.insertion, "indexes/edge_insertion_order")?.into(),
                    removal: alloc::copy(&ix.removal, "indexes/edge_removal_order")?.into(),
                }),
            },
        })
    }

    /// One table, by kind.
    pub fn table(&self, kind: TableKind) -> &dyn Table {
        match kind {
            TableKind::Individuals => &self.individuals,
            TableKind::Nodes => &self.nodes,
            TableKind::Edges => &self.edges,
            TableKind::Migrations => &self.migrations,
            TableKind::Sites => &self.sites,
            TableKind::Mutations => &self.mutations,
            TableKind::Populations => &self.populations,
            TableKind::Provenances => &self.provenances,
        }
    }

    /// One table, by kind, to change.
    pub fn table_mut(&mut self, kind: TableKind) -> &mut dyn Table {
        match kind {
            TableKind::Individuals => &mut self.individuals,
            TableKind::Nodes => &mut self.nodes,
            TableKind::Edges => &mut self.edges,
            TableKind::Migrations => &mut self.migrations,
            TableKind::Sites => &mut self.sites,
            TableKind::Mutations => &mut self.mutations,
            TableKind::Populations => &mut self.populations,
            TableKind::Provenances => &mut self.provenances,
        }
    }

    pub fn num_rows(&self, kind: TableKind) -> usize {
        self.table(kind).num_rows()
    }

    /// Removes every row of every table and the indexes; keeps the
    /// collection-level fields and the metadata schemas, as tskit's clear
    /// does by default.
    pub fn clear_tables(&mut self) {
        for kind in TableKind::ALL {
            self.table_mut(kind).clear();
        }
        self.indexes = None;
    }

    pub fn add_individual(&mut self, flags: u32, location: &[f64], parents: &[Id], metadata: &[u8]) -> Result<Id> {
        let t = &mut self.individuals;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[location.len(), parents.len(), metadata.len()], false)?;
        t.flags.push(flags);
        t.location.push(location);
        t.parents.push(parents);
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_node(&mut self, flags: u32, time: f64, population: Id, individual: Id, metadata: &[u8]) -> Result<Id> {
        let t = &mut self.nodes;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[metadata.len()], false)?;
        t.flags.push(flags);
        t.time.push(time);
        t.population.push(population);
        t.individual.push(individual);
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_edge(&mut self, left: f64, right: f64, parent: Id, child: Id, metadata: &[u8]) -> Result<Id> {
        let t = &mut self.edges;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[metadata.len()], false)?;
        t.left.push(left);
        t.right.push(right);
        t.parent.push(parent);
        t.child.push(child);
        t.metadata.push(metadata);
        Ok(id)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_migration(
        &mut self,
        left: f64,
        right: f64,
        node: Id,
        source: Id,
        dest: Id,
        time: f64,
        metadata: &[u8],
    ) -> Result<Id> {
        let t = &mut self.migrations;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[metadata.len()], false)?;
        t.left.push(left);
        t.right.push(right);
        t.node.push(node);
        t.source.push(source);
        t.dest.push(dest);
        t.time.push(time);
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_site(&mut self, position: f64, ancestral_state: &[u8], metadata: &[u8]) -> Result<Id> {
        let t = &mut self.sites;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[ancestral_state.len(), metadata.len()], false)?;
        t.position.push(position);
        t.ancestral_state.push(ancestral_state);
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_mutation(
        &mut self,
        site: Id,
        node: Id,
        parent: Id,
        time: f64,
        derived_state: &[u8],
        metadata: &[u8],
    ) -> Result<Id> {
        let t = &mut self.mutations;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[derived_state.len(), metadata.len()], false)?;
        t.site.push(site);
        t.node.push(node);
        t.parent.push(parent);
        t.time.push(time);
        t.derived_state.push(derived_state);
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_population(&mut self, metadata: &[u8]) -> Result<Id> {
        let t = &mut self.populations;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[metadata.len()], false)?;
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_provenance(&mut self, timestamp: &[u8], record: &[u8]) -> Result<Id> {
        let t = &mut self.provenances;
        let id = next_id(t.num_rows())?;
        t.make_room(1, &[timestamp.len(), record.len()], false)?;
        t.timestamp.push(timestamp);
        t.record.push(record);
        Ok(id)
    }

    /// Checks that a row id is in range for the table.
    pub fn check_row(&self, kind: TableKind, id: Id) -> Result<usize> {
        let n = self.num_rows(kind);
        match usize::try_from(id) {
            Ok(j) if j < n => Ok(j),
            _ => fail!(
                kind.out_of_bounds(),
                "{} row {id} out of range (table has {n} rows)",
                kind.name()
            ),
        }
    }

    /// Table equality with tskit's meaning and comparison flags ([`cmp`]).
    /// Columns compare bitwise; the edge indexes are not compared.
    pub fn equals(&self, other: &TableCollection, options: u32) -> bool {
        let ignore = |f: u32| options & f != 0;
        let meta = !ignore(cmp::IGNORE_METADATA);
        if self.sequence_length.to_bits() != other.sequence_length.to_bits() {
            return false;
        }
        if !ignore(cmp::IGNORE_TS_METADATA)
            && meta
            && (self.metadata != other.metadata || self.metadata_schema != other.metadata_schema)
        {
            return false;
        }
        if self.time_units != other.time_units {
            return false;
        }
        if !ignore(cmp::IGNORE_REFERENCE_SEQUENCE) {
            let (a, b) = (&self.reference_sequence, &other.reference_sequence);
            if a.data != b.data || a.url != b.url {
                return false;
            }
            if meta && (a.metadata != b.metadata || a.metadata_schema != b.metadata_schema) {
                return false;
            }
        }
        if !ignore(cmp::IGNORE_TABLES) && !self.tables_equal(other, meta) {
            return false;
        }
        if !ignore(cmp::IGNORE_PROVENANCE) && !ignore(cmp::IGNORE_TABLES) {
            let (a, b) = (&self.provenances, &other.provenances);
            if !a.record.same_bits(&b.record) {
                return false;
            }
            if !ignore(cmp::IGNORE_TIMESTAMPS) && !a.timestamp.same_bits(&b.timestamp) {
                return false;
            }
            if a.timestamp.num_rows() != b.timestamp.num_rows() {
                return false;
            }
        }
        true
    }

    /// The tables other than the provenances (which [`TableCollection::equals`]
    /// compares with their own flags).
    fn tables_equal(&self, o: &TableCollection, meta: bool) -> bool {
        TableKind::ALL
            .into_iter()
            .filter(|&kind| kind != TableKind::Provenances)
            .all(|kind| self.table(kind).same(o.table(kind), meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> TableCollection {
        let mut t = TableCollection::new(10.0).unwrap();
        t.add_population(b"{}").unwrap();
        t.add_individual(0, &[1.5, 2.0], &[NULL, NULL], b"ind").unwrap();
        t.add_node(NODE_IS_SAMPLE, 0.0, 0, 0, b"").unwrap();
        t.add_node(NODE_IS_SAMPLE, 0.0, 0, 0, b"").unwrap();
        t.add_node(0, 1.0, 0, NULL, b"root").unwrap();
        t.add_edge(0.0, 10.0, 2, 0, b"").unwrap();
        t.add_edge(0.0, 10.0, 2, 1, b"").unwrap();
        t.add_site(5.0, b"A", b"").unwrap();
        t.add_mutation(0, 0, NULL, f64::from_bits(UNKNOWN_TIME_BITS), b"T", b"")
            .unwrap();
        t.add_migration(0.0, 10.0, 2, 0, 0, 0.5, b"").unwrap();
        t.add_provenance(b"2026-01-01", b"{}").unwrap();
        t
    }

    #[test]
    fn rows_and_equality() {
        let a = small();
        assert_eq!(a.num_rows(TableKind::Nodes), 3);
        assert_eq!(a.num_rows(TableKind::Edges), 2);
        assert_eq!(a.num_rows(TableKind::Populations), 1);
        let mut b = a.clone();
        assert!(a.equals(&b, 0));
        b.nodes.metadata = Ragged::default();
        for _ in 0..3 {
            b.nodes.metadata.push(b"x");
        }
        assert!(!a.equals(&b, 0));
        assert!(a.equals(&b, cmp::IGNORE_METADATA));
        let mut c = a.clone();
        c.provenances.timestamp = Ragged::default();
        c.provenances.timestamp.push(b"2030-01-01");
        assert!(!a.equals(&c, 0));
        assert!(a.equals(&c, cmp::IGNORE_TIMESTAMPS));
        assert!(a.equals(&c, cmp::IGNORE_PROVENANCE));
    }

    #[test]
    fn unknown_time_kept() {
        let a = small();
        assert_eq!(a.mutations.time[0].to_bits(), UNKNOWN_TIME_BITS);
        assert_eq!(a.clone().mutations.time[0].to_bits(), UNKNOWN_TIME_BITS);
    }

    #[test]
    fn row_bounds() {
        let a = small();
        assert_eq!(a.check_row(TableKind::Nodes, 2).unwrap(), 2);
        assert_eq!(
            a.check_row(TableKind::Nodes, 3).unwrap_err().kind,
            Error::NodeOutOfBounds
        );
        assert_eq!(
            a.check_row(TableKind::Edges, -1).unwrap_err().kind,
            Error::EdgeOutOfBounds
        );
    }

    #[test]
    fn clear_keeps_schemas() {
        let mut a = small();
        a.nodes.metadata_schema = b"schema".to_vec();
        a.clear_tables();
        assert_eq!(a.num_rows(TableKind::Nodes), 0);
        assert_eq!(a.nodes.metadata_schema, b"schema");
        assert_eq!(a.sequence_length, 10.0);
    }

    #[test]
    fn bad_sequence_length() {
        assert_eq!(
            TableCollection::new(f64::NAN).unwrap_err().kind,
            Error::BadSequenceLength
        );
        assert_eq!(TableCollection::new(-1.0).unwrap_err().kind, Error::BadSequenceLength);
    }
}
