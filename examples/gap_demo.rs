//! Gap analysis of a built-in sample hospital: the least it must change to reach a grade.
//!
//! `cargo run --example gap_demo [SAMPLE] [GRADE] [RULEBOOK]`
//! (defaults: the rulebook's first sample, its best grade, the demo rulebook), e.g.
//! `cargo run --example gap_demo grade-b 甲等`.

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.get(2).map_or("demo", String::as_str);
    let rulebook = sanjia::Rulebook::builtin(name)?;
    let evidence = sanjia::Evidence::sample(name, args.first().map(String::as_str))?;
    let report = sanjia::score(&rulebook, &evidence)?;
    let grade = match args.get(1) {
        Some(g) => g.clone(),
        None => rulebook.grades()[0].id.clone(),
    };
    println!("{}", report.gap_to(&grade)?.explain());
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
