//! `id` documents `eq`, `in` and `sw` only, so `gt` must not compile.
use sailpoint_v2025::machine_identities::ListMachineIdentitiesFilter;

fn main() {
    let _ = ListMachineIdentitiesFilter::id().gt("2c91");
}
