//! All 22 operations of the per-service API against a real HTTP server on loopback
//! (wiremock).
//!
//! One row of [`OPS`] per operation: what the server must receive (method, the
//! versioned path, query, JSON body) and the success body it answers with. Every
//! call goes through [`call`], which reduces the typed result to an [`Outcome`], so
//! that one assertion covers every operation:
//!
//! - the documented request is sent, and the success body decodes with every field
//!   the server sent;
//! - experimental operations send `X-SailPoint-Experimental: true`, GA ones (v2
//!   machine identities, ownership correlation configs) never do, and without the
//!   opt-in an experimental operation fails before anything is sent while a GA one
//!   goes through;
//! - a documented error status decodes into `Error::Api`, an undocumented one keeps
//!   its status and raw body.
//!
//! Clients are built with `RetryPolicy::none()`, so that a 429 or 500 answer is
//! returned as it is instead of retried.

use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::{json, Value};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sailpoint_isc::filter::Sort;
use sailpoint_isc::machine_identities::{
    ListMachineIdentitiesV2Filter, ListMachineIdentitiesV2SortField,
};
use sailpoint_isc::models::{MachineIdentityAggregationRequest, MachineIdentityRequest};
use sailpoint_isc::patch::JsonPatch;
use sailpoint_isc::{Client, Error, Response, RetryPolicy};

const TOKEN: &str = "test-token-0123";
const MI: &str = "2c9180858082150f0180893dbaf44201";
const SOURCE: &str = "ef38f94347e94562b5bb8424a56397d8";
const RESOURCE: &str = "8886e5e3-63d0-462f-a195-d98da885b8dc";
const CONFIG: &str = "0f6c4e1a-7b2d-4c3e-9f8a-1b2c3d4e5f60";

/// One operation: its request on the wire and its success answer.
struct Op {
    id: &'static str,
    method: &'static str,
    path: fn() -> String,
    experimental: bool,
    /// The success status and body the server answers with (`None`: no body).
    status: u16,
    body: Option<fn() -> Value>,
    /// The JSON body the client must send, if any.
    sent: Option<fn() -> Value>,
}

fn mi_v1() -> Value {
    json!({"id": MI, "name": "payroll-sync-agent", "nativeIdentity": "agent:payroll-sync", "subtype": "AI Agent"})
}

fn mi_v2() -> Value {
    json!({
        "id": MI,
        "name": "payroll-sync-agent",
        "nativeIdentity": "agent:payroll-sync",
        "subtype": "AI_AGENT",
        "owners": {
            "primary": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Cloud Admin"},
            "secondary": [{"type": "GOVERNANCE_GROUP", "id": "8a8f2b5c-3d1e-4f6a-9b7c-2e4d6f8a0b1c", "name": "Payroll Owners"}]
        }
    })
}

fn config() -> Value {
    json!({"id": CONFIG, "sourceId": SOURCE, "resourceId": RESOURCE, "type": "OWNER_PRIMARY", "attributes": {"enabled": true}, "rules": []})
}

fn patch_sent() -> Value {
    json!([{"op": "replace", "path": "/description", "value": "Nightly payroll sync"}])
}

fn patch() -> JsonPatch {
    JsonPatch::new()
        .replace("/description", "Nightly payroll sync")
        .unwrap()
}

const OPS: [Op; 22] = [
    Op {
        id: "listMachineIdentitiesV1",
        method: "GET",
        path: || "/machine-identities/v1".into(),
        experimental: true,
        status: 200,
        body: Some(|| json!([mi_v1()])),
        sent: None,
    },
    Op {
        id: "createMachineIdentityV1",
        method: "POST",
        path: || "/machine-identities/v1".into(),
        experimental: true,
        status: 200,
        body: Some(mi_v1),
        sent: Some(|| json!({"nativeIdentity": "agent:payroll-sync", "subtype": "AI Agent"})),
    },
    Op {
        id: "getUnsanctionedAnomalySummaryV1",
        method: "GET",
        path: || "/machine-identities/v1/anomaly-summaries/unsanctioned".into(),
        experimental: true,
        status: 200,
        body: Some(|| json!({})),
        sent: None,
    },
    Op {
        id: "getMachineIdentityV1",
        method: "GET",
        path: || format!("/machine-identities/v1/{MI}"),
        experimental: true,
        status: 200,
        body: Some(mi_v1),
        sent: None,
    },
    Op {
        id: "deleteMachineIdentityV1",
        method: "DELETE",
        path: || format!("/machine-identities/v1/{MI}"),
        experimental: true,
        status: 204,
        body: None,
        sent: None,
    },
    Op {
        id: "updateMachineIdentityV1",
        method: "PATCH",
        path: || format!("/machine-identities/v1/{MI}"),
        experimental: true,
        status: 200,
        body: Some(mi_v1),
        sent: Some(patch_sent),
    },
    Op {
        id: "listMachineIdentityAnomaliesV1",
        method: "GET",
        path: || format!("/machine-identities/v1/{MI}/anomalies"),
        experimental: true,
        status: 200,
        body: Some(|| json!([{}])),
        sent: None,
    },
    Op {
        id: "listMachineIdentitiesV2",
        method: "GET",
        path: || "/machine-identities/v2".into(),
        experimental: false,
        status: 200,
        body: Some(|| json!([mi_v2()])),
        sent: None,
    },
    Op {
        id: "createMachineIdentityV2",
        method: "POST",
        path: || "/machine-identities/v2".into(),
        experimental: false,
        status: 201,
        body: Some(mi_v2),
        sent: Some(|| json!({"name": "payroll-sync-agent"})),
    },
    Op {
        id: "getMachineIdentityV2",
        method: "GET",
        path: || format!("/machine-identities/v2/{MI}"),
        experimental: false,
        status: 200,
        body: Some(mi_v2),
        sent: None,
    },
    Op {
        id: "deleteMachineIdentityV2",
        method: "DELETE",
        path: || format!("/machine-identities/v2/{MI}"),
        experimental: false,
        status: 204,
        body: None,
        sent: None,
    },
    Op {
        id: "updateMachineIdentityV2",
        method: "PATCH",
        path: || format!("/machine-identities/v2/{MI}"),
        experimental: false,
        status: 200,
        body: Some(mi_v2),
        sent: Some(patch_sent),
    },
    Op {
        id: "listMachineIdentityUserEntitlementsV1",
        method: "GET",
        path: || "/machine-identity-user-entitlements/v1".into(),
        experimental: true,
        status: 200,
        body: Some(|| json!([{}])),
        sent: None,
    },
    Op {
        id: "startMachineIdentityAggregationV1",
        method: "POST",
        path: || format!("/sources/v1/{SOURCE}/aggregate-agents"),
        experimental: true,
        status: 200,
        body: Some(|| json!({})),
        sent: Some(|| json!({"datasetIds": ["ds-1"]})),
    },
    Op {
        id: "listOwnershipCorrelationConfigsV1",
        method: "GET",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs"),
        experimental: false,
        status: 200,
        body: Some(|| json!([config()])),
        sent: None,
    },
    Op {
        id: "getOwnershipCorrelationConfigV1",
        method: "GET",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs/{CONFIG}"),
        experimental: false,
        status: 200,
        body: Some(config),
        sent: None,
    },
    Op {
        id: "deleteOwnershipCorrelationConfigV1",
        method: "DELETE",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs/{CONFIG}"),
        experimental: false,
        status: 204,
        body: None,
        sent: None,
    },
    Op {
        id: "patchOwnershipCorrelationConfigV1",
        method: "PATCH",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs/{CONFIG}"),
        experimental: false,
        status: 200,
        body: Some(config),
        sent: Some(patch_sent),
    },
    Op {
        id: "getClassifyMachineAccountFromSourceStatusV1",
        method: "GET",
        path: || format!("/sources/v1/{SOURCE}/classify"),
        experimental: true,
        status: 200,
        body: Some(
            || json!({"status": "COMPLETED", "counts": {"EXPECTED": 3, "RECEIVED": 3, "COMPLETED": 3}}),
        ),
        sent: None,
    },
    Op {
        id: "sendClassifyMachineAccountFromSourceV1",
        method: "POST",
        path: || format!("/sources/v1/{SOURCE}/classify"),
        experimental: true,
        status: 200,
        body: Some(|| json!({"Accounts submitted for processing": 3})),
        sent: None,
    },
    Op {
        id: "deleteClassifyMachineAccountFromSourceV1",
        method: "DELETE",
        path: || format!("/sources/v1/{SOURCE}/classify"),
        experimental: true,
        status: 204,
        body: None,
        sent: None,
    },
    Op {
        id: "sendDeclassifyMachineAccountFromSourceV1",
        method: "POST",
        path: || format!("/sources/v1/{SOURCE}/declassify"),
        experimental: true,
        status: 204,
        body: None,
        sent: None,
    },
];

/// What a call came to: the success status and the decoded body re-encoded, or
/// the error's status (if the server answered) and message.
#[derive(Debug)]
enum Outcome {
    Ok(u16, Value),
    Err(Option<u16>, String, bool),
}

fn ok<T: Serialize>(r: Response<T>) -> Outcome {
    Outcome::Ok(
        r.status().as_u16(),
        serde_json::to_value(r.body()).expect("a decoded body encodes"),
    )
}

fn err<E: std::fmt::Debug>(e: Error<E>) -> Outcome {
    let api = matches!(e, Error::Api(_));
    Outcome::Err(e.status().map(|s| s.as_u16()), format!("{e}"), api)
}

macro_rules! reduce {
    ($call:expr) => {
        match $call.send().await {
            Ok(r) => ok(r),
            Err(e) => err(e),
        }
    };
}

/// Calls operation `id` with the arguments the table's paths and bodies expect.
async fn call(client: &Client, id: &str) -> Outcome {
    let mi = client.machine_identities();
    let classify = client.classify_source();
    let declassify = client.declassify_source();
    match id {
        "listMachineIdentitiesV1" => reduce!(mi.list_machine_identities_v1()),
        "createMachineIdentityV1" => reduce!(mi.create_machine_identity_v1(
            MachineIdentityRequest::new("payroll-sync-agent", "agent:payroll-sync", "AI Agent")
        )),
        "getUnsanctionedAnomalySummaryV1" => reduce!(mi.get_unsanctioned_anomaly_summary_v1()),
        "getMachineIdentityV1" => reduce!(mi.get_machine_identity_v1(MI)),
        "deleteMachineIdentityV1" => reduce!(mi.delete_machine_identity_v1(MI)),
        "updateMachineIdentityV1" => reduce!(mi.update_machine_identity_v1(MI, patch())),
        "listMachineIdentityAnomaliesV1" => reduce!(mi.list_machine_identity_anomalies_v1(MI)),
        "listMachineIdentitiesV2" => reduce!(mi.list_machine_identities_v2()),
        "createMachineIdentityV2" => reduce!(mi.create_machine_identity_v2(
            serde_json::from_value(json!({"name": "payroll-sync-agent"})).unwrap()
        )),
        "getMachineIdentityV2" => reduce!(mi.get_machine_identity_v2(MI)),
        "deleteMachineIdentityV2" => reduce!(mi.delete_machine_identity_v2(MI)),
        "updateMachineIdentityV2" => reduce!(mi.update_machine_identity_v2(MI, patch())),
        "listMachineIdentityUserEntitlementsV1" => {
            reduce!(mi.list_machine_identity_user_entitlements_v1())
        }
        "startMachineIdentityAggregationV1" => reduce!(mi.start_machine_identity_aggregation_v1(
            SOURCE,
            MachineIdentityAggregationRequest::new(vec!["ds-1".into()])
        )),
        "listOwnershipCorrelationConfigsV1" => {
            reduce!(mi.list_ownership_correlation_configs_v1(SOURCE, RESOURCE))
        }
        "getOwnershipCorrelationConfigV1" => {
            reduce!(mi.get_ownership_correlation_config_v1(SOURCE, RESOURCE, CONFIG))
        }
        "deleteOwnershipCorrelationConfigV1" => {
            reduce!(mi.delete_ownership_correlation_config_v1(SOURCE, RESOURCE, CONFIG))
        }
        "patchOwnershipCorrelationConfigV1" => {
            reduce!(mi.patch_ownership_correlation_config_v1(SOURCE, RESOURCE, CONFIG, patch()))
        }
        "getClassifyMachineAccountFromSourceStatusV1" => {
            reduce!(classify.get_classify_machine_account_from_source_status_v1(SOURCE))
        }
        "sendClassifyMachineAccountFromSourceV1" => {
            reduce!(classify.send_classify_machine_account_from_source_v1(SOURCE))
        }
        "deleteClassifyMachineAccountFromSourceV1" => {
            reduce!(classify.delete_classify_machine_account_from_source_v1(SOURCE))
        }
        "sendDeclassifyMachineAccountFromSourceV1" => {
            reduce!(declassify.send_declassify_machine_account_from_source_v1(SOURCE))
        }
        other => panic!("no call for {other}"),
    }
}

fn client(server: &MockServer, experimental: bool) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .experimental(experimental)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Every key of `sent` (recursively, for objects) has the same value in `got`.
fn assert_contains(op: &str, got: &Value, sent: &Value) {
    match (got, sent) {
        (Value::Object(g), Value::Object(s)) => {
            for (k, v) in s {
                let gv = g
                    .get(k)
                    .unwrap_or_else(|| panic!("{op}: `{k}` lost in {got}"));
                assert_contains(op, gv, v);
            }
        }
        (Value::Array(g), Value::Array(s)) => {
            assert_eq!(g.len(), s.len(), "{op}: {got} vs {sent}");
            for (g, s) in g.iter().zip(s) {
                assert_contains(op, g, s);
            }
        }
        _ => assert_eq!(got, sent, "{op}"),
    }
}

async fn answer(server: &MockServer, status: u16, body: Option<Value>) {
    let mut response = ResponseTemplate::new(status);
    if let Some(body) = body {
        response = response.set_body_json(body);
    }
    Mock::given(any())
        .respond_with(response)
        .mount(server)
        .await;
}

#[test]
fn the_table_covers_all_22_operations_once() {
    let mut ids: Vec<_> = OPS.iter().map(|o| o.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 22);
    let ga: Vec<_> = OPS
        .iter()
        .filter(|o| !o.experimental)
        .map(|o| o.id)
        .collect();
    assert_eq!(ga.len(), 9, "{ga:?}");
}

#[tokio::test]
async fn every_operation_sends_its_documented_request_and_decodes_success() {
    for op in &OPS {
        let server = MockServer::start().await;
        answer(&server, op.status, op.body.map(|b| b())).await;
        let outcome = call(&client(&server, true), op.id).await;
        let Outcome::Ok(status, got) = &outcome else {
            panic!("{}: {outcome:?}", op.id)
        };
        assert_eq!(*status, op.status, "{}", op.id);
        match op.body {
            Some(body) => assert_contains(op.id, got, &body()),
            None => assert_eq!(*got, Value::Null, "{}", op.id),
        }
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1, "{}", op.id);
        let req = &requests[0];
        assert_eq!(req.method.as_str(), op.method, "{}", op.id);
        assert_eq!(req.url.path(), (op.path)(), "{}", op.id);
        assert_eq!(
            req.headers["authorization"],
            format!("Bearer {TOKEN}").as_str(),
            "{}",
            op.id
        );
        match op.sent {
            Some(sent) => {
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                assert_contains(op.id, &body, &sent());
                let content_type = req.headers["content-type"].to_str().unwrap();
                let expected = if op.method == "PATCH" {
                    "application/json-patch+json"
                } else {
                    "application/json"
                };
                assert!(
                    content_type.starts_with(expected),
                    "{}: {content_type}",
                    op.id
                );
            }
            None => assert!(req.body.is_empty(), "{}: sent a body", op.id),
        }
    }
}

#[tokio::test]
async fn experimental_header_is_sent_exactly_for_experimental_operations() {
    for op in &OPS {
        let server = MockServer::start().await;
        answer(&server, op.status, op.body.map(|b| b())).await;
        call(&client(&server, true), op.id).await;
        let requests = server.received_requests().await.unwrap();
        let header = requests[0].headers.get("x-sailpoint-experimental");
        if op.experimental {
            assert_eq!(
                header.map(|h| h.to_str().unwrap()),
                Some("true"),
                "{}",
                op.id
            );
        } else {
            assert!(header.is_none(), "{} is GA and sent {header:?}", op.id);
        }
    }
}

#[tokio::test]
async fn without_opt_in_experimental_operations_send_nothing_and_ga_ones_go_through() {
    for op in &OPS {
        let server = MockServer::start().await;
        answer(&server, op.status, op.body.map(|b| b())).await;
        let outcome = call(&client(&server, false), op.id).await;
        let requests = server.received_requests().await.unwrap();
        if op.experimental {
            let Outcome::Err(None, message, false) = &outcome else {
                panic!("{}: {outcome:?}", op.id)
            };
            assert!(message.contains(op.id), "{}: {message}", op.id);
            assert!(requests.is_empty(), "{}: sent without opt-in", op.id);
        } else {
            assert!(matches!(outcome, Outcome::Ok(..)), "{}: {outcome:?}", op.id);
            assert_eq!(requests.len(), 1, "{}", op.id);
            assert!(requests[0]
                .headers
                .get("x-sailpoint-experimental")
                .is_none());
        }
    }
}

#[tokio::test]
async fn documented_errors_decode_and_undocumented_statuses_keep_the_raw_body() {
    for op in &OPS {
        let server = MockServer::start().await;
        let body = json!({
            "detailCode": "400.1 Bad Request Content",
            "trackingId": "e7eab60924f64aa284175b9fa3309599",
            "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": "bad"}]
        });
        answer(&server, 400, Some(body)).await;
        let outcome = call(&client(&server, true), op.id).await;
        assert!(
            matches!(outcome, Outcome::Err(Some(400), _, true)),
            "{}: {outcome:?}",
            op.id
        );

        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(418).set_body_string("teapot"))
            .mount(&server)
            .await;
        let outcome = call(&client(&server, true), op.id).await;
        let Outcome::Err(Some(418), message, false) = &outcome else {
            panic!("{}: {outcome:?}", op.id)
        };
        assert!(message.contains("418"), "{}: {message}", op.id);
    }
}

#[tokio::test]
async fn v2_list_sends_typed_filters_and_sorters_and_streams_pages_without_the_header() {
    let server = MockServer::start().await;
    for (offset, items) in [(0, 2), (2, 1), (3, 0)] {
        Mock::given(method("GET"))
            .and(path("/machine-identities/v2"))
            .and(wiremock::matchers::query_param(
                "offset",
                offset.to_string(),
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(Value::Array((0..items).map(|_| mi_v2()).collect())),
            )
            .mount(&server)
            .await;
    }
    type F = ListMachineIdentitiesV2Filter;
    type By = ListMachineIdentitiesV2SortField;
    let items: Vec<_> = client(&server, false)
        .machine_identities()
        .list_machine_identities_v2()
        .filters(F::native_identity().sw("agent:") & F::manually_edited().eq(false))
        .sorters([Sort::desc(By::Created), Sort::asc(By::Name)])
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    let owners = items[0].owners.as_ref().expect("owners decoded");
    assert_eq!(
        serde_json::to_value(owners).unwrap()["secondary"][0]["type"],
        "GOVERNANCE_GROUP"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for req in &requests {
        let query: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
        assert!(query.contains(&(
            "filters".into(),
            r#"nativeIdentity sw "agent:" and manuallyEdited eq false"#.into()
        )));
        assert!(query.contains(&("sorters".into(), "-created,name".into())));
        assert!(req.headers.get("x-sailpoint-experimental").is_none());
    }
}

/// Read-only properties (set by the server) are never sent: a fetched
/// identity passed back to `create` leaves them out of the request, at any
/// depth, while the same value serialized anywhere else keeps them (issue 21
/// point 6).
#[tokio::test]
async fn read_only_properties_of_a_fetched_model_are_not_sent() {
    let server = MockServer::start().await;
    let mut fetched = mi_v2();
    fetched["created"] = json!("2025-01-02T03:04:05Z");
    fetched["modified"] = json!("2025-01-03T03:04:05Z");
    fetched["source"] = json!({"type": "SOURCE", "id": "2c9180835d2e5168015d32f890ca1581"});
    answer(&server, 200, Some(fetched.clone())).await;
    let client = client(&server, true);
    let identity = client
        .machine_identities()
        .get_machine_identity_v2(MI)
        .send()
        .await
        .unwrap()
        .into_body();
    assert_eq!(identity.id.as_deref(), Some(MI));
    assert!(identity.created.is_some() && identity.source.is_some());
    // Stored or logged, the model keeps every property.
    let stored = serde_json::to_value(&identity).unwrap();
    for key in ["id", "created", "modified", "source"] {
        assert!(stored.get(key).is_some(), "{key} in {stored}");
    }
    // The mock answers 200 where `create` documents 201; only the request
    // matters here.
    let _ = client
        .machine_identities()
        .create_machine_identity_v2(identity)
        .send()
        .await;
    let requests = server.received_requests().await.unwrap();
    let sent: Value = serde_json::from_slice(&requests[1].body).unwrap();
    for key in ["id", "created", "modified", "source"] {
        assert!(sent.get(key).is_none(), "{key} was sent: {sent}");
    }
    assert_eq!(sent["name"], "payroll-sync-agent");
    assert_eq!(sent["nativeIdentity"], "agent:payroll-sync");
}
