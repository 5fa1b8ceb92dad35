//! Evaluating one exam: its expected staff merged with its (sorted) sittings.

use super::column::Num;
use super::error::{NotExpectedWhy, RejectReason, Rejection, Table};
use super::evaluate::{Cell, Ctx};
use super::people::{ExemptionOutcome, Problem};
use super::policy::Judge;
use super::prepare::{ExamDef, ReadyRule, NONE};
use super::resolve::{Key, PASSED, SAT};
use super::sittings::SittingsChunk;
use super::summary::Counts;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// A person behind a gap, compactly (strings are looked up when viewed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PersonRow {
    pub(crate) staff: u32,
    pub(crate) exam: u32,
    /// The session id (NONE = none); while per-exam, the row of the last sitting.
    pub(crate) session: u32,
    /// Index into the reason texts (NONE = none).
    pub(crate) reason: u32,
    pub(crate) sittings: u16,
    pub(crate) problem: Problem,
    pub(crate) first_passed: bool,
    pub(crate) final_passed: bool,
}

pub(crate) struct AuditRaw {
    pub(crate) staff: u32,
    pub(crate) exam: u32,
    /// Index into the staff's exemption list.
    pub(crate) ex: usize,
    pub(crate) outcome: ExemptionOutcome,
}

pub(crate) struct ExamPartial {
    pub(crate) cells: Vec<Cell>,
    pub(crate) people: Vec<PersonRow>,
    pub(crate) reason_texts: Vec<String>,
    pub(crate) audit: Vec<AuditRaw>,
    pub(crate) rejections: Vec<Rejection>,
}

fn scope_why(ctx: &Ctx<'_, '_>, def: &ExamDef, s: u32) -> Option<NotExpectedWhy> {
    let st = ctx.staff;
    let su = s as usize;
    if def.hospital_unknown || (def.hospital != NONE && st.hospital[su] != def.hospital) {
        return Some(NotExpectedWhy::Hospital);
    }
    if let Some(c) = &def.categories {
        if !c.get(st.category[su] as usize).copied().unwrap_or(false) {
            return Some(NotExpectedWhy::Category);
        }
    }
    if let Some(d) = &def.departments {
        if !d.get(st.department[su] as usize).copied().unwrap_or(false) {
            return Some(NotExpectedWhy::Department);
        }
    }
    if let Some(date) = def.date {
        if st.has_employment && !st.employed_on(s, date) {
            return Some(NotExpectedWhy::NotEmployed);
        }
    }
    None
}

fn candidates<'c, K: Key>(ctx: &'c Ctx<'_, '_>, def: &ExamDef, sits: &[K]) -> Cow<'c, [u32]> {
    let st = ctx.staff;
    if def.hospital_unknown {
        return Cow::Owned(Vec::new());
    }
    if def.hospital != NONE {
        return Cow::Borrowed(&st.by_hospital[st.hospital_slot(def.hospital)]);
    }
    if !ctx.exams.from_table && st.has_hospital {
        let mut slots: Vec<usize> = sits
            .iter()
            .map(|k| st.hospital_slot(st.hospital[ctx.layout.staff(*k) as usize]))
            .collect();
        slots.sort_unstable();
        slots.dedup();
        if slots.len() == 1 {
            return Cow::Borrowed(&st.by_hospital[slots[0]]);
        }
        let mut v: Vec<u32> = slots
            .iter()
            .flat_map(|s| st.by_hospital[*s].iter().copied())
            .collect();
        v.sort_unstable();
        return Cow::Owned(v);
    }
    Cow::Borrowed(&ctx.all_staff)
}

pub(crate) fn process_exam<K: Key>(ctx: &Ctx<'_, '_>, e: u32, sits: &[K]) -> ExamPartial {
    let def = &ctx.exams.defs[e as usize];
    let rule = &ctx.exams.rules[def.rule];
    let st = ctx.staff;
    let mut out = ExamPartial {
        cells: Vec::new(),
        people: Vec::new(),
        reason_texts: Vec::new(),
        audit: Vec::new(),
        rejections: Vec::new(),
    };
    let mut cells = CellCounts::new(ctx, def);
    let mut audited: Vec<u32> = Vec::new();
    let mut scratch: Vec<K> = Vec::new();
    let cand = candidates(ctx, def, sits);
    let not_expected = |k: K, out: &mut ExamPartial| {
        let why = scope_why(ctx, def, ctx.layout.staff(k)).unwrap_or(NotExpectedWhy::Hospital);
        out.rejections.push(Rejection {
            table: Table::Sittings,
            row: ctx.layout.row(k) as usize,
            reason: RejectReason::NotExpected { why },
        });
    };
    let mut i = 0;
    for &c in cand.iter() {
        if scope_why(ctx, def, c).is_some() {
            continue;
        }
        while i < sits.len() && ctx.layout.staff(sits[i]) < c {
            not_expected(sits[i], &mut out);
            i += 1;
        }
        let mut j = i;
        while j < sits.len() && ctx.layout.staff(sits[j]) == c {
            j += 1;
        }
        let state = person_state(ctx, rule, &sits[i..j], &mut scratch, &mut out.rejections);
        i = j;

        let mut counts = Counts::default();
        let mut excluded = false;
        let mut unaccepted = NONE;
        if ctx.ex.flag[c as usize] {
            if let Some(list) = ctx.ex.by_staff.get(&c) {
                let mine: Vec<usize> = (0..list.len())
                    .filter(|k| list[*k].exam == NONE || list[*k].exam == e)
                    .collect();
                let accepted = mine.iter().any(|k| list[*k].accepted);
                let outcome = if state.sat {
                    ExemptionOutcome::SatAnyway
                } else if accepted {
                    excluded = true;
                    ExemptionOutcome::Excluded
                } else {
                    ExemptionOutcome::CountedAbsent
                };
                if !state.sat && !accepted && !mine.is_empty() && ctx.people {
                    let text: Vec<&str> = mine.iter().map(|k| list[*k].reason).collect();
                    out.reason_texts.push(text.join("; "));
                    unaccepted = (out.reason_texts.len() - 1) as u32;
                }
                if ctx.people && !mine.is_empty() {
                    audited.push(c);
                    for k in mine {
                        out.audit.push(AuditRaw {
                            staff: c,
                            exam: e,
                            ex: k,
                            outcome,
                        });
                    }
                }
            }
        }
        if excluded {
            counts.exempt = 1;
        } else {
            counts.expected = 1;
            if state.sat {
                counts.sat = 1;
                counts.first_passed = state.first_pass as u64;
                counts.final_passed = state.final_pass as u64;
                let judged = match rule.judge {
                    Judge::First => state.first_pass,
                    Judge::Final => state.final_pass,
                };
                counts.judged_passed = judged as u64;
                counts.makeups = state.makeup_sat as u64;
                if !judged && ctx.people {
                    out.people.push(PersonRow {
                        staff: c,
                        exam: e,
                        session: state.last_row.unwrap_or(NONE),
                        reason: NONE,
                        sittings: state.sittings,
                        problem: Problem::Failed,
                        first_passed: state.first_pass,
                        final_passed: state.final_pass,
                    });
                }
            } else {
                counts.absent = 1;
                if ctx.people {
                    out.people.push(PersonRow {
                        staff: c,
                        exam: e,
                        session: state.last_row.unwrap_or(NONE),
                        reason: unaccepted,
                        sittings: 0,
                        problem: Problem::Absent,
                        first_passed: false,
                        final_passed: false,
                    });
                }
            }
        }
        let su = c as usize;
        cells.add(st.hospital[su], st.department[su], st.category[su], counts);
    }
    while i < sits.len() {
        not_expected(sits[i], &mut out);
        i += 1;
    }
    // Exemptions-table rows for this exam whose person is not expected at it.
    if ctx.people {
        for &s in &ctx.ex.by_exam[e as usize] {
            if audited.binary_search(&s).is_ok() {
                continue;
            }
            if let Some(list) = ctx.ex.by_staff.get(&s) {
                for (k, x) in list.iter().enumerate() {
                    if x.exam == e {
                        out.audit.push(AuditRaw {
                            staff: s,
                            exam: e,
                            ex: k,
                            outcome: ExemptionOutcome::NotExpected,
                        });
                    }
                }
            }
        }
    }
    out.cells = cells.into_cells(e);
    out.audit.sort_by_key(|a| (a.staff, a.ex));
    out
}

/// An exam's counts per (hospital, department, category) cell: a dense table over departments
/// × categories when the exam is one hospital's (every candidate is of that hospital), else a
/// hash map.
enum CellCounts {
    Dense {
        hospital: u32,
        n_categories: usize,
        counts: Vec<Counts>,
    },
    Map(FxHashMap<(u32, u32, u32), Counts>),
}

/// Largest dense table (departments × categories).
const DENSE_CELLS: usize = 1 << 14;

impl CellCounts {
    fn new(ctx: &Ctx<'_, '_>, def: &ExamDef) -> CellCounts {
        let st = ctx.staff;
        let (n_d, n_c) = (st.departments.len(), st.categories.len());
        if def.hospital != NONE && !def.hospital_unknown && n_d * n_c <= DENSE_CELLS {
            CellCounts::Dense {
                hospital: def.hospital,
                n_categories: n_c,
                counts: vec![Counts::default(); n_d * n_c],
            }
        } else {
            CellCounts::Map(FxHashMap::default())
        }
    }

    #[inline(always)]
    fn add(&mut self, h: u32, d: u32, c: u32, counts: Counts) {
        if let CellCounts::Dense {
            hospital,
            n_categories,
            counts: table,
        } = self
        {
            if h == *hospital && (c as usize) < *n_categories {
                if let Some(cell) = table.get_mut(d as usize * *n_categories + c as usize) {
                    *cell += counts;
                    return;
                }
            }
        }
        self.add_slow(h, d, c, counts);
    }

    #[cold]
    #[inline(never)]
    fn add_slow(&mut self, h: u32, d: u32, c: u32, counts: Counts) {
        if let CellCounts::Dense {
            hospital,
            n_categories,
            counts: table,
        } = self
        {
            // not expected (every candidate is of the exam's hospital), but kept exact
            let mut map = FxHashMap::default();
            for (i, cell) in table.iter().enumerate() {
                if *cell != Counts::default() {
                    let (d, c) = (i / *n_categories, i % *n_categories);
                    map.insert((*hospital, d as u32, c as u32), *cell);
                }
            }
            *self = CellCounts::Map(map);
        }
        if let CellCounts::Map(map) = self {
            *map.entry((h, d, c)).or_default() += counts;
        }
    }

    /// The cells with counts, ordered by hospital, department and category.
    fn into_cells(self, exam: u32) -> Vec<Cell> {
        let cell = |(h, d, c): (u32, u32, u32), counts: Counts| Cell {
            exam,
            hospital: h,
            department: d,
            category: c,
            counts,
        };
        match self {
            // every cell a candidate was counted in has expected or exempt 1
            CellCounts::Dense {
                hospital,
                n_categories,
                counts,
            } => counts
                .into_iter()
                .enumerate()
                .filter(|(_, c)| *c != Counts::default())
                .map(|(i, c)| {
                    let (d, k) = (i / n_categories, i % n_categories);
                    cell((hospital, d as u32, k as u32), c)
                })
                .collect(),
            CellCounts::Map(map) => {
                let mut v: Vec<Cell> = map.into_iter().map(|(k, c)| cell(k, c)).collect();
                v.sort_unstable_by_key(|c| (c.hospital, c.department, c.category));
                v
            }
        }
    }
}

#[derive(Default)]
struct PersonState {
    sat: bool,
    first_pass: bool,
    final_pass: bool,
    makeup_sat: bool,
    sittings: u16,
    last_row: Option<u32>,
}

/// The outcome of one person's sittings at one exam (sorted by attempt, then row). Duplicate
/// attempts and make-ups without a first attempt are rejected here.
fn person_state<K: Key>(
    ctx: &Ctx<'_, '_>,
    rule: &ReadyRule,
    group: &[K],
    valid: &mut Vec<K>,
    rej: &mut Vec<Rejection>,
) -> PersonState {
    let mut st = PersonState::default();
    if group.is_empty() {
        return st;
    }
    valid.clear();
    let mut k = 0;
    while k < group.len() {
        let a = ctx.layout.attempt(group[k]);
        let mut m = k + 1;
        while m < group.len() && ctx.layout.attempt(group[m]) == a {
            m += 1;
        }
        if m - k == 1 {
            valid.push(group[k]);
        } else {
            let first = group[k];
            let identical = group[k + 1..m]
                .iter()
                .all(|o| same_sitting(ctx, ctx.layout.row(first), ctx.layout.row(*o)));
            let key = format!(
                "staff {:?}, exam {:?}, attempt {a}",
                ctx.staff.ids.names[ctx.layout.staff(first) as usize],
                ctx.exams.ids.names[ctx.layout.exam(first) as usize]
            );
            let kept = identical.then_some(ctx.layout.row(first) as usize);
            let skip = if identical { k + 1 } else { k };
            for o in &group[skip..m] {
                rej.push(Rejection {
                    table: Table::Sittings,
                    row: ctx.layout.row(*o) as usize,
                    reason: RejectReason::Duplicate {
                        key: key.clone(),
                        kept_row: kept,
                        rows: m - k,
                    },
                });
            }
            if identical {
                valid.push(first);
            }
        }
        k = m;
    }
    if valid.first().is_some_and(|f| ctx.layout.attempt(*f) != 1) {
        for o in valid.iter() {
            rej.push(Rejection {
                table: Table::Sittings,
                row: ctx.layout.row(*o) as usize,
                reason: RejectReason::MakeupWithoutFirst {
                    attempt: ctx.layout.attempt(*o) as u32,
                },
            });
        }
        valid.clear();
    }
    let mut makeup_pass = false;
    for k in valid.iter() {
        let f = ctx.layout.flags(*k);
        let sat = f & SAT != 0;
        let passed = f & PASSED != 0;
        st.last_row = Some(ctx.layout.row(*k));
        if !sat {
            continue;
        }
        st.sat = true;
        st.sittings = st.sittings.saturating_add(1);
        if ctx.layout.attempt(*k) == 1 {
            st.first_pass = passed;
        } else {
            st.makeup_sat = true;
            makeup_pass |= passed;
        }
    }
    st.final_pass = st.first_pass || (rule.makeup_counts && makeup_pass);
    st
}

/// Whether two sitting rows hold the same values (for identical duplicates).
fn same_sitting(ctx: &Ctx<'_, '_>, a: u32, b: u32) -> bool {
    let s = ctx.sittings;
    let (Some((ca, ia)), Some((cb, ib))) = (
        s.locate(&ctx.starts, a as usize),
        s.locate(&ctx.starts, b as usize),
    ) else {
        return false;
    };
    let num_eq = |x: Num, y: Num| x.as_f64() == y.as_f64();
    let score_eq = match (&ca.score, &cb.score) {
        (Some(x), Some(y)) => num_eq(x.get(ia), y.get(ib)),
        (None, None) => true,
        _ => false,
    };
    let comps_eq = ca
        .components
        .iter()
        .zip(&cb.components)
        .all(|(x, y)| num_eq(x.get(ia), y.get(ib)));
    score_eq && comps_eq && session_of(ca, ia) == session_of(cb, ib)
}

pub(crate) fn session_of<'a>(c: &SittingsChunk<'a>, i: usize) -> Option<&'a str> {
    c.session_id.as_ref().and_then(|s| s.get(i))
}
