//! Typed `filters` and `sorters` query parameters for list operations.
//!
//! SailPoint list endpoints take a `filters` expression in the
//! [V3 filter syntax](https://developer.sailpoint.com/docs/standard-collection-parameters)
//! (`name sw "Build" and not (type eq "ROLE" or pr owner)`) and a `sorters` list
//! (`-created,name`). Each endpoint documents which fields it can filter on and which
//! operators each field supports. This module makes that documentation part of the
//! type system: every list operation gets a *scope* type whose associated functions
//! return one [`Field`] per documented field, and a field only has methods for the
//! operators documented for it. An undocumented field or operator does not compile, and a
//! [`Filter`] built for one operation cannot be passed to another.
//!
//! ```
//! use sailpoint_v2025::filter::{ops, Field, Filter};
//!
//! // What the generator emits for one operation (see "Generated shape" below).
//! pub struct ListThingsFilter;
//! impl ListThingsFilter {
//!     pub const fn id() -> Field<ListThingsFilter, String, (ops::Eq, ops::In)> {
//!         Field::new("id")
//!     }
//!     pub const fn name() -> Field<ListThingsFilter, String, (ops::Eq, ops::Sw, ops::IsNull)> {
//!         Field::new("name")
//!     }
//! }
//!
//! type F = ListThingsFilter;
//! let filter = F::name().sw("Build") & (F::id().in_(["a", "b"]) | !F::name().is_null());
//! assert_eq!(
//!     filter.to_string(),
//!     r#"name sw "Build" and (id in ("a","b") or not name isnull)"#,
//! );
//! ```
//!
//! Calling an operator that the field does not document is a compile error:
//!
//! ```compile_fail,E0277
//! # use sailpoint_v2025::filter::{ops, Field};
//! # pub struct ListThingsFilter;
//! # impl ListThingsFilter {
//! #     pub const fn id() -> Field<ListThingsFilter, String, (ops::Eq, ops::In)> { Field::new("id") }
//! # }
//! let filter = ListThingsFilter::id().sw("2c91"); // `sw` is not documented for `id`
//! ```
//!
//! # Rendering
//!
//! [`Filter`] implements [`Display`](fmt::Display), which gives the wire string; the
//! runtime percent-encodes it as a query value, so `#`, `%`, `&` and spaces need no
//! special treatment here.
//!
//! - Strings are written in double quotes; `\` becomes `\\` and `"` becomes `\"`, so no
//!   value can end the literal early. Every other character (including newlines and
//!   non-ASCII) is written as is.
//! - Booleans are `true` / `false`, integers and floats are bare decimal numbers
//!   (`f64` uses Rust's shortest round-trip form, never an exponent; NaN and infinities
//!   have no representation and are rejected by the server).
//! - Date-times are bare RFC 3339 UTC timestamps (`created gt 2018-12-18T23:05:55Z`),
//!   with fractional seconds only when they are not zero.
//! - `in` and `ca` lists are `("a","b")`; `isnull` is postfix (`name isnull`) and `pr` is
//!   prefix (`pr name`).
//! - `not` binds tighter than `and`, which binds tighter than `or`. Parentheses are
//!   written only where that precedence would otherwise change the meaning, plus around
//!   any compound operand of `not` and around every [`Filter::raw`] operand (whose
//!   precedence is unknown): `a and (b or c)`, `a or b and c`, `not (a or b)`.
//!
//! # Sorting
//!
//! [`Sort`] pairs a per-operation [`SortField`] enum with a direction, and
//! [`render_sorters`] turns a list of them into the wire string:
//!
//! ```
//! use sailpoint_v2025::filter::{render_sorters, Sort, SortField};
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
//! pub enum ListThingsSortField { Name, Created }
//! impl SortField for ListThingsSortField {
//!     fn wire(&self) -> &'static str {
//!         match self {
//!             Self::Name => "name",
//!             Self::Created => "created",
//!         }
//!     }
//! }
//!
//! let sorters = render_sorters([ListThingsSortField::Created.desc(), Sort::asc(ListThingsSortField::Name)]);
//! assert_eq!(sorters.as_deref(), Some("-created,name"));
//! ```
//!
//! # Generated shape
//!
//! For a list operation `listThings` whose `filters` parameter carries `x-sdk-filterable`,
//! the generator emits, next to the operation's builder `ListThings`:
//!
//! ```text
//! /// Filterable fields of `listThings`; build a `Filter<ListThingsFilter>` from them.
//! #[derive(Debug, Clone, Copy)]
//! pub struct ListThingsFilter;
//!
//! impl ListThingsFilter {
//!     /// `id` (string): `eq`, `in`, `sw`.
//!     pub const fn id() -> crate::filter::Field<ListThingsFilter, ::std::string::String,
//!         (crate::filter::ops::Eq, crate::filter::ops::In, crate::filter::ops::Sw)> {
//!         crate::filter::Field::new("id")
//!     }
//!     // one function per documented field, in spec order
//! }
//! ```
//!
//! - One unit struct per operation, named `{Operation}Filter`; it is the scope `S`.
//! - One `pub const fn` per field, named after the wire path in snake case
//!   (`owners.primaryIdentity.name` becomes `owners_primary_identity_name`), returning
//!   `Field<Scope, V, (ops...,)>` and calling `Field::new("<wire path>")`.
//! - `V` by `type`: `string` to `String`, `boolean` to `bool`, `integer` to `i64`,
//!   `number` to `f64`, `date-time` to `chrono::DateTime<chrono::Utc>`.
//! - The operator set is a tuple of 1 to 12 distinct markers from [`ops`], always with a
//!   trailing comma, so that one operator is the 1-tuple `(ops::Eq,)` and not the bare
//!   type. A repeated marker makes the operator's method ambiguous; `co`
//!   and `sw` exist only on `String` fields; a field with no operators is not emitted.
//! - The builder stores `Option<String>` and offers
//!   `filters(self, impl IntoFilter<ListThingsFilter>)` (storing the filter's string; only
//!   `Filter<ListThingsFilter>` implements it, and anything else gets a compile error that
//!   points to `filters_raw`) and `filters_raw(self, impl Into<String>)`.
//!
//! For a `sorters` parameter with `x-sdk-sortable`, the generator emits
//! `#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)] pub enum ListThingsSortField { .. }`,
//! one variant per wire field (in spec order, PascalCase of the wire path), and
//! `impl crate::filter::SortField for ListThingsSortField` whose `wire` returns the wire
//! name. The builder offers `sorters(self, impl IntoSorters<ListThingsSortField>)` (one
//! `Sort`, or a list of sorts or fields; storing `IntoSorters::into_sorters`) and
//! `sorters_raw(self, impl Into<String>)`.

use std::fmt;
use std::marker::PhantomData;

/// A `filters` expression for the list operation whose scope type is `S`.
///
/// Build one from the field functions of a generated scope (for example
/// `ListMachineIdentitiesFilter::id().eq("...")`) and combine filters with
/// [`and`](Filter::and) / `&`, [`or`](Filter::or) / `|` and [`not`](Filter::not) / `!`.
/// [`Display`](fmt::Display) gives the wire string.
pub struct Filter<S> {
    expr: Expr,
    // `fn() -> S` keeps `Filter<S>` `Send + Sync` and free of `S`'s auto traits.
    scope: PhantomData<fn() -> S>,
}

/// The expression tree behind a [`Filter`]; literals are rendered when a leaf is built.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Expr {
    /// `field op literal`, for `eq`, `ne`, `gt`, `ge`, `lt`, `le`, `co` and `sw`.
    Compare {
        field: &'static str,
        op: &'static str,
        literal: String,
    },
    /// `field op (l1,l2,...)`, for `in` and `ca`.
    List {
        field: &'static str,
        op: &'static str,
        literals: Vec<String>,
    },
    /// `field isnull`.
    IsNull(&'static str),
    /// `pr field`.
    Present(&'static str),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// A caller-written expression of unknown precedence.
    Raw(String),
}

/// Binding strength of an expression's top-level operator; higher binds tighter.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Raw,
    Or,
    And,
    Not,
    Leaf,
}

impl Expr {
    fn prec(&self) -> Prec {
        match self {
            Expr::Raw(_) => Prec::Raw,
            Expr::Or(..) => Prec::Or,
            Expr::And(..) => Prec::And,
            Expr::Not(_) => Prec::Not,
            Expr::Compare { .. } | Expr::List { .. } | Expr::IsNull(_) | Expr::Present(_) => {
                Prec::Leaf
            }
        }
    }

    /// Writes `self` as an operand that must bind at least as tightly as `min`.
    fn fmt_operand(&self, min: Prec, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prec() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare { field, op, literal } => write!(f, "{field} {op} {literal}"),
            Expr::List {
                field,
                op,
                literals,
            } => {
                write!(f, "{field} {op} (")?;
                for (i, literal) in literals.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(literal)?;
                }
                f.write_str(")")
            }
            Expr::IsNull(field) => write!(f, "{field} isnull"),
            Expr::Present(field) => write!(f, "pr {field}"),
            // Only a leaf goes bare after `not`; the grammar's handling of `not not x` or
            // `not pr x and y` is not documented, so anything compound is parenthesised.
            Expr::Not(inner) => {
                f.write_str("not ")?;
                inner.fmt_operand(Prec::Leaf, f)
            }
            // `and` and `or` are associative, so an operand of the same operator needs no
            // parentheses on either side.
            Expr::And(lhs, rhs) => {
                lhs.fmt_operand(Prec::And, f)?;
                f.write_str(" and ")?;
                rhs.fmt_operand(Prec::And, f)
            }
            Expr::Or(lhs, rhs) => {
                lhs.fmt_operand(Prec::Or, f)?;
                f.write_str(" or ")?;
                rhs.fmt_operand(Prec::Or, f)
            }
            Expr::Raw(raw) => f.write_str(raw),
        }
    }
}

impl<S> Filter<S> {
    fn from_expr(expr: Expr) -> Self {
        Filter {
            expr,
            scope: PhantomData,
        }
    }

    /// A hand-written expression, sent verbatim when it is the whole filter and wrapped
    /// in parentheses when it is combined with others.
    ///
    /// This is the escape hatch for fields or operators the spec does not document; the
    /// caller is responsible for quoting and escaping its literals.
    ///
    /// ```
    /// # use sailpoint_v2025::filter::Filter;
    /// # enum Scope {}
    /// let raw = Filter::<Scope>::raw(r#"a eq "x" or b eq "y""#);
    /// assert_eq!(raw.to_string(), r#"a eq "x" or b eq "y""#);
    /// assert_eq!(raw.clone().and(raw).to_string(), r#"(a eq "x" or b eq "y") and (a eq "x" or b eq "y")"#);
    /// ```
    pub fn raw(expr: impl Into<String>) -> Self {
        Self::from_expr(Expr::Raw(expr.into()))
    }

    /// Both `self` and `other` hold (`self and other`); the same as `self & other`.
    pub fn and(self, other: Filter<S>) -> Self {
        Self::from_expr(Expr::And(Box::new(self.expr), Box::new(other.expr)))
    }

    /// Either `self` or `other` holds (`self or other`); the same as `self | other`.
    pub fn or(self, other: Filter<S>) -> Self {
        Self::from_expr(Expr::Or(Box::new(self.expr), Box::new(other.expr)))
    }

    /// `self` does not hold (`not self`); the same as `!self`.
    #[allow(clippy::should_implement_trait)] // `Not` is implemented too; this needs no import.
    pub fn not(self) -> Self {
        Self::from_expr(Expr::Not(Box::new(self.expr)))
    }

    /// All of `filters` hold, or `None` when there are none.
    pub fn all(filters: impl IntoIterator<Item = Filter<S>>) -> Option<Self> {
        filters.into_iter().reduce(Filter::and)
    }

    /// Any of `filters` holds, or `None` when there are none.
    pub fn any(filters: impl IntoIterator<Item = Filter<S>>) -> Option<Self> {
        filters.into_iter().reduce(Filter::or)
    }
}

impl<S> fmt::Display for Filter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

impl<S> fmt::Debug for Filter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Filter").field(&self.to_string()).finish()
    }
}

impl<S> Clone for Filter<S> {
    fn clone(&self) -> Self {
        Self::from_expr(self.expr.clone())
    }
}

/// Structural equality: `a.and(b.and(c))` and `a.and(b).and(c)` render the same but are
/// not equal.
impl<S> PartialEq for Filter<S> {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl<S> Eq for Filter<S> {}

impl<S> std::hash::Hash for Filter<S> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.expr.hash(state);
    }
}

impl<S> std::ops::BitAnd for Filter<S> {
    type Output = Filter<S>;

    /// `a & b` is [`a.and(b)`](Filter::and).
    fn bitand(self, rhs: Filter<S>) -> Filter<S> {
        self.and(rhs)
    }
}

impl<S> std::ops::BitOr for Filter<S> {
    type Output = Filter<S>;

    /// `a | b` is [`a.or(b)`](Filter::or).
    fn bitor(self, rhs: Filter<S>) -> Filter<S> {
        self.or(rhs)
    }
}

impl<S> std::ops::Not for Filter<S> {
    type Output = Filter<S>;

    /// `!a` is [`a.not()`](Filter::not).
    fn not(self) -> Filter<S> {
        Filter::not(self)
    }
}

impl<S> From<Filter<S>> for String {
    fn from(filter: Filter<S>) -> String {
        filter.to_string()
    }
}

/// One filterable field of the operation with scope `S`: its values have type `V` and it
/// documents the operators listed in the tuple `O` (markers from [`ops`]).
///
/// Fields come from the generated scope types; each operator method exists only when `O`
/// contains its marker.
pub struct Field<S, V, O> {
    wire: &'static str,
    marker: FieldMarker<S, V, O>,
}

/// Ties `S`, `V` and `O` to a [`Field`] without owning any of them.
type FieldMarker<S, V, O> = PhantomData<fn() -> (S, V, O)>;

impl<S, V, O> Field<S, V, O> {
    /// Called by generated scope types; not part of the public API, since it could
    /// declare operators the spec does not document (use [`Filter::raw`] for that).
    #[doc(hidden)]
    pub const fn new(wire: &'static str) -> Self {
        Field {
            wire,
            marker: PhantomData,
        }
    }

    /// The field's wire path, such as `owners.primaryIdentity.name`.
    pub const fn wire(&self) -> &'static str {
        self.wire
    }

    fn compare(self, op: &'static str, literal: String) -> Filter<S> {
        Filter::from_expr(Expr::Compare {
            field: self.wire,
            op,
            literal,
        })
    }

    fn list<T: Into<V>>(self, op: &'static str, values: impl IntoIterator<Item = T>) -> Filter<S>
    where
        V: FilterValue,
    {
        let literals = values.into_iter().map(|v| literal(&v.into())).collect();
        Filter::from_expr(Expr::List {
            field: self.wire,
            op,
            literals,
        })
    }
}

impl<S, V, O> Clone for Field<S, V, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, V, O> Copy for Field<S, V, O> {}

impl<S, V, O> fmt::Debug for Field<S, V, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Field").field(&self.wire).finish()
    }
}

impl<S, V: FilterValue, O> Field<S, V, O> {
    /// `field eq value`: the field equals `value`.
    pub fn eq<I>(self, value: impl Into<V>) -> Filter<S>
    where
        O: Supports<ops::Eq, I>,
    {
        self.compare("eq", literal(&value.into()))
    }

    /// `field ne value`: the field does not equal `value`.
    pub fn ne<I>(self, value: impl Into<V>) -> Filter<S>
    where
        O: Supports<ops::Ne, I>,
    {
        self.compare("ne", literal(&value.into()))
    }

    /// `field gt value`: the field is greater than `value`.
    pub fn gt<I>(self, value: impl Into<V>) -> Filter<S>
    where
        O: Supports<ops::Gt, I>,
    {
        self.compare("gt", literal(&value.into()))
    }

    /// `field ge value`: the field is greater than or equal to `value`.
    pub fn ge<I>(self, value: impl Into<V>) -> Filter<S>
    where
        O: Supports<ops::Ge, I>,
    {
        self.compare("ge", literal(&value.into()))
    }

    /// `field lt value`: the field is less than `value`.
    pub fn lt<I>(self, value: impl Into<V>) -> Filter<S>
    where
        O: Supports<ops::Lt, I>,
    {
        self.compare("lt", literal(&value.into()))
    }

    /// `field le value`: the field is less than or equal to `value`.
    pub fn le<I>(self, value: impl Into<V>) -> Filter<S>
    where
        O: Supports<ops::Le, I>,
    {
        self.compare("le", literal(&value.into()))
    }

    /// `field in ("a","b")`: the field equals one of `values`.
    ///
    /// Named `in_` because `in` is a keyword. An empty list renders as `field in ()`,
    /// which the server rejects.
    #[doc(alias = "in")]
    pub fn in_<I, T: Into<V>>(self, values: impl IntoIterator<Item = T>) -> Filter<S>
    where
        O: Supports<ops::In, I>,
    {
        self.list("in", values)
    }

    /// `field ca ("a","b")`: the collection-valued field contains all of `values`.
    #[doc(alias = "contains_all")]
    pub fn ca<I, T: Into<V>>(self, values: impl IntoIterator<Item = T>) -> Filter<S>
    where
        O: Supports<ops::Ca, I>,
    {
        self.list("ca", values)
    }

    /// `field isnull`: the field is null.
    #[doc(alias = "isnull")]
    pub fn is_null<I>(self) -> Filter<S>
    where
        O: Supports<ops::IsNull, I>,
    {
        Filter::from_expr(Expr::IsNull(self.wire))
    }

    /// `pr field`: the field is present, that is, not null.
    #[doc(alias = "present")]
    pub fn pr<I>(self) -> Filter<S>
    where
        O: Supports<ops::Pr, I>,
    {
        Filter::from_expr(Expr::Present(self.wire))
    }
}

impl<S, O> Field<S, String, O> {
    /// `field co "value"`: the string field contains `value` as a substring.
    #[doc(alias = "contains")]
    pub fn co<I>(self, value: impl Into<String>) -> Filter<S>
    where
        O: Supports<ops::Co, I>,
    {
        self.compare("co", literal(&value.into()))
    }

    /// `field sw "value"`: the string field starts with `value`.
    #[doc(alias = "starts_with")]
    pub fn sw<I>(self, value: impl Into<String>) -> Filter<S>
    where
        O: Supports<ops::Sw, I>,
    {
        self.compare("sw", literal(&value.into()))
    }
}

fn literal<V: FilterValue + ?Sized>(value: &V) -> String {
    let mut out = String::new();
    value.write_literal(&mut out);
    out
}

/// A value type that filter literals can be written from: `String`, `bool`, `i64`, `f64`
/// and `chrono::DateTime<chrono::Utc>`.
///
/// This trait is sealed; the literal syntax of each type is described in the
/// [module docs](self#rendering).
pub trait FilterValue: sealed::Sealed {
    /// Appends `self` in filter literal syntax.
    #[doc(hidden)]
    fn write_literal(&self, out: &mut String);
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for String {}
    impl Sealed for bool {}
    impl Sealed for i64 {}
    impl Sealed for f64 {}
    impl Sealed for chrono::DateTime<chrono::Utc> {}
}

impl FilterValue for String {
    fn write_literal(&self, out: &mut String) {
        out.reserve(self.len() + 2);
        out.push('"');
        for c in self.chars() {
            // The documented escapes; nothing else is special inside a string literal.
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
}

impl FilterValue for bool {
    fn write_literal(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl FilterValue for i64 {
    fn write_literal(&self, out: &mut String) {
        out.push_str(&self.to_string());
    }
}

impl FilterValue for f64 {
    fn write_literal(&self, out: &mut String) {
        // `Display` for f64 is the shortest round-trip decimal and never uses an exponent.
        out.push_str(&self.to_string());
    }
}

impl FilterValue for chrono::DateTime<chrono::Utc> {
    fn write_literal(&self, out: &mut String) {
        out.push_str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
}

/// Operator markers, used as the elements of a [`Field`]'s operator tuple.
///
/// They are types only and are never constructed.
pub mod ops {
    /// `eq`: equal to ([`Field::eq`](super::Field::eq)).
    pub enum Eq {}
    /// `ne`: not equal to ([`Field::ne`](super::Field::ne)).
    pub enum Ne {}
    /// `gt`: greater than ([`Field::gt`](super::Field::gt)).
    pub enum Gt {}
    /// `ge`: greater than or equal to ([`Field::ge`](super::Field::ge)).
    pub enum Ge {}
    /// `lt`: less than ([`Field::lt`](super::Field::lt)).
    pub enum Lt {}
    /// `le`: less than or equal to ([`Field::le`](super::Field::le)).
    pub enum Le {}
    /// `co`: contains a substring ([`Field::co`](super::Field::co)).
    pub enum Co {}
    /// `sw`: starts with ([`Field::sw`](super::Field::sw)).
    pub enum Sw {}
    /// `in`: one of a list ([`Field::in_`](super::Field::in_)).
    pub enum In {}
    /// `ca`: contains all of a list ([`Field::ca`](super::Field::ca)).
    pub enum Ca {}
    /// `isnull`: is null ([`Field::is_null`](super::Field::is_null)).
    pub enum IsNull {}
    /// `pr`: is present ([`Field::pr`](super::Field::pr)).
    pub enum Pr {}
}

/// Implemented by an operator tuple `(A, B, ...)` for each marker `Op` it contains;
/// `Idx` is the marker's position, which the compiler infers.
///
/// Operator methods on [`Field`] require this bound, which is what makes an undocumented
/// operator a compile error.
#[diagnostic::on_unimplemented(
    message = "this filter field does not support the `{Op}` operator",
    label = "`{Op}` is not documented for this field",
    note = "the operators documented for this field are `{Self}`",
    note = "`Filter::raw` sends a hand-written expression if you really need it"
)]
pub trait Supports<Op, Idx> {}

/// Positions in an operator tuple, used as the `Idx` of [`Supports`].
#[doc(hidden)]
pub mod index {
    /// Position 0.
    pub enum I0 {}
    /// Position 1.
    pub enum I1 {}
    /// Position 2.
    pub enum I2 {}
    /// Position 3.
    pub enum I3 {}
    /// Position 4.
    pub enum I4 {}
    /// Position 5.
    pub enum I5 {}
    /// Position 6.
    pub enum I6 {}
    /// Position 7.
    pub enum I7 {}
    /// Position 8.
    pub enum I8 {}
    /// Position 9.
    pub enum I9 {}
    /// Position 10.
    pub enum I10 {}
    /// Position 11.
    pub enum I11 {}
}

/// `impl_supports!([A B] A I0, B I1)` implements `Supports<A, I0>` and `Supports<B, I1>`
/// for `(A, B)`. The impls never overlap because each has a different index.
macro_rules! impl_supports {
    ($all:tt $($op:ident $idx:ident),+) => {
        $(impl_supports!(@one $all $op $idx);)+
    };
    (@one [$($t:ident)+] $op:ident $idx:ident) => {
        // Keeps these impls out of the "other types implement `Supports`" list
        // that would otherwise follow the error for an undocumented operator.
        #[diagnostic::do_not_recommend]
        impl<$($t),+> Supports<$op, index::$idx> for ($($t,)+) {}
    };
}

impl_supports!([A] A I0);
impl_supports!([A B] A I0, B I1);
impl_supports!([A B C] A I0, B I1, C I2);
impl_supports!([A B C D] A I0, B I1, C I2, D I3);
impl_supports!([A B C D E] A I0, B I1, C I2, D I3, E I4);
impl_supports!([A B C D E F] A I0, B I1, C I2, D I3, E I4, F I5);
impl_supports!([A B C D E F G] A I0, B I1, C I2, D I3, E I4, F I5, G I6);
impl_supports!([A B C D E F G H] A I0, B I1, C I2, D I3, E I4, F I5, G I6, H I7);
impl_supports!([A B C D E F G H J] A I0, B I1, C I2, D I3, E I4, F I5, G I6, H I7, J I8);
impl_supports!([A B C D E F G H J K] A I0, B I1, C I2, D I3, E I4, F I5, G I6, H I7, J I8, K I9);
impl_supports!([A B C D E F G H J K L] A I0, B I1, C I2, D I3, E I4, F I5, G I6, H I7, J I8, K I9, L I10);
impl_supports!([A B C D E F G H J K L M] A I0, B I1, C I2, D I3, E I4, F I5, G I6, H I7, J I8, K I9, L I10, M I11);

/// A field a list operation can sort on; the generator implements this for one enum per
/// operation (`ListMachineIdentitiesSortField`).
pub trait SortField: Copy {
    /// The field's wire name, such as `owners.primaryIdentity.name`.
    fn wire(&self) -> &'static str;

    /// Sort ascending on this field.
    fn asc(self) -> Sort<Self> {
        Sort::asc(self)
    }

    /// Sort descending on this field.
    fn desc(self) -> Sort<Self> {
        Sort::desc(self)
    }
}

/// One `sorters` entry: a field and a direction. A bare field converts into an ascending
/// `Sort`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sort<F> {
    field: F,
    descending: bool,
}

impl<F: SortField> Sort<F> {
    /// Ascending on `field` (rendered `field`).
    pub fn asc(field: F) -> Self {
        Sort {
            field,
            descending: false,
        }
    }

    /// Descending on `field` (rendered `-field`).
    pub fn desc(field: F) -> Self {
        Sort {
            field,
            descending: true,
        }
    }

    /// The field sorted on.
    pub fn field(&self) -> F {
        self.field
    }

    /// Whether the sort is descending.
    pub fn is_descending(&self) -> bool {
        self.descending
    }
}

impl<F: SortField> From<F> for Sort<F> {
    fn from(field: F) -> Self {
        Sort::asc(field)
    }
}

impl<F: SortField> fmt::Display for Sort<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.descending {
            f.write_str("-")?;
        }
        f.write_str(self.field.wire())
    }
}

/// What the typed `filters` setter of a list operation takes: a [`Filter`] of that
/// operation's scope `S`. A string is not one; `filters_raw` sends a string as is.
#[diagnostic::on_unimplemented(
    message = "`filters` takes a typed `Filter<{S}>`, not `{Self}`",
    label = "expected a `Filter<{S}>` built from `{S}`'s field functions",
    note = "to send a hand-written expression as is, call `filters_raw(...)` instead",
    note = "a typed filter looks like `{S}::id().eq(\"...\")`"
)]
pub trait IntoFilter<S> {
    /// The filter.
    fn into_filter(self) -> Filter<S>;
}

impl<S> IntoFilter<S> for Filter<S> {
    fn into_filter(self) -> Filter<S> {
        self
    }
}

/// What the typed `sorters` setter of a list operation takes: one [`Sort`], or a list
/// (array, `Vec`, iterator) of sorts or bare fields (ascending).
#[diagnostic::on_unimplemented(
    message = "`sorters` takes a `Sort<{F}>` or a list of them, not `{Self}`",
    label = "expected `Sort::asc(..)`, `Sort::desc(..)` or a list of them",
    note = "to send a hand-written value such as \"-created,name\" as is, call `sorters_raw(...)` instead"
)]
pub trait IntoSorters<F> {
    /// The wire value, `None` for an empty list.
    fn into_sorters(self) -> Option<String>;
}

impl<F: SortField> IntoSorters<F> for Sort<F> {
    fn into_sorters(self) -> Option<String> {
        Some(self.to_string())
    }
}

// Not recommended, so that a list of another operation's sorts is reported as
// "`sorters` takes ..." naming both types, not as a missing `From` impl.
#[diagnostic::do_not_recommend]
impl<F, I> IntoSorters<F> for I
where
    F: SortField,
    I: IntoIterator,
    I::Item: Into<Sort<F>>,
{
    fn into_sorters(self) -> Option<String> {
        render_sorters(self)
    }
}

/// Renders a `sorters` value: entries joined by `,`, descending ones prefixed with `-`.
/// Returns `None` for an empty list, so that the parameter is left out.
pub fn render_sorters<F, I>(sorters: I) -> Option<String>
where
    F: SortField,
    I: IntoIterator,
    I::Item: Into<Sort<F>>,
{
    let mut out = String::new();
    for sort in sorters {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&sort.into().to_string());
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    /// A scope with one field of each value type and every operator somewhere.
    struct T;
    impl T {
        const fn id() -> Field<T, String, (ops::Eq, ops::In, ops::Sw)> {
            Field::new("id")
        }
        const fn name() -> Field<T, String, (ops::Eq, ops::Ne, ops::Co, ops::IsNull, ops::Pr)> {
            Field::new("name")
        }
        const fn enabled() -> Field<T, bool, (ops::Eq,)> {
            Field::new("enabled")
        }
        const fn count() -> Field<T, i64, (ops::Gt, ops::Ge, ops::Lt, ops::Le, ops::In)> {
            Field::new("count")
        }
        const fn score() -> Field<T, f64, (ops::Gt, ops::Le)> {
            Field::new("score")
        }
        const fn created() -> Field<T, chrono::DateTime<Utc>, (ops::Gt, ops::Lt, ops::Eq)> {
            Field::new("created")
        }
        const fn groups() -> Field<T, String, (ops::Ca,)> {
            Field::new("owners.groups")
        }
    }

    #[track_caller]
    fn check(filter: Filter<T>, expected: &str) {
        assert_eq!(filter.to_string(), expected);
    }

    fn a() -> Filter<T> {
        T::id().eq("a")
    }
    fn b() -> Filter<T> {
        T::id().eq("b")
    }
    fn c() -> Filter<T> {
        T::id().eq("c")
    }

    #[test]
    fn leaves_render_each_operator() {
        check(T::id().eq("2c91"), r#"id eq "2c91""#);
        check(T::name().ne("ROLE"), r#"name ne "ROLE""#);
        check(T::name().co("Rajesh"), r#"name co "Rajesh""#);
        check(T::id().sw("2c"), r#"id sw "2c""#);
        check(T::count().gt(7), "count gt 7");
        check(T::count().ge(-7), "count ge -7");
        check(T::count().lt(i64::MAX), "count lt 9223372036854775807");
        check(T::count().le(0), "count le 0");
        check(T::id().in_(["a", "b"]), r#"id in ("a","b")"#);
        check(T::id().in_(vec![String::from("a")]), r#"id in ("a")"#);
        check(T::count().in_([1, 2, 3]), "count in (1,2,3)");
        check(
            T::groups().ca(["Venezia", "Firenze"]),
            r#"owners.groups ca ("Venezia","Firenze")"#,
        );
        check(T::name().is_null(), "name isnull");
        check(T::name().pr(), "pr name");
    }

    #[test]
    fn empty_in_list_renders_empty_parentheses() {
        check(T::id().in_(Vec::<String>::new()), "id in ()");
    }

    #[test]
    fn non_string_literals_are_bare() {
        check(T::enabled().eq(true), "enabled eq true");
        check(T::enabled().eq(false), "enabled eq false");
        check(T::score().gt(0.5), "score gt 0.5");
        check(T::score().gt(7), "score gt 7");
        check(T::score().le(-1.25e-3), "score le -0.00125");
        check(T::score().le(1e21), "score le 1000000000000000000000");
        check(T::score().le(0.1 + 0.2), "score le 0.30000000000000004");
    }

    #[test]
    fn date_times_are_bare_utc_rfc3339() {
        let t = Utc.with_ymd_and_hms(2018, 12, 18, 23, 5, 55).unwrap();
        check(T::created().gt(t), "created gt 2018-12-18T23:05:55Z");
        let millis = t + chrono::Duration::milliseconds(120);
        check(
            T::created().lt(millis),
            "created lt 2018-12-18T23:05:55.120Z",
        );
        let micros = t + chrono::Duration::microseconds(1);
        check(
            T::created().lt(micros),
            "created lt 2018-12-18T23:05:55.000001Z",
        );
        let offset = chrono::FixedOffset::east_opt(2 * 3600)
            .unwrap()
            .with_ymd_and_hms(2018, 12, 19, 1, 5, 55)
            .unwrap();
        check(T::created().eq(offset), "created eq 2018-12-18T23:05:55Z");
    }

    #[test]
    fn string_literals_escape_quote_and_backslash_only() {
        let cases = [
            ("plain", r#"id eq "plain""#),
            ("", r#"id eq """#),
            ("\"", r#"id eq "\"""#),
            ("\\", r#"id eq "\\""#),
            ("\\\"", r#"id eq "\\\"""#),
            ("a\\", r#"id eq "a\\""#),
            ("\"Employees\"", r#"id eq "\"Employees\"""#),
            (r#"") or (id eq ""#, r#"id eq "\") or (id eq \"""#),
            (
                r#"x" or pr id or id eq "y"#,
                r#"id eq "x\" or pr id or id eq \"y""#,
            ),
            ("#%&+ =?", r##"id eq "#%&+ =?""##),
            ("line\nbreak\r\ttab\0", "id eq \"line\nbreak\r\ttab\0\""),
            ("Zoë ✓ 東京 🦀", r#"id eq "Zoë ✓ 東京 🦀""#),
        ];
        for (value, expected) in cases {
            check(T::id().eq(value), expected);
        }
        check(T::id().in_(["\"", "\\"]), r#"id in ("\"","\\")"#);
        check(T::name().co("\\\""), r#"name co "\\\"""#);
    }

    /// Every hostile value must stay one literal: after the opening quote, the first
    /// unescaped `"` is the last character.
    #[test]
    fn hostile_values_cannot_leave_the_literal() {
        let hostile = [
            "\"",
            "\\",
            "\\\\\"",
            "\") or (id eq \"",
            "\\\") or pr id or (id eq \\\"",
            "\"\"\"\\\\\\",
            "\u{0}\n\"\u{7f}\u{2028}",
        ];
        for value in hostile {
            let rendered = T::id().eq(value).to_string();
            let literal = rendered.strip_prefix("id eq \"").unwrap();
            let mut chars = literal.char_indices();
            let mut unescaped = String::new();
            let end = loop {
                match chars.next() {
                    Some((_, '\\')) => unescaped.push(chars.next().unwrap().1),
                    Some((i, '"')) => break i,
                    Some((_, c)) => unescaped.push(c),
                    None => panic!("unterminated literal in {rendered:?}"),
                }
            };
            assert_eq!(end, literal.len() - 1, "literal ends early in {rendered:?}");
            assert_eq!(unescaped, value);
        }
    }

    #[test]
    fn precedence_adds_only_needed_parentheses() {
        check(a().and(b()), r#"id eq "a" and id eq "b""#);
        check(a().or(b()), r#"id eq "a" or id eq "b""#);
        check(
            a().and(b().or(c())),
            r#"id eq "a" and (id eq "b" or id eq "c")"#,
        );
        check(
            a().or(b()).and(c()),
            r#"(id eq "a" or id eq "b") and id eq "c""#,
        );
        check(
            a().or(b().and(c())),
            r#"id eq "a" or id eq "b" and id eq "c""#,
        );
        check(
            a().and(b()).or(c()),
            r#"id eq "a" and id eq "b" or id eq "c""#,
        );
        check(
            a().and(b().and(c())),
            r#"id eq "a" and id eq "b" and id eq "c""#,
        );
        check(
            a().or(b()).or(c()),
            r#"id eq "a" or id eq "b" or id eq "c""#,
        );
        check(
            a().or(b()).and(c().or(a())),
            r#"(id eq "a" or id eq "b") and (id eq "c" or id eq "a")"#,
        );
    }

    #[test]
    fn not_parenthesises_compound_operands() {
        check(a().not(), r#"not id eq "a""#);
        check(T::name().pr().not(), "not pr name");
        check(T::name().is_null().not(), "not name isnull");
        check(a().not().and(b()), r#"not id eq "a" and id eq "b""#);
        check(a().not().or(b().not()), r#"not id eq "a" or not id eq "b""#);
        check(a().or(b()).not(), r#"not (id eq "a" or id eq "b")"#);
        check(a().and(b()).not(), r#"not (id eq "a" and id eq "b")"#);
        check(a().not().not(), r#"not (not id eq "a")"#);
        check(
            a().or(b()).not().and(c()),
            r#"not (id eq "a" or id eq "b") and id eq "c""#,
        );
    }

    #[test]
    fn operators_match_methods() {
        assert_eq!(a() & b(), a().and(b()));
        assert_eq!(a() | b(), a().or(b()));
        assert_eq!(!a(), a().not());
        // Rust's `!` > `&` > `|` is the filter syntax's `not` > `and` > `or`.
        check(
            !a() | b() & c(),
            r#"not id eq "a" or id eq "b" and id eq "c""#,
        );
        check(
            (a() | b()) & c(),
            r#"(id eq "a" or id eq "b") and id eq "c""#,
        );
    }

    #[test]
    fn raw_is_verbatim_alone_and_parenthesised_when_nested() {
        let raw = || Filter::<T>::raw(r#"x eq 1 or y eq 2"#);
        check(raw(), "x eq 1 or y eq 2");
        check(raw().and(a()), r#"(x eq 1 or y eq 2) and id eq "a""#);
        check(a().or(raw()), r#"id eq "a" or (x eq 1 or y eq 2)"#);
        check(raw().not(), "not (x eq 1 or y eq 2)");
    }

    #[test]
    fn all_and_any_fold_or_return_none() {
        assert_eq!(Filter::<T>::all([]), None);
        assert_eq!(Filter::any([a()]), Some(a()));
        check(
            Filter::all([a(), b(), c()]).unwrap(),
            r#"id eq "a" and id eq "b" and id eq "c""#,
        );
        check(
            Filter::any([a(), b().and(c())]).unwrap(),
            r#"id eq "a" or id eq "b" and id eq "c""#,
        );
        check(
            Filter::all([Filter::any([a(), b()]).unwrap(), c()]).unwrap(),
            r#"(id eq "a" or id eq "b") and id eq "c""#,
        );
    }

    #[test]
    fn debug_shows_wire_string() {
        assert_eq!(format!("{:?}", a()), r#"Filter("id eq \"a\"")"#);
        assert_eq!(format!("{:?}", T::name()), r#"Field("name")"#);
        assert_eq!(T::groups().wire(), "owners.groups");
        assert_eq!(String::from(a()), r#"id eq "a""#);
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    enum Sf {
        Name,
        Created,
        OwnerName,
    }

    impl SortField for Sf {
        fn wire(&self) -> &'static str {
            match self {
                Sf::Name => "name",
                Sf::Created => "created",
                Sf::OwnerName => "owners.primaryIdentity.name",
            }
        }
    }

    #[track_caller]
    fn check_sorters(sorters: Vec<Sort<Sf>>, expected: Option<&str>) {
        assert_eq!(render_sorters(sorters).as_deref(), expected);
    }

    #[test]
    fn sorters_render_comma_separated_with_minus_for_descending() {
        check_sorters(vec![], None);
        check_sorters(vec![Sort::asc(Sf::Name)], Some("name"));
        check_sorters(vec![Sort::desc(Sf::Created)], Some("-created"));
        check_sorters(
            vec![Sf::Name.asc(), Sf::Created.desc()],
            Some("name,-created"),
        );
        check_sorters(
            vec![Sf::OwnerName.desc(), Sf::Name.into(), Sf::Created.asc()],
            Some("-owners.primaryIdentity.name,name,created"),
        );
        assert_eq!(
            render_sorters([Sf::Created, Sf::Name]).as_deref(),
            Some("created,name")
        );
        assert_eq!(Sf::Created.desc().to_string(), "-created");
        assert!(Sf::Created.desc().is_descending());
        assert_eq!(Sf::Created.desc().field(), Sf::Created);
    }
}
