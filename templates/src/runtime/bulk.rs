//! Many operations at once, with bounded concurrency, under the rate budget.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;

/// How [`bulk`](crate::bulk()) runs its operations.
///
/// ```
/// # use sailpoint_v2025::BulkOptions;
/// let options = BulkOptions::new().concurrency(4).stop_on_error(true);
/// assert_eq!(options.get_concurrency(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOptions {
    concurrency: usize,
    stop_on_error: bool,
}

impl Default for BulkOptions {
    /// 8 operations in flight; every input is run, whatever fails.
    fn default() -> Self {
        BulkOptions {
            concurrency: 8,
            stop_on_error: false,
        }
    }
}

impl BulkOptions {
    /// The defaults (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `n` operations in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The number of operations in flight at once.
    pub fn get_concurrency(&self) -> usize {
        self.concurrency
    }

    /// With `true`, the first error stops the run: operations not started yet
    /// are not started ([`BulkResult::NotStarted`]); those already in flight
    /// finish, and their real outcome is reported.
    pub fn stop_on_error(mut self, stop: bool) -> Self {
        self.stop_on_error = stop;
        self
    }
}

/// The outcome of one input of [`bulk`](crate::bulk()).
#[derive(Debug, Clone, PartialEq)]
pub enum BulkResult<T, E> {
    /// The operation succeeded.
    Ok(T),
    /// The operation failed. Whether a failed write took effect is what its
    /// error says: see [`Error`](crate::Error) (a write that may have been
    /// processed is never sent twice).
    Err(E),
    /// The operation was never started, because an earlier one failed and
    /// [`BulkOptions::stop_on_error`] was set. Nothing was sent for it.
    NotStarted,
}

impl<T, E> BulkResult<T, E> {
    /// The result, or `None` for an operation that was not started.
    pub fn into_result(self) -> Option<Result<T, E>> {
        match self {
            BulkResult::Ok(value) => Some(Ok(value)),
            BulkResult::Err(err) => Some(Err(err)),
            BulkResult::NotStarted => None,
        }
    }

    /// Whether the operation succeeded.
    pub fn is_ok(&self) -> bool {
        matches!(self, BulkResult::Ok(_))
    }
}

/// Runs `operation` once for every input, with at most
/// [`concurrency`](BulkOptions::concurrency) in flight, and returns one
/// result per input, in input order.
///
/// Every request still goes through the client: its rate budget, so a large
/// batch waits for budget instead of meeting `429`s; its retries, which never
/// resend a write that may have been processed; its deadline. `bulk` itself
/// never retries anything.
///
/// On partial failure every input still has its own result: by default all
/// inputs run whatever fails; with [`BulkOptions::stop_on_error`] the inputs
/// after the first failure that were not started yet are
/// [`BulkResult::NotStarted`], so the caller knows exactly which writes were
/// attempted.
///
/// The operation is any call; here `delete` stands for one of the crate's
/// delete operations (`client.some_tag().delete_thing(id).send().await`), so
/// that this runtime example compiles in every generated crate:
///
/// ```no_run
/// # async fn delete(_: &sailpoint_v2025::Client, _: String) -> Result<(), std::io::Error> { Ok(()) }
/// # async fn run(client: sailpoint_v2025::Client) {
/// use sailpoint_v2025::{bulk, BulkOptions};
///
/// let ids = vec!["id-1".to_string(), "id-2".to_string()];
/// let results = bulk(ids, BulkOptions::new().concurrency(4), |id| {
///     let client = client.clone();
///     async move { delete(&client, id).await }
/// })
/// .await;
/// let failed = results.iter().filter(|r| !r.is_ok()).count();
/// # let _ = failed;
/// # }
/// ```
pub async fn bulk<I, T, E, F, Fut>(
    inputs: I,
    options: BulkOptions,
    mut operation: F,
) -> Vec<BulkResult<T, E>>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let stopped = Arc::new(AtomicBool::new(false));
    let stop_on_error = options.stop_on_error;
    futures_util::stream::iter(inputs)
        .map(|input| {
            // Called when a slot frees up, so an error that has already
            // happened stops every later start.
            let start = !stopped.load(Ordering::SeqCst);
            let run = start.then(|| operation(input));
            let stopped = stopped.clone();
            async move {
                match run {
                    None => BulkResult::NotStarted,
                    Some(run) => match run.await {
                        Ok(value) => BulkResult::Ok(value),
                        Err(err) => {
                            if stop_on_error {
                                stopped.store(true, Ordering::SeqCst);
                            }
                            BulkResult::Err(err)
                        }
                    },
                }
            }
        })
        .buffered(options.concurrency)
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn results_are_in_input_order_and_concurrency_is_bounded() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let results = bulk(0..20u64, BulkOptions::new().concurrency(3), |i| {
            let in_flight = in_flight.clone();
            let peak = peak.clone();
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                // Later inputs finish first.
                tokio::time::sleep(Duration::from_millis(20 - i)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                if i % 7 == 3 {
                    Err(format!("failed {i}"))
                } else {
                    Ok(i * 10)
                }
            }
        })
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        let expected: Vec<_> = (0..20u64)
            .map(|i| {
                if i % 7 == 3 {
                    BulkResult::Err(format!("failed {i}"))
                } else {
                    BulkResult::Ok(i * 10)
                }
            })
            .collect();
        assert_eq!(results, expected);
    }

    #[tokio::test]
    async fn stop_on_error_starts_nothing_after_the_first_failure() {
        let started = Arc::new(AtomicUsize::new(0));
        let results = bulk(
            0..10u32,
            BulkOptions::new().concurrency(2).stop_on_error(true),
            |i| {
                started.fetch_add(1, Ordering::SeqCst);
                async move {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    if i == 2 {
                        Err("boom")
                    } else {
                        Ok(i)
                    }
                }
            },
        )
        .await;
        assert_eq!(results.len(), 10);
        assert_eq!(results[0], BulkResult::Ok(0));
        assert_eq!(results[1], BulkResult::Ok(1));
        assert_eq!(results[2], BulkResult::Err("boom"));
        // Input 3 was in flight beside input 2 and reports its real outcome;
        // nothing after it was started.
        assert_eq!(results[3], BulkResult::Ok(3));
        assert!(results[4..].iter().all(|r| *r == BulkResult::NotStarted));
        assert_eq!(started.load(Ordering::SeqCst), 4);
    }
}
