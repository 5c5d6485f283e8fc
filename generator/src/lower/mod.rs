//! Lowering: `openapiv3::OpenAPI` -> [`ir::Api`](crate::ir::Api).
//!
//! One pass resolves every `$ref`, names every type, reconciles path
//! templates with path parameters and records where each node came from.
//! Problems are collected, never raised one at a time: the caller gets all
//! of them, each with its JSON pointer.

mod filters;
mod paging;
pub(crate) mod schema;
mod view;
mod waiters;

use crate::diag::{join, Diagnostic, Errors, Severity, Sink};
use crate::ident::{field_ident, method_ident, module_ident, type_ident, Namer, OPERATION_DERIVED};
use crate::ir::*;
use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody as OaBody,
    Response as OaResponse, StatusCode,
};
use schema::{Lowered, Types};
use std::collections::{BTreeMap, BTreeSet};

/// The name of the header upstream uses to gate experimental operations.
pub const EXPERIMENTAL_HEADER: &str = "X-SailPoint-Experimental";
/// Our own marker for experimental operations.
pub const EXPERIMENTAL_EXTENSION: &str = "x-sdk-experimental";
/// The top-level extension naming the header that opts into experimental
/// operations (see [`crate::ir::Api::experimental_header`]).
pub const EXPERIMENTAL_HEADER_EXTENSION: &str = "x-sdk-experimental-header";
pub use waiters::WAITER_EXTENSION;

/// What lowering produced: the API plus the warnings and the operations it
/// had to leave out.
#[derive(Debug, Clone)]
pub struct Lowering {
    /// The IR.
    pub api: Api,
    /// Warnings, sorted by pointer.
    pub warnings: Vec<Diagnostic>,
    /// Operations not generated, each with the reason (also in `warnings`).
    pub skipped: Vec<Diagnostic>,
}

/// What lowering needs to know besides the spec.
#[derive(Debug, Clone, Default)]
pub struct LowerSettings {
    /// Only operations with one of these tags; empty means all.
    pub tags: Vec<String>,
    /// Turn every warning into an error (for our own, tidy spec).
    pub strict: bool,
}

/// Lowers a spec into the IR, or returns every error found.
pub fn lower(spec: &OpenAPI, settings: &LowerSettings) -> Result<Lowering, Errors> {
    let mut sink = Sink::default();
    let mut types = Types::new(spec, &[]);
    types.lower_components(&mut sink);
    types.check_alias_cycles(&mut sink);

    let mut skipped = Vec::new();
    let mut ops: Vec<(String, Operation)> = Vec::new();
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut type_names = Namer::default();
    let mut waiter_declarations = Vec::new();

    let mut paths: Vec<(&String, &ReferenceOr<openapiv3::PathItem>)> =
        spec.paths.paths.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    for (path, item) in paths {
        let pptr = join("#/paths", path);
        let item = match item {
            ReferenceOr::Item(i) => i,
            ReferenceOr::Reference { reference } => {
                sink.error(
                    &pptr,
                    format!("path item $ref `{reference}` is not supported"),
                );
                continue;
            }
        };
        for (method, op) in methods(item) {
            let optr = format!("{pptr}/{}", method.as_str().to_ascii_lowercase());
            let tag = op
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| "default".to_string());
            if !settings.tags.is_empty() && !op.tags.iter().any(|t| settings.tags.contains(t)) {
                continue;
            }
            let ctx = OpCtx {
                spec,
                path,
                method,
                ptr: &optr,
            };
            if let Some(id) = op.operation_id.as_ref().filter(|id| !id.trim().is_empty()) {
                if let Some(prev) = seen_ids.insert(id.clone(), optr.clone()) {
                    sink.error(
                        format!("{optr}/operationId"),
                        format!("duplicate operationId `{id}` (also used at {prev})"),
                    );
                }
            }
            let before = sink.items.len();
            match lower_operation(&ctx, item, op, &mut types, &mut type_names, &mut sink) {
                OperationOutcome::Lowered(o) => {
                    waiter_declarations.extend(waiters::declaration(op, &o.id.wire, &optr));
                    ops.push((tag, *o))
                }
                OperationOutcome::Skipped(reason) => {
                    let d = Diagnostic::warning(&optr, format!("operation skipped: {reason}"));
                    sink.items.push(d.clone());
                    skipped.push(d);
                }
                OperationOutcome::Failed => debug_assert!(sink.items.len() > before),
            }
        }
    }

    // Tags: declared ones keep their description; used-but-undeclared ones
    // are fine but worth a warning.
    let declared: BTreeMap<&str, Option<&String>> = spec
        .tags
        .iter()
        .map(|t| (t.name.as_str(), t.description.as_ref()))
        .collect();
    let mut groups: BTreeMap<String, Tag> = BTreeMap::new();
    let mut modules = Namer::with_reserved(RESERVED_MODULES.iter().copied());
    let mut by_tag: BTreeMap<String, Vec<Operation>> = BTreeMap::new();
    for (tag, op) in ops {
        by_tag.entry(tag).or_default().push(op);
    }
    let mut warned_tags = BTreeSet::new();
    for (tag, mut operations) in by_tag {
        if !declared.contains_key(tag.as_str())
            && tag != "default"
            && warned_tags.insert(tag.clone())
        {
            sink.warning(
                format!("{}/tags", operations[0].pointer),
                format!("tag `{tag}` is used but not declared in #/tags"),
            );
        }
        let module = modules.unique(&module_ident(&tag));
        let mut methods = Namer::default();
        for op in &mut operations {
            op.id.rust = methods.unique(&op.id.rust);
        }
        let handle = tag_handle(&tag, &operations);
        groups.insert(
            module.clone(),
            Tag {
                name: Name {
                    rust: module,
                    wire: tag.clone(),
                },
                handle,
                description: declared.get(tag.as_str()).copied().flatten().cloned(),
                operations,
            },
        );
    }

    let mut security_schemes = BTreeMap::new();
    if let Some(c) = &spec.components {
        for (name, s) in &c.security_schemes {
            let s = match s {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { .. } => continue,
            };
            let (kind, token_url) = match s {
                openapiv3::SecurityScheme::OAuth2 { flows, .. } => (
                    "oauth2",
                    flows
                        .client_credentials
                        .as_ref()
                        .map(|f| f.token_url.clone()),
                ),
                openapiv3::SecurityScheme::HTTP { .. } => ("http", None),
                openapiv3::SecurityScheme::APIKey { .. } => ("apiKey", None),
                openapiv3::SecurityScheme::OpenIDConnect { .. } => ("openIdConnect", None),
            };
            security_schemes.insert(
                name.clone(),
                SecurityScheme {
                    kind: kind.to_string(),
                    token_url,
                },
            );
        }
    }
    let mut undefined = BTreeSet::new();
    for tag in groups.values() {
        for op in &tag.operations {
            for (scheme, _) in op.security.iter().flatten() {
                if !security_schemes.contains_key(scheme) && undefined.insert(scheme.clone()) {
                    sink.warning(
                        format!("{}/security", op.pointer),
                        format!("security scheme `{scheme}` is not defined in #/components/securitySchemes"),
                    );
                }
            }
        }
    }

    let mut api = Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        servers: spec
            .servers
            .iter()
            .map(|s| Server {
                url: s.url.clone(),
                variables: s
                    .variables
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.default.clone()))
                    .collect(),
            })
            .collect(),
        security_schemes,
        tags: groups.into_values().collect(),
        types: types.defs,
        waiters: Vec::new(),
        experimental_header: experimental_header(spec, &mut sink),
        sailpoint: spec
            .extensions
            .get(crate::features::SAILPOINT_EXTENSION)
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
    };
    api.waiters = waiters::lower(&api, &waiter_declarations, spec, &mut type_names, &mut sink);
    if !settings.tags.is_empty() {
        prune_unreachable(&mut api);
    }

    let warnings = crate::diag::settle(sink.items, settings.strict)?;
    Ok(Lowering {
        api,
        warnings,
        skipped,
    })
}

/// The header experimental operations send, decided once for the crate:
/// the one the top-level [`EXPERIMENTAL_HEADER_EXTENSION`] names; else
/// SailPoint's ([`EXPERIMENTAL_HEADER`]) when the spec opts into SailPoint's
/// conventions or declares that header as a parameter anywhere (upstream's
/// own way of marking experimental operations); else none.
fn experimental_header(spec: &OpenAPI, sink: &mut Sink) -> Option<String> {
    if let Some(value) = spec.extensions.get(EXPERIMENTAL_HEADER_EXTENSION) {
        let ptr = format!("#/{EXPERIMENTAL_HEADER_EXTENSION}");
        return match value.as_str() {
            Some(name) if is_header_name(name) => Some(name.to_string()),
            _ => {
                sink.error(ptr, format!("`{EXPERIMENTAL_HEADER_EXTENSION}` must be an HTTP header name (letters, digits and `!#$%&'*+-.^_`|~`), not {value}"));
                None
            }
        };
    }
    let sailpoint = spec
        .extensions
        .get(crate::features::SAILPOINT_EXTENSION)
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let named = |p: &ReferenceOr<Parameter>| match p {
        ReferenceOr::Item(Parameter::Header { parameter_data, .. }) => parameter_data
            .name
            .eq_ignore_ascii_case(EXPERIMENTAL_HEADER),
        _ => false,
    };
    let declared = spec
        .components
        .iter()
        .flat_map(|c| c.parameters.values())
        .any(named)
        || spec.paths.paths.values().any(|item| match item {
            ReferenceOr::Item(item) => {
                item.parameters.iter().any(named)
                    || methods(item)
                        .iter()
                        .any(|(_, op)| op.parameters.iter().any(named))
            }
            ReferenceOr::Reference { .. } => false,
        });
    (sailpoint || declared).then(|| EXPERIMENTAL_HEADER.to_string())
}

/// Whether `name` is an HTTP header name (RFC 9110 `token`).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Module names the generated crate already uses.
const RESERVED_MODULES: &[&str] = &[
    "models", "runtime", "meta", "filter", "patch", "sort", "docs",
];

fn methods(item: &openapiv3::PathItem) -> Vec<(Method, &openapiv3::Operation)> {
    [
        (Method::Get, &item.get),
        (Method::Put, &item.put),
        (Method::Post, &item.post),
        (Method::Delete, &item.delete),
        (Method::Options, &item.options),
        (Method::Head, &item.head),
        (Method::Patch, &item.patch),
        (Method::Trace, &item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
    .collect()
}

struct OpCtx<'a> {
    spec: &'a OpenAPI,
    path: &'a str,
    method: Method,
    ptr: &'a str,
}

/// Splits `/sources/{sourceId}/classify` into its template variables.
pub(crate) fn template_vars(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        match rest[start..].find('}') {
            Some(end) => {
                out.push(rest[start + 1..start + end].to_string());
                rest = &rest[start + end + 1..];
            }
            None => break,
        }
    }
    out
}

/// A stable name for an operation with no operationId: the method and the
/// path's words, `GET /das/owners/{ownerIdentityId}/resources` ->
/// `getDasOwnersByOwnerIdentityIdResources`.
pub(crate) fn synthesize_operation_id(method: Method, path: &str) -> String {
    use heck::ToUpperCamelCase;
    let mut id = method.as_str().to_ascii_lowercase();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let word = match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(var) => format!("By {var}"),
            None => seg.to_string(),
        };
        id.push_str(
            &word
                .replace(|c: char| !c.is_ascii_alphanumeric(), " ")
                .to_upper_camel_case(),
        );
    }
    id
}

fn resolve_param<'a>(
    spec: &'a OpenAPI,
    p: &'a ReferenceOr<Parameter>,
    ptr: &str,
    sink: &mut Sink,
) -> Option<(&'a Parameter, String)> {
    let mut cur = p;
    let mut cur_ptr = ptr.to_string();
    for _ in 0..8 {
        match cur {
            ReferenceOr::Item(p) => return Some((p, cur_ptr)),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/parameters/");
                match key.and_then(|k| spec.components.as_ref()?.parameters.get(k).map(|p| (k, p)))
                {
                    Some((k, next)) => {
                        cur_ptr = join("#/components/parameters", k);
                        cur = next;
                    }
                    None => {
                        sink.error(ptr, format!("unresolvable $ref `{reference}`: no such parameter in #/components/parameters"));
                        return None;
                    }
                }
            }
        }
    }
    sink.error(ptr, "parameter $ref chain is too long (a cycle?)");
    None
}

/// What became of one operation.
#[derive(Debug)]
enum OperationOutcome {
    /// Lowered; it is generated.
    Lowered(Box<Operation>),
    /// Left out on purpose; the reason becomes a warning.
    Skipped(String),
    /// It has errors, already in the sink.
    Failed,
}

/// Lowers one operation in phases: its id and type name, its parameters
/// (gathered, lowered, reconciled with the path template), its body, its
/// responses, its security, and what follows from those (paging, filters,
/// sorters, each parameter's role).
fn lower_operation(
    ctx: &OpCtx<'_>,
    item: &openapiv3::PathItem,
    op: &openapiv3::Operation,
    types: &mut Types<'_>,
    type_names: &mut Namer,
    sink: &mut Sink,
) -> OperationOutcome {
    let errors_before = sink
        .items
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let wire_id = match &op.operation_id {
        Some(id) if !id.trim().is_empty() => id.clone(),
        _ => {
            let id = synthesize_operation_id(ctx.method, ctx.path);
            sink.warning(
                ctx.ptr,
                format!(
                    "operation has no operationId; using `{id}`, made from the method and path"
                ),
            );
            id
        }
    };
    let type_name = type_names.unique_family(&type_ident(&wire_id), &OPERATION_DERIVED);

    // Parameters: path-level first, operation-level overrides by (name, in).
    let raw = gather_parameters(ctx, item, op, sink);

    // Also the builder's own private methods (`request`, `decode`).
    let mut arg_names = Namer::with_reserved([
        "body",
        "client",
        "options",
        "with_options",
        "request",
        "decode",
    ]);
    let LoweredParams {
        mut params,
        experimental_header,
    } = lower_parameters(&raw, &type_name, types, &mut arg_names, sink);
    let experimental = experimental_header
        || op
            .extensions
            .get(EXPERIMENTAL_EXTENSION)
            .and_then(|v| v.as_bool())
            .unwrap_or(false);

    reconcile_path_template(ctx, &mut params, &mut arg_names, sink);

    // Request body.
    let body = match &op.request_body {
        None => None,
        Some(b) => {
            let bptr = format!("{}/requestBody", ctx.ptr);
            match resolve_body(ctx.spec, b, &bptr, sink) {
                None => None,
                Some((b, bptr)) => {
                    match lower_body(b, &bptr, &type_name, types, &mut arg_names, sink) {
                        Ok(body) => body,
                        Err(reason) => return OperationOutcome::Skipped(reason),
                    }
                }
            }
        }
    };

    let responses = lower_responses(ctx, op, &type_name, types, sink);

    let security = op
        .security
        .as_ref()
        .or(ctx.spec.security.as_ref())
        .map(|reqs| {
            reqs.iter()
                .map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .collect()
        })
        .unwrap_or_default();

    let pagination = paging::pagination(
        op.extensions.get(paging::PAGINATION_EXTENSION),
        ctx.ptr,
        &params,
        &responses,
        &types.defs,
        sink,
    );
    let item = pagination.as_ref().map(|p| &p.item);
    let filters = filters::filters(&raw, item, &types.defs, sink);
    let sorters = filters::sorters(&raw, sink);
    for p in &mut params {
        p.role = param_role(p, pagination.as_ref(), filters.is_some(), sorters.is_some());
    }

    let errors_after = sink
        .items
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if errors_after > errors_before {
        return OperationOutcome::Failed;
    }
    OperationOutcome::Lowered(Box::new(Operation {
        id: Name {
            rust: method_ident(&wire_id),
            wire: wire_id,
        },
        type_name,
        pointer: ctx.ptr.to_string(),
        method: ctx.method,
        path: ctx.path.to_string(),
        summary: op.summary.clone(),
        description: op.description.clone(),
        deprecated: op.deprecated,
        experimental,
        params,
        body,
        responses,
        security,
        pagination,
        filters,
        sorters,
    }))
}

/// The parameters, lowered in spec order.
struct LoweredParams {
    params: Vec<Param>,
    /// Whether the spec requires the experimental header, which is never a
    /// parameter: the runtime sends it when the client opted in.
    experimental_header: bool,
}

/// Lowers the gathered parameters (cookies are warned about and left out;
/// the experimental header becomes a flag), naming them with `arg_names`.
fn lower_parameters(
    raw: &[(&Parameter, String)],
    type_name: &str,
    types: &mut Types<'_>,
    arg_names: &mut Namer,
    sink: &mut Sink,
) -> LoweredParams {
    let mut params = Vec::new();
    let mut experimental_header = false;
    for (p, pptr) in raw {
        let d = p.parameter_data_ref();
        let location = match p {
            Parameter::Path { .. } => ParamLocation::Path,
            Parameter::Query { .. } => ParamLocation::Query,
            Parameter::Header { .. } => ParamLocation::Header,
            Parameter::Cookie { .. } => ParamLocation::Cookie,
        };
        if location == ParamLocation::Header && d.name.eq_ignore_ascii_case(EXPERIMENTAL_HEADER) {
            // The runtime sends this header when the client opted in.
            experimental_header |= d.required;
            continue;
        }
        if location == ParamLocation::Cookie {
            sink.warning(
                pptr,
                format!(
                    "cookie parameter `{}` is not supported; it cannot be set",
                    d.name
                ),
            );
            continue;
        }
        let hint = format!("{type_name}{}", type_ident(&d.name));
        let (lowered, min, max, default) = match &d.format {
            ParameterSchemaOrContent::Schema(s) => {
                let lowered = types.lower(s, &format!("{pptr}/schema"), &hint, sink);
                let (min, max, default) = match s {
                    ReferenceOr::Item(s) => {
                        let v = view::View::of(s);
                        (v.minimum, v.maximum, s.schema_data.default.clone())
                    }
                    ReferenceOr::Reference { .. } => (None, None, None),
                };
                (lowered, min, max, default)
            }
            ParameterSchemaOrContent::Content(_) => {
                sink.warning(
                    pptr,
                    "parameter with `content` instead of `schema`; sent as a JSON string",
                );
                (
                    Lowered {
                        ty: TypeRef::Json,
                        nullable: false,
                    },
                    None,
                    None,
                    None,
                )
            }
        };
        let (min, max) = checkable_bounds(&lowered.ty, min, max, &format!("{pptr}/schema"), sink);
        let explode = d.explode.unwrap_or(matches!(
            location,
            ParamLocation::Query | ParamLocation::Cookie
        ));
        params.push(Param {
            spec_name: d.name.clone(),
            name: Name {
                rust: arg_names.unique(&field_ident(&d.name)),
                wire: d.name.clone(),
            },
            location,
            required: d.required || location == ParamLocation::Path,
            ty: if location == ParamLocation::Path {
                path_param_type(lowered.ty, &types.defs, pptr, sink)
            } else {
                lowered.ty
            },
            description: d.description.clone(),
            default,
            minimum: min,
            maximum: max,
            deprecated: d.deprecated.unwrap_or(false),
            explode,
            role: ParamRole::Plain,
            pointer: pptr.clone(),
        });
    }
    LoweredParams {
        params,
        experimental_header,
    }
}

/// The operation's parameters with their pointers: path-level first, then
/// operation-level ones, which override a path-level one of the same name
/// and location.
fn gather_parameters<'a>(
    ctx: &OpCtx<'a>,
    item: &'a openapiv3::PathItem,
    op: &'a openapiv3::Operation,
    sink: &mut Sink,
) -> Vec<(&'a Parameter, String)> {
    let mut raw: Vec<(&Parameter, String)> = Vec::new();
    for (i, p) in item.parameters.iter().enumerate() {
        let pptr = format!(
            "{}/parameters/{i}",
            ctx.ptr.rsplit_once('/').map_or(ctx.ptr, |x| x.0)
        );
        if let Some(r) = resolve_param(ctx.spec, p, &pptr, sink) {
            raw.push(r);
        }
    }
    for (i, p) in op.parameters.iter().enumerate() {
        let pptr = format!("{}/parameters/{i}", ctx.ptr);
        if let Some((p, ptr)) = resolve_param(ctx.spec, p, &pptr, sink) {
            let d = p.parameter_data_ref();
            raw.retain(|(q, _)| !(q.parameter_data_ref().name == d.name && same_location(q, p)));
            raw.push((p, ptr));
        }
    }
    raw
}

/// Reconciles the path template's variables with the path parameters
/// (repairing what is unambiguous, with a warning), then orders the
/// parameters: path ones in template order, the rest in spec order.
fn reconcile_path_template(
    ctx: &OpCtx<'_>,
    params: &mut Vec<Param>,
    arg_names: &mut Namer,
    sink: &mut Sink,
) {
    let vars = template_vars(ctx.path);
    let path_params: Vec<usize> = params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.location == ParamLocation::Path)
        .map(|(i, _)| i)
        .collect();
    let unmatched_vars: Vec<&String> = vars
        .iter()
        .filter(|v| !path_params.iter().any(|&i| params[i].name.wire == **v))
        .collect();
    let unmatched_params: Vec<usize> = path_params
        .iter()
        .copied()
        .filter(|&i| !vars.contains(&params[i].name.wire))
        .collect();
    // Exact matches first; then repair what is unambiguous, with a warning:
    // one stray variable and one stray parameter are the same thing; a
    // variable with no parameter at all still has to be filled in (a string
    // argument); a parameter with no place in the template cannot be sent.
    // Several strays on both sides cannot be paired: that is an error.
    if unmatched_vars.len() == 1 && unmatched_params.len() == 1 {
        let var = unmatched_vars[0].clone();
        let p = &mut params[unmatched_params[0]];
        sink.warning(
            &p.pointer,
            format!(
                "path parameter `{}` does not match the template variable `{{{var}}}` in `{}`; treating them as the same parameter, named `{var}`",
                p.name.wire, ctx.path
            ),
        );
        p.name.wire = var;
        p.name.rust = arg_names.unique(&field_ident(&p.name.wire));
    } else if !unmatched_vars.is_empty() && !unmatched_params.is_empty() {
        for v in &unmatched_vars {
            sink.error(
                ctx.ptr,
                format!("path template variable `{{{v}}}` in `{}` has no matching path parameter, and the unmatched parameters cannot be paired with it unambiguously", ctx.path),
            );
        }
        for &i in &unmatched_params {
            sink.error(
                &params[i].pointer,
                format!(
                    "path parameter `{}` does not appear in the path template `{}`",
                    params[i].name.wire, ctx.path
                ),
            );
        }
    } else if !unmatched_vars.is_empty() {
        for v in unmatched_vars
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
        {
            sink.warning(
                ctx.ptr,
                format!("path template variable `{{{v}}}` in `{}` has no declared parameter; the SDK takes it as a required string", ctx.path),
            );
            params.push(Param {
                spec_name: v.clone(),
                name: Name {
                    rust: arg_names.unique(&field_ident(&v)),
                    wire: v,
                },
                location: ParamLocation::Path,
                required: true,
                ty: TypeRef::String,
                description: None,
                default: None,
                minimum: None,
                maximum: None,
                deprecated: false,
                explode: false,
                role: ParamRole::Plain,
                pointer: ctx.ptr.to_string(),
            });
        }
    } else if !unmatched_params.is_empty() {
        for &i in unmatched_params.iter().rev() {
            sink.warning(
                &params[i].pointer,
                format!(
                    "path parameter `{}` does not appear in the path template `{}`, so it cannot be sent; it is left out of the SDK",
                    params[i].name.wire, ctx.path
                ),
            );
            params.remove(i);
        }
    }
    // Path parameters in template order, then the rest in spec order.
    params.sort_by_key(|p| match p.location {
        ParamLocation::Path => (
            0,
            vars.iter()
                .position(|v| *v == p.name.wire)
                .unwrap_or(usize::MAX),
        ),
        ParamLocation::Query => (1, 0),
        ParamLocation::Header => (2, 0),
        ParamLocation::Cookie => (3, 0),
    });
}

/// The documented responses, in status order, each with its variant name.
fn lower_responses(
    ctx: &OpCtx<'_>,
    op: &openapiv3::Operation,
    type_name: &str,
    types: &mut Types<'_>,
    sink: &mut Sink,
) -> Vec<Response> {
    let mut responses = Vec::new();
    let mut entries: Vec<(Status, &ReferenceOr<OaResponse>, String)> = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| {
            let status = match code {
                StatusCode::Code(c) => Status::Code(*c),
                StatusCode::Range(r) => Status::Range(*r),
            };
            (
                status,
                r,
                join(&format!("{}/responses", ctx.ptr), &code.to_string()),
            )
        })
        .collect();
    if let Some(d) = &op.responses.default {
        entries.push((Status::Default, d, format!("{}/responses/default", ctx.ptr)));
    }
    entries.sort_by_key(|e| e.0);
    let mut variants = Namer::default();
    for (status, r, rptr) in entries {
        let Some((r, rptr_resolved, rname)) = resolve_response(ctx.spec, r, &rptr, sink) else {
            continue;
        };
        let hint = match &rname {
            Some(n) => response_hint(n),
            None => format!("{type_name}{}Response", status_words(status)),
        };
        let body = lower_response_body(r, &rptr_resolved, &hint, types, sink);
        let multi_status = r
            .extensions
            .get(paging::MULTI_STATUS_EXTENSION)
            .and_then(|v| {
                paging::multi_status(v, &rptr_resolved, status, &body, &types.defs, sink)
            });
        responses.push(Response {
            status,
            description: r.description.clone(),
            body,
            headers: r
                .headers
                .keys()
                .map(|h| Name {
                    rust: field_ident(h),
                    wire: h.clone(),
                })
                .collect(),
            variant: variants.unique(&status_words(status)),
            multi_status,
            pointer: rptr,
        });
    }
    if !responses.iter().any(|r| r.status.is_success()) {
        sink.warning(
            format!("{}/responses", ctx.ptr),
            "no 2xx response is documented; any 2xx is returned as bytes".to_string(),
        );
    }
    responses
}

fn same_location(a: &Parameter, b: &Parameter) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn resolve_body<'a>(
    spec: &'a OpenAPI,
    b: &'a ReferenceOr<OaBody>,
    ptr: &str,
    sink: &mut Sink,
) -> Option<(&'a OaBody, String)> {
    match b {
        ReferenceOr::Item(b) => Some((b, ptr.to_string())),
        ReferenceOr::Reference { reference } => {
            let key = reference.strip_prefix("#/components/requestBodies/");
            match key.and_then(|k| {
                spec.components
                    .as_ref()?
                    .request_bodies
                    .get(k)
                    .map(|b| (k, b))
            }) {
                Some((k, ReferenceOr::Item(b))) => Some((b, join("#/components/requestBodies", k))),
                _ => {
                    sink.error(ptr, format!("unresolvable $ref `{reference}`: no such request body in #/components/requestBodies"));
                    None
                }
            }
        }
    }
}

fn resolve_response<'a>(
    spec: &'a OpenAPI,
    r: &'a ReferenceOr<OaResponse>,
    ptr: &str,
    sink: &mut Sink,
) -> Option<(&'a OaResponse, String, Option<String>)> {
    match r {
        ReferenceOr::Item(r) => Some((r, ptr.to_string(), None)),
        ReferenceOr::Reference { reference } => {
            let key = reference.strip_prefix("#/components/responses/");
            match key.and_then(|k| spec.components.as_ref()?.responses.get(k).map(|r| (k, r))) {
                Some((k, ReferenceOr::Item(r))) => {
                    Some((r, join("#/components/responses", k), Some(k.to_string())))
                }
                _ => {
                    sink.error(ptr, format!("unresolvable $ref `{reference}`: no such response in #/components/responses"));
                    None
                }
            }
        }
    }
}

/// Classifies a media type.
pub(crate) fn body_kind(media: &str) -> BodyKind {
    let m = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if m == "application/json-patch+json" {
        BodyKind::JsonPatch
    } else if m == "application/json" || m.ends_with("+json") || m == "*/*" {
        BodyKind::Json
    } else if m == "multipart/form-data" {
        BodyKind::Multipart
    } else if m == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if m.starts_with("text/") {
        BodyKind::Text
    } else {
        BodyKind::Bytes
    }
}

fn lower_body(
    b: &OaBody,
    ptr: &str,
    type_name: &str,
    types: &mut Types<'_>,
    arg_names: &mut Namer,
    sink: &mut Sink,
) -> Result<Option<RequestBody>, String> {
    let mut media: Vec<(&String, &openapiv3::MediaType)> = b.content.iter().collect();
    if media.is_empty() {
        sink.warning(ptr, "request body has no content; no body is sent");
        return Ok(None);
    }
    // Prefer JSON, then JSON Patch, then the rest in spec order.
    media.sort_by_key(|(m, _)| match body_kind(m) {
        BodyKind::Json => 0,
        BodyKind::JsonPatch => 1,
        BodyKind::Form => 2,
        BodyKind::Multipart => 3,
        BodyKind::Text => 4,
        BodyKind::Bytes => 5,
    });
    let (chosen, mt) = media[0];
    let others: Vec<String> = media[1..].iter().map(|(m, _)| (*m).clone()).collect();
    if !others.is_empty() {
        sink.warning(
            ptr,
            format!("request body allows several media types; the SDK sends `{chosen}` (also allowed: {})", others.join(", ")),
        );
    }
    let mptr = join(&format!("{ptr}/content"), chosen);
    let kind = body_kind(chosen);
    let ty = match kind {
        BodyKind::JsonPatch => TypeRef::JsonPatch,
        BodyKind::Multipart => match &mt.schema {
            Some(s) => {
                types
                    .lower(
                        s,
                        &format!("{mptr}/schema"),
                        &format!("{type_name}Form"),
                        sink,
                    )
                    .ty
            }
            None => return Err(format!("`{chosen}` request body without a schema ({mptr})")),
        },
        BodyKind::Text => TypeRef::String,
        BodyKind::Bytes => TypeRef::Bytes,
        BodyKind::Json | BodyKind::Form => match &mt.schema {
            Some(s) => {
                types
                    .lower(
                        s,
                        &format!("{mptr}/schema"),
                        &format!("{type_name}Request"),
                        sink,
                    )
                    .ty
            }
            None => TypeRef::Json,
        },
    };
    let (kind, ty) = raw_json_body(kind, ty, &mptr, sink);
    let mut form = Vec::new();
    if kind == BodyKind::Multipart {
        let fields = match types.struct_fields(&ty) {
            Some(fields) => fields,
            None if ty == TypeRef::JsonObject => {
                sink.warning(&mptr, "free-form multipart body: the SDK takes a JSON object and sends each entry as a text part");
                Vec::new()
            }
            None => {
                return Err(format!(
                    "`{chosen}` request body whose schema is not an object ({mptr})"
                ))
            }
        };
        for mut f in fields {
            f.name.rust = arg_names.unique(&f.name.rust);
            form.push(f);
        }
    }
    Ok(Some(RequestBody {
        form,
        media_type: chosen.clone(),
        other_media_types: others,
        kind,
        ty,
        required: b.required,
        description: b.description.clone(),
        pointer: ptr.to_string(),
    }))
}

fn lower_response_body(
    r: &OaResponse,
    ptr: &str,
    hint: &str,
    types: &mut Types<'_>,
    sink: &mut Sink,
) -> ResponseBody {
    if r.content.is_empty() {
        return ResponseBody::Empty;
    }
    let mut json = None;
    let mut text = Vec::new();
    let mut bytes = Vec::new();
    for (m, mt) in &r.content {
        if !m.contains('/') {
            sink.warning(
                join(&format!("{ptr}/content"), m),
                format!("`{m}` is not a media type (the `content` map needs media types as keys); the body is read as bytes"),
            );
            bytes.push("*/*".to_string());
            continue;
        }
        match body_kind(m) {
            BodyKind::Json | BodyKind::JsonPatch if json.is_none() => json = Some((m, mt)),
            BodyKind::Text => text.push(m.clone()),
            _ => bytes.push(m.clone()),
        }
    }
    if let Some((m, mt)) = json {
        let ty = match &mt.schema {
            Some(s) => {
                types
                    .lower(
                        s,
                        &format!("{}/schema", join(&format!("{ptr}/content"), m)),
                        hint,
                        sink,
                    )
                    .ty
            }
            None => TypeRef::Json,
        };
        return ResponseBody::Json {
            media_type: m.clone(),
            ty,
        };
    }
    if !bytes.is_empty() {
        bytes.extend(text);
        return ResponseBody::Bytes {
            media_type: bytes.join(", "),
        };
    }
    ResponseBody::Text {
        media_type: text.join(", "),
    }
}

/// The name for an inline schema under `#/components/responses/{name}`.
fn response_hint(name: &str) -> String {
    match name.parse::<u16>() {
        Ok(code) => format!("{}Body", status_words(Status::Code(code))),
        Err(_) => format!("{}Body", type_ident(name)),
    }
}

/// `404` -> `NotFound`; used for enum variants and type names.
pub fn status_words(status: Status) -> String {
    let code = match status {
        Status::Code(c) => c,
        Status::Range(r) => return format!("Status{r}xx"),
        Status::Default => return "Default".to_string(),
    };
    let s = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        300 => "MultipleChoices",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        414 => "UriTooLong",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        417 => "ExpectationFailed",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => return format!("Status{code}"),
    };
    s.to_string()
}

/// The one answer to "what is this parameter for?".
fn param_role(
    p: &Param,
    pagination: Option<&Pagination>,
    has_filters: bool,
    has_sorters: bool,
) -> ParamRole {
    let typed = !p.required && p.ty == TypeRef::String;
    let paging = |q: fn(&Pagination) -> Option<&PageParam>| {
        pagination.is_some_and(|pg| {
            p.location == ParamLocation::Query && q(pg).is_some_and(|q| q.name == p.name)
        })
    };
    match p.name.wire.as_str() {
        "filters" if typed && has_filters => ParamRole::Filters,
        "sorters" if typed && has_sorters => ParamRole::Sorters,
        _ if paging(|pg| pg.limit.as_ref()) => ParamRole::Limit,
        _ if paging(Pagination::offset) => ParamRole::Offset,
        _ if paging(|pg| pg.cursor().map(|c| &c.param)) => ParamRole::Cursor,
        "count" => ParamRole::Count,
        _ => ParamRole::Plain,
    }
}

/// Keeps only the types that the generated operations reach.
fn prune_unreachable(api: &mut Api) {
    let ops = api.tags.iter().flat_map(|t| &t.operations);
    let keep = crate::graph::reachable(
        api,
        ops.flat_map(|op| crate::graph::request_roots(op).chain(crate::graph::response_roots(op))),
    );
    api.types.retain(|k, _| keep.contains(k));
}

/// A JSON body whose schema is binary (`type: string, format: binary`) is
/// a document the caller already has as bytes: it is sent as they are,
/// with the JSON media type.
fn raw_json_body(kind: BodyKind, ty: TypeRef, ptr: &str, sink: &mut Sink) -> (BodyKind, TypeRef) {
    if kind == BodyKind::Json && ty == TypeRef::Bytes {
        sink.warning(
            join(ptr, "schema"),
            "a JSON request body with a binary schema; the SDK sends the given bytes as they are",
        );
        return (BodyKind::Bytes, ty);
    }
    (kind, ty)
}

/// The tag's handle type (`MachineIdentities`), unless an operation of the
/// tag already gives its module that name (tag "Search" and operation
/// `search`: builder `Search`), then `SearchApi`.
fn tag_handle(tag: &str, operations: &[Operation]) -> String {
    let taken: BTreeSet<String> = operations
        .iter()
        .flat_map(|op| {
            ["", "Success", "Error", "Filter", "SortField"]
                .map(|suffix| format!("{}{suffix}", op.type_name))
        })
        .collect();
    let base = type_ident(tag);
    let mut namer = Namer::with_reserved(taken.iter().map(String::as_str));
    let handle = namer.unique(&base);
    if handle == base {
        return handle;
    }
    namer.unique(&format!("{base}Api"))
}

/// A path parameter's type must render as one URL segment. A union, object
/// or array has no such form: the parameter is taken as a string (with a
/// warning), which the caller writes as the server expects it.
fn path_param_type(
    ty: TypeRef,
    defs: &BTreeMap<String, crate::ir::TypeDef>,
    ptr: &str,
    sink: &mut Sink,
) -> TypeRef {
    fn renders(ty: &TypeRef, defs: &BTreeMap<String, crate::ir::TypeDef>, depth: usize) -> bool {
        match ty {
            TypeRef::Named(n) => match defs.get(n).map(|d| &d.kind) {
                Some(TypeKind::Enum(_)) => true,
                Some(TypeKind::Alias(t)) => depth < 16 && renders(t, defs, depth + 1),
                _ => false,
            },
            TypeRef::Vec(_) | TypeRef::Map(_) | TypeRef::JsonObject | TypeRef::JsonPatch => false,
            _ => true,
        }
    }
    if renders(&ty, defs, 0) {
        return ty;
    }
    sink.warning(
        join(ptr, "schema"),
        "a path parameter whose schema is a union, object or array has no single text form; taken as a String",
    );
    TypeRef::String
}

/// The bounds of a numeric parameter that the SDK can check on its Rust
/// type. A bound at or beyond the type's limit says nothing (and would not
/// compile cleanly); one on the far side of the type's range cannot be met.
/// Either way it is left out, with a warning when it lies beyond the range,
/// so the emitted check is never wrong.
fn checkable_bounds(
    ty: &TypeRef,
    min: Option<f64>,
    max: Option<f64>,
    ptr: &str,
    sink: &mut Sink,
) -> (Option<f64>, Option<f64>) {
    let (lo, hi, name) = match ty {
        TypeRef::I32 => (f64::from(i32::MIN), f64::from(i32::MAX), "i32"),
        TypeRef::I64 => (i64::MIN as f64, i64::MAX as f64, "i64"),
        _ => return (min, max),
    };
    let mut keep = |key: &str, v: Option<f64>, vacuous: bool| {
        let v = v?;
        if v < lo || v > hi {
            sink.warning(
                join(ptr, key),
                format!("`{key}: {v}` is beyond the range of {name}; the SDK does not check it"),
            );
            return None;
        }
        (!vacuous).then_some(v)
    };
    let min = keep("minimum", min, min.is_some_and(|v| v <= lo));
    let max = keep("maximum", max, max.is_some_and(|v| v >= hi));
    (min, max)
}
