//! The generic part of the test kit: a mock tenant on loopback (hyper 1 on a
//! thread of its own, so it works under any runtime and in sync code), the
//! expectation store, the call log, the token endpoint and the report.
//! What is specific to the spec (one builder per operation, the static
//! description of every operation and type) is emitted into `test_kit.rs`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use super::schema::{self, OpSpec};

/// A request the mock tenant received for a documented operation.
#[derive(Debug, Clone)]
pub struct Call {
    /// The wire `operationId`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: String,
    /// The path as sent (with the API prefix).
    pub path: String,
    /// Path parameters, percent-decoded, by wire name.
    pub path_params: BTreeMap<String, String>,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Request headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Call {
    /// The first value of a query parameter.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`None` when empty or not JSON).
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// An answer of the mock tenant: any status, headers and body.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// An empty answer with this status.
    pub fn status(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, body: &impl serde::Serialize) -> Self {
        let body = serde_json::to_vec(body).unwrap_or_default();
        Reply::status(status)
            .header("content-type", "application/json")
            .body(body)
    }

    /// `429 Too Many Requests` with `Retry-After: 0`.
    pub fn too_many_requests() -> Self {
        Reply::status(429).header("retry-after", "0")
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
}

type Matcher = Box<dyn Fn(&Call) -> bool + Send>;

/// How many calls an expectation wants.
#[derive(Debug, Clone, Copy)]
enum Times {
    AtLeastOnce,
    Exactly(usize),
}

struct Expectation {
    op: &'static OpSpec,
    described: Vec<String>,
    matchers: Vec<Matcher>,
    replies: Vec<Reply>,
    times: Times,
    hits: usize,
}

impl Expectation {
    fn describe(&self) -> String {
        if self.described.is_empty() {
            self.op.id.to_string()
        } else {
            format!("{} with {}", self.op.id, self.described.join(", "))
        }
    }

    fn open(&self) -> bool {
        match self.times {
            Times::AtLeastOnce => true,
            Times::Exactly(n) => self.hits < n,
        }
    }

    fn met(&self) -> bool {
        match self.times {
            Times::AtLeastOnce => self.hits >= 1,
            Times::Exactly(n) => self.hits == n,
        }
    }
}

#[derive(Default)]
struct State {
    expectations: Vec<Expectation>,
    calls: Vec<Call>,
    problems: Vec<String>,
    tokens_issued: usize,
    valid_token: Option<String>,
    token_replies: Vec<Reply>,
}

struct Shared {
    state: Mutex<State>,
    prefix: &'static str,
    ops: &'static [OpSpec],
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The mock tenant. Dropping it stops the server and, unless
/// [`Kit::verify`] was called, panics if an expectation is unmet or a
/// request broke the spec.
pub struct Kit {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    verified: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Kit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kit").field("addr", &self.addr).finish()
    }
}

/// The client id of [`Kit::client`].
pub const CLIENT_ID: &str = "test-kit-client";
/// The client secret of [`Kit::client`].
pub const CLIENT_SECRET: &str = "test-kit-secret";

impl Kit {
    pub(crate) fn start_with(ops: &'static [OpSpec]) -> Kit {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            prefix: crate::meta::API_PREFIX,
            ops,
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .unwrap_or_else(|e| panic!("test kit: cannot listen on loopback: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("test kit: no local address: {e}"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(serve(listener, served, stopped));
        });
        Kit {
            shared,
            addr,
            stop: Some(stop),
            thread: Some(thread),
            verified: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The origin the kit listens on (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client builder pointed at the kit, with its credentials, its token
    /// endpoint (whatever the spec's `tokenUrl` is) and the experimental
    /// opt-in, to adjust before `build()`.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        crate::Client::builder()
            .base_url(self.url())
            .client_credentials(CLIENT_ID, CLIENT_SECRET)
            .token_url("/oauth/token")
            .experimental(true)
    }

    /// A ready client pointed at the kit.
    pub fn client(&self) -> crate::Client {
        self.client_builder()
            .build()
            .unwrap_or_else(|e| panic!("test kit: cannot build a client: {e}"))
    }

    pub(crate) fn expect(&self, op: &'static OpSpec) -> Expect<'_> {
        Expect {
            kit: self,
            op,
            described: Vec::new(),
            matchers: Vec::new(),
            times: Times::AtLeastOnce,
        }
    }

    /// Makes the token in use expire now: the next API call is answered
    /// `401`, and the client must fetch a new token.
    pub fn expire_token(&self) {
        self.shared.lock().valid_token = None;
    }

    /// Answers the next token requests with these replies, in order
    /// (then tokens are issued again).
    pub fn token_replies(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.lock().token_replies.extend(replies);
    }

    /// How many tokens the kit has issued.
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().tokens_issued
    }

    /// Every call to a documented operation, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.lock().calls.clone()
    }

    /// The `operationId`s called, in order.
    pub fn operations_called(&self) -> Vec<&'static str> {
        self.shared
            .lock()
            .calls
            .iter()
            .map(|c| c.operation)
            .collect()
    }

    /// The calls to one operation (by `operationId`).
    pub fn calls_to(&self, operation_id: &str) -> Vec<Call> {
        let state = self.shared.lock();
        state
            .calls
            .iter()
            .filter(|c| c.operation == operation_id)
            .cloned()
            .collect()
    }

    /// Every problem so far: requests the spec does not allow, calls no
    /// expectation matched, and unmet expectations.
    pub fn problems(&self) -> Vec<String> {
        let state = self.shared.lock();
        let mut out = state.problems.clone();
        for e in &state.expectations {
            if !e.met() {
                let wanted = match e.times {
                    Times::AtLeastOnce => "at least once".to_string(),
                    Times::Exactly(n) => format!("{n} time(s)"),
                };
                out.push(format!(
                    "unmet expectation: {} was expected {wanted}, called {} time(s)",
                    e.describe(),
                    e.hits
                ));
            }
        }
        out
    }

    /// `Ok` when every expectation is met and every request followed the
    /// spec; otherwise the report. Calling it disarms the check on drop.
    pub fn verify(&self) -> Result<(), VerifyReport> {
        self.verified
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let problems = self.problems();
        if problems.is_empty() {
            return Ok(());
        }
        let mut text = format!("test kit: {} problem(s)\n", problems.len());
        for p in &problems {
            let _ = writeln!(text, "  - {p}");
        }
        let _ = write!(text, "calls, in order: {:?}", self.operations_called());
        Err(VerifyReport { text, problems })
    }

    /// Panics with the report of [`Kit::verify`] unless it is `Ok`.
    pub fn assert_verified(&self) {
        if let Err(report) = self.verify() {
            panic!("{report}");
        }
    }
}

/// The report of a failed [`Kit::verify`]: a count, every problem on its own
/// line, then the operations called, in order.
///
/// Its `Debug` is the same text as its `Display`, not an escaped string, so
/// `kit.verify().unwrap()` and `kit.verify()?` in a test print it as it reads.
/// It derefs to `str` for `report.contains(..)`.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyReport {
    text: String,
    problems: Vec<String>,
}

impl VerifyReport {
    /// The whole report.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Each problem, in the order found (unexpected calls and spec violations
    /// as they happened, then unmet expectations).
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The report's text as it reads: `unwrap()` shows lines, not `\n`.
impl std::fmt::Debug for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for VerifyReport {}

impl std::ops::Deref for VerifyReport {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for VerifyReport {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Drop for Kit {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if !self.verified.load(std::sync::atomic::Ordering::Relaxed) && !std::thread::panicking() {
            if let Err(report) = self.verify() {
                panic!("{report}");
            }
        }
    }
}

/// An expectation being built; the emitted per-operation builders wrap it.
pub struct Expect<'k> {
    kit: &'k Kit,
    op: &'static OpSpec,
    described: Vec<String>,
    matchers: Vec<Matcher>,
    times: Times,
}

impl std::fmt::Debug for Expect<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expect")
            .field("operation", &self.op.id)
            .field("matching", &self.described)
            .finish()
    }
}

impl<'k> Expect<'k> {
    pub(crate) fn path_param(mut self, name: &'static str, value: String) -> Self {
        self.described.push(format!("{name} = {value:?}"));
        self.matchers.push(Box::new(move |c: &Call| {
            c.path_params.get(name).map(String::as_str) == Some(value.as_str())
        }));
        self
    }

    /// Only calls whose query has `name=value`.
    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        let value = value.to_string();
        self.described.push(format!("?{name}={value}"));
        self.matchers.push(Box::new(move |c: &Call| {
            c.query.iter().any(|(k, v)| k == name && *v == value)
        }));
        self
    }

    /// Only calls whose JSON body equals this value's JSON.
    pub fn json_body(mut self, body: &impl serde::Serialize) -> Self {
        let want = serde_json::to_value(body).unwrap_or_default();
        self.described.push(format!("body {want}"));
        self.matchers
            .push(Box::new(move |c: &Call| c.json().as_ref() == Some(&want)));
        self
    }

    /// Only calls this predicate accepts.
    pub fn matching(mut self, predicate: impl Fn(&Call) -> bool + Send + 'static) -> Self {
        self.described.push("a predicate".into());
        self.matchers.push(Box::new(predicate));
        self
    }

    /// Expects exactly `n` calls (the default is at least one).
    pub fn times(mut self, n: usize) -> Self {
        self.times = Times::Exactly(n);
        self
    }

    /// Answers each matching call with the next reply; the last one repeats.
    pub fn replies(self, replies: impl IntoIterator<Item = Reply>) -> Mocked<'k> {
        let mut replies: Vec<Reply> = replies.into_iter().collect();
        if replies.is_empty() {
            replies.push(Reply::status(204));
        }
        let mut state = self.kit.shared.lock();
        state.expectations.push(Expectation {
            op: self.op,
            described: self.described,
            matchers: self.matchers,
            replies,
            times: self.times,
            hits: 0,
        });
        Mocked {
            kit: self.kit,
            index: state.expectations.len() - 1,
        }
    }

    /// Answers every matching call with this reply.
    pub fn reply(self, reply: Reply) -> Mocked<'k> {
        self.replies([reply])
    }
}

/// A registered expectation.
#[derive(Debug, Clone, Copy)]
pub struct Mocked<'k> {
    kit: &'k Kit,
    index: usize,
}

impl Mocked<'_> {
    /// How many calls it answered.
    pub fn hits(&self) -> usize {
        self.kit.shared.lock().expectations[self.index].hits
    }
}

async fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let shared = Arc::clone(&shared);
                        async move { Ok::<_, Infallible>(handle(&shared, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

type Body = http_body_util::Full<bytes::Bytes>;

fn to_http(reply: &Reply) -> hyper::Response<Body> {
    let mut out = hyper::Response::new(Body::new(bytes::Bytes::from(reply.body.clone())));
    *out.status_mut() = hyper::StatusCode::from_u16(reply.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in &reply.headers {
        if let (Ok(k), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(k.as_bytes()),
            hyper::header::HeaderValue::from_str(v),
        ) {
            out.headers_mut().append(k, v);
        }
    }
    out
}

fn problem(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        &serde_json::json!({ "detailCode": "test kit", "messages": [{ "text": message }] }),
    )
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

async fn handle(
    shared: &Shared,
    req: hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<Body> {
    use http_body_util::BodyExt;
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query: Vec<(String, String)> = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut state = shared.lock();

    if path == "/oauth/token" && method == "POST" {
        if !state.token_replies.is_empty() {
            let reply = state.token_replies.remove(0);
            return to_http(&reply);
        }
        state.tokens_issued += 1;
        let token = format!("test-kit-token-{}", state.tokens_issued);
        state.valid_token = Some(token.clone());
        return to_http(&Reply::json(
            200,
            &serde_json::json!({ "access_token": token, "token_type": "bearer", "expires_in": 3600 }),
        ));
    }

    let Some(rest) = path.strip_prefix(shared.prefix) else {
        let msg = format!(
            "{method} {path}: not under the API prefix `{}`",
            shared.prefix
        );
        state.problems.push(msg.clone());
        return to_http(&problem(404, &msg));
    };
    let Some((op, path_params)) = schema::route(shared.ops, &method, rest) else {
        let msg = format!("{method} {path}: no operation of the spec has this method and path");
        state.problems.push(msg.clone());
        return to_http(&problem(404, &msg));
    };
    let authorized = match (
        &state.valid_token,
        headers.iter().find(|(k, _)| k == "authorization"),
    ) {
        (Some(token), Some((_, sent))) => *sent == format!("Bearer {token}"),
        _ => false,
    };
    if !authorized {
        return to_http(&problem(401, "test kit: missing, unknown or expired token"));
    }
    let call = Call {
        operation: op.id,
        method,
        path,
        path_params,
        query,
        headers,
        body,
    };
    let violations = schema::validate(op, &call);
    state.calls.push(call);
    if !violations.is_empty() {
        let msg = violations.join("\n");
        state.problems.extend(violations);
        return to_http(&problem(400, &msg));
    }
    let call = state.calls.last().cloned();
    let Some(call) = call else {
        return to_http(&problem(500, "test kit: lost the call"));
    };
    let found = state
        .expectations
        .iter_mut()
        .find(|e| std::ptr::eq(e.op, op) && e.open() && e.matchers.iter().all(|m| m(&call)));
    match found {
        Some(e) => {
            let reply = e.replies[e.hits.min(e.replies.len() - 1)].clone();
            e.hits += 1;
            to_http(&reply)
        }
        None => {
            let mut msg = format!(
                "unexpected call: {} {} ({}) matched no expectation",
                call.method, call.path, op.id
            );
            let same: Vec<String> = state
                .expectations
                .iter()
                .filter(|e| std::ptr::eq(e.op, op))
                .map(Expectation::describe)
                .collect();
            if !same.is_empty() {
                let _ = write!(msg, "; expectations for it: {}", same.join("; "));
            }
            state.problems.push(msg.clone());
            to_http(&problem(501, &msg))
        }
    }
}
