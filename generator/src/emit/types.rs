//! `TypeRef` -> Rust type tokens. Every path is absolute, so no user type
//! can shadow `String`, `Option` or `Vec`.

use crate::ir::TypeRef;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier, raw when the name says `r#`.
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type for a `TypeRef`.
pub fn rust_type(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::String | TypeRef::Bytes => quote!(::std::string::String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        TypeRef::Date => quote!(::chrono::NaiveDate),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::JsonObject => {
            quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>)
        }
        TypeRef::JsonPatch => quote!(crate::patch::JsonPatch),
        TypeRef::Named(n) => {
            let n = ident(n);
            quote!(crate::models::#n)
        }
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
    }
}

/// A short human-readable name for docs (`Vec<MachineIdentityResponse>`).
pub fn display_type(t: &TypeRef) -> String {
    match t {
        TypeRef::String | TypeRef::Bytes => "String".into(),
        TypeRef::Bool => "bool".into(),
        TypeRef::I32 => "i32".into(),
        TypeRef::I64 => "i64".into(),
        TypeRef::F64 => "f64".into(),
        TypeRef::DateTime => "DateTime<Utc>".into(),
        TypeRef::Date => "NaiveDate".into(),
        TypeRef::Json => "serde_json::Value".into(),
        TypeRef::JsonObject => "serde_json::Map<String, Value>".into(),
        TypeRef::JsonPatch => "JsonPatch".into(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Vec(inner) => format!("Vec<{}>", display_type(inner)),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", display_type(inner)),
    }
}
