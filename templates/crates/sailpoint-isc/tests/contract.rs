//! Contract test: all 36 operations of the SDK against Prism mock servers (the 22
//! of upstream's 2026-08-22 bundles also against those bundles).
//!
//! `cargo xtask contract --crate sailpoint-isc` starts Prism (pinned in
//! `xtask/prism/`) on our spec and then on upstream's three per-service bundles,
//! and runs this test against each with `PRISM_SPEC` (`ours` or `upstream`) and
//! the Prism URLs set. By hand:
//!
//! ```text
//! xtask/prism/node_modules/.bin/prism mock -h 127.0.0.1 -p 4010 spec/sailpoint-isc.yaml
//! PRISM_URL=http://127.0.0.1:4010 PRISM_SPEC=ours \
//!     cargo test -p sailpoint-isc --features contract-test --test contract
//! ```
//!
//! Prism serves one document per process, and upstream has one document per
//! service (`classify-source.json`, `declassify-source.json`,
//! `machine-identities.json`). So the Prism URL is looked up per service:
//! `PRISM_URL_CLASSIFY_SOURCE`, `PRISM_URL_DECLASSIFY_SOURCE` and
//! `PRISM_URL_MACHINE_IDENTITIES`, each falling back to `PRISM_URL` (one Prism
//! serving our single document for all three). Against upstream every
//! operation reaches the Prism of the document that defines it.
//!
//! Prism checks each request against the spec (path, query, headers, body,
//! security) and each of its own example responses against the response
//! schema, and reports what fails in the `sl-violations` response header. A
//! response without that header is one Prism found valid on both sides, so
//! every test here fails on any `sl-violations`, and also asserts the
//! documented 2xx status, that the experimental header is sent with every
//! operation (the client opted in, and an opted-in client sends it even to GA
//! operations), and that the typed model holds exactly the JSON Prism sent.
//!
//! Prism serves a spec's paths at its root and ignores the path of the server
//! URL. The per-service documents (ours and upstream's) have the server
//! `https://{tenant}.api.identitynow.com` with no path, and the version in every
//! path (`/machine-identities/v2`), so the SDK's requests need no rewriting
//! (`meta::API_PREFIX` is empty; the proxy still strips it, so that the test
//! says what it relies on). Each test puts a small loopback proxy between the
//! SDK and Prism that picks the Prism of the request's service and records
//! every exchange. The record shows what the SDK's return values hide: the
//! headers of each page that `stream()` fetched, and the request exactly as
//! sent (query, headers, content type, body).
//!
//! With `PRISM_SPEC=upstream`, the operations that upstream's own documents
//! break are listed in [`upstream_defect`], each with the reason; for those the
//! test asserts the exact failure instead of success, so that a change on
//! either side shows up. Upstream's other deliberate differences from our spec
//! that Prism can see (no security schemes, no `X-Total-Count` on most lists)
//! are asserted too.

use std::convert::Infallible;
use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, TRANSFER_ENCODING};
use sailpoint_isc::filter::Sort;
use sailpoint_isc::machine_identities::{
    GetMachineIdentityAllCountsV1Filter, ListMachineIdentitiesV1Filter,
    ListMachineIdentitiesV1SortField, ListMachineIdentitiesV2Filter,
    ListMachineIdentitiesV2SortField, ListMachineIdentityAccountsV2Filter,
    ListMachineIdentityAccountsV2SortField, ListMachineIdentityAnomaliesV1SortField,
    ListMachineIdentityEntitlementsV2Filter, ListMachineIdentityEntitlementsV2SortField,
    ListMachineIdentityUserEntitlementsV1Filter, ListMachineIdentityUserEntitlementsV1SortField,
};
use sailpoint_isc::meta::{API_PREFIX, EXPERIMENTAL_HEADER};
use sailpoint_isc::models::{
    BaseReferenceDto, CorrelationConfigType, DtoType, JsonPatchOperation, JsonPatchOperationOp,
    MachineIdentityAggregationRequest, MachineIdentityBulkRequest,
    MachineIdentityBulkUpdateRequest, MachineIdentityOwners, MachineIdentityRequest,
    MachineIdentityUserEntitlementRequest, MachineIdentityV2, SourceClassificationStatusStatus,
};
use sailpoint_isc::patch::JsonPatch;
use sailpoint_isc::{Client, Error, ItemOutcome, MultiStatus, Response, RetryPolicy};
use serde_json::{json, Value};

const SOURCE_ID: &str = "ef38f94347e94562b5bb8424a56397d8";
const MACHINE_IDENTITY_ID: &str = "2c9180858082150f0180893dbaf44201";
const RESOURCE_ID: &str = "8886e5e3-63d0-462f-a195-d98da885b8dc";
const CONFIG_ID: &str = "0f6c4e1a-7b2d-4c3e-9f8a-1b2c3d4e5f60";

/// Which spec Prism mocks, from `PRISM_SPEC`; this decides which expectations apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    /// `spec/sailpoint-isc.yaml`, the spec the SDK is generated from.
    Ours,
    /// `../shared/reference/services/*.json`, upstream's per-service bundles.
    Upstream,
}

fn spec() -> Spec {
    match std::env::var("PRISM_SPEC").as_deref() {
        Ok("ours") | Err(std::env::VarError::NotPresent) => Spec::Ours,
        Ok("upstream") => Spec::Upstream,
        other => panic!("PRISM_SPEC must be `ours` (the default) or `upstream`, got {other:?}"),
    }
}

/// Upstream's services, one document (and so one Prism) each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    ClassifySource,
    DeclassifySource,
    MachineIdentities,
}

impl Service {
    const ALL: [Service; 3] = [
        Service::ClassifySource,
        Service::DeclassifySource,
        Service::MachineIdentities,
    ];

    /// The variable naming this service's Prism.
    fn env(self) -> &'static str {
        match self {
            Service::ClassifySource => "PRISM_URL_CLASSIFY_SOURCE",
            Service::DeclassifySource => "PRISM_URL_DECLASSIFY_SOURCE",
            Service::MachineIdentities => "PRISM_URL_MACHINE_IDENTITIES",
        }
    }

    /// The service whose document has `path` (relative to the API prefix).
    /// `/sources/v1/{sourceId}/classify` and `.../declassify` belong to the
    /// two classification services; everything else, `/sources/v1/{sourceId}/
    /// aggregate-agents` and the correlation configs included, to Machine
    /// Identities.
    fn of_path(path: &str) -> Service {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["sources", "v1", _, "classify"] => Service::ClassifySource,
            ["sources", "v1", _, "declassify"] => Service::DeclassifySource,
            _ => Service::MachineIdentities,
        }
    }

    fn index(self) -> usize {
        Service::ALL.iter().position(|s| *s == self).unwrap()
    }
}

/// The base URL of each service's Prism, in the order of [`Service::ALL`].
type PrismUrls = [String; 3];

fn prism_urls() -> PrismUrls {
    let read = |name: &str| match std::env::var(name) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_owned()),
        _ => None,
    };
    let fallback = read("PRISM_URL");
    Service::ALL.map(|service| {
        read(service.env())
            .or_else(|| fallback.clone())
            .unwrap_or_else(|| {
                panic!(
                    "neither {} nor PRISM_URL is set: this test needs running Prism mock \
                 servers. Run `cargo xtask contract --crate sailpoint-isc`, which starts \
                 them and sets these, or start Prism yourself and set PRISM_URL \
                 (e.g. http://127.0.0.1:4010)",
                    service.env()
                )
            })
    })
}

/// How an operation fails because upstream's own document is wrong.
#[derive(Debug)]
struct Defect {
    /// What is wrong upstream; spec/README.md lists it under the deliberate differences.
    reason: &'static str,
    /// The status Prism answers with.
    status: u16,
    /// Whether the SDK returns `Error::Api` (a documented error status) or
    /// `Error::Decode` (a 2xx whose body is not the declared type).
    kind: FailureKind,
    /// Every violation Prism reports, in order: location, code, message.
    violations: &'static [Violation],
}

type Violation = (&'static [&'static str], &'static str, &'static str);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    Api,
    Decode,
}

/// Upstream's `jsonpatchoperation.value` is a `oneOf` of string, boolean,
/// integer, object and array (spec/README.md, difference 3), so a `null`
/// value, which RFC 6902 allows and which clears a nullable field, is refused
/// by Prism with one violation per branch. Index 0 of the patch, the `null`.
const NULL_PATCH_VALUE: Defect = Defect {
    reason: "upstream's JSON Patch `value` has no `null` branch",
    status: 400,
    kind: FailureKind::Api,
    violations: &[
        (
            &["request", "body", "0", "value"],
            "type",
            "Request body property 0.value must be string",
        ),
        (
            &["request", "body", "0", "value"],
            "type",
            "Request body property 0.value must be boolean",
        ),
        (
            &["request", "body", "0", "value"],
            "type",
            "Request body property 0.value must be integer",
        ),
        (
            &["request", "body", "0", "value"],
            "type",
            "Request body property 0.value must be object",
        ),
        (
            &["request", "body", "0", "value"],
            "type",
            "Request body property 0.value must be array",
        ),
        (
            &["request", "body", "0", "value"],
            "oneOf",
            "Request body property 0.value must match exactly one schema in oneOf",
        ),
    ],
};

/// The operations that fail against upstream's documents whatever the
/// request, and exactly how (each is a 2xx whose body the SDK cannot decode,
/// so `Error::Decode`). Every other operation must succeed against both specs
/// (requests upstream refuses are tested apart, as [`NULL_PATCH_VALUE`]).
fn upstream_defect(operation_id: &str) -> Option<Defect> {
    const ATTRIBUTES_STRING: &str = "upstream's v1 example has `attributes` as the JSON \
        string '{\"Region\":\"EU\"}' on an object field (spec/README.md, difference 15); \
        Prism flags its own example and the SDK cannot decode it into a map";
    match operation_id {
        "createMachineIdentityV1" | "getMachineIdentityV1" | "updateMachineIdentityV1" => {
            Some(Defect {
                reason: ATTRIBUTES_STRING,
                status: 200,
                kind: FailureKind::Decode,
                violations: &[(
                    &["response", "body", "attributes"],
                    "type",
                    "Response body property attributes must be object",
                )],
            })
        }
        "listMachineIdentitiesV1" => Some(Defect {
            reason: ATTRIBUTES_STRING,
            status: 200,
            kind: FailureKind::Decode,
            violations: &[(
                &["response", "body", "0", "attributes"],
                "type",
                "Response body property 0.attributes must be object",
            )],
        }),
        _ => None,
    }
}

/// One request as the SDK sent it and Prism's answer, as the proxy saw them.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    /// Path and query as the SDK sent them, API prefix included.
    target: String,
    /// The Prism (service) the proxy sent it to.
    service: Service,
    content_type: Option<String>,
    /// The `X-SailPoint-Experimental` header as sent.
    experimental: Option<String>,
    request_body: Bytes,
    status: u16,
    /// The raw `sl-violations` header, if Prism sent one.
    violations: Option<String>,
    response_body: Bytes,
}

impl Exchange {
    /// The decoded query pairs.
    fn query(&self) -> Vec<(String, String)> {
        let url = url::Url::parse(&format!("http://proxy{}", self.target)).expect("target parses");
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    fn query_value(&self, key: &str) -> Option<String> {
        let mut values = self.query().into_iter().filter(|(k, _)| k == key);
        let value = values.next().map(|(_, v)| v);
        assert!(
            values.next().is_none(),
            "{key} sent twice in {}",
            self.target
        );
        value
    }
}

type Log = Arc<Mutex<Vec<Exchange>>>;

/// A client that talks to Prism through a recording proxy.
struct Harness {
    spec: Spec,
    client: Client,
    proxy: SocketAddr,
    prisms: PrismUrls,
    log: Log,
}

impl Harness {
    async fn start() -> Harness {
        let prisms = prism_urls();
        let spec = spec();
        let log = Log::default();
        let proxy = start_proxy(prisms.clone(), log.clone()).await;
        let client = Client::builder()
            .base_url(format!("http://{proxy}"))
            .bearer_token("contract-test-token")
            .experimental(true)
            .retry_policy(RetryPolicy::none())
            .build()
            .expect("client builds");
        Harness {
            spec,
            client,
            proxy,
            prisms,
            log,
        }
    }

    fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }

    /// The single exchange of a test that made one call.
    fn only_exchange(&self, op: &str) -> Exchange {
        let exchanges = self.exchanges();
        assert_eq!(
            exchanges.len(),
            1,
            "{op}: expected one request: {exchanges:#?}"
        );
        exchanges.into_iter().next().unwrap()
    }

    fn defect(&self, op: &str) -> Option<Defect> {
        match self.spec {
            Spec::Ours => None,
            Spec::Upstream => upstream_defect(op),
        }
    }

    /// Checks one `send()`: against our spec (and for operations upstream does
    /// not break) it must succeed with `documented` status, without any
    /// violation, and decode Prism's body without losing or changing anything.
    /// Returns the response then; `None` after asserting a known upstream defect.
    fn check<T, E>(
        &self,
        op: &str,
        documented: u16,
        result: Result<Response<T>, Error<E>>,
    ) -> Option<Response<T>>
    where
        T: serde::Serialize + Debug,
        E: Debug,
    {
        let exchange = self.only_exchange(op);
        assert_experimental_header(op, &exchange);
        if let Some(defect) = self.defect(op) {
            let err = match result {
                Ok(resp) => panic!(
                    "{op}: upstream's spec should break this operation ({}), but it succeeded: {resp:?}",
                    defect.reason
                ),
                Err(err) => err,
            };
            assert_defect(op, &defect, &err, &exchange);
            return None;
        }
        let resp = result.unwrap_or_else(|err| {
            panic!("{op}: expected {documented}, got: {err}\n{err:#?}\nexchange: {exchange:#?}")
        });
        assert_eq!(resp.status().as_u16(), documented, "{op}: {resp:?}");
        assert_no_violations(op, resp.headers());
        assert_no_violation_logged(op, &exchange);
        assert_same_json(op, resp.body(), &exchange.response_body);
        Some(resp)
    }

    /// Checks what a `stream()` yielded: every page must be a violation-free
    /// 200, request `(offset, limit)` as in `pages`, and carry `query` (pairs
    /// every page sends); the items must be the pages' JSON items, in order,
    /// cut to each page's limit. Returns the items; `None` after asserting a
    /// known upstream defect (which ends the stream at the first page).
    fn check_stream<T, E>(
        &self,
        op: &str,
        results: Vec<Result<T, Error<E>>>,
        pages: &[(u64, u64)],
        query: &[(&str, &str)],
    ) -> Option<Vec<T>>
    where
        T: serde::Serialize + Debug,
        E: Debug,
    {
        let exchanges = self.exchanges();
        for ex in &exchanges {
            assert_experimental_header(op, ex);
            for (key, value) in query {
                assert_eq!(ex.query_value(key).as_deref(), Some(*value), "{op}: {ex:?}");
            }
        }
        if let Some(defect) = self.defect(op) {
            assert_eq!(exchanges.len(), 1, "{op}: the first error ends the stream");
            let [Err(err)] = results.as_slice() else {
                panic!(
                    "{op}: expected one error ({}), got {results:#?}",
                    defect.reason
                )
            };
            assert_defect(op, &defect, err, &exchanges[0]);
            return None;
        }
        let mut items = Vec::new();
        for result in results {
            items.push(result.unwrap_or_else(|err| {
                panic!("{op}: stream failed: {err}\n{err:#?}\nexchanges: {exchanges:#?}")
            }));
        }
        let requested: Vec<(u64, u64)> = exchanges
            .iter()
            .map(|ex| {
                let number = |key: &str| -> u64 {
                    ex.query_value(key)
                        .unwrap_or_else(|| panic!("{op}: page request without {key}: {ex:?}"))
                        .parse()
                        .unwrap_or_else(|_| panic!("{op}: {key} is not a number: {ex:?}"))
                };
                (number("offset"), number("limit"))
            })
            .collect();
        assert_eq!(requested, pages, "{op}: pages requested as (offset, limit)");
        let mut expected = Vec::new();
        for ex in &exchanges {
            assert_no_violation_logged(op, ex);
            assert_eq!(ex.status, 200, "{op}: {ex:?}");
            let limit = ex.query_value("limit").unwrap().parse().unwrap();
            let page: Vec<Value> = serde_json::from_slice(&ex.response_body)
                .unwrap_or_else(|e| panic!("{op}: page is not a JSON array ({e}): {ex:?}"));
            expected.extend(page.into_iter().take(limit));
        }
        assert_same_json(op, &items, &serde_json::to_vec(&expected).unwrap());
        Some(items)
    }

    /// `X-Total-Count` of a list answer: our spec declares it on every list,
    /// with the example 2 that Prism sends; upstream declares it only on the
    /// anomaly list, with no example (spec/README.md, difference 4), so Prism
    /// sends it nowhere else.
    fn expected_total_count(&self) -> Option<u64> {
        match self.spec {
            Spec::Ours => Some(2),
            Spec::Upstream => None,
        }
    }
}

/// Every operation sends `X-SailPoint-Experimental: true`: the client opted in,
/// and an opted-in client sends the header to GA operations too, so that a
/// tenant that still gates one answers (spec/README.md, "Experimental or not").
/// Prism accepts the header where the spec does not declare it.
fn assert_experimental_header(op: &str, exchange: &Exchange) {
    assert_eq!(
        exchange.experimental.as_deref(),
        Some("true"),
        "{op}: {EXPERIMENTAL_HEADER}: {exchange:?}"
    );
}

/// Asserts that `err` is exactly the failure `defect` predicts, with exactly
/// Prism's violations.
fn assert_defect<E: Debug>(op: &str, defect: &Defect, err: &Error<E>, exchange: &Exchange) {
    let context = format!("{op} against upstream ({}): {err}\n{err:#?}", defect.reason);
    let kind = match err {
        Error::Api(_) => Some(FailureKind::Api),
        Error::Decode { source, .. } => {
            assert!(
                source.to_string().contains("expected a map"),
                "{context}: wrong decode error"
            );
            Some(FailureKind::Decode)
        }
        _ => None,
    };
    assert_eq!(kind, Some(defect.kind), "{context}");
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(defect.status),
        "{context}"
    );
    assert_eq!(exchange.status, defect.status, "{context}");
    let raw = err.raw().expect("the server answered");
    let expected: Vec<Value> = defect
        .violations
        .iter()
        .map(|(location, code, message)| {
            json!({
                "location": location,
                "severity": "Error",
                "code": code,
                "message": message,
            })
        })
        .collect();
    assert_eq!(violations(raw.headers()), expected, "{context}");
    assert_eq!(
        exchange.violations.as_deref().map(parse_violations),
        Some(expected),
        "{context}"
    );
}

fn parse_violations(text: &str) -> Vec<Value> {
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("sl-violations is not a JSON array ({e}): {text}"))
}

/// The violations Prism reported in these response headers (empty if none).
fn violations(headers: &HeaderMap) -> Vec<Value> {
    headers
        .get_all("sl-violations")
        .iter()
        .flat_map(|value| parse_violations(value.to_str().expect("sl-violations is ASCII")))
        .collect()
}

fn assert_no_violations(op: &str, headers: &HeaderMap) {
    let found = violations(headers);
    assert!(
        found.is_empty(),
        "{op}: Prism reported violations: {found:#?}"
    );
}

fn assert_no_violation_logged(op: &str, exchange: &Exchange) {
    assert!(
        exchange.violations.is_none(),
        "{op}: Prism reported violations: {exchange:#?}"
    );
}

/// Asserts that `decoded`, serialized again, is the JSON Prism sent: the typed
/// model neither dropped nor changed a field. An empty body counts as `null`
/// (what `()` serializes to).
fn assert_same_json<T: serde::Serialize + Debug>(op: &str, decoded: &T, sent: &[u8]) {
    let sent: Value = if sent.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(sent).unwrap_or_else(|e| panic!("{op}: body is not JSON: {e}"))
    };
    let again = serde_json::to_value(decoded).expect("the model serializes");
    assert_eq!(
        normalize(again),
        normalize(sent.clone()),
        "{op}: the typed model does not hold what Prism sent\nsent: {sent:#}\ndecoded: {decoded:#?}"
    );
}

/// Makes JSON comparable across a decode/encode round trip: a member whose
/// value is `null` counts as absent (an `Option` field skips `None`), and an
/// RFC 3339 date-time is compared as an instant (`.000Z` comes back as `Z`),
/// and a float with no fraction as an integer (an `f64` field turns `1` into `1.0`).
fn normalize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalize(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(&s) {
            Ok(t) => Value::String(
                t.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            ),
            Err(_) => Value::String(s),
        },
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        other => other,
    }
}

/// Starts the recording proxy: `http://{addr}{API_PREFIX}/rest` is forwarded
/// to `{prism}/rest`, where `prism` is the Prism of the path's service.
async fn start_proxy(prisms: PrismUrls, log: Log) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the proxy");
    let addr = listener.local_addr().expect("proxy address");
    let http = reqwest::Client::new();
    let prisms = Arc::new(prisms);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (http, prisms, log) = (http.clone(), prisms.clone(), log.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    forward(req, http.clone(), prisms.clone(), log.clone())
                });
                // A connection error only ends that connection; the SDK call then fails.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn proxy_error(message: String) -> hyper::Response<Full<Bytes>> {
    let mut resp = hyper::Response::new(Full::new(Bytes::from(message)));
    *resp.status_mut() = hyper::StatusCode::BAD_GATEWAY;
    resp
}

/// Headers that describe one hop, not the message; the proxy drops them.
fn strip_hop_headers(headers: &mut HeaderMap) {
    for name in [HOST, CONTENT_LENGTH, CONNECTION, TRANSFER_ENCODING] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn forward(
    req: hyper::Request<hyper::body::Incoming>,
    http: reqwest::Client,
    prisms: Arc<PrismUrls>,
    log: Log,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return Ok(proxy_error(format!("reading the request body: {e}"))),
    };
    let target = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    let Some(rest) = target
        .strip_prefix(API_PREFIX)
        .filter(|rest| rest.starts_with('/'))
    else {
        return Ok(proxy_error(format!(
            "the SDK sent `{target}`, which is not under `{API_PREFIX}`"
        )));
    };
    let service = Service::of_path(parts.uri.path().strip_prefix(API_PREFIX).unwrap_or("/"));
    let prism = &prisms[service.index()];
    let mut headers = parts.headers.clone();
    strip_hop_headers(&mut headers);
    let mut request = http
        .request(parts.method.clone(), format!("{prism}{rest}"))
        .headers(headers);
    if !body.is_empty() {
        request = request.body(body.clone());
    }
    let upstream = match request.send().await {
        Ok(upstream) => upstream,
        Err(e) => return Ok(proxy_error(format!("forwarding to Prism at {prism}: {e}"))),
    };
    let status = upstream.status();
    let mut resp_headers = upstream.headers().clone();
    let resp_body = match upstream.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return Ok(proxy_error(format!("reading Prism's response: {e}"))),
    };
    log.lock().unwrap().push(Exchange {
        method: parts.method.to_string(),
        target,
        service,
        content_type: header_text(&parts.headers, CONTENT_TYPE.as_str()),
        experimental: header_text(&parts.headers, EXPERIMENTAL_HEADER),
        request_body: body,
        status: status.as_u16(),
        violations: header_text(&resp_headers, "sl-violations"),
        response_body: resp_body.clone(),
    });
    strip_hop_headers(&mut resp_headers);
    let mut resp = hyper::Response::new(Full::new(resp_body));
    *resp.status_mut() = status;
    *resp.headers_mut() = resp_headers;
    Ok(resp)
}

fn assert_request(exchange: &Exchange, method: &str, path: &str, service: Service) {
    assert_eq!(exchange.method, method, "{exchange:?}");
    let sent_path = exchange.target.split('?').next().unwrap();
    assert_eq!(sent_path, format!("{API_PREFIX}{path}"), "{exchange:?}");
    assert_eq!(exchange.service, service, "{exchange:?}");
}

/// The JSON body of a request, as sent.
fn sent_json(exchange: &Exchange) -> Value {
    serde_json::from_slice(&exchange.request_body)
        .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {exchange:?}"))
}

fn assert_query(op: &str, exchange: &Exchange, expected: &[(&str, &str)]) {
    let query = exchange.query();
    for (key, value) in expected {
        assert!(
            query.contains(&((*key).to_owned(), (*value).to_owned())),
            "{op}: {key}={value} missing from {query:?}"
        );
    }
}

/// A JSON Patch with every RFC 6902 operation, and the JSON it must send.
/// No `null` value: upstream refuses it on v2 ([`NULL_PATCH_VALUE`]).
fn full_patch() -> (JsonPatch, Value) {
    let patch = JsonPatch::new()
        .test("/subtype", "AI Agent")
        .and_then(|p| p.add("/attributes/securityRisk", "high"))
        .and_then(|p| p.replace("/description", "Nightly payroll sync"))
        .and_then(|p| p.remove("/attributes/legacy"))
        .and_then(|p| p.copy_from("/name", "/attributes/displayName"))
        .and_then(|p| p.move_from("/attributes/Region", "/attributes/region"))
        .expect("valid JSON pointers");
    let sent = json!([
        {"op": "test", "path": "/subtype", "value": "AI Agent"},
        {"op": "add", "path": "/attributes/securityRisk", "value": "high"},
        {"op": "replace", "path": "/description", "value": "Nightly payroll sync"},
        {"op": "remove", "path": "/attributes/legacy"},
        {"op": "copy", "from": "/name", "path": "/attributes/displayName"},
        {"op": "move", "from": "/attributes/Region", "path": "/attributes/region"},
    ]);
    (patch, sent)
}

/// Checks a JSON Patch request: Prism drops the `+json` suffix before
/// comparing request content types, so it would accept `application/json`
/// too: the test checks the content type itself.
fn assert_patch_sent(exchange: &Exchange, sent: &Value) {
    assert_eq!(
        exchange.content_type.as_deref(),
        Some("application/json-patch+json"),
        "{exchange:?}"
    );
    assert_eq!(&sent_json(exchange), sent);
}

fn owner() -> BaseReferenceDto {
    BaseReferenceDto {
        r#type: Some(DtoType::Identity),
        id: Some("2c9180a46faadee4016fb4e018c20639".into()),
        name: Some("Cloud Admin".into()),
    }
}

// The harness itself.

/// Guards against a harness that sees nothing: an invalid request must come
/// back with Prism's `sl-violations`, and the proxy must record it.
#[tokio::test]
async fn prism_violations_are_detected() {
    let h = Harness::start().await;
    let resp = reqwest::Client::new()
        .get(format!(
            "http://{}{API_PREFIX}/machine-identities/v1/{MACHINE_IDENTITY_ID}/anomalies?limit=251",
            h.proxy
        ))
        .bearer_auth("contract-test-token")
        .send()
        .await
        .expect("the proxy answers");
    assert_eq!(
        resp.status(),
        400,
        "Prism answers an invalid request with the spec's 400"
    );
    let found = violations(resp.headers());
    assert!(
        found
            .iter()
            .any(|v| v["location"] == json!(["request", "query", "limit"])),
        "limit=251 is above the maximum: {found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|v| v["location"] == json!(["request", "header"])
                && v["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("x-sailpoint-experimental")),
        "the experimental header is required: {found:#?}"
    );
    let exchange = h.only_exchange("listMachineIdentityAnomaliesV1");
    assert!(exchange.violations.is_some(), "{exchange:?}");
}

/// Each request reaches a Prism that has its path. Against upstream the three
/// documents are three Prisms, and each knows only its own service's paths, so
/// a wrong route would show up as Prism's 404 (`NO_PATH_MATCHED_ERROR`).
#[tokio::test]
async fn each_service_is_served_by_its_own_document() {
    let h = Harness::start().await;
    let http = reqwest::Client::new();
    let paths = [
        (
            Service::ClassifySource,
            format!("/sources/v1/{SOURCE_ID}/classify"),
        ),
        (
            Service::DeclassifySource,
            format!("/sources/v1/{SOURCE_ID}/declassify"),
        ),
        (Service::MachineIdentities, "/machine-identities/v2".into()),
    ];
    for (service, path) in &paths {
        assert_eq!(Service::of_path(path), *service, "{path}");
        for prism_service in Service::ALL {
            // A POST with no body is a valid request for the two
            // classification paths; the list is a GET.
            let method = if *service == Service::MachineIdentities {
                reqwest::Method::GET
            } else {
                reqwest::Method::POST
            };
            let resp = http
                .request(method, format!("{}{path}", h.prisms[prism_service.index()]))
                .bearer_auth("contract-test-token")
                .header(EXPERIMENTAL_HEADER, "true")
                .send()
                .await
                .expect("Prism answers");
            let status = resp.status().as_u16();
            // Our one document has every path; upstream's Prisms only their own.
            let found = h.spec == Spec::Ours || prism_service == *service;
            if found {
                assert!(
                    (200..300).contains(&status),
                    "{path} on the {prism_service:?} Prism: {status}"
                );
            } else {
                assert_eq!(status, 404, "{path} on the {prism_service:?} Prism");
                let body = resp.bytes().await.expect("Prism's answer");
                let body: Value = serde_json::from_slice(&body).expect("Prism's problem JSON");
                assert_eq!(
                    body["type"],
                    "https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR"
                );
            }
        }
    }
    if h.spec == Spec::Upstream {
        let mut urls = h.prisms.to_vec();
        urls.sort();
        urls.dedup();
        assert_eq!(urls.len(), 3, "one Prism per upstream document: {urls:?}");
    }
}

/// Our spec declares `userAuth` and `applicationAuth`, so Prism refuses a
/// request without a token. Upstream's bundles use both schemes but declare
/// neither (spec/README.md, difference 1), so Prism checks no credentials at
/// all there.
#[tokio::test]
async fn security_is_checked_only_where_the_schemes_are_declared() {
    let h = Harness::start().await;
    let resp = reqwest::Client::new()
        .get(format!(
            "http://{}{API_PREFIX}/machine-identities/v2",
            h.proxy
        ))
        .send()
        .await
        .expect("the proxy answers");
    let exchange = h.only_exchange("listMachineIdentitiesV2");
    match h.spec {
        Spec::Ours => assert_eq!(resp.status(), 401, "{exchange:?}"),
        Spec::Upstream => {
            assert_eq!(resp.status(), 200, "{exchange:?}");
            assert_no_violation_logged("listMachineIdentitiesV2", &exchange);
        }
    }
}

// Machine Identities v1 (experimental).

#[tokio::test]
async fn list_machine_identities_v1_with_typed_filters_and_sorters() {
    type F = ListMachineIdentitiesV1Filter;
    type S = ListMachineIdentitiesV1SortField;
    let op = "listMachineIdentitiesV1";
    let h = Harness::start().await;
    let filter = F::native_identity().sw("agent:")
        & (F::subtype().in_(["AI Agent", "Application"]) | F::manually_edited().eq(false))
        & !F::owners_primary_identity_name().is_null();
    let result = h
        .client
        .machine_identities()
        .list_machine_identities_v1()
        .filters(filter.clone())
        .sorters([Sort::asc(S::NativeIdentity), Sort::desc(S::Created)])
        .count(true)
        .limit(50)
        .offset(0)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identities/v1",
        Service::MachineIdentities,
    );
    let filter_text = filter.to_string();
    assert_query(
        op,
        &exchange,
        &[
            ("filters", filter_text.as_str()),
            ("sorters", "nativeIdentity,-created"),
            ("count", "true"),
            ("limit", "50"),
            ("offset", "0"),
        ],
    );
    if let Some(page) = h.check(op, 200, result) {
        assert!(!page.is_empty(), "the example lists machine identities");
        assert_eq!(page.total_count(), h.expected_total_count());
    }
}

#[tokio::test]
async fn list_machine_identities_v1_stream_never_requests_more_than_max_items() {
    type F = ListMachineIdentitiesV1Filter;
    let h = Harness::start().await;
    let filter = F::source_id().in_([SOURCE_ID]);
    let results: Vec<_> = h
        .client
        .machine_identities()
        .list_machine_identities_v1()
        .filters(filter.clone())
        .sorters([ListMachineIdentitiesV1SortField::Name])
        .limit(2)
        .max_items(1)
        .stream()
        .collect()
        .await;
    // One page whose limit is cut from 2 to the 1 item still wanted.
    let filter_text = filter.to_string();
    let items = h.check_stream(
        "listMachineIdentitiesV1",
        results,
        &[(0, 1)],
        &[("filters", filter_text.as_str()), ("sorters", "name")],
    );
    if let Some(items) = items {
        assert_eq!(items.len(), 1);
    }
}

#[tokio::test]
async fn create_machine_identity_v1() {
    let op = "createMachineIdentityV1";
    let h = Harness::start().await;
    let mut body = MachineIdentityRequest::new("agent:payroll-sync", "AI Agent");
    body.name = Some("payroll-sync-agent".into());
    body.description = Some("Agent that syncs payroll data every night.".into());
    body.attributes = json!({"Region": "EU"}).as_object().cloned();
    body.owners = Some(MachineIdentityOwners::new(owner(), Vec::new()));
    body.source_id = Some(SOURCE_ID.into());
    body.user_entitlements = Some(vec![MachineIdentityUserEntitlementRequest::new(
        "4b0c7106a6c7438086f3024993664fc3",
        "5898b7c1620c49c6cccccbf81eb4bddd",
    )]);
    let result = h
        .client
        .machine_identities()
        .create_machine_identity_v1(body.clone())
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "POST",
        "/machine-identities/v1",
        Service::MachineIdentities,
    );
    assert_eq!(exchange.content_type.as_deref(), Some("application/json"));
    assert_eq!(sent_json(&exchange), serde_json::to_value(&body).unwrap());
    if let Some(created) = h.check(op, 200, result) {
        assert!(created.id.is_some(), "the server sets the id: {created:?}");
    }
}

#[tokio::test]
async fn get_machine_identity_v1() {
    let op = "getMachineIdentityV1";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .get_machine_identity_v1(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("/machine-identities/v1/{MACHINE_IDENTITY_ID}"),
        Service::MachineIdentities,
    );
    if let Some(identity) = h.check(op, 200, result) {
        let owners = identity.owners.as_ref().expect("example has owners");
        assert!(
            matches!(owners.primary_identity.r#type, Some(DtoType::Identity)),
            "{owners:?}"
        );
    }
}

#[tokio::test]
async fn update_machine_identity_v1_with_json_patch() {
    let op = "updateMachineIdentityV1";
    let h = Harness::start().await;
    let (patch, sent) = full_patch();
    let result = h
        .client
        .machine_identities()
        .update_machine_identity_v1(MACHINE_IDENTITY_ID, patch)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "PATCH",
        &format!("/machine-identities/v1/{MACHINE_IDENTITY_ID}"),
        Service::MachineIdentities,
    );
    assert_patch_sent(&exchange, &sent);
    if let Some(updated) = h.check(op, 200, result) {
        assert!(updated.id.is_some(), "{updated:?}");
    }
}

#[tokio::test]
async fn delete_machine_identity_v1() {
    let op = "deleteMachineIdentityV1";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .delete_machine_identity_v1(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "DELETE",
        &format!("/machine-identities/v1/{MACHINE_IDENTITY_ID}"),
        Service::MachineIdentities,
    );
    h.check(op, 204, result)
        .expect("upstream does not break this operation");
    assert!(exchange.response_body.is_empty());
}

#[tokio::test]
async fn list_machine_identity_anomalies_v1_with_sorters_and_count() {
    let op = "listMachineIdentityAnomaliesV1";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .list_machine_identity_anomalies_v1(MACHINE_IDENTITY_ID)
        .sorters([Sort::desc(
            ListMachineIdentityAnomaliesV1SortField::DetectedAt,
        )])
        .count(true)
        .limit(10)
        .offset(5)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("/machine-identities/v1/{MACHINE_IDENTITY_ID}/anomalies"),
        Service::MachineIdentities,
    );
    assert_query(
        op,
        &exchange,
        &[
            ("sorters", "-detectedAt"),
            ("count", "true"),
            ("limit", "10"),
            ("offset", "5"),
        ],
    );
    let page = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(!page.is_empty(), "the example lists anomalies");
    match h.spec {
        Spec::Ours => assert_eq!(page.total_count(), h.expected_total_count()),
        // Upstream declares the header here, with no example: Prism makes up an integer.
        Spec::Upstream => assert!(page.total_count().is_some(), "{:?}", page.headers()),
    }
}

#[tokio::test]
async fn get_unsanctioned_anomaly_summary_v1() {
    let op = "getUnsanctionedAnomalySummaryV1";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .get_unsanctioned_anomaly_summary_v1()
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identities/v1/anomaly-summaries/unsanctioned",
        Service::MachineIdentities,
    );
    let summary = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(summary.agent_count.is_some(), "{summary:?}");
}

// Machine Identities v2 (GA).

#[tokio::test]
async fn list_machine_identities_v2_with_typed_filters_and_sorters() {
    type F = ListMachineIdentitiesV2Filter;
    type S = ListMachineIdentitiesV2SortField;
    let op = "listMachineIdentitiesV2";
    let h = Harness::start().await;
    let filter = F::risk_severity().in_(["CRITICAL", "HIGH"])
        & F::owners_secondary_governance_group_id().eq("8a8f2b5c-3d1e-4f6a-9b7c-2e4d6f8a0b1c")
        & (F::native_identity().sw("agent:") | F::manually_edited().eq(true));
    let result = h
        .client
        .machine_identities()
        .list_machine_identities_v2()
        .filters(filter.clone())
        .sorters([Sort::desc(S::Modified), Sort::asc(S::SourceName)])
        .count(true)
        .limit(250)
        .offset(0)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identities/v2",
        Service::MachineIdentities,
    );
    let filter_text = filter.to_string();
    assert_query(
        op,
        &exchange,
        &[
            ("filters", filter_text.as_str()),
            ("sorters", "-modified,source.name"),
            ("count", "true"),
            ("limit", "250"),
            ("offset", "0"),
        ],
    );
    let page = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(!page.is_empty(), "the example lists machine identities");
    assert_eq!(page.total_count(), h.expected_total_count());
}

#[tokio::test]
async fn list_machine_identities_v2_stream_never_requests_more_than_max_items() {
    type F = ListMachineIdentitiesV2Filter;
    let h = Harness::start().await;
    let filter = F::subtype().eq("AI_AGENT");
    let results: Vec<_> = h
        .client
        .machine_identities()
        .list_machine_identities_v2()
        .filters(filter.clone())
        .sorters([ListMachineIdentitiesV2SortField::OwnersPrimaryIdentityName])
        .limit(3)
        .max_items(1)
        .stream()
        .collect()
        .await;
    let filter_text = filter.to_string();
    let items = h
        .check_stream(
            "listMachineIdentitiesV2",
            results,
            &[(0, 1)],
            &[
                ("filters", filter_text.as_str()),
                ("sorters", "owners.primaryIdentity.name"),
            ],
        )
        .expect("upstream does not break this operation");
    assert_eq!(items.len(), 1);
}

#[tokio::test]
async fn create_machine_identity_v2_answers_201() {
    let op = "createMachineIdentityV2";
    let h = Harness::start().await;
    // The spec's request example, as a user would write it.
    let sent = json!({
        "name": "payroll-sync-agent",
        "description": "Agent that syncs payroll data every night.",
        "attributes": {"region": "EU"},
        "owners": {
            "primary": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Cloud Admin"},
            "secondary": [{"type": "GOVERNANCE_GROUP", "id": "8a8f2b5c-3d1e-4f6a-9b7c-2e4d6f8a0b1c", "name": "Payroll Owners"}]
        },
        "subtype": "AI_AGENT",
        "nativeIdentity": "agent:payroll-sync",
        "environment": "PRODUCTION",
        "userEntitlements": [
            {"sourceId": "5898b7c1620c49c6cccccbf81eb4bddd", "entitlementId": "4b0c7106a6c7438086f3024993664fc3"}
        ]
    });
    let body: MachineIdentityV2 = serde_json::from_value(sent.clone()).expect("a valid body");
    let result = h
        .client
        .machine_identities()
        .create_machine_identity_v2(body)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "POST",
        "/machine-identities/v2",
        Service::MachineIdentities,
    );
    assert_eq!(exchange.content_type.as_deref(), Some("application/json"));
    assert_eq!(sent_json(&exchange), sent);
    let created = h
        .check(op, 201, result)
        .expect("upstream does not break this operation");
    assert!(created.id.is_some(), "the server sets the id: {created:?}");
}

#[tokio::test]
async fn get_machine_identity_v2() {
    let op = "getMachineIdentityV2";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .get_machine_identity_v2(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("/machine-identities/v2/{MACHINE_IDENTITY_ID}"),
        Service::MachineIdentities,
    );
    let identity = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(identity.id.is_some(), "{identity:?}");
}

#[tokio::test]
async fn update_machine_identity_v2_with_json_patch() {
    let op = "updateMachineIdentityV2";
    let h = Harness::start().await;
    let (patch, sent) = full_patch();
    let result = h
        .client
        .machine_identities()
        .update_machine_identity_v2(MACHINE_IDENTITY_ID, patch)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "PATCH",
        &format!("/machine-identities/v2/{MACHINE_IDENTITY_ID}"),
        Service::MachineIdentities,
    );
    assert_patch_sent(&exchange, &sent);
    let updated = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(updated.id.is_some(), "{updated:?}");
}

/// RFC 6902 allows any JSON value, and `null` is how a nullable field such as
/// `businessApplicationRefs` is cleared: our spec accepts it, upstream's
/// refuses it ([`NULL_PATCH_VALUE`]).
#[tokio::test]
async fn update_machine_identity_v2_clears_a_field_with_null() {
    let op = "updateMachineIdentityV2";
    let h = Harness::start().await;
    let patch = JsonPatch::new()
        .replace("/businessApplicationRefs", Value::Null)
        .expect("a valid JSON pointer");
    let result = h
        .client
        .machine_identities()
        .update_machine_identity_v2(MACHINE_IDENTITY_ID, patch)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_patch_sent(
        &exchange,
        &json!([{"op": "replace", "path": "/businessApplicationRefs", "value": null}]),
    );
    match h.spec {
        Spec::Ours => {
            h.check(op, 200, result);
        }
        Spec::Upstream => {
            let err = result.expect_err("upstream refuses a null value");
            assert_defect(op, &NULL_PATCH_VALUE, &err, &exchange);
        }
    }
}

#[tokio::test]
async fn delete_machine_identity_v2() {
    let op = "deleteMachineIdentityV2";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .delete_machine_identity_v2(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "DELETE",
        &format!("/machine-identities/v2/{MACHINE_IDENTITY_ID}"),
        Service::MachineIdentities,
    );
    h.check(op, 204, result)
        .expect("upstream does not break this operation");
    assert!(exchange.response_body.is_empty());
}

// User entitlements and aggregation (experimental).

#[tokio::test]
async fn list_machine_identity_user_entitlements_v1_with_typed_filters() {
    type F = ListMachineIdentityUserEntitlementsV1Filter;
    type S = ListMachineIdentityUserEntitlementsV1SortField;
    let op = "listMachineIdentityUserEntitlementsV1";
    let h = Harness::start().await;
    let filter = F::source_id().in_([SOURCE_ID, "5898b7c1620c49c6cccccbf81eb4bddd"])
        & F::entitlement_id().eq("4b0c7106a6c7438086f3024993664fc3");
    let result = h
        .client
        .machine_identities()
        .list_machine_identity_user_entitlements_v1()
        .filters(filter.clone())
        .sorters([
            Sort::asc(S::MachineIdentityName),
            Sort::desc(S::EntitlementName),
        ])
        .count(false)
        .limit(250)
        .offset(3)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identity-user-entitlements/v1",
        Service::MachineIdentities,
    );
    let filter_text = filter.to_string();
    assert_query(
        op,
        &exchange,
        &[
            ("filters", filter_text.as_str()),
            ("sorters", "machineIdentityName,-entitlement.name"),
            ("count", "false"),
            ("offset", "3"),
        ],
    );
    let page = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(!page.is_empty());
}

#[tokio::test]
async fn start_machine_identity_aggregation_v1() {
    let op = "startMachineIdentityAggregationV1";
    let h = Harness::start().await;
    let mut body = MachineIdentityAggregationRequest::new(vec![format!("{SOURCE_ID}:agents")]);
    body.disable_optimization = Some(true);
    let result = h
        .client
        .machine_identities()
        .start_machine_identity_aggregation_v1(SOURCE_ID, body)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "POST",
        &format!("/sources/v1/{SOURCE_ID}/aggregate-agents"),
        Service::MachineIdentities,
    );
    assert_eq!(
        sent_json(&exchange),
        json!({"datasetIds": [format!("{SOURCE_ID}:agents")], "disableOptimization": true})
    );
    let task = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(task.id.is_some(), "{task:?}");
}

// Ownership correlation configs (GA).

fn correlation_configs_path() -> String {
    format!("/sources/v1/{SOURCE_ID}/resources/{RESOURCE_ID}/correlation-configs")
}

#[tokio::test]
async fn list_ownership_correlation_configs_v1_by_type() {
    let op = "listOwnershipCorrelationConfigsV1";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .list_ownership_correlation_configs_v1(SOURCE_ID, RESOURCE_ID)
        .r#type(CorrelationConfigType::OwnerSecondary)
        .count(true)
        .limit(20)
        .offset(0)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &correlation_configs_path(),
        Service::MachineIdentities,
    );
    assert_query(
        op,
        &exchange,
        &[
            ("type", "OWNER_SECONDARY"),
            ("count", "true"),
            ("limit", "20"),
            ("offset", "0"),
        ],
    );
    let page = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(!page.is_empty(), "the example lists configs");
    assert_eq!(page.total_count(), h.expected_total_count());
}

#[tokio::test]
async fn get_ownership_correlation_config_v1() {
    let op = "getOwnershipCorrelationConfigV1";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .get_ownership_correlation_config_v1(SOURCE_ID, RESOURCE_ID, CONFIG_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("{}/{CONFIG_ID}", correlation_configs_path()),
        Service::MachineIdentities,
    );
    let config = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(
        !matches!(config.r#type, CorrelationConfigType::Unknown(_)),
        "the example's type is a documented value: {config:?}"
    );
}

#[tokio::test]
async fn patch_ownership_correlation_config_v1_with_json_patch() {
    let op = "patchOwnershipCorrelationConfigV1";
    let h = Harness::start().await;
    let patch = JsonPatch::new()
        .replace("/attributes/enabled", false)
        .and_then(|p| p.add("/rules/-", json!({"ruleType": "IDENTITY"})))
        .expect("valid JSON pointers");
    let result = h
        .client
        .machine_identities()
        .patch_ownership_correlation_config_v1(SOURCE_ID, RESOURCE_ID, CONFIG_ID, patch)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "PATCH",
        &format!("{}/{CONFIG_ID}", correlation_configs_path()),
        Service::MachineIdentities,
    );
    assert_patch_sent(
        &exchange,
        &json!([
            {"op": "replace", "path": "/attributes/enabled", "value": false},
            {"op": "add", "path": "/rules/-", "value": {"ruleType": "IDENTITY"}},
        ]),
    );
    let config = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(!config.id.is_empty(), "{config:?}");
}

#[tokio::test]
async fn delete_ownership_correlation_config_v1() {
    let op = "deleteOwnershipCorrelationConfigV1";
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .delete_ownership_correlation_config_v1(SOURCE_ID, RESOURCE_ID, CONFIG_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "DELETE",
        &format!("{}/{CONFIG_ID}", correlation_configs_path()),
        Service::MachineIdentities,
    );
    h.check(op, 204, result)
        .expect("upstream does not break this operation");
    assert!(exchange.response_body.is_empty());
}

// Classify Source and Declassify Source (experimental).

#[tokio::test]
async fn get_classify_machine_account_from_source_status_v1() {
    let op = "getClassifyMachineAccountFromSourceStatusV1";
    let h = Harness::start().await;
    let result = h
        .client
        .classify_source()
        .get_classify_machine_account_from_source_status_v1(SOURCE_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("/sources/v1/{SOURCE_ID}/classify"),
        Service::ClassifySource,
    );
    let status = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    let stage = status.status.as_ref().expect("the answer has a status");
    assert!(
        !matches!(stage, SourceClassificationStatusStatus::Unknown(_)),
        "the answer's status is a documented value: {stage:?}"
    );
    assert!(status.counts.is_some(), "{status:?}");
}

#[tokio::test]
async fn send_classify_machine_account_from_source_v1() {
    let op = "sendClassifyMachineAccountFromSourceV1";
    let h = Harness::start().await;
    let result = h
        .client
        .classify_source()
        .send_classify_machine_account_from_source_v1(SOURCE_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "POST",
        &format!("/sources/v1/{SOURCE_ID}/classify"),
        Service::ClassifySource,
    );
    assert!(exchange.request_body.is_empty(), "{exchange:?}");
    let submission = h
        .check(op, 200, result)
        .expect("upstream does not break this operation");
    assert!(
        submission.accounts_submitted_for_processing.is_some(),
        "the member named with spaces decodes: {submission:?}"
    );
}

#[tokio::test]
async fn delete_classify_machine_account_from_source_v1() {
    let op = "deleteClassifyMachineAccountFromSourceV1";
    let h = Harness::start().await;
    let result = h
        .client
        .classify_source()
        .delete_classify_machine_account_from_source_v1(SOURCE_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "DELETE",
        &format!("/sources/v1/{SOURCE_ID}/classify"),
        Service::ClassifySource,
    );
    h.check(op, 204, result)
        .expect("upstream does not break this operation");
    assert!(exchange.response_body.is_empty());
}

#[tokio::test]
async fn send_declassify_machine_account_from_source_v1() {
    let op = "sendDeclassifyMachineAccountFromSourceV1";
    let h = Harness::start().await;
    let result = h
        .client
        .declassify_source()
        .send_declassify_machine_account_from_source_v1(SOURCE_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "POST",
        &format!("/sources/v1/{SOURCE_ID}/declassify"),
        Service::DeclassifySource,
    );
    assert!(exchange.request_body.is_empty(), "{exchange:?}");
    h.check(op, 204, result)
        .expect("upstream does not break this operation");
    assert!(exchange.response_body.is_empty());
}

// Added since the 2026-08-22 snapshot (experimental). Upstream's bundles predate
// these 14 operations, so they run against our spec only; against upstream's
// Prisms a path such as `/machine-identities/v2/hostnames` would even match
// `/machine-identities/v2/{id}` and be answered as a machine identity.

/// The items of a multi-status answer, in order, as the server sent them.
fn bulk_items<T>(answer: MultiStatus<T>) -> Vec<T> {
    answer
        .into_outcomes()
        .into_iter()
        .map(ItemOutcome::into_item)
        .collect()
}

/// Whether the Prism under test has the operations added since the snapshot.
fn has_new_operations(h: &Harness) -> bool {
    h.spec == Spec::Ours
}

#[tokio::test]
async fn list_machine_identities_v2_with_the_entro_filters_and_sorters() {
    type F = ListMachineIdentitiesV2Filter;
    type S = ListMachineIdentitiesV2SortField;
    let op = "listMachineIdentitiesV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let filter = (F::session_count().ge(10) | F::suspicious_session_count().is_null())
        & F::entro_id().eq("entro-7f3c2a91")
        & F::insights().eq("stale-credentials");
    let result = h
        .client
        .machine_identities()
        .list_machine_identities_v2()
        .filters(filter.clone())
        .sorters([
            Sort::desc(S::SuspiciousSessionCount),
            Sort::asc(S::SessionCount),
        ])
        .limit(20)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identities/v2",
        Service::MachineIdentities,
    );
    let filter_text = filter.to_string();
    assert_eq!(
        filter_text,
        r#"(sessionCount ge 10 or suspiciousSessionCount isnull) and entroId eq "entro-7f3c2a91" and insights eq "stale-credentials""#
    );
    assert_query(
        op,
        &exchange,
        &[
            ("filters", filter_text.as_str()),
            ("sorters", "-suspiciousSessionCount,sessionCount"),
            ("limit", "20"),
        ],
    );
    let page = h.check(op, 200, result).expect("our spec");
    assert!(!page.is_empty());
}

#[tokio::test]
async fn get_machine_identity_v2_decodes_the_entro_fields() {
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    // The examples of our spec do not set them; the fields decode as absent, and
    // `check` proves nothing Prism sent was dropped.
    let result = h
        .client
        .machine_identities()
        .get_machine_identity_v2(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let identity = h
        .check("getMachineIdentityV2", 200, result)
        .expect("our spec");
    assert_eq!(identity.session_count, None);
}

#[tokio::test]
async fn delete_machine_identity_async_v1_and_v2() {
    for version in ["v1", "v2"] {
        let h = Harness::start().await;
        if !has_new_operations(&h) {
            return;
        }
        let mi = h.client.machine_identities();
        let (op, result) = if version == "v1" {
            let r = mi
                .delete_machine_identity_async_v1(MACHINE_IDENTITY_ID)
                .send()
                .await;
            ("deleteMachineIdentityAsyncV1", r)
        } else {
            let r = mi
                .delete_machine_identity_async_v2(MACHINE_IDENTITY_ID)
                .send()
                .await;
            ("deleteMachineIdentityAsyncV2", r)
        };
        let exchange = h.only_exchange(op);
        assert_request(
            &exchange,
            "DELETE",
            &format!("/machine-identities/{version}/{MACHINE_IDENTITY_ID}/delete-async"),
            Service::MachineIdentities,
        );
        assert!(exchange.request_body.is_empty(), "{exchange:?}");
        let task = h.check(op, 200, result).expect("our spec");
        assert!(!task.id.is_empty(), "{task:?}");
    }
}

#[tokio::test]
async fn agent_and_application_counts_v1_and_v2() {
    for (op, path) in [
        (
            "getMachineIdentityAgentCountsV1",
            "/machine-identities/v1/agent-counts",
        ),
        (
            "getMachineIdentityAgentCountsV2",
            "/machine-identities/v2/agent-counts",
        ),
        (
            "getMachineIdentityApplicationCountsV1",
            "/machine-identities/v1/application-counts",
        ),
        (
            "getMachineIdentityApplicationCountsV2",
            "/machine-identities/v2/application-counts",
        ),
    ] {
        let h = Harness::start().await;
        if !has_new_operations(&h) {
            return;
        }
        let mi = h.client.machine_identities();
        let total = match op {
            "getMachineIdentityAgentCountsV1" => h
                .check(
                    op,
                    200,
                    mi.get_machine_identity_agent_counts_v1().send().await,
                )
                .and_then(|c| c.agent_count),
            "getMachineIdentityAgentCountsV2" => h
                .check(
                    op,
                    200,
                    mi.get_machine_identity_agent_counts_v2().send().await,
                )
                .and_then(|c| c.agent_count),
            "getMachineIdentityApplicationCountsV1" => h
                .check(
                    op,
                    200,
                    mi.get_machine_identity_application_counts_v1().send().await,
                )
                .and_then(|c| c.application_count),
            _ => h
                .check(
                    op,
                    200,
                    mi.get_machine_identity_application_counts_v2().send().await,
                )
                .and_then(|c| c.application_count),
        };
        assert!(total.is_some_and(|n| n > 0), "{op}: {total:?}");
        let exchange = h.only_exchange(op);
        assert_request(&exchange, "GET", path, Service::MachineIdentities);
    }
}

#[tokio::test]
async fn get_machine_identity_all_counts_v1_with_the_owner_filter() {
    let op = "getMachineIdentityAllCountsV1";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let owner = GetMachineIdentityAllCountsV1Filter::owner_id().eq("me");
    let result = h
        .client
        .machine_identities()
        .get_machine_identity_all_counts_v1(owner)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identities/v1/all-counts",
        Service::MachineIdentities,
    );
    assert_query(op, &exchange, &[("filters", r#"ownerId eq "me""#)]);
    let counts = h.check(op, 200, result).expect("our spec");
    assert_eq!(counts.total_count, Some(48));
}

#[tokio::test]
async fn get_machine_identity_daily_counts_v1() {
    let op = "getMachineIdentityDailyCountsV1";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let result = h
        .client
        .machine_identities()
        .get_machine_identity_daily_counts_v1()
        .days(7)
        .entity_type("machine_identity")
        .sub_type("AI_AGENT")
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identities/v1/counts/daily",
        Service::MachineIdentities,
    );
    assert_query(
        op,
        &exchange,
        &[
            ("days", "7"),
            ("entityType", "machine_identity"),
            ("subType", "AI_AGENT"),
        ],
    );
    let counts = h.check(op, 200, result).expect("our spec");
    assert_eq!(counts.days.as_ref().map(Vec::len), Some(2), "{counts:?}");
}

#[tokio::test]
async fn delete_machine_identities_in_bulk_v2() {
    let op = "deleteMachineIdentitiesInBulkV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let body = MachineIdentityBulkRequest::new(vec![
        MACHINE_IDENTITY_ID.into(),
        "2c9180858082150f0180893dbaf44299".into(),
    ]);
    let result = h
        .client
        .machine_identities()
        .delete_machine_identities_in_bulk_v2(body.clone())
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "POST",
        "/machine-identities/v2/bulk-delete",
        Service::MachineIdentities,
    );
    assert_eq!(exchange.content_type.as_deref(), Some("application/json"));
    assert_eq!(sent_json(&exchange), serde_json::to_value(&body).unwrap());
    // The typed outcomes: the example deletes two and cannot find the third.
    let answer = result.as_ref().expect("our spec");
    let failed: Vec<_> = answer.failed().map(|o| (o.id(), o.status())).collect();
    assert_eq!(
        failed,
        [(Some("2c9180858082150f0180893dbaf44299"), Some(404))]
    );
    let results = h
        .check(op, 207, result.map(|r| r.map(bulk_items)))
        .expect("our spec");
    assert_eq!(results.len(), 3, "one result per id of the example");
}

#[tokio::test]
async fn update_machine_identities_in_bulk_v2() {
    let op = "updateMachineIdentitiesInBulkV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let mut replace = JsonPatchOperation::new(JsonPatchOperationOp::Replace, "/description");
    replace.value = Some(json!("Reviewed in the October access review."));
    let body =
        MachineIdentityBulkUpdateRequest::new(vec![MACHINE_IDENTITY_ID.into()], vec![replace]);
    let result = h
        .client
        .machine_identities()
        .update_machine_identities_in_bulk_v2(body.clone())
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "POST",
        "/machine-identities/v2/bulk-update",
        Service::MachineIdentities,
    );
    assert_eq!(exchange.content_type.as_deref(), Some("application/json"));
    assert_eq!(sent_json(&exchange), serde_json::to_value(&body).unwrap());
    let answer = result.as_ref().expect("our spec");
    assert!(!answer.is_complete(), "the example has a 409");
    assert_eq!(answer.succeeded().count(), 1);
    let results = h
        .check(op, 207, result.map(|r| r.map(bulk_items)))
        .expect("our spec");
    assert_eq!(results.len(), 2);
}

#[tokio::test]
async fn list_machine_identity_hostnames_v2_with_a_cursor() {
    let op = "listMachineIdentityHostnamesV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let result = h
        .client
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .prefix("build-")
        .limit(100)
        .cursor("build-agent-07.acme.internal")
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        "/machine-identities/v2/hostnames",
        Service::MachineIdentities,
    );
    assert_query(
        op,
        &exchange,
        &[
            ("prefix", "build-"),
            ("limit", "100"),
            ("cursor", "build-agent-07.acme.internal"),
        ],
    );
    let page = h.check(op, 200, result).expect("our spec");
    assert_eq!(page.len(), 3);
}

#[tokio::test]
async fn list_machine_identity_accounts_v2_with_typed_filters_and_sorters() {
    type F = ListMachineIdentityAccountsV2Filter;
    type S = ListMachineIdentityAccountsV2SortField;
    let op = "listMachineIdentityAccountsV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let since: chrono::DateTime<chrono::Utc> = "2026-09-01T00:00:00Z".parse().unwrap();
    let filter = F::enabled().eq(true)
        & F::last_used_at().ge(since)
        & F::permission_level().in_(["PRIVILEGED", "ELEVATED"]);
    let result = h
        .client
        .machine_identities()
        .list_machine_identity_accounts_v2(MACHINE_IDENTITY_ID)
        .filters(filter.clone())
        .sorters([Sort::desc(S::RiskSeverity), Sort::asc(S::Name)])
        .count(true)
        .limit(50)
        .offset(0)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("/machine-identities/v2/{MACHINE_IDENTITY_ID}/accounts"),
        Service::MachineIdentities,
    );
    let filter_text = filter.to_string();
    assert_query(
        op,
        &exchange,
        &[
            ("filters", filter_text.as_str()),
            ("sorters", "-risk.severity,name"),
            ("count", "true"),
            ("limit", "50"),
            ("offset", "0"),
        ],
    );
    let page = h.check(op, 200, result).expect("our spec");
    assert_eq!(page.len(), 2);
    assert_eq!(page.total_count(), h.expected_total_count());
}

#[tokio::test]
async fn list_machine_identity_capabilities_v2() {
    let op = "listMachineIdentityCapabilitiesV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let result = h
        .client
        .machine_identities()
        .list_machine_identity_capabilities_v2(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("/machine-identities/v2/{MACHINE_IDENTITY_ID}/capabilities"),
        Service::MachineIdentities,
    );
    let capabilities = h.check(op, 200, result).expect("our spec");
    assert_eq!(capabilities.len(), 2);
}

#[tokio::test]
async fn list_machine_identity_entitlements_v2_with_typed_filters_and_sorters() {
    type F = ListMachineIdentityEntitlementsV2Filter;
    let op = "listMachineIdentityEntitlementsV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let filter = F::entitlement_name().co("Payroll") | F::entitlement_name().sw("Backup");
    let result = h
        .client
        .machine_identities()
        .list_machine_identity_entitlements_v2(MACHINE_IDENTITY_ID)
        .filters(filter.clone())
        .sorters(Sort::desc(
            ListMachineIdentityEntitlementsV2SortField::EntitlementName,
        ))
        .count(true)
        .limit(25)
        .send()
        .await;
    let exchange = h.only_exchange(op);
    assert_request(
        &exchange,
        "GET",
        &format!("/machine-identities/v2/{MACHINE_IDENTITY_ID}/entitlements"),
        Service::MachineIdentities,
    );
    let filter_text = filter.to_string();
    assert_eq!(
        filter_text,
        r#"entitlementName co "Payroll" or entitlementName sw "Backup""#
    );
    assert_query(
        op,
        &exchange,
        &[
            ("filters", filter_text.as_str()),
            ("sorters", "-entitlementName"),
            ("count", "true"),
            ("limit", "25"),
        ],
    );
    let page = h.check(op, 200, result).expect("our spec");
    assert_eq!(page.len(), 1);
    assert_eq!(page.total_count(), h.expected_total_count());
}

/// Prism answers every page of the hostname list with the same example, whatever
/// the cursor: a server that ignores the cursor. The stream yields the first page
/// (cut to `limit`), asks for the next one after its last hostname, and ends with
/// `Error::RepeatedCursor` when that page ends at the same hostname: no loop, no
/// item yielded twice.
#[tokio::test]
async fn list_machine_identity_hostnames_v2_stream_stops_on_a_server_that_ignores_the_cursor() {
    let op = "listMachineIdentityHostnamesV2";
    let h = Harness::start().await;
    if !has_new_operations(&h) {
        return;
    }
    let results: Vec<_> = h
        .client
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .limit(2)
        .stream()
        .collect()
        .await;
    let exchanges = h.exchanges();
    assert_eq!(exchanges.len(), 2, "{exchanges:#?}");
    for ex in &exchanges {
        assert_experimental_header(op, ex);
        assert_no_violation_logged(op, ex);
        assert_eq!(ex.status, 200, "{ex:?}");
        assert_eq!(ex.query_value("limit").as_deref(), Some("2"));
    }
    assert_eq!(exchanges[0].query_value("cursor"), None);
    assert_eq!(
        exchanges[1].query_value("cursor").as_deref(),
        Some("build-agent-09.acme.internal")
    );
    let [Ok(first), Ok(second), Err(err)] = results.as_slice() else {
        panic!("{results:#?}")
    };
    assert_eq!(
        [first.as_str(), second.as_str()],
        [
            "build-agent-08.acme.internal",
            "build-agent-09.acme.internal"
        ]
    );
    assert!(matches!(err, Error::RepeatedCursor { .. }), "{err:?}");
}
