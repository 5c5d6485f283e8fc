//! The client-side rate budget: requests wait for budget instead of being sent
//! to fail with `429 Too Many Requests`.
//!
// @sdk if sailpoint
//! SailPoint limits each client id to a number of requests per period (by
// @sdk else
//! An API may limit each client id to a number of requests per period (by
// @sdk end
//! default 100 per 10 seconds) and answers `429` with `Retry-After` past it.
//! The budget is a token bucket with the same shape: it holds up to one
//! period's worth of requests and refills at the limit's rate. Every request
//! of every clone of a [`Client`](super::Client) (and of every client built
//! for the same origin and client id, see [`RateBudget::shared`]) takes one
//! token before it is sent, waiting in line when there is none.
//!
//! The server's real limit may be lower than the configured one (custom limits
//! per API and per tenant exist, and are not told to the client). So the budget
//! adapts, like the "adaptive" retry mode of AWS's SDKs:
//! - on a `429`, the refill rate is cut to 70 % (once per burst: a `429`
//!   answering a request sent before the last cut does not cut again), the
//!   bucket is emptied, and nothing is sent until `Retry-After` has passed;
//! - every success adds 0.2 % of the configured rate back, so the rate climbs
//!   back slowly (from 70 % to 100 % in about 150 successful requests) and a
//!   limit that was lower only for a while costs little.
//!
//! A request waits in line (first come, first served), and the wait counts
//! against the call's deadline: a request whose turn would come after its
//! deadline fails at once instead of waiting for nothing.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

/// How many requests a client may send per period: the configuration of its
/// rate budget (see [`ClientBuilder::rate_limit`](super::ClientBuilder::rate_limit)).
///
/// ```
/// # use std::time::Duration;
/// # use sailpoint_v2025::RateLimit;
/// assert_eq!(RateLimit::default(), RateLimit::new(100, Duration::from_secs(10)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    requests: u32,
    per: Duration,
}

impl Default for RateLimit {
    // @sdk if sailpoint
    /// 100 requests per 10 seconds: SailPoint's documented default per client id.
    // @sdk else
    /// 100 requests per 10 seconds per client id.
    // @sdk end
    fn default() -> Self {
        RateLimit::new(100, Duration::from_secs(10))
    }
}

impl RateLimit {
    /// `requests` per `per` (at least 1 request per millisecond-long period).
    pub fn new(requests: u32, per: Duration) -> Self {
        RateLimit {
            requests: requests.max(1),
            per: per.max(Duration::from_millis(1)),
        }
    }

    /// The number of requests allowed per period.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The period.
    pub fn per(&self) -> Duration {
        self.per
    }

    /// The configured rate, in requests per second.
    fn rate(&self) -> f64 {
        f64::from(self.requests) / self.per.as_secs_f64()
    }
}

/// The share of the rate kept after a `429`.
const CUT: f64 = 0.7;
/// The share of the configured rate added back by each success.
const RECOVERY: f64 = 0.002;
/// The lowest rate, as a share of the configured rate.
const FLOOR: f64 = 0.1;

/// A rate budget shared by every request of a client (and its clones).
pub(crate) struct RateBudget {
    limit: RateLimit,
    state: Mutex<State>,
    /// The line of requests waiting for a token.
    line: tokio::sync::Mutex<()>,
}

struct State {
    /// Tokens in the bucket at `updated`.
    tokens: f64,
    /// The current refill rate, in tokens per second.
    rate: f64,
    /// When `tokens` was last brought up to date. In the future while a
    /// `Retry-After` pause lasts: the bucket refills only after it.
    updated: Instant,
    /// When the rate was last cut.
    last_cut: Option<Instant>,
}

impl State {
    /// Tokens refill at `rate`, up to one period's worth at that rate.
    fn refill(&mut self, now: Instant, per: Duration) {
        if now > self.updated {
            let capacity = (self.rate * per.as_secs_f64()).max(1.0);
            let added = (now - self.updated).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + added).min(capacity);
            self.updated = now;
        }
    }
}

/// The wait for budget would end after the call's deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OverDeadline {
    /// How long the request would have had to wait.
    pub(crate) wait: Duration,
}

impl fmt::Debug for RateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rate = self.lock().rate;
        f.debug_struct("RateBudget")
            .field("limit", &self.limit)
            .field("current_rate_per_s", &rate)
            .finish()
    }
}

impl RateBudget {
    /// A new, full budget of its own.
    pub(crate) fn new(limit: RateLimit) -> Self {
        RateBudget {
            limit,
            state: Mutex::new(State {
                tokens: f64::from(limit.requests),
                rate: limit.rate(),
                updated: Instant::now(),
                last_cut: None,
            }),
            line: tokio::sync::Mutex::new(()),
        }
    }

    /// The budget of `client_id` at `origin` with `limit`: every client of
    /// this process built for the same three shares one budget, since the
    /// server counts requests per client id. It lives as long as a client
    /// uses it.
    pub(crate) fn shared(origin: &str, client_id: &str, limit: RateLimit) -> Arc<RateBudget> {
        type Key = (String, String, RateLimit);
        static REGISTRY: OnceLock<Mutex<HashMap<Key, Weak<RateBudget>>>> = OnceLock::new();
        let mut registry = REGISTRY
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        registry.retain(|_, budget| budget.strong_count() > 0);
        let key = (origin.to_owned(), client_id.to_owned(), limit);
        if let Some(budget) = registry.get(&key).and_then(Weak::upgrade) {
            return budget;
        }
        let budget = Arc::new(RateBudget::new(limit));
        registry.insert(key, Arc::downgrade(&budget));
        budget
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few numbers, always consistent between statements.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The configured limit.
    pub(crate) fn limit(&self) -> RateLimit {
        self.limit
    }

    /// The current refill rate, in requests per second.
    #[cfg(test)]
    pub(crate) fn current_rate(&self) -> f64 {
        self.lock().rate
    }

    /// Takes one token, waiting in line for it (first come, first served).
    /// Returns how long it waited, or [`OverDeadline`] as soon as it is
    /// clear that the token would come after `deadline`.
    pub(crate) async fn acquire(
        &self,
        deadline: Option<Instant>,
    ) -> Result<Duration, OverDeadline> {
        let start = Instant::now();
        let over = |at: Instant| OverDeadline {
            wait: at.saturating_duration_since(start),
        };
        // One request at a time waits at the head of the line; the others
        // queue on this fair lock. The head re-reads the state after every
        // sleep, so a pause or a cut made meanwhile applies to it too.
        let _head = match deadline {
            None => self.line.lock().await,
            Some(deadline) => tokio::time::timeout_at(deadline.into(), self.line.lock())
                .await
                .map_err(|_| over(deadline))?,
        };
        loop {
            let now = Instant::now();
            match self.try_take(now) {
                None => return Ok(now - start),
                Some(at) if deadline.is_some_and(|d| at >= d) => return Err(over(at)),
                Some(at) => tokio::time::sleep_until(at.into()).await,
            }
        }
    }

    /// Takes a token if one is ready at `now` (`None`); otherwise returns when
    /// the next one will be, taking nothing.
    fn try_take(&self, now: Instant) -> Option<Instant> {
        let mut state = self.lock();
        state.refill(now, self.limit.per);
        if state.updated > now {
            // Paused by `Retry-After`.
            let missing = (1.0 - state.tokens).max(0.0);
            return Some(state.updated + Duration::from_secs_f64(missing / state.rate));
        }
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            return None;
        }
        Some(now + Duration::from_secs_f64((1.0 - state.tokens) / state.rate))
    }

    /// Records a `429` answering a request sent at `sent_at`: pauses the budget
    /// for `retry_after` and, once per burst, cuts the rate.
    pub(crate) fn throttled(&self, sent_at: Instant, retry_after: Option<Duration>) {
        let now = Instant::now();
        let mut state = self.lock();
        state.refill(now, self.limit.per);
        if state.last_cut.is_none_or(|cut| sent_at > cut) {
            let floor = self.limit.rate() * FLOOR;
            state.rate = (state.rate * CUT).max(floor);
            state.last_cut = Some(now);
            state.tokens = state.tokens.min(0.0);
            tracing::info!(
                rate_per_s = state.rate,
                "429 Too Many Requests: the client's rate budget is cut"
            );
        }
        if let Some(pause) = retry_after {
            let until = now + pause;
            if until > state.updated {
                state.updated = until;
            }
        }
    }

    /// Records a response that was not a `429`: the rate recovers a little.
    pub(crate) fn succeeded(&self) {
        let mut state = self.lock();
        let max = self.limit.rate();
        if state.rate < max {
            state.rate = (state.rate + max * RECOVERY).min(max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);
    const MS: Duration = Duration::from_millis(1);

    fn close(a: Instant, b: Instant) -> bool {
        a.max(b) - a.min(b) < Duration::from_micros(50)
    }

    #[test]
    fn a_full_bucket_then_one_request_per_interval() {
        let budget = RateBudget::new(RateLimit::new(10, SECOND));
        let now = Instant::now();
        for _ in 0..10 {
            assert_eq!(budget.try_take(now), None);
        }
        // Then one every 100 ms.
        let next = budget.try_take(now).unwrap();
        assert!(close(next, now + 100 * MS), "{:?}", next - now);
        assert_eq!(budget.try_take(next), None);
        let after = budget.try_take(next).unwrap();
        assert!(close(after, next + 100 * MS), "{:?}", after - next);
    }

    #[test]
    fn the_bucket_holds_at_most_one_period() {
        let budget = RateBudget::new(RateLimit::new(5, SECOND));
        let later = Instant::now() + Duration::from_secs(60);
        for _ in 0..5 {
            assert_eq!(budget.try_take(later), None);
        }
        assert!(budget.try_take(later).is_some());
    }

    #[test]
    fn a_429_cuts_once_per_burst_and_pauses() {
        let budget = RateBudget::new(RateLimit::new(100, Duration::from_secs(10)));
        let sent = Instant::now();
        budget.throttled(sent, Some(Duration::from_secs(2)));
        assert!((budget.current_rate() - 7.0).abs() < 1e-9);
        // Answers to requests sent before the cut do not cut again.
        budget.throttled(sent, Some(Duration::from_secs(2)));
        assert!((budget.current_rate() - 7.0).abs() < 1e-9);
        // Nothing is ready before the pause ends, and the bucket was emptied.
        let now = Instant::now();
        let ready = budget.try_take(now).unwrap();
        assert!(ready >= now + 2000 * MS, "{:?}", ready - now);
        // Later 429s cut again, down to the floor at most.
        for k in 0..200 {
            budget.throttled(Instant::now() + SECOND * (k + 1), None);
        }
        assert!((budget.current_rate() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn successes_recover_the_rate_slowly_up_to_the_limit() {
        let budget = RateBudget::new(RateLimit::new(100, Duration::from_secs(10)));
        budget.throttled(Instant::now(), None);
        for _ in 0..100 {
            budget.succeeded();
        }
        let rate = budget.current_rate();
        assert!(rate > 7.0 && rate < 10.0, "{rate}");
        for _ in 0..1000 {
            budget.succeeded();
        }
        assert!((budget.current_rate() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn clients_of_one_client_id_share_a_budget() {
        let limit = RateLimit::default();
        let a = RateBudget::shared("http://127.0.0.1:1", "id", limit);
        let b = RateBudget::shared("http://127.0.0.1:1", "id", limit);
        let other_id = RateBudget::shared("http://127.0.0.1:1", "id2", limit);
        let other_origin = RateBudget::shared("http://127.0.0.1:2", "id", limit);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &other_id));
        assert!(!Arc::ptr_eq(&a, &other_origin));
        a.throttled(Instant::now(), None);
        drop((a, b));
        // Once no client uses it, a new one starts afresh.
        let c = RateBudget::shared("http://127.0.0.1:1", "id", limit);
        assert!((c.current_rate() - 10.0).abs() < 1e-9);
    }

    #[tokio::test]
    async fn acquire_waits_in_line_and_gives_up_before_the_deadline() {
        let budget = RateBudget::new(RateLimit::new(1, 50 * MS));
        let first = budget.acquire(None).await.unwrap();
        assert!(first < 40 * MS, "{first:?}");
        let waited = budget.acquire(None).await.unwrap();
        assert!(waited >= 40 * MS, "{waited:?}");
        // The next token is ~50 ms away: a 10 ms deadline fails at once.
        let deadline = Instant::now() + 10 * MS;
        let err = budget.acquire(Some(deadline)).await.unwrap_err();
        assert!(err.wait >= 10 * MS, "{err:?}");
    }
}
