//! Multi-file specs: a root document whose `$ref`s reach other files,
//! bundled into one document before `openapiv3` sees it (like
//! `redocly bundle`).
//!
//! The caller supplies the file reader, so this stays free of I/O:
//! [`bundle`] takes the root's path and a `Fn(&Path) -> io::Result<String>`.
//!
//! - A `$ref` to another file (`../schemas/pet.yaml`, `common.json#/Pet`,
//!   any depth, YAML or JSON, with or without a JSON pointer) is resolved
//!   relative to the file it is written in.
//! - Where OpenAPI has a component for what the `$ref` stands for (schema,
//!   parameter, response, request body, header, example, link, callback),
//!   the target is hoisted into `#/components/<section>/<name>` and the
//!   `$ref` points there. The name is the last segment of the target's JSON
//!   pointer, or else the file's stem (`pet.yaml` -> `pet`); a name already
//!   taken by another target gets the file stem as prefix, then `-2`, `-3`...
//!   (the rule `redocly bundle` follows, so a bundle made by redocly and one
//!   made here name their components alike). Names are given in document
//!   order, so they are deterministic. A root component that is itself only
//!   a `$ref` to a file keeps its own name, and the file's contents are put
//!   in its place.
//! - Anything else (a path item, an extension) is inlined.
//! - Files that reference each other in cycles are fine for components (the
//!   second visit finds the name already given); a cycle of inlined nodes is
//!   an error.
//! - A `$ref` to a URL (`https://...`) is an error, never a download.
//! - Every error names the file and the JSON pointer of the `$ref`
//!   (`paths/pets.yaml#/get/responses/200`).
//!
//! Separately, [`inline_deep_refs`] resolves local `$ref`s that point into
//! the inside of a component (`#/components/schemas/Foo/properties/bar`,
//! `#/components/parameters/p/schema`) by copying the target in their place:
//! `openapiv3` and the lowering only know `$ref`s to whole components.

use crate::diag::{escape_segment, join, Diagnostic, Errors};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// A bundled document.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The single document, every `$ref` local (`#/...`).
    pub value: Value,
    /// Where hoisted components and inlined nodes came from: (pointer in
    /// the bundle, `file#pointer`), to name the file in later diagnostics.
    pub origins: Vec<(String, String)>,
}

impl Bundle {
    /// Rewrites a pointer into the bundle so it also names the file it came
    /// from: `#/components/schemas/pet/properties/id (in
    /// schemas/pet.yaml#/properties/id)`. Pointers into the root are kept.
    pub fn locate(&self, pointer: &str) -> String {
        let best = self
            .origins
            .iter()
            .filter(|(p, _)| {
                pointer == p
                    || (pointer.starts_with(p.as_str()) && pointer[p.len()..].starts_with('/'))
            })
            .max_by_key(|(p, _)| p.len());
        match best {
            Some((p, origin)) => format!("{pointer} (in {origin}{})", &pointer[p.len()..]),
            None => pointer.to_string(),
        }
    }
}

/// Parses the text of one file: JSON when it starts with `{`, else YAML
/// (whose non-string mapping keys, such as `200:`, become strings).
pub fn parse_text(text: &str) -> Result<Value, String> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"));
    }
    match serde_yaml::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        // Integers beyond 64 bits, numeric keys (`200:`): read leniently.
        Err(first) => serde_yaml::from_str::<Lenient>(text)
            .map(|l| l.0)
            .map_err(|_| format!("not valid YAML: {first}")),
    }
}

/// A JSON value read leniently from YAML: integers beyond `u64`/`i64` become
/// floats, and mapping keys that are numbers or booleans become strings.
struct Lenient(Value);

impl<'de> serde::Deserialize<'de> for Lenient {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor).map(Lenient)
    }
}

struct LenientVisitor;

impl<'de> serde::de::Visitor<'de> for LenientVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::from(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::from(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Lenient(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some((Lenient(k), Lenient(v))) = map.next_entry()? {
            let key = match k {
                Value::String(s) => s,
                Value::Null => "null".to_string(),
                Value::Bool(_) | Value::Number(_) => k.to_string(),
                _ => return Err(serde::de::Error::custom("a mapping key is not a scalar")),
            };
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Bundles the document at `root` and every file its `$ref`s reach.
/// `load` reads a file; paths are joined lexically (`a/b/../c` -> `a/c`).
pub fn bundle(root: &Path, load: impl Fn(&Path) -> io::Result<String>) -> Result<Bundle, Errors> {
    let root = normalize(root);
    let text = load(&root).map_err(|e| {
        Errors(vec![Diagnostic::error(
            format!("{}#", root.display()),
            format!("cannot read the spec: {e}"),
        )])
    })?;
    let mut value = parse_text(&text)
        .map_err(|m| Errors(vec![Diagnostic::error(format!("{}#", root.display()), m)]))?;
    if !value.is_object() {
        return Err(Errors(vec![Diagnostic::error(
            "#",
            "the document is not an object",
        )]));
    }
    if !has_external_refs(&value) {
        return Ok(Bundle {
            value,
            origins: Vec::new(),
        });
    }
    let mut b = Bundler {
        load: &load,
        root: root.clone(),
        docs: BTreeMap::new(),
        keys: BTreeMap::new(),
        taken: BTreeMap::new(),
        hoisted: Vec::new(),
        inlining: Vec::new(),
        errors: Vec::new(),
        origins: Vec::new(),
    };
    b.docs.insert(root.clone(), Ok(value.clone()));
    b.reserve_root_components(&value);
    b.walk(&mut value, Kind::Root, &root, "");
    if !b.errors.is_empty() {
        b.errors.sort();
        b.errors.dedup();
        return Err(Errors(b.errors));
    }
    let hoisted = std::mem::take(&mut b.hoisted);
    if let (false, Some(obj)) = (hoisted.is_empty(), value.as_object_mut()) {
        let components = obj
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if !components.is_object() {
            *components = Value::Object(Map::new());
        }
        if let Some(components) = components.as_object_mut() {
            for h in hoisted {
                let section = components
                    .entry(h.section)
                    .or_insert_with(|| Value::Object(Map::new()));
                if let (Some(map), Some(v)) = (section.as_object_mut(), h.value) {
                    map.insert(h.name, v);
                }
            }
        }
    }
    Ok(Bundle {
        value,
        origins: b.origins,
    })
}

/// Whether any `$ref` in the document names another file.
fn has_external_refs(v: &Value) -> bool {
    match v {
        Value::Object(map) => {
            matches!(map.get("$ref"), Some(Value::String(r)) if !r.starts_with('#'))
                || map.values().any(has_external_refs)
        }
        Value::Array(items) => items.iter().any(has_external_refs),
        _ => false,
    }
}

/// What a node stands for, as far as `$ref`s care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    Paths,
    PathItem,
    Operation,
    Params,
    Param,
    Responses,
    Response,
    RequestBody,
    Content,
    Media,
    Encodings,
    Encoding,
    Headers,
    Header,
    Schema,
    Schemas,
    SchemaList,
    Examples,
    Example,
    Links,
    Link,
    Callbacks,
    Callback,
    RequestBodies,
    Components,
    /// Anything else: `$ref`s to files are inlined.
    Other,
}

impl Kind {
    /// The components section a `$ref` of this kind is hoisted into.
    fn section(self) -> Option<&'static str> {
        Some(match self {
            Kind::Schema => "schemas",
            Kind::Param => "parameters",
            Kind::Response => "responses",
            Kind::RequestBody => "requestBodies",
            Kind::Header => "headers",
            Kind::Example => "examples",
            Kind::Link => "links",
            Kind::Callback => "callbacks",
            _ => return None,
        })
    }

    /// The kind of the value under `key` (or array index) of a node of this
    /// kind.
    fn child(self, key: &str) -> Kind {
        use Kind::*;
        match (self, key) {
            (Root, "paths") => Paths,
            (Root, "components") => Components,
            (Paths, _) => PathItem,
            (PathItem, "parameters") | (Operation, "parameters") => Params,
            (
                PathItem,
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace",
            ) => Operation,
            (Operation, "requestBody") => RequestBody,
            (Operation, "responses") => Responses,
            (Operation, "callbacks") => Callbacks,
            (Params, _) => Param,
            (Param | Header, "schema") | (Media, "schema") => Schema,
            (Param | Header | Response | RequestBody, "content") => Content,
            (Param | Header | Media, "examples") => Examples,
            (Responses, _) => Response,
            (Response, "headers") | (Encoding, "headers") => Headers,
            (Response, "links") => Links,
            (Content, _) => Media,
            (Media, "encoding") => Encodings,
            (Encodings, _) => Encoding,
            (Headers, _) => Header,
            (Examples, _) => Example,
            (Links, _) => Link,
            (Callbacks, _) => Callback,
            (Callback, _) => PathItem,
            (Schema, "properties") => Schemas,
            (Schema, "items" | "not" | "additionalProperties") => Schema,
            (Schema, "allOf" | "oneOf" | "anyOf") => SchemaList,
            (Schemas | SchemaList, _) => Schema,
            (Components, "schemas") => Schemas,
            (Components, "parameters") => Params,
            (Components, "responses") => Responses,
            (Components, "requestBodies") => RequestBodies,
            (Components, "headers") => Headers,
            (Components, "examples") => Examples,
            (Components, "links") => Links,
            (Components, "callbacks") => Callbacks,
            (RequestBodies, _) => RequestBody,
            _ => Other,
        }
    }
}

struct Hoisted {
    section: String,
    name: String,
    value: Option<Value>,
}

struct Bundler<'l, L> {
    load: &'l L,
    root: PathBuf,
    /// Every file read, parsed (or why it could not be read or parsed).
    docs: BTreeMap<PathBuf, Result<Value, String>>,
    /// (section, file, pointer) -> name of each hoisted target.
    keys: BTreeMap<(String, PathBuf, String), String>,
    /// Names taken in each components section.
    taken: BTreeMap<String, BTreeMap<String, (PathBuf, String)>>,
    /// New components, in the order they were named.
    hoisted: Vec<Hoisted>,
    /// The nodes being inlined (to catch cycles).
    inlining: Vec<(PathBuf, String)>,
    errors: Vec<Diagnostic>,
    origins: Vec<(String, String)>,
}

fn location(file: &Path, ptr: &str) -> String {
    format!("{}#{ptr}", file.display())
}

impl<'l, L: Fn(&Path) -> io::Result<String>> Bundler<'l, L> {
    /// The root's own component names are taken; a root component that is
    /// only a `$ref` to a file gives its name to that file's target.
    fn reserve_root_components(&mut self, root: &Value) {
        let Some(components) = root.get("components").and_then(Value::as_object) else {
            return;
        };
        for (section, entries) in components {
            let Some(entries) = entries.as_object() else {
                continue;
            };
            for (name, entry) in entries {
                let key = match entry.get("$ref").and_then(Value::as_str) {
                    Some(r) if !r.starts_with('#') => self.target(&self.root.clone(), r),
                    _ => None,
                };
                let owner = key.clone().unwrap_or_else(|| {
                    (
                        self.root.clone(),
                        format!("/components/{section}/{}", escape_segment(name)),
                    )
                });
                self.taken
                    .entry(section.clone())
                    .or_default()
                    .insert(name.clone(), owner);
                if let Some((file, pointer)) = key {
                    self.keys
                        .entry((section.clone(), file, pointer))
                        .or_insert_with(|| name.clone());
                }
            }
        }
    }

    /// (file, pointer) a `$ref` written in `file` points to, if it is not a
    /// URL (that is reported by the caller).
    fn target(&self, file: &Path, reference: &str) -> Option<(PathBuf, String)> {
        if is_url(reference) {
            return None;
        }
        let (path, fragment) = match reference.split_once('#') {
            Some((p, f)) => (p, f),
            None => (reference, ""),
        };
        let fragment = percent_decode(fragment);
        let fragment = if fragment == "/" {
            String::new()
        } else {
            fragment
        };
        let target = if path.is_empty() {
            file.to_path_buf()
        } else {
            let dir = file.parent().unwrap_or(Path::new(""));
            normalize(&dir.join(percent_decode(path)))
        };
        Some((target, fragment))
    }

    /// The parsed file, or `None` after reporting why not (for every
    /// `$ref` into an unreadable file, not only the first).
    fn doc(&mut self, file: &Path, at: &str, reference: &str) -> Option<&Value> {
        if !self.docs.contains_key(file) {
            let parsed = match (self.load)(file) {
                Ok(text) => parse_text(&text).map_err(|m| format!("{}: {m}", file.display())),
                Err(e) => Err(format!("cannot read {}: {e}", file.display())),
            };
            self.docs.insert(file.to_path_buf(), parsed);
        }
        match self.docs.get(file) {
            Some(Ok(v)) => Some(v),
            Some(Err(why)) => {
                self.errors.push(Diagnostic::error(
                    at,
                    format!("unresolvable $ref `{reference}`: {why}"),
                ));
                None
            }
            None => None,
        }
    }

    /// The value a `$ref` points to, or `None` after reporting why not.
    fn fetch(&mut self, key: &(PathBuf, String), at: &str, reference: &str) -> Option<Value> {
        let doc = self.doc(&key.0, at, reference)?;
        match doc.pointer(&key.1) {
            Some(v) => Some(v.clone()),
            None => {
                let msg = format!(
                    "unresolvable $ref `{reference}`: {} has nothing at the JSON pointer `{}`",
                    key.0.display(),
                    if key.1.is_empty() { "/" } else { &key.1 }
                );
                self.errors.push(Diagnostic::error(at, msg));
                None
            }
        }
    }

    fn walk(&mut self, v: &mut Value, kind: Kind, file: &Path, ptr: &str) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let reference = reference.clone();
                    self.reference(v, &reference, kind, file, ptr);
                    return;
                }
                for (k, child) in map.iter_mut() {
                    // A vendor extension's `$ref` (Fern's code samples) is
                    // not an OpenAPI reference: its target is not read.
                    if k.starts_with("x-") {
                        continue;
                    }
                    let child_kind = kind.child(k);
                    let cptr = join(ptr, k);
                    self.walk(child, child_kind, file, &cptr);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.walk(child, kind.child(""), file, &format!("{ptr}/{i}"));
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, v: &mut Value, reference: &str, kind: Kind, file: &Path, ptr: &str) {
        let at = location(file, ptr);
        if is_url(reference) {
            self.errors.push(Diagnostic::error(
                at,
                format!("$ref `{reference}` is a URL: only references to local files are supported (nothing is downloaded)"),
            ));
            return;
        }
        if reference.starts_with('#') && file == self.root {
            return;
        }
        let Some(key) = self.target(file, reference) else {
            return;
        };
        if key.0 == self.root {
            set_ref(v, format!("#{}", key.1));
            return;
        }
        // A root component that is only a `$ref` to a file: the file's
        // contents take its place.
        let hoisted = |section: &str| (section.to_string(), key.0.clone(), key.1.clone());
        let in_place = file == self.root
            && kind.section().is_some_and(|s| {
                self.keys
                    .get(&hoisted(s))
                    .is_some_and(|n| ptr == format!("/components/{s}/{}", escape_segment(n)))
            });
        if let (Some(section), false) = (kind.section(), in_place) {
            if let Some(n) = self.keys.get(&hoisted(section)) {
                set_ref(v, format!("#/components/{section}/{}", escape_segment(n)));
                return;
            }
            let Some(mut target) = self.fetch(&key, &at, reference) else {
                return;
            };
            let name = self.name(section, &key);
            let slot = self.hoisted.len();
            self.hoisted.push(Hoisted {
                section: section.to_string(),
                name: name.clone(),
                value: None,
            });
            self.keys.insert(hoisted(section), name.clone());
            let bundle_ptr = format!("#/components/{section}/{}", escape_segment(&name));
            self.origins
                .push((bundle_ptr.clone(), location(&key.0, &key.1)));
            self.walk(&mut target, kind, &key.0, &key.1);
            self.hoisted[slot].value = Some(target);
            set_ref(v, bundle_ptr);
            return;
        }
        if self.inlining.contains(&key) {
            self.errors.push(Diagnostic::error(
                at,
                format!(
                    "$ref `{reference}` is a cycle: {} includes itself, and only components can be recursive",
                    location(&key.0, &key.1)
                ),
            ));
            return;
        }
        let Some(mut target) = self.fetch(&key, &at, reference) else {
            return;
        };
        self.inlining.push(key.clone());
        self.walk(&mut target, kind, &key.0, &key.1);
        self.inlining.pop();
        if file == self.root {
            self.origins
                .push((format!("#{ptr}"), location(&key.0, &key.1)));
        }
        // Siblings of the `$ref` stay, over the target's own keys.
        if let (Value::Object(siblings), Value::Object(t)) = (&*v, &mut target) {
            for (k, s) in siblings {
                if k != "$ref" {
                    t.insert(k.clone(), s.clone());
                }
            }
        }
        *v = target;
    }

    /// A name for a new component in `section`: the target's last pointer
    /// segment(s), else the file stem, then `-2`, `-3`...
    fn name(&mut self, section: &str, key: &(PathBuf, String)) -> String {
        let taken = self.taken.entry(section.to_string()).or_default();
        let free = |n: &str| taken.get(n).is_none_or(|owner| owner == key);
        let parts: Vec<String> = key
            .1
            .split('/')
            .skip(1)
            .filter(|s| !s.is_empty())
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let mut chosen = None;
        let mut name = String::new();
        for part in parts.iter().rev() {
            name = if name.is_empty() {
                part.clone()
            } else {
                format!("{part}-{name}")
            };
            if free(&name) {
                chosen = Some(name.clone());
                break;
            }
        }
        let chosen = chosen.unwrap_or_else(|| {
            let stem = key
                .0
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "component".to_string());
            let base = if name.is_empty() {
                stem
            } else {
                format!("{stem}_{name}")
            };
            if free(&base) {
                return base;
            }
            (2..)
                .map(|i| format!("{base}-{i}"))
                .find(|n| free(n))
                .unwrap_or(base)
        });
        taken.insert(chosen.clone(), key.clone());
        chosen
    }
}

fn set_ref(v: &mut Value, reference: String) {
    if let Value::Object(map) = v {
        map.insert("$ref".into(), Value::String(reference));
    }
}

/// `http://...`, `https://...`, `file:...`, `urn:...`: a scheme, not a
/// relative path (a Windows drive letter such as `C:` is one letter).
fn is_url(reference: &str) -> bool {
    let path = reference.split('#').next().unwrap_or("");
    match path.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => reference.starts_with("//"),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex
                .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// `a/./b/../c` -> `a/c`, lexically (leading `..` are kept).
fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Resolves local `$ref`s into the inside of a component by copying the
/// target in their place (see the module docs). A cycle is left alone, for
/// the lowering to report. Also copies in a response `$ref` that names a
/// component of another kind (`#/components/requestBodies/X` under
/// `responses`), with a warning: `openapiv3` would reject it.
pub fn inline_deep_refs(doc: &mut Value, warnings: &mut Vec<Diagnostic>) {
    let snapshot = doc.clone();
    inline_deep(doc, &snapshot, "#", &mut Vec::new(), warnings);
}

/// `#/components/<section>/<name>` exactly (a whole component).
fn is_component_ref(r: &str) -> bool {
    match r.strip_prefix("#/components/") {
        Some(rest) => rest.split('/').count() == 2,
        None => false,
    }
}

/// Whether `ptr` is a response of an operation (`.../responses/200`), not a
/// property or component called `responses`.
fn is_operation_response(ptr: &str) -> bool {
    let mut segs = ptr.rsplit('/');
    let (_code, parent) = (segs.next(), segs.next());
    parent == Some("responses")
        && matches!(
            segs.next(),
            Some("get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace")
        )
}

fn inline_deep(
    v: &mut Value,
    doc: &Value,
    ptr: &str,
    stack: &mut Vec<String>,
    warnings: &mut Vec<Diagnostic>,
) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let wrong_kind = is_operation_response(ptr)
                    && is_component_ref(r)
                    && !r.starts_with("#/components/responses/");
                let deep = r.starts_with("#/") && !is_component_ref(r);
                if (deep || wrong_kind) && !stack.contains(r) {
                    let r = r.clone();
                    if let Some(target) = doc.pointer(&percent_decode(&r[1..])) {
                        if wrong_kind {
                            warnings.push(Diagnostic::warning(
                                ptr,
                                format!("response $ref `{r}` names a component that is not a response; its content is used as the response"),
                            ));
                        }
                        let mut target = target.clone();
                        stack.push(r);
                        inline_deep(&mut target, doc, ptr, stack, warnings);
                        stack.pop();
                        if let Value::Object(t) = &mut target {
                            for (k, s) in map.iter() {
                                if k != "$ref" {
                                    t.insert(k.clone(), s.clone());
                                }
                            }
                            if wrong_kind && !t.contains_key("description") {
                                t.insert("description".into(), Value::String(String::new()));
                            }
                        }
                        *v = target;
                        return;
                    }
                }
                return;
            }
            for (k, child) in map.iter_mut() {
                inline_deep(child, doc, &join(ptr, k), stack, warnings);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                inline_deep(child, doc, &format!("{ptr}/{i}"), stack, warnings);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_integers_beyond_64_bits_and_numeric_keys_are_read() {
        let v = parse_text("a: 18446744073709552000\nb: -9223372036854775809\n200: x\n").unwrap();
        assert_eq!(v["a"].as_f64(), Some(18446744073709552000.0));
        assert_eq!(v["b"].as_f64(), Some(-9223372036854775809.0));
        assert_eq!(v["200"], "x");
    }

    #[test]
    fn urls_are_told_from_paths() {
        for url in [
            "https://x.org/a.yaml",
            "http://x/a#/b",
            "file:///a.yaml",
            "//host/a.yaml",
        ] {
            assert!(is_url(url), "{url}");
        }
        for path in [
            "a.yaml",
            "../a.yaml#/b",
            "#/components/schemas/A",
            "C:/a.yaml",
        ] {
            assert!(!is_url(path), "{path}");
        }
    }

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.yaml")),
            PathBuf::from("a/c.yaml")
        );
        assert_eq!(
            normalize(Path::new("../x/../y.yaml")),
            PathBuf::from("../y.yaml")
        );
    }
}
