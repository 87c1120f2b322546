// jemalloc instead of the system allocator where it builds: lint and check allocate many small
// values on every core, and on glibc that was ~1.6x slower and held more memory at peak.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    evcat::cli::main()
}
