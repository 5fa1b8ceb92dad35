//! Where each evidence entry came from in a workbook, to name the cell in errors.

use crate::evidence::EvidenceError;
use std::collections::HashMap;
use std::fmt;

/// The name of a 0-based column: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_name(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        out.push(b'A' + r);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One cell of a workbook: the sheet, the row and the column as Excel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    /// Sheet name.
    pub sheet: String,
    /// Row, 1-based as Excel shows it.
    pub row: u32,
    /// Column, 0-based (`A` = 0).
    pub col: u32,
    /// The column's header, when the column has one.
    pub header: Option<String>,
}

impl Place {
    /// A cell from 0-based row and column indices.
    pub fn new(sheet: &str, row0: u32, col0: u32, header: Option<&str>) -> Place {
        Place {
            sheet: sheet.to_string(),
            row: row0 + 1,
            col: col0,
            header: header.map(str::to_string),
        }
    }

    /// The cell reference, e.g. `H12`.
    pub fn cell(&self) -> String {
        format!("{}{}", column_name(self.col), self.row)
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sheet {:?}, row {}, column {}",
            self.sheet,
            self.row,
            column_name(self.col)
        )?;
        if let Some(h) = &self.header {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

/// Evidence entries and the cells they came from, keyed by the path that errors use
/// (e.g. `articles."3.1.1"`, `indicators."2.2.7"."2024"`; see
/// [`Loc::path`](crate::evidence::Loc::path)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    /// The workbook file, when read from one.
    pub file: Option<String>,
    /// The rulebook id the workbook names (its readme's 评审规则 rulebook), if any.
    pub rulebook: Option<String>,
    cells: HashMap<String, Place>,
}

impl Places {
    /// An empty map for a file.
    pub fn new(file: Option<&str>) -> Places {
        Places {
            file: file.map(str::to_string),
            rulebook: None,
            cells: HashMap::new(),
        }
    }

    /// Record where an entry came from.
    pub fn insert(&mut self, path: String, place: Place) {
        self.cells.insert(path, place);
    }

    /// The cell of an entry, by its error path.
    pub fn get(&self, path: &str) -> Option<&Place> {
        self.cells.get(path)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Rewrite an error found when checking the evidence against a rulebook so that each
    /// problem names the sheet, row and column of its cell (and the error names the file).
    pub fn relocate(&self, mut e: EvidenceError) -> EvidenceError {
        for p in e.problems.iter_mut() {
            if let Some(place) = p.path.as_deref().and_then(|k| self.cells.get(k)) {
                p.path = Some(place.to_string());
            }
        }
        match &self.file {
            Some(f) => e.in_file(f),
            None => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn place_text() {
        let p = Place::new("P3 现场检查", 11, 7, Some("评价 answer"));
        assert_eq!(p.cell(), "H12");
        assert_eq!(
            p.to_string(),
            "sheet \"P3 现场检查\", row 12, column H (评价 answer)"
        );
    }
}
