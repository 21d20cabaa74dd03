//! The `wirefeed` binary: see [`wirefeed::cli`].

fn main() -> std::process::ExitCode {
    wirefeed::cli::main()
}
