//! Gates (前置要求): pass or fail, outside the points.

use super::{CriterionScore, Note};
use crate::evidence::Answer;
use crate::rulebook::model::MissingAction;

/// Score a gate. `None` asks the caller to apply the missing-evidence policy.
pub(crate) fn score(answer: Answer) -> Option<CriterionScore> {
    match answer {
        Answer::Gate(passed) => Some(CriterionScore {
            gate: Some(passed),
            note: Note::Gate,
            ..CriterionScore::not_applicable()
        }),
        _ => None,
    }
}

/// A gate without an answer under a missing-evidence policy.
pub(crate) fn missing(action: MissingAction) -> CriterionScore {
    CriterionScore {
        gate: match action {
            MissingAction::Zero => Some(false),
            _ => None,
        },
        note: Note::Missing(action),
        ..CriterionScore::not_applicable()
    }
}
