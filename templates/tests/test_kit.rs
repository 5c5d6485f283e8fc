//! The test kit (feature `test-kit`) testing itself against the spec: every
//! operation round-trips through it with a valid request; requests the spec
//! does not allow are caught with a message that says where; sequences, the
//! token endpoint and verification.
#![cfg(feature = "test-kit")]

use serde_json::json;

use kit_raw::raw;
use sailpoint_v2025::machine_identities::ListMachineIdentitiesFilter as F;
use sailpoint_v2025::models::{
    MachineIdentityAggregationRequest, MachineIdentityAggregationResponse, MachineIdentityRequest,
    MachineIdentityResponse, MachineIdentityUserEntitlementResponse, SourceClassificationStatus,
};
use sailpoint_v2025::patch::JsonPatch;
use sailpoint_v2025::test_kit::{Kit, Reply, OPERATIONS};
use sailpoint_v2025::{Error, RetryPolicy};

mod kit_raw;

fn identity(id: &str) -> MachineIdentityResponse {
    serde_json::from_value(json!({
        "id": id,
        "name": "payroll-sync-agent",
        "created": "2025-03-14T09:21:07.512Z",
        "modified": "2025-04-02T16:45:11.034Z",
        "businessApplication": "Payroll",
        "subtype": "AI Agent",
        "attributes": {"Region": "EU"}
    }))
    .unwrap()
}

fn create_request() -> MachineIdentityRequest {
    MachineIdentityRequest::new("payroll-sync-agent", "Payroll", "AI Agent")
}

fn patch() -> JsonPatch {
    JsonPatch::new()
        .replace("/attributes/Region", "US")
        .unwrap()
}

#[tokio::test]
async fn every_operation_round_trips_through_the_kit_with_a_valid_request() {
    let kit = Kit::start();
    let mi = kit.machine_identities();
    let cs = kit.classify_source();
    mi.list_machine_identities()
        .with_limit(50)
        .with_count(true)
        .respond(vec![identity("a"), identity("b")]);
    mi.create_machine_identity()
        .with_body(&create_request())
        .respond(identity("new"));
    mi.get_machine_identity()
        .with_id("42")
        .respond(identity("42"));
    mi.delete_machine_identity().with_id("42").respond();
    mi.update_machine_identity()
        .with_id("42")
        .with_body(&patch())
        .respond(identity("42"));
    mi.list_machine_identity_user_entitlements()
        .with_limit(10)
        .respond(Vec::<MachineIdentityUserEntitlementResponse>::new());
    let task: MachineIdentityAggregationResponse =
        serde_json::from_value(json!({"id": "t1", "progress": "Started"})).unwrap();
    mi.start_machine_identity_aggregation()
        .with_source_id("src")
        .respond(task);
    let status: SourceClassificationStatus = serde_json::from_value(
        json!({"status": "COMPLETED", "counts": {"EXPECTED": 1, "RECEIVED": 1, "COMPLETED": 1}}),
    )
    .unwrap();
    cs.get_classify_machine_account_from_source_status()
        .with_source_id("src")
        .respond(status);
    cs.send_classify_machine_account_from_source()
        .with_source_id("src")
        .reply(Reply::json(
            200,
            &json!({"Accounts submitted for processing": 3}),
        ));
    cs.delete_classify_machine_account_from_source()
        .with_source_id("src")
        .respond();

    let client = kit.client();
    let m = client.machine_identities();
    let c = client.classify_source();
    let listed = m
        .list_machine_identities()
        .limit(50)
        .count(true)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        m.create_machine_identity(create_request())
            .send()
            .await
            .unwrap()
            .id
            .as_deref(),
        Some("new")
    );
    assert_eq!(
        m.get_machine_identity("42")
            .send()
            .await
            .unwrap()
            .id
            .as_deref(),
        Some("42")
    );
    m.delete_machine_identity("42").send().await.unwrap();
    m.update_machine_identity("42", patch())
        .send()
        .await
        .unwrap();
    m.list_machine_identity_user_entitlements()
        .limit(10)
        .send()
        .await
        .unwrap();
    let body = MachineIdentityAggregationRequest::new(vec!["ds:agents".into()]);
    m.start_machine_identity_aggregation("src", body)
        .send()
        .await
        .unwrap();
    c.get_classify_machine_account_from_source_status("src")
        .send()
        .await
        .unwrap();
    c.send_classify_machine_account_from_source("src")
        .send()
        .await
        .unwrap();
    c.delete_classify_machine_account_from_source("src")
        .send()
        .await
        .unwrap();

    kit.verify().unwrap();
    let mut called = kit.operations_called();
    let mut documented: Vec<&str> = OPERATIONS.iter().map(|o| o.id).collect();
    assert_eq!(called.len(), 10);
    called.sort_unstable();
    documented.sort_unstable();
    assert_eq!(
        called, documented,
        "every operation of the spec went through the kit"
    );
}

#[tokio::test]
async fn an_undocumented_query_parameter_fails_with_the_operation_and_spec_pointer() {
    let kit = Kit::start();
    kit.machine_identities()
        .list_machine_identities()
        .times(0)
        .reply(Reply::json(200, &json!([])));
    let status = raw(&kit, "GET", "/machine-identities?limit=5&colour=blue", None).await;
    assert_eq!(status, 400);
    let report = kit.verify().unwrap_err();
    assert!(
        report.contains(
            "listMachineIdentities: query parameter `colour` is not documented \
             (spec: #/paths/~1machine-identities/get/parameters)"
        ),
        "{report}"
    );
}

#[tokio::test]
async fn a_query_parameter_of_the_wrong_type_is_caught() {
    let kit = Kit::start();
    raw(&kit, "GET", "/machine-identities?limit=ten", None).await;
    let problems = kit.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "listMachineIdentities: query parameter `limit` = \"ten\": expected an integer (spec: #/"
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
        "/machine-identities",
        Some(json!({"name": "x", "subtype": "AI Agent"})),
    )
    .await;
    assert_eq!(status, 400);
    let problems = kit.problems();
    assert_eq!(
        problems,
        vec![
            "createMachineIdentity: request body: required property `businessApplication` \
              is missing (spec: #/components/schemas/MachineIdentityRequest/required)"
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
        "/machine-identities",
        Some(json!({"name": null, "businessApplication": 7, "subtype": "AI Agent", "userEntitlements": [{"sourceId": "s"}]})),
    )
    .await;
    let problems = kit.problems();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "createMachineIdentity: request body at `/businessApplication`: expected a string, found a number (spec: #/"
        ),
        "{problems:?}"
    );
    assert!(
        problems[1].contains(
            "request body at `/userEntitlements/0`: required property `entitlementId` is missing"
        ),
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
        "/machine-identities/42",
        Some(json!({"op": "add"})),
    )
    .await;
    raw(&kit, "POST", "/machine-identities", None).await;
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
            "updateMachineIdentity: request body: expected a JSON Patch array, found an object"
        ),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("createMachineIdentity: the required request body is missing"),
        "{problems:?}"
    );
    kit.verify().unwrap_err();
}

#[tokio::test]
async fn a_path_no_operation_has_is_caught() {
    let kit = Kit::start();
    assert_eq!(raw(&kit, "GET", "/machine-identitys", None).await, 404);
    assert_eq!(
        kit.problems(),
        vec![
            "GET /v2025/machine-identitys: no operation of the spec has this method and path"
                .to_string()
        ]
    );
    kit.verify().unwrap_err();
}

#[tokio::test]
async fn a_429_then_200_sequence_is_retried_by_the_client() {
    let kit = Kit::start();
    let mocked = kit
        .machine_identities()
        .get_machine_identity()
        .with_id("42")
        .replies([
            Reply::too_many_requests(),
            Reply::json(200, &identity("42")),
        ]);
    let got = kit
        .client()
        .machine_identities()
        .get_machine_identity("42")
        .send()
        .await;
    assert_eq!(got.unwrap().id.as_deref(), Some("42"));
    assert_eq!(mocked.hits(), 2);
    assert_eq!(kit.calls_to("getMachineIdentity").len(), 2);
    kit.verify().unwrap();
}

#[tokio::test]
async fn the_last_reply_of_a_sequence_repeats_and_errors_are_any_status() {
    let kit = Kit::start();
    kit.machine_identities()
        .get_machine_identity()
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
            .get_machine_identity("x")
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
        .get_machine_identity()
        .respond(identity("42"));
    let client = kit.client();
    client
        .machine_identities()
        .get_machine_identity("42")
        .send()
        .await
        .unwrap();
    assert_eq!(kit.tokens_issued(), 1);
    kit.expire_token();
    client
        .machine_identities()
        .get_machine_identity("42")
        .send()
        .await
        .unwrap();
    assert_eq!(kit.tokens_issued(), 2);
    assert_eq!(
        kit.calls_to("getMachineIdentity").len(),
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
        .get_machine_identity("42")
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
    mi.create_machine_identity()
        .matching(|c| c.json().is_some_and(|b| b["subtype"] == "AI Agent"))
        .respond(identity("new"));
    mi.list_machine_identities()
        .with_filters(r#"businessApplication eq "Payroll""#)
        .respond(vec![]);
    let client = kit.client();
    let m = client.machine_identities();
    m.create_machine_identity(create_request())
        .send()
        .await
        .unwrap();
    m.list_machine_identities()
        .filters(F::business_application().eq("Payroll"))
        .send()
        .await
        .unwrap();
    kit.verify().unwrap();
    assert_eq!(
        kit.operations_called(),
        ["createMachineIdentity", "listMachineIdentities"]
    );
    let calls = kit.calls();
    assert_eq!(calls[0].json().unwrap()["businessApplication"], "Payroll");
    assert_eq!(
        calls[1].query("filters"),
        Some(r#"businessApplication eq "Payroll""#)
    );
    assert_eq!(calls[1].method, "GET");
}

#[tokio::test]
async fn an_unmet_expectation_and_an_unexpected_call_fail_verify_with_a_readable_report() {
    let kit = Kit::start();
    let mi = kit.machine_identities();
    mi.get_machine_identity()
        .with_id("42")
        .times(1)
        .respond(identity("42"));
    mi.delete_machine_identity().times(2).respond();
    let client = kit
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let got = client
        .machine_identities()
        .get_machine_identity("43")
        .send()
        .await;
    assert!(got.is_err());
    client
        .machine_identities()
        .delete_machine_identity("1")
        .send()
        .await
        .unwrap();
    let report = kit.verify().unwrap_err();
    assert!(report.starts_with("test kit: 3 problem(s)\n"), "{report}");
    assert!(report.contains(
        "unexpected call: GET /v2025/machine-identities/43 (getMachineIdentity) matched no expectation; \
         expectations for it: getMachineIdentity with id = \"42\""
    ), "{report}");
    assert!(report.contains(
        "unmet expectation: getMachineIdentity with id = \"42\" was expected 1 time(s), called 0 time(s)"
    ), "{report}");
    assert!(
        report.contains(
            "unmet expectation: deleteMachineIdentity was expected 2 time(s), called 1 time(s)"
        ),
        "{report}"
    );
    assert!(
        report.ends_with(r#"calls, in order: ["getMachineIdentity", "deleteMachineIdentity"]"#),
        "{report}"
    );
}

#[test]
fn a_failed_verify_under_unwrap_prints_its_report_as_it_reads() {
    let kit = Kit::start();
    kit.machine_identities()
        .delete_machine_identity()
        .times(1)
        .respond();
    let report = kit.verify().unwrap_err();
    // `Debug` (what `unwrap()` and a `?` in a test print) is the text itself,
    // one problem per line, not one escaped string.
    assert_eq!(format!("{report:?}"), report.to_string());
    assert_eq!(report.problems().len(), 1, "{report}");
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| kit.verify().unwrap()))
        .unwrap_err();
    let message = caught.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("test kit: 1 problem(s)\n  - unmet expectation"),
        "{message}"
    );
    assert!(!message.contains("\\n"), "{message}");
}

#[test]
fn dropping_an_unverified_kit_with_an_unmet_expectation_panics() {
    let caught = std::panic::catch_unwind(|| {
        let kit = Kit::start();
        kit.machine_identities().delete_machine_identity().respond();
    });
    let payload = caught.expect_err("the drop must panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains(
            "unmet expectation: deleteMachineIdentity was expected at least once, called 0 time(s)"
        ),
        "{message}"
    );
}

#[test]
fn a_verified_kit_drops_quietly() {
    let kit = Kit::start();
    kit.machine_identities().delete_machine_identity().respond();
    assert!(kit.verify().is_err());
    drop(kit);
}
