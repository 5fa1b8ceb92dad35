//! On-site articles: cumulative levels A ⊃ B ⊃ C, D fails, E is not applicable.

use super::{CriterionScore, Note};
use crate::evidence::Answer;
use rust_decimal::Decimal;

/// Score an article from its level rank. `None` asks the caller to apply the missing-evidence
/// policy.
pub(crate) fn score(answer: Answer, points: &[Decimal; 4]) -> Option<CriterionScore> {
    match answer {
        Answer::Rank(Some(r)) => Some(CriterionScore {
            points: Some(points[r as usize]),
            max: points[3],
            rank: Some(r),
            note: Note::Level,
            ..CriterionScore::not_applicable()
        }),
        Answer::Rank(None) => Some(CriterionScore {
            max: points[3],
            note: Note::NotApplicable,
            ..CriterionScore::not_applicable()
        }),
        _ => None,
    }
}
