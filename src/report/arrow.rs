//! Reports as Arrow record batches: the long node table and the batch summary.

use super::Report;
use crate::evidence::EvidenceError;
use crate::ratio::decimal_to_f64;
use crate::score::{Scorecard, Summary};
use crate::Rulebook;
use arrow_array::builder::{BooleanBuilder, Float64Builder, StringBuilder, UInt32Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use std::sync::Arc;

fn batch(
    fields: Vec<(&str, DataType, bool)>,
    cols: Vec<ArrayRef>,
) -> Result<RecordBatch, ArrowError> {
    let schema = Schema::new(
        fields
            .into_iter()
            .map(|(n, t, null)| Field::new(n, t, null))
            .collect::<Vec<_>>(),
    );
    RecordBatch::try_new(Arc::new(schema), cols)
}

/// The audit fields as schema metadata (keys `sanjia.rulebook_id`, `sanjia.rulebook_edition`,
/// `sanjia.rulebook_sha256`, `sanjia.version`, and `sanjia.evidence_sha256` when given).
fn with_audit(
    b: Result<RecordBatch, ArrowError>,
    rb: &Rulebook,
    evidence: Option<String>,
) -> Result<RecordBatch, ArrowError> {
    let b = b?;
    let m = rb.meta();
    let mut meta = std::collections::HashMap::new();
    meta.insert("sanjia.rulebook_id".to_string(), m.id.clone());
    if let Some(e) = &m.edition {
        meta.insert("sanjia.rulebook_edition".to_string(), e.clone());
    }
    meta.insert(
        "sanjia.rulebook_sha256".to_string(),
        rb.content_hash().to_string(),
    );
    meta.insert("sanjia.version".to_string(), crate::VERSION.to_string());
    if let Some(e) = evidence {
        meta.insert("sanjia.evidence_sha256".to_string(), e);
    }
    let schema = Schema::new_with_metadata(b.schema().fields().clone(), meta);
    b.with_schema(Arc::new(schema))
}

/// One row per node per report: `hospital_id, id, parent, depth, kind, title, department,
/// flags, points, max_points, rate, applicable, level, value, period, lost_in_total, reason`.
pub fn nodes_batch(reports: &[&Report]) -> Result<RecordBatch, ArrowError> {
    let mut hospital = StringBuilder::new();
    let mut id = StringBuilder::new();
    let mut parent = StringBuilder::new();
    let mut depth = UInt32Builder::new();
    let mut kind = StringBuilder::new();
    let mut title = StringBuilder::new();
    let mut dept = StringBuilder::new();
    let mut flags = StringBuilder::new();
    let mut points = Float64Builder::new();
    let mut max = Float64Builder::new();
    let mut rate = Float64Builder::new();
    let mut applicable = BooleanBuilder::new();
    let mut level = StringBuilder::new();
    let mut value = Float64Builder::new();
    let mut period = StringBuilder::new();
    let mut lost = Float64Builder::new();
    let mut reason = StringBuilder::new();
    for r in reports {
        for n in r.nodes() {
            hospital.append_value(r.hospital());
            id.append_value(&n.id);
            parent.append_option(n.parent.as_deref());
            depth.append_value(n.depth);
            kind.append_value(n.kind);
            title.append_value(&n.title);
            dept.append_option(n.department.as_deref());
            flags.append_value(n.flags.join(","));
            points.append_option(n.points.map(decimal_to_f64));
            max.append_value(decimal_to_f64(n.max_points));
            rate.append_option(n.rate.map(decimal_to_f64));
            applicable.append_value(n.applicable);
            level.append_option(n.level.as_deref());
            value.append_option(n.value);
            period.append_option(n.period.as_deref());
            lost.append_value(decimal_to_f64(n.lost_in_total));
            reason.append_value(&n.reason);
        }
    }
    use DataType::*;
    let b = batch(
        vec![
            ("hospital_id", Utf8, false),
            ("id", Utf8, false),
            ("parent", Utf8, true),
            ("depth", UInt32, false),
            ("kind", Utf8, false),
            ("title", Utf8, false),
            ("department", Utf8, true),
            ("flags", Utf8, false),
            ("points", Float64, true),
            ("max_points", Float64, false),
            ("rate", Float64, true),
            ("applicable", Boolean, false),
            ("level", Utf8, true),
            ("value", Float64, true),
            ("period", Utf8, true),
            ("lost_in_total", Float64, false),
            ("reason", Utf8, false),
        ],
        vec![
            Arc::new(hospital.finish()),
            Arc::new(id.finish()),
            Arc::new(parent.finish()),
            Arc::new(depth.finish()),
            Arc::new(kind.finish()),
            Arc::new(title.finish()),
            Arc::new(dept.finish()),
            Arc::new(flags.finish()),
            Arc::new(points.finish()),
            Arc::new(max.finish()),
            Arc::new(rate.finish()),
            Arc::new(applicable.finish()),
            Arc::new(level.finish()),
            Arc::new(value.finish()),
            Arc::new(period.finish()),
            Arc::new(lost.finish()),
            Arc::new(reason.finish()),
        ],
    );
    // Audit: the rulebook's fields, and the evidence hash (of the one report, or a JSON list
    // in report order when the table holds several hospitals).
    let Some(first) = reports.first() else {
        return b;
    };
    let evidence = match reports {
        [one] => one.audit().evidence_sha256,
        many => serde_json::Value::from(
            many.iter()
                .map(|r| r.scorecard().evidence_hash.clone())
                .collect::<Vec<_>>(),
        )
        .to_string(),
    };
    with_audit(b, first.rulebook(), Some(evidence))
}

/// One row per hospital: `hospital_id, grade, earned_grade, status, total, max_total`, one
/// points column per part (named by part id), `failed_gates` (comma-separated ids) and
/// `error` (null when scored). Rows are in input order; errors keep their hospital id when
/// known.
pub fn summary_batch(
    rb: &Rulebook,
    hospitals: &[Option<String>],
    results: &[Result<Scorecard, EvidenceError>],
) -> Result<RecordBatch, ArrowError> {
    let rows: Vec<Result<Summary, EvidenceError>> = results
        .iter()
        .map(|r| r.as_ref().map(|c| Summary::of(rb, c)).map_err(Clone::clone))
        .collect();
    summaries_batch(rb, hospitals, &rows)
}

/// [`summary_batch`] from batch summaries (see [`crate::score::batch::Batch`]).
pub fn summaries_batch(
    rb: &Rulebook,
    hospitals: &[Option<String>],
    results: &[Result<Summary, EvidenceError>],
) -> Result<RecordBatch, ArrowError> {
    let parts: Vec<u32> = crate::score::summary::scored_parts(rb).collect();
    let mut hospital = StringBuilder::new();
    let mut grade = StringBuilder::new();
    let mut earned = StringBuilder::new();
    let mut status = StringBuilder::new();
    let mut total = Float64Builder::new();
    let mut max_total = Float64Builder::new();
    let mut part_cols: Vec<Float64Builder> = parts.iter().map(|_| Float64Builder::new()).collect();
    let mut failed = StringBuilder::new();
    let mut error = StringBuilder::new();
    let mut evidence_hash = StringBuilder::new();
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(sum) => {
                hospital.append_value(&sum.hospital);
                grade.append_option(sum.grade.map(|g| rb.grades()[g].id.as_str()));
                earned.append_option(sum.earned.map(|g| rb.grades()[g].id.as_str()));
                status.append_value(sum.status(rb));
                total.append_option(sum.total.map(decimal_to_f64));
                max_total.append_value(decimal_to_f64(sum.max_total));
                for (k, col) in part_cols.iter_mut().enumerate() {
                    col.append_option(sum.parts.get(k).copied().flatten().map(decimal_to_f64));
                }
                let ids: Vec<&str> = sum
                    .failed_gates
                    .iter()
                    .map(|&g| rb.nodes()[g as usize].id.as_str())
                    .collect();
                failed.append_value(ids.join(","));
                error.append_null();
                evidence_hash.append_value(&sum.evidence_hash);
            }
            Err(e) => {
                let h = e
                    .hospital
                    .clone()
                    .or_else(|| hospitals.get(i).cloned().flatten());
                hospital.append_option(h);
                grade.append_null();
                earned.append_null();
                status.append_value("error");
                total.append_null();
                max_total.append_null();
                for c in part_cols.iter_mut() {
                    c.append_null();
                }
                failed.append_null();
                error.append_value(e.to_string());
                evidence_hash.append_null();
            }
        }
    }
    use DataType::*;
    let mut fields = vec![
        ("hospital_id", Utf8, true),
        ("grade", Utf8, true),
        ("earned_grade", Utf8, true),
        ("status", Utf8, false),
        ("total", Float64, true),
        ("max_total", Float64, true),
    ];
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(hospital.finish()),
        Arc::new(grade.finish()),
        Arc::new(earned.finish()),
        Arc::new(status.finish()),
        Arc::new(total.finish()),
        Arc::new(max_total.finish()),
    ];
    for (k, &p) in parts.iter().enumerate() {
        fields.push((rb.nodes()[p as usize].id.as_str(), Float64, true));
        cols.push(Arc::new(part_cols[k].finish()));
    }
    fields.push(("failed_gates", Utf8, true));
    fields.push(("error", Utf8, true));
    cols.push(Arc::new(failed.finish()));
    cols.push(Arc::new(error.finish()));
    // Audit: the evidence hash per hospital, the rulebook's fields in the schema metadata.
    fields.push(("evidence_sha256", Utf8, true));
    cols.push(Arc::new(evidence_hash.finish()));
    with_audit(batch(fields, cols), rb, None)
}
