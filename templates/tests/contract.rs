//! Contract test: every operation of the SDK against a Prism mock server.
//!
//! `cargo xtask contract` starts Prism (pinned in `xtask/prism/`) on our spec and
//! then on the upstream reference spec, and runs this test against each with
//! `PRISM_URL` (Prism's base URL) and `PRISM_SPEC` (`ours` or `upstream`) set.
//! By hand:
//!
//! ```text
//! xtask/prism/node_modules/.bin/prism mock -h 127.0.0.1 -p 4010 spec/sailpoint-v2025.yaml
//! PRISM_URL=http://127.0.0.1:4010 PRISM_SPEC=ours \
//!     cargo test -p sailpoint-v2025 --features contract-test --test contract
//! ```
//!
//! Prism checks each request against the spec (path, query, headers, body,
//! security) and each of its own example responses against the response
//! schema, and reports what fails in the `sl-violations` response header. A
//! response without that header is one Prism found valid on both sides, so
//! every test here fails on any `sl-violations`, and also asserts the
//! documented 2xx status and that the typed model holds exactly the JSON Prism
//! sent.
//!
//! Prism serves the spec's paths at its root: it ignores the path of the server
//! URL (`https://{tenant}.api.identitynow.com/v2025`), so `/machine-identities`
//! is found and `/v2025/machine-identities` is `NO_PATH_MATCHED_ERROR`. The SDK
//! always sends `{origin}/v2025/...`. So each test puts a small loopback proxy
//! between the SDK and Prism that strips the `/v2025` prefix (and answers 502
//! for a request outside it) and records every exchange. The record also shows
//! what the SDK's return values hide: the headers of each page that `stream()`
//! fetched, and the request exactly as sent (query, content type, body).
//!
//! With `PRISM_SPEC=upstream`, the operations that upstream's own document
//! breaks are listed in [`upstream_defect`], each with the reason; for those the
//! test asserts the exact failure instead of success, so that a change on either
//! side shows up.

use std::convert::Infallible;
use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, TRANSFER_ENCODING};
use sailpoint_v2025::filter::Sort;
use sailpoint_v2025::machine_identities::{
    ListMachineIdentitiesFilter, ListMachineIdentitiesSortField,
    ListMachineIdentityUserEntitlementsFilter, ListMachineIdentityUserEntitlementsSortField,
};
use sailpoint_v2025::meta::API_PREFIX;
use sailpoint_v2025::models::{
    BaseReferenceDto, DtoType, MachineIdentityAggregationRequest, MachineIdentityOwners,
    MachineIdentityRequest, MachineIdentityUserEntitlementRequest,
};
use sailpoint_v2025::patch::JsonPatch;
use sailpoint_v2025::{Client, Error, Response, RetryPolicy};
use serde_json::{json, Value};

const SOURCE_ID: &str = "ef38f94347e94562b5bb8424a56397d8";
const MACHINE_IDENTITY_ID: &str = "2c9180858082150f0180893dbaf44201";

/// Which spec Prism mocks, from `PRISM_SPEC`; this decides which expectations apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    /// `spec/sailpoint-v2025.yaml`, the spec the SDK is generated from.
    Ours,
    /// `../shared/reference/sailpoint-v2025-two-tags.yaml`, upstream's subset.
    Upstream,
}

fn spec() -> Spec {
    match std::env::var("PRISM_SPEC").as_deref() {
        Ok("ours") | Err(std::env::VarError::NotPresent) => Spec::Ours,
        Ok("upstream") => Spec::Upstream,
        other => panic!("PRISM_SPEC must be `ours` (the default) or `upstream`, got {other:?}"),
    }
}

fn prism_url() -> String {
    match std::env::var("PRISM_URL") {
        Ok(url) if !url.trim().is_empty() => url.trim().trim_end_matches('/').to_owned(),
        _ => panic!(
            "PRISM_URL is not set: this test needs a running Prism mock server. \
             Run `cargo xtask contract`, which starts Prism and sets it, or start \
             Prism yourself and set PRISM_URL (e.g. http://127.0.0.1:4010)"
        ),
    }
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
    /// The single violation Prism reports: location, code, message.
    violation: (&'static [&'static str], &'static str, &'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureKind {
    Api,
    Decode,
}

/// The operations that fail against upstream's spec, and exactly how. Every
/// other operation must succeed against both specs.
fn upstream_defect(operation_id: &str) -> Option<Defect> {
    const CLASSIFY_PATH_PARAM: Defect = Defect {
        reason: "upstream declares the path parameter `id` on the template \
                 `/sources/{sourceId}/classify`, so `id` can never be filled and \
                 Prism rejects every request",
        status: 400,
        kind: FailureKind::Api,
        violation: (
            &["request", "path"],
            "required",
            "Request path must have required property 'id'",
        ),
    };
    const ATTRIBUTES_STRING: &str = "upstream's example has `attributes` as the JSON \
        string '{\"Region\":\"EU\"}' on an object field; Prism flags its own example \
        and the SDK cannot decode it into a map";
    match operation_id {
        "getClassifyMachineAccountFromSourceStatus" | "deleteClassifyMachineAccountFromSource" => {
            Some(CLASSIFY_PATH_PARAM)
        }
        "createMachineIdentity" | "getMachineIdentity" | "updateMachineIdentity" => Some(Defect {
            reason: ATTRIBUTES_STRING,
            status: 200,
            kind: FailureKind::Decode,
            violation: (
                &["response", "body", "attributes"],
                "type",
                "Response body property attributes must be object",
            ),
        }),
        "listMachineIdentities" => Some(Defect {
            reason: ATTRIBUTES_STRING,
            status: 200,
            kind: FailureKind::Decode,
            violation: (
                &["response", "body", "0", "attributes"],
                "type",
                "Response body property 0.attributes must be object",
            ),
        }),
        _ => None,
    }
}

/// One request as the SDK sent it and Prism's answer, as the proxy saw them.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    /// Path and query as the SDK sent them, `/v2025` prefix included.
    target: String,
    content_type: Option<String>,
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
    log: Log,
}

impl Harness {
    async fn start() -> Harness {
        let prism = prism_url();
        let spec = spec();
        let log = Log::default();
        let proxy = start_proxy(prism, log.clone()).await;
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
    /// 200, request `(offset, limit)` as in `pages`, and carry `filters` and
    /// `sorters`; the items must be the pages' JSON items, in order, cut to each
    /// page's limit. Returns the items; `None` after asserting a known upstream
    /// defect (which ends the stream at the first page).
    fn check_stream<T, E>(
        &self,
        op: &str,
        results: Vec<Result<T, Error<E>>>,
        pages: &[(u64, u64)],
        filters: &str,
        sorters: &str,
    ) -> Option<Vec<T>>
    where
        T: serde::Serialize + Debug,
        E: Debug,
    {
        let exchanges = self.exchanges();
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
            assert_eq!(ex.query_value("filters").as_deref(), Some(filters), "{op}");
            assert_eq!(ex.query_value("sorters").as_deref(), Some(sorters), "{op}");
            let limit = ex.query_value("limit").unwrap().parse().unwrap();
            let page: Vec<Value> = serde_json::from_slice(&ex.response_body)
                .unwrap_or_else(|e| panic!("{op}: page is not a JSON array ({e}): {ex:?}"));
            expected.extend(page.into_iter().take(limit));
        }
        assert_same_json(op, &items, &serde_json::to_vec(&expected).unwrap());
        Some(items)
    }
}

/// Asserts that `err` is exactly the failure `defect` predicts.
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
    let (location, code, message) = defect.violation;
    let expected = vec![json!({
        "location": location,
        "severity": "Error",
        "code": code,
        "message": message,
    })];
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
/// RFC 3339 date-time is compared as an instant (`.000Z` comes back as `Z`).
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
        other => other,
    }
}

/// Starts the recording proxy: `http://{addr}/v2025/rest` is forwarded to `{prism}/rest`.
async fn start_proxy(prism: String, log: Log) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the proxy");
    let addr = listener.local_addr().expect("proxy address");
    let http = reqwest::Client::new();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (http, prism, log) = (http.clone(), prism.clone(), log.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    forward(req, http.clone(), prism.clone(), log.clone())
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

async fn forward(
    req: hyper::Request<hyper::body::Incoming>,
    http: reqwest::Client,
    prism: String,
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
        content_type: parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        request_body: body,
        status: status.as_u16(),
        violations: resp_headers
            .get("sl-violations")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        response_body: resp_body.clone(),
    });
    strip_hop_headers(&mut resp_headers);
    let mut resp = hyper::Response::new(Full::new(resp_body));
    *resp.status_mut() = status;
    *resp.headers_mut() = resp_headers;
    Ok(resp)
}

fn assert_request(exchange: &Exchange, method: &str, path: &str) {
    assert_eq!(exchange.method, method, "{exchange:?}");
    let sent_path = exchange.target.split('?').next().unwrap();
    assert_eq!(sent_path, format!("{API_PREFIX}{path}"), "{exchange:?}");
}

/// The JSON body of a request, as sent.
fn sent_json(exchange: &Exchange) -> Value {
    serde_json::from_slice(&exchange.request_body)
        .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {exchange:?}"))
}

/// Guards against a harness that sees nothing: an invalid request must come
/// back with Prism's `sl-violations`, and the proxy must record it.
#[tokio::test]
async fn prism_violations_are_detected() {
    let h = Harness::start().await;
    let resp = reqwest::Client::new()
        .get(format!(
            "http://{}{API_PREFIX}/machine-identities?limit=251",
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
    let exchange = h.only_exchange("listMachineIdentities");
    assert!(exchange.violations.is_some(), "{exchange:?}");
}

#[tokio::test]
async fn list_machine_identities_with_typed_filters_and_sorters() {
    type F = ListMachineIdentitiesFilter;
    type S = ListMachineIdentitiesSortField;
    let h = Harness::start().await;
    let filter = F::business_application().sw("Pay")
        & (F::subtype().in_(["AI Agent", "Application"]) | F::manually_edited().eq(false))
        & !F::owners_primary_identity_name().is_null();
    let result = h
        .client
        .machine_identities()
        .list_machine_identities()
        .filters(filter.clone())
        .sorters([Sort::asc(S::BusinessApplication), Sort::desc(S::Created)])
        .count(true)
        .limit(50)
        .offset(0)
        .send()
        .await;
    let exchange = h.only_exchange("listMachineIdentities");
    assert_request(&exchange, "GET", "/machine-identities");
    let query = exchange.query();
    let filter_text = filter.to_string();
    let expected = [
        ("filters", filter_text.as_str()),
        ("sorters", "businessApplication,-created"),
        ("count", "true"),
        ("limit", "50"),
        ("offset", "0"),
    ];
    for (key, value) in expected {
        assert!(
            query.contains(&(key.to_owned(), value.to_owned())),
            "{key}={value} missing from {query:?}"
        );
    }
    if let Some(page) = h.check("listMachineIdentities", 200, result) {
        assert!(!page.is_empty(), "the example lists machine identities");
        assert_eq!(
            page.total_count(),
            Some(2),
            "X-Total-Count, the header example"
        );
    }
}

#[tokio::test]
async fn list_machine_identities_stream_never_requests_more_than_max_items() {
    type F = ListMachineIdentitiesFilter;
    type S = ListMachineIdentitiesSortField;
    let h = Harness::start().await;
    let filter = F::source_id().in_([SOURCE_ID]);
    let results: Vec<_> = h
        .client
        .machine_identities()
        .list_machine_identities()
        .filters(filter.clone())
        .sorters([S::Name])
        .limit(2)
        .max_items(1)
        .stream()
        .collect()
        .await;
    // One page whose limit is cut from 2 to the 1 item still wanted.
    let items = h.check_stream(
        "listMachineIdentities",
        results,
        &[(0, 1)],
        &filter.to_string(),
        "name",
    );
    if let Some(items) = items {
        assert_eq!(items.len(), 1);
    }
}

#[tokio::test]
async fn list_machine_identity_user_entitlements_streams_pages() {
    type F = ListMachineIdentityUserEntitlementsFilter;
    type S = ListMachineIdentityUserEntitlementsSortField;
    let h = Harness::start().await;
    let filter = F::machine_identity_id().eq(MACHINE_IDENTITY_ID) | F::entitlement_name().sw("Pay");
    let results: Vec<_> = h
        .client
        .machine_identities()
        .list_machine_identity_user_entitlements()
        .filters(filter.clone())
        .sorters([
            Sort::asc(S::MachineIdentityName),
            Sort::desc(S::EntitlementName),
        ])
        .limit(1)
        .max_items(3)
        .stream()
        .collect()
        .await;
    // Prism answers every page with the same example, whatever the offset: the
    // page at offset 1 repeats the first byte for byte, so the stream yields
    // the first page's item and then `Error::RepeatedPage` — a server that
    // ignores `offset` is never paged in a loop, and no item comes twice.
    let mut results = results;
    let last = results.pop().expect("the stream yields something");
    assert!(
        matches!(
            last,
            Err(Error::RepeatedPage {
                offset: 1,
                first_offset: 0,
                ..
            })
        ),
        "{last:?}"
    );
    let op = "listMachineIdentityUserEntitlements";
    let exchanges = h.exchanges();
    let requested: Vec<(Option<String>, Option<String>)> = exchanges
        .iter()
        .map(|ex| (ex.query_value("offset"), ex.query_value("limit")))
        .collect();
    assert_eq!(
        requested,
        [
            (Some("0".into()), Some("1".into())),
            (Some("1".into()), Some("1".into()))
        ],
        "{op}: pages requested as (offset, limit)"
    );
    for ex in &exchanges {
        assert_no_violation_logged(op, ex);
        assert_eq!(ex.status, 200, "{op}: {ex:?}");
        assert_eq!(
            ex.query_value("filters").as_deref(),
            Some(filter.to_string().as_str()),
            "{op}"
        );
        assert_eq!(
            ex.query_value("sorters").as_deref(),
            Some("machineIdentityName,-entitlement.name"),
            "{op}"
        );
    }
    let items: Vec<_> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|err| panic!("{op}: {err}")))
        .collect();
    let page: Vec<Value> = serde_json::from_slice(&exchanges[0].response_body).unwrap();
    let first = serde_json::to_vec(&page[..1]).unwrap();
    assert_same_json(op, &items, &first);
    let entitlement = items[0]
        .entitlement
        .as_ref()
        .expect("example has an entitlement");
    assert!(
        matches!(entitlement.r#type, Some(DtoType::Entitlement)),
        "{entitlement:?}"
    );
}

#[tokio::test]
async fn list_machine_identity_user_entitlements_with_typed_filters() {
    type F = ListMachineIdentityUserEntitlementsFilter;
    type S = ListMachineIdentityUserEntitlementsSortField;
    let h = Harness::start().await;
    let filter = F::source_id().in_([SOURCE_ID, "5898b7c1620c49c6cccccbf81eb4bddd"])
        & F::entitlement_id().eq("4b0c7106a6c7438086f3024993664fc3");
    let result = h
        .client
        .machine_identities()
        .list_machine_identity_user_entitlements()
        .filters(filter.clone())
        .sorters([S::SourceName])
        .count(false)
        .limit(250)
        .offset(3)
        .send()
        .await;
    let exchange = h.only_exchange("listMachineIdentityUserEntitlements");
    assert_request(&exchange, "GET", "/machine-identity-user-entitlements");
    assert_eq!(exchange.query_value("filters"), Some(filter.to_string()));
    assert_eq!(
        exchange.query_value("sorters").as_deref(),
        Some("source.name")
    );
    assert_eq!(exchange.query_value("offset").as_deref(), Some("3"));
    let page = h
        .check("listMachineIdentityUserEntitlements", 200, result)
        .expect("upstream does not break this operation");
    assert!(!page.is_empty());
}

#[tokio::test]
async fn create_machine_identity() {
    let h = Harness::start().await;
    let mut owner = BaseReferenceDto::default();
    owner.r#type = Some(DtoType::Identity);
    owner.id = Some("2c9180a46faadee4016fb4e018c20639".into());
    owner.name = Some("Cloud Admin".into());
    let mut body = MachineIdentityRequest::new("payroll-sync-agent", "Payroll", "AI Agent");
    body.description = Some("Agent that syncs payroll data every night.".into());
    body.attributes = Some(
        json!({"Region": "EU", "securityRisk": "medium"})
            .as_object()
            .cloned()
            .unwrap(),
    );
    body.owners = Some(MachineIdentityOwners::new(owner, Vec::new()));
    body.source_id = Some(SOURCE_ID.into());
    body.native_identity = Some("agent:payroll-sync".into());
    body.user_entitlements = Some(vec![MachineIdentityUserEntitlementRequest::new(
        "4b0c7106a6c7438086f3024993664fc3",
        "5898b7c1620c49c6cccccbf81eb4bddd",
    )]);
    let result = h
        .client
        .machine_identities()
        .create_machine_identity(body.clone())
        .send()
        .await;
    let exchange = h.only_exchange("createMachineIdentity");
    assert_request(&exchange, "POST", "/machine-identities");
    assert_eq!(exchange.content_type.as_deref(), Some("application/json"));
    assert_eq!(sent_json(&exchange), serde_json::to_value(&body).unwrap());
    if let Some(created) = h.check("createMachineIdentity", 200, result) {
        assert!(created.id.is_some(), "the server sets the id: {created:?}");
    }
}

#[tokio::test]
async fn get_machine_identity() {
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .get_machine_identity(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let exchange = h.only_exchange("getMachineIdentity");
    assert_request(
        &exchange,
        "GET",
        &format!("/machine-identities/{MACHINE_IDENTITY_ID}"),
    );
    if let Some(identity) = h.check("getMachineIdentity", 200, result) {
        let owners = identity.owners.as_ref().expect("example has owners");
        assert!(
            matches!(owners.primary_identity.r#type, Some(DtoType::Identity)),
            "{owners:?}"
        );
    }
}

#[tokio::test]
async fn update_machine_identity_with_json_patch() {
    let h = Harness::start().await;
    let patch = JsonPatch::new()
        .test("/subtype", "AI Agent")
        .and_then(|p| p.add("/attributes/securityRisk", "high"))
        .and_then(|p| p.replace("/description", Value::Null))
        .and_then(|p| p.remove("/nativeIdentity"))
        .and_then(|p| p.copy_from("/name", "/attributes/displayName"))
        .and_then(|p| p.move_from("/attributes/Region", "/attributes/region"))
        .expect("valid JSON pointers");
    let result = h
        .client
        .machine_identities()
        .update_machine_identity(MACHINE_IDENTITY_ID, patch)
        .send()
        .await;
    let exchange = h.only_exchange("updateMachineIdentity");
    assert_request(
        &exchange,
        "PATCH",
        &format!("/machine-identities/{MACHINE_IDENTITY_ID}"),
    );
    // Prism drops the `+json` suffix before comparing request content types, so
    // it would accept `application/json` here too: the proxy checks it instead
    // (as do the SDK's loopback tests).
    assert_eq!(
        exchange.content_type.as_deref(),
        Some("application/json-patch+json")
    );
    assert_eq!(
        sent_json(&exchange),
        json!([
            {"op": "test", "path": "/subtype", "value": "AI Agent"},
            {"op": "add", "path": "/attributes/securityRisk", "value": "high"},
            {"op": "replace", "path": "/description", "value": null},
            {"op": "remove", "path": "/nativeIdentity"},
            {"op": "copy", "from": "/name", "path": "/attributes/displayName"},
            {"op": "move", "from": "/attributes/Region", "path": "/attributes/region"},
        ])
    );
    if let Some(updated) = h.check("updateMachineIdentity", 200, result) {
        assert!(updated.id.is_some(), "{updated:?}");
    }
}

#[tokio::test]
async fn delete_machine_identity() {
    let h = Harness::start().await;
    let result = h
        .client
        .machine_identities()
        .delete_machine_identity(MACHINE_IDENTITY_ID)
        .send()
        .await;
    let exchange = h.only_exchange("deleteMachineIdentity");
    assert_request(
        &exchange,
        "DELETE",
        &format!("/machine-identities/{MACHINE_IDENTITY_ID}"),
    );
    h.check("deleteMachineIdentity", 204, result)
        .expect("upstream does not break this operation");
    assert!(exchange.response_body.is_empty());
}

#[tokio::test]
async fn start_machine_identity_aggregation() {
    let h = Harness::start().await;
    let mut body = MachineIdentityAggregationRequest::new(vec![format!("{SOURCE_ID}:agents")]);
    body.disable_optimization = Some(true);
    let result = h
        .client
        .machine_identities()
        .start_machine_identity_aggregation(SOURCE_ID, body)
        .send()
        .await;
    let exchange = h.only_exchange("startMachineIdentityAggregation");
    assert_request(
        &exchange,
        "POST",
        &format!("/sources/{SOURCE_ID}/aggregate-agents"),
    );
    assert_eq!(
        sent_json(&exchange),
        json!({"datasetIds": [format!("{SOURCE_ID}:agents")], "disableOptimization": true})
    );
    let task = h
        .check("startMachineIdentityAggregation", 200, result)
        .expect("upstream does not break this operation");
    assert!(task.id.is_some(), "{task:?}");
}

#[tokio::test]
async fn send_classify_machine_account_from_source() {
    let h = Harness::start().await;
    let result = h
        .client
        .classify_source()
        .send_classify_machine_account_from_source(SOURCE_ID)
        .send()
        .await;
    let exchange = h.only_exchange("sendClassifyMachineAccountFromSource");
    assert_request(&exchange, "POST", &format!("/sources/{SOURCE_ID}/classify"));
    let submission = h
        .check("sendClassifyMachineAccountFromSource", 200, result)
        .expect("upstream does not break this operation");
    assert!(
        submission.accounts_submitted_for_processing.is_some(),
        "the member named with spaces decodes: {submission:?}"
    );
}

#[tokio::test]
async fn get_classify_machine_account_from_source_status() {
    let h = Harness::start().await;
    let result = h
        .client
        .classify_source()
        .get_classify_machine_account_from_source_status(SOURCE_ID)
        .send()
        .await;
    let exchange = h.only_exchange("getClassifyMachineAccountFromSourceStatus");
    assert_request(&exchange, "GET", &format!("/sources/{SOURCE_ID}/classify"));
    if let Some(status) = h.check("getClassifyMachineAccountFromSourceStatus", 200, result) {
        let stage = status.status.as_ref().expect("example has a status");
        assert!(
            !matches!(
                stage,
                sailpoint_v2025::models::SourceClassificationStatusStatus::Unknown(_)
            ),
            "the example's status is a documented value: {stage:?}"
        );
        assert!(status.counts.is_some(), "{status:?}");
    }
}

#[tokio::test]
async fn delete_classify_machine_account_from_source() {
    let h = Harness::start().await;
    let result = h
        .client
        .classify_source()
        .delete_classify_machine_account_from_source(SOURCE_ID)
        .send()
        .await;
    let exchange = h.only_exchange("deleteClassifyMachineAccountFromSource");
    assert_request(
        &exchange,
        "DELETE",
        &format!("/sources/{SOURCE_ID}/classify"),
    );
    h.check("deleteClassifyMachineAccountFromSource", 204, result);
}
