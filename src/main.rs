// jemalloc instead of the system allocator where it builds: lint and check allocate many small
// values on every core, and on glibc that was ~1.6x slower and held more memory at peak.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: one arena per physical core instead of its default
/// of four per core. Half-used arenas were what the default spread a large catalog over: check
/// at 50,000 events peaked at 287 MiB with the default and 265 MiB with this, in the same time
/// (bench/scale.sh). Linux only, where jemalloc can ask which core a thread runs on.
#[cfg(all(target_os = "linux", not(target_env = "msvc")))]
#[export_name = "_rjem_malloc_conf"]
static MALLOC_CONF: Option<&'static std::ffi::c_char> = {
    const OPTIONS: &std::ffi::CStr = c"percpu_arena:phycpu";
    // SAFETY: a C string literal lives for the whole program and ends with its NUL, which is
    // all jemalloc needs of the pointer it reads.
    Some(unsafe { &*OPTIONS.as_ptr() })
};

fn main() -> std::process::ExitCode {
    evcat::cli::main()
}
