//! Rulebook loader, JSON: any text either loads or gives a RulebookError; a loaded rulebook
//! scores, explains and round-trips.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::rulebook_json(data));
