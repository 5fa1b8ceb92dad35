//! Size limits checked before a rulebook is compiled, so that no later step (nor any error
//! message, which quotes ids and texts) works on a hostile amount of data.
//!
//! | limit | value | where else |
//! |---|---|---|
//! | text field (any string or key) | [`MAX_TEXT_LEN`] bytes | node ids and titles in `compile` |
//! | grades | [`MAX_GRADES`] | layering (`layer::resolve`) |
//! | conditions per grade | [`MAX_GRADE_CONDITIONS`] | |
//! | outcomes | [`MAX_OUTCOMES`] | layering |
//!
//! Nodes ([`MAX_NODES`](super::compile::MAX_NODES)) and tree depth are checked by the compiler,
//! condition length and nesting by the condition parser, file size by the loader, nesting of
//! TOML / JSON values by the parsers (see `docs/reliability.md`).

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::compile::{MAX_GRADES, MAX_GRADE_CONDITIONS, MAX_OUTCOMES, MAX_TEXT_LEN};
use super::error::Problems;
use super::load::ellipsize;
use super::model::RulebookFile;
use serde_json::Value;

/// Check counts and text lengths; false (with the problems pushed) when a limit is exceeded.
pub(crate) fn check(src: &RulebookFile, p: &mut Problems) -> bool {
    let before = p.list.len();
    if src.grades.len() > MAX_GRADES {
        p.push("grade", None, format!("has more than {MAX_GRADES} grades"));
    }
    for (i, g) in src.grades.iter().enumerate() {
        if g.when.len() > MAX_GRADE_CONDITIONS {
            p.push(
                format!("grade[{i}].when"),
                None,
                format!("has more than {MAX_GRADE_CONDITIONS} conditions"),
            );
        }
    }
    if src.outcomes.len() > MAX_OUTCOMES {
        p.push(
            "outcome",
            None,
            format!("has more than {MAX_OUTCOMES} outcomes"),
        );
    }
    if p.list.len() == before {
        match serde_json::to_value(src) {
            Ok(v) => long_texts(&v, p),
            Err(e) => p.push("", None, format!("cannot be read back: {e}")),
        }
    }
    p.list.len() == before
}

/// Push a problem for every string or key longer than [`MAX_TEXT_LEN`] (at most 20), naming
/// its path. Iterative: a deeply nested value costs no call stack.
fn long_texts(v: &Value, p: &mut Problems) {
    let mut found = 0;
    let mut stack: Vec<(String, &Value)> = vec![(String::new(), v)];
    while let Some((path, v)) = stack.pop() {
        let mut flag = |path: &str, what: &str, s: &str| {
            found += 1;
            if found <= 20 {
                p.push(
                    path.to_string(),
                    None,
                    format!(
                        "{what} is longer than {MAX_TEXT_LEN} bytes ({} bytes: {:?})",
                        s.len(),
                        ellipsize(s, 40)
                    ),
                );
            }
        };
        match v {
            Value::String(s) if s.len() > MAX_TEXT_LEN => flag(&path, "the text", s),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((format!("{path}[{i}]"), item));
                }
            }
            Value::Object(map) => {
                for (k, item) in map.iter().rev() {
                    let key = if k.len() > MAX_TEXT_LEN {
                        flag(&path, "a key", k);
                        ellipsize(k, 40)
                    } else {
                        k.clone()
                    };
                    let sub = if path.is_empty() {
                        key
                    } else {
                        format!("{path}.{key}")
                    };
                    stack.push((sub, item));
                }
            }
            _ => {}
        }
    }
    if found > 20 {
        p.push(
            "",
            None,
            format!(
                "... and {} more texts longer than {MAX_TEXT_LEN} bytes",
                found - 20
            ),
        );
    }
}
