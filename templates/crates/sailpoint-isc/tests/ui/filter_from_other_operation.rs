//! A filter built for `listMachineIdentitiesV1` cannot be passed to
//! `listMachineIdentitiesV2`, even for a field (`nativeIdentity`) both
//! versions document: moving to v2 means rebuilding the filter with v2's scope.
use sailpoint_isc::machine_identities::ListMachineIdentitiesV1Filter;
use sailpoint_isc::Client;

fn main() {
    let client = Client::builder()
        .tenant("acme")
        .bearer_token("token")
        .build()
        .unwrap();
    let filter = ListMachineIdentitiesV1Filter::native_identity().sw("agent:");
    let _ = client
        .machine_identities()
        .list_machine_identities_v2()
        .filters(filter);
}
