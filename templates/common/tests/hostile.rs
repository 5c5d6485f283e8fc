//! The SDK against a hostile tenant: an in-process HTTP/1.1 server on loopback,
//! written here over a plain `TcpListener` so that it can do what no well-behaved
//! mock does (hang, stream without end, redirect anywhere, echo the request).
//! A second listener on another port is another origin, the attacker's.
//!
//! Every test asserts what reached each origin, not only what the call returned:
//! no client secret, Bearer token or request body may reach another origin, no
//! other origin's answer may come back as the tenant's, a failed or hanging
//! token endpoint is asked once per burst of callers, pagers neither loop nor
//! lose items, and no body is read past the limit.
//!
//! Timing is asserted only as generous bounds proving that nothing hangs or loops.
//!
//! Every crate runs this same file (it is under `templates/common/`): the few
//! operations it calls (get, create and update one machine identity, and the
//! paged list) come from the crate's own `tests/sdk_ops/mod.rs`.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use futures_util::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use sailpoint_v2025::patch::JsonPatch;
use sailpoint_v2025::{AuthError, Client, ClientBuilder, Error, RetryPolicy};
use sdk_ops::{identity, LIST_PATH};

mod sdk_ops;

const CLIENT_ID: &str = "hostile-client-id";
/// Begins with a marker that every spelling of it keeps (letters and digits are
/// never escaped), then has characters that form, percent, JSON and HTML
/// encodings all spell differently.
const SECRET: &str = "hunter2SECRET+/&= é\"<x>";
const MARKER: &str = "hunter2SECRET";
const TOKEN: &str = "tenant-token-7f3a";
const ID: &str = "2c9180858082150f0180893dbaf44201";
const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];
/// No test may take longer than this; a loop or hang fails instead of stalling CI.
const TEST_LIMIT: Duration = Duration::from_secs(60);

/// The path of the machine identity `ID`.
fn item_path() -> String {
    format!("{LIST_PATH}/{ID}")
}

// ---------------------------------------------------------------------------
// The hostile server
// ---------------------------------------------------------------------------

/// A request as the server received it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Path and query.
    target: String,
    /// Names in lower case.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn query(&self, key: &str) -> Option<u64> {
        let query = self.target.split_once('?')?.1;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
    }

    /// Whether the request carries a credential or a body.
    fn carries_anything(&self) -> bool {
        let text = String::from_utf8_lossy(&self.body);
        self.header("authorization").is_some()
            || !self.body.is_empty()
            || text.contains(MARKER)
            || text.contains("client_secret")
    }
}

/// What the server does with a request.
enum Reply {
    Send {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Accepts the request and never answers.
    Hang,
    /// Answers 200 with a chunked body that does not end (64 MiB at most).
    Endless,
    /// Answers 200 declaring `Content-Length: n`, then sends zeros.
    Declared(u64),
}

fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> Reply {
    Reply::Send {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
    }
}

fn json_reply(status: u16, value: &serde_json::Value) -> Reply {
    reply(
        status,
        &[("content-type", "application/json")],
        value.to_string(),
    )
}

fn redirect(status: u16, location: &str) -> Reply {
    reply(status, &[("location", location)], "")
}

fn token_reply() -> Reply {
    json_reply(
        200,
        &json!({"access_token": TOKEN, "token_type": "bearer", "expires_in": 749}),
    )
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

#[derive(Clone)]
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Body bytes written to clients.
    written: Arc<AtomicU64>,
}

impl Server {
    async fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = Server {
            addr: listener.local_addr().unwrap(),
            seen: Arc::default(),
            written: Arc::default(),
        };
        let handler: Handler = Arc::new(handler);
        let state = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, handler.clone(), state.clone()));
            }
        });
        server
    }

    /// A server that records every request and answers 404.
    async fn recording() -> Server {
        Server::start(|_| reply(404, &[], "")).await
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn requests_to(&self, path: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|r| r.path() == path)
            .collect()
    }

    fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

/// Reads one request, records it, answers it and closes the connection.
async fn serve(mut stream: TcpStream, handler: Handler, server: Server) {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or_default().split(' ');
    let method = start.next().unwrap_or_default().to_owned();
    let target = start.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let seen = Seen {
        method,
        target,
        headers,
        body,
    };
    server.seen.lock().unwrap().push(seen.clone());
    match handler(&seen) {
        Reply::Send {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} Whatever\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            server
                .written
                .fetch_add(body.len() as u64, Ordering::SeqCst);
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Reply::Endless => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                        transfer-encoding: chunked\r\nconnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let framed = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk,
                b"\r\n".to_vec(),
            ]
            .concat();
            for _ in 0..1024 {
                if stream.write_all(&framed).await.is_err() {
                    return;
                }
                server.written.fetch_add(64 * 1024, Ordering::SeqCst);
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
        Reply::Declared(length) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                 content-length: {length}\r\nconnection: close\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut left = length;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                if stream.write_all(&chunk[..n]).await.is_err() {
                    return;
                }
                server.written.fetch_add(n as u64, Ordering::SeqCst);
                left -= n as u64;
            }
        }
    }
    let _ = stream.shutdown().await;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .max_retry_after(Duration::from_millis(5))
}

fn builder(tenant: &Server) -> ClientBuilder {
    Client::builder()
        .base_url(tenant.url())
        .client_credentials(CLIENT_ID, SECRET)
        .experimental(true)
        .retry_policy(fast_policy())
}

fn client(tenant: &Server) -> Client {
    builder(tenant).build().unwrap()
}

async fn within_limit<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_LIMIT, test)
        .await
        .expect("the test hung or looped")
}

fn patch() -> JsonPatch {
    JsonPatch::new().add("/attributes/Region", "EU").unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    Get,
    Post,
    Patch,
}

const METHODS: [Method; 3] = [Method::Get, Method::Post, Method::Patch];

/// Calls the operation of `method` and returns its error (`None` on success).
async fn call(client: &Client, method: Method) -> Option<Box<dyn ErrorView>> {
    fn view<T, E: std::fmt::Debug + Send + 'static>(
        r: Result<T, Error<E>>,
    ) -> Option<Box<dyn ErrorView>> {
        r.err().map(|e| Box::new(e) as Box<dyn ErrorView>)
    }
    match method {
        Method::Get => view(sdk_ops::get(client, ID).send().await),
        Method::Post => view(sdk_ops::create(client).send().await),
        Method::Patch => view(sdk_ops::update(client, ID, patch()).send().await),
    }
}

/// The parts of an `Error<E>` the tests look at, whatever `E` is.
trait ErrorView: std::fmt::Debug + std::fmt::Display {
    /// `(status, location, attempts)` of an [`Error::Redirect`].
    fn redirect(&self) -> Option<(u16, Option<String>, u32)>;
    fn auth(&self) -> Option<&AuthError>;
    fn attempts(&self) -> Option<u32>;
}

impl<E: std::fmt::Debug> ErrorView for Error<E> {
    fn redirect(&self) -> Option<(u16, Option<String>, u32)> {
        match self {
            Error::Redirect {
                status,
                location,
                attempts,
                ..
            } => Some((status.as_u16(), location.clone(), *attempts)),
            _ => None,
        }
    }

    fn auth(&self) -> Option<&AuthError> {
        match self {
            Error::Auth { source, .. } => Some(&**source),
            _ => None,
        }
    }

    fn attempts(&self) -> Option<u32> {
        Error::attempts(self)
    }
}

/// `error`, its sources and its `Debug`, as one text.
fn everything_shown(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error} {error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(" | {cause} {cause:?}"));
        source = cause.source();
    }
    text
}

fn assert_nothing_reached(other: &Server, case: &str) {
    let requests = other.requests();
    assert!(
        requests.is_empty(),
        "{case}: the other origin received {requests:#?}"
    );
}

// ---------------------------------------------------------------------------
// Redirects
// ---------------------------------------------------------------------------

#[tokio::test]
async fn token_endpoint_redirects_are_refused_and_the_form_goes_nowhere_else() {
    within_limit(async {
        for status in REDIRECTS {
            for cross_origin in [true, false] {
                let other = Server::start(|_| token_reply()).await;
                let target = if cross_origin {
                    format!("{}/oauth/token", other.url())
                } else {
                    "/elsewhere/oauth/token".to_owned()
                };
                let location = target.clone();
                let tenant = Server::start(move |seen| match seen.path() {
                    "/oauth/token" => redirect(status, &location),
                    "/elsewhere/oauth/token" => token_reply(),
                    _ => json_reply(200, &identity(1)),
                })
                .await;
                let case = format!("token {status}, cross-origin {cross_origin}");

                let err = call(&client(&tenant), Method::Get).await.expect(&case);

                match err.auth() {
                    Some(AuthError::Redirect {
                        status: got,
                        location: Some(location),
                        ..
                    }) => {
                        assert_eq!(got.as_u16(), status, "{case}");
                        let expected = if cross_origin {
                            target.clone()
                        } else {
                            format!("{}{target}", tenant.url())
                        };
                        assert_eq!(location, &expected, "{case}");
                    }
                    _ => panic!("{case}: {err:?}"),
                }
                assert!(err.to_string().contains("token"), "{case}: {err}");
                assert_nothing_reached(&other, &case);
                let requests = tenant.requests();
                assert_eq!(requests.len(), 1, "{case}: one token request, no API call");
                assert_eq!(requests[0].path(), "/oauth/token", "{case}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn token_redirect_loop_is_one_request() {
    within_limit(async {
        let tenant = Server::start(|_| redirect(307, "/oauth/token")).await;
        let err = call(&client(&tenant), Method::Post).await.unwrap();
        assert!(
            matches!(err.auth(), Some(AuthError::Redirect { .. })),
            "{err:?}"
        );
        assert_eq!(tenant.requests().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn api_redirects_are_refused_for_get_post_and_patch() {
    within_limit(async {
        for method in METHODS {
            for status in REDIRECTS {
                for cross_origin in [true, false] {
                    let other = Server::start(|_| json_reply(200, &identity(666))).await;
                    let api_path = item_path();
                    let target = if cross_origin {
                        format!("{}{api_path}", other.url())
                    } else {
                        "/elsewhere".to_owned()
                    };
                    let location = target.clone();
                    let tenant = Server::start(move |seen| match seen.path() {
                        "/oauth/token" => token_reply(),
                        "/elsewhere" => json_reply(200, &identity(666)),
                        _ => redirect(status, &location),
                    })
                    .await;
                    let case = format!("{method:?} answered {status}, cross-origin {cross_origin}");

                    let err = call(&client(&tenant), method).await.expect(&case);

                    let expected = if cross_origin {
                        target.clone()
                    } else {
                        format!("{}{target}", tenant.url())
                    };
                    // A fresh client: one token request, then the API request.
                    assert_eq!(
                        err.redirect(),
                        Some((status, Some(expected.clone()), 2)),
                        "{case}: {err:?}"
                    );
                    assert_eq!(err.attempts(), Some(2), "{case}");
                    assert!(err.to_string().contains(&expected), "{case}: {err}");
                    assert_nothing_reached(&other, &case);
                    let api: Vec<_> = tenant
                        .requests()
                        .into_iter()
                        .filter(|r| r.path() != "/oauth/token")
                        .collect();
                    assert_eq!(api.len(), 1, "{case}: sent once, never resent: {api:#?}");
                    assert!(api[0].path().starts_with(LIST_PATH), "{case}");
                    assert_eq!(
                        api[0].method,
                        format!("{method:?}").to_uppercase(),
                        "{case}"
                    );
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn api_redirect_loop_is_one_request_and_one_attempt() {
    within_limit(async {
        let tenant = Server::start(|seen| match seen.path() {
            "/oauth/token" => token_reply(),
            path => redirect(302, path),
        })
        .await;
        for method in METHODS {
            let before =
                tenant.requests_to(&item_path()).len() + tenant.requests_to(LIST_PATH).len();
            let err = call(&client(&tenant), method).await.unwrap();
            let after =
                tenant.requests_to(&item_path()).len() + tenant.requests_to(LIST_PATH).len();
            assert_eq!(after - before, 1, "{method:?}: exactly one request");
            assert!(err.redirect().is_some(), "{method:?}: {err:?}");
            // A fresh client: one token request, then the API request.
            assert_eq!(err.attempts(), Some(2), "{method:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn location_is_shown_without_user_info_or_query() {
    within_limit(async {
        let tenant = Server::start(|seen| match seen.path() {
            "/oauth/token" => token_reply(),
            _ => redirect(
                302,
                &format!("http://user:pw@evil.invalid/steal?token={TOKEN}&s={MARKER}"),
            ),
        })
        .await;
        let err = call(&client(&tenant), Method::Get).await.unwrap();
        let (_, location, _) = err.redirect().unwrap();
        assert_eq!(
            location.as_deref(),
            Some("http://evil.invalid/steal?[query removed]")
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(TOKEN) && !shown.contains(MARKER) && !shown.contains("pw@"));
    })
    .await;
}

/// A user-supplied HTTP client with `reqwest`'s default policy follows redirects
/// before the SDK sees the answer. The SDK still refuses any answer that came from
/// another URL, so no other origin's body or token is used; but what that client
/// re-sent cannot be taken back, which is why the documentation asks for
/// `redirect::Policy::none()`. This test pins both halves of that statement.
#[tokio::test]
async fn a_user_http_client_that_follows_redirects_gets_no_foreign_answer_or_token() {
    within_limit(async {
        // The API: another origin's body is never returned as the tenant's.
        let other = Server::start(|_| json_reply(200, &identity(666))).await;
        let location = format!("{}{}", other.url(), item_path());
        let tenant = Server::start(move |seen| match seen.path() {
            "/oauth/token" => token_reply(),
            _ => redirect(302, &location),
        })
        .await;
        let following = builder(&tenant)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        let err = call(&following, Method::Get)
            .await
            .expect("must be refused");
        let (status, location, _) = err.redirect().expect("a redirect error");
        assert_eq!(status, 200, "the final status of the followed answer");
        assert_eq!(location, Some(format!("{}{}", other.url(), item_path())));
        // reqwest drops the Authorization header on a cross-origin redirect.
        assert!(other
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_none()));

        // The token endpoint: the token another origin hands out is never used.
        let other = Server::start(|_| {
            json_reply(
                200,
                &json!({"access_token": "evil-token", "expires_in": 749}),
            )
        })
        .await;
        let location = format!("{}/oauth/token", other.url());
        let tenant = Server::start(move |seen| match seen.path() {
            "/oauth/token" => redirect(307, &location),
            _ => json_reply(200, &identity(1)),
        })
        .await;
        let following = builder(&tenant)
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
        for method in METHODS {
            let err = call(&following, method).await.expect("must be refused");
            assert!(
                matches!(err.auth(), Some(AuthError::Redirect { .. })),
                "{method:?}: {err:?}"
            );
        }
        assert!(
            tenant.requests().iter().all(|r| r.path() == "/oauth/token"),
            "no API call was made with the foreign token: {:#?}",
            tenant.requests()
        );
        // The documented limitation: that client re-posted the form itself.
        assert!(other.requests().iter().any(|r| r.carries_anything()));

        // The same client built as documented sends nothing anywhere else.
        let other = Server::recording().await;
        let location = format!("{}/oauth/token", other.url());
        let tenant = Server::start(move |_| redirect(307, &location)).await;
        let documented = builder(&tenant)
            .http_client(
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let err = call(&documented, Method::Post).await.unwrap();
        assert!(
            matches!(err.auth(), Some(AuthError::Redirect { .. })),
            "{err:?}"
        );
        assert_nothing_reached(&other, "Policy::none() user client");
    })
    .await;
}

// ---------------------------------------------------------------------------
// Token endpoints that fail, hang or echo, under concurrency
// ---------------------------------------------------------------------------

#[tokio::test]
async fn cold_callers_share_one_failing_token_fetch() {
    within_limit(async {
        let tenant = Server::start(|seen| match seen.path() {
            "/oauth/token" => json_reply(503, &json!({"error": "temporarily_unavailable"})),
            _ => json_reply(200, &identity(1)),
        })
        .await;
        let client = client(&tenant);
        let calls = (0..20).map(|_| call(&client, Method::Get));
        let errors = join_all(calls).await;

        for err in &errors {
            let err = err.as_ref().expect("every caller fails");
            assert_eq!(
                err.auth().and_then(AuthError::status).map(|s| s.as_u16()),
                Some(503),
                "{err:?}"
            );
        }
        let token_requests = tenant.requests_to("/oauth/token").len();
        assert!(
            (1..=3).contains(&token_requests),
            "one fetch (at most 3 attempts) for 20 callers, got {token_requests}"
        );
        assert_eq!(tenant.requests().len(), token_requests, "no API call");
    })
    .await;
}

#[tokio::test]
async fn cold_callers_share_one_hanging_token_fetch() {
    within_limit(async {
        let tenant = Server::start(|seen| match seen.path() {
            "/oauth/token" => Reply::Hang,
            _ => json_reply(200, &identity(1)),
        })
        .await;
        let attempt = Duration::from_millis(300);
        let client = builder(&tenant)
            .attempt_timeout(attempt)
            .retry_policy(fast_policy().max_attempts(2))
            .build()
            .unwrap();
        let started = Instant::now();
        let calls = (0..8).map(|_| async {
            let result = call(&client, Method::Get).await;
            (result, started.elapsed())
        });
        let results = join_all(calls).await;

        // One fetch is two attempts of 300 ms; each caller waits for that one.
        let one_fetch = attempt * 2;
        for (err, elapsed) in &results {
            let err = err.as_ref().expect("every caller fails");
            assert!(
                err.auth().is_some() || err.to_string().contains("timed out"),
                "{err:?}"
            );
            assert!(*elapsed < one_fetch * 10, "a caller waited {elapsed:?}");
        }
        let token_requests = tenant.requests_to("/oauth/token").len();
        assert!(
            (1..=2).contains(&token_requests),
            "one fetch for 8 callers, got {token_requests} token requests"
        );
    })
    .await;
}

/// What a token endpoint may send back of the form it was sent.
fn echoes(form: &str) -> Vec<(&'static str, Reply)> {
    let decoded: String = url::form_urlencoded::parse(form.as_bytes())
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    let html_escaped = SECRET
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let lower_hex = {
        let mut out = String::new();
        let mut hex = 0;
        for c in form.chars() {
            if c == '%' {
                hex = 2;
                out.push(c);
            } else if hex > 0 {
                hex -= 1;
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    };
    vec![
        (
            "HTML firewall page echoing the form",
            reply(
                403,
                &[("content-type", "text/html")],
                format!("<html><body><h1>Request blocked</h1><pre>{form}</pre></body></html>"),
            ),
        ),
        (
            "HTML page echoing the decoded secret, HTML-escaped",
            reply(
                403,
                &[("content-type", "text/html")],
                format!("<html><body>secret was {html_escaped}</body></html>"),
            ),
        ),
        (
            "JSON error_description quoting the secret",
            json_reply(
                401,
                &json!({"error": "invalid_client",
                        "error_description": format!("client secret '{SECRET}' is wrong")}),
            ),
        ),
        (
            "JSON error_description quoting the form",
            json_reply(
                400,
                &json!({"error": format!("bad request {form}"),
                        "error_description": format!("form: {lower_hex}")}),
            ),
        ),
        (
            "plain text echo of the decoded form",
            reply(400, &[("content-type", "text/plain")], decoded),
        ),
        (
            "JSON that leaks a token",
            json_reply(
                400,
                &json!({"error": "invalid_request", "access_token": "leaked-token-123",
                        "message": "see access_token=leaked-token-123"}),
            ),
        ),
    ]
}

#[tokio::test]
async fn an_echoing_token_endpoint_never_shows_the_secret() {
    within_limit(async {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", CLIENT_ID)
            .append_pair("client_secret", SECRET)
            .finish();
        for (case, _) in echoes(&form) {
            let echoed = form.clone();
            let tenant = Server::start(move |seen| {
                let (_, reply) = echoes(&echoed)
                    .into_iter()
                    .find(|(c, _)| *c == case)
                    .unwrap();
                assert_eq!(seen.path(), "/oauth/token");
                reply
            })
            .await;
            let client = client(&tenant);
            let errors = join_all((0..5).map(|_| call(&client, Method::Get))).await;
            // The form really was what the echo assumes.
            let sent = String::from_utf8(tenant.requests()[0].body.clone()).unwrap();
            assert_eq!(sent, form, "{case}");
            for err in errors {
                let err = err.expect(case);
                let auth = err.auth().expect(case);
                assert!(
                    matches!(auth, AuthError::Rejected { .. }),
                    "{case}: {auth:?}"
                );
                let shown = everything_shown(auth);
                assert!(
                    !shown.contains(MARKER) && !shown.contains("leaked-token-123"),
                    "{case}: {shown}"
                );
                assert!(shown.contains("[REDACTED]"), "{case}: {shown}");
                let shown = format!("{err} {err:?}");
                assert!(!shown.contains(MARKER), "{case}: {shown}");
            }
        }
    })
    .await;
}

/// An API error that echoes the request (a firewall page, a JSON message
/// quoting the Authorization header) never shows the access token.
#[tokio::test]
async fn an_api_error_echoing_the_bearer_token_never_shows_it() {
    within_limit(async {
        let echoes: [(&str, u16, Vec<u8>); 3] = [
            (
                "documented JSON error",
                400,
                serde_json::to_vec(&json!({
                    "detailCode": "400.1 Bad Request Content",
                    "messages": [{"locale": "en-US", "text": format!("Authorization: Bearer {TOKEN}")}],
                }))
                .unwrap(),
            ),
            (
                "undocumented HTML page",
                418,
                format!("<html><pre>GET /v2025/x HTTP/1.1\nauthorization: Bearer {TOKEN}</pre></html>")
                    .into_bytes(),
            ),
            (
                "percent-encoded echo",
                418,
                format!("token={}", TOKEN.replace('-', "%2D")).into_bytes(),
            ),
        ];
        for (case, status, body) in echoes {
            let tenant = Server::start(move |seen| match seen.path() {
                "/oauth/token" => token_reply(),
                _ => reply(status, &[("content-type", "application/json")], body.clone()),
            })
            .await;
            let err = call(&client(&tenant), Method::Get).await.expect(case);
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(TOKEN), "{case}: {shown}");
            assert!(
                !shown.contains(&TOKEN.replace('-', "%2D")),
                "{case}: {shown}"
            );
            let api = tenant
                .requests()
                .into_iter()
                .filter(|r| r.path() != "/oauth/token")
                .count();
            assert_eq!(api, 1, "{case}: the token was really sent");
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// Paging anomalies
// ---------------------------------------------------------------------------

/// A tenant whose list endpoint answers `page(offset, limit)`.
async fn list_server(page: impl Fn(u64, u64) -> Vec<u64> + Send + Sync + 'static) -> Server {
    Server::start(move |seen| match seen.path() {
        "/oauth/token" => token_reply(),
        LIST_PATH => {
            let offset = seen.query("offset").unwrap_or(0);
            let limit = seen.query("limit").unwrap_or(250);
            let items: Vec<_> = page(offset, limit).into_iter().map(identity).collect();
            json_reply(200, &json!(items))
        }
        _ => reply(404, &[], ""),
    })
    .await
}

fn list_calls(server: &Server) -> Vec<(u64, u64)> {
    server
        .requests_to(LIST_PATH)
        .iter()
        .map(|r| (r.query("offset").unwrap(), r.query("limit").unwrap()))
        .collect()
}

#[tokio::test]
async fn short_pages_before_the_end_lose_nothing() {
    within_limit(async {
        // 30 items; the server caps pages at 5 whatever `limit` says.
        let tenant =
            list_server(|offset, limit| (offset..30.min(offset + limit.min(5))).collect()).await;
        let items: Vec<_> = sdk_ops::list(&client(&tenant)).stream().collect().await;
        let ids: Vec<String> = items.into_iter().map(|r| r.unwrap().id.unwrap()).collect();
        let expected: Vec<String> = (0..30).map(|i| format!("mi-{i}")).collect();
        assert_eq!(ids, expected);
        let calls = list_calls(&tenant);
        assert_eq!(calls.len(), 7, "6 pages and the empty one: {calls:?}");
        assert!(calls.iter().all(|&(_, limit)| limit == 250), "{calls:?}");
    })
    .await;
}

#[tokio::test]
async fn x_total_count_ends_capped_pages_without_the_empty_page_and_cannot_extend_the_list() {
    within_limit(async {
        for (total, expected_calls) in [(30, 6), (1000, 7)] {
            // Pages capped at 5; the header says `total`, the data ends at 30.
            let tenant = Server::start(move |seen| match seen.path() {
                "/oauth/token" => token_reply(),
                _ => {
                    let offset = seen.query("offset").unwrap_or(0);
                    let items: Vec<_> = (offset..30.min(offset + 5)).map(identity).collect();
                    reply(
                        200,
                        &[
                            ("content-type", "application/json"),
                            ("x-total-count", &total.to_string()),
                        ],
                        json!(items).to_string(),
                    )
                }
            })
            .await;
            let items: Vec<_> = sdk_ops::list(&client(&tenant))
                .count(true)
                .stream()
                .collect()
                .await;
            assert_eq!(items.len(), 30, "total {total}");
            assert!(items.iter().all(Result::is_ok), "total {total}");
            let calls = list_calls(&tenant);
            assert_eq!(calls.len(), expected_calls, "total {total}: {calls:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_server_ignoring_offset_ends_the_stream_with_a_typed_error() {
    within_limit(async {
        let tenant = list_server(|_, limit| (0..limit.min(5)).collect()).await;
        let items: Vec<_> = sdk_ops::list(&client(&tenant)).stream().collect().await;
        assert_eq!(items.len(), 6, "the first page, then the error");
        assert!(items[..5].iter().all(Result::is_ok));
        match &items[5] {
            Err(Error::RepeatedPage {
                offset,
                first_offset,
                ..
            }) => assert_eq!((*offset, *first_offset), (5, 0)),
            other => panic!("{other:?}"),
        }
        assert_eq!(list_calls(&tenant), [(0, 250), (5, 250)]);
    })
    .await;
}

#[tokio::test]
async fn an_offset_that_cannot_advance_ends_the_stream_with_a_typed_error() {
    within_limit(async {
        let max = i32::MAX as u64;
        let tenant = list_server(|offset, limit| (offset..offset + limit).collect()).await;
        let items: Vec<_> = sdk_ops::list(&client(&tenant))
            .offset(i32::MAX - 3)
            .limit(2)
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 5, "two pages, then the error: {items:?}");
        assert!(items[..4].iter().all(Result::is_ok));
        match &items[4] {
            Err(Error::OffsetOverflow { offset, max: m, .. }) => {
                assert_eq!((*offset, *m), (max + 1, max))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            list_calls(&tenant),
            [(max - 3, 2), (max - 1, 2)],
            "never clamped"
        );
    })
    .await;
}

// ---------------------------------------------------------------------------
// Huge bodies
// ---------------------------------------------------------------------------

const MIB: u64 = 1024 * 1024;

#[tokio::test]
async fn an_endless_api_body_is_cut_at_the_limit() {
    within_limit(async {
        let tenant = Server::start(|seen| match seen.path() {
            "/oauth/token" => token_reply(),
            _ => Reply::Endless,
        })
        .await;
        let client = builder(&tenant).max_response_body(MIB).build().unwrap();
        let err = sdk_ops::get(&client, ID).send().await.unwrap_err();
        match &err {
            Error::BodyTooLarge { limit, status, .. } => {
                assert_eq!((*limit, status.as_u16()), (MIB, 200))
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("limit"), "{err}");
        // What the server managed to push into socket buffers, far below 64 MiB.
        assert!(
            tenant.written() < 32 * MIB,
            "read {} bytes",
            tenant.written()
        );
    })
    .await;
}

#[tokio::test]
async fn a_declared_huge_body_is_refused_before_it_is_read_with_the_default_limit() {
    within_limit(async {
        let tenant = Server::start(|seen| match seen.path() {
            "/oauth/token" => token_reply(),
            _ => Reply::Declared(50 * MIB),
        })
        .await;
        let err = sdk_ops::get(&client(&tenant), ID).send().await.unwrap_err();
        assert!(
            matches!(err, Error::BodyTooLarge { limit, .. } if limit == 16 * MIB),
            "{err:?}"
        );
        assert!(
            tenant.written() < 32 * MIB,
            "read {} bytes",
            tenant.written()
        );
    })
    .await;
}

#[tokio::test]
async fn an_endless_token_body_is_cut_at_the_limit() {
    within_limit(async {
        let tenant = Server::start(|_| Reply::Endless).await;
        let client = builder(&tenant).max_response_body(MIB).build().unwrap();
        let err = call(&client, Method::Post).await.unwrap();
        assert!(
            matches!(err.auth(), Some(AuthError::BodyTooLarge { limit, .. }) if *limit == MIB),
            "{err:?}"
        );
        assert!(
            tenant.written() < 32 * MIB,
            "read {} bytes",
            tenant.written()
        );
        assert_eq!(tenant.requests().len(), 1, "no API call");
    })
    .await;
}
