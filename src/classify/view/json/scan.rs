//! A cursor over one tool's JSON text that takes and refuses exactly what
//! serde_json's parse of it does, without serde's machinery where the view
//! does not need it: members the view never reads (`outputSchema`, `_meta`,
//! `required`, a property's `default` or `pattern`: a third of a tool's
//! bytes) are skipped by [`Cursor::skip`], which checks them as serde_json's
//! `IgnoredAny` does at a fraction of its cost (strings are crossed a word
//! or a SIMD block at a time, structure with a bit stack), and strings are
//! borrowed from the text when they hold no escape. Values the view parses
//! into a `Value` are found by the same skip and parsed by serde_json from
//! their own text ([`Cursor::serde`]), so they read and fail as before.

use std::borrow::Cow;

use serde::de::DeserializeSeed;

/// The text is not one the view takes (serde_json would refuse it).
#[derive(Debug)]
pub(super) struct Bad;

/// What reading a part of the text gives.
pub(super) type Read<T> = Result<T, Bad>;

/// A place in one tool's text.
#[derive(Clone, Copy)]
pub(super) struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte that is not JSON whitespace, which the cursor is then
    /// at (not consumed); `None` at the text's end.
    #[inline]
    pub(super) fn peek(&mut self) -> Option<u8> {
        let b = self.bytes();
        // Most tools are written without blanks between tokens: a byte
        // above the space is one, at one comparison.
        match b.get(self.at) {
            Some(&c) if c > b' ' => return Some(c),
            None => return None,
            _ => {}
        }
        while let Some(&c) = b.get(self.at) {
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(c);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes `c`, which must be the next byte past whitespace.
    #[inline]
    fn eat(&mut self, c: u8) -> Read<()> {
        if self.peek() != Some(c) {
            return Err(Bad);
        }
        self.at += 1;
        Ok(())
    }

    /// Whether only whitespace is left.
    pub(super) fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// The string at the cursor (past whitespace): borrowed from the text
    /// when it holds no escape, else decoded by serde_json, which refuses
    /// what its parse of a string refuses (a lone surrogate, say).
    // Inlined, as `skip_string`: every key of an object the view reads
    // comes here (the decoding of escapes stays out of line).
    #[inline(always)]
    pub(super) fn string(&mut self) -> Read<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(Bad);
        }
        let start = self.at + 1;
        let escaped = self.skip_string()?;
        let inner = &self.text[start..self.at - 1];
        if escaped {
            return unescape(inner).map(Cow::Owned).ok_or(Bad);
        }
        Ok(Cow::Borrowed(inner))
    }

    /// Crosses the string whose quote the cursor is at, as serde_json's
    /// `ignore_str` does: refused at a control character, an escape that
    /// is not one of `\" \\ \/ \b \f \n \r \t` or `\u` with four hex
    /// digits, or the text's end. Says whether it holds an escape.
    // Inlined: called for every string (75 a tool), mostly short keys,
    // where a call's set-up costs about as much as crossing the string.
    #[inline(always)]
    fn skip_string(&mut self) -> Read<bool> {
        let b = self.bytes();
        let mut j = self.at + 1;
        let mut escaped = false;
        loop {
            j += stop_byte(b.get(j..).ok_or(Bad)?).ok_or(Bad)?;
            match b[j] {
                b'"' => {
                    self.at = j + 1;
                    return Ok(escaped);
                }
                b'\\' => {
                    escaped = true;
                    j += match b.get(j + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        Some(b'u')
                            if b.get(j + 2..j + 6)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            6
                        }
                        _ => return Err(Bad),
                    };
                }
                _ => return Err(Bad),
            }
        }
    }

    /// Crosses `lit` (`true`, `false`, `null`) at the cursor.
    fn literal(&mut self, lit: &[u8]) -> Read<()> {
        if !self.bytes()[self.at..].starts_with(lit) {
            return Err(Bad);
        }
        self.at += lit.len();
        Ok(())
    }

    /// Crosses the number at the cursor as serde_json's `ignore_integer`
    /// does: `-`?, `0` or a digit run not led by `0`, then `.` and digits,
    /// then `e`/`E`, a sign and digits; whatever follows is the caller's.
    fn number(&mut self) -> Read<()> {
        let b = self.bytes();
        let digits = |j: usize| j + b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
        let mut j = self.at + usize::from(b[self.at] == b'-');
        j = match b.get(j) {
            Some(b'0') if !b.get(j + 1).is_some_and(u8::is_ascii_digit) => j + 1,
            Some(b'1'..=b'9') => digits(j),
            _ => return Err(Bad),
        };
        if b.get(j) == Some(&b'.') {
            let k = digits(j + 1);
            if k == j + 1 {
                return Err(Bad);
            }
            j = k;
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            j += 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let k = digits(j);
            if k == j {
                return Err(Bad);
            }
            j = k;
        }
        self.at = j;
        Ok(())
    }

    /// Crosses a member's key and its colon, at the key's quote.
    #[inline(always)]
    fn key_colon(&mut self) -> Read<()> {
        if self.peek() != Some(b'"') {
            return Err(Bad);
        }
        self.skip_string()?;
        self.eat(b':')
    }

    /// Crosses the value at the cursor (past whitespace), taking and
    /// refusing what serde_json's `IgnoredAny` (its `ignore_value`) takes
    /// and refuses. Containers are followed with a stack of their kinds,
    /// not by recursion, so no depth is refused (nor is one by serde_json).
    pub(super) fn skip(&mut self) -> Read<()> {
        let mut open = Open::default();
        loop {
            let c = self.peek().ok_or(Bad)?;
            match c {
                b'{' | b'[' => {
                    self.at += 1;
                    let object = c == b'{';
                    if self.peek() != Some(if object { b'}' } else { b']' }) {
                        open.push(object);
                        if object {
                            self.key_colon()?;
                        }
                        continue;
                    }
                    // Empty: a value, ended.
                    self.at += 1;
                }
                b'"' => {
                    self.skip_string()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return Err(Bad),
            }
            // A value ended: close the containers it ends, then go on to
            // the next element or member.
            loop {
                let Some(object) = open.top() else {
                    return Ok(());
                };
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        if object {
                            self.key_colon()?;
                        }
                        break;
                    }
                    Some(b'}') if object => {
                        self.at += 1;
                        open.pop();
                    }
                    Some(b']') if !object => {
                        self.at += 1;
                        open.pop();
                    }
                    _ => return Err(Bad),
                }
            }
        }
    }

    /// The value at the cursor read by serde_json with `seed`: the same
    /// reading, and the same refusals, as serde_json's within the whole
    /// text (what follows the value is left to the cursor).
    pub(super) fn serde<T>(&mut self, seed: impl DeserializeSeed<'a, Value = T>) -> Read<T> {
        let mut de = serde_json::Deserializer::from_str(&self.text[self.at..]);
        let v = seed.deserialize(&mut de).map_err(|_| Bad)?;
        // How far the parse read: its reader's offset, which serde_json
        // shows only through a stream of values.
        self.at += de.into_iter::<serde::de::IgnoredAny>().byte_offset();
        Ok(v)
    }

    /// Whether the cursor (past whitespace) is at an object.
    pub(super) fn at_object(&mut self) -> bool {
        self.peek() == Some(b'{')
    }

    /// The first key of the object at the cursor, when it reads as one (the
    /// cursor does not move).
    pub(super) fn first_key(&self) -> Option<Cow<'a, str>> {
        let mut c = *self;
        c.eat(b'{').ok()?;
        c.string().ok()
    }

    /// Reads the members of the object at the cursor (past whitespace, at
    /// `{`) as serde_json's map access does: each key (decoded) is handed
    /// to `member`, which must read its value.
    pub(super) fn members(
        &mut self,
        mut member: impl FnMut(Cow<'a, str>, &mut Self) -> Read<()>,
    ) -> Read<()> {
        self.eat(b'{')?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            member(key, self)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(Bad),
            }
        }
    }
}

/// The content of a string whose escapes [`Cursor::skip_string`] took,
/// decoded as serde_json's parse of a string decodes it; `None` where that
/// parse refuses it: at a `\u` escape of a low surrogate, or of a high one
/// not followed by a `\u` escape of a low one.
#[cold]
#[inline(never)]
fn unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let hex = |j: usize| u32::from_str_radix(s.get(j..j + 4)?, 16).ok();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'\\', &b[i..]) {
        let j = i + k;
        out.push_str(&s[i..j]);
        let (c, len) = match *b.get(j + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\x08', 2),
            b'f' => ('\x0c', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => match hex(j + 2)? {
                0xDC00..=0xDFFF => return None,
                high @ 0xD800..=0xDBFF => {
                    if b.get(j + 6..j + 8) != Some(b"\\u") {
                        return None;
                    }
                    let low = hex(j + 8)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let c = 0x1_0000 + (((high - 0xD800) << 10) | (low - 0xDC00));
                    (char::from_u32(c)?, 12)
                }
                n => (char::from_u32(n)?, 6),
            },
            _ => return None,
        };
        out.push(c);
        i = j + len;
    }
    out.push_str(&s[i..]);
    Some(out)
}

/// The kinds (object or array) of the containers a skip is inside: a bit
/// each for the first 64 (a tool the view reads nests less than
/// [`crate::input::tolerant::MAX_DEPTH`], 64), a vector past them.
#[derive(Default)]
struct Open {
    depth: usize,
    bits: u64,
    deeper: Vec<bool>,
}

impl Open {
    fn push(&mut self, object: bool) {
        if self.depth < 64 {
            let bit = 1u64 << self.depth;
            self.bits = if object {
                self.bits | bit
            } else {
                self.bits & !bit
            };
        } else {
            self.deeper.push(object);
        }
        self.depth += 1;
    }

    /// Whether the innermost container is an object; `None` outside all.
    fn top(&self) -> Option<bool> {
        match self.depth {
            0 => None,
            d @ 1..=64 => Some(self.bits >> (d - 1) & 1 == 1),
            _ => self.deeper.last().copied(),
        }
    }

    fn pop(&mut self) {
        self.depth -= 1;
        if self.depth >= 64 {
            self.deeper.pop();
        }
    }
}

/// The index of the first byte of `s` that stops a string: a quote, a
/// backslash or a control character (below 0x20). Most strings of a tool
/// are short keys and types, so the first [`SHORT`] bytes are looked at a
/// word (8 bytes) at a time, inline; the rest of a longer one (a
/// description) by memchr and a vectorised check for control characters.
#[inline(always)]
fn stop_byte(s: &[u8]) -> Option<usize> {
    /// Bytes looked at word by word before the long-string search.
    const SHORT: usize = 32;
    let mut k = 0;
    while let Some(w) = s.get(k..k + 8) {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        let m = stop_mask(w);
        if m != 0 {
            return Some(k + (m.trailing_zeros() / 8) as usize);
        }
        k += 8;
        if k >= SHORT {
            return long_stop(&s[k..]).map(|p| k + p);
        }
    }
    s[k..]
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|p| k + p)
}

/// [`stop_byte`] for the rest of a long string: memchr finds the quote or
/// backslash, then the bytes before it are checked for a control
/// character in blocks (a branch-free minimum the compiler vectorises).
#[inline(never)]
fn long_stop(s: &[u8]) -> Option<usize> {
    let end = memchr::memchr2(b'"', b'\\', s);
    let before = &s[..end.unwrap_or(s.len())];
    let control = before
        .chunks(64)
        .any(|c| c.iter().fold(u8::MAX, |m, &x| m.min(x)) < 0x20);
    if control {
        return before.iter().position(|&c| c < 0x20);
    }
    end
}

/// The high bit of each byte of `w` (little-endian) that is a quote, a
/// backslash or below 0x20, by the classic zero-byte test on `w ^ "…"`,
/// `w ^ \…\` and `w - 0x20…`, merged as serde_json merges them: a byte
/// below 0x80 gets its high bit from a subtraction only when it matches
/// or a borrow comes from a match below it (bytes from 0x80 are masked by
/// `!w`, and match nothing), so the lowest flagged byte is a stop.
#[inline]
fn stop_mask(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let quote = (w ^ (ONES * b'"' as u64)).wrapping_sub(ONES);
    let backslash = (w ^ (ONES * b'\\' as u64)).wrapping_sub(ONES);
    let control = w.wrapping_sub(ONES * 0x20);
    (quote | backslash | control) & !w & (ONES << 7)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The skip takes exactly what serde_json's `IgnoredAny` takes, and
    /// ends where it ends, on valid and broken values alike.
    #[test]
    fn skip_takes_what_ignored_any_takes() {
        let deep = |n: usize, open: &str, close: &str, inner: &str| {
            format!("{}{inner}{}", open.repeat(n), close.repeat(n))
        };
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "01",
            "-",
            "-a",
            "1.",
            "1.5",
            ".5",
            "1e",
            "1e+",
            "1E-7",
            "1e5x",
            "+1",
            "123456789012345678901234567890e999",
            "-0.0e0",
            "0x1",
            "2.5e",
            "1.e3",
            "true",
            "tru",
            "truex",
            "false",
            "fals",
            "null",
            "nul",
            "nulll",
            "\"\"",
            "\"a\"",
            "\"a",
            "\"\\\"\"",
            "\"\\\\\"",
            "\"\\/\\b\\f\\n\\r\\t\"",
            "\"\\x\"",
            "\"\\u00e9\"",
            "\"\\u00g9\"",
            "\"\\u00e\"",
            "\"\\ud800\"",
            "\"\\uDC00\\uD800\"",
            "\"a\u{1}b\"",
            "\"a\tb\"",
            "\"a\u{7f}b\"",
            "\"caf\u{e9} \u{1F600}\"",
            "[]",
            "[ ]",
            "[1]",
            "[1,]",
            "[,1]",
            "[1 2]",
            "[1,2",
            "{}",
            "{ }",
            "{\"a\":1}",
            "{\"a\" 1}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{,}",
            "{1:1}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":[1,{\"b\":\"]}\"}]}",
            "[{]",
            "{[}",
            "[}",
            "{]",
            "{\"a\":1]",
            "[1}",
            "\"]}\"",
            "[\"\\\"]\"]",
            "[[[[]]]]",
            "[[[]]",
            "{\"\\u0061\":1}",
            "{\"a\u{1}\":1}",
            "x",
            "",
            " ",
            "[\n1\t,\r2 ]",
            "{\"a\":{\"b\":{\"c\":{}}}}",
            "{\"$serde_json::private::RawValue\":\"not json\"}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in [1, 63, 64, 65, 200, 1000] {
            texts.push(deep(n, "[", "]", "1"));
            texts.push(deep(n, "[", "]", ""));
            texts.push(deep(n, "{\"a\":", "}", "1"));
            texts.push(deep(n, "[{\"a\":", "}]", "[]"));
            texts.push(deep(n, "[", "]", "").replacen(']', "}", 1));
            texts.push(format!("{}{}", "[{\"k\":".repeat(n), "}]".repeat(n)));
        }
        // Long strings: a stop past the word-by-word bytes, in and after
        // every block.
        for len in [0, 7, 8, 31, 32, 33, 63, 64, 65, 100, 200] {
            let body = "d".repeat(len);
            texts.push(format!("\"{body}\""));
            texts.push(format!("\"{body}"));
            texts.push(format!("\"{body}\\\"{body}\""));
            texts.push(format!("\"{body}\u{1f}{body}\""));
            texts.push(format!("\"{body}\\q\""));
            texts.push(format!("[\"{body}\"\n,\t\"{body}\"]"));
        }
        for t in &texts {
            // What follows the value is the caller's: a comma, a bracket.
            for tail in ["", " ", ",", "]", " x"] {
                let text = format!("{t}{tail}");
                let mut de = serde_json::Deserializer::from_str(&text);
                let want = serde::de::IgnoredAny::deserialize(&mut de).is_ok();
                let mut c = Cursor::new(&text);
                let got = c.skip();
                assert_eq!(got.is_ok(), want, "{text:?}");
                // A whole value ends where the tail begins.
                if serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok() {
                    assert_eq!(c.at, t.len(), "{text:?}");
                }
            }
        }
    }

    use serde::Deserialize;

    /// Strings are borrowed without escapes, decoded by serde_json with
    /// them, and refused where serde_json's parse of a string refuses them.
    #[test]
    fn strings_read_as_serde_json_reads_them() {
        for t in [
            r#""plain""#,
            r#""""#,
            r#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#,
            r#""lone \ud800""#,
            r#""lone \udc00 low""#,
            r#""high then text \ud83dx""#,
            r#""high then escape \ud83d\n""#,
            r#""high high \ud83d\ud83d""#,
            r#""high at end \ud83d""#,
            r#""high, low cut \ud83d\ude0""#,
            r#""pair \uD83D\uDE00, \uDBFF\uDFFF, \u0000 \u007f \uFFFF \u00E9""#,
            r#""\\u0041 is no escape, \\\u0041 is""#,
            r#""\"\\\/\b\f\n\r\t""#,
            "\"caf\u{e9} \\u00e9 \u{1F600}\"",
            r#""bad \x""#,
            "\"ctl \u{1} char\"",
            r#""open"#,
            "7",
            r#"  "spaced"  "#,
        ] {
            let want = serde_json::from_str::<String>(t).ok();
            let mut c = Cursor::new(t);
            let got = c
                .string()
                .ok()
                .filter(|_| c.at_end())
                .map(|s| s.into_owned());
            assert_eq!(got, want, "{t}");
            if let Ok(Cow::Borrowed(_)) = Cursor::new(t).string() {
                assert!(!t.contains('\\'), "{t}");
            }
        }
    }

    /// The word-at-a-time stop search finds the first quote, backslash or
    /// control character a plain search finds, wherever it is.
    #[test]
    fn stop_byte_agrees_with_a_plain_search() {
        crate::text::each_text_with_stops(&[b'"', b'\\', 0, 0x1f, b'\n'], |t| {
            let want = t.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
            assert_eq!(stop_byte(t), want, "{t:?}");
        });
    }
}
