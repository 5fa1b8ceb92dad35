//! Training minimums as data.
//!
//! ```toml
//! sources = ["..."]
//!
//! [[requirements]]
//! name = "drills-half-year"        # unique; used in results and filters
//! kinds = ["应急演练", "消防演练"]   # session kinds that count
//! period = "half_year"             # month | quarter | half_year | year
//! min_sessions = 1                 # at least this many sessions per department and period
//! departments = ["急诊科", "ICU"]   # the departments checked; empty = every department
//!                                  # (the options' list, else those seen in the sessions)
//! hospital_wide_counts = true      # a hospital-wide session (null department) counts for
//!                                  # every department
//! note = "[R] fire/evacuation drills every six months for key units"
//! ```

use crate::exams::date::Period;
use crate::exams::error::PolicyError;
use serde::Deserialize;
use std::sync::OnceLock;

/// The built-in training policy's TOML text (`rulebooks/policy/training-default.toml`).
pub const DEFAULT_TRAINING_TOML: &str =
    include_str!("../../../rulebooks/policy/training-default.toml");

/// One minimum: at least `min_sessions` sessions of `kinds` per `period` for each department.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingRequirement {
    /// Unique name.
    pub name: String,
    /// Session kinds that count.
    pub kinds: Vec<String>,
    /// The period.
    pub period: Period,
    /// Minimum number of sessions per department and period.
    pub min_sessions: u32,
    /// The departments checked; empty = every department known.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Whether a hospital-wide session (null department) counts for every department.
    #[serde(default)]
    pub hospital_wide_counts: bool,
    /// Where the minimum comes from.
    #[serde(default)]
    pub note: Option<String>,
}

/// Training requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingPolicy {
    /// Where the numbers come from (kept, not interpreted).
    #[serde(default)]
    pub sources: Vec<String>,
    /// The requirements.
    #[serde(default)]
    pub requirements: Vec<TrainingRequirement>,
}

impl TrainingPolicy {
    /// The built-in example policy (`rulebooks/policy/training-default.toml`): emergency/fire
    /// drills at least once per half-year per department, hospital-wide drills counting.
    pub fn builtin() -> TrainingPolicy {
        static BUILTIN: OnceLock<TrainingPolicy> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                TrainingPolicy::from_toml_str(DEFAULT_TRAINING_TOML)
                    .unwrap_or_else(|e| panic!("the built-in training policy is invalid: {e}"))
            })
            .clone()
    }

    /// A training policy from TOML (validated).
    pub fn from_toml_str(text: &str) -> Result<TrainingPolicy, PolicyError> {
        let de = toml::Deserializer::parse(text).map_err(|e| PolicyError::Toml {
            path: String::new(),
            message: e.to_string(),
        })?;
        let p: TrainingPolicy =
            serde_path_to_error::deserialize(de).map_err(|e| PolicyError::Toml {
                path: e.path().to_string(),
                message: e.inner().to_string(),
            })?;
        p.validate()?;
        Ok(p)
    }

    /// Check: names unique and non-empty, kinds non-empty.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let mut seen = std::collections::BTreeSet::new();
        for (i, r) in self.requirements.iter().enumerate() {
            let field = |f: &str| format!("requirements[{i}].{f}");
            if r.name.trim().is_empty() {
                return Err(PolicyError::Invalid {
                    field: field("name"),
                    message: "empty".to_string(),
                });
            }
            if !seen.insert(r.name.as_str()) {
                return Err(PolicyError::Invalid {
                    field: field("name"),
                    message: format!("{:?} is used twice", r.name),
                });
            }
            if r.kinds.iter().all(|k| k.trim().is_empty()) {
                return Err(PolicyError::Invalid {
                    field: field("kinds"),
                    message: "no session kind given".to_string(),
                });
            }
        }
        Ok(())
    }
}
