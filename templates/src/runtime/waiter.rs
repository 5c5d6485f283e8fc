//! The polling loop behind waiters: poll a status operation until its status
//! is terminal, the total deadline passes, or the status is one the waiter
//! does not know.
//!
//! Each poll goes through `Client::execute`, so it follows the client's
//! retries and rate budget. Between polls the wait grows exponentially from
//! `initial_delay` to `max_delay`, with full jitter, and never sleeps past the
//! deadline. A status that is neither a success, a failure nor a known
//! pending state ends the wait at once as [`WaitOutcome::Unknown`]: the
//! server added a state this SDK does not know, and waiting for a terminal
//! state might never end.
//!
//! The generator does not emit waiters from `x-sdk-waiter` yet; until it
//! does, this module is used by its tests only.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::error::Error;

/// How a waiter ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WaitOutcome<S> {
    /// The status reached a success state.
    Succeeded(S),
    /// The status reached a failure state.
    Failed(S),
    /// The status is not one the waiter knows; it stopped rather than wait forever.
    Unknown(S),
    /// The deadline passed without a terminal state; `last` is the last
    /// status seen, if any poll answered.
    TimedOut {
        /// The last status seen.
        last: Option<S>,
    },
}

/// What a waiter makes of one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub(crate) struct WaitBounds {
    /// The first wait between two polls.
    pub initial_delay: Duration,
    /// The longest wait between two polls.
    pub max_delay: Duration,
    /// The total deadline, first poll included.
    pub timeout: Duration,
}

/// Polls with `poll` until `classify` says the status is terminal or unknown,
/// or `bounds.timeout` passes. An error from a poll ends the wait with that
/// error (the client already retried what it could).
pub(crate) async fn wait<S, E, F, Fut>(
    bounds: WaitBounds,
    mut poll: F,
    classify: impl Fn(&S) -> Phase,
) -> Result<WaitOutcome<S>, Error<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<S, Error<E>>>,
{
    let deadline = Instant::now() + bounds.timeout;
    let mut last = None;
    let mut delay = bounds.initial_delay;
    loop {
        let status = match tokio::time::timeout_at(deadline, poll()).await {
            Ok(result) => result?,
            Err(_) => return Ok(WaitOutcome::TimedOut { last }),
        };
        match classify(&status) {
            Phase::Succeeded => return Ok(WaitOutcome::Succeeded(status)),
            Phase::Failed => return Ok(WaitOutcome::Failed(status)),
            Phase::Unknown => return Ok(WaitOutcome::Unknown(status)),
            Phase::Pending => {}
        }
        tracing::debug!(delay_ms = delay.as_millis() as u64, "waiter: not done yet");
        last = Some(status);
        // Full jitter: anywhere between half the delay and the delay.
        let half = delay / 2;
        let jittered = half + half.mul_f64(fastrand::f64());
        let wake = Instant::now() + jittered;
        if wake >= deadline {
            tokio::time::sleep_until(deadline).await;
            return Ok(WaitOutcome::TimedOut { last });
        }
        tokio::time::sleep_until(wake).await;
        delay = (delay * 2).min(bounds.max_delay);
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

    async fn run(statuses: &[&str], bounds: WaitBounds) -> (WaitOutcome<String>, u32) {
        let (_server, client) = server(statuses).await;
        let polls = AtomicU32::new(0);
        let outcome = wait(bounds, || poll(&client, &polls), |s: &String| classify(s))
            .await
            .unwrap();
        (outcome, polls.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn waits_through_pending_states_to_success() {
        let (outcome, polls) = run(&["STARTED", "RUNNING", "COMPLETED"], BOUNDS).await;
        assert_eq!(outcome, WaitOutcome::Succeeded("COMPLETED".to_owned()));
        assert_eq!(polls, 3);
    }

    #[tokio::test]
    async fn a_failure_state_ends_the_wait() {
        let (outcome, polls) = run(&["RUNNING", "TERMINATED"], BOUNDS).await;
        assert_eq!(outcome, WaitOutcome::Failed("TERMINATED".to_owned()));
        assert_eq!(polls, 2);
    }

    #[tokio::test]
    async fn an_unknown_status_is_reported_at_once() {
        let (outcome, polls) = run(&["RUNNING", "PAUSED_FOR_REVIEW"], BOUNDS).await;
        assert_eq!(
            outcome,
            WaitOutcome::Unknown("PAUSED_FOR_REVIEW".to_owned())
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
        assert_eq!(
            outcome,
            WaitOutcome::TimedOut {
                last: Some("RUNNING".to_owned())
            }
        );
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
        let err = wait(BOUNDS, || poll(&client, &polls), |s: &String| classify(s))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    }
}
