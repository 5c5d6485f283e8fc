//! A crate generated from a spec that is not ours, with the real templates:
//! what it contains follows from its spec, and nothing of SailPoint's
//! conventions (`SAIL_*`, `config.json`, `~/.sailpoint`, the tenant host,
//! the SailPoint front page) reaches it unless the spec sets
//! `x-sdk-sailpoint: true` (issue 13 part 3).

use std::path::{Path, PathBuf};

use generator::{generate, parse, GeneratedFile, Settings, Template};

/// Every shared template (`templates/`, without the per-crate overlays), as
/// `xtask codegen` reads them.
fn shared_templates() -> Vec<Template> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<Template>) {
        for entry in std::fs::read_dir(dir).expect("read templates") {
            let path = entry.expect("dir entry").path();
            let rel = path.strip_prefix(root).expect("under templates");
            if path.is_dir() {
                if rel != Path::new("crates") {
                    walk(root, &path, out);
                }
            } else {
                let rel = rel.to_string_lossy().replace('\\', "/");
                let contents = std::fs::read_to_string(&path).expect("read template");
                out.push(Template::shared(rel, contents));
            }
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates");
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn foreign(spec_yaml: &str) -> Vec<GeneratedFile> {
    let (spec, _) = parse(spec_yaml).expect("parses");
    let mut settings = Settings::new("pets.yaml");
    settings.crate_name = "pets-sdk".into();
    settings.sdk_extras = false;
    settings.standalone = true;
    settings.lower.strict = false;
    generate(&spec, &settings, &shared_templates())
        .expect("generates")
        .files
}

/// What names SailPoint or its conventions: the `SAIL_*` variables, the
/// tenant host, the `sail` CLI and the OS keyring it keeps credentials in
/// (the same list as `cargo xtask corpus`).
const VENDOR_WORDS: [&str; 5] = ["sailpoint", "sail_", "identitynow", "`sail`", "keyring"];

/// Lines of `files` (every file: sources, `Cargo.toml`, front page) that
/// name SailPoint or its conventions.
fn vendor_lines(files: &[GeneratedFile]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        for (n, line) in f.contents.lines().enumerate() {
            let lower = line.to_ascii_lowercase();
            if VENDOR_WORDS.iter().any(|w| lower.contains(w)) {
                found.push(format!("{}:{}: {}", f.path, n + 1, line.trim()));
            }
        }
    }
    found
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> Option<&'a str> {
    files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.contents.as_str())
}

/// A plain API: bearer auth, no paging, no filters, no JSON Patch, no
/// experimental operations, no JSON error bodies, no path parameters.
const PETS: &str = r#"
openapi: 3.0.3
info:
  title: Pet Store
  version: '2.1'
  description: Pets, *all* of them.
servers: [{url: 'https://pets.example.com/api'}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters: [{name: kind, in: query, schema: {type: string}}]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
        '404': {description: none}
  /pets/mine:
    post:
      operationId: adoptPet
      tags: [adoption]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '204': {description: done}
"#;

#[test]
fn a_foreign_crate_has_no_sailpoint_text() {
    let files = foreign(&PETS.replace(
        "components:\n",
        "components:\n  schemas:\n    Pet: {type: object, properties: {name: {type: string}}}\n",
    ));
    assert!(
        file(&files, "Cargo.toml").is_some(),
        "the manifest is checked too"
    );
    let found = vendor_lines(&files);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // No template marker reaches the crate.
    let markers: Vec<&str> = files
        .iter()
        .filter(|f| f.contents.contains("// @sdk "))
        .map(|f| f.path.as_str())
        .collect();
    assert!(markers.is_empty(), "{markers:?}");
}

#[test]
fn a_foreign_crate_contains_what_its_spec_asks_for() {
    let spec = PETS.replace(
        "components:\n",
        "components:\n  schemas:\n    Pet: {type: object, properties: {name: {type: string}}}\n",
    );
    let files = foreign(&spec);
    // No filters, no JSON Patch, no SailPoint configuration.
    for absent in ["src/filter.rs", "src/patch.rs", "src/runtime/config.rs"] {
        assert!(file(&files, absent).is_none(), "{absent} was copied");
    }
    let lib = file(&files, "src/lib.rs").expect("lib.rs");
    assert!(lib.contains("Pet Store"), "front page from info.title");
    assert!(!lib.contains("pub mod filter") && !lib.contains("pub mod patch"));
    // The pager, path-segment encoding and JSON error decoding exist for the
    // runtime's unit tests only; SailPoint's `from_env` not at all.
    let runtime = file(&files, "src/runtime/mod.rs").expect("runtime");
    assert!(runtime.contains("#[cfg(test)]\nmod paginate;"), "{runtime}");
    let client = file(&files, "src/runtime/builder.rs").expect("client");
    assert!(!client.contains("fn from_env"));
    // No experimental operations, no client-credentials flow.
    let meta = file(&files, "src/meta.rs").expect("meta");
    assert!(meta.contains("EXPERIMENTAL_HEADER: &str = \"\""), "{meta}");
    assert!(meta.contains("TOKEN_URL: &str = \"\""), "{meta}");
    // One feature per tag, all in default.
    let manifest = file(&files, "Cargo.toml").expect("Cargo.toml");
    assert!(
        manifest.contains("default = [\"adoption\", \"pets\"]"),
        "{manifest}"
    );
    assert!(manifest.contains("Pet Store"), "{manifest}");
    // The `sail` CLI's keyring is SailPoint's config code's only: no
    // dependency, no feature, and the template's metadata is not copied.
    let doc: toml_edit::DocumentMut = manifest.parse().expect("manifest parses");
    assert!(doc["dependencies"].get("keyring").is_none(), "{manifest}");
    assert!(doc["features"].get("keyring").is_none(), "{manifest}");
    assert!(doc["features"].get("test-kit").is_some(), "{manifest}");
    // The template's own metadata is not copied; docs.rs's is.
    assert!(!manifest.contains("metadata.sdk"), "{manifest}");
    assert!(!manifest.contains("sailpoint-only"), "{manifest}");
    assert!(
        manifest.contains("[package.metadata.docs.rs]\nall-features = true"),
        "{manifest}"
    );
}

#[test]
fn the_vendor_extension_brings_sailpoints_conventions_back() {
    let spec = PETS.replace(
        "components:\n",
        "x-sdk-sailpoint: true\ncomponents:\n  schemas:\n    Pet: {type: object, properties: {name: {type: string}}}\n",
    );
    let files = foreign(&spec);
    assert!(file(&files, "src/runtime/config.rs").is_some());
    let client = file(&files, "src/runtime/builder.rs").expect("client");
    assert!(client.contains("pub fn from_env()"), "from_env is back");
    assert!(client.contains("SAIL_BASE_URL"));
    let manifest = file(&files, "Cargo.toml").expect("Cargo.toml");
    let doc: toml_edit::DocumentMut = manifest.parse().expect("manifest parses");
    assert!(doc["dependencies"].get("keyring").is_some(), "{manifest}");
    assert_eq!(
        doc["features"]["keyring"].as_array().map(|a| a.len()),
        Some(1),
        "{manifest}"
    );
    // The template's own metadata is not copied; docs.rs's is.
    assert!(!manifest.contains("metadata.sdk"), "{manifest}");
    assert!(!manifest.contains("sailpoint-only"), "{manifest}");
    assert!(
        manifest.contains("[package.metadata.docs.rs]\nall-features = true"),
        "{manifest}"
    );
}

#[test]
fn a_tag_named_default_gets_a_feature_cargo_does_not_reserve() {
    let spec = PETS.replace("tags: [pets]", "tags: [default]").replace(
        "components:\n",
        "components:\n  schemas:\n    Pet: {type: object, properties: {name: {type: string}}}\n",
    );
    let files = foreign(&spec);
    let manifest = file(&files, "Cargo.toml").expect("Cargo.toml");
    assert!(
        manifest.contains("default = [\"adoption\", \"default_\"]"),
        "{manifest}"
    );
    assert!(manifest.contains("\ndefault_ = []"), "{manifest}");
    let lib = file(&files, "src/lib.rs").expect("lib.rs");
    assert!(
        lib.contains(
            "#[cfg(feature = \"default_\")]\n#[cfg_attr(docsrs, doc(cfg(feature = \"default_\")))]\n#[allow(clippy::large_enum_variant)]\n#[rustfmt::skip]\npub mod default;"
        ),
        "{lib}"
    );
}

/// A spec with a JSON Patch body (Box's, say) and fields whose
/// descriptions are empty (Twilio's): the spec in
/// `tests/specs/json_patch_empty_docs.yaml`.
fn patch_and_empty_docs() -> Vec<GeneratedFile> {
    let spec = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/specs/json_patch_empty_docs.yaml"),
    )
    .expect("read spec");
    foreign(&spec)
}

#[test]
fn a_json_patch_crate_names_no_vendor() {
    let files = patch_and_empty_docs();
    let patch = file(&files, "src/patch.rs").expect("patch.rs is copied for a JSON Patch body");
    let first = patch
        .lines()
        .find(|l| l.starts_with("//!"))
        .expect("module docs");
    assert!(first.contains("this API's"), "{first}");
    let found = vendor_lines(&files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_field_with_an_empty_description_still_has_a_doc() {
    let files = patch_and_empty_docs();
    let models = file(&files, "src/models.rs").expect("models");
    let lines: Vec<&str> = models.lines().collect();
    let undocumented: Vec<&str> = lines
        .windows(2)
        .filter(|w| w[1].trim_start().starts_with("pub ") && w[1].contains(':'))
        .filter(|w| !w[0].trim_start().starts_with("///") && !w[0].trim_start().starts_with("#["))
        .map(|w| w[1])
        .collect();
    assert!(undocumented.is_empty(), "{undocumented:?}");
    assert!(
        models.contains("/// The `display_name` property."),
        "{models}"
    );
}
