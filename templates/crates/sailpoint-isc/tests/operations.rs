//! All 36 operations of the per-service API against a real HTTP server on loopback
//! (wiremock).
//!
//! One row of [`OPS`] per operation: what the server must receive (method, the
//! versioned path, query parameters, JSON body) and the success body it answers with. Every
//! call goes through [`call`], which reduces the typed result to an [`Outcome`], so
//! that one assertion covers every operation:
//!
//! - the documented request is sent, and the success body decodes with every field
//!   the server sent;
//! - a client that opted in sends `X-SailPoint-Experimental: true` with every
//!   operation, GA ones included; without the opt-in an experimental operation
//!   fails before anything is sent, while a GA one (the five v2 machine identity
//!   operations of the snapshot, ownership correlation configs) goes through
//!   without the header, and a tenant that gates it after all (400 "Experimental
//!   Header is missing or invalid") gives `Error::ExperimentalRequired`, whose
//!   message says what to enable;
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
    GetMachineIdentityAllCountsV1Filter, ListMachineIdentitiesV2Filter,
    ListMachineIdentitiesV2SortField, ListMachineIdentityAccountsV2Filter,
    ListMachineIdentityAccountsV2SortField, ListMachineIdentityEntitlementsV2Filter,
};
use sailpoint_isc::models::{
    JsonPatchOperation, JsonPatchOperationOp, MachineIdentityAggregationRequest,
    MachineIdentityBulkRequest, MachineIdentityBulkUpdateRequest, MachineIdentityRequest,
};
use sailpoint_isc::patch::JsonPatch;
use sailpoint_isc::{CallOptions, Client, Error, ItemOutcome, Response, RetryPolicy};

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
    /// Query parameters the client must send (others may be sent too).
    query: &'static [(&'static str, &'static str)],
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

fn task_status() -> Value {
    json!({
        "id": "1f2e3d4c5b6a4978a1b2c3d4e5f60718", "type": "QUARTZ",
        "uniqueName": "Delete AI Agent - payroll-sync-agent", "description": "Deletes an AI agent.",
        "parentName": null, "launcher": "System",
        "created": "2026-10-20T09:00:00Z", "modified": null, "launched": null, "completed": null,
        "completionStatus": null, "messages": [], "returns": [], "attributes": {},
        "progress": null, "percentComplete": 0
    })
}

fn counts(kind: &str) -> Value {
    json!({
        format!("{kind}Count"): 412,
        "discovered": {"count": 37, "windowDays": 30},
        "riskSeverity": {"critical": 4, "high": 19, "medium": 88, "low": 287, "unknown": null}
    })
}

fn bulk_results() -> Value {
    json!([
        {"id": MI, "status": 200, "message": "deleted"},
        {"id": "missing", "status": 404, "message": "not found"}
    ])
}

fn account() -> Value {
    json!({
        "id": "0f4e1c2b3a594d6e8f7a6b5c4d3e2f10", "name": "svc-payroll-sync",
        "nativeIdentity": "svc-payroll-sync", "classificationMethod": "SOURCE",
        "connectorAttributes": null, "manuallyEdited": false, "locked": false,
        "enabled": true, "hasEntitlements": true,
        "source": {"type": "SOURCE", "id": SOURCE, "name": "Active Directory"},
        "risk": {"score": 64.0, "severity": "HIGH"}, "permissionLevel": "PRIVILEGED",
        "lastUsedAt": "2026-10-19T22:03:11Z"
    })
}

fn capability() -> Value {
    json!({"id": "3c2b1a09f8e74d6c5b4a39281706f5e4", "name": "payroll-mcp", "type": "MCP", "status": null})
}

fn entitlement() -> Value {
    json!({"id": "4b0c7106a6c7438086f3024993664fc3", "name": "Payroll Readers", "accountName": "svc-payroll-sync", "cloudGoverned": false})
}

const OPS: [Op; 36] = [
    Op {
        id: "listMachineIdentitiesV1",
        method: "GET",
        path: || "/machine-identities/v1".into(),
        experimental: true,
        status: 200,
        body: Some(|| json!([mi_v1()])),
        sent: None,
        query: &[],
    },
    Op {
        id: "createMachineIdentityV1",
        method: "POST",
        path: || "/machine-identities/v1".into(),
        experimental: true,
        status: 200,
        body: Some(mi_v1),
        sent: Some(|| json!({"nativeIdentity": "agent:payroll-sync", "subtype": "AI Agent"})),
        query: &[],
    },
    Op {
        id: "getUnsanctionedAnomalySummaryV1",
        method: "GET",
        path: || "/machine-identities/v1/anomaly-summaries/unsanctioned".into(),
        experimental: true,
        status: 200,
        body: Some(|| json!({})),
        sent: None,
        query: &[],
    },
    Op {
        id: "getMachineIdentityV1",
        method: "GET",
        path: || format!("/machine-identities/v1/{MI}"),
        experimental: true,
        status: 200,
        body: Some(mi_v1),
        sent: None,
        query: &[],
    },
    Op {
        id: "deleteMachineIdentityV1",
        method: "DELETE",
        path: || format!("/machine-identities/v1/{MI}"),
        experimental: true,
        status: 204,
        body: None,
        sent: None,
        query: &[],
    },
    Op {
        id: "updateMachineIdentityV1",
        method: "PATCH",
        path: || format!("/machine-identities/v1/{MI}"),
        experimental: true,
        status: 200,
        body: Some(mi_v1),
        sent: Some(patch_sent),
        query: &[],
    },
    Op {
        id: "listMachineIdentityAnomaliesV1",
        method: "GET",
        path: || format!("/machine-identities/v1/{MI}/anomalies"),
        experimental: true,
        status: 200,
        body: Some(|| json!([{}])),
        sent: None,
        query: &[],
    },
    Op {
        id: "listMachineIdentitiesV2",
        method: "GET",
        path: || "/machine-identities/v2".into(),
        experimental: false,
        status: 200,
        body: Some(|| json!([mi_v2()])),
        sent: None,
        query: &[],
    },
    Op {
        id: "createMachineIdentityV2",
        method: "POST",
        path: || "/machine-identities/v2".into(),
        experimental: false,
        status: 201,
        body: Some(mi_v2),
        sent: Some(|| json!({"name": "payroll-sync-agent"})),
        query: &[],
    },
    Op {
        id: "getMachineIdentityV2",
        method: "GET",
        path: || format!("/machine-identities/v2/{MI}"),
        experimental: false,
        status: 200,
        body: Some(mi_v2),
        sent: None,
        query: &[],
    },
    Op {
        id: "deleteMachineIdentityV2",
        method: "DELETE",
        path: || format!("/machine-identities/v2/{MI}"),
        experimental: false,
        status: 204,
        body: None,
        sent: None,
        query: &[],
    },
    Op {
        id: "updateMachineIdentityV2",
        method: "PATCH",
        path: || format!("/machine-identities/v2/{MI}"),
        experimental: false,
        status: 200,
        body: Some(mi_v2),
        sent: Some(patch_sent),
        query: &[],
    },
    Op {
        id: "listMachineIdentityUserEntitlementsV1",
        method: "GET",
        path: || "/machine-identity-user-entitlements/v1".into(),
        experimental: true,
        status: 200,
        body: Some(|| json!([{}])),
        sent: None,
        query: &[],
    },
    Op {
        id: "startMachineIdentityAggregationV1",
        method: "POST",
        path: || format!("/sources/v1/{SOURCE}/aggregate-agents"),
        experimental: true,
        status: 200,
        body: Some(|| json!({})),
        sent: Some(|| json!({"datasetIds": ["ds-1"]})),
        query: &[],
    },
    Op {
        id: "listOwnershipCorrelationConfigsV1",
        method: "GET",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs"),
        experimental: false,
        status: 200,
        body: Some(|| json!([config()])),
        sent: None,
        query: &[],
    },
    Op {
        id: "getOwnershipCorrelationConfigV1",
        method: "GET",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs/{CONFIG}"),
        experimental: false,
        status: 200,
        body: Some(config),
        sent: None,
        query: &[],
    },
    Op {
        id: "deleteOwnershipCorrelationConfigV1",
        method: "DELETE",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs/{CONFIG}"),
        experimental: false,
        status: 204,
        body: None,
        sent: None,
        query: &[],
    },
    Op {
        id: "patchOwnershipCorrelationConfigV1",
        method: "PATCH",
        path: || format!("/sources/v1/{SOURCE}/resources/{RESOURCE}/correlation-configs/{CONFIG}"),
        experimental: false,
        status: 200,
        body: Some(config),
        sent: Some(patch_sent),
        query: &[],
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
        query: &[],
    },
    Op {
        id: "sendClassifyMachineAccountFromSourceV1",
        method: "POST",
        path: || format!("/sources/v1/{SOURCE}/classify"),
        experimental: true,
        status: 200,
        body: Some(|| json!({"Accounts submitted for processing": 3})),
        sent: None,
        query: &[],
    },
    Op {
        id: "deleteClassifyMachineAccountFromSourceV1",
        method: "DELETE",
        path: || format!("/sources/v1/{SOURCE}/classify"),
        experimental: true,
        status: 204,
        body: None,
        sent: None,
        query: &[],
    },
    Op {
        id: "sendDeclassifyMachineAccountFromSourceV1",
        method: "POST",
        path: || format!("/sources/v1/{SOURCE}/declassify"),
        experimental: true,
        status: 204,
        body: None,
        sent: None,
        query: &[],
    },
    Op {
        id: "deleteMachineIdentityAsyncV1",
        method: "DELETE",
        path: || format!("/machine-identities/v1/{MI}/delete-async"),
        experimental: true,
        status: 200,
        body: Some(task_status),
        sent: None,
        query: &[],
    },
    Op {
        id: "getMachineIdentityAgentCountsV1",
        method: "GET",
        path: || "/machine-identities/v1/agent-counts".into(),
        experimental: true,
        status: 200,
        body: Some(|| counts("agent")),
        sent: None,
        query: &[],
    },
    Op {
        id: "getMachineIdentityApplicationCountsV1",
        method: "GET",
        path: || "/machine-identities/v1/application-counts".into(),
        experimental: true,
        status: 200,
        body: Some(|| counts("application")),
        sent: None,
        query: &[],
    },
    Op {
        id: "getMachineIdentityAllCountsV1",
        method: "GET",
        path: || "/machine-identities/v1/all-counts".into(),
        experimental: true,
        status: 200,
        body: Some(
            || json!({"applicationIdentityCount": 12, "aiAgentCount": 5, "machineAccountsCount": 31, "totalCount": 48}),
        ),
        sent: None,
        query: &[("filters", r#"ownerId eq "me""#)],
    },
    Op {
        id: "getMachineIdentityDailyCountsV1",
        method: "GET",
        path: || "/machine-identities/v1/counts/daily".into(),
        experimental: true,
        status: 200,
        body: Some(|| {
            json!({"from": "2026-10-13", "to": "2026-10-19", "days": [
                {"day": "2026-10-19", "metrics": [{"entityType": "machine_identity", "subType": "AI_AGENT", "totalCount": 405, "createdCount": 3, "createdCount30d": 36}]}
            ]})
        }),
        sent: None,
        query: &[
            ("days", "7"),
            ("entityType", "machine_identity"),
            ("subType", "AI_AGENT"),
        ],
    },
    Op {
        id: "deleteMachineIdentitiesInBulkV2",
        method: "POST",
        path: || "/machine-identities/v2/bulk-delete".into(),
        experimental: true,
        status: 207,
        body: Some(bulk_results),
        sent: Some(|| json!({"ids": [MI, "missing"]})),
        query: &[],
    },
    Op {
        id: "updateMachineIdentitiesInBulkV2",
        method: "POST",
        path: || "/machine-identities/v2/bulk-update".into(),
        experimental: true,
        status: 207,
        body: Some(bulk_results),
        sent: Some(|| json!({"ids": [MI, "missing"], "jsonPatch": patch_sent()})),
        query: &[],
    },
    Op {
        id: "deleteMachineIdentityAsyncV2",
        method: "DELETE",
        path: || format!("/machine-identities/v2/{MI}/delete-async"),
        experimental: true,
        status: 200,
        body: Some(task_status),
        sent: None,
        query: &[],
    },
    Op {
        id: "getMachineIdentityAgentCountsV2",
        method: "GET",
        path: || "/machine-identities/v2/agent-counts".into(),
        experimental: true,
        status: 200,
        body: Some(|| counts("agent")),
        sent: None,
        query: &[],
    },
    Op {
        id: "getMachineIdentityApplicationCountsV2",
        method: "GET",
        path: || "/machine-identities/v2/application-counts".into(),
        experimental: true,
        status: 200,
        body: Some(|| counts("application")),
        sent: None,
        query: &[],
    },
    Op {
        id: "listMachineIdentityHostnamesV2",
        method: "GET",
        path: || "/machine-identities/v2/hostnames".into(),
        experimental: true,
        status: 200,
        body: Some(|| {
            json!([
                "build-agent-08.acme.internal",
                "build-agent-09.acme.internal"
            ])
        }),
        sent: None,
        query: &[
            ("prefix", "build-"),
            ("limit", "2"),
            ("cursor", "build-agent-07.acme.internal"),
        ],
    },
    Op {
        id: "listMachineIdentityAccountsV2",
        method: "GET",
        path: || format!("/machine-identities/v2/{MI}/accounts"),
        experimental: true,
        status: 200,
        body: Some(|| json!([account()])),
        sent: None,
        query: &[
            (
                "filters",
                r#"enabled eq true and lastUsedAt lt 2026-10-01T00:00:00Z"#,
            ),
            ("sorters", "-lastUsedAt"),
            ("limit", "50"),
        ],
    },
    Op {
        id: "listMachineIdentityCapabilitiesV2",
        method: "GET",
        path: || format!("/machine-identities/v2/{MI}/capabilities"),
        experimental: true,
        status: 200,
        body: Some(|| json!([capability()])),
        sent: None,
        query: &[],
    },
    Op {
        id: "listMachineIdentityEntitlementsV2",
        method: "GET",
        path: || format!("/machine-identities/v2/{MI}/entitlements"),
        experimental: true,
        status: 200,
        body: Some(|| json!([entitlement()])),
        sent: None,
        query: &[
            ("filters", r#"entitlementName co "Payroll""#),
            ("count", "true"),
        ],
    },
];

/// What a call came to: the success status and the decoded body re-encoded, or
/// the error's status (if the server answered), message and kind.
#[derive(Debug)]
enum Outcome {
    Ok(u16, Value),
    Err(Option<u16>, String, Kind),
}

/// The variant of an [`Error`], as far as these tests tell them apart.
#[derive(Debug, PartialEq)]
enum Kind {
    Api,
    ExperimentalNotEnabled,
    ExperimentalRequired,
    Other,
}

fn ok<T: Serialize>(r: Response<T>) -> Outcome {
    Outcome::Ok(
        r.status().as_u16(),
        serde_json::to_value(r.body()).expect("a decoded body encodes"),
    )
}

fn err<E: std::fmt::Debug>(e: Error<E>) -> Outcome {
    let kind = match e {
        Error::Api(_) => Kind::Api,
        Error::ExperimentalNotEnabled { .. } => Kind::ExperimentalNotEnabled,
        Error::ExperimentalRequired { .. } => Kind::ExperimentalRequired,
        _ => Kind::Other,
    };
    Outcome::Err(e.status().map(|s| s.as_u16()), format!("{e}"), kind)
}

macro_rules! reduce {
    ($call:expr) => {
        match $call.send().await {
            Ok(r) => ok(r),
            Err(e) => err(e),
        }
    };
}

/// As `reduce!`, for a multi-status answer: its items, in order, as the server
/// sent them (the typed outcomes are checked in `bulk_operations_hand_back_per_id_outcomes`).
macro_rules! reduce_items {
    ($call:expr) => {
        match $call.send().await {
            Ok(r) => ok(r.map(|answer| {
                answer
                    .into_outcomes()
                    .into_iter()
                    .map(ItemOutcome::into_item)
                    .collect::<Vec<_>>()
            })),
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
            MachineIdentityRequest::new("agent:payroll-sync", "AI Agent")
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
        "deleteMachineIdentityAsyncV1" => reduce!(mi.delete_machine_identity_async_v1(MI)),
        "getMachineIdentityAgentCountsV1" => reduce!(mi.get_machine_identity_agent_counts_v1()),
        "getMachineIdentityApplicationCountsV1" => {
            reduce!(mi.get_machine_identity_application_counts_v1())
        }
        "getMachineIdentityAllCountsV1" => reduce!(mi.get_machine_identity_all_counts_v1(
            GetMachineIdentityAllCountsV1Filter::owner_id().eq("me")
        )),
        "getMachineIdentityDailyCountsV1" => reduce!(mi
            .get_machine_identity_daily_counts_v1()
            .days(7)
            .entity_type("machine_identity")
            .sub_type("AI_AGENT")),
        "deleteMachineIdentitiesInBulkV2" => reduce_items!(mi
            .delete_machine_identities_in_bulk_v2(MachineIdentityBulkRequest::new(vec![
                MI.into(),
                "missing".into()
            ]))),
        "updateMachineIdentitiesInBulkV2" => {
            let mut replace =
                JsonPatchOperation::new(JsonPatchOperationOp::Replace, "/description");
            replace.value = Some(json!("Nightly payroll sync"));
            reduce_items!(mi.update_machine_identities_in_bulk_v2(
                MachineIdentityBulkUpdateRequest::new(
                    vec![MI.into(), "missing".into()],
                    vec![replace]
                )
            ))
        }
        "deleteMachineIdentityAsyncV2" => reduce!(mi.delete_machine_identity_async_v2(MI)),
        "getMachineIdentityAgentCountsV2" => reduce!(mi.get_machine_identity_agent_counts_v2()),
        "getMachineIdentityApplicationCountsV2" => {
            reduce!(mi.get_machine_identity_application_counts_v2())
        }
        "listMachineIdentityHostnamesV2" => reduce!(mi
            .list_machine_identity_hostnames_v2()
            .prefix("build-")
            .limit(2)
            .cursor("build-agent-07.acme.internal")),
        "listMachineIdentityAccountsV2" => {
            type F = ListMachineIdentityAccountsV2Filter;
            let before: chrono::DateTime<chrono::Utc> = "2026-10-01T00:00:00Z".parse().unwrap();
            reduce!(mi
                .list_machine_identity_accounts_v2(MI)
                .filters(F::enabled().eq(true) & F::last_used_at().lt(before))
                .sorters(Sort::desc(
                    ListMachineIdentityAccountsV2SortField::LastUsedAt
                ))
                .limit(50))
        }
        "listMachineIdentityCapabilitiesV2" => {
            reduce!(mi.list_machine_identity_capabilities_v2(MI))
        }
        "listMachineIdentityEntitlementsV2" => reduce!(mi
            .list_machine_identity_entitlements_v2(MI)
            .filters(ListMachineIdentityEntitlementsV2Filter::entitlement_name().co("Payroll"))
            .count(true)),
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

/// Every key of `sent` (recursively, for objects) has the same value in `got`; a
/// `null` member may be absent (an empty `Option` is not encoded).
fn assert_contains(op: &str, got: &Value, sent: &Value) {
    match (got, sent) {
        (Value::Object(g), Value::Object(s)) => {
            for (k, v) in s {
                if v.is_null() && !g.contains_key(k) {
                    continue;
                }
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
fn the_table_covers_all_36_operations_once() {
    let mut ids: Vec<_> = OPS.iter().map(|o| o.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 36);
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
        let query: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
        for (name, value) in op.query {
            assert!(
                query.contains(&((*name).into(), (*value).into())),
                "{}: {name}={value} not in {query:?}",
                op.id
            );
        }
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

/// Opting in means "send the header": with every operation, GA ones included, so
/// that a tenant that still gates an operation this crate calls GA answers.
#[tokio::test]
async fn an_opted_in_client_sends_the_experimental_header_with_every_operation() {
    for op in &OPS {
        let server = MockServer::start().await;
        answer(&server, op.status, op.body.map(|b| b())).await;
        call(&client(&server, true), op.id).await;
        let requests = server.received_requests().await.unwrap();
        let header = requests[0].headers.get("x-sailpoint-experimental");
        assert_eq!(
            header.map(|h| h.to_str().unwrap()),
            Some("true"),
            "{}",
            op.id
        );
    }
}

/// SailPoint's answer to a request that lacks the opt-in header.
fn experimental_header_missing() -> Value {
    json!({
        "detailCode": "400.0 Bad Request",
        "trackingId": "5f1d2e3c4b5a69788796a5b4c3d2e1f0",
        "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": "Experimental Header is missing or invalid"}],
        "causes": []
    })
}

/// A tenant that gates an operation this crate calls GA: without the header it
/// answers 400, with it 200.
async fn gating_server(op: &Op) -> MockServer {
    let server = MockServer::start().await;
    let mut ok = ResponseTemplate::new(op.status);
    if let Some(body) = op.body {
        ok = ok.set_body_json(body());
    }
    Mock::given(wiremock::matchers::header(
        "x-sailpoint-experimental",
        "true",
    ))
    .respond_with(ok)
    .with_priority(1)
    .mount(&server)
    .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_json(experimental_header_missing()))
        .mount(&server)
        .await;
    server
}

/// If our spec guessed GA wrongly: a client that did not opt in gets an error
/// that says what to enable (not a bare 400), and one that opted in is not
/// locked out.
#[tokio::test]
async fn a_tenant_that_gates_a_ga_operation_gets_a_clear_error_and_no_lockout() {
    for op in OPS.iter().filter(|o| !o.experimental) {
        let server = gating_server(op).await;
        let outcome = call(&client(&server, false), op.id).await;
        let Outcome::Err(Some(400), message, Kind::ExperimentalRequired) = &outcome else {
            panic!("{}: {outcome:?}", op.id)
        };
        for needed in [
            op.id,
            "X-SailPoint-Experimental: true",
            "ClientBuilder::experimental(true)",
            "SAIL_EXPERIMENTAL=true",
            "CallOptions::new().experimental(true)",
            "Experimental Header is missing or invalid",
            "5f1d2e3c4b5a69788796a5b4c3d2e1f0",
        ] {
            assert!(
                message.contains(needed),
                "{}: `{needed}` not in {message}",
                op.id
            );
        }
        let outcome = call(&client(&server, true), op.id).await;
        assert!(
            matches!(outcome, Outcome::Ok(status, _) if status == op.status),
            "{}: {outcome:?}",
            op.id
        );
    }
}

/// `CallOptions::experimental(true)` opts in one call of a client that did not:
/// a GA operation a tenant gates, and an experimental one.
#[tokio::test]
async fn one_call_can_opt_in_with_call_options() {
    let get = OPS.iter().find(|o| o.id == "getMachineIdentityV2").unwrap();
    let server = gating_server(get).await;
    let found = client(&server, false)
        .machine_identities()
        .get_machine_identity_v2(MI)
        .with_options(CallOptions::new().experimental(true))
        .send()
        .await
        .unwrap();
    assert_eq!(found.id.as_deref(), Some(MI));

    let server = MockServer::start().await;
    answer(&server, 200, Some(counts("agent"))).await;
    let plain = client(&server, false);
    let refused = plain
        .machine_identities()
        .get_machine_identity_agent_counts_v2()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::ExperimentalNotEnabled { .. }),
        "{refused:?}"
    );
    let counted = plain
        .machine_identities()
        .get_machine_identity_agent_counts_v2()
        .with_options(CallOptions::new().experimental(true))
        .send()
        .await
        .unwrap();
    assert_eq!(counted.agent_count, Some(412));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "the refused call sent nothing");
    assert_eq!(requests[0].headers["x-sailpoint-experimental"], "true");
}

#[tokio::test]
async fn without_opt_in_experimental_operations_send_nothing_and_ga_ones_go_through() {
    for op in &OPS {
        let server = MockServer::start().await;
        answer(&server, op.status, op.body.map(|b| b())).await;
        let outcome = call(&client(&server, false), op.id).await;
        let requests = server.received_requests().await.unwrap();
        if op.experimental {
            let Outcome::Err(None, message, Kind::ExperimentalNotEnabled) = &outcome else {
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
            matches!(outcome, Outcome::Err(Some(400), _, Kind::Api)),
            "{}: {outcome:?}",
            op.id
        );

        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(418).set_body_string("teapot"))
            .mount(&server)
            .await;
        let outcome = call(&client(&server, true), op.id).await;
        let Outcome::Err(Some(418), message, Kind::Other) = &outcome else {
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

/// The basic call of each bulk operation hands back one typed outcome per id:
/// the 200 succeeded, the 404 failed with its message (the dedicated multi-status
/// tests are the generator's).
#[tokio::test]
async fn bulk_operations_hand_back_per_id_outcomes() {
    for id in [
        "deleteMachineIdentitiesInBulkV2",
        "updateMachineIdentitiesInBulkV2",
    ] {
        let server = MockServer::start().await;
        answer(&server, 207, Some(bulk_results())).await;
        let mi = client(&server, true).machine_identities();
        let answer = if id == "deleteMachineIdentitiesInBulkV2" {
            mi.delete_machine_identities_in_bulk_v2(MachineIdentityBulkRequest::new(vec![
                MI.into(),
                "missing".into(),
            ]))
            .send()
            .await
        } else {
            mi.update_machine_identities_in_bulk_v2(MachineIdentityBulkUpdateRequest::new(
                vec![MI.into(), "missing".into()],
                Vec::new(),
            ))
            .send()
            .await
        }
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(answer.status().as_u16(), 207, "{id}");
        assert!(!answer.is_complete(), "{id}");
        assert!(answer.get(MI).is_some_and(ItemOutcome::is_success), "{id}");
        let failed: Vec<_> = answer.failed().collect();
        assert_eq!(failed.len(), 1, "{id}");
        assert_eq!(failed[0].id(), Some("missing"));
        assert_eq!(failed[0].status(), Some(404));
        assert_eq!(failed[0].message(), Some("not found"));
    }
}

/// The hostname list is paged by its last item: the second page is asked for
/// after the first page's last hostname.
#[tokio::test]
async fn hostnames_stream_asks_for_the_next_page_after_the_last_hostname() {
    let server = MockServer::start().await;
    let page = |names: &[&str]| ResponseTemplate::new(200).set_body_json(json!(names));
    Mock::given(method("GET"))
        .and(path("/machine-identities/v2/hostnames"))
        .and(wiremock::matchers::query_param("cursor", "b.acme.internal"))
        .respond_with(page(&["c.acme.internal"]))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/machine-identities/v2/hostnames"))
        .and(wiremock::matchers::query_param("cursor", "c.acme.internal"))
        .respond_with(page(&[]))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/machine-identities/v2/hostnames"))
        .respond_with(page(&["a.acme.internal", "b.acme.internal"]))
        .mount(&server)
        .await;
    let names: Vec<String> = client(&server, true)
        .machine_identities()
        .list_machine_identity_hostnames_v2()
        .prefix("a")
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        names,
        ["a.acme.internal", "b.acme.internal", "c.acme.internal"]
    );
    let cursors: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let q: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
            assert!(q.contains(&("prefix".into(), "a".into())), "{q:?}");
            q.into_iter().find(|(k, _)| k == "cursor").map(|(_, v)| v)
        })
        .collect();
    assert_eq!(
        cursors,
        [
            None,
            Some("b.acme.internal".into()),
            Some("c.acme.internal".into())
        ]
    );
}
