//! The terminal table: one block per server, fitted to the terminal width,
//! risk coloured only on a TTY (and never with `NO_COLOR`), every piece of
//! tool text escaped through [`terminal_safe`], ending with counts by class
//! and risk.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::classify::{Class, Risk, Verdict};
use crate::text::terminal_safe;

/// How to lay the table out.
#[derive(Clone, Debug)]
pub struct TableOptions {
    pub width: usize,
    pub color: bool,
    /// Never cut names or rationales (`--wide`): one long line per tool.
    pub wide: bool,
}

/// Below this many columns for WHY, the rationale goes under its tool,
/// wrapped to the width, instead of being cut to a few words.
pub const MIN_WHY: usize = 40;

impl TableOptions {
    /// Width from `COLUMNS`, else the terminal (ioctl), else 100; colour only
    /// when stdout is a terminal and `NO_COLOR` is unset.
    pub fn detect() -> TableOptions {
        let tty = stdout_is_tty();
        let width = terminal_width().unwrap_or(100);
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        TableOptions {
            width: width.max(60),
            color: tty && !no_color,
            wide: false,
        }
    }
}

fn stdout_is_tty() -> bool {
    (unsafe { libc::isatty(libc::STDOUT_FILENO) }) == 1
}

/// The width output should fit: `COLUMNS`, else the terminal's (ioctl) when
/// stdout is one; `None` when neither says (output piped, no `COLUMNS`).
pub fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
        .or_else(|| if stdout_is_tty() { ioctl_width() } else { None })
}

fn ioctl_width() -> Option<usize> {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes a winsize into the pointer we pass.
    let r = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_col > 0).then_some(ws.ws_col as usize)
}

/// Cuts escaped text to at most `w` display columns, ending with `…` if cut.
pub fn fit(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_owned();
    }
    // Room for the `…`; with none, only the `…`.
    let mut out = match w {
        0 => String::new(),
        w => take_width(s.chars(), w - 1),
    };
    out.push('…');
    out
}

/// The longest run of `chars` (from the start of the iterator) that fits in
/// `w` display columns.
fn take_width(chars: impl Iterator<Item = char>, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in chars {
        let cw = c.width().unwrap_or(0);
        if used + cw > w {
            break;
        }
        used += cw;
        out.push(c);
    }
    out
}

/// Cuts escaped text to at most `w` display columns by replacing its
/// middle with `…`, so names that share a prefix stay apart
/// (`create_pull_request_review_comment` → `create_pul…review_comment`).
pub fn fit_middle(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_owned();
    }
    if w < 5 {
        return fit(s, w);
    }
    let room = w - 1;
    let head_w = room * 2 / 5;
    let tail_w = room - head_w;
    let head = take_width(s.chars(), head_w);
    let tail: String = take_width(s.chars().rev(), tail_w).chars().rev().collect();
    format!("{head}…{tail}")
}

/// Greedy word wrap of escaped text to lines of at most `w` display
/// columns (a word longer than a line is split).
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let mut word = word.to_owned();
        loop {
            let sep = usize::from(!line.is_empty());
            if line.width() + sep + word.width() <= w {
                if sep == 1 {
                    line.push(' ');
                }
                line.push_str(&word);
                break;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word wider than the line: split it.
            let head = take_width(word.chars(), w);
            word = word[head.len()..].to_owned();
            lines.push(head);
            if word.is_empty() {
                break;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn pad(s: &str, w: usize) -> String {
    let f = fit(s, w);
    let n = w.saturating_sub(f.width());
    format!("{f}{}", " ".repeat(n))
}

fn pad_name(s: &str, w: usize) -> String {
    let f = fit_middle(s, w);
    let n = w.saturating_sub(f.width());
    format!("{f}{}", " ".repeat(n))
}

fn paint(risk: Risk, text: &str, color: bool) -> String {
    if !color {
        return text.to_owned();
    }
    let code = match risk {
        Risk::Low => "32",
        Risk::Medium => "33",
        Risk::High => "31",
        Risk::Critical => "1;97;41",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Writes the table for every server, then the totals.
pub fn write<W: Write>(
    out: &mut W,
    servers: &[(String, Vec<Verdict>)],
    opts: &TableOptions,
) -> io::Result<()> {
    let longest = servers
        .iter()
        .flat_map(|(_, vs)| vs.iter().map(|v| terminal_safe(&v.name).width()))
        .max()
        .unwrap_or(4)
        .max(4);
    let name_w = if opts.wide {
        longest
    } else {
        longest.min((opts.width / 3).max(12))
    };
    // tool  class(11) risk(8) conf(4) why(rest), single spaces between.
    let others = 1 + 11 + 1 + 8 + 1 + 4 + 1;
    let why_w = opts.width.saturating_sub(name_w + others);
    // Narrow: the rationale goes under the row, wrapped, never cut, and
    // the name may then take the room WHY would have had.
    let below = !opts.wide && why_w < MIN_WHY;
    let name_w = if below {
        longest.min(opts.width.saturating_sub(others).max(name_w))
    } else {
        name_w
    };
    let mut class_counts = [0usize; 3];
    let mut risk_counts = [0usize; 4];
    for (server, verdicts) in servers {
        writeln!(out, "{} ({} tools)", terminal_safe(server), verdicts.len())?;
        writeln!(
            out,
            "{} {} {} {}{}",
            pad("TOOL", name_w),
            pad("CLASS", 11),
            pad("RISK", 8),
            pad("CONF", 4),
            if below { "" } else { " WHY" }
        )?;
        for v in verdicts {
            class_counts[v.class as usize] += 1;
            risk_counts[v.risk as usize] += 1;
            let risk = paint(v.risk, &pad(v.risk.as_str(), 8), opts.color);
            let why = terminal_safe(&v.rationale);
            let row = format!(
                "{} {} {} {:<4.2}",
                pad_name(&terminal_safe(&v.name), name_w),
                pad(v.class.as_str(), 11),
                risk,
                v.confidence,
            );
            if below {
                writeln!(out, "{}", row.trim_end())?;
                for line in wrap(&why, opts.width.saturating_sub(4)) {
                    writeln!(out, "    {line}")?;
                }
            } else if opts.wide {
                writeln!(out, "{row} {why}")?;
            } else {
                // Wrapped within the WHY column, never cut: the rationale
                // is the reason to read the table.
                let indent = " ".repeat(opts.width.saturating_sub(why_w));
                for (k, line) in wrap(&why, why_w).iter().enumerate() {
                    if k == 0 {
                        writeln!(out, "{row} {line}")?;
                    } else {
                        writeln!(out, "{indent}{line}")?;
                    }
                }
            }
        }
        writeln!(out)?;
    }
    let classes = [Class::Read, Class::Write, Class::Destructive]
        .iter()
        .map(|c| format!("{} {}", class_counts[*c as usize], c))
        .collect::<Vec<_>>()
        .join(", ");
    let risks = [Risk::Low, Risk::Medium, Risk::High, Risk::Critical]
        .iter()
        .map(|r| {
            paint(
                *r,
                &format!("{} {}", risk_counts[*r as usize], r),
                opts.color,
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let total: usize = class_counts.iter().sum();
    let plural = if servers.len() == 1 { "" } else { "s" };
    writeln!(
        out,
        "{total} tools in {} server{plural}: {classes}",
        servers.len()
    )?;
    writeln!(out, "risk: {risks}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_keep_to_display_columns() {
        assert_eq!(fit("abcdef", 6), "abcdef");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abcdef", 0), "…");
        assert_eq!(fit("日本語", 4), "日…");
        assert_eq!(fit_middle("abcdefghijklmnopqrstuvwxyz", 11), "abcd…uvwxyz");
        assert_eq!(fit_middle("日本語日本語", 7), "日…本語");
    }

    #[test]
    fn wrap_splits_words_wider_than_a_line() {
        assert_eq!(
            wrap("aaaa bbbbbbbbbbbbbbbbbbbb cc", 8),
            ["aaaa", "bbbbbbbb", "bbbbbbbb", "bbbb cc"]
        );
        assert_eq!(
            wrap("日本語日本語日本語", 8),
            ["日本語日", "本語日本", "語"]
        );
    }
}
