//! `id` documents `eq`, `in` and `sw` only, so `gt` must not compile.
use sailpoint_isc::machine_identities::ListMachineIdentitiesV2Filter;

fn main() {
    let _ = ListMachineIdentitiesV2Filter::id().gt("2c91");
}
