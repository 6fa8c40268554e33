//! Columns by name. Every column of a collection has the name it has as a
//! key in a `.trees` file ("nodes/time", "sites/ancestral_state_offset",
//! "time_units", ...). The file writer and the C API's column functions both
//! walk this one listing, so a column cannot be known to one and not the other.

use super::{Ragged, TableCollection};

/// kastore's type codes, which are also the C API's dtype constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Dtype {
    I8 = 0,
    U8 = 1,
    I16 = 2,
    U16 = 3,
    I32 = 4,
    U32 = 5,
    I64 = 6,
    U64 = 7,
    F32 = 8,
    F64 = 9,
}

impl Dtype {
    pub fn from_code(code: u8) -> Option<Dtype> {
        use Dtype::*;
        [I8, U8, I16, U16, I32, U32, I64, U64, F32, F64]
            .get(code as usize)
            .copied()
    }

    pub fn size(self) -> usize {
        use Dtype::*;
        match self {
            I8 | U8 => 1,
            I16 | U16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 => 8,
        }
    }

    pub fn name(self) -> &'static str {
        use Dtype::*;
        match self {
            I8 => "int8",
            U8 => "uint8",
            I16 => "int16",
            U16 => "uint16",
            I32 => "int32",
            U32 => "uint32",
            I64 => "int64",
            U64 => "uint64",
            F32 => "float32",
            F64 => "float64",
        }
    }
}

/// A borrowed column. `Text` is a byte column that tskit stores as int8
/// (the collection-level strings); `Bytes` one it stores as uint8.
#[derive(Clone, Copy, Debug)]
pub enum Column<'a> {
    Text(&'a [u8]),
    Bytes(&'a [u8]),
    I32(&'a [i32]),
    U32(&'a [u32]),
    U64(&'a [u64]),
    F64(&'a [f64]),
}

impl<'a> Column<'a> {
    pub fn dtype(&self) -> Dtype {
        match self {
            Column::Text(_) => Dtype::I8,
            Column::Bytes(_) => Dtype::U8,
            Column::I32(_) => Dtype::I32,
            Column::U32(_) => Dtype::U32,
            Column::U64(_) => Dtype::U64,
            Column::F64(_) => Dtype::F64,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Text(v) | Column::Bytes(v) => v.len(),
            Column::I32(v) => v.len(),
            Column::U32(v) => v.len(),
            Column::U64(v) => v.len(),
            Column::F64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column's bytes in memory order (little-endian on the platforms
    /// tspar supports), borrowed from the tables rather than from `self`.
    pub fn as_bytes(&self) -> &'a [u8] {
        match *self {
            Column::Text(v) | Column::Bytes(v) => v,
            Column::I32(v) => bytemuck::cast_slice(v),
            Column::U32(v) => bytemuck::cast_slice(v),
            Column::U64(v) => bytemuck::cast_slice(v),
            Column::F64(v) => bytemuck::cast_slice(v),
        }
    }
}

/// A mutable byte field of the collection (a string or a schema).
pub type ColumnMut<'a> = &'a mut Vec<u8>;

/// One list of the settable byte fields, expanded for `&` and `&mut` access.
macro_rules! byte_fields {
    ($t:ident, $name:ident, $($r:tt)+) => {
        Some(match $name {
            "time_units" => $($r)+ $t.time_units,
            "metadata" => $($r)+ $t.metadata,
            "metadata_schema" => $($r)+ $t.metadata_schema,
            "reference_sequence/data" => $($r)+ $t.reference_sequence.data,
            "reference_sequence/url" => $($r)+ $t.reference_sequence.url,
            "reference_sequence/metadata" => $($r)+ $t.reference_sequence.metadata,
            "reference_sequence/metadata_schema" => $($r)+ $t.reference_sequence.metadata_schema,
            "individuals/metadata_schema" => $($r)+ $t.individuals.metadata_schema,
            "nodes/metadata_schema" => $($r)+ $t.nodes.metadata_schema,
            "edges/metadata_schema" => $($r)+ $t.edges.metadata_schema,
            "migrations/metadata_schema" => $($r)+ $t.migrations.metadata_schema,
            "sites/metadata_schema" => $($r)+ $t.sites.metadata_schema,
            "mutations/metadata_schema" => $($r)+ $t.mutations.metadata_schema,
            "populations/metadata_schema" => $($r)+ $t.populations.metadata_schema,
            _ => return None,
        })
    };
}

fn ragged<'a, T>(
    out: &mut Vec<(String, Column<'a>)>,
    prefix: &str,
    name: &str,
    col: &'a Ragged<T>,
    data: fn(&'a [T]) -> Column<'a>,
) where
    T: Copy,
{
    out.push((format!("{prefix}/{name}"), data(col.data())));
    out.push((format!("{prefix}/{name}_offset"), Column::U64(col.offset())));
}

impl TableCollection {
    /// Every column and collection-level field by its file key, in no
    /// particular order. Offsets are listed as `U64`; the edge indexes only
    /// when the collection has them; the reference sequence only when set.
    pub fn columns(&self) -> Vec<(String, Column<'_>)> {
        let mut out: Vec<(String, Column<'_>)> = Vec::with_capacity(64);
        let mut push = |name: &str, c| out.push((name.to_string(), c));
        let seq = std::slice::from_ref(&self.sequence_length);
        push("sequence_length", Column::F64(seq));
        push("time_units", Column::Text(&self.time_units));
        push("metadata", Column::Text(&self.metadata));
        push("metadata_schema", Column::Text(&self.metadata_schema));
        let r = &self.reference_sequence;
        if !r.is_empty() {
            push("reference_sequence/data", Column::Bytes(&r.data));
            push("reference_sequence/url", Column::Bytes(&r.url));
            push("reference_sequence/metadata", Column::Bytes(&r.metadata));
            push("reference_sequence/metadata_schema", Column::Bytes(&r.metadata_schema));
        }
        if let Some(ix) = &self.indexes {
            push("indexes/edge_insertion_order", Column::I32(&ix.insertion));
            push("indexes/edge_removal_order", Column::I32(&ix.removal));
        }

        let t = &self.individuals;
        push("individuals/flags", Column::U32(&t.flags));
        push("individuals/metadata_schema", Column::Bytes(&t.metadata_schema));
        let t = &self.nodes;
        push("nodes/flags", Column::U32(&t.flags));
        push("nodes/time", Column::F64(&t.time));
        push("nodes/population", Column::I32(&t.population));
        push("nodes/individual", Column::I32(&t.individual));
        push("nodes/metadata_schema", Column::Bytes(&t.metadata_schema));
        let t = &self.edges;
        push("edges/left", Column::F64(&t.left));
        push("edges/right", Column::F64(&t.right));
        push("edges/parent", Column::I32(&t.parent));
        push("edges/child", Column::I32(&t.child));
        push("edges/metadata_schema", Column::Bytes(&t.metadata_schema));
        let t = &self.migrations;
        push("migrations/left", Column::F64(&t.left));
        push("migrations/right", Column::F64(&t.right));
        push("migrations/node", Column::I32(&t.node));
        push("migrations/source", Column::I32(&t.source));
        push("migrations/dest", Column::I32(&t.dest));
        push("migrations/time", Column::F64(&t.time));
        push("migrations/metadata_schema", Column::Bytes(&t.metadata_schema));
        let t = &self.sites;
        push("sites/position", Column::F64(&t.position));
        push("sites/metadata_schema", Column::Bytes(&t.metadata_schema));
        let t = &self.mutations;
        push("mutations/site", Column::I32(&t.site));
        push("mutations/node", Column::I32(&t.node));
        push("mutations/parent", Column::I32(&t.parent));
        push("mutations/time", Column::F64(&t.time));
        push("mutations/metadata_schema", Column::Bytes(&t.metadata_schema));
        push(
            "populations/metadata_schema",
            Column::Bytes(&self.populations.metadata_schema),
        );

        let bytes = |v| Column::Bytes(v);
        ragged(
            &mut out,
            "individuals",
            "location",
            &self.individuals.location,
            Column::F64,
        );
        ragged(
            &mut out,
            "individuals",
            "parents",
            &self.individuals.parents,
            Column::I32,
        );
        ragged(&mut out, "individuals", "metadata", &self.individuals.metadata, bytes);
        ragged(&mut out, "nodes", "metadata", &self.nodes.metadata, bytes);
        ragged(&mut out, "edges", "metadata", &self.edges.metadata, bytes);
        ragged(&mut out, "migrations", "metadata", &self.migrations.metadata, bytes);
        ragged(&mut out, "sites", "ancestral_state", &self.sites.ancestral_state, bytes);
        ragged(&mut out, "sites", "metadata", &self.sites.metadata, bytes);
        ragged(
            &mut out,
            "mutations",
            "derived_state",
            &self.mutations.derived_state,
            bytes,
        );
        ragged(&mut out, "mutations", "metadata", &self.mutations.metadata, bytes);
        ragged(&mut out, "populations", "metadata", &self.populations.metadata, bytes);
        ragged(&mut out, "provenances", "timestamp", &self.provenances.timestamp, bytes);
        ragged(&mut out, "provenances", "record", &self.provenances.record, bytes);
        out
    }

    /// One column by its file key.
    pub fn column(&self, name: &str) -> Option<Column<'_>> {
        self.columns().into_iter().find(|(k, _)| k == name).map(|(_, c)| c)
    }

    /// The byte fields a caller may get and set whole: the collection-level
    /// strings and every metadata schema, by file key.
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        byte_fields!(self, name, &)
    }

    /// A byte field (see [`TableCollection::field`]) to replace.
    pub fn field_mut(&mut self, name: &str) -> Option<ColumnMut<'_>> {
        byte_fields!(self, name, &mut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique_and_found() {
        let t = TableCollection::new(1.0).unwrap();
        let cols = t.columns();
        let mut names: Vec<_> = cols.iter().map(|(k, _)| k.clone()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        assert!(matches!(t.column("nodes/time"), Some(Column::F64(_))));
        assert!(matches!(t.column("sites/ancestral_state_offset"), Some(Column::U64(o)) if o == [0]));
        assert!(t.column("nodes/nope").is_none());
    }

    #[test]
    fn fields_settable() {
        let mut t = TableCollection::new(1.0).unwrap();
        t.field_mut("time_units").unwrap().clear();
        t.field_mut("time_units").unwrap().extend_from_slice(b"generations");
        assert_eq!(t.time_units, b"generations");
        assert!(t.field_mut("nodes/time").is_none());
    }
}
