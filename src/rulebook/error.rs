//! Errors found while loading and checking a rulebook.

use std::fmt;

/// One problem in a rulebook: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path inside the file, e.g. `node[12].bands[1].when` or `grade[0].when[2]`.
    pub path: String,
    /// The criterion (node, grade or outcome) id concerned, when there is one.
    pub id: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}", self.path)?;
        }
        if let Some(id) = &self.id {
            write!(f, " (id {id:?})")?;
        }
        if !self.path.is_empty() || self.id.is_some() {
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

/// A rulebook that cannot be used, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulebookError {
    /// The file (path or built-in name), when known.
    pub file: Option<String>,
    /// Every problem found (at least one).
    pub problems: Vec<Problem>,
}

impl RulebookError {
    /// An error with a single problem.
    pub fn single(
        file: Option<String>,
        path: impl Into<String>,
        id: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        RulebookError {
            file,
            problems: vec![Problem {
                path: path.into(),
                id,
                message: message.into(),
            }],
        }
    }

    /// Set the file name if it is not yet known.
    pub fn in_file(mut self, file: &str) -> Self {
        if self.file.is_none() {
            self.file = Some(file.to_string());
        }
        self
    }
}

impl fmt::Display for RulebookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.as_deref().unwrap_or("<text>");
        match self.problems.as_slice() {
            [one] => write!(f, "rulebook {file}: {one}"),
            many => {
                write!(f, "rulebook {file}: {} problems", many.len())?;
                for p in many {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

/// Collects problems while checking a rulebook.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub(crate) list: Vec<Problem>,
}

impl Problems {
    pub(crate) fn push(
        &mut self,
        path: impl Into<String>,
        id: Option<&str>,
        message: impl Into<String>,
    ) {
        self.list.push(Problem {
            path: path.into(),
            id: id.map(str::to_string),
            message: message.into(),
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub(crate) fn into_error(self, file: Option<String>) -> RulebookError {
        RulebookError {
            file,
            problems: self.list,
        }
    }
}
