//! A filter built for `listMachineIdentityUserEntitlements` cannot be passed to
//! `listMachineIdentities`, even for a field (`source.id`) both document.
use sailpoint_v2025::machine_identities::ListMachineIdentityUserEntitlementsFilter;
use sailpoint_v2025::Client;

fn main() {
    let client = Client::builder()
        .tenant("acme")
        .bearer_token("token")
        .build()
        .unwrap();
    let filter = ListMachineIdentityUserEntitlementsFilter::source_id().eq("s1");
    let _ = client
        .machine_identities()
        .list_machine_identities()
        .filters(filter);
}
