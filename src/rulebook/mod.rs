//! Rulebooks: a standard's tree, weights, gates, scoring methods and grade rules, as data.

pub mod builtin;
pub mod compile;
pub mod error;
pub(crate) mod fixed;
pub(crate) mod flat;
pub mod layer;
mod limits;
pub mod load;
pub mod model;
mod show;

pub use compile::Rulebook;
pub use error::{Problem, RulebookError};
