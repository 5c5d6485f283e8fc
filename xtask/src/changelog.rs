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

/// The runtime's documented guarantees (one `- **ID**: text (test: NAME)`
/// line each), and the same list at the last release.
pub const GUARANTEES: &str = "spec/guarantees.md";
pub const RELEASED_GUARANTEES: &str = "spec/released/guarantees.md";

/// `(id, text)` of each guarantee line of `text`.
fn guarantee_lines(text: &str) -> Vec<(&str, &str)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("- **"))
        .filter_map(|l| l.split_once("**:"))
        .map(|(id, rest)| (id.trim(), rest.trim()))
        .collect()
}

/// The ids of the guarantees added, removed or reworded from `released` to
/// `current`, in order.
fn changed_guarantees<'a>(released: &'a str, current: &'a str) -> Vec<&'a str> {
    let old = guarantee_lines(released);
    let new = guarantee_lines(current);
    let mut ids: Vec<&str> = new
        .iter()
        .filter(|(id, text)| !old.iter().any(|(o, t)| o == id && t == text))
        .map(|(id, _)| *id)
        .collect();
    ids.extend(
        old.iter()
            .filter(|(id, _)| !new.iter().any(|(n, _)| n == id))
            .map(|(id, _)| *id),
    );
    ids
}

/// The lines of the Unreleased section.
fn unreleased(changelog: &str) -> Vec<&str> {
    changelog
        .lines()
        .skip_while(|l| l.trim() != "## Unreleased")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .collect()
}

/// Fails when a guarantee of [`GUARANTEES`] changed since the release and
/// `changelog`'s Unreleased section has no line naming it (``guarantee `ID` ``),
/// or when a guarantee names a test no file under `templates/` (the runtime
/// and the SDK's tests) or `generator/tests/` defines: a
/// behaviour change reaches the changelog, not only an API change.
pub fn check_guarantees(root: &Path, changelog: &str) -> Result<()> {
    let read = |p: &str| fs::read_to_string(root.join(p)).with_context(|| format!("reading {p}"));
    let current = read(GUARANTEES)?;
    let released = read(RELEASED_GUARANTEES)?;
    let log = read(changelog)?;
    let section = unreleased(&log).join(" ");
    let missing: Vec<&str> = changed_guarantees(&released, &current)
        .into_iter()
        .filter(|id| !section.contains(&format!("guarantee `{id}`")))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{changelog}: these guarantees of {GUARANTEES} changed since {RELEASED_GUARANTEES}, \
             and `## Unreleased` has no line naming them (write what changed for users, with \
             ``guarantee `ID` ``): {}",
            missing.join(", ")
        );
    }
    let mut sources = String::new();
    collect_rs(&root.join("templates"), &mut sources)?;
    collect_rs(&root.join("generator/tests"), &mut sources)?;
    let untested: Vec<&str> = guarantee_lines(&current)
        .into_iter()
        .filter_map(|(id, text)| {
            let test = text.rsplit_once("(test: ")?.1.trim_end_matches(')');
            (!sources.contains(&format!("fn {test}("))).then_some(id)
        })
        .collect();
    let unnamed: Vec<&str> = guarantee_lines(&current)
        .into_iter()
        .filter(|(_, text)| !text.contains("(test: "))
        .map(|(id, _)| id)
        .collect();
    if !untested.is_empty() || !unnamed.is_empty() {
        bail!(
            "{GUARANTEES}: a guarantee names no test, or one no file under templates/ or generator/tests/ defines: {}",
            untested
                .iter()
                .chain(&unnamed)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    eprintln!("check: {changelog} names every guarantee changed since the release");
    Ok(())
}

/// Appends the text of every `.rs` file under `dir`.
fn collect_rs(dir: &Path, out: &mut String) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_rs(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// Fails, listing them, when an entry is missing from the Unreleased
/// section.
pub fn check(root: &Path, log: &Log) -> Result<()> {
    check_guarantees(root, log.changelog)?;
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
    fn a_changed_added_or_removed_guarantee_needs_a_line() {
        let released = "- **a**: one (test: t)\n- **b**: two (test: t)\n- **c**: gone (test: t)\n";
        let current =
            "- **a**: one (test: t)\n- **b**: two, reworded (test: t)\n- **d**: new (test: t)\n";
        assert_eq!(changed_guarantees(released, current), ["b", "d", "c"]);
        assert!(changed_guarantees(current, current).is_empty());
    }

    #[test]
    fn our_guarantees_match_the_changelogs_and_name_real_tests() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for k in crate::ours::OURS {
            check_guarantees(&root, k.changelog.changelog).unwrap();
        }
    }

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
