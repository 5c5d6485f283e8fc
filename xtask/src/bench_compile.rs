//! `cargo xtask bench-compile`: how long `cargo check` of a generated crate
//! takes, and how much memory it needs, once its dependencies are built
//! (issue 13 part 5).
//!
//! For each spec: generate the crate into `target/bench-compile/<stem>`
//! (with the workspace's `Cargo.lock`), `cargo check` it once to build the
//! dependencies (target dir `target/bench-compile-target`), then `--runs`
//! times touch its `src/lib.rs` and time `CARGO_INCREMENTAL=0 cargo check`
//! of the crate alone. Wall time, CPU time (user + system) and the peak
//! resident set size of the largest process (`rustc`) come from GNU time
//! (`/usr/bin/time -f`); without it only wall time is printed. The 1-minute
//! load average is printed with each run, since the machine may be shared:
//! compare CPU times, and runs at similar load. Figures and commands:
//! BENCHMARKS.md.

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime};

const DEFAULT_SPEC: &str = "../shared/reference/sailpoint-v2025.json";
const OUT: &str = "target/bench-compile";
const TARGET: &str = "target/bench-compile-target";
const GNU_TIME: &str = "/usr/bin/time";

struct Options {
    specs: Vec<String>,
    runs: usize,
    features: Option<String>,
}

fn options(args: &[String]) -> Result<Options> {
    let mut specs = Vec::new();
    let mut runs = 3;
    let mut features = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--spec" => specs.push(it.next().context("--spec needs a path")?.clone()),
            "--runs" => {
                let n = it.next().context("--runs needs a count")?;
                runs = n
                    .parse()
                    .with_context(|| format!("--runs: `{n}` is not a count"))?;
                if runs == 0 {
                    bail!("--runs must be at least 1");
                }
            }
            "--features" => features = Some(it.next().context("--features needs a list")?.clone()),
            other => bail!("unknown option `{other}` (see `cargo xtask help`)"),
        }
    }
    if specs.is_empty() {
        specs.push(DEFAULT_SPEC.into());
    }
    Ok(Options {
        specs,
        runs,
        features,
    })
}

/// One timed `cargo check`.
struct Run {
    wall: f64,
    /// User + system CPU seconds, when GNU time is there.
    cpu: Option<f64>,
    /// Peak RSS of the largest process, MiB, when GNU time is there.
    peak_mib: Option<f64>,
    load: String,
}

pub fn bench_compile(args: &[String]) -> Result<()> {
    let opts = options(args)?;
    let gnu_time = Path::new(GNU_TIME).exists();
    if !gnu_time {
        eprintln!("bench-compile: no {GNU_TIME}; printing wall time only");
    }
    for spec in &opts.specs {
        let stem = Path::new(spec)
            .file_stem()
            .and_then(|s| s.to_str())
            .context("the spec path has no file name")?
            .to_string();
        let out = PathBuf::from(OUT).join(&stem);
        crate::codegen::codegen(&[
            "--spec".into(),
            spec.clone(),
            "--out".into(),
            out.display().to_string(),
            "--lenient".into(),
        ])?;
        fs::copy("Cargo.lock", out.join("Cargo.lock")).context("copying Cargo.lock")?;
        let lines = rust_lines(&out.join("src"))?;
        eprintln!(
            "bench-compile: building the dependencies of {}",
            out.display()
        );
        let status = check(&out, opts.features.as_deref(), false)?
            .status()
            .context("running cargo check")?;
        if !status.success() {
            bail!("cargo check of {} failed", out.display());
        }
        let mut runs = Vec::new();
        for i in 0..opts.runs {
            let run = timed_check(&out, opts.features.as_deref(), gnu_time)?;
            println!(
                "{stem} run {}: wall {:.1} s, cpu {}, peak {}, load {}",
                i + 1,
                run.wall,
                fmt_opt(run.cpu, "s"),
                fmt_opt(run.peak_mib, "MiB"),
                run.load
            );
            runs.push(run);
        }
        let wall: Vec<f64> = runs.iter().map(|r| r.wall).collect();
        let cpu: Vec<f64> = runs.iter().filter_map(|r| r.cpu).collect();
        let peak: Vec<f64> = runs.iter().filter_map(|r| r.peak_mib).collect();
        println!(
            "{stem}: {lines} lines of Rust in src/; features {}; {} runs; min / median: wall {} s, cpu {} s, peak {} MiB",
            opts.features.as_deref().unwrap_or("default"),
            runs.len(),
            min_median(&wall),
            min_median(&cpu),
            min_median(&peak),
        );
    }
    Ok(())
}

/// `cargo check` of the crate in `dir`, alone in its workspace.
fn check(dir: &Path, features: Option<&str>, quiet: bool) -> Result<Command> {
    let mut cmd = crate::cargo_command();
    cmd.arg("check")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"));
    if quiet {
        cmd.arg("--quiet");
    }
    if let Some(f) = features {
        cmd.args(["--features", f]);
    }
    let target = std::env::current_dir()
        .context("finding the workspace root")?
        .join(TARGET);
    cmd.env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        // The same flags every time, whatever the caller's environment.
        .env_remove("RUSTFLAGS");
    Ok(cmd)
}

fn timed_check(dir: &Path, features: Option<&str>, gnu_time: bool) -> Result<Run> {
    // A newer lib.rs makes cargo recompile the crate, and only the crate.
    fs::File::options()
        .append(true)
        .open(dir.join("src/lib.rs"))
        .and_then(|f| f.set_modified(SystemTime::now()))
        .context("touching src/lib.rs")?;
    let load = fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let inner = check(dir, features, true)?;
    let report = std::env::temp_dir().join(format!("bench-compile-{}.txt", std::process::id()));
    let mut cmd = if gnu_time {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", "%e %U %S %M", "-o"])
            .arg(&report)
            .arg(inner.get_program())
            .args(inner.get_args());
        for (k, v) in inner.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c
    } else {
        inner
    };
    let start = Instant::now();
    let status = cmd.status().context("running cargo check")?;
    let wall = start.elapsed().as_secs_f64();
    if !status.success() {
        bail!("cargo check of {} failed", dir.display());
    }
    let (mut cpu, mut peak_mib) = (None, None);
    if gnu_time {
        let text = fs::read_to_string(&report).context("reading GNU time's report")?;
        let _ = fs::remove_file(&report);
        // The last line; cargo's own output went to the terminal.
        let fields: Vec<f64> = text
            .lines()
            .last()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        if let [_, user, sys, kib] = fields[..] {
            cpu = Some(user + sys);
            peak_mib = Some(kib / 1024.0);
        }
    }
    Ok(Run {
        wall,
        cpu,
        peak_mib,
        load,
    })
}

fn rust_lines(dir: &Path) -> Result<usize> {
    let mut n = 0;
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            n += rust_lines(&path)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            n += fs::read_to_string(&path)?.lines().count();
        }
    }
    Ok(n)
}

fn fmt_opt(v: Option<f64>, unit: &str) -> String {
    v.map_or("n/a".into(), |v| format!("{v:.1} {unit}"))
}

fn min_median(v: &[f64]) -> String {
    if v.is_empty() {
        return "n/a".into();
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    format!("{:.1} / {:.1}", s[0], s[s.len() / 2])
}
