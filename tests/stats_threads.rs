//! Statistics give the same bits for every thread count, and cutting the
//! genome into many pieces gives the values of one piece (up to rounding).

use std::path::Path;

use tspar::io::trees;
use tspar::stats::{afs, matrix, opt, summary, Exec, SampleSets};
use tspar::treeseq::TreeSequence;

fn example() -> TreeSequence {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees");
    TreeSequence::new(trees::load(&path, 0).unwrap(), 0).unwrap()
}

/// Two populations of the example file, plus a set of two samples.
fn sets(ts: &TreeSequence) -> (Vec<u64>, Vec<i32>) {
    let pop = &ts.tables().nodes.population;
    let mut a: Vec<i32> = ts.samples().iter().copied().filter(|&u| pop[u as usize] == 0).collect();
    let mut b: Vec<i32> = ts.samples().iter().copied().filter(|&u| pop[u as usize] == 1).collect();
    a.truncate(20);
    b.truncate(15);
    let c = vec![b[0], a[0]];
    let sizes = vec![a.len() as u64, b.len() as u64, c.len() as u64];
    (sizes, [a, b, c].concat())
}

type Run = dyn Fn(&TreeSequence, SampleSets, Option<&[f64]>, u32, &mut Exec) -> tspar::error::Result<Vec<f64>>;

fn stats() -> Vec<(&'static str, Box<Run>)> {
    vec![
        ("diversity", Box::new(summary::diversity)),
        (
            "divergence",
            Box::new(|ts, s, w, o, e| summary::divergence(ts, s, &[0, 1, 1, 2, 0, 0], w, o, e)),
        ),
        (
            "f4",
            Box::new(|ts, s, w, o, e| summary::f4(ts, s, &[0, 1, 2, 0], w, o, e)),
        ),
        ("afs", Box::new(afs::allele_frequency_spectrum)),
        // A matrix's sets must not overlap (as in tskit): the first two.
        (
            "divmat",
            Box::new(|ts, s, w, o, e| {
                let two = SampleSets::new(&s.sizes[..2], &s.ids[..(s.sizes[0] + s.sizes[1]) as usize]);
                matrix::divergence_matrix(ts, two, w, o, e)
            }),
        ),
    ]
}

fn exec<'a>(threads: usize, piece_work: u64) -> Exec<'a> {
    let mut e = Exec::with_threads(threads);
    e.piece_work = piece_work;
    e
}

#[test]
fn same_bits_for_1_2_3_8_threads_and_pieces_agree() {
    let ts = example();
    let (sizes, ids) = sets(&ts);
    let s = SampleSets::new(&sizes, &ids);
    let l = ts.sequence_length();
    let windows: Vec<f64> = vec![0.0, l * 0.1234, l * 0.5, l * 0.5 + 1e-9 * l, l * 0.9, l];
    for (name, run) in stats() {
        for mode in [opt::SITE, opt::BRANCH, opt::NODE] {
            if mode == opt::NODE && (name == "afs" || name == "divmat") {
                continue;
            }
            for w in [None, Some(&windows[..])] {
                for extra in [0, opt::POLARISED | opt::SPAN_NORMALISE] {
                    if name == "divmat" && extra & opt::POLARISED != 0 {
                        continue;
                    }
                    let o = mode | extra;
                    // Many small pieces: every piece rebuilds its state.
                    let one = run(&ts, s, w, o, &mut exec(1, 40)).unwrap();
                    for threads in [2, 3, 8] {
                        let many = run(&ts, s, w, o, &mut exec(threads, 40)).unwrap();
                        let same = one.iter().zip(&many).all(|(a, b)| a.to_bits() == b.to_bits());
                        assert!(same && one.len() == many.len(), "{name} mode {mode} {threads} threads");
                    }
                    // One piece over the whole genome: the same values.
                    let whole = run(&ts, s, w, o, &mut exec(1, u64::MAX)).unwrap();
                    assert_eq!(whole.len(), one.len());
                    for (a, b) in whole.iter().zip(&one) {
                        let tol = 1e-9 * a.abs().max(b.abs()) + 1e-12;
                        assert!(
                            (a - b).abs() <= tol || (a.is_nan() && b.is_nan()),
                            "{name} {mode}: {a} vs {b}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn progress_reaches_one_and_cancel_stops() {
    let ts = example();
    let (sizes, ids) = sets(&ts);
    let s = SampleSets::new(&sizes, &ids);
    for threads in [1, 2] {
        let mut seen = Vec::new();
        let mut cb = |f: f64| {
            seen.push(f);
            false
        };
        {
            let mut e = exec(threads, 40);
            e.progress = Some(&mut cb);
            summary::diversity(&ts, s, None, opt::BRANCH, &mut e).unwrap();
        }
        assert!(seen.len() > 1);
        assert!((seen.last().unwrap() - 1.0).abs() < 1e-12);
        assert!(seen.windows(2).all(|p| p[0] <= p[1]));

        let mut calls = 0;
        let mut cancel = |_f: f64| {
            calls += 1;
            true
        };
        let err = {
            let mut e = exec(threads, 40);
            e.progress = Some(&mut cancel);
            summary::diversity(&ts, s, None, opt::BRANCH, &mut e).unwrap_err()
        };
        assert_eq!(err.kind, tspar::error::Error::Cancelled);
        assert_eq!(calls, 1);
    }
}

/// The relatedness-vector product: the same bits for every thread count
/// (its pieces are at least as many units as nodes: the example file still
/// has several), and one piece gives the same values.
#[test]
fn relatedness_vector_same_bits_for_1_2_3_8_threads() {
    use tspar::stats::relvec::genetic_relatedness_vector;
    let ts = example();
    let l = ts.sequence_length();
    let windows: Vec<f64> = vec![0.0, l * 0.1234, l * 0.5, l * 0.5 + 1e-9 * l, l * 0.9, l];
    let nodes: Vec<i32> = (0..ts.num_nodes() as i32).step_by(5).collect();
    for k in [1usize, 3] {
        let w: Vec<f64> = (0..ts.samples().len() * k)
            .map(|i| ((i * 7919) % 101) as f64 / 50.0 - 1.0)
            .collect();
        for mode in [opt::SITE, opt::BRANCH] {
            for win in [None, Some(&windows[..])] {
                for (focal, o) in [(None, mode), (Some(&nodes[..]), mode | opt::NONCENTRED)] {
                    let run = |e: &mut Exec| genetic_relatedness_vector(&ts, &w, k, win, focal, o, e).unwrap();
                    let one = run(&mut exec(1, 40));
                    for threads in [2, 3, 8] {
                        let many = run(&mut exec(threads, 40));
                        let same = one.iter().zip(&many).all(|(a, b)| a.to_bits() == b.to_bits());
                        assert!(same && one.len() == many.len(), "k {k} mode {mode} {threads} threads");
                    }
                    let mut e = exec(1, u64::MAX);
                    e.max_pieces = 1;
                    let whole = run(&mut e);
                    let scale = one.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                    for (a, b) in whole.iter().zip(&one) {
                        assert!((a - b).abs() <= 1e-9 * scale + 1e-12, "k {k} mode {mode}: {a} vs {b}");
                    }
                }
            }
        }
    }
}

/// Matrices between many small sets (the sample-pair algorithms): many
/// small pieces at 1, 2 and 3 threads give the values of one piece, exactly
/// in site mode (whole-number counts) and up to rounding in branch mode.
#[test]
fn matrix_of_many_small_sets_pieces_agree() {
    let ts = example();
    let samples = ts.samples().to_vec();
    assert!(samples.len() >= 80, "the example file has {} samples", samples.len());
    let l = ts.sequence_length();
    let windows: Vec<f64> = vec![0.0, l * 0.1234, l * 0.5, l * 0.9, l];
    // 40 one-sample sets, then 20 two-sample sets, then mixed sizes.
    let shapes: [&[u64]; 3] = [
        &[1; 40],
        &[2; 20],
        &[
            1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2,
        ],
    ];
    for sizes in shapes {
        let total = sizes.iter().sum::<u64>() as usize;
        let s = SampleSets::new(sizes, &samples[..total]);
        for mode in [opt::SITE, opt::BRANCH] {
            for w in [None, Some(&windows[..])] {
                let whole = matrix::divergence_matrix(&ts, s, w, mode, &mut exec(1, u64::MAX)).unwrap();
                assert!(whole.iter().any(|&x| x > 0.0));
                for threads in [1, 2, 3] {
                    let many = matrix::divergence_matrix(&ts, s, w, mode, &mut exec(threads, 40)).unwrap();
                    assert_eq!(whole.len(), many.len());
                    for (a, b) in whole.iter().zip(&many) {
                        let ok = if mode == opt::SITE {
                            a.to_bits() == b.to_bits()
                        } else {
                            (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-12
                        };
                        assert!(ok, "sizes {sizes:?} mode {mode} {threads} threads: {a} vs {b}");
                    }
                }
            }
        }
    }
}
