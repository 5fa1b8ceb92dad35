//! Resolving sitting rows: ids looked up, attempts and scores checked, pass decided, each row
//! packed into one sortable 128-bit record.

use super::column::{Num, StrCol};
use super::error::{RejectReason, Rejection, Table};
use super::evaluate::Ctx;
use super::idtable::{IdTable, Probe};
use super::policy::ComponentRule;
#[cfg(feature = "arrow")]
use super::prepare::NONE;
use super::prepare::{Dict, ReadyRule};
use super::sittings::{Sittings, SittingsChunk};
use crate::ratio::decimal_from_f64;
use rayon::prelude::*;
use rust_decimal::Decimal;
#[cfg(feature = "arrow")]
use rustc_hash::FxHashMap;
use rustc_hash::FxHashSet;

// ---- packed sitting records ----
//
// Each sitting row becomes one integer key, fields from the most significant down: exam,
// staff, attempt, row, flags — so sorting the keys sorts by exam, staff, attempt and row. The
// bit widths are a [`Layout`]: 64-bit keys when the ids, attempts and rows fit (half the
// memory and a faster sort at province scale), else 128-bit keys with 32 bits per id.

pub(crate) const SAT: u8 = 1;
pub(crate) const PASSED: u8 = 2;

/// A packed key: `u64` (compact layout) or `u128` (wide layout).
pub(crate) trait Key: Copy + Ord + Send + Sync + 'static {
    /// Larger than every valid key (rejected rows keep it and sort last).
    const EMPTY: Self;
    /// Zero (a zeroed buffer is allocated without being written).
    const ZERO: Self;
    /// The key from the low bits of `v`.
    fn from_bits(v: u128) -> Self;
    /// The key's bits.
    fn bits(self) -> u128;
}

impl Key for u64 {
    const EMPTY: u64 = u64::MAX;
    const ZERO: u64 = 0;
    #[inline]
    fn from_bits(v: u128) -> u64 {
        v as u64
    }
    #[inline]
    fn bits(self) -> u128 {
        self as u128
    }
}

impl Key for u128 {
    const EMPTY: u128 = u128::MAX;
    const ZERO: u128 = 0;
    #[inline]
    fn from_bits(v: u128) -> u128 {
        v
    }
    #[inline]
    fn bits(self) -> u128 {
        self
    }
}

/// Bit positions and widths of the fields of a packed key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    row_shift: u32,
    attempt_shift: u32,
    staff_shift: u32,
    exam_shift: u32,
    row_mask: u128,
    attempt_mask: u128,
    staff_mask: u128,
    exam_mask: u128,
    /// Whether the key fits in 64 bits.
    pub(crate) compact: bool,
}

/// Bits needed to write `n` (so that every id below `n`, and `n` itself, fits).
fn bits_for(n: u64) -> u32 {
    64 - n.leading_zeros()
}

fn mask(bits: u32) -> u128 {
    (1u128 << bits) - 1
}

impl Layout {
    /// 128-bit keys: exam 96..128, staff 64..96, attempt 48..64, row 8..40, flags 0..8.
    pub(crate) fn wide() -> Layout {
        Layout {
            row_shift: 8,
            attempt_shift: 48,
            staff_shift: 64,
            exam_shift: 96,
            row_mask: mask(32),
            attempt_mask: mask(16),
            staff_mask: mask(32),
            exam_mask: mask(32),
            compact: false,
        }
    }

    /// 64-bit keys for these counts and the largest attempt number, if they fit. The exam
    /// field can always hold `n_exams`, so a valid key never equals [`Key::EMPTY`].
    pub(crate) fn compact(
        n_exams: usize,
        n_staff: usize,
        n_rows: usize,
        max_attempt: u16,
    ) -> Option<Layout> {
        let (e, s) = (bits_for(n_exams as u64), bits_for(n_staff as u64));
        let (a, r) = (bits_for(max_attempt as u64), bits_for(n_rows as u64));
        let flags = 2;
        (flags + r + a + s + e <= 64).then(|| Layout {
            row_shift: flags,
            attempt_shift: flags + r,
            staff_shift: flags + r + a,
            exam_shift: flags + r + a + s,
            row_mask: mask(r),
            attempt_mask: mask(a),
            staff_mask: mask(s),
            exam_mask: mask(e),
            compact: true,
        })
    }

    /// The attempt bits a compact layout would leave, without knowing the attempts.
    pub(crate) fn spare_attempt_bits(n_exams: usize, n_staff: usize, n_rows: usize) -> i64 {
        64 - 2
            - bits_for(n_exams as u64) as i64
            - bits_for(n_staff as u64) as i64
            - bits_for(n_rows as u64) as i64
    }

    #[inline]
    pub(crate) fn pack(&self, exam: u32, staff: u32, attempt: u16, row: u32, flags: u8) -> u128 {
        ((exam as u128) << self.exam_shift)
            | ((staff as u128) << self.staff_shift)
            | ((attempt as u128) << self.attempt_shift)
            | ((row as u128) << self.row_shift)
            | flags as u128
    }
    #[inline]
    pub(crate) fn exam<K: Key>(&self, k: K) -> u32 {
        ((k.bits() >> self.exam_shift) & self.exam_mask) as u32
    }
    #[inline]
    pub(crate) fn staff<K: Key>(&self, k: K) -> u32 {
        ((k.bits() >> self.staff_shift) & self.staff_mask) as u32
    }
    #[inline]
    pub(crate) fn attempt<K: Key>(&self, k: K) -> u16 {
        ((k.bits() >> self.attempt_shift) & self.attempt_mask) as u16
    }
    #[inline]
    pub(crate) fn row<K: Key>(&self, k: K) -> u32 {
        ((k.bits() >> self.row_shift) & self.row_mask) as u32
    }
    #[inline]
    pub(crate) fn flags<K: Key>(&self, k: K) -> u8 {
        (k.bits() & 3) as u8
    }
}

/// An attempt number as the engine accepts it (a whole number from 1 to 65535); `None` for a
/// bad one, `Some(None)` for null.
#[inline]
pub(crate) fn attempt_value(v: Num) -> Option<Option<u16>> {
    match v {
        Num::Null => Some(None),
        Num::Int(a) => u16::try_from(a).ok().filter(|a| *a >= 1).map(Some),
        Num::Float(f) => {
            (f.fract() == 0.0 && (1.0..=u16::MAX as f64).contains(&f)).then_some(Some(f as u16))
        }
    }
}

/// The largest valid attempt number in the sittings (1 without an attempt column).
pub(crate) fn max_attempt(s: &Sittings<'_>, units: &[Unit]) -> u16 {
    units
        .par_iter()
        .map(|u| {
            let c = &s.chunks[u.chunk];
            let Some(col) = &c.attempt else { return 1 };
            let mut m = 1;
            let mut block = [Num::Null; 256];
            let mut start = u.start;
            while start < u.end {
                let end = (start + block.len()).min(u.end);
                let vals = &mut block[..end - start];
                col.get_block(start, vals);
                for v in vals.iter() {
                    if let Some(Some(a)) = attempt_value(*v) {
                        m = m.max(a);
                    }
                }
                start = end;
            }
            m
        })
        .max()
        .unwrap_or(1)
}

/// A range of sitting rows inside one chunk.
#[derive(Clone, Copy)]
pub(crate) struct Unit {
    pub(crate) chunk: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) base: usize,
}

const UNIT_ROWS: usize = 1 << 15;

pub(crate) fn units(s: &Sittings<'_>) -> Vec<Unit> {
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

pub(crate) fn discover_exams<'a>(s: &Sittings<'a>, units: &[Unit]) -> Vec<&'a str> {
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
pub(crate) struct ChunkMaps<'m> {
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
pub(crate) struct DictMaps {
    maps: Vec<Vec<u32>>,
    per_chunk: Vec<[Option<usize>; 2]>,
}

impl DictMaps {
    pub(crate) fn chunk(&self, c: usize) -> ChunkMaps<'_> {
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

pub(crate) fn dictionary_maps(s: &Sittings<'_>, staff: &IdTable, exams: &Dict<'_>) -> DictMaps {
    let mut out = DictMaps {
        maps: Vec::new(),
        per_chunk: Vec::with_capacity(s.chunks.len()),
    };
    #[cfg(feature = "arrow")]
    {
        let mut seen: FxHashMap<(usize, usize, usize), usize> = FxHashMap::default();
        let mut map_of =
            |col: &StrCol<'_>, which: usize, find: &dyn Fn(&str) -> Option<u32>| -> Option<usize> {
                let (_, values) = col.dictionary()?;
                let key = (values.identity(), values.len(), which);
                if let Some(k) = seen.get(&key) {
                    return Some(*k);
                }
                let m: Vec<u32> = (0..values.len())
                    .map(|k| values.get(k).and_then(find).unwrap_or(NONE))
                    .collect();
                out.maps.push(m);
                seen.insert(key, out.maps.len() - 1);
                Some(out.maps.len() - 1)
            };
        let per: Vec<[Option<usize>; 2]> = s
            .chunks
            .iter()
            .map(|c| {
                [
                    map_of(&c.staff_id, 0, &|v| staff.get(v)),
                    map_of(&c.exam_id, 1, &|v| exams.get(v)),
                ]
            })
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

/// The exam id of every row of a unit, pushed onto `out` (NONE where the exam id is missing
/// or not found: such rows are rejected).
pub(crate) fn unit_exams(ctx: &Ctx<'_, '_>, u: &Unit, maps: ChunkMaps<'_>, out: &mut Vec<u32>) {
    let c = &ctx.sittings.chunks[u.chunk];
    let id = |l: Looked<'_>| match l {
        Looked::Id(id) => id,
        _ => NONE_ID,
    };
    if maps.exam.is_some() {
        out.extend(
            (u.start..u.end)
                .map(|i| id(lookup(&c.exam_id, maps.exam, i, |e| ctx.exams.ids.get(e)))),
        );
        return;
    }
    // Sittings usually come grouped by exam: remember the last exam id looked up.
    let mut last: Option<(&str, u32)> = None;
    const BLOCK: usize = 64;
    let mut names: [Option<&str>; BLOCK] = [None; BLOCK];
    let mut start = u.start;
    while start < u.end {
        let end = (start + BLOCK).min(u.end);
        c.exam_id.get_block(start, &mut names[..end - start]);
        for name in &names[..end - start] {
            out.push(match name {
                None => NONE_ID,
                Some(e) => match last {
                    Some((n, id)) if n == *e => id,
                    _ => match ctx.exam_table.get(e) {
                        Some(id) => {
                            last = Some((e, id));
                            id
                        }
                        None => NONE_ID,
                    },
                },
            });
        }
        start = end;
    }
}

/// "No exam" in [`unit_exams`].
pub(crate) const NONE_ID: u32 = u32::MAX;

/// Resolve the rows of a unit, whose exam ids `exams` holds (from [`unit_exams`]): each row is
/// given to `place` with its exam id and its key ([`Key::EMPTY`] for a rejected row); the
/// rejections are returned.
pub(crate) fn resolve_unit<K: Key>(
    ctx: &Ctx<'_, '_>,
    u: &Unit,
    maps: ChunkMaps<'_>,
    exams: &[u32],
    mut place: impl FnMut(u32, K),
) -> Vec<Rejection> {
    let c = &ctx.sittings.chunks[u.chunk];
    let table = &ctx.staff.table;
    let mut rej = Vec::new();
    // The rows are read a block at a time, a column at a time (each column's representation
    // matched once per block). Staff ids are looked up in two phases: first every row's first
    // slot is loaded (independent loads that overlap), then the keys are compared.
    const BLOCK: usize = 64;
    let mut staff_ids: [Option<&str>; BLOCK] = [None; BLOCK];
    let mut hashes: [u64; BLOCK] = [0; BLOCK];
    let mut probes: [Probe; BLOCK] = [Probe::default(); BLOCK];
    let mut looked: [Looked<'_>; BLOCK] = [Looked::Missing; BLOCK];
    let mut attempts: [Num; BLOCK] = [Num::Null; BLOCK];
    let mut scores: [Num; BLOCK] = [Num::Null; BLOCK];
    let mut start = u.start;
    while start < u.end {
        let end = (start + BLOCK).min(u.end);
        let n = end - start;
        if maps.staff.is_some() {
            for (k, i) in (start..end).enumerate() {
                looked[k] = lookup(&c.staff_id, maps.staff, i, |s| table.get(s));
            }
        } else {
            c.staff_id.get_block(start, &mut staff_ids[..n]);
            for k in 0..n {
                hashes[k] = staff_ids[k].map_or(0, IdTable::hash_of);
            }
            for k in 0..n {
                probes[k] = table.start_hashed(hashes[k]);
            }
            for k in 0..n {
                looked[k] = match staff_ids[k] {
                    None => Looked::Missing,
                    Some(s) => match table.finish(s, probes[k]) {
                        Some(id) => Looked::Id(id),
                        None => Looked::NotFound(s),
                    },
                };
            }
        }
        if let Some(col) = &c.attempt {
            col.get_block(start, &mut attempts[..n]);
        }
        if let Some(col) = &c.score {
            col.get_block(start, &mut scores[..n]);
        }
        for (k, i) in (start..end).enumerate() {
            let row = u.base + i;
            let exam = exams.get(i - u.start).copied().unwrap_or(NONE_ID);
            let vals = RowVals {
                staff: looked[k],
                exam,
                attempt: attempts[k],
                score: scores[k],
            };
            match resolve_row(ctx, c, maps, i, row, vals) {
                Ok(key) => place(exam, K::from_bits(key)),
                Err(reason) => {
                    place(exam, K::EMPTY);
                    rej.push(Rejection {
                        table: Table::Sittings,
                        row,
                        reason,
                    })
                }
            }
        }
        start = end;
    }
    rej
}

/// A sitting row's values read ahead (the attempt and score only when the columns exist).
#[derive(Clone, Copy)]
struct RowVals<'s> {
    staff: Looked<'s>,
    /// From [`unit_exams`].
    exam: u32,
    attempt: Num,
    score: Num,
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
    vals: RowVals<'s>,
) -> Result<u128, RejectReason> {
    let missing = |col: &str| RejectReason::MissingValue {
        column: col.to_string(),
    };
    let staff = match vals.staff {
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
    // The exam was looked up by `unit_exams`; looked up again here only to say why not.
    let looked = if vals.exam != NONE_ID {
        Looked::Id(vals.exam)
    } else {
        lookup(&c.exam_id, maps.exam, i, |e| ctx.exams.ids.get(e))
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
        Some(_) => {
            let v = vals.attempt;
            match attempt_value(v) {
                Some(Some(a)) => a,
                Some(None) => return Err(missing("attempt")),
                None => {
                    return Err(RejectReason::BadAttempt {
                        value: v.describe(),
                    })
                }
            }
        }
    };
    let rule = &ctx.exams.rules[ctx.rule_of[exam as usize] as usize];
    let total = match &c.score {
        Some(_) => match vals.score.as_f64() {
            None => None,
            // the common case inline; anything else (NaN, out of range) gives its error
            Some(x) if rule.zero.holds(x) && rule.full.holds(x) => Some(x),
            Some(_) => check_score(rule, "score", vals.score)?,
        },
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
    Ok(ctx.layout.pack(exam, staff, attempt, row as u32, flags))
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
