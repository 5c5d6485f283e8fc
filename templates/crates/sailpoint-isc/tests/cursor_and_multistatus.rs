//! Issue 20's "Done when", against a real HTTP server on loopback (wiremock):
//!
//! - streaming hostnames over a cursor (`listMachineIdentityHostnamesV2`, declared
//!   with `x-sdk-pagination: {style: cursor}`) yields every hostname exactly once,
//!   stops at `max_items`, and ends with a typed error on a server that repeats a
//!   cursor;
//! - a bulk delete (`deleteMachineIdentitiesInBulkV2`, a `207` declared with
//!   `x-sdk-multi-status`) where some ids fail hands back the per-id outcome.

use std::sync::{Arc, Mutex};

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use sailpoint_isc::models::{
    JsonPatchOperation, JsonPatchOperationOp, MachineIdentityBulkRequest,
    MachineIdentityBulkUpdateRequest,
};
use sailpoint_isc::{Client, Error, ItemOutcome, RetryPolicy};

const HOSTNAMES: &str = "/machine-identities/v2/hostnames";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("test-token-0123")
        .experimental(true)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// `n` hostnames, in the server's (ascending) order.
fn hostnames(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("build-agent-{i:02}.acme.internal"))
        .collect()
}

/// The query of one request: `(cursor, limit)`.
type Asked = Arc<Mutex<Vec<(Option<String>, Option<String>)>>>;

/// The hostnames after `cursor`, at most `limit` (or `cap`, whichever is
/// smaller) a page; with `ignore_cursor`, the first page whatever is asked.
struct Hostnames {
    all: Vec<String>,
    cap: usize,
    ignore_cursor: bool,
    asked: Asked,
}

impl Respond for Hostnames {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |key: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        let (cursor, limit) = (query("cursor"), query("limit"));
        self.asked
            .lock()
            .unwrap()
            .push((cursor.clone(), limit.clone()));
        let after = if self.ignore_cursor { None } else { cursor };
        let size = limit
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(250)
            .min(self.cap);
        let page: Vec<&String> = self
            .all
            .iter()
            .filter(|h| after.as_ref().is_none_or(|a| *h > a))
            .take(size)
            .collect();
        ResponseTemplate::new(200).set_body_json(page)
    }
}

async fn hostname_server(all: Vec<String>, cap: usize, ignore_cursor: bool) -> (MockServer, Asked) {
    let server = MockServer::start().await;
    let asked = Asked::default();
    Mock::given(method("GET"))
        .and(path(HOSTNAMES))
        .respond_with(Hostnames {
            all,
            cap,
            ignore_cursor,
            asked: asked.clone(),
        })
        .mount(&server)
        .await;
    (server, asked)
}

fn asked(asked: &Asked) -> Vec<(Option<String>, Option<String>)> {
    asked.lock().unwrap().clone()
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[tokio::test]
async fn streaming_hostnames_yields_every_hostname_exactly_once() {
    let all = hostnames(23);
    let (server, log) = hostname_server(all.clone(), 250, false).await;
    let got: Vec<String> = client(&server)
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .limit(10)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, all, "every hostname, once, in order");
    assert_eq!(
        asked(&log),
        [
            (None, some("10")),
            (some("build-agent-09.acme.internal"), some("10")),
            (some("build-agent-19.acme.internal"), some("10")),
            (some("build-agent-22.acme.internal"), some("10")),
        ],
        "the first page without a cursor, each next one after the last hostname; \
         the short page is followed by one (empty) page, not trusted as the end"
    );
}

#[tokio::test]
async fn a_server_that_caps_its_pages_still_yields_every_hostname() {
    // No `limit` set: the page size is the spec's maximum, 250; but the
    // server sends 4 at most: a short page is not the end.
    let all = hostnames(11);
    let (server, log) = hostname_server(all.clone(), 4, false).await;
    let got: Vec<String> = client(&server)
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, all);
    assert_eq!(asked(&log).len(), 4, "{:?}", asked(&log));
}

#[tokio::test]
async fn streaming_hostnames_stops_at_max_items() {
    let (server, log) = hostname_server(hostnames(100), 250, false).await;
    let got: Vec<String> = client(&server)
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .limit(5)
        .max_items(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, hostnames(7));
    assert_eq!(
        asked(&log),
        [
            (None, some("5")),
            (some("build-agent-04.acme.internal"), some("2")),
        ],
        "the last page asks only for what is left, and nothing after it"
    );
}

#[tokio::test]
async fn a_server_that_repeats_a_cursor_ends_with_a_typed_error() {
    let (server, log) = hostname_server(hostnames(100), 250, true).await;
    let items: Vec<_> = client(&server)
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .limit(3)
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 4, "the first page, then the error: {items:?}");
    let first: Vec<&String> = items[..3].iter().map(|r| r.as_ref().unwrap()).collect();
    assert_eq!(first, hostnames(3).iter().collect::<Vec<_>>());
    match &items[3] {
        Err(err @ Error::RepeatedCursor { cursor, page, .. }) => {
            assert_eq!(
                (cursor.as_str(), *page),
                ("build-agent-02.acme.internal", 2)
            );
            assert!(
                err.to_string().contains("listMachineIdentityHostnamesV2"),
                "{err}"
            );
        }
        other => panic!("expected RepeatedCursor, got {other:?}"),
    }
    assert_eq!(asked(&log).len(), 2, "no request after the repeat");
}

#[tokio::test]
async fn the_cursor_the_caller_sets_is_where_streaming_starts() {
    let (server, log) = hostname_server(hostnames(6), 250, false).await;
    let got: Vec<String> = client(&server)
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .cursor("build-agent-03.acme.internal")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, hostnames(6)[4..]);
    assert_eq!(asked(&log)[0].0, some("build-agent-03.acme.internal"));
}

/// Three ids asked for; the server deletes one, cannot find one and leaves
/// the third out of its answer.
#[tokio::test]
async fn a_bulk_delete_where_some_ids_fail_hands_back_the_per_id_outcome() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/machine-identities/v2/bulk-delete"))
        .respond_with(ResponseTemplate::new(207).set_body_json(json!([
            {"id": "mi-1", "status": 200, "message": "Machine identity deleted."},
            {"id": "mi-2", "status": 404, "message": "Machine identity not found."},
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let requested = ["mi-1", "mi-2", "mi-3"];
    let answer = client(&server)
        .machine_identities()
        .delete_machine_identities_in_bulk_v2(MachineIdentityBulkRequest::new(
            requested.iter().map(|s| s.to_string()).collect(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 207);
    assert!(!answer.is_complete());
    let deleted: Vec<&str> = answer.succeeded().filter_map(ItemOutcome::id).collect();
    assert_eq!(deleted, ["mi-1"]);
    let failed: Vec<_> = answer
        .failed()
        .map(|o| (o.id(), o.status(), o.message()))
        .collect();
    assert_eq!(
        failed,
        [(Some("mi-2"), Some(404), Some("Machine identity not found."))]
    );
    assert_eq!(answer.unanswered(requested), ["mi-3"]);
    // The whole item is kept, and the outcomes can be matched.
    match answer.get("mi-2") {
        Some(ItemOutcome::Failed { status, item, .. }) => {
            assert_eq!(*status, Some(404));
            assert_eq!(item.id.as_deref(), Some("mi-2"));
        }
        other => panic!("{other:?}"),
    }
    match answer.get("mi-1") {
        Some(ItemOutcome::Succeeded {
            status: 200, item, ..
        }) => {
            assert_eq!(item.message.as_deref(), Some("Machine identity deleted."));
        }
        other => panic!("{other:?}"),
    }
}

/// A bulk update whose results lack a status for one id: not known to have
/// succeeded, so it is a failure without a status.
#[tokio::test]
async fn a_bulk_update_result_without_a_status_is_not_a_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/machine-identities/v2/bulk-update"))
        .respond_with(ResponseTemplate::new(207).set_body_json(json!([
            {"id": "mi-1", "status": 200},
            {"id": "mi-2"},
            {"id": "mi-3", "status": 409, "message": "Conflict."},
        ])))
        .mount(&server)
        .await;
    let mut replace = JsonPatchOperation::new(JsonPatchOperationOp::Replace, "/description");
    replace.value = Some(json!("Nightly payroll sync"));
    let answer = client(&server)
        .machine_identities()
        .update_machine_identities_in_bulk_v2(MachineIdentityBulkUpdateRequest::new(
            vec!["mi-1".into(), "mi-2".into(), "mi-3".into()],
            vec![replace],
        ))
        .send()
        .await
        .unwrap();
    let outcomes: Vec<(Option<&str>, bool, Option<u16>)> = answer
        .iter()
        .map(|o| (o.id(), o.is_success(), o.status()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (Some("mi-1"), true, Some(200)),
            (Some("mi-2"), false, None),
            (Some("mi-3"), false, Some(409)),
        ]
    );
    assert_eq!(answer.failed().count(), 2);
}
