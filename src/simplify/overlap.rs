//! The segment overlapper: given the ancestral segments that a parent's
//! children pass up, it walks along the genome and reports each maximal
//! interval over which the same set of segments overlaps (Kelleher et al.
//! 2018, "Efficiently summarizing relationships in large samples").

use std::cmp::Ordering;

use crate::tables::Id;

/// Compares as C's `<` and `>` do, so that -0.0 equals 0.0 as in tskit.
pub(crate) fn cmp_f64(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
}

/// A piece of ancestry: the output node that carries it over `[left, right)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Segment {
    pub left: f64,
    pub right: f64,
    pub node: Id,
}

/// Iterates over the intervals where a fixed set of segments overlap. The
/// segments live in the caller's vector, which [`Overlapper::start`] sorts
/// and terminates with a sentinel; [`Overlapper::overlapping`] gives
/// indexes into it.
#[derive(Default)]
pub(crate) struct Overlapper {
    overlapping: Vec<u32>,
    num_segments: usize,
    index: usize,
    left: f64,
    right: f64,
}

impl Overlapper {
    /// Sorts the segments by left end (ties by node, so that the order never
    /// depends on the sort algorithm) and appends a sentinel that starts
    /// after every real segment.
    pub fn start(&mut self, segments: &mut Vec<Segment>) -> crate::error::Result<()> {
        segments.sort_unstable_by(|a, b| cmp_f64(a.left, b.left).then(a.node.cmp(&b.node)));
        self.num_segments = segments.len();
        crate::alloc::reserve(segments, 1, "simplify's segment queue")?;
        // Room for every segment at once: `next` then never grows it.
        let n = segments.len();
        self.overlapping.clear();
        crate::alloc::reserve(&mut self.overlapping, n, "simplify's overlapping segments")?;
        segments.push(Segment {
            left: f64::MAX,
            right: f64::MAX,
            node: crate::tables::NULL,
        });
        self.index = 0;
        self.left = 0.0;
        self.right = f64::MAX;
        Ok(())
    }

    /// The next interval `[left, right)` and the segments covering it, or
    /// `None` when the segments are used up.
    pub fn next(&mut self, segments: &[Segment]) -> Option<(f64, f64)> {
        if self.index < self.num_segments {
            self.left = self.right;
            let left = self.left;
            self.overlapping.retain(|&j| segments[j as usize].right > left);
            if self.overlapping.is_empty() {
                self.left = segments[self.index].left;
            }
            while self.index < self.num_segments && segments[self.index].left == self.left {
                self.overlapping.push(self.index as u32);
                self.index += 1;
            }
            // The next segment to enter (or the sentinel) bounds the interval.
            let mut right = segments[self.index].left;
            for &j in &self.overlapping {
                right = right.min(segments[j as usize].right);
            }
            self.right = right;
            debug_assert!(self.left < self.right);
            Some((self.left, self.right))
        } else {
            self.left = self.right;
            let left = self.left;
            self.overlapping.retain(|&j| segments[j as usize].right > left);
            if self.overlapping.is_empty() {
                return None;
            }
            let mut right = f64::MAX;
            for &j in &self.overlapping {
                right = right.min(segments[j as usize].right);
            }
            self.right = right;
            Some((self.left, self.right))
        }
    }

    /// Indexes (into the segment vector) of the segments covering the
    /// interval that [`Overlapper::next`] last returned.
    pub fn overlapping(&self) -> &[u32] {
        &self.overlapping
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(left: f64, right: f64, node: Id) -> Segment {
        Segment { left, right, node }
    }

    fn run(mut segs: Vec<Segment>) -> Vec<(f64, f64, Vec<Id>)> {
        let mut o = Overlapper::default();
        o.start(&mut segs).unwrap();
        let mut out = Vec::new();
        while let Some((l, r)) = o.next(&segs) {
            let mut nodes: Vec<Id> = o.overlapping().iter().map(|&j| segs[j as usize].node).collect();
            nodes.sort();
            out.push((l, r, nodes));
        }
        out
    }

    #[test]
    fn disjoint_and_nested() {
        // 0: [0, 10), 1: [2, 5), 2: [7, 12)
        let got = run(vec![seg(7.0, 12.0, 2), seg(0.0, 10.0, 0), seg(2.0, 5.0, 1)]);
        assert_eq!(
            got,
            vec![
                (0.0, 2.0, vec![0]),
                (2.0, 5.0, vec![0, 1]),
                (5.0, 7.0, vec![0]),
                (7.0, 10.0, vec![0, 2]),
                (10.0, 12.0, vec![2]),
            ]
        );
    }

    #[test]
    fn gap_between_segments() {
        let got = run(vec![seg(0.0, 1.0, 3), seg(4.0, 6.0, 5)]);
        assert_eq!(got, vec![(0.0, 1.0, vec![3]), (4.0, 6.0, vec![5])]);
    }

    #[test]
    fn empty() {
        assert!(run(vec![]).is_empty());
    }
}
