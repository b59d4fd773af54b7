//! Thin binary: parse the command line and hand it to the library.

/// mimalloc: classification allocates many small strings per tool, and
/// mimalloc cuts the end-to-end time of a 224k-tool `classify --input` by
/// about a fifth over glibc malloc on two cores. Chosen here, in the binary,
/// so the library never picks an allocator for programs that embed it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_huge_pages();
    mcp_risk::cli::main()
}

/// Transparent huge pages off for this process: each first touch of a 2 MB
/// page zeroes all of it, and the allocator's pages came and went often
/// enough that zeroing took about a tenth of a large `classify --input`
/// (kernel `clear_page_erms`); 4 KB pages zero only what is used.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory
    // of ours; a failure (an old kernel) leaves the default, which is fine.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
