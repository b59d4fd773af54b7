//! Thin binary: parse the command line and hand it to the library.
fn main() -> std::process::ExitCode {
    mcp_risk::cli::main()
}
