//! The command-line tool beside each SDK crate (issue 24): one command group
//! per tag, one command per operation, every parameter a typed flag, all
//! derived from the IR by the rules below, and every call made through the
//! SDK crate (a dependency renamed `sdk`), so its guarantees hold on the
//! command line. The hand-written part (flag parsing helpers, the filter
//! checker, bodies, output, exit codes, configuration) is `templates/cli/`,
//! copied like the SDK's runtime; this module emits `src/commands.rs`
//! (the command tree and the dispatch), `Cargo.toml` and `README.md`.
//!
//! # Naming rule
//!
//! - A tag's group is its module name in kebab case (`machine-identities`).
//! - An operation's command starts from its method name (`list_machine_identities_v2`):
//!   a trailing `v<N>` word is its version; the tag's words, plural or singular,
//!   are removed once where they appear in a row (`list`), unless nothing would
//!   be left; the rest in kebab case is the command (`list`, `get`,
//!   `list-anomalies`).
//! - Where several operations of a group get the same command, the one with
//!   the highest version keeps it and each other one is `{command}-v{N}`
//!   (`list` is v2, `list-v1` is v1); where they tie (no version, or the same
//!   one) each is its whole method name in kebab case.
//! - A parameter's flag is its wire name in kebab case; `filters` and
//!   `sorters` of documented filters and sorters are `--filter` and `--sort`;
//!   a name taken by the tool's own flags gets the prefix `param-`.
//!
//! Operations whose body is `multipart/form-data` have no command yet; the
//! generated README lists them.

use super::docs::clean;
use super::types::ident;
use crate::diag::{Diagnostic, Errors};
use crate::ir::{
    Api, BodyKind, FilterValue, Operation, Param, ParamRole, ResponseBody, Tag, TypeKind, TypeRef,
};
use crate::{GeneratedFile, Template};
use heck::ToKebabCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};

/// What the CLI crate is called and where its SDK is.
#[derive(Debug, Clone)]
pub struct CliSettings {
    /// The spec's path as shown in the "do not edit" header.
    pub spec_path: String,
    /// The CLI's package name (`sailpoint-isc-cli`).
    pub crate_name: String,
    /// The binary's name (`isc`).
    pub bin: String,
    /// The SDK's package name (`sailpoint-isc`).
    pub sdk_crate: String,
    /// The SDK crate's folder, relative to the CLI crate's (`../sailpoint-isc`).
    pub sdk_path: String,
    /// Make the crate its own workspace (for output outside this one).
    pub standalone: bool,
    /// Which operations to lower, and how strictly.
    pub lower: crate::LowerSettings,
}

/// Flags the tool defines itself; a parameter named like one is
/// `--param-{name}`.
const RESERVED_FLAGS: &[&str] = &[
    "format",
    "columns",
    "jsonpath",
    "base-url",
    "experimental",
    "body",
    "max",
    "concurrency",
    "wait",
    "timeout",
    "help",
    "version",
    "no-progress",
];

/// Top-level commands of the tool itself.
const RESERVED_GROUPS: &[&str] = &["completions", "man", "help"];

/// One operation as a command.
#[derive(Debug, Clone)]
pub struct CliCommand<'a> {
    pub tag: &'a Tag,
    pub op: &'a Operation,
    /// The group (`machine-identities`).
    pub group: String,
    /// The command (`list`).
    pub name: String,
    /// The version the method name carries, if any.
    pub version: Option<u32>,
    /// The other versions' commands, for the help text.
    pub siblings: Vec<String>,
}

fn split_version(method: &str) -> (Vec<String>, Option<u32>) {
    let mut words: Vec<String> = method
        .trim_start_matches("r#")
        .split('_')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let version = words.last().and_then(|w| {
        w.strip_prefix('v')
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u32>().ok())
    });
    if version.is_some() && words.len() > 1 {
        words.pop();
        (words, version)
    } else {
        (words, None)
    }
}

fn singular(word: &str) -> String {
    if let Some(s) = word.strip_suffix("ies") {
        format!("{s}y")
    } else if word.ends_with("ss") {
        word.to_owned()
    } else if let Some(s) = word.strip_suffix('s') {
        s.to_owned()
    } else {
        word.to_owned()
    }
}

/// `words` without the first run equal to `tag` (or its singular), unless
/// nothing would be left.
fn strip_tag(words: &[String], tag: &[String]) -> Vec<String> {
    let single: Vec<String> = match tag.split_last() {
        Some((last, rest)) => rest.iter().cloned().chain([singular(last)]).collect(),
        None => Vec::new(),
    };
    for run in [tag.to_vec(), single] {
        if run.is_empty() || run.len() >= words.len() {
            continue;
        }
        if let Some(at) = words.windows(run.len()).position(|w| w == run.as_slice()) {
            let mut out = words.to_vec();
            out.drain(at..at + run.len());
            return out;
        }
    }
    words.to_vec()
}

/// Whether the CLI can build this operation's call.
fn supported(op: &Operation) -> bool {
    op.body
        .as_ref()
        .is_none_or(|b| b.kind != BodyKind::Multipart)
}

/// Every supported operation as a command, group by group in tag order,
/// by the naming rule of the module docs.
pub fn commands(api: &Api) -> Vec<CliCommand<'_>> {
    let mut out = Vec::new();
    for tag in &api.tags {
        let mut group = tag.name.rust.trim_start_matches("r#").to_kebab_case();
        if RESERVED_GROUPS.contains(&group.as_str()) {
            group.push_str("-api");
        }
        let tag_words: Vec<String> = tag
            .name
            .rust
            .trim_start_matches("r#")
            .split('_')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        let mut cmds: Vec<CliCommand<'_>> = tag
            .operations
            .iter()
            .filter(|op| supported(op))
            .map(|op| {
                let (words, version) = split_version(&op.id.rust);
                let name = strip_tag(&words, &tag_words).join("-");
                CliCommand {
                    tag,
                    op,
                    group: group.clone(),
                    name,
                    version,
                    siblings: Vec::new(),
                }
            })
            .collect();
        let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, c) in cmds.iter().enumerate() {
            by_name.entry(c.name.clone()).or_default().push(i);
        }
        for (name, idx) in by_name {
            let versions: BTreeSet<Option<u32>> = idx.iter().map(|&i| cmds[i].version).collect();
            let tie = versions.len() != idx.len() || versions.contains(&None);
            if name == "help" || (idx.len() > 1 && tie) {
                for &i in &idx {
                    cmds[i].name = cmds[i].op.id.rust.trim_start_matches("r#").to_kebab_case();
                }
                continue;
            }
            if idx.len() == 1 {
                continue;
            }
            let top = idx.iter().map(|&i| cmds[i].version).max().flatten();
            for &i in &idx {
                if cmds[i].version != top {
                    cmds[i].name = format!("{name}-v{}", cmds[i].version.unwrap_or(0));
                }
            }
            let names: Vec<String> = idx.iter().map(|&i| cmds[i].name.clone()).collect();
            for &i in &idx {
                cmds[i].siblings = names
                    .iter()
                    .filter(|n| **n != cmds[i].name)
                    .cloned()
                    .collect();
            }
        }
        cmds.sort_by(|a, b| a.name.cmp(&b.name));
        out.extend(cmds);
    }
    out
}

/// The flag of each parameter of `op`, by the naming rule.
fn flag_names(op: &Operation) -> Vec<String> {
    let mut taken: BTreeSet<String> = RESERVED_FLAGS.iter().map(|s| s.to_string()).collect();
    op.params
        .iter()
        .map(|p| {
            let base = match p.role {
                ParamRole::Filters => "filter".to_owned(),
                ParamRole::Sorters => "sort".to_owned(),
                _ => p.name.wire.to_kebab_case(),
            };
            let base = if base.is_empty() {
                p.name.rust.trim_start_matches("r#").to_kebab_case()
            } else {
                base
            };
            let mut name = if RESERVED_FLAGS.contains(&base.as_str()) {
                format!("param-{base}")
            } else {
                base
            };
            let mut n = 2;
            while taken.contains(&name) {
                name = format!(
                    "{}-{n}",
                    name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
                );
                n += 1;
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// The Rust type of a value the CLI hands the SDK (`::sdk::models::X`).
fn sdk_type(t: &TypeRef) -> TokenStream {
    match t {
        TypeRef::String | TypeRef::Bytes => quote!(::std::string::String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F64 => quote!(f64),
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        TypeRef::Date => quote!(::chrono::NaiveDate),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::JsonObject => {
            quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>)
        }
        TypeRef::JsonPatch => quote!(::sdk::patch::JsonPatch),
        TypeRef::Named(n) => {
            let n = ident(n);
            quote!(::sdk::models::#n)
        }
        TypeRef::Vec(inner) => {
            let inner = sdk_type(inner);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = sdk_type(inner);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
    }
}

/// How a flag's text becomes JSON before it is decoded into the SDK's type,
/// and how clap checks it first.
fn value_kind(api: &Api, p: &Param, t: &TypeRef) -> (TokenStream, TokenStream) {
    // A spec bound that is a whole number within the type's range.
    let bound = |v: Option<f64>, lo: i64, hi: i64, dflt: i64| match v {
        Some(x) if x.is_finite() && x.fract() == 0.0 && x >= lo as f64 && x <= hi as f64 => {
            x as i64
        }
        _ => dflt,
    };
    match api.resolve_alias(t) {
        TypeRef::String | TypeRef::Bytes => (
            quote!(crate::runtime::args::Kind::Str),
            quote!(crate::runtime::args::text()),
        ),
        TypeRef::Bool => (
            quote!(crate::runtime::args::Kind::Bool),
            quote!(crate::runtime::args::boolean()),
        ),
        TypeRef::I32 | TypeRef::I64 => {
            let (tlo, thi) = if matches!(api.resolve_alias(t), TypeRef::I32) {
                (i64::from(i32::MIN), i64::from(i32::MAX))
            } else {
                (i64::MIN, i64::MAX)
            };
            let lo = bound(p.minimum, tlo, thi, tlo);
            let hi = bound(p.maximum, tlo, thi, thi);
            (
                quote!(crate::runtime::args::Kind::Int),
                quote!(crate::runtime::args::integer(#lo, #hi)),
            )
        }
        TypeRef::F64 => (
            quote!(crate::runtime::args::Kind::Num),
            quote!(crate::runtime::args::number()),
        ),
        TypeRef::DateTime => (
            quote!(crate::runtime::args::Kind::Str),
            quote!(crate::runtime::args::date_time()),
        ),
        TypeRef::Date => (
            quote!(crate::runtime::args::Kind::Str),
            quote!(crate::runtime::args::date()),
        ),
        TypeRef::Named(n) => match api.types.get(n).map(|d| &d.kind) {
            Some(TypeKind::Enum(e)) => {
                let values = e.variants.iter().map(|v| v.wire.as_str());
                (
                    quote!(crate::runtime::args::Kind::Str),
                    quote!(crate::runtime::args::one_of(&[#(#values),*])),
                )
            }
            _ => (
                quote!(crate::runtime::args::Kind::Json),
                quote!(crate::runtime::args::json()),
            ),
        },
        TypeRef::Vec(inner) => value_kind(api, p, inner),
        _ => (
            quote!(crate::runtime::args::Kind::Json),
            quote!(crate::runtime::args::json()),
        ),
    }
}

/// The first sentence of the first paragraph of spec prose, for a short
/// help line.
fn first_line(text: &str) -> String {
    let t = plain(text);
    let para: Vec<&str> = t
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let para = para.join(" ");
    match para.find(". ") {
        Some(end) => para[..=end].to_owned(),
        None => para,
    }
}

/// Spec prose as terminal text: Markdown emphasis dropped.
fn plain(text: &str) -> String {
    clean(text).replace("**", "").trim().to_owned()
}

fn filter_fields(op: &Operation) -> TokenStream {
    let fields = op.filters.iter().flatten().map(|f| {
        let name = &f.name.wire;
        let ty = match f.ty {
            FilterValue::String => quote!(String),
            FilterValue::Boolean => quote!(Boolean),
            FilterValue::Integer => quote!(Integer),
            FilterValue::Number => quote!(Number),
            FilterValue::DateTime => quote!(DateTime),
        };
        let ops = f.operators.iter().map(|o| o.wire());
        quote!(crate::runtime::filter::Field {
            name: #name,
            ty: crate::runtime::filter::Value::#ty,
            ops: &[#(#ops),*],
        })
    });
    quote!(&[#(#fields),*])
}

/// The `clap::Command` of one operation.
fn command_def(api: &Api, c: &CliCommand<'_>, waiter: bool) -> TokenStream {
    let op = c.op;
    let name = &c.name;
    let about = op
        .summary
        .as_deref()
        .map(first_line)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("{} {}", op.method.as_str(), op.path));
    let mut long = String::new();
    if let Some(s) = &op.summary {
        long.push_str(&plain(s));
        long.push_str("\n\n");
    }
    if let Some(d) = &op.description {
        long.push_str(&plain(d));
        long.push_str("\n\n");
    }
    long.push_str(&format!(
        "{} {} (operation {}",
        op.method.as_str(),
        op.path,
        op.id.wire
    ));
    if let Some(v) = c.version {
        long.push_str(&format!(", API v{v}"));
    }
    long.push(')');
    if !c.siblings.is_empty() {
        long.push_str(&format!(
            "\nOther versions of this operation: {}",
            c.siblings.join(", ")
        ));
    }
    if op.experimental {
        long.push_str("\nExperimental: pass --experimental");
        if api.sailpoint {
            long.push_str(" (or set SAIL_EXPERIMENTAL=true)");
        }
        long.push_str(" to call it.");
    }
    if op.deprecated {
        long.push_str("\nDeprecated in the spec.");
    }
    if op.pagination.is_some() {
        long.push_str(
            "\nLists every page, streaming items as they arrive; --max N stops after N items.",
        );
    }
    let flags = flag_names(op);
    let mut args = Vec::new();
    for (p, flag) in op.params.iter().zip(&flags) {
        let id = p.name.rust.trim_start_matches("r#");
        let (_, parser) = match p.role {
            ParamRole::Filters if op.filters.is_some() => {
                let fields = filter_fields(op);
                (quote!(), quote!(crate::runtime::filter::parser(#fields)))
            }
            ParamRole::Sorters if op.sorters.is_some() => {
                let names = op.sorters.iter().flatten().map(|n| n.wire.as_str());
                (
                    quote!(),
                    quote!(crate::runtime::filter::sort_parser(&[#(#names),*])),
                )
            }
            _ => value_kind(api, p, &p.ty),
        };
        let mut help = p
            .description
            .as_deref()
            .map(first_line)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("The {} parameter", p.name.wire));
        if let Some(d) = &p.default {
            help.push_str(&format!(" [spec default: {d}]"));
        }
        let mut long_help = match p.role {
            // The spec's own list of fields is replaced by the checked one.
            ParamRole::Filters | ParamRole::Sorters => {
                p.description.as_deref().map(first_line).unwrap_or_default()
            }
            _ => p.description.as_deref().map(plain).unwrap_or_default(),
        };
        match p.role {
            ParamRole::Filters if op.filters.is_some() => {
                long_help.push_str("\n\nChecked before sending; fields and operators:");
                for f in op.filters.iter().flatten() {
                    let ops: Vec<&str> = f.operators.iter().map(|o| o.wire()).collect();
                    long_help.push_str(&format!(
                        "\n  {} ({}): {}",
                        f.name.wire,
                        f.ty,
                        ops.join(", ")
                    ));
                }
            }
            ParamRole::Sorters if op.sorters.is_some() => {
                let names: Vec<&str> = op
                    .sorters
                    .iter()
                    .flatten()
                    .map(|n| n.wire.as_str())
                    .collect();
                long_help.push_str(&format!(
                    "\n\nComma-separated; a leading - sorts descending. Sortable: {}",
                    names.join(", ")
                ));
            }
            _ => {}
        }
        let required = p.required;
        let multiple = matches!(api.resolve_alias(&p.ty), TypeRef::Vec(_));
        let action = if multiple {
            quote!(.action(::clap::ArgAction::Append).value_delimiter(','))
        } else {
            quote!()
        };
        let value_name = p
            .name
            .wire
            .to_uppercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        args.push(quote! {
            .arg(::clap::Arg::new(#id)
                .long(#flag)
                .value_name(#value_name)
                .required(#required)
                .allow_hyphen_values(true)
                .value_parser(#parser)
                .help(#help)
                .long_help(#long_help)
                #action)
        });
    }
    if let Some(b) = &op.body {
        let required = b.required;
        let what = match (b.kind, &b.ty) {
            (BodyKind::JsonPatch, _) | (_, TypeRef::JsonPatch) => {
                "A JSON Patch document (a JSON array of operations)".to_owned()
            }
            (BodyKind::Text, _) => "The body text".to_owned(),
            (BodyKind::Bytes, _) => "The body bytes".to_owned(),
            (_, ty) => format!("The {ty} body, as JSON"),
        };
        let help = format!("{what}: @FILE, - for stdin, or inline");
        let mut long_help = format!(
            "{what}: @FILE reads a file, - reads stdin, anything else is the body itself. A JSON body is checked against the model before anything is sent; an error names the JSON pointer."
        );
        if let Some(d) = &b.description {
            long_help = format!("{}\n\n{long_help}", plain(d));
        }
        args.push(quote! {
            .arg(::clap::Arg::new("body")
                .long("body")
                .value_name("BODY")
                .required(#required)
                .allow_hyphen_values(true)
                .help(#help)
                .long_help(#long_help))
        });
    }
    if let Some(p) = &op.pagination {
        // Cursor paging is sequential: the next cursor is in the page before.
        let concurrent = p.offset().is_some();
        args.push(quote!(.args(crate::runtime::args::paging(#concurrent))));
    }
    if waiter {
        args.push(quote!(.args(crate::runtime::args::waiting())));
    }
    quote! {
        ::clap::Command::new(#name)
            .about(#about)
            .long_about(#long)
            #(#args)*
    }
}

/// The statements that call `op` through the SDK and print the result.
fn dispatch_arm(api: &Api, c: &CliCommand<'_>) -> TokenStream {
    let op = c.op;
    let tag = ident(&c.tag.name.rust);
    let method = ident(&op.id.rust);
    let mut stmts = Vec::new();
    let mut entry = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let local = format_ident!("p_{}", p.name.rust.trim_start_matches("r#"));
        let id = p.name.rust.trim_start_matches("r#");
        let ty = sdk_type(&p.ty);
        let (kind, _) = value_kind(api, p, &p.ty);
        let get = if matches!(api.resolve_alias(&p.ty), TypeRef::Vec(_)) {
            quote!(many)
        } else {
            quote!(one)
        };
        stmts.push(quote! {
            let #local: #ty = crate::runtime::args::#get(m, #id, #kind)?.ok_or_else(|| crate::runtime::Failure::usage(format!("--{} is required", #id)))?;
        });
        entry.push(local);
    }
    let body = op.body.as_ref();
    let body_value = |b: &crate::ir::RequestBody| -> TokenStream {
        match b.kind {
            BodyKind::Bytes => quote!(crate::runtime::body::bytes(m)?),
            BodyKind::Text => quote!(crate::runtime::body::text(m)?),
            _ => {
                let ty = sdk_type(&b.ty);
                quote!(crate::runtime::body::json::<#ty>(m)?)
            }
        }
    };
    if let Some(b) = body.filter(|b| b.required) {
        let v = body_value(b);
        stmts.push(quote!(let p_body = #v;));
        entry.push(format_ident!("p_body"));
    }
    // The waiter of which this operation is the start, when its arguments
    // are exactly the operation's required parameters.
    let waiter = api.waiters.iter().find(|w| {
        w.start.id.wire == op.id.wire
            && w.start.tag.wire == c.tag.name.wire
            && body.is_none_or(|b| !b.required)
            && w.args.len() == op.params.iter().filter(|p| p.required).count()
    });
    if let Some(w) = waiter {
        let status_tag = ident(&w.status.tag.rust);
        let entry_name = ident(&w.name.rust);
        let args = w.args.iter().map(|a| {
            let local = format_ident!("p_{}", a.name.rust.trim_start_matches("r#"));
            quote!(#local.clone())
        });
        stmts.push(quote! {
            if crate::runtime::args::flag(m, "wait") {
                let mut waiting = client.#status_tag().#entry_name(#(#args),*);
                if let ::std::option::Option::Some(t) = crate::runtime::args::timeout(m)? {
                    waiting = waiting.timeout(t);
                }
                return out.wait(waiting).await;
            }
        });
    }
    // A deprecated operation keeps its command (its help says so).
    let deprecated = op.deprecated.then(|| quote!(#[allow(deprecated)]));
    stmts.push(quote! {
        #[allow(unused_mut)]
        #deprecated
        let mut b = client.#tag().#method(#(#entry),*);
    });
    for p in op.params.iter().filter(|p| !p.required) {
        let id = p.name.rust.trim_start_matches("r#");
        let setter = ident(&p.name.rust);
        let (kind, _) = value_kind(api, p, &p.ty);
        let raw = format_ident!("{}_raw", id);
        let stmt = match p.role {
            ParamRole::Filters | ParamRole::Sorters
                if (p.role == ParamRole::Filters && op.filters.is_some())
                    || (p.role == ParamRole::Sorters && op.sorters.is_some()) =>
            {
                quote! {
                    if let ::std::option::Option::Some(v) = crate::runtime::args::one::<::std::string::String>(m, #id, crate::runtime::args::Kind::Str)? {
                        b = b.#raw(v);
                    }
                }
            }
            _ => {
                let ty = sdk_type(&p.ty);
                let get = if matches!(api.resolve_alias(&p.ty), TypeRef::Vec(_)) {
                    quote!(many)
                } else {
                    quote!(one)
                };
                quote! {
                    if let ::std::option::Option::Some(v) = crate::runtime::args::#get::<#ty>(m, #id, #kind)? {
                        b = b.#setter(v);
                    }
                }
            }
        };
        stmts.push(stmt);
    }
    if let Some(b) = body.filter(|b| !b.required) {
        let v = body_value(b);
        let conv = if b.kind == BodyKind::Bytes {
            quote!(v.into())
        } else {
            quote!(v)
        };
        stmts.push(quote! {
            if crate::runtime::body::given(m) {
                let v = #v;
                b = b.body(#conv);
            }
        });
    }
    if let Some(p) = &op.pagination {
        stmts.push(quote! {
            if let ::std::option::Option::Some(n) = out.max() {
                b = b.max_items(n);
            }
        });
        if p.offset().is_some() {
            stmts.push(quote!(b = b.concurrency(out.concurrency());));
        }
        stmts.push(quote!(return out.stream(b.stream()).await;));
        return quote!({ #(#stmts)* });
    }
    let empty = !op.has_success_enum()
        && matches!(
            op.successes().first().map(|r| &r.body),
            Some(ResponseBody::Empty)
        );
    if empty {
        stmts.push(quote! {
            out.call(b.send()).await?;
            out.empty()
        });
        return quote!({ #(#stmts)* });
    }
    stmts.push(quote!(let body = out.call(b.send()).await?;));
    if op.has_success_enum() {
        let success = ident(&op.success_type());
        let arms = op.successes().into_iter().map(|r| {
            let v = ident(&r.variant);
            match &r.body {
                ResponseBody::Empty => quote!(::sdk::#tag::#success::#v => out.empty(),),
                ResponseBody::Json { .. } if r.multi_status.is_some() => {
                    quote!(::sdk::#tag::#success::#v(x) => out.multi(x).await,)
                }
                ResponseBody::Json { .. } => quote!(::sdk::#tag::#success::#v(x) => out.json(&x),),
                ResponseBody::Text { .. } => quote!(::sdk::#tag::#success::#v(x) => out.text(&x),),
                ResponseBody::Bytes { .. } => {
                    quote!(::sdk::#tag::#success::#v(x) => out.bytes(&x),)
                }
            }
        });
        stmts.push(quote! {
            match body {
                #(#arms)*
                _ => out.empty(),
            }
        });
    } else {
        let first = op.successes().first().copied();
        let shown = match first.map(|r| &r.body) {
            Some(ResponseBody::Json { .. }) if first.is_some_and(|r| r.multi_status.is_some()) => {
                quote!(out.multi(body).await)
            }
            None | Some(ResponseBody::Bytes { .. }) => quote!(out.bytes(&body)),
            Some(ResponseBody::Empty) => quote!(out.empty()),
            Some(ResponseBody::Text { .. }) => quote!(out.text(&body)),
            Some(ResponseBody::Json { .. }) => quote!(out.json(&body)),
        };
        stmts.push(shown);
    }
    quote!({ #(#stmts)* })
}

/// `src/commands.rs`: the command tree and the dispatch.
fn commands_file(api: &Api, settings: &CliSettings) -> TokenStream {
    let cmds = commands(api);
    let mut groups: Vec<(String, &Tag, Vec<&CliCommand<'_>>)> = Vec::new();
    for c in &cmds {
        match groups.last_mut() {
            Some((g, _, list)) if *g == c.group => list.push(c),
            _ => groups.push((c.group.clone(), c.tag, vec![c])),
        }
    }
    let is_waiter_start = |c: &CliCommand<'_>| {
        api.waiters.iter().any(|w| {
            w.start.id.wire == c.op.id.wire
                && w.start.tag.wire == c.tag.name.wire
                && c.op.body.as_ref().is_none_or(|b| !b.required)
                && w.args.len() == c.op.params.iter().filter(|p| p.required).count()
        })
    };
    let group_defs = groups.iter().map(|(g, tag, list)| {
        let about = tag
            .description
            .as_deref()
            .map(first_line)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("Operations of the {} tag", tag.name.wire));
        let subs = list.iter().map(|c| command_def(api, c, is_waiter_start(c)));
        quote! {
            .subcommand(::clap::Command::new(#g)
                .about(#about)
                .subcommand_required(true)
                .arg_required_else_help(true)
                #(.subcommand(#subs))*)
        }
    });
    let arms = cmds.iter().map(|c| {
        let g = &c.group;
        let n = &c.name;
        let body = dispatch_arm(api, c);
        quote!((#g, #n) => #body)
    });
    let bin = &settings.bin;
    let skipped: Vec<String> = api
        .operations()
        .filter(|(_, op)| !supported(op))
        .map(|(_, op)| op.id.wire.clone())
        .collect();
    let skipped_doc = if skipped.is_empty() {
        String::new()
    } else {
        format!(
            " Not on the command line (multipart bodies): {}.",
            skipped.join(", ")
        )
    };
    let doc = format!(" The commands of `{bin}`, one group per tag and one command per operation (see the crate's README for the naming rule).{skipped_doc}");
    quote! {
        #![doc = #doc]

        /// The tag groups and their commands.
        pub fn groups(root: ::clap::Command) -> ::clap::Command {
            root #(#group_defs)*
        }

        /// Calls the operation `group command` names with the flags in `m`.
        pub async fn dispatch(
            client: &::sdk::Client,
            group: &str,
            command: &str,
            m: &::clap::ArgMatches,
            out: &mut crate::runtime::Output,
        ) -> ::std::result::Result<(), crate::runtime::Failure> {
            match (group, command) {
                #(#arms)*
                _ => ::std::result::Result::Err(crate::runtime::Failure::usage(format!("unknown command {group} {command}"))),
            }
        }
    }
}

fn cargo_toml(settings: &CliSettings, api: &Api) -> String {
    let workspace = if settings.standalone {
        "\n[workspace]\n"
    } else {
        "\n# Inherited from the workspace; dropped when the crate is generated standalone.\n[lints]\nworkspace = true\n"
    };
    let lints = if settings.standalone { "" } else { workspace };
    let standalone = if settings.standalone { workspace } else { "" };
    let keyring = if api.sailpoint {
        "\n[features]\n# Read the `sail` CLI's credentials from the OS keyring (the SDK's feature).\nkeyring = [\"sdk/keyring\"]\n"
    } else {
        ""
    };
    format!(
        r#"# @generated by `cargo xtask codegen` from {spec}; do not edit
[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
rust-version = "1.82"
license = "MIT"
publish = false
description = "Command-line tool for {title}, over the {sdk} crate (generated)"
{lints}
[[bin]]
name = "{bin}"
path = "src/main.rs"

[dependencies]
# The SDK: every call goes through it (auth, retries, rate budget, paging, waiters).
sdk = {{ package = "{sdk}", path = "{sdk_path}" }}
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std"] }}
# The command tree, completions and the man page.
clap = {{ version = "4.5", default-features = false, features = ["std", "help", "usage", "error-context", "suggestions", "wrap_help", "env"] }}
clap_complete = "4.5"
clap_mangen = "0.2"
futures-util = {{ version = "0.3", default-features = false, features = ["std"] }}
# The progress bar on stderr (only when stderr is a terminal).
indicatif = "0.17"
serde = "1"
# Objects keep the SDK's field order (the spec's) in every format.
serde_json = {{ version = "1", features = ["preserve_order"] }}
# --jsonpath (RFC 9535).
serde_json_path = "0.7"
# JSON pointers in body errors.
serde_path_to_error = "0.1"
serde_yaml = "0.9"
tokio = {{ version = "1", features = ["rt-multi-thread", "macros", "time"] }}
{keyring}
[dev-dependencies]
sdk = {{ package = "{sdk}", path = "{sdk_path}", features = ["test-kit"] }}
snapbox = {{ version = "0.6", features = ["cmd"] }}
{standalone}"#,
        spec = settings.spec_path,
        name = settings.crate_name,
        title = api.title.replace('"', "'"),
        sdk = settings.sdk_crate,
        sdk_path = settings.sdk_path,
        bin = settings.bin,
    )
}

/// Generates the CLI crate's files: `Cargo.toml`, `src/commands.rs`, and
/// the templates under `templates/cli/` (given with paths relative to it),
/// with the regions the spec asks for.
pub fn generate_cli(
    spec: &openapiv3::OpenAPI,
    settings: &CliSettings,
    templates: &[Template],
) -> Result<Vec<GeneratedFile>, Errors> {
    let lowering = crate::lower(spec, &settings.lower)?;
    let api = &lowering.api;
    let features = crate::features::Features::of(api);
    let tokens = commands_file(api, settings);
    let file = syn::parse2::<syn::File>(tokens).map_err(|e| {
        Errors(vec![Diagnostic::error(
            "#",
            format!("internal error: src/commands.rs: {e}"),
        )])
    })?;
    let source = &settings.spec_path;
    let mut files = vec![
        GeneratedFile {
            path: "Cargo.toml".into(),
            contents: cargo_toml(settings, api),
        },
        GeneratedFile {
            path: "src/commands.rs".into(),
            contents: format!("{}{}", super::header(source), prettyplease::unparse(&file)),
        },
    ];
    let lib = settings.crate_name.replace('-', "_");
    let sdk_lib = settings.sdk_crate.replace('-', "_");
    for t in templates {
        let selected = features.select(&t.contents).map_err(|e| {
            Errors(vec![Diagnostic::error(
                "#",
                format!("internal error: {}: {e}", t.source),
            )])
        })?;
        let text = selected
            .replace("@BIN@", &settings.bin)
            .replace("@API_TITLE@", &api.title)
            .replace("sailpoint_isc_cli", &lib)
            .replace("sailpoint_isc::", &format!("{sdk_lib}::"))
            .replace("@ENV_PREFIX@", &env_prefix(settings));
        let contents = if t.path.ends_with(".rs") {
            format!("{}{text}", super::header(&t.source))
        } else if t.path.ends_with(".md") {
            format!(
                "<!-- @generated by `cargo xtask codegen` from {}; do not edit -->\n{text}",
                t.source
            )
        } else {
            text
        };
        files.push(GeneratedFile {
            path: t.path.clone(),
            contents,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The prefix of a foreign CLI's environment variables (`PETSTORE_`).
fn env_prefix(settings: &CliSettings) -> String {
    settings
        .bin
        .to_uppercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split('_').map(str::to_owned).collect()
    }

    #[test]
    fn method_names_lose_their_version_and_tag_words() {
        let tag = words("machine_identities");
        for (method, want, version) in [
            ("list_machine_identities_v2", "list", Some(2)),
            ("get_machine_identity_v1", "get", Some(1)),
            (
                "list_machine_identity_anomalies_v1",
                "list-anomalies",
                Some(1),
            ),
            (
                "get_unsanctioned_anomaly_summary_v1",
                "get-unsanctioned-anomaly-summary",
                Some(1),
            ),
            ("machine_identities", "machine-identities", None),
            ("v2", "v2", None),
        ] {
            let (w, v) = split_version(method);
            assert_eq!(strip_tag(&w, &tag).join("-"), want, "{method}");
            assert_eq!(v, version, "{method}");
        }
    }

    #[test]
    fn singular_forms() {
        assert_eq!(singular("identities"), "identity");
        assert_eq!(singular("sources"), "source");
        assert_eq!(singular("access"), "access");
    }
}
