//! `cargo xtask bench-paging`: listing machine identities at the tenant's rate
//! limit (issue 12), measured black-box against a loopback stand-in tenant.
//!
//! The stand-in ([`StandIn`]) is an HTTP/1.1 server (hyper 1 on tokio) that
//! serves `N` synthetic machine identities, waits a configurable latency before
//! every API answer, and enforces a per-client-id token bucket, answering `429`
//! with `Retry-After` past the limit. Every run gets a fresh server and is a
//! child process that knows nothing of the harness but `SAIL_BASE_URL`,
//! `SAIL_CLIENT_ID` and `SAIL_CLIENT_SECRET`:
//!
//! - `sequential`, `cN`: our SDK's example binary
//!   `target/release/examples/list_machine_identities` (`--max M`, and
//!   `--concurrency N` for `cN`); its stdout is one JSON object per line;
//! - `python`: SailPoint's Python SDK `Paginator` (PyPI `sailpoint` 1.4.x) via
//!   `xtask/bench_paging/anchor.py` in a venv under `target/bench-paging/venv`;
//!   its stdout is one id per line.
//!
//! For each run the harness records wall time (spawn to exit), the requests and
//! 429s the server saw, the most requests it had in flight at once, the items
//! printed, and how many distinct ids they hold. The anchor also reports its own
//! import, token and paging times; its paging time is the one compared, because
//! importing the Python SDK takes seconds of CPU. A run that fails is reported
//! with its error and the next run goes ahead.
//!
//! Server model, in detail:
//! - `POST /oauth/token` (form `grant_type=client_credentials&client_id=..&
//!   client_secret=..`) answers a fresh bearer token bound to the client id. It
//!   is not rate limited, and it waits the same latency as the API (a real
//!   token request is a round trip too).
//! - `GET /v2025/machine-identities` (needs `X-SailPoint-Experimental: true`) and
//!   `GET /machine-identities/v2` serve the same ids in the same order, each in
//!   its own item shape; `limit` (default 250, over 250 is a `400`), `offset`
//!   (default 0) and `count=true` (`X-Total-Count`) are honoured, `filters` and
//!   `sorters` ignored.
//! - Rate limit, per client id, one of two kinds (`--limiter`):
//!   - `bucket` (the default): a token bucket of capacity `L`, refilled
//!     continuously at `L` per window, full at start;
//!   - `window`: a sliding window, at most `L` admitted requests in any
//!     window (issue 21, point 9).
//!
//!   The decision is taken when the request arrives; the answer (200, 429, or
//!   any error) leaves after the latency. A 429 carries `Retry-After` in whole
//!   seconds, rounded up, of the time until the bucket holds one token again,
//!   or until the oldest admitted request leaves the window.
//!
//! The physical limit printed with each table is the issue's: the time the
//! bucket needs to admit the `P` page requests (`P - L` of them at `L` per
//! window, the first `L` at once), plus one round trip. The token round trip
//! comes on top of that in every run. Each row also shows the best possible
//! for its run ([`best_possible`]): a client that knows the server and sends
//! each page as soon as the server would admit it, with the same token round
//! trip, the first page alone and at most N pages in flight.

use anyhow::{bail, Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// The most items one page may hold, as on the real API.
const MAX_PAGE: u64 = 250;

/// Client credentials every run uses.
const CLIENT_ID: &str = "bench-client";
const CLIENT_SECRET: &str = "bench-secret";

/// What the stand-in tenant serves and how it throttles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServerConfig {
    /// Machine identities served.
    pub items: u64,
    /// Wait before every answer (API and token).
    pub latency: Duration,
    /// Token bucket capacity: requests per window, per client id.
    pub limit: u32,
    /// The window the limit applies to.
    pub window: Duration,
    /// How the server counts.
    pub limiter: Limiter,
}

/// How the stand-in counts requests per client id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limiter {
    /// A token bucket: `limit` at once, refilled at `limit` per window.
    Bucket,
    /// A sliding window: at most `limit` admitted requests in any window.
    Window,
}

impl Limiter {
    fn parse(text: &str) -> Result<Limiter> {
        match text {
            "bucket" => Ok(Limiter::Bucket),
            "window" => Ok(Limiter::Window),
            other => bail!("--limiter: `{other}` is not bucket or window"),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Limiter::Bucket => "token bucket",
            Limiter::Window => "sliding window",
        }
    }
}

impl ServerConfig {
    /// Requests admitted per second once the bucket is empty.
    fn rate(&self) -> f64 {
        f64::from(self.limit) / self.window.as_secs_f64()
    }

    /// The time the limiter needs to admit `pages` requests sent at once,
    /// plus one round trip: a bucket admits `limit` at once and then `limit`
    /// per window; a sliding window admits `limit` per window.
    pub fn physical_limit(&self, pages: u64) -> Duration {
        match self.limiter {
            Limiter::Bucket => {
                let queued = pages.saturating_sub(u64::from(self.limit));
                Duration::from_secs_f64(queued as f64 / self.rate()) + self.latency
            }
            Limiter::Window => {
                let windows = pages.saturating_sub(1) / u64::from(self.limit);
                self.window * u32::try_from(windows).unwrap_or(u32::MAX) + self.latency
            }
        }
    }
}

/// The best possible time for `pages` pages with at most `concurrency` in
/// flight: a client that knows the server's limiter sends each page as soon
/// as a slot is free and the limiter would admit it, so it never meets a
/// `429`. Like the SDK's example, it fetches a token first (one round trip)
/// and sends the first page alone (it asks for the total); sequential runs
/// are `concurrency` 1. Computed in virtual time, with the stand-in's own
/// counters.
pub fn best_possible(config: &ServerConfig, pages: u64, concurrency: u32) -> Duration {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let t0 = Instant::now();
    let mut counter = Counter::new(config, t0);
    // Pages are sent in order of time, as the server sees them.
    let mut last = t0;
    let mut admit = |at: Instant| {
        let mut at = at.max(last);
        loop {
            match counter.take(at, config) {
                Ok(()) => {
                    last = at;
                    return at;
                }
                Err(wait) => at += wait.max(Duration::from_nanos(1)),
            }
        }
    };
    if pages == 0 {
        return config.latency;
    }
    // The token, then the first page alone.
    let first = admit(t0 + config.latency) + config.latency;
    let mut end = first;
    let mut free: BinaryHeap<Reverse<Instant>> =
        (0..concurrency.max(1)).map(|_| Reverse(first)).collect();
    for _ in 1..pages {
        let Reverse(slot) = free.pop().expect("at least one slot");
        let answered = admit(slot) + config.latency;
        end = end.max(answered);
        free.push(Reverse(answered));
    }
    end - t0
}

// ---------------------------------------------------------------------------
// Token bucket
// ---------------------------------------------------------------------------

/// One client id's budget: `capacity` tokens, refilled at `rate` per second.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(capacity: u32, now: Instant) -> Self {
        Bucket {
            tokens: f64::from(capacity),
            last: now,
        }
    }

    /// Takes one token, or says how long until one is there.
    fn take(&mut self, now: Instant, capacity: u32, rate: f64) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(f64::from(capacity));
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / rate))
        }
    }
}

/// One client id's sliding window: the arrival times of the requests admitted
/// in the last window, oldest first.
#[derive(Debug, Default)]
struct Window {
    admitted: std::collections::VecDeque<Instant>,
}

impl Window {
    /// Admits a request arriving at `now`, or says how long until the oldest
    /// admitted one leaves the window.
    fn take(&mut self, now: Instant, limit: u32, window: Duration) -> Result<(), Duration> {
        while self.admitted.front().is_some_and(|&at| at + window <= now) {
            self.admitted.pop_front();
        }
        if self.admitted.len() < limit as usize {
            self.admitted.push_back(now);
            Ok(())
        } else {
            let oldest = self.admitted[self.admitted.len() - limit as usize];
            Err((oldest + window).saturating_duration_since(now))
        }
    }
}

/// One client id's counter, of the configured kind.
#[derive(Debug)]
enum Counter {
    Bucket(Bucket),
    Window(Window),
}

impl Counter {
    fn new(config: &ServerConfig, now: Instant) -> Counter {
        match config.limiter {
            Limiter::Bucket => Counter::Bucket(Bucket::full(config.limit, now)),
            Limiter::Window => Counter::Window(Window::default()),
        }
    }

    fn take(&mut self, now: Instant, config: &ServerConfig) -> Result<(), Duration> {
        match self {
            Counter::Bucket(bucket) => bucket.take(now, config.limit, config.rate()),
            Counter::Window(window) => window.take(now, config.limit, config.window),
        }
    }
}

/// `Retry-After` in whole seconds, rounded up, at least 1.
fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

// ---------------------------------------------------------------------------
// The stand-in tenant
// ---------------------------------------------------------------------------

/// What the server counted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    /// `POST /oauth/token` requests.
    pub token_requests: u64,
    /// Every other request (the API), including those answered 429.
    pub requests: u64,
    /// Answers with status 429.
    pub too_many: u64,
    /// Requests and 429s per path (no query).
    pub per_path: BTreeMap<String, (u64, u64)>,
    /// The most API requests in flight at one time.
    pub max_in_flight: u64,
}

struct State {
    config: ServerConfig,
    /// When the stand-in started, and every API request's arrival (ms after it) and status.
    started: Instant,
    trace: Mutex<Vec<(u128, u16)>>,
    /// Access token -> client id.
    tokens: Mutex<HashMap<String, String>>,
    buckets: Mutex<HashMap<String, Counter>>,
    counters: Mutex<Counters>,
    in_flight: AtomicU64,
    next_token: AtomicU64,
    v2025_item: ItemTemplate,
    v2_item: ItemTemplate,
}

/// A stand-in tenant listening on `127.0.0.1`, stopped on drop.
pub struct StandIn {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl StandIn {
    /// Binds a free loopback port and serves until dropped. Needs a tokio runtime.
    pub async fn start(config: ServerConfig) -> Result<StandIn> {
        if config.limit == 0 || config.window.is_zero() {
            bail!("the rate limit needs a limit and a window above 0");
        }
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the stand-in tenant")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            config,
            tokens: Mutex::default(),
            buckets: Mutex::default(),
            counters: Mutex::default(),
            in_flight: AtomicU64::new(0),
            next_token: AtomicU64::new(1),
            started: Instant::now(),
            trace: Mutex::default(),
            v2025_item: ItemTemplate::new(&v2025_item()),
            v2_item: ItemTemplate::new(&v2_item()),
        });
        let accept_state = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let state = accept_state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(&state, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(StandIn { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`, the value for `SAIL_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every API request so far: its arrival (ms after the start) and status.
    pub fn trace(&self) -> Vec<(u128, u16)> {
        self.state.trace.lock().unwrap().clone()
    }

    /// What the server has counted so far.
    pub fn counters(&self) -> Counters {
        self.state.counters.lock().unwrap().clone()
    }
}

type Answer = Response<Full<Bytes>>;

async fn handle(state: &State, req: Request<Incoming>) -> Answer {
    let path = req.uri().path().to_owned();
    if path == "/oauth/token" {
        state.counters.lock().unwrap().token_requests += 1;
        let answer = token(state, req).await;
        tokio::time::sleep(state.config.latency).await;
        return answer;
    }
    {
        let mut counters = state.counters.lock().unwrap();
        counters.requests += 1;
        counters.per_path.entry(path.clone()).or_default().0 += 1;
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        counters.max_in_flight = counters.max_in_flight.max(now);
    }
    let arrived = state.started.elapsed().as_millis();
    let answer = api(state, &req, &path);
    state
        .trace
        .lock()
        .unwrap()
        .push((arrived, answer.status().as_u16()));
    if answer.status() == StatusCode::TOO_MANY_REQUESTS {
        let mut counters = state.counters.lock().unwrap();
        counters.too_many += 1;
        counters.per_path.entry(path).or_default().1 += 1;
    }
    tokio::time::sleep(state.config.latency).await;
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    answer
}

fn json_answer(status: StatusCode, body: String) -> Answer {
    let mut answer = Response::new(Full::new(Bytes::from(body)));
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    answer
}

/// The error body SailPoint's API uses (`ErrorResponseDto`), trimmed.
fn error_answer(status: StatusCode, text: &str) -> Answer {
    let body = serde_json::json!({
        "detailCode": status.canonical_reason().unwrap_or("error"),
        "trackingId": "bench-paging",
        "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": text}],
    });
    json_answer(status, body.to_string())
}

async fn token(state: &State, req: Request<Incoming>) -> Answer {
    if req.method() != Method::POST {
        return error_answer(StatusCode::METHOD_NOT_ALLOWED, "POST only");
    }
    let Ok(body) = req.into_body().collect().await else {
        return error_answer(StatusCode::BAD_REQUEST, "unreadable body");
    };
    let form = parse_pairs(&String::from_utf8_lossy(&body.to_bytes()));
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return error_answer(
            StatusCode::BAD_REQUEST,
            "grant_type must be client_credentials",
        );
    }
    let client_id = field("client_id");
    if client_id.is_empty() || field("client_secret").is_empty() {
        return error_answer(
            StatusCode::UNAUTHORIZED,
            "client_id and client_secret needed",
        );
    }
    let n = state.next_token.fetch_add(1, Ordering::SeqCst);
    let access_token = format!("bench-token-{n}");
    state
        .tokens
        .lock()
        .unwrap()
        .insert(access_token.clone(), client_id.to_owned());
    let body = serde_json::json!({
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": 3600,
    });
    json_answer(StatusCode::OK, body.to_string())
}

fn api(state: &State, req: &Request<Incoming>, path: &str) -> Answer {
    // Authentication: `Bearer TOKEN` (a bare token is accepted too).
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
    let client_id = token.and_then(|t| state.tokens.lock().unwrap().get(&t).cloned());
    let Some(client_id) = client_id else {
        return error_answer(StatusCode::UNAUTHORIZED, "missing or unknown bearer token");
    };

    // Rate limit, per client id.
    let config = &state.config;
    let admitted = state
        .buckets
        .lock()
        .unwrap()
        .entry(client_id)
        .or_insert_with(|| Counter::new(config, Instant::now()))
        .take(Instant::now(), config);
    if let Err(wait) = admitted {
        let mut answer = error_answer(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
        answer
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs(wait)));
        return answer;
    }

    if req.method() != Method::GET {
        return error_answer(StatusCode::METHOD_NOT_ALLOWED, "GET only");
    }
    let template = match path {
        "/v2025/machine-identities" => {
            let experimental = req
                .headers()
                .get("x-sailpoint-experimental")
                .and_then(|v| v.to_str().ok());
            if !experimental.is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                return error_answer(
                    StatusCode::BAD_REQUEST,
                    "this experimental API needs X-SailPoint-Experimental: true",
                );
            }
            &state.v2025_item
        }
        "/machine-identities/v2" => &state.v2_item,
        _ => return error_answer(StatusCode::NOT_FOUND, "no such path on the stand-in"),
    };
    let query = parse_pairs(req.uri().query().unwrap_or(""));
    let number = |name: &str, default: u64| match query.get(name) {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .map_err(|_| format!("{name} must be a non-negative integer")),
    };
    let (limit, offset) = match (number("limit", MAX_PAGE), number("offset", 0)) {
        (Ok(limit), Ok(offset)) => (limit, offset),
        (Err(text), _) | (_, Err(text)) => return error_answer(StatusCode::BAD_REQUEST, &text),
    };
    if limit > MAX_PAGE {
        return error_answer(StatusCode::BAD_REQUEST, "limit must be at most 250");
    }
    let start = offset.min(config.items);
    let end = offset.saturating_add(limit).min(config.items);
    let mut body = String::with_capacity((end - start) as usize * template.len() + 2);
    body.push('[');
    for i in start..end {
        if i > start {
            body.push(',');
        }
        template.write(i, &mut body);
    }
    body.push(']');
    let mut answer = json_answer(StatusCode::OK, body);
    if query.get("count").is_some_and(|v| v == "true") {
        answer
            .headers_mut()
            .insert("x-total-count", HeaderValue::from(config.items));
    }
    answer
}

/// `a=1&b=x%20y` (query or form body) into a map; `+` is a space.
fn parse_pairs(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------
// Synthetic machine identities
// ---------------------------------------------------------------------------

/// The id of item `i`: 32 hex digits, like SailPoint's, unique per `i`.
pub fn item_id(i: u64) -> String {
    format!("2c9180858082150f{i:016x}")
}

/// The index `i` of an id made by [`item_id`].
fn item_index(id: &str) -> Option<u64> {
    let hex = id.strip_prefix("2c9180858082150f")?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// One item serialized once, with the id and name filled in per index.
struct ItemTemplate {
    /// The JSON text split at the placeholders: id, then name.
    pieces: [String; 3],
}

const ID_MARK: &str = "@@ID@@";
const NAME_MARK: &str = "@@NAME@@";

impl ItemTemplate {
    fn new(item: &serde_json::Value) -> Self {
        let text = item.to_string();
        let (head, rest) = text.split_once(ID_MARK).expect("the template has an id");
        let (middle, tail) = rest.split_once(NAME_MARK).expect("the template has a name");
        ItemTemplate {
            pieces: [head.to_owned(), middle.to_owned(), tail.to_owned()],
        }
    }

    fn len(&self) -> usize {
        self.pieces.iter().map(String::len).sum::<usize>() + 48
    }

    fn write(&self, i: u64, out: &mut String) {
        out.push_str(&self.pieces[0]);
        out.push_str(&item_id(i));
        out.push_str(&self.pieces[1]);
        out.push_str(&format!("machine-{i}"));
        out.push_str(&self.pieces[2]);
    }
}

/// A v2025 `MachineIdentityResponse` with every field filled in (the example
/// of `templates/tests/operations.rs`); the Python SDK's model accepts it too.
fn v2025_item() -> serde_json::Value {
    serde_json::json!({
        "id": ID_MARK,
        "name": NAME_MARK,
        "created": "2025-03-14T09:21:07.512Z",
        "modified": "2025-04-02T16:45:11.034Z",
        "businessApplication": "Payroll",
        "description": "Agent that syncs payroll data every night.",
        "attributes": {"Region": "EU", "securityRisk": "medium"},
        "subtype": "AI Agent",
        "owners": {
            "primaryIdentity": {
                "type": "IDENTITY",
                "id": "2c9180a46faadee4016fb4e018c20639",
                "name": "Cloud Admin"
            },
            "secondaryIdentities": [{
                "type": "IDENTITY",
                "id": "2c9180a46faadee4016fb4e018c20640",
                "name": "Jane Doe"
            }]
        },
        "sourceId": "ef38f94347e94562b5bb8424a56397d8",
        "uuid": "f5dd23fe-3414-42b7-bb1c-869400ad7a10",
        "nativeIdentity": "agent:payroll-sync",
        "manuallyEdited": false,
        "manuallyCreated": false,
        "source": {
            "type": "SOURCE",
            "id": "ef38f94347e94562b5bb8424a56397d8",
            "name": "Azure AI Foundry"
        },
        "datasetId": "8886e5e3-63d0-462f-a195-d98da885b8dc",
        "userEntitlements": [{
            "sourceId": "5898b7c1620c49c6cccccbf81eb4bddd",
            "entitlementId": "4b0c7106a6c7438086f3024993664fc3",
            "displayName": "Payroll Readers",
            "source": {
                "type": "SOURCE",
                "id": "5898b7c1620c49c6cccccbf81eb4bddd",
                "name": "Active Directory"
            }
        }]
    })
}

/// A `machineidentityv2` item of the per-service API
/// (`../shared/reference/services/machine-identities.json`,
/// `GET /machine-identities/v2`), built from that schema's examples.
fn v2_item() -> serde_json::Value {
    serde_json::json!({
        "id": ID_MARK,
        "name": NAME_MARK,
        "created": "2025-03-14T09:21:07.512Z",
        "modified": "2025-04-02T16:45:11.034Z",
        "description": "Service account for nightly batch jobs",
        "attributes": {"privilegeLevel": "HIGH", "region": "APAC"},
        "connectorAttributes": {"objectguid": "abc-123"},
        "manuallyEdited": false,
        "manuallyCreated": false,
        "owners": {
            "primary": {
                "type": "IDENTITY",
                "id": "2c9180858082150f0180893dbaf44201",
                "name": "John Doe"
            },
            "secondary": [{
                "type": "IDENTITY",
                "id": "2c9180858082150f0180893dbaf44202",
                "name": "Jane Doe"
            }]
        },
        "subtype": "AI_AGENT",
        "sourceId": "6d28b7c1-620c-49c6-b6d5-cbf81eb4b5fa",
        "uuid": "f5dd23fe-3414-42b7-bb1c-869400ad7a10",
        "nativeIdentity": "abc:123:dddd",
        "datasetId": "8886e5e3-63d0-462f-a195-d98da885b8dc",
        "environment": "PRODUCTION",
        "existsOnSource": "TRUE",
        "status": "ACTIVE",
        "source": {
            "type": "SOURCE",
            "id": "6d28b7c1-620c-49c6-b6d5-cbf81eb4b5fa",
            "name": "Active Directory"
        },
        "userEntitlements": [],
        "businessApplicationRefs": null
    })
}

// ---------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------

/// One client run against a fresh server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RunKind {
    /// Our SDK's example, one page at a time (no `--concurrency`).
    Sequential,
    /// Our SDK's example with `--concurrency N`.
    Concurrent(u32),
    /// SailPoint's Python SDK `Paginator`.
    Python,
}

impl RunKind {
    fn parse(text: &str) -> Result<RunKind> {
        match text {
            "sequential" | "seq" => Ok(RunKind::Sequential),
            "python" | "py" | "anchor" => Ok(RunKind::Python),
            _ => {
                let n = text
                    .strip_prefix('c')
                    .and_then(|n| n.parse::<u32>().ok())
                    .filter(|&n| n > 0)
                    .with_context(|| {
                        format!("--runs: `{text}` is not sequential, cN (N >= 1) or python")
                    })?;
                Ok(RunKind::Concurrent(n))
            }
        }
    }

    fn label(&self) -> String {
        match self {
            RunKind::Sequential => "SDK, sequential".into(),
            RunKind::Concurrent(n) => format!("SDK, `--concurrency {n}`"),
            RunKind::Python => "Python SDK `Paginator` (anchor)".into(),
        }
    }
}

/// The issues' scenarios: 50,000 items at 300 ms, 100 per 10 s (a) or 40 per 10 s (b),
/// in a token bucket.
fn scenario(name: &str) -> Result<ServerConfig> {
    let limit = match name {
        "a" => 100,
        "b" => 40,
        other => bail!("--scenario: unknown scenario `{other}` (a or b)"),
    };
    Ok(ServerConfig {
        items: 50_000,
        latency: Duration::from_millis(300),
        limit,
        window: Duration::from_secs(10),
        limiter: Limiter::Bucket,
    })
}

struct Options {
    scenarios: Vec<(String, ServerConfig)>,
    runs: Vec<RunKind>,
    /// `--max` for every client; `None`: the number of items served.
    max: Option<u64>,
    sdk_bin: PathBuf,
    build: bool,
}

const DEFAULT_RUNS: &str = "sequential,c4,c8,c16,python";

fn options(args: &[String]) -> Result<Options> {
    let mut names = vec!["a".to_owned()];
    let mut runs = DEFAULT_RUNS.to_owned();
    let (mut items, mut latency_ms, mut limit, mut window_s) = (None, None, None, None);
    let mut max = None;
    let mut limiters = vec![Limiter::Bucket];
    let mut sdk_bin = None;
    let mut build = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T> {
            text.parse()
                .ok()
                .with_context(|| format!("{name}: `{text}` is not a number"))
        }
        match a.as_str() {
            "--scenario" => {
                names = value(a)?.split(',').map(str::to_owned).collect();
            }
            "--runs" => runs = value(a)?.clone(),
            "--limiter" => {
                limiters = value(a)?
                    .split(',')
                    .map(Limiter::parse)
                    .collect::<Result<_>>()?;
            }
            "--items" => items = Some(number::<u64>(a, value(a)?)?),
            "--latency-ms" => latency_ms = Some(number::<u64>(a, value(a)?)?),
            "--limit" => limit = Some(number::<u32>(a, value(a)?)?),
            "--window-s" => window_s = Some(number::<f64>(a, value(a)?)?),
            "--max" => max = Some(number::<u64>(a, value(a)?)?),
            "--sdk-bin" => sdk_bin = Some(PathBuf::from(value(a)?)),
            "--no-build" => build = false,
            other => bail!("unknown option `{other}` (see `cargo xtask help`)"),
        }
    }
    let mut scenarios = Vec::new();
    for name in names {
        let mut config = scenario(&name)?;
        let mut label = name.clone();
        if let Some(items) = items {
            config.items = items;
        }
        if let Some(ms) = latency_ms {
            config.latency = Duration::from_millis(ms);
        }
        if let Some(limit) = limit {
            config.limit = limit;
        }
        if let Some(s) = window_s {
            if !(s.is_finite() && s > 0.0) {
                bail!("--window-s must be above 0");
            }
            config.window = Duration::from_secs_f64(s);
        }
        if config.limit == 0 {
            bail!("--limit must be at least 1");
        }
        if config != scenario(&name)? {
            label.push_str(" (modified)");
        }
        for &limiter in &limiters {
            let label = match limiter {
                Limiter::Bucket => label.clone(),
                Limiter::Window => format!("{label}, sliding window"),
            };
            scenarios.push((label, ServerConfig { limiter, ..config }));
        }
    }
    let runs = runs
        .split(',')
        .filter(|r| !r.is_empty())
        .map(RunKind::parse)
        .collect::<Result<Vec<_>>>()?;
    if runs.is_empty() {
        bail!("--runs names no run");
    }
    if max == Some(0) {
        bail!("--max must be at least 1");
    }
    let default_bin = Path::new("target/release/examples/list_machine_identities");
    Ok(Options {
        scenarios,
        runs,
        max,
        build: build && sdk_bin.is_none(),
        sdk_bin: sdk_bin.unwrap_or_else(|| default_bin.to_path_buf()),
    })
}

/// What one run measured.
#[derive(Debug, Default)]
struct Outcome {
    /// Why the run failed, if it did (it still has whatever the server counted).
    error: Option<String>,
    wall: Duration,
    counters: Counters,
    /// Lines printed on stdout.
    yielded: u64,
    distinct: u64,
    /// Every id is one the server made, and they come in the server's order.
    in_order: bool,
    /// For the Python anchor: its own `{"anchor": ...}` summary.
    note: String,
    /// For the Python anchor: the time inside `Paginator.paginate`, from its summary.
    paging: Option<Duration>,
    load: String,
}

pub fn bench_paging(args: &[String]) -> Result<()> {
    let opts = options(args)?;
    if opts.build && opts.runs.iter().any(|r| *r != RunKind::Python) {
        eprintln!("building the example: cargo build --release -p sailpoint-v2025 --example list_machine_identities");
        let status = crate::cargo_command()
            .args(["build", "--release", "-p", "sailpoint-v2025"])
            .args(["--example", "list_machine_identities"])
            .status()
            .context("running cargo build")?;
        if !status.success() {
            bail!("building the example failed");
        }
    }
    let python = if opts.runs.contains(&RunKind::Python) {
        match python_venv() {
            Ok(python) => Some(Ok(python)),
            Err(e) => Some(Err(format!("{e:#}"))),
        }
    } else {
        None
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut report = String::new();
    for (name, config) in &opts.scenarios {
        let max = opts.max.unwrap_or(config.items);
        let expected = max.min(config.items);
        let pages = expected.div_ceil(MAX_PAGE);
        let limit_time = config.physical_limit(pages);
        let heading = format!(
            "\n### Scenario {name}: {items} items, {lat} ms latency, server limit {l} per {w} s ({kind}), `--max {max}`\n\n\
             Physical limit: {pages} pages of {MAX_PAGE} under {l} per {w} s, plus one round trip = **{lim:.2} s**.\n",
            items = config.items,
            lat = config.latency.as_millis(),
            l = config.limit,
            w = config.window.as_secs_f64(),
            kind = config.limiter.describe(),
            lim = limit_time.as_secs_f64(),
        );
        eprintln!("{heading}");
        let mut table = String::from(
            "\n| run | wall (process) | paging | paging ÷ limit | best possible | paging ÷ best | API requests | 429s | max in flight | items | distinct ids | each once, in order | load (1 min) | note |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n",
        );
        for run in &opts.runs {
            eprintln!("running {} ...", run.label());
            let outcome = runtime.block_on(run_one(*run, *config, max, &opts.sdk_bin, &python));
            let concurrency = match run {
                RunKind::Concurrent(n) => *n,
                RunKind::Sequential | RunKind::Python => 1,
            };
            let best = best_possible(config, pages, concurrency);
            let row = row(run, &outcome, expected, limit_time, best);
            eprintln!("{}", row.trim_end());
            table.push_str(&row);
        }
        report.push_str(&heading);
        report.push_str(&table);
    }
    println!("{report}");
    Ok(())
}

fn row(run: &RunKind, o: &Outcome, expected: u64, limit: Duration, best: Duration) -> String {
    let exact = if o.error.is_none() {
        let once = o.yielded == expected && o.distinct == expected;
        match (once, o.in_order) {
            (true, true) => "yes, yes".to_owned(),
            (true, false) => "yes, **no**".to_owned(),
            (false, _) => format!("**no** (expected {expected})"),
        }
    } else {
        "—".to_owned()
    };
    let mut notes = Vec::new();
    if let Some(e) = &o.error {
        notes.push(format!("**failed**: {}", e.replace('|', "\\|")));
    }
    if !o.note.is_empty() {
        notes.push(o.note.clone());
    }
    notes.push(format!("token requests {}", o.counters.token_requests));
    for (path, (requests, too_many)) in &o.counters.per_path {
        notes.push(format!("`{path}` {requests} ({too_many} × 429)"));
    }
    let note = notes.join("; ");
    // The SDK's process does nothing but page (and fetch one token), so its
    // paging time is its wall time; the anchor's excludes the Python imports.
    let paging = o.paging.unwrap_or(o.wall).as_secs_f64();
    let (paging, ratio, to_best) = match o.error {
        None => (
            format!("{paging:.1} s"),
            format!("{:.2}", paging / limit.as_secs_f64()),
            format!("{:.2}", paging / best.as_secs_f64()),
        ),
        Some(_) => ("—".to_owned(), "—".to_owned(), "—".to_owned()),
    };
    format!(
        "| {} | {:.1} s | {} | {} | {:.2} s | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        run.label(),
        o.wall.as_secs_f64(),
        paging,
        ratio,
        best.as_secs_f64(),
        to_best,
        o.counters.requests,
        o.counters.too_many,
        o.counters.max_in_flight,
        o.yielded,
        o.distinct,
        exact,
        o.load,
        note,
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

async fn run_one(
    run: RunKind,
    config: ServerConfig,
    max: u64,
    sdk_bin: &Path,
    python: &Option<Result<PathBuf, String>>,
) -> Outcome {
    let mut outcome = Outcome {
        load: load_average(),
        ..Outcome::default()
    };
    let server = match StandIn::start(config).await {
        Ok(server) => server,
        Err(e) => {
            outcome.error = Some(format!("{e:#}"));
            return outcome;
        }
    };
    let mut command = match run {
        RunKind::Sequential | RunKind::Concurrent(_) => {
            let mut c = tokio::process::Command::new(sdk_bin);
            c.args(["--max", &max.to_string()]);
            if let RunKind::Concurrent(n) = run {
                c.args(["--concurrency", &n.to_string()]);
            }
            c
        }
        RunKind::Python => match python {
            Some(Ok(python)) => {
                let mut c = tokio::process::Command::new(python);
                c.arg(crate::root().join("xtask/bench_paging/anchor.py"));
                c.arg(max.to_string());
                c
            }
            Some(Err(e)) => {
                outcome.error = Some(format!("no Python SDK: {e}"));
                return outcome;
            }
            None => unreachable!("the venv is made when a python run is asked for"),
        },
    };
    command
        .env("SAIL_BASE_URL", server.base_url())
        .env("SAIL_CLIENT_ID", CLIENT_ID)
        .env("SAIL_CLIENT_SECRET", CLIENT_SECRET)
        .env("SAIL_EXPERIMENTAL", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);

    let started = Instant::now();
    let (stdout, stderr, status) = match child_output(command).await {
        Ok(output) => output,
        Err(e) => {
            outcome.error = Some(format!("{e:#}"));
            outcome.counters = server.counters();
            return outcome;
        }
    };
    outcome.wall = started.elapsed();
    outcome.counters = server.counters();
    if let Some(path) = std::env::var_os("BENCH_PAGING_TRACE") {
        // One line per API request: arrival (ms after the server started) and status.
        let text: String = server
            .trace()
            .iter()
            .map(|(ms, status)| format!("{ms} {status}\n"))
            .collect();
        let _ = std::fs::write(path, text);
    }
    drop(server);

    let stderr = String::from_utf8_lossy(&stderr);
    if !status.success() {
        // The first `error...` line (before any usage text), else the last line.
        let last = stderr
            .lines()
            .find(|l| l.trim_start().to_ascii_lowercase().starts_with("error"))
            .or_else(|| stderr.lines().rev().find(|l| !l.trim().is_empty()))
            .unwrap_or("")
            .trim();
        let mut last = last.to_owned();
        if last.len() > 200 {
            let mut cut = 200;
            while !last.is_char_boundary(cut) {
                cut -= 1;
            }
            last.truncate(cut);
            last.push('…');
        }
        outcome.error = Some(format!("{status}: {last}"));
    }
    if run == RunKind::Python {
        if let Some(line) = stderr.lines().rev().find(|l| l.starts_with("{\"anchor\"")) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                let a = &v["anchor"];
                outcome.note = format!(
                    "sailpoint {} on Python {}; import {} s, token {} s, paging {} s",
                    a["sailpoint"].as_str().unwrap_or("?"),
                    a["python"].as_str().unwrap_or("?"),
                    a["import_s"],
                    a["configure_s"],
                    a["paging_s"],
                );
                outcome.paging = a["paging_s"].as_f64().map(Duration::from_secs_f64);
            }
        }
    }

    // Count what was printed: SDK lines are JSON objects, anchor lines are ids.
    let stdout = String::from_utf8_lossy(&stdout);
    let mut seen = HashSet::new();
    let mut in_order = true;
    let mut bad_lines = 0u64;
    for (n, line) in stdout.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        outcome.yielded += 1;
        let id = if run == RunKind::Python {
            Some(line.trim().to_owned())
        } else {
            serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned))
        };
        let Some(id) = id else {
            bad_lines += 1;
            in_order = false;
            continue;
        };
        in_order &= item_index(&id) == Some(n as u64);
        seen.insert(id);
    }
    outcome.distinct = seen.len() as u64;
    outcome.in_order = in_order;
    if bad_lines > 0 && outcome.error.is_none() {
        outcome.error = Some(format!("{bad_lines} stdout lines without an id"));
    }
    outcome
}

/// Runs the child to its end, reading stdout and stderr as they come.
async fn child_output(
    mut command: tokio::process::Command,
) -> Result<(Vec<u8>, Vec<u8>, std::process::ExitStatus)> {
    let program = command
        .as_std()
        .get_program()
        .to_string_lossy()
        .into_owned();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let mut stdout = child.stdout.take().context("no stdout")?;
    let mut stderr = child.stderr.take().context("no stderr")?;
    let out = tokio::spawn(async move {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).await.map(|_| buf)
    });
    let err = tokio::spawn(async move {
        let mut buf = Vec::new();
        stderr.read_to_end(&mut buf).await.map(|_| buf)
    });
    let status = child.wait().await?;
    let out = out.await??;
    let err = err.await??;
    Ok((out, err, status))
}

/// The venv's python with `sailpoint` 1.4.x, made under `target/bench-paging/venv` if needed.
fn python_venv() -> Result<PathBuf> {
    let venv = crate::root().join("target/bench-paging/venv");
    let python = venv.join("bin/python");
    let has_sdk = |python: &Path| {
        // Not `import sailpoint.v2025`: that imports every model, which takes
        // seconds of CPU (a minute on a loaded machine).
        let check = "import importlib.metadata as m, sys; \
                     sys.exit(not m.version('sailpoint').startswith('1.4.'))";
        std::process::Command::new(python)
            .args(["-c", check])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && has_sdk(&python) {
        return Ok(python);
    }
    eprintln!("creating {} with sailpoint>=1.4,<1.5", venv.display());
    let status = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .context("running python3 -m venv")?;
    if !status.success() {
        bail!("python3 -m venv failed");
    }
    let status = std::process::Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "sailpoint>=1.4,<1.5"])
        .status()
        .context("running pip")?;
    if !status.success() || !has_sdk(&python) {
        bail!("pip install \"sailpoint>=1.4,<1.5\" failed");
    }
    Ok(python)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn bucket_admits_capacity_then_refills() {
        let t0 = Instant::now();
        let mut bucket = Bucket::full(3, t0);
        for _ in 0..3 {
            assert_eq!(bucket.take(t0, 3, 1.0), Ok(()));
        }
        let wait = bucket.take(t0, 3, 1.0).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-9, "{wait:?}");
        let half = t0 + Duration::from_millis(500);
        let wait = bucket.take(half, 3, 1.0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        assert_eq!(bucket.take(t0 + Duration::from_secs(1), 3, 1.0), Ok(()));
        // Never more than the capacity, however long it idles.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(bucket.take(later, 3, 1.0), Ok(()));
        }
        assert!(bucket.take(later, 3, 1.0).is_err());
    }

    #[test]
    fn window_admits_the_limit_in_any_window() {
        let t0 = Instant::now();
        let window = Duration::from_secs(10);
        let mut w = Window::default();
        let s = Duration::from_secs;
        for k in 0..3 {
            assert_eq!(w.take(t0 + s(k), 3, window), Ok(()));
        }
        // The fourth waits until the first leaves the window, whatever the
        // refused ones: they are not counted.
        assert_eq!(w.take(t0 + s(4), 3, window), Err(s(6)));
        assert_eq!(w.take(t0 + s(9), 3, window), Err(s(1)));
        assert_eq!(w.take(t0 + s(10), 3, window), Ok(()));
        assert_eq!(w.take(t0 + s(10), 3, window), Err(s(1)));
        assert_eq!(w.take(t0 + s(12), 3, window), Ok(()));
    }

    #[test]
    fn best_possible_matches_the_issues() {
        let a = scenario("a").unwrap();
        let window = ServerConfig {
            limiter: Limiter::Window,
            ..a
        };
        let secs = |d: Duration| (d.as_secs_f64() * 100.0).round() / 100.0;
        let best = [
            secs(best_possible(&window, 200, 8)),
            secs(best_possible(&window, 200, 32)),
            secs(best_possible(&a, 200, 8)),
            secs(best_possible(&a, 200, 32)),
            secs(best_possible(&a, 200, 1)),
        ];
        // Issue 21: 13.9 s at 8 in flight and 11.2 s at 32 on a sliding
        // window, plus the token round trip and the first page alone (0.6 s).
        // A bucket admits 100 at once, then 10 per second. Sequential: one
        // page per round trip, the token's included.
        assert_eq!(best, [14.5, 11.8, 10.8, 10.8, 60.3]);
        assert_eq!(window.physical_limit(200), Duration::from_millis(10_300));
        assert_eq!(window.physical_limit(201), Duration::from_millis(20_300));
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(200)), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1010)), 2);
    }

    #[test]
    fn physical_limit_matches_the_issue() {
        let a = scenario("a").unwrap();
        assert_eq!(a.physical_limit(200), Duration::from_millis(10_300));
        let b = scenario("b").unwrap();
        assert_eq!(b.physical_limit(200), Duration::from_millis(40_300));
        // Fewer pages than the bucket holds: one round trip.
        assert_eq!(a.physical_limit(20), Duration::from_millis(300));
    }

    #[test]
    fn ids_are_unique_and_give_back_their_index() {
        assert_eq!(item_id(0).len(), 32);
        assert_ne!(item_id(1), item_id(16));
        for i in [0, 1, 249, 250, 49_999, u64::MAX] {
            assert_eq!(item_index(&item_id(i)), Some(i));
        }
        assert_eq!(item_index("2c9180858082150f0180893dbaf44201x"), None);
    }

    #[test]
    fn templates_make_valid_items() {
        for template in [
            ItemTemplate::new(&v2025_item()),
            ItemTemplate::new(&v2_item()),
        ] {
            let mut text = String::new();
            template.write(7, &mut text);
            let item: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(item["id"], item_id(7));
            assert_eq!(item["name"], "machine-7");
        }
        let item = v2025_item();
        for required in ["name", "businessApplication", "subtype"] {
            assert!(item[required].is_string(), "{required}");
        }
    }

    #[test]
    fn options_parse_runs_and_overrides() {
        let o = options(&s(&[])).unwrap();
        assert_eq!(o.scenarios, vec![("a".to_owned(), scenario("a").unwrap())]);
        assert_eq!(o.runs.len(), 5);
        let o = options(&s(&[
            "--scenario",
            "a,b",
            "--runs",
            "seq,c8,python",
            "--items",
            "5000",
            "--latency-ms",
            "50",
        ]))
        .unwrap();
        assert_eq!(
            o.runs,
            vec![RunKind::Sequential, RunKind::Concurrent(8), RunKind::Python]
        );
        assert_eq!(o.scenarios.len(), 2);
        assert_eq!(o.scenarios[1].0, "b (modified)");
        assert_eq!(o.scenarios[1].1.items, 5000);
        assert_eq!(o.scenarios[1].1.limit, 40);
        assert_eq!(o.scenarios[1].1.latency, Duration::from_millis(50));
        let o = options(&s(&["--scenario", "a,b", "--limiter", "bucket,window"])).unwrap();
        let kinds: Vec<_> = o
            .scenarios
            .iter()
            .map(|(name, c)| (name.as_str(), c.limit, c.limiter))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", 100, Limiter::Bucket),
                ("a, sliding window", 100, Limiter::Window),
                ("b", 40, Limiter::Bucket),
                ("b, sliding window", 40, Limiter::Window),
            ]
        );
        assert!(options(&s(&["--limiter", "leaky"])).is_err());
        assert!(options(&s(&["--runs", "c0"])).is_err());
        assert!(options(&s(&["--runs", "parallel"])).is_err());
        assert!(options(&s(&["--scenario", "c"])).is_err());
    }

    #[test]
    fn form_and_query_decoding() {
        let pairs = parse_pairs("grant_type=client_credentials&client_id=a%2Fb+c&x&y=%zz");
        assert_eq!(pairs["grant_type"], "client_credentials");
        assert_eq!(pairs["client_id"], "a/b c");
        assert_eq!(pairs["x"], "");
        assert_eq!(pairs["y"], "%zz");
    }

    /// One HTTP/1.1 exchange on a fresh connection: status, headers (lower-case names), body.
    async fn exchange(addr: SocketAddr, request: &str) -> (u16, HashMap<String, String>, String) {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
            .collect();
        (status.parse().unwrap(), headers, body.to_owned())
    }

    async fn get(
        addr: SocketAddr,
        path: &str,
        token: &str,
    ) -> (u16, HashMap<String, String>, String) {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             X-SailPoint-Experimental: true\r\nConnection: close\r\n\r\n"
        );
        exchange(addr, &request).await
    }

    async fn token(addr: SocketAddr, client_id: &str) -> String {
        let form = format!("grant_type=client_credentials&client_id={client_id}&client_secret=s");
        let request = format!(
            "POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        );
        let (status, _, body) = exchange(addr, &request).await;
        assert_eq!(status, 200, "{body}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["token_type"], "bearer");
        assert_eq!(body["expires_in"], 3600);
        body["access_token"].as_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn stand_in_pages_and_answers_429_past_the_limit() {
        let server = StandIn::start(ServerConfig {
            items: 600,
            latency: Duration::ZERO,
            limit: 4,
            window: Duration::from_secs(60),
            limiter: Limiter::Bucket,
        })
        .await
        .unwrap();
        let addr = server.addr;
        let t = token(addr, "one").await;

        let (status, headers, body) = get(
            addr,
            "/v2025/machine-identities?limit=250&offset=500&count=true",
            &t,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["x-total-count"], "600");
        let page: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(page.len(), 100);
        assert_eq!(page[0]["id"], item_id(500));
        assert_eq!(page[99]["id"], item_id(599));

        let (status, headers, body) = get(addr, "/machine-identities/v2?offset=10", &t).await;
        assert_eq!(status, 200);
        assert!(!headers.contains_key("x-total-count"));
        let page: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(page.len(), 250);
        assert_eq!(page[0]["id"], item_id(10));
        assert_eq!(page[0]["owners"]["primary"]["type"], "IDENTITY");

        let (status, _, _) = get(addr, "/v2025/machine-identities?limit=251", &t).await;
        assert_eq!(status, 400, "limit over 250");
        let (status, _, body) = get(addr, "/v2025/machine-identities?offset=600", &t).await;
        assert_eq!((status, body.as_str()), (200, "[]"));

        // The fifth request in the window: 4 per 60 s refills one every 15 s.
        let (status, headers, _) = get(addr, "/v2025/machine-identities", &t).await;
        assert_eq!(status, 429);
        let retry_after: u64 = headers["retry-after"].parse().unwrap();
        assert!((14..=15).contains(&retry_after), "{retry_after}");

        // Another client id has a budget of its own; no token is a 401 and costs none.
        let other = token(addr, "two").await;
        let (status, _, _) = get(addr, "/machine-identities/v2", &other).await;
        assert_eq!(status, 200);
        let (status, _, _) = get(addr, "/machine-identities/v2", "nope").await;
        assert_eq!(status, 401);

        let counters = server.counters();
        assert_eq!(counters.token_requests, 2);
        assert_eq!(counters.requests, 7);
        assert_eq!(counters.too_many, 1);
        assert_eq!(counters.per_path["/v2025/machine-identities"], (4, 1));
        assert_eq!(counters.per_path["/machine-identities/v2"], (3, 0));
        assert_eq!(counters.max_in_flight, 1);
    }

    #[tokio::test]
    async fn concurrent_requests_past_the_bucket_get_429() {
        // 6 at once into a bucket of 4 (refilling one per 15 s): 4 pass, 2 get 429.
        let server = StandIn::start(ServerConfig {
            items: 2000,
            latency: Duration::from_millis(100),
            limit: 4,
            window: Duration::from_secs(60),
            limiter: Limiter::Bucket,
        })
        .await
        .unwrap();
        let addr = server.addr;
        let t = token(addr, "one").await;
        let calls = (0..6).map(|i| {
            let t = t.clone();
            tokio::spawn(async move {
                let path = format!("/v2025/machine-identities?offset={}", i * 250);
                get(addr, &path, &t).await.0
            })
        });
        let mut statuses = Vec::new();
        for call in calls.collect::<Vec<_>>() {
            statuses.push(call.await.unwrap());
        }
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
        let counters = server.counters();
        assert_eq!((counters.requests, counters.too_many), (6, 2));
        // All 6 overlap unless the machine stalls for the whole latency; ask for less
        // than 6 so that a loaded CI machine does not fail the test.
        assert!(counters.max_in_flight >= 2, "{counters:?}");
    }

    #[tokio::test]
    async fn experimental_header_is_required_on_v2025() {
        let server = StandIn::start(ServerConfig {
            items: 10,
            latency: Duration::ZERO,
            limit: 10,
            window: Duration::from_secs(1),
            limiter: Limiter::Bucket,
        })
        .await
        .unwrap();
        let t = token(server.addr, "one").await;
        let request = format!(
            "GET /v2025/machine-identities HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\n\
             Connection: close\r\n\r\n"
        );
        let (status, _, body) = exchange(server.addr, &request).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("X-SailPoint-Experimental"));
    }
}
