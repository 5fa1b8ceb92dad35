//! Long-format evidence for many hospitals: one row per hospital × criterion × period.
//!
//! | column | meaning |
//! |---|---|
//! | `hospital_id` | the hospital (required) |
//! | `criterion_id` | the criterion (required) |
//! | `period` | period label for indicator values (optional) |
//! | `value` | indicator value in its unit |
//! | `numerator`, `denominator` | indicator counts (instead of `value`) |
//! | `level` | gate answer (pass/fail), article level (A–E) or element result (met/partial/not_met/na) |
//!
//! Columns are read through the [`TextColumn`] and [`NumberColumn`] traits, so Arrow arrays
//! (behind the `arrow` feature) and plain Rust vectors are read in place. Rows are grouped by
//! hospital in order of first appearance; every row ends up in exactly one hospital's sheet or
//! in that hospital's error.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::{EvidenceError, Loc, Sheet, SheetBuilder};
use crate::Rulebook;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::ops::Range;

/// A column of optional text.
pub trait TextColumn: Sync {
    /// Number of rows.
    fn len(&self) -> usize;
    /// The text at a row (`None` for null).
    fn text(&self, row: usize) -> Option<&str>;
    /// The texts of a range of rows, appended to `out` (columns that can read a run of rows
    /// faster than row by row override it).
    fn texts<'s>(&'s self, rows: Range<usize>, out: &mut Vec<Option<&'s str>>) {
        out.extend(rows.map(|r| self.text(r)));
    }
    /// Whether the column has no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A column of optional numbers.
pub trait NumberColumn: Sync {
    /// Number of rows.
    fn len(&self) -> usize;
    /// The number at a row (`None` for null).
    fn number(&self, row: usize) -> Option<f64>;
    /// The numbers of a range of rows, appended to `out` (see [`TextColumn::texts`]).
    fn numbers(&self, rows: Range<usize>, out: &mut Vec<Option<f64>>) {
        out.extend(rows.map(|r| self.number(r)));
    }
    /// Whether the column has no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl TextColumn for [String] {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }
    fn text(&self, row: usize) -> Option<&str> {
        self.get(row).map(String::as_str)
    }
}

impl TextColumn for [&str] {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn text(&self, row: usize) -> Option<&str> {
        self.get(row).copied()
    }
}

impl TextColumn for [Option<String>] {
    fn len(&self) -> usize {
        <[Option<String>]>::len(self)
    }
    fn text(&self, row: usize) -> Option<&str> {
        self.get(row).and_then(|s| s.as_deref())
    }
}

impl NumberColumn for [f64] {
    fn len(&self) -> usize {
        <[f64]>::len(self)
    }
    fn number(&self, row: usize) -> Option<f64> {
        self.get(row).copied()
    }
}

impl NumberColumn for [Option<f64>] {
    fn len(&self) -> usize {
        <[Option<f64>]>::len(self)
    }
    fn number(&self, row: usize) -> Option<f64> {
        self.get(row).copied().flatten()
    }
}

/// A long-format evidence table (borrowed columns).
#[derive(Clone, Copy)]
pub struct LongTable<'a> {
    /// `hospital_id`.
    pub hospital: &'a dyn TextColumn,
    /// `criterion_id`.
    pub criterion: &'a dyn TextColumn,
    /// `period`.
    pub period: Option<&'a dyn TextColumn>,
    /// `value`.
    pub value: Option<&'a dyn NumberColumn>,
    /// `numerator`.
    pub numerator: Option<&'a dyn NumberColumn>,
    /// `denominator`.
    pub denominator: Option<&'a dyn NumberColumn>,
    /// `level`.
    pub level: Option<&'a dyn TextColumn>,
    /// Added to row numbers in messages (e.g. the offset of this batch in a stream).
    pub row_offset: usize,
}

// A `LongTable` holds `&dyn TextColumn` / `&dyn NumberColumn`, which an unsized slice cannot
// become; a vector can (`LongTable::new(&hospitals, &criteria)` with `Vec<&str>` columns).
impl<T: Sync> TextColumn for Vec<T>
where
    [T]: TextColumn,
{
    fn len(&self) -> usize {
        TextColumn::len(self.as_slice())
    }
    fn text(&self, row: usize) -> Option<&str> {
        self.as_slice().text(row)
    }
}

impl<T: Sync> NumberColumn for Vec<T>
where
    [T]: NumberColumn,
{
    fn len(&self) -> usize {
        NumberColumn::len(self.as_slice())
    }
    fn number(&self, row: usize) -> Option<f64> {
        self.as_slice().number(row)
    }
}

/// `str::trim`, skipping the Unicode scan when both ends are visible ASCII (nearly every
/// cell of a machine-written table).
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// String equality without a `memcmp` call for the short ids of evidence tables: ids of 4 to
/// 16 bytes are compared as two overlapping words (first and last 4 or 8 bytes).
#[inline]
pub(crate) fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same`] on bytes.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn word<const W: usize>(s: &[u8], at: usize) -> [u8; W] {
        let mut w = [0u8; W];
        w.copy_from_slice(&s[at..at + W]);
        w
    }
    match n {
        0..=3 => a == b,
        4..=7 => word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, n - 4) == word::<4>(b, n - 4),
        8..=16 => word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, n - 8) == word::<8>(b, n - 8),
        _ => a == b,
    }
}

impl<'a> LongTable<'a> {
    /// A table of hospital and criterion columns; add the others with struct update syntax.
    pub fn new(hospital: &'a dyn TextColumn, criterion: &'a dyn TextColumn) -> LongTable<'a> {
        LongTable {
            hospital,
            criterion,
            period: None,
            value: None,
            numerator: None,
            denominator: None,
            level: None,
            row_offset: 0,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.hospital.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Add one row to a sheet being built.
    pub fn add_row(&self, b: &mut SheetBuilder, r: usize) {
        let text = |c: Option<&'a dyn TextColumn>| c.and_then(|c| c.text(r));
        let number = |c: Option<&'a dyn NumberColumn>| c.and_then(|c| c.number(r));
        let cells = Cells {
            criterion: self.criterion.text(r),
            level: text(self.level),
            period: text(self.period),
            value: number(self.value),
            numerator: number(self.numerator),
            denominator: number(self.denominator),
        };
        self.add(b, r, cells);
    }

    /// Add a range of rows to a sheet being built: the same as [`add_row`](Self::add_row)
    /// on each, reading the columns a piece at a time.
    pub fn add_rows(&self, b: &mut SheetBuilder, rows: Range<usize>) {
        const PIECE: usize = 512;
        let mut texts: [Vec<Option<&'a str>>; 3] = Default::default();
        let mut numbers: [Vec<Option<f64>>; 3] = Default::default();
        let mut a = rows.start;
        while a < rows.end {
            let z = rows.end.min(a + PIECE);
            let [criterion, level, period] = &mut texts;
            criterion.clear();
            self.criterion.texts(a..z, criterion);
            for (col, out) in [(self.level, level), (self.period, period)] {
                out.clear();
                match col {
                    Some(c) => c.texts(a..z, out),
                    None => out.resize(z - a, None),
                }
            }
            let cols = [self.value, self.numerator, self.denominator];
            for (col, out) in cols.into_iter().zip(numbers.iter_mut()) {
                out.clear();
                match col {
                    Some(c) => c.numbers(a..z, out),
                    None => out.resize(z - a, None),
                }
            }
            let mut k = 0;
            while k < z - a {
                let quick = super::sheet::QuickRows {
                    criterion: &texts[0][k..],
                    level: &texts[1][k..],
                    period: &texts[2][k..],
                    value: &numbers[0][k..],
                    numerator: &numbers[1][k..],
                    denominator: &numbers[2][k..],
                };
                k += b.quick_rows(&quick, a + k + self.row_offset);
                if k == z - a {
                    break;
                }
                // A row the quick way does not take: the general path.
                let r = a + k;
                let cells = Cells {
                    criterion: texts[0][k],
                    level: texts[1][k],
                    period: texts[2][k],
                    value: numbers[0][k],
                    numerator: numbers[1][k],
                    denominator: numbers[2][k],
                };
                self.add(b, r, cells);
                k += 1;
            }
            a = z;
        }
    }

    fn add(&self, b: &mut SheetBuilder, r: usize, cells: Cells<'_>) {
        let at = Loc::Row(r + self.row_offset);
        let Some(crit) = cells.criterion.map(trim).filter(|c| !c.is_empty()) else {
            b.problem(at, "no criterion_id");
            return;
        };
        let level = cells.level.map(trim).filter(|l| !l.is_empty());
        let (value, num, den) = (cells.value, cells.numerator, cells.denominator);
        match (level, value.is_some() || num.is_some() || den.is_some()) {
            (Some(_), true) => b.problem(
                at,
                format!("criterion {crit:?}: a row has a level or numbers, not both"),
            ),
            (Some(l), false) => b.level_text(crit, l, at),
            (None, _) => {
                let period = cells.period.map(trim).unwrap_or("");
                b.observation_f64(crit, period, value, num, den, at)
            }
        }
    }

    /// Group by hospital and check every hospital's sheet in parallel (in order of first
    /// appearance). Rows without a hospital id become one error with hospital `None`.
    pub fn sheets(&self, rb: &Rulebook) -> Vec<Result<Sheet, EvidenceError>> {
        sheets_from_tables(rb, std::slice::from_ref(self))
    }
}

/// The cells of one row.
struct Cells<'s> {
    criterion: Option<&'s str>,
    level: Option<&'s str>,
    period: Option<&'s str>,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
}

/// A run of consecutive rows of one table: (table index, first row, end row exclusive).
pub type Run = (u32, u32, u32);

/// Rows per hospital across several tables as runs of consecutive rows (a hospital whose rows
/// come together is one run per table it spans), in order of first appearance, and the rows
/// without a hospital id (table index, row).
pub type Groups<'a> = (Vec<(&'a str, Vec<Run>)>, Vec<(u32, u32)>);

/// Add the rows of a list of runs to a sheet being built.
pub fn add_runs(tables: &[LongTable<'_>], b: &mut SheetBuilder, runs: &[Run]) {
    for &(t, a, z) in runs {
        if let Some(table) = tables.get(t as usize) {
            table.add_rows(b, a as usize..z as usize);
        }
    }
}

/// Rows read per task when grouping (the pieces are grouped in parallel, then merged).
const PIECE: usize = 1 << 16;

/// Group the rows of several tables (one long table split in parts) by hospital. Pieces of the
/// tables are read in parallel (in the current rayon pool) into runs of consecutive rows of
/// one hospital; the runs are then merged in order, so hospitals keep their order of first
/// appearance.
pub fn group_rows<'a>(tables: &[LongTable<'a>]) -> Groups<'a> {
    let pieces: Vec<(u32, usize, usize)> = tables
        .iter()
        .enumerate()
        .flat_map(|(t, table)| {
            (0..table.len())
                .step_by(PIECE)
                .map(move |a| (t as u32, a, (a + PIECE).min(table.len())))
        })
        .collect();
    type Found<'a> = (Vec<(&'a str, Run)>, Vec<(u32, u32)>);
    let found: Vec<Found<'a>> = pieces
        .par_iter()
        .map(|&(t, a, z)| {
            let hospital: &'a dyn TextColumn = tables[t as usize].hospital;
            let mut runs: Vec<(&'a str, Run)> = Vec::new();
            let mut orphans = Vec::new();
            // The ids read a few hundred at a time (one call, then a tight loop).
            let mut ids: Vec<Option<&'a str>> = Vec::with_capacity(512);
            for start in (a..z).step_by(512) {
                ids.clear();
                hospital.texts(start..z.min(start + 512), &mut ids);
                for (r, id) in (start as u32..).zip(&ids) {
                    match id.map(trim).filter(|h| !h.is_empty()) {
                        None => orphans.push((t, r)),
                        Some(h) => match runs.last_mut() {
                            Some((prev, run)) if run.2 == r && same(prev, h) => run.2 = r + 1,
                            _ => runs.push((h, (t, r, r + 1))),
                        },
                    }
                }
            }
            (runs, orphans)
        })
        .collect();
    let mut index: FxHashMap<&'a str, usize> = FxHashMap::default();
    let mut groups: Vec<(&'a str, Vec<Run>)> = Vec::new();
    let mut orphans = Vec::new();
    for (runs, orph) in found {
        orphans.extend(orph);
        for (h, run) in runs {
            let g = *index.entry(h).or_insert_with(|| {
                groups.push((h, Vec::new()));
                groups.len() - 1
            });
            let list = &mut groups[g].1;
            match list.last_mut() {
                Some(prev) if prev.0 == run.0 && prev.2 == run.1 => prev.2 = run.2,
                _ => list.push(run),
            }
        }
    }
    (groups, orphans)
}

/// Check every hospital of several tables into sheets, in parallel, in order of first
/// appearance. Rows without a hospital id become one error with hospital `None`.
pub fn sheets_from_tables(
    rb: &Rulebook,
    tables: &[LongTable],
) -> Vec<Result<Sheet, EvidenceError>> {
    let (groups, orphans) = group_rows(tables);
    let mut out: Vec<Result<Sheet, EvidenceError>> = groups
        .par_iter()
        .map(|(h, rows)| {
            let mut b = SheetBuilder::new(rb, h);
            add_runs(tables, &mut b, rows);
            b.finish()
        })
        .collect();
    if !orphans.is_empty() {
        let mut e = EvidenceError::single(None, "");
        e.problems.clear();
        for &(t, r) in orphans.iter().take(super::MAX_PROBLEMS) {
            e.problems.push(super::EvidenceProblem {
                row: Some(r as usize + tables[t as usize].row_offset),
                path: None,
                criterion: None,
                message: "no hospital_id".into(),
            });
        }
        e.more = orphans.len().saturating_sub(super::MAX_PROBLEMS);
        out.push(Err(e));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{same, same_bytes};

    /// The word-wise comparison agrees with byte equality at every length and position.
    #[test]
    fn same_is_equality() {
        let base: Vec<u8> = (0..40u8).map(|b| b'a' + b % 26).collect();
        for n in 0..40 {
            let a = &base[..n];
            assert!(same_bytes(a, a));
            assert!(!same_bytes(a, &base[..n + 1]));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] = b'#';
                assert!(!same_bytes(a, &b), "{n} {k}");
            }
        }
        assert!(same("H000123", "H000123"));
        assert!(!same("H000123", "H000124"));
        assert!(same("医院甲", "医院甲"));
    }
}
