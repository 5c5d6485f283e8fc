//! `cargo xtask ci`: every test and check, in the order that fails fastest.

use anyhow::{bail, Context, Result};
use std::process::Command;

fn cargo(args: &[&str]) -> Result<()> {
    run(Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())).args(args))
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("ci: running {cmd:?}");
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// The optional features of both SDK crates that `clippy` and `doc` also build
/// (not `contract-test`, which needs Prism).
const FEATURES: &str =
    "sailpoint-v2025/test-kit,sailpoint-v2025/keyring,sailpoint-isc/test-kit,sailpoint-isc/keyring";

pub fn ci(_args: &[String]) -> Result<()> {
    cargo(&["fmt", "--all", "--", "--check"])?;
    crate::codegen::check(&[])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        // Also lints the Prism contract tests, which only build with this feature.
        "--features",
        "sailpoint-v2025/contract-test,sailpoint-isc/contract-test",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        // The test kit of both crates, and the OS keyring reader (off above).
        "--features",
        FEATURES,
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace"])?;
    // The test kit: its own tests and docs/testing.md's doctests, per crate.
    cargo(&["test", "-p", "sailpoint-v2025", "--features", "test-kit"])?;
    cargo(&["test", "-p", "sailpoint-isc", "--features", "test-kit"])?;
    // The keyring reader against the real OS keyring (reported unavailable
    // where there is none, as on CI).
    cargo(&[
        "test",
        "-p",
        "sailpoint-v2025",
        "--features",
        "keyring",
        "--lib",
        "keyring",
    ])?;
    // Both crates, each against our spec and upstream's documents.
    crate::contract::contract(&[])?;
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["doc", "--workspace", "--no-deps", "--features", FEATURES])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    full_spec(&[])?;
    // Every real public spec of the corpus, small and large (the large ones
    // take a minute or more each to check).
    crate::corpus::corpus(&[])?;
    Ok(())
}

/// Where `full-spec` writes and builds the SDK for the whole upstream spec.
const FULL_SPEC: &str = "../shared/reference/sailpoint-v2025.json";
const FULL_OUT: &str = "target/full-sdk";

/// `cargo xtask full-spec`: generates an SDK for every operation of the full
/// upstream spec and checks that it compiles with no warnings, test kit included.
pub fn full_spec(_args: &[String]) -> Result<()> {
    crate::codegen::codegen(&[
        "--spec".into(),
        FULL_SPEC.into(),
        "--out".into(),
        FULL_OUT.into(),
    ])?;
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "check",
                "--quiet",
                "--manifest-path",
                &format!("{FULL_OUT}/Cargo.toml"),
                // The test kit's typed layer for all 812 operations.
                "--features",
                "test-kit",
            ])
            // Its own target dir: the crate is its own workspace.
            .env("CARGO_TARGET_DIR", "target/full-sdk-target")
            .env("RUSTFLAGS", "-D warnings"),
    )
}
