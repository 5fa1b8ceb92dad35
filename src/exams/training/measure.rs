//! The hook for rulebook scoring: figures from a training evaluation.
//!
//! ```toml
//! source = { training = "short_cells", requirements = ["drills-half-year"] }
//! source = { training = "sessions", kinds = ["应急演练"], from = "2024-01-01", to = "2024-12-31" }
//! source = { training = "compliance_rate", departments = ["急诊科"] }
//! ```

use super::evaluate::TrainingEvaluation;
use crate::exams::date::Date;
use crate::ratio::Quantity;
use rust_decimal::Decimal;
use serde::Deserialize;

/// A figure the training engine can give a rulebook criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingMeasure {
    /// Number of sessions (filter: hospital, kinds, departments, from/to).
    Sessions,
    /// Sum of known attendee counts of those sessions.
    Attendees,
    /// Number of requirement checks (requirement × hospital × department × period; filter:
    /// hospital, requirements, departments, periods overlapping from/to).
    CheckedCells,
    /// Number of those checks that meet their minimum.
    MetCells,
    /// Number of those checks that fall short.
    ShortCells,
    /// met / checked, exact (`None` when nothing is checked).
    ComplianceRate,
}

/// Which sessions or checks a training measure covers; empty lists (and no hospital / dates)
/// mean all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingFilter {
    /// Only this hospital.
    #[serde(default)]
    pub hospital: Option<String>,
    /// Only these session kinds (session measures).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Only these departments (a hospital-wide session matches only when this is empty).
    #[serde(default)]
    pub departments: Vec<String>,
    /// Only these requirements (check measures).
    #[serde(default)]
    pub requirements: Vec<String>,
    /// From this date (`"YYYY-MM-DD"`, inclusive): sessions on or after it, checks whose period
    /// ends on or after it.
    #[serde(default)]
    pub from: Option<Date>,
    /// To this date (inclusive): sessions on or before it, checks whose period starts on or
    /// before it.
    #[serde(default)]
    pub to: Option<Date>,
}

/// A rulebook's training source: `{ training = "short_cells", requirements = [...] }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSource {
    /// The measure.
    pub training: TrainingMeasure,
    /// See [`TrainingFilter::hospital`].
    #[serde(default)]
    pub hospital: Option<String>,
    /// See [`TrainingFilter::kinds`].
    #[serde(default)]
    pub kinds: Vec<String>,
    /// See [`TrainingFilter::departments`].
    #[serde(default)]
    pub departments: Vec<String>,
    /// See [`TrainingFilter::requirements`].
    #[serde(default)]
    pub requirements: Vec<String>,
    /// See [`TrainingFilter::from`].
    #[serde(default)]
    pub from: Option<Date>,
    /// See [`TrainingFilter::to`].
    #[serde(default)]
    pub to: Option<Date>,
}

impl TrainingSource {
    /// The filter part.
    pub fn filter(&self) -> TrainingFilter {
        TrainingFilter {
            hospital: self.hospital.clone(),
            kinds: self.kinds.clone(),
            departments: self.departments.clone(),
            requirements: self.requirements.clone(),
            from: self.from,
            to: self.to,
        }
    }

    /// The value from an evaluation (see [`TrainingEvaluation::measure`]).
    pub fn value(&self, evaluation: &TrainingEvaluation) -> Option<Quantity> {
        evaluation.measure(self.training, &self.filter())
    }
}

fn any_of(list: &[String], v: &str) -> bool {
    list.is_empty() || list.iter().any(|s| s.trim() == v)
}

impl TrainingEvaluation {
    /// The exact value of a measure over the filter's selection: counts are always present;
    /// the compliance rate is `None` when no check is selected.
    pub fn measure(&self, measure: TrainingMeasure, filter: &TrainingFilter) -> Option<Quantity> {
        let hosp_ok = |h: &Option<String>| match &filter.hospital {
            None => true,
            Some(want) => h.as_deref() == Some(want.trim()),
        };
        let count = |n: u64| Some(Quantity::Decimal(Decimal::from(n)));
        match measure {
            TrainingMeasure::Sessions | TrainingMeasure::Attendees => {
                let mut n = 0u64;
                let mut a = 0u64;
                for s in &self.sessions {
                    let dept_ok = match &s.department {
                        Some(d) => any_of(&filter.departments, d),
                        None => filter.departments.is_empty(),
                    };
                    if hosp_ok(&s.hospital_id)
                        && any_of(&filter.kinds, &s.kind)
                        && dept_ok
                        && filter.from.is_none_or(|f| s.date >= f)
                        && filter.to.is_none_or(|t| s.date <= t)
                    {
                        n += 1;
                        a += s.attendees.unwrap_or(0);
                    }
                }
                count(if measure == TrainingMeasure::Sessions {
                    n
                } else {
                    a
                })
            }
            _ => {
                let mut checked = 0u64;
                let mut met = 0u64;
                for c in &self.checks {
                    if hosp_ok(&c.hospital_id)
                        && any_of(&filter.requirements, &c.requirement)
                        && any_of(&filter.departments, &c.department)
                        && filter.from.is_none_or(|f| c.period.end() >= f)
                        && filter.to.is_none_or(|t| c.period.start() <= t)
                    {
                        checked += 1;
                        met += c.met as u64;
                    }
                }
                match measure {
                    TrainingMeasure::CheckedCells => count(checked),
                    TrainingMeasure::MetCells => count(met),
                    TrainingMeasure::ShortCells => count(checked - met),
                    _ => Quantity::ratio_of_counts(met, checked),
                }
            }
        }
    }
}
