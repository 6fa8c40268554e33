//! Sorting, integrity checks and edge indexes on a `tspar_tables_t`.
