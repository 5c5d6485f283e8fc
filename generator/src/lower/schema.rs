//! Lowers schemas into named Rust types ([`TypeDef`]) and type references
//! ([`TypeRef`]).
//!
//! Naming is deterministic: component schemas keep their own names (made
//! unique in sorted order, so `Source` and `Source-2` never clash); an inline
//! schema is named after the component that owns it plus the property path
//! (`MachineIdentity` + `owners` -> `MachineIdentityOwners`). Inline schemas
//! are lowered once per JSON pointer, so a type merged into several structs by
//! `allOf` is still emitted once.

use super::view::View;
use crate::diag::{join, Sink};
use crate::ident::{enum_value_ident, field_ident, type_ident, Namer, UNKNOWN_VARIANT};
use crate::ir::{Enum, Field, Name, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant};
use openapiv3::{AdditionalProperties, OpenAPI, ReferenceOr, Schema};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How deep `allOf`/`$ref` chains may nest before we call it a cycle.
const MAX_DEPTH: usize = 32;

/// The result of lowering one schema use.
#[derive(Debug, Clone)]
pub(crate) struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
}

impl Lowered {
    fn plain(ty: TypeRef) -> Self {
        Lowered {
            ty,
            nullable: false,
        }
    }
}

/// Formats that map to a plain string without comment.
const KNOWN_STRING_FORMATS: &[&str] = &[
    "password",
    "byte",
    "email",
    "uuid",
    "uri",
    "url",
    "hostname",
    "ipv4",
    "ipv6",
    "uri-reference",
    "regex",
    "time",
    "idn-email",
    "iri",
    "json-pointer",
    "duration",
];

/// The type space: every named type, plus the memo of what was lowered.
pub(crate) struct Types<'s> {
    spec: &'s OpenAPI,
    pub(crate) defs: BTreeMap<String, TypeDef>,
    names: Namer,
    components: BTreeMap<String, String>,
    nullable_components: BTreeSet<String>,
    memo: HashMap<String, Lowered>,
    depth: usize,
}

/// Resolves a local `$ref` to a component schema name.
pub(crate) fn schema_ref_name(r: &str) -> Option<&str> {
    r.strip_prefix("#/components/schemas/")
        .filter(|rest| !rest.contains('/'))
}

impl<'s> Types<'s> {
    /// Reserves a unique Rust name for every component schema, in sorted
    /// order, before anything is lowered.
    pub(crate) fn new(spec: &'s OpenAPI, reserved: &[&str]) -> Self {
        let mut names = Namer::with_reserved(reserved.iter().copied());
        let mut components = BTreeMap::new();
        let mut nullable_components = BTreeSet::new();
        if let Some(c) = &spec.components {
            let mut keys: Vec<&String> = c.schemas.keys().collect();
            keys.sort();
            for key in keys {
                components.insert(key.clone(), names.unique(&type_ident(key)));
                if let Some(ReferenceOr::Item(s)) = c.schemas.get(key) {
                    let v = View::of(s);
                    if s.schema_data.nullable || v.enumeration.iter().any(Value::is_null) {
                        nullable_components.insert(key.clone());
                    }
                }
            }
        }
        Types {
            spec,
            defs: BTreeMap::new(),
            names,
            components,
            nullable_components,
            memo: HashMap::new(),
            depth: 0,
        }
    }

    fn component(&self, key: &str) -> Option<&'s ReferenceOr<Schema>> {
        self.spec.components.as_ref()?.schemas.get(key)
    }

    /// Lowers every component schema into a named type.
    pub(crate) fn lower_components(&mut self, sink: &mut Sink) {
        let keys: Vec<String> = self.components.keys().cloned().collect();
        for key in keys {
            let ptr = join("#/components/schemas", &key);
            let name = self.components[&key].clone();
            match self.component(&key) {
                Some(ReferenceOr::Item(schema)) => {
                    self.shape(schema, &ptr, &key, Some(&name), sink);
                }
                Some(ReferenceOr::Reference { reference }) => {
                    let target = self.reference(reference, &ptr, sink);
                    self.defs.insert(
                        name.clone(),
                        TypeDef {
                            name: Name {
                                rust: name,
                                wire: key.clone(),
                            },
                            pointer: ptr,
                            description: None,
                            kind: TypeKind::Alias(target.ty),
                        },
                    );
                }
                None => {}
            }
        }
    }

    /// Lowers a `$ref` or an inline schema.
    pub(crate) fn lower(
        &mut self,
        s: &ReferenceOr<Schema>,
        ptr: &str,
        hint: &str,
        sink: &mut Sink,
    ) -> Lowered {
        match s {
            ReferenceOr::Reference { reference } => self.reference(reference, ptr, sink),
            ReferenceOr::Item(schema) => self.inline(schema, ptr, hint, sink),
        }
    }

    /// Like [`Types::lower`], for the boxed schemas `openapiv3` uses in
    /// properties and items.
    pub(crate) fn lower_boxed(
        &mut self,
        s: &ReferenceOr<Box<Schema>>,
        ptr: &str,
        hint: &str,
        sink: &mut Sink,
    ) -> Lowered {
        match s {
            ReferenceOr::Reference { reference } => self.reference(reference, ptr, sink),
            ReferenceOr::Item(schema) => self.inline(schema, ptr, hint, sink),
        }
    }

    fn reference(&mut self, reference: &str, ptr: &str, sink: &mut Sink) -> Lowered {
        match schema_ref_name(reference).and_then(|k| self.components.get(k).map(|n| (k, n))) {
            Some((key, name)) => Lowered {
                ty: TypeRef::Named(name.clone()),
                nullable: self.nullable_components.contains(key),
            },
            None => {
                sink.warning(
                    ptr,
                    format!(
                        "unresolvable $ref `{reference}`: no such schema in #/components/schemas; typed as serde_json::Value"
                    ),
                );
                Lowered::plain(TypeRef::Json)
            }
        }
    }

    /// Resolves a `$ref` to the component's schema, its pointer and its key.
    fn resolve(&self, reference: &str) -> Option<(&'s Schema, String, String)> {
        let key = schema_ref_name(reference)?;
        match self.component(key)? {
            ReferenceOr::Item(s) => Some((s, join("#/components/schemas", key), key.to_string())),
            ReferenceOr::Reference { reference } => self.resolve(reference),
        }
    }

    pub(crate) fn inline(
        &mut self,
        schema: &Schema,
        ptr: &str,
        hint: &str,
        sink: &mut Sink,
    ) -> Lowered {
        if let Some(done) = self.memo.get(ptr) {
            return done.clone();
        }
        if self.depth > MAX_DEPTH {
            sink.error(
                ptr,
                "schema nests too deeply (a cycle through inline schemas?)",
            );
            return Lowered::plain(TypeRef::Json);
        }
        self.depth += 1;
        let out = self.shape(schema, ptr, hint, None, sink);
        self.depth -= 1;
        self.memo.insert(ptr.to_string(), out.clone());
        out
    }

    /// Lowers a schema. With `name`, the schema is a component and always
    /// becomes a named type of that name (an alias when it is not a struct,
    /// enum or union).
    fn shape(
        &mut self,
        schema: &Schema,
        ptr: &str,
        hint: &str,
        name: Option<&str>,
        sink: &mut Sink,
    ) -> Lowered {
        let v = View::of(schema);
        let nullable = v.data.nullable || v.enumeration.iter().any(Value::is_null);
        let description = describe(&v);
        let define = |this: &mut Self, kind: TypeKind| -> TypeRef {
            let rust = match name {
                Some(n) => n.to_string(),
                None => this.names.unique(&type_ident(hint)),
            };
            this.defs.insert(
                rust.clone(),
                TypeDef {
                    name: Name {
                        rust: rust.clone(),
                        wire: hint.to_string(),
                    },
                    pointer: ptr.to_string(),
                    description: description.clone(),
                    kind,
                },
            );
            TypeRef::Named(rust)
        };

        if v.not {
            sink.warning(
                ptr,
                "`not` is not supported; the value is kept as serde_json::Value",
            );
        }

        // allOf: merge, or collapse to the single referenced type.
        if !v.all_of.is_empty() {
            if let Some(target) = self.single_ref(&v) {
                let mut l = self.reference(&target, ptr, sink);
                l.nullable |= nullable;
                return match name {
                    Some(_) => Lowered {
                        ty: define(self, TypeKind::Alias(l.ty)),
                        nullable: l.nullable,
                    },
                    None => l,
                };
            }
            let mut merged = Merged::default();
            merged.visiting.insert(ptr.to_string());
            self.merge(&v, ptr, hint, 0, &mut merged, sink);
            let kind = self.build_struct(merged, sink);
            return Lowered {
                ty: define(self, kind),
                nullable,
            };
        }

        // oneOf / anyOf: an enum that tries the variants.
        let (members, which) = if !v.one_of.is_empty() {
            (v.one_of, "oneOf")
        } else {
            (v.any_of, "anyOf")
        };
        if !members.is_empty() {
            if members.len() == 1 {
                let mut l = self.lower(&members[0], &format!("{ptr}/{which}/0"), hint, sink);
                l.nullable |= nullable;
                return match name {
                    Some(_) => Lowered {
                        ty: define(self, TypeKind::Alias(l.ty)),
                        nullable: l.nullable,
                    },
                    None => l,
                };
            }
            let union = self.union(members, &v, ptr, which, hint, sink);
            return Lowered {
                ty: define(self, TypeKind::Union(union)),
                nullable,
            };
        }

        // String enums.
        let strings: Vec<&str> = v.enumeration.iter().filter_map(Value::as_str).collect();
        let non_null = v.enumeration.iter().filter(|x| !x.is_null()).count();
        if !strings.is_empty()
            && strings.len() == non_null
            && matches!(v.typ.as_deref(), None | Some("string"))
        {
            let e = string_enum(&strings);
            return Lowered {
                ty: define(self, TypeKind::Enum(e)),
                nullable,
            };
        }

        let is_object = v.typ.as_deref() == Some("object")
            || (v.typ.is_none() && (!v.properties.is_empty() || v.additional.is_some()));
        let ty = if is_object && !v.properties.is_empty() {
            let mut merged = Merged::default();
            merged.visiting.insert(ptr.to_string());
            self.merge(&v, ptr, hint, 0, &mut merged, sink);
            let kind = self.build_struct(merged, sink);
            return Lowered {
                ty: define(self, kind),
                nullable,
            };
        } else if is_object {
            match v.additional {
                Some(AdditionalProperties::Schema(s)) => {
                    let inner = self.lower(
                        s,
                        &format!("{ptr}/additionalProperties"),
                        &format!("{hint}Value"),
                        sink,
                    );
                    TypeRef::Map(Box::new(inner.ty))
                }
                _ => TypeRef::JsonObject,
            }
        } else {
            match v.typ.as_deref() {
                Some("array") => self.array(&v, ptr, hint, sink),
                None if v.items.is_some() => self.array(&v, ptr, hint, sink),
                Some("string") => string_type(v.format.as_deref(), ptr, sink),
                Some("integer") => match v.format.as_deref() {
                    Some("int32") => TypeRef::I32,
                    None | Some("int64") => TypeRef::I64,
                    Some(other) => {
                        sink.warning(ptr, format!("unknown integer format `{other}`; using i64"));
                        TypeRef::I64
                    }
                },
                Some("number") => match v.format.as_deref() {
                    None | Some("double") | Some("float") => TypeRef::F64,
                    Some(other) => {
                        sink.warning(ptr, format!("unknown number format `{other}`; using f64"));
                        TypeRef::F64
                    }
                },
                Some("boolean") => TypeRef::Bool,
                None => TypeRef::Json,
                Some(other) => {
                    sink.warning(
                        ptr,
                        format!("unknown type `{other}`; using serde_json::Value"),
                    );
                    TypeRef::Json
                }
            }
        };
        match name {
            Some(_) => Lowered {
                ty: define(self, TypeKind::Alias(ty)),
                nullable,
            },
            None => Lowered { ty, nullable },
        }
    }

    /// The fields of a struct type, following aliases; `None` for other types.
    pub(crate) fn struct_fields(&self, ty: &TypeRef) -> Option<Vec<Field>> {
        let mut cur = ty.clone();
        for _ in 0..MAX_DEPTH {
            let TypeRef::Named(n) = &cur else { return None };
            match &self.defs.get(n)?.kind {
                TypeKind::Struct(s) => return Some(s.fields.clone()),
                TypeKind::Alias(t) => cur = t.clone(),
                _ => return None,
            }
        }
        None
    }

    /// Reports aliases that lead back to themselves (`A: allOf: [$ref: A]`),
    /// which would be a type that never reaches a concrete shape.
    pub(crate) fn check_alias_cycles(&self, sink: &mut Sink) {
        for (name, def) in &self.defs {
            let mut seen = vec![name.clone()];
            let mut cur = match &def.kind {
                TypeKind::Alias(TypeRef::Named(n)) => n.clone(),
                _ => continue,
            };
            while let Some(TypeKind::Alias(next)) = self.defs.get(&cur).map(|d| &d.kind) {
                if cur == *name {
                    sink.error(
                        &def.pointer,
                        format!("schema is an alias of itself ({} -> {cur}); it never reaches a concrete type", seen.join(" -> ")),
                    );
                    break;
                }
                if seen.contains(&cur) {
                    break; // A cycle that does not start here; reported from its members.
                }
                seen.push(cur.clone());
                match next {
                    TypeRef::Named(n) => cur = n.clone(),
                    _ => break,
                }
            }
        }
    }

    fn array(&mut self, v: &View<'_>, ptr: &str, hint: &str, sink: &mut Sink) -> TypeRef {
        let item = match v.items {
            Some(items) => {
                self.lower_boxed(items, &format!("{ptr}/items"), &format!("{hint}Item"), sink)
                    .ty
            }
            None => TypeRef::Json,
        };
        TypeRef::Vec(Box::new(item))
    }

    /// `allOf: [{$ref: X}, {description: ...}]` is just `X`.
    fn single_ref(&self, v: &View<'_>) -> Option<String> {
        if !v.properties.is_empty() || !v.required.is_empty() || v.additional.is_some() {
            return None;
        }
        let mut target = None;
        for m in v.all_of {
            match m {
                ReferenceOr::Reference { reference } => {
                    if target.replace(reference.clone()).is_some() {
                        return None;
                    }
                }
                ReferenceOr::Item(s) => {
                    if !View::of(s).is_annotation_only() {
                        return None;
                    }
                }
            }
        }
        target
    }

    /// Collects the properties of a schema and, recursively, of its `allOf`
    /// members.
    fn merge<'v>(
        &mut self,
        v: &View<'v>,
        ptr: &str,
        hint: &str,
        depth: usize,
        acc: &mut Merged<'v>,
        sink: &mut Sink,
    ) where
        's: 'v,
    {
        if depth > MAX_DEPTH {
            sink.error(ptr, "allOf chain nests too deeply (a cycle?)");
            return;
        }
        if acc.description.is_none() {
            acc.description = describe(v);
        }
        for (i, m) in v.all_of.iter().enumerate() {
            let mptr = format!("{ptr}/allOf/{i}");
            match m {
                ReferenceOr::Reference { reference } => match self.resolve(reference) {
                    Some((_, cptr, _)) if acc.visiting.contains(&cptr) => sink.error(
                        &mptr,
                        format!("allOf cycle: `{reference}` includes the schema that includes it"),
                    ),
                    Some((_, cptr, _)) if acc.merged.contains(&cptr) => {}
                    Some((s, cptr, key)) => {
                        let cv = View::of(s);
                        // A referenced base type's description is not ours.
                        let ours = acc.description.take();
                        acc.visiting.insert(cptr.clone());
                        self.merge(&cv, &cptr, &key, depth + 1, acc, sink);
                        acc.visiting.remove(&cptr);
                        acc.merged.insert(cptr);
                        acc.description = ours;
                    }
                    None => sink.warning(
                        &mptr,
                        format!("unresolvable $ref `{reference}`: no such schema in #/components/schemas; left out of the allOf"),
                    ),
                },
                ReferenceOr::Item(s) => {
                    let mv = View::of(s);
                    self.merge(&mv, &mptr, hint, depth + 1, acc, sink);
                }
            }
        }
        for (wire, p) in v.properties {
            let pptr = join(&format!("{ptr}/properties"), wire);
            let phint = format!("{}{}", hint, type_ident(wire));
            acc.props.retain(|q| q.wire != *wire);
            acc.props.push(Prop {
                wire: wire.clone(),
                schema: p,
                ptr: pptr,
                hint: phint,
            });
        }
        acc.required.extend(v.required.iter().cloned());
        if let Some(a) = v.additional {
            acc.additional = Some((
                a,
                format!("{ptr}/additionalProperties"),
                format!("{hint}Value"),
            ));
        }
        if !v.one_of.is_empty() || !v.any_of.is_empty() {
            sink.warning(
                ptr,
                "oneOf/anyOf inside allOf is not merged; those alternatives are not typed",
            );
        }
        if let Some(t) = v.typ.as_deref().filter(|t| *t != "object") {
            if depth > 0 {
                sink.warning(
                    ptr,
                    format!("allOf member of type `{t}` cannot be merged into an object; ignored"),
                );
            }
        }
    }

    fn build_struct(&mut self, merged: Merged<'_>, sink: &mut Sink) -> TypeKind {
        let mut namer = Namer::default();
        let mut fields = Vec::new();
        for p in merged.props {
            let lowered = self.lower_boxed(p.schema, &p.ptr, &p.hint, sink);
            let data = match p.schema {
                ReferenceOr::Item(s) => Some(&s.schema_data),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(Field {
                name: Name {
                    rust: namer.unique(&field_ident(&p.wire)),
                    wire: p.wire.clone(),
                },
                ty: lowered.ty,
                required: merged.required.contains(&p.wire),
                nullable: lowered.nullable,
                read_only: data.is_some_and(|d| d.read_only),
                write_only: data.is_some_and(|d| d.write_only),
                deprecated: data.is_some_and(|d| d.deprecated),
                description: data.and_then(|d| d.description.clone().or_else(|| d.title.clone())),
                default: data.and_then(|d| d.default.clone()),
                pointer: p.ptr,
            });
        }
        let additional = match merged.additional {
            Some((AdditionalProperties::Schema(s), ptr, hint)) => {
                Some(self.lower(s, &ptr, &hint, sink).ty)
            }
            Some((AdditionalProperties::Any(true), _, _)) => Some(TypeRef::Json),
            Some((AdditionalProperties::Any(false), _, _)) | None => None,
        };
        TypeKind::Struct(Struct { fields, additional })
    }

    fn union(
        &mut self,
        members: &[ReferenceOr<Schema>],
        v: &View<'_>,
        ptr: &str,
        which: &str,
        hint: &str,
        sink: &mut Sink,
    ) -> Union {
        let mut namer = Namer::default();
        let mut variants = Vec::new();
        let disc = v.data.discriminator.as_ref();
        for (i, m) in members.iter().enumerate() {
            let mptr = format!("{ptr}/{which}/{i}");
            // An inline member of a union told apart by a 3.1 `const`
            // (see `crate::openapi31`): its constant is its tag, and names it.
            let mut inline_tag = None;
            if let (Some(d), ReferenceOr::Item(s)) = (disc, m) {
                let mv = View::of(s);
                if let Some(ReferenceOr::Item(p)) = mv.properties.get(&d.property_name) {
                    inline_tag = p
                        .schema_data
                        .extensions
                        .get("x-sdk-const")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                }
            }
            let member_hint = match &inline_tag {
                Some(t) => format!("{hint}{}", type_ident(t)),
                None => format!("{hint}{}", i + 1),
            };
            let lowered = self.lower(m, &mptr, &member_hint, sink);
            let name = namer.unique(&variant_name(&lowered.ty));
            let mut tags = Vec::new();
            if let (Some(d), ReferenceOr::Reference { reference }) = (disc, m) {
                tags = d
                    .mapping
                    .iter()
                    .filter(|(_, target)| {
                        *target == reference
                            || schema_ref_name(reference)
                                .is_some_and(|k| schema_ref_name(target).unwrap_or(target) == k)
                    })
                    .map(|(k, _)| k.clone())
                    .collect();
                if tags.is_empty() {
                    if let Some(key) = schema_ref_name(reference) {
                        tags.push(key.to_string());
                    }
                }
            }
            tags.extend(inline_tag);
            variants.push(UnionVariant {
                name,
                ty: lowered.ty,
                tags,
            });
        }
        Union {
            variants,
            discriminator: disc.map(|d| d.property_name.clone()),
        }
    }
}

/// The properties gathered while merging an `allOf`.
#[derive(Default)]
struct Merged<'a> {
    /// Components being merged right now (a `$ref` back to one is a cycle).
    visiting: BTreeSet<String>,
    /// Components already merged (merging one twice adds nothing).
    merged: BTreeSet<String>,
    props: Vec<Prop<'a>>,
    required: BTreeSet<String>,
    additional: Option<(&'a AdditionalProperties, String, String)>,
    description: Option<String>,
}

struct Prop<'a> {
    wire: String,
    schema: &'a ReferenceOr<Box<Schema>>,
    ptr: String,
    hint: String,
}

fn describe(v: &View<'_>) -> Option<String> {
    match (&v.data.title, &v.data.description) {
        (_, Some(d)) if !d.trim().is_empty() => Some(d.trim().to_string()),
        (Some(t), _) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

fn string_type(format: Option<&str>, ptr: &str, sink: &mut Sink) -> TypeRef {
    match format {
        None => TypeRef::String,
        Some("date-time") => TypeRef::DateTime,
        Some("date") => TypeRef::Date,
        Some("binary") => TypeRef::Bytes,
        Some(f) if KNOWN_STRING_FORMATS.contains(&f) => TypeRef::String,
        Some(other) => {
            sink.warning(
                ptr,
                format!("non-standard string format `{other}`; using String"),
            );
            TypeRef::String
        }
    }
}

fn string_enum(values: &[&str]) -> Enum {
    let mut namer = Namer::default();
    let mut seen = BTreeSet::new();
    let variants: Vec<Name> = values
        .iter()
        .filter(|v| seen.insert(**v))
        .map(|v| Name {
            rust: namer.unique(&enum_value_ident(v)),
            wire: v.to_string(),
        })
        .collect();
    // `enum_value_ident` never spells the catch-all, so it is free on every enum.
    Enum {
        variants,
        unknown: UNKNOWN_VARIANT.to_string(),
    }
}

/// The variant name a union uses for a payload type.
fn variant_name(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "Bool".into(),
        TypeRef::I32 | TypeRef::I64 => "Integer".into(),
        TypeRef::F64 => "Number".into(),
        TypeRef::DateTime => "DateTime".into(),
        TypeRef::Date => "Date".into(),
        TypeRef::Json => "Value".into(),
        TypeRef::JsonObject | TypeRef::Map(_) => "Object".into(),
        TypeRef::Bytes => "Bytes".into(),
        TypeRef::JsonPatch => "Patch".into(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Vec(inner) => format!("{}List", variant_name(inner)),
    }
}
