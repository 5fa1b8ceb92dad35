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

use crate::evidence::{Answer, Obs, Sheet};
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

/// The bytes of a canonical form, fed to SHA-256 through a buffer on the stack (no heap
/// buffer per hospital; the hasher takes the bytes a block at a time).
struct Feed {
    sha: Sha256,
    buf: [u8; 2048],
    n: usize,
}

impl Feed {
    fn new() -> Feed {
        Feed {
            sha: Sha256::new(),
            buf: [0; 2048],
            n: 0,
        }
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if self.n + bytes.len() > self.buf.len() {
            self.flush();
            if bytes.len() > self.buf.len() {
                self.sha.update(bytes);
                return;
            }
        }
        self.buf[self.n..self.n + bytes.len()].copy_from_slice(bytes);
        self.n += bytes.len();
    }

    fn flush(&mut self) {
        self.sha.update(&self.buf[..self.n]);
        self.n = 0;
    }

    fn finish(mut self) -> String {
        self.flush();
        hex(&self.sha.finalize())
    }
}

/// Append a length-prefixed byte string (u32 little-endian length, then the bytes).
fn put_str(feed: &mut Feed, s: &str) {
    feed.put(&(s.len() as u32).to_le_bytes());
    feed.put(s.as_bytes());
}

/// Append a decimal in normal form: trailing zeros removed (`0.950` and `0.95` are the same
/// number), then its scale (one byte) and its signed mantissa: `8` and 8 bytes when it fits
/// an i64, else `16` and 16 bytes (little-endian).
#[inline]
fn put_decimal(feed: &mut Feed, d: &rust_decimal::Decimal) {
    match usual_decimal(d) {
        Some(bytes) => feed.put(&bytes),
        None => put_normalized(feed, &d.normalize()),
    }
}

/// [`put_decimal`]'s bytes of a decimal already in normal form (no places, or a last digit
/// that is not 0) whose mantissa fits an i64: the usual value, in one store with no 96-bit
/// arithmetic.
#[inline]
fn usual_decimal(d: &rust_decimal::Decimal) -> Option<[u8; 10]> {
    let small = i64::try_from(d.mantissa()).ok()?;
    if d.scale() != 0 && small % 10 == 0 {
        return None;
    }
    let mut b = [d.scale() as u8, 8, 0, 0, 0, 0, 0, 0, 0, 0];
    b[2..].copy_from_slice(&small.to_le_bytes());
    Some(b)
}

/// [`put_decimal`] of a decimal in normal form.
#[cold]
fn put_normalized(feed: &mut Feed, n: &rust_decimal::Decimal) {
    match usual_decimal(n) {
        Some(bytes) => feed.put(&bytes),
        None => {
            feed.put(&[n.scale() as u8, 16]);
            feed.put(&n.mantissa().to_le_bytes());
        }
    }
}

fn put_quantity(feed: &mut Feed, q: &Quantity) {
    match q {
        Quantity::Decimal(d) => {
            feed.put(b"d");
            put_decimal(feed, d);
        }
        Quantity::Ratio { num, den } => {
            feed.put(b"r");
            put_decimal(feed, num);
            put_decimal(feed, den);
        }
    }
}

/// The bytes of an answer other than a level (none, a gate), or `None` for a series.
#[inline(never)]
fn other_answer(answer: &Answer) -> Option<([u8; 2], usize)> {
    match *answer {
        Answer::None | Answer::Rank(_) => Some(([0, 0], 1)),
        Answer::Gate(p) => Some(([if p { b'p' } else { b'f' }, 0], 1)),
        Answer::Series(..) => None,
    }
}

/// The observations of one indicator: `o`, their count, then each one's period and value.
fn put_series(feed: &mut Feed, series: &[Obs]) {
    feed.put(b"o");
    feed.put(&(series.len() as u32).to_le_bytes());
    for o in series {
        // The usual observation (a value) in one store.
        if let Quantity::Decimal(d) = &o.value {
            if let Some(value) = usual_decimal(d) {
                let mut b = [0u8; 15];
                b[..4].copy_from_slice(&o.period.to_le_bytes());
                b[4] = b'd';
                b[5..].copy_from_slice(&value);
                feed.put(&b);
                continue;
            }
        }
        feed.put(&o.period.to_le_bytes());
        put_quantity(feed, &o.value);
    }
}

/// SHA-256 (hex) of a checked sheet's canonical form (see the module docs), written as bytes
/// and hashed in one pass. Criteria are written in the rulebook's order, one tag byte each
/// (the rulebook itself is named by its own hash), so a hospital costs a few bytes per
/// criterion.
pub fn evidence_hash(rb: &Rulebook, sheet: &Sheet) -> String {
    let nodes = rb.nodes();
    let kinds = &rb.flat().kind;
    let mut feed = Feed::new();
    feed.put(EVIDENCE_FORM.as_bytes());
    put_str(&mut feed, &sheet.hospital);
    // The period labels (sorted), then observations refer to them by position.
    feed.put(&(sheet.periods.len() as u32).to_le_bytes());
    for label in &sheet.periods {
        put_str(&mut feed, label);
    }
    feed.put(&(sheet.answers.len() as u32).to_le_bytes());
    let answers = &sheet.answers[..];
    let mut i = 0;
    while i < answers.len() {
        // The plain answers (levels, gates, none: one or two bytes) of a chunk, up to its
        // first series, written with the position in a register; room for two bytes each is
        // made first.
        if feed.buf.len() - feed.n < 512 {
            feed.flush();
        }
        let end = answers.len().min(i + (feed.buf.len() - feed.n) / 2);
        let (mut n, buf) = (feed.n, &mut feed.buf);
        while let (Some(answer), Some(to)) = (answers[..end].get(i), buf.get_mut(n..n + 2)) {
            // Levels first: nearly every criterion, so the one branch is nearly always taken.
            // (A test of one variant, not a `match`: that compiles to a jump through a table,
            // mispredicted at every change of kind.)
            let (bytes, len) = if let Answer::Rank(r) = *answer {
                let kind = match kinds.get(i) {
                    Some(NodeKind::Element) => b'e',
                    _ => b'a',
                };
                ([kind, r.unwrap_or(u8::MAX)], 2)
            } else {
                match other_answer(answer) {
                    Some(x) => x,
                    None => break,
                }
            };
            to.copy_from_slice(&bytes);
            n += len;
            i += 1;
        }
        feed.n = n;
        if let Some(Answer::Series(..)) = answers[..end].get(i) {
            put_series(&mut feed, sheet.series(i as u32));
            i += 1;
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
    feed.put(&(skipped.len() as u32).to_le_bytes());
    for (id, label, why) in skipped {
        put_str(&mut feed, id);
        put_str(&mut feed, label);
        put_str(&mut feed, why);
    }
    feed.finish()
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

    /// The canonical form's bytes do not change unnoticed: hashes of fixed evidence, pinned
    /// (a change of form must change `EVIDENCE_FORM` and these values together).
    #[test]
    fn evidence_hashes_are_pinned() {
        use crate::evidence::{Evidence, Observation};
        use rust_decimal::Decimal;
        let hash = |rb: &str, ev: &Evidence| {
            let rb = Rulebook::builtin(rb).expect("built-in");
            evidence_hash(&rb, &ev.sheet(&rb).expect("valid sample"))
        };
        let demo = Evidence::sample("demo", None).expect("sample");
        let cn = Evidence::sample("cn-tertiary-2022", None).expect("sample");
        // Counts (scaled to the unit), a left-out 0/0, an element, a failed gate.
        let mut odd = demo.clone();
        let (id, series) = odd.indicators.iter_mut().next().expect("an indicator");
        let id = id.clone();
        series.insert(
            "2019".into(),
            Observation::Ratio {
                numerator: Decimal::new(7, 0),
                denominator: Decimal::new(9, 0),
            },
        );
        series.insert(
            "2018".into(),
            Observation::Ratio {
                numerator: Decimal::ZERO,
                denominator: Decimal::ZERO,
            },
        );
        if let Some(g) = odd.gates.values_mut().next() {
            *g = false;
        }
        let got = [
            hash("demo", &demo),
            hash("cn-tertiary-2022", &cn),
            hash("demo", &odd),
        ];
        assert_eq!(
            got,
            [
                "338ecc04ff30d8d5cbaefe87471b2ee65c6bf110e4896c2fa68c694097989594",
                "ef3c4067558043a80280b956ee660b53f3b3731e4165085a6f961e2fd8f812ba",
                "8965a6d6f120103e5ef9dcde200786483a85d61b5b4285cbe797142cf52e7726",
            ],
            "indicator {id}"
        );
    }

    /// The canonical form written byte by byte into a vector, the plain way: what the
    /// chunked, buffered writing of [`evidence_hash`] must hash.
    fn reference_hash(rb: &Rulebook, sheet: &Sheet) -> String {
        fn text(out: &mut Vec<u8>, s: &str) {
            out.extend((s.len() as u32).to_le_bytes());
            out.extend(s.as_bytes());
        }
        fn decimal(out: &mut Vec<u8>, d: &rust_decimal::Decimal) {
            let n = d.normalize();
            out.push(n.scale() as u8);
            match i64::try_from(n.mantissa()) {
                Ok(m) => {
                    out.push(8);
                    out.extend(m.to_le_bytes());
                }
                Err(_) => {
                    out.push(16);
                    out.extend(n.mantissa().to_le_bytes());
                }
            }
        }
        let mut out = EVIDENCE_FORM.as_bytes().to_vec();
        text(&mut out, &sheet.hospital);
        out.extend((sheet.periods.len() as u32).to_le_bytes());
        for p in &sheet.periods {
            text(&mut out, p);
        }
        out.extend((sheet.answers.len() as u32).to_le_bytes());
        for (i, a) in sheet.answers.iter().enumerate() {
            match *a {
                Answer::None => out.push(0),
                Answer::Gate(p) => out.push(if p { b'p' } else { b'f' }),
                Answer::Rank(r) => {
                    let element = rb.flat().kind.get(i) == Some(&NodeKind::Element);
                    out.push(if element { b'e' } else { b'a' });
                    out.push(r.unwrap_or(u8::MAX));
                }
                Answer::Series(..) => {
                    let series = sheet.series(i as u32);
                    out.push(b'o');
                    out.extend((series.len() as u32).to_le_bytes());
                    for o in series {
                        out.extend(o.period.to_le_bytes());
                        match &o.value {
                            Quantity::Decimal(d) => {
                                out.push(b'd');
                                decimal(&mut out, d);
                            }
                            Quantity::Ratio { num, den } => {
                                out.push(b'r');
                                decimal(&mut out, num);
                                decimal(&mut out, den);
                            }
                        }
                    }
                }
            }
        }
        let mut skipped: Vec<(&str, &str, &str)> = sheet
            .skipped
            .iter()
            .map(|(n, l, w)| (rb.nodes()[*n as usize].id.as_str(), l.as_str(), w.as_str()))
            .collect();
        skipped.sort_unstable();
        out.extend((skipped.len() as u32).to_le_bytes());
        for (a, b, c) in skipped {
            text(&mut out, a);
            text(&mut out, b);
            text(&mut out, c);
        }
        hex(&Sha256::digest(&out))
    }

    /// Random sheets (every kind of answer, long series, decimals of every size, answers
    /// far beyond one buffer) hash as the plain writing of the form does.
    #[test]
    fn evidence_hash_equals_the_plain_form() {
        use rust_decimal::Decimal;
        let rb = Rulebook::builtin("cn-tertiary-2022").expect("built-in");
        let n = rb.nodes().len();
        let mut x: u64 = 5;
        let mut next = move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 16
        };
        for case in 0..300 {
            let mut sheet = Sheet {
                hospital: format!("H{case}"),
                periods: (0..next() % 4).map(|p| format!("20{p:02}")).collect(),
                ..Sheet::default()
            };
            // More answers than the rulebook has nodes too (every kind byte past the end).
            let len = if case % 5 == 0 { n * 3 } else { n };
            for _ in 0..len {
                let answer = match next() % 10 {
                    0 => Answer::None,
                    1 => Answer::Gate(next() % 2 == 0),
                    2 | 3 => {
                        let start = sheet.obs.len() as u32;
                        let k = (next() % 40) as u32;
                        for _ in 0..k {
                            let m = (next() as i64 % 2_000_001) - 1_000_000;
                            let big = Decimal::from_i128_with_scale(
                                i128::from(m) * 10_000_000_000_000_000_000,
                                (next() % 6) as u32,
                            );
                            let value = match next() % 4 {
                                0 => Quantity::Decimal(Decimal::new(m, (next() % 7) as u32)),
                                1 => Quantity::Decimal(big),
                                2 => Quantity::Ratio {
                                    num: Decimal::new(m.abs(), 0),
                                    den: Decimal::new(m.abs() + 1, 2),
                                },
                                _ => Quantity::Decimal(Decimal::new(m * 100, 2)),
                            };
                            let period = (next() % 4) as u32;
                            sheet.obs.push(Obs { period, value });
                        }
                        Answer::Series(start, k)
                    }
                    _ => Answer::Rank((next() % 6 != 0).then(|| (next() % 5) as u8)),
                };
                sheet.answers.push(answer);
            }
            if case % 3 == 0 {
                sheet.skipped.push((1, "2021".into(), "0/0".into()));
                sheet.skipped.push((0, "2020".into(), "no cases".into()));
            }
            assert_eq!(
                evidence_hash(&rb, &sheet),
                reference_hash(&rb, &sheet),
                "case {case}"
            );
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
