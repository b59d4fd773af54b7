//! Intercept YAML v1 validation (the policy.json half lives in `check.rs`).
//! Follows Intercept's own rules (rate_limit shorthand, `evaluate`/`deny`
//! actions, `state` counters scoped per tool) and adds the accident checks:
//! a tool both hidden and listed, a condition reading another tool's counter.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::check::{at, Checker, Diagnostic, Kind, Report, Seg, MAX_DEPTH, WINDOWS};
use super::yaml_locate::Locator;

/// Where flow collections (`[`, `{`) first nest deeper than [`MAX_DEPTH`],
/// as 1-based `(line, column)`: one linear scan, so a 100k-deep document is
/// refused at once instead of after the parser has worked through it.
/// Quoted scalars and comments are skipped; block nesting is left to the parser.
fn flow_too_deep(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut escaped = false;
    let mut prev = '\n';
    for ch in text.chars() {
        col += 1;
        if ch == '\n' {
            line += 1;
            col = 0;
            comment = false;
            prev = ch;
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some('"') => {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    quote = None;
                }
            }
            Some(_) => {
                if ch == '\'' {
                    quote = None;
                }
            }
            None => {
                let at_token = prev.is_whitespace() || matches!(prev, '[' | '{' | ',' | ':');
                match ch {
                    '"' | '\'' if at_token => quote = Some(ch),
                    '#' if prev.is_whitespace() => comment = true,
                    '[' | '{' => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Some((line, col));
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        prev = ch;
    }
    None
}

/// Checks Intercept YAML text; errors are located as `line:col`.
pub fn check_intercept(text: &str) -> Report {
    if let Some((line, col)) = flow_too_deep(text) {
        return Report::capped(
            Kind::Intercept,
            0,
            vec![Diagnostic {
                location: format!("{line}:{col}"),
                message: format!("not valid YAML: nested more than {MAX_DEPTH} levels deep"),
            }],
        );
    }
    let doc: Value = match yaml_serde::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let location = e
                .location()
                .map(|l| format!("{}:{}", l.line(), l.column()))
                .unwrap_or_else(|| "1:1".into());
            return Report::capped(
                Kind::Intercept,
                0,
                vec![Diagnostic {
                    location,
                    message: format!("not valid YAML: {e}"),
                }],
            );
        }
    };
    let mut c = Checker::default();
    c.duplicates(super::dupkeys::duplicates(
        yaml_serde::Deserializer::from_str(text),
    ));
    let tools = intercept(&mut c, &doc);
    let mut locator = Locator::new(text);
    let mut located: Vec<((usize, usize), String)> = c
        .errs
        .into_iter()
        .map(|(p, message)| (locator.locate(&p), message))
        .collect();
    // In file order, as a reader fixes them (stable: same-place errors keep
    // the order they were found in).
    located.sort_by_key(|(at, _)| *at);
    Report::capped(
        Kind::Intercept,
        tools,
        located
            .into_iter()
            .map(|((line, col), message)| Diagnostic {
                location: format!("{line}:{col}"),
                message,
            })
            .collect(),
    )
}

fn intercept(c: &mut Checker, doc: &Value) -> usize {
    let root: &[Seg] = &[];
    let Some(m) = c.object(
        doc,
        root,
        &["version", "description", "default", "hide", "tools"],
        &["version", "tools"],
    ) else {
        return 0;
    };
    if let Some(v) = m.get("version") {
        // YAML users write `version: 1`; Intercept (Go) reads it as "1" too.
        let ok = v.as_str() == Some("1") || v.as_u64() == Some(1);
        if !ok {
            c.err(
                at(root, "version"),
                format!("version must be \"1\", got {v}"),
            );
        }
    }
    if let Some(d) = m.get("description") {
        c.string(d, &at(root, "description"));
    }
    if let Some(d) = m.get("default") {
        c.one_of(d, &at(root, "default"), &["allow", "deny"], "default");
    }
    let hidden = match m.get("hide") {
        Some(h) => c.hide(h, &at(root, "hide")),
        None => BTreeMap::new(),
    };
    let Some(t) = m.get("tools") else {
        return hidden.len();
    };
    let tp = at(root, "tools");
    let tools = match t {
        Value::Object(o) => o,
        Value::Null => return hidden.len(),
        other => {
            c.err(
                tp,
                format!(
                    "expected a map of tool names to {{rules: [...]}}, found {}",
                    super::check::type_name(other)
                ),
            );
            return hidden.len();
        }
    };
    // Counters each tool defines (state blocks and rate_limit shorthands).
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut reads: Vec<(Vec<Seg>, String, String)> = Vec::new();
    for (name, def) in tools {
        let p = at(&tp, name);
        if let Some(i) = hidden.get(name) {
            c.err(
                p.clone(),
                format!(
                    "tool \"{name}\" is both hidden (hide[{i}]) and listed under tools; keep one"
                ),
            );
        }
        let Some(dm) = c.object(def, &p, &["rules"], &["rules"]) else {
            continue;
        };
        let Some(rules) = dm.get("rules") else {
            continue;
        };
        if rules.is_null() {
            continue;
        }
        let rp = at(&p, "rules");
        let mut mine: BTreeSet<String> = BTreeSet::new();
        for (i, rule) in c.array(rules, &rp).into_iter().flatten().enumerate() {
            rule_check(c, rule, &at(&rp, i), name, &mut mine, &mut reads);
        }
        defined.insert(name.clone(), mine);
    }
    for (path, scope, counter) in reads {
        let tool = path_tool(&path);
        let own = if tool == "*" {
            "_global"
        } else {
            tool.as_str()
        };
        if scope != own {
            c.err(
                path,
                format!(
                    "condition reads state.{scope}.{counter}, another tool's counter: counters shared by accident; use state.{own}.<counter> with a state block in this tool"
                ),
            );
            continue;
        }
        let key = if scope == "_global" {
            "*"
        } else {
            scope.as_str()
        };
        let has = defined.get(key).is_some_and(|d| d.contains(&counter));
        if !has {
            c.err(
                path,
                format!("condition reads state.{scope}.{counter} but no rule of this tool has a state block for counter \"{counter}\""),
            );
        }
    }
    tools.len() + hidden.len()
}

/// The tool key of a `tools.<name>...` path.
fn path_tool(path: &[Seg]) -> String {
    match path.get(1) {
        Some(Seg::Key(k)) => k.clone(),
        _ => String::new(),
    }
}

fn rule_check(
    c: &mut Checker,
    rule: &Value,
    p: &[Seg],
    tool: &str,
    counters: &mut BTreeSet<String>,
    reads: &mut Vec<(Vec<Seg>, String, String)>,
) {
    let Some(m) = c.object(
        rule,
        p,
        &[
            "name",
            "action",
            "rate_limit",
            "conditions",
            "on_deny",
            "state",
        ],
        &["name"],
    ) else {
        return;
    };
    if let Some(n) = m.get("name") {
        if c.string(n, &at(p, "name"))
            .is_some_and(|s| s.trim().is_empty())
        {
            c.err(at(p, "name"), "rule name must not be empty");
        }
    }
    if let Some(d) = m.get("on_deny") {
        c.string(d, &at(p, "on_deny"));
    }
    let action = match m.get("action") {
        None => "evaluate",
        Some(a) => {
            c.one_of(a, &at(p, "action"), &["evaluate", "deny"], "action");
            a.as_str().unwrap_or("evaluate")
        }
    };
    let has_conditions = m.get("conditions").is_some_and(|v| !v.is_null());
    if let Some(rl) = m.get("rate_limit") {
        let rp = at(p, "rate_limit");
        if let Some(window) = rate_limit(c, rl, &rp) {
            add_counter(c, counters, format!("_rate_{window}"), &rp, tool);
        }
        if has_conditions || m.contains_key("state") {
            c.err(
                rp.clone(),
                "rate_limit cannot be combined with conditions or state: use separate rules",
            );
        }
        if action == "deny" {
            c.err(rp, "rate_limit cannot be used with action \"deny\"");
        }
        return;
    }
    if action == "deny" && has_conditions {
        c.err(
            at(p, "conditions"),
            "a deny rule must not have conditions: it always denies",
        );
    }
    if action == "evaluate" && !has_conditions {
        c.err(
            p.to_vec(),
            "an evaluate rule needs at least one condition (or a rate_limit)",
        );
    }
    if let Some(conds) = m.get("conditions").filter(|v| !v.is_null()) {
        let cp = at(p, "conditions");
        let items = c.array(conds, &cp).cloned().unwrap_or_default();
        if items.is_empty() && action == "evaluate" {
            c.err(cp.clone(), "an evaluate rule needs at least one condition");
        }
        for (j, cond) in items.iter().enumerate() {
            let path = at(&cp, j);
            if let Some(cpath) = c.condition(cond, &path, &["args.", "state."]) {
                if let Some(rest) = cpath.strip_prefix("state.") {
                    match rest.split_once('.') {
                        Some((scope, counter)) if !counter.is_empty() => {
                            reads.push((at(&path, "path"), scope.to_owned(), counter.to_owned()))
                        }
                        _ => c.err(
                            at(&path, "path"),
                            format!(
                                "state paths look like state.<tool>.<counter>, got \"{cpath}\""
                            ),
                        ),
                    }
                }
            }
        }
    }
    if let Some(st) = m.get("state") {
        let sp = at(p, "state");
        if let Some(sm) = c.object(
            st,
            &sp,
            &["counter", "window", "increment", "increment_from"],
            &["counter", "window"],
        ) {
            if let Some(w) = sm.get("window") {
                c.one_of(w, &at(&sp, "window"), WINDOWS, "window");
            }
            if let Some(inc) = sm.get("increment") {
                if !inc.is_i64() {
                    c.err(
                        at(&sp, "increment"),
                        format!("increment must be a whole number, got {inc}"),
                    );
                }
            }
            if let Some(from) = sm.get("increment_from") {
                let fp = at(&sp, "increment_from");
                if let Some(s) = c.string(from, &fp) {
                    if !s.starts_with("args.") || s.len() == 5 {
                        c.err(
                            fp,
                            format!("increment_from must look like \"args.<field>\", got \"{s}\""),
                        );
                    }
                }
            }
            if let Some(name) = sm
                .get("counter")
                .and_then(|n| c.string(n, &at(&sp, "counter")))
            {
                if name.is_empty() {
                    c.err(at(&sp, "counter"), "counter name must not be empty");
                } else {
                    add_counter(c, counters, name.to_owned(), &at(&sp, "counter"), tool);
                }
            }
        }
    }
}

fn add_counter(
    c: &mut Checker,
    counters: &mut BTreeSet<String>,
    name: String,
    p: &[Seg],
    tool: &str,
) {
    if counters.contains(&name) {
        let what = match name.strip_prefix("_rate_") {
            Some(w) => format!("a second rate_limit per {w}"),
            None => format!("counter \"{name}\" is defined twice"),
        };
        c.err(
            p.to_vec(),
            format!("{what} on tool \"{tool}\": one counter per window and tool; combine the rules or use another window"),
        );
    } else {
        counters.insert(name);
    }
}

/// Parses `N/window`; returns the window when valid.
fn rate_limit(c: &mut Checker, v: &Value, p: &[Seg]) -> Option<String> {
    let s = c.string(v, p)?;
    let Some((n, w)) = s.split_once('/') else {
        c.err(
            p.to_vec(),
            format!("rate_limit must look like \"N/minute\", \"N/hour\" or \"N/day\", got \"{s}\""),
        );
        return None;
    };
    let mut ok = true;
    if !n.trim().parse::<u32>().is_ok_and(|n| n > 0) {
        c.err(
            p.to_vec(),
            format!("rate_limit count must be a positive whole number, got \"{n}\""),
        );
        ok = false;
    }
    if !WINDOWS.contains(&w) {
        c.err(
            p.to_vec(),
            format!("rate_limit window must be minute, hour or day, got \"{w}\""),
        );
        ok = false;
    }
    ok.then(|| w.to_owned())
}
