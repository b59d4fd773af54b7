//! Tool text is attacker-controlled. These helpers make it safe to show.
//!
//! Every renderer that prints server-provided text to a terminal goes through
//! [`terminal_safe`]; HTML goes through askama's auto-escaping; Markdown through
//! [`markdown_safe`].

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

#[cfg(test)]
mod tests {
    use super::*;

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
