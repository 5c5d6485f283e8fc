//! Defences against a hostile or broken server: redirects are refused rather
//! than followed, response bodies are read up to a limit, and secrets the token
//! endpoint echoes back are redacted before they are stored in an error.

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;

/// The default of [`ClientBuilder::max_response_body`](super::ClientBuilder::max_response_body):
/// 16 MiB. A full page of 250 typical objects is well under 2 MiB, so this
/// leaves room for large objects while keeping what a hostile or broken server
/// can make the client buffer small.
pub(crate) const DEFAULT_MAX_RESPONSE_BODY: u64 = 16 * 1024 * 1024;

/// How much of a response that is thrown away (before a retry) is read, so that
/// its connection can be reused; a longer body closes the connection instead.
const DISCARD_LIMIT: u64 = 64 * 1024;

/// The longest `Location` kept in an error.
const MAX_LOCATION_CHARS: usize = 512;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is longer than the limit (by `Content-Length`, or while it streamed in).
    TooLarge,
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

/// Reads the body of `resp`, failing as soon as it exceeds `limit` bytes: a
/// `Content-Length` above the limit fails before anything is read, and a body
/// without one is never buffered beyond the limit.
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    limit: u64,
) -> Result<Bytes, BodyError> {
    if resp.content_length().is_some_and(|len| len > limit) {
        return Err(BodyError::TooLarge);
    }
    let capacity = resp.content_length().unwrap_or(0).min(limit);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Reads and drops a small body so that the connection can be reused; a large
/// one is dropped unread, which closes the connection.
pub(crate) async fn discard(resp: reqwest::Response) {
    let _ = read_limited(resp, DISCARD_LIMIT).await;
}

/// A redirect the client refused to follow, or one that a user-supplied HTTP
/// client followed on its own.
#[derive(Debug, Clone)]
pub(crate) struct Redirect {
    /// The 3xx status, or the final status when the HTTP client followed it.
    pub(crate) status: StatusCode,
    /// Where it pointed (see [`location_of`]), or the URL the answer came from.
    pub(crate) location: Option<String>,
}

/// Whether `resp`, the answer to a request for `sent`, is a redirect: a 3xx
/// status, or an answer that came from another URL (the HTTP client followed a
/// redirect itself). Either way it must not be taken as the answer.
pub(crate) fn redirect_of(resp: &reqwest::Response, sent: &url::Url) -> Option<Redirect> {
    if resp.status().is_redirection() {
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| location_of(&String::from_utf8_lossy(value.as_bytes()), sent));
        return Some(Redirect {
            status: resp.status(),
            location,
        });
    }
    if resp.url() != sent {
        return Some(Redirect {
            status: resp.status(),
            location: Some(safe_url(resp.url())),
        });
    }
    None
}

/// A `Location` header value made safe to show: resolved against the request
/// URL, without user info, query or fragment (which may carry credentials or
/// tokens), and cut to a bounded length.
pub(crate) fn location_of(value: &str, base: &url::Url) -> String {
    match base.join(value.trim()) {
        Ok(url) => safe_url(&url),
        Err(_) => {
            let cut = value.split(['?', '#']).next().unwrap_or_default();
            let cleaned: String = cut.chars().filter(|c| !c.is_control()).collect();
            shorten(cleaned)
        }
    }
}

fn safe_url(url: &url::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let had_query = url.query().is_some();
    url.set_query(None);
    url.set_fragment(None);
    let mut text = url.to_string();
    if had_query {
        text.push_str("?[query removed]");
    }
    shorten(text)
}

fn shorten(text: String) -> String {
    if text.chars().count() <= MAX_LOCATION_CHARS {
        return text;
    }
    let mut cut: String = text.chars().take(MAX_LOCATION_CHARS).collect();
    cut.push_str("...");
    cut
}

/// What replaces a secret in a stored error.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Keys whose values are always redacted, in form (`key=value`) and JSON
/// (`"key":"value"`) spellings, whatever the value is.
const SECRET_KEYS: [&str; 4] = ["client_secret", "access_token", "refresh_token", "id_token"];

/// Removes known secrets from text a server sent back: every spelling of each
/// secret a server may echo (as is, form- or percent-encoded with either hex
/// case, JSON- or HTML-escaped), and the value of any `client_secret`,
/// `access_token`, `refresh_token` or `id_token` field.
#[derive(Default)]
pub(crate) struct Redactor {
    /// Longest first, so that an encoded spelling is replaced whole.
    needles: Vec<String>,
}

impl Redactor {
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
        let mut needles = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            let percent = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
            let json = serde_json::to_string(secret).unwrap_or_default();
            let json = json.trim_matches('"').to_owned();
            let html = secret
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;");
            for spelling in [secret.to_owned(), form, percent, json, html] {
                needles.push(lower_hex(&spelling));
                needles.push(spelling);
            }
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.dedup();
        Redactor { needles }
    }

    /// `text` without any secret.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), REDACTED);
            }
        }
        redact_secret_fields(&out)
    }
}

/// `%2F` -> `%2f`: the same percent-encoding with lowercase hex digits.
fn lower_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                if let Some(&h) = chars.peek() {
                    if h.is_ascii_hexdigit() {
                        out.push(h.to_ascii_lowercase());
                        chars.next();
                    }
                }
            }
        }
    }
    out
}

/// Replaces the value of every [`SECRET_KEYS`] field: `key=value` up to `&` or
/// whitespace, and `"key": "value"` up to the closing quote.
fn redact_secret_fields(text: &str) -> String {
    let mut out = text.to_owned();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(found) = out[from..].find(key) {
            let key_end = from + found + key.len();
            let rest = &out[key_end..];
            // `key=value` (a form or query) or `key": "value"` (JSON), with any
            // escaped quote before the colon (`key\": \"value\"`).
            let value_start = if let Some(after) = rest.strip_prefix('=') {
                Some((key_end + rest.len() - after.len(), false))
            } else {
                let trimmed = rest.trim_start_matches(['"', '\\', '\'']);
                let trimmed = trimmed.trim_start();
                trimmed.strip_prefix(':').map(|after| {
                    let after_ws = after.trim_start();
                    let quote_len =
                        after_ws.len() - after_ws.trim_start_matches(['\\', '"', '\'']).len();
                    let start = key_end + rest.len() - after_ws.len() + quote_len;
                    (start, true)
                })
            };
            let Some((start, json)) = value_start else {
                from = key_end;
                continue;
            };
            let end = out[start..]
                .find(|c: char| {
                    if json {
                        matches!(c, '"' | '\'' | '\\' | ',' | '}' | '<') || c.is_whitespace()
                    } else {
                        matches!(c, '&' | '"' | '\'' | '<' | ';') || c.is_whitespace()
                    }
                })
                .map_or(out.len(), |i| start + i);
            if end > start {
                if &out[start..end] != REDACTED {
                    out.replace_range(start..end, REDACTED);
                }
                from = start + REDACTED.len();
            } else {
                from = start;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr&t/+ é\"x";

    #[test]
    fn every_spelling_of_a_secret_is_redacted() {
        let redactor = Redactor::new([SECRET]);
        let form: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let percent =
            percent_encoding::utf8_percent_encode(SECRET, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let json = serde_json::to_string(SECRET).unwrap();
        let spellings = [
            SECRET.to_owned(),
            form.clone(),
            percent.clone(),
            percent.to_lowercase(),
            json.trim_matches('"').to_owned(),
            "s3cr&amp;t/+ é&quot;x".to_owned(),
        ];
        for spelling in spellings {
            let text = format!("echo: [{spelling}] end");
            let redacted = redactor.redact(&text);
            assert_eq!(redacted, "echo: [[REDACTED]] end", "{spelling}");
        }
    }

    #[test]
    fn secret_fields_are_redacted_whatever_their_value() {
        let redactor = Redactor::default();
        let cases = [
            (
                "grant_type=client_credentials&client_id=x&client_secret=other&y=1",
                "grant_type=client_credentials&client_id=x&client_secret=[REDACTED]&y=1",
            ),
            (
                r#"{"access_token": "abc.def", "x": 1}"#,
                r#"{"access_token": "[REDACTED]", "x": 1}"#,
            ),
            (
                r#"{"error_description":"bad {\"client_secret\":\"zz\"}"}"#,
                r#"{"error_description":"bad {\"client_secret\":\"[REDACTED]\"}"}"#,
            ),
            ("no secrets here", "no secrets here"),
            ("client_secret", "client_secret"),
        ];
        for (text, expected) in cases {
            assert_eq!(redactor.redact(text), expected, "{text}");
        }
    }

    #[test]
    fn locations_lose_user_info_query_and_fragment() {
        let base = url::Url::parse("http://127.0.0.1:1/v2025/things").unwrap();
        assert_eq!(
            location_of("https://u:p@evil.example/x?token=abc#f", &base),
            "https://evil.example/x?[query removed]"
        );
        assert_eq!(location_of("/other", &base), "http://127.0.0.1:1/other");
        assert!(location_of(&"a".repeat(2000), &base).len() < 600);
    }
}
