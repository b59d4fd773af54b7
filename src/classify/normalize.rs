//! Identifier and prose normalisation: turns `API-patch-page`, `getFileContents`,
//! `github.delete_repo` or `Deletes a block.` into lowercase ASCII word tokens so
//! a verb is found wherever it sits.

use std::borrow::Cow;

/// Text as a reader sees it, for matching: invisible characters (zero-width,
/// bidi controls, tags, soft hyphens, variation selectors, controls other
/// than whitespace) dropped, fullwidth forms folded to ASCII, and Cyrillic or
/// Greek letters that look like Latin ones folded to those inside words that
/// also hold ASCII letters (`dеlete` with a Cyrillic `е`), so a verb cannot
/// hide from the rules. Words wholly in another script are left alone.
/// Printable ASCII text is returned as is, without a copy.
pub fn fold_lookalikes(s: &str) -> Cow<'_, str> {
    if printable_ascii(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    // Most non-ASCII text (emoji, accents, other scripts) has nothing to fold.
    if !has_foldable(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut word: Vec<char> = Vec::new();
    let flush = |word: &mut Vec<char>, out: &mut String| {
        let mixed = word.iter().any(|c| c.is_ascii_alphabetic());
        for &c in word.iter() {
            match lookalike(c) {
                Some(a) if mixed => out.push(a),
                _ => out.push(c),
            }
        }
        word.clear();
    };
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        let c = fullwidth(c).unwrap_or(c);
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    if out == s {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(out)
    }
}

/// The byte offset of the first letter of another script drawn like a
/// Latin one inside a word that also holds ASCII letters (`dеlete`), if any.
pub fn disguised_letter(s: &str) -> Option<usize> {
    // Every lookalike is Greek, Cyrillic or a dotless i: UTF-8 lead bytes
    // C4 and CE-D4. A text without them has none (one pass over bytes
    // instead of a Unicode table lookup per character).
    if !s.bytes().any(|b| b == 0xC4 || (0xCE..=0xD4).contains(&b)) {
        return None;
    }
    let mut ascii = false;
    let mut disguised: Option<usize> = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if c.is_alphanumeric() {
            ascii |= c.is_ascii_alphabetic();
            if disguised.is_none() && lookalike(c).is_some() {
                disguised = Some(i);
            }
            continue;
        }
        if ascii && disguised.is_some() {
            return disguised;
        }
        ascii = false;
        disguised = None;
    }
    None
}

/// Whether [`fold_lookalikes`] has anything to drop or fold in `s`. A byte
/// loop: an ASCII byte is tested inline (for ASCII, [`is_invisible`] is a
/// control that is no whitespace) and only a non-ASCII character is
/// decoded. Most of a non-ASCII text is ASCII (one em-dash in a long
/// description), and decoding every character cost several times more;
/// a block of 32 bytes of printable ASCII or whitespace is passed over
/// whole, its bytes tested side by side (no exit per byte).
fn has_foldable(s: &str) -> bool {
    // `char::is_whitespace` includes the vertical tab: `\t..=\r`.
    let plain = |x: u8| (0x20..0x7f).contains(&x) | (b'\t'..=b'\r').contains(&x);
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(block) = b.get(i..i + 32) {
            if block.iter().fold(true, |acc, &x| acc & plain(x)) {
                i += 32;
                continue;
            }
        }
        let stop = (i + 32).min(b.len());
        while i < stop {
            let x = b[i];
            if x < 0x80 {
                if !plain(x) {
                    return true;
                }
                i += 1;
                continue;
            }
            // `i` is always at a character boundary: it moves by whole characters.
            let Some(c) = s[i..].chars().next() else {
                return false;
            };
            if is_invisible(c) || fullwidth(c).is_some() || lookalike(c).is_some() {
                return true;
            }
            i += c.len_utf8();
        }
    }
    false
}

/// Characters a reader does not see.
fn is_invisible(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(c as u32,
            0xAD | 0x34F | 0x61C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xE0000..=0xE0FFF)
}

/// Whether every byte is printable ASCII, a tab or a line break. Checked a
/// block at a time without an exit per byte, so the compiler can test a
/// block's bytes side by side (the check runs over every description).
fn printable_ascii(b: &[u8]) -> bool {
    let bad = |x: u8| (x >= 0x7f) | ((x < 0x20) & (x != b'\t') & (x != b'\n') & (x != b'\r'));
    let mut blocks = b.chunks_exact(32);
    for block in &mut blocks {
        if block.iter().fold(false, |acc, &x| acc | bad(x)) {
            return false;
        }
    }
    !blocks.remainder().iter().any(|&x| bad(x))
}

/// A fullwidth ASCII form (`ｄ`) as ASCII.
fn fullwidth(c: char) -> Option<char> {
    let u = c as u32;
    (0xFF01..=0xFF5E)
        .contains(&u)
        .then(|| char::from_u32(u - 0xFEE0))
        .flatten()
}

/// The Latin letter a Cyrillic or Greek one is drawn like, if any.
fn lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' | 'α' => 'a',
        'е' | 'ё' | 'ε' => 'e',
        'і' | 'ї' | 'ι' | 'ı' => 'i',
        'ј' => 'j',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'с' => 'c',
        'ѕ' => 's',
        'у' => 'y',
        'х' | 'χ' => 'x',
        'һ' => 'h',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        'к' | 'κ' => 'k',
        'ν' => 'v',
        'υ' => 'u',
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'Е' | 'Ε' => 'E',
        'Ѕ' => 'S',
        'І' | 'Ι' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Н' | 'Η' => 'H',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'С' => 'C',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'У' | 'Υ' | 'Ү' => 'Y',
        'Ζ' => 'Z',
        _ => return None,
    })
}

/// Splits an identifier into lowercase tokens at `_`, `-`, `.`, `/`, spaces,
/// digits boundaries and camelCase humps (`getHTTPResponse` → get, http, response).
///
/// A token is a run of ASCII letters and digits, so it is read as a byte
/// span of `name` and lowercased in one allocation of its size (any other
/// byte, a UTF-8 one included, ends a token; the byte before an uppercase
/// letter inside a token is that token's, so it is ASCII).
pub fn identifier_tokens(name: &str) -> Vec<String> {
    let b = name.as_bytes();
    let mut out = Vec::new();
    // Where the current token starts, if one is open.
    let mut start: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if let Some(s) = start.take() {
                out.push(name[s..i].to_ascii_lowercase());
            }
            continue;
        }
        match start {
            Some(s) if c.is_ascii_uppercase() => {
                let prev = b[i - 1];
                let next_lower = b.get(i + 1).is_some_and(u8::is_ascii_lowercase);
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower)
                {
                    out.push(name[s..i].to_ascii_lowercase());
                    start = Some(i);
                }
            }
            Some(_) => {}
            None => start = Some(i),
        }
    }
    if let Some(s) = start {
        out.push(name[s..].to_ascii_lowercase());
    }
    out
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    if !cur.is_empty() {
        out.push(std::mem::take(cur));
    }
}

/// Lowercase ASCII words of prose, in order (apostrophes dropped, so `don't` → `dont`;
/// accented Latin letters folded, so `récupère` → `recupere`).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if let Some(f) = fold_latin(c) {
            cur.push_str(f);
        } else if c == '\'' || c == '\u{2019}' {
            continue;
        } else {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// A letter of the Latin-1 and Latin Extended-A blocks with a diacritic (or
/// a ligature), as the lowercase ASCII it is commonly written as without
/// one: `é` → `e`, `Ü` → `u`, `ß` → `ss`, `œ` → `oe`. Words of French,
/// Spanish, Portuguese, German or Italian stay one word (`récupère` →
/// `recupere`) and meet the lexicon's ASCII spellings. Other characters:
/// `None` (they end a word, as before).
pub fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'ā' | 'Ā' | 'ă'
        | 'Ă' | 'ą' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' | 'ć' | 'Ć' | 'č' | 'Č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' | 'ē' | 'Ē' | 'ė' | 'Ė' | 'ę' | 'Ę' | 'ě'
        | 'Ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'ī' | 'Ī' | 'į' | 'Į' => "i",
        'ñ' | 'Ñ' | 'ń' | 'Ń' | 'ň' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ō' | 'Ō' | 'ő'
        | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'ū' | 'Ū' | 'ů' | 'Ů' | 'ű' | 'Ű' => {
            "u"
        }
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ß' => "ss",
        'ł' | 'Ł' => "l",
        'ś' | 'Ś' | 'š' | 'Š' => "s",
        'ź' | 'Ź' | 'ż' | 'Ż' | 'ž' | 'Ž' => "z",
        'ř' | 'Ř' => "r",
        'ď' | 'Ď' => "d",
        'ť' | 'Ť' => "t",
        _ => return None,
    })
}

/// A Cyrillic letter (U+0400..U+045F) lowercased, `ё` as `е` (the lexicon
/// writes `е`), so a Russian word is one word of the verb reading
/// (`Получить` → `получить`).
pub fn fold_cyrillic(c: char) -> Option<&'static str> {
    let i = (c as u32).checked_sub(0x400)?;
    CYRILLIC_LOWER.get(i as usize).copied()
}

const CYRILLIC_LOWER: [&str; 96] = [
    "ѐ", "е", "ђ", "ѓ", "є", "ѕ", "і", "ї", "ј", "љ", "њ", "ћ", "ќ", "ѝ", "ў", "џ", "а", "б", "в",
    "г", "д", "е", "ж", "з", "и", "й", "к", "л", "м", "н", "о", "п", "р", "с", "т", "у", "ф", "х",
    "ц", "ч", "ш", "щ", "ъ", "ы", "ь", "э", "ю", "я", "а", "б", "в", "г", "д", "е", "ж", "з", "и",
    "й", "к", "л", "м", "н", "о", "п", "р", "с", "т", "у", "ф", "х", "ц", "ч", "ш", "щ", "ъ", "ы",
    "ь", "э", "ю", "я", "ѐ", "е", "ђ", "ѓ", "є", "ѕ", "і", "ї", "ј", "љ", "њ", "ћ", "ќ", "ѝ", "ў",
    "џ",
];

/// A non-ASCII letter as the verb reading spells it: Latin with its
/// diacritic folded ([`fold_latin`]) or Cyrillic lowercased
/// ([`fold_cyrillic`]). Kept out of line: ASCII text never calls it.
#[inline(never)]
pub fn fold_non_ascii(c: char) -> Option<&'static str> {
    fold_latin(c).or_else(|| fold_cyrillic(c))
}

/// The sentences of a description (split at `. `, `! `, `? `, newlines), trimmed,
/// with leading boilerplate such as `Notion | ` or markdown markers removed.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    // A block of 32 bytes none of which may end a sentence (most of them)
    // is passed over whole, its bytes tested side by side: a fixed-size
    // block and a fold without an exit per byte let the compiler use
    // vector compares (over a slice it tested byte by byte, slower than
    // the plain loop).
    let may_end = |x: u8| {
        u8::from(x == 0xe2)
            | u8::from(x == b'\n')
            | u8::from(x == b'|')
            | u8::from(x == b'.')
            | u8::from(x == b'!')
            | u8::from(x == b'?')
            | u8::from(x == b':')
    };
    let mut i = 0;
    while i < bytes.len() {
        if let Some(block) = bytes.get(i..).and_then(|r| r.first_chunk::<32>()) {
            if block.iter().fold(0u8, |acc, &x| acc | may_end(x)) == 0 {
                i += 32;
                continue;
            }
        }
        for i in i..(i + 32).min(bytes.len()) {
            let end = match bytes[i] {
                b'\n' => !wrapped_line(bytes, start, i),
                b'|' => true,
                0xe2 if out.is_empty() && badge_dash(text, start, i) => {
                    push_sentence(&text[start..i], &mut out);
                    start = i + 3;
                    continue;
                }
                b'.' | b'!' | b'?' | b':' => {
                    bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace())
                }
                _ => false,
            };
            if end {
                push_sentence(&text[start..i], &mut out);
                start = i + 1;
            }
        }
        i += 32;
    }
    push_sentence(&text[start..], &mut out);
    out
}

/// Whether the em dash at byte `i` ends a badge or label that opens the
/// text ("Starter+ — Upload and index a guide", "GitHub — Create an
/// issue"): at most three words before it, and a capital letter after it.
fn badge_dash(text: &str, start: usize, i: usize) -> bool {
    text[i..].starts_with('\u{2014}')
        && text[start..i].split_whitespace().nth(3).is_none()
        && text[i + 3..]
            .trim_start()
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase())
}

/// Whether the newline at `i` only wraps a sentence that goes on (a
/// docstring's line cut at its width: "... after making\n    changes
/// directly in the repository."): the line before ends in a word or a comma
/// and the next one opens with a lowercase letter. A list item, a heading or
/// a sentence ended before the newline still ends there.
fn wrapped_line(bytes: &[u8], start: usize, i: usize) -> bool {
    let before = bytes[start..i]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace());
    let after = bytes[i + 1..].iter().find(|b| !b.is_ascii_whitespace());
    before.is_some_and(|&b| b.is_ascii_alphanumeric() || b == b',')
        && after.is_some_and(u8::is_ascii_lowercase)
}

fn push_sentence<'a>(s: &'a str, out: &mut Vec<&'a str>) {
    let trimmed = |c: char| c.is_whitespace() || matches!(c, '*' | '#' | '-' | '>' | '`' | '"');
    // ASCII bytes at either end are trimmed byte by byte, and `trim_*_matches`
    // (which decodes chars, from the back too) runs only from a non-ASCII
    // byte on: the same cut, for a fraction of the instructions.
    let ascii_trimmed = |b: u8| b.is_ascii() && trimmed(char::from(b));
    let b = s.as_bytes();
    let start = b.iter().take_while(|&&x| ascii_trimmed(x)).count();
    let end = b.len()
        - b[start..]
            .iter()
            .rev()
            .take_while(|&&x| ascii_trimmed(x))
            .count();
    let t = &s[start..end];
    // Ends that are ASCII now are no trimmed ones (most): nothing is left to
    // cut, and `trim_matches` runs only where an end is not ASCII.
    let t = if start < end && b[start].is_ascii() && b[end - 1].is_ascii() {
        t
    } else {
        t.trim_matches(trimmed)
    };
    // A sentence holds a letter: of any script, so one written wholly in
    // Russian or Chinese is a sentence too.
    if t.chars()
        .any(|c| c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic()))
    {
        out.push(t);
    }
}

/// Candidate base forms of an inflected word, most likely first:
/// `deletes` → deletes, delete; `lists` → lists, list; `copies` → copy;
/// `running` → run; `created` → create.
pub fn base_forms(w: &str) -> Vec<String> {
    let mut v = vec![w.to_owned()];
    let mut push = |s: String| {
        if s.len() >= 2 && !v.contains(&s) {
            v.push(s);
        }
    };
    if let Some(s) = w.strip_suffix("ies") {
        push(format!("{s}y"));
    }
    if let Some(s) = w.strip_suffix("es") {
        push(s.to_owned());
    }
    if let Some(s) = w.strip_suffix('s') {
        if !w.ends_with("ss") {
            push(s.to_owned());
        }
    }
    if let Some(s) = w.strip_suffix("ing") {
        push(s.to_owned());
        push(format!("{s}e"));
        if s.len() >= 2 && s.as_bytes()[s.len() - 1] == s.as_bytes()[s.len() - 2] {
            push(s[..s.len() - 1].to_owned());
        }
    }
    if let Some(s) = w.strip_suffix("ed") {
        push(s.to_owned());
        push(format!("{s}e"));
    }
    v
}

/// The first base form of `w` (in [`base_forms`] order) for which `f`
/// answers, without allocating for the forms that are a prefix of `w`.
pub fn find_base_form<T>(w: &str, mut f: impl FnMut(&str) -> Option<T>) -> Option<T> {
    if let Some(t) = f(w) {
        return Some(t);
    }
    let mut buf = String::new();
    let mut with = |stem: &str, tail: &str, f: &mut dyn FnMut(&str) -> Option<T>| {
        buf.clear();
        buf.push_str(stem);
        buf.push_str(tail);
        if buf.len() >= 2 {
            f(&buf)
        } else {
            None
        }
    };
    let ok = |s: &str| s.len() >= 2;
    if let Some(s) = w.strip_suffix("ies") {
        if let Some(t) = with(s, "y", &mut f) {
            return Some(t);
        }
    }
    if let Some(s) = w.strip_suffix("es") {
        if let Some(t) = ok(s).then(|| f(s)).flatten() {
            return Some(t);
        }
    }
    if let Some(s) = w.strip_suffix('s') {
        if !w.ends_with("ss") {
            if let Some(t) = ok(s).then(|| f(s)).flatten() {
                return Some(t);
            }
        }
    }
    if let Some(s) = w.strip_suffix("ing") {
        if let Some(t) = ok(s).then(|| f(s)).flatten() {
            return Some(t);
        }
        if let Some(t) = with(s, "e", &mut f) {
            return Some(t);
        }
        if s.len() >= 2 && s.as_bytes()[s.len() - 1] == s.as_bytes()[s.len() - 2] {
            let d = &s[..s.len() - 1];
            if let Some(t) = ok(d).then(|| f(d)).flatten() {
                return Some(t);
            }
        }
    }
    if let Some(s) = w.strip_suffix("ed") {
        if let Some(t) = ok(s).then(|| f(s)).flatten() {
            return Some(t);
        }
        if let Some(t) = with(s, "e", &mut f) {
            return Some(t);
        }
    }
    None
}

/// A noun's stem for comparing a name's words with a sentence's: a plural's
/// `ies` becomes `y`, then a final `s` goes (`completions` and `completion`,
/// `entries` and `entry`).
pub(crate) fn noun_stem(w: &str) -> String {
    let w = w
        .strip_suffix("ies")
        .map_or_else(|| w.to_string(), |s| format!("{s}y"));
    w.strip_suffix('s').map_or(w.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block-wise check agrees with the byte-by-byte one wherever the
    /// odd byte sits (in a block, in the remainder, on a block's edge).
    #[test]
    fn printable_ascii_agrees_with_a_byte_loop() {
        let naive = |b: &[u8]| {
            b.iter()
                .all(|&x| (0x20..0x7f).contains(&x) || matches!(x, b'\t' | b'\n' | b'\r'))
        };
        for len in [0, 1, 31, 32, 33, 64, 70] {
            for odd in [
                None,
                Some(0x7fu8),
                Some(0x1f),
                Some(0x00),
                Some(0xc3),
                Some(b'\t'),
            ] {
                for at in 0..len {
                    let mut b = vec![b'a'; len];
                    if let Some(x) = odd {
                        b[at] = x;
                    }
                    assert_eq!(printable_ascii(&b), naive(&b), "{len} {odd:?} {at}");
                }
            }
        }
    }

    /// The byte loop of [`has_foldable`] answers as a check of every
    /// character would, for every character alone and inside ASCII text.
    #[test]
    fn the_foldable_check_agrees_with_a_check_of_every_character() {
        let naive = |s: &str| {
            s.chars()
                .any(|c| is_invisible(c) || fullwidth(c).is_some() || lookalike(c).is_some())
        };
        crate::text::each_char_at_block_edges(|s| {
            assert_eq!(has_foldable(s), naive(s), "{s:?}");
        });
    }

    /// [`sentences`] ends a sentence where a byte loop over every byte
    /// would, wherever a stop falls in or across 32-byte blocks.
    #[test]
    fn sentences_agree_with_a_loop_over_every_byte() {
        fn naive(text: &str) -> Vec<&str> {
            let (mut out, mut start, b) = (Vec::new(), 0, text.as_bytes());
            for i in 0..b.len() {
                let end = match b[i] {
                    // A wrapped line goes on: a word or comma before the
                    // newline, a lowercase letter after it (spaces aside).
                    b'\n' => {
                        let prev = text[start..i].trim_end().bytes().last();
                        let next = text[i + 1..].trim_start().bytes().next();
                        !(prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == b',')
                            && next.is_some_and(|n| n.is_ascii_lowercase()))
                    }
                    b'|' => true,
                    b'.' | b'!' | b'?' | b':' => {
                        b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace())
                    }
                    _ => false,
                };
                if end {
                    push_sentence(&text[start..i], &mut out);
                    start = i + 1;
                }
            }
            push_sentence(&text[start..], &mut out);
            out
        }
        for len in [0, 1, 5, 31, 32, 33, 63, 64, 65, 100] {
            for stop in [
                ". ", ".", "\n", "\n  ", ",\n", ".\n", "\nV", "|", "! ", "?", ": ", "e.g", ":x",
            ] {
                for at in 0..=len {
                    let text = format!("{}{stop}{}", "w".repeat(at), "v".repeat(len - at));
                    assert_eq!(sentences(&text), naive(&text), "{text:?}");
                }
            }
        }
        let long =
            "Deletes a file. Use it with care: it cannot be undone! Really? Yes.\n".repeat(5);
        assert_eq!(sentences(&long), naive(&long));
    }

    #[test]
    fn every_lookalike_has_a_lead_byte_the_prefilter_looks_for() {
        for c in (0x80u32..0x3000).filter_map(char::from_u32) {
            if lookalike(c).is_some() {
                let mut b = [0u8; 4];
                let lead = c.encode_utf8(&mut b).as_bytes()[0];
                assert!(lead == 0xC4 || (0xCE..=0xD4).contains(&lead), "{c:?}");
            }
        }
    }

    #[test]
    fn lookalikes_fold_to_what_a_reader_sees() {
        let table = [
            ("delete_repo", "delete_repo"),
            ("de\u{200b}lete_repo", "delete_repo"),
            ("de\u{202e}lete_repo", "delete_repo"),
            ("d\u{0435}lete_repo", "delete_repo"),
            (
                "D\u{0435}l\u{0435}t\u{0435}s the repo.",
                "Deletes the repo.",
            ),
            (
                "\u{ff44}\u{ff45}\u{ff4c}\u{ff45}\u{ff54}\u{ff45}_repo",
                "delete_repo",
            ),
            ("de\u{7}lete\nnext", "delete\nnext"),
            // A word wholly in another script is left alone.
            (
                "\u{0441}\u{043e}\u{0440}\u{0443} caf\u{e9}",
                "\u{0441}\u{043e}\u{0440}\u{0443} caf\u{e9}",
            ),
        ];
        for (text, want) in table {
            assert_eq!(fold_lookalikes(text), want, "{text:?}");
        }
        assert_eq!(disguised_letter("d\u{0435}lete_repo"), Some(1));
        assert_eq!(
            disguised_letter("get \u{0441}\u{043e}\u{0440}\u{0443} caf\u{e9}"),
            None
        );
        assert!(matches!(fold_lookalikes("plain"), Cow::Borrowed(_)));
        assert!(matches!(fold_lookalikes("caf\u{e9}"), Cow::Borrowed(_)));
    }

    #[test]
    fn splits_every_identifier_style() {
        assert_eq!(
            identifier_tokens("API-patch-page"),
            ["api", "patch", "page"]
        );
        assert_eq!(
            identifier_tokens("getFileContents"),
            ["get", "file", "contents"]
        );
        assert_eq!(
            identifier_tokens("github.delete_repo"),
            ["github", "delete", "repo"]
        );
        assert_eq!(
            identifier_tokens("getHTTPResponse"),
            ["get", "http", "response"]
        );
        assert_eq!(
            identifier_tokens("delete-a-block"),
            ["delete", "a", "block"]
        );
    }

    /// The byte-span tokenizer splits every name as the char-by-char one
    /// it replaced did (every string of up to five of these characters).
    #[test]
    fn identifier_tokens_split_as_a_char_by_char_reading_does() {
        fn by_chars(name: &str) -> Vec<String> {
            let mut out = Vec::new();
            let mut cur = String::new();
            let chars: Vec<char> = name.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                if !c.is_ascii_alphanumeric() {
                    flush(&mut cur, &mut out);
                    continue;
                }
                if c.is_ascii_uppercase() && !cur.is_empty() {
                    let prev = chars[i - 1];
                    let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                    if prev.is_ascii_lowercase()
                        || prev.is_ascii_digit()
                        || (prev.is_ascii_uppercase() && next_lower)
                    {
                        flush(&mut cur, &mut out);
                    }
                }
                cur.push(c.to_ascii_lowercase());
            }
            flush(&mut cur, &mut out);
            out
        }
        let alphabet = ['a', 'B', 'C', '7', '_', '\u{e9}', '\u{416}', '\u{1F600}'];
        let mut names = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            for name in &longer {
                assert_eq!(identifier_tokens(name), by_chars(name), "{name:?}");
            }
            names = longer;
        }
    }

    #[test]
    fn accented_letters_stay_in_their_word() {
        let table: [(&str, &[&str]); 4] = [
            ("Récupère les factures", &["recupere", "les", "factures"]),
            ("Löscht die Datei", &["loscht", "die", "datei"]),
            ("Schließt das Ticket", &["schliesst", "das", "ticket"]),
            ("Añade una tarea", &["anade", "una", "tarea"]),
        ];
        for (text, want) in table {
            assert_eq!(words(text), want, "{text}");
        }
        // Other scripts still end a word.
        assert_eq!(words("get\u{4e2d}list"), ["get", "list"]);
    }

    #[test]
    fn sentences_drop_boilerplate() {
        let s = sentences("Notion | Retrieve a block Error Responses: 400: Bad request");
        assert_eq!(s[0], "Notion");
        assert_eq!(s[1], "Retrieve a block Error Responses");
    }

    #[test]
    fn base_forms_cover_inflections() {
        assert!(base_forms("deletes").contains(&"delete".to_owned()));
        assert!(base_forms("copies").contains(&"copy".to_owned()));
        assert!(base_forms("running").contains(&"run".to_owned()));
        assert!(base_forms("created").contains(&"create".to_owned()));
        assert!(base_forms("lists").contains(&"list".to_owned()));
    }

    #[test]
    fn find_base_form_agrees_with_base_forms() {
        for w in [
            "deletes", "copies", "running", "created", "lists", "ss", "pass", "es", "fixed",
            "making",
        ] {
            let all = base_forms(w);
            let mut seen = Vec::new();
            let none: Option<()> = find_base_form(w, |b| {
                seen.push(b.to_owned());
                None
            });
            assert!(none.is_none());
            seen.dedup();
            for b in &all {
                assert!(seen.contains(b), "{w}: {b} in {all:?} not tried ({seen:?})");
            }
            assert_eq!(seen.first(), all.first(), "{w}");
        }
    }
}
