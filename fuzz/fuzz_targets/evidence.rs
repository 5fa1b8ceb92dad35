//! Evidence loader: the first byte picks TOML, JSON or a JSON value (`Evidence::from_value`);
//! any text either loads or gives an EvidenceError; loaded evidence is checked and scored
//! against the demo rulebook.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::evidence(data));
