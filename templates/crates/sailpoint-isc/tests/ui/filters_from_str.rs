//! `filters` takes a typed filter; a string belongs in `filters_raw`, and the
//! error must say so.
use sailpoint_isc::Client;

fn main() {
    let client = Client::builder()
        .tenant("acme")
        .bearer_token("t")
        .build()
        .unwrap();
    let _ = client
        .machine_identities()
        .list_machine_identities_v2()
        .filters("nativeIdentity sw \"agent:\"");
}
