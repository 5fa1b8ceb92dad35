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
//!   (the [`Sheet`] that was scored), written as bytes (form `sanjia-evidence-v3`): the
//!   hospital id; the period labels used, sorted; then every node in the rulebook's order with
//!   its answer (none, gate pass/fail, level rank or not applicable, or each observation by
//!   period with its value, counts scaled to the indicator's unit, exact decimals with trailing
//!   zeros removed); and the observations left out (`0/0`) in sorted order. Strings are
//!   length-prefixed, so no text can pass for another field. Positions stand for criteria: the
//!   hash is of evidence *for this rulebook*, which the rulebook hash names. The same evidence
//!   from a TOML or JSON file, a dict, an Arrow table (in any row order or batch split) or a
//!   workbook hashes the same.
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

/// Tag hashed before the canonical rulebook, so a change of canonical form changes every hash.
const RULEBOOK_FORM: &str = "sanjia-rulebook-v1\n";
/// Tag hashed before the canonical evidence.
const EVIDENCE_FORM: &str = "sanjia-evidence-v3\n";

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
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
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

/// Append a length-prefixed byte string (u32 little-endian length, then the bytes).
fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// Append a decimal in normal form: trailing zeros removed (`0.950` and `0.95` are the same
/// number), then its scale (one byte) and its signed mantissa: `8` and 8 bytes when it fits
/// an i64, else `16` and 16 bytes (little-endian).
fn put_decimal(buf: &mut Vec<u8>, d: &rust_decimal::Decimal) {
    // Already normal when it has no places or its last digit is not 0.
    let m = d.mantissa();
    // (The remainder of an i64 where it fits: an i128 remainder is a slow library call.)
    let last_digit = match i64::try_from(m) {
        Ok(small) => small % 10,
        Err(_) => (m % 10) as i64,
    };
    let n = if d.scale() == 0 || last_digit != 0 {
        *d
    } else {
        d.normalize()
    };
    buf.push(n.scale() as u8);
    let m = n.mantissa();
    match i64::try_from(m) {
        Ok(small) => {
            buf.push(8);
            buf.extend_from_slice(&small.to_le_bytes());
        }
        Err(_) => {
            buf.push(16);
            buf.extend_from_slice(&m.to_le_bytes());
        }
    }
}

fn put_quantity(buf: &mut Vec<u8>, q: &Quantity) {
    match q {
        Quantity::Decimal(d) => {
            buf.push(b'd');
            put_decimal(buf, d);
        }
        Quantity::Ratio { num, den } => {
            buf.push(b'r');
            put_decimal(buf, num);
            put_decimal(buf, den);
        }
    }
}

/// SHA-256 (hex) of a checked sheet's canonical form (see the module docs): written as bytes
/// into one buffer and hashed once. Criteria are written in the rulebook's order, one tag byte
/// each (the rulebook itself is named by its own hash), so a hospital costs a few bytes per
/// criterion.
pub fn evidence_hash(rb: &Rulebook, sheet: &Sheet) -> String {
    let nodes = rb.nodes();
    let kinds = &rb.flat().kind;
    let mut buf: Vec<u8> = Vec::with_capacity(64 + 2 * sheet.answers.len() + 24 * sheet.obs.len());
    buf.extend_from_slice(EVIDENCE_FORM.as_bytes());
    put_str(&mut buf, &sheet.hospital);
    // The period labels (sorted), then observations refer to them by position.
    buf.extend_from_slice(&(sheet.periods.len() as u32).to_le_bytes());
    for label in &sheet.periods {
        put_str(&mut buf, label);
    }
    buf.extend_from_slice(&(sheet.answers.len() as u32).to_le_bytes());
    for (i, answer) in sheet.answers.iter().enumerate() {
        match answer {
            Answer::None => buf.push(0),
            Answer::Gate(p) => buf.push(if *p { b'p' } else { b'f' }),
            Answer::Rank(r) => {
                let kind = match kinds.get(i) {
                    Some(NodeKind::Element) => b'e',
                    _ => b'a',
                };
                buf.extend_from_slice(&[kind, r.unwrap_or(u8::MAX)]);
            }
            Answer::Series(..) => {
                let series = sheet.series(i as u32);
                buf.push(b'o');
                buf.extend_from_slice(&(series.len() as u32).to_le_bytes());
                for o in series {
                    buf.extend_from_slice(&o.period.to_le_bytes());
                    put_quantity(&mut buf, &o.value);
                }
            }
        }
    }
    // Left-out observations, in a fixed order whatever order they were found in.
    let mut skipped: Vec<(&str, &str, &str)> = sheet
        .skipped
        .iter()
        .map(|(n, label, why)| {
            let id = nodes.get(*n as usize).map_or("", |x| x.id.as_str());
            (id, label.as_str(), why.as_str())
        })
        .collect();
    skipped.sort_unstable();
    buf.extend_from_slice(&(skipped.len() as u32).to_le_bytes());
    for (id, label, why) in skipped {
        put_str(&mut buf, id);
        put_str(&mut buf, label);
        put_str(&mut buf, why);
    }
    hex(&Sha256::digest(&buf))
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
