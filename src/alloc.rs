//! Fallible allocation for everything whose size comes from the input or
//! grows with it.
//!
//! Rust's own allocation calls (`vec!`, `Vec::with_capacity`, `push` past
//! the capacity, `collect`, `clone`) print "memory allocation of N bytes
//! failed" and abort the process when the allocator says no. A library that
//! a host program (an R session, a notebook, a simulator) loads must not do
//! that, so every allocation sized by the input goes through these helpers
//! instead, which fail with [`Error::NoMemory`] and a message saying what
//! could not be allocated. Small allocations of a fixed size (a message, a
//! handle) stay as they are.

use std::collections::TryReserveError;

use crate::error::{Error, Failure, Result};

/// `n` with a comma between each group of three digits.
fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (j, c) in digits.chars().enumerate() {
        if j > 0 && (digits.len() - j) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The failure for `count` elements of `T` that could not be allocated for `what`.
pub fn no_memory<T>(count: usize, what: &str) -> Failure {
    let bytes = count as u128 * std::mem::size_of::<T>() as u128;
    Failure::new(
        Error::NoMemory,
        format!("cannot allocate {} bytes for {what}", grouped(bytes)),
    )
}

fn reserve_failed<T>(v: &[T], additional: usize, what: &str, _e: TryReserveError) -> Failure {
    no_memory::<T>(v.len().saturating_add(additional), what)
}

/// An empty vector with room for `n` elements.
pub fn with_capacity<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|e| reserve_failed(&v, n, what, e))?;
    Ok(v)
}

/// `n` copies of `value`.
pub fn filled<T: Clone>(n: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = with_capacity(n, what)?;
    v.resize(n, value);
    Ok(v)
}

/// `n` zeroed elements, from memory the kernel hands out already zeroed
/// where it can (no pass over the memory to clear it).
pub fn zeroed<T: bytemuck::Zeroable>(n: usize, what: &str) -> Result<Vec<T>> {
    bytemuck::allocation::try_zeroed_vec(n).map_err(|()| no_memory::<T>(n, what))
}

/// Makes room for `additional` more elements (amortised growth, as `push`).
pub fn reserve<T>(v: &mut Vec<T>, additional: usize, what: &str) -> Result<()> {
    v.try_reserve(additional)
        .map_err(|e| reserve_failed(v, additional, what, e))
}

/// Makes room for exactly `additional` more elements.
pub fn reserve_exact<T>(v: &mut Vec<T>, additional: usize, what: &str) -> Result<()> {
    v.try_reserve_exact(additional)
        .map_err(|e| reserve_failed(v, additional, what, e))
}

/// `v.push(x)`, failing instead of aborting when `v` must grow.
#[inline]
pub fn push<T>(v: &mut Vec<T>, x: T, what: &str) -> Result<()> {
    if v.len() == v.capacity() {
        reserve(v, 1, what)?;
    }
    v.push(x);
    Ok(())
}

/// `v.extend_from_slice(s)`, failing instead of aborting when `v` must grow.
pub fn extend_from_slice<T: Clone>(v: &mut Vec<T>, s: &[T], what: &str) -> Result<()> {
    reserve(v, s.len(), what)?;
    v.extend_from_slice(s);
    Ok(())
}

/// `v.extend(items)`, failing instead of aborting when `v` must grow. The
/// iterator's lower size bound is reserved first; anything beyond it is
/// pushed one by one.
pub fn extend<T>(v: &mut Vec<T>, items: impl IntoIterator<Item = T>, what: &str) -> Result<()> {
    let items = items.into_iter();
    reserve(v, items.size_hint().0, what)?;
    for x in items {
        push(v, x, what)?;
    }
    Ok(())
}

/// A copy of a slice (`to_vec`).
pub fn copy<T: Clone>(s: &[T], what: &str) -> Result<Vec<T>> {
    let mut v = with_capacity(s.len(), what)?;
    v.extend_from_slice(s);
    Ok(v)
}

/// Collects an iterator (`collect`), with room for its lower size bound
/// made first; for an iterator of known length that is the only allocation.
pub fn collect<T>(items: impl IntoIterator<Item = T>, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    extend(&mut v, items, what)?;
    Ok(v)
}

/// Room made in several columns for rows about to be added, all or none:
/// if one column cannot grow, the ones that already grew are given their
/// old capacity back when the `Grow` is dropped, so a failed call leaves
/// nothing allocated behind. [`Grow::keep`] commits; for a `Grow` made
/// with `replace`, it also clears the columns (whose capacity then holds
/// the new rows) so that the rows can be written from the start.
pub struct Grow<'a> {
    replace: bool,
    done: Vec<(&'a mut dyn Shrink, usize, usize)>,
}

/// A column whose capacity can be given back.
pub trait Shrink {
    fn capacities(&self) -> (usize, usize);
    fn shrink_back(&mut self, capacities: (usize, usize));
    fn clear_rows(&mut self);
}

impl<T> Shrink for Vec<T> {
    fn capacities(&self) -> (usize, usize) {
        (self.capacity(), 0)
    }

    fn shrink_back(&mut self, capacities: (usize, usize)) {
        if self.capacity() > capacities.0 {
            self.shrink_to(capacities.0);
        }
    }

    fn clear_rows(&mut self) {
        self.clear();
    }
}

impl<'a> Grow<'a> {
    /// For rows added after the existing ones.
    pub fn append() -> Self {
        Grow {
            replace: false,
            done: Vec::new(),
        }
    }

    /// For rows that replace the existing ones (the columns are cleared by
    /// [`Grow::keep`]); the existing allocation is reused where it is large
    /// enough.
    pub fn replace() -> Self {
        Grow {
            replace: true,
            done: Vec::new(),
        }
    }

    /// Whether the room is for rows that replace the existing ones.
    pub fn replaces(&self) -> bool {
        self.replace
    }

    /// Room for `n` new elements in `v`.
    pub fn vec<T>(&mut self, v: &'a mut Vec<T>, n: usize, what: &str) -> Result<()> {
        let before = v.capacity();
        if self.replace {
            let additional = n.saturating_sub(v.len());
            v.try_reserve_exact(additional)
                .map_err(|e| reserve_failed(v, additional, what, e))?;
        } else if v.capacity() - v.len() < n {
            reserve(v, n, what)?;
        }
        if self.replace || v.capacity() != before {
            self.done.push((v, before, 0));
        }
        Ok(())
    }

    /// Room in a column of another shape (a ragged column's two vectors),
    /// made by `make_room`, which changes nothing when it fails.
    pub fn other<C: Shrink>(&mut self, c: &'a mut C, make_room: impl FnOnce(&mut C) -> Result<()>) -> Result<()> {
        let before = c.capacities();
        match make_room(c) {
            Ok(()) => {
                if self.replace || c.capacities() != before {
                    self.done.push((c, before.0, before.1));
                }
                Ok(())
            }
            Err(e) => {
                c.shrink_back(before);
                Err(e)
            }
        }
    }

    /// Every column has its room: keep it (and clear the columns when replacing).
    pub fn keep(mut self) {
        for (c, _, _) in self.done.iter_mut() {
            if self.replace {
                c.clear_rows();
            }
        }
        self.done.clear();
    }
}

impl Drop for Grow<'_> {
    fn drop(&mut self) {
        for (c, a, b) in self.done.iter_mut() {
            c.shrink_back((*a, *b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_bytes_and_what() {
        let e = with_capacity::<f64>(usize::MAX / 4, "the edge left column").unwrap_err();
        assert_eq!(e.kind, Error::NoMemory);
        assert!(e.detail.starts_with("cannot allocate "), "{}", e.detail);
        assert!(e.detail.ends_with(" bytes for the edge left column"), "{}", e.detail);
        assert_eq!(grouped(160_000_000), "160,000,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert!(zeroed::<u64>(usize::MAX / 8, "x").is_err());
        assert_eq!(zeroed::<u32>(3, "x").unwrap(), [0, 0, 0]);
        assert_eq!(filled(2, 7u8, "x").unwrap(), [7, 7]);
    }

    #[test]
    fn grow_gives_back_on_failure() {
        let mut a: Vec<u64> = vec![1, 2, 3];
        a.shrink_to_fit();
        let mut b: Vec<u64> = vec![4];
        let cap_b = b.capacity();
        {
            let mut g = Grow::append();
            g.vec(&mut b, 1000, "b").unwrap();
            assert!(g.vec(&mut a, usize::MAX / 16, "a").is_err());
        }
        assert_eq!(b.capacity(), cap_b);
        assert_eq!((a.as_slice(), b.as_slice()), (&[1u64, 2, 3][..], &[4u64][..]));
        {
            let mut g = Grow::replace();
            g.vec(&mut a, 10, "a").unwrap();
            g.keep();
        }
        assert!(a.is_empty() && a.capacity() >= 10);
    }
}
