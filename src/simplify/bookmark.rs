//! Row counts of every table, and truncation back to them: a simulator
//! records where a generation started and can undo it, or sort and simplify
//! only what came after.

use crate::error::{fail, Error, Result};
use crate::tables::{TableCollection, TableKind};

/// The number of rows of each table at some moment (tskit's `tsk_bookmark_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bookmark {
    pub individuals: usize,
    pub nodes: usize,
    pub edges: usize,
    pub migrations: usize,
    pub sites: usize,
    pub mutations: usize,
    pub populations: usize,
    pub provenances: usize,
}

impl Bookmark {
    pub fn get(&self, kind: TableKind) -> usize {
        match kind {
            TableKind::Individuals => self.individuals,
            TableKind::Nodes => self.nodes,
            TableKind::Edges => self.edges,
            TableKind::Migrations => self.migrations,
            TableKind::Sites => self.sites,
            TableKind::Mutations => self.mutations,
            TableKind::Populations => self.populations,
            TableKind::Provenances => self.provenances,
        }
    }
}

impl TableCollection {
    pub fn record_num_rows(&self) -> Bookmark {
        Bookmark {
            individuals: self.num_rows(TableKind::Individuals),
            nodes: self.num_rows(TableKind::Nodes),
            edges: self.num_rows(TableKind::Edges),
            migrations: self.num_rows(TableKind::Migrations),
            sites: self.num_rows(TableKind::Sites),
            mutations: self.num_rows(TableKind::Mutations),
            populations: self.num_rows(TableKind::Populations),
            provenances: self.num_rows(TableKind::Provenances),
        }
    }

    /// Cuts every table back to the bookmark's row count and drops the edge
    /// indexes, as tskit's truncate does. A count beyond a table's end is
    /// `BadTablePosition`, checked for all tables before any changes.
    pub fn truncate(&mut self, to: &Bookmark) -> Result<()> {
        for kind in TableKind::ALL {
            let (want, have) = (to.get(kind), self.num_rows(kind));
            if want > have {
                fail!(
                    Error::BadTablePosition,
                    "truncate: {} bookmark is {want} but the table has {have} rows",
                    kind.name()
                );
            }
        }
        self.indexes = None;
        for kind in TableKind::ALL {
            self.table_mut(kind).truncate(to.get(kind));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{EdgeIndexes, NULL};

    fn filled() -> TableCollection {
        let mut t = TableCollection::new(10.0).unwrap();
        t.add_population(b"pop0").unwrap();
        t.add_individual(0, &[1.0], &[NULL], b"i0").unwrap();
        t.add_node(1, 0.0, 0, 0, b"n0").unwrap();
        t.add_node(0, 1.0, 0, NULL, b"n1").unwrap();
        t.add_edge(0.0, 10.0, 1, 0, b"").unwrap();
        t.add_site(1.0, b"A", b"s0").unwrap();
        t.add_mutation(0, 0, NULL, 0.5, b"T", b"m0").unwrap();
        t.add_migration(0.0, 1.0, 0, 0, 0, 0.5, b"g0").unwrap();
        t.add_provenance(b"then", b"{}").unwrap();
        t
    }

    #[test]
    fn truncate_back_to_bookmark() {
        let mut t = filled();
        let before = t.clone();
        let mark = t.record_num_rows();
        assert_eq!(mark.nodes, 2);
        assert_eq!(mark.provenances, 1);
        t.add_population(b"pop1 longer").unwrap();
        t.add_individual(3, &[2.0, 3.0], &[0, 0], b"i1").unwrap();
        t.add_node(0, 2.0, 1, 1, b"n2 metadata").unwrap();
        t.add_edge(0.0, 5.0, 2, 1, b"").unwrap();
        t.add_site(2.0, b"GG", b"s1").unwrap();
        t.add_mutation(1, 1, NULL, 1.5, b"CC", b"m1").unwrap();
        t.add_migration(1.0, 2.0, 1, 0, 1, 1.5, b"g1").unwrap();
        t.add_provenance(b"now", b"{\"a\": 1}").unwrap();
        t.indexes = Some(EdgeIndexes::default());
        t.truncate(&mark).unwrap();
        assert!(t.equals(&before, 0));
        assert!(t.indexes.is_none());
        // Ragged columns were cut at the right offsets: a new row reads back.
        t.add_node(0, 3.0, NULL, NULL, b"xyz").unwrap();
        assert_eq!(t.nodes.metadata.row(2), b"xyz");
        assert_eq!(t.nodes.metadata.data(), b"n0n1xyz");
    }

    #[test]
    fn truncate_to_empty_and_past_end() {
        let mut t = filled();
        let before = t.clone();
        let mut mark = Bookmark {
            edges: 5,
            ..Default::default()
        };
        let e = t.truncate(&mark).unwrap_err();
        assert_eq!(e.kind, Error::BadTablePosition);
        assert!(t.equals(&before, 0), "a rejected truncate changes nothing");
        mark.edges = 0;
        t.truncate(&mark).unwrap();
        for kind in TableKind::ALL {
            assert_eq!(t.num_rows(kind), 0, "{kind:?}");
        }
        assert_eq!(t.sequence_length, 10.0);
    }
}
