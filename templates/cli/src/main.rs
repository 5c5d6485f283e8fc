//! The `@BIN@` binary: everything is in the library (`sailpoint_isc_cli`).

fn main() -> std::process::ExitCode {
    sailpoint_isc_cli::runtime::main()
}
