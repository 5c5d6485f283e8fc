//! `generator::migration`: the pairing of OLD operations with their
//! successors, on a small fixture pair and on our two real specs.

use generator::migration::{migrate_lowerings, ExperimentalChange, MatchedBy, Migration};
use generator::{LowerSettings, Lowering};
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ has a parent")
        .to_path_buf()
}

fn lower_file(path: &Path) -> Lowering {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let (spec, _) = generator::parse(&text).unwrap_or_else(|e| panic!("parsing: {e}"));
    generator::lower(&spec, &LowerSettings::default())
        .unwrap_or_else(|e| panic!("{} does not lower: {e}", path.display()))
}

fn fixture() -> Migration {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/migration");
    migrate_lowerings(
        &lower_file(&dir.join("old.yaml")),
        &lower_file(&dir.join("new.yaml")),
    )
    .with_labels("old.yaml", "new.yaml")
}

fn pairs(m: &Migration) -> Vec<(&str, &str, MatchedBy, bool)> {
    m.pairs
        .iter()
        .map(|p| {
            (
                p.old.operation_id.as_str(),
                p.new.operation_id.as_str(),
                p.matched_by,
                p.guessed,
            )
        })
        .collect()
}

#[test]
fn pairs_by_stem_and_by_route_and_says_when_it_guesses() {
    let m = fixture();
    assert_eq!(
        pairs(&m),
        // In the IR's operation order (by path, then method).
        [
            ("deleteGadget", "deleteGadgetV1", MatchedBy::Stem, true),
            (
                "listWidgets",
                "listWidgetsV1",
                MatchedBy::StemAndRoute,
                false
            ),
            (
                "listWidgets",
                "listWidgetsV2",
                MatchedBy::StemAndRoute,
                false
            ),
            ("getWidget", "fetchWidgetV2", MatchedBy::Route, true),
        ]
    );
    let gone: Vec<&str> = m.gone.iter().map(|o| o.operation_id.as_str()).collect();
    let added: Vec<&str> = m.added.iter().map(|o| o.operation_id.as_str()).collect();
    assert_eq!(gone, ["purgeAll"]);
    assert_eq!(added, ["countWidgetsV1"]);
    assert_eq!(m.summary.guessed, 2);
    assert!(m.pairs[3]
        .reason
        .starts_with("the same route `GET /widgets/{}` only"));
    assert!(m.pairs[0].reason.contains("the route differs"));
}

#[test]
fn each_pair_reports_path_experimental_changes_and_rust_names() {
    let m = fixture();
    let v1 = &m.pairs[1];
    assert_eq!(v1.old.path, "/v2025/widgets");
    assert_eq!(v1.new.path, "/widgets/v1");
    assert!(v1.path_changed);
    assert_eq!(v1.experimental_change, None);
    assert_eq!(v1.old.rust_call, "client.widgets().list_widgets()");
    assert_eq!(v1.new.rust_call, "client.widgets().list_widgets_v1()");
    // Same parameters and types: only the path changed.
    assert_eq!(v1.changes.len(), 1, "{:#?}", v1.changes);
    assert!(v1.changes[0]
        .message
        .contains("`/v2025/widgets` → `/widgets/v1`"));

    let v2 = &m.pairs[2];
    assert_eq!(
        v2.experimental_change,
        Some(ExperimentalChange::ExperimentalToGa)
    );
    assert_eq!(v2.new.rust_call, "client.widgets().list_widgets_v2(region)");
    let text: Vec<&str> = v2.changes.iter().map(|c| c.message.as_str()).collect();
    let has = |needle: &str| text.iter().any(|t| t.contains(needle));
    assert!(has("no longer experimental"), "{text:#?}");
    assert!(has("`region`"), "{text:#?}");
    assert!(has("`Vec<Widget>` → `Vec<WidgetV2>`"), "{text:#?}");
    let replaced = v2
        .changes
        .iter()
        .find(|c| c.message.contains("`Vec<Widget>` → `Vec<WidgetV2>`"))
        .expect("the response schema change is reported");
    assert!(
        replaced.details.iter().any(|d| d.contains("color")),
        "{:#?}",
        replaced.details
    );
    // What replaces what in the model.
    assert_eq!(v2.models.len(), 1, "{:#?}", v2.models);
    assert_eq!(v2.models[0].place, "status 200 response");
    assert_eq!(v2.models[0].old_type, "Vec<Widget>");
    assert_eq!(v2.models[0].new_type, "Vec<WidgetV2>");
    assert_eq!(v2.models[0].removed, ["color"]);
    assert_eq!(v2.models[0].added, ["colour"]);
    assert!(v1.models.is_empty());
    // The renamed path parameter keeps its position: no parameter change.
    let guess = &m.pairs[3];
    assert_eq!(guess.old.rust_call, "client.widgets().get_widget(id)");
    assert_eq!(
        guess.new.rust_call,
        "client.widgets().fetch_widget_v2(widget_id)"
    );
    // The server's path moved into the operation paths: reported once.
    assert!(m
        .general
        .iter()
        .any(|c| c.message.starts_with("Servers changed")));
}

#[test]
fn json_pairs_hold_both_operation_ids() {
    let json = serde_json::to_value(fixture()).expect("serializes");
    let first = &json["pairs"][1];
    assert_eq!(first["old"]["operation_id"], "listWidgets");
    assert_eq!(first["new"]["operation_id"], "listWidgetsV1");
    assert_eq!(first["matched_by"], "stem-and-route");
    assert_eq!(
        json["pairs"][2]["experimental_change"],
        "experimental-to-ga"
    );
    assert_eq!(json["gone"][0]["operation_id"], "purgeAll");
    assert_eq!(json["added"][0]["operation_id"], "countWidgetsV1");
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!(fixture().to_markdown());
}

#[test]
fn from_v2025_to_the_per_service_spec() {
    let root = workspace_root();
    let m = migrate_lowerings(
        &lower_file(&root.join("spec/sailpoint-v2025.yaml")),
        &lower_file(&root.join("spec/sailpoint-isc.yaml")),
    );
    let p = pairs(&m);
    assert_eq!(m.summary.pairs, 15, "{p:#?}");
    assert_eq!(m.summary.guessed, 0, "{p:#?}");
    assert!(m.gone.is_empty(), "{:#?}", m.gone);
    // The 7 of the 2026-08-22 snapshot with no v2025 predecessor, and the 14
    // operations of issue 20 (SailPoint's Python SDK 2.1.72).
    assert_eq!(m.added.len(), 21, "{:#?}", m.added);
    for (old, new) in [
        ("listMachineIdentities", "listMachineIdentitiesV1"),
        ("listMachineIdentities", "listMachineIdentitiesV2"),
        (
            "getClassifyMachineAccountFromSourceStatus",
            "getClassifyMachineAccountFromSourceStatusV1",
        ),
    ] {
        assert!(
            p.iter().any(|(o, n, _, _)| (*o, *n) == (old, new)),
            "{old} -> {new} missing: {p:#?}"
        );
    }
    let v2 = m
        .pairs
        .iter()
        .find(|p| p.new.operation_id == "getMachineIdentityV2")
        .expect("getMachineIdentity has a v2 successor");
    assert_eq!(
        v2.experimental_change,
        Some(ExperimentalChange::ExperimentalToGa)
    );
    assert_eq!(v2.new.path, "/machine-identities/v2/{id}");
    assert_eq!(v2.old.path, "/v2025/machine-identities/{id}");
    // The owners model changed: what is gone, and what takes its place.
    assert!(v2
        .changes
        .iter()
        .flat_map(|c| &c.details)
        .any(|d| d.contains("owners.primaryIdentity")));
    let model = &v2.models[0];
    assert_eq!(
        (model.old_type.as_str(), model.new_type.as_str()),
        ("MachineIdentityResponse", "MachineIdentityV2")
    );
    for f in [
        "owners.primaryIdentity",
        "owners.secondaryIdentities",
        "businessApplication",
    ] {
        assert!(model.removed.iter().any(|r| r == f), "{model:#?}");
    }
    for f in [
        "owners.primary",
        "owners.secondary",
        "businessApplicationRefs",
    ] {
        assert!(model.added.iter().any(|a| a == f), "{model:#?}");
    }
}
