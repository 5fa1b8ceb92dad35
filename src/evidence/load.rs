//! Reading evidence files (TOML or JSON) and dict-like values.
//!
//! ```toml
//! hospital = "H001"
//! name = "示例市中心医院"
//!
//! [gates]
//! "1.1.1" = "pass"
//!
//! [articles]
//! "3.1.1" = "A"
//!
//! [elements]
//! "IPSG.1.ME1" = "met"
//!
//! [indicators]
//! "1.1.3.1" = { "2022" = 91.0, "2023" = 92.5, "2024" = 93.5 }
//! "2.2.7" = { "2024" = { numerator = 3, denominator = 1200 } }
//! "1.1.1.1" = 1200            # a single value without period
//! ```

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::error::Collector;
use super::{parse_gate_answer, ArticleLevel, ElementResult, Evidence, EvidenceError, Observation};
use crate::ratio::{decimal_from_f64, parse_decimal};
use crate::rulebook::load::{deserialize, read_text, Format};
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::Path;

impl Evidence {
    /// Read evidence from TOML text.
    pub fn from_toml(text: &str) -> Result<Evidence, EvidenceError> {
        Evidence::parse(text, Format::Toml)
    }

    /// Read evidence from JSON text.
    pub fn from_json(text: &str) -> Result<Evidence, EvidenceError> {
        Evidence::parse(text, Format::Json)
    }

    /// Read evidence from text in a format.
    pub fn parse(text: &str, format: Format) -> Result<Evidence, EvidenceError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(EvidenceError::single(None, "the evidence is empty"));
        }
        let FiniteValue(v) = deserialize(text, format).map_err(|(path, msg)| {
            let mut e = EvidenceError::single(None, msg);
            if !path.is_empty() {
                e.problems[0].path = Some(path);
            }
            e
        })?;
        Evidence::from_value(&v)
    }

    /// Read evidence from a file: `.toml` or `.json`, or with the `excel` feature a filled-in
    /// evidence workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`; see [`crate::excel`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Evidence, EvidenceError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        if crate::excel::is_workbook(path) {
            #[cfg(feature = "excel")]
            return crate::excel::read(path).map(|w| w.evidence);
            #[cfg(not(feature = "excel"))]
            return Err(EvidenceError::single(
                None,
                "reading Excel workbooks needs sanjia's `excel` cargo feature",
            )
            .in_file(&name));
        }
        let format = Format::from_path(path).ok_or_else(|| {
            let msg = if cfg!(feature = "excel") {
                "an evidence file ends in .toml, .json or .xlsx"
            } else {
                "an evidence file ends in .toml or .json"
            };
            EvidenceError::single(None, msg).in_file(&name)
        })?;
        let text = read_text(path).map_err(|m| EvidenceError::single(None, m).in_file(&name))?;
        Evidence::parse(&text, format).map_err(|e| e.in_file(&name))
    }

    /// Read evidence from a JSON-like value (e.g. a Python dict).
    pub fn from_value(v: &Value) -> Result<Evidence, EvidenceError> {
        let mut errs = Collector::default();
        let Some(top) = v.as_object() else {
            return Err(EvidenceError::single(
                None,
                "the evidence must be a table / object",
            ));
        };
        let hospital = match top.get("hospital") {
            Some(Value::String(s)) if s.len() > super::sheet::MAX_ID_LEN => {
                errs.push(
                    None,
                    Some("hospital".into()),
                    None,
                    format!(
                        "the hospital id is longer than {} bytes",
                        super::sheet::MAX_ID_LEN
                    ),
                );
                String::new()
            }
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                errs.push(
                    None,
                    Some("hospital".into()),
                    None,
                    "must be a non-empty text id",
                );
                String::new()
            }
            None => {
                errs.push(
                    None,
                    Some("hospital".into()),
                    None,
                    "missing: every evidence file names its hospital",
                );
                String::new()
            }
        };
        let mut ev = Evidence::new(hospital);
        for (key, val) in top {
            match key.as_str() {
                "hospital" => {}
                "name" => match val {
                    Value::String(s) => ev.name = Some(s.clone()),
                    _ => errs.push(None, Some("name".into()), None, "must be text"),
                },
                "gates" => each(&mut errs, "gates", val, |errs, id, v| {
                    let ans = match v {
                        Value::Bool(b) => Some(*b),
                        Value::String(s) => parse_gate_answer(s),
                        _ => None,
                    };
                    match ans {
                        Some(a) => {
                            ev.gates.insert(id.to_string(), a);
                        }
                        None => errs.push(
                            None,
                            Some(format!("gates.{}", quote(id))),
                            Some(id),
                            format!("{} is not a gate answer: use pass or fail (or true / false)", show(v)),
                        ),
                    }
                }),
                "articles" => each(&mut errs, "articles", val, |errs, id, v| {
                    match v.as_str().and_then(ArticleLevel::parse) {
                        Some(l) => {
                            ev.articles.insert(id.to_string(), l);
                        }
                        None => errs.push(
                            None,
                            Some(format!("articles.{}", quote(id))),
                            Some(id),
                            format!("{} is not an article level: use A, B, C, D or E (not applicable)", show(v)),
                        ),
                    }
                }),
                "elements" => each(&mut errs, "elements", val, |errs, id, v| {
                    match v.as_str().and_then(ElementResult::parse) {
                        Some(r) => {
                            ev.elements.insert(id.to_string(), r);
                        }
                        None => errs.push(
                            None,
                            Some(format!("elements.{}", quote(id))),
                            Some(id),
                            format!("{} is not an element result: use met, partial, not_met or na", show(v)),
                        ),
                    }
                }),
                "indicators" => each(&mut errs, "indicators", val, |errs, id, v| {
                    let path = format!("indicators.{}", quote(id));
                    let mut series = std::collections::BTreeMap::new();
                    match v {
                        Value::Object(m) if !is_ratio(m) => {
                            if m.is_empty() {
                                errs.push(None, Some(path.clone()), Some(id), "no values given");
                            }
                            for (period, ov) in m {
                                let p = format!("{path}.{}", quote(period));
                                if let Some(o) = observation(errs, &p, id, ov) {
                                    series.insert(period.clone(), o);
                                }
                            }
                        }
                        other => {
                            if let Some(o) = observation(errs, &path, id, other) {
                                series.insert(String::new(), o);
                            }
                        }
                    }
                    ev.indicators.insert(id.to_string(), series);
                }),
                other => errs.push(
                    None,
                    Some(other.to_string()),
                    None,
                    "unknown section: evidence has hospital, name, gates, articles, elements and indicators",
                ),
            }
        }
        if errs.is_empty() {
            Ok(ev)
        } else {
            let h = (!ev.hospital.is_empty()).then_some(ev.hospital.as_str());
            Err(errs.into_error(h))
        }
    }
}

fn quote(k: &str) -> String {
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !k.is_empty()
    {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

fn show(v: &Value) -> String {
    if let Some(f) = v.as_str().and_then(|s| s.strip_prefix(NON_FINITE)) {
        return f.to_string();
    }
    let s = v.to_string();
    if s.len() > 60 {
        format!(
            "{}...",
            &s[..s.char_indices().nth(57).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

fn each(
    errs: &mut Collector,
    section: &str,
    val: &Value,
    mut f: impl FnMut(&mut Collector, &str, &Value),
) {
    match val.as_object() {
        Some(m) => {
            for (k, v) in m {
                if k.len() > super::sheet::MAX_ID_LEN {
                    errs.push(
                        None,
                        Some(section.to_string()),
                        Some(&crate::rulebook::load::ellipsize(k, 40)),
                        format!(
                            "the criterion id is longer than {} bytes",
                            super::sheet::MAX_ID_LEN
                        ),
                    );
                    continue;
                }
                if k.trim().is_empty() {
                    errs.push(
                        None,
                        Some(section.to_string()),
                        None,
                        "an empty criterion id",
                    );
                    continue;
                }
                f(errs, k, v)
            }
        }
        None => errs.push(
            None,
            Some(section.to_string()),
            None,
            "must be a table of criterion id = answer",
        ),
    }
}

fn is_ratio(m: &serde_json::Map<String, Value>) -> bool {
    m.contains_key("numerator") || m.contains_key("denominator") || m.contains_key("value")
}

fn number(errs: &mut Collector, path: &str, id: &str, v: &Value) -> Option<Decimal> {
    let d = match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(Decimal::from(i))
            } else if let Some(u) = n.as_u64() {
                Some(Decimal::from(u))
            } else {
                n.as_f64().and_then(decimal_from_f64)
            }
        }
        Value::String(s) if s.starts_with(NON_FINITE) => None,
        Value::String(s) => match parse_decimal(s) {
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(None, Some(path.to_string()), Some(id), e.to_string());
                return None;
            }
        },
        _ => None,
    };
    if d.is_none() {
        errs.push(
            None,
            Some(path.to_string()),
            Some(id),
            format!("{} is not a finite number", show(v)),
        );
    }
    d
}

fn observation(errs: &mut Collector, path: &str, id: &str, v: &Value) -> Option<Observation> {
    match v {
        Value::Object(m) => {
            for k in m.keys() {
                if !matches!(k.as_str(), "numerator" | "denominator" | "value") {
                    errs.push(
                        None,
                        Some(format!("{path}.{}", quote(k))),
                        Some(id),
                        "unknown field: an observation has value, or numerator and denominator",
                    );
                    return None;
                }
            }
            match (m.get("value"), m.get("numerator"), m.get("denominator")) {
                (Some(v), None, None) => {
                    number(errs, &format!("{path}.value"), id, v).map(Observation::Value)
                }
                (None, Some(n), Some(d)) => {
                    let n = number(errs, &format!("{path}.numerator"), id, n);
                    let d = number(errs, &format!("{path}.denominator"), id, d);
                    Some(Observation::Ratio {
                        numerator: n?,
                        denominator: d?,
                    })
                }
                (Some(_), _, _) => {
                    errs.push(
                        None,
                        Some(path.to_string()),
                        Some(id),
                        "give a value or a numerator and denominator, not both",
                    );
                    None
                }
                _ => {
                    errs.push(
                        None,
                        Some(path.to_string()),
                        Some(id),
                        "a numerator needs a denominator and vice versa",
                    );
                    None
                }
            }
        }
        other => number(errs, path, id, other).map(Observation::Value),
    }
}

/// A JSON value read from TOML or JSON that keeps non-finite floats (TOML's `nan` and `inf`)
/// visible: `serde_json::Value` would turn them into `null` silently. They become a marked
/// string ([`NON_FINITE`] + the float) that [`number`] reports as "NaN is not a finite
/// number", naming the criterion, with every other problem of the file.
struct FiniteValue(Value);

/// Prefix of the string a non-finite float becomes (a NUL byte cannot start a real id or
/// number, and any such string is an error wherever it appears).
const NON_FINITE: &str = "\u{0}non-finite:";

impl<'de> serde::Deserialize<'de> for FiniteValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FiniteVisitor).map(FiniteValue)
    }
}

struct FiniteVisitor;

impl<'de> serde::de::Visitor<'de> for FiniteVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::from)
            .map_err(|_| E::custom(format!("the number {v} is out of range")))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        u64::try_from(v)
            .map(Value::from)
            .map_err(|_| E::custom(format!("the number {v} is out of range")))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(format!("{NON_FINITE}{v}"))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        <FiniteValue as serde::Deserialize>::deserialize(d).map(|v| v.0)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(FiniteValue(v)) = a.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = a.next_key::<String>()? {
            let FiniteValue(v) = a.next_value()?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}
