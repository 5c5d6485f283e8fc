//! Lists every machine identity of a tenant, one compact JSON object per line.
//!
//! ```text
//! cargo run -p sailpoint-v2025 --example list_machine_identities -- [--filter F] [--max N] [--concurrency N]
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
use sailpoint_v2025::ClientBuilder;

use list_args::{parse_args, report, Args, ArgsError, USAGE};

/// The command line, shared by every crate's copy of this example.
mod list_args;

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let client = ClientBuilder::from_env()?.experimental(true).build()?;
    let mut request = client
        .machine_identities()
        .list_machine_identities()
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
