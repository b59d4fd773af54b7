//! Finds keys that appear twice in one object or mapping. Both serde_json and
//! yaml_serde keep the last value silently, so a policy with a tool listed
//! twice would lose the first tool's rules without a word; `policy check`
//! reports it instead.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::yaml_locate::Seg;

/// Every duplicate key: the path of the object that holds it, and the key.
pub fn duplicates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Vec<Seg>, String)>, D::Error> {
    let found = RefCell::new(Vec::new());
    Walk {
        path: Vec::new(),
        found: &found,
    }
    .deserialize(d)?;
    Ok(found.into_inner())
}

struct Walk<'a> {
    path: Vec<Seg>,
    found: &'a RefCell<Vec<(Vec<Seg>, String)>>,
}

impl Walk<'_> {
    fn child(&self, seg: Seg) -> Walk<'_> {
        let mut path = self.path.clone();
        path.push(seg);
        Walk {
            path,
            found: self.found,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! accept {
    ($($f:ident: $t:ty),*) => {$(
        fn $f<E: de::Error>(self, _: $t) -> Result<(), E> { Ok(()) }
    )*};
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    accept!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_i128: i128, visit_u128: u128, visit_f64: f64, visit_str: &str, visit_bytes: &[u8]);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq.next_element_seed(self.child(Seg::Index(i)))?.is_some() {
            i += 1;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(AnyKey(k)) = map.next_key()? {
            if !seen.insert(k.clone()) {
                self.found.borrow_mut().push((self.path.clone(), k.clone()));
            }
            map.next_value_seed(self.child(Seg::Key(k)))?;
        }
        Ok(())
    }
}

/// A mapping key of any scalar type, as text.
struct AnyKey(String);

impl<'de> de::Deserialize<'de> for AnyKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AnyKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AnyKey, E> {
                Ok(AnyKey(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<AnyKey, E> {
                Ok(AnyKey(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AnyKey, E> {
                Ok(AnyKey(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AnyKey, E> {
                Ok(AnyKey(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AnyKey, E> {
                Ok(AnyKey(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<AnyKey, E> {
                Ok(AnyKey("null".into()))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_in_json_and_yaml() {
        let mut j =
            serde_json::Deserializer::from_str(r#"{"tools":{"a":{},"b":[{"x":1,"x":2}],"a":{}}}"#);
        let d = duplicates(&mut j).unwrap();
        assert_eq!(
            d,
            vec![
                (
                    vec![
                        Seg::Key("tools".into()),
                        Seg::Key("b".into()),
                        Seg::Index(0)
                    ],
                    "x".into()
                ),
                (vec![Seg::Key("tools".into())], "a".into()),
            ]
        );
        let y = yaml_serde::Deserializer::from_str("tools:\n  a: 1\n  a: 2\n");
        assert_eq!(
            duplicates(y).unwrap(),
            vec![(vec![Seg::Key("tools".into())], "a".into())]
        );
        let y = yaml_serde::Deserializer::from_str("a: [1, {b: 2}]\nc: ~\n");
        assert!(duplicates(y).unwrap().is_empty());
    }
}
