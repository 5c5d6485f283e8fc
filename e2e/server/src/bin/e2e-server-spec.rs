//! Prints the server's OpenAPI 3.1 document (what `cargo xtask e2e`
//! generates the SDK from).

fn main() {
    println!("{}", e2e_server::spec_json());
}
