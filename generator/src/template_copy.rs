//! Copying `templates/` into a crate: the regions its spec asks for
//! ([`Features::select`](crate::features::Features)), the crate's own names in
//! place of the v2025 crate's, a "do not edit" header, and the manifest
//! (through [`manifest`](crate::manifest)).

use crate::diag::{Diagnostic, Errors};
use crate::emit::header;
use crate::features::Features;
use crate::manifest::cargo_toml;
use crate::output::GeneratedFile;
use crate::settings::Settings;

/// One file under `templates/`: data the generator copies (and, for
/// `lib.md`, uses as the crate's front page), never reads as settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Where it goes, relative to the crate root, with `/` separators
    /// (`src/runtime/client.rs`).
    pub path: String,
    /// The full text.
    pub contents: String,
    /// Where it comes from, for the "do not edit" header
    /// (`templates/src/runtime/client.rs`, or a per-crate overlay's
    /// `templates/crates/sailpoint-isc/tests/operations.rs`).
    pub source: String,
}

impl Template {
    /// A file of the shared `templates/` directory: `source` is
    /// `templates/{path}`.
    pub fn shared(path: impl Into<String>, contents: impl Into<String>) -> Self {
        let path = path.into();
        Template {
            source: format!("templates/{path}"),
            path,
            contents: contents.into(),
        }
    }
}

/// The lib name the templates are written for: their doctests and tests
/// say `sailpoint_v2025::` (and the package `sailpoint-v2025`), and every
/// copied file gets the generated crate's own names instead.
pub const TEMPLATE_LIB_NAME: &str = "sailpoint_v2025";
/// The package name the templates are written for (see [`TEMPLATE_LIB_NAME`]).
pub const TEMPLATE_CRATE_NAME: &str = "sailpoint-v2025";
/// The API prefix the templates' tests and docs are written for (the path
/// of v2025's server URL); copied files get the spec's own (`""` for a
/// server URL without a path).
pub const TEMPLATE_API_PREFIX: &str = "/v2025";

/// Copies templates into the crate: `src/`, and with `sdk_extras` also
/// `tests/`, `examples/` and `benches/`; `Cargo.toml` gets the crate name;
/// a `CHANGELOG.md` (xtask passes `spec/CHANGELOG.md` for our spec) and a
/// `MIGRATING.md` (the migration report xtask makes) go to the crate root,
/// and so does a `LICENSE`, as it is.
/// In files whose `source` is under `templates/`, `sailpoint_v2025`,
/// `sailpoint-v2025` and `/v2025` become the crate's lib name, package name
/// and API prefix (the templates are real code of the v2025 crate; every
/// other crate gets its own names).
pub(crate) fn copy_templates(
    templates: &[&Template],
    settings: &Settings,
    api_prefix: &str,
    tag_features: &[&str],
    features: &Features,
) -> Result<Vec<GeneratedFile>, Errors> {
    let mut out = Vec::new();
    let lib = settings.crate_name.replace('-', "_");
    for template in templates {
        let Template { path, source, .. } = template;
        // The one substitution, in templates only: the crate's names for
        // the names the templates are written with (identity for
        // sailpoint-v2025). Documents from elsewhere (the changelog, the
        // migration report) are copied as they are.
        let renamed;
        let contents = if source.starts_with("templates/") {
            // The package name goes first: `sailpoint-v2025/` is not a prefix.
            // Then only the regions the spec asks for (`features`).
            let selected = features.select(&template.contents).map_err(|e| {
                Errors(vec![Diagnostic::error(
                    "#",
                    format!("internal error: {source}: {e}"),
                )])
            })?;
            renamed = selected
                .replace(TEMPLATE_LIB_NAME, &lib)
                .replace(TEMPLATE_CRATE_NAME, &settings.crate_name)
                .replace(TEMPLATE_API_PREFIX, api_prefix);
            &renamed
        } else {
            &template.contents
        };
        let extra = ["tests/", "examples/", "benches/"]
            .iter()
            .any(|p| path.starts_with(p));
        if path == "Cargo.toml" {
            out.push(GeneratedFile {
                path: path.clone(),
                contents: cargo_toml(
                    contents,
                    settings,
                    &|p: &str| templates.iter().any(|t| t.path == p),
                    tag_features,
                    features.sailpoint,
                )?,
            });
        } else if path == "LICENSE" {
            // Copied as it is: a license text gets no header.
            out.push(GeneratedFile {
                path: path.clone(),
                contents: contents.clone(),
            });
        } else if path == "CHANGELOG.md" || path == "MIGRATING.md" {
            out.push(GeneratedFile {
                path: path.clone(),
                contents: format!(
                    "<!-- @generated by `cargo xtask codegen` from {source}; do not edit -->\n{contents}"
                ),
            });
        } else if path.starts_with("docs/") && path.ends_with(".md") && settings.sdk_extras {
            // Hand-written pages (the test kit's); their examples are doctests.
            out.push(GeneratedFile {
                path: path.clone(),
                contents: format!(
                    "<!-- @generated by `cargo xtask codegen` from {source}; do not edit -->\n{contents}"
                ),
            });
        } else if path.ends_with(".rs")
            && (path.starts_with("src/") || (extra && settings.sdk_extras))
        {
            out.push(GeneratedFile {
                path: path.clone(),
                contents: format!("{}{contents}", header(source)),
            });
        } else if extra && settings.sdk_extras {
            // Fixtures (`.stderr` files for compile-fail tests and the like)
            // must stay byte-exact, so they get no header.
            out.push(GeneratedFile {
                path: path.clone(),
                contents: contents.clone(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_get_the_crate_names_other_documents_do_not() {
        let mut settings = Settings::new("spec.yaml");
        settings.crate_name = "sailpoint-isc".into();
        let templates = [
            Template::shared(
                "src/x.rs",
                "// use sailpoint_v2025::Client; (sailpoint-v2025/1) /v2025/things\n",
            ),
            Template {
                path: "MIGRATING.md".into(),
                contents: "`sailpoint_v2025::X` -> `sailpoint_isc::Y`\n".into(),
                source: "spec/x".into(),
            },
        ];
        let out = copy_templates(
            &templates.iter().collect::<Vec<_>>(),
            &settings,
            "",
            &[],
            &Features::default(),
        )
        .unwrap();
        assert!(out[0]
            .contents
            .ends_with("// use sailpoint_isc::Client; (sailpoint-isc/1) /things\n"));
        assert!(out[0].contents.contains("templates/src/x.rs"));
        assert!(out[1]
            .contents
            .ends_with("`sailpoint_v2025::X` -> `sailpoint_isc::Y`\n"));
        assert!(out[1].contents.contains("from spec/x"));
    }
}
