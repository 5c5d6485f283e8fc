//! `generator::diff`: one fixture pair per kind of change, each with a
//! snapshot of its Markdown report, plus a diff of upstream's spec against
//! ours with the differences we know of. Every input is a file, so the test
//! checks the same things however long the repository's history grows (it
//! used to diff the last two commits of our spec, and checked less once
//! there were two).

use generator::diff::{diff_lowerings, Report, Severity};
use generator::Lowering;
use std::path::{Path, PathBuf};

fn lower_text(label: &str, text: &str) -> Lowering {
    let (spec, _) =
        generator::parse(text).unwrap_or_else(|e| panic!("{label} does not parse: {e}"));
    generator::lower(&spec, &generator::LowerSettings::default())
        .unwrap_or_else(|e| panic!("{label} does not lower: {e}"))
}

fn lower_file(path: &Path) -> Lowering {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    lower_text(&path.display().to_string(), &text)
}

fn report(old: &Lowering, new: &Lowering, old_label: &str, new_label: &str) -> Report {
    diff_lowerings(old, new).with_labels(old_label, new_label)
}

#[test]
fn fixture_reports() {
    insta::glob!("diff/*/old.yaml", |old_path| {
        let new_path = old_path.with_file_name("new.yaml");
        let r = report(
            &lower_file(old_path),
            &lower_file(&new_path),
            "old.yaml",
            "new.yaml",
        );
        // Every report also serializes, and a report of a spec against
        // itself is empty.
        serde_json::to_string(&r).expect("the report serializes");
        let same = diff_lowerings(&lower_file(&new_path), &lower_file(&new_path));
        assert!(
            same.changes.is_empty(),
            "{} differs from itself",
            new_path.display()
        );
        insta::assert_snapshot!(r.to_markdown());
    });
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ has a parent")
        .to_path_buf()
}

const SPEC: &str = "spec/sailpoint-v2025.yaml";

/// Upstream's two tags against our spec: the deliberate differences show up
/// with the classes we expect, and none breaks an upstream client.
#[test]
fn upstream_subset_against_our_spec() {
    let root = workspace_root();
    // Relative to the workspace root: /work/shared/reference from /work/main.
    let reference = root.join("../shared/reference/sailpoint-v2025-two-tags.yaml");
    let old = lower_file(&reference);
    let new = lower_file(&root.join(SPEC));
    let r = report(&old, &new, "reference", SPEC);
    let md = r.to_markdown();

    // Upstream names the classify path parameter `id` although the template
    // says `{sourceId}`; ours says `sourceId`. Positional, so compatible.
    for op in [
        "getClassifyMachineAccountFromSourceStatus",
        "deleteClassifyMachineAccountFromSource",
    ] {
        let c = r
            .changes
            .iter()
            .find(|c| {
                c.message
                    .starts_with("Path parameter `id` (Rust `source_id`)")
                    && c.message.contains(&format!("`{op}`"))
                    && c.message.contains("renamed to `sourceId`")
            })
            .unwrap_or_else(|| panic!("no id -> sourceId rename reported for {op}:\n{md}"));
        assert_eq!(c.severity, vec![Severity::Compatible], "{md}");
    }
    // Upstream's `MachineIdentityRequest` is `allOf[MachineIdentity, ...]`,
    // ours `allOf[MachineIdentityBase, ...]`: `MachineIdentity` goes, and the
    // request loses the read-only `id`, `created` and `modified`. The body
    // schema itself is `MachineIdentityRequest` on both sides.
    assert!(
        md.contains("Schema `MachineIdentity` (Rust `models::MachineIdentity`) removed"),
        "{md}"
    );
    for f in ["id", "created", "modified"] {
        let needle = format!("Field `{f}` (Rust `{f}`) of `MachineIdentityRequest` (Rust `models::MachineIdentityRequest`) removed");
        let c = r
            .changes
            .iter()
            .find(|c| c.message.starts_with(&needle))
            .unwrap_or_else(|| panic!("{needle}:\n{md}"));
        assert_eq!(c.severity, vec![Severity::BreakingSdk], "{md}");
    }
    // Nothing we changed on purpose breaks upstream clients.
    assert_eq!(r.summary.breaking_wire, 0, "{md}");
}

/// Moving a spec from OpenAPI 3.0 to 3.1 changes no API: the fixture
/// `diff/openapi-3.0-to-3.1` says the same thing both ways.
#[test]
fn a_spec_rewritten_as_3_1_diffs_to_nothing() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff/openapi-3.0-to-3.1");
    let r = diff_lowerings(
        &lower_file(&dir.join("old.yaml")),
        &lower_file(&dir.join("new.yaml")),
    );
    assert!(r.changes.is_empty(), "{}", r.to_markdown());
}
