//! Flags: the tool's own, the value checks clap runs on every parameter
//! (`integer` with its bounds, `one_of` for enums, `date_time`, ...), and
//! the step from a flag's text to the SDK's type: the text becomes JSON of
//! the parameter's kind, which the SDK's own `Deserialize` then decodes.

use std::time::Duration;

use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{Arg, ArgAction, ArgMatches};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Failure;

/// What JSON a flag's text stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string (also date-times, dates and enum values).
    Str,
    /// An integer.
    Int,
    /// A number.
    Num,
    /// `true` or `false`.
    Bool,
    /// JSON text (objects, arrays, anything else).
    Json,
}

/// The tool's own flags, valid before or after the command.
pub fn global() -> Vec<Arg> {
    vec![
        Arg::new("format")
            .long("format")
            .global(true)
            .value_name("FORMAT")
            .value_parser(["json", "jsonl", "yaml", "table"])
            .help("Output format [default: table on a terminal; else json, and jsonl for lists]"),
        Arg::new("columns")
            .long("columns")
            .global(true)
            .value_name("FIELDS")
            .value_delimiter(',')
            .help("Table columns: comma-separated field names, dotted for nested fields (owner.name)"),
        Arg::new("jsonpath")
            .long("jsonpath")
            .global(true)
            .value_name("QUERY")
            .help("Print only what this RFC 9535 JSONPath selects (of each item, for lists), e.g. '$.name'"),
        Arg::new("base-url")
            .long("base-url")
            .global(true)
            .value_name("URL")
            .help("The API's origin, such as https://api.example.com (overrides the configuration)"),
        Arg::new("experimental")
            .long("experimental")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Allow experimental operations (sends the API's experimental opt-in)"),
        Arg::new("no-progress")
            .long("no-progress")
            .global(true)
            .action(ArgAction::SetTrue)
            .help("No progress bar (there is none anyway when stderr is not a terminal)"),
    ]
}

/// `--max`, and `--concurrency` where pages can be fetched at once (offset
/// paging; a cursor is only known once the page before has arrived), on
/// commands that list pages.
pub fn paging(concurrent: bool) -> Vec<Arg> {
    let mut args = vec![Arg::new("max")
        .long("max")
        .value_name("N")
        .value_parser(clap::value_parser!(u64))
        .help("Stop after N items (never requests more)")];
    if concurrent {
        args.push(Arg::new("concurrency")
            .long("concurrency")
            .value_name("N")
            .value_parser(clap::value_parser!(u64).range(1..=16))
            .help("Page requests in flight at once (1-16) [default: 1]; items still come in order"));
    }
    args
}

/// `--wait` and `--timeout`, on commands that start work a waiter polls.
pub fn waiting() -> Vec<Arg> {
    vec![
        Arg::new("wait")
            .long("wait")
            .action(ArgAction::SetTrue)
            .help("Wait until the work ends; the exit code is its outcome (0 success, 5 failed, 3 timeout)"),
        Arg::new("timeout")
            .long("timeout")
            .value_name("SECS")
            .requires("wait")
            .value_parser(clap::value_parser!(u64).range(1..))
            .help("With --wait: give up after SECS seconds (exit code 3) [default: the spec's]"),
    ]
}

/// Any text.
pub fn text() -> ValueParser {
    ValueParser::string()
}

/// `true` or `false`.
pub fn boolean() -> ValueParser {
    PossibleValuesParser::new(["true", "false"]).into()
}

/// One of the enum's values.
pub fn one_of(values: &'static [&'static str]) -> ValueParser {
    PossibleValuesParser::new(values.iter().copied()).into()
}

/// An integer within `[min, max]`.
pub fn integer(min: i64, max: i64) -> ValueParser {
    ValueParser::new(move |s: &str| -> Result<String, String> {
        let n: i64 = s
            .trim()
            .parse()
            .map_err(|_| format!("expected an integer, found `{s}`"))?;
        if n < min || n > max {
            return Err(format!("{n} is not in {min}..={max}"));
        }
        Ok(n.to_string())
    })
}

/// A number.
pub fn number() -> ValueParser {
    ValueParser::new(|s: &str| -> Result<String, String> {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|_| s.trim().to_owned())
            .ok_or_else(|| format!("expected a number, found `{s}`"))
    })
}

/// An RFC 3339 date-time (`2026-01-31T12:00:00Z`).
pub fn date_time() -> ValueParser {
    ValueParser::new(|s: &str| -> Result<String, String> {
        chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|_| s.trim().to_owned())
            .map_err(|e| {
                format!("expected an RFC 3339 date-time such as 2026-01-31T12:00:00Z ({e})")
            })
    })
}

/// An ISO 8601 date (`2026-01-31`).
pub fn date() -> ValueParser {
    ValueParser::new(|s: &str| -> Result<String, String> {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(|_| s.trim().to_owned())
            .map_err(|e| format!("expected a date such as 2026-01-31 ({e})"))
    })
}

/// JSON text.
pub fn json() -> ValueParser {
    ValueParser::new(|s: &str| -> Result<String, String> {
        serde_json::from_str::<Value>(s)
            .map(|_| s.to_owned())
            .map_err(|e| format!("expected JSON ({e})"))
    })
}

fn to_json(text: &str, kind: Kind) -> Result<Value, String> {
    Ok(match kind {
        Kind::Str => Value::String(text.to_owned()),
        Kind::Bool => Value::Bool(text == "true"),
        Kind::Int | Kind::Num | Kind::Json => {
            serde_json::from_str(text).map_err(|e| format!("`{text}`: {e}"))?
        }
    })
}

/// The flag `id` as the SDK's type, if given.
pub fn one<T: DeserializeOwned>(
    m: &ArgMatches,
    id: &str,
    kind: Kind,
) -> Result<Option<T>, Failure> {
    let Some(text) = m.get_one::<String>(id) else {
        return Ok(None);
    };
    let value = to_json(text, kind).map_err(|e| Failure::usage(format!("--{id}: {e}")))?;
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| Failure::usage(format!("--{id}: {e}")))
}

/// The flag `id`, given once or more (or comma-separated), as the SDK's list type.
pub fn many<T: DeserializeOwned>(
    m: &ArgMatches,
    id: &str,
    kind: Kind,
) -> Result<Option<T>, Failure> {
    let Some(texts) = m.get_many::<String>(id) else {
        return Ok(None);
    };
    let values = texts
        .map(|t| to_json(t, kind))
        .collect::<Result<Vec<Value>, String>>()
        .map_err(|e| Failure::usage(format!("--{id}: {e}")))?;
    serde_json::from_value(Value::Array(values))
        .map(Some)
        .map_err(|e| Failure::usage(format!("--{id}: {e}")))
}

/// Whether the switch `id` is on.
pub fn flag(m: &ArgMatches, id: &str) -> bool {
    m.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// `--timeout`, if given.
pub fn timeout(m: &ArgMatches) -> Result<Option<Duration>, Failure> {
    Ok(m.try_get_one::<u64>("timeout")
        .ok()
        .flatten()
        .map(|s| Duration::from_secs(*s)))
}
