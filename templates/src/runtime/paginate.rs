//! Offset pagination for list operations that take `limit` and `offset`.
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
//! page size below the `limit` asked for (SailPoint's APIs cap some lists), so a
//! short page says nothing about the end. The price is one more request, for
//! the empty page, at the end of a list; asking for `count=true` saves it.

use std::collections::{HashMap, VecDeque};
use std::future::Future;

use futures_util::Stream;

use super::error::Error;
use super::response::Response;

struct State<T, F> {
    operation_id: &'static str,
    fetch: F,
    page_size: u32,
    offset: u64,
    max_offset: u64,
    /// Items still wanted; `None` for all of them.
    remaining: Option<u64>,
    buffer: VecDeque<T>,
    /// The digest of each non-empty page received, and its offset.
    seen: HashMap<u64, u64>,
    done: bool,
}

/// Streams the items of a list operation page by page.
///
/// `fetch(offset, limit)` fetches one page. Pages are requested with
/// `limit = page_size` (at least 1), except the last one, whose limit is cut to
/// the number of items still wanted, so that no more than `max_items` are ever
/// requested or yielded. The stream ends as the module documentation says: on
/// an empty page, at `X-Total-Count`, after `max_items` items, or after
/// yielding an error, including [`Error::RepeatedPage`] and
/// [`Error::OffsetOverflow`] (no offset above `max_offset` is ever requested).
#[allow(dead_code)] // Used or not depending on the spec.
pub(crate) fn paginate<T, E, F, Fut>(
    operation_id: &'static str,
    page_size: u32,
    start_offset: u64,
    max_items: Option<u64>,
    max_offset: u64,
    fetch: F,
) -> impl Stream<Item = Result<T, Error<E>>> + Send
where
    T: Send,
    E: Send,
    F: FnMut(u64, u32) -> Fut + Send,
    Fut: Future<Output = Result<Response<Vec<T>>, Error<E>>> + Send,
{
    let state = State {
        operation_id,
        fetch,
        page_size: page_size.max(1),
        offset: start_offset,
        max_offset,
        remaining: max_items,
        buffer: VecDeque::new(),
        seen: HashMap::new(),
        done: false,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffer.pop_front() {
                return Some((Ok(item), state));
            }
            if state.done {
                return None;
            }
            let limit = match state.remaining {
                Some(0) => return None,
                // `min` with a u32 always fits in a u32.
                Some(n) => n.min(u64::from(state.page_size)) as u32,
                None => state.page_size,
            };
            if state.offset > state.max_offset {
                state.done = true;
                let err = Error::OffsetOverflow {
                    operation_id: state.operation_id,
                    offset: state.offset,
                    max: state.max_offset,
                };
                return Some((Err(err), state));
            }
            let page = match (state.fetch)(state.offset, limit).await {
                Ok(page) => page,
                Err(err) => {
                    state.done = true;
                    return Some((Err(err), state));
                }
            };
            let total = page.total_count();
            let digest = page.body_digest();
            let mut items = page.into_body();
            if items.is_empty() {
                return None;
            }
            if let Some(digest) = digest {
                if let Some(&first_offset) = state.seen.get(&digest) {
                    state.done = true;
                    let err = Error::RepeatedPage {
                        operation_id: state.operation_id,
                        offset: state.offset,
                        first_offset,
                    };
                    return Some((Err(err), state));
                }
                state.seen.insert(digest, state.offset);
            }
            // A server that ignores `limit` must not make us overshoot.
            items.truncate(limit as usize);
            let received = items.len() as u64;
            state.offset = state.offset.saturating_add(received);
            if let Some(n) = &mut state.remaining {
                *n -= received;
            }
            state.done = total.is_some_and(|t| state.offset >= t);
            state.buffer.extend(items);
        }
    })
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
        assert_eq!(calls, [(0, 2), (2, 2), (4, 2)]);
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
}
