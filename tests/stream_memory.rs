//! Streaming keeps memory bounded: scoring 4× as many hospitals from a stream does not raise
//! the peak heap beyond the larger output (the summaries) itself.
//!
//! The heap is counted by a global allocator in this test binary (one test, so nothing else
//! allocates meanwhile).
#![cfg(feature = "arrow")]

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use sanjia::score::batch::Batch;
use sanjia::{BatchOptions, Evidence, Rulebook};
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[path = "../benches/common/counting.rs"]
mod counting;

use counting::{LIVE, PEAK};

/// The demo sample hospital's rows as a long table with hospital id `id`.
fn hospital_batch(ev: &Evidence, id: &str) -> RecordBatch {
    let (mut c, mut p, mut v, mut l) = (vec![], vec![], vec![], vec![]);
    for (k, pass) in &ev.gates {
        c.push(k.clone());
        p.push(None);
        v.push(None);
        l.push(Some(if *pass { "pass" } else { "fail" }.to_string()));
    }
    for (k, lev) in &ev.articles {
        c.push(k.clone());
        p.push(None);
        v.push(None);
        l.push(Some(lev.to_string()));
    }
    for (k, series) in &ev.indicators {
        for (per, obs) in series {
            if let sanjia::evidence::Observation::Value(x) = obs {
                c.push(k.clone());
                p.push(Some(per.clone()));
                v.push(Some(x.to_string().parse::<f64>().unwrap()));
                l.push(None);
            }
        }
    }
    let n = c.len();
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("hospital_id", Arc::new(StringArray::from(vec![id; n]))),
        ("criterion_id", Arc::new(StringArray::from(c))),
        ("period", Arc::new(StringArray::from(p))),
        ("value", Arc::new(Float64Array::from(v))),
        ("level", Arc::new(StringArray::from(l))),
    ];
    RecordBatch::try_from_iter(cols).unwrap()
}

/// Stream `n` hospitals (generated as they are read, so the input is never all in memory);
/// returns (peak heap during the run above the start, heap kept by the result).
fn stream(rb: &Rulebook, ev: &Evidence, n: usize) -> (usize, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let batches = (0..n).map(|i| Ok(hospital_batch(ev, &format!("H{i:06}"))));
    let opts = BatchOptions {
        n_threads: Some(2),
        ..BatchOptions::default()
    };
    let batch = Batch::from_stream(rb, batches, Default::default(), &opts).unwrap();
    assert_eq!(batch.len(), n);
    assert!(batch.rows().iter().all(|r| r.is_ok()));
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let kept = LIVE.load(Ordering::Relaxed) - base;
    drop(batch);
    (peak, kept)
}

#[test]
fn streaming_memory_does_not_grow_with_the_number_of_hospitals_beyond_the_output() {
    let rb = Rulebook::builtin("demo").unwrap();
    let ev = Evidence::sample("demo", None).unwrap();
    // Warm up (thread pools, lazily built tables).
    stream(&rb, &ev, 50);
    let (peak_small, kept_small) = stream(&rb, &ev, 500);
    let (peak_large, kept_large) = stream(&rb, &ev, 2_000);
    let work_small = peak_small.saturating_sub(kept_small);
    let work_large = peak_large.saturating_sub(kept_large);
    // The output grows with the hospitals; the working memory does not.
    assert!(kept_large > 3 * kept_small, "{kept_small} -> {kept_large}");
    // (The list of summaries grows by doubling, so a moving reallocation holds its old and new
    // buffers at once: up to half the output again. The input, were it kept, would be about
    // 8 MB.)
    assert!(
        work_large <= work_small + kept_large / 2 + (256 << 10),
        "working memory grew from {work_small} to {work_large} bytes \
         (peaks {peak_small} and {peak_large}, output {kept_small} and {kept_large})"
    );
}
