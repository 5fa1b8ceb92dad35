//! # sanjia
//!
//! Score hospital accreditation reviews — China's tertiary-hospital review (三级医院评审),
//! its staff training and exam checks (三基 考核), and JCI-style standards — exactly, and with a
//! reason for every point.
//!
//! The data flows one way:
//!
//! 1. a **rulebook** file (TOML or JSON: the standard's tree, weights, gates, scoring methods,
//!    grade rules, rounding, sources) is loaded and checked once into a [`Rulebook`]
//!    ([`rulebook`]; grade conditions are a small safe language, [`condition`]);
//! 2. a hospital's **evidence** ([`Evidence`]: gate answers, indicator values per period,
//!    article levels, element results) is checked against it into a [`evidence::Sheet`];
//! 3. [`score()`] turns it into a [`Report`]: points per node, gate outcomes, the grade with the
//!    trace of every condition, the deductions with their reasons and the missing evidence.
//!    [`score_batch`] does many hospitals in parallel.
//!
//! ```
//! use sanjia::{score, Evidence, Rulebook};
//!
//! let rulebook = Rulebook::builtin("demo")?;
//! let evidence = Evidence::sample("demo", None)?;
//! let report = score(&rulebook, &evidence)?;
//! println!("{}: {}", report.hospital(), report.status());
//! for d in report.deductions().iter().take(3) {
//!     println!("-{} {} {}", d.lost_in_total, d.id, d.reason);
//! }
//! # Ok::<(), sanjia::Error>(())
//! ```
//!
//! Numbers that decide grades are exact ([`ratio`]): rates from counts are compared by
//! cross-multiplication and thresholds are decimals, so `95/100 >= 95%` holds and
//! `94/99 >= 95%` does not.

#![warn(missing_docs)]

pub mod audit;
pub mod condition;
mod error;
pub mod evidence;
pub mod exams;
pub mod excel;
pub mod gap;
pub mod ratio;
pub mod report;
pub mod rulebook;
pub mod score;

pub use error::Error;
pub use evidence::{Evidence, EvidenceError};
pub use report::Report;
pub use rulebook::{Rulebook, RulebookError};
pub use score::{score, score_batch, score_with, BatchOptions, Scorecard};

/// The version of this library.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "python")]
mod python;
