//! Snapshot tests over the small specs in `tests/specs/`: for each one, the
//! lowered IR, the emitted Rust and the diagnostics (or the errors) are
//! snapshotted, so a change to lowering is reviewed apart from a change to
//! the emitted tokens.

use generator::{generate, lower, parse, Settings};

fn settings() -> Settings {
    let mut s = Settings::new("tests/specs/example.yaml");
    s.sdk_extras = false;
    s
}

#[test]
fn small_specs() {
    insta::glob!("specs/*.yaml", |path| {
        let text = std::fs::read_to_string(path).expect("read spec");
        let (spec, parse_warnings) = match parse(&text) {
            Ok(ok) => ok,
            Err(e) => {
                insta::assert_snapshot!("errors", e.to_string());
                return;
            }
        };
        match lower(&spec, &settings().lower) {
            Err(e) => insta::assert_snapshot!("errors", e.to_string()),
            Ok(lowering) => {
                let mut diags: Vec<String> =
                    parse_warnings.iter().map(ToString::to_string).collect();
                diags.extend(lowering.warnings.iter().map(ToString::to_string));
                insta::assert_snapshot!("diagnostics", diags.join("\n"));
                insta::assert_debug_snapshot!("ir", lowering.api);
                let out =
                    generate(&spec, &settings(), &[]).expect("generate after a successful lower");
                let rust: Vec<String> = out
                    .files
                    .iter()
                    .filter(|f| f.path.ends_with(".rs") && f.path != "src/lib.rs")
                    .map(|f| format!("// ===== {} =====\n{}", f.path, f.contents))
                    .collect();
                insta::assert_snapshot!("rust", rust.join("\n"));
            }
        }
    });
}

#[test]
fn generating_twice_is_byte_identical() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/sailpoint-v2025.yaml"
    ))
    .expect("read spec");
    let (spec, _) = parse(&text).expect("our spec parses");
    let a = generate(&spec, &settings(), &[]).expect("generates");
    let b = generate(&spec, &settings(), &[]).expect("generates");
    assert_eq!(a.files, b.files);
}

#[test]
fn tag_filter_keeps_only_those_operations_and_the_types_they_reach() {
    let text = r#"
openapi: 3.0.3
info: {title: Tags, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      tags: [Alpha]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}
  /b:
    get:
      operationId: getB
      tags: [Beta, Alpha]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}}
  /c:
    get:
      operationId: getC
      tags: [Gamma]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/C'}}}}
components:
  schemas:
    A: {type: object, properties: {inner: {$ref: '#/components/schemas/Inner'}}}
    B: {type: object, properties: {x: {type: string}}}
    C: {type: object, properties: {y: {type: string}}}
    Inner: {type: object, properties: {z: {type: string}}}
"#;
    let (spec, _) = parse(text).expect("parses");
    let mut s = settings();
    s.lower.tags = vec!["Alpha".to_string()];
    let lowering = lower(&spec, &s.lower).expect("lowers");
    let ops: Vec<&str> = lowering
        .api
        .tags
        .iter()
        .flat_map(|t| t.operations.iter().map(|o| o.id.wire.as_str()))
        .collect();
    // An operation counts when any of its tags is selected; it lives in the
    // module of its first tag.
    assert_eq!(ops, ["getA", "getB"]);
    let modules: Vec<&str> = lowering
        .api
        .tags
        .iter()
        .map(|t| t.name.rust.as_str())
        .collect();
    assert_eq!(modules, ["alpha", "beta"]);
    let types: Vec<&String> = lowering.api.types.keys().collect();
    assert_eq!(types, ["A", "B", "Inner"], "C is only reached from Gamma");
    let out = generate(&spec, &s, &[]).expect("generates");
    assert_eq!(out.summary.operations, 2);
    assert!(out.files.iter().all(|f| f.path != "src/gamma.rs"));
}

/// `lib.rs` names each tag's doc page after the tag's module: handles may
/// repeat across modules (`things::Things`, `things2::Things`) and a module
/// may start with `_`, but the pages must be distinct identifiers.
#[test]
fn doc_pages_are_distinct_identifiers() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/tag_collisions.yaml");
    let (spec, _) = generator::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let out = generate(&spec, &settings(), &[]).expect("generates");
    let lib = &out
        .files
        .iter()
        .find(|f| f.path == "src/lib.rs")
        .unwrap()
        .contents;
    // The pages are the doc-only modules inside `pub mod guide { .. }`.
    let guide = lib
        .split_once("pub mod guide {")
        .expect("lib.rs has the guide module")
        .1;
    let pages: Vec<&str> = guide
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .collect();
    assert_eq!(pages, ["_2nd {}", "things {}", "things2 {}"]);
    syn::parse_file(lib).expect("lib.rs parses");
}
