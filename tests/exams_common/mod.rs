//! Shared helpers for the exam engine's integration tests.
#![allow(dead_code)]

use sanjia::exams::*;

/// Owned roster columns.
#[derive(Clone, Default, Debug)]
pub struct RosterData {
    pub staff: Vec<String>,
    pub dept: Vec<String>,
    pub cat: Vec<String>,
    pub hosp: Vec<Option<String>>,
    pub reason: Vec<Option<String>>,
    pub from: Vec<Option<Date>>,
    pub to: Vec<Option<Date>>,
}

impl RosterData {
    pub fn push(&mut self, staff: &str, dept: &str, cat: &str) -> &mut Self {
        self.staff.push(staff.into());
        self.dept.push(dept.into());
        self.cat.push(cat.into());
        self.hosp.push(None);
        self.reason.push(None);
        self.from.push(None);
        self.to.push(None);
        self
    }
    pub fn reason(&mut self, r: &str) -> &mut Self {
        *self.reason.last_mut().unwrap() = Some(r.into());
        self
    }
    pub fn hosp(&mut self, h: &str) -> &mut Self {
        *self.hosp.last_mut().unwrap() = Some(h.into());
        self
    }
    pub fn employed(&mut self, from: Option<&str>, to: Option<&str>) -> &mut Self {
        *self.from.last_mut().unwrap() = from.map(|d| d.parse().unwrap());
        *self.to.last_mut().unwrap() = to.map(|d| d.parse().unwrap());
        self
    }
    pub fn view(&self) -> Roster<'_> {
        let mut r = Roster::new(&self.staff, &self.dept, &self.cat)
            .unwrap()
            .with_exempt_reason(&self.reason)
            .unwrap();
        if self.hosp.iter().any(Option::is_some) {
            r = r.with_hospital(&self.hosp).unwrap();
        }
        if self.from.iter().chain(&self.to).any(Option::is_some) {
            r = r.with_employment(&self.from, &self.to).unwrap();
        }
        r
    }
}

/// Owned sittings columns.
#[derive(Clone, Default, Debug)]
pub struct SittingsData {
    pub staff: Vec<String>,
    pub exam: Vec<String>,
    pub attempt: Vec<i64>,
    pub score: Vec<Option<f64>>,
    pub components: Vec<(String, Vec<Option<f64>>)>,
    pub session: Vec<Option<String>>,
}

impl SittingsData {
    pub fn push(&mut self, staff: &str, exam: &str, attempt: i64, score: Option<f64>) -> &mut Self {
        self.staff.push(staff.into());
        self.exam.push(exam.into());
        self.attempt.push(attempt);
        self.score.push(score);
        self.session.push(None);
        for c in &mut self.components {
            c.1.push(None);
        }
        self
    }
    pub fn component(&mut self, name: &str, v: Option<f64>) -> &mut Self {
        let n = self.staff.len();
        if !self.components.iter().any(|c| c.0 == name) {
            self.components.push((name.into(), vec![None; n]));
        }
        let c = self.components.iter_mut().find(|c| c.0 == name).unwrap();
        *c.1.last_mut().unwrap() = v;
        self
    }
    pub fn view(&self) -> Sittings<'_> {
        self.view_with(true)
    }
    pub fn view_with(&self, with_score: bool) -> Sittings<'_> {
        let mut s = Sittings::new(&self.staff, &self.exam)
            .unwrap()
            .with_attempt(&self.attempt)
            .unwrap();
        if with_score {
            s = s.with_score(&self.score).unwrap();
        }
        for (name, v) in &self.components {
            s = s.with_component(name, v).unwrap();
        }
        if self.session.iter().any(Option::is_some) {
            s = s.with_session(&self.session).unwrap();
        }
        s
    }
}

pub fn run(
    roster: &RosterData,
    sittings: &SittingsData,
    policy: &Policy,
) -> Result<ExamEvaluation, ExamError> {
    evaluate(
        &ExamInput::new(roster.view(), sittings.view()),
        policy,
        &EvalOptions::default(),
    )
}

/// A roster of `n` staff `S000..`, all in 内科 / 医师.
pub fn roster_n(n: usize) -> RosterData {
    let mut r = RosterData::default();
    for i in 0..n {
        r.push(&format!("S{i:03}"), "内科", "医师");
    }
    r
}

pub fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap()
}
