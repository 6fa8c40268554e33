//! Divergence and genetic relatedness matrices between sample sets, as
//! tskit's `divergence_matrix` and `genetic_relatedness_matrix`:
//! `[window][K][K]`, diagonals the within-set values over distinct pairs
//! (0 for a set of one sample). As in tskit, the windows may leave out
//! the start and the end of the genome, the sample sets must not overlap,
//! and no sample sets at all give matrices of size 0.

use super::summary::DivergenceAdd;
use super::{
    check_time_calibrated, general_stat, mode_of, opt, set_weights, windows_within, Exec, Mode, SampleSets, Summary,
};
use super::{divmat, span_normalise};
use crate::alloc;
use crate::error::{fail, Error, Result};
use crate::treeseq::TreeSequence;

pub fn divergence_matrix(
    ts: &TreeSequence,
    sets: SampleSets,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let mode = mode_of(options)?;
    if mode == Mode::Node {
        fail!(Error::UnsupportedStatMode, "divergence matrices have no node mode");
    }
    if options & opt::POLARISED != 0 {
        fail!(Error::StatPolarisedUnsupported, "divergence matrices are not polarised");
    }
    let given = windows_within(ts, windows)?;
    let checked = sets.check_disjoint(ts)?;
    check_time_calibrated(ts, mode, options)?;
    let k = checked.len();
    if k == 0 {
        return Ok(Vec::new());
    }
    // The engine's windows cover [0, L]: add the uncovered ends as windows
    // of their own and leave their rows out.
    let l = ts.sequence_length();
    let mut cover = alloc::with_capacity(given.len() + 2, "the matrix's windows")?;
    let first = usize::from(given[0] > 0.0);
    if first == 1 {
        cover.push(0.0);
    }
    cover.extend_from_slice(&given);
    if given[given.len() - 1] < l {
        cover.push(l);
    }
    let n: Vec<f64> = sets.sizes.iter().map(|&s| s as f64).collect();
    let pairs: Vec<(usize, usize)> =
        alloc::collect((0..k).flat_map(|i| (i..k).map(move |j| (i, j))), "the matrix's pairs")?;
    let np = pairs.len();
    // 1 / (n_i (n_j - [i == j])), 0 on the diagonal of a one-sample set.
    let inv: Vec<f64> = alloc::collect(
        pairs.iter().map(|&(i, j)| {
            if i == j {
                if n[i] > 1.0 {
                    1.0 / (n[i] * (n[i] - 1.0))
                } else {
                    0.0
                }
            } else {
                1.0 / (n[i] * n[j])
            }
        }),
        "the matrix's pairs",
    )?;
    // Row i of the upper triangle starts at row_start[i].
    let mut row_start = Vec::with_capacity(k);
    let mut at = 0;
    for i in 0..k {
        row_start.push(at);
        at += k - i;
    }
    // tskit's divergence summary x_i (n_j - x_j) / (n_i (n_j - [i == j])),
    // with the reciprocals computed once.
    let summary = Summary::new(k, np, |x, out| {
        for i in 0..k {
            let row = &mut out[row_start[i]..row_start[i] + (k - i)];
            let inv_row = &inv[row_start[i]..row_start[i] + (k - i)];
            let (xi, ri) = (x[i], n[i] - x[i]);
            if xi == 0.0 {
                row.fill(0.0);
                continue;
            }
            row[0] = xi * ri * inv_row[0];
            for t in 1..k - i {
                let j = i + t;
                row[t] = xi * (n[j] - x[j]) * inv_row[t];
            }
        }
        Ok(())
    });
    let num_set_samples = checked.iter().map(|s| s.len()).sum::<usize>();
    let raw = if divmat::use_sample_pairs(k, num_set_samples) {
        if exec.parts.is_some() {
            // The sample-pair algorithm does not go through the engine's
            // pieces, so it has no parts to hand out.
            fail!(
                Error::PartsUnsupported,
                "a matrix over {k} small sample sets ({num_set_samples} samples) uses the sample-pair \
                 algorithm, which cannot be split into parts yet"
            );
        }
        let set = divmat::SetSamples::new(ts, &checked)?;
        let mut raw = if mode == Mode::Site {
            divmat::site_pair_counts(ts, &set, &cover, exec)?
        } else {
            divmat::branch_pair_sums(ts, &set, &cover, exec)?
        };
        for row in raw.chunks_exact_mut(np) {
            for (x, &r) in row.iter_mut().zip(&inv) {
                *x *= r;
            }
        }
        if options & opt::SPAN_NORMALISE != 0 {
            span_normalise(&cover, np, &mut raw);
        }
        raw
    } else {
        // The same terms added into `out`, visiting only the pairs whose
        // factors are both non-zero (the reciprocals are finite, so the other
        // terms are ±0) through the bit masks of the sets with x_i != 0 and
        // with x_j != n_j: at a site most sets have one allele or the other
        // everywhere, so few pairs are visited.
        let flat: Vec<usize> = alloc::collect(pairs.iter().flat_map(|&(i, j)| [i, j]), "the matrix's pairs")?;
        let da = DivergenceAdd::new(k, &flat, sets.sizes, true);
        let summary = summary.with_add(|x, out| {
            da.add_terms(x, &n, out, |p, i, j| x[i] * (n[j] - x[j]) * inv[p]);
        });
        let weights = set_weights(ts, &checked)?;
        general_stat(ts, &weights, &summary, Some(&cover), options, exec)?
    };
    let raw = &raw[first * np..(first + given.len() - 1) * np];
    let nw = raw.len() / np;
    let mut out = alloc::zeroed(nw.saturating_mul(k).saturating_mul(k), "the matrix")?;
    for w in 0..nw {
        for (p, &(i, j)) in pairs.iter().enumerate() {
            let v = raw[w * np + p];
            out[w * k * k + i * k + j] = v;
            out[w * k * k + j * k + i] = v;
        }
    }
    Ok(out)
}

/// Relatedness from the divergence matrix as tskit's Python does it:
/// diagonals corrected to include self-comparisons, then double-centred
/// and divided by -2.
pub fn genetic_relatedness_matrix(
    ts: &TreeSequence,
    sets: SampleSets,
    windows: Option<&[f64]>,
    options: u32,
    exec: &mut Exec,
) -> Result<Vec<f64>> {
    let mut d = divergence_matrix(ts, sets, windows, options, exec)?;
    let k = sets.len();
    if k == 0 {
        return Ok(d);
    }
    let n: Vec<f64> = sets.sizes.iter().map(|&s| s as f64).collect();
    for b in d.chunks_exact_mut(k * k) {
        for i in 0..k {
            b[i * k + i] *= (n[i] - 1.0) / n[i];
        }
        let mean = b.iter().sum::<f64>() / (k * k) as f64;
        let y: Vec<f64> = (0..k)
            .map(|j| (0..k).map(|i| b[i * k + j]).sum::<f64>() / k as f64)
            .collect();
        for i in 0..k {
            for j in 0..k {
                b[i * k + j] = (b[i * k + j] + mean - (y[i] + y[j])) / -2.0;
            }
        }
    }
    Ok(d)
}
