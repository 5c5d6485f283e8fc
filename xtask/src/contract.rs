//! `cargo xtask contract`: runs each generated crate's contract test against
//! Prism mock servers, once on our spec and once on upstream's documents.
//!
//! Prism is the npm package pinned in `xtask/prism/`; `npm ci` installs it when
//! `node_modules` is missing or older than `package-lock.json`, so a fresh
//! machine with Node.js and npm needs nothing else. Prism serves one document
//! per process, so each target starts one Prism per document (upstream's
//! per-service API is three documents), each on a free loopback port; waits
//! until they all accept connections; runs
//! `cargo test -p <crate> --features contract-test --test contract` with
//! `PRISM_SPEC` and each document's URL variable set; and kills every Prism
//! whatever the outcome.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

const PRISM_DIR: &str = "xtask/prism";
/// How long Prism may take to listen; it usually needs under 2 s.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// A generated crate with a contract test, and what it runs against.
struct Crate {
    package: &'static str,
    targets: [Target; 2],
}

/// A spec the contract test runs against: `name` is the `PRISM_SPEC` value
/// that tells the test which expectations apply.
struct Target {
    name: &'static str,
    documents: &'static [Document],
}

/// One document, served by its own Prism, whose base URL the test reads from
/// the variable `env`.
struct Document {
    env: &'static str,
    spec: &'static str,
}

// CI checks the shared directory out beside the repository.
const CRATES: [Crate; 2] = [
    Crate {
        package: "sailpoint-v2025",
        targets: [
            Target {
                name: "ours",
                documents: &[Document {
                    env: "PRISM_URL",
                    spec: "spec/sailpoint-v2025.yaml",
                }],
            },
            Target {
                name: "upstream",
                documents: &[Document {
                    env: "PRISM_URL",
                    spec: "../shared/reference/sailpoint-v2025-two-tags.yaml",
                }],
            },
        ],
    },
    Crate {
        package: "sailpoint-isc",
        targets: [
            Target {
                name: "ours",
                documents: &[Document {
                    env: "PRISM_URL",
                    spec: "spec/sailpoint-isc.yaml",
                }],
            },
            // Upstream's per-service bundles: the test sends each request to
            // the Prism of the document that has its path.
            Target {
                name: "upstream",
                documents: &[
                    Document {
                        env: "PRISM_URL_CLASSIFY_SOURCE",
                        spec: "../shared/reference/services/classify-source.json",
                    },
                    Document {
                        env: "PRISM_URL_DECLASSIFY_SOURCE",
                        spec: "../shared/reference/services/declassify-source.json",
                    },
                    Document {
                        env: "PRISM_URL_MACHINE_IDENTITIES",
                        spec: "../shared/reference/services/machine-identities.json",
                    },
                ],
            },
        ],
    },
];

/// `cargo xtask contract [--crate NAME]... [ours|upstream]...`: every crate and
/// every target unless some are named.
pub fn contract(args: &[String]) -> Result<()> {
    let mut crates: Vec<&Crate> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--crate" {
            let Some(package) = args.next() else {
                bail!("`--crate` needs a crate name");
            };
            match CRATES.iter().find(|c| c.package == package) {
                Some(krate) => crates.push(krate),
                None => bail!(
                    "unknown crate `{package}` (expected {})",
                    CRATES
                        .iter()
                        .map(|c| format!("`{}`", c.package))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            }
        } else if arg == "ours" || arg == "upstream" {
            names.push(arg);
        } else {
            bail!(
                "unknown contract target `{arg}` (expected `ours`, `upstream` or `--crate NAME`)"
            );
        }
    }
    if crates.is_empty() {
        crates = CRATES.iter().collect();
    }
    let prism = install_prism()?;
    for krate in crates {
        for target in &krate.targets {
            if !names.is_empty() && !names.contains(&target.name) {
                continue;
            }
            run_target(&prism, krate.package, target).with_context(|| {
                format!("contract test of {} on `{}`", krate.package, target.name)
            })?;
        }
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
    port: u16,
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

fn run_target(prism_bin: &Path, package: &str, target: &Target) -> Result<()> {
    let log_dir = Path::new("target/contract");
    std::fs::create_dir_all(log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    // All of a target's Prisms start before any is waited for; dropping the
    // vector (on any error too) kills them all.
    let ports = free_ports(target.documents.len())?;
    let mut prisms = Vec::new();
    for (document, port) in target.documents.iter().zip(ports) {
        let spec = Path::new(document.spec);
        if !spec.is_file() {
            bail!("spec {} not found", spec.display());
        }
        let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
        let log = log_dir.join(format!("prism-{package}-{}-{stem}.log", target.name));
        prisms.push((document, start_prism(prism_bin, spec, port, log)?));
    }
    for (_, prism) in &mut prisms {
        wait_until_listening(prism)?;
    }

    let mut test = crate::cargo_command();
    test.args([
        "test",
        "-p",
        package,
        "--features",
        "contract-test",
        "--test",
        "contract",
    ])
    .env("PRISM_SPEC", target.name);
    // The test sees only the variables of this target's documents, not
    // leftovers from the caller's environment.
    for document in CRATES
        .iter()
        .flat_map(|c| &c.targets)
        .flat_map(|t| t.documents)
    {
        test.env_remove(document.env);
    }
    for (document, prism) in &prisms {
        test.env(document.env, format!("http://127.0.0.1:{}", prism.port));
    }
    // `Command`'s Debug output starts with the environment it sets.
    eprintln!("contract: running {test:?}");
    let status = test
        .status()
        .with_context(|| format!("starting {test:?}"))?;
    if !status.success() {
        let logs: Vec<String> = prisms
            .iter()
            .map(|(_, prism)| prism.log.display().to_string())
            .collect();
        bail!(
            "{test:?} failed with {status} (PRISM_SPEC={}); Prism's logs: {}",
            target.name,
            logs.join(", ")
        );
    }
    Ok(())
}

fn start_prism(prism_bin: &Path, spec: &Path, port: u16, log: PathBuf) -> Result<Prism> {
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
    Ok(Prism { child, log, port })
}

/// `n` distinct ports that were free a moment ago (all held at once, so that
/// none comes twice); the Prisms take them right after.
fn free_ports(n: usize) -> Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| {
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("finding a free loopback port")
        })
        .collect::<Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr()?.port()))
        .collect()
}

fn wait_until_listening(prism: &mut Prism) -> Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, prism.port));
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
