//! `co` and `sw` exist only on string fields; `manuallyEdited` is a boolean.
use sailpoint_v2025::machine_identities::ListMachineIdentitiesFilter;

fn main() {
    let _ = ListMachineIdentitiesFilter::manually_edited().sw("t");
}
