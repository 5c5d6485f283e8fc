//! `cargo xtask ci`: every test and check, in the order that fails fastest.

use anyhow::{bail, Context, Result};
use std::process::Command;

fn cargo(args: &[&str]) -> Result<()> {
    run(crate::cargo_command().args(args))
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
    run(crate::cargo_command()
        .args(["doc", "--workspace", "--no-deps", "--features", FEATURES])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    // What a user must find in the docs just rendered (a few file reads).
    crate::docs_check::docs_check(&[])?;
    full_spec(&[])?;
    // Single-tag builds of the full spec (sample tags, with the test kit);
    // full_spec has just generated and checked the whole crate.
    tag_features(&["--ci".into()])?;
    // Every real public spec of the corpus, small and large (the large ones
    // take a minute or more each to check).
    crate::corpus::corpus(&[])?;
    // Specs made to stress the generator, generated and checked the same
    // way: schemas named after std types (`Option`, `String`, `Result`, ...).
    crate::corpus::corpus(&[
        "--corpus".into(),
        "generator/tests/compiled".into(),
        "--no-test".into(),
    ])?;
    // OpenAPI 3.1 from a real Rust server (axum + utoipa) to a generated
    // SDK that calls it; after the corpus, whose target dir it shares.
    crate::e2e::e2e(&[])?;
    // One corpus spec's command-line tool, built (-D warnings) and run.
    crate::cli_smoke::cli_corpus(&[])?;
    Ok(())
}

/// Where `full-spec` writes and builds the SDK for the whole upstream spec.
const FULL_SPEC: &str = "../shared/reference/sailpoint-v2025.json";
const FULL_OUT: &str = "target/full-sdk";

/// Generates the SDK of the whole upstream spec into [`FULL_OUT`].
fn generate_full_spec() -> Result<()> {
    crate::codegen::codegen(&[
        "--spec".into(),
        FULL_SPEC.into(),
        "--out".into(),
        FULL_OUT.into(),
    ])
}

/// `cargo xtask full-spec`: generates an SDK for every operation of the full
/// upstream spec and checks that it compiles with no warnings, test kit included.
pub fn full_spec(_args: &[String]) -> Result<()> {
    generate_full_spec()?;
    run(crate::cargo_command()
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
        .env("RUSTFLAGS", "-D warnings"))
}

/// Tags `tag-features` builds on their own when none is named: small and
/// big ones, with types shared with other tags.
const SAMPLE_TAGS: &[&str] = &[
    "access_profiles",
    "sources",
    "identities",
    "search",
    "tagged_objects",
];

/// `cargo xtask tag-features [--ci] [TAG]...`: generates the full upstream
/// spec into `target/full-sdk` (as `full-spec` does), then checks it with
/// `--no-default-features --features TAG,test-kit` for each sample tag (the
/// tag's module, the models it reaches and its test-kit handles), then with
/// every tag, printing each check's wall time. Every check must pass with
/// `-D warnings`. The flags and features are `full-spec`'s, so the two share
/// their dependencies' builds. `--ci` (after `full-spec`, in `cargo xtask
/// ci`): neither generates again nor checks the full crate again.
pub fn tag_features(args: &[String]) -> Result<()> {
    let in_ci = args.iter().any(|a| a == "--ci");
    let tags: Vec<String> = args.iter().filter(|a| *a != "--ci").cloned().collect();
    let tags: Vec<String> = if tags.is_empty() {
        SAMPLE_TAGS.iter().map(|t| t.to_string()).collect()
    } else {
        tags
    };
    if !in_ci {
        generate_full_spec()?;
    }
    let manifest = format!("{FULL_OUT}/Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {manifest} (run `cargo xtask full-spec` first)"))?;
    let check = |features: Option<&str>| -> Result<f64> {
        let mut cmd = crate::cargo_command();
        cmd.args(["check", "--quiet", "--manifest-path", &manifest])
            .env("CARGO_TARGET_DIR", "target/full-sdk-target")
            .env("CARGO_INCREMENTAL", "0")
            .env("RUSTFLAGS", "-D warnings");
        match features {
            Some(tag) => cmd.args([
                "--no-default-features",
                "--features",
                &format!("{tag},test-kit"),
            ]),
            None => cmd.args(["--features", "test-kit"]),
        };
        let t = std::time::Instant::now();
        run(&mut cmd)?;
        Ok(t.elapsed().as_secs_f64())
    };
    let mut rows = Vec::new();
    for tag in &tags {
        anyhow::ensure!(
            text.contains(&format!("\n{tag} = []")),
            "{manifest} has no feature `{tag}`"
        );
        let s = check(Some(tag))?;
        eprintln!("tag-features: {tag}: {s:.1} s");
        rows.push((tag.clone(), s));
    }
    if in_ci {
        return Ok(());
    }
    let full = check(None)?;
    for (tag, s) in &rows {
        println!(
            "{tag}: {s:.1} s ({:.0}% of the full build)",
            100.0 * s / full
        );
    }
    println!("all tags (default): {full:.1} s");
    Ok(())
}
