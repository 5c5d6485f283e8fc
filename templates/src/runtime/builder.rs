//! How a [`Client`] is configured and built ([`ClientBuilder`]): credentials,
//! target, limits, retry policy and rate budget.

use std::fmt;
// @sdk if sailpoint
use std::path::Path;
// @sdk end
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::auth::{bearer_header, Secret, TokenSource};
use super::budget::{RateBudget, RateLimit};
use super::client::{Auth, Client, Inner};
use super::error::ConfigError;
use super::guard::DEFAULT_MAX_RESPONSE_BODY;
use super::retry::RetryPolicy;
use crate::meta;

/// Long enough for a TLS handshake across the world, short enough that a
/// wrong host or a firewall that drops packets shows within seconds.
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest one call may take, token fetch, every attempt, every wait
/// for the rate budget and between retries included.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest one attempt (a token request or an API request) may take,
/// within the call's timeout.
pub(crate) const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
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
    attempt_timeout: Duration,
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
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
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
    /// timeout, 60 s per call (token fetch and retries included), 30 s per
    /// attempt, [`RetryPolicy::default`], experimental operations disabled.
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
    /// come from `{origin}/oauth/token`.
    ///
    /// It is an **origin**: scheme, host and optional port. A trailing `/`,
    /// and this API's own prefix (`/v2025`), are dropped; any other path is
    /// kept as a proxy's prefix, put before every path the client calls. A
    /// path that ends in another API version (`/v3`, `/v2024`, `/beta`) is
    /// refused by [`build`](Self::build) with [`ConfigError::InvalidBaseUrl`]
    /// rather than sent to `{origin}/v3/v2025/...` and `{origin}/v3/oauth/token`.
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
    /// ([`Error::Redirect`](super::Error::Redirect), [`AuthError::Redirect`](super::AuthError::Redirect): the answer came from
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

    /// The time allowed for a whole call (default 60 s): the token fetch,
    /// every attempt, and every wait for the rate budget and between retries.
    /// When it runs out the call ends with [`Error::Timeout`](super::Error::Timeout),
    /// whatever attempt is in flight; no retry starts that could not start
    /// before it. [`CallOptions::timeout`](super::CallOptions::timeout) sets
    /// it for one call, and [`attempt_timeout`](Self::attempt_timeout) bounds
    /// each attempt within it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time allowed for one attempt (a token request or an API
    /// request), from connecting to the end of the response body (default
    /// 30 s), within the call's [`timeout`](Self::timeout). An attempt that
    /// runs out is retried like a lost connection (see [`RetryPolicy`]).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// The largest response body read, in bytes (default 16 MiB). A longer body
    /// fails the call with [`Error::BodyTooLarge`](super::Error::BodyTooLarge) (or [`AuthError::BodyTooLarge`](super::AuthError::BodyTooLarge)
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
    /// fail with [`Error::ExperimentalNotEnabled`](super::Error::ExperimentalNotEnabled)
    /// before anything is sent (and a tenant's refusal of a GA one is
    /// [`Error::ExperimentalRequired`](super::Error::ExperimentalRequired)).
    /// [`from_env`](Self::from_env) sets it from `SAIL_EXPERIMENTAL`;
    /// [`CallOptions::experimental`](crate::CallOptions::experimental) sets it
    /// for one call.
    // @sdk else
    /// Allows calling experimental operations. The client then sends the
    /// header the spec names for them (as `NAME: true`; none if it names
    /// none) with every operation, GA ones included, so that an operation the
    /// server still gates works even where the spec calls it GA. Without it
    /// experimental operations fail with
    /// [`Error::ExperimentalNotEnabled`](super::Error::ExperimentalNotEnabled)
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
    /// bearer token has a budget of its own). It converges on how the server
    /// counts: a token bucket of the configured shape costs no `429`; a
    /// sliding window of the configured size costs one (a pause for
    /// `Retry-After`, then the budget keeps to the window); a lower limit
    /// than configured costs a few (the rate is cut to 70 % per burst and
    /// recovers slowly), not a storm. See [`RateLimit`] for the details.
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
                attempt_timeout: self.attempt_timeout,
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

/// Whether a path segment names an API version: `v3`, `v2025`, `v3beta`, `beta`.
fn is_api_version(segment: &str) -> bool {
    let segment = segment.to_ascii_lowercase();
    let version = segment.strip_suffix("beta").unwrap_or(&segment);
    segment == "beta"
        || version
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
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
    let last = origin.rsplit('/').next().unwrap_or_default();
    if parsed.path() != "/" && is_api_version(last) {
        return Err(invalid(&format!(
            "a base URL is an origin such as `{}://{}`, without the API's path; `/{last}` \
             looks like an API version (the client adds the paths it calls)",
            parsed.scheme(),
            parsed.host_str().unwrap_or_default(),
        )));
    }
    Ok(origin)
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
        assert_eq!(builder.timeout, Duration::from_secs(60));
        assert_eq!(builder.attempt_timeout, Duration::from_secs(30));
        assert_eq!(builder.retry.deadline_limit(), None);
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
    fn a_base_url_ending_in_an_api_version_is_refused() {
        for bad in [
            "https://acme.api.example.com/v3",
            "https://acme.api.example.com/beta/",
            "https://acme.api.example.com/v2024",
            "http://localhost:8080/proxy/v3beta",
        ] {
            let err = Client::builder()
                .base_url(bad)
                .bearer_token("t")
                .build()
                .unwrap_err();
            assert!(
                matches!(&err, ConfigError::InvalidBaseUrl { reason, .. }
                    if reason.contains("a base URL is an origin") && reason.contains("API version")),
                "{bad}: {err:?}"
            );
        }
        // The API's own prefix is dropped, not refused; a proxy's path stays.
        let own = format!("https://acme.api.example.com{}", meta::API_PREFIX);
        assert_eq!(
            normalize_origin(&own).unwrap(),
            "https://acme.api.example.com"
        );
        assert!(normalize_origin("http://localhost:8080/proxy/version").is_ok());
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
