//! Reading tools/list answers from files: the `--input PATH` contract.
//!
//! PATH is a file or a directory of `*.json` files (server name = file stem,
//! directories read in sorted order so output is deterministic). A file holds a
//! tools/list result `{"tools": [...]}`, a JSON-RPC response whose `result` is
//! that, or a bare array of tools.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The tools of one server, as served (each tool's JSON kept verbatim).
#[derive(Clone, Debug)]
pub struct ServerTools {
    pub server: String,
    pub tools: Vec<Value>,
    /// Where the tools came from (a file path), for messages.
    pub origin: PathBuf,
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
    #[error("{path}: no tool list found: expected {{\"tools\": [...]}}, a JSON-RPC response whose \"result\" holds that, or a bare array of tools")]
    Shape { path: PathBuf },
    #[error("{path}: a directory with no *.json files")]
    EmptyDir { path: PathBuf },
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

/// Loads one file; the server is named after the file stem.
pub fn load_file(path: &Path) -> Result<ServerTools, InputError> {
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| InputError::Json {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let tools = tools_of(v).ok_or_else(|| InputError::Shape {
        path: path.to_owned(),
    })?;
    let server = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "server".to_owned());
    Ok(ServerTools {
        server,
        tools,
        origin: path.to_owned(),
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

/// Loads a file or a directory of `*.json` files. Fails on the first bad file:
/// `--input` is the user's own data and a silent skip would hide a mistake.
pub fn load(path: &Path) -> Result<Vec<ServerTools>, InputError> {
    let meta = std::fs::metadata(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    if meta.is_dir() {
        let files = json_files(path)?;
        if files.is_empty() {
            return Err(InputError::EmptyDir {
                path: path.to_owned(),
            });
        }
        files.iter().map(|f| load_file(f)).collect()
    } else {
        Ok(vec![load_file(path)?])
    }
}

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
