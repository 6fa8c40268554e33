//! A cursor over the trees of a tree sequence, in tskit's quintuply linked
//! form: parent, left child, right child, left sib and right sib arrays of
//! `num_nodes + 1` entries, the last being the virtual root whose children
//! are the roots. Moving to a neighbouring tree applies only the edges that
//! change (removed in removal-index order, inserted in insertion-index
//! order), so a full walk costs O(edges × depth).
//!
//! A root is a node with no parent that has at least one sample below it
//! (tskit's root threshold of 1). In the null state — before the first tree
//! and after the last — every sample is an isolated root.

use std::sync::Arc;

use super::TreeSequence;
use crate::alloc;
use crate::error::{fail, Error, Result};

/// What a traversal's memory is for, in a message saying it could not be had.
const WHAT: &str = "a traversal of the tree";
use crate::tables::{Id, NULL};

/// Where a cursor is: on no tree, or on tree `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeState {
    Null,
    At(usize),
}

#[derive(Clone, Debug)]
pub struct Tree {
    ts: Arc<TreeSequence>,
    state: TreeState,
    pub(crate) parent: Vec<Id>,
    pub(crate) left_child: Vec<Id>,
    pub(crate) right_child: Vec<Id>,
    pub(crate) left_sib: Vec<Id>,
    pub(crate) right_sib: Vec<Id>,
    pub(crate) num_children: Vec<Id>,
    pub(crate) num_samples: Vec<Id>,
    /// Edges inserted so far in insertion order (those with left <= tree left).
    ins: usize,
    /// Edges removed so far in removal order (those with right <= tree left).
    rem: usize,
}

impl Tree {
    pub fn new(ts: Arc<TreeSequence>) -> Result<Self> {
        let n = ts.num_nodes() + 1;
        let what = "the tree cursor's arrays";
        let mut tree = Tree {
            ts,
            state: TreeState::Null,
            parent: alloc::filled(n, NULL, what)?,
            left_child: alloc::filled(n, NULL, what)?,
            right_child: alloc::filled(n, NULL, what)?,
            left_sib: alloc::filled(n, NULL, what)?,
            right_sib: alloc::filled(n, NULL, what)?,
            num_children: alloc::zeroed(n, what)?,
            num_samples: alloc::zeroed(n, what)?,
            ins: 0,
            rem: 0,
        };
        tree.clear();
        Ok(tree)
    }

    /// An independent copy (`clone`), failing instead of aborting.
    pub fn try_clone(&self) -> Result<Self> {
        let what = "the tree cursor's arrays";
        Ok(Tree {
            ts: Arc::clone(&self.ts),
            state: self.state,
            parent: alloc::copy(&self.parent, what)?,
            left_child: alloc::copy(&self.left_child, what)?,
            right_child: alloc::copy(&self.right_child, what)?,
            left_sib: alloc::copy(&self.left_sib, what)?,
            right_sib: alloc::copy(&self.right_sib, what)?,
            num_children: alloc::copy(&self.num_children, what)?,
            num_samples: alloc::copy(&self.num_samples, what)?,
            ins: self.ins,
            rem: self.rem,
        })
    }

    pub fn tree_sequence(&self) -> &Arc<TreeSequence> {
        &self.ts
    }

    pub fn state(&self) -> TreeState {
        self.state
    }

    /// The virtual root's id: the number of nodes.
    pub fn virtual_root(&self) -> Id {
        self.ts.num_nodes() as Id
    }

    /// Puts the cursor in the null state.
    pub fn clear(&mut self) {
        for v in [
            &mut self.parent,
            &mut self.left_child,
            &mut self.right_child,
            &mut self.left_sib,
            &mut self.right_sib,
        ] {
            v.fill(NULL);
        }
        self.num_children.fill(0);
        self.num_samples.fill(0);
        let ts = Arc::clone(&self.ts);
        for &u in ts.samples() {
            self.num_samples[u as usize] = 1;
            self.add_root(u);
        }
        let vr = self.virtual_root() as usize;
        self.num_samples[vr] = ts.samples().len() as Id;
        self.state = TreeState::Null;
        self.ins = 0;
        self.rem = 0;
    }

    pub fn index(&self) -> Option<usize> {
        match self.state {
            TreeState::Null => None,
            TreeState::At(j) => Some(j),
        }
    }

    /// The tree's genomic interval `[left, right)`; `(0, 0)` in the null state.
    pub fn interval(&self) -> (f64, f64) {
        match self.state {
            TreeState::Null => (0.0, 0.0),
            TreeState::At(j) => (self.ts.breakpoints()[j], self.ts.breakpoints()[j + 1]),
        }
    }

    // ---------------------------------------------------------- linking

    fn link_child(&mut self, p: Id, c: Id) {
        let (pu, cu) = (p as usize, c as usize);
        let last = self.right_child[pu];
        if last == NULL {
            self.left_child[pu] = c;
        } else {
            self.right_sib[last as usize] = c;
        }
        self.left_sib[cu] = last;
        self.right_sib[cu] = NULL;
        self.right_child[pu] = c;
        // As in tskit, a root's parent is NULL: only the virtual root's
        // child and sibling links record the roots.
        self.parent[cu] = if p == self.virtual_root() { NULL } else { p };
        self.num_children[pu] += 1;
    }

    /// Unlinks `c`, which must be linked: a child of its parent, or a root.
    fn unlink_child(&mut self, c: Id) {
        let cu = c as usize;
        let p = match self.parent[cu] {
            NULL => self.virtual_root(),
            p => p,
        };
        let pu = p as usize;
        let (l, r) = (self.left_sib[cu], self.right_sib[cu]);
        if l == NULL {
            self.left_child[pu] = r;
        } else {
            self.right_sib[l as usize] = r;
        }
        if r == NULL {
            self.right_child[pu] = l;
        } else {
            self.left_sib[r as usize] = l;
        }
        self.parent[cu] = NULL;
        self.left_sib[cu] = NULL;
        self.right_sib[cu] = NULL;
        self.num_children[pu] -= 1;
    }

    fn add_root(&mut self, u: Id) {
        let vr = self.virtual_root();
        self.link_child(vr, u);
    }

    /// Adds `delta` samples to `u` and every ancestor. Returns the top node
    /// of the path and whether it was a root before (a root is a node
    /// without parent that has a sample below it).
    #[inline]
    fn update_counts(&mut self, mut u: Id, delta: Id) -> (Id, bool) {
        let (parent, num_samples) = (&self.parent, &mut self.num_samples);
        loop {
            let n = &mut num_samples[u as usize];
            let was_root = *n > 0;
            *n += delta;
            let p = parent[u as usize];
            if p == NULL {
                return (u, was_root);
            }
            u = p;
        }
    }

    fn insert_edge(&mut self, p: Id, c: Id) {
        let (top, top_was_root) = self.update_counts(p, self.num_samples[c as usize]);
        if self.num_samples[c as usize] > 0 {
            // c was a root: it has samples and no parent yet.
            self.unlink_child(c);
        }
        if !top_was_root && self.num_samples[top as usize] > 0 {
            self.add_root(top);
        }
        self.link_child(p, c);
    }

    fn remove_edge(&mut self, p: Id, c: Id) {
        self.unlink_child(c);
        let (top, top_was_root) = self.update_counts(p, -self.num_samples[c as usize]);
        if top_was_root && self.num_samples[top as usize] == 0 {
            self.unlink_child(top);
        }
        if self.num_samples[c as usize] > 0 {
            self.add_root(c);
        }
    }

    // --------------------------------------------------------- movement

    /// Moves to the next tree; from the null state to the first. Returns
    /// false (and goes to the null state) after the last tree.
    pub fn advance(&mut self) -> bool {
        let j = match self.state {
            TreeState::Null => {
                self.clear();
                0
            }
            TreeState::At(j) if j + 1 == self.ts.num_trees() => {
                self.clear();
                return false;
            }
            TreeState::At(j) => j + 1,
        };
        let ts = Arc::clone(&self.ts);
        let (rem_stop, ins_stop) = (ts.removal_at[j] as usize, ts.insertion_at[j] as usize);
        for (p, c) in ts.removal_run(self.rem, rem_stop) {
            self.remove_edge(p, c);
        }
        for (p, c) in ts.insertion_run(self.ins, ins_stop) {
            self.insert_edge(p, c);
        }
        self.rem = rem_stop;
        self.ins = ins_stop;
        self.state = TreeState::At(j);
        true
    }

    /// Moves to the previous tree; from the null state to the last. Returns
    /// false (and goes to the null state) before the first tree.
    pub fn retreat(&mut self) -> bool {
        let ts = Arc::clone(&self.ts);
        let j = match self.state {
            TreeState::Null => {
                self.clear();
                // Nothing is inserted yet; as seen from the right end every
                // edge has been inserted and removed.
                self.ins = ts.num_edges();
                self.rem = ts.num_edges();
                let last = ts.num_trees() - 1;
                // Going right to left, the last tree's edges are those with
                // right == L, inserted in reverse removal order.
                let stop = ts.removal_at[last] as usize;
                for (p, c) in ts.removal_run(stop, ts.num_edges()).rev() {
                    self.insert_edge(p, c);
                }
                self.state = TreeState::At(last);
                self.fix_forward_counters(last);
                return true;
            }
            TreeState::At(0) => {
                self.clear();
                return false;
            }
            TreeState::At(j) => j,
        };
        // Leaving tree j to the left: edges that start at its left end go,
        // edges that end there come back, both in reverse index order.
        let (ins_start, rem_start) = (ts.insertion_at[j - 1] as usize, ts.removal_at[j - 1] as usize);
        for (p, c) in ts.insertion_run(ins_start, self.ins).rev() {
            self.remove_edge(p, c);
        }
        for (p, c) in ts.removal_run(rem_start, self.rem).rev() {
            self.insert_edge(p, c);
        }
        self.ins = ins_start;
        self.rem = rem_start;
        self.state = TreeState::At(j - 1);
        true
    }

    /// Sets the counters to what a forward walk has at tree `j`: edges with
    /// left <= tree left inserted, edges with right <= tree left removed.
    fn fix_forward_counters(&mut self, j: usize) {
        self.ins = self.ts.insertion_at[j] as usize;
        self.rem = self.ts.removal_at[j] as usize;
    }

    pub fn first(&mut self) -> bool {
        self.clear();
        self.advance()
    }

    pub fn last(&mut self) -> bool {
        self.clear();
        self.retreat()
    }

    /// Moves to tree `index`.
    pub fn seek_index(&mut self, index: usize) -> Result<()> {
        let n = self.ts.num_trees();
        if index >= n {
            fail!(
                Error::SeekOutOfBounds,
                "tree index {index} out of range (there are {n} trees)"
            );
        }
        let position = self.ts.breakpoints()[index];
        self.seek(position)
    }

    /// Moves to the tree covering `position`, as tskit's (linear) seek
    /// does, so that the arrays, child order included, are tskit's after the
    /// same calls: from the null state the tree is built directly from the
    /// edges covering the position (in insertion order when the position is
    /// in the left half of the genome, else in reverse removal order);
    /// otherwise the cursor steps tree by tree in the direction that is
    /// shorter in genome coordinates, passing through the null state when
    /// that way wraps round an end.
    pub fn seek(&mut self, position: f64) -> Result<()> {
        let target = self.ts.tree_index_at(position)?;
        match self.state {
            TreeState::Null => self.seek_from_null(target, position),
            TreeState::At(_) => {
                let len = self.ts.sequence_length();
                let (tl, tr) = self.interval();
                let (to_left, to_right) = if position < tl {
                    (tl - position, len - tr + position)
                } else {
                    (tl + len - position, position - tr)
                };
                let forward = to_right <= to_left;
                while self.state != TreeState::At(target) {
                    if forward {
                        self.advance();
                    } else {
                        self.retreat();
                    }
                }
            }
        }
        Ok(())
    }

    /// Builds tree `target`, which covers `position`, from the null state.
    fn seek_from_null(&mut self, target: usize, position: f64) {
        let ts = Arc::clone(&self.ts);
        let (e, ix) = (&ts.tables().edges, ts.indexes());
        let (left, right) = (ts.breakpoints()[target], ts.breakpoints()[target + 1]);
        let x = left;
        if position <= ts.sequence_length() / 2.0 {
            // Edges covering x in insertion order, as a forward walk has them.
            for &k in &ix.insertion {
                let k = k as usize;
                if e.left[k] > x {
                    break;
                }
                if e.right[k] > x {
                    self.insert_edge(e.parent[k], e.child[k]);
                }
            }
        } else {
            // Edges covering x in reverse removal order, as a backward walk has them.
            for &k in ix.removal.iter().rev() {
                let k = k as usize;
                if e.right[k] < right {
                    break;
                }
                if e.left[k] <= x {
                    self.insert_edge(e.parent[k], e.child[k]);
                }
            }
        }
        self.state = TreeState::At(target);
        self.fix_forward_counters(target);
    }

    // ------------------------------------------------------------ queries

    pub fn parent_array(&self) -> &[Id] {
        &self.parent
    }

    pub fn left_child_array(&self) -> &[Id] {
        &self.left_child
    }

    pub fn right_child_array(&self) -> &[Id] {
        &self.right_child
    }

    pub fn left_sib_array(&self) -> &[Id] {
        &self.left_sib
    }

    pub fn right_sib_array(&self) -> &[Id] {
        &self.right_sib
    }

    pub fn num_children_array(&self) -> &[Id] {
        &self.num_children
    }

    pub fn num_samples_array(&self) -> &[Id] {
        &self.num_samples
    }

    fn check_node(&self, u: Id) -> Result<usize> {
        match usize::try_from(u) {
            Ok(j) if j <= self.ts.num_nodes() => Ok(j),
            _ => fail!(
                Error::NodeOutOfBounds,
                "node {u} out of range (the tree has {} nodes and the virtual root)",
                self.ts.num_nodes()
            ),
        }
    }

    /// The roots, left to right.
    pub fn roots(&self) -> Result<Vec<Id>> {
        let mut out = Vec::new();
        let mut u = self.left_child[self.virtual_root() as usize];
        while u != NULL {
            alloc::push(&mut out, u, WHAT)?;
            u = self.right_sib[u as usize];
        }
        Ok(out)
    }

    /// Nodes below `u` (the virtual root for the whole tree), parents before
    /// children, children left to right; `u` itself is not included when it
    /// is the virtual root.
    pub fn preorder(&self, u: Id) -> Result<Vec<Id>> {
        self.check_node(u)?;
        let vr = self.virtual_root();
        let mut out = Vec::new();
        let mut stack = Vec::new();
        if u == vr {
            self.push_children_reversed(vr, &mut stack)?;
        } else {
            alloc::push(&mut stack, u, WHAT)?;
        }
        while let Some(v) = stack.pop() {
            alloc::push(&mut out, v, WHAT)?;
            self.push_children_reversed(v, &mut stack)?;
        }
        Ok(out)
    }

    fn push_children_reversed(&self, v: Id, stack: &mut Vec<Id>) -> Result<()> {
        let mut c = self.right_child[v as usize];
        while c != NULL {
            alloc::push(stack, c, WHAT)?;
            c = self.left_sib[c as usize];
        }
        Ok(())
    }

    /// Nodes below `u`, children before parents (the reverse of a preorder
    /// that visits children right to left).
    pub fn postorder(&self, u: Id) -> Result<Vec<Id>> {
        self.check_node(u)?;
        let vr = self.virtual_root();
        let mut out = Vec::new();
        let mut stack = Vec::new();
        if u == vr {
            let mut c = self.left_child[vr as usize];
            while c != NULL {
                alloc::push(&mut stack, c, WHAT)?;
                c = self.right_sib[c as usize];
            }
        } else {
            alloc::push(&mut stack, u, WHAT)?;
        }
        while let Some(v) = stack.pop() {
            alloc::push(&mut out, v, WHAT)?;
            let mut c = self.left_child[v as usize];
            while c != NULL {
                alloc::push(&mut stack, c, WHAT)?;
                c = self.right_sib[c as usize];
            }
        }
        out.reverse();
        Ok(out)
    }

    /// The most recent common ancestor of `u` and `v`, or -1 if they are in
    /// different trees of the forest.
    pub fn mrca(&self, u: Id, v: Id) -> Result<Id> {
        self.check_node(u)?;
        self.check_node(v)?;
        let vr = self.virtual_root();
        if u == vr || v == vr {
            return Ok(vr);
        }
        let time = &self.ts.tables().nodes.time;
        let (mut a, mut b) = (u, v);
        // Parents are strictly older, so climbing the younger one never
        // passes the common ancestor.
        while a != b {
            if a == NULL || b == NULL {
                return Ok(NULL);
            }
            if time[a as usize] <= time[b as usize] {
                a = self.parent[a as usize];
            } else {
                b = self.parent[b as usize];
            }
        }
        Ok(a)
    }

    /// The length of the branch above `u` (0 for a root or an isolated node).
    pub fn branch_length(&self, u: Id) -> Result<f64> {
        let j = self.check_node(u)?;
        let p = if j == self.ts.num_nodes() { NULL } else { self.parent[j] };
        if p == NULL {
            return Ok(0.0);
        }
        let time = &self.ts.tables().nodes.time;
        Ok(time[p as usize] - time[j])
    }

    /// The sum of the branch lengths below `u` (the virtual root: the whole tree).
    pub fn total_branch_length(&self, u: Id) -> Result<f64> {
        let mut total = 0.0;
        for v in self.preorder(u)? {
            if v != u {
                total += self.branch_length(v)?;
            }
        }
        Ok(total)
    }

    /// The site ids of the current tree (empty in the null state).
    pub fn sites(&self) -> std::ops::Range<usize> {
        match self.state {
            TreeState::Null => 0..0,
            TreeState::At(j) => self.ts.tree_sites(j),
        }
    }

    /// The mutation ids of the current tree's sites.
    pub fn mutations(&self) -> std::ops::Range<usize> {
        let s = self.sites();
        if s.is_empty() {
            return 0..0;
        }
        self.ts.site_mutations(s.start).start..self.ts.site_mutations(s.end - 1).end
    }
}
