//! A column's storage: its own vector, or a window into memory that it
//! shares with other columns and other processes (a read-only mapping of a
//! `.trees` file, see `io/mmap.rs`).
//!
//! Reading a column is the same either way (it derefs to a slice). The
//! first change to a shared column copies it into a vector of its own
//! (copy on write), so tables taken out of a mapped tree sequence can be
//! sorted, simplified and edited as any others, and the mapping is never
//! written.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::alloc;
use crate::error::Result;

/// What keeps shared column memory alive (a mapping); dropped with the
/// last column that uses it.
pub type Keep = Arc<dyn Send + Sync>;

/// A column's values: owned, or borrowed from memory that `keep` owns.
pub struct Col<T: 'static> {
    repr: Repr<T>,
}

enum Repr<T: 'static> {
    Owned(Vec<T>),
    /// `data` lives as long as `keep` does; its `'static` lifetime is never
    /// handed out (every borrow is tied to `&self`).
    Shared {
        data: &'static [T],
        keep: Keep,
    },
}

impl<T> Col<T> {
    /// A column over `data`, held together with `keep`. A mapped file's
    /// reader (`io/mmap.rs`) gives `data` a `'static` lifetime that really
    /// is "as long as `keep`": which is sound because the column never lets
    /// that lifetime escape (every borrow is tied to `&self`) and holds
    /// `keep` for as long as it holds `data`.
    pub(crate) fn shared(data: &'static [T], keep: Keep) -> Self {
        Col {
            repr: Repr::Shared { data, keep },
        }
    }

    pub const fn new() -> Self {
        Col {
            repr: Repr::Owned(Vec::new()),
        }
    }

    /// Whether the values are borrowed from a mapping (not yet written).
    pub fn is_shared(&self) -> bool {
        matches!(self.repr, Repr::Shared { .. })
    }

    pub fn as_slice(&self) -> &[T] {
        match &self.repr {
            Repr::Owned(v) => v,
            Repr::Shared { data, .. } => data,
        }
    }

    /// The owned vector, copying a shared column first (aborting if the
    /// copy cannot be allocated; see [`Col::try_make_mut`]).
    pub fn make_mut(&mut self) -> &mut Vec<T>
    where
        T: Clone,
    {
        if let Repr::Shared { data, .. } = &self.repr {
            self.repr = Repr::Owned(data.to_vec());
        }
        match &mut self.repr {
            Repr::Owned(v) => v,
            Repr::Shared { .. } => unreachable!("made owned above"),
        }
    }

    /// [`Col::make_mut`], failing with `NoMemory` instead of aborting.
    pub fn try_make_mut(&mut self, what: &str) -> Result<&mut Vec<T>>
    where
        T: Clone,
    {
        if let Repr::Shared { data, .. } = &self.repr {
            self.repr = Repr::Owned(alloc::copy(data, what)?);
        }
        Ok(self.make_mut())
    }

    /// The values as a vector of their own (a copy when shared).
    pub fn into_vec(self) -> Vec<T>
    where
        T: Clone,
    {
        match self.repr {
            Repr::Owned(v) => v,
            Repr::Shared { data, .. } => data.to_vec(),
        }
    }

    /// Capacity of the owned vector; a shared column has none to grow into.
    pub fn capacity(&self) -> usize {
        match &self.repr {
            Repr::Owned(v) => v.capacity(),
            Repr::Shared { data, .. } => data.len(),
        }
    }

    pub fn push(&mut self, x: T)
    where
        T: Clone,
    {
        self.make_mut().push(x);
    }

    pub fn extend_from_slice(&mut self, s: &[T])
    where
        T: Clone,
    {
        self.make_mut().extend_from_slice(s);
    }

    pub fn resize(&mut self, n: usize, value: T)
    where
        T: Clone,
    {
        self.make_mut().resize(n, value);
    }

    pub fn reserve(&mut self, n: usize)
    where
        T: Clone,
    {
        self.make_mut().reserve(n);
    }

    pub fn pop(&mut self) -> Option<T>
    where
        T: Clone,
    {
        self.make_mut().pop()
    }

    /// Shortens the column; a shared one stays shared (a shorter window).
    pub fn truncate(&mut self, n: usize) {
        match &mut self.repr {
            Repr::Owned(v) => v.truncate(n),
            Repr::Shared { data, .. } => *data = &data[..n.min(data.len())],
        }
    }

    /// Empties the column, letting go of shared memory.
    pub fn clear(&mut self) {
        match &mut self.repr {
            Repr::Owned(v) => v.clear(),
            Repr::Shared { .. } => self.repr = Repr::Owned(Vec::new()),
        }
    }
}

impl<T> Default for Col<T> {
    fn default() -> Self {
        Col::new()
    }
}

/// A clone of a shared column shares the same memory.
impl<T: Clone> Clone for Col<T> {
    fn clone(&self) -> Self {
        Col {
            repr: match &self.repr {
                Repr::Owned(v) => Repr::Owned(v.clone()),
                Repr::Shared { data, keep } => Repr::Shared {
                    data,
                    keep: keep.clone(),
                },
            },
        }
    }
}

impl<T> Deref for Col<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Clone> DerefMut for Col<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.make_mut()
    }
}

impl<T> From<Vec<T>> for Col<T> {
    fn from(v: Vec<T>) -> Self {
        Col { repr: Repr::Owned(v) }
    }
}

impl<T: Clone> From<&[T]> for Col<T> {
    fn from(v: &[T]) -> Self {
        Col::from(v.to_vec())
    }
}

impl<T> FromIterator<T> for Col<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Col::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<T: Clone> Extend<T> for Col<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.make_mut().extend(iter);
    }
}

impl<'a, T> IntoIterator for &'a Col<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for Col<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Col<T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for Col<T> {}

impl<T: PartialEq> PartialEq<Vec<T>> for Col<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialEq> PartialEq<[T]> for Col<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq, const N: usize> PartialEq<[T; N]> for Col<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialEq> PartialEq<&[T]> for Col<T> {
    fn eq(&self, other: &&[T]) -> bool {
        self.as_slice() == *other
    }
}

impl<T: Clone> alloc::Shrink for Col<T> {
    fn capacities(&self) -> (usize, usize) {
        (self.capacity(), 0)
    }

    fn shrink_back(&mut self, capacities: (usize, usize)) {
        if let Repr::Owned(v) = &mut self.repr {
            v.shrink_back(capacities);
        }
    }

    fn clear_rows(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_copies_on_write() {
        static DATA: [i32; 3] = [1, 2, 3];
        let keep: Keep = Arc::new(());
        let mut c = Col::shared(&DATA[..], keep);
        let d = c.clone();
        assert!(c.is_shared() && d.is_shared());
        c.truncate(2);
        assert!(c.is_shared());
        assert_eq!(c, [1, 2]);
        c.push(7);
        assert!(!c.is_shared());
        assert_eq!(c, [1, 2, 7]);
        assert_eq!(d, [1, 2, 3]);
        let mut e = d.clone();
        e[0] = 9;
        assert_eq!((e.as_slice(), d.as_slice()), (&[9, 2, 3][..], &[1, 2, 3][..]));
    }
}
