//! `models.rs`: one serde type per named schema.

use super::docs::{doc_attrs, doc_attrs_raw};
use super::types::{ident, rust_type};
use crate::graph::Boxing;
use crate::ir::{Api, Enum, Field, Struct, TypeDef, TypeKind, TypeRef, Union};
use proc_macro2::TokenStream;
use quote::quote;

/// Types emitted per formatting job: large specs are emitted and formatted
/// in parallel, a chunk at a time.
const CHUNK: usize = 64;

/// The model types, in chunks of [`CHUNK`]; each chunk is a list of types
/// whose tokens [`models_chunk`] emits. With per-tag features the types are
/// ordered by their gate (then by name), and a chunk never holds types of two
/// gates, so that each chunk is one gated module.
pub fn chunks<'a>(api: &'a Api, gates: &Gates) -> Vec<Vec<&'a TypeDef>> {
    let mut defs: Vec<&TypeDef> = api.types.values().collect();
    let mut out: Vec<Vec<&TypeDef>> = Vec::new();
    if gates.enabled {
        // A stable sort: by name within one gate, as without features.
        defs.sort_by_cached_key(|d| gates.get(&d.name.rust).to_string());
        let mut run: Vec<&TypeDef> = Vec::new();
        let mut run_gate = String::new();
        for def in defs {
            let gate = gates.get(&def.name.rust).to_string();
            if !run.is_empty() && (gate != run_gate || run.len() == CHUNK) {
                out.push(std::mem::take(&mut run));
            }
            run_gate = gate;
            run.push(def);
        }
        if !run.is_empty() {
            out.push(run);
        }
    } else {
        out = defs.chunks(CHUNK).map(<[&TypeDef]>::to_vec).collect();
    }
    if out.is_empty() {
        out.push(Vec::new());
    }
    out
}

/// The tokens of chunk `index` of `models.rs` (see [`chunks`]); the first
/// chunk carries the module docs. A gated chunk is a private module under
/// the gate, re-exported whole under the same gate: the gate is written
/// twice per chunk rather than on every item of every type.
pub fn models_chunk(defs: &[&TypeDef], index: usize, boxed: &Boxing, gates: &Gates) -> TokenStream {
    let items = defs.iter().map(|def| match &def.kind {
        TypeKind::Struct(s) => struct_def(def, s, boxed),
        TypeKind::Enum(e) => enum_def(def, e),
        TypeKind::Union(u) => union_def(def, u, boxed),
        TypeKind::Alias(t) => {
            let docs = type_docs(def);
            let name = ident(&def.name.rust);
            let ty = rust_type(t);
            quote! { #docs pub type #name = #ty; }
        }
    });
    let module_doc = (index == 0)
        .then(|| quote!(#![doc = " Request and response types, one per schema in the spec."]));
    let gate = defs
        .first()
        .map(|def| gates.get(&def.name.rust))
        .unwrap_or_default();
    if gate.is_empty() {
        return quote! {
            #module_doc
            #(#items)*
        };
    }
    let module = quote::format_ident!("gated_{}", index);
    quote! {
        #module_doc
        #gate
        mod #module {
            #(#items)*
        }
        #gate
        pub use #module::*;
    }
}

/// Which Cargo feature gates what ([`crate::Settings::tag_features`]): the
/// features of each type (see [`crate::graph::tag_reach`]), and every
/// feature, for the types no tag reaches. Every emitter that gates an item
/// asks here.
pub struct Gates {
    /// Whether the crate has per-tag features at all.
    pub enabled: bool,
    /// Type name -> the features that reach it.
    pub reach: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    /// Every tag feature.
    pub all: Vec<String>,
}

impl Gates {
    /// The gates of `api`'s types; none unless `enabled`.
    pub fn of(api: &Api, enabled: bool) -> Gates {
        // A spec without tags (webhooks only) has no tag features at all.
        let enabled = enabled && !api.tags.is_empty();
        Gates {
            enabled,
            reach: if enabled {
                crate::graph::tag_reach(api)
            } else {
                Default::default()
            },
            all: api.tags.iter().map(crate::graph::tag_feature).collect(),
        }
    }

    /// The `cfg` of a tag's own items (its module, page, test-kit handle).
    pub fn tag(&self, tag: &crate::ir::Tag) -> TokenStream {
        if !self.enabled {
            return TokenStream::new();
        }
        let feature = crate::graph::tag_feature(tag);
        quote!(#[cfg(feature = #feature)])
    }

    /// The `cfg` a type's items carry: any feature that reaches it; a type no
    /// tag reaches is compiled only with every tag (the full build).
    pub fn get(&self, name: &str) -> TokenStream {
        if !self.enabled {
            return TokenStream::new();
        }
        match self.reach.get(name) {
            Some(tags) if tags.len() == 1 => {
                let tag = tags.iter().next();
                quote!(#[cfg(feature = #tag)])
            }
            Some(tags) if !tags.is_empty() => {
                let tags = tags.iter();
                quote!(#[cfg(any(#(feature = #tags),*))])
            }
            _ if self.all.len() == 1 => {
                let tag = &self.all[0];
                quote!(#[cfg(feature = #tag)])
            }
            _ => {
                let tags = self.all.iter();
                quote!(#[cfg(all(#(feature = #tags),*))])
            }
        }
    }
}

fn type_docs(def: &TypeDef) -> TokenStream {
    let mut text = def
        .description
        .clone()
        .unwrap_or_else(|| format!("The `{}` schema.", def.name.wire));
    text.push_str(&format!("\n\nSchema: `{}`", def.pointer));
    doc_attrs(&text)
}

/// A field's type without its `Option`.
fn inner_type(def: &TypeDef, f: &Field, boxed: &Boxing) -> TokenStream {
    let ty = rust_type(&f.ty);
    if boxed.is_boxed(&def.name.rust, &f.name.rust) {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    }
}

fn field_type(def: &TypeDef, f: &Field, boxed: &Boxing) -> TokenStream {
    let ty = inner_type(def, f, boxed);
    if f.is_option() {
        quote!(::std::option::Option<#ty>)
    } else {
        ty
    }
}

/// Whether `new` takes this field (one it takes) as `impl Into<String>`, so that
/// `&str` arguments need no `.to_string()`.
fn takes_into_string(def: &TypeDef, f: &Field, boxed: &Boxing) -> bool {
    f.ty == TypeRef::String && !boxed.is_boxed(&def.name.rust, &f.name.rust)
}

fn field_doc(f: &Field) -> TokenStream {
    // A description that cleans to nothing (`""`) would leave the field
    // undocumented, which `missing_docs` refuses.
    let mut text = f
        .description
        .clone()
        .filter(|d| !super::docs::clean(d).trim().is_empty())
        .unwrap_or_else(|| format!("The `{}` property.", f.name.wire));
    let mut notes = Vec::new();
    if f.required && f.nullable {
        notes.push("Always present; may be `null`.".to_string());
    }
    if f.read_only {
        notes.push("Read-only: set by the server, never sent.".to_string());
    }
    if f.deprecated {
        notes.push("Deprecated.".to_string());
    }
    if let Some(d) = &f.default {
        notes.push(format!("Server default: `{d}`."));
    }
    if !notes.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&notes.join(" "));
    }
    doc_attrs(&text)
}

fn struct_def(def: &TypeDef, s: &Struct, boxed: &Boxing) -> TokenStream {
    let docs = type_docs(def);
    let name = ident(&def.name.rust);
    let mut fields = Vec::new();
    let open = s.additional.is_some();
    for f in &s.fields {
        let doc = field_doc(f);
        let fname = ident(&f.name.rust);
        let ty = field_type(def, f, boxed);
        let attrs = open.then(|| open_struct_attrs(f));
        fields.push(quote! { #doc #attrs pub #fname: #ty, });
    }
    let extra_name = extra_field_name(s);
    if let Some(extra) = &s.additional {
        let ty = rust_type(extra);
        let f = ident(&extra_name);
        fields.push(quote! {
            /// Properties not declared in the schema, kept as they came.
            #[serde(flatten)]
            pub #f: ::std::collections::BTreeMap<::std::string::String, #ty>,
        });
    }
    // `new` takes the fields a request must carry; a struct without any
    // has `Default` instead.
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.needed_in_requests()).collect();
    let derive_default = required
        .is_empty()
        .then(|| quote!(::std::default::Default,));
    let ctor = (!required.is_empty()).then(|| {
        let args = required.iter().map(|f| {
            let n = ident(&f.name.rust);
            let ty = if takes_into_string(def, f, boxed) {
                quote!(impl ::std::convert::Into<::std::string::String>)
            } else {
                inner_type(def, f, boxed)
            };
            quote!(#n: #ty)
        });
        let inits = s.fields.iter().map(|f| {
            let n = ident(&f.name.rust);
            let value = if takes_into_string(def, f, boxed) {
                quote!(#n.into())
            } else {
                quote!(#n)
            };
            match (f.needed_in_requests(), f.is_option()) {
                (false, _) => quote!(#n: ::std::option::Option::None),
                (true, true) => quote!(#n: ::std::option::Option::Some(#value)),
                (true, false) if takes_into_string(def, f, boxed) => quote!(#n: #value),
                (true, false) => quote!(#n),
            }
        });
        let extra_init = s.additional.as_ref().map(|_| {
            let f = ident(&extra_name);
            quote!(#f: ::std::collections::BTreeMap::new(),)
        });
        let names: Vec<String> = required
            .iter()
            .map(|f| format!("`{}`", f.name.rust.trim_start_matches("r#")))
            .collect();
        let new_doc = doc_attrs_raw(&format!(
            "A value with the required fields set and every optional field empty.\n\nThe arguments, in order: {}.",
            names.join(", ")
        ));
        let too_many = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            impl #name {
                #new_doc
                #too_many
                pub fn new(#(#args),*) -> Self {
                    Self { #(#inits,)* #extra_init }
                }
            }
        }
    });
    let (serde_derive, ser, de) = if open {
        (
            quote!(::serde::Serialize, ::serde::Deserialize,),
            None,
            None,
        )
    } else {
        (
            quote!(),
            Some(struct_serialize(def, s)),
            Some(struct_deserialize(def, s)),
        )
    };
    quote! {
        #docs
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #derive_default #serde_derive)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #ctor
        #ser
        #de
    }
}

/// Whether serializing leaves the field out when it is `None`. Read-only
/// fields are optional so that requests can leave them out; a required
/// nullable field is always sent, as `null` when empty.
fn skipped_when_none(f: &Field) -> bool {
    f.is_option() && (!f.required || f.read_only)
}

/// `Serialize` for a struct that ignores undeclared properties, written out
/// rather than derived (see `runtime/de.rs` for why): its `runtime::ser::Fields`
/// lists the fields in declaration order under their wire names, and
/// `runtime::ser::serialize_struct` makes the derive's calls from that list.
fn struct_serialize(def: &TypeDef, s: &Struct) -> TokenStream {
    let name = ident(&def.name.rust);
    let rust_name = &def.name.rust;
    let writes = s.fields.iter().map(|f| {
        let n = ident(&f.name.rust);
        let wire = &f.name.wire;
        if f.read_only {
            quote!(out.read_only(#wire, &self.#n);)
        } else if skipped_when_none(f) {
            quote!(out.optional(#wire, &self.#n);)
        } else {
            quote!(out.field(#wire, &self.#n);)
        }
    });
    let out = if s.fields.is_empty() {
        quote!(_out)
    } else {
        quote!(out)
    };
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                crate::runtime::ser::serialize_struct(self, serializer)
            }
        }

        impl crate::runtime::ser::Fields for #name {
            const NAME: &'static str = #rust_name;

            fn write<W: crate::runtime::ser::Writer>(&self, #out: &mut W) {
                #(#writes)*
            }
        }
    }
}

/// A local name of a generated fn body that no field's slot takes:
/// `base`, or `base_`, `base__`...
fn local_name(s: &Struct, base: &str) -> proc_macro2::Ident {
    let mut n = base.to_string();
    while s.fields.iter().any(|f| f.name.rust == n) {
        n.push('_');
    }
    ident(&n)
}

/// `Deserialize` for a struct that ignores undeclared properties, written
/// out rather than derived: its `runtime::de::FromMap` has a slot per field,
/// named after it, that one `runtime::de::read_fields` call fills (see
/// there for the behaviour, the derive's).
fn struct_deserialize(def: &TypeDef, s: &Struct) -> TokenStream {
    let name = ident(&def.name.rust);
    let rust_name = &def.name.rust;
    let map = local_name(s, "map");
    let read = local_name(s, "read");
    let names = s.fields.iter().map(|f| &f.name.wire);
    // Untyped: each slot's type is inferred from the field it fills, which
    // costs the compiler less than reading the type written out.
    let slots = s.fields.iter().map(|f| {
        let n = ident(&f.name.rust);
        quote!(let mut #n = ::std::option::Option::None;)
    });
    let slot_refs = s.fields.iter().enumerate().map(|(k, f)| {
        let n = ident(&f.name.rust);
        // The first one typed, for the array's element type.
        if k == 0 {
            quote!(&mut #n as &mut dyn crate::runtime::de::Slot<'de, A>)
        } else {
            quote!(&mut #n)
        }
    });
    let inits = s.fields.iter().map(|f| {
        let n = ident(&f.name.rust);
        if f.is_option() {
            quote!(#n: #n.flatten())
        } else {
            quote!(#n)
        }
    });
    // The required fields are checked all at once, with one early return,
    // rather than with a `?` each: every early return drops the values
    // still held, so a `?` per required field costs the compiler a
    // quadratic number of drops to check.
    let required: Vec<&Field> = s.fields.iter().filter(|f| !f.is_option()).collect();
    let check_required = (!required.is_empty()).then(|| {
        let values = required.iter().map(|f| ident(&f.name.rust));
        let slots = values.clone();
        let names = required.iter().map(|f| &f.name.wire);
        quote! {
            let (#(::std::option::Option::Some(#values),)*) = (#(#slots,)*) else {
                return ::std::result::Result::Err(#read.missing(&[#(#names),*]));
            };
        }
    });
    let read_binding = if required.is_empty() {
        quote!()
    } else {
        quote!(let #read =)
    };
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                crate::runtime::de::from_map(deserializer)
            }
        }

        impl<'de> crate::runtime::de::FromMap<'de> for #name {
            const NAME: &'static str = #rust_name;
            const FIELDS: &'static [&'static str] = &[#(#names),*];

            fn from_map<A: ::serde::de::MapAccess<'de>>(mut #map: A) -> ::std::result::Result<Self, A::Error> {
                #(#slots)*
                #read_binding crate::runtime::de::read_fields(&mut #map, Self::FIELDS, &mut [#(#slot_refs),*])?;
                #check_required
                ::std::result::Result::Ok(Self { #(#inits,)* })
            }
        }
    }
}

/// A struct that keeps its undeclared properties derives its serde impls
/// with `#[serde(flatten)]`: only the derive's private buffering decodes
/// them exactly as before in every format (errors at the same positions, a
/// flattened struct's keys left for the caller). Few schemas have them.
fn open_struct_attrs(f: &Field) -> TokenStream {
    let wire = &f.name.wire;
    let rename =
        (f.name.rust.trim_start_matches("r#") != wire).then(|| quote!(#[serde(rename = #wire)]));
    let default = f.is_option().then(|| quote!(#[serde(default)]));
    let skip = if f.read_only {
        quote!(#[serde(skip_serializing_if = "crate::runtime::ser::skips_read_only")])
    } else if skipped_when_none(f) {
        quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")])
    } else {
        quote!()
    };
    quote!(#rename #default #skip)
}

fn extra_field_name(s: &Struct) -> String {
    let mut n = "additional_properties".to_string();
    while s.fields.iter().any(|f| f.name.rust == n) {
        n.push('_');
    }
    n
}

fn enum_def(def: &TypeDef, e: &Enum) -> TokenStream {
    let docs = type_docs(def);
    let name = ident(&def.name.rust);
    let unknown = ident(&e.unknown);
    let variants = e.variants.iter().map(|v| {
        let id = ident(&v.rust);
        let doc = format!(" `{}`", v.wire);
        quote!(#[doc = #doc] #id,)
    });
    let to_str = e.variants.iter().map(|v| {
        let id = ident(&v.rust);
        let wire = &v.wire;
        quote!(Self::#id => #wire,)
    });
    let from_str = e.variants.iter().map(|v| {
        let id = ident(&v.rust);
        let wire = &v.wire;
        quote!(#wire => Self::#id,)
    });
    let all = e.variants.iter().map(|v| {
        let id = ident(&v.rust);
        quote!(Self::#id)
    });
    let n = e.variants.len();
    quote! {
        #docs
        ///
        /// Values this SDK does not know yet are kept in the catch-all
        /// variant and sent back unchanged.
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value that was not in the spec when this SDK was generated.
            #unknown(::std::string::String),
        }

        impl #name {
            /// Every value the spec lists, in spec order.
            pub const ALL: [Self; #n] = [#(#all),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(other) => other,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::#unknown(_) => Self::#unknown(value),
                    known => known,
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            // Not `Self::Err`: a variant may be named `Err`.
            fn from_str(value: &str) -> ::std::result::Result<Self, ::std::convert::Infallible> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value))
            }
        }
    }
}

fn union_def(def: &TypeDef, u: &Union, boxed: &Boxing) -> TokenStream {
    let docs = type_docs(def);
    let name = ident(&def.name.rust);
    let payload = |v: &crate::ir::UnionVariant| {
        let ty = rust_type(&v.ty);
        if boxed.is_boxed(&def.name.rust, &v.name) {
            quote!(::std::boxed::Box<#ty>)
        } else {
            ty
        }
    };
    let variants = u.variants.iter().map(|v| {
        let id = ident(&v.name);
        let ty = payload(v);
        let doc = format!(" Holds a value of type `{}`.", v.ty);
        quote!(#[doc = #doc] #id(#ty),)
    });
    let Some(prop) = &u.discriminator else {
        return quote! {
            #docs
            ///
            /// Decoding tries the variants in order and keeps the first that fits.
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            // The variants are the spec's schemas, whatever their sizes.
            #[allow(clippy::large_enum_variant)]
            #[serde(untagged)]
            #[non_exhaustive]
        pub enum #name {
                #(#variants)*
            }
        };
    };
    // With a discriminator: dispatch on it, and fall back to trying the
    // variants in order for values it does not name.
    let tagged = u.variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
        let id = ident(&v.name);
        let tags = &v.tags;
        quote! {
            #(::std::option::Option::Some(#tags))|* => ::serde_json::from_value(value).map(Self::#id).map_err(::serde::de::Error::custom),
        }
    });
    let tries = u.variants.iter().map(|v| {
        let id = ident(&v.name);
        quote! {
            if let ::std::result::Result::Ok(v) = ::serde_json::from_value(value.clone()) {
                return ::std::result::Result::Ok(Self::#id(v));
            }
        }
    });
    let disc_doc = format!(" Decoding dispatches on the `{prop}` property.");
    let msg = format!("no variant of {} matches the value", def.name.rust);
    quote! {
        #docs
        ///
        #[doc = #disc_doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::serde::Serialize)]
        #[allow(clippy::large_enum_variant)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                match value.get(#prop).and_then(::serde_json::Value::as_str) {
                    #(#tagged)*
                    _ => {
                        #(#tries)*
                        ::std::result::Result::Err(::serde::de::Error::custom(#msg))
                    }
                }
            }
        }
    }
}
