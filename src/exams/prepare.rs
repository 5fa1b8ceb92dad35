//! Reading the small tables (roster, exams, exemptions) into integer-indexed form.
//!
//! Strings are interned into dictionaries whose ids follow the strings' sort order, so every id
//! (and every output ordered by ids) is independent of the input row order.

use super::column::{split_list, DateVal, Num};
use super::date::Date;
use super::error::{ExamError, RejectReason, Rejection, Table};
use super::exam_table::Exams;
use super::exemptions::Exemptions;
use super::idtable::IdTable;
use super::names::Names;
use super::policy::{check_rule, ComponentRule, ExamRule, Judge, Policy};
use super::roster::Roster;
use super::sittings::Sittings;
use super::threshold::{AtLeast, AtMost};
use crate::ratio::decimal_from_f64;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

/// "No value" for interned ids.
pub(crate) const NONE: u32 = u32::MAX;

/// Sorted dictionary of strings: id = position in sort order.
#[derive(Debug, Default)]
pub(crate) struct Dict<'a> {
    pub(crate) names: Vec<&'a str>,
    map: FxHashMap<&'a str, u32>,
}

impl<'a> Dict<'a> {
    pub(crate) fn from_iter(it: impl IntoIterator<Item = &'a str>) -> Dict<'a> {
        // Distinct values first (a roster's 300,000 rows hold a few dozen departments), then
        // sort those.
        let distinct: FxHashSet<&'a str> = it.into_iter().collect();
        let mut names: Vec<&'a str> = distinct.into_iter().collect();
        names.sort_unstable();
        Dict::from_sorted(names)
    }

    /// A dictionary over strings already sorted and distinct.
    pub(crate) fn from_sorted(names: Vec<&'a str>) -> Dict<'a> {
        debug_assert!(names.windows(2).all(|w| w[0] < w[1]));
        let map = names
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i as u32))
            .collect();
        Dict { names, map }
    }

    /// A dictionary over strings already sorted and distinct, without a hash map: lookups
    /// search the sorted names (for the staff ids, whose hot-loop lookups go through an
    /// [`IdTable`]; this saves a 300,000-entry map at province scale).
    pub(crate) fn from_sorted_searched(names: Vec<&'a str>) -> Dict<'a> {
        debug_assert!(names.windows(2).all(|w| w[0] < w[1]));
        Dict {
            names,
            map: FxHashMap::default(),
        }
    }

    #[inline]
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        if self.map.is_empty() {
            return self.names.binary_search(&s).ok().map(|i| i as u32);
        }
        self.map.get(s).copied()
    }

    pub(crate) fn get_opt(&self, s: Option<&str>) -> u32 {
        s.and_then(|s| self.get(s)).unwrap_or(NONE)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn owned(&self) -> Names {
        Names::from_strs(self.names.iter().copied())
    }
}

pub(crate) fn row_u32(table: Table, rows: usize) -> Result<(), ExamError> {
    if rows >= u32::MAX as usize {
        Err(ExamError::TooManyRows { table, rows })
    } else {
        Ok(())
    }
}

fn missing(table: Table, row: usize, column: &str) -> Rejection {
    Rejection {
        table,
        row,
        reason: RejectReason::MissingValue {
            column: column.to_string(),
        },
    }
}

fn read_date<'a>(
    table: Table,
    row: usize,
    column: &str,
    v: DateVal<'a>,
) -> Result<Option<Date>, Rejection> {
    match v {
        DateVal::Null => Ok(None),
        DateVal::Date(d) => Ok(Some(d)),
        DateVal::Bad(t) => Err(Rejection {
            table,
            row,
            reason: RejectReason::BadDate {
                column: column.to_string(),
                text: t.to_string(),
            },
        }),
    }
}

/// Group `(key, row, value)` items by key; for each key with several rows, keep the first if all
/// values are equal, else reject all. Returns the kept items in key order.
fn dedup<K: Ord + Copy + Send + std::fmt::Display, V: PartialEq + Send>(
    table: Table,
    mut items: Vec<(K, usize, V)>,
    rejections: &mut Vec<Rejection>,
    rejected_keys: &mut Vec<K>,
) -> Vec<(K, usize, V)> {
    // Tables often come sorted by key already (a roster by staff id): checked in one pass.
    if !items
        .windows(2)
        .all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1))
    {
        items.par_sort_unstable_by_key(|a| (a.0, a.1));
    }
    let mut kept = Vec::with_capacity(items.len());
    let mut it = items.into_iter().peekable();
    while let Some(first) = it.next() {
        if it.peek().is_none_or(|n| n.0 != first.0) {
            kept.push(first); // the usual case: one row per key, no group to allocate
            continue;
        }
        let mut group = vec![first];
        while let Some(next) = it.next_if(|n| n.0 == group[0].0) {
            group.push(next);
        }
        if group.len() == 1 {
            kept.extend(group);
            continue;
        }
        let n = group.len();
        let identical = group.iter().all(|g| g.2 == group[0].2);
        let key = group[0].0;
        let first_row = group[0].1;
        if identical {
            for g in &group[1..] {
                rejections.push(Rejection {
                    table,
                    row: g.1,
                    reason: RejectReason::Duplicate {
                        key: key.to_string(),
                        kept_row: Some(first_row),
                        rows: n,
                    },
                });
            }
            kept.extend(group.into_iter().take(1));
        } else {
            for g in &group {
                rejections.push(Rejection {
                    table,
                    row: g.1,
                    reason: RejectReason::Duplicate {
                        key: key.to_string(),
                        kept_row: None,
                        rows: n,
                    },
                });
            }
            rejected_keys.push(key);
        }
    }
    kept
}

/// Display wrapper for a key in messages.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Named<'a>(&'static str, &'a str);

// Ordered by the key's value first (the label is the same for every key of a table, so the
// order is the derived one's, without comparing the label on every comparison).
impl Ord for Named<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.1.cmp(other.1).then_with(|| self.0.cmp(other.0))
    }
}

impl PartialOrd for Named<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", self.0, self.1)
    }
}

#[derive(PartialEq)]
struct RosterVals<'a> {
    dept: &'a str,
    cat: &'a str,
    hosp: Option<&'a str>,
    from: Option<Date>,
    to: Option<Date>,
    reason: Option<&'a str>,
}

/// The roster, interned. Staff ids follow the staff-id sort order.
#[derive(Debug)]
pub(crate) struct StaffTable<'a> {
    pub(crate) ids: Dict<'a>,
    /// The same ids, for the hot loop.
    pub(crate) table: IdTable,
    /// Staff ids whose roster rows were all rejected.
    pub(crate) rejected: FxHashSet<&'a str>,
    pub(crate) hospital: Vec<u32>,
    pub(crate) department: Vec<u32>,
    pub(crate) category: Vec<u32>,
    pub(crate) from: Vec<i32>,
    pub(crate) to: Vec<i32>,
    /// Per-staff exemption reason (roster column), as text.
    pub(crate) reason: Vec<Option<&'a str>>,
    pub(crate) hospitals: Dict<'a>,
    pub(crate) departments: Dict<'a>,
    pub(crate) categories: Dict<'a>,
    /// Staff per hospital id, ascending; the last entry holds staff without a hospital.
    pub(crate) by_hospital: Vec<Vec<u32>>,
    pub(crate) has_hospital: bool,
    pub(crate) has_employment: bool,
}

impl StaffTable<'_> {
    pub(crate) fn len(&self) -> usize {
        self.department.len()
    }

    /// Index into `by_hospital` for a hospital id (NONE = the last entry).
    pub(crate) fn hospital_slot(&self, h: u32) -> usize {
        if h == NONE {
            self.hospitals.len()
        } else {
            h as usize
        }
    }

    #[inline]
    pub(crate) fn employed_on(&self, s: u32, d: i32) -> bool {
        let s = s as usize;
        self.from[s] <= d && d <= self.to[s]
    }
}

pub(crate) fn prepare_roster<'a>(
    roster: &Roster<'a>,
    rejections: &mut Vec<Rejection>,
) -> Result<StaffTable<'a>, ExamError> {
    let t = Table::Roster;
    row_u32(t, roster.len())?;
    let mut items: Vec<(Named<'a>, usize, RosterVals<'a>)> = Vec::with_capacity(roster.len());
    let mut rejected_ids: FxHashSet<&'a str> = FxHashSet::default();
    let mut base = 0;
    for c in &roster.chunks {
        for i in 0..c.len {
            let row = base + i;
            let staff = c.staff_id.get(i);
            let read = || -> Result<RosterVals<'a>, Rejection> {
                staff.ok_or_else(|| missing(t, row, "staff_id"))?;
                let dept = c
                    .department
                    .get(i)
                    .ok_or_else(|| missing(t, row, "department"))?;
                let cat = c
                    .category
                    .get(i)
                    .ok_or_else(|| missing(t, row, "category"))?;
                let hosp = c.hospital_id.as_ref().and_then(|h| h.get(i));
                let from = match &c.employed_from {
                    Some(col) => read_date(t, row, "employed_from", col.get(i))?,
                    None => None,
                };
                let to = match &c.employed_to {
                    Some(col) => read_date(t, row, "employed_to", col.get(i))?,
                    None => None,
                };
                if let (Some(f), Some(e)) = (from, to) {
                    if e < f {
                        return Err(Rejection {
                            table: t,
                            row,
                            reason: RejectReason::EmploymentEndsBeforeStart,
                        });
                    }
                }
                let reason = c.exempt_reason.as_ref().and_then(|r| r.get(i));
                Ok(RosterVals {
                    dept,
                    cat,
                    hosp,
                    from,
                    to,
                    reason,
                })
            };
            match read() {
                Ok(v) => items.push((Named("staff", staff.unwrap_or_default()), row, v)),
                Err(r) => {
                    if let Some(s) = staff {
                        rejected_ids.insert(s);
                    }
                    rejections.push(r);
                }
            }
        }
        base += c.len;
    }
    let mut dup_keys = Vec::new();
    let kept = dedup(t, items, rejections, &mut dup_keys);
    for k in dup_keys {
        rejected_ids.insert(k.1);
    }
    // `kept` is sorted by staff id and has one row per id.
    let ids = Dict::from_sorted_searched(kept.iter().map(|k| k.0 .1).collect());
    for s in &ids.names {
        rejected_ids.remove(s);
    }
    // The three dictionaries and the id table are independent: built side by side.
    let ((hospitals, departments), (categories, table)) = rayon::join(
        || {
            rayon::join(
                || Dict::from_iter(kept.iter().filter_map(|k| k.2.hosp)),
                || Dict::from_iter(kept.iter().map(|k| k.2.dept)),
            )
        },
        || {
            rayon::join(
                || Dict::from_iter(kept.iter().map(|k| k.2.cat)),
                || IdTable::new(ids.owned()),
            )
        },
    );
    // `kept` is sorted by staff id string, so position = staff id.
    let hospital: Vec<u32> = kept
        .par_iter()
        .map(|k| hospitals.get_opt(k.2.hosp))
        .collect();
    let department: Vec<u32> = kept
        .par_iter()
        .map(|k| departments.get_opt(Some(k.2.dept)))
        .collect();
    let category: Vec<u32> = kept
        .par_iter()
        .map(|k| categories.get_opt(Some(k.2.cat)))
        .collect();
    let from: Vec<i32> = kept
        .iter()
        .map(|k| k.2.from.map_or(i32::MIN, Date::days))
        .collect();
    let to: Vec<i32> = kept
        .iter()
        .map(|k| k.2.to.map_or(i32::MAX, Date::days))
        .collect();
    let reason: Vec<Option<&'a str>> = kept.iter().map(|k| k.2.reason).collect();
    drop(kept);
    let mut st = StaffTable {
        rejected: rejected_ids,
        hospital,
        department,
        category,
        from,
        to,
        reason,
        by_hospital: vec![Vec::new(); hospitals.len() + 1],
        has_hospital: roster.has_hospital(),
        has_employment: roster.has_employment(),
        table,
        ids,
        hospitals,
        departments,
        categories,
    };
    for sid in 0..st.hospital.len() {
        let slot = st.hospital_slot(st.hospital[sid]);
        st.by_hospital[slot].push(sid as u32);
    }
    Ok(st)
}

/// A rule ready for the hot loop.
#[derive(Debug, Clone)]
pub(crate) struct ReadyRule {
    pub(crate) pass_mark: Decimal,
    pub(crate) full_mark: Decimal,
    pub(crate) pass: AtLeast,
    pub(crate) zero: AtLeast,
    pub(crate) full: AtMost,
    pub(crate) makeup_counts: bool,
    pub(crate) judge: Judge,
    pub(crate) components: ComponentRule,
    /// Indices of required component columns (rule `All`).
    pub(crate) required: Vec<usize>,
    /// Weight per component column (rule `Total` without a score); `None` when the policy
    /// gives no weights.
    pub(crate) weights: Option<Vec<Decimal>>,
}

impl ReadyRule {
    fn new(rule: &ExamRule, components: &[String], has_score: bool) -> Result<Self, ExamError> {
        let idx = |name: &str, field: &str| -> Result<usize, ExamError> {
            components.iter().position(|c| c == name).ok_or_else(|| {
                ExamError::Inconsistent(format!(
                    "policy `{field}` names component {name:?}, but the sittings have \
                         component columns {components:?}"
                ))
            })
        };
        let required = rule
            .required_components
            .iter()
            .map(|n| idx(n, "required_components"))
            .collect::<Result<Vec<_>, _>>()?;
        let weights =
            if rule.components == ComponentRule::Total && !rule.component_weights.is_empty() {
                let mut w = vec![Decimal::ZERO; components.len()];
                for (name, v) in &rule.component_weights {
                    w[idx(name, "component_weights")?] = *v;
                }
                Some(w)
            } else {
                None
            };
        if rule.components == ComponentRule::Total && !has_score && weights.is_none() {
            return Err(ExamError::Inconsistent(
                "policy components = \"total\" needs a `score` column in the sittings or \
                 `component_weights` to compute the total"
                    .to_string(),
            ));
        }
        if rule.components == ComponentRule::All
            && required.is_empty()
            && components.is_empty()
            && !has_score
        {
            return Err(ExamError::Inconsistent(
                "the sittings have neither a `score` column nor component score columns"
                    .to_string(),
            ));
        }
        Ok(ReadyRule {
            pass_mark: rule.pass_mark,
            full_mark: rule.full_mark,
            pass: AtLeast::new(rule.pass_mark),
            zero: AtLeast::new(Decimal::ZERO),
            full: AtMost::new(rule.full_mark),
            makeup_counts: rule.makeup_counts,
            judge: rule.judge,
            components: rule.components,
            required,
            weights,
        })
    }
}

/// One exam, interned.
#[derive(Debug, Clone)]
pub(crate) struct ExamDef {
    pub(crate) kind: u32,
    /// The date used for employment checks (the exam's, or the reference date).
    pub(crate) date: Option<i32>,
    pub(crate) rule: usize,
    /// Scope hospital (NONE = any).
    pub(crate) hospital: u32,
    /// A hospital named by the exams table that no roster row has: nobody is expected.
    pub(crate) hospital_unknown: bool,
    /// Dense flags over category ids; `None` = every category.
    pub(crate) categories: Option<Vec<bool>>,
    /// Dense flags over department ids; `None` = every department.
    pub(crate) departments: Option<Vec<bool>>,
}

/// The exams (from the table or discovered in the sittings), interned.
#[derive(Debug)]
pub(crate) struct ExamSet<'a> {
    pub(crate) ids: Dict<'a>,
    pub(crate) rejected: FxHashSet<&'a str>,
    pub(crate) defs: Vec<ExamDef>,
    pub(crate) kinds: Dict<'a>,
    pub(crate) rules: Vec<ReadyRule>,
    /// Whether the exams came from an exams table (false: discovered in the sittings).
    pub(crate) from_table: bool,
}

#[derive(PartialEq)]
struct ExamVals<'a> {
    kind: Option<&'a str>,
    date: Option<Date>,
    pass: Option<Decimal>,
    full: Option<Decimal>,
    cats: Option<Vec<&'a str>>,
    depts: Option<Vec<&'a str>>,
    hosp: Option<&'a str>,
}

fn read_mark(
    t: Table,
    row: usize,
    column: &str,
    v: Num,
    positive: bool,
) -> Result<Option<Decimal>, Rejection> {
    let bad = |why: &str| Rejection {
        table: t,
        row,
        reason: RejectReason::BadNumber {
            column: column.to_string(),
            value: v.describe(),
            why: why.to_string(),
        },
    };
    let d = match v {
        Num::Null => return Ok(None),
        Num::Int(i) => Decimal::from(i),
        Num::Float(f) => decimal_from_f64(f).ok_or_else(|| bad("not a finite number"))?,
    };
    if d < Decimal::ZERO || (positive && d == Decimal::ZERO) {
        return Err(bad(if positive {
            "must be positive"
        } else {
            "must not be negative"
        }));
    }
    Ok(Some(d))
}

fn scope_list<'a>(s: Option<&'a str>) -> Option<Vec<&'a str>> {
    let mut v: Vec<&'a str> = split_list(s?).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    v.dedup();
    Some(v)
}

fn dense<'a>(list: &Option<Vec<&'a str>>, dict: &Dict<'a>) -> Option<Vec<bool>> {
    let list = list.as_ref()?;
    let mut v = vec![false; dict.len()];
    for s in list {
        if let Some(i) = dict.get(s) {
            v[i as usize] = true;
        }
    }
    Some(v)
}

/// (kind, pass-mark override, full-mark override).
type RuleKey = (Option<String>, Option<Decimal>, Option<Decimal>);

/// Rules resolved per (kind, pass override, full override), shared between exams.
struct RuleCache<'p> {
    policy: &'p Policy,
    components: &'p [String],
    has_score: bool,
    rules: Vec<ReadyRule>,
    index: FxHashMap<RuleKey, usize>,
}

impl RuleCache<'_> {
    fn rule(
        &mut self,
        kind: Option<&str>,
        pass: Option<Decimal>,
        full: Option<Decimal>,
    ) -> Result<usize, ExamError> {
        let key = (kind.map(str::to_string), pass, full);
        if let Some(i) = self.index.get(&key) {
            return Ok(*i);
        }
        let mut rule = self.policy.rule_for_kind(kind);
        if let Some(p) = pass {
            rule.pass_mark = p;
        }
        if let Some(f) = full {
            rule.full_mark = f;
        }
        let ready = ReadyRule::new(&rule, self.components, self.has_score)?;
        self.rules.push(ready);
        self.index.insert(key, self.rules.len() - 1);
        Ok(self.rules.len() - 1)
    }
}

pub(crate) fn prepare_exams<'a>(
    exams: Option<&Exams<'a>>,
    discovered: Vec<&'a str>,
    staff: &StaffTable<'a>,
    policy: &Policy,
    sittings: &Sittings<'_>,
    reference_date: Option<Date>,
    rejections: &mut Vec<Rejection>,
) -> Result<ExamSet<'a>, ExamError> {
    let t = Table::Exams;
    let mut cache = RuleCache {
        policy,
        components: sittings.component_names(),
        has_score: sittings.has_score(),
        rules: Vec::new(),
        index: FxHashMap::default(),
    };
    let Some(exams) = exams else {
        let ids = Dict::from_iter(discovered);
        let rule = cache.rule(None, None, None)?;
        let defs = vec![
            ExamDef {
                kind: NONE,
                date: reference_date.map(Date::days),
                rule,
                hospital: NONE,
                hospital_unknown: false,
                categories: None,
                departments: None,
            };
            ids.len()
        ];
        return Ok(ExamSet {
            ids,
            rejected: FxHashSet::default(),
            defs,
            kinds: Dict::default(),
            rules: cache.rules,
            from_table: false,
        });
    };
    row_u32(t, exams.len())?;
    if !staff.has_hospital && exams.chunks.iter().any(|c| c.hospital_id.is_some()) {
        return Err(ExamError::Inconsistent(
            "the exams table scopes exams by `hospital_id`, but the roster has no `hospital_id` \
             column"
                .to_string(),
        ));
    }
    let mut items: Vec<(Named<'a>, usize, ExamVals<'a>)> = Vec::with_capacity(exams.len());
    let mut rejected: FxHashSet<&'a str> = FxHashSet::default();
    let mut base = 0;
    for c in &exams.chunks {
        for i in 0..c.len {
            let row = base + i;
            let id = c.exam_id.get(i);
            let read = || -> Result<ExamVals<'a>, Rejection> {
                id.ok_or_else(|| missing(t, row, "exam_id"))?;
                let kind = c.kind.as_ref().and_then(|k| k.get(i));
                let date = match &c.date {
                    Some(col) => read_date(t, row, "date", col.get(i))?,
                    None => None,
                };
                let pass = match &c.pass_mark {
                    Some(col) => read_mark(t, row, "pass_mark", col.get(i), false)?,
                    None => None,
                };
                let full = match &c.full_mark {
                    Some(col) => read_mark(t, row, "full_mark", col.get(i), true)?,
                    None => None,
                };
                let rule = policy.rule_for_kind(kind);
                let eff_pass = pass.unwrap_or(rule.pass_mark);
                let eff_full = full.unwrap_or(rule.full_mark);
                if eff_pass > eff_full {
                    return Err(Rejection {
                        table: t,
                        row,
                        reason: RejectReason::BadNumber {
                            column: if pass.is_some() {
                                "pass_mark"
                            } else {
                                "full_mark"
                            }
                            .to_string(),
                            value: if pass.is_some() { eff_pass } else { eff_full }
                                .normalize()
                                .to_string(),
                            why: format!(
                                "the pass mark {} is above the full mark {}",
                                eff_pass.normalize(),
                                eff_full.normalize()
                            ),
                        },
                    });
                }
                Ok(ExamVals {
                    kind,
                    date,
                    pass,
                    full,
                    cats: scope_list(c.categories.as_ref().and_then(|s| s.get(i))),
                    depts: scope_list(c.departments.as_ref().and_then(|s| s.get(i))),
                    hosp: c.hospital_id.as_ref().and_then(|h| h.get(i)),
                })
            };
            match read() {
                Ok(v) => items.push((Named("exam", id.unwrap_or_default()), row, v)),
                Err(r) => {
                    if let Some(s) = id {
                        rejected.insert(s);
                    }
                    rejections.push(r);
                }
            }
        }
        base += c.len;
    }
    let mut dup_keys = Vec::new();
    let kept = dedup(t, items, rejections, &mut dup_keys);
    for k in dup_keys {
        rejected.insert(k.1);
    }
    let ids = Dict::from_iter(kept.iter().map(|k| k.0 .1));
    for s in &ids.names {
        rejected.remove(s);
    }
    let kinds = Dict::from_iter(kept.iter().filter_map(|k| k.2.kind));
    let mut defs = Vec::with_capacity(kept.len());
    for (_, _, v) in &kept {
        let rule = cache.rule(v.kind, v.pass, v.full)?;
        let hospital = staff.hospitals.get_opt(v.hosp);
        defs.push(ExamDef {
            kind: kinds.get_opt(v.kind),
            date: v.date.or(reference_date).map(Date::days),
            rule,
            hospital,
            hospital_unknown: v.hosp.is_some() && hospital == NONE,
            categories: dense(&v.cats, &staff.categories),
            departments: dense(&v.depts, &staff.departments),
        });
    }
    // Check each distinct rule (the table's pass/full marks override the policy per exam).
    for (k, _) in cache.index.iter() {
        let mut rule = policy.rule_for_kind(k.0.as_deref());
        if let Some(p) = k.1 {
            rule.pass_mark = p;
        }
        if let Some(f) = k.2 {
            rule.full_mark = f;
        }
        check_rule(&rule, "")?;
    }
    Ok(ExamSet {
        ids,
        rejected,
        defs,
        kinds,
        rules: cache.rules,
        from_table: true,
    })
}

/// Where an exemption came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExSource {
    Roster,
    Table(u32),
}

/// One exemption, interned.
#[derive(Debug, Clone)]
pub(crate) struct Ex<'a> {
    /// Exam id (NONE = every exam).
    pub(crate) exam: u32,
    pub(crate) reason: &'a str,
    pub(crate) accepted: bool,
    pub(crate) source: ExSource,
}

/// Exemptions indexed by staff.
#[derive(Debug, Default)]
pub(crate) struct ExemptionIndex<'a> {
    /// Staff with any exemption → their exemptions (roster first, then table rows by row).
    pub(crate) by_staff: FxHashMap<u32, Vec<Ex<'a>>>,
    /// Per exam: the staff with an exemptions-table row naming that exam (ascending).
    pub(crate) by_exam: Vec<Vec<u32>>,
    /// Whether a staff member has any exemption.
    pub(crate) flag: Vec<bool>,
}

pub(crate) fn prepare_exemptions<'a>(
    exemptions: Option<&Exemptions<'a>>,
    staff: &StaffTable<'a>,
    exams: &ExamSet<'a>,
    policy: &Policy,
    rejections: &mut Vec<Rejection>,
) -> Result<ExemptionIndex<'a>, ExamError> {
    let t = Table::Exemptions;
    let mut idx = ExemptionIndex {
        by_staff: FxHashMap::default(),
        by_exam: vec![Vec::new(); exams.ids.len()],
        flag: vec![false; staff.len()],
    };
    for (s, reason) in staff.reason.iter().enumerate() {
        if let Some(r) = reason {
            idx.flag[s] = true;
            idx.by_staff.entry(s as u32).or_default().push(Ex {
                exam: NONE,
                reason: r,
                accepted: policy.accepts_reason(r),
                source: ExSource::Roster,
            });
        }
    }
    let Some(ex) = exemptions else {
        return Ok(idx);
    };
    row_u32(t, ex.len())?;
    let mut base = 0;
    for c in &ex.chunks {
        for i in 0..c.len {
            let row = base + i;
            let read = || -> Result<(u32, u32, &'a str), Rejection> {
                let s = c
                    .staff_id
                    .get(i)
                    .ok_or_else(|| missing(t, row, "staff_id"))?;
                let sid = staff.table.get(s).ok_or_else(|| Rejection {
                    table: t,
                    row,
                    reason: if staff.rejected.contains(s) {
                        RejectReason::StaffRejected {
                            staff_id: s.to_string(),
                        }
                    } else {
                        RejectReason::UnknownStaff {
                            staff_id: s.to_string(),
                        }
                    },
                })?;
                let eid = match c.exam_id.get(i) {
                    None => NONE,
                    Some(e) => exams.ids.get(e).ok_or_else(|| Rejection {
                        table: t,
                        row,
                        reason: if exams.rejected.contains(e) {
                            RejectReason::ExamRejected {
                                exam_id: e.to_string(),
                            }
                        } else {
                            RejectReason::UnknownExam {
                                exam_id: e.to_string(),
                            }
                        },
                    })?,
                };
                let reason = c.reason.get(i).ok_or_else(|| missing(t, row, "reason"))?;
                Ok((sid, eid, reason))
            };
            match read() {
                Ok((sid, eid, reason)) => {
                    idx.flag[sid as usize] = true;
                    idx.by_staff.entry(sid).or_default().push(Ex {
                        exam: eid,
                        reason,
                        accepted: policy.accepts_reason(reason),
                        source: ExSource::Table(row as u32),
                    });
                    if eid != NONE {
                        idx.by_exam[eid as usize].push(sid);
                    }
                }
                Err(r) => rejections.push(r),
            }
        }
        base += c.len;
    }
    for v in &mut idx.by_exam {
        v.sort_unstable();
        v.dedup();
    }
    Ok(idx)
}
