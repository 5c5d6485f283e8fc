//! Which directions (request, response) each type travels in, and whether
//! two types differ on the wire in the direction they are used.

use super::*;

/// Which directions a type travels in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Usage {
    pub(super) request: bool,
    pub(super) response: bool,
}

impl Usage {
    pub(super) const REQUEST: Usage = Usage {
        request: true,
        response: false,
    };
    pub(super) const RESPONSE: Usage = Usage {
        request: false,
        response: true,
    };

    pub(super) fn or(self, o: Usage) -> Usage {
        Usage {
            request: self.request || o.request,
            response: self.response || o.response,
        }
    }

    pub(super) fn any(self) -> bool {
        self.request || self.response
    }
}

/// Type Rust name -> directions it is used in.
pub(super) fn usages(api: &Api) -> BTreeMap<String, Usage> {
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    let ops = || api.operations().map(|(_, op)| op);
    for (dir, names) in [
        (
            Usage::REQUEST,
            crate::graph::reachable(api, ops().flat_map(crate::graph::request_roots)),
        ),
        (
            Usage::RESPONSE,
            crate::graph::reachable(api, ops().flat_map(crate::graph::response_roots)),
        ),
    ] {
        for n in names {
            let u = out.entry(n).or_default();
            *u = u.or(dir);
        }
    }
    out
}

pub(super) fn direction(u: Usage) -> &'static str {
    match (u.request, u.response) {
        (true, true) => "requests and responses",
        (true, false) => "requests",
        (false, true) => "responses",
        (false, false) => "no operation",
    }
}

impl<'a> Differ<'a> {
    // ---- Wire shapes ----

    /// Lists how a value of old type `old` and one of new type `new` differ
    /// on the wire, in the directions `dir`, as Markdown fragments. Empty
    /// means clients of either side understand each other. Named types that
    /// are the same schema on both sides are skipped (their own changes are
    /// reported with the schema).
    pub(super) fn shape(
        &self,
        old: &TypeRef,
        new: &TypeRef,
        dir: Usage,
        path: &str,
        out: &mut Vec<String>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let (old_ty, new_ty) = (self.old.resolve_alias(old), self.new.resolve_alias(new));
        match (old_ty, new_ty) {
            (TypeRef::Named(old_name), TypeRef::Named(new_name)) => {
                let (Some(old_def), Some(new_def)) =
                    (self.old.types.get(old_name), self.new.types.get(new_name))
                else {
                    return;
                };
                if old_def.name.wire == new_def.name.wire
                    || !seen.insert((old_name.clone(), new_name.clone()))
                {
                    return;
                }
                match (&old_def.kind, &new_def.kind) {
                    (TypeKind::Struct(old_kind), TypeKind::Struct(new_kind)) => {
                        self.shape_struct(old_kind, new_kind, dir, path, out, seen)
                    }
                    (TypeKind::Enum(old_kind), TypeKind::Enum(new_kind)) => {
                        if dir.request {
                            for v in old_kind
                                .variants
                                .iter()
                                .filter(|v| !new_kind.variants.iter().any(|w| w.wire == v.wire))
                            {
                                out.push(format!(
                                    "`{path}`: value `{}` is no longer accepted",
                                    v.wire
                                ));
                            }
                        }
                    }
                    (TypeKind::Union(old_kind), TypeKind::Union(new_kind)) => {
                        let names = |u: &Union| {
                            u.variants
                                .iter()
                                .map(|v| v.name.clone())
                                .collect::<BTreeSet<_>>()
                        };
                        let (old_names, new_names) = (names(old_kind), names(new_kind));
                        if dir.request && !old_names.is_subset(&new_names) {
                            out.push(format!(
                                "`{path}`: variants no longer accepted: {}",
                                old_names
                                    .difference(&new_names)
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        }
                        if dir.response && !new_names.is_subset(&old_names) {
                            out.push(format!(
                                "`{path}`: new variants: {}",
                                new_names
                                    .difference(&old_names)
                                    .cloned()
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ));
                        }
                        for v in &old_kind.variants {
                            if let Some(w) = new_kind.variants.iter().find(|w| w.name == v.name) {
                                self.shape(
                                    &v.ty,
                                    &w.ty,
                                    dir,
                                    &format!("{path}::{}", v.name),
                                    out,
                                    seen,
                                );
                            }
                        }
                    }
                    (old_kind, new_kind) => out.push(format!(
                        "`{path}`: {} `{}` → {} `{}`",
                        kind_name(old_kind),
                        old_def.name.wire,
                        kind_name(new_kind),
                        new_def.name.wire
                    )),
                }
            }
            (TypeRef::Vec(old_name), TypeRef::Vec(new_name)) => {
                self.shape(old_name, new_name, dir, &format!("{path}[]"), out, seen)
            }
            (TypeRef::Map(old_name), TypeRef::Map(new_name)) => {
                self.shape(old_name, new_name, dir, &format!("{path}.*"), out, seen)
            }
            (old_name, new_name) if old_name == new_name => {}
            (old_name, new_name) => {
                // A request may widen (the server accepts more); a response
                // may narrow (old clients accept more).
                let ok_req = !dir.request || accepts(new_name, old_name);
                let ok_resp = !dir.response || accepts(old_name, new_name);
                if !(ok_req && ok_resp) {
                    out.push(format!("`{path}`: `{}` → `{}`", rust_ty(old), rust_ty(new)));
                }
            }
        }
    }

    pub(super) fn shape_struct(
        &self,
        old: &Struct,
        new: &Struct,
        dir: Usage,
        path: &str,
        out: &mut Vec<String>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        for old_field in &old.fields {
            let field_path = format!("{path}.{}", old_field.name.wire);
            match new
                .fields
                .iter()
                .find(|new_field| new_field.name.wire == old_field.name.wire)
            {
                None => {
                    if dir.response && response_required(old_field) {
                        out.push(format!("`{field_path}` is no longer returned"));
                    }
                }
                Some(new_field) => {
                    if dir.request && !request_required(old_field) && request_required(new_field) {
                        out.push(format!("`{field_path}` is now required"));
                    }
                    if dir.request && old_field.nullable && !new_field.nullable {
                        out.push(format!("`{field_path}` no longer accepts `null`"));
                    }
                    if dir.response && response_required(old_field) && !response_required(new_field)
                    {
                        out.push(format!("`{field_path}` may now be absent"));
                    }
                    if dir.response && !old_field.nullable && new_field.nullable {
                        out.push(format!("`{field_path}` may now be `null`"));
                    }
                    self.shape(&old_field.ty, &new_field.ty, dir, &field_path, out, seen);
                }
            }
        }
        for new_field in new.fields.iter().filter(|new_field| {
            !old.fields
                .iter()
                .any(|old_field| old_field.name.wire == new_field.name.wire)
        }) {
            if dir.request && request_required(new_field) {
                out.push(format!(
                    "`{path}.{}` is new and required",
                    new_field.name.wire
                ));
            }
        }
    }
}

/// Whether a reader of `wide` accepts every value of `narrow`.
pub(super) fn accepts(wide: &TypeRef, narrow: &TypeRef) -> bool {
    use TypeRef::*;
    wide == narrow
        || matches!(wide, Json)
        || matches!(
            (wide, narrow),
            (I64 | F64, I32) | (JsonObject, Named(_) | Map(_)) | (String, DateTime | Date)
        )
}

/// Whether a parameter of type `new` accepts, as text, every value of type
/// `old`: a `String` (or list of them) takes any scalar.
pub(super) fn param_text_accepts(new: &TypeRef, old: &TypeRef) -> bool {
    use TypeRef::*;
    let scalar = |t: &TypeRef| {
        matches!(
            t,
            String | Bool | I32 | I64 | F64 | DateTime | Date | Named(_)
        )
    };
    match (new, old) {
        (String, o) => scalar(o),
        (Vec(n), Vec(o)) => matches!(**n, String) && scalar(o),
        _ => false,
    }
}
