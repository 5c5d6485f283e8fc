//! One module per tag: the handle type, one builder per operation, its
//! error enum, and for list operations the typed filter scope and sort enum.

use super::docs::{clean, doc_attrs, doc_attrs_raw, inner_doc_attrs};
use super::types::{ident, rust_type};
use crate::graph::Boxing;
use crate::ir::*;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The module for one tag; `krate` is the crate's name as code spells it
/// (`sailpoint_v2025`), for the methods' doctest examples.
pub fn tag_module(api: &Api, tag: &Tag, krate: &str, boxing: &Boxing) -> TokenStream {
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
    let methods = tag
        .operations
        .iter()
        .map(|op| entry_method(api, op, example_docs(api, tag, op, krate, boxing)));
    let errors = shared_errors(tag);
    let items = tag
        .operations
        .iter()
        .zip(&errors)
        .map(|(op, error)| operation_items(api, tag, op, error));
    let waiters = super::waiters::tag_items(api, tag, krate);
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

        #waiters
    }
}

/// A required argument of the entry method, stored in a builder field.
#[derive(Clone, Copy)]
enum RequiredArg<'a> {
    /// A required parameter or multipart form field.
    Named { name: &'a Name, ty: &'a TypeRef },
    /// The request body, passed whole as `body`.
    Body { ty: &'a TypeRef },
}

impl<'a> RequiredArg<'a> {
    /// The argument and field name.
    fn ident(self) -> proc_macro2::Ident {
        match self {
            RequiredArg::Named { name, .. } => ident(&name.rust),
            RequiredArg::Body { .. } => format_ident!("body"),
        }
    }

    fn ty(self) -> &'a TypeRef {
        match self {
            RequiredArg::Named { ty, .. } | RequiredArg::Body { ty } => ty,
        }
    }

    fn is_body(self) -> bool {
        matches!(self, RequiredArg::Body { .. })
    }
}

fn required_args(op: &Operation) -> Vec<RequiredArg<'_>> {
    let mut out: Vec<RequiredArg<'_>> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| RequiredArg::Named {
            name: &p.name,
            ty: &p.ty,
        })
        .collect();
    if let Some(b) = op.body.as_ref() {
        match b.form_fields() {
            // Each form field is an argument or a setter of its own.
            Some(fields) => {
                out.extend(
                    fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| RequiredArg::Named {
                            name: &f.name,
                            ty: &f.ty,
                        }),
                )
            }
            // A free-form multipart body is always passed whole.
            None if b.required || b.kind == BodyKind::Multipart => {
                out.push(RequiredArg::Body { ty: &b.ty });
            }
            None => {}
        }
    }
    out
}

/// Optional form fields of a multipart body.
fn optional_form_fields(op: &Operation) -> Vec<&Field> {
    op.body
        .as_ref()
        .and_then(RequestBody::form_fields)
        .map(|fields| fields.iter().filter(|f| !f.required).collect())
        .unwrap_or_default()
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
    let ok: Vec<&Response> = op.successes();
    if op.has_success_enum() {
        let n = ident(&op.success_type());
        return quote!(#n);
    }
    match ok.first() {
        None => quote!(::bytes::Bytes),
        Some(r) => response_type(r),
    }
}

/// What a response hands back: its body's type, or `MultiStatus` of the
/// body's items for a per-item (`207`) answer.
fn response_type(r: &Response) -> TokenStream {
    match &r.multi_status {
        Some(ms) => {
            let item = rust_type(&ms.item);
            quote!(crate::MultiStatus<#item>)
        }
        None => body_type(&r.body),
    }
}

/// The function from the decoded body's items to the `MultiStatus`, reading
/// each item's id, status and message where the spec says they are.
fn multi_status_map(ms: &MultiStatus) -> TokenStream {
    let item = rust_type(&ms.item);
    let id = item_path_read(&ms.id, quote!(item), Conv::OwnedString);
    let status = item_path_read(&ms.status, quote!(item), Conv::I64);
    let message = match &ms.message {
        Some(m) => item_path_read(m, quote!(item), Conv::OwnedString),
        None => quote!(::std::option::Option::None),
    };
    quote! {
        |items| crate::MultiStatus::from_items(items, |item: &#item| (#id, #status, #message))
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

fn method_docs(api: &Api, op: &Operation) -> String {
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
        text.push_str("\n\n**Experimental:** ");
        text.push_str(&super::docs::experimental_note(api, true));
    }
    if op.deprecated {
        text.push_str("\n\n**Deprecated** in the spec.");
    }
    let ok: Vec<&Response> = op.successes();
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
        let returned = match r.multi_status_item() {
            Some(item) => format!(
                "[`MultiStatus<{item}>`](crate::MultiStatus): one [`ItemOutcome`](crate::ItemOutcome) per item of the {} body, succeeded or failed (with its status and message)",
                response_type_text(&r.body)
            ),
            None => response_type_text(&r.body),
        };
        text.push_str(&format!("- {}: {returned}{headers}\n", r.status));
    }
    if ok.is_empty() {
        text.push_str("- any 2xx: the raw body\n");
    }
    text.push_str(&format!(
        "\nThe builder's `send` returns it in a [`Response`](crate::Response), with the status and headers.\n\n# Errors\n\nDocumented error statuses decode into [`{}`] inside [`Error::Api`](crate::Error::Api):\n\n",
        op.error_type()
    ));
    for r in op.errors() {
        text.push_str(&format!(
            "- {} → `{}`: {}\n",
            r.status,
            r.variant,
            response_type_text(&r.body)
        ));
    }
    text.push_str("\nAny other status is [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus), and a body that is not the declared type is [`Error::Decode`](crate::Error::Decode); both keep the raw body.");
    text
}

fn response_type_text(b: &ResponseBody) -> String {
    match b {
        ResponseBody::Empty => "no body".into(),
        ResponseBody::Json { ty, .. } => format!("`{ty}`"),
        ResponseBody::Text { media_type } => format!("text (`{media_type}`)"),
        ResponseBody::Bytes { media_type } => format!("bytes (`{media_type}`)"),
    }
}

/// An `# Example` section for a method's rustdoc: the example of its method
/// page (one source for both), compiled as a doctest.
fn example_docs(api: &Api, tag: &Tag, op: &Operation, krate: &str, boxing: &Boxing) -> TokenStream {
    let code = super::markdown::example(api, tag, op, krate, boxing);
    doc_attrs_raw(&format!("\n# Example\n\n```no_run\n{}```", code))
}

fn entry_method(api: &Api, op: &Operation, example: TokenStream) -> TokenStream {
    let docs = doc_attrs_raw(&method_docs(api, op));
    let name = ident(&op.id.rust);
    let builder = ident(&op.type_name);
    let req = required_args(op);
    let args = req.iter().map(|arg| {
        let id = arg.ident();
        let t = arg_type(arg.ty(), arg.is_body(), op.body.as_ref());
        quote!(#id: #t)
    });
    let mut inits = vec![quote!(client: self.client.clone())];
    for arg in &req {
        let id = arg.ident();
        let c = convert(arg.ty(), &id, arg.is_body(), op.body.as_ref());
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
    if let Some(pg) = &op.pagination {
        inits.push(quote!(max_items: ::std::option::Option::None));
        if pg.offset().is_some() {
            inits.push(quote!(concurrency: 1));
        }
    }
    inits.push(quote!(options: crate::CallOptions::new()));
    let deprecated = op
        .deprecated
        .then(|| quote!(#[deprecated = "deprecated in the spec"]));
    // The spec's required parameters are the method's arguments, however
    // many it has (clippy's limit counts `&self` too).
    let many = (req.len() + 1 > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        #docs
        #example
        #deprecated
        #many
        pub fn #name(&self, #(#args),*) -> #builder {
            #builder { #(#inits),* }
        }
    }
}

fn operation_items(api: &Api, tag: &Tag, op: &Operation, error_def: &ErrorDef<'_>) -> TokenStream {
    let builder = ident(&op.type_name);
    let error = ident(&op.error_type());
    let static_name = format_ident!(
        "{}",
        heck::ToShoutySnakeCase::to_shouty_snake_case(op.type_name.as_str())
    );
    let wire_id = &op.id.wire;
    let method = format_ident!("{}", op.method.as_str());
    let path = &op.path;
    let experimental = op.experimental;
    let entry = format!("{}::{}", tag.handle, op.id.rust.trim_start_matches("r#"));

    let BuilderMembers {
        mut fields,
        mut setters,
    } = builder_members(op);
    let (options_field, options_setter) = call_options_members();
    fields.push(options_field);
    setters.push(options_setter);
    let RequestBuilding {
        path_expr,
        validate,
        build,
    } = request_building(api, op, &static_name, &error);

    // Response dispatch.
    let ok_ty = success_type(op);
    let arms = response_arms(op, &error);
    let success_enum = success_enum(op);
    let error_enum = error_def.items(tag, op, &error);
    let paging = paging(op, &builder, &error, validate.is_some());
    let filter_items = filter_items(op);

    let static_doc = format!(" Static facts about `{wire_id}`.");
    let builder_struct = builder_struct(&builder, &entry, &fields);
    let send = SendMethod {
        builder: &builder,
        error: &error,
        ok_ty: &ok_ty,
        static_name: &static_name,
        request: &RequestBuilding {
            path_expr,
            validate,
            build,
        },
        arms: &arms,
    };
    let builder_impl = builder_impl(&send, &setters);
    quote! {
        #[doc = #static_doc]
        static #static_name: crate::runtime::Operation = crate::runtime::Operation {
            id: #wire_id,
            method: ::reqwest::Method::#method,
            path_template: #path,
            experimental: #experimental,
        };

        #builder_struct
        #builder_impl
        #paging
        #success_enum
        #error_enum
        #filter_items
    }
}

/// The builder struct (progenitor's `builder_struct`).
fn builder_struct(
    builder: &proc_macro2::Ident,
    entry: &str,
    fields: &[TokenStream],
) -> TokenStream {
    let builder_doc =
        format!("Request builder for [`{entry}`]: set optional parameters, then `.send().await`\n(or `.await` the builder itself).");
    let builder_doc = doc_attrs_raw(&builder_doc);
    quote! {
        #builder_doc
        #[derive(::std::fmt::Debug, ::std::clone::Clone)]
        #[must_use = "a request builder does nothing until you `.send().await` it"]
        pub struct #builder {
            #(#fields,)*
        }
    }
}

/// What `send` needs to know.
struct SendMethod<'a> {
    builder: &'a proc_macro2::Ident,
    error: &'a proc_macro2::Ident,
    ok_ty: &'a TokenStream,
    static_name: &'a proc_macro2::Ident,
    request: &'a RequestBuilding,
    arms: &'a [TokenStream],
}

/// The builder's methods: setters, `validate`, `send`, and `IntoFuture`
/// (progenitor's `builder_impl`).
fn builder_impl(send: &SendMethod<'_>, setters: &[TokenStream]) -> TokenStream {
    let SendMethod {
        builder,
        error,
        ok_ty,
        static_name,
        request,
        arms,
    } = send;
    let RequestBuilding {
        path_expr,
        validate,
        build,
    } = request;
    quote! {
        impl #builder {
            #(#setters)*

            #validate

            /// Sends the request and decodes the response.
            pub fn send(self) -> crate::ResponseFuture<#ok_ty, #error> {
                let client = ::std::clone::Clone::clone(&self.client);
                client.send_decoded(self.request(), Self::decode)
            }

            /// The request `send` sends, or why it is invalid.
            fn request(self) -> ::std::result::Result<crate::runtime::Request, crate::Error<#error>> {
                let path = #path_expr;
                #[allow(unused_mut)]
                let mut req = crate::runtime::Request::new(&#static_name, path);
                #(#build)*
                req.options = self.options;
                ::std::result::Result::Ok(req)
            }

            /// Decodes the response by its status.
            fn decode(
                raw: crate::runtime::RawResponse,
            ) -> ::std::result::Result<crate::Response<#ok_ty>, crate::Error<#error>> {
                match raw.status() {
                    #(#arms)*
                }
            }
        }

        impl ::std::future::IntoFuture for #builder {
            type Output = ::std::result::Result<crate::Response<#ok_ty>, crate::Error<#error>>;
            type IntoFuture = crate::ResponseFuture<#ok_ty, #error>;

            /// The same as [`send`](Self::send).
            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    }
}

/// The per-call settings every builder carries: the `options` field and its
/// `with_options` setter (both names are reserved when lowering).
fn call_options_members() -> (TokenStream, TokenStream) {
    let doc = doc_attrs_raw(
        "Per-call settings (timeout, retry policy, extra headers and query\nparameters) that override the client's for this call only; see\n[`CallOptions`](crate::CallOptions). Calling it again merges the settings.",
    );
    (
        quote!(options: crate::CallOptions),
        quote! {
            #doc
            pub fn with_options(mut self, options: crate::CallOptions) -> Self {
                self.options = self.options.merge(options);
                self
            }
        },
    )
}

/// The builder's fields and the setters of its optional members.
struct BuilderMembers {
    fields: Vec<TokenStream>,
    setters: Vec<TokenStream>,
}

/// The builder struct's members: the client, the required arguments, one
/// `Option` per optional parameter, form field and body, and `max_items`
/// when it pages; a setter for each optional one.
fn builder_members(op: &Operation) -> BuilderMembers {
    let mut fields = vec![quote!(client: crate::Client)];
    for arg in required_args(op) {
        let id = arg.ident();
        let t = stored_type(arg.ty(), arg.is_body(), op.body.as_ref());
        fields.push(quote!(#id: #t));
    }
    let mut setters = Vec::new();
    for p in op.params.iter().filter(|p| !p.required) {
        let id = ident(&p.name.rust);
        let t = rust_type(&p.ty);
        fields.push(quote!(#id: ::std::option::Option<#t>));
        let is_filters = p.role == ParamRole::Filters;
        let is_sorters = p.role == ParamRole::Sorters;
        let doc = param_doc(p);
        if is_filters {
            let scope = ident(&op.filter_type());
            let raw = format_ident!("{}_raw", p.name.rust.trim_start_matches("r#"));
            let typed_doc = format!(" Filters the results with a typed expression; see [`{scope}`] for the fields and operators this operation documents.");
            setters.push(quote! {
                #[doc = #typed_doc]
                pub fn #id(mut self, filter: impl crate::filter::IntoFilter<#scope>) -> Self {
                    self.#id = ::std::option::Option::Some(filter.into_filter().to_string());
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
            let field = ident(&op.sort_field_type());
            let raw = format_ident!("{}_raw", p.name.rust.trim_start_matches("r#"));
            let typed_doc = format!(
                " Sorts the results: one [`Sort`](crate::filter::Sort), or a list of sorts or fields, in order; see [`{field}`]."
            );
            setters.push(quote! {
                #[doc = #typed_doc]
                pub fn #id(mut self, sorters: impl crate::filter::IntoSorters<#field>) -> Self {
                    self.#id = sorters.into_sorters();
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
        let doc = doc_attrs(
            b.description
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or("The request body."),
        );
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
    if op
        .pagination
        .as_ref()
        .is_some_and(|pg| pg.offset().is_some())
    {
        fields.push(quote!(concurrency: usize));
        setters.push(quote! {
            /// The most page requests [`stream`](Self::stream) keeps in flight at once;
            /// 0 counts as 1. The default, 1, fetches one page at a time. Items still come
            /// out in order, each once; see [`stream`](Self::stream) for what more pages in
            /// flight cost and how they share the client's rate budget. Ignored by `send`.
            pub fn concurrency(mut self, pages: usize) -> Self {
                self.concurrency = pages.max(1);
                self
            }
        });
    }
    BuilderMembers { fields, setters }
}

/// How `send` builds the request: the path expression, the optional
/// `validate` method, and the statements that fill in the request.
struct RequestBuilding {
    path_expr: TokenStream,
    validate: Option<TokenStream>,
    build: Vec<TokenStream>,
}

fn request_building(
    api: &Api,
    op: &Operation,
    static_name: &proc_macro2::Ident,
    error: &proc_macro2::Ident,
) -> RequestBuilding {
    let path_expr = path_expr(op);
    let mut build = Vec::new();
    let checks: Vec<TokenStream> = op
        .params
        .iter()
        .filter_map(|p| range_check(p, static_name))
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
                quote!(crate::runtime::Body { content_type: ::std::borrow::Cow::Borrowed(#media), bytes: ::bytes::Bytes::from(::std::clone::Clone::clone(#value)) })
            }
            BodyKind::Bytes => {
                quote!(crate::runtime::Body { content_type: ::std::borrow::Cow::Borrowed(#media), bytes: ::std::clone::Clone::clone(#value) })
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
    RequestBuilding {
        path_expr,
        validate,
        build,
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
    let mut ordered: Vec<&Response> = op.successes();
    ordered.extend(op.errors());
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
    let ok: Vec<&Response> = op.successes();
    let enum_success = op.has_success_enum();
    if ok.is_empty() {
        arms.push(quote!(200..=299 => raw.bytes(),));
    }
    for r in &ok {
        let pat = pattern(r.status);
        let call = decode_call(&r.body);
        if let Some(ms) = &r.multi_status {
            let to_outcomes = multi_status_map(ms);
            let t = body_type(&r.body);
            let map = if enum_success {
                let succ = ident(&op.success_type());
                let v = ident(&r.variant);
                quote!(|r| r.map(#to_outcomes).map(#succ::#v))
            } else {
                quote!(|r| r.map(#to_outcomes))
            };
            arms.push(quote!(#pat => raw.json::<#t, _>().map(#map),));
        } else if enum_success {
            let succ = ident(&op.success_type());
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
    for r in op.errors() {
        let v = ident(&r.variant);
        let err = match &r.body {
            ResponseBody::Empty => quote!(raw.error_empty(#error::#v)),
            ResponseBody::Json { .. } => quote!(raw.error_json(#error::#v)),
            ResponseBody::Text { .. } => quote!(raw.error_text(#error::#v)),
            ResponseBody::Bytes { .. } => quote!(raw.error_bytes(#error::#v)),
        };
        if r.status == Status::Default {
            arms.push(quote!(status if !(200..=299).contains(&status) => ::std::result::Result::Err(#err),));
        } else {
            let pat = pattern(r.status);
            arms.push(quote!(#pat => ::std::result::Result::Err(#err),));
        }
    }
    arms.push(quote!(_ => ::std::result::Result::Err(raw.unexpected()),));
    arms
}

fn success_enum(op: &Operation) -> Option<TokenStream> {
    if !op.has_success_enum() {
        return None;
    }
    let name = ident(&op.success_type());
    let variants = response_variants(&op.successes());
    let doc = format!(
        " The success responses of `{}`, one variant per documented status.",
        op.id.wire
    );
    Some(quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #variants
        }
    })
}

/// The variants of an operation's error enum, docs included.
fn error_variants(op: &Operation) -> TokenStream {
    response_variants(&op.errors())
}

/// One enum variant per response, named by the IR, with the status and
/// description as its doc and the body as its field: the success and the
/// error enums are spelled alike.
fn response_variants(responses: &[&Response]) -> TokenStream {
    responses
        .iter()
        .map(|r| {
            let v = ident(&r.variant);
            let doc = doc_attrs(&format!("{}: {}", r.status, r.description));
            match &r.body {
                ResponseBody::Empty => quote!(#doc #v,),
                _ => {
                    let t = response_type(r);
                    quote!(#doc #v(#t),)
                }
            }
        })
        .collect()
}

/// How an operation's `{Op}Error` type is defined.
///
/// Operations of one tag whose error enums would be identical, variant for
/// variant, docs included, share one enum: the first of them defines it and
/// the others' `{Op}Error` names are aliases of it. A big spec documents the
/// same few error responses on most operations (the full SailPoint spec: 813
/// enums, 197 distinct per tag), and every enum is a type the compiler checks,
/// with three derived impls. An alias keeps every name, and its variants, as
/// they were, so code that names `{Op}Error::NotFound` still compiles. Sharing
/// stays within the tag's module so that the module needs no other.
enum ErrorDef<'a> {
    /// The enum itself, documented for these operations (the defining one
    /// first).
    Enum(Vec<&'a Operation>),
    /// An alias of the first operation's enum.
    Alias(&'a Operation),
}

/// One [`ErrorDef`] per operation of `tag`, in the tag's operation order.
fn shared_errors(tag: &Tag) -> Vec<ErrorDef<'_>> {
    let keys: Vec<String> = tag
        .operations
        .iter()
        .map(|op| error_variants(op).to_string())
        .collect();
    // The first operation with each set of variants.
    let mut first: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        first.entry(key.as_str()).or_insert(i);
    }
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            let owner = first[key.as_str()];
            if owner == i {
                ErrorDef::Enum(
                    tag.operations
                        .iter()
                        .zip(&keys)
                        .filter(|(_, k)| *k == key)
                        .map(|(op, _)| op)
                        .collect(),
                )
            } else {
                ErrorDef::Alias(&tag.operations[owner])
            }
        })
        .collect()
}

impl ErrorDef<'_> {
    /// The enum or the alias named `error`.
    fn items(&self, tag: &Tag, op: &Operation, error: &proc_macro2::Ident) -> TokenStream {
        let link = |op: &Operation| {
            format!(
                "[`{}::{}`]",
                tag.handle,
                op.id.rust.trim_start_matches("r#")
            )
        };
        match self {
            ErrorDef::Enum(ops) => {
                let variants = error_variants(ops[0]);
                let doc = match ops.as_slice() {
                    [] | [_] => format!(
                        "The error responses documented for {}, decoded.",
                        ops.first().map(|op| link(op)).unwrap_or_default()
                    ),
                    [own, others @ ..] => format!(
                        "The error responses documented for {}, decoded.\n\nThe same responses are documented for {}, whose error types are aliases of this one.",
                        link(own),
                        others.iter().map(|op| link(op)).collect::<Vec<_>>().join(", ")
                    ),
                };
                let doc = doc_attrs_raw(&doc);
                quote! {
                    #doc
                    #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
                    #[non_exhaustive]
                    pub enum #error {
                        #variants
                    }
                }
            }
            ErrorDef::Alias(owner) => {
                let target = ident(&owner.error_type());
                let doc = format!(
                    " The error responses documented for {}, decoded: the same as for {}, so this is an alias of [`{}`].",
                    link(op),
                    link(owner),
                    owner.error_type()
                );
                quote! {
                    #[doc = #doc]
                    pub type #error = #target;
                }
            }
        }
    }
}

fn paging(
    op: &Operation,
    builder: &proc_macro2::Ident,
    error: &proc_macro2::Ident,
    validates: bool,
) -> Option<TokenStream> {
    let pg = op.pagination.as_ref()?;
    let (Some(limit), Some(offset)) = (&pg.limit, pg.offset()) else {
        return cursor_paging(op, pg, builder, error, validates);
    };
    let item = rust_type(&pg.item);
    let limit_id = ident(&limit.name.rust);
    let offset_id = ident(&offset.name.rust);
    let lty = rust_type(&limit.ty);
    let oty = rust_type(&offset.ty);
    let default = Literal::u32_unsuffixed(pg.page_size);
    // The largest offset the parameter allows: its type's, or the spec's `maximum`.
    let offset_param = op.params.iter().find(|p| p.name.wire == offset.name.wire);
    let limit_param = op.params.iter().find(|p| p.name.wire == limit.name.wire)?;
    let max_offset = match offset_param.and_then(|p| p.maximum) {
        Some(max) if max >= 0.0 && max < u64::MAX as f64 => {
            let max = Literal::u64_unsuffixed(max.floor() as u64);
            quote!(::std::cmp::min(#max, <::std::primitive::u64>::try_from(<#oty>::MAX).unwrap_or(::std::primitive::u64::MAX)))
        }
        _ => {
            quote!(<::std::primitive::u64>::try_from(<#oty>::MAX).unwrap_or(::std::primitive::u64::MAX))
        }
    };
    let op_id = &op.id.wire;
    let count_param = op
        .params
        .iter()
        .find(|p| p.role == ParamRole::Count && p.ty == TypeRef::Bool);
    let can_count = count_param.is_some();
    let count_note = if can_count {
        " With more than one page in flight, the first page asks for `count=true`\n and the others wait for its `X-Total-Count`, so no request is wasted past\n the end."
    } else {
        " With N pages in flight, at most N \u{2212} 1 requests past the end of the list\n are wasted (their empty pages are discarded)."
    };
    let doc = format!(
        " Streams every item across pages, in order, each once.\n\n The page size is the `limit` you set, or {default} (the spec's default).\n Paging starts at the `offset` you set, or 0. It stops after an empty\n page, after `X-Total-Count` items when the server sends that header (ask\n for it with `count=true` where the operation has it, to save the final\n empty page), or after [`max_items`](Self::max_items) items, never\n requesting more than that. A page shorter than `limit` does not end it:\n servers may cap pages below `limit`. Filters and sorters are sent with\n every page. An error ends the stream after it is yielded; that includes\n [`Error::RepeatedPage`](crate::Error::RepeatedPage) when a page repeats\n one already received (a server that ignores `offset`) and\n [`Error::OffsetOverflow`](crate::Error::OffsetOverflow) when the next\n offset is above what `offset` allows.\n\n # Concurrency\n\n [`concurrency(n)`](Self::concurrency) keeps up to `n` page requests in\n flight (default 1: one page at a time). Items still come out in order,\n each once, and exactly `max_items` of them when the list is that long.\n{count_note}\n Every page request waits for the client's rate budget\n ([`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)), shared\n with every clone of the client, so a larger `n` speeds paging up to the\n rate limit and no further; after a `429` the budget shrinks and the page is\n retried. Dropping the stream cancels the requests in flight."
    );
    let doc = doc_attrs(&doc);
    let count_shortcut = count_shortcut(op, error, limit_param);
    // `count=true` when the pager asks for it; a `count(true)` the caller set stays.
    let set_count = count_param.map(|p| {
        let count_id = ident(&p.name.rust);
        quote! {
            if request.count {
                page.#count_id = ::std::option::Option::Some(true);
            }
        }
    });
    let (first_check, fetch) = first_page_check(validates);
    Some(quote! {
        impl #builder {
            #doc
            pub fn stream(self) -> ::futures_util::stream::BoxStream<'static, ::std::result::Result<#item, crate::Error<#error>>> {
                let page_size = self.#limit_id.map_or(#default, |l| u32::try_from(l).unwrap_or(0));
                let start = self.#offset_id.map_or(0, |o| u64::try_from(o).unwrap_or(0));
                let max_items = self.max_items;
                #first_check
                let paging = crate::runtime::Paging {
                    operation_id: #op_id,
                    page_size,
                    start_offset: start,
                    max_items,
                    max_offset: #max_offset,
                    concurrency: self.concurrency,
                    can_count: #can_count,
                };
                crate::runtime::paginate_with(paging, move |request: crate::runtime::PageRequest| {
                    let mut page = self.clone();
                    page.#offset_id = ::std::option::Option::Some(<#oty>::try_from(request.offset).unwrap_or(<#oty>::MAX));
                    page.#limit_id = ::std::option::Option::Some(<#lty>::try_from(request.limit).unwrap_or(<#lty>::MAX));
                    #set_count
                    #fetch
                })
            }
            #count_shortcut
        }
    })
}

/// Limits the caller set are checked as `send` would, before any request:
/// the first page yields the error instead of paging with altered values.
/// The statement before paging, and the expression that sends `page`.
fn first_page_check(validates: bool) -> (TokenStream, TokenStream) {
    if validates {
        (
            quote!(let mut invalid = self.validate().err();),
            quote! {
                match invalid.take() {
                    ::std::option::Option::Some(e) => crate::ResponseFuture::failed(e),
                    ::std::option::Option::None => page.send(),
                }
            },
        )
    } else {
        (quote!(), quote!(page.send()))
    }
}

/// `stream()` of a cursor-paged list: one page at a time, each next page
/// asked for with the cursor read from the last item of the page before.
fn cursor_paging(
    op: &Operation,
    pg: &Pagination,
    builder: &proc_macro2::Ident,
    error: &proc_macro2::Ident,
    validates: bool,
) -> Option<TokenStream> {
    let cursor = pg.cursor()?;
    let item = rust_type(&pg.item);
    let cursor_id = ident(&cursor.param.name.rust);
    let cursor_wire = &cursor.param.name.wire;
    let default = Literal::u32_unsuffixed(pg.page_size);
    let (page_size, set_limit, size_doc) = match &pg.limit {
        Some(limit) => {
            let limit_id = ident(&limit.name.rust);
            let lty = rust_type(&limit.ty);
            (
                quote!(::std::option::Option::Some(self.#limit_id.map_or(#default, |l| u32::try_from(l).unwrap_or(0)))),
                quote! {
                    if let ::std::option::Option::Some(limit) = request.limit {
                        page.#limit_id = ::std::option::Option::Some(<#lty>::try_from(limit).unwrap_or(<#lty>::MAX));
                    }
                },
                format!(
                    " The page size is the `{}` you set, or {} (the spec's default).",
                    limit.name.wire, pg.page_size
                ),
            )
        }
        None => (
            quote!(::std::option::Option::None),
            quote!(),
            " The server decides the page size (the operation has no limit parameter).".to_string(),
        ),
    };
    let from = if cursor.from.pointer.is_empty() {
        "the last item itself".to_string()
    } else {
        format!("`{}` of the last item", cursor.from.pointer)
    };
    let doc = format!(
        " Streams every item across pages, in order, each once.\n\n Pages are keyed by a cursor: the first page is asked for without `{cursor_wire}`\n (or after the `{cursor_wire}` you set), each next page with `{cursor_wire}` set to\n {from} of the page before. Cursor paging is sequential by\n nature (a page's cursor is known only once the page before has arrived), so\n there is no `concurrency`.\n\n{size_doc}\n The stream stops after an empty page, or after\n [`max_items`](Self::max_items) items, never requesting more than that. A page\n shorter than the page size does not end it: servers may cap pages. Filters and\n sorters are sent with every page. An error ends the stream after it is\n yielded; that includes [`Error::RepeatedCursor`](crate::Error::RepeatedCursor)\n when a page ends at a cursor already sent (a server that ignores the cursor\n would otherwise be paged forever) and\n [`Error::MissingCursor`](crate::Error::MissingCursor) when the last item of a\n page has no cursor. Every page request waits for the client's rate budget;\n dropping the stream cancels the request in flight."
    );
    let doc = doc_attrs(&doc);
    let read = item_path_read(&cursor.from, quote!(item), Conv::OwnedString);
    let op_id = &op.id.wire;
    let (first_check, fetch) = first_page_check(validates);
    Some(quote! {
        impl #builder {
            #doc
            pub fn stream(self) -> ::futures_util::stream::BoxStream<'static, ::std::result::Result<#item, crate::Error<#error>>> {
                #first_check
                let paging = crate::runtime::CursorPaging {
                    operation_id: #op_id,
                    page_size: #page_size,
                    start: ::std::clone::Clone::clone(&self.#cursor_id),
                    max_items: self.max_items,
                };
                crate::runtime::paginate_cursor(paging, |item: &#item| #read, move |request: crate::runtime::CursorRequest| {
                    let mut page = self.clone();
                    page.#cursor_id = request.cursor;
                    #set_limit
                    #fetch
                })
            }
        }
    })
}

/// What [`item_path_read`] turns the value it finds into.
#[derive(Clone, Copy)]
enum Conv {
    /// A `String` (an integer is written out).
    OwnedString,
    /// An `i64` (the leaf is an integer).
    I64,
}

/// The expression of type `Option<U>` that reads the value at `path` from
/// `root` (a reference to the item), turned into `U` by `conv`.
fn item_path_read(path: &ItemPath, root: TokenStream, conv: Conv) -> TokenStream {
    enum Expr {
        /// A reference to the value.
        Ref(TokenStream),
        /// A place of the value itself.
        Place(TokenStream),
        /// An `Option<&T>`.
        Opt(TokenStream),
    }
    let mut expr = Expr::Ref(root);
    for step in &path.steps {
        let f = ident(&step.field.rust);
        expr = match (expr, step.optional) {
            (Expr::Ref(p) | Expr::Place(p), false) => Expr::Place(quote!(#p.#f)),
            (Expr::Ref(p) | Expr::Place(p), true) => Expr::Opt(quote!(#p.#f.as_ref())),
            (Expr::Opt(e), false) => Expr::Opt(quote!(#e.map(|v| &v.#f))),
            (Expr::Opt(e), true) => Expr::Opt(quote!(#e.and_then(|v| v.#f.as_ref()))),
        };
    }
    let some = |v: TokenStream| quote!(::std::option::Option::Some(#v));
    // An `i64` needs no conversion (clippy: useless_conversion).
    let wide = path.ty == TypeRef::I64;
    match (expr, conv, path.leaf) {
        (Expr::Ref(r), Conv::OwnedString, Leaf::String) => {
            some(quote!(::std::string::String::clone(#r)))
        }
        (Expr::Ref(r), Conv::OwnedString, Leaf::Integer) => {
            some(quote!(::std::string::ToString::to_string(#r)))
        }
        (Expr::Ref(r), Conv::I64, _) if wide => some(quote!(*#r)),
        (Expr::Ref(r), Conv::I64, _) => some(quote!(<::std::primitive::i64>::from(*#r))),
        (Expr::Place(p), Conv::OwnedString, Leaf::String) => some(quote!(#p.clone())),
        (Expr::Place(p), Conv::OwnedString, Leaf::Integer) => some(quote!(#p.to_string())),
        (Expr::Place(p), Conv::I64, _) if wide => some(p),
        (Expr::Place(p), Conv::I64, _) => some(quote!(<::std::primitive::i64>::from(#p))),
        (Expr::Opt(e), Conv::OwnedString, Leaf::String) => quote!(#e.cloned()),
        (Expr::Opt(e), Conv::OwnedString, Leaf::Integer) => {
            quote!(#e.map(::std::string::ToString::to_string))
        }
        (Expr::Opt(e), Conv::I64, _) if wide => quote!(#e.copied()),
        (Expr::Opt(e), Conv::I64, _) => quote!(#e.copied().map(<::std::primitive::i64>::from)),
    }
}

/// `total_count()` for a list operation with a boolean `count` parameter:
/// one request with `count=true` and the smallest page, returning `X-Total-Count`.
fn count_shortcut(
    op: &Operation,
    error: &proc_macro2::Ident,
    limit: &Param,
) -> Option<TokenStream> {
    let count = op
        .params
        .iter()
        .find(|p| p.role == ParamRole::Count && p.ty == TypeRef::Bool)?;
    let count_id = ident(&count.name.rust);
    let limit_id = ident(&limit.name.rust);
    // The smallest page the spec allows, but at least one item.
    let smallest = limit.minimum.map_or(1, |m| m.max(1.0) as i64);
    let smallest = Literal::i64_unsuffixed(smallest);
    let doc = doc_attrs_raw(
        "The number of items matching the filters, in one request: sends `count=true`\nwith the smallest page and returns the `X-Total-Count` header\n([`Response::total_count`](crate::Response::total_count)); `None` if the server\ndid not send it.",
    );
    Some(quote! {
        #doc
        pub async fn total_count(mut self) -> ::std::result::Result<::std::option::Option<u64>, crate::Error<#error>> {
            self.#count_id = ::std::option::Option::Some(true);
            self.#limit_id = ::std::option::Option::Some(#smallest);
            self.send().await.map(|response| response.total_count())
        }
    })
}

fn filter_items(op: &Operation) -> TokenStream {
    let mut out = TokenStream::new();
    if let Some(fields) = &op.filters {
        let scope = ident(&op.filter_type());
        let doc = format!(
            " The fields and operators `{}` documents for its `filters` parameter.\n\n Each function starts a [`Filter`](crate::filter::Filter) expression;\n combine them with `&`, `|` and `!`.",
            op.id.wire
        );
        let doc = doc_attrs(&doc);
        let fns = fields.iter().filter(|f| !f.operators.is_empty()).map(|f| {
            let name = ident(&f.name.rust);
            let wire = &f.name.wire;
            let value = match f.ty {
                FilterValue::Boolean => quote!(bool),
                FilterValue::Integer => quote!(i64),
                FilterValue::Number => quote!(f64),
                FilterValue::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
                FilterValue::String => quote!(::std::string::String),
            };
            let ops = f.offered_operators().into_iter().map(|o| {
                let marker = format_ident!("{}", o.marker());
                quote!(crate::filter::ops::#marker)
            });
            let doc = format!(
                " `{}` ({}): {}.",
                wire,
                f.ty,
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
        let name = ident(&op.sort_field_type());
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
