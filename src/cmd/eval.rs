//! `mcp-risk eval`: classify blind and compare with the authors' declared
//! annotations (read = readOnlyHint true; destructive = destructiveHint true;
//! write = destructiveHint false, with readOnlyHint false or absent: the MCP
//! spec's default for readOnlyHint is false, so `destructiveHint: false`
//! alone declares an additive change). A tool that declares only `readOnlyHint: false` is
//! mutating but of unknown kind: it counts for read-vs-mutating accuracy and
//! the dangerous-miss rate, not for the 3-class matrix (the table counts
//! them in a row of their own, `m[...]`). Tools declaring
//! neither hint are skipped.
//!
//! Several authors label every create destructive, though the MCP spec's
//! destructiveHint (and ARCHITECTURE.md) calls additive changes
//! non-destructive. The *contract* figures relabel those tools: a tool
//! declared destructive whose name leads with an additive verb (create, add,
//! send, start, ...; also right after a product prefix that is no verb, as in
//! `jira_add_worklog`) counts as write unless it runs code (the contract
//! calls running code destructive), one declared write whose name's first
//! verb overwrites or removes (update, set, delete, ...; `update_issue_title`)
//! counts as destructive, as the contract's table says, and one declared
//! read whose name leads with a mutating verb is a contradiction the table
//! reports.
//!
//! A dangerous miss (declared mutating, classified read) is *contradicted*
//! when the tool's own text argues for nothing but read: the verdict was
//! decided (not the undecided default) with confidence at least
//! [`CONTRADICTION_CONFIDENCE`], the description is not empty, and no hit at
//! all, outranked ones included (a mutating verb in the name, the lead
//! sentence or a later one, listed operations, an operation selector, a
//! floor phrase, raw SQL), argues for write or destructive, the tool takes
//! no operation it does not enumerate (a router's free `command`), and neither the
//! title nor the description's purpose sentences (instructions to the agent
//! and notes aside, as the classifier reads them) hold a verb of the lexicon
//! for write or destructive, in any form ("updates", "changing"). `miss-ctr` is the
//! miss rate without those (contradicted) labels; `miss` stays the figure to
//! meet. In the table `ctr` means contradicted and nothing else: the
//! contract's figures are `F1-contract` and `mislabel` (labels that
//! contradict the contract; until session 7 `F1-ctr` and `ctr`). The test
//! reads only what the classifier saw, never a list of tools, and a tool with
//! a single mutating word anywhere stays a real miss.

use std::process::ExitCode;

use serde::Serialize;

use crate::classify::{classify_tools, Class, Options, Signal};
use crate::cli::{EvalArgs, TableOrJson};
use crate::input::ServerTools;
use crate::tool::ToolDef;

/// A contradicted miss needs the read verdict decided at least this surely
/// (a read verb in the name: 0.9; in the lead sentence: 0.8; advisory output
/// or returned content: 0.7; a session verb, 0.6, is not enough).
pub const CONTRADICTION_CONFIDENCE: f32 = 0.7;

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
        (Some(false) | None, Some(false)) => Some(Label::Class(Class::Write)),
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
    /// Tools declared mutating of no given kind (`readOnlyHint: false`
    /// alone) by inferred class, order read, write, destructive: outside
    /// `confusion` and macro-F1, inside read/mut and the miss rate.
    pub confusion_mutating: [usize; 3],
    pub read_vs_mutating_accuracy: f64,
    pub dangerous_miss_rate: f64,
    pub dangerous_misses: usize,
    /// Dangerous misses whose label the tool's own text contradicts (see the
    /// module notes): counted in `dangerous_misses`, left out of
    /// `dangerous_miss_rate_contract`.
    pub dangerous_misses_contradicted: usize,
    /// The miss rate without contradicted labels (numerator and denominator).
    pub dangerous_miss_rate_contract: f64,
    pub declared_mutating: usize,
    pub macro_f1: f64,
    /// Macro-F1 with creates labelled as the contract defines them.
    pub macro_f1_contract: f64,
    /// Tools declared read-only that the verdict gives high or critical risk
    /// (a policy would gate or hide them: over-blocking).
    pub reads_high: usize,
    /// `reads_high` over the tools declared read-only.
    pub reads_high_rate: f64,
    pub declared_read: usize,
    /// Labels that contradict the contract (additive tools declared
    /// destructive, mutating tools declared read-only).
    pub contradictions: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<EvalError>,
}

#[derive(Clone, Debug, Serialize)]
pub struct EvalError {
    pub tool: String,
    pub declared: String,
    pub inferred: String,
    pub rationale: String,
    /// A dangerous miss whose label the tool's own text contradicts.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub contradicted: bool,
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
    confusion_contract: [[usize; 3]; 3],
    confusion_mutating: [usize; 3],
    reads: usize,
    reads_high: usize,
    contradictions: usize,
    binary_ok: usize,
    mutating: usize,
    misses: usize,
    misses_contradicted: usize,
    errors: Vec<EvalError>,
}

impl Acc {
    fn add(&mut self, other: &Acc) {
        self.labelled += other.labelled;
        self.skipped += other.skipped;
        for i in 0..3 {
            self.confusion_mutating[i] += other.confusion_mutating[i];
            for j in 0..3 {
                self.confusion[i][j] += other.confusion[i][j];
                self.confusion_contract[i][j] += other.confusion_contract[i][j];
            }
        }
        self.reads += other.reads;
        self.reads_high += other.reads_high;
        self.contradictions += other.contradictions;
        self.binary_ok += other.binary_ok;
        self.mutating += other.mutating;
        self.misses += other.misses;
        self.misses_contradicted += other.misses_contradicted;
    }

    fn scores(&self, server: &str, with_errors: bool) -> Scores {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Scores {
            server: server.to_owned(),
            labelled: self.labelled,
            skipped: self.skipped,
            confusion: self.confusion,
            confusion_mutating: self.confusion_mutating,
            read_vs_mutating_accuracy: ratio(self.binary_ok, self.labelled),
            dangerous_miss_rate: ratio(self.misses, self.mutating),
            dangerous_misses: self.misses,
            dangerous_misses_contradicted: self.misses_contradicted,
            dangerous_miss_rate_contract: ratio(
                self.misses - self.misses_contradicted,
                self.mutating - self.misses_contradicted,
            ),
            declared_mutating: self.mutating,
            macro_f1: macro_f1(&self.confusion),
            macro_f1_contract: macro_f1(&self.confusion_contract),
            reads_high: self.reads_high,
            reads_high_rate: ratio(self.reads_high, self.reads),
            declared_read: self.reads,
            contradictions: self.contradictions,
            errors: if with_errors {
                self.errors.clone()
            } else {
                Vec::new()
            },
        }
    }
}

/// Mean F1 over the classes that occur (declared or inferred).
fn macro_f1(m: &[[usize; 3]; 3]) -> f64 {
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
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
    if f1s.is_empty() {
        0.0
    } else {
        f1s.iter().sum::<f64>() / f1s.len() as f64
    }
}

fn score_server(s: &ServerTools) -> Acc {
    let verdicts = classify_tools(
        &s.tools,
        &Options {
            ignore_annotations: true,
        },
    );
    let engine = crate::classify::engine();
    let ctx = crate::classify::context::Context::of(engine, &s.tools);
    let mut acc = Acc::default();
    for (raw, v) in s.tools.iter().zip(&verdicts) {
        let def = ToolDef::from_value(raw);
        let Some(label) = label_of(&def) else {
            acc.skipped += 1;
            continue;
        };
        acc.labelled += 1;
        let declared_read = label == Label::Class(Class::Read);
        // An additive verb after a product prefix (`jira_add_worklog`)
        // marks a create as well; a read label is judged against a name
        // that strictly leads with a mutating verb only (`browser_start_tracing`
        // records, which the rules call read).
        let named = engine.name_verb_class(&def.name, &ctx, false);
        let named_additive = engine.name_verb_class(&def.name, &ctx, true);
        // Its first verb, for an update declared additive (`createProjectUpdate`
        // creates; `update_issue_title` overwrites).
        let named_first = engine.name_lead_verb_class(&def.name, &ctx, true);
        if declared_read {
            acc.reads += 1;
            if v.risk >= crate::classify::Risk::High {
                acc.reads_high += 1;
            }
        }
        // What the contract calls the tool, where its name's verb says so.
        let contract = match (label, named) {
            // ... unless it runs code, which the contract calls destructive
            // whatever the verb (`start_process` for shell commands).
            (Label::Class(Class::Destructive), _)
                if named_additive == Some(Class::Write) && !v.has(Signal::CodeExecution) =>
            {
                acc.contradictions += 1;
                Some(Class::Write)
            }
            (Label::Class(Class::Read), Some(c)) if c != Class::Read => {
                acc.contradictions += 1;
                Some(c)
            }
            // The other direction: a tool named for overwriting or removing
            // (`update_issue_title`, `set_labels`, `kv_lock_set`) declared
            // additive; the contract calls update and set destructive.
            (Label::Class(Class::Write), _) if named_first == Some(Class::Destructive) => {
                acc.contradictions += 1;
                Some(Class::Destructive)
            }
            (Label::Class(c), _) => Some(c),
            (Label::Mutating, _) => None,
        };
        if let Some(c) = contract {
            acc.confusion_contract[idx(c)][idx(v.class)] += 1;
        }
        let mut contradicted = false;
        if !declared_read {
            acc.mutating += 1;
            if v.class == Class::Read {
                acc.misses += 1;
                contradicted = text_says_only_read(engine, raw, &ctx);
                acc.misses_contradicted += usize::from(contradicted);
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
            Label::Mutating => {
                acc.confusion_mutating[idx(v.class)] += 1;
                v.class == Class::Read
            }
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
                contradicted,
            });
        }
    }
    acc
}

/// Whether everything the classifier saw in a tool argues for read: the
/// test that a mutating label is contradicted (module notes).
fn text_says_only_read(
    engine: &crate::classify::engine::Engine,
    raw: &serde_json::Value,
    ctx: &crate::classify::context::Context,
) -> bool {
    let t = engine.trace(raw, true, ctx);
    let def = ToolDef::from_value(raw);
    let title = format!("{} {}", def.title, def.annotation_title);
    t.verdict.class == Class::Read
        && !has_open_selector(&def)
        && engine.mutating_word(&title, &def.description).is_none()
        && t.decision.by.is_some()
        && t.decision.confidence >= CONTRADICTION_CONFIDENCE
        && !t.verdict.has(Signal::EmptyDescription)
        && t.hits
            .iter()
            .all(|h| h.class.is_none_or(|c| c == Class::Read))
}

/// Parameters that choose what a call does (as the operation selector
/// rule names them).
const SELECTORS: &[&str] = &[
    "operation",
    "operations",
    "action",
    "command",
    "cmd",
    "op",
    "method",
    "subcommand",
    "mode",
];

/// Whether the tool takes an operation it does not enumerate (a command
/// router's `command`): what a call does then depends on a value nobody
/// listed, so its text cannot contradict a mutating label.
fn has_open_selector(def: &ToolDef) -> bool {
    def.params.iter().any(|p| {
        let leaf = p.name.rsplit('.').next().unwrap_or(&p.name);
        let key: String = leaf
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        SELECTORS.contains(&key.as_str()) && p.enum_values.is_empty()
    })
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
        TableOrJson::Table => print_table(
            &scores,
            if args.wide {
                None
            } else {
                crate::report::terminal::terminal_width()
            },
        ),
    }
    Ok(crate::exit::code(if loaded.skipped.is_empty() {
        crate::exit::OK
    } else {
        crate::exit::INPUT_SKIPPED
    }))
}

/// The legend under the table: each column and what it counts (`ctr`
/// means contradicted, as in `miss-ctr`, and nothing else).
const LEGEND: &[(&str, &str)] = &[
    (
        "tools",
        "labelled tools (declaring readOnlyHint or destructiveHint)",
    ),
    ("skip", "tools declaring neither hint (not scored)"),
    (
        "read/mut",
        "share of labelled tools whose read-vs-mutating matches the label",
    ),
    (
        "miss",
        "tools declared mutating that came out read (dangerous misses), \
         over the tools declared mutating",
    ),
    (
        "miss-ctr",
        "miss without the contradicted labels: those the tool's own text \
         contradicts (a read verdict decided with confidence >= 0.7, a \
         description, no hit anywhere, outranked ones included, arguing for \
         write or destructive, no free-form operation/command parameter, and \
         no mutating verb in any form in its title or purpose sentences; \
         `--errors` marks them)",
    ),
    (
        "rd-hi",
        "tools declared read-only given high or critical risk (a policy would \
         gate or hide them)",
    ),
    (
        "F1",
        "macro-F1 over read/write/destructive against the labels",
    ),
    (
        "F1-contract",
        "the same against the contract: labels it overrides count as it says \
         (a create declared destructive counts as write, an update declared \
         write as destructive)",
    ),
    (
        "mislabel",
        "labels that contradict the contract (additive tools declared \
         destructive, tools named for updating or removing declared write, \
         mutating tools declared read-only), judged by the verb the tool's \
         name leads with (also after a product prefix: jira_add_worklog)",
    ),
    (
        "r[] w[] d[]",
        "confusion: tools declared read, write, destructive, each counted as \
         inferred read, write, destructive",
    ),
    (
        "m[]",
        "tools declared mutating without a kind (readOnlyHint false, no \
         destructiveHint) as inferred read, write, destructive: they count \
         in read/mut and miss, not in F1",
    ),
];

/// Legend lines: `  name  meaning`, the meaning wrapped to `w` columns
/// under itself.
fn legend_lines(w: usize) -> Vec<String> {
    use crate::report::terminal::wrap;
    let key_w = LEGEND.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let indent = 2 + key_w + 2;
    let mut out = vec!["legend:".to_owned()];
    for (key, meaning) in LEGEND {
        for (i, line) in wrap(meaning, w.saturating_sub(indent)).iter().enumerate() {
            let key = if i == 0 { *key } else { "" };
            out.push(format!("  {key:<key_w$}  {line}"));
        }
    }
    out
}

/// The legend's width in the full layout (one line per server).
const FULL_LEGEND_WIDTH: usize = 100;

const CONFUSION_HEAD: &str = "confusion (declared r/w/d/m -> inferred r w d)";

/// The numeric columns of a row, from the space before `tools` on.
fn numbers(s: &Scores) -> String {
    if s.labelled == 0 {
        // Nothing to score: a 0.000 would read as every verdict wrong.
        return format!(
            " {:>5} {:>4} {:>8} {:>6} {:>8} {:>6} {:>6} {:>11} {:>8}",
            0, s.skipped, "-", "-", "-", "-", "-", "-", "-"
        );
    }
    format!(
        " {:>5} {:>4} {:>8.3} {:>5.1}% {:>7.1}% {:>5.1}% {:>6.3} {:>11.3} {:>8}",
        s.labelled,
        s.skipped,
        s.read_vs_mutating_accuracy,
        s.dangerous_miss_rate * 100.0,
        s.dangerous_miss_rate_contract * 100.0,
        s.reads_high_rate * 100.0,
        s.macro_f1,
        s.macro_f1_contract,
        s.contradictions,
    )
}

fn numbers_head() -> String {
    format!(
        " {:>5} {:>4} {:>8} {:>6} {:>8} {:>6} {:>6} {:>11} {:>8}",
        "tools", "skip", "read/mut", "miss", "miss-ctr", "rd-hi", "F1", "F1-contract", "mislabel"
    )
}

fn confusion(s: &Scores) -> String {
    let m = &s.confusion;
    let u = &s.confusion_mutating;
    format!(
        "r[{} {} {}] w[{} {} {}] d[{} {} {}] m[{} {} {}]",
        m[0][0],
        m[0][1],
        m[0][2],
        m[1][0],
        m[1][1],
        m[1][2],
        m[2][0],
        m[2][1],
        m[2][2],
        u[0],
        u[1],
        u[2]
    )
}

fn print_table(scores: &[Scores], width: Option<usize>) {
    print!("{}", render_table(scores, width));
}

/// The table: one line per server when it fits `width` (or when there is no
/// width to fit: piped output keeps the full layout, so saved reports stay
/// comparable); on a narrower terminal each server takes two lines, its
/// name and confusion matrix, then its figures under their heads, and
/// errors and the legend wrap.
pub fn render_table(scores: &[Scores], width: Option<usize>) -> String {
    use crate::report::terminal::wrap;
    use crate::text::terminal_safe;
    use std::fmt::Write;
    use unicode_width::UnicodeWidthStr;

    let full_rows: Vec<String> = scores
        .iter()
        .map(|s| {
            format!(
                "{:<24}{}  {}",
                terminal_safe(&s.server),
                numbers(s),
                confusion(s)
            )
        })
        .collect();
    let full_head = format!("{:<24}{}  {CONFUSION_HEAD}", "server", numbers_head());
    let narrow = width.filter(|w| {
        full_rows
            .iter()
            .chain(std::iter::once(&full_head))
            .any(|r| r.width() > *w)
    });
    let mut out = String::new();
    let Some(w) = narrow else {
        writeln!(out, "{full_head}").unwrap();
        for (s, row) in scores.iter().zip(&full_rows) {
            writeln!(out, "{row}").unwrap();
            for e in &s.errors {
                writeln!(
                    out,
                    "    {:<40} declared {:<11} inferred {:<11} {}",
                    terminal_safe(&e.tool),
                    e.declared,
                    e.inferred,
                    error_why(e)
                )
                .unwrap();
            }
        }
        writeln!(out).unwrap();
        for line in legend_lines(FULL_LEGEND_WIDTH) {
            writeln!(out, "{line}").unwrap();
        }
        if let Some(line) = contradicting(scores) {
            writeln!(out, "{line}").unwrap();
        }
        return out;
    };
    // Two lines per server: its name and confusion matrix (the matrix on a
    // line of its own when both do not fit), then its figures, indented.
    let indent = w.saturating_sub(numbers_head().width()).min(2);
    let indent = " ".repeat(indent);
    writeln!(out, "server  {CONFUSION_HEAD}").unwrap();
    writeln!(out, "{indent}{}", numbers_head()).unwrap();
    for s in scores {
        let name = terminal_safe(&s.server);
        let matrix = confusion(s);
        if name.width() + 2 + matrix.width() <= w {
            writeln!(out, "{name}  {matrix}").unwrap();
        } else {
            writeln!(out, "{name}").unwrap();
            writeln!(out, "  {matrix}").unwrap();
        }
        writeln!(out, "{indent}{}", numbers(s)).unwrap();
        for e in &s.errors {
            writeln!(
                out,
                "    {}  declared {} inferred {}",
                terminal_safe(&e.tool),
                e.declared,
                e.inferred
            )
            .unwrap();
            for line in wrap(&error_why(e), w.saturating_sub(6)) {
                writeln!(out, "      {line}").unwrap();
            }
        }
    }
    writeln!(out).unwrap();
    for line in legend_lines(w) {
        writeln!(out, "{line}").unwrap();
    }
    if let Some(line) = contradicting(scores) {
        for (i, l) in wrap(&line, w.saturating_sub(2)).into_iter().enumerate() {
            let indent = if i == 0 { "" } else { "  " };
            writeln!(out, "{indent}{l}").unwrap();
        }
    }
    out
}

/// Why an `--errors` line disagrees: the contradicted-label mark, if any,
/// then the verdict's rationale (both layouts print the same words).
fn error_why(e: &EvalError) -> String {
    format!(
        "{}{}",
        if e.contradicted {
            "[label contradicted: every hit says read] "
        } else {
            ""
        },
        crate::text::terminal_safe(&e.rationale)
    )
}

/// "labels contradicting the contract: a (3), b (1)", if any server has some.
fn contradicting(scores: &[Scores]) -> Option<String> {
    let list: Vec<String> = scores
        .iter()
        .filter(|s| s.server != "(overall)" && s.contradictions > 0)
        .map(|s| {
            format!(
                "{} ({})",
                crate::text::terminal_safe(&s.server),
                s.contradictions
            )
        })
        .collect();
    (!list.is_empty()).then(|| format!("labels contradicting the contract: {}", list.join(", ")))
}
