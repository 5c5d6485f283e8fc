//! When to send a request again, and how long to wait before doing so.

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
/// Retries stop after [`max_attempts`](Self::max_attempts) requests, or when
/// the next attempt could not start before the [`deadline`](Self::deadline).
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
    /// 60 s, and a deadline of 60 s for the whole call (token fetch, every
    /// attempt and every wait included).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            deadline: Some(Duration::from_secs(60)),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every call makes one attempt (plus the token refresh after a `401`).
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// The most HTTP requests one call makes, the first included (at least 1).
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

    /// The time budget of a whole call, retries and waits included. Each attempt's
    /// timeout is cut to what is left, and no retry starts that could not finish in time.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Removes the overall deadline; attempts are still bounded by the request timeout.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// The wait a `429` asks for in `headers`, capped like a retry's.
    pub(crate) fn throttle_pause(&self, headers: &HeaderMap) -> Option<Duration> {
        retry_after(headers, SystemTime::now()).map(|delay| delay.min(self.max_retry_after))
    }

    pub(crate) fn deadline_limit(&self) -> Option<Duration> {
        self.deadline
    }

    /// Whether retry number `retries` (0-based) may start after waiting `delay`:
    /// the attempt budget allows it and it starts before the deadline.
    pub(crate) fn may_retry(
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

    /// The delay before retry number `retry` (0-based) of a transport failure or status
    /// without `Retry-After`: full jitter over the exponential ceiling.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }

    /// Whether a response with `status` is retried, and after which delay.
    pub(crate) fn delay_for_status(
        &self,
        method: &Method,
        status: StatusCode,
        headers: &HeaderMap,
        retry: u32,
    ) -> Option<Duration> {
        let retryable = match status.as_u16() {
            429 => true,
            502..=504 => is_idempotent(method),
            _ => false,
        };
        if !retryable {
            return None;
        }
        Some(match retry_after(headers, SystemTime::now()) {
            Some(delay) => delay.min(self.max_retry_after),
            None => self.backoff(retry),
        })
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

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        let delay = policy.delay_for_status(
            &Method::POST,
            StatusCode::TOO_MANY_REQUESTS,
            &headers("3600"),
            0,
        );
        assert_eq!(delay, Some(Duration::from_secs(5)));
    }

    #[test]
    fn which_statuses_are_retried() {
        let policy = RetryPolicy::default();
        let none = HeaderMap::new();
        let retried = |method: Method, status: u16| {
            policy
                .delay_for_status(&method, StatusCode::from_u16(status).unwrap(), &none, 0)
                .is_some()
        };
        for status in [429, 502, 503, 504] {
            assert!(retried(Method::GET, status), "GET {status}");
            assert!(retried(Method::PUT, status), "PUT {status}");
            assert!(retried(Method::DELETE, status), "DELETE {status}");
        }
        assert!(retried(Method::POST, 429));
        assert!(retried(Method::PATCH, 429));
        for status in [502, 503, 504] {
            assert!(!retried(Method::POST, status), "POST {status}");
            assert!(!retried(Method::PATCH, status), "PATCH {status}");
        }
        for status in [200, 400, 401, 404, 409, 500, 501] {
            assert!(!retried(Method::GET, status), "GET {status}");
        }
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
