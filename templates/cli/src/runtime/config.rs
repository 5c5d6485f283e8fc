//! The client: the SDK's own configuration chain, and the tool's flags on
//! top. No secret is ever printed: the SDK's errors and `Debug` redact them,
//! and this module never shows a value it read.

use clap::ArgMatches;

use super::Failure;

/// `text` with every secret this tool can see replaced by `[REDACTED]`. The
/// SDK already redacts the access token wherever a server echoes it; this
/// also covers a client secret or token from the variables (and
/// `./config.json`) that a hostile server echoes in an error body.
pub fn redact(text: &str) -> String {
    let mut secrets: Vec<String> = SECRET_VARIABLES
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .collect();
    secrets.extend(file_secrets());
    let mut out = text.to_owned();
    for s in secrets.iter().map(|s| s.trim()).filter(|s| s.len() >= 4) {
        out = out.replace(s, "[REDACTED]");
    }
    out
}

// @sdk if sailpoint
/// The variables that hold secrets.
const SECRET_VARIABLES: &[&str] = &["SAIL_CLIENT_SECRET"];

/// The secret of `./config.json`, if any.
fn file_secrets() -> Vec<String> {
    std::fs::read_to_string("config.json")
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("ClientSecret")?.as_str().map(str::to_owned))
        .into_iter()
        .collect()
}

/// How the tool finds its tenant (the end of `--help`).
pub const HELP: &str = "Configuration, each setting from the first place that has it: the variables \
SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET; ./config.json (BaseURL, ClientId, ClientSecret); \
the sail CLI's ~/.sailpoint/config.yaml (the active environment's baseurl); with the keyring feature, \
the sail CLI's credentials in the OS keyring. --base-url overrides the base URL, and --experimental \
(or SAIL_EXPERIMENTAL=true) allows experimental operations.";

/// A client from the SDK's `from_env` chain and the flags.
pub fn client(m: &ArgMatches) -> Result<sdk::Client, Failure> {
    if let Some(url) = m.get_one::<String>("base-url") {
        // The highest place of the SDK's chain; set before any thread starts.
        std::env::set_var("SAIL_BASE_URL", url);
    }
    let mut builder = sdk::ClientBuilder::from_env().map_err(|e| Failure::usage(e.to_string()))?;
    if m.get_flag("experimental") {
        builder = builder.experimental(true);
    }
    builder.build().map_err(|e| Failure::usage(e.to_string()))
}
// @sdk else
/// The variables that hold secrets.
const SECRET_VARIABLES: &[&str] = &["@ENV_PREFIX@_TOKEN", "@ENV_PREFIX@_CLIENT_SECRET"];

/// No configuration file holds secrets here.
fn file_secrets() -> Vec<String> {
    Vec::new()
}

/// How the tool finds its server (the end of `--help`).
pub const HELP: &str = "Configuration: @ENV_PREFIX@_BASE_URL (or --base-url) is the server; \
@ENV_PREFIX@_TOKEN a bearer token, or @ENV_PREFIX@_CLIENT_ID and @ENV_PREFIX@_CLIENT_SECRET \
OAuth client credentials. --experimental allows experimental operations.";

/// A client from the variables and the flags.
pub fn client(m: &ArgMatches) -> Result<sdk::Client, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let base = m
        .get_one::<String>("base-url")
        .cloned()
        .or_else(|| var("@ENV_PREFIX@_BASE_URL"))
        .ok_or_else(|| Failure::usage("no server: set @ENV_PREFIX@_BASE_URL or pass --base-url"))?;
    let mut builder = sdk::Client::builder().base_url(base);
    if let Some(token) = var("@ENV_PREFIX@_TOKEN") {
        builder = builder.bearer_token(token);
    } else if let (Some(id), Some(secret)) = (
        var("@ENV_PREFIX@_CLIENT_ID"),
        var("@ENV_PREFIX@_CLIENT_SECRET"),
    ) {
        builder = builder.client_credentials(id, secret);
    }
    if m.get_flag("experimental") {
        builder = builder.experimental(true);
    }
    builder.build().map_err(|e| {
        Failure::usage(format!(
            "{e} (set @ENV_PREFIX@_TOKEN, or @ENV_PREFIX@_CLIENT_ID and @ENV_PREFIX@_CLIENT_SECRET)"
        ))
    })
}
// @sdk end
