//! Long work off the Python thread: GIL released, progress reported, Ctrl-C honoured.
//!
//! The job runs on a worker thread (which may use rayon); the calling thread waits with the
//! GIL released in 100 ms slices, checks for signals (Ctrl-C sets the job's cancel flag and
//! raises `KeyboardInterrupt` once the job has stopped) and calls the progress callback with
//! `(done, total)` between slices.

use super::errors;
use crate::BatchOptions;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Run `job` with batch options wired to Ctrl-C and a progress callback.
pub(crate) fn run<T: Send + 'static>(
    py: Python<'_>,
    n_threads: Option<usize>,
    total: usize,
    progress: Option<&Bound<'_, PyAny>>,
    job: impl FnOnce(BatchOptions) -> T + Send + 'static,
) -> PyResult<T> {
    let cancel = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let count = Arc::new(AtomicUsize::new(total));
    let opts = BatchOptions {
        n_threads,
        cancel: Some(cancel.clone()),
        progress: Some(done.clone()),
        total: Some(count.clone()),
    };
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("sanjia-batch".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(opts)));
            let _ = tx.send(r);
        })
        .map_err(|e| errors::internal(&format!("cannot start a worker thread: {e}")))?;
    let mut rx = rx;
    let mut reported = usize::MAX;
    loop {
        let (res, back) = py.detach(move || {
            let r = rx.recv_timeout(Duration::from_millis(100));
            (r, rx)
        });
        rx = back;
        match res {
            Ok(Ok(v)) => {
                if let Some(cb) = progress {
                    {
                        let n = count.load(Ordering::Relaxed);
                        cb.call1((n, n))?;
                    }
                }
                return Ok(v);
            }
            Ok(Err(p)) => return Err(errors::internal(&errors::panic_message(p.as_ref()))),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(errors::internal(
                    "the worker thread stopped without a result",
                ))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals() {
                    cancel.store(true, Ordering::Relaxed);
                    let _ = py.detach(move || rx.recv());
                    return Err(e);
                }
                let now = done.load(Ordering::Relaxed);
                if let Some(cb) = progress {
                    if now != reported {
                        reported = now;
                        cb.call1((now, count.load(Ordering::Relaxed)))?;
                    }
                }
            }
        }
    }
}
