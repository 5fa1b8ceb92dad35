//! The staff roster: who is expected to sit exams.
//!
//! Columns (Arrow names in brackets): `staff_id` (unique across the whole roster, also across
//! hospitals), `department`, `category` (医师, 护士, 医技, 药学, 管理, ...), optional
//! `hospital_id`, optional `employed_from` / `employed_to` (inclusive; a null start means "since
//! ever", a null end "still employed"), optional `exempt_reason` (a per-staff exemption that
//! applies to every exam; per-exam exemptions go in [`crate::exams::Exemptions`]).

use super::column::{DateCol, StrCol};
use super::error::{ExamError, Table};

/// The staff roster, borrowed column-wise from slices or Arrow record batches.
///
/// ```
/// use sanjia::exams::Roster;
/// let ids = ["S1", "S2"];
/// let dept = ["内科", "外科"];
/// let cat = ["医师", "护士"];
/// let leave = [None, Some("产假")];
/// let roster = Roster::new(&ids, &dept, &cat).unwrap().with_exempt_reason(&leave).unwrap();
/// assert_eq!(roster.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct Roster<'a> {
    pub(crate) chunks: Vec<RosterChunk<'a>>,
}

#[derive(Clone, Debug)]
pub(crate) struct RosterChunk<'a> {
    pub(crate) len: usize,
    pub(crate) staff_id: StrCol<'a>,
    pub(crate) department: StrCol<'a>,
    pub(crate) category: StrCol<'a>,
    pub(crate) hospital_id: Option<StrCol<'a>>,
    pub(crate) employed_from: Option<DateCol<'a>>,
    pub(crate) employed_to: Option<DateCol<'a>>,
    pub(crate) exempt_reason: Option<StrCol<'a>>,
}

pub(crate) fn check_len(
    table: Table,
    column: &str,
    len: usize,
    expected: usize,
) -> Result<(), ExamError> {
    if len == expected {
        Ok(())
    } else {
        Err(ExamError::LengthMismatch {
            table,
            column: column.to_string(),
            len,
            expected,
        })
    }
}

pub(crate) fn single<T>(chunks: &mut [T], table: Table) -> Result<&mut T, ExamError> {
    match chunks {
        [one] => Ok(one),
        _ => Err(ExamError::Inconsistent(format!(
            "{table} table: add optional columns with `with_*` only to a table built from \
             slices (this one has {} record batches; name the columns in the batches instead)",
            chunks.len()
        ))),
    }
}

impl<'a> Roster<'a> {
    /// A roster from its three required columns (equal lengths).
    pub fn new(
        staff_id: impl Into<StrCol<'a>>,
        department: impl Into<StrCol<'a>>,
        category: impl Into<StrCol<'a>>,
    ) -> Result<Roster<'a>, ExamError> {
        let staff_id = staff_id.into();
        let department = department.into();
        let category = category.into();
        let len = staff_id.len();
        check_len(Table::Roster, "department", department.len(), len)?;
        check_len(Table::Roster, "category", category.len(), len)?;
        Ok(Roster {
            chunks: vec![RosterChunk {
                len,
                staff_id,
                department,
                category,
                hospital_id: None,
                employed_from: None,
                employed_to: None,
                exempt_reason: None,
            }],
        })
    }

    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    pub(crate) fn from_chunks(chunks: Vec<RosterChunk<'a>>) -> Roster<'a> {
        Roster { chunks }
    }

    /// Add the hospital of each staff member.
    pub fn with_hospital(mut self, hospital_id: impl Into<StrCol<'a>>) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Roster)?;
        let col = hospital_id.into();
        check_len(Table::Roster, "hospital_id", col.len(), c.len)?;
        c.hospital_id = Some(col);
        Ok(self)
    }

    /// Add employment dates (either may be null: open-ended).
    pub fn with_employment(
        mut self,
        employed_from: impl Into<DateCol<'a>>,
        employed_to: impl Into<DateCol<'a>>,
    ) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Roster)?;
        let from = employed_from.into();
        let to = employed_to.into();
        check_len(Table::Roster, "employed_from", from.len(), c.len)?;
        check_len(Table::Roster, "employed_to", to.len(), c.len)?;
        c.employed_from = Some(from);
        c.employed_to = Some(to);
        Ok(self)
    }

    /// Add a per-staff exemption reason (null = none), applying to every exam.
    pub fn with_exempt_reason(mut self, reason: impl Into<StrCol<'a>>) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Roster)?;
        let col = reason.into();
        check_len(Table::Roster, "exempt_reason", col.len(), c.len)?;
        c.exempt_reason = Some(col);
        Ok(self)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len).sum()
    }

    /// Whether the roster has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn has_hospital(&self) -> bool {
        self.chunks.iter().any(|c| c.hospital_id.is_some())
    }

    pub(crate) fn has_employment(&self) -> bool {
        self.chunks
            .iter()
            .any(|c| c.employed_from.is_some() || c.employed_to.is_some())
    }
}
