//! Deletes the machine identities a filter selects, with SailPoint's bulk delete
//! (100 IDs per request), or with `--dry-run` only says which it would delete.
//!
//! ```text
//! cargo run -p sailpoint-isc --example bulk_delete_machine_identities -- --filter F [--dry-run] [--max N]
//! ```
//!
//! - Configuration comes from `SAIL_BASE_URL`, `SAIL_CLIENT_ID` and
//!   `SAIL_CLIENT_SECRET`. Bulk delete is experimental, so the client opts in
//!   (`.experimental(true)`).
//! - `--filter F` (required: there is no "delete everything") selects the machine
//!   identities with the v2 list's filter syntax, e.g.
//!   `--filter 'subtype eq "AI_AGENT" and manuallyEdited eq false'`.
//! - `--dry-run` lists the selection and deletes nothing: no delete request is sent.
//! - `--max N` selects at most `N` machine identities (the list never asks for more).
//!
//! Every machine identity selected is listed first, then deleted in batches of 100.
//! stdout has one line of compact JSON per machine identity: with `--dry-run`,
//! `{"id":..,"name":..,"action":"would delete"}`; otherwise the server's outcome,
//! `{"id":..,"status":..,"message":..}` (`status` 200 means deleted; 404, 409, ...
//! say why not). A summary goes to stderr. Exit status: 0 when every selected
//! machine identity was deleted (or, with `--dry-run`, listed), 1 when some were
//! not or a call failed, 2 for bad arguments.

use std::io::Write;
use std::process::ExitCode;

use futures_util::TryStreamExt;
use sailpoint_isc::models::MachineIdentityBulkRequest;
use sailpoint_isc::{ClientBuilder, ItemOutcome};
use serde_json::json;

const USAGE: &str = "usage: bulk_delete_machine_identities --filter F [--dry-run] [--max N]

Deletes the machine identities that the v2 list's filter F selects (SAIL_BASE_URL,
SAIL_CLIENT_ID and SAIL_CLIENT_SECRET configure the client). With --dry-run, only
prints which it would delete. --max N selects at most N.";

/// The most IDs one bulk delete takes.
const BATCH: usize = 100;

#[derive(Debug)]
struct Args {
    filter: String,
    dry_run: bool,
    max: Option<u64>,
}

enum ArgsError {
    Help,
    Invalid(String),
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, ArgsError> {
    let mut filter = None;
    let mut dry_run = false;
    let mut max = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help),
            "--dry-run" => dry_run = true,
            "--filter" => {
                let value = args
                    .next()
                    .ok_or_else(|| ArgsError::Invalid("--filter needs a value".into()))?;
                if value.trim().is_empty() {
                    return Err(ArgsError::Invalid("--filter must not be empty".into()));
                }
                filter = Some(value);
            }
            "--max" => {
                let value = args
                    .next()
                    .ok_or_else(|| ArgsError::Invalid("--max needs a value".into()))?;
                let n: u64 = value.parse().map_err(|_| {
                    ArgsError::Invalid(format!("--max must be a positive integer, got `{value}`"))
                })?;
                if n == 0 {
                    return Err(ArgsError::Invalid("--max must be at least 1".into()));
                }
                max = Some(n);
            }
            other => return Err(ArgsError::Invalid(format!("unexpected argument `{other}`"))),
        }
    }
    let filter = filter.ok_or_else(|| {
        ArgsError::Invalid("--filter is required (nothing is deleted without one)".into())
    })?;
    Ok(Args {
        filter,
        dry_run,
        max,
    })
}

/// Lists the selection, then deletes it (or not, with `--dry-run`); returns
/// whether every selected machine identity was deleted.
async fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    let client = ClientBuilder::from_env()?.experimental(true).build()?;
    let handle = client.machine_identities();
    let mut list = handle
        .list_machine_identities_v2()
        .filters_raw(args.filter)
        .limit(250);
    if let Some(max) = args.max {
        list = list.max_items(max);
    }
    let selected: Vec<_> = list.stream().try_collect().await?;
    let mut stdout = std::io::stdout().lock();
    if args.dry_run {
        for identity in &selected {
            let line = json!({"id": identity.id, "name": identity.name, "action": "would delete"});
            writeln!(stdout, "{line}")?;
        }
        stdout.flush()?;
        eprintln!(
            "dry run: {} machine identities selected, none deleted",
            selected.len()
        );
        return Ok(true);
    }
    // An identity without an ID cannot be deleted by ID; the server always sets one.
    let ids: Vec<String> = selected.iter().filter_map(|i| i.id.clone()).collect();
    let missing_ids = selected.len() - ids.len();
    let (mut done, mut failed) = (0usize, missing_ids);
    for batch in ids.chunks(BATCH) {
        // One typed outcome per ID: `Succeeded` (a 2xx status) or `Failed` (why not).
        let answer = handle
            .delete_machine_identities_in_bulk_v2(MachineIdentityBulkRequest::new(batch.to_vec()))
            .send()
            .await?;
        for outcome in answer.iter() {
            // The whole item, as the server sent it.
            let result = outcome.item();
            let line = json!({"id": result.id, "status": result.status, "message": result.message});
            writeln!(stdout, "{line}")?;
            match outcome {
                ItemOutcome::Succeeded { .. } => done += 1,
                ItemOutcome::Failed { .. } => failed += 1,
            }
        }
        // An ID the server left out of its answer was not reported deleted.
        for id in answer.unanswered(batch.iter().map(String::as_str)) {
            writeln!(
                stdout,
                "{}",
                json!({"id": id, "status": null, "message": "not in the answer"})
            )?;
            failed += 1;
        }
    }
    stdout.flush()?;
    eprintln!(
        "{} machine identities selected: {done} deleted, {failed} not deleted",
        selected.len()
    );
    Ok(failed == 0)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Invalid(reason)) => {
            eprintln!("error: {reason}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
