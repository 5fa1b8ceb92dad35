//! The one public error type: each concern's error converts into it.

/// Anything that can go wrong in sanjia.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The rulebook cannot be used.
    #[error(transparent)]
    Rulebook(#[from] crate::rulebook::RulebookError),
    /// The evidence cannot be scored.
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
}
