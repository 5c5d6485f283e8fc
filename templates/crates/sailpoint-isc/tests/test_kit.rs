//! The test kit (feature `test-kit`) of the per-service crate testing itself
//! against the isc spec: all 36 operations, v1 and v2, round-trip through it
//! with valid requests; requests the spec does not allow are caught with a
//! message that says where; sequences, the token endpoint and verification.
#![cfg(feature = "test-kit")]
// Models are built with `default()` (or `new()`) and field assignment, never with a
// struct literal, so that these tests keep compiling if the models become
// `#[non_exhaustive]`.
#![allow(clippy::field_reassign_with_default)]

use serde_json::json;

use kit_raw::raw;
use sailpoint_isc::machine_identities::{
    GetMachineIdentityAllCountsV1Filter, ListMachineIdentitiesV2Filter as F,
    ListMachineIdentityEntitlementsV2Filter,
};
use sailpoint_isc::models::{
    CorrelationConfig, CorrelationConfigType, JsonPatchOperation, JsonPatchOperationOp,
    MachineAccount, MachineIdentityAgentCounts, MachineIdentityAggregationRequest,
    MachineIdentityAggregationResponse, MachineIdentityAllCounts, MachineIdentityApplicationCounts,
    MachineIdentityBulkRequest, MachineIdentityBulkResult, MachineIdentityBulkUpdateRequest,
    MachineIdentityCapability, MachineIdentityDailyCounts, MachineIdentityEntitlement,
    MachineIdentityRequest, MachineIdentityResponse, MachineIdentityUserEntitlementResponse,
    MachineIdentityV2, SourceClassificationStatus, SourceClassificationSubmission, TaskStatus,
    UnsanctionedSummary,
};
use sailpoint_isc::patch::JsonPatch;
use sailpoint_isc::test_kit::{Kit, Reply, OPERATIONS};
use sailpoint_isc::{Error, RetryPolicy};

mod kit_raw;

const MI: &str = "2c9180858082150f0180893dbaf44201";
const SOURCE: &str = "ef38f94347e94562b5bb8424a56397d8";
const RESOURCE: &str = "8886e5e3-63d0-462f-a195-d98da885b8dc";
const CONFIG: &str = "0f6c4e1a-7b2d-4c3e-9f8a-1b2c3d4e5f60";

fn identity(id: &str) -> MachineIdentityV2 {
    serde_json::from_value(json!({
        "id": id,
        "name": "payroll-sync-agent",
        "nativeIdentity": "agent:payroll-sync",
        "subtype": "AI_AGENT",
        "owners": {
            "primary": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Cloud Admin"},
            "secondary": [{"type": "GOVERNANCE_GROUP", "id": "8a8f2b5c-3d1e-4f6a-9b7c-2e4d6f8a0b1c", "name": "Payroll Owners"}]
        }
    }))
    .unwrap()
}

fn identity_v1(id: &str) -> MachineIdentityResponse {
    serde_json::from_value(json!({
        "id": id,
        "name": "payroll-sync-agent",
        "nativeIdentity": "agent:payroll-sync",
        "subtype": "AI Agent"
    }))
    .unwrap()
}

fn config() -> CorrelationConfig {
    serde_json::from_value(json!({
        "id": CONFIG,
        "sourceId": SOURCE,
        "resourceId": RESOURCE,
        "type": "OWNER_PRIMARY",
        "attributes": {"enabled": true},
        "rules": []
    }))
    .unwrap()
}

fn create_v2() -> MachineIdentityV2 {
    let mut identity = MachineIdentityV2::default();
    identity.name = Some("payroll-sync-agent".into());
    identity.description = Some("Nightly payroll sync".into());
    identity
}

fn deletion_task() -> TaskStatus {
    serde_json::from_value(json!({
        "id": "t2", "type": "QUARTZ", "uniqueName": "Delete AI Agent", "description": "Deletes an AI agent.",
        "parentName": null, "launcher": "System", "created": "2026-10-20T09:00:00Z",
        "modified": null, "launched": null, "completed": null, "completionStatus": null,
        "messages": [], "returns": [], "attributes": {}, "progress": null, "percentComplete": 0
    }))
    .unwrap()
}

fn bulk_results(ids: &[&str]) -> Vec<MachineIdentityBulkResult> {
    ids.iter()
        .map(|id| {
            let mut result = MachineIdentityBulkResult::default();
            result.id = Some((*id).into());
            result.status = Some(200);
            result
        })
        .collect()
}

fn description_patch() -> Vec<JsonPatchOperation> {
    let mut replace = JsonPatchOperation::new(JsonPatchOperationOp::Replace, "/description");
    replace.value = Some(json!("Nightly payroll sync"));
    vec![replace]
}

fn patch() -> JsonPatch {
    JsonPatch::new()
        .replace("/description", "Nightly payroll sync")
        .unwrap()
}

#[tokio::test]
async fn every_operation_round_trips_through_the_kit_with_a_valid_request() {
    let kit = Kit::start();
    let mi = kit.machine_identities();
    let cs = kit.classify_source();
    let ds = kit.declassify_source();

    // Machine identities v2 (GA).
    mi.list_machine_identities_v2()
        .with_limit(50)
        .with_count(true)
        .respond(vec![identity("a"), identity("b")]);
    mi.create_machine_identity_v2()
        .with_body(&create_v2())
        .respond(identity("new"));
    mi.get_machine_identity_v2()
        .with_id(MI)
        .respond(identity(MI));
    mi.delete_machine_identity_v2().with_id(MI).respond();
    mi.update_machine_identity_v2()
        .with_id(MI)
        .with_body(&patch())
        .respond(identity(MI));
    // Machine identities v1 (experimental).
    mi.list_machine_identities_v1()
        .with_offset(0)
        .respond(vec![identity_v1("a")]);
    mi.create_machine_identity_v1()
        .with_body(&MachineIdentityRequest::new(
            "agent:payroll-sync",
            "AI Agent",
        ))
        .respond(identity_v1("new"));
    mi.get_unsanctioned_anomaly_summary_v1()
        .respond(UnsanctionedSummary::default());
    mi.get_machine_identity_v1()
        .with_id(MI)
        .respond(identity_v1(MI));
    mi.delete_machine_identity_v1().with_id(MI).respond();
    mi.update_machine_identity_v1()
        .with_id(MI)
        .with_body(&patch())
        .respond(identity_v1(MI));
    mi.list_machine_identity_anomalies_v1()
        .with_id(MI)
        .with_limit(10)
        .respond(vec![]);
    mi.list_machine_identity_user_entitlements_v1()
        .with_limit(10)
        .respond(Vec::<MachineIdentityUserEntitlementResponse>::new());
    let task: MachineIdentityAggregationResponse =
        serde_json::from_value(json!({"id": "t1", "progress": "Started"})).unwrap();
    mi.start_machine_identity_aggregation_v1()
        .with_source_id(SOURCE)
        .with_body(&MachineIdentityAggregationRequest::new(vec!["ds-1".into()]))
        .respond(task);
    // Ownership correlation configs (GA).
    mi.list_ownership_correlation_configs_v1()
        .with_source_id(SOURCE)
        .with_resource_id(RESOURCE)
        .with_type(CorrelationConfigType::OwnerPrimary)
        .respond(vec![config()]);
    mi.get_ownership_correlation_config_v1()
        .with_source_id(SOURCE)
        .with_resource_id(RESOURCE)
        .with_config_id(CONFIG)
        .respond(config());
    mi.delete_ownership_correlation_config_v1()
        .with_config_id(CONFIG)
        .respond();
    mi.patch_ownership_correlation_config_v1()
        .with_config_id(CONFIG)
        .with_body(&patch())
        .respond(config());
    // Classification.
    let status: SourceClassificationStatus = serde_json::from_value(
        json!({"status": "COMPLETED", "counts": {"EXPECTED": 3, "RECEIVED": 3, "COMPLETED": 3}}),
    )
    .unwrap();
    cs.get_classify_machine_account_from_source_status_v1()
        .with_source_id(SOURCE)
        .respond(status);
    let submitted: SourceClassificationSubmission =
        serde_json::from_value(json!({"Accounts submitted for processing": 3})).unwrap();
    cs.send_classify_machine_account_from_source_v1()
        .with_source_id(SOURCE)
        .respond(submitted);
    cs.delete_classify_machine_account_from_source_v1()
        .with_source_id(SOURCE)
        .respond();
    ds.send_declassify_machine_account_from_source_v1()
        .with_source_id(SOURCE)
        .respond();
    // Added since the 2026-08-22 snapshot (experimental).
    mi.delete_machine_identity_async_v1()
        .with_id(MI)
        .respond(deletion_task());
    mi.delete_machine_identity_async_v2()
        .with_id(MI)
        .respond(deletion_task());
    let mut agents = MachineIdentityAgentCounts::default();
    agents.agent_count = Some(412);
    mi.get_machine_identity_agent_counts_v1()
        .respond(agents.clone());
    mi.get_machine_identity_agent_counts_v2().respond(agents);
    let mut applications = MachineIdentityApplicationCounts::default();
    applications.application_count = Some(1250);
    mi.get_machine_identity_application_counts_v1()
        .respond(applications.clone());
    mi.get_machine_identity_application_counts_v2()
        .respond(applications);
    let mut mine = MachineIdentityAllCounts::default();
    mine.total_count = Some(48);
    mi.get_machine_identity_all_counts_v1()
        .with_filters(r#"ownerId eq "me""#)
        .respond(mine);
    let daily: MachineIdentityDailyCounts = serde_json::from_value(
        json!({"from": "2026-10-19", "to": "2026-10-19", "days": [{"day": "2026-10-19", "metrics": []}]}),
    )
    .unwrap();
    mi.get_machine_identity_daily_counts_v1()
        .with_days(1)
        .respond(daily);
    mi.delete_machine_identities_in_bulk_v2()
        .with_body(&MachineIdentityBulkRequest::new(vec![MI.into()]))
        .respond(bulk_results(&[MI]));
    mi.update_machine_identities_in_bulk_v2()
        .with_body(&MachineIdentityBulkUpdateRequest::new(
            vec![MI.into()],
            description_patch(),
        ))
        .respond(bulk_results(&[MI]));
    mi.list_machine_identity_hostnames_v2()
        .with_prefix("build-")
        .with_limit(2)
        .respond(vec!["build-01".into(), "build-02".into()]);
    let account: MachineAccount = serde_json::from_value(json!({
        "name": "svc-payroll-sync", "nativeIdentity": "svc-payroll-sync",
        "classificationMethod": "SOURCE", "connectorAttributes": null, "manuallyEdited": false,
        "locked": false, "enabled": true, "hasEntitlements": false, "source": null
    }))
    .unwrap();
    mi.list_machine_identity_accounts_v2()
        .with_id(MI)
        .with_limit(10)
        .respond(vec![account]);
    mi.list_machine_identity_capabilities_v2()
        .with_id(MI)
        .respond(vec![MachineIdentityCapability::default()]);
    mi.list_machine_identity_entitlements_v2()
        .with_id(MI)
        .with_filters(r#"entitlementName co "Payroll""#)
        .respond(vec![MachineIdentityEntitlement::default()]);

    let client = kit.client();
    let m = client.machine_identities();
    let listed = m
        .list_machine_identities_v2()
        .limit(50)
        .count(true)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let created = m.create_machine_identity_v2(create_v2()).send().await;
    assert_eq!(created.unwrap().id.as_deref(), Some("new"));
    let got = m.get_machine_identity_v2(MI).send().await.unwrap();
    assert_eq!(
        got.owners
            .as_ref()
            .map(|o| o.secondary.as_ref().map(Vec::len)),
        Some(Some(1)),
        "{got:?}"
    );
    m.delete_machine_identity_v2(MI).send().await.unwrap();
    m.update_machine_identity_v2(MI, patch())
        .send()
        .await
        .unwrap();
    assert_eq!(
        m.list_machine_identities_v1()
            .offset(0)
            .send()
            .await
            .unwrap()
            .len(),
        1
    );
    m.create_machine_identity_v1(MachineIdentityRequest::new(
        "agent:payroll-sync",
        "AI Agent",
    ))
    .send()
    .await
    .unwrap();
    m.get_unsanctioned_anomaly_summary_v1()
        .send()
        .await
        .unwrap();
    m.get_machine_identity_v1(MI).send().await.unwrap();
    m.delete_machine_identity_v1(MI).send().await.unwrap();
    m.update_machine_identity_v1(MI, patch())
        .send()
        .await
        .unwrap();
    m.list_machine_identity_anomalies_v1(MI)
        .limit(10)
        .send()
        .await
        .unwrap();
    m.list_machine_identity_user_entitlements_v1()
        .limit(10)
        .send()
        .await
        .unwrap();
    m.start_machine_identity_aggregation_v1(
        SOURCE,
        MachineIdentityAggregationRequest::new(vec!["ds-1".into()]),
    )
    .send()
    .await
    .unwrap();
    let configs = m
        .list_ownership_correlation_configs_v1(SOURCE, RESOURCE)
        .r#type(CorrelationConfigType::OwnerPrimary)
        .send()
        .await
        .unwrap();
    assert_eq!(configs.len(), 1);
    m.get_ownership_correlation_config_v1(SOURCE, RESOURCE, CONFIG)
        .send()
        .await
        .unwrap();
    m.delete_ownership_correlation_config_v1(SOURCE, RESOURCE, CONFIG)
        .send()
        .await
        .unwrap();
    m.patch_ownership_correlation_config_v1(SOURCE, RESOURCE, CONFIG, patch())
        .send()
        .await
        .unwrap();
    let c = client.classify_source();
    c.get_classify_machine_account_from_source_status_v1(SOURCE)
        .send()
        .await
        .unwrap();
    c.send_classify_machine_account_from_source_v1(SOURCE)
        .send()
        .await
        .unwrap();
    c.delete_classify_machine_account_from_source_v1(SOURCE)
        .send()
        .await
        .unwrap();
    client
        .declassify_source()
        .send_declassify_machine_account_from_source_v1(SOURCE)
        .send()
        .await
        .unwrap();

    m.delete_machine_identity_async_v1(MI).send().await.unwrap();
    let deleting = m.delete_machine_identity_async_v2(MI).send().await.unwrap();
    assert_eq!(deleting.id, "t2");
    let agents = m
        .get_machine_identity_agent_counts_v1()
        .send()
        .await
        .unwrap();
    assert_eq!(agents.agent_count, Some(412));
    m.get_machine_identity_agent_counts_v2()
        .send()
        .await
        .unwrap();
    m.get_machine_identity_application_counts_v1()
        .send()
        .await
        .unwrap();
    let applications = m
        .get_machine_identity_application_counts_v2()
        .send()
        .await
        .unwrap();
    assert_eq!(applications.application_count, Some(1250));
    let mine = m
        .get_machine_identity_all_counts_v1(
            GetMachineIdentityAllCountsV1Filter::owner_id().eq("me"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(mine.total_count, Some(48));
    let daily = m
        .get_machine_identity_daily_counts_v1()
        .days(1)
        .send()
        .await
        .unwrap();
    assert_eq!(daily.days.as_ref().map(Vec::len), Some(1));
    let deleted = m
        .delete_machine_identities_in_bulk_v2(MachineIdentityBulkRequest::new(vec![MI.into()]))
        .send()
        .await
        .unwrap();
    assert!(
        deleted.is_complete() && deleted.get(MI).is_some(),
        "{deleted:?}"
    );
    m.update_machine_identities_in_bulk_v2(MachineIdentityBulkUpdateRequest::new(
        vec![MI.into()],
        description_patch(),
    ))
    .send()
    .await
    .unwrap();
    let hostnames = m
        .list_machine_identity_hostnames_v2()
        .prefix("build-")
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(hostnames.len(), 2);
    let accounts = m
        .list_machine_identity_accounts_v2(MI)
        .limit(10)
        .send()
        .await
        .unwrap();
    assert_eq!(accounts[0].native_identity, "svc-payroll-sync");
    m.list_machine_identity_capabilities_v2(MI)
        .send()
        .await
        .unwrap();
    m.list_machine_identity_entitlements_v2(MI)
        .filters(ListMachineIdentityEntitlementsV2Filter::entitlement_name().co("Payroll"))
        .send()
        .await
        .unwrap();

    kit.verify().unwrap();
    let mut called = kit.operations_called();
    let mut documented: Vec<&str> = OPERATIONS.iter().map(|o| o.id).collect();
    assert_eq!(called.len(), 36);
    called.sort_unstable();
    documented.sort_unstable();
    assert_eq!(
        called, documented,
        "every operation of the spec went through the kit"
    );
}

#[tokio::test]
async fn v1_and_v2_of_an_operation_are_told_apart_by_path() {
    let kit = Kit::start();
    let mi = kit.machine_identities();
    let v2 = mi
        .get_machine_identity_v2()
        .with_id(MI)
        .respond(identity(MI));
    let v1 = mi
        .get_machine_identity_v1()
        .with_id(MI)
        .respond(identity_v1(MI));
    let client = kit.client();
    client
        .machine_identities()
        .get_machine_identity_v2(MI)
        .send()
        .await
        .unwrap();
    assert_eq!((v2.hits(), v1.hits()), (1, 0));
    client
        .machine_identities()
        .get_machine_identity_v1(MI)
        .send()
        .await
        .unwrap();
    assert_eq!((v2.hits(), v1.hits()), (1, 1));
    let calls = kit.calls();
    assert_eq!(calls[0].path, format!("/machine-identities/v2/{MI}"));
    assert_eq!(calls[1].path, format!("/machine-identities/v1/{MI}"));
    kit.verify().unwrap();
}

#[tokio::test]
async fn an_undocumented_query_parameter_fails_with_the_operation_and_spec_pointer() {
    let kit = Kit::start();
    kit.machine_identities()
        .list_machine_identities_v2()
        .times(0)
        .reply(Reply::json(200, &json!([])));
    let status = raw(
        &kit,
        "GET",
        "/machine-identities/v2?limit=5&colour=blue",
        None,
    )
    .await;
    assert_eq!(status, 400);
    let report = kit.verify().unwrap_err();
    assert!(
        report.contains(
            "listMachineIdentitiesV2: query parameter `colour` is not documented \
             (spec: #/paths/~1machine-identities~1v2/get/parameters)"
        ),
        "{report}"
    );
}

#[tokio::test]
async fn a_query_parameter_of_the_wrong_type_is_caught() {
    let kit = Kit::start();
    raw(&kit, "GET", "/machine-identities/v2?count=maybe", None).await;
    let problems = kit.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "listMachineIdentitiesV2: query parameter `count` = \"maybe\": expected a boolean (spec: #/"
        ),
        "{problems:?}"
    );
    kit.verify().unwrap_err();
}

#[tokio::test]
async fn a_missing_required_field_names_the_property_and_the_schema() {
    let kit = Kit::start();
    let status = raw(
        &kit,
        "POST",
        "/machine-identities/v2",
        Some(json!({"description": "no name"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        kit.problems(),
        vec![
            "createMachineIdentityV2: request body: required property `name` is missing \
             (spec: #/components/schemas/MachineIdentityV2/required)"
                .to_string()
        ]
    );
    kit.verify().unwrap_err();
}

#[tokio::test]
async fn a_body_of_the_wrong_type_gives_the_json_pointer_into_the_body() {
    let kit = Kit::start();
    raw(
        &kit,
        "POST",
        "/machine-identities/v2",
        Some(json!({"name": "x", "description": 7, "owners": {"secondary": "not a list"}})),
    )
    .await;
    let problems = kit.problems();
    assert!(
        problems.iter().any(|p| p.starts_with(
            "createMachineIdentityV2: request body at `/description`: expected a string, found a number (spec: #/"
        )),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("request body at `/owners/secondary`: expected an array")),
        "{problems:?}"
    );
    kit.verify().unwrap_err();
}

#[tokio::test]
async fn a_json_patch_that_is_not_an_array_and_a_missing_body_are_caught() {
    let kit = Kit::start();
    raw(
        &kit,
        "PATCH",
        &format!("/machine-identities/v2/{MI}"),
        Some(json!({"op": "add"})),
    )
    .await;
    raw(&kit, "POST", "/machine-identities/v2", None).await;
    let problems = kit.problems();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].contains(
            "content-type \"application/json\", the spec says \"application/json-patch+json\""
        ),
        "{problems:?}"
    );
    assert!(
        problems[1].contains(
            "updateMachineIdentityV2: request body: expected a JSON Patch array, found an object"
        ),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("createMachineIdentityV2: the required request body is missing"),
        "{problems:?}"
    );
    kit.verify().unwrap_err();
}

#[tokio::test]
async fn a_path_no_operation_has_is_caught() {
    let kit = Kit::start();
    // v3 does not exist, and neither does an unversioned path.
    assert_eq!(raw(&kit, "GET", "/machine-identities/v3", None).await, 404);
    assert_eq!(raw(&kit, "GET", "/machine-identities", None).await, 404);
    assert_eq!(
        kit.problems(),
        vec![
            "GET /machine-identities/v3: no operation of the spec has this method and path"
                .to_string(),
            "GET /machine-identities: no operation of the spec has this method and path"
                .to_string(),
        ]
    );
    kit.verify().unwrap_err();
}

#[tokio::test]
async fn a_429_then_200_sequence_is_retried_by_the_client() {
    let kit = Kit::start();
    let mocked = kit
        .machine_identities()
        .get_machine_identity_v2()
        .with_id(MI)
        .replies([Reply::too_many_requests(), Reply::json(200, &identity(MI))]);
    let got = kit
        .client()
        .machine_identities()
        .get_machine_identity_v2(MI)
        .send()
        .await;
    assert_eq!(got.unwrap().id.as_deref(), Some(MI));
    assert_eq!(mocked.hits(), 2);
    assert_eq!(kit.calls_to("getMachineIdentityV2").len(), 2);
    kit.verify().unwrap();
}

#[tokio::test]
async fn the_last_reply_of_a_sequence_repeats_and_errors_are_any_status() {
    let kit = Kit::start();
    kit.machine_identities()
        .get_machine_identity_v2()
        .reply(Reply::json(
            404,
            &json!({"detailCode": "404 Not found", "messages": []}),
        ));
    let client = kit
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    for _ in 0..2 {
        match client
            .machine_identities()
            .get_machine_identity_v2("x")
            .send()
            .await
        {
            Err(Error::Api(e)) => assert_eq!(e.status(), 404),
            other => panic!("expected a 404, got {other:?}"),
        }
    }
    kit.verify().unwrap();
}

#[tokio::test]
async fn a_token_that_expires_mid_test_is_renewed() {
    let kit = Kit::start();
    kit.machine_identities()
        .get_machine_identity_v2()
        .respond(identity(MI));
    let client = kit.client();
    client
        .machine_identities()
        .get_machine_identity_v2(MI)
        .send()
        .await
        .unwrap();
    assert_eq!(kit.tokens_issued(), 1);
    kit.expire_token();
    client
        .machine_identities()
        .get_machine_identity_v2(MI)
        .send()
        .await
        .unwrap();
    assert_eq!(kit.tokens_issued(), 2);
    assert_eq!(
        kit.calls_to("getMachineIdentityV2").len(),
        2,
        "the 401 never reaches an expectation"
    );
    kit.verify().unwrap();
}

#[tokio::test]
async fn a_failing_token_endpoint_fails_the_call_before_any_operation() {
    let kit = Kit::start();
    kit.token_replies([Reply::json(401, &json!({"error": "invalid_client"}))]);
    let got = kit
        .client()
        .machine_identities()
        .get_machine_identity_v2(MI)
        .send()
        .await;
    assert!(matches!(got, Err(Error::Auth { .. })), "{got:?}");
    assert!(kit.calls().is_empty());
    kit.verify().unwrap();
}

#[tokio::test]
async fn calls_are_recorded_in_order_with_what_was_sent() {
    let kit = Kit::start();
    let mi = kit.machine_identities();
    mi.create_machine_identity_v2()
        .matching(|c| c.json().is_some_and(|b| b["name"] == "payroll-sync-agent"))
        .respond(identity("new"));
    mi.list_machine_identities_v2()
        .with_filters(r#"source.id eq "src-1""#)
        .respond(vec![]);
    let client = kit.client();
    let m = client.machine_identities();
    m.create_machine_identity_v2(create_v2())
        .send()
        .await
        .unwrap();
    m.list_machine_identities_v2()
        .filters(F::source_id().eq("src-1"))
        .send()
        .await
        .unwrap();
    kit.verify().unwrap();
    assert_eq!(
        kit.operations_called(),
        ["createMachineIdentityV2", "listMachineIdentitiesV2"]
    );
    let calls = kit.calls();
    assert_eq!(
        calls[0].json().unwrap()["description"],
        "Nightly payroll sync"
    );
    // The kit's client opted in to experimental operations, so it sends the
    // header with every operation, GA ones included (`ClientBuilder::experimental`).
    assert_eq!(calls[0].header("x-sailpoint-experimental"), Some("true"));
    assert_eq!(calls[1].query("filters"), Some(r#"source.id eq "src-1""#));
    assert_eq!(calls[1].method, "GET");
}

#[tokio::test]
async fn an_unmet_expectation_and_an_unexpected_call_fail_verify_with_a_readable_report() {
    let kit = Kit::start();
    let mi = kit.machine_identities();
    mi.get_machine_identity_v2()
        .with_id("42")
        .times(1)
        .respond(identity("42"));
    mi.delete_machine_identity_v2().times(2).respond();
    let client = kit
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let got = client
        .machine_identities()
        .get_machine_identity_v2("43")
        .send()
        .await;
    assert!(got.is_err());
    client
        .machine_identities()
        .delete_machine_identity_v2("1")
        .send()
        .await
        .unwrap();
    let report = kit.verify().unwrap_err();
    assert!(report.starts_with("test kit: 3 problem(s)\n"), "{report}");
    assert!(report.contains(
        "unexpected call: GET /machine-identities/v2/43 (getMachineIdentityV2) matched no expectation; \
         expectations for it: getMachineIdentityV2 with id = \"42\""
    ), "{report}");
    assert!(report.contains(
        "unmet expectation: getMachineIdentityV2 with id = \"42\" was expected 1 time(s), called 0 time(s)"
    ), "{report}");
    assert!(
        report.contains(
            "unmet expectation: deleteMachineIdentityV2 was expected 2 time(s), called 1 time(s)"
        ),
        "{report}"
    );
    assert!(
        report.ends_with(r#"calls, in order: ["getMachineIdentityV2", "deleteMachineIdentityV2"]"#),
        "{report}"
    );
}

#[test]
fn dropping_an_unverified_kit_with_an_unmet_expectation_panics() {
    let caught = std::panic::catch_unwind(|| {
        let kit = Kit::start();
        kit.machine_identities()
            .delete_machine_identity_v2()
            .respond();
    });
    let payload = caught.expect_err("the drop must panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains(
            "unmet expectation: deleteMachineIdentityV2 was expected at least once, called 0 time(s)"
        ),
        "{message}"
    );
}

#[test]
fn a_verified_kit_drops_quietly() {
    let kit = Kit::start();
    kit.machine_identities()
        .delete_machine_identity_v2()
        .respond();
    assert!(kit.verify().is_err());
    drop(kit);
}
