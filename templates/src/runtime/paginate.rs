//! Offset pagination for list operations that take `limit` and `offset`
//! (cursor paging is `cursor.rs`).
//!
//! What ends a stream is what the data says, never a guess:
//!
//! - an empty page: the end of the list;
//! - `X-Total-Count` (sent when the call asked for `count=true`): once the
//!   offset reaches it, no further page is requested;
//! - `max_items` items yielded;
//! - an error, yielded as the last item. Besides errors of the call itself,
//!   [`Error::RepeatedPage`] when a page is byte for byte a page already
//!   received at another offset (a server that ignores `offset` would otherwise
//!   be paged forever), and [`Error::OffsetOverflow`] when the next offset is
//!   larger than the `offset` parameter allows (it cannot be sent, and sending
//!   a smaller one would fetch a page again).
//!
//! A page shorter than `limit` does **not** end the stream: servers cap the
//! page size below the `limit` asked for (some APIs cap some lists), so a
//! short page says nothing about the end. The price is one more request, for
//! the empty page, at the end of a list; asking for `count=true` saves it.
//!
//! Pages may be fetched several at a time ([`paginate_with`]); items still
//! come out in order, each once. What ends the stream is the same; a short
//! page is checked by the page after it (empty: the end; not empty: the server
//! caps pages, and paging restarts where the short page ended, with its size).

use std::collections::{HashMap, VecDeque};
use std::future::Future;

use futures_util::stream::{BoxStream, FuturesOrdered};
use futures_util::StreamExt;

use super::error::Error;
use super::response::Response;

/// What one page request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) offset: u64,
    pub(crate) limit: u32,
    /// Whether to ask for `X-Total-Count` (`count=true`).
    pub(crate) count: bool,
}

/// How to page through one list operation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub(crate) operation_id: &'static str,
    /// The `limit` of each page (at least 1); lowered to the server's own cap
    /// when a page comes back shorter than asked.
    pub(crate) page_size: u32,
    pub(crate) start_offset: u64,
    /// The most items to yield; `None` for all of them.
    pub(crate) max_items: Option<u64>,
    /// The largest offset the `offset` parameter allows.
    pub(crate) max_offset: u64,
    /// Page requests in flight at once (at least 1).
    pub(crate) concurrency: usize,
    /// Whether the operation can be asked for `X-Total-Count`.
    pub(crate) can_count: bool,
}

/// A page shorter than its `limit`: the end of the list, or a server that caps
/// pages below `limit`. The next page tells which.
#[derive(Debug, Clone, Copy)]
struct Short {
    /// Where the short page ended.
    resume_at: u64,
    /// How many items it had.
    size: u32,
}

struct State<T, F, Fut: Future> {
    paging: Paging,
    fetch: F,
    page_size: u32,
    /// The offset of the next page to request.
    next_offset: u64,
    /// No page at or past this offset is requested: `start + max_items`, and
    /// `X-Total-Count` once known.
    end: Option<u64>,
    /// The pages in flight, in offset order, and what each asked for.
    in_flight: FuturesOrdered<Fut>,
    requests: VecDeque<PageRequest>,
    /// The first page asked for `count=true`; the others wait for its total.
    awaiting_total: bool,
    /// A page came back shorter than asked, and not at a known end.
    short: Option<Short>,
    buffer: VecDeque<T>,
    /// The digest of each non-empty page received, and its offset.
    seen: HashMap<u64, u64>,
    done: bool,
}

impl<T, E, F, Fut> State<T, F, Fut>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = Result<Response<Vec<T>>, Error<E>>>,
{
    /// Requests pages until `concurrency` are in flight, the end is reached,
    /// or the next offset cannot be sent. While a total or a short page is
    /// awaiting the next answer, one page at a time.
    fn schedule(&mut self) {
        let most = if self.awaiting_total || self.short.is_some() {
            1
        } else {
            self.paging.concurrency.max(1)
        };
        while self.in_flight.len() < most {
            let offset = self.next_offset;
            if offset > self.paging.max_offset || self.end.is_some_and(|end| offset >= end) {
                return;
            }
            let left = self.end.map_or(u64::MAX, |end| end - offset);
            // `min` with a u32 always fits in a u32.
            let limit = left.min(u64::from(self.page_size)) as u32;
            // With one page at a time the total saves nothing but the final
            // empty page; with several it tells how many pages to ask for.
            let count =
                self.paging.can_count && self.paging.concurrency > 1 && self.seen.is_empty();
            let request = PageRequest {
                offset,
                limit,
                count,
            };
            self.in_flight.push_back((self.fetch)(request));
            self.requests.push_back(request);
            self.next_offset = offset.saturating_add(u64::from(limit));
            if count {
                self.awaiting_total = true;
                return;
            }
        }
    }

    /// Cancels the pages in flight (dropping a request cancels it).
    fn cancel_in_flight(&mut self) {
        self.in_flight = FuturesOrdered::new();
        self.requests.clear();
    }

    /// Takes in the page that answered `request`.
    fn receive(&mut self, request: PageRequest, page: Response<Vec<T>>) -> Result<(), Error<E>> {
        self.awaiting_total = false;
        let after_short = self.short.take();
        let total = page.total_count();
        let digest = page.body_digest();
        let mut items = page.into_body();
        if items.is_empty() {
            self.done = true;
            return Ok(());
        }
        if let Some(short) = after_short {
            if request.offset != short.resume_at {
                // The page after a short one has items: the server caps its
                // pages, and this page (and any after it) started past the
                // items the short page left out. Ask again from there, with
                // the server's page size.
                self.cancel_in_flight();
                self.page_size = short.size.max(1);
                self.next_offset = short.resume_at;
                return Ok(());
            }
        }
        if let Some(digest) = digest {
            if let Some(&first_offset) = self.seen.get(&digest) {
                return Err(Error::RepeatedPage {
                    operation_id: self.paging.operation_id,
                    offset: request.offset,
                    first_offset,
                });
            }
            self.seen.insert(digest, request.offset);
        }
        // A server that ignores `limit` must not make us overshoot.
        items.truncate(request.limit as usize);
        let received = items.len() as u64;
        self.buffer.extend(items);
        let reached = request.offset.saturating_add(received);
        if let Some(total) = total {
            self.end = Some(self.end.map_or(total, |end| end.min(total)));
        }
        if self.end.is_some_and(|end| reached >= end) {
            self.done = true;
        } else if received < u64::from(request.limit) {
            // The end, or a server that caps pages: the next page tells. With
            // no page in flight, that is a page from here; otherwise the
            // first page in flight.
            if self.in_flight.is_empty() {
                self.next_offset = reached;
            }
            self.short = Some(Short {
                resume_at: reached,
                // `received` is below a u32 `limit`.
                size: received as u32,
            });
        }
        Ok(())
    }
}

/// Streams the items of a list operation page by page, one page at a time
/// (see [`paginate_with`]); the unit tests' shorthand.
#[cfg(test)]
pub(crate) fn paginate<T, E, F, Fut>(
    operation_id: &'static str,
    page_size: u32,
    start_offset: u64,
    max_items: Option<u64>,
    max_offset: u64,
    mut fetch: F,
) -> BoxStream<'static, Result<T, Error<E>>>
where
    T: Send + 'static,
    E: Send + 'static,
    F: FnMut(u64, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<Vec<T>>, Error<E>>> + Send + 'static,
{
    let paging = Paging {
        operation_id,
        page_size,
        start_offset,
        max_items,
        max_offset,
        concurrency: 1,
        can_count: false,
    };
    paginate_with(paging, move |request: PageRequest| {
        fetch(request.offset, request.limit)
    })
}

/// Streams the items of a list operation, with up to `paging.concurrency`
/// page requests in flight.
///
/// `fetch` sends one page request. Items come out in order, each once, and
/// never more than `max_items`: the last page's `limit` is cut to what is still
/// wanted. The stream ends as the module documentation says: on an empty page,
/// at `X-Total-Count`, after `max_items` items, or after yielding an error,
/// including [`Error::RepeatedPage`] and [`Error::OffsetOverflow`] (no offset
/// above `max_offset` is ever requested).
///
/// With several pages in flight, the pages past the end are wasted requests,
/// at most `concurrency - 1`; where the operation can count, the first page
/// asks for `count=true` and the others wait for its total, so none is
/// wasted. A page shorter than asked
/// is followed by one page at a time: if the next page is empty, that was the
/// end; if not, the server caps its pages, so the pages in flight (whose
/// offsets assumed full pages) are cancelled and paging goes on from where the
/// short page ended, with its size. Dropping the stream cancels every page in
/// flight.
///
/// The stream is boxed here, once, rather than by each operation's
/// `stream()`: proving it `Send` then happens once for the generic
/// function, not once per operation (issue 13 part 5: compile cost).
pub(crate) fn paginate_with<T, E, F, Fut>(
    paging: Paging,
    fetch: F,
) -> BoxStream<'static, Result<T, Error<E>>>
where
    T: Send + 'static,
    E: Send + 'static,
    F: FnMut(PageRequest) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Response<Vec<T>>, Error<E>>> + Send + 'static,
{
    let state = State {
        paging,
        fetch,
        page_size: paging.page_size.max(1),
        next_offset: paging.start_offset,
        end: paging
            .max_items
            .map(|max| paging.start_offset.saturating_add(max)),
        in_flight: FuturesOrdered::new(),
        requests: VecDeque::new(),
        awaiting_total: false,
        short: None,
        buffer: VecDeque::new(),
        seen: HashMap::new(),
        done: false,
    };
    Box::pin(futures_util::stream::unfold(
        state,
        |mut state| async move {
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Some((Ok(item), state));
                }
                if state.done {
                    return None;
                }
                state.schedule();
                let Some(result) = state.in_flight.next().await else {
                    // Nothing in flight and nothing that may be requested: either
                    // the end, or an offset the parameter cannot express.
                    state.done = true;
                    let offset = state.next_offset;
                    if offset > state.paging.max_offset && state.end.is_none_or(|end| offset < end)
                    {
                        let err = Error::OffsetOverflow {
                            operation_id: state.paging.operation_id,
                            offset,
                            max: state.paging.max_offset,
                        };
                        return Some((Err(err), state));
                    }
                    return None;
                };
                let Some(request) = state.requests.pop_front() else {
                    // One request is recorded for each page pushed.
                    return None;
                };
                let outcome = result.and_then(|page| state.receive(request, page));
                if let Err(err) = outcome {
                    state.done = true;
                    state.cancel_in_flight();
                    return Some((Err(err), state));
                }
                if state.done {
                    state.cancel_in_flight();
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::StreamExt;
    use reqwest::header::HeaderMap;
    use reqwest::StatusCode;

    use super::*;
    use crate::runtime::error::RawError;

    type Calls = Arc<Mutex<Vec<(u64, u32)>>>;

    /// Pages over `0..len`, failing at `fail_at` if given; returns items and calls made.
    async fn run(
        len: u64,
        page_size: u32,
        start: u64,
        max_items: Option<u64>,
        fail_at: Option<u64>,
        send_total: bool,
    ) -> (Vec<Result<u64, String>>, Vec<(u64, u32)>) {
        let calls: Calls = Arc::default();
        let log = calls.clone();
        let stream = paginate::<u64, (), _, _>(
            "listThings",
            page_size,
            start,
            max_items,
            u64::MAX,
            move |offset, limit| {
                log.lock().unwrap().push((offset, limit));
                async move {
                    if fail_at == Some(offset) {
                        let raw = RawError::new(
                            "listThings",
                            StatusCode::INTERNAL_SERVER_ERROR,
                            HeaderMap::new(),
                            "boom".into(),
                            1,
                        );
                        return Err(Error::UnexpectedStatus(raw));
                    }
                    let items: Vec<u64> = (offset..len.min(offset + u64::from(limit))).collect();
                    let mut headers = HeaderMap::new();
                    if send_total {
                        headers.insert("x-total-count", len.to_string().parse().unwrap());
                    }
                    let digest = format!("{items:?}");
                    Ok(Response::new(StatusCode::OK, headers, items, 1)
                        .with_digest_of(digest.as_bytes()))
                }
            },
        );
        let items = stream
            .map(|r| r.map_err(|e| e.to_string()))
            .collect::<Vec<_>>()
            .await;
        let calls = calls.lock().unwrap().clone();
        (items, calls)
    }

    fn oks(range: std::ops::Range<u64>) -> Vec<Result<u64, String>> {
        range.map(Ok).collect()
    }

    #[tokio::test]
    async fn never_overshoots_max_items() {
        let (items, calls) = run(100, 2, 0, Some(5), None, false).await;
        assert_eq!(items, oks(0..5));
        assert_eq!(calls, [(0, 2), (2, 2), (4, 1)], "last limit is reduced");
    }

    #[tokio::test]
    async fn stops_on_empty_page_not_on_short_page() {
        let (items, calls) = run(5, 2, 0, None, None, false).await;
        assert_eq!(items, oks(0..5));
        assert_eq!(calls, [(0, 2), (2, 2), (4, 2), (5, 2)]);
    }

    #[tokio::test]
    async fn full_last_page_costs_one_empty_page_without_total() {
        let (items, calls) = run(4, 2, 0, None, None, false).await;
        assert_eq!(items, oks(0..4));
        assert_eq!(calls, [(0, 2), (2, 2), (4, 2)]);
    }

    #[tokio::test]
    async fn total_count_ends_after_a_short_last_page() {
        let (items, calls) = run(5, 2, 0, None, None, true).await;
        assert_eq!(items, oks(0..5));
        // Once the total is known, the last page asks for what is left.
        assert_eq!(calls, [(0, 2), (2, 2), (4, 1)]);
    }

    type Page = std::future::Ready<Result<Response<Vec<u32>>, Error<()>>>;

    /// Pages of `[0, 1, 2]` whatever the offset, digest of the body included.
    fn same_page_every_time(calls: Calls) -> impl FnMut(u64, u32) -> Page {
        move |offset, limit| {
            calls.lock().unwrap().push((offset, limit));
            std::future::ready(Ok(Response::new(
                StatusCode::OK,
                HeaderMap::new(),
                vec![0, 1, 2],
                1,
            )
            .with_digest_of(b"[0,1,2]")))
        }
    }

    #[tokio::test]
    async fn a_repeated_page_ends_with_an_error() {
        let calls: Calls = Arc::default();
        let stream = paginate(
            "listThings",
            3,
            0,
            None,
            u64::MAX,
            same_page_every_time(calls.clone()),
        );
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 4, "one page, then the error");
        assert!(matches!(
            items[3],
            Err(Error::RepeatedPage {
                offset: 3,
                first_offset: 0,
                ..
            })
        ));
        assert_eq!(*calls.lock().unwrap(), [(0, 3), (3, 3)]);
    }

    #[tokio::test]
    async fn an_offset_above_the_maximum_is_never_requested() {
        let (items, calls) = {
            let calls: Calls = Arc::default();
            let log = calls.clone();
            let mut n = 0u32;
            let stream =
                paginate::<u32, (), _, _>("listThings", 2, 5, None, 8, move |offset, limit| {
                    log.lock().unwrap().push((offset, limit));
                    n += 2;
                    let page = vec![n, n + 1];
                    std::future::ready(Ok(Response::new(StatusCode::OK, HeaderMap::new(), page, 1)))
                });
            (stream.collect::<Vec<_>>().await, calls)
        };
        assert_eq!(items.len(), 5, "two pages, then the error");
        assert!(
            matches!(
                items[4],
                Err(Error::OffsetOverflow {
                    offset: 9,
                    max: 8,
                    ..
                })
            ),
            "{:?}",
            items[4]
        );
        assert_eq!(*calls.lock().unwrap(), [(5, 2), (7, 2)]);
    }

    #[tokio::test]
    async fn total_count_saves_the_empty_page() {
        let (items, calls) = run(4, 2, 0, None, None, true).await;
        assert_eq!(items, oks(0..4));
        assert_eq!(calls, [(0, 2), (2, 2)]);
    }

    #[tokio::test]
    async fn starts_at_offset() {
        let (items, calls) = run(10, 3, 4, Some(4), None, false).await;
        assert_eq!(items, oks(4..8));
        assert_eq!(calls, [(4, 3), (7, 1)]);
    }

    #[tokio::test]
    async fn max_items_zero_fetches_nothing() {
        let (items, calls) = run(10, 3, 0, Some(0), None, false).await;
        assert!(items.is_empty());
        assert!(calls.is_empty());
    }

    #[tokio::test]
    async fn error_is_yielded_then_stream_ends() {
        let (items, calls) = run(100, 2, 0, None, Some(2), false).await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[..2], oks(0..2)[..]);
        assert!(items[2].as_ref().unwrap_err().contains("500"));
        assert_eq!(calls, [(0, 2), (2, 2)]);
    }

    #[tokio::test]
    async fn server_ignoring_limit_is_truncated() {
        let calls: Calls = Arc::default();
        let log = calls.clone();
        let stream = paginate::<u32, (), _, _>(
            "listThings",
            10,
            0,
            Some(3),
            u64::MAX,
            move |offset, limit| {
                log.lock().unwrap().push((offset, limit));
                async move {
                    Ok(Response::new(
                        StatusCode::OK,
                        HeaderMap::new(),
                        vec![7; 50],
                        1,
                    ))
                }
            },
        );
        let items: Vec<_> = stream.collect().await;
        assert_eq!(items.len(), 3);
        assert_eq!(*calls.lock().unwrap(), [(0, 3)]);
    }

    #[test]
    fn page_size_zero_is_treated_as_one() {
        let (items, calls) = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(run(2, 0, 0, None, None, false));
        assert_eq!(items, oks(0..2));
        assert_eq!(calls, [(0, 1), (1, 1), (2, 1)]);
    }

    /// Pages over `0..len` with pages capped at `cap` items, answering later
    /// offsets sooner; `ignore_offset` serves the first page whatever is asked.
    /// Returns the items and the requests made.
    async fn run_concurrent(
        len: u64,
        cap: u32,
        paging: Paging,
        ignore_offset: bool,
    ) -> (Vec<Result<u64, String>>, Vec<PageRequest>) {
        let calls: Arc<Mutex<Vec<PageRequest>>> = Arc::default();
        let log = calls.clone();
        let stream = paginate_with::<u64, (), _, _>(paging, move |request| {
            log.lock().unwrap().push(request);
            async move {
                let delay = 20u64.saturating_sub(request.offset % 20);
                tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
                let from = if ignore_offset { 0 } else { request.offset };
                let to = len.min(from + u64::from(request.limit.min(cap)));
                let items: Vec<u64> = (from..to).collect();
                let mut headers = HeaderMap::new();
                if request.count {
                    headers.insert("x-total-count", len.to_string().parse().unwrap());
                }
                let digest = format!("{items:?}");
                Ok(Response::new(StatusCode::OK, headers, items, 1)
                    .with_digest_of(digest.as_bytes()))
            }
        });
        let items = stream
            .map(|r| r.map_err(|e| e.to_string()))
            .collect::<Vec<_>>()
            .await;
        let calls = calls.lock().unwrap().clone();
        (items, calls)
    }

    fn paging(page_size: u32, concurrency: usize, can_count: bool) -> Paging {
        Paging {
            operation_id: "listThings",
            page_size,
            start_offset: 0,
            max_items: None,
            max_offset: u64::MAX,
            concurrency,
            can_count,
        }
    }

    #[tokio::test]
    async fn concurrent_pages_yield_every_item_once_in_order() {
        let (items, calls) = run_concurrent(95, 10, paging(10, 4, false), false).await;
        assert_eq!(items, oks(0..95));
        // Every page requested once; past the end, at most 3 wasted requests.
        let mut offsets: Vec<u64> = calls.iter().map(|c| c.offset).collect();
        offsets.dedup();
        assert_eq!(offsets.len(), calls.len(), "{calls:?}");
        let past_end = calls.iter().filter(|c| c.offset >= 95).count();
        assert!((1..=3).contains(&past_end), "{calls:?}");
    }

    #[tokio::test]
    async fn concurrent_pages_with_count_waste_nothing() {
        let (items, calls) = run_concurrent(95, 10, paging(10, 4, true), false).await;
        assert_eq!(items, oks(0..95));
        assert!(calls[0].count && calls[1..].iter().all(|c| !c.count));
        let offsets: Vec<u64> = calls.iter().map(|c| c.offset).collect();
        assert_eq!(offsets, (0..10).map(|k| k * 10).collect::<Vec<_>>());
        assert_eq!(calls[9].limit, 5, "the last page asks for what is left");
    }

    #[tokio::test]
    async fn concurrent_pages_stop_at_max_items_exactly() {
        let mut paging = paging(10, 8, false);
        paging.max_items = Some(37);
        paging.start_offset = 5;
        let (items, calls) = run_concurrent(1000, 10, paging, false).await;
        assert_eq!(items, oks(5..42));
        let asked: u64 = calls.iter().map(|c| u64::from(c.limit)).sum();
        assert_eq!(asked, 37, "{calls:?}");
    }

    #[tokio::test]
    async fn concurrent_pages_follow_a_server_that_caps_pages() {
        // `limit` 10, but the server never sends more than 3 per page.
        let (items, calls) = run_concurrent(20, 3, paging(10, 4, false), false).await;
        assert_eq!(items, oks(0..20));
        assert!(calls.len() <= 4 + 7 + 3, "{calls:?}");
    }

    #[tokio::test]
    async fn concurrent_pages_detect_a_server_that_ignores_offset() {
        let (items, calls) = run_concurrent(1000, 10, paging(10, 4, false), true).await;
        assert_eq!(items[..10], oks(0..10)[..]);
        assert_eq!(items.len(), 11, "one page, then the error");
        assert!(
            items[10].as_ref().unwrap_err().contains("repeats"),
            "{items:?}"
        );
        assert!(calls.len() <= 4 + 1, "{calls:?}");
    }

    #[tokio::test]
    async fn dropping_the_stream_cancels_the_pages_in_flight() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        /// Counts the futures dropped before they finished.
        struct Guard(Arc<AtomicUsize>, bool);
        impl Drop for Guard {
            fn drop(&mut self) {
                if !self.1 {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        let cancelled = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(AtomicUsize::new(0));
        let (c, s) = (cancelled.clone(), started.clone());
        let stream = paginate_with::<u64, (), _, _>(paging(2, 4, false), move |request| {
            s.fetch_add(1, Ordering::SeqCst);
            let guard = Guard(c.clone(), false);
            async move {
                let mut guard = guard;
                if request.offset > 0 {
                    // Pages after the first never answer.
                    std::future::pending::<()>().await;
                }
                guard.1 = true;
                Ok(Response::new(
                    StatusCode::OK,
                    HeaderMap::new(),
                    vec![request.offset, request.offset + 1],
                    1,
                ))
            }
        });
        let mut stream = Box::pin(stream);
        assert_eq!(stream.next().await.unwrap().unwrap(), 0);
        assert_eq!(started.load(Ordering::SeqCst), 4);
        assert_eq!(cancelled.load(Ordering::SeqCst), 0);
        drop(stream);
        assert_eq!(cancelled.load(Ordering::SeqCst), 3);
    }
}
