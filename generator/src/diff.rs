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
//! Generated structs have public fields and generated enums are not
//! `#[non_exhaustive]`, so in plain Rust semver *any* new field or variant
//! would be breaking (struct literals and exhaustive `match`es stop
//! compiling). The SDK instead promises compatibility for code that builds
//! structs with `new()` (or `Default`) and then assigns fields, matches every
//! generated enum (value enums, `*Error`, `*Success`, `*SortField`) with a
//! wildcard arm, and does not depend on the length of `ALL`. Under that
//! contract:
//!
//! - a new field that is an `Option` (optional, nullable or read-only) is
//!   compatible; a new non-`Option` field changes `new()` and is
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
//! # Version bump
//!
//! Any breaking change (SDK or wire) bumps the minor version while the crate
//! is 0.y.z, anything else the patch version. After 1.0: breaking -> major,
//! compatible -> minor, docs-only -> patch.

use crate::ir::*;
use crate::Lowering;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How much a change breaks, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Code using the old generated crate breaks.
    BreakingSdk,
    /// Clients of the old spec fail against the new server.
    BreakingWire,
    /// Neither; the generated code changes.
    Compatible,
    /// Only prose changed.
    DocsOnly,
}

impl Severity {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::BreakingSdk => "breaking-sdk",
            Severity::BreakingWire => "breaking-wire",
            Severity::Compatible => "compatible",
            Severity::DocsOnly => "docs-only",
        }
    }

    /// Whether the class is a breaking one.
    pub fn is_breaking(self) -> bool {
        matches!(self, Severity::BreakingSdk | Severity::BreakingWire)
    }

    const ALL: [Severity; 4] = [
        Severity::BreakingSdk,
        Severity::BreakingWire,
        Severity::Compatible,
        Severity::DocsOnly,
    ];
}

/// What changed, for machines (the JSON `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Kind {
    ApiDocsChanged,
    ServerChanged,
    SecuritySchemeAdded,
    SecuritySchemeRemoved,
    SecuritySchemeChanged,
    TagDocsChanged,
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    OperationMoved,
    MethodChanged,
    PathChanged,
    ExperimentalChanged,
    DeprecatedChanged,
    OperationDocsChanged,
    ParameterAdded,
    ParameterRemoved,
    ParameterRenamed,
    ParameterRequiredChanged,
    ParameterTypeChanged,
    ParameterDefaultChanged,
    ParameterLimitsChanged,
    ParameterStyleChanged,
    ParameterDocsChanged,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyRequiredChanged,
    RequestMediaTypeChanged,
    RequestSchemaReplaced,
    RequestBodyDocsChanged,
    StatusAdded,
    StatusRemoved,
    ResponseMediaTypeChanged,
    ResponseSchemaReplaced,
    ResponseHeadersChanged,
    ResponseDocsChanged,
    SecurityChanged,
    PaginationChanged,
    FiltersChanged,
    SortersChanged,
    TypeAdded,
    TypeRemoved,
    TypeRenamed,
    TypeKindChanged,
    TypeDocsChanged,
    FieldAdded,
    FieldRemoved,
    FieldRenamed,
    FieldTypeChanged,
    FieldRequiredChanged,
    FieldNullableChanged,
    FieldReadOnlyChanged,
    FieldWriteOnlyChanged,
    FieldDefaultChanged,
    FieldDocsChanged,
    AdditionalPropertiesChanged,
    EnumValueAdded,
    EnumValueRemoved,
    EnumVariantRenamed,
    UnionVariantAdded,
    UnionVariantRemoved,
    UnionVariantChanged,
    DiscriminatorChanged,
    AliasChanged,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Every class that applies, most severe first (never empty).
    pub severity: Vec<Severity>,
    /// What changed.
    pub kind: Kind,
    /// JSON pointer of the node (in the new spec, or the old one when removed).
    pub pointer: String,
    /// One Markdown sentence naming the node with both spellings.
    pub message: String,
    /// Supporting facts, such as how two replaced schemas differ on the wire.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl Change {
    /// The most severe class.
    pub fn primary(&self) -> Severity {
        self.severity
            .first()
            .copied()
            .unwrap_or(Severity::Compatible)
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// What the caller compared (a path or `git:REV`).
    pub label: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
}

/// Changes counted by class. A change that is both `breaking-sdk` and
/// `breaking-wire` counts under both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Changes that break SDK users.
    pub breaking_sdk: usize,
    /// Changes that break old clients on the wire.
    pub breaking_wire: usize,
    /// Compatible changes.
    pub compatible: usize,
    /// Prose-only changes.
    pub docs_only: usize,
    /// Distinct changes.
    pub total: usize,
}

/// A semver bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// `z` in `x.y.z`.
    Patch,
    /// `y` in `x.y.z`.
    Minor,
    /// `x` in `x.y.z`.
    Major,
}

impl Bump {
    fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// Applies the bump to `x.y.z` (ignoring any pre-release suffix).
    pub fn apply(self, version: &str) -> Option<String> {
        let core = version.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let (x, y, z) = (parts.next()??, parts.next()??, parts.next()??);
        Some(match self {
            Bump::None => format!("{x}.{y}.{z}"),
            Bump::Patch => format!("{x}.{y}.{}", z + 1),
            Bump::Minor => format!("{x}.{}.0", y + 1),
            Bump::Major => format!("{}.0.0", x + 1),
        })
    }
}

/// The suggested version bump of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Semver {
    /// The crate's current version, when the caller knows it.
    pub current: Option<String>,
    /// The bump under the 0.y.z rule (breaking -> minor, else patch).
    pub bump: Bump,
    /// The next version, when `current` is known.
    pub next: Option<String>,
    /// What the bump would be after 1.0 (breaking -> major, compatible ->
    /// minor, docs-only -> patch).
    pub post_1_0: Bump,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The old side.
    pub old: Side,
    /// The new side.
    pub new: Side,
    /// Counts by class.
    pub summary: Counts,
    /// Every change, ordered by most severe class, then in discovery order
    /// (API, operations in IR order, then types by name).
    pub changes: Vec<Change>,
    /// The suggested bump of the generated crate.
    pub semver: Semver,
}

/// The crate whose version the report suggests.
const CRATE: &str = "sailpoint-v2025";

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

impl Report {
    /// Whether anything breaks (SDK or wire).
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.primary().is_breaking())
    }

    /// Sets the labels shown for the two sides.
    pub fn with_labels(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.old.label = old.into();
        self.new.label = new.into();
        self
    }

    /// Sets the crate's current version, so the report names the next one.
    pub fn with_crate_version(mut self, version: impl Into<String>) -> Self {
        let v = version.into();
        self.semver.next = self.semver.bump.apply(&v);
        self.semver.current = Some(v);
        self
    }

    /// The report as Markdown, for a code review.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## API changes: `{}` → `{}`\n",
            self.old.label, self.new.label
        );
        if self.old.version != self.new.version {
            let _ = writeln!(
                out,
                "Spec version: `{}` → `{}`.\n",
                self.old.version, self.new.version
            );
        }
        let s = &self.summary;
        if s.total == 0 {
            out.push_str("**Summary:** no API changes.\n");
        } else {
            let _ = writeln!(
                out,
                "**Summary:** {} breaking-sdk, {} breaking-wire, {} compatible, {} docs-only ({} {}{}).",
                s.breaking_sdk,
                s.breaking_wire,
                s.compatible,
                s.docs_only,
                s.total,
                if s.total == 1 { "change" } else { "changes" },
                if self.changes.iter().any(|c| c.severity.len() > 1) {
                    "; a change that breaks both ways counts under both"
                } else {
                    ""
                },
            );
        }
        for sev in Severity::ALL {
            let items: Vec<&Change> = self.changes.iter().filter(|c| c.primary() == sev).collect();
            if items.is_empty() {
                continue;
            }
            let title = match sev {
                Severity::BreakingSdk => "Breaking for SDK users",
                Severity::BreakingWire => "Breaking on the wire",
                Severity::Compatible => "Compatible",
                Severity::DocsOnly => "Docs only",
            };
            let _ = writeln!(out, "\n### {title} (`{}`)\n", sev.as_str());
            for c in items {
                let _ = write!(out, "- {} `{}`", c.message, c.pointer);
                let also: Vec<&str> = c.severity[1..].iter().map(|s| s.as_str()).collect();
                if !also.is_empty() {
                    let _ = write!(out, " _(also {})_", also.join(", "));
                }
                out.push('\n');
                for d in &c.details {
                    let _ = writeln!(out, "  - {d}");
                }
            }
        }
        let sv = &self.semver;
        let _ = writeln!(out, "\n### Suggested version bump\n");
        let _ = write!(
            out,
            "`{CRATE}` is 0.y.z: a breaking change (SDK or wire) bumps the minor version, any other change the patch version. Suggested: **{}**",
            sv.bump.as_str()
        );
        match (&sv.current, &sv.next) {
            (Some(c), Some(n)) if sv.bump != Bump::None => {
                let _ = write!(out, " ({c} → {n})");
            }
            _ => {}
        }
        out.push_str(".\n");
        let _ = writeln!(
            out,
            "After 1.0 (breaking → major, compatible → minor, docs-only → patch) it would be **{}**.",
            sv.post_1_0.as_str()
        );
        out
    }
}

/// Which directions a type travels in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Usage {
    request: bool,
    response: bool,
}

impl Usage {
    const REQUEST: Usage = Usage {
        request: true,
        response: false,
    };
    const RESPONSE: Usage = Usage {
        request: false,
        response: true,
    };

    fn or(self, o: Usage) -> Usage {
        Usage {
            request: self.request || o.request,
            response: self.response || o.response,
        }
    }

    fn any(self) -> bool {
        self.request || self.response
    }
}

/// Type Rust name -> directions it is used in.
fn usages(api: &Api) -> BTreeMap<String, Usage> {
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    for (dir, roots) in [
        (Usage::REQUEST, request_roots(api)),
        (Usage::RESPONSE, response_roots(api)),
    ] {
        let mut todo: Vec<String> = Vec::new();
        for t in roots {
            named_in(t, &mut todo);
        }
        let mut seen = BTreeSet::new();
        while let Some(n) = todo.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            let u = out.entry(n.clone()).or_default();
            *u = u.or(dir);
            let Some(def) = api.types.get(&n) else {
                continue;
            };
            match &def.kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        named_in(&f.ty, &mut todo);
                    }
                    if let Some(a) = &s.additional {
                        named_in(a, &mut todo);
                    }
                }
                TypeKind::Union(u) => {
                    for v in &u.variants {
                        named_in(&v.ty, &mut todo);
                    }
                }
                TypeKind::Alias(t) => named_in(t, &mut todo),
                TypeKind::Enum(_) => {}
            }
        }
    }
    out
}

fn all_ops(api: &Api) -> impl Iterator<Item = (&Tag, &Operation)> {
    api.tags
        .iter()
        .flat_map(|t| t.operations.iter().map(move |o| (t, o)))
}

fn request_roots(api: &Api) -> Vec<&TypeRef> {
    let mut out = Vec::new();
    for (_, op) in all_ops(api) {
        out.extend(op.params.iter().map(|p| &p.ty));
        out.extend(op.body.iter().map(|b| &b.ty));
    }
    out
}

fn response_roots(api: &Api) -> Vec<&TypeRef> {
    let mut out = Vec::new();
    for (_, op) in all_ops(api) {
        for r in &op.responses {
            if let ResponseBody::Json { ty, .. } = &r.body {
                out.push(ty);
            }
        }
    }
    out
}

fn named_in(t: &TypeRef, out: &mut Vec<String>) {
    match t {
        TypeRef::Named(n) => out.push(n.clone()),
        TypeRef::Vec(i) | TypeRef::Map(i) => named_in(i, out),
        _ => {}
    }
}

/// The Rust spelling of a type reference, as users see it (the same
/// spelling the generated docs use).
fn rust_ty(t: &TypeRef) -> String {
    t.to_string()
}

fn response_body_ty(b: &ResponseBody) -> String {
    match b {
        ResponseBody::Empty => "()".into(),
        ResponseBody::Json { ty, .. } => rust_ty(ty),
        ResponseBody::Text { .. } => "String".into(),
        ResponseBody::Bytes { .. } => "Bytes".into(),
    }
}

fn response_media(b: &ResponseBody) -> &str {
    match b {
        ResponseBody::Empty => "no body",
        ResponseBody::Json { media_type, .. }
        | ResponseBody::Text { media_type }
        | ResponseBody::Bytes { media_type } => media_type,
    }
}

fn status_text(s: Status) -> String {
    match s {
        Status::Code(c) => c.to_string(),
        Status::Range(r) => format!("{r}XX"),
        Status::Default => "default".into(),
    }
}

/// `/sources/{sourceId}/classify` -> `/sources/{}/classify`: template
/// variable names are not part of the URL.
fn normalize_path(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

fn limits(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (None, None) => "none".into(),
        (Some(a), None) => format!(">= {}", num(a)),
        (None, Some(b)) => format!("<= {}", num(b)),
        (Some(a), Some(b)) => format!("{}..={}", num(a), num(b)),
    }
}

fn json_opt(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "none".into(),
        Some(v) => format!("`{v}`"),
    }
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

/// Whether a request field must be sent.
fn request_required(f: &Field) -> bool {
    f.required && !f.read_only
}

/// Whether a response field is always present.
fn response_required(f: &Field) -> bool {
    f.required && !f.write_only
}

/// Security requirement atoms: `(scheme, None)` for the scheme itself and
/// `(scheme, Some(scope))` per scope.
type Atoms = BTreeSet<(String, Option<String>)>;

fn security_alternatives(sec: &[Vec<(String, Vec<String>)>]) -> Vec<Atoms> {
    if sec.is_empty() {
        return vec![Atoms::new()];
    }
    sec.iter()
        .map(|alt| {
            let mut a = Atoms::new();
            for (scheme, scopes) in alt {
                a.insert((scheme.clone(), None));
                for s in scopes {
                    a.insert((scheme.clone(), Some(s.clone())));
                }
            }
            a
        })
        .collect()
}

fn security_text(sec: &[Vec<(String, Vec<String>)>]) -> String {
    if sec.is_empty() {
        return "none".into();
    }
    sec.iter()
        .map(|alt| {
            if alt.is_empty() {
                return "anonymous".to_string();
            }
            alt.iter()
                .map(|(s, scopes)| {
                    if scopes.is_empty() {
                        format!("`{s}`")
                    } else {
                        format!(
                            "`{s}` ({})",
                            scopes
                                .iter()
                                .map(|x| format!("`{x}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect::<Vec<_>>()
        .join(" or ")
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

fn param_label(p: &Param, spec_name: &str, op: Op<'_>) -> String {
    format!(
        "{} parameter `{}` (Rust `{}`) of {}",
        location(p.location),
        spec_name,
        p.name.rust,
        op.label()
    )
}

fn location(l: ParamLocation) -> &'static str {
    match l {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

fn type_label(def: &TypeDef) -> String {
    format!("`{}` (Rust `models::{}`)", def.name.wire, def.name.rust)
}

fn field_label(f: &Field, def: &TypeDef) -> String {
    format!(
        "field `{}` (Rust `{}`) of {}",
        f.name.wire,
        f.name.rust,
        type_label(def)
    )
}

fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Alias(_) => "alias",
    }
}

fn direction(u: Usage) -> &'static str {
    match (u.request, u.response) {
        (true, true) => "requests and responses",
        (true, false) => "requests",
        (false, true) => "responses",
        (false, false) => "no operation",
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
        for (name, s) in &old.security_schemes {
            let ptr = crate::diag::join("#/components/securitySchemes", name);
            match new.security_schemes.get(name) {
                None => self.push(
                    Kind::SecuritySchemeRemoved,
                    sev(false, true),
                    &ptr,
                    format!("Security scheme `{name}` removed."),
                ),
                Some(n) if n != s => self.push(
                    Kind::SecuritySchemeChanged,
                    sev(false, true),
                    &ptr,
                    format!(
                        "Security scheme `{name}` changed: `{}` (token URL {}) → `{}` (token URL {}).",
                        s.kind,
                        s.token_url.as_deref().map_or("none".to_string(), |u| format!("`{u}`")),
                        n.kind,
                        n.token_url.as_deref().map_or("none".to_string(), |u| format!("`{u}`")),
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
        for t in &new.tags {
            if let Some(o) = old.tags.iter().find(|o| o.name.wire == t.name.wire) {
                if o.description != t.description {
                    self.push(
                        Kind::TagDocsChanged,
                        docs(),
                        "#/tags",
                        format!(
                            "Description of tag `{}` (Rust module `{}`) changed.",
                            t.name.wire, t.name.rust
                        ),
                    );
                }
            }
        }
    }

    // ---- Operations ----

    fn operations(&mut self) {
        let old: Vec<Op<'a>> = all_ops(self.old).map(|(tag, op)| Op { tag, op }).collect();
        let new: Vec<Op<'a>> = all_ops(self.new).map(|(tag, op)| Op { tag, op }).collect();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut old_matched = vec![false; old.len()];
        let mut new_matched = vec![false; new.len()];
        for (i, o) in old.iter().enumerate() {
            if let Some(j) = new.iter().position(|n| n.op.id.wire == o.op.id.wire) {
                pairs.push((i, j));
                old_matched[i] = true;
                new_matched[j] = true;
            }
        }
        // An unmatched pair at the same method and route is a renamed operationId.
        for (i, o) in old.iter().enumerate() {
            if old_matched[i] {
                continue;
            }
            let route = (o.op.method, normalize_path(&o.op.path));
            if let Some(j) = (0..new.len()).find(|&j| {
                !new_matched[j] && (new[j].op.method, normalize_path(&new[j].op.path)) == route
            }) {
                pairs.push((i, j));
                old_matched[i] = true;
                new_matched[j] = true;
            }
        }
        pairs.sort();
        for (i, j) in pairs {
            self.operation(old[i], new[j]);
        }
        for o in old
            .iter()
            .enumerate()
            .filter(|(i, _)| !old_matched[*i])
            .map(|(_, o)| o)
        {
            self.push(
                Kind::OperationRemoved,
                sev(true, true),
                &o.op.pointer,
                format!("Operation {} removed: {}.", o.label(), o.route()),
            );
        }
        for n in new
            .iter()
            .enumerate()
            .filter(|(j, _)| !new_matched[*j])
            .map(|(_, n)| n)
        {
            self.push(
                Kind::OperationAdded,
                sev(false, false),
                &n.op.pointer,
                format!("Operation {} added: {}.", n.label(), n.route()),
            );
        }
    }

    fn operation(&mut self, o: Op<'a>, n: Op<'a>) {
        let ptr = n.op.pointer.as_str();
        if o.op.id.wire != n.op.id.wire {
            self.push(
                Kind::OperationRenamed,
                sev(true, false),
                ptr,
                format!(
                    "Operation {} renamed to {}; the route {} is unchanged and the operationId is not sent.",
                    o.label(),
                    n.label(),
                    n.route()
                ),
            );
        } else if (&o.tag.handle, &o.op.id.rust, &o.op.type_name)
            != (&n.tag.handle, &n.op.id.rust, &n.op.type_name)
        {
            self.push(
                Kind::OperationMoved,
                sev(true, false),
                ptr,
                format!(
                    "Rust names of operation `{}` changed: `{}::{}` (builder `{}`) → `{}::{}` (builder `{}`).",
                    n.op.id.wire, o.tag.handle, o.op.id.rust, o.op.type_name, n.tag.handle, n.op.id.rust, n.op.type_name
                ),
            );
        }
        if o.op.method != n.op.method {
            self.push(
                Kind::MethodChanged,
                sev(false, true),
                ptr,
                format!(
                    "HTTP method of {} changed: `{}` → `{}`.",
                    n.label(),
                    o.op.method.as_str(),
                    n.op.method.as_str()
                ),
            );
        }
        if normalize_path(&o.op.path) != normalize_path(&n.op.path) {
            self.push(
                Kind::PathChanged,
                sev(false, true),
                ptr,
                format!(
                    "Path of {} changed: `{}` → `{}`.",
                    n.label(),
                    o.op.path,
                    n.op.path
                ),
            );
        }
        if o.op.experimental != n.op.experimental {
            let (s, text) = if n.op.experimental {
                (
                    sev(true, true),
                    "became experimental: the server requires the `X-SailPoint-Experimental` header, and the SDK refuses the call unless the client opted in",
                )
            } else {
                (sev(false, false), "is no longer experimental")
            };
            self.push(
                Kind::ExperimentalChanged,
                s,
                ptr,
                format!("Operation {} {text}.", n.label()),
            );
        }
        if o.op.deprecated != n.op.deprecated {
            let text = if n.op.deprecated {
                "deprecated (the method gets `#[deprecated]`)"
            } else {
                "no longer deprecated"
            };
            self.push(
                Kind::DeprecatedChanged,
                sev(false, false),
                ptr,
                format!("Operation {} is {text}.", n.label()),
            );
        }
        if o.op.summary != n.op.summary {
            self.push(
                Kind::OperationDocsChanged,
                docs(),
                ptr,
                format!("Summary of {} changed.", n.label()),
            );
        }
        if o.op.description != n.op.description {
            self.push(
                Kind::OperationDocsChanged,
                docs(),
                ptr,
                format!("Description of {} changed.", n.label()),
            );
        }
        self.params(o, n);
        self.body(o, n);
        self.responses(o, n);
        self.security(o, n);
        self.paging(o, n);
    }

    fn spec_name<'p>(&'p self, old_side: bool, p: &'p Param) -> &'p str {
        let names = if old_side {
            &self.old_names
        } else {
            &self.new_names
        };
        names
            .get(&p.pointer)
            .map_or(p.name.wire.as_str(), String::as_str)
    }

    fn params(&mut self, o: Op<'a>, n: Op<'a>) {
        let path = |op: &'a Operation| {
            op.params
                .iter()
                .filter(|p| p.location == ParamLocation::Path)
                .collect::<Vec<_>>()
        };
        let (op_, np) = (path(o.op), path(n.op));
        for i in 0..op_.len().max(np.len()) {
            match (op_.get(i), np.get(i)) {
                (Some(a), Some(b)) => self.param(n, a, b),
                (Some(a), None) => self.param_removed(o, a),
                (None, Some(b)) => self.param_added(n, b),
                (None, None) => {}
            }
        }
        let rest = |op: &'a Operation| {
            op.params
                .iter()
                .filter(|p| p.location != ParamLocation::Path)
                .collect::<Vec<_>>()
        };
        let (or, nr) = (rest(o.op), rest(n.op));
        for a in &or {
            match nr
                .iter()
                .find(|b| b.location == a.location && b.name.wire == a.name.wire)
            {
                Some(b) => self.param(n, a, b),
                None => self.param_removed(o, a),
            }
        }
        for b in &nr {
            if !or
                .iter()
                .any(|a| a.location == b.location && a.name.wire == b.name.wire)
            {
                self.param_added(n, b);
            }
        }
    }

    fn param_removed(&mut self, o: Op<'a>, p: &Param) {
        let what = if p.required {
            "an argument of the method"
        } else {
            "a builder setter"
        };
        self.push(
            Kind::ParameterRemoved,
            sev(true, false),
            &p.pointer,
            format!(
                "{} removed (it was {what}).",
                capitalize(&param_label(p, self.spec_name(true, p), o))
            ),
        );
    }

    fn param_added(&mut self, n: Op<'a>, p: &Param) {
        let label = capitalize(&param_label(p, self.spec_name(false, p), n));
        let (s, text) = if p.required {
            (
                sev(true, true),
                "required: a new argument of the method, and old clients do not send it",
            )
        } else {
            (sev(false, false), "optional: a new builder setter")
        };
        self.push(
            Kind::ParameterAdded,
            s,
            &p.pointer,
            format!("{label} added, {text}."),
        );
    }

    fn param(&mut self, n: Op<'a>, a: &Param, b: &Param) {
        let ptr = b.pointer.as_str();
        let (oname, nname) = (
            self.spec_name(true, a).to_string(),
            self.spec_name(false, b).to_string(),
        );
        let label = param_label(b, &nname, n);
        if oname != nname || a.name.rust != b.name.rust {
            // Path parameters are positional in the URL and in the method's
            // arguments; only a setter's name is API.
            let sdk = !a.required && !b.required && a.name.rust != b.name.rust;
            let mut details = Vec::new();
            if oname != a.name.wire {
                details.push(format!(
                    "the old spec named it `{oname}` but the path template says `{{{}}}`; the generator already used `{}`",
                    a.name.wire, a.name.wire
                ));
            }
            self.push_details(
                Kind::ParameterRenamed,
                sev(sdk, false),
                ptr,
                format!(
                    "{} parameter `{oname}` (Rust `{}`) of {} renamed to `{nname}` (Rust `{}`){}.",
                    capitalize(location(b.location)),
                    a.name.rust,
                    n.label(),
                    b.name.rust,
                    if b.location == ParamLocation::Path {
                        " at the same position"
                    } else {
                        ""
                    },
                ),
                details,
            );
        }
        if a.required != b.required {
            let (s, text) = if b.required {
                (sev(true, true), "optional → required: the setter becomes an argument of the method, and old clients may omit it")
            } else {
                (
                    sev(true, false),
                    "required → optional: the argument becomes a builder setter",
                )
            };
            self.push(
                Kind::ParameterRequiredChanged,
                s,
                ptr,
                format!("{} changed from {text}.", capitalize(&label)),
            );
        }
        if a.ty != b.ty {
            let mut details = Vec::new();
            // Parameters are text on the wire: a `String` takes any scalar.
            if !param_text_accepts(&b.ty, &a.ty) {
                self.shape(
                    &a.ty,
                    &b.ty,
                    Usage::REQUEST,
                    &nname,
                    &mut details,
                    &mut BTreeSet::new(),
                );
            }
            let wire = !details.is_empty();
            let details = explain(details, &nname);
            self.push_details(
                Kind::ParameterTypeChanged,
                sev(true, wire),
                ptr,
                format!(
                    "Type of {label} changed: `{}` → `{}`.",
                    rust_ty(&a.ty),
                    rust_ty(&b.ty)
                ),
                details,
            );
        }
        if a.default != b.default {
            self.push(
                Kind::ParameterDefaultChanged,
                sev(false, false),
                ptr,
                format!(
                    "Default of {label} changed: {} → {} (the server applies it when the parameter is not sent).",
                    json_opt(&a.default),
                    json_opt(&b.default)
                ),
            );
        }
        if (a.minimum, a.maximum) != (b.minimum, b.maximum) {
            let tighter_min = match (a.minimum, b.minimum) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(x), Some(y)) => y > x,
            };
            let tighter_max = match (a.maximum, b.maximum) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(x), Some(y)) => y < x,
            };
            let wire = tighter_min || tighter_max;
            let why = if wire {
                "tighter: old clients may send values the server now rejects"
            } else {
                "looser"
            };
            self.push(
                Kind::ParameterLimitsChanged,
                sev(false, wire),
                ptr,
                format!(
                    "Limits of {label} changed: `{}` → `{}` ({why}).",
                    limits(a.minimum, a.maximum),
                    limits(b.minimum, b.maximum)
                ),
            );
        }
        if a.explode != b.explode {
            let text = |e: bool| if e { "repeated keys" } else { "comma-joined" };
            self.push(
                Kind::ParameterStyleChanged,
                sev(false, true),
                ptr,
                format!(
                    "Arrays in {label} are now sent as {} instead of {}.",
                    text(b.explode),
                    text(a.explode)
                ),
            );
        }
        if a.deprecated != b.deprecated {
            let text = if b.deprecated {
                "deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(
                Kind::DeprecatedChanged,
                sev(false, false),
                ptr,
                format!("{} is {text}.", capitalize(&label)),
            );
        }
        if a.description != b.description {
            self.push(
                Kind::ParameterDocsChanged,
                docs(),
                ptr,
                format!("Description of {label} changed."),
            );
        }
    }

    fn body(&mut self, o: Op<'a>, n: Op<'a>) {
        match (&o.op.body, &n.op.body) {
            (None, None) => {}
            (Some(a), None) => self.push(
                Kind::RequestBodyRemoved,
                sev(true, false),
                &a.pointer,
                format!(
                    "Request body (`{}`) of {} removed.",
                    rust_ty(&a.ty),
                    o.label()
                ),
            ),
            (None, Some(b)) => {
                let (s, text) = if b.required {
                    (
                        sev(true, true),
                        "required: a new `body` argument, and old clients do not send it",
                    )
                } else {
                    (sev(false, false), "optional: a new `body` setter")
                };
                self.push(
                    Kind::RequestBodyAdded,
                    s,
                    &b.pointer,
                    format!(
                        "Request body (`{}`, `{}`) of {} added, {text}.",
                        rust_ty(&b.ty),
                        b.media_type,
                        n.label()
                    ),
                );
            }
            (Some(a), Some(b)) => {
                let ptr = b.pointer.as_str();
                let label = format!("request body of {}", n.label());
                if a.required != b.required {
                    let (s, text) = if b.required {
                        (sev(true, true), "optional → required: the `body` setter becomes an argument, and old clients may omit it")
                    } else {
                        (
                            sev(true, false),
                            "required → optional: the `body` argument becomes a setter",
                        )
                    };
                    self.push(
                        Kind::RequestBodyRequiredChanged,
                        s,
                        ptr,
                        format!("{} changed from {text}.", capitalize(&label)),
                    );
                }
                if a.media_type != b.media_type {
                    let accepted =
                        b.media_type == a.media_type || b.other_media_types.contains(&a.media_type);
                    let why = if accepted {
                        format!("the old `{}` is still accepted", a.media_type)
                    } else {
                        format!("old clients send `{}`", a.media_type)
                    };
                    self.push(
                        Kind::RequestMediaTypeChanged,
                        sev(false, !accepted),
                        ptr,
                        format!(
                            "Media type of the {label} changed: `{}` → `{}` ({why}).",
                            a.media_type, b.media_type
                        ),
                    );
                }
                if a.ty != b.ty {
                    let mut details = Vec::new();
                    self.shape(
                        &a.ty,
                        &b.ty,
                        Usage::REQUEST,
                        "body",
                        &mut details,
                        &mut BTreeSet::new(),
                    );
                    let wire = !details.is_empty();
                    let mut details = explain(details, "body");
                    if !wire {
                        details.push("same shape on the wire".into());
                    }
                    self.push_details(
                        Kind::RequestSchemaReplaced,
                        sev(true, wire),
                        ptr,
                        format!(
                            "Schema of the {label} replaced: `{}` → `{}`.",
                            rust_ty(&a.ty),
                            rust_ty(&b.ty)
                        ),
                        details,
                    );
                }
                if a.description != b.description {
                    self.push(
                        Kind::RequestBodyDocsChanged,
                        docs(),
                        ptr,
                        format!("Description of the {label} changed."),
                    );
                }
            }
        }
    }

    fn responses(&mut self, o: Op<'a>, n: Op<'a>) {
        let success_sig = |op: &Operation| -> String {
            let ok = op.successes();
            if op.has_success_enum() {
                format!("{}Success", op.type_name)
            } else {
                ok.first()
                    .map_or("Bytes".to_string(), |r| response_body_ty(&r.body))
            }
        };
        let (osig, nsig) = (success_sig(o.op), success_sig(n.op));
        let ret_changed = osig != nsig;
        let err = |op: &Operation| format!("{}Error", op.type_name);
        for a in &o.op.responses {
            match n.op.responses.iter().find(|b| b.status == a.status) {
                Some(b) => self.response(n, a, b),
                None => {
                    let (s, text) = if a.status.is_success() {
                        if ret_changed {
                            (
                                sev(true, false),
                                format!("the return type changes: `{osig}` → `{nsig}`"),
                            )
                        } else if osig.ends_with("Success") {
                            (
                                sev(true, false),
                                format!("variant `{osig}::{}` removed", a.variant),
                            )
                        } else {
                            (
                                sev(false, false),
                                "the return type is unchanged".to_string(),
                            )
                        }
                    } else {
                        (
                            sev(true, false),
                            format!("variant `{}::{}` removed", err(o.op), a.variant),
                        )
                    };
                    self.push(
                        Kind::StatusRemoved,
                        s,
                        &a.pointer,
                        format!(
                            "Status {} of {} removed: {text}.",
                            status_text(a.status),
                            o.label()
                        ),
                    );
                }
            }
        }
        for b in &n.op.responses {
            if o.op.responses.iter().any(|a| a.status == b.status) {
                continue;
            }
            let (s, text) = if b.status.is_success() {
                let sdk = ret_changed;
                let ret = if sdk {
                    format!("the return type changes: `{osig}` → `{nsig}`; ")
                } else if nsig.ends_with("Success") {
                    format!("variant `{nsig}::{}` added; ", b.variant)
                } else {
                    String::new()
                };
                (
                    sev(sdk, true),
                    format!("{ret}old clients report it as an unexpected status"),
                )
            } else {
                (
                    sev(false, false),
                    format!("variant `{}::{}` added", err(n.op), b.variant),
                )
            };
            self.push(
                Kind::StatusAdded,
                s,
                &b.pointer,
                format!(
                    "Status {} of {} added: {text}.",
                    status_text(b.status),
                    n.label()
                ),
            );
        }
    }

    fn response(&mut self, n: Op<'a>, a: &Response, b: &Response) {
        let ptr = b.pointer.as_str();
        let label = format!("status {} response of {}", status_text(b.status), n.label());
        let same_kind = std::mem::discriminant(&a.body) == std::mem::discriminant(&b.body);
        let (am, bm) = (response_media(&a.body), response_media(&b.body));
        if am != bm || !same_kind {
            let json = |r: &ResponseBody| matches!(r, ResponseBody::Json { .. });
            let sdk = response_body_ty(&a.body) != response_body_ty(&b.body)
                && !(json(&a.body) && json(&b.body));
            let wire = !(json(&a.body) && json(&b.body));
            self.push(
                Kind::ResponseMediaTypeChanged,
                sev(sdk, wire),
                ptr,
                format!(
                    "Body of the {label} changed: `{am}` (`{}`) → `{bm}` (`{}`).",
                    response_body_ty(&a.body),
                    response_body_ty(&b.body)
                ),
            );
        }
        if let (ResponseBody::Json { ty: at, .. }, ResponseBody::Json { ty: bt, .. }) =
            (&a.body, &b.body)
        {
            if at != bt {
                let mut details = Vec::new();
                self.shape(
                    at,
                    bt,
                    Usage::RESPONSE,
                    "body",
                    &mut details,
                    &mut BTreeSet::new(),
                );
                let wire = !details.is_empty();
                let mut details = explain(details, "body");
                if !wire {
                    details.push("same shape on the wire".into());
                }
                self.push_details(
                    Kind::ResponseSchemaReplaced,
                    sev(true, wire),
                    ptr,
                    format!(
                        "Schema of the {label} replaced: `{}` → `{}`.",
                        rust_ty(at),
                        rust_ty(bt)
                    ),
                    details,
                );
            }
        }
        if a.headers != b.headers {
            let removed: Vec<String> = a
                .headers
                .iter()
                .filter(|h| !b.headers.contains(h))
                .map(|h| format!("`{}`", h.wire))
                .collect();
            let added: Vec<String> = b
                .headers
                .iter()
                .filter(|h| !a.headers.contains(h))
                .map(|h| format!("`{}`", h.wire))
                .collect();
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("added {}", added.join(", ")));
            }
            if !removed.is_empty() {
                parts.push(format!("removed {}", removed.join(", ")));
            }
            self.push(
                Kind::ResponseHeadersChanged,
                sev(false, !removed.is_empty()),
                ptr,
                format!("Headers of the {label}: {}.", parts.join("; ")),
            );
        }
        if a.description != b.description {
            self.push(
                Kind::ResponseDocsChanged,
                docs(),
                ptr,
                format!("Description of the {label} changed."),
            );
        }
    }

    fn security(&mut self, o: Op<'a>, n: Op<'a>) {
        if o.op.security == n.op.security {
            return;
        }
        let (olds, news) = (
            security_alternatives(&o.op.security),
            security_alternatives(&n.op.security),
        );
        // A client that met an old alternative still gets in if some new
        // alternative asks for no more than that.
        let wire = olds.iter().any(|a| !news.iter().any(|b| b.is_subset(a)));
        let all = |alts: &[Atoms]| alts.iter().flatten().cloned().collect::<Atoms>();
        let (oa, na) = (all(&olds), all(&news));
        let atom = |(s, scope): &(String, Option<String>)| match scope {
            Some(x) => format!("scope `{x}` of `{s}`"),
            None => format!("scheme `{s}`"),
        };
        let mut details: Vec<String> = na
            .difference(&oa)
            .map(|x| format!("added {}", atom(x)))
            .collect();
        details.extend(oa.difference(&na).map(|x| format!("removed {}", atom(x))));
        if wire {
            details.push("old clients' credentials may no longer be enough".into());
        }
        self.push_details(
            Kind::SecurityChanged,
            sev(false, wire),
            &format!("{}/security", n.op.pointer),
            format!(
                "Security of {} changed: {} → {}.",
                n.label(),
                security_text(&o.op.security),
                security_text(&n.op.security)
            ),
            details,
        );
    }

    fn paging(&mut self, o: Op<'a>, n: Op<'a>) {
        let ptr = n.op.pointer.as_str();
        match (&o.op.pagination, &n.op.pagination) {
            (None, Some(_)) => self.push(
                Kind::PaginationChanged,
                sev(false, false),
                ptr,
                format!(
                    "{} now pages: the builder gets `stream()` and `max_items`.",
                    capitalize(&n.label())
                ),
            ),
            (Some(_), None) => self.push(
                Kind::PaginationChanged,
                sev(true, false),
                ptr,
                format!(
                    "{} no longer pages: the builder loses `stream()` and `max_items`.",
                    capitalize(&n.label())
                ),
            ),
            (Some(a), Some(b)) if a != b => {
                let sdk = a.item != b.item;
                let opt = |v: Option<i64>| v.map_or("none".to_string(), |v| v.to_string());
                let mut parts = Vec::new();
                if a.item != b.item {
                    parts.push(format!(
                        "`stream()` item `{}` → `{}`",
                        rust_ty(&a.item),
                        rust_ty(&b.item)
                    ));
                }
                if a.default_limit != b.default_limit {
                    parts.push(format!(
                        "default `limit` {} → {}",
                        opt(a.default_limit),
                        opt(b.default_limit)
                    ));
                }
                if a.max_limit != b.max_limit {
                    parts.push(format!(
                        "maximum `limit` {} → {}",
                        opt(a.max_limit),
                        opt(b.max_limit)
                    ));
                }
                self.push(
                    Kind::PaginationChanged,
                    sev(sdk, false),
                    ptr,
                    format!(
                        "Paging of {} changed (the page size `stream()` uses by default follows the `limit` default, else its maximum): {}.",
                        n.label(),
                        parts.join(", ")
                    ),
                );
            }
            _ => {}
        }
        match (&o.op.filters, &n.op.filters) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                let (s, text) = if n.op.filters.is_some() {
                    (
                        "now documents",
                        "takes a typed `Filter` (the string setter becomes `filters_raw`)",
                    )
                } else {
                    ("no longer documents", "takes a string again")
                };
                self.push(
                    Kind::FiltersChanged,
                    sev(true, false),
                    ptr,
                    format!(
                        "{} {s} its filter fields: the `filters` setter {text}.",
                        capitalize(&n.label())
                    ),
                );
            }
            (Some(a), Some(b)) => {
                for f in a {
                    match b.iter().find(|g| g.name.wire == f.name.wire) {
                        None => self.push(
                            Kind::FiltersChanged,
                            sev(true, true),
                            ptr,
                            format!(
                                "Filter field `{}` (Rust `{}`) of {} removed.",
                                f.name.wire,
                                f.name.rust,
                                n.label()
                            ),
                        ),
                        Some(g) => {
                            let lost: Vec<&String> = f
                                .operators
                                .iter()
                                .filter(|x| !g.operators.contains(x))
                                .collect();
                            let gained: Vec<&String> = g
                                .operators
                                .iter()
                                .filter(|x| !f.operators.contains(x))
                                .collect();
                            if f.ty != g.ty
                                || !lost.is_empty()
                                || !gained.is_empty()
                                || f.name.rust != g.name.rust
                            {
                                let breaking = f.ty != g.ty || !lost.is_empty();
                                self.push(
                                    Kind::FiltersChanged,
                                    sev(breaking || f.name.rust != g.name.rust, breaking),
                                    ptr,
                                    format!(
                                        "Filter field `{}` (Rust `{}`) of {} changed: `{}` [{}] → `{}` [{}].",
                                        g.name.wire,
                                        g.name.rust,
                                        n.label(),
                                        f.ty,
                                        f.operators.join(", "),
                                        g.ty,
                                        g.operators.join(", ")
                                    ),
                                );
                            }
                        }
                    }
                }
                for g in b
                    .iter()
                    .filter(|g| !a.iter().any(|f| f.name.wire == g.name.wire))
                {
                    self.push(
                        Kind::FiltersChanged,
                        sev(false, false),
                        ptr,
                        format!(
                            "Filter field `{}` (Rust `{}`) of {} added.",
                            g.name.wire,
                            g.name.rust,
                            n.label()
                        ),
                    );
                }
            }
        }
        match (&o.op.sorters, &n.op.sorters) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                let s = if n.op.sorters.is_some() {
                    "now documents"
                } else {
                    "no longer documents"
                };
                self.push(
                    Kind::SortersChanged,
                    sev(true, false),
                    ptr,
                    format!(
                        "{} {s} its sort fields: the `sorters` setter's argument type changes.",
                        capitalize(&n.label())
                    ),
                );
            }
            (Some(a), Some(b)) => {
                for f in a.iter().filter(|f| !b.iter().any(|g| g.wire == f.wire)) {
                    self.push(
                        Kind::SortersChanged,
                        sev(true, true),
                        ptr,
                        format!(
                            "Sort field `{}` (Rust `{}SortField::{}`) of {} removed.",
                            f.wire,
                            n.op.type_name,
                            f.rust,
                            n.label()
                        ),
                    );
                }
                for g in b.iter().filter(|g| !a.iter().any(|f| f.wire == g.wire)) {
                    self.push(
                        Kind::SortersChanged,
                        sev(false, false),
                        ptr,
                        format!(
                            "Sort field `{}` (Rust `{}SortField::{}`) of {} added.",
                            g.wire,
                            n.op.type_name,
                            g.rust,
                            n.label()
                        ),
                    );
                }
            }
        }
    }

    // ---- Types ----

    fn types(&mut self) {
        let (old, new) = (self.old, self.new);
        let mut pairs: Vec<(&'a TypeDef, &'a TypeDef)> = Vec::new();
        let mut new_matched: BTreeSet<&str> = BTreeSet::new();
        let mut old_unmatched: Vec<&'a TypeDef> = Vec::new();
        let by_wire: BTreeMap<&str, &TypeDef> = new
            .types
            .values()
            .map(|d| (d.name.wire.as_str(), d))
            .collect();
        for d in old.types.values() {
            match by_wire.get(d.name.wire.as_str()) {
                Some(n) if !new_matched.contains(n.name.rust.as_str()) => {
                    new_matched.insert(n.name.rust.as_str());
                    pairs.push((d, n));
                }
                _ => old_unmatched.push(d),
            }
        }
        let mut removed = Vec::new();
        for d in old_unmatched {
            match new.types.get(&d.name.rust) {
                Some(n) if !new_matched.contains(n.name.rust.as_str()) => {
                    new_matched.insert(n.name.rust.as_str());
                    pairs.push((d, n));
                }
                _ => removed.push(d),
            }
        }
        pairs.sort_by(|a, b| a.1.name.rust.cmp(&b.1.name.rust));
        for (a, b) in pairs {
            self.type_pair(a, b);
        }
        for d in removed {
            self.push(
                Kind::TypeRemoved,
                sev(true, false),
                &d.pointer,
                format!(
                    "Schema {} removed (used in {}).",
                    type_label(d),
                    direction(self.old_use.get(&d.name.rust).copied().unwrap_or_default())
                ),
            );
        }
        for d in new
            .types
            .values()
            .filter(|d| !new_matched.contains(d.name.rust.as_str()))
        {
            self.push(
                Kind::TypeAdded,
                sev(false, false),
                &d.pointer,
                format!(
                    "Schema {} added (used in {}).",
                    type_label(d),
                    direction(self.new_use.get(&d.name.rust).copied().unwrap_or_default())
                ),
            );
        }
    }

    fn usage_of(&self, a: &TypeDef, b: &TypeDef) -> Usage {
        let u = |m: &BTreeMap<String, Usage>, n: &str| m.get(n).copied().unwrap_or_default();
        u(&self.old_use, &a.name.rust).or(u(&self.new_use, &b.name.rust))
    }

    fn type_pair(&mut self, a: &'a TypeDef, b: &'a TypeDef) {
        let ptr = b.pointer.as_str();
        let usage = self.usage_of(a, b);
        if a.name != b.name {
            let sdk = a.name.rust != b.name.rust;
            self.push(
                Kind::TypeRenamed,
                sev(sdk, false),
                ptr,
                format!("Schema {} renamed to {}.", type_label(a), type_label(b)),
            );
        }
        if a.description != b.description {
            self.push(
                Kind::TypeDocsChanged,
                docs(),
                ptr,
                format!("Description of schema {} changed.", type_label(b)),
            );
        }
        match (&a.kind, &b.kind) {
            (TypeKind::Struct(x), TypeKind::Struct(y)) => self.structs(b, usage, x, y),
            (TypeKind::Enum(x), TypeKind::Enum(y)) => self.enums(b, usage, x, y),
            (TypeKind::Union(x), TypeKind::Union(y)) => self.unions(b, usage, x, y),
            (TypeKind::Alias(x), TypeKind::Alias(y)) => {
                if x != y {
                    let mut details = Vec::new();
                    self.shape(
                        x,
                        y,
                        usage,
                        &b.name.wire,
                        &mut details,
                        &mut BTreeSet::new(),
                    );
                    let wire = !details.is_empty();
                    let details = explain(details, &b.name.wire);
                    self.push_details(
                        Kind::AliasChanged,
                        sev(true, wire),
                        ptr,
                        format!(
                            "Schema {} now stands for `{}` instead of `{}`.",
                            type_label(b),
                            rust_ty(y),
                            rust_ty(x)
                        ),
                        details,
                    );
                }
            }
            (x, y) => self.push(
                Kind::TypeKindChanged,
                sev(true, usage.any()),
                ptr,
                format!(
                    "Schema {} changed from {} to {} (used in {}).",
                    type_label(b),
                    kind_name(x),
                    kind_name(y),
                    direction(usage)
                ),
            ),
        }
    }

    fn structs(&mut self, def: &TypeDef, usage: Usage, x: &Struct, y: &Struct) {
        for f in &x.fields {
            match y.fields.iter().find(|g| g.name.wire == f.name.wire) {
                Some(g) => self.field(def, usage, f, g),
                None => {
                    let wire = usage.response && response_required(f);
                    let why = if wire {
                        "; it was always present in responses"
                    } else {
                        ""
                    };
                    self.push(
                        Kind::FieldRemoved,
                        sev(true, wire),
                        &f.pointer,
                        format!(
                            "{} removed (used in {}){why}.",
                            capitalize(&field_label(f, def)),
                            direction(usage)
                        ),
                    );
                }
            }
        }
        for g in y
            .fields
            .iter()
            .filter(|g| !x.fields.iter().any(|f| f.name.wire == g.name.wire))
        {
            let sdk = !g.is_option();
            let wire = usage.request && request_required(g);
            let what = match (sdk, wire) {
                (true, true) => {
                    "required: `new()` gains an argument, and old clients do not send it"
                }
                (true, false) => "required: `new()` gains an argument",
                (false, true) => "required in requests, and old clients do not send it",
                (false, false) => "optional (an `Option` field)",
            };
            self.push(
                Kind::FieldAdded,
                sev(sdk, wire),
                &g.pointer,
                format!(
                    "{} added (used in {}), {what}.",
                    capitalize(&field_label(g, def)),
                    direction(usage)
                ),
            );
        }
        match (&x.additional, &y.additional) {
            (None, None) => {}
            (a, b) if a == b => {}
            (None, Some(t)) => self.push(
                Kind::AdditionalPropertiesChanged,
                sev(false, false),
                &def.pointer,
                format!(
                    "Schema {} now keeps extra properties (`{}`).",
                    type_label(def),
                    rust_ty(t)
                ),
            ),
            (Some(t), None) => self.push(
                Kind::AdditionalPropertiesChanged,
                sev(true, usage.request),
                &def.pointer,
                format!(
                    "Schema {} no longer allows extra properties (`{}`).",
                    type_label(def),
                    rust_ty(t)
                ),
            ),
            (Some(s), Some(t)) => {
                let mut details = Vec::new();
                let path = format!("{}.*", def.name.wire);
                self.shape(s, t, usage, &path, &mut details, &mut BTreeSet::new());
                let wire = !details.is_empty();
                let details = explain(details, &path);
                self.push_details(
                    Kind::AdditionalPropertiesChanged,
                    sev(true, wire),
                    &def.pointer,
                    format!(
                        "Extra properties of schema {} changed: `{}` → `{}`.",
                        type_label(def),
                        rust_ty(s),
                        rust_ty(t)
                    ),
                    details,
                );
            }
        }
    }

    fn field(&mut self, def: &TypeDef, usage: Usage, f: &Field, g: &Field) {
        let ptr = g.pointer.as_str();
        let label = field_label(g, def);
        if f.name.rust != g.name.rust {
            self.push(
                Kind::FieldRenamed,
                sev(true, false),
                ptr,
                format!(
                    "Rust name of field `{}` of {} changed: `{}` → `{}`.",
                    g.name.wire,
                    type_label(def),
                    f.name.rust,
                    g.name.rust
                ),
            );
        }
        if f.ty != g.ty {
            let mut details = Vec::new();
            let path = format!("{}.{}", def.name.wire, g.name.wire);
            self.shape(
                &f.ty,
                &g.ty,
                usage,
                &path,
                &mut details,
                &mut BTreeSet::new(),
            );
            let wire = !details.is_empty();
            let details = explain(details, &path);
            self.push_details(
                Kind::FieldTypeChanged,
                sev(true, wire),
                ptr,
                format!(
                    "Type of {label} changed: `{}` → `{}` (used in {}).",
                    rust_ty(&f.ty),
                    rust_ty(&g.ty),
                    direction(usage)
                ),
                details,
            );
        }
        // Each flag is judged alone: the old field with only that flag changed.
        let option_text = |h: &Field| {
            if h.is_option() {
                "becomes an `Option`"
            } else {
                "is no longer an `Option` (and joins `new()`)"
            }
        };
        if f.required != g.required {
            let h = Field {
                required: g.required,
                ..f.clone()
            };
            let sdk = f.is_option() != h.is_option();
            let req = usage.request && !request_required(f) && request_required(&h);
            let resp = usage.response && response_required(f) && !response_required(&h);
            let mut why = Vec::new();
            if sdk {
                why.push(format!("the Rust field {}", option_text(&h)));
            }
            if req {
                why.push("old clients may omit it in requests".to_string());
            }
            if resp {
                why.push("old clients expect it in every response".to_string());
            }
            let dir = if g.required {
                "optional → required"
            } else {
                "required → optional"
            };
            self.push(
                Kind::FieldRequiredChanged,
                sev(sdk, req || resp),
                ptr,
                format!(
                    "{} changed from {dir} (used in {}){}.",
                    capitalize(&label),
                    direction(usage),
                    because(&why)
                ),
            );
        }
        if f.nullable != g.nullable {
            let h = Field {
                nullable: g.nullable,
                ..f.clone()
            };
            let sdk = f.is_option() != h.is_option();
            let req = usage.request && f.nullable && !g.nullable;
            let resp = usage.response && !f.nullable && g.nullable;
            let mut why = Vec::new();
            if sdk {
                why.push(format!("the Rust field {}", option_text(&h)));
            }
            if req {
                why.push("old clients may send `null`".to_string());
            }
            if resp {
                why.push("old clients do not expect `null` in responses".to_string());
            }
            let text = if g.nullable {
                "became nullable"
            } else {
                "is no longer nullable"
            };
            self.push(
                Kind::FieldNullableChanged,
                sev(sdk, req || resp),
                ptr,
                format!(
                    "{} {text} (used in {}){}.",
                    capitalize(&label),
                    direction(usage),
                    because(&why)
                ),
            );
        }
        if f.read_only != g.read_only {
            let h = Field {
                read_only: g.read_only,
                ..f.clone()
            };
            let sdk = f.is_option() != h.is_option();
            let req = usage.request && !request_required(f) && request_required(&h);
            let mut why = Vec::new();
            if sdk {
                why.push(format!("the Rust field {}", option_text(&h)));
            }
            if req {
                why.push(
                    "it is now required in requests, and old clients do not send it".to_string(),
                );
            }
            if g.read_only {
                why.push("the SDK stops sending it".to_string());
            }
            let text = if g.read_only {
                "became read-only"
            } else {
                "is no longer read-only"
            };
            self.push(
                Kind::FieldReadOnlyChanged,
                sev(sdk, req),
                ptr,
                format!(
                    "{} {text} (used in {}){}.",
                    capitalize(&label),
                    direction(usage),
                    because(&why)
                ),
            );
        }
        if f.write_only != g.write_only {
            let h = Field {
                write_only: g.write_only,
                ..f.clone()
            };
            let resp = usage.response && response_required(f) && !response_required(&h);
            let text = if g.write_only {
                "became write-only"
            } else {
                "is no longer write-only"
            };
            self.push(
                Kind::FieldWriteOnlyChanged,
                sev(false, resp),
                ptr,
                format!(
                    "{} {text} (used in {}).",
                    capitalize(&label),
                    direction(usage)
                ),
            );
        }
        if f.default != g.default {
            self.push(
                Kind::FieldDefaultChanged,
                sev(false, false),
                ptr,
                format!(
                    "Default of {label} changed: {} → {}.",
                    json_opt(&f.default),
                    json_opt(&g.default)
                ),
            );
        }
        if f.deprecated != g.deprecated {
            let text = if g.deprecated {
                "deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(
                Kind::DeprecatedChanged,
                sev(false, false),
                ptr,
                format!("{} is {text}.", capitalize(&label)),
            );
        }
        if f.description != g.description {
            self.push(
                Kind::FieldDocsChanged,
                docs(),
                ptr,
                format!("Description of {label} changed."),
            );
        }
    }

    fn enums(&mut self, def: &TypeDef, usage: Usage, x: &Enum, y: &Enum) {
        let ptr = format!("{}/enum", def.pointer);
        for v in &x.variants {
            match y.variants.iter().find(|w| w.wire == v.wire) {
                None => {
                    let why = if usage.request {
                        "; old clients may still send it"
                    } else {
                        ""
                    };
                    self.push(
                        Kind::EnumValueRemoved,
                        sev(true, usage.request),
                        &ptr,
                        format!(
                            "Value `{}` (Rust `{}::{}`) of {} removed (used in {}){why}.",
                            v.wire,
                            def.name.rust,
                            v.rust,
                            type_label(def),
                            direction(usage)
                        ),
                    );
                }
                Some(w) if w.rust != v.rust => self.push(
                    Kind::EnumVariantRenamed,
                    sev(true, false),
                    &ptr,
                    format!(
                        "Rust variant of value `{}` of {} renamed: `{}` → `{}`.",
                        v.wire,
                        type_label(def),
                        v.rust,
                        w.rust
                    ),
                ),
                Some(_) => {}
            }
        }
        for w in y
            .variants
            .iter()
            .filter(|w| !x.variants.iter().any(|v| v.wire == w.wire))
        {
            let why = if usage.response {
                "; old clients decode it as `Unknown`"
            } else {
                ""
            };
            self.push(
                Kind::EnumValueAdded,
                sev(false, false),
                &ptr,
                format!(
                    "Value `{}` (Rust `{}::{}`) of {} added (used in {}){why}.",
                    w.wire,
                    def.name.rust,
                    w.rust,
                    type_label(def),
                    direction(usage)
                ),
            );
        }
        if x.unknown != y.unknown {
            self.push(
                Kind::EnumVariantRenamed,
                sev(true, false),
                &ptr,
                format!(
                    "Catch-all variant of {} renamed: `{}` → `{}`.",
                    type_label(def),
                    x.unknown,
                    y.unknown
                ),
            );
        }
    }

    fn unions(&mut self, def: &TypeDef, usage: Usage, x: &Union, y: &Union) {
        let ptr = def.pointer.as_str();
        for v in &x.variants {
            match y.variants.iter().find(|w| w.name == v.name) {
                None => self.push(
                    Kind::UnionVariantRemoved,
                    sev(true, usage.request),
                    ptr,
                    format!(
                        "Variant `{}` (`{}`) of {} removed (used in {}).",
                        v.name,
                        rust_ty(&v.ty),
                        type_label(def),
                        direction(usage)
                    ),
                ),
                Some(w) => {
                    if v.ty != w.ty {
                        let mut details = Vec::new();
                        let path = format!("{}::{}", def.name.wire, v.name);
                        self.shape(
                            &v.ty,
                            &w.ty,
                            usage,
                            &path,
                            &mut details,
                            &mut BTreeSet::new(),
                        );
                        let wire = !details.is_empty();
                        let details = explain(details, &path);
                        self.push_details(
                            Kind::UnionVariantChanged,
                            sev(true, wire),
                            ptr,
                            format!(
                                "Variant `{}` of {} changed: `{}` → `{}`.",
                                v.name,
                                type_label(def),
                                rust_ty(&v.ty),
                                rust_ty(&w.ty)
                            ),
                            details,
                        );
                    }
                    if v.tags != w.tags {
                        self.push(
                            Kind::DiscriminatorChanged,
                            sev(false, usage.any()),
                            ptr,
                            format!(
                                "Discriminator values of variant `{}` of {} changed: [{}] → [{}].",
                                v.name,
                                type_label(def),
                                v.tags.join(", "),
                                w.tags.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        for w in y
            .variants
            .iter()
            .filter(|w| !x.variants.iter().any(|v| v.name == w.name))
        {
            let why = if usage.response {
                "; old clients cannot decode it"
            } else {
                ""
            };
            self.push(
                Kind::UnionVariantAdded,
                sev(false, usage.response),
                ptr,
                format!(
                    "Variant `{}` (`{}`) of {} added (used in {}){why}.",
                    w.name,
                    rust_ty(&w.ty),
                    type_label(def),
                    direction(usage)
                ),
            );
        }
        if x.discriminator != y.discriminator {
            let d = |o: &Option<String>| {
                o.as_deref()
                    .map_or("none".to_string(), |s| format!("`{s}`"))
            };
            self.push(
                Kind::DiscriminatorChanged,
                sev(false, usage.any()),
                ptr,
                format!(
                    "Discriminator of {} changed: {} → {}.",
                    type_label(def),
                    d(&x.discriminator),
                    d(&y.discriminator)
                ),
            );
        }
    }

    // ---- Wire shapes ----

    /// Follows aliases on one side.
    fn resolve<'t>(&self, api: &'t Api, mut t: &'t TypeRef) -> &'t TypeRef {
        for _ in 0..16 {
            match t {
                TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
                    Some(TypeKind::Alias(inner)) => t = inner,
                    _ => return t,
                },
                _ => return t,
            }
        }
        t
    }

    /// Lists how a value of old type `old` and one of new type `new` differ
    /// on the wire, in the directions `dir`, as Markdown fragments. Empty
    /// means clients of either side understand each other. Named types that
    /// are the same schema on both sides are skipped (their own changes are
    /// reported with the schema).
    fn shape(
        &self,
        old: &TypeRef,
        new: &TypeRef,
        dir: Usage,
        path: &str,
        out: &mut Vec<String>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let (o, n) = (self.resolve(self.old, old), self.resolve(self.new, new));
        match (o, n) {
            (TypeRef::Named(a), TypeRef::Named(b)) => {
                let (Some(da), Some(db)) = (self.old.types.get(a), self.new.types.get(b)) else {
                    return;
                };
                if da.name.wire == db.name.wire || !seen.insert((a.clone(), b.clone())) {
                    return;
                }
                match (&da.kind, &db.kind) {
                    (TypeKind::Struct(x), TypeKind::Struct(y)) => {
                        self.shape_struct(x, y, dir, path, out, seen)
                    }
                    (TypeKind::Enum(x), TypeKind::Enum(y)) => {
                        if dir.request {
                            for v in x
                                .variants
                                .iter()
                                .filter(|v| !y.variants.iter().any(|w| w.wire == v.wire))
                            {
                                out.push(format!(
                                    "`{path}`: value `{}` is no longer accepted",
                                    v.wire
                                ));
                            }
                        }
                    }
                    (TypeKind::Union(x), TypeKind::Union(y)) => {
                        let names = |u: &Union| {
                            u.variants
                                .iter()
                                .map(|v| v.name.clone())
                                .collect::<BTreeSet<_>>()
                        };
                        let (xs, ys) = (names(x), names(y));
                        if dir.request && !xs.is_subset(&ys) {
                            out.push(format!(
                                "`{path}`: variants no longer accepted: {}",
                                xs.difference(&ys).cloned().collect::<Vec<_>>().join(", ")
                            ));
                        }
                        if dir.response && !ys.is_subset(&xs) {
                            out.push(format!(
                                "`{path}`: new variants: {}",
                                ys.difference(&xs).cloned().collect::<Vec<_>>().join(", ")
                            ));
                        }
                        for v in &x.variants {
                            if let Some(w) = y.variants.iter().find(|w| w.name == v.name) {
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
                    (x, y) => out.push(format!(
                        "`{path}`: {} `{}` → {} `{}`",
                        kind_name(x),
                        da.name.wire,
                        kind_name(y),
                        db.name.wire
                    )),
                }
            }
            (TypeRef::Vec(a), TypeRef::Vec(b)) => {
                self.shape(a, b, dir, &format!("{path}[]"), out, seen)
            }
            (TypeRef::Map(a), TypeRef::Map(b)) => {
                self.shape(a, b, dir, &format!("{path}.*"), out, seen)
            }
            (a, b) if a == b => {}
            (a, b) => {
                // A request may widen (the server accepts more); a response
                // may narrow (old clients accept more).
                let ok_req = !dir.request || accepts(b, a);
                let ok_resp = !dir.response || accepts(a, b);
                if !(ok_req && ok_resp) {
                    out.push(format!("`{path}`: `{}` → `{}`", rust_ty(old), rust_ty(new)));
                }
            }
        }
    }

    fn shape_struct(
        &self,
        x: &Struct,
        y: &Struct,
        dir: Usage,
        path: &str,
        out: &mut Vec<String>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        for f in &x.fields {
            let p = format!("{path}.{}", f.name.wire);
            match y.fields.iter().find(|g| g.name.wire == f.name.wire) {
                None => {
                    if dir.response && response_required(f) {
                        out.push(format!("`{p}` is no longer returned"));
                    }
                }
                Some(g) => {
                    if dir.request && !request_required(f) && request_required(g) {
                        out.push(format!("`{p}` is now required"));
                    }
                    if dir.request && f.nullable && !g.nullable {
                        out.push(format!("`{p}` no longer accepts `null`"));
                    }
                    if dir.response && response_required(f) && !response_required(g) {
                        out.push(format!("`{p}` may now be absent"));
                    }
                    if dir.response && !f.nullable && g.nullable {
                        out.push(format!("`{p}` may now be `null`"));
                    }
                    self.shape(&f.ty, &g.ty, dir, &p, out, seen);
                }
            }
        }
        for g in y
            .fields
            .iter()
            .filter(|g| !x.fields.iter().any(|f| f.name.wire == g.name.wire))
        {
            if dir.request && request_required(g) {
                out.push(format!("`{path}.{}` is new and required", g.name.wire));
            }
        }
    }
}

/// Whether a reader of `wide` accepts every value of `narrow`.
fn accepts(wide: &TypeRef, narrow: &TypeRef) -> bool {
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
fn param_text_accepts(new: &TypeRef, old: &TypeRef) -> bool {
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

/// Drops the wire difference that only restates a change of the root type
/// itself (already in the message), keeping the deeper ones.
fn explain(details: Vec<String>, root: &str) -> Vec<String> {
    let prefix = format!("`{root}`: `");
    details
        .into_iter()
        .filter(|d| !d.starts_with(&prefix))
        .collect()
}

fn because(why: &[String]) -> String {
    if why.is_empty() {
        String::new()
    } else {
        format!(": {}", why.join("; "))
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
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
        let breaks = |a: &[&str], b: &[&str]| {
            let (o, n) = (security_alternatives(&s(a)), security_alternatives(&s(b)));
            o.iter().any(|x| !n.iter().any(|y| y.is_subset(x)))
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
