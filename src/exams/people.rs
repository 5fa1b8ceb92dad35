//! The people behind the gaps, and the exemption audit list.

use std::fmt;

/// What is wrong for a person at an exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Problem {
    /// Expected, no scored sitting, and no accepted exemption.
    Absent,
    /// Sat, but did not pass by the rate the policy judges for this exam (first attempt, or
    /// final with make-ups when they count).
    Failed,
}

impl Problem {
    /// `absent` or `failed`.
    pub fn name(self) -> &'static str {
        match self {
            Problem::Absent => "absent",
            Problem::Failed => "failed",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A person expected at an exam who was absent or failed (a view into the evaluation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonIssue<'e> {
    /// The staff member.
    pub staff_id: &'e str,
    /// The exam.
    pub exam_id: &'e str,
    /// The exam's kind, if known.
    pub exam_kind: Option<&'e str>,
    /// The staff member's hospital, if the roster has one.
    pub hospital_id: Option<&'e str>,
    /// The staff member's department.
    pub department: &'e str,
    /// The staff member's category.
    pub category: &'e str,
    /// Absent or failed.
    pub problem: Problem,
    /// For an absent person: the exemption reasons on record that the policy does not accept
    /// (joined with `; `), if any.
    pub unaccepted_reason: Option<&'e str>,
    /// Number of scored sittings (first attempt and make-ups).
    pub sittings: u32,
    /// Passed on the first attempt.
    pub first_passed: bool,
    /// Passed on the first attempt or (when make-ups count) a make-up.
    pub final_passed: bool,
    /// The session (场) of the person's last sitting row, if the sittings name sessions.
    pub session_id: Option<&'e str>,
}

/// Where an exemption is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExemptionSource {
    /// The roster's `exempt_reason` column (applies to every exam).
    Roster,
    /// A row of the exemptions table.
    Table {
        /// The row.
        row: usize,
    },
}

/// What an exemption did for a person at an exam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExemptionOutcome {
    /// The person did not sit and an accepted exemption took them out of the denominator.
    Excluded,
    /// The person did not sit and no exemption on record is accepted: counted absent.
    CountedAbsent,
    /// The person sat anyway and is counted as expected and sat.
    SatAnyway,
    /// The exemptions-table row names an exam the person is not expected at.
    NotExpected,
}

impl ExemptionOutcome {
    /// `excluded`, `counted_absent`, `sat_anyway` or `not_expected`.
    pub fn name(self) -> &'static str {
        match self {
            ExemptionOutcome::Excluded => "excluded",
            ExemptionOutcome::CountedAbsent => "counted_absent",
            ExemptionOutcome::SatAnyway => "sat_anyway",
            ExemptionOutcome::NotExpected => "not_expected",
        }
    }
}

/// One exemption on record for one person at one exam, kept for audit with its reason,
/// whether the policy accepts it, and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExemptionRecord {
    /// The staff member.
    pub staff_id: String,
    /// The exam.
    pub exam_id: String,
    /// The reason as recorded.
    pub reason: String,
    /// Whether the policy lists the reason.
    pub accepted: bool,
    /// Where the exemption is recorded.
    pub source: ExemptionSource,
    /// What it did.
    pub outcome: ExemptionOutcome,
}
