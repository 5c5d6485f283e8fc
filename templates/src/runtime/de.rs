//! What the generated structs' `Deserialize` impls share.
//!
//! `models.rs` writes `Serialize` and `Deserialize` out for its structs
//! rather than deriving them, for a fraction of the derives' compile time and
//! memory (issue 13 part 5). What serde's derive expands into every struct (a
//! visitor, a field-name visitor, the loop over the properties) lives here
//! once; a struct's own impl is its [`FromMap`]: a slot per field, named
//! after it, one [`read_fields`] call that fills them, and the value built
//! from the slots.
//!
//! The calls and the outcome are the derive's: [`from_map`] asks for
//! `deserialize_struct` with the struct's name and property names (so a
//! struct flattened into another takes only its own properties out of the
//! shared map); a property name may come as a string, bytes or the
//! property's position; unknown properties are skipped as
//! `IgnoredAny`; a repeated property, a missing required one or a value of
//! the wrong type is an error with the derive's message; a missing or `null`
//! optional one is `None`. One difference, on purpose: only a map decodes
//! into a struct (the derive also took a sequence of the fields in order,
//! which no API sends; MessagePack users encode with `rmp_serde::to_vec_named`).
//! Structs that keep their undeclared properties use serde's derive with
//! `#[serde(flatten)]`.

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// A struct that decodes from a map: what a generated struct implements
/// instead of a `Visitor` of its own, so that the crate has one visitor
/// ([`StructVisitor`]) for all its structs, not one per struct.
pub(crate) trait FromMap<'de>: Sized {
    /// The struct's name, as `deserialize_struct` is given it.
    const NAME: &'static str;
    /// The struct's property names, in declaration order.
    const FIELDS: &'static [&'static str];

    /// Decodes the struct from the entries of `map`.
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Decodes a struct through [`FromMap`], as `deserialize_struct`.
pub(crate) fn from_map<'de, T: FromMap<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_struct(T::NAME, T::FIELDS, StructVisitor(PhantomData))
}

/// The one `Visitor` of the generated structs.
struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: FromMap<'de>> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// A property name as the derive's field visitor takes it: a string, bytes
/// or the property's position (borrowed from the input when the format
/// allows it).
enum Key<'de> {
    Str(Cow<'de, str>),
    Bytes(Cow<'de, [u8]>),
    Index(u64),
}

impl Key<'_> {
    /// The position of the property among `names`, `None` for a property
    /// the struct does not declare.
    fn position(&self, names: &[&str]) -> Option<usize> {
        match self {
            Key::Str(key) => names.iter().position(|name| *name == &**key),
            Key::Bytes(key) => names.iter().position(|name| name.as_bytes() == &key[..]),
            Key::Index(k) => usize::try_from(*k).ok().filter(|k| *k < names.len()),
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key<'de>, E> {
                Ok(Key::Index(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Str(Cow::Owned(v)))
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Key<'de>, E> {
                Ok(Key::Bytes(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key<'de>, E> {
                Ok(Key::Bytes(Cow::Owned(v.to_owned())))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Key<'de>, E> {
                Ok(Key::Bytes(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A field's slot, whatever its type (an `Option` of it): what
/// [`read_fields`] decodes a property into.
pub(crate) trait Slot<'de, A: MapAccess<'de>> {
    /// Decodes the value of property `name` into the slot; a second value
    /// for the same property is an error, as with serde's derive.
    fn read(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error>;

    /// Whether a value was read.
    fn is_filled(&self) -> bool;
}

impl<'de, A: MapAccess<'de>, T: Deserialize<'de>> Slot<'de, A> for Option<T> {
    fn read(&mut self, map: &mut A, name: &'static str) -> Result<(), A::Error> {
        if self.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *self = Some(map.next_value()?);
        Ok(())
    }

    fn is_filled(&self) -> bool {
        self.is_some()
    }
}

/// Reads every property of `map` into the slot of the same position in
/// `names`, skipping the properties not named: the whole decoding loop of a
/// struct, so that the struct's own code is its slots and this one call.
pub(crate) fn read_fields<'de, A: MapAccess<'de>>(
    map: &mut A,
    names: &'static [&'static str],
    slots: &mut [&mut dyn Slot<'de, A>],
) -> Result<Read, A::Error> {
    while let Some(key) = map.next_key::<Key<'de>>()? {
        let k = key.position(names);
        match (
            k.and_then(|k| slots.get_mut(k)),
            k.and_then(|k| names.get(k)),
        ) {
            (Some(slot), Some(name)) => slot.read(map, name)?,
            _ => {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
    }
    let filled = if slots.len() <= 128 {
        let bits = (slots.iter().enumerate()).fold(0u128, |bits, (k, slot)| {
            bits | (u128::from(slot.is_filled()) << k)
        });
        Filled::Word(bits)
    } else {
        Filled::List(slots.iter().map(|slot| slot.is_filled()).collect())
    };
    Ok(Read { names, filled })
}

/// Which properties [`read_fields`] found.
pub(crate) struct Read {
    names: &'static [&'static str],
    filled: Filled,
}

impl Read {
    /// The error serde's derive gives when a required property is missing:
    /// it names the first of `required` (in declaration order) not read.
    #[allow(dead_code)] // Used or not, depending on the spec's structs.
    pub(crate) fn missing<E: de::Error>(&self, required: &[&'static str]) -> E {
        let filled = |name: &&str| {
            let k = self.names.iter().position(|n| n == name);
            k.is_some_and(|k| self.filled.get(k))
        };
        let first = required.iter().find(|name| !filled(name));
        E::missing_field(first.copied().unwrap_or_default())
    }
}

/// A set of slot positions: a word for the usual struct, a list beyond.
enum Filled {
    Word(u128),
    List(Vec<bool>),
}

impl Filled {
    fn get(&self, k: usize) -> bool {
        match self {
            Filled::Word(bits) => k < 128 && bits & (1 << k) != 0,
            Filled::List(list) => list.get(k).copied().unwrap_or(false),
        }
    }
}
