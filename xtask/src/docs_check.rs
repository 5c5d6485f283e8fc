//! `cargo xtask docs-check`: reads the rendered docs (`target/doc`, after `cargo
//! doc` of both SDK crates with the test kit, as `cargo xtask ci` builds them)
//! for what a user must find there, so a page that drops out of `cargo doc`
//! (as the method pages did, behind `cfg(doctest)`) fails CI. Cheap: it only
//! reads a few HTML files.

use anyhow::{bail, Context, Result};
use std::path::Path;

/// The crates checked: (package, lib name).
const CRATES: [(&str, &str); 2] = [
    ("sailpoint-v2025", "sailpoint_v2025"),
    ("sailpoint-isc", "sailpoint_isc"),
];

pub fn docs_check(_args: &[String]) -> Result<()> {
    let mut problems = Vec::new();
    for (package, lib) in CRATES {
        check_crate(Path::new("."), package, lib, &mut problems)?;
    }
    if !problems.is_empty() {
        bail!(
            "the rendered docs lack what users must find there (run `cargo doc --no-deps \
             --features test-kit` on both crates first):\n  - {}",
            problems.join("\n  - ")
        );
    }
    eprintln!("docs-check: the rendered docs of both crates have every page and section");
    Ok(())
}

/// Pushes onto `problems` what `root/target/doc/{lib}` lacks.
fn check_crate(root: &Path, package: &str, lib: &str, problems: &mut Vec<String>) -> Result<()> {
    let doc = root.join("target/doc").join(lib);
    let read = |rel: &str| std::fs::read_to_string(doc.join(rel)).ok();
    let mut need = |ok: bool, what: String| {
        if !ok {
            problems.push(format!("{package}: {what}"));
        }
    };
    let Some(front) = read("index.html") else {
        need(false, format!("no {}/index.html", doc.display()));
        return Ok(());
    };
    // The front page: the rate budget beside retries, and concurrency.
    for (id, words) in [
        ("retries", "RetryPolicy"),
        ("rate-budget", "no_rate_limit"),
        ("concurrency", "Send + Sync"),
    ] {
        need(
            section(&front, id).is_some_and(|s| s.contains(words)),
            format!("the front page has no section `{id}` mentioning `{words}`"),
        );
    }
    need(
        !front.contains("could not finish"),
        "the front page says a retry must *finish* before the deadline (it must *start*)".into(),
    );
    if lib == "sailpoint_isc" {
        need(
            front.contains("Coming from <code>sailpoint-v2025</code>?"),
            "the front page's \"Coming from\" does not name sailpoint-v2025".into(),
        );
    }
    // The method pages: one rendered page per `docs/{tag}.md`, with its examples.
    let pages_dir = root.join("generated").join(package).join("docs");
    let mut pages = 0;
    for entry in
        std::fs::read_dir(&pages_dir).with_context(|| format!("reading {}", pages_dir.display()))?
    {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let Some(tag) = name.strip_suffix(".md").filter(|t| *t != "testing") else {
            continue;
        };
        pages += 1;
        let page = read(&format!("guide/{tag}/index.html"));
        need(
            page.as_deref().is_some_and(|p| p.contains("Example")),
            format!("docs/{name} is not rendered as guide/{tag}/index.html with its examples"),
        );
    }
    need(
        pages > 1,
        format!("no method pages in {}", pages_dir.display()),
    );
    // The test kit: rendered with the feature, and docs.rs told to build every
    // feature with the `docsrs` cfg (the badges; stable rustdoc shows none).
    need(
        read("guide/testing/index.html").is_some_and(|p| p.contains("Kit::start")),
        "the test kit's guide (docs/testing.md) is not rendered as guide/testing".into(),
    );
    need(
        read("test_kit/index.html").is_some(),
        "test_kit is not rendered (build the docs with --features test-kit)".into(),
    );
    let manifest =
        std::fs::read_to_string(root.join("generated").join(package).join("Cargo.toml"))?;
    let docs_rs = manifest
        .split_once("[package.metadata.docs.rs]")
        .map(|(_, rest)| rest.split("\n[").next().unwrap_or(""));
    need(
        docs_rs.is_some_and(|t| {
            t.contains("all-features = true") && t.contains(r#"rustdoc-args = ["--cfg", "docsrs"]"#)
        }),
        "Cargo.toml lacks [package.metadata.docs.rs] all-features and --cfg docsrs".into(),
    );
    let lib_rs = std::fs::read_to_string(root.join("generated").join(package).join("src/lib.rs"))?;
    const BADGE: &str = "#[cfg_attr(docsrs, doc(cfg(feature = \"test-kit\")))]";
    need(
        lib_rs.match_indices(BADGE).any(|(i, _)| {
            lib_rs[i..]
                .chars()
                .take(200)
                .collect::<String>()
                .contains("pub mod test_kit;")
        }),
        "test_kit has no feature badge (doc(cfg(feature = \"test-kit\")) under docsrs)".into(),
    );
    Ok(())
}

/// The HTML of the front-page section whose heading has `id`, up to the next
/// top-level heading.
fn section<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html
        .find(&format!("<h2 id=\"{id}\""))
        .or_else(|| html.find(&format!("<h1 id=\"{id}\"")))?;
    let rest = &html[start + 1..];
    let end = ["<h2 id=", "<h1 id="]
        .iter()
        .filter_map(|h| rest.find(h))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_runs_to_the_next_heading() {
        let html = r#"<h2 id="retries">R</h2><p>RetryPolicy</p><h2 id="rate-budget">B</h2><p>no_rate_limit</p><h2 id="x">"#;
        assert!(section(html, "retries").unwrap().contains("RetryPolicy"));
        assert!(!section(html, "retries").unwrap().contains("no_rate_limit"));
        assert!(section(html, "rate-budget")
            .unwrap()
            .contains("no_rate_limit"));
        assert!(section(html, "concurrency").is_none());
    }
}
