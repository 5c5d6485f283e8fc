//! The `isc` binary end to end against the SDK's mock tenant (`test_kit`,
//! hyper on loopback, which checks every request against the spec): its
//! command line, stdout, stderr and exit codes. Snapshots are under
//! `tests/snapshots/` (`SNAPSHOTS=overwrite` rewrites them; review the diff).
//!
//! Each run gets an empty environment, an empty HOME and an empty working
//! directory, so no configuration of the machine running the tests leaks in.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk::test_kit::{Kit, Reply, CLIENT_ID, CLIENT_SECRET};
use serde_json::{json, Value};
use snapbox::cmd::Command;

const BIN: &str = env!("CARGO_BIN_EXE_isc");
const SOURCE_ID: &str = "ef38f94347e94562b5bb8424a56397d8";
const ID: &str = "2c9180858082150f0180893dbaf40001";

/// An empty directory of its own, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("isc-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `isc` with nothing from this machine: an empty environment, HOME and
/// working directory.
fn isc(scratch: &Scratch) -> Command {
    Command::new(BIN)
        .env_clear()
        .env("HOME", &scratch.0)
        .current_dir(&scratch.0)
        .env("NO_COLOR", "1")
}

/// `isc` pointed at the kit through the `SAIL_*` variables.
fn isc_at(kit: &Kit, scratch: &Scratch) -> Command {
    isc(scratch)
        .env("SAIL_BASE_URL", kit.url())
        .env("SAIL_CLIENT_ID", CLIENT_ID)
        .env("SAIL_CLIENT_SECRET", CLIENT_SECRET)
}

fn identity(i: usize) -> Value {
    json!({
        "id": format!("2c9180858082150f0180893dbaf4{i:04}"),
        "name": format!("agent-{i}"),
        "created": "2026-03-14T09:21:07.512Z",
        "subtype": "AI_AGENT",
        "owners": {"primary": {"type": "IDENTITY", "id": "2c9180a46faadee4016fb4e018c20639", "name": "Cloud Admin"}},
        "sourceId": SOURCE_ID,
        "manuallyEdited": false
    })
}

fn page(from: usize, n: usize) -> Value {
    Value::Array((from..from + n).map(identity).collect())
}

#[test]
fn help_lists_groups_configuration_and_exit_codes() {
    let s = Scratch::new("help");
    isc(&s)
        .arg("--help")
        .assert()
        .success()
        .stdout_eq(snapbox::file!["snapshots/help.txt"]);
    isc(&s)
        .args(["machine-identities", "--help"])
        .assert()
        .success()
        .stdout_eq(snapbox::file!["snapshots/machine_identities_help.txt"]);
    isc(&s)
        .args(["machine-identities", "list", "--help"])
        .assert()
        .success()
        .stdout_eq(snapbox::file!["snapshots/list_help.txt"]);
}

#[test]
fn lists_600_as_jsonl_page_by_page_while_the_last_page_is_held_back() {
    let kit = Kit::start();
    let s = Scratch::new("stream");
    let mi = kit.machine_identities();
    mi.list_machine_identities_v2()
        .with_offset(0)
        .with_limit(250)
        .reply(Reply::json(200, &page(0, 250)));
    mi.list_machine_identities_v2()
        .with_offset(250)
        .with_limit(250)
        .reply(Reply::json(200, &page(250, 250)));
    // The third page is answered only once the reader has seen 500 lines:
    // the tool must print the first pages before the list ends.
    let (release, held) = std::sync::mpsc::channel::<()>();
    let held = Mutex::new(held);
    let released_by_reader = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&released_by_reader);
    mi.list_machine_identities_v2()
        .with_offset(500)
        .matching(move |_| {
            let ok = held
                .lock()
                .unwrap()
                .recv_timeout(Duration::from_secs(60))
                .is_ok();
            flag.store(ok, Ordering::SeqCst);
            true
        })
        .reply(Reply::json(200, &page(500, 100)));
    mi.list_machine_identities_v2()
        .with_offset(600)
        .reply(Reply::json(200, &json!([])));

    let mut child = std::process::Command::new(BIN)
        .env_clear()
        .env("HOME", &s.0)
        .current_dir(&s.0)
        .env("SAIL_BASE_URL", kit.url())
        .env("SAIL_CLIENT_ID", CLIENT_ID)
        .env("SAIL_CLIENT_SECRET", CLIENT_SECRET)
        .args(["machine-identities", "list", "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut ids = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let item: Value = serde_json::from_str(&line.unwrap()).unwrap();
        ids.push(item["id"].as_str().unwrap().to_owned());
        if ids.len() == 500 {
            release.send(()).unwrap();
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(
        released_by_reader.load(Ordering::SeqCst),
        "500 items were not printed before the last page"
    );
    let want: Vec<String> = (0..600)
        .map(|i| format!("2c9180858082150f0180893dbaf4{i:04}"))
        .collect();
    assert_eq!(ids, want);
    kit.assert_verified();
}

#[test]
fn max_stops_the_list_without_asking_for_more() {
    let kit = Kit::start();
    let s = Scratch::new("max");
    let mi = kit.machine_identities();
    mi.list_machine_identities_v2()
        .with_offset(0)
        .with_limit(250)
        .times(1)
        .reply(Reply::json(200, &page(0, 250)));
    mi.list_machine_identities_v2()
        .with_offset(250)
        .with_limit(10)
        .times(1)
        .reply(Reply::json(200, &page(250, 10)));
    let out = isc_at(&kit, &s)
        .args([
            "machine-identities",
            "list",
            "--max",
            "260",
            "--jsonpath",
            "$.name",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
    assert_eq!(lines.len(), 260);
    assert_eq!(lines[259], "\"agent-259\"");
    kit.assert_verified();
}

#[test]
fn an_undocumented_filter_field_is_refused_before_anything_is_sent() {
    let kit = Kit::start();
    let s = Scratch::new("filter");
    isc_at(&kit, &s)
        .args([
            "machine-identities",
            "list",
            "--filter",
            r#"displayName sw "svc" and owner.id eq "x""#,
        ])
        .assert()
        .code(2)
        .stdout_eq("")
        .stderr_eq(snapbox::file!["snapshots/refused_filter.txt"]);
    isc_at(&kit, &s)
        .args(["machine-identities", "list", "--filter", r#"source.id sw "x""#])
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r#"
error: invalid value 'source.id sw "x"' for '--filter <FILTERS>': `source.id` does not support `sw` (column 11); its operators are: eq, in

For more information, try '--help'.

"#]]);
    isc_at(&kit, &s)
        .args(["machine-identities", "list", "--sort", "-created,owner"])
        .assert()
        .code(2);
    assert!(kit.calls().is_empty(), "{:?}", kit.calls());
    assert_eq!(kit.tokens_issued(), 0);
}

#[test]
fn a_documented_filter_and_sort_are_sent_as_written() {
    let kit = Kit::start();
    let s = Scratch::new("filter-ok");
    let filter = r#"displayName sw "svc" and source.id eq "x""#;
    kit.machine_identities()
        .list_machine_identities_v2()
        .with_filters(filter)
        .with_sorters("-created,name")
        .with_offset(0)
        .reply(Reply::json(200, &page(0, 2)));
    kit.machine_identities()
        .list_machine_identities_v2()
        .with_offset(2)
        .reply(Reply::json(200, &json!([])));
    isc_at(&kit, &s)
        .args([
            "machine-identities",
            "list",
            "--filter",
            filter,
            "--sort",
            "-created,name",
            "--format",
            "table",
            "--columns",
            "id,name,owners.primary.name",
        ])
        .assert()
        .success()
        .stdout_eq(snapbox::str![[r#"
ID                                NAME     OWNERS.PRIMARY.NAME
2c9180858082150f0180893dbaf40000  agent-0  Cloud Admin
2c9180858082150f0180893dbaf40001  agent-1  Cloud Admin

"#]]);
    kit.assert_verified();
}

#[test]
fn one_identity_in_each_format() {
    let kit = Kit::start();
    let s = Scratch::new("formats");
    kit.machine_identities()
        .get_machine_identity_v2()
        .with_id(ID)
        .reply(Reply::json(200, &identity(1)));
    let get = |format: &str| {
        isc_at(&kit, &s)
            .args(["machine-identities", "get", "--id", ID, "--format", format])
            .assert()
            .success()
    };
    get("table").stdout_eq(snapbox::file!["snapshots/get_table.txt"]);
    get("json").stdout_eq(snapbox::file!["snapshots/get_json.txt"]);
    get("yaml").stdout_eq(snapbox::file!["snapshots/get_yaml.txt"]);
    get("jsonl").stdout_eq(snapbox::file!["snapshots/get_jsonl.txt"]);
    isc_at(&kit, &s)
        .args([
            "machine-identities",
            "get",
            "--id",
            ID,
            "--jsonpath",
            "$.owners.primary.name",
        ])
        .assert()
        .success()
        .stdout_eq("\"Cloud Admin\"\n");
    kit.assert_verified();
}

#[test]
fn an_api_error_exits_1_with_the_server_message() {
    let kit = Kit::start();
    let s = Scratch::new("api-error");
    kit.machine_identities()
        .get_machine_identity_v2()
        .with_id("missing")
        .reply(Reply::json(404, &json!({"detailCode": "404 Not found", "trackingId": "t-1", "messages": [{"locale": "en-US", "text": "The machine identity was not found."}]})));
    isc_at(&kit, &s)
        .args(["machine-identities", "get", "--id", "missing"])
        .assert()
        .code(1)
        .stdout_eq("")
        .stderr_eq(snapbox::file!["snapshots/api_error.txt"]);
}

#[test]
fn a_body_the_model_refuses_names_the_json_pointer_and_sends_nothing() {
    let kit = Kit::start();
    let s = Scratch::new("bad-body");
    std::fs::write(s.0.join("mi.json"), r#"{"name": "svc", "subtype": "AI_AGENT", "owners": {"primary": {"type": "IDENTITY", "id": 42}}, "sourceId": "x"}"#).unwrap();
    isc_at(&kit, &s)
        .args(["machine-identities", "create", "--body", "@mi.json"])
        .assert()
        .code(2)
        .stderr_eq(snapbox::file!["snapshots/bad_body.txt"]);
    isc_at(&kit, &s)
        .args(["machine-identities", "create", "--body", "{\"name\": 1"])
        .assert()
        .code(2);
    assert!(kit.calls().is_empty(), "{:?}", kit.calls());
}

#[test]
fn a_patch_document_from_stdin_is_sent() {
    let kit = Kit::start();
    let s = Scratch::new("patch");
    let patch = json!([{"op": "replace", "path": "/name", "value": "renamed"}]);
    kit.machine_identities()
        .update_machine_identity_v2()
        .with_id(ID)
        .matching({
            let patch = patch.clone();
            move |c| c.json().as_ref() == Some(&patch)
        })
        .reply(Reply::json(200, &identity(1)));
    isc_at(&kit, &s)
        .args([
            "machine-identities",
            "update",
            "--id",
            ID,
            "--body",
            "-",
            "--jsonpath",
            "$.id",
        ])
        .stdin(patch.to_string())
        .assert()
        .success()
        .stdout_eq(format!("\"{ID}\"\n"));
    kit.assert_verified();
}

fn classify_status(status: &str) -> Value {
    json!({"status": status, "started": "2026-03-14T09:21:07.512Z", "counts": {"EXPECTED": 10, "RECEIVED": 10, "COMPLETED": if status == "COMPLETED" { 10 } else { 3 }}})
}

#[test]
fn classify_waits_until_completed_and_exits_0() {
    let kit = Kit::start();
    let s = Scratch::new("wait");
    let cs = kit.classify_source();
    cs.send_classify_machine_account_from_source_v1()
        .with_source_id(SOURCE_ID)
        .reply(Reply::json(200, &classify_status("STARTED")));
    cs.get_classify_machine_account_from_source_status_v1()
        .with_source_id(SOURCE_ID)
        .replies([
            Reply::json(200, &classify_status("COLLECTED")),
            Reply::json(200, &classify_status("COMPLETED")),
        ]);
    isc_at(&kit, &s)
        .args([
            "--experimental",
            "classify-source",
            "send-classify-machine-account-from-source",
            "--source-id",
            SOURCE_ID,
            "--wait",
            "--jsonpath",
            "$.status",
        ])
        .assert()
        .success()
        .stdout_eq("\"COMPLETED\"\n");
    kit.assert_verified();
}

#[test]
fn classify_gives_up_with_the_timeout_code_when_the_tenant_never_finishes() {
    let kit = Kit::start();
    let s = Scratch::new("wait-timeout");
    let cs = kit.classify_source();
    cs.send_classify_machine_account_from_source_v1()
        .with_source_id(SOURCE_ID)
        .reply(Reply::json(200, &classify_status("STARTED")));
    cs.get_classify_machine_account_from_source_status_v1()
        .with_source_id(SOURCE_ID)
        .reply(Reply::json(200, &classify_status("COLLECTED")));
    isc_at(&kit, &s)
        .args([
            "--experimental",
            "classify-source",
            "send-classify-machine-account-from-source",
            "--source-id",
            SOURCE_ID,
            "--wait",
            "--timeout",
            "2",
        ])
        .assert()
        .code(3)
        .stdout_eq("")
        .stderr_eq(snapbox::str![[r#"
error: gave up waiting after [..] s in the state COLLECTED; the work may still be running
last status: {"status":"COLLECTED"[..]}

"#]]);
}

#[test]
fn an_experimental_operation_without_opt_in_is_a_usage_error_and_sends_nothing() {
    let kit = Kit::start();
    let s = Scratch::new("experimental");
    isc_at(&kit, &s)
        .args(["classify-source", "send-classify-machine-account-from-source", "--source-id", SOURCE_ID])
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r#"
error: operation `sendClassifyMachineAccountFromSourceV1` is experimental [..]; on the command line: pass --experimental

"#]]);
    assert!(kit.calls().is_empty());
}

#[test]
fn reads_the_tenant_from_the_sail_cli_config_yaml() {
    let kit = Kit::start();
    let s = Scratch::new("config-yaml");
    std::fs::create_dir_all(s.0.join(".sailpoint")).unwrap();
    std::fs::write(
        s.0.join(".sailpoint/config.yaml"),
        format!("activeenvironment: lab\nenvironments:\n  lab:\n    baseurl: {}\n    tenanturl: https://lab.identitynow.com\n", kit.url()),
    )
    .unwrap();
    kit.machine_identities()
        .get_machine_identity_v2()
        .with_id(ID)
        .reply(Reply::json(200, &identity(1)));
    isc(&s)
        .env("SAIL_CLIENT_ID", CLIENT_ID)
        .env("SAIL_CLIENT_SECRET", CLIENT_SECRET)
        .args([
            "machine-identities",
            "get",
            "--id",
            ID,
            "--jsonpath",
            "$.name",
        ])
        .assert()
        .success()
        .stdout_eq("\"agent-1\"\n");
    kit.assert_verified();
}

#[test]
fn missing_configuration_names_every_place_and_no_secret() {
    let s = Scratch::new("no-config");
    let out = isc(&s)
        .env("SAIL_CLIENT_SECRET", "s3cr3t-value")
        .args(["machine-identities", "get", "--id", ID])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("SAIL_BASE_URL"), "{stderr}");
    assert!(!stderr.contains("s3cr3t-value"), "{stderr}");
}

#[test]
fn an_unreachable_tenant_is_a_network_failure() {
    let s = Scratch::new("network");
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    isc(&s)
        .env("SAIL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("SAIL_CLIENT_ID", CLIENT_ID)
        .env("SAIL_CLIENT_SECRET", CLIENT_SECRET)
        .args(["machine-identities", "get", "--id", ID])
        .assert()
        .code(4);
}

#[test]
fn completions_and_man_page() {
    let s = Scratch::new("completions");
    let out = isc(&s)
        .args(["completions", "bash"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("machine-identities") && text.contains("--filter"),
        "{text}"
    );
    let out = isc(&s)
        .arg("man")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(".ie") || text.contains(".TH isc"),
        "{text}"
    );
}

#[test]
fn bulk_deletes_from_a_file_and_reports_each_id() {
    let kit = Kit::start();
    let s = Scratch::new("bulk-delete");
    let ids = [
        "2c9180858082150f0180893dbaf44201",
        "2c9180858082150f0180893dbaf44202",
    ];
    std::fs::write(s.0.join("ids.json"), json!({ "ids": ids }).to_string()).unwrap();
    kit.machine_identities()
        .delete_machine_identities_in_bulk_v2()
        .matching(move |c| c.json() == Some(json!({ "ids": ids })))
        .times(1)
        .reply(Reply::json(
            207,
            &json!([
                {"id": ids[0], "status": 200, "message": "Machine identity deleted."},
                {"id": ids[1], "status": 200, "message": "Machine identity deleted."}
            ]),
        ));
    isc_at(&kit, &s)
        .args([
            "--experimental",
            "machine-identities",
            "delete-in-bulk",
            "--body",
            "@ids.json",
            "--jsonpath",
            "$.status",
        ])
        .assert()
        .success()
        .stdout_eq("200\n200\n");
    kit.assert_verified();
}

#[test]
fn a_bulk_delete_where_one_id_fails_exits_1_naming_it() {
    let kit = Kit::start();
    let s = Scratch::new("bulk-delete-partial");
    std::fs::write(s.0.join("ids.json"), r#"{"ids": ["a1", "b2"]}"#).unwrap();
    kit.machine_identities()
        .delete_machine_identities_in_bulk_v2()
        .reply(Reply::json(
            207,
            &json!([
                {"id": "a1", "status": 200, "message": "Machine identity deleted."},
                {"id": "b2", "status": 404, "message": "Machine identity not found."}
            ]),
        ));
    isc_at(&kit, &s)
        .args([
            "--experimental",
            "machine-identities",
            "delete-in-bulk",
            "--body",
            "@ids.json",
            "--format",
            "jsonl",
        ])
        .assert()
        .code(1)
        .stdout_eq(snapbox::str![[r#"
{"id":"a1","status":200,"message":"Machine identity deleted."}
{"id":"b2","status":404,"message":"Machine identity not found."}

"#]])
        .stderr_eq("error: 1 of 2 items failed: b2 (404: Machine identity not found.)\n");
}

#[test]
fn hostnames_stream_by_cursor_page_after_page() {
    let kit = Kit::start();
    let s = Scratch::new("hostnames");
    let mi = kit.machine_identities();
    let names = |from: usize, n: usize| -> Vec<String> {
        (from..from + n).map(|i| format!("host-{i:03}")).collect()
    };
    mi.list_machine_identity_hostnames_v2()
        .with_limit(2)
        .matching(|c| c.query("cursor").is_none())
        .times(1)
        .reply(Reply::json(200, &names(0, 2)));
    mi.list_machine_identity_hostnames_v2()
        .with_cursor("host-001")
        .times(1)
        .reply(Reply::json(200, &names(2, 2)));
    mi.list_machine_identity_hostnames_v2()
        .with_cursor("host-003")
        .times(1)
        .reply(Reply::json(200, &names(4, 1)));
    mi.list_machine_identity_hostnames_v2()
        .with_cursor("host-004")
        .times(1)
        .reply(Reply::json(200, &json!([])));
    isc_at(&kit, &s)
        .args([
            "--experimental",
            "machine-identities",
            "list-hostnames",
            "--limit",
            "2",
        ])
        .assert()
        .success()
        .stdout_eq("\"host-000\"\n\"host-001\"\n\"host-002\"\n\"host-003\"\n\"host-004\"\n");
    kit.assert_verified();
    // Bounds from the spec are checked before sending.
    isc_at(&kit, &s)
        .args([
            "--experimental",
            "machine-identities",
            "list-hostnames",
            "--limit",
            "251",
        ])
        .assert()
        .code(2)
        .stderr_eq(snapbox::str![[r#"
error: invalid value '251' for '--limit <LIMIT>': 251 is not in 1..=250

For more information, try '--help'.

"#]]);
}

#[test]
fn a_server_echoing_the_token_and_secret_never_gets_them_printed() {
    let kit = Kit::start();
    let s = Scratch::new("echo");
    // A hostile tenant that echoes what it was sent, and what it may guess.
    let echo = format!("Bearer test-kit-token-0 test-kit-token-1 test-kit-token-2 {CLIENT_SECRET}");
    kit.machine_identities()
        .get_machine_identity_v2()
        .with_id(ID)
        .reply(Reply::json(400, &json!({"detailCode": "400.0 Bad request", "messages": [{"locale": "en-US", "text": echo}]})));
    let out = isc_at(&kit, &s)
        .args(["machine-identities", "get", "--id", ID])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The token the kit issued (`test-kit-token-N`, N the count) and the
    // client secret are both redacted; the other values are not secrets.
    let token = format!("test-kit-token-{}", kit.tokens_issued());
    assert!(kit.tokens_issued() >= 1);
    assert!(!all.contains(&token), "{all}");
    assert!(!all.contains(CLIENT_SECRET), "{all}");
    assert_eq!(all.matches("[REDACTED]").count(), 2, "{all}");
}
