//! Policies from verdicts: PolicyLayer `policy.json` v1, Intercept YAML, and
//! agent-client deny lists (Claude Code, Codex), graded by risk, with argument
//! guards where the schema allows a narrower rule; and `policy check`, which
//! validates any policy.json or Intercept YAML, ours or hand-written.
//!
//! Every format renders the same [`plan::ToolPlan`]s, so they agree on which
//! tool is allowed, limited, refused until a human acts, or hidden. All output is
//! deterministic: sorted keys, stable order, trailing newline.

pub mod check;
mod check_yaml;
pub mod claude;
pub mod codex;
mod dupkeys;
pub mod guards;
pub mod intercept;
pub mod plan;
pub mod policylayer;
mod yaml_locate;

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::classify::Verdict;

/// The formats `mcp-risk policy` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    PolicyLayer,
    Intercept,
    ClaudeCode,
    Codex,
}

/// One file to write: a name relative to `--out` and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutFile {
    pub name: String,
    pub contents: String,
}

/// Renders the files of one server in one format.
pub fn render(format: Format, server: &str, verdicts: &[Verdict]) -> Vec<OutFile> {
    render_keyed(format, server, None, verdicts)
}

/// Like [`render`], with the server's name in the user's agent-client config
/// (`client_key`), which the Claude Code and Codex files address it by;
/// `None` uses `server`. File names always follow `server`.
pub fn render_keyed(
    format: Format,
    server: &str,
    client_key: Option<&str>,
    verdicts: &[Verdict],
) -> Vec<OutFile> {
    render_as(format, server, &file_stem(server), client_key, verdicts)
}

/// Like [`render_keyed`], with the files named after `stem` (one of
/// [`file_stems`], when several servers are written together).
pub fn render_as(
    format: Format,
    server: &str,
    stem: &str,
    client_key: Option<&str>,
    verdicts: &[Verdict],
) -> Vec<OutFile> {
    let key = client_key.unwrap_or(server);
    match format {
        Format::PolicyLayer => vec![
            OutFile {
                name: format!("{stem}.json"),
                contents: policylayer::for_server(verdicts),
            },
            OutFile {
                name: format!("{stem}.reasons.json"),
                contents: policylayer::reasons_for_server(server, verdicts),
            },
        ],
        Format::Intercept => vec![OutFile {
            name: format!("{stem}.yaml"),
            contents: intercept::for_server(server, verdicts),
        }],
        Format::ClaudeCode => vec![OutFile {
            name: format!("{stem}.claude.json"),
            contents: claude::for_server(key, verdicts),
        }],
        Format::Codex => vec![OutFile {
            name: format!("{stem}.codex.toml"),
            contents: codex::for_server(key, verdicts),
        }],
    }
}

/// A server name as a safe, deterministic file stem that people can predict:
/// lowercase ASCII letters, digits, `_` and `-`, every other run of
/// characters one `-` (`io.github.user/repo` → `io-github-user-repo`). Dots
/// go too, so a server called `x.reasons` cannot overwrite `x`'s sidecar.
/// A hash suffix (`-` and 8 hex digits of the name's SHA-256) is added only
/// where the plain stem could stand for another name in a way no reader could
/// tell apart: upper case or non-ASCII letters folded away (`GitHub` and
/// `github` share a directory on case-insensitive filesystems), an empty,
/// reserved or over-long name. Two names that still meet (`a/b` and `a-b`)
/// are told apart by [`file_stems`], which sees every name of the run.
pub fn file_stem(server: &str) -> String {
    const MAX: usize = 80;
    let mut stem = String::with_capacity(server.len().min(MAX));
    let mut folded = false;
    let mut pending = false;
    for c in server.chars() {
        match c {
            'a'..='z' | '0'..='9' | '_' | '-' => {
                if pending && !stem.is_empty() {
                    stem.push('-');
                }
                pending = false;
                stem.push(c);
            }
            'A'..='Z' => {
                if pending && !stem.is_empty() {
                    stem.push('-');
                }
                pending = false;
                folded = true;
                stem.push(c.to_ascii_lowercase());
            }
            _ => {
                folded |= !c.is_ascii();
                pending = true;
            }
        }
    }
    let long = stem.len() > MAX;
    stem.truncate(MAX);
    let reserved = matches!(
        stem.as_str(),
        "con"
            | "prn"
            | "aux"
            | "nul"
            | "com1"
            | "com2"
            | "com3"
            | "com4"
            | "lpt1"
            | "lpt2"
            | "lpt3"
    );
    if folded || long || reserved || stem.is_empty() || stem.starts_with('-') {
        if stem.is_empty() {
            stem.push_str("server");
        }
        stem.push('-');
        stem.push_str(&short_hash(server));
    }
    stem
}

/// A stem's hash suffix: 8 hex digits of the name's SHA-256.
fn short_hash(name: &str) -> String {
    hex::encode(&Sha256::digest(name.as_bytes())[..4])
}

/// The file stems of servers written together, in their order: each its
/// [`file_stem`], but where two different names meet on one stem (`a/b` and
/// `a-b`), each of them gets the hash suffix of its own name, so both are
/// written under names that depend only on the set of servers (never their
/// order), and a server nobody collides with keeps its plain stem.
pub fn file_stems<S: AsRef<str>>(servers: &[S]) -> Vec<String> {
    let plain: Vec<String> = servers.iter().map(|s| file_stem(s.as_ref())).collect();
    let mut claims: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (s, stem) in servers.iter().zip(&plain) {
        claims.entry(stem).or_default().insert(s.as_ref());
    }
    servers
        .iter()
        .zip(&plain)
        .map(|(s, stem)| {
            if claims[stem.as_str()].len() > 1 {
                format!("{stem}-{}", short_hash(s.as_ref()))
            } else {
                stem.clone()
            }
        })
        .collect()
}

/// Quotes a string as a YAML double-quoted scalar that round-trips exactly:
/// every control, line-separator and invisible character is escaped, so
/// hostile tool text cannot break out of the scalar or hide in it.
pub(crate) fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let u = c as u32;
                if u > 0xFFFF {
                    out.push_str(&format!("\\U{u:08x}"));
                } else {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn needs_escape(c: char) -> bool {
    crate::text::is_hidden_or_control(c) || matches!(c as u32, 0x2028 | 0x2029 | 0x85)
}

/// The first line of a file with `#` comments (Intercept YAML, Codex TOML):
/// `# {what} recommended by mcp-risk for server {server}.`
fn header(what: &str, server: &str) -> String {
    format!(
        "# {what} recommended by mcp-risk for server {}.\n",
        comment_safe(server)
    )
}

/// Makes tool text safe inside a one-line comment (YAML `#`, TOML `#`):
/// no line breaks, no hidden characters.
pub(crate) fn comment_safe(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| {
            if matches!(c as u32, 0x2028 | 0x2029) {
                ' '
            } else {
                c
            }
        })
        .collect();
    crate::text::terminal_safe(&one_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_and_distinct() {
        assert_eq!(file_stem("github"), "github");
        assert_eq!(file_stem("git-cyanheads"), "git-cyanheads");
        // Registry names read as typed, with no hash (issue 15: the old
        // stems hashed every name with a dot or slash).
        assert_eq!(file_stem("io.github/foo"), "io-github-foo");
        assert_eq!(
            file_stem("io.github.clickhouse/mcp-clickhouse"),
            "io-github-clickhouse-mcp-clickhouse"
        );
        assert_ne!(file_stem("GitHub"), file_stem("github"));
        assert_ne!(file_stem("a/b"), file_stem("a_b"));
        assert_ne!(file_stem("x.reasons"), "x.reasons");
        assert!(file_stem("").starts_with("server-"));
        assert!(file_stem("../../etc").chars().all(|c| c != '/' && c != '.'));
        assert!(file_stem("nul").starts_with("nul-"));
    }

    /// Two servers whose names meet on one stem are both written, each
    /// under its plain stem and its own name's hash (issue 16: the writer
    /// refused the run); the result does not depend on their order, and a
    /// server nobody collides with keeps its plain stem.
    #[test]
    fn colliding_stems_get_distinct_hashed_names() {
        let stems = file_stems(&["a/b", "github", "a-b"]);
        assert_eq!(file_stem("a/b"), file_stem("a-b"));
        assert_eq!(stems[1], "github");
        assert_ne!(stems[0], stems[2]);
        for (name, stem) in [("a/b", &stems[0]), ("a-b", &stems[2])] {
            let hash = hex::encode(&Sha256::digest(name.as_bytes())[..4]);
            assert_eq!(*stem, format!("a-b-{hash}"));
        }
        let reversed = file_stems(&["a-b", "github", "a/b"]);
        assert_eq!(
            reversed,
            [stems[2].clone(), stems[1].clone(), stems[0].clone()]
        );
        // Alone, each keeps its plain stem.
        assert_eq!(file_stems(&["a/b"]), ["a-b"]);
        // The same name twice is one claim, not a collision.
        assert_eq!(file_stems(&["x", "x"]), ["x", "x"]);
    }

    #[test]
    fn yaml_quote_round_trips_hostile_text() {
        for s in [
            "plain",
            "a \"quoted\" \\ thing",
            "line\nbreak\u{2028}sep\u{85}",
            "bidi\u{202e}x\u{e0041}",
            "# not a comment: [x] {y}",
        ] {
            let doc = format!("k: {}\n", yaml_quote(s));
            let v: serde_json::Value = yaml_serde::from_str(&doc).unwrap();
            assert_eq!(v["k"], s, "{doc}");
        }
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_safe("a\nb\u{2028}c"), "a\\nb c");
    }
}
