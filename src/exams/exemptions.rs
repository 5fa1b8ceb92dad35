//! Per-exam exemptions: `staff_id`, `exam_id` (null = every exam), `reason`.
//!
//! An exemption takes the person out of the exam's denominator (应考) only when the policy
//! accepts its reason; every exemption is kept, with its reason and effect, in the result's
//! audit list ([`crate::exams::ExemptionRecord`]).

use super::column::StrCol;
use super::error::{ExamError, Table};
use super::roster::check_len;

/// Exemptions of staff from exams, borrowed column-wise.
///
/// ```
/// use sanjia::exams::Exemptions;
/// let staff = ["S1"];
/// let exam = [Some("E1")];
/// let reason = ["外出进修"];
/// let ex = Exemptions::new(&staff, &exam, &reason).unwrap();
/// assert_eq!(ex.len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct Exemptions<'a> {
    pub(crate) chunks: Vec<ExemptionsChunk<'a>>,
}

#[derive(Clone, Debug)]
pub(crate) struct ExemptionsChunk<'a> {
    pub(crate) len: usize,
    pub(crate) staff_id: StrCol<'a>,
    pub(crate) exam_id: StrCol<'a>,
    pub(crate) reason: StrCol<'a>,
}

impl<'a> Exemptions<'a> {
    /// Exemptions from their three columns (equal lengths). A null `exam_id` exempts from every
    /// exam.
    pub fn new(
        staff_id: impl Into<StrCol<'a>>,
        exam_id: impl Into<StrCol<'a>>,
        reason: impl Into<StrCol<'a>>,
    ) -> Result<Exemptions<'a>, ExamError> {
        let staff_id = staff_id.into();
        let exam_id = exam_id.into();
        let reason = reason.into();
        let len = staff_id.len();
        check_len(Table::Exemptions, "exam_id", exam_id.len(), len)?;
        check_len(Table::Exemptions, "reason", reason.len(), len)?;
        Ok(Exemptions {
            chunks: vec![ExemptionsChunk {
                len,
                staff_id,
                exam_id,
                reason,
            }],
        })
    }

    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    pub(crate) fn from_chunks(chunks: Vec<ExemptionsChunk<'a>>) -> Exemptions<'a> {
        Exemptions { chunks }
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
