//! A uniform view of an `openapiv3::Schema`.
//!
//! `openapiv3` splits schemas into typed variants and falls back to
//! `AnySchema` when keywords mix (`type: object` with `allOf`, a `string`
//! with `properties`, ...). Lowering wants one shape, so this module folds
//! every variant into [`View`].

use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

/// Properties as `openapiv3` stores them.
pub(crate) type Props = indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>;

static NO_PROPS: std::sync::OnceLock<Props> = std::sync::OnceLock::new();

/// Every keyword lowering looks at, whatever `openapiv3` variant held it.
pub(crate) struct View<'a> {
    pub data: &'a SchemaData,
    pub typ: Option<String>,
    pub format: Option<String>,
    pub enumeration: Vec<Value>,
    pub properties: &'a Props,
    pub required: &'a [String],
    pub additional: Option<&'a AdditionalProperties>,
    pub items: Option<&'a ReferenceOr<Box<Schema>>>,
    pub one_of: &'a [ReferenceOr<Schema>],
    pub any_of: &'a [ReferenceOr<Schema>],
    pub all_of: &'a [ReferenceOr<Schema>],
    pub not: bool,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
}

fn fmt<T: std::fmt::Debug>(
    f: &VariantOrUnknownOrEmpty<T>,
    known: impl Fn(&T) -> &'static str,
) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(t) => Some(known(t).to_string()),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn opt_values<T: Into<Value> + Clone>(values: &[Option<T>]) -> Vec<Value> {
    values
        .iter()
        .map(|v| v.clone().map(Into::into).unwrap_or(Value::Null))
        .collect()
}

impl<'a> View<'a> {
    pub(crate) fn of(schema: &'a Schema) -> View<'a> {
        let props = NO_PROPS.get_or_init(Props::default);
        let mut v = View {
            data: &schema.schema_data,
            typ: None,
            format: None,
            enumeration: Vec::new(),
            properties: props,
            required: &[],
            additional: None,
            items: None,
            one_of: &[],
            any_of: &[],
            all_of: &[],
            not: false,
            minimum: None,
            maximum: None,
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                v.typ = Some("string".into());
                v.format = fmt(&s.format, |f| match f {
                    StringFormat::Date => "date",
                    StringFormat::DateTime => "date-time",
                    StringFormat::Password => "password",
                    StringFormat::Byte => "byte",
                    StringFormat::Binary => "binary",
                });
                v.enumeration = opt_values(&s.enumeration);
            }
            SchemaKind::Type(Type::Number(n)) => {
                v.typ = Some("number".into());
                v.format = fmt(&n.format, |f| match f {
                    openapiv3::NumberFormat::Float => "float",
                    openapiv3::NumberFormat::Double => "double",
                });
                v.enumeration = opt_values(&n.enumeration);
                v.minimum = n.minimum;
                v.maximum = n.maximum;
            }
            SchemaKind::Type(Type::Integer(n)) => {
                v.typ = Some("integer".into());
                v.format = fmt(&n.format, |f| match f {
                    openapiv3::IntegerFormat::Int32 => "int32",
                    openapiv3::IntegerFormat::Int64 => "int64",
                });
                v.enumeration = opt_values(&n.enumeration);
                v.minimum = n.minimum.map(|m| m as f64);
                v.maximum = n.maximum.map(|m| m as f64);
            }
            SchemaKind::Type(Type::Boolean(b)) => {
                v.typ = Some("boolean".into());
                v.enumeration = opt_values(&b.enumeration);
            }
            SchemaKind::Type(Type::Object(o)) => {
                v.typ = Some("object".into());
                v.properties = &o.properties;
                v.required = &o.required;
                v.additional = o.additional_properties.as_ref();
            }
            SchemaKind::Type(Type::Array(a)) => {
                v.typ = Some("array".into());
                v.items = a.items.as_ref();
            }
            SchemaKind::OneOf { one_of } => v.one_of = one_of,
            SchemaKind::AnyOf { any_of } => v.any_of = any_of,
            SchemaKind::AllOf { all_of } => v.all_of = all_of,
            SchemaKind::Not { .. } => v.not = true,
            SchemaKind::Any(a) => {
                v.typ = a.typ.clone();
                v.format = a.format.clone();
                v.enumeration = a.enumeration.clone();
                v.properties = &a.properties;
                v.required = &a.required;
                v.additional = a.additional_properties.as_ref();
                v.items = a.items.as_ref();
                v.one_of = &a.one_of;
                v.any_of = &a.any_of;
                v.all_of = &a.all_of;
                v.not = a.not.is_some();
                v.minimum = a.minimum;
                v.maximum = a.maximum;
            }
        }
        v
    }

    /// Whether this schema only annotates (title, description, example,
    /// `type: object` with nothing else): an `allOf` member like that adds
    /// no shape.
    pub(crate) fn is_annotation_only(&self) -> bool {
        matches!(self.typ.as_deref(), None | Some("object"))
            && self.properties.is_empty()
            && self.required.is_empty()
            && self.additional.is_none()
            && self.items.is_none()
            && self.enumeration.is_empty()
            && self.one_of.is_empty()
            && self.any_of.is_empty()
            && self.all_of.is_empty()
            && !self.not
            && self.format.is_none()
    }
}
