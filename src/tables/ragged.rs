//! A ragged column: one flat data vector and an offset vector with one entry
//! more than there are rows, as in tskit's tables and file format. Row `j`
//! owns `data[offset[j]..offset[j + 1]]`.

use super::Col;
use crate::alloc;
use crate::error::{fail, Error, Result};

#[derive(Clone, Debug)]
pub struct Ragged<T: 'static> {
    data: Col<T>,
    offset: Col<u64>,
}

impl<T> Default for Ragged<T> {
    fn default() -> Self {
        Ragged {
            data: Col::new(),
            offset: vec![0].into(),
        }
    }
}

impl<T: Copy> Ragged<T> {
    /// Builds from raw columns, checking that the offsets are a valid
    /// partition of `data` into `num_rows` rows.
    pub fn from_parts(
        data: impl Into<Col<T>>,
        offset: impl Into<Col<u64>>,
        num_rows: usize,
        what: &str,
    ) -> Result<Self> {
        let (data, offset) = (data.into(), offset.into());
        check_offsets(&offset, num_rows, data.len(), what)?;
        Ok(Ragged { data, offset })
    }

    pub fn data(&self) -> &[T] {
        &self.data
    }

    pub fn offset(&self) -> &[u64] {
        &self.offset
    }

    pub fn num_rows(&self) -> usize {
        self.offset.len() - 1
    }

    pub fn row(&self, j: usize) -> &[T] {
        &self.data[self.offset[j] as usize..self.offset[j + 1] as usize]
    }

    pub fn push(&mut self, value: &[T]) {
        self.data.extend_from_slice(value);
        self.offset.push(self.data.len() as u64);
    }

    /// [`Ragged::push`], failing instead of aborting when a column must grow;
    /// on failure the column is as it was.
    pub fn try_push(&mut self, value: &[T], what: &str) -> Result<()> {
        alloc::reserve(self.data.try_make_mut(what)?, value.len(), what)?;
        alloc::reserve(self.offset.try_make_mut(what)?, 1, what)?;
        self.push(value);
        Ok(())
    }

    /// Room for `rows` more rows holding `data` more elements (when
    /// `replace`, for `rows` rows of `data` elements that replace the
    /// existing ones). On failure the capacity may have grown; the caller
    /// gives it back (see [`crate::alloc::Grow`]).
    pub(crate) fn reserve_rows(&mut self, rows: usize, data: usize, replace: bool, what: &str) -> Result<()> {
        if replace {
            let more = data.saturating_sub(self.data.len());
            alloc::reserve_exact(self.data.try_make_mut(what)?, more, what)?;
            let offsets = rows.saturating_add(1).saturating_sub(self.offset.len());
            alloc::reserve_exact(self.offset.try_make_mut(what)?, offsets, what)
        } else {
            alloc::reserve(self.data.try_make_mut(what)?, data, what)?;
            alloc::reserve(self.offset.try_make_mut(what)?, rows, what)
        }
    }

    /// Appends `n` empty rows (the room is made by the caller).
    pub(crate) fn extend_empty(&mut self, n: usize) {
        let end = self.data.len() as u64;
        let len = self.offset.len();
        self.offset.resize(len + n, end);
    }

    /// Appends many rows given as data plus offsets (offsets relative to
    /// `data`, starting at 0). The caller has checked them.
    pub fn extend(&mut self, data: &[T], offset: &[u64]) {
        let base = self.data.len() as u64;
        self.data.extend_from_slice(data);
        self.offset.extend(offset[1..].iter().map(|&o| o + base));
    }

    pub fn truncate(&mut self, num_rows: usize) {
        let end = self.offset[num_rows] as usize;
        self.data.truncate(end);
        self.offset.truncate(num_rows + 1);
    }

    /// The rows in `order` (row ids of `self`).
    pub(crate) fn gather(&self, order: &[u32], what: &str) -> Result<Ragged<T>> {
        if self.data.is_empty() {
            // Every row is empty: only the number of rows changes.
            return Ok(Ragged {
                data: Col::new(),
                offset: alloc::zeroed(order.len() + 1, what)?.into(),
            });
        }
        let mut offset = alloc::with_capacity(order.len() + 1, what)?;
        // At most all of the data (when `order` repeats no row).
        let total: usize = order.iter().map(|&k| self.row(k as usize).len()).sum();
        let mut data = alloc::with_capacity(total, what)?;
        offset.push(0);
        for &k in order {
            data.extend_from_slice(self.row(k as usize));
            offset.push(data.len() as u64);
        }
        Ok(Ragged {
            data: data.into(),
            offset: offset.into(),
        })
    }

    /// An independent copy, failing instead of aborting.
    pub fn try_clone(&self, what: &str) -> Result<Self> {
        Ok(Ragged {
            data: alloc::copy(&self.data, what)?.into(),
            offset: alloc::copy(&self.offset, what)?.into(),
        })
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.offset.clear();
        self.offset.push(0);
    }

    pub fn reserve(&mut self, rows: usize, data: usize) {
        self.data.reserve(data);
        self.offset.reserve(rows);
    }

    pub fn same_bits(&self, other: &Self) -> bool
    where
        T: bytemuck::Pod,
    {
        self.offset == other.offset && same_bits(&self.data, &other.data)
    }
}

impl<T: Clone> alloc::Shrink for Ragged<T> {
    fn capacities(&self) -> (usize, usize) {
        (self.data.capacity(), self.offset.capacity())
    }

    fn shrink_back(&mut self, capacities: (usize, usize)) {
        self.data.shrink_back((capacities.0, 0));
        self.offset.shrink_back((capacities.1, 0));
    }

    fn clear_rows(&mut self) {
        self.data.clear();
        self.offset.clear();
        self.offset.push(0);
    }
}

/// Checks a ragged offset column: `num_rows + 1` entries, starting at 0,
/// non-decreasing, ending at the data length.
pub fn check_offsets(offset: &[u64], num_rows: usize, data_len: usize, what: &str) -> Result<()> {
    if offset.len() != num_rows + 1 {
        fail!(
            Error::BadOffset,
            "{what}: offset column has {} entries, expected {}",
            offset.len(),
            num_rows + 1
        );
    }
    if offset[0] != 0 {
        fail!(Error::BadOffset, "{what}: first offset is {}, not 0", offset[0]);
    }
    if let Some(j) = offset.windows(2).position(|w| w[0] > w[1]) {
        fail!(
            Error::BadOffset,
            "{what}: offsets decrease at row {j} ({} > {})",
            offset[j],
            offset[j + 1]
        );
    }
    if offset[num_rows] != data_len as u64 {
        fail!(
            Error::BadOffset,
            "{what}: last offset is {} but the data column has {} entries",
            offset[num_rows],
            data_len
        );
    }
    Ok(())
}

/// Bitwise equality of two columns, as tskit compares columns (memcmp): a
/// NaN equals the same NaN, and the unknown-time NaN is not lost.
pub fn same_bits<T: bytemuck::Pod>(a: &[T], b: &[T]) -> bool {
    bytemuck::cast_slice::<T, u8>(a) == bytemuck::cast_slice::<T, u8>(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_row_truncate() {
        let mut r: Ragged<u8> = Ragged::default();
        r.push(b"ab");
        r.push(b"");
        r.push(b"cde");
        assert_eq!(r.num_rows(), 3);
        assert_eq!(r.row(0), b"ab");
        assert_eq!(r.row(1), b"");
        assert_eq!(r.row(2), b"cde");
        r.truncate(1);
        assert_eq!(r.data(), b"ab");
        assert_eq!(r.offset(), &[0, 2]);
    }

    #[test]
    fn bad_offsets_rejected() {
        let e = Ragged::<u8>::from_parts(b"abc".to_vec(), vec![0, 2, 1, 3], 3, "x").unwrap_err();
        assert_eq!(e.kind, Error::BadOffset);
        let e = Ragged::<u8>::from_parts(b"abc".to_vec(), vec![0, 2], 1, "x").unwrap_err();
        assert_eq!(e.kind, Error::BadOffset);
        let e = Ragged::<u8>::from_parts(b"abc".to_vec(), vec![1, 3], 1, "x").unwrap_err();
        assert_eq!(e.kind, Error::BadOffset);
        assert!(Ragged::<u8>::from_parts(b"abc".to_vec(), vec![0, 0, 3], 2, "x").is_ok());
    }

    #[test]
    fn nan_bits_compare() {
        let a = [f64::from_bits(0x7ff8_0000_0000_0001)];
        let b = [f64::from_bits(0x7ff8_0000_0000_0001)];
        let c = [f64::NAN];
        assert!(same_bits(&a, &b));
        assert!(!same_bits(&a, &c));
    }
}
