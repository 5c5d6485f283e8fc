//! Multi-status answers (HTTP `207`): one result per requested item, declared
//! in the spec with `x-sdk-multi-status` on the response. The generated
//! operation decodes the body's array and reads each item's id, status and
//! message where the spec says they are; the caller gets a [`MultiStatus`].

use std::collections::HashSet;

/// The answer of an operation that reports one result per requested item
/// (HTTP `207 Multi-Status`): which items succeeded, which failed and why,
/// each with the whole item the server sent.
///
/// A `207` is a success of the call, not of every item: check
/// [`is_complete`](Self::is_complete), or go through
/// [`failed`](Self::failed), or `match` each [`ItemOutcome`].
#[derive(Debug, Clone, PartialEq)]
pub struct MultiStatus<T> {
    outcomes: Vec<ItemOutcome<T>>,
}

/// The result for one item of a [`MultiStatus`] answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemOutcome<T> {
    /// The item's status is 2xx.
    Succeeded {
        /// Which requested item this answers (`None` when the server left
        /// its id out).
        id: Option<String>,
        /// The item's HTTP status.
        status: u16,
        /// The item as the server sent it.
        item: T,
    },
    /// The item's status is not 2xx, or the item carries no status (it is
    /// then not known to have succeeded).
    Failed {
        /// Which requested item this answers (`None` when the server left
        /// its id out).
        id: Option<String>,
        /// The item's HTTP status; `None` when the item has none, or one
        /// that is not an HTTP status.
        status: Option<u16>,
        /// The server's reason, when the spec says where it is and the item
        /// has one.
        message: Option<String>,
        /// The item as the server sent it.
        item: T,
    },
}

impl<T> ItemOutcome<T> {
    /// Reads one item's outcome from its id, status and message.
    fn new(id: Option<String>, status: Option<i64>, message: Option<String>, item: T) -> Self {
        let status = status.and_then(|s| u16::try_from(s).ok());
        match status {
            Some(status) if (200..300).contains(&status) => {
                ItemOutcome::Succeeded { id, status, item }
            }
            _ => ItemOutcome::Failed {
                id,
                status,
                message,
                item,
            },
        }
    }

    /// Whether the item succeeded (its status is 2xx).
    pub fn is_success(&self) -> bool {
        matches!(self, ItemOutcome::Succeeded { .. })
    }

    /// Which requested item this answers, if the server said.
    pub fn id(&self) -> Option<&str> {
        match self {
            ItemOutcome::Succeeded { id, .. } | ItemOutcome::Failed { id, .. } => id.as_deref(),
        }
    }

    /// The item's HTTP status, if it has one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ItemOutcome::Succeeded { status, .. } => Some(*status),
            ItemOutcome::Failed { status, .. } => *status,
        }
    }

    /// Why the item failed, if the server said (always `None` on success).
    pub fn message(&self) -> Option<&str> {
        match self {
            ItemOutcome::Succeeded { .. } => None,
            ItemOutcome::Failed { message, .. } => message.as_deref(),
        }
    }

    /// The item as the server sent it.
    pub fn item(&self) -> &T {
        match self {
            ItemOutcome::Succeeded { item, .. } | ItemOutcome::Failed { item, .. } => item,
        }
    }

    /// Takes the item out.
    pub fn into_item(self) -> T {
        match self {
            ItemOutcome::Succeeded { item, .. } | ItemOutcome::Failed { item, .. } => item,
        }
    }
}

impl<T> MultiStatus<T> {
    /// The outcomes of `items`, in the server's order; `read` gives each
    /// item's id, status and message (generated from the spec's pointers).
    pub(crate) fn from_items(
        items: Vec<T>,
        read: impl Fn(&T) -> (Option<String>, Option<i64>, Option<String>),
    ) -> Self {
        let outcomes = items
            .into_iter()
            .map(|item| {
                let (id, status, message) = read(&item);
                ItemOutcome::new(id, status, message, item)
            })
            .collect();
        MultiStatus { outcomes }
    }

    /// Every outcome, in the server's order.
    pub fn outcomes(&self) -> &[ItemOutcome<T>] {
        &self.outcomes
    }

    /// Takes the outcomes out.
    pub fn into_outcomes(self) -> Vec<ItemOutcome<T>> {
        self.outcomes
    }

    /// The outcomes of the items that succeeded.
    pub fn succeeded(&self) -> impl Iterator<Item = &ItemOutcome<T>> + '_ {
        self.outcomes.iter().filter(|o| o.is_success())
    }

    /// The outcomes of the items that failed, or carry no status.
    pub fn failed(&self) -> impl Iterator<Item = &ItemOutcome<T>> + '_ {
        self.outcomes.iter().filter(|o| !o.is_success())
    }

    /// Whether every item the server answered for succeeded. See
    /// [`unanswered`](Self::unanswered) for items it left out.
    pub fn is_complete(&self) -> bool {
        self.outcomes.iter().all(ItemOutcome::is_success)
    }

    /// The outcome for the item `id`, if the server answered for it.
    pub fn get(&self, id: &str) -> Option<&ItemOutcome<T>> {
        self.outcomes.iter().find(|o| o.id() == Some(id))
    }

    /// Of the ids requested, those the server sent no outcome for: neither
    /// succeeded nor failed as far as the answer says.
    pub fn unanswered<'a>(&self, requested: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let answered: HashSet<&str> = self.outcomes.iter().filter_map(ItemOutcome::id).collect();
        requested
            .into_iter()
            .filter(|id| !answered.contains(id))
            .collect()
    }

    /// How many outcomes the answer holds.
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// Whether the answer holds no outcome.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    /// The outcomes, in the server's order.
    pub fn iter(&self) -> std::slice::Iter<'_, ItemOutcome<T>> {
        self.outcomes.iter()
    }
}

impl<T> IntoIterator for MultiStatus<T> {
    type Item = ItemOutcome<T>;
    type IntoIter = std::vec::IntoIter<ItemOutcome<T>>;

    fn into_iter(self) -> Self::IntoIter {
        self.outcomes.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a MultiStatus<T> {
    type Item = &'a ItemOutcome<T>;
    type IntoIter = std::slice::Iter<'a, ItemOutcome<T>>;

    fn into_iter(self) -> Self::IntoIter {
        self.outcomes.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Res {
        id: Option<&'static str>,
        status: Option<i64>,
        message: Option<&'static str>,
    }

    fn answer(items: Vec<Res>) -> MultiStatus<Res> {
        MultiStatus::from_items(items, |r| {
            (
                r.id.map(str::to_string),
                r.status,
                r.message.map(str::to_string),
            )
        })
    }

    fn res(id: &'static str, status: i64, message: Option<&'static str>) -> Res {
        Res {
            id: Some(id),
            status: Some(status),
            message,
        }
    }

    #[test]
    fn splits_successes_from_failures_and_keeps_the_items() {
        let answer = answer(vec![
            res("a", 204, None),
            res("b", 404, Some("no such identity")),
            res("c", 200, Some("ignored on success")),
            res("d", 409, None),
        ]);
        let ok: Vec<_> = answer.succeeded().filter_map(ItemOutcome::id).collect();
        let failed: Vec<_> = answer
            .failed()
            .map(|o| (o.id(), o.status(), o.message()))
            .collect();
        assert_eq!(ok, ["a", "c"]);
        assert_eq!(
            failed,
            [
                (Some("b"), Some(404), Some("no such identity")),
                (Some("d"), Some(409), None)
            ]
        );
        assert!(!answer.is_complete());
        assert_eq!(answer.len(), 4);
        assert_eq!(
            answer.get("b").unwrap().item(),
            &res("b", 404, Some("no such identity"))
        );
        match answer.get("c").unwrap() {
            ItemOutcome::Succeeded { status, .. } => assert_eq!(*status, 200),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_or_impossible_status_is_a_failure() {
        let answer = answer(vec![
            Res {
                id: Some("a"),
                status: None,
                message: None,
            },
            res("b", 70_000, None),
            res("c", -204, None),
        ]);
        assert!(answer.iter().all(|o| !o.is_success()));
        assert!(answer.iter().all(|o| o.status().is_none()));
    }

    #[test]
    fn unanswered_ids_are_told_apart() {
        let answer = answer(vec![res("a", 204, None)]);
        assert!(answer.is_complete());
        assert_eq!(answer.unanswered(["a", "b", "c"]), ["b", "c"]);
        let empty = self::answer(vec![]);
        assert!(empty.is_complete() && empty.is_empty());
        let items: Vec<Res> = answer.into_iter().map(ItemOutcome::into_item).collect();
        assert_eq!(items, [res("a", 204, None)]);
    }
}
