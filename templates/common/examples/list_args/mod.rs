//! The command line of the `list_machine_identities` example, the same in
//! every crate (it is under `templates/common/`): its usage, its parsing and
//! how errors are reported. The example itself, with the crate's list call,
//! is each crate's own `examples/list_machine_identities.rs`.

pub const USAGE: &str = "usage: list_machine_identities [--filter F] [--max N] [--concurrency N]

Lists every machine identity as one line of compact JSON on stdout.
Reads SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET.

  --filter F   filter expression, sent as the `filters` query parameter
  --max N      stop after N machine identities
  --concurrency N
               page requests in flight at once (default 1, at least 1)";

/// The command line.
#[derive(Debug, Default)]
pub struct Args {
    pub filter: Option<String>,
    pub max: Option<u64>,
    pub concurrency: Option<usize>,
}

/// What to do instead of listing.
pub enum ArgsError {
    Help,
    Invalid(String),
}

pub fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, ArgsError> {
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
pub fn report(error: &dyn std::error::Error) {
    let mut text = format!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("{text}");
}
