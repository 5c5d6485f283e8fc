//! Changes to named types: structs and their fields, enums and unions.

use super::*;

/// Whether a request field must be sent.
pub(super) fn request_required(f: &Field) -> bool {
    f.required && !f.read_only
}

/// Whether a response field is always present.
pub(super) fn response_required(f: &Field) -> bool {
    f.required && !f.write_only
}

pub(super) fn type_label(def: &TypeDef) -> String {
    format!("`{}` (Rust `models::{}`)", def.name.wire, def.name.rust)
}

pub(super) fn field_label(f: &Field, def: &TypeDef) -> String {
    format!(
        "field `{}` (Rust `{}`) of {}",
        f.name.wire,
        f.name.rust,
        type_label(def)
    )
}

pub(super) fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "alias",
    }
}

impl<'a> Differ<'a> {
    // ---- Types ----

    pub(super) fn types(&mut self) {
        let (old, new) = (self.old, self.new);
        let mut pairs: Vec<(&'a TypeDef, &'a TypeDef)> = Vec::new();
        let mut new_matched: BTreeSet<&str> = BTreeSet::new();
        let mut old_unmatched: Vec<&'a TypeDef> = Vec::new();
        let by_wire: BTreeMap<&str, &TypeDef> = new
            .types
            .values()
            .map(|d| (d.name.wire.as_str(), d))
            .collect();
        for old_def in old.types.values() {
            match by_wire.get(old_def.name.wire.as_str()) {
                Some(new_def) if !new_matched.contains(new_def.name.rust.as_str()) => {
                    new_matched.insert(new_def.name.rust.as_str());
                    pairs.push((old_def, new_def));
                }
                _ => old_unmatched.push(old_def),
            }
        }
        let mut removed = Vec::new();
        for old_def in old_unmatched {
            match new.types.get(&old_def.name.rust) {
                Some(new_def) if !new_matched.contains(new_def.name.rust.as_str()) => {
                    new_matched.insert(new_def.name.rust.as_str());
                    pairs.push((old_def, new_def));
                }
                _ => removed.push(old_def),
            }
        }
        pairs.sort_by(|a, b| a.1.name.rust.cmp(&b.1.name.rust));
        for (old_def, new_def) in pairs {
            self.type_pair(old_def, new_def);
        }
        for d in removed {
            self.push(
                Kind::TypeRemoved,
                sev(true, false),
                &d.pointer,
                format!(
                    "Schema {} removed (used in {}).",
                    type_label(d),
                    direction(self.old_use.get(&d.name.rust).copied().unwrap_or_default())
                ),
            );
        }
        for d in new
            .types
            .values()
            .filter(|d| !new_matched.contains(d.name.rust.as_str()))
        {
            self.push(
                Kind::TypeAdded,
                sev(false, false),
                &d.pointer,
                format!(
                    "Schema {} added (used in {}).",
                    type_label(d),
                    direction(self.new_use.get(&d.name.rust).copied().unwrap_or_default())
                ),
            );
        }
    }

    pub(super) fn usage_of(&self, old: &TypeDef, new: &TypeDef) -> Usage {
        let u = |m: &BTreeMap<String, Usage>, n: &str| m.get(n).copied().unwrap_or_default();
        u(&self.old_use, &old.name.rust).or(u(&self.new_use, &new.name.rust))
    }

    pub(super) fn type_pair(&mut self, old: &'a TypeDef, new: &'a TypeDef) {
        let ptr = new.pointer.as_str();
        let usage = self.usage_of(old, new);
        if old.name != new.name {
            let sdk = old.name.rust != new.name.rust;
            self.push(
                Kind::TypeRenamed,
                sev(sdk, false),
                ptr,
                format!("Schema {} renamed to {}.", type_label(old), type_label(new)),
            );
        }
        if old.description != new.description {
            self.push(
                Kind::TypeDocsChanged,
                docs(),
                ptr,
                format!("Description of schema {} changed.", type_label(new)),
            );
        }
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(old_kind), TypeKind::Struct(new_kind)) => {
                self.structs(new, usage, old_kind, new_kind)
            }
            (TypeKind::Enum(old_kind), TypeKind::Enum(new_kind)) => {
                self.enums(new, usage, old_kind, new_kind)
            }
            (TypeKind::Union(old_kind), TypeKind::Union(new_kind)) => {
                self.unions(new, usage, old_kind, new_kind)
            }
            (TypeKind::Alias(old_kind), TypeKind::Alias(new_kind)) => {
                if old_kind != new_kind {
                    let mut details = Vec::new();
                    self.shape(
                        old_kind,
                        new_kind,
                        usage,
                        &new.name.wire,
                        &mut details,
                        &mut BTreeSet::new(),
                    );
                    let wire = !details.is_empty();
                    let details = explain(details, &new.name.wire);
                    self.push_details(
                        Kind::AliasChanged,
                        sev(true, wire),
                        ptr,
                        format!(
                            "Schema {} now stands for `{}` instead of `{}`.",
                            type_label(new),
                            rust_ty(new_kind),
                            rust_ty(old_kind)
                        ),
                        details,
                    );
                }
            }
            (old_kind, new_kind) => self.push(
                Kind::TypeKindChanged,
                sev(true, usage.any()),
                ptr,
                format!(
                    "Schema {} changed from {} to {} (used in {}).",
                    type_label(new),
                    kind_name(old_kind),
                    kind_name(new_kind),
                    direction(usage)
                ),
            ),
        }
    }

    pub(super) fn structs(&mut self, def: &TypeDef, usage: Usage, old: &Struct, new: &Struct) {
        for old_field in &old.fields {
            match new
                .fields
                .iter()
                .find(|new_field| new_field.name.wire == old_field.name.wire)
            {
                Some(new_field) => self.field(def, usage, old_field, new_field),
                None => {
                    let wire = usage.response && response_required(old_field);
                    let why = if wire {
                        "; it was always present in responses"
                    } else {
                        ""
                    };
                    self.push(
                        Kind::FieldRemoved,
                        sev(true, wire),
                        &old_field.pointer,
                        format!(
                            "{} removed (used in {}){why}.",
                            capitalize(&field_label(old_field, def)),
                            direction(usage)
                        ),
                    );
                }
            }
        }
        for new_field in new.fields.iter().filter(|new_field| {
            !old.fields
                .iter()
                .any(|old_field| old_field.name.wire == new_field.name.wire)
        }) {
            let sdk = new_field.needed_in_requests();
            let wire = usage.request && request_required(new_field);
            let what = match (sdk, wire) {
                (true, true) => {
                    "required: `new()` gains an argument, and old clients do not send it"
                }
                (true, false) => "required: `new()` gains an argument",
                (false, true) => "required in requests, and old clients do not send it",
                (false, false) => "optional (an `Option` field)",
            };
            self.push(
                Kind::FieldAdded,
                sev(sdk, wire),
                &new_field.pointer,
                format!(
                    "{} added (used in {}), {what}.",
                    capitalize(&field_label(new_field, def)),
                    direction(usage)
                ),
            );
        }
        match (&old.additional, &new.additional) {
            (None, None) => {}
            (old_extra, new_extra) if old_extra == new_extra => {}
            (None, Some(t)) => self.push(
                Kind::AdditionalPropertiesChanged,
                sev(false, false),
                &def.pointer,
                format!(
                    "Schema {} now keeps extra properties (`{}`).",
                    type_label(def),
                    rust_ty(t)
                ),
            ),
            (Some(t), None) => self.push(
                Kind::AdditionalPropertiesChanged,
                sev(true, usage.request),
                &def.pointer,
                format!(
                    "Schema {} no longer allows extra properties (`{}`).",
                    type_label(def),
                    rust_ty(t)
                ),
            ),
            (Some(s), Some(t)) => {
                let mut details = Vec::new();
                let path = format!("{}.*", def.name.wire);
                self.shape(s, t, usage, &path, &mut details, &mut BTreeSet::new());
                let wire = !details.is_empty();
                let details = explain(details, &path);
                self.push_details(
                    Kind::AdditionalPropertiesChanged,
                    sev(true, wire),
                    &def.pointer,
                    format!(
                        "Extra properties of schema {} changed: `{}` → `{}`.",
                        type_label(def),
                        rust_ty(s),
                        rust_ty(t)
                    ),
                    details,
                );
            }
        }
    }

    pub(super) fn field(&mut self, def: &TypeDef, usage: Usage, old: &Field, new: &Field) {
        let ptr = new.pointer.as_str();
        let label = field_label(new, def);
        if old.name.rust != new.name.rust {
            self.push(
                Kind::FieldRenamed,
                sev(true, false),
                ptr,
                format!(
                    "Rust name of field `{}` of {} changed: `{}` → `{}`.",
                    new.name.wire,
                    type_label(def),
                    old.name.rust,
                    new.name.rust
                ),
            );
        }
        if old.ty != new.ty {
            let mut details = Vec::new();
            let path = format!("{}.{}", def.name.wire, new.name.wire);
            self.shape(
                &old.ty,
                &new.ty,
                usage,
                &path,
                &mut details,
                &mut BTreeSet::new(),
            );
            let wire = !details.is_empty();
            let details = explain(details, &path);
            self.push_details(
                Kind::FieldTypeChanged,
                sev(true, wire),
                ptr,
                format!(
                    "Type of {label} changed: `{}` → `{}` (used in {}).",
                    rust_ty(&old.ty),
                    rust_ty(&new.ty),
                    direction(usage)
                ),
                details,
            );
        }
        // Each flag is judged alone: the old field with only that flag changed.
        let option_text = |h: &Field| {
            if h.is_option() {
                "becomes an `Option`"
            } else {
                "is no longer an `Option` (and joins `new()`)"
            }
        };
        if old.required != new.required {
            let h = Field {
                required: new.required,
                ..old.clone()
            };
            let sdk = old.is_option() != h.is_option();
            let req = usage.request && !request_required(old) && request_required(&h);
            let resp = usage.response && response_required(old) && !response_required(&h);
            let mut why = Vec::new();
            if sdk {
                why.push(format!("the Rust field {}", option_text(&h)));
            }
            if req {
                why.push("old clients may omit it in requests".to_string());
            }
            if resp {
                why.push("old clients expect it in every response".to_string());
            }
            let dir = if new.required {
                "optional → required"
            } else {
                "required → optional"
            };
            self.push(
                Kind::FieldRequiredChanged,
                sev(sdk, req || resp),
                ptr,
                format!(
                    "{} changed from {dir} (used in {}){}.",
                    capitalize(&label),
                    direction(usage),
                    because(&why)
                ),
            );
        }
        if old.nullable != new.nullable {
            let h = Field {
                nullable: new.nullable,
                ..old.clone()
            };
            let sdk = old.is_option() != h.is_option();
            let req = usage.request && old.nullable && !new.nullable;
            let resp = usage.response && !old.nullable && new.nullable;
            let mut why = Vec::new();
            if sdk {
                why.push(format!("the Rust field {}", option_text(&h)));
            }
            if req {
                why.push("old clients may send `null`".to_string());
            }
            if resp {
                why.push("old clients do not expect `null` in responses".to_string());
            }
            let text = if new.nullable {
                "became nullable"
            } else {
                "is no longer nullable"
            };
            self.push(
                Kind::FieldNullableChanged,
                sev(sdk, req || resp),
                ptr,
                format!(
                    "{} {text} (used in {}){}.",
                    capitalize(&label),
                    direction(usage),
                    because(&why)
                ),
            );
        }
        if old.read_only != new.read_only {
            let h = Field {
                read_only: new.read_only,
                ..old.clone()
            };
            let sdk = old.is_option() != h.is_option();
            let req = usage.request && !request_required(old) && request_required(&h);
            let mut why = Vec::new();
            if sdk {
                why.push(format!("the Rust field {}", option_text(&h)));
            }
            if req {
                why.push(
                    "it is now required in requests, and old clients do not send it".to_string(),
                );
            }
            if new.read_only {
                why.push("the SDK stops sending it".to_string());
            }
            let text = if new.read_only {
                "became read-only"
            } else {
                "is no longer read-only"
            };
            self.push(
                Kind::FieldReadOnlyChanged,
                sev(sdk, req),
                ptr,
                format!(
                    "{} {text} (used in {}){}.",
                    capitalize(&label),
                    direction(usage),
                    because(&why)
                ),
            );
        }
        if old.write_only != new.write_only {
            let h = Field {
                write_only: new.write_only,
                ..old.clone()
            };
            let resp = usage.response && response_required(old) && !response_required(&h);
            let text = if new.write_only {
                "became write-only"
            } else {
                "is no longer write-only"
            };
            self.push(
                Kind::FieldWriteOnlyChanged,
                sev(false, resp),
                ptr,
                format!(
                    "{} {text} (used in {}).",
                    capitalize(&label),
                    direction(usage)
                ),
            );
        }
        if old.default != new.default {
            self.push(
                Kind::FieldDefaultChanged,
                sev(false, false),
                ptr,
                format!(
                    "Default of {label} changed: {} → {}.",
                    json_opt(&old.default),
                    json_opt(&new.default)
                ),
            );
        }
        if old.deprecated != new.deprecated {
            let text = if new.deprecated {
                "deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(
                Kind::DeprecatedChanged,
                sev(false, false),
                ptr,
                format!("{} is {text}.", capitalize(&label)),
            );
        }
        if old.description != new.description {
            self.push(
                Kind::FieldDocsChanged,
                docs(),
                ptr,
                format!("Description of {label} changed."),
            );
        }
    }

    pub(super) fn enums(&mut self, def: &TypeDef, usage: Usage, old: &Enum, new: &Enum) {
        let ptr = format!("{}/enum", def.pointer);
        for v in &old.variants {
            match new.variants.iter().find(|w| w.wire == v.wire) {
                None => {
                    let why = if usage.request {
                        "; old clients may still send it"
                    } else {
                        ""
                    };
                    self.push(
                        Kind::EnumValueRemoved,
                        sev(true, usage.request),
                        &ptr,
                        format!(
                            "Value `{}` (Rust `{}::{}`) of {} removed (used in {}){why}.",
                            v.wire,
                            def.name.rust,
                            v.rust,
                            type_label(def),
                            direction(usage)
                        ),
                    );
                }
                Some(w) if w.rust != v.rust => self.push(
                    Kind::EnumVariantRenamed,
                    sev(true, false),
                    &ptr,
                    format!(
                        "Rust variant of value `{}` of {} renamed: `{}` → `{}`.",
                        v.wire,
                        type_label(def),
                        v.rust,
                        w.rust
                    ),
                ),
                Some(_) => {}
            }
        }
        for w in new
            .variants
            .iter()
            .filter(|w| !old.variants.iter().any(|v| v.wire == w.wire))
        {
            let why = if usage.response {
                "; old clients decode it as `Unknown`"
            } else {
                ""
            };
            self.push(
                Kind::EnumValueAdded,
                sev(false, false),
                &ptr,
                format!(
                    "Value `{}` (Rust `{}::{}`) of {} added (used in {}){why}.",
                    w.wire,
                    def.name.rust,
                    w.rust,
                    type_label(def),
                    direction(usage)
                ),
            );
        }
        if old.unknown != new.unknown {
            self.push(
                Kind::EnumVariantRenamed,
                sev(true, false),
                &ptr,
                format!(
                    "Catch-all variant of {} renamed: `{}` → `{}`.",
                    type_label(def),
                    old.unknown,
                    new.unknown
                ),
            );
        }
    }

    pub(super) fn unions(&mut self, def: &TypeDef, usage: Usage, old: &Union, new: &Union) {
        let ptr = def.pointer.as_str();
        for v in &old.variants {
            match new.variants.iter().find(|w| w.name == v.name) {
                None => self.push(
                    Kind::UnionVariantRemoved,
                    sev(true, usage.request),
                    ptr,
                    format!(
                        "Variant `{}` (`{}`) of {} removed (used in {}).",
                        v.name,
                        rust_ty(&v.ty),
                        type_label(def),
                        direction(usage)
                    ),
                ),
                Some(w) => {
                    if v.ty != w.ty {
                        let mut details = Vec::new();
                        let path = format!("{}::{}", def.name.wire, v.name);
                        self.shape(
                            &v.ty,
                            &w.ty,
                            usage,
                            &path,
                            &mut details,
                            &mut BTreeSet::new(),
                        );
                        let wire = !details.is_empty();
                        let details = explain(details, &path);
                        self.push_details(
                            Kind::UnionVariantChanged,
                            sev(true, wire),
                            ptr,
                            format!(
                                "Variant `{}` of {} changed: `{}` → `{}`.",
                                v.name,
                                type_label(def),
                                rust_ty(&v.ty),
                                rust_ty(&w.ty)
                            ),
                            details,
                        );
                    }
                    if v.tags != w.tags {
                        self.push(
                            Kind::DiscriminatorChanged,
                            sev(false, usage.any()),
                            ptr,
                            format!(
                                "Discriminator values of variant `{}` of {} changed: [{}] → [{}].",
                                v.name,
                                type_label(def),
                                v.tags.join(", "),
                                w.tags.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        for w in new
            .variants
            .iter()
            .filter(|w| !old.variants.iter().any(|v| v.name == w.name))
        {
            let why = if usage.response {
                "; old clients cannot decode it"
            } else {
                ""
            };
            self.push(
                Kind::UnionVariantAdded,
                sev(false, usage.response),
                ptr,
                format!(
                    "Variant `{}` (`{}`) of {} added (used in {}){why}.",
                    w.name,
                    rust_ty(&w.ty),
                    type_label(def),
                    direction(usage)
                ),
            );
        }
        if old.discriminator != new.discriminator {
            let d = |o: &Option<String>| {
                o.as_deref()
                    .map_or("none".to_string(), |s| format!("`{s}`"))
            };
            self.push(
                Kind::DiscriminatorChanged,
                sev(false, usage.any()),
                ptr,
                format!(
                    "Discriminator of {} changed: {} → {}.",
                    type_label(def),
                    d(&old.discriminator),
                    d(&new.discriminator)
                ),
            );
        }
    }
}
