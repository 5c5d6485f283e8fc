//! `cargo xtask diff`: reads two versions of a spec (files or git
//! revisions), lowers both and prints the API change report that
//! `generator::diff` makes of them; with `--migration`, the migration report
//! of `generator::migration` (which OLD operation became which NEW one).

use anyhow::{bail, Context, Result};
use generator::diff::{diff_lowerings, Report};
use generator::migration::migrate_lowerings;
use generator::{LowerSettings, Lowering};
use std::fs;
use std::process::Command;

/// The spec that `git:REV` refers to, relative to the workspace root.
const SPEC: &str = "spec/sailpoint-v2025.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Json,
}

pub fn diff(args: &[String]) -> Result<()> {
    let mut sides = Vec::new();
    let mut format = Format::Markdown;
    let mut fail_on_breaking = false;
    let mut migration = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => {
                let v = it
                    .next()
                    .context("--format needs a value (markdown or json)")?;
                format = parse_format(v)?;
            }
            f if f.starts_with("--format=") => format = parse_format(&f["--format=".len()..])?,
            "--fail-on-breaking" => fail_on_breaking = true,
            "--migration" => migration = true,
            other if other.starts_with("--") => {
                bail!("unknown option `{other}` (see `cargo xtask help`)")
            }
            side => sides.push(side.to_string()),
        }
    }
    let (old, new) = match sides.as_slice() {
        [] => ("git:HEAD".to_string(), SPEC.to_string()),
        [old] => (old.clone(), SPEC.to_string()),
        [old, new] => (old.clone(), new.clone()),
        _ => bail!(
            "`diff` takes at most two specs (OLD and NEW), got {}",
            sides.len()
        ),
    };
    let old_lowering = load(&old)?;
    let new_lowering = load(&new)?;
    if migration {
        if fail_on_breaking {
            bail!("--fail-on-breaking does not apply to --migration: a migration report always lists what changes");
        }
        let report = migrate_lowerings(&old_lowering, &new_lowering).with_labels(&old, &new);
        match format {
            Format::Markdown => print!("{}", report.to_markdown()),
            Format::Json => println!(
                "{}",
                serde_json::to_string_pretty(&report).context("serializing the report")?
            ),
        }
        return Ok(());
    }
    let mut report = diff_lowerings(&old_lowering, &new_lowering).with_labels(&old, &new);
    if let Some(v) = crate_version() {
        report = report.with_crate_version(v);
    }
    match format {
        Format::Markdown => print!("{}", report.to_markdown()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).context("serializing the report")?
        ),
    }
    if fail_on_breaking && report.is_breaking() {
        bail!("{}", breaking_summary(&report));
    }
    Ok(())
}

/// The Markdown migration report from `old` to `new` (paths relative to
/// `root`), exactly as `cargo xtask diff OLD NEW --migration` prints it.
pub fn migration_markdown(root: &std::path::Path, old: &str, new: &str) -> Result<String> {
    let lower = |side: &str| -> Result<Lowering> {
        let bundle = generator::bundle(&root.join(side), |p| fs::read_to_string(p))
            .with_context(|| format!("reading {side}"))?;
        let (spec, _) =
            generator::parse_value(bundle.value).with_context(|| format!("parsing {side}"))?;
        generator::lower(&spec, &LowerSettings::default())
            .with_context(|| format!("lowering {side}"))
    };
    Ok(migrate_lowerings(&lower(old)?, &lower(new)?)
        .with_labels(old, new)
        .to_markdown())
}

fn parse_format(v: &str) -> Result<Format> {
    match v {
        "markdown" | "md" => Ok(Format::Markdown),
        "json" => Ok(Format::Json),
        other => bail!("unknown format `{other}` (expected markdown or json)"),
    }
}

fn breaking_summary(r: &Report) -> String {
    format!(
        "breaking changes: {} breaking-sdk, {} breaking-wire",
        r.summary.breaking_sdk, r.summary.breaking_wire
    )
}

/// Reads and lowers one side: `git:REV` or a file path (relative to the
/// workspace root).
fn load(side: &str) -> Result<Lowering> {
    let (spec, _) = match side.strip_prefix("git:") {
        Some(rev) => {
            generator::parse(&git_show(rev)?).with_context(|| format!("parsing {side}"))?
        }
        None => {
            // A file may be the root of a multi-file spec.
            let bundle = generator::bundle(std::path::Path::new(side), |p| fs::read_to_string(p))
                .with_context(|| format!("reading {side}"))?;
            generator::parse_value(bundle.value).with_context(|| format!("parsing {side}"))?
        }
    };
    // Lenient: a foreign or older spec may have warnings; they do not stop
    // the comparison.
    generator::lower(&spec, &LowerSettings::default()).with_context(|| format!("lowering {side}"))
}

fn git_show(rev: &str) -> Result<String> {
    let object = format!("{rev}:{SPEC}");
    let out = Command::new("git")
        .args(["show", &object])
        .output()
        .with_context(|| format!("running `git show {object}`"))?;
    if !out.status.success() {
        bail!(
            "`git show {object}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).with_context(|| format!("{object} is not UTF-8"))
}

/// The `version` of the checked-in SDK crate, if it can be read.
fn crate_version() -> Option<String> {
    let text = fs::read_to_string("generated/sailpoint-v2025/Cargo.toml").ok()?;
    let mut in_package = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if let Some(v) = line
            .strip_prefix("version")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
        {
            if in_package {
                return Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}
