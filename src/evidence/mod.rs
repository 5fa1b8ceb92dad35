//! One hospital's evidence: gate answers, indicator values per period, article levels and
//! element results.
//!
//! [`Evidence`] is what a file or a dict holds, independent of any rulebook. Before scoring it
//! is checked against a compiled rulebook into a [`Sheet`] (unknown ids, wrong kinds, bad
//! numbers and duplicates are errors naming the hospital, the place and the criterion). Tables
//! of many hospitals go straight to sheets ([`table`]).

mod error;
mod layout;
mod load;
mod records;
mod sheet;
pub mod table;

#[cfg(feature = "arrow")]
pub mod arrow;

pub use error::{EvidenceError, EvidenceProblem, MAX_PROBLEMS};
pub use records::Records;
pub use sheet::{Answer, Loc, Obs, Sheet, SheetBuilder};

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Limits on one hospital's evidence (see `docs/reliability.md`).
pub use sheet::{MAX_ENTRIES, MAX_ID_LEN, MAX_PERIODS};

/// An on-site article level. Levels are cumulative: A implies B implies C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ArticleLevel {
    /// 优秀 (excellent).
    A,
    /// 良好 (good).
    B,
    /// 合格 (adequate).
    C,
    /// 不合格 (inadequate).
    D,
    /// 不适用 (not applicable: left out of denominators).
    E,
}

impl ArticleLevel {
    /// Every level, A to E.
    pub const ALL: [ArticleLevel; 5] = [
        ArticleLevel::A,
        ArticleLevel::B,
        ArticleLevel::C,
        ArticleLevel::D,
        ArticleLevel::E,
    ];

    /// The level of each one-letter text, by its byte (`A`–`E` in either case).
    pub(crate) const LETTERS: [Option<ArticleLevel>; 256] = {
        let mut t = [None; 256];
        let levels = ArticleLevel::ALL;
        let mut k = 0;
        while k < levels.len() {
            let upper = b'A' + k as u8;
            t[upper as usize] = Some(levels[k]);
            t[upper.to_ascii_lowercase() as usize] = Some(levels[k]);
            k += 1;
        }
        t
    };

    /// Read a level: `A`–`E` (any case) or 优秀 / 良好 / 合格 / 不合格 / 不适用.
    #[inline]
    pub fn parse(text: &str) -> Option<ArticleLevel> {
        // One letter (nearly every cell of a table) by table, without the Unicode trim or a
        // branch per letter (levels in a table are in no order a predictor could learn).
        match text.as_bytes() {
            [c] => Self::LETTERS[usize::from(*c)],
            _ => ArticleLevel::parse_words(text),
        }
    }

    /// [`ArticleLevel::parse`] beyond one letter.
    #[cold]
    fn parse_words(text: &str) -> Option<ArticleLevel> {
        Some(match text.trim() {
            "A" | "a" | "优秀" => ArticleLevel::A,
            "B" | "b" | "良好" => ArticleLevel::B,
            "C" | "c" | "合格" => ArticleLevel::C,
            "D" | "d" | "不合格" => ArticleLevel::D,
            "E" | "e" | "不适用" | "N/A" | "n/a" | "na" => ArticleLevel::E,
            _ => return None,
        })
    }

    /// Rank: D = 0 … A = 3; `None` for E.
    #[inline]
    pub const fn rank(self) -> Option<u8> {
        // By table, not by branch: levels in a table come in no order a predictor could learn.
        const RANKS: [Option<u8>; 5] = [Some(3), Some(2), Some(1), Some(0), None];
        RANKS[self as usize]
    }

    /// The level of a rank.
    pub fn from_rank(rank: Option<u8>) -> ArticleLevel {
        match rank {
            Some(3) => ArticleLevel::A,
            Some(2) => ArticleLevel::B,
            Some(1) => ArticleLevel::C,
            Some(_) => ArticleLevel::D,
            None => ArticleLevel::E,
        }
    }
}

impl fmt::Display for ArticleLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// A measurable element's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementResult {
    /// Fully met.
    Met,
    /// Partially met.
    Partial,
    /// Not met.
    NotMet,
    /// Not applicable.
    NotApplicable,
}

impl ElementResult {
    /// Read a result: `met` / `fully_met`, `partial` / `partially_met`, `not_met`, `na` /
    /// `not_applicable`, or 达标 / 部分达标 / 不达标 / 不适用.
    pub fn parse(text: &str) -> Option<ElementResult> {
        // The usual spellings first, without the lower-casing copy.
        match text {
            "met" => return Some(ElementResult::Met),
            "partial" => return Some(ElementResult::Partial),
            "not_met" => return Some(ElementResult::NotMet),
            "na" => return Some(ElementResult::NotApplicable),
            _ => {}
        }
        let t = text.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Some(match t.as_str() {
            "met" | "fully_met" | "fully" | "fm" | "达标" | "完全达标" => ElementResult::Met,
            "partial" | "partially_met" | "partially" | "pm" | "部分达标" => {
                ElementResult::Partial
            }
            "not_met" | "notmet" | "nm" | "不达标" => ElementResult::NotMet,
            "na" | "n/a" | "not_applicable" | "不适用" => ElementResult::NotApplicable,
            _ => return None,
        })
    }

    /// Rank: not met = 0, partial = 1, met = 2; `None` when not applicable.
    #[inline]
    pub fn rank(self) -> Option<u8> {
        // By table, not by branch (see `ArticleLevel::rank`).
        const RANKS: [Option<u8>; 4] = [Some(2), Some(1), Some(0), None];
        RANKS[self as usize]
    }

    /// The result of a rank.
    pub fn from_rank(rank: Option<u8>) -> ElementResult {
        match rank {
            Some(2) => ElementResult::Met,
            Some(1) => ElementResult::Partial,
            Some(_) => ElementResult::NotMet,
            None => ElementResult::NotApplicable,
        }
    }

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            ElementResult::Met => "met",
            ElementResult::Partial => "partial",
            ElementResult::NotMet => "not_met",
            ElementResult::NotApplicable => "na",
        }
    }
}

/// Read a gate answer: pass / fail, true / false, yes / no, 通过 / 不通过, 是 / 否.
pub fn parse_gate_answer(text: &str) -> Option<bool> {
    match text {
        "pass" => return Some(true),
        "fail" => return Some(false),
        _ => {}
    }
    match text.trim().to_ascii_lowercase().as_str() {
        "pass" | "passed" | "true" | "yes" | "y" | "met" | "通过" | "是" | "符合" => {
            Some(true)
        }
        "fail" | "failed" | "false" | "no" | "n" | "not_met" | "不通过" | "否" | "不符合" => {
            Some(false)
        }
        _ => None,
    }
}

/// One indicator observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Observation {
    /// A value in the indicator's unit.
    Value(Decimal),
    /// A numerator and denominator; the value is scale × numerator / denominator.
    Ratio {
        /// Numerator.
        numerator: Decimal,
        /// Denominator.
        denominator: Decimal,
    },
}

/// One hospital's evidence, as written in a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Hospital id.
    pub hospital: String,
    /// Hospital name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Gate answers (true = passed).
    pub gates: BTreeMap<String, bool>,
    /// Article levels.
    pub articles: BTreeMap<String, ArticleLevel>,
    /// Element results.
    pub elements: BTreeMap<String, ElementResult>,
    /// Indicator observations by period label (`""` when no period is given).
    pub indicators: BTreeMap<String, BTreeMap<String, Observation>>,
}

impl Evidence {
    /// Empty evidence for a hospital.
    pub fn new(hospital: impl Into<String>) -> Evidence {
        Evidence {
            hospital: hospital.into(),
            ..Evidence::default()
        }
    }

    /// Check the evidence against a rulebook.
    pub fn sheet(&self, rb: &crate::Rulebook) -> Result<Sheet, EvidenceError> {
        let mut b = SheetBuilder::new(rb, &self.hospital);
        self.fill(&mut b);
        b.finish()
    }

    /// Give every answer to a sheet builder (reset for this hospital first).
    pub fn fill(&self, b: &mut SheetBuilder<'_>) {
        b.reset(&self.hospital);
        for (id, pass) in &self.gates {
            b.gate(id, *pass, Loc::Key("gates", id, None));
        }
        for (id, level) in &self.articles {
            b.article(id, *level, Loc::Key("articles", id, None));
        }
        for (id, r) in &self.elements {
            b.element(id, *r, Loc::Key("elements", id, None));
        }
        for (id, series) in &self.indicators {
            for (period, obs) in series {
                b.observation(id, period, *obs, Loc::Key("indicators", id, Some(period)));
            }
        }
    }
}

#[cfg(test)]
mod level_tests {
    use super::ArticleLevel;

    #[test]
    fn levels_read_in_any_case_with_or_without_spaces() {
        for (text, want) in [
            ("A", Some(ArticleLevel::A)),
            ("b", Some(ArticleLevel::B)),
            (" C ", Some(ArticleLevel::C)),
            ("d", Some(ArticleLevel::D)),
            ("E", Some(ArticleLevel::E)),
            ("n/a", Some(ArticleLevel::E)),
            ("合格", Some(ArticleLevel::C)),
            ("F", None),
            ("1", None),
            ("", None),
            ("AA", None),
        ] {
            assert_eq!(ArticleLevel::parse(text), want, "{text:?}");
        }
    }
}
