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
mod ragged;
mod sort;

pub use bulk::*;
pub use column::{Column, ColumnMut, Dtype};
pub use integrity::{check, is_unknown_time};
pub use ragged::{check_offsets, same_bits, Ragged};
pub use sort::sort_options;

use crate::alloc::{self, Grow};
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

#[derive(Clone, Debug, Default)]
pub struct IndividualTable {
    pub flags: Vec<u32>,
    pub location: Ragged<f64>,
    pub parents: Ragged<Id>,
    pub metadata: Ragged<u8>,
    pub metadata_schema: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct NodeTable {
    pub flags: Vec<u32>,
    pub time: Vec<f64>,
    pub population: Vec<Id>,
    pub individual: Vec<Id>,
    pub metadata: Ragged<u8>,
    pub metadata_schema: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct EdgeTable {
    pub left: Vec<f64>,
    pub right: Vec<f64>,
    pub parent: Vec<Id>,
    pub child: Vec<Id>,
    pub metadata: Ragged<u8>,
    pub metadata_schema: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct MigrationTable {
    pub left: Vec<f64>,
    pub right: Vec<f64>,
    pub node: Vec<Id>,
    pub source: Vec<Id>,
    pub dest: Vec<Id>,
    pub time: Vec<f64>,
    pub metadata: Ragged<u8>,
    pub metadata_schema: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct SiteTable {
    pub position: Vec<f64>,
    pub ancestral_state: Ragged<u8>,
    pub metadata: Ragged<u8>,
    pub metadata_schema: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct MutationTable {
    pub site: Vec<Id>,
    pub node: Vec<Id>,
    pub parent: Vec<Id>,
    pub time: Vec<f64>,
    pub derived_state: Ragged<u8>,
    pub metadata: Ragged<u8>,
    pub metadata_schema: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct PopulationTable {
    pub metadata: Ragged<u8>,
    pub metadata_schema: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
pub struct ProvenanceTable {
    pub timestamp: Ragged<u8>,
    pub record: Ragged<u8>,
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
    pub insertion: Vec<Id>,
    pub removal: Vec<Id>,
}

impl IndividualTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(IndividualTable {
            flags: alloc::copy(&self.flags, "individuals/flags")?,
            location: self.location.try_clone("individuals/location")?,
            parents: self.parents.try_clone("individuals/parents")?,
            metadata: self.metadata.try_clone("individuals/metadata")?,
            metadata_schema: alloc::copy(&self.metadata_schema, "individuals/metadata_schema")?,
        })
    }
}

impl NodeTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(NodeTable {
            flags: alloc::copy(&self.flags, "nodes/flags")?,
            time: alloc::copy(&self.time, "nodes/time")?,
            population: alloc::copy(&self.population, "nodes/population")?,
            individual: alloc::copy(&self.individual, "nodes/individual")?,
            metadata: self.metadata.try_clone("nodes/metadata")?,
            metadata_schema: alloc::copy(&self.metadata_schema, "nodes/metadata_schema")?,
        })
    }
}

impl EdgeTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(EdgeTable {
            left: alloc::copy(&self.left, "edges/left")?,
            right: alloc::copy(&self.right, "edges/right")?,
            parent: alloc::copy(&self.parent, "edges/parent")?,
            child: alloc::copy(&self.child, "edges/child")?,
            metadata: self.metadata.try_clone("edges/metadata")?,
            metadata_schema: alloc::copy(&self.metadata_schema, "edges/metadata_schema")?,
        })
    }
}

impl MigrationTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(MigrationTable {
            left: alloc::copy(&self.left, "migrations/left")?,
            right: alloc::copy(&self.right, "migrations/right")?,
            node: alloc::copy(&self.node, "migrations/node")?,
            source: alloc::copy(&self.source, "migrations/source")?,
            dest: alloc::copy(&self.dest, "migrations/dest")?,
            time: alloc::copy(&self.time, "migrations/time")?,
            metadata: self.metadata.try_clone("migrations/metadata")?,
            metadata_schema: alloc::copy(&self.metadata_schema, "migrations/metadata_schema")?,
        })
    }
}

impl SiteTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(SiteTable {
            position: alloc::copy(&self.position, "sites/position")?,
            ancestral_state: self.ancestral_state.try_clone("sites/ancestral_state")?,
            metadata: self.metadata.try_clone("sites/metadata")?,
            metadata_schema: alloc::copy(&self.metadata_schema, "sites/metadata_schema")?,
        })
    }
}

impl MutationTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(MutationTable {
            site: alloc::copy(&self.site, "mutations/site")?,
            node: alloc::copy(&self.node, "mutations/node")?,
            parent: alloc::copy(&self.parent, "mutations/parent")?,
            time: alloc::copy(&self.time, "mutations/time")?,
            derived_state: self.derived_state.try_clone("mutations/derived_state")?,
            metadata: self.metadata.try_clone("mutations/metadata")?,
            metadata_schema: alloc::copy(&self.metadata_schema, "mutations/metadata_schema")?,
        })
    }
}

impl PopulationTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(PopulationTable {
            metadata: self.metadata.try_clone("populations/metadata")?,
            metadata_schema: alloc::copy(&self.metadata_schema, "populations/metadata_schema")?,
        })
    }
}

impl ProvenanceTable {
    /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        Ok(ProvenanceTable {
            timestamp: self.timestamp.try_clone("provenances/timestamp")?,
            record: self.record.try_clone("provenances/record")?,
        })
    }
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
                    insertion: alloc::copy(&ix.insertion, "indexes/edge_insertion_order")?,
                    removal: alloc::copy(&ix.removal, "indexes/edge_removal_order")?,
                }),
            },
        })
    }

    pub fn num_rows(&self, kind: TableKind) -> usize {
        match kind {
            TableKind::Individuals => self.individuals.flags.len(),
            TableKind::Nodes => self.nodes.flags.len(),
            TableKind::Edges => self.edges.left.len(),
            TableKind::Migrations => self.migrations.left.len(),
            TableKind::Sites => self.sites.position.len(),
            TableKind::Mutations => self.mutations.site.len(),
            TableKind::Populations => self.populations.metadata.num_rows(),
            TableKind::Provenances => self.provenances.timestamp.num_rows(),
        }
    }

    /// Removes every row of every table and the indexes; keeps the
    /// collection-level fields and the metadata schemas, as tskit's clear
    /// does by default.
    pub fn clear_tables(&mut self) {
        let s = self;
        s.individuals = IndividualTable {
            metadata_schema: std::mem::take(&mut s.individuals.metadata_schema),
            ..Default::default()
        };
        s.nodes = NodeTable {
            metadata_schema: std::mem::take(&mut s.nodes.metadata_schema),
            ..Default::default()
        };
        s.edges = EdgeTable {
            metadata_schema: std::mem::take(&mut s.edges.metadata_schema),
            ..Default::default()
        };
        s.migrations = MigrationTable {
            metadata_schema: std::mem::take(&mut s.migrations.metadata_schema),
            ..Default::default()
        };
        s.sites = SiteTable {
            metadata_schema: std::mem::take(&mut s.sites.metadata_schema),
            ..Default::default()
        };
        s.mutations = MutationTable {
            metadata_schema: std::mem::take(&mut s.mutations.metadata_schema),
            ..Default::default()
        };
        s.populations = PopulationTable {
            metadata_schema: std::mem::take(&mut s.populations.metadata_schema),
            ..Default::default()
        };
        s.provenances = ProvenanceTable::default();
        s.indexes = None;
    }

    pub fn add_individual(&mut self, flags: u32, location: &[f64], parents: &[Id], metadata: &[u8]) -> Result<Id> {
        let t = &mut self.individuals;
        let id = next_id(t.flags.len())?;
        let mut g = Grow::append();
        g.vec(&mut t.flags, 1, "individuals/flags")?;
        g.other(&mut t.location, |c| {
            c.reserve_rows(1, location.len(), false, "individuals/location")
        })?;
        g.other(&mut t.parents, |c| {
            c.reserve_rows(1, parents.len(), false, "individuals/parents")
        })?;
        g.other(&mut t.metadata, |c| {
            c.reserve_rows(1, metadata.len(), false, "individuals/metadata")
        })?;
        g.keep();
        t.flags.push(flags);
        t.location.push(location);
        t.parents.push(parents);
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_node(&mut self, flags: u32, time: f64, population: Id, individual: Id, metadata: &[u8]) -> Result<Id> {
        let t = &mut self.nodes;
        let id = next_id(t.flags.len())?;
        let mut g = Grow::append();
        g.vec(&mut t.flags, 1, "nodes/flags")?;
        g.vec(&mut t.time, 1, "nodes/time")?;
        g.vec(&mut t.population, 1, "nodes/population")?;
        g.vec(&mut t.individual, 1, "nodes/individual")?;
        g.other(&mut t.metadata, |c| {
            c.reserve_rows(1, metadata.len(), false, "nodes/metadata")
        })?;
        g.keep();
        t.flags.push(flags);
        t.time.push(time);
        t.population.push(population);
        t.individual.push(individual);
        t.metadata.push(metadata);
        Ok(id)
    }

    pub fn add_edge(&mut self, left: f64, right: f64, parent: Id, child: Id, metadata: &[u8]) -> Result<Id> {
        let t = &mut self.edges;
        let id = next_id(t.left.len())?;
        let mut g = Grow::append();
        g.vec(&mut t.left, 1, "edges/left")?;
        g.vec(&mut t.right, 1, "edges/right")?;
        g.vec(&mut t.parent, 1, "edges/parent")?;
        g.vec(&mut t.child, 1, "edges/child")?;
        g.other(&mut t.metadata, |c| {
            c.reserve_rows(1, metadata.len(), false, "edges/metadata")
        })?;
        g.keep();
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
        let id = next_id(t.left.len())?;
        let mut g = Grow::append();
        g.vec(&mut t.left, 1, "migrations/left")?;
        g.vec(&mut t.right, 1, "migrations/right")?;
        g.vec(&mut t.node, 1, "migrations/node")?;
        g.vec(&mut t.source, 1, "migrations/source")?;
        g.vec(&mut t.dest, 1, "migrations/dest")?;
        g.vec(&mut t.time, 1, "migrations/time")?;
        g.other(&mut t.metadata, |c| {
            c.reserve_rows(1, metadata.len(), false, "migrations/metadata")
        })?;
        g.keep();
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
        let id = next_id(t.position.len())?;
        let mut g = Grow::append();
        g.vec(&mut t.position, 1, "sites/position")?;
        g.other(&mut t.ancestral_state, |c| {
            c.reserve_rows(1, ancestral_state.len(), false, "sites/ancestral_state")
        })?;
        g.other(&mut t.metadata, |c| {
            c.reserve_rows(1, metadata.len(), false, "sites/metadata")
        })?;
        g.keep();
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
        let id = next_id(t.site.len())?;
        let mut g = Grow::append();
        g.vec(&mut t.site, 1, "mutations/site")?;
        g.vec(&mut t.node, 1, "mutations/node")?;
        g.vec(&mut t.parent, 1, "mutations/parent")?;
        g.vec(&mut t.time, 1, "mutations/time")?;
        g.other(&mut t.derived_state, |c| {
            c.reserve_rows(1, derived_state.len(), false, "mutations/derived_state")
        })?;
        g.other(&mut t.metadata, |c| {
            c.reserve_rows(1, metadata.len(), false, "mutations/metadata")
        })?;
        g.keep();
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
        let id = next_id(t.metadata.num_rows())?;
        t.metadata.try_push(metadata, "populations/metadata")?;
        Ok(id)
    }

    pub fn add_provenance(&mut self, timestamp: &[u8], record: &[u8]) -> Result<Id> {
        let t = &mut self.provenances;
        let id = next_id(t.timestamp.num_rows())?;
        let mut g = Grow::append();
        g.other(&mut t.timestamp, |c| {
            c.reserve_rows(1, timestamp.len(), false, "provenances/timestamp")
        })?;
        g.other(&mut t.record, |c| {
            c.reserve_rows(1, record.len(), false, "provenances/record")
        })?;
        g.keep();
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

    fn tables_equal(&self, o: &TableCollection, meta: bool) -> bool {
        let m = |a: &Ragged<u8>, sa: &Vec<u8>, b: &Ragged<u8>, sb: &Vec<u8>| !meta || (a.same_bits(b) && sa == sb);
        let (a, b) = (&self.individuals, &o.individuals);
        let individuals = a.flags == b.flags
            && a.location.same_bits(&b.location)
            && a.parents.same_bits(&b.parents)
            && m(&a.metadata, &a.metadata_schema, &b.metadata, &b.metadata_schema);
        let (a, b) = (&self.nodes, &o.nodes);
        let nodes = a.flags == b.flags
            && same_bits(&a.time, &b.time)
            && a.population == b.population
            && a.individual == b.individual
            && m(&a.metadata, &a.metadata_schema, &b.metadata, &b.metadata_schema);
        let (a, b) = (&self.edges, &o.edges);
        let edges = same_bits(&a.left, &b.left)
            && same_bits(&a.right, &b.right)
            && a.parent == b.parent
            && a.child == b.child
            && m(&a.metadata, &a.metadata_schema, &b.metadata, &b.metadata_schema);
        let (a, b) = (&self.migrations, &o.migrations);
        let migrations = same_bits(&a.left, &b.left)
            && same_bits(&a.right, &b.right)
            && a.node == b.node
            && a.source == b.source
            && a.dest == b.dest
            && same_bits(&a.time, &b.time)
            && m(&a.metadata, &a.metadata_schema, &b.metadata, &b.metadata_schema);
        let (a, b) = (&self.sites, &o.sites);
        let sites = same_bits(&a.position, &b.position)
            && a.ancestral_state.same_bits(&b.ancestral_state)
            && m(&a.metadata, &a.metadata_schema, &b.metadata, &b.metadata_schema);
        let (a, b) = (&self.mutations, &o.mutations);
        let mutations = a.site == b.site
            && a.node == b.node
            && a.parent == b.parent
            && same_bits(&a.time, &b.time)
            && a.derived_state.same_bits(&b.derived_state)
            && m(&a.metadata, &a.metadata_schema, &b.metadata, &b.metadata_schema);
        let (a, b) = (&self.populations, &o.populations);
        let populations = a.metadata.num_rows() == b.metadata.num_rows()
            && m(&a.metadata, &a.metadata_schema, &b.metadata, &b.metadata_schema);
        individuals && nodes && edges && migrations && sites && mutations && populations
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
