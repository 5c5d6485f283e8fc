//! `co` and `sw` exist only on string fields; `manuallyEdited` is a boolean.
use sailpoint_isc::machine_identities::ListMachineIdentitiesV2Filter;

fn main() {
    let _ = ListMachineIdentitiesV2Filter::manually_edited().sw("t");
}
