//! Arrow ingestion of the long table: record batches built from fuzz input (every string
//! layout, integer ids, numeric types, nulls), split into several batches at fuzzed points.
//! Checking must not panic, and the sheets must not depend on how the table is split.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::tables::arrow_long_table::run(data));
