//! Schemas named after the standard library's types (`Option`, `String`,
//! `Result`, `Box`, `Vec`, `Error`) and fields named after the written-out
//! serde impls' locals (`map`, `read`): the generated code names std types
//! by absolute path and picks locals no field takes (issue 22). The crate is
//! compiled by `cargo xtask corpus --corpus generator/tests/compiled`, a
//! step of `cargo xtask ci`; this test checks what it is made of.

use generator::{generate, parse, Settings};

#[test]
fn schemas_named_after_std_types_generate_with_absolute_paths() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/compiled/clash.yaml");
    let text = std::fs::read_to_string(path).expect("read clash.yaml");
    let (spec, _) = parse(&text).expect("parses");
    let mut settings = Settings::new("clash.yaml");
    settings.lower.strict = false;
    let out = generate(&spec, &settings, &[]).expect("generates");
    let models = out
        .files
        .iter()
        .find(|f| f.path == "src/models.rs")
        .expect("src/models.rs");
    for name in ["Option", "String", "Result", "Box", "Vec", "Error"] {
        assert!(
            models.contents.contains(&format!("pub struct {name} {{")),
            "no struct {name}"
        );
    }
    // Fields named `map` and `read` do not take the decoder's locals.
    assert!(
        models.contents.contains("mut map_: A"),
        "{}",
        models.contents
    );
    assert!(models.contents.contains("let read_ ="));
    // No std type by its bare name in a position a model could shadow.
    for bare in ["-> Option<", "-> Result<", ": Vec<", ": String,", "Box<"] {
        let hits: Vec<&str> = models
            .contents
            .lines()
            .filter(|l| {
                l.contains(bare) && !l.contains("::std::") && !l.trim_start().starts_with("//")
            })
            .collect();
        assert!(hits.is_empty(), "bare `{bare}`: {hits:?}");
    }
}
