//! Counting sessions per period and department, and checking the minimums.

use super::policy::TrainingPolicy;
use super::sessions::Sessions;
use crate::exams::column::{DateVal, Num};
use crate::exams::date::{Date, Period, PeriodId};
use crate::exams::error::{ExamError, RejectReason, Rejection, RowCount, Table};
use std::collections::{BTreeMap, BTreeSet};

/// The longest review window, in months, that [`evaluate_training`] checks (100 years).
pub const MAX_WINDOW_MONTHS: i64 = 1200;

/// Options of [`evaluate_training`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingOptions {
    /// Lenient mode: bad rows are rejected and listed instead of failing.
    pub lenient: bool,
    /// First day of the review window (default: the earliest session). Every period that
    /// overlaps the window is checked, whole.
    pub start: Option<Date>,
    /// Last day of the review window (default: the latest session).
    pub end: Option<Date>,
    /// The departments to check for requirements that do not list their own (default: the
    /// departments seen in each hospital's sessions — pass the roster's departments so that a
    /// department with no session at all is reported short).
    pub departments: Vec<String>,
}

/// One valid session.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrainingSession {
    /// The hospital, if given.
    pub hospital_id: Option<String>,
    /// The date.
    pub date: Date,
    /// The session id.
    pub session_id: String,
    /// The kind (培训, 应急演练 ...).
    pub kind: String,
    /// The department; `None` = hospital-wide.
    pub department: Option<String>,
    /// Attendee count, if given.
    pub attendees: Option<u64>,
    /// The row in the sessions table.
    pub row: usize,
}

/// Sessions per (hospital, department, kind, period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingCount {
    /// The hospital.
    pub hospital_id: Option<String>,
    /// The department (`None` = hospital-wide sessions).
    pub department: Option<String>,
    /// The session kind.
    pub kind: String,
    /// The period.
    pub period: PeriodId,
    /// Number of sessions.
    pub sessions: u64,
    /// Sum of the known attendee counts.
    pub attendees: u64,
}

/// One requirement checked for one hospital, department and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementCheck {
    /// The requirement's name.
    pub requirement: String,
    /// The hospital.
    pub hospital_id: Option<String>,
    /// The department.
    pub department: String,
    /// The period.
    pub period: PeriodId,
    /// Sessions that count (the department's own, plus hospital-wide ones if the requirement
    /// says so).
    pub sessions: u64,
    /// The minimum.
    pub min_sessions: u32,
    /// `sessions >= min_sessions`.
    pub met: bool,
}

/// The result of [`evaluate_training`].
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingEvaluation {
    /// Valid sessions, ordered by hospital, date and id.
    pub sessions: Vec<TrainingSession>,
    /// One check per requirement, hospital, department and period (in that order).
    pub checks: Vec<RequirementCheck>,
    /// Rejected rows (lenient mode).
    pub rejections: Vec<Rejection>,
    /// Row counts (`input = used + rejected`).
    pub rows: RowCount,
    /// The window used (`None` when there are no sessions and no window was given).
    pub window: Option<(Date, Date)>,
}

/// (hospital, session id).
type SessionKey<'a> = (Option<&'a str>, &'a str);
/// (hospital, department, kind, period).
type CountKey<'a> = (Option<&'a str>, Option<&'a str>, &'a str, PeriodId);

#[derive(PartialEq)]
struct Vals<'a> {
    kind: &'a str,
    date: Date,
    department: Option<&'a str>,
    attendees: Option<u64>,
}

/// Read the sessions, count them and check the policy's minimums.
pub fn evaluate_training(
    sessions: &Sessions<'_>,
    policy: &TrainingPolicy,
    options: &TrainingOptions,
) -> Result<TrainingEvaluation, ExamError> {
    policy.validate()?;
    let t = Table::Sessions;
    let mut rejections = Vec::new();
    let mut items: Vec<(SessionKey<'_>, usize, Vals<'_>)> = Vec::new();
    let mut base = 0;
    for c in &sessions.chunks {
        for i in 0..c.len {
            let row = base + i;
            let missing = |col: &str| Rejection {
                table: t,
                row,
                reason: RejectReason::MissingValue {
                    column: col.to_string(),
                },
            };
            let read = || -> Result<_, Rejection> {
                let id = c.session_id.get(i).ok_or_else(|| missing("session_id"))?;
                let kind = c.kind.get(i).ok_or_else(|| missing("kind"))?;
                let date = match c.date.get(i) {
                    DateVal::Null => return Err(missing("date")),
                    DateVal::Date(d) => d,
                    DateVal::Bad(text) => {
                        return Err(Rejection {
                            table: t,
                            row,
                            reason: RejectReason::BadDate {
                                column: "date".to_string(),
                                text: text.to_string(),
                            },
                        })
                    }
                };
                let attendees = match c.attendees.as_ref().map(|a| a.get(i)) {
                    None | Some(Num::Null) => None,
                    Some(v) => {
                        let n = match v {
                            Num::Int(n) => u64::try_from(n).ok(),
                            Num::Float(f) if f.fract() == 0.0 && (0.0..1e18).contains(&f) => {
                                Some(f as u64)
                            }
                            _ => None,
                        };
                        Some(n.ok_or_else(|| Rejection {
                            table: t,
                            row,
                            reason: RejectReason::BadNumber {
                                column: "attendees".to_string(),
                                value: v.describe(),
                                why: "not a whole number >= 0".to_string(),
                            },
                        })?)
                    }
                };
                let hosp = c.hospital_id.as_ref().and_then(|h| h.get(i));
                let department = c.department.as_ref().and_then(|d| d.get(i));
                Ok((
                    (hosp, id),
                    row,
                    Vals {
                        kind,
                        date,
                        department,
                        attendees,
                    },
                ))
            };
            match read() {
                Ok(item) => items.push(item),
                Err(r) => rejections.push(r),
            }
        }
        base += c.len;
    }
    // Duplicates of (hospital, session id): identical → keep the first, else reject all.
    items.sort_by_key(|a| (a.0, a.1));
    let mut kept = Vec::with_capacity(items.len());
    let mut k = 0;
    while k < items.len() {
        let mut m = k + 1;
        while m < items.len() && items[m].0 == items[k].0 {
            m += 1;
        }
        let group = &items[k..m];
        let key = match group[0].0 .0 {
            Some(h) => format!("hospital {h:?}, session {:?}", group[0].0 .1),
            None => format!("session {:?}", group[0].0 .1),
        };
        if group.len() == 1 {
            kept.push(k);
        } else if group.iter().all(|g| g.2 == group[0].2) {
            kept.push(k);
            for g in &group[1..] {
                rejections.push(Rejection {
                    table: t,
                    row: g.1,
                    reason: RejectReason::Duplicate {
                        key: key.clone(),
                        kept_row: Some(group[0].1),
                        rows: group.len(),
                    },
                });
            }
        } else {
            for g in group {
                rejections.push(Rejection {
                    table: t,
                    row: g.1,
                    reason: RejectReason::Duplicate {
                        key: key.clone(),
                        kept_row: None,
                        rows: group.len(),
                    },
                });
            }
        }
        k = m;
    }
    rejections.sort_by_key(|r| r.row);
    let rows = RowCount::new(sessions.len(), rejections.len());
    if !options.lenient && !rejections.is_empty() {
        return Err(ExamError::bad_rows(rejections));
    }
    let mut list: Vec<TrainingSession> = kept
        .into_iter()
        .map(|k| {
            let ((h, id), row, v) = &items[k];
            TrainingSession {
                hospital_id: h.map(str::to_string),
                date: v.date,
                session_id: id.to_string(),
                kind: v.kind.to_string(),
                department: v.department.map(str::to_string),
                attendees: v.attendees,
                row: *row,
            }
        })
        .collect();
    list.sort();

    let first = list.iter().map(|s| s.date).min();
    let last = list.iter().map(|s| s.date).max();
    let window = match (options.start.or(first), options.end.or(last)) {
        (Some(a), Some(b)) if a <= b => Some((a, b)),
        _ => None,
    };
    if let Some((a, b)) = window {
        // Guard against a stray date (year 0001 or 9999) producing millions of periods.
        let months = Period::Month.of(b).index - Period::Month.of(a).index + 1;
        if months > MAX_WINDOW_MONTHS {
            return Err(ExamError::Inconsistent(format!(
                "sessions table: the review window {a} .. {b} spans {months} months (more than \
                 {MAX_WINDOW_MONTHS}); set TrainingOptions.start / end, or fix the outlying dates"
            )));
        }
    }
    let checks = match window {
        Some(w) => check(&list, policy, options, w),
        None => Vec::new(),
    };
    Ok(TrainingEvaluation {
        sessions: list,
        checks,
        rejections,
        rows,
        window,
    })
}

fn check(
    list: &[TrainingSession],
    policy: &TrainingPolicy,
    options: &TrainingOptions,
    (start, end): (Date, Date),
) -> Vec<RequirementCheck> {
    let hospitals: BTreeSet<Option<&str>> = list.iter().map(|s| s.hospital_id.as_deref()).collect();
    let hospitals: Vec<Option<&str>> = if hospitals.is_empty() {
        vec![None]
    } else {
        hospitals.into_iter().collect()
    };
    let mut out = Vec::new();
    for req in &policy.requirements {
        let kinds: BTreeSet<&str> = req.kinds.iter().map(|k| k.trim()).collect();
        let mut periods = Vec::new();
        let mut p = req.period.of(start);
        let last = req.period.of(end);
        while p <= last {
            periods.push(p);
            p = p.next();
        }
        for h in &hospitals {
            // (department or None for hospital-wide, period) -> sessions
            let mut n: BTreeMap<(Option<&str>, PeriodId), u64> = BTreeMap::new();
            for s in list.iter().filter(|s| s.hospital_id.as_deref() == *h) {
                if kinds.contains(s.kind.as_str()) {
                    *n.entry((s.department.as_deref(), req.period.of(s.date)))
                        .or_default() += 1;
                }
            }
            let depts: BTreeSet<&str> = if !req.departments.is_empty() {
                req.departments.iter().map(|d| d.trim()).collect()
            } else if !options.departments.is_empty() {
                options.departments.iter().map(|d| d.trim()).collect()
            } else {
                list.iter()
                    .filter(|s| s.hospital_id.as_deref() == *h)
                    .filter_map(|s| s.department.as_deref())
                    .collect()
            };
            for d in &depts {
                for p in &periods {
                    let own = n.get(&(Some(*d), *p)).copied().unwrap_or(0);
                    let wide = if req.hospital_wide_counts {
                        n.get(&(None, *p)).copied().unwrap_or(0)
                    } else {
                        0
                    };
                    let sessions = own + wide;
                    out.push(RequirementCheck {
                        requirement: req.name.clone(),
                        hospital_id: h.map(str::to_string),
                        department: d.to_string(),
                        period: *p,
                        sessions,
                        min_sessions: req.min_sessions,
                        met: sessions >= req.min_sessions as u64,
                    });
                }
            }
        }
    }
    out
}

impl TrainingEvaluation {
    /// Sessions and attendees per (hospital, department, kind, period), ordered by those keys
    /// (hospital-wide sessions have department `None`, listed first).
    pub fn counts(&self, period: Period) -> Vec<TrainingCount> {
        let mut m: BTreeMap<CountKey<'_>, (u64, u64)> = BTreeMap::new();
        for s in &self.sessions {
            let e = m
                .entry((
                    s.hospital_id.as_deref(),
                    s.department.as_deref(),
                    s.kind.as_str(),
                    period.of(s.date),
                ))
                .or_default();
            e.0 += 1;
            e.1 += s.attendees.unwrap_or(0);
        }
        m.into_iter()
            .map(|((h, d, k, p), (n, a))| TrainingCount {
                hospital_id: h.map(str::to_string),
                department: d.map(str::to_string),
                kind: k.to_string(),
                period: p,
                sessions: n,
                attendees: a,
            })
            .collect()
    }

    /// The checks that fall short of their minimum.
    pub fn shortfalls(&self) -> impl Iterator<Item = &RequirementCheck> {
        self.checks.iter().filter(|c| !c.met)
    }
}
