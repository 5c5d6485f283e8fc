//! Diagnostics: every problem found in a spec, with the JSON pointer of the
//! node it is about and a reason in plain words.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Generation went on; the output is still correct, but something in the
    /// spec was odd and was interpreted (the message says how).
    Warning,
    /// The construct cannot be generated; `generate` fails.
    Error,
}

/// One problem, located by a JSON pointer into the spec
/// (`#/paths/~1machine-identities/get/parameters/0`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// Warning or error.
    pub severity: Severity,
    /// JSON pointer of the offending node, starting with `#`.
    pub pointer: String,
    /// What is wrong, and where relevant what was done about it.
    pub message: String,
}

impl Diagnostic {
    /// An error at `pointer`.
    pub fn error(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// A warning at `pointer`.
    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}: {}", self.pointer, self.message)
    }
}

/// Every error found in one run (never just the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Errors(pub Vec<Diagnostic>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} error{} in the spec", if n == 1 { "" } else { "s" })?;
        for d in &self.0 {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

/// The one place strict mode is applied: sorts and dedups `items`, makes
/// every warning an error when `strict`, and returns the warnings, or every
/// error if there is any. Lowering settles its own diagnostics; `xtask`
/// settles the parser's with the same call.
pub fn settle(mut items: Vec<Diagnostic>, strict: bool) -> Result<Vec<Diagnostic>, Errors> {
    if strict {
        for d in &mut items {
            if d.severity == Severity::Warning {
                d.severity = Severity::Error;
                d.message.push_str(" (an error in strict mode)");
            }
        }
    }
    items.sort();
    items.dedup();
    let (errors, warnings): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if errors.is_empty() {
        Ok(warnings)
    } else {
        Err(Errors(errors))
    }
}

/// Escapes one JSON pointer segment (RFC 6901: `~` -> `~0`, `/` -> `~1`).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Builds `base/segment`, escaping the segment.
pub fn join(base: &str, segment: &str) -> String {
    format!("{base}/{}", escape_segment(segment))
}

/// Collects diagnostics while lowering.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub(crate) items: Vec<Diagnostic>,
}

impl Sink {
    pub(crate) fn error(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.items.push(Diagnostic::error(pointer, message));
    }

    pub(crate) fn warning(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.items.push(Diagnostic::warning(pointer, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(join("#/paths", "/sources/{id}"), "#/paths/~1sources~1{id}");
        assert_eq!(join("#", "a~b"), "#/a~0b");
    }
}
