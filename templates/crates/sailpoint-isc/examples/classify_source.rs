//! Classifies the accounts of a source as human or machine accounts (Classify Source
//! v1, experimental) and waits for the classification to finish.
//!
//! ```text
//! cargo run -p sailpoint-isc --example classify_source -- SOURCE_ID
//! ```
//!
//! - Configuration comes from `SAIL_BASE_URL` (e.g. `https://acme.api.identitynow.com`),
//!   `SAIL_CLIENT_ID` and `SAIL_CLIENT_SECRET`.
//! - `SAIL_POLL_INTERVAL_MS` (optional, default 1000) is the first wait between two
//!   status polls, in milliseconds; the wait doubles after each poll, up to 30 s.
//! - `SAIL_MAX_POLLS` (optional, default 120, about an hour at the default
//!   interval) is the most status polls made; `SAIL_MAX_WAIT_SECS` (optional,
//!   default 3600) the most time spent polling. A status this example does not know
//!   is taken as still running, so these bounds are what ends a server that never
//!   reports a final status.
//!
//! Starts the classification, then polls its status until it is `COMPLETED`,
//! `CANCELLED` or `TERMINATED`, and prints that final status object on stdout as
//! one line of compact JSON (nothing else goes to stdout; progress goes to stderr).
//!
//! Exit status: 0 when the classification completed, 3 when it ended `CANCELLED` or
//! `TERMINATED`, 4 when polling gave up before a final status (stderr says after how
//! many polls and which status was last seen; nothing is printed on stdout), 1 on
//! an error (written to stderr), 2 on bad arguments or settings.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use sailpoint_isc::models::{SourceClassificationStatus, SourceClassificationStatusStatus};
use sailpoint_isc::ClientBuilder;

const USAGE: &str = "usage: classify_source SOURCE_ID

Classifies the accounts of a source and waits until the classification ends;
prints the final status as one line of compact JSON on stdout.
Reads SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET, and optionally
SAIL_POLL_INTERVAL_MS (first wait between polls, default 1000, doubling up to 30 s),
SAIL_MAX_POLLS (default 120) and SAIL_MAX_WAIT_SECS (default 3600).

Exit status: 0 completed, 3 cancelled or terminated, 4 gave up polling,
1 error, 2 bad arguments or settings.";

/// Environment variable overriding the first wait between polls, in milliseconds.
const ENV_POLL_INTERVAL: &str = "SAIL_POLL_INTERVAL_MS";
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(30);

/// Environment variable bounding the number of status polls.
const ENV_MAX_POLLS: &str = "SAIL_MAX_POLLS";
const DEFAULT_MAX_POLLS: u64 = 120;
/// Environment variable bounding the time spent polling, in seconds.
const ENV_MAX_WAIT: &str = "SAIL_MAX_WAIT_SECS";
const DEFAULT_MAX_WAIT_SECS: u64 = 3600;

/// Exit status when the classification ended without completing.
const EXIT_NOT_COMPLETED: u8 = 3;
/// Exit status when polling gave up before the classification ended.
const EXIT_GAVE_UP: u8 = 4;

/// How long polling may go on.
#[derive(Clone, Copy)]
struct Bounds {
    first_wait: Duration,
    max_polls: u64,
    max_wait: Duration,
}

/// How polling ended.
enum Outcome {
    /// A final status.
    Final(SourceClassificationStatus),
    /// No final status within the bounds.
    GaveUp {
        polls: u64,
        elapsed: Duration,
        last_status: String,
    },
}

/// What to do instead of classifying.
enum ArgsError {
    Help,
    Invalid(String),
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<String, ArgsError> {
    let args: Vec<String> = args.collect();
    match args.as_slice() {
        [flag] if flag == "-h" || flag == "--help" => Err(ArgsError::Help),
        [flag] if flag.starts_with('-') => {
            Err(ArgsError::Invalid(format!("unexpected option `{flag}`")))
        }
        [source_id] if source_id.trim().is_empty() => {
            Err(ArgsError::Invalid("SOURCE_ID is empty".into()))
        }
        [source_id] => Ok(source_id.clone()),
        [] => Err(ArgsError::Invalid("SOURCE_ID is missing".into())),
        _ => Err(ArgsError::Invalid("expected exactly one SOURCE_ID".into())),
    }
}

/// The first wait between polls, from `SAIL_POLL_INTERVAL_MS` if set.
fn poll_interval() -> Result<Duration, String> {
    match std::env::var(ENV_POLL_INTERVAL) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_POLL_INTERVAL),
        Ok(text) => text.trim().parse().map(Duration::from_millis).map_err(|_| {
            format!("{ENV_POLL_INTERVAL} must be a number of milliseconds, got `{text}`")
        }),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("{ENV_POLL_INTERVAL} is not valid Unicode"))
        }
    }
}

/// A whole number from the environment variable `name`, or `default`.
fn number_from_env(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(default),
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number, got `{text}`")),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not valid Unicode")),
    }
}

/// Writes `error` and its causes to stderr, one `: cause` after the other.
fn report(error: &dyn std::error::Error) {
    let mut text = format!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("{text}");
}

/// Whether the classification has ended; unknown statuses are taken as still running.
fn is_final(status: &SourceClassificationStatus) -> bool {
    use SourceClassificationStatusStatus as S;
    matches!(
        status.status,
        Some(S::Completed | S::Cancelled | S::Terminated)
    )
}

async fn run(source_id: &str, bounds: Bounds) -> Result<Outcome, Box<dyn std::error::Error>> {
    let client = ClientBuilder::from_env()?.experimental(true).build()?;
    let classify = client.classify_source();

    let submitted = classify
        .send_classify_machine_account_from_source_v1(source_id)
        .send()
        .await?;
    match submitted.accounts_submitted_for_processing {
        Some(n) => eprintln!("classification started: {n} accounts submitted"),
        None => eprintln!("classification started"),
    }

    let started = std::time::Instant::now();
    let mut wait = bounds.first_wait;
    let mut polls = 0;
    let mut last_status = String::from("none yet");
    loop {
        let elapsed = started.elapsed();
        if polls >= bounds.max_polls || elapsed.saturating_add(wait) > bounds.max_wait {
            return Ok(Outcome::GaveUp {
                polls,
                elapsed,
                last_status,
            });
        }
        tokio::time::sleep(wait).await;
        polls += 1;
        wait = wait.saturating_mul(2).min(MAX_POLL_INTERVAL);
        let status = classify
            .get_classify_machine_account_from_source_status_v1(source_id)
            .send()
            .await?
            .into_body();
        let stage = status.status.as_ref().map_or("unknown", |s| s.as_str());
        match &status.counts {
            Some(c) => eprintln!(
                "status: {stage} ({} of {} accounts classified)",
                c.completed, c.expected
            ),
            None => eprintln!("status: {stage}"),
        }
        if is_final(&status) {
            return Ok(Outcome::Final(status));
        }
        last_status = stage.to_owned();
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let source_id = match parse_args(std::env::args().skip(1)) {
        Ok(source_id) => source_id,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Invalid(reason)) => {
            eprintln!("error: {reason}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let settings = poll_interval().and_then(|first_wait| {
        Ok(Bounds {
            first_wait,
            max_polls: number_from_env(ENV_MAX_POLLS, DEFAULT_MAX_POLLS)?,
            max_wait: Duration::from_secs(number_from_env(ENV_MAX_WAIT, DEFAULT_MAX_WAIT_SECS)?),
        })
    });
    let bounds = match settings {
        Ok(bounds) => bounds,
        Err(reason) => {
            eprintln!("error: {reason}");
            return ExitCode::from(2);
        }
    };
    let status = match run(&source_id, bounds).await {
        Ok(Outcome::Final(status)) => status,
        Ok(Outcome::GaveUp {
            polls,
            elapsed,
            last_status,
        }) => {
            eprintln!(
                "error: gave up after {polls} status polls in {:.1}s without a final status \
                 (last status: {last_status}); raise {ENV_MAX_POLLS} or {ENV_MAX_WAIT} to wait longer",
                elapsed.as_secs_f64()
            );
            return ExitCode::from(EXIT_GAVE_UP);
        }
        Err(error) => {
            report(&*error);
            return ExitCode::FAILURE;
        }
    };
    let printed = serde_json::to_string(&status)
        .map_err(Box::<dyn std::error::Error>::from)
        .and_then(|line| Ok(writeln!(std::io::stdout().lock(), "{line}")?));
    if let Err(error) = printed {
        report(&*error);
        return ExitCode::FAILURE;
    }
    if status.status == Some(SourceClassificationStatusStatus::Completed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_COMPLETED)
    }
}
