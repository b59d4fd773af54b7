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

impl Tool<'_> {
    /// Appends the tool's JSON to `out`: the bytes `serde_json::to_writer`
    /// writes for it (the tests check it), without serde's serializer. The
    /// streamed `classify --format json` writes one per tool, and going
    /// through serde cost about a tenth of classifying it: every string was
    /// escaped byte by byte, though tool texts almost never need escaping.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"name\":");
        write_str(out, self.name);
        out.extend_from_slice(b",\"class\":\"");
        out.extend_from_slice(self.class.as_str().as_bytes());
        out.extend_from_slice(b"\",\"risk\":\"");
        out.extend_from_slice(self.risk.as_str().as_bytes());
        out.extend_from_slice(b"\",\"category\":\"");
        out.extend_from_slice(self.category.as_str().as_bytes());
        out.extend_from_slice(b"\",\"confidence\":");
        // Writing to a Vec cannot fail; serde_json writes a float (or, not
        // finite, `null`) as it always has.
        let _ = serde_json::to_writer(&mut *out, &self.confidence);
        out.extend_from_slice(b",\"hints\":");
        write_hints(out, self.hints);
        out.extend_from_slice(b",\"declared\":");
        match self.declared {
            Some(h) => write_hints(out, h),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"signals\":[");
        for (k, s) in self.signals.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(s.as_str().as_bytes());
            out.push(b'"');
        }
        out.extend_from_slice(b"],\"rationale\":");
        write_str(out, self.rationale);
        out.extend_from_slice(b",\"evidence\":[");
        for (k, e) in self.evidence.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"rule\":");
            write_str(out, &e.rule);
            out.extend_from_slice(b",\"field\":");
            write_str(out, &e.field);
            out.extend_from_slice(b",\"text\":");
            write_str(out, &e.text);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
    }
}

/// [`Hints`] as serde writes them: the hints that are there, in order.
fn write_hints(out: &mut Vec<u8>, h: &Hints) {
    out.push(b'{');
    let mut first = true;
    for (key, v) in [
        ("readOnlyHint", h.read_only),
        ("destructiveHint", h.destructive),
        ("idempotentHint", h.idempotent),
        ("openWorldHint", h.open_world),
    ] {
        if let Some(v) = v {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(if v { b"\":true" } else { b"\":false" });
        }
    }
    out.push(b'}');
}

/// Whether serde_json escapes the byte: `"`, `\` and the controls below
/// 0x20 (nothing else, not DEL, not non-ASCII).
fn escaped(c: u8) -> bool {
    c < 0x20 || c == b'"' || c == b'\\'
}

/// `s` as a JSON string, escaped as serde_json escapes it (`\"`, `\\`,
/// `\b \t \n \f \r`, other controls as `\u00xx`, lowercase).
fn write_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.push(b'"');
    // One pass without an early exit (which the compiler vectorises) says
    // whether any byte needs escaping; almost no text does, and is copied
    // whole.
    if !b.iter().fold(false, |any, &c| any | escaped(c)) {
        out.extend_from_slice(b);
    } else {
        let mut run = 0;
        for (k, &c) in b.iter().enumerate() {
            if !escaped(c) {
                continue;
            }
            out.extend_from_slice(&b[run..k]);
            run = k + 1;
            match c {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0x08 => out.extend_from_slice(b"\\b"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\n' => out.extend_from_slice(b"\\n"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'\r' => out.extend_from_slice(b"\\r"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(c >> 4) as usize]);
                    out.push(HEX[(c & 0xf) as usize]);
                }
            }
        }
        out.extend_from_slice(&b[run..]);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::verdict::{Category, Class, Evidence, Hints, Risk, Signal, Verdict};

    fn all_signals() -> Vec<Signal> {
        vec![
            Signal::IrreversibleLoss,
            Signal::BulkScope,
            Signal::Credentials,
            Signal::CodeExecution,
            Signal::Money,
            Signal::ExternalMessage,
            Signal::ProductionInfra,
            Signal::OpenWorld,
            Signal::SuspiciousDescription,
            Signal::EmptyDescription,
            Signal::AnnotationMismatch,
        ]
    }

    /// The hand-written writer gives serde_json's bytes for every class,
    /// risk, category, signal, hint combination, confidence and string
    /// (every control byte, quotes, backslashes, non-ASCII, DEL).
    #[test]
    fn write_to_gives_serde_json_bytes() {
        let mut texts: Vec<String> = (0u8..0x20).map(|c| format!("a{}b", c as char)).collect();
        texts.extend(
            [
                "",
                "plain",
                "q\"uo\"te",
                "back\\slash\\",
                "\u{7f} del",
                "caf\u{e9} \u{2014} \u{1F600}",
                "\u{2028}\u{2029}",
                "/slash/",
                "\"",
                "\\",
                "\n",
                "long text with no escapes at all, long enough for whole words of it",
            ]
            .map(str::to_owned),
        );
        let hints: Vec<Hints> = (0..81)
            .map(|k: u32| {
                let h = |d: u32| match (k / 3u32.pow(d)) % 3 {
                    0 => None,
                    1 => Some(false),
                    _ => Some(true),
                };
                Hints {
                    read_only: h(0),
                    destructive: h(1),
                    idempotent: h(2),
                    open_world: h(3),
                }
            })
            .collect();
        let classes = [Class::Read, Class::Write, Class::Destructive];
        let risks = [Risk::Low, Risk::Medium, Risk::High, Risk::Critical];
        let categories = [
            Category::Read,
            Category::Write,
            Category::Execute,
            Category::Destructive,
            Category::Financial,
        ];
        let confidences = [0.0f32, 0.9, 0.85, 1.0, 0.333_333_34, 1e-7, f32::NAN];
        let mut n = 0;
        for (k, text) in texts.iter().enumerate() {
            let mut v = Verdict::manual(text, classes[k % 3], risks[k % 4], categories[k % 5], &[]);
            v.confidence = confidences[k % confidences.len()];
            v.hints = hints[k % hints.len()].clone();
            v.declared = (k % 2 == 0).then(|| hints[(k * 7) % hints.len()].clone());
            v.signals = all_signals()[..k % 12].to_vec();
            v.rationale = format!("{text} rationale {text}");
            v.evidence = (0..k % 3)
                .map(|j| Evidence {
                    rule: format!("rule-{j}"),
                    field: format!("inputSchema.properties.{text}"),
                    text: texts[(k + j) % texts.len()].clone(),
                })
                .collect();
            for h in &hints {
                v.hints = h.clone();
                let t = Tool::from(&v);
                let mut fast = Vec::new();
                t.write_to(&mut fast);
                let want = serde_json::to_vec(&t).unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(&want)
                );
                n += 1;
            }
        }
        assert!(n > 1000);
    }
}
