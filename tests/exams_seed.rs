//! The seed-sized scenario: 3,000 staff, 500 exam sessions, checked against figures computed
//! independently by a naive loop; results identical with 1 or 2 threads and shuffled input.

use rust_decimal::Decimal;
use sanjia::exams::*;
use sanjia::ratio::decimal_from_f64;
use std::collections::{BTreeMap, BTreeSet, HashMap};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

const CATS: [&str; 5] = ["医师", "护士", "医技", "药学", "管理"];
const KINDS: [&str; 3] = ["三基理论", "三基操作", "专科理论"];
const REASONS: [&str; 4] = ["产假", "长期病假", "外出进修", "个人原因"];

#[derive(Clone)]
struct Staff {
    id: String,
    hosp: String,
    dept: String,
    cat: String,
    from: Option<Date>,
    to: Option<Date>,
    reason: Option<String>,
}

#[derive(Clone)]
struct Exam {
    id: String,
    kind: String,
    date: Date,
    pass: Option<f64>,
    cats: Option<Vec<String>>,
    depts: Option<Vec<String>>,
    hosp: Option<String>,
}

#[derive(Clone)]
struct Sit {
    staff: String,
    exam: String,
    attempt: i64,
    score: Option<f64>,
    theory: Option<f64>,
    skill: Option<f64>,
}

#[derive(Clone)]
struct Ex {
    staff: String,
    exam: Option<String>,
    reason: String,
}

struct Scenario {
    staff: Vec<Staff>,
    exams: Vec<Exam>,
    sits: Vec<Sit>,
    exs: Vec<Ex>,
}

fn day(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

fn half(r: &mut Rng, lo: u64, hi: u64) -> f64 {
    (lo * 2 + r.below((hi - lo) * 2 + 1)) as f64 / 2.0
}

fn in_scope(s: &Staff, e: &Exam) -> bool {
    e.hosp.as_ref().is_none_or(|h| *h == s.hosp)
        && e.cats.as_ref().is_none_or(|c| c.contains(&s.cat))
        && e.depts.as_ref().is_none_or(|d| d.contains(&s.dept))
        && s.from.is_none_or(|f| f <= e.date)
        && s.to.is_none_or(|t| e.date <= t)
}

fn scenario(seed: u64) -> Scenario {
    let mut r = Rng(seed);
    let depts: Vec<String> = (0..24).map(|i| format!("科室{i:02}")).collect();
    let mut staff = Vec::new();
    for i in 0..3000 {
        let from = r.chance(0.05).then(|| day(2024, 1 + r.below(12) as u32, 1));
        let to = r
            .chance(0.04)
            .then(|| day(2024, 1 + r.below(12) as u32, 28));
        let (from, to) = match (from, to) {
            (Some(f), Some(t)) if t < f => (Some(t), Some(f)),
            x => x,
        };
        staff.push(Staff {
            id: format!("S{i:05}"),
            hosp: format!("H{}", r.below(2) + 1),
            dept: depts[r.below(24) as usize].clone(),
            cat: CATS[r.below(5) as usize].to_string(),
            from,
            to,
            reason: r
                .chance(0.02)
                .then(|| REASONS[r.below(4) as usize].to_string()),
        });
    }
    let mut exams = Vec::new();
    for i in 0..500 {
        let kind = KINDS[r.below(3) as usize].to_string();
        let cats = r.chance(0.7).then(|| {
            let mut v: Vec<String> = CATS
                .iter()
                .filter(|_| r.chance(0.4))
                .map(|s| s.to_string())
                .collect();
            if v.is_empty() {
                v.push("护士".into());
            }
            v
        });
        let dep = r.chance(0.5).then(|| {
            (0..1 + r.below(4))
                .map(|_| depts[r.below(24) as usize].clone())
                .collect()
        });
        exams.push(Exam {
            id: format!("E{i:03}"),
            kind,
            date: day(2024, 1 + r.below(12) as u32, 1 + r.below(28) as u32),
            pass: r
                .chance(0.2)
                .then(|| [60.0, 70.0, 85.5][r.below(3) as usize]),
            cats,
            depts: dep,
            hosp: r.chance(0.8).then(|| format!("H{}", r.below(2) + 1)),
        });
    }
    let mut sits = Vec::new();
    let mut exs = Vec::new();
    for e in &exams {
        let skill_exam = e.kind == "三基操作";
        for s in staff.iter().filter(|s| in_scope(s, e)) {
            if r.chance(0.002) {
                exs.push(Ex {
                    staff: s.id.clone(),
                    exam: Some(e.id.clone()),
                    reason: REASONS[r.below(4) as usize].to_string(),
                });
            }
            if r.chance(0.03) {
                continue; // no row at all: absent
            }
            let present = !r.chance(0.02);
            let (score, theory, skill) = if !present {
                (None, None, None)
            } else if skill_exam {
                let t = half(&mut r, 40, 100);
                let k = half(&mut r, 50, 100);
                (None, Some(t), if r.chance(0.9) { Some(k) } else { None })
            } else {
                (Some(half(&mut r, 45, 100)), None, None)
            };
            sits.push(Sit {
                staff: s.id.clone(),
                exam: e.id.clone(),
                attempt: 1,
                score,
                theory,
                skill,
            });
            let weak = score.is_some_and(|v| v < 75.0) || theory.is_some_and(|v| v < 75.0);
            if (!present || weak) && r.chance(0.5) {
                let mut a = 2;
                loop {
                    let (score, theory, skill) = if skill_exam {
                        (
                            None,
                            Some(half(&mut r, 55, 100)),
                            Some(half(&mut r, 55, 100)),
                        )
                    } else {
                        (Some(half(&mut r, 50, 100)), None, None)
                    };
                    sits.push(Sit {
                        staff: s.id.clone(),
                        exam: e.id.clone(),
                        attempt: a,
                        score,
                        theory,
                        skill,
                    });
                    a += 1;
                    if !r.chance(0.2) {
                        break;
                    }
                }
            }
        }
    }
    for s in &staff {
        if !r.chance(0.003) {
            continue;
        }
        exs.push(Ex {
            staff: s.id.clone(),
            exam: None,
            reason: REASONS[r.below(4) as usize].to_string(),
        });
    }
    Scenario {
        staff,
        exams,
        sits,
        exs,
    }
}

const POLICY: &str = r#"
judge = "final"
exempt_reasons = ["产假", "长期病假", "外出进修"]
[kinds."三基操作"]
pass_mark = 80
makeup_counts = false
[kinds."专科理论"]
judge = "first"
"#;

type Key = (String, String, String, String); // hospital, exam, department, category
type PeopleSet = BTreeSet<(String, String, Problem)>;
type Fingerprint = (
    Summary,
    Vec<String>,
    Vec<(String, String, String, ExemptionOutcome)>,
);

/// The naive, independent computation: loops over exams and staff, decimals everywhere.
fn naive(sc: &Scenario, policy: &Policy) -> (BTreeMap<Key, Counts>, PeopleSet) {
    let accepted: BTreeSet<&str> = policy.exempt_reasons.iter().map(String::as_str).collect();
    let mut by_pair: HashMap<(&str, &str), Vec<&Sit>> = HashMap::new();
    for s in &sc.sits {
        by_pair.entry((&s.staff, &s.exam)).or_default().push(s);
    }
    let mut exs_of: HashMap<&str, Vec<&Ex>> = HashMap::new();
    for x in &sc.exs {
        exs_of.entry(&x.staff).or_default().push(x);
    }
    let mut out: BTreeMap<Key, Counts> = BTreeMap::new();
    let mut people = BTreeSet::new();
    for e in &sc.exams {
        let kind_pass = if e.kind == "三基操作" { 80.0 } else { 60.0 };
        let pass_mark = decimal_from_f64(e.pass.unwrap_or(kind_pass)).unwrap();
        let makeup_counts = e.kind != "三基操作";
        let judge_first = e.kind == "专科理论";
        let passes = |s: &Sit| -> bool {
            let comps: Vec<f64> = [s.theory, s.skill].into_iter().flatten().collect();
            if !comps.is_empty() {
                comps
                    .iter()
                    .all(|c| decimal_from_f64(*c).unwrap() >= pass_mark)
            } else {
                s.score
                    .is_some_and(|v| decimal_from_f64(v).unwrap() >= pass_mark)
            }
        };
        for st in &sc.staff {
            if !in_scope(st, e) {
                continue;
            }
            let sits = by_pair
                .get(&(st.id.as_str(), e.id.as_str()))
                .cloned()
                .unwrap_or_default();
            let scored = |s: &&Sit| s.score.is_some() || s.theory.is_some() || s.skill.is_some();
            let sat = sits.iter().any(scored);
            let mut reasons: Vec<&str> = st.reason.iter().map(String::as_str).collect();
            for x in exs_of.get(st.id.as_str()).into_iter().flatten() {
                if x.exam.as_ref().is_none_or(|id| *id == e.id) {
                    reasons.push(&x.reason);
                }
            }
            let exempt = !sat && reasons.iter().any(|r| accepted.contains(r));
            let c = out
                .entry((
                    st.hosp.clone(),
                    e.id.clone(),
                    st.dept.clone(),
                    st.cat.clone(),
                ))
                .or_default();
            if exempt {
                c.exempt += 1;
                continue;
            }
            c.expected += 1;
            if !sat {
                c.absent += 1;
                people.insert((e.id.clone(), st.id.clone(), Problem::Absent));
                continue;
            }
            c.sat += 1;
            let first = sits
                .iter()
                .any(|s| s.attempt == 1 && scored(s) && passes(s));
            let makeup_pass = sits
                .iter()
                .any(|s| s.attempt >= 2 && scored(s) && passes(s));
            let fin = first || (makeup_counts && makeup_pass);
            c.first_passed += first as u64;
            c.final_passed += fin as u64;
            c.makeups += sits.iter().any(|s| s.attempt >= 2 && scored(s)) as u64;
            let judged = if judge_first { first } else { fin };
            c.judged_passed += judged as u64;
            if !judged {
                people.insert((e.id.clone(), st.id.clone(), Problem::Failed));
            }
        }
    }
    out.retain(|_, c| *c != Counts::default());
    (out, people)
}

struct Cols {
    id: Vec<String>,
    hosp: Vec<String>,
    dept: Vec<String>,
    cat: Vec<String>,
    from: Vec<Option<Date>>,
    to: Vec<Option<Date>>,
    reason: Vec<Option<String>>,
    e_id: Vec<String>,
    e_kind: Vec<String>,
    e_date: Vec<Date>,
    e_pass: Vec<Option<f64>>,
    e_cats: Vec<Option<String>>,
    e_depts: Vec<Option<String>>,
    e_hosp: Vec<Option<String>>,
    s_staff: Vec<String>,
    s_exam: Vec<String>,
    s_attempt: Vec<i64>,
    s_score: Vec<Option<f64>>,
    s_theory: Vec<Option<f64>>,
    s_skill: Vec<Option<f64>>,
    x_staff: Vec<String>,
    x_exam: Vec<Option<String>>,
    x_reason: Vec<String>,
}

impl Cols {
    fn new(sc: &Scenario) -> Cols {
        Cols {
            id: sc.staff.iter().map(|s| s.id.clone()).collect(),
            hosp: sc.staff.iter().map(|s| s.hosp.clone()).collect(),
            dept: sc.staff.iter().map(|s| s.dept.clone()).collect(),
            cat: sc.staff.iter().map(|s| s.cat.clone()).collect(),
            from: sc.staff.iter().map(|s| s.from).collect(),
            to: sc.staff.iter().map(|s| s.to).collect(),
            reason: sc.staff.iter().map(|s| s.reason.clone()).collect(),
            e_id: sc.exams.iter().map(|e| e.id.clone()).collect(),
            e_kind: sc.exams.iter().map(|e| e.kind.clone()).collect(),
            e_date: sc.exams.iter().map(|e| e.date).collect(),
            e_pass: sc.exams.iter().map(|e| e.pass).collect(),
            e_cats: sc
                .exams
                .iter()
                .map(|e| e.cats.as_ref().map(|c| c.join("、")))
                .collect(),
            e_depts: sc
                .exams
                .iter()
                .map(|e| e.depts.as_ref().map(|c| c.join(",")))
                .collect(),
            e_hosp: sc.exams.iter().map(|e| e.hosp.clone()).collect(),
            s_staff: sc.sits.iter().map(|s| s.staff.clone()).collect(),
            s_exam: sc.sits.iter().map(|s| s.exam.clone()).collect(),
            s_attempt: sc.sits.iter().map(|s| s.attempt).collect(),
            s_score: sc.sits.iter().map(|s| s.score).collect(),
            s_theory: sc.sits.iter().map(|s| s.theory).collect(),
            s_skill: sc.sits.iter().map(|s| s.skill).collect(),
            x_staff: sc.exs.iter().map(|x| x.staff.clone()).collect(),
            x_exam: sc.exs.iter().map(|x| x.exam.clone()).collect(),
            x_reason: sc.exs.iter().map(|x| x.reason.clone()).collect(),
        }
    }

    fn input(&self) -> ExamInput<'_> {
        let roster = Roster::new(&self.id, &self.dept, &self.cat)
            .unwrap()
            .with_hospital(&self.hosp)
            .unwrap()
            .with_employment(&self.from, &self.to)
            .unwrap()
            .with_exempt_reason(&self.reason)
            .unwrap();
        let exams = Exams::new(&self.e_id)
            .unwrap()
            .with_kind(&self.e_kind)
            .unwrap()
            .with_date(&self.e_date)
            .unwrap()
            .with_pass_mark(&self.e_pass)
            .unwrap()
            .with_categories(&self.e_cats)
            .unwrap()
            .with_departments(&self.e_depts)
            .unwrap()
            .with_hospital(&self.e_hosp)
            .unwrap();
        let sittings = Sittings::new(&self.s_staff, &self.s_exam)
            .unwrap()
            .with_attempt(&self.s_attempt)
            .unwrap()
            .with_score(&self.s_score)
            .unwrap()
            .with_component("theory", &self.s_theory)
            .unwrap()
            .with_component("skill", &self.s_skill)
            .unwrap();
        let ex = Exemptions::new(&self.x_staff, &self.x_exam, &self.x_reason).unwrap();
        ExamInput::new(roster, sittings)
            .with_exams(exams)
            .with_exemptions(ex)
    }
}

const FINEST: [GroupDim; 4] = [
    GroupDim::Hospital,
    GroupDim::Exam,
    GroupDim::Department,
    GroupDim::Category,
];

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

#[test]
fn seed_scenario_matches_naive_loop() {
    let sc = scenario(20_240_501);
    assert_eq!(sc.staff.len(), 3000);
    assert_eq!(sc.exams.len(), 500);
    assert!(sc.sits.len() > 50_000, "{}", sc.sits.len());
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let cols = Cols::new(&sc);
    let t0 = std::time::Instant::now();
    let ev = evaluate(&cols.input(), &policy, &EvalOptions::default()).unwrap();
    eprintln!("{} sittings evaluated in {:?}", sc.sits.len(), t0.elapsed());
    assert!(ev.rejections.is_empty());
    assert_eq!(ev.rows.sittings.used, sc.sits.len());

    let (expected, expected_people) = naive(&sc, &policy);
    let got: BTreeMap<Key, Counts> = ev
        .summary(&FINEST)
        .rows
        .into_iter()
        .map(|r| {
            let k = |i: usize| r.key[i].clone().unwrap();
            ((k(0), k(1), k(2), k(3)), r.counts)
        })
        .collect();
    assert_eq!(got.len(), expected.len());
    for (k, c) in &expected {
        assert_eq!(got.get(k), Some(c), "{k:?}");
    }
    let people: BTreeSet<(String, String, Problem)> = ev
        .people()
        .map(|p| (p.exam_id.to_string(), p.staff_id.to_string(), p.problem))
        .collect();
    assert_eq!(people.len(), ev.people_len());
    assert_eq!(people, expected_people);

    // totals and met flags, checked by exact integer cross-multiplication
    let mut t = Counts::default();
    for c in expected.values() {
        t += *c;
    }
    let total = ev.total();
    assert_eq!(total.counts, t);
    assert_eq!(total.participation_met, Some(t.sat == t.expected));
    assert_eq!(total.pass_met, Some(t.judged_passed * 100 >= 95 * t.sat));
    for row in ev.summary(&[GroupDim::Exam]).rows {
        let c = row.counts;
        if c.sat > 0 {
            assert_eq!(row.pass_met, Some(c.judged_passed * 100 >= 95 * c.sat));
        }
    }
    // measures agree with the summary
    let by_kind = ev.summary(&[GroupDim::ExamKind]);
    for row in &by_kind.rows {
        let f = ExamFilter {
            exam_kinds: vec![row.key[0].clone().unwrap()],
            ..ExamFilter::default()
        };
        assert_eq!(
            ev.measure(ExamMeasure::JudgedPassRate, &f),
            row.judged_pass_rate.quantity()
        );
    }
    let _ = Decimal::ZERO;
}

fn fingerprint(ev: &ExamEvaluation) -> Fingerprint {
    let mut ex: Vec<_> = ev
        .exemptions
        .iter()
        .map(|e| {
            (
                e.exam_id.clone(),
                e.staff_id.clone(),
                e.reason.clone(),
                e.outcome,
            )
        })
        .collect();
    ex.sort();
    let people = ev.people().map(|p| format!("{p:?}")).collect();
    (ev.summary(&FINEST), people, ex)
}

#[test]
fn same_result_with_1_or_2_threads_and_shuffled_input() {
    let sc = scenario(7);
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let cols = Cols::new(&sc);
    let one =
        pool(1).install(|| evaluate(&cols.input(), &policy, &EvalOptions::default()).unwrap());
    let two =
        pool(2).install(|| evaluate(&cols.input(), &policy, &EvalOptions::default()).unwrap());
    assert_eq!(fingerprint(&one), fingerprint(&two));

    let mut shuffled = Scenario {
        staff: sc.staff.clone(),
        exams: sc.exams.clone(),
        sits: sc.sits.clone(),
        exs: sc.exs.clone(),
    };
    let mut r = Rng(99);
    r.shuffle(&mut shuffled.staff);
    r.shuffle(&mut shuffled.exams);
    r.shuffle(&mut shuffled.sits);
    r.shuffle(&mut shuffled.exs);
    let cols2 = Cols::new(&shuffled);
    let three =
        pool(2).install(|| evaluate(&cols2.input(), &policy, &EvalOptions::default()).unwrap());
    assert_eq!(fingerprint(&one), fingerprint(&three));
}

#[test]
fn lenient_results_independent_of_order_and_threads() {
    // Add bad rows of every kind to the scenario; lenient results must not depend on order.
    let mut sc = scenario(11);
    let n = sc.sits.len();
    let mut extra = Vec::new();
    for i in (0..n).step_by(997) {
        let mut s = sc.sits[i].clone();
        match i % 5 {
            0 => extra.push(s.clone()), // identical duplicate
            1 => {
                s.score = s.score.map(|v| (v + 1.0).min(100.0));
                s.theory = s.theory.map(|v| (v + 1.0).min(100.0));
                extra.push(s) // conflicting duplicate (or identical at 100)
            }
            2 => {
                s.staff = format!("X{i}");
                extra.push(s)
            }
            3 => {
                s.attempt = 7;
                s.staff = sc.staff[i % 3000].id.clone();
                extra.push(s)
            }
            _ => {
                s.score = Some(f64::NAN);
                extra.push(s)
            }
        }
    }
    sc.sits.extend(extra);
    let policy = Policy::from_toml_str(POLICY).unwrap();
    let cols = Cols::new(&sc);
    let lenient = EvalOptions::lenient();
    let a = pool(1).install(|| evaluate(&cols.input(), &policy, &lenient).unwrap());
    assert!(!a.rejections.is_empty());
    assert!(a.rows.adds_up());
    let mut r = Rng(5);
    r.shuffle(&mut sc.sits);
    r.shuffle(&mut sc.staff);
    let cols2 = Cols::new(&sc);
    let b = pool(2).install(|| evaluate(&cols2.input(), &policy, &lenient).unwrap());
    assert_eq!(fingerprint(&a), fingerprint(&b));
    assert_eq!(a.rows, b.rows);
    let codes = |e: &ExamEvaluation| {
        let mut v: Vec<&str> = e.rejections.iter().map(|r| r.reason.code()).collect();
        v.sort();
        v
    };
    assert_eq!(codes(&a), codes(&b));
}
