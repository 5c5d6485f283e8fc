//! Runs the example binaries end to end against a wiremock server: their command
//! line, stdout, stderr and exit status are a contract other tools rely on.
//!
//! The binaries are the ones `cargo test -p sailpoint-v2025` builds next to this
//! test (`target/<profile>/examples/`); a plain `cargo test` builds every example
//! of the package before running tests. With a target filter such as
//! `--test examples` cargo does not build them, so run
//! `cargo build -p sailpoint-v2025 --examples` first in that case.
//!
//! Every crate runs this same file (it is under `templates/common/`): the paths,
//! the listed item and which operations are experimental come from the crate's
//! own `tests/sdk_ops/mod.rs`.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{any, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use sailpoint_v2025::models::SourceClassificationStatus;
use sdk_ops::{classify_path, listed_identity, Identity, LIST_PATH};

mod sdk_ops;

const CLIENT_ID: &str = "example-client";
const CLIENT_SECRET: &str = "example-secret";
const SOURCE_ID: &str = "ef38f94347e94562b5bb8424a56397d8";
/// Far above what any example needs here; only stops a hung child from hanging the test.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// The path of this crate's build of an example.
///
/// Both SDK crates of the workspace have examples with the same names, and
/// cargo copies whichever it built last to `examples/<name>`. So this looks
/// among the builds `examples/<name>-<hash>` for the newest one whose
/// dep-info file (`<name>-<hash>.d`) names this crate's `examples/` folder.
fn example(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/examples-<hash> -> target/<profile>/examples/
    let dir = test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples");
    // Dep-info paths are relative to the workspace: `generated/<crate>/examples/..`.
    let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let ours = format!("{crate_dir}/examples/{name}.rs");
    let prefix = format!("{name}-");
    let mut builds: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let file = path
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or_default();
            let stem = file
                .strip_suffix(std::env::consts::EXE_SUFFIX)
                .unwrap_or(file);
            stem.strip_prefix(&prefix)
                .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .filter(|path| {
            std::fs::read_to_string(path.with_extension("d")).is_ok_and(|deps| deps.contains(&ours))
        })
        .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
        .collect();
    builds.sort();
    let Some((_, exe)) = builds.pop() else {
        panic!(
            "no build of the example {name} in {}: `cargo test -p sailpoint-v2025` builds it, \
             or run `cargo build -p sailpoint-v2025 --examples`",
            dir.display()
        );
    };
    exe
}

/// What a run of an example produced.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Runs example `name` with `args`, with only the `SAIL_*` variables in `env` set.
async fn run(name: &str, args: &[&str], env: &[(&str, String)]) -> Run {
    let mut cmd = std::process::Command::new(example(name));
    cmd.args(args)
        .env_remove("SAIL_BASE_URL")
        .env_remove("SAIL_CLIENT_ID")
        .env_remove("SAIL_CLIENT_SECRET")
        .env_remove("SAIL_POLL_INTERVAL_MS")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.kill_on_drop(true);
    let output = tokio::time::timeout(HANG_GUARD, cmd.output())
        .await
        .unwrap_or_else(|_| panic!("example {name} did not finish"))
        .unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The environment an example reads its configuration from.
fn sail_env(server: &MockServer) -> Vec<(&'static str, String)> {
    vec![
        ("SAIL_BASE_URL", server.uri()),
        ("SAIL_CLIENT_ID", CLIENT_ID.into()),
        ("SAIL_CLIENT_SECRET", CLIENT_SECRET.into()),
    ]
}

/// A server whose token endpoint hands out the token `t`.
async fn server_with_token() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "t", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    server
}

/// The API requests the server received (the token request left out), each checked
/// for the token and the experimental opt-in: Classify Source is experimental in
/// every crate, Machine Identities where the crate's `sdk_ops` says so (v2 is GA
/// and never sends it).
async fn api_requests(server: &MockServer) -> Vec<wiremock::Request> {
    let requests: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() != "/oauth/token")
        .collect();
    for req in &requests {
        assert_eq!(req.headers["authorization"], "Bearer t", "{}", req.url);
        let experimental =
            !req.url.path().starts_with(LIST_PATH) || sdk_ops::MACHINE_IDENTITIES_EXPERIMENTAL;
        let sent = req
            .headers
            .get("x-sailpoint-experimental")
            .and_then(|v| v.to_str().ok());
        assert_eq!(sent, experimental.then_some("true"), "{}", req.url);
    }
    requests
}

/// Checks the one token request: client credentials from the environment.
async fn check_token_request(server: &MockServer) {
    let tokens: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/oauth/token")
        .collect();
    assert_eq!(tokens.len(), 1, "one token for the whole run");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&tokens[0].body)
        .into_owned()
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("grant_type"), Some("client_credentials"));
    assert_eq!(field("client_id"), Some(CLIENT_ID));
    assert_eq!(field("client_secret"), Some(CLIENT_SECRET));
}

fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json")
        .set_body_string(body.to_string())
}

fn error_body(detail: &str, text: &str) -> Value {
    json!({
        "detailCode": detail,
        "trackingId": "b21b1f7ce4da4d639f2c62a57171b427",
        "messages": [{"locale": "en-US", "localeOrigin": "DEFAULT", "text": text}]
    })
}

fn queries(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------
// list_machine_identities
// ---------------------------------------------------------------------------

const LIST: &str = "list_machine_identities";

/// Answers `GET {LIST_PATH}?offset={offset}` with items `range`.
async fn mount_page(server: &MockServer, offset: usize, range: std::ops::Range<usize>) {
    let items: Vec<Value> = range.map(listed_identity).collect();
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .and(query_param("offset", offset.to_string()))
        .respond_with(json_response(200, &Value::Array(items)))
        .mount(server)
        .await;
}

/// The line the example must print for item `i`: the model, encoded compactly.
fn expected_line(i: usize) -> String {
    let item: Identity = serde_json::from_value(listed_identity(i)).unwrap();
    serde_json::to_string(&item).unwrap()
}

#[tokio::test]
async fn list_example_prints_every_item_across_pages_as_compact_json() {
    let server = server_with_token().await;
    mount_page(&server, 0, 0..250).await;
    mount_page(&server, 250, 250..500).await;
    mount_page(&server, 500, 500..501).await;
    // A short page does not end the list (servers cap pages); the empty one does.
    mount_page(&server, 501, 501..501).await;

    let out = run(LIST, &[], &sail_env(&server)).await;

    assert_eq!(out.code, Some(0), "{out:?}");
    let expected: Vec<String> = (0..501).map(expected_line).collect();
    assert_eq!(out.lines(), expected, "one line per item, nothing else");
    assert!(out.stdout.ends_with('\n'));
    // Compact JSON with the API's field names: each line reads back as the item sent.
    for (i, line) in out.lines().into_iter().enumerate() {
        assert_eq!(
            serde_json::from_str::<Value>(line).unwrap(),
            listed_identity(i)
        );
    }
    assert_eq!(
        queries(&api_requests(&server).await),
        [
            "limit=250&offset=0",
            "limit=250&offset=250",
            "limit=250&offset=500",
            "limit=250&offset=501"
        ]
    );
    check_token_request(&server).await;
}

#[tokio::test]
async fn list_example_passes_the_filter_on_every_page_and_stops_at_max() {
    let server = server_with_token().await;
    mount_page(&server, 0, 0..250).await;
    mount_page(&server, 250, 250..260).await;
    let filter = r#"businessApplication eq "Payroll" and name sw "agent""#;

    let out = run(
        LIST,
        &["--filter", filter, "--max", "260"],
        &sail_env(&server),
    )
    .await;

    assert_eq!(out.code, Some(0), "{out:?}");
    let expected: Vec<String> = (0..260).map(expected_line).collect();
    assert_eq!(out.lines(), expected);
    let requests = api_requests(&server).await;
    let encoded =
        "filters=businessApplication%20eq%20%22Payroll%22%20and%20name%20sw%20%22agent%22";
    assert_eq!(
        queries(&requests),
        [
            format!("{encoded}&limit=250&offset=0"),
            format!("{encoded}&limit=10&offset=250"),
        ],
        "the last page asks for exactly the items still wanted"
    );
}

#[tokio::test]
async fn list_example_with_concurrency_prints_the_same_lines_and_asks_for_the_total_first() {
    let server = server_with_token().await;
    // The first page, asked with `count=true`, answers the total.
    let first: Vec<Value> = (0..250).map(listed_identity).collect();
    Mock::given(method("GET"))
        .and(path(LIST_PATH))
        .and(query_param("offset", "0"))
        .and(query_param("count", "true"))
        .respond_with(
            json_response(200, &Value::Array(first)).insert_header("x-total-count", "1001"),
        )
        .mount(&server)
        .await;
    mount_page(&server, 250, 250..500).await;
    mount_page(&server, 500, 500..750).await;
    mount_page(&server, 750, 750..1000).await;
    mount_page(&server, 1000, 1000..1001).await;

    let out = run(LIST, &["--concurrency", "4"], &sail_env(&server)).await;

    assert_eq!(out.code, Some(0), "{out:?}");
    let expected: Vec<String> = (0..1001).map(expected_line).collect();
    assert_eq!(out.lines(), expected, "in order, each once, nothing else");
    let mut queries = queries(&api_requests(&server).await);
    assert_eq!(
        queries.first().map(String::as_str),
        Some("count=true&limit=250&offset=0"),
        "the total is asked for first"
    );
    queries.sort();
    assert_eq!(
        queries,
        [
            "count=true&limit=250&offset=0",
            "limit=1&offset=1000",
            "limit=250&offset=250",
            "limit=250&offset=500",
            "limit=250&offset=750",
        ],
        "no request past the total"
    );
    check_token_request(&server).await;
}

#[tokio::test]
async fn list_example_with_concurrency_and_filter_stops_at_max() {
    let server = server_with_token().await;
    mount_page(&server, 0, 0..250).await;
    mount_page(&server, 250, 250..500).await;
    mount_page(&server, 500, 500..510).await;
    let filter = r#"name sw "agent""#;

    let out = run(
        LIST,
        &["--concurrency", "3", "--filter", filter, "--max", "510"],
        &sail_env(&server),
    )
    .await;

    assert_eq!(out.code, Some(0), "{out:?}");
    let expected: Vec<String> = (0..510).map(expected_line).collect();
    assert_eq!(out.lines(), expected);
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 3, "{:?}", queries(&requests));
    for query in queries(&requests) {
        assert!(
            query.starts_with("filters=name%20sw%20%22agent%22&"),
            "{query}"
        );
    }
}

#[tokio::test]
async fn list_example_with_max_zero_prints_nothing() {
    let server = server_with_token().await;
    let out = run(LIST, &["--max", "0"], &sail_env(&server)).await;
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(api_requests(&server).await.is_empty());
}

#[tokio::test]
async fn list_example_reports_an_api_error_on_stderr() {
    let server = server_with_token().await;
    Mock::given(path(LIST_PATH))
        .respond_with(json_response(
            403,
            &error_body(
                "403 Forbidden",
                "The server understood the request but refuses to authorize it.",
            ),
        ))
        .mount(&server)
        .await;

    let out = run(LIST, &[], &sail_env(&server)).await;

    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    for part in [
        "listMachineIdentities",
        "403",
        "b21b1f7ce4da4d639f2c62a57171b427",
        "refuses to authorize it",
    ] {
        assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
    }
    assert!(!out.stderr.contains(CLIENT_SECRET), "{}", out.stderr);
}

#[tokio::test]
async fn list_example_keeps_the_lines_printed_before_an_error() {
    let server = server_with_token().await;
    mount_page(&server, 0, 0..250).await;
    Mock::given(path(LIST_PATH))
        .and(query_param("offset", "250"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy error</html>"))
        .mount(&server)
        .await;

    let out = run(LIST, &[], &sail_env(&server)).await;

    assert_eq!(out.code, Some(1), "{out:?}");
    let expected: Vec<String> = (0..250).map(expected_line).collect();
    assert_eq!(out.lines(), expected, "only items on stdout");
    assert!(
        out.stderr.contains("<html>proxy error</html>"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn list_example_rejects_bad_arguments_with_usage_and_status_2() {
    let server = server_with_token().await;
    let cases: [&[&str]; 11] = [
        &["--max", "abc"],
        &["--concurrency", "0"],
        &["--concurrency", "-2"],
        &["--concurrency", "many"],
        &["--concurrency"],
        &["--concurrency", "2", "--concurrency", "3"],
        &["--max", "-1"],
        &["--max"],
        &["--filter"],
        &["--bogus"],
        &["--filter", "a", "--filter", "b"],
    ];
    for args in cases {
        let out = run(LIST, args, &sail_env(&server)).await;
        assert_eq!(out.code, Some(2), "{args:?}: {out:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.contains("usage: list_machine_identities"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn list_example_without_configuration_names_the_missing_variable() {
    let out = run(LIST, &[], &[]).await;
    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("SAIL_BASE_URL"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------
// classify_source
// ---------------------------------------------------------------------------

const CLASSIFY: &str = "classify_source";

fn status_body(status: &str, completed: u64) -> Value {
    json!({
        "status": status,
        "started": "2025-05-06T10:15:30.098Z",
        "updated": "2025-05-06T10:17:02.104Z",
        "counts": {"EXPECTED": 1000, "RECEIVED": 1000, "COMPLETED": completed}
    })
}

/// A server that accepts the classification and then answers the status polls
/// with `statuses`, in order (the last one for every further poll).
async fn classify_server(statuses: &[Value]) -> MockServer {
    let server = server_with_token().await;
    Mock::given(method("POST"))
        .and(path(classify_path(SOURCE_ID)))
        .respond_with(json_response(
            200,
            &json!({"Accounts submitted for processing": 1000}),
        ))
        .mount(&server)
        .await;
    let (last, first) = statuses.split_last().unwrap();
    // wiremock tries mocks in the order they were mounted; each of these answers once.
    for status in first {
        Mock::given(method("GET"))
            .and(path(classify_path(SOURCE_ID)))
            .respond_with(json_response(200, status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(classify_path(SOURCE_ID)))
        .respond_with(json_response(200, last))
        .mount(&server)
        .await;
    server
}

fn with_fast_polling(server: &MockServer) -> Vec<(&'static str, String)> {
    let mut env = sail_env(server);
    env.push(("SAIL_POLL_INTERVAL_MS", "1".into()));
    env
}

/// The line the example must print for a final status: the model, encoded compactly.
fn status_line(body: &Value) -> String {
    let status: SourceClassificationStatus = serde_json::from_value(body.clone()).unwrap();
    serde_json::to_string(&status).unwrap()
}

#[tokio::test]
async fn classify_example_polls_until_completed_and_prints_the_final_status() {
    let last = status_body("COMPLETED", 1000);
    let server = classify_server(&[
        status_body("STARTED", 0),
        status_body("COLLECTED", 640),
        last.clone(),
    ])
    .await;

    let out = run(CLASSIFY, &[SOURCE_ID], &with_fast_polling(&server)).await;

    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.lines(), [status_line(&last)], "only the final status");
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), last);
    assert!(
        out.stderr.contains("last status: COMPLETED (1000 of 1000"),
        "{}",
        out.stderr
    );
    let requests = api_requests(&server).await;
    let calls: Vec<(String, String)> = requests
        .iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect();
    let post = ("POST".to_owned(), classify_path(SOURCE_ID));
    let get = ("GET".to_owned(), classify_path(SOURCE_ID));
    assert_eq!(calls, [post, get.clone(), get.clone(), get]);
    check_token_request(&server).await;
}

#[tokio::test]
async fn classify_example_exits_1_when_the_classification_does_not_complete() {
    for end in ["TERMINATED", "CANCELLED"] {
        let last = status_body(end, 320);
        let server = classify_server(&[status_body("STARTED", 0), last.clone()]).await;

        let out = run(CLASSIFY, &[SOURCE_ID], &with_fast_polling(&server)).await;

        assert_eq!(out.code, Some(1), "{end}: {out:?}");
        assert_eq!(out.lines(), [status_line(&last)], "{end}");
        assert!(
            out.stderr.contains(&format!("last status: {end}")),
            "{end}: {}",
            out.stderr
        );
        assert_eq!(
            api_requests(&server).await.len(),
            3,
            "{end}: POST and two polls"
        );
    }
}

#[tokio::test]
async fn classify_example_exits_3_when_the_tenant_sits_in_a_status_it_does_not_know() {
    // A state added to the API later is polled through like a pending one;
    // if the work never leaves it, the wait ends at the deadline, naming it.
    let server = classify_server(&[status_body("STARTED", 0), status_body("PAUSED", 10)]).await;
    let mut env = with_fast_polling(&server);
    env.push(("SAIL_POLL_INTERVAL_MS", "50".into()));

    let out = run(CLASSIFY, &[SOURCE_ID, "--timeout", "0.6"], &env).await;

    assert_eq!(out.code, Some(3), "{out:?}");
    assert_eq!(out.stdout, "", "no final status to print");
    for part in [
        "no final status after",
        "last status: PAUSED (10 of 1000 accounts classified), a status this SDK does not know",
    ] {
        assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
    }
    assert!(
        api_requests(&server).await.len() >= 4,
        "POST and more than two polls: it polled on"
    );
}

#[tokio::test]
async fn classify_example_completes_after_a_status_it_does_not_know() {
    let last = status_body("COMPLETED", 1000);
    let server = classify_server(&[
        status_body("STARTED", 0),
        status_body("PAUSED", 10),
        last.clone(),
    ])
    .await;

    let out = run(CLASSIFY, &[SOURCE_ID], &with_fast_polling(&server)).await;

    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.lines(), [status_line(&last)]);
}

#[tokio::test]
async fn classify_example_times_out_with_status_3_and_the_last_status() {
    let server = classify_server(&[status_body("STARTED", 0), status_body("COLLECTED", 10)]).await;
    let mut env = with_fast_polling(&server);
    env.push(("SAIL_POLL_INTERVAL_MS", "50".into()));

    let started = std::time::Instant::now();
    let out = run(CLASSIFY, &[SOURCE_ID, "--timeout", "0.6"], &env).await;

    assert_eq!(out.code, Some(3), "{out:?}");
    assert_eq!(out.stdout, "", "no final status to print");
    for part in [
        "no final status after",
        "last status: COLLECTED (10 of 1000",
        "--timeout",
    ] {
        assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(api_requests(&server).await.len() >= 3, "POST and polls");
}

#[tokio::test]
async fn classify_example_reports_an_api_error_on_stderr() {
    let server = server_with_token().await;
    Mock::given(method("POST"))
        .and(path(classify_path(SOURCE_ID)))
        .respond_with(json_response(
            400,
            &error_body(
                "400.1 Bad Request Content",
                "The source does not support classification.",
            ),
        ))
        .mount(&server)
        .await;

    let out = run(CLASSIFY, &[SOURCE_ID], &with_fast_polling(&server)).await;

    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "");
    for part in [
        "sendClassifyMachineAccountFromSource",
        "400",
        "does not support classification",
    ] {
        assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
    }
    assert_eq!(
        api_requests(&server).await.len(),
        1,
        "no polling after a failed start"
    );
}

#[tokio::test]
async fn classify_example_reports_a_failed_poll_on_stderr() {
    let server = server_with_token().await;
    Mock::given(method("POST"))
        .and(path(classify_path(SOURCE_ID)))
        .respond_with(json_response(
            200,
            &json!({"Accounts submitted for processing": 3}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(classify_path(SOURCE_ID)))
        .respond_with(ResponseTemplate::new(418).set_body_string("teapot"))
        .mount(&server)
        .await;

    let out = run(CLASSIFY, &[SOURCE_ID], &with_fast_polling(&server)).await;

    assert_eq!(out.code, Some(1), "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("418") && out.stderr.contains("teapot"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn classify_example_rejects_bad_arguments_with_usage_and_status_2() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let cases: [&[&str]; 9] = [
        &[],
        &["a", "b"],
        &["--bogus"],
        &[""],
        &[SOURCE_ID, "--timeout"],
        &[SOURCE_ID, "--timeout", "soon"],
        &[SOURCE_ID, "--timeout", "0"],
        &[SOURCE_ID, "--timeout", "-5"],
        &["--timeout=NaN", SOURCE_ID],
    ];
    for args in cases {
        let out = run(CLASSIFY, args, &with_fast_polling(&server)).await;
        assert_eq!(out.code, Some(2), "{args:?}: {out:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.contains("usage: classify_source"),
            "{args:?}: {}",
            out.stderr
        );
    }

    let mut env = sail_env(&server);
    env.push(("SAIL_POLL_INTERVAL_MS", "soon".into()));
    let out = run(CLASSIFY, &[SOURCE_ID], &env).await;
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stderr.contains("SAIL_POLL_INTERVAL_MS"),
        "{}",
        out.stderr
    );

    assert!(server.received_requests().await.unwrap().is_empty());
}
