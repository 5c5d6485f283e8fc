//! Classifies the accounts of a source as human or machine accounts (Classify
//! Source, experimental in both SDKs) and waits for the classification to finish,
//! with the SDK's waiter (`client.classify_source().classify_and_wait(source_id)`).
//!
//! ```text
//! cargo run -p sailpoint-v2025 --example classify_source -- SOURCE_ID [--timeout SECS]
//! ```
//!
//! - Configuration comes from `SAIL_BASE_URL` (e.g. `https://acme.api.identitynow.com`),
//!   `SAIL_CLIENT_ID` and `SAIL_CLIENT_SECRET`.
//! - `--timeout SECS` (default 3600, the waiter's default: one hour) bounds the whole
//!   wait, start included; `SECS` is a positive number of seconds (`0.5` is fine).
//! - `SAIL_POLL_INTERVAL_MS` (optional, default 1000) is the first wait between two
//!   status polls, in milliseconds; the wait doubles after each poll, up to 30 s.
//!
//! Starts the classification, then polls its status until it is `COMPLETED`,
//! `CANCELLED` or `TERMINATED`, and prints that final status object on stdout as
//! one line of compact JSON (nothing else goes to stdout). The last status seen
//! goes to stderr, whatever the ending.
//!
//! A status this SDK does not know (a state SailPoint added later) is logged
//! and polled through like a pending one, so the classification can still end.
//!
//! Exit status: 0 when the classification completed; 1 when it ended `CANCELLED`
//! or `TERMINATED`, or on an API error (written to stderr); 2 on bad arguments or
//! settings; 3 when `SECS` passed without a final status, also when the tenant
//! sat in a state this SDK does not know (nothing is printed on stdout).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use sailpoint_v2025::models::SourceClassificationStatus;
use sailpoint_v2025::{ClientBuilder, WaitError, WaitOutcome};

const USAGE: &str = "usage: classify_source SOURCE_ID [--timeout SECS]

Classifies the accounts of a source and waits until the classification ends;
prints the final status as one line of compact JSON on stdout, and the last
status seen on stderr.
--timeout SECS bounds the whole wait (default 3600 seconds).
Reads SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET, and optionally
SAIL_POLL_INTERVAL_MS (first wait between polls, default 1000, doubling up to 30 s).

Exit status: 0 completed, 1 cancelled, terminated or error,
2 bad arguments or settings, 3 timed out (also in a status this SDK does not know).";

/// Environment variable overriding the first wait between polls, in milliseconds.
const ENV_POLL_INTERVAL: &str = "SAIL_POLL_INTERVAL_MS";

/// Exit status when the classification did not complete, or on an error.
const EXIT_FAILED: u8 = 1;
/// Exit status on bad arguments or settings.
const EXIT_USAGE: u8 = 2;
/// Exit status when `--timeout` passed without a final status (or the work
/// sat in a status this SDK does not know).
const EXIT_TIMEOUT: u8 = 3;

/// The command line.
struct Args {
    source_id: String,
    timeout: Option<Duration>,
}

/// What to do instead of classifying.
enum ArgsError {
    Help,
    Invalid(String),
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, ArgsError> {
    let mut source_id = None;
    let mut timeout = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help),
            "--timeout" => {
                let value = args
                    .next()
                    .ok_or_else(|| ArgsError::Invalid("--timeout needs SECS".into()))?;
                timeout = Some(parse_secs(&value).map_err(ArgsError::Invalid)?);
            }
            flag if flag.starts_with("--timeout=") => {
                let value = &flag["--timeout=".len()..];
                timeout = Some(parse_secs(value).map_err(ArgsError::Invalid)?);
            }
            flag if flag.starts_with('-') => {
                return Err(ArgsError::Invalid(format!("unexpected option `{flag}`")))
            }
            id if id.trim().is_empty() => {
                return Err(ArgsError::Invalid("SOURCE_ID is empty".into()))
            }
            id if source_id.is_none() => source_id = Some(id.to_owned()),
            _ => return Err(ArgsError::Invalid("expected exactly one SOURCE_ID".into())),
        }
    }
    let source_id = source_id.ok_or_else(|| ArgsError::Invalid("SOURCE_ID is missing".into()))?;
    Ok(Args { source_id, timeout })
}

/// A positive number of seconds.
fn parse_secs(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("--timeout must be a positive number of seconds, got `{text}`"))
}

/// The first wait between polls, from `SAIL_POLL_INTERVAL_MS` if set.
fn poll_interval() -> Result<Option<Duration>, String> {
    match std::env::var(ENV_POLL_INTERVAL) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(text) => text
            .trim()
            .parse()
            .map(|ms| Some(Duration::from_millis(ms)))
            .map_err(|_| {
                format!("{ENV_POLL_INTERVAL} must be a number of milliseconds, got `{text}`")
            }),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("{ENV_POLL_INTERVAL} is not valid Unicode"))
        }
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

/// The status value of a status body, for stderr.
fn stage(status: &SourceClassificationStatus) -> String {
    let stage = status.status.as_ref().map_or("none", |s| s.as_str());
    match &status.counts {
        Some(c) => format!(
            "{stage} ({} of {} accounts classified)",
            c.completed, c.expected
        ),
        None => stage.to_owned(),
    }
}

/// Prints the final status on stdout.
fn print_status(status: &SourceClassificationStatus) -> Result<(), Box<dyn std::error::Error>> {
    let line = serde_json::to_string(status)?;
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(())
}

async fn run(args: Args, first_wait: Option<Duration>) -> ExitCode {
    let built: Result<_, Box<dyn std::error::Error>> = ClientBuilder::from_env()
        .map_err(Into::into)
        .and_then(|b| Ok(b.experimental(true).build()?));
    let client = match built {
        Ok(client) => client,
        Err(error) => {
            report(&*error);
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let mut waiter = client.classify_source().classify_and_wait(&args.source_id);
    if let Some(timeout) = args.timeout {
        waiter = waiter.timeout(timeout);
    }
    if let Some(first_wait) = first_wait {
        waiter = waiter.initial_delay(first_wait);
    }
    let (status, code) = match waiter.send().await {
        Ok(WaitOutcome::Succeeded(status)) => (status, ExitCode::SUCCESS),
        Ok(WaitOutcome::Failed(status)) => (status, ExitCode::from(EXIT_FAILED)),
        Err(WaitError::Timeout {
            last_status,
            last_state_unknown,
            elapsed,
            ..
        }) => {
            let last = last_status.as_ref().map_or("none yet".to_owned(), stage);
            let unknown = if last_state_unknown {
                ", a status this SDK does not know"
            } else {
                ""
            };
            eprintln!(
                "error: no final status after {:.1}s (last status: {last}{unknown}); \
                 raise --timeout to wait longer",
                elapsed.as_secs_f64()
            );
            return ExitCode::from(EXIT_TIMEOUT);
        }
        // Only with `.on_unknown_status(OnUnknownStatus::Stop)`, which this
        // example does not set; the same answer as a timeout in that state.
        Err(WaitError::UnknownStatus(status)) => {
            eprintln!(
                "error: the server reported a status this SDK does not know \
                 (last status: {}); stopped waiting",
                stage(&status)
            );
            return ExitCode::from(EXIT_TIMEOUT);
        }
        Err(error) => {
            report(&error);
            return ExitCode::from(EXIT_FAILED);
        }
    };
    eprintln!("last status: {}", stage(&status));
    if let Err(error) = print_status(&status) {
        report(&*error);
        return ExitCode::from(EXIT_FAILED);
    }
    code
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
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let first_wait = match poll_interval() {
        Ok(first_wait) => first_wait,
        Err(reason) => {
            eprintln!("error: {reason}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    run(args, first_wait).await
}
