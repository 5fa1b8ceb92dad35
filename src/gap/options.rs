//! Candidate changes, per criterion: what each criterion could be changed to.
//!
//! * an article or element: every better level or result;
//! * a failed gate: passing, unless the rulebook says it cannot be cleared;
//! * an indicator: one new latest value per distinct outcome. The value line is cut at every
//!   number the rules compare it with (targets, band edges, the trend's first value ± its
//!   tolerance, and `value(ID)` comparisons in grade conditions); each piece gives the same
//!   points and the same condition results, so one value per piece (the one nearest to the
//!   current value, in the indicator's better direction) stands for all of them. Values from
//!   counts keep their denominator and move the numerator by whole cases.
//!
//! Changes never lower a criterion's points, never make a criterion not applicable and never
//! give evidence to a criterion counted as not applicable (that would change denominators).

use super::change::Change;
use super::cost::CostModel;
use super::state::{latest_label, NewAnswer};
use crate::condition::CCond;
use crate::condition::CValue;
use crate::evidence::{ArticleLevel, ElementResult, Obs, Observation, Sheet};
use crate::ratio::{display, snap, Op, Quantity, Target};
use crate::rulebook::compile::{IndicatorRule, Rule};
use crate::rulebook::model::{Direction, Method, NodeKind};
use crate::score::{CriterionScore, Note, Scorecard};
use crate::Rulebook;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// One candidate change.
#[derive(Debug, Clone)]
pub(crate) struct Opt {
    /// Index of its criterion in [`Candidates::crits`].
    pub crit: usize,
    /// The criterion's node.
    pub node: u32,
    /// The new evidence.
    pub answer: NewAnswer,
    /// What it costs.
    pub cost: Decimal,
    /// Levels raised (1 for indicators and gates).
    pub levels: u32,
    /// The criterion's points after the change (`None`: does not count).
    pub points: Option<Decimal>,
    /// Level / result rank after the change.
    pub rank: Option<u8>,
    /// Indicator value after the change.
    pub value: Option<Quantity>,
    /// The change, as applied to evidence.
    pub change: Change,
    /// The evidence now, in words.
    pub from: String,
    /// The evidence after, in words.
    pub to: String,
}

/// A criterion that could change.
#[derive(Debug, Clone)]
pub(crate) struct Crit {
    /// Its candidate changes (indices into [`Candidates::opts`]), cheapest first.
    pub opts: Vec<usize>,
}

/// Every candidate change, and the criteria that cannot change with why.
#[derive(Debug, Clone, Default)]
pub(crate) struct Candidates {
    pub crits: Vec<Crit>,
    pub opts: Vec<Opt>,
    pub crit_of: FxHashMap<u32, usize>,
    /// Criteria that cannot change (or not usefully): node and why.
    pub blocked: FxHashMap<u32, String>,
}

/// `value(ID) OP number` tests in the grade conditions, per indicator, oriented as
/// `value OP number`.
pub(crate) fn value_tests(rb: &Rulebook) -> FxHashMap<u32, Vec<Target>> {
    fn walk(c: &CCond, out: &mut FxHashMap<u32, Vec<Target>>) {
        match c {
            CCond::All(p, _) | CCond::Any(p, _) => p.iter().for_each(|x| walk(x, out)),
            CCond::Not(x, _) => walk(x, out),
            CCond::Compare(l, op, r, _) => {
                let konst = |v: &CValue| match v {
                    CValue::Number(d) | CValue::Param(_, d) => Some(*d),
                    _ => None,
                };
                let (node, op, value) = match (l, r) {
                    (CValue::IndicatorValue(n), other) => match konst(other) {
                        Some(d) => (*n, *op, d),
                        None => return,
                    },
                    (other, CValue::IndicatorValue(n)) => match konst(other) {
                        Some(d) => (*n, flip(*op), d),
                        None => return,
                    },
                    _ => return,
                };
                out.entry(node).or_default().push(Target { op, value });
            }
            _ => {}
        }
    }
    let mut out = FxHashMap::default();
    for g in rb.grades() {
        for c in &g.conditions {
            walk(c, &mut out);
        }
    }
    out
}

/// `a OP b` ⇔ `b flip(OP) a`.
pub(crate) fn flip(op: Op) -> Op {
    match op {
        Op::Ge => Op::Le,
        Op::Gt => Op::Lt,
        Op::Le => Op::Ge,
        Op::Lt => Op::Gt,
        o => o,
    }
}

fn dec(d: Decimal) -> String {
    display(d, 4).to_string()
}

/// An indicator value in words, with its unit and counts: `92.5% (1850/2000)`.
pub(crate) fn value_words(q: Quantity, rule: &IndicatorRule) -> String {
    let unit = rule.unit.as_deref().unwrap_or("");
    match q {
        Quantity::Decimal(d) => format!("{}{unit}", dec(d)),
        Quantity::Ratio { num, den } => {
            let raw = if rule.scale.is_zero() {
                num
            } else {
                num / rule.scale
            };
            format!(
                "{}{unit} ({}/{})",
                q.display_decimal(4),
                display(raw, 6),
                display(den, 6)
            )
        }
    }
}

/// Build every candidate change of a scored hospital.
pub(crate) fn candidates(
    rb: &Rulebook,
    card: &Scorecard,
    sheet: &Sheet,
    costs: &CostModel,
) -> Candidates {
    let tests = value_tests(rb);
    let nodes = rb.nodes();
    let rounding = rb.rounding();
    let mut out = Candidates::default();
    for &i in rb.evidence_nodes() {
        let node = &nodes[i as usize];
        let c = &card.criteria[i as usize];
        let round = |p: Decimal| {
            if rounding.applies(node) {
                rounding.apply(p)
            } else {
                p
            }
        };
        let mut found: Vec<Opt> = Vec::new();
        let mut why: Option<String> = None;
        match &node.rule {
            Rule::Group { .. } => continue,
            Rule::Gate { outcome } => match c.gate {
                Some(true) => continue,
                failed => {
                    if failed == Some(false) && !node.clearable {
                        let o = &rb.outcomes()[*outcome as usize];
                        why = Some(format!(
                            "gate {} failed and the rulebook says it cannot be cleared \
                             (clearable = false; outcome {}: {})",
                            node.id, o.id, o.title
                        ));
                    } else {
                        let from = match (failed, c.note) {
                            (_, Note::Missing(_)) => "no answer (counted as failed)".to_string(),
                            (Some(false), _) => "fail".to_string(),
                            _ => "no answer".to_string(),
                        };
                        found.push(Opt {
                            crit: 0,
                            node: i,
                            answer: NewAnswer::Pass,
                            cost: costs.cost(node, 1),
                            levels: 1,
                            points: None,
                            rank: None,
                            value: None,
                            change: Change::Gate {
                                id: node.id.clone(),
                                passed: true,
                            },
                            from,
                            to: "pass".into(),
                        });
                    }
                }
            },
            Rule::Article { .. } | Rule::Element { .. } if c.points.is_none() => {
                continue; // not applicable: stays as it is
            }
            Rule::Article { points } => {
                let cur = c.rank.unwrap_or(0);
                let missing = matches!(c.note, Note::Missing(_));
                for r in cur + 1..=3 {
                    let level = ArticleLevel::from_rank(Some(r));
                    found.push(Opt {
                        crit: 0,
                        node: i,
                        answer: NewAnswer::Rank(r),
                        cost: costs.cost(node, u32::from(r - cur)),
                        levels: u32::from(r - cur),
                        points: Some(round(points[r as usize])),
                        rank: Some(r),
                        value: None,
                        change: Change::Article {
                            id: node.id.clone(),
                            level,
                        },
                        from: if missing {
                            "not assessed (counted as D)".into()
                        } else {
                            format!("level {}", ArticleLevel::from_rank(Some(cur)))
                        },
                        to: format!("level {level}"),
                    });
                }
            }
            Rule::Element { points } => {
                let cur = c.rank.unwrap_or(0);
                let missing = matches!(c.note, Note::Missing(_));
                for r in cur + 1..=2 {
                    let result = ElementResult::from_rank(Some(r));
                    found.push(Opt {
                        crit: 0,
                        node: i,
                        answer: NewAnswer::Rank(r),
                        cost: costs.cost(node, u32::from(r - cur)),
                        levels: u32::from(r - cur),
                        points: Some(round(points[r as usize])),
                        rank: Some(r),
                        value: None,
                        change: Change::Element {
                            id: node.id.clone(),
                            result,
                        },
                        from: if missing {
                            "not assessed (counted as not met)".into()
                        } else {
                            ElementResult::from_rank(Some(cur)).name().to_string()
                        },
                        to: result.name().to_string(),
                    });
                }
            }
            Rule::Indicator(rule) => {
                let t = tests.get(&i).map(Vec::as_slice).unwrap_or(&[]);
                if rule.method != Method::Monitor && c.points.is_none() {
                    continue; // counted as not applicable: stays as it is
                }
                match indicator_values(rule, sheet.series(i), c, t) {
                    Err(reason) => why = Some(format!("indicator {}: {reason}", node.id)),
                    Ok(values) => {
                        let from = match c.value {
                            Some((_, q)) => value_words(q, rule),
                            None => "no value (counted as 0 points)".into(),
                        };
                        let period = latest_label(sheet, i);
                        for (q, obs, points) in values {
                            found.push(Opt {
                                crit: 0,
                                node: i,
                                answer: NewAnswer::Value(q),
                                cost: costs.cost(node, 1),
                                levels: 1,
                                points: points.map(round),
                                rank: None,
                                value: Some(q),
                                change: Change::Indicator {
                                    id: node.id.clone(),
                                    period: period.clone(),
                                    value: obs,
                                },
                                from: from.clone(),
                                to: value_words(q, rule),
                            });
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            if let Some(w) = why {
                out.blocked.insert(i, w);
            }
            continue;
        }
        if let Some(reason) = costs.fixed_reason(node) {
            out.blocked.insert(
                i,
                format!("{} {} cannot change: {reason}", node.kind.name(), node.id),
            );
            continue;
        }
        let k = out.crits.len();
        found.sort_by(|a, b| a.cost.cmp(&b.cost).then(a.levels.cmp(&b.levels)));
        let mut ids = Vec::new();
        for mut o in found {
            o.crit = k;
            ids.push(out.opts.len());
            out.opts.push(o);
        }
        out.crit_of.insert(i, k);
        out.crits.push(Crit { opts: ids });
    }
    out
}

/// The smallest step of a decimal value shown to people near `b`.
fn step_near(b: Decimal, cur: Option<Decimal>, points: &[Decimal]) -> Decimal {
    let mut places = b.normalize().scale().max(2);
    if let Some(c) = cur {
        places = places.max(c.normalize().scale());
    }
    let gap = points
        .iter()
        .filter(|p| **p != b)
        .filter_map(|p| p.checked_sub(b).map(|d| d.abs()))
        .min();
    let mut step = Decimal::new(1, places.min(15));
    while let Some(g) = gap {
        if step * Decimal::TWO < g || places >= 15 {
            break;
        }
        places += 1;
        step = Decimal::new(1, places);
    }
    step
}

/// One new latest value per distinct outcome: (value, observation to write, criterion points).
fn indicator_values(
    rule: &IndicatorRule,
    series: &[Obs],
    c: &CriterionScore,
    tests: &[Target],
) -> Result<Vec<(Quantity, Observation, Option<Decimal>)>, String> {
    let trend = rule.trend.as_ref().filter(|_| rule.method == Method::Trend);
    if let Some(t) = trend {
        if series.len() < t.periods {
            return Err(format!(
                "the trend needs values for {} periods and {} {} given: give the missing \
                 periods first",
                t.periods,
                series.len(),
                if series.len() == 1 { "is" } else { "are" }
            ));
        }
    }
    if rule.method == Method::Monitor && tests.is_empty() {
        return Ok(Vec::new());
    }
    let cur = series.last().map(|o| o.value);
    // The numbers the value is compared with.
    let mut cuts: Vec<Quantity> = Vec::new();
    if let Some(tg) = &rule.target {
        cuts.extend(tg.tests.iter().map(|t| Quantity::Decimal(t.value)));
    }
    for (band, _) in &rule.bands {
        cuts.extend(band.tests.iter().map(|t| Quantity::Decimal(t.value)));
    }
    if let Some(t) = trend {
        let first = series[series.len() - t.periods].value;
        for tol in [t.tolerance, -t.tolerance] {
            let cut = match first {
                Quantity::Decimal(d) => d.checked_add(tol).map(Quantity::Decimal),
                Quantity::Ratio { num, den } => tol
                    .checked_mul(den)
                    .and_then(|x| num.checked_add(x))
                    .map(|num| Quantity::Ratio { num, den }),
            };
            cuts.extend(cut);
        }
    }
    cuts.extend(tests.iter().map(|t| Quantity::Decimal(t.value)));
    // Candidate values around every cut.
    let mut values: Vec<(Quantity, Observation)> = Vec::new();
    let counts = match cur {
        Some(Quantity::Ratio { num, den }) if !rule.scale.is_zero() => {
            let n = num / rule.scale;
            (n.fract().is_zero() && den.fract().is_zero()).then_some((n, den))
        }
        _ => None,
    };
    let nonneg = cur.is_none_or(|q| q.cmp_exact(&Quantity::Decimal(Decimal::ZERO)).is_ge());
    match counts {
        Some((n0, den)) => {
            for b in &cuts {
                let Some(x) = b
                    .to_decimal()
                    .checked_mul(den)
                    .and_then(|v| v.checked_div(rule.scale))
                else {
                    continue;
                };
                let base = x.floor();
                for k in -1i64..=2 {
                    let Some(n) = base.checked_add(Decimal::from(k)) else {
                        continue;
                    };
                    if n < Decimal::ZERO || (rule.proportion && n > den) || n == n0 {
                        continue;
                    }
                    let Some(num) = n.checked_mul(rule.scale) else {
                        continue;
                    };
                    values.push((
                        Quantity::Ratio { num, den },
                        Observation::Ratio {
                            numerator: n,
                            denominator: den,
                        },
                    ));
                }
            }
        }
        None => {
            let points: Vec<Decimal> = cuts.iter().map(|q| snap(q.to_decimal())).collect();
            let cur_d = cur.map(|q| snap(q.to_decimal()));
            for &b in &points {
                let step = step_near(b, cur_d, &points);
                for v in [b.checked_sub(step), Some(b), b.checked_add(step)]
                    .into_iter()
                    .flatten()
                {
                    if (rule.proportion && (v < Decimal::ZERO || v > rule.scale))
                        || (nonneg && v < Decimal::ZERO)
                    {
                        continue;
                    }
                    values.push((Quantity::Decimal(v), Observation::Value(v)));
                }
            }
        }
    }
    // Keep values in the better direction.
    let better = |q: &Quantity| match (cur, rule.direction) {
        (None, _) => true,
        (Some(c), Direction::Higher) => q.cmp_exact(&c).is_gt(),
        (Some(c), Direction::Lower) => q.cmp_exact(&c).is_lt(),
        (Some(c), _) => q.cmp_exact(&c).is_ne(),
    };
    values.retain(|(q, _)| better(q));
    // Outcome of each value: points and the value tests of the grade conditions.
    let outcome = |q: Quantity| -> (Option<Decimal>, Vec<bool>) {
        let mut s: Vec<Obs> = series.to_vec();
        match s.last_mut() {
            Some(last) => last.value = q,
            None => s.push(Obs {
                period: 0,
                value: q,
            }),
        }
        let points = crate::score::indicator::score(rule, &s)
            .ok()
            .and_then(|c| c.points)
            .filter(|_| rule.method != Method::Monitor);
        (points, tests.iter().map(|t| t.holds(&q)).collect())
    };
    let now = (
        c.points.filter(|_| rule.method != Method::Monitor),
        tests
            .iter()
            .map(|t| cur.is_some_and(|q| t.holds(&q)))
            .collect::<Vec<bool>>(),
    );
    let distance = |q: &Quantity| -> Decimal {
        match cur {
            Some(c) => q
                .to_decimal()
                .checked_sub(c.to_decimal())
                .map_or(Decimal::MAX, |d| d.abs()),
            None => match rule.direction {
                // Without a value, the least demanding value of the outcome.
                Direction::Lower => -q.to_decimal(),
                _ => q.to_decimal(),
            },
        }
    };
    type Outcome = (Option<Decimal>, Vec<bool>);
    let mut best: Vec<(Outcome, Quantity, Observation, Decimal)> = Vec::new();
    for (q, obs) in values {
        let key = outcome(q);
        if key == now {
            continue;
        }
        // Never lower the criterion's points.
        if let (Some(a), Some(b)) = (key.0, now.0) {
            if a < b {
                continue;
            }
        }
        if now.0.is_some() && key.0.is_none() {
            continue;
        }
        let d = distance(&q);
        match best.iter_mut().find(|b| b.0 == key) {
            Some(b) if d < b.3 => {
                b.1 = q;
                b.2 = obs;
                b.3 = d;
            }
            Some(_) => {}
            None => best.push((key, q, obs, d)),
        }
    }
    best.sort_by_key(|a| a.3);
    Ok(best.into_iter().map(|(k, q, o, _)| (q, o, k.0)).collect())
}

/// A kind's name for a plan (`article`, `indicator` …).
pub(crate) fn kind_name(rb: &Rulebook, node: u32) -> &'static str {
    match rb.nodes()[node as usize].kind {
        NodeKind::Group => "group",
        k => k.name(),
    }
}

/// How many whole units a decimal is (for counts in words).
pub(crate) fn whole(d: Decimal) -> String {
    match d.to_i64() {
        Some(i) if Decimal::from(i) == d => i.to_string(),
        _ => display(d, 4).to_string(),
    }
}
