//! Cursor pagination, for lists whose next page is keyed by the last item of
//! the page before (`x-sdk-pagination: {style: cursor}` in the spec): the
//! first page is asked for without a cursor, each next one with the value
//! read from the last item received. See [`paginate_cursor`] for what ends a
//! stream.

use std::collections::{HashSet, VecDeque};
use std::future::Future;

use futures_util::stream::BoxStream;

use super::error::Error;
use super::response::Response;

/// What one page request of a cursor-paged list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CursorRequest {
    /// The cursor to send: `None` for the first page (unless the caller set
    /// one), then the value read from the last item of the previous page.
    pub(crate) cursor: Option<String>,
    /// The `limit` to send; `None` when the operation has no limit parameter.
    pub(crate) limit: Option<u32>,
}

/// How to page through a list whose next page is keyed by its last item.
#[derive(Debug, Clone)]
pub(crate) struct CursorPaging {
    pub(crate) operation_id: &'static str,
    /// The `limit` of each page (at least 1), or `None` when the operation has
    /// no limit parameter and the server decides.
    pub(crate) page_size: Option<u32>,
    /// The cursor the first page starts after, when the caller set one.
    pub(crate) start: Option<String>,
    /// The most items to yield; `None` for all of them.
    pub(crate) max_items: Option<u64>,
}

struct CursorState<T, F, C, E> {
    paging: CursorPaging,
    fetch: F,
    cursor_of: C,
    /// The cursor of the next page.
    next: Option<String>,
    /// Every cursor sent (the caller's start included): one seen again means
    /// the server went back, or ignores the cursor.
    seen: HashSet<String>,
    /// Items yielded or buffered so far.
    taken: u64,
    /// Pages received so far.
    pages: u64,
    buffer: VecDeque<T>,
    /// Yielded once the buffer is empty, then the stream ends.
    pending_error: Option<Error<E>>,
    done: bool,
}

/// Streams the items of a cursor-paged list, one page at a time: the first
/// page without a cursor (or after the caller's), each next page with the
/// cursor `cursor_of` reads from the last item of the page before.
///
/// Cursor paging is sequential by nature: a page's cursor is known only once
/// the page before has arrived, so there is no concurrency to offer.
///
/// The stream ends
/// - on an empty page: the end of the list;
/// - after `max_items` items, never asking for more than are still wanted
///   (the last page's `limit` is cut to what is left);
/// - after yielding an error: one of the call itself;
///   [`Error::RepeatedCursor`] when a page ends at a cursor already sent (a
///   server that ignores the cursor, or goes back: paging it would loop
///   forever; that page's items, already seen, are not yielded); or
///   [`Error::MissingCursor`] when the last item of a page has no cursor value
///   (after that page's items: the rest of the list cannot be asked for).
///
/// A page shorter than `limit` does **not** end the stream: servers cap pages
/// below the `limit` asked for, and stopping there would drop the rest of the
/// list without a word. The price is one request, for the empty page, at the
/// end of the list. A server that ignores `limit` must not make the stream
/// overshoot: a page is cut to its `limit`, and the next cursor is read from
/// the last item kept, so nothing is skipped.
pub(crate) fn paginate_cursor<T, E, F, Fut, C>(
    paging: CursorPaging,
    cursor_of: C,
    fetch: F,
) -> BoxStream<'static, Result<T, Error<E>>>
where
    T: Send + 'static,
    E: Send + 'static,
    C: Fn(&T) -> Option<String> + Send + 'static,
    F: FnMut(CursorRequest) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<Vec<T>>, Error<E>>> + Send + 'static,
{
    let next = paging.start.clone();
    let state = CursorState {
        seen: next.iter().cloned().collect(),
        next,
        paging,
        fetch,
        cursor_of,
        taken: 0,
        pages: 0,
        buffer: VecDeque::new(),
        pending_error: None,
        done: false,
    };
    Box::pin(futures_util::stream::unfold(
        state,
        |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                if let Some(err) = state.pending_error.take() {
                    state.done = true;
                    return Some((Err(err), state));
                }
                if state.done {
                    return None;
                }
                let left = state.paging.max_items.map(|max| max - state.taken.min(max));
                if left == Some(0) {
                    return None;
                }
                // `min` with a u32 always fits in a u32.
                let limit = state
                    .paging
                    .page_size
                    .map(|size| left.unwrap_or(u64::MAX).min(u64::from(size.max(1))) as u32);
                let request = CursorRequest {
                    cursor: state.next.clone(),
                    limit,
                };
                let page = match (state.fetch)(request).await {
                    Ok(page) => page,
                    Err(err) => {
                        state.done = true;
                        return Some((Err(err), state));
                    }
                };
                state.receive(page.into_body(), limit, left);
            }
        },
    ))
}

impl<T, F, C, E> CursorState<T, F, C, E>
where
    C: Fn(&T) -> Option<String>,
{
    /// Takes in one page, asked for with `limit` while `left` items were
    /// still wanted.
    fn receive(&mut self, mut items: Vec<T>, limit: Option<u32>, left: Option<u64>) {
        self.pages += 1;
        if items.is_empty() {
            self.done = true;
            return;
        }
        // A server that ignores `limit` must not make us overshoot; the
        // cursor is read from the last item kept, so nothing is skipped.
        if let Some(limit) = limit {
            items.truncate(limit as usize);
        }
        if let Some(left) = left {
            items.truncate(usize::try_from(left).unwrap_or(usize::MAX));
        }
        let received = items.len() as u64;
        let finished = left.is_some_and(|left| received >= left);
        if !finished {
            // `items` is not empty: truncation keeps at least one item.
            match items.last().and_then(|last| (self.cursor_of)(last)) {
                None => {
                    self.pending_error = Some(Error::MissingCursor {
                        operation_id: self.paging.operation_id,
                        page: self.pages,
                    });
                }
                Some(cursor) => {
                    if !self.seen.insert(cursor.clone()) {
                        // This page ends where an earlier one did: its items
                        // were yielded already, or the server went back.
                        self.pending_error = Some(Error::RepeatedCursor {
                            operation_id: self.paging.operation_id,
                            cursor,
                            page: self.pages,
                        });
                        self.done = true;
                        return;
                    }
                    self.next = Some(cursor);
                }
            }
        }
        self.taken += received;
        self.buffer.extend(items);
        if finished {
            self.done = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::StreamExt;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;

    use super::*;

    type Calls = Arc<Mutex<Vec<CursorRequest>>>;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("host-{i:03}")).collect()
    }

    /// A list of `all` (sorted) served after the cursor, at most `cap` per
    /// page whatever the `limit`; `ignore_cursor` serves the first page
    /// every time.
    fn serve(
        all: Vec<String>,
        cap: usize,
        ignore_cursor: bool,
        calls: Calls,
    ) -> impl FnMut(CursorRequest) -> std::future::Ready<Result<Response<Vec<String>>, Error<()>>>
    {
        move |request| {
            calls.lock().unwrap().push(request.clone());
            let after = if ignore_cursor { None } else { request.cursor };
            let page: Vec<String> = all
                .iter()
                .filter(|h| after.as_ref().is_none_or(|a| *h > a))
                .take(request.limit.map_or(cap, |l| (l as usize).min(cap)))
                .cloned()
                .collect();
            std::future::ready(Ok(Response::new(StatusCode::OK, HeaderMap::new(), page, 1)))
        }
    }

    async fn run(
        all: Vec<String>,
        cap: usize,
        ignore_cursor: bool,
        paging: CursorPaging,
    ) -> (Vec<Result<String, String>>, Vec<CursorRequest>) {
        let calls: Calls = Arc::default();
        let stream = paginate_cursor(
            paging,
            |h: &String| Some(h.clone()),
            serve(all, cap, ignore_cursor, calls.clone()),
        );
        let items = stream
            .map(|r| r.map_err(|e| format!("{e:?}")))
            .collect::<Vec<_>>()
            .await;
        let calls = calls.lock().unwrap().clone();
        (items, calls)
    }

    fn paging(page_size: Option<u32>, max_items: Option<u64>) -> CursorPaging {
        CursorPaging {
            operation_id: "listHostnames",
            page_size,
            start: None,
            max_items,
        }
    }

    fn req(cursor: Option<&str>, limit: Option<u32>) -> CursorRequest {
        CursorRequest {
            cursor: cursor.map(str::to_string),
            limit,
        }
    }

    #[tokio::test]
    async fn every_item_once_then_an_empty_page_ends_it() {
        let (items, calls) = run(names(7), 100, false, paging(Some(3), None)).await;
        let got: Vec<String> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, names(7));
        assert_eq!(
            calls,
            [
                req(None, Some(3)),
                req(Some("host-002"), Some(3)),
                req(Some("host-005"), Some(3)),
                req(Some("host-006"), Some(3)),
            ],
            "first page without a cursor, then the last item of each page; \
             the short page is followed by one more (empty) page"
        );
    }

    #[tokio::test]
    async fn a_server_that_caps_pages_loses_nothing() {
        // `limit` 10, but the server never sends more than 2 per page.
        let (items, calls) = run(names(5), 2, false, paging(Some(10), None)).await;
        let got: Vec<String> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, names(5));
        assert_eq!(calls.len(), 4, "{calls:?}");
    }

    #[tokio::test]
    async fn stops_at_max_items_and_never_asks_for_more() {
        let (items, calls) = run(names(100), 100, false, paging(Some(4), Some(6))).await;
        let got: Vec<String> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, names(6));
        assert_eq!(
            calls,
            [req(None, Some(4)), req(Some("host-003"), Some(2))],
            "the last page asks only for what is left"
        );
        let (items, calls) = run(names(10), 100, false, paging(Some(4), Some(0))).await;
        assert!(items.is_empty() && calls.is_empty());
    }

    #[tokio::test]
    async fn without_a_limit_parameter_max_items_still_holds() {
        let (items, calls) = run(names(100), 7, false, paging(None, Some(10))).await;
        let got: Vec<String> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, names(10));
        assert_eq!(calls, [req(None, None), req(Some("host-006"), None)]);
    }

    #[tokio::test]
    async fn a_server_that_ignores_the_cursor_ends_with_a_typed_error() {
        let (items, calls) = run(names(100), 3, false, paging(Some(3), None)).await;
        assert_eq!(items.len(), 100);
        assert_eq!(calls.len(), 35);
        let (items, calls) = run(names(100), 3, true, paging(Some(3), None)).await;
        assert_eq!(items.len(), 4, "one page, then the error: {items:?}");
        assert!(
            items[3].as_ref().unwrap_err().starts_with("RepeatedCursor"),
            "{items:?}"
        );
        assert_eq!(calls.len(), 2, "no third request: {calls:?}");
    }

    #[tokio::test]
    async fn a_server_that_ignores_limit_does_not_skip_items() {
        // Asks for 2 and gets the whole rest: the next cursor is the last
        // item kept, so the items cut off come with the next page.
        let calls: Calls = Arc::default();
        let log = calls.clone();
        let all = names(5);
        let stream = paginate_cursor(
            paging(Some(2), None),
            |h: &String| Some(h.clone()),
            move |request: CursorRequest| {
                log.lock().unwrap().push(request.clone());
                let page: Vec<String> = all
                    .iter()
                    .filter(|h| request.cursor.as_ref().is_none_or(|a| *h > a))
                    .cloned()
                    .collect();
                std::future::ready(Ok::<_, Error<()>>(Response::new(
                    StatusCode::OK,
                    HeaderMap::new(),
                    page,
                    1,
                )))
            },
        );
        let got: Vec<String> = stream.map(Result::unwrap).collect().await;
        assert_eq!(got, names(5));
        let cursors: Vec<Option<String>> = calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.cursor.clone())
            .collect();
        assert_eq!(
            cursors,
            [
                None,
                Some("host-001".into()),
                Some("host-003".into()),
                Some("host-004".into())
            ]
        );
    }

    #[tokio::test]
    async fn the_callers_cursor_is_where_paging_starts_and_cannot_come_back() {
        let mut p = paging(Some(2), None);
        p.start = Some("host-002".into());
        let (items, calls) = run(names(5), 10, false, p).await;
        let got: Vec<String> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, names(5)[3..]);
        assert_eq!(calls[0], req(Some("host-002"), Some(2)));
        // A server that answers the start cursor with a page ending at it.
        let mut p = paging(Some(2), None);
        p.start = Some("host-001".into());
        let (items, _) = run(names(2), 10, true, p).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert!(items[0].as_ref().unwrap_err().starts_with("RepeatedCursor"));
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Host {
        name: Option<String>,
    }

    #[tokio::test]
    async fn an_item_without_a_cursor_ends_with_a_typed_error_after_its_page() {
        let stream = paginate_cursor(
            paging(Some(2), None),
            |h: &Host| h.name.clone(),
            |_request: CursorRequest| {
                let page = vec![
                    Host {
                        name: Some("a".into()),
                    },
                    Host { name: None },
                ];
                std::future::ready(Ok::<_, Error<()>>(Response::new(
                    StatusCode::OK,
                    HeaderMap::new(),
                    page,
                    1,
                )))
            },
        );
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 3);
        assert!(items[..2].iter().all(Result::is_ok));
        assert!(matches!(
            items[2],
            Err(Error::MissingCursor { page: 1, .. })
        ));
    }

    #[tokio::test]
    async fn an_error_is_yielded_and_ends_the_stream() {
        let mut n = 0;
        let stream = paginate_cursor(
            paging(Some(2), None),
            |h: &String| Some(h.clone()),
            move |request: CursorRequest| {
                n += 1;
                let out = if n == 1 {
                    Ok(Response::new(
                        StatusCode::OK,
                        HeaderMap::new(),
                        vec!["a".to_string(), "b".to_string()],
                        1,
                    ))
                } else {
                    assert_eq!(request.cursor.as_deref(), Some("b"));
                    Err(Error::<()>::InvalidRequest {
                        operation_id: "listHostnames",
                        reason: "boom".into(),
                    })
                };
                std::future::ready(out)
            },
        );
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 3);
        assert!(matches!(items[2], Err(Error::InvalidRequest { .. })));
    }

    /// The whole way, over HTTP on loopback: the cursor and the limit go out
    /// as query parameters, the pages come back as JSON.
    #[tokio::test]
    async fn pages_a_real_server_by_cursor() {
        use super::super::{Client, Operation, Request};
        use wiremock::matchers::{method, path, query_param, query_param_is_missing};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        static LIST: Operation = Operation {
            id: "listHostnames",
            method: reqwest::Method::GET,
            path_template: "/hostnames",
            experimental: false,
        };
        let server = MockServer::start().await;
        let page = |body: &[&str]| ResponseTemplate::new(200).set_body_json(body);
        Mock::given(method("GET"))
            .and(path("/v2025/hostnames"))
            .and(query_param_is_missing("after"))
            .respond_with(page(&["a.example", "b.example"]))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2025/hostnames"))
            .and(query_param("after", "b.example"))
            .and(query_param("limit", "2"))
            .respond_with(page(&["c.example"]))
            .expect(1)
            .mount(&server)
            .await;
        // A server that goes back to the start for the last cursor.
        Mock::given(method("GET"))
            .and(path("/v2025/hostnames"))
            .and(query_param("after", "c.example"))
            .respond_with(page(&["a.example", "b.example"]))
            .expect(1)
            .mount(&server)
            .await;
        let client = Client::builder()
            .base_url(server.uri())
            .bearer_token("tok")
            .build()
            .unwrap();
        let stream = paginate_cursor(
            paging(Some(2), None),
            |h: &String| Some(h.clone()),
            move |request: CursorRequest| {
                let mut req = Request::new(&LIST, "/hostnames".to_owned());
                if let Some(cursor) = request.cursor {
                    req.query.push(("after", cursor));
                }
                if let Some(limit) = request.limit {
                    req.query.push(("limit", limit.to_string()));
                }
                client
                    .clone()
                    .send_decoded::<Vec<String>, ()>(Ok(req), |raw| raw.json())
            },
        );
        let items: Vec<_> = stream.collect().await;
        let got: Vec<&str> = items
            .iter()
            .filter_map(|r| r.as_ref().ok().map(String::as_str))
            .collect();
        assert_eq!(got, ["a.example", "b.example", "c.example"]);
        assert_eq!(items.len(), 4, "{items:?}");
        match &items[3] {
            Err(Error::RepeatedCursor { cursor, page, .. }) => {
                assert_eq!((cursor.as_str(), *page), ("b.example", 3));
            }
            other => panic!("{other:?}"),
        }
    }
}
