//! Structured table columns → sort, integrity check, simplify, tree
//! sequence, and statistics in site, branch and node mode, through the same
//! core functions the C API calls. The library must return errors, never
//! panic.
//!
//! The input bytes are read (with `arbitrary`'s `Unstructured`) as a small
//! table collection: up to 16 nodes, 32 edges, 8 sites, 16 mutations, 4
//! individuals, 3 populations and 2 migrations, with ids drawn mostly from
//! the valid range (plus NULL, one past the end and extreme values) and
//! positions and times mostly on a coarse grid in a short genome (plus NaN,
//! infinities, negatives, tskit's unknown time), so that many inputs are
//! valid and the rest fail in many different checks.
//!
//! Checked besides "no panic": what simplify returns is sorted, and when
//! its input passed the tree checks, so does its output.
//!
//! With `FUZZ_DEBUG` set in the environment the target prints the tables
//! each input decodes to (run it on one crashing input to see what failed).

#![no_main]

use std::sync::atomic::{AtomicBool, Ordering};

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use tspar::simplify::ALL_OPTIONS as SIMPLIFY_ALL;
use tspar::stats::{afs, matrix, opt, summary, Exec, SampleSets};
use tspar::tables::{check, sort_options, Id, TableCollection, NULL, UNKNOWN_TIME_BITS};
use tspar::treeseq::{init, TreeSequence};

static DEBUG: AtomicBool = AtomicBool::new(false);

const MAX_NODES: usize = 16;
const MAX_EDGES: usize = 32;
const MAX_SITES: usize = 8;
const MAX_MUTATIONS: usize = 16;
const MAX_INDIVIDUALS: usize = 4;
const MAX_POPULATIONS: usize = 3;
const MAX_MIGRATIONS: usize = 2;

fuzz_target!(
    init: {
        // One thread: the fuzzer runs one input at a time on a shared
        // machine, and worker pools would only add noise.
        std::env::set_var("TSPAR_NUM_THREADS", "1");
        DEBUG.store(std::env::var_os("FUZZ_DEBUG").is_some(), Ordering::Relaxed);
    },
    |data: &[u8]| {
        let mut u = Unstructured::new(data);
        let _ = run(&mut u);
    }
);

/// An id for a table of `n` rows: mostly `-1..n`, sometimes just out of
/// range or extreme.
fn id(u: &mut Unstructured, n: usize) -> Result<Id> {
    let b: u8 = u.arbitrary()?;
    Ok(match b {
        0..=239 => (b as usize % (n + 1)) as Id - 1,
        240..=243 => n as Id,
        244 => n as Id + 1,
        245 => -2,
        246 => i32::MAX,
        247 => i32::MIN,
        _ => u.arbitrary()?,
    })
}

/// A position in a genome of length `len`: mostly on a grid of quarters.
fn position(u: &mut Unstructured, len: f64) -> Result<f64> {
    let b: u8 = u.arbitrary()?;
    Ok(match b {
        0..=231 => {
            let steps = (len * 4.0) as usize + 1;
            (b as usize % steps) as f64 / 4.0
        }
        232 => f64::NAN,
        233 => f64::INFINITY,
        234 => f64::NEG_INFINITY,
        235 => -0.25,
        236 => len + 0.25,
        237 => len,
        238 => -0.0,
        239 => f64::MIN_POSITIVE,
        240 => len * (1.0 - f64::EPSILON),
        _ => f64::from_bits(u.arbitrary()?),
    })
}

/// A node or mutation time: mostly small integers.
fn time(u: &mut Unstructured) -> Result<f64> {
    let b: u8 = u.arbitrary()?;
    Ok(match b {
        0..=233 => (b % 16) as f64,
        234 => f64::NAN,
        235 => f64::from_bits(UNKNOWN_TIME_BITS),
        236 => f64::INFINITY,
        237 => -1.0,
        238 => -0.0,
        239 => 0.5,
        _ => f64::from_bits(u.arbitrary()?),
    })
}

/// A short state or metadata: empty, or a few bytes.
fn bytes<'a>(u: &mut Unstructured<'a>, max: usize) -> Result<&'a [u8]> {
    let n = u.int_in_range(0..=max)?;
    u.bytes(n)
}

/// A state: one of a few letters, sometimes empty or two bytes.
fn state(u: &mut Unstructured) -> Result<&'static [u8]> {
    const STATES: [&[u8]; 8] = [b"A", b"C", b"G", b"T", b"A", b"T", b"", b"AT"];
    Ok(STATES[u.int_in_range(0..=7usize)?])
}

fn build(u: &mut Unstructured) -> Result<TableCollection> {
    let len = match u.int_in_range(0u8..=20)? {
        0 => 0.5,
        k => f64::from(k.min(16)),
    };
    let mut t = TableCollection::new(len).expect("a valid sequence length");
    if u.ratio(1, 16)? {
        t.time_units = b"uncalibrated".to_vec();
    }

    let num_populations = u.int_in_range(0..=MAX_POPULATIONS)?;
    for _ in 0..num_populations {
        let m = bytes(u, 2)?;
        t.add_population(m).expect("add population");
    }

    let num_individuals = u.int_in_range(0..=MAX_INDIVIDUALS)?;
    for _ in 0..num_individuals {
        let flags = u32::from(u.arbitrary::<u8>()? & 3);
        let location: Vec<f64> = (0..u.int_in_range(0..=2)?).map(|_| time(u)).collect::<Result<_>>()?;
        let parents: Vec<Id> = (0..u.int_in_range(0..=2)?)
            .map(|_| id(u, num_individuals))
            .collect::<Result<_>>()?;
        let m = bytes(u, 2)?;
        t.add_individual(flags, &location, &parents, m).expect("add individual");
    }

    // Node times either from the input or increasing with the id (half
    // the inputs), so that edges from higher to lower ids are mostly valid.
    let ordered_times = u.arbitrary::<bool>()?;
    let num_nodes = u.int_in_range(0..=MAX_NODES)?;
    for j in 0..num_nodes {
        let b: u8 = u.arbitrary()?;
        let flags = u32::from(b & 1) | if b & 0x80 != 0 { 1 << 20 } else { 0 };
        let tm = if ordered_times && b & 0x40 == 0 {
            (j / 2) as f64
        } else {
            time(u)?
        };
        let population = id(u, num_populations)?;
        let individual = id(u, num_individuals)?;
        let m = if b & 0x20 != 0 { bytes(u, 2)? } else { &[] };
        t.add_node(flags, tm, population, individual, m).expect("add node");
    }

    let fix_edges = u.arbitrary::<bool>()?;
    // Simplify refuses edge metadata: keep it to a few inputs.
    let edge_metadata = u.ratio(1, 16)?;
    let num_edges = u.int_in_range(0..=MAX_EDGES)?;
    for _ in 0..num_edges {
        let (mut left, mut right) = (position(u, len)?, position(u, len)?);
        let (mut parent, mut child) = (id(u, num_nodes)?, id(u, num_nodes)?);
        if fix_edges {
            if left > right {
                std::mem::swap(&mut left, &mut right);
            }
            if parent < child {
                std::mem::swap(&mut parent, &mut child);
            }
        }
        let m: &[u8] = if edge_metadata && u.ratio(1, 4)? { b"m" } else { &[] };
        t.add_edge(left, right, parent, child, m).expect("add edge");
    }

    let num_sites = u.int_in_range(0..=MAX_SITES)?;
    for _ in 0..num_sites {
        let x = position(u, len)?;
        let a = state(u)?;
        let m = bytes(u, 1)?;
        t.add_site(x, a, m).expect("add site");
    }

    let num_mutations = u.int_in_range(0..=MAX_MUTATIONS)?;
    for _ in 0..num_mutations {
        let site = id(u, num_sites)?;
        let node = id(u, num_nodes)?;
        let parent = if u.ratio(1, 4)? { id(u, num_mutations)? } else { NULL };
        let tm = if u.ratio(3, 4)? {
            f64::from_bits(UNKNOWN_TIME_BITS)
        } else {
            time(u)?
        };
        let d = state(u)?;
        let m = bytes(u, 1)?;
        t.add_mutation(site, node, parent, tm, d, m).expect("add mutation");
    }

    let num_migrations = if u.ratio(1, 8)? {
        u.int_in_range(1..=MAX_MIGRATIONS)?
    } else {
        0
    };
    for _ in 0..num_migrations {
        let (left, right) = (position(u, len)?, position(u, len)?);
        let node = id(u, num_nodes)?;
        let (source, dest) = (id(u, num_populations)?, id(u, num_populations)?);
        let tm = time(u)?;
        t.add_migration(left, right, node, source, dest, tm, &[])
            .expect("add migration");
    }
    Ok(t)
}

/// Option bits: mostly the known ones, sometimes anything.
fn options(u: &mut Unstructured, known: u32) -> Result<u32> {
    let bits: u32 = u.arbitrary()?;
    Ok(if u.ratio(1, 32)? { bits } else { bits & known })
}

fn run(u: &mut Unstructured) -> Result<()> {
    let mut tables = build(u)?;
    let debug = DEBUG.load(Ordering::Relaxed);
    if debug {
        eprintln!("built: {tables:?}");
    }

    if u.ratio(7, 8)? {
        let edge_start = if u.ratio(7, 8)? {
            0
        } else {
            u.int_in_range(0..=MAX_EDGES + 1)?
        };
        let o = options(u, sort_options::ALL)?;
        let r = tables.sort(edge_start, o);
        if debug {
            eprintln!("sort({edge_start}, {o:#x}): {r:?}");
        }
    }
    if u.ratio(1, 4)? {
        let _ = tables.deduplicate_sites();
    }
    if u.ratio(1, 4)? {
        let _ = tables.compute_mutation_parents();
    }
    let o = options(u, check::ALL)?;
    let _ = tables.check_integrity(o);
    if u.ratio(1, 2)? {
        let _ = tables.build_index();
    }

    // Simplify a copy, to a random subset of nodes or the flagged samples.
    let mut simplified = tables.clone();
    let samples: Option<Vec<Id>> = if u.ratio(1, 2)? {
        let n = tables.nodes.time.len();
        Some((0..u.int_in_range(0..=6)?).map(|_| id(u, n)).collect::<Result<_>>()?)
    } else {
        None
    };
    let o = options(u, SIMPLIFY_ALL)?;
    let r = simplified.simplify(samples.as_deref(), o);
    if debug {
        eprintln!("simplify({samples:?}, {o:#x}): {:?}", r.as_ref().map(|_| ()));
    }
    if r.is_ok() {
        // What simplify promises: sorted edges and sites, no duplicate
        // sites, every reference in range.
        let promised = check::EDGE_ORDERING | check::SITE_ORDERING | check::SITE_DUPLICATES;
        if let Err(e) = simplified.check_integrity(promised) {
            panic!("simplify output is not sorted: {e:?}");
        }
        // And from tables whose trees are sound, trees that are sound.
        let mut input = tables.clone();
        if input
            .build_index()
            .and_then(|_| input.check_integrity(check::TREES))
            .is_ok()
        {
            let mut output = simplified.clone();
            let checked = output.build_index().and_then(|_| output.check_integrity(check::TREES));
            if let Err(e) = checked {
                panic!("simplify output of valid trees fails the tree checks: {e:?}");
            }
        }
    }

    let init_options = options(u, init::ALL)?;
    let stat_options = u.arbitrary::<u32>()?;
    let which = u.arbitrary::<u8>()?;
    let piece_work = if u.ratio(1, 2)? {
        Some(u.int_in_range(1u64..=64)?)
    } else {
        None
    };
    let use_simplified = u.arbitrary::<bool>()?;
    let source = if use_simplified { simplified } else { tables };
    let ts = TreeSequence::new(source, init_options);
    if debug {
        eprintln!(
            "tree sequence ({init_options:#x}, simplified: {use_simplified}): {:?}",
            ts.as_ref().map(|_| ())
        );
    }
    let Ok(ts) = ts else {
        return Ok(());
    };

    // Sample sets: 1 to 3 sets of 1 to 4 of the samples (sometimes any node).
    let samples = ts.samples();
    let num_nodes = ts.num_nodes();
    let mut sizes = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..u.int_in_range(1..=3)? {
        let k = u.int_in_range(1..=4u64)?;
        for _ in 0..k {
            let v = if !samples.is_empty() && u.ratio(15, 16)? {
                samples[u.choose_index(samples.len())?]
            } else {
                id(u, num_nodes)?
            };
            ids.push(v);
        }
        sizes.push(k);
    }
    let sets = SampleSets::new(&sizes, &ids);

    // Windows: none, a few breakpoints on the grid, or anything.
    let len = ts.sequence_length();
    let windows: Option<Vec<f64>> = match u.int_in_range(0..=3)? {
        0 => None,
        1 | 2 => {
            let mut w = vec![0.0, len];
            for _ in 0..u.int_in_range(0..=3)? {
                w.push(position(u, len)?);
            }
            w.sort_by(f64::total_cmp);
            w.dedup();
            Some(w)
        }
        _ => Some(
            (0..u.int_in_range(0..=4)?)
                .map(|_| position(u, len))
                .collect::<Result<_>>()?,
        ),
    };
    let windows = windows.as_deref();

    let num_sets = sizes.len();
    let pairs: Vec<Id> = (0..num_sets as Id)
        .flat_map(|i| [i, (i + 1) % num_sets as Id])
        .collect();
    let quads: Vec<Id> = (0..4).map(|j| j % num_sets as Id).collect();
    let extra = stat_options & !(opt::SITE | opt::BRANCH | opt::NODE);
    for mode in [opt::SITE, opt::BRANCH, opt::NODE] {
        let o = if stat_options & 0xff == 0xff {
            stat_options
        } else {
            mode | (extra & opt::ALL)
        };
        let mut exec = Exec::with_threads(1);
        if let Some(w) = piece_work {
            exec.piece_work = w;
        }
        let e = &mut exec;
        let r = match which % 12 {
            0 | 1 | 2 => summary::diversity(&ts, sets, windows, o, e),
            3 => summary::segregating_sites(&ts, sets, windows, o, e),
            4 => summary::tajimas_d(&ts, sets, windows, o, e),
            5 => summary::divergence(&ts, sets, &pairs, windows, o, e),
            6 => summary::fst(&ts, sets, &pairs, windows, o, e),
            7 => summary::f4(&ts, sets, &quads, windows, o, e),
            8 => summary::genetic_relatedness(&ts, sets, &pairs, windows, o, e),
            9 => afs::allele_frequency_spectrum(&ts, sets, windows, o, e),
            10 => matrix::divergence_matrix(&ts, sets, windows, o, e),
            _ => {
                let weights: Vec<f64> = (0..samples.len() * num_sets).map(|j| (j % 3) as f64 - 1.0).collect();
                summary::trait_covariance(&ts, &weights, num_sets, windows, o, e)
            }
        };
        if debug {
            eprintln!("statistic {} mode {mode}: {:?}", which % 12, r.map(|v| v.len()));
        }
    }
    Ok(())
}
