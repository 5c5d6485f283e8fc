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
        for d in old.types.values() {
            match by_wire.get(d.name.wire.as_str()) {
                Some(n) if !new_matched.contains(n.name.rust.as_str()) => {
                    new_matched.insert(n.name.rust.as_str());
                    pairs.push((d, n));
                }
                _ => old_unmatched.push(d),
            }
        }
        let mut removed = Vec::new();
        for d in old_unmatched {
            match new.types.get(&d.name.rust) {
                Some(n) if !new_matched.contains(n.name.rust.as_str()) => {
                    new_matched.insert(n.name.rust.as_str());
                    pairs.push((d, n));
                }
                _ => removed.push(d),
            }
        }
        pairs.sort_by(|a, b| a.1.name.rust.cmp(&b.1.name.rust));
        for (a, b) in pairs {
            self.type_pair(a, b);
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

    pub(super) fn usage_of(&self, a: &TypeDef, b: &TypeDef) -> Usage {
        let u = |m: &BTreeMap<String, Usage>, n: &str| m.get(n).copied().unwrap_or_default();
        u(&self.old_use, &a.name.rust).or(u(&self.new_use, &b.name.rust))
    }

    pub(super) fn type_pair(&mut self, a: &'a TypeDef, b: &'a TypeDef) {
        let ptr = b.pointer.as_str();
        let usage = self.usage_of(a, b);
        if a.name != b.name {
            let sdk = a.name.rust != b.name.rust;
            self.push(
                Kind::TypeRenamed,
                sev(sdk, false),
                ptr,
                format!("Schema {} renamed to {}.", type_label(a), type_label(b)),
            );
        }
        if a.description != b.description {
            self.push(
                Kind::TypeDocsChanged,
                docs(),
                ptr,
                format!("Description of schema {} changed.", type_label(b)),
            );
        }
        match (&a.kind, &b.kind) {
            (TypeKind::Struct(x), TypeKind::Struct(y)) => self.structs(b, usage, x, y),
            (TypeKind::Enum(x), TypeKind::Enum(y)) => self.enums(b, usage, x, y),
            (TypeKind::Union(x), TypeKind::Union(y)) => self.unions(b, usage, x, y),
            (TypeKind::Alias(x), TypeKind::Alias(y)) => {
                if x != y {
                    let mut details = Vec::new();
                    self.shape(
                        x,
                        y,
                        usage,
                        &b.name.wire,
                        &mut details,
                        &mut BTreeSet::new(),
                    );
                    let wire = !details.is_empty();
                    let details = explain(details, &b.name.wire);
                    self.push_details(
                        Kind::AliasChanged,
                        sev(true, wire),
                        ptr,
                        format!(
                            "Schema {} now stands for `{}` instead of `{}`.",
                            type_label(b),
                            rust_ty(y),
                            rust_ty(x)
                        ),
                        details,
                    );
                }
            }
            (x, y) => self.push(
                Kind::TypeKindChanged,
                sev(true, usage.any()),
                ptr,
                format!(
                    "Schema {} changed from {} to {} (used in {}).",
                    type_label(b),
                    kind_name(x),
                    kind_name(y),
                    direction(usage)
                ),
            ),
        }
    }

    pub(super) fn structs(&mut self, def: &TypeDef, usage: Usage, x: &Struct, y: &Struct) {
        for f in &x.fields {
            match y.fields.iter().find(|g| g.name.wire == f.name.wire) {
                Some(g) => self.field(def, usage, f, g),
                None => {
                    let wire = usage.response && response_required(f);
                    let why = if wire {
                        "; it was always present in responses"
                    } else {
                        ""
                    };
                    self.push(
                        Kind::FieldRemoved,
                        sev(true, wire),
                        &f.pointer,
                        format!(
                            "{} removed (used in {}){why}.",
                            capitalize(&field_label(f, def)),
                            direction(usage)
                        ),
                    );
                }
            }
        }
        for g in y
            .fields
            .iter()
            .filter(|g| !x.fields.iter().any(|f| f.name.wire == g.name.wire))
        {
            let sdk = !g.is_option();
            let wire = usage.request && request_required(g);
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
                &g.pointer,
                format!(
                    "{} added (used in {}), {what}.",
                    capitalize(&field_label(g, def)),
                    direction(usage)
                ),
            );
        }
        match (&x.additional, &y.additional) {
            (None, None) => {}
            (a, b) if a == b => {}
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

    pub(super) fn field(&mut self, def: &TypeDef, usage: Usage, f: &Field, g: &Field) {
        let ptr = g.pointer.as_str();
        let label = field_label(g, def);
        if f.name.rust != g.name.rust {
            self.push(
                Kind::FieldRenamed,
                sev(true, false),
                ptr,
                format!(
                    "Rust name of field `{}` of {} changed: `{}` → `{}`.",
                    g.name.wire,
                    type_label(def),
                    f.name.rust,
                    g.name.rust
                ),
            );
        }
        if f.ty != g.ty {
            let mut details = Vec::new();
            let path = format!("{}.{}", def.name.wire, g.name.wire);
            self.shape(
                &f.ty,
                &g.ty,
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
                    rust_ty(&f.ty),
                    rust_ty(&g.ty),
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
        if f.required != g.required {
            let h = Field {
                required: g.required,
                ..f.clone()
            };
            let sdk = f.is_option() != h.is_option();
            let req = usage.request && !request_required(f) && request_required(&h);
            let resp = usage.response && response_required(f) && !response_required(&h);
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
            let dir = if g.required {
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
        if f.nullable != g.nullable {
            let h = Field {
                nullable: g.nullable,
                ..f.clone()
            };
            let sdk = f.is_option() != h.is_option();
            let req = usage.request && f.nullable && !g.nullable;
            let resp = usage.response && !f.nullable && g.nullable;
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
            let text = if g.nullable {
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
        if f.read_only != g.read_only {
            let h = Field {
                read_only: g.read_only,
                ..f.clone()
            };
            let sdk = f.is_option() != h.is_option();
            let req = usage.request && !request_required(f) && request_required(&h);
            let mut why = Vec::new();
            if sdk {
                why.push(format!("the Rust field {}", option_text(&h)));
            }
            if req {
                why.push(
                    "it is now required in requests, and old clients do not send it".to_string(),
                );
            }
            if g.read_only {
                why.push("the SDK stops sending it".to_string());
            }
            let text = if g.read_only {
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
        if f.write_only != g.write_only {
            let h = Field {
                write_only: g.write_only,
                ..f.clone()
            };
            let resp = usage.response && response_required(f) && !response_required(&h);
            let text = if g.write_only {
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
        if f.default != g.default {
            self.push(
                Kind::FieldDefaultChanged,
                sev(false, false),
                ptr,
                format!(
                    "Default of {label} changed: {} → {}.",
                    json_opt(&f.default),
                    json_opt(&g.default)
                ),
            );
        }
        if f.deprecated != g.deprecated {
            let text = if g.deprecated {
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
        if f.description != g.description {
            self.push(
                Kind::FieldDocsChanged,
                docs(),
                ptr,
                format!("Description of {label} changed."),
            );
        }
    }

    pub(super) fn enums(&mut self, def: &TypeDef, usage: Usage, x: &Enum, y: &Enum) {
        let ptr = format!("{}/enum", def.pointer);
        for v in &x.variants {
            match y.variants.iter().find(|w| w.wire == v.wire) {
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
        for w in y
            .variants
            .iter()
            .filter(|w| !x.variants.iter().any(|v| v.wire == w.wire))
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
        if x.unknown != y.unknown {
            self.push(
                Kind::EnumVariantRenamed,
                sev(true, false),
                &ptr,
                format!(
                    "Catch-all variant of {} renamed: `{}` → `{}`.",
                    type_label(def),
                    x.unknown,
                    y.unknown
                ),
            );
        }
    }

    pub(super) fn unions(&mut self, def: &TypeDef, usage: Usage, x: &Union, y: &Union) {
        let ptr = def.pointer.as_str();
        for v in &x.variants {
            match y.variants.iter().find(|w| w.name == v.name) {
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
        for w in y
            .variants
            .iter()
            .filter(|w| !x.variants.iter().any(|v| v.name == w.name))
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
        if x.discriminator != y.discriminator {
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
                    d(&x.discriminator),
                    d(&y.discriminator)
                ),
            );
        }
    }
}
