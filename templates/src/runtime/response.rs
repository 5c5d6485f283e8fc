//! Responses: the raw HTTP response that generated code decodes, and the
//! typed [`Response`] handed to users.

use std::fmt;
use std::ops::Deref;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::error::{ApiError, Error, RawError};

/// A successful, decoded response.
///
/// Dereferences to the body, so `response.field` works; [`into_body`](Self::into_body)
/// takes the body out.
#[derive(Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
    attempts: u32,
    /// A hash of the raw body, for the pager to recognise a page it has seen.
    digest: Option<u64>,
}

impl<T> Response<T> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: T, attempts: u32) -> Self {
        Response {
            status,
            headers,
            body,
            attempts,
            digest: None,
        }
    }

    /// Remembers a hash of the raw body `raw` (see [`body_digest`](Self::body_digest)).
    // @sdk if !paging
    // Only the pager reads the digest; a spec that never pages keeps it for
    // the unit tests.
    #[cfg(test)]
    // @sdk end
    pub(crate) fn with_digest_of(mut self, raw: &[u8]) -> Self {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        raw.hash(&mut hasher);
        self.digest = Some(hasher.finish());
        self
    }

    /// A hash of the raw body, when it was decoded from JSON: two responses
    /// with the same digest had (but for a 2^-64 chance) the same bytes.
    // @sdk if !paging
    #[cfg(test)]
    // @sdk end
    pub(crate) fn body_digest(&self) -> Option<u64> {
        self.digest
    }

    /// The HTTP status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// Takes the decoded body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The total number of matching items, from the `X-Total-Count` header.
    ///
    /// List operations may send it when called with `count=true`.
    /// `None` if the header is absent or not an unsigned integer.
    pub fn total_count(&self) -> Option<u64> {
        self.headers
            .get("x-total-count")?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Maps the body, keeping the status, headers and attempt count.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
            attempts: self.attempts,
            digest: self.digest,
        }
    }

    /// How many attempts this call made: HTTP requests sent or tried, token
    /// requests included (see [`RetryPolicy`](super::RetryPolicy)). 1 for a
    /// call with a cached token that was not retried; 2 for one that first
    /// fetched a token.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    // @sdk if sailpoint
    /// SailPoint's request tracking id (the `SLPT-Request-ID` header, or
    /// `X-Request-ID`), if the server sent one; errors have the same accessor,
    /// [`Error::tracking_id`]. Quote it when contacting SailPoint support.
    // @sdk else
    /// The server's request tracking id (the `SLPT-Request-ID` header, or
    /// `X-Request-ID`), if it sent one; errors have the same accessor,
    /// [`Error::tracking_id`].
    // @sdk end
    pub fn tracking_id(&self) -> Option<&str> {
        super::error::TRACKING_HEADERS
            .iter()
            .find_map(|name| self.headers.get(*name)?.to_str().ok())
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

/// An HTTP response as received, whatever its status; generated code turns it
/// into a [`Response`] or an [`Error`].
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) operation_id: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
    /// Origin and path of the request (no query), for error messages.
    pub(crate) url: Option<String>,
}

impl RawResponse {
    /// The HTTP status code as a number, for matching against the spec's codes.
    // @sdk if !operations
    // A crate without operations (a webhooks-only spec) reads no response.
    #[allow(dead_code)]
    // @sdk end
    pub(crate) fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// Decodes the body as JSON; a body that does not decode becomes [`Error::Decode`].
    pub(crate) fn json<T: DeserializeOwned, E>(self) -> Result<Response<T>, Error<E>> {
        match serde_json::from_slice::<T>(&self.body) {
            // @sdk if paging
            Ok(body) => Ok(
                Response::new(self.status, self.headers, body, self.attempts)
                    .with_digest_of(&self.body),
            ),
            // @sdk else
            Ok(body) => Ok(Response::new(
                self.status,
                self.headers,
                body,
                self.attempts,
            )),
            // @sdk end
            Err(source) => Err(Error::Decode {
                raw: self.into_raw_error(),
                source,
            }),
        }
    }

    /// A response whose body is ignored.
    // Which of these helpers generated code calls depends on the spec.
    #[allow(dead_code)]
    pub(crate) fn empty<E>(self) -> Result<Response<()>, Error<E>> {
        Ok(Response::new(self.status, self.headers, (), self.attempts))
    }

    /// The body as bytes.
    // Which of these helpers generated code calls depends on the spec.
    #[allow(dead_code)]
    pub(crate) fn bytes<E>(self) -> Result<Response<Bytes>, Error<E>> {
        Ok(Response::new(
            self.status,
            self.headers,
            self.body,
            self.attempts,
        ))
    }

    /// The body as UTF-8 text; invalid UTF-8 becomes [`Error::Decode`].
    // Which of these helpers generated code calls depends on the spec.
    #[allow(dead_code)]
    pub(crate) fn text<E>(self) -> Result<Response<String>, Error<E>> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(text) => Ok(Response::new(
                self.status,
                self.headers,
                text,
                self.attempts,
            )),
            Err(utf8) => {
                // Reuse serde_json's error type so that `Error::Decode` stays one variant.
                let source = <serde_json::Error as serde::de::Error>::custom(utf8.utf8_error());
                Err(Error::Decode {
                    raw: self.into_raw_error(),
                    source,
                })
            }
        }
    }

    /// A documented error status whose body is JSON; `variant` wraps the decoded body.
    // @sdk if !json_errors
    // A spec without JSON error bodies compiles it for the unit tests only.
    #[cfg(test)]
    // @sdk end
    pub(crate) fn error_json<T: DeserializeOwned, E>(self, variant: fn(T) -> E) -> Error<E> {
        match serde_json::from_slice(&self.body) {
            Ok(body) => Error::Api(ApiError::new(self.into_raw_error(), variant(body))),
            Err(source) => Error::Decode {
                raw: self.into_raw_error(),
                source,
            },
        }
    }

    /// A documented error status without a (decoded) body.
    // Which of these helpers generated code calls depends on the spec.
    #[allow(dead_code)]
    pub(crate) fn error_empty<E>(self, value: E) -> Error<E> {
        Error::Api(ApiError::new(self.into_raw_error(), value))
    }

    /// A documented error status whose body is text; `variant` wraps it.
    /// Invalid UTF-8 becomes [`Error::Decode`].
    #[allow(dead_code)] // Used or not depending on the spec.
    pub(crate) fn error_text<E>(self, variant: fn(String) -> E) -> Error<E> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(text) => Error::Api(ApiError::new(self.into_raw_error(), variant(text))),
            Err(utf8) => {
                let source = <serde_json::Error as serde::de::Error>::custom(utf8.utf8_error());
                Error::Decode {
                    raw: self.into_raw_error(),
                    source,
                }
            }
        }
    }

    /// A documented error status whose body is binary; `variant` wraps it.
    #[allow(dead_code)] // Used or not depending on the spec.
    pub(crate) fn error_bytes<E>(self, variant: fn(Bytes) -> E) -> Error<E> {
        let body = self.body.clone();
        Error::Api(ApiError::new(self.into_raw_error(), variant(body)))
    }

    /// A status the spec does not document.
    // @sdk if !operations
    // A crate without operations (a webhooks-only spec) reads no response.
    #[allow(dead_code)]
    // @sdk end
    pub(crate) fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus(self.into_raw_error())
    }

    pub(crate) fn into_raw_error(self) -> RawError {
        RawError::new(
            self.operation_id,
            self.status,
            self.headers,
            self.body,
            self.attempts,
        )
        .with_url(self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str) -> RawResponse {
        let mut headers = HeaderMap::new();
        headers.insert("x-total-count", "42".parse().unwrap());
        RawResponse {
            operation_id: "getThing",
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Bytes::from(body.to_owned()),
            attempts: 2,
            url: Some("https://acme.example/v2025/things/1".to_owned()),
        }
    }

    #[test]
    fn json_decodes_and_keeps_metadata() {
        let resp: Response<Vec<u32>> = raw(200, "[1,2]").json::<_, ()>().unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.total_count(), Some(42));
        assert_eq!(resp.attempts(), 2);
        assert_eq!(resp.len(), 2, "Deref reaches the body");
        assert_eq!(resp.into_body(), vec![1, 2]);
    }

    #[test]
    fn undecodable_body_keeps_raw_text() {
        let err = raw(200, "<html>oops</html>")
            .json::<Vec<u32>, ()>()
            .unwrap_err();
        match &err {
            Error::Decode { raw, .. } => {
                assert_eq!(raw.text(), "<html>oops</html>");
                assert_eq!(raw.status(), StatusCode::OK);
            }
            other => panic!("expected Decode, got {other:?}"),
        }
        assert!(err.to_string().contains("<html>oops</html>"), "{err}");
    }

    #[test]
    fn error_json_wraps_typed_body() {
        #[derive(Debug, PartialEq)]
        enum OpError {
            BadRequest(serde_json::Value),
        }
        let err = raw(
            400,
            r#"{"trackingId":"t-1","messages":[{"text":"bad filter"}]}"#,
        )
        .error_json(OpError::BadRequest);
        let Error::Api(api) = &err else {
            panic!("expected Api, got {err:?}")
        };
        assert_eq!(api.status(), StatusCode::BAD_REQUEST);
        assert_eq!(api.tracking_id(), Some("t-1"));
        assert!(matches!(api.body(), OpError::BadRequest(_)));
        let shown = err.to_string();
        assert!(shown.contains("400") && shown.contains("t-1") && shown.contains("bad filter"));
    }

    #[test]
    fn text_rejects_invalid_utf8_but_keeps_bytes() {
        let resp = RawResponse {
            operation_id: "getThing",
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"\xff\xfe"),
            attempts: 1,
            url: None,
        };
        let err = resp.text::<()>().unwrap_err();
        let Error::Decode { raw, .. } = err else {
            panic!("expected Decode")
        };
        assert_eq!(&raw.bytes()[..], b"\xff\xfe");
    }

    #[test]
    fn unexpected_and_empty() {
        assert!(matches!(
            raw(418, "teapot").unexpected::<()>(),
            Error::UnexpectedStatus(_)
        ));
        assert_eq!(raw(204, "").empty::<()>().unwrap().status(), 204);
        assert_eq!(&raw(200, "ab").bytes::<()>().unwrap()[..], b"ab");
        assert_eq!(*raw(200, "ab").text::<()>().unwrap(), "ab");
        assert!(matches!(
            raw(404, "").error_empty::<&str>("nf"),
            Error::Api(_)
        ));
    }
}
