//! `created` is sortable but not filterable on `listMachineIdentities`, and
//! `manuallyEdited` is filterable there but not on
//! `listMachineIdentityUserEntitlements`: neither has a field function.
use sailpoint_v2025::machine_identities::{
    ListMachineIdentitiesFilter, ListMachineIdentityUserEntitlementsFilter,
};

fn main() {
    let _ = ListMachineIdentitiesFilter::created();
    let _ = ListMachineIdentityUserEntitlementsFilter::manually_edited();
}
