//! Measurable elements (JCI style): met, partially met, not met, not applicable.

use super::{CriterionScore, Note};
use crate::evidence::Answer;
use rust_decimal::Decimal;

/// Score an element from its result rank. `None` asks the caller to apply the
/// missing-evidence policy.
pub(crate) fn score(answer: Answer, points: &[Decimal; 3]) -> Option<CriterionScore> {
    match answer {
        Answer::Rank(Some(r)) => Some(CriterionScore {
            points: Some(points[r as usize]),
            max: points[2],
            rank: Some(r),
            note: Note::Level,
            ..CriterionScore::not_applicable()
        }),
        Answer::Rank(None) => Some(CriterionScore {
            max: points[2],
            note: Note::NotApplicable,
            ..CriterionScore::not_applicable()
        }),
        _ => None,
    }
}
