//! Arrow input (feature `arrow`): the tables as borrowed views over record batches, no copy.
//!
//! A table is a slice of record batches with the same columns (one batch:
//! `std::slice::from_ref(&batch)`). Columns are found by name; extra columns are ignored.
//!
//! | kind | Arrow types accepted |
//! |---|---|
//! | string | `Utf8`, `LargeUtf8`, `Utf8View`, `Dictionary(<integer>, Utf8 / LargeUtf8 / Utf8View)` |
//! | number | `Int8`..`Int64`, `UInt8`..`UInt64`, `Float32`, `Float64` |
//! | date | `Date32`, `Date64`, `Timestamp(_, None)` (the date part), or strings `YYYY-MM-DD` |
//!
//! An optional column may also be of type `Null` (all values null). Nulls are read from the
//! validity bitmaps. A missing required column or a column of another type is an
//! [`ExamError`] naming the table and column.

use super::column::{DateCol, DateRepr, DictKeys, Nulls, NumCol, NumRepr, StrCol, StrRepr};
use super::error::{ExamError, Table};
use super::exam_table::{Exams, ExamsChunk};
use super::exemptions::{Exemptions, ExemptionsChunk};
use super::roster::{Roster, RosterChunk};
use super::sittings::{Sittings, SittingsChunk};
use super::training::sessions::{Sessions, SessionsChunk};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};

const STR_TYPES: &str = "Utf8, LargeUtf8, Utf8View or a dictionary of strings";
const NUM_TYPES: &str = "an integer or float type (Int8..Int64, UInt8..UInt64, Float32, Float64)";
const DATE_TYPES: &str = "Date32, Date64, a timestamp without time zone, or YYYY-MM-DD strings";

fn wrong(table: Table, column: &str, dt: &DataType, expected: &str) -> ExamError {
    ExamError::ColumnType {
        table,
        column: column.to_string(),
        found: dt.to_string(),
        expected: expected.to_string(),
    }
}

fn find<'a>(
    batch: &'a RecordBatch,
    table: Table,
    name: &str,
    required: bool,
) -> Result<Option<&'a ArrayRef>, ExamError> {
    match batch.column_by_name(name) {
        Some(c) => Ok(Some(c)),
        None if required => Err(ExamError::MissingColumn {
            table,
            column: name.to_string(),
        }),
        None => Ok(None),
    }
}

fn nulls(a: &dyn Array) -> Nulls<'_> {
    match a.nulls() {
        Some(n) => Nulls::Arrow(n),
        None => Nulls::None,
    }
}

fn str_view<'a>(table: Table, name: &str, a: &'a dyn Array) -> Result<StrCol<'a>, ExamError> {
    let dt = a.data_type();
    let repr = match dt {
        DataType::Utf8 => StrRepr::Utf8(a.as_string::<i32>()),
        DataType::LargeUtf8 => StrRepr::LargeUtf8(a.as_string::<i64>()),
        DataType::Utf8View => StrRepr::Utf8View(a.as_string_view()),
        DataType::Null => StrRepr::Str(&[]),
        DataType::Dictionary(k, v) => {
            if !matches!(
                v.as_ref(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) {
                return Err(wrong(table, name, dt, STR_TYPES));
            }
            macro_rules! dict {
                ($t:ty, $variant:ident) => {{
                    let d = a.as_dictionary::<$t>();
                    let values = str_view(table, name, d.values().as_ref())?;
                    StrRepr::Dict(DictKeys::$variant(d.keys()), Box::new(values))
                }};
            }
            match k.as_ref() {
                DataType::Int8 => dict!(Int8Type, I8),
                DataType::Int16 => dict!(Int16Type, I16),
                DataType::Int32 => dict!(Int32Type, I32),
                DataType::Int64 => dict!(Int64Type, I64),
                DataType::UInt8 => dict!(UInt8Type, U8),
                DataType::UInt16 => dict!(UInt16Type, U16),
                DataType::UInt32 => dict!(UInt32Type, U32),
                DataType::UInt64 => dict!(UInt64Type, U64),
                _ => return Err(wrong(table, name, dt, STR_TYPES)),
            }
        }
        _ => return Err(wrong(table, name, dt, STR_TYPES)),
    };
    Ok(StrCol(repr))
}

fn num_view<'a>(table: Table, name: &str, a: &'a dyn Array) -> Result<NumCol<'a>, ExamError> {
    let dt = a.data_type();
    let n = nulls(a);
    macro_rules! prim {
        ($t:ty, $variant:ident) => {
            NumRepr::$variant(a.as_primitive::<$t>().values(), n)
        };
    }
    let repr = match dt {
        DataType::Float64 => prim!(Float64Type, F64),
        DataType::Float32 => prim!(Float32Type, F32),
        DataType::Int64 => prim!(Int64Type, I64),
        DataType::Int32 => prim!(Int32Type, I32),
        DataType::Int16 => prim!(Int16Type, I16),
        DataType::Int8 => prim!(Int8Type, I8),
        DataType::UInt64 => prim!(UInt64Type, U64),
        DataType::UInt32 => prim!(UInt32Type, U32),
        DataType::UInt16 => prim!(UInt16Type, U16),
        DataType::UInt8 => prim!(UInt8Type, U8),
        DataType::Null => NumRepr::F64(&[], Nulls::None),
        _ => return Err(wrong(table, name, dt, NUM_TYPES)),
    };
    Ok(NumCol(repr))
}

fn date_view<'a>(table: Table, name: &str, a: &'a dyn Array) -> Result<DateCol<'a>, ExamError> {
    use arrow_array::types::{
        Date32Type, Date64Type, TimestampMicrosecondType, TimestampMillisecondType,
        TimestampNanosecondType, TimestampSecondType,
    };
    let dt = a.data_type();
    let n = nulls(a);
    let repr = match dt {
        DataType::Date32 => DateRepr::Days(a.as_primitive::<Date32Type>().values(), n),
        DataType::Date64 => DateRepr::Ticks(a.as_primitive::<Date64Type>().values(), n, 86_400_000),
        DataType::Timestamp(unit, None) => {
            let (values, per_day): (&[i64], i64) = match unit {
                TimeUnit::Second => (a.as_primitive::<TimestampSecondType>().values(), 86_400),
                TimeUnit::Millisecond => (
                    a.as_primitive::<TimestampMillisecondType>().values(),
                    86_400_000,
                ),
                TimeUnit::Microsecond => (
                    a.as_primitive::<TimestampMicrosecondType>().values(),
                    86_400_000_000,
                ),
                TimeUnit::Nanosecond => (
                    a.as_primitive::<TimestampNanosecondType>().values(),
                    86_400_000_000_000,
                ),
            };
            DateRepr::Ticks(values, n, per_day)
        }
        DataType::Timestamp(_, Some(tz)) => {
            return Err(ExamError::ColumnType {
                table,
                column: name.to_string(),
                found: dt.to_string(),
                expected: format!(
                    "{DATE_TYPES} (the time zone {tz} makes the calendar date ambiguous: \
                     convert to local dates first)"
                ),
            })
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(..) => {
            DateRepr::Text(str_view(table, name, a)?)
        }
        DataType::Null => DateRepr::Dates(&[]),
        _ => return Err(wrong(table, name, dt, DATE_TYPES)),
    };
    Ok(DateCol(repr))
}

/// Column readers over one batch of one table.
struct Cols<'a> {
    batch: &'a RecordBatch,
    table: Table,
}

impl<'a> Cols<'a> {
    fn str(&self, name: &str) -> Result<StrCol<'a>, ExamError> {
        let a =
            find(self.batch, self.table, name, true)?.ok_or_else(|| ExamError::MissingColumn {
                table: self.table,
                column: name.to_string(),
            })?;
        str_view(self.table, name, a.as_ref())
    }
    fn opt_str(&self, name: &str) -> Result<Option<StrCol<'a>>, ExamError> {
        find(self.batch, self.table, name, false)?
            .map(|a| str_view(self.table, name, a.as_ref()))
            .transpose()
    }
    fn num(&self, name: &str) -> Result<NumCol<'a>, ExamError> {
        let a =
            find(self.batch, self.table, name, true)?.ok_or_else(|| ExamError::MissingColumn {
                table: self.table,
                column: name.to_string(),
            })?;
        num_view(self.table, name, a.as_ref())
    }
    fn opt_num(&self, name: &str) -> Result<Option<NumCol<'a>>, ExamError> {
        find(self.batch, self.table, name, false)?
            .map(|a| num_view(self.table, name, a.as_ref()))
            .transpose()
    }
    fn date(&self, name: &str) -> Result<DateCol<'a>, ExamError> {
        let a =
            find(self.batch, self.table, name, true)?.ok_or_else(|| ExamError::MissingColumn {
                table: self.table,
                column: name.to_string(),
            })?;
        date_view(self.table, name, a.as_ref())
    }
    fn opt_date(&self, name: &str) -> Result<Option<DateCol<'a>>, ExamError> {
        find(self.batch, self.table, name, false)?
            .map(|a| date_view(self.table, name, a.as_ref()))
            .transpose()
    }
}

impl<'a> Roster<'a> {
    /// The roster from record batches: `staff_id`, `department`, `category` (strings,
    /// required); `hospital_id`, `exempt_reason` (strings), `employed_from`, `employed_to`
    /// (dates), optional.
    pub fn from_arrow(batches: &'a [RecordBatch]) -> Result<Roster<'a>, ExamError> {
        let mut chunks = Vec::with_capacity(batches.len());
        for batch in batches {
            let c = Cols {
                batch,
                table: Table::Roster,
            };
            chunks.push(RosterChunk {
                len: batch.num_rows(),
                staff_id: c.str("staff_id")?,
                department: c.str("department")?,
                category: c.str("category")?,
                hospital_id: c.opt_str("hospital_id")?,
                employed_from: c.opt_date("employed_from")?,
                employed_to: c.opt_date("employed_to")?,
                exempt_reason: c.opt_str("exempt_reason")?,
            });
        }
        Ok(Roster::from_chunks(chunks))
    }
}

impl<'a> Exams<'a> {
    /// The exams table from record batches: `exam_id` (string, required); `kind`,
    /// `categories`, `departments`, `hospital_id` (strings), `date` (date), `pass_mark`,
    /// `full_mark` (numbers), optional.
    pub fn from_arrow(batches: &'a [RecordBatch]) -> Result<Exams<'a>, ExamError> {
        let mut chunks = Vec::with_capacity(batches.len());
        for batch in batches {
            let c = Cols {
                batch,
                table: Table::Exams,
            };
            chunks.push(ExamsChunk {
                len: batch.num_rows(),
                exam_id: c.str("exam_id")?,
                kind: c.opt_str("kind")?,
                date: c.opt_date("date")?,
                pass_mark: c.opt_num("pass_mark")?,
                full_mark: c.opt_num("full_mark")?,
                categories: c.opt_str("categories")?,
                departments: c.opt_str("departments")?,
                hospital_id: c.opt_str("hospital_id")?,
            });
        }
        Ok(Exams::from_chunks(chunks))
    }
}

impl<'a> Exemptions<'a> {
    /// The exemptions table from record batches: `staff_id`, `reason` (strings, required),
    /// `exam_id` (string; optional column, null = every exam).
    pub fn from_arrow(batches: &'a [RecordBatch]) -> Result<Exemptions<'a>, ExamError> {
        let mut chunks = Vec::with_capacity(batches.len());
        for batch in batches {
            let c = Cols {
                batch,
                table: Table::Exemptions,
            };
            chunks.push(ExemptionsChunk {
                len: batch.num_rows(),
                staff_id: c.str("staff_id")?,
                exam_id: c.opt_str("exam_id")?.unwrap_or(StrCol(StrRepr::Str(&[]))),
                reason: c.str("reason")?,
            });
        }
        Ok(Exemptions::from_chunks(chunks))
    }
}

impl<'a> Sittings<'a> {
    /// The sittings from record batches: `staff_id`, `exam_id` (strings, required);
    /// `attempt` (number; without it every row is a first attempt), `score` (number),
    /// `session_id` (string), optional; and the named component score columns (numbers,
    /// required when named).
    pub fn from_arrow(
        batches: &'a [RecordBatch],
        components: &[&str],
    ) -> Result<Sittings<'a>, ExamError> {
        let mut names: Vec<String> = Vec::with_capacity(components.len());
        for n in components {
            if names.iter().any(|m| m == n) || *n == "score" {
                return Err(ExamError::Inconsistent(format!(
                    "sittings table: component `{n}` is given twice"
                )));
            }
            names.push(n.to_string());
        }
        let mut chunks = Vec::with_capacity(batches.len());
        for batch in batches {
            let c = Cols {
                batch,
                table: Table::Sittings,
            };
            chunks.push(SittingsChunk {
                len: batch.num_rows(),
                staff_id: c.str("staff_id")?,
                exam_id: c.str("exam_id")?,
                attempt: c.opt_num("attempt")?,
                score: c.opt_num("score")?,
                components: components
                    .iter()
                    .map(|n| c.num(n))
                    .collect::<Result<_, _>>()?,
                session_id: c.opt_str("session_id")?,
            });
        }
        Ok(Sittings::from_chunks(chunks, names))
    }
}

impl<'a> Sessions<'a> {
    /// Training sessions from record batches: `session_id`, `kind` (strings), `date` (date),
    /// required; `department` (string; null = hospital-wide; a missing column makes every
    /// session hospital-wide), `hospital_id` (string), `attendees` (number), optional.
    pub fn from_arrow(batches: &'a [RecordBatch]) -> Result<Sessions<'a>, ExamError> {
        let mut chunks = Vec::with_capacity(batches.len());
        for batch in batches {
            let c = Cols {
                batch,
                table: Table::Sessions,
            };
            chunks.push(SessionsChunk {
                len: batch.num_rows(),
                session_id: c.str("session_id")?,
                kind: c.str("kind")?,
                date: c.date("date")?,
                department: c.opt_str("department")?,
                hospital_id: c.opt_str("hospital_id")?,
                attendees: c.opt_num("attendees")?,
            });
        }
        Ok(Sessions::from_chunks(chunks))
    }
}
