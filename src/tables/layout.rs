//! Each table's columns, described once.
//!
//! A table is declared with [`table!`] (see `tables/mod.rs`): its struct,
//! its columns in order with their file keys, and whether it has a
//! metadata schema. Everything that goes over every column of a table
//! comes from that one list: counting rows, copying, comparing, clearing,
//! truncating, making room for new rows, permuting rows, listing the
//! columns by file key and reading them from a `.trees` file. What a column
//! does in each of these is given once per kind of column, by
//! [`TableColumn`] for plain columns ([`Col<T>`]) and ragged ones
//! ([`Ragged<T>`]).

use super::{sort, Col, Column, Dtype, Id, Ragged, TableKind, NULL, UNKNOWN_TIME_BITS};
use crate::alloc::{self, Grow};
use crate::error::Result;

/// A type the columns of a table hold.
pub trait Elem: bytemuck::Pod + Send + Sync {
    /// Its type in a `.trees` file and in the C API.
    const DTYPE: Dtype;
    /// The value a row gets when its column is not given: `NULL` for ids,
    /// tskit's unknown time for floats.
    const MISSING: Self;
    /// A column of these, borrowed.
    fn column(v: &[Self]) -> Column<'_>;
}

impl Elem for u8 {
    const DTYPE: Dtype = Dtype::U8;
    const MISSING: u8 = 0;
    fn column(v: &[u8]) -> Column<'_> {
        Column::Bytes(v)
    }
}

impl Elem for u32 {
    const DTYPE: Dtype = Dtype::U32;
    const MISSING: u32 = 0;
    fn column(v: &[u32]) -> Column<'_> {
        Column::U32(v)
    }
}

impl Elem for Id {
    const DTYPE: Dtype = Dtype::I32;
    const MISSING: Id = NULL;
    fn column(v: &[Id]) -> Column<'_> {
        Column::I32(v)
    }
}

impl Elem for f64 {
    const DTYPE: Dtype = Dtype::F64;
    const MISSING: f64 = f64::from_bits(UNKNOWN_TIME_BITS);
    fn column(v: &[f64]) -> Column<'_> {
        Column::F64(v)
    }
}

/// What is known of a column besides its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Its key in a `.trees` file, "table/column"; also the name it has in
    /// messages and in the C API's column functions. A ragged column's
    /// offsets are under the key with `_offset` added.
    pub key: &'static str,
    /// Whether a `.trees` file may lack it (older files do, as tskit
    /// allows): a missing plain column gets [`Elem::MISSING`] in every row,
    /// a missing ragged one empty rows.
    pub optional: bool,
}

impl Spec {
    /// The column's name within its table.
    pub fn name(&self) -> &'static str {
        self.key.split_once('/').map_or(self.key, |(_, name)| name)
    }

    /// Metadata is compared only when the comparison includes metadata.
    pub fn is_metadata(&self) -> bool {
        self.name() == "metadata"
    }
}

/// Where a table's columns are read from (the `.trees` reader).
pub trait ColumnSource {
    fn plain<T: Elem>(&mut self, spec: &Spec) -> Result<Col<T>>;
    fn ragged<T: Elem>(&mut self, spec: &Spec) -> Result<Ragged<T>>;
    /// A metadata schema; empty when missing.
    fn schema(&mut self, key: &str) -> Result<Vec<u8>>;
}

/// One column of a table: a plain [`Col<T>`] with one value a row, or a
/// [`Ragged<T>`] with any number a row. `what` arguments name the column
/// in messages (its file key).
pub trait TableColumn: Send + Sync {
    fn num_rows(&self) -> usize;
    /// The values (a ragged column's data).
    fn data(&self) -> Column<'_>;
    /// A ragged column's offsets; `None` for a plain column.
    fn offset(&self) -> Option<&[u64]>;
    fn truncate_rows(&mut self, num_rows: usize);

    /// An independent copy, failing instead of aborting.
    fn try_copy(&self, what: &str) -> Result<Self>
    where
        Self: Sized;

    /// The rows in `order` (row ids of `self`).
    fn gather_rows(&self, par: bool, order: &[u32], what: &str) -> Result<Self>
    where
        Self: Sized;

    /// Room for `rows` more rows (see [`Grow`]); a ragged column takes the
    /// number of values the rows hold from `data`.
    fn make_room<'a>(
        &'a mut self,
        g: &mut Grow<'a>,
        rows: usize,
        data: &mut dyn Iterator<Item = usize>,
        what: &str,
    ) -> Result<()>
    where
        Self: Sized;

    fn read(src: &mut impl ColumnSource, spec: &Spec) -> Result<Self>
    where
        Self: Sized;
}

impl<T: Elem> TableColumn for Col<T> {
    fn num_rows(&self) -> usize {
        self.len()
    }

    fn data(&self) -> Column<'_> {
        T::column(self)
    }

    fn offset(&self) -> Option<&[u64]> {
        None
    }

    fn truncate_rows(&mut self, num_rows: usize) {
        self.truncate(num_rows);
    }

    fn try_copy(&self, what: &str) -> Result<Self> {
        Ok(alloc::copy(self, what)?.into())
    }

    fn gather_rows(&self, par: bool, order: &[u32], what: &str) -> Result<Self> {
        Ok(sort::gather(par, self, order, what)?.into())
    }

    fn make_room<'a>(
        &'a mut self,
        g: &mut Grow<'a>,
        rows: usize,
        _data: &mut dyn Iterator<Item = usize>,
        what: &str,
    ) -> Result<()> {
        // A shared column is copied before it grows (copy on write).
        g.vec(self.try_make_mut(what)?, rows, what)
    }

    fn read(src: &mut impl ColumnSource, spec: &Spec) -> Result<Self> {
        src.plain(spec)
    }
}

impl<T: Elem> TableColumn for Ragged<T> {
    fn num_rows(&self) -> usize {
        Ragged::num_rows(self)
    }

    fn data(&self) -> Column<'_> {
        T::column(Ragged::data(self))
    }

    fn offset(&self) -> Option<&[u64]> {
        Some(Ragged::offset(self))
    }

    fn truncate_rows(&mut self, num_rows: usize) {
        self.truncate(num_rows);
    }

    fn try_copy(&self, what: &str) -> Result<Self> {
        self.try_clone(what)
    }

    fn gather_rows(&self, _par: bool, order: &[u32], what: &str) -> Result<Self> {
        self.gather(order, what)
    }

    fn make_room<'a>(
        &'a mut self,
        g: &mut Grow<'a>,
        rows: usize,
        data: &mut dyn Iterator<Item = usize>,
        what: &str,
    ) -> Result<()> {
        let data = data.next();
        debug_assert!(data.is_some(), "{what}: no data length given");
        let (data, replace) = (data.unwrap_or(0), g.replaces());
        g.other(self, |c| c.reserve_rows(rows, data, replace, what))
    }

    fn read(src: &mut impl ColumnSource, spec: &Spec) -> Result<Self> {
        src.ragged(spec)
    }
}

/// Bitwise equality of two columns of the same table, as tskit compares
/// columns (memcmp): a NaN equals the same NaN.
fn same_column(a: &dyn TableColumn, b: &dyn TableColumn) -> bool {
    a.offset() == b.offset() && a.data().as_bytes() == b.data().as_bytes()
}

/// What every table offers, made by [`table!`] from its column list.
pub trait Table: Send + Sync {
    fn kind(&self) -> TableKind;
    fn num_rows(&self) -> usize;
    /// Every column (not the schema) with its description, in order.
    fn columns(&self) -> Vec<(&'static Spec, &dyn TableColumn)>;
    /// `None` for the one table without a metadata schema (provenances).
    fn schema(&self) -> Option<&Vec<u8>>;
    fn schema_mut(&mut self) -> Option<&mut Vec<u8>>;
    /// Removes every row, keeping the metadata schema.
    fn clear(&mut self);
    fn truncate(&mut self, num_rows: usize);

    fn read(src: &mut impl ColumnSource) -> Result<Self>
    where
        Self: Sized;

    /// Equality with tskit's meaning: every column bitwise; metadata and
    /// the schema only when `metadata`.
    fn same(&self, other: &dyn Table, metadata: bool) -> bool {
        let (a, b) = (self.columns(), other.columns());
        self.num_rows() == other.num_rows()
            && a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(&(spec, x), &(_, y))| (spec.is_metadata() && !metadata) || same_column(x, y))
            && (!metadata || self.schema() == other.schema())
    }
}

/// Declares a table: its struct and the plumbing over its columns.
///
/// ```ignore
/// table! {
///     /// Documentation of the table.
///     pub struct NodeTable(Nodes, "nodes") {
///         flags: Vec<u32>,
///         population: Vec<Id>,
///         metadata: Ragged<u8> [optional];
///         metadata_schema
///     }
/// }
/// ```
///
/// Columns are listed in file order; `[optional]` marks one a `.trees` file
/// may lack (see [`Spec::optional`]); `; metadata_schema` at the end gives
/// the table a metadata schema. The file key of each column is the table's
/// name, a slash and the column's name.
macro_rules! table {
    (
        $(#[$doc:meta])*
        pub struct $Table:ident($kind:ident, $name:literal) {
            $( $col:ident: $ty:ty $([$opt:ident])? ),+ $(,)?
            $(; $schema:ident)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default)]
        pub struct $Table {
            $( pub $col: $ty, )+
            $( pub $schema: Vec<u8>, )?
        }

        impl $Table {
            /// An independent copy (`clone`), failing with `NoMemory` instead of aborting.
            pub fn try_clone(&self) -> $crate::error::Result<Self> {
                use $crate::tables::TableColumn as _;
                Ok($Table {
                    $( $col: self.$col.try_copy(concat!($name, "/", stringify!($col)))?, )+
                    $( $schema: $crate::alloc::copy(&self.$schema, concat!($name, "/", stringify!($schema)))?, )?
                })
            }

            /// The rows in `order` (row ids of `self`), with no schema.
            #[allow(dead_code)] // not every table is permuted
            pub(crate) fn gather(&self, par: bool, order: &[u32]) -> $crate::error::Result<Self> {
                use $crate::tables::TableColumn as _;
                Ok($Table {
                    $( $col: self.$col.gather_rows(par, order, concat!($name, "/", stringify!($col)))?, )+
                    $( $schema: ::std::vec::Vec::new(), )?
                })
            }

            /// Room in every column for `rows` more rows, all or none;
            /// `data` has, for each ragged column in order, the number of
            /// values the rows hold there. With `replace` the room is for
            /// rows that replace the existing ones, which are removed (see
            /// [`Grow`](crate::alloc::Grow)).
            pub(crate) fn make_room(&mut self, rows: usize, data: &[usize], replace: bool) -> $crate::error::Result<()> {
                use $crate::tables::TableColumn as _;
                let mut g = if replace {
                    $crate::alloc::Grow::replace()
                } else {
                    $crate::alloc::Grow::append()
                };
                let mut data = data.iter().copied();
                $( self.$col.make_room(&mut g, rows, &mut data, concat!($name, "/", stringify!($col)))?; )+
                debug_assert!(data.next().is_none(), "{}: more data lengths than ragged columns", $name);
                g.keep();
                Ok(())
            }
        }

        impl $crate::tables::Table for $Table {
            fn kind(&self) -> $crate::tables::TableKind {
                $crate::tables::TableKind::$kind
            }

            fn num_rows(&self) -> usize {
                $crate::tables::layout::table!(@first self $($col)+)
            }

            fn columns(&self) -> Vec<(&'static $crate::tables::Spec, &dyn $crate::tables::TableColumn)> {
                vec![$((
                    &$crate::tables::Spec {
                        key: concat!($name, "/", stringify!($col)),
                        optional: $crate::tables::layout::table!(@optional $($opt)?),
                    },
                    &self.$col as &dyn $crate::tables::TableColumn,
                )),+]
            }

            fn schema(&self) -> Option<&Vec<u8>> {
                $crate::tables::layout::table!(@schema (&self) $($schema)?)
            }

            fn schema_mut(&mut self) -> Option<&mut Vec<u8>> {
                $crate::tables::layout::table!(@schema (&mut self) $($schema)?)
            }

            fn clear(&mut self) {
                *self = $Table {
                    $( $schema: ::std::mem::take(&mut self.$schema), )?
                    ..Default::default()
                };
            }

            fn truncate(&mut self, num_rows: usize) {
                use $crate::tables::TableColumn as _;
                $( self.$col.truncate_rows(num_rows); )+
            }

            fn read(src: &mut impl $crate::tables::ColumnSource) -> $crate::error::Result<Self> {
                use $crate::tables::TableColumn;
                Ok($Table {
                    $( $col: TableColumn::read(src, &$crate::tables::Spec {
                        key: concat!($name, "/", stringify!($col)),
                        optional: $crate::tables::layout::table!(@optional $($opt)?),
                    })?, )+
                    $( $schema: src.schema(concat!($name, "/", stringify!($schema)))?, )?
                })
            }
        }
    };
    (@first $s:tt $first:ident $($rest:ident)*) => {
        $crate::tables::TableColumn::num_rows(&$s.$first)
    };
    (@optional) => { false };
    (@optional optional) => { true };
    (@schema ($($r:tt)+)) => { None };
    (@schema ($($r:tt)+) $schema:ident) => { Some($($r)+.$schema) };
}
pub(crate) use table;

#[cfg(test)]
mod tests {
    use crate::tables::{TableCollection, TableKind};

    #[test]
    fn descriptions_agree_with_kinds() {
        let t = TableCollection::new(1.0).unwrap();
        for kind in TableKind::ALL {
            let table = t.table(kind);
            assert_eq!(table.kind(), kind);
            for (spec, column) in table.columns() {
                assert_eq!(spec.key, format!("{}/{}", kind.name(), spec.name()));
                assert_eq!(column.num_rows(), 0, "{}", spec.key);
            }
            assert_eq!(table.schema().is_none(), kind == TableKind::Provenances);
        }
    }

    #[test]
    fn optional_columns_as_tskit_reads_them() {
        let t = TableCollection::new(1.0).unwrap();
        let mut optional: Vec<&str> = TableKind::ALL
            .into_iter()
            .flat_map(|kind| t.table(kind).columns())
            .filter(|(spec, _)| spec.optional)
            .map(|(spec, _)| spec.key)
            .collect();
        optional.sort();
        assert_eq!(
            optional,
            [
                "edges/metadata",
                "individuals/parents",
                "migrations/metadata",
                "mutations/time"
            ]
        );
    }
}
