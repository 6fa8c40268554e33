//! Per-node statistics and the trait linear model, with tskit's meaning:
//! mean descendants, genealogical nearest neighbours, and
//! `trait_linear_model` (a weighted statistic on the general engine, with
//! the covariate handling tskit does in Python done here).

use std::sync::Arc;

use super::engine::{plan, run_pieces};
use super::{Exec, Summary};
use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

// ------------------------------------------------------ trait linear model

/// The rank of the `rows × cols` row-major matrix `a` (Householder QR with
/// column pivoting; numpy's tolerance on the largest diagonal).
fn rank(a: &[f64], rows: usize, cols: usize) -> usize {
    let mut m = a.to_vec();
    let mut perm: Vec<usize> = (0..cols).collect();
    let mut diag = Vec::new();
    let steps = rows.min(cols);
    for k in 0..steps {
        // Pivot: the remaining column of largest norm.
        let norm = |m: &[f64], c: usize| (k..rows).map(|r| m[r * cols + c] * m[r * cols + c]).sum::<f64>();
        let best = (k..cols)
            .max_by(|&x, &y| norm(&m, perm[x]).total_cmp(&norm(&m, perm[y])))
            .expect("k < cols");
        perm.swap(k, best);
        let c = perm[k];
        let alpha = norm(&m, c).sqrt();
        diag.push(alpha);
        if alpha == 0.0 {
            break;
        }
        let sign = if m[k * cols + c] >= 0.0 { 1.0 } else { -1.0 };
        let mut v: Vec<f64> = (k..rows).map(|r| m[r * cols + c]).collect();
        v[0] += sign * alpha;
        let vv: f64 = v.iter().map(|x| x * x).sum();
        if vv == 0.0 {
            continue;
        }
        for &cc in &perm[k..] {
            let dot: f64 = (k..rows).map(|r| v[r - k] * m[r * cols + cc]).sum();
            let f = 2.0 * dot / vv;
            for r in k..rows {
                m[r * cols + cc] -= f * v[r - k];
            }
        }
    }
    let max = diag.iter().cloned().fold(0.0, f64::max);
    let tol = max * rows.max(cols) as f64 * f64::EPSILON;
    diag.iter().filter(|&&d| d > tol).count()
}

/// The covariates as tskit's Python `trait_linear_model` makes them: a
/// column of ones added when that keeps them independent (or ones alone
/// without covariates), then orthonormalised (`Z K⁻¹`, `K` the upper
/// Cholesky factor of `ZᵀZ`). Returns them with their column count.
fn covariates(n: usize, z: Option<(&[f64], usize)>) -> Result<(Vec<f64>, usize)> {
    let (mut m, mut c) = match z {
        None => (vec![1.0; n], 1),
        Some((z, c)) => {
            if z.len() != n * c {
                fail!(
                    Error::BadParamValue,
                    "covariates: {} values for {n} samples × {c} columns",
                    z.len()
                );
            }
            let t: Vec<f64> = z
                .chunks_exact(c.max(1))
                .flat_map(|row| row.iter().copied().chain(std::iter::once(1.0)))
                .collect();
            if c == 0 {
                (vec![1.0; n], 1)
            } else if rank(&t, n, c + 1) == c + 1 {
                (t, c + 1)
            } else {
                (z.to_vec(), c)
            }
        }
    };
    if rank(&m, n, c) < c {
        fail!(Error::BadParamValue, "matrix of covariates is computationally singular");
    }
    // G = ZᵀZ and its lower Cholesky factor L (K = Lᵀ).
    let mut g = vec![0.0; c * c];
    for row in m.chunks_exact(c) {
        for i in 0..c {
            for j in 0..c {
                g[i * c + j] += row[i] * row[j];
            }
        }
    }
    let mut l = vec![0.0; c * c];
    for i in 0..c {
        for j in 0..=i {
            let mut s = g[i * c + j];
            for k in 0..j {
                s -= l[i * c + k] * l[j * c + k];
            }
            if i == j {
                if s <= 0.0 {
                    fail!(Error::BadParamValue, "matrix of covariates is computationally singular");
                }
                l[i * c + i] = s.sqrt();
            } else {
                l[i * c + j] = s / l[j * c + j];
            }
        }
    }
    // Each row z becomes y with y Lᵀ = z, i.e. L yᵀ = zᵀ.
    for row in m.chunks_exact_mut(c) {
        for i in 0..c {
            let mut s = row[i];
            for k in 0..i {
                s -= l[i * c + k] * row[k];
            }
            row[i] = s / l[i * c + i];
        }
    }
    c = c.max(1);
    Ok((m, c))
}

/// The weights and summary of `trait_linear_model`: `[sample][trait]`
/// weights `w` with `num_weights` columns, optional `[sample][covariate]`
/// covariates `z`. The result has `num_weights` columns.
pub fn trait_linear_model(
    ts: &TreeSequence,
    w: &[f64],
    num_weights: usize,
    z: Option<(&[f64], usize)>,
) -> Result<(Vec<f64>, Summary<'static>)> {
    let n = ts.samples().len();
    if num_weights == 0 {
        fail!(Error::InsufficientWeights, "at least one trait column is needed");
    }
    if w.len() != n * num_weights {
        fail!(
            Error::BadParamValue,
            "weights: {} values for {n} samples × {num_weights} columns",
            w.len()
        );
    }
    let (zz, k) = covariates(n, z)?;
    // V = Wᵀ Z, [trait][covariate].
    let mut v = vec![0.0; num_weights * k];
    for i in 0..num_weights {
        for s in 0..n {
            let wi = w[s * num_weights + i];
            for j in 0..k {
                v[i * k + j] += wi * zz[s * k + j];
            }
        }
    }
    let dim = num_weights + k + 1;
    let mut nw = alloc::with_capacity(n * dim, "the trait linear model's weights")?;
    for s in 0..n {
        nw.extend_from_slice(&w[s * num_weights..(s + 1) * num_weights]);
        nw.extend_from_slice(&zz[s * k..(s + 1) * k]);
        nw.push(1.0);
    }
    let num_samples = n as f64;
    let summary = Summary::new(dim, num_weights, move |x, out| {
        let m = x[dim - 1];
        for i in 0..num_weights {
            out[i] = if m > 0.0 && m < num_samples {
                let vi = &v[i * k..(i + 1) * k];
                let mut a = x[i];
                let mut denom = m;
                for j in 0..k {
                    let zj = x[num_weights + j];
                    a -= zj * vi[j];
                    denom -= zj * zj;
                }
                if denom < 1e-8 {
                    0.0
                } else {
                    (a * a) / (2.0 * denom * denom)
                }
            } else {
                0.0
            };
        }
        Ok(())
    });
    Ok((nw, summary))
}

// ------------------------------------------------------ per-node statistics

/// Reference sets checked: node ids in range, no node in two sets. Returns
/// each node's set (or NULL).
fn reference_map(ts: &TreeSequence, sets: &[&[Id]]) -> Result<Vec<Id>> {
    let n = ts.num_nodes();
    let mut map = alloc::filled(n, NULL, "the reference sets")?;
    for (k, set) in sets.iter().enumerate() {
        for &u in set.iter() {
            if u < 0 || u as usize >= n {
                fail!(Error::NodeOutOfBounds, "node {u} in reference set {k}");
            }
            if map[u as usize] != NULL {
                fail!(Error::DuplicateSample, "node {u} is in more than one reference set");
            }
            map[u as usize] = k as Id;
        }
    }
    Ok(map)
}

/// A tree as parent pointers with the reference counts of each node.
struct Walker {
    /// For each node, its parent in the current tree.
    parent: Vec<Id>,
    /// `[node][K + 1]` counts of reference nodes at or below each node, per
    /// set and (last) in all.
    count: Vec<f64>,
    /// For each node: its count of reference nodes in all (as in `count`)
    /// and a number bumped whenever its counts change, side by side in
    /// one small array because the nearest-neighbour search reads them at
    /// random.
    info: Vec<[u32; 2]>,
    k1: usize,
}

impl Walker {
    fn new(ts: &TreeSequence, map: &[Id], k: usize) -> Result<Self> {
        let n = ts.num_nodes();
        let k1 = k + 1;
        let mut count: Vec<f64> = alloc::zeroed(n * k1, "the reference counts")?;
        for (u, &s) in map.iter().enumerate() {
            if s != NULL {
                count[u * k1 + s as usize] = 1.0;
                count[u * k1 + k] = 1.0;
            }
        }
        let mut info = alloc::filled(n, [0u32, 0], "the reference counts")?;
        for (u, &s) in map.iter().enumerate() {
            if s != NULL {
                info[u][0] = 1;
            }
        }
        Ok(Walker {
            parent: alloc::filled(n, NULL, "the parent array")?,
            count,
            info,
            k1,
        })
    }

    /// Adds (`sign` 1) or takes away (-1) `c`'s counts on the path above
    /// `p`, calling `visit(v)` on each node of the path before it changes.
    #[inline]
    fn update(&mut self, p: Id, c: Id, sign: f64, mut visit: impl FnMut(usize, &[f64])) {
        let k1 = self.k1;
        let cu = c as usize * k1;
        let mut v = p;
        while v != NULL {
            let vu = v as usize;
            visit(vu, &self.count[vu * k1..(vu + 1) * k1]);
            let ci = self.info[c as usize][0];
            let i = &mut self.info[vu];
            i[0] = if sign > 0.0 { i[0] + ci } else { i[0] - ci };
            i[1] = i[1].wrapping_add(1);
            for j in 0..k1 {
                let x = self.count[cu + j];
                self.count[vu * k1 + j] += sign * x;
            }
            v = self.parent[vu];
        }
    }
}

/// tskit's `mean_descendants`: for each node and reference set, the number
/// of the set's nodes at or below it, averaged over the genome where it is
/// an ancestor of (or is) any reference node. `[node][set]`.
///
/// One pass along the genome in tskit's order (the sums are tskit's);
/// the statistic is light next to the pass itself.
pub fn mean_descendants(ts: &TreeSequence, sets: &[&[Id]], exec: &mut Exec) -> Result<Vec<f64>> {
    let k = sets.len();
    let map = reference_map(ts, sets)?;
    let k1 = k + 1;
    let n = ts.num_nodes();
    let mut w = Walker::new(ts, &map, k)?;
    let mut c: Vec<f64> = alloc::zeroed(n * k1, "the mean descendants")?;
    let mut last: Vec<f64> = alloc::zeroed(n, "the mean descendants")?;
    let mut total: Vec<f64> = alloc::zeroed(n, "the mean descendants")?;
    let e = &ts.tables().edges;
    let ix = ts.indexes();
    let (ins, rem) = (&ix.insertion, &ix.removal);
    let m = ins.len();
    let l = ts.sequence_length();
    let (mut tj, mut tk) = (0usize, 0usize);
    let mut left = 0.0;
    let mut done = 0usize;
    let flush = |v: usize, row: &[f64], left: f64, c: &mut [f64], last: &mut [f64], total: &mut [f64]| {
        if last[v] != left {
            if row[k] > 0.0 {
                let len = left - last[v];
                for j in 0..k1 {
                    c[v * k1 + j] += len * row[j];
                }
                total[v] += len;
            }
            last[v] = left;
        }
    };
    while tj < m || left < l {
        while tk < m && e.right[rem[tk] as usize] == left {
            let h = rem[tk] as usize;
            tk += 1;
            let (u, v) = (e.child[h], e.parent[h]);
            w.update(v, u, -1.0, |x, row| flush(x, row, left, &mut c, &mut last, &mut total));
            w.parent[u as usize] = NULL;
        }
        while tj < m && e.left[ins[tj] as usize] == left {
            let h = ins[tj] as usize;
            tj += 1;
            let (u, v) = (e.child[h], e.parent[h]);
            w.parent[u as usize] = v;
            w.update(v, u, 1.0, |x, row| flush(x, row, left, &mut c, &mut last, &mut total));
        }
        let mut right = l;
        if tj < m {
            right = right.min(e.left[ins[tj] as usize]);
        }
        if tk < m {
            right = right.min(e.right[rem[tk] as usize]);
        }
        left = right;
        done += 1;
        if done % 4096 == 0 {
            if let Some(cb) = exec.progress.as_mut() {
                if cb(left / l) {
                    fail!(Error::Cancelled, "cancelled by the progress callback");
                }
            }
        }
    }
    let mut out = alloc::zeroed(n * k, "the mean descendants")?;
    for v in 0..n {
        let row = &w.count[v * k1..(v + 1) * k1];
        if row[k] > 0.0 {
            let len = l - last[v];
            total[v] += len;
            for j in 0..k1 {
                c[v * k1 + j] += len * row[j];
            }
        }
        for j in 0..k {
            out[v * k + j] = if total[v] > 0.0 {
                c[v * k1 + j] / total[v]
            } else {
                c[v * k1 + j]
            };
        }
    }
    Ok(out)
}

/// tskit's `genealogical_nearest_neighbours`: for each focal node and
/// reference set, the fraction of the focal node's nearest neighbours (the
/// reference nodes below its nearest ancestor that has any other than
/// itself) in the set, averaged over the genome weighted by span.
/// `[focal][set]`.
///
/// Parallel over the genome: the trees are cut into pieces fixed by the
/// input, each piece's sums are made from the tree at its left end, and
/// the pieces' sums are added in piece order, so the result is the same for
/// every thread count (and within rounding of tskit's, whose sums run tree
/// by tree: here each run of trees over which a focal node's nearest
/// ancestor and its counts stay the same adds its counts once).
pub fn genealogical_nearest_neighbours(
    ts: &Arc<TreeSequence>,
    focal: &[Id],
    sets: &[&[Id]],
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let k = sets.len();
    let n = ts.num_nodes();
    for &u in focal {
        if u < 0 || u as usize >= n {
            fail!(Error::NodeOutOfBounds, "focal node {u}");
        }
    }
    let map = reference_map(ts, sets)?;
    let k1 = k + 1;
    let nf = focal.len();
    let windows = [0.0, ts.sequence_length()];
    // A piece costs a setup over every node (its counts, then each
    // reference node's path) and then about the focal nodes per tree: a
    // piece gets at least four setups' worth of trees, counted in the
    // plan's units (edge changes and sites) at their mean per tree.
    let nt = ts.num_trees().max(1) as f64;
    let units_per_tree = ((2 * ts.num_edges() + ts.tables().sites.position.len()) as f64 / nt + 1.0).max(1.0);
    let setup = (n * k1) as f64 + 32.0 * ts.samples().len() as f64;
    let trees_per_piece = 4.0 * setup / (nf.max(1) as f64);
    let p = plan(ts, &windows, (trees_per_piece * units_per_tree) as u64 + 16, 64)?;
    let e = &ts.tables().edges;
    let (ins_at, rem_at) = (&ts.insertion_at, &ts.removal_at);
    let parts = run_pieces(
        exec,
        &p.pieces,
        || (),
        |pi, piece, _, cancel| -> Result<(Vec<f64>, Vec<f64>)> {
            let mut w = Walker::new(ts, &map, k)?;
            for &h in &p.alive[pi] {
                let h = h as usize;
                let (u, v) = (e.child[h], e.parent[h]);
                w.parent[u as usize] = v;
            }
            // Counts from the tree at the piece's start: add each alive
            // edge's child's own counts up its path once the parents are set.
            // (Adding subtree counts requires children first: do it by
            // adding each reference node's unit count up its path.)
            for (u, &s) in map.iter().enumerate() {
                if s != NULL {
                    let mut v = w.parent[u];
                    while v != NULL {
                        w.count[v as usize * k1 + s as usize] += 1.0;
                        w.count[v as usize * k1 + k] += 1.0;
                        w.info[v as usize][0] += 1;
                        v = w.parent[v as usize];
                    }
                }
            }
            let mut a = alloc::zeroed(nf * k1, "the nearest neighbour sums")?;
            let mut length = alloc::zeroed(nf, "the nearest neighbour sums")?;
            // Each focal node's nearest ancestor and its counts stay the same
            // over runs of trees: a run's spans are summed and its counts
            // added once, when the run ends (the same sums as tree by tree
            // up to rounding).
            let mut run_node: Vec<Id> = alloc::filled(nf, NULL, "the nearest neighbour runs")?;
            let mut run_version: Vec<u32> = alloc::zeroed(nf, "the nearest neighbour runs")?;
            let mut run_span: Vec<f64> = alloc::zeroed(nf, "the nearest neighbour runs")?;
            let mut run_row: Vec<f64> = alloc::zeroed(nf * k1, "the nearest neighbour runs")?;
            let end_run = |j: usize, a: &mut [f64], length: &mut [f64], run_span: &mut [f64], run_row: &[f64]| {
                let span = run_span[j];
                if span > 0.0 {
                    let fs = map[focal[j] as usize];
                    let delta = if fs != NULL { 1.0 } else { 0.0 };
                    let row = &run_row[j * k1..(j + 1) * k1];
                    length[j] += span;
                    let scale = span / (row[k] - delta);
                    let ar = &mut a[j * k1..(j + 1) * k1];
                    for x in 0..k {
                        ar[x] += row[x] * scale;
                    }
                    if fs != NULL {
                        ar[fs as usize] -= scale;
                    }
                }
                run_span[j] = 0.0;
            };
            let bp = ts.breakpoints();
            for t in piece.trees.0..piece.trees.1 {
                if t > piece.trees.0 {
                    for (pp, c) in ts.removal_run(rem_at[t - 1] as usize, rem_at[t] as usize) {
                        w.update(pp, c, -1.0, |_, _| {});
                        w.parent[c as usize] = NULL;
                    }
                    for (pp, c) in ts.insertion_run(ins_at[t - 1] as usize, ins_at[t] as usize) {
                        w.parent[c as usize] = pp;
                        w.update(pp, c, 1.0, |_, _| {});
                    }
                }
                if (t - piece.trees.0) % 256 == 0 && cancel.load(std::sync::atomic::Ordering::Relaxed) {
                    fail!(Error::Cancelled, "cancelled");
                }
                let span = bp[t + 1] - bp[t];
                for (j, &u) in focal.iter().enumerate() {
                    let delta = (map[u as usize] != NULL) as u32;
                    let mut p = u;
                    let mut version = 0;
                    while p != NULL {
                        let i = w.info[p as usize];
                        if i[0] > delta {
                            version = i[1];
                            break;
                        }
                        p = w.parent[p as usize];
                    }
                    if p == run_node[j] && (p == NULL || version == run_version[j]) {
                        if p != NULL {
                            run_span[j] += span;
                        }
                        continue;
                    }
                    end_run(j, &mut a, &mut length, &mut run_span, &run_row);
                    run_node[j] = p;
                    if p != NULL {
                        run_version[j] = version;
                        run_row[j * k1..(j + 1) * k1].copy_from_slice(&w.count[p as usize * k1..(p as usize + 1) * k1]);
                        run_span[j] = span;
                    }
                }
            }
            for j in 0..nf {
                end_run(j, &mut a, &mut length, &mut run_span, &run_row);
            }
            Ok((a, length))
        },
    )?;
    let mut a = alloc::zeroed::<f64>(nf * k1, "the nearest neighbours")?;
    let mut length = alloc::zeroed::<f64>(nf, "the nearest neighbours")?;
    for (pa, pl) in parts {
        for (x, y) in a.iter_mut().zip(&pa) {
            *x += y;
        }
        for (x, y) in length.iter_mut().zip(&pl) {
            *x += y;
        }
    }
    let mut out = alloc::zeroed(nf * k, "the nearest neighbours")?;
    for j in 0..nf {
        for x in 0..k {
            out[j * k + x] = if length[j] > 0.0 {
                a[j * k1 + x] / length[j]
            } else {
                a[j * k1 + x]
            };
        }
    }
    Ok(out)
}
