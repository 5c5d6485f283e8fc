//! Per-call options, raw requests, response metadata and deprecation warnings,
//! against real HTTP servers on loopback (wiremock).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{CallOptions, Client, Error, Operation, Request, RetryPolicy};

const TOKEN: &str = "tok-0123456789-abcdef";

static GET_THING: Operation = Operation {
    id: "getThing",
    method: Method::GET,
    path_template: "/things/{id}",
    experimental: false,
};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap()
}

async fn get_thing(client: &Client, options: CallOptions) -> Result<u16, Error<()>> {
    let mut req = Request::new(&GET_THING, "/things/1".to_owned());
    req.query.push(("limit", "5".to_owned()));
    req.options = options;
    client.execute::<()>(req).await.map(|raw| raw.status())
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

#[tokio::test]
async fn call_options_add_headers_and_query_for_that_call_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client(&server);
    let options = CallOptions::new()
        .header("X-Correlation-Id", "run 42")
        .query("debug", "a b&c");
    assert_eq!(get_thing(&client, options).await.unwrap(), 200);
    assert_eq!(get_thing(&client, CallOptions::new()).await.unwrap(), 200);

    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].url.query(), Some("limit=5&debug=a%20b%26c"));
    assert_eq!(sent[0].headers["x-correlation-id"], "run 42");
    assert_eq!(sent[1].url.query(), Some("limit=5"));
    assert!(sent[1].headers.get("x-correlation-id").is_none());
}

#[tokio::test]
async fn call_options_cannot_override_authorization_or_the_experimental_header() {
    let server = MockServer::start().await;
    let client = client(&server);
    // @sdk if experimental
    let names = ["Authorization", "x-sailpoint-experimental"];
    // @sdk else
    let names = ["Authorization"];
    // @sdk end
    for name in names {
        let err = get_thing(&client, CallOptions::new().header(name, "x"))
            .await
            .unwrap_err();
        match err {
            Error::InvalidRequest { reason, .. } => assert!(reason.contains(name), "{reason}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(requests(&server).await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn call_retry_policy_overrides_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = client(&server);
    // The client retries (default: 4 attempts); this call does not.
    let options = CallOptions::new().retry_policy(RetryPolicy::default().max_attempts(1));
    assert_eq!(get_thing(&client, options).await.unwrap(), 503);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn call_timeout_overrides_the_clients() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = client(&server);
    let options = CallOptions::new()
        .timeout(Duration::from_millis(50))
        .retry_policy(RetryPolicy::default().max_attempts(1));
    match get_thing(&client, options).await {
        Err(Error::Timeout { .. }) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn raw_request_sends_json_and_decodes_json_with_metadata() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2025/not-in-spec"))
        .and(query_param("x", "1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("SLPT-Request-ID", "req-7")
                .set_body_json(json!({"id": "abc"})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let response = client
        .request(Method::POST, "/not-in-spec")
        .query("x", "1")
        .json(&json!({"name": "n"}))
        .send_json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.tracking_id(), Some("req-7"));
    assert_eq!(response.body()["id"], "abc");
    let sent = requests(&server).await;
    assert_eq!(sent[0].body, br#"{"name":"n"}"#);
}

#[tokio::test]
async fn raw_request_errors_carry_status_headers_and_tracking_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("SLPT-Request-ID", "req-9")
                .set_body_json(json!({"messages": [{"text": "no such thing"}]})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client
        .request(Method::GET, "/missing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.tracking_id(), Some("req-9"));
    let Error::Api(api) = err else {
        panic!("expected Error::Api")
    };
    assert_eq!(api.headers()["slpt-request-id"], "req-9");
    assert_eq!(api.body()["messages"][0]["text"], "no such thing");
}

// @sdk if experimental
#[tokio::test]
async fn raw_request_goes_through_the_experimental_gate() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-sailpoint-experimental", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let refused = client(&server)
        .request(Method::GET, "/beta")
        .experimental(true)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::ExperimentalNotEnabled { .. }));
    assert!(requests(&server).await.is_empty());

    let enabled = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .experimental(true)
        .build()
        .unwrap();
    let body = enabled
        .request(Method::GET, "/beta")
        .experimental(true)
        .send()
        .await
        .unwrap()
        .into_body();
    assert_eq!(&body[..], b"ok");
}
// @sdk end

#[tokio::test]
async fn raw_request_refuses_dot_segments() {
    let server = MockServer::start().await;
    let err = client(&server)
        .request(Method::GET, "/a/../oauth/token")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
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
async fn deprecation_and_sunset_warn_once_per_operation() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(move || writer.clone())
        .finish();
    // See `secrets_never_show_in_debug_errors_or_tracing` for why.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    tracing::callsite::rebuild_interest_cache();
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Deprecation", "@1735689600")
                .insert_header("Sunset", "Wed, 01 Jul 2026 00:00:00 GMT"),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    for _ in 0..3 {
        get_thing(&client, CallOptions::new()).await.unwrap();
    }
    client.request(Method::GET, "/other").send().await.unwrap();
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(logs.matches("deprecated").count(), 2, "{logs}");
    assert!(logs.contains("WARN"), "{logs}");
    assert!(logs.contains("getThing"), "{logs}");
    assert!(logs.contains("Wed, 01 Jul 2026"), "{logs}");
}
