//! The type graph of an [`Api`], walked in one place.
//!
//! A named type refers to others through its *members*: struct fields, the
//! value type of extra properties, union variants, an alias's target.
//! [`members`] lists them; everything that follows references uses it:
//! [`reachable`] (which types the operations use: `--tag` pruning in
//! `lower`, the request/response directions in `diff`) and [`Boxing`]
//! (which members `models.rs` boxes, and so which values the docs examples
//! wrap in `Box::new`).

use crate::ir::*;
use std::collections::{BTreeMap, BTreeSet};

/// One type reference held by a named type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member<'a> {
    /// The field's Rust name or the variant's name; empty for an alias's
    /// target and for extra properties.
    pub(crate) name: &'a str,
    /// The referenced type.
    pub(crate) ty: &'a TypeRef,
    /// Whether the value is stored in the type itself (so a cycle through it
    /// needs a `Box`); extra properties live in a map.
    pub(crate) inline: bool,
}

/// Every member of `def`, in declaration order.
pub(crate) fn members(def: &TypeDef) -> Vec<Member<'_>> {
    match &def.kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .map(|f| Member {
                name: &f.name.rust,
                ty: &f.ty,
                inline: true,
            })
            .chain(s.additional.iter().map(|ty| Member {
                name: "",
                ty,
                inline: false,
            }))
            .collect(),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .map(|v| Member {
                name: &v.name,
                ty: &v.ty,
                inline: true,
            })
            .collect(),
        TypeKind::Alias(ty) => vec![Member {
            name: "",
            ty,
            inline: true,
        }],
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// The named type a reference leads to, through `Vec`s and maps.
pub(crate) fn named(t: &TypeRef) -> Option<&str> {
    match t {
        TypeRef::Named(n) => Some(n),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => named(inner),
        _ => None,
    }
}

/// The types an operation sends: its parameters and its body.
pub(crate) fn request_roots(op: &Operation) -> impl Iterator<Item = &TypeRef> {
    op.params
        .iter()
        .map(|p| &p.ty)
        .chain(op.body.iter().map(|b| &b.ty))
}

/// The types an operation receives: its JSON response bodies.
pub(crate) fn response_roots(op: &Operation) -> impl Iterator<Item = &TypeRef> {
    op.responses.iter().filter_map(|r| match &r.body {
        ResponseBody::Json { ty, .. } => Some(ty),
        _ => None,
    })
}

/// Every type name reachable from `roots` through members (names that
/// `api.types` lacks included, so a dangling name is not lost).
pub(crate) fn reachable<'a>(
    api: &Api,
    roots: impl IntoIterator<Item = &'a TypeRef>,
) -> BTreeSet<String> {
    let mut todo: Vec<String> = roots
        .into_iter()
        .filter_map(|t| named(t).map(str::to_string))
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = api.types.get(&name) {
            todo.extend(
                members(def)
                    .into_iter()
                    .filter_map(|m| named(m.ty).map(str::to_string)),
            );
        }
    }
    seen
}

/// The Cargo feature of each tag module: the module's name without `r#`,
/// but `default_` for a module `default`, whose name Cargo reserves for the
/// default set. (The crate's own features, `test-kit` and `contract-test`,
/// hold a `-`, which no module name has.)
pub(crate) fn tag_feature(tag: &crate::ir::Tag) -> String {
    match tag.name.rust.trim_start_matches("r#") {
        "default" => "default_".to_string(),
        name => name.to_string(),
    }
}

/// For every named type, the features (tag modules) whose operations reach
/// it; a type no operation reaches maps to no feature.
pub(crate) fn tag_reach(api: &Api) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let mut out: std::collections::BTreeMap<String, BTreeSet<String>> = api
        .types
        .keys()
        .map(|k| (k.clone(), BTreeSet::new()))
        .collect();
    for tag in &api.tags {
        let roots = tag
            .operations
            .iter()
            .flat_map(|op| request_roots(op).chain(response_roots(op)));
        for name in reachable(api, roots) {
            if let Some(tags) = out.get_mut(&name) {
                tags.insert(tag_feature(tag));
            }
        }
    }
    out
}

/// The `(type, member)` pairs whose payload must be boxed, because the type
/// contains itself through inline members only (no `Vec` or map between).
#[derive(Debug, Clone, Default)]
pub(crate) struct Boxing(BTreeSet<(String, String)>);

impl Boxing {
    /// Computes the boxed members of every type.
    pub(crate) fn of(types: &BTreeMap<String, TypeDef>) -> Self {
        let direct = |def: &TypeDef| -> Vec<(String, String)> {
            members(def)
                .into_iter()
                .filter(|m| m.inline)
                .filter_map(|m| match m.ty {
                    TypeRef::Named(n) => Some((m.name.to_string(), n.clone())),
                    _ => None,
                })
                .collect()
        };
        // Which types each type reaches through direct edges, computed once
        // per type over indices (a search per edge was quadratic on large
        // specs).
        let names: Vec<&String> = types.keys().collect();
        let index = |n: &str| names.binary_search_by(|k| k.as_str().cmp(n)).ok();
        let adjacency: Vec<Vec<usize>> = types
            .values()
            .map(|def| {
                direct(def)
                    .into_iter()
                    .filter_map(|(_, t)| index(&t))
                    .collect()
            })
            .collect();
        let reaches_from = |start: usize| -> Vec<bool> {
            let mut seen = vec![false; names.len()];
            let mut todo = vec![start];
            while let Some(n) = todo.pop() {
                if !std::mem::replace(&mut seen[n], true) {
                    todo.extend(&adjacency[n]);
                }
            }
            seen
        };
        let mut memo: Vec<Option<Vec<bool>>> = vec![None; names.len()];
        let mut out = BTreeSet::new();
        for (i, (name, def)) in types.iter().enumerate() {
            for (member, target) in direct(def) {
                let Some(t) = index(&target) else { continue };
                let reach = memo[t].get_or_insert_with(|| reaches_from(t));
                if reach[i] {
                    out.insert((name.clone(), member));
                }
            }
        }
        Boxing(out)
    }

    /// Whether `owner`'s member `member` (a field's Rust name or a variant's
    /// name) is a `Box`.
    pub(crate) fn is_boxed(&self, owner: &str, member: &str) -> bool {
        self.0.contains(&(owner.to_string(), member.to_string()))
    }
}
