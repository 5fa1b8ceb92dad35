//! Exam sittings: one row per staff member, exam and attempt.
//!
//! Columns (Arrow names): `staff_id`, `exam_id`, `attempt` (1 = first sitting, 2 and up =
//! make-up / 补考; if the column is absent every row is a first attempt), `score` (the total;
//! null = absent from that sitting), named component score columns (e.g. `theory`, `skill`;
//! chosen by the caller), optional `session_id` (the 场, reported with failures).
//!
//! A sitting counts as sat when its score or any of its component scores is not null. Scores
//! must lie in `[0, full mark]`.

use super::column::{NumCol, StrCol};
use super::error::{ExamError, Table};
use super::roster::{check_len, single};

/// Exam sittings, borrowed column-wise.
///
/// ```
/// use sanjia::exams::Sittings;
/// let staff = ["S1", "S1", "S2"];
/// let exam = ["E1", "E1", "E1"];
/// let attempt = [1i64, 2, 1];
/// let score = [Some(55.0), Some(71.0), None];
/// let s = Sittings::new(&staff, &exam).unwrap()
///     .with_attempt(&attempt).unwrap()
///     .with_score(&score).unwrap();
/// assert_eq!(s.len(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct Sittings<'a> {
    pub(crate) chunks: Vec<SittingsChunk<'a>>,
    pub(crate) component_names: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct SittingsChunk<'a> {
    pub(crate) len: usize,
    pub(crate) staff_id: StrCol<'a>,
    pub(crate) exam_id: StrCol<'a>,
    pub(crate) attempt: Option<NumCol<'a>>,
    pub(crate) score: Option<NumCol<'a>>,
    pub(crate) components: Vec<NumCol<'a>>,
    pub(crate) session_id: Option<StrCol<'a>>,
}

impl<'a> Sittings<'a> {
    /// Sittings from staff and exam ids; add attempts, scores, components and sessions with the
    /// `with_*` methods. At least a score or one component is needed to evaluate.
    pub fn new(
        staff_id: impl Into<StrCol<'a>>,
        exam_id: impl Into<StrCol<'a>>,
    ) -> Result<Sittings<'a>, ExamError> {
        let staff_id = staff_id.into();
        let exam_id = exam_id.into();
        let len = staff_id.len();
        check_len(Table::Sittings, "exam_id", exam_id.len(), len)?;
        Ok(Sittings {
            chunks: vec![SittingsChunk {
                len,
                staff_id,
                exam_id,
                attempt: None,
                score: None,
                components: Vec::new(),
                session_id: None,
            }],
            component_names: Vec::new(),
        })
    }

    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    pub(crate) fn from_chunks(
        chunks: Vec<SittingsChunk<'a>>,
        component_names: Vec<String>,
    ) -> Sittings<'a> {
        Sittings {
            chunks,
            component_names,
        }
    }

    /// Add the attempt numbers (1 = first, 2+ = make-up).
    pub fn with_attempt(mut self, attempt: impl Into<NumCol<'a>>) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Sittings)?;
        let col = attempt.into();
        check_len(Table::Sittings, "attempt", col.len(), c.len)?;
        c.attempt = Some(col);
        Ok(self)
    }

    /// Add the total scores (null = absent).
    pub fn with_score(mut self, score: impl Into<NumCol<'a>>) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Sittings)?;
        let col = score.into();
        check_len(Table::Sittings, "score", col.len(), c.len)?;
        c.score = Some(col);
        Ok(self)
    }

    /// Add a named component score column (e.g. `theory`, `skill`).
    pub fn with_component(
        mut self,
        name: &str,
        scores: impl Into<NumCol<'a>>,
    ) -> Result<Self, ExamError> {
        if self.component_names.iter().any(|n| n == name) || name == "score" {
            return Err(ExamError::Inconsistent(format!(
                "sittings table: component `{name}` is given twice"
            )));
        }
        let c = single(&mut self.chunks, Table::Sittings)?;
        let col = scores.into();
        check_len(Table::Sittings, name, col.len(), c.len)?;
        c.components.push(col);
        self.component_names.push(name.to_string());
        Ok(self)
    }

    /// Add the session (场) of each sitting.
    pub fn with_session(mut self, session_id: impl Into<StrCol<'a>>) -> Result<Self, ExamError> {
        let c = single(&mut self.chunks, Table::Sittings)?;
        let col = session_id.into();
        check_len(Table::Sittings, "session_id", col.len(), c.len)?;
        c.session_id = Some(col);
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

    /// The component column names, in order.
    pub fn component_names(&self) -> &[String] {
        &self.component_names
    }

    pub(crate) fn has_score(&self) -> bool {
        self.chunks.iter().any(|c| c.score.is_some())
    }

    /// The first global row of each chunk.
    pub(crate) fn chunk_starts(&self) -> Vec<usize> {
        let mut v = Vec::with_capacity(self.chunks.len());
        let mut start = 0;
        for c in &self.chunks {
            v.push(start);
            start += c.len;
        }
        v
    }

    /// The chunk holding global row `row` and the row within it (`starts` from
    /// [`Sittings::chunk_starts`]).
    pub(crate) fn locate(
        &self,
        starts: &[usize],
        row: usize,
    ) -> Option<(&SittingsChunk<'a>, usize)> {
        let k = starts.partition_point(|s| *s <= row).checked_sub(1)?;
        let c = self.chunks.get(k)?;
        let i = row - starts[k];
        (i < c.len).then_some((c, i))
    }

    pub(crate) fn has_session(&self) -> bool {
        self.chunks.iter().any(|c| c.session_id.is_some())
    }
}
