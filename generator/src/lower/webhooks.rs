//! Lowers OpenAPI 3.1 `webhooks` (carried to here as the root extension
//! `x-sdk-webhooks` by [`crate::openapi31`]): one [`Webhook`] per webhook
//! operation, its payload lowered like a request body's schema, so the
//! crate's `webhooks` module can name a type for each.

use super::schema::Types;
use super::Sink;
use crate::diag::join;
use crate::ident::{type_ident, Namer};
use crate::ir::{Name, Webhook};
use openapiv3::{OpenAPI, PathItem, ReferenceOr};

/// The root extension the 3.1 pass moves `webhooks` to.
pub(crate) const WEBHOOKS_EXTENSION: &str = "x-sdk-webhooks";

pub(crate) fn lower(spec: &OpenAPI, types: &mut Types<'_>, sink: &mut Sink) -> Vec<Webhook> {
    let Some(value) = spec.extensions.get(WEBHOOKS_EXTENSION) else {
        return Vec::new();
    };
    let Some(map) = value.as_object() else {
        sink.error("#/webhooks", "`webhooks` must be a map of path items");
        return Vec::new();
    };
    // `Webhook` is the module's enum of every payload.
    let mut names = Namer::with_reserved(["Webhook"]);
    let mut out = Vec::new();
    for (key, item) in map {
        let ptr = join("#/webhooks", key);
        let item: ReferenceOr<PathItem> = match serde_json::from_value(item.clone()) {
            Ok(i) => i,
            Err(e) => {
                sink.error(&ptr, format!("not a valid path item here: {e}"));
                continue;
            }
        };
        let ReferenceOr::Item(item) = item else {
            sink.error(&ptr, "a webhook $ref must name #/components/pathItems");
            continue;
        };
        let methods = super::methods(&item);
        let several = methods.len() > 1;
        for (method, op) in methods {
            let method = method.as_str().to_ascii_lowercase();
            let optr = join(&ptr, &method);
            let stem = if several {
                format!("{key} {method}")
            } else {
                key.clone()
            };
            let rust = names.unique(&type_ident(&stem));
            let description = match (&op.summary, &op.description) {
                (Some(s), Some(d)) => Some(format!("{}\n\n{}", s.trim(), d.trim())),
                (Some(s), None) => Some(s.trim().to_string()),
                (None, Some(d)) => Some(d.trim().to_string()),
                (None, None) => None,
            };
            let mut payload = None;
            let mut media_type = None;
            if let Some(b) = &op.request_body {
                if let Some((b, bptr)) =
                    super::resolve_body(spec, b, &join(&optr, "requestBody"), sink)
                {
                    // JSON first, as for request bodies.
                    let mut media: Vec<_> = b.content.iter().collect();
                    media.sort_by_key(|(m, _)| super::body_kind(m) != crate::ir::BodyKind::Json);
                    if let Some((m, mt)) = media.first() {
                        let mptr = join(&join(&bptr, "content"), m);
                        media_type = Some((*m).clone());
                        payload = Some(match &mt.schema {
                            Some(s) if super::body_kind(m) == crate::ir::BodyKind::Json => {
                                types
                                    .lower(
                                        s,
                                        &join(&mptr, "schema"),
                                        &format!("{rust}Payload"),
                                        sink,
                                    )
                                    .ty
                            }
                            Some(_) if super::body_kind(m) == crate::ir::BodyKind::Text => {
                                crate::ir::TypeRef::String
                            }
                            Some(_) => crate::ir::TypeRef::Bytes,
                            None => crate::ir::TypeRef::Json,
                        });
                    }
                }
            }
            out.push(Webhook {
                name: Name {
                    rust,
                    wire: key.clone(),
                },
                method,
                pointer: optr,
                description,
                media_type,
                payload,
            });
        }
    }
    out
}
