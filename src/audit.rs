//! Audit fields: what a result was computed from, so it can be reproduced and checked later.
//!
//! Every [`Report`](crate::Report) carries an [`Audit`]: the rulebook's id and edition, the
//! SHA-256 of the rulebook's canonical compiled source, the SHA-256 of the evidence's canonical
//! form, and the sanjia version.
//!
//! * **Rulebook hash** (`rulebook_sha256`): of the rulebook *as compiled* — after `extends`
//!   layering is resolved — written as canonical JSON (object keys sorted, no whitespace,
//!   decimals normalized: `0.950`, `95%` and `"0.95"` are the same number). A layered file and
//!   the flattened file it resolves to, or the same rulebook in TOML and JSON, reformatted or
//!   reordered within tables, hash the same; comments and formatting do not count.
//! * **Evidence hash** (`evidence_sha256`): of the evidence *as checked against the rulebook*
//!   (the [`Sheet`] that was scored): the hospital id, then each criterion in rulebook order
//!   with its answer (gate pass/fail, level rank, or each observation by period label, counts
//!   scaled to the indicator's unit, exact decimals), and the observations left out (`0/0`).
//!   The same evidence from a TOML or JSON file, a dict, an Arrow table (in any row order or
//!   batch split) or a workbook hashes the same.
//!
//! Both hashes are lowercase hex, computed with the `sha2` crate.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use crate::evidence::{Answer, Sheet};
use crate::ratio::Quantity;
use crate::rulebook::model::{NodeKind, RulebookFile};
use crate::Rulebook;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Tag hashed before the canonical rulebook, so a change of canonical form changes every hash.
const RULEBOOK_FORM: &str = "sanjia-rulebook-v1\n";
/// Tag hashed before the canonical evidence.
const EVIDENCE_FORM: &str = "sanjia-evidence-v1\n";

/// What a report was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Audit {
    /// The rulebook's id.
    pub rulebook_id: String,
    /// The rulebook's edition, when it gives one.
    pub rulebook_edition: Option<String>,
    /// The rulebook file's own version, when it gives one.
    pub rulebook_version: Option<String>,
    /// SHA-256 (hex) of the rulebook's canonical compiled source.
    pub rulebook_sha256: String,
    /// SHA-256 (hex) of the evidence's canonical form, as scored.
    pub evidence_sha256: String,
    /// The sanjia version that scored it.
    pub sanjia_version: String,
}

impl Audit {
    /// The audit fields of a result scored against `rb` with evidence hash `evidence_sha256`.
    pub fn new(rb: &Rulebook, evidence_sha256: &str) -> Audit {
        let m = rb.meta();
        Audit {
            rulebook_id: m.id.clone(),
            rulebook_edition: m.edition.clone(),
            rulebook_version: m.version.clone(),
            rulebook_sha256: rb.content_hash().to_string(),
            evidence_sha256: evidence_sha256.to_string(),
            sanjia_version: crate::VERSION.to_string(),
        }
    }

    /// One line for the end of an explanation.
    pub fn footer(&self) -> String {
        format!(
            "audit: rulebook {}{} sha256 {} · evidence sha256 {} · sanjia {}",
            self.rulebook_id,
            self.rulebook_edition
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default(),
            self.rulebook_sha256,
            self.evidence_sha256,
            self.sanjia_version
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Write a JSON value canonically: object keys sorted by their UTF-8 bytes, no whitespace.
/// Iterative (an explicit stack), so nesting depth costs no call stack.
pub fn canonical_json(v: &Value) -> String {
    enum Step<'a> {
        Value(&'a Value),
        Text(&'static str),
        Key(&'a str),
    }
    let mut out = String::new();
    let mut stack = vec![Step::Value(v)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Text(t) => out.push_str(t),
            Step::Key(k) => {
                out.push_str(&Value::String(k.to_string()).to_string());
                out.push(':');
            }
            Step::Value(v) => match v {
                Value::Array(items) => {
                    out.push('[');
                    stack.push(Step::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push(Step::Value(item));
                        if i > 0 {
                            stack.push(Step::Text(","));
                        }
                    }
                }
                Value::Object(map) => {
                    out.push('{');
                    stack.push(Step::Text("}"));
                    let mut keys: Vec<(&String, &Value)> = map.iter().collect();
                    keys.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                    for (i, (k, item)) in keys.into_iter().enumerate().rev() {
                        stack.push(Step::Value(item));
                        stack.push(Step::Key(k));
                        if i > 0 {
                            stack.push(Step::Text(","));
                        }
                    }
                }
                scalar => out.push_str(&scalar.to_string()),
            },
        }
    }
    out
}

/// SHA-256 (hex) of a rulebook source's canonical JSON.
pub fn rulebook_hash(source: &RulebookFile) -> String {
    let mut h = Sha256::new();
    h.update(RULEBOOK_FORM);
    match serde_json::to_value(source) {
        Ok(v) => h.update(canonical_json(&v)),
        // Not reachable for a compiled rulebook (every field is JSON-representable); hash the
        // error so the result still differs from any real rulebook's.
        Err(e) => h.update(format!("unserializable: {e}")),
    }
    hex(&h.finalize())
}

fn quantity(q: &Quantity) -> String {
    match q {
        Quantity::Decimal(d) => d.normalize().to_string(),
        Quantity::Ratio { num, den } => format!("{}/{}", num.normalize(), den.normalize()),
    }
}

fn json_str(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// SHA-256 (hex) of a checked sheet's canonical form (see the module docs).
pub fn evidence_hash(rb: &Rulebook, sheet: &Sheet) -> String {
    let mut h = Sha256::new();
    h.update(EVIDENCE_FORM);
    h.update(format!("hospital {}\n", json_str(&sheet.hospital)));
    let nodes = rb.nodes();
    let mut line = String::new();
    for (i, answer) in sheet.answers.iter().enumerate() {
        let Some(node) = nodes.get(i) else { break };
        line.clear();
        let id = json_str(&node.id);
        match answer {
            Answer::None => continue,
            Answer::Gate(p) => {
                let _ = writeln!(line, "{id} gate {}", if *p { "pass" } else { "fail" });
            }
            Answer::Rank(r) => {
                let kind = match node.kind {
                    NodeKind::Element => "element",
                    _ => "article",
                };
                match r {
                    Some(r) => {
                        let _ = writeln!(line, "{id} {kind} {r}");
                    }
                    None => {
                        let _ = writeln!(line, "{id} {kind} na");
                    }
                }
            }
            Answer::Series(..) => {
                for o in sheet.series(i as u32) {
                    let _ = writeln!(
                        line,
                        "{id} obs {} {}",
                        json_str(sheet.period(o.period)),
                        quantity(&o.value)
                    );
                }
            }
        }
        h.update(&line);
    }
    let mut skipped: Vec<String> = sheet
        .skipped
        .iter()
        .map(|(n, label, why)| {
            let id = nodes.get(*n as usize).map_or("", |x| x.id.as_str());
            format!(
                "{} skipped {} {}\n",
                json_str(id),
                json_str(label),
                json_str(why)
            )
        })
        .collect();
    skipped.sort();
    for s in skipped {
        h.update(s);
    }
    hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_survives_deep_nesting() {
        let v: Value = serde_json::from_str(r#"{"b":1,"a":[true,null,{"d":"x","c":2.5}]}"#)
            .expect("valid JSON");
        assert_eq!(
            canonical_json(&v),
            r#"{"a":[true,null,{"c":2.5,"d":"x"}],"b":1}"#
        );
        let mut deep = Value::Null;
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(canonical_json(&deep).len(), 200_004);
        // Dropping a deep value recurses in serde_json; take it apart by hand.
        let mut v = deep;
        while let Value::Array(mut a) = v {
            v = a.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn sha256_of_a_known_text() {
        let mut h = Sha256::new();
        h.update("abc");
        assert_eq!(
            hex(&h.finalize()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
