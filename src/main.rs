//! Thin binary: parse the command line and hand it to the library.

/// mimalloc: classification allocates many small strings per tool, and
/// mimalloc cuts the end-to-end time of a 224k-tool `classify --input` by
/// about a fifth over glibc malloc on two cores. Chosen here, in the binary,
/// so the library never picks an allocator for programs that embed it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mcp_risk::cli::main()
}
