//! Indicators (monitoring data): threshold, bands or trend over periods.

use super::{CriterionScore, Note, Trend};
use crate::evidence::Obs;
use crate::rulebook::compile::IndicatorRule;
use crate::rulebook::model::{Direction, Method};
use rust_decimal::Decimal;

/// Why an indicator could not be scored from its observations.
pub(crate) enum Shortfall {
    /// No observation at all.
    NoValue,
    /// A trend needs more periods than given.
    TooFewPeriods { need: usize, have: usize },
}

/// Score an indicator from its observations (oldest first).
pub(crate) fn score(rule: &IndicatorRule, series: &[Obs]) -> Result<CriterionScore, Shortfall> {
    let latest = *series.last().ok_or(Shortfall::NoValue)?;
    let value = Some((latest.period, latest.value));
    let scored = |points: Decimal, note: Note| CriterionScore {
        points: Some(points),
        max: rule.max_points,
        value,
        note,
        ..CriterionScore::not_applicable()
    };
    Ok(match rule.method {
        Method::Monitor => CriterionScore {
            value,
            note: Note::Monitor,
            ..CriterionScore::not_applicable()
        },
        Method::Threshold => {
            let met = rule.target.as_ref().is_some_and(|t| t.holds(&latest.value));
            scored(
                if met { rule.max_points } else { Decimal::ZERO },
                Note::Threshold { met },
            )
        }
        Method::Bands => {
            let band = rule.bands.iter().position(|(i, _)| i.holds(&latest.value));
            let points = band.map_or(rule.otherwise, |b| rule.bands[b].1);
            scored(
                points,
                Note::Band {
                    band: band.map(|b| b as u16),
                },
            )
        }
        Method::Trend => {
            let Some(t) = &rule.trend else {
                return Err(Shortfall::NoValue);
            };
            if series.len() < t.periods {
                return Err(Shortfall::TooFewPeriods {
                    need: t.periods,
                    have: series.len(),
                });
            }
            let first = series[series.len() - t.periods];
            if rule
                .target
                .as_ref()
                .is_some_and(|tg| tg.holds(&latest.value))
            {
                return Ok(CriterionScore {
                    first: Some((first.period, first.value)),
                    ..scored(t.target_points, Note::Trend(Trend::TargetMet))
                });
            }
            // Values from counts are divided to 28 digits; snap the noise before comparing.
            let change = crate::ratio::snap(latest.value.to_decimal() - first.value.to_decimal());
            let better = match rule.direction {
                Direction::Lower => -change,
                _ => change,
            };
            let trend = if better > t.tolerance {
                Trend::Improving
            } else if better < -t.tolerance {
                Trend::Worsening
            } else {
                Trend::Stable
            };
            let points = match trend {
                Trend::Improving => t.improving,
                Trend::Stable => t.stable,
                _ => t.worsening,
            };
            CriterionScore {
                first: Some((first.period, first.value)),
                ..scored(points, Note::Trend(trend))
            }
        }
    })
}
