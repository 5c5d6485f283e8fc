//! What the crate-agnostic tests and benches of `templates/common/` need of
//! this crate: the operations they call (get, create and update one machine
//! identity, the paged list), their paths and model, the machine identity
//! bodies a tenant answers with, and whether those operations are
//! experimental. `tests/hostile.rs`, `tests/waiters.rs`, `tests/examples.rs`
//! and `benches/sdk.rs` (through `#[path]`) use it. Each crate has its own
//! copy of this module; this one is `sailpoint-v2025`'s.
//!
//! Every test or bench file that uses it is its own crate and calls only a
//! part, so what one of them leaves unused is not dead code.

#![allow(dead_code)]

use sailpoint_v2025::machine_identities::{
    CreateMachineIdentity, GetMachineIdentity, ListMachineIdentities, UpdateMachineIdentity,
};
use sailpoint_v2025::models::MachineIdentityRequest;
use sailpoint_v2025::patch::JsonPatch;
use sailpoint_v2025::Client;

/// The path of the paged list; one machine identity is `{LIST_PATH}/{id}`.
pub const LIST_PATH: &str = "/v2025/machine-identities";

/// The path that starts the classification of source `source_id` (`POST`) and
/// reads its status (`GET`).
pub fn classify_path(source_id: &str) -> String {
    format!("/v2025/sources/{source_id}/classify")
}

/// What the list and get operations answer with.
pub type Identity = sailpoint_v2025::models::MachineIdentityResponse;

/// Whether the machine identity operations send the experimental header
/// (experimental in v2025).
pub const MACHINE_IDENTITIES_EXPERIMENTAL: bool = true;

/// A machine identity as the list and get operations answer it.
pub fn identity(id: u64) -> serde_json::Value {
    serde_json::json!({"id": format!("mi-{id}"), "businessApplication": "Payroll", "subtype": "AI Agent"})
}

/// Machine identity number `i` as the list answers it, with text that needs
/// escaping (the list example prints it back as compact JSON).
pub fn listed_identity(i: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("2c9180858082150f0180893dbaf4{i:04}"),
        "name": format!("agent-{i}"),
        "created": "2025-03-14T09:21:07.512Z",
        "businessApplication": "Payroll",
        "description": "Agent \"quoted\" and\nmultiline: ünïcode",
        "attributes": {"Region": "EU", "index": i},
        "subtype": "AI Agent",
        "owners": {
            "primaryIdentity": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Cloud Admin"},
            "secondaryIdentities": []
        },
        "sourceId": "ef38f94347e94562b5bb8424a56397d8",
        "manuallyEdited": false,
        "userEntitlements": []
    })
}

/// Machine identity number `n` as a real tenant would answer it, every field
/// filled in (the benchmarks' page).
pub fn detailed_identity(n: usize) -> serde_json::Value {
    serde_json::json!({
        "id": format!("2c9180858082150f0180893dbaf4{n:04}"),
        "created": "2025-05-06T10:15:30.098Z",
        "modified": "2025-05-07T08:01:12.512Z",
        "name": format!("svc-payroll-batch-{n}"),
        "businessApplication": "Payroll",
        "description": "Service account that runs the nightly payroll export to the bank.",
        "attributes": {
            "environment": "production",
            "costCenter": "CC-4711",
            "rotationDays": 90,
            "tags": ["batch", "finance"]
        },
        "subtype": "Service Account",
        "owners": {
            "primaryIdentity": {
                "type": "IDENTITY",
                "id": "2c9180a46faadee4016fb4e018c20639",
                "name": "Cloud Admin"
            },
            "secondaryIdentities": [
                { "type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c2063a", "name": "Jane Doe" }
            ]
        },
        "sourceId": "ef38f94347e94562b5bb8424a56397d8",
        "uuid": "8886e5e3-63d0-462f-a195-d98da885b8dc",
        "nativeIdentity": format!("CN=svc-payroll-batch-{n},OU=Service,DC=corp,DC=example"),
        "manuallyEdited": false,
        "manuallyCreated": false,
        "source": {
            "type": "SOURCE",
            "id": "ef38f94347e94562b5bb8424a56397d8",
            "name": "Active Directory"
        },
        "datasetId": "ef38f94347e94562b5bb8424a56397d8:accounts",
        "userEntitlements": [
            {
                "sourceId": "ef38f94347e94562b5bb8424a56397d8",
                "entitlementId": "2c9180835d2e5168015d32f890ca1581",
                "displayName": "Payroll Export",
                "source": {
                    "type": "SOURCE",
                    "id": "ef38f94347e94562b5bb8424a56397d8",
                    "name": "Active Directory"
                }
            }
        ]
    })
}

pub fn get(client: &Client, id: &str) -> GetMachineIdentity {
    client.machine_identities().get_machine_identity(id)
}

pub fn create(client: &Client) -> CreateMachineIdentity {
    client
        .machine_identities()
        .create_machine_identity(MachineIdentityRequest::new(
            "payroll-sync-agent",
            "Payroll",
            "AI Agent",
        ))
}

pub fn update(client: &Client, id: &str, patch: JsonPatch) -> UpdateMachineIdentity {
    client
        .machine_identities()
        .update_machine_identity(id, patch)
}

pub fn list(client: &Client) -> ListMachineIdentities {
    client.machine_identities().list_machine_identities()
}
