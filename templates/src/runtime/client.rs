//! The [`Client`], and how it sends one request: from an operation's
//! builder to a [`RawResponse`], as a loop over named phases (smithy's
//! orchestrator is the model). How a client is built is `builder`.
//! [`Client::send_attempts`] reads as the story:
//!
//! 1. **prepare** ([`Client::begin`]): the experimental gate, then the URL
//!    and headers, checked before anything is sent;
//! 2. **wait for the rate budget** ([`Call::wait_for_budget`]);
//! 3. **take a token** ([`Call::take_token`]): the cached one, or one fetched
//!    (the token request has its own retries, under the same deadline);
//! 4. **send one attempt** ([`Call::send_attempt`]);
//! 5. **refuse redirects** ([`Call::refuse_redirect`]);
//! 6. **classify** ([`Call::classify`]): [`RetryClass`] of the answer or the
//!    failure, fed to the rate budget;
//! 7. **decide** ([`Call::decide`], [`Call::decide_after_failure`]): finish,
//!    refresh the token once after a `401`, or retry after a wait
//!    ([`Retries::next`]);
//! 8. **read** ([`Call::read_response`]): the body, within its size limit and
//!    cleaned of the access token; the operation's `decode` (in
//!    [`ResponseFuture`]) then types it by status.
//!
//! The call's span, [`SendError`] (the errors before they get the operation's
//! error type) and the future every operation returns live here too.

use std::fmt;
use std::future::Future;
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

use super::auth::{TokenRequestContext, TokenSource};
use super::budget::RateBudget;
use super::error::{innermost, AuthError, Error, ErrorChain};
use super::guard::{discard, read_limited, redirect_of, BodyError, Redactor, Redirect};
use super::request::{encode_query, Operation, Request};
use super::response::{RawResponse, Response};
use super::retry::{is_idempotent, Failure, Retries, RetryClass, RetryPolicy};
use crate::meta;

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
    pub(super) inner: Arc<Inner>,
}

/// What a built client holds (`builder` makes it).
pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) origin: String,
    /// `{origin}{API_PREFIX}`.
    pub(super) api_base: String,
    pub(super) auth: Auth,
    pub(super) retry: RetryPolicy,
    /// The whole call's limit ([`ClientBuilder::timeout`](super::ClientBuilder::timeout)).
    pub(super) timeout: Duration,
    /// One attempt's limit.
    pub(super) attempt_timeout: Duration,
    pub(super) user_agent: HeaderValue,
    pub(super) experimental: bool,
    /// The rate budget, shared with other clients of the same client id.
    pub(super) budget: Option<Arc<RateBudget>>,
    /// Operations whose `Deprecation`/`Sunset` headers were already logged.
    pub(super) deprecation_warned: std::sync::Mutex<std::collections::HashSet<&'static str>>,
    pub(super) max_response_body: u64,
}

pub(super) enum Auth {
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
            .field("attempt_timeout", &inner.attempt_timeout)
            .field("retry", &inner.retry)
            .field("rate_limit", &inner.budget.as_ref().map(|b| b.limit()))
            .finish_non_exhaustive()
    }
}

impl Client {
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
    RateBudget {
        operation_id: &'static str,
        wait: Duration,
        elapsed: Duration,
        attempts: u32,
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
            SendError::RateBudget {
                operation_id,
                wait,
                elapsed,
                attempts,
            } => Error::RateBudget {
                operation_id,
                wait,
                elapsed,
                attempts,
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
            | SendError::Auth { attempts, .. }
            | SendError::RateBudget { attempts, .. } => Some(*attempts),
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
        check_path(&req.path).map_err(invalid)?;
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

    /// The send path, phase by phase (see the module docs): the loop runs
    /// once per attempt, until an answer is final or the call gives up.
    async fn send_attempts(&self, req: Request, start: Instant) -> Result<RawResponse, SendError> {
        let call = self.begin(&req, start)?;
        let mut retries = Retries::new(call.policy, call.deadline);
        let mut refreshed_after_401 = false;
        loop {
            let turn = call.wait_for_budget().await?;
            let token = call.take_token().await?;
            let (attempt, result) = call.send_attempt(&token, &retries).await?;
            let failure = match result {
                Ok(resp) => {
                    let class = call.classify(&resp, turn);
                    call.refuse_redirect(&resp, &token)?;
                    let next = call.decide(class, &resp, &token, &mut retries, attempt.number);
                    match next {
                        Next::RefreshToken(source, generation) if !refreshed_after_401 => {
                            refreshed_after_401 = true;
                            call.refresh_token(resp, source, generation, attempt.number)
                                .await;
                            continue;
                        }
                        Next::RetryAfter(delay) => {
                            discard(resp).await;
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        Next::RefreshToken(..) | Next::Finish => {
                            match call.read_response(resp, &token).await? {
                                Ok(raw) => return Ok(raw),
                                Err(broke_off) => broke_off,
                            }
                        }
                    }
                }
                Err(failure) => failure,
            };
            let delay = call.decide_after_failure(&failure, &attempt, &mut retries);
            match delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return Err(call.failed(failure)),
            }
        }
    }

    /// Phase 1, prepare: the experimental gate, then the URL and headers
    /// (anything that cannot be sent as asked fails here, before any
    /// request); the limits of this call.
    fn begin<'c>(&'c self, req: &'c Request, start: Instant) -> Result<Call<'c>, SendError> {
        let op = req.op;
        if op.experimental && !req.options.experimental_opt_in(self.inner.experimental) {
            tracing::debug!("experimental operation refused: not enabled on this client");
            return Err(SendError::Experimental(op.id));
        }
        let (url, headers) = self.prepare(req)?;
        let logged_url = loggable_url(&url);
        tracing::Span::current().record("url", logged_url.as_str());
        let policy = req.options.retry.as_ref().unwrap_or(&self.inner.retry);
        Ok(Call {
            inner: &self.inner,
            op,
            body: req.body.as_ref().map(|body| &body.bytes),
            shown_url: origin_and_path(&url),
            logged_url,
            url,
            headers,
            policy,
            attempt_limit: req
                .options
                .attempt_timeout
                .unwrap_or(self.inner.attempt_timeout),
            start,
            deadline: call_deadline(
                start,
                req.options.timeout.unwrap_or(self.inner.timeout),
                policy,
            ),
            idempotent: is_idempotent(&op.method),
            api_attempts: AtomicU32::new(0),
            token_attempts: AtomicU32::new(0),
        })
    }
}

/// The shortest wait for the rate budget that is logged.
const LOGGED_BUDGET_WAIT: Duration = Duration::from_millis(1);

/// When a call that started at `start` must be over: after its `timeout`,
/// or the policy's own [deadline](RetryPolicy::deadline) if that is sooner;
/// never for a limit too large for an `Instant`.
fn call_deadline(start: Instant, timeout: Duration, policy: &RetryPolicy) -> Option<Instant> {
    let limit = policy.deadline_limit().map_or(timeout, |d| d.min(timeout));
    start.checked_add(limit)
}

/// One call on its way through the phases: what they all read, and the
/// requests they count.
struct Call<'c> {
    inner: &'c Inner,
    op: &'static Operation,
    body: Option<&'c bytes::Bytes>,
    url: url::Url,
    headers: HeaderMap,
    /// Origin and path, no query: what errors show.
    shown_url: String,
    /// The URL as sent, secret query values redacted: what logs show.
    logged_url: String,
    policy: &'c RetryPolicy,
    /// The longest one attempt may take (before the deadline cuts it).
    attempt_limit: Duration,
    start: Instant,
    /// When the whole call must be over, token fetch and retries included.
    deadline: Option<Instant>,
    /// Whether the request may be sent twice: it decides which failures are
    /// retried (see `RetryClass`).
    idempotent: bool,
    /// API requests sent or tried.
    api_attempts: AtomicU32,
    /// Token requests sent or tried for this call, counted by the token source.
    token_attempts: AtomicU32,
}

/// The `Authorization` of one attempt, and which cached token it is.
struct Authorization {
    header: HeaderValue,
    /// The token's generation, for client credentials; `None` for a bearer token.
    generation: Option<u64>,
}

/// One attempt: its number (from 1) and when it was sent.
struct Attempt {
    number: u32,
    sent_at: Instant,
}

/// What to do after an answer.
enum Next<'c> {
    /// The answer is final: read it.
    Finish,
    /// A `401` to a client-credentials token: drop the token and send again
    /// (once per call; not a retry).
    RefreshToken(&'c TokenSource, u64),
    /// Send again after this wait.
    RetryAfter(Duration),
}

impl<'c> Call<'c> {
    /// Every request this call sent or tried so far, token requests included.
    fn attempts(&self) -> u32 {
        self.api_attempts.load(Ordering::Relaxed) + self.token_attempts.load(Ordering::Relaxed)
    }

    /// The call ran out of time at `url`.
    fn timed_out(&self, url: String) -> SendError {
        SendError::Timeout {
            operation_id: self.op.id,
            attempts: self.attempts(),
            elapsed: self.start.elapsed(),
            url,
        }
    }

    /// Phase 2: waits for the rate budget, if the client has one, and
    /// returns the instant of the turn taken (the attempt's answer is
    /// reported to the budget with it); fails when the wait would end after
    /// the deadline.
    async fn wait_for_budget(&self) -> Result<Option<Instant>, SendError> {
        let Some(budget) = &self.inner.budget else {
            return Ok(None);
        };
        match budget.acquire(self.deadline).await {
            Ok(turn) => {
                // Taking a ready turn takes microseconds: only a real wait is logged.
                if turn.waited >= LOGGED_BUDGET_WAIT {
                    tracing::debug!(
                        wait_ms = turn.waited.as_millis() as u64,
                        "waited for the rate budget"
                    );
                }
                Ok(Some(turn.at))
            }
            Err(over) => {
                tracing::info!(
                    wait_ms = over.wait.as_millis() as u64,
                    "the rate budget has no room before the deadline"
                );
                Err(SendError::RateBudget {
                    operation_id: self.op.id,
                    wait: over.wait,
                    elapsed: self.start.elapsed(),
                    attempts: self.attempts(),
                })
            }
        }
    }

    /// Phase 3: the `Authorization` of the next attempt: the bearer token,
    /// or a client-credentials token from the cache or the token endpoint.
    async fn take_token(&self) -> Result<Authorization, SendError> {
        match &self.inner.auth {
            Auth::Bearer(header) => Ok(Authorization {
                header: header.clone(),
                generation: None,
            }),
            Auth::OAuth(source) => self.fetch_token(source).await,
        }
    }

    /// A token from `source`, logged when one was requested; a failure is
    /// the call's error (a timeout, or [`AuthError`]).
    async fn fetch_token(&self, source: &TokenSource) -> Result<Authorization, SendError> {
        let ctx = TokenRequestContext {
            http: &self.inner.http,
            user_agent: &self.inner.user_agent,
            timeout: self.attempt_limit,
            retry: self.policy,
            deadline: self.deadline,
            max_body: self.inner.max_response_body,
            attempts: &self.token_attempts,
        };
        let before = self.token_attempts.load(Ordering::Relaxed);
        let fetch_start = Instant::now();
        let result = source.token(&ctx).await;
        let sent = self.token_attempts.load(Ordering::Relaxed) - before;
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
                Ok(Authorization {
                    header: token.header,
                    generation: Some(token.generation),
                })
            }
            Err(err) => {
                tracing::warn!(
                    token_url,
                    token_attempts = sent,
                    latency_ms,
                    error = %ErrorChain(&err),
                    "no access token"
                );
                Err(match err {
                    AuthError::Transport(e) if e.is_timeout() => {
                        self.timed_out(token_url.to_owned())
                    }
                    source => SendError::Auth {
                        operation_id: self.op.id,
                        source: Box::new(source),
                        attempts: self.attempts(),
                        url: token_url.to_owned(),
                    },
                })
            }
        }
    }

    /// Phase 4: sends the request once, its timeout cut to what is left
    /// before the deadline (none left: the call timed out).
    async fn send_attempt(
        &self,
        token: &Authorization,
        retries: &Retries<'_>,
    ) -> Result<(Attempt, Result<reqwest::Response, reqwest::Error>), SendError> {
        let Some(timeout) = retries.attempt_timeout(self.attempt_limit, Instant::now()) else {
            return Err(self.timed_out(self.shown_url.clone()));
        };
        let sent_at = Instant::now();
        let number = self.api_attempts.fetch_add(1, Ordering::Relaxed) + 1;
        let mut builder = self
            .inner
            .http
            .request(self.op.method.clone(), self.url.clone())
            .headers(self.headers.clone())
            .header(AUTHORIZATION, token.header.clone())
            .timeout(timeout);
        if let Some(body) = self.body {
            builder = builder.body(body.clone());
        }
        let result = builder.send().await;
        if let Ok(resp) = &result {
            tracing::debug!(
                attempt = number,
                url = self.logged_url.as_str(),
                status = resp.status().as_u16(),
                latency_ms = sent_at.elapsed().as_millis() as u64,
                tracking_id = tracking_header(resp.headers()),
                "response"
            );
        }
        Ok((Attempt { number, sent_at }, result))
    }

    /// Phase 5: a redirect is never followed, never resent, and its
    /// `Location` is cleaned of the access token.
    fn refuse_redirect(
        &self,
        resp: &reqwest::Response,
        token: &Authorization,
    ) -> Result<(), SendError> {
        match redirect_of(resp, &self.url) {
            Some(redirect) => Err(refuse_redirect(
                self.op.id,
                redirect,
                &token.header,
                self.attempts(),
            )),
            None => Ok(()),
        }
    }

    /// Phase 6: the answer's [`RetryClass`], fed to the rate budget with the
    /// attempt's turn (a `429` pauses it, and may teach it the server's
    /// window or a lower limit; anything else lets it recover).
    fn classify(&self, resp: &reqwest::Response, turn: Option<Instant>) -> RetryClass {
        let class = RetryClass::of_response(
            resp.status(),
            resp.headers(),
            self.idempotent,
            std::time::SystemTime::now(),
        );
        if let (Some(budget), Some(turn)) = (&self.inner.budget, turn) {
            match class {
                RetryClass::Throttled { retry_after } => budget.throttled(
                    turn,
                    retry_after.map(|delay| self.policy.cap_retry_after(delay)),
                ),
                _ => budget.succeeded(turn),
            }
        }
        class
    }

    /// Phase 7, after an answer: a `401` to a client-credentials token asks
    /// for a new token; otherwise [`Retries::next`] says whether to retry.
    fn decide(
        &self,
        class: RetryClass,
        resp: &reqwest::Response,
        token: &Authorization,
        retries: &mut Retries<'_>,
        attempt: u32,
    ) -> Next<'c> {
        if class == RetryClass::Unauthorized {
            if let (Auth::OAuth(source), Some(generation)) = (&self.inner.auth, token.generation) {
                return Next::RefreshToken(source, generation);
            }
        }
        match retries.next(class, Instant::now()) {
            Some(delay) => {
                tracing::info!(
                    attempt,
                    status = resp.status().as_u16(),
                    delay_ms = delay.as_millis() as u64,
                    reason = class.reason(),
                    "retrying"
                );
                Next::RetryAfter(delay)
            }
            None => Next::Finish,
        }
    }

    /// After a `401`: the token may have been revoked or expired early, so
    /// it is dropped and the request sent once more. The request was not
    /// processed, so this is safe for every method, and it is not a retry.
    async fn refresh_token(
        &self,
        resp: reqwest::Response,
        source: &TokenSource,
        generation: u64,
        attempt: u32,
    ) {
        tracing::info!(attempt, "401: refreshing the access token");
        // Read the body so that the connection can be reused.
        discard(resp).await;
        source.invalidate(generation).await;
    }

    /// Phase 7, after no answer (or a body that broke off): classifies the
    /// failure and says whether to retry, after which wait.
    fn decide_after_failure(
        &self,
        failure: &reqwest::Error,
        attempt: &Attempt,
        retries: &mut Retries<'_>,
    ) -> Option<Duration> {
        tracing::debug!(
            attempt = attempt.number,
            url = self.logged_url.as_str(),
            latency_ms = attempt.sent_at.elapsed().as_millis() as u64,
            error = %innermost(failure),
            "no response"
        );
        let class = RetryClass::of_failure(Failure::of(failure), self.idempotent);
        let delay = retries.next(class, Instant::now())?;
        tracing::info!(
            attempt = attempt.number,
            delay_ms = delay.as_millis() as u64,
            reason = class.reason(),
            error = %innermost(failure),
            "retrying"
        );
        Some(delay)
    }

    /// The error of a call whose last attempt failed without an answer.
    fn failed(&self, failure: reqwest::Error) -> SendError {
        if failure.is_timeout() {
            self.timed_out(self.shown_url.clone())
        } else {
            SendError::Transport {
                operation_id: self.op.id,
                source: failure,
                attempts: self.attempts(),
                url: self.shown_url.clone(),
            }
        }
    }

    /// Phase 8: the final answer's body, read within the size limit; an
    /// error body is cleaned of the access token. A body that breaks off is
    /// a failure like no answer (`Ok(Err(..))`), which may be retried.
    async fn read_response(
        &self,
        resp: reqwest::Response,
        token: &Authorization,
    ) -> Result<Result<RawResponse, reqwest::Error>, SendError> {
        let status = resp.status();
        let headers = resp.headers().clone();
        warn_deprecation(self.inner, self.op.id, &headers);
        let limit = self.inner.max_response_body;
        match read_limited(resp, limit).await {
            Ok(body) => {
                // An error body may echo the request; the access token must
                // not reach an error's Display, Debug or a log line,
                // whatever the server sends.
                let body = if status.is_success() {
                    body
                } else {
                    redact_token(body, &token.header)
                };
                Ok(Ok(RawResponse {
                    operation_id: self.op.id,
                    status,
                    headers,
                    body,
                    attempts: self.attempts(),
                    url: Some(self.shown_url.clone()),
                }))
            }
            Err(BodyError::TooLarge) => Err(SendError::BodyTooLarge(
                self.op.id,
                status,
                limit,
                self.attempts(),
            )),
            Err(BodyError::Transport(err)) => Ok(Err(err)),
        }
    }
}

/// Refuses a path that is not absolute (`machine-identities` instead of
/// `/machine-identities`) or that has a `.` or `..` segment (spelled out or
/// percent-encoded): it would not address what it says under the API base.
fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!(
            "the path `{path}` does not start with `/`; paths are absolute under the API \
             base (write `/{path}`)"
        ));
    }
    let dot_segment = path.split(['/', '?', '#']).any(|segment| {
        let lower = segment.to_ascii_lowercase().replace("%2e", ".");
        lower == "." || lower == ".."
    });
    if dot_segment {
        return Err(format!(
            "the path `{path}` has a `.` or `..` segment, which would address another \
             path than the one written; it was not sent"
        ));
    }
    Ok(())
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

/// Logs a `Deprecation` or `Sunset` response header at WARN, once per
/// operation for this client (and its clones).
fn warn_deprecation(inner: &Inner, operation_id: &'static str, headers: &HeaderMap) {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (deprecation, sunset) = (text("deprecation"), text("sunset"));
    if deprecation.is_none() && sunset.is_none() {
        return;
    }
    let first = inner
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
    use super::*;

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
}
