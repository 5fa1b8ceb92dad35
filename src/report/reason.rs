//! Why a criterion got its points, in words.

use crate::evidence::{ArticleLevel, ElementResult};
use crate::ratio::Quantity;
use crate::rulebook::compile::{IndicatorRule, Rule};
use crate::rulebook::model::{Direction, MissingAction};
use crate::score::{CriterionScore, Note, Scorecard, Trend};
use crate::Rulebook;
use rust_decimal::Decimal;

fn dec(d: Decimal) -> String {
    crate::ratio::display(d, 6).to_string()
}

/// A value with its unit: ratios are shown as the resulting value with their counts.
pub(crate) fn show_value(q: Quantity, rule: &IndicatorRule) -> String {
    let unit = rule.unit.as_deref().unwrap_or("");
    match q {
        Quantity::Decimal(d) => format!("{}{unit}", dec(d)),
        Quantity::Ratio { num, den } => {
            let raw = if rule.scale.is_zero() {
                num
            } else {
                num / rule.scale
            };
            format!("{}{unit} ({}/{})", q.display_decimal(4), dec(raw), dec(den))
        }
    }
}

fn period_suffix(card: &Scorecard, p: u32) -> String {
    match card.periods.get(p as usize).map(String::as_str) {
        None | Some("") => String::new(),
        Some(l) => format!(" in {l}"),
    }
}

/// The reason a criterion got its points.
pub(crate) fn reason(rb: &Rulebook, card: &Scorecard, node: u32) -> String {
    let n = &rb.nodes()[node as usize];
    let c: &CriterionScore = &card.criteria[node as usize];
    let pts = |p: Option<Decimal>| {
        format!(
            "{} of {} points",
            p.map(dec).unwrap_or_else(|| "-".into()),
            dec(c.max)
        )
    };
    match (&n.rule, c.note) {
        (_, Note::Missing(a)) => {
            let detail = card
                .missing
                .iter()
                .find(|m| m.node == node)
                .map(|m| m.detail.clone())
                .unwrap_or_else(|| "no evidence".into());
            match a {
                MissingAction::Zero => match n.rule {
                    Rule::Gate { .. } => format!("{detail}: counted as failed"),
                    Rule::Article { .. } => {
                        format!("{detail}: counted as level D ({})", pts(c.points))
                    }
                    Rule::Element { .. } => {
                        format!("{detail}: counted as not met ({})", pts(c.points))
                    }
                    _ => format!("{detail}: counted as zero ({})", pts(c.points)),
                },
                MissingAction::NotApplicable => format!("{detail}: counted as not applicable"),
                MissingAction::Error => detail,
            }
        }
        (Rule::Gate { outcome }, _) => match c.gate {
            Some(true) => "passed".into(),
            Some(false) => format!("failed: {}", rb.outcomes()[*outcome as usize].title),
            None => "not answered".into(),
        },
        (Rule::Article { .. }, Note::NotApplicable) => "level E (not applicable)".into(),
        (Rule::Article { points }, _) => {
            let level = ArticleLevel::from_rank(c.rank);
            if c.rank == Some(3) {
                format!("level A: {}", pts(c.points))
            } else {
                let next = ArticleLevel::from_rank(c.rank.map(|r| r + 1));
                format!(
                    "level {level}: {} (level {next} would earn {})",
                    pts(c.points),
                    dec(points[c.rank.unwrap_or(0) as usize + 1])
                )
            }
        }
        (Rule::Element { .. }, Note::NotApplicable) => "not applicable".into(),
        (Rule::Element { .. }, _) => {
            let r = ElementResult::from_rank(c.rank);
            let word = match r {
                ElementResult::Met => "fully met",
                ElementResult::Partial => "partially met",
                ElementResult::NotMet => "not met",
                ElementResult::NotApplicable => "not applicable",
            };
            format!("{word}: {}", pts(c.points))
        }
        (Rule::Indicator(rule), note) => {
            let Some((p, v)) = c.value else {
                return "no value".into();
            };
            let shown = format!("{}{}", show_value(v, rule), period_suffix(card, p));
            match note {
                Note::Monitor => format!("{shown} (monitored, not scored)"),
                Note::Threshold { met } => {
                    let t = rule.target.as_ref().map(|t| t.text.as_str()).unwrap_or("?");
                    if met {
                        format!("{shown} meets {t}: {}", pts(c.points))
                    } else {
                        format!("{shown} does not meet {t}: {}", pts(c.points))
                    }
                }
                Note::Band { band: Some(b) } => format!(
                    "{shown} is in band {:?}: {}",
                    rule.bands[b as usize].0.text,
                    pts(c.points)
                ),
                Note::Band { band: None } => format!("{shown} is in no band: {}", pts(c.points)),
                Note::Trend(t) => {
                    let from = c
                        .first
                        .map(|(fp, fv)| {
                            format!("{}{}", show_value(fv, rule), period_suffix(card, fp))
                        })
                        .unwrap_or_default();
                    let dir = match rule.direction {
                        Direction::Lower => "lower is better",
                        _ => "higher is better",
                    };
                    let tol = rule
                        .trend
                        .as_ref()
                        .map(|t| dec(t.tolerance))
                        .unwrap_or_default();
                    match t {
                        Trend::TargetMet => format!(
                            "{shown} meets the target {}: {}",
                            rule.target.as_ref().map(|t| t.text.as_str()).unwrap_or("?"),
                            pts(c.points)
                        ),
                        t => format!(
                            "{} from {from} to {shown} ({dir}, tolerance {tol}): {}",
                            match t {
                                Trend::Improving => "improving",
                                Trend::Stable => "stable",
                                _ => "worsening",
                            },
                            pts(c.points)
                        ),
                    }
                }
                _ => shown,
            }
        }
        (Rule::Group { .. }, _) => String::new(),
    }
}
