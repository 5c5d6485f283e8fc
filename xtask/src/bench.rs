//! `cargo xtask bench`: how long generation takes, phase by phase, and how
//! much memory it needs, for our spec and for the full upstream spec.
//!
//! Each spec runs in a child process (`cargo xtask bench --one SPEC`) so the
//! peak resident set size (`VmHWM` in `/proc/self/status`) belongs to that
//! spec alone. A spec that fails to generate is reported and the others
//! still run. Build with `--release` for figures worth quoting:
//! `cargo run --release -p xtask -- bench`.

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The specs timed when none is given.
const DEFAULT_SPECS: &[&str] = &[
    crate::ours::DEFAULT_SPEC,
    "../shared/reference/sailpoint-v2025.json",
];

const DEFAULT_ITERATIONS: usize = 10;

struct Options {
    specs: Vec<String>,
    iterations: usize,
    /// Set in the child process: time this one spec.
    one: bool,
}

fn options(args: &[String]) -> Result<Options> {
    let mut specs = Vec::new();
    let mut iterations = DEFAULT_ITERATIONS;
    let mut one = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--iterations" | "-n" => {
                let n = it.next().context("--iterations needs a value")?;
                iterations = n
                    .parse()
                    .with_context(|| format!("--iterations: `{n}` is not a count"))?;
                if iterations == 0 {
                    bail!("--iterations must be at least 1");
                }
            }
            "--one" => {
                one = true;
                specs.push(it.next().context("--one needs a spec path")?.clone());
            }
            "--spec" => specs.push(it.next().context("--spec needs a path")?.clone()),
            other => bail!("unknown option `{other}` (see `cargo xtask help`)"),
        }
    }
    if specs.is_empty() {
        specs = DEFAULT_SPECS.iter().map(|s| s.to_string()).collect();
    }
    Ok(Options {
        specs,
        iterations,
        one,
    })
}

pub fn bench(args: &[String]) -> Result<()> {
    let opts = options(args)?;
    if opts.one {
        return bench_one(&opts.specs[0], opts.iterations);
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "bench: this is a debug build; for real figures run `cargo run --release -p xtask -- bench`"
        );
    }
    let exe = std::env::current_exe().context("finding the xtask executable")?;
    let mut failed = Vec::new();
    for spec in &opts.specs {
        println!("== {spec}");
        let start = Instant::now();
        let status = Command::new(&exe)
            .args(["bench", "--one", spec, "--iterations"])
            .arg(opts.iterations.to_string())
            .status()
            .with_context(|| format!("starting {}", exe.display()))?;
        if status.success() {
            println!(
                "  wall time of the whole run ({} iterations, one process): {}",
                opts.iterations,
                ms(start.elapsed())
            );
        } else {
            // The child has printed the error; the other specs still run.
            println!("  FAILED ({status}); see the error above");
            failed.push(spec.clone());
        }
        println!();
    }
    if !failed.is_empty() {
        bail!("generation failed for {}", failed.join(", "));
    }
    Ok(())
}

/// Times every phase of one spec `iterations` times, in this process.
fn bench_one(spec: &str, iterations: usize) -> Result<()> {
    let text = fs::read_to_string(spec).with_context(|| format!("reading {spec}"))?;
    let out_dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
    let args = [
        "--spec".into(),
        spec.into(),
        "--out".into(),
        out_dir.display().to_string(),
        "--lenient".into(),
    ];
    let opts = crate::codegen::options(&args)?;
    let mut settings = opts.settings;
    settings.sdk_extras = false;
    let mut phases: [(&str, Vec<Duration>); 8] = [
        ("parse", Vec::new()),
        ("lower", Vec::new()),
        ("emit*", Vec::new()),
        ("format*", Vec::new()),
        ("emit+fmt", Vec::new()),
        ("generate", Vec::new()),
        ("write", Vec::new()),
        ("total", Vec::new()),
    ];
    let mut last = None;
    let mut parse_warnings = 0;
    for _ in 0..iterations {
        let t0 = Instant::now();
        let (parsed, warnings) = match generator::parse(&text) {
            Ok(ok) => ok,
            Err(e) => bail!("{spec}: {e}"),
        };
        let t1 = Instant::now();
        parse_warnings = warnings.len();
        let output = match generator::generate(&parsed, &settings, &opts.templates) {
            Ok(o) => o,
            Err(e) => bail!("{spec}: {e}"),
        };
        let t2 = Instant::now();
        if out_dir.exists() {
            fs::remove_dir_all(&out_dir)?;
        }
        let t3 = Instant::now();
        write(&out_dir, &output)?;
        let t4 = Instant::now();
        let timings = &output.timings;
        for (sample, (_, series)) in [
            t1 - t0,
            timings.lower,
            timings.emit,
            timings.format,
            timings.emit_and_format_wall,
            t2 - t1,
            t4 - t3,
            (t2 - t0) + (t4 - t3),
        ]
        .into_iter()
        .zip(phases.iter_mut())
        {
            series.push(sample);
        }
        last = Some(output);
    }
    fs::remove_dir_all(&out_dir).ok();
    let output = last.context("no iterations were run")?;
    let s = &output.summary;
    println!(
        "  {} operations ({} skipped), {} types, {} warnings; {} lines of generated Rust ({} files with templates)",
        s.operations,
        s.skipped,
        s.types,
        s.warnings + parse_warnings,
        s.generated_lines,
        output.files.len()
    );
    println!(
        "  {:<9} {:>11} {:>11}   ({iterations} iterations{})",
        "phase",
        "min",
        "median",
        if cfg!(debug_assertions) {
            ", DEBUG build"
        } else {
            ", release build"
        }
    );
    for (name, series) in &mut phases {
        series.sort();
        println!(
            "  {name:<9} {:>11} {:>11}",
            ms(series[0]),
            ms(series[series.len() / 2])
        );
    }
    println!("  (* CPU time summed over the emitting threads; emit+fmt is their wall time;");
    println!(
        "   generate = lower + emit+fmt + copying templates; total = parse + generate + write)"
    );
    match peak_rss_kib() {
        Some(kib) => println!(
            "  peak memory (VmHWM of this process): {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("  peak memory: unknown (no VmHWM in /proc/self/status)"),
    }
    Ok(())
}

/// Writes the files the way `codegen` does, without the atomic swap.
fn write(dir: &Path, output: &generator::Output) -> Result<()> {
    for f in &output.files {
        let p: PathBuf = dir.join(&f.path);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d)?;
        }
        fs::write(&p, &f.contents).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

/// The peak resident set size of this process so far, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
