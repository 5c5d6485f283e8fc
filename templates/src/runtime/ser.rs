//! What the generated structs' `Serialize` impls share (see `de.rs` for why
//! they are written out rather than derived).
//!
//! A generated `serialize` is a straight list of calls, one per field, with
//! no branch of its own: the writer keeps the first error and skips the
//! rest, and `end` returns it.

use serde::ser::Serialize;
// @sdk if additional_properties

use serde::ser::SerializeMap;
// @sdk end
// @sdk if closed_structs

use serde::ser::SerializeStruct;
// @sdk end
// @sdk if closed_structs

/// Writes the fields of a struct with a fixed set of properties.
pub(crate) struct StructWriter<M: SerializeStruct> {
    out: M,
    error: Option<M::Error>,
}

impl<M: SerializeStruct> StructWriter<M> {
    /// Writes into `out`, from `Serializer::serialize_struct`.
    pub(crate) fn new(out: M) -> Self {
        StructWriter { out, error: None }
    }

    /// Writes property `name`.
    #[allow(dead_code)] // Used or not, depending on the spec's structs.
    pub(crate) fn field<T: ?Sized + Serialize>(&mut self, name: &'static str, value: &T) {
        if self.error.is_none() {
            if let Err(err) = self.out.serialize_field(name, value) {
                self.error = Some(err);
            }
        }
    }

    /// Writes property `name` unless `value` is `None`.
    #[allow(dead_code)] // Used or not, depending on the spec's structs.
    pub(crate) fn optional<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.field(name, value);
        }
    }

    /// Ends the struct, or returns the first error.
    pub(crate) fn end(self) -> Result<M::Ok, M::Error> {
        match self.error {
            Some(err) => Err(err),
            None => self.out.end(),
        }
    }
}
// @sdk end
// @sdk if additional_properties

/// Writes the fields of a struct that keeps undeclared properties, as a map
/// (what serde's `flatten` writes).
pub(crate) struct MapWriter<M: SerializeMap> {
    out: M,
    error: Option<M::Error>,
}

impl<M: SerializeMap> MapWriter<M> {
    /// Writes into `out`, from `Serializer::serialize_map`.
    pub(crate) fn new(out: M) -> Self {
        MapWriter { out, error: None }
    }

    /// Writes property `name`.
    #[allow(dead_code)] // Used or not, depending on the spec's structs.
    pub(crate) fn field<T: ?Sized + Serialize>(&mut self, name: &str, value: &T) {
        if self.error.is_none() {
            if let Err(err) = self.out.serialize_entry(name, value) {
                self.error = Some(err);
            }
        }
    }

    /// Writes property `name` unless `value` is `None`.
    #[allow(dead_code)] // Used or not, depending on the spec's structs.
    pub(crate) fn optional<T: Serialize>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.field(name, value);
        }
    }

    /// Writes every undeclared property, after the declared ones.
    pub(crate) fn extra<T: Serialize>(&mut self, extra: &std::collections::BTreeMap<String, T>) {
        for (name, value) in extra {
            self.field(name, value);
        }
    }

    /// Ends the map, or returns the first error.
    pub(crate) fn end(self) -> Result<M::Ok, M::Error> {
        match self.error {
            Some(err) => Err(err),
            None => self.out.end(),
        }
    }
}
// @sdk end
