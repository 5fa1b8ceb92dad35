//! The report as JSON.

use super::Report;
use serde_json::{json, Value};

/// The version of sanjia that produced a report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

impl Report {
    /// The whole report as a JSON value (decimals as strings, so nothing is rounded twice).
    pub fn to_json(&self) -> Value {
        let rb = self.rulebook();
        let meta = rb.meta();
        let d = self.decision();
        let grades: Vec<Value> = d
            .grades
            .iter()
            .map(|g| {
                let spec = &rb.grades()[g.grade];
                json!({
                    "grade": spec.id,
                    "title": spec.title,
                    "held": g.held,
                    "conditions": g.conditions,
                })
            })
            .collect();
        json!({
            "sanjia_version": VERSION,
            "rulebook": {
                "id": meta.id,
                "title": meta.title,
                "edition": meta.edition,
                "version": meta.version,
                "jurisdiction": meta.jurisdiction,
                "file": rb.file(),
            },
            "audit": self.audit(),
            "hospital": self.hospital(),
            "grade": self.grade(),
            "earned_grade": self.earned_grade(),
            "status": self.status(),
            "total": self.total().map(|t| t.normalize().to_string()),
            "max_total": self.max_total().normalize().to_string(),
            "withheld_by": d.withheld_by.map(|o| rb.outcomes()[o as usize].id.clone()),
            "lowered_by": d.lowered_by.map(|(o, s)| json!({"outcome": rb.outcomes()[o as usize].id, "steps": s})),
            "gates": self.gates(),
            "decision": grades,
            "deductions": self.deductions(),
            "missing": self.missing(),
            "nodes": self.nodes(),
        })
    }
}
