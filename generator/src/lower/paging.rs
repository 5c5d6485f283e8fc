//! Paging and per-item results, decided once here: offset paging (inferred
//! from `limit` and `offset`, or declared), cursor paging (declared with
//! `x-sdk-pagination`) and multi-status answers (`x-sdk-multi-status`), each
//! validated with an error at the extension's pointer. `spec/README.md`
//! documents the two extensions.

use crate::diag::{join, Sink};
use crate::ir::{
    CursorPaging, ItemPath, Leaf, MultiStatus, PageParam, PageStyle, Pagination, Param,
    ParamLocation, Response, ResponseBody, Status, StatusStep, TypeDef, TypeKind, TypeRef,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// The operation extension that declares how a list pages.
pub(crate) const PAGINATION_EXTENSION: &str = "x-sdk-pagination";
/// The response extension that declares one result per requested item.
pub(crate) const MULTI_STATUS_EXTENSION: &str = "x-sdk-multi-status";

type Defs = BTreeMap<String, TypeDef>;

/// The operation's paging: as `x-sdk-pagination` declares it (errors at its
/// pointer when it cannot hold), else offset paging when the operation has
/// optional integer `limit` and `offset` query parameters and one JSON array
/// page type, else none.
pub(super) fn pagination(
    declared: Option<&Value>,
    op_ptr: &str,
    params: &[Param],
    responses: &[Response],
    defs: &Defs,
    sink: &mut Sink,
) -> Option<Pagination> {
    let Some(declared) = declared else {
        let limit = integer_query(params, "limit")?;
        let offset = integer_query(params, "offset")?;
        let item = page_item(responses, defs, false)?;
        return Some(build(
            item,
            PageStyle::Offset {
                offset: page_param(offset),
            },
            Some(limit),
        ));
    };
    let eptr = join(op_ptr, PAGINATION_EXTENSION);
    let Some(obj) = declared.as_object() else {
        sink.error(
            eptr,
            "must be an object: `{style: cursor, cursor, from, limit}` or `{style: offset, limit, offset}`",
        );
        return None;
    };
    let style = obj.get("style").and_then(Value::as_str);
    let allowed: &[&str] = match style {
        Some("cursor") => &["style", "cursor", "from", "limit"],
        Some("offset") => &["style", "limit", "offset"],
        Some(other) => {
            sink.error(
                join(&eptr, "style"),
                format!("unknown paging style `{other}` (expected `offset` or `cursor`)"),
            );
            return None;
        }
        None => {
            sink.error(eptr, "needs `style`: `offset` or `cursor` (a string)");
            return None;
        }
    };
    let mut ok = true;
    for key in obj.keys().filter(|k| !allowed.contains(&k.as_str())) {
        sink.error(
            join(&eptr, key),
            format!(
                "unknown key `{key}` for `style: {}` (expected {})",
                style.unwrap_or_default(),
                allowed.join(", ")
            ),
        );
        ok = false;
    }
    let Some(item) = page_item(responses, defs, true) else {
        sink.error(
            &eptr,
            "a paged operation's success response must be one JSON array (the page), the same for every 2xx status",
        );
        return None;
    };
    // A parameter named by `key` (or `default`), checked to be an optional
    // query parameter of the wanted type.
    let mut named = |key: &str, default: Option<&str>, want: Want, sink: &mut Sink| {
        let kptr = join(&eptr, key);
        let name = match obj.get(key) {
            None => default?,
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                sink.error(kptr, "must be the name of a query parameter (a string)");
                ok = false;
                return None;
            }
        };
        let param = query_param(params, name, want, &kptr, sink);
        if param.is_none() {
            ok = false;
        }
        param
    };
    let pagination = match style {
        Some("offset") => {
            let limit = named("limit", Some("limit"), Want::Integer, sink);
            let offset = named("offset", Some("offset"), Want::Integer, sink);
            let (Some(limit), Some(offset)) = (limit, offset) else {
                return None;
            };
            build(
                item,
                PageStyle::Offset {
                    offset: page_param(offset),
                },
                Some(limit),
            )
        }
        _ => {
            if !obj.contains_key("cursor") {
                sink.error(
                    &eptr,
                    "needs `cursor`: the optional string query parameter that carries the cursor",
                );
                return None;
            }
            let cursor = named("cursor", None, Want::String, sink);
            let limit = named("limit", None, Want::Integer, sink);
            let from = match obj.get("from") {
                None => Some(""),
                Some(Value::String(s)) => Some(s.as_str()),
                Some(_) => {
                    sink.error(
                        join(&eptr, "from"),
                        "must be a JSON pointer into the last item of a page (a string; \"\" for the item itself)",
                    );
                    None
                }
            };
            let from = from.and_then(|from| {
                item_path(
                    defs,
                    &item,
                    from,
                    &[Leaf::String],
                    &join(&eptr, "from"),
                    sink,
                )
            });
            let (Some(cursor), Some(from)) = (cursor, from) else {
                return None;
            };
            if obj.contains_key("limit") && limit.is_none() {
                return None;
            }
            let style = PageStyle::Cursor(CursorPaging {
                param: page_param(cursor),
                from,
            });
            build(item, style, limit)
        }
    };
    ok.then_some(pagination)
}

fn build(item: TypeRef, style: PageStyle, limit: Option<&Param>) -> Pagination {
    let default_limit = limit.and_then(|l| l.default.as_ref()?.as_i64());
    let max_limit = limit.and_then(|l| l.maximum).map(|m| m as i64);
    Pagination {
        item,
        style,
        limit: limit.map(page_param),
        default_limit,
        max_limit,
        page_size: default_limit
            .or(max_limit)
            .unwrap_or(100)
            .clamp(1, u32::MAX as i64) as u32,
    }
}

fn page_param(p: &Param) -> PageParam {
    PageParam {
        name: p.name.clone(),
        ty: p.ty.clone(),
    }
}

fn integer_query<'a>(params: &'a [Param], name: &str) -> Option<&'a Param> {
    params.iter().find(|p| {
        p.location == ParamLocation::Query
            && p.name.wire == name
            && !p.required
            && matches!(p.ty, TypeRef::I32 | TypeRef::I64)
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Want {
    String,
    Integer,
}

/// The optional query parameter `name`, of the wanted type; an error at
/// `kptr` otherwise.
fn query_param<'a>(
    params: &'a [Param],
    name: &str,
    want: Want,
    kptr: &str,
    sink: &mut Sink,
) -> Option<&'a Param> {
    let Some(p) = params
        .iter()
        .find(|p| p.location == ParamLocation::Query && p.name.wire == name)
    else {
        let known: Vec<&str> = params
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
            .map(|p| p.name.wire.as_str())
            .collect();
        sink.error(
            kptr,
            format!(
                "the operation has no query parameter `{name}` (it has: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        );
        return None;
    };
    if p.required {
        sink.error(
            kptr,
            format!(
                "the query parameter `{name}` must be optional: `stream()` sets it page by page, and the first page goes without it"
            ),
        );
        return None;
    }
    let fits = match want {
        Want::String => p.ty == TypeRef::String,
        Want::Integer => matches!(p.ty, TypeRef::I32 | TypeRef::I64),
    };
    if !fits {
        let wanted = match want {
            Want::String => "a string",
            Want::Integer => "an integer",
        };
        sink.error(
            kptr,
            format!("the query parameter `{name}` is a `{}`, not {wanted}", p.ty),
        );
        return None;
    }
    Some(p)
}

/// The item type of the one JSON array page type of the success responses;
/// through a named alias of an array only when the paging is declared (the
/// inference stays what it always was).
fn page_item(responses: &[Response], defs: &Defs, through_alias: bool) -> Option<TypeRef> {
    let mut ok = responses.iter().filter(|r| r.status.is_success());
    let first = ok.next()?;
    // Paging needs one page type; several success shapes make an enum.
    if ok.any(|r| r.body != first.body) {
        return None;
    }
    match &first.body {
        ResponseBody::Json { ty, .. } => {
            let ty = if through_alias {
                resolve_alias(defs, ty)
            } else {
                ty
            };
            match ty {
                TypeRef::Vec(item) => Some((**item).clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The per-item results of a response that declares `x-sdk-multi-status`.
pub(super) fn multi_status(
    declared: &Value,
    rptr: &str,
    status: Status,
    body: &ResponseBody,
    defs: &Defs,
    sink: &mut Sink,
) -> Option<MultiStatus> {
    let eptr = join(rptr, MULTI_STATUS_EXTENSION);
    let Some(obj) = declared.as_object() else {
        sink.error(
            eptr,
            "must be an object: `{id, status, message}` (JSON pointers into each item)",
        );
        return None;
    };
    if !status.is_success() {
        sink.error(
            eptr,
            format!("only a success response carries per-item results; this one is `{status}`"),
        );
        return None;
    }
    let mut ok = true;
    for key in obj
        .keys()
        .filter(|k| !["id", "status", "message"].contains(&k.as_str()))
    {
        sink.error(
            join(&eptr, key),
            format!("unknown key `{key}` (expected id, status, message)"),
        );
        ok = false;
    }
    let item = match body {
        ResponseBody::Json { ty, .. } => match resolve_alias(defs, ty) {
            TypeRef::Vec(item) => Some((**item).clone()),
            _ => None,
        },
        _ => None,
    };
    let Some(item) = item else {
        sink.error(
            eptr,
            "the response body must be a JSON array, one item per requested item",
        );
        return None;
    };
    let mut path = |key: &str, leaves: &[Leaf], required: bool, sink: &mut Sink| {
        let kptr = join(&eptr, key);
        match obj.get(key) {
            None if required => {
                sink.error(
                    &eptr,
                    format!("needs `{key}`: a JSON pointer into each item"),
                );
                ok = false;
                None
            }
            None => None,
            Some(Value::String(p)) => {
                let path = item_path(defs, &item, p, leaves, &kptr, sink);
                ok &= path.is_some();
                path
            }
            Some(_) => {
                sink.error(kptr, "must be a JSON pointer into each item (a string)");
                ok = false;
                None
            }
        }
    };
    let id = path("id", &[Leaf::String, Leaf::Integer], true, sink);
    let status = path("status", &[Leaf::Integer], true, sink);
    let message = path("message", &[Leaf::String], false, sink);
    let (true, Some(id), Some(status)) = (ok, id, status) else {
        return None;
    };
    Some(MultiStatus {
        item,
        id,
        status,
        message,
        pointer: eptr,
    })
}

/// Follows the RFC 6901 `pointer` from `item` through struct fields to a
/// scalar of one of the `leaves`; an error at `ptr` says where it stops.
fn item_path(
    defs: &Defs,
    item: &TypeRef,
    pointer: &str,
    leaves: &[Leaf],
    ptr: &str,
    sink: &mut Sink,
) -> Option<ItemPath> {
    let segments: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else if let Some(rest) = pointer.strip_prefix('/') {
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect()
    } else {
        sink.error(
            ptr,
            format!("`{pointer}` is not a JSON pointer: it must start with `/` (`/name`), or be \"\" for the item itself"),
        );
        return None;
    };
    let mut steps = Vec::new();
    let mut current = item.clone();
    for segment in &segments {
        let resolved = resolve_alias(defs, &current).clone();
        let fields = match &resolved {
            TypeRef::Named(n) => match defs.get(n).map(|d| &d.kind) {
                Some(TypeKind::Struct(s)) => Some(&s.fields),
                _ => None,
            },
            _ => None,
        };
        let Some(fields) = fields else {
            sink.error(
                ptr,
                format!(
                    "`{pointer}`: `{resolved}` is not an object, so it has no property `{segment}`"
                ),
            );
            return None;
        };
        let Some(f) = fields.iter().find(|f| &f.name.wire == segment) else {
            let known: Vec<&str> = fields.iter().map(|f| f.name.wire.as_str()).collect();
            sink.error(
                ptr,
                format!(
                    "`{pointer}`: `{resolved}` has no property `{segment}` (it has: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
            return None;
        };
        steps.push(StatusStep {
            field: f.name.clone(),
            optional: f.is_option(),
        });
        current = f.ty.clone();
    }
    let leaf = match resolve_alias(defs, &current) {
        TypeRef::String => Some(Leaf::String),
        TypeRef::I32 | TypeRef::I64 => Some(Leaf::Integer),
        _ => None,
    };
    match leaf {
        Some(leaf) if leaves.contains(&leaf) => Some(ItemPath {
            pointer: pointer.to_string(),
            steps,
            leaf,
            ty: resolve_alias(defs, &current).clone(),
        }),
        _ => {
            let wanted: Vec<&str> = leaves
                .iter()
                .map(|l| match l {
                    Leaf::String => "a string",
                    Leaf::Integer => "an integer",
                })
                .collect();
            let at = if pointer.is_empty() {
                "the item".to_string()
            } else {
                format!("`{pointer}`")
            };
            sink.error(
                ptr,
                format!(
                    "{at} has the type `{current}`; it must be {}",
                    wanted.join(" or ")
                ),
            );
            None
        }
    }
}

/// `ty` with its aliases followed (the bound only guards the loop; alias
/// cycles are rejected before operations are lowered).
fn resolve_alias<'a>(defs: &'a Defs, mut ty: &'a TypeRef) -> &'a TypeRef {
    for _ in 0..64 {
        match ty {
            TypeRef::Named(n) => match defs.get(n).map(|d| &d.kind) {
                Some(TypeKind::Alias(inner)) => ty = inner,
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}
