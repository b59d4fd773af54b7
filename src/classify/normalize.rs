//! Identifier and prose normalisation: turns `API-patch-page`, `getFileContents`,
//! `github.delete_repo` or `Deletes a block.` into lowercase ASCII word tokens so
//! a verb is found wherever it sits.

/// Splits an identifier into lowercase tokens at `_`, `-`, `.`, `/`, spaces,
/// digits boundaries and camelCase humps (`getHTTPResponse` → get, http, response).
pub fn identifier_tokens(name: &str) -> Vec<String> {
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

fn flush(cur: &mut String, out: &mut Vec<String>) {
    if !cur.is_empty() {
        out.push(std::mem::take(cur));
    }
}

/// Lowercase ASCII words of prose, in order (apostrophes dropped, so `don't` → `dont`).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            continue;
        } else {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// The sentences of a description (split at `. `, `! `, `? `, newlines), trimmed,
/// with leading boilerplate such as `Notion | ` or markdown markers removed.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let b = bytes[i];
        let end = match b {
            b'\n' | b'|' => true,
            b'.' | b'!' | b'?' | b':' => bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()),
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

fn push_sentence<'a>(s: &'a str, out: &mut Vec<&'a str>) {
    let t = s.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '*' | '#' | '-' | '>' | '`' | '"')
    });
    if t.chars().any(|c| c.is_ascii_alphabetic()) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
