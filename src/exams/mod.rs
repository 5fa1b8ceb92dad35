//! Staff training and exam compliance (三基 考核): participation and pass rates.
//!
//! # Definitions (domain notes §2)
//!
//! For each exam and each staff member in its **scope** — the exams table's categories,
//! departments and hospital (all, without an exams table), employed on the exam date when the
//! roster has employment dates:
//!
//! * **应考 expected**: in scope, unless the person has an exemption whose reason the policy
//!   accepts *and* did not sit. Every exemption is kept with its reason and outcome
//!   ([`ExemptionRecord`]); a reason the policy does not list leaves the person expected.
//!   A person with an accepted exemption who sat anyway counts as expected and sat.
//! * **实考 sat**: expected, with at least one sitting whose score (or a component score) is not
//!   null. **absent** = expected − sat. **参考率** participation = sat / expected.
//! * **一次合格率** first-attempt pass rate = passed on attempt 1 / sat.
//! * **最终合格率** final pass rate = passed on attempt 1 or on a make-up (补考, attempt ≥ 2) / sat;
//!   with `makeup_counts = false` a make-up pass counts as a fail (final = first).
//! * **pass**: every component (theory, skill, ...) ≥ the pass mark (`components = "all"`),
//!   or the total / weighted total ≥ the pass mark (`components = "total"`); see
//!   [`ComponentRule`].
//! * **judged** rate: first or final, per the policy (per exam kind); `pass_met` compares it,
//!   and `participation_met` compares participation, with the policy's targets, exactly from
//!   counts ([`crate::ratio`]).
//!
//! # Use
//!
//! ```
//! use sanjia::exams::*;
//! let ids = ["S1", "S2", "S3"];
//! let dept = ["内科", "内科", "外科"];
//! let cat = ["医师", "护士", "医师"];
//! let roster = Roster::new(&ids, &dept, &cat).unwrap();
//! let who = ["S1", "S2", "S2", "S3"];
//! let exam = ["E1", "E1", "E1", "E1"];
//! let attempt = [1i64, 1, 2, 1];
//! let score = [Some(88.0), Some(52.0), Some(75.0), None];
//! let sittings = Sittings::new(&who, &exam).unwrap()
//!     .with_attempt(&attempt).unwrap()
//!     .with_score(&score).unwrap();
//! let ev = evaluate(&ExamInput::new(roster, sittings), &Policy::builtin(), &EvalOptions::default()).unwrap();
//! let s = ev.summary(&[GroupDim::Exam]);
//! let row = &s.rows[0];
//! assert_eq!((row.counts.expected, row.counts.sat, row.counts.absent), (3, 2, 1));
//! assert_eq!((row.counts.first_passed, row.counts.final_passed), (1, 2));
//! assert_eq!(row.participation_met, Some(false));
//! assert_eq!(ev.people_len(), 2); // S2 failed the first attempt (judged), S3 absent
//! ```
//!
//! Inputs are borrowed column views ([`StrCol`], [`NumCol`], [`DateCol`]) over plain slices or,
//! with the `arrow` feature, Arrow record batches (`Roster::from_arrow` and friends: Utf8,
//! LargeUtf8, Utf8View and dictionary strings; integer and float columns; Date32/Date64,
//! timestamps or `YYYY-MM-DD` strings for dates).
//!
//! Bad rows ([`RejectReason`]) fail a strict evaluation with every row counted and the first
//! ones named; lenient mode ([`EvalOptions::lenient`]) leaves them out and lists them, with
//! [`RowAccounting`] adding up.
//!
//! Rulebook criteria take their values through [`ExamEvaluation::measure`] ([`ExamSource`])
//! and [`TrainingEvaluation::measure`] ([`TrainingSource`]).

mod column;
mod date;
mod error;
mod evaluate;
mod exam_table;
mod exemptions;
mod idtable;
mod measure;
mod names;
mod people;
mod per_exam;
mod policy;
mod prepare;
mod resolve;
mod roster;
mod sittings;
mod summary;
mod threshold;
pub mod training;

#[cfg(feature = "arrow")]
mod arrow;
#[cfg(feature = "arrow")]
mod arrow_output;
#[cfg(feature = "arrow")]
pub use arrow_output::rejections_batch;

pub use column::{DateCol, NumCol, StrCol};
pub use date::{Date, DateError, Period, PeriodId};
pub use error::{
    ExamError, NotExpectedWhy, PolicyError, RejectReason, Rejection, RowCount, Table,
    SHOWN_REJECTIONS,
};
pub use evaluate::{evaluate, EvalOptions, ExamEvaluation, ExamInput, RowAccounting};
pub use exam_table::Exams;
pub use exemptions::Exemptions;
pub use measure::{ExamFilter, ExamMeasure, ExamSource};
pub use people::{ExemptionOutcome, ExemptionRecord, ExemptionSource, PersonIssue, Problem};
pub use policy::{
    ComponentRule, ExamRule, Judge, PassDenominator, Policy, RuleOverride, DEFAULT_POLICY_TOML,
};
pub use roster::Roster;
pub use sittings::Sittings;
pub use summary::{Counts, GroupDim, GroupRow, Rate, Summary};
pub use training::{
    evaluate_training, RequirementCheck, Sessions, TrainingCount, TrainingEvaluation,
    TrainingFilter, TrainingMeasure, TrainingOptions, TrainingPolicy, TrainingRequirement,
    TrainingSession, TrainingSource,
};
