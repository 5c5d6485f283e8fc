//! What the generated structs' `Deserialize` impls share.
//!
//! `models.rs` implements `Serialize` and `Deserialize` for its structs by
//! hand rather than with serde's derives: one `visit_map` with one `match`
//! on the key, each arm a call into this module. It decodes what the derive
//! decodes (unknown properties ignored, or kept in the struct's
//! `additional_properties`; a repeated property is an error; a missing
//! required property is an error; a missing or `null` optional one is
//! `None`), with the same error messages, for a fraction of the derive's
//! compile time. Only a JSON object decodes into a struct (the derive also
//! took an array of the fields in order, which no API sends).

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// An object key, borrowed from the input when the format allows it.
pub(crate) struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    // @sdk if additional_properties
    /// The key, owned.
    pub(crate) fn into_string(self) -> String {
        self.0.into_owned()
    }
    // @sdk end
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a property name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

// @sdk if struct_fields
/// The position of `key` in `names`, or `names.len()` when it is not there:
/// a generated `visit_map` matches on the position, a branch on an integer,
/// not a string comparison per property.
pub(crate) fn index(names: &[&str], key: &str) -> usize {
    names.iter().position(|name| *name == key).unwrap_or(names.len())
}
// @sdk end

/// Decodes the value of property `name` into `slot`; a second value for the
/// same property is an error, as with serde's derive.
// @sdk if struct_fields
pub(crate) fn field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}
// @sdk end

// @sdk if closed_structs
/// Reads past the value of a property the struct does not declare.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}
// @sdk end

// @sdk if required_fields
/// The error serde's derive gives for the first required property of
/// `names` that is `absent`.
pub(crate) fn missing<E: de::Error>(names: &[&'static str], absent: &[bool]) -> E {
    let first = names.iter().zip(absent).find(|(_, absent)| **absent);
    E::missing_field(first.map_or("", |(name, _)| *name))
}
// @sdk end
