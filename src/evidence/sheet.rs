//! A hospital's evidence checked against a rulebook: one answer slot per node, ready to score.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::error::Collector;
use super::{parse_gate_answer, ArticleLevel, ElementResult, EvidenceError, Observation};
use crate::ratio::{
    cmp_decimal, cmp_small, decimal_from_f64, small_decimal, small_from_f64, Quantity,
};
use crate::rulebook::compile::{IndicatorRule, Rule};
use crate::rulebook::model::NodeKind;
use crate::Rulebook;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// Most distinct periods in one hospital's evidence (years, quarters, months: a few dozen in
/// practice). More is an error, not a slow quadratic walk.
pub const MAX_PERIODS: usize = 1_000;
/// Most evidence entries (answers and observations, i.e. table rows) for one hospital.
pub const MAX_ENTRIES: usize = 1_000_000;
/// Longest hospital id, criterion id or period label, in bytes (the rulebook's text limit).
pub const MAX_ID_LEN: usize = crate::rulebook::compile::MAX_TEXT_LEN;

/// The evidence for one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    /// Nothing given.
    #[default]
    None,
    /// A gate answer (true = passed).
    Gate(bool),
    /// An article level or element result rank; `None` = not applicable (E / na).
    Rank(Option<u8>),
    /// Indicator observations `obs[start .. start + len]`, oldest period first.
    Series(u32, u32),
}

/// One indicator observation, in the indicator's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Obs {
    /// Index into [`Sheet::periods`].
    pub period: u32,
    /// The value (a ratio when given as numerator / denominator).
    pub value: Quantity,
}

/// Evidence checked against a rulebook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    /// Hospital id.
    pub hospital: String,
    /// One answer per rulebook node (groups stay `None`).
    pub answers: Vec<Answer>,
    /// Indicator observations, grouped per node (see [`Answer::Series`]).
    pub obs: Vec<Obs>,
    /// Period labels.
    pub periods: Vec<String>,
    /// Observations left out (node, period, why), e.g. `0/0` with no cases.
    pub skipped: Vec<(u32, String, String)>,
}

impl Sheet {
    /// The observations of a node, oldest period first.
    pub fn series(&self, node: u32) -> &[Obs] {
        match self.answers.get(node as usize) {
            Some(Answer::Series(s, l)) => &self.obs[*s as usize..(*s + *l) as usize],
            _ => &[],
        }
    }

    /// The label of a period index.
    pub fn period(&self, p: u32) -> &str {
        self.periods.get(p as usize).map_or("", String::as_str)
    }
}

/// Where an answer came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub enum Loc<'a> {
    /// A row of a table.
    Row(usize),
    /// A key in a file: section, criterion id and period.
    Key(&'static str, &'a str, Option<&'a str>),
}

impl Loc<'_> {
    /// The table row, when the answer came from a table.
    pub fn row(&self) -> Option<usize> {
        match self {
            Loc::Row(r) => Some(*r),
            Loc::Key(..) => None,
        }
    }
    /// The path in a file that errors name, e.g. `articles."3.1.1"` or
    /// `indicators."2.2.7"."2024"`.
    pub fn path(&self) -> Option<String> {
        match self {
            Loc::Row(_) => None,
            Loc::Key(section, id, None) => Some(format!("{section}.{id:?}")),
            Loc::Key(section, id, Some(p)) => Some(format!("{section}.{id:?}.{p:?}")),
        }
    }
}

/// A piece of a table's columns, row `k` of each being one row (see
/// [`SheetBuilder::quick_rows`]); a column the table does not have is all `None`.
pub(crate) struct QuickRows<'s> {
    /// `criterion_id`.
    pub criterion: &'s [Option<&'s str>],
    /// `level`.
    pub level: &'s [Option<&'s str>],
    /// `period`.
    pub period: &'s [Option<&'s str>],
    /// `value`.
    pub value: &'s [Option<f64>],
    /// `numerator`.
    pub numerator: &'s [Option<f64>],
    /// `denominator`.
    pub denominator: &'s [Option<f64>],
}

/// The answer a level written as text gives a criterion of this kind (`None`: it does not
/// parse for that kind, or the kind takes no level).
#[inline(always)]
pub(super) fn level_answer(kind: NodeKind, text: &str) -> Option<Answer> {
    match kind {
        NodeKind::Article => ArticleLevel::parse(text).map(|l| Answer::Rank(l.rank())),
        NodeKind::Element => ElementResult::parse(text).map(|r| Answer::Rank(r.rank())),
        NodeKind::Gate => parse_gate_answer(text).map(Answer::Gate),
        _ => None,
    }
}

/// An indicator observation from table cells (floats as typed): a value, or a numerator and
/// denominator, each finite; otherwise what is wrong, in words.
#[inline(always)]
pub(super) fn observation_from(
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
) -> Result<Observation, String> {
    let conv = decimal_from_f64;
    match (value, numerator, denominator) {
        (Some(v), None, None) => {
            if let Some(v) = conv(v) {
                return Ok(Observation::Value(v));
            }
        }
        (None, Some(n), Some(d)) => {
            if let (Some(numerator), Some(denominator)) = (conv(n), conv(d)) {
                return Ok(Observation::Ratio {
                    numerator,
                    denominator,
                });
            }
        }
        _ => {}
    }
    Err(observation_problem(value, numerator, denominator))
}

/// What is wrong with the cells [`observation_from`] could not read, in words.
#[cold]
fn observation_problem(
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
) -> String {
    match (value, numerator, denominator) {
        (Some(v), None, None) => format!("value {v} is not a finite number"),
        (None, Some(n), Some(d)) => {
            format!("numerator {n} / denominator {d} are not finite numbers")
        }
        (None, None, None) => "no value, numerator or denominator".into(),
        (Some(_), _, _) => "give a value or a numerator and denominator, not both".into(),
        _ => "a numerator needs a denominator and vice versa".into(),
    }
}

/// What an observation of an indicator counts as, in the indicator's unit: `Ok(Some(_))`,
/// `Ok(None)` when it is left out (`0/0`: no cases in the period), or what is wrong, in words.
#[inline]
pub(super) fn quantity(rule: &IndicatorRule, obs: Observation) -> Result<Option<Quantity>, String> {
    match obs {
        Observation::Value(v) => {
            let negative = v.is_sign_negative() && !v.is_zero();
            if rule.proportion && (negative || cmp_decimal(&v, &rule.scale).is_gt()) {
                return Err(out_of_range(rule, v));
            }
            Ok(Some(Quantity::Decimal(v)))
        }
        Observation::Ratio {
            numerator,
            denominator,
        } => ratio_quantity(rule, numerator, denominator),
    }
}

/// [`quantity`] of a value read from a float cell, for the usual float (at most 6
/// decimal places, see [`small_from_f64`]): the decimal built from its parts and checked
/// against the range in integers, so that no decimal passes through memory on the way (a
/// stall for every value of a table). `None` for any other float, or one out of range:
/// [`observation_from`] and [`quantity`] then take it, and give the same decimal or name the
/// problem.
#[inline(always)]
pub(super) fn usual_value(v: f64, scale: &Decimal, proportion: bool) -> Option<Decimal> {
    let (m, k) = small_from_f64(v)?;
    let within = || m >= 0 && cmp_small(m, k, scale).is_some_and(|o| o.is_le());
    (!proportion || within()).then(|| small_decimal(m, k))
}

/// A proportion's value outside its range, in words.
#[cold]
fn out_of_range(rule: &IndicatorRule, v: Decimal) -> String {
    format!(
        "value {} is outside 0–{} for a proportion{}",
        v.normalize(),
        rule.scale.normalize(),
        rule.unit
            .as_deref()
            .map(|u| format!(" in {u}"))
            .unwrap_or_default()
    )
}

/// [`quantity`] of counts.
fn ratio_quantity(
    rule: &IndicatorRule,
    n: Decimal,
    d: Decimal,
) -> Result<Option<Quantity>, String> {
    if n < Decimal::ZERO || d < Decimal::ZERO {
        return Err(format!(
            "negative count ({}/{})",
            n.normalize(),
            d.normalize()
        ));
    }
    if d.is_zero() {
        if n.is_zero() {
            return Ok(None);
        }
        return Err(format!("denominator is 0 with numerator {}", n.normalize()));
    }
    if rule.proportion && n > d {
        return Err(format!(
            "numerator {} is greater than denominator {} (a proportion)",
            n.normalize(),
            d.normalize()
        ));
    }
    match n.checked_mul(rule.scale) {
        Some(num) => Ok(Some(Quantity::Ratio { num, den: d })),
        None => Err("numbers too large".into()),
    }
}

/// Builds a [`Sheet`], checking each answer against the rulebook.
pub struct SheetBuilder<'r> {
    pub(super) rb: &'r Rulebook,
    pub(super) sheet: Sheet,
    pending: Vec<(u32, u32, Quantity, Option<usize>)>,
    rows: Vec<Option<usize>>,
    errs: Collector,
    /// Period label → index into `sheet.periods`.
    period_index: FxHashMap<String, u32>,
    /// Entries seen (for [`MAX_ENTRIES`]).
    entries: usize,
    /// Position in the rulebook's evidence nodes of the last criterion looked up: rows usually
    /// follow the rulebook's order, so the next id is that one or the one after it.
    guess: usize,
    /// The row layout of the last hospital read from a table (see [`super::layout`]).
    pub(super) layout: Option<super::layout::Layout>,
    /// Hospitals not laid out like the known layout since one was (see [`super::layout`]).
    pub(super) layout_misses: u32,
}

impl<'r> SheetBuilder<'r> {
    /// Start a sheet for a hospital.
    pub fn new(rb: &'r Rulebook, hospital: &str) -> SheetBuilder<'r> {
        let mut b = SheetBuilder {
            rb,
            sheet: Sheet {
                answers: vec![Answer::None; rb.nodes().len()],
                ..Sheet::default()
            },
            pending: Vec::new(),
            rows: Vec::new(),
            errs: Collector::default(),
            period_index: FxHashMap::default(),
            entries: 0,
            guess: 0,
            layout: None,
            layout_misses: 0,
        };
        b.set_hospital(hospital);
        b
    }

    fn set_hospital(&mut self, hospital: &str) {
        self.sheet.hospital.clear();
        if hospital.len() > MAX_ID_LEN {
            self.sheet
                .hospital
                .push_str(&crate::rulebook::load::ellipsize(hospital, 40));
            self.errs.push(
                None,
                None,
                None,
                format!("the hospital id is longer than {MAX_ID_LEN} bytes"),
            );
        } else {
            self.sheet.hospital.push_str(hospital);
        }
    }

    /// Reuse the builder for another hospital (keeps allocations).
    pub fn reset(&mut self, hospital: &str) {
        self.errs = Collector::default();
        self.set_hospital(hospital);
        self.period_index.clear();
        self.entries = 0;
        self.guess = 0;
        self.sheet.answers.clear();
        self.sheet
            .answers
            .resize(self.rb.nodes().len(), Answer::None);
        self.sheet.obs.clear();
        self.sheet.periods.clear();
        self.sheet.skipped.clear();
        self.pending.clear();
        // `rows` is not cleared: a node's row is read only when its answer is set, and setting
        // an answer writes its row.
    }

    fn err(&mut self, at: Loc, criterion: &str, msg: impl Into<String>) {
        self.errs.push(at.row(), at.path(), Some(criterion), msg);
    }

    /// Record a problem not tied to a criterion (e.g. a bad row).
    pub fn problem(&mut self, at: Loc, msg: impl Into<String>) {
        self.errs.push(at.row(), at.path(), None, msg);
    }

    fn node(&mut self, id: &str, at: Loc) -> Option<(u32, NodeKind)> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            if self.entries == MAX_ENTRIES + 1 {
                // First in the list: it explains the rest.
                self.errs.problems.insert(
                    0,
                    super::EvidenceProblem {
                        row: at.row(),
                        path: None,
                        criterion: None,
                        message: format!(
                            "more than {MAX_ENTRIES} evidence entries for one hospital"
                        ),
                    },
                );
                if self.errs.problems.len() > super::MAX_PROBLEMS {
                    self.errs.problems.pop();
                    self.errs.more += 1;
                }
            }
            return None;
        }
        if id.len() > MAX_ID_LEN {
            let short = crate::rulebook::load::ellipsize(id, 40);
            self.errs.push(
                at.row(),
                None,
                Some(&short),
                format!("the criterion id is longer than {MAX_ID_LEN} bytes"),
            );
            return None;
        }
        // Rows usually follow the rulebook's order: try the last criterion and the next one
        // in the flat id list before the hash map.
        let (ev, flat) = (self.rb.evidence_nodes(), self.rb.flat());
        for p in [self.guess, self.guess + 1] {
            if flat.id_is(p, id) {
                if let Some(&i) = ev.get(p) {
                    self.guess = p;
                    return Some((i, flat.kind[i as usize]));
                }
            }
        }
        match self.rb.node_index(id) {
            Some(i) => {
                if let Ok(p) = ev.binary_search(&i) {
                    self.guess = p;
                }
                let kind = self.rb.nodes()[i as usize].kind;
                if kind == NodeKind::Group {
                    self.err(at, id, "is a group of the rulebook, not a criterion: give evidence for its criteria");
                    return None;
                }
                Some((i, kind))
            }
            None => {
                self.err(
                    at,
                    id,
                    format!(
                        "unknown criterion id (not in rulebook {})",
                        self.rb.meta().id
                    ),
                );
                None
            }
        }
    }

    fn set(&mut self, i: u32, id: &str, answer: Answer, at: Loc) {
        if self.rows.len() < self.sheet.answers.len() {
            self.rows.resize(self.sheet.answers.len(), None);
        }
        if self.sheet.answers[i as usize] != Answer::None {
            let msg = match (self.rows[i as usize], at.row()) {
                (Some(a), Some(b)) => format!("given twice (rows {a} and {b})"),
                _ => "given twice".to_string(),
            };
            self.err(at, id, msg);
            return;
        }
        self.sheet.answers[i as usize] = answer;
        self.rows[i as usize] = at.row();
    }

    fn wrong_kind(&mut self, at: Loc, id: &str, kind: NodeKind, given: &str) {
        let want = match kind {
            NodeKind::Gate => "a pass / fail answer",
            NodeKind::Indicator => "a value (or numerator and denominator)",
            NodeKind::Article => "a level A–E",
            NodeKind::Element => "a result met / partial / not_met / na",
            NodeKind::Group => "no evidence",
        };
        self.err(
            at,
            id,
            format!(
                "is {} {}: give {want}, not {given}",
                article(kind.name()),
                kind.name()
            ),
        );
    }

    /// A gate answer.
    pub fn gate(&mut self, id: &str, passed: bool, at: Loc) {
        if let Some((i, kind)) = self.node(id, at) {
            if kind != NodeKind::Gate {
                return self.wrong_kind(at, id, kind, "a gate answer");
            }
            self.set(i, id, Answer::Gate(passed), at);
        }
    }

    /// An article level.
    pub fn article(&mut self, id: &str, level: ArticleLevel, at: Loc) {
        if let Some((i, kind)) = self.node(id, at) {
            if kind != NodeKind::Article {
                return self.wrong_kind(at, id, kind, "an article level");
            }
            self.set(i, id, Answer::Rank(level.rank()), at);
        }
    }

    /// An element result.
    pub fn element(&mut self, id: &str, result: ElementResult, at: Loc) {
        if let Some((i, kind)) = self.node(id, at) {
            if kind != NodeKind::Element {
                return self.wrong_kind(at, id, kind, "an element result");
            }
            self.set(i, id, Answer::Rank(result.rank()), at);
        }
    }

    /// A level written as text (`level` column of a table): a gate answer, an article level or
    /// an element result, depending on the criterion's kind.
    pub fn level_text(&mut self, id: &str, text: &str, at: Loc) {
        let Some((i, kind)) = self.node(id, at) else {
            return;
        };
        if let Some(answer) = level_answer(kind, text) {
            return self.set(i, id, answer, at);
        }
        let msg = match kind {
            NodeKind::Gate => "is not a gate answer: use pass or fail",
            NodeKind::Article => "is not an article level: use A, B, C, D or E",
            NodeKind::Element => "is not an element result: use met, partial, not_met or na",
            _ => return self.wrong_kind(at, id, kind, &format!("the level {text:?}")),
        };
        self.err(at, id, format!("{text:?} {msg}"));
    }

    /// An indicator observation.
    pub fn observation(&mut self, id: &str, period: &str, obs: Observation, at: Loc) {
        let Some((i, kind)) = self.node(id, at) else {
            return;
        };
        if kind != NodeKind::Indicator {
            return self.wrong_kind(at, id, kind, "an indicator value");
        }
        self.observe(i, id, period, obs, at);
    }

    /// An observation of indicator node `i` (looked up and counted already).
    fn observe(&mut self, i: u32, id: &str, period: &str, obs: Observation, at: Loc) {
        let Rule::Indicator(rule) = &self.rb.nodes()[i as usize].rule else {
            return;
        };
        let q = match quantity(rule, obs) {
            Ok(Some(q)) => q,
            Ok(None) => {
                let label = period.to_string();
                self.sheet
                    .skipped
                    .push((i, label, "0/0: no cases in the period".into()));
                return;
            }
            Err(msg) => return self.err(at, id, msg),
        };
        // A hospital has a few periods: look among them before hashing.
        let few = self.sheet.periods.len() <= 8;
        let known = if few {
            self.sheet
                .periods
                .iter()
                .position(|x| super::table::same(x, period))
                .map(|p| p as u32)
        } else {
            self.period_index.get(period).copied()
        };
        let p = match known {
            Some(p) => p,
            None => {
                if period.len() > MAX_ID_LEN {
                    let short = crate::rulebook::load::ellipsize(period, 40);
                    let at = match at {
                        Loc::Key(section, id, Some(_)) => Loc::Key(section, id, Some(&short)),
                        other => other,
                    };
                    return self.err(
                        at,
                        id,
                        format!("the period label is longer than {MAX_ID_LEN} bytes"),
                    );
                }
                if self.sheet.periods.len() >= MAX_PERIODS {
                    return self.err(
                        at,
                        id,
                        format!(
                            "more than {MAX_PERIODS} different periods for one hospital (period {:?})",
                            crate::rulebook::load::ellipsize(period, 40)
                        ),
                    );
                }
                let p = self.sheet.periods.len() as u32;
                self.sheet.periods.push(period.to_string());
                self.period_index.insert(period.to_string(), p);
                p
            }
        };
        self.pending.push((i, p, q, at.row()));
    }

    /// Rows of a table read the quick way, from the first on, as long as they are the usual
    /// kind: a criterion of the rulebook given without spaces around it (looked up in the
    /// index only when it is not the last one or the next); with a level that parses for the criterion's kind and was not given before,
    /// or an indicator's value or counts. Returns how many rows were taken; the first row not
    /// taken is left untouched for the general path (which finds the same answer, or names
    /// the problem). `first_row` is the table row of the first.
    pub(crate) fn quick_rows(&mut self, cols: &QuickRows<'_>, first_row: usize) -> usize {
        let rb: &'r Rulebook = self.rb;
        let (ev, flat) = (rb.evidence_nodes(), rb.flat());
        if self.rows.len() < self.sheet.answers.len() {
            self.rows.resize(self.sheet.answers.len(), None);
        }
        let mut guess = self.guess;
        let mut k = 0;
        while k < cols.criterion.len() {
            let Some(id) = cols.criterion[k] else {
                break;
            };
            let bytes = id.as_bytes();
            match (bytes.first(), bytes.last()) {
                (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => {}
                _ => break,
            }
            if id.len() > MAX_ID_LEN || self.entries >= MAX_ENTRIES {
                break;
            }
            // Rows usually follow the rulebook's order: the last criterion or the next one,
            // else the index (a group's id, or one not in the rulebook, is left to the
            // general path, which names it).
            let p = if flat.id_is(guess, id) {
                guess
            } else if flat.id_is(guess + 1, id) {
                guess + 1
            } else {
                match rb.node_index(id).map(|i| ev.binary_search(&i)) {
                    Some(Ok(p)) => p,
                    _ => break,
                }
            };
            let Some(&i) = ev.get(p) else {
                break;
            };
            let kind = flat.kind[i as usize];
            let (value, numerator, denominator) = (
                cols.value.get(k).copied().flatten(),
                cols.numerator.get(k).copied().flatten(),
                cols.denominator.get(k).copied().flatten(),
            );
            match cols.level.get(k).copied().flatten() {
                Some(text) => {
                    if value.is_some() || numerator.is_some() || denominator.is_some() {
                        break;
                    }
                    let Some(a) = level_answer(kind, text) else {
                        break;
                    };
                    let slot = &mut self.sheet.answers[i as usize];
                    if *slot != Answer::None {
                        break;
                    }
                    *slot = a;
                    self.rows[i as usize] = Some(first_row + k);
                }
                None if kind == NodeKind::Indicator => {
                    let Ok(obs) = observation_from(value, numerator, denominator) else {
                        break;
                    };
                    let period = cols.period.get(k).copied().flatten();
                    let period = period.map(super::table::trim).unwrap_or("");
                    self.observe(i, id, period, obs, Loc::Row(first_row + k));
                }
                None => break,
            }
            self.entries += 1;
            guess = p;
            k += 1;
        }
        self.guess = guess;
        k
    }

    /// An indicator observation from table columns (floats as typed); checks NaN and that a
    /// value or a numerator and denominator is given.
    pub fn observation_f64(
        &mut self,
        id: &str,
        period: &str,
        value: Option<f64>,
        numerator: Option<f64>,
        denominator: Option<f64>,
        at: Loc,
    ) {
        match observation_from(value, numerator, denominator) {
            Ok(obs) => self.observation(id, period, obs, at),
            Err(msg) => self.err(at, id, msg),
        }
    }

    /// Finish: sort observations by period, reject duplicates, and return the sheet or every
    /// problem found.
    pub fn finish(&mut self) -> Result<Sheet, EvidenceError> {
        self.check()?;
        Ok(std::mem::take(&mut self.sheet))
    }

    /// Like [`finish`](Self::finish), but the sheet stays in the builder (its buffers are
    /// reused by the next [`reset`](Self::reset)): for scoring many hospitals.
    pub fn check(&mut self) -> Result<&mut Sheet, EvidenceError> {
        let periods = std::mem::take(&mut self.sheet.periods);
        self.period_index.clear();
        // Order periods by label so that series run oldest to newest.
        let mut order: Vec<u32> = (0..periods.len() as u32).collect();
        order.sort_by(|a, b| natural_cmp(&periods[*a as usize], &periods[*b as usize]));
        let mut rank = vec![0u32; periods.len()];
        for (r, p) in order.iter().enumerate() {
            rank[*p as usize] = r as u32;
        }
        self.sheet.periods = order.iter().map(|&p| periods[p as usize].clone()).collect();
        let mut pending = std::mem::take(&mut self.pending);
        for e in pending.iter_mut() {
            e.1 = rank[e.1 as usize];
        }
        // Rows usually come in rulebook and period order: sorting is then a check.
        if !pending.is_sorted_by_key(|e| (e.0, e.1)) {
            pending.sort_by_key(|e| (e.0, e.1));
        }
        let mut k = 0;
        while k < pending.len() {
            let node = pending[k].0;
            let start = self.sheet.obs.len() as u32;
            let mut j = k;
            while j < pending.len() && pending[j].0 == node {
                if j > k && pending[j].1 == pending[j - 1].1 {
                    let id = self.rb.nodes()[node as usize].id.clone();
                    let label = self.sheet.periods[pending[j].1 as usize].clone();
                    let rows = match (pending[j - 1].3, pending[j].3) {
                        (Some(a), Some(b)) => format!(" (rows {a} and {b})"),
                        _ => String::new(),
                    };
                    self.errs.push(
                        pending[j].3,
                        None,
                        Some(&id),
                        format!("period {label:?} given twice{rows}"),
                    );
                } else {
                    self.sheet.obs.push(Obs {
                        period: pending[j].1,
                        value: pending[j].2,
                    });
                }
                j += 1;
            }
            let len = self.sheet.obs.len() as u32 - start;
            let slot = &mut self.sheet.answers[node as usize];
            *slot = Answer::Series(start, len);
            k = j;
        }
        self.pending = pending;
        self.pending.clear();
        let errs = std::mem::take(&mut self.errs);
        if !errs.is_empty() {
            let h = self.sheet.hospital.clone();
            return Err(errs.into_error((!h.is_empty()).then_some(h.as_str())));
        }
        Ok(&mut self.sheet)
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Order period labels as people read them: digit runs by value, the rest as text, so that
/// `2024-9` comes before `2024-10` and `2024Q2` before `2024Q10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let nx = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let ny = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (dx, dy) = (&x[..nx], &y[..ny]);
                let tx = dx.iter().skip_while(|c| **c == b'0').count();
                let ty = dy.iter().skip_while(|c| **c == b'0').count();
                let ord = tx.cmp(&ty).then_with(|| dx[nx - tx..].cmp(&dy[ny - ty..]));
                if ord != Ordering::Equal {
                    return ord;
                }
                x = &x[nx..];
                y = &y[ny..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

#[cfg(test)]
mod natural_order_tests {
    use super::natural_cmp;
    use std::cmp::Ordering::*;

    #[test]
    fn periods_sort_as_read() {
        assert_eq!(natural_cmp("2024-9", "2024-10"), Less);
        assert_eq!(natural_cmp("2024Q2", "2024Q10"), Less);
        assert_eq!(natural_cmp("2022", "2023"), Less);
        assert_eq!(natural_cmp("2023", "2023"), Equal);
        assert_eq!(natural_cmp("", "2023"), Less);
        assert_eq!(natural_cmp("2024-H1", "2024-H2"), Less);
        assert_eq!(
            natural_cmp("2024-09", "2024-9"),
            natural_cmp("2024-09", "2024-9")
        );
        assert_ne!(natural_cmp("2024-09", "2024-9"), Equal);
    }
}
