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
pub mod ident;
pub mod ir;
pub mod lower;
pub mod parse;

pub use bundle::bundle;
pub use diag::{Diagnostic, Errors, Severity};
pub use lower::{lower, Lowering};
pub use parse::{parse, parse_value};

use std::time::{Duration, Instant};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The spec's path as shown in the "do not edit" header
    /// (`spec/sailpoint-v2025.yaml`).
    pub spec_path: String,
    /// The generated package's name (`sailpoint-v2025`).
    pub crate_name: String,
    /// Only operations with one of these tags; empty means all.
    pub tags: Vec<String>,
    /// Turn every warning into an error (for our own, tidy spec).
    pub strict: bool,
    /// Copy the SDK's own tests, examples and benches from the templates
    /// (they exercise the SailPoint operations, so only for our spec).
    pub sdk_extras: bool,
    /// Make the crate its own workspace (for output outside this one).
    pub standalone: bool,
    /// The files under `templates/`, as (path relative to `templates/`,
    /// contents), in any order.
    pub templates: Vec<(String, String)>,
}

impl Settings {
    /// Settings for our checked-in SDK.
    pub fn new(spec_path: impl Into<String>) -> Self {
        Settings {
            spec_path: spec_path.into(),
            crate_name: "sailpoint-v2025".to_string(),
            tags: Vec::new(),
            strict: false,
            sdk_extras: true,
            standalone: false,
            templates: Vec::new(),
        }
    }

    /// The template at `path`, if given.
    pub fn template(&self, path: &str) -> Option<&str> {
        self.templates
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c.as_str())
    }
}

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

/// Generates the SDK crate's files from a parsed spec.
pub fn generate(spec: &openapiv3::OpenAPI, settings: &Settings) -> Result<Output, Errors> {
    let t0 = Instant::now();
    let lowering = lower(spec, settings)?;
    let t1 = Instant::now();
    let (mut files, emit, format) = emit::emit(&lowering.api, settings)?;
    let t2 = Instant::now();
    let generated_lines = files
        .iter()
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| f.contents.lines().count())
        .sum();
    files.extend(copy_templates(settings));
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
/// `tests/`, `examples/` and `benches/`; `Cargo.toml` gets the crate name.
fn copy_templates(settings: &Settings) -> Vec<GeneratedFile> {
    let mut out = Vec::new();
    for (path, contents) in &settings.templates {
        let source = format!("templates/{path}");
        let extra = ["tests/", "examples/", "benches/"]
            .iter()
            .any(|p| path.starts_with(p));
        if path == "Cargo.toml" {
            out.push(GeneratedFile {
                path: path.clone(),
                contents: cargo_toml(contents, settings),
            });
        } else if path.ends_with(".rs")
            && (path.starts_with("src/") || (extra && settings.sdk_extras))
        {
            out.push(GeneratedFile {
                path: path.clone(),
                contents: format!("{}{contents}", emit::header(&source)),
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
    out
}

fn cargo_toml(template: &str, settings: &Settings) -> String {
    let mut out = String::from(
        "# @generated by `cargo xtask codegen` from templates/Cargo.toml; do not edit\n",
    );
    let mut skipping = false;
    for line in template.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            // Bench, example and test targets only exist with the extras.
            skipping = !settings.sdk_extras
                && (trimmed.starts_with("[[bench]]")
                    || trimmed.starts_with("[[example]]")
                    || trimmed.starts_with("[[test]]"));
        }
        if skipping {
            continue;
        }
        if trimmed.starts_with("name = \"sailpoint-v2025\"") {
            out.push_str(&format!("name = \"{}\"\n", settings.crate_name));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if settings.standalone {
        out.push_str("\n[workspace]\n");
    }
    out
}
