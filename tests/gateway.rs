//! Do the emitted policies hold in a gateway? Every policy.json and Intercept
//! YAML we write for the call table's servers is loaded into a small gateway
//! (PolicyLayer v1 and Intercept v1 semantics, `gateway/eval.rs`) and every
//! call of the table is sent through it: dangerous calls must be refused,
//! ordinary calls must go through. The same table runs through the hosted
//! product's fixed-function baseline for comparison; see the numbers with
//! `cargo test --test gateway -- --nocapture`.

#[path = "gateway/eval.rs"]
mod eval;
#[path = "gateway/table.rs"]
mod table;

use eval::{Gateway, Limits};
use mcp_risk::classify::{Category, Class, Risk, Signal, Verdict};
use mcp_risk::policy::{check, claude, intercept, plan, policylayer};
use serde_json::{json, Value};
use table::{Case, Server};

/// Tallies of one policy on one server's calls.
#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    dangerous: usize,
    let_through: usize,
    safe: usize,
    blocked: usize,
    /// Of `blocked`: safe calls no gateway operator can tell from dangerous ones.
    blocked_by_format: usize,
}

/// What one policy does with the calls of a server. `rows` selects the cases.
fn run(gw: &mut Gateway, cases: &[&Case]) -> (Tally, Vec<String>) {
    let mut t = Tally::default();
    let mut wrong = Vec::new();
    for c in cases {
        let out = gw.call(c.tool, &c.args);
        if c.dangerous {
            t.dangerous += 1;
            if out.is_ok() {
                t.let_through += 1;
                wrong.push(format!("let through: {} {}", c.tool, c.args));
            }
        } else {
            t.safe += 1;
            if let Err(msg) = out {
                t.blocked += 1;
                if c.format_limit.is_some() {
                    t.blocked_by_format += 1;
                } else {
                    wrong.push(format!("blocked: {} {} ({msg})", c.tool, c.args));
                }
            }
        }
    }
    (t, wrong)
}

/// What the Claude Code file does with the calls: a tool in `deny` is refused,
/// one in `ask` waits for the user (the agent cannot run it alone), any other
/// runs. Returns (dangerous calls that run unasked, safe calls denied).
fn run_claude(s: &Server, cases: &[&Case]) -> (usize, usize) {
    let c: Value = serde_json::from_str(&claude::for_server(&s.name, &s.verdicts)).unwrap();
    let listed = |key: &str, tool: &str| {
        c["permissions"][key]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x == &json!(claude::tool_id(&s.name, tool)))
    };
    let mut unasked = 0;
    let mut denied = 0;
    for case in cases {
        let stopped = listed("deny", case.tool) || listed("ask", case.tool);
        if case.dangerous && !stopped {
            unasked += 1;
        }
        if !case.dangerous && listed("deny", case.tool) {
            denied += 1;
        }
    }
    (unasked, denied)
}

fn ours_json(s: &Server) -> Gateway {
    Gateway::policylayer(&policylayer::for_server(&s.verdicts), Limits::Ignore)
}

fn ours_yaml(s: &Server) -> Gateway {
    Gateway::intercept(&intercept::for_server(&s.name, &s.verdicts), Limits::Ignore)
}

fn base(s: &Server) -> Gateway {
    Gateway::policylayer(&table::baseline(&s.verdicts), Limits::Ignore)
}

fn rows(s: &Server, with_classifier_rows: bool) -> Vec<&Case> {
    s.cases
        .iter()
        .filter(|c| with_classifier_rows || c.needs_classifier.is_none())
        .collect()
}

fn every_tool_in_table_exists(s: &Server) {
    for c in &s.cases {
        assert!(
            s.verdicts.iter().any(|v| v.name == c.tool),
            "{}: the table calls {} which the server does not serve",
            s.name,
            c.tool
        );
    }
}

/// The comparison the issue asks for, printed; and ours must hold on every
/// row that does not wait for the rules engine.
#[test]
fn call_table_ours_against_the_baseline() {
    let servers = table::servers();
    println!();
    println!(
        "{:<54} {:>9} {:>14} {:>14} {:>6} {:>14} {:>14} {:>14} {:>15}",
        "server (rows now / with rules-engine rows)",
        "dangerous",
        "let through",
        "baseline",
        "safe",
        "blocked",
        "baseline",
        "Intercept",
        "Claude"
    );
    println!(
        "{:<54} {:>9} {:>14} {:>14} {:>6} {:>14} {:>14} {:>14} {:>15}",
        "", "", "ours", "lets through", "", "ours", "blocks", "leaks/blocks", "unasked/denied"
    );
    let mut failures = Vec::new();
    let mut totals = [Tally::default(); 3];
    for s in &servers {
        every_tool_in_table_exists(s);
        for all in [false, true] {
            let cases = rows(s, all);
            if all && cases.len() == rows(s, false).len() {
                continue;
            }
            let (ours, wrong) = run(&mut ours_json(s), &cases);
            let (baseline, _) = run(&mut base(s), &cases);
            let (yaml, wrong_yaml) = run(&mut ours_yaml(s), &cases);
            let (unasked, denied) = run_claude(s, &cases);
            if !all && unasked + denied > 0 {
                failures.push(format!(
                    "{} (Claude Code): {unasked} dangerous calls neither asked nor denied, {denied} safe calls denied",
                    s.name
                ));
            }
            if !all {
                failures.extend(
                    wrong
                        .iter()
                        .map(|w| format!("{} (policy.json): {w}", s.name)),
                );
                failures.extend(
                    wrong_yaml
                        .iter()
                        .filter(|w| w.starts_with("let through"))
                        .map(|w| format!("{} (Intercept): {w}", s.name)),
                );
                for (tot, t) in totals.iter_mut().zip([ours, baseline, yaml]) {
                    tot.dangerous += t.dangerous;
                    tot.let_through += t.let_through;
                    tot.safe += t.safe;
                    tot.blocked += t.blocked;
                    tot.blocked_by_format += t.blocked_by_format;
                }
            }
            let label = format!(
                "{} [{}{}]",
                s.name,
                s.source,
                if all { ", +rules-engine rows" } else { "" }
            );
            let fmt_blocked = |t: &Tally| {
                if t.blocked_by_format > 0 {
                    format!("{} ({} fmt)", t.blocked, t.blocked_by_format)
                } else {
                    t.blocked.to_string()
                }
            };
            println!(
                "{:<54} {:>9} {:>14} {:>14} {:>6} {:>14} {:>14} {:>14} {:>15}",
                label,
                ours.dangerous,
                ours.let_through,
                baseline.let_through,
                ours.safe,
                fmt_blocked(&ours),
                baseline.blocked,
                format!("{}/{}", yaml.let_through, yaml.blocked),
                format!("{unasked}/{denied}")
            );
            if all {
                for w in wrong {
                    println!("    {w}");
                }
            }
        }
    }
    let [o, b, y] = totals;
    println!(
        "{:<54} {:>9} {:>14} {:>14} {:>6} {:>14} {:>14} {:>14} {:>15}",
        "TOTAL (rows now)",
        o.dangerous,
        o.let_through,
        b.let_through,
        o.safe,
        format!("{} ({} fmt)", o.blocked, o.blocked_by_format),
        b.blocked,
        format!("{}/{}", y.let_through, y.blocked),
        ""
    );
    println!(
        "(fmt: safe calls refused because no gateway operator can look inside an array of SQL)"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The baseline's known failures on this table, so the comparison stays honest.
    assert!(b.let_through > 0 && b.blocked > 0, "{b:?}");
}

/// The rows that wait for the rules engine's issue-14 facts, on the corpus
/// as classified now. Run after the rules land:
/// `cargo test --test gateway -- --ignored`.
#[test]
fn classifier_dependent_rows() {
    let mut failures = Vec::new();
    for s in table::corpus_servers() {
        let cases: Vec<&Case> = s
            .cases
            .iter()
            .filter(|c| c.needs_classifier.is_some())
            .collect();
        let (_, wrong) = run(&mut ours_json(&s), &cases);
        failures.extend(wrong.into_iter().map(|w| format!("{}: {w}", s.name)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every emitted policy of the table's servers passes `policy check`.
#[test]
fn every_table_policy_passes_check() {
    for s in table::servers() {
        let pj = policylayer::for_server(&s.verdicts);
        let d = check::check_policy_json(&pj).diagnostics;
        assert!(d.is_empty(), "{}.json: {d:?}\n{pj}", s.name);
        let y = intercept::for_server(&s.name, &s.verdicts);
        let d = check::check_intercept(&y).diagnostics;
        assert!(d.is_empty(), "{}.yaml: {d:?}\n{y}", s.name);
        let base = table::baseline(&s.verdicts);
        assert!(
            check::check_policy_json(&base).diagnostics.is_empty(),
            "{base}"
        );
        // Every rule the reasons sidecar explains is in the policy.
        let p: Value = serde_json::from_str(&pj).unwrap();
        let r: Value =
            serde_json::from_str(&policylayer::reasons_for_server(&s.name, &s.verdicts)).unwrap();
        for (tool, t) in r["tools"].as_object().unwrap() {
            for rule in t["rules"].as_array().unwrap() {
                let ptr = rule["rule"].as_str().unwrap();
                assert!(p.pointer(ptr).is_some(), "{}: {tool} -> {ptr}", s.name);
            }
        }
    }
}

/// Limits counted: a medium tool takes 30 calls a minute, a high one 10,
/// and the gateway refuses the next.
#[test]
fn limits_are_counted() {
    let s = table::corpus_servers()
        .into_iter()
        .find(|s| s.name == "supabase")
        .unwrap();
    let pj = policylayer::for_server(&s.verdicts);
    let mut gw = Gateway::policylayer(&pj, Limits::Count);
    let q = json!({"project_id": "p", "query": "select 1"});
    for i in 0..10 {
        assert!(gw.call("execute_sql", &q).is_ok(), "call {i}");
    }
    let msg = gw.call("execute_sql", &q).unwrap_err();
    assert!(msg.contains("execute_sql.minute"), "{msg}");
    // A refused call does not count: the dangerous one is refused by its
    // guard before the limit.
    assert!(gw
        .call(
            "execute_sql",
            &json!({"project_id": "p", "query": "drop table t"})
        )
        .unwrap_err()
        .contains("blocked by policy"));
    // Intercept counts per tool and window the same way.
    let y = intercept::for_server("supabase", &s.verdicts);
    let mut gw = Gateway::intercept(&y, Limits::Count);
    for _ in 0..10 {
        gw.call("execute_sql", &q).unwrap();
    }
    assert!(gw.call("execute_sql", &q).is_err());
    // The baseline: execute 10/minute, read unlimited.
    let mut gw = Gateway::policylayer(&table::baseline(&s.verdicts), Limits::Count);
    for _ in 0..50 {
        gw.call("list_tables", &json!({"project_id": "p"})).unwrap();
    }
}

/// The evaluator's operators, as Intercept's engine implements them.
#[test]
fn evaluator_operators() {
    let args = json!({"a": 5, "s": "Hello", "l": ["x", "y"], "o": {"b": true}, "n": null});
    let t = |path: &str, op: &str, value: Value| {
        eval::holds(&json!({"path": path, "op": op, "value": value}), &args)
    };
    assert!(t("args.a", "eq", json!(5)) && t("args.a", "eq", json!("5")));
    assert!(t("args.a", "neq", json!(6)) && !t("args.missing", "neq", json!(6)));
    assert!(t("args.a", "in", json!([1, 5])) && t("args.s", "not_in", json!(["hello"])));
    assert!(!t("args.missing", "not_in", json!(["x"])));
    assert!(t("args.a", "lt", json!(6)) && t("args.a", "lte", json!(5)));
    assert!(t("args.a", "gt", json!(4)) && t("args.a", "gte", json!(5)));
    assert!(!t("args.s", "gt", json!(1)));
    assert!(t("args.s", "regex", json!("(?i)^hel")) && !t("args.l", "regex", json!("x")));
    assert!(t("args.s", "contains", json!("ell")) && t("args.l", "contains", json!("y")));
    assert!(!t("args.l", "contains", json!("xy")));
    assert!(t("args.o.b", "eq", json!(true)) && t("args.o.b", "exists", json!(true)));
    assert!(t("args.n", "exists", json!(false)) && t("args.zz", "exists", json!(false)));
    assert!(!t("args.l.0", "exists", json!(true)), "no element paths");
    let p = json!({"version": "1", "default": "deny", "tools": {
        "t": {"require": [{"conditions": [{"path": "args.reason", "op": "exists", "value": true}]}],
              "deny_if": [{"conditions": [{"path": "args.amount", "op": "gt", "value": 100}], "on_deny": "too much"}]}
    }});
    let mut gw = Gateway::policylayer(&p.to_string(), Limits::Ignore);
    assert!(gw.call("t", &json!({"amount": 5})).is_err());
    assert!(gw.call("t", &json!({"amount": 5, "reason": "r"})).is_ok());
    assert_eq!(
        gw.call("t", &json!({"amount": 500, "reason": "r"})),
        Err("too much".into())
    );
    assert!(gw.call("u", &json!({})).is_err());
}

// ---------------------------------------------------------------------------
// The agent-client files (items 7-10).

fn v(name: &str, class: Class, risk: Risk, category: Category, signals: &[Signal]) -> Verdict {
    Verdict::manual(name, class, risk, category, signals)
}

/// Claude Code: a tool a gateway refuses until a human acts goes to `ask`
/// (Claude's own approval); hidden (irreversible) tools go to `deny`.
#[test]
fn claude_approval_is_ask_and_hidden_is_deny() {
    let vs = vec![
        v(
            "pay",
            Class::Write,
            Risk::Critical,
            Category::Financial,
            &[Signal::Money],
        ),
        v(
            "wipe",
            Class::Destructive,
            Risk::Critical,
            Category::Destructive,
            &[Signal::IrreversibleLoss],
        ),
        v(
            "edit",
            Class::Destructive,
            Risk::Medium,
            Category::Destructive,
            &[],
        ),
        v("note", Class::Write, Risk::Medium, Category::Write, &[]),
        v("read", Class::Read, Risk::Low, Category::Read, &[]),
    ];
    let c: Value = serde_json::from_str(&claude::for_server("s", &vs)).unwrap();
    assert_eq!(c["permissions"]["deny"], json!(["mcp__s__wipe"]));
    assert_eq!(
        c["permissions"]["ask"],
        json!(["mcp__s__edit", "mcp__s__pay"])
    );
}

/// No empty Claude file for a server with destructive tools.
#[test]
fn no_empty_claude_file_for_destructive_servers() {
    for s in table::servers() {
        let destructive = s.verdicts.iter().any(|v| v.class == Class::Destructive);
        let c: Value = serde_json::from_str(&claude::for_server(&s.name, &s.verdicts)).unwrap();
        let n = c["permissions"]["ask"].as_array().unwrap().len()
            + c["permissions"]["deny"].as_array().unwrap().len();
        assert!(!destructive || n > 0, "{}: {c}", s.name);
    }
}

/// The Claude server key is the user's, when given (`--server-key`).
#[test]
fn claude_and_codex_take_the_users_server_key() {
    let vs = vec![v(
        "drop-index",
        Class::Destructive,
        Risk::Critical,
        Category::Destructive,
        &[Signal::IrreversibleLoss],
    )];
    let files = mcp_risk::policy::render_keyed(
        mcp_risk::policy::Format::ClaudeCode,
        "io.github.mongodb-js/mongodb-mcp-server",
        Some("mongo"),
        &vs,
    );
    assert!(files[0]
        .name
        .starts_with("io-github-mongodb-js-mongodb-mcp-server"));
    assert!(
        files[0].contents.contains("\"mcp__mongo__drop-index\""),
        "{}",
        files[0].contents
    );
    let files =
        mcp_risk::policy::render_keyed(mcp_risk::policy::Format::Codex, "x/y", Some("mongo"), &vs);
    let t: toml::Table = toml::from_str(&files[0].contents).unwrap();
    assert_eq!(
        t["mcp_servers"]["mongo"]["disabled_tools"],
        toml::Value::Array(vec![toml::Value::String("drop-index".into())])
    );
    assert!(files[0].contents.contains("--server-key"));
}

/// Every YAML comment above a tool agrees with the rules under it: a tool
/// whose rules refuse some calls never reads as plainly "Allowed".
#[test]
fn yaml_comments_agree_with_their_rules() {
    let mut servers = table::servers();
    servers.extend(
        [
            "git-cyanheads",
            "playwright",
            "supabase",
            "mongodb",
            "github",
        ]
        .iter()
        .map(|n| Server {
            name: (*n).into(),
            source: "corpus",
            verdicts: table::corpus_verdicts(n),
            cases: Vec::new(),
        }),
    );
    for s in &servers {
        let y = intercept::for_server(&s.name, &s.verdicts);
        let doc: Value = yaml_serde::from_str(&y).unwrap();
        for p in plan::plan_server(&s.verdicts).iter().filter(|p| p.listed()) {
            let rules = doc["tools"][p.name()]["rules"].as_array().unwrap();
            let refusing = rules
                .iter()
                .any(|r| r.get("conditions").is_some() || r["action"] == "deny");
            let head = format!("  # {}: ", p.name());
            let comment = y
                .lines()
                .find(|l| l.starts_with(&head))
                .unwrap_or_else(|| panic!("{}: no comment for {}", s.name, p.name()));
            if refusing {
                assert!(
                    comment.contains("argument guards refuse")
                        || comment.contains("Refused on every call"),
                    "{}: {comment}",
                    s.name
                );
            } else {
                assert!(!comment.contains("refuse"), "{}: {comment}", s.name);
            }
            for g in &p.guards {
                assert!(
                    comment.contains(&g.refuses()),
                    "{}: {comment} lacks {}",
                    s.name,
                    g.refuses()
                );
            }
        }
    }
}

/// "Approval-gated" says what it is in every format.
#[test]
fn refusal_pending_a_human_says_what_it_is() {
    let vs = vec![v(
        "run",
        Class::Destructive,
        Risk::Critical,
        Category::Execute,
        &[Signal::CodeExecution],
    )];
    let pj: Value = serde_json::from_str(&policylayer::for_server(&vs)).unwrap();
    let msg = pj["tools"]["run"]["deny_if"][0]["on_deny"]
        .as_str()
        .unwrap();
    assert!(
        msg.contains("refuses every call") && msg.contains("ask the user"),
        "{msg}"
    );
    let y = intercept::for_server("s", &vs);
    assert!(y.contains("Intercept has no approval step"), "{y}");
    let r: Value = serde_json::from_str(&policylayer::reasons_for_server("s", &vs)).unwrap();
    assert!(r["tools"]["run"]["why"]
        .as_str()
        .unwrap()
        .contains("no approval step"));
}

/// How the array guard and an operation-scoped switch guard are written.
#[test]
fn array_and_scoped_switch_guards_render() {
    let servers = table::hand_built_servers();
    let neon = servers.iter().find(|s| s.name == "neon").unwrap();
    let pj: Value = serde_json::from_str(&policylayer::for_server(&neon.verdicts)).unwrap();
    let tx = &pj["tools"]["run_sql_transaction"]["deny_if"];
    assert_eq!(
        tx[0]["conditions"],
        json!([{"path": "args.params.sqlStatements", "op": "exists", "value": true}])
    );
    let msg = tx[0]["on_deny"].as_str().unwrap();
    assert!(
        msg.contains("cannot check the elements of an array"),
        "{msg}"
    );
    let y: Value = yaml_serde::from_str(&intercept::for_server("neon", &neon.verdicts)).unwrap();
    let rules = y["tools"]["run_sql_transaction"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["conditions"][0]
        == json!({"path": "args.params.sqlStatements", "op": "exists", "value": false})));

    let git = servers.iter().find(|s| s.name == "git-cyanheads").unwrap();
    let pj: Value = serde_json::from_str(&policylayer::for_server(&git.verdicts)).unwrap();
    let branch = pj["tools"]["git_branch"]["deny_if"].as_array().unwrap();
    assert_eq!(
        branch[0]["conditions"],
        json!([{"path": "args.mode", "op": "in", "value": ["delete"]}])
    );
    assert!(branch.iter().any(|d| d["conditions"]
        == json!([
            {"path": "args.mode", "op": "in", "value": ["create", "rename"]},
            {"path": "args.force", "op": "eq", "value": true}
        ])));
    // git_add is a write: its `all` (stage everything) is no damage switch.
    assert_eq!(pj["tools"]["git_add"].get("deny_if"), None);
    assert_eq!(
        pj["tools"]["git_reset"]["deny_if"][0]["conditions"],
        json!([{"path": "args.mode", "op": "in", "value": ["hard"]}])
    );
    assert_eq!(
        pj["tools"]["git_stash"]["deny_if"][0]["conditions"],
        json!([{"path": "args.mode", "op": "in", "value": ["drop", "clear"]}])
    );
}
