//! What the SDK costs on top of plain `reqwest`, and how fast it decodes.
//!
//! - `request/*`: getting one machine identity and a 250-item page of the
//!   machine identity list through the SDK, against the same
//!   request made with plain `reqwest` (same URL, headers and bearer token,
//!   decoded into the same model type). Both talk to one loopback server: a
//!   bare tokio TCP loop that answers every request with a fixed HTTP/1.1
//!   response on a kept-alive connection, so the server adds as little time
//!   and variance as possible. Client and server share one thread.
//! - `decode/*`: `serde_json` decoding of a 250-item page into
//!   `Vec<Identity>`, in bytes/s and items/s.
//!
//! Run with `cargo bench -p sailpoint-v2025-bench`; BENCHMARKS.md at
//! the repository root has the figures.
//!
//! Every crate runs this same file (it is under `templates/common/`): the
//! operations, the path, the model and the item come from the crate's
//! `tests/sdk_ops/mod.rs`, which the tests use too.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reqwest::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use sailpoint_v2025::{Client, RetryPolicy};
use sdk_ops::{detailed_identity, Identity, LIST_PATH};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "bench-token";
const ID: &str = "2c9180858082150f0180893dbaf44201";
const PAGE: usize = 250;

#[path = "../tests/sdk_ops/mod.rs"]
mod sdk_ops;

fn page_json() -> Vec<u8> {
    serde_json::to_vec(&Value::Array((0..PAGE).map(detailed_identity).collect()))
        .expect("serializes")
}

fn http_response(body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The loopback server: a list request gets the page, anything else the
/// single item. It runs on the benchmark's own single-threaded runtime, so a
/// request costs CPU time only: with the server on another thread, each
/// request would also wait for a cross-thread wake-up, which on a small VM
/// varies between runs by more than the difference being measured.
async fn serve(listener: TcpListener) {
    let item = http_response(&serde_json::to_vec(&detailed_identity(0)).expect("serializes"));
    let page = http_response(&page_json());
    // A list request's head starts with this, then a space or a `?`.
    let list_head = format!("GET {LIST_PATH}").into_bytes();
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        socket.set_nodelay(true).ok();
        let (item, page, list_head) = (item.clone(), page.clone(), list_head.clone());
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(4096);
            let mut chunk = [0u8; 4096];
            loop {
                // Answer every complete request head in the buffer (GET
                // requests have no body).
                while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let list = buf.starts_with(&list_head)
                        && matches!(buf.get(list_head.len()), Some(b' ' | b'?'));
                    buf.drain(..end + 4);
                    let response = if list { &page } else { &item };
                    if socket.write_all(response).await.is_err() {
                        return;
                    }
                }
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        });
    }
}

/// The same request as the SDK's, made by hand.
async fn raw_get<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str) -> T {
    let resp = http
        .get(url)
        .header(
            USER_AGENT,
            concat!("sailpoint-v2025/", env!("CARGO_PKG_VERSION")),
        )
        .header(ACCEPT, "application/json")
        .header("X-SailPoint-Experimental", "true")
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .await
        .expect("request succeeds");
    assert_eq!(resp.status(), 200);
    let body = resp.bytes().await.expect("body arrives");
    serde_json::from_slice(&body).expect("body decodes")
}

fn request_overhead(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = rt
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("binds loopback");
    let origin = format!("http://{}", listener.local_addr().expect("has an address"));
    rt.spawn(serve(listener));
    let sdk = Client::builder()
        .base_url(&origin)
        .bearer_token(TOKEN)
        .experimental(sdk_ops::MACHINE_IDENTITIES_EXPERIMENTAL)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds");
    let raw = reqwest::Client::new();
    let item_url = format!("{origin}{LIST_PATH}/{ID}");
    let list_url = format!("{origin}{LIST_PATH}");

    // Both sides must get the same answer, or the comparison means nothing.
    rt.block_on(async {
        let via_sdk = sdk_ops::get(&sdk, ID)
            .send()
            .await
            .expect("SDK request succeeds")
            .into_body();
        let by_hand: Identity = raw_get(&raw, &item_url).await;
        assert_eq!(via_sdk, by_hand);
        assert_eq!(via_sdk.name.as_deref(), Some("svc-payroll-batch-0"));
        let page = sdk_ops::list(&sdk)
            .send()
            .await
            .expect("SDK list succeeds")
            .into_body();
        let by_hand: Vec<Identity> = raw_get(&raw, &list_url).await;
        assert_eq!(page.len(), PAGE);
        assert_eq!(page, by_hand);
    });

    let mut group = c.benchmark_group("request");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function(BenchmarkId::new("get_machine_identity", "sdk"), |b| {
        b.to_async(&rt).iter(|| async {
            sdk_ops::get(&sdk, ID)
                .send()
                .await
                .expect("SDK request succeeds")
                .into_body()
        })
    });
    group.bench_function(
        BenchmarkId::new("get_machine_identity", "raw_reqwest"),
        |b| {
            b.to_async(&rt)
                .iter(|| raw_get::<Identity>(&raw, &item_url))
        },
    );
    group.bench_function(
        BenchmarkId::new("list_machine_identities_250", "sdk"),
        |b| {
            b.to_async(&rt).iter(|| async {
                sdk_ops::list(&sdk)
                    .send()
                    .await
                    .expect("SDK list succeeds")
                    .into_body()
            })
        },
    );
    group.bench_function(
        BenchmarkId::new("list_machine_identities_250", "raw_reqwest"),
        |b| {
            b.to_async(&rt)
                .iter(|| raw_get::<Vec<Identity>>(&raw, &list_url))
        },
    );
    group.finish();
}

fn decode_throughput(c: &mut Criterion) {
    let page = page_json();
    let decode = || -> Vec<Identity> {
        serde_json::from_slice(std::hint::black_box(&page)).expect("page decodes")
    };
    assert_eq!(decode().len(), PAGE);
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("list_page_250/bytes", |b| b.iter(decode));
    group.throughput(Throughput::Elements(PAGE as u64));
    group.bench_function("list_page_250/items", |b| b.iter(decode));
    group.finish();
}

criterion_group!(benches, request_overhead, decode_throughput);
criterion_main!(benches);
