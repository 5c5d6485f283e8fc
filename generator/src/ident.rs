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
