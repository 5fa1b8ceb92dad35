//! Reading an evidence workbook (the template filled in) back into [`Evidence`].
//!
//! Sheets are recognised by their content, not their names: a sheet with a header row that
//! has an id column and a kind column holds criteria; any other sheet is searched for the
//! readme keys (hospital id, name, rulebook). Every problem names the sheet, the row and the
//! column (`sheet "P3 现场检查", row 12, column H (评价 answer)`) and the criterion.

use super::layout::{recognise_kind, Field, Key};
use super::places::{Place, Places};
use crate::evidence::{
    parse_gate_answer, ArticleLevel, ElementResult, Evidence, EvidenceError, EvidenceProblem, Loc,
    Observation, Sheet, MAX_PROBLEMS,
};
use crate::ratio::{decimal_from_f64, parse_decimal};
use crate::rulebook::load::MAX_FILE_BYTES;
use crate::rulebook::model::NodeKind;
use crate::{Report, Rulebook};
use calamine::{open_workbook_auto, open_workbook_auto_from_rs, Data, Range, Reader, Sheets};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::{Read, Seek};
use std::path::Path;

/// How many rows from the top of a sheet are searched for the header row.
const HEADER_SEARCH_ROWS: u32 = 20;

/// Evidence read from a workbook, with the cell of every entry.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkbookEvidence {
    /// The evidence.
    pub evidence: Evidence,
    /// The cell each entry came from (and the rulebook the readme names).
    pub places: Places,
}

impl WorkbookEvidence {
    /// The rulebook id the workbook's readme names, if any.
    pub fn rulebook(&self) -> Option<&str> {
        self.places.rulebook.as_deref()
    }

    /// Check the evidence against a rulebook; problems name the cells.
    pub fn sheet(&self, rb: &Rulebook) -> Result<Sheet, EvidenceError> {
        self.evidence.sheet(rb).map_err(|e| self.places.relocate(e))
    }

    /// Score the evidence; problems name the cells.
    pub fn score(&self, rb: &Rulebook) -> Result<Report, EvidenceError> {
        crate::score(rb, &self.evidence).map_err(|e| self.places.relocate(e))
    }
}

/// Read an evidence workbook (`.xlsx`, `.xlsm`, `.xls` or `.ods`).
pub fn read(path: impl AsRef<Path>) -> Result<WorkbookEvidence, EvidenceError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let fail = |m: String| EvidenceError::single(None, m).in_file(&name);
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(format!(
            "the file is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let wb = open_workbook_auto(path).map_err(|e| {
        fail(format!(
            "cannot read as a workbook (.xlsx, .xls, .ods): {e}"
        ))
    })?;
    read_sheets(wb, Some(&name))
}

/// Read an evidence workbook from bytes (`.xlsx`, `.xls` or `.ods` content); `name` is used
/// in errors.
pub fn read_bytes(bytes: &[u8], name: &str) -> Result<WorkbookEvidence, EvidenceError> {
    let wb = open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| {
        EvidenceError::single(None, format!("cannot read as a workbook: {e}")).in_file(name)
    })?;
    read_sheets(wb, Some(name))
}

fn read_sheets<RS: Read + Seek>(
    mut wb: Sheets<RS>,
    file: Option<&str>,
) -> Result<WorkbookEvidence, EvidenceError> {
    let mut r = WorkbookReader {
        problems: Vec::new(),
        more: 0,
        evidence: Evidence::new(""),
        places: Places::new(file),
        hospital: None,
        name: None,
        blank_hospital: None,
        parts: 0,
    };
    for sheet in wb.sheet_names() {
        let range = match wb.worksheet_range(&sheet) {
            Ok(range) => range,
            Err(e) => {
                r.push(None, None, format!("cannot read sheet {sheet:?}: {e}"));
                continue;
            }
        };
        match Header::find(&sheet, &range) {
            Ok(Some(h)) => {
                r.parts += 1;
                r.part(&sheet, &range, &h);
            }
            Ok(None) => r.keys(&sheet, &range),
            Err((place, msg)) => r.push(Some(&place), None, msg),
        }
    }
    r.finish()
}

/// Collects problems and entries while reading.
struct WorkbookReader {
    problems: Vec<EvidenceProblem>,
    more: usize,
    evidence: Evidence,
    places: Places,
    hospital: Option<String>,
    name: Option<String>,
    blank_hospital: Option<Place>,
    parts: usize,
}

/// The header row of a part sheet.
struct Header {
    row: u32,
    id: u32,
    kind: u32,
    answer: Option<u32>,
    /// Period label and its value / numerator / denominator columns.
    periods: Vec<(String, [Option<u32>; 3])>,
    headers: HashMap<u32, String>,
}

impl Header {
    /// The header row: the first row near the top with an id and a kind column.
    fn find(sheet: &str, range: &Range<Data>) -> Result<Option<Header>, (Place, String)> {
        let (Some(start), Some(end)) = (range.start(), range.end()) else {
            return Ok(None);
        };
        for row in start.0..=end.0.min(start.0 + HEADER_SEARCH_ROWS) {
            let mut cols: Vec<(u32, Field, String, String)> = Vec::new();
            for col in start.1..=end.1 {
                let Some(text) = range.get_value((row, col)).and_then(cell_text) else {
                    continue;
                };
                if let Some((f, label)) = Field::recognise_with_label(&text) {
                    cols.push((col, f, label, text));
                }
            }
            let has = |f: Field| cols.iter().any(|c| c.1 == f);
            if !(has(Field::Id) && has(Field::Kind)) {
                continue;
            }
            let mut h = Header {
                row,
                id: 0,
                kind: 0,
                answer: None,
                periods: Vec::new(),
                headers: HashMap::new(),
            };
            let mut seen: HashMap<(u8, String), u32> = HashMap::new();
            for (col, f, label, text) in cols {
                h.headers.insert(col, text.clone());
                let (slot, key_label) = match f {
                    Field::Id => (0, String::new()),
                    Field::Kind => (1, String::new()),
                    Field::Answer => (2, String::new()),
                    Field::Value => (3, label.clone()),
                    Field::Numerator => (4, label.clone()),
                    Field::Denominator => (5, label.clone()),
                    _ => continue,
                };
                if let Some(prev) = seen.insert((slot, key_label), col) {
                    let place = Place::new(sheet, row, col, Some(&text));
                    return Err((
                        place,
                        format!(
                            "a second {text:?} column (the first is column {}): each column may appear once per period",
                            super::column_name(prev)
                        ),
                    ));
                }
                match f {
                    Field::Id => h.id = col,
                    Field::Kind => h.kind = col,
                    Field::Answer => h.answer = Some(col),
                    Field::Value | Field::Numerator | Field::Denominator => {
                        let k = match f {
                            Field::Value => 0,
                            Field::Numerator => 1,
                            _ => 2,
                        };
                        match h.periods.iter_mut().find(|p| p.0 == label) {
                            Some(p) => p.1[k] = Some(col),
                            None => {
                                let mut cols = [None; 3];
                                cols[k] = Some(col);
                                h.periods.push((label, cols));
                            }
                        }
                    }
                    _ => {}
                }
            }
            return Ok(Some(h));
        }
        Ok(None)
    }

    fn place(&self, sheet: &str, row: u32, col: u32) -> Place {
        Place::new(sheet, row, col, self.headers.get(&col).map(String::as_str))
    }
}

impl WorkbookReader {
    fn push(&mut self, place: Option<&Place>, criterion: Option<&str>, msg: impl Into<String>) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        self.problems.push(EvidenceProblem {
            row: None,
            path: place.map(Place::to_string),
            criterion: criterion.map(str::to_string),
            message: msg.into(),
        });
    }

    /// Record an entry's cell, or complain when the entry was given before.
    fn claim(&mut self, key: String, id: &str, place: Place) -> bool {
        if let Some(prev) = self.places.get(&key) {
            let msg = format!("given twice: also at {prev}");
            self.push(Some(&place), Some(id), msg);
            return false;
        }
        self.places.insert(key, place);
        true
    }

    /// A sheet of readme keys: hospital id, name and rulebook, each followed by its value.
    fn keys(&mut self, sheet: &str, range: &Range<Data>) {
        let (Some(start), Some(end)) = (range.start(), range.end()) else {
            return;
        };
        for row in start.0..=end.0 {
            for col in start.1..=end.1 {
                let Some(label) = range.get_value((row, col)).and_then(cell_text) else {
                    continue;
                };
                // A key label is short; instructions that mention a key are not labels.
                if label.split_whitespace().count() > 4 {
                    continue;
                }
                let Some(key) = Key::recognise(&label) else {
                    continue;
                };
                let value = (col + 1..=end.1.min(col + 3))
                    .find_map(|c| range.get_value((row, c)).and_then(cell_text));
                let slot = match key {
                    Key::Hospital => &mut self.hospital,
                    Key::Name => &mut self.name,
                    Key::Rulebook => &mut self.places.rulebook,
                };
                if slot.is_some() {
                    continue;
                }
                match value {
                    Some(v) => *slot = Some(v),
                    None if key == Key::Hospital && self.blank_hospital.is_none() => {
                        self.blank_hospital = Some(Place::new(sheet, row, col + 1, Some(&label)));
                    }
                    None => {}
                }
                break;
            }
        }
    }

    /// A part sheet: one criterion per row.
    fn part(&mut self, sheet: &str, range: &Range<Data>, h: &Header) {
        let Some(end) = range.end() else {
            return;
        };
        let get = |row: u32, col: u32| range.get_value((row, col)).unwrap_or(&Data::Empty);
        for row in h.row + 1..=end.0 {
            let id = cell_text(get(row, h.id));
            let kind_text = cell_text(get(row, h.kind));
            let answer = h.answer.filter(|&c| !is_blank(get(row, c)));
            let filled: Vec<u32> = h
                .periods
                .iter()
                .flat_map(|p| p.1.iter().flatten().copied())
                .filter(|&c| !is_blank(get(row, c)))
                .collect();
            let first_input = answer.or_else(|| filled.first().copied());
            let Some(id) = id else {
                if let Some(c) = first_input {
                    let place = h.place(sheet, row, c);
                    self.push(
                        Some(&place),
                        None,
                        format!(
                            "a value in a row without a criterion id (column {})",
                            super::column_name(h.id)
                        ),
                    );
                }
                continue;
            };
            let kind = kind_text.as_deref().and_then(recognise_kind);
            let kind = match (kind, first_input) {
                (Some(k), _) => k,
                (None, None) => continue,
                (None, Some(_)) => {
                    let place = h.place(sheet, row, h.kind);
                    let msg = match kind_text {
                        Some(t) => format!(
                            "{t:?} is not a kind: write gate, indicator, article or element"
                        ),
                        None => "the kind is empty: write gate, indicator, article or element"
                            .to_string(),
                    };
                    self.push(Some(&place), Some(&id), msg);
                    continue;
                }
            };
            match kind {
                NodeKind::Group => {
                    if let Some(c) = first_input {
                        let place = h.place(sheet, row, c);
                        self.push(
                            Some(&place),
                            Some(&id),
                            "is a group of the rulebook: fill in its criteria, not the group",
                        );
                    }
                }
                NodeKind::Gate | NodeKind::Article | NodeKind::Element => {
                    if let Some(&c) = filled.first() {
                        let place = h.place(sheet, row, c);
                        self.push(
                            Some(&place),
                            Some(&id),
                            format!(
                                "is {} {}: fill in the answer column, not a value",
                                if kind == NodeKind::Article { "an" } else { "a" },
                                kind.name()
                            ),
                        );
                        continue;
                    }
                    if let Some(c) = answer {
                        self.answer(sheet, h, row, c, &id, kind, get(row, c));
                    }
                }
                NodeKind::Indicator => {
                    if let Some(c) = answer {
                        let place = h.place(sheet, row, c);
                        self.push(
                            Some(&place),
                            Some(&id),
                            "is an indicator: fill in a value, or a numerator and denominator, per period (not the answer column)",
                        );
                        continue;
                    }
                    for (label, cols) in &h.periods {
                        self.observation(sheet, h, row, &id, label, cols, &get);
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn answer(
        &mut self,
        sheet: &str,
        h: &Header,
        row: u32,
        col: u32,
        id: &str,
        kind: NodeKind,
        cell: &Data,
    ) {
        let place = h.place(sheet, row, col);
        let text = cell_text(cell).unwrap_or_default();
        let (section, ok) = match kind {
            NodeKind::Gate => {
                let ans = match cell {
                    Data::Bool(b) => Some(*b),
                    _ => parse_gate_answer(&text),
                };
                let ok = ans.is_some();
                if let Some(a) = ans {
                    if self.claim(
                        Loc::Key("gates", id, None).path().unwrap_or_default(),
                        id,
                        place.clone(),
                    ) {
                        self.evidence.gates.insert(id.to_string(), a);
                    }
                }
                ("a gate answer: choose 通过 or 不通过 (pass or fail)", ok)
            }
            NodeKind::Article => {
                let lvl = ArticleLevel::parse(&text);
                if let Some(l) = lvl {
                    if self.claim(
                        Loc::Key("articles", id, None).path().unwrap_or_default(),
                        id,
                        place.clone(),
                    ) {
                        self.evidence.articles.insert(id.to_string(), l);
                    }
                }
                (
                    "an article level: choose A, B, C, D or E (不适用, not applicable)",
                    lvl.is_some(),
                )
            }
            _ => {
                let r = ElementResult::parse(&text);
                if let Some(r) = r {
                    if self.claim(
                        Loc::Key("elements", id, None).path().unwrap_or_default(),
                        id,
                        place.clone(),
                    ) {
                        self.evidence.elements.insert(id.to_string(), r);
                    }
                }
                (
                    "an element result: choose met, partial, not_met or na",
                    r.is_some(),
                )
            }
        };
        if !ok {
            self.push(Some(&place), Some(id), format!("{text:?} is not {section}"));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn observation<'d>(
        &mut self,
        sheet: &str,
        h: &Header,
        row: u32,
        id: &str,
        label: &str,
        cols: &[Option<u32>; 3],
        get: &impl Fn(u32, u32) -> &'d Data,
    ) {
        let mut nums: [Option<Decimal>; 3] = [None; 3];
        let mut bad = false;
        for k in 0..3 {
            let Some(c) = cols[k] else { continue };
            match number(get(row, c)) {
                Ok(v) => nums[k] = v,
                Err(msg) => {
                    let place = h.place(sheet, row, c);
                    self.push(Some(&place), Some(id), msg);
                    bad = true;
                }
            }
        }
        if bad {
            return;
        }
        let at = |k: usize| h.place(sheet, row, cols[k].unwrap_or(h.id));
        let (obs, place) = match nums {
            [None, None, None] => return,
            [Some(v), None, None] => (Observation::Value(v), at(0)),
            [None, Some(n), Some(d)] => (
                Observation::Ratio {
                    numerator: n,
                    denominator: d,
                },
                at(1),
            ),
            [Some(_), _, _] => {
                self.push(
                    Some(&at(0)),
                    Some(id),
                    "give a value or a numerator and denominator, not both",
                );
                return;
            }
            [None, Some(_), None] => {
                self.push(Some(&at(1)), Some(id), "a numerator needs a denominator");
                return;
            }
            [None, None, Some(_)] => {
                self.push(Some(&at(2)), Some(id), "a denominator needs a numerator");
                return;
            }
        };
        let key = Loc::Key("indicators", id, Some(label))
            .path()
            .unwrap_or_default();
        if self.claim(key, id, place) {
            self.evidence
                .indicators
                .entry(id.to_string())
                .or_default()
                .insert(label.to_string(), obs);
        }
    }

    fn finish(mut self) -> Result<WorkbookEvidence, EvidenceError> {
        if self.parts == 0 {
            self.push(
                None,
                None,
                "no sheet has a header row with an id column and a kind column: is this an evidence workbook? (`sanjia template` writes one)",
            );
        }
        match self.hospital.take() {
            Some(h) => self.evidence.hospital = h,
            None => {
                let place = self.blank_hospital.clone();
                self.push(
                    place.as_ref(),
                    None,
                    "the hospital id is missing: fill it in next to 医院编号 hospital in the readme sheet",
                );
            }
        }
        self.evidence.name = self.name.take();
        let file = self.places.file.clone();
        if !self.problems.is_empty() {
            let h = self.evidence.hospital.clone();
            let e = EvidenceError {
                hospital: (!h.is_empty()).then_some(h),
                file: None,
                problems: self.problems,
                more: self.more,
            };
            return Err(match file {
                Some(f) => e.in_file(&f),
                None => e,
            });
        }
        Ok(WorkbookEvidence {
            evidence: self.evidence,
            places: self.places,
        })
    }
}

fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as text (numbers without a trailing `.0`); `None` when blank.
fn cell_text(d: &Data) -> Option<String> {
    let s = match d {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => match decimal_from_f64(*f) {
            Some(d) => d.normalize().to_string(),
            None => f.to_string(),
        },
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

/// A number cell: `Ok(None)` when blank, an error message when it is not a plain number.
fn number(d: &Data) -> Result<Option<Decimal>, String> {
    match d {
        Data::Empty => Ok(None),
        Data::Int(i) => Ok(Some(Decimal::from(*i))),
        Data::Float(f) => decimal_from_f64(*f)
            .map(Some)
            .ok_or_else(|| format!("{f} is not a finite number")),
        Data::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if t.ends_with('%') || t.ends_with('‰') {
                return Err(format!(
                    "{t:?}: write the number in the indicator's unit without % or ‰ (92.5% → 92.5)"
                ));
            }
            let plain: String = t.chars().filter(|&c| c != ',').collect();
            parse_decimal(&plain)
                .map(Some)
                .map_err(|e| format!("{t:?} is not a number: {}", e.reason))
        }
        Data::Bool(b) => Err(format!("{b} is not a number")),
        Data::DateTime(dt) => Err(format!(
            "{dt} is a date, not a number (is the cell formatted as a date?)"
        )),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Err(format!("{s} is a date, not a number")),
        Data::Error(e) => Err(format!("the cell shows the error {e}, not a number")),
    }
}
