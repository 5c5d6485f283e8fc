//! Where [`Client::from_env`](super::Client::from_env) finds its settings,
//! like SailPoint's other tools. Each setting comes from the first place that has it:
//!
//! 1. the variables `SAIL_BASE_URL`, `SAIL_CLIENT_ID`, `SAIL_CLIENT_SECRET`
//!    (and `SAIL_EXPERIMENTAL`, read from the environment only);
//! 2. `./config.json` in the current directory (`BaseURL`, `ClientId`,
//!    `ClientSecret`), as SailPoint's Python SDK reads it;
//! 3. the `sail` CLI's `~/.sailpoint/config.yaml`: the base URL is the active
//!    environment's `baseurl` (`activeenvironment`, then
//!    `environments.<name>.baseurl`);
//! 4. with the `keyring` feature, the client id and secret the `sail` CLI keeps
//!    for personal access tokens in the OS keyring, for the active environment
//!    (see `OsKeyring` for the exact entries).
//!
//! The variables override the keyring, as they do for the CLI. Without the
//! feature the keyring is not read, and the error says so.
//!
//! The resolution itself ([`resolve`]) takes the variables, the current
//! directory and the home directory as parameters, so that it is tested
//! without touching the process's environment.

use std::path::{Path, PathBuf};

use super::error::ConfigError;

/// The settings [`resolve`] found.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub experimental: bool,
}

/// Where [`resolve`] looks.
pub(crate) struct Sources<'a> {
    /// Environment variables.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The directory holding `config.json`; `None` to skip the file.
    pub cwd: Option<PathBuf>,
    /// The home directory holding `.sailpoint/config.yaml`; `None` to skip it.
    pub home: Option<PathBuf>,
    /// Where the `sail` CLI keeps PAT credentials; `None` when not read (the
    /// `keyring` feature is off).
    pub keyring: Option<&'a dyn SecretStore>,
}

/// A store of secrets named by a service and a user, as the OS keyring is
/// for `zalando/go-keyring`, which the `sail` CLI uses. With the `keyring`
/// feature, [`Sources::system`] reads the OS's ([`OsKeyring`]); tests use a map.
pub(crate) trait SecretStore {
    /// The secret stored for `service` and `user`: `Ok(None)` when there is
    /// none, `Err` saying why the store could not be read (never a secret).
    fn get(&self, service: &str, user: &str) -> Result<Option<String>, String>;
}

/// The keyring services under which the `sail` CLI keeps a personal access
/// token's client id and secret (`internal/config/pat.go`); the user is the
/// active environment's name, in lower case.
pub(crate) const KEYRING_CLIENT_ID: &str = "environments.pat.clientid";
/// See [`KEYRING_CLIENT_ID`].
pub(crate) const KEYRING_CLIENT_SECRET: &str = "environments.pat.clientsecret";

/// The environment the `sail` CLI uses when its config names none.
const CLI_DEFAULT_ENVIRONMENT: &str = "default";

impl Sources<'_> {
    /// The process's environment, current directory and `HOME` (`USERPROFILE` on Windows).
    pub(crate) fn system(env: &dyn Fn(&str) -> Option<String>) -> Sources<'_> {
        let home = env("HOME")
            .or_else(|| env("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        Sources {
            env,
            cwd: std::env::current_dir().ok(),
            home,
            keyring: os_keyring(),
        }
    }
}

/// One setting as looked up in each place, in order.
struct Setting {
    name: &'static str,
    value: Option<String>,
}

impl Setting {
    fn offer(&mut self, value: Option<String>) {
        if self.value.is_none() {
            self.value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        }
    }
}

/// The three settings as found so far, and every place looked in (with
/// what was found there), for [`ConfigError::NotConfigured`].
struct Found {
    base: Setting,
    id: Setting,
    secret: Setting,
    looked: Vec<String>,
}

/// Resolves the base URL, client id and secret, and `SAIL_EXPERIMENTAL`.
/// A setting found nowhere is [`ConfigError::NotConfigured`], naming every
/// missing setting and every place looked in (with what was found there).
pub(crate) fn resolve(src: &Sources<'_>) -> Result<Resolved, ConfigError> {
    let setting = |name| Setting { name, value: None };
    let mut found = Found {
        base: setting("base URL"),
        id: setting("client id"),
        secret: setting("client secret"),
        looked: Vec::new(),
    };
    let experimental = found.env(src.env)?;
    found.config_json(src.cwd.as_deref())?;
    let active = found.cli_config(src.home.as_deref())?;
    found.keyring(src.keyring, &active);
    found.finish(experimental)
}

/// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any case.
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Found {
    /// The `SAIL_*` variables; returns `SAIL_EXPERIMENTAL` (default `false`).
    fn env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Result<bool, ConfigError> {
        self.looked.push(
            "the environment variables SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET"
                .to_owned(),
        );
        self.base.offer(env("SAIL_BASE_URL"));
        self.id.offer(env("SAIL_CLIENT_ID"));
        self.secret.offer(env("SAIL_CLIENT_SECRET"));
        match env("SAIL_EXPERIMENTAL").as_deref().map(str::trim) {
            None | Some("") => Ok(false),
            Some(value) => parse_bool(value).ok_or_else(|| ConfigError::InvalidEnv {
                name: "SAIL_EXPERIMENTAL",
                value: value.to_owned(),
                expected: "true or false",
            }),
        }
    }

    /// `config.json` in `cwd`, as SailPoint's Python SDK reads it.
    fn config_json(&mut self, cwd: Option<&Path>) -> Result<(), ConfigError> {
        let Some(cwd) = cwd else {
            self.looked
                .push("./config.json (no current directory)".to_owned());
            return Ok(());
        };
        let path = cwd.join("config.json");
        let Some(text) = read_optional(&path)? else {
            self.looked.push(format!("{} (not found)", path.display()));
            return Ok(());
        };
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|source| ConfigError::ParseFile {
                path: path.clone(),
                source,
            })?;
        let get = |key: &str| map.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        self.base.offer(get("BaseURL"));
        self.id.offer(get("ClientId"));
        self.secret.offer(get("ClientSecret"));
        self.looked.push(format!(
            "{} (keys BaseURL, ClientId, ClientSecret)",
            path.display()
        ));
        Ok(())
    }

    /// The `sail` CLI's `~/.sailpoint/config.yaml` under `home` (its active
    /// environment's `baseurl`); returns the CLI's active environment,
    /// lower-cased as the CLI does; its default when the config is missing
    /// or names none, since the CLI then keeps its keyring entries under
    /// that name.
    fn cli_config(&mut self, home: Option<&Path>) -> Result<String, ConfigError> {
        let mut active = CLI_DEFAULT_ENVIRONMENT.to_owned();
        let Some(home) = home else {
            self.looked
                .push("~/.sailpoint/config.yaml (HOME is not set)".to_owned());
            return Ok(active);
        };
        let path = home.join(".sailpoint").join("config.yaml");
        let Some(text) = read_optional(&path)? else {
            self.looked.push(format!("{} (not found)", path.display()));
            return Ok(active);
        };
        let cli = CliConfig::parse(&text);
        let named = cli
            .active
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        if let Some(name) = named {
            active = name.to_ascii_lowercase();
        }
        let url = cli.base_url(&active);
        let which = match named {
            Some(_) => format!("environment `{active}`"),
            None => format!("no activeenvironment, so the CLI's `{active}`"),
        };
        if url.is_none() {
            self.looked
                .push(format!("{} ({which} has no baseurl)", path.display()));
        } else {
            self.looked
                .push(format!("{} ({which}: baseurl only)", path.display()));
        }
        self.base.offer(url);
        Ok(active)
    }

    /// The client id and secret the `sail` CLI keeps in `store` for the
    /// environment `active`, when not found before.
    fn keyring(&mut self, store: Option<&dyn SecretStore>, active: &str) {
        let Some(store) = store else {
            self.looked.push(
                "not the OS keyring, where the `sail` CLI keeps PAT credentials (build with the \
                 `keyring` feature to read it)"
                    .to_owned(),
            );
            return;
        };
        if self.id.value.is_some() && self.secret.value.is_some() {
            self.looked.push(
                "not the OS keyring (the client id and secret were found before it)".to_owned(),
            );
            return;
        }
        let mut tried = Vec::new();
        for (setting, service) in [
            (&mut self.id, KEYRING_CLIENT_ID),
            (&mut self.secret, KEYRING_CLIENT_SECRET),
        ] {
            if setting.value.is_some() {
                continue;
            }
            let outcome = match store.get(service, active) {
                Ok(None) => "not found".to_owned(),
                Ok(Some(value)) => match decode_go_keyring(&value) {
                    Ok(value) => {
                        setting.offer(Some(value));
                        match setting.value {
                            Some(_) => "found".to_owned(),
                            None => "empty".to_owned(),
                        }
                    }
                    Err(why) => why,
                },
                Err(why) => format!("unavailable: {why}"),
            };
            tried.push(format!("service `{service}`, user `{active}` ({outcome})"));
        }
        self.looked
            .push(format!("the OS keyring: {}", tried.join("; ")));
    }

    /// The settings, or every missing one and every place looked in.
    fn finish(self, experimental: bool) -> Result<Resolved, ConfigError> {
        let Found {
            base,
            id,
            secret,
            looked,
        } = self;
        match (base.value, id.value, secret.value) {
            (Some(base_url), Some(client_id), Some(client_secret)) => Ok(Resolved {
                base_url,
                client_id,
                client_secret,
                experimental,
            }),
            (b, i, s) => {
                let missing = [(b, base.name), (i, id.name), (s, secret.name)]
                    .into_iter()
                    .filter(|(v, _)| v.is_none())
                    .map(|(_, name)| name)
                    .collect();
                Err(ConfigError::NotConfigured {
                    missing,
                    looked_in: looked,
                })
            }
        }
    }
}

/// The file's text, `None` if it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The secret go-keyring stored: on macOS it writes `go-keyring-base64:` and
/// base64 (or, in older versions, `go-keyring-encoded:` and hex for secrets
/// with a newline) through the `security` tool; elsewhere the text as is.
/// The error says what is wrong, never the value.
fn decode_go_keyring(value: &str) -> Result<String, String> {
    let bytes = if let Some(b64) = value.strip_prefix("go-keyring-base64:") {
        decode_base64(b64.trim()).ok_or("not valid base64 after `go-keyring-base64:`")?
    } else if let Some(hex) = value.strip_prefix("go-keyring-encoded:") {
        decode_hex(hex.trim()).ok_or("not valid hex after `go-keyring-encoded:`")?
    } else {
        return Ok(value.to_owned());
    };
    String::from_utf8(bytes).map_err(|_| "not UTF-8 once decoded".to_owned())
}

/// Standard base64, padding optional.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // One leftover character (6 bits) cannot end a base64 text.
    (bits < 6).then_some(out)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The OS keyring, when the `keyring` feature is on.
#[cfg(feature = "keyring")]
fn os_keyring() -> Option<&'static dyn SecretStore> {
    Some(&OsKeyring)
}

#[cfg(not(feature = "keyring"))]
fn os_keyring() -> Option<&'static dyn SecretStore> {
    None
}

/// The OS keyring, read where `zalando/go-keyring` (and so the `sail` CLI)
/// writes:
/// - Linux and the BSDs: a Secret Service item with the attributes `service`
///   and `username` (and no `target`, which `keyring`'s own items have);
/// - macOS: the generic password of service and account, decoded as above;
/// - Windows: the generic credential `{service}:{user}`, whose blob is UTF-8
///   (not the UTF-16 `keyring` writes).
#[cfg(feature = "keyring")]
pub(crate) struct OsKeyring;

#[cfg(feature = "keyring")]
impl SecretStore for OsKeyring {
    fn get(&self, service: &str, user: &str) -> Result<Option<String>, String> {
        // The Secret Service backend runs on tokio and must not be called from
        // a thread of a runtime (keyring's docs), which `from_env` often is.
        std::thread::scope(|scope| scope.spawn(|| os_lookup(service, user)).join())
            .unwrap_or_else(|_| Err("the keyring lookup panicked".to_owned()))
    }
}

#[cfg(feature = "keyring")]
fn os_lookup(service: &str, user: &str) -> Result<Option<String>, String> {
    let entry = os_entry(service, user)?;
    match entry.get_secret() {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| "the entry is not UTF-8".to_owned()),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(keyring::Error::Ambiguous(found)) => Err(format!("{} entries match", found.len())),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(all(
    feature = "keyring",
    any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")
))]
fn os_entry(service: &str, user: &str) -> Result<keyring::Entry, String> {
    let credential = keyring::secret_service::SsCredential::new_with_no_target(service, user)
        .map_err(|e| e.to_string())?;
    Ok(keyring::Entry::new_with_credential(Box::new(credential)))
}

#[cfg(all(feature = "keyring", target_os = "macos"))]
fn os_entry(service: &str, user: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(service, user).map_err(|e| e.to_string())
}

#[cfg(all(feature = "keyring", target_os = "windows"))]
fn os_entry(service: &str, user: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new_with_target(&format!("{service}:{user}"), service, user)
        .map_err(|e| e.to_string())
}

#[cfg(all(
    feature = "keyring",
    not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "macos",
        target_os = "windows"
    ))
))]
fn os_entry(_service: &str, _user: &str) -> Result<keyring::Entry, String> {
    Err("no OS keyring on this platform".to_owned())
}

/// What this SDK reads of the `sail` CLI's `config.yaml` (written by viper:
/// block mappings of lower-case keys, scalars plain or quoted).
#[derive(Debug, Default)]
struct CliConfig {
    active: Option<String>,
    /// `(environment, baseurl)` pairs under `environments`.
    environments: Vec<(String, String)>,
}

impl CliConfig {
    /// Reads the block mappings of `text`; anything else (lists, flow
    /// collections, multi-line scalars) is skipped, never an error.
    fn parse(text: &str) -> CliConfig {
        let mut out = CliConfig::default();
        // The keys of the enclosing mappings, with their indentation.
        let mut stack: Vec<(usize, String)> = Vec::new();
        for line in text.lines() {
            let content = line.trim_end();
            let trimmed = content.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
                continue;
            }
            let indent = content.len() - trimmed.len();
            let Some((key, value)) = trimmed.split_once(':') else {
                continue;
            };
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            let key = unquote(key.trim()).to_ascii_lowercase();
            let value = strip_comment(value.trim());
            if value.is_empty() {
                stack.push((indent, key));
                continue;
            }
            let value = unquote(value).to_owned();
            let path: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
            match (path.as_slice(), key.as_str()) {
                ([], "activeenvironment") => out.active = Some(value),
                (["environments", env], "baseurl") => {
                    out.environments.push(((*env).to_owned(), value))
                }
                _ => {}
            }
        }
        out
    }

    fn base_url(&self, environment: &str) -> Option<String> {
        let environment = environment.to_ascii_lowercase();
        self.environments
            .iter()
            .find(|(name, _)| *name == environment)
            .map(|(_, url)| url.clone())
    }
}

fn strip_comment(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(rest) = value.strip_prefix(q) {
            return match rest.find(q) {
                Some(end) => &value[..end + 2],
                None => value,
            };
        }
    }
    match value.find(" #") {
        Some(at) => value[..at].trim_end(),
        None => value,
    }
}

fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A fresh directory under the system temp dir, unique per call.
    fn temp_dir(label: &str) -> PathBuf {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sailpoint-config-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    const CLI_YAML: &str = "\
activeenvironment: acme
authtype: pat
debug: false
environments:
    acme:
        baseurl: https://acme.api.identitynow.com
        tenanturl: https://acme.identitynow.com
        pat:
            accesstoken: \"\"
    other:
        baseurl: 'https://other.api.identitynow.com'
";

    fn home_with_cli_config(yaml: &str) -> PathBuf {
        let home = temp_dir("home");
        std::fs::create_dir_all(home.join(".sailpoint")).unwrap();
        std::fs::write(home.join(".sailpoint/config.yaml"), yaml).unwrap();
        home
    }

    #[test]
    fn cli_config_gives_the_active_environments_base_url() {
        let home = home_with_cli_config(CLI_YAML);
        let env = env_of(&[("SAIL_CLIENT_ID", "id"), ("SAIL_CLIENT_SECRET", "s")]);
        let r = resolve(&Sources {
            env: &env,
            cwd: Some(temp_dir("cwd")),
            home: Some(home),
            keyring: None,
        })
        .unwrap();
        assert_eq!(r.base_url, "https://acme.api.identitynow.com");
        assert_eq!(
            (r.client_id.as_str(), r.client_secret.as_str()),
            ("id", "s")
        );
    }

    #[test]
    fn env_wins_over_config_json_which_wins_over_the_cli_config() {
        let home = home_with_cli_config(CLI_YAML);
        let cwd = temp_dir("cwd");
        std::fs::write(
            cwd.join("config.json"),
            r#"{"BaseURL": "https://json.api.identitynow.com", "ClientId": "json-id", "ClientSecret": "json-secret"}"#,
        )
        .unwrap();
        let env = env_of(&[("SAIL_CLIENT_ID", "env-id")]);
        let r = resolve(&Sources {
            env: &env,
            cwd: Some(cwd.clone()),
            home: Some(home.clone()),
            keyring: None,
        })
        .unwrap();
        assert_eq!(r.base_url, "https://json.api.identitynow.com");
        assert_eq!(r.client_id, "env-id");
        assert_eq!(r.client_secret, "json-secret");

        let env = env_of(&[("SAIL_BASE_URL", "https://env.example")]);
        let r = resolve(&Sources {
            env: &env,
            cwd: Some(cwd),
            home: Some(home),
            keyring: None,
        })
        .unwrap();
        assert_eq!(r.base_url, "https://env.example");
    }

    #[test]
    fn the_error_names_what_is_missing_and_every_place_looked() {
        let home = home_with_cli_config(
            "activeenvironment: nowhere\nenvironments:\n  acme:\n    baseurl: x\n",
        );
        let cwd = temp_dir("cwd");
        let env = env_of(&[("SAIL_CLIENT_ID", "id")]);
        let err = resolve(&Sources {
            env: &env,
            cwd: Some(cwd.clone()),
            home: Some(home.clone()),
            keyring: None,
        })
        .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, ConfigError::NotConfigured { missing, .. } if missing == &["base URL", "client secret"]),
            "{err:?}"
        );
        for expected in [
            "base URL, client secret",
            "SAIL_BASE_URL",
            &format!("{} (not found)", cwd.join("config.json").display()),
            "environment `nowhere` has no baseurl",
            "keyring",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
    }

    #[test]
    fn no_home_and_no_files_are_reported_not_fatal() {
        let env = env_of(&[
            ("SAIL_BASE_URL", "https://acme.api.identitynow.com"),
            ("SAIL_CLIENT_ID", "id"),
            ("SAIL_CLIENT_SECRET", "s"),
            ("SAIL_EXPERIMENTAL", "yes"),
        ]);
        let r = resolve(&Sources {
            env: &env,
            cwd: None,
            home: None,
            keyring: None,
        })
        .unwrap();
        assert!(r.experimental);
        let env = env_of(&[]);
        let text = resolve(&Sources {
            env: &env,
            cwd: None,
            home: None,
            keyring: None,
        })
        .unwrap_err()
        .to_string();
        assert!(text.contains("HOME is not set"), "{text}");
        assert!(
            text.contains("base URL, client id, client secret"),
            "{text}"
        );
    }

    #[test]
    fn a_malformed_config_json_is_an_error_naming_the_file() {
        let cwd = temp_dir("cwd");
        std::fs::write(cwd.join("config.json"), "{ not json").unwrap();
        let env = env_of(&[]);
        let err = resolve(&Sources {
            env: &env,
            cwd: Some(cwd.clone()),
            home: None,
            keyring: None,
        })
        .unwrap_err();
        assert!(
            matches!(&err, ConfigError::ParseFile { path, .. } if path == &cwd.join("config.json")),
            "{err:?}"
        );
    }

    #[test]
    fn cli_yaml_reader_handles_quotes_comments_and_case() {
        let cli = CliConfig::parse(
            "# comment\nActiveEnvironment: \"Prod\" # trailing\nenvironments:\n  prod:\n    baseurl: https://p.example # note\n    oauth:\n      baseurl: wrong\n",
        );
        assert_eq!(cli.active.as_deref(), Some("Prod"));
        assert_eq!(cli.base_url("Prod").as_deref(), Some("https://p.example"));
        assert_eq!(
            CliConfig::parse(CLI_YAML).base_url("other").as_deref(),
            Some("https://other.api.identitynow.com")
        );
    }
    /// An in-process keyring: `(service, user) -> secret or failure`, and
    /// every lookup made.
    #[derive(Default)]
    struct MapStore {
        entries: HashMap<(String, String), Result<String, String>>,
        asked: std::cell::RefCell<Vec<(String, String)>>,
    }

    impl MapStore {
        fn with(mut self, service: &str, user: &str, value: Result<&str, &str>) -> Self {
            self.entries.insert(
                (service.to_owned(), user.to_owned()),
                value.map(str::to_owned).map_err(str::to_owned),
            );
            self
        }

        fn asked(&self) -> Vec<(String, String)> {
            self.asked.borrow().clone()
        }
    }

    impl SecretStore for MapStore {
        fn get(&self, service: &str, user: &str) -> Result<Option<String>, String> {
            self.asked
                .borrow_mut()
                .push((service.to_owned(), user.to_owned()));
            self.entries
                .get(&(service.to_owned(), user.to_owned()))
                .cloned()
                .transpose()
        }
    }

    fn pair(service: &str, user: &str) -> (String, String) {
        (service.to_owned(), user.to_owned())
    }

    #[test]
    fn keyring_gives_the_pat_credentials_of_the_cli_active_environment() {
        // The CLI lower-cases the environment's name for its keyring user.
        let home = home_with_cli_config(
            &CLI_YAML.replace("activeenvironment: acme", "activeenvironment: Acme"),
        );
        let store = MapStore::default()
            .with(KEYRING_CLIENT_ID, "acme", Ok("kr-id"))
            .with(KEYRING_CLIENT_SECRET, "acme", Ok("kr-secret"))
            .with(KEYRING_CLIENT_ID, "other", Ok("wrong-id"))
            .with(KEYRING_CLIENT_SECRET, "other", Ok("wrong-secret"));
        let env = env_of(&[]);
        let r = resolve(&Sources {
            env: &env,
            cwd: Some(temp_dir("cwd")),
            home: Some(home),
            keyring: Some(&store),
        })
        .unwrap();
        assert_eq!(r.base_url, "https://acme.api.identitynow.com");
        assert_eq!(
            (r.client_id.as_str(), r.client_secret.as_str()),
            ("kr-id", "kr-secret")
        );
        assert_eq!(
            store.asked(),
            [
                pair("environments.pat.clientid", "acme"),
                pair("environments.pat.clientsecret", "acme")
            ]
        );
    }

    #[test]
    fn variables_and_config_json_override_the_keyring() {
        let home = home_with_cli_config(CLI_YAML);
        let store = MapStore::default()
            .with(KEYRING_CLIENT_ID, "acme", Ok("kr-id"))
            .with(KEYRING_CLIENT_SECRET, "acme", Ok("kr-secret"));

        // Both found before the keyring: it is not even asked.
        let cwd = temp_dir("cwd");
        std::fs::write(
            cwd.join("config.json"),
            r#"{"ClientSecret": "json-secret"}"#,
        )
        .unwrap();
        let env = env_of(&[("SAIL_CLIENT_ID", "env-id")]);
        let r = resolve(&Sources {
            env: &env,
            cwd: Some(cwd),
            home: Some(home.clone()),
            keyring: Some(&store),
        })
        .unwrap();
        assert_eq!(
            (r.client_id.as_str(), r.client_secret.as_str()),
            ("env-id", "json-secret")
        );
        assert!(store.asked().is_empty(), "{:?}", store.asked());

        // Only the secret is missing: only its entry is read.
        let env = env_of(&[("SAIL_CLIENT_ID", "env-id")]);
        let r = resolve(&Sources {
            env: &env,
            cwd: Some(temp_dir("cwd")),
            home: Some(home),
            keyring: Some(&store),
        })
        .unwrap();
        assert_eq!(
            (r.client_id.as_str(), r.client_secret.as_str()),
            ("env-id", "kr-secret")
        );
        assert_eq!(
            store.asked(),
            [pair("environments.pat.clientsecret", "acme")]
        );
    }

    #[test]
    fn the_error_names_the_keyring_entries_tried_and_no_secret() {
        let home = home_with_cli_config(CLI_YAML);
        let store = MapStore::default().with(KEYRING_CLIENT_ID, "acme", Ok("kr-id-value"));
        let env = env_of(&[]);
        let err = resolve(&Sources {
            env: &env,
            cwd: Some(temp_dir("cwd")),
            home: Some(home),
            keyring: Some(&store),
        })
        .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, ConfigError::NotConfigured { missing, .. } if missing == &["client secret"]),
            "{err:?}"
        );
        assert!(
            text.contains(
                "the OS keyring: service `environments.pat.clientid`, user `acme` (found); \
                 service `environments.pat.clientsecret`, user `acme` (not found)"
            ),
            "{text}"
        );
        assert!(!text.contains("kr-id-value"), "{text}");
        assert!(!format!("{err:?}").contains("kr-id-value"), "{err:?}");

        // A keyring that cannot be read is reported, not fatal.
        let store = MapStore::default()
            .with(KEYRING_CLIENT_ID, "default", Err("no D-Bus session"))
            .with(KEYRING_CLIENT_SECRET, "default", Ok("  "));
        let env = env_of(&[("SAIL_BASE_URL", "https://acme.api.identitynow.com")]);
        let text = resolve(&Sources {
            env: &env,
            cwd: None,
            home: Some(temp_dir("empty-home")),
            keyring: Some(&store),
        })
        .unwrap_err()
        .to_string();
        for expected in [
            "client id, client secret",
            "user `default` (unavailable: no D-Bus session)",
            "service `environments.pat.clientsecret`, user `default` (empty)",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
    }

    #[test]
    fn without_an_active_environment_the_cli_default_is_used() {
        let home = home_with_cli_config(
            "environments:\n  default:\n    baseurl: https://d.api.identitynow.com\n",
        );
        let store = MapStore::default()
            .with(KEYRING_CLIENT_ID, "default", Ok("d-id"))
            .with(KEYRING_CLIENT_SECRET, "default", Ok("d-secret"));
        let env = env_of(&[]);
        let r = resolve(&Sources {
            env: &env,
            cwd: None,
            home: Some(home),
            keyring: Some(&store),
        })
        .unwrap();
        assert_eq!(r.base_url, "https://d.api.identitynow.com");
        assert_eq!(
            (r.client_id.as_str(), r.client_secret.as_str()),
            ("d-id", "d-secret")
        );
    }

    #[test]
    fn go_keyring_encodings_are_decoded() {
        for (stored, expected) in [
            ("plain-secret", Ok("plain-secret")),
            ("go-keyring-base64:c2VjcmV0", Ok("secret")),
            ("go-keyring-base64:c2VjcmV0MQ==", Ok("secret1")),
            ("go-keyring-base64:c2VjcmV0MTI", Ok("secret12")),
            ("go-keyring-encoded:6c696e650a32", Ok("line\n2")),
            (
                "go-keyring-base64:c2V*",
                Err("not valid base64 after `go-keyring-base64:`"),
            ),
            (
                "go-keyring-base64:c2Vjc",
                Err("not valid base64 after `go-keyring-base64:`"),
            ),
            (
                "go-keyring-encoded:6c6",
                Err("not valid hex after `go-keyring-encoded:`"),
            ),
            (
                "go-keyring-encoded:zz",
                Err("not valid hex after `go-keyring-encoded:`"),
            ),
            ("go-keyring-base64:/w==", Err("not UTF-8 once decoded")),
        ] {
            assert_eq!(
                decode_go_keyring(stored),
                expected.map(str::to_owned).map_err(str::to_owned),
                "{stored}"
            );
        }
        // A failed decoding reaches the error, not the stored text.
        let store = MapStore::default()
            .with(
                KEYRING_CLIENT_ID,
                "default",
                Ok("go-keyring-base64:a3ItZGVjb2RlZA=="),
            )
            .with(
                KEYRING_CLIENT_SECRET,
                "default",
                Ok("go-keyring-encoded:5x"),
            );
        let env = env_of(&[("SAIL_BASE_URL", "https://acme.api.identitynow.com")]);
        let text = resolve(&Sources {
            env: &env,
            cwd: None,
            home: None,
            keyring: Some(&store),
        })
        .unwrap_err()
        .to_string();
        assert!(
            text.contains("(not valid hex after `go-keyring-encoded:`)"),
            "{text}"
        );
        assert!(
            !text.contains("kr-decoded") && !text.contains("a3ItZGVjb2RlZA"),
            "{text}"
        );
    }

    #[test]
    fn without_the_feature_the_error_says_how_to_read_the_keyring() {
        let env = env_of(&[]);
        let text = resolve(&Sources {
            env: &env,
            cwd: None,
            home: None,
            keyring: None,
        })
        .unwrap_err()
        .to_string();
        assert!(text.contains("build with the `keyring` feature"), "{text}");
    }
    /// The real OS keyring, from inside a tokio runtime as `from_env` often
    /// is: an entry nobody wrote is "not found", or the keyring is reported
    /// unavailable (CI has no desktop keyring); it never panics or hangs.
    #[cfg(feature = "keyring")]
    #[test]
    fn os_keyring_answers_from_inside_a_runtime() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let service = format!("sailpoint-sdk-test.{}", std::process::id());
        let answer = runtime.block_on(async { OsKeyring.get(&service, "nobody") });
        match answer {
            Ok(found) => assert_eq!(found, None),
            Err(why) => assert!(!why.trim().is_empty()),
        }
    }
}
