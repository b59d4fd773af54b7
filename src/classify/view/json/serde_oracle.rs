//! The serde visitors the view's reader replaced ([`super::scan`]), kept
//! as the tests' oracle: the hand-written reader must give the same view,
//! and take and refuse the same texts, as these did.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::*;
use crate::classify::view::tests::flat;

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
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<$out, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

/// Seed: a property's schema, `None` unless it is an object; `properties`
/// inside it is read while `depth` is 0.
struct PropSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for PropSeed {
    type Value = Option<Prop<'de>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PropSeed {
    type Value = Option<Prop<'de>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    not_an_object!(Option<Prop<'de>>);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut p = Prop::default();
        while let Some(k) = map.next_key::<Text<'de>>()? {
            match k.0.as_ref() {
                "type" => p.ty = Some(map.next_value()?),
                "description" => p.description = Some(map.next_value()?),
                "properties" if self.depth < 1 => {
                    p.nested = map.next_value_seed(PropsSeed {
                        depth: self.depth + 1,
                    })?
                }
                key => match SCHEMA_KEYS.iter().position(|s| *s == key) {
                    Some(i) => {
                        let v = map.next_value_seed(Kept(SCHEMA_KEEP[i]))?;
                        if !idle(&v, SCHEMA_KEEP[i], false) {
                            p.schema.get_or_insert_with(Default::default)[i] = Some(v);
                        } else if let Some(schema) = p.schema.as_mut() {
                            schema[i] = None;
                        }
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
        }
        Ok(Some(p))
    }
}

/// Seed: the members of a `properties` object, `None` unless it is one.
struct PropsSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for PropsSeed {
    type Value = Option<Props<'de>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PropsSeed {
    type Value = Option<Props<'de>>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    not_an_object!(Option<Props<'de>>);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(k) = map.next_key::<Text<'de>>()? {
            let p = map.next_value_seed(PropSeed { depth: self.depth })?;
            out.push((k.0, p));
        }
        Ok(Some(out))
    }
}

/// Seed for `inputSchema`: [`Schema`], nothing unless it is an object.
struct SchemaSeed;

impl<'de> DeserializeSeed<'de> for SchemaSeed {
    type Value = Schema<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SchemaSeed {
    type Value = Schema<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok((None, None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok((None, None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut props = None;
        let mut defs: Option<serde_json::Map<String, Value>> = None;
        while let Some(k) = map.next_key::<Text<'de>>()? {
            match k.0.as_ref() {
                "properties" => props = map.next_value_seed(PropsSeed { depth: 0 })?,
                "$defs" | "definitions" => {
                    let v = map.next_value_seed(Kept(&DEFS))?;
                    defs.get_or_insert_with(Default::default)
                        .insert(k.0.into_owned(), v);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((props, defs.map(Value::Object)))
    }
}

impl<'de> Deserialize<'de> for ToolFields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ToolFields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ToolFields<'de>, A::Error> {
                let mut t = ToolFields::default();
                while let Some(k) = map.next_key::<Text<'de>>()? {
                    match k.0.as_ref() {
                        "name" => t.name = Some(map.next_value()?),
                        "title" => t.title = Some(map.next_value()?),
                        "description" => t.description = Some(map.next_value()?),
                        "annotations" => {
                            t.annotations = Some(map.next_value_seed(Annotations::default())?)
                        }
                        "inputSchema" => (t.props, t.defs) = map.next_value_seed(SchemaSeed)?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(t)
            }
        }
        d.deserialize_map(V)
    }
}

/// The view as the serde visitors read it (`None` where they refuse the
/// text), as `from_json_inner` read it before.
fn serde_view(json: &str) -> Option<ToolView<'_>> {
    if !json.trim_start().starts_with('{') {
        return ToolView::from_json_inner(json).ok();
    }
    serde_json::from_str::<ToolFields>(json)
        .ok()
        .map(ToolView::of_fields)
}

/// Tools that hold every part the reader reads or skips: nested and
/// repeated properties, escapes in keys and values, kept parts (enums,
/// alternatives, items, definitions), annotations of every shape, the raw
/// value key, numbers, literals and members the view never reads.
const TOOLS: [&str; 4] = [
    r##"{"name":"delete_\u0061b","title":"T","description":"Deletes \"x\" [for] {good}.\n","inputSchema":{"type":"object","$schema":"http://json-schema.org/draft-07/schema#","properties":{"id":{"type":"string","description":"The id","default":"a,b]}","pattern":"^[a-z]+$"},"mode":{"type":["string","null"],"enum":["soft","hard",1,true,null],"minimum":-1.5e3},"opts":{"type":"object","properties":{"x\u00e9":{"type":"integer","description":7},"y":{"anyOf":[{"type":"string"},{"const":"z"}]}}},"steps":{"type":"array","items":{"properties":{"action":{"enum":["drop","get"]}}}},"id":{"type":"number"}},"required":["id"],"additionalProperties":false,"$defs":{"Op":{"enum":["a"]}}},"outputSchema":{"type":"object","properties":{"r":{"type":"string","examples":["]","}",0,-0.5,1E+2,[],{}]}}},"annotations":{"readOnlyHint":false,"destructiveHint":true,"title":"Del","x":[1,{"y":null}],"openWorldHint":null},"_meta":{"k":[true,false,null,"\ud83d\ude00"]}}"##,
    r##"{"description":{"a":[1,2]},"name":"n","annotations":{"idempotentHint":"yes","readOnlyHint":[true],"title":{"t":1},"destructiveHint":{"$serde_json::private::RawValue":"true"}},"inputSchema":{"properties":{"a":5,"b":"s","c":[1,{"x":2}],"d":{"properties":{"e":{"properties":{"f":{"type":"string"}}}},"$ref":"#/$defs/X","oneOf":[{"type":"string"}]}},"definitions":{"X":{"type":"string","enum":["p"]}}},"name":"again"}"##,
    r##"{"name":"r","annotations":{"$serde_json::private::RawValue":"{\"readOnlyHint\":true,\"title\":\"R\"}"},"inputSchema":{"properties":{"p":{"anyOf":[{"$serde_json::private::RawValue":"{\"type\":\"boolean\"}"}],"items":{"enum":["q"],"x":{"y":[1]}}}}},"title":null}"##,
    r##" { "name" : "s" , "inputSchema" : [ 1 , { "properties" : { } } ] , "annotations" : [ { "readOnlyHint" : true } ] , "description" : -0.25e-3 , "title" : false } "##,
];

/// Texts made from `base` by one edit at each place: a byte deleted, or
/// one of the bytes or snippets that break or bend JSON inserted or put in
/// its stead.
fn edits(base: &str) -> Vec<String> {
    let bits = [
        ",", "]", "}", "[", "{", "\"", "\\", ":", " ", "x", "1", "-", ".", "e", "0", "\u{1}",
        "\\u12", "\\ud800", "tru", "nul",
    ];
    let mut out = Vec::new();
    let places: Vec<usize> = (0..=base.len())
        .filter(|&i| base.is_char_boundary(i))
        .collect();
    for &i in &places {
        let next = places.iter().find(|&&j| j > i).copied();
        for b in bits {
            out.push(format!("{}{b}{}", &base[..i], &base[i..]));
            if let Some(j) = next {
                out.push(format!("{}{b}{}", &base[..i], &base[j..]));
            }
        }
        if let Some(j) = next {
            out.push(format!("{}{}", &base[..i], &base[j..]));
        }
    }
    out
}

/// The reader gives the view the serde visitors gave, and takes and
/// refuses the same texts, for every one-edit change of tools holding all
/// it reads (over 10,000 texts, most of them broken somewhere).
#[test]
fn reader_agrees_with_the_serde_visitors() {
    let mut taken = 0;
    let mut total = 0;
    for base in TOOLS {
        assert!(serde_view(base).is_some(), "{base}");
        for t in std::iter::once(base.to_owned()).chain(edits(base)) {
            let want = serde_view(&t).map(|v| flat(&v));
            let got = ToolView::from_json_inner(&t).ok().map(|v| flat(&v));
            assert_eq!(got, want, "{t}");
            taken += usize::from(want.is_some());
            total += 1;
        }
    }
    assert!(total > 10_000 && taken > 1_000, "{taken} of {total}");
}

/// The same for annotations alone, as the context reads them.
#[test]
fn annotation_hints_agree_with_the_serde_visitor() {
    let base = r##"{"readOnlyHint":true,"title":"T\u00e9","destructiveHint":false,"x":{"a":[1,-2.5e3,"s"]},"openWorldHint":null,"idempotentHint":"no"}"##;
    let old = |t: &str| {
        let mut de = serde_json::Deserializer::from_str(t);
        let a = Annotations::default().deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(a.hints())
    };
    for t in std::iter::once(base.to_owned()).chain(edits(base)) {
        assert_eq!(annotation_hints(&t), old(&t), "{t}");
    }
}

/// Containers nested past the depth limit are sent to the tolerant
/// reading before either reader sees them.
#[test]
fn deep_texts_are_not_read() {
    for n in [63, 64, 65, 200] {
        let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
        let t = format!(
            r#"{{"name":"d","_meta":{deep},"inputSchema":{{"properties":{{"p":{{"enum":{deep}}}}}}}}}"#
        );
        assert!(ToolView::from_json(&t).is_none(), "{n}");
    }
    let ok = format!(
        r#"{{"name":"d","_meta":{}{}}}"#,
        "[".repeat(40),
        "]".repeat(40)
    );
    assert_eq!(
        ToolView::from_json(&ok).map(|v| flat(&v)),
        serde_view(&ok).map(|v| flat(&v))
    );
}
