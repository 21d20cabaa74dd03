//! The `wirefeed` binary: see [`wirefeed::cli`].
//!
//! It allocates with jemalloc. glibc's malloc gives the process's many threads (parser workers,
//! stage loops) arenas of their own that keep freed memory: with it, peak RSS while draining a
//! 20 000-item backlog was 85–99 MB; with jemalloc 68 MB, and less CPU per item (`bench/e2e`).
//!
//! Both allocators are told to hand memory back: jemalloc keeps one arena and returns dirty pages
//! after a second ([`MALLOC_CONF`]); librdkafka, which allocates with glibc's malloc, gets one
//! arena and has its large buffers (fetch responses, batches) mapped and unmapped rather than kept
//! in a heap ([`tune_glibc_malloc`]). On `bench/e2e --broker mock --items 20000` (64 partitions)
//! that took peak RSS from 78–101 MB to 59–62 MB at the same throughput.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: one arena (the parser threads' allocations are short
/// lived; eight arenas each kept their own free pages), dirty pages returned after 1 s instead of
/// 10 s, none kept as "muzzy". `_RJEM_MALLOC_CONF` in the environment still overrides it.
#[allow(unsafe_code)]
// SAFETY: jemalloc reads this symbol (`malloc_conf`, prefixed) as a NUL-terminated C string that
// lives for the whole process; its own definition is weak, so this one takes its place.
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 47] = b"narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

/// Bound under which glibc's malloc serves requests from its heap; larger ones are mapped and
/// unmapped. Fixing it also stops glibc from raising it (and its trim threshold) to the size of
/// the largest block freed so far, which let each arena keep megabytes of freed fetch buffers.
const GLIBC_MMAP_THRESHOLD: i32 = 256 * 1024;

/// Sets glibc's malloc options for librdkafka's allocations, unless the environment sets them
/// (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`): one arena for all threads, and large blocks
/// mapped ([`GLIBC_MMAP_THRESHOLD`]). Runs before any thread starts.
fn tune_glibc_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let set = |option: i32, value: i32, env: &str| {
            if std::env::var_os(env).is_none() {
                #[allow(unsafe_code)]
                // SAFETY: `mallopt` only changes allocator parameters; it is called before any
                // other thread exists.
                unsafe {
                    libc::mallopt(option, value);
                }
            }
        };
        set(libc::M_ARENA_MAX, 1, "MALLOC_ARENA_MAX");
        set(
            libc::M_MMAP_THRESHOLD,
            GLIBC_MMAP_THRESHOLD,
            "MALLOC_MMAP_THRESHOLD_",
        );
    }
}

fn main() -> std::process::ExitCode {
    tune_glibc_malloc();
    wirefeed::cli::main()
}
