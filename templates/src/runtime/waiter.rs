//! Waiters: start long-running work, then poll a status operation until its
//! status is terminal, the total deadline passes, or the status is one the
//! waiter does not know.
//!
//! The generator emits one waiter per `x-sdk-waiter` declaration of the spec
//! (a builder on the tag handle, such as `classify_and_wait`); each calls the
//! start operation, then [`wait`] with the status operation. Both go through
//! `Client::execute`, so they follow the client's retries (a `429` waits for
//! `Retry-After`) and rate budget. Between polls the wait grows exponentially
//! from `initial_delay` to `max_delay`, with jitter, and never sleeps past the
//! deadline. A status that is neither a success, a failure nor a known
//! pending state ends the wait at once as [`WaitError::UnknownStatus`]: the
//! server added a state this SDK does not know, and waiting for a terminal
//! state might never end.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::error::Error;

/// How a wait ended when the work reached a terminal state.
///
/// `S` is the body of the status operation, as the last poll returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitOutcome<S> {
    /// The status reached one of the waiter's success states.
    Succeeded(S),
    /// The status reached one of the waiter's failure states.
    Failed(S),
}

impl<S> WaitOutcome<S> {
    /// The last status, whichever way the work ended.
    pub fn status(&self) -> &S {
        match self {
            WaitOutcome::Succeeded(s) | WaitOutcome::Failed(s) => s,
        }
    }

    /// Whether the status reached a success state.
    pub fn is_success(&self) -> bool {
        matches!(self, WaitOutcome::Succeeded(_))
    }

    /// The last status, whichever way the work ended.
    pub fn into_status(self) -> S {
        match self {
            WaitOutcome::Succeeded(s) | WaitOutcome::Failed(s) => s,
        }
    }
}

/// Why a wait ended without a terminal state.
///
/// `S` is the body of the status operation; `SE` and `PE` are the error
/// bodies of the start and of the status operation.
#[derive(Debug)]
pub enum WaitError<S, SE, PE> {
    /// Starting the work failed; nothing was polled.
    Start(Error<SE>),
    /// A status poll failed (after the client's own retries).
    Poll(Error<PE>),
    /// The deadline passed without a terminal state.
    Timeout {
        /// The last status seen, if any poll answered before the deadline.
        last_status: Option<S>,
        /// How long the wait lasted, start included.
        elapsed: Duration,
    },
    /// The status is not one the waiter knows (a state added to the API
    /// after this SDK was generated, or a missing status field); the waiter
    /// stopped rather than wait for a terminal state that may never come.
    UnknownStatus(S),
}

impl<S, SE, PE> WaitError<S, SE, PE> {
    /// The last status seen, if any poll answered.
    pub fn last_status(&self) -> Option<&S> {
        match self {
            WaitError::Timeout { last_status, .. } => last_status.as_ref(),
            WaitError::UnknownStatus(s) => Some(s),
            WaitError::Start(_) | WaitError::Poll(_) => None,
        }
    }
}

impl<S, SE, PE> fmt::Display for WaitError<S, SE, PE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Start(_) => f.write_str("starting the work failed"),
            WaitError::Poll(_) => f.write_str("polling the status failed"),
            WaitError::Timeout {
                last_status,
                elapsed,
            } => write!(
                f,
                "no terminal state after {:.1}s ({})",
                elapsed.as_secs_f64(),
                if last_status.is_some() {
                    "the last status was still pending"
                } else {
                    "no status poll answered"
                }
            ),
            WaitError::UnknownStatus(_) => {
                f.write_str("the status is not one this SDK knows; stopped waiting")
            }
        }
    }
}

/// The cause of `Start` and `Poll` is the call's [`Error`], as
/// [`source`](std::error::Error::source).
impl<S, SE, PE> std::error::Error for WaitError<S, SE, PE>
where
    S: fmt::Debug,
    SE: fmt::Debug + 'static,
    PE: fmt::Debug + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Start(e) => Some(e),
            WaitError::Poll(e) => Some(e),
            WaitError::Timeout { .. } | WaitError::UnknownStatus(_) => None,
        }
    }
}

/// What a waiter makes of one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // Used by the waiters a spec declares; a spec may declare none.
pub(crate) enum Phase {
    /// Not finished: poll again.
    Pending,
    /// A success state.
    Succeeded,
    /// A failure state.
    Failed,
    /// A state the waiter does not know.
    Unknown,
}

/// The polling bounds of a waiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // Used by the waiters a spec declares; a spec may declare none.
pub(crate) struct WaitBounds {
    /// The first wait between two polls.
    pub initial_delay: Duration,
    /// The longest wait between two polls.
    pub max_delay: Duration,
    /// The total deadline, start and first poll included.
    pub timeout: Duration,
}

/// Polls with `poll` until `classify` says the status is terminal or unknown,
/// or `bounds.timeout` (counted from `started`) passes. An error from a poll
/// ends the wait with that error (the client already retried what it could).
#[allow(dead_code)] // Used by the waiters a spec declares; a spec may declare none.
pub(crate) async fn wait<S, SE, PE, F, Fut>(
    started: Instant,
    bounds: WaitBounds,
    mut poll: F,
    classify: impl Fn(&S) -> Phase,
) -> Result<WaitOutcome<S>, WaitError<S, SE, PE>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<S, Error<PE>>>,
{
    let deadline = started + bounds.timeout;
    let timed_out = |last_status| WaitError::Timeout {
        last_status,
        elapsed: started.elapsed(),
    };
    let mut last = None;
    let mut delay = bounds.initial_delay.min(bounds.max_delay);
    loop {
        let status = match tokio::time::timeout_at(deadline, poll()).await {
            Ok(result) => result.map_err(WaitError::Poll)?,
            Err(_) => return Err(timed_out(last)),
        };
        match classify(&status) {
            Phase::Succeeded => return Ok(WaitOutcome::Succeeded(status)),
            Phase::Failed => return Ok(WaitOutcome::Failed(status)),
            Phase::Unknown => return Err(WaitError::UnknownStatus(status)),
            Phase::Pending => {}
        }
        tracing::debug!(delay_ms = delay.as_millis() as u64, "waiter: not done yet");
        last = Some(status);
        // Jitter: anywhere between half the delay and the delay, so that
        // many waiters started together do not poll together.
        let half = delay / 2;
        let jittered = half + half.mul_f64(fastrand::f64());
        let wake = Instant::now() + jittered;
        if wake >= deadline {
            tokio::time::sleep_until(deadline).await;
            return Err(timed_out(last));
        }
        tokio::time::sleep_until(wake).await;
        delay = delay.saturating_mul(2).min(bounds.max_delay);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use reqwest::Method;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::runtime::{Client, Operation, Request};

    static STATUS: Operation = Operation {
        id: "getStatus",
        method: Method::GET,
        path_template: "/status",
        experimental: false,
    };

    const BOUNDS: WaitBounds = WaitBounds {
        initial_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        timeout: Duration::from_secs(5),
    };

    fn classify(status: &str) -> Phase {
        match status {
            "COMPLETED" => Phase::Succeeded,
            "CANCELLED" | "TERMINATED" => Phase::Failed,
            "STARTED" | "RUNNING" => Phase::Pending,
            _ => Phase::Unknown,
        }
    }

    /// A server answering `statuses` in order, then the last one forever.
    async fn server(statuses: &[&str]) -> (MockServer, Client) {
        let server = MockServer::start().await;
        let (last, first) = statuses.split_last().unwrap();
        for s in first {
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(200).set_body_json(*s))
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
        }
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(*last))
            .with_priority(2)
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token("t")
            .build()
            .unwrap();
        (server, client)
    }

    async fn poll(client: &Client, polls: &AtomicU32) -> Result<String, Error<()>> {
        polls.fetch_add(1, Ordering::Relaxed);
        let raw = client
            .execute::<()>(Request::new(&STATUS, "/status".to_owned()))
            .await?;
        raw.json::<String, ()>().map(|r| r.into_body())
    }

    type Outcome = Result<WaitOutcome<String>, WaitError<String, (), ()>>;

    async fn run(statuses: &[&str], bounds: WaitBounds) -> (Outcome, u32) {
        let (_server, client) = server(statuses).await;
        let polls = AtomicU32::new(0);
        let outcome = wait(
            Instant::now(),
            bounds,
            || poll(&client, &polls),
            |s: &String| classify(s),
        )
        .await;
        (outcome, polls.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn waits_through_pending_states_to_success() {
        let (outcome, polls) = run(&["STARTED", "RUNNING", "COMPLETED"], BOUNDS).await;
        assert_eq!(
            outcome.unwrap(),
            WaitOutcome::Succeeded("COMPLETED".to_owned())
        );
        assert_eq!(polls, 3);
    }

    #[tokio::test]
    async fn a_failure_state_ends_the_wait() {
        let (outcome, polls) = run(&["RUNNING", "TERMINATED"], BOUNDS).await;
        assert_eq!(
            outcome.unwrap(),
            WaitOutcome::Failed("TERMINATED".to_owned())
        );
        assert_eq!(polls, 2);
    }

    #[tokio::test]
    async fn an_unknown_status_is_reported_at_once() {
        let (outcome, polls) = run(&["RUNNING", "PAUSED_FOR_REVIEW"], BOUNDS).await;
        assert!(
            matches!(&outcome, Err(WaitError::UnknownStatus(s)) if s == "PAUSED_FOR_REVIEW"),
            "{outcome:?}"
        );
        assert_eq!(polls, 2);
    }

    #[tokio::test]
    async fn the_deadline_ends_the_wait_with_the_last_status() {
        let bounds = WaitBounds {
            timeout: Duration::from_millis(100),
            ..BOUNDS
        };
        let started = std::time::Instant::now();
        let (outcome, polls) = run(&["STARTED", "RUNNING"], bounds).await;
        match &outcome {
            Err(WaitError::Timeout {
                last_status,
                elapsed,
            }) => {
                assert_eq!(last_status.as_deref(), Some("RUNNING"));
                assert!(*elapsed >= Duration::from_millis(100), "{elapsed:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(polls >= 2, "{polls}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn a_poll_error_ends_the_wait_with_that_error() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string("not json"))
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token("t")
            .build()
            .unwrap();
        let polls = AtomicU32::new(0);
        let err: WaitError<String, (), ()> = wait(
            Instant::now(),
            BOUNDS,
            || poll(&client, &polls),
            |s: &String| classify(s),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, WaitError::Poll(Error::Decode { .. })),
            "{err:?}"
        );
    }
}
