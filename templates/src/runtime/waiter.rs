//! Waiters: start long-running work, then poll a status operation until its
//! status is terminal or the total deadline passes.
//!
//! The generator emits one waiter per `x-sdk-waiter` declaration of the spec
//! (a builder on the tag handle, such as `classify_and_wait`); each calls the
//! start operation, then [`wait`] with the status operation. Both go through
//! `Client::execute`, so they follow the client's retries (a `429` waits for
//! `Retry-After`) and rate budget. Between polls the wait grows exponentially
//! from `initial_delay` to `max_delay`, with jitter, and never sleeps past the
//! deadline. A status that is neither a success, a failure nor a known
//! pending state (the server added a state after this SDK was generated) is
//! logged once at WARN and treated as pending, as AWS's waiters do when no
//! acceptor matches, so the wait ends at a terminal state or at the deadline,
//! whose [`WaitError::Timeout`] names the last status. A caller who prefers to
//! stop at once sets [`OnUnknownStatus::Stop`] on that wait
//! (`.on_unknown_status(..)`), and gets [`WaitError::UnknownStatus`].

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
        /// The status value of the last poll (such as `"STARTED"`), known to
        /// this SDK or not; `None` when no poll answered or the status field
        /// was missing.
        last_state: Option<String>,
        /// Whether the last status was one this SDK does not know (the
        /// waiter kept polling through it, see [`OnUnknownStatus`]).
        last_state_unknown: bool,
        /// How long the wait lasted, start included.
        elapsed: Duration,
    },
    /// The status is not one the waiter knows (a state added to the API
    /// after this SDK was generated, or a missing status field), and this wait
    /// was set to stop at once ([`OnUnknownStatus::Stop`]). By default the
    /// waiter keeps polling instead, until a terminal state or the deadline.
    UnknownStatus(S),
}

/// What a waiter does when a poll returns a status that is neither a
/// success, a failure nor a known pending state (set per wait with the
/// waiter's `.on_unknown_status(..)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnUnknownStatus {
    /// Log it once at WARN and treat it as pending: poll on until a terminal
    /// state or the deadline ([`WaitError::Timeout`] then names the last
    /// status). The default: APIs add states, and the work usually reaches a
    /// known terminal state in the end.
    #[default]
    KeepWaiting,
    /// End the wait at once with [`WaitError::UnknownStatus`].
    Stop,
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

/// `Start` and `Poll` show the call's [`Error`] after what failed, so
/// `eprintln!("{err}")` says why (`starting the work failed: ...`).
impl<S, SE, PE> fmt::Display for WaitError<S, SE, PE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Start(e) => write!(f, "starting the work failed: {e}"),
            WaitError::Poll(e) => write!(f, "polling the status failed: {e}"),
            WaitError::Timeout {
                last_status,
                last_state,
                last_state_unknown,
                elapsed,
            } => {
                write!(f, "no terminal state after {:.1}s (", elapsed.as_secs_f64())?;
                match (last_status, last_state) {
                    (None, _) => f.write_str("no status poll answered")?,
                    (Some(_), None) => f.write_str("the last status had no status value")?,
                    (Some(_), Some(state)) if *last_state_unknown => write!(
                        f,
                        "the last status was `{state}`, a state this SDK does not know"
                    )?,
                    (Some(_), Some(state)) => write!(f, "the last status was `{state}`")?,
                }
                f.write_str(")")
            }
            WaitError::UnknownStatus(_) => f.write_str(
                "the status is not one this SDK knows; stopped waiting (OnUnknownStatus::Stop)",
            ),
        }
    }
}

/// The call's [`Error`] of `Start` and `Poll` is already in the `Display`
/// text, so [`source`](std::error::Error::source) is that error's own cause
/// (a chain printer does not repeat it).
impl<S, SE, PE> std::error::Error for WaitError<S, SE, PE>
where
    S: fmt::Debug,
    SE: fmt::Debug + 'static,
    PE: fmt::Debug + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Start(e) => std::error::Error::source(e),
            WaitError::Poll(e) => std::error::Error::source(e),
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
    /// What to do with a status the waiter does not know.
    pub on_unknown: OnUnknownStatus,
}

/// Polls with `poll` until `classify` says the status is terminal (or
/// unknown, when `bounds.on_unknown` is [`OnUnknownStatus::Stop`]), or
/// `bounds.timeout` (counted from `started`) passes. `classify` also returns
/// the status value, for the log and the timeout error. An error from a poll
/// ends the wait with that error (the client already retried what it could).
#[allow(dead_code)] // Used by the waiters a spec declares; a spec may declare none.
pub(crate) async fn wait<S, SE, PE, F, Fut>(
    started: Instant,
    bounds: WaitBounds,
    mut poll: F,
    classify: impl Fn(&S) -> (Phase, Option<&str>),
) -> Result<WaitOutcome<S>, WaitError<S, SE, PE>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<S, Error<PE>>>,
{
    let deadline = started + bounds.timeout;
    // (last status, its value, whether that value is unknown)
    let timed_out = |last: Option<(S, Option<String>, bool)>| {
        let (last_status, last_state, last_state_unknown) = match last {
            Some((status, state, unknown)) => (Some(status), state, unknown),
            None => (None, None, false),
        };
        WaitError::Timeout {
            last_status,
            last_state,
            last_state_unknown,
            elapsed: started.elapsed(),
        }
    };
    let mut last = None;
    let mut warned = false;
    let mut delay = bounds.initial_delay.min(bounds.max_delay);
    loop {
        let status = match tokio::time::timeout_at(deadline, poll()).await {
            Ok(result) => result.map_err(WaitError::Poll)?,
            Err(_) => return Err(timed_out(last)),
        };
        let (phase, state) = classify(&status);
        let state = state.map(str::to_owned);
        match phase {
            Phase::Succeeded => return Ok(WaitOutcome::Succeeded(status)),
            Phase::Failed => return Ok(WaitOutcome::Failed(status)),
            Phase::Unknown if bounds.on_unknown == OnUnknownStatus::Stop => {
                return Err(WaitError::UnknownStatus(status))
            }
            Phase::Unknown => {
                if !warned {
                    warned = true;
                    tracing::warn!(
                        state = state.as_deref().unwrap_or("(none)"),
                        "waiter: a status this SDK does not know; polling on until a known \
                         final state or the deadline"
                    );
                }
            }
            Phase::Pending => {}
        }
        tracing::debug!(delay_ms = delay.as_millis() as u64, "waiter: not done yet");
        last = Some((status, state, phase == Phase::Unknown));
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
        on_unknown: OnUnknownStatus::KeepWaiting,
    };

    #[allow(clippy::ptr_arg)] // `wait` hands it a `&S`, and `S` is `String` here.
    fn classify(status: &String) -> (Phase, Option<&str>) {
        let phase = match status.as_str() {
            "COMPLETED" => Phase::Succeeded,
            "CANCELLED" | "TERMINATED" => Phase::Failed,
            "STARTED" | "RUNNING" => Phase::Pending,
            _ => Phase::Unknown,
        };
        (phase, Some(status))
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
        let outcome = wait(Instant::now(), bounds, || poll(&client, &polls), classify).await;
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
    async fn an_unknown_status_stops_the_wait_at_once_when_asked() {
        let bounds = WaitBounds {
            on_unknown: OnUnknownStatus::Stop,
            ..BOUNDS
        };
        let (outcome, polls) = run(&["RUNNING", "PAUSED_FOR_REVIEW"], bounds).await;
        assert!(
            matches!(&outcome, Err(WaitError::UnknownStatus(s)) if s == "PAUSED_FOR_REVIEW"),
            "{outcome:?}"
        );
        assert_eq!(polls, 2);
    }

    #[tokio::test]
    async fn an_unknown_status_is_polled_through_to_a_known_final_state() {
        let (outcome, polls) = run(
            &[
                "RUNNING",
                "PAUSED_FOR_REVIEW",
                "PAUSED_FOR_REVIEW",
                "COMPLETED",
            ],
            BOUNDS,
        )
        .await;
        assert_eq!(
            outcome.unwrap(),
            WaitOutcome::Succeeded("COMPLETED".to_owned())
        );
        assert_eq!(polls, 4);
    }

    /// A `tracing` writer that keeps everything in memory.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn an_unknown_status_is_logged_once_at_warn() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || writer.clone())
            .finish();
        // See `secrets_never_show_in_debug_errors_or_tracing`: a second
        // dispatcher makes tracing ask this thread's one for every callsite.
        let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
        let _guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();

        let statuses = [
            "RUNNING",
            "PAUSED_FOR_REVIEW",
            "PAUSED_FOR_REVIEW",
            "PAUSED_FOR_REVIEW",
            "COMPLETED",
        ];
        let (outcome, polls) = run(&statuses, BOUNDS).await;

        assert!(outcome.unwrap().is_success());
        assert_eq!(polls, 5);
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(logs.matches("does not know").count(), 1, "{logs}");
        assert!(logs.contains("WARN"), "{logs}");
        assert!(logs.contains("state=\"PAUSED_FOR_REVIEW\""), "{logs}");
    }

    #[tokio::test]
    async fn an_unknown_status_until_the_deadline_is_named_by_the_timeout() {
        let bounds = WaitBounds {
            timeout: Duration::from_millis(100),
            ..BOUNDS
        };
        let (outcome, polls) = run(&["RUNNING", "PAUSED_FOR_REVIEW"], bounds).await;
        let err = outcome.unwrap_err();
        match &err {
            WaitError::Timeout {
                last_status,
                last_state,
                last_state_unknown,
                ..
            } => {
                assert_eq!(last_status.as_deref(), Some("PAUSED_FOR_REVIEW"));
                assert_eq!(last_state.as_deref(), Some("PAUSED_FOR_REVIEW"));
                assert!(*last_state_unknown);
            }
            other => panic!("{other:?}"),
        }
        assert!(polls >= 3, "{polls}");
        let text = err.to_string();
        assert!(
            text.contains(
                "the last status was `PAUSED_FOR_REVIEW`, a state this SDK does not know"
            ),
            "{text}"
        );
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
                last_state,
                last_state_unknown,
                elapsed,
            }) => {
                assert_eq!(last_status.as_deref(), Some("RUNNING"));
                assert_eq!(last_state.as_deref(), Some("RUNNING"));
                assert!(!last_state_unknown);
                assert!(*elapsed >= Duration::from_millis(100), "{elapsed:?}");
            }
            other => panic!("{other:?}"),
        }
        let text = outcome.unwrap_err().to_string();
        assert!(text.contains("(the last status was `RUNNING`)"), "{text}");
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
        let err: WaitError<String, (), ()> =
            wait(Instant::now(), BOUNDS, || poll(&client, &polls), classify)
                .await
                .unwrap_err();
        assert!(
            matches!(err, WaitError::Poll(Error::Decode { .. })),
            "{err:?}"
        );
        // The cause is in the text, as with `Error` itself.
        let text = err.to_string();
        assert!(
            text.starts_with(
                "polling the status failed: `getStatus` failed: the response body does not decode"
            ),
            "{text}"
        );
    }
}
