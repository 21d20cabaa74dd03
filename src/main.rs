//! The `wirefeed` binary: see [`wirefeed::cli`].
//!
//! It allocates with jemalloc. glibc's malloc gives the process's many threads (parser workers,
//! stage loops) arenas of their own that keep freed memory: with it, peak RSS while draining a
//! 20 000-item backlog was 85–99 MB; with jemalloc 68 MB, and less CPU per item (`bench/e2e`).

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    wirefeed::cli::main()
}
