//! Per-call settings ([`CallOptions`]) that every request builder takes with
//! `with_options`, and the raw request ([`RawRequest`]) for endpoints the spec
//! lacks. Both go through `Client::execute`, like every generated operation.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::error::{ApiError, Error};
use super::request::{Body, Operation, Request};
use super::response::{RawResponse, Response};
use super::retry::RetryPolicy;
use super::Client;

/// Settings for one call that override the client's: set them on any request
/// builder with `with_options`, or on a [`RawRequest`].
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
/// set this way: the call fails with [`Error::InvalidRequest`] before anything
/// is sent, rather than silently sending another credential or bypassing the
/// client's experimental gate ([`experimental`](CallOptions::experimental)
/// opts one call in). Extra query parameters are appended after the
/// operation's own (a repeated name is sent twice).
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
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

    /// The timeout of each attempt of this call, like
    /// [`ClientBuilder::timeout`](super::ClientBuilder::timeout) for the client.
    /// The whole call, retries included, is bounded by the retry policy's deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
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

    /// `self` with `other`'s settings laid over it: `other`'s timeout, retry
    /// policy and experimental opt-in win when set; headers and query
    /// parameters add up.
    pub fn merge(mut self, other: CallOptions) -> Self {
        self.timeout = other.timeout.or(self.timeout);
        self.retry = other.retry.or(self.retry);
        self.experimental = other.experimental.or(self.experimental);
        self.headers.extend(other.headers);
        self.query.extend(other.query);
        self
    }
}

/// The `operationId` raw requests report in errors and logs.
pub(crate) const RAW_OPERATION_ID: &str = "rawRequest";

macro_rules! raw_ops {
    ($($name:ident: $method:ident, $experimental:expr;)*) => {
        $(static $name: Operation = Operation {
            id: RAW_OPERATION_ID,
            method: reqwest::Method::$method,
            path_template: "",
            experimental: $experimental,
        };)*
    };
}

raw_ops! {
    RAW_GET: GET, false;
    RAW_GET_X: GET, true;
    RAW_POST: POST, false;
    RAW_POST_X: POST, true;
    RAW_PUT: PUT, false;
    RAW_PUT_X: PUT, true;
    RAW_PATCH: PATCH, false;
    RAW_PATCH_X: PATCH, true;
    RAW_DELETE: DELETE, false;
    RAW_DELETE_X: DELETE, true;
    RAW_HEAD: HEAD, false;
    RAW_HEAD_X: HEAD, true;
}

fn raw_operation(method: &reqwest::Method, experimental: bool) -> Option<&'static Operation> {
    use reqwest::Method;
    Some(match (method, experimental) {
        (&Method::GET, false) => &RAW_GET,
        (&Method::GET, true) => &RAW_GET_X,
        (&Method::POST, false) => &RAW_POST,
        (&Method::POST, true) => &RAW_POST_X,
        (&Method::PUT, false) => &RAW_PUT,
        (&Method::PUT, true) => &RAW_PUT_X,
        (&Method::PATCH, false) => &RAW_PATCH,
        (&Method::PATCH, true) => &RAW_PATCH_X,
        (&Method::DELETE, false) => &RAW_DELETE,
        (&Method::DELETE, true) => &RAW_DELETE_X,
        (&Method::HEAD, false) => &RAW_HEAD,
        (&Method::HEAD, true) => &RAW_HEAD_X,
        _ => return None,
    })
}

/// A request to an endpoint the spec lacks, made with [`Client::request`]:
/// the same authentication, retries, rate budget, experimental gate,
/// redaction and error types as a generated operation (whose
/// `operationId` it reports as `rawRequest`).
///
/// A status outside 2xx is [`Error::Api`] whose body is the response's JSON
/// (or a JSON string of its text when it is not JSON).
#[derive(Debug)]
#[must_use = "a raw request does nothing until you `.send().await` it"]
pub struct RawRequest {
    client: Client,
    method: reqwest::Method,
    path: String,
    experimental: bool,
    accept: Option<&'static str>,
    body: Option<Result<Body, String>>,
    options: CallOptions,
}

impl RawRequest {
    pub(crate) fn new(client: Client, method: reqwest::Method, path: String) -> Self {
        RawRequest {
            client,
            method,
            path,
            experimental: false,
            accept: Some("application/json"),
            body: None,
            options: CallOptions::default(),
        }
    }

    /// Marks the endpoint experimental: the request is refused unless the
    /// client enabled experimental operations, and carries the experimental header.
    pub fn experimental(mut self, experimental: bool) -> Self {
        self.experimental = experimental;
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options = self.options.query(name, value);
        self
    }

    /// Adds a header (`Authorization` and the experimental header are refused).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options = self.options.header(name, value);
        self
    }

    /// Per-call settings; see [`CallOptions`].
    pub fn with_options(mut self, options: CallOptions) -> Self {
        self.options = self.options.merge(options);
        self
    }

    /// A JSON body, from any `serde::Serialize`.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.body = Some(
            serde_json::to_vec(value)
                .map(|bytes| Body {
                    content_type: "application/json".into(),
                    bytes: Bytes::from(bytes),
                })
                .map_err(|e| format!("the body does not serialize: {e}")),
        );
        self
    }

    /// A body of raw bytes with the given `Content-Type`.
    pub fn body(mut self, content_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        self.body = Some(Ok(Body {
            content_type: content_type.into().into(),
            bytes: bytes.into(),
        }));
        self
    }

    async fn execute(self) -> Result<RawResponse, Error<serde_json::Value>> {
        let Some(op) = raw_operation(&self.method, self.experimental) else {
            return Err(Error::InvalidRequest {
                operation_id: RAW_OPERATION_ID,
                reason: format!("method {} is not supported", self.method),
            });
        };
        let mut req = Request::new(op, self.path);
        req.accept = self.accept;
        req.options = self.options;
        if let Some(body) = self.body {
            req.body = Some(body.map_err(|reason| Error::InvalidRequest {
                operation_id: RAW_OPERATION_ID,
                reason,
            })?);
        }
        let raw = self.client.execute(req).await?;
        if raw.status.is_success() {
            Ok(raw)
        } else {
            let body = serde_json::from_slice(&raw.body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&raw.body).into_owned())
            });
            Err(Error::Api(ApiError::new(raw.into_raw_error(), body)).experimental_refusal())
        }
    }

    /// Sends the request; the body comes back as bytes, whatever the 2xx status.
    pub async fn send(self) -> Result<Response<Bytes>, Error<serde_json::Value>> {
        self.execute().await?.bytes()
    }

    /// Sends the request and decodes the body as JSON into `T`
    /// (an empty body with status 204 decodes as JSON `null`).
    pub async fn send_json<T: DeserializeOwned>(
        self,
    ) -> Result<Response<T>, Error<serde_json::Value>> {
        let mut raw = self.execute().await?;
        if raw.status == StatusCode::NO_CONTENT && raw.body.is_empty() {
            raw.body = Bytes::from_static(b"null");
        }
        raw.json()
    }
}

impl Client {
    /// A request to `path` (relative to the API base, e.g. `"/sources"`,
    /// already percent-encoded) for an endpoint the spec lacks; see [`RawRequest`].
    ///
    /// ```no_run
    /// # async fn f(client: sailpoint_v2025::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let sources: serde_json::Value = client
    ///     .request(sailpoint_v2025::Method::GET, "/sources")
    ///     .query("limit", "1")
    ///     .send_json::<serde_json::Value>()
    ///     .await?
    ///     .into_body();
    /// # let _ = sources; Ok(()) }
    /// ```
    pub fn request(&self, method: reqwest::Method, path: impl Into<String>) -> RawRequest {
        RawRequest::new(self.clone(), method, path.into())
    }
}
