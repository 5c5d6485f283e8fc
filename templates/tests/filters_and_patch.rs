//! Typed filters, sorters and JSON Patch bodies as they reach a real HTTP
//! server (wiremock on loopback): the exact query string of
//! `listMachineIdentities` and `listMachineIdentityUserEntitlements`, and the
//! exact body bytes and `Content-Type` of `updateMachineIdentity`.
//!
//! Each filter case gives the expression the server must decode; the raw query
//! is checked against an independent percent-encoder (RFC 3986: everything but
//! unreserved characters is encoded), and a few cases also spell the raw query
//! out by hand. Our spec documents no `date-time` filter field, so dates reach
//! the wire through `Filter::raw` here; their literal syntax is unit-tested in
//! `src/filter.rs`.

use std::pin::pin;

use futures_util::StreamExt;
use sailpoint_v2025::filter::{Filter, Sort};
use sailpoint_v2025::machine_identities::{
    ListMachineIdentities, ListMachineIdentitiesFilter as F, ListMachineIdentitiesSortField as By,
    ListMachineIdentityUserEntitlements, ListMachineIdentityUserEntitlementsFilter as G,
    ListMachineIdentityUserEntitlementsSortField as EntitlementsBy,
};
use sailpoint_v2025::patch::JsonPatch;
use sailpoint_v2025::{Client, RetryPolicy};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ID: &str = "2c9180858082150f0180893dbaf44201";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("test-token")
        .experimental(true)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A server answering every request with `status` and the JSON `body`.
async fn server(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("content-type", "application/json")
                .set_body_string(body.to_string()),
        )
        .mount(&server)
        .await;
    server
}

/// The raw query strings of every request `server` received, in order.
async fn queries(server: &MockServer) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.query().map(str::to_owned))
        .collect()
}

/// Percent-encodes a query value the way RFC 3986 allows without ambiguity:
/// every byte but `ALPHA / DIGIT / - . _ ~`.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends `listMachineIdentities` configured by `build` and returns the raw query.
async fn list_query(build: impl FnOnce(ListMachineIdentities) -> ListMachineIdentities) -> String {
    let server = server(200, json!([])).await;
    let client = client(&server);
    build(client.machine_identities().list_machine_identities())
        .send()
        .await
        .unwrap();
    let mut queries = queries(&server).await;
    assert_eq!(queries.len(), 1);
    queries.remove(0).unwrap_or_default()
}

/// Sends `listMachineIdentityUserEntitlements` configured by `build` and
/// returns the raw query.
async fn entitlements_query(
    build: impl FnOnce(ListMachineIdentityUserEntitlements) -> ListMachineIdentityUserEntitlements,
) -> String {
    let server = server(200, json!([])).await;
    let client = client(&server);
    build(
        client
            .machine_identities()
            .list_machine_identity_user_entitlements(),
    )
    .send()
    .await
    .unwrap();
    let mut queries = queries(&server).await;
    assert_eq!(queries.len(), 1);
    queries.remove(0).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------

#[tokio::test]
async fn typed_filters_reach_the_server_exactly() {
    // (filter, the expression the server must decode)
    let cases: Vec<(Filter<F>, &str)> = vec![
        (
            F::id().eq(ID),
            r#"id eq "2c9180858082150f0180893dbaf44201""#,
        ),
        // Quotes and backslashes are escaped, so no value can end its literal early.
        (
            F::display_name().eq(r#"O"Brien"#),
            r#"displayName eq "O\"Brien""#,
        ),
        (
            F::business_application().sw(r"C:\apps\"),
            r#"businessApplication sw "C:\\apps\\""#,
        ),
        (
            F::display_name().eq(r#"x" or pr id or name eq "y"#),
            r#"displayName eq "x\" or pr id or name eq \"y""#,
        ),
        (
            F::subtype().in_(["AI Agent", r#"a","b"#]),
            r#"subtype in ("AI Agent","a\",\"b")"#,
        ),
        // Non-ASCII and control characters are written as they are.
        (
            F::display_name().eq("Zoë\nnäive"),
            "displayName eq \"Zoë\nnäive\"",
        ),
        // Booleans are bare.
        (F::manually_edited().eq(false), "manuallyEdited eq false"),
        (F::manually_edited().eq(true), "manuallyEdited eq true"),
        // `not` binds tighter than `and`, which binds tighter than `or`.
        (
            F::id().eq("a") | F::id().eq("b") & F::manually_edited().eq(true),
            r#"id eq "a" or id eq "b" and manuallyEdited eq true"#,
        ),
        (
            (F::id().eq("a") | F::id().eq("b")) & F::manually_edited().eq(true),
            r#"(id eq "a" or id eq "b") and manuallyEdited eq true"#,
        ),
        (
            !(F::id().eq("a") | F::id().eq("b")),
            r#"not (id eq "a" or id eq "b")"#,
        ),
        (
            !F::id().eq("a") & F::source_id().in_(["s1", "s2"]),
            r#"not id eq "a" and source.id in ("s1","s2")"#,
        ),
        (
            F::id().sw("2c") & !(F::subtype().eq("AI Agent") & F::manually_edited().eq(false)),
            r#"id sw "2c" and not (subtype eq "AI Agent" and manuallyEdited eq false)"#,
        ),
        (
            F::owners_primary_identity_name().is_null() | F::owners_secondary_identity_name().pr(),
            "owners.primaryIdentity.name isnull or pr owners.secondaryIdentity.name",
        ),
        // A raw operand is always parenthesized; here it carries a date.
        (
            F::manually_edited().eq(true) & Filter::raw("created gt 2025-01-01T00:00:00Z"),
            "manuallyEdited eq true and (created gt 2025-01-01T00:00:00Z)",
        ),
        (
            Filter::any([
                F::entitlement_id().eq("e1"),
                F::entitlement_name().sw("Pay"),
            ])
            .unwrap(),
            r#"entitlement.id eq "e1" or entitlement.name sw "Pay""#,
        ),
    ];
    for (filter, wire) in cases {
        let query = list_query(|b| b.filters(filter)).await;
        assert_eq!(query, format!("filters={}", encode(wire)), "{wire}");
        let decoded: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(decoded, [("filters".to_owned(), wire.to_owned())]);
    }
}

#[tokio::test]
async fn hostile_filter_value_is_encoded_byte_for_byte() {
    // Spelled out by hand, so that the encoder above is not the only witness.
    let query = list_query(|b| b.filters(F::display_name().eq(r#"a"b\c&d=e+f%"#))).await;
    assert_eq!(
        query,
        "filters=displayName%20eq%20%22a%5C%22b%5C%5Cc%26d%3De%2Bf%25%22"
    );
}

#[tokio::test]
async fn entitlement_filters_reach_the_server_exactly() {
    let cases: Vec<(Filter<G>, &str)> = vec![
        (
            G::machine_identity_id().eq(ID),
            r#"machineIdentityId eq "2c9180858082150f0180893dbaf44201""#,
        ),
        (
            G::machine_identity_name().sw(r#"svc-"x"\"#) & G::source_id().in_(["s1"]),
            r#"machineIdentityName sw "svc-\"x\"\\" and source.id in ("s1")"#,
        ),
        (
            G::entitlement_name().eq("Payroll Readers")
                | G::source_name().sw("Active") & !G::entitlement_id().eq("e1"),
            r#"entitlement.name eq "Payroll Readers" or source.name sw "Active" and not entitlement.id eq "e1""#,
        ),
    ];
    for (filter, wire) in cases {
        let query = entitlements_query(|b| b.filters(filter)).await;
        assert_eq!(query, format!("filters={}", encode(wire)), "{wire}");
    }
}

// ---------------------------------------------------------------------------
// Sorters
// ---------------------------------------------------------------------------

#[tokio::test]
async fn sorters_reach_the_server_exactly() {
    assert_eq!(
        list_query(|b| b.sorters([Sort::desc(By::Created)])).await,
        "sorters=-created"
    );
    // A bare field sorts ascending.
    assert_eq!(
        list_query(|b| b.sorters([By::Name, By::Modified])).await,
        "sorters=name%2Cmodified"
    );
    assert_eq!(
        list_query(|b| b.sorters([
            Sort::asc(By::BusinessApplication),
            Sort::desc(By::OwnersPrimaryIdentityName),
            Sort::desc(By::SourceName),
        ]))
        .await,
        "sorters=businessApplication%2C-owners.primaryIdentity.name%2C-source.name"
    );
    // No sorters sends no parameter at all.
    assert_eq!(list_query(|b| b.sorters(Vec::<Sort<By>>::new())).await, "");
    assert_eq!(
        entitlements_query(|b| b.sorters([
            Sort::desc(EntitlementsBy::EntitlementName),
            Sort::asc(EntitlementsBy::MachineIdentityName),
            Sort::asc(EntitlementsBy::SourceName),
        ]))
        .await,
        "sorters=-entitlement.name%2CmachineIdentityName%2Csource.name"
    );
}

#[tokio::test]
async fn filters_sorters_and_paging_appear_in_spec_order() {
    let query = list_query(|b| {
        b.offset(20)
            .limit(10)
            .count(true)
            .sorters([Sort::desc(By::Modified)])
            .filters(F::manually_edited().eq(true))
    })
    .await;
    assert_eq!(
        query,
        "filters=manuallyEdited%20eq%20true&sorters=-modified&count=true&limit=10&offset=20"
    );
}

#[tokio::test]
async fn stream_sends_the_same_filters_and_sorters_with_every_page() {
    let server = MockServer::start().await;
    let item = |n: u32| {
        json!({
            "machineIdentityId": format!("mi-{n}"),
            "machineIdentityName": format!("agent-{n}"),
            "entitlementId": format!("e-{n}"),
            "sourceId": "s1",
        })
    };
    // Two full pages of 2, a short page of 1, then the empty page that ends the list.
    Mock::given(any())
        .respond_with(move |req: &wiremock::Request| {
            let offset: u32 = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "offset")
                .map(|(_, v)| v.parse().unwrap())
                .unwrap();
            let items: Vec<_> = (offset..(offset + 2).min(5)).map(item).collect();
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/json")
                .set_body_string(serde_json::Value::from(items).to_string())
        })
        .mount(&server)
        .await;
    let client = client(&server);
    let stream = client
        .machine_identities()
        .list_machine_identity_user_entitlements()
        .filters(G::source_id().eq(r#"s"1"#))
        .sorters([Sort::desc(EntitlementsBy::SourceName)])
        .limit(2)
        .stream();
    let mut stream = pin!(stream);
    let mut n = 0;
    while let Some(item) = stream.next().await {
        item.unwrap();
        n += 1;
    }
    assert_eq!(n, 5);
    let fixed = "filters=source.id%20eq%20%22s%5C%221%22&sorters=-source.name&limit=2";
    assert_eq!(
        queries(&server).await,
        [
            Some(format!("{fixed}&offset=0")),
            Some(format!("{fixed}&offset=2")),
            Some(format!("{fixed}&offset=4")),
            Some(format!("{fixed}&offset=5")),
        ]
    );
}

// ---------------------------------------------------------------------------
// JSON Patch
// ---------------------------------------------------------------------------

/// The three request examples of `updateMachineIdentity` in SailPoint's
/// published spec, as `(name, patch, exact body)`.
fn spec_patch_examples() -> Vec<(&'static str, JsonPatch, &'static [u8])> {
    vec![
        (
            "Add machine identity attribute",
            JsonPatch::new()
                .add("/attributes/securityRisk", "medium")
                .unwrap(),
            br#"[{"op":"add","path":"/attributes/securityRisk","value":"medium"}]"#,
        ),
        (
            "Replace machine identity attribute",
            JsonPatch::new()
                .replace("/attributes/securityRisk", "medium")
                .unwrap(),
            br#"[{"op":"replace","path":"/attributes/securityRisk","value":"medium"}]"#,
        ),
        (
            "Remove machine identity attribute",
            JsonPatch::new().remove("/attributes/securityRisk").unwrap(),
            br#"[{"op":"remove","path":"/attributes/securityRisk"}]"#,
        ),
    ]
}

#[tokio::test]
async fn update_sends_the_spec_examples_as_json_patch_bytes() {
    let server = server(
        200,
        json!({"id": ID, "name": "payroll-sync-agent", "businessApplication": "Payroll", "subtype": "AI Agent"}),
    )
    .await;
    let client = client(&server);
    for (name, patch, _) in spec_patch_examples() {
        let updated = client
            .machine_identities()
            .update_machine_identity(ID, patch)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(updated.id.as_deref(), Some(ID));
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    for (req, (name, _, body)) in requests.iter().zip(spec_patch_examples()) {
        assert_eq!(req.method.as_str(), "PATCH", "{name}");
        assert_eq!(
            req.url.path(),
            format!("/v2025/machine-identities/{ID}"),
            "{name}"
        );
        let content_types: Vec<&str> = req
            .headers
            .get_all("content-type")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(content_types, ["application/json-patch+json"], "{name}");
        assert_eq!(
            std::str::from_utf8(&req.body).unwrap(),
            std::str::from_utf8(body).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn spec_patch_examples_round_trip_through_json_patch() {
    // What the spec shows decodes into the same patch, so the bytes above are
    // the spec's examples and not merely what the SDK happens to write.
    let spec_values = [
        json!([{"op": "add", "path": "/attributes/securityRisk", "value": "medium"}]),
        json!([{"op": "replace", "path": "/attributes/securityRisk", "value": "medium"}]),
        json!([{"op": "remove", "path": "/attributes/securityRisk"}]),
    ];
    for (value, (name, patch, _)) in spec_values.into_iter().zip(spec_patch_examples()) {
        let decoded: JsonPatch = serde_json::from_value(value).unwrap();
        assert_eq!(decoded, patch, "{name}");
    }
}
