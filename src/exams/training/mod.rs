//! Training sessions and drills (培训, 应急演练, 消防演练 ...): counts per period and department
//! against minimums given as data.
//!
//! * [`Sessions`]: one row per session: `session_id`, `kind`, `date`, `department` (null = a
//!   hospital-wide session), optional `hospital_id`, optional `attendees` (a count).
//! * [`TrainingPolicy`]: requirements such as "应急演练 >= 1 per half-year per key department",
//!   from TOML (`rulebooks/policy/training-default.toml` is the built-in example).
//! * [`evaluate_training`] gives a [`TrainingEvaluation`]: the sessions, counts per period
//!   ([`TrainingEvaluation::counts`]), one [`RequirementCheck`] per requirement, hospital,
//!   department and period, and the shortfalls; [`TrainingEvaluation::measure`] is the hook for
//!   rulebook criteria ([`TrainingSource`]: `source = { training = "short_cells",
//!   requirements = ["drills-half-year"] }`).

mod evaluate;
mod measure;
mod policy;
pub(crate) mod sessions;

pub use evaluate::{
    evaluate_training, RequirementCheck, TrainingCount, TrainingEvaluation, TrainingOptions,
    TrainingSession, MAX_WINDOW_MONTHS,
};
pub use measure::{TrainingFilter, TrainingMeasure, TrainingSource};
pub use policy::{TrainingPolicy, TrainingRequirement, DEFAULT_TRAINING_TOML};
pub use sessions::Sessions;
