//! Every statistic split into parts, computed in random groups, combined
//! in random orders on 1 and 2 threads: the bits of the one call. And the
//! combinations that must be refused are.

use std::path::Path;

use tspar::error::Error;
use tspar::io::trees;
use tspar::stats::parts::{Args, Call, Statistic};
use tspar::stats::{call::SetStat, opt, Exec};
use tspar::treeseq::TreeSequence;

fn example() -> TreeSequence {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/example.trees");
    TreeSequence::new(trees::load(&path, 0).unwrap(), 0).unwrap()
}

/// xorshift: the groupings and orders, reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Three disjoint sets: two from population 0 (one of them a single
/// sample, whose diversity is NaN) and one from population 1.
fn sets(ts: &TreeSequence) -> (Vec<u64>, Vec<i32>) {
    let pop = &ts.tables().nodes.population;
    let a: Vec<i32> = ts.samples().iter().copied().filter(|&u| pop[u as usize] == 0).collect();
    let b: Vec<i32> = ts.samples().iter().copied().filter(|&u| pop[u as usize] == 1).collect();
    let (x, y, z) = (a[..20].to_vec(), b[..12].to_vec(), vec![a[20]]);
    let sizes = vec![x.len() as u64, y.len() as u64, z.len() as u64];
    (sizes, [x, y, z].concat())
}

fn modes(stat: Statistic) -> Vec<u32> {
    use SetStat::*;
    let mut m = vec![opt::SITE, opt::BRANCH, opt::SITE | opt::POLARISED];
    match stat {
        Statistic::Sets(DivergenceMatrix | GeneticRelatednessMatrix) => {
            m = vec![opt::SITE, opt::BRANCH];
        }
        Statistic::Sets(AlleleFrequencySpectrum) => {}
        _ => m.push(opt::NODE),
    }
    let mut out = Vec::new();
    for x in m {
        out.push(x);
        out.push(x | opt::SPAN_NORMALISE);
    }
    if stat == Statistic::Sets(GeneticRelatedness) {
        out.push(opt::SITE | opt::PROPORTION | opt::SPAN_NORMALISE);
        out.push(opt::BRANCH | opt::PROPORTION | opt::NONCENTRED);
        out.push(opt::NODE | opt::PROPORTION);
    }
    out
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn whole(call: &Call, ts: &TreeSequence, threads: usize) -> Vec<f64> {
    let mut out = vec![0.0; call.result_len()];
    call.run_whole(ts, &mut Exec::with_threads(threads), |n| Ok(&mut out[..n]))
        .unwrap();
    out
}

/// Parts cut into random groups, computed on `threads`, shuffled.
fn random_groups(call: &Call, ts: &TreeSequence, rng: &mut Rng, threads: usize) -> Vec<Vec<u8>> {
    let n = call.num_parts();
    let mut cuts = vec![0, n];
    for _ in 0..rng.below(n + 1) {
        cuts.push(rng.below(n + 1));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut bufs: Vec<Vec<u8>> = cuts
        .windows(2)
        .map(|c| {
            let b = call.compute(ts, c[0], c[1], &mut Exec::with_threads(threads)).unwrap();
            assert_eq!(b.len(), call.part_bytes(c[0], c[1]).unwrap());
            b
        })
        .collect();
    // An empty range is a valid buffer too.
    if rng.below(2) == 0 {
        bufs.push(call.compute(ts, n / 2, n / 2, &mut Exec::with_threads(1)).unwrap());
    }
    for i in (1..bufs.len()).rev() {
        bufs.swap(i, rng.below(i + 1));
    }
    bufs
}

fn combine(call: &Call, ts: &TreeSequence, bufs: &[Vec<u8>], threads: usize) -> tspar::error::Result<Vec<f64>> {
    let refs: Vec<&[u8]> = bufs.iter().map(|b| &b[..]).collect();
    let mut out = vec![0.0; call.result_len()];
    call.combine(ts, &refs, &mut Exec::with_threads(threads), |n| Ok(&mut out[..n]))?;
    Ok(out)
}

#[test]
fn every_statistic_combines_to_the_one_call_bits() {
    let ts = example();
    let (sizes, ids) = sets(&ts);
    let l = ts.sequence_length();
    let windows = [0.0, l * 0.1, l * 0.1 + 1.0, l * 0.5, l];
    let inner = [l * 0.2, l * 0.3, l * 0.9];
    let ns = ts.samples().len();
    let weights: Vec<f64> = (0..ns * 2).map(|i| ((i * 7919) % 13) as f64 * 0.25 - 1.0).collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    for stat in Statistic::all() {
        let indexes: Vec<i32> = match stat.tuple() {
            2 if matches!(stat, Statistic::Weights(_)) => vec![0, 1, 1, 1, 0, 0],
            2 => vec![0, 1, 1, 2, 0, 0],
            3 => vec![0, 1, 2, 2, 0, 1],
            4 => vec![0, 1, 2, 0],
            _ => vec![],
        };
        let is_matrix = matches!(
            stat,
            Statistic::Sets(SetStat::DivergenceMatrix | SetStat::GeneticRelatednessMatrix)
        );
        for options in modes(stat) {
            for w in [None, Some(&windows[..]), Some(&inner[..])] {
                if w == Some(&inner[..]) && !is_matrix {
                    continue;
                }
                let args = Args {
                    sizes: &sizes,
                    ids: &ids,
                    indexes: &indexes,
                    weights: &weights,
                    num_weights: 2,
                    windows: w,
                    options,
                    part_work: 40,
                };
                let call = Call::new(&ts, stat, args).unwrap_or_else(|e| panic!("{stat:?} {options:#x}: {e}"));
                assert!(call.num_parts() > 5, "{stat:?}: {} parts", call.num_parts());
                let one = bits(&whole(&call, &ts, 1));
                assert_eq!(one, bits(&whole(&call, &ts, 2)), "{stat:?} {options:#x}");
                // The same parts are the same bytes at every thread count.
                let n = call.num_parts();
                assert_eq!(
                    call.compute(&ts, 1, n, &mut Exec::with_threads(1)).unwrap(),
                    call.compute(&ts, 1, n, &mut Exec::with_threads(3)).unwrap(),
                    "{stat:?} {options:#x}"
                );
                for threads in [1, 2] {
                    for _ in 0..3 {
                        let bufs = random_groups(&call, &ts, &mut rng, threads);
                        let got = combine(&call, &ts, &bufs, 3 - threads).unwrap();
                        assert_eq!(one, bits(&got), "{stat:?} {options:#x} {w:?} {threads} threads");
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

/// With the default part size the combination is the bits of the
/// statistic's own function.
#[test]
fn default_parts_give_the_plain_statistic() {
    let ts = example();
    let (sizes, ids) = sets(&ts);
    let idx = [0, 1, 1, 2];
    let args = Args {
        sizes: &sizes,
        ids: &ids,
        indexes: &idx,
        options: opt::BRANCH,
        ..Args::default()
    };
    let call = Call::new(&ts, Statistic::Sets(SetStat::Fst), args).unwrap();
    let s = tspar::stats::SampleSets::new(&sizes, &ids);
    let plain = tspar::stats::summary::fst(&ts, s, &idx, None, opt::BRANCH, &mut Exec::with_threads(2)).unwrap();
    let all = call
        .compute(&ts, 0, call.num_parts(), &mut Exec::with_threads(1))
        .unwrap();
    assert_eq!(bits(&plain), bits(&combine(&call, &ts, &[all], 2).unwrap()));
}

#[test]
fn mismatches_are_refused() {
    let ts = example();
    let (sizes, ids) = sets(&ts);
    let ns = ts.samples().len();
    let weights = vec![1.0; ns];
    let mk = |stat, options, part_work| {
        let args = Args {
            sizes: &sizes,
            ids: &ids,
            weights: &weights,
            num_weights: 1,
            options,
            part_work,
            ..Args::default()
        };
        Call::new(&ts, stat, args).unwrap()
    };
    let div = Statistic::Sets(SetStat::Diversity);
    let call = mk(div, opt::SITE, 50);
    let n = call.num_parts();
    assert!(n > 3);
    let exec = || Exec::with_threads(1);
    let a = call.compute(&ts, 0, 2, &mut exec()).unwrap();
    let b = call.compute(&ts, 2, n, &mut exec()).unwrap();
    let c = call.compute(&ts, 1, 3, &mut exec()).unwrap();
    let code = |r: tspar::error::Result<Vec<f64>>| r.unwrap_err().kind;
    assert_eq!(
        code(combine(&call, &ts, std::slice::from_ref(&a), 1)),
        Error::PartsMissing
    );
    assert_eq!(
        code(combine(&call, &ts, &[a.clone(), b.clone(), c], 1)),
        Error::PartsOverlap
    );
    assert_eq!(
        code(combine(&call, &ts, &[a.clone(), a.clone(), b.clone()], 1)),
        Error::PartsOverlap
    );
    // Damaged bytes.
    let mut t = b.clone();
    t.pop();
    assert_eq!(code(combine(&call, &ts, &[a.clone(), t], 1)), Error::PartsFormat);
    assert_eq!(
        code(combine(&call, &ts, &[a.clone(), b"hello".to_vec()], 1)),
        Error::PartsFormat
    );
    let mut v = b.clone();
    v[16] ^= 1; // the tspar version
    assert_eq!(code(combine(&call, &ts, &[a.clone(), v], 1)), Error::PartsVersion);
    let mut v = b.clone();
    v[8] = 99; // the format version
    assert_eq!(code(combine(&call, &ts, &[a.clone(), v], 1)), Error::PartsVersion);
    // Another statistic, other options, other sets, other part size.
    let seg = mk(Statistic::Sets(SetStat::SegregatingSites), opt::SITE, 50);
    let s = seg.compute(&ts, 2, n, &mut exec()).unwrap();
    assert_eq!(code(combine(&call, &ts, &[a.clone(), s], 1)), Error::PartsOtherCall);
    let other = mk(div, opt::SITE | opt::SPAN_NORMALISE, 50);
    let o = other.compute(&ts, 2, n, &mut exec()).unwrap();
    assert_eq!(code(combine(&call, &ts, &[a.clone(), o], 1)), Error::PartsOtherCall);
    let coarse = mk(div, opt::SITE, 51);
    let o = coarse.compute(&ts, 0, coarse.num_parts(), &mut exec()).unwrap();
    assert_eq!(code(combine(&call, &ts, &[o], 1)), Error::PartsOtherCall);
    // Another tree sequence: one node time changed.
    let mut tables = ts.tables().clone();
    let root = tables.nodes.time.len() - 1;
    tables.nodes.time[root] += 1.0;
    let ts2 = TreeSequence::new(tables, 0).unwrap();
    let args = Args {
        sizes: &sizes,
        ids: &ids,
        options: opt::SITE,
        part_work: 50,
        ..Args::default()
    };
    let call2 = Call::new(&ts2, div, args).unwrap();
    assert_eq!(call2.num_parts(), n);
    let o = call2.compute(&ts2, 2, n, &mut exec()).unwrap();
    assert_eq!(
        code(combine(&call, &ts, &[a.clone(), o], 1)),
        Error::PartsOtherTreeSequence
    );
    // The call is for its own tree sequence only.
    assert_eq!(
        code(combine(&call, &ts2, &[a.clone(), b.clone()], 1)),
        Error::PartsOtherTreeSequence
    );
    // Bad ranges.
    assert_eq!(
        call.compute(&ts, 3, 2, &mut exec()).unwrap_err().kind,
        Error::BadPartRange
    );
    assert_eq!(
        call.compute(&ts, 0, n + 1, &mut exec()).unwrap_err().kind,
        Error::BadPartRange
    );
    // And the good combination.
    assert_eq!(
        bits(&combine(&call, &ts, &[b, a], 1).unwrap()),
        bits(&whole(&call, &ts, 1))
    );
}

/// A matrix over many one-sample sets takes the sample-pair algorithm,
/// which has no parts: the call is refused when it is made, in both modes,
/// while a matrix over a few sets still splits.
#[test]
fn many_set_matrices_refuse_to_split() {
    let ts = example();
    let ids: Vec<i32> = ts.samples()[..40].to_vec();
    let sizes = vec![1u64; ids.len()];
    for stat in [SetStat::DivergenceMatrix, SetStat::GeneticRelatednessMatrix] {
        for mode in [opt::SITE, opt::BRANCH] {
            let args = Args {
                sizes: &sizes,
                ids: &ids,
                options: mode,
                ..Args::default()
            };
            match Call::new(&ts, Statistic::Sets(stat), args) {
                Err(e) => assert_eq!(e.kind, Error::PartsUnsupported, "{stat:?} {mode:#x}: {e}"),
                Ok(_) => panic!("{stat:?} {mode:#x}: a 40-set matrix was split into parts"),
            }
        }
    }
    let (sizes, ids) = sets(&ts);
    let args = Args {
        sizes: &sizes,
        ids: &ids,
        options: opt::SITE,
        ..Args::default()
    };
    let call = Call::new(&ts, Statistic::Sets(SetStat::DivergenceMatrix), args).unwrap();
    assert!(call.num_parts() > 0);
}
