//! `mcp-risk rules list|explain`: show the rule catalogue.

use std::fmt::Write as _;
use std::process::ExitCode;

use unicode_width::UnicodeWidthStr;

use crate::classify::rules::{Effect, Rule};
use crate::cli::{RulesArgs, RulesCommand, TableOrJson};
use crate::report::terminal::{fit, TableOptions};

fn conclusion(r: &Rule) -> String {
    let mut parts = Vec::new();
    match r.effect {
        Effect::Verb { class: None } => parts.push("ambiguous verb".to_owned()),
        Effect::Verb { class: Some(c) } => parts.push(c.to_string()),
        e => {
            if let Some(c) = e.class() {
                parts.push(format!("{} {c}", e.kind()));
            }
        }
    }
    parts.extend(r.signals.iter().map(|s| format!("+{s}")));
    if let Some(risk) = r.risk {
        parts.push(format!("risk>={risk}"));
    }
    if parts.is_empty() {
        parts.push("signal".into());
    }
    parts.join(" ")
}

pub fn run(args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let engine = crate::classify::try_engine().map_err(anyhow::Error::msg)?;
    let mut rules: Vec<&Rule> = engine.catalogue.rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    match &args.command {
        RulesCommand::List {
            format: TableOrJson::Json,
        } => {
            let v = serde_json::json!({
                "ruleset_hash": engine.catalogue.hash,
                "families": engine.catalogue.families,
                "rules": rules,
            });
            print_out(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        }
        RulesCommand::List {
            format: TableOrJson::Table,
        } => {
            let width = TableOptions::detect().width;
            let id_w = rules.iter().map(|r| r.id.width()).max().unwrap_or(2);
            let fam_w = rules.iter().map(|r| r.family.width()).max().unwrap_or(6);
            let concl: Vec<String> = rules.iter().map(|r| conclusion(r)).collect();
            let con_w = concl.iter().map(|c| c.width()).max().unwrap_or(10).min(32);
            let sum_w = width.saturating_sub(id_w + fam_w + con_w + 3).max(10);
            println!(
                "{:<id_w$} {:<fam_w$} {:<con_w$} SUMMARY",
                "ID", "FAMILY", "CONCLUDES"
            );
            for (r, c) in rules.iter().zip(&concl) {
                println!(
                    "{:<id_w$} {:<fam_w$} {:<con_w$} {}",
                    r.id,
                    r.family,
                    fit(c, con_w),
                    fit(&r.summary, sum_w)
                );
            }
            println!(
                "{} rules in {} families; ruleset {}",
                rules.len(),
                engine.catalogue.families.len(),
                &engine.catalogue.hash[..12]
            );
        }
        RulesCommand::Explain { id } => {
            let Some(r) = rules.iter().find(|r| &r.id == id) else {
                let close: Vec<&str> = rules
                    .iter()
                    .map(|r| r.id.as_str())
                    .filter(|r| r.contains(id.as_str()) || id.contains(*r))
                    .collect();
                anyhow::bail!(
                    "no rule `{}`{}; `mcp-risk rules list` shows them all",
                    crate::text::terminal_safe(id),
                    if close.is_empty() {
                        String::new()
                    } else {
                        format!(" (did you mean {}?)", close.join(", "))
                    }
                );
            };
            print_out(&explain(r))?;
        }
    }
    Ok(crate::exit::code(crate::exit::OK))
}

/// The long form of one rule.
pub fn explain(r: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}  ({}:{}, family {})", r.id, r.file, r.line, r.family);
    let _ = writeln!(s, "  {}", r.summary);
    let _ = writeln!(
        s,
        "concludes: {}  (confidence {:.2}, priority {})",
        conclusion(r),
        r.confidence,
        r.effect.priority()
    );
    let list = |name: &str, v: &[String], s: &mut String| {
        if !v.is_empty() {
            let _ = writeln!(s, "{name}: {}", v.join(" | "));
        }
    };
    list("verbs", &r.verbs, &mut s);
    list("verbs that double as nouns", &r.nouns, &mut s);
    list("phrases", &r.phrases, &mut s);
    if !r.phrases.is_empty() {
        let f: Vec<String> = r
            .fields
            .iter()
            .map(|f| format!("{f:?}").to_lowercase())
            .collect();
        let _ = writeln!(s, "  in: {}", f.join(", "));
    }
    list("parameter names", &r.params, &mut s);
    list("parameter descriptions", &r.param_phrases, &mut s);
    if let Some(shape) = r.shape {
        let _ = writeln!(s, "schema shape: {shape:?}");
    }
    if r.all {
        let _ = writeln!(s, "every matcher group must match");
    }
    let _ = writeln!(s, "rationale: {}", r.rationale);
    for e in &r.examples_match {
        let _ = writeln!(s, "  matches:     {}", crate::text::terminal_safe(e));
    }
    for e in &r.examples_no_match {
        let _ = writeln!(s, "  no match:    {}", crate::text::terminal_safe(e));
    }
    s
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_out(s: &str) -> std::io::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(s.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}
