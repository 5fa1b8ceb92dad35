//! The evidence a what-if or gap analysis starts from, and applying candidate changes to it.
//!
//! A report from [`score`](crate::score()) keeps its checked evidence. A report rebuilt from a
//! bare scorecard (e.g. a batch scored from a table) does not; its evidence is rebuilt from the
//! scorecard, which holds everything scoring reads: gate answers, levels and results, each
//! indicator's latest value and, for a trend, its first compared value. What it does not hold
//! are the periods of a trend between those two; such indicators are listed as `partial`.

use crate::evidence::{Answer, Obs, Sheet};
use crate::ratio::Quantity;
use crate::report::Report;
use crate::rulebook::compile::Rule;
use crate::rulebook::model::Method;
use crate::score::Note;

/// Checked evidence to start from.
#[derive(Debug, Clone)]
pub(crate) struct Base {
    /// The evidence.
    pub sheet: Sheet,
    /// Trend indicators whose middle periods are not known (rebuilt evidence only).
    pub partial: Vec<u32>,
    /// Whether the evidence was rebuilt from the scorecard.
    pub rebuilt: bool,
}

/// The report's evidence, kept or rebuilt.
pub(crate) fn base_of(report: &Report) -> Base {
    if let Some(s) = report.sheet() {
        return Base {
            sheet: s.clone(),
            partial: Vec::new(),
            rebuilt: false,
        };
    }
    let rb = report.rulebook();
    let card = report.scorecard();
    let nodes = rb.nodes();
    let mut sheet = Sheet {
        hospital: card.hospital.clone(),
        answers: vec![Answer::None; nodes.len()],
        obs: Vec::new(),
        periods: card.periods.clone(),
        skipped: Vec::new(),
    };
    let mut partial = Vec::new();
    for &i in rb.evidence_nodes() {
        let c = &card.criteria[i as usize];
        if matches!(c.note, Note::Missing(_)) {
            continue;
        }
        let answer = match &nodes[i as usize].rule {
            Rule::Gate { .. } => Answer::Gate(c.gate == Some(true)),
            Rule::Article { .. } | Rule::Element { .. } => Answer::Rank(c.rank),
            Rule::Indicator(r) => {
                let Some((p_last, v_last)) = c.value else {
                    continue;
                };
                let start = sheet.obs.len() as u32;
                if let (Method::Trend, Some(t), Some((p_first, v_first))) =
                    (r.method, &r.trend, c.first)
                {
                    // The first compared value, fillers standing for the unknown middle
                    // periods (scoring reads only the first and the latest), the latest.
                    sheet.obs.push(Obs {
                        period: p_first,
                        value: v_first,
                    });
                    for k in 0..t.periods.saturating_sub(2) {
                        sheet.obs.push(Obs {
                            period: p_first.saturating_add(1 + k as u32).min(p_last),
                            value: v_first,
                        });
                    }
                    if t.periods > 2 {
                        partial.push(i);
                    }
                }
                sheet.obs.push(Obs {
                    period: p_last,
                    value: v_last,
                });
                Answer::Series(start, sheet.obs.len() as u32 - start)
            }
            Rule::Group { .. } => continue,
        };
        sheet.answers[i as usize] = answer;
    }
    Base {
        sheet,
        partial,
        rebuilt: true,
    }
}

/// A candidate's new evidence for one criterion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NewAnswer {
    /// The gate passes.
    Pass,
    /// A level or result rank.
    Rank(u8),
    /// A new latest value (appended in the latest period when the indicator has none).
    Value(Quantity),
}

/// Apply a candidate to a sheet in place (no checks: candidates are built valid).
pub(crate) fn apply(sheet: &mut Sheet, node: u32, answer: NewAnswer) {
    let i = node as usize;
    match answer {
        NewAnswer::Pass => sheet.answers[i] = Answer::Gate(true),
        NewAnswer::Rank(r) => sheet.answers[i] = Answer::Rank(Some(r)),
        NewAnswer::Value(q) => match sheet.answers[i] {
            Answer::Series(s, l) if l > 0 => sheet.obs[(s + l - 1) as usize].value = q,
            _ => {
                if sheet.periods.is_empty() {
                    sheet.periods.push(String::new());
                }
                let period = sheet.periods.len() as u32 - 1;
                sheet.obs.push(Obs { period, value: q });
                sheet.answers[i] = Answer::Series(sheet.obs.len() as u32 - 1, 1);
            }
        },
    }
}

/// The label of the period a new latest value goes in (`None`: no period).
pub(crate) fn latest_label(sheet: &Sheet, node: u32) -> Option<String> {
    let label = match sheet.series(node).last() {
        Some(o) => sheet.period(o.period).to_string(),
        None => sheet.periods.last().cloned().unwrap_or_default(),
    };
    (!label.is_empty()).then_some(label)
}
