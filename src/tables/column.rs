//! Columns by name. Every column of a collection has the name it has as a
//! key in a `.trees` file ("nodes/time", "sites/ancestral_state_offset",
//! "time_units", ...). The file writer and the C API's column functions both
//! walk this one listing, so a column cannot be known to one and not the other.

use super::{TableCollection, TableKind};

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

/// The collection-level byte fields, expanded for `&` and `&mut` access
/// (the tables' schemas come from the tables).
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
            _ => return None,
        })
    };
}

/// The table whose metadata schema `name` ("nodes/metadata_schema") is.
fn schema_of(name: &str) -> Option<TableKind> {
    let table = name.strip_suffix("/metadata_schema")?;
    TableKind::ALL.into_iter().find(|kind| kind.name() == table)
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

        for kind in TableKind::ALL {
            let table = self.table(kind);
            for (spec, column) in table.columns() {
                out.push((spec.key.to_string(), column.data()));
                if let Some(offset) = column.offset() {
                    out.push((format!("{}_offset", spec.key), Column::U64(offset)));
                }
            }
            if let Some(schema) = table.schema() {
                out.push((format!("{}/metadata_schema", kind.name()), Column::Bytes(schema)));
            }
        }
        out
    }

    /// One column by its file key.
    pub fn column(&self, name: &str) -> Option<Column<'_>> {
        self.columns().into_iter().find(|(k, _)| k == name).map(|(_, c)| c)
    }

    /// The byte fields a caller may get and set whole: the collection-level
    /// strings and every metadata schema, by file key.
    pub fn field(&self, name: &str) -> Option<&[u8]> {
        if let Some(kind) = schema_of(name) {
            return self.table(kind).schema().map(|s| s.as_slice());
        }
        byte_fields!(self, name, &)
    }

    /// A byte field (see [`TableCollection::field`]) to replace.
    pub fn field_mut(&mut self, name: &str) -> Option<ColumnMut<'_>> {
        if let Some(kind) = schema_of(name) {
            return self.table_mut(kind).schema_mut();
        }
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
