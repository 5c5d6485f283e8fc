//! OAuth2 client-credentials tokens: fetched from `{origin}/oauth/token`,
//! cached until shortly before they expire, and fetched by one caller at a time
//! (single flight), so that a burst of calls on a cold client makes one token request.
//! The outcome of a fetch, success or failure, is shared by every caller that
//! waited for it: a failing token endpoint is asked once per burst, not once per
//! caller, and no caller waits for more than the fetch in flight plus its own.

use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use serde::Deserialize;
use tokio::sync::Mutex;
use tracing::Instrument;

use super::error::AuthError;
use super::guard::{read_limited, redirect_of, BodyError, Redactor};
use super::retry::{Failure, Retries, RetryClass, RetryPolicy};

/// A string that never shows in `Debug` output.
#[derive(Clone)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The secret itself; only for putting it on the wire.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

/// Builds `Bearer {token}` as a header value marked sensitive, so that the
/// HTTP stack never logs it and its `Debug` shows `Sensitive`.
pub(crate) fn bearer_header(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// A cached access token.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    /// `Bearer {access_token}`, marked sensitive.
    pub(crate) header: HeaderValue,
    /// Identifies this token, so that a 401 invalidates it only if no other
    /// caller has replaced it already.
    pub(crate) generation: u64,
    /// When to fetch a new one; `None` if the server did not say when it expires.
    refresh_at: Option<Instant>,
}

/// What one successful token request gives: a [`Token`] before it gets its generation.
struct FetchedToken {
    /// `Bearer {access_token}`, marked sensitive.
    header: HeaderValue,
    /// When to fetch a new one; `None` if the server did not say when it expires.
    refresh_at: Option<Instant>,
    /// The access token itself, kept so that an echo of it can be redacted.
    access_token: Secret,
}

#[derive(Debug, Default)]
struct CacheState {
    current: Option<Token>,
    generation: u64,
    /// The outcome of the last fetch, handed to the callers that waited for it.
    last_outcome: Option<Result<Token, AuthError>>,
    /// The last access token received, so that an echo of it can be redacted.
    last_token: Option<Secret>,
}

/// What a token request needs from the client.
pub(crate) struct TokenRequestContext<'a> {
    pub(crate) http: &'a reqwest::Client,
    pub(crate) user_agent: &'a HeaderValue,
    pub(crate) timeout: Duration,
    pub(crate) retry: &'a RetryPolicy,
    pub(crate) deadline: Option<Instant>,
    /// The largest token response body read.
    pub(crate) max_body: u64,
    /// Counts the token requests sent or tried, for `Error::attempts`.
    pub(crate) attempts: &'a AtomicU32,
}

/// Fetches and caches client-credentials tokens.
pub(crate) struct TokenSource {
    token_url: url::Url,
    client_id: String,
    client_secret: Secret,
    // Held while a token is fetched: that is what makes fetching single-flight.
    state: Mutex<CacheState>,
    /// How many fetches have finished; read before waiting for `state`, so that a
    /// caller knows whether a fetch finished while it waited.
    completed: AtomicU64,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

/// The part of RFC 6749 §5.1 that is used; deliberately not `Debug`.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// How long before `expires_in` runs out a token is replaced: a tenth of its
/// lifetime, at most a minute (so 60 s for a usual 749 s).
fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(60))
}

impl TokenSource {
    pub(crate) fn new(token_url: url::Url, client_id: String, client_secret: Secret) -> Self {
        TokenSource {
            token_url,
            client_id,
            client_secret,
            state: Mutex::new(CacheState::default()),
            completed: AtomicU64::new(0),
        }
    }

    /// A valid token: the cached one, or a new one fetched by exactly one caller
    /// while the others wait for it. A caller that waited while a fetch finished
    /// gets that fetch's outcome, error included, instead of starting another.
    pub(crate) async fn token(&self, ctx: &TokenRequestContext<'_>) -> Result<Token, AuthError> {
        let seen = self.completed.load(Ordering::Acquire);
        let mut state = self.state.lock().await;
        if let Some(token) = &state.current {
            if token.refresh_at.is_none_or(|at| Instant::now() < at) {
                return Ok(token.clone());
            }
        }
        if self.completed.load(Ordering::Acquire) != seen {
            if let Some(outcome) = &state.last_outcome {
                return outcome.clone();
            }
        }
        // @sdk if sailpoint
        let span = tracing::debug_span!("sailpoint.token", client_id = %self.client_id);
        // @sdk else
        let span = tracing::debug_span!("sdk.token", client_id = %self.client_id);
        // @sdk end
        let last_token = state.last_token.clone();
        let outcome = self.fetch(ctx, last_token).instrument(span).await;
        let outcome = outcome.map(|fetched| {
            state.generation += 1;
            state.last_token = Some(fetched.access_token);
            let token = Token {
                header: fetched.header,
                generation: state.generation,
                refresh_at: fetched.refresh_at,
            };
            state.current = Some(token.clone());
            token
        });
        state.last_outcome = Some(outcome.clone());
        self.completed.fetch_add(1, Ordering::Release);
        outcome
    }

    /// The token endpoint, for errors and logs (it holds no secret).
    pub(crate) fn token_url(&self) -> &str {
        self.token_url.as_str()
    }

    /// Forgets the token of `generation` after the API rejected it with 401.
    pub(crate) async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .current
            .as_ref()
            .is_some_and(|t| t.generation == generation)
        {
            state.current = None;
        }
        if let Some(Ok(token)) = &state.last_outcome {
            if token.generation == generation {
                state.last_outcome = None;
            }
        }
    }

    /// Asks the token endpoint, retrying as the call's policy allows, then
    /// reads the final answer.
    async fn fetch(
        &self,
        ctx: &TokenRequestContext<'_>,
        last_token: Option<Secret>,
    ) -> Result<FetchedToken, AuthError> {
        // Whatever the server echoes (the form, a token), none of it is kept.
        let redactor = Redactor::new(
            std::iter::once(self.client_secret.expose())
                .chain(last_token.as_ref().map(Secret::expose)),
        );
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", self.client_secret.expose())
            .finish();
        let mut retries = Retries::new(ctx.retry, ctx.deadline);
        loop {
            let timeout = retries
                .attempt_timeout(ctx.timeout, Instant::now())
                .unwrap_or(Duration::ZERO);
            ctx.attempts.fetch_add(1, Ordering::Relaxed);
            let result = ctx
                .http
                .post(self.token_url.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, ctx.user_agent.clone())
                .timeout(timeout)
                .body(form.clone())
                .send()
                .await;
            // Asking for a token twice is harmless, so the token request is
            // classified as an idempotent one.
            let class = match &result {
                Ok(resp) => RetryClass::of_response(
                    resp.status(),
                    resp.headers(),
                    true,
                    std::time::SystemTime::now(),
                ),
                Err(err) => RetryClass::of_failure(Failure::of(err), true),
            };
            if let Some(delay) = retries.next(class, Instant::now()) {
                let reason = match &result {
                    Ok(resp) => format!("status {}", resp.status().as_u16()),
                    Err(err) if err.is_timeout() => "timeout".to_owned(),
                    Err(err) => super::error::innermost(err).to_string(),
                };
                tracing::info!(
                    retry = retries.made(),
                    delay_ms = delay.as_millis() as u64,
                    reason,
                    "retrying the token request"
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            let resp = result.map_err(|e| AuthError::Transport(Arc::new(e)))?;
            return self.read_token(resp, ctx.max_body, &redactor).await;
        }
    }

    /// The token of the token endpoint's final answer `resp`: refused when it
    /// is a redirect, an error status, too large or not a token.
    async fn read_token(
        &self,
        resp: reqwest::Response,
        max_body: u64,
        redactor: &Redactor,
    ) -> Result<FetchedToken, AuthError> {
        let status = resp.status();
        // The form is never posted anywhere else, and a token from anywhere
        // else is never used.
        if let Some(redirect) = redirect_of(&resp, &self.token_url) {
            tracing::debug!(status = status.as_u16(), "token endpoint redirect refused");
            return Err(AuthError::Redirect {
                status: redirect.status,
                location: redirect.location.map(|l| redactor.redact(&l)),
            });
        }
        let headers = resp.headers().clone();
        let body = read_limited(resp, max_body).await.map_err(|e| match e {
            BodyError::TooLarge => AuthError::BodyTooLarge {
                status,
                limit: max_body,
            },
            BodyError::Transport(e) => AuthError::Transport(Arc::new(e)),
        })?;
        if !status.is_success() {
            return Err(AuthError::rejected(status, headers, body, redactor));
        }
        let invalid = |source| AuthError::InvalidResponse {
            status,
            source: Arc::new(source),
        };
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(invalid)?;
        if parsed.access_token.is_empty() {
            return Err(invalid(serde::de::Error::custom("access_token is empty")));
        }
        let header = bearer_header(&parsed.access_token).ok_or_else(|| {
            invalid(serde::de::Error::custom(
                "access_token is not a valid header value",
            ))
        })?;
        // A lifetime too large for `Instant` is as good as no expiry.
        let refresh_at = parsed.expires_in.and_then(|secs| {
            let lifetime = Duration::from_secs(secs);
            Instant::now().checked_add(lifetime - refresh_margin(lifetime))
        });
        Ok(FetchedToken {
            header,
            refresh_at,
            access_token: Secret::new(parsed.access_token),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "\"[redacted]\"");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn bearer_header_is_sensitive() {
        let header = bearer_header("tok-123").unwrap();
        assert!(header.is_sensitive());
        assert!(!format!("{header:?}").contains("tok-123"));
        assert!(bearer_header("bad\ntoken").is_none());
    }

    #[test]
    fn refresh_margin_scales_with_lifetime() {
        assert_eq!(
            refresh_margin(Duration::from_secs(749)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(100)),
            Duration::from_secs(10)
        );
        assert_eq!(refresh_margin(Duration::ZERO), Duration::ZERO);
    }
}
