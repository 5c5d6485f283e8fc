//! Lists every machine identity of a tenant through Machine Identities v2 (GA: no
//! experimental opt-in), one compact JSON object per line.
//!
//! ```text
//! cargo run -p sailpoint-isc --example list_machine_identities -- [--filter F] [--max N] [--concurrency N]
//! ```
//!
//! - Configuration comes from `SAIL_BASE_URL` (e.g. `https://acme.api.identitynow.com`),
//!   `SAIL_CLIENT_ID` and `SAIL_CLIENT_SECRET`.
//! - `--filter F` is passed as is as the `filters` query parameter, e.g.
//!   `--filter 'businessApplication eq "Payroll"'`.
//! - `--max N` stops after `N` machine identities (and never asks for more).
//! - `--concurrency N` keeps up to `N` page requests in flight (default 1, at least 1);
//!   the output is the same, in the same order. The client's rate budget (100 requests
//!   per 10 s by default) still paces the requests.
//!
//! Pages of 250 are fetched until the last one. Each machine identity is printed on
//! stdout as one line of compact JSON with the API's field names, and nothing else
//! is printed there, so the output can be piped into `jq -c`. Errors go to stderr
//! with exit status 1; bad arguments print the usage on stderr with exit status 2.

use std::io::Write;
use std::pin::pin;
use std::process::ExitCode;

use futures_util::StreamExt;
use sailpoint_isc::ClientBuilder;

const USAGE: &str = "usage: list_machine_identities [--filter F] [--max N] [--concurrency N]

Lists every machine identity as one line of compact JSON on stdout.
Reads SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET.

  --filter F   filter expression, sent as the `filters` query parameter
  --max N      stop after N machine identities
  --concurrency N
               page requests in flight at once (default 1, at least 1)";

/// The command line.
#[derive(Debug, Default)]
struct Args {
    filter: Option<String>,
    max: Option<u64>,
    concurrency: Option<usize>,
}

/// What to do instead of listing.
enum ArgsError {
    Help,
    Invalid(String),
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, ArgsError> {
    let mut parsed = Args::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| ArgsError::Invalid(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help),
            "--filter" if parsed.filter.is_some() => {
                return Err(ArgsError::Invalid("--filter given twice".into()))
            }
            "--filter" => parsed.filter = Some(value("--filter")?),
            "--max" if parsed.max.is_some() => {
                return Err(ArgsError::Invalid("--max given twice".into()))
            }
            "--max" => {
                let text = value("--max")?;
                let max = text.parse().map_err(|_| {
                    ArgsError::Invalid(format!("--max needs a non-negative integer, got `{text}`"))
                })?;
                parsed.max = Some(max);
            }
            "--concurrency" if parsed.concurrency.is_some() => {
                return Err(ArgsError::Invalid("--concurrency given twice".into()))
            }
            "--concurrency" => {
                let text = value("--concurrency")?;
                let n = text
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n >= 1)
                    .ok_or_else(|| {
                        ArgsError::Invalid(format!(
                            "--concurrency needs a positive integer, got `{text}`"
                        ))
                    })?;
                parsed.concurrency = Some(n);
            }
            other => return Err(ArgsError::Invalid(format!("unexpected argument `{other}`"))),
        }
    }
    Ok(parsed)
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

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    // v2 is GA: no `.experimental(true)`, and no experimental header is sent.
    let client = ClientBuilder::from_env()?.build()?;
    let mut request = client
        .machine_identities()
        .list_machine_identities_v2()
        .limit(250);
    if let Some(filter) = args.filter {
        request = request.filters_raw(filter);
    }
    if let Some(max) = args.max {
        request = request.max_items(max);
    }
    if let Some(n) = args.concurrency {
        request = request.concurrency(n);
    }
    let mut items = pin!(request.stream());
    let mut stdout = std::io::stdout().lock();
    while let Some(item) = items.next().await {
        let line = serde_json::to_string(&item?)?;
        writeln!(stdout, "{line}")?;
    }
    stdout.flush()?;
    Ok(())
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
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&*error);
            ExitCode::FAILURE
        }
    }
}
