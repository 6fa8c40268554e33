//! Sample lists beside a tree cursor, as tskit keeps them with
//! `TSK_SAMPLE_LISTS`: the samples below each node are a chain of the
//! `next` links from `left[u]` to `right[u]`. A mutation's samples are then
//! a walk over sample nodes only (whose ids are few and close together, so
//! the walk stays in cache) instead of a walk over its whole subtree,
//! whose internal nodes are spread over the node table.
//!
//! The lists are kept for every node, in the tree or not: each edge that
//! changes refreshes its parent and the parent's ancestors (a node's chain
//! is its own id if it is a sample, then its children's chains in child
//! order).

use crate::alloc;
use crate::error::Result;
use crate::tables::{Id, NULL};
use crate::treeseq::{Tree, TreeSequence};

pub(crate) struct SampleLists {
    left: Vec<Id>,
    right: Vec<Id>,
    next: Vec<Id>,
    is_sample: Vec<bool>,
    /// The tree the lists are those of (None: to be rebuilt).
    at: Option<usize>,
    stack: Vec<Id>,
}

impl SampleLists {
    pub(crate) fn new() -> Self {
        SampleLists {
            left: Vec::new(),
            right: Vec::new(),
            next: Vec::new(),
            is_sample: Vec::new(),
            at: None,
            stack: Vec::new(),
        }
    }

    /// The samples below `u` (`u` included), in some order.
    #[inline]
    pub(crate) fn for_each(&self, u: Id, mut f: impl FnMut(Id)) {
        let mut s = self.left[u as usize];
        if s == NULL {
            return;
        }
        let stop = self.right[u as usize];
        loop {
            f(s);
            if s == stop {
                return;
            }
            s = self.next[s as usize];
        }
    }

    /// Forgets the lists (the cursor has jumped).
    pub(crate) fn invalidate(&mut self) {
        self.at = None;
    }

    /// Makes the lists those of `tree`'s tree: after one step forward from
    /// the tree they were those of, by the edges that changed; otherwise
    /// from nothing.
    pub(crate) fn sync(&mut self, ts: &TreeSequence, tree: &Tree) -> Result<()> {
        let Some(j) = tree.index() else {
            self.at = None;
            return Ok(());
        };
        match self.at {
            Some(k) if k == j => {}
            Some(k) if k + 1 == j => {
                let (parent, left_child, right_sib) = (&tree.parent, &tree.left_child, &tree.right_sib);
                let rem = ts.removal_run(ts.removal_at[k] as usize, ts.removal_at[j] as usize);
                let ins = ts.insertion_run(ts.insertion_at[k] as usize, ts.insertion_at[j] as usize);
                for (p, _) in rem.chain(ins) {
                    let mut u = p;
                    while u != NULL {
                        self.refresh(u, left_child, right_sib);
                        u = parent[u as usize];
                    }
                }
            }
            _ => self.rebuild(ts, tree)?,
        }
        self.at = Some(j);
        Ok(())
    }

    #[inline]
    fn refresh(&mut self, u: Id, left_child: &[Id], right_sib: &[Id]) {
        let uu = u as usize;
        let (mut l, mut r) = if self.is_sample[uu] { (u, u) } else { (NULL, NULL) };
        let mut v = left_child[uu];
        while v != NULL {
            let lv = self.left[v as usize];
            if lv != NULL {
                if l == NULL {
                    l = lv;
                } else {
                    self.next[r as usize] = lv;
                }
                r = self.right[v as usize];
            }
            v = right_sib[v as usize];
        }
        self.left[uu] = l;
        self.right[uu] = r;
    }

    /// Every node's list from nothing: each top (a node without parent)
    /// in postorder.
    fn rebuild(&mut self, ts: &TreeSequence, tree: &Tree) -> Result<()> {
        let n = ts.num_nodes();
        if self.left.len() != n {
            let what = "the sample lists";
            self.left = alloc::filled(n, NULL, what)?;
            self.right = alloc::filled(n, NULL, what)?;
            self.next = alloc::filled(n, NULL, what)?;
            self.is_sample = alloc::filled(n, false, what)?;
            for &u in ts.samples() {
                self.is_sample[u as usize] = true;
            }
            self.stack = alloc::with_capacity(n, what)?;
        }
        let (parent, left_child, right_sib) = (&tree.parent, &tree.left_child, &tree.right_sib);
        for top in 0..n as Id {
            if parent[top as usize] != NULL {
                continue;
            }
            if left_child[top as usize] == NULL {
                self.refresh(top, left_child, right_sib);
                continue;
            }
            // Preorder into the stack's tail, then refreshed backwards:
            // children before parents. Within capacity n: each node once.
            let mut stack = std::mem::take(&mut self.stack);
            stack.clear();
            stack.push(top);
            let mut i = 0;
            while i < stack.len() {
                let mut v = left_child[stack[i] as usize];
                while v != NULL {
                    stack.push(v);
                    v = right_sib[v as usize];
                }
                i += 1;
            }
            for &u in stack.iter().rev() {
                self.refresh(u, left_child, right_sib);
            }
            self.stack = stack;
        }
        Ok(())
    }
}
