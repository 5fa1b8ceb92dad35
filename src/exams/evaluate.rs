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

use super::date::Date;
use super::error::{ExamError, Rejection, RowCount, Table};
use super::exam_table::Exams;
use super::exemptions::Exemptions;
use super::idtable::IdTable;
use super::names::Names;
use super::people::{ExemptionRecord, ExemptionSource, PersonIssue};
use super::per_exam::{process_exam, session_of, ExamPartial, PersonRow};
use super::policy::{PassDenominator, Policy};
use super::prepare::{
    prepare_exams, prepare_exemptions, prepare_roster, row_u32, ExSource, ExamSet, ExemptionIndex,
    StaffTable, NONE,
};
use super::resolve::{
    dictionary_maps, discover_exams, max_attempt, resolve_unit, unit_exams, units, DictMaps, Key,
    Layout, Unit,
};
use super::roster::Roster;
use super::sittings::Sittings;
use super::summary::Counts;
use crate::ratio::Target;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

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

/// What the parallel passes share.
pub(crate) struct Ctx<'c, 'a> {
    pub(crate) sittings: &'c Sittings<'a>,
    pub(crate) staff: &'c StaffTable<'a>,
    pub(crate) exams: &'c ExamSet<'a>,
    /// The exam ids, for the hot loop's lookups (same ids as `exams.ids`).
    pub(crate) exam_table: IdTable,
    /// Per exam, its rule's index in `exams.rules` (a compact copy of `exams.defs[e].rule`
    /// for the hot loop).
    pub(crate) rule_of: Vec<u32>,
    pub(crate) ex: &'c ExemptionIndex<'a>,
    pub(crate) all_staff: Vec<u32>,
    /// First row of each sittings chunk.
    pub(crate) starts: Vec<usize>,
    pub(crate) people: bool,
    /// How sitting rows are packed into sort keys.
    pub(crate) layout: Layout,
}

/// Steps 2 to 4 with keys of type `K`: resolve every sitting row into a key (bad rows become
/// rejections), group the keys by exam and sort each exam's, and evaluate each exam. Returns
/// the per-exam partials and the resolve step's rejections.
///
/// The rows are split into groups of units (contiguous row ranges), each resolved by one task
/// into its own region of the key buffer, laid out by exam: the task first looks up every
/// row's exam id and counts them, then writes each row's key at its exam's next slot. An
/// exam's keys are then its segments of the regions, in row order, and sorting them (a few
/// thousand keys, in cache) gives the order by staff, attempt and row — instead of sorting all
/// the keys at once. With very many exams (more bucket offsets than rows) every key is sorted
/// instead (`sorted`).
fn keyed<K: Key>(
    ctx: &Ctx<'_, '_>,
    units: &[Unit],
    dict_maps: &DictMaps,
    force_sorted: bool,
) -> (Vec<ExamPartial>, Vec<Rejection>) {
    let n_rows = ctx.sittings.len();
    let n_exams = ctx.exams.ids.len();
    let tasks = 4 * rayon::current_num_threads().max(1);
    let per_group = units.len().div_ceil(tasks).clamp(1, 32);
    let groups: Vec<&[Unit]> = units.chunks(per_group).collect();
    if force_sorted || (n_exams + 1).saturating_mul(groups.len()) > n_rows.max(1 << 16) {
        return sorted::<K>(ctx, units, dict_maps);
    }
    let mut packed = vec![K::ZERO; n_rows];
    let sizes: Vec<usize> = groups
        .iter()
        .map(|g| g.iter().map(|u| u.end - u.start).sum())
        .collect();
    let mut regions: Vec<&mut [K]> = Vec::with_capacity(groups.len());
    let mut rest: &mut [K] = &mut packed;
    for n in &sizes {
        let (a, b) = rest.split_at_mut(*n);
        regions.push(a);
        rest = b;
    }
    // Per group: the start of each exam's segment in its region (n_exams + 1 offsets).
    let resolved: Vec<(Vec<u32>, Vec<Rejection>)> = regions
        .into_par_iter()
        .zip(groups.par_iter())
        .map(|(region, g)| resolve_group(ctx, g, dict_maps, n_exams, region))
        .collect();
    let mut rejections = Vec::new();
    let mut offsets = Vec::with_capacity(resolved.len());
    for (o, r) in resolved {
        offsets.push(o);
        rejections.extend(r);
    }
    let mut region_start = Vec::with_capacity(sizes.len());
    let mut at = 0;
    for n in &sizes {
        region_start.push(at);
        at += n;
    }
    let packed = &packed;
    let partials: Vec<ExamPartial> = (0..n_exams)
        .into_par_iter()
        .map_init(Vec::new, |keys: &mut Vec<K>, e| {
            keys.clear();
            for (o, start) in offsets.iter().zip(&region_start) {
                let (a, b) = (o[e] as usize, o[e + 1] as usize);
                keys.extend_from_slice(&packed[start + a..start + b]);
            }
            keys.sort_unstable();
            // Rejected rows hold EMPTY, which sorts last.
            let valid = keys.partition_point(|k| *k != K::EMPTY);
            process_exam(ctx, e as u32, &keys[..valid])
        })
        .collect();
    (partials, rejections)
}

/// One group of units resolved into its region of the key buffer, laid out by exam (rows
/// without an exam id last, as EMPTY). Returns the offset of each exam's segment and the
/// rejections.
fn resolve_group<K: Key>(
    ctx: &Ctx<'_, '_>,
    group: &[Unit],
    dict_maps: &DictMaps,
    n_exams: usize,
    region: &mut [K],
) -> (Vec<u32>, Vec<Rejection>) {
    let mut exams: Vec<u32> = Vec::with_capacity(region.len());
    for u in group {
        unit_exams(ctx, u, dict_maps.chunk(u.chunk), &mut exams);
    }
    let mut next = vec![0u32; n_exams + 1];
    for &e in &exams {
        if let Some(n) = next.get_mut(e as usize) {
            *n += 1;
        }
    }
    // counts -> starts (the last entry, for rows without an exam, is not a segment)
    let mut at = 0u32;
    let mut offsets = Vec::with_capacity(n_exams + 1);
    for n in next.iter_mut().take(n_exams) {
        offsets.push(at);
        let count = *n;
        *n = at;
        at += count;
    }
    offsets.push(at);
    if let Some(tail) = region.get_mut(at as usize..) {
        tail.fill(K::EMPTY);
    }
    let mut rejections = Vec::new();
    let mut done = 0;
    for u in group {
        let rows = u.end - u.start;
        let unit_exams = exams.get(done..done + rows).unwrap_or(&[]);
        done += rows;
        let r = resolve_unit(
            ctx,
            u,
            dict_maps.chunk(u.chunk),
            unit_exams,
            |e: u32, key: K| {
                if let Some(n) = next.get_mut(e as usize).filter(|_| (e as usize) < n_exams) {
                    if let Some(slot) = region.get_mut(*n as usize) {
                        *slot = key;
                    }
                    *n += 1;
                }
            },
        );
        rejections.extend(r);
    }
    (offsets, rejections)
}

/// Steps 2 to 4 sorting every key at once (with very many exams): the keys are written in row
/// order, sorted, and each exam's slice evaluated.
fn sorted<K: Key>(
    ctx: &Ctx<'_, '_>,
    units: &[Unit],
    dict_maps: &DictMaps,
) -> (Vec<ExamPartial>, Vec<Rejection>) {
    let n_rows = ctx.sittings.len();
    let mut packed = vec![K::EMPTY; n_rows];
    let mut slices: Vec<&mut [K]> = Vec::with_capacity(units.len());
    let mut rest: &mut [K] = &mut packed;
    for u in units {
        let (a, b) = rest.split_at_mut(u.end - u.start);
        slices.push(a);
        rest = b;
    }
    let resolve_rejections: Vec<Vec<Rejection>> = slices
        .into_par_iter()
        .zip(units.par_iter())
        .map(|(out, u)| {
            let maps = dict_maps.chunk(u.chunk);
            let mut exams = Vec::with_capacity(u.end - u.start);
            unit_exams(ctx, u, maps, &mut exams);
            let mut slots = out.iter_mut();
            resolve_unit(ctx, u, maps, &exams, |_, key: K| {
                if let Some(slot) = slots.next() {
                    *slot = key;
                }
            })
        })
        .collect();
    let n_rejected: usize = resolve_rejections.iter().map(Vec::len).sum();
    let mut rejections = Vec::with_capacity(n_rejected);
    for r in resolve_rejections {
        rejections.extend(r);
    }

    packed.par_sort_unstable();
    packed.truncate(n_rows - n_rejected);

    let n_exams = ctx.exams.ids.len();
    let layout = ctx.layout;
    let mut bounds = Vec::with_capacity(n_exams + 1);
    for e in 0..=n_exams {
        bounds.push(packed.partition_point(|k| (layout.exam(*k) as usize) < e));
    }
    let partials: Vec<ExamPartial> = (0..n_exams)
        .into_par_iter()
        .map(|e| process_exam(ctx, e as u32, &packed[bounds[e]..bounds[e + 1]]))
        .collect();
    (partials, rejections)
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
    evaluate_keyed(input, policy, options, false, false)
}

/// [`evaluate`], optionally with 128-bit keys whatever the sizes and with every key sorted at
/// once whatever the number of exams (to test both layouts and both ways of grouping).
pub(crate) fn evaluate_keyed(
    input: &ExamInput<'_>,
    policy: &Policy,
    options: &EvalOptions,
    force_wide: bool,
    force_sorted: bool,
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
    let mut ctx = Ctx {
        sittings,
        staff: &staff,
        exams: &exams,
        exam_table: IdTable::new(exams.ids.owned()),
        rule_of: exams.defs.iter().map(|d| d.rule as u32).collect(),
        ex: &ex,
        all_staff: (0..staff.len() as u32).collect(),
        starts: sittings.chunk_starts(),
        people: options.people,
        layout: Layout::wide(),
    };

    // 2.-4. resolve, sort, per exam: 64-bit keys when the ids, attempts and rows fit.
    let dict_maps = dictionary_maps(sittings, &staff.table, &exams.ids);
    let (n_exams, n_staff, n_rows) = (exams.ids.len(), staff.len(), sittings.len());
    let attempts = if Layout::spare_attempt_bits(n_exams, n_staff, n_rows) >= 16 {
        u16::MAX
    } else {
        max_attempt(sittings, &units)
    };
    let compact = Layout::compact(n_exams, n_staff, n_rows, attempts).filter(|_| !force_wide);
    ctx.layout = compact.unwrap_or_else(Layout::wide);
    let (partials, resolve_rejections) = match compact {
        Some(_) => keyed::<u64>(&ctx, &units, &dict_maps, force_sorted),
        None => keyed::<u128>(&ctx, &units, &dict_maps, force_sorted),
    };
    rejections.extend(resolve_rejections);

    // 5. merge
    let mut cells = Vec::new();
    let mut people = Vec::new();
    let mut audit_raw = Vec::new();
    let mut reason_texts = Names::default();
    let mut session_ids: FxHashMap<&str, u32> = FxHashMap::default();
    let has_session = sittings.has_session();
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
            row.session = match sittings.locate(&ctx.starts, row.session as usize) {
                Some((c, i)) if has_session && row.session != NONE => match session_of(c, i) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exams::{GroupDim, Problem};

    /// The 64-bit and 128-bit key layouts give the same evaluation, bad rows included.
    #[test]
    fn key_layouts_agree() {
        let ids: Vec<String> = (0..40).map(|i| format!("S{i:02}")).collect();
        let dept: Vec<&str> = (0..40).map(|i| ["内科", "外科", "急诊科"][i % 3]).collect();
        let cat: Vec<&str> = (0..40).map(|i| ["医师", "护士"][i % 2]).collect();
        let roster = Roster::new(&ids, &dept, &cat).unwrap();
        let mut who = Vec::new();
        let mut exam = Vec::new();
        let mut attempt = Vec::new();
        let mut score = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            for e in ["E1", "E2", "E3"] {
                if (k + e.len()) % 7 == 0 {
                    continue; // absent
                }
                who.push(id.clone());
                exam.push(e.to_string());
                attempt.push(1i64);
                score.push(Some(((k * 37) % 100) as f64));
                if (k * 37) % 100 < 60 && k % 2 == 0 {
                    who.push(id.clone());
                    exam.push(e.to_string());
                    attempt.push(if k == 4 { 300 } else { 2 });
                    score.push(Some(70.0));
                }
            }
        }
        // bad rows: an unknown staff member, a duplicate, attempt 0
        who.extend(["X".to_string(), ids[1].clone(), ids[2].clone()]);
        exam.extend(["E1".to_string(), "E1".to_string(), "E2".to_string()]);
        attempt.extend([1, 1, 0]);
        score.extend([Some(80.0), Some(10.0), Some(50.0)]);
        let sittings = Sittings::new(&who, &exam)
            .unwrap()
            .with_attempt(&attempt)
            .unwrap()
            .with_score(&score)
            .unwrap();
        let input = ExamInput::new(roster, sittings);
        let p = Policy::builtin();
        let o = EvalOptions::lenient();
        let a = evaluate_keyed(&input, &p, &o, false, false).unwrap();
        let by = [GroupDim::Exam, GroupDim::Department, GroupDim::Category];
        for (wide, sorted) in [(true, false), (false, true), (true, true)] {
            let b = evaluate_keyed(&input, &p, &o, wide, sorted).unwrap();
            assert_eq!(a.summary(&by), b.summary(&by));
            assert_eq!(a.people, b.people);
            assert_eq!(a.rejections, b.rejections);
            assert_eq!(a.rows, b.rows);
        }
        assert!(!a.rejections.is_empty());
        assert!(a.people().any(|p| p.problem == Problem::Failed));
    }
}
