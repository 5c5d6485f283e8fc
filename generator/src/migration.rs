//! Migration reports: which operations of an OLD API (such as the
//! year-versioned v2025 spec) became which operations of a NEW one (such as
//! the per-service spec, whose paths carry a version per service), and what
//! changes for a caller who switches. `cargo xtask diff OLD NEW --migration`
//! prints the result.
//!
//! # Pairing
//!
//! Every OLD operation is paired with every NEW operation that
//!
//! - has the same operationId, or the same operationId *stem* (the
//!   operationId without a trailing `V<n>`: `listMachineIdentitiesV2` ->
//!   `listMachineIdentities`), or
//! - has the same method and the same *route*: the full path below the
//!   server origin (the server URL's own path, such as `/v2025`, included),
//!   with version segments (`v1`, `v2`, `v2025`) removed and template
//!   variables anonymized (`GET /v2025/machine-identities/{id}` and
//!   `GET /machine-identities/v2/{id}` are both `GET /machine-identities/{}`).
//!
//! One OLD operation may have several successors (`listMachineIdentities` ->
//! `listMachineIdentitiesV1` and `listMachineIdentitiesV2`). A pair is
//! certain when the operationId is the same, or when both the stem and the
//! route agree; a pair found by only one of the two is a *guess*, and the
//! report says so and why. OLD operations without a successor are *gone*,
//! NEW operations that succeed nothing are *new*.
//!
//! # Changes per pair
//!
//! Each pair is compared with the ordinary API diff ([`crate::diff::diff`])
//! on two one-operation APIs: the OLD operation (renamed to the NEW
//! operationId, with its full path) and the NEW one, each with the types it
//! reaches, and with the API-level facts (servers, security schemes) of the
//! NEW side. So every change to parameters, request and response fields,
//! status codes, security, paging, the path and the experimental flag is
//! found and classified under the existing rules; API-level changes are
//! reported once, under *General*. When the Rust type of the request body or
//! of the (first) success response differs, the pair also lists the JSON
//! fields only one side has ([`ModelChange`]), so that a removed
//! `owners.primaryIdentity` is seen next to the `owners.primary` that replaces
//! it.

use crate::diff::{self, Change, Counts, Severity, Side};
use crate::graph;
use crate::ir::*;
use crate::Lowering;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One operation as a migrating user sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpRef {
    /// The operationId.
    pub operation_id: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path below the server origin (the server URL's path included).
    pub path: String,
    /// Whether the operation is experimental.
    pub experimental: bool,
    /// The call that starts it, such as
    /// `client.machine_identities().get_machine_identity_v2(id)`.
    pub rust_call: String,
    /// The builder type `send()` is called on.
    pub rust_builder: String,
    /// JSON pointer of the operation.
    pub pointer: String,
}

/// How a pair was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// The same operationId on both sides.
    OperationId,
    /// The same operationId stem and the same route.
    StemAndRoute,
    /// The same operationId stem only (a guess).
    Stem,
    /// The same route only (a guess).
    Route,
}

/// A change of the experimental flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentalChange {
    /// The successor is GA: no opt-in, no header.
    ExperimentalToGa,
    /// The successor is experimental: the client must opt in.
    GaToExperimental,
}

/// A request or response body whose Rust type differs between the two
/// operations of a pair, with the JSON fields (dotted wire paths, `[]` for
/// array items) that only one side has: the model a caller has to rewrite
/// against. (The changes list says which of these break; this says what
/// takes their place, such as `owners.primary` for `owners.primaryIdentity`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelChange {
    /// `request body` or `status 200 response`.
    pub place: String,
    /// The old Rust type (`MachineIdentityResponse`).
    pub old_type: String,
    /// The new Rust type (`MachineIdentityV2`).
    pub new_type: String,
    /// Fields only the old model has (not their subfields).
    pub removed: Vec<String>,
    /// Fields only the new model has (not their subfields).
    pub added: Vec<String>,
}

/// An OLD operation and one of its successors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// The OLD operation.
    pub old: OpRef,
    /// Its successor in NEW.
    pub new: OpRef,
    /// How the pair was found.
    pub matched_by: MatchedBy,
    /// Whether the pair is a guess (found by only one of stem and route).
    pub guessed: bool,
    /// Why the two were paired, in words (for a guess: what disagrees).
    pub reason: String,
    /// Whether the path changed.
    pub path_changed: bool,
    /// Whether the experimental flag changed, and how.
    pub experimental_change: Option<ExperimentalChange>,
    /// Bodies whose model changed, field by field.
    pub models: Vec<ModelChange>,
    /// Counts of `changes` by class.
    pub summary: Counts,
    /// Every change a caller meets when switching, most severe first.
    pub changes: Vec<Change>,
}

/// Counts for the whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MigrationSummary {
    /// Operations in OLD.
    pub old_operations: usize,
    /// Operations in NEW.
    pub new_operations: usize,
    /// Pairs.
    pub pairs: usize,
    /// Pairs that are guesses.
    pub guessed: usize,
    /// OLD operations without a successor.
    pub gone: usize,
    /// NEW operations that succeed nothing.
    pub added: usize,
}

/// The whole migration report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Migration {
    /// The OLD side.
    pub old: Side,
    /// The NEW side.
    pub new: Side,
    /// Counts.
    pub summary: MigrationSummary,
    /// API-level changes (servers, security schemes, API description).
    pub general: Vec<Change>,
    /// Every pair, in OLD operation order, then NEW operation order.
    pub pairs: Vec<Pair>,
    /// OLD operations without a successor.
    pub gone: Vec<OpRef>,
    /// NEW operations that succeed no OLD operation.
    pub added: Vec<OpRef>,
}

/// Builds the migration report from two lowerings.
pub fn migrate_lowerings(old: &Lowering, new: &Lowering) -> Migration {
    migrate(&old.api, &new.api)
}

/// Builds the migration report from OLD to NEW.
pub fn migrate(old: &Api, new: &Api) -> Migration {
    let old_ops: Vec<(&Tag, &Operation)> = old.operations().collect();
    let new_ops: Vec<(&Tag, &Operation)> = new.operations().collect();
    let (old_prefix, new_prefix) = (server_path(old), server_path(new));
    let mut pairs = Vec::new();
    let mut old_paired = vec![false; old_ops.len()];
    let mut new_paired = vec![false; new_ops.len()];
    for (i, (ot, o)) in old_ops.iter().enumerate() {
        let o_stem = stem(&o.id.wire);
        let o_route = route(o.method, &old_prefix, &o.path);
        for (j, (nt, n)) in new_ops.iter().enumerate() {
            let same_id = o.id.wire == n.id.wire;
            let same_stem = o_stem == stem(&n.id.wire);
            let same_route = o_route == route(n.method, &new_prefix, &n.path);
            let matched_by = if same_id {
                MatchedBy::OperationId
            } else if same_stem && same_route {
                MatchedBy::StemAndRoute
            } else if same_stem {
                MatchedBy::Stem
            } else if same_route {
                MatchedBy::Route
            } else {
                continue;
            };
            old_paired[i] = true;
            new_paired[j] = true;
            pairs.push(pair(
                old,
                new,
                (ot, o, &old_prefix),
                (nt, n, &new_prefix),
                matched_by,
                &o_route,
            ));
        }
    }
    let gone: Vec<OpRef> = old_ops
        .iter()
        .zip(&old_paired)
        .filter(|(_, p)| !**p)
        .map(|((t, o), _)| op_ref(t, o, &old_prefix))
        .collect();
    let added: Vec<OpRef> = new_ops
        .iter()
        .zip(&new_paired)
        .filter(|(_, p)| !**p)
        .map(|((t, o), _)| op_ref(t, o, &new_prefix))
        .collect();
    // API-level changes once: two APIs without operations or types.
    let bare = |a: &Api| Api {
        tags: Vec::new(),
        types: BTreeMap::new(),
        waiters: Vec::new(),
        webhooks: Vec::new(),
        ..a.clone()
    };
    let general = diff::diff(&bare(old), &bare(new)).changes;
    let side = |a: &Api, label: &str| Side {
        label: label.into(),
        title: a.title.clone(),
        version: a.version.clone(),
    };
    Migration {
        old: side(old, "old"),
        new: side(new, "new"),
        summary: MigrationSummary {
            old_operations: old_ops.len(),
            new_operations: new_ops.len(),
            pairs: pairs.len(),
            guessed: pairs.iter().filter(|p| p.guessed).count(),
            gone: gone.len(),
            added: added.len(),
        },
        general,
        pairs,
        gone,
        added,
    }
}

/// The operationId without a trailing `V<digits>`.
pub fn stem(id: &str) -> &str {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return id;
    }
    match id[..id.len() - digits].strip_suffix('V') {
        Some(s) if !s.is_empty() => s,
        _ => id,
    }
}

/// The path of the first server URL (`/v2025` of
/// `https://{tenant}.api.identitynow.com/v2025`), without a trailing `/`.
fn server_path(api: &Api) -> String {
    let Some(url) = api.servers.first().map(|s| s.url.as_str()) else {
        return String::new();
    };
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or(String::new(), |i| {
        rest[i..].trim_end_matches('/').to_string()
    })
}

/// Whether a path segment is a version (`v1`, `v2`, `v2025`, `V3`).
fn is_version(seg: &str) -> bool {
    let mut c = seg.chars();
    matches!(c.next(), Some('v' | 'V'))
        && !c.as_str().is_empty()
        && c.as_str().chars().all(|d| d.is_ascii_digit())
}

/// Method and full path without version segments, template variables
/// anonymized: `GET /machine-identities/{}`.
pub fn route(method: Method, prefix: &str, path: &str) -> String {
    let full = format!("{prefix}{path}");
    let segs: Vec<&str> = full
        .split('/')
        .filter(|s| !s.is_empty() && !is_version(s))
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("{} /{}", method.as_str(), segs.join("/"))
}

fn op_ref(tag: &Tag, op: &Operation, prefix: &str) -> OpRef {
    let mut args: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name.rust.clone())
        .collect();
    if op.body.as_ref().is_some_and(|b| b.required) {
        args.push("body".into());
    }
    OpRef {
        operation_id: op.id.wire.clone(),
        method: op.method.as_str().into(),
        path: format!("{prefix}{}", op.path),
        experimental: op.experimental,
        rust_call: format!(
            "client.{}().{}({})",
            tag.name.rust,
            op.id.rust,
            args.join(", ")
        ),
        rust_builder: format!("{}::{}", tag.name.rust, op.type_name),
        pointer: op.pointer.clone(),
    }
}

fn pair(
    old: &Api,
    new: &Api,
    (ot, o, old_prefix): (&Tag, &Operation, &str),
    (nt, n, new_prefix): (&Tag, &Operation, &str),
    matched_by: MatchedBy,
    o_route: &str,
) -> Pair {
    let n_route = route(n.method, new_prefix, &n.path);
    let reason = match matched_by {
        MatchedBy::OperationId => format!("the same operationId `{}`", n.id.wire),
        MatchedBy::StemAndRoute => format!(
            "the same operationId stem `{}` and the same route `{n_route}`",
            stem(&n.id.wire)
        ),
        MatchedBy::Stem => format!(
            "the same operationId stem `{}` only: the route differs (`{o_route}` vs `{n_route}`)",
            stem(&n.id.wire)
        ),
        MatchedBy::Route => format!(
            "the same route `{n_route}` only: the operationId stem differs (`{}` vs `{}`)",
            stem(&o.id.wire),
            stem(&n.id.wire)
        ),
    };
    // Two one-operation APIs that differ only in what the caller meets: the
    // OLD operation takes the NEW operationId and Rust names (those are
    // reported by the pair itself) and its full path, under the NEW
    // API-level facts.
    let mut renamed = o.clone();
    renamed.id = n.id.clone();
    renamed.type_name = n.type_name.clone();
    renamed.path = format!("{old_prefix}{}", o.path);
    let mut moved = n.clone();
    moved.path = format!("{new_prefix}{}", n.path);
    let old_sub = single(new, old, nt, renamed);
    let new_sub = single(new, new, nt, moved);
    let report = diff::diff(&old_sub, &new_sub);
    let experimental_change = match (o.experimental, n.experimental) {
        (true, false) => Some(ExperimentalChange::ExperimentalToGa),
        (false, true) => Some(ExperimentalChange::GaToExperimental),
        _ => None,
    };
    Pair {
        old: op_ref(ot, o, old_prefix),
        new: op_ref(nt, n, new_prefix),
        matched_by,
        guessed: matches!(matched_by, MatchedBy::Stem | MatchedBy::Route),
        reason,
        path_changed: format!("{old_prefix}{}", o.path) != format!("{new_prefix}{}", n.path),
        experimental_change,
        models: models(old, new, o, n),
        summary: report.summary,
        changes: report.changes,
    }
}

/// An API with the API-level facts of `facts` (servers replaced by their
/// origins), the single operation `op` under `tag`, and the types of
/// `types_from` that the operation reaches.
fn single(facts: &Api, types_from: &Api, tag: &Tag, op: Operation) -> Api {
    let types = reachable(types_from, &op);
    Api {
        title: facts.title.clone(),
        version: facts.version.clone(),
        description: facts.description.clone(),
        servers: facts
            .servers
            .iter()
            .map(|s| Server {
                url: origin(&s.url).to_string(),
                variables: s.variables.clone(),
            })
            .collect(),
        security_schemes: facts.security_schemes.clone(),
        tags: vec![Tag {
            operations: vec![op],
            ..tag.clone()
        }],
        types,
        waiters: Vec::new(),
        experimental_header: facts.experimental_header.clone(),
        sailpoint: facts.sailpoint,
        webhooks: Vec::new(),
    }
}

/// `https://{tenant}.api.identitynow.com/v2025` -> `https://{tenant}.api.identitynow.com`.
fn origin(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].find('/') {
        Some(i) => &url[..start + i],
        None => url,
    }
}

/// The types `op` reaches in `api`, by Rust name (through `graph`'s one walk).
fn reachable(api: &Api, op: &Operation) -> BTreeMap<String, TypeDef> {
    let form = op.body.iter().flat_map(|b| b.form.iter().map(|f| &f.ty));
    let item = op.pagination.iter().map(|p| &p.item);
    let roots = graph::request_roots(op)
        .chain(form)
        .chain(graph::response_roots(op))
        .chain(item);
    graph::reachable(api, roots)
        .into_iter()
        .filter_map(|name| {
            let def = api.types.get(&name)?.clone();
            Some((name, def))
        })
        .collect()
}

/// The bodies of a pair whose Rust type changed, with the fields each side
/// alone has.
fn models(old: &Api, new: &Api, o: &Operation, n: &Operation) -> Vec<ModelChange> {
    let mut out = Vec::new();
    let mut compare = |place: String, a: &TypeRef, b: &TypeRef, request: bool| {
        if a == b {
            return;
        }
        let (fa, fb) = (fields(old, a, request), fields(new, b, request));
        out.push(ModelChange {
            place,
            old_type: a.to_string(),
            new_type: b.to_string(),
            removed: topmost(fa.difference(&fb).cloned().collect()),
            added: topmost(fb.difference(&fa).cloned().collect()),
        });
    };
    if let (Some(a), Some(b)) = (&o.body, &n.body) {
        compare("request body".into(), &a.ty, &b.ty, true);
    }
    let json = |r: &Response| match &r.body {
        ResponseBody::Json { ty, .. } => Some(ty.clone()),
        _ => None,
    };
    // The first success of each side: what `send()` returns.
    let first = |op: &Operation| op.successes().first().map(|r| (r.status, json(r)));
    if let (Some((_, Some(a))), Some((sb, Some(b)))) = (first(o), first(n)) {
        let place = match sb {
            Status::Code(c) => format!("status {c} response"),
            Status::Range(r) => format!("status {r}XX response"),
            Status::Default => "default response".into(),
        };
        compare(place, &a, &b, false);
    }
    out
}

/// Every JSON field below `t`, as dotted wire paths (`owners.primary.id`,
/// `userEntitlements[].sourceId`); a type met again on the way is not
/// entered twice. For a request, read-only fields are left out (they are
/// never sent).
fn fields(api: &Api, t: &TypeRef, request: bool) -> BTreeSet<String> {
    fn walk<'a>(
        api: &'a Api,
        t: &'a TypeRef,
        prefix: &str,
        request: bool,
        seen: &mut Vec<&'a str>,
        out: &mut BTreeSet<String>,
    ) {
        match t {
            TypeRef::Vec(i) => walk(api, i, &format!("{prefix}[]"), request, seen, out),
            TypeRef::Map(i) => walk(api, i, &format!("{prefix}{{}}"), request, seen, out),
            TypeRef::Named(n) if !seen.contains(&n.as_str()) => {
                let Some(def) = api.types.get(n) else { return };
                seen.push(n);
                match &def.kind {
                    TypeKind::Struct(s) => {
                        for f in s.fields.iter().filter(|f| !(request && f.read_only)) {
                            let path = if prefix.is_empty() {
                                f.name.wire.clone()
                            } else {
                                format!("{prefix}.{}", f.name.wire)
                            };
                            out.insert(path.clone());
                            walk(api, &f.ty, &path, request, seen, out);
                        }
                    }
                    TypeKind::Alias(a) => walk(api, a, prefix, request, seen, out),
                    TypeKind::Union(u) => {
                        for v in &u.variants {
                            walk(api, &v.ty, prefix, request, seen, out);
                        }
                    }
                    TypeKind::Enum(_) => {}
                }
                seen.pop();
            }
            _ => {}
        }
    }
    // A page (`Vec<T>`) lists the fields of `T`.
    let mut root = t;
    while let TypeRef::Vec(i) = root {
        root = i;
    }
    let mut out = BTreeSet::new();
    walk(api, root, "", request, &mut Vec::new(), &mut out);
    out
}

/// The paths of `set` whose parent is not in `set` too: a new `owners.primary`
/// stands for its `owners.primary.id` and so on.
fn topmost(set: BTreeSet<String>) -> Vec<String> {
    let parent = |p: &str| -> Option<String> {
        let cut = p.rfind('.')?;
        Some(
            p[..cut]
                .trim_end_matches("[]")
                .trim_end_matches("{}")
                .to_string(),
        )
    };
    set.iter()
        .filter(|p| {
            let mut cur = parent(p);
            while let Some(c) = cur {
                if set.contains(&c) {
                    return false;
                }
                cur = parent(&c);
            }
            true
        })
        .cloned()
        .collect()
}

fn counts_text(c: &Counts) -> String {
    if c.total == 0 {
        return "no changes".into();
    }
    format!(
        "{} breaking-sdk, {} breaking-wire, {} compatible, {} docs-only",
        c.breaking_sdk, c.breaking_wire, c.compatible, c.docs_only
    )
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no (GA)"
    }
}

fn write_change(out: &mut String, c: &Change) {
    let sev: Vec<&str> = c.severity.iter().map(|s| s.as_str()).collect();
    let _ = writeln!(
        out,
        "- **{}** {} `{}`",
        sev.join(", "),
        c.message,
        c.pointer
    );
    for d in &c.details {
        let _ = writeln!(out, "  - {d}");
    }
}

fn write_ops(out: &mut String, ops: &[OpRef]) {
    if ops.is_empty() {
        out.push_str("None.\n");
        return;
    }
    out.push_str("| operationId | route | experimental | Rust |\n| --- | --- | --- | --- |\n");
    for o in ops {
        let _ = writeln!(
            out,
            "| `{}` | `{} {}` | {} | `{}` |",
            o.operation_id,
            o.method,
            o.path,
            yes_no(o.experimental),
            o.rust_call
        );
    }
}

impl Migration {
    /// Sets the labels shown for the two sides.
    pub fn with_labels(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.old.label = old.into();
        self.new.label = new.into();
        self
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## Migrating: `{}` → `{}`\n",
            self.old.label, self.new.label
        );
        let _ = writeln!(
            out,
            "From {} (`{}`) to {} (`{}`).\n",
            self.old.title, self.old.version, self.new.title, self.new.version
        );
        let s = &self.summary;
        let _ = writeln!(
            out,
            "**Summary:** {} old operations, {} new; {} pairs ({} guessed), {} gone, {} new.",
            s.old_operations, s.new_operations, s.pairs, s.guessed, s.gone, s.added
        );
        out.push_str(
            "\nEach old operation is paired with every new one that has the same operationId stem \
             (the operationId without a trailing `V<n>`) or the same method and path once version \
             segments are removed (`/v2025/...`, `/machine-identities/v2/...`). A pair found by only \
             one of the two is marked as guessed. The changes of a pair are classified by the rules \
             of `cargo xtask diff`: `breaking-wire` is what a request built for the old operation \
             meets at the new one, `breaking-sdk` what code written for the old method has to change.\n",
        );
        let _ = writeln!(out, "\n### General\n");
        if self.general.is_empty() {
            out.push_str("No API-level changes.\n");
        }
        for c in &self.general {
            write_change(&mut out, c);
        }
        let _ = writeln!(out, "\n### Operations and their successors");
        for p in &self.pairs {
            let _ = writeln!(
                out,
                "\n#### `{}` → `{}`{}\n",
                p.old.operation_id,
                p.new.operation_id,
                if p.guessed { " (guessed)" } else { "" }
            );
            let _ = writeln!(
                out,
                "{}aired by {}.\n",
                if p.guessed { "**Guessed:** p" } else { "P" },
                p.reason
            );
            out.push_str("| | old | new |\n| --- | --- | --- |\n");
            let _ = writeln!(
                out,
                "| route | `{} {}` | `{} {}` |",
                p.old.method, p.old.path, p.new.method, p.new.path
            );
            let _ = writeln!(
                out,
                "| experimental | {} | {} |",
                yes_no(p.old.experimental),
                yes_no(p.new.experimental)
            );
            let _ = writeln!(
                out,
                "| Rust | `{}` | `{}` |",
                p.old.rust_call, p.new.rust_call
            );
            let _ = writeln!(
                out,
                "| builder | `{}` | `{}` |",
                p.old.rust_builder, p.new.rust_builder
            );
            match p.experimental_change {
                Some(ExperimentalChange::ExperimentalToGa) => out.push_str(
                    "\nExperimental → GA: the new operation needs no `.experimental(true)` and is sent without the experimental header.\n",
                ),
                Some(ExperimentalChange::GaToExperimental) => out.push_str(
                    "\nGA → experimental: the new operation needs `.experimental(true)` on the client.\n",
                ),
                None => {}
            }
            for m in &p.models {
                let list = |v: &[String]| {
                    if v.is_empty() {
                        "none".to_string()
                    } else {
                        v.iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                };
                let _ = writeln!(
                    out,
                    "\nModel of the {}: `{}` → `{}`. Fields only in the old model: {}. Fields only in the new model: {}.",
                    m.place,
                    m.old_type,
                    m.new_type,
                    list(&m.removed),
                    list(&m.added)
                );
            }
            let _ = writeln!(out, "\nChanges: {}.", counts_text(&p.summary));
            if !p.changes.is_empty() {
                out.push('\n');
            }
            for c in &p.changes {
                write_change(&mut out, c);
            }
        }
        let _ = writeln!(out, "\n### Gone (no successor)\n");
        write_ops(&mut out, &self.gone);
        let _ = writeln!(out, "\n### New (no predecessor)\n");
        write_ops(&mut out, &self.added);
        out
    }

    /// Whether any pair has a breaking change or any operation is gone.
    pub fn is_breaking(&self) -> bool {
        !self.gone.is_empty()
            || self
                .pairs
                .iter()
                .flat_map(|p| &p.changes)
                .chain(&self.general)
                .any(|c| c.severity.iter().any(|s| Severity::is_breaking(*s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_strip_one_trailing_version() {
        assert_eq!(stem("listMachineIdentitiesV2"), "listMachineIdentities");
        assert_eq!(stem("getThingV12"), "getThing");
        assert_eq!(stem("listMachineIdentities"), "listMachineIdentities");
        assert_eq!(stem("getV2"), "get");
        assert_eq!(stem("V2"), "V2");
        assert_eq!(stem("list2"), "list2");
        assert_eq!(stem("getOAuthV"), "getOAuthV");
    }

    #[test]
    fn routes_drop_version_segments_and_variable_names() {
        assert_eq!(
            route(Method::Get, "/v2025", "/machine-identities/{id}"),
            "GET /machine-identities/{}"
        );
        assert_eq!(
            route(Method::Get, "", "/machine-identities/v2/{id}"),
            "GET /machine-identities/{}"
        );
        assert_eq!(
            route(Method::Post, "", "/sources/v1/{sourceId}/classify"),
            route(Method::Post, "/v2025", "/sources/{id}/classify")
        );
        assert_ne!(
            route(Method::Get, "", "/vendors/{id}"),
            route(Method::Get, "", "/{id}")
        );
    }

    #[test]
    fn only_topmost_new_fields_are_listed() {
        let set: BTreeSet<String> = [
            "owners.primary",
            "owners.primary.id",
            "owners.secondary",
            "owners.secondary[].name",
            "tags{}.x",
            "risk.score",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(
            topmost(set),
            [
                "owners.primary",
                "owners.secondary",
                "risk.score",
                "tags{}.x"
            ]
        );
    }

    #[test]
    fn origins_and_server_paths() {
        assert_eq!(
            origin("https://{tenant}.api.identitynow.com/v2025"),
            "https://{tenant}.api.identitynow.com"
        );
        assert_eq!(origin("https://x.example"), "https://x.example");
    }
}
