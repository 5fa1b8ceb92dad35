//! Parsing grade conditions.
//!
//! The language is small and closed: comparisons of measured values with numbers, joined by
//! `and`, `or`, `not` and parentheses. Nothing in it can call code, loop or refer outside the
//! rulebook; its length and nesting are bounded.
//!
//! ```text
//! condition  := or
//! or         := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "not" unary | "(" condition ")" | gate | comparison
//! gate       := "no" "gate" "failed" ["with" OUTCOME] | "passed" "(" ID ")"
//! comparison := value OP value                    OP: >= > <= < == = != ≥ ≤
//! value      := NUMBER ["%" | "‰"] | "$"PARAM | "total"
//!             | ("points" | "rate" | "max_points" | "value") "(" ID ")"
//!             | "share" "(" selector "," level ")" | "count" "(" selector ["," level] ")"
//!             | ("min" | "max" | "mean") "(" ("points" | "rate") "," selector ")"
//! selector   := term+           terms: articles elements indicators gates groups criteria all
//!                               FLAG, not TERM, under ID, children of ID, tier NAME,
//!                               department NAME
//! level      := [">=" | "=="] LEVEL                 LEVEL: A B C D, met partial not_met, full
//! ```
//!
//! Ids with spaces or punctuation are quoted with `'...'` or `"..."`.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::ast::{AggFn, Cond, LevelSpec, Measure, Selector, Span, Term, Value};
use crate::ratio::{parse_decimal, Op};
use crate::rulebook::model::NodeKind;
use std::fmt;

/// Longest condition accepted, in bytes.
pub const MAX_CONDITION_LEN: usize = 4096;
/// Deepest nesting of `not` and parentheses accepted.
pub const MAX_DEPTH: usize = 32;
/// Most comparisons and gate checks in one condition.
pub const MAX_TERMS: usize = 256;

/// A condition that could not be parsed: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// Byte offset in the condition.
    pub offset: usize,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.offset + 1, self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Op(Op),
    Word(String),
    Quoted(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn is_punct(c: char) -> bool {
    matches!(
        c,
        '(' | ')' | ',' | '<' | '>' | '=' | '!' | '≥' | '≤' | '\'' | '"'
    )
}

fn lex(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let single = match c {
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = single {
            it.next();
            out.push(Token {
                tok,
                start: i,
                end: i + 1,
            });
            continue;
        }
        if let Some((op, rest)) = Op::split_prefix(&text[i..]) {
            {
                let len = text.len() - i - rest.len();
                while it.peek().is_some_and(|&(j, _)| j < i + len) {
                    it.next();
                }
                out.push(Token {
                    tok: Tok::Op(op),
                    start: i,
                    end: i + len,
                });
                continue;
            }
        }
        if c == '\'' || c == '"' {
            it.next();
            let mut s = String::new();
            let mut closed = None;
            for (j, ch) in it.by_ref() {
                if ch == c {
                    closed = Some(j);
                    break;
                }
                s.push(ch);
            }
            let Some(j) = closed else {
                return Err(ParseError {
                    offset: i,
                    message: "this quote is never closed".into(),
                });
            };
            out.push(Token {
                tok: Tok::Quoted(s),
                start: i,
                end: j + c.len_utf8(),
            });
            continue;
        }
        if c == '!' {
            return Err(ParseError {
                offset: i,
                message: "'!' is only used in '!='; write 'not' to negate".into(),
            });
        }
        let mut end = i;
        while let Some(&(j, ch)) = it.peek() {
            if ch.is_whitespace() || is_punct(ch) {
                break;
            }
            end = j + ch.len_utf8();
            it.next();
        }
        out.push(Token {
            tok: Tok::Word(text[i..end].to_string()),
            start: i,
            end,
        });
    }
    Ok(out)
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    terms: usize,
}

/// Parse one condition.
///
/// ```
/// use sanjia::condition::parse;
/// assert!(parse("total >= 900 and share(core articles, >= B) >= 70%").is_ok());
/// assert!(parse("total >= ").is_err());
/// ```
pub fn parse(text: &str) -> Result<Cond, ParseError> {
    if text.len() > MAX_CONDITION_LEN {
        return Err(ParseError {
            offset: MAX_CONDITION_LEN,
            message: format!("a condition may be at most {MAX_CONDITION_LEN} bytes long"),
        });
    }
    let toks = lex(text)?;
    if toks.is_empty() {
        return Err(ParseError {
            offset: 0,
            message: "the condition is empty".into(),
        });
    }
    let mut p = Parser {
        text,
        toks,
        pos: 0,
        depth: 0,
        terms: 0,
    };
    let c = p.or()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(p.err_at(t.start, "expected 'and', 'or' or the end of the condition"));
    }
    Ok(c)
}

impl Parser<'_> {
    fn err_at(&self, offset: usize, msg: impl Into<String>) -> ParseError {
        ParseError {
            offset,
            message: msg.into(),
        }
    }

    fn here(&self) -> usize {
        self.toks
            .get(self.pos)
            .map(|t| t.start)
            .unwrap_or(self.text.len())
    }

    fn err(&self, msg: impl Into<String>) -> ParseError {
        let found = match self.toks.get(self.pos) {
            None => "the end of the condition".to_string(),
            Some(t) => format!("{:?}", &self.text[t.start..t.end]),
        };
        self.err_at(self.here(), format!("{}, found {found}", msg.into()))
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    fn peek_word_at(&self, k: usize) -> Option<&str> {
        match self.toks.get(self.pos + k).map(|t| &t.tok) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek_word() == Some(w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), ParseError> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.err(format!("expected '{w}'")))
        }
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected {what}")))
        }
    }

    fn end_of_prev(&self) -> usize {
        self.toks[self.pos - 1].end
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err_at(
                self.here(),
                format!("conditions may nest at most {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn count_term(&mut self) -> Result<(), ParseError> {
        self.terms += 1;
        if self.terms > MAX_TERMS {
            return Err(self.err_at(
                self.here(),
                format!("a condition may have at most {MAX_TERMS} comparisons"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Cond, ParseError> {
        let start = self.here();
        let mut parts = vec![self.and()?];
        while self.eat_word("or") {
            parts.push(self.and()?);
        }
        Ok(match <[Cond; 1]>::try_from(parts) {
            Ok([one]) => one,
            Err(parts) => Cond::Any(parts, (start, self.end_of_prev())),
        })
    }

    fn and(&mut self) -> Result<Cond, ParseError> {
        let start = self.here();
        let mut parts = vec![self.unary()?];
        while self.eat_word("and") {
            parts.push(self.unary()?);
        }
        Ok(match <[Cond; 1]>::try_from(parts) {
            Ok([one]) => one,
            Err(parts) => Cond::All(parts, (start, self.end_of_prev())),
        })
    }

    fn unary(&mut self) -> Result<Cond, ParseError> {
        let start = self.here();
        if self.eat_word("not") {
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Cond::Not(Box::new(inner), (start, self.end_of_prev())));
        }
        if self.peek() == Some(&Tok::Open) {
            self.pos += 1;
            self.enter()?;
            let inner = self.or()?;
            self.depth -= 1;
            self.expect(Tok::Close, "')'")?;
            return Ok(inner);
        }
        if self.peek_word() == Some("no") && self.peek_word_at(1) == Some("gate") {
            self.count_term()?;
            self.pos += 2;
            self.expect_word("failed")?;
            let outcome = if self.eat_word("with") {
                Some(self.ident("an outcome id")?)
            } else {
                None
            };
            return Ok(Cond::NoGateFailed {
                outcome,
                span: (start, self.end_of_prev()),
            });
        }
        if self.peek_word() == Some("passed") {
            self.count_term()?;
            self.pos += 1;
            self.expect(Tok::Open, "'(' after passed")?;
            let id = self.ident("a gate id")?;
            self.expect(Tok::Close, "')'")?;
            return Ok(Cond::GatePassed(id, (start, self.end_of_prev())));
        }
        self.count_term()?;
        let left = self.value()?;
        let op = match self.peek() {
            Some(Tok::Op(op)) => *op,
            _ => return Err(self.err("expected a comparison (>=, >, <=, <, ==, !=)")),
        };
        self.pos += 1;
        let right = self.value()?;
        Ok(Cond::Compare {
            left,
            op,
            right,
            span: (start, self.end_of_prev()),
        })
    }

    fn ident(&mut self, what: &str) -> Result<String, ParseError> {
        match self.peek().cloned() {
            Some(Tok::Word(w)) | Some(Tok::Quoted(w)) if !w.is_empty() => {
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.err(format!("expected {what}"))),
        }
    }

    fn call_id(&mut self, what: &str) -> Result<String, ParseError> {
        self.expect(Tok::Open, "'('")?;
        let id = self.ident(what)?;
        self.expect(Tok::Close, "')'")?;
        Ok(id)
    }

    fn value(&mut self) -> Result<Value, ParseError> {
        let start = self.here();
        let word = match self.peek().cloned() {
            Some(Tok::Word(w)) => w,
            _ => {
                return Err(self
                    .err("expected a number, $parameter, total, or a measure such as share(...)"))
            }
        };
        self.pos += 1;
        let is_call = self.peek() == Some(&Tok::Open);
        match (word.as_str(), is_call) {
            ("total", false) => Ok(Value::Total),
            ("points", true) => Ok(Value::Points(self.call_id("a node id")?)),
            ("rate", true) => Ok(Value::Rate(self.call_id("a node id")?)),
            ("max_points", true) => Ok(Value::MaxPoints(self.call_id("a node id")?)),
            ("value", true) => Ok(Value::IndicatorValue(self.call_id("an indicator id")?)),
            ("share", true) | ("count", true) => {
                self.pos += 1;
                let selector = self.selector()?;
                let level = if self.peek() == Some(&Tok::Comma) {
                    self.pos += 1;
                    Some(self.level()?)
                } else {
                    None
                };
                self.expect(Tok::Close, "')'")?;
                if word == "share" {
                    let level = level.ok_or_else(|| {
                        self.err_at(start, "share(...) needs a level: share(SELECTOR, >= B)")
                    })?;
                    Ok(Value::Share(selector, level))
                } else {
                    Ok(Value::Count(selector, level))
                }
            }
            ("min", true) | ("max", true) | ("mean", true) => {
                self.pos += 1;
                let f = match word.as_str() {
                    "min" => AggFn::Min,
                    "max" => AggFn::Max,
                    _ => AggFn::Mean,
                };
                let m = if self.eat_word("points") {
                    Measure::Points
                } else if self.eat_word("rate") {
                    Measure::Rate
                } else {
                    return Err(
                        self.err(format!("expected points or rate: {word}(rate, SELECTOR)"))
                    );
                };
                self.expect(Tok::Comma, "','")?;
                let selector = self.selector()?;
                self.expect(Tok::Close, "')'")?;
                Ok(Value::Aggregate(f, m, selector))
            }
            (w, true) => Err(self.err_at(
                start,
                format!(
                    "unknown function {w:?}: use points, rate, max_points, value, share, count, \
                     min, max or mean"
                ),
            )),
            (w, false) if w.starts_with('$') => {
                if w.len() == 1 {
                    return Err(self.err_at(start, "'$' must be followed by a parameter name"));
                }
                Ok(Value::Param(w[1..].to_string()))
            }
            (w, false) => {
                let mut text = w.to_string();
                if self.peek_word() == Some("%") || self.peek_word() == Some("‰") {
                    text.push_str(self.peek_word().unwrap_or_default());
                    self.pos += 1;
                }
                parse_decimal(&text).map(Value::Number).map_err(|_| {
                    self.err_at(
                        start,
                        format!(
                            "expected a number, $parameter, total, or a measure such as \
                             share(...), found {w:?}"
                        ),
                    )
                })
            }
        }
    }

    fn selector(&mut self) -> Result<Selector, ParseError> {
        let start = self.here();
        let mut terms = Vec::new();
        while !matches!(self.peek(), Some(Tok::Comma) | Some(Tok::Close) | None) {
            terms.push(self.term()?);
            if terms.len() > 16 {
                return Err(self.err("a selector may have at most 16 terms"));
            }
        }
        if terms.is_empty() {
            return Err(self.err("expected what to select, e.g. 'core articles'"));
        }
        let end = self.end_of_prev();
        Ok(Selector {
            terms,
            text: self.text[start..end].to_string(),
        })
    }

    fn term(&mut self) -> Result<Term, ParseError> {
        let w = self.ident("a selector term")?;
        Ok(match w.as_str() {
            "not" => Term::Not(Box::new(self.term()?)),
            "article" | "articles" => Term::Kind(NodeKind::Article),
            "element" | "elements" => Term::Kind(NodeKind::Element),
            "indicator" | "indicators" => Term::Kind(NodeKind::Indicator),
            "gate" | "gates" => Term::Kind(NodeKind::Gate),
            "group" | "groups" => Term::Kind(NodeKind::Group),
            "criteria" | "criterion" => Term::Criteria,
            "all" | "nodes" => Term::All,
            "under" => Term::Under(self.ident("a node id after 'under'")?),
            "children" => {
                self.expect_word("of")?;
                Term::ChildrenOf(self.ident("a node id after 'children of'")?)
            }
            "tier" => Term::Tier(self.ident("a tier name after 'tier'")?),
            "department" => Term::Department(self.ident("a department after 'department'")?),
            _ => Term::Flag(w),
        })
    }

    fn level(&mut self) -> Result<LevelSpec, ParseError> {
        let exact = match self.peek() {
            Some(Tok::Op(Op::Ge)) => {
                self.pos += 1;
                false
            }
            Some(Tok::Op(Op::Eq)) => {
                self.pos += 1;
                true
            }
            Some(Tok::Op(_)) => {
                return Err(self.err("a level is written A, >= B or == C"));
            }
            _ => false,
        };
        let name = self.ident("a level (A, B, C, D, met, partial, not_met or full)")?;
        Ok(LevelSpec { exact, name })
    }
}

/// The source text of a span.
pub fn span_text(text: &str, span: Span) -> &str {
    text.get(span.0..span.1).unwrap_or(text).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn parses_the_grade_a_rules() {
        let c = parse(
            "share(core articles, >= C) >= 100% and share(articles not core, >= B) >= 60% \
             and share(articles, A) >= 20%",
        )
        .unwrap();
        let Cond::All(parts, _) = c else { panic!() };
        assert_eq!(parts.len(), 3);
        let Cond::Compare {
            left, op, right, ..
        } = &parts[0]
        else {
            panic!()
        };
        assert_eq!(*op, Op::Ge);
        assert_eq!(*right, Value::Number(Decimal::ONE));
        let Value::Share(sel, level) = left else {
            panic!()
        };
        assert_eq!(
            sel.terms,
            vec![Term::Flag("core".into()), Term::Kind(NodeKind::Article)]
        );
        assert_eq!(sel.text, "core articles");
        assert_eq!(
            level,
            &LevelSpec {
                exact: false,
                name: "C".into()
            }
        );
    }

    #[test]
    fn precedence_and_gates() {
        let c =
            parse("no gate failed with defer and (total >= $a or not passed('1.1 x'))").unwrap();
        let Cond::All(parts, _) = c else { panic!() };
        assert!(matches!(&parts[0], Cond::NoGateFailed { outcome: Some(o), .. } if o == "defer"));
        let Cond::Any(alts, _) = &parts[1] else {
            panic!()
        };
        assert!(
            matches!(&alts[1], Cond::Not(inner, _) if matches!(**inner, Cond::GatePassed(ref id, _) if id == "1.1 x"))
        );
    }

    #[test]
    fn aggregates_and_ids() {
        let c = parse("min(points, children of total) >= 8").unwrap();
        let Cond::Compare {
            left: Value::Aggregate(AggFn::Min, Measure::Points, sel),
            ..
        } = c
        else {
            panic!()
        };
        assert_eq!(sel.terms, vec![Term::ChildrenOf("total".into())]);
        let c = parse("rate(1.1.3) ≥ 70 %").unwrap();
        let Cond::Compare { left, right, .. } = c else {
            panic!()
        };
        assert_eq!(left, Value::Rate("1.1.3".into()));
        assert_eq!(right, Value::Number(Decimal::new(7, 1)));
    }

    #[test]
    fn errors_point_at_the_place() {
        let e = parse("total >= ").unwrap_err();
        assert_eq!(e.offset, 9);
        assert!(e.message.contains("expected a number"), "{e}");
        let e = parse("total >= 900 total").unwrap_err();
        assert!(e.message.contains("'and', 'or'"), "{e}");
        let e = parse("share(core articles) >= 1").unwrap_err();
        assert!(e.message.contains("needs a level"), "{e}");
        let e = parse("foo(x) > 1").unwrap_err();
        assert!(e.message.contains("unknown function"), "{e}");
        assert!(parse("'abc").is_err());
        assert!(parse("").is_err());
        assert!(parse("total ! 3").is_err());
    }

    #[test]
    fn bounded() {
        let deep = format!("{}total > 1{}", "(".repeat(40), ")".repeat(40));
        assert!(parse(&deep).unwrap_err().message.contains("nest"));
        let nots = format!("{}total > 1", "not ".repeat(40));
        assert!(parse(&nots).unwrap_err().message.contains("nest"));
        let long = vec!["total > 1"; 600].join(" and ");
        assert!(parse(&long).is_err());
        let many = vec!["total>1"; 300].join(" or ");
        assert!(parse(&many).unwrap_err().message.contains("at most"));
    }
}
