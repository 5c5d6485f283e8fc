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
mod manifest;
pub mod migration;
pub mod openapi31;
mod output;
pub mod parse;
mod settings;
mod template_copy;

pub use bundle::bundle;
pub use diag::{Diagnostic, Errors, Severity};
pub use emit::cli::{generate_cli, CliSettings};
pub use lower::{lower, LowerSettings, Lowering};
pub use output::{GeneratedFile, Output, Summary, Timings};
pub use parse::{parse, parse_value};
pub use settings::Settings;
pub use template_copy::{Template, TEMPLATE_API_PREFIX, TEMPLATE_CRATE_NAME, TEMPLATE_LIB_NAME};

use std::time::Instant;

use template_copy::copy_templates;

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
    let emit_settings = emit::EmitSettings {
        spec_path: &settings.spec_path,
        crate_name: &settings.crate_name,
        tag_features: settings.tag_features,
    };
    let (mut files, emit, format) = emit::emit(
        &lowering.api,
        &emit_settings,
        front_page,
        testing_page,
        features,
    )?;
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
