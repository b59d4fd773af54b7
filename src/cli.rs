//! The command line (clap derive). Each subcommand's work lives in `cmd::<name>`;
//! this file only declares arguments and dispatches.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::classify::Risk;
use crate::exit;

/// The database used when `--db` is not given.
pub const DEFAULT_DB: &str = "reports/mcp-risk.db";

#[derive(Parser, Debug)]
#[command(
    name = "mcp-risk",
    version,
    about = "What can the tools of an MCP server do to your world, and how to guard them.",
    long_about = "mcp-risk crawls MCP servers (registries, config files, tools/list files), \
stores every tool definition in SQLite with history, classifies each tool Read, Write or \
Destructive with a risk level, rationale and quoted evidence, and emits recommended \
policies (PolicyLayer policy.json, Intercept YAML, Claude Code and Codex deny lists) and \
static pages.\n\nStart with `mcp-risk scan` (the bundled default registry) or \
`mcp-risk classify --input tools.json`.",
    after_long_help = exit::HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Crawl, classify and report on a registry in one go (the main job).
    Scan(ScanArgs),
    /// Fetch one server's tools/list (a stdio command or a URL) and show what it found.
    Probe(ProbeArgs),
    /// Fetch tools/list from many servers into the database.
    Crawl(CrawlArgs),
    /// Classify tools Read / Write / Destructive with risk, rationale and evidence.
    Classify(ClassifyArgs),
    /// Measure the classifier against authors' declared annotations.
    Eval(EvalArgs),
    /// Show the rule catalogue.
    Rules(RulesArgs),
    /// Write recommended policies (policy.json, Intercept YAML, deny lists), or check one.
    Policy(PolicyArgs),
    /// Render a static site (or Markdown) of per-server and per-tool pages.
    Pages(PagesArgs),
    /// Show what changed between the last two crawls.
    Diff(DiffArgs),
    /// List the servers in the database: status, tool count, worst risk.
    Servers(ServersArgs),
    /// Merge crawl databases (e.g. one per shard) into OUT: servers, runs,
    /// attempts, tool versions with their history, cached verdicts.
    Merge(MergeArgs),
    /// List a registry source's servers, or prepare their launches (installs
    /// packages), without probing anything. For debugging sources and benchmarks.
    #[command(hide = true)]
    Registry(RegistryArgs),
}

#[derive(Args, Debug)]
pub struct RegistryArgs {
    #[command(subcommand)]
    pub command: RegistryCommand,
}

#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// List every server the sources hold and how each would be reached.
    List {
        /// Registry sources (same syntax as `scan`); default: the bundled registry.
        sources: Vec<String>,
        /// `table` for reading, `json` for scripts.
        #[arg(long, value_enum, default_value = "table")]
        format: TableOrJson,
    },
    /// Install packages and print the targets `scan` would probe.
    Prepare {
        /// Registry sources (same syntax as `scan`); default: the bundled registry.
        sources: Vec<String>,
        /// Install and launch packages named by SOURCES.
        #[arg(long)]
        allow_exec: bool,
        /// Package install cache (default: $XDG_CACHE_HOME/mcp-risk or ~/.cache/mcp-risk).
        #[arg(long)]
        cache: Option<PathBuf>,
        /// Packages installed at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Install with plain venv+pip and npm, not the shared stores.
        #[arg(long)]
        no_shared_stores: bool,
        /// `table` for reading, `json` for scripts.
        #[arg(long, value_enum, default_value = "table")]
        format: TableOrJson,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClassifyFormat {
    Table,
    Json,
    Sarif,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PolicyFormat {
    /// PolicyLayer policy.json v1 (`<server>.json` + `<server>.reasons.json`).
    Policylayer,
    /// Intercept YAML v1 (`<server>.yaml`).
    Intercept,
    /// Claude Code settings permissions (`<server>.claude.json`).
    ClaudeCode,
    /// Codex config `disabled_tools` (`<server>.codex.toml`).
    Codex,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum PagesFormat {
    Html,
    Md,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::HELP)]
pub struct ScanArgs {
    /// Registry sources. Default: the bundled registry (data/registry.json).
    ///
    /// `official:URL` (official MCP registry API; `?updated_since=...` kept),
    /// `official:PATH` (a dump of it), `glama:URL`, `smithery:URL` (key from
    /// SMITHERY_API_KEY), `docker:PATH` (a docker/mcp-registry checkout),
    /// `config:PATH` (.mcp.json, Claude Desktop, VS Code, Cursor, Codex TOML),
    /// `bundled`. Without a prefix: glama.ai/smithery.ai URLs by host, other
    /// URLs as official registries; paths by content. Also tools/list files
    /// and servers files.
    pub sources: Vec<String>,
    /// SQLite database to write.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Where policies (policies/) and pages (site/) go.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Install and launch packages named by SOURCES (sandboxed). The bundled
    /// registry is curated and launches without it.
    #[arg(long)]
    pub allow_exec: bool,
    /// Allow remote probes to private, loopback and link-local addresses.
    #[arg(long)]
    pub allow_private: bool,
    /// Servers probed at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Re-probe servers already done in an interrupted run.
    #[arg(long)]
    pub refresh: bool,
    /// Crawl only shard i of N (counted from 0): the servers whose name
    /// hashes to i mod N (first 8 bytes of SHA-256), as a run of its own, so
    /// a rerun resumes it. `auto/N` takes i from JOB_COMPLETION_INDEX (a
    /// Kubernetes Indexed Job). Join the shards' databases with `mcp-risk merge`.
    #[arg(long, value_name = "i/N", env = "MCP_RISK_SHARD")]
    pub shard: Option<crate::pipeline::shard::Shard>,
    /// Seconds allowed for one server's probe.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Package install cache (default: $XDG_CACHE_HOME/mcp-risk or ~/.cache/mcp-risk).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    #[command(flatten)]
    pub install: InstallArgs,
    /// Exit with a risk code when the worst tool is at or above this level.
    #[arg(long, value_enum)]
    pub fail_on: Option<Risk>,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::PROBE_HELP)]
pub struct ProbeArgs {
    /// Seconds allowed for the whole probe.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// `table` for reading, `json` (the whole outcome, every tool as
    /// listed) for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    /// Also store the result in this database.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Name to store the server under (default: derived from the command or URL).
    #[arg(long)]
    pub name: Option<String>,
    /// Run the command without the sandbox: it gets the network, your
    /// environment and write access to your files. Sandboxed it has none of
    /// them: only `lo`, PATH/HOME/LANG/TMPDIR, the system and its own
    /// directory read-only, its own /proc, /dev and IPC, a fresh tmpfs as
    /// HOME and /tmp, bounded memory and tasks.
    #[arg(long)]
    pub no_sandbox: bool,
    /// Address space each sandboxed server process may use, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 2048)]
    pub memory_limit: u64,
    /// Processes and threads a sandboxed server may have at once.
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_tasks: u64,
    /// Probe a remote server (Streamable HTTP, falling back to legacy SSE).
    #[arg(long, conflicts_with = "command")]
    pub url: Option<String>,
    /// Extra HTTP header for --url, as 'Name: value' (repeatable). Every
    /// process on this machine can read a command line: pass secrets with
    /// --header-env or --env-file instead.
    #[arg(long = "header", requires = "url")]
    pub headers: Vec<String>,
    /// Extra HTTP header for --url whose 'Name: value' is read from the
    /// environment variable NAME (repeatable), so the secret stays off the
    /// command line.
    #[arg(long = "header-env", value_name = "NAME", requires = "url")]
    pub header_env: Vec<String>,
    /// Allow --url to reach loopback, private, link-local and metadata addresses.
    #[arg(long)]
    pub allow_private: bool,
    /// Environment variable for the stdio server, as NAME=VALUE (repeatable).
    /// Visible to every process on this machine: use --env-file for secrets.
    #[arg(long = "env")]
    pub env: Vec<String>,
    /// Environment variables for the stdio server from FILE, one NAME=VALUE
    /// a line ('#' comments and blank lines skipped; repeatable). A secret
    /// there never appears on a command line.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Package install cache, where an `npx -y pkg` / `uvx pkg` command is
    /// installed pinned before it runs sandboxed (default:
    /// $XDG_CACHE_HOME/mcp-risk or ~/.cache/mcp-risk, shared with `scan`).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// The stdio server's command and arguments, after `--`.
    #[arg(last = true, required_unless_present = "url")]
    pub command: Vec<String>,
    /// Benchmarking: probe the same target this many times and print throughput.
    #[arg(long, default_value_t = 0, hide = true)]
    pub repeat: usize,
    /// Benchmarking: probes run at once with --repeat.
    #[arg(long, default_value_t = 8, hide = true)]
    pub concurrency: usize,
}

/// How `scan` and `crawl` install packages.
#[derive(Args, Clone, Debug, Default)]
pub struct InstallArgs {
    /// Packages installed at once (network and disk bound; probes are
    /// limited by --concurrency).
    #[arg(long, default_value_t = 4)]
    pub install_jobs: usize,
    /// Keep the install cache within SIZE (`20G`, `500M`, `1.5GB`, bytes;
    /// `0` or `none`: no limit), evicting the least recently used installs
    /// of servers already probed. Default: the smaller of 20 GB and half the
    /// free space of the cache's filesystem at start.
    #[arg(long, value_name = "SIZE", value_parser = parse_budget)]
    pub cache_budget: Option<CacheBudget>,
    /// Install with plain venv+pip and npm, not through the shared stores
    /// (uv's cache, pnpm's store, npm's shared cache).
    #[arg(long)]
    pub no_shared_stores: bool,
}

/// A `--cache-budget`: bytes, or `None` for no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheBudget(pub Option<u64>);

fn parse_budget(s: &str) -> Result<CacheBudget, String> {
    crate::registry::packages::cache::parse_size(s).map(CacheBudget)
}

impl InstallArgs {
    /// The budget in bytes for the cache in `dir` (`None`: no limit).
    pub fn budget(&self, dir: &std::path::Path) -> Option<u64> {
        match self.cache_budget {
            Some(CacheBudget(b)) => b,
            None => Some(crate::registry::packages::cache::default_budget(dir)),
        }
    }
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::CRAWL_HELP)]
pub struct CrawlArgs {
    /// SQLite database to write.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Servers probed at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Launch stdio servers and packages (sandboxed). Without it they are recorded as skipped_policy.
    #[arg(long)]
    pub allow_exec: bool,
    /// Re-probe servers already done in an interrupted run (default: resume it).
    #[arg(long)]
    pub refresh: bool,
    /// Crawl only shard i of N (counted from 0): the servers whose name
    /// hashes to i mod N (first 8 bytes of SHA-256), as a run of its own, so
    /// a rerun resumes it. `auto/N` takes i from JOB_COMPLETION_INDEX (a
    /// Kubernetes Indexed Job). Join the shards' databases with `mcp-risk merge`.
    #[arg(long, value_name = "i/N", env = "MCP_RISK_SHARD")]
    pub shard: Option<crate::pipeline::shard::Shard>,
    /// Allow remote probes to private, loopback and link-local addresses.
    #[arg(long)]
    pub allow_private: bool,
    /// Seconds allowed for one server's probe.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Run stdio servers without the sandbox.
    #[arg(long)]
    pub no_sandbox: bool,
    /// Package install cache (default: $XDG_CACHE_HOME/mcp-risk or ~/.cache/mcp-risk).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    #[command(flatten)]
    pub install: InstallArgs,
    /// `json`: one object on stdout with the run, the summary by status and
    /// every server's attempt (status, detail, era, protocol version, tool
    /// count, sandbox, duration); for scripts and CI.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    /// Exit 3 when a server crashed, timed out, broke the protocol or failed
    /// to install (for CI). Skips by design (needs_config, auth_required,
    /// needs_network, skipped_policy, refused_private_address) do not count.
    #[arg(long)]
    pub strict: bool,
    /// tools/list files or directories, servers files (JSON), or registry sources.
    #[arg(required = true)]
    pub sources: Vec<String>,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::HELP)]
pub struct ClassifyArgs {
    /// A tools/list file, or a directory of *.json (server name = file stem).
    #[arg(long, group = "what")]
    pub input: Option<PathBuf>,
    /// A server in the database (see --db): its full name, or any unique
    /// part of it or of its package, case-insensitive (`filesystem`,
    /// `mongodb`). `mcp-risk servers` lists them.
    #[arg(long, group = "what")]
    pub server: Option<String>,
    /// An agent-client config (.mcp.json, Claude Desktop, VS Code, Cursor): audit its servers.
    #[arg(long, group = "what")]
    pub config: Option<PathBuf>,
    /// Probe a remote server and classify its tools.
    #[arg(long, group = "what")]
    pub url: Option<String>,
    /// Probe a stdio server (command after `--`) and classify its tools.
    #[arg(long, group = "what")]
    pub stdio: bool,
    /// Database that --server reads (written by `scan` or `crawl`).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Classify blind: ignore the authors' declared annotations.
    #[arg(long)]
    pub ignore_annotations: bool,
    /// Show how the verdict of this tool (by name) was reached: every rule
    /// hit, which one decided, and why the others did not.
    #[arg(long, value_name = "TOOL")]
    pub explain: Option<String>,
    /// `table` for reading, `json` (every verdict with its evidence) for
    /// scripts, `sarif` for code scanning (GitHub).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ClassifyFormat,
    /// Exit with a risk code (11-14) when the worst tool is at or above this level.
    #[arg(long, value_enum)]
    pub fail_on: Option<Risk>,
    /// Extra HTTP header for --url, as 'Name: value' (repeatable).
    #[arg(long = "header")]
    pub headers: Vec<String>,
    /// Allow --url to reach private addresses.
    #[arg(long)]
    pub allow_private: bool,
    /// Launch the local servers named in --config (sandboxed; `npx -y pkg`
    /// and `uvx pkg` entries are installed pinned into the cache first, as
    /// `scan` does, since the sandbox has no network).
    #[arg(long)]
    pub allow_exec: bool,
    /// Contact the remote (URL) servers named in --config, sending them the
    /// headers the config gives (often tokens).
    #[arg(long)]
    pub allow_remote: bool,
    /// Seconds allowed for a probe (--url, --stdio, --config).
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Name for the server probed by --stdio or --url (default: the name it
    /// gives in its initialize answer, else its package, command or host).
    #[arg(long)]
    pub name: Option<String>,
    /// Table: never cut tool names or rationales (one long line per tool).
    #[arg(long)]
    pub wide: bool,
    /// Package install cache, where `npx -y pkg` / `uvx pkg` servers (of
    /// --stdio, --config and a --server only the bundled registry knows) are
    /// installed pinned before they run sandboxed (default:
    /// $XDG_CACHE_HOME/mcp-risk or ~/.cache/mcp-risk, shared with `scan`).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// The command for --stdio, after `--`.
    #[arg(last = true)]
    pub command: Vec<String>,
    /// Stop at the first file of an --input directory that is not a JSON
    /// tool list (default: skip it with a warning and exit 3).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::INPUT_HELP)]
pub struct EvalArgs {
    /// tools/list file or directory whose tools carry author annotations.
    #[arg(long)]
    pub input: PathBuf,
    /// `table` for reading, `json` (every score of every server) for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    /// Also list every tool whose class disagrees with its declared label.
    #[arg(long)]
    pub errors: bool,
    /// Table: one line per server whatever the terminal width (the layout
    /// piped output always gets).
    #[arg(long)]
    pub wide: bool,
    /// Stop at the first file of an --input directory that is not a JSON
    /// tool list (default: skip it with a warning and exit 3).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::PLAIN_HELP)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List every rule: id, family, conclusion, summary.
    List {
        /// `table` for reading, `json` (every rule, and the catalogue's hash)
        /// for scripts.
        #[arg(long, value_enum, default_value = "table")]
        format: TableOrJson,
    },
    /// Explain one rule: what it matches, what it concludes, its examples.
    Explain {
        /// The rule's id, as `mcp-risk rules list` shows it (`delete-verb`).
        id: String,
    },
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, after_long_help = exit::INPUT_HELP)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: Option<PolicyCommand>,
    #[command(flatten)]
    pub write: PolicyWriteArgs,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Validate a policy.json or Intercept YAML file (ours or hand-written).
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct PolicyWriteArgs {
    /// tools/list file or directory.
    #[arg(long, group = "what")]
    pub input: Option<PathBuf>,
    /// One server from the database (any unique part of its name, as for
    /// `classify --server`).
    #[arg(long, group = "what")]
    pub server: Option<String>,
    /// Every server in the database.
    #[arg(long, group = "what")]
    pub all: bool,
    /// Database that --server and --all read (written by `scan` or `crawl`).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Which policy format to write (`--help` lists the files each one makes).
    #[arg(long, value_enum, default_value = "policylayer")]
    pub format: PolicyFormat,
    /// Write one file per server here (default: one server's policy to stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Classify blind: ignore the authors' declared annotations.
    #[arg(long)]
    pub ignore_annotations: bool,
    /// The server's name in your agent-client config, which the Claude Code
    /// (`mcp__NAME__tool`) and Codex (`[mcp_servers.NAME]`) files address it
    /// by; one server only (default: its name as crawled, which is your own
    /// name for servers crawled from your config).
    #[arg(long, value_name = "NAME")]
    pub server_key: Option<String>,
    /// With --out: list every file written (default: one summary line).
    #[arg(long)]
    pub verbose: bool,
    /// Stop at the first file of an --input directory that is not a JSON
    /// tool list (default: skip it with a warning and exit 3).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::INPUT_HELP)]
pub struct PagesArgs {
    /// tools/list file or directory.
    #[arg(long, group = "what")]
    pub input: Option<PathBuf>,
    /// Render every server in this database.
    #[arg(long, group = "what")]
    pub db: Option<PathBuf>,
    /// Output directory (created if missing). Each run lists the files it
    /// wrote in DIR/.mcp-risk-pages.txt; the next run into DIR removes the
    /// pages on that list it does not write again (servers and tools that
    /// went away). No other file in DIR is ever removed.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// `html` (a static site with an index) or `md` (Markdown pages).
    #[arg(long, value_enum, default_value = "html")]
    pub format: PagesFormat,
    /// Stop at the first file of an --input directory that is not a JSON
    /// tool list (default: skip it with a warning and exit 3).
    #[arg(long)]
    pub strict: bool,
    /// Where the site will be served (e.g. https://example.org/mcp/): adds a
    /// canonical URL and OpenGraph/Twitter meta to every page, and a
    /// sitemap.xml.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::PLAIN_HELP)]
pub struct DiffArgs {
    /// Database whose last two crawls are compared.
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// Only this server (any unique part of its name, as for `classify --server`).
    #[arg(long)]
    pub server: Option<String>,
    /// `table` for reading, `json` (every change) for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::PLAIN_HELP)]
pub struct MergeArgs {
    /// The database to write. It may exist: its contents are merged with the
    /// inputs'. Nothing may write to it during the merge.
    pub out: PathBuf,
    /// Databases to merge into OUT (of this mcp-risk's schema version).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Args, Debug)]
#[command(after_long_help = exit::PLAIN_HELP)]
pub struct ServersArgs {
    /// Database to list (written by `scan` or `crawl`).
    #[arg(long, default_value = DEFAULT_DB)]
    pub db: PathBuf,
    /// `table` for reading, `json` (every server) for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
}

/// Parses the command line, runs the command, maps errors to exit codes.
pub fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = Cli::parse();
    // Every command that classifies checks the rule catalogue first, so a
    // broken `MCP_RISK_RULES` directory is one clear error, never a panic.
    let classifies = !matches!(
        &cli.command,
        Command::Probe(_) | Command::Registry(_) | Command::Rules(_) | Command::Merge(_)
    );
    if classifies {
        if let Err(msg) = crate::classify::try_engine() {
            eprintln!(
                "error: invalid rule catalogue: {}",
                crate::text::terminal_safe(&msg)
            );
            return exit::code(exit::ERROR);
        }
    }
    let result = match &cli.command {
        Command::Scan(a) => crate::cmd::scan::run(a),
        Command::Probe(a) => crate::cmd::probe::run(a),
        Command::Crawl(a) => crate::cmd::crawl::run(a),
        Command::Classify(a) => crate::cmd::classify::run(a),
        Command::Eval(a) => crate::cmd::eval::run(a),
        Command::Rules(a) => crate::cmd::rules::run(a),
        Command::Policy(a) => crate::cmd::policy::run(a),
        Command::Pages(a) => crate::cmd::pages::run(a),
        Command::Diff(a) => crate::cmd::diff::run(a),
        Command::Servers(a) => crate::cmd::servers::run(a),
        Command::Merge(a) => crate::cmd::merge::run(a),
        Command::Registry(a) => crate::cmd::registry::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", crate::text::terminal_safe(&error_text(&e)));
            if e.downcast_ref::<exit::Usage>().is_some() {
                eprintln!("\nFor more information, try '--help'.");
                exit::code(exit::USAGE)
            } else {
                exit::code(exit::ERROR)
            }
        }
    }
}

/// The error and its causes on one line, `outer: cause: cause`, leaving out
/// a cause whose text the line already ends with (an error type that prints
/// its source in its own message would otherwise repeat the OS message:
/// "(os error 2): No such file or directory (os error 2)").
pub fn error_text(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        if line.is_empty() {
            line = msg;
        } else if !line.ends_with(&msg) {
            line.push_str(": ");
            line.push_str(&msg);
        }
    }
    line
}

/// Makes a closed stdout (`mcp-risk rules list | head -1`) end the program
/// quietly with exit 0 instead of a panic and exit 101. `println!` panics
/// when the reader has gone; SIGPIPE stays ignored (the default for Rust
/// programs) because a probed server closing its stdin must not kill us.
pub fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(exit::OK as i32);
        }
        default(info)
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// Every argument of every command, subcommands and hidden ones
    /// included, says in one line what it is for in `--help`, and every
    /// subcommand says what it does in `mcp-risk help`.
    #[test]
    fn every_argument_has_help_text() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let said = arg
                    .get_help()
                    .or(arg.get_long_help())
                    .is_some_and(|h| !h.to_string().trim().is_empty());
                if !said {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    missing.push(format!("{path} {} (the command itself)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "mcp-risk", &mut missing);
        assert!(
            missing.is_empty(),
            "arguments without help text:\n{}",
            missing.join("\n")
        );
    }
}
