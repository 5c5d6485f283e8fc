//! Robustness: no spec, however odd, makes the generator panic.
//!
//! Two property tests feed the whole pipeline (`parse` on the text, then
//! `generate`, which lowers, emits and formats) with
//! - small specs built at random from the constructs that break generators:
//!   odd names (spaces, keywords, unicode, leading digits, names that collide
//!   once converted to Rust), valid and dangling `$ref`s, `allOf`/`oneOf`/
//!   `anyOf`, `nullable`, `additionalProperties`, paths whose `{params}` do
//!   not match the declared parameters, odd status codes and media types;
//! - random mutations of real specs: keys deleted, values replaced by another
//!   JSON type, duplicated `operationId`s, broken `$ref`s, renamed path
//!   parameters, inserted names.
//!
//! The properties: nothing panics (errors are fine); no case allocates more
//! than [`CASE_MEMORY`] or runs longer than [`CASE_TIMEOUT_MS`]; when
//! generation succeeds, every emitted `.rs` file parses with `syn` and
//! defines no name twice in one scope (operation ids such as `getThing` and
//! `getThingError` are in the mix); and the same input gives the same result
//! twice.
//!
//! The cases run in a forked child process, so that a case over the memory
//! budget (the allocator refuses it, which aborts the child) or over time
//! fails its property and is shrunk like a panic, instead of taking the
//! machine's memory.
//!
//! `PROPTEST_CASES` sets the number of cases per property (default 64, so
//! `cargo test` stays fast); longer campaigns are logged below.
//!
//! # Campaign log
//!
//! Machine and load as in BENCHMARKS.md.
//!
//! `cargo test -p generator --test fuzz` runs 64 cases per property. `PROPTEST_CASES=N` changes
//! the count.
//!
//! | campaign | cases | result | time |
//! |---|---|---|---|
//! | default `cargo test -p generator --test fuzz` (debug), before the budget harness | 64 + 64 | pass | 7.4 s |
//! | `PROPTEST_CASES=5000 cargo test -p generator --test fuzz` (debug binary; generator at cdbe020 + WIP), before the budget harness | 5000 random + 5000 mutated | no panic, all output parsed, deterministic; **but max RSS 4.6 GB** (`/usr/bin/time -v`) | 22 min 21 s wall (load 4–6, the process got 47% CPU) |
//! | same generator, release build, per-case allocation counter (300 MiB limit) in a scratch copy of the test | 5000 mutated | pass | 129 s |
//! | same, random specs | up to the first failure | **blow-up found**: 4.4 GB for a 490-byte spec | — |
//! | `PROPTEST_CASES=1000 cargo test -p generator --test fuzz random_specs` with the budget harness (debug) | failed after 329 passing cases | minimal input: a schema whose `allOf` holds two `$ref`s to itself (saved as a regression) | 3 min 41 s, including shrinking |
//! | the final harness (fork, 256 MiB budget) in a scratch release-build copy, generator at 17b138a + WIP, random specs with ≥ 2 `$ref`/`allOf` parts in one composition skipped (`prop_assume!`) so the known blow-up does not mask other bugs | 100,000 random | pass | 162 s |
//! | same copy | 20,000 mutated | pass | 390 s |
//! | default `cargo test -p generator --test fuzz` after the fix (commit "lower: allOf cycles and alias cycles are errors") | the saved case first, then 64 + 64 | pass | 6.9 s |
//!
//! | `PROPTEST_CASES=300 cargo test -p generator --test fuzz mutated` with derived-name suffixes in `DuplicateOperationId` and the duplicate-item check, against lowering *without* `Namer::unique_family` | failed | `src/machine_identities.rs` defines `StartMachineIdentityAggregationError` twice (saved as a regression; passes with the fix) | 152 s |
//!
//! Findings (no panic has been found): both are fixed, and kept as tests.
//!
//! 1. **Exponential blow-up on a self-referencing `allOf` with fan-out ≥ 2.** Lowering ended
//!    with `allOf chain nests too deeply (a cycle?)` only after about 2^depth work; the
//!    3-line spec below took 73 s and was OOM-killed at 14 GB. Merging now tracks the
//!    components on its stack and merges each component once, so this is an immediate error
//!    at `#/components/schemas/A/allOf/0` (and `/1`), and diamonds stay linear. The proptest
//!    seed is in `generator/tests/fuzz.proptest-regressions`; the spec itself is in
//!    `generator/tests/specs/cycles_error.yaml`.
//!    ```yaml
//!    openapi: 3.0.3
//!    info: {title: t, version: '1'}
//!    paths: {}
//!    components:
//!      schemas:
//!        A:
//!          allOf:
//!            - $ref: '#/components/schemas/A'
//!            - $ref: '#/components/schemas/A'
//!    ```
//! 2. **One self-reference generated code that did not compile.** With a single
//!    `allOf: [$ref: '#/components/schemas/A']`, generation emitted
//!    `pub type A = crate::models::A;`, a cyclic type alias (rustc E0391) that `syn` parses
//!    fine. Alias chains that lead back to themselves are now errors naming the chain
//!    (`A -> B -> A`), also in `cycles_error.yaml`.

use generator::{generate, parse, GeneratedFile, Settings};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Map, Value};
use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;

/// The most one case may have allocated at once (the specs here are at
/// most a few hundred KiB).
const CASE_MEMORY: usize = 256 << 20;

/// The longest one case may take, in milliseconds (a debug build generates
/// the largest base spec twice in well under a second).
const CASE_TIMEOUT_MS: u32 = 60_000;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        max_shrink_iters: 4096,
        fork: true,
        timeout: CASE_TIMEOUT_MS,
        // `tests/fuzz.proptest-regressions`, replayed before new cases.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

/// The system allocator, refusing any allocation that would take the
/// memory in use past a limit set by [`MemoryBudget`].
struct BudgetAllocator;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

#[global_allocator]
static ALLOCATOR: BudgetAllocator = BudgetAllocator;

impl BudgetAllocator {
    fn reserve(size: usize) -> bool {
        let now = IN_USE.fetch_add(size, Relaxed).saturating_add(size);
        if now > LIMIT.load(Relaxed) {
            IN_USE.fetch_sub(size, Relaxed);
            return false;
        }
        true
    }
}

// SAFETY: every call forwards to `System` with the caller's arguments; the
// bookkeeping only decides whether to forward. The one `unsafe` in the
// workspace (`unsafe_code` is denied in `[workspace.lints]`).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for BudgetAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Self::reserve(layout.size()) {
            return std::ptr::null_mut();
        }
        let p = System.alloc(layout);
        if p.is_null() {
            IN_USE.fetch_sub(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let grow = new_size.saturating_sub(layout.size());
        if !Self::reserve(grow) {
            return std::ptr::null_mut();
        }
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            IN_USE.fetch_sub(grow, Relaxed);
        } else {
            IN_USE.fetch_sub(layout.size().saturating_sub(new_size), Relaxed);
        }
        p
    }
}

/// While alive, allocations past [`CASE_MEMORY`] more than were in use at
/// its creation fail (and so abort the forked child running the case).
struct MemoryBudget;

impl MemoryBudget {
    fn start() -> Self {
        LIMIT.store(IN_USE.load(Relaxed).saturating_add(CASE_MEMORY), Relaxed);
        MemoryBudget
    }
}

impl Drop for MemoryBudget {
    fn drop(&mut self) {
        LIMIT.store(usize::MAX, Relaxed);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_specs_never_panic(
        mut doc in document(),
        tidy in any::<bool>(),
        yaml in any::<bool>(),
    ) {
        if tidy {
            tidy_up(&mut doc);
        }
        check(&serialize(&doc, yaml))?;
    }

    #[test]
    fn mutated_real_specs_never_panic(
        base in 0..bases().len(),
        mutations in prop::collection::vec(mutation(), 1..5),
        yaml in any::<bool>(),
    ) {
        let mut doc = bases()[base].1.clone();
        for m in &mutations {
            m.apply(&mut doc);
        }
        check(&serialize(&doc, yaml))?;
    }
}

// ---------------------------------------------------------------------------
// Running the pipeline

/// What one run of the whole pipeline gave.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// `parse` or `generate` returned errors (their text).
    Rejected(String),
    /// The generated files.
    Generated(Vec<GeneratedFile>),
}

fn run(text: &str) -> Result<Outcome, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let (spec, _warnings) = match parse(text) {
            Ok(ok) => ok,
            Err(e) => return Outcome::Rejected(e.to_string()),
        };
        let mut settings = Settings::new("x");
        settings.sdk_extras = false;
        match generate(&spec, &settings, &[]) {
            Ok(out) => Outcome::Generated(out.files),
            Err(e) => Outcome::Rejected(e.to_string()),
        }
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic with a non-string payload".into())
    })
}

/// The properties for one input text.
fn check(text: &str) -> Result<(), TestCaseError> {
    let _budget = MemoryBudget::start();
    let first =
        run(text).map_err(|m| TestCaseError::fail(format!("the generator panicked: {m}")))?;
    if let Outcome::Generated(files) = &first {
        for f in files.iter().filter(|f| f.path.ends_with(".rs")) {
            let file = syn::parse_file(&f.contents).map_err(|e| {
                TestCaseError::fail(format!("generated {} is not valid Rust: {e}", f.path))
            })?;
            if let Some(name) = duplicate_item(&file.items) {
                return Err(TestCaseError::fail(format!(
                    "generated {} defines `{name}` twice in one scope",
                    f.path
                )));
            }
        }
    }
    let second = run(text).map_err(|m| {
        TestCaseError::fail(format!(
            "the generator panicked on the second run only: {m}"
        ))
    })?;
    if first != second {
        return Err(TestCaseError::fail(format!(
            "not deterministic: {}",
            first_difference(&first, &second)
        )));
    }
    Ok(())
}

/// The first name defined twice in one namespace of one module (`items`,
/// then each inline `mod`), which `syn` parses but rustc rejects.
fn duplicate_item(items: &[syn::Item]) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    for item in items {
        // (namespace, name): a unit struct also takes its name as a value.
        let names: Vec<(&str, &syn::Ident)> = match item {
            syn::Item::Struct(i) if !matches!(i.fields, syn::Fields::Named(_)) => {
                vec![("type", &i.ident), ("value", &i.ident)]
            }
            syn::Item::Struct(i) => vec![("type", &i.ident)],
            syn::Item::Enum(i) => vec![("type", &i.ident)],
            syn::Item::Union(i) => vec![("type", &i.ident)],
            syn::Item::Type(i) => vec![("type", &i.ident)],
            syn::Item::Trait(i) => vec![("type", &i.ident)],
            syn::Item::Mod(i) => vec![("type", &i.ident)],
            syn::Item::Fn(i) => vec![("value", &i.sig.ident)],
            syn::Item::Static(i) => vec![("value", &i.ident)],
            syn::Item::Const(i) => vec![("value", &i.ident)],
            _ => Vec::new(),
        };
        for (namespace, name) in names {
            if !seen.insert((namespace, name.to_string())) {
                return Some(name.to_string());
            }
        }
        if let syn::Item::Mod(syn::ItemMod {
            content: Some((_, inner)),
            ..
        }) = item
        {
            if let Some(name) = duplicate_item(inner) {
                return Some(name);
            }
        }
    }
    None
}

#[test]
fn duplicate_items_are_found_per_scope_and_namespace() {
    let file = |text: &str| syn::parse_file(text).expect("parses").items;
    assert_eq!(
        duplicate_item(&file("pub struct ListXError {} pub enum ListXError {}")).as_deref(),
        Some("ListXError")
    );
    assert_eq!(
        duplicate_item(&file("mod m { fn f() {} static f: u8 = 0; }")).as_deref(),
        Some("f")
    );
    assert_eq!(
        duplicate_item(&file("pub struct A {} fn A() {} mod m { struct A {} }")),
        None
    );
}

/// Names what differs between two runs, without dumping whole files.
fn first_difference(a: &Outcome, b: &Outcome) -> String {
    match (a, b) {
        (Outcome::Generated(x), Outcome::Generated(y)) => {
            let paths = |f: &[GeneratedFile]| f.iter().map(|f| f.path.clone()).collect::<Vec<_>>();
            if paths(x) != paths(y) {
                return format!("file lists differ: {:?} vs {:?}", paths(x), paths(y));
            }
            x.iter()
                .zip(y)
                .find(|(f, g)| f.contents != g.contents)
                .map(|(f, _)| format!("{} differs between runs", f.path))
                .unwrap_or_default()
        }
        (Outcome::Rejected(x), Outcome::Rejected(y)) => format!("errors differ:\n{x}\nvs\n{y}"),
        _ => "one run failed and the other succeeded".into(),
    }
}

fn serialize(doc: &Value, yaml: bool) -> String {
    if yaml {
        serde_yaml::to_string(doc).expect("a JSON value serializes as YAML")
    } else {
        serde_json::to_string_pretty(doc).expect("a JSON value serializes")
    }
}

// ---------------------------------------------------------------------------
// (a) Random small specs

/// Names that have broken code generators: keywords (some cannot be raw
/// identifiers), leading digits, separators, unicode, names of prelude and
/// runtime types, and groups that collide once converted to Rust.
const NAMES: &[&str] = &[
    "id",
    "Id",
    "ID",
    "name",
    "type",
    "Type",
    "self",
    "Self",
    "crate",
    "super",
    "extern",
    "_",
    "__",
    "fn",
    "match",
    "async",
    "await",
    "dyn",
    "try",
    "r#type",
    "2fa",
    "123",
    "0",
    "-",
    "",
    " ",
    "foo bar",
    "foo-bar",
    "foo_bar",
    "FooBar",
    "fooBar",
    "FOO_BAR",
    "foo.bar",
    "foo/bar",
    "foo~bar",
    "{id}",
    "$ref",
    "@type",
    "ünïcödé",
    "日本語",
    "Ω",
    "emoji😀",
    "Error",
    "Result",
    "Option",
    "String",
    "Vec",
    "Box",
    "Client",
    "Response",
    "Request",
    "models",
    "std",
    "serde",
    "core",
    "None",
    "Some",
    "Ok",
    "Err",
    "Default",
    "new",
    "send",
    "builder",
    "Value",
    "Map",
    "filters",
    "sorters",
    "limit",
    "offset",
    "count",
];

/// Schema names: few enough that `$ref`s often hit one, with collisions.
const SCHEMA_NAMES: &[&str] = &[
    "Foo", "foo", "Foo_", "foo-bar", "FooBar", "foo bar", "Self", "self", "type", "Error",
    "Response", "Client", "2Thing", "ünï", "Item", "Items", "Option", "String", "", "a.b",
];

const OPERATION_IDS: &[&str] = &[
    "getThing",
    "get-thing",
    "GetThing",
    "get_thing",
    "get thing",
    "list",
    "type",
    "self",
    "",
    "🙂",
    "2go",
    "send",
    "new",
    "builder",
    // Names that other operations derive items from (`GetThing` derives
    // `GetThingError`, `GetThingSuccess`, `GetThingFilter`, ...).
    "getThingError",
    "getThingSuccess",
    "getThingFilter",
    "getThingSortField",
    "listError",
];

const TAGS: &[&str] = &[
    "Things",
    "things",
    "Other Things",
    "type",
    "self",
    "",
    "ünï",
    "2nd",
];

const MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "application/problem+json",
    "application/vnd.foo+json",
    "application/json-patch+json",
    "application/merge-patch+json",
    "text/plain",
    "text/csv",
    "multipart/form-data",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "image/png",
    "*/*",
    "weird",
    "",
];

const STATUSES: &[&str] = &[
    "200", "201", "202", "204", "2XX", "2xx", "default", "301", "400", "401", "404", "409", "429",
    "500", "1XX", "5XX", "999", "abc", "0", "200 ",
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "GET", "bogus",
];

fn name() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(NAMES).prop_map(str::to_string),
        1 => "[a-zA-Z0-9 _.$ü-]{0,8}",
        1 => "\\PC{0,4}",
    ]
    .boxed()
}

fn schema_name() -> BoxedStrategy<String> {
    prop_oneof![4 => select(SCHEMA_NAMES).prop_map(str::to_string), 1 => name()].boxed()
}

fn reference() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => schema_name().prop_map(|n| json!({ "$ref": format!("#/components/schemas/{n}") })),
        1 => schema_name().prop_map(|n| {
            json!({ "$ref": format!("#/components/schemas/{n}/properties/id") })
        }),
        1 => Just(json!({ "$ref": "#/components/responses/Foo" })),
        1 => Just(json!({ "$ref": "other.yaml#/components/schemas/Foo" })),
        1 => Just(json!({ "$ref": "#/nope" })),
        1 => Just(json!({ "$ref": "#" })),
        1 => Just(json!({ "$ref": "" })),
        1 => Just(json!({ "$ref": 7 })),
    ]
    .boxed()
}

fn primitive() -> BoxedStrategy<Value> {
    let types = select(
        &[
            "string", "integer", "number", "boolean", "object", "array", "null", "foo",
        ][..],
    );
    let formats = prop::option::of(select(
        &[
            "date-time",
            "date",
            "int32",
            "int64",
            "uuid",
            "binary",
            "byte",
            "float",
            "double",
            "email",
            "weird",
        ][..],
    ));
    (types, formats)
        .prop_map(|(t, f)| {
            let mut s = json!({ "type": t });
            if let Some(f) = f {
                s["format"] = json!(f);
            }
            s
        })
        .boxed()
}

fn json_scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        name().prop_map(Value::from),
    ]
    .boxed()
}

fn string_enum() -> BoxedStrategy<Value> {
    (
        prop::collection::vec(
            prop_oneof![4 => name().prop_map(Value::from), 1 => json_scalar()],
            0..6,
        ),
        prop::option::of(select(&["string", "integer", "number"][..])),
    )
        .prop_map(|(values, t)| {
            let mut s = json!({ "enum": values });
            if let Some(t) = t {
                s["type"] = json!(t);
            }
            s
        })
        .boxed()
}

/// Adds the keywords that may sit on any schema.
fn decorate(inner: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (
        inner,
        prop::option::of(any::<bool>()),
        prop::option::of(select(
            &[
                "A [thing] at https://example.com/x.",
                "```\nfn main() {}\n```",
                "line one\nline two",
                "`code` and <html> & \"quotes\" */ /*",
                "",
            ][..],
        )),
        prop::option::of(json_scalar()),
        prop::option::of(select(&["readOnly", "writeOnly", "deprecated"][..])),
    )
        .prop_map(|(mut s, nullable, description, default, flag)| {
            if let Some(obj) = s.as_object_mut() {
                if let Some(n) = nullable {
                    obj.insert("nullable".into(), json!(n));
                }
                if let Some(d) = description {
                    obj.insert("description".into(), json!(d));
                }
                if let Some(d) = default {
                    obj.insert("default".into(), d);
                }
                if let Some(f) = flag {
                    obj.insert(f.into(), json!(true));
                }
            }
            s
        })
        .boxed()
}

fn schema() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        4 => primitive(),
        2 => string_enum(),
        3 => reference(),
        1 => Just(json!({})),
        2 => v31_leaf(),
    ];
    decorate(
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                3 => object(inner.clone()),
                2 => prop::option::of(inner.clone()).prop_map(|items| match items {
                    Some(items) => json!({ "type": "array", "items": items }),
                    None => json!({ "type": "array" }),
                }),
                2 => (
                    select(&["allOf", "oneOf", "anyOf", "not"][..]),
                    prop::collection::vec(inner.clone(), 0..4),
                    prop::option::of(name()),
                )
                    .prop_map(|(kind, parts, discriminator)| {
                        let mut s = if kind == "not" {
                            json!({ "not": parts.into_iter().next().unwrap_or(json!({})) })
                        } else {
                            json!({ kind: parts })
                        };
                        if let Some(d) = discriminator {
                            s["discriminator"] = json!({ "propertyName": d });
                        }
                        s
                    }),
                1 => (prop::collection::vec(inner.clone(), 1..3), primitive()).prop_map(
                    |(parts, mut base)| {
                        // Composition next to sibling keywords.
                        base["allOf"] = Value::Array(parts);
                        base
                    }
                ),
            ]
        })
        .boxed(),
    )
}

/// OpenAPI 3.1 schema constructs (read by `generator::openapi31` when the
/// document says 3.1, and left to the 3.0 reader otherwise).
fn v31_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!({"type": ["string", "null"]})),
        Just(json!({"type": ["string", "integer", "null"], "minimum": 1, "enum": ["a", 1, null]})),
        Just(json!({"type": ["array", "object"], "items": {"type": "null"}, "properties": {"a": true}})),
        Just(json!({"type": [7]})),
        Just(json!({"const": "a"})),
        Just(json!({"const": 3.5})),
        Just(json!({"const": null})),
        Just(json!({"type": "null"})),
        Just(json!({"anyOf": [{"type": "null"}, {"type": "null"}]})),
        Just(json!({"oneOf": [{"type": "null"}, true]})),
        Just(json!({"type": "array", "items": false})),
        Just(json!({"prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false})),
        Just(json!({"prefixItems": [], "items": true})),
        Just(json!({"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": "x", "examples": [1, 2]})),
        Just(json!({"type": "string", "contentEncoding": "base64", "contentMediaType": 5})),
        Just(json!({"type": "object", "propertyNames": false, "$defs": {"x": false}})),
        Just(json!({"$ref": "#/components/schemas/A/$defs/x", "examples": "not a list"})),
    ]
    .boxed()
}

fn object(inner: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (
        prop::collection::vec((name(), inner.clone()), 0..5),
        prop::collection::vec(name(), 0..3),
        prop::option::of(prop_oneof![
            any::<bool>().prop_map(Value::from),
            inner.clone(),
        ]),
        any::<bool>(),
    )
        .prop_map(|(props, required, additional, typed)| {
            let mut s = Map::new();
            if typed {
                s.insert("type".into(), json!("object"));
            }
            let props: Map<String, Value> = props.into_iter().collect();
            s.insert("properties".into(), Value::Object(props));
            if !required.is_empty() {
                s.insert("required".into(), json!(required));
            }
            if let Some(a) = additional {
                s.insert("additionalProperties".into(), a);
            }
            Value::Object(s)
        })
        .boxed()
}

fn parameter() -> BoxedStrategy<Value> {
    prop_oneof![
        8 => (
            prop_oneof![
                3 => select(&["id", "name", "type", "thing-id"][..]).prop_map(str::to_string),
                2 => name(),
            ],
            select(&["path", "query", "header", "cookie", "body", "bogus"][..]),
            prop::option::of(any::<bool>()),
            prop::option::of(schema()),
            prop::option::of(select(&["form", "simple", "deepObject", "matrix", "weird"][..])),
        )
            .prop_map(|(name, location, required, schema, style)| {
                let mut p = json!({ "name": name, "in": location });
                if let Some(r) = required {
                    p["required"] = json!(r);
                }
                if let Some(s) = schema {
                    p["schema"] = s;
                }
                if let Some(s) = style {
                    p["style"] = json!(s);
                }
                p
            }),
        1 => Just(json!({ "$ref": "#/components/parameters/Limit" })),
        1 => Just(json!({ "$ref": "#/components/parameters/Nope" })),
    ]
    .boxed()
}

fn content() -> BoxedStrategy<Value> {
    prop::collection::vec((select(MEDIA_TYPES), prop::option::of(schema())), 0..3)
        .prop_map(|entries| {
            let mut m = Map::new();
            for (media, schema) in entries {
                let mut body = Map::new();
                if let Some(s) = schema {
                    body.insert("schema".into(), s);
                }
                m.insert(media.to_string(), Value::Object(body));
            }
            Value::Object(m)
        })
        .boxed()
}

fn response() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (prop::option::of(content()), prop::option::of(name())).prop_map(|(content, d)| {
            let mut r = json!({ "description": d.unwrap_or_else(|| "ok".into()) });
            if let Some(c) = content {
                r["content"] = c;
            }
            r
        }),
        1 => Just(json!({ "$ref": "#/components/responses/Error" })),
        1 => Just(json!({ "$ref": "#/components/responses/Nope" })),
    ]
    .boxed()
}

fn operation() -> BoxedStrategy<Value> {
    (
        prop::option::of(select(OPERATION_IDS)),
        prop::option::of(prop::collection::vec(select(TAGS), 0..3)),
        prop::collection::vec(parameter(), 0..4),
        prop::option::of((content(), prop::option::of(any::<bool>()))),
        prop::collection::vec((select(STATUSES), response()), 0..4),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(id, tags, params, body, responses, experimental)| {
            let mut op = Map::new();
            if let Some(id) = id {
                op.insert("operationId".into(), json!(id));
            }
            if let Some(tags) = tags {
                op.insert("tags".into(), json!(tags));
            }
            if !params.is_empty() {
                op.insert("parameters".into(), Value::Array(params));
            }
            if let Some((content, required)) = body {
                let mut b = json!({ "content": content });
                if let Some(r) = required {
                    b["required"] = json!(r);
                }
                op.insert("requestBody".into(), b);
            }
            let responses: Map<String, Value> = responses
                .into_iter()
                .map(|(s, r)| (s.to_string(), r))
                .collect();
            op.insert("responses".into(), Value::Object(responses));
            if let Some(e) = experimental {
                op.insert("x-sailpoint-experimental".into(), json!(e));
            }
            Value::Object(op)
        })
        .boxed()
}

fn path_template() -> BoxedStrategy<String> {
    let segment = prop_oneof![
        4 => select(&["things", "thing-groups", "v1", "a b", "ünï", "type", "self"][..]),
        3 => select(&["{id}", "{name}", "{type}", "{thing-id}"][..]),
        1 => select(
            &[
                "{}", "{a}{b}", "x{id}y", "{ id }", "{ünï}", "{2fa}", "{self}", "{id", "id}", "",
            ][..]
        ),
    ]
    .prop_map(str::to_string);
    let segment = prop_oneof![
        7 => segment,
        1 => name().prop_map(|n| format!("{{{n}}}")),
    ];
    (prop::collection::vec(segment, 0..4), any::<bool>())
        .prop_map(|(segments, slash)| {
            let p = segments.join("/");
            if slash {
                format!("/{p}")
            } else {
                p
            }
        })
        .boxed()
}

fn path_item() -> BoxedStrategy<Value> {
    (
        prop::collection::vec((select(METHODS), operation()), 0..3),
        prop::collection::vec(parameter(), 0..2),
    )
        .prop_map(|(ops, params)| {
            let mut item = Map::new();
            for (method, op) in ops {
                item.insert(method.to_string(), op);
            }
            if !params.is_empty() {
                item.insert("parameters".into(), Value::Array(params));
            }
            Value::Object(item)
        })
        .boxed()
}

fn document() -> BoxedStrategy<Value> {
    (
        select(&["3.0.3", "3.0.0", "3.1.0", "2.0", "3"][..]),
        prop::collection::vec((path_template(), path_item()), 0..4),
        prop::collection::vec((schema_name(), schema()), 0..6),
        prop::option::of(schema()),
        prop::option::of(response()),
    )
        .prop_map(|(version, paths, schemas, limit, error)| {
            let paths: Map<String, Value> = paths.into_iter().collect();
            let schemas: Map<String, Value> = schemas.into_iter().collect();
            let mut components = json!({ "schemas": schemas });
            if let Some(s) = limit {
                components["parameters"] =
                    json!({ "Limit": { "name": "limit", "in": "query", "schema": s } });
            }
            if let Some(r) = error {
                components["responses"] = json!({ "Error": r });
            }
            json!({
                "openapi": version,
                "info": { "title": "fuzz", "version": "1" },
                "paths": paths,
                "components": components,
            })
        })
        .boxed()
}

/// Points every dangling `$ref` at a schema that exists and drops what
/// `openapiv3` rejects outright, so that half the random specs get past
/// `parse` and the `$ref` check into lowering and emitting, where most of
/// the generator's code is.
fn tidy_up(doc: &mut Value) {
    let schemas: Vec<String> = doc["components"]["schemas"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    fn walk(v: &mut Value, schemas: &[String]) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    let ok = r
                        .strip_prefix("#/components/schemas/")
                        .is_some_and(|n| schemas.iter().any(|s| s == n))
                        || r == "#/components/parameters/Limit"
                        || r == "#/components/responses/Error";
                    if !ok {
                        if r.starts_with("#/components/parameters/") {
                            m.insert("$ref".into(), json!("#/components/parameters/Limit"));
                        } else if r.starts_with("#/components/responses/") {
                            m.insert("$ref".into(), json!("#/components/responses/Error"));
                        } else if let Some(n) = schemas.get(r.len() % schemas.len().max(1)) {
                            let target = format!(
                                "#/components/schemas/{}",
                                n.replace('~', "~0").replace('/', "~1")
                            );
                            m.insert("$ref".into(), json!(target));
                        } else {
                            m.remove("$ref");
                        }
                    }
                }
                if let Some(Value::String(loc)) = m.get("in") {
                    if !["path", "query", "header", "cookie"].contains(&loc.as_str()) {
                        m.insert("in".into(), json!("query"));
                    }
                    m.remove("style");
                    m.entry("schema").or_insert(json!({ "type": "string" }));
                }
                for child in m.values_mut() {
                    walk(child, schemas);
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, schemas)),
            _ => {}
        }
    }
    let components = &mut doc["components"];
    if components.get("parameters").is_none() {
        components["parameters"] =
            json!({ "Limit": { "name": "limit", "in": "query", "schema": { "type": "integer" } } });
    }
    if components.get("responses").is_none() {
        components["responses"] = json!({ "Error": { "description": "error" } });
    }
    walk(doc, &schemas);
}

// ---------------------------------------------------------------------------
// (b) Mutations of real specs

/// The real specs to mutate, as (path, document).
fn bases() -> &'static [(PathBuf, Value)] {
    static BASES: OnceLock<Vec<(PathBuf, Value)>> = OnceLock::new();
    BASES.get_or_init(|| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let ours = manifest.join("../spec/sailpoint-v2025.yaml");
        // The upstream subset lives in the shared folder beside the
        // repository; a checkout without it still fuzzes our own spec.
        let subset = manifest.join("../../shared/reference/sailpoint-v2025-two-tags.yaml");
        // Last, so that the indexes in the regression file keep their base.
        let isc = manifest.join("../spec/sailpoint-isc.yaml");
        // An OpenAPI 3.1 spec with one of each 3.1 construct, mutated
        // through the 3.1 pass (`generator::openapi31`).
        let v31 = manifest.join("tests/specs/openapi31.yaml");
        let mut out = Vec::new();
        for path in [ours, subset, isc, v31] {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let doc: Value = serde_yaml::from_str(&text)
                        .unwrap_or_else(|e| panic!("{} is not YAML: {e}", path.display()));
                    out.push((path, doc));
                }
                Err(e) => eprintln!("fuzz: skipping {}: {e}", path.display()),
            }
        }
        assert!(!out.is_empty(), "no spec to mutate");
        out
    })
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Idx(usize),
}

type Path = Vec<Seg>;

fn at_mut<'a>(doc: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Idx(i) => v.get_mut(*i),
    })
}

/// Every node below the root, in document order, with the path to it.
fn nodes(doc: &Value) -> Vec<(Path, &Value)> {
    fn walk<'a>(v: &'a Value, path: &mut Path, out: &mut Vec<(Path, &'a Value)>) {
        let children: Vec<(Seg, &Value)> = match v {
            Value::Object(m) => m.iter().map(|(k, v)| (Seg::Key(k.clone()), v)).collect(),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (Seg::Idx(i), v))
                .collect(),
            _ => return,
        };
        for (seg, child) in children {
            path.push(seg);
            out.push((path.clone(), child));
            walk(child, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut Vec::new(), &mut out);
    out
}

/// The paths of the nodes that satisfy `keep`.
fn select_nodes(doc: &Value, keep: impl Fn(&Path, &Value) -> bool) -> Vec<Path> {
    nodes(doc)
        .into_iter()
        .filter(|(p, v)| keep(p, v))
        .map(|(p, _)| p)
        .collect()
}

fn last_key(path: &Path) -> Option<&str> {
    match path.last() {
        Some(Seg::Key(k)) => Some(k),
        _ => None,
    }
}

fn is_operation(path: &Path) -> bool {
    path.len() == 3 && path[0] == Seg::Key("paths".into())
}

const BROKEN_REFS: &[&str] = &[
    "#/components/schemas/Nope",
    "#/components/schemas/",
    "#/components/schemas",
    "#/components/responses/Nope",
    "#/paths/~1nope",
    "other.yaml#/components/schemas/Foo",
    "#",
    "",
    "#/components/schemas/MachineIdentityResponse/properties/id",
];

/// Suffixes for [`Mutation::DuplicateOperationId`].
const ID_SUFFIXES: &[&str] = &["", "", "Error", "Success", "Filter", "SortField"];

#[derive(Debug, Clone)]
enum Mutation {
    /// Removes one object entry or array element.
    Delete(Index),
    /// Replaces a node with a value of another JSON type.
    Replace(Index, Value),
    /// Gives one operation the `operationId` of another, followed by a
    /// suffix (empty, or one the generator derives names with, so that
    /// `listX` meets `listXError`).
    DuplicateOperationId(Index, Index, &'static str),
    /// Points a `$ref` somewhere that does not exist or is not a schema.
    BreakRef(Index, &'static str),
    /// Renames a `{param}` in a path template, not in its parameter list.
    RenamePathTemplate(Index, String),
    /// Renames a declared parameter, not in the path template.
    RenameParameter(Index, String),
    /// Adds an entry with a new (odd) name to a map of named things, or an
    /// element to an `enum`, `required` or `tags` array.
    InsertName(Index, Index, String),
}

fn mutation() -> BoxedStrategy<Mutation> {
    let replacement = prop_oneof![
        json_scalar(),
        Just(json!([])),
        Just(json!({})),
        name().prop_map(|n| json!([n])),
        Just(json!({ "type": "string" })),
        Just(json!({ "$ref": "#/components/schemas/Nope" })),
    ];
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Delete),
        3 => (any::<Index>(), replacement).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => (any::<Index>(), any::<Index>(), select(ID_SUFFIXES))
            .prop_map(|(a, b, s)| Mutation::DuplicateOperationId(a, b, s)),
        2 => (any::<Index>(), select(BROKEN_REFS)).prop_map(|(i, r)| Mutation::BreakRef(i, r)),
        1 => (any::<Index>(), name()).prop_map(|(i, n)| Mutation::RenamePathTemplate(i, n)),
        1 => (any::<Index>(), name()).prop_map(|(i, n)| Mutation::RenameParameter(i, n)),
        2 => (any::<Index>(), any::<Index>(), name())
            .prop_map(|(i, j, n)| Mutation::InsertName(i, j, n)),
    ]
    .boxed()
}

impl Mutation {
    /// Applies the mutation; one that finds nothing to act on does nothing.
    fn apply(&self, doc: &mut Value) {
        match self {
            Mutation::Delete(i) => {
                let all = select_nodes(doc, |_, _| true);
                let Some(path) = pick(&all, i) else { return };
                let (last, parent) = path.split_last().expect("below the root");
                match (at_mut(doc, parent), last) {
                    (Some(Value::Object(m)), Seg::Key(k)) => {
                        m.remove(k);
                    }
                    (Some(Value::Array(a)), Seg::Idx(i)) => {
                        a.remove(*i);
                    }
                    _ => {}
                }
            }
            Mutation::Replace(i, value) => {
                let all = select_nodes(doc, |_, _| true);
                if let Some(node) = pick(&all, i).and_then(|p| at_mut(doc, &p)) {
                    *node = value.clone();
                }
            }
            Mutation::DuplicateOperationId(a, b, suffix) => {
                let ops = select_nodes(doc, |p, v| {
                    is_operation(p) && v.get("operationId").is_some()
                });
                let (Some(from), Some(to)) = (pick(&ops, a), pick(&ops, b)) else {
                    return;
                };
                let id = at_mut(doc, &from).and_then(|op| op.get("operationId").cloned());
                if let (Some(Value::String(id)), Some(op)) = (id, at_mut(doc, &to)) {
                    op["operationId"] = json!(format!("{id}{suffix}"));
                }
            }
            Mutation::BreakRef(i, target) => {
                let refs = select_nodes(doc, |_, v| v.get("$ref").is_some());
                if let Some(node) = pick(&refs, i).and_then(|p| at_mut(doc, &p)) {
                    node["$ref"] = json!(target);
                }
            }
            Mutation::RenamePathTemplate(i, new) => {
                let Some(Value::Object(paths)) = doc.get_mut("paths") else {
                    return;
                };
                let templated: Vec<String> =
                    paths.keys().filter(|k| k.contains('{')).cloned().collect();
                let Some(old) = pick(&templated, i) else {
                    return;
                };
                let (start, end) = match (old.find('{'), old.find('}')) {
                    (Some(s), Some(e)) if s < e => (s, e),
                    _ => return,
                };
                let renamed = format!("{}{{{new}}}{}", &old[..start], &old[end + 1..]);
                // Rebuild the map so the renamed path keeps its place.
                let entries: Vec<(String, Value)> = std::mem::take(paths).into_iter().collect();
                for (k, v) in entries {
                    paths.insert(if k == old { renamed.clone() } else { k }, v);
                }
            }
            Mutation::RenameParameter(i, new) => {
                let params =
                    select_nodes(doc, |_, v| v.get("in").is_some() && v.get("name").is_some());
                if let Some(node) = pick(&params, i).and_then(|p| at_mut(doc, &p)) {
                    node["name"] = json!(new);
                }
            }
            Mutation::InsertName(i, j, new) => {
                const MAPS: &[&str] = &[
                    "properties",
                    "schemas",
                    "paths",
                    "responses",
                    "content",
                    "parameters",
                    "headers",
                    "securitySchemes",
                ];
                const LISTS: &[&str] = &["enum", "required", "tags"];
                let targets = select_nodes(doc, |p, v| match (last_key(p), v) {
                    (Some(k), Value::Object(m)) => MAPS.contains(&k) && !m.is_empty(),
                    (Some(k), Value::Array(_)) => LISTS.contains(&k),
                    _ => false,
                });
                match pick(&targets, i).and_then(|p| at_mut(doc, &p)) {
                    Some(Value::Object(m)) => {
                        let sibling = m.values().nth(j.index(m.len())).cloned();
                        if let Some(v) = sibling {
                            m.insert(new.clone(), v);
                        }
                    }
                    Some(Value::Array(a)) => a.push(json!(new)),
                    _ => {}
                }
            }
        }
    }
}

fn pick<T: Clone>(items: &[T], index: &Index) -> Option<T> {
    (!items.is_empty()).then(|| index.get(items).clone())
}

// ---------------------------------------------------------------------------
// The harness itself

#[test]
fn mutations_apply_to_the_real_specs() {
    // Each kind of mutation must find something to act on, or the fuzzer
    // would silently test nothing.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut index = || {
        any::<Index>()
            .new_tree(&mut runner)
            .expect("an index")
            .current()
    };
    let doc = &bases()[0].1;
    let kinds: [fn(Index, Index) -> Mutation; 7] = [
        |i, _| Mutation::Delete(i),
        |i, _| Mutation::Replace(i, json!(null)),
        |i, j| Mutation::DuplicateOperationId(i, j, "Error"),
        |i, _| Mutation::BreakRef(i, "#/components/schemas/Nope"),
        |i, _| Mutation::RenamePathTemplate(i, "renamed".into()),
        |i, _| Mutation::RenameParameter(i, "renamed".into()),
        |i, j| Mutation::InsertName(i, j, "new name".into()),
    ];
    for make in kinds {
        let changed = (0..20).any(|_| {
            let mut mutated = doc.clone();
            make(index(), index()).apply(&mut mutated);
            &mutated != doc
        });
        assert!(
            changed,
            "{:?} never changes the spec",
            make(index(), index())
        );
    }
}

#[test]
fn the_unmutated_specs_generate() {
    for (path, doc) in bases() {
        match run(&serialize(doc, false)) {
            Ok(Outcome::Generated(files)) => assert!(!files.is_empty()),
            other => panic!("{} does not generate: {other:?}", path.display()),
        }
    }
}
