//! Grade-condition parser: any text parses or gives a ParseError; a condition that parses is
//! put into a small rulebook (resolved against its tree) and, when it resolves, evaluated for
//! two hospitals.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::condition(data));
