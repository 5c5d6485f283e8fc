//! Snapshots of the Markdown method pages (`docs/<module>.md`) of a small
//! spec that exercises the corner cases (raw identifiers, typed filters on
//! non-string fields, success enums, bodies of every kind, a model named
//! `Result`). Our own spec's pages are not snapshotted here: they are checked
//! in as `generated/sailpoint-v2025/docs/*.md`, reviewed in diffs and kept fresh by
//! `cargo xtask check`, and their examples are compiled as doctests of the
//! generated crate.

use generator::{generate, parse, Settings};

/// The generated pages of `spec`, as (path, contents).
fn pages(spec_path: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(format!("{}/{spec_path}", env!("CARGO_MANIFEST_DIR")))
        .expect("read spec");
    let (spec, _) = parse(&text).expect("spec parses");
    let mut settings = Settings::new(spec_path.trim_start_matches("../"));
    settings.sdk_extras = false;
    let out = generate(&spec, &settings, &[]).expect("spec generates");
    out.files
        .into_iter()
        .filter(|f| f.path.starts_with("docs/") && f.path.ends_with(".md"))
        .map(|f| (f.path, f.contents))
        .collect()
}

fn check(spec_path: &str, prefix: &str, want_pages: &[&str]) {
    let pages = pages(spec_path);
    let paths: Vec<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, want_pages, "one page per tag");
    for (path, contents) in &pages {
        let module = path
            .trim_start_matches("docs/")
            .trim_end_matches(".md")
            .replace("r#", "");
        insta::assert_snapshot!(format!("{prefix}__{module}"), contents);
    }
}

#[test]
fn small_spec_page() {
    check("tests/docs_pages/small.yaml", "small", &["docs/widgets.md"]);
}

#[test]
fn our_spec_has_one_page_per_tag() {
    let pages = pages("../spec/sailpoint-v2025.yaml");
    let paths: Vec<&str> = pages.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        ["docs/classify_source.md", "docs/machine_identities.md"]
    );
}

#[test]
fn every_example_is_no_run_rust_and_no_other_block_is_rust() {
    // rustdoc runs a fenced block as a doctest unless its info string says
    // otherwise; spec prose must never become one, and examples must not run.
    for (path, contents) in pages("../spec/sailpoint-v2025.yaml")
        .into_iter()
        .chain(pages("tests/docs_pages/small.yaml"))
    {
        let mut in_fence = false;
        let mut examples = 0;
        for line in contents.lines() {
            let Some(info) = line.trim_start().strip_prefix("```") else {
                continue;
            };
            if in_fence {
                in_fence = false;
                continue;
            }
            in_fence = true;
            match info {
                "rust,no_run" => examples += 1,
                "text" | "json" | "yaml" => {}
                other => panic!("{path}: unexpected code block info string {other:?}"),
            }
        }
        assert!(!in_fence, "{path}: unclosed code block");
        let sections = contents.lines().filter(|l| l.starts_with("## ")).count();
        assert_eq!(examples, sections, "{path}: one example per method");
    }
}
