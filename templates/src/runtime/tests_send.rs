//! The send path's limits and messages, against real servers on loopback: a
//! call's timeout bounds the whole call, a refusal by the rate budget says
//! so, only real budget waits are logged, raw paths are checked, and the
//! front page's defaults are the code's.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use tokio::net::TcpListener;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{CallOptions, Client, ClientBuilder, Error, RateLimit};

/// A tenant that accepts connections and never answers; its base URL.
async fn silent_tenant() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}")
}

fn bearer(base_url: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .bearer_token("tok-0123456789")
}

/// Far below the old per-attempt behaviour (4 attempts of 2 s and the waits
/// between them), far above 2 s on a loaded machine.
const BOUND: Duration = Duration::from_secs(6);

fn assert_timed_out_near_2s(err: &Error<serde_json::Value>, elapsed: Duration) {
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(elapsed >= Duration::from_millis(1900), "{elapsed:?}");
    assert!(elapsed < BOUND, "the call took {elapsed:?}: {err}");
}

#[tokio::test]
async fn a_call_timeout_bounds_the_whole_call_retries_included() {
    let base = silent_tenant().await;
    let client = bearer(&base).no_rate_limit().build().unwrap();
    let started = Instant::now();
    let err = client
        .request(Method::GET, "/things")
        .with_options(CallOptions::new().timeout(Duration::from_secs(2)))
        .send()
        .await
        .unwrap_err();
    assert_timed_out_near_2s(&err, started.elapsed());
}

#[tokio::test]
async fn a_client_timeout_bounds_the_whole_call_token_fetch_included() {
    let base = silent_tenant().await;
    let client = Client::builder()
        .base_url(&base)
        .client_credentials("id", "secret")
        .token_url("/oauth/token")
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .request(Method::GET, "/things")
        .send()
        .await
        .unwrap_err();
    assert_timed_out_near_2s(&err, started.elapsed());
}

#[tokio::test]
async fn the_attempt_timeout_is_per_attempt() {
    let base = silent_tenant().await;
    let client = bearer(&base)
        .no_rate_limit()
        .attempt_timeout(Duration::from_millis(200))
        .retry_policy(
            super::RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = client
        .request(Method::GET, "/things")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { attempts: 3, .. }),
        "three attempts of 200 ms each: {err:?}"
    );
}

#[tokio::test]
async fn a_call_refused_by_the_rate_budget_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = bearer(&server.uri())
        .rate_limit(RateLimit::new(1, Duration::from_secs(3600)))
        .build()
        .unwrap();
    client.request(Method::GET, "/things").send().await.unwrap();
    let err = client
        .request(Method::GET, "/things")
        .with_options(CallOptions::new().timeout(Duration::from_secs(1)))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RateBudget { attempts: 0, .. }),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.contains("was not sent: the client's rate budget had no room"),
        "{shown}"
    );
    assert!(!shown.contains("timed out"), "{shown}");
}

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn only_real_waits_for_the_rate_budget_are_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // See `tests::secrets_never_show_in_debug_errors_or_tracing` for these lines.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    tracing::callsite::rebuild_interest_cache();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    // One request at once, then one every 300 ms.
    let client = bearer(&server.uri())
        .rate_limit(RateLimit::new(1, Duration::from_millis(300)))
        .build()
        .unwrap();
    let logged = || String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    client.request(Method::GET, "/things").send().await.unwrap();
    let first = logged();
    assert!(first.contains(" response "), "{first}");
    assert!(!first.contains("waited for the rate budget"), "{first}");
    client.request(Method::GET, "/things").send().await.unwrap();
    let both = logged();
    let wait = both
        .lines()
        .find(|l| l.contains("waited for the rate budget"))
        .unwrap_or_else(|| panic!("no wait logged in\n{both}"));
    let ms: u64 = wait
        .split("wait_ms=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{wait}"));
    assert!(ms >= 100, "{wait}");
}

#[tokio::test]
async fn raw_paths_must_be_absolute_and_without_dot_segments() {
    let client = bearer("http://127.0.0.1:9").build().unwrap();
    let refused = |path: &'static str| {
        let client = client.clone();
        async move {
            match client.request(Method::GET, path).send().await {
                Err(Error::InvalidRequest { reason, .. }) => reason,
                other => panic!("{path}: {other:?}"),
            }
        }
    };
    let reason = refused("machine-identities/v2").await;
    assert!(
        reason.contains("`machine-identities/v2` does not start with `/`")
            && reason.contains("`/machine-identities/v2`"),
        "{reason}"
    );
    for path in ["/a/../oauth/token", "/a/%2e%2E/b", "/./a", "/a/.."] {
        let reason = refused(path).await;
        assert!(reason.contains("`.` or `..` segment"), "{path}: {reason}");
    }
}

// @sdk if sailpoint
/// The value of the `Default` column of the front page's limits table for
/// the row whose last column links to `setter`, in seconds.
fn documented_seconds(front_page: &str, setter: &str) -> u64 {
    let row = front_page
        .lines()
        .find(|l| l.contains('|') && l.contains(&format!("({setter})")))
        .unwrap_or_else(|| panic!("no row for {setter} in the front page's limits table"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    cells[2]
        .strip_suffix(" s")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{row}"))
}

#[test]
fn the_front_page_documents_the_defaults_of_the_code() {
    let front_page = include_str!("../lib.rs");
    for (setter, code) in [
        (
            "ClientBuilder::connect_timeout",
            super::builder::DEFAULT_CONNECT_TIMEOUT,
        ),
        (
            "ClientBuilder::attempt_timeout",
            super::builder::DEFAULT_ATTEMPT_TIMEOUT,
        ),
        ("ClientBuilder::timeout", super::builder::DEFAULT_TIMEOUT),
    ] {
        assert_eq!(
            documented_seconds(front_page, setter),
            code.as_secs(),
            "{setter}"
        );
    }
    // The Retries section: attempts and the total.
    let text = front_page.replace("\n//!", "");
    let retries = text
        .split("Every call follows the client's [`RetryPolicy`] (default: at most ")
        .nth(1)
        .expect("the Retries section's first sentence");
    let attempts: u32 = retries.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(attempts, super::RetryPolicy::default().attempts_limit());
    let total = retries
        .split("within the call's ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .expect("the call's total in the Retries section");
    assert_eq!(total, super::builder::DEFAULT_TIMEOUT.as_secs());
    assert_eq!(super::RetryPolicy::default().deadline_limit(), None);
}
// @sdk end
