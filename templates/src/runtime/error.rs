//! Error types: [`Error`] for API calls, [`AuthError`] for the token endpoint
//! and [`ConfigError`] for building a client.
//!
//! `Display` messages never repeat the message of their `source()`, so that
//! error reporters that walk the chain print each cause once.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::guard::Redactor;

/// Response headers that carry SailPoint's request tracking id, in order of preference.
const TRACKING_HEADERS: [&str; 2] = ["slpt-request-id", "x-request-id"];

/// How much of an unparsed body `Display` shows.
const BODY_SNIPPET_CHARS: usize = 300;

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
    /// [`ClientBuilder::experimental(true)`](super::ClientBuilder::experimental).
    /// Nothing was sent.
    ExperimentalNotEnabled {
        /// The operation's `operationId`.
        operation_id: &'static str,
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
        /// How many HTTP requests were sent or tried.
        attempts: u32,
    },
    /// The last attempt timed out, or the retry policy's deadline passed.
    Timeout {
        /// How many HTTP requests were sent or tried.
        attempts: u32,
        /// Time spent on the whole call, retries included.
        elapsed: Duration,
    },
    /// No access token could be obtained.
    Auth(AuthError),
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
            Error::UnexpectedStatus(raw) | Error::Decode { raw, .. } => Some(raw),
            _ => None,
        }
    }

    /// How many HTTP requests were made for the call, if any were.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Transport { attempts, .. }
            | Error::Timeout { attempts, .. }
            | Error::Redirect { attempts, .. }
            | Error::BodyTooLarge { attempts, .. } => Some(*attempts),
            _ => self.raw().map(RawError::attempts),
        }
    }

    /// SailPoint's tracking id for the failed request, if the server sent one.
    /// Quote it when contacting SailPoint support.
    pub fn tracking_id(&self) -> Option<&str> {
        self.raw().and_then(RawError::tracking_id)
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => write!(f, "`{}` failed: {}", api.raw().operation_id(), api.raw()),
            Error::UnexpectedStatus(raw) => write!(
                f,
                "`{}` answered with an undocumented status: {raw}",
                raw.operation_id()
            ),
            Error::Decode { raw, .. } => write!(
                f,
                "`{}` answered with an undecodable body: {raw}",
                raw.operation_id()
            ),
            Error::ExperimentalNotEnabled { operation_id } => write!(
                f,
                "operation `{operation_id}` is experimental; \
                 build the client with `.experimental(true)` to call it"
            ),
            Error::InvalidRequest {
                operation_id,
                reason,
            } => write!(f, "invalid request for `{operation_id}`: {reason}"),
            Error::Transport { attempts, .. } => {
                write!(f, "HTTP transport error ({})", Attempts(*attempts))
            }
            Error::Timeout { attempts, elapsed } => write!(
                f,
                "request timed out after {:.3}s ({})",
                elapsed.as_secs_f64(),
                Attempts(*attempts)
            ),
            Error::Auth(_) => f.write_str("could not obtain an access token"),
            Error::Config(_) => f.write_str("invalid client configuration"),
            Error::Serialize(_) => f.write_str("could not serialize the request body"),
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
                match location {
                    Some(location) => write!(f, "; it points to {location}"),
                    None => Ok(()),
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
            ),
            Error::RepeatedPage {
                operation_id,
                offset,
                first_offset,
            } => write!(
                f,
                "paging `{operation_id}` stopped: the page at offset {offset} repeats \
                 the page at offset {first_offset} (does the server ignore `offset`?)"
            ),
            Error::OffsetOverflow {
                operation_id,
                offset,
                max,
            } => write!(
                f,
                "paging `{operation_id}` stopped: the next offset {offset} is above \
                 the largest `offset` the API allows ({max})"
            ),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode { source, .. } | Error::Serialize(source) => Some(source),
            Error::Transport { source, .. } => Some(source),
            Error::Auth(source) => Some(source),
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

impl<E> From<AuthError> for Error<E> {
    fn from(err: AuthError) -> Self {
        Error::Auth(err)
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

    /// How many HTTP requests were made for the call.
    pub fn attempts(&self) -> u32 {
        self.0.raw.attempts()
    }

    /// SailPoint's tracking id (see [`RawError::tracking_id`]).
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
}

/// SailPoint's tracking id and the server's message, from an error body and headers.
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
    // SailPoint's ErrorResponseDto puts the text in messages[0].text; the
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
        }))
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

    /// How many HTTP requests were made for the call.
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// SailPoint's tracking id: `trackingId` from the JSON error body, else the
    /// `SLPT-Request-ID` (or `X-Request-Id`) response header.
    pub fn tracking_id(&self) -> Option<&str> {
        self.0.tracking_id.as_deref()
    }

    /// The server's message: `messages[0].text` of SailPoint's error body, else
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
            .field("headers", &self.0.headers)
            .field("body", &self.text())
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
            None => {
                let text = self.text();
                let mut chars = text.chars();
                let snippet: String = chars.by_ref().take(BODY_SNIPPET_CHARS).collect();
                let more = if chars.next().is_some() { "..." } else { "" };
                write!(f, ": {snippet}{more}")
            }
        }
    }
}

impl std::error::Error for RawError {}

/// The token endpoint (`{origin}/oauth/token`) did not hand out an access token.
///
/// Never contains the client secret or a token: whatever the server echoes,
/// they are replaced by `[REDACTED]` in every stored body and message.
///
/// `Clone`, because one failed token request is the outcome of every call that
/// was waiting for it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint answered with an error status, e.g. 401 `invalid_client`.
    #[non_exhaustive]
    Rejected {
        /// The HTTP status.
        status: StatusCode,
        /// The OAuth2 `error` code (e.g. `invalid_client`), or SailPoint's message.
        error: Option<String>,
        /// The OAuth2 `error_description`.
        error_description: Option<String>,
        /// SailPoint's tracking id, if sent.
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
                    (None, None) => {
                        let snippet: String = body.chars().take(BODY_SNIPPET_CHARS).collect();
                        write!(f, ": {snippet}")
                    }
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
        /// The variable's name, e.g. `SAIL_CLIENT_SECRET`.
        name: &'static str,
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
        };
        assert_eq!(err.attempts(), Some(2));
        assert_eq!(
            err.to_string(),
            "request timed out after 1.500s (2 attempts)"
        );
        let err: Error<()> = Error::ExperimentalNotEnabled {
            operation_id: "listMachineIdentities",
        };
        assert!(err.to_string().contains("listMachineIdentities"));
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
