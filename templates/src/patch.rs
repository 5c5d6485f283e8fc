// @sdk if sailpoint
//! RFC 6902 JSON Patch documents, the request bodies of SailPoint's `PATCH` operations.
// @sdk else
//! RFC 6902 JSON Patch documents, the request bodies of this API's `application/json-patch+json` operations.
// @sdk end
//!
//! A [`JsonPatch`] serializes as the JSON array of operations that
//! `application/json-patch+json` bodies expect. Paths are RFC 6901 [`JsonPointer`]s:
//! builder methods take them as strings and validate them, and
//! [`JsonPointer::from_segments`] builds one from unescaped segments.
//!
//! ```
//! use sailpoint_v2025::patch::JsonPatch;
//!
//! # fn main() -> Result<(), sailpoint_v2025::patch::PatchError> {
//! let patch = JsonPatch::new()
//!     .replace("/attributes/securityRisk", "medium")?
//!     .remove("/attributes/legacyOwner")?;
//! assert_eq!(
//!     serde_json::to_string(&patch).unwrap(),
//!     r#"[{"op":"replace","path":"/attributes/securityRisk","value":"medium"},{"op":"remove","path":"/attributes/legacyOwner"}]"#,
//! );
//! # Ok(())
//! # }
//! ```
//!
//! Values are anything convertible into a [`serde_json::Value`]; the `try_*` variants take
//! any [`Serialize`] value instead and report a serialization failure as
//! [`PatchError::Serialize`]. [`JsonPatch::push`] adds an already-typed
//! [`PatchOperation`] and cannot fail.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// An RFC 6902 JSON Patch: an ordered list of operations, serialized as a JSON array.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonPatch(Vec<PatchOperation>);

/// One JSON Patch operation, serialized as an object tagged by `"op"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum PatchOperation {
    /// Adds `value` at `path` (inserting into arrays; `-` appends).
    Add {
        /// Where to add.
        path: JsonPointer,
        /// What to add.
        value: Value,
    },
    /// Removes the value at `path`.
    Remove {
        /// What to remove.
        path: JsonPointer,
    },
    /// Replaces the value at `path`, which must exist, with `value`.
    Replace {
        /// What to replace.
        path: JsonPointer,
        /// The new value.
        value: Value,
    },
    /// Removes the value at `from` and adds it at `path`.
    Move {
        /// Where the value is taken from.
        from: JsonPointer,
        /// Where it is added.
        path: JsonPointer,
    },
    /// Adds a copy of the value at `from` at `path`.
    Copy {
        /// Where the value is copied from.
        from: JsonPointer,
        /// Where the copy is added.
        path: JsonPointer,
    },
    /// Fails the whole patch unless the value at `path` equals `value`.
    Test {
        /// What to check.
        path: JsonPointer,
        /// The expected value.
        value: Value,
    },
}

impl PatchOperation {
    /// The wire name of the operation: `add`, `remove`, `replace`, `move`, `copy` or `test`.
    pub fn op(&self) -> &'static str {
        match self {
            PatchOperation::Add { .. } => "add",
            PatchOperation::Remove { .. } => "remove",
            PatchOperation::Replace { .. } => "replace",
            PatchOperation::Move { .. } => "move",
            PatchOperation::Copy { .. } => "copy",
            PatchOperation::Test { .. } => "test",
        }
    }

    /// The target location (`path`) of the operation.
    pub fn path(&self) -> &JsonPointer {
        match self {
            PatchOperation::Add { path, .. }
            | PatchOperation::Remove { path }
            | PatchOperation::Replace { path, .. }
            | PatchOperation::Move { path, .. }
            | PatchOperation::Copy { path, .. }
            | PatchOperation::Test { path, .. } => path,
        }
    }
}

impl JsonPatch {
    /// An empty patch.
    pub fn new() -> Self {
        JsonPatch(Vec::new())
    }

    /// Appends an `add` of `value` at `path`.
    pub fn add(self, path: impl AsRef<str>, value: impl Into<Value>) -> Result<Self, PatchError> {
        let path = JsonPointer::parse(path.as_ref())?;
        Ok(self.push(PatchOperation::Add {
            path,
            value: value.into(),
        }))
    }

    /// Appends an `add` of the serialized `value` at `path`.
    pub fn try_add<T: Serialize + ?Sized>(
        self,
        path: impl AsRef<str>,
        value: &T,
    ) -> Result<Self, PatchError> {
        let path = JsonPointer::parse(path.as_ref())?;
        let value = to_value(value)?;
        Ok(self.push(PatchOperation::Add { path, value }))
    }

    /// Appends a `remove` of the value at `path`.
    pub fn remove(self, path: impl AsRef<str>) -> Result<Self, PatchError> {
        let path = JsonPointer::parse(path.as_ref())?;
        Ok(self.push(PatchOperation::Remove { path }))
    }

    /// Appends a `replace` of the value at `path` with `value`.
    pub fn replace(
        self,
        path: impl AsRef<str>,
        value: impl Into<Value>,
    ) -> Result<Self, PatchError> {
        let path = JsonPointer::parse(path.as_ref())?;
        Ok(self.push(PatchOperation::Replace {
            path,
            value: value.into(),
        }))
    }

    /// Appends a `replace` of the value at `path` with the serialized `value`.
    pub fn try_replace<T: Serialize + ?Sized>(
        self,
        path: impl AsRef<str>,
        value: &T,
    ) -> Result<Self, PatchError> {
        let path = JsonPointer::parse(path.as_ref())?;
        let value = to_value(value)?;
        Ok(self.push(PatchOperation::Replace { path, value }))
    }

    /// Appends a `move` of the value at `from` to `path`.
    #[doc(alias = "move")]
    pub fn move_from(
        self,
        from: impl AsRef<str>,
        path: impl AsRef<str>,
    ) -> Result<Self, PatchError> {
        let from = JsonPointer::parse(from.as_ref())?;
        let path = JsonPointer::parse(path.as_ref())?;
        Ok(self.push(PatchOperation::Move { from, path }))
    }

    /// Appends a `copy` of the value at `from` to `path`.
    #[doc(alias = "copy")]
    pub fn copy_from(
        self,
        from: impl AsRef<str>,
        path: impl AsRef<str>,
    ) -> Result<Self, PatchError> {
        let from = JsonPointer::parse(from.as_ref())?;
        let path = JsonPointer::parse(path.as_ref())?;
        Ok(self.push(PatchOperation::Copy { from, path }))
    }

    /// Appends a `test` that the value at `path` equals `value`.
    pub fn test(self, path: impl AsRef<str>, value: impl Into<Value>) -> Result<Self, PatchError> {
        let path = JsonPointer::parse(path.as_ref())?;
        Ok(self.push(PatchOperation::Test {
            path,
            value: value.into(),
        }))
    }

    /// Appends a `test` that the value at `path` equals the serialized `value`.
    pub fn try_test<T: Serialize + ?Sized>(
        self,
        path: impl AsRef<str>,
        value: &T,
    ) -> Result<Self, PatchError> {
        let path = JsonPointer::parse(path.as_ref())?;
        let value = to_value(value)?;
        Ok(self.push(PatchOperation::Test { path, value }))
    }

    /// Appends `operation`.
    pub fn push(mut self, operation: PatchOperation) -> Self {
        self.0.push(operation);
        self
    }

    /// The operations, in order.
    pub fn operations(&self) -> &[PatchOperation] {
        &self.0
    }

    /// The operations, in order, by value.
    pub fn into_operations(self) -> Vec<PatchOperation> {
        self.0
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the patch has no operations.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, PatchError> {
    serde_json::to_value(value).map_err(PatchError::Serialize)
}

impl From<Vec<PatchOperation>> for JsonPatch {
    fn from(operations: Vec<PatchOperation>) -> Self {
        JsonPatch(operations)
    }
}

impl FromIterator<PatchOperation> for JsonPatch {
    fn from_iter<I: IntoIterator<Item = PatchOperation>>(iter: I) -> Self {
        JsonPatch(iter.into_iter().collect())
    }
}

impl IntoIterator for JsonPatch {
    type Item = PatchOperation;
    type IntoIter = std::vec::IntoIter<PatchOperation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a JsonPatch {
    type Item = &'a PatchOperation;
    type IntoIter = std::slice::Iter<'a, PatchOperation>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Why a [`JsonPatch`] builder method failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum PatchError {
    /// A path or `from` was not a valid JSON Pointer.
    InvalidPointer(PointerError),
    /// A `try_*` value could not be serialized to JSON.
    Serialize(serde_json::Error),
}

impl fmt::Display for PatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatchError::InvalidPointer(e) => e.fmt(f),
            PatchError::Serialize(e) => write!(f, "cannot serialize JSON Patch value: {e}"),
        }
    }
}

impl std::error::Error for PatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PatchError::InvalidPointer(e) => Some(e),
            PatchError::Serialize(e) => Some(e),
        }
    }
}

impl From<PointerError> for PatchError {
    fn from(e: PointerError) -> Self {
        PatchError::InvalidPointer(e)
    }
}

/// An RFC 6901 JSON Pointer such as `/attributes/securityRisk`, kept in its escaped form.
///
/// It is either empty (the whole document) or a sequence of `/`-prefixed segments in
/// which `~` is written `~0` and `/` is written `~1`.
///
/// ```
/// use sailpoint_v2025::patch::JsonPointer;
///
/// let pointer = JsonPointer::from_segments(["attributes", "a/b~c"]);
/// assert_eq!(pointer.as_str(), "/attributes/a~1b~0c");
/// assert_eq!(pointer.segments().collect::<Vec<_>>(), ["attributes", "a/b~c"]);
/// assert!(JsonPointer::parse("attributes").is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPointer(String);

impl JsonPointer {
    /// The empty pointer, which refers to the whole document.
    pub fn root() -> Self {
        JsonPointer(String::new())
    }

    /// Validates an escaped pointer: it must be empty or start with `/`, and every `~`
    /// must be followed by `0` or `1`.
    pub fn parse(pointer: &str) -> Result<Self, PointerError> {
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(PointerError {
                pointer: pointer.to_owned(),
                kind: PointerErrorKind::NoLeadingSlash,
            });
        }
        let bytes = pointer.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'~' && !matches!(bytes.get(i + 1), Some(b'0' | b'1')) {
                return Err(PointerError {
                    pointer: pointer.to_owned(),
                    kind: PointerErrorKind::BadEscape { offset: i },
                });
            }
        }
        Ok(JsonPointer(pointer.to_owned()))
    }

    /// Builds a pointer from unescaped segments, escaping `~` and `/` in each.
    /// No segments give the root pointer.
    pub fn from_segments<I>(segments: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut pointer = JsonPointer::root();
        for segment in segments {
            pointer.push(segment);
        }
        pointer
    }

    /// Appends one unescaped segment (an object key, an array index, or `-`).
    pub fn push(&mut self, segment: impl AsRef<str>) {
        self.0.push('/');
        for c in segment.as_ref().chars() {
            match c {
                '~' => self.0.push_str("~0"),
                '/' => self.0.push_str("~1"),
                c => self.0.push(c),
            }
        }
    }

    /// This pointer with one more unescaped segment.
    pub fn join(&self, segment: impl AsRef<str>) -> Self {
        let mut pointer = self.clone();
        pointer.push(segment);
        pointer
    }

    /// The unescaped segments; none for the root pointer.
    pub fn segments(&self) -> impl Iterator<Item = String> + '_ {
        // Decoding one character at a time turns `~01` into `~1`, never into `/`.
        self.0.split('/').skip(1).map(|segment| {
            let mut out = String::with_capacity(segment.len());
            let mut chars = segment.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('1') => out.push('/'),
                        // Validated on construction: the only other case is `~0`.
                        _ => out.push('~'),
                    }
                } else {
                    out.push(c);
                }
            }
            out
        })
    }

    /// Whether this is the root pointer (the empty string).
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The escaped pointer string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for JsonPointer {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for JsonPointer {
    type Err = PointerError;

    fn from_str(s: &str) -> Result<Self, PointerError> {
        JsonPointer::parse(s)
    }
}

impl TryFrom<&str> for JsonPointer {
    type Error = PointerError;

    fn try_from(s: &str) -> Result<Self, PointerError> {
        JsonPointer::parse(s)
    }
}

impl TryFrom<String> for JsonPointer {
    type Error = PointerError;

    fn try_from(s: String) -> Result<Self, PointerError> {
        JsonPointer::parse(&s)
    }
}

impl From<JsonPointer> for String {
    fn from(pointer: JsonPointer) -> String {
        pointer.0
    }
}

impl Serialize for JsonPointer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for JsonPointer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        JsonPointer::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A string that is not a valid escaped JSON Pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointerError {
    pointer: String,
    kind: PointerErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PointerErrorKind {
    NoLeadingSlash,
    BadEscape { offset: usize },
}

impl PointerError {
    /// The rejected string.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }
}

impl fmt::Display for PointerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PointerErrorKind::NoLeadingSlash => write!(
                f,
                "invalid JSON pointer {:?}: must be empty or start with `/`",
                self.pointer
            ),
            PointerErrorKind::BadEscape { offset } => write!(
                f,
                "invalid JSON pointer {:?}: `~` at byte {offset} is not followed by `0` or `1`",
                self.pointer
            ),
        }
    }
}

impl std::error::Error for PointerError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(patch: Result<JsonPatch, PatchError>, expected: &str) {
        let patch = patch.unwrap();
        assert_eq!(serde_json::to_string(&patch).unwrap(), expected);
        let back: JsonPatch = serde_json::from_str(expected).unwrap();
        assert_eq!(back, patch, "round trip of {expected}");
    }

    /// The three `updateMachineIdentity` request examples in the spec.
    #[test]
    fn machine_identity_examples_serialize_exactly() {
        check(
            JsonPatch::new().add("/attributes/securityRisk", "medium"),
            r#"[{"op":"add","path":"/attributes/securityRisk","value":"medium"}]"#,
        );
        check(
            JsonPatch::new().replace("/attributes/securityRisk", "medium"),
            r#"[{"op":"replace","path":"/attributes/securityRisk","value":"medium"}]"#,
        );
        check(
            JsonPatch::new().remove("/attributes/securityRisk"),
            r#"[{"op":"remove","path":"/attributes/securityRisk"}]"#,
        );
    }

    #[test]
    fn every_operation_serializes_in_rfc_shape() {
        check(Ok(JsonPatch::new()), "[]");
        check(
            JsonPatch::new()
                .add("/a/-", json!({"k": [1, true, null]}))
                .and_then(|p| p.test("/a/0", 1))
                .and_then(|p| p.move_from("/a/b", "/a/c"))
                .and_then(|p| p.copy_from("/a/c", "/d"))
                .and_then(|p| p.replace("", json!(null)))
                .and_then(|p| p.remove("/~0~1")),
            concat!(
                r#"[{"op":"add","path":"/a/-","value":{"k":[1,true,null]}},"#,
                r#"{"op":"test","path":"/a/0","value":1},"#,
                r#"{"op":"move","from":"/a/b","path":"/a/c"},"#,
                r#"{"op":"copy","from":"/a/c","path":"/d"},"#,
                r#"{"op":"replace","path":"","value":null},"#,
                r#"{"op":"remove","path":"/~0~1"}]"#,
            ),
        );
    }

    #[test]
    fn try_variants_serialize_any_value() {
        #[derive(Serialize)]
        struct Owner<'a> {
            id: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
        }
        let owner = Owner {
            id: "2c91",
            kind: "IDENTITY",
        };
        check(
            JsonPatch::new()
                .try_add("/owner", &owner)
                .and_then(|p| p.try_replace("/tags", &["a", "b"][..]))
                .and_then(|p| p.try_test("/enabled", &true)),
            concat!(
                r#"[{"op":"add","path":"/owner","value":{"id":"2c91","type":"IDENTITY"}},"#,
                r#"{"op":"replace","path":"/tags","value":["a","b"]},"#,
                r#"{"op":"test","path":"/enabled","value":true}]"#,
            ),
        );
    }

    #[test]
    fn unserializable_value_is_an_error() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1u8], "non-string key");
        let err = JsonPatch::new().try_add("/a", &map).unwrap_err();
        assert!(matches!(err, PatchError::Serialize(_)), "{err:?}");
    }

    #[test]
    fn invalid_paths_are_errors_not_panics() {
        let err = JsonPatch::new().add("attributes", 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid JSON pointer "attributes": must be empty or start with `/`"#
        );
        let err = JsonPatch::new().move_from("/a", "/b~2").unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid JSON pointer "/b~2": `~` at byte 2 is not followed by `0` or `1`"#
        );
        assert!(JsonPatch::new().copy_from("a", "/b").is_err());
        assert!(JsonPatch::new().remove("/trailing~").is_err());
    }

    #[test]
    fn pointer_parse_accepts_only_rfc6901() {
        let cases = [
            ("", true),
            ("/", true),
            ("//", true),
            ("/a/b", true),
            ("/a~0b~1c", true),
            ("/~01", true),
            ("/ü/🦀 x", true),
            ("a", false),
            (" /a", false),
            ("~0", false),
            ("/~", false),
            ("/~2", false),
            ("/a~/b", false),
        ];
        for (input, ok) in cases {
            assert_eq!(JsonPointer::parse(input).is_ok(), ok, "{input:?}");
            assert_eq!(input.parse::<JsonPointer>().is_ok(), ok, "{input:?}");
        }
    }

    #[test]
    fn pointer_segments_escape_and_unescape() {
        let cases: [(&[&str], &str); 8] = [
            (&[], ""),
            (&[""], "/"),
            (&["a", "b"], "/a/b"),
            (&["a/b"], "/a~1b"),
            (&["m~n"], "/m~0n"),
            (&["~1"], "/~01"),
            (&["/~", "~/"], "/~1~0/~0~1"),
            (&["0", "-"], "/0/-"),
        ];
        for (segments, escaped) in cases {
            let pointer = JsonPointer::from_segments(segments);
            assert_eq!(pointer.as_str(), escaped);
            assert_eq!(JsonPointer::parse(escaped).unwrap(), pointer);
            assert_eq!(pointer.segments().collect::<Vec<_>>(), segments);
            assert_eq!(pointer.is_root(), segments.is_empty());
        }
        let base = JsonPointer::from_segments(["attributes"]);
        assert_eq!(base.join("a/b").to_string(), "/attributes/a~1b");
        assert_eq!(JsonPointer::root().join("x").as_str(), "/x");
    }

    #[test]
    fn escaped_pointer_from_segments_is_a_valid_builder_path() {
        let path = JsonPointer::from_segments(["attributes", "risk/level~x"]);
        check(
            JsonPatch::new().add(&path, "high"),
            r#"[{"op":"add","path":"/attributes/risk~1level~0x","value":"high"}]"#,
        );
    }

    #[test]
    fn deserialization_validates_and_tolerates_unknown_members() {
        let patch: JsonPatch = serde_json::from_str(
            r#"[{"path":"/a","value":null,"op":"add","comment":"ignored"},{"op":"remove","path":"/b"}]"#,
        )
        .unwrap();
        assert_eq!(
            patch.operations(),
            [
                PatchOperation::Add {
                    path: JsonPointer::parse("/a").unwrap(),
                    value: Value::Null,
                },
                PatchOperation::Remove {
                    path: JsonPointer::parse("/b").unwrap(),
                },
            ]
        );
        assert_eq!(patch.operations()[0].op(), "add");
        assert_eq!(patch.operations()[1].path().as_str(), "/b");

        let invalid = [
            r#"[{"op":"add","path":"/a"}]"#,
            r#"[{"op":"remove","path":"a"}]"#,
            r#"[{"op":"remove","path":"/a~"}]"#,
            r#"[{"op":"move","path":"/a"}]"#,
            r#"[{"op":"frobnicate","path":"/a"}]"#,
            r#"[{"path":"/a"}]"#,
            r#"{"op":"remove","path":"/a"}"#,
        ];
        for json in invalid {
            assert!(serde_json::from_str::<JsonPatch>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn collection_conversions() {
        let ops = vec![PatchOperation::Remove {
            path: JsonPointer::root(),
        }];
        let patch = JsonPatch::from(ops.clone());
        assert_eq!(patch.len(), 1);
        assert!(!patch.is_empty());
        assert_eq!(patch.clone().into_iter().collect::<JsonPatch>(), patch);
        assert_eq!((&patch).into_iter().count(), 1);
        assert_eq!(patch.into_operations(), ops);
        assert!(JsonPatch::default().is_empty());
    }
}
