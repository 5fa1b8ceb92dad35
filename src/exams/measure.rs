//! The hook for rulebook scoring: exact figures from an exam evaluation, selected by data.
//!
//! A rulebook criterion can take its value from the exam engine. The criterion names a
//! [`ExamMeasure`] and a [`ExamFilter`]; both deserialize from TOML with snake_case names and
//! reject unknown fields. [`ExamSource`] bundles them in the shape a rulebook writes:
//!
//! ```toml
//! source = { exams = "participation_rate", categories = ["医师", "护士"] }
//! source = { exams = "judged_pass_rate", exam_kinds = ["三基理论"], departments = ["急诊科"] }
//! source = { exams = "absent" }
//! ```
//!
//! ```
//! use sanjia::exams::{ExamSource, ExamMeasure};
//! let s: ExamSource = toml::from_str(r#"exams = "participation_rate"
//! categories = ["医师", "护士"]"#).unwrap();
//! assert_eq!(s.exams, ExamMeasure::ParticipationRate);
//! assert_eq!(s.filter().categories, ["医师", "护士"]);
//! ```
//!
//! Rates are exact [`Quantity::Ratio`]s of counts (compare them with a
//! [`crate::ratio::Target`]); they are `None` when the denominator is 0 (nobody expected, or
//! nobody sat). Counts are [`Quantity::Decimal`]s and always present.

use super::evaluate::ExamEvaluation;
use super::names::Names;
use super::policy::PassDenominator;
use super::summary::Counts;
use crate::ratio::Quantity;
use rust_decimal::Decimal;
use serde::Deserialize;

/// A figure the exam engine can give a rulebook criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamMeasure {
    /// 参考率 = sat / expected.
    ParticipationRate,
    /// 一次合格率 = first_passed / sat (or / expected, per the policy's
    /// `pass_rate_denominator`).
    FirstPassRate,
    /// 最终合格率 = final_passed / sat (or / expected).
    FinalPassRate,
    /// The rate the policy judges (first or final, per exam kind) = judged_passed / sat (or /
    /// expected).
    JudgedPassRate,
    /// 应考 count.
    Expected,
    /// 实考 count.
    Sat,
    /// Absent count (expected − sat).
    Absent,
    /// Count of people taken out by an accepted exemption.
    Exempt,
    /// Count passing on the first attempt.
    FirstPassed,
    /// Count passing on the first attempt or a counted make-up.
    FinalPassed,
    /// Count passing by the judged rate.
    JudgedPassed,
    /// Count of people who sat a make-up.
    Makeups,
}

impl ExamMeasure {
    /// Whether the measure is a rate (else a count).
    pub fn is_rate(self) -> bool {
        matches!(
            self,
            ExamMeasure::ParticipationRate
                | ExamMeasure::FirstPassRate
                | ExamMeasure::FinalPassRate
                | ExamMeasure::JudgedPassRate
        )
    }

    /// The measure's value for some counts: a rate (`None` when its denominator is 0) or a
    /// count. `d` is the pass rates' denominator (the policy's `pass_rate_denominator`).
    pub fn of(self, c: &Counts, d: PassDenominator) -> Option<Quantity> {
        let n = |v: u64| Some(Quantity::Decimal(Decimal::from(v)));
        match self {
            ExamMeasure::ParticipationRate => c.participation_rate().quantity(),
            ExamMeasure::FirstPassRate => c.first_pass_rate(d).quantity(),
            ExamMeasure::FinalPassRate => c.final_pass_rate(d).quantity(),
            ExamMeasure::JudgedPassRate => c.judged_pass_rate(d).quantity(),
            ExamMeasure::Expected => n(c.expected),
            ExamMeasure::Sat => n(c.sat),
            ExamMeasure::Absent => n(c.absent),
            ExamMeasure::Exempt => n(c.exempt),
            ExamMeasure::FirstPassed => n(c.first_passed),
            ExamMeasure::FinalPassed => n(c.final_passed),
            ExamMeasure::JudgedPassed => n(c.judged_passed),
            ExamMeasure::Makeups => n(c.makeups),
        }
    }
}

/// Which (staff, exam) pairs a measure covers. Every list is "any of"; an empty list (or no
/// hospital) means all. Values are matched exactly (after trimming); a value that does not occur
/// in the data matches nothing (see [`ExamEvaluation::unknown_filter_values`] to catch typos).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamFilter {
    /// Only this hospital (the scorer sets it to the hospital being scored).
    #[serde(default)]
    pub hospital: Option<String>,
    /// Only these exams.
    #[serde(default)]
    pub exam_ids: Vec<String>,
    /// Only exams of these kinds.
    #[serde(default)]
    pub exam_kinds: Vec<String>,
    /// Only staff of these categories.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Only staff of these departments.
    #[serde(default)]
    pub departments: Vec<String>,
}

/// A rulebook's exam source: a measure and its filter in one table, e.g.
/// `{ exams = "participation_rate", categories = ["医师", "护士"] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamSource {
    /// The measure.
    pub exams: ExamMeasure,
    /// See [`ExamFilter::hospital`].
    #[serde(default)]
    pub hospital: Option<String>,
    /// See [`ExamFilter::exam_ids`].
    #[serde(default)]
    pub exam_ids: Vec<String>,
    /// See [`ExamFilter::exam_kinds`].
    #[serde(default)]
    pub exam_kinds: Vec<String>,
    /// See [`ExamFilter::categories`].
    #[serde(default)]
    pub categories: Vec<String>,
    /// See [`ExamFilter::departments`].
    #[serde(default)]
    pub departments: Vec<String>,
}

impl ExamSource {
    /// The filter part.
    pub fn filter(&self) -> ExamFilter {
        ExamFilter {
            hospital: self.hospital.clone(),
            exam_ids: self.exam_ids.clone(),
            exam_kinds: self.exam_kinds.clone(),
            categories: self.categories.clone(),
            departments: self.departments.clone(),
        }
    }

    /// The value from an evaluation (see [`ExamEvaluation::measure`]).
    pub fn value(&self, evaluation: &ExamEvaluation) -> Option<Quantity> {
        evaluation.measure(self.exams, &self.filter())
    }
}

/// Dense flags over a dictionary for a filter list; `None` = every value.
fn flags(list: &[String], dict: &Names) -> Option<Vec<bool>> {
    if list.is_empty() {
        return None;
    }
    let mut v = vec![false; dict.len()];
    for s in list {
        if let Some(i) = dict.find_sorted(s.trim()) {
            v[i as usize] = true;
        }
    }
    Some(v)
}

fn hit(f: &Option<Vec<bool>>, id: u32) -> bool {
    match f {
        None => true,
        Some(v) => v.get(id as usize).copied().unwrap_or(false),
    }
}

impl ExamEvaluation {
    /// The counts summed over the (staff, exam) pairs the filter selects.
    pub fn counts(&self, filter: &ExamFilter) -> Counts {
        let hosp = filter
            .hospital
            .as_ref()
            .map(|h| flags(std::slice::from_ref(h), &self.hospitals).unwrap_or_default());
        let exams = flags(&filter.exam_ids, &self.exams);
        let kinds = flags(&filter.exam_kinds, &self.kinds);
        let cats = flags(&filter.categories, &self.categories);
        let depts = flags(&filter.departments, &self.departments);
        let mut c = Counts::default();
        for cell in &self.cells {
            if hit(&hosp, cell.hospital)
                && hit(&exams, cell.exam)
                && hit(&kinds, self.exam_kind[cell.exam as usize])
                && hit(&cats, cell.category)
                && hit(&depts, cell.department)
            {
                c += cell.counts;
            }
        }
        c
    }

    /// The exact value of a measure over the filter's selection: a rate (`None` when its
    /// denominator is 0) or a count. This is the call the rulebook scorer makes.
    ///
    /// ```
    /// # use sanjia::exams::*;
    /// let (ids, dept, cat) = (["S1", "S2"], ["内科", "内科"], ["医师", "护士"]);
    /// let roster = Roster::new(&ids, &dept, &cat).unwrap();
    /// let (who, exam, score) = (["S1", "S2"], ["E1", "E1"], [Some(90.0), None]);
    /// let sittings = Sittings::new(&who, &exam).unwrap().with_score(&score).unwrap();
    /// let ev = evaluate(&ExamInput::new(roster, sittings), &Policy::builtin(), &EvalOptions::default()).unwrap();
    /// let all = ExamFilter::default();
    /// assert_eq!(ev.measure(ExamMeasure::ParticipationRate, &all).unwrap().to_string(), "1/2 (50%)");
    /// let doctors = ExamFilter { categories: vec!["医师".into()], ..Default::default() };
    /// assert_eq!(ev.measure(ExamMeasure::ParticipationRate, &doctors).unwrap().to_string(), "1/1 (100%)");
    /// ```
    pub fn measure(&self, measure: ExamMeasure, filter: &ExamFilter) -> Option<Quantity> {
        measure.of(&self.counts(filter), self.pass_denominator)
    }

    /// Filter values that occur nowhere in the evaluated data (`"category 医生"`, ...): a
    /// scorer can warn about them, since they silently select nothing.
    pub fn unknown_filter_values(&self, filter: &ExamFilter) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |what: &str, list: &[String], dict: &Names| {
            for s in list {
                if dict.find_sorted(s.trim()).is_none() {
                    out.push(format!("{what} {s:?}"));
                }
            }
        };
        if let Some(h) = &filter.hospital {
            check("hospital", std::slice::from_ref(h), &self.hospitals);
        }
        check("exam", &filter.exam_ids, &self.exams);
        check("exam kind", &filter.exam_kinds, &self.kinds);
        check("category", &filter.categories, &self.categories);
        check("department", &filter.departments, &self.departments);
        out
    }
}
