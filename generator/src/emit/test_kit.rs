//! `src/test_kit.rs` (behind the crate's `test-kit` feature): the typed
//! layer of the mock tenant. One handle per tag and one expectation builder
//! per operation, and the static description of every operation and named
//! type that the hand-written validator (`templates/src/test_kit/`) holds
//! each request to. Everything here comes from the IR.

use super::types::{ident, rust_type};
use crate::ir::*;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeSet;

/// Methods of `Kit` that a tag accessor must not take.
const KIT_METHODS: &[&str] = &[
    "start",
    "url",
    "client",
    "client_builder",
    "expire_token",
    "token_replies",
    "tokens_issued",
    "calls",
    "calls_to",
    "operations_called",
    "problems",
    "verify",
    "assert_verified",
    "expect",
    "start_with",
];

/// Methods of an expectation builder that a parameter method must not take.
const EXPECT_METHODS: &[&str] = &[
    "with_body",
    "query",
    "matching",
    "times",
    "reply",
    "replies",
    "respond",
];

fn ty(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::String => quote!(schema::Ty::String),
        TypeRef::Bool => quote!(schema::Ty::Bool),
        TypeRef::I32 | TypeRef::I64 => quote!(schema::Ty::Int),
        TypeRef::F64 => quote!(schema::Ty::Number),
        TypeRef::DateTime => quote!(schema::Ty::DateTime),
        TypeRef::Date => quote!(schema::Ty::Date),
        TypeRef::Json => quote!(schema::Ty::Any),
        TypeRef::JsonObject => quote!(schema::Ty::Object),
        TypeRef::Bytes => quote!(schema::Ty::Bytes),
        TypeRef::JsonPatch => quote!(schema::Ty::Patch),
        TypeRef::Named(n) => quote!(schema::Ty::Named(#n)),
        TypeRef::Vec(inner) => {
            let inner = ty(inner);
            quote!(schema::Ty::Vec(&#inner))
        }
        TypeRef::Map(inner) => {
            let inner = ty(inner);
            quote!(schema::Ty::Map(&#inner))
        }
    }
}

fn type_spec(def: &TypeDef) -> TokenStream {
    let name = &def.name.rust;
    let pointer = &def.pointer;
    let kind = match &def.kind {
        TypeKind::Struct(s) => {
            let fields = s.fields.iter().map(|f| {
                let (wire, t, required, nullable, read_only, pointer) = (
                    &f.name.wire,
                    ty(&f.ty),
                    f.required,
                    f.nullable,
                    f.read_only,
                    &f.pointer,
                );
                quote! {
                    schema::FieldSpec { name: #wire, ty: #t, required: #required, nullable: #nullable, read_only: #read_only, pointer: #pointer }
                }
            });
            quote!(schema::Kind::Struct(&[#(#fields),*]))
        }
        TypeKind::Enum(e) => {
            let values = e.variants.iter().map(|v| &v.wire);
            quote!(schema::Kind::Enum(&[#(#values),*]))
        }
        TypeKind::Union(u) => {
            let variants = u.variants.iter().map(|v| ty(&v.ty));
            quote!(schema::Kind::Union(&[#(#variants),*]))
        }
        TypeKind::Alias(t) => {
            let t = ty(t);
            quote!(schema::Kind::Alias(#t))
        }
    };
    quote!(schema::TypeSpec { name: #name, pointer: #pointer, kind: #kind })
}

fn op_spec(op: &Operation) -> TokenStream {
    let (id, method, path, pointer) = (&op.id.wire, op.method.as_str(), &op.path, &op.pointer);
    let params = op.params.iter().map(|p| {
        let loc = match p.location {
            ParamLocation::Path => quote!(schema::Loc::Path),
            ParamLocation::Query => quote!(schema::Loc::Query),
            ParamLocation::Header => quote!(schema::Loc::Header),
            ParamLocation::Cookie => quote!(schema::Loc::Cookie),
        };
        let (name, required, t, pointer) = (&p.spec_name, p.required, ty(&p.ty), &p.pointer);
        quote!(schema::ParamSpec { name: #name, loc: #loc, required: #required, ty: #t, pointer: #pointer })
    });
    let body = match &op.body {
        None => quote!(::std::option::Option::None),
        Some(b) => {
            let json = matches!(b.kind, BodyKind::Json | BodyKind::JsonPatch);
            let (media, required, t, pointer) = (&b.media_type, b.required, ty(&b.ty), &b.pointer);
            quote!(::std::option::Option::Some(schema::BodySpec {
                media_type: #media, required: #required, json: #json, ty: #t, pointer: #pointer
            }))
        }
    };
    quote! {
        schema::OpSpec { id: #id, method: #method, path: #path, pointer: #pointer, params: &[#(#params),*], body: #body, types: TYPES }
    }
}

/// The typed `respond` of an operation: its first success response.
fn respond(op: &Operation) -> TokenStream {
    let Some(ok) = op.successes().into_iter().next().cloned() else {
        return quote!();
    };
    let status = match ok.status {
        Status::Code(c) => c,
        Status::Range(r) => r * 100,
        Status::Default => 200,
    };
    let doc = format!(" Answers matching calls `{}` with this body.", ok.status);
    match &ok.body {
        ResponseBody::Json { ty: t, .. } => {
            let t = rust_type(t);
            quote! {
                #[doc = #doc]
                pub fn respond(self, body: #t) -> Mocked<'k> {
                    self.inner.reply(Reply::json(#status, &body))
                }
            }
        }
        ResponseBody::Empty => {
            let doc = format!(" Answers matching calls `{}` with no body.", ok.status);
            quote! {
                #[doc = #doc]
                pub fn respond(self) -> Mocked<'k> {
                    self.inner.reply(Reply::status(#status))
                }
            }
        }
        ResponseBody::Text { media_type } | ResponseBody::Bytes { media_type } => quote! {
            #[doc = #doc]
            pub fn respond(self, body: impl ::std::convert::Into<::std::vec::Vec<u8>>) -> Mocked<'k> {
                self.inner.reply(Reply::status(#status).header("content-type", #media_type).body(body))
            }
        },
    }
}

fn op_builder(op: &Operation, index: usize, gate: &TokenStream) -> (TokenStream, TokenStream) {
    let builder = format_ident!("{}Expect", op.type_name.trim_start_matches("r#"));
    let method = ident(&op.id.rust);
    let entry_doc = format!(
        " Expects `{} {}` (`{}`).",
        op.method.as_str(),
        op.path,
        op.id.wire
    );
    let index = Literal::usize_unsuffixed(index);
    let entry = quote! {
        #[doc = #entry_doc]
        pub fn #method(&self) -> #builder<'k> {
            #builder { inner: self.kit.expect(&OPERATIONS[#index]) }
        }
    };
    let mut taken: BTreeSet<String> = EXPECT_METHODS.iter().map(|s| s.to_string()).collect();
    let mut methods = Vec::new();
    for p in &op.params {
        let base = format!("with_{}", p.name.rust.trim_start_matches("r#"));
        let mut name = base.clone();
        while !taken.insert(name.clone()) {
            name.push('_');
        }
        let m = format_ident!("{}", name);
        let wire = &p.spec_name;
        match (p.location, &p.ty) {
            (ParamLocation::Path, _) => {
                let doc = format!(" Only calls whose path parameter `{wire}` is this value.");
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn #m(mut self, value: impl ::std::string::ToString) -> Self {
                        self.inner = self.inner.path_param(#wire, value.to_string());
                        self
                    }
                });
            }
            (ParamLocation::Query, TypeRef::String) => {
                let doc = format!(" Only calls whose query has `{wire}` with this value.");
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn #m(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                        self.inner = self.inner.query(#wire, value.into());
                        self
                    }
                });
            }
            (
                ParamLocation::Query,
                t
                @ (TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 | TypeRef::Named(_)),
            ) => {
                let doc = format!(" Only calls whose query has `{wire}` with this value.");
                let t = rust_type(t);
                methods.push(quote! {
                    #[doc = #doc]
                    pub fn #m(mut self, value: #t) -> Self {
                        self.inner = self.inner.query(#wire, query_text(&value));
                        self
                    }
                });
            }
            _ => {}
        }
    }
    let body = op.body.as_ref().and_then(|b| {
        matches!(b.kind, BodyKind::Json | BodyKind::JsonPatch).then(|| {
            let t = rust_type(&b.ty);
            quote! {
                /// Only calls whose JSON body equals this value's JSON.
                pub fn with_body(mut self, body: &#t) -> Self {
                    self.inner = self.inner.json_body(body);
                    self
                }
            }
        })
    });
    let respond = respond(op);
    let doc = format!(
        " An expectation of `{}`; register it with `respond`, `reply` or `replies`.",
        op.id.wire
    );
    let item = quote! {
        #[doc = #doc]
        #gate
        #[derive(::std::fmt::Debug)]
        pub struct #builder<'k> {
            inner: Expect<'k>,
        }

        #gate
        impl<'k> #builder<'k> {
            #(#methods)*
            #body
            /// Only calls whose query has `name=value` (any parameter).
            pub fn query(mut self, name: &'static str, value: impl ::std::string::ToString) -> Self {
                self.inner = self.inner.query(name, value);
                self
            }
            /// Only calls this predicate accepts.
            pub fn matching(mut self, predicate: impl Fn(&Call) -> bool + ::std::marker::Send + 'static) -> Self {
                self.inner = self.inner.matching(predicate);
                self
            }
            /// Expects exactly `n` calls (the default is at least one).
            pub fn times(mut self, n: usize) -> Self {
                self.inner = self.inner.times(n);
                self
            }
            #respond
            /// Answers every matching call with this reply (any status, headers, body).
            pub fn reply(self, reply: Reply) -> Mocked<'k> {
                self.inner.reply(reply)
            }
            /// Answers matching calls with these replies in order; the last repeats.
            pub fn replies(self, replies: impl ::std::iter::IntoIterator<Item = Reply>) -> Mocked<'k> {
                self.inner.replies(replies)
            }
        }
    };
    (entry, item)
}

/// The whole file.
///
/// With per-tag features, each tag's handle, accessor and expectation
/// builders carry the tag's `cfg` (they name its model types); the static
/// description (`TYPES`, `OPERATIONS`) names types by string only and stays.
pub fn test_kit(api: &Api, gates: &super::models::Gates) -> TokenStream {
    let types = api.types.values().map(type_spec);
    let ops: Vec<&Operation> = api.tags.iter().flat_map(|t| &t.operations).collect();
    let specs = ops.iter().map(|op| op_spec(op));
    let mut index = 0;
    let mut accessors = Vec::new();
    let mut items = Vec::new();
    let mut taken: BTreeSet<String> = KIT_METHODS.iter().map(|s| s.to_string()).collect();
    let mut handles = BTreeSet::new();
    for tag in &api.tags {
        // Named after the tag's module, which is unique (two tags may share
        // a handle name).
        let mut handle = format!(
            "{}Mock",
            crate::ident::type_ident(tag.name.rust.trim_start_matches("r#"))
        );
        while !handles.insert(handle.clone()) {
            handle.push('_');
        }
        let handle = format_ident!("{}", handle);
        let mut accessor = tag.name.rust.trim_start_matches("r#").to_string();
        while !taken.insert(accessor.clone()) {
            accessor.push('_');
        }
        let accessor = ident(&accessor);
        let gate = gates.tag(tag);
        let mut entries = Vec::new();
        for op in &tag.operations {
            let (entry, item) = op_builder(op, index, &gate);
            index += 1;
            entries.push(entry);
            items.push(item);
        }
        let doc = format!(
            " Expectations for the operations tagged *{}*.",
            tag.name.wire
        );
        accessors.push(quote! {
            #[doc = #doc]
            #gate
            pub fn #accessor(&self) -> #handle<'_> {
                #handle { kit: self }
            }
        });
        items.push(quote! {
            #[doc = #doc]
            #gate
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy)]
            pub struct #handle<'k> {
                kit: &'k Kit,
            }

            #gate
            impl<'k> #handle<'k> {
                #(#entries)*
            }
        });
    }
    quote! {
        //! A typed mock tenant for testing code that uses this SDK (feature
        //! `test-kit`): expectations per operation, sequences, the token
        //! endpoint, verification, and validation of every request against
        //! the spec. See `docs/testing.md`.

        mod engine;
        pub mod schema;

        pub use engine::{Call, Expect, Kit, Mocked, Reply, VerifyReport, CLIENT_ID, CLIENT_SECRET};

        /// Every named type of the spec, as the validator sees it.
        pub static TYPES: &[schema::TypeSpec] = &[#(#types),*];

        /// Every operation of the spec, as the validator sees it.
        pub static OPERATIONS: &[schema::OpSpec] = &[#(#specs),*];

        /// A query value as the SDK writes it: strings as they are, other
        /// values as JSON.
        #[allow(dead_code)] // Unused by a spec without query parameters.
        fn query_text(value: &impl ::serde::Serialize) -> ::std::string::String {
            match ::serde_json::to_value(value) {
                ::std::result::Result::Ok(::serde_json::Value::String(s)) => s,
                ::std::result::Result::Ok(other) => other.to_string(),
                ::std::result::Result::Err(_) => ::std::string::String::new(),
            }
        }

        impl Kit {
            /// Starts a mock tenant on loopback for this spec's operations.
            pub fn start() -> Kit {
                Kit::start_with(OPERATIONS)
            }
            #(#accessors)*
        }

        #(#items)*
    }
}
