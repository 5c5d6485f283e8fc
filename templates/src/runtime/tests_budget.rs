//! The rate budget against a real HTTP server on loopback that enforces a
//! rate limit of its own: sharing across clones and clients, adaptation after
//! `429`s, and the deadline. Timing is only asserted as a lower bound (a
//! budget must make requests wait at least so long), never as an upper one.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use reqwest::Method;

use super::{Client, ClientBuilder, Error, Operation, RateLimit, Request, RetryPolicy};

static GET_THING: Operation = Operation {
    id: "getThing",
    method: Method::GET,
    path_template: "/things/{id}",
    experimental: false,
};

/// What the server saw.
#[derive(Default)]
struct Seen {
    /// When each API request arrived, whatever the answer.
    arrivals: Vec<Instant>,
    /// When each API request that was admitted arrived.
    admitted: Vec<Instant>,
    too_many: usize,
    tokens_issued: usize,
}

/// How the server counts.
enum Limit {
    /// A token bucket of `capacity`, refilled at `per_second`; a `429` says
    /// `Retry-After: 1`.
    Bucket {
        capacity: f64,
        per_second: f64,
        tokens: f64,
        updated: Instant,
    },
    /// At most `requests` admitted arrivals in any `window`; a `429` says
    /// when the oldest leaves it, in whole seconds rounded up.
    Window {
        requests: usize,
        window: Duration,
        admitted: Vec<Instant>,
    },
}

/// Serves `/oauth/token` and `GET /v2025/things/{id}`; past a token bucket
/// of `(capacity, per_second)` (if any), answers `429` with `Retry-After: 1`.
async fn server(limit: Option<(f64, f64)>) -> (String, Arc<Mutex<Seen>>) {
    serve(limit.map(|(capacity, per_second)| Limit::Bucket {
        capacity,
        per_second,
        tokens: capacity,
        updated: Instant::now(),
    }))
    .await
}

async fn serve(limit: Option<Limit>) -> (String, Arc<Mutex<Seen>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let bucket = Arc::new(Mutex::new(limit));
    let state = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let seen = state.clone();
            let bucket = bucket.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: hyper::Request<_>| {
                    let response = answer(req.uri().path(), &seen, &bucket);
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, seen)
}

fn answer(
    path: &str,
    seen: &Mutex<Seen>,
    bucket: &Mutex<Option<Limit>>,
) -> hyper::Response<Full<Bytes>> {
    let mut seen = seen.lock().unwrap();
    if path == "/oauth/token" {
        seen.tokens_issued += 1;
        let body = r#"{"access_token":"t","token_type":"bearer","expires_in":3600}"#;
        return hyper::Response::new(Full::new(Bytes::from(body)));
    }
    let now = Instant::now();
    seen.arrivals.push(now);
    let refused = match bucket.lock().unwrap().as_mut() {
        None => None,
        Some(Limit::Bucket {
            capacity,
            per_second,
            tokens,
            updated,
        }) => {
            let refill = (now - *updated).as_secs_f64() * *per_second;
            *tokens = (*tokens + refill).min(*capacity);
            *updated = now;
            if *tokens < 1.0 {
                Some(1)
            } else {
                *tokens -= 1.0;
                None
            }
        }
        Some(Limit::Window {
            requests,
            window,
            admitted,
        }) => {
            let within: Vec<_> = admitted.iter().filter(|&&at| at + *window > now).collect();
            if within.len() >= *requests {
                let frees = *within[within.len() - *requests] + *window;
                Some(((frees - now).as_secs_f64().ceil() as u64).max(1))
            } else {
                admitted.push(now);
                None
            }
        }
    };
    if let Some(secs) = refused {
        seen.too_many += 1;
        return hyper::Response::builder()
            .status(429)
            .header("retry-after", secs.to_string())
            .body(Full::new(Bytes::from_static(b"{}")))
            .unwrap();
    }
    seen.admitted.push(now);
    hyper::Response::new(Full::new(Bytes::from_static(b"{}")))
}

fn builder(url: &str, client_id: &str) -> ClientBuilder {
    Client::builder()
        .base_url(url)
        .client_credentials(client_id, "secret")
        .token_url("/oauth/token")
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(20)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5))
                .max_retry_after(Duration::from_secs(1)),
        )
}

async fn calls(clients: &[Client], each: usize) -> Vec<Result<u16, Error<()>>> {
    let futures = clients.iter().flat_map(|client| {
        (0..each).map(move |_| async move {
            let raw = client
                .execute::<()>(Request::new(&GET_THING, "/things/1".to_owned()))
                .await?;
            Ok(raw.status.as_u16())
        })
    });
    futures_util::future::join_all(futures).await
}

#[tokio::test]
async fn clones_and_clients_of_one_client_id_share_the_budget() {
    let (url, seen) = server(None).await;
    let client = builder(&url, "shared-id")
        .rate_limit(RateLimit::new(5, Duration::from_millis(500)))
        .build()
        .unwrap();
    // Another client built for the same origin and client id.
    let twin = builder(&url, "shared-id")
        .rate_limit(RateLimit::new(5, Duration::from_millis(500)))
        .build()
        .unwrap();
    let start = Instant::now();
    let results = calls(&[client.clone(), client, twin], 5).await;
    assert!(results.iter().all(|r| matches!(r, Ok(200))), "{results:?}");
    let arrivals = seen.lock().unwrap().arrivals.clone();
    assert_eq!(arrivals.len(), 15);
    // 5 at once, then one every 100 ms: the 15th at least ~1 s after the start.
    // Separate budgets would have let all 15 through at once.
    let last = arrivals.iter().max().unwrap().duration_since(start);
    assert!(last >= Duration::from_millis(900), "{last:?}");
}

#[tokio::test]
async fn other_client_ids_and_disabled_budgets_do_not_wait() {
    let (url, seen) = server(None).await;
    let limit = RateLimit::new(2, Duration::from_secs(60));
    let a = builder(&url, "id-a").rate_limit(limit).build().unwrap();
    let b = builder(&url, "id-b").rate_limit(limit).build().unwrap();
    let free = builder(&url, "id-a").no_rate_limit().build().unwrap();
    let start = Instant::now();
    // Two for each budget (their whole bucket) and ten without a budget.
    let mut results = calls(&[a, b], 2).await;
    results.extend(calls(&[free], 10).await);
    assert!(results.iter().all(|r| matches!(r, Ok(200))), "{results:?}");
    assert_eq!(seen.lock().unwrap().arrivals.len(), 14);
    // Nothing waited for the next token, 30 s away.
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn a_wait_past_the_deadline_is_a_timeout_and_sends_nothing() {
    let (url, seen) = server(None).await;
    let client = builder(&url, "deadline-id")
        .rate_limit(RateLimit::new(1, Duration::from_secs(60)))
        .retry_policy(RetryPolicy::default().deadline(Duration::from_millis(300)))
        .build()
        .unwrap();
    let results = calls(&[client], 2).await;
    assert!(matches!(results[0], Ok(200)), "{:?}", results[0]);
    assert!(
        matches!(results[1], Err(Error::RateBudget { .. })),
        "{:?}",
        results[1]
    );
    assert_eq!(seen.lock().unwrap().arrivals.len(), 1);
}

/// The server allows 5 at once and 10 per second; the client believes it may
/// send 40 at once and 40 per second. 40 concurrent calls all succeed, with a
/// few `429`s: the first burst's, then about one per cut while the budget
/// finds the server's rate. Without a budget, every call that met a `429`
/// comes back together after `Retry-After` and meets another: a storm.
#[tokio::test]
async fn the_budget_adapts_to_a_lower_server_limit() {
    let run = |budget: bool| async move {
        let (url, seen) = server(Some((5.0, 10.0))).await;
        let mut builder = builder(&url, if budget { "adaptive" } else { "none" });
        builder = if budget {
            builder.rate_limit(RateLimit::new(40, Duration::from_secs(1)))
        } else {
            builder.no_rate_limit()
        };
        let results = calls(&[builder.build().unwrap()], 40).await;
        let seen = seen.lock().unwrap();
        (results, seen.too_many, seen.arrivals.len())
    };
    let (results, adaptive_429s, adaptive_sent) = run(true).await;
    assert!(results.iter().all(|r| matches!(r, Ok(200))), "{results:?}");
    let (_, storm_429s, _) = run(false).await;
    eprintln!("429s: {adaptive_429s} with the budget, {storm_429s} without");
    // The first burst costs 35 (40 sent, 5 allowed); after that, a handful.
    assert!(
        adaptive_429s <= 35 + 10,
        "{adaptive_429s} 429s with the budget ({storm_429s} without)"
    );
    assert_eq!(adaptive_sent, 40 + adaptive_429s);
    assert!(
        storm_429s > adaptive_429s + 20,
        "{storm_429s} 429s without a budget, {adaptive_429s} with"
    );
}

/// Issue 21, point 9: the server admits 10 requests in any sliding second,
/// the client is configured for 10 per second. The budget starts as a bucket
/// (10 at once, then one per 100 ms), so the 11th request meets the window.
/// That `429` is a pause, not a rate cut: once the window frees, the budget
/// sends a full window's worth again. The old budget cut its rate to 70 %
/// and never sent more than about 7 in any second after that.
#[tokio::test]
async fn after_a_429_from_a_sliding_window_the_budget_fills_the_window_again() {
    let (url, seen) = serve(Some(Limit::Window {
        requests: 10,
        window: Duration::from_secs(1),
        admitted: Vec::new(),
    }))
    .await;
    let client = builder(&url, "sliding-window")
        .rate_limit(RateLimit::new(10, Duration::from_secs(1)))
        .build()
        .unwrap();
    let results = calls(&[client], 35).await;
    assert!(results.iter().all(|r| matches!(r, Ok(200))), "{results:?}");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.admitted.len(), 35);
    // One 429 (the request sent alone past the configured count), a couple
    // more at most if a loaded machine delays requests between the budget
    // and the server.
    assert!(
        seen.too_many >= 1 && seen.too_many <= 3,
        "{} 429s",
        seen.too_many
    );
    assert_eq!(seen.arrivals.len(), 35 + seen.too_many);
    // After the first 429, some second holds a full window of admitted
    // requests again: the rate was not cut.
    let first_429 = seen
        .arrivals
        .iter()
        .find(|at| !seen.admitted.contains(at))
        .copied()
        .unwrap();
    let after: Vec<Instant> = seen
        .admitted
        .iter()
        .copied()
        .filter(|&at| at > first_429)
        .collect();
    let fullest = after
        .iter()
        .map(|&start| {
            after
                .iter()
                .filter(|&&at| at >= start && at < start + Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        fullest >= 10,
        "at most {fullest} admitted in one second after the first 429"
    );
}
