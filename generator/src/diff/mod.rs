//! API change reports: compares two lowered APIs and classifies every
//! difference by what it breaks. `cargo xtask diff` prints the result.
//!
//! Both sides are [`ir::Api`](crate::ir::Api)s, so the report speaks in SDK
//! terms: every change names the wire spelling and the Rust spelling, and
//! carries the JSON pointer the IR recorded for the node.
//!
//! # Classes
//!
//! Each change gets one or more [`Severity`] classes, most severe first:
//!
//! - `breaking-sdk`: code written against the old generated crate stops
//!   compiling or silently changes meaning.
//! - `breaking-wire`: a client built from the old spec now fails against a
//!   server that implements the new one.
//! - `compatible`: neither of the above; the generated code changes.
//! - `docs-only`: only summaries and descriptions changed.
//!
//! # The SDK compatibility contract
//!
//! Generated structs have public fields, so in plain Rust semver a new field
//! would break every struct literal and every exhaustive destructuring
//! pattern. They are therefore `#[non_exhaustive]`: code outside the crate
//! cannot write either (the compiler enforces the contract, and `cargo
//! semver-checks` agrees), and builds a struct with `new(required..)` (or
//! `Default`, derived when every field is an `Option`) and then assigns
//! fields. Generated enums (value enums, unions, `*Error`, `*Success`,
//! `*SortField`) are `#[non_exhaustive]` as well, so code outside the crate
//! matches them with a wildcard arm. The SDK promises compatibility for such
//! code, as long as it does not depend on the length of `ALL`. Under that
//! contract:
//!
//! - a new field that is an `Option` (optional, nullable or read-only) is
//!   compatible; a new non-`Option` field changes `new()` (and takes
//!   `Default` away from a struct whose fields were all optional) and is
//!   `breaking-sdk`;
//! - a new enum value, union variant or documented error status adds a
//!   variant and is compatible for the SDK; a removed one is `breaking-sdk`.
//!
//! # Wire rules
//!
//! A type's direction (request, response or both) is found by walking the IR
//! from every operation's parameters and request body (request) and its
//! responses (response) through field, item, alias and variant types.
//!
//! - Requests: a new required (and not read-only) field or parameter, a
//!   field or parameter that becomes required, a removed enum value, a field
//!   that stops accepting `null`, a narrower type, a tighter `minimum` or
//!   `maximum`, a new required scope, a different media type or HTTP
//!   method or path are `breaking-wire`. Removed request fields and
//!   parameters are compatible on the wire (servers ignore unknown input).
//!   Parameters are text on the wire, so retyping one to `String` breaks
//!   only the SDK.
//! - Responses: a removed required field, a field that becomes optional or
//!   nullable, a wider type, a new union variant, a new success status (old
//!   clients report it as an unexpected status) are `breaking-wire`. New
//!   fields, new enum values (decoded into the `Unknown(String)` fallback) and
//!   new error statuses are compatible.
//! - A replaced schema (`MachineIdentity` -> `MachineIdentityRequest`) is
//!   `breaking-sdk` (the Rust type changes) and `breaking-wire` only if the
//!   two schemas differ on the wire in the direction they are used; the
//!   differences are listed under the change.
//! - An operation becoming experimental is breaking both ways (the server
//!   wants the opt-in header, the SDK refuses the call unless the client opted
//!   in); leaving experimental is compatible.
//! - Path parameters are positional on the wire and in the method's
//!   arguments, so renaming one (`id` -> `sourceId` at the same position) is
//!   compatible; a renamed optional parameter renames its setter and is
//!   `breaking-sdk`.
//!
//! # Layout
//!
//! `report` is the model and its Markdown; `direction` finds which way each
//! type travels and compares wire shapes; `operations` and `types` hold the
//! rules for each kind of node; `text` says how values read in a message.
//!
//! # Version bump
//!
//! Any breaking change (SDK or wire) bumps the minor version while the crate
//! is 0.y.z, anything else the patch version. After 1.0: breaking -> major,
//! compatible -> minor, docs-only -> patch.

use crate::ir::*;
use crate::Lowering;
use std::collections::{BTreeMap, BTreeSet};

mod direction;
mod operations;
mod report;
mod text;
mod types;

use direction::*;
pub use report::*;
use text::*;
use types::*;

/// Compares two APIs.
pub fn diff(old: &Api, new: &Api) -> Report {
    Differ::new(old, new, BTreeMap::new(), BTreeMap::new()).run()
}

/// Compares two lowerings: like [`diff`], but also sees path parameters the
/// lowering renamed to match their template variable (upstream's classify
/// `id` for `{sourceId}`), so such a spec-level rename is still reported.
pub fn diff_lowerings(old: &Lowering, new: &Lowering) -> Report {
    Differ::new(
        &old.api,
        &new.api,
        spec_param_names(old),
        spec_param_names(new),
    )
    .run()
}

/// Parameter pointer -> the name the spec gave a path parameter that the
/// lowering renamed after its template variable.
fn spec_param_names(l: &Lowering) -> BTreeMap<String, String> {
    l.api
        .tags
        .iter()
        .flat_map(|t| &t.operations)
        .flat_map(|o| &o.params)
        .filter(|p| p.spec_name != p.name.wire)
        .map(|p| (p.pointer.clone(), p.spec_name.clone()))
        .collect()
}

fn sev(sdk: bool, wire: bool) -> Vec<Severity> {
    let mut v = Vec::new();
    if sdk {
        v.push(Severity::BreakingSdk);
    }
    if wire {
        v.push(Severity::BreakingWire);
    }
    if v.is_empty() {
        v.push(Severity::Compatible);
    }
    v
}

fn docs() -> Vec<Severity> {
    vec![Severity::DocsOnly]
}

struct Differ<'a> {
    old: &'a Api,
    new: &'a Api,
    old_use: BTreeMap<String, Usage>,
    new_use: BTreeMap<String, Usage>,
    old_names: BTreeMap<String, String>,
    new_names: BTreeMap<String, String>,
    changes: Vec<Change>,
}

/// An operation and its tag, for naming.
#[derive(Clone, Copy)]
struct Op<'a> {
    tag: &'a Tag,
    op: &'a Operation,
}

impl Op<'_> {
    fn label(&self) -> String {
        format!(
            "`{}` (`{}::{}`)",
            self.op.id.wire, self.tag.handle, self.op.id.rust
        )
    }

    fn route(&self) -> String {
        format!("`{} {}`", self.op.method.as_str(), self.op.path)
    }
}

impl<'a> Differ<'a> {
    fn new(
        old: &'a Api,
        new: &'a Api,
        old_names: BTreeMap<String, String>,
        new_names: BTreeMap<String, String>,
    ) -> Self {
        Differ {
            old,
            new,
            old_use: usages(old),
            new_use: usages(new),
            old_names,
            new_names,
            changes: Vec::new(),
        }
    }

    fn push(&mut self, kind: Kind, severity: Vec<Severity>, pointer: &str, message: String) {
        self.push_details(kind, severity, pointer, message, Vec::new());
    }

    fn push_details(
        &mut self,
        kind: Kind,
        severity: Vec<Severity>,
        pointer: &str,
        message: String,
        details: Vec<String>,
    ) {
        debug_assert!(!severity.is_empty(), "every change has a class");
        self.changes.push(Change {
            severity,
            kind,
            pointer: pointer.to_string(),
            message,
            details,
        });
    }

    fn run(mut self) -> Report {
        self.api_level();
        self.waiters();
        self.operations();
        self.types();
        let mut changes = std::mem::take(&mut self.changes);
        // Stable: keeps discovery order within a class.
        changes.sort_by_key(|c| c.primary());
        let mut summary = Counts {
            total: changes.len(),
            ..Counts::default()
        };
        for c in &changes {
            for s in &c.severity {
                match s {
                    Severity::BreakingSdk => summary.breaking_sdk += 1,
                    Severity::BreakingWire => summary.breaking_wire += 1,
                    Severity::Compatible => summary.compatible += 1,
                    Severity::DocsOnly => summary.docs_only += 1,
                }
            }
        }
        let breaking = summary.breaking_sdk + summary.breaking_wire > 0;
        let (bump, post_1_0) = if breaking {
            (Bump::Minor, Bump::Major)
        } else if summary.compatible > 0 {
            (Bump::Patch, Bump::Minor)
        } else if summary.docs_only > 0 {
            (Bump::Patch, Bump::Patch)
        } else {
            (Bump::None, Bump::None)
        };
        let side = |api: &Api, label: &str| Side {
            label: label.into(),
            title: api.title.clone(),
            version: api.version.clone(),
        };
        Report {
            old: side(self.old, "old"),
            new: side(self.new, "new"),
            summary,
            changes,
            semver: Semver {
                current: None,
                bump,
                next: None,
                post_1_0,
            },
        }
    }

    // ---- API level ----

    /// Waiters (`x-sdk-waiter`), paired by status operation and name. A
    /// removed waiter removes a method; a changed one keeps its method but
    /// may end differently (states, bounds, status field, start).
    fn waiters(&mut self) {
        let (old, new) = (self.old, self.new);
        let key = |w: &crate::ir::Waiter| (w.status.id.wire.clone(), w.name.wire.clone());
        for w in &old.waiters {
            match new.waiters.iter().find(|n| key(n) == key(w)) {
                None => self.push(
                    Kind::WaiterRemoved,
                    sev(true, false),
                    &w.pointer,
                    format!(
                        "Waiter `{}` removed (`{}().{}()`).",
                        w.name.wire, w.status.tag.rust, w.name.rust
                    ),
                ),
                Some(n) => {
                    let shape = |w: &crate::ir::Waiter| {
                        (
                            w.start.id.wire.clone(),
                            w.args.clone(),
                            w.status_field.clone(),
                            w.success.clone(),
                            w.failure.clone(),
                            w.pending.clone(),
                            (w.initial_delay_ms, w.max_delay_ms, w.timeout_ms),
                        )
                    };
                    if shape(w) != shape(n) {
                        let args = w.args != n.args || w.start.id.wire != n.start.id.wire;
                        self.push(
                            Kind::WaiterChanged,
                            sev(args, false),
                            &n.pointer,
                            format!(
                                "Waiter `{}` changed (start, arguments, status field, states or bounds).",
                                n.name.wire
                            ),
                        );
                    }
                }
            }
        }
        for w in &new.waiters {
            if !old.waiters.iter().any(|o| key(o) == key(w)) {
                self.push(
                    Kind::WaiterAdded,
                    sev(false, false),
                    &w.pointer,
                    format!(
                        "Waiter `{}` added: `{}().{}()` starts `{}`, then polls `{}` until {}.",
                        w.name.wire,
                        w.status.tag.rust,
                        w.name.rust,
                        w.start.id.wire,
                        w.status.id.wire,
                        w.success
                            .iter()
                            .chain(&w.failure)
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }

    fn api_level(&mut self) {
        let (old, new) = (self.old, self.new);
        if old.description != new.description {
            self.push(
                Kind::ApiDocsChanged,
                docs(),
                "#/info/description",
                "API description changed.".into(),
            );
        }
        if old.servers != new.servers {
            let first = |a: &Api| a.servers.first().map(|s| s.url.clone());
            let wire = first(old) != first(new);
            let text = |a: &Api| {
                a.servers
                    .iter()
                    .map(|s| format!("`{}`", s.url))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.push(
                Kind::ServerChanged,
                sev(false, wire),
                "#/servers",
                format!(
                    "Servers changed: {} → {} (the first one is the SDK's default base URL).",
                    text(old),
                    text(new)
                ),
            );
        }
        for (name, old_scheme) in &old.security_schemes {
            let ptr = crate::diag::join("#/components/securitySchemes", name);
            match new.security_schemes.get(name) {
                None => self.push(
                    Kind::SecuritySchemeRemoved,
                    sev(false, true),
                    &ptr,
                    format!("Security scheme `{name}` removed."),
                ),
                Some(new_scheme) if new_scheme != old_scheme => self.push(
                    Kind::SecuritySchemeChanged,
                    sev(false, true),
                    &ptr,
                    format!(
                        "Security scheme `{name}` changed: `{}` (token URL {}) → `{}` (token URL {}).",
                        old_scheme.kind,
                        old_scheme.token_url.as_deref().map_or("none".to_string(), |u| format!("`{u}`")),
                        new_scheme.kind,
                        new_scheme.token_url.as_deref().map_or("none".to_string(), |u| format!("`{u}`")),
                    ),
                ),
                Some(_) => {}
            }
        }
        for name in new
            .security_schemes
            .keys()
            .filter(|k| !old.security_schemes.contains_key(*k))
        {
            let ptr = crate::diag::join("#/components/securitySchemes", name);
            self.push(
                Kind::SecuritySchemeAdded,
                sev(false, false),
                &ptr,
                format!("Security scheme `{name}` added."),
            );
        }
        for new_tag in &new.tags {
            if let Some(old_tag) = old
                .tags
                .iter()
                .find(|old_tag| old_tag.name.wire == new_tag.name.wire)
            {
                if old_tag.description != new_tag.description {
                    self.push(
                        Kind::TagDocsChanged,
                        docs(),
                        "#/tags",
                        format!(
                            "Description of tag `{}` (Rust module `{}`) changed.",
                            new_tag.name.wire, new_tag.name.rust
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::operations::security_alternatives;
    use super::*;

    #[test]
    fn template_variable_names_do_not_change_the_route() {
        assert_eq!(
            normalize_path("/sources/{id}/classify"),
            normalize_path("/sources/{sourceId}/classify")
        );
        assert_ne!(
            normalize_path("/sources/{id}"),
            normalize_path("/sources/{id}/x")
        );
    }

    #[test]
    fn bump_applies_to_semver() {
        assert_eq!(Bump::Minor.apply("0.1.3").as_deref(), Some("0.2.0"));
        assert_eq!(Bump::Patch.apply("0.1.3").as_deref(), Some("0.1.4"));
        assert_eq!(Bump::Major.apply("1.2.3-rc.1").as_deref(), Some("2.0.0"));
        assert_eq!(Bump::Minor.apply("x"), None);
    }

    #[test]
    fn extra_scope_is_breaking_and_fewer_scopes_are_not() {
        let s = |scopes: &[&str]| {
            vec![vec![(
                "oauth".to_string(),
                scopes.iter().map(|s| s.to_string()).collect(),
            )]]
        };
        let breaks = |old: &[&str], new: &[&str]| {
            let (old_alts, new_alts) = (
                security_alternatives(&s(old)),
                security_alternatives(&s(new)),
            );
            old_alts
                .iter()
                .any(|old_alt| !new_alts.iter().any(|new_alt| new_alt.is_subset(old_alt)))
        };
        assert!(breaks(&["read"], &["read", "write"]));
        assert!(!breaks(&["read", "write"], &["read"]));
        assert!(!breaks(&["read"], &["read"]));
    }

    #[test]
    fn widening_is_accepted_one_way() {
        assert!(accepts(&TypeRef::I64, &TypeRef::I32));
        assert!(!accepts(&TypeRef::I32, &TypeRef::I64));
        assert!(accepts(&TypeRef::Json, &TypeRef::Named("X".into())));
    }
}
