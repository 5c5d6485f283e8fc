//! Filter and sorter metadata for list operations.
//!
//! Two sources, in order of preference:
//! - our vendor extensions on the `filters`/`sorters` query parameters
//!   (`x-sdk-filterable`, `x-sdk-sortable`, documented in `spec/README.md`);
//! - SailPoint's prose convention in the parameter description:
//!   `**field**: *eq, in, sw*` lines, and
//!   `Sorting is supported for the following fields: **a, b, c**`.

use crate::diag::Sink;
use crate::ident::{field_ident, Namer};
use crate::ir::{FilterField, FilterOperator, FilterValue, Name, TypeDef, TypeKind, TypeRef};
use openapiv3::Parameter;
use serde_json::Value;
use std::collections::BTreeMap;

pub(crate) const FILTER_EXTENSION: &str = "x-sdk-filterable";
pub(crate) const SORT_EXTENSION: &str = "x-sdk-sortable";

fn query<'a>(raw: &'a [(&'a Parameter, String)], name: &str) -> Option<(&'a Parameter, &'a str)> {
    raw.iter()
        .find(|(p, _)| matches!(p, Parameter::Query { .. }) && p.parameter_data_ref().name == name)
        .map(|(p, ptr)| (*p, ptr.as_str()))
}

/// The filterable fields of an operation, if it documents any. A field
/// whose source gives no value type (the prose convention) gets the type
/// found by following its dotted path through `item`, the listed item
/// type, in `types`; a path that cannot be followed is a string field.
pub(crate) fn filters(
    raw: &[(&Parameter, String)],
    item: Option<&TypeRef>,
    types: &BTreeMap<String, TypeDef>,
    sink: &mut Sink,
) -> Option<Vec<FilterField>> {
    let (p, ptr) = query(raw, "filters")?;
    let d = p.parameter_data_ref();
    let mut namer = Namer::default();
    let mut out = Vec::new();
    if let Some(ext) = d.extensions.get(FILTER_EXTENSION) {
        let eptr = format!("{ptr}/{FILTER_EXTENSION}");
        let Some(items) = ext.as_array() else {
            sink.error(eptr, "must be a list of {field, type, operators}");
            return None;
        };
        for (i, item) in items.iter().enumerate() {
            let iptr = format!("{eptr}/{i}");
            let field = item.get("field").and_then(Value::as_str);
            let ty = item.get("type").and_then(Value::as_str).unwrap_or("string");
            let ops: Option<Vec<&str>> = item
                .get("operators")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect());
            let (Some(field), Some(ops)) = (field, ops) else {
                sink.error(
                    iptr,
                    "needs `field` (a string) and `operators` (a list of strings)",
                );
                continue;
            };
            let Some(ty) = FilterValue::from_wire(ty) else {
                let known: Vec<&str> = FilterValue::ALL.iter().map(|v| v.wire()).collect();
                sink.error(
                    format!("{iptr}/type"),
                    format!(
                        "unknown filter value type `{ty}` (expected one of {})",
                        known.join(", ")
                    ),
                );
                continue;
            };
            let mut operators = Vec::new();
            for op in ops {
                if let Some(op) = FilterOperator::from_wire(op) {
                    operators.push(op);
                } else {
                    sink.error(
                        format!("{iptr}/operators"),
                        format!("unknown filter operator `{op}`"),
                    );
                }
            }
            push(&mut out, &mut namer, field, ty, operators);
        }
        return Some(out);
    }
    let text = d.description.as_deref()?;
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("**") else {
            continue;
        };
        let Some((field, ops)) = rest.split_once("**:") else {
            continue;
        };
        let mut operators = Vec::new();
        for op in ops.trim().trim_matches('*').split(',') {
            let op = op.trim().to_ascii_lowercase();
            if let Some(op) = FilterOperator::from_wire(&op) {
                operators.push(op);
            } else if !op.is_empty() {
                sink.warning(
                    ptr,
                    format!("filter field `{field}` lists unknown operator `{op}`; ignored"),
                );
            }
        }
        if !operators.is_empty() {
            let field = field.trim();
            let ty = item
                .and_then(|t| follow(types, t, field))
                .unwrap_or(FilterValue::String);
            push(&mut out, &mut namer, field, ty, operators);
        }
    }
    (!out.is_empty()).then_some(out)
}

fn push(
    out: &mut Vec<FilterField>,
    namer: &mut Namer,
    field: &str,
    ty: FilterValue,
    mut operators: Vec<FilterOperator>,
) {
    operators.sort();
    operators.dedup();
    out.push(FilterField {
        name: Name {
            rust: namer.unique(&field_ident(field)),
            wire: field.to_string(),
        },
        ty,
        operators,
    });
}

/// The sortable fields of an operation, if it documents any.
pub(crate) fn sorters(raw: &[(&Parameter, String)], sink: &mut Sink) -> Option<Vec<Name>> {
    let (p, ptr) = query(raw, "sorters")?;
    let d = p.parameter_data_ref();
    let fields: Vec<String> = if let Some(ext) = d.extensions.get(SORT_EXTENSION) {
        match ext
            .as_array()
            .map(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        {
            Some(Some(names)) => names.into_iter().map(str::to_string).collect(),
            _ => {
                sink.error(
                    format!("{ptr}/{SORT_EXTENSION}"),
                    "must be a list of field names",
                );
                return None;
            }
        }
    } else {
        let text = d.description.as_deref()?;
        let idx = text.find("Sorting is supported for the following fields:")?;
        let rest = &text[idx..];
        let start = rest.find("**")? + 2;
        let end = rest[start..].find("**")? + start;
        rest[start..end]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut namer = Namer::default();
    let names: Vec<Name> = fields
        .into_iter()
        .map(|wire| Name {
            rust: namer.unique(&crate::ident::variant_ident(&wire)),
            wire,
        })
        .collect();
    (!names.is_empty()).then_some(names)
}

fn follow(types: &BTreeMap<String, TypeDef>, ty: &TypeRef, path: &str) -> Option<FilterValue> {
    let mut cur = ty.clone();
    for seg in path.split('.') {
        cur = match cur {
            TypeRef::Vec(inner) => *inner,
            other => other,
        };
        let TypeRef::Named(n) = &cur else { return None };
        let def = types.get(n)?;
        let TypeKind::Struct(s) = &def.kind else {
            return None;
        };
        cur = s.fields.iter().find(|f| f.name.wire == seg)?.ty.clone();
    }
    if let TypeRef::Vec(inner) = cur {
        cur = *inner;
    }
    Some(match cur {
        TypeRef::Bool => FilterValue::Boolean,
        TypeRef::I32 | TypeRef::I64 => FilterValue::Integer,
        TypeRef::F64 => FilterValue::Number,
        TypeRef::DateTime => FilterValue::DateTime,
        _ => FilterValue::String,
    })
}
