//! Errors in a hospital's evidence.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::fmt;

/// Most problems kept in one error (the rest are counted).
pub const MAX_PROBLEMS: usize = 1000;

/// Most problems written out in the error's message (all kept ones are in `problems`).
pub const SHOWN_PROBLEMS: usize = 20;

/// One problem in the evidence: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceProblem {
    /// Row in a table (0-based), when the evidence came from a table.
    pub row: Option<usize>,
    /// Path inside a file, e.g. `indicators."1.1.3.1".2024`.
    pub path: Option<String>,
    /// The criterion concerned.
    pub criterion: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for EvidenceProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut wrote = false;
        if let Some(r) = self.row {
            write!(f, "row {r}")?;
            wrote = true;
        }
        if let Some(p) = &self.path {
            write!(f, "{}{p}", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        if let Some(c) = &self.criterion {
            write!(f, "{}criterion {c:?}", if wrote { ", " } else { "" })?;
            wrote = true;
        }
        if wrote {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// Evidence that cannot be scored, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EvidenceError {
    /// The hospital, when known.
    pub hospital: Option<String>,
    /// The file, when the evidence came from one.
    pub file: Option<String>,
    /// The problems (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<EvidenceProblem>,
    /// Problems found beyond those kept.
    pub more: usize,
}

impl EvidenceError {
    /// An error with one problem.
    pub fn single(hospital: Option<&str>, message: impl Into<String>) -> Self {
        EvidenceError {
            hospital: hospital.map(str::to_string),
            file: None,
            problems: vec![EvidenceProblem {
                row: None,
                path: None,
                criterion: None,
                message: message.into(),
            }],
            more: 0,
        }
    }

    /// Name the file.
    pub fn in_file(mut self, file: &str) -> Self {
        self.file.get_or_insert_with(|| file.to_string());
        self
    }
}

impl fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("evidence")?;
        if let Some(file) = &self.file {
            write!(f, " {file}")?;
        }
        if let Some(h) = &self.hospital {
            write!(f, " (hospital {h})")?;
        }
        match self.problems.as_slice() {
            [one] if self.more == 0 => write!(f, ": {one}"),
            many => {
                write!(f, ": {} problems", many.len() + self.more)?;
                for p in many.iter().take(SHOWN_PROBLEMS) {
                    write!(f, "\n  - {p}")?;
                }
                let rest = many.len().saturating_sub(SHOWN_PROBLEMS) + self.more;
                if rest > 0 {
                    write!(f, "\n  - ... and {rest} more (see `problems`)")?;
                }
                Ok(())
            }
        }
    }
}

/// Collects evidence problems, bounded.
#[derive(Debug, Default, Clone)]
pub(crate) struct Collector {
    pub(crate) problems: Vec<EvidenceProblem>,
    pub(crate) more: usize,
}

impl Collector {
    pub(crate) fn push(
        &mut self,
        row: Option<usize>,
        path: Option<String>,
        criterion: Option<&str>,
        message: impl Into<String>,
    ) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        self.problems.push(EvidenceProblem {
            row,
            path,
            criterion: criterion.map(str::to_string),
            message: message.into(),
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.problems.is_empty() && self.more == 0
    }

    pub(crate) fn into_error(self, hospital: Option<&str>) -> EvidenceError {
        EvidenceError {
            hospital: hospital.map(str::to_string),
            file: None,
            problems: self.problems,
            more: self.more,
        }
    }
}
