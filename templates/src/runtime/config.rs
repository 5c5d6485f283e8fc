//! Where [`Client::from_env`](super::Client::from_env) finds its settings,
//! like SailPoint's other tools. Each setting comes from the first place that has it:
//!
//! 1. the variables `SAIL_BASE_URL`, `SAIL_CLIENT_ID`, `SAIL_CLIENT_SECRET`
//!    (and `SAIL_EXPERIMENTAL`, read from the environment only);
//! 2. `./config.json` in the current directory (`BaseURL`, `ClientId`,
//!    `ClientSecret`), as SailPoint's Python SDK reads it;
//! 3. the `sail` CLI's `~/.sailpoint/config.yaml`: the base URL is the active
//!    environment's `baseurl` (`activeenvironment`, then
//!    `environments.<name>.baseurl`).
//!
//! The CLI keeps personal-access-token credentials in the OS keyring, under the
//! services `environments.pat.clientid` and `environments.pat.clientsecret`
//! with the environment's name as the user. This SDK does not read the
//! keyring: set `SAIL_CLIENT_ID`/`SAIL_CLIENT_SECRET` (they override the
//! keyring for the CLI too) or `config.json`.
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
}

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

/// Resolves the base URL, client id and secret, and `SAIL_EXPERIMENTAL`.
/// A setting found nowhere is [`ConfigError::NotConfigured`], naming every
/// missing setting and every place looked in (with what was found there).
pub(crate) fn resolve(src: &Sources<'_>) -> Result<Resolved, ConfigError> {
    let env = |name: &str| (src.env)(name);
    let mut base = Setting {
        name: "base URL",
        value: None,
    };
    let mut id = Setting {
        name: "client id",
        value: None,
    };
    let mut secret = Setting {
        name: "client secret",
        value: None,
    };
    let mut looked = vec![
        "the environment variables SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET".to_owned(),
    ];
    base.offer(env("SAIL_BASE_URL"));
    id.offer(env("SAIL_CLIENT_ID"));
    secret.offer(env("SAIL_CLIENT_SECRET"));

    let experimental = match env("SAIL_EXPERIMENTAL").as_deref().map(str::trim) {
        None | Some("") => false,
        Some(value) => super::client::parse_bool(value).ok_or_else(|| ConfigError::InvalidEnv {
            name: "SAIL_EXPERIMENTAL",
            value: value.to_owned(),
            expected: "true or false",
        })?,
    };

    match &src.cwd {
        Some(cwd) => {
            let path = cwd.join("config.json");
            match read_optional(&path)? {
                None => looked.push(format!("{} (not found)", path.display())),
                Some(text) => {
                    let map: serde_json::Map<String, serde_json::Value> =
                        serde_json::from_str(&text).map_err(|source| ConfigError::ParseFile {
                            path: path.clone(),
                            source,
                        })?;
                    let get = |key: &str| map.get(key).and_then(|v| v.as_str()).map(str::to_owned);
                    base.offer(get("BaseURL"));
                    id.offer(get("ClientId"));
                    secret.offer(get("ClientSecret"));
                    looked.push(format!(
                        "{} (keys BaseURL, ClientId, ClientSecret)",
                        path.display()
                    ));
                }
            }
        }
        None => looked.push("./config.json (no current directory)".to_owned()),
    }

    match &src.home {
        Some(home) => {
            let path = home.join(".sailpoint").join("config.yaml");
            match read_optional(&path)? {
                None => looked.push(format!("{} (not found)", path.display())),
                Some(text) => {
                    let cli = CliConfig::parse(&text);
                    match cli.active.as_deref() {
                        None => looked.push(format!("{} (no activeenvironment)", path.display())),
                        Some(active) => {
                            let url = cli.base_url(active);
                            if url.is_none() {
                                looked.push(format!(
                                    "{} (environment `{active}` has no baseurl)",
                                    path.display()
                                ));
                            } else {
                                looked.push(format!(
                                    "{} (environment `{active}`: baseurl only)",
                                    path.display()
                                ));
                            }
                            base.offer(url);
                        }
                    }
                }
            }
        }
        None => looked.push("~/.sailpoint/config.yaml (HOME is not set)".to_owned()),
    }
    looked.push("not the OS keyring (this SDK does not read it)".to_owned());

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
        })
        .unwrap();
        assert!(r.experimental);
        let env = env_of(&[]);
        let text = resolve(&Sources {
            env: &env,
            cwd: None,
            home: None,
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
}
