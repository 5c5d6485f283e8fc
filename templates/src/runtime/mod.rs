//! The spec-independent runtime of the SDK: the HTTP client, authentication,
//! retries, errors, responses and pagination that every generated operation
//! goes through.
//!
//! The generated `lib.rs` declares `mod runtime;` and re-exports at the crate
//! root every `pub` item of this module's `pub use` lines below (the client,
//! its configuration, errors, responses and the future of a call, call
//! options, `bulk()`, the waiters'
//! `WaitOutcome` and `WaitError`, and `MultiStatus` with `ItemOutcome` where an
//! operation answers `207` per item), and nothing else.
//!
//! Generated operation code uses the crate-internal items [`Operation`],
//! [`Request`], [`Body`], [`Multipart`], [`encode_path_segment`],
//! [`query_json`], `Client::send_decoded` (over `Client::execute`, returning
//! [`ResponseFuture`]), [`RawResponse`], [`paginate_with`] (with [`Paging`] and
//! [`PageRequest`]), [`paginate_cursor`] (with [`CursorPaging`] and
//! [`CursorRequest`]), `MultiStatus::from_items`, the models' serde helpers in `de` and `ser`, and for
//! waiters `waiter::{wait, WaitBounds, Phase}`.
//!
//! Retries are decided in two steps (`retry`): each attempt's outcome is
//! classified once (`RetryClass`: success, throttled, transient, unauthorized,
//! final), then `Retries` decides whether and when to send again. The API
//! request loop (`client`) and the token request loop (`auth`) share both.
//!
//! Invariants kept here:
//! - no secret (client secret, access token) ever reaches `Debug`, `Display`,
//!   a log line or a tracing field;
//! - nothing is sent for an experimental operation unless the client opted in;
//! - a request that may have been processed (a non-idempotent method that
//!   reached the server) is never sent twice;
//! - no redirect is followed, so no credential or body leaves for another
//!   origin, and no answer from another URL is taken as the tenant's (`guard`);
//! - no response body is buffered beyond the configured limit (`guard`).

mod auth;
mod budget;
mod bulk;
mod client;
// @sdk if sailpoint
mod config;
// @sdk end
// @sdk if !cursor_paging
// A spec without cursor paging compiles the cursor pager for its unit tests only.
#[cfg(test)]
// @sdk end
mod cursor;
// @sdk if structs
pub(crate) mod de;
// @sdk end
mod error;
mod guard;
// @sdk if multi_status
mod multi_status;
// @sdk end
mod options;
// @sdk if !paging
// A spec that never pages compiles the pager for its unit tests only.
#[cfg(test)]
// @sdk end
mod paginate;
mod request;
mod response;
mod retry;
// @sdk if structs
pub(crate) mod ser;
// @sdk end
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_budget;
#[cfg(test)]
mod tests_options;
pub(crate) mod waiter;

pub use budget::RateLimit;
pub use bulk::{bulk, BulkOptions, BulkResult};
pub use client::{Client, ClientBuilder, Credentials, ResponseFuture};
pub use error::{ApiError, AuthError, ConfigError, Error, RawError};
// @sdk if multi_status
pub use multi_status::{ItemOutcome, MultiStatus};
// @sdk end
pub use options::{CallOptions, RawRequest};
pub use reqwest::Method;
pub use response::Response;
pub use retry::RetryPolicy;
pub use waiter::{WaitError, WaitOutcome};

// @sdk if !cursor_paging
#[cfg(test)]
#[allow(unused_imports)] // No operation pages by cursor here.
// @sdk end
pub(crate) use cursor::{paginate_cursor, CursorPaging, CursorRequest};
// @sdk if !paging
#[cfg(test)]
#[allow(unused_imports)] // No operation pages by offset here.
// @sdk end
pub(crate) use paginate::{paginate_with, PageRequest, Paging};
// @sdk if !path_params
#[cfg(test)]
// @sdk end
pub(crate) use request::encode_path_segment;
pub use request::FilePart;
#[allow(unused_imports)] // `query_json` is used or not depending on the spec.
pub(crate) use request::{query_json, Body, Multipart, Operation, Request};
#[allow(unused_imports)] // Unused by a spec with no operation.
pub(crate) use response::RawResponse;
