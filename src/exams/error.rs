//! Errors and rejected rows.
//!
//! Two kinds of problems are told apart:
//!
//! * **the shape of the input or the policy is wrong** (a missing or mistyped column, columns of
//!   different lengths, an invalid policy): always an [`ExamError`];
//! * **some rows are bad** (a sitting for someone not on the roster, a duplicate attempt, a score
//!   above the full mark, ...): each such row becomes a [`Rejection`] with a [`RejectReason`]. In
//!   the default (strict) mode any rejection makes the evaluation fail with
//!   [`ExamError::BadRows`], which names the rows; in lenient mode the rows are left out and
//!   listed in the result, and the row counts always add up (`input = used + rejected`).

use rust_decimal::Decimal;
use std::fmt;

/// The input tables of the exam and training engines, for naming them in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// The staff roster.
    Roster,
    /// The exams table (exam definitions and scope).
    Exams,
    /// The exam sittings (one row per staff, exam and attempt).
    Sittings,
    /// The per-exam exemptions table.
    Exemptions,
    /// The training sessions and drills table.
    Sessions,
}

impl Table {
    /// The table's name as used in messages: `roster`, `exams`, `sittings`, `exemptions`,
    /// `sessions`.
    pub fn name(self) -> &'static str {
        match self {
            Table::Roster => "roster",
            Table::Exams => "exams",
            Table::Sittings => "sittings",
            Table::Exemptions => "exemptions",
            Table::Sessions => "sessions",
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a sitting of an existing staff member is not counted for an exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotExpectedWhy {
    /// The staff member's category is not in the exam's scope.
    Category,
    /// The staff member's department is not in the exam's scope.
    Department,
    /// The staff member belongs to another hospital than the exam's.
    Hospital,
    /// The staff member was not employed on the exam date.
    NotEmployed,
}

impl fmt::Display for NotExpectedWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotExpectedWhy::Category => "their category is not in the exam's scope",
            NotExpectedWhy::Department => "their department is not in the exam's scope",
            NotExpectedWhy::Hospital => "they belong to another hospital than the exam's",
            NotExpectedWhy::NotEmployed => "they were not employed on the exam date",
        })
    }
}

/// Why a row was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum RejectReason {
    /// A required value is null (or an empty string).
    MissingValue {
        /// The column.
        column: String,
    },
    /// The row repeats a key that must be unique: staff in the roster, exam in the exams table,
    /// (staff, exam, attempt) in the sittings, session in the sessions table.
    ///
    /// When all rows sharing the key are identical, the first one (lowest row number) is kept and
    /// the others are rejected with `kept_row = Some(first)`; when they differ, every one of them
    /// is rejected with `kept_row = None`, because picking one would depend on the input order.
    Duplicate {
        /// The repeated key, e.g. `staff S001, exam E1, attempt 1`.
        key: String,
        /// The row that was kept, when the duplicates are identical.
        kept_row: Option<usize>,
        /// Number of rows sharing the key.
        rows: usize,
    },
    /// A sitting or exemption names a staff member who is not on the roster.
    UnknownStaff {
        /// The staff id.
        staff_id: String,
    },
    /// A sitting or exemption names a staff member whose roster rows were all rejected.
    StaffRejected {
        /// The staff id.
        staff_id: String,
    },
    /// A sitting or exemption names an exam that is not in the exams table (or, without an exams
    /// table, appears in no sitting).
    UnknownExam {
        /// The exam id.
        exam_id: String,
    },
    /// A sitting names an exam whose rows in the exams table were all rejected.
    ExamRejected {
        /// The exam id.
        exam_id: String,
    },
    /// The attempt number is below 1, not a whole number, or too large.
    BadAttempt {
        /// The value as found.
        value: String,
    },
    /// A make-up sitting (attempt 2 or more) for a staff member and exam without a usable first
    /// attempt.
    MakeupWithoutFirst {
        /// The make-up's attempt number.
        attempt: u32,
    },
    /// A score is NaN.
    NanScore {
        /// The score column.
        column: String,
    },
    /// A score is below 0 or above the exam's full mark.
    ScoreOutOfRange {
        /// The score column.
        column: String,
        /// The score as found.
        value: f64,
        /// The exam's full mark.
        full_mark: Decimal,
    },
    /// The pass rule is `components = "total"` but the sitting has no total score and the policy
    /// gives no component weights to compute one.
    NoTotal,
    /// The sitting belongs to a staff member who is on the roster but not expected at this exam.
    NotExpected {
        /// Why.
        why: NotExpectedWhy,
    },
    /// A date could not be read (`YYYY-MM-DD` expected).
    BadDate {
        /// The column.
        column: String,
        /// The text found.
        text: String,
    },
    /// The employment end date is before the start date.
    EmploymentEndsBeforeStart,
    /// A number in the exams or sessions table is not usable (NaN, negative, a pass mark above
    /// the full mark, a count that is not a whole number ...).
    BadNumber {
        /// The column.
        column: String,
        /// The value as found.
        value: String,
        /// What is wrong with it.
        why: String,
    },
}

impl RejectReason {
    /// A short machine-friendly code for the reason: `missing_value`, `duplicate`,
    /// `unknown_staff`, `staff_rejected`, `unknown_exam`, `exam_rejected`, `bad_attempt`,
    /// `makeup_without_first`, `nan_score`, `score_out_of_range`, `no_total`, `not_expected`,
    /// `bad_date`, `employment_ends_before_start`, `bad_number`.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::MissingValue { .. } => "missing_value",
            RejectReason::Duplicate { .. } => "duplicate",
            RejectReason::UnknownStaff { .. } => "unknown_staff",
            RejectReason::StaffRejected { .. } => "staff_rejected",
            RejectReason::UnknownExam { .. } => "unknown_exam",
            RejectReason::ExamRejected { .. } => "exam_rejected",
            RejectReason::BadAttempt { .. } => "bad_attempt",
            RejectReason::MakeupWithoutFirst { .. } => "makeup_without_first",
            RejectReason::NanScore { .. } => "nan_score",
            RejectReason::ScoreOutOfRange { .. } => "score_out_of_range",
            RejectReason::NoTotal => "no_total",
            RejectReason::NotExpected { .. } => "not_expected",
            RejectReason::BadDate { .. } => "bad_date",
            RejectReason::EmploymentEndsBeforeStart => "employment_ends_before_start",
            RejectReason::BadNumber { .. } => "bad_number",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::MissingValue { column } => write!(f, "`{column}` is missing"),
            RejectReason::Duplicate {
                key,
                kept_row: Some(k),
                rows,
            } => write!(
                f,
                "duplicate of row {k} ({key}; {rows} identical rows, the first is kept)"
            ),
            RejectReason::Duplicate {
                key,
                kept_row: None,
                rows,
            } => write!(
                f,
                "{rows} conflicting rows for {key} (all rejected: which one is right is unknown)"
            ),
            RejectReason::UnknownStaff { staff_id } => {
                write!(f, "staff {staff_id:?} is not on the roster")
            }
            RejectReason::StaffRejected { staff_id } => {
                write!(f, "staff {staff_id:?}'s roster rows were rejected")
            }
            RejectReason::UnknownExam { exam_id } => write!(f, "exam {exam_id:?} is unknown"),
            RejectReason::ExamRejected { exam_id } => {
                write!(
                    f,
                    "exam {exam_id:?}'s rows in the exams table were rejected"
                )
            }
            RejectReason::BadAttempt { value } => write!(
                f,
                "attempt {value} is not a whole number from 1 (first sitting) up"
            ),
            RejectReason::MakeupWithoutFirst { attempt } => write!(
                f,
                "make-up (attempt {attempt}) without a usable first attempt"
            ),
            RejectReason::NanScore { column } => write!(f, "`{column}` is NaN"),
            RejectReason::ScoreOutOfRange {
                column,
                value,
                full_mark,
            } => write!(
                f,
                "`{column}` = {value} is outside [0, {}]",
                full_mark.normalize()
            ),
            RejectReason::NoTotal => f.write_str(
                "no total score, and the policy gives no component weights to compute one \
                 (components = \"total\")",
            ),
            RejectReason::NotExpected { why } => {
                write!(f, "the staff member is not expected at this exam: {why}")
            }
            RejectReason::BadDate { column, text } => {
                write!(f, "`{column}` = {text:?} is not a date (YYYY-MM-DD)")
            }
            RejectReason::EmploymentEndsBeforeStart => {
                f.write_str("employment ends before it starts")
            }
            RejectReason::BadNumber { column, value, why } => {
                write!(f, "`{column}` = {value}: {why}")
            }
        }
    }
}

/// A rejected row: the table, the row number (0-based, counted across all record batches of
/// the table) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The table.
    pub table: Table,
    /// The row, 0-based across the whole table.
    pub row: usize,
    /// Why the row was rejected.
    pub reason: RejectReason,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} row {}: {}", self.table, self.row, self.reason)
    }
}

/// How many rejections [`ExamError::BadRows`] lists in full.
pub const SHOWN_REJECTIONS: usize = 20;

fn list_rejections(shown: &[Rejection], total: usize) -> String {
    let mut s = String::new();
    for r in shown {
        s.push_str("\n  ");
        s.push_str(&r.to_string());
    }
    if total > shown.len() {
        s.push_str(&format!("\n  ... and {} more", total - shown.len()));
    }
    s
}

/// A policy (or training policy) that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The TOML text could not be read into a policy.
    #[error("policy TOML, at `{path}`: {message}")]
    Toml {
        /// Where in the document (e.g. `kinds.三基操作.pass_mark`).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A field has a value the engine cannot use.
    #[error("policy field `{field}`: {message}")]
    Invalid {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// An error of the exam or training engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExamError {
    /// A required column is missing from a table.
    #[error("{table} table: required column `{column}` is missing")]
    MissingColumn {
        /// The table.
        table: Table,
        /// The column.
        column: String,
    },
    /// A column has a type the engine cannot read.
    #[error("{table} table: column `{column}` has type {found}, expected {expected}")]
    ColumnType {
        /// The table.
        table: Table,
        /// The column.
        column: String,
        /// The type found.
        found: String,
        /// The types accepted.
        expected: String,
    },
    /// The columns of a table differ in length.
    #[error("{table} table: column `{column}` has {len} rows, the table has {expected}")]
    LengthMismatch {
        /// The table.
        table: Table,
        /// The column.
        column: String,
        /// Its length.
        len: usize,
        /// The table's length.
        expected: usize,
    },
    /// A table has more rows than the engine indexes (about four billion).
    #[error("{table} table: {rows} rows is more than the engine can index")]
    TooManyRows {
        /// The table.
        table: Table,
        /// Its row count.
        rows: usize,
    },
    /// The inputs do not fit together (e.g. the exams table scopes by hospital but the roster
    /// has no hospital column, or a policy names a score component the sittings do not have).
    #[error("{0}")]
    Inconsistent(String),
    /// The policy is invalid.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// Strict mode: some rows are bad. Every rejection is counted; the first
    /// [`SHOWN_REJECTIONS`] are listed (in table and row order).
    #[error("{total} bad input row(s); fix them or evaluate in lenient mode:{}", list_rejections(shown, *total))]
    BadRows {
        /// Number of rejected rows.
        total: usize,
        /// The first rejections, in (table, row) order.
        shown: Vec<Rejection>,
    },
}

impl ExamError {
    /// Strict-mode error from a sorted list of rejections.
    pub(crate) fn bad_rows(mut rejections: Vec<Rejection>) -> ExamError {
        let total = rejections.len();
        rejections.truncate(SHOWN_REJECTIONS);
        ExamError::BadRows {
            total,
            shown: rejections,
        }
    }
}

/// How many rows of one table were read, used and rejected. `input == used + rejected` always.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCount {
    /// Rows in the input table.
    pub input: usize,
    /// Rows that took part in the evaluation.
    pub used: usize,
    /// Rows rejected (listed in the result's rejections).
    pub rejected: usize,
}

impl RowCount {
    pub(crate) fn new(input: usize, rejected: usize) -> RowCount {
        RowCount {
            input,
            used: input.saturating_sub(rejected),
            rejected,
        }
    }

    /// Whether `input == used + rejected`.
    pub fn adds_up(&self) -> bool {
        self.input == self.used + self.rejected
    }
}
