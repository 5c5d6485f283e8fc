//! Real public specs have constructs our own spec does not; the snapshot
//! spec `tests/specs/foreign_quirks.yaml` shows how each is generated in
//! lenient mode. Here: what strict mode makes of them.

use generator::{generate, parse, Settings};

#[test]
fn a_dangling_schema_ref_is_a_warning_when_lenient_and_an_error_when_strict() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/specs/foreign_quirks.yaml"
    ))
    .unwrap();
    let (spec, _) = parse(&text).expect("parses");
    let mut settings = Settings::new("foreign_quirks.yaml");
    settings.sdk_extras = false;
    let lenient = generate(&spec, &settings, &[]).expect("generates when lenient");
    assert!(lenient
        .warnings
        .iter()
        .any(|w| w.pointer == "#/components/schemas/Hit/properties/extra"
            && w.message.contains("typed as serde_json::Value")));
    settings.lower.strict = true;
    let err = generate(&spec, &settings, &[])
        .expect_err("strict")
        .to_string();
    assert!(
        err.contains("#/components/schemas/Hit/properties/extra: unresolvable $ref `#/components/schemas/oas_any_type_not_mapped`"),
        "{err}"
    );
}
