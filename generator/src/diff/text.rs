//! Text helpers: how types, statuses, paths and numbers read in a report.

use super::*;

/// The Rust spelling of a type reference, as users see it (the same
/// spelling the generated docs use).
pub(super) fn rust_ty(t: &TypeRef) -> String {
    t.to_string()
}

pub(super) fn response_body_ty(b: &ResponseBody) -> String {
    match b {
        ResponseBody::Empty => "()".into(),
        ResponseBody::Json { ty, .. } => rust_ty(ty),
        ResponseBody::Text { .. } => "String".into(),
        ResponseBody::Bytes { .. } => "Bytes".into(),
    }
}

pub(super) fn response_media(b: &ResponseBody) -> &str {
    match b {
        ResponseBody::Empty => "no body",
        ResponseBody::Json { media_type, .. }
        | ResponseBody::Text { media_type }
        | ResponseBody::Bytes { media_type } => media_type,
    }
}

/// `/sources/{sourceId}/classify` -> `/sources/{}/classify`: template
/// variable names are not part of the URL.
pub(super) fn normalize_path(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

pub(super) fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

pub(super) fn limits(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (None, None) => "none".into(),
        (Some(a), None) => format!(">= {}", num(a)),
        (None, Some(b)) => format!("<= {}", num(b)),
        (Some(a), Some(b)) => format!("{}..={}", num(a), num(b)),
    }
}

pub(super) fn json_opt(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "none".into(),
        Some(v) => format!("`{v}`"),
    }
}

/// Drops the wire difference that only restates a change of the root type
/// itself (already in the message), keeping the deeper ones.
pub(super) fn explain(details: Vec<String>, root: &str) -> Vec<String> {
    let prefix = format!("`{root}`: `");
    details
        .into_iter()
        .filter(|d| !d.starts_with(&prefix))
        .collect()
}

pub(super) fn because(why: &[String]) -> String {
    if why.is_empty() {
        String::new()
    } else {
        format!(": {}", why.join("; "))
    }
}

pub(super) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
