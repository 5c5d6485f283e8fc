//! `cargo xtask changelog` and the changelog part of `cargo xtask check`:
//! every change between the spec of the last release and the current spec
//! must have an entry in the **Unreleased** section of the crate's changelog
//! (`spec/CHANGELOG.md` for sailpoint-v2025, `spec/CHANGELOG-isc.md` for
//! sailpoint-isc; see `ours::OURS`).
//!
//! An entry is one line, `- CLASS: MESSAGE`, made from one change of the
//! [`generator::diff`] report, so it names the wire and Rust spellings. At a
//! release, the Unreleased entries move under the new version's heading and
//! the current spec is copied to [`Log::released`].

use anyhow::{bail, Context, Result};
use generator::diff::{diff_lowerings, Report};
use generator::{LowerSettings, Lowering};
use std::fs;
use std::path::Path;

use crate::ours::{Log, OURS};

/// Prints the entries the Unreleased sections need, crate by crate.
pub fn changelog(args: &[String]) -> Result<()> {
    if let Some(other) = args.first() {
        bail!("unknown option `{other}` (see `cargo xtask help`)");
    }
    for k in OURS {
        let Log {
            released,
            current,
            changelog,
        } = &k.changelog;
        let entries = entries(&report(Path::new("."), &k.changelog)?);
        if entries.is_empty() {
            eprintln!(
                "changelog: {current} is the same API as {released}; nothing to add to {changelog}"
            );
            continue;
        }
        eprintln!("changelog: for {changelog}:");
        for e in entries {
            println!("{e}");
        }
    }
    Ok(())
}

/// Fails, listing them, when an entry is missing from the Unreleased
/// section.
pub fn check(root: &Path, log: &Log) -> Result<()> {
    let Log {
        released,
        changelog,
        ..
    } = *log;
    let text =
        fs::read_to_string(root.join(changelog)).with_context(|| format!("reading {changelog}"))?;
    let entries = entries(&report(root, log)?);
    let missing = missing(&entries, &text);
    if missing.is_empty() {
        eprintln!("check: {changelog} has an entry for every change since {released}");
        return Ok(());
    }
    let mut msg = format!(
        "{changelog} lacks entries for changes since {released}; add these lines (from `cargo xtask changelog`) under `## Unreleased`:\n"
    );
    for m in missing {
        msg.push_str(&format!("  {m}\n"));
    }
    bail!(msg.trim_end().to_string())
}

fn report(root: &Path, log: &Log) -> Result<Report> {
    Ok(diff_lowerings(
        &load(root, log.released)?,
        &load(root, log.current)?,
    ))
}

fn load(root: &Path, path: &str) -> Result<Lowering> {
    let text = fs::read_to_string(root.join(path)).with_context(|| format!("reading {path}"))?;
    let (spec, _) = generator::parse(&text).with_context(|| format!("parsing {path}"))?;
    generator::lower(&spec, &LowerSettings::default()).with_context(|| format!("lowering {path}"))
}

/// One line per change, most severe first (the report's order).
fn entries(report: &Report) -> Vec<String> {
    report
        .changes
        .iter()
        .map(|c| format!("- {}: {}", c.primary().as_str(), c.message))
        .collect()
}

/// The entries that are not a line of the Unreleased section.
fn missing<'e>(entries: &'e [String], changelog: &str) -> Vec<&'e str> {
    let unreleased: Vec<&str> = changelog
        .lines()
        .skip_while(|l| l.trim() != "## Unreleased")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .collect();
    entries
        .iter()
        .map(String::as_str)
        .filter(|e| !unreleased.contains(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_counts_only_under_unreleased() {
        let entries = [
            "- compatible: A.".to_string(),
            "- breaking-sdk: B.".to_string(),
        ];
        let text = "# Changelog\n\n## Unreleased\n\nSome prose.\n\n- compatible: A.\n\n## 0.1.0\n\n- breaking-sdk: B.\n";
        assert_eq!(missing(&entries, text), ["- breaking-sdk: B."]);
        assert_eq!(
            missing(&entries, "# Changelog\n"),
            ["- compatible: A.", "- breaking-sdk: B."]
        );
        assert!(missing(&[], "").is_empty());
    }

    #[test]
    fn released_specs_and_changelogs_agree() {
        for k in OURS {
            check(&crate::root(), &k.changelog)
                .expect("the changelog covers every change since the release");
        }
    }
}
