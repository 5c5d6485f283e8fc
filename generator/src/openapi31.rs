//! OpenAPI 3.1 in: a pass over the JSON tree that says each 3.1 construct
//! the way the 3.0 reader (`openapiv3`) and lowering understand it.
//!
//! It runs only on a document whose `openapi` is `3.1.x` (so a 3.0 spec's
//! output cannot change), before the 3.0 repairs of [`mod@crate::parse`].
//! Everything 3.0 cannot say is carried by a vendor extension that lowering
//! reads (`x-sdk-const`, `x-sdk-webhooks`), or reported as a warning with its
//! JSON pointer; nothing is dropped silently. The mapping:
//!
//! - `type: [T, "null"]` -> `type: T, nullable: true` (`Option<T>`); several
//!   non-null types -> a `oneOf` of one schema per type (an untagged union),
//!   each keyword going to the type it constrains; `type: "null"` alone ->
//!   `nullable: true` (an optional JSON value);
//! - `oneOf`/`anyOf` with `{type: "null"}` members -> the other members plus
//!   `nullable: true` (one member left: that schema, or `allOf: [$ref]`);
//! - `const: v` -> `enum: [v]` (a one-value type) plus `x-sdk-const: v`;
//!   a `oneOf`/`anyOf` without a discriminator whose members all have a
//!   property with a distinct string `const` gets that property as its
//!   `discriminator` (with a `mapping` for `$ref` members; lowering reads
//!   `x-sdk-const` for inline ones), so it decodes by that value; a
//!   one-value string `enum` counts as a `const` (utoipa writes serde's
//!   tags so);
//! - `examples: [..]` -> `example` (the first; the others are left out with
//!   no loss to the API, they are documentation);
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` -> `minimum`/`maximum`
//!   with the 3.0 boolean;
//! - `contentEncoding: base64` -> `format: byte`; `contentMediaType` of a
//!   string outside a JSON body -> `format: binary` (bytes);
//! - `prefixItems` -> the array of the one item type when every position has
//!   the same schema; else an array of JSON values, with a warning;
//!   `items: false` beside it is the closed tuple and goes;
//! - boolean schemas: `true` -> `{}`; `false` -> `not: {}` (lowering warns);
//! - `components/pathItems` and `$ref`s to them -> the path item, inlined;
//! - `webhooks` -> the root extension `x-sdk-webhooks` (lowering makes a
//!   `webhooks` module of payload types);
//! - `jsonSchemaDialect` goes (a warning unless it is the OAS dialect);
//!   `info.summary` opens `info.description`; `license.identifier` becomes
//!   the license `url` (SPDX) when there is none; a missing `paths` is empty;
//! - keywords no Rust type here can check (`propertyNames`,
//!   `patternProperties`, `if`/`then`/`else`, `dependent*`, `unevaluated*`,
//!   `contains`, `$dynamicRef`) are warned about and left to the server.
//!
//! `$defs` need nothing here: a `$ref` into one points inside a component,
//! and [`crate::bundle::inline_deep_refs`] copies it in; a `$ref` with
//! sibling keywords is the 3.0 repair of [`mod@crate::parse`].

use crate::diag::{join, Diagnostic};
use serde_json::{Map, Value};

/// The dialect a 3.1 document has when it names none.
const OAS_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Whether the document declares OpenAPI 3.1.
pub fn is_31(doc: &Value) -> bool {
    doc.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1"))
}

/// Rewrites a 3.1 document in place into the 3.0 shape (see the module
/// docs), pushing a warning for everything it cannot map. A 3.0 document is
/// left alone.
pub fn downgrade(doc: &mut Value, warnings: &mut Vec<Diagnostic>) {
    if !is_31(doc) {
        return;
    }
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    if let Some(dialect) = root.remove("jsonSchemaDialect") {
        if dialect.as_str() != Some(OAS_DIALECT) {
            warnings.push(Diagnostic::warning(
                "#/jsonSchemaDialect",
                format!("the dialect {dialect} is read as the OpenAPI 3.1 base dialect"),
            ));
        }
    }
    info(root);
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    inline_path_item_refs(root, warnings);
    let mut unions = Vec::new();
    let mut walker = Walker {
        warnings,
        unions: &mut unions,
    };
    for (k, child) in root.iter_mut() {
        if k == "components" {
            if let Value::Object(components) = child {
                for (section, c) in components.iter_mut() {
                    let ptr = join("#/components", section);
                    if section == "schemas" {
                        for (name, s) in c.as_object_mut().into_iter().flatten() {
                            walker.schema(s, &join(&ptr, name), None);
                        }
                    } else {
                        walker.doc(c, &ptr, None);
                    }
                }
            }
        } else if !k.starts_with("x-") {
            walker.doc(child, &join("#", k), None);
        }
    }
    for ptr in unions {
        infer_discriminator(doc, &ptr);
    }
    if let Some(root) = doc.as_object_mut() {
        if let Some(hooks) = root.remove("webhooks") {
            root.insert("x-sdk-webhooks".into(), hooks);
        }
    }
}

/// `info.summary` and `license.identifier`, which `openapiv3` has no field
/// for, put where it reads them.
fn info(root: &mut Map<String, Value>) {
    let Some(Value::Object(info)) = root.get_mut("info") else {
        return;
    };
    if let Some(Value::String(summary)) = info.remove("summary") {
        let summary = summary.trim().to_string();
        let description = info
            .get("description")
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
            .to_string();
        if !summary.is_empty() && !description.starts_with(&summary) {
            let text = if description.is_empty() {
                summary
            } else {
                format!("{summary}\n\n{description}")
            };
            info.insert("description".into(), Value::String(text));
        }
    }
    if let Some(Value::Object(license)) = info.get_mut("license") {
        if let Some(Value::String(id)) = license.remove("identifier") {
            if !license.contains_key("url") {
                license.insert(
                    "url".into(),
                    Value::String(format!("https://spdx.org/licenses/{id}.html")),
                );
            }
        }
    }
}

/// Replaces every `$ref` to `#/components/pathItems/X` (in `paths`,
/// `webhooks` and callbacks) by the path item, and removes the section.
fn inline_path_item_refs(root: &mut Map<String, Value>, warnings: &mut Vec<Diagnostic>) {
    let items = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|c| c.remove("pathItems"));
    let Some(Value::Object(items)) = items else {
        return;
    };
    fn walk(v: &mut Value, ptr: &str, items: &Map<String, Value>, w: &mut Vec<Diagnostic>) {
        match v {
            Value::Object(map) => {
                let target = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/pathItems/"))
                    .map(|n| n.replace("~1", "/").replace("~0", "~"));
                if let Some(name) = target {
                    match items.get(&name) {
                        Some(Value::Object(item)) => {
                            let mut item = item.clone();
                            for (k, s) in map.iter() {
                                if k != "$ref" {
                                    item.insert(k.clone(), s.clone());
                                }
                            }
                            *v = Value::Object(item);
                        }
                        _ => w.push(Diagnostic::error(
                            ptr,
                            format!("$ref to the path item `{name}`, which #/components/pathItems does not have"),
                        )),
                    }
                    return;
                }
                for (k, child) in map.iter_mut() {
                    if !k.starts_with("x-") {
                        walk(child, &join(ptr, k), items, w);
                    }
                }
            }
            Value::Array(list) => {
                for (i, child) in list.iter_mut().enumerate() {
                    walk(child, &format!("{ptr}/{i}"), items, w);
                }
            }
            _ => {}
        }
    }
    for key in ["paths", "webhooks", "components"] {
        if let Some(v) = root.get_mut(key) {
            walk(v, &join("#", key), &items, warnings);
        }
    }
}

struct Walker<'w> {
    warnings: &'w mut Vec<Diagnostic>,
    /// Pointers (without `#`) of every `oneOf`/`anyOf` schema without a
    /// discriminator, for [`infer_discriminator`].
    unions: &'w mut Vec<String>,
}

/// Schema keywords whose value is one schema.
const ONE_SCHEMA: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "propertyNames",
    "contains",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Schema keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "oneOf", "anyOf", "prefixItems"];
/// Schema keywords whose value is a map of schemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "$defs",
    "patternProperties",
    "dependentSchemas",
];

/// Keywords nothing in the generated code checks; a warning each.
const UNCHECKED: &[&str] = &[
    "propertyNames",
    "patternProperties",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "$dynamicRef",
    "$dynamicAnchor",
];

/// Which JSON types a keyword constrains (for splitting a type array).
fn keyword_types(key: &str, value: &Value) -> Option<&'static [&'static str]> {
    Some(match key {
        "properties"
        | "required"
        | "additionalProperties"
        | "propertyNames"
        | "minProperties"
        | "maxProperties"
        | "patternProperties"
        | "dependentRequired"
        | "dependentSchemas"
        | "unevaluatedProperties" => &["object"],
        "items" | "prefixItems" | "minItems" | "maxItems" | "uniqueItems" | "contains"
        | "minContains" | "maxContains" | "unevaluatedItems" => &["array"],
        "pattern" | "minLength" | "maxLength" | "contentMediaType" | "contentEncoding" => {
            &["string"]
        }
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            &["integer", "number"]
        }
        "format" => match value.as_str() {
            Some("int32" | "int64") => &["integer"],
            Some("float" | "double") => &["number"],
            _ => &["string"],
        },
        _ => return None,
    })
}

/// The JSON type of a value, as `type` spells it.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether a schema only says "null" (`type: "null"`, `type: ["null"]`,
/// `const: null`, `enum: [null]`), with nothing else but annotations.
fn is_null_schema(v: &Value) -> bool {
    let Some(map) = v.as_object() else {
        return false;
    };
    let says_null = match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.len() == 1 && ts[0] == "null",
        _ => {
            map.get("const") == Some(&Value::Null)
                || map.get("enum") == Some(&Value::Array(vec![Value::Null]))
        }
    };
    says_null
        && map.keys().all(|k| {
            matches!(
                k.as_str(),
                "type" | "const" | "enum" | "title" | "description" | "nullable"
            ) || k.starts_with("x-")
        })
}

/// Whether a media type carries JSON (where a string stays a string).
fn is_json_media(media: Option<&str>) -> bool {
    media.is_none_or(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("json") || m.starts_with("text/") || m == "*/*"
    })
}

impl Walker<'_> {
    fn warn(&mut self, ptr: &str, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(ptr, message));
    }

    /// A node of the document that is not a schema: finds the schemas in it.
    fn doc(&mut self, v: &mut Value, ptr: &str, media: Option<&str>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    let cptr = join(ptr, k);
                    match k.as_str() {
                        k if k.starts_with("x-") => {}
                        "example" | "examples" => {}
                        "schema" => self.schema(child, &cptr, media),
                        "content" => {
                            for (mt, m) in child.as_object_mut().into_iter().flatten() {
                                self.doc(m, &join(&cptr, mt), Some(mt));
                            }
                        }
                        _ => self.doc(child, &cptr, media),
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.doc(child, &format!("{ptr}/{i}"), media);
                }
            }
            _ => {}
        }
    }

    /// A schema: its own keywords, then every subschema.
    fn schema(&mut self, v: &mut Value, ptr: &str, media: Option<&str>) {
        if let Value::Bool(b) = v {
            *v = if *b {
                Value::Object(Map::new())
            } else {
                serde_json::json!({"not": {}})
            };
            return;
        }
        let Value::Object(map) = v else {
            return;
        };
        if map.contains_key("$ref") {
            // Siblings of a `$ref` are annotations (the 3.0 repair wraps
            // them); only `examples` needs the 3.1 spelling.
            examples(map);
            return;
        }
        for which in ["oneOf", "anyOf"] {
            self.null_members(map, which, ptr);
        }
        self.type_array(map, ptr);
        if map.get("type").and_then(Value::as_str) == Some("null") {
            map.remove("type");
            map.insert("nullable".into(), Value::Bool(true));
        }
        examples(map);
        if let Some(c) = map.remove("const") {
            if !map.contains_key("type") && !c.is_null() {
                map.insert("type".into(), Value::String(json_type(&c).into()));
            }
            if c.is_null() {
                map.insert("nullable".into(), Value::Bool(true));
            } else {
                if !c.is_string() {
                    self.warn(
                        &join(ptr, "const"),
                        format!("`const: {c}`: only a string constant is a type of its own; this one is read as its type, and the SDK does not check the value"),
                    );
                }
                map.insert("enum".into(), Value::Array(vec![c.clone()]));
                map.insert("x-sdk-const".into(), c);
            }
        }
        // `enum: [v]` says what `const: v` says (utoipa writes a serde tag
        // that way), and discriminates a union as well.
        if let Some(Value::Array(values)) = map.get("enum") {
            if let [v @ Value::String(_)] = values.as_slice() {
                let v = v.clone();
                map.entry("x-sdk-const").or_insert(v);
            }
        }
        for (key, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if let Some(Value::Number(n)) = map.get(key).cloned() {
                let lower = key == "exclusiveMinimum";
                let other = map.get(bound).and_then(Value::as_f64);
                let x = n.as_f64().unwrap_or(f64::NAN);
                // The tighter of the two bounds wins.
                let exclusive_wins = match other {
                    None => true,
                    Some(o) => (lower && x >= o) || (!lower && x <= o),
                };
                if exclusive_wins {
                    map.insert(bound.into(), Value::Number(n));
                    map.insert(key.into(), Value::Bool(true));
                } else {
                    map.remove(key);
                }
            }
        }
        let encoding = map.remove("contentEncoding");
        let content_media = map.remove("contentMediaType");
        if !map.contains_key("format") {
            if let Some(e) = encoding.as_ref().and_then(Value::as_str) {
                if e.eq_ignore_ascii_case("base64") || e.eq_ignore_ascii_case("base64url") {
                    map.insert("format".into(), Value::String("byte".into()));
                }
            } else if content_media.is_some() && !is_json_media(media) {
                map.insert("format".into(), Value::String("binary".into()));
            }
        }
        self.prefix_items(map, ptr);
        for key in UNCHECKED {
            if map.contains_key(*key) {
                self.warn(
                    &join(ptr, key),
                    format!("`{key}` is not checked by the SDK (the server still checks it)"),
                );
            }
        }
        if (map.contains_key("oneOf") || map.contains_key("anyOf"))
            && !map.contains_key("discriminator")
        {
            self.unions.push(ptr.trim_start_matches('#').to_string());
        }
        // Subschemas.
        for (k, child) in map.iter_mut() {
            let cptr = join(ptr, k);
            if ONE_SCHEMA.contains(&k.as_str()) {
                if k == "additionalProperties" && child.is_boolean() {
                    continue;
                }
                self.schema(child, &cptr, media);
            } else if SCHEMA_LISTS.contains(&k.as_str()) {
                for (i, s) in child.as_array_mut().into_iter().flatten().enumerate() {
                    self.schema(s, &format!("{cptr}/{i}"), media);
                }
            } else if SCHEMA_MAPS.contains(&k.as_str()) {
                for (name, s) in child.as_object_mut().into_iter().flatten() {
                    self.schema(s, &join(&cptr, name), media);
                }
            }
        }
    }

    /// `oneOf`/`anyOf` members that only say "null" make the schema
    /// nullable instead.
    fn null_members(&mut self, map: &mut Map<String, Value>, which: &str, ptr: &str) {
        let Some(Value::Array(members)) = map.get(which) else {
            return;
        };
        if !members.iter().any(is_null_schema) {
            return;
        }
        let rest: Vec<Value> = members
            .iter()
            .filter(|m| !is_null_schema(m))
            .cloned()
            .collect();
        map.remove(which);
        map.insert("nullable".into(), Value::Bool(true));
        match rest.len() {
            0 => {}
            1 => {
                let only = rest.into_iter().next().unwrap_or(Value::Null);
                match only {
                    Value::Object(m) if m.contains_key("$ref") && !map.contains_key("allOf") => {
                        map.insert("allOf".into(), Value::Array(vec![Value::Object(m)]));
                    }
                    Value::Object(m) => {
                        let clash = m.keys().any(|k| {
                            map.contains_key(k)
                                && !matches!(
                                    k.as_str(),
                                    "title" | "description" | "example" | "examples" | "default"
                                )
                        });
                        if clash {
                            map.insert("allOf".into(), Value::Array(vec![Value::Object(m)]));
                        } else {
                            for (k, s) in m {
                                map.entry(k).or_insert(s);
                            }
                        }
                    }
                    Value::Bool(true) => {}
                    _ => self.warn(
                        &join(ptr, which),
                        "the one non-null member is not a schema object; read as any JSON value",
                    ),
                }
            }
            _ => {
                map.insert(which.into(), Value::Array(rest));
            }
        }
    }

    /// `type: [..]`: see the module docs.
    fn type_array(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        let Some(Value::Array(types)) = map.get("type") else {
            return;
        };
        let mut names: Vec<String> = Vec::new();
        for t in types {
            match t.as_str() {
                Some(s) if !names.iter().any(|n| n == s) => names.push(s.to_string()),
                Some(_) => {}
                None => {
                    self.warn(
                        &join(ptr, "type"),
                        "a `type` array entry is not a string; read as any JSON value",
                    );
                    map.remove("type");
                    return;
                }
            }
        }
        let nullable = names.iter().any(|n| n == "null");
        names.retain(|n| n != "null");
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
        match names.len() {
            0 => {
                map.remove("type");
            }
            1 => {
                map.insert("type".into(), Value::String(names.remove(0)));
            }
            _ => {
                map.remove("type");
                if map.contains_key("oneOf") || map.contains_key("anyOf") {
                    self.warn(
                        &join(ptr, "type"),
                        format!(
                            "several types ({}) beside `oneOf`/`anyOf`: the types are not checked",
                            names.join(", ")
                        ),
                    );
                    return;
                }
                // One branch per type, with the keywords that constrain it.
                let mut branches: Vec<Map<String, Value>> = names
                    .iter()
                    .map(|n| {
                        let mut b = Map::new();
                        b.insert("type".into(), Value::String(n.clone()));
                        b
                    })
                    .collect();
                let keys: Vec<String> = map.keys().cloned().collect();
                for k in keys {
                    let Some(value) = map.get(&k) else { continue };
                    if k == "enum" {
                        let Some(values) = value.as_array().cloned() else {
                            continue;
                        };
                        map.remove(&k);
                        for (n, b) in names.iter().zip(branches.iter_mut()) {
                            let mine: Vec<Value> = values
                                .iter()
                                .filter(|v| {
                                    let t = json_type(v);
                                    t == n || (t == "integer" && n == "number")
                                })
                                .cloned()
                                .collect();
                            b.insert("enum".into(), Value::Array(mine));
                        }
                        continue;
                    }
                    let Some(targets) = keyword_types(&k, value) else {
                        continue;
                    };
                    let value = map.remove(&k).unwrap_or(Value::Null);
                    for (n, b) in names.iter().zip(branches.iter_mut()) {
                        if targets.contains(&n.as_str()) {
                            b.insert(k.clone(), value.clone());
                        }
                    }
                }
                map.insert(
                    "oneOf".into(),
                    Value::Array(branches.into_iter().map(Value::Object).collect()),
                );
            }
        }
    }

    /// `prefixItems`: see the module docs.
    fn prefix_items(&mut self, map: &mut Map<String, Value>, ptr: &str) {
        let Some(Value::Array(prefix)) = map.remove("prefixItems") else {
            return;
        };
        let rest = map.remove("items");
        let closed = matches!(rest, Some(Value::Bool(false)));
        let mut all: Vec<&Value> = prefix.iter().collect();
        if let Some(r) = rest.as_ref().filter(|_| !closed) {
            all.push(r);
        }
        let same = all.windows(2).all(|w| w[0] == w[1]);
        match all.first() {
            Some(first) if same => {
                map.insert("items".into(), (*first).clone());
                if closed {
                    map.entry("maxItems").or_insert(Value::from(prefix.len()));
                }
            }
            _ => {
                self.warn(
                    &join(ptr, "prefixItems"),
                    "a tuple of different item types: read as an array of JSON values",
                );
                map.insert("items".into(), Value::Object(Map::new()));
            }
        }
        map.entry("type")
            .or_insert_with(|| Value::String("array".into()));
    }
}

/// `examples: [..]` -> `example`.
fn examples(map: &mut Map<String, Value>) {
    if let Some(Value::Array(list)) = map.get("examples") {
        let first = list.first().cloned();
        map.remove("examples");
        if let Some(first) = first {
            map.entry("example").or_insert(first);
        }
    }
}

/// The string `x-sdk-const` properties of a schema (through `$ref`s to
/// components and `allOf` members).
fn const_props(doc: &Value, schema: &Value, depth: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if depth > 8 {
        return out;
    }
    let Some(map) = schema.as_object() else {
        return out;
    };
    if let Some(r) = map.get("$ref").and_then(Value::as_str) {
        if let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            return const_props(doc, target, depth + 1);
        }
        return out;
    }
    for (name, p) in map
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(c) = p.get("x-sdk-const").and_then(Value::as_str) {
            out.push((name.clone(), c.to_string()));
        }
    }
    for m in map
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(const_props(doc, m, depth + 1));
    }
    out
}

/// A `oneOf`/`anyOf` whose members each have a property with a distinct
/// string constant gets that property as its discriminator.
fn infer_discriminator(doc: &mut Value, ptr: &str) {
    let Some(node) = doc.pointer(ptr) else {
        return;
    };
    let Some(members) = ["oneOf", "anyOf"]
        .iter()
        .find_map(|k| node.get(*k).and_then(Value::as_array))
    else {
        return;
    };
    if members.len() < 2 {
        return;
    }
    let per_member: Vec<Vec<(String, String)>> =
        members.iter().map(|m| const_props(doc, m, 0)).collect();
    let mut candidates: Vec<&String> = per_member[0].iter().map(|(n, _)| n).collect();
    candidates.sort();
    candidates.dedup();
    let property = candidates.into_iter().find(|p| {
        let values: Vec<Option<&String>> = per_member
            .iter()
            .map(|m| m.iter().find(|(n, _)| n == *p).map(|(_, v)| v))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        values.iter().all(|v| v.is_some_and(|v| seen.insert(v)))
    });
    let Some(property) = property.cloned() else {
        return;
    };
    let mut mapping = Map::new();
    for (m, consts) in members.iter().zip(&per_member) {
        if let (Some(r), Some((_, v))) = (
            m.get("$ref").and_then(Value::as_str),
            consts.iter().find(|(n, _)| *n == property),
        ) {
            mapping.insert(v.clone(), Value::String(r.to_string()));
        }
    }
    let mut disc = Map::new();
    disc.insert("propertyName".into(), Value::String(property));
    if !mapping.is_empty() {
        disc.insert("mapping".into(), Value::Object(mapping));
    }
    if let Some(Value::Object(node)) = doc.pointer_mut(ptr) {
        node.insert("discriminator".into(), Value::Object(disc));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(schema: Value) -> (Value, Vec<Diagnostic>) {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {"S": schema}}});
        let mut w = Vec::new();
        downgrade(&mut doc, &mut w);
        (doc["components"]["schemas"]["S"].clone(), w)
    }

    #[test]
    fn type_array_with_null_is_nullable() {
        let (s, w) = run(json!({"type": ["string", "null"], "maxLength": 3}));
        assert_eq!(
            s,
            json!({"type": "string", "nullable": true, "maxLength": 3})
        );
        assert!(w.is_empty());
    }

    #[test]
    fn several_types_become_one_of_with_their_keywords() {
        let (s, _) = run(
            json!({"type": ["string", "integer"], "minimum": 1, "pattern": "x", "description": "d"}),
        );
        assert_eq!(
            s,
            json!({"description": "d", "oneOf": [{"type": "string", "pattern": "x"}, {"type": "integer", "minimum": 1}]})
        );
    }

    #[test]
    fn null_member_of_any_of_makes_the_rest_nullable() {
        let (s, _) = run(
            json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}], "title": "t"}),
        );
        assert_eq!(
            s,
            json!({"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": true, "title": "t"})
        );
        let (s, _) = run(json!({"anyOf": [{"type": "integer"}, {"type": "null"}]}));
        assert_eq!(s, json!({"type": "integer", "nullable": true}));
    }

    #[test]
    fn const_is_a_one_value_enum_and_discriminates() {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {
            "A": {"type": "object", "properties": {"kind": {"const": "a"}}},
            "B": {"type": "object", "properties": {"kind": {"const": "b"}}},
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}]}
        }}});
        downgrade(&mut doc, &mut Vec::new());
        let s = &doc["components"]["schemas"];
        assert_eq!(
            s["A"]["properties"]["kind"],
            json!({"type": "string", "enum": ["a"], "x-sdk-const": "a"})
        );
        assert_eq!(
            s["U"]["discriminator"],
            json!({"propertyName": "kind", "mapping": {"a": "#/components/schemas/A", "b": "#/components/schemas/B"}})
        );
    }

    #[test]
    fn numeric_exclusive_bounds_take_the_3_0_form() {
        let (s, _) = run(
            json!({"type": "number", "exclusiveMinimum": 0, "maximum": 5, "exclusiveMaximum": 9}),
        );
        assert_eq!(
            s,
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 5})
        );
    }

    #[test]
    fn prefix_items_of_one_type_is_an_array_and_mixed_ones_warn() {
        let (s, w) = run(
            json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}], "items": false}),
        );
        assert_eq!(
            s,
            json!({"type": "array", "items": {"type": "string"}, "maxItems": 2})
        );
        assert!(w.is_empty());
        let (s, w) = run(json!({"prefixItems": [{"type": "string"}, {"type": "integer"}]}));
        assert_eq!(s, json!({"type": "array", "items": {}}));
        assert_eq!(w[0].pointer, "#/components/schemas/S/prefixItems");
    }

    #[test]
    fn examples_feed_example() {
        let (s, _) = run(json!({"type": "string", "examples": ["a", "b"]}));
        assert_eq!(s, json!({"type": "string", "example": "a"}));
    }

    #[test]
    fn a_3_0_document_is_left_alone() {
        let mut doc = json!({"openapi": "3.0.3", "components": {"schemas": {"S": {"type": ["string", "null"]}}}});
        let before = doc.clone();
        downgrade(&mut doc, &mut Vec::new());
        assert_eq!(doc, before);
    }

    #[test]
    fn webhooks_and_path_items_move_where_lowering_reads_them() {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1", "summary": "S", "license": {"name": "MIT", "identifier": "MIT"}},
            "jsonSchemaDialect": "https://example.com/d",
            "webhooks": {"ping": {"$ref": "#/components/pathItems/P"}},
            "components": {"pathItems": {"P": {"post": {"responses": {}}}}}});
        let mut w = Vec::new();
        downgrade(&mut doc, &mut w);
        assert_eq!(
            doc["x-sdk-webhooks"]["ping"]["post"],
            json!({"responses": {}})
        );
        assert_eq!(doc["paths"], json!({}));
        assert_eq!(doc["info"]["description"], "S");
        assert_eq!(
            doc["info"]["license"]["url"],
            "https://spdx.org/licenses/MIT.html"
        );
        assert_eq!(w[0].pointer, "#/jsonSchemaDialect");
    }
}

#[cfg(test)]
mod utoipa_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_one_value_enum_tag_discriminates_inline_members() {
        let mut doc = json!({"openapi": "3.1.0", "components": {"schemas": {"Shape": {"oneOf": [
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["circle"]}}},
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["square"]}}}
        ]}}}});
        downgrade(&mut doc, &mut Vec::new());
        assert_eq!(
            doc["components"]["schemas"]["Shape"]["discriminator"],
            json!({"propertyName": "kind"}),
            "{doc:#}"
        );
    }
}
