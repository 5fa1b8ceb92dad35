//! Scoring many hospitals in parallel (rayon), with progress and cancellation.
//!
//! Results come back in input order and are identical to scoring one by one, whatever the
//! number of threads. A hospital with bad evidence gets its error in its slot; the others are
//! scored.

use super::{score_sheet, Scorecard};
use crate::evidence::{Evidence, EvidenceError, Sheet};
use crate::report::Report;
use crate::Rulebook;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Options for batch scoring.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Threads to use (`None`: rayon's global pool, normally one per core).
    pub n_threads: Option<usize>,
    /// Set to stop early; hospitals not yet scored get a "cancelled" error.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Incremented once per hospital scored (poll it to show progress).
    pub progress: Option<Arc<AtomicUsize>>,
}

impl BatchOptions {
    /// Run `f` in a pool with the requested number of threads.
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match self.n_threads {
            Some(n) if n > 0 => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
                Ok(pool) => pool.install(f),
                Err(_) => f(),
            },
            _ => f(),
        }
    }

    /// Whether the caller asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Count one hospital done.
    pub fn tick(&self) {
        if let Some(p) = &self.progress {
            p.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn cancelled_error(hospital: &str) -> EvidenceError {
        EvidenceError::single(Some(hospital), "cancelled before this hospital was scored")
    }
}

/// Score many hospitals' evidence in parallel; results in input order.
pub fn score_batch(
    rb: &Rulebook,
    evidences: &[Evidence],
    opts: &BatchOptions,
) -> Vec<Result<Report, EvidenceError>> {
    opts.install(|| {
        evidences
            .par_iter()
            .map(|ev| {
                if opts.cancelled() {
                    return Err(BatchOptions::cancelled_error(&ev.hospital));
                }
                let r = super::score(rb, ev);
                opts.tick();
                r
            })
            .collect()
    })
}

/// Score checked sheets in parallel; results in input order.
pub fn score_sheets(
    rb: &Rulebook,
    sheets: &[Result<Sheet, EvidenceError>],
    opts: &BatchOptions,
) -> Vec<Result<Scorecard, EvidenceError>> {
    opts.install(|| {
        sheets
            .par_iter()
            .map(|s| {
                let r = match s {
                    Ok(s) if opts.cancelled() => Err(BatchOptions::cancelled_error(&s.hospital)),
                    Ok(s) => score_sheet(rb, s),
                    Err(e) => Err(e.clone()),
                };
                opts.tick();
                r
            })
            .collect()
    })
}
