//! Every rule that turns a wire name into a Rust identifier lives here.
//!
//! Wire names in real specs contain spaces (`Accounts submitted for
//! processing`), dots (`owners.primaryIdentity.name`), leading digits,
//! keywords (`type`, `ref`, `self`) and names that only differ in case or
//! punctuation (`Source` / `Source-2` / `source`). The functions here always
//! return a valid identifier, and [`Namer`] makes names unique in a scope.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Rust keywords (strict and reserved, all editions) that need `r#`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static",
    "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
    "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a `_` suffix instead.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "extern", "_"];

/// Replaces every character that cannot appear in an ASCII identifier by a
/// space, so that `heck` treats it as a word boundary.
fn words(wire: &str) -> String {
    wire.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Makes a snake_case (or raw) identifier safe: keywords, leading digits,
/// emptiness.
fn fix_snake(mut s: String, empty: &str) -> String {
    if s.is_empty() {
        s = empty.to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if NOT_RAW.contains(&s.as_str()) {
        s.push('_');
    } else if KEYWORDS.contains(&s.as_str()) {
        s.insert_str(0, "r#");
    }
    s
}

/// A struct field or function argument: `type` -> `r#type`,
/// `Accounts submitted for processing` -> `accounts_submitted_for_processing`,
/// `2fa` -> `_2fa`.
pub fn field_ident(wire: &str) -> String {
    fix_snake(words(wire).to_snake_case(), "field")
}

/// A method or module name; the same rules as [`field_ident`].
pub fn method_ident(wire: &str) -> String {
    fix_snake(words(wire).to_snake_case(), "operation")
}

/// A module name for a tag: `Machine Identities` -> `machine_identities`.
/// Raw identifiers are not allowed as file-backed module names, so keywords
/// get a `_` suffix here.
pub fn module_ident(wire: &str) -> String {
    let s = fix_snake(words(wire).to_snake_case(), "default");
    match s.strip_prefix("r#") {
        Some(kw) => format!("{kw}_"),
        None => s,
    }
}

/// A type name: `machine-identity` -> `MachineIdentity`, `2fa` -> `Type2fa`,
/// `Self` -> `Self_`.
pub fn type_ident(wire: &str) -> String {
    let mut s = words(wire).to_upper_camel_case();
    if s.is_empty() {
        s = "Type".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "Type");
    }
    if s == "Self" {
        s.push('_');
    }
    s
}

/// An enum variant for a wire value: `QUEUED_TASK` -> `QueuedTask`,
/// `200` -> `V200`, `` (empty) -> `Empty`, `-` -> `Empty`.
pub fn variant_ident(wire: &str) -> String {
    let mut s = words(wire).to_upper_camel_case();
    if s.is_empty() {
        s = "Empty".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    if s == "Self" {
        s.push('_');
    }
    s
}

/// The catch-all variant of every generated string enum, holding a value the
/// spec did not list (`RiskSeverity::Unknown(String)`). One name on every enum
/// of every crate, so matching on it means the same everywhere; no wire value
/// can take it, because [`enum_value_ident`] never returns it.
pub const UNKNOWN_VARIANT: &str = "Unknown";

/// The variant of a string enum's wire value: [`variant_ident`], except that
/// a value spelling [`UNKNOWN_VARIANT`] (`UNKNOWN`, `unknown`) gets a trailing
/// `_` (`Unknown_`), as `Self` does, so the catch-all keeps its name.
pub fn enum_value_ident(wire: &str) -> String {
    let mut s = variant_ident(wire);
    if s == UNKNOWN_VARIANT {
        s.push('_');
    }
    s
}

/// The items each operation derives from its type name (`ListX`):
/// `ListXError`, `ListXSuccess`, `ListXFilter`, `ListXSortField`. Lowering
/// reserves all of them with [`Namer::unique_family`]; the IR spells them
/// with [`Operation::error_type`](crate::ir::Operation::error_type) and its
/// siblings.
pub const OPERATION_DERIVED: [&str; 4] = [
    DERIVED_ERROR,
    DERIVED_SUCCESS,
    DERIVED_FILTER,
    DERIVED_SORT_FIELD,
];
/// `{Op}Error`: the documented error statuses.
pub const DERIVED_ERROR: &str = "Error";
/// `{Op}Success`: the success statuses, when there are several.
pub const DERIVED_SUCCESS: &str = "Success";
/// `{Op}Filter`: the typed filter fields.
pub const DERIVED_FILTER: &str = "Filter";
/// `{Op}SortField`: the sortable fields.
pub const DERIVED_SORT_FIELD: &str = "SortField";

/// Hands out unique names within one scope (a module, a struct's fields, an
/// enum's variants): the first `Foo` stays `Foo`, the next is `Foo2`, then
/// `Foo3`. Raw identifiers are compared without their `r#`.
#[derive(Debug, Default, Clone)]
pub struct Namer {
    taken: BTreeSet<String>,
}

impl Namer {
    /// A namer with some names already taken.
    pub fn with_reserved<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            taken: names.into_iter().map(|n| bare(n).to_string()).collect(),
        }
    }

    /// Returns `candidate`, or `candidate` with the smallest number suffix
    /// (from 2) that is still free, and marks it taken.
    pub fn unique(&mut self, candidate: &str) -> String {
        let base = bare(candidate);
        if self.taken.insert(base.to_string()) {
            return candidate.to_string();
        }
        // A suffix turns a keyword into a plain identifier (`type2`).
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|name| self.taken.insert(name.clone()))
            .unwrap_or_default()
    }

    /// Like [`Namer::unique`], for a name that other names are derived from:
    /// the result and the result followed by each of `suffixes` are all
    /// free, and all are marked taken. So an operation `listX` (deriving
    /// `ListXError`) and an operation `listXError` cannot both own
    /// `ListXError`.
    pub fn unique_family(&mut self, candidate: &str, suffixes: &[&str]) -> String {
        let base = bare(candidate);
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) {
            "_"
        } else {
            ""
        };
        let free = |namer: &Self, name: &str| {
            !namer.taken.contains(name)
                && suffixes
                    .iter()
                    .all(|s| !namer.taken.contains(&format!("{name}{s}")))
        };
        let name = std::iter::once(base.to_string())
            .chain((2..).map(|n| format!("{base}{sep}{n}")))
            .find(|name| free(self, name))
            .unwrap_or_default();
        for s in suffixes {
            self.taken.insert(format!("{name}{s}"));
        }
        self.taken.insert(name.clone());
        if name == base {
            candidate.to_string()
        } else {
            name
        }
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(bare(name))
    }
}

fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_idents() {
        let table = [
            ("type", "r#type"),
            ("ref", "r#ref"),
            ("self", "self_"),
            ("Self", "self_"),
            ("crate", "crate_"),
            ("_", "field"),
            ("2fa", "_2fa"),
            (
                "Accounts submitted for processing",
                "accounts_submitted_for_processing",
            ),
            (
                "owners.primaryIdentity.name",
                "owners_primary_identity_name",
            ),
            ("machineIdentityId", "machine_identity_id"),
            ("EXPECTED", "expected"),
            ("X-SailPoint-Experimental", "x_sail_point_experimental"),
            ("", "field"),
            ("$", "field"),
            ("déjà vu", "d_j_vu"),
            ("async", "r#async"),
            ("gen", "r#gen"),
        ];
        for (wire, want) in table {
            assert_eq!(field_ident(wire), want, "field_ident({wire:?})");
        }
    }

    #[test]
    fn type_idents() {
        let table = [
            ("machine-identity", "MachineIdentity"),
            ("ErrorResponseDto", "ErrorResponseDto"),
            ("Source-2", "Source2"),
            ("2fa", "Type2fa"),
            ("Self", "Self_"),
            ("self", "Self_"),
            ("", "Type"),
            ("access_profile", "AccessProfile"),
        ];
        for (wire, want) in table {
            assert_eq!(type_ident(wire), want, "type_ident({wire:?})");
        }
    }

    #[test]
    fn variant_idents() {
        let table = [
            ("QUEUED_TASK", "QueuedTask"),
            ("STARTED", "Started"),
            ("200", "V200"),
            ("", "Empty"),
            ("-", "Empty"),
            ("application/json", "ApplicationJson"),
            ("self", "Self_"),
        ];
        for (wire, want) in table {
            assert_eq!(variant_ident(wire), want, "variant_ident({wire:?})");
        }
    }

    #[test]
    fn enum_value_idents_never_take_the_catch_all() {
        let table = [
            ("UNKNOWN", "Unknown_"),
            ("unknown", "Unknown_"),
            ("Unknown", "Unknown_"),
            ("UNKNOWN_VALUE", "UnknownValue"),
            ("LOW", "Low"),
            ("self", "Self_"),
        ];
        for (wire, want) in table {
            assert_eq!(enum_value_ident(wire), want, "enum_value_ident({wire:?})");
        }
    }

    #[test]
    fn module_idents() {
        let table = [
            ("Machine Identities", "machine_identities"),
            ("Classify Source", "classify_source"),
            ("type", "type_"),
            ("self", "self_"),
            ("", "default"),
        ];
        for (wire, want) in table {
            assert_eq!(module_ident(wire), want, "module_ident({wire:?})");
        }
    }

    #[test]
    fn derived_names_are_reserved_with_their_base() {
        let suffixes = ["Error", "Success"];
        let mut n = Namer::default();
        assert_eq!(n.unique_family("ListX", &suffixes), "ListX");
        // `ListXError` is derived from `ListX`, so another operation cannot
        // own it, nor can its own derived `ListXErrorError` clash later.
        assert_eq!(n.unique_family("ListXError", &suffixes), "ListXError2");
        assert!(n.is_taken("ListXSuccess"));
        assert!(n.is_taken("ListXError2Success"));
        // A base whose derived name is taken moves as a whole.
        let mut n = Namer::with_reserved(["GetYError"]);
        assert_eq!(n.unique_family("GetY", &suffixes), "GetY2");
        assert_eq!(n.unique_family("Get1", &suffixes), "Get1");
        assert_eq!(n.unique_family("Get1", &suffixes), "Get1_2");
    }

    #[test]
    fn namer_makes_collisions_unique() {
        let mut n = Namer::default();
        assert_eq!(n.unique("Source"), "Source");
        assert_eq!(n.unique("Source"), "Source2");
        assert_eq!(n.unique("Source"), "Source3");
        assert_eq!(n.unique("r#type"), "r#type");
        assert_eq!(n.unique("r#type"), "type2");
        assert_eq!(n.unique("v2"), "v2");
        assert_eq!(n.unique("v2"), "v2_2");
    }
}
