//! Tool text is attacker-controlled. These helpers make it safe to show.
//!
//! Every renderer that prints server-provided text to a terminal goes through
//! [`terminal_safe`]; HTML goes through askama's auto-escaping; Markdown through
//! [`markdown_safe`]. Pages first make hidden characters visible with
//! [`visible`] (prose), [`visible_code`] (JSON and YAML, as valid escapes) or
//! [`code_segments`] (code shown with markers but copied verbatim).

/// Replace control characters (C0, DEL, C1), bidi overrides and invisible
/// formatting characters with visible escapes, so a hostile description cannot
/// move the cursor, recolour the terminal or reorder what the reader sees.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_hidden_or_control(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push(' '),
                '\r' => out.push_str("\\r"),
                _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// True for characters a reader cannot see or that change how text is shown:
/// control characters, bidi embeddings/overrides/isolates, zero-width
/// characters, Unicode tag characters, and the byte-order mark.
pub fn is_hidden_or_control(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || matches!(u, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF | 0xE0000..=0xE007F)
}

/// Escape text for inclusion in Markdown prose: hidden characters become
/// escapes and Markdown/HTML metacharacters are backslash-escaped.
pub fn markdown_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in terminal_safe(s).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '<' | '>' | '&' | '~' | '"' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Tool text with newlines and tabs kept and every other control, bidi or
/// invisible character turned into a visible `\u{..}` escape.
pub fn visible(s: &str) -> String {
    if !s
        .chars()
        .any(|c| is_hidden_or_control(c) && c != '\n' && c != '\t')
    {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden_or_control(c) && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Policy text (JSON or YAML) with hidden characters written as `\uXXXX`
/// escapes, which both formats accept inside quoted strings, so the text shown
/// and copied is the same policy with nothing invisible in it.
pub fn visible_code(s: &str) -> String {
    if !s.chars().any(|c| is_hidden_or_control(c) && c != '\n') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden_or_control(c) && c != '\n' {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A piece of a code block: plain text, or one hidden character kept verbatim
/// (so the copy button copies the exact policy) but shown as its code point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSeg {
    pub text: String,
    /// `U+202E` when `text` is one hidden character.
    pub hidden: Option<String>,
}

/// Splits code into plain runs and single hidden characters. Used for YAML,
/// where a `\uXXXX` escape is only valid inside double quotes, so rewriting
/// the text would change the policy.
pub fn code_segments(s: &str) -> Vec<CodeSeg> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in s.chars() {
        if is_hidden_or_control(c) && c != '\n' {
            if !run.is_empty() {
                out.push(CodeSeg {
                    text: std::mem::take(&mut run),
                    hidden: None,
                });
            }
            out.push(CodeSeg {
                text: c.to_string(),
                hidden: Some(format!("U+{:04X}", c as u32)),
            });
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        out.push(CodeSeg {
            text: run,
            hidden: None,
        });
    }
    out
}

/// Every character a byte loop that passes 32-byte blocks of plain ASCII
/// over whole must judge as a check of each character would, and the texts
/// to try each in: alone, after a non-ASCII character, and before, at and
/// after the edges of blocks (tests of such loops share them).
#[cfg(test)]
pub(crate) fn each_char_at_block_edges(mut check: impl FnMut(&str)) {
    let pad = |n: usize| "a".repeat(n);
    for c in (0u32..0x11000)
        .chain(0xE0000..0xE1010)
        .filter_map(char::from_u32)
    {
        for s in [
            c.to_string(),
            format!("ab \u{2014}{c}cd{c}"),
            format!("ab {c}\u{2014}cd"),
            format!("\u{e9}{c}"),
            format!("{}{c}", pad(31)),
            format!("{}{c}{}", pad(32), pad(40)),
            format!("{}\n{c}{}", pad(32), pad(40)),
            format!("{}\u{e9}{c}{}", pad(30), pad(2)),
            format!("{}{c}", pad(65)),
        ] {
            check(&s);
        }
    }
}

/// Byte texts for tests of a search for "stop" bytes done a block at a
/// time: fills of every length up to 150 (ASCII, NUL, 0xff, a two-byte
/// character, and bytes one bit off `"` and `\`), each alone and with one
/// of `stops` at every position (plus a second stop three bytes later, which
/// must not win). Tests of such loops share them.
#[cfg(test)]
pub(crate) fn each_text_with_stops(stops: &[u8], mut check: impl FnMut(&[u8])) {
    let fill: [&[u8]; 7] = [
        b"a",
        b" !",
        b"\x00",
        b"\xff",
        "\u{e9}".as_bytes(),
        b"#]",
        b"\x7f",
    ];
    for len in 0..150 {
        for f in fill {
            let base: Vec<u8> = f.iter().copied().cycle().take(len).collect();
            check(&base);
            for at in 0..len {
                for &c in stops {
                    let mut t = base.clone();
                    t[at] = c;
                    if at + 3 < len {
                        t[at + 3] = b'"';
                    }
                    check(&t);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_keeps_newlines_and_shows_bidi() {
        assert_eq!(visible("a\nb\u{202e}c"), "a\nb\\u{202e}c");
        assert_eq!(visible_code("\"x\u{202e}\""), "\"x\\u202e\"");
        assert_eq!(visible_code("\"\u{e0041}\""), "\"\\udb40\\udc41\"");
    }

    #[test]
    fn code_segments_keep_hidden_characters_verbatim() {
        let segs = code_segments("- a\u{202e}b\n");
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[1].text, "\u{202e}");
        assert_eq!(segs[1].hidden.as_deref(), Some("U+202E"));
        let joined: String = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, "- a\u{202e}b\n");
    }

    #[test]
    fn control_and_bidi_are_escaped() {
        assert_eq!(terminal_safe("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(terminal_safe("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(terminal_safe("tag\u{e0041}"), "tag\\u{e0041}");
        assert_eq!(terminal_safe("plain text"), "plain text");
    }

    #[test]
    fn markdown_metacharacters_are_escaped() {
        assert_eq!(
            markdown_safe("[x](javascript:alert(1))"),
            "\\[x\\]\\(javascript:alert\\(1\\)\\)"
        );
        assert_eq!(markdown_safe("<script>"), "\\<script\\>");
    }
}
