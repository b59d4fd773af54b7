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

pub use stream::CHUNK;
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
        // simdutf8 says only whether the bytes are UTF-8, several times
        // faster than std; std then says where a bad byte is.
        match simdutf8::basic::from_utf8(self) {
            Ok(text) => Ok(text),
            Err(_) => std::str::from_utf8(self).map_err(|e| InputError::NotUtf8 {
                path: path.to_owned(),
                offset: e.valid_up_to(),
            }),
        }
    }

    /// The bytes, checked once to be UTF-8, to be held and read as text
    /// later ([`Text`]); a file that is not UTF-8 is refused.
    pub fn into_text(self, path: &Path) -> Result<Text, InputError> {
        // A large file is checked in pieces on every core (its pages are
        // first touched here, which costs more than the check).
        if !utf8_in_pieces(&self, 4 << 20) {
            self.text(path)?;
        }
        Ok(Text(self))
    }
}

/// Whether `b` is UTF-8, checked in pieces of about `piece` bytes on every
/// core. A piece is cut where a character starts (a byte that is not
/// 0b10xxxxxx): then the text is UTF-8 exactly when every piece is.
fn utf8_in_pieces(b: &[u8], piece: usize) -> bool {
    let mut cuts = vec![0];
    while let Some(&last) = cuts.last() {
        if last == b.len() {
            break;
        }
        let mut c = (last + piece.max(1)).min(b.len());
        // Four continuation bytes in a row are not UTF-8 anyway.
        for _ in 0..4 {
            if c < b.len() && (b[c] as i8) < -64 {
                c += 1;
            }
        }
        cuts.push(c);
    }
    cuts.par_windows(2)
        .all(|w| simdutf8::basic::from_utf8(&b[w[0]..w[1]]).is_ok())
}

/// A file's bytes known to be UTF-8 ([`Bytes::into_text`]): held while the
/// next file is read, and read as text without checking again.
pub struct Text(Bytes);

impl Text {
    pub fn as_str(&self) -> &str {
        // SAFETY: `into_text` checked these bytes are UTF-8, and `Bytes`
        // never changes them (a read-only mapping or an owned buffer).
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

/// The index just past the JSON string that opens at `b[i]` (a quote;
/// `None` if it does not end), and whether the string holds an escape (so
/// a key need not be searched for one again); sets `refuse` when an escape
/// is one [`might_refuse`] flags (a surrogate's).
// Inlined: called once per string (80 a tool), where a call costs as
// much as skipping a short string.
#[inline(always)]
fn string_end_escaped(b: &[u8], i: usize, refuse: &mut bool) -> Option<(usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        j += quote_or_backslash(b.get(j..)?)?;
        if b[j] == b'"' {
            return Some((j + 1, escaped));
        }
        escaped = true;
        let (lone, skip) = escape_at(b, j);
        *refuse |= lone;
        j += skip;
    }
}

/// The escape at `b[j]` (a backslash): whether it is a lone surrogate
/// (`\ud800`..`\udfff` that is not a high one, `\ud800`..`\udbff`, right
/// before a low one, `\udc00`..`\udfff`: such a pair is one character,
/// an emoji say, which serde_json reads), and how many bytes to skip: the
/// backslash and the escaped byte, or the whole pair.
fn escape_at(b: &[u8], j: usize) -> (bool, usize) {
    let at = |k: usize| b.get(j + k).copied().unwrap_or(0);
    let surrogate = |k: usize, second: fn(u8) -> bool| {
        at(k) == b'\\'
            && at(k + 1) == b'u'
            && matches!(at(k + 2), b'd' | b'D')
            && second(at(k + 3))
            && at(k + 4).is_ascii_hexdigit()
            && at(k + 5).is_ascii_hexdigit()
    };
    let high = |c: u8| matches!(c, b'8'..=b'9' | b'a'..=b'b' | b'A'..=b'B');
    let low = |c: u8| matches!(c, b'c'..=b'f' | b'C'..=b'F');
    if at(1) != b'u' || !matches!(at(2), b'd' | b'D') || !(high(at(3)) || low(at(3))) {
        return (false, 2);
    }
    if surrogate(0, high) && surrogate(6, low) {
        // Twelve bytes, none of them a quote.
        return (false, 12);
    }
    (true, 2)
}

/// The index of the first `"` or `\` in `s`. Most strings of a tool are
/// short (keys, types, names: on the 10k-tool sample, 83% of a tool's 80
/// strings are under 16 bytes, 95% under 64), so the first [`SHORT`] bytes are looked at a word (8 bytes) at a
/// time, inline: memchr's call and set-up cost more than such a string.
/// The rest of a longer one is left to memchr.
#[inline(always)]
fn quote_or_backslash(s: &[u8]) -> Option<usize> {
    /// Bytes looked at word by word before memchr takes over.
    const SHORT: usize = 64;
    let mut k = 0;
    while let Some(w) = s.get(k..k + 8) {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        let m = byte_mask(w, b'"') | byte_mask(w, b'\\');
        if m != 0 {
            // The lowest flagged byte is always a true match (see `byte_mask`).
            return Some(k + (m.trailing_zeros() / 8) as usize);
        }
        k += 8;
        if k >= SHORT {
            return memchr::memchr2(b'"', b'\\', &s[k..]).map(|p| k + p);
        }
    }
    s[k..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|p| k + p)
}

/// The high bit of each byte of `w` (little-endian) that equals `c`, by the
/// classic zero-byte test on `w ^ c…c`. A byte above a match may be flagged
/// wrongly (the subtraction's borrow), never one below: the lowest flagged
/// byte is a match.
#[inline]
fn byte_mask(w: u64, c: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = w ^ (ONES * c as u64);
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// The first index at or after `i` that is not JSON whitespace.
pub(crate) fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The index just past the JSON value that starts at `b[i]`, a value
/// inside `outer` containers, setting `refuse`
/// where [`might_refuse`] flags the value (valid JSON: for other text the
/// flag means nothing): a surrogate escape, a number that may be out of
/// range, or a container `tolerant::MAX_DEPTH` deep counting the `outer`
/// ones. The split learns so, while finding where a tool ends, what
/// `might_refuse` would learn in another pass over the tool.
fn value_end_scan(b: &[u8], i: usize, outer: usize, refuse: &mut bool) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end_escaped(b, i, refuse).map(|(end, _)| end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            // Strings are skipped whole, so only structure is counted.
            loop {
                match *b.get(j)? {
                    b'"' => j = string_end_escaped(b, j, refuse)?.0,
                    b'{' | b'[' => {
                        depth += 1;
                        *refuse |= outer + depth >= tolerant::MAX_DEPTH;
                        j += 1;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        j += 1;
                        if depth == 0 {
                            return Some(j);
                        }
                    }
                    b'0'..=b'9' => {
                        // A number's token, as `might_refuse` reads it.
                        let end = number_end(b, j);
                        *refuse |= number_may_overflow(&b[j..end]);
                        j = end;
                    }
                    _ => j += 1,
                }
            }
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                j += 1;
            }
            // A scalar: no string or container in it (in valid JSON).
            *refuse |= might_refuse(&b[i..j], usize::MAX);
            Some(j)
        }
    }
}

/// The end of the number token that starts at `b[i]` (digits, `.`, `e`,
/// `E`, signs), as [`might_refuse`] reads one.
fn number_end(b: &[u8], i: usize) -> usize {
    i + b[i..]
        .iter()
        .position(|c| !matches!(c, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'))
        .unwrap_or(b.len() - i)
}

/// Whether `serde_json::Value` might refuse valid JSON text although the
/// input layer's tolerant reading takes it ([`tolerant::tool_value`]): it
/// nests containers `limit` deep or deeper, a string holds a lone-surrogate
/// escape (`\ud800`..`\udfff` not in a pair, see [`escape_at`]), or a number may be out of `f64` range (an exponent of three
/// or more digits, or 32 digits in a row: a mantissa past range has 309).
/// One pass: strings are skipped with memchr, escapes looked at as met.
pub(crate) fn might_refuse(b: &[u8], limit: usize) -> bool {
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                let mut j = i + 1;
                loop {
                    match quote_or_backslash(&b[j.min(b.len())..]) {
                        None => return false,
                        Some(k) => j += k,
                    }
                    if b[j] == b'"' {
                        break;
                    }
                    let (lone, skip) = escape_at(b, j);
                    if lone {
                        return true;
                    }
                    // Skip the escaped character too (`\\u` is a backslash,
                    // then `u`), or the whole of a surrogate pair.
                    j += skip;
                }
                i = j + 1;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth >= limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'0'..=b'9' => {
                let end = number_end(b, i);
                if number_may_overflow(&b[i..end]) {
                    return true;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// Whether one number token may be out of `f64` range (see [`might_refuse`]).
fn number_may_overflow(n: &[u8]) -> bool {
    let mut run = 0;
    for (k, c) in n.iter().enumerate() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 32 {
                return true;
            }
            continue;
        }
        run = 0;
        if matches!(c, b'e' | b'E') && k > 0 && n[k - 1].is_ascii_digit() {
            let rest = &n[k + 1..];
            let rest = rest
                .strip_prefix(b"+")
                .or_else(|| rest.strip_prefix(b"-"))
                .unwrap_or(rest);
            if rest.len() >= 3 && rest[..3].iter().all(u8::is_ascii_digit) {
                return true;
            }
        }
    }
    false
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
    // The common shapes, `[...]` and `{"tools": [...]}`: the elements are
    // found by a scanner that only counts brackets and skips strings, and
    // each is checked by serde_json on both cores (the same check the
    // streaming parse makes), so the serial part is the scan alone. Any
    // other shape, and any text that fails a check, is parsed as before,
    // which gives the same raw tools or the same error.
    if let Some(elements) = array_elements(text) {
        let raws: Option<Vec<&'a RawValue>> = elements
            .par_iter()
            .with_min_len(64)
            .map(|e| serde_json::from_str::<&'a RawValue>(e).ok())
            .collect();
        if let Some(raws) = raws {
            for chunk in raws.chunks(stream::CHUNK) {
                emit(chunk.to_vec());
            }
            return Ok(());
        }
    }
    stream_nested(text, path, emit, 0)
}

/// The raw texts of the last top-level `name` and `annotations` members of
/// an object (a repeated member: the last wins, as in a loaded `Value`).
pub type Head<'a> = (Option<&'a str>, Option<&'a str>);

/// The object that opens at `text[i]`: the index just past it, and its
/// [`Head`]. Members are found by a scanner that skips strings with memchr
/// and counts brackets, so only keys are looked at; `None` when the value
/// is not an object, a key does not decode, or the members do not scan
/// (the text need not be JSON: what it gives for text that is not is
/// thrown away with the file's fast path).
pub(crate) fn object_head(text: &str, i: usize) -> Option<(usize, Head<'_>)> {
    object_head_scan(text, i, &mut false)
}

/// [`object_head`], setting `refuse` as [`value_end_scan`] does for the
/// object (its keys, its members' values, one container deep).
fn object_head_scan<'a>(
    text: &'a str,
    mut i: usize,
    refuse: &mut bool,
) -> Option<(usize, Head<'a>)> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let (mut name, mut annotations) = (None, None);
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some((i + 1, (None, None)));
    }
    loop {
        // A key.
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (end, escaped) = string_end_escaped(b, i, refuse)?;
        let key = &text[i + 1..end - 1];
        let decoded;
        let key = if escaped {
            decoded = serde_json::from_str::<String>(&text[i..end]).ok()?;
            decoded.as_str()
        } else {
            key
        };
        i = ws(b, end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = ws(b, i + 1);
        let end = value_end_scan(b, start, 1, refuse)?;
        match key {
            "name" => name = Some(&text[start..end]),
            "annotations" => annotations = Some(&text[start..end]),
            _ => {}
        }
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b'}') => return Some((i + 1, (name, annotations))),
            _ => return None,
        }
    }
}

/// The element texts of a document that is a JSON array, or an object
/// whose only member is `"tools"`, an array; `None` for any other shape or
/// where the structure between elements is not JSON. The elements
/// themselves are not checked.
fn array_elements(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    array_elements_each(text, usize::MAX, &mut |batch| {
        out.extend(batch.into_iter().map(|(e, _, _)| e))
    })?;
    Some(out)
}

/// One batch of [`array_elements_each`]: each element's text, its
/// [`object_head`] when the scan read it, and whether it is plain: valid
/// JSON that [`might_refuse`] would not flag (learnt while finding its end,
/// so the view need not look again).
pub(crate) type Elements<'a> = Vec<(&'a str, Option<Option<Head<'a>>>, bool)>;

/// [`array_elements`], handed to `emit` in order in batches of `chunk` as
/// the text is scanned (so the batches can be worked on while the rest is
/// scanned), each with its [`object_head`] when it is an object whose head
/// was read while finding its end (`Some(None)`: not an object, or one whose
/// members did not scan). `None` (after some batches, perhaps) when the
/// document is not of that shape: what was emitted is then to be thrown away.
///
/// A large text is scanned as two halves at once: the second half from a
/// place near the middle that looks like the start of an element (an
/// object with a string `name` after `},`), taken only if the first half's
/// scan, which alone knows where elements start, arrives exactly there.
/// Otherwise the first half's scan simply goes on, and the result is the
/// same.
pub(crate) fn array_elements_each<'a>(
    text: &'a str,
    chunk: usize,
    emit: &mut (dyn FnMut(Elements<'a>) + Send),
) -> Option<()> {
    elements_in_halves(text, chunk, HALVES_FROM, emit)
}

/// [`array_elements_each`], scanning a text of `halves_from` bytes or more
/// as two halves at once.
fn elements_in_halves<'a>(
    text: &'a str,
    chunk: usize,
    halves_from: usize,
    emit: &mut (dyn FnMut(Elements<'a>) + Send),
) -> Option<()> {
    let b = text.as_bytes();
    let (mut i, enveloped) = array_opening(b)?;
    if b.len() >= halves_from && rayon::current_num_threads() > 1 {
        if let Some(c) = element_start_near(text, b.len() / 2) {
            let (first, second) = rayon::join(
                || elements(text, i, enveloped, c, chunk, &mut *emit),
                || {
                    let mut rest = Vec::new();
                    elements(text, c, enveloped, usize::MAX, usize::MAX, &mut |e| {
                        rest.extend(e)
                    })
                    .map(|_| rest)
                },
            );
            match first? {
                Scanned::To(at) if at == c => {
                    if let Some(rest) = second {
                        for batch in rest.chunks(chunk) {
                            emit(batch.to_vec());
                        }
                        return Some(());
                    }
                    i = at;
                }
                Scanned::To(at) => i = at,
                Scanned::End => return Some(()),
            }
        }
    }
    match elements(text, i, enveloped, usize::MAX, chunk, emit)? {
        Scanned::End => Some(()),
        Scanned::To(_) => None,
    }
}

/// Texts from this long are scanned as two halves at once (a file of a
/// few thousand tools; below that the other core has the file's other work).
const HALVES_FROM: usize = 8 << 20;

/// Where an array's elements begin (past `[`, or `{"tools": [`), and
/// whether it is enveloped; `None` for another shape.
fn array_opening(b: &[u8]) -> Option<(usize, bool)> {
    let mut i = ws(b, 0);
    let enveloped = match *b.get(i)? {
        b'[' => false,
        b'{' => {
            i = ws(b, i + 1);
            if !b[i..].starts_with(b"\"tools\"") {
                return None;
            }
            i = ws(b, i + 7);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = ws(b, i + 1);
            if b.get(i) != Some(&b'[') {
                return None;
            }
            true
        }
        _ => return None,
    };
    Some((ws(b, i + 1), enveloped))
}

/// How a scan of elements ended.
enum Scanned {
    /// The document's end, its shape held.
    End,
    /// An element starts here, at or past where the scan was to stop.
    To(usize),
}

/// Scans the elements from `i` (where one starts, or the array ends), in
/// batches of `chunk` to `emit`, to the document's end or to the first
/// element that starts at or past `stop`; `None` when the shape breaks.
fn elements<'a>(
    text: &'a str,
    mut i: usize,
    enveloped: bool,
    stop: usize,
    chunk: usize,
    emit: &mut dyn FnMut(Elements<'a>),
) -> Option<Scanned> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            if i >= stop {
                if !out.is_empty() {
                    emit(out);
                }
                return Some(Scanned::To(i));
            }
            let mut refuse = false;
            let (end, head) = match object_head_scan(text, i, &mut refuse) {
                Some((end, h)) => (end, Some(h)),
                None => {
                    // Scanned again whole: forget what the head's scan saw.
                    refuse = false;
                    (value_end_scan(b, i, 0, &mut refuse)?, None)
                }
            };
            if end == i || end > b.len() {
                return None;
            }
            out.push((text.get(i..end)?, Some(head), !refuse));
            if out.len() == chunk {
                emit(std::mem::take(&mut out));
            }
            i = ws(b, end);
            match *b.get(i)? {
                b',' => i = ws(b, i + 1),
                b']' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    if enveloped {
        i = ws(b, i);
        if b.get(i) != Some(&b'}') {
            return None;
        }
        i += 1;
    }
    if ws(b, i) != b.len() {
        return None;
    }
    if !out.is_empty() {
        emit(out);
    }
    Some(Scanned::End)
}

/// A place at or after `from` that looks like an element's start: an
/// object after `},` whose `name` is a string and which is followed by `,`
/// or `]`. Only a guess (it may sit in a string or a nested array); the
/// first few such places within a megabyte are tried.
fn element_start_near(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let end = b.len().min(from + (1 << 20));
    let mut at = from;
    for _ in 0..16 {
        let k = at + memchr::memmem::find(b.get(at..end)?, b"},")?;
        at = k + 2;
        let c = ws(b, at);
        if b.get(c) != Some(&b'{') || b.get(ws(b, c + 1)) != Some(&b'"') {
            continue;
        }
        if let Some((e, (Some(name), _))) = object_head(text, c) {
            if name.starts_with('"') && matches!(b.get(ws(b, e)), Some(b',' | b']')) {
                return Some(c);
            }
        }
    }
    None
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
    /// Checking UTF-8 in pieces agrees with checking it whole, wherever the
    /// cuts fall: inside multi-byte characters, on stray continuation bytes,
    /// on truncated sequences.
    #[test]
    fn utf8_in_pieces_agrees_with_std() {
        let texts: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"plain ascii".to_vec(),
            "caf\u{e9} \u{1F600} \u{4e2d}\u{6587} \u{10FFFF}"
                .as_bytes()
                .to_vec(),
            b"\x80 leading continuation".to_vec(),
            b"a\xe2\x82 truncated".to_vec(),
            b"four \x80\x80\x80\x80 continuations".to_vec(),
            b"\xf0\x9f\x98".to_vec(),
            b"ok \xed\xa0\x80 surrogate".to_vec(),
            b"over \xf4\x90\x80\x80 long".to_vec(),
            [&b"x"[..], "\u{1F600}".repeat(9).as_bytes(), b"\xff"].concat(),
        ];
        for t in &texts {
            let want = std::str::from_utf8(t).is_ok();
            for piece in 1..=9 {
                assert_eq!(
                    super::utf8_in_pieces(t, piece),
                    want,
                    "{t:?} in pieces of {piece}"
                );
            }
        }
    }

    /// Scanning a document as two halves gives what scanning it in one
    /// pass gives, wherever the middle falls: on an element's start, inside
    /// a string, inside a nested array of objects that look like tools, or
    /// in a document that breaks after the middle.
    #[test]
    fn scanning_in_halves_agrees_with_one_pass() {
        let tool = |i: usize| {
            format!(
                r#"{{"name":"t{i}","description":"x }},{{\"name\":\"fake\"}} y","inputSchema":{{"anyOf":[{{"name":"a"}},{{"name":"b"}},{{"name":"c"}}]}},"annotations":{{"readOnlyHint":true}}}}"#
            )
        };
        let mut docs = Vec::new();
        for n in [1, 2, 3, 6] {
            let tools: Vec<String> = (0..n).map(tool).collect();
            docs.push(format!("[{}]", tools.join(",")));
            docs.push(format!("{{\"tools\": [ {} ] }}", tools.join(" ,\n ")));
            docs.push(format!("[{}],", tools.join(",")));
            docs.push(format!("[{},tru]", tools.join(",")));
            docs.push(format!("[{}", tools.join(",")));
        }
        fn scan(d: &str, halves_from: usize) -> Option<super::Elements<'_>> {
            let mut out = Vec::new();
            super::elements_in_halves(d, 3, halves_from, &mut |b| out.extend(b)).map(|_| out)
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| {
            for d in &docs {
                // Blanks before or after the document move its middle over
                // every place in it.
                for k in 0..=d.len() {
                    for t in [
                        format!("{}{d}", " ".repeat(k)),
                        format!("{d}{}", " ".repeat(k)),
                    ] {
                        let want = scan(&t, usize::MAX);
                        assert_eq!(scan(&t, 0), want, "{t}");
                    }
                }
            }
        });
        // The halves are taken where the middle is an element's start.
        let d = docs[15].as_str();
        assert!(super::element_start_near(d, 0).is_some());
    }

    /// The scanned split gives the streaming parse's raw tools, or its
    /// error, whatever the shape and wherever the text breaks.
    #[test]
    fn scanned_split_agrees_with_the_streaming_parse() {
        let docs = [
            r#"[{"name":"a"}, {"name":"b","d":"] } [ \" ,"} ,7,"s",null,[1,[2]]]"#,
            r#" { "tools" : [ {"name":"a"} , {"name":"b"} ] } "#,
            r#"{"tools":[]}"#,
            "[]",
            r#"{"tools":[{"name":"a"}],"x":1}"#,
            r#"{"result":{"tools":[{"name":"a"}]}}"#,
            r#"{"tools":null}"#,
            r#"[{"name":"a"},]"#,
            r#"[{"name":"a"} {"name":"b"}]"#,
            r#"[{"name":"a"}] x"#,
            r#"[{"name" "a"}]"#,
            r#"[{"name":"a"]}"#,
            r#"[tru]"#,
            r#"[{"n":"\ud800","x":1e999}]"#,
            r#"{"tools":[{"name":"a"}]"#,
            "[\"unterminated]",
            "",
        ];
        let p = Path::new("t.json");
        for d in docs {
            let mut fast: Vec<String> = Vec::new();
            let got = stream_tools(d, p, &mut |b| {
                fast.extend(b.iter().map(|r| r.get().to_owned()))
            });
            let mut slow: Vec<String> = Vec::new();
            let want = stream_nested(
                d,
                p,
                &mut |b| slow.extend(b.iter().map(|r| r.get().to_owned())),
                0,
            );
            assert_eq!(
                got.map_err(|e| e.to_string()),
                want.map_err(|e| e.to_string()),
                "{d}"
            );
            assert_eq!(fast, slow, "{d}");
        }
        assert_eq!(
            array_elements(r#"[1, "a", {"b":[2]}]"#).unwrap(),
            ["1", "\"a\"", r#"{"b":[2]}"#]
        );
        assert!(array_elements(r#"{"result":[]}"#).is_none());
    }

    /// The word-at-a-time search finds the first quote or backslash that a
    /// plain search finds, wherever it is (in the first word, across the
    /// hand-over to memchr, in the tail), whatever bytes come before.
    #[test]
    fn quote_or_backslash_agrees_with_a_plain_search() {
        crate::text::each_text_with_stops(b"\"\\", |t| {
            let want = t.iter().position(|&c| c == b'"' || c == b'\\');
            assert_eq!(quote_or_backslash(t), want, "{t:?}");
        });
    }

    #[test]
    fn nesting_counts_depth_not_brackets_and_skips_strings() {
        let deep = format!("{}1{}", "[".repeat(64), "]".repeat(64));
        assert!(might_refuse(deep.as_bytes(), 64));
        assert!(!might_refuse(deep.as_bytes(), 65));
        // Hundreds of objects side by side are three levels deep.
        let wide = format!("{{\"p\":[{}]}}", vec!["{}"; 500].join(","));
        assert!(!might_refuse(wide.as_bytes(), 4));
        assert!(might_refuse(wide.as_bytes(), 3));
        // Brackets in strings, escaped quotes included, do not count.
        let s = r#"{"d":"[[[[\"[[[[","e":[]}"#;
        assert!(!might_refuse(s.as_bytes(), 3));
    }

    /// The split's scan flags a tool exactly where `might_refuse` flags
    /// it (for valid JSON): surrogate escapes in keys, values and nested
    /// strings, numbers past range as members and nested, and containers
    /// nested up to and past the depth limit, wherever they sit.
    #[test]
    fn the_split_flags_what_might_refuse_flags() {
        let limit = tolerant::MAX_DEPTH;
        let nest = |n: usize, inner: &str| format!("{}{inner}{}", "[".repeat(n), "]".repeat(n));
        let nest_obj = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        let mut tools = vec![
            r#"{}"#.to_owned(),
            r#"{"name":"a"}"#.to_owned(),
            r#"{"name":"x\ud800"}"#.to_owned(),
            r#"{"n\uD83D\uDE00me":"a"}"#.to_owned(),
            r#"{"n\uD83D\uD83Dme":"a"}"#.to_owned(),
            r#"{"name":"a \ud83d\ude00 b","d":["\ud83d\udc4d\udc4d"]}"#.to_owned(),
            r#"{"name":"a","d":{"e":["\udfff"]}}"#.to_owned(),
            r#"{"name":"a","d":"\\ud800 \u00e9 \uc000 \ud7ff"}"#.to_owned(),
            r#"{"name":"a","n":1e308}"#.to_owned(),
            r#"{"name":"a","n":-2.5E+400}"#.to_owned(),
            r#"{"name":"a","n":1e30,"m":-0.5e-12,"k":12345678901234567890}"#.to_owned(),
            r#"{"name":"a","s":{"x":[1,2,{"y":2e-999}]}}"#.to_owned(),
            r#"{"name":"a","s":[123456789012345678901234567890123]}"#.to_owned(),
            r#"{"name":"a","s":"1e308 123456789012345678901234567890123"}"#.to_owned(),
            r#"{"name":"a","t":true,"f":false,"z":null,"e":1.5e9}"#.to_owned(),
            r#" { "name" : "a" , "n" : [ 1e999 ] } "#.trim().to_owned(),
        ];
        for n in [limit - 3, limit - 2, limit - 1, limit, limit + 1] {
            tools.push(format!(r#"{{"name":"a","x":{}}}"#, nest(n, "1")));
            tools.push(format!(r#"{{"name":"a","x":{}}}"#, nest(n, "{}")));
            tools.push(format!(r#"{{"name":"a","x":{}}}"#, nest_obj(n)));
            tools.push(format!(r#"{{"x":{},"name":"a"}}"#, nest(n, r#""s""#)));
        }
        let doc = format!("[{}]", tools.join(","));
        let mut split = Vec::new();
        array_elements_each(&doc, 4, &mut |b| split.extend(b)).unwrap();
        assert_eq!(split.len(), tools.len());
        let mut flagged = 0;
        for ((raw, _, plain), t) in split.into_iter().zip(&tools) {
            assert_eq!(raw, t);
            serde_json::from_str::<&RawValue>(raw).expect("valid JSON");
            let want = might_refuse(raw.as_bytes(), limit);
            assert_eq!(plain, !want, "{t}");
            flagged += want as usize;
        }
        assert!(flagged >= 15, "{flagged}");
    }

    /// Lone-surrogate escapes and numbers past `f64` range send a text to
    /// the tolerant reading; the same characters elsewhere do not.
    #[test]
    fn might_refuse_flags_surrogates_and_huge_numbers_only() {
        let yes = [
            r#"{"a":"x\ud800"}"#,
            r#"{"a":"\ud800\ud800"}"#,
            r#"{"a":"\udc00\ud800"}"#,
            r#"{"a":"x\ud83d"}"#,
            r#"{"a":"\ud83d\u0041"}"#,
            r#"{"a":"\ud83d\\ude00"}"#,
            r#"{"a":"\ud83d\ude0"}"#,
            r#"{"n":1e308}"#,
            r#"{"n":-2.5E+400}"#,
            r#"{"n":[1, 2e-999]}"#,
            r#"{"n":123456789012345678901234567890123}"#,
        ];
        let no = [
            r#"{"a":"\\ud800"}"#,
            r#"{"a":"\uDBFF\uDFFF"}"#,
            r#"{"a":"\ud83d\ude00 \uD83D\uDE00\ud800\udc00"}"#,
            r#"{"a":"\u00e9 \n \" \\"}"#,
            r#"{"a":"1e308 and 123456789012345678901234567890123"}"#,
            r#"{"n":1e30,"m":-0.5e-12,"k":12345678901234567890}"#,
            r#"{"n":1.2345e99}"#,
            r#"{"a":"unterminated"#,
            "",
        ];
        for t in yes {
            assert!(might_refuse(t.as_bytes(), 64), "{t}");
        }
        for t in no {
            assert!(!might_refuse(t.as_bytes(), 64), "{t}");
        }
    }

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
