//! tspar: tree sequences with a thread-safe C API and parallel statistics.
//!
//! tspar reads and writes the same `.trees` files as tskit and holds the same
//! eight tables. The core modules are safe Rust returning
//! [`error::Result`]; `capi` is the only module with `extern "C"` functions.

pub mod alloc;
pub mod capi;
pub mod error;
pub mod genotypes;
pub mod io;
pub mod parallel;
pub mod simplify;
pub mod stats;
pub mod tables;
pub mod treeseq;
