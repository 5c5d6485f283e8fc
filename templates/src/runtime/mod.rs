//! The spec-independent runtime of the SDK: the HTTP client, authentication,
//! retries, errors, responses and pagination that every generated operation
//! goes through.
//!
//! The generated `lib.rs` declares `mod runtime;` and re-exports the public
//! part of this module at the crate root:
//!
//! ```text
//! pub use runtime::{
//!     ApiError, AuthError, Client, ClientBuilder, ConfigError, Credentials, Error,
//!     FilePart, RawError, Response, RetryPolicy, CallOptions, RawRequest, Method,
//! };
//! ```
//!
//! Generated operation code uses the crate-internal items
//! [`Operation`], [`Request`], [`Body`], [`encode_path_segment`],
//! `Client::send_decoded` (over `Client::execute`), [`RawResponse`] and [`paginate()`].
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
mod config;
mod error;
mod guard;
mod options;
mod paginate;
mod request;
mod response;
mod retry;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_budget;
#[cfg(test)]
mod tests_options;
mod waiter;

pub use budget::RateLimit;
pub use bulk::{bulk, BulkOptions, BulkResult};
pub use client::{Client, ClientBuilder, Credentials};
pub use error::{ApiError, AuthError, ConfigError, Error, RawError};
pub use options::{CallOptions, RawRequest};
pub use reqwest::Method;
pub use response::Response;
pub use retry::RetryPolicy;

#[allow(unused_imports)] // Used or not depending on the spec.
pub(crate) use paginate::{paginate, paginate_with, PageRequest, Paging};
pub use request::FilePart;
#[allow(unused_imports)] // `query_json` is used or not depending on the spec.
pub(crate) use request::{encode_path_segment, query_json, Body, Multipart, Operation, Request};
#[allow(unused_imports)] // Unused by a spec with no operation.
pub(crate) use response::RawResponse;
