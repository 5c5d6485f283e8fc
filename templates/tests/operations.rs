//! Every generated operation against a real HTTP server on loopback (wiremock).
//!
//! The tests are data-driven over [`Op`], one row per operation of the spec: what
//! the server must receive (method, path with the `/v2025` prefix, query, headers,
//! body) and what the client must make of each answer (the success body, every
//! documented error status, an undocumented status, a malformed body). Every call
//! goes through [`call`], which reduces the typed result to an [`Outcome`] so that
//! one assertion covers all ten operations. A few tests at the end look at typed
//! fields directly, since the reduction to JSON would hide a wrongly typed field.
//!
//! Clients are built with `RetryPolicy::none()`, so that a 429 or 500 answer is
//! returned as it is instead of retried.

use std::pin::pin;

use futures_util::StreamExt;
use serde::Serialize;
use serde_json::{json, Value};
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sailpoint_v2025::classify_source::{
    DeleteClassifyMachineAccountFromSourceError, GetClassifyMachineAccountFromSourceStatusError,
    SendClassifyMachineAccountFromSourceError,
};
use sailpoint_v2025::filter::Sort;
use sailpoint_v2025::machine_identities::{
    CreateMachineIdentityError, DeleteMachineIdentityError, GetMachineIdentityError,
    ListMachineIdentitiesError, ListMachineIdentitiesFilter, ListMachineIdentitiesSortField,
    ListMachineIdentityUserEntitlementsError, ListMachineIdentityUserEntitlementsFilter,
    ListMachineIdentityUserEntitlementsSortField, StartMachineIdentityAggregationError,
    UpdateMachineIdentityError,
};
use sailpoint_v2025::models::{
    BaseReferenceDto, DtoType, LocaleOrigin, MachineIdentityAggregationRequest,
    MachineIdentityAggregationResponseType, MachineIdentityOwners, MachineIdentityRequest,
    MachineIdentityUserEntitlementRequest, SourceClassificationStatusStatus,
};
use sailpoint_v2025::patch::JsonPatch;
use sailpoint_v2025::{Client, Error, Response, RetryPolicy};

const TOKEN: &str = "test-token-0123";
const MACHINE_IDENTITY_ID: &str = "2c9180858082150f0180893dbaf44201";
const SOURCE_ID: &str = "ef38f94347e94562b5bb8424a56397d8";
/// A response header that undocumented-status tests expect to find in the error.
const MARK_HEADER: &str = "x-test-mark";

// ---------------------------------------------------------------------------
// The operations, as a table
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    ListMachineIdentities,
    CreateMachineIdentity,
    GetMachineIdentity,
    DeleteMachineIdentity,
    UpdateMachineIdentity,
    ListMachineIdentityUserEntitlements,
    StartMachineIdentityAggregation,
    GetClassifyStatus,
    SendClassify,
    DeleteClassify,
}

use Op::*;

const ALL_OPS: [Op; 10] = [
    ListMachineIdentities,
    CreateMachineIdentity,
    GetMachineIdentity,
    DeleteMachineIdentity,
    UpdateMachineIdentity,
    ListMachineIdentityUserEntitlements,
    StartMachineIdentityAggregation,
    GetClassifyStatus,
    SendClassify,
    DeleteClassify,
];

/// The error statuses every machine-identity operation documents.
const ERRORS_WITH_404: &[(u16, &str)] = &[
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (429, "TooManyRequests"),
    (500, "InternalServerError"),
];

/// `sendClassify...` and `deleteClassify...` do not document 404.
const ERRORS_WITHOUT_404: &[(u16, &str)] = &[
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (429, "TooManyRequests"),
    (500, "InternalServerError"),
];

impl Op {
    fn operation_id(self) -> &'static str {
        match self {
            ListMachineIdentities => "listMachineIdentities",
            CreateMachineIdentity => "createMachineIdentity",
            GetMachineIdentity => "getMachineIdentity",
            DeleteMachineIdentity => "deleteMachineIdentity",
            UpdateMachineIdentity => "updateMachineIdentity",
            ListMachineIdentityUserEntitlements => "listMachineIdentityUserEntitlements",
            StartMachineIdentityAggregation => "startMachineIdentityAggregation",
            GetClassifyStatus => "getClassifyMachineAccountFromSourceStatus",
            SendClassify => "sendClassifyMachineAccountFromSource",
            DeleteClassify => "deleteClassifyMachineAccountFromSource",
        }
    }

    fn method(self) -> &'static str {
        match self {
            ListMachineIdentities
            | GetMachineIdentity
            | ListMachineIdentityUserEntitlements
            | GetClassifyStatus => "GET",
            CreateMachineIdentity | StartMachineIdentityAggregation | SendClassify => "POST",
            DeleteMachineIdentity | DeleteClassify => "DELETE",
            UpdateMachineIdentity => "PATCH",
        }
    }

    /// The path parameter [`call`] sends when a test does not choose one.
    fn sample_id(self) -> &'static str {
        match self {
            GetMachineIdentity | DeleteMachineIdentity | UpdateMachineIdentity => {
                MACHINE_IDENTITY_ID
            }
            _ => SOURCE_ID,
        }
    }

    fn has_path_param(self) -> bool {
        !matches!(
            self,
            ListMachineIdentities | CreateMachineIdentity | ListMachineIdentityUserEntitlements
        )
    }

    /// The path the server must see, with `segment` as the encoded path parameter.
    fn wire_path(self, segment: &str) -> String {
        match self {
            ListMachineIdentities | CreateMachineIdentity => "/v2025/machine-identities".into(),
            GetMachineIdentity | DeleteMachineIdentity | UpdateMachineIdentity => {
                format!("/v2025/machine-identities/{segment}")
            }
            ListMachineIdentityUserEntitlements => {
                "/v2025/machine-identity-user-entitlements".into()
            }
            StartMachineIdentityAggregation => format!("/v2025/sources/{segment}/aggregate-agents"),
            GetClassifyStatus | SendClassify | DeleteClassify => {
                format!("/v2025/sources/{segment}/classify")
            }
        }
    }

    /// The raw query string [`call`] must produce.
    fn wire_query(self) -> Option<&'static str> {
        match self {
            ListMachineIdentities => Some(
                "filters=businessApplication%20eq%20%22Payroll%22\
                 &sorters=businessApplication%2C-created&count=true&limit=50&offset=100",
            ),
            ListMachineIdentityUserEntitlements => Some(
                "filters=machineIdentityId%20eq%20%222c9180858082150f0180893dbaf44201%22\
                 &sorters=machineIdentityName%2C-entitlement.name&limit=10&offset=0",
            ),
            _ => None,
        }
    }

    /// The `Content-Type` and JSON body [`call`] must send.
    fn wire_body(self) -> Option<(&'static str, Value)> {
        match self {
            CreateMachineIdentity => Some((
                "application/json",
                json!({
                    "name": "payroll-sync-agent",
                    "businessApplication": "Payroll",
                    "description": "Agent that syncs payroll data every night.",
                    "attributes": {"Region": "EU"},
                    "subtype": "AI Agent",
                    "owners": {
                        "primaryIdentity": {
                            "type": "IDENTITY",
                            "id": "2c9180a46faadee4016fb4e018c20639",
                            "name": "Cloud Admin"
                        },
                        "secondaryIdentities": []
                    },
                    "userEntitlements": [{
                        "entitlementId": "4b0c7106a6c7438086f3024993664fc3",
                        "sourceId": "5898b7c1620c49c6cccccbf81eb4bddd"
                    }]
                }),
            )),
            UpdateMachineIdentity => Some((
                "application/json-patch+json",
                json!([
                    {"op": "add", "path": "/attributes/securityRisk", "value": "medium"},
                    {"op": "replace", "path": "/attributes/Region", "value": "US"},
                    {"op": "remove", "path": "/description"}
                ]),
            )),
            StartMachineIdentityAggregation => Some((
                "application/json",
                json!({
                    "datasetIds": ["ef38f94347e94562b5bb8424a56397d8:agents"],
                    "disableOptimization": false
                }),
            )),
            _ => None,
        }
    }

    /// The success status and body (the spec's examples).
    fn success(self) -> (u16, Option<Value>) {
        match self {
            ListMachineIdentities => (200, Some(machine_identity_list())),
            CreateMachineIdentity | GetMachineIdentity | UpdateMachineIdentity => {
                (200, Some(machine_identity()))
            }
            DeleteMachineIdentity | DeleteClassify => (204, None),
            ListMachineIdentityUserEntitlements => (200, Some(user_entitlement_list())),
            StartMachineIdentityAggregation => (200, Some(aggregation_task())),
            GetClassifyStatus => (200, Some(classification_status("COLLECTED"))),
            SendClassify => (
                200,
                Some(json!({"Accounts submitted for processing": 1000})),
            ),
        }
    }

    /// The documented error statuses and the variant each decodes into.
    fn errors(self) -> &'static [(u16, &'static str)] {
        match self {
            SendClassify | DeleteClassify => ERRORS_WITHOUT_404,
            _ => ERRORS_WITH_404,
        }
    }
}

// ---------------------------------------------------------------------------
// Spec examples
// ---------------------------------------------------------------------------

fn machine_identity() -> Value {
    json!({
        "id": "2c9180858082150f0180893dbaf44201",
        "name": "payroll-sync-agent",
        "created": "2025-03-14T09:21:07.512Z",
        "modified": "2025-04-02T16:45:11.034Z",
        "businessApplication": "Payroll",
        "description": "Agent that syncs payroll data every night.",
        "attributes": {"Region": "EU", "securityRisk": "medium"},
        "subtype": "AI Agent",
        "owners": {
            "primaryIdentity": {
                "type": "IDENTITY",
                "id": "2c9180a46faadee4016fb4e018c20639",
                "name": "Cloud Admin"
            },
            "secondaryIdentities": [{
                "type": "IDENTITY",
                "id": "2c9180a46faadee4016fb4e018c20640",
                "name": "Jane Doe"
            }]
        },
        "sourceId": "ef38f94347e94562b5bb8424a56397d8",
        "uuid": "f5dd23fe-3414-42b7-bb1c-869400ad7a10",
        "nativeIdentity": "agent:payroll-sync",
        "manuallyEdited": false,
        "manuallyCreated": false,
        "source": {
            "type": "SOURCE",
            "id": "ef38f94347e94562b5bb8424a56397d8",
            "name": "Azure AI Foundry"
        },
        "datasetId": "8886e5e3-63d0-462f-a195-d98da885b8dc",
        "userEntitlements": [{
            "sourceId": "5898b7c1620c49c6cccccbf81eb4bddd",
            "entitlementId": "4b0c7106a6c7438086f3024993664fc3",
            "displayName": "Payroll Readers",
            "source": {
                "type": "SOURCE",
                "id": "5898b7c1620c49c6cccccbf81eb4bddd",
                "name": "Active Directory"
            }
        }]
    })
}

fn machine_identity_list() -> Value {
    json!([
        machine_identity(),
        {
            "id": "2c9180858082150f0180893dbaf44202",
            "name": "svc-backup",
            "created": "2025-01-20T08:00:00.000Z",
            "modified": "2025-01-20T08:00:00.000Z",
            "businessApplication": "Backup",
            "description": "",
            "attributes": {},
            "subtype": "Application",
            "owners": {
                "primaryIdentity": {
                    "type": "IDENTITY",
                    "id": "2c9180a46faadee4016fb4e018c20639",
                    "name": "Cloud Admin"
                },
                "secondaryIdentities": []
            },
            "sourceId": "5898b7c1620c49c6cccccbf81eb4bddd",
            "manuallyEdited": false,
            "manuallyCreated": true,
            "userEntitlements": []
        }
    ])
}

fn user_entitlement_list() -> Value {
    json!([
        {
            "id": "8886e5e3-63d0-462f-a195-d98da885b8dc",
            "machineIdentityId": "2c9180858082150f0180893dbaf44201",
            "source": {"type": "SOURCE", "id": "5898b7c1620c49c6cccccbf81eb4bddd", "name": "Active Directory"},
            "entitlement": {"type": "ENTITLEMENT", "id": "4b0c7106a6c7438086f3024993664fc3", "name": "Payroll Readers"},
            "created": "2025-03-14T09:21:07.512Z"
        },
        {
            "id": "9f3a0c5e-2b71-4d8e-9a4c-6e1f7b2d8c90",
            "machineIdentityId": "2c9180858082150f0180893dbaf44202",
            "source": {"type": "SOURCE", "id": "5898b7c1620c49c6cccccbf81eb4bddd", "name": "Active Directory"},
            "entitlement": {"type": "ENTITLEMENT", "id": "7d1e2f3a4b5c4d6e8f9a0b1c2d3e4f5a", "name": "Backup Operators"},
            "created": "2025-01-20T08:00:00.000Z"
        }
    ])
}

fn aggregation_task() -> Value {
    json!({
        "id": "8886e5e3-63d0-462f-a195-d98da885b8dc",
        "type": "QUARTZ",
        "uniqueName": "AI Agent Aggregation - ef38f94347e94562b5bb8424a56397d8",
        "description": "AI agent aggregation of the given datasets",
        "parentName": null,
        "launcher": "System",
        "target": {"type": "SOURCE", "id": "ef38f94347e94562b5bb8424a56397d8", "name": "Azure AI Foundry"},
        "created": "2025-05-06T10:15:30.000Z",
        "modified": "2025-05-06T10:15:31.000Z",
        "launched": "2025-05-06T10:15:31.000Z",
        "completed": null,
        "taskDefinitionSummary": {
            "id": "2c91808475b4334b0175e1dff64b63c5",
            "uniqueName": "AI Agent Aggregation",
            "description": "Aggregates AI agents from the given datasets of a source.",
            "parentName": "Cloud Account Aggregation",
            "executor": "sailpoint.task.ServiceTaskExecutor",
            "arguments": {
                "serviceClass": "sailpoint.thunderbolt.service.AggregationService",
                "serviceMethod": "machineIdentityAggregationTask"
            }
        },
        "completionStatus": null,
        "messages": [{
            "type": "INFO",
            "localizedText": {"locale": "en-US", "message": "Aggregation started."},
            "key": "task_started",
            "parameters": null
        }],
        "returns": [{"name": "Machine identities", "attributeName": "machineIdentityCount"}],
        "attributes": {"creatorRequestId": "ed5a371bbaba411fb8f1f6970b842334"},
        "progress": "Started",
        "percentComplete": 0
    })
}

fn classification_status(status: &str) -> Value {
    json!({
        "status": status,
        "started": "2025-05-06T10:15:30.098Z",
        "updated": "2025-05-06T10:17:02.104Z",
        "counts": {"EXPECTED": 1000, "RECEIVED": 1000, "COMPLETED": 640}
    })
}

/// The spec's example body for an error status.
fn error_body(status: u16) -> Value {
    let dto = |detail: &str, tracking: &str, text: &str| {
        json!({
            "detailCode": detail,
            "trackingId": tracking,
            "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": text}],
            "causes": []
        })
    };
    match status {
        400 => dto(
            "400.1 Bad Request Content",
            "e7eab60924f64aa284175b9fa3309599",
            "The request was syntactically correct but its content is semantically invalid.",
        ),
        401 => json!({"error": "JWT validation failed: JWT is expired"}),
        403 => dto(
            "403 Forbidden",
            "b21b1f7ce4da4d639f2c62a57171b427",
            "The server understood the request but refuses to authorize it.",
        ),
        404 => dto(
            "404 Not found",
            "b21b1f7ce4da4d639f2c62a57171b427",
            "The server did not find a current representation for the target resource.",
        ),
        429 => json!({"message": "Rate Limit Exceeded"}),
        500 => dto(
            "500.0 Internal Fault",
            "b21b1f7ce4da4d639f2c62a57171b427",
            "An internal fault occurred.",
        ),
        other => panic!("no example body for {other}"),
    }
}

/// `value` with `null` members removed and date-times in one canonical form, so that
/// a body compares equal to its decoded-then-encoded self: the models omit absent
/// optional fields and chrono writes `.000Z` as `Z`.
fn normalize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalize(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(&s) {
            Ok(time) => Value::String(
                time.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ),
            Err(_) => Value::String(s),
        },
        other => other,
    }
}

// ---------------------------------------------------------------------------
// Calling an operation and reducing its result
// ---------------------------------------------------------------------------

/// What a call came to, independent of the operation's types.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Success; the body re-encoded as JSON (`null` for no body).
    Ok {
        status: u16,
        body: Value,
    },
    /// A documented error status, decoded into `variant`; the body re-encoded as JSON.
    Api {
        status: u16,
        variant: &'static str,
        body: Value,
    },
    /// `Error::UnexpectedStatus`, with the [`MARK_HEADER`] value and the raw body.
    Unexpected {
        status: u16,
        mark: Option<String>,
        text: String,
    },
    /// `Error::Decode`, with the raw body.
    Decode {
        status: u16,
        text: String,
    },
    InvalidRequest {
        operation_id: &'static str,
        reason: String,
    },
    ExperimentalNotEnabled {
        operation_id: &'static str,
    },
    Other(String),
}

/// An operation's error enum, reduced to the variant name and its body as JSON.
trait Summarize: std::fmt::Debug {
    fn summarize(&self) -> (&'static str, Value);
}

/// Implements [`Summarize`] for a generated error enum. The enums are
/// `#[non_exhaustive]`, so the match needs a catch-all; a variant this table
/// does not name fails the test that meets it, and a removed one fails to
/// compile.
macro_rules! summarize {
    ($($ty:ident { $($variant:ident),* $(,)? })*) => {$(
        impl Summarize for $ty {
            fn summarize(&self) -> (&'static str, Value) {
                match self {
                    $($ty::$variant(body) => {
                        (stringify!($variant), serde_json::to_value(body).unwrap())
                    })*
                    other => panic!("a variant this test does not know: {other:?}"),
                }
            }
        }
    )*};
}

// Operations of one tag that document the same error responses share one
// enum; the other operations' `{Op}Error` names are aliases of it. So the
// table names each enum once, and the aliases must be that very type.
summarize! {
    ListMachineIdentitiesError { BadRequest, Unauthorized, Forbidden, NotFound, TooManyRequests, InternalServerError }
    GetClassifyMachineAccountFromSourceStatusError { BadRequest, Unauthorized, Forbidden, NotFound, TooManyRequests, InternalServerError }
    SendClassifyMachineAccountFromSourceError { BadRequest, Unauthorized, Forbidden, TooManyRequests, InternalServerError }
}

/// Compiles only when every alias names its shared enum.
#[allow(dead_code)]
fn error_aliases_are_the_shared_enums(
    a: CreateMachineIdentityError,
    b: GetMachineIdentityError,
    c: DeleteMachineIdentityError,
    d: UpdateMachineIdentityError,
    e: ListMachineIdentityUserEntitlementsError,
    f: StartMachineIdentityAggregationError,
    g: DeleteClassifyMachineAccountFromSourceError,
) -> (
    [ListMachineIdentitiesError; 6],
    SendClassifyMachineAccountFromSourceError,
) {
    ([a, b, c, d, e, f], g)
}

fn outcome<T: Serialize, E: Summarize>(result: Result<Response<T>, Error<E>>) -> Outcome {
    match result {
        Ok(resp) => Outcome::Ok {
            status: resp.status().as_u16(),
            body: serde_json::to_value(resp.body()).unwrap(),
        },
        Err(Error::Api(api)) => {
            let (variant, body) = api.body().summarize();
            Outcome::Api {
                status: api.status().as_u16(),
                variant,
                body,
            }
        }
        Err(Error::UnexpectedStatus(raw)) => Outcome::Unexpected {
            status: raw.status().as_u16(),
            mark: raw
                .headers()
                .get(MARK_HEADER)
                .map(|v| v.to_str().unwrap().to_owned()),
            text: raw.text().into_owned(),
        },
        Err(Error::Decode { raw, .. }) => Outcome::Decode {
            status: raw.status().as_u16(),
            text: raw.text().into_owned(),
        },
        Err(Error::InvalidRequest {
            operation_id,
            reason,
        }) => Outcome::InvalidRequest {
            operation_id,
            reason,
        },
        Err(Error::ExperimentalNotEnabled { operation_id }) => {
            Outcome::ExperimentalNotEnabled { operation_id }
        }
        Err(other) => Outcome::Other(format!("{other:?}")),
    }
}

/// The owner every create request names (models are `#[non_exhaustive]`:
/// built with `default()`/`new()` and field assignment).
fn cloud_admin() -> BaseReferenceDto {
    let mut owner = BaseReferenceDto::default();
    owner.r#type = Some(DtoType::Identity);
    owner.id = Some("2c9180a46faadee4016fb4e018c20639".into());
    owner.name = Some("Cloud Admin".into());
    owner
}

fn create_request() -> MachineIdentityRequest {
    let mut body = MachineIdentityRequest::new("payroll-sync-agent", "Payroll", "AI Agent");
    body.description = Some("Agent that syncs payroll data every night.".into());
    body.attributes = Some(json!({"Region": "EU"}).as_object().unwrap().clone());
    body.owners = Some(MachineIdentityOwners::new(cloud_admin(), vec![]));
    body.user_entitlements = Some(vec![MachineIdentityUserEntitlementRequest::new(
        "4b0c7106a6c7438086f3024993664fc3",
        "5898b7c1620c49c6cccccbf81eb4bddd",
    )]);
    body
}

fn patch() -> JsonPatch {
    JsonPatch::new()
        .add("/attributes/securityRisk", "medium")
        .and_then(|p| p.replace("/attributes/Region", "US"))
        .and_then(|p| p.remove("/description"))
        .unwrap()
}

/// Calls `op` with the parameters and body its [`Op`] row describes; `id` is the
/// path parameter (ignored by operations without one).
async fn call(op: Op, client: &Client, id: &str) -> Outcome {
    let mi = client.machine_identities();
    let cs = client.classify_source();
    match op {
        ListMachineIdentities => outcome(
            mi.list_machine_identities()
                .filters_raw(r#"businessApplication eq "Payroll""#)
                .sorters_raw("businessApplication,-created")
                .count(true)
                .limit(50)
                .offset(100)
                .send()
                .await,
        ),
        CreateMachineIdentity => outcome(mi.create_machine_identity(create_request()).send().await),
        GetMachineIdentity => outcome(mi.get_machine_identity(id).send().await),
        DeleteMachineIdentity => outcome(mi.delete_machine_identity(id).send().await),
        UpdateMachineIdentity => outcome(mi.update_machine_identity(id, patch()).send().await),
        ListMachineIdentityUserEntitlements => outcome(
            mi.list_machine_identity_user_entitlements()
                .filters(
                    ListMachineIdentityUserEntitlementsFilter::machine_identity_id()
                        .eq(MACHINE_IDENTITY_ID),
                )
                .sorters([
                    Sort::asc(ListMachineIdentityUserEntitlementsSortField::MachineIdentityName),
                    Sort::desc(ListMachineIdentityUserEntitlementsSortField::EntitlementName),
                ])
                .limit(10)
                .offset(0)
                .send()
                .await,
        ),
        StartMachineIdentityAggregation => {
            let mut body = MachineIdentityAggregationRequest::new(vec![
                "ef38f94347e94562b5bb8424a56397d8:agents".into(),
            ]);
            body.disable_optimization = Some(false);
            outcome(mi.start_machine_identity_aggregation(id, body).send().await)
        }
        GetClassifyStatus => outcome(
            cs.get_classify_machine_account_from_source_status(id)
                .send()
                .await,
        ),
        SendClassify => outcome(
            cs.send_classify_machine_account_from_source(id)
                .send()
                .await,
        ),
        DeleteClassify => outcome(
            cs.delete_classify_machine_account_from_source(id)
                .send()
                .await,
        ),
    }
}

// ---------------------------------------------------------------------------
// Servers, clients and request checks
// ---------------------------------------------------------------------------

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .experimental(true)
        .retry_policy(RetryPolicy::none())
        // These tests answer `429` on purpose, many times in a row, to check
        // decoding; the rate budget would (rightly) slow the client down.
        .no_rate_limit()
        .build()
        .unwrap()
}

/// A server answering every request with `response`, and a client for it.
async fn serve(response: ResponseTemplate) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    let client = client(&server);
    (server, client)
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap()
}

fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json")
        .set_body_string(body.to_string())
}

fn header<'r>(req: &'r wiremock::Request, name: &str) -> Option<&'r str> {
    let mut values = req.headers.get_all(name).iter();
    let first = values.next().map(|v| v.to_str().unwrap());
    assert!(values.next().is_none(), "header {name} sent more than once");
    first
}

/// What the server must have received for one call.
struct Expect {
    method: &'static str,
    /// The path exactly as sent (percent-encoding included).
    path: String,
    /// The raw query string.
    query: Option<String>,
    /// The `Content-Type` and JSON body.
    body: Option<(&'static str, Value)>,
}

impl Expect {
    fn for_op(op: Op, segment: &str) -> Self {
        Expect {
            method: op.method(),
            path: op.wire_path(segment),
            query: op.wire_query().map(str::to_owned),
            body: op.wire_body(),
        }
    }
}

/// Checks one received request against `expected`, plus what every request of this
/// API carries: the bearer token, the experimental opt-in and `Accept: application/json`.
#[track_caller]
fn check(req: &wiremock::Request, expected: &Expect) {
    let what = format!("{} {}", expected.method, expected.path);
    assert_eq!(req.method.as_str(), expected.method, "{what}");
    assert_eq!(req.url.path(), expected.path, "{what}");
    assert_eq!(req.url.query(), expected.query.as_deref(), "{what}");
    assert_eq!(
        header(req, "authorization"),
        Some(format!("Bearer {TOKEN}").as_str()),
        "{what}"
    );
    assert_eq!(
        header(req, "x-sailpoint-experimental"),
        Some("true"),
        "{what}"
    );
    assert_eq!(header(req, "accept"), Some("application/json"), "{what}");
    assert!(
        header(req, "user-agent").is_some_and(|ua| ua.starts_with("sailpoint-v2025/")),
        "{what}"
    );
    match &expected.body {
        Some((content_type, body)) => {
            assert_eq!(header(req, "content-type"), Some(*content_type), "{what}");
            let sent: Value = serde_json::from_slice(&req.body)
                .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e})"));
            assert_eq!(&sent, body, "{what}");
        }
        None => {
            assert_eq!(header(req, "content-type"), None, "{what}");
            assert!(req.body.is_empty(), "{what}: unexpected body");
        }
    }
}

// ---------------------------------------------------------------------------
// Every operation: request and responses
// ---------------------------------------------------------------------------

#[tokio::test]
async fn every_operation_sends_its_documented_request_and_decodes_success() {
    for op in ALL_OPS {
        let (status, body) = op.success();
        let response = match &body {
            Some(body) => json_response(status, body),
            None => ResponseTemplate::new(status),
        };
        let (server, client) = serve(response).await;

        let result = call(op, &client, op.sample_id()).await;

        let expected_body = body.map_or(Value::Null, normalize);
        match result {
            Outcome::Ok { status: got, body } => {
                assert_eq!(got, status, "{op:?}");
                assert_eq!(normalize(body), expected_body, "{op:?}");
            }
            other => panic!("{op:?}: expected success, got {other:?}"),
        }
        let requests = received(&server).await;
        assert_eq!(requests.len(), 1, "{op:?}");
        check(&requests[0], &Expect::for_op(op, op.sample_id()));
    }
}

#[tokio::test]
async fn awaiting_the_builder_is_the_same_as_send() {
    let (server, client) = serve(json_response(
        200,
        &json!([{"businessApplication": "AD", "subtype": "App", "name": null}]),
    ))
    .await;
    let page = client
        .machine_identities()
        .list_machine_identities()
        .limit(5)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].business_application, "AD");
    let requests = received(&server).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].url.query(), Some("limit=5"));
}

#[tokio::test]
async fn experimental_header_is_sent() {
    // Every request of the table test is checked for it too; this pins it down by name.
    let (server, client) = serve(json_response(200, &json!([]))).await;
    client
        .machine_identities()
        .list_machine_identities()
        .send()
        .await
        .unwrap();
    let requests = received(&server).await;
    assert_eq!(
        header(&requests[0], "X-SailPoint-Experimental"),
        Some("true")
    );
    assert_eq!(
        requests[0].url.query(),
        None,
        "no parameters set, none sent"
    );
}

#[tokio::test]
async fn every_documented_error_status_decodes_into_its_variant() {
    let server = MockServer::start().await;
    let client = client(&server);
    for op in ALL_OPS {
        for &(status, variant) in op.errors() {
            server.reset().await;
            let body = error_body(status);
            Mock::given(any())
                .respond_with(json_response(status, &body).insert_header("retry-after", "0"))
                .mount(&server)
                .await;

            let result = call(op, &client, op.sample_id()).await;

            assert_eq!(
                result,
                Outcome::Api {
                    status,
                    variant,
                    body: body.clone()
                },
                "{op:?} {status}"
            );
            let requests = received(&server).await;
            assert_eq!(requests.len(), 1, "{op:?} {status}: sent once, not retried");
        }
    }
}

#[tokio::test]
async fn undocumented_status_keeps_status_headers_and_raw_body() {
    let server = MockServer::start().await;
    let client = client(&server);
    for op in ALL_OPS {
        server.reset().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(418)
                    .insert_header(MARK_HEADER, "kept")
                    .set_body_string("I'm a teapot"),
            )
            .mount(&server)
            .await;

        assert_eq!(
            call(op, &client, op.sample_id()).await,
            Outcome::Unexpected {
                status: 418,
                mark: Some("kept".into()),
                text: "I'm a teapot".into()
            },
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn not_found_is_unexpected_where_the_spec_does_not_document_it() {
    let server = MockServer::start().await;
    let client = client(&server);
    let body = error_body(404);
    for op in [SendClassify, DeleteClassify] {
        server.reset().await;
        Mock::given(any())
            .respond_with(json_response(404, &body))
            .mount(&server)
            .await;
        assert_eq!(
            call(op, &client, op.sample_id()).await,
            Outcome::Unexpected {
                status: 404,
                mark: None,
                text: body.to_string()
            },
            "{op:?}"
        );
    }
}

#[tokio::test]
async fn malformed_success_body_is_a_decode_error_keeping_the_raw_text() {
    let server = MockServer::start().await;
    let client = client(&server);
    for op in ALL_OPS {
        if op.success().1.is_none() {
            continue; // 204: there is no body to decode.
        }
        // Not JSON, or JSON that no success type of the spec accepts ...
        let mut bodies = vec![
            r#"{"id": "2c91808"#,
            "<html>gateway</html>",
            "",
            "42",
            "null",
        ];
        // ... or JSON of the wrong shape for this operation.
        match op {
            ListMachineIdentities | ListMachineIdentityUserEntitlements => {
                bodies.push(r#"{"items": []}"#)
            }
            CreateMachineIdentity | GetMachineIdentity | UpdateMachineIdentity => {
                bodies.push(r#"{"businessApplication": 42, "subtype": "AI Agent"}"#)
            }
            _ => {}
        }
        for text in bodies {
            server.reset().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_string(text))
                .mount(&server)
                .await;
            assert_eq!(
                call(op, &client, op.sample_id()).await,
                Outcome::Decode {
                    status: 200,
                    text: text.into()
                },
                "{op:?} {text:?}"
            );
        }
    }
}

#[tokio::test]
async fn malformed_error_body_is_a_decode_error_keeping_status_and_raw_text() {
    let server = MockServer::start().await;
    let client = client(&server);
    for op in ALL_OPS {
        server.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(400).set_body_string("<html>Bad Request</html>"))
            .mount(&server)
            .await;
        assert_eq!(
            call(op, &client, op.sample_id()).await,
            Outcome::Decode {
                status: 400,
                text: "<html>Bad Request</html>".into()
            },
            "{op:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Path parameters
// ---------------------------------------------------------------------------

#[tokio::test]
async fn path_param_is_percent_encoded_into_one_segment() {
    // (id, the one segment the server must see)
    let table = [
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("a b", "a%20b"),
        (" ", "%20"),
        ("...", "..."),
        ("..\\x", "..%5Cx"),
        ("%2e%2e", "%252e%252e"),
        ("ü/ñ", "%C3%BC%2F%C3%B1"),
        ("😀", "%F0%9F%98%80"),
        ("a+b&c=d;e", "a%2Bb%26c%3Dd%3Be"),
    ];
    let server = MockServer::start().await;
    let client = client(&server);
    for op in ALL_OPS.into_iter().filter(|op| op.has_path_param()) {
        let (status, body) = op.success();
        for (id, segment) in table {
            server.reset().await;
            let response = match &body {
                Some(body) => json_response(status, body),
                None => ResponseTemplate::new(status),
            };
            Mock::given(any())
                .respond_with(response)
                .mount(&server)
                .await;

            let result = call(op, &client, id).await;

            assert!(
                matches!(result, Outcome::Ok { .. }),
                "{op:?} {id:?}: {result:?}"
            );
            let requests = received(&server).await;
            assert_eq!(requests.len(), 1, "{op:?} {id:?}");
            check(&requests[0], &Expect::for_op(op, segment));
        }
    }
}

#[tokio::test]
async fn dot_segments_and_empty_path_params_are_refused_before_sending() {
    // URL parsers resolve `.` and `..` even when percent-encoded, and an empty
    // parameter addresses another resource (`/machine-identities/` is the collection).
    let (server, client) = serve(ResponseTemplate::new(200)).await;
    for op in ALL_OPS.into_iter().filter(|op| op.has_path_param()) {
        for id in [".", "..", ""] {
            let result = call(op, &client, id).await;
            assert!(
                matches!(
                    &result,
                    Outcome::InvalidRequest { operation_id, .. } if *operation_id == op.operation_id()
                ),
                "{op:?} {id:?}: {result:?}"
            );
        }
    }
    assert!(received(&server).await.is_empty(), "nothing may be sent");
}

// ---------------------------------------------------------------------------
// Query parameters
// ---------------------------------------------------------------------------

#[tokio::test]
async fn filters_with_quotes_spaces_and_reserved_characters_are_percent_encoded() {
    let (server, client) = serve(json_response(200, &json!([]))).await;
    let raw = r#"name eq "a b" and description co "50% & more#?" or id in ("x+y","z/w")"#;
    client
        .machine_identities()
        .list_machine_identities()
        .filters_raw(raw)
        .send()
        .await
        .unwrap();
    let typed = ListMachineIdentitiesFilter::display_name().eq(r#"say "hi" \o/"#)
        & ListMachineIdentitiesFilter::manually_edited().eq(false);
    client
        .machine_identities()
        .list_machine_identities()
        .filters(typed)
        .sorters([
            Sort::desc(ListMachineIdentitiesSortField::OwnersPrimaryIdentityName),
            Sort::asc(ListMachineIdentitiesSortField::Created),
        ])
        .send()
        .await
        .unwrap();

    let requests = received(&server).await;
    assert_eq!(
        requests[0].url.query(),
        Some(
            "filters=name%20eq%20%22a%20b%22%20and%20description%20co%20%2250%25%20%26%20more%23%3F%22\
             %20or%20id%20in%20%28%22x%2By%22%2C%22z%2Fw%22%29"
        )
    );
    let decoded: Vec<(String, String)> = requests[0].url.query_pairs().into_owned().collect();
    assert_eq!(decoded, [("filters".to_owned(), raw.to_owned())]);

    assert_eq!(
        requests[1].url.query(),
        Some(
            "filters=displayName%20eq%20%22say%20%5C%22hi%5C%22%20%5C%5Co%2F%22%20and%20manuallyEdited%20eq%20false\
             &sorters=-owners.primaryIdentity.name%2Ccreated"
        )
    );
    let decoded: Vec<(String, String)> = requests[1].url.query_pairs().into_owned().collect();
    assert_eq!(
        decoded,
        [
            (
                "filters".to_owned(),
                r#"displayName eq "say \"hi\" \\o/" and manuallyEdited eq false"#.to_owned()
            ),
            (
                "sorters".to_owned(),
                "-owners.primaryIdentity.name,created".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn limit_and_offset_out_of_range_are_refused_before_sending() {
    let (server, client) = serve(json_response(200, &json!([]))).await;
    // (limit, offset, the parameter named in the reason)
    let bad = [
        (Some(251), None, "limit"),
        (Some(-1), None, "limit"),
        (Some(i32::MAX), None, "limit"),
        (Some(i32::MIN), None, "limit"),
        (None, Some(-1), "offset"),
        (Some(10), Some(i32::MIN), "offset"),
    ];
    for (limit, offset, param) in bad {
        let mut list = client.machine_identities().list_machine_identities();
        let mut entitlements = client
            .machine_identities()
            .list_machine_identity_user_entitlements();
        if let Some(limit) = limit {
            list = list.limit(limit);
            entitlements = entitlements.limit(limit);
        }
        if let Some(offset) = offset {
            list = list.offset(offset);
            entitlements = entitlements.offset(offset);
        }
        for (op, result) in [
            (ListMachineIdentities, outcome(list.send().await)),
            (
                ListMachineIdentityUserEntitlements,
                outcome(entitlements.send().await),
            ),
        ] {
            assert!(
                matches!(
                    &result,
                    Outcome::InvalidRequest { operation_id, reason }
                        if *operation_id == op.operation_id() && reason.starts_with(param)
                ),
                "{op:?} limit {limit:?} offset {offset:?}: {result:?}"
            );
        }
    }
    assert!(received(&server).await.is_empty(), "nothing may be sent");

    // The bounds themselves are valid.
    for limit in [0, 250] {
        let result = client
            .machine_identities()
            .list_machine_identities()
            .limit(limit)
            .offset(0)
            .send()
            .await;
        assert!(result.is_ok(), "limit {limit}: {result:?}");
    }
    let queries: Vec<_> = received(&server)
        .await
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(queries, ["limit=0&offset=0", "limit=250&offset=0"]);
}

#[tokio::test]
async fn stream_with_limit_out_of_range_yields_invalid_request_and_sends_nothing() {
    let (server, client) = serve(json_response(200, &json!([]))).await;
    let stream = client
        .machine_identities()
        .list_machine_identities()
        .limit(251)
        .stream();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0], Err(Error::InvalidRequest { .. })),
        "{:?}",
        items[0]
    );
    assert!(received(&server).await.is_empty());
}

#[tokio::test]
async fn stream_with_negative_limit_or_offset_is_refused_not_altered() {
    for (limit, offset) in [(-1, 0), (10, -5)] {
        let (server, client) = serve(json_response(200, &json!([]))).await;
        let items: Vec<_> = client
            .machine_identities()
            .list_machine_identities()
            .limit(limit)
            .offset(offset)
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 1, "limit {limit}, offset {offset}");
        assert!(
            matches!(&items[0], Err(Error::InvalidRequest { .. })),
            "{:?}",
            items[0]
        );
        assert!(received(&server).await.is_empty());
    }
}

// ---------------------------------------------------------------------------
// The experimental gate
// ---------------------------------------------------------------------------

#[tokio::test]
async fn experimental_operations_are_refused_without_opt_in() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(!client.experimental_enabled());
    for op in ALL_OPS {
        assert_eq!(
            call(op, &client, op.sample_id()).await,
            Outcome::ExperimentalNotEnabled {
                operation_id: op.operation_id()
            },
            "{op:?}"
        );
    }
    let stream = client
        .machine_identities()
        .list_machine_identities()
        .stream();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 1);
    assert!(matches!(
        &items[0],
        Err(Error::ExperimentalNotEnabled {
            operation_id: "listMachineIdentities"
        })
    ));
    assert!(received(&server).await.is_empty(), "nothing may be sent");
}

// ---------------------------------------------------------------------------
// Pagination and counting
// ---------------------------------------------------------------------------

/// `n` distinct machine identities, numbered from `first`.
fn machine_identities(first: usize, n: usize) -> Vec<Value> {
    (first..first + n)
        .map(|i| {
            json!({
                "id": format!("mi-{i}"),
                "name": format!("agent-{i}"),
                "businessApplication": "Payroll",
                "subtype": "AI Agent"
            })
        })
        .collect()
}

async fn mount_page(server: &MockServer, route: &str, offset: &str, items: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(route))
        .and(query_param("offset", offset))
        .respond_with(json_response(200, &Value::Array(items)))
        .mount(server)
        .await;
}

fn queries(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn stream_pages_with_exact_limit_and_offset_and_never_overshoots_max_items() {
    let server = MockServer::start().await;
    let route = "/v2025/machine-identities";
    // The server has more than wanted: the stream must stop at max_items (5) and ask
    // the last page for exactly the one item still wanted.
    mount_page(&server, route, "0", machine_identities(0, 2)).await;
    mount_page(&server, route, "2", machine_identities(2, 2)).await;
    mount_page(&server, route, "4", machine_identities(4, 1)).await;
    let client = client(&server);

    let stream = client
        .machine_identities()
        .list_machine_identities()
        .filters(ListMachineIdentitiesFilter::business_application().eq("Payroll"))
        .sorters([ListMachineIdentitiesSortField::Name])
        .limit(2)
        .max_items(5)
        .stream();
    let mut stream = pin!(stream);
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(item.unwrap().id.unwrap());
    }

    assert_eq!(ids, ["mi-0", "mi-1", "mi-2", "mi-3", "mi-4"]);
    let requests = received(&server).await;
    let filter = "filters=businessApplication%20eq%20%22Payroll%22&sorters=name";
    assert_eq!(
        queries(&requests),
        [
            format!("{filter}&limit=2&offset=0"),
            format!("{filter}&limit=2&offset=2"),
            format!("{filter}&limit=1&offset=4"),
        ]
    );
    for req in &requests {
        check(
            req,
            &Expect {
                method: "GET",
                path: route.into(),
                // Checked exactly above; here the headers are what matters.
                query: req.url.query().map(str::to_owned),
                body: None,
            },
        );
    }
}

#[tokio::test]
async fn stream_goes_past_a_short_page_to_the_empty_one_and_starts_at_the_given_offset() {
    let server = MockServer::start().await;
    let route = "/v2025/machine-identity-user-entitlements";
    let entitlement = |i: usize| json!({"id": format!("ent-{i}"), "machineIdentityId": "mi-1"});
    mount_page(&server, route, "10", vec![entitlement(10), entitlement(11)]).await;
    mount_page(&server, route, "12", vec![entitlement(12), entitlement(13)]).await;
    mount_page(&server, route, "14", vec![entitlement(14)]).await;
    // A short page does not end the list (servers cap pages); the empty one does.
    mount_page(&server, route, "15", vec![]).await;
    let client = client(&server);

    let items: Vec<_> = client
        .machine_identities()
        .list_machine_identity_user_entitlements()
        .filters_raw(r#"machineIdentityId eq "mi-1""#)
        .sorters_raw("-source.name")
        .limit(2)
        .offset(10)
        .stream()
        .collect()
        .await;

    let ids: Vec<String> = items
        .into_iter()
        .map(|item| item.unwrap().id.unwrap())
        .collect();
    assert_eq!(ids, ["ent-10", "ent-11", "ent-12", "ent-13", "ent-14"]);
    let filter = "filters=machineIdentityId%20eq%20%22mi-1%22&sorters=-source.name";
    assert_eq!(
        queries(&received(&server).await),
        [
            format!("{filter}&limit=2&offset=10"),
            format!("{filter}&limit=2&offset=12"),
            format!("{filter}&limit=2&offset=14"),
            format!("{filter}&limit=2&offset=15"),
        ]
    );
}

#[tokio::test]
async fn stream_yields_a_page_error_then_ends() {
    let server = MockServer::start().await;
    let route = "/v2025/machine-identities";
    mount_page(&server, route, "0", machine_identities(0, 2)).await;
    Mock::given(query_param("offset", "2"))
        .respond_with(json_response(500, &error_body(500)))
        .mount(&server)
        .await;
    let client = client(&server);

    let items: Vec<_> = client
        .machine_identities()
        .list_machine_identities()
        .limit(2)
        .stream()
        .collect()
        .await;

    assert_eq!(items.len(), 3, "two items, then the error, then the end");
    assert!(items[0].is_ok() && items[1].is_ok());
    match &items[2] {
        Err(Error::Api(api)) => {
            assert_eq!(api.status(), 500);
            assert!(matches!(
                api.body(),
                ListMachineIdentitiesError::InternalServerError(_)
            ));
        }
        other => panic!("expected a 500, got {other:?}"),
    }
    assert_eq!(received(&server).await.len(), 2);
}

#[tokio::test]
async fn count_true_exposes_total_count() {
    let (server, client) =
        serve(json_response(200, &machine_identity_list()).insert_header("X-Total-Count", "1234"))
            .await;
    let page = client
        .machine_identities()
        .list_machine_identities()
        .count(true)
        .limit(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count(), Some(1234));
    assert_eq!(page.len(), 2);

    let page = client
        .machine_identities()
        .list_machine_identity_user_entitlements()
        .count(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count(), Some(1234));

    let requests = received(&server).await;
    assert_eq!(
        queries(&requests),
        ["count=true&limit=2", "count=true"],
        "count is sent as `true`"
    );
}

#[tokio::test]
async fn total_count_is_none_without_the_header() {
    let (_server, client) = serve(json_response(200, &json!([]))).await;
    let page = client
        .machine_identities()
        .list_machine_identities()
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count(), None);
}

// ---------------------------------------------------------------------------
// Typed fields
// ---------------------------------------------------------------------------

#[tokio::test]
async fn machine_identity_decodes_into_typed_fields() {
    let (_server, client) = serve(json_response(200, &machine_identity_list())).await;
    let page = client
        .machine_identities()
        .list_machine_identities()
        .send()
        .await
        .unwrap()
        .into_body();
    let first = &page[0];
    assert_eq!(first.id.as_deref(), Some(MACHINE_IDENTITY_ID));
    assert_eq!(first.name.as_deref(), Some("payroll-sync-agent"));
    assert_eq!(first.business_application, "Payroll");
    assert_eq!(
        first.created.unwrap().to_rfc3339(),
        "2025-03-14T09:21:07.512+00:00"
    );
    let owners = first.owners.as_ref().unwrap();
    assert_eq!(owners.primary_identity.r#type, Some(DtoType::Identity));
    assert_eq!(
        owners.secondary_identities[0].name.as_deref(),
        Some("Jane Doe")
    );
    assert_eq!(first.source.as_ref().unwrap().r#type, Some(DtoType::Source));
    assert_eq!(first.attributes.as_ref().unwrap()["securityRisk"], "medium");
    let entitlement = &first.user_entitlements.as_ref().unwrap()[0];
    assert_eq!(entitlement.display_name.as_deref(), Some("Payroll Readers"));
    assert_eq!(first.manually_edited, Some(false));
    assert_eq!(page[1].manually_created, Some(true));
    assert_eq!(page[1].description.as_deref(), Some(""));
}

#[tokio::test]
async fn classification_status_decodes_known_and_unknown_values() {
    let server = MockServer::start().await;
    let client = client(&server);
    for (wire, expected) in [
        ("COMPLETED", SourceClassificationStatusStatus::Completed),
        ("TERMINATED", SourceClassificationStatusStatus::Terminated),
        (
            "PAUSED",
            SourceClassificationStatusStatus::Unknown("PAUSED".into()),
        ),
    ] {
        server.reset().await;
        Mock::given(any())
            .respond_with(json_response(200, &classification_status(wire)))
            .mount(&server)
            .await;
        let status = client
            .classify_source()
            .get_classify_machine_account_from_source_status(SOURCE_ID)
            .send()
            .await
            .unwrap()
            .into_body();
        assert_eq!(status.status, Some(expected));
        let counts = status.counts.unwrap();
        assert_eq!(
            (counts.expected, counts.received, counts.completed),
            (1000, 1000, 640)
        );
    }
}

#[tokio::test]
async fn aggregation_task_and_submission_decode_into_typed_fields() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/v2025/sources/{SOURCE_ID}/aggregate-agents")))
        .respond_with(json_response(200, &aggregation_task()))
        .mount(&server)
        .await;
    Mock::given(path(format!("/v2025/sources/{SOURCE_ID}/classify")))
        .respond_with(json_response(
            200,
            &json!({"Accounts submitted for processing": 1000}),
        ))
        .mount(&server)
        .await;
    let client = client(&server);

    let task = client
        .machine_identities()
        .start_machine_identity_aggregation(
            SOURCE_ID,
            MachineIdentityAggregationRequest::new(vec!["ds".into()]),
        )
        .send()
        .await
        .unwrap()
        .into_body();
    assert_eq!(
        task.r#type,
        Some(MachineIdentityAggregationResponseType::Quartz)
    );
    assert_eq!(task.parent_name, None);
    assert_eq!(task.completion_status, None);
    assert_eq!(task.percent_complete, Some(0));
    let summary = task.task_definition_summary.unwrap();
    assert_eq!(
        summary.executor.as_deref(),
        Some("sailpoint.task.ServiceTaskExecutor")
    );
    let message = &task.messages.unwrap()[0];
    assert_eq!(
        message.localized_text.as_ref().unwrap().message,
        "Aggregation started."
    );
    assert_eq!(message.parameters, None);

    let submission = client
        .classify_source()
        .send_classify_machine_account_from_source(SOURCE_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(submission.accounts_submitted_for_processing, Some(1000));
}

#[tokio::test]
async fn typed_error_fields_are_decoded() {
    let server = MockServer::start().await;
    Mock::given(path(format!(
        "/v2025/machine-identities/{MACHINE_IDENTITY_ID}"
    )))
    .respond_with(json_response(404, &error_body(404)).insert_header("slpt-request-id", "hdr-id"))
    .mount(&server)
    .await;
    Mock::given(path("/v2025/machine-identities"))
        .respond_with(json_response(429, &error_body(429)).insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    Mock::given(path(format!("/v2025/sources/{SOURCE_ID}/classify")))
        .respond_with(json_response(401, &error_body(401)))
        .mount(&server)
        .await;
    let client = client(&server);

    let err = client
        .machine_identities()
        .get_machine_identity(MACHINE_IDENTITY_ID)
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["slpt-request-id"], "hdr-id");
    assert_eq!(api.attempts(), 1);
    // The body's tracking id wins over the header's.
    assert_eq!(api.tracking_id(), Some("b21b1f7ce4da4d639f2c62a57171b427"));
    assert_eq!(
        api.message(),
        Some("The server did not find a current representation for the target resource.")
    );
    let GetMachineIdentityError::NotFound(dto) = api.body() else {
        panic!("expected NotFound, got {:?}", api.body())
    };
    assert_eq!(dto.detail_code.as_deref(), Some("404 Not found"));
    let message = &dto.messages.as_ref().unwrap()[0];
    assert_eq!(message.locale.as_deref(), Some("en-US"));
    assert_eq!(message.locale_origin, Some(LocaleOrigin::Default));
    assert_eq!(dto.causes, Some(vec![]));
    assert!(err.to_string().contains("404"), "{err}");

    let err = client
        .machine_identities()
        .create_machine_identity(create_request())
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(
        api.attempts(),
        1,
        "RetryPolicy::none() does not retry a 429"
    );
    assert_eq!(api.headers()["retry-after"], "1");
    let CreateMachineIdentityError::TooManyRequests(body) = api.body() else {
        panic!("expected TooManyRequests, got {:?}", api.body())
    };
    assert_eq!(body.message.as_deref(), Some("Rate Limit Exceeded"));

    let err = client
        .classify_source()
        .delete_classify_machine_account_from_source(SOURCE_ID)
        .send()
        .await
        .unwrap_err();
    let Error::Api(api) = err else {
        panic!("expected Api, got {err:?}")
    };
    let DeleteClassifyMachineAccountFromSourceError::Unauthorized(body) = api.into_body() else {
        panic!("expected Unauthorized")
    };
    assert_eq!(
        body.error.as_deref(),
        Some("JWT validation failed: JWT is expired")
    );
}

// ---------------------------------------------------------------------------
// Conveniences: one sorter, an Unpin stream, the count shortcut, `new` with &str
// ---------------------------------------------------------------------------

#[tokio::test]
async fn total_count_is_one_call_with_count_and_the_smallest_page() {
    let (server, client) =
        serve(json_response(200, &machine_identity_list()).insert_header("X-Total-Count", "1234"))
            .await;
    let total = client
        .machine_identities()
        .list_machine_identities()
        .filters(ListMachineIdentitiesFilter::business_application().eq("Payroll"))
        .total_count()
        .await
        .unwrap();
    assert_eq!(total, Some(1234));
    let requests = received(&server).await;
    assert_eq!(
        queries(&requests),
        ["filters=businessApplication%20eq%20%22Payroll%22&count=true&limit=1"]
    );

    let (_server, client) = serve(json_response(200, &machine_identity_list())).await;
    let total = client
        .machine_identities()
        .list_machine_identity_user_entitlements()
        .total_count()
        .await
        .unwrap();
    assert_eq!(total, None, "no X-Total-Count header");
}

#[tokio::test]
async fn sorters_take_one_sort_or_many() {
    let (server, client) = serve(json_response(200, &machine_identity_list())).await;
    let mi = client.machine_identities();
    mi.list_machine_identities()
        .sorters(Sort::desc(ListMachineIdentitiesSortField::Created))
        .send()
        .await
        .unwrap();
    mi.list_machine_identities()
        .sorters([
            Sort::desc(ListMachineIdentitiesSortField::Created),
            Sort::asc(ListMachineIdentitiesSortField::Name),
        ])
        .send()
        .await
        .unwrap();
    mi.list_machine_identities()
        .sorters(vec![ListMachineIdentitiesSortField::Name])
        .send()
        .await
        .unwrap();
    assert_eq!(
        queries(&received(&server).await),
        [
            "sorters=-created",
            "sorters=-created%2Cname",
            "sorters=name"
        ]
    );
}

#[tokio::test]
async fn stream_is_unpin_and_needs_no_pin() {
    use futures_util::TryStreamExt;
    fn assert_unpin<T: Unpin + Send + 'static>(_: &T) {}

    let server = MockServer::start().await;
    let route = "/v2025/machine-identities";
    mount_page(&server, route, "0", machine_identities(0, 2)).await;
    mount_page(&server, route, "2", machine_identities(2, 1)).await;
    // A short page does not end the stream; the empty page does.
    mount_page(&server, route, "3", machine_identities(3, 0)).await;
    let client = client(&server);
    let mut items = client
        .machine_identities()
        .list_machine_identities()
        .limit(2)
        .stream();
    assert_unpin(&items);
    let mut ids = Vec::new();
    while let Some(item) = items.try_next().await.unwrap() {
        ids.push(item.id.unwrap());
    }
    assert_eq!(ids, ["mi-0", "mi-1", "mi-2"]);
}

#[test]
fn request_constructors_take_str_and_string() {
    let from_str = MachineIdentityRequest::new("agent", "Payroll", "AI Agent");
    let from_string = MachineIdentityRequest::new(
        String::from("agent"),
        String::from("Payroll"),
        "AI Agent".to_owned(),
    );
    assert_eq!(from_str, from_string);
    assert_eq!(from_str.business_application, "Payroll");
}
