//! What [`generate`](crate::generate) hands back: the files, and the counts
//! and timings of the run.

use std::time::Duration;

use crate::diag::Diagnostic;

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
