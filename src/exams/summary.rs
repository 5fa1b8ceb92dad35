//! Counts, exact rates and the grouped summary table.

use super::evaluate::{Cell, ExamEvaluation};
use super::policy::PassDenominator;
use super::prepare::NONE;
use crate::ratio::{Quantity, Target};
use rayon::prelude::*;
use serde::Deserialize;
use std::fmt;
use std::ops::AddAssign;
use std::str::FromStr;

/// People counts for a group of (staff, exam) pairs. Every count is of people at an exam, not
/// of sittings: a person who sat a first attempt and a make-up counts once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    /// 应考: staff in the exam's scope, minus those with an accepted exemption who did not sit.
    pub expected: u64,
    /// 实考: expected staff with at least one scored sitting.
    pub sat: u64,
    /// Expected staff who did not sit (`expected - sat`).
    pub absent: u64,
    /// Staff in scope taken out of the denominator by an accepted exemption (not in
    /// `expected`).
    pub exempt: u64,
    /// Staff who passed on their first attempt.
    pub first_passed: u64,
    /// Staff who passed on the first attempt or, when make-ups count, on a make-up.
    pub final_passed: u64,
    /// Staff who passed by the rate the policy judges for their exam's kind (`first_passed`
    /// or `final_passed`, chosen per exam).
    pub judged_passed: u64,
    /// Staff who sat at least one make-up (attempt 2 or more, scored).
    pub makeups: u64,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.expected += o.expected;
        self.sat += o.sat;
        self.absent += o.absent;
        self.exempt += o.exempt;
        self.first_passed += o.first_passed;
        self.final_passed += o.final_passed;
        self.judged_passed += o.judged_passed;
        self.makeups += o.makeups;
    }
}

impl Counts {
    /// 参考率 = sat / expected.
    pub fn participation_rate(&self) -> Rate {
        Rate::new(self.sat, self.expected)
    }
    /// The pass rates' denominator: `sat`, or `expected` if the policy says so.
    pub fn pass_denominator(&self, d: PassDenominator) -> u64 {
        match d {
            PassDenominator::Sat => self.sat,
            PassDenominator::Expected => self.expected,
        }
    }
    /// 一次合格率 = first_passed / sat (or / expected).
    pub fn first_pass_rate(&self, d: PassDenominator) -> Rate {
        Rate::new(self.first_passed, self.pass_denominator(d))
    }
    /// 最终合格率 = final_passed / sat (or / expected).
    pub fn final_pass_rate(&self, d: PassDenominator) -> Rate {
        Rate::new(self.final_passed, self.pass_denominator(d))
    }
    /// The judged pass rate = judged_passed / sat (or / expected).
    pub fn judged_pass_rate(&self, d: PassDenominator) -> Rate {
        Rate::new(self.judged_passed, self.pass_denominator(d))
    }
}

/// An exact rate from counts: `num / den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Numerator.
    pub num: u64,
    /// Denominator.
    pub den: u64,
}

impl Rate {
    /// `num / den`.
    pub fn new(num: u64, den: u64) -> Rate {
        Rate { num, den }
    }

    /// The exact ratio; `None` when the denominator is 0.
    pub fn quantity(&self) -> Option<Quantity> {
        Quantity::ratio_of_counts(self.num, self.den)
    }

    /// The rate as a float, for display only; `None` when the denominator is 0.
    pub fn to_f64(&self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 / self.den as f64)
    }

    /// Whether the rate meets the target, exactly; `None` when the denominator is 0.
    pub fn meets(&self, target: &Target) -> Option<bool> {
        if self.den == 0 {
            return None;
        }
        // Integer fast path (summaries decide this for hundreds of thousands of groups):
        // num / den against m / 10^s is num * 10^s against m * den, exactly, in u128.
        let (m, scale) = (target.value.mantissa(), target.value.scale());
        if let (Ok(m), Some(p)) = (u128::try_from(m), 10u128.checked_pow(scale)) {
            if let (Some(lhs), Some(rhs)) = (
                (self.num as u128).checked_mul(p),
                m.checked_mul(self.den as u128),
            ) {
                return Some(target.op.holds(lhs.cmp(&rhs)));
            }
        }
        self.quantity().map(|q| target.holds(&q))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.quantity() {
            Some(q) => write!(f, "{q}"),
            None => write!(f, "{}/{} (undefined)", self.num, self.den),
        }
    }
}

/// A grouping dimension of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupDim {
    /// The staff member's hospital (`hospital_id`).
    Hospital,
    /// The exam (`exam_id`).
    Exam,
    /// The exam's kind (`kind` in the exams table).
    ExamKind,
    /// The staff member's department.
    Department,
    /// The staff member's category.
    Category,
}

impl GroupDim {
    /// The output column name: `hospital_id`, `exam_id`, `exam_kind`, `department`,
    /// `category`.
    pub fn column(self) -> &'static str {
        match self {
            GroupDim::Hospital => "hospital_id",
            GroupDim::Exam => "exam_id",
            GroupDim::ExamKind => "exam_kind",
            GroupDim::Department => "department",
            GroupDim::Category => "category",
        }
    }
}

impl FromStr for GroupDim {
    type Err = String;
    /// Accepts the column names and the short names: `hospital_id`/`hospital`,
    /// `exam_id`/`exam`, `exam_kind`/`kind`, `department`, `category`.
    fn from_str(s: &str) -> Result<GroupDim, String> {
        match s.trim() {
            "hospital_id" | "hospital" => Ok(GroupDim::Hospital),
            "exam_id" | "exam" => Ok(GroupDim::Exam),
            "exam_kind" | "kind" => Ok(GroupDim::ExamKind),
            "department" => Ok(GroupDim::Department),
            "category" => Ok(GroupDim::Category),
            other => Err(format!(
                "cannot group by {other:?}: use hospital_id, exam_id, exam_kind, department or \
                 category"
            )),
        }
    }
}

/// One row of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    /// The group's key, one value per grouping dimension (in the summary's `by` order);
    /// `None` where the value is missing (no hospital column, an exam without a kind).
    pub key: Vec<Option<String>>,
    /// The counts.
    pub counts: Counts,
    /// 参考率 = sat / expected.
    pub participation_rate: Rate,
    /// 一次合格率 = first_passed / sat (or / expected, per the policy).
    pub first_pass_rate: Rate,
    /// 最终合格率 = final_passed / sat (or / expected).
    pub final_pass_rate: Rate,
    /// The judged pass rate = judged_passed / sat (or / expected).
    pub judged_pass_rate: Rate,
    /// Participation meets the policy's target (exactly); `None` when nobody is expected.
    pub participation_met: Option<bool>,
    /// The judged pass rate meets the policy's target (exactly); `None` when its denominator
    /// is 0.
    pub pass_met: Option<bool>,
}

impl GroupRow {
    pub(crate) fn new(key: Vec<Option<String>>, counts: Counts, ev: &ExamEvaluation) -> GroupRow {
        let d = ev.pass_denominator;
        let participation_rate = counts.participation_rate();
        let judged_pass_rate = counts.judged_pass_rate(d);
        GroupRow {
            key,
            counts,
            participation_rate,
            first_pass_rate: counts.first_pass_rate(d),
            final_pass_rate: counts.final_pass_rate(d),
            judged_pass_rate,
            participation_met: participation_rate.meets(&ev.participation_target),
            pass_met: judged_pass_rate.meets(&ev.pass_target),
        }
    }
}

/// The summary table: one row per group, ordered by the key (each value in string order,
/// missing values last).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The grouping dimensions, in order.
    pub by: Vec<GroupDim>,
    /// The rows.
    pub rows: Vec<GroupRow>,
}

impl ExamEvaluation {
    /// The summary grouped by `by` (any subset of the dimensions, in the caller's order; an
    /// empty `by` gives one row with the totals). Dimensions repeated in `by` are kept once.
    pub fn summary(&self, by: &[GroupDim]) -> Summary {
        let (dims, groups) = self.grouped(by);
        let rows = groups
            .into_iter()
            .map(|(k, c)| {
                let key = dims
                    .iter()
                    .zip(k)
                    .map(|(d, id)| self.name(*d, id).map(str::to_string))
                    .collect();
                GroupRow::new(key, c, self)
            })
            .collect();
        Summary { by: dims, rows }
    }

    /// The distinct dimensions of `by` and the groups' id keys (in `by` order) with their
    /// counts, sorted by key. (The cells' keys are sorted rather than hashed: at province
    /// scale there are hundreds of thousands of groups, and a sorted list of (key, cell) pairs
    /// takes a fraction of a hash map's memory.)
    pub(crate) fn grouped(&self, by: &[GroupDim]) -> (Vec<GroupDim>, Vec<([u32; 5], Counts)>) {
        let mut dims: Vec<GroupDim> = Vec::with_capacity(by.len());
        for d in by {
            if !dims.contains(d) {
                dims.push(*d);
            }
        }
        let key_of = |cell: &Cell| {
            let mut key = [NONE; 5];
            for (slot, d) in key.iter_mut().zip(&dims) {
                *slot = match d {
                    GroupDim::Hospital => cell.hospital,
                    GroupDim::Exam => cell.exam,
                    GroupDim::ExamKind => self.exam_kind[cell.exam as usize],
                    GroupDim::Department => cell.department,
                    GroupDim::Category => cell.category,
                };
            }
            key
        };
        let mut order: Vec<([u32; 5], u32)> = self
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| (key_of(c), i as u32))
            .collect();
        order.par_sort_unstable();
        let mut keys: Vec<([u32; 5], Counts)> = Vec::new();
        for (key, i) in order {
            let counts = self.cells[i as usize].counts;
            match keys.last_mut() {
                Some((k, c)) if *k == key => *c += counts,
                _ => keys.push((key, counts)),
            }
        }
        if dims.is_empty() && keys.is_empty() {
            keys.push(([NONE; 5], Counts::default()));
        }
        (dims, keys)
    }

    /// The totals over everything (one summary row with an empty key).
    pub fn total(&self) -> GroupRow {
        let mut c = Counts::default();
        for cell in &self.cells {
            c += cell.counts;
        }
        GroupRow::new(Vec::new(), c, self)
    }

    pub(crate) fn name(&self, d: GroupDim, id: u32) -> Option<&str> {
        if id == NONE {
            return None;
        }
        let v = match d {
            GroupDim::Hospital => &self.hospitals,
            GroupDim::Exam => &self.exams,
            GroupDim::ExamKind => &self.kinds,
            GroupDim::Department => &self.departments,
            GroupDim::Category => &self.categories,
        };
        ((id as usize) < v.len()).then(|| v.get(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The integer fast path of `Rate::meets` decides as the exact decimal comparison does.
    #[test]
    fn meets_agrees_with_the_exact_comparison() {
        let targets = [
            ">= 95%",
            "> 95%",
            "<= 90%",
            "< 0.9",
            "== 50%",
            "!= 1/3",
            ">= 0",
            ">= 100%",
            ">= 99.99%",
            ">= -1",
            "> 33.333333333333333333%",
        ];
        let mut parsed = 0;
        for t in targets {
            let Ok(target) = t.parse::<Target>() else {
                continue;
            };
            parsed += 1;
            for den in [1u64, 2, 3, 7, 20, 100, 3000, 10_000, u64::MAX] {
                for num in [0, 1, 2, den / 3, den / 2, den - den / 20, den - 1, den] {
                    let r = Rate::new(num, den);
                    let exact = r.quantity().map(|q| target.holds(&q));
                    assert_eq!(r.meets(&target), exact, "{num}/{den} {t}");
                }
            }
            assert_eq!(Rate::new(0, 0).meets(&target), None);
        }
        assert!(parsed >= 8, "only {parsed} targets parsed");
    }
}
