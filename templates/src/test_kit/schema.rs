//! What the kit knows of the spec (emitted as `static` data into
//! `test_kit.rs`) and the validator that holds every request to it, saying
//! where a request goes wrong as Prism does: the operation, the parameter
//! or JSON pointer into the body, and the spec's pointer.

use std::collections::BTreeMap;

use super::engine::Call;

/// One operation.
#[derive(Debug)]
pub struct OpSpec {
    /// The wire `operationId`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, without the API prefix.
    pub path: &'static str,
    /// Where the operation is in the spec.
    pub pointer: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
    /// Its request body.
    pub body: Option<BodySpec>,
    /// The named types of the spec.
    pub types: &'static [TypeSpec],
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// In the path.
    Path,
    /// In the query.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
}

/// One parameter.
#[derive(Debug)]
pub struct ParamSpec {
    /// The wire name.
    pub name: &'static str,
    /// Where it goes.
    pub loc: Loc,
    /// Whether it is required.
    pub required: bool,
    /// Its type.
    pub ty: Ty,
    /// Where it is in the spec.
    pub pointer: &'static str,
}

/// A request body.
#[derive(Debug)]
pub struct BodySpec {
    /// The media type.
    pub media_type: &'static str,
    /// Whether it is required.
    pub required: bool,
    /// Whether it is JSON (validated against `ty`).
    pub json: bool,
    /// Its type.
    pub ty: Ty,
    /// Where it is in the spec.
    pub pointer: &'static str,
}

/// A type, as the IR has it.
#[derive(Debug)]
pub enum Ty {
    /// A string.
    String,
    /// A boolean.
    Bool,
    /// An integer.
    Int,
    /// A number.
    Number,
    /// An RFC 3339 date-time.
    DateTime,
    /// An ISO 8601 date.
    Date,
    /// Any JSON.
    Any,
    /// Any JSON object.
    Object,
    /// Bytes (not checked).
    Bytes,
    /// A JSON Patch document.
    Patch,
    /// A named type.
    Named(&'static str),
    /// An array.
    Vec(&'static Ty),
    /// A map with string keys.
    Map(&'static Ty),
}

/// A named type.
#[derive(Debug)]
pub struct TypeSpec {
    /// The Rust name.
    pub name: &'static str,
    /// Where its schema is.
    pub pointer: &'static str,
    /// Its shape.
    pub kind: Kind,
}

/// The shape of a named type.
#[derive(Debug)]
pub enum Kind {
    /// An object.
    Struct(&'static [FieldSpec]),
    /// A string enum.
    Enum(&'static [&'static str]),
    /// `oneOf`/`anyOf`: one of these.
    Union(&'static [Ty]),
    /// Another type.
    Alias(Ty),
}

/// One property.
#[derive(Debug)]
pub struct FieldSpec {
    /// The wire name.
    pub name: &'static str,
    /// Its type.
    pub ty: Ty,
    /// Listed in `required`.
    pub required: bool,
    /// `nullable`.
    pub nullable: bool,
    /// `readOnly` (never required in a request).
    pub read_only: bool,
    /// Where its schema is.
    pub pointer: &'static str,
}

/// The operation a request is for, with its path parameters.
pub(crate) fn route(
    ops: &'static [OpSpec],
    method: &str,
    path: &str,
) -> Option<(&'static OpSpec, BTreeMap<String, String>)> {
    let sent: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    ops.iter().find_map(|op| {
        if !op.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let template: Vec<&str> = op.path.trim_end_matches('/').split('/').collect();
        if template.len() != sent.len() {
            return None;
        }
        let mut params = BTreeMap::new();
        for (t, s) in template.iter().zip(&sent) {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                if s.is_empty() {
                    return None;
                }
                let value = percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned();
                params.insert(name.to_string(), value);
            } else if t != s {
                return None;
            }
        }
        Some((op, params))
    })
}

/// Every way the call breaks the spec (empty when it does not).
pub(crate) fn validate(op: &OpSpec, call: &Call) -> Vec<String> {
    let mut out = Vec::new();
    let at = |what: String, pointer: &str| format!("{}: {what} (spec: {pointer})", op.id);
    for (name, _) in &call.query {
        if !op
            .params
            .iter()
            .any(|p| p.loc == Loc::Query && p.name == name)
        {
            out.push(at(
                format!("query parameter `{name}` is not documented"),
                &format!("{}/parameters", op.pointer),
            ));
        }
    }
    for p in op.params {
        let value = match p.loc {
            Loc::Query => call.query(p.name),
            Loc::Path => call.path_params.get(p.name).map(String::as_str),
            Loc::Header => call.header(p.name),
            Loc::Cookie => continue,
        };
        let kind = match p.loc {
            Loc::Query => "query parameter",
            Loc::Path => "path parameter",
            _ => "header",
        };
        match value {
            None if p.required => out.push(at(
                format!("required {kind} `{}` is missing", p.name),
                p.pointer,
            )),
            None => {}
            Some(v) => {
                if let Some(why) = scalar_mismatch(&p.ty, v, op.types) {
                    out.push(at(format!("{kind} `{}` = {v:?}: {why}", p.name), p.pointer));
                }
            }
        }
    }
    if let Some(body) = &op.body {
        if call.body.is_empty() {
            if body.required {
                out.push(at(
                    "the required request body is missing".into(),
                    body.pointer,
                ));
            }
        } else if body.json {
            let media = call.header("content-type").unwrap_or("");
            let base = |m: &str| {
                m.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            };
            if base(media) != base(body.media_type) {
                out.push(at(
                    format!(
                        "request body has content-type {media:?}, the spec says {:?}",
                        body.media_type
                    ),
                    body.pointer,
                ));
            }
            match serde_json::from_slice::<serde_json::Value>(&call.body) {
                Err(e) => out.push(at(format!("request body is not JSON: {e}"), body.pointer)),
                Ok(v) => {
                    let mut errs = Vec::new();
                    check(&body.ty, &v, "", body.pointer, op.types, &mut errs);
                    out.extend(errs.into_iter().map(|(ptr, why, spec)| {
                        if ptr.is_empty() {
                            at(format!("request body: {why}"), &spec)
                        } else {
                            at(format!("request body at `{ptr}`: {why}"), &spec)
                        }
                    }));
                }
            }
        }
    }
    out
}

fn scalar_mismatch(ty: &Ty, v: &str, types: &[TypeSpec]) -> Option<String> {
    let ok = match ty {
        Ty::Int => v.parse::<i64>().is_ok(),
        Ty::Number => v.parse::<f64>().is_ok(),
        Ty::Bool => v == "true" || v == "false",
        Ty::DateTime => chrono::DateTime::parse_from_rfc3339(v).is_ok(),
        Ty::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok(),
        Ty::Named(name) => match types.iter().find(|t| t.name == *name).map(|t| &t.kind) {
            Some(Kind::Enum(values)) => {
                return (!values.contains(&v)).then(|| format!("not one of {values:?}"))
            }
            Some(Kind::Alias(inner)) => return scalar_mismatch(inner, v, types),
            _ => true,
        },
        _ => true,
    };
    (!ok).then(|| format!("expected {}", name_of(ty)))
}

fn name_of(ty: &Ty) -> String {
    match ty {
        Ty::String => "a string".into(),
        Ty::Bool => "a boolean".into(),
        Ty::Int => "an integer".into(),
        Ty::Number => "a number".into(),
        Ty::DateTime => "an RFC 3339 date-time string".into(),
        Ty::Date => "a date string (YYYY-MM-DD)".into(),
        Ty::Any => "any value".into(),
        Ty::Object | Ty::Map(_) => "an object".into(),
        Ty::Bytes => "bytes".into(),
        Ty::Patch => "a JSON Patch array".into(),
        Ty::Named(n) => format!("`{n}`"),
        Ty::Vec(_) => "an array".into(),
    }
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

type Errs = Vec<(String, String, String)>;

/// Checks `v` against `ty`; errors are (body pointer, why, spec pointer).
fn check(
    ty: &Ty,
    v: &serde_json::Value,
    ptr: &str,
    spec: &str,
    types: &[TypeSpec],
    errs: &mut Errs,
) {
    use serde_json::Value as V;
    let wrong = |errs: &mut Errs| {
        errs.push((
            ptr.to_string(),
            format!("expected {}, found {}", name_of(ty), kind_of(v)),
            spec.to_string(),
        ))
    };
    match (ty, v) {
        (Ty::Any | Ty::Bytes, _) => {}
        (Ty::String, V::String(_)) | (Ty::Bool, V::Bool(_)) | (Ty::Number, V::Number(_)) => {}
        (Ty::Int, V::Number(n)) if n.is_i64() || n.is_u64() => {}
        (Ty::DateTime, V::String(s)) if chrono::DateTime::parse_from_rfc3339(s).is_ok() => {}
        (Ty::Date, V::String(s)) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => {}
        (Ty::Object, V::Object(_)) => {}
        (Ty::Patch, V::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let here = format!("{ptr}/{i}");
                let op = item.get("op").and_then(V::as_str);
                let ok_op = matches!(
                    op,
                    Some("add" | "remove" | "replace" | "move" | "copy" | "test")
                );
                if !ok_op || item.get("path").and_then(V::as_str).is_none() {
                    errs.push((
                        here,
                        "not a JSON Patch operation (needs `op` and `path`)".into(),
                        spec.to_string(),
                    ));
                }
            }
        }
        (Ty::Vec(inner), V::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check(inner, item, &format!("{ptr}/{i}"), spec, types, errs);
            }
        }
        (Ty::Map(inner), V::Object(map)) => {
            for (k, item) in map {
                check(
                    inner,
                    item,
                    &format!("{ptr}/{}", escape(k)),
                    spec,
                    types,
                    errs,
                );
            }
        }
        (Ty::Named(name), _) => {
            let Some(def) = types.iter().find(|t| t.name == *name) else {
                return;
            };
            match (&def.kind, v) {
                (Kind::Alias(inner), _) => check(inner, v, ptr, def.pointer, types, errs),
                (Kind::Enum(values), V::String(s)) => {
                    if !values.contains(&s.as_str()) {
                        errs.push((
                            ptr.to_string(),
                            format!("{s:?} is not one of {values:?}"),
                            def.pointer.to_string(),
                        ));
                    }
                }
                (Kind::Struct(fields), V::Object(map)) => {
                    for f in fields.iter() {
                        match map.get(f.name) {
                            None if f.required && !f.read_only => errs.push((
                                ptr.to_string(),
                                format!("required property `{}` is missing", f.name),
                                format!("{}/required", def.pointer),
                            )),
                            None => {}
                            Some(V::Null) if f.nullable || !f.required => {}
                            Some(item) => check(
                                &f.ty,
                                item,
                                &format!("{ptr}/{}", escape(f.name)),
                                f.pointer,
                                types,
                                errs,
                            ),
                        }
                    }
                }
                (Kind::Union(variants), _) => {
                    let fits = variants.iter().any(|t| {
                        let mut e = Vec::new();
                        check(t, v, ptr, def.pointer, types, &mut e);
                        e.is_empty()
                    });
                    if !fits {
                        errs.push((
                            ptr.to_string(),
                            format!("matches none of the variants of `{name}`"),
                            def.pointer.to_string(),
                        ));
                    }
                }
                _ => errs.push((
                    ptr.to_string(),
                    format!("expected `{name}`, found {}", kind_of(v)),
                    def.pointer.to_string(),
                )),
            }
        }
        _ => wrong(errs),
    }
}
