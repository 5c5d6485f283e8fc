//! `cargo xtask contract`: runs the generated crate's contract test against a
//! Prism mock server, once on our spec and once on the upstream reference spec.
//!
//! Prism is the npm package pinned in `xtask/prism/`; `npm ci` installs it when
//! `node_modules` is missing or older than `package-lock.json`, so a fresh
//! machine with Node.js and npm needs nothing else. Each run starts Prism on a
//! free loopback port, waits until it accepts connections, runs
//! `cargo test -p sailpoint-v2025 --features contract-test --test contract` with
//! `PRISM_URL` and `PRISM_SPEC` set, and kills Prism whatever the outcome.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

const PRISM_DIR: &str = "xtask/prism";
/// How long Prism may take to listen; it usually needs under 2 s.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A spec the contract test runs against, and the `PRISM_SPEC` value that
/// tells the test which expectations apply.
struct Target {
    name: &'static str,
    spec: &'static str,
}

const TARGETS: [Target; 2] = [
    Target {
        name: "ours",
        spec: "spec/sailpoint-v2025.yaml",
    },
    // CI checks the shared directory out beside the repository.
    Target {
        name: "upstream",
        spec: "../shared/reference/sailpoint-v2025-two-tags.yaml",
    },
];

/// `cargo xtask contract [ours|upstream]...`: all targets when none is named.
pub fn contract(args: &[String]) -> Result<()> {
    let mut targets: Vec<&Target> = Vec::new();
    for arg in args {
        match TARGETS.iter().find(|t| t.name == arg) {
            Some(target) => targets.push(target),
            None => bail!("unknown contract target `{arg}` (expected `ours` or `upstream`)"),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().collect();
    }
    let prism = install_prism()?;
    for target in targets {
        run_target(&prism, target)
            .with_context(|| format!("contract test on `{}`", target.spec))?;
    }
    Ok(())
}

/// Runs `npm ci` unless `node_modules` was installed from the current lock
/// file; returns the path of the `prism` executable.
fn install_prism() -> Result<PathBuf> {
    let dir = Path::new(PRISM_DIR);
    let bin = dir.join("node_modules/.bin/prism");
    // npm writes node_modules/.package-lock.json on every install.
    let installed = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let mtime = |path: &Path| -> Option<SystemTime> { path.metadata().ok()?.modified().ok() };
    let fresh = match (mtime(&installed), mtime(&lock)) {
        (Some(installed), Some(lock)) => bin.exists() && installed >= lock,
        _ => false,
    };
    if !fresh {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let mut cmd = Command::new(npm);
        cmd.args(["ci", "--no-audit", "--no-fund"]).current_dir(dir);
        eprintln!("contract: running {cmd:?} in {}", dir.display());
        let status = cmd
            .status()
            .with_context(|| format!("starting `{npm}` (Node.js and npm must be installed)"))?;
        if !status.success() {
            bail!("`npm ci` in {} failed with {status}", dir.display());
        }
    }
    if !bin.exists() {
        bail!("{} is missing after `npm ci`", bin.display());
    }
    Ok(bin)
}

/// A running Prism; dropping it kills the process.
struct Prism {
    child: Child,
    log: PathBuf,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prism {
    fn output(&self) -> String {
        std::fs::read_to_string(&self.log)
            .unwrap_or_else(|e| format!("(cannot read {}: {e})", self.log.display()))
    }
}

fn run_target(prism_bin: &Path, target: &Target) -> Result<()> {
    let spec = Path::new(target.spec);
    if !spec.is_file() {
        bail!("spec {} not found", spec.display());
    }
    let port = free_port()?;
    let log_dir = Path::new("target/contract");
    std::fs::create_dir_all(log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let log = log_dir.join(format!("prism-{}.log", target.name));
    let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let err = out.try_clone()?;
    let mut cmd = Command::new(prism_bin);
    cmd.args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(spec)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    eprintln!("contract: starting {cmd:?} (log: {})", log.display());
    let child = cmd.spawn().with_context(|| format!("starting {cmd:?}"))?;
    let mut prism = Prism { child, log };
    wait_until_listening(&mut prism, port)?;

    let url = format!("http://127.0.0.1:{port}");
    let mut test = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    test.args([
        "test",
        "-p",
        "sailpoint-v2025",
        "--features",
        "contract-test",
        "--test",
        "contract",
    ])
    .env("PRISM_URL", &url)
    .env("PRISM_SPEC", target.name);
    // `Command`'s Debug output starts with the environment it sets.
    eprintln!("contract: running {test:?}");
    let status = test
        .status()
        .with_context(|| format!("starting {test:?}"))?;
    if !status.success() {
        bail!(
            "{test:?} failed with {status} (PRISM_SPEC={}); Prism's log: {}",
            target.name,
            prism.log.display()
        );
    }
    Ok(())
}

/// A port that was free a moment ago; Prism takes it right after.
fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

fn wait_until_listening(prism: &mut Prism, port: u16) -> Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let start = Instant::now();
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Some(status) = prism.child.try_wait()? {
            bail!(
                "Prism exited with {status} before listening on {addr}; its output:\n{}",
                prism.output()
            );
        }
        if start.elapsed() > STARTUP_TIMEOUT {
            bail!(
                "Prism did not listen on {addr} within {}s; its output:\n{}",
                STARTUP_TIMEOUT.as_secs(),
                prism.output()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
