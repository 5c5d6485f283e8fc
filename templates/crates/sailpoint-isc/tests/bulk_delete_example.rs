//! Runs the example `bulk_delete_machine_identities` end to end against a wiremock
//! tenant: its command line, stdout, stderr and exit status, and what it sends.
//!
//! The binary is the one `cargo test -p sailpoint-isc` builds next to this test
//! (`target/<profile>/examples/`); with a target filter such as
//! `--test bulk_delete_example`, run `cargo build -p sailpoint-isc --examples` first.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NAME: &str = "bulk_delete_machine_identities";
const LIST_PATH: &str = "/machine-identities/v2";
const BULK_PATH: &str = "/machine-identities/v2/bulk-delete";
/// Only stops a hung child from hanging the test.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// The newest build of this crate's example (the other SDK crate has none of this
/// name, but a stale build of an old checkout might linger).
fn example() -> PathBuf {
    let test_exe = std::env::current_exe().unwrap();
    let dir = test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples");
    let prefix = format!("{NAME}-");
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
        .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
        .collect();
    builds.sort();
    let Some((_, exe)) = builds.pop() else {
        panic!(
            "no build of the example {NAME} in {}: `cargo test -p sailpoint-isc` builds it, \
             or run `cargo build -p sailpoint-isc --examples`",
            dir.display()
        );
    };
    exe
}

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn run(args: &[&str], server: &MockServer) -> Run {
    let mut cmd = std::process::Command::new(example());
    cmd.args(args)
        .env("SAIL_BASE_URL", server.uri())
        .env("SAIL_CLIENT_ID", "example-client")
        .env("SAIL_CLIENT_SECRET", "example-secret")
        .env_remove("SAIL_EXPERIMENTAL")
        .stdin(Stdio::null());
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.kill_on_drop(true);
    let output = tokio::time::timeout(HANG_GUARD, cmd.output())
        .await
        .expect("the example finishes")
        .unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn id(i: usize) -> String {
    format!("mi-{i:04}")
}

/// A tenant with a token endpoint and `n` machine identities behind the list,
/// in pages of 250.
async fn tenant(n: usize) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "t", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    // Full pages, then the empty page after the last item that ends the list.
    let offsets = (0..n).step_by(250).chain([n]);
    for offset in offsets {
        let items: Vec<Value> = (offset..n.min(offset + 250))
            .map(|i| json!({"id": id(i), "name": format!("agent-{i}"), "subtype": "AI_AGENT"}))
            .collect();
        Mock::given(method("GET"))
            .and(path(LIST_PATH))
            .and(query_param("offset", offset.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(items))
            .mount(&server)
            .await;
    }
    server
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == p)
        .collect()
}

const FILTER: &str = r#"subtype eq "AI_AGENT" and manuallyEdited eq false"#;

#[tokio::test]
async fn dry_run_lists_the_selection_and_deletes_nothing() {
    let server = tenant(3).await;
    let out = run(&["--filter", FILTER, "--dry-run"], &server).await;
    assert_eq!(out.code, Some(0), "{out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        (0..3)
            .map(|i| json!({"id": id(i), "name": format!("agent-{i}"), "action": "would delete"}))
            .collect::<Vec<_>>()
    );
    assert!(
        out.stderr
            .contains("3 machine identities selected, none deleted"),
        "{out:?}"
    );
    assert!(
        requests_to(&server, BULK_PATH).await.is_empty(),
        "a dry run sends no delete"
    );
    let lists = requests_to(&server, LIST_PATH).await;
    assert!(!lists.is_empty());
    for list in &lists {
        let filters = list
            .url
            .query_pairs()
            .find(|(k, _)| k == "filters")
            .map(|(_, v)| v.into_owned());
        assert_eq!(filters.as_deref(), Some(FILTER));
    }
}

#[tokio::test]
async fn deletes_in_batches_of_100_and_reports_each_outcome() {
    let server = tenant(150).await;
    // The tenant deletes every machine identity but one, which it cannot find.
    Mock::given(method("POST"))
        .and(path(BULK_PATH))
        .respond_with(|req: &wiremock::Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let results: Vec<Value> = body["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| {
                    if id == "mi-0120" {
                        json!({"id": id, "status": 404, "message": "Machine identity not found."})
                    } else {
                        json!({"id": id, "status": 200, "message": "Machine identity deleted."})
                    }
                })
                .collect();
            ResponseTemplate::new(207).set_body_json(results)
        })
        .mount(&server)
        .await;

    let out = run(&["--filter", FILTER], &server).await;

    assert_eq!(out.code, Some(1), "one was not deleted: {out:?}");
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 150);
    assert_eq!(
        lines[0],
        json!({"id": "mi-0000", "status": 200, "message": "Machine identity deleted."})
    );
    assert_eq!(
        lines[120],
        json!({"id": "mi-0120", "status": 404, "message": "Machine identity not found."})
    );
    assert!(
        out.stderr
            .contains("150 machine identities selected: 149 deleted, 1 not deleted"),
        "{out:?}"
    );
    let bulk = requests_to(&server, BULK_PATH).await;
    let batches: Vec<Vec<String>> = bulk
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.body).unwrap()["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        batches,
        [
            (0..100).map(id).collect::<Vec<_>>(),
            (100..150).map(id).collect()
        ]
    );
    for r in &bulk {
        assert_eq!(
            r.headers["x-sailpoint-experimental"], "true",
            "bulk delete is experimental"
        );
        assert_eq!(r.headers["authorization"], "Bearer t");
    }
}

#[tokio::test]
async fn max_caps_the_selection_and_a_clean_run_exits_0() {
    let server = tenant(300).await;
    Mock::given(method("POST"))
        .and(path(BULK_PATH))
        .respond_with(|req: &wiremock::Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let results: Vec<Value> = body["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| json!({"id": id, "status": 200}))
                .collect();
            ResponseTemplate::new(207).set_body_json(results)
        })
        .mount(&server)
        .await;
    let out = run(&["--filter", FILTER, "--max", "5"], &server).await;
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout.lines().count(), 5);
    let lists = requests_to(&server, LIST_PATH).await;
    assert_eq!(lists.len(), 1);
    assert!(
        lists[0].url.query().unwrap().contains("limit=5"),
        "{:?}",
        lists[0].url
    );
}

#[tokio::test]
async fn without_a_filter_nothing_is_sent_and_the_exit_status_is_2() {
    let server = tenant(3).await;
    for args in [
        &[][..],
        &["--dry-run"][..],
        &["--filter", ""][..],
        &["--filter", FILTER, "--max", "0"][..],
    ] {
        let out = run(args, &server).await;
        assert_eq!(out.code, Some(2), "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("usage: bulk_delete_machine_identities"),
            "{out:?}"
        );
        assert!(out.stdout.is_empty());
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
