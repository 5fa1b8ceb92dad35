//! Exam tables' ingestion (三基 exams): roster, sittings, exams and exemptions as Arrow record
//! batches built from fuzz input, evaluated strictly and leniently. Errors are fine; panics,
//! hangs and lenient row accounting that does not add up are not.
#![no_main]
use libfuzzer_sys::fuzz_target;
#[path = "../harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::tables::exam_tables::run(data));
