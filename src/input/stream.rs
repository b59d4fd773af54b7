//! The streaming half of the input parser: serde visitors that hand a file's
//! tool array on in batches of raw (borrowed, unparsed) tool texts.

use serde_json::value::RawValue;

/// Tools per batch (one parallel reading task: small, so a 1,000-tool file
/// is read on both cores while the rest of its text is split).
pub const CHUNK: usize = 128;

/// One batch of raw tools, borrowed from the input text.
type Batch<'a> = Vec<&'a RawValue>;

/// Streams the elements of a JSON array to `emit` in batches of [`CHUNK`].
pub(super) struct SeqSink<'s, 'a>(pub(super) &'s mut dyn FnMut(Batch<'a>));

impl<'de> serde::de::Visitor<'de> for SeqSink<'_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut batch = Vec::with_capacity(CHUNK);
        while let Some(t) = seq.next_element::<&'de RawValue>()? {
            batch.push(t);
            if batch.len() == CHUNK {
                (self.0)(std::mem::replace(&mut batch, Vec::with_capacity(CHUNK)));
            }
        }
        if !batch.is_empty() {
            (self.0)(batch);
        }
        Ok(())
    }
}

/// `tools: Option<[...]>`: streamed; `Ok(true)` when the array was there.
struct OptSeq<'s, 'a>(SeqSink<'s, 'a>);

impl<'de> serde::de::DeserializeSeed<'de> for OptSeq<'_, 'de> {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> serde::de::Visitor<'de> for OptSeq<'_, 'de> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("option")
    }
    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_seq(self.0).map(|_| true)
    }
}

/// What an envelope object held.
pub(super) enum Found<'a> {
    Tools,
    Result(&'a RawValue),
    Neither,
}

/// The envelope `{"tools": [...]}` or `{"result": {...}}` (tools win), with
/// the errors a derived struct would give (same messages, duplicate fields).
pub(super) struct EnvelopeSink<'s, 'a>(pub(super) &'s mut dyn FnMut(Batch<'a>));

impl<'de> serde::de::Visitor<'de> for EnvelopeSink<'_, 'de> {
    type Value = Found<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("struct Envelope")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
        let mut tools: Option<bool> = None;
        let mut result: Option<Option<&'de RawValue>> = None;
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match k.as_ref() {
                "tools" => {
                    if tools.is_some() {
                        return Err(serde::de::Error::duplicate_field("tools"));
                    }
                    tools = Some(map.next_value_seed(OptSeq(SeqSink(&mut *self.0)))?);
                }
                "result" => {
                    if result.is_some() {
                        return Err(serde::de::Error::duplicate_field("result"));
                    }
                    result = Some(map.next_value()?);
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(match (tools, result) {
            (Some(true), _) => Found::Tools,
            (_, Some(Some(r))) => Found::Result(r),
            _ => Found::Neither,
        })
    }
}
