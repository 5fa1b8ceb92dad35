//! The batch path from an Arrow long table, phase by phase (no Python in it).
//!
//! `cargo bench --bench batch_table --features arrow [-- HOSPITALS CRITERIA]` (defaults 3,000
//! hospitals × 700 criteria, 3 periods): builds the long table (hospital_id, criterion_id,
//! period, numerator, denominator, level; one row per answer or observation, hospitals in
//! blocks as exports give them), then times grouping the rows by hospital, each phase of one
//! thread's work (reading and checking the rows, the evidence hash, scoring), and scoring the
//! whole batch (checking each hospital's rows, scoring, the grade, the evidence hash) with 1 and
//! 2 threads, and prints ns per row and the 1 → 2 thread scaling.

mod common;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use common::{hospital, rulebook};
use sanjia::evidence::table::{group_rows, LongTable};
use sanjia::evidence::Observation;
use sanjia::evidence::SheetBuilder;
use sanjia::score::batch::Batch;
use sanjia::score::{score_summary, Scratch};
use sanjia::BatchOptions;
use std::sync::Arc;
use std::time::Instant;

/// The long table of `n` synthetic hospitals, in batches of about 64k rows.
fn table(rb: &sanjia::Rulebook, n: u64) -> Vec<RecordBatch> {
    let mut batches = Vec::new();
    let mut cols: [Vec<Option<String>>; 4] = Default::default();
    let mut nums: [Vec<Option<f64>>; 2] = Default::default();
    let flush = |cols: &mut [Vec<Option<String>>; 4], nums: &mut [Vec<Option<f64>>; 2]| {
        let s = |v: &mut Vec<Option<String>>| -> ArrayRef {
            Arc::new(StringArray::from(std::mem::take(v)))
        };
        let f = |v: &mut Vec<Option<f64>>| -> ArrayRef {
            Arc::new(Float64Array::from(std::mem::take(v)))
        };
        let [h, c, p, l] = cols;
        let [a, b] = nums;
        RecordBatch::try_from_iter([
            ("hospital_id", s(h)),
            ("criterion_id", s(c)),
            ("period", s(p)),
            ("numerator", f(a)),
            ("denominator", f(b)),
            ("level", s(l)),
        ])
        .expect("a valid batch")
    };
    for h in 0..n {
        let ev = hospital(rb, h, 3);
        let mut row = |c: &str, p: Option<&str>, nd: Option<(f64, f64)>, l: Option<&str>| {
            cols[0].push(Some(ev.hospital.clone()));
            cols[1].push(Some(c.to_string()));
            cols[2].push(p.map(str::to_string));
            cols[3].push(l.map(str::to_string));
            nums[0].push(nd.map(|x| x.0));
            nums[1].push(nd.map(|x| x.1));
        };
        for (id, passed) in &ev.gates {
            row(id, None, None, Some(if *passed { "pass" } else { "fail" }));
        }
        for (id, series) in &ev.indicators {
            for (period, o) in series {
                if let Observation::Ratio {
                    numerator,
                    denominator,
                } = o
                {
                    let x = |d: &rust_decimal::Decimal| d.to_string().parse::<f64>().unwrap_or(0.0);
                    row(id, Some(period), Some((x(numerator), x(denominator))), None);
                }
            }
        }
        for (id, level) in &ev.articles {
            row(id, None, None, Some(&format!("{level:?}")));
        }
        if cols[0].len() >= 65_536 {
            batches.push(flush(&mut cols, &mut nums));
        }
    }
    if !cols[0].is_empty() {
        batches.push(flush(&mut cols, &mut nums));
    }
    batches
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(v);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let hospitals = args.first().copied().unwrap_or(3_000) as u64;
    let criteria = args.get(1).copied().unwrap_or(700);
    let rb = rulebook(criteria, 3);
    let batches = table(&rb, hospitals);
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    println!(
        "{hospitals} hospitals x {criteria} criteria: {rows} rows in {} batches",
        batches.len()
    );

    let cols = sanjia::evidence::arrow::columns(&batches).expect("columns");
    let tables: Vec<LongTable<'_>> = cols.iter().map(|c| c.table()).collect();
    let (t, groups) = best_of(5, || group_rows(&tables));
    println!(
        "group rows by hospital: {:.1} ms ({:.1} ns/row, {} hospitals)",
        t * 1e3,
        t * 1e9 / rows as f64,
        groups.0.len()
    );
    // Where one thread's time goes: each phase run over every hospital (best of 3).
    let (groups, _) = groups;
    let mut b = SheetBuilder::new(&rb, "");
    let mut scratch = Scratch::new(&rb);
    let mut phase = |name: &str, what: u8| {
        let (t, _) = best_of(3, || {
            for (h, runs) in &groups {
                let sheet = b.table_rows(&tables, h, runs).expect("valid evidence");
                match what {
                    1 => drop(std::hint::black_box(sanjia::audit::evidence_hash(
                        &rb, sheet,
                    ))),
                    2 => drop(std::hint::black_box(score_summary(
                        &rb,
                        sheet,
                        &mut scratch,
                    ))),
                    _ => {}
                }
            }
        });
        println!("  {name}: {:.1} ns/row", t * 1e9 / rows as f64);
    };
    println!("one thread, phase by phase (cumulative):");
    phase("read and check the rows into sheets (by row layout)", 0);
    phase("... and the evidence hash", 1);
    phase("... and score (criteria, groups, grade, hash)", 2);
    let mut per_thread = Vec::new();
    for threads in [1, 2] {
        let opts = BatchOptions {
            n_threads: Some(threads),
            ..BatchOptions::default()
        };
        let (t, batch) = best_of(3, || {
            Batch::from_tables(&rb, batches.clone(), Default::default(), &opts).expect("scored")
        });
        println!(
            "score batch, {threads} thread(s): {:.1} ms ({:.1} ns/row, {:.1} us/hospital, {} scored)",
            t * 1e3,
            t * 1e9 / rows as f64,
            t * 1e6 / hospitals as f64,
            batch.rows().iter().filter(|r| r.is_ok()).count()
        );
        per_thread.push(t);
    }
    println!(
        "scaling 1 -> 2 threads: {:.2}x",
        per_thread[0] / per_thread[1]
    );
}
