//! Reading one tool that strangers wrote, whatever its text holds.
//!
//! Every tool the input layer hands on went through [`tool_value`]: a value
//! the classifier can read is always produced, and whatever had to be done
//! to produce it is a [`Note`] (an anomaly) that raises, never lowers, the
//! verdict ([`apply_notes`]); an entry of the wrong shape (not an object, a
//! name missing or not text) is read as it is and its note only says so
//! ([`shape_note`]). In order:
//!
//! 1. the text is parsed into a `serde_json::Value`, with strings longer than
//!    [`FIELD_CAP`] cut (no copy of the whole string is made when it has no
//!    escapes) and containers nested deeper than [`MAX_DEPTH`] replaced by
//!    `null` (skipped without recursion), so a 200 MB description or a
//!    100k-deep schema costs little more than its text;
//! 2. if `serde_json` still refuses it (a lone surrogate escape, a number out
//!    of `f64` range), those tokens are repaired in one linear pass
//!    (`\uFFFD`, `null`) and the text parsed again;
//! 3. if even that fails, the tool is unreadable: its name is recovered if
//!    possible and the verdict is the worst there is (destructive, critical).

use std::fmt::Write as _;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::classify::context::Context;
use crate::classify::engine::{risk_for, Engine};
use crate::classify::view::ToolView;
use crate::classify::{Category, Class, Risk, Signal, Verdict};

/// Longest string kept from a tool (bytes, cut at a character boundary).
/// Real descriptions stay under 20 KB; a longer one is padding or an attack.
pub const FIELD_CAP: usize = 128 << 10;

/// Deepest nesting kept; the classifier reads three levels of a schema.
pub const MAX_DEPTH: usize = 64;

/// What reading a tool took: an anomaly, kept with the tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub detail: String,
}

/// Kinds of [`Note`], worst last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// A string longer than [`FIELD_CAP`] was cut.
    FieldTruncated,
    /// Containers nested deeper than [`MAX_DEPTH`] were dropped.
    NestingCut,
    /// The entry is not a tool object, or its name is missing or not text:
    /// read as far as it goes (see [`shape_note`]).
    Malformed,
    /// Tokens `serde_json` refuses were repaired (lone surrogates, huge numbers).
    Repaired,
    /// Nothing could be read: the tool is treated as the worst it could be.
    Unreadable,
}

impl NoteKind {
    /// Stable kebab-case id (the `rule` of the evidence it adds).
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::FieldTruncated => "input-field-truncated",
            NoteKind::NestingCut => "input-nesting-cut",
            NoteKind::Malformed => "input-malformed",
            NoteKind::Repaired => "input-repaired",
            NoteKind::Unreadable => "input-unreadable",
        }
    }
}

/// Builds a `Value` like `serde_json::Value`'s own visitor, but cuts long
/// strings and deep containers, recording that it did.
struct Seed<'n> {
    depth: usize,
    cut: &'n mut Cut,
}

#[derive(Default)]
struct Cut {
    truncated: usize,
    longest: usize,
    deep: usize,
}

impl Cut {
    fn string(&mut self, s: &str) -> String {
        if s.len() <= FIELD_CAP {
            return s.to_owned();
        }
        self.truncated += 1;
        self.longest = self.longest.max(s.len());
        let mut end = FIELD_CAP;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_owned()
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.depth < MAX_DEPTH {
            return d.deserialize_any(self);
        }
        // At the limit: take the value's text without recursing (serde_json
        // skips raw values iteratively) and keep it only if it is a scalar.
        let raw = <&'de RawValue as serde::Deserialize>::deserialize(d)?;
        let t = raw.get().trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            self.cut.deep += 1;
            return Ok(Value::Null);
        }
        let mut de = serde_json::Deserializer::from_str(t);
        Seed {
            depth: 0,
            cut: self.cut,
        }
        .deserialize(&mut de)
        .map_err(serde::de::Error::custom)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(self.cut.string(v)))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        if v.len() <= FIELD_CAP {
            return Ok(Value::String(v));
        }
        Ok(Value::String(self.cut.string(&v)))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed {
            depth: self.depth + 1,
            cut: &mut *self.cut,
        })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key_seed(Key(&mut *self.cut))? {
            let v = map.next_value_seed(Seed {
                depth: self.depth + 1,
                cut: &mut *self.cut,
            })?;
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// A member name, cut like any string (borrowed from the text, not copied whole).
struct Key<'n>(&'n mut Cut);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(self.0.string(v))
    }
}

/// Parses with the cutting seed; the notes say what was cut.
fn parse_cut(text: &str, notes: &mut Vec<Note>) -> Result<Value, serde_json::Error> {
    let mut cut = Cut::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Seed {
        depth: 0,
        cut: &mut cut,
    }
    .deserialize(&mut de)?;
    de.end()?;
    if cut.truncated > 0 {
        notes.push(Note {
            kind: NoteKind::FieldTruncated,
            detail: format!(
                "{} string(s) longer than {} KiB cut (the longest was {} bytes)",
                cut.truncated,
                FIELD_CAP >> 10,
                cut.longest
            ),
        });
    }
    if cut.deep > 0 {
        notes.push(Note {
            kind: NoteKind::NestingCut,
            detail: format!(
                "{} value(s) nested deeper than {MAX_DEPTH} levels dropped",
                cut.deep
            ),
        });
    }
    Ok(v)
}

/// Rewrites the tokens `serde_json` refuses in otherwise valid JSON: a lone
/// surrogate escape becomes `\uFFFD`, a number out of `f64` range `null`.
/// One pass; `None` when there was nothing to repair.
pub fn repair(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    let hex = |at: usize| -> Option<u16> {
        let h = text.get(at..at + 4)?;
        u16::from_str_radix(h, 16).ok()
    };
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] != b'\\' {
                        i += 1;
                        continue;
                    }
                    if b.get(i + 1) != Some(&b'u') {
                        i += 2;
                        continue;
                    }
                    let Some(u) = hex(i + 2) else {
                        i += 2;
                        continue;
                    };
                    let paired = (0xD800..0xDC00).contains(&u)
                        && b.get(i + 6) == Some(&b'\\')
                        && b.get(i + 7) == Some(&b'u')
                        && hex(i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l));
                    if paired {
                        i += 12;
                    } else if (0xD800..0xE000).contains(&u) {
                        out.push_str(&text[copied..i]);
                        out.push_str("\\uFFFD");
                        i += 6;
                        copied = i;
                    } else {
                        i += 6;
                    }
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let tok = &text[start..i];
                if tok.parse::<f64>().map_or(true, |f| f.is_infinite()) {
                    out.push_str(&text[copied..start]);
                    out.push_str("null");
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// One tool's value and what reading it took (see the module doc). Always
/// returns a value the classifier can read.
pub fn tool_value(raw: &str) -> (Value, Vec<Note>) {
    let mut notes = Vec::new();
    let first = match parse_cut(raw, &mut notes) {
        Ok(v) => {
            notes.extend(shape_note(&v));
            return (v, notes);
        }
        Err(e) => e,
    };
    notes.clear();
    if let Some(fixed) = repair(raw) {
        if let Ok(v) = parse_cut(&fixed, &mut notes) {
            notes.push(Note {
                kind: NoteKind::Repaired,
                detail: format!("not readable as is ({first}); lone surrogates and out-of-range numbers replaced"),
            });
            notes.extend(shape_note(&v));
            return (v, notes);
        }
        notes.clear();
    }
    (
        unreadable(raw),
        vec![Note {
            kind: NoteKind::Unreadable,
            detail: format!(
                "the tool cannot be read ({first}); treated as destructive and critical"
            ),
        }],
    )
}

/// What is wrong with the shape of a parsed tool entry, if anything: an
/// entry that is not an object (a bare string, a number, an array, null)
/// is read as a tool with no name, description or schema; a name that is
/// missing, null or empty is read as no name; a name that is a number,
/// boolean, array or object is read as its JSON text (`42` as "42").
/// Descriptions and schemas of other types are read leniently and not
/// noted here (a crawl records them as anomalies).
pub fn shape_note(v: &Value) -> Option<Note> {
    let detail = match v {
        Value::Object(m) => match m.get("name") {
            Some(Value::String(n)) if !n.is_empty() => return None,
            Some(Value::String(_)) => "its name is empty".to_owned(),
            None => "it has no name member: read with an empty name".to_owned(),
            Some(Value::Null) => "its name is null: read with an empty name".to_owned(),
            Some(other) => format!(
                "its name is {} ({}), not text: read as the name {:?}",
                crate::mcp::tools::kind(other),
                snippet(&other.to_string()),
                snippet(&other.to_string())
            ),
        },
        Value::String(s) => format!(
            "the entry is a string ({:?}), not a tool object: read as a tool with no name, description or schema",
            snippet(s)
        ),
        Value::Null => {
            "the entry is null, not a tool object: read as a tool with no name, description or schema"
                .to_owned()
        }
        other => format!(
            "the entry is {} ({}), not a tool object: read as a tool with no name, description or schema",
            crate::mcp::tools::kind(other),
            snippet(&other.to_string())
        ),
    };
    Some(Note {
        kind: NoteKind::Malformed,
        detail,
    })
}

/// At most 60 characters of `s`, `…` ending a cut one.
fn snippet(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_owned(),
    }
}

/// Whether a tool the fast view read may be malformed in a way
/// [`shape_note`] reports (not an object; a name empty, missing or not a
/// JSON string, which the view renders as its JSON text): then it takes the
/// `Value` path, which gives the same verdict and says what was wrong. A
/// few byte tests, so plain tools lose nothing; a rare well-formed name
/// like "42" only costs the slower path.
fn may_be_malformed(raw: &str, view: &ToolView<'_>) -> bool {
    let name = view.name.as_bytes();
    !raw.trim_start().starts_with('{')
        || matches!(name.first(), None | Some(b'0'..=b'9' | b'-' | b'[' | b'{'))
        || name == b"true"
        || name == b"false"
}

/// What stands for a tool that cannot be read: its name if one can be
/// found, and annotations that make every reader treat it as destructive.
fn unreadable(raw: &str) -> Value {
    #[derive(serde::Deserialize)]
    struct Named {
        name: Option<String>,
    }
    let name = serde_json::from_str::<Named>(raw)
        .ok()
        .and_then(|n| n.name)
        .map(|n| Cut::default().string(&n))
        .unwrap_or_default();
    serde_json::json!({
        "name": name,
        "annotations": {"readOnlyHint": false, "destructiveHint": true, "openWorldHint": true},
    })
}

/// Raises a verdict by what reading its tool took; never lowers it. Every
/// note becomes evidence (rule = the note's kind, field `input`); a cut
/// field marks the description suspicious; an unreadable tool is
/// destructive and critical.
pub fn apply_notes(v: &mut Verdict, notes: &[Note]) {
    if notes.is_empty() {
        return;
    }
    let mut why = String::new();
    for n in notes {
        v.evidence.push(crate::classify::verdict::Evidence {
            rule: n.kind.as_str().to_owned(),
            field: "input".to_owned(),
            text: n.detail.clone(),
        });
        let _ = write!(why, " Input anomaly: {}.", n.detail);
        if n.kind == NoteKind::Malformed {
            // Said, not held against the tool: its text was read as it is.
            continue;
        }
        if n.kind == NoteKind::Unreadable {
            v.class = Class::Destructive;
            v.category = Category::Destructive;
            v.risk = Risk::Critical;
            v.confidence = 0.0;
            v.hints = Verdict::hints_for(Class::Destructive);
        } else if !v.signals.contains(&Signal::SuspiciousDescription) {
            v.signals.push(Signal::SuspiciousDescription);
            v.signals.sort();
        }
    }
    v.risk = v.risk.max(risk_for(v.class, &v.signals));
    v.rationale.push_str(&why);
}

/// The verdict of one tool's raw text and what reading it took: the
/// streaming path's fast view when the text is plain, otherwise
/// [`tool_value`]; the same verdict as classifying the loaded value and
/// applying its notes.
pub fn classify_raw(
    engine: &Engine,
    raw: &str,
    ignore_annotations: bool,
    ctx: &Context,
) -> (Verdict, Vec<Note>) {
    classify_checked(engine, raw, false, ignore_annotations, ctx)
}

/// [`classify_raw`]; `plain` when the text is known not to need the
/// tolerant reading ([`ToolView::from_json_plain`]).
pub fn classify_checked(
    engine: &Engine,
    raw: &str,
    plain: bool,
    ignore_annotations: bool,
    ctx: &Context,
) -> (Verdict, Vec<Note>) {
    if let Some(view) = ToolView::from_json_plain(raw, plain).filter(|v| !may_be_malformed(raw, v))
    {
        return (
            engine.classify_view(&view, ignore_annotations, ctx),
            Vec::new(),
        );
    }
    classify_tolerant(engine, raw, ignore_annotations, ctx)
}

/// [`classify_raw`]'s slower path: the tool read by [`tool_value`], its
/// anomalies raising the verdict.
fn classify_tolerant(
    engine: &Engine,
    raw: &str,
    ignore_annotations: bool,
    ctx: &Context,
) -> (Verdict, Vec<Note>) {
    let (value, notes) = tool_value(raw);
    let mut v = engine.classify_in(&value, ignore_annotations, ctx);
    apply_notes(&mut v, &notes);
    (v, notes)
}

/// [`classify_raw`] for a text nobody has checked is JSON yet: `None` when
/// it is not (`serde_json` refuses it as a raw value). A tool object the
/// view parses was checked by that parse, so only the others are checked
/// again (the checks cost a tenth of a large catalogue's time).
/// `plain`: as for [`classify_checked`].
pub fn classify_unchecked(
    engine: &Engine,
    raw: &str,
    plain: bool,
    ignore_annotations: bool,
    ctx: &Context,
) -> Option<(Verdict, Vec<Note>)> {
    let object = raw.starts_with('{');
    if object {
        if let Some(view) =
            ToolView::from_json_plain(raw, plain).filter(|v| !may_be_malformed(raw, v))
        {
            return Some((
                engine.classify_view(&view, ignore_annotations, ctx),
                Vec::new(),
            ));
        }
    }
    serde_json::from_str::<&RawValue>(raw).ok()?;
    // An object the view did not take goes straight to the slower path
    // (the view is not tried twice); any other value is read as before.
    Some(if object {
        classify_tolerant(engine, raw, ignore_annotations, ctx)
    } else {
        classify_raw(engine, raw, ignore_annotations, ctx)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A surrogate pair (an emoji) is no anomaly: the view reads a tool
    /// holding pairs (which `might_refuse` no longer sends to the tolerant
    /// reading) as the tolerant reading does.
    #[test]
    fn surrogate_pairs_read_alike_on_both_paths() {
        let e = crate::classify::engine();
        let ctx = Context::from_facts(std::iter::empty());
        for t in [
            r#"{"name":"delete_\ud83d\ude00","description":"Deletes \ud83d\udc4d a file \uD83D\uDE00 for good.","inputSchema":{"properties":{"p\ud83d\ude00":{"type":"string","description":"x \ud83d\ude00"}}}}"#,
            r#"{"name":"get_x","title":"\ud83d\udd0d Search","annotations":{"title":"\ud83d\udd0d","readOnlyHint":true}}"#,
        ] {
            assert!(!crate::input::might_refuse(t.as_bytes(), MAX_DEPTH), "{t}");
            assert!(ToolView::from_json(t).is_some(), "{t}");
            for ignore in [false, true] {
                let (fast, notes) = classify_checked(e, t, true, ignore, &ctx);
                let (slow, slow_notes) = classify_tolerant(e, t, ignore, &ctx);
                assert!(notes.is_empty() && slow_notes.is_empty(), "{t}");
                assert_eq!(fast, slow, "{t}");
            }
        }
    }

    #[test]
    fn repairs_lone_surrogates_only() {
        assert_eq!(repair(r#"{"a":"\ud83d\ude00"}"#), None);
        assert_eq!(
            repair(r#"{"a":"x\ud800y","b":"\udc00"}"#).unwrap(),
            r#"{"a":"x\uFFFDy","b":"\uFFFD"}"#
        );
        assert_eq!(repair(r#"{"a":"\\ud800"}"#), None);
    }

    #[test]
    fn repairs_numbers_out_of_range() {
        assert_eq!(repair(r#"[1e999,-2,3.5e2]"#).unwrap(), "[null,-2,3.5e2]");
        assert_eq!(repair(r#"["1e999"]"#), None);
    }

    #[test]
    fn cuts_deep_and_long() {
        let deep = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
        let (v, notes) = tool_value(&format!(r#"{{"name":"n","x":{deep}}}"#));
        assert_eq!(v["name"], "n");
        assert_eq!(notes[0].kind, NoteKind::NestingCut);
        let long = "a".repeat(FIELD_CAP + 10);
        let (v, notes) = tool_value(&format!(r#"{{"name":"n","description":"{long}"}}"#));
        assert_eq!(v["description"].as_str().unwrap().len(), FIELD_CAP);
        assert_eq!(notes[0].kind, NoteKind::FieldTruncated);
    }

    #[test]
    fn malformed_entries_are_noted_and_plain_ones_are_not() {
        let note = |t: &str| {
            tool_value(t)
                .1
                .into_iter()
                .find(|n| n.kind == NoteKind::Malformed)
        };
        assert!(note(r#"{"name":"get_a","description":7}"#).is_none());
        for (t, said) in [
            (r#""drop_all""#, "the entry is a string (\"drop_all\")"),
            ("null", "the entry is null"),
            ("[1]", "the entry is an array ([1])"),
            ("3", "the entry is a number (3)"),
            (
                r#"{"name":42}"#,
                "its name is a number (42), not text: read as the name \"42\"",
            ),
            (r#"{"name":null}"#, "its name is null"),
            (r#"{"name":""}"#, "its name is empty"),
            (r#"{"title":"x"}"#, "it has no name member"),
        ] {
            let n = note(t).unwrap_or_else(|| panic!("no note for {t}"));
            assert!(n.detail.starts_with(said), "{t}: {}", n.detail);
        }
        let long = format!(r#""{}""#, "x".repeat(500));
        assert!(note(&long).unwrap().detail.len() < 200);
    }

    #[test]
    fn plain_tools_read_like_serde_json() {
        let t = r#"{"name":"a","name":"b","inputSchema":{"properties":{"x":{"type":"string","enum":[1,2.5,-3,true,null]}}}}"#;
        let (v, notes) = tool_value(t);
        assert!(notes.is_empty());
        assert_eq!(v, serde_json::from_str::<Value>(t).unwrap());
    }
}
