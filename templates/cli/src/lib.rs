//! `@BIN@`, the command-line tool for the @API_TITLE@ API, generated beside
//! its SDK crate (renamed `sdk` in `Cargo.toml`) and calling it for every
//! request, so the SDK's guarantees (auth, retries that never resend a
//! processed write, the rate budget, exact paging, waiters, redirect refusal,
//! secret redaction) hold on the command line.
//!
//! `commands` is emitted from the spec: one group per tag, one command per
//! operation. `runtime` is hand-written and the same for every spec.

// Emitted and formatted by prettyplease, like the SDK's modules.
#[rustfmt::skip]
pub mod commands;
pub mod runtime;
