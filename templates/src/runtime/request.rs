//! What a generated operation hands to [`Client::execute`](super::Client):
//! the static facts about the operation and the rendered request.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

use super::options::CallOptions;
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
    /// Per-call overrides of the client's settings.
    pub options: CallOptions,
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
            options: CallOptions::default(),
        }
    }
}

/// A serialized request body and its media type.
#[derive(Debug, Clone)]
pub(crate) struct Body {
    /// The `Content-Type` header value (owned for multipart, whose boundary
    /// is chosen per request).
    pub content_type: Cow<'static, str>,
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
        let bytes = as_request(|| serde_json::to_vec(value)).map_err(Error::Serialize)?;
        Ok(Body {
            content_type: Cow::Borrowed(content_type),
            bytes: Bytes::from(bytes),
        })
    }
}

/// A file to upload in a `multipart/form-data` body.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    filename: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl FilePart {
    /// A file with the given name and contents, sent as `application/octet-stream`.
    pub fn new(filename: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FilePart {
            filename: filename.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the part's `Content-Type` (for example `image/png`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent in `Content-Disposition`.
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The contents.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The contents may be large or sensitive; show their size only.
        f.debug_struct("FilePart")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Builds a `multipart/form-data` body (RFC 7578) in memory, so that it can
/// be resent on retry.
#[derive(Debug, Default)]
#[allow(dead_code)] // Used or not depending on the spec.
pub(crate) struct Multipart {
    parts: Vec<Part>,
}

/// One part of a [`Multipart`] form.
#[derive(Debug)]
struct Part {
    /// The form field name.
    name: String,
    /// Set for file parts.
    filename: Option<String>,
    /// Set for file parts.
    content_type: Option<String>,
    bytes: Bytes,
}

#[allow(dead_code)] // Used or not depending on the spec.
impl Multipart {
    /// An empty form.
    pub(crate) fn new() -> Self {
        Multipart::default()
    }

    /// Adds a text field.
    pub(crate) fn text(&mut self, name: &str, value: String) {
        self.parts.push(Part {
            name: name.to_owned(),
            filename: None,
            content_type: None,
            bytes: Bytes::from(value),
        });
    }

    /// Adds a file field.
    pub(crate) fn file(&mut self, name: &str, file: &FilePart) {
        self.parts.push(Part {
            name: name.to_owned(),
            filename: Some(file.filename.clone()),
            content_type: Some(
                file.content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
            ),
            bytes: file.bytes.clone(),
        });
    }

    /// Encodes the form with a boundary that occurs in no part.
    pub(crate) fn into_body(self) -> Body {
        let mut boundary = new_boundary();
        while self
            .parts
            .iter()
            .any(|p| contains(&p.bytes, boundary.as_bytes()))
        {
            boundary = new_boundary();
        }
        let mut out = Vec::new();
        for Part {
            name,
            filename,
            content_type,
            bytes,
        } in &self.parts
        {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition =
                format!("Content-Disposition: form-data; name=\"{}\"", quote(name));
            if let Some(f) = filename {
                disposition.push_str(&format!("; filename=\"{}\"", quote(f)));
            }
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(b"\r\n");
            if let Some(ct) = content_type {
                out.extend_from_slice(format!("Content-Type: {}\r\n", quote(ct)).as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Body {
            content_type: Cow::Owned(format!("multipart/form-data; boundary={boundary}")),
            bytes: Bytes::from(out),
        }
    }
}

fn new_boundary() -> String {
    // @sdk if sailpoint
    let mut s = String::from("sailpoint-rs-");
    // @sdk else
    let mut s = String::from("sdk-rs-");
    // @sdk end
    for _ in 0..24 {
        s.push(char::from(b"0123456789abcdef"[fastrand::usize(..16)]));
    }
    s
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Makes a value safe inside a quoted header parameter: `"`, CR and LF
/// are percent-encoded, as browsers do for form data.
fn quote(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Renders a structured query or header value (an object or array the spec
/// gives as a parameter type) as its JSON text.
#[allow(dead_code)] // Used or not depending on the spec.
pub(crate) fn query_json<T: serde::Serialize + ?Sized, E>(value: &T) -> Result<String, Error<E>> {
    as_request(|| serde_json::to_string(value)).map_err(Error::Serialize)
}

thread_local! {
    /// Whether a request is being serialized on this thread (see
    /// [`as_request`]).
    static IN_REQUEST: Cell<bool> = const { Cell::new(false) };
}

/// Runs `serialize`, the serialization of a request body or parameter, so
/// that the models leave their read-only properties out (the spec's
/// `readOnly`: set by the server, never sent). Serialization does not
/// await, so a thread-local flag is enough; it is reset on every way out.
pub(crate) fn as_request<R>(serialize: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_REQUEST.with(|flag| flag.set(self.0));
        }
    }
    let _reset = Reset(IN_REQUEST.with(|flag| flag.replace(true)));
    serialize()
}

/// Whether a request is being serialized (see [`as_request`]).
#[allow(dead_code)] // Used or not depending on the spec.
pub(crate) fn in_request() -> bool {
    IN_REQUEST.with(Cell::get)
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
// @sdk if !path_params
// A spec without path parameters compiles it for the unit tests only.
#[cfg(test)]
// @sdk end
pub(crate) fn encode_path_segment(s: &str) -> String {
    match s {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => percent_encoding::utf8_percent_encode(s, NOT_UNRESERVED).to_string(),
    }
}

/// Encodes query pairs with the same strict set as path segments (spaces become `%20`).
pub(crate) fn encode_query<K: AsRef<str>>(pairs: &[(K, String)]) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(percent_encoding::utf8_percent_encode(
            key.as_ref(),
            NOT_UNRESERVED,
        ));
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

    #[test]
    fn multipart_body_is_well_formed() {
        let mut form = Multipart::new();
        form.text("name", "a \"quoted\" value".to_owned());
        form.file(
            "file\"x",
            &FilePart::new("r\"e\nport.csv", "a,b\n1,2\n").content_type("text/csv"),
        );
        let body = form.into_body();
        let boundary = body
            .content_type
            .strip_prefix("multipart/form-data; boundary=")
            .expect("boundary in content type")
            .to_owned();
        let text = String::from_utf8(body.bytes.to_vec()).unwrap();
        let want = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\na \"quoted\" value\r\n\
             --{b}\r\nContent-Disposition: form-data; name=\"file%22x\"; filename=\"r%22e%0Aport.csv\"\r\n\
             Content-Type: text/csv\r\n\r\na,b\n1,2\n\r\n--{b}--\r\n",
            b = boundary
        );
        assert_eq!(text, want);
        assert!(!format!("{:?}", FilePart::new("f", "secret")).contains("secret"));
    }
}
