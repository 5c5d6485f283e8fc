//! The intermediate representation: the spec after `$ref`s are resolved,
//! `allOf`s merged, inline schemas named and everything validated.
//!
//! Emitters and `cargo xtask diff` only ever see these types, never
//! `openapiv3::ReferenceOr`. Every collection is ordered deterministically.
//! Every node records the JSON pointer it was lowered from.

use std::collections::BTreeMap;

/// A name in both spellings: the Rust identifier and the wire name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// The Rust identifier (may be a raw identifier such as `r#type`).
    pub rust: String,
    /// The name on the wire (JSON property, parameter, operationId, enum value).
    pub wire: String,
}

/// The whole API.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// `servers`, in spec order.
    pub servers: Vec<Server>,
    /// Security schemes by name.
    pub security_schemes: BTreeMap<String, SecurityScheme>,
    /// Tag groups, each becoming one module, ordered by module name.
    pub tags: Vec<Tag>,
    /// Every named type, by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// The waiters declared with `x-sdk-waiter`, in the order of their
    /// status operations.
    pub waiters: Vec<Waiter>,
    /// The request header that opts into experimental operations, sent as
    /// `NAME: true` once the client opted in; `None` when the spec names
    /// none, and experimental operations are then only gated, sending no
    /// header. Decided once, in lowering (`lower::experimental_header`).
    pub experimental_header: Option<String>,
    /// Whether the spec opts into SailPoint's conventions (the top-level
    /// `x-sdk-sailpoint: true`): `SAIL_*` variables, `config.json` and the
    /// `sail` CLI's files, SailPoint's front page.
    pub sailpoint: bool,
}

impl Api {
    /// Every operation with its tag, tag by tag in module order.
    pub fn operations(&self) -> impl Iterator<Item = (&Tag, &Operation)> {
        self.tags
            .iter()
            .flat_map(|t| t.operations.iter().map(move |o| (t, o)))
    }

    /// `ty` with its aliases followed to the type they stand for. Alias
    /// cycles are rejected in lowering; the bound only guards the loop.
    pub fn resolve_alias<'a>(&'a self, mut ty: &'a TypeRef) -> &'a TypeRef {
        for _ in 0..64 {
            match ty {
                TypeRef::Named(n) => match self.types.get(n).map(|d| &d.kind) {
                    Some(TypeKind::Alias(inner)) => ty = inner,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }
}

/// One `servers` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The URL template, such as `https://{tenant}.api.identitynow.com/v2025`.
    pub url: String,
    /// Variable name -> default value.
    pub variables: BTreeMap<String, String>,
}

/// A security scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// `oauth2`, `http`, `apiKey` or `openIdConnect`.
    pub kind: String,
    /// The client-credentials token URL, for OAuth2.
    pub token_url: Option<String>,
}

/// A tag group: one module and one handle type.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// `rust` is the module name (`machine_identities`), `wire` the tag.
    pub name: Name,
    /// The handle type name (`MachineIdentities`).
    pub handle: String,
    /// The tag's description, if declared.
    pub description: Option<String>,
    /// The operations, ordered by path then method.
    pub operations: Vec<Operation>,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Upper-case name, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `rust` is the method name, `wire` the operationId (synthesized when
    /// the spec has none).
    pub id: Name,
    /// The builder type name (`GetMachineIdentity`); the error enum is this
    /// plus `Error`.
    pub type_name: String,
    /// `#/paths/~1machine-identities~1{id}/get`.
    pub pointer: String,
    /// The HTTP method.
    pub method: Method,
    /// The path template, relative to the server URL.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Whether the API marks the operation experimental.
    pub experimental: bool,
    /// Parameters in order: path (template order), then query, header, cookie.
    pub params: Vec<Param>,
    /// The request body, if any.
    pub body: Option<RequestBody>,
    /// Responses ordered by status (codes, then ranges, then default).
    pub responses: Vec<Response>,
    /// Alternatives, each a list of (scheme, scopes) that must all hold.
    pub security: Vec<Vec<(String, Vec<String>)>>,
    /// Offset or cursor paging, when the operation supports it.
    pub pagination: Option<Pagination>,
    /// Typed filter metadata, when the operation documents it.
    pub filters: Option<Vec<FilterField>>,
    /// Sortable wire fields, when the operation documents them.
    pub sorters: Option<Vec<Name>>,
}

impl Operation {
    /// The documented 2xx responses, in status order.
    pub fn successes(&self) -> Vec<&Response> {
        self.responses
            .iter()
            .filter(|r| r.status.is_success())
            .collect()
    }

    /// `{type_name}Error`, reserved by lowering like `type_name` itself.
    pub fn error_type(&self) -> String {
        format!("{}{}", self.type_name, crate::ident::DERIVED_ERROR)
    }

    /// `{type_name}Success` (emitted only when [`Self::has_success_enum`]).
    pub fn success_type(&self) -> String {
        format!("{}{}", self.type_name, crate::ident::DERIVED_SUCCESS)
    }

    /// `{type_name}Filter` (emitted only with typed filters).
    pub fn filter_type(&self) -> String {
        format!("{}{}", self.type_name, crate::ident::DERIVED_FILTER)
    }

    /// `{type_name}SortField` (emitted only with typed sorters).
    pub fn sort_field_type(&self) -> String {
        format!("{}{}", self.type_name, crate::ident::DERIVED_SORT_FIELD)
    }

    /// The documented non-2xx responses (error statuses, ranges and
    /// `default`), in status order.
    pub fn errors(&self) -> Vec<&Response> {
        self.responses
            .iter()
            .filter(|r| !r.status.is_success())
            .collect()
    }

    /// Whether the success responses have different bodies, so that `send`
    /// returns a `{type_name}Success` enum rather than one body type.
    pub fn has_success_enum(&self) -> bool {
        let ok = self.successes();
        ok.len() > 1
            && !ok
                .windows(2)
                .all(|w| w[0].body == w[1].body && w[0].multi_status == w[1].multi_status)
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Rust argument/setter name and wire name.
    pub name: Name,
    /// The name as the spec wrote it; differs from `name.wire` only when
    /// lowering reconciled a path parameter with its template variable.
    pub spec_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Whether the caller must give it.
    pub required: bool,
    /// Its type.
    pub ty: TypeRef,
    /// `description`.
    pub description: Option<String>,
    /// `schema.default`.
    pub default: Option<serde_json::Value>,
    /// `schema.minimum`.
    pub minimum: Option<f64>,
    /// `schema.maximum`.
    pub maximum: Option<f64>,
    /// `deprecated`.
    pub deprecated: bool,
    /// Whether arrays are sent as repeated keys (true) or comma-joined.
    pub explode: bool,
    /// What it is for.
    pub role: ParamRole,
    /// JSON pointer of the parameter.
    pub pointer: String,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// The media type sent as `Content-Type`.
    pub media_type: String,
    /// Other media types the spec allows (not used to send).
    pub other_media_types: Vec<String>,
    /// How the body is encoded.
    pub kind: BodyKind,
    /// The Rust type the caller passes.
    pub ty: TypeRef,
    /// `required`.
    pub required: bool,
    /// `description`.
    pub description: Option<String>,
    /// For `multipart/form-data`: the form fields, each one builder
    /// argument or setter (`Bytes` fields are file uploads).
    pub form: Vec<Field>,
    /// JSON pointer of the request body.
    pub pointer: String,
}

impl RequestBody {
    /// For `multipart/form-data` with declared fields: those fields, each
    /// a builder argument (required) or setter (optional) of its own
    /// instead of one `body`. `None` for every other body.
    pub fn form_fields(&self) -> Option<&[Field]> {
        (self.kind == BodyKind::Multipart && !self.form.is_empty()).then_some(self.form.as_slice())
    }
}

/// How a body is encoded on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BodyKind {
    /// JSON (`application/json` or `+json`).
    Json,
    /// A JSON Patch document (`application/json-patch+json`).
    JsonPatch,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Text (`text/*`).
    Text,
    /// Raw bytes (anything else).
    Bytes,
}

/// The status a response applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// An exact code.
    Code(u16),
    /// `2XX` etc., holding the first digit.
    Range(u16),
    /// `default`.
    Default,
}

impl Status {
    /// Whether this is a success status (2xx).
    pub fn is_success(self) -> bool {
        match self {
            Status::Code(c) => (200..300).contains(&c),
            Status::Range(r) => r == 2,
            Status::Default => false,
        }
    }
}

/// The one spelling of a status in docs and reports: `404`, `4XX`,
/// `default`.
impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Code(c) => write!(f, "{c}"),
            Status::Range(r) => write!(f, "{r}XX"),
            Status::Default => f.write_str("default"),
        }
    }
}

/// One documented response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status.
    pub status: Status,
    /// `description`.
    pub description: String,
    /// The body.
    pub body: ResponseBody,
    /// Declared response headers (wire names), in order.
    pub headers: Vec<Name>,
    /// The error-enum variant (for error statuses) or success-enum variant.
    pub variant: String,
    /// One result per requested item (`x-sdk-multi-status`, on a 2xx).
    pub multi_status: Option<MultiStatus>,
    /// JSON pointer of the response.
    pub pointer: String,
}

impl Response {
    /// The item type of a per-item (`207`) answer, which `send` hands back
    /// as `MultiStatus<item>` instead of the body's array.
    pub fn multi_status_item(&self) -> Option<&TypeRef> {
        self.multi_status.as_ref().map(|ms| &ms.item)
    }
}

/// A response body.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// No content.
    Empty,
    /// JSON decoded into the type.
    Json { media_type: String, ty: TypeRef },
    /// Text.
    Text { media_type: String },
    /// Bytes (CSV, ZIP, PDF, octet-stream, ...).
    Bytes { media_type: String },
}

/// Paging: present exactly when the builder has `stream()`. Offset paging is
/// inferred (optional integer `limit` and `offset` query parameters); cursor
/// paging is declared with `x-sdk-pagination` and validated in lowering.
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The item type of the page array.
    pub item: TypeRef,
    /// How the next page is asked for.
    pub style: PageStyle,
    /// The optional integer query parameter that sets the page size; always
    /// present for offset paging, optional for cursor paging.
    pub limit: Option<PageParam>,
    /// The default of `limit`, if the spec gives one.
    pub default_limit: Option<i64>,
    /// The maximum of `limit`, if the spec gives one.
    pub max_limit: Option<i64>,
    /// The page size `stream()` asks for when the caller sets no `limit`:
    /// the default, else the maximum, else 100, at least 1.
    pub page_size: u32,
}

impl Pagination {
    /// The `offset` parameter, for offset paging.
    pub fn offset(&self) -> Option<&PageParam> {
        match &self.style {
            PageStyle::Offset { offset } => Some(offset),
            PageStyle::Cursor(_) => None,
        }
    }

    /// The cursor, for cursor paging.
    pub fn cursor(&self) -> Option<&CursorPaging> {
        match &self.style {
            PageStyle::Cursor(c) => Some(c),
            PageStyle::Offset { .. } => None,
        }
    }

    /// The style's name, as in `x-sdk-pagination` (`offset`, `cursor`).
    pub fn style_name(&self) -> &'static str {
        match self.style {
            PageStyle::Offset { .. } => "offset",
            PageStyle::Cursor(_) => "cursor",
        }
    }
}

/// How the next page of a list is asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum PageStyle {
    /// By the position of its first item: the optional integer query
    /// parameter `offset` (with `limit`). Pages may be fetched concurrently.
    Offset {
        /// The `offset` parameter.
        offset: PageParam,
    },
    /// By a value read from the last item of the page before, sent in an
    /// optional string query parameter. Sequential by nature.
    Cursor(CursorPaging),
}

/// Cursor paging: `x-sdk-pagination: {style: cursor, cursor, from, limit}`.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPaging {
    /// The optional string query parameter that carries the cursor.
    pub param: PageParam,
    /// Where the next cursor is in the last item of a page (a string).
    pub from: ItemPath,
}

/// A value inside an item, found by an RFC 6901 pointer that lowering
/// followed through the item type: `""` is the item itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPath {
    /// The pointer as the spec wrote it (`/id`, `""`).
    pub pointer: String,
    /// The fields from the item to the value, none for the item itself.
    pub steps: Vec<StatusStep>,
    /// What the value is.
    pub leaf: Leaf,
    /// Its type, aliases followed (`String`, `I32`, `I64`).
    pub ty: TypeRef,
}

/// The scalar an [`ItemPath`] ends at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// A `String` (or an alias of one).
    String,
    /// An `i32` or `i64`.
    Integer,
}

/// A `207 Multi-Status` answer: one result per requested item, declared with
/// `x-sdk-multi-status` on the response. The body stays the wire type (an
/// array of `item`); `send` hands back `crate::MultiStatus<item>`.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiStatus {
    /// The item type of the body's array.
    pub item: TypeRef,
    /// Which input the item answers: a string or an integer.
    pub id: ItemPath,
    /// The item's HTTP status: an integer.
    pub status: ItemPath,
    /// A human-readable reason: a string.
    pub message: Option<ItemPath>,
    /// JSON pointer of the `x-sdk-multi-status` declaration.
    pub pointer: String,
}

/// A paging parameter's names and type.
#[derive(Debug, Clone, PartialEq)]
pub struct PageParam {
    /// Setter name and wire name.
    pub name: Name,
    /// Its integer type.
    pub ty: TypeRef,
}

/// What a parameter is for, decided once in lowering; the builder, the
/// method pages and `diff` read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamRole {
    /// Sent as given.
    Plain,
    /// The optional `filters` string of an operation with documented
    /// filter fields: a typed setter plus `{name}_raw`.
    Filters,
    /// The optional `sorters` string of an operation with documented sort
    /// fields: a typed setter plus `{name}_raw`.
    Sorters,
    /// [`Pagination::limit`].
    Limit,
    /// [`Pagination::offset`].
    Offset,
    /// The cursor of [`CursorPaging`].
    Cursor,
    /// `count`: asks for the `X-Total-Count` header.
    Count,
}

/// A filterable field of a list operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterField {
    /// `rust` is the constructor name, `wire` the dotted path.
    pub name: Name,
    /// The type of the values it is compared with.
    pub ty: FilterValue,
    /// The operators the spec documents, in canonical order.
    pub operators: Vec<FilterOperator>,
}

impl FilterField {
    /// The operators the generated scope offers: `co` and `sw` only on
    /// strings.
    pub fn offered_operators(&self) -> Vec<FilterOperator> {
        self.operators
            .iter()
            .copied()
            .filter(|o| self.ty == FilterValue::String || !o.strings_only())
            .collect()
    }
}

/// The value type of a filter field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FilterValue {
    String,
    Boolean,
    Integer,
    Number,
    DateTime,
}

impl FilterValue {
    /// Every value type, in the order the docs list them.
    pub const ALL: [FilterValue; 5] = [
        FilterValue::String,
        FilterValue::Boolean,
        FilterValue::Integer,
        FilterValue::Number,
        FilterValue::DateTime,
    ];

    /// The name `x-sdk-filterable` uses (`date-time`).
    pub fn wire(self) -> &'static str {
        match self {
            FilterValue::String => "string",
            FilterValue::Boolean => "boolean",
            FilterValue::Integer => "integer",
            FilterValue::Number => "number",
            FilterValue::DateTime => "date-time",
        }
    }

    /// The value type named `wire`, if any.
    pub fn from_wire(wire: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.wire() == wire)
    }

    /// The short Rust type users see (`DateTime<Utc>`).
    pub fn rust(self) -> &'static str {
        match self {
            FilterValue::String => "String",
            FilterValue::Boolean => "bool",
            FilterValue::Integer => "i64",
            FilterValue::Number => "f64",
            FilterValue::DateTime => "DateTime<Utc>",
        }
    }
}

impl std::fmt::Display for FilterValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire())
    }
}

/// A filter operator of SailPoint's filter syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FilterOperator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Co,
    Sw,
    In,
    IsNull,
    Pr,
}

impl FilterOperator {
    /// Every operator, in canonical order (the order of the variants).
    pub const ALL: [FilterOperator; 11] = [
        FilterOperator::Eq,
        FilterOperator::Ne,
        FilterOperator::Gt,
        FilterOperator::Ge,
        FilterOperator::Lt,
        FilterOperator::Le,
        FilterOperator::Co,
        FilterOperator::Sw,
        FilterOperator::In,
        FilterOperator::IsNull,
        FilterOperator::Pr,
    ];

    /// The spelling in filter expressions and in the spec (`isnull`).
    pub fn wire(self) -> &'static str {
        match self {
            FilterOperator::Eq => "eq",
            FilterOperator::Ne => "ne",
            FilterOperator::Gt => "gt",
            FilterOperator::Ge => "ge",
            FilterOperator::Lt => "lt",
            FilterOperator::Le => "le",
            FilterOperator::Co => "co",
            FilterOperator::Sw => "sw",
            FilterOperator::In => "in",
            FilterOperator::IsNull => "isnull",
            FilterOperator::Pr => "pr",
        }
    }

    /// The operator spelled `wire` (lower case), if any.
    pub fn from_wire(wire: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.wire() == wire)
    }

    /// The method of `crate::filter::Field` (`in_`, `is_null`).
    pub fn method(self) -> &'static str {
        match self {
            FilterOperator::In => "in_",
            FilterOperator::IsNull => "is_null",
            other => other.wire(),
        }
    }

    /// The marker type in `crate::filter::ops` (`IsNull`).
    pub fn marker(self) -> &'static str {
        match self {
            FilterOperator::Eq => "Eq",
            FilterOperator::Ne => "Ne",
            FilterOperator::Gt => "Gt",
            FilterOperator::Ge => "Ge",
            FilterOperator::Lt => "Lt",
            FilterOperator::Le => "Le",
            FilterOperator::Co => "Co",
            FilterOperator::Sw => "Sw",
            FilterOperator::In => "In",
            FilterOperator::IsNull => "IsNull",
            FilterOperator::Pr => "Pr",
        }
    }

    /// `co` and `sw` compare text, so only string fields offer them.
    pub fn strings_only(self) -> bool {
        matches!(self, FilterOperator::Co | FilterOperator::Sw)
    }
}

impl std::fmt::Display for FilterOperator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire())
    }
}

/// A reference to a type, as used in fields, parameters and bodies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F64,
    /// RFC 3339 date-time.
    DateTime,
    /// ISO 8601 date.
    Date,
    /// Any JSON value.
    Json,
    /// A JSON object with arbitrary keys.
    JsonObject,
    /// Raw bytes (binary strings, uploads).
    Bytes,
    /// A JSON Patch document (`crate::patch::JsonPatch`).
    JsonPatch,
    /// A named type in [`Api::types`].
    Named(String),
    /// An array.
    Vec(Box<TypeRef>),
    /// A map with string keys.
    Map(Box<TypeRef>),
}

/// The short Rust spelling users see (`Vec<MachineIdentityResponse>`),
/// shared by the generated docs and `diff`'s reports.
impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::String | TypeRef::Bytes => f.write_str("String"),
            TypeRef::Bool => f.write_str("bool"),
            TypeRef::I32 => f.write_str("i32"),
            TypeRef::I64 => f.write_str("i64"),
            TypeRef::F64 => f.write_str("f64"),
            TypeRef::DateTime => f.write_str("DateTime<Utc>"),
            TypeRef::Date => f.write_str("NaiveDate"),
            TypeRef::Json => f.write_str("serde_json::Value"),
            TypeRef::JsonObject => f.write_str("serde_json::Map<String, Value>"),
            TypeRef::JsonPatch => f.write_str("JsonPatch"),
            TypeRef::Named(n) => f.write_str(n),
            TypeRef::Vec(inner) => write!(f, "Vec<{inner}>"),
            TypeRef::Map(inner) => write!(f, "BTreeMap<String, {inner}>"),
        }
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// `rust` is the type name; `wire` the schema name or the synthesized path.
    pub name: Name,
    /// Where the schema is.
    pub pointer: String,
    /// `title` and `description`, joined.
    pub description: Option<String>,
    /// What kind of type.
    pub kind: TypeKind,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string enum that accepts unknown values.
    Enum(Enum),
    /// `oneOf`/`anyOf`.
    Union(Union),
    /// A named alias for another type (`type Foo = Vec<Bar>;`).
    Alias(TypeRef),
}

/// An object.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// Properties, in spec order.
    pub fields: Vec<Field>,
    /// The value type of extra properties, when `additionalProperties` allows them.
    pub additional: Option<TypeRef>,
}

/// One property.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Field name and property name.
    pub name: Name,
    /// The type, without the `Option` (see `required`/`nullable`).
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// `nullable` (or a `null` enum value).
    pub nullable: bool,
    /// `readOnly`.
    pub read_only: bool,
    /// `writeOnly`.
    pub write_only: bool,
    /// `deprecated`.
    pub deprecated: bool,
    /// `description`.
    pub description: Option<String>,
    /// `default`.
    pub default: Option<serde_json::Value>,
    /// JSON pointer of the property schema.
    pub pointer: String,
}

impl Field {
    /// Whether the Rust field is an `Option`: optional, nullable, or
    /// read-only (read-only fields are never sent, so requests omit them).
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable || self.read_only
    }
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    /// Known values.
    pub variants: Vec<Name>,
    /// The name of the variant that keeps unknown values.
    pub unknown: String,
}

/// A `oneOf`/`anyOf` type.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// Variants, in spec order.
    pub variants: Vec<UnionVariant>,
    /// The discriminator property, when the spec gives one.
    pub discriminator: Option<String>,
}

/// One `oneOf` variant.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The variant name.
    pub name: String,
    /// Its payload.
    pub ty: TypeRef,
    /// Discriminator values that select it.
    pub tags: Vec<String>,
}

/// A waiter, declared with `x-sdk-waiter` on a status operation: one method
/// on the status operation's tag handle that starts the work with another
/// operation, then polls the status operation until a terminal state.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiter {
    /// `rust` is the entry method (`classify_and_wait`), `wire` the declared
    /// `name`.
    pub name: Name,
    /// The builder type (`ClassifyAndWait`), in the status operation's module.
    pub type_name: String,
    /// The operation that starts the work.
    pub start: OperationRef,
    /// The status operation, which declares the waiter.
    pub status: OperationRef,
    /// The entry method's arguments: the start operation's required
    /// parameters, in its order.
    pub args: Vec<WaiterArg>,
    /// The status operation's required parameters, in its order, each as an
    /// index into `args`.
    pub status_args: Vec<usize>,
    /// The status operation's success body type.
    pub status_type: TypeRef,
    /// The fields from the status body to the status value.
    pub status_field: Vec<StatusStep>,
    /// The status value's type: a string enum (by Rust name) or `None` for
    /// a plain string.
    pub status_enum: Option<String>,
    /// The states that end the wait with success.
    pub success: Vec<String>,
    /// The states that end the wait with failure.
    pub failure: Vec<String>,
    /// The states that mean "poll again"; any other value is unknown.
    pub pending: Vec<String>,
    /// The first wait between two polls, in milliseconds.
    pub initial_delay_ms: u64,
    /// The longest wait between two polls, in milliseconds.
    pub max_delay_ms: u64,
    /// The default total deadline, in milliseconds.
    pub timeout_ms: u64,
    /// JSON pointer of the `x-sdk-waiter` declaration.
    pub pointer: String,
}

/// An operation a waiter calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    /// The tag module (`rust`) and tag (`wire`) of the operation.
    pub tag: Name,
    /// The method name (`rust`) and operationId (`wire`).
    pub id: Name,
    /// The operation's builder type.
    pub builder: String,
    /// The operation's error enum.
    pub error_type: String,
}

/// One argument of a waiter's entry method.
#[derive(Debug, Clone, PartialEq)]
pub struct WaiterArg {
    /// Argument name and wire name.
    pub name: Name,
    /// Its type.
    pub ty: TypeRef,
}

/// One field on the way from a value to one inside it (a waiter's status
/// value, an [`ItemPath`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusStep {
    /// The field and property name.
    pub field: Name,
    /// Whether the Rust field is an `Option`.
    pub optional: bool,
}
