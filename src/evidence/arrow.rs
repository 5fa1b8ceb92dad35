//! Long-format evidence from Arrow record batches, read in place.
//!
//! String columns may be `Utf8`, `LargeUtf8`, `Utf8View` (polars) or dictionary-encoded
//! strings (pandas categoricals); integer id columns are accepted and shown as text. Numeric
//! columns may be any integer or float type and are read without copying.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::table::{Bits, F64Cells, LongTable, NumberColumn, TextColumn, TextRun, Utf8Cells};
use super::{EvidenceError, Sheet};
use crate::Rulebook;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, GenericStringArray, OffsetSizeTrait, RecordBatch};
use arrow_schema::DataType;
use std::ops::Range;

/// A text column over an Arrow array.
pub enum ArrowText<'a> {
    /// `Utf8`.
    Utf8(&'a arrow_array::StringArray),
    /// `LargeUtf8`.
    Large(&'a arrow_array::LargeStringArray),
    /// `Utf8View`.
    View(&'a arrow_array::StringViewArray),
    /// Integers or dictionary values converted to text once.
    Owned(Vec<Option<String>>),
}

impl TextColumn for ArrowText<'_> {
    fn len(&self) -> usize {
        match self {
            ArrowText::Utf8(a) => a.len(),
            ArrowText::Large(a) => a.len(),
            ArrowText::View(a) => a.len(),
            ArrowText::Owned(v) => v.len(),
        }
    }
    fn text(&self, row: usize) -> Option<&str> {
        match self {
            ArrowText::Utf8(a) => (!a.is_null(row)).then(|| a.value(row)),
            ArrowText::Large(a) => (!a.is_null(row)).then(|| a.value(row)),
            ArrowText::View(a) => (!a.is_null(row)).then(|| a.value(row)),
            ArrowText::Owned(v) => v.get(row).and_then(|s| s.as_deref()),
        }
    }
    fn texts<'s>(&'s self, rows: Range<usize>, out: &mut Vec<Option<&'s str>>) {
        // One match per run of rows, then a tight loop over the array.
        macro_rules! each {
            ($a:expr) => {
                match $a.nulls() {
                    None => out.extend(rows.map(|r| Some($a.value(r)))),
                    Some(n) => out.extend(rows.map(|r| n.is_valid(r).then(|| $a.value(r)))),
                }
            };
        }
        match self {
            ArrowText::Utf8(a) => each!(a),
            ArrowText::Large(a) => each!(a),
            ArrowText::View(a) => each!(a),
            ArrowText::Owned(v) => out.extend(rows.map(|r| v.get(r).and_then(|s| s.as_deref()))),
        }
    }
    fn utf8_cells(&self) -> Option<Utf8Cells<'_>> {
        match self {
            ArrowText::Utf8(a) => Some(Utf8Cells {
                offsets: a.value_offsets(),
                bytes: a.value_data(),
                valid: a.nulls().map(bits),
            }),
            _ => None,
        }
    }
    fn same_texts(&self, start: usize, run: &TextRun) -> bool {
        match self {
            ArrowText::Utf8(a) => same_offsets(a, start, run),
            ArrowText::Large(a) => same_offsets(a, start, run),
            ArrowText::View(a) => same_views(a, start, run),
            _ => {
                (start + run.len() <= self.len())
                    && (0..run.len()).all(|k| self.text(start + k) == run.text(k))
            }
        }
    }
}

/// An Arrow null buffer's validity bits, in place.
fn bits(nulls: &arrow_buffer::NullBuffer) -> Bits<'_> {
    Bits {
        bytes: nulls.validity(),
        offset: nulls.offset(),
    }
}

/// [`TextColumn::same_texts`] on string views: each row's length and bytes (short texts sit
/// in the view itself), then the nulls.
fn same_views(a: &arrow_array::StringViewArray, start: usize, run: &TextRun) -> bool {
    let n = run.len();
    let Some(views) = a.views().get(start..start + n) else {
        return false;
    };
    let mut from = 0;
    for (k, (&view, &end)) in views.iter().zip(&run.ends).enumerate() {
        let Some(want) = run.bytes.get(from..end as usize) else {
            return false;
        };
        from = end as usize;
        let len = view as u32 as usize;
        let same = match len {
            // A null row's view may be anything: its text is none (the nulls are compared
            // below).
            _ if a.is_null(start + k) => want.is_empty(),
            // Up to 12 bytes are inline: the view is the length, then the bytes.
            0..=12 => view.to_le_bytes().get(4..4 + len) == Some(want),
            _ => a.value(start + k).as_bytes() == want,
        };
        if !same {
            return false;
        }
    }
    same_nulls(a.nulls(), start, run)
}

/// [`TextColumn::same_texts`] on offsets and bytes: each row's length, all the bytes at once,
/// and the nulls.
fn same_offsets<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    start: usize,
    run: &TextRun,
) -> bool {
    let n = run.len();
    let Some(offsets) = a.value_offsets().get(start..start + n + 1) else {
        return false;
    };
    let base = offsets[0].as_usize();
    let lengths_agree = offsets[1..]
        .iter()
        .zip(&run.ends)
        .all(|(o, &e)| o.as_usize().wrapping_sub(base) == e as usize);
    lengths_agree
        && a.value_data().get(base..offsets[n].as_usize()) == Some(run.bytes.as_slice())
        && same_nulls(a.nulls(), start, run)
}

/// Whether the rows from `start` on are null where `run`'s are (64 rows at a time).
fn same_nulls(nulls: Option<&arrow_buffer::NullBuffer>, start: usize, run: &TextRun) -> bool {
    match nulls {
        None => !run.any_null(),
        Some(nulls) => nulls
            .inner()
            .slice(start, run.len())
            .bit_chunks()
            .iter_padded()
            .eq(run.valid.iter().copied()),
    }
}

/// A numeric column over an Arrow array.
pub struct ArrowNumber<'a> {
    array: &'a dyn Array,
    nulls: Option<arrow_buffer::NullBuffer>,
    get: fn(&dyn Array, usize) -> f64,
    /// The values of a `Float64` column (the usual case), read directly.
    f64s: Option<&'a [f64]>,
}

impl NumberColumn for ArrowNumber<'_> {
    fn len(&self) -> usize {
        self.array.len()
    }
    fn number(&self, row: usize) -> Option<f64> {
        if self.nulls.as_ref().is_some_and(|n| n.is_null(row)) {
            return None;
        }
        match self.f64s {
            Some(v) => v.get(row).copied(),
            None => Some((self.get)(self.array, row)),
        }
    }
    fn f64_cells(&self) -> Option<F64Cells<'_>> {
        Some(F64Cells {
            values: self.f64s?,
            valid: self.nulls.as_ref().map(bits),
        })
    }
    fn numbers(&self, rows: Range<usize>, out: &mut Vec<Option<f64>>) {
        match (self.f64s.and_then(|v| v.get(rows.clone())), &self.nulls) {
            (Some(v), None) => out.extend(v.iter().map(|&x| Some(x))),
            (Some(v), Some(n)) => {
                out.extend(v.iter().zip(rows).map(|(&x, r)| n.is_valid(r).then_some(x)))
            }
            _ => out.extend(rows.map(|r| self.number(r))),
        }
    }
}

macro_rules! getter {
    ($t:ty) => {
        |a: &dyn Array, i: usize| a.as_primitive::<$t>().value(i) as f64
    };
}

/// Largest integer an `f64` holds exactly (2^53).
const EXACT_INT: u64 = 1 << 53;

/// 64-bit integers beyond 2^53 would be rounded by `f64`: read as NaN, so the row is an error
/// ("not a finite number") instead of a silently changed count.
macro_rules! getter64 {
    ($t:ty) => {
        |a: &dyn Array, i: usize| {
            let v = a.as_primitive::<$t>().value(i);
            if (v as i128).unsigned_abs() > u128::from(EXACT_INT) {
                f64::NAN
            } else {
                v as f64
            }
        }
    };
}

/// Integer ids as text, exactly (not through `f64`, which would merge ids beyond 2^53).
fn int_text(a: &dyn Array) -> Option<Vec<Option<String>>> {
    macro_rules! texts {
        ($t:ty) => {{
            let p = a.as_primitive::<$t>();
            (0..a.len())
                .map(|i| (!a.is_null(i)).then(|| p.value(i).to_string()))
                .collect()
        }};
    }
    Some(match a.data_type() {
        DataType::Int64 => texts!(Int64Type),
        DataType::Int32 => texts!(Int32Type),
        DataType::Int16 => texts!(Int16Type),
        DataType::Int8 => texts!(Int8Type),
        DataType::UInt64 => texts!(UInt64Type),
        DataType::UInt32 => texts!(UInt32Type),
        DataType::UInt16 => texts!(UInt16Type),
        DataType::UInt8 => texts!(UInt8Type),
        _ => return None,
    })
}

fn bad_type(name: &str, dt: &DataType, want: &str) -> String {
    format!("column {name:?} has type {dt}, expected {want}")
}

/// Read a column as text.
pub fn text_column<'a>(name: &str, a: &'a ArrayRef) -> Result<ArrowText<'a>, String> {
    Ok(match a.data_type() {
        DataType::Utf8 => ArrowText::Utf8(a.as_string::<i32>()),
        DataType::LargeUtf8 => ArrowText::Large(a.as_string::<i64>()),
        DataType::Utf8View => ArrowText::View(a.as_string_view()),
        DataType::Null => ArrowText::Owned(vec![None; a.len()]),
        dt if dt.is_integer() => match int_text(a.as_ref()) {
            Some(v) => ArrowText::Owned(v),
            None => return Err(bad_type(name, dt, "text (Utf8, LargeUtf8 or Utf8View)")),
        },
        DataType::Dictionary(_, value)
            if matches!(
                **value,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            let dict = a.as_any_dictionary();
            if dict.values().is_empty() {
                // An empty dictionary (e.g. an all-null categorical): every key must be null.
                if a.logical_null_count() == a.len() {
                    return Ok(ArrowText::Owned(vec![None; a.len()]));
                }
                return Err(format!(
                    "column {name:?} is dictionary-encoded with an empty dictionary but has values"
                ));
            }
            let values = text_column(name, dict.values())?;
            let keys = dict.normalized_keys();
            ArrowText::Owned(
                (0..a.len())
                    .map(|i| {
                        if a.is_null(i) {
                            None
                        } else {
                            keys.get(i)
                                .and_then(|&k| values.text(k))
                                .map(str::to_string)
                        }
                    })
                    .collect(),
            )
        }
        dt => return Err(bad_type(name, dt, "text (Utf8, LargeUtf8 or Utf8View)")),
    })
}

/// Read a column as numbers.
pub fn number_column<'a>(name: &str, a: &'a ArrayRef) -> Result<ArrowNumber<'a>, String> {
    let f: fn(&dyn Array, usize) -> f64 = match a.data_type() {
        DataType::Float64 => getter!(Float64Type),
        DataType::Float32 => getter!(Float32Type),
        DataType::Int64 => getter64!(Int64Type),
        DataType::Int32 => getter!(Int32Type),
        DataType::Int16 => getter!(Int16Type),
        DataType::Int8 => getter!(Int8Type),
        DataType::UInt64 => getter64!(UInt64Type),
        DataType::UInt32 => getter!(UInt32Type),
        DataType::UInt16 => getter!(UInt16Type),
        DataType::UInt8 => getter!(UInt8Type),
        DataType::Null => |_: &dyn Array, _: usize| f64::NAN,
        dt => return Err(bad_type(name, dt, "numbers (integer or float)")),
    };
    Ok(ArrowNumber {
        array: a.as_ref(),
        nulls: a.logical_nulls(),
        get: f,
        f64s: a
            .as_primitive_opt::<Float64Type>()
            .map(|p| p.values().as_ref()),
    })
}

/// The columns of one record batch, typed.
pub struct BatchColumns<'a> {
    hospital: ArrowText<'a>,
    criterion: ArrowText<'a>,
    period: Option<ArrowText<'a>>,
    value: Option<ArrowNumber<'a>>,
    numerator: Option<ArrowNumber<'a>>,
    denominator: Option<ArrowNumber<'a>>,
    level: Option<ArrowText<'a>>,
    offset: usize,
}

/// Column names accepted (the first name is canonical).
const HOSPITAL: [&str; 2] = ["hospital_id", "hospital"];
const CRITERION: [&str; 3] = ["criterion_id", "criterion", "id"];

fn find<'a>(batch: &'a RecordBatch, names: &[&str]) -> Option<(&'a str, &'a ArrayRef)> {
    names.iter().find_map(|n| {
        batch
            .schema_ref()
            .fields()
            .iter()
            .position(|f| f.name() == n)
            .map(|i| (batch.schema_ref().field(i).name().as_str(), batch.column(i)))
    })
}

impl<'a> BatchColumns<'a> {
    /// Type the columns of a batch; `offset` is the batch's first row number in the stream.
    pub fn new(batch: &'a RecordBatch, offset: usize) -> Result<BatchColumns<'a>, EvidenceError> {
        let known = [
            "hospital_id",
            "hospital",
            "criterion_id",
            "criterion",
            "id",
            "period",
            "value",
            "numerator",
            "denominator",
            "level",
        ];
        let mut problems = Vec::new();
        for f in batch.schema_ref().fields() {
            if !known.contains(&f.name().as_str()) {
                problems.push(format!(
                    "unknown column {:?} (columns: hospital_id, criterion_id, period, value, numerator, denominator, level)",
                    f.name()
                ));
            }
        }
        let text =
            |names: &[&str], required: bool, problems: &mut Vec<String>| -> Option<ArrowText<'a>> {
                match find(batch, names) {
                    Some((n, a)) => text_column(n, a).map_err(|e| problems.push(e)).ok(),
                    None => {
                        if required {
                            problems.push(format!("missing column {:?}", names[0]));
                        }
                        None
                    }
                }
            };
        let num = |name: &str, problems: &mut Vec<String>| -> Option<ArrowNumber<'a>> {
            find(batch, &[name])
                .and_then(|(n, a)| number_column(n, a).map_err(|e| problems.push(e)).ok())
        };
        let hospital = text(&HOSPITAL, true, &mut problems);
        let criterion = text(&CRITERION, true, &mut problems);
        let period = text(&["period"], false, &mut problems);
        let level = text(&["level"], false, &mut problems);
        let value = num("value", &mut problems);
        let numerator = num("numerator", &mut problems);
        let denominator = num("denominator", &mut problems);
        match (hospital, criterion) {
            (Some(hospital), Some(criterion)) if problems.is_empty() => Ok(BatchColumns {
                hospital,
                criterion,
                period,
                value,
                numerator,
                denominator,
                level,
                offset,
            }),
            _ => {
                let mut e = EvidenceError::single(None, problems.remove(0));
                for p in problems {
                    e.problems.push(super::EvidenceProblem {
                        row: None,
                        path: None,
                        criterion: None,
                        message: p,
                    });
                }
                Err(e)
            }
        }
    }

    /// The batch as a long table.
    pub fn table(&self) -> LongTable<'_> {
        LongTable {
            hospital: &self.hospital,
            criterion: &self.criterion,
            period: self.period.as_ref().map(|c| c as &dyn TextColumn),
            value: self.value.as_ref().map(|c| c as &dyn NumberColumn),
            numerator: self.numerator.as_ref().map(|c| c as &dyn NumberColumn),
            denominator: self.denominator.as_ref().map(|c| c as &dyn NumberColumn),
            level: self.level.as_ref().map(|c| c as &dyn TextColumn),
            row_offset: self.offset,
        }
    }
}

/// Type the columns of record batches (one long table cut in parts); row numbers in messages
/// count from the first batch.
pub fn columns(batches: &[RecordBatch]) -> Result<Vec<BatchColumns<'_>>, EvidenceError> {
    columns_at(batches, 0)
}

/// Like [`columns`], with the first batch starting at row `first_row` of a stream.
pub fn columns_at(
    batches: &[RecordBatch],
    first_row: usize,
) -> Result<Vec<BatchColumns<'_>>, EvidenceError> {
    let mut cols = Vec::with_capacity(batches.len());
    let mut offset = first_row;
    for b in batches {
        cols.push(BatchColumns::new(b, offset)?);
        offset += b.num_rows();
    }
    Ok(cols)
}

/// Check every hospital in a set of record batches (one long table split in batches) into
/// sheets, in order of first appearance. Rows of one hospital may be spread over batches.
pub fn sheets_from_batches(
    rb: &Rulebook,
    batches: &[RecordBatch],
) -> Result<Vec<Result<Sheet, EvidenceError>>, EvidenceError> {
    let cols = columns(batches)?;
    let tables: Vec<LongTable> = cols.iter().map(BatchColumns::table).collect();
    Ok(super::table::sheets_from_tables(rb, &tables))
}
