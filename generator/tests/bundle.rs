//! Multi-file specs: bundling a root document and the files its `$ref`s
//! reach (see `generator::bundle`).
//!
//! The fixtures under `tests/multi_file/` cover path items in other files,
//! YAML and JSON, JSON pointers into files, `#` fragments inside a file,
//! files that reference each other in a cycle, and two files with the same
//! stem; `tests/multi_file_errors/` the errors. The SailPoint per-service
//! source (`../shared/reference/services-src`) must give the same crate as
//! redocly's bundle of it.

use generator::{bundle, generate, parse_value, Settings};
use std::path::{Path, PathBuf};

fn fixtures(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir)
}

fn read(p: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(p)
}

fn settings(spec: &str) -> Settings {
    let mut s = Settings::new(spec);
    s.sdk_extras = false;
    s.standalone = true;
    s.crate_name = "generated-sdk".into();
    s
}

/// Makes absolute fixture paths in messages relative, for snapshots.
fn relative(text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    text.replace(&format!("{}/", dir.display()), "")
}

#[test]
fn a_multi_file_spec_bundles_into_components_with_stable_names() {
    let root = fixtures("multi_file").join("openapi.yaml");
    let b = bundle(&root, read).expect("bundles");
    insta::assert_snapshot!(
        "multi_file_bundle",
        serde_json::to_string_pretty(&b.value).unwrap()
    );
    // Later diagnostics can name the file a hoisted component came from.
    assert_eq!(
        relative(&b.locate("#/components/schemas/pet/properties/name")),
        "#/components/schemas/pet/properties/name (in multi_file/schemas/pet.yaml#/properties/name)"
    );
    assert_eq!(
        relative(&b.locate("#/paths/~1pets/get")),
        "#/paths/~1pets/get (in multi_file/paths/pets.yaml#/get)"
    );
    let (spec, warnings) = parse_value(b.value).expect("parses");
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut s = settings("openapi.yaml");
    s.lower.strict = true;
    let out = generate(&spec, &s, &[]).expect("generates in strict mode");
    assert_eq!(out.summary.operations, 2);
    let models = &out
        .files
        .iter()
        .find(|f| f.path == "src/models.rs")
        .unwrap()
        .contents;
    for ty in [
        "struct Pet ",
        "struct Owner ",
        "struct Thing ",
        "struct Thing2 ",
        "enum Tag ",
    ] {
        assert!(models.contains(ty), "{ty} not in models.rs");
    }
}

#[test]
fn bundling_is_deterministic_and_needs_only_a_reader() {
    // The same files served from memory, as a caller without a file system
    // would: identical bundle.
    let dir = fixtures("multi_file");
    let from_disk = bundle(&dir.join("openapi.yaml"), read).unwrap().value;
    let mut files = std::collections::BTreeMap::new();
    for f in [
        "openapi.yaml",
        "common.yaml",
        "paths/pets.yaml",
        "paths/pet-by-id.yaml",
        "schemas/pet.yaml",
        "schemas/owner.json",
        "a/thing.yaml",
        "b/thing.yaml",
    ] {
        files.insert(PathBuf::from("spec").join(f), read(&dir.join(f)).unwrap());
    }
    let from_memory = bundle(Path::new("spec/./openapi.yaml"), |p| {
        files
            .get(p)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not in the map"))
    })
    .unwrap()
    .value;
    assert_eq!(
        serde_json::to_string(&from_disk).unwrap(),
        serde_json::to_string(&from_memory).unwrap()
    );
}

#[test]
fn unresolvable_refs_name_the_ref_the_file_and_the_pointer() {
    let dir = fixtures("multi_file_errors");
    let mut report = String::new();
    for case in ["missing_file", "missing_pointer", "url_ref", "inline_cycle"] {
        let err = bundle(&dir.join(format!("{case}.yaml")), read)
            .expect_err(case)
            .to_string();
        report.push_str(&format!("{case}:\n{}\n", relative(&err)));
    }
    insta::assert_snapshot!("multi_file_errors", report);
}

fn reference(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference")
        .join(path)
}

/// The first pointer where two documents differ.
fn difference(a: &serde_json::Value, b: &serde_json::Value, ptr: &str) -> Option<String> {
    use serde_json::Value::{Array, Object};
    match (a, b) {
        (Object(x), Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let p = format!("{ptr}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = difference(u, v, &p) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some(format!("{p}: {u:?} vs {v:?}")),
                }
            }
            None
        }
        (Array(x), Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| difference(u, v, &format!("{ptr}/{i}"))),
        _ if a == b => None,
        // YAML's `8.0` is JSON's `8` once redocly (JavaScript) wrote it.
        (serde_json::Value::Number(x), serde_json::Value::Number(y))
            if x.as_f64() == y.as_f64() =>
        {
            None
        }
        _ => Some(format!("{ptr}: {a} vs {b}")),
    }
}

/// Generated files without the "generated from PATH" header line.
fn crate_files(spec: serde_json::Value) -> Vec<(String, String)> {
    let (spec, _) = parse_value(spec).expect("parses");
    let out = generate(&spec, &settings("spec"), &[]).expect("generates");
    out.files
        .into_iter()
        .map(|f| {
            let body = f
                .contents
                .split_once('\n')
                .map_or("", |(_, b)| b)
                .to_string();
            (f.path, body)
        })
        .collect()
}

#[test]
fn sailpoint_services_source_gives_the_same_crate_as_its_redocly_bundle() {
    for service in ["machine-identities", "classify-source", "declassify-source"] {
        let src = reference(&format!("services-src/idn/apis/{service}/openapi.yaml"));
        let ours = bundle(&src, read)
            .unwrap_or_else(|e| panic!("{service}: {e}"))
            .value;
        let text = std::fs::read_to_string(reference(&format!("services/{service}.json")))
            .expect("the reference bundles must be in ../shared/reference/services");
        let redocly: serde_json::Value = serde_json::from_str(&text).unwrap();
        // The same document, component names and all...
        if let Some(d) = difference(&ours, &redocly, "#") {
            panic!("{service}: the bundles differ at {d}");
        }
        // ...so the same crate, file for file.
        let (a, b) = (crate_files(ours), crate_files(redocly));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x, y, "{service}: {} differs", x.0);
        }
    }
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// `$ref`s of every shape: files that exist or not, pointers that
    /// resolve or not, cycles, URLs, fragments, `..`.
    fn reference() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "a.yaml",
            "./b.yaml#/S",
            "b.yaml#/P",
            "sub/c.yaml",
            "../root.yaml#/components/schemas/R",
            "sub/../a.yaml#/properties/x",
            "missing.yaml",
            "a.yaml#/nowhere",
            "#/S",
            "#/components/schemas/R",
            "https://example.com/x.yaml",
            "b.yaml#/S/properties/s",
        ])
        .prop_map(str::to_string)
    }

    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|c| refs(c, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
            _ => {}
        }
    }

    /// A schema-ish node holding `$ref`s in schema, parameter and path-item
    /// positions.
    fn file(refs: Vec<String>) -> String {
        let mut v = serde_json::json!({
            "type": "object",
            "properties": {},
            "S": {"type": "object", "properties": {"s": {"type": "string"}}},
            "P": {"name": "p", "in": "query", "schema": {"type": "string"}},
        });
        for (i, r) in refs.iter().enumerate() {
            v["properties"][format!("p{i}")] = serde_json::json!({"$ref": r});
        }
        v.to_string()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn bundling_never_panics_and_leaves_only_local_refs(
            a in prop::collection::vec(reference(), 0..4),
            b in prop::collection::vec(reference(), 0..4),
            c in prop::collection::vec(reference(), 0..4),
            root in prop::collection::vec(reference(), 1..4),
        ) {
            let mut files = BTreeMap::new();
            files.insert(PathBuf::from("spec/a.yaml"), file(a));
            files.insert(PathBuf::from("spec/b.yaml"), file(b));
            files.insert(PathBuf::from("spec/sub/c.yaml"), file(c));
            let mut doc = serde_json::json!({
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {},
                "components": {"schemas": {"R": {"type": "string"}}, "parameters": {}},
            });
            for (i, r) in root.iter().enumerate() {
                doc["components"]["schemas"][format!("C{i}")] = serde_json::json!({"$ref": r});
                doc["components"]["parameters"][format!("p{i}")] = serde_json::json!({"$ref": r});
                doc["paths"][format!("/x{i}")] = serde_json::json!({"$ref": r});
            }
            files.insert(PathBuf::from("spec/root.yaml"), doc.to_string());
            let result = bundle(Path::new("spec/root.yaml"), |p| {
                files.get(p).cloned().ok_or_else(|| std::io::Error::other("no such file"))
            });
            if let Ok(b) = result {
                let mut found = Vec::new();
                refs(&b.value, &mut found);
                prop_assert!(found.iter().all(|r| r.starts_with('#')), "{found:?}");
            }
        }
    }
}
