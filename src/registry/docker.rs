//! Docker's MCP catalog, read from a checkout of its repository
//! (`servers/<name>/server.yaml`, and `tools.json` beside it). Tools listed by
//! the catalog (tools.json, or inline `tools:` in server.yaml) are taken as
//! they are and nothing is run; otherwise a `remote` is probed and an image
//! is an OCI package (launched only with `--allow-exec`, through a container
//! engine).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::http::str_field;
use super::official::server_json::{DUMMY_SECRET, DUMMY_VALUE};
use super::{
    Launch, PackageLaunch, PackageRegistry, ServerRecord, Source, SourceError, SourceFuture,
};
use crate::mcp::{ProbeTarget, Status};

#[derive(Clone, Debug)]
pub struct DockerCatalog {
    /// The checkout root (holding `servers/`) or the `servers/` directory itself.
    pub path: PathBuf,
}

impl DockerCatalog {
    pub fn new(path: &Path) -> DockerCatalog {
        DockerCatalog {
            path: path.to_owned(),
        }
    }

    fn servers_dir(&self) -> PathBuf {
        let nested = self.path.join("servers");
        if nested.is_dir() {
            nested
        } else {
            self.path.clone()
        }
    }

    fn read(&self) -> Result<Vec<ServerRecord>, SourceError> {
        let dir = self.servers_dir();
        let rd = std::fs::read_dir(&dir).map_err(|source| crate::input::InputError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut dirs: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("server.yaml").is_file())
            .collect();
        dirs.sort();
        if dirs.is_empty() {
            return Err(SourceError::Invalid {
                what: self.path.display().to_string(),
                message:
                    "no servers/*/server.yaml here: is this a checkout of docker/mcp-registry?"
                        .to_owned(),
            });
        }
        // A server.yaml that cannot be read is that server's row (`not_mcp`,
        // with why), never the whole catalog's failure.
        Ok(dirs
            .iter()
            .map(|d| read_server(d).unwrap_or_else(|e| unreadable_server(d, &e)))
            .collect())
    }
}

/// The row of a server whose server.yaml could not be read: named by its
/// directory, recorded as `not_mcp` with the reason.
fn unreadable_server(dir: &Path, e: &SourceError) -> ServerRecord {
    ServerRecord {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        source: "docker".to_owned(),
        version: None,
        description: None,
        launch: Launch::Unavailable {
            status: Status::NotMcp,
            reason: e.to_string(),
        },
    }
}

/// Whether a directory looks like a catalog checkout (for autodetection).
pub fn looks_like_catalog(path: &Path) -> bool {
    let servers = if path.join("servers").is_dir() {
        path.join("servers")
    } else {
        path.to_owned()
    };
    std::fs::read_dir(servers).is_ok_and(|rd| {
        rd.filter_map(Result::ok)
            .any(|e| e.path().join("server.yaml").is_file())
    })
}

fn read_server(dir: &Path) -> Result<ServerRecord, SourceError> {
    let yaml_path = dir.join("server.yaml");
    let what = yaml_path.display().to_string();
    let text =
        std::fs::read_to_string(&yaml_path).map_err(|source| crate::input::InputError::Io {
            path: yaml_path.clone(),
            source,
        })?;
    let doc: Value = yaml_serde::from_str(&text).map_err(|e| SourceError::Invalid {
        what: what.clone(),
        message: format!("not valid YAML: {e}"),
    })?;
    let dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = str_field(&doc, "name").unwrap_or(&dir_name).to_owned();
    let about = doc.get("about");
    let description = about
        .and_then(|a| str_field(a, "description"))
        .map(str::to_owned);

    // tools.json is read by the one tolerant input reader, as a tools file
    // given by name is: a hostile tool is read as far as it can be, and a
    // file that is not JSON makes this server a row, not the catalog an error.
    // One that holds no tool list is passed over, as an empty one is.
    let tools_path = dir.join("tools.json");
    let mut tools: Vec<Value> = Vec::new();
    let mut unreadable = None;
    if tools_path.is_file() {
        match crate::input::load_file(&tools_path) {
            Ok(st) => tools = st.tools,
            Err(crate::input::InputError::Shape { .. }) => {}
            Err(e) => unreadable = Some(e),
        }
    }
    if tools.is_empty() {
        tools = doc
            .get("tools")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
    }
    let launch = match unreadable {
        Some(e) => Launch::Unavailable {
            status: Status::NotMcp,
            reason: e.to_string(),
        },
        None if !tools.is_empty() => Launch::Tools { tools },
        None => launch_of(&doc),
    };
    Ok(ServerRecord {
        name,
        source: "docker".to_owned(),
        version: doc
            .get("source")
            .and_then(|s| str_field(s, "commit"))
            .map(str::to_owned),
        description,
        launch,
    })
}

/// The `{{server.param}}` placeholders of a catalog value resolved from the
/// server's declared parameter defaults; `None` when one has no default.
fn resolve_placeholders(text: &str, params: Option<&Value>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let close = rest[open..].find("}}")?;
        out.push_str(&rest[..open]);
        let expr = rest[open + 2..open + close].trim();
        // `server.param|filter`: the last dotted segment names the parameter.
        let key = expr.split('|').next()?.rsplit('.').next()?.trim();
        let default = params
            .and_then(|p| p.get("properties"))
            .and_then(|p| p.get(key))
            .and_then(|p| p.get("default"))?;
        match default {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    Some(out)
}

fn launch_of(doc: &Value) -> Launch {
    let config = doc.get("config");
    let params = config.and_then(|c| c.get("parameters"));
    if let Some(remote) = doc.get("remote") {
        let Some(url) = str_field(remote, "url") else {
            return Launch::Unavailable {
                status: Status::NeedsConfig,
                reason: "remote server with no url".to_owned(),
            };
        };
        let mut headers = Vec::new();
        if let Some(h) = remote.get("headers").and_then(Value::as_object) {
            for (k, v) in h {
                let v = v.as_str().unwrap_or_default();
                if v.contains("${") || v.contains("{{") {
                    return Launch::Unavailable {
                        status: Status::NeedsConfig,
                        reason: format!(
                            "remote {url} requires a secret header `{k}` that only the user can supply"
                        ),
                    };
                }
                headers.push((k.clone(), v.to_owned()));
            }
        }
        let sse = str_field(remote, "transport_type") == Some("sse");
        return Launch::Probe(ProbeTarget::Http {
            url: url.to_owned(),
            headers,
            sse,
        });
    }
    let Some(image) = str_field(doc, "image") else {
        return Launch::Unavailable {
            status: Status::NeedsConfig,
            reason: "catalog entry has no tools, no remote and no image".to_owned(),
        };
    };
    let mut env = BTreeMap::new();
    for s in config
        .and_then(|c| c.get("secrets"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        if let Some(name) = str_field(s, "env") {
            env.insert(name.to_owned(), DUMMY_SECRET.to_owned());
        }
    }
    for e in config
        .and_then(|c| c.get("env"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let Some(name) = str_field(e, "name") else {
            continue;
        };
        let value = str_field(e, "value")
            .and_then(|v| resolve_placeholders(v, params))
            .or_else(|| str_field(e, "example").map(str::to_owned))
            .unwrap_or_else(|| DUMMY_VALUE.to_owned());
        env.insert(name.to_owned(), value);
    }
    let mut package_args = Vec::new();
    if let Some(cmd) = doc
        .get("run")
        .and_then(|r| r.get("command"))
        .and_then(Value::as_array)
    {
        for arg in cmd {
            let text = arg.as_str().unwrap_or_default();
            match resolve_placeholders(text, params) {
                Some(a) => package_args.push(a),
                None => {
                    return Launch::Unavailable {
                        status: Status::NeedsConfig,
                        reason: format!(
                        "image {image}: argument `{text}` needs a value only the user can supply"
                    ),
                    }
                }
            }
        }
    }
    // The catalog names images without a tag: the engine pulls `latest`.
    let (identifier, version) = match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo.to_owned(), tag.to_owned()),
        _ => (image.to_owned(), "latest".to_owned()),
    };
    Launch::Package(PackageLaunch {
        registry: PackageRegistry::Oci,
        identifier,
        version,
        runtime_args: Vec::new(),
        package_args,
        env,
    })
}

impl Source for DockerCatalog {
    fn describe(&self) -> String {
        format!("docker catalog {}", self.path.display())
    }

    fn records(&self) -> SourceFuture<'_> {
        Box::pin(async move { self.read() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_resolve_from_defaults_only() {
        let params = json!({"properties": {"nodeenv": {"type": "string", "default": "production"}, "path": {"type": "string"}}});
        assert_eq!(
            resolve_placeholders("{{srv.nodeenv}}", Some(&params)).as_deref(),
            Some("production")
        );
        assert_eq!(
            resolve_placeholders("{{srv.path|volume}}", Some(&params)),
            None
        );
        assert_eq!(
            resolve_placeholders("plain", None).as_deref(),
            Some("plain")
        );
    }
}
