//! Sort fields are per operation too: `source.name` of
//! `listMachineIdentityUserEntitlements` does not sort `listMachineIdentities`.
use sailpoint_v2025::filter::Sort;
use sailpoint_v2025::machine_identities::ListMachineIdentityUserEntitlementsSortField;
use sailpoint_v2025::Client;

fn main() {
    let client = Client::builder()
        .tenant("acme")
        .bearer_token("token")
        .build()
        .unwrap();
    let _ = client
        .machine_identities()
        .list_machine_identities()
        .sorters([Sort::desc(
            ListMachineIdentityUserEntitlementsSortField::SourceName,
        )]);
}
