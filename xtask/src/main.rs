//! `cargo xtask`: every file read and write of the project, and the one
//! command that runs all checks.
//!
//! - `cargo xtask codegen [--spec PATH] [--out DIR] [--tag NAME]...` writes the SDK crate.
//! - `cargo xtask check` fails when `generated/` is stale.
//! - `cargo xtask corpus` generates and checks every spec of a corpus of real specs.
//! - `cargo xtask ci` runs every test and check (what `.ci/run` runs).

mod bench;
mod ci;
mod codegen;
mod contract;
mod corpus;
mod diff;

use anyhow::{bail, Result};
use std::path::PathBuf;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    std::env::set_current_dir(root())?;
    if args.is_empty() {
        args.push("help".into());
    }
    let cmd = args.remove(0);
    match cmd.as_str() {
        "codegen" => codegen::codegen(&args),
        "check" => codegen::check(&args),
        "ci" => ci::ci(&args),
        "full-spec" => ci::full_spec(&args),
        "contract" => contract::contract(&args),
        "corpus" => corpus::corpus(&args),
        "bench" => bench::bench(&args),
        "diff" => diff::diff(&args),
        "help" | "--help" | "-h" => {
            println!("{}", HELP.trim());
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{}", HELP.trim()),
    }
}

const HELP: &str = "
cargo xtask codegen [--spec PATH] [--out DIR] [--tag NAME]... [--strict|--lenient] [--name CRATE]
    Generate the SDK crate (defaults: spec/sailpoint-v2025.yaml -> generated/; another spec needs --out).
cargo xtask check
    Fail if generated/ differs from what codegen would write now.
cargo xtask diff [OLD [NEW]] [--format markdown|json] [--fail-on-breaking]
    Report API changes between two specs (a path, or git:REV for spec/sailpoint-v2025.yaml
    at that revision; defaults: git:HEAD and the working tree), classified by what breaks.
cargo xtask bench [--iterations N] [--spec PATH]...
    Time generation phase by phase (parse, lower, emit, format, write) with peak memory,
    for spec/sailpoint-v2025.yaml and ../shared/reference/sailpoint-v2025.json by default.
    Use a release build for figures: `cargo run --release -p xtask -- bench`.
cargo xtask contract [ours|upstream]...
    Run the generated crate's contract test against Prism mocking our spec and the upstream
    reference spec (installs Prism with `npm ci` in xtask/prism when needed).
cargo xtask full-spec
    Generate an SDK for every operation of ../shared/reference/sailpoint-v2025.json into
    target/full-sdk and check that it compiles with no warnings.
cargo xtask corpus [--corpus DIR] [--only NAME]... [--small|--large] [--no-check]
    Generate an SDK from every spec in ../shared/corpus (files, and folders with an openapi.yaml
    root) into target/corpus/NAME and cargo-check each one (target dir target/corpus-target);
    prints a table and fails unless every spec generates and compiles without warnings.
    --small: only specs under 1 MB (run by `ci`); --large: only the others.
cargo xtask ci
    Run every test and check: fmt, freshness, clippy, tests, docs, the Prism contract
    test, the full upstream spec build, a bounded fuzz run, and the small corpus specs.
";

/// The workspace root.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
