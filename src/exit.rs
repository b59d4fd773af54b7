//! Exit codes: part of the CLI contract, documented in `--help`.
//!
//! CI jobs gate on these, so they never change meaning.

use std::process::ExitCode;

/// Everything went as asked and nothing reached `--fail-on`.
pub const OK: u8 = 0;
/// The command could not do its job (bad input file, database error, ...).
pub const ERROR: u8 = 1;
/// The command line was wrong (clap's own code).
pub const USAGE: u8 = 2;
/// The command did its job, but some files of an `--input` directory were
/// not JSON tool lists and were skipped (each named on stderr; `--strict`
/// stops at the first instead). A `--fail-on` code (11-14) wins over this.
pub const INPUT_SKIPPED: u8 = 3;
/// The worst tool reached `--fail-on` and is low risk.
pub const WORST_LOW: u8 = 11;
/// The worst tool reached `--fail-on` and is medium risk.
pub const WORST_MEDIUM: u8 = 12;
/// The worst tool reached `--fail-on` and is high risk.
pub const WORST_HIGH: u8 = 13;
/// The worst tool reached `--fail-on` and is critical risk.
pub const WORST_CRITICAL: u8 = 14;

/// Stopped by SIGINT (Ctrl-C): every server it started was killed, nothing
/// half-done was recorded, and a crawl run stays unfinished (the same
/// command resumes it). See [`crate::interrupt`].
pub const INTERRUPTED_SIGINT: u8 = 130;
/// Likewise, stopped by SIGTERM.
pub const INTERRUPTED_SIGTERM: u8 = 143;

/// The lines of the help texts below for [`INTERRUPTED_SIGINT`] and
/// [`INTERRUPTED_SIGTERM`].
macro_rules! interrupted_help {
    () => {
        "
  130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM: the servers it started
      were stopped; rerun the same command to resume"
    };
}

/// `crawl --strict`: a server crashed, timed out, broke the protocol or
/// failed to install.
pub const CRAWL_FAILURES: u8 = 3;

/// The help text that documents every code above (shown by `--help`).
pub const HELP: &str = concat!(
    "Exit codes:
  0   success; no tool at or above --fail-on
  1   error (unreadable input, database or network failure, invalid policy);
      also with --fail-on when some servers could not be classified and no
      classified tool reached it (a partial audit never passes)
  2   usage error
  3   some files of an --input directory were skipped (not JSON tool lists;
      named on stderr; --strict stops at the first instead); 11-14 win over 3
  11  worst tool at or above --fail-on is low risk
  12  ... medium risk
  13  ... high risk
  14  ... critical risk",
    interrupted_help!()
);

/// Exit codes of commands without `--fail-on`.
pub const PLAIN_HELP: &str = "Exit codes:
  0   success
  1   error (unreadable input, unknown server, database failure, invalid policy)
  2   usage error";

/// Exit codes of commands without `--fail-on` that read `--input` directories.
pub const INPUT_HELP: &str = "Exit codes:
  0   success
  1   error (unreadable input, unknown server, database failure, invalid policy)
  2   usage error
  3   some files of an --input directory were skipped (not JSON tool lists;
      named on stderr; --strict stops at the first instead)";

/// Exit codes of `probe`.
pub const PROBE_HELP: &str = concat!(
    "Exit codes:
  0   the server listed its tools
  1   it did not (the status says why), or an error
  2   usage error",
    interrupted_help!()
);

/// Exit codes of `crawl`.
pub const CRAWL_HELP: &str = concat!(
    "Exit codes:
  0   the crawl ran; servers that were not reached are data (their status is
      in the summary and the database), not a failure of the crawl
  1   error (unreadable source, database failure)
  2   usage error
  3   with --strict: a server crashed, timed out, broke the protocol, was not
      an MCP server, was unreachable or failed to install",
    interrupted_help!()
);

pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}

/// A mistake in the command line that clap cannot see (no source given, a
/// missing command after `--`, ...): reported like clap's own errors and
/// mapped to [`USAGE`] (2) by `cli::main`.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Returns early with a usage error (exit 2).
#[macro_export]
macro_rules! usage {
    ($($t:tt)*) => {
        return Err($crate::exit::Usage(format!($($t)*)).into())
    };
}

/// One stderr line when `--fail-on` trips, e.g. `worst: critical
/// (drop_database) ≥ high → exit 14`, so a CI log says why the job failed.
/// Returns the exit code for [`code`].
pub fn fail_on(
    worst: Option<(crate::classify::Risk, Option<&str>)>,
    fail_on: Option<crate::classify::Risk>,
) -> u8 {
    use crate::classify::Risk;
    if let (None, Some(f)) = (worst, fail_on) {
        // Nothing classified (an empty tool list): say so rather than pass
        // a gate silently; a server may rightly expose no tools.
        eprintln!("warning: no tools were classified, so --fail-on {f} had nothing to gate");
    }
    let (Some((w, tool)), Some(f)) = (worst, fail_on) else {
        return OK;
    };
    if w < f {
        return OK;
    }
    let c = match w {
        Risk::Low => WORST_LOW,
        Risk::Medium => WORST_MEDIUM,
        Risk::High => WORST_HIGH,
        Risk::Critical => WORST_CRITICAL,
    };
    let tool = tool
        .map(|t| format!(" ({})", crate::text::terminal_safe(t)))
        .unwrap_or_default();
    eprintln!("worst: {w}{tool} ≥ {f} → exit {c}");
    c
}
