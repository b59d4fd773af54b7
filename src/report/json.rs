//! The frozen v1 JSON shape of `classify --format json`:
//! `{"schema_version":1,"servers":[{"server":S,"tools":[{name,class,risk,
//! category,confidence,hints,declared,signals,rationale,evidence}]}]}`.
//!
//! These types are separate from [`Verdict`] on purpose: internal fields
//! (argument facts) can grow without changing what consumers parse.

use serde::Serialize;

use crate::classify::verdict::{Category, Class, Evidence, Hints, Risk, Signal, Verdict};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Document<'a> {
    pub schema_version: u32,
    pub servers: Vec<Server<'a>>,
}

#[derive(Serialize)]
pub struct Server<'a> {
    pub server: &'a str,
    pub tools: Vec<Tool<'a>>,
}

#[derive(Serialize)]
pub struct Tool<'a> {
    pub name: &'a str,
    pub class: Class,
    pub risk: Risk,
    pub category: Category,
    pub confidence: f32,
    pub hints: &'a Hints,
    pub declared: &'a Option<Hints>,
    pub signals: &'a [Signal],
    pub rationale: &'a str,
    pub evidence: &'a [Evidence],
}

impl<'a> From<&'a Verdict> for Tool<'a> {
    fn from(v: &'a Verdict) -> Tool<'a> {
        Tool {
            name: &v.name,
            class: v.class,
            risk: v.risk,
            category: v.category,
            confidence: v.confidence,
            hints: &v.hints,
            declared: &v.declared,
            signals: &v.signals,
            rationale: &v.rationale,
            evidence: &v.evidence,
        }
    }
}

/// Builds the v1 document over `(server, verdicts)` pairs.
pub fn document<'a>(servers: &'a [(String, Vec<Verdict>)]) -> Document<'a> {
    Document {
        schema_version: SCHEMA_VERSION,
        servers: servers
            .iter()
            .map(|(s, vs)| Server {
                server: s,
                tools: vs.iter().map(Tool::from).collect(),
            })
            .collect(),
    }
}

/// Writes the v1 document (compact, one line, newline-terminated).
pub fn write<W: std::io::Write>(
    out: &mut W,
    servers: &[(String, Vec<Verdict>)],
) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &document(servers))?;
    out.write_all(b"\n")
}
