//! Reading tools/list answers from files: the `--input PATH` contract, and
//! the one parser every command reads them with.
//!
//! PATH is a file or a directory of `*.json` files (server name = file stem,
//! directories read in sorted order so output is deterministic). A file holds a
//! tools/list result `{"tools": [...]}`, a JSON-RPC response whose `result` is
//! that, or a bare array of tools.
//!
//! A file is mapped ([`Bytes`]), its tool array streamed as raw tool texts
//! ([`stream_tools`]), and each tool read by [`tolerant::tool_value`]: one
//! tool that `serde_json` refuses (a lone surrogate, a 200-deep schema, a
//! 200 MB description) never fails or empties its file; it is read as far as
//! it can be and carries a [`tolerant::Note`] that raises its verdict.
//! Only a file that is not JSON at all, or holds no tool list, is refused;
//! in a directory such a file is skipped with a warning ([`load_all`]).

pub mod tolerant;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::value::RawValue;
use serde_json::Value;

pub use tolerant::{Note, NoteKind};

/// The tools of one server, as served (each tool's JSON kept verbatim, but
/// for what [`tolerant::tool_value`] had to cut or repair).
#[derive(Clone, Debug)]
pub struct ServerTools {
    pub server: String,
    pub tools: Vec<Value>,
    /// Where the tools came from (a file path), for messages.
    pub origin: PathBuf,
    /// What reading each tool took, by index into `tools` (empty for tools
    /// that did not come from a file).
    pub notes: Vec<ToolNote>,
}

/// An anomaly of one tool of a file.
#[derive(Clone, Debug)]
pub struct ToolNote {
    pub index: usize,
    pub note: Note,
}

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not valid JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: not UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("{path}: no tool list found: expected {{\"tools\": [...]}}, a JSON-RPC response whose \"result\" holds that, or a bare array of tools")]
    Shape { path: PathBuf },
    #[error("{path}: a directory with no *.json files")]
    EmptyDir { path: PathBuf },
}

impl InputError {
    fn json(path: &Path, e: &serde_json::Error) -> InputError {
        InputError::Json {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }
}

/// A file's bytes: mapped read-only when possible (no copy into fresh heap
/// pages, which costs a 331 MB catalogue about half a second), else read.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Read(b) => b,
        }
    }
}

impl Bytes {
    pub fn open(path: &Path) -> Result<Bytes, InputError> {
        let io = |source| InputError::Io {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        if meta.is_file() && meta.len() > 0 {
            // SAFETY: a private read-only mapping of a file we opened. As with
            // any mapped input (ripgrep's too), a file truncated by another
            // process while we read it can fault; `--input` is the user's file.
            if let Ok(m) = unsafe { memmap2::Mmap::map(&file) } {
                #[cfg(unix)]
                let _ = m.advise(memmap2::Advice::Sequential);
                return Ok(Bytes::Mapped(m));
            }
        }
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut buf).map_err(io)?;
        Ok(Bytes::Read(buf))
    }

    /// The bytes as text; a file that is not UTF-8 is refused.
    pub fn text(&self, path: &Path) -> Result<&str, InputError> {
        std::str::from_utf8(self).map_err(|e| InputError::NotUtf8 {
            path: path.to_owned(),
            offset: e.valid_up_to(),
        })
    }
}

/// Extracts the tool array from any of the accepted shapes.
pub fn tools_of(v: Value) -> Option<Vec<Value>> {
    match v {
        Value::Array(a) => Some(a),
        Value::Object(mut o) => {
            if let Some(Value::Array(t)) = o.remove("tools") {
                return Some(t);
            }
            match o.remove("result") {
                Some(r @ Value::Object(_)) | Some(r @ Value::Array(_)) => tools_of(r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The server a file stands for: its stem.
pub fn server_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "server".to_owned())
}

/// Loads one file; the server is named after the file stem. Each tool is
/// read by [`tolerant::tool_value`] (in parallel), so only a file that is not
/// a JSON tool list is an error.
pub fn load_file(path: &Path) -> Result<ServerTools, InputError> {
    let bytes = Bytes::open(path)?;
    let text = bytes.text(path)?;
    let mut raws: Vec<&RawValue> = Vec::new();
    stream_tools(text, path, &mut |batch| raws.extend(batch))?;
    let read: Vec<(Value, Vec<Note>)> = raws
        .par_iter()
        .with_min_len(64)
        .map(|r| tolerant::tool_value(r.get()))
        .collect();
    let mut tools = Vec::with_capacity(read.len());
    let mut notes = Vec::new();
    for (index, (v, ns)) in read.into_iter().enumerate() {
        tools.push(v);
        notes.extend(ns.into_iter().map(|note| ToolNote { index, note }));
    }
    Ok(ServerTools {
        server: server_name(path),
        tools,
        origin: path.to_owned(),
        notes,
    })
}

/// Lists the `*.json` files of a directory (not recursive), sorted.
pub fn json_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let rd = std::fs::read_dir(dir).map_err(|source| InputError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// The files `--input PATH` names: PATH itself, or a directory's `*.json`
/// files (at least one). `Ok(true)` with them when PATH is a directory.
pub fn input_files(path: &Path) -> Result<(Vec<PathBuf>, bool), InputError> {
    let meta = std::fs::metadata(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        return Ok((vec![path.to_owned()], false));
    }
    let files = json_files(path)?;
    if files.is_empty() {
        return Err(InputError::EmptyDir {
            path: path.to_owned(),
        });
    }
    Ok((files, true))
}

/// What `--input` held: the servers read, and the files of a directory that
/// were skipped (each already reported on stderr).
#[derive(Debug, Default)]
pub struct Loaded {
    pub servers: Vec<ServerTools>,
    pub skipped: Vec<InputError>,
}

/// Loads a file or a directory of `*.json` files. A file given by name must
/// be readable; in a directory, a file that is not a JSON tool list is
/// skipped with a warning (the caller exits with [`crate::exit::INPUT_SKIPPED`])
/// unless `strict`, which stops at it. Tool anomalies are reported on stderr.
pub fn load_all(path: &Path, strict: bool) -> Result<Loaded, InputError> {
    let (files, is_dir) = input_files(path)?;
    let mut out = Loaded::default();
    for f in &files {
        match load_file(f) {
            Ok(s) => {
                warn_notes(&s.origin, &s.notes, |i| tool_label(&s.tools[i], i));
                out.servers.push(s);
            }
            Err(e) if is_dir && !strict => {
                warn_skipped(&e);
                out.skipped.push(e);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Loads a file or a directory, stopping at the first bad file (`--strict`).
pub fn load(path: &Path) -> Result<Vec<ServerTools>, InputError> {
    load_all(path, true).map(|l| l.servers)
}

/// Reports a skipped file on stderr.
pub fn warn_skipped(e: &InputError) {
    eprintln!(
        "warning: skipped {} (--strict stops here instead)",
        crate::text::terminal_safe(&e.to_string())
    );
}

/// How many tool anomalies of one file are reported one by one.
const NOTES_SHOWN: usize = 20;

/// Reports a file's tool anomalies on stderr (the first few, then a count).
pub fn warn_notes(origin: &Path, notes: &[ToolNote], label: impl Fn(usize) -> String) {
    for n in notes.iter().take(NOTES_SHOWN) {
        eprintln!(
            "warning: {}: tool {}: {}: {}",
            crate::text::terminal_safe(&origin.display().to_string()),
            crate::text::terminal_safe(&label(n.index)),
            n.note.kind.as_str(),
            crate::text::terminal_safe(&n.note.detail)
        );
    }
    if notes.len() > NOTES_SHOWN {
        eprintln!(
            "warning: {}: and {} more tool anomalies",
            crate::text::terminal_safe(&origin.display().to_string()),
            notes.len() - NOTES_SHOWN
        );
    }
}

/// A tool's name for messages, or `#index`.
pub fn tool_label(tool: &Value, index: usize) -> String {
    match tool.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => format!("{n:?}"),
        _ => format!("#{index}"),
    }
}

/// Streams the raw tools of one file in any accepted shape to `emit`, in
/// order and in batches, as the text is parsed. Raw values are skipped
/// without recursion, so no tool's content can fail the file.
pub fn stream_tools<'a>(
    text: &'a str,
    path: &Path,
    emit: &mut dyn FnMut(Vec<&'a RawValue>),
) -> Result<(), InputError> {
    stream_nested(text, path, emit, 0)
}

/// How many `result` envelopes may wrap the tool list (a JSON-RPC response
/// has one); more is refused rather than re-scanned level by level.
const MAX_ENVELOPES: usize = 4;

fn stream_nested<'a>(
    text: &'a str,
    path: &Path,
    emit: &mut dyn FnMut(Vec<&'a RawValue>),
    depth: usize,
) -> Result<(), InputError> {
    let json_err = |e: serde_json::Error| InputError::json(path, &e);
    let mut de = serde_json::Deserializer::from_str(text);
    if text.trim_start().starts_with('[') {
        serde::Deserializer::deserialize_seq(&mut de, stream::SeqSink(emit))
            .and_then(|_| de.end())
            .map_err(json_err)?;
        return Ok(());
    }
    let found = serde::Deserializer::deserialize_struct(
        &mut de,
        "Envelope",
        &["tools", "result"],
        stream::EnvelopeSink(&mut *emit),
    )
    .and_then(|f| de.end().map(|_| f))
    .map_err(json_err)?;
    match found {
        stream::Found::Tools => Ok(()),
        stream::Found::Result(r) if depth < MAX_ENVELOPES => {
            stream_nested(r.get(), path, emit, depth + 1)
        }
        stream::Found::Result(_) | stream::Found::Neither => Err(InputError::Shape {
            path: path.to_owned(),
        }),
    }
}

mod stream;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_all_three_shapes() {
        let t = json!([{"name": "a"}]);
        assert_eq!(tools_of(json!({"tools": t.clone()})).unwrap().len(), 1);
        assert_eq!(
            tools_of(json!({"jsonrpc": "2.0", "id": 1, "result": {"tools": t.clone()}}))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(tools_of(t).unwrap().len(), 1);
        assert!(tools_of(json!({"foo": 1})).is_none());
        assert!(tools_of(json!("x")).is_none());
    }
}
