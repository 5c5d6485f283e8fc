//! Waiters: the `x-sdk-waiter` extension of a status operation, lowered into
//! [`ir::Waiter`](crate::ir::Waiter) once every operation and type is.
//!
//! ```yaml
//! x-sdk-waiter:
//!   name: classify                 # the method is `classify_and_wait`
//!   start: sendClassifyMachineAccountFromSource
//!   statusField: /status           # JSON pointer (or property name) into the 200 body
//!   success: [COMPLETED]
//!   failure: [CANCELLED, TERMINATED]
//!   pending: [STARTED, COLLECTED]  # optional for an enum: its other values
//!   initialDelaySeconds: 1         # optional, default 1
//!   maxDelaySeconds: 30            # optional, default 30
//!   timeoutSeconds: 3600           # optional, default 600
//! ```
//!
//! Every reference must resolve: the start operation exists and its required
//! parameters (a body is not supported) give every required parameter of the
//! status operation, by name, place and type; the status field exists in the
//! status operation's success body and is a string or string enum; the states
//! are values of that enum, and no state is in two lists. Every problem is a
//! diagnostic at the extension's pointer (or below it).

use super::Sink;
use crate::diag::join;
use crate::ident::{method_ident, type_ident, Namer};
use crate::ir::*;

/// The extension's name.
pub const WAITER_EXTENSION: &str = "x-sdk-waiter";

const DEFAULT_INITIAL_DELAY_SECS: f64 = 1.0;
const DEFAULT_MAX_DELAY_SECS: f64 = 30.0;
const DEFAULT_TIMEOUT_SECS: f64 = 600.0;

const KEYS: [&str; 9] = [
    "name",
    "start",
    "statusField",
    "success",
    "failure",
    "pending",
    "initialDelaySeconds",
    "maxDelaySeconds",
    "timeoutSeconds",
];

/// One `x-sdk-waiter` value found on a lowered operation.
#[derive(Debug, Clone)]
pub(super) struct Declaration {
    /// The status operation's operationId.
    pub status: String,
    /// The extension's value.
    pub value: serde_json::Value,
    /// `#/paths/.../get/x-sdk-waiter`.
    pub pointer: String,
}

/// Lowers every declaration against the lowered `api`. `type_names` is the
/// namer of the operations' type names, so a builder never takes one of them.
pub(super) fn lower(
    api: &Api,
    declarations: &[Declaration],
    spec: &openapiv3::OpenAPI,
    type_names: &mut Namer,
    sink: &mut Sink,
) -> Vec<Waiter> {
    let mut methods: std::collections::BTreeMap<String, Namer> = api
        .tags
        .iter()
        .map(|t| {
            let names = t.operations.iter().map(|o| o.id.rust.as_str());
            (t.name.rust.clone(), Namer::with_reserved(names))
        })
        .collect();
    let handles: Vec<&str> = api.tags.iter().map(|t| t.handle.as_str()).collect();
    let mut out = Vec::new();
    for d in declarations {
        let items: Vec<(String, &serde_json::Value)> = match &d.value {
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{}/{i}", d.pointer), v))
                .collect(),
            other => vec![(d.pointer.clone(), other)],
        };
        for (ptr, value) in items {
            let Some(w) = lower_one(api, &d.status, value, &ptr, spec, sink) else {
                continue;
            };
            let Some(names) = methods.get_mut(&w.status.tag.rust) else {
                continue;
            };
            let method = names.unique(&method_ident(&format!("{}_and_wait", w.name.wire)));
            let mut type_name = type_names.unique(&type_ident(&format!("{}AndWait", w.name.wire)));
            while handles.contains(&type_name.as_str()) {
                type_name = type_names.unique(&type_name);
            }
            out.push(Waiter {
                name: Name {
                    rust: method,
                    wire: w.name.wire.clone(),
                },
                type_name,
                ..w
            });
        }
    }
    out
}

fn find_op<'a>(api: &'a Api, id: &str) -> Option<(&'a Tag, &'a Operation)> {
    api.operations().find(|(_, o)| o.id.wire == id)
}

fn op_ref(tag: &Tag, op: &Operation) -> OperationRef {
    OperationRef {
        tag: tag.name.clone(),
        id: op.id.clone(),
        builder: op.type_name.clone(),
        error_type: op.error_type(),
    }
}

/// Whether the spec declares an operation `id` at all (lowered or not).
fn spec_has_operation(spec: &openapiv3::OpenAPI, id: &str) -> bool {
    spec.paths.paths.values().any(|item| match item {
        openapiv3::ReferenceOr::Item(item) => item
            .iter()
            .any(|(_, op)| op.operation_id.as_deref() == Some(id)),
        openapiv3::ReferenceOr::Reference { .. } => false,
    })
}

/// A list of states, or an error.
fn states(
    obj: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    ptr: &str,
    sink: &mut Sink,
) -> Option<Option<Vec<String>>> {
    let Some(v) = obj.get(key) else {
        return Some(None);
    };
    let kptr = join(ptr, key);
    let list = match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => {
            let mut list = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => list.push(s.to_string()),
                    None => {
                        sink.error(
                            format!("{kptr}/{i}"),
                            format!("a waiter state must be a string, not `{item}`"),
                        );
                        return None;
                    }
                }
            }
            list
        }
        other => {
            sink.error(
                kptr,
                format!("`{key}` must be a list of states, not `{other}`"),
            );
            return None;
        }
    };
    Some(Some(list))
}

/// A number of seconds, at least `min`, as milliseconds.
fn seconds(
    obj: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    default: f64,
    ptr: &str,
    sink: &mut Sink,
) -> Option<u64> {
    let secs = match obj.get(key) {
        None => default,
        Some(v) => {
            match v.as_f64() {
                Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 * 365.0 => s,
                _ => {
                    sink.error(
                    join(ptr, key),
                    format!("`{key}` must be a positive number of seconds (at most a year), not `{v}`"),
                );
                    return None;
                }
            }
        }
    };
    Some(((secs * 1000.0).round() as u64).max(1))
}

/// Lowers one declaration, naming nothing yet (`name.rust` and `type_name`
/// are filled in by [`lower`]).
fn lower_one(
    api: &Api,
    status_id: &str,
    value: &serde_json::Value,
    ptr: &str,
    spec: &openapiv3::OpenAPI,
    sink: &mut Sink,
) -> Option<Waiter> {
    let Some(obj) = value.as_object() else {
        sink.error(
            ptr,
            format!("`{WAITER_EXTENSION}` must be an object (or a list of objects), not `{value}`"),
        );
        return None;
    };
    for key in obj.keys() {
        if !KEYS.contains(&key.as_str()) {
            sink.warning(
                join(ptr, key),
                format!(
                    "unknown key `{key}` of `{WAITER_EXTENSION}` is ignored (known: {})",
                    KEYS.join(", ")
                ),
            );
        }
    }
    let string = |key: &str, sink: &mut Sink| -> Option<String> {
        match obj.get(key) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(other) => {
                sink.error(
                    join(ptr, key),
                    format!("`{key}` must be a non-empty string, not `{other}`"),
                );
                None
            }
            None => {
                sink.error(ptr, format!("`{WAITER_EXTENSION}` needs `{key}`"));
                None
            }
        }
    };
    let name = string("name", sink);
    let start_id = string("start", sink);
    let field = string("statusField", sink);
    let success = states(obj, "success", ptr, sink);
    let failure = states(obj, "failure", ptr, sink);
    let pending = states(obj, "pending", ptr, sink);
    let initial = seconds(
        obj,
        "initialDelaySeconds",
        DEFAULT_INITIAL_DELAY_SECS,
        ptr,
        sink,
    );
    let max = seconds(obj, "maxDelaySeconds", DEFAULT_MAX_DELAY_SECS, ptr, sink);
    let timeout = seconds(obj, "timeoutSeconds", DEFAULT_TIMEOUT_SECS, ptr, sink);
    if let (Some(i), Some(m)) = (initial, max) {
        if i > m {
            sink.error(
                join(ptr, "initialDelaySeconds"),
                "`initialDelaySeconds` is more than `maxDelaySeconds`",
            );
        }
    }

    let (status_tag, status_op) = find_op(api, status_id)?;
    let start = start_id.as_deref().and_then(|id| match find_op(api, id) {
        Some(found) => Some(found),
        None if spec_has_operation(spec, id) => {
            sink.warning(
                join(ptr, "start"),
                format!("waiter left out: its start operation `{id}` is not generated"),
            );
            None
        }
        None => {
            sink.error(
                join(ptr, "start"),
                format!(
                    "start operation `{id}` does not exist (no operation has this operationId)"
                ),
            );
            None
        }
    });
    let args = start.and_then(|(_, op)| start_args(op, &join(ptr, "start"), sink));
    let status_args = args
        .as_ref()
        .and_then(|args| status_args(status_op, args, ptr, sink));
    let body = status_body(status_op, ptr, sink);
    let resolved = match (&body, &field) {
        (Some(ty), Some(f)) => resolve_field(api, ty, f, &join(ptr, "statusField"), sink),
        _ => None,
    };
    let (steps, values) = resolved?;
    let (success, failure, pending) =
        check_states(values.as_ref(), success?, failure?, pending?, ptr, sink)?;
    let (start_tag, start_op) = start?;
    Some(Waiter {
        name: Name {
            rust: String::new(),
            wire: name?,
        },
        type_name: String::new(),
        start: op_ref(start_tag, start_op),
        status: op_ref(status_tag, status_op),
        args: args?,
        status_args: status_args?,
        status_type: body?,
        status_field: steps,
        status_enum: values.map(|(name, _)| name),
        success,
        failure,
        pending,
        initial_delay_ms: initial?,
        max_delay_ms: max?,
        timeout_ms: timeout?,
        pointer: ptr.to_string(),
    })
}

/// The start operation's required parameters; a body it needs is an error.
fn start_args(op: &Operation, ptr: &str, sink: &mut Sink) -> Option<Vec<WaiterArg>> {
    if op
        .body
        .as_ref()
        .is_some_and(|b| b.required || b.form_fields().is_some())
    {
        sink.error(
            ptr,
            format!(
                "start operation `{}` needs a request body, which a waiter cannot pass yet",
                op.id.wire
            ),
        );
        return None;
    }
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        if !matches!(
            p.ty,
            TypeRef::String | TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64
        ) {
            sink.error(
                ptr,
                format!(
                    "start operation `{}` needs `{}` of type `{}`; a waiter passes strings, numbers and booleans only",
                    op.id.wire, p.name.wire, p.ty
                ),
            );
            return None;
        }
        args.push(WaiterArg {
            name: p.name.clone(),
            ty: p.ty.clone(),
        });
    }
    Some(args)
}

/// Each required parameter of the status operation, as an index into the
/// start operation's arguments of the same name, place and type.
fn status_args(
    op: &Operation,
    args: &[WaiterArg],
    ptr: &str,
    sink: &mut Sink,
) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut ok = true;
    for p in op.params.iter().filter(|p| p.required) {
        match args
            .iter()
            .position(|a| a.name.wire == p.name.wire && a.ty == p.ty)
        {
            Some(i) => out.push(i),
            None => {
                sink.error(
                    join(ptr, "start"),
                    format!(
                        "the status operation needs `{}` ({}), which the start operation does not take as a required parameter of the same type",
                        p.name.wire, p.ty
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// The one JSON body type of the status operation's successes.
fn status_body(op: &Operation, ptr: &str, sink: &mut Sink) -> Option<TypeRef> {
    let bodies: Vec<&ResponseBody> = op.successes().into_iter().map(|r| &r.body).collect();
    match bodies.as_slice() {
        [ResponseBody::Json { ty, .. }, rest @ ..]
            if rest
                .iter()
                .all(|b| matches!(b, ResponseBody::Json { ty: t, .. } if t == ty)) =>
        {
            Some(ty.clone())
        }
        _ => {
            sink.error(
                ptr,
                format!(
                    "the status operation `{}` must answer success with one JSON body type",
                    op.id.wire
                ),
            );
            None
        }
    }
}

/// The status value's enum: its Rust name and its values.
type EnumValues = (String, Vec<String>);

/// Follows `field` (a JSON pointer such as `/status` or `/progress/state`,
/// or a property name) from `ty` to a string or string enum.
fn resolve_field(
    api: &Api,
    ty: &TypeRef,
    field: &str,
    ptr: &str,
    sink: &mut Sink,
) -> Option<(Vec<StatusStep>, Option<EnumValues>)> {
    let segments: Vec<String> = match field.strip_prefix('/') {
        Some(rest) => rest
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
        None => vec![field.to_string()],
    };
    let mut steps = Vec::new();
    let mut current = ty.clone();
    for segment in &segments {
        let Some((name, def)) = named_struct(api, &current) else {
            sink.error(
                ptr,
                format!("status field `{field}`: `{current}` is not an object, so it has no property `{segment}`"),
            );
            return None;
        };
        let Some(f) = def.fields.iter().find(|f| &f.name.wire == segment) else {
            let known: Vec<&str> = def.fields.iter().map(|f| f.name.wire.as_str()).collect();
            sink.error(
                ptr,
                format!(
                    "status field `{field}`: `{name}` has no property `{segment}` (it has: {})",
                    known.join(", ")
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
    match api.resolve_alias(&current) {
        TypeRef::String => Some((steps, None)),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Enum(e)) => Some((
                steps,
                Some((
                    n.clone(),
                    e.variants.iter().map(|v| v.wire.clone()).collect(),
                )),
            )),
            _ => {
                sink.error(
                    ptr,
                    format!("status field `{field}` is a `{n}`, not a string or string enum"),
                );
                None
            }
        },
        other => {
            sink.error(
                ptr,
                format!("status field `{field}` is a `{other}`, not a string or string enum"),
            );
            None
        }
    }
}

fn named_struct<'a>(api: &'a Api, ty: &TypeRef) -> Option<(&'a str, &'a Struct)> {
    match api.resolve_alias(ty) {
        TypeRef::Named(n) => match api.types.get_key_value(n) {
            Some((
                k,
                TypeDef {
                    kind: TypeKind::Struct(s),
                    ..
                },
            )) => Some((k.as_str(), s)),
            _ => None,
        },
        _ => None,
    }
}

/// Checks the state lists against the enum (if any) and each other; for an
/// enum, `pending` defaults to its other values.
fn check_states(
    values: Option<&EnumValues>,
    success: Option<Vec<String>>,
    failure: Option<Vec<String>>,
    pending: Option<Vec<String>>,
    ptr: &str,
    sink: &mut Sink,
) -> Option<(Vec<String>, Vec<String>, Vec<String>)> {
    let mut ok = true;
    let success = success.unwrap_or_default();
    if success.is_empty() {
        sink.error(ptr, "a waiter needs at least one `success` state");
        ok = false;
    }
    let failure = failure.unwrap_or_default();
    let lists = [("success", &success), ("failure", &failure)];
    let declared_pending = pending.is_some();
    let pending = match (pending, values) {
        (Some(p), _) => p,
        (None, Some((_, all))) => all
            .iter()
            .filter(|v| !success.contains(v) && !failure.contains(v))
            .cloned()
            .collect(),
        (None, None) => {
            sink.error(
                ptr,
                "the status field is a plain string, so `pending` must list the states that mean \"not done yet\"",
            );
            return None;
        }
    };
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let all_lists = lists
        .into_iter()
        .chain(declared_pending.then_some(("pending", &pending)));
    for (key, list) in all_lists {
        for (i, state) in list.iter().enumerate() {
            let sptr = format!("{}/{i}", join(ptr, key));
            if let Some((enum_name, all)) = values {
                if !all.contains(state) {
                    sink.error(
                        &sptr,
                        format!(
                            "state `{state}` is not a value of the status enum `{enum_name}` ({})",
                            all.join(", ")
                        ),
                    );
                    ok = false;
                }
            }
            if let Some((other, _)) = seen.iter().find(|(_, s)| s == state) {
                sink.error(
                    &sptr,
                    format!("state `{state}` is in both `{other}` and `{key}`"),
                );
                ok = false;
            }
            seen.push((key, state));
        }
    }
    ok.then_some((success, failure, pending))
}

/// Reads the declarations of one lowered operation.
pub(super) fn declaration(
    op: &openapiv3::Operation,
    status_id: &str,
    optr: &str,
) -> Option<Declaration> {
    op.extensions
        .get(WAITER_EXTENSION)
        .map(|value| Declaration {
            status: status_id.to_string(),
            value: value.clone(),
            pointer: join(optr, WAITER_EXTENSION),
        })
}
