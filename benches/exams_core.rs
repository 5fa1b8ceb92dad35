//! Benchmark of the exam engine's Rust core on synthetic data (no Python).
//!
//! Run with `cargo bench --bench exams_core` (needs `harness = false` for this target).
//! `SANJIA_BENCH_HOSPITALS` (default 10) sets the scale: each hospital has 3,000 staff in 24
//! departments and 5 categories, and 33 exams that all its staff are expected at, with ~97%
//! sitting and some make-ups — 100 hospitals give the province scale (300,000 staff,
//! about 10 million sittings). `SANJIA_BENCH_SHUFFLE=1` shuffles the sittings (by default they
//! are generated grouped by exam). Prints the time per thread count and the peak resident
//! memory.
#![cfg_attr(test, allow(dead_code, unused))]

use sanjia::exams::*;
use std::sync::atomic::Ordering;
use std::time::Instant;

#[path = "common/counting.rs"]
mod counting;

use counting::{LIVE, PEAK};

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1 << 20) as f64
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

const CATS: [&str; 5] = ["医师", "护士", "医技", "药学", "管理"];

fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Strings copied back to back into one buffer, with their end offsets.
fn contiguous<'s>(it: impl Iterator<Item = &'s str>) -> (String, Vec<usize>) {
    let mut buf = String::new();
    let mut ends = Vec::new();
    for s in it {
        buf.push_str(s);
        ends.push(buf.len());
    }
    (buf, ends)
}

fn slices<'b>(buf: &'b str, ends: &[usize]) -> Vec<&'b str> {
    let mut start = 0;
    ends.iter()
        .map(|&e| {
            let s = &buf[start..e];
            start = e;
            s
        })
        .collect()
}

fn main() {
    let hospitals: usize = std::env::var("SANJIA_BENCH_HOSPITALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let staff_per = 3000;
    let exams_per = 33;
    let mut rng = Rng(42);

    let t0 = Instant::now();
    let depts: Vec<String> = (0..24).map(|d| format!("科室{d:02}")).collect();
    let mut staff_id = Vec::with_capacity(hospitals * staff_per);
    let mut hosp = Vec::with_capacity(hospitals * staff_per);
    let mut dept = Vec::with_capacity(hospitals * staff_per);
    let mut cat = Vec::with_capacity(hospitals * staff_per);
    let hosp_names: Vec<String> = (0..hospitals).map(|h| format!("H{h:03}")).collect();
    for (h, name) in hosp_names.iter().enumerate() {
        for i in 0..staff_per {
            staff_id.push(format!("H{h:03}-S{i:05}"));
            hosp.push(name.as_str());
            dept.push(depts[(rng.next() % 24) as usize].as_str());
            cat.push(CATS[(rng.next() % 5) as usize]);
        }
    }
    let mut exam_id = Vec::new();
    let mut exam_hosp = Vec::new();
    let mut exam_kind = Vec::new();
    for (h, name) in hosp_names.iter().enumerate() {
        for e in 0..exams_per {
            exam_id.push(format!("H{h:03}-E{e:02}"));
            exam_hosp.push(name.as_str());
            exam_kind.push(if e % 3 == 0 {
                "三基操作"
            } else {
                "三基理论"
            });
        }
    }
    // Sittings as indices first, shuffled if asked, then laid out like Arrow string columns:
    // every row's id copied into one contiguous buffer.
    let mut rows: Vec<(u32, u32, i32, Option<f64>)> = Vec::new();
    for h in 0..hospitals {
        for e in 0..exams_per {
            let ex = (h * exams_per + e) as u32;
            for i in 0..staff_per {
                let r = rng.next();
                if r % 100 < 3 {
                    continue;
                }
                let sid = (h * staff_per + i) as u32;
                let score = ((r >> 8) % 101) as f64;
                let present = (r >> 20) % 50 != 0;
                rows.push((sid, ex, 1, present.then_some(score)));
                if score < 60.0 && (r >> 30) % 2 == 0 {
                    rows.push((sid, ex, 2, Some(((r >> 40) % 41 + 60) as f64)));
                }
            }
        }
    }
    if std::env::var_os("SANJIA_BENCH_SHUFFLE").is_some() {
        for i in (1..rows.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            rows.swap(i, j);
        }
    }
    let (staff_buf, staff_ends) = contiguous(rows.iter().map(|r| staff_id[r.0 as usize].as_str()));
    let (exam_buf, exam_ends) = contiguous(rows.iter().map(|r| exam_id[r.1 as usize].as_str()));
    let s_staff = slices(&staff_buf, &staff_ends);
    let s_exam = slices(&exam_buf, &exam_ends);
    let s_attempt: Vec<i32> = rows.iter().map(|r| r.2).collect();
    let s_score: Vec<Option<f64>> = rows.iter().map(|r| r.3).collect();
    drop(rows);
    println!(
        "data: {} hospitals, {} staff, {} exams, {} sittings (generated in {:.1?})",
        hospitals,
        staff_id.len(),
        exam_id.len(),
        s_staff.len(),
        t0.elapsed()
    );
    let rss_data = peak_rss_mb();

    // The roster's ids contiguous too, as in an Arrow column.
    let (roster_buf, roster_ends) = contiguous(staff_id.iter().map(String::as_str));
    let roster_ids = slices(&roster_buf, &roster_ends);
    let roster = Roster::new(&roster_ids, &dept, &cat)
        .unwrap()
        .with_hospital(&hosp)
        .unwrap();
    let exams = Exams::new(&exam_id)
        .unwrap()
        .with_hospital(&exam_hosp)
        .unwrap()
        .with_kind(&exam_kind)
        .unwrap();
    let sittings = Sittings::new(&s_staff, &s_exam)
        .unwrap()
        .with_attempt(&s_attempt)
        .unwrap()
        .with_score(&s_score)
        .unwrap();
    let input = ExamInput::new(roster, sittings).with_exams(exams);
    let policy = Policy::builtin();
    let by = [
        GroupDim::Hospital,
        GroupDim::Exam,
        GroupDim::Department,
        GroupDim::Category,
    ];
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for people in [true, false] {
            let opts = EvalOptions {
                people,
                ..EvalOptions::default()
            };
            let base = LIVE.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
            let t = Instant::now();
            let ev = pool.install(|| evaluate(&input, &policy, &opts).unwrap());
            let t_eval = t.elapsed();
            let t = Instant::now();
            let summary = ev.summary(&by);
            let t_sum = t.elapsed();
            let peak = PEAK.load(Ordering::Relaxed) - base;
            let kept = LIVE.load(Ordering::Relaxed) - base;
            println!(
                "threads {threads}, people {people:5}: evaluate {:>8.1?} + summary {:>7.1?} \
                 ({} groups, {} people, {:.1} M sittings/s); heap peak +{:.0} MB, result {:.0} MB \
                 (input as Arrow columns {:.0} MB)",
                t_eval,
                t_sum,
                summary.rows.len(),
                ev.people_len(),
                s_staff.len() as f64 / (t_eval + t_sum).as_secs_f64() / 1e6,
                mb(peak),
                mb(kept),
                mb(staff_buf.len() + exam_buf.len() + 20 * s_staff.len())
            );
            drop(summary);
            drop(ev);
        }
    }
    if let (Some(d), Some(p)) = (rss_data, peak_rss_mb()) {
        println!("peak RSS: {d:.0} MB after generating the data, {p:.0} MB at the end");
    }
}
