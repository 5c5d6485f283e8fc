//! The [`Client`], how to configure it, and how it sends one request:
//! experimental gate, authentication, retries, timeouts and tracing.

use std::fmt;
use std::future::Future;
// @sdk if sailpoint
use std::path::Path;
// @sdk end
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use reqwest::StatusCode;
use tracing::field::Empty;
use tracing::Instrument;

use super::auth::{bearer_header, Secret, TokenRequestContext, TokenSource};
use super::budget::{RateBudget, RateLimit};
use super::error::{innermost, AuthError, ConfigError, Error, ErrorChain};
use super::guard::{
    discard, read_limited, redirect_of, BodyError, Redactor, Redirect, DEFAULT_MAX_RESPONSE_BODY,
};
use super::request::{encode_query, Request};
use super::response::{RawResponse, Response};
use super::retry::{is_idempotent, Failure, Retries, RetryClass, RetryPolicy};
use crate::meta;

/// Long enough for a TLS handshake across the world, short enough that a
/// wrong host or a firewall that drops packets shows within seconds.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest one attempt (token or API request) may take; the call as a
/// whole is bounded by [`RetryPolicy`]'s deadline (default 60 s).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// How the client authenticates.
///
/// `Debug` never shows the secret or the token.
///
/// ```
/// # use sailpoint_v2025::Credentials;
/// let creds = Credentials::personal_access_token("2c9180835d2e5168015d32f890ca1581", "s3cr3t");
/// assert!(!format!("{creds:?}").contains("s3cr3t"));
/// ```
#[derive(Clone)]
pub struct Credentials(CredentialsKind);

#[derive(Clone)]
enum CredentialsKind {
    ClientCredentials {
        client_id: String,
        client_secret: Secret,
    },
    Bearer(Secret),
}

impl Credentials {
    /// An OAuth2 client id and secret, exchanged for access tokens at
    /// `{origin}/oauth/token` with the client-credentials grant.
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Credentials(CredentialsKind::ClientCredentials {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
        })
    }

    /// A personal access token: its id and secret are used as an OAuth2 client
    /// id and secret (same as [`client_credentials`](Self::client_credentials)).
    pub fn personal_access_token(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self::client_credentials(id, secret)
    }

    /// An access token obtained elsewhere, sent as is; it is never refreshed.
    pub fn bearer_token(token: impl Into<String>) -> Self {
        Credentials(CredentialsKind::Bearer(Secret::new(token)))
    }

    /// The client id, for client credentials.
    pub fn client_id(&self) -> Option<&str> {
        match &self.0 {
            CredentialsKind::ClientCredentials { client_id, .. } => Some(client_id),
            CredentialsKind::Bearer(_) => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            CredentialsKind::ClientCredentials {
                client_id,
                client_secret,
            } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", client_secret)
                .finish(),
            CredentialsKind::Bearer(token) => f.debug_tuple("BearerToken").field(token).finish(),
        }
    }
}

#[derive(Debug, Clone)]
enum Target {
    Tenant(String),
    BaseUrl(String),
}

/// Configures a [`Client`].
///
/// ```no_run
/// # use std::time::Duration;
/// # use sailpoint_v2025::{Client, RetryPolicy};
/// # fn main() -> Result<(), sailpoint_v2025::ConfigError> {
/// let client = Client::builder()
///     .tenant("acme")
///     .client_credentials("client-id", "client-secret")
///     .timeout(Duration::from_secs(30))
///     .retry_policy(RetryPolicy::default().max_attempts(5))
///     .experimental(true)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    target: Option<Target>,
    credentials: Option<Credentials>,
    token_url: Option<String>,
    http_client: Option<reqwest::Client>,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: Option<String>,
    experimental: bool,
    rate_limit: Option<RateLimit>,
    max_response_body: u64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            target: None,
            credentials: None,
            token_url: None,
            http_client: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: None,
            experimental: false,
            rate_limit: Some(RateLimit::default()),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        }
    }
}

impl ClientBuilder {
    /// A builder with the defaults: no target, no credentials, 5 s connect
    /// timeout, 30 s per attempt, [`RetryPolicy::default`] (whose 60 s deadline
    /// bounds the whole call, token fetch and retries included), experimental
    /// operations disabled.
    pub fn new() -> Self {
        Self::default()
    }

    // @sdk if sailpoint
    /// Resolves the base URL and client credentials like SailPoint's other
    /// tools: each from the first place that has it of the `SAIL_*` variables
    /// (`SAIL_BASE_URL`, `SAIL_CLIENT_ID`, `SAIL_CLIENT_SECRET`), `./config.json`
    /// and the `sail` CLI's `~/.sailpoint/config.yaml` (the active environment's
    /// `baseurl`). With the `keyring` feature, a client id or secret found in
    /// none of these is read from the OS keyring, where the `sail` CLI keeps
    /// personal-access-token credentials for its active environment (the
    /// services `environments.pat.clientid` and `environments.pat.clientsecret`,
    /// the environment's name as the user). The optional `SAIL_EXPERIMENTAL`
    /// (`true` or `false`, default `false`; also `1`/`0`, `yes`/`no`) enables
    /// experimental operations like [`experimental`](Self::experimental). A
    /// setting found nowhere is [`ConfigError::NotConfigured`], which names
    /// every missing setting and every place looked in. The other settings can
    /// still be changed.
    pub fn from_env() -> Result<Self, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        Self::from_sources(&super::config::Sources::system(&env))
    }

    /// Like [`from_env`](Self::from_env), with the variables from `lookup`
    /// and no files.
    #[cfg(test)]
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_sources(&super::config::Sources {
            env: &lookup,
            cwd: None,
            home: None,
            keyring: None,
        })
    }

    fn from_sources(sources: &super::config::Sources<'_>) -> Result<Self, ConfigError> {
        let resolved = super::config::resolve(sources)?;
        Ok(Self::new()
            .base_url(resolved.base_url)
            .client_credentials(resolved.client_id, resolved.client_secret)
            .experimental(resolved.experimental))
    }

    /// Reads the `config.json` of SailPoint's Python SDK and CLI: a JSON object
    /// with the keys `BaseURL`, `ClientId` and `ClientSecret` (other keys are ignored).
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|source| ConfigError::ParseFile {
                path: path.to_owned(),
                source,
            })?;
        let get = |key: &'static str| {
            map.get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| ConfigError::MissingKey {
                    path: path.to_owned(),
                    key,
                })
        };
        Ok(Self::new()
            .base_url(get("BaseURL")?)
            .client_credentials(get("ClientId")?, get("ClientSecret")?))
    }

    // @sdk end
    // @sdk if sailpoint
    /// Targets the tenant `name`, i.e. `https://{name}.api.identitynow.com`.
    // @sdk else
    /// Targets the tenant `name`: the spec's server URL with its variable set
    /// to `name`.
    // @sdk end
    pub fn tenant(mut self, name: impl Into<String>) -> Self {
        self.target = Some(Target::Tenant(name.into()));
        self
    }

    // @sdk if sailpoint
    /// Targets an origin such as `https://acme.api.identitynow.com` (what
    /// `SAIL_BASE_URL` holds). API calls go to `{origin}/v2025/...` and tokens
    // @sdk else
    /// Targets an origin such as `https://api.example.com`. API calls go to
    /// `{origin}/v2025/...` and tokens
    // @sdk end
    /// come from `{origin}/oauth/token`. A trailing `/` or API version prefix
    /// is dropped; a path before it (e.g. a proxy's) is kept.
    pub fn base_url(mut self, origin: impl Into<String>) -> Self {
        self.target = Some(Target::BaseUrl(origin.into()));
        self
    }

    /// Sets the credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Authenticates with an OAuth2 client id and secret (or a personal access token).
    pub fn client_credentials(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.credentials(Credentials::client_credentials(client_id, client_secret))
    }

    /// Takes client-credentials tokens from `url` instead of the spec's
    /// token endpoint (`tokenUrl`): a path (starting with `/`) on the
    /// client's origin, or an absolute URL. For a token endpoint behind a
    /// proxy, or an API whose spec names none.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Authenticates with a fixed access token.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.credentials(Credentials::bearer_token(token))
    }

    /// Uses `client` for all HTTP traffic, e.g. to add a proxy or a custom root
    /// certificate. Its own connect timeout then applies instead of
    /// [`connect_timeout`](Self::connect_timeout).
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`. The client
    /// this crate builds never follows redirects; `reqwest`'s default follows up
    /// to 10, and a client that follows a 307 or 308 re-sends the request, body
    /// and client secret included, to wherever the server points, before this
    /// crate sees the answer. Such an answer is still refused
    /// ([`Error::Redirect`], [`AuthError::Redirect`]: the answer came from
    /// another URL), so no other origin's answer or token is ever used, but what
    /// the HTTP client already sent cannot be taken back.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = sailpoint_v2025::Client::builder()
    ///     .tenant("acme")
    ///     .client_credentials("client-id", "client-secret")
    ///     .http_client(http)
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The time allowed to open a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The time allowed for one attempt (a token request or an API request),
    /// from connecting to the end of the response body (default 30 s). The
    /// retry policy's [deadline](RetryPolicy::deadline) (default 60 s) bounds
    /// the whole call, token fetch and retries included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body read, in bytes (default 16 MiB). A longer body
    /// fails the call with [`Error::BodyTooLarge`] (or [`AuthError::BodyTooLarge`]
    /// from the token endpoint) as soon as the limit is passed: by its
    /// `Content-Length` before anything is read, or while it streams in, so no
    // @sdk if sailpoint
    /// more than the limit is ever buffered. A page of 250 SailPoint objects is
    /// well under 2 MiB; raise the limit for operations that download files.
    // @sdk else
    /// more than the limit is ever buffered. Raise it for operations that
    /// download files.
    // @sdk end
    pub fn max_response_body(mut self, bytes: u64) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Sets the retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header (default `sailpoint-v2025/{version}`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    // @sdk if sailpoint
    /// Allows calling experimental operations. The client then sends the
    /// `X-SailPoint-Experimental: true` header with every operation, GA ones
    /// included, so that an operation a tenant still gates works even where
    /// the API description calls it GA. Without it experimental operations
    /// fail with [`Error::ExperimentalNotEnabled`] before anything is sent
    /// (and a tenant's refusal of a GA one is [`Error::ExperimentalRequired`]).
    /// [`from_env`](Self::from_env) sets it from `SAIL_EXPERIMENTAL`;
    /// [`CallOptions::experimental`](crate::CallOptions::experimental) sets it
    /// for one call.
    // @sdk else
    /// Allows calling experimental operations. The client then sends the
    /// header the spec names for them (as `NAME: true`; none if it names
    /// none) with every operation, GA ones included, so that an operation the
    /// server still gates works even where the spec calls it GA. Without it
    /// experimental operations fail with [`Error::ExperimentalNotEnabled`]
    /// before anything is sent.
    /// [`CallOptions::experimental`](crate::CallOptions::experimental) sets it
    /// for one call.
    // @sdk end
    pub fn experimental(mut self, enabled: bool) -> Self {
        self.experimental = enabled;
        self
    }

    // @sdk if sailpoint
    /// The client-side rate budget (default [`RateLimit::default`]: 100
    /// requests per 10 seconds, SailPoint's documented default per client id).
    // @sdk else
    /// The client-side rate budget (default [`RateLimit::default`]: 100
    /// requests per 10 seconds per client id).
    // @sdk end
    ///
    /// Every request waits for budget before it is sent, instead of being sent
    /// to fail with `429`. The budget is shared by every clone of the client,
    /// and by every client of this process built for the same origin, client
    /// id and limit, because the server counts per client id (a client with a
    /// bearer token has a budget of its own). After a `429` it pauses for
    /// `Retry-After`, cuts its rate to 70 % and recovers slowly, so a server
    /// limit lower than the configured one costs a few `429`s, not a storm.
    /// The wait counts against the call's deadline, and shows in tracing.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Turns the client-side rate budget off: requests are sent at once, and
    /// `429` answers are only retried (see [`RetryPolicy`]).
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, ConfigError> {
        let origin = match self.target.ok_or(ConfigError::MissingBaseUrl)? {
            Target::Tenant(tenant) => tenant_origin(&tenant)?,
            Target::BaseUrl(url) => normalize_origin(&url)?,
        };
        let user_agent =
            HeaderValue::from_str(self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT))
                .map_err(|_| ConfigError::InvalidUserAgent)?;
        let http = match self.http_client {
            Some(client) => client,
            // Redirects are never followed: a 3xx is an error naming its `Location`,
            // so credentials and bodies go to the configured origin only.
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(ConfigError::HttpClient)?,
        };
        let credentials = self.credentials.ok_or(ConfigError::MissingCredentials)?;
        let budget = self.rate_limit.map(|limit| match credentials.client_id() {
            Some(client_id) => RateBudget::shared(&origin, client_id, limit),
            None => Arc::new(RateBudget::new(limit)),
        });
        let auth = match credentials.0 {
            CredentialsKind::Bearer(token) => {
                let header = (!token.expose().trim().is_empty())
                    .then(|| bearer_header(token.expose()))
                    .flatten()
                    .ok_or(ConfigError::InvalidCredential {
                        what: "bearer token",
                    })?;
                Auth::Bearer(header)
            }
            CredentialsKind::ClientCredentials {
                client_id,
                client_secret,
            } => {
                if client_id.trim().is_empty() {
                    return Err(ConfigError::InvalidCredential { what: "client id" });
                }
                if client_secret.expose().is_empty() {
                    return Err(ConfigError::InvalidCredential {
                        what: "client secret",
                    });
                }
                let token_url = self.token_url.as_deref().unwrap_or(meta::TOKEN_URL);
                if token_url.trim().is_empty() {
                    return Err(ConfigError::NoTokenEndpoint);
                }
                // A path is on the client's origin (the tenant's); anything
                // else is an absolute URL.
                let token_url = if token_url.starts_with('/') {
                    format!("{origin}{token_url}")
                } else {
                    token_url.to_owned()
                };
                let token_url =
                    url::Url::parse(&token_url).map_err(|e| ConfigError::InvalidBaseUrl {
                        url: origin.clone(),
                        reason: e.to_string(),
                    })?;
                Auth::OAuth(Box::new(TokenSource::new(
                    token_url,
                    client_id,
                    client_secret,
                )))
            }
        };
        let api_base = format!("{origin}{}", meta::API_PREFIX);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                origin,
                api_base,
                auth,
                retry: self.retry,
                timeout: self.timeout,
                user_agent,
                experimental: self.experimental,
                budget,
                deprecation_warned: Default::default(),
                max_response_body: self.max_response_body,
            }),
        })
    }
}

// @sdk if sailpoint
/// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any case.
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}
// @sdk end

// @sdk if sailpoint
/// `https://{tenant}.api.identitynow.com`: the spec's server URL with the tenant
/// filled in and the API prefix removed.
// @sdk else
/// The spec's server URL with the tenant filled in and the API prefix removed.
// @sdk end
fn tenant_origin(tenant: &str) -> Result<String, ConfigError> {
    let invalid = || ConfigError::InvalidTenant {
        tenant: tenant.to_owned(),
    };
    let is_label = !tenant.is_empty()
        && tenant.len() <= 63
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !tenant.starts_with('-')
        && !tenant.ends_with('-');
    let placeholder = format!("{{{}}}", meta::TENANT_VARIABLE);
    if !is_label
        || meta::TENANT_VARIABLE.is_empty()
        || !meta::SERVER_URL_TEMPLATE.contains(&placeholder)
    {
        return Err(invalid());
    }
    normalize_origin(&meta::SERVER_URL_TEMPLATE.replace(&placeholder, tenant))
}

/// Checks that `url` is an `http(s)` URL without query, fragment or user info,
/// and returns it without trailing `/` or API prefix.
fn normalize_origin(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = url::Url::parse(url.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("there is no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL cannot have a query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("a base URL cannot contain user info"));
    }
    let mut origin = parsed.as_str().trim_end_matches('/').to_owned();
    if let Some(stripped) = origin.strip_suffix(meta::API_PREFIX) {
        origin = stripped.trim_end_matches('/').to_owned();
    }
    Ok(origin)
}

// @sdk if sailpoint
/// A client for the SailPoint Identity Security Cloud API.
// @sdk else
/// A client for the API.
// @sdk end
///
/// Cheap to clone (an `Arc` inside): clones share the connection pool and the
/// token cache. `Debug` never shows secrets or tokens.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    origin: String,
    /// `{origin}{API_PREFIX}`.
    api_base: String,
    auth: Auth,
    retry: RetryPolicy,
    timeout: Duration,
    user_agent: HeaderValue,
    experimental: bool,
    /// The rate budget, shared with other clients of the same client id.
    budget: Option<Arc<RateBudget>>,
    /// Operations whose `Deprecation`/`Sunset` headers were already logged.
    deprecation_warned: std::sync::Mutex<std::collections::HashSet<&'static str>>,
    max_response_body: u64,
}

enum Auth {
    /// `Bearer {token}`, marked sensitive.
    Bearer(HeaderValue),
    // Boxed: the token cache is much larger than a header value.
    OAuth(Box<TokenSource>),
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let auth: &dyn fmt::Debug = match &inner.auth {
            Auth::Bearer(_) => &"BearerToken([redacted])",
            Auth::OAuth(source) => source,
        };
        f.debug_struct("Client")
            .field("base_url", &inner.origin)
            .field("auth", auth)
            .field("experimental", &inner.experimental)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("rate_limit", &inner.budget.as_ref().map(|b| b.limit()))
            .finish_non_exhaustive()
    }
}

/// Why [`Client::execute`] failed; independent of the operation's error type,
/// so that the request loop is compiled once rather than once per operation.
///
/// `url` is where the failure happened (origin and path, no query); `attempts`
/// counts every request sent or tried, token requests included.
#[derive(Debug)]
enum SendError {
    Experimental(&'static str),
    InvalidRequest(&'static str, String),
    Transport {
        operation_id: &'static str,
        source: reqwest::Error,
        attempts: u32,
        url: String,
    },
    Timeout {
        operation_id: &'static str,
        attempts: u32,
        elapsed: Duration,
        url: String,
    },
    Auth {
        operation_id: &'static str,
        source: Box<AuthError>,
        attempts: u32,
        url: String,
    },
    Redirect(&'static str, Redirect, u32),
    BodyTooLarge(&'static str, StatusCode, u64, u32),
}

impl<E> From<SendError> for Error<E> {
    fn from(err: SendError) -> Self {
        match err {
            SendError::Experimental(operation_id) => Error::ExperimentalNotEnabled { operation_id },
            SendError::InvalidRequest(operation_id, reason) => Error::InvalidRequest {
                operation_id,
                reason,
            },
            SendError::Transport {
                operation_id,
                source,
                attempts,
                url,
            } => Error::Transport {
                source,
                attempts,
                operation_id,
                url,
            },
            SendError::Timeout {
                operation_id,
                attempts,
                elapsed,
                url,
            } => Error::Timeout {
                attempts,
                elapsed,
                operation_id,
                url,
            },
            SendError::Auth {
                operation_id,
                source,
                attempts,
                url,
            } => Error::Auth {
                source,
                attempts,
                operation_id,
                url,
            },
            SendError::Redirect(operation_id, redirect, attempts) => Error::Redirect {
                operation_id,
                status: redirect.status,
                location: redirect.location,
                attempts,
            },
            SendError::BodyTooLarge(operation_id, status, limit, attempts) => Error::BodyTooLarge {
                operation_id,
                status,
                limit,
                attempts,
            },
        }
    }
}

/// The future of an operation's `send()` (and of awaiting its request
/// builder): the HTTP exchange, then the decoding of the response by its
/// status. It owns everything it needs (`Send + 'static` whenever the
/// operation's types are), so it can be spawned. Like every future it does
/// nothing until it is polled; polling it after it finished panics.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ResponseFuture<T, E> {
    state: State<T, E>,
}

/// A boxed exchange, the same type for every operation.
type Exchange = Pin<Box<dyn Future<Output = Result<RawResponse, SendError>> + Send>>;

enum State<T, E> {
    /// The request could not be built; nothing is sent.
    Invalid(Error<E>),
    Sending {
        exchange: Exchange,
        decode: fn(RawResponse) -> Result<Response<T>, Error<E>>,
    },
    Done,
}

impl<T, E> ResponseFuture<T, E> {
    /// A future that ends with `err` at once, sending nothing.
    #[allow(dead_code)] // Used by the pagers of operations that check their arguments.
    pub(crate) fn failed(err: Error<E>) -> Self {
        ResponseFuture {
            state: State::Invalid(err),
        }
    }
}

// Nothing of `T` or `E` is ever pinned: `poll` only moves them out.
impl<T, E> Unpin for ResponseFuture<T, E> {}

impl<T, E> Future for ResponseFuture<T, E> {
    type Output = Result<Response<T>, Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let out = match &mut this.state {
            State::Sending { exchange, decode } => match exchange.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(raw)) => decode(raw).map_err(Error::experimental_refusal),
                Poll::Ready(Err(err)) => Err(Error::from(err)),
            },
            State::Invalid(_) | State::Done => {
                match std::mem::replace(&mut this.state, State::Done) {
                    State::Invalid(err) => Err(err),
                    _ => panic!("`ResponseFuture` polled after it finished"),
                }
            }
        };
        this.state = State::Done;
        Poll::Ready(out)
    }
}

impl<T, E> fmt::Debug for ResponseFuture<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Invalid(_) => "invalid request",
            State::Sending { .. } => "sending",
            State::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}

impl SendError {
    fn attempts(&self) -> Option<u32> {
        match self {
            SendError::Transport { attempts, .. }
            | SendError::Timeout { attempts, .. }
            | SendError::Auth { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }
}

/// Origin and path of `url`, without query: safe to show in errors.
fn origin_and_path(url: &url::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// Query parameters whose values are never logged.
fn is_secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "key",
        "auth",
        "credential",
        "signature",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// `url` as sent, with the values of secret-looking query parameters replaced
/// by `[redacted]`: for logs, where the filters and paging should show.
fn loggable_url(url: &url::Url) -> String {
    let Some(query) = url.query() else {
        return url.to_string();
    };
    let shown: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let decoded: String = url::form_urlencoded::parse(name.as_bytes())
                .map(|(k, _)| k.into_owned())
                .collect();
            if is_secret_param(&decoded) {
                format!("{name}=[redacted]")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{}?{}", origin_and_path(url), shown.join("&"))
}

impl Client {
    /// A [`ClientBuilder`] with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    // @sdk if sailpoint
    /// A client configured like SailPoint's other tools: the `SAIL_*`
    /// variables, then `./config.json`, then the `sail` CLI's
    /// `~/.sailpoint/config.yaml`; see [`ClientBuilder::from_env`] for the
    /// details and to change other settings.
    pub fn from_env() -> Result<Client, ConfigError> {
        ClientBuilder::from_env()?.build()
    }

    /// A client configured from the Python SDK's `config.json`; see
    /// [`ClientBuilder::from_config_file`].
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Client, ConfigError> {
        ClientBuilder::from_config_file(path)?.build()
    }

    // @sdk end
    // @sdk if sailpoint
    /// The origin requests go to, e.g. `https://acme.api.identitynow.com`.
    // @sdk else
    /// The origin requests go to, e.g. `https://api.example.com`.
    // @sdk end
    pub fn base_url(&self) -> &str {
        &self.inner.origin
    }

    /// Whether experimental operations may be called.
    pub fn experimental_enabled(&self) -> bool {
        self.inner.experimental
    }

    /// Sends `req` with authentication, the experimental gate and header,
    /// retries, timeouts and tracing. Returns the final HTTP response whatever
    /// its status.
    pub(crate) async fn execute<E>(&self, req: Request) -> Result<RawResponse, Error<E>> {
        self.send(req).await.map_err(Error::from)
    }

    /// Sends `req` (or returns why it is invalid) and decodes the response
    /// with `decode`: what every operation's `send` returns. The exchange is
    /// one boxed future that does not depend on the operation's types, so
    /// the crate has no `async` body per operation for the compiler to lay
    /// out and check for `Send` (issue 13 part 5: compile cost).
    #[allow(dead_code)] // Unused by a spec with no operation.
    pub(crate) fn send_decoded<T, E>(
        self,
        req: Result<Request, Error<E>>,
        decode: fn(RawResponse) -> Result<Response<T>, Error<E>>,
    ) -> ResponseFuture<T, E> {
        let state = match req {
            Ok(req) => State::Sending {
                exchange: Box::pin(async move { self.send(req).await }),
                decode,
            },
            Err(err) => State::Invalid(err),
        };
        ResponseFuture { state }
    }

    async fn send(&self, req: Request) -> Result<RawResponse, SendError> {
        let op = req.op;
        let span = tracing::info_span!(
            // @sdk if sailpoint
            "sailpoint.request",
            // @sdk else
            "sdk.request",
            // @sdk end
            operation_id = op.id,
            method = %op.method,
            url = Empty,
            status = Empty,
            attempts = Empty,
            elapsed_ms = Empty,
        );
        let start = Instant::now();
        let result = self
            .send_attempts(req, start)
            .instrument(span.clone())
            .await;
        // Recorded once, at the end: the outcome of the call.
        let elapsed_ms = start.elapsed().as_millis() as u64;
        span.record("elapsed_ms", elapsed_ms);
        match &result {
            Ok(raw) => {
                span.record("status", raw.status.as_u16());
                span.record("attempts", raw.attempts);
            }
            Err(err) => {
                if let Some(attempts) = err.attempts() {
                    span.record("attempts", attempts);
                }
            }
        }
        result
    }

    fn prepare(&self, req: &Request) -> Result<(url::Url, HeaderMap), SendError> {
        let op = req.op;
        let invalid = |reason: String| SendError::InvalidRequest(op.id, reason);
        let url_text = format!("{}{}", self.inner.api_base, req.path);
        let mut url = url::Url::parse(&url_text).map_err(|e| invalid(e.to_string()))?;
        // URL parsing resolves `.` and `..` segments, even percent-encoded ones
        // (`%2E%2E`); a path parameter must never address another resource, so the
        // parsed URL has to be exactly the text we built.
        if url.as_str() != url_text || !req.path.starts_with('/') {
            return Err(invalid(format!(
                "the path `{}` would not be sent as is \
                 (a `.` or `..` segment, or characters that are not percent-encoded)",
                req.path
            )));
        }
        // An empty path parameter addresses another resource too: `/things/{id}`
        // with `id = ""` is `/things/`, the collection. Parameters are percent-encoded
        // into one segment each, so the template's segments line up with the path's.
        let empty_param = op
            .path_template
            .split('/')
            .zip(req.path.split('/'))
            .any(|(template, segment)| template.contains('{') && segment.is_empty());
        if empty_param {
            return Err(invalid(format!(
                "a path parameter of `{}` is empty",
                op.path_template
            )));
        }
        if !req.query.is_empty() || !req.options.query.is_empty() {
            url.set_query(Some(&query_with_options(req)));
        }

        let mut headers = HeaderMap::with_capacity(req.headers.len() + 4);
        headers.insert(USER_AGENT, self.inner.user_agent.clone());
        if let Some(accept) = req.accept {
            let value = HeaderValue::from_str(accept)
                .map_err(|_| invalid(format!("invalid Accept value `{accept}`")))?;
            headers.insert(ACCEPT, value);
        }
        if let Some(body) = &req.body {
            let value = HeaderValue::from_str(&body.content_type)
                .map_err(|_| invalid(format!("invalid Content-Type `{}`", body.content_type)))?;
            headers.insert(CONTENT_TYPE, value);
        }
        for (name, value) in &req.headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(format!("invalid header name `{name}`")))?;
            let header_value = HeaderValue::from_str(value).map_err(|_| {
                invalid(format!(
                    "the value of header `{name}` cannot be sent in HTTP"
                ))
            })?;
            headers.append(header_name, header_value);
        }
        // A spec that names no header only gates its experimental operations.
        // A call that opted in sends the header to every operation (see
        // `CallOptions::experimental_opt_in`).
        if req.options.experimental_opt_in(self.inner.experimental)
            && !meta::EXPERIMENTAL_HEADER.is_empty()
        {
            let name =
                HeaderName::from_bytes(meta::EXPERIMENTAL_HEADER.as_bytes()).map_err(|_| {
                    invalid(format!(
                        "invalid header name `{}`",
                        meta::EXPERIMENTAL_HEADER
                    ))
                })?;
            headers.insert(name, HeaderValue::from_static("true"));
        }
        extra_headers(&req.options.headers, &mut headers).map_err(invalid)?;
        Ok((url, headers))
    }

    async fn send_attempts(&self, req: Request, start: Instant) -> Result<RawResponse, SendError> {
        let op = req.op;
        let span = tracing::Span::current();
        if op.experimental && !req.options.experimental_opt_in(self.inner.experimental) {
            tracing::debug!("experimental operation refused: not enabled on this client");
            return Err(SendError::Experimental(op.id));
        }
        let (url, headers) = self.prepare(&req)?;
        let shown_url = origin_and_path(&url);
        let logged_url = loggable_url(&url);
        span.record("url", logged_url.as_str());
        let policy = req.options.retry.as_ref().unwrap_or(&self.inner.retry);
        let attempt_limit = req.options.timeout.unwrap_or(self.inner.timeout);
        let deadline = policy.deadline_limit().and_then(|d| start.checked_add(d));
        // Token requests sent or tried for this call, counted by the token source.
        let token_attempts = AtomicU32::new(0);
        let mut api_attempts = 0u32;
        let total = |api: u32| api + token_attempts.load(Ordering::Relaxed);
        // Whether this request may be sent twice: it decides which failures are
        // retried (see `RetryClass`).
        let idempotent = is_idempotent(&op.method);
        let mut retries = Retries::new(policy, deadline);
        let mut refreshed_after_401 = false;
        loop {
            if let Some(budget) = &self.inner.budget {
                match budget.acquire(deadline).await {
                    Ok(waited) if !waited.is_zero() => tracing::debug!(
                        wait_ms = waited.as_millis() as u64,
                        "waited for the rate budget"
                    ),
                    Ok(_) => {}
                    Err(over) => {
                        tracing::info!(
                            wait_ms = over.wait.as_millis() as u64,
                            "the rate budget has no room before the deadline"
                        );
                        return Err(SendError::Timeout {
                            operation_id: op.id,
                            attempts: total(api_attempts),
                            elapsed: start.elapsed(),
                            url: shown_url,
                        });
                    }
                }
            }
            let (authorization, generation) = match &self.inner.auth {
                Auth::Bearer(header) => (header.clone(), None),
                Auth::OAuth(source) => {
                    let ctx = TokenRequestContext {
                        http: &self.inner.http,
                        user_agent: &self.inner.user_agent,
                        timeout: attempt_limit,
                        retry: policy,
                        deadline,
                        max_body: self.inner.max_response_body,
                        attempts: &token_attempts,
                    };
                    let before = token_attempts.load(Ordering::Relaxed);
                    let fetch_start = Instant::now();
                    let result = source.token(&ctx).await;
                    let sent = token_attempts.load(Ordering::Relaxed) - before;
                    let latency_ms = fetch_start.elapsed().as_millis() as u64;
                    let token_url = source.token_url();
                    match result {
                        Ok(token) => {
                            if sent > 0 {
                                tracing::info!(
                                    token_url,
                                    token_attempts = sent,
                                    latency_ms,
                                    "access token fetched"
                                );
                            }
                            (token.header, Some(token.generation))
                        }
                        Err(err) => {
                            tracing::warn!(
                                token_url,
                                token_attempts = sent,
                                latency_ms,
                                error = %ErrorChain(&err),
                                "no access token"
                            );
                            let attempts = total(api_attempts);
                            let url = token_url.to_owned();
                            return Err(match err {
                                AuthError::Transport(e) if e.is_timeout() => SendError::Timeout {
                                    operation_id: op.id,
                                    attempts,
                                    elapsed: start.elapsed(),
                                    url,
                                },
                                source => SendError::Auth {
                                    operation_id: op.id,
                                    source: Box::new(source),
                                    attempts,
                                    url,
                                },
                            });
                        }
                    }
                }
            };
            let Some(timeout) = retries.attempt_timeout(attempt_limit, Instant::now()) else {
                return Err(SendError::Timeout {
                    operation_id: op.id,
                    attempts: total(api_attempts),
                    elapsed: start.elapsed(),
                    url: shown_url,
                });
            };
            let sent_at = Instant::now();
            api_attempts += 1;
            let attempt = api_attempts;
            let mut builder = self
                .inner
                .http
                .request(op.method.clone(), url.clone())
                .headers(headers.clone())
                .header(AUTHORIZATION, authorization.clone())
                .timeout(timeout);
            if let Some(body) = &req.body {
                builder = builder.body(body.bytes.clone());
            }

            let attempt_start = Instant::now();
            let failure = match builder.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    tracing::debug!(
                        attempt,
                        url = logged_url.as_str(),
                        status = status.as_u16(),
                        latency_ms = attempt_start.elapsed().as_millis() as u64,
                        tracking_id = tracking_header(resp.headers()),
                        "response"
                    );
                    let class = RetryClass::of_response(
                        status,
                        resp.headers(),
                        idempotent,
                        std::time::SystemTime::now(),
                    );
                    if let Some(budget) = &self.inner.budget {
                        match class {
                            RetryClass::Throttled { retry_after } => budget.throttled(
                                sent_at,
                                retry_after.map(|delay| policy.cap_retry_after(delay)),
                            ),
                            _ => budget.succeeded(),
                        }
                    }
                    if let Some(redirect) = redirect_of(&resp, &url) {
                        return Err(refuse_redirect(
                            op.id,
                            redirect,
                            &authorization,
                            total(api_attempts),
                        ));
                    }
                    if class == RetryClass::Unauthorized && !refreshed_after_401 {
                        if let (Auth::OAuth(source), Some(generation)) =
                            (&self.inner.auth, generation)
                        {
                            // The token may have been revoked or expired early: fetch a
                            // new one and send once more. The request was not processed,
                            // so this is safe for every method, and it is not a retry.
                            tracing::info!(attempt, "401: refreshing the access token");
                            refreshed_after_401 = true;
                            // Read the body so that the connection can be reused.
                            discard(resp).await;
                            source.invalidate(generation).await;
                            continue;
                        }
                    }
                    if let Some(delay) = retries.next(class, Instant::now()) {
                        tracing::info!(
                            attempt,
                            status = status.as_u16(),
                            delay_ms = delay.as_millis() as u64,
                            reason = class.reason(),
                            "retrying"
                        );
                        discard(resp).await;
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    let headers = resp.headers().clone();
                    self.warn_deprecation(op.id, &headers);
                    match read_limited(resp, self.inner.max_response_body).await {
                        Ok(body) => {
                            // An error body may echo the request; the access
                            // token must not reach an error's Display, Debug or
                            // a log line, whatever the server sends.
                            let body = if status.is_success() {
                                body
                            } else {
                                redact_token(body, &authorization)
                            };
                            return Ok(RawResponse {
                                operation_id: op.id,
                                status,
                                headers,
                                body,
                                attempts: total(api_attempts),
                                url: Some(shown_url),
                            });
                        }
                        Err(BodyError::TooLarge) => {
                            return Err(SendError::BodyTooLarge(
                                op.id,
                                status,
                                self.inner.max_response_body,
                                total(api_attempts),
                            ))
                        }
                        Err(BodyError::Transport(err)) => err,
                    }
                }
                Err(err) => err,
            };
            tracing::debug!(
                attempt,
                url = logged_url.as_str(),
                latency_ms = attempt_start.elapsed().as_millis() as u64,
                error = %innermost(&failure),
                "no response"
            );

            let class = RetryClass::of_failure(Failure::of(&failure), idempotent);
            if let Some(delay) = retries.next(class, Instant::now()) {
                tracing::info!(
                    attempt,
                    delay_ms = delay.as_millis() as u64,
                    reason = class.reason(),
                    error = %innermost(&failure),
                    "retrying"
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            let attempts = total(api_attempts);
            return Err(if failure.is_timeout() {
                SendError::Timeout {
                    operation_id: op.id,
                    attempts,
                    elapsed: start.elapsed(),
                    url: shown_url,
                }
            } else {
                SendError::Transport {
                    operation_id: op.id,
                    source: failure,
                    attempts,
                    url: shown_url,
                }
            });
        }
    }
}

/// Tokens shorter than this are not looked for in error bodies.
const MIN_REDACTED_TOKEN: usize = 8;

/// `body` with the access token of `authorization` (in any of the spellings
/// [`Redactor`] knows) replaced by `[REDACTED]`; unchanged when it holds none
/// or is not text.
fn redact_token(body: bytes::Bytes, authorization: &HeaderValue) -> bytes::Bytes {
    let Some(token) = authorization
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return body;
    };
    // A token of a few characters cannot be told from the text around it
    // (a test's `t`); real access tokens are far longer.
    if token.len() < MIN_REDACTED_TOKEN {
        return body;
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return body;
    };
    let redacted = Redactor::new([token]).redact(text);
    if redacted == text {
        body
    } else {
        bytes::Bytes::from(redacted)
    }
}

/// The error for a redirect from the API: never followed, never resent, and
/// its `Location` cleaned of the access token should the server echo it.
fn refuse_redirect(
    operation_id: &'static str,
    mut redirect: Redirect,
    authorization: &HeaderValue,
    attempts: u32,
) -> SendError {
    tracing::debug!(
        status = redirect.status.as_u16(),
        "redirect refused: it is never followed"
    );
    let token = authorization
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    redirect.location = redirect.location.map(|l| Redactor::new([token]).redact(&l));
    SendError::Redirect(operation_id, redirect, attempts)
}

/// The query string of `req`: the operation's parameters, then the per-call extras.
fn query_with_options(req: &Request) -> String {
    let own = encode_query(&req.query);
    let extra = encode_query(&req.options.query);
    match (own.is_empty(), extra.is_empty()) {
        (_, true) => own,
        (true, false) => extra,
        (false, false) => format!("{own}&{extra}"),
    }
}

/// Adds the per-call headers to `headers`, replacing same-named ones; refuses
/// `Authorization` and the experimental header, which only the client sets.
fn extra_headers(extra: &[(String, String)], headers: &mut HeaderMap) -> Result<(), String> {
    for (name, value) in extra {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name `{name}`"))?;
        if header_name == AUTHORIZATION
            || header_name
                .as_str()
                .eq_ignore_ascii_case(meta::EXPERIMENTAL_HEADER)
        {
            return Err(format!(
                "the header `{name}` is set by the client and cannot be overridden per call"
            ));
        }
        let header_value = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header `{name}` cannot be sent in HTTP"))?;
        headers.insert(header_name, header_value);
    }
    Ok(())
}

impl Client {
    /// Logs a `Deprecation` or `Sunset` response header at WARN, once per
    /// operation for this client (and its clones).
    fn warn_deprecation(&self, operation_id: &'static str, headers: &HeaderMap) {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (deprecation, sunset) = (text("deprecation"), text("sunset"));
        if deprecation.is_none() && sunset.is_none() {
            return;
        }
        let first = self
            .inner
            .deprecation_warned
            .lock()
            .map(|mut seen| seen.insert(operation_id))
            .unwrap_or(false);
        if first {
            tracing::warn!(
                operation_id,
                deprecation,
                sunset,
                "the server marks this operation deprecated"
            );
        }
    }
}

// @sdk if sailpoint
/// SailPoint's tracking id header of a response, for logs.
// @sdk else
/// The tracking id header of a response, for logs.
// @sdk end
fn tracking_header(headers: &HeaderMap) -> Option<&str> {
    ["slpt-request-id", "x-request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

#[cfg(test)]
mod tests {
    // @sdk if sailpoint
    use std::collections::HashMap;

    // @sdk end
    use super::*;

    // @sdk if sailpoint
    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    const FULL_ENV: [(&str, &str); 3] = [
        ("SAIL_BASE_URL", "https://acme.api.identitynow.com/"),
        ("SAIL_CLIENT_ID", "id-1"),
        ("SAIL_CLIENT_SECRET", "secret-1"),
    ];

    #[test]
    fn env_configures_base_url_and_client_credentials() {
        let client = ClientBuilder::from_lookup(lookup(&FULL_ENV))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "https://acme.api.identitynow.com");
        let debug = format!("{client:?}");
        assert!(
            debug.contains("id-1") && !debug.contains("secret-1"),
            "{debug}"
        );
    }

    #[test]
    fn sail_experimental_enables_experimental_operations() {
        let with = |value: Option<&str>| {
            let mut vars = FULL_ENV.to_vec();
            if let Some(value) = value {
                vars.push(("SAIL_EXPERIMENTAL", value));
            }
            ClientBuilder::from_lookup(lookup(&vars)).map(|b| b.build().unwrap())
        };
        for (value, expected) in [
            (None, false),
            (Some(""), false),
            (Some("true"), true),
            (Some(" TRUE "), true),
            (Some("1"), true),
            (Some("yes"), true),
            (Some("false"), false),
            (Some("0"), false),
        ] {
            let client = with(value).unwrap();
            assert_eq!(client.experimental_enabled(), expected, "{value:?}");
        }
        let err = with(Some("maybe")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable SAIL_EXPERIMENTAL is `maybe`; expected true or false"
        );
    }

    // @sdk end
    #[test]
    fn default_limits() {
        let builder = ClientBuilder::new();
        assert_eq!(builder.connect_timeout, Duration::from_secs(5));
        assert_eq!(builder.timeout, Duration::from_secs(30));
        assert_eq!(
            builder.retry.deadline_limit(),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn logged_urls_hide_secret_query_values() {
        let url = url::Url::parse(
            "https://acme.example/v2025/things?filters=name%20eq%20%22x%22&api_key=k1&accessToken=t1&limit=5",
        )
        .unwrap();
        let logged = loggable_url(&url);
        assert!(!logged.contains("k1") && !logged.contains("t1"), "{logged}");
        assert_eq!(
            logged,
            "https://acme.example/v2025/things?filters=name%20eq%20%22x%22\
             &api_key=[redacted]&accessToken=[redacted]&limit=5"
        );
        assert_eq!(origin_and_path(&url), "https://acme.example/v2025/things");
    }

    // @sdk if sailpoint
    #[test]
    fn missing_or_empty_env_var_is_named() {
        for missing in ["SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET"] {
            for replacement in [None, Some("  ")] {
                let vars: Vec<_> = FULL_ENV
                    .iter()
                    .filter_map(|&(k, v)| match (k == missing, replacement) {
                        (false, _) => Some((k, v)),
                        (true, Some(r)) => Some((k, r)),
                        (true, None) => None,
                    })
                    .collect();
                let err = ClientBuilder::from_lookup(lookup(&vars)).unwrap_err();
                let setting = match missing {
                    "SAIL_BASE_URL" => "base URL",
                    "SAIL_CLIENT_ID" => "client id",
                    _ => "client secret",
                };
                assert!(
                    matches!(&err, ConfigError::NotConfigured { missing, .. } if missing == &[setting]),
                    "{err:?}"
                );
                assert!(err.to_string().starts_with(&format!("no {setting} configured; looked in: the environment variables SAIL_BASE_URL")), "{err}");
            }
        }
    }

    fn write_config(name: &str, contents: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "sailpoint-runtime-test-{}-{name}.json",
            std::process::id()
        ));
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn config_file_is_read_like_the_python_sdk() {
        let path = write_config(
            "ok",
            r#"{"BaseURL": "https://acme.api.identitynow.com", "ClientId": "id-2",
                "ClientSecret": "secret-2", "Debug": false}"#,
        );
        let client = Client::from_config_file(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(client.base_url(), "https://acme.api.identitynow.com");
    }

    #[test]
    fn config_file_missing_key_is_named() {
        let path = write_config(
            "missing",
            r#"{"BaseURL": "https://acme.api.identitynow.com", "ClientId": "id-2", "ClientSecret": ""}"#,
        );
        let err = Client::from_config_file(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(
            matches!(
                err,
                ConfigError::MissingKey {
                    key: "ClientSecret",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("`ClientSecret`"), "{err}");
    }

    #[test]
    fn config_file_errors() {
        let err = Client::from_config_file("/nonexistent/config.json").unwrap_err();
        assert!(matches!(err, ConfigError::ReadFile { .. }), "{err:?}");
        let path = write_config("bad", "not json");
        let err = Client::from_config_file(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(err, ConfigError::ParseFile { .. }), "{err:?}");
    }

    #[test]
    fn tenant_gives_identitynow_origin() {
        assert_eq!(
            tenant_origin("acme").unwrap(),
            "https://acme.api.identitynow.com"
        );
        for bad in ["", "a.b", "a/b", "-a", "a b", "evil.com#"] {
            assert!(
                matches!(tenant_origin(bad), Err(ConfigError::InvalidTenant { .. })),
                "{bad:?}"
            );
        }
    }

    // @sdk end
    #[test]
    fn base_url_normalization_table() {
        let ok = [
            (
                "https://acme.api.example.com",
                "https://acme.api.example.com",
            ),
            (
                "https://acme.api.example.com/",
                "https://acme.api.example.com",
            ),
            (
                "https://acme.api.example.com/v2025",
                "https://acme.api.example.com",
            ),
            (
                "https://acme.api.example.com/v2025/",
                "https://acme.api.example.com",
            ),
            (
                "HTTPS://ACME.api.example.com",
                "https://acme.api.example.com",
            ),
            ("http://127.0.0.1:4010", "http://127.0.0.1:4010"),
            (
                "http://localhost:8080/proxy/",
                "http://localhost:8080/proxy",
            ),
        ];
        for (input, expected) in ok {
            assert_eq!(normalize_origin(input).unwrap(), expected, "{input}");
        }
        for bad in [
            "acme.api.example.com",
            "ftp://acme.api.example.com",
            "https://acme.api.example.com/?x=1",
            "https://acme.api.example.com/#frag",
            "https://user:pw@acme.api.example.com",
        ] {
            assert!(
                matches!(
                    normalize_origin(bad),
                    Err(ConfigError::InvalidBaseUrl { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn build_requires_target_and_credentials() {
        let err = Client::builder().bearer_token("t").build().unwrap_err();
        assert!(matches!(err, ConfigError::MissingBaseUrl), "{err:?}");
        let err = Client::builder()
            .base_url("https://api.example.com")
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::MissingCredentials), "{err:?}");
        let cases = [
            (Credentials::client_credentials("", "s"), "client id"),
            (Credentials::client_credentials("id", ""), "client secret"),
            (Credentials::bearer_token(""), "bearer token"),
            (Credentials::bearer_token("a\nb"), "bearer token"),
        ];
        for (credentials, expected) in cases {
            let err = Client::builder()
                .base_url("https://api.example.com")
                .credentials(credentials)
                .build()
                .unwrap_err();
            assert!(
                matches!(err, ConfigError::InvalidCredential { what } if what == expected),
                "{err:?}"
            );
        }
        let err = Client::builder()
            .base_url("https://api.example.com")
            .bearer_token("t")
            .user_agent("bad\nagent")
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidUserAgent), "{err:?}");
    }

    #[test]
    fn token_url_overrides_the_spec_and_a_blank_one_is_no_token_endpoint() {
        let built = |url: &str| {
            Client::builder()
                .base_url("https://api.example.com")
                .client_credentials("id", "secret")
                .token_url(url)
                .build()
        };
        assert!(built("/oauth/token").is_ok());
        assert!(built("https://auth.example.com/token").is_ok());
        let err = built(" ").unwrap_err();
        assert!(matches!(err, ConfigError::NoTokenEndpoint), "{err:?}");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let builder = Client::builder()
            .base_url("https://api.example.com")
            .client_credentials("my-id", "my-secret")
            .token_url("/oauth/token");
        let client = builder.clone().build().unwrap();
        let bearer = Credentials::bearer_token("my-token");
        let bearer_client = Client::builder()
            .base_url("https://api.example.com")
            .credentials(bearer.clone())
            .build()
            .unwrap();
        let shown = format!(
            "{builder:?} {client:?} {bearer:?} {bearer_client:?} {:?}",
            builder.clone().bearer_token("my-token")
        );
        assert!(shown.contains("my-id"), "{shown}");
        assert!(!shown.contains("my-secret"), "{shown}");
        assert!(!shown.contains("my-token"), "{shown}");
        assert_eq!(bearer.client_id(), None);
        assert_eq!(
            Credentials::personal_access_token("pat-id", "x").client_id(),
            Some("pat-id")
        );
    }
}
