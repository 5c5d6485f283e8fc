//! `src/webhooks.rs` of a crate whose spec has OpenAPI 3.1 `webhooks`: one
//! type alias per webhook naming its payload, and `Webhook`, which decodes
//! the body of a request the API sent by the webhook's name.

use super::docs::doc_attrs;
use super::types::{ident, rust_type};
use crate::ir::{Api, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

/// Whether a payload is decoded from JSON (and so is a `Webhook` variant).
fn is_json(t: &Option<TypeRef>, media: &Option<String>) -> bool {
    t.is_some()
        && media
            .as_deref()
            .is_some_and(|m| crate::lower::body_kind(m) == crate::ir::BodyKind::Json)
}

/// The module's name: `webhooks`, unless a tag's module has it.
pub(crate) fn module_name(api: &Api) -> String {
    let mut name = String::from("webhooks");
    while api.tags.iter().any(|t| t.name.rust == name) {
        name.push('_');
    }
    name
}

pub(crate) fn webhooks(api: &Api) -> TokenStream {
    // Written as is: the intra-doc link must stay a link.
    let head = quote! {
        //! The requests this API sends to your server (the spec's `webhooks`).
        //!
        //! Each type below is the payload of one webhook. Decode a request body
        //! with `Webhook::decode`, given the webhook's name, or with `serde_json`
        //! into the payload type.
    };
    let aliases = api.webhooks.iter().map(|w| {
        let name = ident(&w.name.rust);
        let mut text = w
            .description
            .clone()
            .unwrap_or_else(|| format!("The payload of the webhook `{}`.", w.name.wire));
        text.push_str(&format!(
            "\n\nWebhook `{}`, sent as `{}`{}.\n\nSpec: `{}`",
            w.name.wire,
            w.method.to_ascii_uppercase(),
            w.media_type
                .as_deref()
                .map(|m| format!(" (body: `{m}`)"))
                .unwrap_or_default(),
            w.pointer
        ));
        let docs = doc_attrs(&text);
        let ty = match &w.payload {
            Some(t) => rust_type(t),
            None => quote!(()),
        };
        quote! {
            #docs
            pub type #name = #ty;
        }
    });
    let json: Vec<_> = api
        .webhooks
        .iter()
        .filter(|w| is_json(&w.payload, &w.media_type))
        .collect();
    let enum_def = (!json.is_empty()).then(|| {
        let variants = json.iter().map(|w| {
            let id = ident(&w.name.rust);
            let doc = format!(" The webhook `{}`.", w.name.wire);
            quote!(#[doc = #doc] #id(#id),)
        });
        let names = json.iter().map(|w| {
            let id = ident(&w.name.rust);
            let wire = &w.name.wire;
            quote!(Self::#id(_) => #wire,)
        });
        let decodes = json.iter().map(|w| {
            let id = ident(&w.name.rust);
            let wire = &w.name.wire;
            quote!(#wire => ::serde_json::from_slice(body).map(Self::#id),)
        });
        quote! {
            /// A decoded webhook request: one variant per webhook with a JSON payload.
            #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
            #[allow(clippy::large_enum_variant)]
            #[non_exhaustive]
            pub enum Webhook {
                #(#variants)*
            }

            impl Webhook {
                /// Decodes the body of the webhook `name` (as the spec names it);
                /// `None` for a name the spec does not have.
                pub fn decode(name: &str, body: &[u8]) -> ::std::option::Option<::std::result::Result<Self, ::serde_json::Error>> {
                    ::std::option::Option::Some(match name {
                        #(#decodes)*
                        _ => return ::std::option::Option::None,
                    })
                }

                /// The webhook's name, as the spec gives it.
                pub fn name(&self) -> &'static str {
                    match self {
                        #(#names)*
                    }
                }
            }
        }
    });
    quote! {
        #head
        #(#aliases)*
        #enum_def
    }
}
