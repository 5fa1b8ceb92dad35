//! The training sessions and drills table.

use crate::exams::column::{DateCol, NumCol, StrCol};
use crate::exams::error::{ExamError, Table};
use crate::exams::roster::{check_len, single};

/// Training sessions and drills, borrowed column-wise: one row per session. `session_id` is
/// unique within a hospital.
///
/// ```
/// use sanjia::exams::{Date, Sessions};
/// let ids = ["T1", "D1"];
/// let kinds = ["培训", "应急演练"];
/// let dates = ["2024-03-05", "2024-05-20"];
/// let depts = [Some("急诊科"), None]; // None: hospital-wide
/// let s = Sessions::new(&ids, &kinds, sanjia::exams::DateCol::parse(&dates), &depts).unwrap();
/// assert_eq!(s.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct Sessions<'a> {
    pub(crate) chunks: Vec<SessionsChunk<'a>>,
}

#[derive(Clone, Debug)]
pub(crate) struct SessionsChunk<'a> {
    pub(crate) len: usize,
    pub(crate) session_id: StrCol<'a>,
    pub(crate) kind: StrCol<'a>,
    pub(crate) date: DateCol<'a>,
    pub(crate) department: Option<StrCol<'a>>,
    pub(crate) hospital_id: Option<StrCol<'a>>,
    pub(crate) attendees: Option<NumCol<'a>>,
}

impl<'a> Sessions<'a> {
    /// Sessions from ids, kinds, dates and departments (null department = hospital-wide).
    pub fn new(
        session_id: impl Into<StrCol<'a>>,
        kind: impl Into<StrCol<'a>>,
        date: impl Into<DateCol<'a>>,
        department: impl Into<StrCol<'a>>,
    ) -> Result<Sessions<'a>, ExamError> {
        let session_id = session_id.into();
        let kind = kind.into();
        let date = date.into();
        let department = department.into();
        let len = session_id.len();
        check_len(Table::Sessions, "kind", kind.len(), len)?;
        check_len(Table::Sessions, "date", date.len(), len)?;
        check_len(Table::Sessions, "department", department.len(), len)?;
        Ok(Sessions {
            chunks: vec![SessionsChunk {
                len,
                session_id,
                kind,
                date,
                department: Some(department),
                hospital_id: None,
                attendees: None,
            }],
        })
    }

    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    pub(crate) fn from_chunks(chunks: Vec<SessionsChunk<'a>>) -> Sessions<'a> {
        Sessions { chunks }
    }

    /// Add the hospital of each session.
    pub fn with_hospital(mut self, hospital_id: impl Into<StrCol<'a>>) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Sessions)?;
        let col = hospital_id.into();
        check_len(Table::Sessions, "hospital_id", col.len(), c.len)?;
        c.hospital_id = Some(col);
        Ok(self)
    }

    /// Add attendee counts (null = unknown).
    pub fn with_attendees(mut self, attendees: impl Into<NumCol<'a>>) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Sessions)?;
        let col = attendees.into();
        check_len(Table::Sessions, "attendees", col.len(), c.len)?;
        c.attendees = Some(col);
        Ok(self)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len).sum()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
