//! What a generated operation hands to [`Client::execute`](super::Client):
//! the static facts about the operation and the rendered request.

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use super::Error;

/// Static facts about one operation; the generator emits one `static` per operation.
#[derive(Debug)]
pub(crate) struct Operation {
    /// The wire `operationId`, e.g. `"listMachineIdentities"`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The path as written in the spec, e.g. `"/machine-identities/{id}"`.
    pub path_template: &'static str,
    /// Whether the operation needs the client's experimental opt-in.
    pub experimental: bool,
}

/// One request, rendered by generated code and sent by `Client::execute`.
#[derive(Debug)]
pub(crate) struct Request {
    /// The operation this request belongs to.
    pub op: &'static Operation,
    /// The rendered path without the API prefix; segments already percent-encoded.
    pub path: String,
    /// Query parameters in spec order; arrays are repeated keys. Not yet encoded.
    pub query: Vec<(&'static str, String)>,
    /// Header parameters from the spec (never the experimental header).
    pub headers: Vec<(&'static str, String)>,
    /// The `Accept` header, if the operation declares a response media type.
    pub accept: Option<&'static str>,
    /// The request body, if any.
    pub body: Option<Body>,
}

impl Request {
    /// A request for `op` at `path` with no query, headers or body.
    pub(crate) fn new(op: &'static Operation, path: String) -> Self {
        Request {
            op,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            accept: None,
            body: None,
        }
    }
}

/// A serialized request body and its media type.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    /// The `Content-Type` header value.
    pub content_type: &'static str,
    /// The encoded body; cheap to clone for retries.
    pub bytes: Bytes,
}

impl Body {
    /// Serializes `value` as JSON.
    #[allow(dead_code)] // Used or not depending on the spec.
    pub(crate) fn json<T: serde::Serialize + ?Sized, E>(
        content_type: &'static str,
        value: &T,
    ) -> Result<Body, Error<E>> {
        let bytes = serde_json::to_vec(value).map_err(Error::Serialize)?;
        Ok(Body {
            content_type,
            bytes: Bytes::from(bytes),
        })
    }
}

/// Renders a structured query or header value (an object or array the spec
/// gives as a parameter type) as its JSON text.
#[allow(dead_code)] // Used or not depending on the spec.
pub(crate) fn query_json<T: serde::Serialize + ?Sized, E>(value: &T) -> Result<String, Error<E>> {
    serde_json::to_string(value).map_err(Error::Serialize)
}

/// Everything but the RFC 3986 unreserved characters `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
pub(crate) const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment.
///
/// Everything but RFC 3986 unreserved characters is encoded, so `"../x"`
/// becomes `"..%2Fx"`, and `"."` / `".."` alone become `"%2E"` / `"%2E%2E"`.
/// URL parsers still treat `%2E%2E` as a dot segment, so `Client::execute`
/// refuses any request whose path would be rewritten that way.
pub(crate) fn encode_path_segment(s: &str) -> String {
    match s {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => percent_encoding::utf8_percent_encode(s, NOT_UNRESERVED).to_string(),
    }
}

/// Encodes query pairs with the same strict set as path segments (spaces become `%20`).
pub(crate) fn encode_query(pairs: &[(&'static str, String)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(percent_encoding::utf8_percent_encode(key, NOT_UNRESERVED));
        out.push('=');
        out.extend(percent_encoding::utf8_percent_encode(value, NOT_UNRESERVED));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(encode_path_segment(input), expected, "input: {input:?}");
    }

    #[test]
    fn path_segment_encoding_table() {
        check("abc", "abc");
        check("A-Z_a.z~09", "A-Z_a.z~09");
        check("", "");
        check(".", "%2E");
        check("..", "%2E%2E");
        check("...", "...");
        check("../x", "..%2Fx");
        check("a/b", "a%2Fb");
        check("a b", "a%20b");
        check("a+b", "a%2Bb");
        check("a?b#c", "a%3Fb%23c");
        check("a%2Fb", "a%252Fb");
        check("x;y=z,w", "x%3By%3Dz%2Cw");
        check("ünï", "%C3%BCn%C3%AF");
        check("@:!$&'()*", "%40%3A%21%24%26%27%28%29%2A");
    }

    #[test]
    fn query_pairs_are_strictly_encoded_in_order() {
        let pairs = vec![
            ("filters", r#"name eq "a&b""#.to_owned()),
            ("ids", "1".to_owned()),
            ("ids", "2+3".to_owned()),
        ];
        assert_eq!(
            encode_query(&pairs),
            "filters=name%20eq%20%22a%26b%22&ids=1&ids=2%2B3"
        );
    }

    #[test]
    fn json_body_serializes() {
        let body = Body::json::<_, ()>("application/json", &serde_json::json!({"a": 1})).unwrap();
        assert_eq!(body.content_type, "application/json");
        assert_eq!(&body.bytes[..], br#"{"a":1}"#);
    }
}
