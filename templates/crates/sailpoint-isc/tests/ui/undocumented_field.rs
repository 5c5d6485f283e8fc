//! `created` is sortable but not filterable on `listMachineIdentitiesV2`, and
//! `manuallyEdited` is filterable there but not on
//! `listMachineIdentityUserEntitlementsV1`: neither has a field function.
use sailpoint_isc::machine_identities::{
    ListMachineIdentitiesV2Filter, ListMachineIdentityUserEntitlementsV1Filter,
};

fn main() {
    let _ = ListMachineIdentitiesV2Filter::created();
    let _ = ListMachineIdentityUserEntitlementsV1Filter::manually_edited();
}
