//! The statistics: each a summary function of the sample counts (or
//! weights) below a branch, plugged into the general engine, with the
//! formulas of tskit's C library and, for those tskit computes only in
//! Python (Fst, Tajima's D, relatedness as a proportion), of its Python API.

use super::{
    check_indexes, general_stat, mode_of, sample_count_stat, sample_count_stat_add, Exec, Mode, SampleSets, Summary,
};
use crate::error::{fail, Error, Result};
use crate::tables::Id;
use crate::treeseq::TreeSequence;

type Stat = Result<Vec<f64>>;

pub fn diversity(ts: &TreeSequence, sets: SampleSets, windows: Option<&[f64]>, options: u32, exec: &mut Exec) -> Stat {
    sample_count_stat_add(
        ts,
        sets,
        sets.len(),
        |x, n, out| {
            for ((o, &x), &n) in out.iter_mut().zip(x).zip(n) {
                *o = x * (n - x) / (n * (n - 1.0));
            }
        },
        Some(|x: &[f64], n: &[f64], out: &mut [f64]| {
            for ((o, &x), &n) in out.iter_mut().zip(x).zip(n) {
                if (x == 0.0 || x == n) && n != 1.0 {
                    continue;
                }
                *o += x * (n - x) / (n * (n - 1.0));
            }
        }),
        windows,
        options,
        exec,
    )
}

pub fn segregating_sites(
    ts: &TreeSequence,
    sets: SampleSets,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    sample_count_stat(
        ts,
        sets,
        sets.len(),
        |x, n, out| {
            for j in 0..x.len() {
                out[j] = if x[j] > 0.0 { 1.0 - x[j] / n[j] } else { 0.0 };
            }
        },
        windows,
        options,
        exec,
    )
}

pub fn y1(ts: &TreeSequence, sets: SampleSets, windows: Option<&[f64]>, options: u32, exec: &mut Exec) -> Stat {
    sample_count_stat(
        ts,
        sets,
        sets.len(),
        |x, n, out| {
            for j in 0..x.len() {
                let ni = n[j];
                out[j] = x[j] * (ni - x[j]) * (ni - x[j] - 1.0) / (ni * (ni - 1.0) * (ni - 2.0));
            }
        },
        windows,
        options,
        exec,
    )
}

#[allow(clippy::too_many_arguments)]
/// A k-way statistic over index tuples: `f(x, n, tuple) -> value`.
fn k_way(
    ts: &TreeSequence,
    sets: SampleSets,
    tuple: usize,
    indexes: &[Id],
    f: impl Fn(&[f64], &[f64], &[usize]) -> f64 + Sync,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    k_way_zero(
        ts,
        sets,
        tuple,
        indexes,
        f,
        None::<fn(&[f64], &[f64], &[usize]) -> bool>,
        windows,
        options,
        exec,
    )
}

#[allow(clippy::too_many_arguments)]
/// [`k_way`] with `zero(x, n, tuple)`: true only where `f` is certainly
/// +0 or -0, so that site mode can skip adding it.
fn k_way_zero(
    ts: &TreeSequence,
    sets: SampleSets,
    tuple: usize,
    indexes: &[Id],
    f: impl Fn(&[f64], &[f64], &[usize]) -> f64 + Sync,
    zero: Option<impl Fn(&[f64], &[f64], &[usize]) -> bool + Sync>,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    if sets.is_empty() {
        fail!(Error::InsufficientSampleSets, "at least one sample set is needed");
    }
    let t = check_indexes(sets.len(), tuple, indexes)?;
    let idx: Vec<usize> = indexes.iter().map(|&i| i as usize).collect();
    let f = &f;
    let idx = &idx;
    sample_count_stat_add(
        ts,
        sets,
        t,
        |x, n, out| {
            for (o, tup) in out.iter_mut().zip(idx.chunks_exact(tuple)) {
                *o = f(x, n, tup);
            }
        },
        zero.map(|zero| {
            move |x: &[f64], n: &[f64], out: &mut [f64]| {
                for (o, tup) in out.iter_mut().zip(idx.chunks_exact(tuple)) {
                    if !zero(x, n, tup) {
                        *o += f(x, n, tup);
                    }
                }
            }
        }),
        windows,
        options,
        exec,
    )
}

#[inline(always)]
fn divergence_f(x: &[f64], n: &[f64], t: &[usize]) -> f64 {
    let (i, j) = (t[0], t[1]);
    let denom = n[i] * (n[j] - if i == j { 1.0 } else { 0.0 });
    x[i] * (n[j] - x[j]) / denom
}

/// Where [`divergence_f`] is certainly ±0: a zero factor over a non-zero
/// denominator.
#[inline(always)]
fn divergence_zero(x: &[f64], n: &[f64], t: &[usize]) -> bool {
    let (i, j) = (t[0], t[1]);
    (x[i] == 0.0 || x[j] == n[j]) && (i != j || n[j] != 1.0)
}

/// Adds the divergences of pairs into `out` skipping those that are ±0:
/// pair `(i, j)` is non-zero only where `x_i != 0` and `x_j != n_j`, so
/// with the sets of each kind as bit masks only the pairs through the
/// smaller mask are visited (the per-pair test past 64 sets).
pub(crate) struct DivergenceAdd {
    idx: Vec<usize>,
    /// `(pair, j)` for each pair by its first set `i`.
    by_first: Vec<Vec<(usize, usize)>>,
    /// `(pair, i)` for each pair by its second set `j`.
    by_second: Vec<Vec<(usize, usize)>>,
    /// Pairs `(i, i)` of one-sample sets: 0/0, never skipped.
    always: Vec<usize>,
    /// Whether the pairs `(i, i)` of one-sample sets are left out instead.
    skip_singletons: bool,
}

impl DivergenceAdd {
    /// `idx`: the pairs, flattened. With `singleton_diagonal_zero` the pairs
    /// `(i, i)` of one-sample sets are never visited (their results stay
    /// 0, as in a divergence matrix); without, they are always computed.
    pub(crate) fn new(k: usize, idx: &[usize], sizes: &[u64], singleton_diagonal_zero: bool) -> Self {
        let mut by_first = vec![Vec::new(); k];
        let mut by_second = vec![Vec::new(); k];
        let mut always = Vec::new();
        for (p, t) in idx.chunks_exact(2).enumerate() {
            let (i, j) = (t[0], t[1]);
            if i == j && sizes[i] == 1 {
                if !singleton_diagonal_zero {
                    always.push(p);
                }
            } else {
                by_first[i].push((p, j));
                by_second[j].push((p, i));
            }
        }
        DivergenceAdd {
            idx: idx.to_vec(),
            by_first,
            by_second,
            always,
            skip_singletons: singleton_diagonal_zero,
        }
    }

    /// `out[p] += divergence_f(x, n, pair p)`, skipping the ±0 terms.
    #[inline]
    fn add(&self, x: &[f64], n: &[f64], out: &mut [f64]) {
        self.add_terms(x, n, out, |_, i, j| divergence_f(x, n, &[i, j]));
    }

    /// `out[p] += term(p, i, j)` for each pair `p = (i, j)` that can be
    /// non-zero; `term` must be ±0 wherever `x_i == 0` or `x_j == n_j`.
    #[inline]
    pub(crate) fn add_terms(&self, x: &[f64], n: &[f64], out: &mut [f64], term: impl Fn(usize, usize, usize) -> f64) {
        let k = x.len();
        if k > 64 {
            for (p, tup) in self.idx.chunks_exact(2).enumerate() {
                let (i, j) = (tup[0], tup[1]);
                let singleton = i == j && n[i] == 1.0;
                if (singleton && self.skip_singletons) || divergence_zero(x, n, tup) {
                    continue;
                }
                out[p] += term(p, i, j);
            }
            return;
        }
        let (mut a, mut b) = (0u64, 0u64);
        for s in 0..k {
            a |= u64::from(x[s] != 0.0) << s;
            b |= u64::from(x[s] != n[s]) << s;
        }
        if a.count_ones() <= b.count_ones() {
            let mut m = a;
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                for &(p, j) in &self.by_first[i] {
                    if b >> j & 1 != 0 {
                        out[p] += term(p, i, j);
                    }
                }
            }
        } else {
            let mut m = b;
            while m != 0 {
                let j = m.trailing_zeros() as usize;
                m &= m - 1;
                for &(p, i) in &self.by_second[j] {
                    if a >> i & 1 != 0 {
                        out[p] += term(p, i, j);
                    }
                }
            }
        }
        for &p in &self.always {
            out[p] += term(p, self.idx[2 * p], self.idx[2 * p + 1]);
        }
    }
}

pub fn divergence(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    if sets.is_empty() {
        fail!(Error::InsufficientSampleSets, "at least one sample set is needed");
    }
    let t = check_indexes(sets.len(), 2, indexes)?;
    let idx: Vec<usize> = indexes.iter().map(|&i| i as usize).collect();
    let da = DivergenceAdd::new(sets.len(), &idx, sets.sizes, false);
    sample_count_stat_add(
        ts,
        sets,
        t,
        |x, n, out| {
            for (o, tup) in out.iter_mut().zip(idx.chunks_exact(2)) {
                *o = divergence_f(x, n, tup);
            }
        },
        Some(|x: &[f64], n: &[f64], out: &mut [f64]| da.add(x, n, out)),
        windows,
        options,
        exec,
    )
}

pub fn y2(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    k_way(
        ts,
        sets,
        2,
        indexes,
        |x, n, t| {
            let (i, j) = (t[0], t[1]);
            x[i] * (n[j] - x[j]) * (n[j] - x[j] - 1.0) / (n[i] * n[j] * (n[j] - 1.0))
        },
        windows,
        options,
        exec,
    )
}

pub fn f2(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    k_way(
        ts,
        sets,
        2,
        indexes,
        |x, n, t| {
            let (i, j) = (t[0], t[1]);
            let denom = n[i] * (n[i] - 1.0) * n[j] * (n[j] - 1.0);
            let numer =
                x[i] * (x[i] - 1.0) * (n[j] - x[j]) * (n[j] - x[j] - 1.0) - x[i] * (n[i] - x[i]) * (n[j] - x[j]) * x[j];
            numer / denom
        },
        windows,
        options,
        exec,
    )
}

pub fn y3(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    k_way(
        ts,
        sets,
        3,
        indexes,
        |x, n, t| {
            let (i, j, k) = (t[0], t[1], t[2]);
            x[i] * (n[j] - x[j]) * (n[k] - x[k]) / (n[i] * n[j] * n[k])
        },
        windows,
        options,
        exec,
    )
}

pub fn f3(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    k_way(
        ts,
        sets,
        3,
        indexes,
        |x, n, t| {
            let (i, j, k) = (t[0], t[1], t[2]);
            let denom = n[i] * (n[i] - 1.0) * n[j] * n[k];
            let numer =
                x[i] * (x[i] - 1.0) * (n[j] - x[j]) * (n[k] - x[k]) - x[i] * (n[i] - x[i]) * (n[j] - x[j]) * x[k];
            numer / denom
        },
        windows,
        options,
        exec,
    )
}

pub fn f4(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    k_way_zero(
        ts,
        sets,
        4,
        indexes,
        |x, n, t| {
            let (i, j, k, l) = (t[0], t[1], t[2], t[3]);
            let denom = n[i] * n[j] * n[k] * n[l];
            let numer = x[i] * x[k] * (n[j] - x[j]) * (n[l] - x[l]) - x[i] * x[l] * (n[j] - x[j]) * (n[k] - x[k]);
            numer / denom
        },
        // Both terms have the factors x_i and n_j - x_j; the sizes are >= 1.
        Some(|x: &[f64], n: &[f64], t: &[usize]| x[t[0]] == 0.0 || x[t[1]] == n[t[1]]),
        windows,
        options,
        exec,
    )
}

/// Genetic relatedness (tskit Python's meaning): centred unless
/// `NONCENTRED`; divided by the segregating sites of the union of the sets
/// when `PROPORTION`.
pub fn genetic_relatedness(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    let centred = options & super::opt::NONCENTRED == 0;
    let base = options & !(super::opt::NONCENTRED | super::opt::PROPORTION);
    let mut out = if centred {
        let num_sets = sets.len();
        k_way(
            ts,
            sets,
            2,
            indexes,
            move |x, n, t| {
                let mut sum = 0.0;
                for k in 0..num_sets {
                    sum += x[k] / n[k];
                }
                let mean = sum / num_sets as f64;
                (x[t[0]] / n[t[0]] - mean) * (x[t[1]] / n[t[1]] - mean)
            },
            windows,
            base,
            exec,
        )?
    } else {
        k_way(
            ts,
            sets,
            2,
            indexes,
            |x, n, t| x[t[0]] * x[t[1]] / (n[t[0]] * n[t[1]]),
            windows,
            base,
            exec,
        )?
    };
    if options & super::opt::PROPORTION != 0 {
        let mut all: Vec<Id> = sets.ids.to_vec();
        all.sort_unstable();
        all.dedup();
        let sizes = [all.len() as u64];
        // As tskit's Python: unpolarised, same windows, mode and normalisation.
        let seg_opts = base & !super::opt::POLARISED;
        let denom = segregating_sites(ts, SampleSets::new(&sizes, &all), windows, seg_opts, exec)?;
        let mode = mode_of(options)?;
        let t = indexes.len() / 2;
        let per_window = if mode == Mode::Node { t * ts.num_nodes() } else { t };
        let inner = if mode == Mode::Node { t } else { per_window };
        for (w, chunk) in out.chunks_exact_mut(per_window).enumerate() {
            for (j, x) in chunk.iter_mut().enumerate() {
                let d = if mode == Mode::Node {
                    denom[w * ts.num_nodes() + j / inner]
                } else {
                    denom[w]
                };
                *x /= d;
            }
        }
    }
    Ok(out)
}

/// Fst between pairs: `1 - 2 (d_i + d_j) / (d_i + d_j + 2 D_ij)` from
/// diversities and divergences computed in one pass.
pub fn fst(
    ts: &TreeSequence,
    sets: SampleSets,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    if sets.is_empty() {
        fail!(Error::InsufficientSampleSets, "at least one sample set is needed");
    }
    let k = sets.len();
    let t = check_indexes(k, 2, indexes)?;
    let idx: Vec<usize> = indexes.iter().map(|&i| i as usize).collect();
    let da = DivergenceAdd::new(k, &idx, sets.sizes, false);
    let raw = sample_count_stat_add(
        ts,
        sets,
        k + t,
        |x, n, out| {
            for j in 0..k {
                out[j] = x[j] * (n[j] - x[j]) / (n[j] * (n[j] - 1.0));
            }
            for (o, tup) in out[k..].iter_mut().zip(idx.chunks_exact(2)) {
                *o = divergence_f(x, n, tup);
            }
        },
        Some(|x: &[f64], n: &[f64], out: &mut [f64]| {
            for j in 0..k {
                if (x[j] == 0.0 || x[j] == n[j]) && n[j] != 1.0 {
                    continue;
                }
                out[j] += x[j] * (n[j] - x[j]) / (n[j] * (n[j] - 1.0));
            }
            da.add(x, n, &mut out[k..]);
        }),
        windows,
        options,
        exec,
    )?;
    let mut out = Vec::with_capacity(raw.len() / (k + t) * t);
    for row in raw.chunks_exact(k + t) {
        for (p, tup) in idx.chunks_exact(2).enumerate() {
            let (du, dv) = (row[tup[0]], row[tup[1]]);
            let denom = du + dv + 2.0 * row[k + p];
            out.push(1.0 - 2.0 * (du + dv) / denom);
        }
    }
    Ok(out)
}

/// Tajima's D from diversity and segregating sites (not span-normalised);
/// NaN where its denominator is zero.
pub fn tajimas_d(ts: &TreeSequence, sets: SampleSets, windows: Option<&[f64]>, options: u32, exec: &mut Exec) -> Stat {
    let k = sets.len();
    let opts = options & !super::opt::SPAN_NORMALISE;
    let raw = sample_count_stat(
        ts,
        sets,
        2 * k,
        |x, n, out| {
            for j in 0..k {
                out[j] = x[j] * (n[j] - x[j]) / (n[j] * (n[j] - 1.0));
                out[k + j] = if x[j] > 0.0 { 1.0 - x[j] / n[j] } else { 0.0 };
            }
        },
        windows,
        opts,
        exec,
    )?;
    let consts: Vec<(f64, f64, f64, f64)> = sets
        .sizes
        .iter()
        .map(|&nn| {
            let n = nn as f64;
            let (mut h, mut g) = (0.0, 0.0);
            for i in 1..nn {
                h += 1.0 / i as f64;
                g += 1.0 / (i as f64 * i as f64);
            }
            let a = (n + 1.0) / (3.0 * (n - 1.0) * h) - 1.0 / (h * h);
            let b = 2.0 * (n * n + n + 3.0) / (9.0 * n * (n - 1.0)) - (n + 2.0) / (h * n) + g / (h * h);
            (h, g, a, b)
        })
        .collect();
    let mut out = Vec::with_capacity(raw.len() / 2);
    for row in raw.chunks_exact(2 * k) {
        for (j, &(h, g, a, b)) in consts.iter().enumerate() {
            let (t, s) = (row[j], row[k + j]);
            // Zero where the variance vanishes: with no segregating sites,
            // and for every S when n < 4 (a = b = 0), where the numerator
            // is zero too but for rounding: 0 / 0, NaN (tskit gets NaN or
            // ±inf there, as its numerator rounds).
            let denom = (a * s + (b / (h * h + g)) * s * (s - 1.0)).sqrt();
            out.push(if denom == 0.0 { f64::NAN } else { (t - s / h) / denom });
        }
    }
    Ok(out)
}

fn check_weights(ts: &TreeSequence, weights: &[f64], num_weights: usize) -> Result<()> {
    if num_weights == 0 {
        fail!(Error::InsufficientWeights, "at least one weight column is needed");
    }
    if weights.len() != ts.samples().len() * num_weights {
        fail!(
            Error::BadParamValue,
            "weights: {} values for {} samples × {num_weights} columns",
            weights.len(),
            ts.samples().len()
        );
    }
    Ok(())
}

pub fn trait_covariance(
    ts: &TreeSequence,
    weights: &[f64],
    num_weights: usize,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    check_weights(ts, weights, num_weights)?;
    let ns = ts.samples().len();
    let mut means = vec![0.0; num_weights];
    for row in weights.chunks_exact(num_weights) {
        for (m, x) in means.iter_mut().zip(row) {
            *m += x;
        }
    }
    for m in &mut means {
        *m /= ns as f64;
    }
    let centred: Vec<f64> = weights
        .chunks_exact(num_weights)
        .flat_map(|row| row.iter().zip(&means).map(|(x, m)| x - m))
        .collect();
    let n = ns as f64;
    let summary = Summary::new(num_weights, num_weights, move |x, out| {
        for j in 0..x.len() {
            out[j] = x[j] * x[j] / (2.0 * (n - 1.0) * (n - 1.0));
        }
        Ok(())
    });
    general_stat(ts, &centred, &summary, windows, options, exec)
}

pub fn trait_correlation(
    ts: &TreeSequence,
    weights: &[f64],
    num_weights: usize,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    check_weights(ts, weights, num_weights)?;
    let ns = ts.samples().len();
    let n = ns as f64;
    let mut means = vec![0.0; num_weights];
    let mut sq = vec![0.0; num_weights];
    for row in weights.chunks_exact(num_weights) {
        for k in 0..num_weights {
            means[k] += row[k];
            sq[k] += row[k] * row[k];
        }
    }
    let mut sds = vec![0.0; num_weights];
    for k in 0..num_weights {
        means[k] /= n;
        sq[k] -= means[k] * means[k] * n;
        sq[k] /= n - 1.0;
        sds[k] = sq[k].sqrt();
    }
    let kk = num_weights + 1;
    let mut nw = Vec::with_capacity(ns * kk);
    for row in weights.chunks_exact(num_weights) {
        for k in 0..num_weights {
            nw.push((row[k] - means[k]) / sds[k]);
        }
        nw.push(1.0 / n);
    }
    let summary = Summary::new(kk, num_weights, move |x, out| {
        let p = x[kk - 1];
        for j in 0..kk - 1 {
            out[j] = if p > 0.0 && p < 1.0 {
                x[j] * x[j] / (2.0 * (p * (1.0 - p)) * n * (n - 1.0))
            } else {
                0.0
            };
        }
        Ok(())
    });
    general_stat(ts, &nw, &summary, windows, options, exec)
}

pub fn genetic_relatedness_weighted(
    ts: &TreeSequence,
    weights: &[f64],
    num_weights: usize,
    indexes: &[Id],
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Stat {
    check_weights(ts, weights, num_weights)?;
    let t = check_indexes(num_weights, 2, indexes)?;
    let ns = ts.samples().len();
    let kk = num_weights + 1;
    let mut totals = vec![0.0; kk];
    let mut nw = Vec::with_capacity(ns * kk);
    for row in weights.chunks_exact(num_weights) {
        for k in 0..num_weights {
            nw.push(row[k]);
            totals[k] += row[k];
        }
        nw.push(1.0 / ns as f64);
    }
    totals[num_weights] = 1.0;
    let idx: Vec<usize> = indexes.iter().map(|&i| i as usize).collect();
    let centred = options & super::opt::NONCENTRED == 0;
    let summary = Summary::new(kk, t, move |x, out| {
        let pn = x[kk - 1];
        for (o, tup) in out.iter_mut().zip(idx.chunks_exact(2)) {
            let (i, j) = (tup[0], tup[1]);
            *o = if centred {
                (x[i] - totals[i] * pn) * (x[j] - totals[j] * pn)
            } else {
                x[i] * x[j]
            };
        }
        Ok(())
    });
    general_stat(ts, &nw, &summary, windows, options & !super::opt::NONCENTRED, exec)
}
