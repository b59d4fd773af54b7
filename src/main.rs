//! Thin binary: parse the command line and hand it to the library.

/// mimalloc: classification allocates many small strings per tool, and
/// mimalloc cuts the end-to-end time of a 224k-tool `classify --input` by
/// about a fifth over glibc malloc on two cores. Chosen here, in the binary,
/// so the library never picks an allocator for programs that embed it.
#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

/// `mimalloc::MiMalloc`, but asking for plain `mi_malloc` (and `mi_zalloc`,
/// `mi_realloc`) where its alignment already suffices. `MiMalloc` passes
/// every request to `mi_malloc_aligned`, whose extra checks and call layer
/// cost about a tenth of a small allocation's instructions, and almost
/// every allocation here is a small string or vector aligned to 8 or less.
struct Mimalloc;

/// What `mi_malloc` guarantees: a block of `size` bytes is aligned to
/// `align` when `align <= size` and `align` is at most 16 bytes
/// (`MI_MAX_ALIGN_SIZE`; mimalloc's own `mi_malloc_is_naturally_aligned`
/// takes this shortcut in `mi_malloc_aligned`).
fn natural(align: usize, size: usize) -> bool {
    align <= 16 && align <= size
}

// SAFETY: every request is passed to mimalloc: to its plain entry points
// only where `natural` says their blocks are aligned as asked (see above),
// to the aligned ones otherwise, as `mimalloc::MiMalloc` does; every block
// is freed by `mi_free`, which takes blocks of either kind.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if natural(layout.align(), layout.size()) {
            libmimalloc_sys::mi_malloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if natural(layout.align(), layout.size()) {
            libmimalloc_sys::mi_zalloc(layout.size()).cast()
        } else {
            libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr.cast());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if natural(layout.align(), new_size) {
            libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast()
        } else {
            libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
        }
    }
}

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
