//! The operations and paths of this crate that the crate-agnostic tests of
//! `templates/common/tests/` call (`hostile.rs`, `waiters.rs`): get, create
//! and update one machine identity and the paged list, all through the GA v2
//! API, and the classify path (v1). Each crate has its own copy of this
//! module; this one is `sailpoint-isc`'s.
//!
//! Every test file that uses it is its own crate and calls only a part, so
//! what one of them leaves unused is not dead code.

#![allow(dead_code)]

use sailpoint_isc::machine_identities::{
    CreateMachineIdentityV2, GetMachineIdentityV2, ListMachineIdentitiesV2, UpdateMachineIdentityV2,
};
use sailpoint_isc::models::MachineIdentityV2;
use sailpoint_isc::patch::JsonPatch;
use sailpoint_isc::Client;

/// The path of the paged list; one machine identity is `{LIST_PATH}/{id}`.
pub const LIST_PATH: &str = "/machine-identities/v2";

/// The path that starts the classification of source `source_id` (`POST`) and
/// reads its status (`GET`).
pub fn classify_path(source_id: &str) -> String {
    format!("/sources/v1/{source_id}/classify")
}

/// A machine identity as the list and get operations answer it.
pub fn identity(id: u64) -> serde_json::Value {
    serde_json::json!({"id": format!("mi-{id}"), "name": "payroll-sync-agent", "subtype": "AI_AGENT"})
}

pub fn get(client: &Client, id: &str) -> GetMachineIdentityV2 {
    client.machine_identities().get_machine_identity_v2(id)
}

pub fn create(client: &Client) -> CreateMachineIdentityV2 {
    let body: MachineIdentityV2 =
        serde_json::from_value(serde_json::json!({"name": "payroll-sync-agent"}))
            .expect("a valid body");
    client.machine_identities().create_machine_identity_v2(body)
}

pub fn update(client: &Client, id: &str, patch: JsonPatch) -> UpdateMachineIdentityV2 {
    client
        .machine_identities()
        .update_machine_identity_v2(id, patch)
}

pub fn list(client: &Client) -> ListMachineIdentitiesV2 {
    client.machine_identities().list_machine_identities_v2()
}
