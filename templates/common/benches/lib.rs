//! Nothing: this package exists for its `sdk` benchmark (`sdk.rs`), which
//! keeps criterion out of the SDK's dev-dependencies.
