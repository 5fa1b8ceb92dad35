//! # sanjia
//!
//! Score hospital accreditation reviews — China's tertiary-hospital review (三级医院评审),
//! its staff training and exam checks (三基 考核), and JCI-style standards — exactly, and with a
//! reason for every point.

#![warn(missing_docs)]

pub mod exams;
pub mod ratio;
