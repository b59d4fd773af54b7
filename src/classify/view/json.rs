//! The streaming half of the view: the same [`ToolView`] built from one
//! tool's JSON text without a `serde_json::Value` for the whole tool. Only
//! the members the view reads are parsed; the rare complex parts (enums,
//! `anyOf`, annotations) are parsed into small `Value`s and handed to the
//! same functions as the `Value` path, so both paths agree by construction.

use std::borrow::Cow;

use serde::Deserialize as _;
use serde_json::value::RawValue;
use serde_json::Value;

use super::{enum_values, is_steps, item_ops, text_of, type_of, ParamView, ToolView};
use crate::tool::Hints;

/// A JSON string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// The members of one JSON object, in document order, values left raw.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Members<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members<'de>, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((k, v)) = map.next_entry::<Text<'de>, &'de RawValue>()? {
                    out.push((k.0, v));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> Members<'a> {
    /// The value of `key`; a repeated key's last value wins (as in `serde_json::Map`).
    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The members with repeated keys merged the way `serde_json::Map`
    /// (insertion-ordered) merges them: first position, last value.
    fn merged(self) -> Vec<(Cow<'a, str>, &'a RawValue)> {
        let v = self.0;
        let dup = if v.len() <= 16 {
            v.iter()
                .enumerate()
                .any(|(i, (k, _))| v[..i].iter().any(|(p, _)| p == k))
        } else {
            let mut seen = std::collections::HashSet::with_capacity(v.len());
            !v.iter().all(|(k, _)| seen.insert(k.as_ref()))
        };
        if !dup {
            return v;
        }
        let mut out: Vec<(Cow<'a, str>, &'a RawValue)> = Vec::with_capacity(v.len());
        let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (k, r) in v {
            match at.get(k.as_ref()) {
                Some(&i) => out[i].1 = r,
                None => {
                    at.insert(k.to_string(), out.len());
                    out.push((k, r));
                }
            }
        }
        out
    }
}

/// Consumes any JSON value but an object as "not an object".
macro_rules! not_an_object {
    ($out:ty) => {
        fn visit_bool<E>(self, _: bool) -> Result<$out, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$out, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$out, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$out, E> {
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<$out, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<$out, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<$out, E> {
            Ok(None)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<$out, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

/// Seed: the members of the value if it is an object, else `None`.
struct MaybeMembers;

impl<'de> serde::de::DeserializeSeed<'de> for MaybeMembers {
    type Value = Option<Members<'de>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for MaybeMembers {
    type Value = Option<Members<'de>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    not_an_object!(Option<Members<'de>>);
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Members::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
    }
}

/// Seed for `inputSchema`: its `properties` members (the last `properties`
/// wins), `None` unless both are objects; parsed in one pass.
struct SchemaProps;

impl<'de> serde::de::DeserializeSeed<'de> for SchemaProps {
    type Value = Option<Members<'de>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for SchemaProps {
    type Value = Option<Members<'de>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    not_an_object!(Option<Members<'de>>);
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut props = None;
        while let Some(k) = map.next_key::<Text<'de>>()? {
            if k.0 == "properties" {
                props = map.next_value_seed(MaybeMembers)?;
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(props)
    }
}

/// The members of a tool the view reads, found in one pass: `inputSchema`
/// is descended into rather than kept raw. `schema` is `Some` once an
/// `inputSchema` member was seen (the last one wins).
#[derive(Default)]
struct ToolFields<'a> {
    name: Option<&'a RawValue>,
    title: Option<&'a RawValue>,
    description: Option<&'a RawValue>,
    annotations: Option<&'a RawValue>,
    props: Option<Members<'a>>,
}

impl<'de> serde::Deserialize<'de> for ToolFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ToolFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ToolFields<'de>, A::Error> {
                let mut t = ToolFields::default();
                while let Some(k) = map.next_key::<Text<'de>>()? {
                    match k.0.as_ref() {
                        "name" => t.name = Some(map.next_value()?),
                        "title" => t.title = Some(map.next_value()?),
                        "description" => t.description = Some(map.next_value()?),
                        "annotations" => t.annotations = Some(map.next_value()?),
                        "inputSchema" => t.props = map.next_value_seed(SchemaProps)?,
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(t)
            }
        }
        d.deserialize_map(V)
    }
}

/// The members of `text` if it is a JSON object, `None` if it is another value.
fn members(text: &str) -> Result<Option<Members<'_>>, serde_json::Error> {
    if !text.trim_start().starts_with('{') {
        return Ok(None);
    }
    serde_json::from_str(text).map(Some)
}

/// [`text_of`] over a raw value.
fn raw_text(v: Option<&RawValue>) -> Result<Cow<'_, str>, serde_json::Error> {
    let Some(v) = v else {
        return Ok(Cow::Borrowed(""));
    };
    let t = v.get().trim_start();
    if t.starts_with('"') {
        return serde_json::from_str::<Text>(t).map(|t| t.0);
    }
    let parsed: Value = serde_json::from_str(t)?;
    Ok(Cow::Owned(text_of(Some(&parsed)).into_owned()))
}

/// A small object holding only `keys` of `m` (those present), parsed.
fn mini(m: &Members, keys: &[&str]) -> Result<Value, serde_json::Error> {
    let mut obj = serde_json::Map::new();
    for k in keys {
        if let Some(r) = m.get(k) {
            obj.insert((*k).to_owned(), serde_json::from_str(r.get())?);
        }
    }
    Ok(Value::Object(obj))
}

fn has_any(m: &Members, keys: &[&str]) -> bool {
    keys.iter().any(|k| m.get(k).is_some())
}

/// [`collect`] over the raw text of a `properties` member.
fn collect_raw<'a>(
    props: Members<'a>,
    prefix: &str,
    depth: usize,
    out: &mut Vec<ParamView<'a>>,
) -> Result<(), serde_json::Error> {
    for (name, prop) in props.merged() {
        let full = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        let Some(f) = members(prop.get())? else {
            out.push(ParamView {
                name: full,
                ty: String::new(),
                description: Cow::Borrowed(""),
                enum_values: Vec::new(),
                item_ops: Vec::new(),
            });
            continue;
        };
        let ty = match f.get("type").map(|t| t.get().trim_start()) {
            Some(t) if t.starts_with('"') => serde_json::from_str::<Text>(t)?.0.into_owned(),
            _ if has_any(&f, &["type", "anyOf", "oneOf"]) => {
                type_of(&mini(&f, &["type", "anyOf", "oneOf"])?)
            }
            _ => String::new(),
        };
        const ENUM_KEYS: [&str; 5] = ["enum", "const", "anyOf", "oneOf", "items"];
        // `items` is among the enum keys: one parse serves both.
        let enum_src = if has_any(&f, &ENUM_KEYS) {
            Some(mini(&f, &ENUM_KEYS)?)
        } else {
            None
        };
        let enum_values = enum_src.as_ref().map_or_else(Vec::new, enum_values);
        let item_ops = match &enum_src {
            Some(src) if prefix.is_empty() && f.get("items").is_some() => {
                item_ops(src, is_steps(&name))
            }
            _ => Vec::new(),
        };
        out.push(ParamView {
            name: full.clone(),
            ty,
            description: raw_text(f.get("description"))?,
            enum_values,
            item_ops,
        });
        if depth < 1 {
            if let Some(p) = f.get("properties") {
                if let Some(p) = members(p.get())? {
                    collect_raw(p, &full, depth + 1, out)?;
                }
            }
        }
    }
    Ok(())
}

impl<'a> ToolView<'a> {
    /// The view of one tool's JSON text without parsing it into a `Value`.
    /// `None` when the text should take the `Value` path instead (see
    /// [`crate::input::might_refuse`]) or does not parse.
    pub fn from_json(text: &'a str) -> Option<ToolView<'a>> {
        // Texts serde_json may refuse, and texts long enough to hold a
        // string past the input layer's cap, take its tolerant path.
        if text.len() > crate::input::tolerant::FIELD_CAP
            || crate::input::might_refuse(text.as_bytes(), crate::input::tolerant::MAX_DEPTH)
        {
            return None;
        }
        Self::from_json_inner(text).ok()
    }

    fn from_json_inner(text: &'a str) -> Result<ToolView<'a>, serde_json::Error> {
        let empty = || ToolView {
            name: Cow::Borrowed(""),
            title: Cow::Borrowed(""),
            description: Cow::Borrowed(""),
            params: Vec::new(),
            declared: None,
            annotation_title: Cow::Borrowed(""),
        };
        if !text.trim_start().starts_with('{') {
            return Ok(empty());
        }
        let m: ToolFields = serde_json::from_str(text)?;
        let mut params = Vec::new();
        if let Some(props) = m.props {
            collect_raw(props, "", 0, &mut params)?;
        }
        let (declared, annotation_title) = match m.annotations {
            Some(a) => {
                let a: Value = serde_json::from_str(a.get())?;
                (
                    Hints::from_annotations(&a),
                    Cow::Owned(text_of(a.get("title")).into_owned()),
                )
            }
            None => (None, Cow::Borrowed("")),
        };
        Ok(ToolView {
            name: raw_text(m.name)?,
            title: raw_text(m.title)?,
            description: raw_text(m.description)?,
            params,
            declared,
            annotation_title,
        })
    }
}
