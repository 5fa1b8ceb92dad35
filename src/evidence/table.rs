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
    /// Whether rows `start ..` hold exactly the texts of `run` (nulls where it has nulls);
    /// columns that can compare a run of rows at once (Arrow strings: their offsets and bytes)
    /// override it.
    fn same_texts(&self, start: usize, run: &TextRun) -> bool {
        start + run.len() <= self.len()
            && (0..run.len()).all(|k| self.text(start + k) == run.text(k))
    }
    /// The cells in place, when the column keeps its texts as 32-bit offsets into one byte
    /// buffer (Arrow `Utf8`); `None` otherwise.
    fn utf8_cells(&self) -> Option<Utf8Cells<'_>> {
        None
    }
    /// Whether the column has no rows.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Validity bits in place, Arrow's way: row `i` is bit `(offset + i) % 8` of byte
/// `(offset + i) / 8`, set when the row is not null.
#[derive(Debug, Clone, Copy)]
pub struct Bits<'a> {
    /// The bitmap.
    pub bytes: &'a [u8],
    /// The bit of row 0.
    pub offset: usize,
}

impl Bits<'_> {
    /// How many of `rows` are not null (rows past the bitmap are null), a byte at a time.
    pub fn count(&self, rows: Range<usize>) -> usize {
        let (mut j, z) = (self.offset + rows.start, self.offset + rows.end);
        let bit = |j: usize| {
            self.bytes
                .get(j / 8)
                .map_or(0, |b| usize::from(b >> (j % 8) & 1))
        };
        let mut n = 0;
        while j < z && j % 8 != 0 {
            n += bit(j);
            j += 1;
        }
        while j + 8 <= z {
            n += self.bytes.get(j / 8).map_or(0, |b| b.count_ones() as usize);
            j += 8;
        }
        while j < z {
            n += bit(j);
            j += 1;
        }
        n
    }

    /// Whether row `i` is not null (rows past the bitmap are null).
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        let j = self.offset + i;
        self.bytes.get(j / 8).is_some_and(|b| b >> (j % 8) & 1 == 1)
    }
}

/// The ASCII characters in order: `&ASCII[c..c + 1]` is character `c` as text.
const ASCII: &str = {
    const BYTES: [u8; 128] = {
        let mut t = [0u8; 128];
        let mut c = 0;
        while c < 128 {
            t[c] = c as u8;
            c += 1;
        }
        t
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        // Not reachable (ASCII is UTF-8); one-letter texts would then take the general way.
        Err(_) => "",
    }
};

/// A text column's cells in place (see [`TextColumn::utf8_cells`]).
#[derive(Debug, Clone, Copy)]
pub struct Utf8Cells<'a> {
    /// Row `i`'s text is `bytes[offsets[i] .. offsets[i + 1]]`.
    pub offsets: &'a [i32],
    /// The texts.
    pub bytes: &'a [u8],
    /// Which rows are not null (`None`: none is null).
    pub valid: Option<Bits<'a>>,
}

impl<'a> Utf8Cells<'a> {
    /// Row `i`'s text when it is one byte (not null).
    #[inline]
    pub fn byte(&self, i: usize) -> Option<u8> {
        if self.valid.is_some_and(|v| !v.get(i)) {
            return None;
        }
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&z)) if z.wrapping_sub(a) == 1 => self.bytes.get(a as usize).copied(),
            _ => None,
        }
    }

    /// Row `i`'s bytes, not checked as UTF-8: `Ok(None)` for null, `Err` when the offsets are
    /// not valid (not so in a checked Arrow array).
    #[inline]
    fn cell(&self, i: usize) -> Result<Option<&'a [u8]>, BadCell> {
        if self.valid.is_some_and(|v| !v.get(i)) {
            return Ok(None);
        }
        let (Some(&a), Some(&z)) = (self.offsets.get(i), self.offsets.get(i + 1)) else {
            return Err(BadCell);
        };
        self.bytes
            .get(a as usize..z as usize)
            .ok_or(BadCell)
            .map(Some)
    }

    /// Row `i`'s bytes, not checked as UTF-8 (`None` for null, or offsets that are not valid):
    /// enough to compare a cell with a known text.
    #[inline]
    pub fn raw(&self, i: usize) -> Option<&'a [u8]> {
        self.cell(i).ok().flatten()
    }

    /// Row `i`'s text: `Ok(None)` for null, `Err` when the offsets or the text are not valid
    /// (not so in a checked Arrow array).
    #[inline]
    pub fn text(&self, i: usize) -> Result<Option<&'a str>, BadCell> {
        let Some(bytes) = self.cell(i)? else {
            return Ok(None);
        };
        // One ASCII letter (the usual level), without the UTF-8 check's call.
        if let [c] = bytes {
            if let Some(t) = ASCII.get(usize::from(*c)..usize::from(*c) + 1) {
                return Ok(Some(t));
            }
        }
        std::str::from_utf8(bytes).map(Some).map_err(|_| BadCell)
    }
}

/// A text cell in place whose offsets or bytes are not valid (not so in a checked Arrow
/// array; the reading then goes the general way, which reads the column through its own
/// accessors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a text cell whose offsets or bytes are not valid")]
pub struct BadCell;

/// A number column's cells in place (see [`NumberColumn::f64_cells`]).
#[derive(Debug, Clone, Copy)]
pub struct F64Cells<'a> {
    /// The values.
    pub values: &'a [f64],
    /// Which rows are not null (`None`: none is null).
    pub valid: Option<Bits<'a>>,
}

impl F64Cells<'_> {
    /// How many of `rows` have a number (are not null, and within the values).
    pub fn count(&self, rows: Range<usize>) -> usize {
        let rows = rows.start.min(self.values.len())..rows.end.min(self.values.len());
        match &self.valid {
            None => rows.len(),
            Some(bits) => bits.count(rows),
        }
    }

    /// Row `i`'s number (`None` for null or past the end).
    #[inline]
    pub fn number(&self, i: usize) -> Option<f64> {
        if self.valid.is_some_and(|v| !v.get(i)) {
            return None;
        }
        self.values.get(i).copied()
    }
}

/// The texts of a run of rows of one column, kept to recognise the same texts in another run
/// ([`TextColumn::same_texts`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextRun {
    /// The texts, one after the other.
    pub bytes: Vec<u8>,
    /// Per row: the end of its text in `bytes`.
    pub ends: Vec<u32>,
    /// Which rows are not null, a bit per row (row `k` is bit `k % 64` of word `k / 64`;
    /// the bits past the last row are 0).
    pub valid: Vec<u64>,
}

impl TextRun {
    /// The texts of `rows` of a column (`None` when they add up to more than 4 GiB).
    pub fn of(col: &dyn TextColumn, rows: Range<usize>) -> Option<TextRun> {
        let mut run = TextRun {
            valid: vec![0; rows.len().div_ceil(64)],
            ..TextRun::default()
        };
        for (k, r) in rows.enumerate() {
            let t = col.text(r);
            run.bytes.extend_from_slice(t.unwrap_or("").as_bytes());
            run.ends.push(u32::try_from(run.bytes.len()).ok()?);
            if t.is_some() {
                run.valid[k / 64] |= 1 << (k % 64);
            }
        }
        Some(run)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether row `k` is null.
    pub fn is_null(&self, k: usize) -> bool {
        self.valid
            .get(k / 64)
            .is_none_or(|w| w >> (k % 64) & 1 == 0)
    }

    /// Whether any row is null.
    pub fn any_null(&self) -> bool {
        let valid: usize = self.valid.iter().map(|w| w.count_ones() as usize).sum();
        valid != self.len()
    }

    /// The text of row `k` (`None` for null).
    pub fn text(&self, k: usize) -> Option<&str> {
        if self.is_null(k) {
            return None;
        }
        let start = match k {
            0 => 0,
            _ => self.ends[k - 1] as usize,
        };
        std::str::from_utf8(&self.bytes[start..self.ends[k] as usize]).ok()
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
    /// The cells in place, when the column keeps its numbers as `f64` (Arrow `Float64`);
    /// `None` otherwise.
    fn f64_cells(&self) -> Option<F64Cells<'_>> {
        None
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
            texts_into(Some(self.criterion), a..z, criterion);
            texts_into(self.level, a..z, level);
            texts_into(self.period, a..z, period);
            self.numbers_into(a..z, &mut numbers);
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

    /// The `value`, `numerator` and `denominator` numbers of `rows` into `out` (cleared
    /// first; a column the table does not have reads as nulls).
    pub(crate) fn numbers_into(&self, rows: Range<usize>, out: &mut [Vec<Option<f64>>; 3]) {
        let cols = [self.value, self.numerator, self.denominator];
        for (col, out) in cols.into_iter().zip(out.iter_mut()) {
            out.clear();
            match col {
                Some(c) => c.numbers(rows.clone(), out),
                None => out.resize(rows.len(), None),
            }
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

/// Column `col`'s texts of `rows` into `out` (cleared first; nulls when the table does not
/// have the column).
pub(crate) fn texts_into<'a>(
    col: Option<&'a dyn TextColumn>,
    rows: Range<usize>,
    out: &mut Vec<Option<&'a str>>,
) {
    out.clear();
    match col {
        Some(c) => c.texts(rows, out),
        None => out.resize(rows.len(), None),
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
    let found: Vec<Found<'a>> = pieces
        .par_iter()
        .map(|&(t, a, z)| {
            let hospital: &'a dyn TextColumn = tables[t as usize].hospital;
            if let Some(found) = hospital
                .utf8_cells()
                .and_then(|c| runs_in_place(c, t, a..z))
            {
                return found;
            }
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

/// The runs of one hospital's rows (hospital id, run) and the rows without a hospital id, of
/// a piece of a table.
type Found<'a> = (Vec<(&'a str, Run)>, Vec<(u32, u32)>);

/// [`group_rows`] of rows `rows` of table `t`, on its `hospital_id` cells in place: the end of
/// a run of rows with the same id is found by galloping and halving (a few rows compared),
/// then the rows between are checked at once (their offsets step by the id's length and their
/// bytes repeat it; none is null). `None` when a cell cannot be read (not so in a checked
/// Arrow array): the caller then reads the ids row by row.
fn runs_in_place<'a>(c: Utf8Cells<'a>, t: u32, rows: Range<usize>) -> Option<Found<'a>> {
    let (mut runs, mut orphans): Found<'a> = (Vec::new(), Vec::new());
    let mut r = rows.start;
    let mut gallop = true;
    while r < rows.end {
        let raw = c.text(r).ok()?;
        let Some(h) = raw.map(trim).filter(|h| !h.is_empty()) else {
            orphans.push((t, r as u32));
            r += 1;
            continue;
        };
        // Gallop over ids written without spaces around them.
        let galloping = gallop && raw.is_some_and(|x| x.len() == h.len());
        let found = galloping.then(|| same_id_end(&c, r..rows.end, h.as_bytes()));
        let end = match found.flatten() {
            Some(end) => end,
            None => {
                // Misled (rows between with other ids): row by row from now on in this
                // piece, where the check would cost more than the galloping saves.
                gallop &= !galloping;
                let same_raw = |i: usize| c.raw(i) == raw.map(str::as_bytes);
                (r + 1..rows.end)
                    .find(|&i| !same_raw(i))
                    .unwrap_or(rows.end)
            }
        };
        match runs.last_mut() {
            Some((prev, run)) if run.2 as usize == r && same(prev, h) => run.2 = end as u32,
            _ => runs.push((h, (t, r as u32, end as u32))),
        }
        r = end;
    }
    Some((runs, orphans))
}

/// The end of the run of rows from `rows.start` on whose cells are exactly `id` (the first
/// is), or `None` when the rows the galloping skipped are not all `id`.
fn same_id_end(c: &Utf8Cells<'_>, rows: Range<usize>, id: &[u8]) -> Option<usize> {
    let (r, z) = (rows.start, rows.end);
    // The bytes compared with `id` (a text) need no UTF-8 check of their own.
    let is = |i: usize| c.raw(i) == Some(id);
    // Gallop (rows r + 1, 2, 4, ...), then halve between the last row found the same and
    // the first found different: if the rows between are all `id`, this is the run's end.
    let (mut lo, mut hi, mut step) = (r + 1, z, 1);
    while r + step < z {
        if !is(r + step) {
            hi = r + step;
            break;
        }
        lo = r + step + 1;
        step *= 2;
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if is(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let end = lo;
    // Check the rows between at once.
    let n = id.len();
    let offsets = c.offsets.get(r..=end)?;
    let base = *offsets.first()?;
    // Offset j is base + j * n: the differences OR-ed together are 0 (in 32-bit lanes, which
    // the compiler vectorizes; an offset past 2^31 wraps and fails, so the rows are read
    // one by one).
    let step = i32::try_from(n).ok()?;
    let mut want = base;
    let mut off = 0;
    for &o in offsets {
        off |= o ^ want;
        want = want.wrapping_add(step);
    }
    let steps = off == 0;
    let base = usize::try_from(base).ok()?;
    let repeats = c
        .bytes
        .get(base..base + (end - r) * n)
        .is_some_and(|span| span.get(..n) == Some(id) && span[n..] == span[..span.len() - n]);
    let valid = c.valid.is_none_or(|v| (r..end).all(|i| v.get(i)));
    (steps && repeats && valid && n > 0).then_some(end)
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
    use super::{same, same_bytes, Bits};

    /// Counting the set bits of a range a byte at a time agrees with looking at each bit.
    #[test]
    fn bits_count_equals_bit_by_bit() {
        let bytes: Vec<u8> = (0..40u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect();
        for offset in 0..17 {
            let bits = Bits {
                bytes: &bytes,
                offset,
            };
            for a in 0..90 {
                for z in a..330 {
                    let want = (a..z).filter(|&i| bits.get(i)).count();
                    assert_eq!(bits.count(a..z), want, "offset {offset} rows {a}..{z}");
                }
            }
        }
    }

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
