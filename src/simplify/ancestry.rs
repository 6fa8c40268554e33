//! Every input node's ancestry, kept in one pool instead of one allocation
//! per node: a node's segments are a contiguous, sorted, disjoint run of the
//! pool. A run is written once, when its node is merged, and afterwards only
//! loses pieces to the parents' edges; the rare extraction that splits a
//! segment in two moves the run to the end of the pool with room to spare.
//! Abandoned space is not reused: simplify is one pass and the pool is
//! dropped at its end, so this costs a little memory and no allocator work.

use super::overlap::Segment;
use crate::alloc;
use crate::error::Result;

/// What the ancestry's memory is for, in a message saying it could not be had.
const WHAT: &str = "simplify's ancestry segments";

#[derive(Clone, Copy, Default)]
struct Span {
    start: usize,
    len: u32,
    cap: u32,
}

#[derive(Default)]
pub(crate) struct Ancestry {
    pool: Vec<Segment>,
    spans: Vec<Span>,
}

impl Ancestry {
    /// `expected` is a guess at the pool's final size; reserving it up front
    /// saves copying the pool as it grows (untouched pages cost nothing).
    pub fn new(num_nodes: usize, expected: usize) -> Result<Self> {
        Ok(Ancestry {
            pool: alloc::with_capacity(expected, WHAT)?,
            spans: alloc::filled(num_nodes, Span::default(), "simplify's ancestry index")?,
        })
    }

    /// The number of nodes whose ancestry is kept.
    pub fn num_nodes(&self) -> usize {
        self.spans.len()
    }

    pub fn get(&self, u: usize) -> &[Segment] {
        let s = self.spans[u];
        &self.pool[s.start..s.start + s.len as usize]
    }

    /// Replaces node `u`'s ancestry (sorted, disjoint segments).
    pub fn set(&mut self, u: usize, segments: &[Segment]) -> Result<()> {
        let start = self.pool.len();
        alloc::extend_from_slice(&mut self.pool, segments, WHAT)?;
        let len = segments.len() as u32;
        self.spans[u] = Span { start, len, cap: len };
        Ok(())
    }

    pub fn clear(&mut self, u: usize) {
        self.spans[u].len = 0;
    }

    /// Moves the part of `u`'s ancestry inside `[left, right)` to `queue`.
    pub fn extract(&mut self, u: usize, left: f64, right: f64, queue: &mut Vec<Segment>) -> Result<()> {
        let span = self.spans[u];
        let segs = &self.pool[span.start..span.start + span.len as usize];
        // The segments overlapping the interval are one run, found by
        // binary search since the segments are sorted and disjoint.
        let first = segs.partition_point(|x| x.right <= left);
        let end = first + segs[first..].partition_point(|x| x.left < right);
        if first == end {
            return Ok(());
        }
        alloc::reserve(queue, end - first, "simplify's segment queue")?;
        for x in &segs[first..end] {
            queue.push(Segment {
                left: x.left.max(left),
                right: x.right.min(right),
                node: x.node,
            });
        }
        // What stays of the run: the first segment's part before `left`
        // and the last one's part after `right`.
        let (a, b) = (segs[first], segs[end - 1]);
        let mut keep = [a; 2];
        let mut k = 0;
        if a.left < left {
            keep[k] = Segment {
                left: a.left,
                right: left,
                node: a.node,
            };
            k += 1;
        }
        if b.right > right {
            keep[k] = Segment {
                left: right,
                right: b.right,
                node: b.node,
            };
            k += 1;
        }
        self.replace(u, first, end, &keep[..k])
    }

    /// Replaces segments `first..end` of `u`'s run with `with`.
    fn replace(&mut self, u: usize, first: usize, end: usize, with: &[Segment]) -> Result<()> {
        let removed = end - first;
        let mut span = self.spans[u];
        let len = span.len as usize;
        if with.len() > removed && len - removed + with.len() > span.cap as usize {
            // No room to grow in place: move the run to the end of the pool.
            let new_cap = (2 * len).max(4);
            let start = self.pool.len();
            alloc::reserve(&mut self.pool, new_cap, WHAT)?;
            self.pool.extend_from_within(span.start..span.start + len);
            let filler = self.pool[start];
            self.pool.resize(start + new_cap, filler);
            span.start = start;
            span.cap = new_cap as u32;
        }
        let run = &mut self.pool[span.start..span.start + span.cap as usize];
        run.copy_within(end..len, first + with.len());
        run[first..first + with.len()].copy_from_slice(with);
        span.len = (len - removed + with.len()) as u32;
        self.spans[u] = span;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(left: f64, right: f64, node: i32) -> Segment {
        Segment { left, right, node }
    }

    #[test]
    fn extract_trims_splits_and_removes() {
        let mut a = Ancestry::new(2, 0).unwrap();
        a.set(0, &[seg(0.0, 4.0, 7), seg(4.0, 6.0, 8), seg(8.0, 10.0, 9)])
            .unwrap();
        a.set(1, &[seg(0.0, 10.0, 5)]).unwrap();
        let mut q = Vec::new();
        // Inside one segment: it splits in two (the run moves and grows).
        a.extract(1, 2.0, 3.0, &mut q).unwrap();
        assert_eq!(q, vec![seg(2.0, 3.0, 5)]);
        assert_eq!(a.get(1), &[seg(0.0, 2.0, 5), seg(3.0, 10.0, 5)]);
        a.extract(1, 5.0, 6.0, &mut q).unwrap();
        assert_eq!(a.get(1), &[seg(0.0, 2.0, 5), seg(3.0, 5.0, 5), seg(6.0, 10.0, 5)]);
        // Across segments: the middle ones go whole, the ends are trimmed.
        q.clear();
        a.extract(0, 3.0, 9.0, &mut q).unwrap();
        assert_eq!(q, vec![seg(3.0, 4.0, 7), seg(4.0, 6.0, 8), seg(8.0, 9.0, 9)]);
        assert_eq!(a.get(0), &[seg(0.0, 3.0, 7), seg(9.0, 10.0, 9)]);
        // Nothing there: nothing moves.
        q.clear();
        a.extract(0, 5.0, 8.0, &mut q).unwrap();
        assert!(q.is_empty());
        // Everything.
        a.extract(0, 0.0, 10.0, &mut q).unwrap();
        assert_eq!(q, vec![seg(0.0, 3.0, 7), seg(9.0, 10.0, 9)]);
        assert!(a.get(0).is_empty());
        // Node 1 was not disturbed by node 0's changes.
        assert_eq!(a.get(1).len(), 3);
        a.clear(1);
        assert!(a.get(1).is_empty());
    }
}
