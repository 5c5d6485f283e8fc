//! When to send a request again, and how long to wait before doing so: the
//! user's [`RetryPolicy`], and the two steps every request loop (API calls in
//! `client`, token requests in `auth`) takes with it. [`RetryClass`]
//! classifies each attempt once; [`Retries`] then decides whether and when
//! to send again.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

/// How a [`Client`](super::Client) retries failed requests.
///
/// What is retried:
/// - `429 Too Many Requests`, for every method (the server did not process
///   the request), after the `Retry-After` delay (seconds or HTTP-date), capped
///   by [`max_retry_after`](Self::max_retry_after);
/// - `502`, `503`, `504` and transport errors after the request was sent
///   (reset, timeout), only for idempotent methods (`GET`, `HEAD`, `PUT`,
///   `DELETE`, `OPTIONS`, `TRACE`), since a `POST` or `PATCH` may already have
///   taken effect;
/// - connection failures before anything was sent (refused, DNS, TLS
///   handshake, connect timeout), for every method.
///
/// Without `Retry-After`, the delay is exponential backoff with full jitter:
/// a random duration between zero and
/// `min(max_backoff, initial_backoff * 2^retry)`.
///
/// Retries stop after [`max_attempts`](Self::max_attempts) attempts, or when
/// the next attempt could not start before the call's
/// [`timeout`](super::ClientBuilder::timeout) runs out.
///
/// **An attempt** is one HTTP request the call sends or tries: an API request
/// or a token request. `max_attempts` bounds each of them on its own (the API
/// request, and each token fetch, is sent at most that many times);
/// [`Response::attempts`](super::Response::attempts) and
/// [`Error::attempts`](super::Error::attempts) count both, so a call on a
/// client without a cached token that was not retried reports 2 (the token
/// request, then the API request).
/// A `401` answer to a request authenticated with client credentials is not a
/// retry: the token is refreshed once and the request sent once more.
///
/// ```
/// # use std::time::Duration;
/// # use sailpoint_v2025::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .max_retry_after(Duration::from_secs(30))
///     .deadline(Duration::from_secs(120));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 500 ms up to 20 s, `Retry-After` capped at
    /// 60 s, and no deadline of its own: the call's
    /// [`timeout`](super::ClientBuilder::timeout) (default 60 s) bounds it.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: the API request is sent once, and so is a token request
    /// when one is needed (and once more after a `401`, to refresh the token).
    /// A call on a client without a cached token so reports 2 attempts.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// How many times the API request, and each token request, may be sent,
    /// the first included (at least 1). See the type's docs for what counts
    /// as an attempt: `max_attempts(4)` on a client without a cached token
    /// may report 5 (one token request, four API requests).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling before the first retry; it doubles with each retry.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The largest backoff ceiling.
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The longest wait honoured from a `Retry-After` header; longer waits are cut to this.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// A limit of the whole call, retries and waits included, kept when it is
    /// shorter than the call's [`timeout`](super::ClientBuilder::timeout)
    /// (which is the usual way to bound a call). Each attempt's timeout is
    /// cut to what is left, and no retry starts that could not start in time.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Removes the policy's own deadline (the default); the call's
    /// [`timeout`](super::ClientBuilder::timeout) still bounds it.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    pub(crate) fn deadline_limit(&self) -> Option<Duration> {
        self.deadline
    }

    /// The most attempts of each request.
    #[cfg(test)]
    pub(crate) fn attempts_limit(&self) -> u32 {
        self.max_attempts
    }

    /// A server's requested wait, cut to [`max_retry_after`](Self::max_retry_after).
    pub(crate) fn cap_retry_after(&self, delay: Duration) -> Duration {
        delay.min(self.max_retry_after)
    }

    /// Whether retry number `retries` (0-based) may start after waiting `delay`:
    /// the attempt budget allows it and it starts before the deadline.
    fn may_retry(
        &self,
        retries: u32,
        delay: Duration,
        deadline: Option<Instant>,
        now: Instant,
    ) -> bool {
        retries.saturating_add(1) < self.max_attempts
            && deadline
                .is_none_or(|deadline| now.checked_add(delay).is_some_and(|at| at < deadline))
    }

    /// The delay before retry number `retry` (0-based) when the server named
    /// none: full jitter over the exponential ceiling.
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// What one attempt's outcome says about sending the request again: the first
/// of two steps, as in smithy's `ClassifyRetry`. It is computed once per
/// attempt, from the answer or the transport failure and from whether the
/// request may be repeated; [`Retries::next`] then decides whether and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// A `2xx` answer.
    Success,
    /// `429 Too Many Requests`: the server did not process the request, so it
    /// may be sent again whatever its method, after `retry_after` (uncapped)
    /// when the server names a wait.
    Throttled { retry_after: Option<Duration> },
    /// A failure that may pass and that it is safe to send again after:
    /// `502`, `503` or `504` for an idempotent request; a transport failure
    /// before anything was sent, for any request; one after, for an
    /// idempotent request.
    Transient {
        reason: Transient,
        retry_after: Option<Duration>,
    },
    /// `401 Unauthorized`: the credentials were refused and the request was not
    /// processed. Never retried by the policy; the client renews its token once
    /// and sends again, outside the retry count.
    Unauthorized,
    /// Anything else: an answer that another attempt would not change, a
    /// failure another attempt would repeat, or a request that may have been
    /// processed and must not be sent twice.
    Final,
}

/// Why a [`RetryClass::Transient`] failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transient {
    /// `502`, `503` or `504`.
    Status,
    /// The attempt ran out of time (connecting included).
    Timeout,
    /// No connection could be opened: nothing was sent.
    ConnectionFailed,
    /// The connection failed after the request was (maybe) sent.
    Transport,
}

/// What a transport failure says about the request: the input of
/// [`RetryClass::of_failure`], read from a `reqwest::Error` by [`Failure::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The request could not be built or sent as asked (a bad URL or header, a
    /// redirect policy's refusal): another attempt would fail the same way.
    Invalid,
    /// No connection was made (refused, DNS, TLS handshake, connect timeout):
    /// nothing reached the server.
    NotSent { timeout: bool },
    /// The request may have reached the server: reset, timeout, or a body that
    /// broke off.
    Sent { timeout: bool },
}

impl Failure {
    pub(crate) fn of(err: &reqwest::Error) -> Self {
        if err.is_builder() || err.is_redirect() {
            Failure::Invalid
        } else if err.is_connect() {
            Failure::NotSent {
                timeout: err.is_timeout(),
            }
        } else {
            Failure::Sent {
                timeout: err.is_timeout(),
            }
        }
    }
}

impl RetryClass {
    /// The `reason` logged with a retry.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            RetryClass::Throttled { .. } => "retryable status",
            RetryClass::Transient { reason, .. } => match reason {
                Transient::Status => "retryable status",
                Transient::Timeout => "timeout",
                Transient::ConnectionFailed => "connection failed",
                Transient::Transport => "transport error",
            },
            RetryClass::Success | RetryClass::Unauthorized | RetryClass::Final => "not retryable",
        }
    }

    /// The class of an answer with `status` and `headers` to a request that
    /// may (`idempotent`) or may not be repeated; `now` dates a `Retry-After`.
    pub(crate) fn of_response(
        status: StatusCode,
        headers: &HeaderMap,
        idempotent: bool,
        now: SystemTime,
    ) -> Self {
        match status.as_u16() {
            200..=299 => RetryClass::Success,
            401 => RetryClass::Unauthorized,
            429 => RetryClass::Throttled {
                retry_after: retry_after(headers, now),
            },
            502..=504 if idempotent => RetryClass::Transient {
                reason: Transient::Status,
                retry_after: retry_after(headers, now),
            },
            _ => RetryClass::Final,
        }
    }

    /// The class of a transport failure of a request that may (`idempotent`)
    /// or may not be repeated. Before a connection exists nothing was sent, so
    /// any request may be sent again; afterwards only idempotent ones.
    pub(crate) fn of_failure(failure: Failure, idempotent: bool) -> Self {
        let reason = match failure {
            Failure::Invalid => return RetryClass::Final,
            Failure::Sent { .. } if !idempotent => return RetryClass::Final,
            Failure::NotSent { timeout: true } | Failure::Sent { timeout: true } => {
                Transient::Timeout
            }
            Failure::NotSent { timeout: false } => Transient::ConnectionFailed,
            Failure::Sent { timeout: false } => Transient::Transport,
        };
        RetryClass::Transient {
            reason,
            retry_after: None,
        }
    }
}

/// The second step: the retry decisions of one call (or one token fetch). It
/// counts the retries made and, for each attempt's [`RetryClass`], says whether
/// to send again and after which wait, under one [`RetryPolicy`] and deadline.
#[derive(Debug)]
pub(crate) struct Retries<'a> {
    policy: &'a RetryPolicy,
    deadline: Option<Instant>,
    /// Retries made so far.
    made: u32,
}

impl<'a> Retries<'a> {
    pub(crate) fn new(policy: &'a RetryPolicy, deadline: Option<Instant>) -> Self {
        Retries {
            policy,
            deadline,
            made: 0,
        }
    }

    /// The wait before sending again after an attempt of class `class`, or
    /// `None` when the attempt's outcome is final: the class is not retryable,
    /// the attempts are used up, or the retry could not start before the
    /// deadline. The wait is the server's `Retry-After` (capped) or else
    /// backoff with full jitter. A `Some` counts as a retry made.
    pub(crate) fn next(&mut self, class: RetryClass, now: Instant) -> Option<Duration> {
        let retry_after = match class {
            RetryClass::Throttled { retry_after } | RetryClass::Transient { retry_after, .. } => {
                retry_after
            }
            RetryClass::Success | RetryClass::Unauthorized | RetryClass::Final => return None,
        };
        let delay = match retry_after {
            Some(delay) => self.policy.cap_retry_after(delay),
            None => self.policy.backoff(self.made),
        };
        if !self.policy.may_retry(self.made, delay, self.deadline, now) {
            return None;
        }
        self.made += 1;
        Some(delay)
    }

    /// The retries made so far.
    pub(crate) fn made(&self) -> u32 {
        self.made
    }

    /// The timeout of the next attempt (see [`attempt_timeout`]).
    pub(crate) fn attempt_timeout(&self, timeout: Duration, now: Instant) -> Option<Duration> {
        attempt_timeout(timeout, self.deadline, now)
    }
}

/// The timeout of the next attempt: the request timeout, cut to what is left
/// before the deadline; `None` once the deadline has passed.
pub(crate) fn attempt_timeout(
    timeout: Duration,
    deadline: Option<Instant>,
    now: Instant,
) -> Option<Duration> {
    match deadline {
        None => Some(timeout),
        Some(deadline) => {
            let left = deadline.saturating_duration_since(now);
            (!left.is_zero()).then(|| timeout.min(left))
        }
    }
}

/// Methods that may be sent twice with the effect of sending them once (RFC 9110 §9.2.2).
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// The wait a `Retry-After` header asks for: delay-seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(RETRY_AFTER, retry_after.parse().unwrap());
        map
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        let cases = [
            ("120", Some(Duration::from_secs(120))),
            (" 0 ", Some(Duration::ZERO)),
            (
                "Wed, 21 Oct 2015 07:28:30 GMT",
                Some(Duration::from_secs(30)),
            ),
            ("Wed, 21 Oct 2015 07:27:00 GMT", Some(Duration::ZERO)),
            ("soon", None),
            ("-5", None),
        ];
        for (value, expected) in cases {
            assert_eq!(retry_after(&headers(value), now), expected, "{value}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    const METHODS: [Method; 7] = [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
        Method::POST,
        Method::PATCH,
    ];

    fn transient(reason: Transient) -> RetryClass {
        RetryClass::Transient {
            reason,
            retry_after: None,
        }
    }

    #[test]
    fn only_post_and_patch_are_not_idempotent() {
        for method in METHODS {
            let write = method == Method::POST || method == Method::PATCH;
            assert_eq!(is_idempotent(&method), !write, "{method}");
        }
    }

    #[test]
    fn responses_are_classified_by_status_and_method() {
        let now = SystemTime::UNIX_EPOCH;
        let none = HeaderMap::new();
        let throttled = RetryClass::Throttled { retry_after: None };
        // (status, class for an idempotent method, class for POST and PATCH)
        let table = [
            (200, RetryClass::Success, RetryClass::Success),
            (201, RetryClass::Success, RetryClass::Success),
            (204, RetryClass::Success, RetryClass::Success),
            (302, RetryClass::Final, RetryClass::Final),
            (400, RetryClass::Final, RetryClass::Final),
            (401, RetryClass::Unauthorized, RetryClass::Unauthorized),
            (403, RetryClass::Final, RetryClass::Final),
            (404, RetryClass::Final, RetryClass::Final),
            (409, RetryClass::Final, RetryClass::Final),
            (429, throttled, throttled),
            (500, RetryClass::Final, RetryClass::Final),
            (501, RetryClass::Final, RetryClass::Final),
            (502, transient(Transient::Status), RetryClass::Final),
            (503, transient(Transient::Status), RetryClass::Final),
            (504, transient(Transient::Status), RetryClass::Final),
            (505, RetryClass::Final, RetryClass::Final),
        ];
        for (status, idempotent_class, write_class) in table {
            let status = StatusCode::from_u16(status).unwrap();
            for method in METHODS {
                let expected = if is_idempotent(&method) {
                    idempotent_class
                } else {
                    write_class
                };
                let class = RetryClass::of_response(status, &none, is_idempotent(&method), now);
                assert_eq!(class, expected, "{method} {status}");
            }
        }
    }

    #[test]
    fn retry_after_is_read_where_a_retry_may_follow() {
        let now = SystemTime::UNIX_EPOCH;
        let wait = Some(Duration::from_secs(7));
        let class = |status: u16, idempotent: bool| {
            RetryClass::of_response(
                StatusCode::from_u16(status).unwrap(),
                &headers("7"),
                idempotent,
                now,
            )
        };
        assert_eq!(
            class(429, false),
            RetryClass::Throttled { retry_after: wait }
        );
        assert_eq!(
            class(503, true),
            RetryClass::Transient {
                reason: Transient::Status,
                retry_after: wait
            }
        );
        assert_eq!(class(503, false), RetryClass::Final);
        assert_eq!(class(200, true), RetryClass::Success);
    }

    #[test]
    fn transport_failures_are_classified_by_whether_anything_was_sent() {
        // (failure, class for an idempotent method, class for POST and PATCH)
        let table = [
            (Failure::Invalid, RetryClass::Final, RetryClass::Final),
            (
                Failure::NotSent { timeout: false },
                transient(Transient::ConnectionFailed),
                transient(Transient::ConnectionFailed),
            ),
            (
                Failure::NotSent { timeout: true },
                transient(Transient::Timeout),
                transient(Transient::Timeout),
            ),
            (
                Failure::Sent { timeout: false },
                transient(Transient::Transport),
                RetryClass::Final,
            ),
            (
                Failure::Sent { timeout: true },
                transient(Transient::Timeout),
                RetryClass::Final,
            ),
        ];
        for (failure, idempotent_class, write_class) in table {
            for method in METHODS {
                let idempotent = is_idempotent(&method);
                let expected = if idempotent {
                    idempotent_class
                } else {
                    write_class
                };
                let class = RetryClass::of_failure(failure, idempotent);
                assert_eq!(class, expected, "{method} {failure:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_failure_before_sending() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        drop(listener);
        let err = reqwest::Client::new().post(url).send().await.unwrap_err();
        assert_eq!(Failure::of(&err), Failure::NotSent { timeout: false });
        let err = reqwest::Client::new()
            .get("http://[::1")
            .send()
            .await
            .unwrap_err();
        assert_eq!(Failure::of(&err), Failure::Invalid);
    }

    #[test]
    fn only_throttled_and_transient_classes_are_retried() {
        let policy = RetryPolicy::default();
        let mut retries = Retries::new(&policy, None);
        let now = Instant::now();
        for class in [
            RetryClass::Success,
            RetryClass::Unauthorized,
            RetryClass::Final,
        ] {
            assert_eq!(retries.next(class, now), None, "{class:?}");
        }
        assert_eq!(retries.made(), 0, "a final outcome is not a retry");
        assert!(retries
            .next(RetryClass::Throttled { retry_after: None }, now)
            .is_some());
        assert!(retries.next(transient(Transient::Transport), now).is_some());
        assert_eq!(retries.made(), 2);
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        let mut retries = Retries::new(&policy, None);
        let class = RetryClass::Throttled {
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(
            retries.next(class, Instant::now()),
            Some(Duration::from_secs(5))
        );
        let class = RetryClass::Transient {
            reason: Transient::Status,
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            retries.next(class, Instant::now()),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn retries_stop_at_max_attempts_and_before_the_deadline() {
        let policy = RetryPolicy::default().max_attempts(3);
        let now = Instant::now();
        let throttled = RetryClass::Throttled {
            retry_after: Some(Duration::from_millis(10)),
        };
        let mut retries = Retries::new(&policy, None);
        assert!(retries.next(throttled, now).is_some());
        assert!(retries.next(throttled, now).is_some());
        assert_eq!(retries.next(throttled, now), None, "3 attempts made");
        assert_eq!(retries.made(), 2);

        let deadline = Some(now + Duration::from_millis(10));
        let mut retries = Retries::new(&policy, deadline);
        assert_eq!(
            retries.next(throttled, now),
            None,
            "would start at the deadline"
        );
        assert_eq!(
            retries.attempt_timeout(Duration::from_secs(1), now),
            Some(Duration::from_millis(10))
        );
    }

    #[test]
    fn backoff_stays_under_the_exponential_ceiling() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for retry in 0..40 {
            let ceiling = Duration::from_millis(100 * (1u64 << retry.min(10)))
                .min(Duration::from_millis(350));
            for _ in 0..50 {
                assert!(policy.backoff(retry) <= ceiling, "retry {retry}");
            }
        }
    }

    #[test]
    fn retries_respect_attempts_and_deadline() {
        let now = Instant::now();
        let policy = RetryPolicy::default().max_attempts(3);
        let ms = Duration::from_millis;
        assert!(policy.may_retry(0, ms(10), None, now));
        assert!(policy.may_retry(1, ms(10), None, now));
        assert!(!policy.may_retry(2, ms(10), None, now), "3 attempts made");
        assert!(policy.may_retry(0, ms(10), Some(now + ms(11)), now));
        assert!(!policy.may_retry(0, ms(10), Some(now + ms(10)), now));
        assert_eq!(attempt_timeout(ms(50), None, now), Some(ms(50)));
        assert_eq!(
            attempt_timeout(ms(50), Some(now + ms(20)), now),
            Some(ms(20))
        );
        assert_eq!(attempt_timeout(ms(50), Some(now), now), None);
    }

    #[test]
    fn none_makes_one_attempt() {
        let now = Instant::now();
        assert!(!RetryPolicy::none().may_retry(0, Duration::ZERO, None, now));
        assert!(!RetryPolicy::default()
            .max_attempts(0)
            .may_retry(0, Duration::ZERO, None, now));
    }
}
