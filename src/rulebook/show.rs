//! A rulebook's tree as text (`sanjia show`).

use super::compile::{CompiledRulebook, Rule};
use super::model::Method;
use std::fmt::Write;

impl CompiledRulebook {
    /// The tree as indented text: ids, titles, weights, points and scoring rules.
    pub fn tree_text(&self) -> String {
        let meta = self.meta();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} — {}{}{}",
            meta.id,
            meta.title,
            meta.edition
                .as_deref()
                .map(|e| format!(", edition {e}"))
                .unwrap_or_default(),
            meta.jurisdiction
                .as_deref()
                .map(|j| format!(", {j}"))
                .unwrap_or_default()
        );
        for s in &meta.sources {
            let _ = writeln!(
                out,
                "  source: {}{}",
                s.title,
                s.url
                    .as_deref()
                    .map(|u| format!(" <{u}>"))
                    .unwrap_or_default()
            );
        }
        for (k, n) in self.nodes().iter().enumerate() {
            let pad = "  ".repeat(n.depth as usize);
            let flags = self.node_flags(k as u32);
            let mut info = Vec::new();
            if let Some(w) = n.weight {
                info.push(format!("weight {}", w.normalize()));
            }
            match &n.rule {
                Rule::Group {
                    aggregate,
                    max_points,
                } => {
                    info.push(format!("{aggregate:?}").to_lowercase());
                    if let Some(m) = max_points {
                        info.push(format!("scaled to {}", m.normalize()));
                    }
                }
                Rule::Gate { outcome } => info.push(format!(
                    "gate, fails → {}",
                    self.outcomes()[*outcome as usize].id
                )),
                Rule::Article { points } => info.push(format!(
                    "article A/B/C/D = {}/{}/{}/{}",
                    points[3].normalize(),
                    points[2].normalize(),
                    points[1].normalize(),
                    points[0].normalize()
                )),
                Rule::Element { points } => info.push(format!(
                    "element {}/{}/{}",
                    points[2].normalize(),
                    points[1].normalize(),
                    points[0].normalize()
                )),
                Rule::Indicator(r) => {
                    let how = match r.method {
                        Method::Threshold => format!(
                            "threshold {}",
                            r.target.as_ref().map(|t| t.text.as_str()).unwrap_or("")
                        ),
                        Method::Bands => format!(
                            "bands {}",
                            r.bands
                                .iter()
                                .map(|(i, p)| format!("[{} → {}]", i.text, p.normalize()))
                                .collect::<Vec<_>>()
                                .join(" ")
                        ),
                        Method::Trend => format!(
                            "trend over {} periods",
                            r.trend.as_ref().map(|t| t.periods).unwrap_or(0)
                        ),
                        Method::Monitor => "monitored".into(),
                    };
                    info.push(format!(
                        "indicator{} {how}, {} pts",
                        r.unit
                            .as_deref()
                            .filter(|u| !u.is_empty())
                            .map(|u| format!(" ({u})"))
                            .unwrap_or_default(),
                        r.max_points.normalize()
                    ));
                }
            }
            if !flags.is_empty() {
                info.push(flags.join(","));
            }
            if let Some(d) = &n.department {
                if n.parent
                    .is_none_or(|p| self.nodes()[p as usize].department.as_ref() != Some(d))
                {
                    info.push(d.clone());
                }
            }
            let _ = writeln!(out, "{pad}{} {} [{}]", n.id, n.title, info.join("; "));
        }
        let _ = writeln!(out, "grades (best first):");
        for g in self.grades() {
            let spec = self.source().grades.iter().find(|s| s.id == g.id);
            let _ = writeln!(
                out,
                "  {}{}",
                g.id,
                g.title
                    .as_deref()
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default()
            );
            for w in spec.map(|s| s.when.as_slice()).unwrap_or_default() {
                let _ = writeln!(out, "    - {w}");
            }
        }
        if !self.params().is_empty() {
            let _ = writeln!(out, "params:");
            for (k, v) in self.params() {
                let _ = writeln!(out, "  ${k} = {}", v.normalize());
            }
        }
        out
    }
}
