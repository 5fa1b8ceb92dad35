//! A hospital's row layout: which criterion, and which period, each row of its part of a long
//! table holds. Exports write every hospital the same way (the same criteria in the same order,
//! the same periods), so the layout is learned from one hospital, checked once (criteria known,
//! nothing given twice, within the limits), and recognised in the next hospitals by comparing
//! their `criterion_id` and `period` cells with it as a whole (for Arrow strings: the offsets
//! and the bytes). A hospital laid out the same way is then read without looking anything up:
//! each row's level or value goes straight to its place in the sheet.
//!
//! Only the usual hospital is read this way: one run of rows, every cell as expected. Anything
//! else (a level that does not parse, a value out of range, `0/0`, a row the layout does not
//! have) sends the hospital to the row-by-row reading ([`SheetBuilder`]'s general path), which
//! gives the same sheet or names the problems. The sheet is the same either way (tested).

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::sheet::{
    level_answer, natural_cmp, observation_from, quantity, usual_value, MAX_ENTRIES,
};
use super::table::{texts_into, trim, F64Cells, LongTable, NumberColumn, Run, TextRun};
use super::{
    Answer, ArticleLevel, EvidenceError, Obs, Sheet, SheetBuilder, MAX_ID_LEN, MAX_PERIODS,
};
use crate::ratio::Quantity;
use crate::rulebook::compile::Rule;
use crate::rulebook::model::NodeKind;
use crate::Rulebook;
use rust_decimal::Decimal;
use std::ops::Range;

/// The answer of an article's one-letter level, by its byte (what [`level_answer`] gives).
const ARTICLE_ANSWERS: [Option<Answer>; 256] = {
    let mut t = [None; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(level) = ArticleLevel::LETTERS[b] {
            t[b] = Some(Answer::Rank(level.rank()));
        }
        b += 1;
    }
    t
};

/// What one row of the layout holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// A gate answer, article level or element result for this node.
    Level { node: u32, kind: NodeKind },
    /// An observation of indicator `node`, at `sheet.obs[obs]`.
    Obs { node: u32, obs: u32 },
}

/// The layout of one hospital's rows (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    criterion: TextRun,
    /// The `period` cells, when the table has the column.
    period: Option<TextRun>,
    slots: Vec<Slot>,
    /// The sheet's answers before any level is read: each indicator's series, the rest none.
    answers: Vec<Answer>,
    /// Per observation: its period (index into `periods`).
    obs_periods: Vec<u32>,
    /// Per observation: its indicator's scale and whether it is a proportion (what reading
    /// a value needs of the rule).
    obs_rules: Vec<(Decimal, bool)>,
    /// The period labels, in order.
    periods: Vec<String>,
}

impl Layout {
    /// Learn the layout of `rows` of a table: `None` when the rows are not the usual kind
    /// (an unknown criterion, one given twice, beyond the limits), which the row-by-row
    /// reading names.
    fn learn(rb: &Rulebook, table: &LongTable<'_>, rows: Range<usize>) -> Option<Layout> {
        if rows.len() > MAX_ENTRIES {
            return None;
        }
        let nodes = rb.nodes();
        let flat = rb.flat();
        let mut slots = Vec::with_capacity(rows.len());
        let mut seen = vec![false; nodes.len()];
        let mut labels: Vec<&str> = Vec::new();
        // (node, period, slot) of each observation.
        let mut obs: Vec<(u32, u32, usize)> = Vec::new();
        for r in rows.clone() {
            let id = trim(table.criterion.text(r)?);
            if id.is_empty() || id.len() > MAX_ID_LEN {
                return None;
            }
            let node = rb.node_index(id)?;
            let kind = *flat.kind.get(node as usize)?;
            match kind {
                NodeKind::Group => return None,
                NodeKind::Indicator => {
                    let label = table.period.and_then(|c| c.text(r)).map_or("", trim);
                    let p = match labels.iter().position(|l| *l == label) {
                        Some(p) => p,
                        None if label.len() > MAX_ID_LEN || labels.len() >= MAX_PERIODS => {
                            return None
                        }
                        None => {
                            labels.push(label);
                            labels.len() - 1
                        }
                    };
                    obs.push((node, p as u32, slots.len()));
                    slots.push(Slot::Obs { node, obs: 0 });
                }
                _ => {
                    if std::mem::replace(&mut seen[node as usize], true) {
                        return None;
                    }
                    slots.push(Slot::Level { node, kind });
                }
            }
        }
        // Periods in order, observations by node then period (as the row-by-row reading
        // leaves them), each period of a node once.
        let mut order: Vec<u32> = (0..labels.len() as u32).collect();
        order.sort_by(|a, b| natural_cmp(labels[*a as usize], labels[*b as usize]));
        let mut rank = vec![0u32; labels.len()];
        for (k, &p) in order.iter().enumerate() {
            rank[p as usize] = k as u32;
        }
        for o in obs.iter_mut() {
            o.1 = rank[o.1 as usize];
        }
        obs.sort_unstable_by_key(|o| (o.0, o.1));
        if obs.windows(2).any(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1)) {
            return None;
        }
        let mut answers = vec![Answer::None; nodes.len()];
        let mut k = 0;
        while k < obs.len() {
            let node = obs[k].0;
            let len = obs[k..].iter().take_while(|o| o.0 == node).count();
            answers[node as usize] = Answer::Series(k as u32, len as u32);
            k += len;
        }
        for (j, &(node, _, slot)) in obs.iter().enumerate() {
            slots[slot] = Slot::Obs {
                node,
                obs: j as u32,
            };
        }
        Some(Layout {
            criterion: TextRun::of(table.criterion, rows.clone())?,
            period: match table.period {
                Some(c) => Some(TextRun::of(c, rows)?),
                None => None,
            },
            slots,
            answers,
            obs_periods: obs.iter().map(|o| o.1).collect(),
            obs_rules: obs
                .iter()
                .map(|o| match &nodes[o.0 as usize].rule {
                    Rule::Indicator(r) => Some((r.scale, r.proportion)),
                    _ => None,
                })
                .collect::<Option<_>>()?,
            periods: order
                .iter()
                .map(|&p| labels[p as usize].to_string())
                .collect(),
        })
    }

    /// Whether `rows` of a table are laid out like this.
    fn matches(&self, table: &LongTable<'_>, rows: &Range<usize>) -> bool {
        rows.len() == self.slots.len()
            && table.criterion.same_texts(rows.start, &self.criterion)
            && match (table.period, &self.period) {
                (Some(c), Some(run)) => c.same_texts(rows.start, run),
                (None, None) => true,
                _ => false,
            }
    }

    /// Read `rows` (laid out like this) into `sheet`; `false` when a cell is not the usual
    /// kind (the sheet is then left half-written, for the row-by-row reading to redo).
    fn fill(
        &self,
        rb: &Rulebook,
        table: &LongTable<'_>,
        rows: Range<usize>,
        sheet: &mut Sheet,
    ) -> bool {
        sheet.answers.clear();
        sheet.answers.extend_from_slice(&self.answers);
        sheet.obs.clear();
        sheet.obs.extend(self.obs_periods.iter().map(|&period| Obs {
            period,
            value: Quantity::Decimal(Decimal::ZERO),
        }));
        sheet.periods.clone_from(&self.periods);
        sheet.skipped.clear();
        // The cells in place when every column keeps them so (Arrow `Utf8` and `Float64`),
        // else a piece of rows at a time.
        fn number<'c>(c: Option<&'c dyn NumberColumn>) -> Option<Option<F64Cells<'c>>> {
            match c {
                None => Some(None),
                Some(c) => c.f64_cells().map(Some),
            }
        }
        let level = match table.level {
            None => Some(None),
            Some(c) => c.utf8_cells().map(Some),
        };
        let numbers = [table.value, table.numerator, table.denominator].map(number);
        match (level, numbers) {
            (Some(level), [Some(v), Some(n), Some(d)]) => {
                let slots = self.slots.iter().zip(rows.clone());
                // Numbers read at rows other than articles' one-letter levels, per column.
                let mut read = [0usize; 3];
                for (&slot, r) in slots {
                    // An article's one-letter level (nearly every row), by table; its number
                    // cells are not looked at here, but counted at the end.
                    if let Slot::Level {
                        node,
                        kind: NodeKind::Article,
                    } = slot
                    {
                        let answer = match level.and_then(|c| c.byte(r)) {
                            Some(b) => ARTICLE_ANSWERS[usize::from(b)],
                            None => None,
                        };
                        if let (Some(a), Some(to)) = (answer, sheet.answers.get_mut(node as usize))
                        {
                            *to = a;
                            continue;
                        }
                    }
                    let Ok(text) = level.map_or(Ok(None), |c| c.text(r)) else {
                        return false;
                    };
                    let cells = [
                        v.and_then(|c| c.number(r)),
                        n.and_then(|c| c.number(r)),
                        d.and_then(|c| c.number(r)),
                    ];
                    for (k, cell) in read.iter_mut().zip(&cells) {
                        *k += usize::from(cell.is_some());
                    }
                    if !self.take(rb, slot, text, cells, sheet) {
                        return false;
                    }
                }
                // No article's level row has a number (that is the row-by-row reading's error
                // to name): each column's numbers in these rows were all read above.
                [v, n, d]
                    .iter()
                    .zip(read)
                    .all(|(c, k)| c.is_none_or(|c| c.count(rows.clone()) == k))
            }
            _ => self.fill_by_pieces(rb, table, rows, sheet),
        }
    }

    /// [`Layout::fill`] reading the cells a piece of rows at a time.
    fn fill_by_pieces(
        &self,
        rb: &Rulebook,
        table: &LongTable<'_>,
        rows: Range<usize>,
        sheet: &mut Sheet,
    ) -> bool {
        const PIECE: usize = 512;
        let mut levels: Vec<Option<&str>> = Vec::with_capacity(PIECE);
        let mut numbers: [Vec<Option<f64>>; 3] = Default::default();
        let mut a = rows.start;
        while a < rows.end {
            let z = rows.end.min(a + PIECE);
            texts_into(table.level, a..z, &mut levels);
            table.numbers_into(a..z, &mut numbers);
            let [value, numerator, denominator] = &numbers;
            let slots = &self.slots[a - rows.start..z - rows.start];
            for (k, &slot) in slots.iter().enumerate() {
                let cells = [value[k], numerator[k], denominator[k]];
                if !self.take(rb, slot, levels[k], cells, sheet) {
                    return false;
                }
            }
            a = z;
        }
        true
    }

    /// Put one row's cells (its level, and value, numerator and denominator) in its place in
    /// the sheet; `false` when they are not the usual kind.
    #[inline(always)]
    fn take(
        &self,
        rb: &Rulebook,
        slot: Slot,
        level: Option<&str>,
        [v, n, d]: [Option<f64>; 3],
        sheet: &mut Sheet,
    ) -> bool {
        let level = level.map(trim).filter(|l| !l.is_empty());
        match slot {
            Slot::Level { node, kind } => {
                let answer = match level {
                    Some(text) if v.is_none() && n.is_none() && d.is_none() => {
                        level_answer(kind, text)
                    }
                    _ => None,
                };
                match (answer, sheet.answers.get_mut(node as usize)) {
                    (Some(answer), Some(to)) => *to = answer,
                    _ => return false,
                }
            }
            Slot::Obs { node, obs } => {
                if level.is_some() {
                    return false;
                }
                let Some(&(scale, proportion)) = self.obs_rules.get(obs as usize) else {
                    return false;
                };
                // The usual value, stored once.
                if let (Some(v), None, None) = (v, n, d) {
                    if let Some(value) = usual_value(v, &scale, proportion) {
                        return match sheet.obs.get_mut(obs as usize) {
                            Some(to) => {
                                to.value = Quantity::Decimal(value);
                                true
                            }
                            None => false,
                        };
                    }
                }
                // Counts and anything else through the rule.
                let rule = rb.nodes().get(node as usize).map(|n| &n.rule);
                let q = match (observation_from(v, n, d), rule) {
                    (Ok(o), Some(Rule::Indicator(rule))) => match quantity(rule, o) {
                        Ok(Some(q)) => q,
                        _ => return false,
                    },
                    _ => return false,
                };
                match sheet.obs.get_mut(obs as usize) {
                    Some(to) => to.value = q,
                    None => return false,
                }
            }
        }
        true
    }
}

impl SheetBuilder<'_> {
    /// One hospital's rows of a table (`runs` of its rows), checked into its sheet: read by the
    /// layout of an earlier hospital when they are laid out the same way and every cell is
    /// the usual kind, else row by row. The sheet is the same either way; it stays in the
    /// builder, whose buffers the next hospital reuses.
    pub fn table_rows(
        &mut self,
        tables: &[LongTable<'_>],
        hospital: &str,
        runs: &[Run],
    ) -> Result<&mut Sheet, EvidenceError> {
        if let ([(t, a, z)], true) = (runs, hospital.len() <= MAX_ID_LEN) {
            if let Some(table) = tables.get(*t as usize) {
                if self.read_laid_out(table, *a as usize..*z as usize) {
                    self.sheet.hospital.clear();
                    self.sheet.hospital.push_str(hospital);
                    return Ok(&mut self.sheet);
                }
            }
        }
        self.reset(hospital);
        super::table::add_runs(tables, self, runs);
        self.check()
    }

    /// Read `rows` by the known layout, or by one learned from them; `false` when neither
    /// fits (the caller reads them row by row).
    fn read_laid_out(&mut self, table: &LongTable<'_>, rows: Range<usize>) -> bool {
        let known = self
            .layout
            .as_ref()
            .is_some_and(|l| l.matches(table, &rows));
        if !known {
            // Learning costs about one row-by-row reading: when hospital after hospital is
            // laid out differently, learn only now and then (after 1, 2, 4, 8, ... misses).
            self.layout_misses = self.layout_misses.saturating_add(1);
            if !self.layout_misses.is_power_of_two() {
                return false;
            }
            match Layout::learn(self.rb, table, rows.clone()) {
                Some(l) => self.layout = Some(l),
                None => return false,
            }
        }
        let Some(layout) = &self.layout else {
            return false;
        };
        let ok = layout.fill(self.rb, table, rows, &mut self.sheet);
        if ok {
            self.layout_misses = 0;
        }
        ok
    }
}
