//! `cargo xtask`: every file read and write of the project, and the one
//! command that runs all checks.
//!
//! - `cargo xtask codegen [--spec PATH] [--out DIR] [--tag NAME]...` writes the SDK crate.
//! - `cargo xtask check` fails when a crate under `generated/` is stale or a changelog
//!   lacks an entry for a spec change.
//! - `cargo xtask corpus` generates and checks every spec of a corpus of real specs.
//! - `cargo xtask ci` runs every test and check (what `.ci/run` runs).

mod bench;
mod bench_compile;
mod bench_paging;
mod changelog;
mod ci;
mod cli_smoke;
mod codegen;
mod contract;
mod corpus;
mod diff;
mod docs_check;
mod e2e;
mod ours;
#[cfg(test)]
mod shape;

use anyhow::{bail, Result};
use std::path::PathBuf;

/// A `cargo` command: the cargo that runs xtask (`$CARGO`), else the one on
/// `PATH`.
fn cargo_command() -> std::process::Command {
    std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

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
        "tag-features" => ci::tag_features(&args),
        "contract" => contract::contract(&args),
        "corpus" => corpus::corpus(&args),
        "cli-corpus" => cli_smoke::cli_corpus(&args),
        "bench" => bench::bench(&args),
        "bench-paging" => bench_paging::bench_paging(&args),
        "bench-compile" => bench_compile::bench_compile(&args),
        "diff" => diff::diff(&args),
        "e2e" => e2e::e2e(&args),
        "changelog" => changelog::changelog(&args),
        "docs-check" => docs_check::docs_check(&args),
        "help" | "--help" | "-h" => {
            println!("{}", HELP.trim());
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{}", HELP.trim()),
    }
}

const HELP: &str = "
cargo xtask codegen [--spec PATH] [--out DIR] [--tag NAME]... [--strict|--lenient] [--name CRATE]
                    [--tag-features|--no-tag-features] [--no-cli]
    Generate the SDK crates. Without options, both of ours: spec/sailpoint-v2025.yaml ->
    generated/sailpoint-v2025/ and spec/sailpoint-isc.yaml -> generated/sailpoint-isc/ (with
    MIGRATING.md, and the command-line tools `isc` and `isc-v2025` in generated/*-cli/); --spec one
    of ours generates that one; another spec needs --out DIR, and gets its command-line tool in
    DIR-cli (binary: the crate name) unless --no-cli.
    --tag-features (the default except for our two crates): one Cargo feature per tag module.
cargo xtask check
    Fail if generated/sailpoint-v2025/, generated/sailpoint-isc/ or their generated/*-cli/ tools differ from what codegen would
    write now, or if a changelog (spec/CHANGELOG.md, spec/CHANGELOG-isc.md) lacks an entry for a
    change since its last release (spec/released/sailpoint-v2025.yaml, .../sailpoint-isc.yaml).
cargo xtask changelog
    Print the changelog entries for every change since the last release.
cargo xtask docs-check
    After `cargo doc` of both crates with the test kit: fail if the rendered docs (target/doc)
    lack the method pages, the test kit's guide, the front page's rate budget and concurrency
    sections, or the docs.rs metadata and feature badge.
cargo xtask diff [OLD [NEW]] [--format markdown|json] [--fail-on-breaking | --migration]
    Report API changes between two specs (a path, or git:REV for spec/sailpoint-v2025.yaml
    at that revision; defaults: git:HEAD and the working tree), classified by what breaks.
    --migration: pair each OLD operation with its successors in NEW (by operationId stem and
    by path without version segments) and report, per pair, what a caller has to change.
cargo xtask bench [--iterations N] [--spec PATH]...
    Time generation phase by phase (parse, lower, emit, format, write) with peak memory,
    for spec/sailpoint-v2025.yaml and ../shared/reference/sailpoint-v2025.json by default.
    Use a release build for figures: `cargo run --release -p xtask -- bench`.
cargo xtask bench-compile [--spec PATH]... [--runs N] [--features LIST]
    Generate each spec (default ../shared/reference/sailpoint-v2025.json) into
    target/bench-compile/STEM, build its dependencies, then time `CARGO_INCREMENTAL=0 cargo
    check` of the crate alone N times (default 3): wall, CPU and peak memory (GNU time), with
    the load average, and min / median. Figures and commands: BENCHMARKS.md.
cargo xtask bench-paging [--scenario a|b|a,b] [--runs sequential,c4,c8,c16,python]
        [--limiter bucket|window|bucket,window] [--items N] [--latency-ms MS] [--limit L]
        [--window-s S] [--max N] [--sdk-bin PATH] [--no-build]
    List machine identities black-box against a loopback stand-in tenant with latency and a
    per-client rate limit (429 + Retry-After), a token bucket or a sliding window (--limiter,
    default bucket; a list runs each scenario once per limiter), and print a Markdown table of
    wall time, requests, 429s and items (each once?) per run, with the physical limit and the
    best possible for the run's concurrency. Scenario a:
    50,000 items, 300 ms, 100 per 10 s; b: the same at 40 per 10 s. Runs: our SDK's example
    (target/release/examples/list_machine_identities, built first unless --no-build or
    --sdk-bin, a path from the workspace root), with --concurrency N for cN, and SailPoint's
    Python SDK Paginator (a venv under target/bench-paging/venv). --max defaults to --items.
    A failing run is reported and the others go on. BENCH_PAGING_TRACE=FILE writes each API
    request's arrival (ms) and status of the last run to FILE. Figures and commands: BENCHMARKS.md.
cargo xtask contract [--crate sailpoint-v2025|sailpoint-isc]... [ours|upstream]...
    Run each generated crate's contract test (both unless --crate) against Prism mocking our
    spec and upstream's documents (one Prism per document: upstream's three per-service
    bundles for sailpoint-isc). Installs Prism with `npm ci` in xtask/prism when needed.
cargo xtask full-spec
    Generate an SDK for every operation of ../shared/reference/sailpoint-v2025.json into
    target/full-sdk and check that it compiles with no warnings.
cargo xtask tag-features [--ci] [TAG]...
    Generate the full upstream spec into target/full-sdk and cargo-check it (-D warnings) with
    only one tag's feature and the test kit, for each TAG (default: a sample of five), then with
    every tag; prints the times. --ci: no generation and no full check (full-spec did both).
cargo xtask corpus [--corpus DIR] [--only NAME]... [--small|--large] [--no-check] [--no-test]
    Generate an SDK from every spec in ../shared/corpus (files, and folders with an openapi.yaml
    root) into target/corpus/NAME and cargo-check each one (target dir target/corpus-target),
    and run the lib tests (`cargo test --lib`) of the crates of specs under 1 MB; prints a
    table and fails unless every spec generates and compiles without warnings and every lib
    test passes. --no-test: no lib tests.
    --small: only specs under 1 MB (run by `ci`); --large: only the others.
cargo xtask e2e
    The OpenAPI 3.1 round trip: e2e/server (axum + utoipa) writes its spec, the generator makes
    target/e2e/sdk (strict), and e2e/client/roundtrip.rs calls the server with it on loopback
    for every operation (built in target/corpus-target; fails on any warning).
cargo xtask cli-corpus
    Generate the command-line tool of ../shared/corpus/ory-hydra.json (target/corpus/ory-hydra-cli),
    build it with -D warnings (target dir target/corpus-target) and run it: help, a usage error,
    a call to a loopback server, a call to a closed port, each with its documented exit code.
cargo xtask ci
    Run every test and check: fmt, freshness, clippy, tests, docs, the Prism contract
    test, the full upstream spec build, a bounded fuzz run, the small corpus specs, and
    cli-corpus.
";

/// The workspace root.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
