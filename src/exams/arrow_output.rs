//! Arrow output (feature `arrow`): the results as record batches, for the Python bindings and
//! for Arrow users. Strings are written as `Utf8`, counts as `UInt64`, rates as `Float64`
//! (display values; null when the denominator is 0 — the exact ratios are the counts), flags
//! as nullable `Boolean`.

use super::error::{ExamError, Rejection};
use super::evaluate::ExamEvaluation;
use super::summary::{Counts, GroupDim, Rate};
use super::training::{RequirementCheck, TrainingEvaluation};
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, StringBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use rayon::prelude::*;
use std::sync::Arc;

fn batch(cols: Vec<(&str, ArrayRef)>) -> Result<RecordBatch, ExamError> {
    RecordBatch::try_from_iter_with_nullable(
        cols.into_iter()
            .map(|(n, a)| (n.to_string(), a, true))
            .collect::<Vec<_>>(),
    )
    .map_err(|e| ExamError::Inconsistent(format!("building an Arrow result: {e}")))
}

/// Summary groups: id key and counts.
type Groups = [([u32; 5], Counts)];

fn counts_col(rows: &Groups, f: impl Fn(&Counts) -> u64) -> ArrayRef {
    let mut b = UInt64Builder::with_capacity(rows.len());
    for (_, c) in rows {
        b.append_value(f(c));
    }
    Arc::new(b.finish())
}

fn rate_col(rows: &Groups, f: impl Fn(&Counts) -> Rate) -> ArrayRef {
    let mut b = Float64Builder::with_capacity(rows.len());
    for (_, c) in rows {
        b.append_option(f(c).to_f64());
    }
    Arc::new(b.finish())
}

fn met_col(rows: &Groups, f: impl Fn(&Counts) -> Option<bool>) -> ArrayRef {
    let mut b = BooleanBuilder::with_capacity(rows.len());
    for (_, c) in rows {
        b.append_option(f(c));
    }
    Arc::new(b.finish())
}

fn str_col<'s>(len: usize, values: impl Iterator<Item = Option<&'s str>>) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(len, len * 8);
    for v in values {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

impl ExamEvaluation {
    /// The summary as a record batch: the grouping columns (`hospital_id`, `exam_id`,
    /// `exam_kind`, `department`, `category`, in `by` order), then `expected`, `sat`,
    /// `absent`, `exempt`, `participation_rate`, `first_passed`, `first_pass_rate`,
    /// `final_passed`, `final_pass_rate`, `makeups`, `participation_met`, `pass_met`,
    /// `judged_passed`, `judged_pass_rate`. Same rows and order as [`ExamEvaluation::summary`].
    pub fn summary_batch(&self, by: &[GroupDim]) -> Result<RecordBatch, ExamError> {
        let (dims, groups) = self.grouped(by);
        let n = groups.len();
        let counts: &Groups = &groups;
        let d = self.pass_denominator;
        let mut cols: Vec<(&str, ArrayRef)> = dims
            .par_iter()
            .enumerate()
            .map(|(i, dim)| {
                (
                    dim.column(),
                    str_col(n, groups.iter().map(|g| self.name(*dim, g.0[i]))),
                )
            })
            .collect();
        let pt = self.participation_target;
        let st = self.pass_target;
        // 360,000 groups at province scale: the columns are built in parallel.
        type Build<'f> = Box<dyn Fn() -> ArrayRef + Send + Sync + 'f>;
        let builds: Vec<(&str, Build<'_>)> = vec![
            ("expected", Box::new(|| counts_col(counts, |c| c.expected))),
            ("sat", Box::new(|| counts_col(counts, |c| c.sat))),
            ("absent", Box::new(|| counts_col(counts, |c| c.absent))),
            ("exempt", Box::new(|| counts_col(counts, |c| c.exempt))),
            (
                "participation_rate",
                Box::new(|| rate_col(counts, |c| c.participation_rate())),
            ),
            (
                "first_passed",
                Box::new(|| counts_col(counts, |c| c.first_passed)),
            ),
            (
                "first_pass_rate",
                Box::new(|| rate_col(counts, |c| c.first_pass_rate(d))),
            ),
            (
                "final_passed",
                Box::new(|| counts_col(counts, |c| c.final_passed)),
            ),
            (
                "final_pass_rate",
                Box::new(|| rate_col(counts, |c| c.final_pass_rate(d))),
            ),
            ("makeups", Box::new(|| counts_col(counts, |c| c.makeups))),
            (
                "participation_met",
                Box::new(|| met_col(counts, |c| c.participation_rate().meets(&pt))),
            ),
            (
                "pass_met",
                Box::new(|| met_col(counts, |c| c.judged_pass_rate(d).meets(&st))),
            ),
            (
                "judged_passed",
                Box::new(|| counts_col(counts, |c| c.judged_passed)),
            ),
            (
                "judged_pass_rate",
                Box::new(|| rate_col(counts, |c| c.judged_pass_rate(d))),
            ),
        ];
        let built: Vec<(&str, ArrayRef)> = builds.par_iter().map(|(n, f)| (*n, f())).collect();
        cols.extend(built);
        batch(cols)
    }

    /// The people behind the gaps as a record batch: `staff_id`, `exam_id`, `exam_kind`,
    /// `hospital_id`, `department`, `category`, `problem` (`absent` / `failed`),
    /// `unaccepted_reason`, `sittings`, `first_passed`, `final_passed`, `session_id`.
    pub fn people_batch(&self) -> Result<RecordBatch, ExamError> {
        let n = self.people_len();
        let p = || self.people();
        let mut sittings = UInt32Builder::with_capacity(n);
        let mut first = BooleanBuilder::with_capacity(n);
        let mut fin = BooleanBuilder::with_capacity(n);
        for x in p() {
            sittings.append_value(x.sittings);
            first.append_value(x.first_passed);
            fin.append_value(x.final_passed);
        }
        batch(vec![
            ("staff_id", str_col(n, p().map(|x| Some(x.staff_id)))),
            ("exam_id", str_col(n, p().map(|x| Some(x.exam_id)))),
            ("exam_kind", str_col(n, p().map(|x| x.exam_kind))),
            ("hospital_id", str_col(n, p().map(|x| x.hospital_id))),
            ("department", str_col(n, p().map(|x| Some(x.department)))),
            ("category", str_col(n, p().map(|x| Some(x.category)))),
            ("problem", str_col(n, p().map(|x| Some(x.problem.name())))),
            (
                "unaccepted_reason",
                str_col(n, p().map(|x| x.unaccepted_reason)),
            ),
            ("sittings", Arc::new(sittings.finish())),
            ("first_passed", Arc::new(first.finish())),
            ("final_passed", Arc::new(fin.finish())),
            ("session_id", str_col(n, p().map(|x| x.session_id))),
        ])
    }

    /// The exemption audit as a record batch: `staff_id`, `exam_id`, `reason`, `accepted`,
    /// `source` (`roster` / `table`), `source_row` (null for the roster), `outcome`.
    pub fn exemptions_batch(&self) -> Result<RecordBatch, ExamError> {
        use super::people::ExemptionSource;
        let e = &self.exemptions;
        let n = e.len();
        let mut accepted = BooleanBuilder::with_capacity(n);
        let mut row = UInt64Builder::with_capacity(n);
        for x in e {
            accepted.append_value(x.accepted);
            row.append_option(match x.source {
                ExemptionSource::Roster => None,
                ExemptionSource::Table { row } => Some(row as u64),
            });
        }
        batch(vec![
            (
                "staff_id",
                str_col(n, e.iter().map(|x| Some(x.staff_id.as_str()))),
            ),
            (
                "exam_id",
                str_col(n, e.iter().map(|x| Some(x.exam_id.as_str()))),
            ),
            (
                "reason",
                str_col(n, e.iter().map(|x| Some(x.reason.as_str()))),
            ),
            ("accepted", Arc::new(accepted.finish())),
            (
                "source",
                str_col(
                    n,
                    e.iter().map(|x| {
                        Some(match x.source {
                            ExemptionSource::Roster => "roster",
                            ExemptionSource::Table { .. } => "table",
                        })
                    }),
                ),
            ),
            ("source_row", Arc::new(row.finish())),
            (
                "outcome",
                str_col(n, e.iter().map(|x| Some(x.outcome.name()))),
            ),
        ])
    }

    /// The rejected rows as a record batch (see [`rejections_batch`]).
    pub fn rejections_batch(&self) -> Result<RecordBatch, ExamError> {
        rejections_batch(&self.rejections)
    }
}

/// Rejected rows as a record batch: `table`, `row`, `reason` (a code such as
/// `unknown_staff`), `message`.
pub fn rejections_batch(rejections: &[Rejection]) -> Result<RecordBatch, ExamError> {
    let n = rejections.len();
    let mut row = UInt64Builder::with_capacity(n);
    for r in rejections {
        row.append_value(r.row as u64);
    }
    let messages: Vec<String> = rejections.iter().map(|r| r.reason.to_string()).collect();
    batch(vec![
        (
            "table",
            str_col(n, rejections.iter().map(|r| Some(r.table.name()))),
        ),
        ("row", Arc::new(row.finish())),
        (
            "reason",
            str_col(n, rejections.iter().map(|r| Some(r.reason.code()))),
        ),
        (
            "message",
            str_col(n, messages.iter().map(|m| Some(m.as_str()))),
        ),
    ])
}

impl TrainingEvaluation {
    /// The requirement checks as a record batch: `requirement`, `hospital_id`, `department`,
    /// `period` (label such as `2024-H1`), `period_start`, `period_end` (`YYYY-MM-DD`),
    /// `sessions`, `min_sessions`, `met`.
    pub fn checks_batch(&self) -> Result<RecordBatch, ExamError> {
        let c: &[RequirementCheck] = &self.checks;
        let n = c.len();
        let mut sessions = UInt64Builder::with_capacity(n);
        let mut min = UInt32Builder::with_capacity(n);
        let mut met = BooleanBuilder::with_capacity(n);
        for x in c {
            sessions.append_value(x.sessions);
            min.append_value(x.min_sessions);
            met.append_value(x.met);
        }
        let labels: Vec<String> = c.iter().map(|x| x.period.label()).collect();
        let starts: Vec<String> = c.iter().map(|x| x.period.start().to_string()).collect();
        let ends: Vec<String> = c.iter().map(|x| x.period.end().to_string()).collect();
        batch(vec![
            (
                "requirement",
                str_col(n, c.iter().map(|x| Some(x.requirement.as_str()))),
            ),
            (
                "hospital_id",
                str_col(n, c.iter().map(|x| x.hospital_id.as_deref())),
            ),
            (
                "department",
                str_col(n, c.iter().map(|x| Some(x.department.as_str()))),
            ),
            (
                "period",
                str_col(n, labels.iter().map(|s| Some(s.as_str()))),
            ),
            (
                "period_start",
                str_col(n, starts.iter().map(|s| Some(s.as_str()))),
            ),
            (
                "period_end",
                str_col(n, ends.iter().map(|s| Some(s.as_str()))),
            ),
            ("sessions", Arc::new(sessions.finish())),
            ("min_sessions", Arc::new(min.finish())),
            ("met", Arc::new(met.finish())),
        ])
    }
}
