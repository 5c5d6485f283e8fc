//! Error types: [`Error`] for API calls, [`AuthError`] for the token endpoint
//! and [`ConfigError`] for building a client.
//!
//! The `Display` of an [`Error`] is one line that says what failed, where
//! (origin and path, never a query or secret), why (the innermost cause) and
//! after how many attempts; `source()` still gives the whole chain, for code
//! that inspects it. The `Display` of the other types never repeats the
//! message of their `source()`.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::guard::Redactor;

/// Response headers that carry the server's request tracking id, in order of preference.
pub(crate) const TRACKING_HEADERS: [&str; 2] = ["slpt-request-id", "x-request-id"];

/// How much of an unparsed body `Display` shows.
const BODY_SNIPPET_CHARS: usize = 200;

/// How much of a body `Debug` shows; the accessors keep it whole.
const BODY_DEBUG_CHARS: usize = 1024;

/// `text` on one line (every run of whitespace becomes one space), cut after
/// `max` characters with `...`.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > 0 {
            out.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= max {
                out.push_str("...");
                return out;
            }
            out.push(c);
            count += 1;
        }
    }
    out
}

/// A body for `Debug`: the first [`BODY_DEBUG_CHARS`] characters, then how long it was.
struct DebugBody<'a>(&'a [u8]);

impl fmt::Debug for DebugBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = String::from_utf8_lossy(self.0);
        let mut chars = text.char_indices();
        match chars.nth(BODY_DEBUG_CHARS) {
            None => fmt::Debug::fmt(&text, f),
            Some((cut, _)) => write!(f, "{:?}... ({} bytes in all)", &text[..cut], self.0.len()),
        }
    }
}

/// The innermost error of a `source()` chain: the actual cause, such as
/// "Connection refused (os error 111)".
pub(crate) fn innermost<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current
}

/// The error of an API call; `E` is the operation's typed error body.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The server answered with a status the API documents for this operation;
    /// the body was decoded into `E`.
    Api(ApiError<E>),
    /// The server answered with a status the API does not document for this operation.
    UnexpectedStatus(RawError),
    /// The body was not what the API declares (for example, not the expected JSON).
    Decode {
        /// The response, with its raw body text.
        raw: RawError,
        /// Why decoding failed.
        source: serde_json::Error,
    },
    /// The operation is experimental and the client was not built with
    // @sdk if sailpoint
    /// [`ClientBuilder::experimental(true)`](super::ClientBuilder::experimental)
    /// or, for [`Client::from_env`](super::Client::from_env), with
    /// `SAIL_EXPERIMENTAL=true` in the environment. Nothing was sent.
    // @sdk else
    /// [`ClientBuilder::experimental(true)`](super::ClientBuilder::experimental).
    /// Nothing was sent.
    // @sdk end
    ExperimentalNotEnabled {
        /// The operation's `operationId`.
        operation_id: &'static str,
    },
    /// The server refused the call because it wants the experimental opt-in
    /// header: it answered `400` with a message about that header (SailPoint's
    /// tenants say "Experimental Header is missing or invalid"), so it gates
    /// this operation as experimental even if the API description does not.
    /// The message says what to enable:
    // @sdk if sailpoint
    /// [`ClientBuilder::experimental(true)`](super::ClientBuilder::experimental),
    /// `SAIL_EXPERIMENTAL=true` for [`Client::from_env`](super::Client::from_env),
    /// or [`CallOptions::experimental(true)`](super::CallOptions::experimental)
    /// for one call. A client that opted in sends the header on every operation.
    // @sdk else
    /// [`ClientBuilder::experimental(true)`](super::ClientBuilder::experimental)
    /// or [`CallOptions::experimental(true)`](super::CallOptions::experimental)
    /// for one call. A client that opted in sends the header on every operation.
    // @sdk end
    /// [`Error::status`] is still the `400` and [`Error::raw`] the whole response.
    #[non_exhaustive]
    ExperimentalRequired {
        /// The response: status, headers and the server's message.
        raw: RawError,
    },
    /// The request could not be built (for example, a header value with a line
    /// break, or a path parameter `..` that would change the path). Nothing was sent.
    InvalidRequest {
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The HTTP exchange failed (connection refused, reset, TLS, ...).
    Transport {
        /// The underlying error.
        source: reqwest::Error,
        /// How many HTTP requests were sent or tried, token requests included.
        attempts: u32,
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// Origin and path of the request (no query).
        url: String,
    },
    /// The call ran out of time: an attempt got no answer within the
    /// [request timeout](super::ClientBuilder::timeout), or the call's
    /// [deadline](super::RetryPolicy::deadline) passed, while fetching the
    /// access token or calling the API.
    Timeout {
        /// How many HTTP requests were sent or tried, token requests included.
        attempts: u32,
        /// Time spent on the whole call, retries included.
        elapsed: Duration,
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// Origin and path of what was awaited: the API, or the token endpoint.
        url: String,
    },
    /// No access token could be obtained (the token endpoint refused the
    /// credentials, or could not be reached).
    Auth {
        /// Why (boxed, so that `Result<_, Error<E>>` stays small).
        source: Box<AuthError>,
        /// How many HTTP requests were sent or tried, token requests included.
        attempts: u32,
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// The token endpoint, `{origin}/oauth/token`.
        url: String,
    },
    /// The client configuration is invalid.
    Config(ConfigError),
    /// The request body could not be serialized.
    Serialize(serde_json::Error),
    /// The server answered with a redirect (3xx), which the client never follows,
    /// so that no credential or request body is sent anywhere but the configured
    /// origin. When a user-supplied HTTP client followed redirects itself, the
    /// answer came from another URL and is refused the same way.
    #[non_exhaustive]
    Redirect {
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// The 3xx status; or, when the HTTP client followed the redirect, the
        /// status of the answer it ended at.
        status: StatusCode,
        /// Where the redirect pointed (or the URL the followed answer came from),
        /// without user info, query or fragment; `None` without a `Location`.
        location: Option<String>,
        /// How many HTTP requests were sent.
        attempts: u32,
    },
    /// The response body was longer than
    /// [`ClientBuilder::max_response_body`](super::ClientBuilder::max_response_body);
    /// reading stopped at the limit.
    #[non_exhaustive]
    BodyTooLarge {
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// The HTTP status of the response.
        status: StatusCode,
        /// The limit, in bytes.
        limit: u64,
        /// How many HTTP requests were sent.
        attempts: u32,
    },
    /// Paging stopped because the server sent a page it had already sent, byte for
    /// byte (for example, it ignores `offset`). The items yielded before are valid;
    /// the rest of the list was not read.
    #[non_exhaustive]
    RepeatedPage {
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// The offset of the repeated page.
        offset: u64,
        /// The offset at which that page was first received.
        first_offset: u64,
    },
    /// Paging stopped because the next page's offset is larger than the `offset`
    /// parameter allows. The items yielded before are valid; the rest of the list
    /// cannot be read by offset.
    #[non_exhaustive]
    OffsetOverflow {
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// The offset the next page would need.
        offset: u64,
        /// The largest offset the parameter allows.
        max: u64,
    },
    /// Cursor paging stopped because a page ended at a cursor already sent (for
    /// example, the server ignores the cursor and sends the first page again).
    /// The items yielded before are valid, each once; that page's items were not
    /// yielded, and the rest of the list was not read.
    #[non_exhaustive]
    RepeatedCursor {
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// The cursor read from the last item of the page, sent before.
        cursor: String,
        /// Which page (1 for the first) ended at it.
        page: u64,
    },
    /// Cursor paging stopped because the last item of a page has no value to
    /// ask for the next page with. The items yielded before, that page's
    /// included, are valid; the rest of the list cannot be asked for.
    #[non_exhaustive]
    MissingCursor {
        /// The operation's `operationId`.
        operation_id: &'static str,
        /// Which page (1 for the first) ended with an item without a cursor.
        page: u64,
    },
}

impl<E> Error<E> {
    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.raw().map(RawError::status)
    }

    /// The raw response, if the server answered.
    pub fn raw(&self) -> Option<&RawError> {
        match self {
            Error::Api(api) => Some(api.raw()),
            Error::UnexpectedStatus(raw)
            | Error::Decode { raw, .. }
            | Error::ExperimentalRequired { raw } => Some(raw),
            _ => None,
        }
    }

    /// This error, or [`Error::ExperimentalRequired`] when it is a `400` whose
    /// body talks about the experimental header: what every operation's answer
    /// goes through, whether the spec calls the operation experimental or not.
    pub(crate) fn experimental_refusal(self) -> Self {
        let raw = match &self {
            Error::Api(api) => api.raw(),
            Error::UnexpectedStatus(raw) | Error::Decode { raw, .. } => raw,
            _ => return self,
        };
        if !asks_for_experimental_header(raw) {
            return self;
        }
        match self {
            Error::Api(api) => Error::ExperimentalRequired {
                raw: api.into_raw(),
            },
            Error::UnexpectedStatus(raw) | Error::Decode { raw, .. } => {
                Error::ExperimentalRequired { raw }
            }
            other => other,
        }
    }

    /// How many HTTP requests were sent or tried for the call, token requests
    /// included, if any were.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::Auth { attempts, .. }
            | Error::Redirect { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => Some(*attempts),
            _ => self.raw().map(RawError::attempts),
        }
    }

    /// The server's message, whatever the variant: for an answer of the API,
    /// [`RawError::message`]; for a token endpoint that refused the
    /// credentials, its `error_description` (else its `error`). `None` when no
    /// server said anything.
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::Auth { source, .. } => match &**source {
                AuthError::Rejected {
                    error,
                    error_description,
                    ..
                } => error_description.as_deref().or(error.as_deref()),
                _ => None,
            },
            _ => self.raw().and_then(RawError::message),
        }
    }

    // @sdk if sailpoint
    /// SailPoint's tracking id for the failed request, if the server sent one.
    /// Quote it when contacting SailPoint support.
    // @sdk else
    /// The server's tracking id for the failed request, if it sent one.
    // @sdk end
    pub fn tracking_id(&self) -> Option<&str> {
        self.raw().and_then(RawError::tracking_id)
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => write!(
                f,
                "`{}` failed: {}",
                api.raw().operation_id(),
                Where(api.raw())
            )?,
            Error::UnexpectedStatus(raw) => write!(
                f,
                "`{}` failed with an undocumented status: {}",
                raw.operation_id(),
                Where(raw)
            )?,
            Error::Decode { raw, source } => write!(
                f,
                "`{}` failed: the response body does not decode ({source}): {}",
                raw.operation_id(),
                Where(raw)
            )?,
            // @sdk if sailpoint
            Error::ExperimentalNotEnabled { operation_id } => write!(
                f,
                "operation `{operation_id}` is experimental and was not sent; enable \
                 experimental operations with `ClientBuilder::experimental(true)`, or set \
                 SAIL_EXPERIMENTAL=true for `Client::from_env`"
            )?,
            // @sdk else
            Error::ExperimentalNotEnabled { operation_id } => write!(
                f,
                "operation `{operation_id}` is experimental and was not sent; enable \
                 experimental operations with `ClientBuilder::experimental(true)`"
            )?,
            // @sdk end
            // @sdk if sailpoint
            Error::ExperimentalRequired { raw } => write!(
                f,
                "`{}` was refused because the server wants the experimental opt-in \
                 header `{}: true` for it ({}); enable experimental operations with \
                 `ClientBuilder::experimental(true)`, set SAIL_EXPERIMENTAL=true for \
                 `Client::from_env`, or opt in for one call with \
                 `.with_options(CallOptions::new().experimental(true))`",
                raw.operation_id(),
                crate::meta::EXPERIMENTAL_HEADER,
                Where(raw)
            )?,
            // @sdk else
            Error::ExperimentalRequired { raw } => write!(
                f,
                "`{}` was refused because the server wants the experimental opt-in \
                 header `{}: true` for it ({}); enable experimental operations with \
                 `ClientBuilder::experimental(true)`, or opt in for one call with \
                 `.with_options(CallOptions::new().experimental(true))`",
                raw.operation_id(),
                crate::meta::EXPERIMENTAL_HEADER,
                Where(raw)
            )?,
            // @sdk end
            Error::InvalidRequest {
                operation_id,
                reason,
            } => write!(f, "invalid request for `{operation_id}`: {reason}")?,
            Error::Transport {
                source,
                attempts,
                operation_id,
                url,
            } => {
                let what = if source.is_connect() {
                    "could not connect to"
                } else if source.is_body() || source.is_decode() {
                    "could not read the response of"
                } else {
                    "HTTP transport error at"
                };
                write!(
                    f,
                    "`{operation_id}` failed: {what} {url}: {} ({})",
                    innermost(source),
                    Attempts(*attempts)
                )?
            }
            Error::Timeout {
                attempts,
                elapsed,
                operation_id,
                url,
            } => write!(
                f,
                "`{operation_id}` timed out after {:.3}s waiting for {url} ({})",
                elapsed.as_secs_f64(),
                Attempts(*attempts)
            )?,
            Error::Auth {
                source,
                attempts,
                operation_id,
                url,
            } => {
                write!(
                    f,
                    "`{operation_id}` failed: could not obtain an access token from {url}: "
                )?;
                match &**source {
                    AuthError::Transport(inner) => write!(f, "{}", innermost(inner))?,
                    AuthError::InvalidResponse { source: why, .. } => write!(f, "{source}: {why}")?,
                    other => write!(f, "{other}")?,
                }
                write!(f, " ({})", Attempts(*attempts))?
            }
            Error::Config(source) => write!(f, "invalid client configuration: {source}")?,
            Error::Serialize(source) => {
                write!(f, "could not serialize the request body: {source}")?
            }
            Error::Redirect {
                operation_id,
                status,
                location,
                attempts,
            } => {
                write!(
                    f,
                    "`{operation_id}` was answered with a redirect (HTTP {status}, {}), \
                     which is not followed",
                    Attempts(*attempts)
                )?;
                if let Some(location) = location {
                    write!(f, "; it points to {location}")?;
                }
            }
            Error::BodyTooLarge {
                operation_id,
                status,
                limit,
                attempts,
            } => write!(
                f,
                "`{operation_id}` answered HTTP {status} with a body over the {limit}-byte limit ({})",
                Attempts(*attempts)
            )?,
            Error::RepeatedPage {
                operation_id,
                offset,
                first_offset,
            } => write!(
                f,
                "paging `{operation_id}` stopped: the page at offset {offset} repeats \
                 the page at offset {first_offset} (does the server ignore `offset`?)"
            )?,
            Error::OffsetOverflow {
                operation_id,
                offset,
                max,
            } => write!(
                f,
                "paging `{operation_id}` stopped: the next offset {offset} is above \
                 the largest `offset` the API allows ({max})"
            )?,
            Error::RepeatedCursor {
                operation_id,
                cursor,
                page,
            } => write!(
                f,
                "paging `{operation_id}` stopped: page {page} ends at the cursor {cursor:?}, \
                 which was already sent (does the server ignore the cursor?)"
            )?,
            Error::MissingCursor { operation_id, page } => write!(
                f,
                "paging `{operation_id}` stopped: the last item of page {page} has no \
                 cursor to ask for the next page with"
            )?,
        }
        Ok(())
    }
}

/// `{url}: HTTP 404 Not Found (1 attempt, tracking id ...): message`.
struct Where<'a>(&'a RawError);

impl fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(url) = self.0.url() {
            write!(f, "{url}: ")?;
        }
        fmt::Display::fmt(self.0, f)
    }
}

/// Whether `raw` is a server's refusal for want of the experimental opt-in
/// header: a `400` whose body names the header, or says "experimental" and
/// "header" (SailPoint: "Experimental Header is missing or invalid"; the
/// wording is matched loosely, ignoring case, as it is not documented).
fn asks_for_experimental_header(raw: &RawError) -> bool {
    let header = crate::meta::EXPERIMENTAL_HEADER;
    if header.is_empty() || raw.status() != StatusCode::BAD_REQUEST {
        return false;
    }
    let text = raw.text().to_lowercase();
    text.contains(&header.to_lowercase())
        || (text.contains("experimental") && text.contains("header"))
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode { source, .. } | Error::Serialize(source) => Some(source),
            Error::Transport { source, .. } => Some(source),
            Error::Auth { source, .. } => Some(&**source),
            Error::Config(source) => Some(source),
            _ => None,
        }
    }
}

impl<E> From<ConfigError> for Error<E> {
    fn from(err: ConfigError) -> Self {
        Error::Config(err)
    }
}

/// Displays an error and its sources, `outer: inner: innermost`, for log lines.
pub(crate) struct ErrorChain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(err) = source {
            write!(f, ": {err}")?;
            source = err.source();
        }
        Ok(())
    }
}

/// Formats "1 attempt" / "3 attempts".
struct Attempts(u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 attempt"),
            n => write!(f, "{n} attempts"),
        }
    }
}

/// A documented error response: the typed body plus everything about the raw response.
///
/// Boxed, so that `Result<_, Error<E>>` stays small whatever `E` is.
pub struct ApiError<E>(Box<ApiErrorInner<E>>);

#[derive(Debug)]
struct ApiErrorInner<E> {
    raw: RawError,
    body: E,
}

impl<E> ApiError<E> {
    pub(crate) fn new(raw: RawError, body: E) -> Self {
        ApiError(Box::new(ApiErrorInner { raw, body }))
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.raw.status()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        self.0.raw.headers()
    }

    /// The decoded error body; its variant names the status.
    pub fn body(&self) -> &E {
        &self.0.body
    }

    /// Takes the decoded error body.
    pub fn into_body(self) -> E {
        self.0.body
    }

    /// The raw response, including its body text.
    pub fn raw(&self) -> &RawError {
        &self.0.raw
    }

    /// The raw response, without the decoded body.
    pub(crate) fn into_raw(self) -> RawError {
        self.0.raw
    }

    /// How many HTTP requests were made for the call.
    pub fn attempts(&self) -> u32 {
        self.0.raw.attempts()
    }

    /// The server's tracking id (see [`RawError::tracking_id`]).
    pub fn tracking_id(&self) -> Option<&str> {
        self.0.raw.tracking_id()
    }

    /// The server's message (see [`RawError::message`]).
    pub fn message(&self) -> Option<&str> {
        self.0.raw.message()
    }
}

impl<E: fmt::Debug> fmt::Debug for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("body", &self.0.body)
            .field("raw", &self.0.raw)
            .finish()
    }
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.raw, f)
    }
}

impl<E: fmt::Debug> std::error::Error for ApiError<E> {}

/// An HTTP response that is an error, kept whole: status, headers and the raw body.
#[derive(Clone)]
pub struct RawError(Box<RawErrorInner>);

#[derive(Clone)]
struct RawErrorInner {
    operation_id: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    attempts: u32,
    tracking_id: Option<String>,
    message: Option<String>,
    /// Origin and path of the request (no query), when known.
    url: Option<String>,
}

/// The server's tracking id and message, from an error body and headers.
fn tracking_id_and_message(headers: &HeaderMap, body: &[u8]) -> (Option<String>, Option<String>) {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let non_empty = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    };
    let json_str = |key: &str| non_empty(json.as_ref()?.get(key)?.as_str()?);
    let tracking_id = json_str("trackingId").or_else(|| {
        TRACKING_HEADERS
            .iter()
            .find_map(|name| non_empty(headers.get(*name)?.to_str().ok()?))
    });
    // An ErrorResponseDto puts the text in messages[0].text; the
    // OAuth endpoint and some older services use error_description / message / error.
    let first_message = || {
        let text = json
            .as_ref()?
            .get("messages")?
            .as_array()?
            .first()?
            .get("text")?;
        non_empty(text.as_str()?)
    };
    let message = first_message()
        .or_else(|| json_str("error_description"))
        .or_else(|| json_str("message"))
        .or_else(|| json_str("error"))
        .or_else(|| json_str("detailCode"));
    (tracking_id, message)
}

impl RawError {
    pub(crate) fn new(
        operation_id: &'static str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        attempts: u32,
    ) -> Self {
        let (tracking_id, message) = tracking_id_and_message(&headers, &body);
        RawError(Box::new(RawErrorInner {
            operation_id,
            status,
            headers,
            body,
            attempts,
            tracking_id,
            message,
            url: None,
        }))
    }

    /// Records where the request went: origin and path, no query.
    pub(crate) fn with_url(mut self, url: Option<String>) -> Self {
        self.0.url = url;
        self
    }

    /// Origin and path of the request that failed (no query), when known.
    pub fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// The `operationId` of the operation that failed, e.g. `getMachineIdentity`.
    pub fn operation_id(&self) -> &'static str {
        self.0.operation_id
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The body as text (invalid UTF-8 replaced by U+FFFD).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0.body)
    }

    /// The body exactly as received.
    pub fn bytes(&self) -> &Bytes {
        &self.0.body
    }

    /// How many HTTP requests were sent for the call, token requests included.
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The server's tracking id: `trackingId` from the JSON error body, else the
    /// `SLPT-Request-ID` (or `X-Request-Id`) response header.
    pub fn tracking_id(&self) -> Option<&str> {
        self.0.tracking_id.as_deref()
    }

    /// The server's message: `messages[0].text` of the error body, else
    /// its `error_description`, `message`, `error` or `detailCode` field.
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
}

impl fmt::Debug for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawError")
            .field("operation_id", &self.0.operation_id)
            .field("status", &self.0.status)
            .field("attempts", &self.0.attempts)
            .field("tracking_id", &self.0.tracking_id)
            .field("message", &self.0.message)
            .field("url", &self.0.url)
            .field("headers", &self.0.headers)
            .field("body", &DebugBody(&self.0.body))
            .finish()
    }
}

impl fmt::Display for RawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} ({}", self.0.status, Attempts(self.0.attempts))?;
        if let Some(id) = &self.0.tracking_id {
            write!(f, ", tracking id {id}")?;
        }
        f.write_str(")")?;
        match &self.0.message {
            Some(message) => write!(f, ": {message}"),
            None if self.0.body.is_empty() => f.write_str(": empty body"),
            None => write!(f, ": {}", excerpt(&self.text(), BODY_SNIPPET_CHARS)),
        }
    }
}

impl std::error::Error for RawError {}

/// The token endpoint (`{origin}/oauth/token`) did not hand out an access token.
///
/// Never contains the client secret or a token: whatever the server echoes,
/// they are replaced by `[REDACTED]` in every stored body and message.
/// `Debug` shows at most the first 1024 characters of a body.
///
/// `Clone`, because one failed token request is the outcome of every call that
/// was waiting for it.
#[derive(Clone)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint answered with an error status, e.g. 401 `invalid_client`.
    #[non_exhaustive]
    Rejected {
        /// The HTTP status.
        status: StatusCode,
        /// The OAuth2 `error` code (e.g. `invalid_client`), or the server's message.
        error: Option<String>,
        /// The OAuth2 `error_description`.
        error_description: Option<String>,
        /// The server's tracking id, if sent.
        tracking_id: Option<String>,
        /// The raw body text.
        body: String,
    },
    /// The token endpoint answered 2xx, but not with a usable token response.
    /// The body is not kept, since it may contain a token.
    #[non_exhaustive]
    InvalidResponse {
        /// The HTTP status.
        status: StatusCode,
        /// Why the body was rejected.
        source: Arc<serde_json::Error>,
    },
    /// The token endpoint could not be reached, or timed out.
    Transport(Arc<reqwest::Error>),
    /// The token endpoint answered with a redirect. It is never followed: the
    /// form with the client secret is posted to the configured origin only, and
    /// no token from another origin is ever used. When a user-supplied HTTP
    /// client followed the redirect itself, its answer is refused the same way.
    #[non_exhaustive]
    Redirect {
        /// The 3xx status, or the final status when the HTTP client followed it.
        status: StatusCode,
        /// Where it pointed, without user info, query or fragment.
        location: Option<String>,
    },
    /// The token endpoint's body was longer than
    /// [`ClientBuilder::max_response_body`](super::ClientBuilder::max_response_body).
    #[non_exhaustive]
    BodyTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// The limit, in bytes.
        limit: u64,
    },
}

impl AuthError {
    /// The token endpoint's HTTP status, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            AuthError::Rejected { status, .. }
            | AuthError::InvalidResponse { status, .. }
            | AuthError::Redirect { status, .. }
            | AuthError::BodyTooLarge { status, .. } => Some(*status),
            AuthError::Transport(_) => None,
        }
    }

    /// An error status from the token endpoint, with every secret `redactor`
    /// knows removed from what is kept.
    pub(crate) fn rejected(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        redactor: &Redactor,
    ) -> Self {
        let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
        let field = |key: &str| {
            json.as_ref()?
                .get(key)?
                .as_str()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        };
        let (tracking_id, message) = tracking_id_and_message(&headers, &body);
        let clean = |text: Option<String>| text.map(|t| redactor.redact(&t));
        AuthError::Rejected {
            status,
            error: clean(field("error").or(message)),
            error_description: clean(field("error_description")),
            tracking_id: clean(tracking_id),
            body: redactor.redact(&String::from_utf8_lossy(&body)),
        }
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Rejected {
                status,
                error,
                error_description,
                tracking_id,
                body,
            } => f
                .debug_struct("Rejected")
                .field("status", status)
                .field("error", error)
                .field("error_description", error_description)
                .field("tracking_id", tracking_id)
                .field("body", &DebugBody(body.as_bytes()))
                .finish(),
            AuthError::InvalidResponse { status, source } => f
                .debug_struct("InvalidResponse")
                .field("status", status)
                .field("source", source)
                .finish(),
            AuthError::Transport(source) => f.debug_tuple("Transport").field(source).finish(),
            AuthError::Redirect { status, location } => f
                .debug_struct("Redirect")
                .field("status", status)
                .field("location", location)
                .finish(),
            AuthError::BodyTooLarge { status, limit } => f
                .debug_struct("BodyTooLarge")
                .field("status", status)
                .field("limit", limit)
                .finish(),
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Rejected {
                status,
                error,
                error_description,
                tracking_id,
                body,
            } => {
                write!(f, "token endpoint answered HTTP {status}")?;
                if let Some(id) = tracking_id {
                    write!(f, " (tracking id {id})")?;
                }
                match (error, error_description) {
                    (Some(e), Some(d)) if e != d => write!(f, ": {e}: {d}"),
                    (Some(m), _) | (None, Some(m)) => write!(f, ": {m}"),
                    (None, None) if body.trim().is_empty() => Ok(()),
                    (None, None) => write!(f, ": {}", excerpt(body, BODY_SNIPPET_CHARS)),
                }
            }
            AuthError::InvalidResponse { status, .. } => write!(
                f,
                "token endpoint answered HTTP {status} without a usable access token"
            ),
            AuthError::Transport(_) => f.write_str("could not reach the token endpoint"),
            AuthError::Redirect { status, location } => {
                write!(
                    f,
                    "token endpoint answered with a redirect (HTTP {status}), which is not followed"
                )?;
                match location {
                    Some(location) => write!(f, "; it points to {location}"),
                    None => Ok(()),
                }
            }
            AuthError::BodyTooLarge { status, limit } => write!(
                f,
                "token endpoint answered HTTP {status} with a body over the {limit}-byte limit"
            ),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthError::Rejected { .. }
            | AuthError::Redirect { .. }
            | AuthError::BodyTooLarge { .. } => None,
            AuthError::InvalidResponse { source, .. } => Some(&**source),
            AuthError::Transport(source) => Some(&**source),
        }
    }
}

/// The client could not be configured.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// An environment variable is unset or empty.
    #[non_exhaustive]
    MissingEnv {
        /// The variable's name.
        name: &'static str,
    },
    /// An environment variable has a value that cannot be used.
    #[non_exhaustive]
    InvalidEnv {
        /// The variable's name.
        name: &'static str,
        /// Its value.
        value: String,
        /// What it should be, e.g. `true or false`.
        expected: &'static str,
    },
    /// A key of the config file is missing or empty.
    #[non_exhaustive]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// The key, e.g. `ClientSecret`.
        key: &'static str,
    },
    /// The config file could not be read.
    #[non_exhaustive]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The config file is not a JSON object of strings.
    #[non_exhaustive]
    ParseFile {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    // @sdk if sailpoint
    /// [`Client::from_env`](super::Client::from_env) found some settings nowhere.
    // @sdk else
    /// The configuration found some settings nowhere.
    // @sdk end
    #[non_exhaustive]
    NotConfigured {
        /// The settings not found: `base URL`, `client id`, `client secret`.
        missing: Vec<&'static str>,
        /// Every place looked in, in order, with what was found there.
        looked_in: Vec<String>,
    },
    /// Neither a tenant nor a base URL was given.
    MissingBaseUrl,
    /// The base URL is not an `http(s)` origin.
    #[non_exhaustive]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The tenant name is not a DNS label.
    #[non_exhaustive]
    InvalidTenant {
        /// The tenant as given.
        tenant: String,
    },
    /// No credentials were given.
    MissingCredentials,
    /// A credential is empty, or cannot be sent in an HTTP header.
    #[non_exhaustive]
    InvalidCredential {
        /// Which one: `client id`, `client secret` or `bearer token`.
        what: &'static str,
    },
    /// Client credentials were given, but the API's spec declares no OAuth2
    /// client-credentials flow to exchange them at, and none was set with
    /// `ClientBuilder::token_url` (or use a bearer token).
    NoTokenEndpoint,
    /// The user agent is not a valid header value.
    InvalidUserAgent,
    /// The HTTP client could not be built (e.g. no TLS backend).
    HttpClient(reqwest::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingEnv { name } => {
                write!(f, "environment variable {name} is not set or empty")
            }
            ConfigError::NotConfigured { missing, looked_in } => write!(
                f,
                "no {} configured; looked in: {}",
                missing.join(", "),
                looked_in.join("; ")
            ),
            ConfigError::InvalidEnv {
                name,
                value,
                expected,
            } => write!(
                f,
                "environment variable {name} is `{value}`; expected {expected}"
            ),
            ConfigError::MissingKey { path, key } => write!(
                f,
                "config file {}: key `{key}` is missing or empty",
                path.display()
            ),
            ConfigError::ReadFile { path, .. } => {
                write!(f, "cannot read config file {}", path.display())
            }
            ConfigError::ParseFile { path, .. } => {
                write!(f, "config file {} is not valid JSON", path.display())
            }
            ConfigError::MissingBaseUrl => f.write_str("neither a tenant nor a base URL was given"),
            ConfigError::InvalidBaseUrl { url, reason } => {
                write!(f, "invalid base URL `{url}`: {reason}")
            }
            ConfigError::InvalidTenant { tenant } => write!(
                f,
                "invalid tenant name `{tenant}`: expected letters, digits and `-`"
            ),
            ConfigError::MissingCredentials => {
                f.write_str("no credentials were given (client id and secret, or a bearer token)")
            }
            ConfigError::NoTokenEndpoint => f.write_str(
                "this API declares no OAuth2 client-credentials flow; set a token URL or authenticate with a bearer token",
            ),
            ConfigError::InvalidCredential { what } => {
                write!(f, "the {what} is empty or contains invalid characters")
            }
            ConfigError::InvalidUserAgent => {
                f.write_str("the user agent is not a valid header value")
            }
            ConfigError::HttpClient(_) => f.write_str("cannot build the HTTP client"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::ReadFile { source, .. } => Some(source),
            ConfigError::ParseFile { source, .. } => Some(source),
            ConfigError::HttpClient(source) => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, headers: &[(&'static str, &str)], body: &str) -> RawError {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        RawError::new(
            "getThing",
            StatusCode::from_u16(status).unwrap(),
            map,
            Bytes::from(body.to_owned()),
            3,
        )
    }

    #[test]
    fn display_shows_status_attempts_tracking_id_and_message() {
        let err = raw(
            400,
            &[("slpt-request-id", "hdr-id")],
            r#"{"detailCode":"400.1 Bad Request Content","trackingId":"e7eab60924f64aa284175b9fa3309599",
               "messages":[{"locale":"en-US","localeOrigin":"DEFAULT","text":"The request was syntactically correct but its content is semantically invalid."}]}"#,
        );
        assert_eq!(
            err.to_string(),
            "HTTP 400 Bad Request (3 attempts, tracking id e7eab60924f64aa284175b9fa3309599): \
             The request was syntactically correct but its content is semantically invalid."
        );
    }

    #[test]
    fn tracking_id_falls_back_to_header() {
        let err = raw(
            502,
            &[("SLPT-Request-ID", "abc123")],
            "<html>bad gateway</html>",
        );
        assert_eq!(err.tracking_id(), Some("abc123"));
        assert_eq!(
            err.to_string(),
            "HTTP 502 Bad Gateway (3 attempts, tracking id abc123): <html>bad gateway</html>"
        );
        let err = raw(500, &[("x-request-id", "xyz")], "");
        assert_eq!(
            err.to_string(),
            "HTTP 500 Internal Server Error (3 attempts, tracking id xyz): empty body"
        );
    }

    #[test]
    fn message_falls_back_through_known_fields() {
        let cases = [
            (
                r#"{"error":"invalid_grant","error_description":"expired"}"#,
                "expired",
            ),
            (
                r#"{"message":" Rate Limit Exceeded "}"#,
                "Rate Limit Exceeded",
            ),
            (r#"{"error":"Not Found"}"#, "Not Found"),
            (
                r#"{"detailCode":"404 Not found","messages":[]}"#,
                "404 Not found",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(raw(400, &[], body).message(), Some(expected), "{body}");
        }
    }

    #[test]
    fn long_bodies_are_cut_in_display_but_kept_whole() {
        let body = "x".repeat(1000);
        let err = raw(500, &[], &body);
        assert!(err.to_string().ends_with("..."));
        assert_eq!(err.text().len(), 1000);
    }

    #[test]
    fn error_accessors() {
        let err: Error<()> = Error::UnexpectedStatus(raw(503, &[], ""));
        assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(err.attempts(), Some(3));
        let err: Error<()> = Error::Timeout {
            attempts: 2,
            elapsed: Duration::from_millis(1500),
            operation_id: "getThing",
            url: "https://acme.example/oauth/token".to_owned(),
        };
        assert_eq!(err.attempts(), Some(2));
        assert_eq!(err.message(), None);
        assert_eq!(
            err.to_string(),
            "`getThing` timed out after 1.500s waiting for https://acme.example/oauth/token (2 attempts)"
        );
        let err: Error<()> = Error::ExperimentalNotEnabled {
            operation_id: "listMachineIdentities",
        };
        // @sdk if sailpoint
        assert_eq!(
            err.to_string(),
            "operation `listMachineIdentities` is experimental and was not sent; enable \
             experimental operations with `ClientBuilder::experimental(true)`, or set \
             SAIL_EXPERIMENTAL=true for `Client::from_env`"
        );
        // @sdk else
        assert_eq!(
            err.to_string(),
            "operation `listMachineIdentities` is experimental and was not sent; enable \
             experimental operations with `ClientBuilder::experimental(true)`"
        );
        // @sdk end
    }

    #[test]
    fn error_display_names_operation_url_status_and_message() {
        let err: Error<()> = Error::UnexpectedStatus(
            raw(
                404,
                &[],
                r#"{"trackingId":"t-9","messages":[{"text":"no such thing"}]}"#,
            )
            .with_url(Some("https://acme.example/v2025/things/1".to_owned())),
        );
        assert_eq!(
            err.to_string(),
            "`getThing` failed with an undocumented status: https://acme.example/v2025/things/1: \
             HTTP 404 Not Found (3 attempts, tracking id t-9): no such thing"
        );
        assert_eq!(err.message(), Some("no such thing"));
        assert_eq!(err.tracking_id(), Some("t-9"));
    }

    #[test]
    fn html_error_page_is_one_short_line_in_display() {
        let page = format!(
            "<html>\n  <head><title>502 Bad Gateway</title></head>\n<body>\n{}\n</body>\n</html>\n",
            "<p>upstream   unavailable</p>\n".repeat(50)
        );
        let err: Error<()> = Error::UnexpectedStatus(raw(502, &[], &page));
        let shown = err.to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert!(shown.starts_with(
            "`getThing` failed with an undocumented status: HTTP 502 Bad Gateway (3 attempts): \
             <html> <head><title>502 Bad Gateway</title></head> <body> <p>upstream unavailable</p> <p>"
        ), "{shown}");
        assert!(shown.ends_with("..."), "{shown}");
        assert!(shown.len() < 400, "{}", shown.len());
        assert_eq!(err.raw().unwrap().text(), page, "the body is kept whole");
        assert_eq!(err.message(), None);
    }

    #[test]
    fn huge_bodies_are_cut_in_debug_and_display_but_kept_whole() {
        let body = "y".repeat(2 * 1024 * 1024);
        let err: Error<()> = Error::UnexpectedStatus(raw(500, &[], &body));
        let debug = format!("{err:?}");
        assert!(debug.len() < 4096, "Debug is {} bytes", debug.len());
        assert!(debug.contains("... (2097152 bytes in all)"), "{debug}");
        assert!(err.to_string().len() < 400);
        assert_eq!(err.raw().unwrap().bytes().len(), body.len());

        let auth = AuthError::rejected(
            StatusCode::BAD_GATEWAY,
            HeaderMap::new(),
            body.into(),
            &Redactor::default(),
        );
        assert!(format!("{auth:?}").len() < 4096);
        assert!(auth.to_string().len() < 400);
    }

    #[test]
    fn excerpt_is_one_line_and_cut() {
        assert_eq!(excerpt("  a\n\tb  c ", 10), "a b c");
        assert_eq!(excerpt("abcdef", 3), "abc...");
        assert_eq!(excerpt("ab cd", 3), "ab ...");
        assert_eq!(excerpt("", 3), "");
    }

    #[test]
    fn auth_error_display_names_token_url_cause_and_attempts() {
        let source = AuthError::rejected(
            StatusCode::UNAUTHORIZED,
            HeaderMap::new(),
            Bytes::from_static(
                br#"{"error":"invalid_client","error_description":"Bad credentials"}"#,
            ),
            &Redactor::default(),
        );
        let err: Error<()> = Error::Auth {
            source: Box::new(source),
            attempts: 1,
            operation_id: "getThing",
            url: "https://acme.example/oauth/token".to_owned(),
        };
        assert_eq!(
            err.to_string(),
            "`getThing` failed: could not obtain an access token from \
             https://acme.example/oauth/token: token endpoint answered HTTP 401 Unauthorized: \
             invalid_client: Bad credentials (1 attempt)"
        );
        assert_eq!(err.message(), Some("Bad credentials"));
        assert_eq!(err.attempts(), Some(1));
    }

    #[test]
    fn error_chain_shows_every_source() {
        let io = std::io::Error::other("connection refused");
        let err = ConfigError::ReadFile {
            path: "/etc/x.json".into(),
            source: io,
        };
        assert_eq!(
            ErrorChain(&err).to_string(),
            "cannot read config file /etc/x.json: connection refused"
        );
    }

    #[test]
    fn auth_error_shows_oauth_error_and_description() {
        let err = AuthError::rejected(
            StatusCode::UNAUTHORIZED,
            HeaderMap::new(),
            Bytes::from_static(
                br#"{"error":"invalid_client","error_description":"Bad credentials"}"#,
            ),
            &Redactor::default(),
        );
        assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
        assert_eq!(
            err.to_string(),
            "token endpoint answered HTTP 401 Unauthorized: invalid_client: Bad credentials"
        );
    }
}
