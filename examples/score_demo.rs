//! Score one of the built-in demo rulebook's sample hospitals and print the explanation.
//!
//! `cargo run --example score_demo [SAMPLE]` (samples: sample, grade-b, downgraded, deferred)

fn run() -> Result<(), sanjia::Error> {
    let rulebook = sanjia::Rulebook::builtin("demo")?;
    let sample = std::env::args().nth(1);
    let evidence = sanjia::Evidence::sample("demo", sample.as_deref())?;
    let report = sanjia::score(&rulebook, &evidence)?;
    println!("{}", report.explain());
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
