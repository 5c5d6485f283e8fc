//! `with_options` on generated request builders, against a real HTTP server
//! on loopback (wiremock): the settings reach the wire for that call only.

use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sailpoint_v2025::{CallOptions, Client, Error, RetryPolicy};

const ID: &str = "2c9180858082150f0180893dbaf44201";

async fn serve(status: u16) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v2025/machine-identities/{ID}")))
        .respond_with(ResponseTemplate::new(status).insert_header("SLPT-Request-ID", "rq-1"))
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

#[tokio::test]
async fn builder_options_reach_the_wire_for_that_call_only() {
    let (server, client) = serve(204).await;
    let response = client
        .machine_identities()
        .delete_machine_identity(ID)
        .with_options(CallOptions::new().header("X-Run", "r1"))
        .with_options(CallOptions::new().query("trace", "yes"))
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.tracking_id(), Some("rq-1"));
    client
        .machine_identities()
        .delete_machine_identity(ID)
        .await
        .unwrap();
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].headers["x-run"], "r1");
    assert_eq!(sent[0].url.query(), Some("trace=yes"));
    assert!(sent[1].headers.get("x-run").is_none());
    assert_eq!(sent[1].url.query(), None);
}

#[tokio::test]
async fn builder_retry_policy_applies_to_that_call_only() {
    let (server, client) = serve(503).await;
    let err = client
        .machine_identities()
        .delete_machine_identity(ID)
        .with_options(CallOptions::new().retry_policy(RetryPolicy::none()))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.tracking_id(), Some("rq-1"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    // The client's own policy retries.
    let _ = client
        .machine_identities()
        .delete_machine_identity(ID)
        .await;
    assert!(server.received_requests().await.unwrap().len() > 2);
}

#[tokio::test]
async fn builder_refuses_an_authorization_override() {
    let (server, client) = serve(204).await;
    let err = client
        .machine_identities()
        .delete_machine_identity(ID)
        .with_options(CallOptions::new().header("authorization", "Bearer other"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}
