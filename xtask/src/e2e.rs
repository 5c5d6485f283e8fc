//! `cargo xtask e2e`: the OpenAPI 3.1 round trip with a real Rust server.
//!
//! 1. `e2e/server` (axum + utoipa, a workspace member with test-only
//!    dependencies no SDK crate has) prints its own OpenAPI 3.1 document,
//!    written to `target/e2e/openapi.json`;
//! 2. the generator turns it into the crate `pets-sdk` in `target/e2e/sdk`,
//!    in strict mode (utoipa's document needs no repair);
//! 3. a throwaway package in `target/e2e/client` (its own workspace, with
//!    the workspace's `Cargo.lock`, so nothing is resolved anew) runs
//!    `e2e/client/roundtrip.rs`: the generated client calls the server on
//!    loopback for every operation and decodes each answer.
//!
//! It builds in `target/corpus-target`, whose dependencies `cargo xtask
//! corpus` has built, and fails on any compiler warning.

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::Path;

const DIR: &str = "target/e2e";
const TARGET: &str = "target/corpus-target";

pub fn e2e(args: &[String]) -> Result<()> {
    if let Some(a) = args.first() {
        bail!("unknown option `{a}` (see `cargo xtask help`)");
    }
    let root = crate::root();
    let dir = root.join(DIR);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;

    eprintln!("e2e: the server's OpenAPI document");
    let out = crate::cargo_command()
        .args(["run", "-q", "-p", "e2e-server", "--bin", "e2e-server-spec"])
        .output()
        .context("starting cargo run -p e2e-server")?;
    if !out.status.success() {
        bail!(
            "e2e-server-spec failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let spec = dir.join("openapi.json");
    fs::write(&spec, &out.stdout).with_context(|| format!("writing {}", spec.display()))?;

    eprintln!("e2e: generating pets-sdk");
    let args: Vec<String> = [
        "--spec",
        &format!("{DIR}/openapi.json"),
        "--out",
        &format!("{DIR}/sdk"),
        "--name",
        "pets-sdk",
        "--strict",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let opts = crate::codegen::options(&args)?;
    let output = crate::codegen::run_generator(&opts)?;
    crate::codegen::write_atomically(&opts.out, &output)?;

    let client = dir.join("client");
    fs::create_dir_all(client.join("src"))?;
    fs::write(
        client.join("src/lib.rs"),
        "//! The round trip's test only.\n",
    )?;
    fs::write(client.join("Cargo.toml"), manifest(&root))?;
    fs::copy(root.join("Cargo.lock"), client.join("Cargo.lock")).context("copying Cargo.lock")?;

    eprintln!("e2e: cargo test (the round trip)");
    let out = crate::cargo_command()
        .args(["test", "--offline", "--manifest-path"])
        .arg(client.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join(TARGET))
        .env_remove("RUSTFLAGS")
        .output()
        .context("starting cargo test")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    if !out.status.success() {
        bail!("e2e: the round trip failed:\n{stderr}");
    }
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning") && !l.contains("generated"))
        .collect();
    if !warnings.is_empty() {
        bail!("e2e: compiler warnings:\n{stderr}");
    }
    eprintln!("e2e: the round trip passed");
    Ok(())
}

/// The client package's manifest: the generated crate, the server (for
/// `serve`) and what the test itself uses, at the workspace's versions.
fn manifest(root: &Path) -> String {
    let server = root.join("e2e/server");
    let test = root.join("e2e/client/roundtrip.rs");
    format!(
        r#"[package]
name = "e2e-client"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dev-dependencies]
pets-sdk = {{ path = "../sdk" }}
e2e-server = {{ path = {server:?} }}
futures-util = "0.3"
tokio = {{ version = "1", features = ["macros", "net", "rt-multi-thread"] }}

[[test]]
name = "roundtrip"
path = {test:?}
"#,
        server = server.display().to_string(),
        test = test.display().to_string(),
    )
}
