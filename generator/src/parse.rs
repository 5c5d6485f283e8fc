//! Reading a spec: text -> `openapiv3::OpenAPI`.
//!
//! Real specs carry defects that `openapiv3` either rejects or reads
//! silently wrong. Before deserializing, [`parse`] repairs the ones we know,
//! each with a warning that names the JSON pointer:
//! - a `$ref` to a schema with sibling keys (`description`, `nullable`):
//!   `openapiv3` would drop the siblings, so it becomes
//!   `allOf: [{$ref}]` plus the siblings;
//! - a `content` map whose keys are schema keywords rather than media types
//!   (upstream's `components/responses/409`): it is read as
//!   `application/json` with that schema;
//! - an integer schema's `minimum`, `maximum`, `multipleOf` or `enum` value
//!   that is not an `i64` (`18446744073709552000`, `-9.223372036854776e18`,
//!   `0.5`): out of range it is dropped (no `i64` check could express it,
//!   and a clamped one would be wrong), a fraction is rounded inwards. A
//!   `default` is kept as written (it is only documentation).
//!
//! A 3.1 document is first said the 3.0 way by [`crate::openapi31`].
//!
//! Deserialization errors carry the JSON pointer of the offending node.

use crate::diag::{join, Diagnostic, Errors};
use serde_json::{Map, Value};

/// Parses YAML or JSON text into a spec, returning the warnings about what
/// was repaired.
pub fn parse(text: &str) -> Result<(openapiv3::OpenAPI, Vec<Diagnostic>), Errors> {
    let value = crate::bundle::parse_text(text).map_err(|m| one("#", m))?;
    parse_value(value)
}

/// Like [`parse`], for a document already read (a bundle, see
/// [`crate::bundle()`]).
pub fn parse_value(mut value: Value) -> Result<(openapiv3::OpenAPI, Vec<Diagnostic>), Errors> {
    if !value.is_object() {
        return Err(one("#", "the document is not an object"));
    }
    let mut warnings = Vec::new();
    let version = if crate::openapi31::is_31(&value) {
        "3.1"
    } else {
        "3.0"
    };
    crate::openapi31::downgrade(&mut value, &mut warnings);
    let (errors, repaired): (Vec<_>, Vec<_>) = warnings
        .into_iter()
        .partition(|d| d.severity == crate::diag::Severity::Error);
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    let mut warnings = repaired;
    crate::bundle::inline_deep_refs(&mut value, &mut warnings);
    repair(&mut value, "#", &mut warnings);
    let spec = deserialize(value, version)?;
    Ok((spec, warnings))
}

fn one(pointer: &str, message: impl Into<String>) -> Errors {
    Errors(vec![Diagnostic::error(pointer, message)])
}

/// Deserializes with the path of any error, as a JSON pointer.
fn deserialize(value: Value, version: &str) -> Result<openapiv3::OpenAPI, Errors> {
    match try_at::<openapiv3::OpenAPI>(&value, "#") {
        Ok(spec) => Ok(spec),
        Err((pointer, message)) => {
            // `openapiv3` flattens maps (paths, responses), which hides the
            // path below them; narrow it down by trying the parts alone.
            let (pointer, message) = narrow(&value).unwrap_or((pointer, message));
            Err(one(
                &pointer,
                format!("not a valid OpenAPI {version} document here: {message}"),
            ))
        }
    }
}

fn try_at<T: serde::de::DeserializeOwned>(
    value: &Value,
    base: &str,
) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let mut pointer = base.to_string();
        for seg in e.path().iter() {
            let s = match seg {
                serde_path_to_error::Segment::Seq { index } => index.to_string(),
                serde_path_to_error::Segment::Map { key } => key.clone(),
                serde_path_to_error::Segment::Enum { variant } => variant.clone(),
                serde_path_to_error::Segment::Unknown => continue,
            };
            pointer = join(&pointer, &s);
        }
        (pointer, e.inner().to_string())
    })
}

/// Finds the innermost failing node below `paths` and `components`.
fn narrow(doc: &Value) -> Option<(String, String)> {
    use openapiv3::{Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
    for (path, item) in doc.get("paths")?.as_object().into_iter().flatten() {
        let pptr = join("#/paths", path);
        if try_at::<ReferenceOr<PathItem>>(item, &pptr).is_ok() {
            continue;
        }
        for (method, op) in item.as_object().into_iter().flatten() {
            let optr = join(&pptr, method);
            for (code, r) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Err(e) =
                    try_at::<ReferenceOr<Response>>(r, &join(&format!("{optr}/responses"), code))
                {
                    return Some(e);
                }
            }
            if op.is_object()
                && [
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ]
                .contains(&method.as_str())
            {
                if let Err(e) = try_at::<openapiv3::Operation>(op, &optr) {
                    return Some(e);
                }
            }
        }
        return try_at::<ReferenceOr<PathItem>>(item, &pptr).err();
    }
    let components = doc.get("components")?;
    macro_rules! each {
        ($key:literal, $t:ty) => {
            for (k, v) in components
                .get($key)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Err(e) = try_at::<$t>(v, &join(concat!("#/components/", $key), k)) {
                    return Some(e);
                }
            }
        };
    }
    each!("schemas", ReferenceOr<Schema>);
    each!("responses", ReferenceOr<Response>);
    each!("parameters", ReferenceOr<Parameter>);
    each!("requestBodies", ReferenceOr<RequestBody>);
    None
}

const SCHEMA_KEYS: &[&str] = &[
    "type",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "$ref",
    "schema",
];

fn repair(v: &mut Value, ptr: &str, warnings: &mut Vec<Diagnostic>) {
    match v {
        Value::Object(map) => {
            if is_schema_ref_with_siblings(map) {
                let r = map.remove("$ref").unwrap_or(Value::Null);
                let mut wrapped = Map::new();
                wrapped.insert("$ref".into(), r);
                map.insert("allOf".into(), Value::Array(vec![Value::Object(wrapped)]));
            }
            repair_integer_keywords(map, ptr, warnings);
            if let Some(Value::Object(content)) = map.get_mut("content") {
                if !content.is_empty()
                    && content.keys().all(|k| !k.contains('/'))
                    && content.keys().any(|k| SCHEMA_KEYS.contains(&k.as_str()))
                {
                    let inner = std::mem::take(content);
                    let schema = match inner.get("schema") {
                        Some(s) if inner.len() == 1 => s.clone(),
                        _ => Value::Object(inner),
                    };
                    warnings.push(Diagnostic::warning(
                        format!("{ptr}/content"),
                        "`content` has no media type (its keys are schema keywords); read as `application/json` with that schema",
                    ));
                    let mut media = Map::new();
                    media.insert("schema".into(), schema);
                    content.insert("application/json".into(), Value::Object(media));
                }
            }
            for (k, child) in map.iter_mut() {
                // Vendor extensions are not OpenAPI (Fern's examples have
                // `content` keys of their own).
                if !k.starts_with("x-") {
                    repair(child, &join(ptr, k), warnings);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                repair(child, &format!("{ptr}/{i}"), warnings);
            }
        }
        _ => {}
    }
}

/// Makes the keywords `openapiv3` reads as `i64` in an integer schema
/// readable (see the module docs).
fn repair_integer_keywords(
    map: &mut Map<String, Value>,
    ptr: &str,
    warnings: &mut Vec<Diagnostic>,
) {
    if map.get("type").and_then(Value::as_str) != Some("integer") {
        return;
    }
    // i64::MIN is exactly -2^63 as an f64; i64::MAX rounds up to 2^63.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let in_range = |f: f64| (-LIMIT..LIMIT).contains(&f);
    for key in ["minimum", "maximum", "multipleOf"] {
        let Some(Value::Number(n)) = map.get(key) else {
            continue;
        };
        if n.is_i64() {
            continue;
        }
        let f = n.as_f64().unwrap_or(f64::NAN);
        let at = join(ptr, key);
        let rounded = match key {
            "minimum" => f.ceil(),
            "maximum" => f.floor(),
            _ => f,
        };
        if in_range(rounded) && rounded.fract() == 0.0 && (key != "multipleOf" || rounded == f) {
            if rounded != f {
                warnings.push(Diagnostic::warning(
                    at,
                    format!("`{key}: {n}` is not an integer; read as {}", rounded as i64),
                ));
            }
            map.insert(key.into(), Value::from(rounded as i64));
        } else {
            warnings.push(Diagnostic::warning(
                at,
                format!("`{key}: {n}` is not an integer in the range of i64; ignored (the SDK does not check it)"),
            ));
            map.remove(key);
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        let before = values.len();
        values.retain(|v| {
            !v.is_number()
                || v.is_i64()
                || v.as_f64().is_some_and(|f| in_range(f) && f.fract() == 0.0)
        });
        for v in values.iter_mut() {
            if let Some(f) = v.as_f64().filter(|_| !v.is_i64()) {
                *v = Value::from(f as i64);
            }
        }
        if values.len() != before {
            warnings.push(Diagnostic::warning(
                join(ptr, "enum"),
                "values that are not integers in the range of i64 are left out",
            ));
        }
    }
}

/// `{$ref: "#/components/schemas/X", description: ...}`: siblings that
/// `openapiv3` would drop. Only schema refs are rewritten; `example` alone
/// is harmless and left.
fn is_schema_ref_with_siblings(map: &Map<String, Value>) -> bool {
    let Some(Value::String(r)) = map.get("$ref") else {
        return false;
    };
    r.starts_with("#/components/schemas/")
        && map
            .keys()
            .any(|k| k != "$ref" && k != "example" && k != "examples")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_with_siblings_becomes_all_of() {
        let mut v: Value =
            serde_json::json!({"$ref": "#/components/schemas/X", "description": "d"});
        let mut w = Vec::new();
        repair(&mut v, "#", &mut w);
        assert_eq!(
            v,
            serde_json::json!({"allOf": [{"$ref": "#/components/schemas/X"}], "description": "d"})
        );
    }

    #[test]
    fn content_without_media_type_is_repaired_with_a_warning() {
        let mut v: Value =
            serde_json::json!({"description": "c", "content": {"schema": {"type": "object"}}});
        let mut w = Vec::new();
        repair(&mut v, "#/components/responses/409", &mut w);
        assert_eq!(v["content"]["application/json"]["schema"]["type"], "object");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].pointer, "#/components/responses/409/content");
    }

    #[test]
    fn bad_documents_name_the_pointer() {
        let err = parse("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: 5\n").unwrap_err();
        assert!(err.0[0].pointer.starts_with("#/paths/~1x/get"), "{}", err);
    }
}
