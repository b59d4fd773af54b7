//! `mcp-risk eval`: classify blind and compare with the authors' declared
//! annotations (read = readOnlyHint true; destructive = destructiveHint true;
//! write = both false). A tool that declares only `readOnlyHint: false` is
//! mutating but of unknown kind: it counts for read-vs-mutating accuracy and
//! the dangerous-miss rate, not for the 3-class matrix. Tools declaring
//! neither hint are skipped.

use std::process::ExitCode;

use serde::Serialize;

use crate::classify::{classify_tools, Class, Options};
use crate::cli::{EvalArgs, TableOrJson};
use crate::input::ServerTools;
use crate::tool::ToolDef;

/// What the authors declared, as far as eval can use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Class(Class),
    /// readOnlyHint false, destructiveHint absent.
    Mutating,
}

fn label_of(def: &ToolDef) -> Option<Label> {
    let h = def.declared.as_ref()?;
    match (h.read_only, h.destructive) {
        (Some(true), _) => Some(Label::Class(Class::Read)),
        (_, Some(true)) => Some(Label::Class(Class::Destructive)),
        (Some(false), Some(false)) => Some(Label::Class(Class::Write)),
        (Some(false), None) => Some(Label::Mutating),
        _ => None,
    }
}

/// Scores for one server or for all.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Scores {
    pub server: String,
    /// Tools with a usable label.
    pub labelled: usize,
    /// Tools skipped: no readOnlyHint or destructiveHint.
    pub skipped: usize,
    /// `confusion[declared][inferred]`, order read, write, destructive (3-class labels only).
    pub confusion: [[usize; 3]; 3],
    pub read_vs_mutating_accuracy: f64,
    pub dangerous_miss_rate: f64,
    pub dangerous_misses: usize,
    pub declared_mutating: usize,
    pub macro_f1: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<EvalError>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EvalError {
    pub tool: String,
    pub declared: String,
    pub inferred: String,
    pub rationale: String,
}

fn idx(c: Class) -> usize {
    match c {
        Class::Read => 0,
        Class::Write => 1,
        Class::Destructive => 2,
    }
}

#[derive(Default)]
struct Acc {
    labelled: usize,
    skipped: usize,
    confusion: [[usize; 3]; 3],
    binary_ok: usize,
    mutating: usize,
    misses: usize,
    errors: Vec<EvalError>,
}

impl Acc {
    fn add(&mut self, other: &Acc) {
        self.labelled += other.labelled;
        self.skipped += other.skipped;
        for i in 0..3 {
            for j in 0..3 {
                self.confusion[i][j] += other.confusion[i][j];
            }
        }
        self.binary_ok += other.binary_ok;
        self.mutating += other.mutating;
        self.misses += other.misses;
    }

    fn scores(&self, server: &str, with_errors: bool) -> Scores {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let m = &self.confusion;
        let mut f1s = Vec::new();
        for (k, row) in m.iter().enumerate() {
            let tp = row[k];
            let support: usize = row.iter().sum();
            let predicted: usize = (0..3).map(|i| m[i][k]).sum();
            if support == 0 && predicted == 0 {
                continue;
            }
            let p = ratio(tp, predicted);
            let r = ratio(tp, support);
            f1s.push(if p + r == 0.0 {
                0.0
            } else {
                2.0 * p * r / (p + r)
            });
        }
        Scores {
            server: server.to_owned(),
            labelled: self.labelled,
            skipped: self.skipped,
            confusion: self.confusion,
            read_vs_mutating_accuracy: ratio(self.binary_ok, self.labelled),
            dangerous_miss_rate: ratio(self.misses, self.mutating),
            dangerous_misses: self.misses,
            declared_mutating: self.mutating,
            macro_f1: if f1s.is_empty() {
                0.0
            } else {
                f1s.iter().sum::<f64>() / f1s.len() as f64
            },
            errors: if with_errors {
                self.errors.clone()
            } else {
                Vec::new()
            },
        }
    }
}

fn score_server(s: &ServerTools) -> Acc {
    let verdicts = classify_tools(
        &s.tools,
        &Options {
            ignore_annotations: true,
        },
    );
    let mut acc = Acc::default();
    for (raw, v) in s.tools.iter().zip(&verdicts) {
        let def = ToolDef::from_value(raw);
        let Some(label) = label_of(&def) else {
            acc.skipped += 1;
            continue;
        };
        acc.labelled += 1;
        let declared_read = label == Label::Class(Class::Read);
        if !declared_read {
            acc.mutating += 1;
            if v.class == Class::Read {
                acc.misses += 1;
            }
        }
        if declared_read == (v.class == Class::Read) {
            acc.binary_ok += 1;
        }
        let wrong = match label {
            Label::Class(c) => {
                acc.confusion[idx(c)][idx(v.class)] += 1;
                c != v.class
            }
            Label::Mutating => v.class == Class::Read,
        };
        if wrong {
            acc.errors.push(EvalError {
                tool: v.name.clone(),
                declared: match label {
                    Label::Class(c) => c.as_str().to_owned(),
                    Label::Mutating => "mutating".to_owned(),
                },
                inferred: v.class.as_str().to_owned(),
                rationale: v.rationale.clone(),
            });
        }
    }
    acc
}

/// Scores every server and the whole set (last).
pub fn evaluate(servers: &[ServerTools], with_errors: bool) -> Vec<Scores> {
    let mut total = Acc::default();
    let mut out = Vec::new();
    for s in servers {
        let acc = score_server(s);
        total.add(&acc);
        out.push(acc.scores(&s.server, with_errors));
    }
    out.push(total.scores("(overall)", false));
    out
}

pub fn run(args: &EvalArgs) -> anyhow::Result<ExitCode> {
    crate::classify::try_engine().map_err(anyhow::Error::msg)?;
    let loaded = crate::input::load_all(&args.input, args.strict)?;
    let scores = evaluate(&loaded.servers, args.errors);
    match args.format {
        TableOrJson::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "servers": scores }))?
            )
        }
        TableOrJson::Table => print_table(&scores),
    }
    Ok(crate::exit::code(if loaded.skipped.is_empty() {
        crate::exit::OK
    } else {
        crate::exit::INPUT_SKIPPED
    }))
}

fn print_table(scores: &[Scores]) {
    use crate::text::terminal_safe;
    println!(
        "{:<28} {:>5} {:>5} {:>9} {:>8} {:>6}  confusion (declared → inferred r/w/d)",
        "server", "tools", "skip", "read/mut", "miss", "F1"
    );
    for s in scores {
        let m = &s.confusion;
        println!(
            "{:<28} {:>5} {:>5} {:>9.3} {:>7.1}% {:>6.3}  r[{} {} {}] w[{} {} {}] d[{} {} {}]",
            terminal_safe(&s.server),
            s.labelled,
            s.skipped,
            s.read_vs_mutating_accuracy,
            s.dangerous_miss_rate * 100.0,
            s.macro_f1,
            m[0][0],
            m[0][1],
            m[0][2],
            m[1][0],
            m[1][1],
            m[1][2],
            m[2][0],
            m[2][1],
            m[2][2]
        );
        for e in &s.errors {
            println!(
                "    {:<40} declared {:<11} inferred {:<11} {}",
                terminal_safe(&e.tool),
                e.declared,
                e.inferred,
                terminal_safe(&e.rationale)
            );
        }
    }
}
