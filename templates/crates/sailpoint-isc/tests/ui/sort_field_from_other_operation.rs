//! Sort fields are per operation too: `source.name` of
//! `listMachineIdentityUserEntitlementsV1` does not sort
//! `listMachineIdentitiesV2`, although v2 sorts by a field of that name too.
use sailpoint_isc::filter::Sort;
use sailpoint_isc::machine_identities::ListMachineIdentityUserEntitlementsV1SortField;
use sailpoint_isc::Client;

fn main() {
    let client = Client::builder()
        .tenant("acme")
        .bearer_token("token")
        .build()
        .unwrap();
    let _ = client
        .machine_identities()
        .list_machine_identities_v2()
        .sorters([Sort::desc(
            ListMachineIdentityUserEntitlementsV1SortField::SourceName,
        )]);
}
