//! Principal components of the genetic relatedness matrix between samples
//! or individuals, as tskit's `pca`: a randomized SVD (Martinsson and
//! Tropp's algorithms 8 and 9) whose only use of the matrix is its product
//! with a few vectors ([`super::relvec`]), so the matrix is never built.
//! The QR and small SVD steps use nalgebra.

use nalgebra::DMatrix;

use super::relvec;
use super::{opt, windows_of, Exec};
use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::tables::{Id, NULL};
use crate::treeseq::TreeSequence;

/// Whose relatedness: samples (node ids) or individuals.
#[derive(Clone, Copy, Debug)]
pub enum Subjects<'a> {
    Samples(&'a [Id]),
    Individuals(&'a [Id]),
}

/// What [`pca`] returns, per window (row-major).
#[derive(Debug)]
pub struct Pca {
    /// `[window][subject][component]`, each column of norm 1.
    pub factors: Vec<f64>,
    /// `[window][component]`.
    pub eigenvalues: Vec<f64>,
    /// `[window][subject][vector]`: the orthonormal range sketch, to pass
    /// to a later call.
    pub range_sketch: Vec<f64>,
    /// `[window]`: tskit's approximate bound on the spectral error (NaN
    /// without oversamples).
    pub error_bound: Vec<f64>,
}

/// The arguments of [`pca`] apart from the tree sequence.
pub struct PcaArgs<'a> {
    pub num_components: usize,
    pub windows: Option<&'a [f64]>,
    /// None: every sample.
    pub subjects: Option<Subjects<'a>>,
    /// Mode bits and `opt::NONCENTRED`.
    pub options: u32,
    pub num_iterations: usize,
    /// Vectors beyond the components (tskit's default: `min(10, dim - num_components)`).
    pub num_oversamples: usize,
    pub random_seed: u64,
    /// `[window][subject][vector]`, or None for Gaussian vectors from the seed.
    pub range_sketch: Option<&'a [f64]>,
}

/// The relatedness operator of one window: `X (dim × nv) -> M X`.
struct Operator<'a> {
    ts: &'a TreeSequence,
    /// The focal nodes, and for each its sample row and its subject.
    nodes: Vec<Id>,
    rows: Vec<usize>,
    subject: Vec<usize>,
    /// Nodes per subject (1 for samples).
    ploidy: Vec<f64>,
    dim: usize,
    cover: Vec<f64>,
    /// The window's index in `cover`.
    w: usize,
    options: u32,
    centre: bool,
}

fn centre_cols(x: &mut DMatrix<f64>) {
    for mut col in x.column_iter_mut() {
        let m = col.sum() / col.len() as f64;
        col.add_scalar_mut(-m);
    }
}

impl Operator<'_> {
    fn apply(&self, x: &DMatrix<f64>, exec: &mut Exec) -> Result<DMatrix<f64>> {
        let nv = x.ncols();
        let mut xc = x.clone();
        if self.centre {
            centre_cols(&mut xc);
        }
        let ns = self.ts.samples().len();
        let mut w = alloc::zeroed(ns.saturating_mul(nv), "the PCA's weights")?;
        for (f, &r) in self.rows.iter().enumerate() {
            let s = self.subject[f];
            for j in 0..nv {
                w[r * nv + j] = xc[(s, j)] / self.ploidy[s];
            }
        }
        let opts = (self.options & (opt::SITE | opt::BRANCH | opt::ALLOW_TIME_UNCALIBRATED)) | opt::NONCENTRED;
        let out =
            relvec::genetic_relatedness_vector(self.ts, &w, nv, Some(&self.cover), Some(&self.nodes), opts, exec)?;
        let nf = self.nodes.len();
        let block = &out[self.w * nf * nv..(self.w + 1) * nf * nv];
        let mut y = DMatrix::<f64>::zeros(self.dim, nv);
        for f in 0..nf {
            let s = self.subject[f];
            for j in 0..nv {
                y[(s, j)] += block[f * nv + j];
            }
        }
        for s in 0..self.dim {
            for j in 0..nv {
                y[(s, j)] /= self.ploidy[s];
            }
        }
        if self.centre {
            centre_cols(&mut y);
        }
        Ok(y)
    }
}

/// SplitMix64, for Gaussian range sketches from a seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn orthonormal(x: DMatrix<f64>) -> DMatrix<f64> {
    x.qr().q()
}

pub fn pca(ts: &TreeSequence, a: &PcaArgs, exec: &mut Exec) -> Result<Pca> {
    if a.num_iterations < 1 {
        fail!(Error::BadParamValue, "num_iterations must be at least 1");
    }
    let l = ts.sequence_length();
    let windows = windows_of(ts, a.windows)?;
    let nw = windows.len() - 1;
    // Focal nodes and subjects.
    let (mut nodes, mut subject, mut ploidy) = (Vec::new(), Vec::new(), Vec::new());
    let dim = match a.subjects {
        None | Some(Subjects::Samples(_)) => {
            let samples = match a.subjects {
                Some(Subjects::Samples(s)) => s,
                _ => ts.samples(),
            };
            for (i, &u) in samples.iter().enumerate() {
                if u < 0 || u as usize >= ts.num_nodes() || ts.sample_index()[u as usize] < 0 {
                    fail!(Error::BadSamples, "samples[{i}] = {u} is not a sample");
                }
                alloc::push(&mut nodes, u, "the PCA's subjects")?;
                alloc::push(&mut subject, i, "the PCA's subjects")?;
                alloc::push(&mut ploidy, 1.0, "the PCA's subjects")?;
            }
            samples.len()
        }
        Some(Subjects::Individuals(inds)) => {
            let ni = crate::tables::Table::num_rows(&ts.tables().individuals);
            let node_ind = &ts.tables().nodes.individual;
            let mut of: Vec<Vec<Id>> = alloc::filled(ni, Vec::new(), "the individuals' nodes")?;
            for (u, &i) in node_ind.iter().enumerate() {
                if i != NULL {
                    alloc::push(&mut of[i as usize], u as Id, "the individuals' nodes")?;
                }
            }
            for (k, &i) in inds.iter().enumerate() {
                if i < 0 || i as usize >= ni {
                    fail!(Error::IndividualOutOfBounds, "individuals[{k}] = {i} (there are {ni})");
                }
                let ns = &of[i as usize];
                if ns.is_empty() {
                    fail!(Error::BadParamValue, "individual {i} has no nodes");
                }
                for &u in ns {
                    if ts.sample_index()[u as usize] < 0 {
                        fail!(Error::BadSamples, "individual {i}'s node {u} is not a sample");
                    }
                    nodes.push(u);
                    subject.push(k);
                }
                ploidy.push(ns.len() as f64);
            }
            inds.len()
        }
    };
    let rank = a.num_components;
    if rank < 1 || rank > dim {
        fail!(
            Error::BadParamValue,
            "num_components is {rank}; it must be from 1 to the number of samples or individuals ({dim})"
        );
    }
    let nv = rank.saturating_add(a.num_oversamples);
    if let Some(r) = a.range_sketch {
        if r.len() as u128 != (nw as u128) * (dim as u128) * (nv as u128) {
            fail!(
                Error::BadParamValue,
                "range_sketch has {} values; {nw} windows × {dim} × {nv} vectors are needed",
                r.len()
            );
        }
    }
    if nv > dim {
        fail!(
            Error::BadParamValue,
            "num_components + num_oversamples ({nv}) exceeds the number of samples or individuals ({dim})"
        );
    }
    let rows: Vec<usize> = nodes.iter().map(|&u| ts.sample_index()[u as usize] as usize).collect();
    let mut rng = SplitMix(a.random_seed);
    let mut out = Pca {
        factors: alloc::zeroed(nw * dim * rank, "the PCA's factors")?,
        eigenvalues: alloc::zeroed(nw * rank, "the PCA's eigenvalues")?,
        range_sketch: alloc::zeroed(nw * dim * nv, "the PCA's range sketch")?,
        error_bound: alloc::zeroed(nw, "the PCA's error bounds")?,
    };
    let centre = a.options & opt::NONCENTRED == 0;
    for wi in 0..nw {
        let (left, right) = (windows[wi], windows[wi + 1]);
        let mut cover = vec![0.0];
        if left > 0.0 {
            cover.push(left);
        }
        let w = cover.len() - 1;
        cover.push(right);
        if right < l {
            cover.push(l);
        }
        let op = Operator {
            ts,
            nodes: nodes.clone(),
            rows: rows.clone(),
            subject: subject.clone(),
            ploidy: ploidy.clone(),
            dim,
            cover,
            w,
            options: a.options,
            centre,
        };
        let mut q = match a.range_sketch {
            Some(r) => DMatrix::from_row_slice(dim, nv, &r[wi * dim * nv..(wi + 1) * dim * nv]),
            None => {
                let v: Vec<f64> = (0..dim * nv).map(|_| rng.normal()).collect();
                DMatrix::from_row_slice(dim, nv, &v)
            }
        };
        for _ in 0..a.num_iterations {
            q = orthonormal(q);
            q = op.apply(&q, exec)?;
        }
        q = orthonormal(q);
        let c = op.apply(&q, exec)?.transpose();
        let svd = c.svd(true, false);
        let u_hat = svd.u.as_ref().expect("asked for");
        // Largest singular value first (as numpy gives them).
        let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
        order.sort_by(|&i, &j| svd.singular_values[j].total_cmp(&svd.singular_values[i]));
        let d: Vec<f64> = order.iter().map(|&i| svd.singular_values[i]).collect();
        let u_hat = u_hat.select_columns(order.iter());
        let u = &q * &u_hat;
        for s in 0..dim {
            for j in 0..rank {
                out.factors[wi * dim * rank + s * rank + j] = u[(s, j)];
            }
            for j in 0..nv {
                out.range_sketch[wi * dim * nv + s * nv + j] = q[(s, j)];
            }
        }
        out.eigenvalues[wi * rank..(wi + 1) * rank].copy_from_slice(&d[..rank]);
        let depth = a.num_iterations as f64;
        let factor = (1.0 + 4.0 * (2.0 * dim as f64 / (rank.saturating_sub(1).max(1)) as f64).sqrt())
            .powf(1.0 / (2.0 * depth + 1.0));
        out.error_bound[wi] = if nv > rank { d[rank] * (1.0 + factor) } else { f64::NAN };
    }
    Ok(out)
}
