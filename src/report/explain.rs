//! The report as readable text.

use super::Report;
use crate::condition::Trace;
use rust_decimal::Decimal;
use std::fmt::Write;

/// How many deductions `explain` lists.
const TOP_DEDUCTIONS: usize = 15;

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

fn pct(p: Decimal, m: Decimal) -> String {
    if m.is_zero() {
        return String::new();
    }
    format!(
        " ({}%)",
        (p * Decimal::ONE_HUNDRED / m).round_dp(2).normalize()
    )
}

fn trace_lines(out: &mut String, t: &Trace, indent: usize) {
    let mark = if t.held { "✓" } else { "✗" };
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}{mark} {}", t.condition);
    if t.parts.is_empty() {
        let _ = writeln!(out, "{pad}    {}", t.detail);
    } else {
        for p in &t.parts {
            trace_lines(out, p, indent + 2);
        }
    }
}

impl Report {
    /// The report as readable text: grade, parts, decision trace, deductions, missing evidence.
    pub fn explain(&self) -> String {
        let rb = self.rulebook();
        let meta = rb.meta();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Hospital {} — rulebook {}{} ({})",
            self.hospital(),
            meta.id,
            meta.edition
                .as_deref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default(),
            meta.title
        );
        let _ = writeln!(out, "Result: {}", self.status());
        match self.total() {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "Total: {} of {}{}",
                    dec(t),
                    dec(self.max_total()),
                    pct(t, self.max_total())
                );
            }
            None => {
                let _ = writeln!(out, "Total: not applicable");
            }
        }

        let _ = writeln!(out, "\nParts:");
        let card = self.scorecard();
        for &c in &rb.nodes()[0].children {
            let n = &rb.nodes()[c as usize];
            let line = match card.points[c as usize] {
                Some(p) => format!(
                    "{} of {}{}",
                    dec(p),
                    dec(card.max[c as usize]),
                    pct(p, card.max[c as usize])
                ),
                None if !n.scored => "not scored (gates or monitored indicators only)".into(),
                None => "not applicable".into(),
            };
            let _ = writeln!(out, "  {} {}: {line}", n.id, n.title);
        }

        let gates = self.gates();
        if !gates.is_empty() {
            let failed: Vec<_> = gates.iter().filter(|g| g.result != "pass").collect();
            let _ = writeln!(
                out,
                "\nGates: {} of {} passed",
                gates.len() - failed.len(),
                gates.len()
            );
            for g in failed {
                let _ = writeln!(
                    out,
                    "  ✗ {} {}: {}{}",
                    g.id,
                    g.title,
                    g.result,
                    g.outcome_title
                        .as_deref()
                        .map(|o| format!(" → {o}"))
                        .unwrap_or_default()
                );
            }
        }

        let _ = writeln!(out, "\nDecision:");
        let d = self.decision();
        for gt in &d.grades {
            let g = &rb.grades()[gt.grade];
            let verdict = if gt.held {
                "all conditions hold"
            } else {
                "not met"
            };
            let _ = writeln!(
                out,
                "  {}{}: {verdict}",
                g.id,
                g.title
                    .as_deref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default()
            );
            for t in &gt.conditions {
                trace_lines(&mut out, t, 4);
            }
        }

        let ded = self.deductions();
        if !ded.is_empty() {
            let _ = writeln!(
                out,
                "\nDeductions ({} criteria; largest loss in the total first):",
                ded.len()
            );
            for x in ded.iter().take(TOP_DEDUCTIONS) {
                let _ = writeln!(
                    out,
                    "  -{} {} {}{}: {}",
                    dec(x.lost_in_total),
                    x.id,
                    x.title,
                    x.department
                        .as_deref()
                        .map(|d| format!(" [{d}]"))
                        .unwrap_or_default(),
                    x.reason
                );
            }
            if ded.len() > TOP_DEDUCTIONS {
                let _ = writeln!(out, "  ... and {} more", ded.len() - TOP_DEDUCTIONS);
            }
        }

        let missing = self.missing();
        if !missing.is_empty() {
            let _ = writeln!(out, "\nMissing evidence ({}):", missing.len());
            for m in &missing {
                let _ = writeln!(
                    out,
                    "  {} {}: {} — counted as {}",
                    m.id, m.title, m.detail, m.counted_as
                );
            }
        }
        let _ = writeln!(out, "\n{}", self.audit().footer());
        out
    }
}
