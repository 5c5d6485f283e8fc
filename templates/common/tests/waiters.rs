//! The generated waiter `classify_source().classify_and_wait(source_id)`
//! (declared with `x-sdk-waiter` in the spec) against a real HTTP server on
//! loopback (wiremock): it starts the work, polls until a terminal state, and
//! ends with a typed outcome or a timeout naming the last status; a status
//! it does not know is polled through (or, when asked, ends the wait at
//! once); a `429` during polling is honoured.
//!
//! Every crate runs this same file (it is under `templates/common/`): the
//! classify path comes from the crate's own `tests/sdk_ops/mod.rs`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sailpoint_v2025::classify_source::ClassifyAndWait;
use sailpoint_v2025::models::SourceClassificationStatusStatus as Stage;
use sailpoint_v2025::{
    CallOptions, Client, Error, OnUnknownStatus, RetryPolicy, WaitError, WaitOutcome,
};

mod sdk_ops;

const SOURCE_ID: &str = "2c9180835d2e5168015d32f890ca1581";

fn classify_path() -> String {
    sdk_ops::classify_path(SOURCE_ID)
}

fn status_body(status: &str) -> Value {
    json!({
        "status": status,
        "started": "2025-05-06T10:15:30.098Z",
        "counts": {"EXPECTED": 10, "RECEIVED": 10, "COMPLETED": 3}
    })
}

fn ok(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A server that accepts the start and answers the polls with `polls`, in
/// order, the last one forever.
async fn server(polls: &[ResponseTemplate]) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(classify_path()))
        .respond_with(ok(&json!({"Accounts submitted for processing": 10})))
        .mount(&server)
        .await;
    let (last, first) = polls.split_last().unwrap();
    for reply in first {
        Mock::given(method("GET"))
            .and(path(classify_path()))
            .respond_with(reply.clone())
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(classify_path()))
        .respond_with(last.clone())
        .with_priority(2)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token("test-token")
        .experimental(true)
        .retry_policy(RetryPolicy::default().initial_backoff(Duration::from_millis(1)))
        .build()
        .unwrap();
    (server, client)
}

fn waiter(client: &Client) -> ClassifyAndWait {
    client
        .classify_source()
        .classify_and_wait(SOURCE_ID)
        .initial_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .timeout(Duration::from_secs(20))
}

/// The method and path of every request the server received.
async fn calls(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

fn post() -> String {
    format!("POST {}", classify_path())
}

fn get() -> String {
    format!("GET {}", classify_path())
}

#[tokio::test]
async fn waiter_starts_then_polls_until_a_success_state() {
    let (server, client) = server(&[
        ok(&status_body("STARTED")),
        ok(&status_body("COLLECTED")),
        ok(&status_body("COMPLETED")),
    ])
    .await;

    let outcome = waiter(&client).send().await.unwrap();

    let WaitOutcome::Succeeded(status) = outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(status.status, Some(Stage::Completed));
    assert_eq!(calls(&server).await, [post(), get(), get(), get()]);
    for request in server.received_requests().await.unwrap() {
        assert_eq!(request.headers["x-sailpoint-experimental"], "true");
    }
}

#[tokio::test]
async fn waiter_ends_on_a_failure_state_with_that_status() {
    for end in ["CANCELLED", "TERMINATED"] {
        let (server, client) = server(&[ok(&status_body("STARTED")), ok(&status_body(end))]).await;

        let outcome = waiter(&client).await.unwrap();

        assert!(!outcome.is_success(), "{end}: {outcome:?}");
        let WaitOutcome::Failed(status) = outcome else {
            panic!("{end}: {outcome:?}");
        };
        assert_eq!(status.status.as_ref().map(|s| s.as_str()), Some(end));
        assert_eq!(calls(&server).await, [post(), get(), get()], "{end}");
    }
}

#[tokio::test]
async fn waiter_polls_through_a_status_it_does_not_know() {
    let (server, client) = server(&[
        ok(&status_body("STARTED")),
        ok(&status_body("PAUSED_FOR_REVIEW")),
        ok(&status_body("PAUSED_FOR_REVIEW")),
        ok(&status_body("COMPLETED")),
    ])
    .await;

    let outcome = waiter(&client).send().await.unwrap();

    assert_eq!(outcome.status().status, Some(Stage::Completed));
    assert_eq!(calls(&server).await, [post(), get(), get(), get(), get()]);
}

#[tokio::test]
async fn waiter_times_out_naming_a_status_it_does_not_know() {
    let (_server, client) = server(&[
        ok(&status_body("STARTED")),
        ok(&status_body("PAUSED_FOR_REVIEW")),
    ])
    .await;

    let err = waiter(&client)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();

    let WaitError::Timeout {
        last_status,
        last_state,
        last_state_unknown,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        last_status.as_ref().and_then(|s| s.status.clone()),
        Some(Stage::Unknown("PAUSED_FOR_REVIEW".into()))
    );
    assert_eq!(last_state.as_deref(), Some("PAUSED_FOR_REVIEW"));
    assert!(*last_state_unknown);
    let text = err.to_string();
    assert!(
        text.contains("the last status was `PAUSED_FOR_REVIEW`, a state this SDK does not know"),
        "{text}"
    );
}

#[tokio::test]
async fn waiter_stops_at_a_status_it_does_not_know_when_asked() {
    let (server, client) = server(&[
        ok(&status_body("STARTED")),
        ok(&status_body("PAUSED_FOR_REVIEW")),
    ])
    .await;

    let err = waiter(&client)
        .on_unknown_status(OnUnknownStatus::Stop)
        .send()
        .await
        .unwrap_err();

    let WaitError::UnknownStatus(status) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(
        status.status,
        Some(Stage::Unknown("PAUSED_FOR_REVIEW".into()))
    );
    assert_eq!(err.last_status(), Some(status));
    assert!(err.to_string().contains("not one this SDK knows"), "{err}");
    assert_eq!(
        calls(&server).await,
        [post(), get(), get()],
        "no third poll"
    );
}

#[tokio::test]
async fn waiter_reports_a_missing_status_field_as_unknown() {
    let (server, client) = server(&[ok(&json!({"started": "2025-05-06T10:15:30.098Z"}))]).await;

    let err = waiter(&client)
        .on_unknown_status(OnUnknownStatus::Stop)
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(&err, WaitError::UnknownStatus(s) if s.status.is_none()),
        "{err:?}"
    );
    assert_eq!(calls(&server).await, [post(), get()]);
}

#[tokio::test]
async fn waiter_times_out_with_the_last_status_seen() {
    let (server, client) =
        server(&[ok(&status_body("STARTED")), ok(&status_body("COLLECTED"))]).await;

    let started = Instant::now();
    let err = waiter(&client)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();

    let WaitError::Timeout {
        last_status,
        last_state,
        last_state_unknown,
        elapsed,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        last_status.as_ref().and_then(|s| s.status.clone()),
        Some(Stage::Collected)
    );
    assert_eq!(last_state.as_deref(), Some("COLLECTED"));
    assert!(!last_state_unknown);
    assert!(
        err.to_string()
            .contains("(the last status was `COLLECTED`)"),
        "{err}"
    );
    assert!(*elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(calls(&server).await.len() >= 3, "POST and several polls");
}

#[tokio::test]
async fn waiter_honours_a_429_during_polling() {
    let (server, client) = server(&[
        ok(&status_body("STARTED")),
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        ok(&status_body("COMPLETED")),
    ])
    .await;

    let started = Instant::now();
    let outcome = waiter(&client).send().await.unwrap();

    assert!(outcome.is_success(), "{outcome:?}");
    assert_eq!(outcome.status().status, Some(Stage::Completed));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "the 429's Retry-After was not waited for: {:?}",
        started.elapsed()
    );
    assert_eq!(calls(&server).await, [post(), get(), get(), get()]);
}

#[tokio::test]
async fn waiter_reports_a_failed_start_without_polling() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(classify_path()))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "detailCode": "403 Forbidden",
            "messages": [{"locale": "en-US", "text": "no"}]
        })))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token("test-token")
        .experimental(true)
        .build()
        .unwrap();

    let err = waiter(&client).send().await.unwrap_err();

    let WaitError::Start(Error::Api(api)) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(api.status(), 403);
    // The cause is in the text itself, so `eprintln!("{err}")` says why.
    let text = err.to_string();
    assert!(text.starts_with("starting the work failed: `"), "{text}");
    assert!(text.contains("HTTP 403"), "{text}");
    assert_eq!(calls(&server).await, [post()]);
}

#[tokio::test]
async fn waiter_reports_a_failed_poll() {
    let (_server, client) = server(&[ResponseTemplate::new(418).set_body_string("teapot")]).await;

    let err = waiter(&client).send().await.unwrap_err();

    let WaitError::Poll(poll) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(poll.status().map(|s| s.as_u16()), Some(418));
}

#[tokio::test]
async fn waiter_options_reach_the_start_and_every_poll() {
    let (server, client) =
        server(&[ok(&status_body("STARTED")), ok(&status_body("COMPLETED"))]).await;

    waiter(&client)
        .with_options(CallOptions::new().header("X-Run", "w1"))
        .send()
        .await
        .unwrap();

    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 3);
    for request in sent {
        assert_eq!(request.headers["x-run"], "w1", "{}", request.url);
    }
}
