//! Filters of different operations cannot be combined either.
use sailpoint_v2025::machine_identities::{
    ListMachineIdentitiesFilter, ListMachineIdentityUserEntitlementsFilter,
};

fn main() {
    let _ = ListMachineIdentitiesFilter::source_id().eq("a")
        & ListMachineIdentityUserEntitlementsFilter::source_id().eq("b");
}
