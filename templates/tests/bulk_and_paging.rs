//! Concurrent paging and bulk writes through the generated operations, against a
//! loopback server (wiremock) that keeps its own rate limit, as SailPoint does.
//!
//! No assertion here depends on timing, except lower bounds that a rate limit
//! guarantees and generous "did not hang" bounds.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use sailpoint_v2025::models::MachineIdentityRequest;
use sailpoint_v2025::{bulk, BulkOptions, BulkResult, Client, Error, RateLimit, RetryPolicy};

const LIST_PATH: &str = "/v2025/machine-identities";
/// Only stops a hung test from hanging the run; far above any expected time.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Machine identity number `i`, as the API sends it.
fn machine_identity(i: u64) -> Value {
    json!({
        "id": format!("2c9180858082150f0180893dbaf4{i:04}"),
        "name": format!("agent-{i}"),
        "created": "2025-03-14T09:21:07.512Z",
        "businessApplication": "Payroll",
        "attributes": {"index": i},
        "subtype": "AI Agent",
    })
}

fn index_of(item: &sailpoint_v2025::models::MachineIdentityResponse) -> u64 {
    let value = serde_json::to_value(item).unwrap();
    value["attributes"]["index"].as_u64().unwrap()
}

/// A token bucket like the server's: `capacity` requests, refilled at
/// `capacity` per `window`, full at the start.
struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(capacity: u32, window: Duration) -> Self {
        Bucket {
            capacity: f64::from(capacity),
            per_second: f64::from(capacity) / window.as_secs_f64(),
            tokens: f64::from(capacity),
            at: Instant::now(),
        }
    }

    /// `extra` more requests at once, at the same rate: room for requests sent
    /// in time that arrive bunched (their connections are not equally fast).
    fn with_slack(mut self, extra: u32) -> Self {
        self.capacity += f64::from(extra);
        self.tokens = self.capacity;
        self
    }

    /// Takes a token, or says how long until one is there.
    fn take(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        let elapsed = now.duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / self.per_second,
            ))
        }
    }
}

/// A stand-in tenant listing `len` machine identities.
struct Tenant {
    len: u64,
    /// Answers the page at offset 0 whatever the offset asked for.
    ignores_offset: bool,
    /// Sends `X-Total-Count` when asked with `count=true`.
    counts: bool,
    limit: Option<Mutex<Bucket>>,
    latency: Duration,
    requests: Arc<Mutex<Vec<String>>>,
    throttled: Arc<AtomicUsize>,
}

impl Tenant {
    fn new(len: u64) -> Self {
        Tenant {
            len,
            ignores_offset: false,
            counts: true,
            limit: None,
            latency: Duration::ZERO,
            requests: Arc::default(),
            throttled: Arc::default(),
        }
    }
}

impl Respond for Tenant {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = request.url.query().unwrap_or_default().to_owned();
        self.requests.lock().unwrap().push(query);
        if let Some(bucket) = &self.limit {
            if let Err(wait) = bucket.lock().unwrap().take() {
                self.throttled.fetch_add(1, Ordering::SeqCst);
                // Whole seconds, rounded up, as SailPoint sends it.
                let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
                return ResponseTemplate::new(429)
                    .insert_header("retry-after", secs.to_string().as_str())
                    .set_delay(self.latency);
            }
        }
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let limit: u64 = param("limit").map_or(250, |l| l.parse().unwrap());
        let offset: u64 = if self.ignores_offset {
            0
        } else {
            param("offset").map_or(0, |o| o.parse().unwrap())
        };
        let items: Vec<Value> = (offset..self.len.min(offset + limit))
            .map(machine_identity)
            .collect();
        let mut response = ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string(Value::Array(items).to_string())
            .set_delay(self.latency);
        if self.counts && param("count").as_deref() == Some("true") {
            response = response.insert_header("x-total-count", self.len.to_string().as_str());
        }
        response
    }
}

/// Mounts `tenant` at the list path; returns its request log and 429 counter.
async fn serve(server: &MockServer, tenant: Tenant) -> (Arc<Mutex<Vec<String>>>, Arc<AtomicUsize>) {
    let log = (tenant.requests.clone(), tenant.throttled.clone());
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .respond_with(tenant)
        .mount(server)
        .await;
    log
}

fn client(server: &MockServer, limit: Option<RateLimit>) -> Client {
    let builder = Client::builder()
        .base_url(server.uri())
        .bearer_token("t")
        .experimental(true)
        .retry_policy(RetryPolicy::default().max_attempts(8));
    match limit {
        Some(limit) => builder.rate_limit(limit),
        None => builder.no_rate_limit(),
    }
    .build()
    .unwrap()
}

/// Collects a stream into its item indexes and the error that ended it, if any.
async fn collect(
    stream: impl futures_util::Stream<
        Item = Result<
            sailpoint_v2025::models::MachineIdentityResponse,
            Error<impl std::fmt::Debug>,
        >,
    >,
) -> (Vec<u64>, Option<String>) {
    let all: Vec<_> = tokio::time::timeout(HANG_GUARD, stream.collect::<Vec<_>>())
        .await
        .expect("the stream did not end");
    let mut items = Vec::new();
    let mut error = None;
    for (i, result) in all.iter().enumerate() {
        match result {
            Ok(item) => items.push(index_of(item)),
            Err(e) => {
                assert_eq!(i, all.len() - 1, "an error ends the stream");
                error = Some(format!("{e:?}"));
            }
        }
    }
    (items, error)
}

#[tokio::test]
async fn concurrent_stream_yields_every_item_in_order_and_asks_for_the_total_first() {
    let server = MockServer::start().await;
    let (requests, _) = serve(&server, Tenant::new(2345)).await;
    let client = client(&server, None);

    let stream = client
        .machine_identities()
        .list_machine_identities()
        .limit(100)
        .concurrency(4)
        .stream();
    let (items, error) = collect(stream).await;

    assert_eq!(error, None);
    assert_eq!(items, (0..2345).collect::<Vec<_>>());
    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests[0], "count=true&limit=100&offset=0");
    assert_eq!(
        requests.iter().filter(|q| q.contains("count=true")).count(),
        1
    );
    // The total known, no request is wasted: 24 pages, the last one cut to 45.
    assert_eq!(requests.len(), 24, "{requests:?}");
    assert!(requests.contains(&"limit=45&offset=2300".to_owned()));
}

#[tokio::test]
async fn concurrent_stream_yields_exactly_max_items() {
    let server = MockServer::start().await;
    let (requests, _) = serve(&server, Tenant::new(5000)).await;
    let client = client(&server, None);

    let stream = client
        .machine_identities()
        .list_machine_identities()
        .limit(100)
        .max_items(1234)
        .concurrency(8)
        .stream();
    let (items, error) = collect(stream).await;

    assert_eq!(error, None);
    assert_eq!(items, (0..1234).collect::<Vec<_>>());
    let requests = requests.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        13,
        "never more than max_items: {requests:?}"
    );
    assert!(requests.contains(&"limit=34&offset=1200".to_owned()));
}

#[tokio::test]
async fn without_a_total_at_most_n_minus_1_requests_are_wasted() {
    let server = MockServer::start().await;
    let mut tenant = Tenant::new(2345);
    tenant.counts = false;
    let (requests, _) = serve(&server, tenant).await;
    let client = client(&server, None);

    let stream = client
        .machine_identities()
        .list_machine_identities()
        .limit(100)
        .concurrency(4)
        .stream();
    let (items, error) = collect(stream).await;

    assert_eq!(error, None);
    assert_eq!(items, (0..2345).collect::<Vec<_>>());
    let n = requests.lock().unwrap().len();
    // 24 pages with items; past them, the empty page plus at most 2 more.
    assert!((25..=27).contains(&n), "{n} requests");
}

#[tokio::test]
async fn a_server_that_ignores_offset_ends_in_a_typed_error_without_duplicates() {
    let server = MockServer::start().await;
    let mut tenant = Tenant::new(10_000);
    tenant.ignores_offset = true;
    tenant.counts = false;
    let (requests, _) = serve(&server, tenant).await;
    let client = client(&server, None);

    let stream = client
        .machine_identities()
        .list_machine_identities()
        .limit(100)
        .concurrency(4)
        .stream();
    let (items, error) = collect(stream).await;

    assert_eq!(
        items,
        (0..100).collect::<Vec<_>>(),
        "the page once, no more"
    );
    let error = error.expect("a typed error");
    assert!(error.starts_with("RepeatedPage"), "{error}");
    // The first page alone (it asked for the total), then at most 4 in flight.
    let n = requests.lock().unwrap().len();
    assert!((2..=5).contains(&n), "{n} requests");
}

#[tokio::test]
async fn clones_share_one_budget_so_a_server_with_the_same_limit_never_says_429() {
    let server = MockServer::start().await;
    let mut tenant = Tenant::new(1500);
    // 5 per 500 ms at the server, the same at the client, with room for one
    // more at once at the server. Three budgets of their own would send three
    // times that rate.
    let window = Duration::from_millis(500);
    tenant.limit = Some(Mutex::new(Bucket::new(5, window).with_slack(1)));
    let (requests, throttled) = serve(&server, tenant).await;
    let client = client(&server, Some(RateLimit::new(5, window)));

    let started = Instant::now();
    let streams = (0..3).map(|_| {
        let clone = client.clone();
        async move {
            collect(
                clone
                    .machine_identities()
                    .list_machine_identities()
                    .limit(100)
                    .concurrency(4)
                    .stream(),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(streams).await;
    let elapsed = started.elapsed();

    for (items, error) in results {
        assert_eq!(error, None);
        assert_eq!(items, (0..1500).collect::<Vec<_>>());
    }
    assert_eq!(
        throttled.load(Ordering::SeqCst),
        0,
        "one budget for all clones"
    );
    let n = requests.lock().unwrap().len();
    assert_eq!(n, 45, "15 pages each, the total known from the first");
    // 45 requests at 5 per 500 ms, the first 5 at once: at least 4 s.
    assert!(elapsed >= Duration::from_millis(3900), "{elapsed:?}");
}

#[tokio::test]
async fn a_server_limit_below_the_budget_costs_a_handful_of_429s() {
    let server = MockServer::start().await;
    let mut tenant = Tenant::new(4000);
    // The server allows 10 per second; the client believes 30.
    tenant.limit = Some(Mutex::new(Bucket::new(10, Duration::from_secs(1))));
    tenant.latency = Duration::from_millis(20);
    let (requests, throttled) = serve(&server, tenant).await;
    let client = client(&server, Some(RateLimit::new(30, Duration::from_secs(1))));

    let stream = client
        .machine_identities()
        .list_machine_identities()
        .limit(100)
        .concurrency(8)
        .stream();
    let (items, error) = collect(stream).await;

    assert_eq!(error, None);
    assert_eq!(items, (0..4000).collect::<Vec<_>>());
    let throttled = throttled.load(Ordering::SeqCst);
    let n = requests.lock().unwrap().len();
    assert_eq!(
        n,
        40 + throttled,
        "every 429 retried once more, nothing else"
    );
    // Without adaptation the client would meet a 429 about every other request
    // after the first burst; with it, a handful (bursts of up to 8 in flight).
    assert!(throttled >= 1, "the server's lower limit was reached");
    assert!(throttled <= 16, "{throttled} 429s for 40 pages");
}

#[tokio::test]
async fn dropping_the_stream_stops_requests_after_those_in_flight() {
    let server = MockServer::start().await;
    let mut tenant = Tenant::new(100_000);
    tenant.latency = Duration::from_millis(100);
    let (requests, _) = serve(&server, tenant).await;
    let client = client(&server, None);

    let mut stream = client
        .machine_identities()
        .list_machine_identities()
        .limit(100)
        .concurrency(4)
        .stream();
    let mut taken = 0;
    while taken < 1000 {
        let item = tokio::time::timeout(HANG_GUARD, stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(index_of(&item), taken);
        taken += 1;
    }
    drop(stream);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_drop = requests.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let later = requests.lock().unwrap().len();

    assert_eq!(later, after_drop, "no request after the stream was dropped");
    // 10 pages consumed, at most 4 in flight when it was dropped.
    assert!(after_drop <= 10 + 4, "{after_drop} requests");
}

// ---------------------------------------------------------------------------
// Bulk writes
// ---------------------------------------------------------------------------

/// Answers `POST /v2025/machine-identities` with the created item, except for
/// the names in `failing`, which get `status`; counts each name's requests.
struct Creator {
    failing: HashSet<String>,
    status: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Respond for Creator {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let name = body["name"].as_str().unwrap().to_owned();
        self.seen.lock().unwrap().push(name.clone());
        if self.failing.contains(&name) {
            return ResponseTemplate::new(self.status)
                .insert_header("content-type", "application/json")
                .set_body_string(
                    json!({"detailCode": "500.0 Internal Fault", "messages": []}).to_string(),
                );
        }
        let i: u64 = name.trim_start_matches("agent-").parse().unwrap();
        let mut item = machine_identity(i);
        item["name"] = Value::String(name);
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string(item.to_string())
            .set_delay(Duration::from_millis(10 * (i % 3)))
    }
}

async fn creator(server: &MockServer, failing: &[&str], status: u16) -> Arc<Mutex<Vec<String>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path(LIST_PATH))
        .respond_with(Creator {
            failing: failing.iter().map(|s| s.to_string()).collect(),
            status,
            seen: seen.clone(),
        })
        .mount(server)
        .await;
    seen
}

fn create_body(i: usize) -> MachineIdentityRequest {
    MachineIdentityRequest::new(format!("agent-{i}"), "Payroll", "AI Agent")
}

#[tokio::test]
async fn bulk_create_returns_results_in_input_order_and_never_resends_a_failed_post() {
    let server = MockServer::start().await;
    let seen = creator(&server, &["agent-3", "agent-7"], 503).await;
    let client = client(&server, Some(RateLimit::default()));

    let results = tokio::time::timeout(
        HANG_GUARD,
        bulk(0..12, BulkOptions::new().concurrency(4), |i| {
            let client = client.clone();
            async move {
                client
                    .machine_identities()
                    .create_machine_identity(create_body(i))
                    .send()
                    .await
            }
        }),
    )
    .await
    .unwrap();

    assert_eq!(results.len(), 12);
    for (i, result) in results.into_iter().enumerate() {
        match result {
            BulkResult::Ok(created) => {
                assert!(i != 3 && i != 7, "{i}");
                assert_eq!(created.name.as_deref(), Some(format!("agent-{i}").as_str()));
            }
            BulkResult::Err(error) => {
                assert!(i == 3 || i == 7, "{i}: {error}");
                assert_eq!(
                    error.attempts(),
                    Some(1),
                    "a POST answered 503 is not resent"
                );
            }
            BulkResult::NotStarted => panic!("{i} not started"),
        }
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 12, "one request per input: {seen:?}");
    let distinct: HashSet<_> = seen.iter().collect();
    assert_eq!(distinct.len(), 12);
}

#[tokio::test]
async fn bulk_delete_with_stop_on_error_leaves_later_inputs_not_started() {
    let server = MockServer::start().await;
    let deleted = Arc::new(Mutex::new(Vec::new()));
    let log = deleted.clone();
    Mock::given(method("DELETE"))
        .and(path_regex(r"^/v2025/machine-identities/[^/]+$"))
        .respond_with(move |request: &Request| {
            let id = request.url.path().rsplit('/').next().unwrap().to_owned();
            log.lock().unwrap().push(id.clone());
            if id == "id-2" {
                ResponseTemplate::new(500)
            } else {
                ResponseTemplate::new(204)
            }
        })
        .mount(&server)
        .await;
    let client = client(&server, Some(RateLimit::default()));
    let ids: Vec<String> = (0..10).map(|i| format!("id-{i}")).collect();

    let results = tokio::time::timeout(
        HANG_GUARD,
        bulk(
            ids,
            BulkOptions::new().concurrency(1).stop_on_error(true),
            |id| {
                let client = client.clone();
                async move {
                    client
                        .machine_identities()
                        .delete_machine_identity(id)
                        .send()
                        .await
                }
            },
        ),
    )
    .await
    .unwrap();

    assert_eq!(results.len(), 10);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert!(matches!(results[2], BulkResult::Err(_)));
    for (i, result) in results.iter().enumerate().skip(3) {
        assert!(matches!(result, BulkResult::NotStarted), "{i}");
    }
    let deleted = deleted.lock().unwrap().clone();
    // DELETE is idempotent, so the 500 may be retried; nothing after id-2 is sent.
    assert!(deleted
        .iter()
        .all(|id| ["id-0", "id-1", "id-2"].contains(&id.as_str())));
    assert_eq!(&deleted[..2], ["id-0", "id-1"]);
}
