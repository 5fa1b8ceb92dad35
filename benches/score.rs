//! Core scoring benchmarks (divan): compile once, score many synthetic hospitals.
//!
//! `cargo bench --bench score` — time per hospital and how it grows with the number of
//! criteria and periods (it should grow linearly), and a batch over many hospitals.

mod common;

use common::{hospital, rulebook};
use sanjia::{score, score_batch, BatchOptions, Evidence, Rulebook};

fn main() {
    divan::main();
}

#[divan::bench(args = [100, 300, 700])]
fn compile_rulebook(bencher: divan::Bencher, n: usize) {
    let rb = rulebook(n, 3);
    let text = rb.to_toml();
    bencher.bench(|| Rulebook::from_toml(divan::black_box(&text)).unwrap());
}

/// One hospital, by number of criteria (3 periods): time per hospital ÷ n = time per criterion.
#[divan::bench(args = [100, 300, 700])]
fn score_one_by_criteria(bencher: divan::Bencher, n: usize) {
    let rb = rulebook(n, 3);
    let ev = hospital(&rb, 7, 3);
    bencher
        .counter(divan::counter::ItemsCount::new(n))
        .bench(|| score(&rb, divan::black_box(&ev)).unwrap());
}

/// One hospital of 300 criteria, by number of periods.
#[divan::bench(args = [1, 3, 6, 12])]
fn score_one_by_periods(bencher: divan::Bencher, periods: usize) {
    let rb = rulebook(300, periods.max(2));
    let ev = hospital(&rb, 7, periods.max(2));
    bencher.bench(|| score(&rb, divan::black_box(&ev)).unwrap());
}

/// 1,000 hospitals × 700 criteria, 1 and 2 threads.
#[divan::bench(args = [1, 2], sample_count = 5)]
fn batch_1000_hospitals(bencher: divan::Bencher, threads: usize) {
    let rb = rulebook(700, 3);
    let evs: Vec<Evidence> = (0..1000).map(|h| hospital(&rb, h, 3)).collect();
    let opts = BatchOptions {
        n_threads: Some(threads),
        ..BatchOptions::default()
    };
    bencher
        .counter(divan::counter::ItemsCount::new(evs.len()))
        .bench(|| score_batch(&rb, divan::black_box(&evs), &opts));
}
