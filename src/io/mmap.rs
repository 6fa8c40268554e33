//! Mapped loads: a `.trees` file mapped read-only into memory, whose
//! arrays the tables then use in place instead of copying them. Processes
//! that map the same file share its pages (the page cache), so N processes
//! hold one copy of the columns instead of N.
//!
//! What is used in place: every column whose array in the file has the
//! column's own type and lies at an address aligned for it (kastore aligns
//! arrays to 8 bytes, and the map starts on a page), and the edge indexes.
//! What is not: `uint32` offset columns (widened to `u64` in private
//! memory, as in a copying load; all-zero ones, such as empty metadata,
//! become zero pages that cost nothing until written), the small
//! collection-level fields, and everything a tree sequence derives.
//!
//! The same checks as in a copying load run on the mapped bytes before the
//! load returns, so a damaged file is refused with the same error.
//!
//! Another process changing the file:
//! - Replacing it by renaming a new file over it (as `tspar_tables_dump`,
//!   tskit and most tools do) is safe: the mapping keeps the old file's
//!   pages, which stay until the last column using them is dropped.
//! - Truncating it or writing into it in place while it is mapped is not:
//!   the file's size is checked right after mapping and again once the
//!   load is complete (a changed size fails the load with
//!   `FileChanged`), but a truncation that races the load itself, or
//!   happens after it, makes the next read of a page past the new end
//!   raise SIGBUS in this process, and bytes written in place show
//!   through the mapping. This is the usual contract of mapped files
//!   (numpy.memmap and every mmap reader share it): do not truncate or
//!   rewrite in place a file that is loaded with a mapping.

use std::fs::File;
use std::sync::Arc;

use crate::error::{fail, Error, Failure, Result};
use crate::tables::{Col, Keep};

/// A read-only private mapping of a whole file.
#[derive(Debug)]
pub struct Mapping {
    ptr: *const u8,
    len: usize,
    /// Kept open to check the file's size again after the load.
    file: File,
}

// SAFETY: the mapping is read-only (PROT_READ) and this type never writes
// through `ptr`; shared references to read-only memory may be used from any
// thread, and munmap in `drop` may run on any thread.
unsafe impl Send for Mapping {}
// SAFETY: as for Send: only reads, through `&self`.
unsafe impl Sync for Mapping {}

impl Drop for Mapping {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: ptr/len are exactly what mmap returned in `map`, and no
            // column borrows from it any more: every `Col` that does holds an
            // `Arc` of this mapping, so the last of them is gone.
            unsafe {
                libc::munmap(self.ptr as *mut libc::c_void, self.len);
            }
        }
    }
}

fn file_size(file: &File) -> std::io::Result<u64> {
    Ok(file.metadata()?.len())
}

impl Mapping {
    /// Maps all of `file` read-only. A directory fails with `EISDIR`, as
    /// for a copying load.
    pub fn map(file: File) -> std::io::Result<Mapping> {
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(std::io::Error::from_raw_os_error(libc::EISDIR));
        }
        let len = usize::try_from(meta.len()).map_err(|_| std::io::Error::from_raw_os_error(libc::EFBIG))?;
        if len == 0 {
            // mmap refuses an empty mapping; there is nothing to map.
            return Ok(Mapping {
                ptr: std::ptr::NonNull::<u8>::dangling().as_ptr(),
                len: 0,
                file,
            });
        }
        use std::os::fd::AsRawFd;
        // SAFETY: a fresh mapping chosen by the kernel (addr NULL), so no
        // existing memory is affected; the result is checked for MAP_FAILED.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Mapping {
            ptr: ptr as *const u8,
            len,
            file,
        })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: ptr is a live PROT_READ mapping of `len` bytes (unmapped only
        // in drop, which cannot run while `&self` is borrowed). The pages
        // belong to a file that another process could truncate or write
        // in place; the module documentation states that contract (SIGBUS
        // or changed bytes then), which is that of every mapped-file reader.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// Fails with `FileChanged` when the file is no longer the size it had
    /// when it was mapped (it was truncated or grown in place).
    pub fn check_unchanged(&self, name: &str) -> Result<()> {
        let now = file_size(&self.file).map_err(|e| Failure::new(Error::from_io(&e), format!("{name}: {e}")))?;
        if now != self.len as u64 {
            fail!(
                Error::FileChanged,
                "{name}: the file changed size from {} to {now} bytes while it was being loaded mapped",
                self.len
            );
        }
        Ok(())
    }
}

/// A mapped file as a kastore source; columns can borrow from it.
#[derive(Clone, Debug)]
pub struct MappedSource {
    map: Arc<Mapping>,
}

impl MappedSource {
    pub fn new(map: Mapping) -> Self {
        MappedSource { map: Arc::new(map) }
    }

    pub fn mapping(&self) -> &Arc<Mapping> {
        &self.map
    }

    /// `len` elements of `T` at byte `start`, in place; `None` when they do
    /// not lie in the file or are not aligned for `T` (the caller copies
    /// them then).
    pub fn column<T: bytemuck::Pod + Send + Sync>(&self, start: u64, len: u64) -> Option<Col<T>> {
        let bytes = len.checked_mul(std::mem::size_of::<T>() as u64)?;
        let start = usize::try_from(start).ok()?;
        let end = start.checked_add(usize::try_from(bytes).ok()?)?;
        let slice: &[T] = bytemuck::try_cast_slice(self.map.bytes().get(start..end)?).ok()?;
        // SAFETY: the slice points into the mapping, which stays mapped
        // and unchanged by this process for as long as an `Arc` of it lives
        // (munmap only in its drop). The `Col` made here holds such an `Arc`
        // next to the slice and never hands the `'static` lifetime out:
        // every borrow it gives is tied to `&self`.
        let data: &'static [T] = unsafe { &*(slice as *const [T]) };
        let keep: Keep = self.map.clone();
        Some(Col::shared(data, keep))
    }
}

impl super::kastore::Source for MappedSource {
    fn size(&self) -> u64 {
        self.map.len as u64
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        self.map.bytes().read_at(buf, offset)
    }

    fn mapped(&self) -> Option<&MappedSource> {
        Some(self)
    }
}
