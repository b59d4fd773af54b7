//! The streaming half of the view: the same [`ToolView`] built from one
//! tool's JSON text without a `serde_json::Value` for the whole tool, in one
//! pass over the text. Only the members the view reads are kept; the rare
//! complex parts (enums, `anyOf`, non-string types, annotations) are parsed
//! into small `Value`s and handed to the same functions as the `Value`
//! path, so both paths agree by construction.
//!
//! (It used to keep each property raw and parse it again, and its enum
//! keys a third time: a tool's schema was read two or three times over.)

use std::borrow::Cow;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::{
    enum_values, is_steps, settle, shallow, text_of, type_of, walk, Defs, ItemOps, ParamView, Refs,
    Seg, ToolView,
};
use crate::tool::Hints;

mod scan;
#[cfg(test)]
mod serde_oracle;

use scan::{Bad, Cursor, Read};

/// A JSON string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
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

/// A member read as text: a string (borrowed when it has no escapes), or
/// any other value, parsed as a `Value` would parse it.
enum Field<'a> {
    Text(Cow<'a, str>),
    /// Boxed: a `Value` is several times a `Cow`'s size, and a property's
    /// fields are moved as it is collected.
    Other(Box<Value>),
}

impl<'a> Field<'a> {
    /// The text [`text_of`] gives for the same member.
    fn text(self) -> Cow<'a, str> {
        match self {
            Field::Text(s) => s,
            Field::Other(v) => Cow::Owned(text_of(Some(&*v)).into_owned()),
        }
    }
}

/// [`Field::text`] of a member that may be absent (`""`, as [`text_of`]).
fn text(f: Option<Field<'_>>) -> Cow<'_, str> {
    f.map_or(Cow::Borrowed(""), Field::text)
}

impl<'de> Deserialize<'de> for Field<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        // The scalars become what `Value`'s own visitor makes of them.
        impl<'de> Visitor<'de> for V {
            type Value = Field<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Field<'de>, E> {
                Ok(Field::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Field<'de>, E> {
                Ok(Field::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Field<'de>, E> {
                Ok(Field::Text(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Field<'de>, E> {
                Ok(Field::Other(Box::new(Value::Bool(v))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Field<'de>, E> {
                Ok(Field::Other(Box::new(Value::from(v))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Field<'de>, E> {
                Ok(Field::Other(Box::new(Value::from(v))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Field<'de>, E> {
                Ok(Field::Other(Box::new(
                    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
                )))
            }
            fn visit_unit<E>(self) -> Result<Field<'de>, E> {
                Ok(Field::Other(Box::new(Value::Null)))
            }
            fn visit_none<E>(self) -> Result<Field<'de>, E> {
                Ok(Field::Other(Box::new(Value::Null)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Field<'de>, A::Error> {
                Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(|v| Field::Other(Box::new(v)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Field<'de>, A::Error> {
                Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|v| Field::Other(Box::new(v)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Which members of a JSON value to keep when parsing it into a `Value`
/// for [`type_of`], [`enum_values`], [`walk`] or
/// [`Hints::from_annotations`], which read only these: an object keeps the
/// listed members (each by its own `Keep`), an array applies the same
/// `Keep` to its elements; `All` keeps the value whole; `Each` keeps every
/// member of an object (a schema's `properties`), those `named` by their
/// own `Keep`, the others by `other`. Parsing a schema's `items` or `anyOf`
/// whole (a nested schema with its own properties and descriptions) cost
/// more than the rest of the tool's parse.
///
/// A member kept as an empty object (or, under `Each`, as anything but an
/// object) holds nothing those functions read: it is left out, and its name
/// not copied. (Left out, a repeated name can move in its object; [`settle`]
/// makes [`walk`]'s answer independent of that order.)
enum Keep {
    All,
    Members(&'static [(&'static str, &'static Keep)]),
    Each {
        named: &'static [(&'static str, &'static Keep)],
        other: &'static Keep,
    },
    /// Every member of an object by the same `Keep`, none left out (the
    /// definitions a `$ref` names: one that is there, even empty, is not
    /// a missing one).
    Every(&'static Keep),
}

/// What [`walk`] reads of a schema: its arrays' items, its properties and
/// its alternatives, at any depth.
static NESTED: Keep = Keep::Members(&[
    ("items", &NESTED),
    ("properties", &PROPERTIES),
    ("anyOf", &NESTED),
    ("oneOf", &NESTED),
    ("allOf", &NESTED),
    ("$ref", &Keep::All),
]);
/// A schema's `properties`: the selectors' values ([`walk`] reads them in
/// an array's items) besides what [`NESTED`] keeps of every property.
static PROPERTIES: Keep = Keep::Each {
    named: &[
        ("type", &SELECTOR),
        ("action", &SELECTOR),
        ("kind", &SELECTOR),
        ("operation", &SELECTOR),
        ("op", &SELECTOR),
    ],
    other: &NESTED,
};
/// A selector: its `enum` and `const`, its alternatives', and what
/// [`NESTED`] keeps.
static SELECTOR: Keep = Keep::Members(&[
    ("enum", &Keep::All),
    ("const", &Keep::All),
    ("items", &NESTED),
    ("properties", &PROPERTIES),
    ("anyOf", &SELECTOR),
    ("oneOf", &SELECTOR),
    ("allOf", &NESTED),
    ("$ref", &Keep::All),
]);
/// `items`: its `enum` ([`enum_values`]) and what [`walk`] reads.
static ITEMS: Keep = Keep::Members(&[
    ("enum", &Keep::All),
    ("items", &NESTED),
    ("properties", &PROPERTIES),
    ("anyOf", &NESTED),
    ("oneOf", &NESTED),
    ("allOf", &NESTED),
    ("$ref", &Keep::All),
]);
/// The alternatives of `anyOf`/`oneOf`: [`type_of`] reads their types
/// (nested alternatives too), [`enum_values`] their `enum` and `const`,
/// [`walk`] what [`NESTED`] keeps.
static ALTERNATIVES: Keep = Keep::Members(&[
    ("type", &Keep::All),
    ("enum", &Keep::All),
    ("const", &Keep::All),
    ("anyOf", &ALTERNATIVES),
    ("oneOf", &ALTERNATIVES),
    ("items", &NESTED),
    ("properties", &PROPERTIES),
    ("allOf", &NESTED),
    ("$ref", &Keep::All),
]);
/// The `$defs` and `definitions` of an `inputSchema`: every definition,
/// kept as [`DEF`] keeps it.
static DEFS: Keep = Keep::Every(&DEF);
/// A definition a `$ref` names, read where the `$ref` is: as a parameter
/// ([`type_of`], [`enum_values`]), an alternative, a selector or a schema
/// [`walk`] reads; all of what those read, at any depth.
static DEF: Keep = Keep::Members(&[
    ("type", &Keep::All),
    ("enum", &Keep::All),
    ("const", &Keep::All),
    ("$ref", &Keep::All),
    ("items", &DEF),
    ("properties", &DEF_PROPERTIES),
    ("anyOf", &DEF),
    ("oneOf", &DEF),
    ("allOf", &DEF),
]);
/// A definition's `properties`.
static DEF_PROPERTIES: Keep = Keep::Each {
    named: &[],
    other: &DEF,
};
/// `annotations`: the hints and the title ([`Annotations`] reads them
/// without a `Value`; the tests check it against this).
#[cfg(test)]
static ANNOTATIONS: Keep = Keep::Members(&[
    ("readOnlyHint", &Keep::All),
    ("destructiveHint", &Keep::All),
    ("idempotentHint", &Keep::All),
    ("openWorldHint", &Keep::All),
    ("title", &Keep::All),
]);

/// The key with which serde_json's own `Value` parse reads an object as
/// something else (its raw-value marker): such an object is read the way
/// `Value` reads it, so the same texts parse, and fail, as before.
const RAW_VALUE_KEY: &str = "$serde_json::private::RawValue";

/// `Value`'s reading of an object whose first key is [`RAW_VALUE_KEY`]: the
/// member's string parsed as JSON; the object's other members are left for
/// serde_json to refuse, as it does under `Value`.
fn raw_value_object<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Value, A::Error> {
    let s: String = map.next_value()?;
    serde_json::from_str(&s).map_err(serde::de::Error::custom)
}

/// Seed: a value parsed into a `Value` keeping what a [`Keep`] says.
struct Kept(&'static Keep);

impl<'de> DeserializeSeed<'de> for Kept {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Keep::All => Value::deserialize(d),
            Keep::Members(_) | Keep::Each { .. } | Keep::Every(_) => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Kept {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    // The scalars become what `Value`'s own visitor makes of them.
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
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Kept(self.0))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        let mut first = true;
        while let Some(k) = map.next_key::<Text<'de>>()? {
            if std::mem::take(&mut first) && k.0 == RAW_VALUE_KEY {
                return raw_value_object(&mut map);
            }
            let named = |keep: &'static [(&'static str, &'static Keep)]| {
                keep.iter().find(|(name, _)| *name == k.0).map(|(_, k)| *k)
            };
            let (inner, each) = match self.0 {
                Keep::Members(keep) => (named(keep), false),
                Keep::Each { named: keep, other } => (Some(named(keep).unwrap_or(other)), true),
                Keep::Every(keep) => {
                    let v = map.next_value_seed(Kept(keep))?;
                    out.insert(k.0.into_owned(), v);
                    continue;
                }
                Keep::All => unreachable!("Keep::All is parsed as a Value"),
            };
            let Some(inner) = inner else {
                map.next_value_seed(Skim)?;
                continue;
            };
            let v = map.next_value_seed(Kept(inner))?;
            if idle(&v, inner, each) {
                // As the last of a repeated name it still hides the others.
                if let Some(had) = out.get_mut(k.0.as_ref()) {
                    *had = Value::Null;
                }
            } else {
                out.insert(k.0.into_owned(), v);
            }
        }
        Ok(Value::Object(out))
    }
}

/// Whether `v`, kept by `keep` (in an `Each` object when `each`), holds
/// nothing the view's readers look at (see [`Keep`]).
fn idle(v: &Value, keep: &Keep, each: bool) -> bool {
    match (v, keep) {
        (_, Keep::All) => false,
        (Value::Object(m), _) => m.is_empty(),
        _ => each,
    }
}

/// Seed: a value skipped, failing where parsing it into a `Value` fails
/// (a text the view took is one the `Value` path takes too).
struct Skim;

impl<'de> DeserializeSeed<'de> for Skim {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skim {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skim)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut first = true;
        while let Some(k) = map.next_key::<Text<'de>>()? {
            if std::mem::take(&mut first) && k.0 == RAW_VALUE_KEY {
                return raw_value_object(&mut map).map(drop);
            }
            map.next_value_seed(Skim)?;
        }
        Ok(())
    }
}

/// What the view reads of an `annotations` member: the four hints and the
/// title, as [`Hints::from_annotations`] and [`text_of`] read them from the
/// `Value` [`ANNOTATIONS`] keeps (the last of a repeated name wins; a hint
/// that is no boolean is absent), without building that `Value`: its map
/// hashed (SipHash) and copied every member's name, and each tool's
/// annotations are read twice (the context's prepass reads the hints).
#[derive(Default)]
struct Annotations<'a> {
    hints: Hints,
    title: Option<Field<'a>>,
}

impl<'a> Annotations<'a> {
    /// The declared hints, `None` when there is none.
    fn hints(&self) -> Option<Hints> {
        (self.hints != Hints::default()).then(|| self.hints.clone())
    }
}

impl<'de> DeserializeSeed<'de> for Annotations<'de> {
    type Value = Annotations<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Annotations<'de> {
    type Value = Annotations<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    // Anything but an object declares nothing.
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element_seed(Skim)?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut first = true;
        while let Some(k) = map.next_key::<Text<'de>>()? {
            if std::mem::take(&mut first) && k.0 == RAW_VALUE_KEY {
                let v = raw_value_object(&mut map)?;
                return Ok(Annotations {
                    hints: Hints::from_annotations(&v).unwrap_or_default(),
                    title: v.get("title").map(|t| Field::Other(Box::new(t.clone()))),
                });
            }
            let hint = match k.0.as_ref() {
                "readOnlyHint" => &mut self.hints.read_only,
                "destructiveHint" => &mut self.hints.destructive,
                "idempotentHint" => &mut self.hints.idempotent,
                "openWorldHint" => &mut self.hints.open_world,
                "title" => {
                    self.title = Some(map.next_value()?);
                    continue;
                }
                _ => {
                    map.next_value_seed(Skim)?;
                    continue;
                }
            };
            *hint = map.next_value_seed(BoolSeed)?;
        }
        Ok(self)
    }
}

/// Seed: a value's boolean, `None` for any other value (as
/// `Value::as_bool`), failing where parsing it into a `Value` fails.
struct BoolSeed;

impl<'de> DeserializeSeed<'de> for BoolSeed {
    type Value = Option<bool>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<bool>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BoolSeed {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Option<bool>, E> {
        Ok(Some(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Option<bool>, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Option<bool>, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Option<bool>, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Option<bool>, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Option<bool>, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<bool>, A::Error> {
        while seq.next_element_seed(Skim)?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<bool>, A::Error> {
        // An object's `Value` is no boolean, unless it is serde_json's
        // raw-value marker, which `Value` reads as the text it holds.
        let mut first = true;
        while let Some(k) = map.next_key::<Text<'de>>()? {
            if std::mem::take(&mut first) && k.0 == RAW_VALUE_KEY {
                return raw_value_object(&mut map).map(|v| v.as_bool());
            }
            map.next_value_seed(Skim)?;
        }
        Ok(None)
    }
}

/// The keys of a property's schema that [`type_of`], [`enum_values`],
/// [`shallow`] and [`walk`] read besides a string `type` (and, at the top,
/// `properties`).
const SCHEMA_KEYS: [&str; 8] = [
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "items",
    "allOf",
    "properties",
    "$ref",
];
/// What is kept of each of [`SCHEMA_KEYS`].
static SCHEMA_KEEP: [&Keep; 8] = [
    &Keep::All,
    &Keep::All,
    &ALTERNATIVES,
    &ALTERNATIVES,
    &ITEMS,
    &NESTED,
    &PROPERTIES,
    &Keep::All,
];

/// The members of one property's schema the view reads; a repeated key's
/// last value wins (as in a `Value`).
#[derive(Default)]
struct Prop<'a> {
    ty: Option<Field<'a>>,
    description: Option<Field<'a>>,
    /// The members named in [`SCHEMA_KEYS`], in that order, once one is
    /// met (boxed: most properties have none, and a property is moved as
    /// it is collected).
    schema: Option<Box<[Option<Value>; 8]>>,
    /// Its `properties`, read one level down from the top (below, they are
    /// kept in `schema` for [`walk`]).
    nested: Option<Props<'a>>,
}

/// The members of a `properties` object in document order; `None` for a
/// member whose value is not an object.
type Props<'a> = Vec<(Cow<'a, str>, Option<Prop<'a>>)>;

/// What is read of an `inputSchema`: its `properties` (`None` unless an
/// object) and, as an object holding them when it has any, its `$defs` and
/// `definitions` (kept as [`DEFS`] keeps them; the last of a repeated name
/// wins). Definitions are parsed whether or not a `$ref` names them: a
/// generator writes them only for the `$ref`s it writes.
type Schema<'a> = (Option<Props<'a>>, Option<Value>);

/// The members of a tool the view reads, found in one pass; a repeated
/// key's last value wins.
#[derive(Default)]
struct ToolFields<'a> {
    name: Option<Field<'a>>,
    title: Option<Field<'a>>,
    description: Option<Field<'a>>,
    annotations: Option<Annotations<'a>>,
    props: Option<Props<'a>>,
    /// The `$defs` and `definitions` of `inputSchema` (see [`Schema`]).
    defs: Option<Value>,
}

/// The members of a tool the view reads ([`ToolFields`]), read from the
/// object at the cursor as the serde visitors this replaced read them
/// (the tests compare the two); a text that is no object is refused.
fn tool_fields<'a>(c: &mut Cursor<'a>) -> Read<ToolFields<'a>> {
    if !c.at_object() {
        return Err(Bad);
    }
    let mut t = ToolFields::default();
    c.members(|k, c| {
        match k.as_ref() {
            "name" => t.name = Some(field(c)?),
            "title" => t.title = Some(field(c)?),
            "description" => t.description = Some(field(c)?),
            "annotations" => t.annotations = Some(annotations(c)?),
            "inputSchema" => (t.props, t.defs) = schema(c)?,
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok(t)
}

/// A member read as [`Field`]: a string at once, any other value by
/// serde_json.
fn field<'a>(c: &mut Cursor<'a>) -> Read<Field<'a>> {
    if c.peek() == Some(b'"') {
        return c.string().map(Field::Text);
    }
    c.serde(std::marker::PhantomData::<Field<'a>>)
}

/// Reads a value that is not an object where the view looks for one, as
/// serde_json's visit of it reads it: a string is parsed (and refused
/// where such a parse refuses it), a number too (out of `f64` range is
/// refused), an array's elements are skipped.
fn not_an_object(c: &mut Cursor<'_>) -> Read<()> {
    match c.peek() {
        Some(b'"') => c.string().map(drop),
        Some(b'-' | b'0'..=b'9') => c.serde(std::marker::PhantomData::<Value>).map(drop),
        _ => c.skip(),
    }
}

/// A value skipped as [`Skim`] skips it: strings, literals and empty
/// containers at once, anything else by serde_json with [`Skim`].
fn skim(c: &mut Cursor<'_>) -> Read<()> {
    match c.peek() {
        Some(b'"') => c.string().map(drop),
        Some(b't' | b'f' | b'n') => c.skip(),
        _ => c.serde(Skim),
    }
}

/// An `inputSchema`: [`Schema`], nothing unless it is an object.
fn schema<'a>(c: &mut Cursor<'a>) -> Read<Schema<'a>> {
    if !c.at_object() {
        return not_an_object(c).map(|_| (None, None));
    }
    let mut props = None;
    let mut defs: Option<serde_json::Map<String, Value>> = None;
    c.members(|k, c| {
        match k.as_ref() {
            "properties" => props = properties(c, 0)?,
            "$defs" | "definitions" => {
                let v = c.serde(Kept(&DEFS))?;
                defs.get_or_insert_with(Default::default)
                    .insert(k.into_owned(), v);
            }
            _ => c.skip()?,
        }
        Ok(())
    })?;
    Ok((props, defs.map(Value::Object)))
}

/// The members of a `properties` object, `None` unless it is one; each
/// property's own `properties` is read while `depth` is 0.
fn properties<'a>(c: &mut Cursor<'a>, depth: usize) -> Read<Option<Props<'a>>> {
    if !c.at_object() {
        return not_an_object(c).map(|_| None);
    }
    let mut out = Vec::with_capacity(8);
    c.members(|k, c| {
        out.push((k, prop(c, depth)?));
        Ok(())
    })?;
    Ok(Some(out))
}

/// A property's schema, `None` unless it is an object.
fn prop<'a>(c: &mut Cursor<'a>, depth: usize) -> Read<Option<Prop<'a>>> {
    if !c.at_object() {
        return not_an_object(c).map(|_| None);
    }
    let mut p = Prop::default();
    c.members(|k, c| {
        match k.as_ref() {
            "type" => p.ty = Some(field(c)?),
            "description" => p.description = Some(field(c)?),
            "properties" if depth < 1 => p.nested = properties(c, depth + 1)?,
            key => match SCHEMA_KEYS.iter().position(|s| *s == key) {
                Some(i) => {
                    let v = c.serde(Kept(SCHEMA_KEEP[i]))?;
                    if !idle(&v, SCHEMA_KEEP[i], false) {
                        p.schema.get_or_insert_with(Default::default)[i] = Some(v);
                    } else if let Some(schema) = p.schema.as_mut() {
                        schema[i] = None;
                    }
                }
                None => c.skip()?,
            },
        }
        Ok(())
    })?;
    Ok(Some(p))
}

/// An `annotations` member as [`Annotations`] reads it: an object's hints
/// and title here (a hint or another member that is no plain string or
/// literal by serde_json), anything else, and an object serde_json reads
/// as a raw value, by serde_json.
fn annotations<'a>(c: &mut Cursor<'a>) -> Read<Annotations<'a>> {
    match c.peek() {
        Some(b'{') if c.first_key().as_deref() != Some(RAW_VALUE_KEY) => {}
        Some(b'"') => return c.string().map(|_| Annotations::default()),
        Some(b't' | b'f' | b'n') => return c.skip().map(|_| Annotations::default()),
        _ => return c.serde(Annotations::default()),
    }
    let mut a = Annotations::default();
    c.members(|k, c| {
        let hint = match k.as_ref() {
            "readOnlyHint" => &mut a.hints.read_only,
            "destructiveHint" => &mut a.hints.destructive,
            "idempotentHint" => &mut a.hints.idempotent,
            "openWorldHint" => &mut a.hints.open_world,
            "title" => {
                a.title = Some(field(c)?);
                return Ok(());
            }
            _ => return skim(c),
        };
        *hint = match c.peek() {
            Some(b't') => c.skip().map(|_| Some(true))?,
            Some(b'f') => c.skip().map(|_| Some(false))?,
            Some(b'n') => c.skip().map(|_| None)?,
            Some(b'"') => c.string().map(|_| None)?,
            _ => c.serde(BoolSeed)?,
        };
        Ok(())
    })?;
    Ok(a)
}

/// `props` with repeated names merged the way `serde_json::Map`
/// (insertion-ordered) merges them: first position, last value.
fn merged(props: Props<'_>) -> Props<'_> {
    let dup = if props.len() <= 16 {
        props
            .iter()
            .enumerate()
            .any(|(i, (k, _))| props[..i].iter().any(|(p, _)| p == k))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(props.len());
        !props.iter().all(|(k, _)| seen.insert(k.as_ref()))
    };
    if !dup {
        return props;
    }
    let mut out: Props<'_> = Vec::with_capacity(props.len());
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (k, p) in props {
        match at.get(k.as_ref()) {
            Some(&i) => out[i].1 = p,
            None => {
                at.insert(k.to_string(), out.len());
                out.push((k, p));
            }
        }
    }
    out
}

/// The parameters of `props`, flattened as [`super::collect`] flattens a
/// `Value`'s (a nested property as `parent.child`, after its parent).
/// `parent_ops` is the item selectors of the top-level parameter that holds
/// `props` (none at the top), to which [`walk`] adds theirs, in the order
/// it reads a `Value`'s `properties`: after the parameter's own; with the
/// `$ref`s that parameter's [`walk`] met so far.
fn flatten<'a>(
    props: Props<'a>,
    defs: Defs,
    prefix: &str,
    out: &mut Vec<ParamView<'a>>,
    mut parent_ops: Option<(&mut ItemOps, &mut Refs)>,
) {
    for (name, prop) in merged(props) {
        // A top-level name stays borrowed from the text (cloning a
        // borrowed `Cow` copies no bytes).
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            Cow::Owned(format!("{prefix}.{name}"))
        };
        let Some(Prop {
            ty,
            description,
            schema,
            nested,
        }) = prop
        else {
            out.push(ParamView {
                name: full,
                ty: Cow::Borrowed(""),
                description: Cow::Borrowed(""),
                enum_values: Vec::new(),
                item_ops: Vec::new(),
            });
            continue;
        };
        // The schema keys [`type_of`], [`enum_values`] and [`walk`] read,
        // as a small object: they read nothing else.
        let mut m = serde_json::Map::new();
        let ty = match ty {
            Some(Field::Text(s)) => Some(s),
            Some(Field::Other(v)) => {
                m.insert("type".to_owned(), *v);
                None
            }
            None => None,
        };
        for (k, v) in SCHEMA_KEYS
            .iter()
            .zip(schema.map(|s| *s).into_iter().flatten())
        {
            if let Some(v) = v {
                m.insert((*k).to_owned(), v);
            }
        }
        // Neither a schema to walk nor nested parameters: no item
        // selectors, and nothing for `refs` to add (most parameters).
        let bare = m.is_empty() && nested.is_none();
        let mut ops = Vec::new();
        let mut refs = Refs::new(defs);
        let (ty, enum_values) = if m.is_empty() {
            (ty.unwrap_or_default(), Vec::new())
        } else {
            let m = Value::Object(m);
            match parent_ops.as_mut() {
                None => walk(&m, is_steps(&name), None, 0, false, &mut refs, &mut ops),
                Some((parent_ops, parent_refs)) => {
                    let seg = Seg::Prop(None, &name);
                    walk(
                        &m,
                        is_steps(&name),
                        Some(&seg),
                        1,
                        false,
                        parent_refs,
                        parent_ops,
                    );
                }
            }
            let resolved = shallow(&m, &defs);
            let read = resolved.as_ref().unwrap_or(&m);
            (
                ty.unwrap_or_else(|| Cow::Owned(type_of(read))),
                enum_values(read),
            )
        };
        // The name is copied only for a parameter with nested ones.
        let parent = nested.as_ref().map(|_| full.clone());
        let at = out.len();
        out.push(ParamView {
            name: full,
            ty,
            description: text(description),
            enum_values,
            item_ops: Vec::new(),
        });
        if let (Some(nested), Some(parent), None) = (nested, parent, &parent_ops) {
            flatten(nested, defs, &parent, out, Some((&mut ops, &mut refs)));
        }
        if parent_ops.is_none() && !bare {
            refs.finish(&mut ops);
            settle(&mut ops);
            out[at].item_ops = ops;
        }
    }
}

/// The hints an `annotations` member's JSON text declares, read as
/// [`Hints::from_annotations`] reads its `Value`, but keeping only the
/// hints; `None` where parsing it into a `Value` fails.
pub(crate) fn annotation_hints(text: &str) -> Option<Option<Hints>> {
    let mut c = Cursor::new(text);
    let a = annotations(&mut c).ok()?;
    c.at_end().then(|| a.hints())
}

impl<'a> ToolView<'a> {
    /// The view of one tool's JSON text without parsing it into a `Value`.
    /// `None` when the text should take the `Value` path instead (see
    /// [`crate::input::might_refuse`]) or does not parse.
    pub fn from_json(text: &'a str) -> Option<ToolView<'a>> {
        Self::from_json_plain(text, false)
    }

    /// [`ToolView::from_json`]; `plain` when the text is known to be one
    /// [`crate::input::might_refuse`] does not flag (the split's scan
    /// learnt it while finding the tool's end), so it is not looked at
    /// again.
    pub fn from_json_plain(text: &'a str, plain: bool) -> Option<ToolView<'a>> {
        // Texts serde_json may refuse, and texts long enough to hold a
        // string past the input layer's cap, take its tolerant path.
        if text.len() > crate::input::tolerant::FIELD_CAP
            || (!plain
                && crate::input::might_refuse(text.as_bytes(), crate::input::tolerant::MAX_DEPTH))
        {
            return None;
        }
        Self::from_json_inner(text).ok()
    }

    fn from_json_inner(json: &'a str) -> Read<ToolView<'a>> {
        if !json.trim_start().starts_with('{') {
            return Ok(ToolView {
                name: Cow::Borrowed(""),
                title: Cow::Borrowed(""),
                description: Cow::Borrowed(""),
                params: Vec::new(),
                declared: None,
                annotation_title: Cow::Borrowed(""),
            });
        }
        let mut c = Cursor::new(json);
        let m = tool_fields(&mut c)?;
        if !c.at_end() {
            return Err(Bad);
        }
        Ok(Self::of_fields(m))
    }

    /// The view of a tool's members.
    fn of_fields(m: ToolFields<'a>) -> ToolView<'a> {
        // One parameter a property at least: no regrowth for most tools.
        let mut params = Vec::with_capacity(m.props.as_ref().map_or(0, Vec::len));
        if let Some(props) = m.props {
            let defs = m.defs.as_ref().map(Defs::of).unwrap_or_default();
            flatten(props, defs, "", &mut params, None);
        }
        let (declared, annotation_title) = match m.annotations {
            Some(a) => (a.hints(), text(a.title)),
            None => (None, Cow::Borrowed("")),
        };
        ToolView {
            name: text(m.name),
            title: text(m.title),
            description: text(m.description),
            params,
            declared,
            annotation_title,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The annotations read without a `Value` give the hints and the title
    /// the kept `Value` gives, and fail where parsing it fails.
    #[test]
    fn annotations_read_as_the_kept_value_reads() {
        let texts = [
            r#"{"readOnlyHint":true}"#,
            r#"{"readOnlyHint":true,"readOnlyHint":"yes"}"#,
            r#"{"destructiveHint":false,"title":"T","title":7}"#,
            r#"{"title":null,"openWorldHint":true,"idempotentHint":[true]}"#,
            r#"{"x":{"a":[1,2,{"b":null}]},"idempotentHint":true,"title":{"t":1}}"#,
            r#"[{"readOnlyHint":true}]"#,
            "true",
            "null",
            r#""s""#,
            "{}",
            r#"{"$serde_json::private::RawValue":"{\"readOnlyHint\":true,\"title\":\"R\"}"}"#,
            r#"{"readOnlyHint":{"$serde_json::private::RawValue":"true"}}"#,
            r#"{"readOnlyHint":true,"x":1e999}"#,
            r#"{"readOnlyHint":[1e999]}"#,
            r#"{"readOnlyHint":tru}"#,
            r#"{"title":"a\u00e9\"b","destructiveHint":true"#,
        ];
        for t in texts {
            let kept = (|| {
                let mut de = serde_json::Deserializer::from_str(t);
                let v = Kept(&ANNOTATIONS).deserialize(&mut de)?;
                de.end()?;
                Ok::<_, serde_json::Error>((
                    Hints::from_annotations(&v),
                    text_of(v.get("title")).into_owned(),
                ))
            })();
            let read = (|| {
                let mut de = serde_json::Deserializer::from_str(t);
                let a = Annotations::default().deserialize(&mut de)?;
                de.end()?;
                Ok::<_, serde_json::Error>((a.hints(), text(a.title).into_owned()))
            })();
            assert_eq!(
                read.map_err(|e| e.to_string()),
                kept.map_err(|e| e.to_string()),
                "{t}"
            );
        }
    }
}
