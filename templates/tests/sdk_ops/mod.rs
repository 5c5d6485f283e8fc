//! The operations and paths of this crate that the crate-agnostic tests of
//! `templates/common/tests/` call (`hostile.rs`, `waiters.rs`): get, create
//! and update one machine identity, the paged list, and the classify path.
//! Each crate has its own copy of this module; this one is
//! `sailpoint-v2025`'s.
//!
//! Every test file that uses it is its own crate and calls only a part, so
//! what one of them leaves unused is not dead code.

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

/// A machine identity as the list and get operations answer it.
pub fn identity(id: u64) -> serde_json::Value {
    serde_json::json!({"id": format!("mi-{id}"), "businessApplication": "Payroll", "subtype": "AI Agent"})
}

pub fn get(client: &Client, id: &str) -> GetMachineIdentity {
    client.machine_identities().get_machine_identity(id)
}

pub fn create(client: &Client) -> CreateMachineIdentity {
    client
        .machine_identities()
        .create_machine_identity(MachineIdentityRequest::new("Payroll", "AI Agent"))
}

pub fn update(client: &Client, id: &str, patch: JsonPatch) -> UpdateMachineIdentity {
    client
        .machine_identities()
        .update_machine_identity(id, patch)
}

pub fn list(client: &Client) -> ListMachineIdentities {
    client.machine_identities().list_machine_identities()
}
