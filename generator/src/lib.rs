//! The code generator: an OpenAPI 3.0 document in, the files of a Rust SDK
//! crate out.
//!
//! The pipeline is `parse` (text -> `openapiv3::OpenAPI`, fixing known
//! real-world defects with a warning) -> [`lower()`] (-> [`ir::Api`], all
//! validation) -> emit (`quote` tokens) -> format (`prettyplease`). This crate
//! does no file I/O: `xtask` reads the spec and templates and writes the
//! output.

pub mod bundle;
pub mod diag;
pub mod diff;
mod emit;
pub mod features;
mod graph;
pub mod ident;
pub mod ir;
pub mod lower;
pub mod migration;
pub mod parse;

pub use bundle::bundle;
pub use diag::{Diagnostic, Errors, Severity};
pub use emit::cli::{generate_cli, CliSettings};
pub use lower::{lower, LowerSettings, Lowering};
pub use parse::{parse, parse_value};

use std::time::{Duration, Instant};

/// What to generate. Lowering reads only [`Settings::lower`]; the rest
/// shapes the emitted and copied files.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The spec's path as shown in the "do not edit" header
    /// (`spec/sailpoint-v2025.yaml`).
    pub spec_path: String,
    /// The generated package's name (`sailpoint-v2025`).
    pub crate_name: String,
    /// Which operations to lower, and how strictly.
    pub lower: LowerSettings,
    /// Copy the SDK's own tests, examples and benches from the templates
    /// (they exercise the SailPoint operations, so only for our spec).
    pub sdk_extras: bool,
    /// Make the crate its own workspace (for output outside this one).
    pub standalone: bool,
    /// The package's `description` in `Cargo.toml`; `None` keeps the
    /// template's.
    pub description: Option<String>,
    /// One Cargo feature per tag module, all in `default`, with every tag
    /// module, model and test-kit item gated on the tags that reach it (issue
    /// 13 part 4). On by default; our two crates turn it off (see
    /// ARCHITECTURE.md, "Per-tag features").
    pub tag_features: bool,
}

impl Settings {
    /// Settings for our checked-in SDK.
    pub fn new(spec_path: impl Into<String>) -> Self {
        Settings {
            spec_path: spec_path.into(),
            crate_name: "sailpoint-v2025".to_string(),
            lower: LowerSettings::default(),
            sdk_extras: true,
            standalone: false,
            description: None,
            tag_features: true,
        }
    }
}

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

/// One output file, path relative to the crate root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// `src/models.rs`.
    pub path: String,
    /// The full text.
    pub contents: String,
}

/// Counts for the codegen summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Operations generated.
    pub operations: usize,
    /// Operations skipped (each has a warning saying why).
    pub skipped: usize,
    /// Warnings.
    pub warnings: usize,
    /// Named types generated.
    pub types: usize,
    /// Lines of generated Rust (not counting copied templates).
    pub generated_lines: usize,
}

/// How long each phase took.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// `lower` (wall time).
    pub lower: Duration,
    /// Building tokens with `quote`: CPU time summed over the threads that
    /// emit files in parallel.
    pub emit: Duration,
    /// `syn` + `prettyplease`: CPU time summed over those threads.
    pub format: Duration,
    /// Wall time of emitting and formatting everything.
    pub emit_and_format_wall: Duration,
}

/// Everything `generate` produces.
#[derive(Debug, Clone)]
pub struct Output {
    /// The files, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// Every warning, sorted.
    pub warnings: Vec<Diagnostic>,
    /// Counts.
    pub summary: Summary,
    /// Phase timings.
    pub timings: Timings,
}

/// Generates the SDK crate's files from a parsed spec, copying `templates`
/// (in any order) into it: those its spec asks for (see [`features`]).
pub fn generate(
    spec: &openapiv3::OpenAPI,
    settings: &Settings,
    templates: &[Template],
) -> Result<Output, Errors> {
    let t0 = Instant::now();
    let lowering = lower(spec, &settings.lower)?;
    let t1 = Instant::now();
    let features = features::Features::of(&lowering.api);
    let templates: Vec<&Template> = templates
        .iter()
        .filter(|t| features.wants_template(&t.path))
        .collect();
    let front_page = templates
        .iter()
        .find(|t| t.path == "lib.md")
        .map(|t| t.contents.as_str());
    // The test kit's page is a hand-written template of one crate (its
    // examples call that crate's operations), so its doctest item exists only
    // where the page is copied.
    let testing_page = settings.sdk_extras && templates.iter().any(|t| t.path == "docs/testing.md");
    let (mut files, emit, format) =
        emit::emit(&lowering.api, settings, front_page, testing_page, features)?;
    let t2 = Instant::now();
    let generated_lines = files
        .iter()
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| f.contents.lines().count())
        .sum();
    let prefix = emit::server_parts(&lowering.api).prefix;
    let tag_features: Vec<String> = if settings.tag_features {
        lowering.api.tags.iter().map(graph::tag_feature).collect()
    } else {
        Vec::new()
    };
    let tag_features: Vec<&str> = tag_features.iter().map(String::as_str).collect();
    // The template's description names SailPoint; other APIs get their own.
    let mut settings = settings.clone();
    if settings.description.is_none() && !features.sailpoint {
        settings.description = Some(format!(
            "Rust SDK for the {} API (generated)",
            lowering.api.title
        ));
    }
    files.extend(copy_templates(
        &templates,
        &settings,
        &prefix,
        &tag_features,
        &features,
    )?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(w) = files.windows(2).find(|w| w[0].path == w[1].path) {
        return Err(Errors(vec![Diagnostic::error(
            "#",
            format!(
                "internal error: two generated files share the path {}",
                w[0].path
            ),
        )]));
    }
    let operations = lowering.api.tags.iter().map(|t| t.operations.len()).sum();
    Ok(Output {
        files,
        summary: Summary {
            operations,
            skipped: lowering.skipped.len(),
            warnings: lowering.warnings.len(),
            types: lowering.api.types.len(),
            generated_lines,
        },
        warnings: lowering.warnings,
        timings: Timings {
            lower: t1 - t0,
            emit,
            format,
            emit_and_format_wall: t2 - t1,
        },
    })
}

/// Copies templates into the crate: `src/`, and with `sdk_extras` also
/// `tests/`, `examples/` and `benches/`; `Cargo.toml` gets the crate name;
/// a `CHANGELOG.md` (xtask passes `spec/CHANGELOG.md` for our spec) and a
/// `MIGRATING.md` (the migration report xtask makes) go to the crate root,
/// and so does a `LICENSE`, as it is.
/// In files whose `source` is under `templates/`, `sailpoint_v2025`,
/// `sailpoint-v2025` and `/v2025` become the crate's lib name, package name
/// and API prefix (the templates are real code of the v2025 crate; every
/// other crate gets its own names).
fn copy_templates(
    templates: &[&Template],
    settings: &Settings,
    api_prefix: &str,
    tag_features: &[&str],
    features: &features::Features,
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
                contents: format!("{}{contents}", emit::header(source)),
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

/// The template's `Cargo.toml`, edited as a document rather than as lines,
/// so that comments and layout survive and no literal package name is
/// matched: the package gets `crate_name`; without the extras the bench,
/// example and test targets go; a standalone crate becomes its own
/// workspace and so has no workspace lints to inherit. Each tag module gets
/// a feature of its name, all in `default`. The template's
/// `[package.metadata.sdk]` table is read, never copied: its
/// `sailpoint-only` dependencies, and every feature that enables one of
/// them, go (with their comments) unless the spec is SailPoint's
/// (`sailpoint`).
fn cargo_toml(
    template: &str,
    settings: &Settings,
    exists: &dyn Fn(&str) -> bool,
    tag_features: &[&str],
    sailpoint: bool,
) -> Result<String, Errors> {
    let internal = |message: String| {
        Errors(vec![Diagnostic::error(
            "#",
            format!("internal error: templates/Cargo.toml: {message}"),
        )])
    };
    let mut doc: toml_edit::DocumentMut = template
        .parse()
        .map_err(|e: toml_edit::TomlError| internal(e.to_string()))?;
    let name = doc
        .get_mut("package")
        .and_then(|p| p.get_mut("name"))
        .and_then(|n| n.as_value_mut())
        .ok_or_else(|| internal("no `package.name`".into()))?;
    let decor = name.decor().clone();
    *name = toml_edit::Value::from(settings.crate_name.as_str());
    *name.decor_mut() = decor;
    if let Some(description) = &settings.description {
        let value = doc
            .get_mut("package")
            .and_then(|p| p.get_mut("description"))
            .and_then(|n| n.as_value_mut())
            .ok_or_else(|| internal("no `package.description`".into()))?;
        let decor = value.decor().clone();
        *value = toml_edit::Value::from(description.as_str());
        *value.decor_mut() = decor;
    }
    let sailpoint_only: Vec<String> = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("sdk"))
        .and_then(|s| s.get("sailpoint-only"))
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if let Some(metadata) = doc
        .get_mut("package")
        .and_then(|p| p.get_mut("metadata"))
        .and_then(|m| m.as_table_like_mut())
    {
        metadata.remove("sdk");
        if metadata.is_empty() {
            if let Some(package) = doc.get_mut("package").and_then(|p| p.as_table_like_mut()) {
                package.remove("metadata");
            }
        }
    }
    if !sailpoint {
        drop_dependencies(&mut doc, &sailpoint_only);
    }
    if !settings.sdk_extras {
        for targets in ["bench", "example", "test"] {
            doc.remove(targets);
        }
    }
    // A declared target whose file a crate's templates do not have (a
    // per-crate overlay without that test) is dropped, not left dangling.
    for (kind, dir) in [
        ("bench", "benches"),
        ("example", "examples"),
        ("test", "tests"),
    ] {
        if let Some(targets) = doc.get_mut(kind).and_then(|t| t.as_array_of_tables_mut()) {
            targets.retain(|t| {
                let default = t
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(|n| format!("{dir}/{n}.rs"));
                match t
                    .get("path")
                    .and_then(|p| p.as_str())
                    .map(String::from)
                    .or(default)
                {
                    Some(path) => exists(&path),
                    None => true,
                }
            });
            if targets.is_empty() {
                doc.remove(kind);
            }
        }
    }
    if !tag_features.is_empty() && !doc.contains_key("features") {
        doc.insert("features", toml_edit::Item::Table(toml_edit::Table::new()));
    }
    if let (false, Some(features)) = (
        tag_features.is_empty(),
        doc.get_mut("features").and_then(|f| f.as_table_mut()),
    ) {
        let mut default = toml_edit::Array::new();
        for tag in tag_features {
            default.push(*tag);
        }
        let mut default = toml_edit::Item::Value(toml_edit::Value::Array(default));
        if let Some(d) = default.as_value_mut() {
            d.decor_mut().set_prefix(" ");
        }
        features.insert("default", default);
        if let Some(mut key) = features.key_mut("default") {
            key.leaf_decor_mut().set_prefix(
            "# One feature per tag module, all on by default: build only the tags\n# you use with `default-features = false, features = [...]`.\n",
        );
        }
        for tag in tag_features {
            features.insert(tag, toml_edit::value(toml_edit::Array::new()));
        }
    }
    if settings.standalone {
        doc.remove("lints");
        let mut workspace = toml_edit::Table::new();
        workspace.decor_mut().set_prefix("\n");
        doc.insert("workspace", toml_edit::Item::Table(workspace));
    }
    Ok(format!(
        "# @generated by `cargo xtask codegen` from templates/Cargo.toml; do not edit\n{doc}"
    ))
}

/// Removes the dependencies `names` from every dependency table, and every
/// feature that enables one of them (`dep:x`, `x/f`, `x?/f`, or `x` itself),
/// then every feature that enables a removed feature, so that no feature
/// names what is gone.
fn drop_dependencies(doc: &mut toml_edit::DocumentMut, names: &[String]) {
    if names.is_empty() {
        return;
    }
    for table in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(deps) = doc.get_mut(table).and_then(|t| t.as_table_like_mut()) {
            for name in names {
                deps.remove(name);
            }
        }
    }
    let Some(features) = doc.get_mut("features").and_then(|f| f.as_table_like_mut()) else {
        return;
    };
    let mut gone: Vec<String> = names.to_vec();
    loop {
        let enables_gone = |entry: &str| {
            let target = entry.strip_prefix("dep:").unwrap_or(entry);
            let target = target.split('/').next().unwrap_or(target);
            let target = target.trim_end_matches('?');
            gone.iter().any(|g| g == target)
        };
        let doomed: Vec<String> = features
            .iter()
            .filter(|(name, value)| {
                gone.iter().any(|g| g == name)
                    || value
                        .as_array()
                        .is_some_and(|a| a.iter().any(|v| v.as_str().is_some_and(enables_gone)))
            })
            .map(|(name, _)| name.to_owned())
            .collect();
        if doomed.is_empty() {
            break;
        }
        for name in doomed {
            features.remove(&name);
            gone.push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "[package]\nname = \"sailpoint-v2025\" # the package\n\n[lints]\nworkspace = true\n\n[dependencies]\nurl = \"2\"\n\n[[test]]\nname = \"contract\"\n\n[[bench]]\nname = \"sdk\"\n";

    #[test]
    fn cargo_toml_for_our_sdk_keeps_everything_but_the_header() {
        let text = cargo_toml(TEMPLATE, &Settings::new("spec.yaml"), &|_| true, &[], true).unwrap();
        assert_eq!(
            text,
            format!("# @generated by `cargo xtask codegen` from templates/Cargo.toml; do not edit\n{TEMPLATE}")
        );
    }

    #[test]
    fn cargo_toml_standalone_without_extras_is_its_own_workspace() {
        let mut settings = Settings::new("spec.yaml");
        settings.crate_name = "other-sdk".into();
        settings.sdk_extras = false;
        settings.standalone = true;
        let text = cargo_toml(TEMPLATE, &settings, &|_| true, &[], true).unwrap();
        let body = text.split_once('\n').unwrap().1;
        assert_eq!(
            body,
            "[package]\nname = \"other-sdk\" # the package\n\n[dependencies]\nurl = \"2\"\n\n[workspace]\n"
        );
    }

    #[test]
    fn cargo_toml_drops_targets_without_files_and_takes_the_description() {
        let mut settings = Settings::new("spec.yaml");
        settings.crate_name = "sailpoint-isc".into();
        settings.description = Some("Per-service SDK".into());
        let template = TEMPLATE.replace("[package]\n", "[package]\ndescription = \"v2025 SDK\"\n");
        let text = cargo_toml(&template, &settings, &|p| p == "benches/sdk.rs", &[], true).unwrap();
        assert!(text.contains("description = \"Per-service SDK\""), "{text}");
        assert!(!text.contains("contract"), "{text}");
        assert!(text.contains("[[bench]]"), "{text}");
    }

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
            &features::Features::default(),
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

    #[test]
    fn cargo_toml_drops_sailpoint_only_dependencies_and_their_features_for_other_specs() {
        let template = "[package]\nname = \"sailpoint-v2025\"\n\n# why\n[package.metadata.sdk]\nsailpoint-only = [\"keyring\"]\n\n[dependencies]\nurl = \"2\"\n# The OS keyring of SailPoint's CLI\nkeyring = { version = \"3\", optional = true }\n\n[features]\n# keyring comment\nkeyring = [\"dep:keyring\"]\n# uses it\nall = [\"keyring\"]\nkit = [\"url/std\"]\n";
        let settings = Settings::new("s.yaml");
        let ours = cargo_toml(template, &settings, &|_| true, &[], true).unwrap();
        let doc: toml_edit::DocumentMut = ours.parse().unwrap();
        assert!(doc["dependencies"].get("keyring").is_some(), "{ours}");
        assert!(doc["features"].get("all").is_some(), "{ours}");
        assert!(
            !ours.contains("metadata") && !ours.contains("# why"),
            "{ours}"
        );

        let foreign = cargo_toml(template, &settings, &|_| true, &[], false).unwrap();
        let doc: toml_edit::DocumentMut = foreign.parse().unwrap();
        assert!(doc["dependencies"].get("keyring").is_none(), "{foreign}");
        assert!(doc["features"].get("keyring").is_none(), "{foreign}");
        assert!(doc["features"].get("all").is_none(), "{foreign}");
        assert!(doc["features"].get("kit").is_some(), "{foreign}");
        assert!(!foreign.contains("metadata"), "{foreign}");
        assert!(
            !foreign.to_ascii_lowercase().contains("keyring"),
            "{foreign}"
        );
        assert!(!foreign.contains("SailPoint"), "{foreign}");
    }

    #[test]
    fn cargo_toml_gets_one_default_feature_per_tag_and_the_spec_description() {
        let mut settings = Settings::new("s.yaml");
        settings.description = Some("Pets".into());
        let template = TEMPLATE.replace("[lints]", "description = \"SailPoint\"\n\n[lints]");
        let text = cargo_toml(&template, &settings, &|_| true, &["pets", "type"], false).unwrap();
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        let default: Vec<&str> = doc["features"]["default"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(default, ["pets", "type"]);
        assert!(doc["features"]["pets"].as_array().unwrap().is_empty());
        assert_eq!(doc["package"]["description"].as_str(), Some("Pets"));
        assert!(!text.contains("SailPoint"));
    }
}
