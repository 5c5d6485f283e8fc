//! End-to-end tests of `Client::execute` against real HTTP servers on loopback
//! (wiremock): authentication, the experimental gate, retries, timeouts and tracing.
//! Retry delays are kept tiny through the policy; no test asserts on timing.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::response::RawResponse;
use super::{
    AuthError, Client, ClientBuilder, Credentials, Error, Operation, Request, RetryPolicy,
};

const CLIENT_ID: &str = "my-client-id";
const SECRET: &str = "sup3r-s3cret-value";
const TOKEN: &str = "tok-0123456789-abcdef";

static GET_THING: Operation = Operation {
    id: "getThing",
    method: Method::GET,
    path_template: "/things/{id}",
    experimental: false,
};
static CREATE_THING: Operation = Operation {
    id: "createThing",
    method: Method::POST,
    path_template: "/things/{id}",
    experimental: false,
};
static GET_EXPERIMENTAL: Operation = Operation {
    id: "getExperimentalThing",
    method: Method::GET,
    path_template: "/things/{id}",
    experimental: true,
};

fn fast_policy() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .max_retry_after(Duration::from_millis(20))
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .client_credentials(CLIENT_ID, SECRET)
        .token_url("/oauth/token")
        .retry_policy(fast_policy())
}

fn bearer_client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .bearer_token(TOKEN)
        .retry_policy(fast_policy())
        .build()
        .unwrap()
}

fn token_response(token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": "sp:scopes:all",
    }))
}

async fn mount_token(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_response(token, 749))
        .mount(server)
        .await;
}

async fn call(client: &Client, op: &'static Operation) -> Result<RawResponse, Error<()>> {
    client
        .execute(Request::new(op, "/things/1".to_owned()))
        .await
}

async fn post(client: &Client) -> Result<RawResponse, Error<()>> {
    let mut req = Request::new(&CREATE_THING, "/things/1".to_owned());
    req.body = Some(super::Body::json(
        "application/json",
        &json!({"name": "x"}),
    )?);
    client.execute(req).await
}

/// Requests the server received on `path_`.
async fn received(server: &MockServer, path_: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == path_)
        .collect()
}

fn authorization(req: &wiremock::Request) -> String {
    req.headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A loopback port with nothing listening on it.
fn refused_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Client>();
    assert_send_sync::<ClientBuilder>();
    assert_send_sync::<Error<()>>();
    assert_send_sync::<super::Response<Vec<String>>>();
    assert_send_sync::<RetryPolicy>();
}

#[test]
fn execute_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = bearer_client("http://127.0.0.1:9");
    let fut = call(&client, &GET_THING);
    assert_send(&fut);
}

#[tokio::test]
async fn request_carries_token_query_headers_and_user_agent() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN).await;
    Mock::given(method("GET"))
        .and(path("/v2025/things/a%2Fb"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut req = Request::new(
        &GET_THING,
        format!("/things/{}", super::encode_path_segment("a/b")),
    );
    req.query = vec![
        ("filters", r#"name eq "a b""#.to_owned()),
        ("ids", "1".to_owned()),
        ("ids", "2".to_owned()),
    ];
    req.headers = vec![("X-Custom-Param", "v1".to_owned())];
    req.accept = Some("application/json");
    let resp = client.execute::<()>(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.attempts, 2, "one token request and one API request");

    let token_req = &received(&server, "/oauth/token").await[0];
    assert_eq!(
        token_req.headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        String::from_utf8_lossy(&token_req.body),
        format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}")
    );
    let api_req = &received(&server, "/v2025/things/a%2Fb").await[0];
    assert_eq!(authorization(api_req), format!("Bearer {TOKEN}"));
    assert_eq!(
        api_req.url.query(),
        Some("filters=name%20eq%20%22a%20b%22&ids=1&ids=2")
    );
    assert_eq!(api_req.headers.get("x-custom-param").unwrap(), "v1");
    assert_eq!(api_req.headers.get("accept").unwrap(), "application/json");
    assert!(api_req
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("sailpoint-v2025/"));
    assert!(api_req
        .headers
        .get(crate::meta::EXPERIMENTAL_HEADER)
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_calls_on_a_cold_client_fetch_one_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_response(TOKEN, 749).set_delay(Duration::from_millis(50)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let client = client.clone();
        tasks.spawn(async move { call(&client, &GET_THING).await.map(|r| r.status()) });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    assert_eq!(received(&server, "/oauth/token").await.len(), 1);
    assert_eq!(received(&server, "/v2025/things/1").await.len(), 100);
}

#[tokio::test]
async fn expired_token_is_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_response("t1", 0))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_token(&server, "t2").await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    for _ in 0..3 {
        call(&client, &GET_THING).await.unwrap();
    }
    let used: Vec<_> = received(&server, "/v2025/things/1")
        .await
        .iter()
        .map(authorization)
        .collect();
    assert_eq!(used, ["Bearer t1", "Bearer t2", "Bearer t2"]);
    assert_eq!(received(&server, "/oauth/token").await.len(), 2);
}

#[tokio::test]
async fn token_is_refreshed_once_after_401_even_for_post() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_response("t1", 749))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_token(&server, "t2").await;
    Mock::given(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer t2"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let resp = post(&client).await.unwrap();
    assert_eq!(resp.status(), 201);
    assert_eq!(resp.attempts, 4, "token, 401, new token, request");
    assert_eq!(received(&server, "/oauth/token").await.len(), 2);
}

#[tokio::test]
async fn persistent_401_is_returned_after_one_refresh() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "JWT expired"})))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let raw = call(&client, &GET_THING).await.unwrap();
    assert_eq!(
        (raw.status(), raw.attempts),
        (401, 4),
        "token, 401, new token, 401"
    );
    assert_eq!(received(&server, "/oauth/token").await.len(), 2);
    let err = raw.unexpected::<()>();
    assert!(err.to_string().contains("JWT expired"), "{err}");
}

#[tokio::test]
async fn static_bearer_token_is_not_refreshed_on_401() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let raw = call(&bearer_client(&server.uri()), &GET_THING)
        .await
        .unwrap();
    assert_eq!((raw.status(), raw.attempts), (401, 1));
    assert_eq!(
        authorization(&received(&server, "/v2025/things/1").await[0]),
        format!("Bearer {TOKEN}")
    );
}

#[tokio::test]
async fn token_endpoint_failure_is_a_typed_auth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(format!(
            "grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}"
        )))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "Bad credentials",
        })))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = call(&client, &GET_THING).await.unwrap_err();
    let Error::Auth { source: auth, .. } = &err else {
        panic!("expected Error::Auth, got {err:?}")
    };
    assert_eq!(auth.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    match &**auth {
        AuthError::Rejected {
            error,
            error_description,
            ..
        } => {
            assert_eq!(error.as_deref(), Some("invalid_client"));
            assert_eq!(error_description.as_deref(), Some("Bad credentials"));
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_eq!(
        auth.to_string(),
        "token endpoint answered HTTP 401 Unauthorized: invalid_client: Bad credentials"
    );
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(err.message(), Some("Bad credentials"));
    assert_eq!(
        err.to_string(),
        format!(
            "`getThing` failed: could not obtain an access token from {}/oauth/token: \
             token endpoint answered HTTP 401 Unauthorized: invalid_client: Bad credentials \
             (1 attempt)",
            server.uri()
        )
    );
    let shown = format!("{err} {err:?} {auth}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(received(&server, "/v2025/things/1").await.is_empty());
}

#[tokio::test]
async fn token_endpoint_503_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_token(&server, TOKEN).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    assert_eq!(call(&client, &GET_THING).await.unwrap().status(), 200);
    assert_eq!(received(&server, "/oauth/token").await.len(), 2);
}

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_show_in_debug_errors_or_tracing() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    // While only one dispatcher exists, tracing caches each callsite's interest
    // from whichever thread registers it first, so a callsite first hit by a
    // test on another thread would stay disabled here. A second dispatcher
    // makes tracing ask every live dispatcher instead.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    // Recompute interest for callsites registered while the subscriber was installed.
    tracing::callsite::rebuild_interest_cache();
    mount_token(&server, TOKEN).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"trackingId": "trk-1", "messages": [{"text": "down"}]})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let builder = builder(&server);
    let client = builder.clone().build().unwrap();
    let raw = call(&client, &GET_THING).await.unwrap();
    assert_eq!(raw.attempts, 3, "one token request and two API requests");
    let static_client = bearer_client(&server.uri());
    call(&static_client, &GET_THING).await.unwrap();

    let debug = format!(
        "{builder:?} {client:?} {static_client:?} {:?} {:?} {raw:?}",
        Credentials::client_credentials(CLIENT_ID, SECRET),
        Credentials::bearer_token(TOKEN),
    );
    assert!(debug.contains(CLIENT_ID), "{debug}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // @sdk if sailpoint
    assert!(logs.contains("sailpoint.request"), "{logs}");
    // @sdk else
    assert!(logs.contains("sdk.request"), "{logs}");
    // @sdk end
    assert!(logs.contains("operation_id=\"getThing\""), "{logs}");
    assert!(
        logs.contains(&format!("url=\"{}/v2025/things/1\"", server.uri())),
        "{logs}"
    );
    assert!(logs.contains("status=200"), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("elapsed_ms="), "{logs}");
    assert!(!logs.contains(SECRET), "{logs}");
    assert!(!logs.contains(TOKEN), "{logs}");
}

#[tokio::test]
async fn experimental_operation_is_refused_before_sending() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN).await;
    let client = builder(&server).build().unwrap();
    let err = call(&client, &GET_EXPERIMENTAL).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::ExperimentalNotEnabled {
                operation_id: "getExperimentalThing"
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("getExperimentalThing"));
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "nothing is sent, not even a token request"
    );
}

// @sdk if experimental
#[tokio::test]
async fn experimental_header_is_sent_when_enabled() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("X-SailPoint-Experimental", "true"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .experimental(true)
        .build()
        .unwrap();
    assert!(client.experimental_enabled());
    assert_eq!(
        call(&client, &GET_EXPERIMENTAL).await.unwrap().status(),
        200
    );
}

/// An opted-in client sends the header to GA operations too (an API may still
/// gate an operation its description calls GA); a client that did not opt in
/// sends it nowhere.
#[tokio::test]
async fn opted_in_client_sends_the_experimental_header_to_every_operation() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    for (opted_in, op) in [
        (true, &GET_THING),
        (true, &GET_EXPERIMENTAL),
        (false, &GET_THING),
    ] {
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token(TOKEN)
            .experimental(opted_in)
            .build()
            .unwrap();
        call(&client, op).await.unwrap();
    }
    let sent: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("x-sailpoint-experimental")
                .map(|v| v.to_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(sent, [Some("true".into()), Some("true".into()), None]);
}

/// `CallOptions::experimental` opts one call in (or out) whatever the client says.
#[tokio::test]
async fn call_options_opt_one_call_in_or_out_of_experimental_operations() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("X-SailPoint-Experimental", "true"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let plain = bearer_client(&server.uri());
    let mut req = Request::new(&GET_EXPERIMENTAL, "/things/1".to_owned());
    req.options = super::CallOptions::new().experimental(true);
    assert_eq!(plain.execute::<()>(req).await.unwrap().status(), 200);

    let opted_in = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .experimental(true)
        .build()
        .unwrap();
    let mut req = Request::new(&GET_EXPERIMENTAL, "/things/1".to_owned());
    req.options = super::CallOptions::new().experimental(false);
    let err = opted_in.execute::<()>(req).await.unwrap_err();
    assert!(
        matches!(err, Error::ExperimentalNotEnabled { .. }),
        "{err:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

// @sdk end
#[tokio::test]
async fn dot_dot_path_is_refused_before_sending() {
    let server = MockServer::start().await;
    let client = bearer_client(&server.uri());
    for segment in ["..", "."] {
        let path = format!("/things/{}/x", super::encode_path_segment(segment));
        let err = client
            .execute::<()>(Request::new(&GET_THING, path))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn header_with_newline_is_refused_before_sending() {
    let server = MockServer::start().await;
    let client = bearer_client(&server.uri());
    let mut req = Request::new(&GET_THING, "/things/1".to_owned());
    req.headers
        .push(("X-Param", "a\r\nInjected: yes".to_owned()));
    let err = client.execute::<()>(req).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

async fn mount_then_ok(server: &MockServer, first: ResponseTemplate, times: u64) {
    Mock::given(wiremock::matchers::any())
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(server)
        .await;
}

#[tokio::test]
async fn status_429_honours_retry_after_seconds() {
    let server = MockServer::start().await;
    mount_then_ok(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "0"),
        1,
    )
    .await;
    let raw = call(&bearer_client(&server.uri()), &GET_THING)
        .await
        .unwrap();
    assert_eq!((raw.status(), raw.attempts), (200, 2));
}

#[tokio::test]
async fn status_429_honours_retry_after_http_date() {
    let server = MockServer::start().await;
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() - Duration::from_secs(5));
    mount_then_ok(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", date.as_str()),
        1,
    )
    .await;
    let raw = call(&bearer_client(&server.uri()), &GET_THING)
        .await
        .unwrap();
    assert_eq!((raw.status(), raw.attempts), (200, 2));
}

#[tokio::test]
async fn retry_after_beyond_the_cap_waits_only_the_cap() {
    // An hour-long Retry-After would hang this test if the 20 ms cap were ignored.
    let server = MockServer::start().await;
    mount_then_ok(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
        1,
    )
    .await;
    let raw = call(&bearer_client(&server.uri()), &GET_THING)
        .await
        .unwrap();
    assert_eq!((raw.status(), raw.attempts), (200, 2));
}

#[tokio::test]
async fn retry_after_beyond_the_deadline_gives_up_at_once() {
    let server = MockServer::start().await;
    mount_then_ok(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
        1,
    )
    .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(
            RetryPolicy::default()
                .max_retry_after(Duration::from_secs(3600))
                .deadline(Duration::from_secs(30)),
        )
        .build()
        .unwrap();
    let raw = call(&client, &GET_THING).await.unwrap();
    assert_eq!((raw.status(), raw.attempts), (429, 1));
}

#[tokio::test]
async fn status_503_is_retried_with_backoff_then_succeeds() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(503), 2).await;
    let raw = call(&bearer_client(&server.uri()), &GET_THING)
        .await
        .unwrap();
    assert_eq!((raw.status(), raw.attempts), (200, 3));
}

#[tokio::test]
async fn exhausted_retries_return_the_last_response_with_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).insert_header("SLPT-Request-ID", "req-42"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_policy().max_attempts(3))
        .build()
        .unwrap();
    let err = call(&client, &GET_THING).await.unwrap().unexpected::<()>();
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(err.tracking_id(), Some("req-42"));
    assert_eq!(
        err.to_string(),
        format!(
            "`getThing` failed with an undocumented status: {}/v2025/things/1: \
             HTTP 502 Bad Gateway (3 attempts, tracking id req-42): empty body",
            server.uri()
        )
    );
    assert_eq!(received(&server, "/v2025/things/1").await.len(), 3);
}

#[tokio::test]
async fn post_is_not_retried_after_503() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(503), 1).await;
    let raw = post(&bearer_client(&server.uri())).await.unwrap();
    assert_eq!((raw.status(), raw.attempts), (503, 1));
    assert_eq!(received(&server, "/v2025/things/1").await.len(), 1);
}

#[tokio::test]
async fn post_is_retried_after_429() {
    let server = MockServer::start().await;
    mount_then_ok(&server, ResponseTemplate::new(429), 1).await;
    let raw = post(&bearer_client(&server.uri())).await.unwrap();
    assert_eq!((raw.status(), raw.attempts), (200, 2));
    let bodies: Vec<_> = received(&server, "/v2025/things/1")
        .await
        .into_iter()
        .map(|r| r.body)
        .collect();
    assert_eq!(
        bodies,
        [br#"{"name":"x"}"#.to_vec(), br#"{"name":"x"}"#.to_vec()]
    );
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_post() {
    let base = refused_base_url();
    let client = Client::builder()
        .base_url(&base)
        .bearer_token(TOKEN)
        .retry_policy(fast_policy().max_attempts(3))
        .build()
        .unwrap();
    for err in [
        post(&client).await.unwrap_err(),
        call(&client, &GET_THING).await.unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::Transport { attempts: 3, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` failed: could not connect to {base}/v2025/things/1: \
                 Connection refused (os error 111) (3 attempts)",
                if matches!(
                    err,
                    Error::Transport {
                        operation_id: "createThing",
                        ..
                    }
                ) {
                    "createThing"
                } else {
                    "getThing"
                }
            )
        );
    }
}

#[tokio::test]
async fn no_retry_policy_makes_one_attempt() {
    let client = Client::builder()
        .base_url(refused_base_url())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = call(&client, &GET_THING).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 1, .. }),
        "{err:?}"
    );
}

fn slow_server_client(server: &MockServer, policy: RetryPolicy, timeout: Duration) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .timeout(timeout)
        .retry_policy(policy)
        .build()
        .unwrap()
}

async fn mount_slow(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(server)
        .await;
}

#[tokio::test]
async fn timed_out_get_is_retried_but_post_is_not() {
    let server = MockServer::start().await;
    mount_slow(&server).await;
    let client = slow_server_client(
        &server,
        fast_policy().max_attempts(2),
        Duration::from_millis(100),
    );

    let err = call(&client, &GET_THING).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 2, .. }), "{err:?}");
    assert_eq!(received(&server, "/v2025/things/1").await.len(), 2);

    let err = post(&client).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert_eq!(received(&server, "/v2025/things/1").await.len(), 3);
}

#[tokio::test]
async fn deadline_cuts_a_slow_attempt() {
    let server = MockServer::start().await;
    mount_slow(&server).await;
    let client = slow_server_client(
        &server,
        fast_policy()
            .max_attempts(10)
            .deadline(Duration::from_millis(200)),
        Duration::from_secs(60),
    );
    let err = call(&client, &GET_THING).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn deadline_bounds_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let policy = RetryPolicy::default()
        .max_attempts(u32::MAX)
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(20))
        .deadline(Duration::from_millis(300));
    let client = slow_server_client(&server, policy, Duration::from_secs(60));
    // Either the last 503 is returned, or the deadline ends an attempt in flight.
    let attempts = match call(&client, &GET_THING).await {
        Ok(raw) => {
            assert_eq!(raw.status(), 503);
            raw.attempts
        }
        Err(Error::Timeout { attempts, .. }) => attempts,
        Err(other) => panic!("unexpected {other:?}"),
    };
    assert!((1..1000).contains(&attempts), "{attempts}");
}

#[tokio::test]
async fn refused_token_endpoint_names_url_cause_and_counts_token_attempts() {
    let base = refused_base_url();
    let client = Client::builder()
        .base_url(&base)
        .client_credentials(CLIENT_ID, SECRET)
        .token_url("/oauth/token")
        .retry_policy(fast_policy().max_attempts(4))
        .build()
        .unwrap();
    let err = call(&client, &GET_THING).await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert_eq!(err.attempts(), Some(4));
    assert_eq!(
        err.to_string(),
        format!(
            "`getThing` failed: could not obtain an access token from {base}/oauth/token: \
             Connection refused (os error 111) (4 attempts)"
        )
    );
    assert!(!format!("{err} {err:?}").contains(SECRET));
}

#[tokio::test]
async fn attempts_count_token_requests_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_token(&server, TOKEN).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let err = call(&client, &GET_THING).await.unwrap().unexpected::<()>();
    // Two token requests (503, then 200) and one API request.
    assert_eq!(err.attempts(), Some(3));
    // The token is cached now: the next call sends one request.
    assert_eq!(call(&client, &GET_THING).await.unwrap().attempts, 1);
}

/// A server that accepts connections and never answers; returns its origin.
async fn hanging_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    origin
}

#[tokio::test]
async fn hung_token_endpoint_is_a_timeout_within_the_deadline() {
    let origin = hanging_server().await;
    let client = Client::builder()
        .base_url(&origin)
        .client_credentials(CLIENT_ID, SECRET)
        .token_url("/oauth/token")
        .retry_policy(fast_policy().deadline(Duration::from_secs(1)))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = call(&client, &GET_THING).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not hang"
    );
    let Error::Timeout { url, attempts, .. } = &err else {
        panic!("expected Error::Timeout, got {err:?}")
    };
    assert_eq!(url, &format!("{origin}/oauth/token"));
    assert!(*attempts >= 1, "{attempts}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("`getThing` timed out after ")
            && shown.contains(&format!("s waiting for {origin}/oauth/token (")),
        "{shown}"
    );
}

#[tokio::test]
async fn hung_api_is_a_timeout_within_the_deadline() {
    let origin = hanging_server().await;
    let client = Client::builder()
        .base_url(&origin)
        .bearer_token(TOKEN)
        .retry_policy(fast_policy().deadline(Duration::from_secs(1)))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = call(&client, &GET_THING).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not hang"
    );
    assert!(
        matches!(&err, Error::Timeout { url, .. } if *url == format!("{origin}/v2025/things/1")),
        "{err:?}"
    );
}

#[tokio::test]
async fn default_deadline_bounds_a_hung_call() {
    // The default policy's 60 s deadline, shortened only through the per-attempt
    // timeout: 2 token attempts of 300 ms cannot take minutes.
    let origin = hanging_server().await;
    let client = Client::builder()
        .base_url(&origin)
        .client_credentials(CLIENT_ID, SECRET)
        .token_url("/oauth/token")
        .timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = call(&client, &GET_THING).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "it did not hang"
    );
    assert!(matches!(err, Error::Timeout { attempts: 2, .. }), "{err:?}");
}

#[tokio::test]
async fn tracing_scheme_one_span_events_per_attempt_token_and_retry() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // See `secrets_never_show_in_debug_errors_or_tracing` for these two lines.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    tracing::callsite::rebuild_interest_cache();

    mount_token(&server, TOKEN).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).insert_header("SLPT-Request-ID", "trk-77"))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut req = Request::new(&GET_THING, "/things/1".to_owned());
    req.query = vec![
        ("filters", r#"name eq "a b""#.to_owned()),
        ("access_token", "leaked-token-value".to_owned()),
    ];
    let raw = client.execute::<()>(req).await.unwrap();
    assert_eq!(raw.attempts, 3);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = logs.lines().collect();
    let url = format!(
        "{}/v2025/things/1?filters=name%20eq%20%22a%20b%22&access_token=[redacted]",
        server.uri()
    );
    let find = |needle: &str| {
        lines
            .iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{logs}"))
            .to_string()
    };
    let token = find("access token fetched");
    assert!(
        token.contains(" INFO ") && token.contains("token_attempts=1"),
        "{token}"
    );
    assert!(token.contains("latency_ms="), "{token}");
    let retry = find("retrying");
    assert!(
        retry.contains(" INFO ") && retry.contains("status=429"),
        "{retry}"
    );
    assert!(retry.contains("reason=\"retryable status\""), "{retry}");
    let responses: Vec<&&str> = lines.iter().filter(|l| l.contains(" response ")).collect();
    assert_eq!(responses.len(), 2, "{logs}");
    assert!(responses[0].contains("attempt=1") && responses[0].contains("status=429"));
    let last = responses[1];
    for field in [
        "attempt=2",
        "status=200",
        "latency_ms=",
        "tracking_id=\"trk-77\"",
        &format!("url=\"{url}\""),
    ] {
        assert!(last.contains(field), "{field} not in {last}");
    }
    // One span per call, its fields recorded once.
    let close = find("runtime::client: close");
    // @sdk if sailpoint
    assert!(close.contains("sailpoint.request"), "{close}");
    // @sdk else
    assert!(close.contains("sdk.request"), "{close}");
    // @sdk end
    assert_eq!(close.matches("status=").count(), 1, "{close}");
    assert_eq!(close.matches("attempts=").count(), 1, "{close}");
    assert!(
        close.contains("attempts=3") && close.contains("status=200"),
        "{close}"
    );
    assert!(
        !logs.contains("leaked-token-value") && !logs.contains(TOKEN),
        "{logs}"
    );
}

#[tokio::test]
async fn token_retries_and_failure_are_logged_with_reasons() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // See `secrets_never_show_in_debug_errors_or_tracing` for these two lines.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();

    let base = refused_base_url();
    let client = Client::builder()
        .base_url(&base)
        .client_credentials(CLIENT_ID, SECRET)
        .token_url("/oauth/token")
        .retry_policy(fast_policy().max_attempts(2))
        .build()
        .unwrap();
    call(&client, &GET_THING).await.unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let retry = logs
        .lines()
        .find(|l| l.contains("retrying the token request"))
        .unwrap_or_else(|| panic!("{logs}"));
    assert!(retry.contains(" INFO "), "{retry}");
    assert!(
        retry.contains("reason=\"Connection refused (os error 111)\""),
        "{retry}"
    );
    let failed = logs
        .lines()
        .find(|l| l.contains("no access token"))
        .unwrap_or_else(|| panic!("{logs}"));
    assert!(failed.contains(" WARN "), "{failed}");
    assert!(failed.contains("token_attempts=2"), "{failed}");
    assert!(
        failed.contains(&format!("token_url=\"{base}/oauth/token\"")),
        "{failed}"
    );
    assert!(!logs.contains(SECRET), "{logs}");
}
