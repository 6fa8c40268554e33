//! Reading and writing `.trees` files: the kastore container and tskit's key set.

pub mod kastore;
pub mod mmap;
pub mod trees;
