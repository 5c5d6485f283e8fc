//! The raw request ([`RawRequest`]) for endpoints the spec lacks: built by
//! [`Client::request`], sent through `Client::execute` like every generated
//! operation.

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::client::Client;
use super::error::{ApiError, Error};
use super::options::CallOptions;
use super::request::{Body, Operation, Request};
use super::response::{RawResponse, Response};

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
            super::request::as_request(|| serde_json::to_vec(value))
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
