//! Turns one `server.json` (the official registry's format) into a
//! [`ServerRecord`]: picks the launch, resolves arguments and URL templates
//! from declared values and defaults only, and gives declared environment
//! variables obvious dummy values.
//!
//! Choice of launch, in order: an npm or PyPI package over stdio (installed
//! and run offline in the sandbox), a remote, an OCI image, then whatever is
//! left (NuGet, MCPB, a package serving HTTP), which is recorded as
//! unavailable with the reason.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::mcp::{ProbeTarget, Status};
use crate::registry::http::str_field;
use crate::registry::{Launch, PackageLaunch, PackageRegistry, ServerRecord};

/// The value given to a declared secret with no default.
pub const DUMMY_SECRET: &str = "mcp-risk-dummy-secret";
/// The value given to any other declared variable with no default.
pub const DUMMY_VALUE: &str = "mcp-risk-dummy";

/// Why an input could not be resolved: the record becomes `needs_config`.
#[derive(Debug)]
struct Unresolved(String);

/// Builds the record for one server.json, labelled with `source`.
pub fn record(server: &Value, source: &str) -> Option<ServerRecord> {
    let name = str_field(server, "name")?.to_owned();
    Some(ServerRecord {
        name,
        source: source.to_owned(),
        version: str_field(server, "version").map(str::to_owned),
        description: str_field(server, "description").map(str::to_owned),
        launch: launch(server),
    })
}

fn launch(server: &Value) -> Launch {
    let packages: &[Value] = server
        .get("packages")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let remotes: &[Value] = server
        .get("remotes")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let mut fallbacks: Vec<Why> = Vec::new();

    let ranked = |reg: &str| match reg {
        "npm" => 0,
        "pypi" => 1,
        "oci" => 3,
        _ => 4,
    };
    let mut ordered: Vec<&Value> = packages.iter().collect();
    ordered.sort_by_key(|p| ranked(str_field(p, "registryType").unwrap_or("")));

    for pkg in ordered
        .iter()
        .filter(|p| matches!(str_field(p, "registryType"), Some("npm" | "pypi")) && is_stdio(p))
    {
        match package(pkg) {
            Ok(l) => return l,
            Err(e) => fallbacks.push(e),
        }
    }
    for remote in remotes {
        match remote_launch(remote) {
            Ok(l) => return l,
            Err(e) => fallbacks.push(e),
        }
    }
    for pkg in ordered {
        if matches!(str_field(pkg, "registryType"), Some("npm" | "pypi")) && is_stdio(pkg) {
            continue;
        }
        match package(pkg) {
            Ok(l) => return l,
            Err(e) => fallbacks.push(e),
        }
    }
    let (status, reason) = fallbacks
        .into_iter()
        .next()
        .unwrap_or_else(|| needs_config("server.json lists no packages and no remotes".to_owned()));
    Launch::Unavailable { status, reason }
}

fn is_stdio(pkg: &Value) -> bool {
    match pkg.get("transport").and_then(|t| str_field(t, "type")) {
        None | Some("stdio") => true,
        Some(_) => false,
    }
}

/// Why a package or remote cannot be used: the status and reason recorded.
type Why = (Status, String);

fn needs_config(reason: String) -> Why {
    (Status::NeedsConfig, reason)
}

/// A package entry, or the unavailable launch that explains why not.
fn package(pkg: &Value) -> Result<Launch, Why> {
    let reg_name = str_field(pkg, "registryType").unwrap_or("");
    let identifier = str_field(pkg, "identifier").unwrap_or("").to_owned();
    let registry = match reg_name {
        "npm" => PackageRegistry::Npm,
        "pypi" => PackageRegistry::Pypi,
        "oci" => PackageRegistry::Oci,
        "nuget" => PackageRegistry::Nuget,
        "mcpb" => PackageRegistry::Mcpb,
        other => {
            return Err((
                Status::SkippedPolicy,
                format!("package registry `{other}` is not supported"),
            ))
        }
    };
    if identifier.is_empty() {
        return Err(needs_config(format!(
            "{reg_name} package has no identifier"
        )));
    }
    if !is_stdio(pkg) {
        let t = pkg
            .get("transport")
            .and_then(|t| str_field(t, "type"))
            .unwrap_or("?");
        return Err(needs_config(format!(
            "{reg_name} package {identifier} serves {t} on a local port; only stdio packages are launched"
        )));
    }
    // OCI images carry their tag in the identifier; others must pin a version.
    let version = match (str_field(pkg, "version"), registry) {
        (Some(v), _) => v.to_owned(),
        (None, PackageRegistry::Oci | PackageRegistry::Mcpb) => String::new(),
        (None, _) => {
            return Err(needs_config(format!(
                "{reg_name} package {identifier} pins no version"
            )))
        }
    };
    let resolved = arguments(pkg.get("runtimeArguments")).and_then(|runtime_args| {
        let package_args = arguments(pkg.get("packageArguments"))?;
        Ok((runtime_args, package_args))
    });
    let env = environment(pkg.get("environmentVariables"));
    match resolved {
        Ok((runtime_args, package_args)) => Ok(Launch::Package(PackageLaunch {
            registry,
            identifier,
            version,
            runtime_args,
            package_args,
            env,
        })),
        Err(Unresolved(why)) => Err(needs_config(format!(
            "{reg_name} package {identifier}: {why}"
        ))),
    }
}

/// The value of an input from `value` (with `{variables}` substituted) or
/// `default`; `None` when it declares neither.
fn input_value(input: &Value) -> Result<Option<String>, Unresolved> {
    if let Some(v) = str_field(input, "value") {
        return substitute(v, input.get("variables")).map(Some);
    }
    if let Some(d) = str_field(input, "default") {
        return Ok(Some(d.to_owned()));
    }
    Ok(None)
}

fn is_true(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Substitutes `{name}` from a `variables` map (each an input with a value or
/// default). A variable with neither is unresolved.
fn substitute(template: &str, vars: Option<&Value>) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let key = &rest[open + 1..open + close];
        let valid = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
        out.push_str(&rest[..open]);
        if !valid {
            out.push('{');
            rest = &rest[open + 1..];
            continue;
        }
        match vars.and_then(|v| v.get(key)) {
            Some(var) => match input_value(var)? {
                Some(val) => out.push_str(&val),
                None => {
                    return Err(Unresolved(format!(
                        "variable `{key}` has no value or default"
                    )))
                }
            },
            None => {
                return Err(Unresolved(format!(
                    "`{{{key}}}` names no declared variable"
                )))
            }
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Resolves an argument list from declared values and defaults only. A
/// required argument without either makes the package `needs_config`; an
/// optional one is left out.
fn arguments(list: Option<&Value>) -> Result<Vec<String>, Unresolved> {
    let mut argv = Vec::new();
    for arg in list
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let kind = str_field(arg, "type").unwrap_or("positional");
        let value = input_value(arg)?;
        let label = str_field(arg, "name")
            .or_else(|| str_field(arg, "valueHint"))
            .unwrap_or("argument");
        let value = match value {
            Some(v) => Some(v),
            None => arg
                .get("choices")
                .and_then(Value::as_array)
                .and_then(|c| c.first())
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        match (kind, value) {
            ("named", Some(v)) => {
                argv.push(label.to_owned());
                argv.push(v);
            }
            ("named", None) if is_true(arg, "isRequired") => {
                return Err(Unresolved(format!(
                    "required argument {label} has no default"
                )))
            }
            ("named", None) => {}
            (_, Some(v)) => argv.push(v),
            (_, None) if is_true(arg, "isRequired") => {
                return Err(Unresolved(format!(
                    "required argument <{label}> has no default"
                )))
            }
            (_, None) => {}
        }
    }
    Ok(argv)
}

/// Declared environment variables: their value or default when given, else an
/// obvious dummy for required ones. Optional ones are left unset so the
/// server's own default applies (a dummy optional connection string, say,
/// makes some servers refuse to start).
fn environment(list: Option<&Value>) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for var in list
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let Some(name) = str_field(var, "name") else {
            continue;
        };
        let value = match input_value(var) {
            Ok(Some(v)) => Some(v),
            Ok(None) | Err(_) => dummy(var),
        };
        if let Some(v) = value {
            env.insert(name.to_owned(), v);
        }
    }
    env
}

/// An obvious dummy value shaped by the input's declared format.
fn dummy(input: &Value) -> Option<String> {
    if !is_true(input, "isRequired") {
        return None;
    }
    let secret = is_true(input, "isSecret");
    if let Some(first) = input
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(Value::as_str)
    {
        return Some(first.to_owned());
    }
    Some(
        match str_field(input, "format").unwrap_or("string") {
            "number" => "0",
            "boolean" => "false",
            "filepath" => "/tmp/mcp-risk-dummy",
            _ if secret => DUMMY_SECRET,
            _ => DUMMY_VALUE,
        }
        .to_owned(),
    )
}

/// A remote entry: its URL template resolved, its headers given values; a
/// required secret header with no value makes it `needs_config`.
fn remote_launch(remote: &Value) -> Result<Launch, Why> {
    let kind = str_field(remote, "type").unwrap_or("streamable-http");
    let sse = match kind {
        "sse" => true,
        "streamable-http" | "http" => false,
        other => {
            return Err(needs_config(format!(
                "remote transport `{other}` is not supported"
            )))
        }
    };
    let Some(template) = str_field(remote, "url") else {
        return Err(needs_config("remote has no url".to_owned()));
    };
    let url = substitute(template, remote.get("variables"))
        .map_err(|Unresolved(why)| needs_config(format!("remote {template}: {why}")))?;
    let mut headers = Vec::new();
    for h in remote
        .get("headers")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let Some(name) = str_field(h, "name") else {
            continue;
        };
        let value = input_value(h).ok().flatten();
        match value {
            Some(v) => headers.push((name.to_owned(), v)),
            None if is_true(h, "isRequired") || is_true(h, "isSecret") => {
                let what = if is_true(h, "isSecret") {
                    "a secret header"
                } else {
                    "a header"
                };
                return Err(needs_config(format!(
                    "remote {url} requires {what} `{name}` that only the user can supply"
                )));
            }
            None => {}
        }
    }
    Ok(Launch::Probe(ProbeTarget::Http { url, headers, sse }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_declared_variables_and_defaults() {
        let vars = json!({"region": {"default": "eu"}, "tenant": {"value": "t1"}});
        assert_eq!(
            substitute("https://{tenant}.{region}.example.com/mcp", Some(&vars)).unwrap(),
            "https://t1.eu.example.com/mcp"
        );
        assert!(substitute("https://{missing}.example.com", Some(&vars)).is_err());
        assert!(substitute("https://{x}.example.com", Some(&json!({"x": {}}))).is_err());
        assert_eq!(substitute("a{b c}", None).unwrap(), "a{b c}");
    }

    #[test]
    fn arguments_from_defaults_only() {
        let args = json!([
            {"type": "named", "name": "--mode", "default": "ro"},
            {"type": "positional", "valueHint": "dir", "value": "/tmp"},
            {"type": "named", "name": "--optional"},
        ]);
        assert_eq!(arguments(Some(&args)).unwrap(), ["--mode", "ro", "/tmp"]);
        let req = json!([{"type": "positional", "valueHint": "path", "isRequired": true}]);
        assert!(arguments(Some(&req)).is_err());
    }

    #[test]
    fn env_gets_dummies_for_required_only() {
        let env = environment(Some(&json!([
            {"name": "TOKEN", "isRequired": true, "isSecret": true},
            {"name": "PORT", "isRequired": true, "format": "number"},
            {"name": "LEVEL", "default": "info"},
            {"name": "OPTIONAL"},
            {"name": "OPTIONAL_SECRET", "isSecret": true},
        ])));
        assert_eq!(env.get("TOKEN").map(String::as_str), Some(DUMMY_SECRET));
        assert_eq!(env.get("PORT").map(String::as_str), Some("0"));
        assert_eq!(env.get("LEVEL").map(String::as_str), Some("info"));
        assert!(!env.contains_key("OPTIONAL"));
        assert!(!env.contains_key("OPTIONAL_SECRET"));
    }
}
