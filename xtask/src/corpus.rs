//! `cargo xtask corpus`: generates an SDK from every spec of a corpus of
//! real public specs (`../shared/corpus/` by default) into
//! `target/corpus/<name>`, `cargo check`s each crate, and prints a summary
//! table. Fails unless every spec generates and compiles with no warning
//! (the same verdict as `RUSTFLAGS="-D warnings" cargo check`, but with the
//! warnings counted). Made to run as a CI step.
//!
//! A corpus entry is a spec file (`.yaml`, `.yml`, `.json`) or a folder
//! holding a multi-file spec whose root is `openapi.yaml` (or `.yml`,
//! `.json`). All crates share one target directory,
//! `target/corpus-target`, so dependencies are built once, and get the
//! workspace's `Cargo.lock`, so nothing is resolved or downloaded anew.
//!
//! A small spec's crate (under 1 MB, see below) also runs its own unit tests
//! (`cargo test --lib`: the runtime's tests, on loopback servers), so that a
//! user who generates a crate from their spec and runs `cargo test` gets
//! green; `--no-test` skips them. A large spec's crate is only checked: its
//! test build would cost minutes and test the same runtime.
//!
//! A folder without such a root is a group of specs (`openapi-3.1/`, the
//! OpenAPI 3.1 corpus): each of its files is an entry named `group/stem`,
//! checked but not tested (its lib tests are the same runtime's).
//!
//! `--small` takes only the specs under 1 MB (the multi-file one counts its
//! files together), `--large` only the others (a minute or more each to
//! check); `cargo xtask ci` runs them all.

use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

const DEFAULT_CORPUS: &str = "../shared/corpus";
const OUT: &str = "target/corpus";
const TARGET: &str = "target/corpus-target";
/// Specs at least this big (bytes) are "large".
const LARGE: u64 = 1_000_000;

struct Row {
    name: String,
    generated: Result<String, String>,
    check: Option<Check>,
    tests: Option<Tests>,
    seconds: f64,
}

/// The outcome of `cargo test --lib` on one crate.
struct Tests {
    ok: bool,
    passed: usize,
    failed: usize,
    seconds: f64,
    first: Option<String>,
}

struct Check {
    ok: bool,
    warnings: usize,
    errors: usize,
    first: Option<String>,
}

pub fn corpus(args: &[String]) -> Result<()> {
    let mut dir = PathBuf::from(DEFAULT_CORPUS);
    let mut only = Vec::new();
    let mut check = true;
    let mut test = true;
    let mut size: Option<bool> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--corpus" => dir = PathBuf::from(it.next().context("--corpus needs a directory")?),
            "--only" => only.push(it.next().context("--only needs a name")?.clone()),
            "--no-check" => check = false,
            "--no-test" => test = false,
            "--small" => size = Some(false),
            "--large" => size = Some(true),
            other => bail!("unknown option `{other}` (see `cargo xtask help`)"),
        }
    }
    let mut specs = entries(&dir)?;
    if !only.is_empty() {
        specs.retain(|(name, _)| {
            only.iter()
                .any(|o| name == o || name.starts_with(&format!("{o}/")))
        });
    }
    if let Some(large) = size {
        specs.retain(|(_, spec)| (bytes(spec) >= LARGE) == large);
    }
    if specs.is_empty() {
        bail!("no specs found in {}", dir.display());
    }
    let started = Instant::now();
    let mut rows = Vec::new();
    for (name, spec) in specs {
        let t = Instant::now();
        let out = PathBuf::from(OUT).join(&name);
        eprintln!("corpus: {name}: generating from {}", spec.display());
        let small = bytes(&spec) < LARGE;
        let generated = generate(&spec, &out);
        let check = match (&generated, check) {
            (Ok(_), true) => {
                eprintln!("corpus: {name}: cargo check");
                Some(cargo_check(&out)?)
            }
            _ => None,
        };
        // A group's crates (the 3.1 specs) are only checked: their lib
        // tests are the runtime's, which the 3.0 specs' crates already run.
        let grouped = name.contains('/');
        let tests = match &check {
            Some(c) if c.ok && test && small && !grouped => {
                eprintln!("corpus: {name}: cargo test --lib");
                let tests = cargo_test_lib(&out)?;
                eprintln!(
                    "corpus: {name}: {} passed, {} failed in {:.0} s",
                    tests.passed, tests.failed, tests.seconds
                );
                Some(tests)
            }
            _ => None,
        };
        rows.push(Row {
            name,
            generated,
            check,
            tests,
            seconds: t.elapsed().as_secs_f64(),
        });
    }
    let table = summary(&rows);
    println!("{table}");
    println!(
        "corpus: {} specs in {:.0} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| {
            r.generated.is_err()
                || r.check.as_ref().is_some_and(|c| !c.ok || c.warnings > 0)
                || r.tests.as_ref().is_some_and(|t| !t.ok)
        })
        .map(|r| r.name.as_str())
        .collect();
    if !failed.is_empty() {
        bail!("corpus: failed: {}", failed.join(", "));
    }
    Ok(())
}

/// The specs in `dir`: files, folders with an `openapi.*` root, and the
/// files of a folder without one (a group such as `openapi-3.1/`).
fn entries(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    entries_at(dir, 0)
}

fn entries_at(dir: &Path, depth: usize) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        if path.is_dir() {
            let name = path
                .file_name()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            if let Some(root) = ["openapi.yaml", "openapi.yml", "openapi.json"]
                .iter()
                .map(|f| path.join(f))
                .find(|p| p.is_file())
            {
                out.push((name, root));
            } else if depth == 0 {
                // A group of specs (`openapi-3.1/`): each file is an entry,
                // named `group/stem`.
                for (sub, spec) in entries_at(&path, depth + 1)? {
                    out.push((format!("{name}/{sub}"), spec));
                }
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push((stem, path));
        }
    }
    out.sort();
    Ok(out)
}

/// The size of a spec: its file, or for a folder's `openapi.*` root every
/// file of the folder.
fn bytes(spec: &Path) -> u64 {
    let is_root = spec.file_stem().is_some_and(|s| s == "openapi");
    match spec.parent().filter(|_| is_root) {
        Some(dir) => {
            let mut total = 0;
            let mut todo = vec![dir.to_path_buf()];
            while let Some(d) = todo.pop() {
                for e in fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        todo.push(p);
                    } else {
                        total += e.metadata().map_or(0, |m| m.len());
                    }
                }
            }
            total
        }
        None => fs::metadata(spec).map_or(0, |m| m.len()),
    }
}

/// Generates into `out`; the codegen summary line, or the error.
fn generate(spec: &Path, out: &Path) -> Result<String, String> {
    let args: Vec<String> = [
        "--spec",
        &spec.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--lenient",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let opts = crate::codegen::options(&args).map_err(|e| format!("{e:#}"))?;
    let output = crate::codegen::run_generator(&opts).map_err(|e| format!("{e:#}"))?;
    crate::codegen::write_atomically(&opts.out, &output).map_err(|e| format!("{e:#}"))?;
    let vendor = vendor_text(&output.files);
    if !vendor.is_empty() {
        return Err(format!(
            "SailPoint text in a foreign crate: {}",
            vendor.join(", ")
        ));
    }
    fs::copy("Cargo.lock", out.join("Cargo.lock")).map_err(|e| format!("{e:#}"))?;
    let s = &output.summary;
    Ok(format!(
        "{} ops, {} warnings, {} types, {} lines",
        s.operations, s.warnings, s.types, s.generated_lines
    ))
}

/// The files of a foreign crate (every one: sources, `Cargo.toml`, front
/// page) that mention SailPoint or its conventions (`sailpoint` in any case,
/// `SAIL_`, `identitynow`, the `sail` CLI and its OS keyring), which only
/// our specs' `x-sdk-sailpoint` may bring in (issue 13 part 3). The one
/// exception is `LICENSE`, copied as it is: it names who holds the
/// copyright of the runtime code every crate carries (this project), which
/// is a legal fact, not a convention of the API.
fn vendor_text(files: &[generator::GeneratedFile]) -> Vec<String> {
    files
        .iter()
        .filter(|f| f.path != "LICENSE")
        .filter(|f| {
            let lower = f.contents.to_ascii_lowercase();
            ["sailpoint", "sail_", "identitynow", "`sail`", "keyring"]
                .iter()
                .any(|w| lower.contains(w))
        })
        .map(|f| f.path.clone())
        .collect()
}

/// `cargo check` of one crate, counting its own warnings and errors.
fn cargo_check(dir: &Path) -> Result<Check> {
    let output = crate::cargo_command()
        .args([
            "check",
            "--offline",
            "--message-format",
            "short",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", TARGET)
        .env_remove("RUSTFLAGS")
        .output()
        .context("starting cargo check")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut warnings = 0;
    let mut errors = 0;
    let mut first = None;
    for line in stderr.lines() {
        // Short diagnostics: `src/x.rs:1:2: warning: ...`; the totals
        // (`warning: ... generated N warnings`) are not counted.
        let is_warning = line.contains(": warning: ");
        let is_error = line.contains(": error") || line.starts_with("error[");
        if is_warning {
            warnings += 1;
        }
        if is_error {
            errors += 1;
        }
        if (is_warning || is_error) && first.is_none() {
            first = Some(line.to_string());
        }
    }
    if !output.status.success() && first.is_none() {
        first = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .map(str::to_string);
    }
    Ok(Check {
        ok: output.status.success(),
        warnings,
        errors,
        first,
    })
}

/// `cargo test --lib` of one crate: the runtime's unit tests as the crate
/// has them. Counts come from libtest's `test result:` line.
fn cargo_test_lib(dir: &Path) -> Result<Tests> {
    let started = Instant::now();
    let output = crate::cargo_command()
        .args(["test", "--offline", "--lib", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", TARGET)
        .env_remove("RUSTFLAGS")
        .output()
        .context("starting cargo test")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (passed, failed) = test_counts(&stdout);
    let first = stdout
        .lines()
        .find(|l| l.starts_with("test ") && l.ends_with(" FAILED"))
        .or_else(|| stderr.lines().find(|l| l.starts_with("error")))
        .map(str::to_string);
    Ok(Tests {
        ok: output.status.success(),
        passed,
        failed,
        seconds: started.elapsed().as_secs_f64(),
        first,
    })
}

/// The passed and failed counts of libtest's `test result: ok. 3 passed; 0
/// failed; ...` lines, summed.
fn test_counts(stdout: &str) -> (usize, usize) {
    let mut passed = 0;
    let mut failed = 0;
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split(['.', ';']) {
            let mut words = part.split_whitespace();
            if let (Some(n), Some(what)) = (words.next(), words.next()) {
                match (n.parse::<usize>(), what) {
                    (Ok(n), "passed") => passed += n,
                    (Ok(n), "failed") => failed += n,
                    _ => {}
                }
            }
        }
    }
    (passed, failed)
}

fn summary(rows: &[Row]) -> String {
    let mut out = String::from(
        "| spec | generated | compiled | warnings | lib tests | time | first problem |\n|---|---|---|---:|---|---:|---|\n",
    );
    for r in rows {
        let (generated, problem) = match &r.generated {
            Ok(s) => (format!("yes ({s})"), None),
            Err(e) => (
                "NO".to_string(),
                Some(e.lines().take(3).collect::<Vec<_>>().join(" ")),
            ),
        };
        let (compiled, warnings, problem) = match &r.check {
            Some(c) => (
                if c.ok {
                    "yes".to_string()
                } else {
                    format!("NO ({} errors)", c.errors)
                },
                c.warnings.to_string(),
                problem.or_else(|| c.first.clone()),
            ),
            None => ("–".to_string(), "–".to_string(), problem),
        };
        let (tests, problem) = match &r.tests {
            Some(t) => (
                if t.ok {
                    format!("{} passed ({:.0} s)", t.passed, t.seconds)
                } else {
                    format!("NO ({} failed)", t.failed)
                },
                problem.or_else(|| t.first.clone()),
            ),
            None => ("–".to_string(), problem),
        };
        let mut problem = problem.unwrap_or_default();
        if problem.len() > 200 {
            let mut cut = 200;
            while !problem.is_char_boundary(cut) {
                cut -= 1;
            }
            problem.truncate(cut);
            problem.push('…');
        }
        out.push_str(&format!(
            "| {} | {generated} | {compiled} | {warnings} | {tests} | {:.0} s | {} |\n",
            r.name,
            r.seconds,
            problem.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_counts_sum_every_result_line() {
        let out = "running 2 tests\ntest a ... ok\ntest b ... FAILED\n\ntest result: FAILED. 94 passed; 21 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.2s\n\ntest result: ok. 3 passed; 0 failed; 0 ignored\n";
        assert_eq!(test_counts(out), (97, 21));
        assert_eq!(test_counts("no tests here"), (0, 0));
    }
}
