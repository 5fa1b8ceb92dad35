//! The grade-condition language.
//!
//! A grade is awarded when all its conditions hold. Conditions are short texts a quality
//! manager can read in the rulebook file:
//!
//! ```text
//! total >= $grade_a_total
//! share(core articles, >= C) >= 100%
//! share(articles not core, >= B) >= 60%
//! min(rate, children of P3) >= 60%
//! no gate failed with defer
//! ```
//!
//! A condition is [parsed](parse()) and [resolved](resolve::resolve) against the rulebook when the
//! rulebook is compiled (unknown ids, parameters, flags and levels are errors then), and
//! [evaluated](eval::evaluate) for each hospital into a [`Trace`] that shows the measured values
//! and whether each part held. The grammar is in [`parse`](mod@parse).

pub mod ast;
pub mod eval;
pub mod parse;
pub mod resolve;

pub use eval::{evaluate, holds, Facts, Trace};
pub use parse::{parse, ParseError};
pub use resolve::{CCond, CValue, LevelTest, Scope};
