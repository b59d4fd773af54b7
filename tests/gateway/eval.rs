//! A small gateway: what PolicyLayer (policy.json v1) and Intercept (YAML v1)
//! do with one `tools/call`, written from their documentation (our
//! POLICY.md, PolicyLayer's "Writing policies", Intercept's POLICY.md) and,
//! where the documents are silent, from Intercept's engine
//! (`internal/engine/{engine,operators,resolve}.go`):
//!
//! - a path is `args.` and dot-separated object keys; nothing addresses an
//!   array element, and a missing key makes every operator but `exists` false;
//! - `eq`/`neq`/`in`/`not_in` compare numbers as numbers, anything else by its
//!   Go `%v` text; `lt`..`gte` need numbers; `regex` needs a string argument
//!   (an array never matches); `contains` is a substring test on strings and
//!   an element test (by `eq`) on arrays; `exists` is present and not null;
//! - policy.json: `hide` (or `"*"`), then `default` for unlisted tools, then
//!   every `require` item's conditions must hold, then any `deny_if` item
//!   whose conditions all hold (none: always) refuses, then the limits;
//! - Intercept: `hide`, `default`, then the tool's rules and the `"*"` rules
//!   in order: `action: deny` refuses, an `evaluate` rule refuses when any
//!   condition fails, `rate_limit: N/window` refuses past N.
//!
//! Limits are either ignored (is this call allowed at all?) or counted over
//! the calls made through one [`Gateway`], all in the same window.

use std::collections::HashMap;

use serde_json::Value;

/// What the gateway does with rate limits and quotas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limits {
    /// Judge each call on its own: no limit ever refuses.
    Ignore,
    /// Count calls per counter; every call falls in the same window.
    Count,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PolicyLayer,
    Intercept,
}

/// One policy loaded into a gateway, with its counters.
pub struct Gateway {
    kind: Kind,
    policy: Value,
    limits: Limits,
    counters: HashMap<String, u64>,
}

impl Gateway {
    pub fn policylayer(json: &str, limits: Limits) -> Gateway {
        Gateway {
            kind: Kind::PolicyLayer,
            policy: serde_json::from_str(json).expect("policy.json parses"),
            limits,
            counters: HashMap::new(),
        }
    }

    pub fn intercept(yaml: &str, limits: Limits) -> Gateway {
        Gateway {
            kind: Kind::Intercept,
            policy: yaml_serde::from_str(yaml).expect("Intercept YAML parses"),
            limits,
            counters: HashMap::new(),
        }
    }

    /// `Ok(())` when the call goes through, `Err(message)` when refused.
    pub fn call(&mut self, tool: &str, args: &Value) -> Result<(), String> {
        let hidden = self.policy["hide"]
            .as_array()
            .is_some_and(|h| h.iter().any(|n| n == tool || n == "*"));
        if hidden {
            return Err(format!("Tool {tool:?} is hidden by policy"));
        }
        let rule = self.policy["tools"].get(tool).cloned();
        let default_deny = self.policy["default"] == "deny";
        match (self.kind, rule) {
            (_, None) if default_deny => Err(format!("Tool {tool:?} is not permitted by policy")),
            (Kind::PolicyLayer, rule) => self.policylayer_call(tool, rule.as_ref(), args),
            (Kind::Intercept, rule) => self.intercept_call(tool, rule.as_ref(), args),
        }
    }

    fn policylayer_call(
        &mut self,
        tool: &str,
        rule: Option<&Value>,
        args: &Value,
    ) -> Result<(), String> {
        let empty = Value::Null;
        let rule = rule.unwrap_or(&empty);
        for item in rule["require"].as_array().into_iter().flatten() {
            if !all_hold(&item["conditions"], args) {
                return Err(message(
                    item,
                    &format!("{tool}: a required condition fails"),
                ));
            }
        }
        for item in rule["deny_if"].as_array().into_iter().flatten() {
            if all_hold(&item["conditions"], args) {
                return Err(message(item, &format!("{tool}: denied")));
            }
        }
        if self.limits == Limits::Count {
            let mut limits: Vec<&Value> = rule["limits"].as_array().into_iter().flatten().collect();
            limits.extend(
                self.policy["all_tools"]["limits"]
                    .as_array()
                    .into_iter()
                    .flatten(),
            );
            let reserve: Vec<(String, u64)> = limits
                .iter()
                .map(|l| {
                    (
                        l["counter"].as_str().expect("counter").to_owned(),
                        l["max"].as_u64().expect("max"),
                    )
                })
                .collect();
            self.reserve(&reserve)?;
        }
        Ok(())
    }

    fn intercept_call(
        &mut self,
        tool: &str,
        rule: Option<&Value>,
        args: &Value,
    ) -> Result<(), String> {
        // Tool rules first, then the `"*"` rules, whose counters are global.
        let mut rules: Vec<(Value, &str)> = rule
            .and_then(|r| r["rules"].as_array().cloned())
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r, tool))
            .collect();
        if tool != "*" {
            let wildcard = self.policy["tools"]["*"]["rules"].as_array().cloned();
            rules.extend(
                wildcard
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r, "_global")),
            );
        }
        let mut reserve = Vec::new();
        for (r, scope) in &rules {
            let name = r["name"].as_str().unwrap_or("rule");
            if r["action"] == "deny" {
                return Err(message(r, name));
            }
            if let Some(rate) = r["rate_limit"].as_str() {
                let (n, window) = rate.split_once('/').expect("N/window");
                reserve.push((format!("{scope}._rate_{window}"), n.parse().expect("N")));
                continue;
            }
            if !all_hold(&r["conditions"], args) {
                return Err(message(r, name));
            }
        }
        if self.limits == Limits::Count {
            self.reserve(&reserve)?;
        }
        Ok(())
    }

    /// Reserves one call on every counter, or refuses without counting.
    fn reserve(&mut self, counters: &[(String, u64)]) -> Result<(), String> {
        for (name, max) in counters {
            if self.counters.get(name).copied().unwrap_or(0) + 1 > *max {
                return Err(format!("limit {name} of {max} reached"));
            }
        }
        for (name, _) in counters {
            *self.counters.entry(name.clone()).or_insert(0) += 1;
        }
        Ok(())
    }
}

fn message(item: &Value, fallback: &str) -> String {
    item["on_deny"].as_str().unwrap_or(fallback).to_owned()
}

/// Every condition of a list holds (an empty list holds).
fn all_hold(conditions: &Value, args: &Value) -> bool {
    conditions
        .as_array()
        .into_iter()
        .flatten()
        .all(|c| holds(c, args))
}

/// One condition against a call's arguments.
pub fn holds(c: &Value, args: &Value) -> bool {
    let path = c["path"].as_str().expect("path");
    let Some(field) = path.strip_prefix("args.") else {
        // `state.` paths pass when no state is kept (Intercept's engine).
        return true;
    };
    let actual = resolve(args, field);
    let expected = &c["value"];
    let op = c["op"].as_str().expect("op");
    if op == "exists" {
        let present = actual.is_some_and(|v| !v.is_null());
        return expected.as_bool() == Some(present);
    }
    let Some(actual) = actual else {
        return false;
    };
    match op {
        "eq" => eq(actual, expected),
        "neq" => !eq(actual, expected),
        "in" => expected
            .as_array()
            .is_some_and(|l| l.iter().any(|x| eq(actual, x))),
        "not_in" => !expected
            .as_array()
            .is_some_and(|l| l.iter().any(|x| eq(actual, x))),
        "lt" => num_cmp(actual, expected, |a, b| a < b),
        "lte" => num_cmp(actual, expected, |a, b| a <= b),
        "gt" => num_cmp(actual, expected, |a, b| a > b),
        "gte" => num_cmp(actual, expected, |a, b| a >= b),
        "regex" => match (actual.as_str(), expected.as_str()) {
            (Some(s), Some(p)) => regex_match(p, s),
            _ => false,
        },
        "contains" => match (actual, expected) {
            (Value::String(s), Value::String(e)) => s.contains(e.as_str()),
            (Value::String(_), _) => false,
            (Value::Array(items), e) => items.iter().any(|x| eq(x, e)),
            _ => false,
        },
        other => panic!("unknown operator {other}"),
    }
}

/// A pattern that does not compile never matches (as in Intercept);
/// compiled patterns are cached, as Intercept's `regexCache` does.
fn regex_match(pattern: &str, s: &str) -> bool {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, Option<regex::Regex>>> =
            std::cell::RefCell::new(HashMap::new());
    }
    CACHE.with(|c| {
        c.borrow_mut()
            .entry(pattern.to_owned())
            .or_insert_with(|| regex::Regex::new(pattern).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(s))
    })
}

/// A dotted path through objects only: `a.b` in `{"a": {"b": 1}}`.
pub fn resolve<'a>(args: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = args;
    for part in path.split('.') {
        cur = cur.as_object()?.get(part)?;
    }
    Some(cur)
}

fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn eq(a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (to_f64(a), to_f64(b)) {
        return x == y;
    }
    go_text(a) == go_text(b)
}

fn num_cmp(a: &Value, b: &Value, f: fn(f64, f64) -> bool) -> bool {
    match (to_f64(a), to_f64(b)) {
        (Some(x), Some(y)) => f(x, y),
        _ => false,
    }
}

/// Go's `fmt.Sprintf("%v", v)` of a decoded JSON value.
fn go_text(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_text).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_text(&m[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}
