//! Fuzz findings as regression tests: every file in `tests/data/regressions/<target>/` (a crash
//! reproducer copied from `fuzz/artifacts/<target>/`), and every seed in `fuzz/corpus/<target>/`,
//! is run through the fuzz target's own logic (`fuzz/harness.rs`): it must end in a clean
//! error or a result, never a panic, a stack overflow or a hang.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;
use std::time::{Duration, Instant};

fn run_dir(dir: &Path) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut failures = Vec::new();
    for target in harness::TARGETS {
        let d = dir.join(target);
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).expect("read");
            let t = Instant::now();
            let r = std::panic::catch_unwind(|| harness::run(target, &data));
            n += 1;
            match r {
                Ok(true) => {}
                Ok(false) => failures.push(format!("{}: unknown target", f.display())),
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{}: panicked: {msg}", f.display()));
                }
            }
            if t.elapsed() > Duration::from_secs(20) {
                failures.push(format!("{}: took {:?}", f.display(), t.elapsed()));
            }
        }
    }
    (n, failures)
}

#[test]
fn fuzz_crash_reproducers_end_in_clean_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (n, failures) = run_dir(&root.join("tests/data/regressions"));
    assert!(failures.is_empty(), "{n} files:\n{}", failures.join("\n"));
}

#[test]
fn fuzz_seed_corpora_run_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (n, failures) = run_dir(&root.join("fuzz/corpus"));
    assert!(n >= 10, "only {n} seeds found");
    assert!(failures.is_empty(), "{n} files:\n{}", failures.join("\n"));
}
