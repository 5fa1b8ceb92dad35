//! The exams table (optional): one row per exam with its kind, date, marks and scope.
//!
//! Columns (Arrow names): `exam_id` (unique), optional `kind` (三基理论, 三基操作, 专科理论 ...;
//! selects the policy's per-kind rule), `date` (staff must be employed on it to be expected),
//! `pass_mark` and `full_mark` (override the policy for this exam), `categories` and
//! `departments` (the scope: a list in one cell such as `医师,护士` or `医师、护士`; null or empty
//! = all), `hospital_id` (the exam is for that hospital's staff only; null = every hospital).
//!
//! Without an exams table, every exam id found in the sittings is an exam, with no kind, no
//! date (the evaluation options' `reference_date` is used for employment, if given) and the
//! policy's marks, and its scope is every rostered staff member — of the hospitals whose staff
//! sat it, when the roster has hospitals (so that exams of different hospitals in one province
//! roster do not expect each other's staff).

use super::column::{DateCol, NumCol, StrCol};
use super::error::{ExamError, Table};
use super::roster::{check_len, single};

/// Exam definitions, borrowed column-wise.
///
/// ```
/// use sanjia::exams::{Date, Exams};
/// let ids = ["E1", "E2"];
/// let kinds = ["三基理论", "三基操作"];
/// let scope = [Some("医师,护士"), None];
/// let exams = Exams::new(&ids).unwrap()
///     .with_kind(&kinds).unwrap()
///     .with_categories(&scope).unwrap();
/// assert_eq!(exams.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct Exams<'a> {
    pub(crate) chunks: Vec<ExamsChunk<'a>>,
}

#[derive(Clone, Debug)]
pub(crate) struct ExamsChunk<'a> {
    pub(crate) len: usize,
    pub(crate) exam_id: StrCol<'a>,
    pub(crate) kind: Option<StrCol<'a>>,
    pub(crate) date: Option<DateCol<'a>>,
    pub(crate) pass_mark: Option<NumCol<'a>>,
    pub(crate) full_mark: Option<NumCol<'a>>,
    pub(crate) categories: Option<StrCol<'a>>,
    pub(crate) departments: Option<StrCol<'a>>,
    pub(crate) hospital_id: Option<StrCol<'a>>,
}

macro_rules! with_col {
    ($(#[$doc:meta])* $name:ident, $field:ident, $ty:ident, $col:literal) => {
        $(#[$doc])*
        pub fn $name(mut self, col: impl Into<$ty<'a>>) -> Result<Self, ExamError> {
            let c = single(&mut self.chunks, Table::Exams)?;
            let col = col.into();
            check_len(Table::Exams, $col, col.len(), c.len)?;
            c.$field = Some(col);
            Ok(self)
        }
    };
}

impl<'a> Exams<'a> {
    /// An exams table from its ids; add the optional columns with the `with_*` methods.
    pub fn new(exam_id: impl Into<StrCol<'a>>) -> Result<Exams<'a>, ExamError> {
        let exam_id = exam_id.into();
        Ok(Exams {
            chunks: vec![ExamsChunk {
                len: exam_id.len(),
                exam_id,
                kind: None,
                date: None,
                pass_mark: None,
                full_mark: None,
                categories: None,
                departments: None,
                hospital_id: None,
            }],
        })
    }

    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    pub(crate) fn from_chunks(chunks: Vec<ExamsChunk<'a>>) -> Exams<'a> {
        Exams { chunks }
    }

    with_col!(
        /// Add the exam kinds (null = no kind: the policy's default rule).
        with_kind, kind, StrCol, "kind"
    );
    with_col!(
        /// Add the exam dates.
        with_date, date, DateCol, "date"
    );
    with_col!(
        /// Add per-exam pass marks (null = the policy's).
        with_pass_mark, pass_mark, NumCol, "pass_mark"
    );
    with_col!(
        /// Add per-exam full marks (null = the policy's).
        with_full_mark, full_mark, NumCol, "full_mark"
    );
    with_col!(
        /// Add the categories in scope, a list per cell (null or empty = all).
        with_categories, categories, StrCol, "categories"
    );
    with_col!(
        /// Add the departments in scope, a list per cell (null or empty = all).
        with_departments, departments, StrCol, "departments"
    );
    with_col!(
        /// Add the hospital each exam is for (null = every hospital).
        with_hospital, hospital_id, StrCol, "hospital_id"
    );

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len).sum()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
