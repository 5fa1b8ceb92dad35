//! Scoring many hospitals in parallel (rayon), with progress and cancellation.
//!
//! Results come back in input order and are identical to scoring one by one, whatever the
//! number of threads. A hospital with bad evidence gets its error in its slot; the others are
//! scored.

use super::summary::{score_summary, Scratch, Summary};
use super::{score_sheet, Scorecard};
use crate::evidence::{Evidence, EvidenceError, Records, Sheet, SheetBuilder};
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
    /// Set to the number of hospitals once it is known (a table's hospitals are known after
    /// grouping its rows; a stream's grow as it is read).
    pub total: Option<Arc<AtomicUsize>>,
}

/// The threads of one batch: a pool with the requested number of threads (built once and used
/// for every step of the batch), or rayon's global pool.
pub struct Pool(Option<rayon::ThreadPool>);

impl Pool {
    /// Run `f` in this pool.
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.0 {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }
}

impl BatchOptions {
    /// The pool for the requested number of threads (the global pool when none is given or
    /// a pool cannot be built).
    pub fn pool(&self) -> Pool {
        Pool(match self.n_threads {
            Some(n) if n > 0 => rayon::ThreadPoolBuilder::new().num_threads(n).build().ok(),
            _ => None,
        })
    }

    /// Run `f` in a pool with the requested number of threads (built for this call; a batch
    /// of several steps takes [`BatchOptions::pool`] once instead).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.pool().install(f)
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

    /// Say how many hospitals there are (or add to the count, for a stream).
    pub fn add_total(&self, n: usize) {
        if let Some(t) = &self.total {
            t.fetch_add(n, Ordering::Relaxed);
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

/// How a batch can give a hospital's full report after the fact.
#[derive(Debug, Clone)]
enum Source {
    /// The evidence, one per entry.
    Evidence(Vec<Evidence>),
    /// The long table's record batches and each entry's rows in them (runs of rows).
    #[cfg(feature = "arrow")]
    Tables {
        batches: Vec<arrow_array::RecordBatch>,
        rows: Vec<Vec<crate::evidence::table::Run>>,
    },
    /// A stream, not kept (memory stays bounded).
    Stream,
}

/// The result of scoring many hospitals: one [`Summary`] (or error) per input hospital, in
/// input order, and each hospital's full [`Report`] on demand (rescored from the kept input,
/// with the same figures).
///
/// Scoring keeps only the summaries, so memory grows with the output, not with the rulebook
/// times the hospitals; reports are rebuilt when asked for.
///
/// ```
/// use sanjia::score::batch::Batch;
/// use sanjia::{BatchOptions, Evidence, Rulebook};
///
/// let rb = Rulebook::builtin("demo")?;
/// let evs: Vec<Evidence> = ["sample", "grade-b"]
///     .iter()
///     .map(|s| Evidence::sample("demo", Some(s)))
///     .collect::<Result<_, _>>()?;
/// let batch = Batch::from_evidence(&rb, evs, Default::default(), &BatchOptions::default());
/// assert_eq!(batch.len(), 2);
/// let first = batch.rows()[0].as_ref().unwrap();
/// assert_eq!(first.grade.map(|g| rb.grades()[g].id.as_str()), Some("甲等"));
/// assert_eq!(batch.report(1)?.grade(), Some("乙等"));
/// # Ok::<(), sanjia::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Batch {
    rulebook: Rulebook,
    rows: Vec<Result<Summary, EvidenceError>>,
    hospitals: Vec<Option<String>>,
    records: Arc<Records>,
    source: Source,
}

fn cancelled_or<T>(
    opts: &BatchOptions,
    hospital: &str,
    f: impl FnOnce() -> Result<T, EvidenceError>,
) -> Result<T, EvidenceError> {
    let r = if opts.cancelled() {
        Err(BatchOptions::cancelled_error(hospital))
    } else {
        f()
    };
    opts.tick();
    r
}

impl Batch {
    /// Score a list of evidence (with staff records for criteria fed by them).
    pub fn from_evidence(
        rb: &Rulebook,
        evidences: Vec<Evidence>,
        records: Arc<Records>,
        opts: &BatchOptions,
    ) -> Batch {
        let rows = opts.install(|| {
            evidences
                .par_iter()
                .map_init(
                    || (SheetBuilder::new(rb, ""), Scratch::new(rb)),
                    |(b, scratch), ev| {
                        cancelled_or(opts, &ev.hospital, || {
                            ev.fill(b);
                            let sheet = b.check()?;
                            records.apply(rb, sheet)?;
                            score_summary(rb, sheet, scratch)
                        })
                    },
                )
                .collect()
        });
        Batch {
            rulebook: rb.clone(),
            hospitals: evidences.iter().map(|e| Some(e.hospital.clone())).collect(),
            rows,
            records,
            source: Source::Evidence(evidences),
        }
    }

    /// The rulebook.
    pub fn rulebook(&self) -> &Rulebook {
        &self.rulebook
    }

    /// Number of entries (input hospitals, plus one entry for rows without a hospital id).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Each entry's summary or error, in input order.
    pub fn rows(&self) -> &[Result<Summary, EvidenceError>] {
        &self.rows
    }

    /// Each entry's hospital id, when known.
    pub fn hospitals(&self) -> &[Option<String>] {
        &self.hospitals
    }

    /// The staff records used.
    pub fn records(&self) -> &Records {
        &self.records
    }

    /// Rewrite entries' errors (e.g. to name the cells of the workbook the evidence came from).
    pub fn map_errors(&mut self, mut f: impl FnMut(usize, EvidenceError) -> EvidenceError) {
        for (i, r) in self.rows.iter_mut().enumerate() {
            if let Err(e) = r {
                *e = f(i, e.clone());
            }
        }
    }

    /// The summary as an Arrow record batch (see [`crate::report::arrow::summaries_batch`]).
    #[cfg(feature = "arrow")]
    pub fn summary_batch(&self) -> Result<arrow_array::RecordBatch, arrow_schema::ArrowError> {
        crate::report::arrow::summaries_batch(&self.rulebook, &self.hospitals, &self.rows)
    }

    /// Entry `i`'s full scorecard, rescored from the kept input (its error when it could not
    /// be scored; an error too when the batch was scored from a stream, which is not kept).
    pub fn scorecard(&self, i: usize) -> Result<Scorecard, EvidenceError> {
        let hospital = self.hospitals.get(i).cloned().flatten();
        match self.rows.get(i) {
            None => {
                return Err(EvidenceError::single(
                    hospital.as_deref(),
                    format!("no entry {i} in a batch of {}", self.rows.len()),
                ))
            }
            Some(Err(e)) => return Err(e.clone()),
            Some(Ok(_)) => {}
        }
        let rb = &self.rulebook;
        let mut sheet = match &self.source {
            Source::Evidence(evs) => evs[i].sheet(rb)?,
            #[cfg(feature = "arrow")]
            Source::Tables { batches, rows } => {
                let cols = crate::evidence::arrow::columns(batches)?;
                let tables: Vec<_> = cols.iter().map(|c| c.table()).collect();
                let mut b = SheetBuilder::new(rb, hospital.as_deref().unwrap_or(""));
                crate::evidence::table::add_runs(&tables, &mut b, &rows[i]);
                b.finish()?
            }
            Source::Stream => {
                return Err(EvidenceError::single(
                    hospital.as_deref(),
                    "the batch was scored from a stream, which is not kept: score this \
                     hospital's rows again for its full report",
                ))
            }
        };
        self.records.apply(rb, &mut sheet)?;
        score_sheet(rb, &sheet)
    }

    /// Entry `i`'s full report (see [`Batch::scorecard`]).
    pub fn report(&self, i: usize) -> Result<Report, EvidenceError> {
        self.scorecard(i)
            .map(|c| Report::from_scorecard(&self.rulebook, c))
    }

    /// Every entry's full scorecard, rescored in parallel.
    pub fn scorecards(&self, opts: &BatchOptions) -> Vec<Result<Scorecard, EvidenceError>> {
        opts.install(|| {
            (0..self.rows.len())
                .into_par_iter()
                .map(|i| self.scorecard(i))
                .collect()
        })
    }
}

#[cfg(feature = "arrow")]
mod tables {
    use super::*;
    use crate::evidence::arrow::columns;
    use crate::evidence::table::{group_rows, LongTable, Run};
    use arrow_array::RecordBatch;
    use arrow_schema::ArrowError;

    /// Score one group of rows (a hospital) into its summary.
    #[allow(clippy::too_many_arguments)]
    fn score_rows(
        rb: &Rulebook,
        tables: &[LongTable<'_>],
        hospital: &str,
        rows: &[Run],
        records: &Records,
        b: &mut SheetBuilder<'_>,
        scratch: &mut Scratch,
    ) -> Result<Summary, EvidenceError> {
        let sheet = b.table_rows(tables, hospital, rows)?;
        records.apply(rb, sheet)?;
        score_summary(rb, sheet, scratch)
    }

    fn orphans_error(tables: &[LongTable<'_>], orphans: &[(u32, u32)]) -> EvidenceError {
        let mut e = EvidenceError::single(None, "");
        e.problems.clear();
        for &(t, r) in orphans.iter().take(crate::evidence::MAX_PROBLEMS) {
            e.problems.push(crate::evidence::EvidenceProblem {
                row: Some(r as usize + tables[t as usize].row_offset),
                path: None,
                criterion: None,
                message: "no hospital_id".into(),
            });
        }
        e.more = orphans.len().saturating_sub(crate::evidence::MAX_PROBLEMS);
        e
    }

    impl Batch {
        /// Score a long-format table given as record batches (one table cut in parts; a
        /// hospital's rows may be anywhere). Rows without a hospital id become one last entry
        /// with their error. A missing or mistyped column is an error for the whole table.
        pub fn from_tables(
            rb: &Rulebook,
            batches: Vec<RecordBatch>,
            records: Arc<Records>,
            opts: &BatchOptions,
        ) -> Result<Batch, EvidenceError> {
            let cols = columns(&batches)?;
            let tables: Vec<LongTable<'_>> = cols.iter().map(|c| c.table()).collect();
            let pool = opts.pool();
            let (groups, orphans) = pool.install(|| group_rows(&tables));
            opts.add_total(groups.len());
            let mut rows: Vec<Result<Summary, EvidenceError>> = pool.install(|| {
                groups
                    .par_iter()
                    .map_init(
                        || (SheetBuilder::new(rb, ""), Scratch::new(rb)),
                        |(b, scratch), (h, rows)| {
                            cancelled_or(opts, h, || {
                                score_rows(rb, &tables, h, rows, &records, b, scratch)
                            })
                        },
                    )
                    .collect()
            });
            let mut hospitals: Vec<Option<String>> =
                groups.iter().map(|(h, _)| Some(h.to_string())).collect();
            let mut kept: Vec<Vec<Run>> = groups.into_iter().map(|g| g.1).collect();
            if !orphans.is_empty() {
                rows.push(Err(orphans_error(&tables, &orphans)));
                hospitals.push(None);
                kept.push(Vec::new());
            }
            drop(tables);
            drop(cols);
            Ok(Batch {
                rulebook: rb.clone(),
                rows,
                hospitals,
                records,
                source: Source::Tables {
                    batches,
                    rows: kept,
                },
            })
        }

        /// Score a long-format table read as a stream of record batches, keeping memory
        /// bounded: each hospital is scored as soon as its rows end, and the input is not
        /// kept (so full reports are not available afterwards). A hospital's rows must be
        /// together (sorted or grouped by hospital id): rows of a hospital that reappear
        /// later are an error for that hospital, naming the rows. Batches are scored in
        /// parallel as they come.
        pub fn from_stream(
            rb: &Rulebook,
            stream: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
            records: Arc<Records>,
            opts: &BatchOptions,
        ) -> Result<Batch, EvidenceError> {
            let mut out = Batch {
                rulebook: rb.clone(),
                rows: Vec::new(),
                hospitals: Vec::new(),
                records,
                source: Source::Stream,
            };
            // Batches still needed by the open hospital (its rows began in an earlier batch).
            let mut window: Vec<RecordBatch> = Vec::new();
            let mut offset = 0usize;
            let mut seen: std::collections::HashMap<String, usize> = Default::default();
            let pool = opts.pool();
            let mut orphans = 0usize;
            for batch in stream {
                let batch = batch.map_err(|e| {
                    EvidenceError::single(None, format!("cannot read the table: {e}"))
                })?;
                window.push(batch);
                let cols = crate::evidence::arrow::columns_at(&window, offset)?;
                let tables: Vec<LongTable<'_>> = cols.iter().map(|c| c.table()).collect();
                let (groups, orph) = pool.install(|| group_rows(&tables));
                orphans += orph.len();
                // The last hospital of this batch may continue in the next one.
                let last_table = (tables.len() - 1) as u32;
                let open = groups
                    .last()
                    .filter(|(_, rows)| rows.last().is_some_and(|r| r.0 == last_table))
                    .map(|(h, _)| h.to_string());
                let done: Vec<&(&str, Vec<Run>)> = groups
                    .iter()
                    .filter(|(h, _)| open.as_deref() != Some(*h))
                    .collect();
                opts.add_total(done.len());
                let scored: Vec<Result<Summary, EvidenceError>> = pool.install(|| {
                    done.par_iter()
                        .map_init(
                            || (SheetBuilder::new(rb, ""), Scratch::new(rb)),
                            |(b, scratch), (h, rows)| {
                                cancelled_or(opts, h, || {
                                    score_rows(rb, &tables, h, rows, &out.records, b, scratch)
                                })
                            },
                        )
                        .collect()
                });
                for ((h, rows), r) in done.iter().zip(scored) {
                    let row = rows
                        .first()
                        .map_or(0, |&(t, r, _)| r as usize + tables[t as usize].row_offset);
                    push_entry(&mut out, &mut seen, h, row, r);
                }
                // Keep only the open hospital's rows: from its first row on (zero-copy slices).
                let keep = match &open {
                    Some(h) => groups
                        .iter()
                        .find(|(g, _)| g == h)
                        .and_then(|(_, rows)| rows.first().copied()),
                    None => None,
                };
                drop(tables);
                drop(cols);
                match keep {
                    Some((b, r, _)) => {
                        let (b, r) = (b as usize, r as usize);
                        offset += window[..b].iter().map(|x| x.num_rows()).sum::<usize>() + r;
                        window.drain(..b);
                        let first = &window[0];
                        window[0] = first.slice(r, first.num_rows() - r);
                    }
                    None => {
                        offset += window.iter().map(|x| x.num_rows()).sum::<usize>();
                        window.clear();
                    }
                }
            }
            // The last open hospital.
            if !window.is_empty() {
                let cols = crate::evidence::arrow::columns_at(&window, offset)?;
                let tables: Vec<LongTable<'_>> = cols.iter().map(|c| c.table()).collect();
                let (groups, _) = group_rows(&tables);
                opts.add_total(groups.len());
                let mut b = SheetBuilder::new(rb, "");
                let mut scratch = Scratch::new(rb);
                for (h, rows) in &groups {
                    let r = cancelled_or(opts, h, || {
                        score_rows(rb, &tables, h, rows, &out.records, &mut b, &mut scratch)
                    });
                    let row = rows
                        .first()
                        .map_or(0, |&(t, r, _)| r as usize + tables[t as usize].row_offset);
                    push_entry(&mut out, &mut seen, h, row, r);
                }
            }
            if orphans > 0 {
                out.hospitals.push(None);
                out.rows.push(Err(EvidenceError::single(
                    None,
                    format!("{orphans} rows without a hospital_id"),
                )));
            }
            Ok(out)
        }
    }

    /// Add a streamed hospital's result; a hospital seen before (its rows are not together)
    /// turns both entries into errors.
    fn push_entry(
        out: &mut Batch,
        seen: &mut std::collections::HashMap<String, usize>,
        h: &str,
        row: usize,
        r: Result<Summary, EvidenceError>,
    ) {
        let r = match seen.get(h) {
            Some(&first) => {
                let e = EvidenceError::single(
                    Some(h),
                    format!(
                        "the rows of this hospital are not together in the stream (they start \
                         again at row {row}): sort the table by hospital_id, or score it as a \
                         whole table"
                    ),
                );
                // The earlier entry saw only part of the rows: not a result either.
                out.rows[first] = Err(e.clone());
                Err(e)
            }
            None => r,
        };
        seen.entry(h.to_string()).or_insert(out.rows.len());
        out.hospitals.push(Some(h.to_string()));
        out.rows.push(r);
    }
}
