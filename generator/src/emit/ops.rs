//! One module per tag: the handle type, one builder per operation, its
//! error enum, and for list operations the typed filter scope and sort enum.

use super::docs::{clean, doc_attrs, doc_attrs_raw, inner_doc_attrs};
use super::types::{display_type, ident, rust_type};
use crate::ir::*;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The module for one tag.
pub fn tag_module(api: &Api, tag: &Tag) -> TokenStream {
    let module_doc = inner_doc_attrs(&format!(
        "Operations tagged *{}*.{}",
        tag.name.wire,
        tag.description
            .as_deref()
            .map(|d| format!("\n\n{d}"))
            .unwrap_or_default()
    ));
    let handle = ident(&tag.handle);
    let accessor = ident(&tag.name.rust);
    let handle_doc = format!(
        " Operations tagged *{}*; get one from [`Client::{}`](crate::Client::{}).",
        tag.name.wire,
        tag.name.rust.trim_start_matches("r#"),
        tag.name.rust.trim_start_matches("r#")
    );
    let accessor_doc = format!(" Operations tagged *{}*.", tag.name.wire);
    let methods = tag.operations.iter().map(|op| entry_method(tag, op));
    let items = tag
        .operations
        .iter()
        .map(|op| operation_items(api, tag, op));
    quote! {
        #module_doc

        #[doc = #handle_doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone)]
        pub struct #handle {
            client: crate::Client,
        }

        impl crate::Client {
            #[doc = #accessor_doc]
            pub fn #accessor(&self) -> #handle {
                #handle { client: self.clone() }
            }
        }

        impl #handle {
            #(#methods)*
        }

        #(#items)*
    }
}

fn required_args(op: &Operation) -> Vec<(&Name, &TypeRef, bool)> {
    let mut out: Vec<(&Name, &TypeRef, bool)> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| (&p.name, &p.ty, false))
        .collect();
    match op.body.as_ref() {
        Some(b) if b.kind == BodyKind::Multipart && b.form.is_empty() => {
            out.push((&BODY, &b.ty, true));
        }
        Some(b) if b.kind == BodyKind::Multipart => {
            // Each form field is an argument or a setter of its own.
            out.extend(
                b.form
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| (&f.name, &f.ty, false)),
            );
        }
        Some(b) if b.required => out.push((&BODY, &b.ty, true)),
        _ => {}
    }
    out
}

/// Optional form fields of a multipart body.
fn optional_form_fields(op: &Operation) -> Vec<&Field> {
    match op.body.as_ref() {
        Some(b) if b.kind == BodyKind::Multipart => b.form.iter().filter(|f| !f.required).collect(),
        _ => Vec::new(),
    }
}

/// The Rust type of an argument: file uploads (`Bytes`) are `FilePart`s.
fn arg_rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Bytes => quote!(crate::FilePart),
        TypeRef::Vec(inner) if **inner == TypeRef::Bytes => {
            quote!(::std::vec::Vec<crate::FilePart>)
        }
        other => rust_type(other),
    }
}

static BODY: Name = Name {
    rust: String::new(),
    wire: String::new(),
};

fn body_ident() -> proc_macro2::Ident {
    format_ident!("body")
}

/// `impl Into<String>` for strings, the type itself otherwise.
fn arg_type(ty: &TypeRef, is_body: bool, body: Option<&RequestBody>) -> TokenStream {
    if is_body {
        if let Some(b) = body {
            if matches!(b.kind, BodyKind::Bytes) {
                return quote!(impl ::std::convert::Into<::bytes::Bytes>);
            }
        }
    }
    match ty {
        TypeRef::String => quote!(impl ::std::convert::Into<::std::string::String>),
        other => arg_rust_type(other),
    }
}

fn stored_type(ty: &TypeRef, is_body: bool, body: Option<&RequestBody>) -> TokenStream {
    if is_body && body.is_some_and(|b| matches!(b.kind, BodyKind::Bytes)) {
        return quote!(::bytes::Bytes);
    }
    arg_rust_type(ty)
}

fn convert(
    ty: &TypeRef,
    name: &proc_macro2::Ident,
    is_body: bool,
    body: Option<&RequestBody>,
) -> TokenStream {
    if is_body && body.is_some_and(|b| matches!(b.kind, BodyKind::Bytes)) {
        return quote!(#name.into());
    }
    match ty {
        TypeRef::String => quote!(#name.into()),
        _ => quote!(#name),
    }
}

fn success_type(op: &Operation) -> TokenStream {
    let ok: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    if op.has_success_enum() {
        let n = format_ident!("{}Success", op.type_name);
        return quote!(#n);
    }
    match ok.first().map(|r| &r.body) {
        None => quote!(::bytes::Bytes),
        Some(b) => body_type(b),
    }
}

fn body_type(b: &ResponseBody) -> TokenStream {
    match b {
        ResponseBody::Empty => quote!(()),
        ResponseBody::Json { ty, .. } => rust_type(ty),
        ResponseBody::Text { .. } => quote!(::std::string::String),
        ResponseBody::Bytes { .. } => quote!(::bytes::Bytes),
    }
}

fn method_docs(op: &Operation, tag: &Tag) -> String {
    let mut text = String::new();
    if let Some(s) = &op.summary {
        text.push_str(&clean(s));
        if !s.trim().ends_with('.') {
            text.push('.');
        }
        text.push_str("\n\n");
    }
    if let Some(d) = &op.description {
        text.push_str(&clean(d));
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "`{} {}` (operation `{}`)",
        op.method.as_str(),
        op.path,
        op.id.wire
    ));
    if op.experimental {
        text.push_str("\n\n**Experimental:** the client must opt in with [`ClientBuilder::experimental`](crate::ClientBuilder::experimental); otherwise the call fails with [`Error::ExperimentalNotEnabled`](crate::Error::ExperimentalNotEnabled) before anything is sent.");
    }
    if op.deprecated {
        text.push_str("\n\n**Deprecated** in the spec.");
    }
    let ok: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    text.push_str("\n\n# Returns\n\n");
    for r in &ok {
        let headers = if r.headers.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = r.headers.iter().map(|h| format!("`{}`", h.wire)).collect();
            format!(
                "; declared headers {} (read them with [`Response::headers`](crate::Response::headers))",
                names.join(", ")
            )
        };
        text.push_str(&format!(
            "- {}: {}{headers}\n",
            status_text(r.status),
            response_type_text(&r.body)
        ));
    }
    if ok.is_empty() {
        text.push_str("- any 2xx: the raw body\n");
    }
    text.push_str(&format!(
        "\nThe builder's `send` returns it in a [`Response`](crate::Response), with the status and headers.\n\n# Errors\n\nDocumented error statuses decode into [`{}Error`] inside [`Error::Api`](crate::Error::Api):\n\n",
        op.type_name
    ));
    for r in op.responses.iter().filter(|r| !r.status.is_success()) {
        text.push_str(&format!(
            "- {} → `{}`: {}\n",
            status_text(r.status),
            r.variant,
            response_type_text(&r.body)
        ));
    }
    text.push_str("\nAny other status is [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus), and a body that is not the declared type is [`Error::Decode`](crate::Error::Decode); both keep the raw body.");
    let _ = tag;
    text
}

fn status_text(s: Status) -> String {
    match s {
        Status::Code(c) => c.to_string(),
        Status::Range(r) => format!("{r}XX"),
        Status::Default => "other statuses".to_string(),
    }
}

fn response_type_text(b: &ResponseBody) -> String {
    match b {
        ResponseBody::Empty => "no body".into(),
        ResponseBody::Json { ty, .. } => format!("`{}`", display_type(ty)),
        ResponseBody::Text { media_type } => format!("text (`{media_type}`)"),
        ResponseBody::Bytes { media_type } => format!("bytes (`{media_type}`)"),
    }
}

fn entry_method(tag: &Tag, op: &Operation) -> TokenStream {
    let docs = doc_attrs_raw(&method_docs(op, tag));
    let name = ident(&op.id.rust);
    let builder = ident(&op.type_name);
    let req = required_args(op);
    let args = req.iter().map(|(n, ty, is_body)| {
        let id = if *is_body {
            body_ident()
        } else {
            ident(&n.rust)
        };
        let t = arg_type(ty, *is_body, op.body.as_ref());
        quote!(#id: #t)
    });
    let mut inits = vec![quote!(client: self.client.clone())];
    for (n, ty, is_body) in &req {
        let id = if *is_body {
            body_ident()
        } else {
            ident(&n.rust)
        };
        let c = convert(ty, &id, *is_body, op.body.as_ref());
        if c.to_string() == id.to_string().as_str() {
            inits.push(quote!(#id));
        } else {
            inits.push(quote!(#id: #c));
        }
    }
    for p in op.params.iter().filter(|p| !p.required) {
        let id = ident(&p.name.rust);
        inits.push(quote!(#id: ::std::option::Option::None));
    }
    for f in optional_form_fields(op) {
        let id = ident(&f.name.rust);
        inits.push(quote!(#id: ::std::option::Option::None));
    }
    if op
        .body
        .as_ref()
        .is_some_and(|b| !b.required && b.kind != BodyKind::Multipart)
    {
        inits.push(quote!(body: ::std::option::Option::None));
    }
    if op.pagination.is_some() {
        inits.push(quote!(max_items: ::std::option::Option::None));
    }
    let deprecated = op
        .deprecated
        .then(|| quote!(#[deprecated = "deprecated in the spec"]));
    quote! {
        #docs
        #deprecated
        pub fn #name(&self, #(#args),*) -> #builder {
            #builder { #(#inits),* }
        }
    }
}

fn operation_items(api: &Api, tag: &Tag, op: &Operation) -> TokenStream {
    let builder = ident(&op.type_name);
    let error = format_ident!("{}Error", op.type_name);
    let static_name = format_ident!(
        "{}",
        heck::ToShoutySnakeCase::to_shouty_snake_case(op.type_name.as_str())
    );
    let wire_id = &op.id.wire;
    let method = format_ident!("{}", op.method.as_str());
    let path = &op.path;
    let experimental = op.experimental;
    let entry = format!("{}::{}", tag.handle, op.id.rust.trim_start_matches("r#"));

    // Builder fields.
    let mut fields = vec![quote!(client: crate::Client)];
    for (n, ty, is_body) in required_args(op) {
        let id = if is_body {
            body_ident()
        } else {
            ident(&n.rust)
        };
        let t = stored_type(ty, is_body, op.body.as_ref());
        fields.push(quote!(#id: #t));
    }
    let mut setters = Vec::new();
    for p in op.params.iter().filter(|p| !p.required) {
        let id = ident(&p.name.rust);
        let t = rust_type(&p.ty);
        fields.push(quote!(#id: ::std::option::Option<#t>));
        let is_filters =
            p.name.wire == "filters" && op.filters.is_some() && p.ty == TypeRef::String;
        let is_sorters =
            p.name.wire == "sorters" && op.sorters.is_some() && p.ty == TypeRef::String;
        let doc = param_doc(p);
        if is_filters {
            let scope = format_ident!("{}Filter", op.type_name);
            let raw = format_ident!("{}_raw", p.name.rust.trim_start_matches("r#"));
            let typed_doc = format!(" Filters the results with a typed expression; see [`{scope}`] for the fields and operators this operation documents.");
            setters.push(quote! {
                #[doc = #typed_doc]
                pub fn #id(mut self, filter: crate::filter::Filter<#scope>) -> Self {
                    self.#id = ::std::option::Option::Some(filter.to_string());
                    self
                }
                #doc
                ///
                /// Sent as given; prefer the typed setter, which cannot produce an invalid expression.
                pub fn #raw(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                    self.#id = ::std::option::Option::Some(value.into());
                    self
                }
            });
            continue;
        }
        if is_sorters {
            let field = format_ident!("{}SortField", op.type_name);
            let raw = format_ident!("{}_raw", p.name.rust.trim_start_matches("r#"));
            let typed_doc =
                format!(" Sorts the results by the given fields, in order; see [`{field}`].");
            setters.push(quote! {
                #[doc = #typed_doc]
                pub fn #id<I>(mut self, sorters: I) -> Self
                where
                    I: ::std::iter::IntoIterator,
                    I::Item: ::std::convert::Into<crate::filter::Sort<#field>>,
                {
                    self.#id = crate::filter::render_sorters(sorters);
                    self
                }
                #doc
                ///
                /// Sent as given; prefer the typed setter.
                pub fn #raw(mut self, value: impl ::std::convert::Into<::std::string::String>) -> Self {
                    self.#id = ::std::option::Option::Some(value.into());
                    self
                }
            });
            continue;
        }
        setters.push(optional_setter(&id, doc, &p.ty, rust_type(&p.ty)));
    }
    for f in optional_form_fields(op) {
        let id = ident(&f.name.rust);
        let t = arg_rust_type(&f.ty);
        fields.push(quote!(#id: ::std::option::Option<#t>));
        let doc = doc_attrs(&format!(
            "{}\n\nSent as the `{}` part of the `multipart/form-data` body.",
            f.description.as_deref().unwrap_or("A form field."),
            f.name.wire
        ));
        setters.push(optional_setter(&id, doc, &f.ty, t));
    }
    if let Some(b) = op
        .body
        .as_ref()
        .filter(|b| !b.required && b.kind != BodyKind::Multipart)
    {
        let t = stored_type(&b.ty, true, Some(b));
        fields.push(quote!(body: ::std::option::Option<#t>));
        let doc = doc_attrs(b.description.as_deref().unwrap_or("The request body."));
        setters.push(quote! {
            #doc
            pub fn body(mut self, value: #t) -> Self {
                self.body = ::std::option::Option::Some(value);
                self
            }
        });
    }
    if op.pagination.is_some() {
        fields.push(quote!(max_items: ::std::option::Option<u64>));
        setters.push(quote! {
            /// The most items [`stream`](Self::stream) yields, across all pages. It never
            /// requests more than that. Ignored by `send`.
            pub fn max_items(mut self, max: u64) -> Self {
                self.max_items = ::std::option::Option::Some(max);
                self
            }
        });
    }

    // Request construction.
    let path_expr = path_expr(op);
    let mut build = Vec::new();
    let checks: Vec<TokenStream> = op
        .params
        .iter()
        .filter_map(|p| range_check(p, &static_name))
        .collect();
    let validate = (!checks.is_empty()).then(|| {
        quote! {
            /// Checks the parameters against the limits the spec documents.
            fn validate(&self) -> ::std::result::Result<(), crate::Error<#error>> {
                #(#checks)*
                ::std::result::Result::Ok(())
            }
        }
    });
    if validate.is_some() {
        build.push(quote!(self.validate()?;));
    }
    for p in op
        .params
        .iter()
        .filter(|p| matches!(p.location, ParamLocation::Query | ParamLocation::Header))
    {
        build.push(push_param(api, p));
    }
    let accept = accept(op);
    if let Some(a) = accept {
        build.push(quote!(req.accept = ::std::option::Option::Some(#a);));
    }
    if let Some(b) = op.body.as_ref().filter(|b| b.kind == BodyKind::Multipart) {
        let mut parts = Vec::new();
        for f in &b.form {
            let id = ident(&f.name.rust);
            let wire = &f.name.wire;
            let add = |v: TokenStream| match &f.ty {
                TypeRef::Bytes => quote!(form.file(#wire, #v);),
                TypeRef::Vec(inner) if **inner == TypeRef::Bytes => quote! {
                    for file in #v {
                        form.file(#wire, file);
                    }
                },
                TypeRef::Vec(inner) => {
                    let text = to_wire(api, inner, quote!(item));
                    quote! {
                        for item in #v {
                            form.text(#wire, #text);
                        }
                    }
                }
                other => {
                    let text = to_wire(api, other, v);
                    quote!(form.text(#wire, #text);)
                }
            };
            if f.required {
                parts.push(add(quote!(&self.#id)));
            } else {
                let inner = add(quote!(value));
                parts.push(quote! {
                    if let ::std::option::Option::Some(value) = &self.#id {
                        #inner
                    }
                });
            }
        }
        if b.form.is_empty() {
            // A free-form object: every entry is a text part.
            parts.push(quote! {
                for (name, value) in &self.body {
                    let text = match value {
                        ::serde_json::Value::String(s) => s.clone(),
                        other => ::std::string::ToString::to_string(other),
                    };
                    form.text(name, text);
                }
            });
        }
        build.push(quote! {
            let mut form = crate::runtime::Multipart::new();
            #(#parts)*
            req.body = ::std::option::Option::Some(form.into_body());
        });
    } else if let Some(b) = &op.body {
        let media = &b.media_type;
        let value = if b.required {
            quote!(&self.body)
        } else {
            quote!(body)
        };
        let make = match b.kind {
            BodyKind::Json | BodyKind::JsonPatch | BodyKind::Form | BodyKind::Multipart => {
                quote!(crate::runtime::Body::json(#media, #value)?)
            }
            BodyKind::Text => {
                quote!(crate::runtime::Body { content_type: ::std::borrow::Cow::Borrowed(#media), bytes: ::bytes::Bytes::from((#value).clone()) })
            }
            BodyKind::Bytes => {
                quote!(crate::runtime::Body { content_type: ::std::borrow::Cow::Borrowed(#media), bytes: (#value).clone() })
            }
        };
        if b.required {
            build.push(quote!(req.body = ::std::option::Option::Some(#make);));
        } else {
            build.push(quote! {
                if let ::std::option::Option::Some(body) = &self.body {
                    req.body = ::std::option::Option::Some(#make);
                }
            });
        }
    }

    // Response dispatch.
    let ok_ty = success_type(op);
    let arms = response_arms(op, &error);
    let success_enum = success_enum(op);
    let error_enum = error_enum(op, &error, &entry);
    let paging = paging(op, &builder, &error, &ok_ty, validate.is_some());
    let filter_items = filter_items(op);

    let builder_doc =
        format!("Request builder for [`{entry}`]: set optional parameters, then `.send().await`\n(or `.await` the builder itself).");
    let builder_doc = doc_attrs_raw(&builder_doc);
    let static_doc = format!(" Static facts about `{wire_id}`.");
    quote! {
        #[doc = #static_doc]
        static #static_name: crate::runtime::Operation = crate::runtime::Operation {
            id: #wire_id,
            method: ::reqwest::Method::#method,
            path_template: #path,
            experimental: #experimental,
        };

        #builder_doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone)]
        #[must_use = "a request builder does nothing until you `.send().await` it"]
        pub struct #builder {
            #(#fields,)*
        }

        impl #builder {
            #(#setters)*

            #validate

            /// Sends the request and decodes the response.
            pub async fn send(self) -> ::std::result::Result<crate::Response<#ok_ty>, crate::Error<#error>> {
                let path = #path_expr;
                #[allow(unused_mut)]
                let mut req = crate::runtime::Request::new(&#static_name, path);
                #(#build)*
                let raw = self.client.execute::<#error>(req).await?;
                match raw.status() {
                    #(#arms)*
                }
            }
        }

        impl ::std::future::IntoFuture for #builder {
            type Output = ::std::result::Result<crate::Response<#ok_ty>, crate::Error<#error>>;
            type IntoFuture = ::std::pin::Pin<
                ::std::boxed::Box<dyn ::std::future::Future<Output = Self::Output> + ::std::marker::Send>,
            >;

            /// The same as [`send`](Self::send).
            fn into_future(self) -> Self::IntoFuture {
                ::std::boxed::Box::pin(self.send())
            }
        }

        #paging
        #success_enum
        #error_enum
        #filter_items
    }
}

/// The setter of an optional parameter or form field stored as
/// `Option<stored>`; strings take `impl Into<String>`.
fn optional_setter(
    id: &proc_macro2::Ident,
    doc: TokenStream,
    ty: &TypeRef,
    stored: TokenStream,
) -> TokenStream {
    let (arg, conv) = match ty {
        TypeRef::String => (
            quote!(impl ::std::convert::Into<::std::string::String>),
            quote!(value.into()),
        ),
        _ => (stored, quote!(value)),
    };
    quote! {
        #doc
        pub fn #id(mut self, value: #arg) -> Self {
            self.#id = ::std::option::Option::Some(#conv);
            self
        }
    }
}

fn param_doc(p: &Param) -> TokenStream {
    let mut text = p
        .description
        .clone()
        .unwrap_or_else(|| format!("The `{}` parameter.", p.name.wire));
    let mut notes = vec![format!(
        "Sent as the `{}` {} parameter.",
        p.name.wire,
        location_text(p.location)
    )];
    if let Some(d) = &p.default {
        notes.push(format!("Server default: `{d}`."));
    }
    match (p.minimum, p.maximum) {
        (Some(lo), Some(hi)) => notes.push(format!("Must be between {lo} and {hi}.")),
        (Some(lo), None) => notes.push(format!("Must be at least {lo}.")),
        (None, Some(hi)) => notes.push(format!("Must be at most {hi}.")),
        (None, None) => {}
    }
    if p.deprecated {
        notes.push("Deprecated.".into());
    }
    text.push_str("\n\n");
    text.push_str(&notes.join(" "));
    doc_attrs(&text)
}

fn location_text(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// `format!("/sources/{}/classify", encode_path_segment(&self.source_id))`.
fn path_expr(op: &Operation) -> TokenStream {
    let mut parts = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let lit = &rest[..start];
        if !lit.is_empty() {
            parts.push(quote!(#lit));
        }
        let var = &rest[start + 1..start + len];
        if let Some(p) = op
            .params
            .iter()
            .find(|p| p.location == ParamLocation::Path && p.name.wire == var)
        {
            let id = ident(&p.name.rust);
            let value = match p.ty {
                TypeRef::String => quote!(&self.#id),
                _ => quote!(&::std::string::ToString::to_string(&self.#id)),
            };
            parts.push(quote!(crate::runtime::encode_path_segment(#value).as_str()));
        }
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        parts.push(quote!(#rest));
    }
    if parts.len() == 1 && !op.path.contains('{') {
        let p = &op.path;
        return quote!(::std::string::String::from(#p));
    }
    quote!([#(#parts),*].concat())
}

/// The expression that renders one query/header value as a string.
fn to_wire(api: &Api, ty: &TypeRef, value: TokenStream) -> TokenStream {
    if let TypeRef::Named(n) = ty {
        if matches!(api.types.get(n).map(|d| &d.kind), Some(TypeKind::Enum(_))) {
            return quote!(::std::string::ToString::to_string(#value));
        }
    }
    match ty {
        TypeRef::String => quote!(::std::string::ToString::to_string(#value)),
        TypeRef::DateTime => {
            quote!((#value).to_rfc3339_opts(::chrono::SecondsFormat::AutoSi, true))
        }
        TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F64
        | TypeRef::Date
        | TypeRef::Bytes => {
            quote!(::std::string::ToString::to_string(#value))
        }
        _ => quote!(crate::runtime::query_json(#value)?),
    }
}

fn push_param(api: &Api, p: &Param) -> TokenStream {
    let id = ident(&p.name.rust);
    let wire = &p.name.wire;
    let target = match p.location {
        ParamLocation::Header => quote!(req.headers),
        _ => quote!(req.query),
    };
    let value_of = |v: TokenStream| match &p.ty {
        TypeRef::Vec(inner) => {
            let item = to_wire(api, inner, quote!(item));
            if p.explode && p.location == ParamLocation::Query {
                quote! {
                    for item in #v {
                        #target.push((#wire, #item));
                    }
                }
            } else {
                quote! {
                    let mut parts = ::std::vec::Vec::new();
                    for item in #v {
                        parts.push(#item);
                    }
                    #target.push((#wire, parts.join(",")));
                }
            }
        }
        other => {
            let s = to_wire(api, other, v);
            quote!(#target.push((#wire, #s));)
        }
    };
    if p.required {
        value_of(quote!(&self.#id))
    } else {
        let inner = value_of(quote!(value));
        quote! {
            if let ::std::option::Option::Some(value) = &self.#id {
                #inner
            }
        }
    }
}

/// Client-side check of a numeric parameter's documented range.
fn range_check(p: &Param, static_name: &proc_macro2::Ident) -> Option<TokenStream> {
    if !matches!(p.ty, TypeRef::I32 | TypeRef::I64 | TypeRef::F64)
        || (p.minimum.is_none() && p.maximum.is_none())
    {
        return None;
    }
    let id = ident(&p.name.rust);
    let wire = &p.name.wire;
    let lit = |v: f64| match p.ty {
        TypeRef::F64 => Literal::f64_suffixed(v),
        TypeRef::I32 => Literal::i32_suffixed(v as i32),
        _ => Literal::i64_suffixed(v as i64),
    };
    let mut conds = Vec::new();
    let mut words = Vec::new();
    if let Some(lo) = p.minimum {
        let l = lit(lo);
        conds.push(quote!(*value < #l));
        words.push(format!("at least {lo}"));
    }
    if let Some(hi) = p.maximum {
        let h = lit(hi);
        conds.push(quote!(*value > #h));
        words.push(format!("at most {hi}"));
    }
    let reason_text = format!("{wire} must be {}, got ", words.join(" and "));
    let get = if p.required {
        quote!(::std::option::Option::Some(&self.#id))
    } else {
        quote!(self.#id.as_ref())
    };
    Some(quote! {
        if let ::std::option::Option::Some(value) = #get {
            if #(#conds)||* {
                return ::std::result::Result::Err(crate::Error::InvalidRequest {
                    operation_id: #static_name.id,
                    reason: [#reason_text, &::std::string::ToString::to_string(value)].concat(),
                });
            }
        }
    })
}

fn accept(op: &Operation) -> Option<String> {
    let mut types: Vec<String> = Vec::new();
    let mut ordered: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    ordered.extend(op.responses.iter().filter(|r| !r.status.is_success()));
    for r in ordered {
        let m = match &r.body {
            ResponseBody::Empty => continue,
            ResponseBody::Json { media_type, .. } => media_type.clone(),
            ResponseBody::Text { media_type } | ResponseBody::Bytes { media_type } => {
                media_type.clone()
            }
        };
        for part in m.split(", ") {
            if !types.iter().any(|t| t == part) {
                types.push(part.to_string());
            }
        }
    }
    (!types.is_empty()).then(|| types.join(", "))
}

fn decode_call(b: &ResponseBody) -> TokenStream {
    match b {
        ResponseBody::Empty => quote!(raw.empty()),
        ResponseBody::Json { .. } => quote!(raw.json()),
        ResponseBody::Text { .. } => quote!(raw.text()),
        ResponseBody::Bytes { .. } => quote!(raw.bytes()),
    }
}

fn pattern(s: Status) -> TokenStream {
    match s {
        Status::Code(c) => {
            let c = Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        Status::Range(r) => {
            let lo = Literal::u16_unsuffixed(r * 100);
            let hi = Literal::u16_unsuffixed(r * 100 + 99);
            quote!(#lo..=#hi)
        }
        Status::Default => quote!(_),
    }
}

fn response_arms(op: &Operation, error: &proc_macro2::Ident) -> Vec<TokenStream> {
    let mut arms = Vec::new();
    let ok: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    let enum_success = op.has_success_enum();
    if ok.is_empty() {
        arms.push(quote!(200..=299 => raw.bytes(),));
    }
    for r in &ok {
        let pat = pattern(r.status);
        let call = decode_call(&r.body);
        if enum_success {
            let succ = format_ident!("{}Success", op.type_name);
            let v = ident(&r.variant);
            let (call, map) = match &r.body {
                ResponseBody::Empty => (call, quote!(|()| #succ::#v)),
                ResponseBody::Json { ty, .. } => {
                    let t = rust_type(ty);
                    (quote!(raw.json::<#t, _>()), quote!(#succ::#v))
                }
                _ => (call, quote!(#succ::#v)),
            };
            arms.push(quote!(#pat => #call.map(|r| r.map(#map)),));
        } else {
            arms.push(quote!(#pat => #call,));
        }
    }
    let mut has_default = false;
    for r in op.responses.iter().filter(|r| !r.status.is_success()) {
        let v = ident(&r.variant);
        let err = match &r.body {
            ResponseBody::Empty => quote!(raw.error_empty(#error::#v)),
            ResponseBody::Json { .. } => quote!(raw.error_json(#error::#v)),
            ResponseBody::Text { .. } => quote!(raw.error_text(#error::#v)),
            ResponseBody::Bytes { .. } => quote!(raw.error_bytes(#error::#v)),
        };
        if r.status == Status::Default {
            has_default = true;
            arms.push(quote!(status if !(200..=299).contains(&status) => ::std::result::Result::Err(#err),));
        } else {
            let pat = pattern(r.status);
            arms.push(quote!(#pat => ::std::result::Result::Err(#err),));
        }
    }
    let _ = has_default;
    arms.push(quote!(_ => ::std::result::Result::Err(raw.unexpected()),));
    arms
}

fn success_enum(op: &Operation) -> Option<TokenStream> {
    let ok: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| r.status.is_success())
        .collect();
    if !op.has_success_enum() {
        return None;
    }
    let name = format_ident!("{}Success", op.type_name);
    let variants = ok.iter().map(|r| {
        let v = ident(&r.variant);
        let doc = doc_attrs(&format!("{}: {}", status_text(r.status), r.description));
        match &r.body {
            ResponseBody::Empty => quote!(#doc #v,),
            b => {
                let t = body_type(b);
                quote!(#doc #v(#t),)
            }
        }
    });
    let doc = format!(
        " The success responses of `{}`, one variant per documented status.",
        op.id.wire
    );
    Some(quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }
    })
}

fn error_enum(op: &Operation, error: &proc_macro2::Ident, entry: &str) -> TokenStream {
    let errs: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| !r.status.is_success())
        .collect();
    let variants = errs.iter().map(|r| {
        let v = ident(&r.variant);
        let doc = doc_attrs(&format!("{}: {}", status_text(r.status), r.description));
        match &r.body {
            ResponseBody::Empty => quote!(#doc #v,),
            b => {
                let t = body_type(b);
                quote!(#doc #v(#t),)
            }
        }
    });
    let doc = format!(" The error responses documented for [`{entry}`], decoded.");
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum #error {
            #(#variants)*
        }
    }
}

fn paging(
    op: &Operation,
    builder: &proc_macro2::Ident,
    error: &proc_macro2::Ident,
    ok_ty: &TokenStream,
    validates: bool,
) -> Option<TokenStream> {
    let pg = op.pagination.as_ref()?;
    let item = rust_type(&pg.item);
    let limit = op.params.iter().find(|p| p.name.wire == "limit")?;
    let offset = op.params.iter().find(|p| p.name.wire == "offset")?;
    let limit_id = ident(&limit.name.rust);
    let offset_id = ident(&offset.name.rust);
    let lty = rust_type(&limit.ty);
    let oty = rust_type(&offset.ty);
    let default = pg
        .default_limit
        .or(pg.max_limit)
        .unwrap_or(100)
        .clamp(1, u32::MAX as i64) as u32;
    let default = Literal::u32_unsuffixed(default);
    // The largest offset the parameter allows: its type's, or the spec's `maximum`.
    let max_offset = match offset.maximum {
        Some(max) if max >= 0.0 && max < u64::MAX as f64 => {
            let max = Literal::u64_unsuffixed(max.floor() as u64);
            quote!(::std::cmp::min(#max, <::std::primitive::u64>::try_from(<#oty>::MAX).unwrap_or(::std::primitive::u64::MAX)))
        }
        _ => {
            quote!(<::std::primitive::u64>::try_from(<#oty>::MAX).unwrap_or(::std::primitive::u64::MAX))
        }
    };
    let op_id = &op.id.wire;
    let _ = ok_ty;
    let doc = format!(
        " Streams every item across pages, sending one request per page.\n\n The page size is the `limit` you set, or {default} (the spec's default).\n Paging starts at the `offset` you set, or 0. It stops after an empty\n page, after `X-Total-Count` items when the server sends that header (ask\n for it with `count=true` where the operation has it, to save the final\n empty page), or after [`max_items`](Self::max_items) items, never\n requesting more than that. A page shorter than `limit` does not end it:\n servers may cap pages below `limit`. Filters and sorters are sent with\n every page. An error ends the stream after it is yielded; that includes\n [`Error::RepeatedPage`](crate::Error::RepeatedPage) when a page repeats\n one already received (a server that ignores `offset`) and\n [`Error::OffsetOverflow`](crate::Error::OffsetOverflow) when the next\n offset is above what `offset` allows."
    );
    let doc = doc_attrs(&doc);
    // Limits the caller set are checked as `send` would, before any request:
    // the first page yields the error instead of paging with altered values.
    let (first_check, fetch) = if validates {
        (
            quote!(let mut invalid = self.validate().err();),
            quote! {
                let invalid = invalid.take();
                async move {
                    match invalid {
                        ::std::option::Option::Some(e) => ::std::result::Result::Err(e),
                        ::std::option::Option::None => page.send().await,
                    }
                }
            },
        )
    } else {
        (quote!(), quote!(page.send()))
    };
    Some(quote! {
        impl #builder {
            #doc
            pub fn stream(self) -> impl ::futures_util::Stream<Item = ::std::result::Result<#item, crate::Error<#error>>> + ::std::marker::Send + 'static {
                let page_size = self.#limit_id.map_or(#default, |l| u32::try_from(l).unwrap_or(0));
                let start = self.#offset_id.map_or(0, |o| u64::try_from(o).unwrap_or(0));
                let max_items = self.max_items;
                #first_check
                crate::runtime::paginate(#op_id, page_size, start, max_items, #max_offset, move |offset, limit| {
                    let mut page = self.clone();
                    page.#offset_id = ::std::option::Option::Some(<#oty>::try_from(offset).unwrap_or(<#oty>::MAX));
                    page.#limit_id = ::std::option::Option::Some(<#lty>::try_from(limit).unwrap_or(<#lty>::MAX));
                    #fetch
                })
            }
        }
    })
}

fn filter_items(op: &Operation) -> TokenStream {
    let mut out = TokenStream::new();
    if let Some(fields) = &op.filters {
        let scope = format_ident!("{}Filter", op.type_name);
        let doc = format!(
            " The fields and operators `{}` documents for its `filters` parameter.\n\n Each function starts a [`Filter`](crate::filter::Filter) expression;\n combine them with `&`, `|` and `!`.",
            op.id.wire
        );
        let doc = doc_attrs(&doc);
        let fns = fields.iter().filter(|f| !f.operators.is_empty()).map(|f| {
            let name = ident(&f.name.rust);
            let wire = &f.name.wire;
            let value = match f.ty.as_str() {
                "boolean" => quote!(bool),
                "integer" => quote!(i64),
                "number" => quote!(f64),
                "date-time" => quote!(::chrono::DateTime<::chrono::Utc>),
                _ => quote!(::std::string::String),
            };
            let is_string = matches!(f.ty.as_str(), "string" | "");
            let ops = f
                .operators
                .iter()
                .filter(|o| is_string || !matches!(o.as_str(), "co" | "sw"))
                .map(|o| {
                    let marker = format_ident!(
                        "{}",
                        match o.as_str() {
                            "eq" => "Eq",
                            "ne" => "Ne",
                            "gt" => "Gt",
                            "ge" => "Ge",
                            "lt" => "Lt",
                            "le" => "Le",
                            "co" => "Co",
                            "sw" => "Sw",
                            "in" => "In",
                            "isnull" => "IsNull",
                            "pr" => "Pr",
                            _ => "Ca",
                        }
                    );
                    quote!(crate::filter::ops::#marker)
                });
            let doc = format!(
                " `{}` ({}): {}.",
                wire,
                if f.ty.is_empty() { "string" } else { &f.ty },
                f.operators
                    .iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            quote! {
                #[doc = #doc]
                pub const fn #name() -> crate::filter::Field<#scope, #value, (#(#ops,)*)> {
                    crate::filter::Field::new(#wire)
                }
            }
        });
        out.extend(quote! {
            #doc
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy)]
            pub struct #scope;

            impl #scope {
                #(#fns)*
            }
        });
    }
    if let Some(sorters) = &op.sorters {
        let name = format_ident!("{}SortField", op.type_name);
        let doc = format!(
            " The fields `{}` can sort by. Wrap them in [`Sort::asc`](crate::filter::Sort::asc) or\n [`Sort::desc`](crate::filter::Sort::desc); a bare field sorts ascending.",
            op.id.wire
        );
        let doc = doc_attrs(&doc);
        let variants = sorters.iter().map(|s| {
            let v = ident(&s.rust);
            let d = format!(" `{}`", s.wire);
            quote!(#[doc = #d] #v,)
        });
        let arms = sorters.iter().map(|s| {
            let v = ident(&s.rust);
            let w = &s.wire;
            quote!(Self::#v => #w,)
        });
        out.extend(quote! {
            #doc
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
            #[non_exhaustive]
        pub enum #name {
                #(#variants)*
            }

            impl crate::filter::SortField for #name {
                fn wire(&self) -> &'static str {
                    match self {
                        #(#arms)*
                    }
                }
            }
        });
    }
    out
}
