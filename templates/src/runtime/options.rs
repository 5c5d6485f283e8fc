//! Per-call settings ([`CallOptions`]) that every request builder (and a
//! raw request) takes with `with_options`, overriding the client's.

use std::time::Duration;

use super::retry::RetryPolicy;

/// Settings for one call that override the client's: set them on any request
/// builder with `with_options`, or on a [`RawRequest`](super::RawRequest).
///
/// ```
/// use std::time::Duration;
/// use sailpoint_v2025::{CallOptions, RetryPolicy};
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(5))
///     .retry_policy(RetryPolicy::default().max_attempts(1))
///     .header("X-Correlation-Id", "run-42")
///     .query("debug", "true");
/// # let _ = options;
/// ```
///
/// Extra headers are added after the operation's own; one with the same name
/// replaces it. `Authorization`, and the experimental opt-in header, cannot be
/// set this way: the call fails with [`Error::InvalidRequest`](super::Error::InvalidRequest) before anything
/// is sent, rather than silently sending another credential or bypassing the
/// client's experimental gate ([`experimental`](CallOptions::experimental)
/// opts one call in). Extra query parameters are appended after the
/// operation's own (a repeated name is sent twice).
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) experimental: Option<bool>,
}

impl CallOptions {
    /// No overrides: the client's settings apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// The time allowed for this whole call, token fetch, retries and waits
    /// included, like [`ClientBuilder::timeout`](super::ClientBuilder::timeout)
    /// for the client (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time allowed for each attempt of this call, like
    /// [`ClientBuilder::attempt_timeout`](super::ClientBuilder::attempt_timeout)
    /// for the client (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The retry policy of this call (its deadline bounds the whole call).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Adds a header to this call (see the type's docs for the names refused).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter to this call; it is percent-encoded when sent.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Opts this call in to (or, with `false`, out of) experimental operations,
    /// whatever the client's
    /// [`ClientBuilder::experimental`](super::ClientBuilder::experimental) says:
    /// an experimental operation is then sent, with the experimental header, as
    /// on a client that opted in. A call that opted in sends the header even to
    /// an operation the API description calls GA, so that a server that still
    /// gates it answers.
    pub fn experimental(mut self, enabled: bool) -> Self {
        self.experimental = Some(enabled);
        self
    }

    /// Whether this call opts in to experimental operations: its own setting,
    /// else the client's. One rule for the gate and the header: a call that
    /// opted in sends the experimental header on every operation (an API may
    /// gate an operation its description calls GA), and an experimental
    /// operation is refused before sending unless the call opted in.
    pub(crate) fn experimental_opt_in(&self, client: bool) -> bool {
        self.experimental.unwrap_or(client)
    }

    /// `self` with `other`'s settings laid over it: `other`'s timeouts, retry
    /// policy and experimental opt-in win when set; headers and query
    /// parameters add up.
    pub fn merge(mut self, other: CallOptions) -> Self {
        self.timeout = other.timeout.or(self.timeout);
        self.attempt_timeout = other.attempt_timeout.or(self.attempt_timeout);
        self.retry = other.retry.or(self.retry);
        self.experimental = other.experimental.or(self.experimental);
        self.headers.extend(other.headers);
        self.query.extend(other.query);
        self
    }
}
