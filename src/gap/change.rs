//! Changes to a hospital's evidence: an article's level, an element's result, an indicator's
//! value for a period, a gate's answer.
//!
//! Changes apply to an [`Evidence`] ([`Evidence::with_changes`], independent of any rulebook)
//! or to the checked evidence of a report ([`apply_to_sheet`]: re-checked against the rulebook
//! like any evidence, so a change the rulebook rejects is an [`EvidenceError`] naming it).

use super::GapError;
use crate::evidence::{
    parse_gate_answer, Answer, ArticleLevel, ElementResult, Evidence, EvidenceError, Loc,
    Observation, Sheet, SheetBuilder,
};
use crate::ratio::{decimal_from_f64, parse_decimal, Quantity};
use crate::rulebook::compile::Rule;
use crate::rulebook::model::NodeKind;
use crate::Rulebook;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// One change to a hospital's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// Set an article's level.
    Article {
        /// Article id.
        id: String,
        /// The new level.
        level: ArticleLevel,
    },
    /// Set a measurable element's result.
    Element {
        /// Element id.
        id: String,
        /// The new result.
        result: ElementResult,
    },
    /// Set an indicator's value for a period.
    Indicator {
        /// Indicator id.
        id: String,
        /// The period; `None`: the indicator's latest period (or, when it has no value, the
        /// evidence's latest period).
        period: Option<String>,
        /// The new value or counts.
        value: Observation,
    },
    /// Answer a gate.
    Gate {
        /// Gate id.
        id: String,
        /// Whether it passes.
        passed: bool,
    },
}

impl Change {
    /// The criterion changed.
    pub fn id(&self) -> &str {
        match self {
            Change::Article { id, .. }
            | Change::Element { id, .. }
            | Change::Indicator { id, .. }
            | Change::Gate { id, .. } => id,
        }
    }

    /// The new value in words: `B`, `met`, `95`, `1900/2000`, `pass`.
    pub fn value_text(&self) -> String {
        match self {
            Change::Article { level, .. } => level.to_string(),
            Change::Element { result, .. } => result.name().to_string(),
            Change::Indicator { value, .. } => observation_text(value),
            Change::Gate { passed, .. } => if *passed { "pass" } else { "fail" }.into(),
        }
    }

    /// The change as the value [`parse_changes`] reads back: `{"kind", "id", ...}`.
    pub fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        m.insert("id".into(), Value::String(self.id().to_string()));
        match self {
            Change::Article { level, .. } => {
                m.insert("kind".into(), "article".into());
                m.insert("level".into(), Value::String(level.to_string()));
            }
            Change::Element { result, .. } => {
                m.insert("kind".into(), "element".into());
                m.insert("result".into(), Value::String(result.name().into()));
            }
            Change::Indicator { period, value, .. } => {
                m.insert("kind".into(), "indicator".into());
                m.insert(
                    "period".into(),
                    period.clone().map_or(Value::Null, Value::String),
                );
                m.insert("value".into(), observation_json(value));
            }
            Change::Gate { passed, .. } => {
                m.insert("kind".into(), "gate".into());
                m.insert("passed".into(), Value::Bool(*passed));
            }
        }
        Value::Object(m)
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Indicator {
                id,
                period: Some(p),
                ..
            } if !p.is_empty() => write!(f, "{id} = {} in {p}", self.value_text()),
            _ => write!(f, "{} = {}", self.id(), self.value_text()),
        }
    }
}

/// An observation in words: `95` or `1900/2000`.
pub(crate) fn observation_text(o: &Observation) -> String {
    match o {
        Observation::Value(v) => v.normalize().to_string(),
        Observation::Ratio {
            numerator,
            denominator,
        } => format!("{}/{}", numerator.normalize(), denominator.normalize()),
    }
}

fn observation_json(o: &Observation) -> Value {
    match o {
        Observation::Value(v) => Value::String(v.normalize().to_string()),
        Observation::Ratio {
            numerator,
            denominator,
        } => serde_json::json!({
            "numerator": numerator.normalize().to_string(),
            "denominator": denominator.normalize().to_string(),
        }),
    }
}

impl Evidence {
    /// The evidence with changes applied (later changes to the same criterion and period win).
    ///
    /// An indicator change without a period sets the indicator's latest period (by label), or,
    /// for an indicator without values, the latest period of any indicator (none: no period).
    /// Nothing is checked here: scoring the result checks it against a rulebook.
    ///
    /// ```
    /// use sanjia::gap::Change;
    /// use sanjia::evidence::ArticleLevel;
    /// let rb = sanjia::Rulebook::builtin("demo")?;
    /// let ev = sanjia::Evidence::sample("demo", Some("grade-b"))?;
    /// let better = ev.with_changes(&[Change::Article { id: "3.1.2".into(), level: ArticleLevel::A }]);
    /// let report = sanjia::score(&rb, &better)?;
    /// assert!(report.total() > sanjia::score(&rb, &ev)?.total());
    /// # Ok::<(), sanjia::Error>(())
    /// ```
    pub fn with_changes(&self, changes: &[Change]) -> Evidence {
        let mut ev = self.clone();
        for c in changes {
            match c {
                Change::Article { id, level } => {
                    ev.articles.insert(id.clone(), *level);
                }
                Change::Element { id, result } => {
                    ev.elements.insert(id.clone(), *result);
                }
                Change::Gate { id, passed } => {
                    ev.gates.insert(id.clone(), *passed);
                }
                Change::Indicator { id, period, value } => {
                    let period = match period {
                        Some(p) => p.clone(),
                        None => ev
                            .indicators
                            .get(id)
                            .and_then(|s| s.keys().next_back().cloned())
                            .or_else(|| {
                                ev.indicators
                                    .values()
                                    .filter_map(|s| s.keys().next_back())
                                    .max()
                                    .cloned()
                            })
                            .unwrap_or_default(),
                    };
                    ev.indicators
                        .entry(id.clone())
                        .or_default()
                        .insert(period, *value);
                }
            }
        }
        ev
    }
}

/// Apply changes to checked evidence: the sheet is rebuilt through [`SheetBuilder`], so every
/// change is checked like evidence from a file (unknown ids, wrong kinds, values outside a
/// proportion are errors naming the criterion).
///
/// `partial` lists trend indicators whose periods between the first compared and the latest
/// are not known (a sheet rebuilt from a scorecard); changing any other period of those is an
/// error.
pub fn apply_to_sheet(
    rb: &Rulebook,
    sheet: &Sheet,
    changes: &[Change],
    partial: &[u32],
) -> Result<Sheet, EvidenceError> {
    let nodes = rb.nodes();
    let mut b = SheetBuilder::new(rb, &sheet.hospital);
    let mut gates: BTreeMap<u32, bool> = BTreeMap::new();
    let mut ranks: BTreeMap<u32, (Option<u8>, NodeKind)> = BTreeMap::new();
    let mut series: BTreeMap<u32, BTreeMap<String, Quantity>> = BTreeMap::new();
    let mut bad = Vec::new();
    // The evidence as it is.
    for &i in rb.evidence_nodes() {
        match sheet.answers.get(i as usize).copied().unwrap_or_default() {
            Answer::None => {}
            Answer::Gate(p) => {
                gates.insert(i, p);
            }
            Answer::Rank(r) => {
                ranks.insert(i, (r, nodes[i as usize].kind));
            }
            Answer::Series(..) => {
                let s = series.entry(i).or_default();
                for o in sheet.series(i) {
                    s.insert(sheet.period(o.period).to_string(), o.value);
                }
            }
        }
    }
    let latest_any = sheet.periods.last().cloned().unwrap_or_default();
    // The changes, checked for kind here (SheetBuilder checks values).
    let mut new_obs: Vec<(u32, String, Observation)> = Vec::new();
    for c in changes {
        let id = c.id();
        let Some(i) = rb.node_index(id) else {
            bad.push((
                id.to_string(),
                format!("unknown criterion id (not in rulebook {})", rb.meta().id),
            ));
            continue;
        };
        let kind = nodes[i as usize].kind;
        let want = match c {
            Change::Article { .. } => NodeKind::Article,
            Change::Element { .. } => NodeKind::Element,
            Change::Indicator { .. } => NodeKind::Indicator,
            Change::Gate { .. } => NodeKind::Gate,
        };
        if kind != want {
            bad.push((
                id.to_string(),
                format!(
                    "is a {} of the rulebook, not a{} {}: the change {c} does not apply",
                    kind.name(),
                    if want == NodeKind::Article || want == NodeKind::Element {
                        "n"
                    } else {
                        ""
                    },
                    want.name()
                ),
            ));
            continue;
        }
        match c {
            Change::Gate { passed, .. } => {
                gates.insert(i, *passed);
            }
            Change::Article { level, .. } => {
                ranks.insert(i, (level.rank(), kind));
            }
            Change::Element { result, .. } => {
                ranks.insert(i, (result.rank(), kind));
            }
            Change::Indicator { period, value, .. } => {
                let known = series.get(&i);
                let label = match period {
                    Some(p) => p.clone(),
                    None => known
                        .and_then(|s| s.keys().next_back().cloned())
                        .unwrap_or_else(|| latest_any.clone()),
                };
                if partial.contains(&i) {
                    let keys: Vec<&String> = known.map(|s| s.keys().collect()).unwrap_or_default();
                    let first = keys.first().map(|s| s.as_str());
                    let last = keys.last().map(|s| s.as_str());
                    if Some(label.as_str()) != last && Some(label.as_str()) != first {
                        bad.push((
                            id.to_string(),
                            format!(
                                "this report was scored without its evidence kept (e.g. from a \
                                 table), so the periods of the trend between {} and {} are not \
                                 known and period {label:?} cannot be changed here: apply the \
                                 change to the Evidence (Evidence::with_changes) and score it",
                                first.unwrap_or("?"),
                                last.unwrap_or("?")
                            ),
                        ));
                        continue;
                    }
                }
                series.entry(i).or_default().remove(&label);
                new_obs.push((i, label, *value));
            }
        }
    }
    if !bad.is_empty() {
        let mut e = EvidenceError::single(Some(&sheet.hospital), "");
        e.problems = bad
            .into_iter()
            .map(|(id, m)| crate::evidence::EvidenceProblem {
                row: None,
                path: Some("changes".into()),
                criterion: Some(id),
                message: m,
            })
            .collect();
        return Err(e);
    }
    for (i, p) in gates {
        b.gate(
            &nodes[i as usize].id,
            p,
            Loc::Key("gates", &nodes[i as usize].id, None),
        );
    }
    for (i, (r, kind)) in ranks {
        let id = &nodes[i as usize].id;
        match kind {
            NodeKind::Article => b.article(
                id,
                ArticleLevel::from_rank(r),
                Loc::Key("articles", id, None),
            ),
            _ => b.element(
                id,
                ElementResult::from_rank(r),
                Loc::Key("elements", id, None),
            ),
        }
    }
    for (i, s) in &series {
        let id = &nodes[*i as usize].id;
        let scale = match &nodes[*i as usize].rule {
            Rule::Indicator(r) => r.scale,
            _ => Decimal::ONE,
        };
        for (label, q) in s {
            let obs = match *q {
                Quantity::Decimal(v) => Observation::Value(v),
                Quantity::Ratio { num, den } => Observation::Ratio {
                    numerator: if scale.is_zero() { num } else { num / scale },
                    denominator: den,
                },
            };
            b.observation(id, label, obs, Loc::Key("indicators", id, Some(label)));
        }
    }
    // Observations left out of the sheet (0/0: no cases) stay left out.
    for (i, label, _) in &sheet.skipped {
        if series.get(i).is_some_and(|s| s.contains_key(label))
            || new_obs.iter().any(|(j, l, _)| j == i && l == label)
        {
            continue;
        }
        let id = &nodes[*i as usize].id;
        b.observation(
            id,
            label,
            Observation::Ratio {
                numerator: Decimal::ZERO,
                denominator: Decimal::ZERO,
            },
            Loc::Key("indicators", id, Some(label)),
        );
    }
    for (i, label, obs) in &new_obs {
        let id = &nodes[*i as usize].id;
        b.observation(id, label, *obs, Loc::Key("changes", id, Some(label)));
    }
    b.finish()
}

/// Read changes from a JSON-like value (e.g. from Python):
///
/// * an object `{id: value}`: `"B"` for an article, `"met"` for an element, `"pass"` / `true`
///   for a gate, a number, `"95%"` or `{numerator, denominator}` for an indicator's latest
///   period, or `{period: value, ...}` for indicator periods;
/// * a list of `[id, value]` or `[id, period, value]`, or of change objects as written by
///   [`Change::to_json`] (`{"kind": "article", "id": ..., "level": ...}`).
///
/// With a rulebook, the kind comes from the criterion; without one, from the evidence (which
/// section names the id) and then from the value.
pub fn parse_changes(
    v: &Value,
    rb: Option<&Rulebook>,
    ev: Option<&Evidence>,
) -> Result<Vec<Change>, GapError> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let one = |id: &str,
               period: Option<&Value>,
               value: &Value,
               out: &mut Vec<Change>,
               problems: &mut Vec<String>| {
        match change_of(id, period, value, rb, ev) {
            Ok(mut c) => out.append(&mut c),
            Err(m) => problems.push(format!("{id:?}: {m}")),
        }
    };
    match v {
        Value::Object(m) => {
            for (id, value) in m {
                one(id, None, value, &mut out, &mut problems);
            }
        }
        Value::Array(items) => {
            for (k, item) in items.iter().enumerate() {
                match item {
                    Value::Array(t) if t.len() == 2 || t.len() == 3 => {
                        let Some(id) = t[0].as_str() else {
                            problems.push(format!("changes[{k}]: the first item is the id"));
                            continue;
                        };
                        let (period, value) = if t.len() == 3 {
                            (Some(&t[1]), &t[2])
                        } else {
                            (None, &t[1])
                        };
                        one(id, period, value, &mut out, &mut problems);
                    }
                    Value::Object(m) if m.contains_key("id") => match change_object(m) {
                        Ok(c) => out.push(c),
                        Err(e) => problems.push(format!("changes[{k}]: {e}")),
                    },
                    _ => problems.push(format!(
                        "changes[{k}]: give [id, value], [id, period, value] or a change object"
                    )),
                }
            }
        }
        _ => {
            return Err(GapError::Changes(
                "changes are a dict {id: value} or a list of [id, value] / [id, period, value]"
                    .into(),
            ))
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(GapError::Changes(problems.join("; ")))
    }
}

fn change_object(m: &serde_json::Map<String, Value>) -> Result<Change, String> {
    let id = m
        .get("id")
        .and_then(Value::as_str)
        .ok_or("id must be text")?
        .to_string();
    let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
    let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
    Ok(match kind {
        "article" => Change::Article {
            level: ArticleLevel::parse(text("level"))
                .ok_or_else(|| format!("{:?} is not an article level", text("level")))?,
            id,
        },
        "element" => Change::Element {
            result: ElementResult::parse(text("result"))
                .ok_or_else(|| format!("{:?} is not an element result", text("result")))?,
            id,
        },
        "gate" => Change::Gate {
            passed: match m.get("passed") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => {
                    parse_gate_answer(s).ok_or_else(|| format!("{s:?} is not a gate answer"))?
                }
                _ => return Err("a gate change needs passed = true / false".into()),
            },
            id,
        },
        "indicator" => Change::Indicator {
            period: match m.get("period") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            },
            value: observation(m.get("value").unwrap_or(&Value::Null))?,
            id,
        },
        other => {
            return Err(format!(
                "unknown kind {other:?} (use article, element, indicator or gate)"
            ))
        }
    })
}

fn number(v: &Value) -> Result<Decimal, String> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(Decimal::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(Decimal::from(u))
            } else {
                n.as_f64()
                    .and_then(decimal_from_f64)
                    .ok_or_else(|| format!("{n} is not a finite number"))
            }
        }
        Value::String(s) => parse_decimal(s).map_err(|e| e.to_string()),
        other => Err(format!("{other} is not a number")),
    }
}

fn observation(v: &Value) -> Result<Observation, String> {
    match v {
        Value::Object(m) if m.contains_key("numerator") || m.contains_key("denominator") => {
            let n = m
                .get("numerator")
                .ok_or("a denominator needs a numerator")?;
            let d = m
                .get("denominator")
                .ok_or("a numerator needs a denominator")?;
            Ok(Observation::Ratio {
                numerator: number(n)?,
                denominator: number(d)?,
            })
        }
        other => number(other).map(Observation::Value),
    }
}

fn kind_of(id: &str, value: &Value, rb: Option<&Rulebook>, ev: Option<&Evidence>) -> NodeKind {
    if let Some(n) = rb.and_then(|rb| rb.node(id)) {
        return n.kind;
    }
    if let Some(ev) = ev {
        if ev.articles.contains_key(id) {
            return NodeKind::Article;
        }
        if ev.elements.contains_key(id) {
            return NodeKind::Element;
        }
        if ev.gates.contains_key(id) {
            return NodeKind::Gate;
        }
        if ev.indicators.contains_key(id) {
            return NodeKind::Indicator;
        }
    }
    match value {
        Value::Bool(_) => NodeKind::Gate,
        Value::Number(_) | Value::Object(_) => NodeKind::Indicator,
        Value::String(s) if ArticleLevel::parse(s).is_some() => NodeKind::Article,
        Value::String(s) if ElementResult::parse(s).is_some() => NodeKind::Element,
        Value::String(s) if parse_gate_answer(s).is_some() => NodeKind::Gate,
        _ => NodeKind::Indicator,
    }
}

fn change_of(
    id: &str,
    period: Option<&Value>,
    value: &Value,
    rb: Option<&Rulebook>,
    ev: Option<&Evidence>,
) -> Result<Vec<Change>, String> {
    let id_s = id.to_string();
    let s = value.as_str();
    Ok(match kind_of(id, value, rb, ev) {
        NodeKind::Group => return Err("is a group: change its criteria".into()),
        NodeKind::Article => vec![Change::Article {
            level: s
                .and_then(ArticleLevel::parse)
                .ok_or_else(|| format!("{value} is not an article level (A, B, C, D or E)"))?,
            id: id_s,
        }],
        NodeKind::Element => vec![Change::Element {
            result: s.and_then(ElementResult::parse).ok_or_else(|| {
                format!("{value} is not an element result (met, partial, not_met or na)")
            })?,
            id: id_s,
        }],
        NodeKind::Gate => vec![Change::Gate {
            passed: match value {
                Value::Bool(b) => *b,
                _ => s
                    .and_then(parse_gate_answer)
                    .ok_or_else(|| format!("{value} is not a gate answer (pass or fail)"))?,
            },
            id: id_s,
        }],
        NodeKind::Indicator => {
            let label = |p: &Value| match p {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            };
            match (period, value) {
                (None, Value::Object(m))
                    if !m.contains_key("numerator") && !m.contains_key("denominator") =>
                {
                    let mut out = Vec::new();
                    for (p, v) in m {
                        out.push(Change::Indicator {
                            id: id_s.clone(),
                            period: Some(p.clone()),
                            value: observation(v)?,
                        });
                    }
                    out
                }
                _ => vec![Change::Indicator {
                    period: period.and_then(label),
                    value: observation(value)?,
                    id: id_s,
                }],
            }
        }
    })
}
