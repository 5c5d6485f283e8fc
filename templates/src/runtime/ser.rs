//! What the generated structs' `Serialize` impls share (see `de.rs` for why
//! they are written out rather than derived).
//!
//! A struct's own impl is its [`Fields`]: one line per field, in declaration
//! order. [`serialize_struct`] runs that list twice, once to count the
//! fields that will be written and once to write them, so that the
//! serializer sees the derive's calls: `serialize_struct` with the exact
//! length, `serialize_field` per field (an `Option` as itself, so a present
//! one goes through `serialize_some`), and `skip_field` for an empty
//! optional field that is left out.
//!
//! A read-only property (`readOnly` in the spec: set by the server) is
//! written like any optional one, except into a request: while a request
//! body or parameter is serialized ([`super::request::as_request`]) it is
//! left out, at any depth. So a model fetched from the server can be sent
//! back as a request body, and a model serialized anywhere else (stored,
//! logged, returned by the test kit's mock tenant) keeps every property.

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// A struct's fields, written to a [`Writer`]: what a generated struct
/// implements instead of `Serialize`'s body.
pub(crate) trait Fields {
    /// The struct's name, as `serialize_struct` is given it.
    const NAME: &'static str;

    /// Writes every field to `out`, in declaration order.
    fn write<W: Writer>(&self, out: &mut W);
}

/// Where [`Fields::write`] writes.
pub(crate) trait Writer {
    /// Writes property `name`, whatever its value (`None` as `null`).
    /// (Only the models of a spec with required properties call it.)
    #[allow(dead_code)]
    fn field<T: ?Sized + Serialize>(&mut self, name: &'static str, value: &T);

    /// Writes property `name` unless `value` is `None`.
    fn optional<T: Serialize>(&mut self, name: &'static str, value: &Option<T>);

    /// Writes read-only property `name` unless `value` is `None` or a
    /// request is being serialized. (Only the models of a spec with
    /// `readOnly` properties call it.)
    #[allow(dead_code)]
    fn read_only<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if skips_read_only(value) {
            // The derive's call for a skipped field, with the value's type.
            self.optional(name, &None::<&T>);
        } else {
            self.optional(name, value);
        }
    }
}

/// Whether read-only property `value` is left out: empty, or in a request.
pub(crate) fn skips_read_only<T>(value: &Option<T>) -> bool {
    value.is_none() || super::request::in_request()
}

/// Serializes a struct as serde's derive does (see the module docs).
pub(crate) fn serialize_struct<T: Fields, S: Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut count = Count(0);
    value.write(&mut count);
    let mut out = StructWriter {
        out: serializer.serialize_struct(T::NAME, count.0)?,
        error: None,
    };
    value.write(&mut out);
    match out.error {
        Some(err) => Err(err),
        None => out.out.end(),
    }
}

/// Counts the fields that will be written.
struct Count(usize);

impl Writer for Count {
    fn field<T: ?Sized + Serialize>(&mut self, _: &'static str, _: &T) {
        self.0 += 1;
    }

    fn optional<T: Serialize>(&mut self, _: &'static str, value: &Option<T>) {
        self.0 += usize::from(value.is_some());
    }
}

/// Writes the fields into a `SerializeStruct`, keeping the first error (the
/// calls after it are skipped).
struct StructWriter<M: SerializeStruct> {
    out: M,
    error: Option<M::Error>,
}

impl<M: SerializeStruct> StructWriter<M> {
    fn keep(&mut self, result: Result<(), M::Error>) {
        if let Err(err) = result {
            self.error = Some(err);
        }
    }
}

impl<M: SerializeStruct> Writer for StructWriter<M> {
    fn field<T: ?Sized + Serialize>(&mut self, name: &'static str, value: &T) {
        if self.error.is_none() {
            let result = self.out.serialize_field(name, value);
            self.keep(result);
        }
    }

    fn optional<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if self.error.is_none() {
            let result = match value {
                Some(_) => self.out.serialize_field(name, value),
                None => self.out.skip_field(name),
            };
            self.keep(result);
        }
    }
}
