//! What the generated structs' `Deserialize` impls share.
//!
//! `models.rs` implements `Serialize` and `Deserialize` for its structs by
//! hand rather than with serde's derives, for a fraction of the derives'
//! compile time and memory (issue 13 part 5). A struct's `Deserialize` goes
//! through the one [`StructVisitor`] to its [`FromMap`] impl: an `Option`
//! slot per field, one [`read_fields`] call that fills them (a struct that
//! keeps its undeclared properties loops itself, on [`index`]), and one check
//! of the required fields ([`missing`]). It decodes what the derive decodes:
//! unknown properties ignored (or kept in the struct's
//! `additional_properties`), a repeated property an error, a missing required
//! property an error, a missing or `null` optional one `None`, with the same
//! error messages. Only a JSON object decodes into a struct (the derive also
//! took an array of the fields in order, which no API sends).

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A struct that decodes from a map: what a generated struct implements
/// instead of a `Visitor` of its own, so that the crate has one visitor
/// ([`StructVisitor`]) for all its structs, not one per struct.
pub(crate) trait FromMap<'de>: Sized {
    /// What the decoding error says was expected (`struct Name`).
    const EXPECTING: &'static str;

    /// Decodes the struct from the entries of `map`.
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Decodes a struct through [`FromMap`]; only a map is accepted.
pub(crate) fn from_map<'de, T: FromMap<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(StructVisitor(std::marker::PhantomData))
}

/// The one `Visitor` of the generated structs.
struct StructVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

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
// @sdk if closed_structs

/// The position in `names` of the next property of `map` that is one of
/// them, reading past the properties that are not; `None` at the end of the
/// map.
pub(crate) fn next_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    names: &[&str],
) -> Result<Option<usize>, A::Error> {
    while let Some(key) = map.next_key::<Key<'de>>()? {
        if let Some(k) = names.iter().position(|name| *name == key.as_str()) {
            return Ok(Some(k));
        }
        map.next_value::<de::IgnoredAny>()?;
    }
    Ok(None)
}
// @sdk end
// @sdk if struct_fields

/// A field's slot, whatever its type (an `Option` of it): what
/// [`read_fields`] decodes a property into.
pub(crate) trait Slot<'de, A: MapAccess<'de>> {
    /// Decodes the value of property `name` into the slot; a second value
    /// for the same property is an error, as with serde's derive.
    fn read(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error>;
}

impl<'de, A: MapAccess<'de>, T: Deserialize<'de>> Slot<'de, A> for Option<T> {
    fn read(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error> {
        if self.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *self = Some(map.next_value()?);
        Ok(())
    }
}
// @sdk end
// @sdk if closed_struct_fields

/// Reads every property of `map` into the slot of the same position in
/// `names`, ignoring the properties not named: the whole decoding loop of a
/// struct that ignores undeclared properties, so that the struct's own code
/// is only its slots and this one call.
pub(crate) fn read_fields<'de, A: MapAccess<'de>>(
    map: &mut A,
    names: &[&'static str],
    slots: &mut [&mut dyn Slot<'de, A>],
) -> Result<(), A::Error> {
    while let Some(k) = next_field(map, names)? {
        if let (Some(slot), Some(name)) = (slots.get_mut(k), names.get(k)) {
            slot.read(map, name)?;
        }
    }
    Ok(())
}
// @sdk end
// @sdk if open_struct_fields

/// The position of `key` in `names`, or `names.len()` when it is not there
/// (an undeclared property, kept by the caller).
pub(crate) fn index(names: &[&str], key: &str) -> usize {
    names
        .iter()
        .position(|name| *name == key)
        .unwrap_or(names.len())
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
