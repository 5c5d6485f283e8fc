//! `cargo xtask cli-corpus`: the command-line tool of one foreign corpus
//! spec (Ory Hydra, small and without SailPoint conventions), generated,
//! built with `-D warnings` and run: its help, a usage error, a call to a
//! loopback server answering JSON, and a call to a port nothing listens on,
//! each with the documented exit code. Our own tool (`isc`) is tested by
//! its crate's snapshot tests; this proves the generator's tool for a spec
//! we did not write.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

const SPEC: &str = "../shared/corpus/ory-hydra.json";
const OUT: &str = "target/corpus/ory-hydra";
const BIN: &str = "ory-hydra";
/// Shared with `cargo xtask corpus`, which has built the SDK's dependencies.
const TARGET: &str = "target/corpus-target";

pub fn cli_corpus(_args: &[String]) -> Result<()> {
    let started = std::time::Instant::now();
    crate::codegen::codegen(&[
        "--spec".into(),
        SPEC.into(),
        "--out".into(),
        OUT.into(),
        "--name".into(),
        BIN.into(),
    ])?;
    let manifest = format!("{OUT}-cli/Cargo.toml");
    let status = crate::cargo_command()
        .args(["build", "--quiet", "--manifest-path", &manifest])
        .env("CARGO_TARGET_DIR", TARGET)
        .env("RUSTFLAGS", "-D warnings")
        .status()
        .context("starting cargo build")?;
    if !status.success() {
        bail!("building {manifest} failed (warnings are errors)");
    }
    let bin = Path::new(TARGET).join("debug").join(BIN);
    let run = |args: &[&str], env: &[(&str, String)]| -> Result<(i32, String, String)> {
        let out = Command::new(&bin)
            .args(args)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .with_context(|| format!("running {}", bin.display()))?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    };
    let expect = |what: &str, got: (i32, String, String), code: i32, needle: &str| -> Result<()> {
        let (c, out, err) = got;
        if c != code || !(out.contains(needle) || err.contains(needle)) {
            bail!("{what}: expected exit code {code} and `{needle}`, got {c}\nstdout: {out}\nstderr: {err}");
        }
        eprintln!("cli-corpus: {what}: exit {c} as documented");
        Ok(())
    };
    expect("--help", run(&["--help"], &[])?, 0, "Exit codes")?;
    expect(
        "group help",
        run(&["jwk", "--help"], &[])?,
        0,
        "get-json-web-key-set",
    )?;
    expect(
        "missing required flag",
        run(&["jwk", "get-json-web-key-set"], &[])?,
        2,
        "--set",
    )?;
    // A loopback server that answers one request with a key set.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let server = std::thread::spawn(move || -> Result<String> {
        let (mut conn, _) = listener.accept()?;
        let mut buf = [0u8; 8192];
        let n = conn.read(&mut buf)?;
        let body = r#"{"keys":[{"kid":"k1","kty":"RSA","alg":"RS256","use":"sig"}]}"#;
        write!(
            conn,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )?;
        Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
    });
    let env = [
        ("ORY_HYDRA_BASE_URL", url.clone()),
        ("ORY_HYDRA_TOKEN", "cli-corpus-token".to_owned()),
    ];
    expect(
        "a call to a loopback server",
        run(
            &[
                "jwk",
                "get-json-web-key-set",
                "--set",
                "s1",
                "--jsonpath",
                "$.keys[0].kid",
            ],
            &env,
        )?,
        0,
        "\"k1\"",
    )?;
    let request = server
        .join()
        .map_err(|_| anyhow::anyhow!("the loopback server panicked"))??;
    if !request.starts_with("GET /admin/keys/s1 ") {
        bail!("the tool sent an unexpected request: {request}");
    }
    let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let env = [
        ("ORY_HYDRA_BASE_URL", format!("http://{closed}")),
        ("ORY_HYDRA_TOKEN", "cli-corpus-token".to_owned()),
    ];
    expect(
        "a port nothing listens on",
        run(&["jwk", "get-json-web-key-set", "--set", "s1"], &env)?,
        4,
        "could not connect",
    )?;
    eprintln!(
        "cli-corpus: the ory-hydra tool built and ran in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
