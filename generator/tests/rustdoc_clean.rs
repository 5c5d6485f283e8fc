//! The generated crate's documentation must read as documentation: no
//! generator internals (`quote!`, `#(...)*` repetitions, `#ident`
//! interpolations) and no template syntax (`{{ }}`, `{% %}`, `<% %>`) may leak
//! into rustdoc or the method pages.
//!
//! Checked on the checked-in crate under `generated/sailpoint-v2025/` (which `cargo xtask
//! check` proves is what codegen makes: emitted code, copied templates, the
//! front page and the method pages), on everything the generator emits for
//! the small test specs, and on the crate generated from the full upstream spec.

use std::path::{Path, PathBuf};

use generator::{generate, parse, Settings};

/// Why `line` of documentation text is not clean, if it is not.
fn leak(line: &str) -> Option<&'static str> {
    const FORBIDDEN: [(&str, &str); 7] = [
        ("quote!", "a `quote!` invocation"),
        ("#(", "a `quote!` repetition"),
        ("{{", "template syntax `{{`"),
        ("}}", "template syntax `}}`"),
        ("{%", "template syntax `{%`"),
        ("%}", "template syntax `%}`"),
        ("<%", "template syntax `<%`"),
    ];
    if let Some((_, why)) = FORBIDDEN.iter().find(|(s, _)| line.contains(s)) {
        return Some(why);
    }
    // `#ident` is a `quote!` interpolation; `(#anchor)` and `self#anchor`
    // links, raw identifiers (`r#match`), `# Heading` and `#[attr]` are not.
    let bytes = line.as_bytes();
    for (i, _) in line.match_indices('#') {
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        let prev = if i == 0 { b' ' } else { bytes[i - 1] };
        let interpolation = (next.is_ascii_lowercase() || next == b'_')
            && (prev.is_ascii_whitespace() || matches!(prev, b'`' | b'{' | b','));
        if interpolation {
            return Some("a `quote!` interpolation `#ident`");
        }
    }
    None
}

/// The documentation lines of a file: `///` and `//!` comments and
/// `#[doc = "..."]` attributes of Rust code; all of a Markdown page.
fn doc_lines(path: &str, contents: &str) -> Vec<String> {
    if path.ends_with(".md") {
        return contents.lines().map(str::to_owned).collect();
    }
    contents
        .lines()
        .map(str::trim_start)
        .filter_map(|l| {
            l.strip_prefix("///")
                .or_else(|| l.strip_prefix("//!"))
                .or_else(|| l.strip_prefix("#[doc ="))
                .or_else(|| l.strip_prefix("#![doc ="))
        })
        .map(str::to_owned)
        .collect()
}

fn problems(files: impl IntoIterator<Item = (String, String)>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, contents) in files {
        for (i, line) in doc_lines(&path, &contents).iter().enumerate() {
            if let Some(why) = leak(line) {
                out.push(format!(
                    "{path} (doc line {}): {why}: {}",
                    i + 1,
                    line.trim()
                ));
            }
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn checked_in_crate_docs_have_no_generator_internals() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/sailpoint-v2025");
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths.sort();
    // The trybuild fixtures are compile-fail programs, not documentation.
    paths.retain(|p| !p.components().any(|c| c.as_os_str() == "ui"));
    assert!(
        paths.iter().any(|p| p.ends_with("src/filter.rs")),
        "walked {paths:?}"
    );
    let files = paths.into_iter().map(|p| {
        let contents = std::fs::read_to_string(&p).expect("read file");
        (p.display().to_string(), contents)
    });
    let found = problems(files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn emitted_docs_of_test_specs_have_no_generator_internals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read specs")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    specs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docs_pages/small.yaml"));
    specs.sort();
    let mut checked = 0;
    for spec_path in specs {
        let text = std::fs::read_to_string(&spec_path).expect("read spec");
        let Ok((spec, _)) = parse(&text) else {
            continue;
        };
        let mut settings = Settings::new(spec_path.display().to_string());
        settings.lower.strict = false;
        let Ok(out) = generate(&spec, &settings, &[]) else {
            continue;
        };
        checked += 1;
        let found = problems(out.files.into_iter().map(|f| (f.path, f.contents)));
        assert!(
            found.is_empty(),
            "{}:\n{}",
            spec_path.display(),
            found.join("\n")
        );
    }
    assert!(checked > 0, "no test spec generated");
}

#[test]
fn full_upstream_spec_docs_have_no_generator_internals() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/sailpoint-v2025.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the upstream spec must be at {}: {e}", path.display()));
    let (spec, _) = parse(&text).expect("the full spec parses");
    let mut settings = Settings::new("../shared/reference/sailpoint-v2025.json");
    settings.standalone = true;
    settings.crate_name = "generated-sdk".into();
    let out = generate(&spec, &settings, &[]).expect("the full spec generates");
    let found = problems(out.files.into_iter().map(|f| (f.path, f.contents)));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_catches_leaks() {
    for bad in [
        "trailing comma (`quote!((#(#ops,)*))`)",
        "the value is #value here",
        "Hello {{ name }}",
        "{% if x %}",
    ] {
        assert!(leak(bad).is_some(), "{bad}");
    }
    for good in [
        "See [`x`](#list_things), [y](self#rendering) and # Example",
        "client.r#match()",
        "#[derive(Debug)]",
        "`{sourceId}` is filled in",
        "println!(\"{body:?}\");",
    ] {
        assert_eq!(leak(good), None, "{good}");
    }
}
