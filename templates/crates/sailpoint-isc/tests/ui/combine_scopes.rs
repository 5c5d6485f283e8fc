//! Filters of different operations cannot be combined either.
use sailpoint_isc::machine_identities::{
    ListMachineIdentitiesV2Filter, ListMachineIdentityUserEntitlementsV1Filter,
};

fn main() {
    let _ = ListMachineIdentitiesV2Filter::source_id().eq("a")
        & ListMachineIdentityUserEntitlementsV1Filter::source_id().eq("b");
}
