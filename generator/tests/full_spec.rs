//! The real test of a generator: SailPoint's full v2025 spec (812
//! operations, 1,026 schemas). This test generates it, pins the codegen
//! summary and every warning, and snapshots one generated item per
//! real-world construct. `cargo xtask ci` also compiles the generated crate
//! (`cargo xtask full-spec`).

use generator::{generate, parse, Settings};
use std::path::PathBuf;

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference")
        .join(name)
}

fn full_output() -> (generator::Output, Vec<generator::Diagnostic>) {
    let path = reference("sailpoint-v2025.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the upstream spec must be at {}: {e}", path.display()));
    let (spec, parse_warnings) = parse(&text).expect("the full spec parses");
    let mut settings = Settings::new("../shared/reference/sailpoint-v2025.json");
    settings.sdk_extras = false;
    settings.standalone = true;
    settings.crate_name = "generated-sdk".into();
    (
        generate(&spec, &settings, &[]).expect("the full spec generates"),
        parse_warnings,
    )
}

/// Finds the item named `name` in `file` and prints it alone.
fn item(out: &generator::Output, file: &str, name: &str) -> String {
    let f = out
        .files
        .iter()
        .find(|f| f.path == file)
        .unwrap_or_else(|| panic!("no file {file}"));
    let parsed = syn::parse_file(&f.contents).expect("generated Rust parses");
    // With per-tag features, the models sit in gated modules (`gated_N`).
    let flat = parsed.items.into_iter().flat_map(|i| match i {
        syn::Item::Mod(syn::ItemMod {
            content: Some((_, inner)),
            ..
        }) => inner,
        other => vec![other],
    });
    let items: Vec<syn::Item> = flat
        .filter(|i| match i {
            syn::Item::Struct(s) => s.ident == name,
            syn::Item::Enum(e) => e.ident == name,
            syn::Item::Type(t) => t.ident == name,
            syn::Item::Impl(imp) => match &*imp.self_ty {
                syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == name),
                _ => false,
            },
            _ => false,
        })
        .collect();
    assert!(!items.is_empty(), "no item {name} in {file}");
    prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items,
    })
}

#[test]
fn full_spec_generates_every_operation() {
    let (out, parse_warnings) = full_output();
    assert_eq!(out.summary.operations, 812, "every operation is generated");
    assert_eq!(out.summary.skipped, 0);
    // Every warning, reviewed: what upstream gets wrong and what we did.
    let mut all: Vec<String> = parse_warnings.iter().map(ToString::to_string).collect();
    all.extend(out.warnings.iter().map(ToString::to_string));
    insta::assert_snapshot!("full_spec_warnings", all.join("\n"));
}

#[test]
fn full_spec_representative_items() {
    let (out, _) = full_output();
    let cases = [
        // Schema names that collide once converted (`Source` / `Source-2`).
        ("src/models.rs", "Source2"),
        // oneOf with a discriminator.
        ("src/models.rs", "IdentityAccess"),
        // anyOf of object and string: an enum, not a struct of options.
        (
            "src/models.rs",
            "AccountAttributesChangedChangesItemNewValue",
        ),
        // multipart/form-data upload.
        ("src/branding.rs", "CreateBrandingItem"),
        // Several success codes with different bodies.
        ("src/task_management.rs", "GetPendingTasksSuccess"),
    ];
    for (file, name) in cases {
        insta::assert_snapshot!(format!("full_spec_item_{name}"), item(&out, file, name));
    }
}
