//! Turns a command-line SOURCE argument into a [`Source`].
//!
//! Syntax (a prefix forces the kind; without one it is detected):
//!
//! | argument | source |
//! |---|---|
//! | `bundled` | the curated registry shipped in the binary (data/registry.json) |
//! | `official:URL` | an official-registry API (`/v0.1/servers`); query parameters such as `updated_since=` are kept |
//! | `official:PATH` | a dump of it: an array of server.json, or `{"servers": [...]}` |
//! | `glama:URL` | a Glama-style directory API (`/v1/servers`) |
//! | `smithery:URL` | a Smithery-style registry API (key from `SMITHERY_API_KEY`) |
//! | `docker:PATH` | a checkout of docker/mcp-registry (`servers/*/server.yaml`) |
//! | `config:PATH` | a client config (.mcp.json, Claude Desktop, VS Code, Cursor, Codex TOML) |
//! | `https://…` | glama.ai and smithery.ai hosts by name, any other URL as an official-registry API |
//! | a directory | a Docker catalog checkout when it has `*/server.yaml` |
//! | a file | a `.toml` client config; JSON holding `mcpServers`/`servers` is a client config, server.json data is an official dump |
//!
//! Anything else (a tools/list file, a servers file, a directory of tools/list
//! files) is not a registry source: [`source_from_arg`] returns `Ok(None)` so
//! the caller can hand it to the file sources.

use std::path::Path;

use serde_json::Value;

use super::config::{self, ConfigFile};
use super::docker::{self, DockerCatalog};
use super::files;
use super::glama::GlamaApi;
use super::official::{self, OfficialApi, OfficialDump};
use super::smithery::SmitheryApi;
use super::{Bundled, Source, SourceError};

/// What one SOURCE argument names: a registry source, or local files.
pub enum Opened {
    Registry(Box<dyn Source>),
    Local(files::Local),
}

impl Opened {
    pub fn into_source(self) -> Box<dyn Source> {
        match self {
            Opened::Registry(s) => s,
            Opened::Local(l) => l.into_source(),
        }
    }
}

/// The one way a SOURCE argument becomes a source: a registry source when
/// [`source_from_arg`] knows it, otherwise the local files it names.
pub fn open(arg: &str) -> Result<Opened, SourceError> {
    match source_from_arg(arg)? {
        Some(s) => Ok(Opened::Registry(s)),
        None => files::local(Path::new(arg)).map(Opened::Local),
    }
}

/// Picks the source for one argument; `Ok(None)` when it is not a registry
/// source this module knows (see the module docs for the syntax).
pub fn source_from_arg(arg: &str) -> Result<Option<Box<dyn Source>>, SourceError> {
    if arg == "bundled" {
        return Ok(Some(Box::new(Bundled)));
    }
    if let Some((kind, rest)) = arg.split_once(':') {
        let is_url = rest.starts_with("//");
        match kind {
            "official" if is_url_like(rest) => return Ok(Some(Box::new(OfficialApi::new(rest)?))),
            "official" => return Ok(Some(Box::new(OfficialDump::new(existing(rest)?)))),
            "glama" => return Ok(Some(Box::new(GlamaApi::new(rest)?))),
            "smithery" => return Ok(Some(Box::new(SmitheryApi::new(rest)?))),
            "docker" => return Ok(Some(Box::new(DockerCatalog::new(existing(rest)?)))),
            "config" => return Ok(Some(Box::new(ConfigFile::new(existing(rest)?)))),
            "http" | "https" if is_url => return Ok(Some(url_source(arg)?)),
            _ => {}
        }
    }
    let path = Path::new(arg);
    if !path.exists() {
        return Err(SourceError::Invalid {
            what: arg.to_owned(),
            message: "no such file or directory, and not a URL or KIND:VALUE source (kinds: bundled, official, glama, smithery, docker, config)".to_owned(),
        });
    }
    if path.is_dir() {
        if docker::looks_like_catalog(path) {
            return Ok(Some(Box::new(DockerCatalog::new(path))));
        }
        return Ok(None);
    }
    if path.extension().is_some_and(|e| e == "toml") {
        return Ok(Some(Box::new(ConfigFile::new(path))));
    }
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let Ok(doc) = serde_json::from_str::<Value>(&text) else {
        // Comments are only allowed in client configs.
        return Ok(
            if text.contains("mcpServers") || text.contains("\"servers\"") {
                Some(Box::new(ConfigFile::new(path)))
            } else {
                None
            },
        );
    };
    if config::looks_like_config(&doc) {
        return Ok(Some(Box::new(ConfigFile::new(path))));
    }
    if official::looks_like_dump(&doc) {
        return Ok(Some(Box::new(OfficialDump::new(path))));
    }
    Ok(None)
}

fn is_url_like(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn url_source(url: &str) -> Result<Box<dyn Source>, SourceError> {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    if host == "glama.ai" || host.ends_with(".glama.ai") {
        Ok(Box::new(GlamaApi::new(url)?))
    } else if host == "smithery.ai" || host.ends_with(".smithery.ai") {
        Ok(Box::new(SmitheryApi::new(url)?))
    } else {
        Ok(Box::new(OfficialApi::new(url)?))
    }
}

fn existing(p: &str) -> Result<&Path, SourceError> {
    let path = Path::new(p);
    if path.exists() {
        Ok(path)
    } else {
        Err(SourceError::Invalid {
            what: p.to_owned(),
            message: "no such file or directory".to_owned(),
        })
    }
}
