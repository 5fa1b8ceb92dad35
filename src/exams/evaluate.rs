//! The evaluation: who was expected at which exam, who sat, who passed.
//!
//! 1. The roster, exams table and exemptions are read and interned ([`super::prepare`]).
//! 2. Each sitting row is resolved in parallel (chunks of rows, rayon) into one packed 128-bit
//!    record `(exam, staff, attempt, row, sat?, passed?)`; bad rows become rejections.
//! 3. The records are sorted (in parallel, in place) by exam, staff, attempt and row, so each
//!    exam is a contiguous slice and each person's attempts are adjacent.
//! 4. Each exam is processed independently (rayon over exams): its expected staff, in staff-id
//!    order, are merged with its sittings; duplicates and make-ups without a first attempt are
//!    rejected; counts are accumulated per (hospital, department, category) cell.
//! 5. Cells, people, exemption records and rejections are merged and sorted by key.
//!
//! Ids are assigned in string order and every output is sorted, so the result does not depend
//! on the input row order or on the number of threads.

use super::column::Num;
use super::column::StrCol;
use super::date::Date;
use super::error::{ExamError, NotExpectedWhy, RejectReason, Rejection, RowCount, Table};
use super::exam_table::Exams;
use super::exemptions::Exemptions;
use super::idtable::Probe;
use super::names::Names;
use super::people::{ExemptionOutcome, ExemptionRecord, ExemptionSource, PersonIssue, Problem};
use super::policy::{ComponentRule, Judge, PassDenominator, Policy};
use super::prepare::{
    prepare_exams, prepare_exemptions, prepare_roster, row_u32, Dict, ExSource, ExamDef, ExamSet,
    ExemptionIndex, ReadyRule, StaffTable, NONE,
};
use super::roster::Roster;
use super::sittings::{Sittings, SittingsChunk};
use super::summary::Counts;
use crate::ratio::{decimal_from_f64, Target};
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;

/// The input tables of an evaluation.
#[derive(Clone, Debug)]
pub struct ExamInput<'a> {
    /// The roster.
    pub roster: Roster<'a>,
    /// The sittings.
    pub sittings: Sittings<'a>,
    /// The exams table, if any.
    pub exams: Option<Exams<'a>>,
    /// The per-exam exemptions, if any.
    pub exemptions: Option<Exemptions<'a>>,
}

impl<'a> ExamInput<'a> {
    /// Roster and sittings, without an exams table or exemptions.
    pub fn new(roster: Roster<'a>, sittings: Sittings<'a>) -> ExamInput<'a> {
        ExamInput {
            roster,
            sittings,
            exams: None,
            exemptions: None,
        }
    }

    /// Add the exams table.
    pub fn with_exams(mut self, exams: Exams<'a>) -> Self {
        self.exams = Some(exams);
        self
    }

    /// Add the exemptions table.
    pub fn with_exemptions(mut self, exemptions: Exemptions<'a>) -> Self {
        self.exemptions = Some(exemptions);
        self
    }
}

/// Options of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalOptions {
    /// Lenient mode: bad rows are rejected and listed in the result instead of failing the
    /// evaluation. Default false (strict).
    pub lenient: bool,
    /// The date on which staff must be employed for exams without a date (all exams when there
    /// is no exams table). `None`: employment is only checked against exam dates.
    pub reference_date: Option<Date>,
    /// Collect the people behind the gaps (absent / failed) and the exemption audit list.
    /// Default true; turn off to save time and memory at province scale when only counts are
    /// needed.
    pub people: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            lenient: false,
            reference_date: None,
            people: true,
        }
    }
}

impl EvalOptions {
    /// Default options in lenient mode.
    pub fn lenient() -> EvalOptions {
        EvalOptions {
            lenient: true,
            ..EvalOptions::default()
        }
    }
}

/// Row counts per input table; each adds up (`input = used + rejected`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowAccounting {
    /// The roster.
    pub roster: RowCount,
    /// The sittings.
    pub sittings: RowCount,
    /// The exams table (zero rows when absent).
    pub exams: RowCount,
    /// The exemptions table (zero rows when absent).
    pub exemptions: RowCount,
}

impl RowAccounting {
    /// Whether every table's counts add up.
    pub fn adds_up(&self) -> bool {
        self.roster.adds_up()
            && self.sittings.adds_up()
            && self.exams.adds_up()
            && self.exemptions.adds_up()
    }
}

/// Counts for one (exam, hospital, department, category) cell: the finest grain the engine
/// keeps; summaries and measures are sums of cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    pub(crate) exam: u32,
    pub(crate) hospital: u32,
    pub(crate) department: u32,
    pub(crate) category: u32,
    pub(crate) counts: Counts,
}

/// The result of [`evaluate`]: counts per cell, the people behind the gaps, the exemption
/// audit, rejected rows and row accounting. Group it with [`ExamEvaluation::summary`]; take
/// figures for rulebook criteria with [`ExamEvaluation::measure`].
#[derive(Debug, Clone)]
pub struct ExamEvaluation {
    pub(crate) cells: Vec<Cell>,
    pub(crate) hospitals: Names,
    pub(crate) departments: Names,
    pub(crate) categories: Names,
    pub(crate) exams: Names,
    pub(crate) kinds: Names,
    pub(crate) exam_kind: Vec<u32>,
    pub(crate) staff: Names,
    /// Per staff: hospital, department, category ids.
    pub(crate) staff_attrs: Vec<[u32; 3]>,
    pub(crate) sessions: Names,
    pub(crate) reason_texts: Names,
    pub(crate) people: Vec<PersonRow>,
    pub(crate) participation_target: Target,
    pub(crate) pass_target: Target,
    pub(crate) pass_denominator: PassDenominator,
    /// Every exemption on record for a person in an exam's scope (and every exemptions-table
    /// row naming an exam its person is not expected at), with its outcome; ordered by exam id,
    /// staff id, then source.
    pub exemptions: Vec<ExemptionRecord>,
    /// Rejected rows (lenient mode; empty in strict mode), ordered by table and row.
    pub rejections: Vec<Rejection>,
    /// Row counts per table.
    pub rows: RowAccounting,
}

impl ExamEvaluation {
    /// The exam ids, in order.
    pub fn exam_ids(&self) -> impl ExactSizeIterator<Item = &str> {
        (0..self.exams.len() as u32).map(|i| self.exams.get(i))
    }

    /// Staff expected but absent without an accepted exemption, and staff who failed; ordered
    /// by exam id, then staff id. (Empty when [`EvalOptions::people`] is false.)
    pub fn people(&self) -> impl ExactSizeIterator<Item = PersonIssue<'_>> {
        self.people.iter().map(|r| self.person_view(r))
    }

    /// Number of people in [`ExamEvaluation::people`].
    pub fn people_len(&self) -> usize {
        self.people.len()
    }

    fn person_view(&self, r: &PersonRow) -> PersonIssue<'_> {
        fn opt(n: &Names, id: u32) -> Option<&str> {
            (id != NONE).then(|| n.get(id))
        }
        let [h, d, c] = self
            .staff_attrs
            .get(r.staff as usize)
            .copied()
            .unwrap_or([NONE; 3]);
        let kind = self.exam_kind.get(r.exam as usize).copied().unwrap_or(NONE);
        PersonIssue {
            staff_id: self.staff.get(r.staff),
            exam_id: self.exams.get(r.exam),
            exam_kind: opt(&self.kinds, kind),
            hospital_id: opt(&self.hospitals, h),
            department: self.departments.get(d),
            category: self.categories.get(c),
            problem: r.problem,
            unaccepted_reason: (r.reason != NONE).then(|| self.reason_texts.get(r.reason)),
            sittings: r.sittings as u32,
            first_passed: r.first_passed,
            final_passed: r.final_passed,
            session_id: opt(&self.sessions, r.session),
        }
    }

    /// The participation target used for `participation_met`.
    pub fn participation_target(&self) -> Target {
        self.participation_target
    }

    /// The pass target used for `pass_met`.
    pub fn pass_target(&self) -> Target {
        self.pass_target
    }

    /// The pass rates' denominator used.
    pub fn pass_denominator(&self) -> PassDenominator {
        self.pass_denominator
    }
}

// ---- packed sitting records ----
//
// bits 96..128 exam | 64..96 staff | 48..64 attempt | 8..40 row | 0..8 flags

const SAT: u8 = 1;
const PASSED: u8 = 2;

#[inline]
fn pack(exam: u32, staff: u32, attempt: u16, row: u32, flags: u8) -> u128 {
    ((exam as u128) << 96)
        | ((staff as u128) << 64)
        | ((attempt as u128) << 48)
        | ((row as u128) << 8)
        | flags as u128
}
#[inline]
fn p_exam(k: u128) -> u32 {
    (k >> 96) as u32
}
#[inline]
fn p_staff(k: u128) -> u32 {
    (k >> 64) as u32
}
#[inline]
fn p_attempt(k: u128) -> u16 {
    (k >> 48) as u16
}
#[inline]
fn p_row(k: u128) -> u32 {
    (k >> 8) as u32
}
#[inline]
fn p_flags(k: u128) -> u8 {
    k as u8
}

/// A range of sitting rows inside one chunk.
#[derive(Clone, Copy)]
struct Unit {
    chunk: usize,
    start: usize,
    end: usize,
    base: usize,
}

const UNIT_ROWS: usize = 1 << 15;

fn units(s: &Sittings<'_>) -> Vec<Unit> {
    let mut v = Vec::new();
    let mut base = 0;
    for (ci, c) in s.chunks.iter().enumerate() {
        let mut start = 0;
        while start < c.len {
            let end = (start + UNIT_ROWS).min(c.len);
            v.push(Unit {
                chunk: ci,
                start,
                end,
                base,
            });
            start = end;
        }
        base += c.len;
    }
    v
}

struct Ctx<'c, 'a> {
    sittings: &'c Sittings<'a>,
    staff: &'c StaffTable<'a>,
    exams: &'c ExamSet<'a>,
    ex: &'c ExemptionIndex<'a>,
    all_staff: Vec<u32>,
    people: bool,
}

/// Evaluate exams: see the module docs of [`crate::exams`] for the definitions.
///
/// Runs on the current rayon thread pool (use `ThreadPool::install` to choose the threads).
/// Strict mode (the default) fails with [`ExamError::BadRows`] if any row is bad; lenient mode
/// rejects those rows and lists them in [`ExamEvaluation::rejections`].
pub fn evaluate(
    input: &ExamInput<'_>,
    policy: &Policy,
    options: &EvalOptions,
) -> Result<ExamEvaluation, ExamError> {
    policy.validate()?;
    let sittings = &input.sittings;
    row_u32(Table::Sittings, sittings.len())?;
    let mut rejections = Vec::new();
    let staff = prepare_roster(&input.roster, &mut rejections)?;
    let units = units(sittings);

    let discovered = if input.exams.is_none() {
        discover_exams(sittings, &units)
    } else {
        Vec::new()
    };
    let exams = prepare_exams(
        input.exams.as_ref(),
        discovered,
        &staff,
        policy,
        sittings,
        options.reference_date,
        &mut rejections,
    )?;
    let ex = prepare_exemptions(
        input.exemptions.as_ref(),
        &staff,
        &exams,
        policy,
        &mut rejections,
    )?;
    let ctx = Ctx {
        sittings,
        staff: &staff,
        exams: &exams,
        ex: &ex,
        all_staff: (0..staff.len() as u32).collect(),
        people: options.people,
    };

    // 2. resolve rows
    let mut packed = vec![u128::MAX; sittings.len()];
    let mut slices: Vec<&mut [u128]> = Vec::with_capacity(units.len());
    let mut rest: &mut [u128] = &mut packed;
    for u in &units {
        let (a, b) = rest.split_at_mut(u.end - u.start);
        slices.push(a);
        rest = b;
    }
    let dict_maps = dictionary_maps(sittings, &staff.ids, &exams.ids);
    let resolve_rejections: Vec<Vec<Rejection>> = slices
        .into_par_iter()
        .zip(units.par_iter())
        .map(|(out, u)| resolve_unit(&ctx, u, dict_maps.chunk(u.chunk), out))
        .collect();
    let mut n_rejected_rows = 0;
    for r in resolve_rejections {
        n_rejected_rows += r.len();
        rejections.extend(r);
    }

    // 3. sort
    packed.par_sort_unstable();
    packed.truncate(sittings.len() - n_rejected_rows);

    // 4. per exam
    let n_exams = exams.ids.len();
    let mut bounds = Vec::with_capacity(n_exams + 1);
    for e in 0..=n_exams {
        bounds.push(packed.partition_point(|k| (p_exam(*k) as usize) < e));
    }
    let partials: Vec<ExamPartial> = (0..n_exams)
        .into_par_iter()
        .map(|e| process_exam(&ctx, e as u32, &packed[bounds[e]..bounds[e + 1]]))
        .collect();
    drop(packed);

    // 5. merge
    let mut cells = Vec::new();
    let mut people = Vec::new();
    let mut audit_raw = Vec::new();
    let mut reason_texts = Names::default();
    let mut session_ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut sessions = Names::default();
    for p in partials {
        cells.extend(p.cells);
        let offset = reason_texts.len() as u32;
        for t in &p.reason_texts {
            reason_texts.push(t);
        }
        people.reserve(p.people.len());
        for mut row in p.people {
            if row.reason != NONE {
                row.reason += offset;
            }
            // `session` holds the sitting row until here; now the session's id.
            row.session = match sittings.locate(row.session as usize) {
                Some((c, i)) if row.session != NONE => match session_of(c, i) {
                    Some(name) => *session_ids
                        .entry(name)
                        .or_insert_with(|| sessions.push(name)),
                    None => NONE,
                },
                _ => NONE,
            };
            people.push(row);
        }
        audit_raw.extend(p.audit);
        rejections.extend(p.rejections);
    }
    rejections.sort_by_key(|r| (r.table, r.row));

    let count = |t: Table, input: usize| {
        RowCount::new(input, rejections.iter().filter(|r| r.table == t).count())
    };
    let rows = RowAccounting {
        roster: count(Table::Roster, input.roster.len()),
        sittings: count(Table::Sittings, sittings.len()),
        exams: count(Table::Exams, input.exams.as_ref().map_or(0, |e| e.len())),
        exemptions: count(
            Table::Exemptions,
            input.exemptions.as_ref().map_or(0, |e| e.len()),
        ),
    };
    if !options.lenient && !rejections.is_empty() {
        return Err(ExamError::bad_rows(rejections));
    }

    let exemptions = audit_raw
        .into_iter()
        .map(|a| {
            let x = &ex.by_staff[&a.staff][a.ex];
            ExemptionRecord {
                staff_id: staff.ids.names[a.staff as usize].to_string(),
                exam_id: exams.ids.names[a.exam as usize].to_string(),
                reason: x.reason.to_string(),
                accepted: x.accepted,
                source: match x.source {
                    ExSource::Roster => ExemptionSource::Roster,
                    ExSource::Table(r) => ExemptionSource::Table { row: r as usize },
                },
                outcome: a.outcome,
            }
        })
        .collect();
    Ok(ExamEvaluation {
        cells,
        hospitals: staff.hospitals.owned(),
        departments: staff.departments.owned(),
        categories: staff.categories.owned(),
        exams: exams.ids.owned(),
        kinds: exams.kinds.owned(),
        exam_kind: exams.defs.iter().map(|d| d.kind).collect(),
        staff: staff.table.names.clone(),
        staff_attrs: (0..staff.len())
            .map(|s| [staff.hospital[s], staff.department[s], staff.category[s]])
            .collect(),
        sessions,
        reason_texts,
        participation_target: policy.participation_target,
        pass_target: policy.pass_target,
        pass_denominator: policy.pass_rate_denominator,
        people,
        exemptions,
        rejections,
        rows,
    })
}

fn discover_exams<'a>(s: &Sittings<'a>, units: &[Unit]) -> Vec<&'a str> {
    let set: FxHashSet<&'a str> = units
        .par_iter()
        .map(|u| {
            let c = &s.chunks[u.chunk];
            let mut set = FxHashSet::default();
            for i in u.start..u.end {
                if let Some(e) = c.exam_id.get(i) {
                    set.insert(e);
                }
            }
            set
        })
        .reduce(FxHashSet::default, |mut a, b| {
            if a.len() < b.len() {
                return reduce_into(b, a);
            }
            a.extend(b);
            a
        });
    set.into_iter().collect()
}

fn reduce_into<'a>(mut a: FxHashSet<&'a str>, b: FxHashSet<&'a str>) -> FxHashSet<&'a str> {
    a.extend(b);
    a
}

/// Result of looking up an id column's value.
#[derive(Clone, Copy)]
enum Looked<'s> {
    Id(u32),
    Missing,
    NotFound(&'s str),
}

/// Per chunk: for dictionary-encoded id columns, dictionary index → interned id (NONE where
/// the value is not found: the row then takes the string path for its message).
#[derive(Clone, Copy, Default)]
struct ChunkMaps<'m> {
    staff: Option<&'m [u32]>,
    exam: Option<&'m [u32]>,
}

#[inline]
fn lookup<'s>(
    col: &StrCol<'s>,
    map: Option<&[u32]>,
    i: usize,
    find: impl Fn(&str) -> Option<u32>,
) -> Looked<'s> {
    #[cfg(feature = "arrow")]
    if let (Some(map), Some((keys, _))) = (map, col.dictionary()) {
        match keys.key(i) {
            None => return Looked::Missing,
            Some(k) => {
                if let Some(&id) = map.get(k) {
                    if id != NONE {
                        return Looked::Id(id);
                    }
                }
            }
        }
    }
    #[cfg(not(feature = "arrow"))]
    let _ = map;
    match col.get(i) {
        None => Looked::Missing,
        Some(s) => match find(s) {
            Some(id) => Looked::Id(id),
            None => Looked::NotFound(s),
        },
    }
}

/// Maps for dictionary-encoded staff and exam columns: the maps, and per chunk the index of
/// its staff map and exam map. Chunks sharing a dictionary share its map.
struct DictMaps {
    maps: Vec<Vec<u32>>,
    per_chunk: Vec<[Option<usize>; 2]>,
}

impl DictMaps {
    fn chunk(&self, c: usize) -> ChunkMaps<'_> {
        let get = |k: Option<usize>| k.and_then(|k| self.maps.get(k)).map(Vec::as_slice);
        match self.per_chunk.get(c) {
            Some([s, e]) => ChunkMaps {
                staff: get(*s),
                exam: get(*e),
            },
            None => ChunkMaps::default(),
        }
    }
}

fn dictionary_maps(s: &Sittings<'_>, staff: &Dict<'_>, exams: &Dict<'_>) -> DictMaps {
    let mut out = DictMaps {
        maps: Vec::new(),
        per_chunk: Vec::with_capacity(s.chunks.len()),
    };
    #[cfg(feature = "arrow")]
    {
        let mut seen: FxHashMap<(usize, usize, usize), usize> = FxHashMap::default();
        let mut map_of = |col: &StrCol<'_>, which: usize, dict: &Dict<'_>| -> Option<usize> {
            let (_, values) = col.dictionary()?;
            let key = (values.identity(), values.len(), which);
            if let Some(k) = seen.get(&key) {
                return Some(*k);
            }
            let m: Vec<u32> = (0..values.len())
                .map(|k| values.get(k).and_then(|v| dict.get(v)).unwrap_or(NONE))
                .collect();
            out.maps.push(m);
            seen.insert(key, out.maps.len() - 1);
            Some(out.maps.len() - 1)
        };
        let per: Vec<[Option<usize>; 2]> = s
            .chunks
            .iter()
            .map(|c| [map_of(&c.staff_id, 0, staff), map_of(&c.exam_id, 1, exams)])
            .collect();
        out.per_chunk = per;
    }
    #[cfg(not(feature = "arrow"))]
    {
        let _ = (staff, exams);
        out.per_chunk = vec![[None, None]; s.chunks.len()];
    }
    out
}

fn resolve_unit(
    ctx: &Ctx<'_, '_>,
    u: &Unit,
    maps: ChunkMaps<'_>,
    out: &mut [u128],
) -> Vec<Rejection> {
    let c = &ctx.sittings.chunks[u.chunk];
    let table = &ctx.staff.table;
    let mut rej = Vec::new();
    // Sittings usually come grouped by exam: remember the last exam id looked up.
    let mut last_exam: Option<(&str, u32)> = None;
    // Staff ids are looked up a block of rows at a time: first every row's first slot is
    // loaded (independent loads that overlap), then the keys are compared.
    const BLOCK: usize = 32;
    let mut probes: [Option<(&str, Probe)>; BLOCK] = [None; BLOCK];
    let mut looked: [Looked<'_>; BLOCK] = [Looked::Missing; BLOCK];
    let mut start = u.start;
    while start < u.end {
        let end = (start + BLOCK).min(u.end);
        if maps.staff.is_some() {
            for (k, i) in (start..end).enumerate() {
                looked[k] = lookup(&c.staff_id, maps.staff, i, |s| table.get(s));
            }
        } else {
            for (k, i) in (start..end).enumerate() {
                probes[k] = c.staff_id.get(i).map(|s| (s, table.start(s)));
            }
            for k in 0..end - start {
                looked[k] = match probes[k] {
                    None => Looked::Missing,
                    Some((s, p)) => match table.finish(s, p) {
                        Some(id) => Looked::Id(id),
                        None => Looked::NotFound(s),
                    },
                };
            }
        }
        let slots = &mut out[start - u.start..end - u.start];
        for (k, (slot, i)) in slots.iter_mut().zip(start..end).enumerate() {
            let row = u.base + i;
            match resolve_row(ctx, c, maps, i, row, looked[k], &mut last_exam) {
                Ok(key) => *slot = key,
                Err(reason) => rej.push(Rejection {
                    table: Table::Sittings,
                    row,
                    reason,
                }),
            }
        }
        start = end;
    }
    rej
}

#[inline]
fn check_score(rule: &ReadyRule, column: &str, v: Num) -> Result<Option<f64>, RejectReason> {
    let Some(x) = v.as_f64() else {
        return Ok(None);
    };
    if x.is_nan() {
        return Err(RejectReason::NanScore {
            column: column.to_string(),
        });
    }
    if !(rule.zero.holds(x) && rule.full.holds(x)) {
        return Err(RejectReason::ScoreOutOfRange {
            column: column.to_string(),
            value: x,
            full_mark: rule.full_mark,
        });
    }
    Ok(Some(x))
}

#[inline]
fn resolve_row<'s>(
    ctx: &Ctx<'_, '_>,
    c: &SittingsChunk<'s>,
    maps: ChunkMaps<'_>,
    i: usize,
    row: usize,
    staff: Looked<'s>,
    last_exam: &mut Option<(&'s str, u32)>,
) -> Result<u128, RejectReason> {
    let missing = |col: &str| RejectReason::MissingValue {
        column: col.to_string(),
    };
    let staff = match staff {
        Looked::Id(id) => id,
        Looked::Missing => return Err(missing("staff_id")),
        Looked::NotFound(s) if ctx.staff.rejected.contains(s) => {
            return Err(RejectReason::StaffRejected {
                staff_id: s.to_string(),
            })
        }
        Looked::NotFound(s) => {
            return Err(RejectReason::UnknownStaff {
                staff_id: s.to_string(),
            })
        }
    };
    let looked = match maps.exam {
        Some(_) => lookup(&c.exam_id, maps.exam, i, |e| ctx.exams.ids.get(e)),
        None => match c.exam_id.get(i) {
            None => Looked::Missing,
            Some(e) => match last_exam {
                Some((name, id)) if *name == e => Looked::Id(*id),
                _ => match ctx.exams.ids.get(e) {
                    Some(id) => {
                        *last_exam = Some((e, id));
                        Looked::Id(id)
                    }
                    None => Looked::NotFound(e),
                },
            },
        },
    };
    let exam = match looked {
        Looked::Id(id) => id,
        Looked::Missing => return Err(missing("exam_id")),
        Looked::NotFound(e) if ctx.exams.rejected.contains(e) => {
            return Err(RejectReason::ExamRejected {
                exam_id: e.to_string(),
            })
        }
        Looked::NotFound(e) => {
            return Err(RejectReason::UnknownExam {
                exam_id: e.to_string(),
            })
        }
    };
    let attempt: u16 = match &c.attempt {
        None => 1,
        Some(col) => {
            let v = col.get(i);
            let bad = || RejectReason::BadAttempt {
                value: v.describe(),
            };
            match v {
                Num::Null => return Err(missing("attempt")),
                Num::Int(a) => u16::try_from(a).ok().filter(|a| *a >= 1).ok_or_else(bad)?,
                Num::Float(f) => {
                    if f.fract() == 0.0 && (1.0..=u16::MAX as f64).contains(&f) {
                        f as u16
                    } else {
                        return Err(bad());
                    }
                }
            }
        }
    };
    let rule = &ctx.exams.rules[ctx.exams.defs[exam as usize].rule];
    let total = match &c.score {
        Some(col) => check_score(rule, "score", col.get(i))?,
        None => None,
    };
    let mut any_comp = false;
    for (k, col) in c.components.iter().enumerate() {
        if check_score(rule, &ctx.sittings.component_names[k], col.get(i))?.is_some() {
            any_comp = true;
        }
    }
    let sat = total.is_some() || any_comp;
    let passed = sat && passes(rule, c, i, total, any_comp)?;
    let flags = if sat { SAT } else { 0 } | if passed { PASSED } else { 0 };
    Ok(pack(exam, staff, attempt, row as u32, flags))
}

/// Whether a sat sitting passes (scores already validated).
fn passes(
    rule: &ReadyRule,
    c: &SittingsChunk<'_>,
    i: usize,
    total: Option<f64>,
    any_comp: bool,
) -> Result<bool, RejectReason> {
    let comp = |k: usize| c.components.get(k).and_then(|col| col.get(i).as_f64());
    match rule.components {
        ComponentRule::All => {
            if !rule.required.is_empty() {
                Ok(rule
                    .required
                    .iter()
                    .all(|k| comp(*k).is_some_and(|v| rule.pass.holds(v))))
            } else if any_comp {
                Ok((0..c.components.len())
                    .filter_map(comp)
                    .all(|v| rule.pass.holds(v)))
            } else {
                Ok(total.is_some_and(|t| rule.pass.holds(t)))
            }
        }
        ComponentRule::Total => {
            if let Some(t) = total {
                Ok(rule.pass.holds(t))
            } else if let Some(w) = &rule.weights {
                let mut sum = Decimal::ZERO;
                for (k, wk) in w.iter().enumerate() {
                    if let Some(v) = comp(k) {
                        let d = decimal_from_f64(v).unwrap_or(Decimal::ZERO);
                        sum += d * *wk;
                    }
                }
                Ok(sum >= rule.pass_mark)
            } else {
                Err(RejectReason::NoTotal)
            }
        }
    }
}

// ---- per exam ----

/// A person behind a gap, compactly (strings are looked up when viewed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PersonRow {
    staff: u32,
    exam: u32,
    /// The session id (NONE = none); while per-exam, the row of the last sitting.
    session: u32,
    /// Index into the reason texts (NONE = none).
    reason: u32,
    sittings: u16,
    problem: Problem,
    first_passed: bool,
    final_passed: bool,
}

struct AuditRaw {
    staff: u32,
    exam: u32,
    /// Index into the staff's exemption list.
    ex: usize,
    outcome: ExemptionOutcome,
}

struct ExamPartial {
    cells: Vec<Cell>,
    people: Vec<PersonRow>,
    reason_texts: Vec<String>,
    audit: Vec<AuditRaw>,
    rejections: Vec<Rejection>,
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

fn candidates<'c>(ctx: &'c Ctx<'_, '_>, def: &ExamDef, sits: &[u128]) -> Cow<'c, [u32]> {
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
            .map(|k| st.hospital_slot(st.hospital[p_staff(*k) as usize]))
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

fn process_exam(ctx: &Ctx<'_, '_>, e: u32, sits: &[u128]) -> ExamPartial {
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
    let mut cells: FxHashMap<(u32, u32, u32), Counts> = FxHashMap::default();
    let mut audited: Vec<u32> = Vec::new();
    let mut scratch: Vec<u128> = Vec::new();
    let cand = candidates(ctx, def, sits);
    let not_expected = |k: u128, out: &mut ExamPartial| {
        let why = scope_why(ctx, def, p_staff(k)).unwrap_or(NotExpectedWhy::Hospital);
        out.rejections.push(Rejection {
            table: Table::Sittings,
            row: p_row(k) as usize,
            reason: RejectReason::NotExpected { why },
        });
    };
    let mut i = 0;
    for &c in cand.iter() {
        if scope_why(ctx, def, c).is_some() {
            continue;
        }
        while i < sits.len() && p_staff(sits[i]) < c {
            not_expected(sits[i], &mut out);
            i += 1;
        }
        let mut j = i;
        while j < sits.len() && p_staff(sits[j]) == c {
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
        *cells
            .entry((st.hospital[su], st.department[su], st.category[su]))
            .or_default() += counts;
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
    let mut v: Vec<Cell> = cells
        .into_iter()
        .map(|((h, d, c), counts)| Cell {
            exam: e,
            hospital: h,
            department: d,
            category: c,
            counts,
        })
        .collect();
    v.sort_unstable_by_key(|c| (c.hospital, c.department, c.category));
    out.cells = v;
    out.audit.sort_by_key(|a| (a.staff, a.ex));
    out
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
fn person_state(
    ctx: &Ctx<'_, '_>,
    rule: &ReadyRule,
    group: &[u128],
    valid: &mut Vec<u128>,
    rej: &mut Vec<Rejection>,
) -> PersonState {
    let mut st = PersonState::default();
    if group.is_empty() {
        return st;
    }
    valid.clear();
    let mut k = 0;
    while k < group.len() {
        let a = p_attempt(group[k]);
        let mut m = k + 1;
        while m < group.len() && p_attempt(group[m]) == a {
            m += 1;
        }
        if m - k == 1 {
            valid.push(group[k]);
        } else {
            let first = group[k];
            let identical = group[k + 1..m]
                .iter()
                .all(|o| same_sitting(ctx, p_row(first), p_row(*o)));
            let key = format!(
                "staff {:?}, exam {:?}, attempt {a}",
                ctx.staff.ids.names[p_staff(first) as usize],
                ctx.exams.ids.names[p_exam(first) as usize]
            );
            let kept = identical.then_some(p_row(first) as usize);
            let skip = if identical { k + 1 } else { k };
            for o in &group[skip..m] {
                rej.push(Rejection {
                    table: Table::Sittings,
                    row: p_row(*o) as usize,
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
    if valid.first().is_some_and(|f| p_attempt(*f) != 1) {
        for o in valid.iter() {
            rej.push(Rejection {
                table: Table::Sittings,
                row: p_row(*o) as usize,
                reason: RejectReason::MakeupWithoutFirst {
                    attempt: p_attempt(*o) as u32,
                },
            });
        }
        valid.clear();
    }
    let mut makeup_pass = false;
    for k in valid.iter() {
        let f = p_flags(*k);
        let sat = f & SAT != 0;
        let passed = f & PASSED != 0;
        st.last_row = Some(p_row(*k));
        if !sat {
            continue;
        }
        st.sat = true;
        st.sittings = st.sittings.saturating_add(1);
        if p_attempt(*k) == 1 {
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
    let (Some((ca, ia)), Some((cb, ib))) = (s.locate(a as usize), s.locate(b as usize)) else {
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

fn session_of<'a>(c: &SittingsChunk<'a>, i: usize) -> Option<&'a str> {
    c.session_id.as_ref().and_then(|s| s.get(i))
}
