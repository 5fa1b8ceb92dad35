//! Staff exam and training records: criteria that take their value from them.
//!
//! A rulebook indicator may say `from = { exams = "participation_rate", categories = ["医师"] }`
//! or `from = { training = "compliance_rate" }`. Its value then comes from the 三基 exam or
//! training records, evaluated once (for one hospital or a whole province) with the rulebook's
//! `[exams]` / `[training]` policies, and filtered to the hospital being scored. One `score`
//! call over a hospital's evidence plus its records produces the grade.
//!
//! ```
//! use sanjia::evidence::Records;
//! use sanjia::exams::{EvalOptions, ExamInput, Roster, Sittings};
//!
//! let rb = sanjia::Rulebook::builtin("demo")?;
//! let roster = Roster::new(&["s1", "s2"], &["急诊科", "急诊科"], &["医师", "护士"]).unwrap();
//! let sittings = Sittings::new(&["s1", "s2"], &["e1", "e1"])
//!     .unwrap()
//!     .with_score(&[88.0, 59.0])
//!     .unwrap();
//! let records = Records::default()
//!     .with_exams(&rb, &ExamInput::new(roster, sittings), &EvalOptions::default())
//!     .unwrap();
//! assert!(records.exams.is_some());
//! # Ok::<(), sanjia::Error>(())
//! ```

use super::{Answer, EvidenceError, EvidenceProblem, Obs, Sheet};
use crate::exams::{
    evaluate, evaluate_training, EvalOptions, ExamError, ExamEvaluation, ExamInput, Sessions,
    TrainingEvaluation, TrainingOptions,
};
use crate::ratio::Quantity;
use crate::rulebook::compile::{Derived, Rule};
use crate::Rulebook;

/// Evaluated staff records for one hospital or many.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// The 三基 exam evaluation, if exam records were given.
    pub exams: Option<ExamEvaluation>,
    /// The training evaluation, if training records were given.
    pub training: Option<TrainingEvaluation>,
}

impl Records {
    /// Evaluate exam records with the rulebook's exam policy.
    pub fn with_exams(
        mut self,
        rb: &Rulebook,
        input: &ExamInput<'_>,
        options: &EvalOptions,
    ) -> Result<Records, ExamError> {
        self.exams = Some(evaluate(input, rb.exam_policy(), options)?);
        Ok(self)
    }

    /// Evaluate training records with the rulebook's training minimums.
    pub fn with_training(
        mut self,
        rb: &Rulebook,
        sessions: &Sessions<'_>,
        options: &TrainingOptions,
    ) -> Result<Records, ExamError> {
        self.training = Some(evaluate_training(sessions, rb.training_policy(), options)?);
        Ok(self)
    }

    /// Whether no records were given.
    pub fn is_empty(&self) -> bool {
        self.exams.is_none() && self.training.is_none()
    }

    /// Put the values of the criteria that take theirs from records into a checked sheet.
    ///
    /// A criterion whose records were given must not also have a value in the evidence (that
    /// is an error naming it); a criterion whose records were not given keeps the evidence's
    /// value, so a hospital may type its rates directly. When the records hold nobody in the
    /// criterion's scope for this hospital, the criterion has no value and the rulebook's
    /// missing-evidence policy applies (the report says why).
    pub fn apply(&self, rb: &Rulebook, sheet: &mut Sheet) -> Result<(), EvidenceError> {
        if self.is_empty() {
            return Ok(());
        }
        let mut problems = Vec::new();
        for &i in rb.evidence_nodes() {
            let node = &rb.nodes()[i as usize];
            let Rule::Indicator(rule) = &node.rule else {
                continue;
            };
            let Some(from) = &rule.from else { continue };
            let value = match from {
                Derived::Exams(src) => {
                    let Some(ev) = &self.exams else { continue };
                    let mut f = src.filter();
                    if f.hospital.is_none() && ev.hospitals.len() > 0 {
                        f.hospital = Some(sheet.hospital.clone());
                    }
                    ev.measure(src.exams, &f)
                }
                Derived::Training(src) => {
                    let Some(tr) = &self.training else { continue };
                    let mut f = src.filter();
                    if f.hospital.is_none() && tr.sessions.iter().any(|s| s.hospital_id.is_some()) {
                        f.hospital = Some(sheet.hospital.clone());
                    }
                    tr.measure(src.training, &f)
                }
            };
            if sheet.answers[i as usize] != Answer::None {
                problems.push(EvidenceProblem {
                    row: None,
                    path: None,
                    criterion: Some(node.id.clone()),
                    message: "takes its value from the staff records given; remove it from the \
                              evidence (or score without the records)"
                        .into(),
                });
                continue;
            }
            match value {
                None => sheet.skipped.push((
                    i,
                    String::new(),
                    "nobody in the records' scope for this hospital".into(),
                )),
                Some(q) => {
                    let q = match q {
                        Quantity::Ratio { num, den } => Quantity::Ratio {
                            num: num * rule.scale,
                            den,
                        },
                        d => d,
                    };
                    let period = match sheet.periods.iter().position(|p| p.is_empty()) {
                        Some(p) => p as u32,
                        None => {
                            sheet.periods.push(String::new());
                            (sheet.periods.len() - 1) as u32
                        }
                    };
                    let start = sheet.obs.len() as u32;
                    sheet.obs.push(Obs { period, value: q });
                    sheet.answers[i as usize] = Answer::Series(start, 1);
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(EvidenceError {
                hospital: Some(sheet.hospital.clone()),
                file: None,
                problems,
                more: 0,
            })
        }
    }
}
