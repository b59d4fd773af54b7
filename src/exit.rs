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

/// The help text that documents every code above (shown by `--help`).
pub const HELP: &str = "Exit codes:
  0   success; no tool at or above --fail-on
  1   error (unreadable input, database or network failure, invalid policy)
  2   usage error
  3   some files of an --input directory were skipped (not JSON tool lists;
      named on stderr; --strict stops at the first instead); 11-14 win over 3
  11  worst tool at or above --fail-on is low risk
  12  ... medium risk
  13  ... high risk
  14  ... critical risk";

pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}
